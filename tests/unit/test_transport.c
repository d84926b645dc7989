/* Transport: conformance suite run against every compiled backend ("gmg", "hypre"): analytic cases (uniform
 * block, channels, series and parallel layers, anisotropic voxels), the TauFactor unit-test geometries, flux
 * conservation, symmetry, fields, non-percolating structures and the error paths. */
#include "testutil.h"

#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *all_backends[] = {"gmg", "hypre"};

static ssb_grid *mkgrid(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double dx, double dy, double dz)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, dx, dy, dz, &g));
    return g;
}

static uint8_t *lab_at(ssb_grid *g, int64_t x, int64_t y, int64_t z)
{
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    return ssb_grid_get_labels(g) + x + d[0] * (y + d[1] * z);
}

static void solve_b(ssb_ctx *ctx, const ssb_grid *g, const double *sigma, ssb_axis ax, const char *backend,
                    double rtol, ssb_transport_dirichlet dir, ssb_transport_result *r)
{
    ssb_transport_params p = ssb_transport_params_default();
    snprintf(p.backend, sizeof p.backend, "%s", backend);
    p.rtol = rtol;
    p.dirichlet = dir;
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, ax, &p, r));
    assert_string_equal(r->backend, r->percolates ? backend : "none");
    if (r->percolates) {
        assert_int_equal(r->converged, 1);
        assert_true(r->flux_mismatch <= 1e-4);
        if (strcmp(backend, "gmg") == 0) {
            /* the variational rule (no fields requested; gmg.c): residual <= sqrt(rtol), tau's estimated
             * relative error <= 0.1 rtol (or the rounding floor of its decrements) or the residual <= rtol
             * already before the first iteration (a uniform block's linear start is exact) */
            assert_true(r->rel_residual <= sqrt(rtol));
            assert_true(r->rel_residual <= rtol || r->tau_rel_error_est <= fmax(0.1 * rtol, 1e-12));
        } else {
            assert_true(r->rel_residual <= rtol);
        }
        TU_ASSERT_REL(r->current_out, r->current_in, 1e-4);
    }
}

/* uniform block: tau = 1 exactly in face mode (TauFactor convention) and in cell mode; every axis. */
static void test_uniform(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = mkgrid(ctx, 12, 13, 14, 1e-6, 1e-6, 1e-6);
    memset(ssb_grid_get_labels(g), 3, 12 * 13 * 14);
    double sigma[256] = {0};
    sigma[3] = 2.385;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        for (int ax = 0; ax < 3; ax++)
            for (int dir = 0; dir < 2; dir++) {
                ssb_transport_result r;
                solve_b(ctx, g, sigma, (ssb_axis)ax, all_backends[b], 1e-10, (ssb_transport_dirichlet)dir, &r);
                TU_ASSERT_REL(r.tau, 1.0, 1e-8);
                TU_ASSERT_REL(r.sigma_eff, 2.385, 1e-8);
                TU_ASSERT_REL(r.macmullin, 1.0, 1e-8);
                TU_ASSERT_REL(r.eps, 1.0, 1e-15);
                TU_ASSERT_REL(r.eps_percolating, 1.0, 1e-15);
                assert_int_equal(r.percolates, 1);
                ssb_transport_result_destroy(&r);
            }
        printf("PASS uniform block tau = 1 (%s, face and cell, x y z)\n", all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* TauFactor tests/test_taufactor.py: zeros((20,20,20)); img[:,0:10,0:10]=1 -> tau = 1, eps = D_eff = 0.25.
 * numpy (z, y, x): the channel is y < 10, x < 10 along z. */
static void test_channel(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = mkgrid(ctx, 20, 20, 20, 0.5e-6, 0.5e-6, 0.5e-6);
    for (int z = 0; z < 20; z++)
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++) *lab_at(g, x, y, z) = 1;
    double sigma[256] = {0};
    sigma[1] = 0.417;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r;
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-10, SSB_DIRICHLET_FACE, &r);
        TU_ASSERT_REL(r.tau, 1.0, 1e-8);
        TU_ASSERT_REL(r.eps, 0.25, 1e-15);
        TU_ASSERT_REL(r.sigma_rel, 0.25, 1e-8);
        /* y: the channel touches both y faces too (y < 10 does not reach y = 19): no path along y */
        solve_b(ctx, g, sigma, SSB_AXIS_Y, all_backends[b], 1e-10, SSB_DIRICHLET_FACE, &r);
        assert_int_equal(r.percolates, 0);
        assert_true(isinf(r.tau) && r.tau > 0);
        printf("PASS straight channel tau = 1, eps 0.25 (%s)\n", all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Series layers normal to the axis. Discrete exact value: the face-Dirichlet half cells (2 s A/h) and the harmonic
 * face conductances add up to a column resistance sum_k h / (s_k A), so sigma_eff = N / sum_k 1/s_k (harmonic mean).
 * Cell mode: the first and last layers are fixed, R = sum_{k=0}^{N-2} h/(2A) (1/s_k + 1/s_{k+1}), L = (N-1) h.
 * Parallel layers (along the axis): sigma_eff = arithmetic mean exactly, tau = 1. Voxels are anisotropic. */
static void test_layers(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double s1 = 2.385, s2 = 0.417;
    const int64_t nx = 6, ny = 5, nz = 9;
    ssb_grid *g = mkgrid(ctx, nx, ny, nz, 0.8e-6, 1.9e-6, 0.45e-6);
    double sigma[256] = {0};
    sigma[1] = s1;
    sigma[2] = s2;
    double sk[9], inv = 0.0, mean = 0.0, cellr = 0.0;
    for (int z = 0; z < nz; z++) {
        uint8_t l = (z % 3 == 1) ? 2 : 1; /* 1 2 1 1 2 1 1 2 1 */
        sk[z] = sigma[l];
        inv += 1.0 / sk[z];
        mean += sk[z] / (double)nz;
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) *lab_at(g, x, y, z) = l;
    }
    for (int z = 0; z + 1 < nz; z++) cellr += 0.5 * (1.0 / sk[z] + 1.0 / sk[z + 1]);
    const double series = (double)nz / inv, series_cell = (double)(nz - 1) / cellr;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r;
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r);
        TU_ASSERT_REL(r.sigma_eff, series, 1e-9);
        TU_ASSERT_REL(r.sigma_bulk, mean, 1e-12);
        TU_ASSERT_REL(r.tau, mean / series, 1e-9);
        TU_ASSERT_REL(r.length, nz * 0.45e-6, 1e-12);
        TU_ASSERT_REL(r.area, nx * 0.8e-6 * ny * 1.9e-6, 1e-12);
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_CELL, &r);
        TU_ASSERT_REL(r.sigma_eff, series_cell, 1e-9);
        /* the same layers are parallel to x and y */
        solve_b(ctx, g, sigma, SSB_AXIS_X, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r);
        TU_ASSERT_REL(r.sigma_eff, mean, 1e-9);
        TU_ASSERT_REL(r.tau, 1.0, 1e-9);
        solve_b(ctx, g, sigma, SSB_AXIS_Y, all_backends[b], 1e-11, SSB_DIRICHLET_CELL, &r);
        TU_ASSERT_REL(r.sigma_eff, mean, 1e-9);
        printf("PASS series %.9f (exact %.9f) and parallel layers, anisotropic voxels (%s)\n", series, series,
               all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

static void random_fill(ssb_grid *g, double frac, uint64_t seed, int nlabels)
{
    ssb_rng rng;
    ssb_rng_seed(&rng, seed);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t i = 0; i < ssb_grid_get_nvoxels(g); i++) {
        double u = ssb_rng_uniform(&rng);
        lab[i] = u < frac ? (uint8_t)(1 + (int)(ssb_rng_uniform(&rng) * nlabels)) : 0;
    }
}

/* Anisotropic voxel sizes: sigma_eff does not change when every h is scaled by one factor, nor when the
 * voxel size changes along x for a structure that does not vary along x (no current along x). */
static void test_anisotropic(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t n = 18;
    ssb_grid *g = mkgrid(ctx, 5, n, n, 1.3e-6, 0.7e-6, 1.1e-6);
    ssb_grid *p = mkgrid(ctx, n, n, n, 1.3e-6, 0.7e-6, 1.1e-6);
    random_fill(p, 0.62, 2385, 2);
    for (int64_t z = 0; z < n; z++) /* extrude the x = 0 slice of p along x */
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < 5; x++) *lab_at(g, x, y, z) = *lab_at(p, 0, y, z);
    double sigma[256] = {0};
    sigma[1] = 2.385;
    sigma[2] = 0.417;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r0, r1, r2, r3;
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r0);
        if (!r0.percolates) fail_msg("test structure must percolate");
        const double h1[3] = {3.9e-6, 0.7e-6, 1.1e-6};
        TU_OK(ctx, ssb_grid_set_voxel_size(ctx, g, h1));
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r1);
        TU_ASSERT_REL(r1.sigma_eff, r0.sigma_eff, 1e-8);
        const double h2[3] = {3.7 * 3.9e-6, 3.7 * 0.7e-6, 3.7 * 1.1e-6};
        TU_OK(ctx, ssb_grid_set_voxel_size(ctx, g, h2));
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r2);
        TU_ASSERT_REL(r2.sigma_eff, r0.sigma_eff, 1e-8);
        /* a genuinely different aspect ratio in the (y, z) plane changes the answer */
        const double h3[3] = {3.9e-6, 2.1e-6, 1.1e-6};
        TU_OK(ctx, ssb_grid_set_voxel_size(ctx, g, h3));
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r3);
        assert_true(fabs(r3.sigma_eff / r0.sigma_eff - 1.0) > 1e-3);
        const double h0[3] = {1.3e-6, 0.7e-6, 1.1e-6};
        TU_OK(ctx, ssb_grid_set_voxel_size(ctx, g, h0));
        printf("PASS anisotropic voxels: scaling and extrusion invariance, sigma_eff %.6g S/m (%s)\n", r0.sigma_eff,
               all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_grid_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* TauFactor tests/test_taufactor.py slanted strip: zeros((20,21,21)); img[i, i:i+2, i:i+2] = 1, flux along
 * numpy axis 0 (our z): tau = 7.51667 = 451/60 (face, eps_total); cell convention 7.789474
 * (INDEPENDENT_CHECKS.md). */
static void test_staircase(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = mkgrid(ctx, 21, 21, 20, 1e-6, 1e-6, 1e-6);
    for (int i = 0; i < 20; i++)
        for (int y = i; y < i + 2; y++)
            for (int x = i; x < i + 2; x++) *lab_at(g, x, y, i) = 1;
    double sigma[256] = {0};
    sigma[1] = 2.385;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r;
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-12, SSB_DIRICHLET_FACE, &r);
        TU_ASSERT_REL(r.tau, 451.0 / 60.0, 1e-8);
        TU_ASSERT_REL(r.eps, 80.0 / (20.0 * 21 * 21), 1e-15);
        TU_ASSERT_REL(r.tau_percolating, r.tau, 1e-15); /* every voxel of the strip percolates */
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-12, SSB_DIRICHLET_CELL, &r);
        TU_ASSERT_REL(r.tau, 7.789474, 1e-6);
        printf("PASS TauFactor staircase tau %.7f (451/60 = %.7f) (%s)\n", 451.0 / 60.0, 451.0 / 60.0,
               all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* TauFactor multiphase tests (tests/test_taufactor.py): all-ones block with D = 0.5; strips {1: 1, 2: 0.5};
 * 3 labels {1: 1, 2: 0.5, 3: 2}; phases parallel to the flux, so tau = D_mean / D_rel = 1 in all three. */
static void test_multiphase(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = mkgrid(ctx, 20, 20, 20, 1e-6, 1e-6, 1e-6);
    double sigma[256] = {0};
    sigma[1] = 1.0;
    sigma[2] = 0.5;
    sigma[3] = 2.0;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        for (int c = 0; c < 3; c++) {
            for (int z = 0; z < 20; z++)
                for (int y = 0; y < 20; y++)
                    for (int x = 0; x < 20; x++)
                        *lab_at(g, x, y, z) = c == 0 ? 2 : c == 1 ? (x < 10 ? 1 : 2) : (uint8_t)(1 + x % 3);
            ssb_transport_result r;
            solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-10, SSB_DIRICHLET_FACE, &r);
            TU_ASSERT_REL(r.tau, 1.0, 1e-8);
            TU_ASSERT_REL(r.eps, 1.0, 1e-15);
        }
        printf("PASS TauFactor multiphase blocks tau = 1 (%s)\n", all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* TauFactor: zeros((20,20,20)); img[:2]=1 -> tau inf; zeros((10,50,50)); img[:8,25,25]=1 -> D_eff 0, tau inf. */
static void test_nonpercolating(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *a = mkgrid(ctx, 20, 20, 20, 1e-6, 1e-6, 1e-6);
    memset(ssb_grid_get_labels(a), 1, 2 * 400);
    ssb_grid *d = mkgrid(ctx, 50, 50, 10, 1e-6, 1e-6, 1e-6);
    for (int z = 0; z < 8; z++) *lab_at(d, 25, 25, z) = 1;
    ssb_grid *e = mkgrid(ctx, 4, 4, 4, 1e-6, 1e-6, 1e-6); /* nothing conducts */
    double sigma[256] = {0};
    sigma[1] = 2.385;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r;
        solve_b(ctx, a, sigma, SSB_AXIS_Z, all_backends[b], 1e-8, SSB_DIRICHLET_FACE, &r);
        assert_int_equal(r.percolates, 0);
        assert_true(isinf(r.tau) && r.tau > 0 && isinf(r.macmullin));
        assert_true(r.sigma_eff == 0.0 && r.eps_percolating == 0.0);
        TU_ASSERT_REL(r.eps, 0.1, 1e-15);
        /* the same slab is a perfect channel along x */
        solve_b(ctx, a, sigma, SSB_AXIS_X, all_backends[b], 1e-10, SSB_DIRICHLET_FACE, &r);
        TU_ASSERT_REL(r.tau, 1.0, 1e-8);
        solve_b(ctx, d, sigma, SSB_AXIS_Z, all_backends[b], 1e-8, SSB_DIRICHLET_FACE, &r);
        assert_int_equal(r.percolates, 0);
        assert_true(isinf(r.tau) && r.sigma_eff == 0.0);
        solve_b(ctx, d, sigma, SSB_AXIS_Z, all_backends[b], 1e-8, SSB_DIRICHLET_CELL, &r);
        assert_int_equal(r.percolates, 0);
        solve_b(ctx, e, sigma, SSB_AXIS_Y, all_backends[b], 1e-8, SSB_DIRICHLET_FACE, &r);
        assert_int_equal(r.percolates, 0);
        assert_true(r.eps == 0.0 && r.sigma_bulk == 0.0 && isinf(r.tau));
        printf("PASS non-percolating and dead-end structures give tau = inf (%s)\n", all_backends[b]);
    }
    ssb_grid_destroy(&a);
    ssb_grid_destroy(&d);
    ssb_grid_destroy(&e);
    ssb_ctx_destroy(&ctx);
}

/* A random two-phase structure: inlet = outlet current, flipping the image along the axis leaves sigma_eff
 * unchanged, dead ends do not change the current, and all backends agree. */
static void test_random_properties(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t nx = 23, ny = 19, nz = 26;
    ssb_grid *g = mkgrid(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6);
    random_fill(g, 0.55, 417, 2);
    ssb_grid *f = mkgrid(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) *lab_at(f, x, y, nz - 1 - z) = *lab_at(g, x, y, z);
    double sigma[256] = {0};
    sigma[1] = 2.385;
    sigma[2] = 0.417;
    double ref = 0.0;
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_result r, rf;
        solve_b(ctx, g, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &r);
        assert_int_equal(r.percolates, 1);
        assert_true(r.tau > 1.0 && r.tau_percolating <= r.tau && r.eps_percolating < r.eps);
        /* inlet = outlet current to the residual: with fields requested every backend stops by the residual rule
         * (without, gmg stops by the variational rule at residual sqrt(rtol), its face currents diagnostics only,
         * and its tau must equal the fields solve's) */
        ssb_transport_params fp = ssb_transport_params_default();
        snprintf(fp.backend, sizeof fp.backend, "%s", all_backends[b]);
        fp.rtol = 1e-11;
        fp.want_fields = 1;
        ssb_transport_result rw;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &fp, &rw));
        assert_true(rw.converged && rw.rel_residual <= 1e-11);
        TU_ASSERT_REL(rw.current_out, rw.current_in, 1e-7);
        TU_ASSERT_REL(r.tau, rw.tau, 1e-10);
        ssb_transport_result_destroy(&rw);
        TU_ASSERT_REL(r.tau, r.eps * r.sigma_bulk / r.sigma_eff, 1e-14);
        TU_ASSERT_REL(r.macmullin, r.tau / r.eps, 1e-14);
        solve_b(ctx, f, sigma, SSB_AXIS_Z, all_backends[b], 1e-11, SSB_DIRICHLET_FACE, &rf);
        TU_ASSERT_REL(rf.sigma_eff, r.sigma_eff, 1e-8);
        if (ref == 0.0) ref = r.sigma_eff;
        TU_ASSERT_REL(r.sigma_eff, ref, 1e-8);
        printf("PASS random structure: tau %.6f, I_in = I_out, flip symmetry, backends agree (%s)\n", r.tau,
               all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_grid_destroy(&f);
    ssb_ctx_destroy(&ctx);
}

/* Fields on series layers: no lateral current, so the current density equals I/A in every voxel and the
 * potential drops by the resistance of each half cell. */
static void test_fields(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t nx = 4, ny = 3, nz = 7;
    ssb_grid *g = mkgrid(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6);
    double sigma[256] = {0};
    sigma[1] = 2.385;
    sigma[2] = 0.417;
    for (int z = 0; z < nz; z++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++) *lab_at(g, x, y, z) = (uint8_t)(z % 2 ? 2 : 1);
    *lab_at(g, 0, 0, 3) = 0; /* a hole: lateral current appears near it */
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        ssb_transport_params p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "%s", all_backends[b]);
        p.want_fields = 1;
        p.rtol = 1e-12;
        ssb_transport_result r;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r));
        assert_non_null(r.potential);
        assert_non_null(r.current);
        /* the plane-averaged current density is I/A in every plane (conservation) */
        for (int z = 0; z < nz; z++) {
            double s = 0.0;
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++) s += r.current[x + nx * (y + ny * z)];
            if (z != 3 && z != 2 && z != 4) TU_ASSERT_REL(s / (nx * ny), r.current_in / r.area, 1e-8);
        }
        assert_true(r.potential[0 + nx * (0 + ny * 3)] == 0.0 && r.current[0 + nx * (0 + ny * 3)] == 0.0);
        for (int z = 1; z < nz; z++) assert_true(r.potential[1 + nx * (1 + ny * z)] < r.potential[1 + nx * (1 + ny * (z - 1))]);
        ssb_transport_result_destroy(&r);
        assert_null(r.potential);
        ssb_transport_result_destroy(&r); /* twice is harmless */
        ssb_transport_result_destroy(NULL);
        /* cell mode without the hole: a 1-D problem, uniform current density including the fixed layers */
        *lab_at(g, 0, 0, 3) = 2;
        p.dirichlet = SSB_DIRICHLET_CELL;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r));
        for (int64_t v = 0; v < nx * ny * nz; v++) TU_ASSERT_REL(r.current[v], r.current_in / r.area, 1e-8);
        assert_true(r.potential[5] == 1.0 && r.potential[5 + nx * ny * (nz - 1)] == 0.0);
        ssb_transport_result_destroy(&r);
        *lab_at(g, 0, 0, 3) = 0;
        printf("PASS potential and current fields, face and cell (%s)\n", all_backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

static int cancel_cb(void *user, const char *stage, double done, double total)
{
    (void)done;
    (void)total;
    int *calls = user;
    if (strncmp(stage, "transport", 9) != 0) return 0;
    (*calls)++;
    return 1;
}

static void test_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = mkgrid(ctx, 16, 15, 17, 1e-6, 1e-6, 1e-6);
    random_fill(g, 0.7, 99, 1);
    double sigma[256] = {0};
    sigma[1] = 2.385;
    ssb_transport_result r;
    ssb_transport_params p = ssb_transport_params_default();
    assert_true(p.rtol == 1e-8 && p.flux_tol == 1e-4 && strcmp(p.backend, "auto") == 0);
    assert_int_equal(ssb_transport_solve(ctx, NULL, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_ARG);
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, (ssb_axis)3, &p, &r), SSB_ERR_ARG);
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, NULL), SSB_ERR_ARG);
    p.rtol = 0.0;
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "rtol"));
    p = ssb_transport_params_default();
    p.max_iter = 0;
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    p = ssb_transport_params_default();
    p.flux_tol = 2.0;
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    p = ssb_transport_params_default();
    snprintf(p.backend, sizeof p.backend, "magic");
    assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "magic"));
    p = ssb_transport_params_default();
    double bad[256] = {0};
    bad[7] = -0.417;
    assert_int_equal(ssb_transport_solve(ctx, g, bad, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "label 7"));
    bad[7] = NAN;
    assert_int_equal(ssb_transport_solve(ctx, g, bad, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    ssb_grid *thin = mkgrid(ctx, 5, 5, 2, 1e-6, 1e-6, 1e-6);
    p.dirichlet = SSB_DIRICHLET_CELL;
    assert_int_equal(ssb_transport_solve(ctx, thin, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_RANGE);
    ssb_grid_destroy(&thin);
    assert_int_equal(ssb_transport_backend_available("gmg"), 1);
    assert_int_equal(ssb_transport_backend_available("auto"), 1);
    assert_int_equal(ssb_transport_backend_available("nope"), 0);
    assert_non_null(ssb_transport_backend_default());
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(all_backends[b])) continue;
        /* non-convergence is a result ... */
        p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "%s", all_backends[b]);
        p.max_iter = 1;
        p.rtol = 1e-14;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r));
        assert_int_equal(r.converged, 0);
        assert_true(r.iterations >= 1 && r.rel_residual > 1e-14);
        assert_non_null(strstr(r.reason, "max_iter"));
        assert_true(r.tau > 1.0 && isfinite(r.tau));
        /* ... or an error on request, with the figures in the message */
        p.error_if_not_converged = 1;
        assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_NOCONV);
        assert_non_null(strstr(ssb_ctx_get_error(ctx), "not converged"));
        /* cancellation through the progress callback */
        int calls = 0;
        ssb_ctx_set_progress(ctx, cancel_cb, &calls);
        p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "%s", all_backends[b]);
        assert_int_equal(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r), SSB_ERR_CANCELLED);
        assert_true(calls == 1);
        ssb_ctx_set_progress(ctx, NULL, NULL);
        printf("PASS error paths, non-convergence and cancellation (%s)\n", all_backends[b]);
    }
    /* sigma table from the phase table */
    ssb_phase ph = {.label = 1, .name = "LPSCl", .role = SSB_ROLE_SE, .sigma_ion = 0.417, .sigma_el = 2e-9};
    TU_OK(ctx, ssb_grid_set_phase(ctx, g, &ph));
    double st[256];
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ION, st));
    assert_true(st[1] == 0.417 && st[0] == 0.0);
    TU_OK(ctx, ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ELECTRON, st));
    assert_true(st[1] == 2e-9);
    assert_int_equal(ssb_transport_sigma_from_phases(ctx, g, (ssb_carrier)5, st), SSB_ERR_ARG);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),        cmocka_unit_test(test_channel),
        cmocka_unit_test(test_layers),         cmocka_unit_test(test_anisotropic),
        cmocka_unit_test(test_staircase),      cmocka_unit_test(test_multiphase),
        cmocka_unit_test(test_nonpercolating), cmocka_unit_test(test_random_properties),
        cmocka_unit_test(test_fields),         cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
