/* SE: brick layer (limits, exact series formula, inverse), space charge (Lambert W, Mott-Schottky and its inverse on
 * both branches, exact MS average, Gouy-Chapman identity, Debye lengths of FORMULAS-interfaces.md 2.2), Arrhenius
 * (round trips, apparent Ea), electronic leakage and the dendrite indicator by hand, PB solver vs the Grahame and
 * Mott-Schottky first integrals. Reference numbers: tests/reference/FORMULAS-interfaces.md section 2 (F2.x). */
#include "testutil.h"

#include <ssbnet/ssb_se.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_EV SSB_CONST_BOLTZMANN_EV
#define M_PI 3.14159265358979323846

static void test_brick_forward(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_se_brick_params p = ssb_se_brick_params_default();
    ssb_se_brick_result r;
    assert_int_equal(ssb_se_brick_solve(ctx, &p, &r), SSB_ERR_RANGE); /* material numbers unset */
    p.grain_size = 2.385e-6;
    p.gb_thickness = 3.17e-9;
    p.sigma_bulk = 0.0461;
    p.sigma_gb_perp = 5.97e-4;
    p.sigma_gb_par = 0.0; /* series only */
    p.eps_r_bulk = 47.3;
    p.eps_r_gb = 47.3;
    p.thickness = 1.234e-3;
    p.area = 0.785e-4;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r));
    double L = p.thickness, A = p.area, dd = p.gb_thickness / p.grain_size;
    /* F2.1: R_b = L/(sigma_b A), R_gb = (L/d) delta/(sigma_gb A): the total is their exact sum */
    TU_ASSERT_REL(r.R_b, L / (p.sigma_bulk * A), 1e-15);
    TU_ASSERT_REL(r.R_gb, (L / p.grain_size) * p.gb_thickness / (p.sigma_gb_perp * A), 1e-15);
    TU_ASSERT_REL(r.R_total, r.R_b + r.R_gb, 1e-14);
    TU_ASSERT_REL(r.sigma_total, L / ((r.R_b + r.R_gb) * A), 1e-14);
    assert_true(isinf(r.R_par) && r.parallel_fraction == 0.0);
    TU_ASSERT_REL(r.C_b, 47.3 * SSB_CONST_EPS0 * A / L, 1e-15);
    TU_ASSERT_REL(r.C_gb, 47.3 * SSB_CONST_EPS0 * A * p.grain_size / (L * p.gb_thickness), 1e-14);
    /* geometry-free relaxation frequencies */
    TU_ASSERT_REL(r.f_b, 1.0 / (2 * M_PI * r.R_b * r.C_b), 1e-14);
    TU_ASSERT_REL(r.f_gb, 1.0 / (2 * M_PI * r.R_gb * r.C_gb), 1e-14);
    TU_ASSERT_REL(r.sigma_gb_macro, p.sigma_gb_perp / dd, 1e-14);
    TU_ASSERT_REL(r.gb_share, r.R_gb / (r.R_b + r.R_gb), 1e-15);
    TU_ASSERT_REL(r.gb_volume_fraction, 1 - pow(1 - dd, 3), 1e-14);
    /* parallel path along GBs: sigma_total = sigma_series + 2 (delta/d) sigma_par */
    p.sigma_gb_par = 0.0123;
    ssb_se_brick_result r2;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r2));
    TU_ASSERT_REL(r2.sigma_total, r.sigma_total + 2 * dd * 0.0123, 1e-14);
    TU_ASSERT_REL(1.0 / r2.R_total, 1.0 / (r.R_b + r.R_gb) + 1.0 / r2.R_par, 1e-13);
    /* NaN along = across */
    p.sigma_gb_par = NAN;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r2));
    TU_ASSERT_REL(r2.sigma_parallel, 2 * dd * p.sigma_gb_perp, 1e-14);
    /* delta -> 0: the bulk */
    p.gb_thickness = 0.0;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r2));
    TU_ASSERT_REL(r2.sigma_total, p.sigma_bulk, 1e-15);
    /* no GB, no GB arc: C_gb, f_gb and sigma_gb_macro are absent (NaN), not inf and a made-up apex */
    assert_true(r2.R_gb == 0.0 && r2.gb_share == 0.0 && r2.gb_volume_fraction == 0.0);
    assert_true(isnan(r2.C_gb) && isnan(r2.f_gb) && isnan(r2.sigma_gb_macro));
    TU_ASSERT_REL(r2.C_b, 47.3 * SSB_CONST_EPS0 * A / L, 1e-15);
    /* delta / d -> 0 (larger grains at the thinnest physical GB): converges monotonically to the bulk */
    double prev = 1e300, g0 = p.grain_size;
    p.gb_thickness = 1e-9;
    for (double f = 1; f <= 1e6; f *= 10) {
        p.grain_size = g0 * f;
        TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r2));
        double err = fabs(r2.sigma_total - p.sigma_bulk) / p.sigma_bulk;
        assert_true(err < prev); /* converges monotonically, linearly in delta / d */
        prev = err;
    }
    assert_true(prev < 1e-6);
    p.grain_size = g0;
    /* thinner than one atomic layer: refused, naming the parameter and the range (issue 7: 2e-9 nm ran) */
    p.gb_thickness = 2e-18;
    assert_int_equal(ssb_se_brick_solve(ctx, &p, &r2), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "atomic layer"));
    /* errors name the parameter and the range */
    p.gb_thickness = 3e-6;
    assert_int_equal(ssb_se_brick_solve(ctx, &p, &r2), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "gb_thickness"));
    p.gb_thickness = 1e-9;
    p.sigma_bulk = -1;
    assert_int_equal(ssb_se_brick_solve(ctx, &p, &r2), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "sigma_bulk"));
    print_message("PASS brick: R_total = R_b + R_gb exactly, delta -> 0 gives sigma_b (err %.1e at 1e-15 m)\n", prev);
    ssb_ctx_destroy(&ctx);
}

/* The brick layer against the parallel (Wiener) bound (1 - f) sigma_b + f sigma_gb, which no arrangement of grains
 * and GBs exceeds: with sigma_gb = sigma_b and d/delta = 5 the model gives, by hand,
 * sigma_total = sigma_b [1/(1 + 1/5) + 2/5] = 1.2333 sigma_b, 23.3 % above the bound sigma_b (a homogeneous
 * material); it warns, naming the excess. Al-LLZO (sigma_gb/sigma_b = 5.97e-6/4.6e-4, d = 5 um, delta = 2 nm)
 * stays below the bound and does not warn. */
static void test_brick_wiener_bound(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    tu_warn_log b = {0, ""};
    ssb_ctx_set_log(ctx, tu_warn_capture, &b, SSB_LOG_WARN);
    ssb_se_brick_params p = ssb_se_brick_params_default();
    p.grain_size = 0.5e-6;
    p.gb_thickness = 100e-9;
    p.sigma_bulk = p.sigma_gb_perp = 0.1;
    ssb_se_brick_result r;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r));
    TU_ASSERT_REL(r.sigma_total, 0.1 * (1.0 / 1.2 + 0.4), 1e-12);
    assert_int_equal(b.nwarn, 1);
    if (!strstr(b.last, "Wiener") || !strstr(b.last, "23.3 %"))
        fail_msg("warning '%s' does not name the bound and the 23.3 %% excess", b.last);
    b.nwarn = 0;
    p.grain_size = 5e-6;
    p.gb_thickness = 2e-9;
    p.sigma_bulk = 4.6e-2;
    p.sigma_gb_perp = 5.97e-4;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r));
    assert_int_equal(b.nwarn, 0);
    ssb_ctx_destroy(&ctx);
    print_message("PASS brick: sigma_gb = sigma_b, d/delta = 5 gives 1.2333 sigma_b and a warning (Wiener bound); "
                  "Al-LLZO does not warn\n");
}

static void test_brick_inverse(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_se_brick_params p = ssb_se_brick_params_default();
    p.grain_size = 4.17e-6;
    p.gb_thickness = 2.9e-9;
    p.sigma_bulk = 0.0385;
    p.sigma_gb_perp = 3.3e-5;
    p.eps_r_bulk = 61.2;
    p.thickness = 0.87e-3;
    p.area = 1.13e-4;
    ssb_se_brick_result r;
    TU_OK(ctx, ssb_se_brick_solve(ctx, &p, &r));
    ssb_se_brick_fit f = ssb_se_brick_fit_default();
    f.R_b = r.R_b;
    f.C_b = r.C_b;
    f.R_gb = r.R_gb;
    f.C_gb = r.C_gb;
    f.thickness = p.thickness;
    f.area = p.area;
    f.grain_size = p.grain_size;
    ssb_se_brick_inverse_result inv;
    TU_OK(ctx, ssb_se_brick_inverse(ctx, &f, &inv));
    TU_ASSERT_REL(inv.sigma_bulk, p.sigma_bulk, 1e-14);
    TU_ASSERT_REL(inv.eps_r_bulk, p.eps_r_bulk, 1e-14);
    TU_ASSERT_REL(inv.delta_over_d, p.gb_thickness / p.grain_size, 1e-14);
    TU_ASSERT_REL(inv.gb_thickness, p.gb_thickness, 1e-14);
    TU_ASSERT_REL(inv.sigma_gb_specific, p.sigma_gb_perp, 1e-14);
    TU_ASSERT_REL(inv.sigma_gb_macro, r.sigma_gb_macro, 1e-14);
    TU_ASSERT_REL(inv.f_gb, r.f_gb, 1e-14);
    /* a GB permittivity twice the bulk one: delta/d scales with eps_gb/eps_b (F2.1) */
    f.eps_ratio = 2.0;
    TU_OK(ctx, ssb_se_brick_inverse(ctx, &f, &inv));
    TU_ASSERT_REL(inv.delta_over_d, 2 * p.gb_thickness / p.grain_size, 1e-14);
    f.C_gb = 0;
    assert_int_equal(ssb_se_brick_inverse(ctx, &f, &inv), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "C_gb"));
    /* CPE: C = (Q R^(1-n))^(1/n); n = 1 gives Q */
    double C;
    TU_OK(ctx, ssb_se_cpe_capacitance(ctx, 2.385e-9, 1.0, 4.7e4, &C));
    TU_ASSERT_REL(C, 2.385e-9, 1e-15);
    TU_OK(ctx, ssb_se_cpe_capacitance(ctx, 2.385e-9, 0.85, 4.7e4, &C));
    TU_ASSERT_REL(C, exp(log(2.385e-9 * pow(4.7e4, 0.15)) / 0.85), 1e-14);
    assert_int_equal(ssb_se_cpe_capacitance(ctx, 2.385e-9, 1.2, 4.7e4, &C), SSB_ERR_RANGE);
    print_message("PASS brick inverse: round trip of delta/d, sigma_gb, eps_r to 1e-14\n");
    ssb_ctx_destroy(&ctx);
}

static void test_lambert_ms(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double w;
    TU_OK(ctx, ssb_se_lambert_w(ctx, 0, 1.0, &w));
    TU_ASSERT_REL(w, 0.5671432904097838, 1e-15); /* the omega constant */
    TU_OK(ctx, ssb_se_lambert_w(ctx, -1, -0.1, &w));
    TU_ASSERT_REL(w, -3.577152063957297, 1e-14);
    TU_OK(ctx, ssb_se_lambert_w(ctx, 0, -exp(-1.0), &w));
    TU_ASSERT_REL(w, -1.0, 1e-7);
    static const double xs[] = {-0.3678, -0.25, -0.0123, 1e-9, 0.2385, 2.718, 47.0, 1e6, 1e300};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        TU_OK(ctx, ssb_se_lambert_w(ctx, 0, xs[i], &w));
        TU_ASSERT_REL(w * exp(w), xs[i], 2e-15 * (1 + fabs(log(fabs(xs[i])))));
        if (xs[i] < 0) {
            TU_OK(ctx, ssb_se_lambert_w(ctx, -1, xs[i], &w));
            assert_true(w <= -1.0);
            TU_ASSERT_REL(w * exp(w), xs[i], 1e-14);
        }
    }
    TU_OK(ctx, ssb_se_lambert_w(ctx, -1, -1e-300, &w));
    TU_ASSERT_REL(w + log(-w), log(1e-300), 1e-15);
    assert_int_equal(ssb_se_lambert_w(ctx, 0, -0.5, &w), SSB_ERR_RANGE);
    assert_int_equal(ssb_se_lambert_w(ctx, -1, 0.5, &w), SSB_ERR_RANGE);
    assert_int_equal(ssb_se_lambert_w(ctx, 1, 0.5, &w), SSB_ERR_ARG);

    /* Mott-Schottky r = e^y/(2y) and its inverse on both branches: round trip to 1e-12 */
    const double T = 673.0, z = 1.0;
    static const double ys_w0[] = {0.0123, 0.2385, 0.5, 0.85};
    static const double ys_wm1[] = {1.3, 2.385, 4.7, 10.0, 37.9, 250.0, 690.0};
    double worst = 0;
    for (int b = 0; b < 2; b++) {
        const double *ys = b ? ys_wm1 : ys_w0;
        int ny = b ? 7 : 4;
        for (int i = 0; i < ny; i++) {
            double r, phi0;
            TU_OK(ctx, ssb_se_ms_ratio(ctx, ys[i], &r));
            TU_OK(ctx, ssb_se_ms_potential(ctx, r, z, T, b ? SSB_SE_BRANCH_PHYSICAL : SSB_SE_BRANCH_W0, &phi0));
            double y = z * phi0 / (KB_EV * T);
            double e = fabs(y - ys[i]) / ys[i];
            if (e > worst)
                worst = e;
            TU_ASSERT_REL(y, ys[i], 1e-12);
        }
    }
    /* F2.2 worked values (z = 1, 300 K): r = 10, 1e2, 1e3, 1e4 -> Phi0 = 0.116, 0.188, 0.256, 0.321 V */
    static const double rr[] = {10, 1e2, 1e3, 1e4}, ph[] = {0.116, 0.188, 0.256, 0.321};
    for (int i = 0; i < 4; i++) {
        double phi0;
        TU_OK(ctx, ssb_se_ms_potential(ctx, rr[i], 1.0, 300.0, SSB_SE_BRANCH_PHYSICAL, &phi0));
        assert_true(fabs(phi0 - ph[i]) <= 5e-4);
    }
    double phi0;
    assert_int_equal(ssb_se_ms_potential(ctx, 1.2, 1.0, 300.0, SSB_SE_BRANCH_PHYSICAL, &phi0), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "e/2"));
    /* exact average int_0^1 exp(y u^2) du: series sum_k y^k / (k! (2k+1)); 1.06x the asymptote at y = 10 (F2.2) */
    double re, ra;
    TU_OK(ctx, ssb_se_ms_ratio_exact(ctx, 2.385, &re));
    double s = 0, term = 1;
    for (int k = 0; k < 60; k++) {
        s += term / (2 * k + 1);
        term *= 2.385 / (k + 1);
    }
    TU_ASSERT_REL(re, s, 1e-14);
    TU_OK(ctx, ssb_se_ms_ratio_exact(ctx, 10.0, &re));
    TU_OK(ctx, ssb_se_ms_ratio(ctx, 10.0, &ra));
    double ratio10 = re / ra;
    assert_true(fabs(ratio10 - 1.06) < 0.005);
    TU_OK(ctx, ssb_se_ms_ratio_exact(ctx, 600.0, &re));
    TU_OK(ctx, ssb_se_ms_ratio(ctx, 600.0, &ra));
    TU_ASSERT_REL(re / ra, 1.0 + 1.0 / (2 * 600.0) + 3.0 / (4 * 600.0 * 600.0), 1e-7); /* asymptotic series */
    print_message(
        "PASS Lambert W / Mott-Schottky: round trip worst %.1e on both branches; exact/asymptote(10) = %.4f\n", worst,
        ratio10);
    ssb_ctx_destroy(&ctx);
}

/* Gouy-Chapman profile tanh(y/4) = tanh(y0/4) exp(-x/lambda): int_0^inf (e^y - 1) dx = 2 lambda (e^(y0/2) - 1) */
static void test_gouy_chapman_debye(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const double y0 = 5.17, lam = 1.0;
    double gx[20], gw[20];
    /* 20-point Gauss-Legendre via the library's exact MS average is not exposed: build nodes here */
    for (int i = 0; i < 10; i++) {
        double t = cos(M_PI * (i + 0.75) / 20.5), dp = 1;
        for (int it = 0; it < 100; it++) {
            double p0 = 1, p1 = t;
            for (int k = 2; k <= 20; k++) {
                double p2 = ((2.0 * k - 1) * t * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = 20 * (t * p1 - p0) / (t * t - 1);
            t -= p1 / dp;
        }
        gx[i] = -t;
        gx[19 - i] = t;
        gw[i] = gw[19 - i] = 2 / ((1 - t * t) * dp * dp);
    }
    double I = 0;
    for (double a = 0; a < 80; a += 0.25) {
        for (int k = 0; k < 20; k++) {
            double x = a + 0.125 * (1 + gx[k]);
            double y = 4 * atanh(tanh(y0 / 4) * exp(-x / lam));
            I += 0.125 * gw[k] * expm1(y);
        }
    }
    TU_ASSERT_REL(I, 2 * lam * expm1(y0 / 2), 1e-10);
    /* the library's GC summary uses the same identity */
    ssb_se_scl_params p = ssb_se_scl_params_default();
    p.model = SSB_SE_GOUY_CHAPMAN;
    p.eps_r = 38.5;
    p.T = 333.0;
    p.c_inf = 2.385e25;
    p.phi0 = y0 * KB_EV * 333.0;
    p.sigma_bulk = 0.0217;
    ssb_se_scl_result r;
    TU_OK(ctx, ssb_se_scl_solve(ctx, &p, &r));
    TU_ASSERT_REL(r.y, y0, 1e-14);
    TU_ASSERT_REL(r.asr_excess, 2 * (2 * r.debye_length * expm1(y0 / 2)) / p.sigma_bulk, 1e-13);
    TU_ASSERT_REL(r.dEa, p.phi0 / 2, 1e-14);
    double phi_back;
    TU_OK(ctx, ssb_se_scl_potential(ctx, &p, r.r_perp, SSB_SE_BRANCH_PHYSICAL, &phi_back));
    TU_ASSERT_REL(phi_back, p.phi0, 1e-13);
    /* Debye lengths of F2.2: all Li of LLZO mobile (2.6e28 m^-3, eps_r 50, 300 K) -> 0.37 A; site fractions
     * 1e-2 / 1e-4 / 1e-6 -> 0.37 / 3.7 / 37 nm */
    double l;
    TU_OK(ctx, ssb_se_debye_length(ctx, 50, 300, 1, 2.6e28, &l));
    TU_ASSERT_REL(l, 0.37e-10, 0.02);
    static const double f[] = {1e-2, 1e-4, 1e-6}, nm[] = {0.37, 3.7, 37};
    for (int i = 0; i < 3; i++) {
        TU_OK(ctx, ssb_se_debye_length(ctx, 50, 300, 1, 2.6e28 * f[i], &l));
        TU_ASSERT_REL(l, nm[i] * 1e-9, 0.02);
    }
    assert_int_equal(ssb_se_debye_length(ctx, 50, 300, 0, 1e24, &l), SSB_ERR_RANGE);
    /* Mott-Schottky summary: lambda* = 2 lambda sqrt(y) = sqrt(2 eps Phi0 / (z e c)), C = eps / (2 lambda*) */
    p.model = SSB_SE_MOTT_SCHOTTKY;
    p.phi0 = 0.2385;
    TU_OK(ctx, ssb_se_scl_solve(ctx, &p, &r));
    double eps = 38.5 * SSB_CONST_EPS0;
    /* 1e-10: k_B in eV (SSB_CONST_BOLTZMANN_EV, 10 digits) vs k_B/e */
    TU_ASSERT_REL(r.width, sqrt(2 * eps * 0.2385 / (SSB_CONST_ECHARGE * 2.385e25)), 1e-10);
    TU_ASSERT_REL(r.C_gb_area, eps / (2 * r.width), 1e-14);
    TU_ASSERT_REL(r.asr_gb, 2 * r.width * r.r_perp_exact / 0.0217, 1e-14);
    TU_ASSERT_REL(r.dEa, 0.2385 * (1 - 1 / r.y), 1e-14);
    TU_OK(ctx, ssb_se_scl_potential(ctx, &p, r.r_perp, SSB_SE_BRANCH_PHYSICAL, &phi_back));
    TU_ASSERT_REL(phi_back, 0.2385, 1e-12);
    p.phi0 = -0.1;
    assert_int_equal(ssb_se_scl_solve(ctx, &p, &r), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "depletion"));
    print_message("PASS Gouy-Chapman identity to 1e-10, Debye lengths of F2.2\n");
    ssb_ctx_destroy(&ctx);
}

static void test_arrhenius(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    for (int form = 0; form < 2; form++) {
        ssb_se_arrhenius a = ssb_se_arrhenius_default();
        a.sigma_ref = 0.0385;
        a.Ea = 0.4235;
        a.form = (ssb_se_arrh_form)form;
        double T[6] = {253.2, 281.7, 298.15, 323.9, 357.4, 398.8}, s[6];
        for (int i = 0; i < 6; i++)
            TU_OK(ctx, ssb_se_arrhenius_eval(ctx, &a, T[i], &s[i], NULL));
        TU_ASSERT_REL(s[2], 0.0385, 1e-15);
        ssb_se_arrhenius b;
        double se, rss;
        TU_OK(ctx, ssb_se_arrhenius_fit(ctx, 6, T, s, a.form, 298.15, &b, &se, &rss));
        TU_ASSERT_REL(b.Ea, 0.4235, 1e-12);
        TU_ASSERT_REL(b.sigma_ref, 0.0385, 1e-12);
        assert_true(rss < 1e-25 && se < 1e-12);
        /* fitting the other form gives Ea shifted by about kT (properties.md "How to read": 0.02-0.03 eV) */
        TU_OK(ctx, ssb_se_arrhenius_fit(ctx, 6, T, s, (ssb_se_arrh_form)(1 - form), 298.15, &b, &se, &rss));
        double shift = form == 0 ? a.Ea - b.Ea : b.Ea - a.Ea;
        assert_true(shift > 0.02 && shift < 0.035);
    }
    ssb_se_arrhenius a = ssb_se_arrhenius_default();
    double s, e;
    assert_int_equal(ssb_se_arrhenius_eval(ctx, &a, 300, &s, &e), SSB_ERR_RANGE);
    a.sigma_ref = 1e-3;
    a.Ea = 0.3;
    a.form = SSB_SE_ARRH_SIGMA;
    TU_OK(ctx, ssb_se_arrhenius_eval(ctx, &a, 350, &s, &e));
    TU_ASSERT_REL(e, 0.3 + KB_EV * 350, 1e-15);
    double T2[2] = {300, 300}, S2[2] = {1, 2};
    assert_int_equal(ssb_se_arrhenius_fit(ctx, 2, T2, S2, SSB_SE_ARRH_SIGMA_T, 298.15, &a, NULL, NULL), SSB_ERR_RANGE);

    /* brick layer vs T: Al-LLZO bulk 4.6e-4 S/cm / 0.34 eV, GB 5.97e-6 S/cm / 0.43 eV (Krauskopf 2019,
     * properties.md 1.1); d = 2.385 um, delta = 3.1 nm */
    ssb_se_brick_arrhenius p = ssb_se_brick_arrhenius_default();
    p.bulk.sigma_ref = 4.6e-2;
    p.bulk.Ea = 0.34;
    p.gb_perp.sigma_ref = 5.97e-4;
    p.gb_perp.Ea = 0.43;
    p.gb_par.sigma_ref = 0; /* no parallel path first */
    p.grain_size = 2.385e-6;
    p.gb_thickness = 3.1e-9;
    ssb_se_brick_arrh_point q, qa, qb;
    TU_OK(ctx, ssb_se_brick_arrhenius_eval(ctx, &p, 298.15, &q));
    double dd = 3.1e-9 / 2.385e-6;
    TU_ASSERT_REL(q.sigma_total, 1 / (1 / 4.6e-2 + dd / 5.97e-4), 1e-14);
    TU_ASSERT_REL(q.gb_share, (dd / 5.97e-4) / (1 / 4.6e-2 + dd / 5.97e-4), 1e-14);
    TU_ASSERT_REL(q.Ea_app, (1 - q.gb_share) * 0.34 + q.gb_share * 0.43, 1e-14);
    /* apparent Ea = -k d ln(sigma T)/d(1/T) by central differences, with and without the parallel path */
    for (int par = 0; par < 2; par++) {
        p.gb_par.sigma_ref = par ? 2.2e-2 : 0.0;
        p.gb_par.Ea = 0.29;
        double T0 = 311.7, h = 1e-4;
        TU_OK(ctx, ssb_se_brick_arrhenius_eval(ctx, &p, T0, &q));
        TU_OK(ctx, ssb_se_brick_arrhenius_eval(ctx, &p, 1 / (1 / T0 + h * 1e-3 / T0), &qa));
        TU_OK(ctx, ssb_se_brick_arrhenius_eval(ctx, &p, 1 / (1 / T0 - h * 1e-3 / T0), &qb));
        double num = -KB_EV * (log(qa.sigma_total * qa.T) - log(qb.sigma_total * qb.T)) / (1 / qa.T - 1 / qb.T);
        TU_ASSERT_REL(q.Ea_app, num, 1e-7);
    }
    p.gb_thickness = 0;
    TU_OK(ctx, ssb_se_brick_arrhenius_eval(ctx, &p, 250, &q));
    TU_ASSERT_REL(q.Ea_app, 0.34, 1e-15);
    print_message("PASS Arrhenius: fits recover Ea to 1e-12; brick Ea_app matches finite differences to 1e-7\n");
    ssb_ctx_destroy(&ctx);
}

static void test_leakage_dendrite(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    /* 50 um LLZTO-like separator: bulk sigma_e 2.5e-9 S/cm (properties.md 1.2), electronically leaky GBs */
    ssb_se_leakage_params p = ssb_se_leakage_params_default();
    p.thickness = 50e-6;
    p.area = 1.0e-4;
    p.grain_size = 2.385e-6;
    p.gb_thickness = 1.2e-9;
    p.sigma_el_bulk = 2.5e-7;
    p.sigma_el_gb = 1.385e-4;
    p.sigma_ion = 0.035;
    p.voltage = 4.2;
    p.capacity = 3600.0 * 0.00417; /* 4.17 mAh */
    ssb_se_leakage_result r;
    TU_OK(ctx, ssb_se_leakage_solve(ctx, &p, &r));
    /* by hand */
    double dd = 1.2e-9 / 2.385e-6;
    double sser = 1 / (1 / 2.5e-7 + dd / 1.385e-4), spar = 2 * dd * 1.385e-4, s = sser + spar;
    TU_ASSERT_REL(r.sigma_el_eff, s, 1e-14);
    double I = s * 1e-4 * 4.2 / 50e-6;
    TU_ASSERT_REL(r.current, I, 1e-14);
    TU_ASSERT_REL(r.current_density, I / 1e-4, 1e-14);
    TU_ASSERT_REL(r.resistance, 4.2 / I, 1e-14);
    TU_ASSERT_REL(r.gb_current_fraction, spar / s, 1e-14);
    TU_ASSERT_REL(r.t_el, s / (s + 0.035), 1e-14);
    TU_ASSERT_REL(r.self_discharge_per_day, I * 86400 / (3600 * 0.00417), 1e-14);
    TU_ASSERT_REL(r.time_to_empty, 3600 * 0.00417 / I, 1e-14);
    /* homogeneous separator: i = sigma V / L */
    p.gb_thickness = 0;
    TU_OK(ctx, ssb_se_leakage_solve(ctx, &p, &r));
    TU_ASSERT_REL(r.current_density, 2.5e-7 * 4.2 / 50e-6, 1e-14);
    p.voltage = -1;
    assert_int_equal(ssb_se_leakage_solve(ctx, &p, &r), SSB_ERR_RANGE);

    /* dendrite indicator: path to both electrodes, 30 um, sigma_i 0.1 S/m, 10 A/m^2 (1 mA/cm^2), 4 V, eta 50 mV */
    ssb_se_dendrite_params d = ssb_se_dendrite_params_default();
    d.thickness = 30e-6;
    d.sigma_ion = 0.1;
    d.sigma_el = 3.3e-6;
    d.current_density = 10.0;
    d.cell_voltage = 4.0;
    d.overpotential = 0.05;
    ssb_se_dendrite_result q;
    double E[7];
    TU_OK(ctx, ssb_se_dendrite_solve(ctx, &d, &q, 7, E));
    double slope = 4.0 / 30e-6 - 10.0 / 0.1;
    TU_ASSERT_REL(q.x_risk, 0.05 / slope, 1e-14);
    TU_ASSERT_REL(q.E_min, -0.05, 1e-15);
    TU_ASSERT_REL(q.E_end, -0.05 + slope * 30e-6, 1e-14);
    TU_ASSERT_REL(E[3], -0.05 + slope * 15e-6, 1e-14);
    TU_ASSERT_REL(q.i_el, 3.3e-6 * 4.0 / 30e-6, 1e-14);
    /* GB attached only to the Li metal: the whole path lies below 0 V vs Li */
    d.contact = SSB_SE_EPATH_ANODE_ONLY;
    TU_OK(ctx, ssb_se_dendrite_solve(ctx, &d, &q, 0, NULL));
    TU_ASSERT_REL(q.risk_fraction, 1.0, 1e-15);
    TU_ASSERT_REL(q.E_end, -0.05 - 10.0 * 30e-6 / 0.1, 1e-14);
    TU_ASSERT_REL(q.li0_rate_bound, 3.3e-6 * fabs(q.E_end) / 30e-6 / SSB_CONST_FARADAY, 1e-14);
    assert_true(q.i_el == 0.0);
    d.sigma_ion = 0;
    assert_int_equal(ssb_se_dendrite_solve(ctx, &d, &q, 0, NULL), SSB_ERR_RANGE);
    print_message("PASS leakage %.4g A/m^2 by hand; Li0 possible within %.3g nm of the anode (both contacts)\n",
                  2.5e-7 * 4.2 / 50e-6, 0.05 / slope * 1e9);
    ssb_ctx_destroy(&ctx);
}

/* PB solver against closed-form first integrals of the semi-infinite problem (Boltzmann limit: tiny site
 * fractions with a large multiplicity):
 *   Gouy-Chapman (1:1, both mobile): charge beyond x |Q| = sqrt(8 eps c kT) sinh(y(x)/2) (Grahame), profile
 *   tanh(y/4) = tanh(y0/4) exp(-x/lambda);
 *   Mott-Schottky (fixed dopant): |Q| = sqrt(2 eps c kT (y + e^-y - 1)). */
static void test_pb_first_integrals(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const int N = 500;
    const double h = 0.12e-9, area = 1e-18, xs = 1e-7, mult = 1500.0;
    const double T = 347.0, eps_r = 41.0, y0 = 3.85;
    double kT = KB_EV * T, c = mult * xs / (h * area), eps = eps_r * SSB_CONST_EPS0;
    double *x = malloc(N * sizeof *x), *wd = malloc(N * sizeof *wd), *phi = malloc(N * sizeof *phi);
    double *rho = malloc(N * sizeof *rho), *en = malloc(2 * N * sizeof *en), *mu = malloc(2 * N * sizeof *mu);
    int *pl = malloc(2 * N * sizeof *pl), *sp = malloc(2 * N * sizeof *sp);
    for (int i = 0; i < N; i++) {
        x[i] = (i + 1) * h;
        wd[i] = h;
        for (int k = 0; k < 2; k++) {
            pl[2 * i + k] = i;
            sp[2 * i + k] = k;
            en[2 * i + k] = 0.0;
            mu[2 * i + k] = mult;
        }
    }
    for (int model = 0; model < 2; model++) {
        ssb_se_pb_species spc[2] = {{+1.0, xs, 1}, {-1.0, xs, model == 0 ? 1 : 0}};
        ssb_se_pb_problem p = ssb_se_pb_problem_default();
        p.nspecies = 2;
        p.species = spc;
        p.nplanes = N;
        p.plane_x = x;
        p.plane_width = wd;
        p.area = area;
        p.nsites = 2 * N;
        p.site_plane = pl;
        p.site_species = sp;
        p.site_energy = en;
        p.site_mult = mu;
        p.eps_r = eps_r;
        p.T = T;
        p.periodic = 0;
        p.h_lo = h;
        p.h_hi = h;
        p.phi_lo = y0 * kT;
        p.phi_hi = 0.0;
        ssb_se_pb_result r = {phi, rho, NULL, 0, 0, 0, 0};
        TU_OK(ctx, ssb_se_pb_solve(ctx, &p, &r));
        /* the cells start at x = h/2: compare the charge beyond h/2 with the first integral at y(h/2) */
        double Q = 0;
        for (int i = 0; i < N; i++)
            Q += rho[i] * h;
        double yh = 0.5 * (y0 + phi[0] / kT);
        double Qx = model == 0 ? sqrt(8 * eps * c * SSB_CONST_BOLTZMANN * T) * sinh(yh / 2)
                               : sqrt(2 * eps * c * SSB_CONST_BOLTZMANN * T * (yh + exp(-yh) - 1));
        TU_ASSERT_REL(-Q, Qx, 2e-3);
        if (model == 0) {
            double lam;
            TU_OK(ctx, ssb_se_debye_length(ctx, eps_r, T, 1.0, c, &lam));
            double worst = 0;
            for (int i = 0; i < N; i++) {
                double ya = 4 * atanh(tanh(y0 / 4) * exp(-x[i] / lam));
                if (fabs(phi[i] / kT - ya) > worst)
                    worst = fabs(phi[i] / kT - ya);
            }
            assert_true(worst < 5e-3 * y0);
            print_message("PASS PB Gouy-Chapman: |Q| = %.5g C/m^2 (Grahame %.5g), max |dy| %.2g, %d Newton steps\n", -Q,
                          Qx, worst, r.iterations);
        } else {
            print_message("PASS PB Mott-Schottky: |Q| = %.5g C/m^2 (first integral %.5g), %d Newton steps\n", -Q, Qx,
                          r.iterations);
        }
    }
    /* bad input */
    ssb_se_pb_species spc[1] = {{0.0, 0.1, 1}};
    ssb_se_pb_problem p = ssb_se_pb_problem_default();
    p.nspecies = 1;
    p.species = spc;
    ssb_se_pb_result r = {phi, NULL, NULL, 0, 0, 0, 0};
    assert_int_equal(ssb_se_pb_solve(ctx, &p, &r), SSB_ERR_RANGE);
    free(x);
    free(wd);
    free(phi);
    free(rho);
    free(en);
    free(mu);
    free(pl);
    free(sp);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brick_forward),     cmocka_unit_test(test_brick_wiener_bound),
        cmocka_unit_test(test_brick_inverse),
        cmocka_unit_test(test_lambert_ms),        cmocka_unit_test(test_gouy_chapman_debye),
        cmocka_unit_test(test_arrhenius),         cmocka_unit_test(test_leakage_dendrite),
        cmocka_unit_test(test_pb_first_integrals)};
    return cmocka_run_group_tests_name("se", tests, NULL, NULL);
}
