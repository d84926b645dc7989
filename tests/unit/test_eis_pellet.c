/* eis: a solid-electrolyte pellet spectrum over seven decades (bulk R||CPE, grain-boundary R||CPE, blocking
 * electrode CPE) fitted with the default options: every parameter inside its stated 95 % interval, an honest
 * status, effective capacitances (Hirschorn / Hsu-Mansfeld) that recover the brick-layer capacitances, and the
 * grain-boundary conductivity through the brick-layer inverse (ssb_se_brick_inverse) within 5 %.
 *
 * The pellet: thickness L = 100 um, area A = 1 cm^2; bulk sigma_b = 1e-3 S/m (R_b = L / (sigma_b A) = 1000 ohm),
 * eps_r = 60 (C_b = eps_r eps0 A / L = 5.31e-10 F, apex 300 kHz); grains d = 2 um with GBs delta = 5 nm across
 * which sigma_gb = 5e-7 S/m (R_gb = (L/d) delta / (sigma_gb A) = 5000 ohm, C_gb = C_b d / delta = 2.12e-7 F, apex
 * 150 Hz): the brick layer of Haile, West & Campbell, J. Mater. Res. 13 (1998) 1576 (FORMULAS-interfaces.md 2.1).
 * Each capacitance is given the CPE Q = C^n R^(n-1) whose effective capacitance (Q R^(1-n))^(1/n) (Hirschorn et
 * al., Electrochim. Acta 55 (2010) 6218, eq. 18) is C, with n = 0.95 (bulk) and 0.85 (GB); the blocking electrode
 * is a CPE Q = 5e-6 F s^-0.15, n = 0.85. 70 frequencies from 1 MHz to 0.1 Hz, 1 % proportional Gaussian noise on
 * Z' and Z'' (seeded). */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>
#include <ssbnet/ssb_se.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS0 8.8541878128e-12

static const double L_ = 100e-6, A_ = 1e-4, SB = 1e-3, EPSR = 60, D_ = 2e-6, DELTA = 5e-9, SGB = 5e-7;
static const double NB = 0.95, NGB = 0.85, QEL = 5e-6, NEL = 0.85;

/* true parameters of p(R1,CPE1)-p(R2,CPE2)-CPE3 and the brick-layer capacitances */
static void truth(double *p, double *Cb, double *Cgb)
{
    double Rb = L_ / (SB * A_), Rgb = (L_ / D_) * DELTA / (SGB * A_);
    *Cb = EPSR * EPS0 * A_ / L_;
    *Cgb = *Cb * D_ / DELTA;
    p[0] = Rb;
    p[1] = pow(*Cb, NB) * pow(Rb, NB - 1);
    p[2] = NB;
    p[3] = Rgb;
    p[4] = pow(*Cgb, NGB) * pow(Rgb, NGB - 1);
    p[5] = NGB;
    p[6] = QEL;
    p[7] = NEL;
}

static ssb_eis_spectrum *pellet(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, uint64_t seed)
{
    ssb_eis_spectrum *s = NULL;
    /* 1 MHz .. 0.1 Hz, 10 points per decade: 71 points */
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 0.1, 1e6, 10, &s));
    assert_int_equal(s->n, 71);
    TU_OK(ctx, ssb_eis_spectrum_add_noise(ctx, s, 0.01, seed));
    return s;
}

static void test_pellet_default_fit(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "p(R1,CPE1)-p(R2,CPE2)-CPE3", &c));
    double p[8], Cb, Cgb;
    truth(p, &Cb, &Cgb);
    assert_true(fabs(p[0] - 1000) < 1e-9 && fabs(p[3] - 5000) < 1e-9);
    ssb_eis_spectrum *s = pellet(ctx, c, p, 20261203u);
    /* default options: modulus weights, automatic start values */
    double g[8];
    TU_OK(ctx, ssb_eis_fit_guess(ctx, c, s, g));
    ssb_eis_fit_result *r = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, NULL, &r));
    assert_int_equal(ssb_eis_fit_params_default().weight, SSB_EIS_WEIGHT_MODULUS);
    assert_true(r->converged);
    for (int k = 0; k < 8; k++) {
        print_message("  %-7s true %.5e fit %.5e  CI [%.5e, %.5e] flags %u corr %.4f\n",
                      ssb_eis_circuit_get_param_name(c, k), p[k], r->p[k], r->ci_low[k], r->ci_high[k], r->flags[k],
                      r->corr_max[k]);
        assert_true(p[k] >= r->ci_low[k] && p[k] <= r->ci_high[k]);
        assert_true(r->ci_high[k] - r->ci_low[k] < 0.5 * fabs(p[k])); /* determined: CI well under +-25 % */
    }
    assert_int_equal(r->status, SSB_EIS_FIT_OK);
    assert_int_equal(r->n_flagged, 0);
    /* 1 % proportional noise under modulus weights: chi2_red ~ 1e-4 (sigma_rel^2, up to the phase mix) */
    assert_true(r->chi2_red > 2e-5 && r->chi2_red < 3e-4);
    /* effective capacitances: the two arcs, then the blocking electrode */
    ssb_eis_cap *cap = NULL;
    int ncap = 0;
    TU_OK(ctx, ssb_eis_cpe_capacitances(ctx, c, r->p, r->cov, &cap, &ncap));
    assert_int_equal(ncap, 3);
    assert_int_equal(cap[0].kind, SSB_EIS_CAP_PARALLEL);
    assert_int_equal(cap[2].kind, SSB_EIS_CAP_SERIES);
    assert_string_equal(cap[1].name, "CPE2");
    TU_ASSERT_REL(cap[0].C_eff, Cb, 0.05);
    TU_ASSERT_REL(cap[1].C_eff, Cgb, 0.05);
    /* hand-over to the se module: the same number as ssb_se_cpe_capacitance(Q, n, R), which se brick uses for
     * --q-gb / --n-gb */
    for (int a = 0; a < 2; a++) {
        double Cse;
        TU_OK(ctx, ssb_se_cpe_capacitance(ctx, cap[a].Q, cap[a].n, cap[a].R, &Cse));
        TU_ASSERT_REL(cap[a].C_eff, Cse, 1e-12);
        assert_true(cap[a].Q == r->p[cap[a].iQ] && cap[a].n == r->p[cap[a].in] && cap[a].R == r->p[cap[a].iR]);
    }
    /* Hsu-Mansfeld's Q omega_max^(n-1) is the same number for an ideal R||CPE */
    TU_ASSERT_REL(cap[1].C_hsu_mansfeld, cap[1].C_eff, 1e-12);
    TU_ASSERT_REL(cap[0].f_max, 1.0 / (2 * 3.14159265358979323846 * 1000 * Cb), 0.1);
    /* the stated uncertainty of C_eff covers the truth at 2 sigma */
    for (int a = 0; a < 2; a++) {
        double Ct = a == 0 ? Cb : Cgb;
        print_message("  C_eff %s %.5e +- %.3e (true %.5e)\n", cap[a].name, cap[a].C_eff, cap[a].C_eff_std_err, Ct);
        assert_true(cap[a].C_eff_std_err > 0 && fabs(cap[a].C_eff - Ct) < 3.0 * cap[a].C_eff_std_err);
        /* the delta method against central differences of C_eff(R, Q, n) with the fit covariance */
        int id[3] = {cap[a].iR, cap[a].iQ, cap[a].in};
        double gr[3], v = 0;
        for (int i = 0; i < 3; i++) {
            double pp[8], pm[8], h = 1e-6 * r->p[id[i]];
            memcpy(pp, r->p, sizeof pp);
            memcpy(pm, r->p, sizeof pm);
            pp[id[i]] += h;
            pm[id[i]] -= h;
            double Cp = pow(pp[id[1]] * pow(pp[id[0]], 1 - pp[id[2]]), 1 / pp[id[2]]);
            double Cm = pow(pm[id[1]] * pow(pm[id[0]], 1 - pm[id[2]]), 1 / pm[id[2]]);
            gr[i] = (Cp - Cm) / (2 * h);
        }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) v += gr[i] * gr[j] * r->cov[id[i] * 8 + id[j]];
        TU_ASSERT_REL(cap[a].C_eff_std_err, sqrt(v), 1e-4);
    }
    /* Brug's series form for the blocking electrode: Q^(1/n) R_s^((1-n)/n) with R_s = R1 + R2 */
    TU_ASSERT_REL(cap[2].R_s, r->p[0] + r->p[3], 1e-12);
    TU_ASSERT_REL(cap[2].C_eff, pow(r->p[6], 1 / r->p[7]) * pow(r->p[0] + r->p[3], (1 - r->p[7]) / r->p[7]), 1e-12);
    /* brick-layer inverse with the fitted arcs: the GB conductivity within 5 % */
    ssb_se_brick_fit bf = ssb_se_brick_fit_default();
    bf.R_b = r->p[0];
    bf.C_b = cap[0].C_eff;
    bf.R_gb = r->p[3];
    bf.C_gb = cap[1].C_eff;
    bf.thickness = L_;
    bf.area = A_;
    bf.grain_size = D_;
    ssb_se_brick_inverse_result q;
    TU_OK(ctx, ssb_se_brick_inverse(ctx, &bf, &q));
    print_message("PASS pellet: sigma_gb %.4e S/m (true %.4e), delta %.3f nm (true 5), sigma_b %.4e S/m, eps_r %.2f\n",
                  q.sigma_gb_specific, SGB, q.gb_thickness * 1e9, q.sigma_bulk, q.eps_r_bulk);
    TU_ASSERT_REL(q.sigma_gb_specific, SGB, 0.05);
    TU_ASSERT_REL(q.sigma_bulk, SB, 0.02);
    TU_ASSERT_REL(q.eps_r_bulk, EPSR, 0.05);
    free(cap);
    ssb_eis_fit_result_destroy(&r);
    /* unit weights (the old default) on the same data: the bulk arc is not determined, and the result says so */
    ssb_eis_fit_params P = ssb_eis_fit_params_default();
    P.weight = SSB_EIS_WEIGHT_UNIT;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, &P, &r));
    int bulk_bad = 0;
    for (int k = 0; k < 3; k++) bulk_bad |= r->flags[k] != 0 || !(p[k] >= r->ci_low[k] && p[k] <= r->ci_high[k]);
    print_message("PASS unit weights: status %s, %d flagged (R1 %.3e, CI +-%.2e)\n", ssb_eis_fit_status_name(r->status),
                  r->n_flagged, r->p[0], 0.5 * (r->ci_high[0] - r->ci_low[0]));
    assert_true(bulk_bad);
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* An extra series resistance that the pellet does not have: R0 runs to its lower bound and is flagged, the
 * status is not "ok", the other parameters stay determined. */
static void test_pellet_undetermined_r0(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL, *c0 = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "p(R1,CPE1)-p(R2,CPE2)-CPE3", &c0));
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)-CPE3", &c));
    double p[8], Cb, Cgb;
    truth(p, &Cb, &Cgb);
    ssb_eis_spectrum *s = pellet(ctx, c0, p, 7u);
    double g[9];
    TU_OK(ctx, ssb_eis_fit_guess(ctx, c, s, g));
    ssb_eis_fit_result *r = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, NULL, &r));
    char fl[64];
    print_message("PASS R0 not in the data: R0 = %.3e, flags '%s', status %s\n", r->p[0],
                  ssb_eis_param_flags_string(r->flags[0], fl, sizeof fl), ssb_eis_fit_status_name(r->status));
    assert_true(r->flags[0] & (SSB_EIS_PARAM_WIDE_CI | SSB_EIS_PARAM_AT_BOUND));
    assert_true(r->status != SSB_EIS_FIT_OK);
    assert_true(r->n_flagged >= 1);
    TU_ASSERT_REL(r->p[4], p[3], 0.05); /* R2 = R_gb */
    ssb_eis_fit_result_destroy(&r);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_eis_circuit_destroy(&c0);
    ssb_ctx_destroy(&ctx);
}

/* Coverage over seeds: the default fit's 95 % intervals hold the truth for about 95 % of 20 x 8 parameters. */
static void test_pellet_coverage(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "p(R1,CPE1)-p(R2,CPE2)-CPE3", &c));
    double p[8], Cb, Cgb;
    truth(p, &Cb, &Cgb);
    int inside = 0, total = 0, ok = 0, cin = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        ssb_eis_spectrum *s = pellet(ctx, c, p, seed);
        double g[8];
        TU_OK(ctx, ssb_eis_fit_guess(ctx, c, s, g));
        ssb_eis_fit_result *r = NULL;
        TU_OK(ctx, ssb_eis_fit(ctx, c, s, g, NULL, &r));
        for (int k = 0; k < 8; k++) {
            inside += p[k] >= r->ci_low[k] && p[k] <= r->ci_high[k];
            total++;
        }
        ok += r->status == SSB_EIS_FIT_OK;
        ssb_eis_cap *cap = NULL;
        int ncap = 0;
        TU_OK(ctx, ssb_eis_cpe_capacitances(ctx, c, r->p, r->cov, &cap, &ncap));
        cin += fabs(cap[0].C_eff - Cb) < 1.96 * cap[0].C_eff_std_err;
        cin += fabs(cap[1].C_eff - Cgb) < 1.96 * cap[1].C_eff_std_err;
        free(cap);
        ssb_eis_fit_result_destroy(&r);
        ssb_eis_spectrum_destroy(&s);
    }
    double frac = (double)inside / total;
    print_message("PASS coverage of the 95 %% intervals: %.3f of %d; status ok in %d of 20 fits; C_eff within "
                  "1.96 sigma: %d of 40\n", frac, total, ok, cin);
    assert_true(cin >= 34);
    assert_true(frac >= 0.88 && frac <= 1.0);
    assert_int_equal(ok, 20);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* The noise itself: seeded (same seed, same numbers), proportional (relative deviations of rms 1 %). */
static void test_noise(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)", &c));
    double p[3] = {10, 100, 1e-6};
    ssb_eis_spectrum *a = NULL, *b = NULL, *z = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 1e-2, 1e6, 100, &z));
    TU_OK(ctx, ssb_eis_spectrum_duplicate(ctx, z, &a));
    TU_OK(ctx, ssb_eis_spectrum_duplicate(ctx, z, &b));
    TU_OK(ctx, ssb_eis_spectrum_add_noise(ctx, a, 0.01, 42));
    TU_OK(ctx, ssb_eis_spectrum_add_noise(ctx, b, 0.01, 42));
    double s2 = 0;
    for (int64_t i = 0; i < z->n; i++) {
        assert_true(a->zre[i] == b->zre[i] && a->zim[i] == b->zim[i]);
        double e1 = a->zre[i] / z->zre[i] - 1, e2 = a->zim[i] / z->zim[i] - 1;
        s2 += e1 * e1 + e2 * e2;
    }
    double rms = sqrt(s2 / (2.0 * (double)z->n));
    /* 801 x 2 samples: the rms of N(0, 0.01) is 0.01 within ~3 / sqrt(2 x 1602) = 5 % */
    assert_true(fabs(rms - 0.01) < 0.0006);
    TU_OK(ctx, ssb_eis_spectrum_add_noise(ctx, b, 0.0, 1)); /* zero noise: unchanged */
    assert_true(b->zre[5] == a->zre[5]);
    assert_int_equal(ssb_eis_spectrum_add_noise(ctx, b, -0.1, 1), SSB_ERR_RANGE);
    assert_int_equal(ssb_eis_spectrum_add_noise(ctx, b, NAN, 1), SSB_ERR_RANGE);
    print_message("PASS noise: rms relative deviation %.5f (asked 0.01), reproducible with the seed\n", rms);
    ssb_eis_spectrum_destroy(&a);
    ssb_eis_spectrum_destroy(&b);
    ssb_eis_spectrum_destroy(&z);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* Hostile sizes end with a message before any large allocation (a 20000-point DRT needed ~29 GB and days; a
 * lin-KK of 1e7 points ~8 GB): DRT at most 1000 points, fit at most 1e6 points / 2 GB of Jacobians, lin-KK at
 * most 2 GB of design matrix. */
static void test_size_limits(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)", &c));
    const double p[3] = {10, 100, 1e-6};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 1e-2, 1e6, 125, &s)); /* 1001 points */
    assert_int_equal(s->n, 1001);
    ssb_eis_drt_result *d = NULL;
    assert_int_equal(ssb_eis_drt(ctx, s, NULL, &d), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "at most 1000"));
    ssb_eis_kk_params K = ssb_eis_kk_params_default();
    K.max_m = 100000;
    K.c = 1e-9; /* never stops by mu */
    ssb_eis_kk_result *k = NULL;
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, 1e-2, 1e6, 250, &s)); /* 2001 points: 3.2 GB */
    assert_int_equal(ssb_eis_kk(ctx, s, &K, &k), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "GB"));
    assert_null(k);
    ssb_eis_spectrum_destroy(&s);
    TU_OK(ctx, ssb_eis_spectrum_create(ctx, 1000001, &s));
    for (int64_t i = 0; i < s->n; i++) {
        s->f[i] = 1e6 - (double)i * 0.5;
        s->zre[i] = 1;
        s->zim[i] = -1;
    }
    ssb_eis_fit_result *r = NULL;
    assert_int_equal(ssb_eis_fit(ctx, c, s, p, NULL, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "1e6 points"));
    print_message("PASS size limits: DRT 1001 points, lin-KK 3.2 GB, fit 1000001 points refused with messages\n");
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pellet_default_fit),
        cmocka_unit_test(test_pellet_undetermined_r0),
        cmocka_unit_test(test_pellet_coverage),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_size_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
