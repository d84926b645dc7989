/* iface: growth laws against their closed forms and limits (parabolic slope 1/2, linear, Deal-Grove limits, Wagner
 * constant vs a direct integration of the Wagner flux), literature anchors of the database records (Li|LGPS: Wenzel
 * et al., Chem. Mater. 28, 2400 (2016); Li|LiPON: Cheng et al., Joule 4, 2484 (2020)), Arrhenius and potential
 * factors, coatings (closed-form constant-rate case, finite optimum moving thinner with lower coating sigma_ion),
 * space charge against the se module, stability windows and coating ranking on the database's own values, cycling
 * with ageing (lithium bookkeeping, no fade without growth, fade split sums to the total, cycle 1 = a plain cell
 * run), and bad interface blocks (key named, distinct codes). */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_se.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NM 1e-9
#define HOUR 3600.0
#define OHM_CM2 1e-4

static ssb_ctx *ctx;
static ssb_materials *mdb;
static ssb_iface_db *idb;

static int setup(void **state)
{
    (void)state;
    return tu_db_open(&ctx, &mdb, NULL, &idb);
}

static int teardown(void **state)
{
    (void)state;
    tu_db_close(&ctx, &mdb, NULL, &idb);
    return 0;
}

static ssb_iface_growth record_growth(const char *el, const char *se, const ssb_iface_record **out)
{
    const ssb_iface_record *rec = NULL;
    TU_OK(ctx, ssb_iface_db_find(ctx, idb, mdb, el, se, &rec));
    ssb_iface_growth g = rec->growth;
    const ssb_material *m = NULL;
    TU_OK(ctx, ssb_materials_find(ctx, mdb, se, &m));
    TU_OK(ctx, ssb_materials_get_si(ctx, m, "E_red", &g.E_red));
    TU_OK(ctx, ssb_materials_get_si(ctx, m, "E_ox", &g.E_ox));
    if (out)
        *out = rec;
    return g;
}

/* Li|LGPS (MCI): parabolic growth, slope of log R vs log t = 0.50 +- 0.02; R at the stated time inside the band
 * of Wenzel et al., Chem. Mater. 28, 2400 (2016) (record "check"). */
static void test_lgps_parabolic(void **state)
{
    (void)state;
    const ssb_iface_record *rec;
    ssb_iface_growth g = record_growth("Li", "LGPS", &rec);
    assert_int_equal(rec->type, SSB_IFACE_MCI);
    assert_int_equal(g.law, SSB_IFACE_LAW_PARABOLIC);
    double t[2] = {1.37 * HOUR, 23.9 * HOUR}, L[2], R[2];
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 0.0, 298.15, 2, t, L, R));
    double slope = log(R[1] / R[0]) / log(t[1] / t[0]);
    printf("Li|LGPS log-log slope of R(t): %.4f\n", slope);
    assert_true(fabs(slope - 0.5) <= 0.02);
    assert_true(isfinite(rec->check_t) && isfinite(rec->check_R_lo));
    double tc = rec->check_t, Lc, Rc;
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 0.0, 298.15, 1, &tc, &Lc, &Rc));
    printf("Li|LGPS R(%.0f h) = %.1f ohm cm2, band %.0f-%.0f (Wenzel 2016)\n", tc / HOUR, Rc / OHM_CM2,
           rec->check_R_lo / OHM_CM2, rec->check_R_hi / OHM_CM2);
    assert_true(Rc >= rec->check_R_lo && Rc <= rec->check_R_hi);
    assert_non_null(strstr(rec->source, "Wenzel"));
}

/* Li|LiPON (passivating SEI): thickness at the stated time inside the band of Cheng et al., Joule 4, 2484 (2020);
 * self-limiting: R grows by < 5 % from 1 h to 1000 h. */
static void test_lipon_sei(void **state)
{
    (void)state;
    const ssb_iface_record *rec;
    ssb_iface_growth g = record_growth("Li", "LiPON", &rec);
    assert_int_equal(rec->type, SSB_IFACE_SEI);
    double t[3] = {rec->check_t, 1 * HOUR, 1000 * HOUR}, L[3], R[3];
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 0.0, 298.15, 3, t, L, R));
    printf("Li|LiPON L(%.0f h) = %.2f nm (band %.0f-%.0f nm, Cheng 2020), R = %.3f ohm cm2\n", t[0] / HOUR, L[0] / NM,
           rec->check_L_lo / NM, rec->check_L_hi / NM, R[0] / OHM_CM2);
    assert_true(L[0] >= rec->check_L_lo && L[0] <= rec->check_L_hi);
    assert_true(R[2] / R[1] < 1.1 && R[2] > R[1]); /* LGPS: x30 over the same time (test above) */
    assert_non_null(strstr(rec->check_source, "Cheng"));
}

/* Linear law: L - L0 proportional to t; Deal-Grove: linear for small t, parabolic for large t. */
static void test_linear_deal_grove(void **state)
{
    (void)state;
    ssb_iface_growth g = ssb_iface_growth_default();
    g.law = SSB_IFACE_LAW_LINEAR;
    g.L0 = 3.17 * NM;
    g.k_l = 2.385 * NM / HOUR;
    g.sigma_ion = 1.3e-5;
    double t[3] = {1.7 * HOUR, 3.4 * HOUR, 340 * HOUR}, L[3];
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 0, 298.15, 3, t, L, NULL));
    TU_ASSERT_REL(L[1] - g.L0, 2 * (L[0] - g.L0), 1e-12);
    TU_ASSERT_REL(L[2] - g.L0, g.k_l * t[2], 1e-12);
    /* Deal-Grove with A = 2 k_p / k_l */
    ssb_iface_growth d = g;
    d.law = SSB_IFACE_LAW_DEAL_GROVE;
    d.L0 = 0;
    d.k_p = 41.3 * NM * NM / HOUR;
    double A = 2 * d.k_p / d.k_l;
    double ts = 1e-4 * A / d.k_l, tl = 1e5 * A * A / (2 * d.k_p), Ls, Ll;
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &d, 0, 298.15, 1, &ts, &Ls, NULL));
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &d, 0, 298.15, 1, &tl, &Ll, NULL));
    printf("Deal-Grove: L/(k_l t) = %.6f at small t, L^2/(2 k_p t) = %.6f at large t\n", Ls / (d.k_l * ts),
           Ll * Ll / (2 * d.k_p * tl));
    TU_ASSERT_REL(Ls, d.k_l * ts, 1e-3);
    TU_ASSERT_REL(Ll * Ll, 2 * d.k_p * tl, 1e-2);
    /* and the exact relation L^2 + A L = B t in between */
    double tm = A * A / d.k_p, Lm;
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &d, 0, 298.15, 1, &tm, &Lm, NULL));
    TU_ASSERT_REL(Lm * Lm + A * Lm, 2 * d.k_p * tm, 1e-12);
}

/* Wagner constant: closed-form parabola vs a direct integration of dL/dt = sigma_amb dE / (F c L). */
static void test_wagner(void **state)
{
    (void)state;
    double si = 2.385e-4, se = 7.3e-6, dE = 1.71, c = 5.3e4, kp;
    TU_OK(ctx, ssb_iface_wagner_kp(ctx, si, se, dE, c, &kp));
    double amb = si * se / (si + se), L = 1e-9, t = 0, T = 3600.0, dt = 1e-3;
    /* RK4 on dL/dt, starting from L(t0) = 1 nm */
    double t0 = L * L / (2 * kp);
    while (t < T) {
        double h = fmin(dt, T - t);
        double k1 = amb * dE / (SSB_CONST_FARADAY * c * L), k2 = amb * dE / (SSB_CONST_FARADAY * c * (L + 0.5 * h * k1)),
               k3 = amb * dE / (SSB_CONST_FARADAY * c * (L + 0.5 * h * k2)),
               k4 = amb * dE / (SSB_CONST_FARADAY * c * (L + h * k3));
        L += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
        t += h;
        dt *= 1.01;
    }
    ssb_iface_growth g = ssb_iface_growth_default();
    g.law = SSB_IFACE_LAW_PARABOLIC;
    g.k_p = kp;
    g.sigma_ion = si;
    double Lc = ssb_iface_thickness(&g, 1e-9, T, INFINITY);
    printf("Wagner: closed form %.6g nm, integrated %.6g nm (t0 %.3g s)\n", Lc / NM, L / NM, t0);
    TU_ASSERT_REL(Lc, L, 1e-6);
    assert_int_equal(ssb_iface_wagner_kp(ctx, si, se, -1, c, &kp), SSB_ERR_RANGE);
    /* long times: L -> sqrt(2 k_p t) (4 b C overflowed beyond ~1e300 s and the root came out 0); the Deal-Grove
     * law tends to the same limit, L = (sqrt(A^2 + 4 B t) - A) / 2 with A = 2 k_p / k_l, B = 2 k_p */
    const double tl[] = {1e4 * HOUR, 1e250, 3.6e303};
    for (int i = 0; i < 3; i++)
        TU_ASSERT_REL(ssb_iface_thickness(&g, 0, tl[i], INFINITY), sqrt(2 * kp * tl[i]), 1e-12);
    g.law = SSB_IFACE_LAW_DEAL_GROVE;
    g.k_l = 1e-12;
    double A = 2 * kp / g.k_l;
    TU_ASSERT_REL(ssb_iface_thickness(&g, 0, 1e4 * HOUR, INFINITY),
                  0.5 * (sqrt(A * A + 8 * kp * 1e4 * HOUR) - A), 1e-12);
    TU_ASSERT_REL(ssb_iface_thickness(&g, 0, 3.6e303, INFINITY), sqrt(2 * kp * 3.6e303), 1e-9);
    double tbig = 1.7e308, Lbig;
    g.k_p = 1e10; /* overflows */
    assert_int_equal(ssb_iface_growth_curve(ctx, &g, g.E_ox + 1, 298.15, 1, &tbig, &Lbig, NULL), SSB_ERR_RANGE);
}

/* Arrhenius and potential factors; no growth inside the window. */
static void test_rate_factor(void **state)
{
    (void)state;
    ssb_iface_growth g = record_growth("NCM811", "Li6PS5Cl", NULL);
    TU_ASSERT_REL(ssb_iface_rate_factor(&g, g.E_ox + g.dE_ref, g.T_ref), 1.0, 1e-14);
    TU_ASSERT_REL(ssb_iface_rate_factor(&g, 3.27, g.T_ref), (3.27 - g.E_ox) / g.dE_ref, 1e-14);
    assert_true(ssb_iface_rate_factor(&g, 0.5 * (g.E_red + g.E_ox), g.T_ref) == 0.0);
    g.Ea = 47.3e3;
    double T = 333.15;
    TU_ASSERT_REL(ssb_iface_rate_factor(&g, g.E_ox + g.dE_ref, T),
                  exp(-47.3e3 / SSB_CONST_GAS * (1 / T - 1 / g.T_ref)), 1e-14);
    /* higher state of charge grows faster */
    double t = 100 * HOUR, L1, L2;
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 3.7, 298.15, 1, &t, &L1, NULL));
    TU_OK(ctx, ssb_iface_growth_curve(ctx, &g, 4.3, 298.15, 1, &t, &L2, NULL));
    assert_true(L2 > L1);
}

/* Coating, closed form with a constant (linear) growth law. */
static void test_coating_closed_form(void **state)
{
    (void)state;
    ssb_iface_growth g = ssb_iface_growth_default();
    g.law = SSB_IFACE_LAW_LINEAR;
    g.k_l = 1.93 * NM / HOUR;
    g.sigma_ion = 2.7e-6;
    g.dE_ref = 2.19;
    g.c_li = -1.72e4;
    ssb_iface_coating c = ssb_iface_coating_default();
    c.sigma_ion = 3.16e-4;
    c.sigma_e = 1.1e-11;
    double th[3] = {0, 4.7 * NM, 23.1 * NM}, cov[2] = {0.83, 1.0}, R[6], U = 4.2, T = 298.15, t = 517 * HOUR;
    int best;
    TU_OK(ctx, ssb_iface_coating_scan(ctx, &g, &c, U, T, t, 3, th, 2, cov, R, &best));
    for (int k = 0; k < 6; k++) /* no window given: no driving force, no growth; the uncovered part short-circuits
                                   unless the coverage is 1, where only the coating's resistance is left */
        TU_ASSERT_REL(R[k], (th[k / 2] == 0 || cov[k % 2] < 1) ? 0.0 : th[k / 2] / c.sigma_ion, 1e-12);
    g.E_ox = 2.01;
    c.tunnelling = 3.7 * NM;
    TU_OK(ctx, ssb_iface_coating_scan(ctx, &g, &c, U, T, t, 3, th, 2, cov, R, &best));
    double ft = t * (U - g.E_ox) / g.dE_ref;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
            double Lu = g.k_l * ft, Rexp;
            if (th[i] == 0) {
                Rexp = Lu / g.sigma_ion;
            } else {
                double vc = c.sigma_e * g.dE_ref / (SSB_CONST_FARADAY * fabs(g.c_li) * th[i]);
                double Lc = ft * exp(-th[i] / c.tunnelling) / (1 / g.k_l + 1 / vc);
                double Rc = th[i] / c.sigma_ion + Lc / g.sigma_ion, Ru = Lu / g.sigma_ion;
                Rexp = cov[j] >= 1 ? Rc : 1 / (cov[j] / Rc + (1 - cov[j]) / Ru);
            }
            TU_ASSERT_REL(R[i * 2 + j], Rexp, 1e-6);
        }
}

/* Optimum coating thickness: finite, and thinner when the coating's sigma_ion falls. */
static double optimum(const ssb_iface_growth *g, double sigma_c)
{
    ssb_iface_coating c = ssb_iface_coating_default();
    c.sigma_ion = sigma_c;
    c.sigma_e = 1e-9; /* S/m */
    enum { N = 161 };
    double th[N], cov = 1.0, R[N];
    for (int i = 0; i < N; i++)
        th[i] = 0.01 * NM * pow(10.0, 4.0 * i / (N - 1)); /* 0.01 to 100 nm */
    int best;
    TU_OK(ctx, ssb_iface_coating_scan(ctx, g, &c, 4.2, 298.15, 1000 * HOUR, N, th, 1, &cov, R, &best));
    assert_true(best > 0 && best < N - 1);
    return th[best];
}

static void test_coating_optimum(void **state)
{
    (void)state;
    ssb_iface_growth g = record_growth("NCM811", "Li6PS5Cl", NULL);
    double d1 = optimum(&g, 3.16e-4), d2 = optimum(&g, 3.16e-5), d3 = optimum(&g, 3.16e-6);
    printf("optimum coating thickness: %.3g / %.3g / %.3g nm for sigma_ion = 3.16e-6 / -7 / -8 S/cm\n", d1 / NM,
           d2 / NM, d3 / NM);
    assert_true(d1 > d2 && d2 > d3);
}

/* Space charge: the resistance of one layer is half the se module's GB excess; an interlayer replaces it. */
static void test_spacecharge(void **state)
{
    (void)state;
    ssb_iface_scl_params p = ssb_iface_scl_params_default();
    p.eps_r = 37.1;
    p.c_inf = 2.385e26;
    p.phi0 = 0.173;
    p.sigma_bulk = 0.195;
    ssb_iface_scl_result r;
    TU_OK(ctx, ssb_iface_spacecharge(ctx, &p, &r));
    ssb_se_scl_params sp = ssb_se_scl_params_default();
    sp.eps_r = p.eps_r;
    sp.c_inf = p.c_inf;
    sp.phi0 = p.phi0;
    sp.sigma_bulk = p.sigma_bulk;
    sp.T = p.T;
    ssb_se_scl_result sr;
    TU_OK(ctx, ssb_se_scl_solve(ctx, &sp, &sr));
    TU_ASSERT_REL(r.R_scl, 0.5 * sr.asr_excess, 1e-14);
    assert_true(r.R_total == r.R_scl && r.R_scl > 0);
    p.interlayer.thickness = 7.3 * NM;
    p.interlayer.coverage = 1;
    p.interlayer.sigma_ion = 3.16e-4;
    TU_OK(ctx, ssb_iface_spacecharge(ctx, &p, &r));
    TU_ASSERT_REL(r.R_total, 7.3 * NM / 3.16e-4, 1e-14);
}

/* Stability on the database's own values. */
static void test_stability(void **state)
{
    (void)state;
    ssb_iface_stability *s = calloc(1, sizeof *s);
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "NCM811", "LPSCl", NULL, NAN, NAN, s));
    assert_int_equal(s->stable, 0);
    assert_true(s->n_unstable == 1 && s->unstable[0][1] > s->E_ox && s->unstable[0][0] >= s->E_ox);
    assert_true(s->type == SSB_IFACE_SEI);
    assert_non_null(strstr(s->window_source, "Zhu"));
    int nb = -1, po = -1;
    for (int i = 0; i < s->ncoatings; i++) {
        if (!strcmp(s->coatings[i].name, "LiNbO3"))
            nb = i;
        if (!strcmp(s->coatings[i].name, "Li3PO4"))
            po = i;
        if (i > 0 && s->coatings[i].stable == s->coatings[i - 1].stable && !s->coatings[i].stable &&
            isfinite(s->coatings[i].excess))
            assert_true(s->coatings[i].excess >= s->coatings[i - 1].excess);
    }
    assert_true(nb >= 0 && po >= 0 && po < nb); /* Li3PO4 exceeds its window by less than LiNbO3 over 4.3 V */
    /* a given coating: LiNbO3's computed window ends at 3.7 V, below NCM811's top of charge (4.3 V cut-off) */
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "NCM811", "LPSCl", "LiNbO3", NAN, 4.3, s));
    assert_true(s->has_coating && !s->coating.stable && s->coating.n_unstable == 1);
    TU_ASSERT_REL(s->coating.unstable[0][0], s->coating.E_ox, 1e-15);
    TU_ASSERT_REL(s->coating.unstable[0][1], 4.3, 1e-15);
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "Li", "LLZO", NULL, NAN, NAN, s));
    assert_true(s->stable == 0 && s->nearly_stable && s->excess < 0.1);
    /* a pair without window data is unknown, never stable */
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "Li", "Li6PS5Br", NULL, NAN, NAN, s));
    assert_int_equal(s->stable, -1);
    assert_int_equal(s->type, SSB_IFACE_UNKNOWN);
    /* inside the window: stable */
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "In-Li", "LiPON", NULL, NAN, NAN, s));
    assert_int_equal(s->stable, 0); /* 0.62 V is below LiPON's 0.68 V reduction limit */
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "In-Li", "Li3YCl6", NULL, NAN, NAN, s));
    assert_int_equal(s->stable, 1); /* 0.62 V on Li3YCl6's reduction limit 0.62 V: the boundary is stable */
    assert_int_equal(s->type, SSB_IFACE_STABLE);
    free(s);
}

/* Negative electrodes: their operating window is their OCV vs Li, not the 3.0 - 4.3 V of a positive (the defaults
 * used to clip graphite, Si and Li4Ti5O12 to a point at 3.0 V). Lithiated graphite sits at 0.1 - 0.2 V vs Li
 * (staging plateaus 0.085 - 0.21 V: Dahn, Phys. Rev. B 44, 9170 (1991)), lithiated Si below 0.1 V (Obrovac &
 * Christensen, Electrochem. Solid-State Lett. 7, A93 (2004)), both far below Li6PS5Cl's reduction limit 1.71 V
 * (Zhu, He, Mo 2015): the unstable range is on the reduction side. Cut-offs that miss the curve are an error. */
static void test_stability_negative(void **state)
{
    (void)state;
    ssb_iface_stability *s = calloc(1, sizeof *s);
    const char *neg[] = {"graphite", "Si", "Li4Ti5O12"};
    for (int i = 0; i < 3; i++) {
        TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, neg[i], "Li6PS5Cl", NULL, NAN, NAN, s));
        assert_true(s->U_lo < s->U_hi && s->U_hi < 3.0);
        assert_int_equal(s->stable, 0);
        assert_true(s->n_unstable >= 1);
        TU_ASSERT_REL(s->unstable[0][0], s->U_lo, 1e-15);
        TU_ASSERT_REL(s->unstable[0][1], fmin(s->U_hi, 1.71), 1e-12);
    }
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "graphite", "Li6PS5Cl", NULL, NAN, NAN, s));
    assert_true(s->U_lo < 0.2);
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "Si", "Li6PS5Cl", NULL, NAN, NAN, s));
    assert_true(s->U_lo < 0.1);
    assert_int_equal(ssb_iface_stability_assess(ctx, mdb, idb, "graphite", "Li6PS5Cl", NULL, 3.0, 4.3, s),
                     SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "graphite"));
    ssb_ctx_clear_error(ctx);
    /* given cut-offs inside the curve clip it */
    TU_OK(ctx, ssb_iface_stability_assess(ctx, mdb, idb, "graphite", "Li6PS5Cl", NULL, 0.1, 1.0, s));
    assert_true(s->U_lo >= 0.1 && s->U_hi <= 1.0);
    free(s);
}

/* Cycling: bookkeeping and the three checks of the issue. */
static void test_cycle(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    assert_true(ag.site[SSB_IFACE_POS].enabled && ag.site[SSB_IFACE_NEG].enabled);
    /* values handed over from the materials database and the cell: the SE window, the active area */
    {
        const ssb_material *m = NULL;
        double E_ox, E_red;
        TU_OK(ctx, ssb_materials_find(ctx, mdb, "Li6PS5Cl", &m));
        TU_OK(ctx, ssb_materials_get_si(ctx, m, "E_ox", &E_ox));
        TU_OK(ctx, ssb_materials_get_si(ctx, m, "E_red", &E_red));
        assert_true(ag.site[SSB_IFACE_POS].growth.E_ox == E_ox && ag.site[SSB_IFACE_NEG].growth.E_red == E_red);
    }
    /* SE|carbon too, with an area per volume */
    ag.site[SSB_IFACE_CARBON].enabled = 1;
    ag.site[SSB_IFACE_CARBON].growth = record_growth("carbon", "Li6PS5Cl", NULL);
    ag.site[SSB_IFACE_CARBON].area_per_volume = 2.385e5;
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = 12;
    ssb_iface_cycle_result r;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, &ag, &cp, &r));
    int n = r.n;
    ssb_cell_derived dv;
    TU_OK(ctx, ssb_cell_params_derive(ctx, p, &dv));
    TU_ASSERT_REL(r.a_pos[0], dv.a_pos, 1e-14); /* no SE consumed before cycle 1 */
    assert_true(r.a_pos[n - 1] < r.a_pos[0]);
    /* lost inventory = lithium in the interphases */
    double dint = r.li_interphase[n - 1] - r.li_interphase[0];
    printf("Li lost %.6e mol/m2, Li in interphases %.6e mol/m2\n", r.li_lost, dint);
    TU_ASSERT_REL(r.li_lost, dint, 1e-9);
    assert_true(fabs(dint) > 0);
    /* fade split sums to the total */
    double sum = 0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sum += r.fade[m];
    TU_ASSERT_REL(sum, r.fade_total, 1e-12);
    assert_true(r.fade_total > 0 && r.fade[SSB_IFACE_MECH_POS_RESISTANCE] > 0 &&
                r.fade[SSB_IFACE_MECH_NEG_RESISTANCE] > 0 && r.fade[SSB_IFACE_MECH_IONIC_NETWORK] > 0);
    /* cycle 1 equals a plain discharge of the same cell */
    ssb_cell *cell = NULL;
    ssb_cell_result *res = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    TU_OK(ctx, ssb_cell_run_protocol(ctx, cell, "Discharge at 1C until 3.5 V", NULL, &res));
    ssb_cell_step_result st;
    TU_OK(ctx, ssb_cell_result_step(ctx, res, 0, &st));
    TU_ASSERT_REL(r.capacity[0], st.capacity, 1e-9);
    ssb_cell_result_destroy(&res);
    ssb_cell_destroy(&cell);
    ssb_iface_cycle_result_destroy(&r);
    /* all growth rates zero: no fade */
    for (int k = 0; k < SSB_IFACE_NSITES; k++) {
        ag.site[k].growth.k_p = 0;
        ag.site[k].growth.k_l = 0;
    }
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, &ag, &cp, &r));
    for (int c = 0; c < r.n; c++)
        TU_ASSERT_REL(r.capacity[c], r.capacity[0], 1e-12);
    assert_true(r.fade_total == 0 && r.li_lost == 0);
    ssb_iface_cycle_result_destroy(&r);
    ssb_cell_params_destroy(&p);
}

/* Composite (graphite) negative: the cyclable lithium the cell model reports at the start of each cycle drops by
 * exactly the lithium bound in the interphases, and an anode SEI that consumes lithium costs capacity. */
static void test_cycle_composite(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/graphite_cell.json", tu_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"positive\": {\"active_material\": \"NCM811\", \"ocv_curve\": \"Chen2020-fit\", "
               "\"electrolyte\": \"Li6PS5Cl\", \"thickness_um\": 60, \"active_volume_fraction\": 0.6, "
               "\"carbon_volume_fraction\": 0.03, \"porosity\": 0.05, \"particle_radius_um\": 2.5, "
               "\"max_concentration_mol_per_m3\": 63104, \"initial_stoichiometry\": 0.27, "
               "\"discharged_stoichiometry\": 0.99, \"diffusivity_m2_per_s\": 4e-15, "
               "\"electronic_conductivity_S_per_m\": 0.85, \"exchange_current_density_A_per_m2\": 1.5},"
               " \"separator\": {\"electrolyte\": \"Li6PS5Cl\", \"thickness_um\": 30},"
               " \"negative\": {\"type\": \"composite\", \"active_material\": \"graphite\", \"ocv_curve\": "
               "\"Chen2020-fit\", \"electrolyte\": \"Li6PS5Cl\", \"thickness_um\": 130, "
               "\"active_volume_fraction\": 0.6, \"carbon_volume_fraction\": 0.02, \"porosity\": 0.05, "
               "\"particle_radius_um\": 5, \"max_concentration_mol_per_m3\": 33133, "
               "\"initial_stoichiometry\": 0.6, \"diffusivity_m2_per_s\": 3.3e-14, "
               "\"electronic_conductivity_S_per_m\": 215, \"exchange_current_density_A_per_m2\": 5},"
               " \"interfaces\": {\"negative\": {\"model\": \"parabolic\", \"rate_constant_nm2_per_h\": 900, "
               "\"interphase_ionic_conductivity_S_per_cm\": 1e-6, \"lithium_consumed_mol_per_cm3\": 0.041}}}\n");
    fclose(f);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json(ctx, mdb, path, &p));
    ssb_iface_ageing ag;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, path, &ag));
    assert_true(ag.site[SSB_IFACE_NEG].enabled && ag.site[SSB_IFACE_POS].enabled);
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = 6;
    cp.v_min = 3.0;
    ssb_iface_cycle_result r;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, &ag, &cp, &r));
    double dint = r.li_interphase[r.n - 1] - r.li_interphase[0];
    printf("graphite cell: Li lost (cell model) %.9e, Li in interphases %.9e mol/m2; LLI fade %.4g mAh/cm2\n",
           r.li_lost, dint, r.fade[SSB_IFACE_MECH_LITHIUM] / 36000.0);
    TU_ASSERT_REL(r.li_lost, dint, 1e-9);
    assert_true(dint > 0 && r.fade[SSB_IFACE_MECH_LITHIUM] > 0);
    double sum = 0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sum += r.fade[m];
    TU_ASSERT_REL(sum, r.fade_total, 1e-12);
    ssb_iface_cycle_result_destroy(&r);
    /* the run chain's assessment of this cell: the cathode ages at the cell's OCV plus the graphite's potential
       (< 0.2 V vs Li), so below 4.4 V vs Li, the top of NCM811's OCV (Chen et al. 2020); it used to age it at the
       cell's OCV + 3.0 V (graphite clipped to the positive's default cut-off) */
    ssb_iface_assessment *a = calloc(1, sizeof *a);
    TU_OK(ctx, ssb_iface_assess_cell(ctx, mdb, idb, p, 1000.0, a));
    assert_true(a->neg.U_lo < 0.2);
    ssb_iface_growth g = record_growth("NCM811", "Li6PS5Cl", NULL);
    double L44 = ssb_iface_thickness(&g, g.L0, ssb_iface_rate_factor(&g, 4.4, 298.15) * 1000 * HOUR, INFINITY);
    assert_true(a->R_pos_aged > a->R_pos_initial);
    assert_true(a->R_pos_aged - a->R_pos_initial < L44 / g.sigma_ion);
    free(a);
    ssb_cell_params_destroy(&p);
}

/* Bad interface blocks: the key is named, the code is distinct. */
static ssb_iface_ageing last_ag;

static int block_rc(const char *block, char *msg, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cell.json", tu_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"interfaces\": %s}\n", block);
    fclose(f);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    int rc = ssb_iface_ageing_from_cell(ctx, mdb, idb, p, path, &ag);
    snprintf(msg, n, "%s", ssb_ctx_get_error(ctx));
    last_ag = ag;
    ssb_cell_params_destroy(&p);
    return rc;
}

static void test_bad_blocks(void **state)
{
    (void)state;
    char m[1024];
    assert_int_equal(block_rc("{\"positive\": {\"model\": \"cubic\"}}", m, sizeof m), SSB_ERR_NOTFOUND);
    assert_non_null(strstr(m, "model"));
    assert_int_equal(block_rc("{\"positive\": {\"electrolyte\": \"unobtainium\"}}", m, sizeof m), SSB_ERR_NOTFOUND);
    assert_non_null(strstr(m, "electrolyte"));
    assert_int_equal(block_rc("{\"positive\": {\"initial_thickness_nm\": -2}}", m, sizeof m), SSB_ERR_RANGE);
    assert_non_null(strstr(m, "initial_thickness_nm"));
    assert_int_equal(block_rc("{\"positive\": {\"coating\": {\"material\": \"LiNbO3\", \"thickness_nm\": 5, "
                              "\"coverage\": 1.3}}}",
                              m, sizeof m),
                     SSB_ERR_RANGE);
    assert_non_null(strstr(m, "coverage"));
    assert_int_equal(block_rc("{\"negative\": {\"model\": \"parabolic\", \"interphase_ionic_conductivity_S_per_cm\": "
                              "1e-6}}",
                              m, sizeof m),
                     SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "rate_constant_nm2_per_h"));
    assert_int_equal(block_rc("{\"separator\": {}}", m, sizeof m), SSB_ERR_FORMAT);
    /* a valid block */
    assert_int_equal(block_rc("{\"positive\": {\"coating\": {\"material\": \"LiNbO3\", \"thickness_nm\": 5, "
                              "\"coverage\": 0.9}}, \"negative\": {\"model\": \"linear\", \"linear_rate_nm_per_h\": 0.5,"
                              " \"interphase_ionic_conductivity_S_per_cm\": 1e-6}}",
                              m, sizeof m),
                     SSB_OK);
    /* the coating's conductivities come from the materials database (LiNbO3: sigma_ion range 1e-6..1e-5 S/cm) */
    const ssb_material *nb = NULL;
    ssb_mat_prop pr;
    TU_OK(ctx, ssb_materials_find(ctx, mdb, "LiNbO3", &nb));
    TU_OK(ctx, ssb_materials_get_prop(ctx, nb, "sigma_ion", &pr));
    TU_ASSERT_REL(last_ag.site[SSB_IFACE_POS].coating.sigma_ion, sqrt(pr.si_min * pr.si_max), 1e-14);
    TU_ASSERT_REL(last_ag.site[SSB_IFACE_POS].coating.thickness, 5e-9, 1e-14);
    assert_true(last_ag.site[SSB_IFACE_NEG].growth.law == SSB_IFACE_LAW_LINEAR);
    TU_ASSERT_REL(last_ag.site[SSB_IFACE_NEG].growth.k_l, 0.5e-9 / 3600.0, 1e-14);
}

/* The interphase data file: every malformed record is refused with the file and key named. */
static int load_text(const char *text, char *msg, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/interfaces.json", tu_tmpdir());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    ssb_iface_db *db = NULL;
    int rc = ssb_iface_db_load(ctx, path, &db);
    snprintf(msg, n, "%s", rc ? ssb_ctx_get_error(ctx) : "");
    if (!rc)
        assert_int_equal(ssb_iface_db_count(db), 1);
    ssb_iface_db_destroy(&db);
    return rc;
}

static void test_data_file(void **state)
{
    (void)state;
    char m[1024];
    const char *ok = "{\"schema\": \"ssbnet-interfaces-1\", \"interphases\": [{\"electrode\": \"Li\", "
                     "\"electrolyte\": \"LGPS\", \"type\": \"MCI\", \"source\": \"x\", \"growth\": {\"law\": "
                     "\"linear\", \"linear_rate_nm_per_h\": 2, \"interphase_ionic_conductivity_S_per_cm\": 1e-7, "
                     "\"source\": \"y\", \"status\": \"E\"}}]}";
    assert_int_equal(load_text(ok, m, sizeof m), SSB_OK);
    assert_int_equal(load_text("{\"schema\": \"other\"}", m, sizeof m), SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "schema"));
    assert_int_equal(load_text("{\"schema\": ", m, sizeof m), SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "malformed"));
    assert_int_equal(load_text("{\"schema\": \"ssbnet-interfaces-1\", \"interphases\": [{\"electrode\": \"Li\", "
                               "\"electrolyte\": \"LGPS\", \"type\": \"MCI\"}]}",
                               m, sizeof m),
                     SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "source"));
    assert_int_equal(load_text("{\"schema\": \"ssbnet-interfaces-1\", \"interphases\": [{\"electrode\": \"Li\", "
                               "\"electrolyte\": \"LGPS\", \"type\": \"passivating\", \"source\": \"x\"}]}",
                               m, sizeof m),
                     SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "type"));
    assert_int_equal(load_text("{\"schema\": \"ssbnet-interfaces-1\", \"interphases\": [{\"electrode\": \"Li\", "
                               "\"electrolyte\": \"LGPS\", \"type\": \"MCI\", \"source\": \"x\", \"growth\": "
                               "{\"law\": \"parabolic\", \"rate_constant_nm2_per_h\": 5, \"colour\": 1, "
                               "\"source\": \"y\", \"status\": \"E\"}}]}",
                               m, sizeof m),
                     SSB_ERR_FORMAT);
    assert_non_null(strstr(m, "colour"));
    ssb_iface_law law;
    assert_int_equal(ssb_iface_law_parse(ctx, "cubic", &law), SSB_ERR_NOTFOUND);
    TU_OK(ctx, ssb_iface_law_parse(ctx, "Deal_Grove", &law));
    assert_int_equal(law, SSB_IFACE_LAW_DEAL_GROVE);
}

/* The run chain's assessment of the default cell. */
static void test_assess_cell(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_assessment *a = calloc(1, sizeof *a);
    TU_OK(ctx, ssb_iface_assess_cell(ctx, mdb, idb, p, 1000.0, a));
    assert_int_equal(a->pos.stable, 0);
    assert_int_equal(a->neg.type, SSB_IFACE_SEI);
    /* Li|Li6PS5Cl: L = sqrt(2 k_p t) after 1000 h, R = L / sigma */
    ssb_iface_growth g = record_growth("Li", "Li6PS5Cl", NULL);
    TU_ASSERT_REL(a->R_neg_aged - a->R_neg_initial, sqrt(2 * g.k_p * 1000 * HOUR) / g.sigma_ion, 1e-12);
    assert_true(a->R_pos_aged > a->R_pos_initial);
    free(a);
    ssb_cell_params_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lgps_parabolic),   cmocka_unit_test(test_lipon_sei),
        cmocka_unit_test(test_linear_deal_grove), cmocka_unit_test(test_wagner),
        cmocka_unit_test(test_rate_factor),      cmocka_unit_test(test_coating_closed_form),
        cmocka_unit_test(test_coating_optimum),  cmocka_unit_test(test_spacecharge),
        cmocka_unit_test(test_stability),        cmocka_unit_test(test_stability_negative),
        cmocka_unit_test(test_cycle),
        cmocka_unit_test(test_cycle_composite),  cmocka_unit_test(test_bad_blocks),
        cmocka_unit_test(test_assess_cell),      cmocka_unit_test(test_data_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
