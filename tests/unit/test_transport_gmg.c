/* Transport: what the "gmg" backend relies on beyond the conformance suite of test_transport.c.
 *  - ssb_grid_through_mask (parallel union-find since the speed-up of the transport solve) against a plain
 *    breadth-first flood fill written here: random sets near the site-percolation thresholds of the simple cubic
 *    lattice (6: 0.3116, 18: 0.1372, 26: 0.0976; Stauffer & Aharony, Introduction to Percolation Theory, 1994,
 *    table 2), every axis, 1 to 3 threads, odd sizes and a grid thinner than the thread slabs.
 *  - Aggregates that split a 2x2x2 block into its connected pieces: a checkerboard of isolated 1-voxel channels
 *    puts two pieces into every block (and, two levels down, more pieces than blocks, where whole blocks are
 *    aggregated instead). Exact discrete values: series layers in each channel give the harmonic mean
 *    (see test_transport.c, test_layers), sigma_eff = eps_channels * N / sum_k 1/s_k, tau = sigma_bulk / that * eps.
 *  - Results do not depend on the thread count (sums are formed per slab of planes, in a fixed order): same
 *    iteration count and the same tau to the last bit for 1, 2 and 3 threads on a 64^3 two-phase structure
 *    (large enough for the parallel path, >= 131072 unknowns).
 *  - The lean level 0 (params.lean = 1: neighbours found from bit masks of the unknowns instead of 24 bytes of
 *    stored indices per unknown) visits the unknowns in the same order with the same arithmetic; its outer iteration
 *    stores no q = A p (formed again in the smoothing walks, the same values) and sums r . r, r . x and z . q per
 *    colour, so it must give the stored-index solve's iterations and tau to 1e-12 (and the compact level 0's to the
 *    last bit): one and two conducting phases, every axis
 *    (each has its own local frame), rows longer than one 64-bit mask word and of odd length (the threads'
 *    slabs are those of the stored level 0, whose thread independence test_threads checks). The
 *    library's own memory accounting (peak_bytes) must drop by the index array: 24 bytes per unknown plus the
 *    1-byte phase index and the 4-byte inverse diagonal, less the masks (per row and colour: 8 bytes per 128 voxels, rounded up, plus one word; a
 *    4-byte row start), and by at most that plus the stored level 0's own x vector (lean and compact solve in the
 *    caller's vector; their peak may then be the set-up's). The default (auto) stores the indices at this size.
 *    The compact level 0 (params.lean = 2: 16-bit ranks in the neighbours' rows): the same bounds with 24 - 12
 *    bytes per unknown, the neighbour counts and (one phase) the phase bytes, less 4 bytes of slack and the row
 *    starts. A lean or compact transport object reuses its
 *    hierarchy for scaled conductivities like a stored one. */
#include "testutil.h"

#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ssb_grid *mkgrid(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6, &g));
    return g;
}

/* Reference: two breadth-first flood fills from the planes 0 and n-1 of axis, bits 1 and 2. */
static void ref_mask(const ssb_grid *g, const uint8_t in_set[256], int axis, int conn, uint8_t *mask)
{
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    const int64_t nv = d[0] * d[1] * d[2];
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    int64_t *queue = malloc((size_t)nv * sizeof *queue);
    assert_non_null(queue);
    memset(mask, 0, (size_t)nv);
    for (int side = 0; side < 2; side++) {
        const uint8_t bit = (uint8_t)(1 + side);
        int64_t head = 0, tail = 0;
        for (int64_t v = 0; v < nv; v++) {
            const int64_t c[3] = {v % d[0], (v / d[0]) % d[1], v / (d[0] * d[1])};
            if (c[axis] == (side ? d[axis] - 1 : 0) && in_set[lab[v]]) {
                mask[v] |= bit;
                queue[tail++] = v;
            }
        }
        while (head < tail) {
            const int64_t v = queue[head++];
            const int64_t x = v % d[0], y = (v / d[0]) % d[1], z = v / (d[0] * d[1]);
            for (int dz = -1; dz <= 1; dz++)
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        const int k = abs(dx) + abs(dy) + abs(dz);
                        if (k == 0 || (conn == 6 && k > 1) || (conn == 18 && k > 2)) continue;
                        const int64_t xx = x + dx, yy = y + dy, zz = z + dz;
                        if (xx < 0 || yy < 0 || zz < 0 || xx >= d[0] || yy >= d[1] || zz >= d[2]) continue;
                        const int64_t w = xx + d[0] * (yy + d[1] * zz);
                        if (in_set[lab[w]] && !(mask[w] & bit)) {
                            mask[w] |= bit;
                            queue[tail++] = w;
                        }
                    }
        }
    }
    free(queue);
}

static void test_through_mask(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t dims[2][3] = {{41, 37, 45}, {30, 25, 2}};
    const int conns[3] = {6, 18, 26};
    const double dens[3] = {0.345, 0.155, 0.11}; /* a little above the thresholds: some clusters span */
    uint8_t set[256] = {0};
    set[3] = set[7] = 1;
    for (int s = 0; s < 2; s++) {
        ssb_grid *g = mkgrid(ctx, dims[s][0], dims[s][1], dims[s][2]);
        const int64_t nv = ssb_grid_get_nvoxels(g);
        uint8_t *mask = malloc((size_t)nv), *ref = malloc((size_t)nv);
        assert_non_null(mask);
        assert_non_null(ref);
        for (int k = 0; k < 3; k++) {
            ssb_rng rng;
            ssb_rng_seed(&rng, 2385 + (uint64_t)(7 * s + k));
            uint8_t *lab = ssb_grid_get_labels(g);
            for (int64_t v = 0; v < nv; v++) { /* labels 3 and 7 in the set, 5 not */
                const double u = ssb_rng_uniform(&rng);
                lab[v] = u < 0.6 * dens[k] ? 3 : u < dens[k] ? 7 : u < 0.8 ? 0 : 5;
            }
            for (int a = 0; a < 3; a++) {
                ref_mask(g, set, a, conns[k], ref);
                int64_t rc[4] = {0, 0, 0, 0};
                for (int64_t v = 0; v < nv; v++) {
                    rc[0] += set[lab[v]] != 0;
                    rc[ref[v]] += ref[v] != 0;
                }
                for (int th = 1; th <= 3; th++) {
                    ssb_ctx_set_threads(ctx, th);
                    int64_t c[4];
                    memset(mask, 0xAB, (size_t)nv);
                    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, (ssb_axis)a, (ssb_connectivity)conns[k], mask, c));
                    assert_memory_equal(mask, ref, (size_t)nv);
                    for (int q = 0; q < 4; q++) assert_int_equal(c[q], rc[q]);
                }
                if (s == 0 && a == 2)
                    printf("     %lld x %lld x %lld, %d-connectivity, density %.4f: %lld set, %lld through z\n",
                           (long long)dims[s][0], (long long)dims[s][1], (long long)dims[s][2], conns[k], dens[k],
                           (long long)rc[0], (long long)rc[3]);
            }
        }
        free(mask);
        free(ref);
        ssb_grid_destroy(&g);
    }
    ssb_ctx_set_threads(ctx, 0);
    ssb_ctx_destroy(&ctx);
    printf("PASS through-mask: union-find == flood fills (6/18/26, x/y/z, 1-3 threads)\n");
}

/* Checkerboard of isolated channels along z ((x + y) even), labels 1 (z < 7) and 2 (z >= 7) in series. */
static void test_pieces(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t n = 32, nz = 12;
    const double s1 = 2.385, s2 = 0.417;
    ssb_grid *g = mkgrid(ctx, n, n, nz);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < n; y++)
            for (int64_t x = 0; x < n; x++)
                ssb_grid_get_labels(g)[x + n * (y + n * z)] = (uint8_t)((x + y) % 2 ? 0 : z < 7 ? 1 : 2);
    double sigma[256] = {0};
    sigma[1] = s1;
    sigma[2] = s2;
    const double seff = 0.5 * (double)nz / (7.0 / s1 + 5.0 / s2);
    const double sbulk = (7.0 * s1 + 5.0 * s2) / (double)nz, tau = 0.5 * sbulk / seff;
    const char *backends[2] = {"gmg", "hypre"};
    for (int b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(backends[b])) continue;
        ssb_transport_params p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "%s", backends[b]);
        p.rtol = 1e-11;
        ssb_transport_result r;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r));
        assert_int_equal(r.converged, 1);
        TU_ASSERT_REL(r.eps, 0.5, 1e-15);
        TU_ASSERT_REL(r.sigma_eff, seff, 1e-9);
        TU_ASSERT_REL(r.tau, tau, 1e-9);
        /* gmg stops by the variational rule (tau from the dissipated power; residual <= sqrt(rtol) = 3.2e-6, so
         * the face currents agree to about that), hypre by the residual rule */
        TU_ASSERT_REL(r.current_out, r.current_in, b == 0 ? 1e-5 : 1e-9);
        if (b == 0) assert_true(r.iterations <= 20);
        printf("PASS %lld isolated channels, 2 phases in series: tau %.9f (exact %.9f), %lld iterations (%s)\n",
               (long long)(n * n / 2), r.tau, tau, (long long)r.iterations, backends[b]);
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_X, &p, &r)); /* no channel crosses x */
        assert_int_equal(r.percolates, 0);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

static void test_threads(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t n = 64;
    ssb_grid *g = mkgrid(ctx, n, n, n);
    ssb_rng rng;
    ssb_rng_seed(&rng, 417);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t v = 0; v < n * n * n; v++) {
        const double u = ssb_rng_uniform(&rng);
        lab[v] = u < 0.45 ? 1 : u < 0.66 ? 2 : 0;
    }
    double sigma[256] = {0};
    sigma[1] = 2.385;
    sigma[2] = 0.417;
    ssb_transport_result r[3];
    for (int th = 1; th <= 3; th++) {
        ssb_transport_params p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "gmg");
        p.nthreads = th;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Y, &p, &r[th - 1]));
        assert_int_equal(r[th - 1].converged, 1);
        assert_true(r[th - 1].n_unknowns >= 131072);
        assert_int_equal(r[th - 1].iterations, r[0].iterations);
        assert_true(r[th - 1].tau == r[0].tau && r[th - 1].current_out == r[0].current_out);
    }
    assert_true(r[0].tau > 1.0 && r[0].iterations <= 20);
    TU_ASSERT_REL(r[0].current_out, r[0].current_in, 1e-6);
    printf("PASS 64^3, 2 phases, %lld unknowns: tau %.9f, %lld iterations with 1, 2 and 3 threads alike\n",
           (long long)r[0].n_unknowns, r[0].tau, (long long)r[0].iterations);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

static void test_lean(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int64_t d[3] = {131, 23, 19}; /* 131: rows of two mask words, odd; the local frames permute the dims */
    ssb_grid *g = mkgrid(ctx, d[0], d[1], d[2]);
    ssb_rng rng;
    ssb_rng_seed(&rng, 2026);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t v = 0; v < d[0] * d[1] * d[2]; v++) {
        const double u = ssb_rng_uniform(&rng);
        lab[v] = u < 0.40 ? 1 : u < 0.62 ? 2 : 0;
    }
    for (int pcase = 0; pcase < 3; pcase++) { /* one phase; two (ratio 5.7); two with a 1e6 contrast (residual rule) */
        const int nphase = pcase == 0 ? 1 : 2;
        double sigma[256] = {0};
        sigma[1] = 2.385;
        if (pcase == 1) sigma[2] = 0.417;
        if (pcase == 2) sigma[2] = 2.385e-6;
        for (int ax = 0; ax < 3; ax++) {
            ssb_transport_result r[3];
            for (int lean = 0; lean <= 2; lean++) {
                ssb_transport_params p = ssb_transport_params_default();
                snprintf(p.backend, sizeof p.backend, "gmg");
                p.lean = lean;
                TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, (ssb_axis)ax, &p, &r[lean]));
                assert_int_equal(r[lean].converged, 1);
            }
            assert_int_equal(r[1].percolates, 1);
            /* lean and compact: the same bits (the same outer iteration without a stored q) */
            assert_int_equal(r[2].iterations, r[1].iterations);
            assert_true(r[2].tau == r[1].tau);
            assert_true(r[2].current_in == r[1].current_in && r[2].current_out == r[1].current_out);
            /* against the stored q: the same iterations, tau to rounding (without a stored q the step length comes
             * from an estimate of p . A p, see cg_run); the inlet face current is first-order in the iterate's
             * error (tau, from the variational current, second-order). At a 1e6 contrast (the residual rule, some
             * 400-500 slowly converging iterations) rounding alone moves the stop by tens of iterations. */
            if (pcase < 2) {
                assert_int_equal(r[1].iterations, r[0].iterations);
                TU_ASSERT_REL(r[1].tau, r[0].tau, 1e-12);
                TU_ASSERT_REL(r[1].current_in, r[0].current_in, 1e-9);
            } else {
                assert_in_range(r[1].iterations, r[0].iterations * 3 / 4, r[0].iterations * 5 / 4);
                TU_ASSERT_REL(r[1].tau, r[0].tau, 1e-7);
            }
            const int64_t n = r[0].n_unknowns, nxl = ax == 0 ? d[1] : d[0];
            const int64_t rows = d[0] * d[1] * d[2] / nxl, nwr = ((nxl + 1) / 2 + 63) / 64 + 1;
            const int64_t masks = 2 * rows * nwr * 8 + 2 * rows * 4 + nwr * 8; /* bits, row starts, zero row */
            /* stored: neighbours, phases, diagonal and, for one phase, the neighbour counts of the exact operator */
            const int64_t counts = nphase == 1 ? n + 1 : 0;
            /* The peaks differ by the level-0 arrays at least (both set-up and solve hold them) and by those plus x
             * at most: lean and compact keep no x of their own (8 (n + 1) bytes; the caller's vector, renumbered in
             * place), so their peak may move into the set-up. Lean: 24 bytes of indices, the phase byte, the
             * inverse diagonal and (one phase) the counts, less the masks. Compact: 12 bytes of ranks (+ 4 of
             * slack) and the row starts instead of 24 bytes of indices and the counts; no phases with one phase. */
            const int64_t xown = 8 * (n + 1), rowst = 2 * rows * 4, phases = nphase == 1 ? n + 1 : 0;
            const int64_t l0lean = 24 * n + (n + 1) + counts + 4 * n - masks;
            const int64_t l0cmp = 24 * n + counts + phases - (12 * n + 4) - rowst;
            assert_in_range(r[0].peak_bytes - r[1].peak_bytes, l0lean, l0lean + xown);
            assert_in_range(r[0].peak_bytes - r[2].peak_bytes, l0cmp, l0cmp + xown);
            if (ax == 2) { /* the default (auto) stores the indices at this size (< 89.5 M unknowns) */
                ssb_transport_result rd;
                TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, NULL, &rd));
                assert_int_equal(rd.peak_bytes, r[0].peak_bytes);
                assert_true(rd.tau == r[0].tau);
            }
            printf("PASS lean and compact level 0, %d phase(s), axis %s, %lld unknowns: %lld iterations, tau %.12f "
                   "alike; solver memory %.1f -> %.1f (lean), %.1f (compact) bytes per unknown\n",
                   nphase, ssb_axis_name((ssb_axis)ax), (long long)n, (long long)r[0].iterations, r[0].tau,
                   (double)r[0].peak_bytes / (double)n, (double)r[1].peak_bytes / (double)n,
                   (double)r[2].peak_bytes / (double)n);
        }
    }
    /* a lean object reuses its hierarchy for conductivities x 1.37 and matches a fresh stored-index solve */
    double s1[256] = {0}, s2[256] = {0};
    s1[1] = 2.385;
    s2[1] = 2.385 * 1.37;
    ssb_transport_params p = ssb_transport_params_default();
    p.lean = 1;
    ssb_transport *t = NULL;
    ssb_transport_result a, b, c;
    TU_OK(ctx, ssb_transport_create(ctx, g, &p, &t));
    TU_OK(ctx, ssb_transport_compute(t, s1, SSB_AXIS_Z, &a));
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Z, &b));
    p.lean = 0;
    TU_OK(ctx, ssb_transport_solve(ctx, g, s2, SSB_AXIS_Z, &p, &c));
    assert_true(a.converged && b.converged && c.converged);
    assert_true(b.setup_time_s < a.setup_time_s || b.setup_time_s < 1e-3);
    TU_ASSERT_REL(b.sigma_eff, 1.37 * a.sigma_eff, 1e-8);
    TU_ASSERT_REL(b.tau, c.tau, 1e-8);
    ssb_transport_destroy(&t);
    /* the same for a compact object */
    p.lean = 2;
    TU_OK(ctx, ssb_transport_create(ctx, g, &p, &t));
    TU_OK(ctx, ssb_transport_compute(t, s1, SSB_AXIS_Z, &a));
    TU_OK(ctx, ssb_transport_compute(t, s2, SSB_AXIS_Z, &b));
    assert_true(a.converged && b.converged);
    TU_ASSERT_REL(b.sigma_eff, 1.37 * a.sigma_eff, 1e-8);
    TU_ASSERT_REL(b.tau, c.tau, 1e-8);
    ssb_transport_destroy(&t);
    /* out of range */
    p.lean = 3;
    assert_int_equal(ssb_transport_solve(ctx, g, s1, SSB_AXIS_Z, &p, &c), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "lean = 3"));
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_through_mask), cmocka_unit_test(test_pieces),
                                       cmocka_unit_test(test_threads), cmocka_unit_test(test_lean)};
    return cmocka_run_group_tests_name("transport_gmg", tests, NULL, NULL);
}
