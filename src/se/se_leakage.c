/* SE: electronic leakage through a separator, self-discharge, and the Li+ reduction (dendrite-risk) indicator. */
#include <ssbnet/ssb_se.h>

#include "core_impl.h"

#include <math.h>

ssb_se_leakage_params ssb_se_leakage_params_default(void)
{
    ssb_se_leakage_params p;
    p.thickness = NAN;
    p.area = 1e-4;
    p.grain_size = NAN;
    p.gb_thickness = 0.0;
    p.sigma_el_bulk = NAN;
    p.sigma_el_gb = NAN;
    p.sigma_ion = NAN;
    p.voltage = NAN;
    p.capacity = NAN;
    return p;
}

int ssb_se_leakage_solve(ssb_ctx *ctx, const ssb_se_leakage_params *p, ssb_se_leakage_result *r)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_leakage_solve: NULL argument");
    SSB_REQUIRE(ctx, isfinite(p->thickness) && p->thickness > 0, SSB_ERR_RANGE, "thickness = %g m, must be > 0",
                p->thickness);
    SSB_REQUIRE(ctx, isfinite(p->area) && p->area > 0, SSB_ERR_RANGE, "area = %g m^2, must be > 0", p->area);
    SSB_REQUIRE(ctx, isfinite(p->sigma_el_bulk) && p->sigma_el_bulk >= 0, SSB_ERR_RANGE,
                "sigma_el_bulk = %g S/m, must be >= 0", p->sigma_el_bulk);
    double sgb = isnan(p->sigma_el_gb) ? p->sigma_el_bulk : p->sigma_el_gb;
    SSB_REQUIRE(ctx, isfinite(sgb) && sgb >= 0, SSB_ERR_RANGE, "sigma_el_gb = %g S/m, must be >= 0", p->sigma_el_gb);
    SSB_REQUIRE(ctx, isfinite(p->voltage) && p->voltage >= 0, SSB_ERR_RANGE, "voltage = %g V, must be >= 0",
                p->voltage);
    SSB_REQUIRE(ctx, isfinite(p->gb_thickness) && p->gb_thickness >= 0, SSB_ERR_RANGE,
                "gb_thickness = %g m, must be >= 0", p->gb_thickness);
    double dd = 0.0;
    if (p->gb_thickness > 0) {
        SSB_REQUIRE(ctx, isfinite(p->grain_size) && p->grain_size > p->gb_thickness, SSB_ERR_RANGE,
                    "grain_size = %g m, must be > gb_thickness = %g m", p->grain_size, p->gb_thickness);
        dd = p->gb_thickness / p->grain_size;
    }
    SSB_REQUIRE(ctx, isnan(p->capacity) || (isfinite(p->capacity) && p->capacity > 0), SSB_ERR_RANGE,
                "capacity = %g C, must be > 0 (or NaN)", p->capacity);
    SSB_REQUIRE(ctx, isnan(p->sigma_ion) || (isfinite(p->sigma_ion) && p->sigma_ion >= 0), SSB_ERR_RANGE,
                "sigma_ion = %g S/m, must be >= 0 (or NaN)", p->sigma_ion);
    /* brick layer for the electrons: series (grain + GB across) plus the parallel GB path */
    double sser;
    if (p->sigma_el_bulk == 0 || (dd > 0 && sgb == 0))
        sser = 0.0;
    else
        sser = 1.0 / (1.0 / p->sigma_el_bulk + (dd > 0 ? dd / sgb : 0.0));
    double spar = 2.0 * dd * sgb;
    r->sigma_el_eff = sser + spar;
    r->gb_current_fraction = r->sigma_el_eff > 0 ? spar / r->sigma_el_eff : 0.0;
    r->resistance = r->sigma_el_eff > 0 ? p->thickness / (r->sigma_el_eff * p->area) : INFINITY;
    r->current_density = r->sigma_el_eff * p->voltage / p->thickness;
    r->current = r->current_density * p->area;
    r->t_el = isnan(p->sigma_ion)
                  ? NAN
                  : (r->sigma_el_eff + p->sigma_ion > 0 ? r->sigma_el_eff / (r->sigma_el_eff + p->sigma_ion) : NAN);
    if (!isnan(p->capacity)) {
        r->self_discharge_per_day = r->current * 86400.0 / p->capacity;
        r->time_to_empty = r->current > 0 ? p->capacity / r->current : INFINITY;
    } else {
        r->self_discharge_per_day = r->time_to_empty = NAN;
    }
    return SSB_OK;
}

ssb_se_dendrite_params ssb_se_dendrite_params_default(void)
{
    ssb_se_dendrite_params p;
    p.thickness = NAN;
    p.sigma_ion = NAN;
    p.sigma_el = NAN;
    p.current_density = 0.0;
    p.cell_voltage = NAN;
    p.overpotential = 0.0;
    p.contact = SSB_SE_EPATH_BOTH;
    return p;
}

int ssb_se_dendrite_solve(ssb_ctx *ctx, const ssb_se_dendrite_params *p, ssb_se_dendrite_result *r, int n, double *E)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_dendrite_solve: NULL argument");
    SSB_REQUIRE(ctx, isfinite(p->thickness) && p->thickness > 0, SSB_ERR_RANGE, "thickness = %g m, must be > 0",
                p->thickness);
    SSB_REQUIRE(ctx, isfinite(p->sigma_ion) && p->sigma_ion > 0, SSB_ERR_RANGE, "sigma_ion = %g S/m, must be > 0",
                p->sigma_ion);
    SSB_REQUIRE(ctx, isfinite(p->sigma_el) && p->sigma_el >= 0, SSB_ERR_RANGE, "sigma_el = %g S/m, must be >= 0",
                p->sigma_el);
    SSB_REQUIRE(ctx, isfinite(p->current_density) && p->current_density >= 0, SSB_ERR_RANGE,
                "plating current density = %g A/m^2, must be >= 0", p->current_density);
    SSB_REQUIRE(ctx, isfinite(p->overpotential) && p->overpotential >= 0, SSB_ERR_RANGE,
                "overpotential = %g V, must be >= 0", p->overpotential);
    SSB_REQUIRE(ctx, p->contact == SSB_SE_EPATH_BOTH || p->contact == SSB_SE_EPATH_ANODE_ONLY, SSB_ERR_ARG,
                "electronic contact %d unknown", (int)p->contact);
    double V = 0.0;
    if (p->contact == SSB_SE_EPATH_BOTH) {
        SSB_REQUIRE(ctx, isfinite(p->cell_voltage), SSB_ERR_RANGE, "cell_voltage = %g V, must be finite",
                    p->cell_voltage);
        V = p->cell_voltage;
    }
    SSB_REQUIRE(ctx, E == NULL || n >= 2, SSB_ERR_RANGE, "profile points n = %d, must be >= 2", n);
    double L = p->thickness, eta = p->overpotential;
    double slope = V / L - p->current_density / p->sigma_ion; /* dE/dx [V/m] */
    /* E(x) = -eta + slope x is linear: its minimum is at an end */
    double E0 = -eta, EL = -eta + slope * L;
    r->E_end = EL;
    r->E_min = EL < E0 ? EL : E0;
    /* E(0) = -eta <= 0 always: the risky region starts at the anode */
    if (slope <= 0)
        r->x_risk = L;
    else
        r->x_risk = fmin(L, eta / slope);
    r->risk_fraction = r->x_risk / L;
    r->i_el = p->contact == SSB_SE_EPATH_BOTH ? p->sigma_el * V / L : 0.0;
    if (r->x_risk <= 0)
        r->li0_rate_bound = 0.0;
    else if (slope <= 0)
        r->li0_rate_bound = p->sigma_el * fabs(EL) / L / SSB_CONST_FARADAY;
    else
        r->li0_rate_bound = p->sigma_el * eta / r->x_risk / SSB_CONST_FARADAY;
    if (E)
        for (int i = 0; i < n; i++)
            E[i] = -eta + slope * L * (double)i / (double)(n - 1);
    return SSB_OK;
}
