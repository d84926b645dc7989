/* SE: brick-layer model (forward and inverse), CPE effective capacitance. */
#include <ssbnet/ssb_se.h>

#include "core_impl.h"
#include "se_impl.h"

#include <math.h>

#define TWO_PI 6.283185307179586

ssb_se_brick_params ssb_se_brick_params_default(void)
{
    ssb_se_brick_params p;
    p.grain_size = NAN;
    p.gb_thickness = NAN;
    p.sigma_bulk = NAN;
    p.sigma_gb_perp = NAN;
    p.sigma_gb_par = NAN;
    p.eps_r_bulk = NAN;
    p.eps_r_gb = NAN;
    p.thickness = 1e-3;
    p.area = 1e-4;
    return p;
}

static int positive(ssb_ctx *ctx, const char *name, double v, const char *unit)
{
    if (!(isfinite(v) && v > 0))
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g %s, must be finite and > 0", name, v, unit);
    return SSB_OK;
}

/* A grain boundary thinner than one atomic layer (~0.1 nm) is not a physical grain boundary (issue 7: a GB of
 * 2e-9 nm ran silently and gave sigma_gb macroscopic 1.5e7 S/cm). */
int ssbi_se_check_gb_atomic(ssb_ctx *ctx, double gb_thickness)
{
    SSB_REQUIRE(ctx, gb_thickness == 0 || gb_thickness >= SSB_SE_GB_THICKNESS_MIN, SSB_ERR_RANGE,
                "gb_thickness = %g m (%g nm) is thinner than one atomic layer (valid: 0 for no grain boundary, or "
                "%g nm to the grain size)",
                gb_thickness, gb_thickness * 1e9, SSB_SE_GB_THICKNESS_MIN * 1e9);
    return SSB_OK;
}

int ssb_se_brick_solve(ssb_ctx *ctx, const ssb_se_brick_params *p, ssb_se_brick_result *r)
{
    return ssbi_se_brick_solve(ctx, p, r, 1);
}

int ssbi_se_brick_solve(ssb_ctx *ctx, const ssb_se_brick_params *p, ssb_se_brick_result *r, int warn)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_brick_solve: NULL argument");
    SSB_CHECK(ctx, positive(ctx, "grain_size", p->grain_size, "m"));
    SSB_CHECK(ctx, positive(ctx, "sigma_bulk", p->sigma_bulk, "S/m"));
    SSB_CHECK(ctx, positive(ctx, "sigma_gb_perp", p->sigma_gb_perp, "S/m"));
    SSB_CHECK(ctx, positive(ctx, "thickness", p->thickness, "m"));
    SSB_CHECK(ctx, positive(ctx, "area", p->area, "m^2"));
    SSB_REQUIRE(ctx, isfinite(p->gb_thickness) && p->gb_thickness >= 0 && p->gb_thickness < p->grain_size,
                SSB_ERR_RANGE, "gb_thickness = %g m, must be in [0, grain_size = %g m)", p->gb_thickness,
                p->grain_size);
    SSB_CHECK(ctx, ssbi_se_check_gb_atomic(ctx, p->gb_thickness));
    double spar = isnan(p->sigma_gb_par) ? p->sigma_gb_perp : p->sigma_gb_par;
    SSB_REQUIRE(ctx, isfinite(spar) && spar >= 0, SSB_ERR_RANGE, "sigma_gb_par = %g S/m, must be >= 0 (or NaN)",
                p->sigma_gb_par);
    int have_eps = !isnan(p->eps_r_bulk);
    double eg = isnan(p->eps_r_gb) ? p->eps_r_bulk : p->eps_r_gb;
    if (have_eps) {
        SSB_CHECK(ctx, positive(ctx, "eps_r_bulk", p->eps_r_bulk, ""));
        SSB_CHECK(ctx, positive(ctx, "eps_r_gb", eg, ""));
    }
    double L = p->thickness, A = p->area, dd = p->gb_thickness / p->grain_size;
    r->R_b = L / (p->sigma_bulk * A);
    r->R_gb = (L / p->grain_size) * p->gb_thickness / (p->sigma_gb_perp * A);
    r->sigma_series = 1.0 / (1.0 / p->sigma_bulk + dd / p->sigma_gb_perp);
    r->sigma_parallel = 2.0 * dd * spar;
    r->sigma_total = r->sigma_series + r->sigma_parallel;
    r->R_par = r->sigma_parallel > 0 ? L / (r->sigma_parallel * A) : INFINITY;
    r->R_total = L / (r->sigma_total * A);
    /* delta = 0: no GB, so no GB arc; its capacitance, apex and macroscopic conductivity are absent (NaN), not the
       C_gb = inf and an f_gb apex of an arc that does not exist */
    r->sigma_gb_macro = dd > 0 ? p->sigma_gb_perp / dd : NAN;
    r->gb_share = r->R_gb / (r->R_b + r->R_gb);
    r->parallel_fraction = r->sigma_parallel / r->sigma_total;
    r->gb_volume_fraction = 1.0 - pow(1.0 - dd, 3);
    /* No composite of these two phases conducts better than all of them side by side (the Wiener / parallel bound
       (1 - f) sigma_b + f sigma_gb,max). The brick layer's series path takes the whole cross-section and its
       parallel path adds the GB walls on top, an excess of order delta/d that exceeds the bound when the GBs conduct
       about as well as the grains: sigma_gb = sigma_b with d/delta = 5 gives sigma_total = 1.23 sigma_b. */
    double fg = r->gb_volume_fraction, sgmax = fmax(p->sigma_gb_perp, spar);
    double bound = (1.0 - fg) * p->sigma_bulk + fg * sgmax;
    if (warn && r->sigma_total > bound * (1.0 + 1e-9))
        ssbi_log(ctx, SSB_LOG_WARN, "se",
                 "brick layer: sigma_total = %g S/m exceeds the parallel (Wiener) bound %g S/m of grains and GBs "
                 "(GB volume fraction %g) by %.3g %%: the model counts the GB walls along the current on top of the "
                 "full grain cross-section, an error of order delta/d = %g that dominates when sigma_gb is close to "
                 "sigma_bulk",
                 r->sigma_total, bound, fg, 100.0 * (r->sigma_total / bound - 1.0), dd);
    if (have_eps) {
        r->C_b = p->eps_r_bulk * SSB_CONST_EPS0 * A / L;
        r->C_gb = dd > 0 ? eg * SSB_CONST_EPS0 * A / (L * dd) : NAN;
        r->f_b = p->sigma_bulk / (TWO_PI * p->eps_r_bulk * SSB_CONST_EPS0);
        r->f_gb = dd > 0 ? p->sigma_gb_perp / (TWO_PI * eg * SSB_CONST_EPS0) : NAN;
    } else {
        r->C_b = r->C_gb = r->f_b = r->f_gb = NAN;
    }
    return SSB_OK;
}

ssb_se_brick_fit ssb_se_brick_fit_default(void)
{
    ssb_se_brick_fit f;
    f.R_b = f.C_b = f.R_gb = f.C_gb = NAN;
    f.thickness = 1e-3;
    f.area = 1e-4;
    f.eps_ratio = 1.0;
    f.grain_size = NAN;
    return f;
}

int ssb_se_brick_inverse(ssb_ctx *ctx, const ssb_se_brick_fit *f, ssb_se_brick_inverse_result *r)
{
    SSB_REQUIRE(ctx, f != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_brick_inverse: NULL argument");
    SSB_CHECK(ctx, positive(ctx, "R_b", f->R_b, "ohm"));
    SSB_CHECK(ctx, positive(ctx, "C_b", f->C_b, "F"));
    SSB_CHECK(ctx, positive(ctx, "R_gb", f->R_gb, "ohm"));
    SSB_CHECK(ctx, positive(ctx, "C_gb", f->C_gb, "F"));
    SSB_CHECK(ctx, positive(ctx, "thickness", f->thickness, "m"));
    SSB_CHECK(ctx, positive(ctx, "area", f->area, "m^2"));
    SSB_CHECK(ctx, positive(ctx, "eps_ratio", f->eps_ratio, ""));
    if (!isnan(f->grain_size))
        SSB_CHECK(ctx, positive(ctx, "grain_size", f->grain_size, "m"));
    double k = f->thickness / f->area; /* cell constant [1/m] */
    r->sigma_bulk = k / f->R_b;
    r->eps_r_bulk = f->C_b / (SSB_CONST_EPS0 * f->area / f->thickness);
    r->delta_over_d = f->eps_ratio * f->C_b / f->C_gb;
    r->sigma_gb_macro = k / f->R_gb;
    r->sigma_gb_specific = k / f->R_gb * r->delta_over_d;
    r->gb_thickness = isnan(f->grain_size) ? NAN : f->grain_size * r->delta_over_d;
    r->f_b = 1.0 / (TWO_PI * f->R_b * f->C_b);
    r->f_gb = 1.0 / (TWO_PI * f->R_gb * f->C_gb);
    r->gb_share = f->R_gb / (f->R_b + f->R_gb);
    if (r->delta_over_d >= 1.0)
        ssbi_log(ctx, SSB_LOG_WARN, "se",
                 "delta/d = %g >= 1 from C_b/C_gb: the GB arc is not a brick-layer GB arc "
                 "(check the arc assignment)",
                 r->delta_over_d);
    return SSB_OK;
}

int ssb_se_cpe_capacitance(ssb_ctx *ctx, double Q, double n, double R, double *C)
{
    SSB_REQUIRE(ctx, C != NULL, SSB_ERR_ARG, "ssb_se_cpe_capacitance: C is NULL");
    SSB_CHECK(ctx, positive(ctx, "CPE Q", Q, "F s^(n-1)"));
    SSB_CHECK(ctx, positive(ctx, "R", R, "ohm"));
    SSB_REQUIRE(ctx, isfinite(n) && n > 0 && n <= 1, SSB_ERR_RANGE, "CPE exponent n = %g, must be in (0, 1]", n);
    *C = pow(Q * pow(R, 1.0 - n), 1.0 / n);
    return SSB_OK;
}
