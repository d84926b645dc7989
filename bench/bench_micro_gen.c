/* Dense cathode generation: achieved fractions and wall time over a grid of compositions.
 *
 * usage: bench_micro_gen [NX NY NZ [VOXEL_UM [OVERLAP_MAX]]]
 * Box default 300 x 96 x 96 voxels of 0.4 um (120 um through-plane, the thickness of issue 7 item 9). Each row:
 * CAM (lognormal, gsd 1.3) fraction and diameter, carbon 1 um spheres, pores 1.2 um spheres, SE the remainder. */
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_gen.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long long n[3] = {300, 96, 96};
    double h = 0.4e-6, ovmax = 0.35;
    for (int a = 0; a < 3 && a + 1 < argc; a++)
        n[a] = atoll(argv[a + 1]);
    if (argc > 4)
        h = atof(argv[4]) * 1e-6;
    if (argc > 5)
        ovmax = atof(argv[5]);
    static const double rows[][4] = {/* CAM fraction, CAM d (um), carbon, pores */
                                     {0.60, 5.0, 0.03, 0.05}, {0.70, 2.0, 0.00, 0.05}, {0.70, 5.0, 0.02, 0.05},
                                     {0.75, 2.0, 0.02, 0.03}, {0.75, 5.0, 0.02, 0.03}, {0.80, 2.0, 0.02, 0.02},
                                     {0.80, 5.0, 0.00, 0.02}};
    ssb_ctx *ctx = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK)
        return 1;
    printf("box %lld x %lld x %lld voxels of %.2f um, overlap 0.15 raised up to %.2f\n", n[0], n[1], n[2], h * 1e6,
           ovmax);
    printf("%8s %8s %8s %8s | %8s %8s %8s %8s %8s %8s\n", "cam", "d_um", "carbon", "pore", "cam_got", "c_got",
           "pore_got", "ov_used", "d_got_um", "time_s");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ssb_grid *g = NULL;
        if (ssb_grid_create(ctx, n[0], n[1], n[2], h, h, h, &g) != SSB_OK)
            return 1;
        ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
        int k = 0;
        p.phase[k].label = 2;
        p.phase[k].fraction = rows[i][0];
        p.phase[k].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
        p.phase[k].psd.d_mean = rows[i][1] * 1e-6;
        p.phase[k++].psd.gsd = 1.3;
        if (rows[i][2] > 0) {
            p.phase[k].label = 3;
            p.phase[k].fraction = rows[i][2];
            p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
            p.phase[k++].psd.d_mean = 1.0e-6;
        }
        p.phase[k].label = 4;
        p.phase[k].fraction = rows[i][3];
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k++].psd.d_mean = 1.2e-6;
        p.nphases = k;
        p.matrix_label = 1;
        p.overlap = 0.15;
        p.overlap_max = ovmax;
        p.tolerance = 0.01;
        p.seed = 7;
        ssb_micro_electrode_result r;
        double t0 = wtime();
        int rc = ssb_micro_generate_electrode(ctx, g, &p, &r);
        double t = wtime() - t0;
        printf("%8.2f %8.1f %8.2f %8.2f | %8.4f %8.4f %8.4f %8.2f %8.3f %8.2f\n", rows[i][0], rows[i][1], rows[i][2],
               rows[i][3], r.phase[0].fraction, k == 3 ? r.phase[1].fraction : 0.0, r.phase[k - 1].fraction,
               r.phase[0].overlap, r.phase[0].mean_diameter * 1e6, t);
        if (rc != SSB_OK)
            printf("   failed (%d): %s\n", rc, ssb_ctx_get_error(ctx));
        fflush(stdout);
        ssb_grid_destroy(&g);
    }
    ssb_ctx_destroy(&ctx);
    return 0;
}
