/* design: the metric table (names = JSON keys, values in the key's display unit). */
#include "design_impl.h"

#include <ssbnet/ssb_units.h>

#include <math.h>
#include <string.h>

typedef double (*metric_fn)(const ssb_design_metrics *m);

#define MF(fname, expr)                                                                                                \
    static double fname(const ssb_design_metrics *m)                                                                   \
    {                                                                                                                  \
        return (expr);                                                                                                 \
    }
MF(m_wh_kg, m->wh_per_kg)
MF(m_wh_l, m->wh_per_l)
MF(m_energy, ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, m->energy))
MF(m_capacity, ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, m->capacity))
MF(m_spec, ssb_unit_from_si(SSB_UNIT_MAH_PER_G, m->specific_capacity))
MF(m_vmean, m->v_mean)
MF(m_power, m->power_rate)
MF(m_bneck, m->bottleneck_loss)
MF(m_ccs, m->ccs_available ? ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccs) : NAN)
MF(m_phi, m->li_contact_fraction)
MF(m_ccd, ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccd_effective))
MF(m_power_w, m->wh_per_kg * 3600.0 / (m->capacity / m->current)) /* energy / discharge time */
MF(m_pressure, ssb_unit_from_si(SSB_UNIT_MPA, m->pressure))
MF(m_current, ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->current))
MF(m_rpos0, ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_pos_initial))
MF(m_rpos, ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_pos_aged))
MF(m_rneg, ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_neg_aged))
MF(m_ret, m->retention_aged)
MF(m_active, m->active_fraction)
MF(m_tau, m->tau_ion)
MF(m_sigi, m->sigma_i_eff)
MF(m_sige, m->sigma_e_eff)
#undef MF

static const struct {
    ssb_design_metric_info info;
    metric_fn fn;
} metrics[] = {
    {{"energy_Wh_per_kg", "stack energy at the target rate", "Wh/kg", 1}, m_wh_kg},
    {{"energy_Wh_per_L", "stack energy density at the target rate", "Wh/L", 1}, m_wh_l},
    {{"energy_mWh_per_cm2", "areal energy at the target rate", "mWh/cm2", 1}, m_energy},
    {{"capacity_mAh_per_cm2", "areal capacity at the target rate", "mAh/cm2", 1}, m_capacity},
    {{"specific_capacity_mAh_per_g", "capacity per CAM mass at the target rate", "mAh/g", 1}, m_spec},
    {{"mean_voltage_V", "mean discharge voltage at the target rate", "V", 1}, m_vmean},
    {{"power_C_rate", "highest C-rate keeping the retention of the C/10 capacity", "C", 1}, m_power},
    {{"bottleneck_loss_V", "mean overpotential of the bottleneck at the target rate", "V", -1}, m_bneck},
    {{"critical_stripping_current_mA_per_cm2", "critical stripping current of the Li anode", "mA/cm2", 1}, m_ccs},
    {{"li_contact_fraction", "Li|SE contact fraction after stripping at the target current", "-", 1}, m_phi},
    {{"effective_plating_ccd_mA_per_cm2", "plating CCD minus the SE's electronic leakage", "mA/cm2", 1}, m_ccd},
    {{"power_W_per_kg", "stack power of the target-rate discharge (energy / time)", "W/kg", 1}, m_power_w},
    {{"stack_pressure_MPa", "stack pressure", "MPa", -1}, m_pressure},
    {{"current_mA_per_cm2", "current density at the target rate", "mA/cm2", 0}, m_current},
    {{"resistance_initial_ohm_cm2", "cathode|SE resistance, fresh (per CAM|SE area)", "ohm cm2", -1}, m_rpos0},
    {{"resistance_aged_ohm_cm2", "cathode|SE resistance after ageing (per CAM|SE area)", "ohm cm2", -1}, m_rpos},
    {{"negative_resistance_aged_ohm_cm2", "anode|SE resistance after ageing", "ohm cm2", -1}, m_rneg},
    {{"capacity_retention_aged", "capacity at the target rate with the aged interfaces / fresh", "-", 1}, m_ret},
    {{"active_fraction", "active CAM fraction of the structure", "-", 1}, m_active},
    {{"ionic_tau", "ionic tortuosity factor of the composite", "-", -1}, m_tau},
    {{"sigma_i_eff_S_per_m", "effective ionic conductivity handed to the cell", "S/m", 1}, m_sigi},
    {{"sigma_e_eff_S_per_m", "effective electronic conductivity handed to the cell", "S/m", 1}, m_sige},
};
#define NMETRICS ((int)(sizeof metrics / sizeof metrics[0]))

int ssb_design_metric_count(void)
{
    return NMETRICS;
}

const ssb_design_metric_info *ssb_design_metric_at(int i)
{
    return i >= 0 && i < NMETRICS ? &metrics[i].info : NULL;
}

static const char *metric_name(int i)
{
    return metrics[i].info.name;
}

int ssb_design_metric_value(ssb_ctx *ctx, const ssb_design_metrics *m, const char *name, double *value)
{
    SSB_REQUIRE(ctx, m && name && value, SSB_ERR_ARG, "ssb_design_metric_value: NULL argument");
    for (int i = 0; i < NMETRICS; i++)
        if (strcmp(metrics[i].info.name, name) == 0) {
            *value = metrics[i].fn(m);
            return SSB_OK;
        }
    return ssbi_design_closest(ctx, "design metric", name, NMETRICS, metric_name);
}
