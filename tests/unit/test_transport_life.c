/* Transport life cycle (issue 9): create -> setup / setup_all -> compute -> get_fields -> destroy.
 * Checks: a first compute on an object equals ssb_transport_solve bit for bit on every axis (after setup_all too
 * where the percolating sets of the axes differ, test_life_setup_all_paths: one component labelling must give the
 * flood fills' sets; where they are the same, setup_all solves the three axes on one hierarchy, the shared path,
 * whose tau agrees to the solver tolerance, see test_transport_axes.c); a repeated compute with the same conductivities
 * returns the same numbers with 0 iterations; conductivities scaled by one factor scale sigma_eff by that factor
 * and leave tau unchanged (linearity: the potential does not change); new conductivity ratios agree with a fresh
 * solve to solver tolerance; a new conducting set rebuilds the geometry; the fields of get_fields equal those of a
 * want_fields solve; error paths; the local frame of the x axis (tiled copy) against a transposed image along z.
 * Structure: a generated two-particle-phase electrode in an anisotropic box. */
#include "testutil.h"

#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static ssb_grid *electrode(ssb_ctx *ctx)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 44, 36, 30, 0.5e-6, 0.5e-6, 0.5e-6, &g));
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.nphases = 2;
    p.phase[0].label = 2;
    p.phase[0].fraction = 0.45;
    p.phase[0].psd.kind = SSB_MICRO_PSD_MONO;
    p.phase[0].psd.d_mean = 4e-6;
    p.phase[1].label = 3;
    p.phase[1].fraction = 0.10;
    p.phase[1].psd.kind = SSB_MICRO_PSD_MONO;
    p.phase[1].psd.d_mean = 1.5e-6;
    p.matrix_label = 1;
    p.overlap = 0.1;
    p.tolerance = 0.01;
    p.seed = 2385;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, NULL));
    return g;
}

static void same_result(const ssb_transport_result *a, const ssb_transport_result *b)
{
    assert_true(a->tau == b->tau);
    assert_true(a->sigma_eff == b->sigma_eff);
    assert_true(a->eps_percolating == b->eps_percolating);
    assert_int_equal(a->n_unknowns, b->n_unknowns);
    assert_int_equal(a->iterations, b->iterations);
}

static void test_life_cycle(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = electrode(ctx);
    double sigma[256] = {0};
    sigma[1] = 0.2385; /* SE matrix */
    sigma[3] = 1.7;    /* small particles conduct too: two conducting phases */
    ssb_transport_result ref[3], r;
    for (int a = 0; a < 3; a++)
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, NULL, &ref[a]));

    /* one object, one labelling for the three axes (the same percolating set along x, y and z: one hierarchy, the
     * shared path): the one-shot solves' tau to the solver tolerance, the same unknowns */
    ssb_transport *t = NULL;
    ssb_transport_result first[3];
    TU_OK(ctx, ssb_transport_create(ctx, g, NULL, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    for (int a = 0; a < 3; a++) {
        TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &first[a]));
        TU_ASSERT_REL(first[a].tau, ref[a].tau, 1e-8);
        assert_true(first[a].eps_percolating == ref[a].eps_percolating);
        assert_int_equal(first[a].n_unknowns, ref[a].n_unknowns);
        assert_true(first[a].iterations > 0);
    }
    /* again, same conductivities: the stored solution is confirmed, 0 iterations, same numbers */
    for (int a = 0; a < 3; a++) {
        TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &r));
        assert_int_equal(r.iterations, 0);
        assert_true(r.tau == first[a].tau && r.sigma_eff == first[a].sigma_eff);
    }
    /* every conductivity times 2.385 (e.g. one Arrhenius factor): sigma_eff x 2.385, tau unchanged */
    double s2[256];
    for (int k = 0; k < 256; k++)
        s2[k] = 2.385 * sigma[k];
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Z, &r));
    assert_int_equal(r.iterations, 0);
    TU_ASSERT_REL(r.sigma_eff, 2.385 * first[2].sigma_eff, 1e-12);
    TU_ASSERT_REL(r.tau, first[2].tau, 1e-12);
    /* a new ratio: agrees with a fresh solve to solver tolerance */
    s2[3] = 17.0 * sigma[3];
    ssb_transport_result fresh;
    TU_OK(ctx, ssb_transport_solve(ctx, g, s2, SSB_AXIS_Z, NULL, &fresh));
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Z, &r));
    TU_ASSERT_REL(r.tau, fresh.tau, 1e-6);
    assert_true(r.converged);
    print_message("PASS life cycle: tau x/y/z %.6f %.6f %.6f as the one-shot solves (%lld/%lld/%lld "
                  "iterations); repeat 0 iterations; ratio change: %lld iterations warm vs %lld fresh, tau %.8f vs "
                  "%.8f\n",
                  ref[0].tau, ref[1].tau, ref[2].tau, (long long)ref[0].iterations, (long long)ref[1].iterations,
                  (long long)ref[2].iterations, (long long)r.iterations, (long long)fresh.iterations, r.tau, fresh.tau);
    /* a new conducting set (the small particles stop conducting): geometry rebuilt, equal to a fresh solve */
    s2[3] = 0.0;
    TU_OK(ctx, ssb_transport_solve(ctx, g, s2, SSB_AXIS_Y, NULL, &fresh));
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Y, &r));
    same_result(&r, &fresh);
    assert_true(r.eps < ref[1].eps);

    /* fields of the last compute: those of the iterate the solve stopped at. Without want_fields gmg stops by the
     * variational rule (residual <= sqrt(rtol)): close to the want_fields solve's (residual <= rtol); an object
     * created with want_fields stops by the residual rule and gives that solve's fields bit for bit */
    const int64_t nv = ssb_grid_get_nvoxels(g);
    double *pot = malloc((size_t)nv * sizeof *pot), *cur = malloc((size_t)nv * sizeof *cur);
    assert_non_null(pot);
    assert_non_null(cur);
    TU_OK(ctx, ssb_transport_get_fields(t, SSB_AXIS_Y, pot, cur));
    ssb_transport_params fp = ssb_transport_params_default();
    fp.want_fields = 1;
    TU_OK(ctx, ssb_transport_solve(ctx, g, s2, SSB_AXIS_Y, &fp, &fresh));
    double dpot = 0.0;
    for (int64_t i = 0; i < nv; i++) dpot = fmax(dpot, fabs(pot[i] - fresh.potential[i]));
    assert_true(dpot <= 1e-4 && (strcmp(r.backend, "gmg") != 0 || dpot > 0.0));
    TU_ASSERT_REL(r.tau, fresh.tau, 1e-8);
    ssb_transport *tf = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, &fp, &tf));
    TU_OK(ctx, ssb_transport_compute(tf, s2, SSB_AXIS_Y, &r));
    ssb_transport_result_destroy(&r);
    TU_OK(ctx, ssb_transport_get_fields(tf, SSB_AXIS_Y, pot, cur));
    assert_memory_equal(pot, fresh.potential, (size_t)nv * sizeof *pot);
    assert_memory_equal(cur, fresh.current, (size_t)nv * sizeof *cur);
    ssb_transport_destroy(&tf);
    ssb_transport_result_destroy(&fresh);

    /* release: the axis starts again from scratch (linear guess, new hierarchy): the one-shot numbers again */
    ssb_transport_release(t, SSB_AXIS_Y);
    assert_int_equal(ssb_transport_get_fields(t, SSB_AXIS_Y, pot, cur), SSB_ERR_ARG);
    TU_OK(ctx, ssb_transport_solve(ctx, g, s2, SSB_AXIS_Y, NULL, &fresh));
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Y, &r));
    same_result(&r, &fresh);
    ssb_transport_release(NULL, SSB_AXIS_X); /* no-op */

    /* errors */
    ssb_transport *t2 = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, NULL, &t2));
    assert_int_equal(ssb_transport_get_fields(t2, SSB_AXIS_X, pot, cur), SSB_ERR_ARG);
    assert_int_equal(ssb_transport_compute(t2, NULL, SSB_AXIS_X, &r), SSB_ERR_ARG);
    assert_int_equal(ssb_transport_compute(t2, sigma, (ssb_axis)5, &r), SSB_ERR_ARG);
    s2[1] = -1.0;
    assert_int_equal(ssb_transport_compute(t2, s2, SSB_AXIS_X, &r), SSB_ERR_RANGE);
    assert_int_equal(ssb_transport_setup_all(t2, s2), SSB_ERR_RANGE);
    assert_int_equal(ssb_transport_compute(NULL, sigma, SSB_AXIS_X, &r), SSB_ERR_ARG);
    ssb_transport_params bad = ssb_transport_params_default();
    bad.rtol = 2.0;
    ssb_transport *t3 = NULL;
    assert_int_equal(ssb_transport_create(ctx, g, &bad, &t3), SSB_ERR_RANGE);
    assert_null(t3);
    ssb_transport_destroy(&t2);
    assert_null(t2);
    ssb_transport_destroy(&t2); /* no-op */
    ssb_transport_destroy(&t);
    free(pot);
    free(cur);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* A structure that does not percolate along z (layers normal to z with a dead layer) through the object: tau inf,
 * the same as the one-shot solve; along x it percolates. */
static void test_life_nonpercolating(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 10, 11, 12, 1e-6, 1e-6, 1e-6, &g));
    ssb_micro_shape_params lp = ssb_micro_shape_params_default(SSB_MICRO_SHAPE_LAYERS);
    lp.nlayers = 2;
    lp.labels[0] = 1;
    lp.labels[1] = 2;
    lp.thickness[0] = 3;
    lp.thickness[1] = 2;
    lp.axis = SSB_AXIS_Z;
    TU_OK(ctx, ssb_micro_generate_shape(ctx, g, &lp));
    double sigma[256] = {0};
    sigma[1] = 3.0;
    ssb_transport *t = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, NULL, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    ssb_transport_result r;
    TU_OK(ctx, ssb_transport_compute(t, sigma, SSB_AXIS_Z, &r));
    assert_false(r.percolates);
    assert_true(isinf(r.tau));
    TU_OK(ctx, ssb_transport_compute(t, sigma, SSB_AXIS_X, &r));
    assert_true(r.percolates);
    /* parallel layers: sigma_eff = eps sigma, tau = 1 */
    TU_ASSERT_REL(r.tau, 1.0, 1e-6);
    ssb_transport_destroy(&t);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Along x the front end copies the image into the local frame (local z = image x) in tiles of 64 planes: a
 * random two-phase image A (150 x 21 x 17: tiles of 64, 64 and 22 planes) solved along x must give bit for bit the
 * result of the image B(x', y', z') = A(z', x', y') solved along z, whose local frame is the same with the plain
 * copy; face- and cell-centred Dirichlet planes (the latter skips the first and last layer). */
static void test_life_x_frame(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t nx = 150, ny = 21, nz = 17;
    ssb_grid *a = NULL, *b = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6, &a));
    TU_OK(ctx, ssb_grid_create(ctx, ny, nz, nx, 1e-6, 1e-6, 1e-6, &b));
    uint8_t *la = ssb_grid_get_labels(a), *lb = ssb_grid_get_labels(b);
    uint32_t rng = 12345u;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                rng = rng * 1664525u + 1013904223u;
                const uint32_t u = rng >> 24; /* 0..255 */
                const uint8_t lab = u < 100 ? 0 : u < 200 ? 1 : 2;
                la[x + nx * (y + ny * z)] = lab;
                lb[y + ny * (z + nz * x)] = lab;
            }
    double sigma[256] = {0};
    sigma[1] = 1.0;
    sigma[2] = 0.25;
    for (int cell = 0; cell < 2; cell++) {
        ssb_transport_params p = ssb_transport_params_default();
        p.dirichlet = cell ? SSB_DIRICHLET_CELL : SSB_DIRICHLET_FACE;
        ssb_transport_result ra, rb;
        TU_OK(ctx, ssb_transport_solve(ctx, a, sigma, SSB_AXIS_X, &p, &ra));
        TU_OK(ctx, ssb_transport_solve(ctx, b, sigma, SSB_AXIS_Z, &p, &rb));
        assert_true(ra.percolates && ra.n_unknowns > 0);
        same_result(&ra, &rb);
        print_message("x frame (%s Dirichlet): tau %.9f, %lld unknowns, both ways\n", cell ? "cell" : "face",
                      ra.tau, (long long)ra.n_unknowns);
        ssb_transport_result_destroy(&ra);
        ssb_transport_result_destroy(&rb);
    }
    ssb_grid_destroy(&a);
    ssb_grid_destroy(&b);
    ssb_ctx_destroy(&ctx);
}

/* ssb_transport_setup_all builds the phase maps straight from the connected components, or (cell-centred Dirichlet
 * with fields) through a kept through-mask: both paths must give the one-shot solve's result bit for bit on every
 * axis (x: the tiled copy), on a random image with isolated and dead-end pieces (52 % conducting: the percolating
 * set is a strict subset of the conducting voxels, checked). */
static void test_life_setup_all_paths(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t nx = 70, ny = 23, nz = 19;
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6, &g));
    uint8_t *lab = ssb_grid_get_labels(g);
    uint32_t rng = 987u;
    int64_t nset = 0;
    for (int64_t v = 0; v < nx * ny * nz; v++) {
        rng = rng * 1664525u + 1013904223u;
        const uint32_t u = rng >> 24;
        lab[v] = u < 123 ? 0 : u < 200 ? 1 : 2;
    }
    /* an insulated rod along x (label 1) and one along y (label 2): each percolates along its own axis only, so the
     * three axes' percolating sets differ */
    for (int64_t x = 0; x < nx; x++)
        for (int64_t z = 2; z <= 4; z++)
            for (int64_t y = 2; y <= 4; y++) lab[x + nx * (y + ny * z)] = (y == 3 && z == 3) ? 1 : 0;
    for (int64_t y = 0; y < ny; y++)
        for (int64_t z = 12; z <= 14; z++)
            for (int64_t x = 40; x <= 42; x++) lab[x + nx * (y + ny * z)] = (x == 41 && z == 13) ? 2 : 0;
    for (int64_t v = 0; v < nx * ny * nz; v++) nset += lab[v] != 0;
    double sigma[256] = {0};
    sigma[1] = 1.0;
    sigma[2] = 0.4;
    for (int mode = 0; mode < 4; mode++) {
        ssb_transport_params p = ssb_transport_params_default();
        p.dirichlet = (mode & 1) ? SSB_DIRICHLET_CELL : SSB_DIRICHLET_FACE;
        p.want_fields = (mode >> 1) & 1;
        ssb_transport *t = NULL;
        TU_OK(ctx, ssb_transport_create(ctx, g, &p, &t));
        TU_OK(ctx, ssb_transport_setup_all(t, sigma));
        int64_t nunk[3];
        for (int a = 0; a < 3; a++) {
            ssb_transport_result ref, r;
            TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, &p, &ref));
            TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &r));
            assert_true(ref.percolates && ref.n_unknowns > 0);
            assert_true(ref.eps_percolating * (double)(nx * ny * nz) < 0.999 * (double)nset);
            same_result(&r, &ref);
            nunk[a] = r.n_unknowns;
            ssb_transport_result_destroy(&ref);
            ssb_transport_result_destroy(&r);
        }
        assert_true(nunk[0] != nunk[1] && nunk[1] != nunk[2] && nunk[0] != nunk[2]);
        ssb_transport_destroy(&t);
    }
    print_message("setup_all: face / cell Dirichlet, with and without fields: bit-identical to one-shot solves\n");
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_life_cycle),
        cmocka_unit_test(test_life_nonpercolating),
        cmocka_unit_test(test_life_x_frame),
        cmocka_unit_test(test_life_setup_all_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
