/* SE: the 3-D polycrystal route (micro generator + transport engine) against the brick layer.
 *   - a uniform structure (sigma_gb = sigma_bulk) gives sigma_bulk for both geometries;
 *   - the voxelised brick layer (cubic grains) reproduces the brick-layer formula (F2.1) within a few per cent
 *     when delta/d is small, and the gap closes as delta/d -> 0 (FORMULAS-interfaces.md 2.1 "the microstructure
 *     solver should reproduce the BLM formulas in the limit delta/d -> 0 as its first validation test");
 *   - a Voronoi polycrystal with resistive GBs: the numbers are printed (see the _full sweep for the report). */
#include "testutil.h"

#include <ssbnet/ssb_se.h>

#include <math.h>
#include <string.h>

static void test_uniform(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    for (int geo = 0; geo < 2; geo++) {
        ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
        p.geometry = (ssb_se_poly_geometry)geo;
        p.grain_size = 2.4e-6;
        p.gb_thickness = 0.2e-6;
        p.sigma_bulk = 0.0385;
        p.sigma_gb = 0.0385;
        p.n = 40;
        p.seed = 17;
        ssb_se_polycrystal_result r;
        TU_OK(ctx, ssb_se_polycrystal_solve(ctx, &p, &r));
        TU_ASSERT_REL(r.sigma_3d, 0.0385, 1e-6);
        /* the nominal brick layer with equal conductivities: sigma (1/(1 + x) + 2 x), x = delta/d, not sigma: its
         * series-parallel split double-counts the GB volume (an O(delta/d) model error) */
        double x = 0.2 / 2.4;
        TU_ASSERT_REL(r.sigma_blm, 0.0385 * (1 / (1 + x) + 2 * x), 1e-14);
        assert_true(r.gb_fraction > 0.05 && r.gb_fraction < 0.6);
    }
    ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
    ssb_se_polycrystal_result r;
    assert_int_equal(ssb_se_polycrystal_solve(ctx, &p, &r), SSB_ERR_RANGE);
    p.grain_size = 10e-6;
    p.gb_thickness = 0.5e-6;
    p.sigma_bulk = p.sigma_gb = 1;
    p.n = 16; /* 16 voxels of 0.25 um = 4 um < 1.5 grains */
    assert_int_equal(ssb_se_polycrystal_solve(ctx, &p, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "grains"));
    ssb_ctx_destroy(&ctx);
}

/* Voxelised brick layer: period d = 16 voxels, wall 1 voxel (delta/d = 1/16), 2 periods, sigma_b/sigma_gb = 100;
 * and d = 32 voxels (1/32). The analytic BLM gives the grain column the whole cross-section and adds the parallel
 * walls on top (and takes the bulk length as L), so its error is O(delta/d) and vanishes as delta/d -> 0. */
static void test_cubic_brick(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double prev = 1;
    for (int k = 0; k < 2; k++) {
        int per = k == 0 ? 16 : 32;
        ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
        p.geometry = SSB_SE_POLY_CUBIC;
        p.gb_thickness = 0.25e-6;
        p.vox_per_gb = 1;
        p.grain_size = per * 0.25e-6;
        p.sigma_bulk = 0.0461;
        p.sigma_gb = 4.61e-4;
        p.n = 2 * per;
        ssb_se_polycrystal_result r;
        TU_OK(ctx, ssb_se_polycrystal_solve(ctx, &p, &r));
        assert_true(r.converged);
        double dd = 1.0 / per;
        TU_ASSERT_REL(r.gb_fraction, 1 - pow(1 - dd, 3), 1e-12);
        /* between the series-parallel estimate (grain columns of cross-section (1 - dd)^2 in series with one wall,
         * all-wall columns elsewhere) and the BLM, which lets the grain column use the whole cross-section */
        double col = 1.0 / (((1 - dd) / 0.0461 + dd / 4.61e-4));
        double sp = (1 - dd) * (1 - dd) * col + (1 - (1 - dd) * (1 - dd)) * 4.61e-4;
        assert_true(r.sigma_3d > sp && r.sigma_3d < r.sigma_blm);
        double err = fabs(r.err_blm);
        print_message(
            "PASS cubic brick delta/d = 1/%d: sigma_3d = %.5g S/m, BLM %.5g (err %+.2f %%), matched %+.2f %%\n", per,
            r.sigma_3d, r.sigma_blm, 100 * r.err_blm, 100 * r.err_blm_matched);
        /* first order in delta/d: halving delta/d at least roughly halves the error */
        if (k == 1)
            assert_true(err < 0.6 * prev && err < 0.05);
        prev = err;
    }
    ssb_ctx_destroy(&ctx);
}

static void test_voronoi(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
    p.grain_size = 4.0e-6;
    p.gb_thickness = 0.4e-6; /* d/delta = 10 */
    p.vox_per_gb = 2;
    p.n = 60; /* 3 grains per edge */
    p.sigma_bulk = 0.0461;
    p.sigma_gb = 4.61e-4;
    p.seed = 2385;
    ssb_se_polycrystal_result r;
    TU_OK(ctx, ssb_se_polycrystal_solve(ctx, &p, &r));
    assert_true(r.converged);
    /* bounds: the GB-phase network cannot beat the series-parallel (Wiener) bounds of its volume fractions */
    double f = r.gb_fraction;
    double lo = 1 / ((1 - f) / 0.0461 + f / 4.61e-4), hi = (1 - f) * 0.0461 + f * 4.61e-4;
    assert_true(r.sigma_3d > lo && r.sigma_3d < hi);
    print_message("Voronoi d/delta = 10, sigma ratio 100: GB fraction %.3f, sigma_3d = %.5g S/m, BLM nominal %.5g "
                  "(%+.1f %%), matched %.5g (%+.1f %%), %.1f grains per edge\n",
                  f, r.sigma_3d, r.sigma_blm, 100 * r.err_blm, r.sigma_blm_matched, 100 * r.err_blm_matched,
                  r.grains_per_edge);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_uniform), cmocka_unit_test(test_cubic_brick),
                                       cmocka_unit_test(test_voronoi)};
    return cmocka_run_group_tests_name("se_polycrystal", tests, NULL, NULL);
}
