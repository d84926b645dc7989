/* Transport: the three axes on one object (ssb_transport_setup_all + ssb_transport_compute per axis). Where the
 * percolating set is the same along x, y and z the gmg backend builds one multigrid hierarchy in axis z's frame and
 * solves x and y on it with the Dirichlet faces across the planes (the shared path, see transport.c). Checks against
 * three independent ssb_transport_solve calls (the per-axis path, each in its own frame):
 *  (a) a random two-phase field, one conducting phase, in the CLI's order (x, y, z, each released after its
 *      solve) and in the order z, x, y (the hierarchy then built for axis z's own faces first);
 *  (b) three conducting phases with a 1e2 conductivity contrast;
 *  (c) anisotropic voxel sizes (the face conductances differ per axis);
 *  (d) percolating sets that differ between the axes, and (same sets) cell Dirichlet or the lean level 0: the
 *      per-axis path, bit for bit the one-shot results;
 *  (e) fields requested at create: the per-axis path, bit for bit; and the fields of a shared solve
 *      (ssb_transport_get_fields) against those of a want_fields solve.
 * Each: tau within 1e-8 (relative) of the one-shot solve (rtol 1e-8), the same unknowns and percolating fraction,
 * inlet and outlet currents equal to flux_tol; the number of hierarchies built (ssbi_transport_gmg_builds) is 1 for
 * the three axes on the shared path, 3 on the per-axis path. Then the object's life on the shared path: a repeated
 * compute takes 0 iterations, conductivities scaled by one factor keep the hierarchy, a new ratio rebuilds it. */
#include "testutil.h"

#include "transport/transport_impl.h"

#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A random field of labels 0..nlab-1 (label 0 with probability p0, the others alike). */
static ssb_grid *random_grid(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, const double h[3], double p0,
                             int nlab, uint32_t seed)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, h[0], h[1], h[2], &g));
    uint8_t *lab = ssb_grid_get_labels(g);
    uint32_t rng = seed;
    for (int64_t v = 0; v < nx * ny * nz; v++) {
        rng = rng * 1664525u + 1013904223u;
        const double u = (double)(rng >> 8) / 16777216.0;
        lab[v] = u < p0 ? 0 : (uint8_t)(1 + (int)((u - p0) / (1.0 - p0) * (nlab - 1)) % (nlab - 1));
    }
    return g;
}

/* The three axes on one object (order ord[], each released after its solve when release) against one-shot
 * solves; returns the hierarchies built for the object's three solves. */
static int64_t axes_vs_solves(ssb_ctx *ctx, const ssb_grid *g, const double *sigma, const ssb_transport_params *p,
                              const int ord[3], int release, int bitwise, const char *what)
{
    ssb_transport_result ref[3], r[3];
    for (int a = 0; a < 3; a++) TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, p, &ref[a]));
    ssb_transport *t = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, p, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    const int64_t b0 = ssbi_transport_gmg_builds();
    for (int k = 0; k < 3; k++) {
        const int a = ord[k];
        TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &r[a]));
        if (release) ssb_transport_release(t, (ssb_axis)a);
    }
    const int64_t builds = ssbi_transport_gmg_builds() - b0;
    for (int a = 0; a < 3; a++) {
        assert_true(ref[a].percolates && r[a].percolates && r[a].converged);
        assert_int_equal(r[a].n_unknowns, ref[a].n_unknowns);
        assert_true(r[a].eps_percolating == ref[a].eps_percolating);
        if (bitwise) {
            assert_true(r[a].tau == ref[a].tau);
            assert_int_equal(r[a].iterations, ref[a].iterations);
            if (p->want_fields) {
                const size_t nb = (size_t)ssb_grid_get_nvoxels(g) * sizeof(double);
                assert_memory_equal(r[a].potential, ref[a].potential, nb);
                assert_memory_equal(r[a].current, ref[a].current, nb);
            }
        }
        TU_ASSERT_REL(r[a].tau, ref[a].tau, 1e-8);
        TU_ASSERT_REL(r[a].current_in, ref[a].current_in, 1e-6);
        assert_true(ssbi_transport_mismatch(r[a].current_in, r[a].current_out) <= p->flux_tol);
        assert_true(r[a].flux_mismatch <= p->flux_tol);
        print_message("%s, axis %c: tau %.10f vs %.10f (%.1e), %lld vs %lld iterations, set-up %.4f vs %.4f s\n",
                      what, "xyz"[a], r[a].tau, ref[a].tau, fabs(r[a].tau / ref[a].tau - 1.0),
                      (long long)r[a].iterations, (long long)ref[a].iterations, r[a].setup_time_s,
                      ref[a].setup_time_s);
        ssb_transport_result_destroy(&r[a]);
        ssb_transport_result_destroy(&ref[a]);
    }
    ssb_transport_destroy(&t);
    return builds;
}

static const int ord_xyz[3] = {0, 1, 2}, ord_zxy[3] = {2, 0, 1};

/* One case of (a) - (c): a random grid and its conductivities; the three axes in the orders given (x y z released
 * as the CLI does, z x y kept), with 1 thread too when threads1. */
typedef struct {
    const char *what;
    int64_t n[3];
    double h[3], p0;
    int nlab;
    uint32_t seed;
    double sig[3]; /* labels 1..3 */
    int zxy, threads1;
} axes_case;

static void run_case(const axes_case *c)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = random_grid(ctx, c->n[0], c->n[1], c->n[2], c->h, c->p0, c->nlab, c->seed);
    double sigma[256] = {0};
    for (int k = 0; k < 3; k++) sigma[k + 1] = c->sig[k];
    ssb_transport_params p = ssb_transport_params_default();
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 0, c->what), 1);
    if (c->zxy) assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_zxy, 0, 0, c->what), 1);
    /* the compact level 0 (16-bit ranks) moves its Dirichlet faces too: one hierarchy for the three axes */
    p.lean = 2;
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 0, c->what), 1);
    p.lean = -1;
    p.nthreads = 1;
    if (c->threads1) assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 0, c->what), 1);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

static void test_one_phase(void **state)
{
    (void)state;
    const axes_case c = {"(a) one phase", {47, 40, 36}, {1e-6, 1e-6, 1e-6}, 0.4, 2, 11u, {2.5, 0, 0}, 1, 1};
    run_case(&c);
}

static void test_multi_phase(void **state)
{
    (void)state;
    const axes_case c = {"(b) 3 phases, contrast 1e2", {41, 44, 38}, {1e-6, 1e-6, 1e-6}, 0.3, 4, 29u, {1.0, 0.01, 0.3},
                         0, 0};
    run_case(&c);
}

static void test_anisotropic(void **state)
{
    (void)state;
    const axes_case c = {"(c) anisotropic voxels", {38, 45, 33}, {1e-6, 0.7e-6, 1.6e-6}, 0.35, 3, 5u, {1.0, 0.2, 0},
                         1, 0};
    run_case(&c);
}

/* (d) an insulated rod along x: it percolates along x only, so the percolating sets differ; (e) fields */
static void test_fallbacks(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double h[3] = {1e-6, 1e-6, 1e-6};
    const int64_t nx = 40, ny = 30, nz = 28;
    ssb_grid *g = random_grid(ctx, nx, ny, nz, h, 0.38, 3, 77u);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t x = 0; x < nx; x++)
        for (int64_t z = 2; z <= 4; z++)
            for (int64_t y = 2; y <= 4; y++) lab[x + nx * (y + ny * z)] = (y == 3 && z == 3) ? 1 : 0;
    double sigma[256] = {0};
    sigma[1] = 1.0;
    sigma[2] = 0.5;
    ssb_transport_params p = ssb_transport_params_default();
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 1, "(d) sets differ"), 3);
    ssb_grid_destroy(&g);
    g = random_grid(ctx, nx, ny, nz, h, 0.38, 3, 77u);
    /* the same percolating set along the three axes, but cell Dirichlet or the lean level 0: the per-axis path */
    p.dirichlet = SSB_DIRICHLET_CELL;
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 1, "(d) cell Dirichlet"), 3);
    p.dirichlet = SSB_DIRICHLET_FACE;
    p.lean = 1;
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 1, "(d) lean level 0"), 3);
    p.lean = -1;
    p.want_fields = 1;
    assert_int_equal(axes_vs_solves(ctx, g, sigma, &p, ord_xyz, 1, 1, "(e) fields"), 3);
    /* the fields of shared solves (get_fields) against want_fields solves: the iterate without fields stops by the
     * variational rule (residual <= sqrt(rtol)), so the potentials agree to ~1e-4 */
    const int64_t nv = nx * ny * nz;
    double *pot = malloc((size_t)nv * sizeof *pot), *cur = malloc((size_t)nv * sizeof *cur);
    assert_non_null(pot);
    assert_non_null(cur);
    ssb_transport_params q = ssb_transport_params_default();
    ssb_transport *t = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, &q, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    for (int a = 0; a < 3; a++) {
        ssb_transport_result r, f;
        TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &r));
        TU_OK(ctx, ssb_transport_get_fields(t, (ssb_axis)a, pot, cur));
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, &p, &f));
        double dpot = 0.0, dcur = 0.0, cmax = 0.0, flux = 0.0;
        for (int64_t v = 0; v < nv; v++) {
            dpot = fmax(dpot, fabs(pot[v] - f.potential[v]));
            dcur = fmax(dcur, fabs(cur[v] - f.current[v]));
            cmax = fmax(cmax, fabs(f.current[v]));
            flux += cur[v];
        }
        /* the mean of the axial current density over the grid is the current / area: sigma_eff / length */
        const double dom = (double)nv * h[0] * h[1] * h[2];
        const double mean = flux * h[0] * h[1] * h[2] / dom, expect = r.current_in / r.area;
        assert_true(dpot <= 1e-4);
        assert_true(dcur <= 1e-3 * cmax);
        TU_ASSERT_REL(mean, expect, 1e-4);
        TU_ASSERT_REL(r.tau, f.tau, 1e-8);
        print_message("(e) get_fields after a shared solve, axis %c: potential within %.1e, current density within "
                      "%.1e of its maximum, mean current density %.6e A/m^2 (I / A %.6e)\n",
                      "xyz"[a], dpot, dcur / cmax, mean, expect);
        ssb_transport_result_destroy(&r);
        ssb_transport_result_destroy(&f);
    }
    ssb_transport_destroy(&t);
    free(pot);
    free(cur);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* The shared path over an object's life: repeated computes, scaled conductivities, a new ratio, release. */
static void test_shared_life(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double h[3] = {1e-6, 1e-6, 1e-6};
    ssb_grid *g = random_grid(ctx, 36, 34, 40, h, 0.3, 3, 3u);
    double sigma[256] = {0};
    sigma[1] = 1.0;
    sigma[2] = 0.1;
    ssb_transport *t = NULL;
    TU_OK(ctx, ssb_transport_create(ctx, g, NULL, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    const int64_t b0 = ssbi_transport_gmg_builds();
    ssb_transport_result r[3], q;
    for (int a = 0; a < 3; a++) TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &r[a]));
    assert_int_equal(ssbi_transport_gmg_builds() - b0, 1);
    const double sig_x = r[0].sigma_eff;
    /* again: the stored solutions, 0 iterations, the same numbers */
    for (int a = 0; a < 3; a++) {
        TU_OK(ctx, ssb_transport_compute(t, sigma, (ssb_axis)a, &q));
        assert_int_equal(q.iterations, 0);
        assert_true(q.tau == r[a].tau);
    }
    /* every conductivity x 3: the hierarchy is kept, sigma_eff x 3, tau unchanged */
    double s3[256];
    for (int k = 0; k < 256; k++) s3[k] = 3.0 * sigma[k];
    for (int a = 2; a >= 0; a--) {
        TU_OK(ctx, ssb_transport_compute(t, s3, (ssb_axis)a, &q));
        assert_int_equal(q.iterations, 0);
        TU_ASSERT_REL(q.sigma_eff, 3.0 * r[a].sigma_eff, 1e-12);
        TU_ASSERT_REL(q.tau, r[a].tau, 1e-12);
    }
    assert_int_equal(ssbi_transport_gmg_builds() - b0, 1);
    /* a new ratio: one new hierarchy for the three axes, tau as fresh one-shot solves */
    s3[2] = 17.0 * sigma[2];
    for (int a = 0; a < 3; a++) TU_OK(ctx, ssb_transport_compute(t, s3, (ssb_axis)a, &r[a]));
    assert_int_equal(ssbi_transport_gmg_builds() - b0, 2);
    for (int a = 0; a < 3; a++) {
        ssb_transport_result f;
        TU_OK(ctx, ssb_transport_solve(ctx, g, s3, (ssb_axis)a, NULL, &f));
        TU_ASSERT_REL(r[a].tau, f.tau, 1e-8);
        assert_true(r[a].converged);
    }
    const int64_t b1 = ssbi_transport_gmg_builds(); /* (the one-shot solves built theirs) */
    /* released axes: the hierarchy stays while one axis holds it, then goes; a later compute builds a new one */
    ssb_transport_release(t, SSB_AXIS_X);
    ssb_transport_release(t, SSB_AXIS_Z);
    TU_OK(ctx, ssb_transport_compute(t, s3, SSB_AXIS_X, &q)); /* x starts again from the linear guess */
    assert_true(q.iterations > 0);
    assert_int_equal(ssbi_transport_gmg_builds() - b1, 0);
    ssb_transport_release(t, SSB_AXIS_X);
    ssb_transport_release(t, SSB_AXIS_Y); /* the last holder: freed */
    TU_OK(ctx, ssb_transport_compute(t, s3, SSB_AXIS_Y, &q));
    assert_int_equal(ssbi_transport_gmg_builds() - b1, 1);
    print_message("shared path life: repeat 0 iterations, scaled conductivities keep the hierarchy, a new ratio and "
                  "the release of every axis rebuild it\n");
    ssb_transport_destroy(&t);
    /* a hierarchy built for axis z serves axis x with every conductivity x 5 from the linear guess: the faces move
     * and the Dirichlet terms enter the float hierarchy in the build's scale; the iterations of a fresh solve */
    double s5[256];
    for (int k = 0; k < 256; k++) s5[k] = 5.0 * sigma[k];
    TU_OK(ctx, ssb_transport_create(ctx, g, NULL, &t));
    TU_OK(ctx, ssb_transport_setup_all(t, sigma));
    TU_OK(ctx, ssb_transport_compute(t, sigma, SSB_AXIS_Z, &q));
    const int64_t b2 = ssbi_transport_gmg_builds();
    TU_OK(ctx, ssb_transport_compute(t, s5, SSB_AXIS_X, &q));
    assert_int_equal(ssbi_transport_gmg_builds() - b2, 0);
    ssb_transport_result f5;
    TU_OK(ctx, ssb_transport_solve(ctx, g, s5, SSB_AXIS_X, NULL, &f5));
    TU_ASSERT_REL(q.tau, f5.tau, 1e-8);
    TU_ASSERT_REL(q.sigma_eff, 5.0 * sig_x, 1e-8);
    assert_true(q.iterations <= f5.iterations + 1);
    print_message("shared path, axis x on axis z's hierarchy with the conductivities x 5: %lld iterations (fresh "
                  "solve %lld), tau %.10f vs %.10f\n",
                  (long long)q.iterations, (long long)f5.iterations, q.tau, f5.tau);
    ssb_transport_destroy(&t);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_phase),  cmocka_unit_test(test_multi_phase), cmocka_unit_test(test_anisotropic),
        cmocka_unit_test(test_fallbacks),  cmocka_unit_test(test_shared_life),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
