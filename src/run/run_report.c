/* run: descriptions of the chain's result types for the report layer (ssb_report.h). One description per type:
 * every command that shows a transport result, a rate point or the hand-over uses these keys and headers. */
#include "run_impl.h"

#include <stddef.h>

static const char *axis_name(int a)
{
    return ssb_axis_name((ssb_axis)a);
}

static const char *loss_name(int k)
{
    return ssb_cell_loss_name((ssb_cell_loss)k);
}

static const char *loss_label(int k)
{
    return ssb_cell_loss_label((ssb_cell_loss)k);
}

#define TR(m) offsetof(ssb_transport_result, m)
static const ssb_report_field transport_fields[] = {
    {"axis", "axis", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_ENUM, TR(axis), NULL, axis_name, NULL},
    {"percolates", "percolates", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_BOOL, TR(percolates), NULL, NULL, NULL},
    {"eps", "eps", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(eps), NULL, NULL, NULL},
    {"eps_percolating", "eps_percolating", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(eps_percolating), NULL,
     NULL, NULL},
    {"sigma_bulk", "sigma_bulk", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE, TR(sigma_bulk), NULL, NULL,
     NULL},
    {"sigma_eff", "sigma_eff", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE, TR(sigma_eff), NULL, NULL, NULL},
    {"sigma_rel", "sigma_rel", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(sigma_rel), NULL, NULL, NULL},
    {"tau", "tau", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(tau), NULL, NULL, NULL},
    {"tau_percolating", "tau_percolating", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(tau_percolating), NULL,
     NULL, NULL},
    {"macmullin", "N_M", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(macmullin), NULL, NULL, NULL},
    {"converged", "converged", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_BOOL, TR(converged), NULL, NULL, NULL},
    {"iterations", "iterations", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_INT64, TR(iterations), NULL, NULL, NULL},
    {"rel_residual", "rel. residual", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(rel_residual), "%.3g", NULL,
     NULL},
    {"flux_mismatch", "flux mismatch", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(flux_mismatch), "%.3g", NULL,
     NULL},
    {"current_in", "I_in", SSB_UNIT_A, SSB_UNIT_A, SSB_FIELD_DOUBLE, TR(current_in), NULL, NULL, NULL},
    {"current_out", "I_out", SSB_UNIT_A, SSB_UNIT_A, SSB_FIELD_DOUBLE, TR(current_out), NULL, NULL, NULL},
    {"unknowns", "unknowns", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_INT64, TR(n_unknowns), NULL, NULL, NULL},
    {"reason", "reason", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_STRING, TR(reason), NULL, NULL, NULL},
    {"backend", "backend", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_STRING, TR(backend), NULL, NULL, NULL},
    {"time", "time", SSB_UNIT_S, SSB_UNIT_S, SSB_FIELD_DOUBLE, TR(time_s), "%.3g", NULL, NULL},
    {"solver_bytes", "solver bytes", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_INT64, TR(peak_bytes), NULL, NULL, NULL},
    {"tau_rel_error_est", "tau rel. error est.", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, TR(tau_rel_error_est),
     "%.3g", NULL, NULL},
};
#undef TR

#define RP(m) offsetof(ssb_cell_rate_point, m)
static const ssb_report_field rate_fields[] = {
    {"c_rate", "C-rate", SSB_UNIT_PER_H, SSB_UNIT_PER_H, SSB_FIELD_DOUBLE, RP(crate), "%g", NULL, NULL},
    {"current", "I", SSB_UNIT_A_PER_M2, SSB_UNIT_MA_PER_CM2, SSB_FIELD_DOUBLE, RP(current), "%.4g", NULL, NULL},
    {"capacity", "capacity", SSB_UNIT_C_PER_M2, SSB_UNIT_MAH_PER_CM2, SSB_FIELD_DOUBLE, RP(capacity), "%.4f", NULL,
     NULL},
    {"specific_capacity", "capacity", SSB_UNIT_C_PER_KG, SSB_UNIT_MAH_PER_G, SSB_FIELD_DOUBLE, RP(specific_capacity),
     "%.1f", NULL, NULL},
    {"energy", "energy", SSB_UNIT_J_PER_M2, SSB_UNIT_MWH_PER_CM2, SSB_FIELD_DOUBLE, RP(energy), "%.4f", NULL, NULL},
    {"mean_voltage", "mean V", SSB_UNIT_V, SSB_UNIT_V, SSB_FIELD_DOUBLE, RP(v_mean), "%.4f", NULL, NULL},
    {"energy_density", "stack", SSB_UNIT_WH_PER_KG, SSB_UNIT_WH_PER_KG, SSB_FIELD_DOUBLE, RP(wh_per_kg), "%.1f", NULL,
     NULL},
    {"energy_density", "stack", SSB_UNIT_WH_PER_L, SSB_UNIT_WH_PER_L, SSB_FIELD_DOUBLE, RP(wh_per_l), "%.1f", NULL,
     NULL},
    {"bottleneck", "bottleneck", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_ENUM, RP(bottleneck), NULL, loss_name,
     loss_label},
    {"sustained", "sustained", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_BOOL, RP(sustained), NULL, NULL, NULL},
};
#undef RP

#define HO(m) offsetof(ssb_run_result, m)
static const ssb_report_field handover_fields[] = {
    {"temperature", "temperature", SSB_UNIT_K, SSB_UNIT_K, SSB_FIELD_DOUBLE, HO(temperature), "%.2f", NULL, NULL},
    {"temperature_factor", "temperature factor", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, HO(temperature_factor),
     NULL, NULL, NULL},
    {"transport_sigma_i_eff", "ionic sigma_eff, transport", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE,
     HO(ion.sigma_eff), NULL, NULL, NULL},
    {"cell_sigma_i_eff", "ionic sigma_eff, cell model", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE,
     HO(derived.sigma_i_eff_pos), NULL, NULL, NULL},
    {"transport_efficiency", "transport efficiency eps / tau, transport", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     HO(transport_efficiency), "%.5g", NULL, NULL},
    {"cell_transport_efficiency", "transport efficiency eps / tau, cell model", SSB_UNIT_NONE, SSB_UNIT_NONE,
     SSB_FIELD_DOUBLE, HO(values.pos.transport_eff), "%.5g", NULL, NULL},
    {"transport_sigma_e_eff", "electronic sigma_eff, transport", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE,
     HO(el.sigma_eff), NULL, NULL, NULL},
    {"cell_sigma_e_eff", "electronic sigma_eff, cell model", SSB_UNIT_S_PER_M, SSB_UNIT_S_PER_M, SSB_FIELD_DOUBLE,
     HO(derived.sigma_e_eff_pos), NULL, NULL, NULL},
    {"cam_fraction", "CAM volume fraction", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     HO(fractions.role_fraction[SSB_ROLE_ACTIVE]), "%.4f", NULL, NULL},
    {"active_fraction", "active CAM fraction", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, HO(cam.active_fraction),
     "%.4f", NULL, NULL},
    {"cell_eps_active", "eps_active, cell model", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     HO(values.pos.eps_active), "%.4f", NULL, NULL},
    /* the key of the CAM description's same quantity (one key per quantity in every command) */
    {"active_cam_se_area_per_volume_face", "active CAM|SE area, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M,
     SSB_FIELD_DOUBLE, HO(area_face), "%.5g", NULL, NULL},
    {"area_factor", "area factor (smooth / face count)", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     HO(area_factor), "%.4f", NULL, NULL},
    {"area_factor_sphere", "area factor of a voxelised sphere", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     HO(area_factor_sphere), "%.4f", NULL, NULL},
    {"cell_active_area", "active area, cell model", SSB_UNIT_PER_M, SSB_UNIT_PER_M, SSB_FIELD_DOUBLE,
     HO(derived.a_pos), "%.5g", NULL, NULL},
    {"insertion_length_factor", "insertion-path factor (rms from SE / from surface)", SSB_UNIT_NONE, SSB_UNIT_NONE,
     SSB_FIELD_DOUBLE, HO(paths.length_factor), "%.4f", NULL, NULL},
    {"insertion_rms_from_se", "rms insertion path from SE", SSB_UNIT_M, SSB_UNIT_UM, SSB_FIELD_DOUBLE,
     HO(paths.rms_from_se), "%.4g", NULL, NULL},
    {"insertion_rms_from_surface", "rms insertion path from the surface", SSB_UNIT_M, SSB_UNIT_UM, SSB_FIELD_DOUBLE,
     HO(paths.rms_from_surface), "%.4g", NULL, NULL},
    {"cell_particle_radius", "particle radius (diffusion), cell model", SSB_UNIT_M, SSB_UNIT_UM, SSB_FIELD_DOUBLE,
     HO(values.pos.particle_radius), "%.4g", NULL, NULL},
};
#undef HO

#define CM(m) offsetof(ssb_micro_cam_result, m)
static const ssb_report_field cam_fields[] = {
    {"cam_fraction", "CAM volume fraction", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, CM(cam_fraction), "%.4f",
     NULL, NULL},
    {"particles", "CAM particles", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_INT64, CM(n_particles), NULL, NULL, NULL},
    {"particles_active", "active CAM particles", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_INT64, CM(n_particles_active),
     NULL, NULL, NULL},
    {"active_fraction", "active CAM fraction", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, CM(active_fraction),
     "%.4f", NULL, NULL},
    {"dead_no_e_fraction", "dead CAM, no e- path", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     CM(dead_no_e_fraction), "%.4f", NULL, NULL},
    {"dead_no_li_fraction", "dead CAM, no Li+ path", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     CM(dead_no_li_fraction), "%.4f", NULL, NULL},
    {"dead_neither_fraction", "dead CAM, neither", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE,
     CM(dead_neither_fraction), "%.4f", NULL, NULL},
    {"active_cam_se_area_per_volume_face", "active CAM|SE area, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M,
     SSB_FIELD_DOUBLE, CM(active_cam_se.per_volume), "%.5g", NULL, NULL},
    {"active_cam_se_area_per_volume_mc", "active CAM|SE area, mc-corrected", SSB_UNIT_PER_M, SSB_UNIT_PER_M,
     SSB_FIELD_DOUBLE, CM(active_cam_se_mc.per_volume), "%.5g", NULL, NULL},
    {"cam_se_area_per_volume_face", "CAM|SE area, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M, SSB_FIELD_DOUBLE,
     CM(cam_se.per_volume), "%.5g", NULL, NULL},
    {"cam_se_area_per_volume_mc", "CAM|SE area, marching cubes", SSB_UNIT_PER_M, SSB_UNIT_PER_M, SSB_FIELD_DOUBLE,
     CM(cam_se_mc.per_volume), "%.5g", NULL, NULL},
    {"mc_face_ratio", "marching cubes / face count", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, CM(mc_face_ratio),
     "%.4f", NULL, NULL},
    {"cam_carbon_area_per_volume_face", "CAM|carbon area, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M, SSB_FIELD_DOUBLE,
     CM(cam_carbon.per_volume), "%.5g", NULL, NULL},
    {"electronic_percolates", "electronic network percolates", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_BOOL,
     CM(electronic_percolates), NULL, NULL, NULL},
    {"ionic_percolates", "ionic network percolates", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_BOOL, CM(ionic_percolates),
     NULL, NULL, NULL},
    {"electronic_percolating_fraction", "electronic network, percolating fraction", SSB_UNIT_NONE, SSB_UNIT_NONE,
     SSB_FIELD_DOUBLE, CM(electronic_percolating_fraction), "%.3f", NULL, NULL},
    {"ionic_percolating_fraction", "ionic network, percolating fraction", SSB_UNIT_NONE, SSB_UNIT_NONE,
     SSB_FIELD_DOUBLE, CM(ionic_percolating_fraction), "%.3f", NULL, NULL},
    {"cam_surface_area_per_volume_face", "CAM free surface, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M,
     SSB_FIELD_DOUBLE, CM(cam_surface.per_volume), "%.5g", NULL, NULL},
    {"active_cam_surface_area_per_volume_face", "active CAM free surface, face count", SSB_UNIT_PER_M, SSB_UNIT_PER_M,
     SSB_FIELD_DOUBLE, CM(active_cam_surface.per_volume), "%.5g", NULL, NULL},
    {"se_coverage", "CAM surface covered by SE", SSB_UNIT_NONE, SSB_UNIT_NONE, SSB_FIELD_DOUBLE, CM(se_coverage),
     "%.4f", NULL, NULL},
    {"active_se_coverage", "active CAM surface covered by Li-connected SE", SSB_UNIT_NONE, SSB_UNIT_NONE,
     SSB_FIELD_DOUBLE, CM(active_se_coverage), "%.4f", NULL, NULL},
};
#undef CM

#define NF(a) ((int)(sizeof a / sizeof a[0]))
static const ssb_report_type types[SSB_RUN_REPORT_COUNT] = {
    [SSB_RUN_REPORT_TRANSPORT] = {"transport", NF(transport_fields), transport_fields},
    [SSB_RUN_REPORT_RATE_POINT] = {"rate_point", NF(rate_fields), rate_fields},
    [SSB_RUN_REPORT_HANDOVER] = {"handover", NF(handover_fields), handover_fields},
    [SSB_RUN_REPORT_CAM] = {"active_material", NF(cam_fields), cam_fields},
};

const ssb_report_type *ssb_run_report_type(ssb_run_report_kind k)
{
    return (int)k >= 0 && k < SSB_RUN_REPORT_COUNT ? &types[k] : NULL;
}
