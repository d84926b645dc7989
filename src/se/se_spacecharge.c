/* SE: space-charge layers (Mott-Schottky, Gouy-Chapman), Debye length, Lambert W. */
#include <ssbnet/ssb_se.h>

#include "core_impl.h"

#include <float.h>
#include <math.h>

#define E_CONST 2.718281828459045235
#define INV_E 0.36787944117144233

/* ---- Lambert W ---- */

static double halley(double x, double w)
{
    for (int it = 0; it < 100; it++) {
        double ew = exp(w);
        double f = w * ew - x;
        double wp1 = w + 1.0;
        if (wp1 == 0.0)
            break;
        double dw = f / (ew * wp1 - (w + 2.0) * f / (2.0 * wp1));
        w -= dw;
        if (fabs(dw) <= 4.0 * DBL_EPSILON * (1.0 + fabs(w)))
            break;
    }
    return w;
}

int ssb_se_lambert_w(ssb_ctx *ctx, int branch, double x, double *w)
{
    SSB_REQUIRE(ctx, w != NULL, SSB_ERR_ARG, "ssb_se_lambert_w: w is NULL");
    SSB_REQUIRE(ctx, branch == 0 || branch == -1, SSB_ERR_ARG, "Lambert W branch %d, must be 0 or -1", branch);
    SSB_REQUIRE(ctx, isfinite(x) && x >= -INV_E - 4 * DBL_EPSILON, SSB_ERR_RANGE,
                "Lambert W argument x = %.17g, must be >= -1/e", x);
    if (branch == -1)
        SSB_REQUIRE(ctx, x < 0, SSB_ERR_RANGE, "Lambert W_-1 argument x = %.17g, must be in [-1/e, 0)", x);
    double q = E_CONST * x + 1.0; /* distance from the branch point, scaled */
    if (q <= 0.0) {
        *w = -1.0;
        return SSB_OK;
    }
    double p = sqrt(2.0 * q), w0;
    if (branch == 0) {
        if (x == 0.0) {
            *w = 0.0;
            return SSB_OK;
        }
        if (p < 0.5) {
            w0 = -1.0 + p - p * p / 3.0 + 11.0 / 72.0 * p * p * p;
        } else if (x < E_CONST) {
            double l = log1p(x);
            w0 = l * (1.0 - log1p(l) / (2.0 + l));
        } else {
            double l1 = log(x), l2 = log(l1);
            w0 = l1 - l2 + l2 / l1;
        }
    } else {
        if (p < 0.5) {
            w0 = -1.0 - p - p * p / 3.0 - 11.0 / 72.0 * p * p * p;
        } else {
            double l1 = log(-x), l2 = log(-l1);
            w0 = l1 - l2 + l2 / l1;
        }
    }
    *w = halley(x, w0);
    return SSB_OK;
}

/* ---- Debye length and Mott-Schottky ---- */

int ssb_se_debye_length(ssb_ctx *ctx, double eps_r, double T, double z, double c_inf, double *lambda)
{
    SSB_REQUIRE(ctx, lambda != NULL, SSB_ERR_ARG, "ssb_se_debye_length: lambda is NULL");
    SSB_REQUIRE(ctx, isfinite(eps_r) && eps_r > 0, SSB_ERR_RANGE, "eps_r = %g, must be > 0", eps_r);
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "T = %g K, must be > 0", T);
    SSB_REQUIRE(ctx, isfinite(z) && z != 0, SSB_ERR_RANGE, "charge number z = %g, must be non-zero", z);
    SSB_REQUIRE(ctx, isfinite(c_inf) && c_inf > 0, SSB_ERR_RANGE, "carrier concentration c_inf = %g 1/m^3, must be > 0",
                c_inf);
    double e = SSB_CONST_ECHARGE;
    *lambda = sqrt(eps_r * SSB_CONST_EPS0 * SSB_CONST_BOLTZMANN * T / (2.0 * z * z * e * e * c_inf));
    return SSB_OK;
}

int ssb_se_ms_ratio(ssb_ctx *ctx, double y, double *r)
{
    SSB_REQUIRE(ctx, r != NULL, SSB_ERR_ARG, "ssb_se_ms_ratio: r is NULL");
    SSB_REQUIRE(ctx, isfinite(y) && y > 0 && y <= 700, SSB_ERR_RANGE, "reduced potential y = %g, must be in (0, 700]",
                y);
    *r = exp(y) / (2.0 * y);
    return SSB_OK;
}

/* Gauss-Legendre nodes/weights on [-1, 1] by Newton iteration on P_n. */
static void gauss_legendre(int n, double *x, double *wt)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double t = cos(3.141592653589793 * (i + 0.75) / (n + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = t;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2.0 * k - 1.0) * t * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (t * p1 - p0) / (t * t - 1.0);
            double dt = p1 / dp;
            t -= dt;
            if (fabs(dt) < 1e-16)
                break;
        }
        x[i] = -t;
        x[n - 1 - i] = t;
        wt[i] = wt[n - 1 - i] = 2.0 / ((1.0 - t * t) * dp * dp);
    }
}

int ssb_se_ms_ratio_exact(ssb_ctx *ctx, double y, double *r)
{
    SSB_REQUIRE(ctx, r != NULL, SSB_ERR_ARG, "ssb_se_ms_ratio_exact: r is NULL");
    SSB_REQUIRE(ctx, isfinite(y) && y > 0 && y <= 700, SSB_ERR_RANGE, "reduced potential y = %g, must be in (0, 700]",
                y);
    enum { NG = 20 };
    double gx[NG], gw[NG];
    gauss_legendre(NG, gx, gw);
    /* I = int_0^1 exp(-y s (2 - s)) ds (s = 1 - u), panels geometric in s from s = 0 */
    double a = fmin(1.0, 0.25 / y), lo = 0.0, hi = a, I = 0.0;
    while (lo < 1.0) {
        if (hi > 1.0)
            hi = 1.0;
        double c = 0.5 * (lo + hi), h = 0.5 * (hi - lo), s = 0.0;
        for (int k = 0; k < NG; k++) {
            double sk = c + h * gx[k];
            s += gw[k] * exp(-y * sk * (2.0 - sk));
        }
        I += h * s;
        lo = hi;
        hi = 2.0 * hi;
    }
    *r = exp(y) * I;
    return SSB_OK;
}

int ssb_se_ms_potential(ssb_ctx *ctx, double r, double z, double T, ssb_se_branch branch, double *phi0)
{
    SSB_REQUIRE(ctx, phi0 != NULL, SSB_ERR_ARG, "ssb_se_ms_potential: phi0 is NULL");
    SSB_REQUIRE(ctx, isfinite(r) && r >= 0.5 * E_CONST, SSB_ERR_RANGE,
                "Mott-Schottky ratio r = %g, must be >= e/2 = 1.3591 (no real solution below)", r);
    SSB_REQUIRE(ctx, isfinite(z) && z != 0, SSB_ERR_RANGE, "charge number z = %g, must be non-zero", z);
    SSB_REQUIRE(ctx, isfinite(T) && T > 0, SSB_ERR_RANGE, "T = %g K, must be > 0", T);
    SSB_REQUIRE(ctx, branch == SSB_SE_BRANCH_PHYSICAL || branch == SSB_SE_BRANCH_W0, SSB_ERR_ARG, "branch %d unknown",
                (int)branch);
    double w;
    SSB_CHECK(ctx, ssb_se_lambert_w(ctx, branch == SSB_SE_BRANCH_PHYSICAL ? -1 : 0, -1.0 / (2.0 * r), &w));
    *phi0 = -w * SSB_CONST_BOLTZMANN_EV * T / z;
    return SSB_OK;
}

/* ---- SCL summary ---- */

ssb_se_scl_params ssb_se_scl_params_default(void)
{
    ssb_se_scl_params p;
    p.model = SSB_SE_MOTT_SCHOTTKY;
    p.eps_r = NAN;
    p.T = 298.15;
    p.z = 1.0;
    p.c_inf = NAN;
    p.phi0 = NAN;
    p.sigma_bulk = NAN;
    return p;
}

int ssb_se_scl_solve(ssb_ctx *ctx, const ssb_se_scl_params *p, ssb_se_scl_result *r)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_scl_solve: NULL argument");
    SSB_REQUIRE(ctx, p->model == SSB_SE_MOTT_SCHOTTKY || p->model == SSB_SE_GOUY_CHAPMAN, SSB_ERR_ARG,
                "space-charge model %d unknown", (int)p->model);
    SSB_CHECK(ctx, ssb_se_debye_length(ctx, p->eps_r, p->T, p->z, p->c_inf, &r->debye_length));
    SSB_REQUIRE(ctx, isfinite(p->phi0), SSB_ERR_RANGE, "core potential phi0 = %g V, must be finite", p->phi0);
    double kT = SSB_CONST_BOLTZMANN_EV * p->T;
    r->y = p->z * p->phi0 / kT;
    SSB_REQUIRE(ctx, r->y > 0 && r->y <= 700, SSB_ERR_RANGE,
                "z phi0 / (kT/e) = %g must be in (0, 700]: the model describes depletion of the carrier "
                "(phi0 of the carrier's sign)",
                r->y);
    SSB_REQUIRE(ctx, isnan(p->sigma_bulk) || (isfinite(p->sigma_bulk) && p->sigma_bulk > 0), SSB_ERR_RANGE,
                "sigma_bulk = %g S/m, must be > 0 (or NaN)", p->sigma_bulk);
    double eps = p->eps_r * SSB_CONST_EPS0, lam = r->debye_length, y = r->y;
    if (p->model == SSB_SE_MOTT_SCHOTTKY) {
        r->width = 2.0 * lam * sqrt(y);
        SSB_CHECK(ctx, ssb_se_ms_ratio(ctx, y, &r->r_perp));
        SSB_CHECK(ctx, ssb_se_ms_ratio_exact(ctx, y, &r->r_perp_exact));
        r->gb_thickness = 2.0 * r->width;
        r->C_gb_area = eps / r->gb_thickness;
        r->dEa = p->z * p->phi0 * (1.0 - 1.0 / y);
    } else {
        r->width = lam;
        r->r_perp = r->r_perp_exact = exp(0.5 * y);
        r->gb_thickness = 4.0 * lam;
        r->C_gb_area = 0.5 * (eps / lam) * cosh(0.5 * y);
        r->dEa = 0.5 * p->z * p->phi0;
    }
    if (!isnan(p->sigma_bulk)) {
        r->sigma_gb_specific = p->sigma_bulk / r->r_perp_exact;
        r->asr_gb = r->gb_thickness * r->r_perp_exact / p->sigma_bulk;
        r->asr_excess = r->gb_thickness * (r->r_perp_exact - 1.0) / p->sigma_bulk;
    } else {
        r->sigma_gb_specific = r->asr_gb = r->asr_excess = NAN;
    }
    return SSB_OK;
}

int ssb_se_scl_potential(ssb_ctx *ctx, const ssb_se_scl_params *p, double r, ssb_se_branch branch, double *phi0)
{
    SSB_REQUIRE(ctx, p != NULL && phi0 != NULL, SSB_ERR_ARG, "ssb_se_scl_potential: NULL argument");
    if (p->model == SSB_SE_MOTT_SCHOTTKY)
        return ssb_se_ms_potential(ctx, r, p->z, p->T, branch, phi0);
    SSB_REQUIRE(ctx, p->model == SSB_SE_GOUY_CHAPMAN, SSB_ERR_ARG, "space-charge model %d unknown", (int)p->model);
    SSB_REQUIRE(ctx, isfinite(r) && r > 1, SSB_ERR_RANGE, "Gouy-Chapman ratio r = %g, must be > 1", r);
    SSB_REQUIRE(ctx, isfinite(p->z) && p->z != 0, SSB_ERR_RANGE, "charge number z = %g, must be non-zero", p->z);
    SSB_REQUIRE(ctx, isfinite(p->T) && p->T > 0, SSB_ERR_RANGE, "T = %g K, must be > 0", p->T);
    *phi0 = 2.0 * log(r) * SSB_CONST_BOLTZMANN_EV * p->T / p->z;
    return SSB_OK;
}
