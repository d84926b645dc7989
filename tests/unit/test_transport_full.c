/* Transport validation on the TauFactor 2 electrode.tiff (256^3, label 0 = pore, VF 0.449917), flux along numpy
 * axis 0 = our z, face-centred Dirichlet, eps_total (taufactor/README.md):
 *   TauFactor 2 docs: tau 2.0776, D_eff 0.2166 (conv_crit 1e-2); independent over-converged solve (Jacobi-PCG to
 *   1e-12): tau 2.077242, D_eff 0.216594, tau_active 2.075027 (eps_active 0.449438).
 * Slow (several seconds per backend on 2 cores): label "full". */
#include "testutil.h"

#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_electrode(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref("microstructure/taufactor/electrode.tiff"), NULL, &g));
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
