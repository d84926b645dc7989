/* Composite-cathode recipes shared by tests and benchmarks (one definition: the resolution test and
 * bench/bench_micro_res measure the same structures). */
#ifndef SSB_TESTS_RECIPES_H
#define SSB_TESTS_RECIPES_H

#include <ssbnet/ssb_micro_gen.h>

/* CAM lognormal (first phase), optional carbon and pores, SE matrix label 1. */
/* CAM lognormal gsd 1.3 (label 2, diameter cam_d [m]), optional 1 um carbon (3) and 1.2 um pores (4), SE matrix label 1,
 * overlap 0.15, seed 2385. */
static inline ssb_micro_electrode_params tu_cathode_recipe(double cam_vf, double cam_d, double carbon_vf, double pore_vf)
{
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    int k = 0;
    p.phase[k].label = 2;
    p.phase[k].fraction = cam_vf;
    p.phase[k].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
    p.phase[k].psd.d_mean = cam_d;
    p.phase[k++].psd.gsd = 1.3;
    if (carbon_vf > 0) {
        p.phase[k].label = 3;
        p.phase[k].role = SSB_ROLE_CARBON;
        p.phase[k].fraction = carbon_vf;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k++].psd.d_mean = 1.0e-6;
    }
    if (pore_vf > 0) {
        p.phase[k].label = 4;
        p.phase[k].role = SSB_ROLE_PORE;
        p.phase[k].fraction = pore_vf;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k++].psd.d_mean = 1.2e-6;
    }
    p.nphases = k;
    p.matrix_label = 1;
    p.overlap = 0.15;
    p.tolerance = 0.01;
    p.seed = 2385;
    return p;
}

#endif
