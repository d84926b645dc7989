/* eis: complex nonlinear least-squares fitting against impedance.py's documented fits of exampleData.csv
 * (tests/reference/eis/impedance.py/README.md), confidence-interval coverage on synthetic spectra with seeded
 * noise, weighting, fixed parameters, bounds, the Student-t quantile and error paths. */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The impedance.py references below were fitted with its default unit weights (sigma = 1 Ohm); ssbnet's default
 * is modulus weighting (test_eis_pellet.c), so these tests ask for unit weights. */
static ssb_eis_fit_params unit_defaults(void)
{
    ssb_eis_fit_params P = ssb_eis_fit_params_default();
    P.weight = SSB_EIS_WEIGHT_UNIT;
    return P;
}

static const ssb_eis_fit_params *unit_p(void)
{
    static ssb_eis_fit_params P;
    P = unit_defaults();
    return &P;
}

static ssb_eis_spectrum *example_data(ssb_ctx *ctx)
{
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/exampleData.csv"), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 66);
    int64_t nd = 0;
    TU_OK(ctx, ssb_eis_spectrum_drop_inductive(ctx, s, &nd));
    assert_int_equal(nd, 9); /* README: 9 highest frequencies are inductive -> 57 points, f <= 1258.9 Hz */
    assert_int_equal(s->n, 57);
    TU_ASSERT_REL(s->f[56], 1258.9, 1e-4);
    return s;
}

/* README "rerun here, full precision" local minimum of R0-p(R1,C1)-p(R2-Wo1,C2) */
static const double g_local[7] = {1.651873e-2, 8.676550e-3, 3.321426, 5.389963e-3, 6.309274e-2, 2.325204e2,
                                  2.195418e-1};

static void test_model_prediction(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *pred = NULL;
    /* exampleData_fit_local_predicted.csv: model of the local fit at the 57 frequencies ('#' header line) */
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/exampleData_fit_local_predicted.csv"),
                                     SSB_EIS_FORMAT_CSV, &pred));
    assert_int_equal(pred->n, 57);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-p(R2-Wo1,C2)", &c));
    double zr[57], zi[57], worst = 0;
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, g_local, 57, pred->f, zr, zi));
    for (int i = 0; i < 57; i++) {
        double e = hypot(zr[i] - pred->zre[i], zi[i] - pred->zim[i]) / hypot(pred->zre[i], pred->zim[i]);
        if (e > worst) worst = e;
    }
    /* the parameters are given to 7 digits, the file to 11: agreement to ~1e-6 */
    assert_true(worst < 2e-6);
    print_message("PASS model at the documented parameters vs exampleData_fit_local_predicted.csv: max rel %.1e\n",
                  worst);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_spectrum_destroy(&pred);
    ssb_ctx_destroy(&ctx);
}

static void test_example_fit(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = example_data(ctx);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-p(R2-Wo1,C2)", &c));
    /* (b) from impedance.py's documented initial guess: SSR <= 1.95e-5 */
    const double guess[7] = {.01, .01, 100, .01, .05, 100, 1};
    ssb_eis_fit_result *r = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, unit_p(), &r));
    print_message("fit from the documented guess: rss %.6e (%s, %d iterations, %d evaluations)\n", r->rss, r->reason,
                  r->iterations, r->nfev);
    for (int k = 0; k < 7; k++)
        print_message("  %-6s %.6e +- %.3e\n", ssb_eis_circuit_get_param_name(c, k), r->p[k], r->std_err[k]);
    assert_true(r->rss <= 1.95e-5);
    TU_ASSERT_REL(r->rss, r->rss_unit, 1e-12); /* unit weights */
    assert_int_equal(r->dof, 114 - 7);
    assert_true(r->converged);
    ssb_eis_fit_result_destroy(&r);

    /* (a) started at the documented local minimum it stays there. The valley along the Warburg is flat: SciPy's
     * unbounded run stopped at Wo1 = (6.309e-2, 232.5) while its bounded run (README) went on to (6.37e-2, 238);
     * we reach the latter with an SSR 1.4e-4 lower (delta chi^2 = 0.015). So: R0, R1, C1, R2, C2 within 0.2 %,
     * the Warburg pair within 0.5 standard errors (README 1.94e-3, 16.2) and at the bounded-run values. */
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g_local, unit_p(), &r));
    const int keep[5] = {0, 1, 2, 3, 6};
    for (int k = 0; k < 5; k++) TU_ASSERT_REL(r->p[keep[k]], g_local[keep[k]], 2e-3);
    assert_true(fabs(r->p[4] - g_local[4]) < 0.5 * 1.94e-3);
    assert_true(fabs(r->p[5] - g_local[5]) < 0.5 * 16.2);
    TU_ASSERT_REL(r->p[4], 6.37e-2, 5e-3);
    TU_ASSERT_REL(r->p[5], 2.38e2, 5e-3);
    assert_true(r->rss <= 1.943017e-5 * (1 + 1e-6));
    TU_ASSERT_REL(r->rss, 1.943017e-5, 2e-4);
    print_message("PASS local minimum kept: rss %.7e (README 1.943017e-5), Wo1 = (%.4g, %.4g) (README bounded run "
                  "6.37e-2, 238)\n",
                  r->rss, r->p[4], r->p[5]);
    ssb_eis_fit_result_destroy(&r);
    /* covariance at exactly the documented point (gtol = 1 stops before the first step): the 1-sigma errors
     * SciPy's curve_fit reports (README: 1.54e-4, 1.91e-4, 0.190, 2.06e-4, 1.94e-3, 16.2, 1.75e-2) */
    ssb_eis_fit_params P0 = unit_defaults();
    P0.gtol = 1.0;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g_local, &P0, &r));
    assert_int_equal(r->iterations, 0);
    for (int k = 0; k < 7; k++) TU_ASSERT_REL(r->p[k], g_local[k], 1e-15);
    TU_ASSERT_REL(r->rss, 1.943017e-5, 1e-6);
    const double se[7] = {1.54e-4, 1.91e-4, 0.190, 2.06e-4, 1.94e-3, 16.2, 1.75e-2};
    for (int k = 0; k < 7; k++) TU_ASSERT_REL(r->std_err[k], se[k], 0.005);
    /* 95 % intervals with t(0.975, 107) */
    double t107 = ssb_eis_student_t_quantile(0.975, 107);
    TU_ASSERT_REL(t107, 1.98238, 1e-5);
    TU_ASSERT_REL(r->ci_high[5] - r->p[5], t107 * r->std_err[5], 1e-12);
    TU_ASSERT_REL(r->p[5] - r->ci_low[5], t107 * r->std_err[5], 1e-12);
    assert_false(r->rank_deficient);
    TU_ASSERT_REL(r->cov[0], r->std_err[0] * r->std_err[0], 1e-12);
    print_message("PASS standard errors at the documented minimum match curve_fit within 0.5 %%\n");
    ssb_eis_fit_result_destroy(&r);

    /* global search finds the lower basin (README basinhopping: SSR 1.406e-5, R1*C1 = 1.2e-3 s) */
    ssb_eis_fit_params P = unit_defaults();
    P.global = 1;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, &P, &r));
    print_message("global: rss %.6e, best start %d of %d, R1 C1 = %.3g s\n", r->rss, r->best_start, r->starts,
                  r->p[1] * r->p[2]);
    assert_true(r->rss <= 1.41e-5);
    assert_true(r->rss >= 1.40e-5);
    TU_ASSERT_REL(r->p[0], 1.65e-2, 0.02);
    ssb_eis_fit_result_destroy(&r);

    /* README "weighted by |Z|" (sigma = [|Z|, |Z|]): 1.64e-2 9.06e-3 3.06 5.29e-3 1.45e-1 1.32e3 2.02e-1, SSR 1.499e-5 */
    P = unit_defaults();
    P.weight = SSB_EIS_WEIGHT_MODULUS;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, &P, &r));
    const double em[7] = {1.64e-2, 9.06e-3, 3.06, 5.29e-3, 1.45e-1, 1.32e3, 2.02e-1};
    for (int k = 0; k < 7; k++) TU_ASSERT_REL(r->p[k], em[k], 4e-3);
    TU_ASSERT_REL(r->rss_unit, 1.499e-5, 1e-3);
    print_message("PASS modulus-weighted fit: unweighted SSR %.4e (README 1.499e-5), weighted chi2 %.4e\n",
                  r->rss_unit, r->rss);
    ssb_eis_fit_result_destroy(&r);

    /* README bounds case ([0]*7, [10,1,1e3,1,1,1e4,100]): R0 1.65e-2 R1 8.68e-3 C1 3.32 R2 5.39e-3 C2 0.220 */
    const double lo[7] = {0, 0, 0, 0, 0, 0, 0}, hi[7] = {10, 1, 1e3, 1, 1, 1e4, 100};
    P = unit_defaults();
    P.lower = lo;
    P.upper = hi;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, &P, &r));
    assert_true(r->rss <= 1.95e-5);
    TU_ASSERT_REL(r->p[0], 1.65e-2, 0.01);
    TU_ASSERT_REL(r->p[2], 3.32, 0.01);
    TU_ASSERT_REL(r->p[6], 0.220, 0.01);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

static void test_other_documented_fits(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = example_data(ctx);
    ssb_eis_circuit *c = NULL;
    ssb_eis_fit_result *r = NULL;
    /* Randles R0-p(R1-Wo1,C1) from [.01,.005,.01,200,.1] (README, upstream test_circuits.py) */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1-Wo1,C1)", &c));
    const double g1[5] = {.01, .005, .01, 200, .1};
    const double e1[5] = {1.86235717e-2, 1.16804085e-2, 6.27121224e-2, 2.21232935e2, 1.17171440};
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g1, unit_p(), &r));
    for (int k = 0; k < 5; k++) TU_ASSERT_REL(r->p[k], e1[k], 2e-4);
    double f10 = 10, zr, zi; /* prediction at 10 Hz: 0.0251618 - 0.00601304j */
    TU_OK(ctx, ssb_eis_circuit_impedance(ctx, c, r->p, 1, &f10, &zr, &zi));
    TU_ASSERT_REL(zr, 0.0251618, 1e-5);
    TU_ASSERT_REL(zi, -0.00601304, 1e-5);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_circuit_destroy(&c);

    /* JOSS paper L_0-R_0-p(R_1,CPE_1)-p(R_2-Wo_1,CPE_2) (README "reproduced" values) */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "L_0-R_0-p(R_1,CPE_1)-p(R_2-Wo_1,CPE_2)", &c));
    const double g2[10] = {1e-8, .01, .005, .1, .9, .005, .1, 200, .1, .9};
    const double e2[10] = {1.276e-7, 1.492e-2, 8.308e-3, 1.132, 0.6848, 7.925e-3, 0.1373, 1231, 3.695, 0.9794};
    ssb_eis_spectrum *s66 = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/exampleData.csv"), SSB_EIS_FORMAT_CSV, &s66));
    TU_OK(ctx, ssb_eis_spectrum_drop_inductive(ctx, s66, NULL));
    TU_OK(ctx, ssb_eis_fit(ctx, c, s66, g2, unit_p(), &r));
    for (int k = 0; k < 10; k++) TU_ASSERT_REL(r->p[k], e2[k], 3e-3);
    assert_string_equal(ssb_eis_circuit_get_param_name(c, 4), "CPE_1_1");
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_spectrum_destroy(&s66);

    /* held parameters: R_0 = 0.02 and Wo_1_1 = 200 (README constants example: R_1 6.79e-3, C_1 5.62, R_2 3.91e-3,
     * C_2 1.36, Wo_1_0 5.88e-2; fitting_example.ipynb guess .005, .1, .005, .1, .001) */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R_0-p(R_1,C_1)-p(R_2,C_2)-Wo_1", &c));
    const double g3[7] = {0.02, .005, .1, .005, .1, .001, 200};
    const int fixed[7] = {1, 0, 0, 0, 0, 0, 1};
    ssb_eis_fit_params P = unit_defaults();
    P.fixed = fixed;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g3, &P, &r));
    assert_int_equal(r->nfree, 5);
    assert_true(r->p[0] == 0.02 && r->p[6] == 200 && r->std_err[0] == 0 && r->std_err[6] == 0);
    /* the two RC arcs in series are interchangeable and the guess is symmetric (R_1 = R_2, C_1 = C_2): accept
     * either labelling, ordered by R C */
    const double e3[5] = {6.79e-3, 5.62, 3.91e-3, 1.36, 5.88e-2};
    int sw = r->p[1] * r->p[2] < r->p[3] * r->p[4];
    const double got[5] = {sw ? r->p[3] : r->p[1], sw ? r->p[4] : r->p[2], sw ? r->p[1] : r->p[3],
                           sw ? r->p[2] : r->p[4], r->p[5]};
    for (int k = 0; k < 5; k++) TU_ASSERT_REL(got[k], e3[k], 5e-3);
    /* notebook errors: R_1 1.08e-3, C_1 1.96, R_2 1.09e-3, C_2 0.261, Wo_1_0 1.25e-3 */
    const double se3[5] = {1.08e-3, 1.96, 1.09e-3, 0.261, 1.25e-3};
    const double gse[5] = {sw ? r->std_err[3] : r->std_err[1], sw ? r->std_err[4] : r->std_err[2],
                           sw ? r->std_err[1] : r->std_err[3], sw ? r->std_err[2] : r->std_err[4], r->std_err[5]};
    for (int k = 0; k < 5; k++) TU_ASSERT_REL(gse[k], se3[k], 0.02);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_circuit_destroy(&c);
    print_message("PASS Randles, JOSS L-R-CPE and held-constant fits match impedance.py\n");
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

/* Coverage: 95 % intervals from s^2 (J^T J)^-1 contain the true parameters in ~95 % of noisy realisations. */
static void coverage(ssb_ctx *ctx, const char *circ, const double *ptrue, const double *guess, double sigma_rel,
                     ssb_eis_weight w, int nreal, double *frac)
{
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, circ, &c));
    int np = ssb_eis_circuit_get_nparams(c);
    ssb_eis_spectrum *clean = NULL, *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, ptrue, 0.0713, 7.1e6, 10, &clean));
    TU_OK(ctx, ssb_eis_spectrum_duplicate(ctx, clean, &s));
    ssb_rng rng;
    ssb_rng_seed(&rng, 4817);
    ssb_eis_fit_params P = unit_defaults();
    P.weight = w;
    int inside = 0, total = 0;
    double chi = 0;
    for (int it = 0; it < nreal; it++) {
        for (int64_t i = 0; i < s->n; i++) {
            double sc = w == SSB_EIS_WEIGHT_UNIT ? sigma_rel : sigma_rel * hypot(clean->zre[i], clean->zim[i]);
            s->zre[i] = clean->zre[i] + sc * ssb_rng_normal(&rng);
            s->zim[i] = clean->zim[i] + sc * ssb_rng_normal(&rng);
        }
        ssb_eis_fit_result *r = NULL;
        TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, &P, &r));
        assert_true(r->converged);
        for (int k = 0; k < np; k++) {
            inside += ptrue[k] >= r->ci_low[k] && ptrue[k] <= r->ci_high[k];
            total++;
        }
        chi += r->chi2_red;
        ssb_eis_fit_result_destroy(&r);
    }
    *frac = (double)inside / total;
    chi /= nreal;
    /* the reduced chi-square estimates the noise variance (unit weights: sigma^2; modulus: sigma_rel^2) */
    TU_ASSERT_REL(chi, sigma_rel * sigma_rel, 0.05);
    ssb_eis_spectrum_destroy(&clean);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
}

static void test_coverage(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    /* SE pellet: bulk and grain-boundary arcs plus a blocking electrode */
    const double pt[8] = {3.17, 481.0, 2.9e-9, 0.93, 1277.0, 4.3e-7, 0.81, 2.2e-6};
    const double g[8] = {5.0, 300.0, 1e-8, 0.9, 2000.0, 1e-6, 0.9, 1e-6};
    double frac_u, frac_m;
    coverage(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)-C3", pt, g, 2.385, SSB_EIS_WEIGHT_UNIT, 150, &frac_u);
    coverage(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)-C3", pt, g, 0.0071, SSB_EIS_WEIGHT_MODULUS, 150, &frac_m);
    print_message("PASS 95%% interval coverage over 150 x 8 parameters: unit weights %.3f, modulus weights %.3f\n",
                  frac_u, frac_m);
    /* binomial sd for 1200 trials ~ 0.006 (the parameters of one fit are correlated: allow +-0.035) */
    assert_true(frac_u > 0.915 && frac_u < 0.985);
    assert_true(frac_m > 0.915 && frac_m < 0.985);
    ssb_ctx_destroy(&ctx);
}



/* Timing of a three-arc fit to 60 points (issue target: < 10 ms median; reported, loosely asserted). */
static void test_three_arc_fit(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)", &c));
    const double pt[10] = {11.3, 52.0, 3.1e-6, 0.91, 137.0, 2.2e-4, 0.84, 410.0, 0.031, 0.77};
    const double g[10] = {10, 40, 1e-6, 0.9, 100, 1e-4, 0.9, 300, 0.01, 0.9};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, pt, 0.01, 1e4, 10, &s));
    assert_int_equal(s->n, 61);
    s->n = 60;
    ssb_rng rng;
    ssb_rng_seed(&rng, 99);
    for (int64_t i = 0; i < s->n; i++) {
        s->zre[i] += 0.05 * ssb_rng_normal(&rng);
        s->zim[i] += 0.05 * ssb_rng_normal(&rng);
    }
    /* The fit of a three-arc circuit to 60 noisy points recovers every parameter within 4 standard errors.
     * (Its speed is measured in bench/bench_eis.c, not here.) */
    ssb_eis_fit_result *r = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, unit_p(), &r));
    for (int j = 0; j < 10; j++) assert_true(fabs(r->p[j] - pt[j]) <= 4 * r->std_err[j]);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

static void test_student_t(void **state)
{
    (void)state;
    /* closed forms: nu = 1 tan(pi (p - 1/2)); nu = 2 (2p - 1) / sqrt(2 p (1 - p)); nu = 4 via
     * q = cos(acos(sqrt(a)) / 3) / sqrt(a), a = 4 p (1 - p), t = 2 sqrt(q - 1) */
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.975, 1), 12.706204736174696, 1e-12);
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.975, 2), 4.302652729749462, 1e-12);
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.975, 4), 2.7764451051977934, 1e-12);
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.9, 4), 1.533206274058944, 1e-12);
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.1, 4), -1.533206274058944, 1e-12);
    /* tables: t(0.975, 10) = 2.228139 */
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.975, 10), 2.228139, 1e-6);
    TU_ASSERT_REL(ssb_eis_student_t_quantile(0.975, 1e6), 1.959966, 1e-5);
    assert_true(isnan(ssb_eis_student_t_quantile(1.0, 5)));
    assert_true(isnan(ssb_eis_student_t_quantile(0.9, 0.5)));
}

static void test_fit_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)", &c));
    const double pt[4] = {7.1, 33.0, 2.4e-5, 0.88};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, pt, 0.1, 1e5, 5, &s));
    ssb_eis_fit_result *r = NULL;
    double g[4] = {5, 20, 1e-5, 1.2};
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, unit_p(), &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "CPE1_1"));
    assert_null(r);
    g[3] = 1.0; /* on the bound alpha <= 1: moved inside, fits the noiseless data exactly */
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, unit_p(), &r));
    for (int k = 0; k < 4; k++) TU_ASSERT_REL(r->p[k], pt[k], 1e-6);
    assert_true(r->rss < 1e-16);
    ssb_eis_fit_result_destroy(&r);
    g[3] = 0.9;
    g[0] = 0.0; /* R on its lower bound 0 of a log transform */
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, unit_p(), &r), SSB_ERR_RANGE);
    g[0] = NAN;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, unit_p(), &r), SSB_ERR_RANGE);
    g[0] = 5;
    ssb_eis_fit_params P = unit_defaults();
    P.confidence = 1.5;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, &P, &r), SSB_ERR_RANGE);
    /* a held parameter outside its bounds (alpha = 1.5) is refused, not used */
    P = unit_defaults();
    const int fx[4] = {0, 0, 0, 1};
    P.fixed = fx;
    g[3] = 1.5;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, &P, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "fixed CPE1_1 = 1.5"));
    g[3] = 0.9;
    P = unit_defaults();
    const double lo[4] = {0, 0, 0, 0}, hi[4] = {10, 0, 1, 1};
    P.lower = lo;
    P.upper = hi;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, &P, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "R1"));
    ssb_eis_weight w;
    assert_int_equal(ssb_eis_weight_parse(ctx, "squared", &w), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "proportional"));
    TU_OK(ctx, ssb_eis_weight_parse(ctx, "Modulus", &w));
    assert_int_equal(w, SSB_EIS_WEIGHT_MODULUS);
    /* too few points for the free parameters */
    int64_t n0 = s->n;
    s->n = 1;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, unit_p(), &r), SSB_ERR_RANGE);
    s->n = n0;
    /* unsorted data is refused by the spectrum check */
    double t = s->f[3];
    s->f[3] = s->f[4];
    s->f[4] = t;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, unit_p(), &r), SSB_ERR_ARG);
    s->f[4] = s->f[3];
    s->f[3] = t;
    /* proportional weighting of noiseless data recovers the parameters too */
    P = unit_defaults();
    P.weight = SSB_EIS_WEIGHT_PROPORTIONAL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, &P, &r));
    for (int k = 0; k < 4; k++) TU_ASSERT_REL(r->p[k], pt[k], 1e-6);
    ssb_eis_fit_result_destroy(&r);
    /* the iteration limit is a result unless asked to be an error */
    P = unit_defaults();
    P.max_iter = 1;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, &P, &r));
    assert_false(r->converged);
    assert_string_equal(r->reason, "max_iter");
    ssb_eis_fit_result_destroy(&r);
    P.error_if_not_converged = 1;
    assert_int_equal(ssb_eis_fit(ctx, c, s, g, &P, &r), SSB_ERR_NOCONV);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* Automatic start values: exampleData's second arc (p(R2-Wo1,C2), R2 C2 = 1.2e-3 s) is faster than the first
 * (R1 C1 = 2.9e-2 s; README local fit), so the string-order assignment starts in the wrong basin: the plain fit
 * ends with flagged parameters, ssb_eis_fit_auto retries with the seeded global search and reaches the good
 * basin (modulus weights: rss 0.0184 against 0.976). The pellet of test_eis_pellet.c needs no retry. */
static void test_fit_auto(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = example_data(ctx);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-p(R2-Wo1,C2)", &c));
    double g[7];
    TU_OK(ctx, ssb_eis_fit_guess(ctx, c, s, g));
    ssb_eis_fit_result *r = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, NULL, &r));
    assert_int_equal(r->status, SSB_EIS_FIT_UNDETERMINED);
    double rss0 = r->rss;
    ssb_eis_fit_result_destroy(&r);
    int retried = -1;
    TU_OK(ctx, ssb_eis_fit_auto(ctx, c, s, g, NULL, &r, &retried));
    assert_int_equal(retried, 1);
    assert_true(r->rss < 0.02 && r->rss < 0.1 * rss0);
    assert_int_equal(r->starts, 48);
    /* the good basin: R0, R1 C1 and R2 C2 as the README's fits (R1, C2 swap roles with the arc order) */
    TU_ASSERT_REL(r->p[0], 1.64e-2, 0.02);
    print_message("PASS automatic start: plain fit rss %.4g (undetermined), retried rss %.4g, R0 %.4g, R1 C1 %.3g s, "
                  "R2 C2 %.3g s\n",
                  rss0, r->rss, r->p[0], r->p[1] * r->p[2], r->p[3] * r->p[6]);
    ssb_eis_fit_result_destroy(&r);
    /* a fit that is fine is not retried */
    TU_OK(ctx, ssb_eis_fit_auto(ctx, c, s, g_local, unit_p(), &r, &retried));
    assert_int_equal(retried, 0);
    assert_int_equal(r->starts, 1);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_prediction), cmocka_unit_test(test_example_fit),
        cmocka_unit_test(test_other_documented_fits), cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_three_arc_fit), cmocka_unit_test(test_student_t), cmocka_unit_test(test_fit_errors), cmocka_unit_test(test_fit_auto)};
    return cmocka_run_group_tests_name("eis_fit", tests, NULL, NULL);
}
