/* Resolution of voxel microstructures (issue 7 item 2): the voxel size from the particle sizes, the resolution and
 * box-size check of generated electrodes, and chord-based feature sizes of images.
 *
 * References: the mean chord (mean intercept length) of a convex body is 4 V / S (Cauchy; Underwood, Quantitative
 * Stereology, 1970, eq. 2.4 with S_V = 2 P_L): 2d/3 for a sphere of diameter d, T for a slab of thickness T
 * crossed along its normal. The figures behind SSB_MICRO_VOXELS_ACROSS* are the convergence study in
 * src/micro/analysis/resolution.c. */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_micro_gen.h>

#include <math.h>
#include <string.h>

#include "recipes.h"

#include "micro/analysis/resolution_impl.h"

static ssb_ctx *new_ctx(void)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    return ctx;
}

static void test_voxel_size(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    double h;
    /* CAM only: the largest phase's rule */
    ssb_micro_electrode_params p = tu_cathode_recipe(0.6, 4.5e-6, 0, 0);
    TU_OK(ctx, ssb_micro_resolution_voxel_size(ctx, &p, 0, &h));
    TU_ASSERT_REL(h, 4.5e-6 / SSB_MICRO_VOXELS_ACROSS_LARGEST, 1e-14);
    /* CAM 5 um + carbon 1 um + pores 1.2 um: the carbon decides (1 um / N) unless the CAM rule is finer */
    p = tu_cathode_recipe(0.6, 5e-6, 0.03, 0.05);
    TU_OK(ctx, ssb_micro_resolution_voxel_size(ctx, &p, 0, &h));
    TU_ASSERT_REL(h, fmin(5e-6 / SSB_MICRO_VOXELS_ACROSS_LARGEST, 1e-6 / SSB_MICRO_VOXELS_ACROSS), 1e-14);
    /* an explicit N for the small phases */
    TU_OK(ctx, ssb_micro_resolution_voxel_size(ctx, &p, 4, &h));
    TU_ASSERT_REL(h, fmin(5e-6 / SSB_MICRO_VOXELS_ACROSS_LARGEST, 0.25e-6), 1e-14);
    assert_true(5e-6 / SSB_MICRO_VOXELS_ACROSS_LARGEST < 0.25e-6); /* so here the CAM decides */
    /* table by volume 3 um / 6 um at 0.5 / 0.5: number mean (8 * 3 + 6) / 9 = 10/3 um */
    p = tu_cathode_recipe(0.6, 5e-6, 0, 0);
    p.phase[0].psd.kind = SSB_MICRO_PSD_TABLE_VOLUME;
    p.phase[0].psd.ntable = 2;
    p.phase[0].psd.table_d[0] = 3e-6;
    p.phase[0].psd.table_d[1] = 6e-6;
    p.phase[0].psd.table_w[0] = 0.5;
    p.phase[0].psd.table_w[1] = 0.5;
    TU_OK(ctx, ssb_micro_resolution_voxel_size(ctx, &p, 0, &h));
    TU_ASSERT_REL(h, 10e-6 / 3.0 / SSB_MICRO_VOXELS_ACROSS_LARGEST, 1e-12);
    assert_int_equal(ssb_micro_resolution_voxel_size(ctx, &p, 101, &h), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "n_across = 101"));
    p.nphases = 0;
    assert_int_equal(ssb_micro_resolution_voxel_size(ctx, &p, 0, &h), SSB_ERR_RANGE);
    assert_int_equal(ssb_micro_resolution_voxel_size(ctx, NULL, 0, &h), SSB_ERR_ARG);
    print_message("PASS voxel size: %d voxels across the largest phase, %d across the others\n",
                  SSB_MICRO_VOXELS_ACROSS_LARGEST, SSB_MICRO_VOXELS_ACROSS);
    ssb_ctx_destroy(&ctx);
}

static void test_feature_sizes(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_grid *g = NULL;
    /* a sphere of radius 10.5 voxels: sphere-equivalent size 1.5 x mean chord ~ its diameter 21 voxels */
    TU_OK(ctx, ssb_grid_create(ctx, 40, 40, 40, 0.2e-6, 0.2e-6, 0.2e-6, &g));
    ssb_micro_shape_params sp = ssb_micro_shape_params_default(SSB_MICRO_SHAPE_SPHERE);
    sp.radius = 10.5;
    TU_OK(ctx, ssb_micro_generate_shape(ctx, g, &sp));
    ssb_micro_features f;
    TU_OK(ctx, ssb_micro_feature_sizes(ctx, g, 0, &f));
    assert_int_equal(f.nlabels, 2);
    assert_int_equal(f.label[1].label, 1);
    TU_ASSERT_REL(f.label[1].feature_size, 21 * 0.2e-6, 0.03);
    TU_ASSERT_REL(f.label[1].chord_mean[0], f.label[1].chord_mean[2], 1e-12); /* symmetric voxelisation */
    assert_int_equal(f.label[1].under_resolved, 21 < SSB_MICRO_VOXELS_ACROSS);
    double sphere_d = f.label[1].feature_size;
    ssb_grid_destroy(&g);

    /* layers of 3 and 5 voxels normal to z, anisotropic voxels: chords along z are exactly 3 and 5 voxels, along x
     * and y the whole box; the feature size is 1.5 x the z chord, in voxels 4.5 and 7.5: both under 18 */
    TU_OK(ctx, ssb_grid_create(ctx, 24, 16, 32, 0.1e-6, 0.2e-6, 0.3e-6, &g));
    ssb_micro_shape_params lp = ssb_micro_shape_params_default(SSB_MICRO_SHAPE_LAYERS);
    lp.nlayers = 2;
    lp.labels[0] = 5;
    lp.labels[1] = 9;
    lp.thickness[0] = 3;
    lp.thickness[1] = 5;
    lp.axis = SSB_AXIS_Z;
    TU_OK(ctx, ssb_micro_generate_shape(ctx, g, &lp));
    TU_OK(ctx, ssb_micro_feature_sizes(ctx, g, 6, &f));
    assert_int_equal(f.nlabels, 2);
    assert_int_equal(f.n_across, 6);
    TU_ASSERT_REL(f.label[0].chord_mean[2], 3 * 0.3e-6, 1e-12);
    TU_ASSERT_REL(f.label[1].chord_mean[2], 5 * 0.3e-6, 1e-12);
    TU_ASSERT_REL(f.label[0].chord_mean[0], 24 * 0.1e-6, 1e-12);
    TU_ASSERT_REL(f.label[1].chord_mean[1], 16 * 0.2e-6, 1e-12);
    TU_ASSERT_REL(f.label[0].voxels_across, 4.5, 1e-12);
    TU_ASSERT_REL(f.label[1].voxels_across, 7.5, 1e-12);
    assert_true(f.label[0].under_resolved && !f.label[1].under_resolved);
    assert_int_equal(f.n_under, 1);
    assert_int_equal(ssb_micro_feature_sizes(ctx, g, -1, &f), SSB_ERR_RANGE);
    assert_int_equal(ssb_micro_feature_sizes(ctx, NULL, 0, &f), SSB_ERR_ARG);
    ssb_grid_destroy(&g);

    /* a 2-D slice (24 x 16 x 1) of the same layers normal to x: the chords along the one-voxel z axis are the
     * slice (one voxel each), not a feature; the feature is 1.5 x the x chord, 4.5 and 7.5 voxels (it was 1.5) */
    TU_OK(ctx, ssb_grid_create(ctx, 24, 16, 1, 0.1e-6, 0.2e-6, 0.3e-6, &g));
    lp.axis = SSB_AXIS_X;
    TU_OK(ctx, ssb_micro_generate_shape(ctx, g, &lp));
    TU_OK(ctx, ssb_micro_feature_sizes(ctx, g, 6, &f));
    assert_int_equal(f.nlabels, 2);
    TU_ASSERT_REL(f.label[0].chord_mean[2], 0.3e-6, 1e-12);
    TU_ASSERT_REL(f.label[0].feature_size, 1.5 * 3 * 0.1e-6, 1e-12);
    TU_ASSERT_REL(f.label[1].feature_size, 1.5 * 5 * 0.1e-6, 1e-12);
    TU_ASSERT_REL(f.label[0].voxels_across, 4.5, 1e-12);
    TU_ASSERT_REL(f.label[1].voxels_across, 7.5, 1e-12);
    assert_int_equal(f.n_under, 1);
    print_message("PASS feature sizes: sphere d = 21 voxels -> %.2f voxels; layers 3 / 5 voxels -> 4.5 / 7.5\n",
                  sphere_d / 0.2e-6);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* On a generated cathode, tau at the chosen voxel size (ssb_micro_resolution_voxel_size) is within 5 % of tau at
 * half that voxel size; at a coarse voxel size (8 voxels across the CAM) it is not, and the check says so
 * (resolved = 0, the warning). The box-size check runs at the coarse size. */
static void test_resolution_check(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_micro_electrode_params p = tu_cathode_recipe(0.6, 3e-6, 0, 0);
    p.tolerance = 0.02; /* ~40 particles in the box: one particle is ~1.5 % of it */
    double h;
    TU_OK(ctx, ssb_micro_resolution_voxel_size(ctx, &p, 0, &h));
    ssb_micro_resolution_params rp = ssb_micro_resolution_params_default();
    rp.box_factor = 1.0;
    const int64_t n = (int64_t)llround(9.6e-6 / h);
    const int64_t dims[3] = {n, n, n};
    ssb_micro_resolution_result r;
    TU_OK(ctx, ssb_micro_resolution_check(ctx, &p, dims, h, &rp, &r));
    assert_true(r.resolved);
    assert_true(r.rel_tau <= 0.05 && r.rel_area <= 0.05);
    TU_ASSERT_REL(r.rel_tau, fabs(r.tau[0] - r.tau[1]) / r.tau[1], 1e-12);
    TU_ASSERT_REL(r.voxels_across, SSB_MICRO_VOXELS_ACROSS_LARGEST, 1e-12);
    print_message("PASS chosen voxel %.4f um (%lld^3): tau %.4f at h, %.4f at h/2 (%.1f %%), area change %.1f %%, "
                  "extrapolated %.4f\n",
                  h * 1e6, (long long)n, r.tau[0], r.tau[1], 100 * r.rel_tau, 100 * r.rel_area, r.tau_extrapolated);

    const double hc = 3e-6 / 8;
    const int64_t nc = (int64_t)llround(9.6e-6 / hc);
    const int64_t dc[3] = {nc, nc, nc};
    rp.box_factor = 1.5;
    TU_OK(ctx, ssb_micro_resolution_check(ctx, &p, dc, hc, &rp, &r));
    assert_false(r.resolved);
    assert_true(r.rel_tau > 0.05);
    assert_true(r.tau[0] > r.tau[1]); /* the staircase blocks SE necks: coarse voxels overestimate tau */
    assert_true(r.dims_box[0] == llround(1.5 * (double)nc) && r.dims_box[1] == r.dims_box[0] && r.dims_box[2] == nc);
    assert_true(r.tau_box > 1.0 && isfinite(r.tau_box));
    TU_ASSERT_REL(r.rel_tau_box, fabs(r.tau[0] - r.tau_box) / r.tau_box, 1e-12);
    print_message("PASS coarse voxel %.3f um: tau %.4f vs %.4f at h/2 (%.1f %%): not resolved; box 1.5x: tau %.4f "
                  "(%.1f %%)\n",
                  hc * 1e6, r.tau[0], r.tau[1], 100 * r.rel_tau, r.tau_box, 100 * r.rel_tau_box);
    rp.box_factor = 5;
    assert_int_equal(ssb_micro_resolution_check(ctx, &p, dc, hc, &rp, &r), SSB_ERR_RANGE);
    ssb_ctx_destroy(&ctx);
}

/* Images: tau at h vs the image coarsened to 2h. Series layers of 4 and 6 voxels normal to z coarsen exactly
 * (2 and 3 voxels, same fractions): the same tau, rel 0 (tau of series layers = eps sigma_bulk * sum(t_i / s_i) / L,
 * independent of h). A cathode generated at 8 voxels across the CAM changes by more than 5 % (under-resolved); a
 * set that does not percolate gives inf at both sizes and rel 0. */
static void test_resolution_image(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 20, 22, 40, 0.3e-6, 0.3e-6, 0.3e-6, &g));
    ssb_micro_shape_params lp = ssb_micro_shape_params_default(SSB_MICRO_SHAPE_LAYERS);
    lp.nlayers = 2;
    lp.labels[0] = 1;
    lp.labels[1] = 2;
    lp.thickness[0] = 4;
    lp.thickness[1] = 6;
    lp.axis = SSB_AXIS_Z;
    TU_OK(ctx, ssb_micro_generate_shape(ctx, g, &lp));
    double sigma[256] = {0};
    sigma[1] = 2.385;
    sigma[2] = 0.1;
    double th, t2h, rel;
    TU_OK(ctx, ssb_micro_resolution_check_image(ctx, g, sigma, SSB_AXIS_Z, NULL, &th, &t2h, &rel));
    /* eps = 1, sigma_bulk = 0.4 * 2.385 + 0.6 * 0.1, sigma_eff = 1 / (0.4 / 2.385 + 0.6 / 0.1) */
    const double sb = 0.4 * 2.385 + 0.6 * 0.1, se = 1.0 / (0.4 / 2.385 + 0.6 / 0.1);
    TU_ASSERT_REL(th, sb / se, 1e-6);
    TU_ASSERT_REL(t2h, sb / se, 1e-6);
    assert_true(rel < 1e-6);
    /* not percolating along z when only label 1 conducts */
    sigma[2] = 0.0;
    TU_OK(ctx, ssb_micro_resolution_check_image(ctx, g, sigma, SSB_AXIS_Z, NULL, &th, &t2h, &rel));
    assert_true(isinf(th) && isinf(t2h) && rel == 0.0);
    ssb_grid_destroy(&g);

    /* a coarse cathode image: SE tau changes by far more than 5 % from h to 2h */
    ssb_micro_electrode_params p = tu_cathode_recipe(0.6, 3e-6, 0, 0);
    p.tolerance = 0.02;
    const double h = 3e-6 / 8;
    TU_OK(ctx, ssb_grid_create(ctx, 32, 32, 32, h, h, h, &g));
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, NULL));
    double s2[256] = {0};
    s2[1] = 1.0;
    TU_OK(ctx, ssb_micro_resolution_check_image(ctx, g, s2, SSB_AXIS_Z, NULL, &th, &t2h, &rel));
    assert_true(rel > 0.05 && t2h > th);
    TU_ASSERT_REL(rel, fabs(t2h - th) / th, 1e-12);
    print_message("PASS image check: layers tau %.6f at h and 2h; cathode at 8 voxels across the CAM: tau %.4f at h, "
                  "%.4f at 2h (%.1f %%)\n",
                  sb / se, th, t2h, 100 * rel);
    ssb_grid_destroy(&g);
    g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 1, 4, 4, h, h, h, &g));
    assert_int_equal(ssb_micro_resolution_check_image(ctx, g, s2, SSB_AXIS_Z, NULL, &th, &t2h, &rel), SSB_ERR_RANGE);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* One-sphere electrode (label 2 in a matrix label 1) for the sub-voxel tests. */
static ssb_micro_electrode_params one_phase(int periodic)
{
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.nphases = 1;
    p.phase[0].label = 2;
    p.matrix_label = 1;
    p.periodic = periodic;
    return p;
}

/* Sub-voxel conductivities keep the volume: a sphere of radius 5 voxels in a 16^3 box leaves the matrix
 * 1 - (4/3) pi 5^3 / 16^3 = 0.87217 of the volume, which the volume mean of the voxel conductivities (sigma 1 on the
 * matrix) gives to the sampling and class rounding; with s = 1 the classes are the binary labels. */
static void test_partial_volume(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const double h = 1e-6;
    ssb_micro_electrode_params p = one_phase(1);
    ssbi_sphere sp = {{8.1 * h, 7.9 * h, 8.3 * h}, 5.0 * h, 0};
    const int64_t dims[3] = {16, 16, 16};
    double sigma[256] = {0}, sc[256];
    sigma[1] = 1.0;
    ssb_grid *cls = NULL;
    int s = 0;
    assert_int_equal(ssbi_micro_partial_volume(ctx, &p, &sp, 1, dims, h, 4, sigma, &cls, sc, &s), SSB_OK);
    assert_int_equal(s, 4);
    int64_t hist[256];
    ssb_grid_histogram(cls, hist);
    double mean = 0.0;
    for (int q = 0; q < 256; q++)
        mean += (double)hist[q] * sc[q];
    mean /= 4096.0;
    const double exact = 1.0 - 4.0 / 3.0 * 3.14159265358979323846 * 125.0 / 4096.0;
    TU_ASSERT_REL(mean, exact, 3e-3);
    assert_true(hist[0] > 0 && hist[255] > 0 && hist[0] + hist[255] < 4096); /* partial voxels on the surface */
    ssb_grid_destroy(&cls);
    /* s = 1: the binary voxels, class 255 exactly where the painted grid has the matrix */
    ssb_grid *g = NULL;
    assert_int_equal(ssb_grid_create(ctx, 16, 16, 16, h, h, h, &g), SSB_OK);
    int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES];
    ssbi_electrode_paint(g, &p, &sp, 1, counts);
    assert_int_equal(ssbi_micro_partial_volume(ctx, &p, &sp, 1, dims, h, 1, sigma, &cls, sc, &s), SSB_OK);
    const uint8_t *a = ssb_grid_get_labels_const(g), *b = ssb_grid_get_labels_const(cls);
    for (int64_t v = 0; v < 4096; v++)
        assert_int_equal(b[v], a[v] == 1 ? 255 : 0);
    printf("PASS: sub-voxel matrix volume %.5f (exact %.5f); s = 1 gives the binary voxels\n", mean, exact);
    ssb_grid_destroy(&cls);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* False contacts: two particles 0.1 voxel apart along z (radii 4.1 voxels, centres 8.3 voxels apart) touch in the
 * binary voxels, so electrons cross; without false contacts they do not. Centres 8.0 voxels apart (overlapping
 * spheres) keep their contact and nothing is cut. */
static void test_false_contacts(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const double h = 1e-6;
    ssb_micro_electrode_params p = one_phase(0);
    double sigma[256] = {0};
    sigma[2] = 1.0;
    const double dist[2] = {8.3, 8.0};
    for (int k = 0; k < 2; k++) {
        ssbi_sphere sp[2] = {{{8 * h, 8 * h, 2 * h}, 4.1 * h, 0}, {{8 * h, 8 * h, (2 + dist[k]) * h}, 4.1 * h, 0}};
        ssb_grid *g = NULL, *cut = NULL;
        assert_int_equal(ssb_grid_create(ctx, 16, 16, 14, h, h, h, &g), SSB_OK);
        int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES], ncut = -1;
        ssbi_electrode_paint(g, &p, sp, 2, counts);
        assert_int_equal(ssbi_micro_cut_contacts(ctx, &p, sp, 2, g, sigma, &cut, &ncut), SSB_OK);
        ssb_transport_params tp = ssb_transport_params_default();
        ssb_transport_result rb, rc;
        assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &tp, &rb), SSB_OK);
        assert_int_equal(ssb_transport_solve(ctx, cut, sigma, SSB_AXIS_Z, &tp, &rc), SSB_OK);
        assert_true(rb.percolates && rb.sigma_eff > 0); /* binary: connected either way */
        if (k == 0) {
            assert_true(ncut > 0);
            assert_false(rc.percolates);
        } else {
            assert_int_equal(ncut, 0);
            TU_ASSERT_REL(rc.sigma_eff, rb.sigma_eff, 1e-12);
        }
        printf("PASS: centres %.1f voxels apart: binary sigma_eff %.4g, without false contacts %.4g (%lld voxels "
               "cut)\n",
               dist[k], rb.sigma_eff, rc.sigma_eff, (long long)ncut);
        ssb_transport_result_destroy(&rb);
        ssb_transport_result_destroy(&rc);
        ssb_grid_destroy(&g);
        ssb_grid_destroy(&cut);
    }
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_voxel_size),
        cmocka_unit_test(test_feature_sizes),
        cmocka_unit_test(test_resolution_check),
        cmocka_unit_test(test_resolution_image),
        cmocka_unit_test(test_partial_volume),
        cmocka_unit_test(test_false_contacts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
