/* mech: Hertz and Greenwood-Williamson contacts, constriction resistance (ssb_mech.h, FORMULAS 5.3). */
#include "core_impl.h"

#include <ssbnet/ssb_mech.h>

#include <math.h>

#define PI 3.14159265358979323846

int ssb_mech_effective_modulus(ssb_ctx *ctx, double E1, double nu1, double E2, double nu2, double *E_star)
{
    SSB_REQUIRE(ctx, E_star, SSB_ERR_ARG, "ssb_mech_effective_modulus: NULL argument");
    SSB_REQUIRE(ctx, E1 > 0 && E2 > 0 && !isnan(E1) && !isnan(E2), SSB_ERR_RANGE,
                "Young's moduli E1 = %g Pa, E2 = %g Pa must be > 0", E1, E2);
    SSB_REQUIRE(ctx, nu1 >= 0 && nu1 < 0.5 && nu2 >= 0 && nu2 < 0.5, SSB_ERR_RANGE,
                "Poisson ratios %g, %g must be in [0, 0.5)", nu1, nu2);
    double c = 0;
    if (isfinite(E1))
        c += (1 - nu1 * nu1) / E1;
    if (isfinite(E2))
        c += (1 - nu2 * nu2) / E2;
    SSB_REQUIRE(ctx, c > 0, SSB_ERR_RANGE, "two rigid bodies have no finite effective modulus");
    *E_star = 1.0 / c;
    return SSB_OK;
}

int ssb_mech_hertz(ssb_ctx *ctx, double R1, double R2, double E_star, double F, ssb_mech_hertz_result *r)
{
    SSB_REQUIRE(ctx, r, SSB_ERR_ARG, "ssb_mech_hertz: NULL result");
    SSB_REQUIRE(ctx, R1 > 0 && R2 > 0 && !(isinf(R1) && isinf(R2)), SSB_ERR_RANGE,
                "radii R1 = %g m, R2 = %g m must be > 0 (at most one infinite: a flat)", R1, R2);
    SSB_REQUIRE(ctx, E_star > 0 && isfinite(E_star), SSB_ERR_RANGE, "E* = %g Pa must be finite and > 0", E_star);
    SSB_REQUIRE(ctx, F > 0 && isfinite(F), SSB_ERR_RANGE, "force F = %g N must be finite and > 0", F);
    double R = isinf(R1) ? R2 : isinf(R2) ? R1 : R1 * R2 / (R1 + R2);
    r->R = R;
    r->E_star = E_star;
    r->a = cbrt(3.0 * F * R / (4.0 * E_star));
    r->p0 = 3.0 * F / (2.0 * PI * r->a * r->a);
    r->delta = r->a * r->a / R;
    r->p_mean = F / (PI * r->a * r->a);
    return SSB_OK;
}

ssb_mech_gw_params ssb_mech_gw_params_default(void)
{
    ssb_mech_gw_params p;
    p.E_star = NAN;
    p.hardness = NAN;
    p.asperity_radius = 1e-6;
    p.asperity_density = 1e11;
    p.roughness = 50e-9;
    p.dist = SSB_MECH_GAUSSIAN;
    return p;
}

static int gw_check(ssb_ctx *ctx, const ssb_mech_gw_params *p)
{
    SSB_REQUIRE(ctx, p, SSB_ERR_ARG, "NULL Greenwood-Williamson parameters");
    SSB_REQUIRE(ctx, p->E_star > 0 && isfinite(p->E_star), SSB_ERR_RANGE, "E* = %g Pa must be finite and > 0",
                p->E_star);
    SSB_REQUIRE(ctx, p->hardness > 0, SSB_ERR_RANGE, "hardness = %g Pa must be > 0", p->hardness);
    SSB_REQUIRE(ctx, p->asperity_radius > 0 && isfinite(p->asperity_radius), SSB_ERR_RANGE,
                "asperity radius = %g m must be finite and > 0", p->asperity_radius);
    SSB_REQUIRE(ctx, p->asperity_density > 0 && isfinite(p->asperity_density), SSB_ERR_RANGE,
                "asperity density = %g 1/m2 must be finite and > 0", p->asperity_density);
    SSB_REQUIRE(ctx, p->roughness > 0 && isfinite(p->roughness), SSB_ERR_RANGE,
                "roughness = %g m must be finite and > 0", p->roughness);
    SSB_REQUIRE(ctx, p->dist == SSB_MECH_GAUSSIAN || p->dist == SSB_MECH_EXPONENTIAL, SSB_ERR_ARG,
                "unknown height distribution %d", (int)p->dist);
    return SSB_OK;
}

/* One asperity at interference w >= 0: contact area and load. */
static void asperity(const ssb_mech_gw_params *p, double w, double *A, double *F, int *plastic)
{
    double R = p->asperity_radius;
    double wc = isfinite(p->hardness) ? pow(PI * p->hardness / (2.0 * p->E_star), 2) * R : INFINITY;
    if (w <= wc) {
        *A = PI * R * w;
        *F = 4.0 / 3.0 * p->E_star * sqrt(R) * pow(w, 1.5);
        *plastic = 0;
    } else {
        *A = PI * R * w * (2.0 - wc / w);
        *F = p->hardness * *A;
        *plastic = 1;
    }
}

static double height_pdf(const ssb_mech_gw_params *p, double z)
{
    double s = p->roughness;
    if (p->dist == SSB_MECH_EXPONENTIAL)
        return z < 0 ? 0.0 : exp(-z / s) / s;
    return exp(-0.5 * z * z / (s * s)) / (s * sqrt(2.0 * PI));
}

/* Simpson integration of the asperity sums over z in [z0, z1] (z1 > z0). */
static void gw_integrate(const ssb_mech_gw_params *p, double d, double z0, double z1, double sum[4])
{
    const int n = 2000; /* even */
    double h = (z1 - z0) / n;
    for (int i = 0; i <= n; i++) {
        double z = z0 + i * h, wgt = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double A, F, f = height_pdf(p, z);
        int pl;
        asperity(p, z - d, &A, &F, &pl);
        sum[0] += wgt * h / 3.0 * A * f;
        sum[1] += wgt * h / 3.0 * F * f;
        sum[2] += wgt * h / 3.0 * f;
        sum[3] += wgt * h / 3.0 * f * pl;
    }
}

int ssb_mech_gw_at_separation(ssb_ctx *ctx, const ssb_mech_gw_params *p, double d, ssb_mech_gw_result *r)
{
    SSB_CHECK(ctx, gw_check(ctx, p));
    SSB_REQUIRE(ctx, r && isfinite(d), SSB_ERR_ARG, "ssb_mech_gw_at_separation: NULL result or bad separation");
    double s = p->roughness, eta = p->asperity_density;
    double sum[4] = {0, 0, 0, 0};
    if (p->dist == SSB_MECH_EXPONENTIAL && !isfinite(p->hardness)) {
        /* closed form: int_d^inf (z-d)^k exp(-z/s)/s dz = Gamma(k+1) s^k exp(-d/s) for d >= 0 */
        SSB_REQUIRE(ctx, d >= 0, SSB_ERR_RANGE, "separation %g m must be >= 0 for the exponential distribution", d);
        double e = exp(-d / s), R = p->asperity_radius;
        sum[0] = PI * R * s * e;
        sum[1] = 4.0 / 3.0 * p->E_star * sqrt(R) * pow(s, 1.5) * (0.75 * sqrt(PI)) * e;
        sum[2] = e;
    } else {
        double lo = p->dist == SSB_MECH_EXPONENTIAL ? fmax(d, 0.0) : fmax(d, -10.0 * s);
        double hi = p->dist == SSB_MECH_EXPONENTIAL ? lo + 40.0 * s : 10.0 * s;
        if (hi > lo) {
            double R = p->asperity_radius;
            double wc = isfinite(p->hardness) ? pow(PI * p->hardness / (2.0 * p->E_star), 2) * R : INFINITY;
            double kink = d + wc;
            if (kink > lo && kink < hi) { /* split at the elastic-plastic transition */
                gw_integrate(p, d, lo, kink, sum);
                gw_integrate(p, d, kink, hi, sum);
            } else {
                gw_integrate(p, d, lo, hi, sum);
            }
        }
    }
    r->separation = d;
    r->area_fraction = eta * sum[0];
    r->pressure = eta * sum[1];
    r->contacts = eta * sum[2];
    r->mean_radius = r->contacts > 0 ? sqrt(r->area_fraction / (PI * r->contacts)) : 0.0;
    r->plastic_fraction = sum[2] > 0 ? sum[3] / sum[2] : 0.0;
    return SSB_OK;
}

int ssb_mech_gw_at_pressure(ssb_ctx *ctx, const ssb_mech_gw_params *p, double pressure, ssb_mech_gw_result *r)
{
    SSB_CHECK(ctx, gw_check(ctx, p));
    SSB_REQUIRE(ctx, r, SSB_ERR_ARG, "ssb_mech_gw_at_pressure: NULL result");
    SSB_REQUIRE(ctx, pressure > 0 && isfinite(pressure), SSB_ERR_RANGE,
                "nominal pressure %g Pa must be finite and > 0", pressure);
    double s = p->roughness;
    double lo = p->dist == SSB_MECH_EXPONENTIAL ? 0.0 : -10.0 * s, hi = (p->dist == SSB_MECH_EXPONENTIAL ? 40 : 10) * s;
    ssb_mech_gw_result t;
    SSB_CHECK(ctx, ssb_mech_gw_at_separation(ctx, p, lo, &t));
    SSB_REQUIRE(ctx, t.pressure >= pressure, SSB_ERR_RANGE,
                "nominal pressure %g MPa flattens the rough surface (real contact area above half the nominal "
                "area): outside the Greenwood-Williamson model's range (independent asperities)", pressure / 1e6);
    for (int it = 0; it < 200 && hi - lo > 1e-12 * s; it++) {
        double mid = 0.5 * (lo + hi);
        SSB_CHECK(ctx, ssb_mech_gw_at_separation(ctx, p, mid, &t));
        if (t.pressure > pressure)
            lo = mid;
        else
            hi = mid;
    }
    SSB_CHECK(ctx, ssb_mech_gw_at_separation(ctx, p, 0.5 * (lo + hi), r));
    SSB_REQUIRE(ctx, r->area_fraction <= 0.5, SSB_ERR_RANGE,
                "nominal pressure %g MPa gives a real contact area fraction %g > 0.5: outside the "
                "Greenwood-Williamson model's range (independent asperities)", pressure / 1e6, r->area_fraction);
    return SSB_OK;
}

int ssb_mech_constriction(ssb_ctx *ctx, double a, double s1, double s2, double *R)
{
    SSB_REQUIRE(ctx, R, SSB_ERR_ARG, "ssb_mech_constriction: NULL result");
    SSB_REQUIRE(ctx, a > 0 && isfinite(a), SSB_ERR_RANGE, "contact radius %g m must be finite and > 0", a);
    SSB_REQUIRE(ctx, s1 > 0 && s2 > 0 && isfinite(s1), SSB_ERR_RANGE,
                "conductivities %g, %g S/m must be > 0 (the first finite)", s1, s2);
    *R = 1.0 / (4.0 * s1 * a) + (isfinite(s2) ? 1.0 / (4.0 * s2 * a) : 0.0);
    return SSB_OK;
}
