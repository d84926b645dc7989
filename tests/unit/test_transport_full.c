/* Transport validation on the TauFactor 2 electrode.tiff (256^3, label 0 = pore, VF 0.449917), flux along numpy
 * axis 0 = our z, face-centred Dirichlet, eps_total (taufactor/README.md):
 *   TauFactor 2 docs: tau 2.0776, D_eff 0.2166 (conv_crit 1e-2); independent over-converged solve (Jacobi-PCG to
 *   1e-12): tau 2.077242, D_eff 0.216594, tau_active 2.075027 (eps_active 0.449438).
 * Slow (several seconds per backend on 2 cores): label "full". */
#include "testutil.h"

#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

static ssb_grid *read_tiff8(ssb_ctx *ctx, const char *path)
{
    TIFF *t = TIFFOpen(path, "r");
    if (!t) fail_msg("cannot open %s", path);
    uint32_t w = 0, h = 0;
    uint16_t bps = 8;
    int pages = 0;
    do pages++;
    while (TIFFReadDirectory(t));
    TIFFSetDirectory(t, 0);
    TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
    if (bps != 8) fail_msg("%s: %d bits per sample, expected 8", path, bps);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, w, h, pages, 1e-6, 1e-6, 1e-6, &g));
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int z = 0; z < pages; z++) {
        if (z > 0 && !TIFFReadDirectory(t)) fail_msg("%s: page %d", path, z);
        for (uint32_t y = 0; y < h; y++)
            if (TIFFReadScanline(t, lab + (size_t)w * (y + (size_t)h * z), y, 0) < 0) fail_msg("%s: row %u", path, y);
    }
    TIFFClose(t);
    return g;
}

static void test_electrode(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = read_tiff8(ctx, tu_ref("microstructure/taufactor/electrode.tiff"));
    double sigma[256] = {0};
    sigma[0] = 2.385;
    const char *backends[] = {"gmg", "hypre"};
    for (size_t b = 0; b < 2; b++) {
        if (!ssb_transport_backend_available(backends[b])) continue;
        ssb_transport_params p = ssb_transport_params_default();
        snprintf(p.backend, sizeof p.backend, "%s", backends[b]);
        ssb_transport_result r;
        TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &p, &r));
        assert_int_equal(r.converged, 1);
        TU_ASSERT_REL(r.eps, 0.449917, 1e-6);
        TU_ASSERT_REL(r.eps_percolating, 0.449438, 1e-6);
        TU_ASSERT_REL(r.tau, 2.0776, 0.005);
        TU_ASSERT_REL(r.tau, 2.077242, 2e-6);
        TU_ASSERT_REL(r.sigma_rel, 0.216594, 3e-6);
        TU_ASSERT_REL(r.tau_percolating, 2.075027, 2e-6);
        assert_true(r.flux_mismatch <= 1e-4);
        printf("PASS electrode.tiff pore z: tau %.6f (independent 2.077242, TF2 2.0776), %lld iterations, %.2f s "
               "(%s)\n", r.tau, (long long)r.iterations, r.time_s, backends[b]);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_electrode)};
    return cmocka_run_group_tests_name("transport_full", tests, NULL, NULL);
}
