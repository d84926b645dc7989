/* Default backend on TauFactor 2's electrode.tiff (256^3, label 0 = pore, VF 0.449917), flux along the page axis
 * (numpy axis 0 = our z), face-centred Dirichlet, eps_total convention (reference/microstructure/taufactor/README.md):
 * TauFactor 2 docs give tau 2.0776, D_eff 0.2166 (conv_crit 1e-2); the independent over-converged solve gives
 * tau 2.077242, D_eff 0.216594, tau_active 2.075027 (eps_active 0.449438). A few seconds in the optimised build,
 * so it runs with every `make test`; the hypre backend on the same image is in test_transport_full. */
#include "testutil.h"

#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <string.h>

static void test_electrode_default_backend(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref("microstructure/taufactor/electrode.tiff"), NULL, &g));
    double sigma[256] = {0};
    sigma[0] = 0.4173; /* S/m; tau does not depend on it */
    ssb_transport_result r;
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, NULL, &r));
    assert_int_equal(r.converged, 1);
    assert_true(r.flux_mismatch <= 1e-4);
    TU_ASSERT_REL(r.eps, 0.449917, 1e-6);
    TU_ASSERT_REL(r.eps_percolating, 0.449438, 1e-6);
    TU_ASSERT_REL(r.tau, 2.0776, 0.005);           /* TauFactor 2, within 0.5 % */
    TU_ASSERT_REL(r.tau, 2.077242, 1e-5);          /* independent over-converged solve */
    TU_ASSERT_REL(r.tau_percolating, 2.075027, 1e-5);
    TU_ASSERT_REL(r.sigma_rel, 0.216594, 1e-5);
    TU_ASSERT_REL(r.sigma_eff, 0.216594 * 0.4173, 1e-5);
    /* tau at the default rtol 1e-8 is the converged tau to better than 5e-9, so that two solvers stopped at rtol 1e-8
     * (serial gmg and the distributed gmg-mpi, issue 13: equal to 1e-8) agree: the residual test alone left tau
     * 7e-8 off along x and y and, with the K-cycle steps skipped below level 1, 6.5e-8 along z; the inlet current
     * settled to rtol in the last iteration (gmg.c) brings it to 3e-9 for 19 instead of 15 iterations */
    ssb_transport_params tight = ssb_transport_params_default();
    tight.rtol = 1e-12;
    ssb_transport_result rt;
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &tight, &rt));
    TU_ASSERT_REL(r.tau, rt.tau, 5e-9);
    ssb_transport_result rx, rxt; /* along x the residual test alone was 7e-8 off */
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_X, NULL, &rx));
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_X, &tight, &rxt));
    TU_ASSERT_REL(rx.tau, rxt.tau, 5e-9);
    ssb_transport_result_destroy(&rx);
    ssb_transport_result_destroy(&rxt);
    if (strcmp(r.backend, "gmg") == 0)
        assert_true(r.iterations <= 20);
    print_message("electrode.tiff pore z: tau %.10f (TauFactor 2: 2.0776; rtol 1e-12: %.10f), %lld iterations, "
                  "%.2f s (%s)\n",
                  r.tau, rt.tau, (long long)r.iterations, r.time_s, r.backend);
    ssb_transport_result_destroy(&rt);
    ssb_transport_result_destroy(&r);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_electrode_default_backend)};
    return cmocka_run_group_tests_name("transport_electrode", tests, NULL, NULL);
}
