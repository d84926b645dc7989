/* eis: lin-KK (Schoenleber et al. 2014) against impedance.py's validation test on Circuit3_EIS_1.z
 * (tests/reference/eis/impedance.py/README.md), residuals of KK-compliant and drifting spectra, options. */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_circuit3(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/Circuit3_EIS_1.z"), SSB_EIS_FORMAT_AUTO, &s));
    assert_int_equal(s->n, 53);
    TU_ASSERT_REL(s->f[0], 1.5e5, 1e-12);
    TU_ASSERT_REL(s->zre[0], 1493.7, 1e-12);
    TU_ASSERT_REL(s->zim[0], 10.377, 1e-12);
    /* README: linKK(f, Z, c=0.69) -> M = 10, mu = 0.6843821117885378, first fitted points
     * 1504.77272562 + 22.16017851j and 1495.0921936 - 8.0883861j */
    ssb_eis_kk_params P = ssb_eis_kk_params_default();
    P.rule = SSB_EIS_KK_RULE_MU; /* impedance.py's rule */
    P.c = 0.69;
    ssb_eis_kk_result *r = NULL;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
    assert_int_equal(r->M, 10);
    TU_ASSERT_REL(r->mu, 0.6843821117885378, 1e-9);
    TU_ASSERT_REL(r->zre_fit[0], 1504.77272562, 1e-9);
    TU_ASSERT_REL(r->zim_fit[0], 22.16017851, 1e-8);
    TU_ASSERT_REL(r->zre_fit[1], 1495.0921936, 1e-9);
    TU_ASSERT_REL(r->zim_fit[1], -8.0883861, 1e-7);
    /* tau grid: 1/(2 pi f_max) .. 1/(2 pi f_min) */
    TU_ASSERT_REL(r->tau[0], 1.0 / (2 * 3.14159265358979323846 * 1.5e5), 1e-12);
    TU_ASSERT_REL(r->tau[9], 1.0 / (2 * 3.14159265358979323846 * 1.0), 1e-12);
    /* residuals relative to |Z| */
    double m0 = hypot(s->zre[0], s->zim[0]);
    TU_ASSERT_REL(r->res_re[0], (s->zre[0] - r->zre_fit[0]) / m0, 1e-12);
    print_message("PASS lin-KK Circuit3_EIS_1.z (c = 0.69): M = %d, mu = %.10f, max residual %.2f %%\n", r->M, r->mu,
                  100 * r->max_res);
    ssb_eis_kk_result_destroy(&r);
    /* Schoenleber's cut-off c = 0.85 stops earlier */
    ssb_eis_kk_params Pm = ssb_eis_kk_params_default();
    Pm.rule = SSB_EIS_KK_RULE_MU;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &Pm, &r));
    assert_true(r->M <= 10);
    assert_true(r->mu <= 0.85);
    print_message("PASS mu rule, c = 0.85: M = %d, mu = %.4f\n", r->M, r->mu);
    ssb_eis_kk_result_destroy(&r);
    /* the default rule on this measured spectrum: KK-consistent, residuals at its noise level */
    TU_OK(ctx, ssb_eis_kk(ctx, s, NULL, &r));
    assert_int_equal(r->rule, SSB_EIS_KK_RULE_CHI2);
    assert_int_equal(r->consistent, 1);
    assert_true(r->max_res < 0.01);
    print_message("PASS chi2 rule: M = %d, max residual %.3f %%, noise %.3f %%\n", r->M, 100 * r->max_res,
                  100 * r->noise);
    ssb_eis_kk_result_destroy(&r);
    /* CSV output */
    char path[512];
    snprintf(path, sizeof path, "%s/kk.csv", tu_tmpdir());
    P.m = 10;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
    TU_ASSERT_REL(r->mu, 0.6843821117885378, 1e-9); /* fixed M reproduces the automatic run */
    TU_OK(ctx, ssb_eis_kk_write_csv(ctx, path, s, r));
    ssb_eis_spectrum *back = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, path, SSB_EIS_FORMAT_AUTO, &back));
    assert_int_equal(back->n, 53);
    TU_ASSERT_REL(back->zim[7], s->zim[7], 1e-10);
    ssb_eis_spectrum_destroy(&back);
    ssb_eis_kk_result_destroy(&r);
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

/* A circuit spectrum is KK-compliant: residuals stay tiny; a drift in Z' during the sweep breaks KK. */
static void test_compliance(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)", &c));
    const double p[7] = {21.7, 148.0, 3.3e-6, 0.87, 412.0, 2.9e-3, 0.79};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 0.05, 2e5, 8, &s));
    ssb_eis_kk_params P = ssb_eis_kk_params_default();
    const ssb_eis_kk_fit types[3] = {SSB_EIS_KK_REAL, SSB_EIS_KK_IMAG, SSB_EIS_KK_COMPLEX};
    double good[3];
    for (int t = 0; t < 3; t++) {
        P.fit_type = types[t];
        ssb_eis_kk_result *r = NULL;
        TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
        good[t] = r->max_res;
        /* a CPE is a continuous distribution: the finite RC series leaves residuals below ~1 % */
        assert_true(r->max_res < (t == 0 ? 1.5e-2 : 5e-3));
        assert_int_equal(r->consistent, 1);
        ssb_eis_kk_result_destroy(&r);
    }
    /* drift: Z' grows by 10 % of R2 over the (descending) sweep, as in a cell that changes while measured */
    for (int64_t i = 0; i < s->n; i++) s->zre[i] += 0.1 * p[4] * (double)i / (double)(s->n - 1);
    P.fit_type = SSB_EIS_KK_COMPLEX;
    ssb_eis_kk_result *r = NULL;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
    print_message("PASS KK residuals: compliant %.1e / %.1e / %.1e (real/imag/complex), drifting %.1e\n", good[0],
                  good[1], good[2], r->max_res);
    assert_true(r->max_res > 5 * good[2]);
    assert_true(r->max_res > 1e-2);
    assert_int_equal(r->consistent, 0);
    ssb_eis_kk_result_destroy(&r);
    /* a series capacitance (blocking electrode) with add_cap */
    ssb_eis_circuit_destroy(&c);
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-C2", &c));
    const double q[4] = {13.0, 250.0, 1.1e-7, 4.7e-5};
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, q, 0.1, 1e6, 10, &s));
    P = ssb_eis_kk_params_default();
    P.add_cap = 1;
    P.fit_type = SSB_EIS_KK_COMPLEX;
    /* the mu criterion stops at M = 3 here (one RC arc is poorly matched by 3.5-decade spacing); use a fixed,
     * dense set of time constants as in the manual mode */
    P.m = 28;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
    assert_int_equal(r->M, 28);
    TU_ASSERT_REL(r->C, 4.7e-5, 0.02);
    assert_true(r->max_res < 1e-2);
    ssb_eis_kk_result_destroy(&r);
    /* errors */
    P = ssb_eis_kk_params_default();
    P.c = 1.5;
    assert_int_equal(ssb_eis_kk(ctx, s, &P, &r), SSB_ERR_RANGE);
    assert_null(r);
    P = ssb_eis_kk_params_default();
    P.m = 500;
    assert_int_equal(ssb_eis_kk(ctx, s, &P, &r), SSB_ERR_RANGE);
    s->zim[3] = NAN;
    assert_int_equal(ssb_eis_kk(ctx, s, NULL, &r), SSB_ERR_RANGE);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* Issue 8 defect 5: finite but extreme data (|Z| ~ 1e308) gave mu and chi2 NaN with "max residual 0 %". The
 * test is scale-free: the same spectrum times 1e305 gives the same M, mu and relative residuals, and the
 * coefficients times 1e305. Also: a capacitive tail (blocking electrode) is detected and add_cap fixes it. */
static void test_extreme_and_tail(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)", &c));
    const double p[4] = {100, 1000, 1e-6, 0.9};
    ssb_eis_spectrum *s = NULL, *big = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 0.1, 1e6, 8, &s));
    TU_OK(ctx, ssb_eis_spectrum_duplicate(ctx, s, &big));
    for (int64_t i = 0; i < s->n; i++) {
        big->zre[i] *= 1e305;
        big->zim[i] *= 1e305;
    }
    ssb_eis_kk_result *a = NULL, *b = NULL;
    /* M fixed at 20: the mu criterion (c = 0.85, as impedance.py) stops this smooth CPE arc at M = 4 */
    ssb_eis_kk_params P20 = ssb_eis_kk_params_default();
    P20.m = 20;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P20, &a));
    TU_OK(ctx, ssb_eis_kk(ctx, big, &P20, &b));
    assert_int_equal(a->M, b->M);
    assert_true(isfinite(b->mu) && isfinite(b->chi2) && isfinite(b->max_res));
    TU_ASSERT_REL(b->mu, a->mu, 1e-9);
    TU_ASSERT_REL(b->max_res, a->max_res, 1e-6);
    TU_ASSERT_REL(b->r_ohm, 1e305 * a->r_ohm, 1e-9);
    print_message("  R-CPE arc: M %d mu %.4f max residual %.3e\n", a->M, a->mu, a->max_res);
    assert_true(a->max_res < 0.01 && a->max_res > 0); /* a KK-compliant R-CPE arc */
    assert_false(a->needs_capacitor);
    print_message("PASS |Z| x 1e305: M %d, mu %.6f, max residual %.3e (unscaled %.3e)\n", b->M, b->mu, b->max_res,
                  a->max_res);
    ssb_eis_kk_result_destroy(&a);
    ssb_eis_kk_result_destroy(&b);
    ssb_eis_spectrum_destroy(&big);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    /* blocking electrode: R0-p(R1,CPE1)-CPE2 has no DC intercept */
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-CPE2", &c));
    const double q[6] = {100, 1000, 1e-6, 0.9, 1e-5, 0.85};
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, q, 0.1, 1e6, 8, &s));
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P20, &a));
    assert_true(a->needs_capacitor);
    ssb_eis_kk_params P = P20;
    P.add_cap = 1;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &b));
    assert_false(b->needs_capacitor);
    TU_ASSERT_REL(a->max_res_with_capacitor, b->max_res, 1e-12);
    /* exact data: with the capacitor the residuals are small, without it they are not */
    assert_true(b->max_res < 0.02 && a->max_res > 5 * b->max_res);
    print_message("PASS capacitive tail detected: max residual %.3g %% without, %.3g %% with the capacitor\n",
                  100 * a->max_res, 100 * b->max_res);
    ssb_eis_kk_result_destroy(&a);
    ssb_eis_kk_result_destroy(&b);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* Session 12: the automatic M. Schoenleber's mu criterion (c = 0.85, as impedance.py 1.7) stopped a perfect
 * R0 + R1||C1 spectrum (10 Ohm, 100 Ohm, 1 uF; 29 points, 1 MHz .. 0.1 Hz) at M = 3 with a 65 % residual: negative
 * R_k of a poor coarse-grid fit make mu dip below c. An independent numpy lin-KK on the same tau grid gives
 * 69 / 59 / 14 / 0.67 % at M = 3 / 5 / 10 / 20 (complex least squares), so the fit was right and the stop wrong. The
 * default rule (pseudo chi-square plateau, Yrjana & Bobacka 2024) must pass compliant spectra with residuals at
 * their noise level and still flag drift, a wrong-sign point and an inductive artefact. */
static double tu_gauss(unsigned long long *st)
{
    /* Box-Muller on a 64-bit LCG (Knuth MMIX constants): reproducible noise */
    double u[2];
    for (int k = 0; k < 2; k++) {
        *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
        u[k] = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2.0 * log(u[0])) * cos(2.0 * 3.14159265358979323846 * u[1]);
}

static ssb_eis_spectrum *sim(ssb_ctx *ctx, const char *circ, const double *p, double fmin, double fmax, int ppd,
                             double noise, unsigned long long seed)
{
    ssb_eis_circuit *c = NULL;
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, circ, &c));
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, fmin, fmax, ppd, &s));
    ssb_eis_circuit_destroy(&c);
    for (int64_t i = 0; i < s->n && noise > 0; i++) {
        s->zre[i] *= 1.0 + noise * tu_gauss(&seed);
        s->zim[i] *= 1.0 + noise * tu_gauss(&seed);
    }
    return s;
}

static ssb_eis_kk_result *kk(ssb_ctx *ctx, const ssb_eis_spectrum *s, ssb_eis_kk_fit type)
{
    ssb_eis_kk_params P = ssb_eis_kk_params_default();
    P.fit_type = type;
    ssb_eis_kk_result *r = NULL;
    TU_OK(ctx, ssb_eis_kk(ctx, s, &P, &r));
    return r;
}

static void test_auto_m(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const ssb_eis_kk_fit types[2] = {SSB_EIS_KK_REAL, SSB_EIS_KK_COMPLEX};
    /* the brief's spectrum, and the same with tau = 1.3e-4 s (on no grid node of any M) */
    const double rc1[3] = {10, 100, 1e-6}, rc2[3] = {10, 100, 1.3e-6};
    for (int v = 0; v < 2; v++) {
        ssb_eis_spectrum *s = sim(ctx, "R0-p(R1,C1)", v ? rc2 : rc1, 0.1, 1e6, 4, 0, 0);
        assert_int_equal(s->n, 29);
        ssb_eis_kk_params Pm = ssb_eis_kk_params_default();
        Pm.rule = SSB_EIS_KK_RULE_MU;
        ssb_eis_kk_result *r = NULL;
        TU_OK(ctx, ssb_eis_kk(ctx, s, &Pm, &r));
        if (v == 0) { /* the defect, kept as Schoenleber's rule: M = 3, 65 % */
            assert_int_equal(r->M, 3);
            assert_true(r->max_res > 0.5);
            assert_int_equal(r->consistent, 0);
        }
        ssb_eis_kk_result_destroy(&r);
        for (int t = 0; t < 2; t++) {
            r = kk(ctx, s, types[t]);
            print_message("  RC tau %.1e: M %d max residual %.4f %% consistent %d\n", rc1[1] * (v ? rc2 : rc1)[2], r->M,
                          100 * r->max_res, r->consistent);
            assert_true(r->max_res < 2e-3); /* well under 1 % */
            assert_int_equal(r->consistent, 1);
            assert_int_equal(r->rule, SSB_EIS_KK_RULE_CHI2);
            ssb_eis_kk_result_destroy(&r);
        }
        ssb_eis_spectrum_destroy(&s);
    }
    /* Randles cell with finite-length diffusion that closes inside the window: R0 + (R_ct + Ws) || C_dl */
    const double rnd[5] = {20, 150, 400, 0.5, 2e-5};
    ssb_eis_spectrum *s = sim(ctx, "R0-p(R1-Ws1,C1)", rnd, 0.01, 1e5, 10, 0, 0);
    for (int t = 0; t < 2; t++) {
        ssb_eis_kk_result *r = kk(ctx, s, types[t]);
        assert_true(r->max_res < 2e-3);
        assert_int_equal(r->consistent, 1);
        ssb_eis_kk_result_destroy(&r);
    }
    ssb_eis_spectrum_destroy(&s);
    /* two arcs (bulk || geometric C, GB-like arc) with 0.5 % proportional noise: residuals at the noise level */
    const double two[5] = {10, 100, 1e-6, 300, 1e-3};
    s = sim(ctx, "R0-p(R1,C1)-p(R2,C2)", two, 0.1, 1e6, 10, 0.005, 3);
    double noise_pct = 0;
    for (int t = 0; t < 2; t++) {
        ssb_eis_kk_result *r = kk(ctx, s, types[t]);
        print_message("  two arcs, 0.5 %% noise: M %d max %.3f %% RMS %.3f %% noise estimate %.3f %%\n", r->M,
                      100 * r->max_res, 100 * r->rms_res, 100 * r->noise);
        assert_int_equal(r->consistent, 1);
        /* 0.5 % of Z' and of Z'': sqrt((0.005^2 (Z'^2 + Z''^2)) / 2) / |Z| = 0.35 % of |Z| per component */
        TU_ASSERT_REL(r->noise, 0.005 / sqrt(2.0), 0.3);
        assert_true(r->rms_res < 2.0 * 0.005 / sqrt(2.0));
        noise_pct = r->noise;
        ssb_eis_kk_result_destroy(&r);
    }
    /* the same spectrum made non-compliant */
    ssb_eis_spectrum *bad = NULL;
    for (int kind = 0; kind < 3; kind++) {
        ssb_eis_spectrum_destroy(&bad);
        bad = sim(ctx, "R0-p(R1,C1)-p(R2,C2)", two, 0.1, 1e6, 10, 0.002, 5);
        int n = (int)bad->n;
        if (kind == 0) /* drift: Z' grows by 5 % of R1 + R2 over the (descending) sweep */
            for (int i = 0; i < n; i++) bad->zre[i] += 0.05 * 400 * i / (n - 1.0);
        else if (kind == 1) /* one point's Z'' with the wrong sign (1.6 kHz, top of the first arc) */
            bad->zim[28] = -bad->zim[28];
        else /* the Z'' of an inductive loop (80 Ohm, 1 Hz) without its Z': no KK partner */
            for (int i = 0; i < n; i++) {
                double x = bad->f[i] / 1.0;
                bad->zim[i] += 80.0 * x / (1.0 + x * x);
            }
        for (int t = 0; t < 2; t++) {
            ssb_eis_kk_result *r = kk(ctx, bad, types[t]);
            print_message("  non-compliant %d (%s): M %d max %.2f %% RMS %.3f %% noise %.3f %%\n", kind,
                          t ? "complex" : "real", r->M, 100 * r->max_res, 100 * r->rms_res, 100 * r->noise);
            assert_int_equal(r->consistent, 0);
            assert_true(r->max_res > 0.05);
            ssb_eis_kk_result_destroy(&r);
        }
    }
    print_message("PASS automatic M: clean RC and Randles < 0.2 %%, noisy two-arc at its noise (%.2f %%), drift, "
                  "sign flip and inductive artefact flagged\n",
                  100 * noise_pct);
    ssb_eis_spectrum_destroy(&bad);
    ssb_eis_spectrum_destroy(&s);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_circuit3), cmocka_unit_test(test_compliance),
                                       cmocka_unit_test(test_extreme_and_tail), cmocka_unit_test(test_auto_m)};
    return cmocka_run_group_tests_name("eis_kk", tests, NULL, NULL);
}
