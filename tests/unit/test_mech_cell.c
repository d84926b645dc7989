/* mech in cycling (ssb_iface_cycle_run with contact mechanics): with the mechanisms off the capacity does not fade
 * from them and equals the run without mechanics; higher stack pressure, less fade from Li|SE and CAM|SE contact
 * loss; the contact fraction the cell uses is the mech model's (re-integrated here from the cycle's current);
 * cracking isolates crack_dead_fraction_per_cycle of the CAM per cycle once the strain exceeds the limit; bad
 * input named. */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MPA 1e6

static ssb_ctx *ctx;
static ssb_materials *mdb;
static ssb_mech_db *mechdb;
static ssb_iface_db *idb;

static int setup(void **state)
{
    (void)state;
    return tu_db_open(&ctx, &mdb, &mechdb, &idb);
}

static int teardown(void **state)
{
    (void)state;
    tu_db_close(&ctx, &mdb, &mechdb, &idb);
    return 0;
}

/* Cycle the default cell (Li | Li6PS5Cl | NCM811) with only the contact mechanics ageing (interphases off, so the
 * fade is the mechanics' alone). pressure NaN: no mechanics. */
static void run(const ssb_cell_params *p, double pressure, int li, int cam, int crack, int cycles, ssb_iface_ageing *ag,
                ssb_iface_cycle_result *r)
{
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, ag));
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        ag->site[k].enabled = 0;
    if (!isnan(pressure))
        TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, mechdb, p, pressure, li, cam, crack, 0, ag));
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = cycles;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, ag, &cp, r));
}

static void test_off_and_pressure(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    ssb_iface_cycle_result r0, roff, r3, r10;
    run(p, NAN, 0, 0, 0, 4, &ag, &r0);
    run(p, 3 * MPA, 0, 0, 0, 4, &ag, &roff); /* pressure set, every mechanism switched off */
    for (int c = 0; c < 4; c++) {
        assert_true(r0.capacity[c] == roff.capacity[c]);
        assert_true(roff.li_contact[c] == 1.0 && roff.cam_active[c] == 1.0 && roff.cam_intact[c] == 1.0);
    }
    TU_ASSERT_REL(r0.capacity[3], r0.capacity[0], 1e-6); /* no ageing at all: no fade */
    assert_true(roff.fade[SSB_IFACE_MECH_LI_CONTACT] == 0 && roff.fade[SSB_IFACE_MECH_CAM_CONTACT] == 0 &&
                roff.fade[SSB_IFACE_MECH_CRACKING] == 0);
    run(p, 3 * MPA, -1, -1, -1, 4, &ag, &r3);
    assert_true(ag.mech.li_contact && ag.mech.cam_contact && ag.mech.cracking);
    run(p, 10 * MPA, -1, -1, -1, 4, &ag, &r10);
    print_message("fade 3 MPa: Li contact %.4g, CAM contact %.4g; 10 MPa: %.4g, %.4g mAh/cm2\n",
                  r3.fade[SSB_IFACE_MECH_LI_CONTACT] / 36000, r3.fade[SSB_IFACE_MECH_CAM_CONTACT] / 36000,
                  r10.fade[SSB_IFACE_MECH_LI_CONTACT] / 36000, r10.fade[SSB_IFACE_MECH_CAM_CONTACT] / 36000);
    assert_true(r3.fade[SSB_IFACE_MECH_LI_CONTACT] > 0 && r3.fade[SSB_IFACE_MECH_CAM_CONTACT] > 0);
    assert_true(r10.fade[SSB_IFACE_MECH_LI_CONTACT] < r3.fade[SSB_IFACE_MECH_LI_CONTACT]);
    assert_true(r10.fade[SSB_IFACE_MECH_CAM_CONTACT] < r3.fade[SSB_IFACE_MECH_CAM_CONTACT]);
    assert_true(r10.fade_total < r3.fade_total);
    double sum = 0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sum += r3.fade[m];
    TU_ASSERT_REL(sum, r3.fade_total, 1e-12);
    /* the CAM in contact compounds the per-cycle loss of ssb_mech_contact_cycle */
    for (int c = 1; c < 4; c++)
        TU_ASSERT_REL(r3.cam_active[c], r3.cam_active[c - 1] * (1 - ag.mech.contact.debond * (1 - r3.cam_kept[c - 1])),
                      1e-12);

    /* The Li contact fraction the cell used in cycle 2 is the mean over cycle 1's stripping of the mech model:
     * re-integrate it at the constant 1C discharge current over the discharge time. */
    const ssb_mech_anode *li;
    TU_OK(ctx, ssb_mech_db_anode(ctx, mechdb, mdb, "Li", &li));
    ssb_cell_derived d;
    TU_OK(ctx, ssb_cell_params_derive(ctx, p, &d));
    double j = d.nominal_capacity / 3600.0, tdis = r3.capacity[0] / j, phi = 1, sum_phi = 0;
    int nstep = 2000;
    for (int i = 0; i < nstep; i++) {
        double next;
        TU_OK(ctx, ssb_mech_li_advance(ctx, li, 3 * MPA, 298.15, j, phi, tdis / nstep, &next));
        sum_phi += 0.5 * (phi + next) / nstep;
        phi = next;
    }
    print_message("Li contact in cycle 2: cell %.5f, mech %.5f\n", r3.li_contact[1], sum_phi);
    TU_ASSERT_REL(r3.li_contact[1], sum_phi, 0.01);
    assert_true(r10.li_contact[1] == 1.0); /* 10 MPa: CCS far above 1C */
    ssb_iface_cycle_result_destroy(&r0);
    ssb_iface_cycle_result_destroy(&roff);
    ssb_iface_cycle_result_destroy(&r3);
    ssb_iface_cycle_result_destroy(&r10);
    ssb_cell_params_destroy(&p);
}

/* Larger particles: the diffusion-induced strain pushes the NCM811 particles over the fracture strain; each cycle
 * then isolates crack_dead_fraction_per_cycle of the still-intact CAM. */
static void test_cracking(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.particle_radius_um", 8.0));
    ssb_iface_ageing ag;
    ssb_iface_cycle_result r;
    run(p, 10 * MPA, 0, 0, 1, 4, &ag, &r);
    const ssb_mech_swelling *sw;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "NCM811", &sw));
    print_message("crack strain %.4g (limit %.4g)\n", r.crack_strain[0], sw->fracture_strain);
    assert_true(r.crack_strain[0] > sw->fracture_strain);
    for (int c = 0; c < 4; c++)
        TU_ASSERT_REL(r.cam_intact[c], pow(1 - sw->crack_dead_per_cycle, c), 1e-12);
    assert_true(r.fade[SSB_IFACE_MECH_CRACKING] > 0 && r.fade[SSB_IFACE_MECH_CAM_CONTACT] == 0);
    ssb_iface_cycle_result_destroy(&r);
    ssb_cell_params_destroy(&p);
}

/* Si composite negative (NCM811 | Li6PS5Cl | Si-C-SE, N/P about 1.7): the Si shrinks by ~60 % of its lithiated
 * volume on delithiation, so its contact opens at any pressure; lithium is conserved (cyclable + trapped in the
 * isolated Si = the cycle-1 amount, interphases off); switched off, no fade from it; the stack pressure at the
 * top of charge equals ssb_mech_stack_pressure for the charged Si layer. */
static const char *si_cell =
    "{\"schema\": \"ssbnet-cell-1\", \"temperature_K\": 298.15, \"electrolyte\": {\"type\": \"single_ion\", "
    "\"material\": \"Li6PS5Cl\"}, \"positive\": {\"active_material\": \"NCM811\", \"ocv_curve\": \"Chen2020-fit\", "
    "\"electrolyte\": \"Li6PS5Cl\", \"carbon\": \"carbon black\", \"thickness_um\": 60, \"active_volume_fraction\": "
    "0.6, \"carbon_volume_fraction\": 0.03, \"porosity\": 0.05, \"particle_radius_um\": 2.5, \"initial_voltage_V\": "
    "4.3, "
    "\"discharged_voltage_V\": 3.5, \"exchange_current_prefactor_A_m2.5_per_mol1.5\": 3.42e-06}, \"separator\": "
    "{\"electrolyte\": \"Li6PS5Cl\", \"thickness_um\": 30}, \"negative\": {\"type\": \"composite\", "
    "\"active_material\": "
    "\"Si\", \"thickness_um\": 20, \"active_volume_fraction\": 0.3, \"electrolyte_volume_fraction\": 0.4, "
    "\"carbon_volume_fraction\": 0.1, \"porosity\": 0.2, \"particle_radius_um\": 1, \"initial_stoichiometry\": 0.65, "
    "\"electrolyte\": \"Li6PS5Cl\", \"exchange_current_density_A_per_m2\": 5, \"electronic_conductivity_S_per_m\": "
    "100}}";

static void test_silicon(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/si_cell.json", tu_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(si_cell, f);
    fclose(f);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json(ctx, mdb, path, &p));
    ssb_iface_ageing ag;
    ssb_iface_cycle_result r, r0;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        ag.site[k].enabled = 0;
    TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, mechdb, p, 5 * MPA, 0, 0, 0, 1, &ag));
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = 6;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, &ag, &cp, &r));
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "Si", &si));
    for (int c = 0; c < r.n; c++) {
        TU_ASSERT_REL(r.li_inventory[c] + r.li_trapped[c], r.li_inventory[0], 1e-6); /* lithium conserved */
        if (c)
            TU_ASSERT_REL(r.neg_active[c], pow(1 - si->debond, c), 1e-4); /* contact opens (kept < 1e-3) */
    }
    print_message("Si: in contact %.5f after %d cycles, Li trapped %.4g mol/m2, fade %.4g mAh/cm2 (negative %.4g), "
                  "stack pressure charged %.4g MPa\n",
                  r.neg_active[r.n - 1], r.n, r.li_trapped[r.n - 1], r.fade_total / 36000,
                  r.fade[SSB_IFACE_MECH_NEG_CONTACT] / 36000, r.stack_pressure[0] / 1e6);
    assert_true(r.fade[SSB_IFACE_MECH_NEG_CONTACT] > 0 && r.li_trapped[r.n - 1] > 0);
    /* the stack pressure of cycle 1 from the closed form: Si layer at its charged lithiation */
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);
    const ssb_mech_solid *se;
    TU_OK(ctx, ssb_mech_db_solid(ctx, mechdb, mdb, "Li6PS5Cl", &se));
    double dv;
    TU_OK(ctx, ssb_mech_swelling_at(ctx, si, v.neg.sto_init, &dv, NULL));
    ssb_mech_stack_params sp = ssb_mech_stack_params_default();
    sp.n = 3;
    const double L[3] = {20e-6, 30e-6, 60e-6};
    for (int i = 0; i < 3; i++) {
        sp.thickness[i] = L[i];
        sp.E[i] = se->E;
        sp.nu[i] = se->nu;
    }
    sp.e_v[0] = 0.3 * dv - 0.2;
    sp.p0 = 5 * MPA;
    double pst;
    TU_OK(ctx, ssb_mech_stack_pressure(ctx, &sp, 0, &pst, NULL));
    TU_ASSERT_REL(r.stack_pressure[0], pst, 1e-3); /* cycle 1 starts at the cell's initial stoichiometry */
    for (int c = 0; c < r.n; c++)
        assert_true(r.li_sei_regrowth[c] == 0); /* no interphase ageing on the negative: no regrowth */
    /* with the negative's interphase (parabolic, the Li|Li6PS5Cl constants of data/iface/interfaces.json) the host
     * surface exposed anew each cycle gets a fresh SEI: lithium still conserved, now with the interphases */
    char path2[4096];
    snprintf(path2, sizeof path2, "%s/si_cell_sei.json", tu_tmpdir());
    f = fopen(path2, "w");
    assert_non_null(f);
    fprintf(f, "%.*s, \"interfaces\": {\"negative\": {\"model\": \"parabolic\", \"rate_constant_nm2_per_h\": 31.25, "
               "\"reference_driving_force_V\": 1.71, \"interphase_ionic_conductivity_S_per_cm\": 1e-6, "
               "\"lithium_consumed_mol_per_cm3\": 0.041}}}",
            (int)strlen(si_cell) - 1, si_cell);
    fclose(f);
    ssb_cell_params *p2 = NULL;
    ssb_iface_ageing ag2;
    ssb_iface_cycle_result rs;
    TU_OK(ctx, ssb_cell_params_from_json(ctx, mdb, path2, &p2));
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p2, path2, &ag2));
    assert_true(ag2.site[SSB_IFACE_NEG].enabled);
    TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, mechdb, p2, 5 * MPA, 0, 0, 0, 1, &ag2));
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p2, &ag2, &cp, &rs));
    for (int c = 0; c < rs.n; c++)
        TU_ASSERT_REL(rs.li_inventory[c] + rs.li_trapped[c] + rs.li_sei_regrowth[c] + rs.li_interphase[c],
                      rs.li_inventory[0] + rs.li_interphase[0], 1e-6);
    print_message("Si with SEI regrowth: %.4g mol/m2 after %d cycles, fade from it %.4g mAh/cm2\n",
                  rs.li_sei_regrowth[rs.n - 1], rs.n, rs.fade[SSB_IFACE_MECH_NEG_SEI] / 36000);
    assert_true(rs.li_sei_regrowth[1] > 0 && rs.li_sei_regrowth[rs.n - 1] > rs.li_sei_regrowth[1]);
    assert_true(rs.fade[SSB_IFACE_MECH_NEG_SEI] > 0);
    ssb_iface_cycle_result_destroy(&rs);
    ssb_cell_params_destroy(&p2);
    /* switched off: no fade from it, no trapped lithium */
    TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, mechdb, p, 5 * MPA, 0, 0, 0, 0, &ag));
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, &ag, &cp, &r0));
    assert_true(r0.fade[SSB_IFACE_MECH_NEG_CONTACT] == 0 && r0.li_trapped[r0.n - 1] == 0);
    TU_ASSERT_REL(r0.capacity[r0.n - 1], r0.capacity[0], 1e-6);
    ssb_iface_cycle_result_destroy(&r);
    ssb_iface_cycle_result_destroy(&r0);
    ssb_cell_params_destroy(&p);
}

static void test_bad(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    assert_true(isnan(ag.mech.pressure));
    assert_int_equal(ssb_iface_mech_setup(ctx, mdb, mechdb, p, -1 * MPA, -1, -1, -1, -1, &ag), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "stack_pressure_MPa"));
    ssb_cell_params_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_and_pressure),
        cmocka_unit_test(test_cracking),
        cmocka_unit_test(test_silicon),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
