/* Composite-electrode generator in small boxes, where one particle is a larger share of the box than the tolerance
 * (issue: `ssbnet micro generate --size 48 --cam-vf 0.6 --seed 2` failed with 0.6115 for 0.6000 +- 0.01).
 *
 * Composition as `ssbnet run` / `micro generate` build it from the default cell (ssb_run_cathode_electrode_params;
 * at the time of writing CAM lognormal with number-mean 5 um and gsd 1.3, carbon monodisperse 1 um at 0.03, pores
 * monodisperse 1.2 um at 0.05, the rest SE matrix, overlap 0.15, tolerance 0.01), 0.4 um voxels. In a 48^3 box
 * (19.2 um) a 5 um sphere is 0.92 % of the box, the largest drawable CAM diameter (exp(mu + 4 s), 9.2 um) 7 %: the
 * last particle alone can step over the +-1 % band. */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_run.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The params `ssbnet micro generate` builds (cli_micro_default_cathode: the default cell through
 * ssb_run_cathode_from_cell), with the CAM fraction and the seed set. */
static ssb_micro_electrode_params run_like_params(double cam, uint64_t seed)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *cp = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &cp));
    ssb_cell_values v;
    ssb_cell_params_get_values(cp, &v);
    ssb_run_params rp = ssb_run_params_default();
    ssb_run_cathode c;
    TU_OK(ctx, ssb_run_cathode_from_cell(ctx, &v, &rp, &c));
    ssb_cell_params_destroy(&cp);
    ssb_ctx_destroy(&ctx);
    c.cam_fraction = cam;
    c.seed = seed;
    return ssb_run_cathode_electrode_params(&c);
}

static int64_t count_label(const ssb_grid *g, uint8_t l)
{
    int64_t h[256];
    ssb_grid_histogram(g, h);
    return h[l];
}

/* 48^3 and 32^3, seeds 1-20, CAM 0.5 / 0.6 / 0.7: every case succeeds, every phase within the tolerance, the label
 * counts equal the reported ones, redrawn particles are a few per case and only of the CAM phase (carbon and pores
 * are small), and over all cases the placed CAM diameters keep the distribution's number mean (within 3 %: leaving
 * out or redrawing the last particle must not bias the statistics). Before the fix, 3 of the 60 48^3 cases failed
 * (seed 2 at 0.6, seed 13 at 0.5, seed 18 at 0.6), and 6 of the 32^3 ones (of seeds 1-15). */
static void test_small_box_many_seeds(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double cams[3] = {0.5, 0.6, 0.7};
    const int64_t sizes[2] = {48, 32};
    for (int s = 0; s < 2; s++) {
        ssb_grid *g = NULL;
        TU_OK(ctx, ssb_grid_create(ctx, sizes[s], sizes[s], sizes[s], 0.4e-6, 0.4e-6, 0.4e-6, &g));
        int64_t nredrawn = 0, ncases_redrawn = 0, ncam = 0;
        double dsum = 0.0, psd_mean = 0.0;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            for (int c = 0; c < 3; c++) {
                ssb_micro_electrode_params p = run_like_params(cams[c], seed);
                ssb_micro_electrode_result r;
                int rc = ssb_micro_generate_electrode(ctx, g, &p, &r);
                if (rc != SSB_OK)
                    fail_msg("%d^3 seed %d CAM %.1f: %s", (int)sizes[s], (int)seed, cams[c], ssb_ctx_get_error(ctx));
                for (int i = 0; i < p.nphases; i++) {
                    assert_true(fabs(r.phase[i].fraction - p.phase[i].fraction) <= p.tolerance);
                    assert_int_equal(r.phase[i].nvoxels, count_label(g, p.phase[i].label));
                    if (i > 0) assert_int_equal(r.phase[i].nredrawn, 0);
                }
                assert_true(r.phase[0].nredrawn <= 4);
                if (r.phase[0].nredrawn > 0)
                    print_message("  %d^3 seed %d CAM %.1f: %lld redrawn, fraction %.4f\n", (int)sizes[s], (int)seed,
                                  cams[c], (long long)r.phase[0].nredrawn, r.phase[0].fraction);
                nredrawn += r.phase[0].nredrawn;
                ncases_redrawn += r.phase[0].nredrawn > 0;
                ncam += r.phase[0].nparticles;
                dsum += r.phase[0].mean_diameter * (double)r.phase[0].nparticles;
                psd_mean = r.phase[0].psd_mean;
            }
        }
        const double dmean = dsum / (double)ncam;
        TU_ASSERT_REL(dmean, psd_mean, 0.03);
        print_message("PASS %d^3 x 60 cases: %lld CAM particles, mean d %.3f um (distribution %.3f um), %lld redrawn "
                      "in %lld cases\n",
                      (int)sizes[s], (long long)ncam, dmean * 1e6, psd_mean * 1e6, (long long)nredrawn,
                      (long long)ncases_redrawn);
        ssb_grid_destroy(&g);
    }
    ssb_ctx_destroy(&ctx);
}

/* The issue's case (seed 2, CAM 0.6, 48^3) succeeds by leaving out the overshooting particle; a 32^3 case (seed 5,
 * CAM 0.5) needs the redraw: both reproducible (the same labels bit for bit on a second call). A default-size box
 * (96^3) needs no redraw: the steps only run where the packing would have failed, which is what keeps structures
 * generated before unchanged. */
static void test_issue_case_reproducible(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        int64_t n;
        uint64_t seed;
        double cam;
        int redraw;
    } cases[2] = {{48, 2, 0.6, 0}, {32, 5, 0.5, 1}};
    for (int k = 0; k < 2; k++) {
        ssb_grid *g1 = NULL, *g2 = NULL;
        const int64_t n = cases[k].n;
        TU_OK(ctx, ssb_grid_create(ctx, n, n, n, 0.4e-6, 0.4e-6, 0.4e-6, &g1));
        TU_OK(ctx, ssb_grid_create(ctx, n, n, n, 0.4e-6, 0.4e-6, 0.4e-6, &g2));
        ssb_micro_electrode_params p = run_like_params(cases[k].cam, cases[k].seed);
        ssb_micro_electrode_result r1, r2;
        TU_OK(ctx, ssb_micro_generate_electrode(ctx, g1, &p, &r1));
        TU_OK(ctx, ssb_micro_generate_electrode(ctx, g2, &p, &r2));
        assert_int_equal(r1.phase[0].nredrawn > 0, cases[k].redraw);
        assert_true(fabs(r1.phase[0].fraction - cases[k].cam) <= 0.01);
        assert_memory_equal(ssb_grid_get_labels(g1), ssb_grid_get_labels(g2), (size_t)ssb_grid_get_nvoxels(g1));
        assert_int_equal(r1.phase[0].nparticles, r2.phase[0].nparticles);
        print_message("PASS %d^3 seed %d: CAM %.4f with %lld particles, %lld redrawn\n", (int)n, (int)cases[k].seed,
                      r1.phase[0].fraction, (long long)r1.phase[0].nparticles, (long long)r1.phase[0].nredrawn);
        ssb_grid_destroy(&g1);
        ssb_grid_destroy(&g2);
    }
    ssb_micro_electrode_params p;
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 96, 96, 96, 0.4e-6, 0.4e-6, 0.4e-6, &g));
    ssb_micro_electrode_result r;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        p = run_like_params(0.6, seed);
        TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
        for (int i = 0; i < 3; i++) assert_int_equal(r.phase[i].nredrawn, 0);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Monodisperse particles have nothing smaller to redraw: 8 um spheres in a 16 um box (40^3 of 0.4 um) are 6.5 %
 * of the box each (pi/6 * 8^3 / 16^3 = 0.0654), so no count of them lands within +-0.5 % of 0.30 except by
 * chance of the voxel overlaps; when it fails, the message must name the particle's share and the tolerance, not
 * suggest more overlap. Whatever the outcome, the reported fraction must match the labels. */
static void test_mono_granularity_message(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 40, 40, 40, 0.4e-6, 0.4e-6, 0.4e-6, &g));
    int nfail = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
        p.nphases = 1;
        p.phase[0].label = 2;
        strcpy(p.phase[0].name, "NCM");
        p.phase[0].fraction = 0.30;
        p.phase[0].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[0].psd.d_mean = 8e-6;
        p.tolerance = 0.005;
        p.seed = seed;
        ssb_micro_electrode_result r;
        int rc = ssb_micro_generate_electrode(ctx, g, &p, &r);
        assert_int_equal(r.phase[0].nvoxels, count_label(g, 2));
        assert_int_equal(r.phase[0].nredrawn, 0);
        if (rc == SSB_OK) {
            assert_true(fabs(r.phase[0].fraction - 0.30) <= 0.005);
            continue;
        }
        nfail++;
        assert_int_equal(rc, SSB_ERR_RANGE);
        const char *msg = ssb_ctx_get_error(ctx);
        assert_non_null(strstr(msg, "one 8.00 um particle is 0.0654 of this 16.0 x 16.0 x 16.0 um box"));
        assert_non_null(strstr(msg, "no smaller particles to redraw"));
        assert_non_null(strstr(msg, "larger box"));
        if (nfail == 1) print_message("PASS granularity message: %s\n", msg);
    }
    assert_true(nfail >= 1); /* 6.5 % steps against a 1 % wide band: most seeds fail */
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* A box too small for the particles, and particles smaller than a voxel, are refused before any packing with
 * the box or voxel named: 5 um CAM in a 24^3 box of 0.4 um (9.6 um edge; diameters may be at most half the edge,
 * so 25 voxels are needed), and in a 60 x 24 x 80 box (the smallest edge, y, named); 0.3 um CAM at 0.4 um voxels. */
static void test_small_box_messages(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 24, 24, 24, 0.4e-6, 0.4e-6, 0.4e-6, &g));
    ssb_micro_electrode_params p = run_like_params(0.6, 1);
    p.phase[0].psd.d_mean = 5e-6;
    ssb_micro_electrode_result r;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, &r), SSB_ERR_RANGE);
    const char *msg = ssb_ctx_get_error(ctx);
    assert_non_null(strstr(msg, "5 um particles do not fit the box: its smallest edge (x) is 9.6 um (24 voxels"));
    assert_non_null(strstr(msg, "at least 10 um (25 voxels)"));
    print_message("PASS box too small: %s\n", msg);
    ssb_grid_destroy(&g);
    TU_OK(ctx, ssb_grid_create(ctx, 60, 24, 80, 0.4e-6, 0.4e-6, 0.4e-6, &g));
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "smallest edge (y) is 9.6 um"));
    p.phase[0].psd.d_mean = 0.3e-6;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, &r), SSB_ERR_RANGE);
    msg = ssb_ctx_get_error(ctx);
    assert_non_null(strstr(msg, "mean diameter 0.3 um is smaller than a voxel (0.4 um)"));
    print_message("PASS sub-voxel: %s\n", msg);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_box_many_seeds),
        cmocka_unit_test(test_issue_case_reproducible),
        cmocka_unit_test(test_mono_granularity_message),
        cmocka_unit_test(test_small_box_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
