/* Benchmark of the volume-change update (issue 11): a 128^3 cathode image (NCM811 spheres 0.45, carbon 0.03 in a
 * Li6PS5Cl matrix, voxel 0.25 um) shrunk by 5 % CAM volume, re-analysed (active CAM, active CAM|SE area,
 * networks) and the ionic and electronic transport along z, as 'ssbnet iface volume' does it: the CAM carries no
 * ions (the database rule), so shrinkage leaves the ionic field unchanged and the original image's ionic result
 * is reused after an exact voxel-by-voxel check (ssb_mech_same_field); the electronic network (CAM + carbon)
 * changes and is solved. Target < 10 s for the update. */
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_transport.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 128;
    ssb_ctx *ctx = NULL;
    ssb_grid *g = NULL, *s = NULL;
    if (ssb_ctx_create(&ctx) || ssb_grid_create(ctx, n, n, n, 0.25e-6, 0.25e-6, 0.25e-6, &g))
        return 1;
    ssb_micro_electrode_params ep = ssb_micro_electrode_params_default();
    ep.nphases = 2;
    ep.phase[0].label = 2;
    snprintf(ep.phase[0].name, sizeof ep.phase[0].name, "NCM811");
    ep.phase[0].role = SSB_ROLE_ACTIVE;
    ep.phase[0].fraction = 0.45;
    ep.phase[0].psd.kind = SSB_MICRO_PSD_MONO;
    ep.phase[0].psd.d_mean = 5e-6;
    ep.phase[1].label = 3;
    snprintf(ep.phase[1].name, sizeof ep.phase[1].name, "carbon");
    ep.phase[1].role = SSB_ROLE_CARBON;
    ep.phase[1].fraction = 0.03;
    ep.phase[1].psd.kind = SSB_MICRO_PSD_MONO;
    ep.phase[1].psd.d_mean = 0.75e-6;
    ep.overlap = 0.1;
    ep.matrix_label = 1;
    snprintf(ep.matrix_name, sizeof ep.matrix_name, "Li6PS5Cl");
    ep.matrix_role = SSB_ROLE_SE;
    int rc = ssb_micro_generate_electrode(ctx, g, &ep, NULL);
    const uint8_t lab[3] = {1, 2, 3};
    const double sion[3] = {0.3, 0, 0}, sel[3] = {0, 10, 100};
    for (int i = 0; i < 3 && !rc; i++) {
        ssb_phase ph;
        memcpy(&ph, ssb_grid_find_phase(g, lab[i]), sizeof ph);
        ph.sigma_ion = sion[i];
        ph.sigma_el = sel[i];
        rc = ssb_grid_set_phase(ctx, g, &ph);
    }
    if (rc) {
        fprintf(stderr, "bench_mech: %s\n", ssb_ctx_get_error(ctx));
        return 1;
    }
    double t0 = now(), dv;
    ssb_micro_cam_params cp = ssb_micro_cam_params_default();
    ssb_micro_cam_result cr0, cr;
    ssb_transport_result ti0, ti, te;
    int have_ti = 0, reused = 0;
    double si0[256], si[256], se[256];
    ssb_transport_params tp = ssb_transport_params_default();
    snprintf(tp.backend, sizeof tp.backend, "%s", argc > 2 ? argv[2] : "gmg");
    /* the original image: analysis and ionic transport (what the first step of 'iface volume' has) */
    rc = ssb_micro_cam_compute(ctx, g, &cp, &cr0);
    if (!rc)
        rc = ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ION, si0);
    if (!rc)
        rc = ssb_transport_solve(ctx, g, si0, SSB_AXIS_Z, &tp, &ti0);
    double t1 = now();
    if (!rc)
        rc = ssb_mech_volume_change(ctx, g, 2, 4, -0.05, &s, &dv);
    double t2 = now();
    if (!rc)
        rc = ssb_micro_cam_compute(ctx, s, &cp, &cr);
    double t3 = now();
    if (!rc)
        rc = ssb_transport_sigma_from_phases(ctx, s, SSB_CARRIER_ION, si);
    if (!rc && ssb_mech_same_field(g, si0, s, si)) {
        ti = ti0;
        reused = 1;
    } else if (!rc) {
        rc = ssb_transport_solve(ctx, s, si, SSB_AXIS_Z, &tp, &ti);
        have_ti = !rc;
    }
    double t4 = now();
    if (!rc)
        rc = ssb_transport_sigma_from_phases(ctx, s, SSB_CARRIER_ELECTRON, se);
    if (!rc)
        rc = ssb_transport_solve(ctx, s, se, SSB_AXIS_Z, &tp, &te);
    double t5 = now();
    if (rc) {
        fprintf(stderr, "bench_mech: %s\n", ssb_ctx_get_error(ctx));
        return 1;
    }
    printf("%d^3 cathode, CAM volume change %.3f: active CAM|SE area %.4g -> %.4g 1/m, active fraction %.4f -> "
           "%.4f, SE tau %.4g (%s), electronic sigma_eff %.4g S/m (%s, %lld iterations)\n",
           n, dv, cr0.active_cam_se.per_volume, cr.active_cam_se.per_volume, cr0.active_fraction, cr.active_fraction,
           ti.tau, reused ? "ionic field unchanged: original's result reused" : "solved", te.sigma_eff, te.backend,
           (long long)te.iterations);
    printf("volume change %.2f s + re-analysis %.2f s + ionic %.2f s + electronic transport %.2f s = %.2f s "
           "(target < 10 s; original image's analysis and ionic solve %.2f s)\n",
           t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t1, t1 - t0);
    ssb_transport_result_destroy(&ti0);
    if (have_ti)
        ssb_transport_result_destroy(&ti);
    ssb_transport_result_destroy(&te);
    ssb_grid_destroy(&s);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    return 0;
}
