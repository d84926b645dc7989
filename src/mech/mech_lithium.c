/* mech: Li-metal | SE interface on stripping: Li supply by vacancy diffusion and creep, void growth, critical
 * stripping current, plating criterion with the SE's electronic leakage (ssb_mech.h, FORMULAS 5.1, 5.2, 2.4). */
#include "core_impl.h"

#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_se.h>

#include <math.h>
#include <string.h>

#define FARADAY 96485.33212
#define RGAS 8.314462618
#define T_REF 298.15
#define P_1MPA 1e6
#define PHI_STABLE 0.99

ssb_mech_li_params ssb_mech_li_params_default(void)
{
    ssb_mech_li_params p;
    p.pressure = NAN;
    p.T = T_REF;
    p.hours = 100.0;
    p.separator = 500e-6;
    p.voltage = 0.1;
    return p;
}

const char *ssb_mech_region_name(ssb_mech_region r)
{
    switch (r) {
    case SSB_MECH_STABLE: return "stable";
    case SSB_MECH_VOID: return "void";
    case SSB_MECH_DENDRITE: return "dendrite";
    }
    return "?";
}

static int check_state(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T)
{
    SSB_REQUIRE(ctx, a, SSB_ERR_ARG, "NULL anode");
    SSB_REQUIRE(ctx, pressure >= 0 && isfinite(pressure), SSB_ERR_RANGE,
                "stack pressure %g MPa must be >= 0 (and finite)", pressure / 1e6);
    SSB_REQUIRE(ctx, pressure <= 1e9, SSB_ERR_RANGE,
                "stack pressure %g MPa outside the model's range [0, 1000] MPa", pressure / 1e6);
    SSB_REQUIRE(ctx, T >= 200 && T <= 450, SSB_ERR_RANGE,
                "temperature %g K outside [200, 450] K (Li melts at 453.7 K)", T);
    return SSB_OK;
}

/* supply at contact fraction phi > 0 (no checks) */
static void supply(const ssb_mech_anode *a, double pressure, double T, double phi, double *jv, double *jc)
{
    double D = a->D_ref * exp(-a->E_D / RGAS * (1.0 / T - 1.0 / T_REF));
    *jv = FARADAY * D / (a->V_m * a->l_vac);
    double arr = exp(-a->creep_Q / RGAS * (1.0 / T - 1.0 / T_REF));
    *jc = pressure > 0 ? a->j_creep1 * pow(pressure / (phi * P_1MPA), a->creep_n) * arr : 0.0;
}

int ssb_mech_li_supply(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double phi, double *j_vac,
                       double *j_creep)
{
    SSB_CHECK(ctx, check_state(ctx, a, pressure, T));
    SSB_REQUIRE(ctx, phi > 0 && phi <= 1, SSB_ERR_RANGE, "contact fraction %g must be in (0, 1]", phi);
    SSB_REQUIRE(ctx, j_vac && j_creep, SSB_ERR_ARG, "ssb_mech_li_supply: NULL result");
    supply(a, pressure, T, phi, j_vac, j_creep);
    return SSB_OK;
}

int ssb_mech_li_ccs(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double *ccs)
{
    double jv, jc;
    SSB_CHECK(ctx, ssb_mech_li_supply(ctx, a, pressure, T, 1.0, &jv, &jc));
    *ccs = jv + jc;
    return SSB_OK;
}

/* Partial-contact steady state: j_vac + j_creep(phi) = j for j above the CCS (creep part ~ phi^-n). */
static double phi_steady(const ssb_mech_anode *a, double pressure, double T, double j)
{
    double jv, jc;
    supply(a, pressure, T, 1.0, &jv, &jc);
    if (j <= jv + jc)
        return 1.0;
    if (jc <= 0)
        return 0.0;
    return pow(jc / (j - jv), 1.0 / a->creep_n);
}

/* One backward-Euler step of d phi/dt = -k (j - s(phi)) from phi0 over dt, solved by bisection on
 * [phi_lo, phi0] (the right-hand side is monotone in phi). */
static double step(const ssb_mech_anode *a, double pressure, double T, double j, double k, double phi0, double dt,
                   double phi_lo)
{
    double lo = phi_lo, hi = phi0;
    for (int it = 0; it < 60 && hi - lo > 1e-14; it++) {
        double mid = 0.5 * (lo + hi), jv, jc;
        if (mid <= 0) {
            lo = mid;
            continue;
        }
        supply(a, pressure, T, mid, &jv, &jc);
        double g = mid - phi0 + dt * k * (j - jv - jc); /* increasing in mid */
        if (g > 0)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

int ssb_mech_li_evaluate(ssb_ctx *ctx, const ssb_mech_anode *a, const ssb_mech_solid *se,
                         const ssb_mech_li_params *p, double j, int n, const double *t, double *phi,
                         ssb_mech_li_point *out)
{
    SSB_REQUIRE(ctx, p && out && se, SSB_ERR_ARG, "ssb_mech_li_evaluate: NULL argument");
    SSB_CHECK(ctx, check_state(ctx, a, p->pressure, p->T));
    SSB_REQUIRE(ctx, j >= 0 && j <= SSB_MECH_J_MAX, SSB_ERR_RANGE,
                "stripping current %g mA/cm2 outside the model's range [0, %g] mA/cm2 (above it the interface "
                "kinetics, not the Li supply, limit)", j / 10.0, SSB_MECH_J_MAX / 10.0);
    SSB_REQUIRE(ctx, p->hours > 0 && p->hours <= 1e5, SSB_ERR_RANGE, "horizon %g h outside (0, 1e5] h", p->hours);
    SSB_REQUIRE(ctx, p->separator > 0 && p->voltage >= 0, SSB_ERR_RANGE,
                "separator thickness %g m must be > 0 and voltage %g V >= 0", p->separator, p->voltage);
    if (phi) {
        SSB_REQUIRE(ctx, t && n >= 2, SSB_ERR_ARG, "contact-fraction curve needs n >= 2 times");
        for (int i = 0; i < n; i++)
            SSB_REQUIRE(ctx, isfinite(t[i]) && t[i] >= 0 && (i == 0 || t[i] >= t[i - 1]), SSB_ERR_RANGE,
                        "times must be finite, >= 0 and ascending (t[%d] = %g s)", i, t[i]);
    }
    memset(out, 0, sizeof *out);
    supply(a, p->pressure, p->T, 1.0, &out->j_vac, &out->j_creep);
    out->ccs = out->j_vac + out->j_creep;
    out->phi_steady = phi_steady(a, p->pressure, p->T, j);
    double k = a->V_m / (FARADAY * a->void_depth);
    double horizon = p->hours * 3600.0;
    /* march through the output times and the horizon with geometrically growing backward-Euler steps */
    double tnow = 0, ph = 1.0, dt0 = fmin(1.0, horizon * 1e-6);
    int io = 0;
    double tend = horizon;
    if (phi && t[n - 1] > tend)
        tend = t[n - 1];
    double phi_end = NAN;
    while (j > out->ccs) {
        if (phi)
            while (io < n && t[io] <= tnow + 1e-9 * (1 + tnow))
                phi[io++] = ph;
        if (isnan(phi_end) && tnow >= horizon * (1 - 1e-12))
            phi_end = ph;
        if (tnow >= tend * (1 - 1e-12))
            break;
        double target = tend;
        if (phi && io < n && t[io] < target)
            target = t[io];
        if (isnan(phi_end) && horizon < target)
            target = horizon;
        double dt = fmin(fmax(dt0, 0.05 * tnow), target - tnow);
        if (out->j_creep <= 0) {
            ph = fmax(0.0, ph - dt * k * (j - out->j_vac)); /* no creep: linear loss */
        } else {
            ph = step(a, p->pressure, p->T, j, k, ph, dt, out->phi_steady);
        }
        tnow = (target - tnow - dt <= 1e-12 * (1 + tnow)) ? target : tnow + dt;
    }
    if (phi)
        while (io < n)
            phi[io++] = ph;
    if (j <= out->ccs)
        phi_end = 1.0; /* supply meets demand at full contact: no voids open */
    out->phi_end = phi_end;
    out->amplification = phi_end > 0 ? 1.0 / phi_end : INFINITY;
    out->j_local = phi_end > 0 ? j / phi_end : (j > 0 ? INFINITY : 0.0);
    out->ccd_plating = se->ccd_plating;
    out->i_leak = NAN;
    if (!isnan(se->sigma_e)) {
        ssb_se_leakage_params lp = ssb_se_leakage_params_default();
        lp.thickness = p->separator;
        lp.area = 1.0;
        lp.grain_size = 1e-6;
        lp.gb_thickness = 0.0;
        lp.sigma_el_bulk = se->sigma_e;
        lp.voltage = p->voltage;
        ssb_se_leakage_result lr;
        SSB_CHECK(ctx, ssb_se_leakage_solve(ctx, &lp, &lr));
        out->i_leak = lr.current_density;
    }
    out->ccd_effective = out->ccd_plating - (isnan(out->i_leak) ? 0.0 : out->i_leak);
    /* the plating criterion first: at full contact too, a plating current at or above the SE's CCD makes
       dendrites (NaN CCD: no plating criterion) */
    if (!isnan(out->ccd_effective) && !(out->j_local < out->ccd_effective))
        out->region = SSB_MECH_DENDRITE;
    else if (phi_end >= PHI_STABLE)
        out->region = SSB_MECH_STABLE;
    else
        out->region = SSB_MECH_VOID;
    return SSB_OK;
}

#define PHI_FLOOR 1e-4

int ssb_mech_li_advance(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double j, double phi0,
                        double dt, double *phi)
{
    SSB_CHECK(ctx, check_state(ctx, a, pressure, T));
    SSB_REQUIRE(ctx, phi, SSB_ERR_ARG, "ssb_mech_li_advance: NULL result");
    SSB_REQUIRE(ctx, phi0 > 0 && phi0 <= 1, SSB_ERR_RANGE, "contact fraction %g must be in (0, 1]", phi0);
    SSB_REQUIRE(ctx, isfinite(dt) && dt >= 0, SSB_ERR_RANGE, "time step %g s must be >= 0", dt);
    SSB_REQUIRE(ctx, isfinite(j) && j <= SSB_MECH_J_MAX, SSB_ERR_RANGE,
                "stripping current %g mA/cm2 above the model's range (%g mA/cm2)", j / 10.0, SSB_MECH_J_MAX / 10.0);
    if (j < 0)
        j = 0; /* plating: Li arrives at the contacts, it does not refill the voids */
    double k = a->V_m / (FARADAY * a->void_depth), ph = phi0, left = dt;
    while (left > 0) {
        double h = fmin(left, 60.0);
        /* backward Euler: g(x) = x - ph + h k (j - s(x)), increasing in x (s falls with x); root in [floor, 1] */
        double lo = PHI_FLOOR, hi = 1.0, jv, jc;
        supply(a, pressure, T, hi, &jv, &jc);
        if (hi - ph + h * k * (j - jv - jc) <= 0) {
            ph = 1.0; /* the supply fills the voids within the step */
        } else {
            supply(a, pressure, T, lo, &jv, &jc);
            if (lo - ph + h * k * (j - jv - jc) >= 0) {
                ph = PHI_FLOOR;
            } else {
                for (int it = 0; it < 60 && hi - lo > 1e-12; it++) {
                    double mid = 0.5 * (lo + hi);
                    supply(a, pressure, T, mid, &jv, &jc);
                    if (mid - ph + h * k * (j - jv - jc) > 0)
                        hi = mid;
                    else
                        lo = mid;
                }
                ph = 0.5 * (lo + hi);
            }
        }
        left -= h;
    }
    *phi = ph;
    return SSB_OK;
}
