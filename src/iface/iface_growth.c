/* iface: interphase growth laws (parabolic, linear, Deal-Grove), Arrhenius and potential dependence, coatings,
 * coating scans, and the space-charge resistance of a cathode|SE interface (through the se module). */
#include "iface_impl.h"

#include <ssbnet/ssb_se.h>

#include <math.h>
#include <string.h>
#include <strings.h>

const char *ssb_iface_type_name(ssb_iface_type t)
{
    static const char *n[] = {"stable", "SEI", "MCI", "unknown"};
    return (t >= SSB_IFACE_STABLE && t <= SSB_IFACE_UNKNOWN) ? n[t] : "unknown";
}

const char *ssb_iface_law_name(ssb_iface_law l)
{
    static const char *n[] = {"none", "parabolic", "linear", "deal-grove"};
    return (l >= SSB_IFACE_LAW_NONE && l <= SSB_IFACE_LAW_DEAL_GROVE) ? n[l] : "none";
}

int ssb_iface_law_parse(ssb_ctx *ctx, const char *s, ssb_iface_law *law)
{
    SSB_REQUIRE(ctx, s && law, SSB_ERR_ARG, "ssb_iface_law_parse: NULL argument");
    static const struct {
        const char *name;
        ssb_iface_law law;
    } t[] = {{"none", SSB_IFACE_LAW_NONE},         {"parabolic", SSB_IFACE_LAW_PARABOLIC},
             {"linear", SSB_IFACE_LAW_LINEAR},     {"deal-grove", SSB_IFACE_LAW_DEAL_GROVE},
             {"dealgrove", SSB_IFACE_LAW_DEAL_GROVE}, {"deal_grove", SSB_IFACE_LAW_DEAL_GROVE}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcasecmp(s, t[i].name)) {
            *law = t[i].law;
            return SSB_OK;
        }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown growth law '%s' (valid: none, parabolic, linear, deal-grove)", s);
}

ssb_iface_growth ssb_iface_growth_default(void)
{
    ssb_iface_growth g;
    g.law = SSB_IFACE_LAW_NONE;
    g.L0 = 0;
    g.k_p = g.k_l = NAN;
    g.Ea = 0;
    g.T_ref = 298.15;
    g.dE_ref = g.E_red = g.E_ox = NAN;
    g.sigma_ion = NAN;
    g.c_li = 0;
    return g;
}

int ssb_iface_growth_check(ssb_ctx *ctx, const ssb_iface_growth *g)
{
    SSB_REQUIRE(ctx, g, SSB_ERR_ARG, "ssb_iface_growth_check: NULL argument");
    SSB_REQUIRE(ctx, isfinite(g->L0) && g->L0 >= 0, SSB_ERR_RANGE,
                "initial_thickness_nm = %g, must be >= 0", g->L0 / SSBI_NM);
    int need_p = g->law == SSB_IFACE_LAW_PARABOLIC || g->law == SSB_IFACE_LAW_DEAL_GROVE;
    int need_l = g->law == SSB_IFACE_LAW_LINEAR || g->law == SSB_IFACE_LAW_DEAL_GROVE;
    if (need_p)
        SSB_REQUIRE(ctx, isfinite(g->k_p) && g->k_p >= 0, SSB_ERR_FORMAT,
                    "growth law '%s' needs rate_constant_nm2_per_h >= 0 (given: %g)", ssb_iface_law_name(g->law),
                    g->k_p / (SSBI_NM * SSBI_NM) * SSBI_HOUR);
    if (need_l)
        SSB_REQUIRE(ctx, isfinite(g->k_l) && g->k_l >= 0, SSB_ERR_FORMAT,
                    "growth law '%s' needs linear_rate_nm_per_h >= 0 (given: %g)", ssb_iface_law_name(g->law),
                    g->k_l / SSBI_NM * SSBI_HOUR);
    SSB_REQUIRE(ctx, isfinite(g->sigma_ion) && g->sigma_ion > 0, SSB_ERR_FORMAT,
                "interphase_ionic_conductivity_S_per_cm must be given and > 0 (given: %g)",
                g->sigma_ion / SSBI_S_PER_CM);
    SSB_REQUIRE(ctx, isfinite(g->Ea) && g->Ea >= 0, SSB_ERR_RANGE, "activation_energy_kJ_per_mol = %g, must be >= 0",
                g->Ea / 1e3);
    SSB_REQUIRE(ctx, isfinite(g->T_ref) && g->T_ref > 0, SSB_ERR_RANGE, "reference_temperature_K = %g, must be > 0",
                g->T_ref);
    SSB_REQUIRE(ctx, isnan(g->dE_ref) || (isfinite(g->dE_ref) && g->dE_ref > 0), SSB_ERR_RANGE,
                "reference_driving_force_V = %g, must be > 0", g->dE_ref);
    SSB_REQUIRE(ctx, isfinite(g->c_li), SSB_ERR_RANGE, "lithium_consumed_mol_per_cm3 must be finite");
    return SSB_OK;
}

double ssb_iface_rate_factor(const ssb_iface_growth *g, double U, double T)
{
    if (g->law == SSB_IFACE_LAW_NONE)
        return 0;
    double f = exp(-g->Ea / SSB_CONST_GAS * (1.0 / T - 1.0 / g->T_ref));
    if (isfinite(g->dE_ref)) {
        double dE = 0;
        if (isfinite(g->E_red) && U < g->E_red)
            dE += g->E_red - U;
        if (isfinite(g->E_ox) && U > g->E_ox)
            dE += U - g->E_ox;
        f *= dE / g->dE_ref;
    }
    return f;
}

double ssb_iface_thickness(const ssb_iface_growth *g, double L_start, double tau, double v_c)
{
    if (g->law == SSB_IFACE_LAW_NONE || !(tau > 0) || v_c <= 0)
        return L_start;
    /* tau = a (L - Ls) + b (L^2 - Ls^2) */
    double a = isfinite(v_c) ? 1.0 / v_c : 0.0, b = 0;
    if (g->law == SSB_IFACE_LAW_LINEAR || g->law == SSB_IFACE_LAW_DEAL_GROVE) {
        if (!(g->k_l > 0))
            return L_start;
        a += 1.0 / g->k_l;
    }
    if (g->law == SSB_IFACE_LAW_PARABOLIC || g->law == SSB_IFACE_LAW_DEAL_GROVE) {
        if (!(g->k_p > 0))
            return L_start;
        b = 0.5 / g->k_p;
    }
    if (b == 0)
        return L_start + tau / a;
    double C = a * L_start + b * L_start * L_start + tau;
    /* positive root of b L^2 + a L - C = 0 without cancellation, and with sqrt(4 b C) formed as 2 sqrt(b) sqrt(C):
     * 4 b C itself overflows for long times (b = 1 / (2 k_p) ~ 4e21 s/m2 at 0.5 nm2/h), which gave L = 0 */
    return C / (0.5 * a + 0.5 * hypot(a, 2.0 * sqrt(b) * sqrt(C)));
}

int ssb_iface_growth_curve(ssb_ctx *ctx, const ssb_iface_growth *g, double U, double T, int n, const double *t,
                           double *L, double *R)
{
    SSB_REQUIRE(ctx, g && t && L && n >= 1, SSB_ERR_ARG, "ssb_iface_growth_curve: NULL argument or n < 1");
    SSB_CHECK(ctx, ssb_iface_growth_check(ctx, g));
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "temperature %g K, must be > 0", T);
    SSB_REQUIRE(ctx, isfinite(U), SSB_ERR_RANGE, "potential %g V is not finite", U);
    double f = ssb_iface_rate_factor(g, U, T);
    for (int i = 0; i < n; i++) {
        SSB_REQUIRE(ctx, isfinite(t[i]) && t[i] >= 0, SSB_ERR_RANGE, "time t[%d] = %g s, must be >= 0", i, t[i]);
        L[i] = ssb_iface_thickness(g, g->L0, f * t[i], INFINITY);
        SSB_REQUIRE(ctx, isfinite(L[i]), SSB_ERR_RANGE,
                    "time t[%d] = %g s: the interphase thickness overflows (a time span beyond any cell's life)", i,
                    t[i]);
        if (R)
            R[i] = L[i] / g->sigma_ion;
    }
    return SSB_OK;
}

int ssb_iface_wagner_kp(ssb_ctx *ctx, double sigma_ion, double sigma_e, double dE, double c_li, double *k_p)
{
    SSB_REQUIRE(ctx, k_p, SSB_ERR_ARG, "ssb_iface_wagner_kp: NULL argument");
    SSB_REQUIRE(ctx, sigma_ion > 0 && sigma_e >= 0 && isfinite(sigma_ion) && isfinite(sigma_e), SSB_ERR_RANGE,
                "Wagner rate constant: interphase conductivities sigma_ion = %g, sigma_e = %g S/m must be > 0 and "
                ">= 0",
                sigma_ion, sigma_e);
    SSB_REQUIRE(ctx, dE > 0 && isfinite(dE), SSB_ERR_RANGE, "Wagner rate constant: driving force %g V, must be > 0",
                dE);
    SSB_REQUIRE(ctx, c_li != 0 && isfinite(c_li), SSB_ERR_RANGE,
                "Wagner rate constant: lithium_consumed_mol_per_cm3 must be non-zero");
    double amb = sigma_ion * sigma_e / (sigma_ion + sigma_e);
    *k_p = amb * dE / (SSB_CONST_FARADAY * fabs(c_li));
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------------ coatings */

ssb_iface_coating ssb_iface_coating_default(void)
{
    ssb_iface_coating c;
    memset(&c, 0, sizeof c);
    c.sigma_ion = NAN;
    c.sigma_e = NAN;
    c.tunnelling = 1e-9;
    return c;
}

int ssb_iface_coating_check(ssb_ctx *ctx, const ssb_iface_coating *c)
{
    SSB_REQUIRE(ctx, c, SSB_ERR_ARG, "ssb_iface_coating_check: NULL argument");
    SSB_REQUIRE(ctx, isfinite(c->thickness) && c->thickness >= 0, SSB_ERR_RANGE,
                "coating thickness_nm = %g, must be >= 0", c->thickness / SSBI_NM);
    SSB_REQUIRE(ctx, isfinite(c->coverage) && c->coverage >= 0 && c->coverage <= 1, SSB_ERR_RANGE,
                "coating coverage = %g, must be in [0, 1]", c->coverage);
    if (c->thickness > 0 && c->coverage > 0) {
        SSB_REQUIRE(ctx, isfinite(c->sigma_ion) && c->sigma_ion > 0, SSB_ERR_FORMAT,
                    "coating ionic_conductivity_S_per_cm must be given and > 0 (given: %g)",
                    c->sigma_ion / SSBI_S_PER_CM);
        SSB_REQUIRE(ctx, isnan(c->sigma_e) || (isfinite(c->sigma_e) && c->sigma_e >= 0), SSB_ERR_RANGE,
                    "coating electronic_conductivity_S_per_cm = %g, must be >= 0", c->sigma_e / SSBI_S_PER_CM);
        SSB_REQUIRE(ctx, isfinite(c->tunnelling) && c->tunnelling > 0, SSB_ERR_RANGE,
                    "coating tunnelling_length_nm = %g, must be > 0", c->tunnelling / SSBI_NM);
    }
    return SSB_OK;
}

double ssb_iface_coating_vc(const ssb_iface_growth *g, const ssb_iface_coating *c)
{
    if (!c || !(c->thickness > 0) || isnan(c->sigma_e))
        return INFINITY; /* no coating, or its electronic conductivity unknown: no electron-conduction limit */
    if (!(c->sigma_e > 0) || !isfinite(g->dE_ref) || g->c_li == 0)
        return 0; /* electronically blocking (or no driving-force reference): no growth under the coating */
    return c->sigma_e * g->dE_ref / (SSB_CONST_FARADAY * fabs(g->c_li) * c->thickness);
}

ssb_iface_state ssb_iface_state_initial(const ssb_iface_growth *g)
{
    ssb_iface_state s = {g->L0, g->L0};
    return s;
}

void ssb_iface_state_advance(const ssb_iface_growth *g, const ssb_iface_coating *c, ssb_iface_state *s, double dtau)
{
    s->L_unc = ssb_iface_thickness(g, s->L_unc, dtau, INFINITY);
    double damp = (c && c->thickness > 0) ? exp(-c->thickness / c->tunnelling) : 1.0;
    s->L_cov = ssb_iface_thickness(g, s->L_cov, dtau * damp, ssb_iface_coating_vc(g, c));
}

double ssb_iface_state_resistance(const ssb_iface_growth *g, const ssb_iface_coating *c, const ssb_iface_state *s)
{
    double theta = (c && c->thickness > 0) ? c->coverage : 0.0;
    double R_unc = s->L_unc / g->sigma_ion;
    if (theta <= 0)
        return R_unc;
    double R_cov = c->thickness / c->sigma_ion + s->L_cov / g->sigma_ion;
    if (theta >= 1)
        return R_cov;
    if (R_unc <= 0 || R_cov <= 0)
        return 0;
    return 1.0 / (theta / R_cov + (1.0 - theta) / R_unc);
}

double ssb_iface_state_volume(const ssb_iface_coating *c, const ssb_iface_state *s)
{
    double theta = (c && c->thickness > 0) ? c->coverage : 0.0;
    return theta * s->L_cov + (1.0 - theta) * s->L_unc;
}

int ssb_iface_coating_scan(ssb_ctx *ctx, const ssb_iface_growth *g, const ssb_iface_coating *c, double U, double T,
                           double t, int nthick, const double *thickness, int ncov, const double *coverage, double *R,
                           int *best)
{
    SSB_REQUIRE(ctx, g && c && thickness && coverage && R && best && nthick >= 1 && ncov >= 1, SSB_ERR_ARG,
                "ssb_iface_coating_scan: NULL argument or empty grid");
    SSB_CHECK(ctx, ssb_iface_growth_check(ctx, g));
    SSB_REQUIRE(ctx, isfinite(t) && t >= 0, SSB_ERR_RANGE, "time %g s, must be >= 0", t);
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "temperature %g K, must be > 0", T);
    double tau = ssb_iface_rate_factor(g, U, T) * t;
    *best = 0;
    for (int i = 0; i < nthick; i++)
        for (int j = 0; j < ncov; j++) {
            ssb_iface_coating cc = *c;
            cc.thickness = thickness[i];
            cc.coverage = coverage[j];
            SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &cc));
            ssb_iface_state s = ssb_iface_state_initial(g);
            ssb_iface_state_advance(g, &cc, &s, tau);
            int k = i * ncov + j;
            R[k] = ssb_iface_state_resistance(g, &cc, &s);
            if (R[k] < R[*best])
                *best = k;
        }
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------- space charge */

ssb_iface_scl_params ssb_iface_scl_params_default(void)
{
    ssb_iface_scl_params p;
    p.eps_r = NAN;
    p.T = 298.15;
    p.c_inf = p.phi0 = p.sigma_bulk = NAN;
    p.gouy_chapman = 0;
    p.interlayer = ssb_iface_coating_default();
    return p;
}

int ssb_iface_spacecharge(ssb_ctx *ctx, const ssb_iface_scl_params *p, ssb_iface_scl_result *r)
{
    SSB_REQUIRE(ctx, p && r, SSB_ERR_ARG, "ssb_iface_spacecharge: NULL argument");
    SSB_REQUIRE(ctx, isfinite(p->sigma_bulk) && p->sigma_bulk > 0, SSB_ERR_RANGE,
                "SE conductivity %g S/m, must be > 0", p->sigma_bulk);
    SSB_CHECK(ctx, ssb_iface_coating_check(ctx, &p->interlayer));
    ssb_se_scl_params sp = ssb_se_scl_params_default();
    sp.model = p->gouy_chapman ? SSB_SE_GOUY_CHAPMAN : SSB_SE_MOTT_SCHOTTKY;
    sp.eps_r = p->eps_r;
    sp.T = p->T;
    sp.z = 1;
    sp.c_inf = p->c_inf;
    sp.phi0 = p->phi0;
    sp.sigma_bulk = p->sigma_bulk;
    ssb_se_scl_result sr;
    SSB_CHECK(ctx, ssb_se_scl_solve(ctx, &sp, &sr));
    memset(r, 0, sizeof *r);
    r->debye_length = sr.debye_length;
    r->width = sr.width;
    r->r_perp = sr.r_perp_exact;
    r->R_scl = 0.5 * sr.asr_excess; /* the se module's GB has two layers; an interface has one */
    r->R_interlayer = p->interlayer.thickness > 0 ? p->interlayer.thickness / p->interlayer.sigma_ion : 0;
    double theta = p->interlayer.thickness > 0 ? p->interlayer.coverage : 0.0;
    if (theta <= 0)
        r->R_total = r->R_scl;
    else if (theta >= 1 || r->R_scl <= 0)
        r->R_total = theta >= 1 ? r->R_interlayer : 0.0;
    else
        r->R_total = 1.0 / (theta / r->R_interlayer + (1.0 - theta) / r->R_scl);
    return SSB_OK;
}
