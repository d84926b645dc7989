/* SE (long validation, label "full"): where the brick layer fails and by how much.
 *   1. Voxelised brick layer (cubic grains, 1-voxel walls): the BLM error falls in proportion to delta/d for
 *      delta/d = 1/8 ... 1/64 at sigma_b/sigma_gb = 100 (first-order convergence to the formula of F2.1).
 *   2. Voronoi polycrystals (2 voxels across the GB, 3 grains per edge, 2 seeds) over d/delta = 5, 10, 20 and
 *      sigma_b/sigma_gb = 1, 100: the 3-D conductivity lies inside the Wiener bounds of its GB volume fraction, and
 *      the table of BLM errors is printed for the report. */
#include "testutil.h"

#include <ssbnet/ssb_se.h>

#include <math.h>

static void test_cubic_convergence(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const int per[] = {8, 16, 32, 64};
    double err[4];
    for (int k = 0; k < 4; k++) {
        ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
        p.geometry = SSB_SE_POLY_CUBIC;
        p.gb_thickness = 0.1e-6;
        p.vox_per_gb = 1;
        p.grain_size = per[k] * 0.1e-6;
        p.sigma_bulk = 0.0385;
        p.sigma_gb = 3.85e-4;
        p.n = 2 * per[k];
        ssb_se_polycrystal_result r;
        TU_OK(ctx, ssb_se_polycrystal_solve(ctx, &p, &r));
        err[k] = r.err_blm;
        print_message("cubic brick d/delta = %3d: sigma_3d %.6g S/m, BLM %.6g S/m, err %+.3f %%\n", per[k], r.sigma_3d,
                      r.sigma_blm, 100 * r.err_blm);
        if (k > 0) {
            double ratio = err[k] / err[k - 1];
            assert_true(ratio > 0.35 && ratio < 0.65); /* first order in delta/d */
        }
    }
    assert_true(fabs(err[3]) < 0.02);
    ssb_ctx_destroy(&ctx);
}

static void test_voronoi_sweep(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static const double dd[] = {5, 10, 20}, ratio[] = {1, 100};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++) {
            ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
            p.gb_thickness = 0.1e-6;
            p.grain_size = dd[a] * 0.1e-6;
            p.vox_per_gb = 2;
            p.n = (int64_t)(3 * dd[a] * 2);
            p.sigma_bulk = 0.1;
            p.sigma_gb = 0.1 / ratio[b];
            p.realisations = 2;
            p.seed = 41;
            ssb_se_polycrystal_result r;
            TU_OK(ctx, ssb_se_polycrystal_solve(ctx, &p, &r));
            double f = r.gb_fraction;
            double lo = 1 / ((1 - f) / p.sigma_bulk + f / p.sigma_gb), hi = (1 - f) * p.sigma_bulk + f * p.sigma_gb;
            assert_true(r.sigma_3d >= lo * (1 - 1e-6) && r.sigma_3d <= hi * (1 + 1e-6));
            if (ratio[b] == 1)
                TU_ASSERT_REL(r.sigma_3d, 0.1, 1e-6);
            print_message("Voronoi d/delta = %2.0f ratio %5.0f: GB fraction %.3f, sigma_3d %.5g +- %.2g S/m, BLM err "
                          "%+.1f %%, matched %+.1f %%\n",
                          dd[a], ratio[b], f, r.sigma_3d, r.sigma_3d_sd, 100 * r.err_blm, 100 * r.err_blm_matched);
        }
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cubic_convergence), cmocka_unit_test(test_voronoi_sweep)};
    return cmocka_run_group_tests_name("se_polycrystal_full", tests, NULL, NULL);
}
