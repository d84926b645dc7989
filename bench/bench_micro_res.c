/* Resolution convergence study behind SSB_MICRO_VOXELS_ACROSS (ssb_micro_analysis.h).
 *
 * usage: bench_micro_res [BOX_UM [CAM_D_UM [CARBON_VF [PORE_VF [N1,N2,...]]]]]
 * A cathode recipe (CAM lognormal gsd 1.3 at 0.60, carbon 1 um spheres, pores 1.2 um spheres, overlap 0.15, SE the
 * matrix) in a cubic box of BOX_UM (default 16 um) is generated at h = d_small / N for each N (d_small: the
 * smallest particle phase's mean diameter) and checked with ssb_micro_resolution_check: the same spheres at h and
 * h/2 (SE tau along z, CAM|SE face area), no larger-box check. Prints N, h, tau(h), tau(h/2), the relative
 * changes and the wall time. */
#include "recipes.h"

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_micro_analysis.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    double box_um = argc > 1 ? atof(argv[1]) : 16.0, cam_d = argc > 2 ? atof(argv[2]) : 5.0;
    double carbon = argc > 3 ? atof(argv[3]) : 0.03, pore = argc > 4 ? atof(argv[4]) : 0.05;
    double ns[16] = {2, 3, 4, 5, 6, 8};
    int nn = 6;
    if (argc > 5) {
        nn = 0;
        for (char *t = strtok(argv[5], ","); t && nn < 16; t = strtok(NULL, ","))
            ns[nn++] = atof(t);
    }
    ssb_ctx *ctx = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK)
        return 1;
    ssb_micro_electrode_params p = tu_cathode_recipe(0.60, cam_d * 1e-6, carbon, pore);
    p.seed = 11;
    ssb_micro_resolution_params rp = ssb_micro_resolution_params_default();
    rp.box_factor = 1.0;
    printf("box %.1f um, CAM %.1f um (0.60), carbon %.2f, pores %.2f\n", box_um, cam_d, carbon, pore);
    printf("%6s %8s %6s %9s %9s %8s %10s %10s %8s %8s\n", "N", "h_um", "n", "tau_h", "tau_h2", "rel_tau", "area_h",
           "area_h2", "rel_area", "time_s");
    for (int i = 0; i < nn; i++) {
        double h1;
        if (ssb_micro_resolution_voxel_size(ctx, &p, 1, &h1) != SSB_OK)
            return 1;
        double h = h1 / ns[i];
        int64_t n = (int64_t)llround(box_um * 1e-6 / h);
        int64_t dims[3] = {n, n, n};
        ssb_micro_resolution_result r;
        double t0 = wtime();
        int rc = ssb_micro_resolution_check(ctx, &p, dims, h, &rp, &r);
        double t = wtime() - t0;
        if (rc != SSB_OK) {
            printf("%6.1f failed: %s\n", ns[i], ssb_ctx_get_error(ctx));
            continue;
        }
        printf("%6.1f %8.4f %6lld %9.4f %9.4f %8.4f %10.4g %10.4g %8.4f %8.2f\n", ns[i], h * 1e6, (long long)n,
               r.tau[0], r.tau[1], r.rel_tau, r.area[0], r.area[1], r.rel_area, t);
        fflush(stdout);
    }
    ssb_ctx_destroy(&ctx);
    return 0;
}
