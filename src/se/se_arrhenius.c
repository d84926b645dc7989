/* SE: Arrhenius temperature dependence, fits, the brick layer versus temperature. */
#include <ssbnet/ssb_se.h>

#include "core_impl.h"
#include "se_impl.h"

#include <math.h>

ssb_se_arrhenius ssb_se_arrhenius_default(void)
{
    ssb_se_arrhenius a;
    a.sigma_ref = NAN;
    a.T_ref = 298.15;
    a.Ea = NAN;
    a.form = SSB_SE_ARRH_SIGMA_T;
    return a;
}

static int check_arrh(ssb_ctx *ctx, const ssb_se_arrhenius *a, const char *what, int allow_zero)
{
    SSB_REQUIRE(ctx, isfinite(a->sigma_ref) && (a->sigma_ref > 0 || (allow_zero && a->sigma_ref == 0)), SSB_ERR_RANGE,
                "%s: sigma_ref = %g S/m, must be %s", what, a->sigma_ref, allow_zero ? ">= 0" : "> 0");
    SSB_REQUIRE(ctx, isfinite(a->T_ref) && a->T_ref > 0, SSB_ERR_RANGE, "%s: T_ref = %g K, must be > 0", what,
                a->T_ref);
    SSB_REQUIRE(ctx, isfinite(a->Ea) || a->sigma_ref == 0, SSB_ERR_RANGE, "%s: Ea = %g eV, must be finite", what,
                a->Ea);
    SSB_REQUIRE(ctx, a->form == SSB_SE_ARRH_SIGMA_T || a->form == SSB_SE_ARRH_SIGMA, SSB_ERR_ARG,
                "%s: Arrhenius form %d unknown", what, (int)a->form);
    return SSB_OK;
}

static void arrh_eval(const ssb_se_arrhenius *a, double T, double *sigma, double *Ea_app)
{
    double k = SSB_CONST_BOLTZMANN_EV;
    double f = exp(-(a->Ea / k) * (1.0 / T - 1.0 / a->T_ref));
    if (a->form == SSB_SE_ARRH_SIGMA_T) {
        *sigma = a->sigma_ref * (a->T_ref / T) * f;
        *Ea_app = a->Ea;
    } else {
        *sigma = a->sigma_ref * f;
        *Ea_app = a->Ea + k * T;
    }
}

int ssb_se_arrhenius_eval(ssb_ctx *ctx, const ssb_se_arrhenius *a, double T, double *sigma, double *Ea_app)
{
    SSB_REQUIRE(ctx, a != NULL && sigma != NULL, SSB_ERR_ARG, "ssb_se_arrhenius_eval: NULL argument");
    SSB_CHECK(ctx, check_arrh(ctx, a, "Arrhenius", 0));
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "T = %g K, must be > 0", T);
    double s, e;
    arrh_eval(a, T, &s, &e);
    *sigma = s;
    if (Ea_app)
        *Ea_app = e;
    return SSB_OK;
}

int ssb_se_arrhenius_fit(ssb_ctx *ctx, int n, const double *T, const double *sigma, ssb_se_arrh_form form, double T_ref,
                         ssb_se_arrhenius *out, double *Ea_stderr, double *rss)
{
    SSB_REQUIRE(ctx, T != NULL && sigma != NULL && out != NULL, SSB_ERR_ARG, "ssb_se_arrhenius_fit: NULL argument");
    SSB_REQUIRE(ctx, n >= 2, SSB_ERR_RANGE, "Arrhenius fit needs >= 2 points, got %d", n);
    SSB_REQUIRE(ctx, form == SSB_SE_ARRH_SIGMA_T || form == SSB_SE_ARRH_SIGMA, SSB_ERR_ARG, "Arrhenius form %d unknown",
                (int)form);
    SSB_REQUIRE(ctx, isfinite(T_ref) && T_ref > 0, SSB_ERR_RANGE, "T_ref = %g K, must be > 0", T_ref);
    double sx = 0, sy = 0;
    for (int i = 0; i < n; i++) {
        SSB_REQUIRE(ctx, isfinite(T[i]) && T[i] > 0, SSB_ERR_RANGE, "T[%d] = %g K, must be > 0", i, T[i]);
        SSB_REQUIRE(ctx, isfinite(sigma[i]) && sigma[i] > 0, SSB_ERR_RANGE, "sigma[%d] = %g S/m, must be > 0", i,
                    sigma[i]);
        sx += 1.0 / T[i];
        sy += log(form == SSB_SE_ARRH_SIGMA_T ? sigma[i] * T[i] : sigma[i]);
    }
    double mx = sx / n, my = sy / n, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        double dx = 1.0 / T[i] - mx, dy = log(form == SSB_SE_ARRH_SIGMA_T ? sigma[i] * T[i] : sigma[i]) - my;
        sxx += dx * dx;
        sxy += dx * dy;
    }
    SSB_REQUIRE(ctx, sxx > 0, SSB_ERR_RANGE, "Arrhenius fit needs at least two different temperatures");
    double slope = sxy / sxx, icpt = my - slope * mx;
    double k = SSB_CONST_BOLTZMANN_EV, res = 0;
    for (int i = 0; i < n; i++) {
        double d = log(form == SSB_SE_ARRH_SIGMA_T ? sigma[i] * T[i] : sigma[i]) - (icpt + slope / T[i]);
        res += d * d;
    }
    out->form = form;
    out->Ea = -k * slope;
    out->T_ref = T_ref;
    double lv = icpt + slope / T_ref;
    out->sigma_ref = form == SSB_SE_ARRH_SIGMA_T ? exp(lv) / T_ref : exp(lv);
    if (rss)
        *rss = res;
    if (Ea_stderr)
        *Ea_stderr = n > 2 ? k * sqrt(res / (n - 2) / sxx) : NAN;
    return SSB_OK;
}

ssb_se_brick_arrhenius ssb_se_brick_arrhenius_default(void)
{
    ssb_se_brick_arrhenius p;
    p.bulk = ssb_se_arrhenius_default();
    p.gb_perp = ssb_se_arrhenius_default();
    p.gb_par = ssb_se_arrhenius_default();
    p.grain_size = NAN;
    p.gb_thickness = NAN;
    return p;
}

int ssb_se_brick_arrhenius_eval(ssb_ctx *ctx, const ssb_se_brick_arrhenius *p, double T, ssb_se_brick_arrh_point *out)
{
    SSB_REQUIRE(ctx, p != NULL && out != NULL, SSB_ERR_ARG, "ssb_se_brick_arrhenius_eval: NULL argument");
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "T = %g K, must be > 0", T);
    SSB_CHECK(ctx, check_arrh(ctx, &p->bulk, "bulk", 0));
    SSB_CHECK(ctx, check_arrh(ctx, &p->gb_perp, "GB (across)", 0));
    ssb_se_arrhenius par = isnan(p->gb_par.sigma_ref) ? p->gb_perp : p->gb_par;
    SSB_CHECK(ctx, check_arrh(ctx, &par, "GB (along)", 1));
    SSB_REQUIRE(ctx, isfinite(p->grain_size) && p->grain_size > 0, SSB_ERR_RANGE, "grain_size = %g m, must be > 0",
                p->grain_size);
    SSB_REQUIRE(ctx, isfinite(p->gb_thickness) && p->gb_thickness >= 0 && p->gb_thickness < p->grain_size,
                SSB_ERR_RANGE, "gb_thickness = %g m, must be in [0, grain_size)", p->gb_thickness);
    /* as in ssb_se_brick_solve (se arrhenius took a GB of 2e-9 nm) */
    SSB_CHECK(ctx, ssbi_se_check_gb_atomic(ctx, p->gb_thickness));
    double sb, eb, sg, eg, sp = 0, ep = 0;
    arrh_eval(&p->bulk, T, &sb, &eb);
    arrh_eval(&p->gb_perp, T, &sg, &eg);
    if (par.sigma_ref > 0)
        arrh_eval(&par, T, &sp, &ep);
    double dd = p->gb_thickness / p->grain_size;
    double rb = 1.0 / sb, rg = dd / sg; /* specific resistances of the series path per unit length */
    double sser = 1.0 / (rb + rg), spar = 2.0 * dd * sp;
    out->T = T;
    out->sigma_bulk = sb;
    out->sigma_gb_perp = sg;
    out->sigma_gb_par = sp;
    out->sigma_total = sser + spar;
    out->gb_share = rg / (rb + rg);
    double eser = (rb * eb + rg * eg) / (rb + rg);
    out->Ea_app = (sser * eser + spar * ep) / out->sigma_total;
    return SSB_OK;
}
