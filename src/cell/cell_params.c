/* Cell parameters: defaults, key table (JSON keys with units), validation, derived quantities. */
#include "cell_keys.h"

#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define F_ SSB_CONST_FARADAY

/* ---------------------------------------------------------------- key tables */

#define E_(field) offsetof(ssb_cell_electrode, field)
#define L_(field) offsetof(ssb_cell_limetal, field)
#define S_(field) offsetof(ssb_cell_separator, field)
#define Y_(field) offsetof(ssb_cell_electrolyte, field)
#define C_(field) offsetof(ssb_cell_general, field)
#define N_(field) offsetof(ssb_cell_numerics, field)

#define INF HUGE_VAL
/* lo_open / hi_open: 1 = bound excluded */
const ssbi_key ssbi_keys_electrode[] = {
    {"thickness_um", E_(thickness), SSB_UNIT_SI_UM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"active_volume_fraction", E_(eps_active), 1, 0, 0, 1, 1, 1, SSBI_KT_DOUBLE, -1},
    {"cam_volume_fraction", E_(eps_active), 1, 0, 0, 1, 1, 1, SSBI_KT_DOUBLE, -1},
    {"inactive_active_volume_fraction", E_(eps_active_dead), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"electrolyte_volume_fraction", E_(eps_electrolyte), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"carbon_volume_fraction", E_(eps_inert), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"inert_volume_fraction", E_(eps_inert), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"porosity", E_(porosity), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"particle_radius_um", E_(particle_radius), SSB_UNIT_SI_UM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"particle_diameter_um", E_(particle_radius), 0.5 * SSB_UNIT_SI_UM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"cam_diameter_um", E_(particle_radius), 0.5 * SSB_UNIT_SI_UM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"max_concentration_mol_per_m3", E_(c_max), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"initial_stoichiometry", E_(sto_init), 1, 0, 0, 1, 1, 1, SSBI_KT_DOUBLE, -1},
    {"discharged_stoichiometry", E_(sto_discharged), 1, 0, 0, 1, 1, 1, SSBI_KT_DOUBLE, -1},
    {"initial_voltage_V", E_(V_init), 1, 0, 0, 10, 1, 1, SSBI_KT_DOUBLE, -1},
    {"discharged_voltage_V", E_(V_discharged), 1, 0, 0, 10, 1, 1, SSBI_KT_DOUBLE, -1},
    {"diffusivity_m2_per_s", E_(D_s), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"diffusivity_cm2_per_s", E_(D_s), SSB_UNIT_SI_CM2_PER_S, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"electronic_conductivity_S_per_m", E_(sigma_e), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"effective_electronic_conductivity_S_per_m", E_(sigma_e_eff), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"ionic_conductivity_S_per_m", E_(sigma_i), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"ionic_conductivity_mS_per_cm", E_(sigma_i), SSB_UNIT_SI_MS_PER_CM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"effective_ionic_conductivity_S_per_m", E_(sigma_i_eff), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"effective_ionic_conductivity_mS_per_cm", E_(sigma_i_eff), SSB_UNIT_SI_MS_PER_CM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE,
     -1},
    {"bruggeman_electronic", E_(brugg_e), 1, 0, 0, 10, 0, 0, SSBI_KT_DOUBLE, -1},
    {"bruggeman_ionic", E_(brugg_i), 1, 0, 0, 10, 0, 0, SSBI_KT_DOUBLE, -1},
    {"transport_efficiency", E_(transport_eff), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"active_area_per_volume_per_m", E_(area_per_volume), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"interface_utilisation", E_(utilisation), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"exchange_current_density_A_per_m2", E_(kinetic_constant), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, SSB_CELL_KIN_I0},
    {"exchange_current_density_mA_per_cm2", E_(kinetic_constant), SSB_UNIT_SI_MA_PER_CM2, 0, 0, INF, 1, 0,
     SSBI_KT_DOUBLE, SSB_CELL_KIN_I0},
    {"rate_constant_mol_per_m2_s", E_(kinetic_constant), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, SSB_CELL_KIN_BPX_K},
    {"rate_constant_m2.5_per_mol0.5_s", E_(kinetic_constant), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE,
     SSB_CELL_KIN_DUALFOIL},
    {"exchange_current_prefactor_A_m2.5_per_mol1.5", E_(kinetic_constant), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE,
     SSB_CELL_KIN_PYBAMM},
    {"transfer_coefficient", E_(alpha), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"interface_resistance_ohm_cm2", E_(R_interface), SSB_UNIT_SI_OHM_CM2, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"interface_resistance_ohm_m2", E_(R_interface), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_kinetics_kJ_per_mol", E_(Ea_kinetics), SSB_UNIT_SI_KJ_PER_MOL, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE,
     -1},
    {"activation_energy_kinetics_J_per_mol", E_(Ea_kinetics), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_diffusion_kJ_per_mol", E_(Ea_diffusion), SSB_UNIT_SI_KJ_PER_MOL, 0, 0, INF, 0, 0,
     SSBI_KT_DOUBLE, -1},
    {"activation_energy_diffusion_J_per_mol", E_(Ea_diffusion), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_active_kg_per_m3", E_(rho_active), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_active_g_per_cm3", E_(rho_active), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_electrolyte_kg_per_m3", E_(rho_electrolyte), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_electrolyte_g_per_cm3", E_(rho_electrolyte), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_carbon_kg_per_m3", E_(rho_inert), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_carbon_g_per_cm3", E_(rho_inert), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_limetal[] = {
    {"thickness_um", L_(thickness), SSB_UNIT_SI_UM, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"exchange_current_density_A_per_m2", L_(i0), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"exchange_current_density_mA_per_cm2", L_(i0), SSB_UNIT_SI_MA_PER_CM2, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"rate_constant_m2.5_per_mol0.5_s", L_(i0), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, SSB_CELL_KIN_DUALFOIL},
    {"interface_resistance_ohm_cm2", L_(R_interface), SSB_UNIT_SI_OHM_CM2, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"interface_resistance_ohm_m2", L_(R_interface), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"contact_fraction", L_(contact_fraction), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"transfer_coefficient", L_(alpha), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_kinetics_kJ_per_mol", L_(Ea_kinetics), SSB_UNIT_SI_KJ_PER_MOL, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE,
     -1},
    {"activation_energy_kinetics_J_per_mol", L_(Ea_kinetics), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_kg_per_m3", L_(density), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_g_per_cm3", L_(density), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_separator[] = {
    {"thickness_um", S_(thickness), SSB_UNIT_SI_UM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"electrolyte_volume_fraction", S_(eps_electrolyte), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"porosity", S_(eps_electrolyte), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"ionic_conductivity_S_per_m", S_(sigma_i), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"ionic_conductivity_mS_per_cm", S_(sigma_i), SSB_UNIT_SI_MS_PER_CM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"effective_ionic_conductivity_S_per_m", S_(sigma_i_eff), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"effective_ionic_conductivity_mS_per_cm", S_(sigma_i_eff), SSB_UNIT_SI_MS_PER_CM, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE,
     -1},
    {"bruggeman", S_(brugg), 1, 0, 0, 10, 0, 0, SSBI_KT_DOUBLE, -1},
    {"transport_efficiency", S_(transport_eff), 1, 0, 0, 1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"density_electrolyte_kg_per_m3", S_(rho_electrolyte), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_electrolyte_g_per_cm3", S_(rho_electrolyte), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_matrix_kg_per_m3", S_(rho_matrix), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_matrix_g_per_cm3", S_(rho_matrix), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_electrolyte[] = {
    {"concentration_mol_per_m3", Y_(c_ref), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"transference_number", Y_(t_plus), 1, 0, 0, 1, 0, 1, SSBI_KT_DOUBLE, -1},
    {"conductivity_S_per_m", Y_(kappa), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"diffusivity_m2_per_s", Y_(D_e), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"thermodynamic_factor", Y_(tdf), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_conductivity_kJ_per_mol", Y_(Ea_kappa), SSB_UNIT_SI_KJ_PER_MOL, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE,
     -1},
    {"activation_energy_conductivity_J_per_mol", Y_(Ea_kappa), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_diffusivity_kJ_per_mol", Y_(Ea_D), SSB_UNIT_SI_KJ_PER_MOL, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"activation_energy_diffusivity_J_per_mol", Y_(Ea_D), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_kg_per_m3", Y_(density), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"density_g_per_cm3", Y_(density), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_cell[] = {
    {"temperature_K", C_(T), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"temperature_C", C_(T), 1, 273.15, -273.15, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"reference_temperature_K", C_(T_ref), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"contact_resistance_ohm_cm2", C_(R_contact), SSB_UNIT_SI_OHM_CM2, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"contact_resistance_ohm_m2", C_(R_contact), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"nominal_capacity_mAh_per_cm2", C_(nominal_capacity), SSB_UNIT_SI_MAH_PER_CM2, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE,
     -1},
    {"nominal_capacity_Ah_per_m2", C_(nominal_capacity), SSB_UNIT_SI_AH_PER_M2, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"electrode_area_cm2", C_(area), SSB_UNIT_SI_CM2, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"electrode_area_m2", C_(area), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"voltage_min_V", C_(V_min), 1, 0, -INF, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"voltage_max_V", C_(V_max), 1, 0, -INF, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_cc[] = {
    {"positive_thickness_um", C_(cc_pos_thickness), SSB_UNIT_SI_UM, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"negative_thickness_um", C_(cc_neg_thickness), SSB_UNIT_SI_UM, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"positive_density_kg_per_m3", C_(cc_pos_density), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"negative_density_kg_per_m3", C_(cc_neg_density), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"positive_density_g_per_cm3", C_(cc_pos_density), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"negative_density_g_per_cm3", C_(cc_neg_density), SSB_UNIT_SI_G_PER_CM3, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key ssbi_keys_numerics[] = {
    {"positive_cells", N_(n_pos), 1, 0, 1, 100000, 0, 0, SSBI_KT_INT, -1},
    {"separator_cells", N_(n_sep), 1, 0, 1, 100000, 0, 0, SSBI_KT_INT, -1},
    {"negative_cells", N_(n_neg), 1, 0, 1, 100000, 0, 0, SSBI_KT_INT, -1},
    {"particle_cells", N_(n_r), 1, 0, 2, 100000, 0, 0, SSBI_KT_INT, -1},
    {"particle_grid_ratio", N_(particle_grid_ratio), 1, 0, 1, 1000, 0, 0, SSBI_KT_DOUBLE, -1},
    {"rtol", N_(rtol), 1, 0, 0, 0.1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"atol", N_(atol), 1, 0, 0, 0.1, 1, 0, SSBI_KT_DOUBLE, -1},
    {"max_steps", N_(max_steps), 1, 0, 1, 1e9, 0, 0, SSBI_KT_LONG, -1},
    {"max_step_s", N_(max_step), 1, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {"max_step_duration_s", N_(max_step_duration), 1, 0, 0, INF, 1, 0, SSBI_KT_DOUBLE, -1},
    {"full_klu", N_(full_klu), 1, 0, 0, 1, 0, 0, SSBI_KT_INT, -1},
    {"max_voltage_step_mV", N_(max_dV), SSB_UNIT_SI_MV, 0, 0, INF, 0, 0, SSBI_KT_DOUBLE, -1},
    {NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0}};

const ssbi_key *ssbi_find_key(const ssbi_key *tab, const char *key)
{
    for (int i = 0; tab[i].key; i++)
        if (strcmp(tab[i].key, key) == 0)
            return &tab[i];
    return NULL;
}

static int levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 80 || lb > 80)
        return 1000;
    int row[81];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

void ssbi_key_suggest(const char *const *names, int n, const char *key, char *buf, size_t len)
{
    int best[3] = {-1, -1, -1}, bd[3] = {1 << 30, 1 << 30, 1 << 30};
    for (int i = 0; i < n; i++) {
        int d = levenshtein(names[i], key);
        for (int k = 0; k < 3; k++) {
            if (d < bd[k]) {
                for (int m = 2; m > k; m--) {
                    bd[m] = bd[m - 1];
                    best[m] = best[m - 1];
                }
                bd[k] = d;
                best[k] = i;
                break;
            }
        }
    }
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < 3 && best[k] >= 0; k++)
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", k ? ", " : "", names[best[k]]);
}

int ssbi_key_set(ssb_ctx *ctx, const ssbi_key *k, void *base, double value, const char *path)
{
    if (!isfinite(value) || (k->lo_open ? value <= k->lo : value < k->lo) ||
        (k->hi_open ? value >= k->hi : value > k->hi)) {
        char lo[32], hi[48];
        snprintf(lo, sizeof lo, "%g", k->lo);
        /* no upper bound: 'finite' (inf is refused, so 'to inf' read as if it were allowed) */
        if (k->hi == INF)
            snprintf(hi, sizeof hi, ", finite");
        else
            snprintf(hi, sizeof hi, " to %g%s", k->hi, k->hi_open ? " (excluded)" : "");
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g is out of range (valid: %s%s%s)", path, value,
                         k->lo_open ? "above " : "", k->lo == -INF ? "-inf" : lo, hi);
    }
    char *p = (char *)base + k->off;
    double si = value * k->scale + k->shift;
    switch (k->type) {
    case SSBI_KT_INT:
        if (value != floor(value))
            return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g must be an integer", path, value);
        *(int *)p = (int)value;
        break;
    case SSBI_KT_LONG:
        if (value != floor(value))
            return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g must be an integer", path, value);
        *(long *)p = (long)value;
        break;
    default:
        *(double *)p = si;
        break;
    }
    return SSB_OK;
}

double ssbi_key_get(const ssbi_key *k, const void *base)
{
    const char *p = (const char *)base + k->off;
    switch (k->type) {
    case SSBI_KT_INT:
        return *(const int *)p;
    case SSBI_KT_LONG:
        return (double)*(const long *)p;
    default:
        return (*(const double *)p - k->shift) / k->scale;
    }
}

/* ---------------------------------------------------------------- create / destroy / copy */

static void electrode_empty(ssb_cell_electrode *e)
{
    memset(e, 0, sizeof *e);
    e->thickness = e->eps_active = e->eps_electrolyte = e->eps_inert = NAN;
    e->eps_active_dead = 0;
    e->porosity = 0;
    e->particle_radius = e->c_max = e->sto_init = e->sto_discharged = e->D_s = NAN;
    e->V_init = e->V_discharged = NAN;
    e->sigma_e = e->sigma_e_eff = e->sigma_i = e->sigma_i_eff = NAN;
    e->brugg_e = e->brugg_i = 1.5;
    e->transport_eff = e->area_per_volume = NAN;
    e->utilisation = 1.0;
    e->kinetics_kind = SSB_CELL_KIN_I0;
    e->kinetic_constant = NAN;
    e->alpha = 0.5;
    e->R_interface = 0;
    e->Ea_kinetics = e->Ea_diffusion = 0;
    e->rho_active = e->rho_electrolyte = e->rho_inert = NAN;
    e->sigma_T = NAN;
    e->sigma_Ea_eV = 0;
}

int ssbi_params_alloc(ssb_ctx *ctx, ssb_cell_params **out)
{
    *out = NULL;
    ssb_cell_params *p = calloc(1, sizeof *p);
    if (!p)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell parameters)");
    for (int i = 0; i < SSB_CELL_FN_COUNT; i++)
        ssbi_fn_clear(&p->fn[i]);
    ssb_cell_values *v = &p->v;
    v->cell.T = 298.15;
    v->cell.T_ref = 298.15;
    v->cell.R_contact = 0;
    v->cell.nominal_capacity = NAN;
    v->cell.area = 1.0;
    v->cell.cc_pos_thickness = 0;
    v->cell.cc_neg_thickness = 0;
    v->cell.cc_pos_density = 2700; /* Al; DUALFOIL materials table: 2707 kg/m3 */
    v->cell.cc_neg_density = 8960; /* Cu; DUALFOIL materials table: 8954 kg/m3 */
    v->cell.V_min = 0.0;
    v->cell.V_max = 6.0;
    v->anode = SSB_CELL_ANODE_LI_METAL;
    electrode_empty(&v->pos);
    electrode_empty(&v->neg);
    v->sep.thickness = NAN;
    v->sep.eps_electrolyte = 1.0;
    v->sep.sigma_i = v->sep.sigma_i_eff = NAN;
    v->sep.brugg = 1.5;
    v->sep.transport_eff = NAN;
    v->sep.rho_electrolyte = v->sep.rho_matrix = NAN;
    v->sep.sigma_T = NAN;
    v->sep.sigma_Ea_eV = 0;
    v->li.thickness = 0;
    v->li.i0 = NAN;
    v->li.alpha = 0.5;
    v->li.R_interface = 0;
    v->li.contact_fraction = 1.0;
    v->li.Ea_kinetics = 0;
    v->li.density = 534; /* materials database "Li" density 0.534 g/cm3 (properties.md 3.1) */
    v->el.kind = SSB_CELL_SINGLE_ION;
    v->el.c_ref = 1000;
    v->el.t_plus = NAN;
    v->el.kappa = v->el.D_e = NAN;
    v->el.tdf = 1.0;
    v->el.Ea_kappa = v->el.Ea_D = 0;
    v->el.density = NAN;
    v->num.n_neg = 20;
    v->num.n_sep = 10;
    v->num.n_pos = 20;
    v->num.n_r = 20;
    v->num.particle_grid_ratio = 1.0;
    v->num.rtol = 1e-4;
    v->num.atol = 1e-6;
    v->num.max_steps = 100000;
    v->num.max_step = 0;
    v->num.max_step_duration = 1e6;
    v->num.max_dV = 0.005;
    *out = p;
    return SSB_OK;
}

int ssb_cell_params_create(ssb_ctx *ctx, ssb_cell_params **p)
{
    SSB_REQUIRE(ctx, p, SSB_ERR_ARG, "ssb_cell_params_create: p is NULL");
    return ssbi_params_alloc(ctx, p);
}

void ssb_cell_params_destroy(ssb_cell_params **pp)
{
    if (!pp || !*pp)
        return;
    ssb_cell_params *p = *pp;
    for (int i = 0; i < SSB_CELL_FN_COUNT; i++)
        ssbi_fn_clear(&p->fn[i]);
    free(p->protocol);
    for (int i = 0; i < p->nvalid; i++) {
        free(p->valid[i].t);
        free(p->valid[i].I);
        free(p->valid[i].V);
    }
    free(p->valid);
    free(p);
    *pp = NULL;
}

int ssb_cell_params_copy(ssb_ctx *ctx, const ssb_cell_params *src, ssb_cell_params **dst)
{
    SSB_REQUIRE(ctx, src && dst, SSB_ERR_ARG, "ssb_cell_params_copy: NULL argument");
    *dst = NULL;
    ssb_cell_params *p = NULL;
    SSB_CHECK(ctx, ssbi_params_alloc(ctx, &p));
    p->v = src->v;
    memcpy(p->sigma_note, src->sigma_note, sizeof p->sigma_note);
    int rc = SSB_OK;
    for (int i = 0; i < SSB_CELL_FN_COUNT && rc == SSB_OK; i++)
        rc = ssbi_fn_copy(ctx, &src->fn[i], &p->fn[i]);
    if (rc == SSB_OK && src->protocol) {
        p->protocol = strdup(src->protocol);
        if (!p->protocol)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
    }
    if (rc == SSB_OK && src->nvalid > 0) {
        p->valid = calloc((size_t)src->nvalid, sizeof *p->valid);
        if (!p->valid)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
        else
            p->nvalid = src->nvalid;
        for (int i = 0; i < src->nvalid && rc == SSB_OK; i++) {
            const ssbi_bpx_series *s = &src->valid[i];
            ssbi_bpx_series *d = &p->valid[i];
            memcpy(d->name, s->name, sizeof d->name);
            d->n = s->n;
            size_t b = (size_t)s->n * sizeof(double);
            d->t = malloc(b ? b : 1);
            d->I = malloc(b ? b : 1);
            d->V = malloc(b ? b : 1);
            if (!d->t || !d->I || !d->V)
                rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
            else {
                memcpy(d->t, s->t, b);
                memcpy(d->I, s->I, b);
                memcpy(d->V, s->V, b);
            }
        }
    }
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(&p);
        return rc;
    }
    *dst = p;
    return SSB_OK;
}

const char *ssb_cell_params_protocol(const ssb_cell_params *p)
{
    return p ? p->protocol : NULL;
}

int ssb_cell_params_bpx_nvalidation(const ssb_cell_params *p)
{
    return p ? p->nvalid : 0;
}

int ssb_cell_params_bpx_validation(ssb_ctx *ctx, const ssb_cell_params *p, int i, const char **name, int *n,
                                   const double **t, const double **I, const double **V)
{
    SSB_REQUIRE(ctx, p && i >= 0 && i < p->nvalid, SSB_ERR_RANGE, "validation series %d out of range (0 to %d)", i,
                p ? p->nvalid - 1 : -1);
    if (name)
        *name = p->valid[i].name;
    if (n)
        *n = p->valid[i].n;
    if (t)
        *t = p->valid[i].t;
    if (I)
        *I = p->valid[i].I;
    if (V)
        *V = p->valid[i].V;
    return SSB_OK;
}

/* ---------------------------------------------------------------- values */

void ssb_cell_params_get_values(const ssb_cell_params *p, ssb_cell_values *v)
{
    if (p && v)
        *v = p->v;
}

int ssb_cell_params_set_values(ssb_ctx *ctx, ssb_cell_params *p, const ssb_cell_values *v)
{
    SSB_REQUIRE(ctx, p && v, SSB_ERR_ARG, "ssb_cell_params_set_values: NULL argument");
    /* only range errors block here; missing values are reported by ssb_cell_create */
    SSB_CHECK(ctx, ssbi_params_check_ranges(ctx, v));
    p->v = *v;
    return SSB_OK;
}

/* Range checks of every value that is set (NaN = not set is allowed here). */
static int chk(ssb_ctx *ctx, const char *path, double x, double lo, double hi, int lo_open, int hi_open)
{
    if (isnan(x))
        return SSB_OK;
    if (!isfinite(x) || (lo_open ? x <= lo : x < lo) || (hi_open ? x >= hi : x > hi))
    {
        char h[48];
        if (hi == INF)
            snprintf(h, sizeof h, ", finite");
        else
            snprintf(h, sizeof h, " to %g%s", hi, hi_open ? " (excluded)" : "");
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g is out of range (valid: %s%g%s)", path, x, lo_open ? "above " : "",
                         lo, h);
    }
    return SSB_OK;
}

static int check_electrode(ssb_ctx *ctx, const ssb_cell_electrode *e, const char *s)
{
    char k[96];
#define CK(field, key, lo, hi, lo_o, hi_o)                                                                             \
    do {                                                                                                               \
        snprintf(k, sizeof k, "%s.%s", s, key);                                                                        \
        SSB_CHECK(ctx, chk(ctx, k, e->field, lo, hi, lo_o, hi_o));                                                     \
    } while (0)
    CK(thickness, "thickness_um (in m)", 0, INF, 1, 0);
    CK(eps_active, "active_volume_fraction", 0, 1, 1, 1);
    CK(eps_active_dead, "inactive_active_volume_fraction", 0, 1, 0, 1);
    CK(eps_electrolyte, "electrolyte_volume_fraction", 0, 1, 0, 1);
    CK(eps_inert, "carbon_volume_fraction", 0, 1, 0, 1);
    CK(porosity, "porosity", 0, 1, 0, 1);
    CK(particle_radius, "particle_radius_um (in m)", 0, INF, 1, 0);
    CK(c_max, "max_concentration_mol_per_m3", 0, INF, 1, 0);
    CK(sto_init, "initial_stoichiometry", 0, 1, 1, 1);
    CK(sto_discharged, "discharged_stoichiometry", 0, 1, 1, 1);
    CK(V_init, "initial_voltage_V", 0, 10, 1, 1);
    CK(V_discharged, "discharged_voltage_V", 0, 10, 1, 1);
    CK(D_s, "diffusivity_m2_per_s", 0, INF, 1, 0);
    CK(sigma_e, "electronic_conductivity_S_per_m", 0, INF, 1, 0);
    CK(sigma_e_eff, "effective_electronic_conductivity_S_per_m", 0, INF, 1, 0);
    CK(sigma_i, "ionic_conductivity_S_per_m", 0, INF, 1, 0);
    CK(sigma_i_eff, "effective_ionic_conductivity_S_per_m", 0, INF, 1, 0);
    CK(brugg_e, "bruggeman_electronic", 0, 10, 0, 0);
    CK(brugg_i, "bruggeman_ionic", 0, 10, 0, 0);
    CK(transport_eff, "transport_efficiency", 0, 1, 1, 0);
    CK(area_per_volume, "active_area_per_volume_per_m", 0, INF, 1, 0);
    CK(utilisation, "interface_utilisation", 0, 1, 1, 0);
    CK(kinetic_constant, "exchange_current_density_A_per_m2 (kinetic constant)", 0, INF, 1, 0);
    CK(alpha, "transfer_coefficient", 0, 1, 1, 0);
    CK(R_interface, "interface_resistance_ohm_m2", 0, INF, 0, 0);
    CK(Ea_kinetics, "activation_energy_kinetics_J_per_mol", 0, INF, 0, 0);
    CK(Ea_diffusion, "activation_energy_diffusion_J_per_mol", 0, INF, 0, 0);
    CK(rho_active, "density_active_kg_per_m3", 0, INF, 0, 0);
    CK(rho_electrolyte, "density_electrolyte_kg_per_m3", 0, INF, 0, 0);
    CK(rho_inert, "density_carbon_kg_per_m3", 0, INF, 0, 0);
#undef CK
    if ((int)e->kinetics_kind < 0 || e->kinetics_kind > SSB_CELL_KIN_PYBAMM)
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s.kinetics_kind = %d is out of range (0 to 3)", s,
                         (int)e->kinetics_kind);
    return SSB_OK;
}

int ssbi_params_check_ranges(ssb_ctx *ctx, const ssb_cell_values *v)
{
    /* the temperature first: a database conductivity evaluated at an absurd one (temperature_C = -273: 0.15 K,
       0 S/m) was reported as 'positive.ionic_conductivity_S_per_m = 0 is out of range' */
    SSB_REQUIRE(ctx, !(v->cell.T > 0 && (v->cell.T < SSBI_PHYS_TMIN || v->cell.T > SSBI_PHYS_TMAX)), SSB_ERR_RANGE,
                "temperature_K = %g K is outside the range the model is meaningful for (%g to %g K)", v->cell.T,
                SSBI_PHYS_TMIN, SSBI_PHYS_TMAX);
    SSB_CHECK(ctx, check_electrode(ctx, &v->pos, "positive"));
    if (v->anode == SSB_CELL_ANODE_COMPOSITE)
        SSB_CHECK(ctx, check_electrode(ctx, &v->neg, "negative"));
    SSB_REQUIRE(ctx, v->anode == SSB_CELL_ANODE_LI_METAL || v->anode == SSB_CELL_ANODE_COMPOSITE, SSB_ERR_RANGE,
                "anode kind %d is out of range (0 lithium_metal, 1 composite)", (int)v->anode);
    SSB_REQUIRE(ctx, v->el.kind == SSB_CELL_SINGLE_ION || v->el.kind == SSB_CELL_LIQUID, SSB_ERR_RANGE,
                "electrolyte kind %d is out of range (0 single_ion, 1 liquid)", (int)v->el.kind);
    SSB_CHECK(ctx, chk(ctx, "separator.thickness_um (in m)", v->sep.thickness, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.electrolyte_volume_fraction", v->sep.eps_electrolyte, 0, 1, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.ionic_conductivity_S_per_m", v->sep.sigma_i, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.effective_ionic_conductivity_S_per_m", v->sep.sigma_i_eff, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.bruggeman", v->sep.brugg, 0, 10, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.transport_efficiency", v->sep.transport_eff, 0, 1, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.density_electrolyte_kg_per_m3", v->sep.rho_electrolyte, 0, INF, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "separator.density_matrix_kg_per_m3", v->sep.rho_matrix, 0, INF, 0, 0));
    if (v->anode == SSB_CELL_ANODE_LI_METAL) {
        SSB_CHECK(ctx, chk(ctx, "negative.thickness_um (in m)", v->li.thickness, 0, INF, 0, 0));
        SSB_CHECK(ctx, chk(ctx, "negative.exchange_current_density_A_per_m2", v->li.i0, 0, INF, 1, 0));
        SSB_CHECK(ctx, chk(ctx, "negative.transfer_coefficient", v->li.alpha, 0, 1, 1, 0));
        SSB_CHECK(ctx, chk(ctx, "negative.interface_resistance_ohm_m2", v->li.R_interface, 0, INF, 0, 0));
        SSB_CHECK(ctx, chk(ctx, "negative.contact_fraction", v->li.contact_fraction, 0, 1, 1, 0));
        SSB_CHECK(ctx, chk(ctx, "negative.density_kg_per_m3", v->li.density, 0, INF, 0, 0));
    }
    SSB_CHECK(ctx, chk(ctx, "electrolyte.concentration_mol_per_m3", v->el.c_ref, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "electrolyte.transference_number", v->el.t_plus, 0, 1, 0, 1));
    SSB_CHECK(ctx, chk(ctx, "electrolyte.conductivity_S_per_m", v->el.kappa, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "electrolyte.diffusivity_m2_per_s", v->el.D_e, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "electrolyte.thermodynamic_factor", v->el.tdf, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "temperature_K", v->cell.T, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "reference_temperature_K", v->cell.T_ref, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "contact_resistance_ohm_m2", v->cell.R_contact, 0, INF, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "nominal_capacity_Ah_per_m2 (in C/m2)", v->cell.nominal_capacity, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "electrode_area_m2", v->cell.area, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "current_collectors.positive_thickness_um (in m)", v->cell.cc_pos_thickness, 0, INF, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "current_collectors.negative_thickness_um (in m)", v->cell.cc_neg_thickness, 0, INF, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.rtol", v->num.rtol, 0, 0.1, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.atol", v->num.atol, 0, 0.1, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.max_step_s", v->num.max_step, 0, INF, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.particle_grid_ratio", v->num.particle_grid_ratio, 1, 1000, 0, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.max_step_duration_s", v->num.max_step_duration, 0, INF, 1, 0));
    SSB_CHECK(ctx, chk(ctx, "numerics.max_voltage_step_mV (in V)", v->num.max_dV, 0, INF, 0, 0));
    SSB_REQUIRE(ctx, v->num.n_pos >= 1 && v->num.n_sep >= 1 && v->num.n_neg >= 1, SSB_ERR_RANGE,
                "numerics: cells per region must be >= 1 (positive %d, separator %d, negative %d)", v->num.n_pos,
                v->num.n_sep, v->num.n_neg);
    SSB_REQUIRE(ctx, v->num.n_r >= 2, SSB_ERR_RANGE, "numerics.particle_cells = %d must be >= 2", v->num.n_r);
    SSB_REQUIRE(ctx, v->num.max_steps >= 1, SSB_ERR_RANGE, "numerics.max_steps = %ld must be >= 1", v->num.max_steps);
    SSB_REQUIRE(ctx, v->cell.V_min < v->cell.V_max, SSB_ERR_RANGE,
                "voltage_min_V = %g must be below voltage_max_V = %g", v->cell.V_min, v->cell.V_max);
    SSB_CHECK(ctx, ssbi_params_check_physical(ctx, v));
    return SSB_OK;
}

/* ---------------------------------------------------------------- set / get by key */

typedef struct {
    const char *name;
    int which; /* 0 cell, 1 pos, 2 neg, 3 sep, 4 el, 5 cc, 6 num */
} section_def;

static const section_def sections[] = {
    {"positive", 1},  {"cathode", 1},     {"negative", 2},           {"anode", 2},
    {"separator", 3}, {"electrolyte", 4}, {"current_collectors", 5}, {"numerics", 6}};

int ssbi_section_table(const ssb_cell_values *v, int which, const ssbi_key **tab)
{
    switch (which) {
    case 0:
        *tab = ssbi_keys_cell;
        return 0;
    case 1:
        *tab = ssbi_keys_electrode;
        return 1;
    case 2:
        *tab = v->anode == SSB_CELL_ANODE_COMPOSITE ? ssbi_keys_electrode : ssbi_keys_limetal;
        return 2;
    case 3:
        *tab = ssbi_keys_separator;
        return 3;
    case 4:
        *tab = ssbi_keys_electrolyte;
        return 4;
    case 5:
        *tab = ssbi_keys_cc;
        return 5;
    default:
        *tab = ssbi_keys_numerics;
        return 6;
    }
}

void *ssbi_section_base(ssb_cell_values *v, int which)
{
    switch (which) {
    case 0:
        return &v->cell;
    case 1:
        return &v->pos;
    case 2:
        return v->anode == SSB_CELL_ANODE_COMPOSITE ? (void *)&v->neg : (void *)&v->li;
    case 3:
        return &v->sep;
    case 4:
        return &v->el;
    case 5:
        return &v->cell;
    default:
        return &v->num;
    }
}

/* The three keys closest to an unknown one, as full paths ("positive.thickness_um", "temperature_C") from every
 * section, so that a key given in the wrong section or without one is found where it lives. The distance is the
 * edit distance of the key part, plus one for a section other than the one the user named (w_user; -1: none). */
static void suggest_paths(const ssb_cell_values *v, int w_user, const char *key, char *buf, size_t len)
{
    static const char *const prefix[7] = {"", "positive.", "negative.", "separator.", "electrolyte.",
                                          "current_collectors.", "numerics."};
    const char *best[3] = {NULL, NULL, NULL}, *bestp[3] = {"", "", ""};
    int bd[3] = {1 << 30, 1 << 30, 1 << 30};
    for (int w = 0; w < 7; w++) {
        const ssbi_key *tab;
        ssbi_section_table(v, w, &tab);
        for (int i = 0; tab[i].key; i++) {
            int d = levenshtein(tab[i].key, key) + (w_user >= 0 && w != w_user);
            for (int k = 0; k < 3; k++) {
                if (d < bd[k]) {
                    for (int m = 2; m > k; m--) {
                        bd[m] = bd[m - 1];
                        best[m] = best[m - 1];
                        bestp[m] = bestp[m - 1];
                    }
                    bd[k] = d;
                    best[k] = tab[i].key;
                    bestp[k] = prefix[w];
                    break;
                }
            }
        }
    }
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < 3 && best[k]; k++)
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s%s", k ? ", " : "", bestp[k], best[k]);
}

static int lookup_key(ssb_ctx *ctx, const ssb_cell_values *v, const char *path, int *which, const ssbi_key **k)
{
    const char *dot = strchr(path, '.');
    int w = 0;
    const char *key = path;
    if (dot) {
        size_t len = (size_t)(dot - path);
        w = -1;
        for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
            if (strlen(sections[i].name) == len && strncmp(sections[i].name, path, len) == 0)
                w = sections[i].which;
        if (w < 0)
            return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                             "unknown section in '%s' (valid: positive, negative, separator, electrolyte, "
                             "current_collectors, numerics, or none for cell keys)",
                             path);
        key = dot + 1;
    }
    const ssbi_key *tab;
    ssbi_section_table(v, w, &tab);
    const ssbi_key *f = ssbi_find_key(tab, key);
    if (!f) {
        char sug[256];
        suggest_paths(v, dot ? w : -1, key, sug, sizeof sug);
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown numeric key '%s'; closest: %s", path, sug);
    }
    *which = w;
    *k = f;
    return SSB_OK;
}

int ssbi_apply_key(ssb_ctx *ctx, ssb_cell_values *v, int which, const ssbi_key *k, double value, const char *path)
{
    void *base = ssbi_section_base(v, which);
    SSB_CHECK(ctx, ssbi_key_set(ctx, k, base, value, path));
    /* a bulk ionic conductivity given as a number replaces the database's: it follows Ea_kappa from T_ref, not the
       database law of the SE the region named */
    if (base == &v->sep && k->off == offsetof(ssb_cell_separator, sigma_i)) {
        v->sep.sigma_T = NAN;
        v->sep.sigma_Ea_eV = 0;
    } else if ((base == &v->pos || base == &v->neg) && k->off == offsetof(ssb_cell_electrode, sigma_i)) {
        ((ssb_cell_electrode *)base)->sigma_T = NAN;
        ((ssb_cell_electrode *)base)->sigma_Ea_eV = 0;
    }
    if (k->kin >= 0) {
        if (base == &v->li) {
            /* DUALFOIL foil rate constant: i0 = F k sqrt(c_e,ref) */
            v->li.i0 = F_ * value * sqrt(v->el.c_ref);
        } else
            ((ssb_cell_electrode *)base)->kinetics_kind = (ssb_cell_kinetics_kind)k->kin;
    }
    return SSB_OK;
}

int ssb_cell_params_set(ssb_ctx *ctx, ssb_cell_params *p, const char *key, double value)
{
    SSB_REQUIRE(ctx, p && key, SSB_ERR_ARG, "ssb_cell_params_set: NULL argument");
    int w;
    const ssbi_key *k;
    SSB_CHECK(ctx, lookup_key(ctx, &p->v, key, &w, &k));
    ssb_cell_values v = p->v;
    SSB_CHECK(ctx, ssbi_apply_key(ctx, &v, w, k, value, key));
    p->v = v;
    return SSB_OK;
}

int ssb_cell_params_get(ssb_ctx *ctx, const ssb_cell_params *p, const char *key, double *value)
{
    SSB_REQUIRE(ctx, p && key && value, SSB_ERR_ARG, "ssb_cell_params_get: NULL argument");
    int w;
    const ssbi_key *k;
    SSB_CHECK(ctx, lookup_key(ctx, &p->v, key, &w, &k));
    ssb_cell_values v = p->v;
    *value = ssbi_key_get(k, ssbi_section_base(&v, w));
    return SSB_OK;
}

/* ---------------------------------------------------------------- functions */

static const char *slot_name(ssb_cell_fn_slot s)
{
    static const char *n[] = {"positive OCV",
                              "negative OCV",
                              "positive diffusivity",
                              "negative diffusivity",
                              "electrolyte conductivity",
                              "electrolyte diffusivity",
                              "thermodynamic factor",
                              "positive electronic conductivity",
                              "negative electronic conductivity",
                              "transference number"};
    return (int)s >= 0 && s < SSB_CELL_FN_COUNT ? n[s] : "?";
}

#define SLOT_OK(s) ((int)(s) >= 0 && (s) < SSB_CELL_FN_COUNT)

int ssb_cell_params_set_fn_expr(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, const char *expr, double x_min,
                                double x_max)
{
    SSB_REQUIRE(ctx, p && expr && SLOT_OK(slot), SSB_ERR_ARG, "ssb_cell_params_set_fn_expr: bad argument");
    ssbi_fn f;
    memset(&f, 0, sizeof f);
    const char *var = slot <= SSB_CELL_FN_DS_NEG || slot >= SSB_CELL_FN_SIGE_POS ? "sto" : "c";
    SSB_CHECK(ctx, ssbi_fn_set_expr(ctx, &f, expr, var, slot_name(slot)));
    f.x_min = x_min;
    f.x_max = x_max;
    ssbi_fn_clear(&p->fn[slot]);
    p->fn[slot] = f;
    return SSB_OK;
}

int ssb_cell_params_set_fn_table(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, int n, const double *x,
                                 const double *y)
{
    SSB_REQUIRE(ctx, p && x && y && SLOT_OK(slot), SSB_ERR_ARG, "ssb_cell_params_set_fn_table: bad argument");
    ssbi_fn f;
    memset(&f, 0, sizeof f);
    /* D_s(x) and sigma_e(x) vary over orders of magnitude with the state of charge: interpolated in log */
    if (slot == SSB_CELL_FN_DS_POS || slot == SSB_CELL_FN_DS_NEG || slot == SSB_CELL_FN_SIGE_POS ||
        slot == SSB_CELL_FN_SIGE_NEG)
        SSB_CHECK(ctx, ssbi_fn_set_table_log(ctx, &f, n, x, y, slot_name(slot)));
    else
        SSB_CHECK(ctx, ssbi_fn_set_table(ctx, &f, n, x, y, slot_name(slot)));
    ssbi_fn_clear(&p->fn[slot]);
    p->fn[slot] = f;
    return SSB_OK;
}

int ssb_cell_params_set_fn_const(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, double value)
{
    SSB_REQUIRE(ctx, p && SLOT_OK(slot), SSB_ERR_ARG, "ssb_cell_params_set_fn_const: bad argument");
    SSB_REQUIRE(ctx, isfinite(value), SSB_ERR_RANGE, "%s = %g must be finite", slot_name(slot), value);
    ssbi_fn_clear(&p->fn[slot]);
    p->fn[slot].kind = SSBI_FN_CONST;
    p->fn[slot].c = value;
    snprintf(p->fn[slot].source, sizeof p->fn[slot].source, "%s (constant)", slot_name(slot));
    return SSB_OK;
}

int ssb_cell_params_set_ocv_material(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_side side, const ssb_materials *db,
                                     const char *material, const char *curve)
{
    SSB_REQUIRE(ctx, p && db && material && (side == SSB_CELL_NEG || side == SSB_CELL_POS), SSB_ERR_ARG,
                "ssb_cell_params_set_ocv_material: bad argument");
    const ssb_material *m = NULL;
    SSB_CHECK(ctx, ssb_materials_find(ctx, db, material, &m));
    int ic = 0;
    SSB_CHECK(ctx, ssb_materials_ocv_find(ctx, m, curve, &ic));
    ssbi_fn f;
    memset(&f, 0, sizeof f);
    SSB_CHECK(ctx, ssbi_fn_from_material_ocv(ctx, &f, m, ic));
    ssb_cell_fn_slot s = side == SSB_CELL_POS ? SSB_CELL_FN_OCV_POS : SSB_CELL_FN_OCV_NEG;
    ssbi_fn_clear(&p->fn[s]);
    p->fn[s] = f;
    return SSB_OK;
}

void ssb_cell_params_clear_fn(ssb_cell_params *p, ssb_cell_fn_slot slot)
{
    if (p && SLOT_OK(slot))
        ssbi_fn_clear(&p->fn[slot]);
}

int ssb_cell_params_eval_fn(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_fn_slot slot, double x, double *y,
                            double *dydx)
{
    SSB_REQUIRE(ctx, p && y && SLOT_OK(slot), SSB_ERR_ARG, "ssb_cell_params_eval_fn: bad argument");
    SSB_REQUIRE(ctx, ssbi_fn_set(&p->fn[slot]), SSB_ERR_NOTFOUND, "%s is not set", slot_name(slot));
    *y = ssbi_fn_eval(&p->fn[slot], x, dydx);
    return SSB_OK;
}

/* ---------------------------------------------------------------- resolve */

static int need(ssb_ctx *ctx, double x, const char *key)
{
    if (isnan(x))
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "missing parameter %s (required)", key);
    return SSB_OK;
}

/* The factor of one region, refused (SSB_ERR_NOTFOUND) when the region's database conductivity has no temperature
 * law and the cell is at another temperature than the one it was read at (a sigma T law with Ea = 0 made
 * Li3InCl6's conductivity fall from 0.204 to 0.183 S/m between 25 and 60 C). */
static int region_sigma_factor(ssb_ctx *ctx, const ssb_cell_params *p, const ssb_cell_values *v,
                               ssb_cell_region region, double *f)
{
    static const char *const name[3] = {"negative", "separator", "positive"};
    *f = ssb_cell_sigma_factor(v, region);
    if (isfinite(*f))
        return SSB_OK;
    const char *se = region == SSB_CELL_REGION_SEP   ? v->sep.electrolyte
                     : region == SSB_CELL_REGION_POS ? v->pos.electrolyte
                                                     : v->neg.electrolyte;
    double Ts = region == SSB_CELL_REGION_SEP ? v->sep.sigma_T
                : region == SSB_CELL_REGION_POS ? v->pos.sigma_T
                                                : v->neg.sigma_T;
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                     "%s.electrolyte %s: the materials database gives its conductivity at %.2f K but no temperature "
                     "law (%s), so it cannot be taken to the cell's %.2f K; give %s.ionic_conductivity_mS_per_cm at "
                     "reference_temperature_K and electrolyte.activation_energy_conductivity_kJ_per_mol",
                     name[region], se[0] ? se : "(unnamed)", Ts, p->sigma_note[region], v->cell.T, name[region]);
}

/* A region's bulk ionic conductivity is required; when its SE was named but the database could not give the value,
 * the message says why (SSB_ERR_NOTFOUND) instead of only 'missing parameter'. */
static int need_sigma(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_region region, double x, const char *key)
{
    if (isnan(x) && p->sigma_note[region][0])
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "missing parameter %s (required): the materials database cannot give "
                         "it: %s", key, p->sigma_note[region]);
    return need(ctx, x, key);
}

/* Stoichiometry at which the OCV equals V inside the curve's range [x_min, x_max] (bisection on a sign change
 * found by scanning; OCV curves are monotone). Returns 1 and *x when found, 0 when V is not reached: *x is then
 * the range end whose OCV is nearest to V. */
static int sto_at_voltage(const ssbi_fn *ocv, double V, double *x)
{
    double a = ocv->x_min, b = ocv->x_max;
    const int n = 512;
    double xp = a, fp = ssbi_fn_eval(ocv, a, NULL) - V;
    for (int k = 1; k <= n; k++) {
        double xk = a + (b - a) * k / n, fk = ssbi_fn_eval(ocv, xk, NULL) - V;
        if (fp == 0) {
            *x = xp;
            return 1;
        }
        if ((fp < 0) != (fk < 0)) {
            double lo = xp, hi = xk, flo = fp;
            for (int it = 0; it < 100 && hi - lo > 1e-14; it++) {
                double mid = 0.5 * (lo + hi), fm = ssbi_fn_eval(ocv, mid, NULL) - V;
                if ((fm < 0) == (flo < 0)) {
                    lo = mid;
                    flo = fm;
                } else
                    hi = mid;
            }
            *x = 0.5 * (lo + hi);
            return 1;
        }
        xp = xk;
        fp = fk;
    }
    double fa = fabs(ssbi_fn_eval(ocv, a, NULL) - V), fb = fabs(ssbi_fn_eval(ocv, b, NULL) - V);
    *x = fa < fb ? a : b;
    return 0;
}

/* initial_voltage_V / discharged_voltage_V -> stoichiometries (issue 14: the window follows from the OCV and the
 * voltages, not from a fixed stoichiometry pair). */
static int sto_from_voltages(ssb_ctx *ctx, ssb_cell_electrode *e, const char *s, const ssbi_fn *ocv, int positive)
{
    if ((isnan(e->V_init) || !isnan(e->sto_init)) && (isnan(e->V_discharged) || !isnan(e->sto_discharged)))
        return SSB_OK;
    SSB_REQUIRE(ctx, isfinite(ocv->x_min) && isfinite(ocv->x_max), SSB_ERR_FORMAT,
                "%s: initial/discharged_voltage_V need an OCV with a stated x range", s);
    double Ua = ssbi_fn_eval(ocv, ocv->x_min, NULL), Ub = ssbi_fn_eval(ocv, ocv->x_max, NULL);
    if (!isnan(e->V_init) && isnan(e->sto_init)) {
        if (!sto_at_voltage(ocv, e->V_init, &e->sto_init))
            return SSB_ERROR(ctx, SSB_ERR_RANGE,
                             "%s.initial_voltage_V = %g V lies outside the OCV's range [%.4g, %.4g] V (x in [%g, %g])",
                             s, e->V_init, fmin(Ua, Ub), fmax(Ua, Ub), ocv->x_min, ocv->x_max);
    }
    if (!isnan(e->V_discharged) && isnan(e->sto_discharged)) {
        double x;
        int hit = sto_at_voltage(ocv, e->V_discharged, &x);
        if (!hit) {
            /* the curve does not reach the voltage: the host is full (positive) / empty (negative) first */
            double end = positive ? ocv->x_max : ocv->x_min;
            double Uend = positive ? Ub : Ua;
            SSB_REQUIRE(ctx, positive ? Uend > e->V_discharged : Uend < e->V_discharged, SSB_ERR_RANGE,
                        "%s.discharged_voltage_V = %g V is not reached on the OCV's range [%.4g, %.4g] V", s,
                        e->V_discharged, fmin(Ua, Ub), fmax(Ua, Ub));
            x = end;
        }
        e->sto_discharged = x;
    }
    return SSB_OK;
}

static int resolve_electrode(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_electrode *e, const char *s,
                             const ssbi_fn *ocv, const ssbi_fn *ds, int liquid, double T, double Tref, double c_ref,
                             int positive)
{
    char k[128];
#define NEED(field, key)                                                                                               \
    do {                                                                                                               \
        snprintf(k, sizeof k, "%s.%s", s, key);                                                                        \
        SSB_CHECK(ctx, need(ctx, e->field, k));                                                                        \
    } while (0)
    NEED(thickness, "thickness_um");
    NEED(eps_active, "active_volume_fraction");
    NEED(particle_radius, "particle_radius_um");
    NEED(c_max, "max_concentration_mol_per_m3");
    if (ssbi_fn_set(ocv))
        SSB_CHECK(ctx, sto_from_voltages(ctx, e, s, ocv, positive));
    NEED(sto_init, "initial_stoichiometry (or initial_voltage_V)");
    if (!ssbi_fn_set(ds))
        NEED(D_s, "diffusivity_m2_per_s");
    else
        /* a state-dependent D_s(x) must be positive on [0, 1] (a negative or NaN D gave a diffusion loss of 1e50 mV) */
        for (int k = 0; k <= 100; k++) {
            double d = ssbi_fn_eval(ds, k / 100.0, NULL);
            if (!(d > 0) || !isfinite(d))
                return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s.diffusivity_m2_per_s(x) = %g m2/s at x = %g (must be > 0 on [0, 1])",
                                 s, d, k / 100.0);
        }
    NEED(kinetic_constant, "exchange_current_density_A_per_m2");
    if (!ssbi_fn_set(ocv))
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "missing parameter %s.ocv (or %s.active_material with an OCV curve)", s,
                         s);
    /* volume fractions: electrolyte or inert (not both) may be left as the remainder */
    double known = e->eps_active + e->eps_active_dead + e->porosity;
    if (isnan(e->eps_electrolyte) && isnan(e->eps_inert))
        e->eps_inert = 0;
    if (isnan(e->eps_electrolyte))
        e->eps_electrolyte = 1.0 - known - e->eps_inert;
    else if (isnan(e->eps_inert))
        e->eps_inert = 1.0 - known - e->eps_electrolyte;
    double sum = known + e->eps_electrolyte + e->eps_inert;
    if (e->eps_electrolyte <= 0 || e->eps_inert < -1e-9 || fabs(sum - 1.0) > 1e-6)
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "%s: volume fractions active %g + inactive %g + electrolyte %g + carbon %g + porosity %g = "
                         "%g (must be 1, each in [0, 1), electrolyte > 0)",
                         s, e->eps_active, e->eps_active_dead, e->eps_electrolyte, e->eps_inert, e->porosity, sum);
    if (e->eps_inert < 0)
        e->eps_inert = 0;
    const ssbi_fn *sige = &p->fn[positive ? SSB_CELL_FN_SIGE_POS : SSB_CELL_FN_SIGE_NEG];
    if (ssbi_fn_set(sige)) {
        /* state-dependent bulk sigma_e(theta): must be positive on [0, 1]; the reported effective value is the
         * one at the initial state */
        for (int k = 0; k <= 100; k++) {
            double sg = ssbi_fn_eval(sige, k / 100.0, NULL);
            if (!(sg > 0) || !isfinite(sg))
                return SSB_ERROR(ctx, SSB_ERR_RANGE,
                                 "%s.electronic_conductivity_S_per_m(x) = %g S/m at x = %g (must be > 0 on [0, 1])", s,
                                 sg, k / 100.0);
        }
        double fac = !isnan(e->sigma_e_eff) && !isnan(e->sigma_e)
                         ? e->sigma_e_eff / e->sigma_e
                         : pow(e->eps_active + e->eps_active_dead + e->eps_inert, e->brugg_e);
        e->sigma_e_eff = fac * ssbi_fn_eval(sige, e->sto_init, NULL);
    }
    if (isnan(e->sigma_e_eff)) {
        NEED(sigma_e, "electronic_conductivity_S_per_m (or effective_electronic_conductivity_S_per_m)");
        e->sigma_e_eff = e->sigma_e * pow(e->eps_active + e->eps_active_dead + e->eps_inert, e->brugg_e);
    }
    if (isnan(e->transport_eff))
        e->transport_eff = pow(e->eps_electrolyte, e->brugg_i);
    if (!liquid && isnan(e->sigma_i_eff)) {
        snprintf(k, sizeof k, "%s.ionic_conductivity_S_per_m (or effective_ionic_conductivity_S_per_m)", s);
        SSB_CHECK(ctx, need_sigma(ctx, p, positive ? SSB_CELL_REGION_POS : SSB_CELL_REGION_NEG, e->sigma_i, k));
        e->sigma_i_eff = e->sigma_i * e->transport_eff;
    }
    if (isnan(e->area_per_volume))
        e->area_per_volume = 3.0 * e->eps_active / e->particle_radius * e->utilisation;
    if (isnan(e->sto_discharged)) {
        double lim = positive ? ocv->x_max : ocv->x_min;
        e->sto_discharged = isfinite(lim) ? lim : (positive ? 1.0 : 0.0);
    }
    if (positive ? e->sto_discharged <= e->sto_init : e->sto_discharged >= e->sto_init)
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "%s.discharged_stoichiometry = %g must be %s than initial_stoichiometry = %g", s,
                         e->sto_discharged, positive ? "larger" : "smaller", e->sto_init);
    (void)T;
    (void)Tref;
    (void)c_ref;
#undef NEED
    return SSB_OK;
}

static double i0_ref_of(const ssb_cell_electrode *e, double c_ref, double T, double Tref)
{
    double k = e->kinetic_constant, i0;
    switch (e->kinetics_kind) {
    case SSB_CELL_KIN_BPX_K:
        i0 = F_ * k * 0.5;
        break;
    case SSB_CELL_KIN_DUALFOIL:
        i0 = F_ * k * sqrt(c_ref) * 0.5 * e->c_max;
        break;
    case SSB_CELL_KIN_PYBAMM:
        i0 = k * sqrt(c_ref) * 0.5 * e->c_max;
        break;
    default:
        i0 = k;
        break;
    }
    return i0 * ssbi_arrh(e->Ea_kinetics, T, Tref);
}

static double electrode_mass(const ssb_cell_electrode *e)
{
    double m = (e->eps_active + e->eps_active_dead) * e->rho_active + e->eps_electrolyte * e->rho_electrolyte;
    if (e->eps_inert > 0)
        m += e->eps_inert * e->rho_inert;
    return m * e->thickness;
}

double ssb_cell_sigma_factor(const ssb_cell_values *v, ssb_cell_region region)
{
    if (v->el.kind == SSB_CELL_LIQUID)
        return 1.0;
    double Ts = v->sep.sigma_T, Ea = v->sep.sigma_Ea_eV;
    if (region != SSB_CELL_REGION_SEP) {
        const ssb_cell_electrode *e = region == SSB_CELL_REGION_POS ? &v->pos : &v->neg;
        Ts = e->sigma_T;
        Ea = e->sigma_Ea_eV;
    }
    double T = v->cell.T;
    if (isfinite(Ts) && Ts > 0)
        return T == Ts ? 1.0 : (Ts / T) * exp(-Ea / SSB_CONST_BOLTZMANN_EV * (1.0 / T - 1.0 / Ts));
    return ssbi_arrh(v->el.Ea_kappa, T, v->cell.T_ref);
}

int ssbi_params_resolve(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_values *out, ssb_cell_derived *d)
{
    ssb_cell_values v = p->v;
    SSB_CHECK(ctx, ssbi_params_check_ranges(ctx, &v));
    int liquid = v.el.kind == SSB_CELL_LIQUID;
    double T = v.cell.T, Tr = v.cell.T_ref;
    memset(d, 0, sizeof *d);
    SSB_CHECK(ctx, resolve_electrode(ctx, p, &v.pos, "positive", &p->fn[SSB_CELL_FN_OCV_POS],
                                     &p->fn[SSB_CELL_FN_DS_POS], liquid, T, Tr, v.el.c_ref, 1));
    if (v.anode == SSB_CELL_ANODE_COMPOSITE)
        SSB_CHECK(ctx, resolve_electrode(ctx, p, &v.neg, "negative", &p->fn[SSB_CELL_FN_OCV_NEG],
                                         &p->fn[SSB_CELL_FN_DS_NEG], liquid, T, Tr, v.el.c_ref, 0));
    else
        SSB_CHECK(ctx, need(ctx, v.li.i0, "negative.exchange_current_density_A_per_m2"));
    SSB_CHECK(ctx, need(ctx, v.sep.thickness, "separator.thickness_um"));
    if (isnan(v.sep.transport_eff))
        v.sep.transport_eff = pow(v.sep.eps_electrolyte, v.sep.brugg);
    if (!liquid && isnan(v.sep.sigma_i_eff)) {
        SSB_CHECK(ctx, need_sigma(ctx, p, SSB_CELL_REGION_SEP, v.sep.sigma_i,
                                  "separator.ionic_conductivity_S_per_m (or "
                                  "separator.effective_ionic_conductivity_S_per_m)"));
        v.sep.sigma_i_eff = v.sep.sigma_i * v.sep.transport_eff;
    }
    if (liquid) {
        if (!ssbi_fn_set(&p->fn[SSB_CELL_FN_TPLUS]))
            SSB_CHECK(ctx, need(ctx, v.el.t_plus, "electrolyte.transference_number"));
        if (!ssbi_fn_set(&p->fn[SSB_CELL_FN_KAPPA]))
            SSB_CHECK(ctx, need(ctx, v.el.kappa, "electrolyte.conductivity_S_per_m"));
        if (!ssbi_fn_set(&p->fn[SSB_CELL_FN_DIFF]))
            SSB_CHECK(ctx, need(ctx, v.el.D_e, "electrolyte.diffusivity_m2_per_s"));
    }
    /* derived */
    const ssb_cell_electrode *P = &v.pos;
    d->capacity_pos = F_ * P->c_max * P->eps_active * P->thickness;
    if (v.anode == SSB_CELL_ANODE_COMPOSITE)
        d->capacity_neg = F_ * v.neg.c_max * v.neg.eps_active * v.neg.thickness;
    else
        d->capacity_neg = v.li.thickness * v.li.density / 6.941e-3 * F_; /* molar mass of Li 6.941 g/mol */
    if (isnan(v.cell.nominal_capacity))
        v.cell.nominal_capacity = d->capacity_pos * (P->sto_discharged - P->sto_init);
    d->nominal_capacity = v.cell.nominal_capacity;
    d->sigma_e_eff_pos = P->sigma_e_eff;
    /* the conductivities the model uses: at the cell temperature, each region by its own electrolyte's law
       (ssb_cell_sigma_factor; one law for all regions scaled an LGPS separator with the Li6PS5Cl catholyte's) */
    double fpos = 1, fneg = 1, fsep = 1;
    SSB_CHECK(ctx, region_sigma_factor(ctx, p, &v, SSB_CELL_REGION_POS, &fpos));
    SSB_CHECK(ctx, region_sigma_factor(ctx, p, &v, SSB_CELL_REGION_SEP, &fsep));
    if (v.anode == SSB_CELL_ANODE_COMPOSITE)
        SSB_CHECK(ctx, region_sigma_factor(ctx, p, &v, SSB_CELL_REGION_NEG, &fneg));
    d->sigma_i_eff_pos = liquid ? NAN : P->sigma_i_eff * fpos;
    d->a_pos = P->area_per_volume;
    d->i0_ref_pos = i0_ref_of(P, v.el.c_ref, T, Tr);
    if (v.anode == SSB_CELL_ANODE_COMPOSITE) {
        d->sigma_e_eff_neg = v.neg.sigma_e_eff;
        d->sigma_i_eff_neg = liquid ? NAN : v.neg.sigma_i_eff * fneg;
        d->a_neg = v.neg.area_per_volume;
        d->i0_ref_neg = i0_ref_of(&v.neg, v.el.c_ref, T, Tr);
        d->i0_li = NAN;
    } else {
        d->sigma_e_eff_neg = d->sigma_i_eff_neg = d->a_neg = d->i0_ref_neg = NAN;
        d->i0_li = v.li.i0 * v.li.contact_fraction * ssbi_arrh(v.li.Ea_kinetics, T, Tr);
    }
    d->sigma_sep_eff = liquid ? NAN : v.sep.sigma_i_eff * fsep;
    double Up = ssbi_fn_eval(&p->fn[SSB_CELL_FN_OCV_POS], P->sto_init, NULL);
    double Un =
        v.anode == SSB_CELL_ANODE_COMPOSITE ? ssbi_fn_eval(&p->fn[SSB_CELL_FN_OCV_NEG], v.neg.sto_init, NULL) : 0.0;
    d->ocv_init = Up - Un;
    /* stack mass and thickness per electrode area */
    double rho_el_sep = isnan(v.sep.rho_electrolyte) ? v.el.density : v.sep.rho_electrolyte;
    d->mass_cc = v.cell.cc_pos_thickness * v.cell.cc_pos_density + v.cell.cc_neg_thickness * v.cell.cc_neg_density;
    ssb_cell_electrode pe = v.pos;
    if (liquid && isnan(pe.rho_electrolyte))
        pe.rho_electrolyte = v.el.density;
    d->mass_pos = electrode_mass(&pe);
    d->mass_am_pos = (pe.eps_active + pe.eps_active_dead) * pe.rho_active * pe.thickness;
    d->mass_sep = v.sep.thickness * (v.sep.eps_electrolyte * rho_el_sep +
                                     (v.sep.eps_electrolyte < 1 ? (1 - v.sep.eps_electrolyte) * v.sep.rho_matrix : 0));
    if (v.anode == SSB_CELL_ANODE_COMPOSITE) {
        ssb_cell_electrode ne = v.neg;
        if (liquid && isnan(ne.rho_electrolyte))
            ne.rho_electrolyte = v.el.density;
        d->mass_neg = electrode_mass(&ne);
    } else
        d->mass_neg = v.li.thickness * v.li.density;
    d->mass = d->mass_cc + d->mass_pos + d->mass_sep + d->mass_neg;
    d->volume = v.cell.cc_pos_thickness + v.cell.cc_neg_thickness + v.pos.thickness + v.sep.thickness +
                (v.anode == SSB_CELL_ANODE_COMPOSITE ? v.neg.thickness : v.li.thickness);
    if (out)
        *out = v;
    return SSB_OK;
}

int ssb_cell_params_derive(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_derived *d)
{
    SSB_REQUIRE(ctx, p && d, SSB_ERR_ARG, "ssb_cell_params_derive: NULL argument");
    return ssbi_params_resolve(ctx, p, NULL, d);
}

/* ---------------------------------------------------------------- the built-in default cell */

/* The built-in default cell as cell JSON: the one definition ssb_cell_params_default reads (see there for sources). */
const char *ssb_cell_params_default_json(void)
{
    static const char *const json =
        "{\"temperature_K\": 298.15,"
        " \"electrolyte\": {\"type\": \"single_ion\", \"material\": \"Li6PS5Cl\"},"
        " \"positive\": {\"active_material\": \"NCM811\", \"ocv_curve\": \"Chen2020-fit\", \"electrolyte\": "
        "\"Li6PS5Cl\", \"carbon\": \"carbon black\","
        "   \"thickness_um\": 60, \"active_volume_fraction\": 0.60, \"carbon_volume_fraction\": 0.03,"
        "   \"porosity\": 0.05, \"particle_radius_um\": 2.5,"
        "   \"initial_voltage_V\": 4.3, \"discharged_voltage_V\": 3.5,"
        "   \"exchange_current_prefactor_A_m2.5_per_mol1.5\": 3.42e-6, \"bruggeman_ionic\": 1.5,"
        "   \"bruggeman_electronic\": 1.5},"
        " \"separator\": {\"electrolyte\": \"Li6PS5Cl\", \"thickness_um\": 30},"
        " \"negative\": {\"type\": \"lithium_metal\", \"thickness_um\": 20, "
        "   \"exchange_current_density_mA_per_cm2\": 25.7},"
        " \"current_collectors\": {\"positive_thickness_um\": 12, \"negative_thickness_um\": 8}}";
    return json;
}

int ssb_cell_params_default(ssb_ctx *ctx, const ssb_materials *db, ssb_cell_params **out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_cell_params_default: out is NULL");
    *out = NULL;
    /* NCM811 | Li6PS5Cl | carbon composite cathode (volume fractions and particle size of the ssbnet run default
     * microstructure), Li6PS5Cl separator, Li metal. Numbers and sources:
     *  - NCM811: c_max 48830 mol/m3 from the database (crystallographic: one exchangeable Li per formula unit of
     *    LiNi0.8Mn0.1Co0.1O2, c_max = rho / M = 4750 kg/m3 / 97.28 g/mol; 275.5 mAh/g), OCV "Chen2020-fit" (Chen et
     *    al., JES 167, 080534 (2020)) converted by the database from Chen2020's fitted basis c = 63104 theta to
     *    x = c / 48830 (the fit's range 0.25..0.99 becomes 0.323..1, clipped at full lithiation, issue 14).
     *    Initial state: OCV = 4.3 V (the usual upper charge voltage of NCM811 half cells; x = 0.330);
     *    nominal window to 3.5 V, which the converted curve does not reach before x = 1 (U(1) = 3.67 V), so the
     *    nominal capacity is (1 - 0.330) x 275.5 = 185 mAh/g of NCM811.
     *    D_s 4e-15 m2/s (DB D_Li, Chen2020), sigma_e 0.8473 S/m (DB, O'Regan 2022), density 4750 kg/m3 (DB),
     *    i0 at theta = 0.5: m_ref sqrt(1000) c_max / 2 with Chen2020's m_ref = 3.42e-6 A/m2 (m3/mol)^1.5 (a liquid
     *    electrolyte value; no SE-specific value exists in the reference).
     *  - Li6PS5Cl: sigma_ion 1.95e-3 S/cm at 25 C and density 1.86 g/cm3 from the DB; Bruggeman 1.5 in the composite.
     *  - carbon black density 1950 kg/m3 (DB).
     *  - Li metal: i0 = RT/(F R_ct) with R_ct = 1 ohm cm2 (properties.md 3.4: Li|LLZO intrinsic <= 1 ohm cm2;
     *    8: R_ct = 1 ohm cm2 <-> 25.7 mA/cm2), 20 um foil, density 534 kg/m3.
     *  - current collectors: 12 um Al (2700 kg/m3) and 8 um Cu (8960 kg/m3) (assumption: common foil gauges). */
    ssb_materials *own = NULL;
    int rc = SSB_OK;
    if (!db) {
        SSB_CHECK(ctx, ssb_materials_create(ctx, &own));
        rc = ssb_materials_load_builtin(ctx, own);
        if (rc != SSB_OK) {
            ssb_materials_destroy(&own);
            return rc;
        }
        db = own;
    }
    rc = ssb_cell_params_from_json_string(ctx, db, ssb_cell_params_default_json(), "built-in default cell", out);
    ssb_materials_destroy(&own);
    return rc;
}
