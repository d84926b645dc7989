/* mech: volume change vs state of charge, CAM|SE contact loss per cycle with recovery under stack pressure, and
 * particle cracking from the volume swing and the diffusion-induced stress (ssb_mech.h). */
#include "core_impl.h"

#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <string.h>

#define HOUR 3600.0

int ssb_mech_swelling_at(ssb_ctx *ctx, const ssb_mech_swelling *s, double soc, double *dv, double *slope)
{
    SSB_REQUIRE(ctx, s && dv, SSB_ERR_ARG, "ssb_mech_swelling_at: NULL argument");
    const double tol = 1e-12;
    SSB_REQUIRE(ctx, isfinite(soc) && soc >= s->soc[0] - tol && soc <= s->soc[s->n - 1] + tol, SSB_ERR_RANGE,
                "state of charge %g outside the volume-change curve of %s ([%g, %g])", soc, s->name, s->soc[0],
                s->soc[s->n - 1]);
    int i = 0;
    while (i < s->n - 2 && soc > s->soc[i + 1])
        i++;
    double m = (s->dv[i + 1] - s->dv[i]) / (s->soc[i + 1] - s->soc[i]);
    *dv = s->dv[i] + m * (soc - s->soc[i]);
    if (slope)
        *slope = m;
    return SSB_OK;
}

ssb_mech_cycle_params ssb_mech_cycle_params_default(void)
{
    ssb_mech_cycle_params p;
    memset(&p, 0, sizeof p);
    p.pressure = NAN;
    p.radius = NAN;
    p.dv = NAN;
    p.debond = 0.002;
    p.gw = ssb_mech_gw_params_default();
    p.E_se = NAN;
    p.nu_se = NAN;
    p.separation0 = NAN;
    return p;
}

int ssb_mech_contact_cycle(ssb_ctx *ctx, const ssb_mech_cycle_params *p, ssb_mech_cycle_result *r)
{
    SSB_REQUIRE(ctx, p && r, SSB_ERR_ARG, "ssb_mech_contact_cycle: NULL argument");
    SSB_REQUIRE(ctx, isfinite(p->pressure) && p->pressure > 0, SSB_ERR_RANGE,
                "stack pressure %g MPa must be > 0 (a rough contact carries no area without load)", p->pressure / 1e6);
    SSB_REQUIRE(ctx, isfinite(p->radius) && p->radius > 0, SSB_ERR_RANGE, "particle radius %g m must be > 0",
                p->radius);
    SSB_REQUIRE(ctx, isfinite(p->dv) && p->dv > -1 && p->dv <= 0, SSB_ERR_RANGE,
                "volume change at the top of charge %g must be in (-1, 0] (shrinkage)", p->dv);
    SSB_REQUIRE(ctx, p->debond >= 0 && p->debond <= 1, SSB_ERR_RANGE, "debonded share %g must be in [0, 1]", p->debond);
    SSB_REQUIRE(ctx, isfinite(p->E_se) && p->E_se > 0 && p->nu_se >= 0 && p->nu_se < 0.5, SSB_ERR_RANGE,
                "SE elastic constants E = %g Pa, nu = %g: need E > 0 and nu in [0, 0.5)", p->E_se, p->nu_se);
    double K = p->E_se / (3.0 * (1.0 - 2.0 * p->nu_se)), G = p->E_se / (2.0 * (1.0 + p->nu_se));
    memset(r, 0, sizeof *r);
    r->gap = p->radius * (1.0 - cbrt(1.0 + p->dv));
    r->closure = p->pressure * p->radius * (1.0 / (3.0 * K) + 1.0 / (4.0 * G));
    ssb_mech_gw_result g0, g1;
    if (isnan(p->separation0))
        SSB_CHECK(ctx, ssb_mech_gw_at_pressure(ctx, &p->gw, p->pressure, &g0));
    else
        SSB_CHECK(ctx, ssb_mech_gw_at_separation(ctx, &p->gw, p->separation0, &g0));
    r->separation0 = g0.separation;
    double open = fmax(0.0, r->gap - r->closure);
    SSB_CHECK(ctx, ssb_mech_gw_at_separation(ctx, &p->gw, g0.separation + open, &g1));
    r->kept = g0.area_fraction > 0 ? fmin(1.0, g1.area_fraction / g0.area_fraction) : 0.0;
    r->loss = p->debond * (1.0 - r->kept);
    return SSB_OK;
}

int ssb_mech_crack(ssb_ctx *ctx, const ssb_mech_swelling *s, double soc_lo, double soc_hi, double radius, double D,
                   double c_max, double crate, double nu, ssb_mech_crack_result *r)
{
    SSB_REQUIRE(ctx, s && r, SSB_ERR_ARG, "ssb_mech_crack: NULL argument");
    SSB_REQUIRE(ctx, !isnan(s->fracture_strain), SSB_ERR_UNSUPPORTED,
                "%s has no \"fracture_strain\" in data/iface/mechanics.json: the cracking model is not available "
                "for it",
                s->name);
    SSB_REQUIRE(ctx, soc_lo <= soc_hi, SSB_ERR_RANGE, "state-of-charge window [%g, %g] reversed", soc_lo, soc_hi);
    SSB_REQUIRE(ctx, isfinite(radius) && radius > 0 && isfinite(D) && D > 0 && isfinite(c_max) && c_max > 0,
                SSB_ERR_RANGE, "particle radius %g m, diffusivity %g m2/s and c_max %g mol/m3 must be > 0", radius, D,
                c_max);
    SSB_REQUIRE(ctx, isfinite(crate) && crate >= 0 && crate <= 100, SSB_ERR_RANGE, "C-rate %g outside [0, 100]", crate);
    SSB_REQUIRE(ctx, nu >= 0 && nu < 0.5, SSB_ERR_RANGE, "Poisson ratio %g outside [0, 0.5)", nu);
    double dv_lo, dv_hi, slope;
    SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, s, soc_lo, &dv_lo, NULL));
    SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, s, soc_hi, &dv_hi, &slope));
    memset(r, 0, sizeof *r);
    r->strain_volume = fabs(dv_hi - dv_lo) / 3.0;
    double jn = c_max * (soc_hi - soc_lo) * radius * crate / (3.0 * HOUR); /* mol/(m2 s) */
    double omega = fabs(slope) / c_max;                                    /* m3/mol */
    r->strain_diffusion = omega * jn * radius / (15.0 * (1.0 - nu) * D);
    r->strain = r->strain_volume + r->strain_diffusion;
    r->limit = s->fracture_strain;
    r->cracked = r->strain > r->limit;
    r->dead_per_cycle = r->cracked && !isnan(s->crack_dead_per_cycle) ? s->crack_dead_per_cycle : 0.0;
    return SSB_OK;
}

int ssb_mech_alloy_lithiate(ssb_ctx *ctx, const ssb_mech_swelling *host, double thickness, double eps_host,
                            double porosity, double n_li, ssb_mech_alloy_state *out)
{
    SSB_REQUIRE(ctx, host && out, SSB_ERR_ARG, "ssb_mech_alloy_lithiate: NULL argument");
    SSB_REQUIRE(ctx, !isnan(host->V_m_host), SSB_ERR_UNSUPPORTED,
                "%s has no \"host_molar_volume_cm3_per_mol\" in data/iface/mechanics.json: not an alloy host",
                host->name);
    SSB_REQUIRE(ctx, !isnan(host->x_max), SSB_ERR_UNSUPPORTED,
                "%s has no \"li_per_host_max\" in data/iface/mechanics.json", host->name);
    SSB_REQUIRE(ctx, isfinite(thickness) && thickness > 0, SSB_ERR_RANGE, "thickness %g m must be > 0", thickness);
    SSB_REQUIRE(ctx, eps_host > 0 && eps_host <= 1 && porosity >= 0 && eps_host + porosity <= 1, SSB_ERR_RANGE,
                "host fraction %g and porosity %g: need 0 < host <= 1, porosity >= 0, sum <= 1", eps_host, porosity);
    SSB_REQUIRE(ctx, isfinite(n_li) && n_li >= 0, SSB_ERR_RANGE, "lithium %g mol/m2 must be >= 0", n_li);
    memset(out, 0, sizeof *out);
    out->capacity = host->x_max * eps_host * thickness / host->V_m_host;
    SSB_REQUIRE(ctx, n_li <= out->capacity * (1 + 1e-12), SSB_ERR_RANGE,
                "lithium %g mol/m2 exceeds what the %s layer takes (%g mol/m2 at Li%gSi): lithium would not be "
                "conserved",
                n_li, host->name, out->capacity, host->x_max);
    out->soc = fmin(1.0, n_li / out->capacity);
    SSB_CHECK(ctx, ssb_mech_swelling_at(ctx, host, out->soc, &out->dv_host, NULL));
    out->e_v = fmax(0.0, eps_host * out->dv_host - porosity);
    return SSB_OK;
}

ssb_mech_stack_params ssb_mech_stack_params_default(void)
{
    ssb_mech_stack_params p;
    memset(&p, 0, sizeof p);
    p.fixture_stiffness = INFINITY;
    p.tau = INFINITY;
    return p;
}

int ssb_mech_stack_pressure(ssb_ctx *ctx, const ssb_mech_stack_params *sp, double t, double *p, double *dp)
{
    SSB_REQUIRE(ctx, sp && p, SSB_ERR_ARG, "ssb_mech_stack_pressure: NULL argument");
    SSB_REQUIRE(ctx, sp->n >= 1 && sp->n <= SSB_MECH_STACK_MAX, SSB_ERR_RANGE, "layers n = %d outside [1, %d]", sp->n,
                SSB_MECH_STACK_MAX);
    SSB_REQUIRE(ctx, sp->fixture_stiffness > 0, SSB_ERR_RANGE, "fixture_stiffness %g Pa/m must be > 0",
                sp->fixture_stiffness);
    SSB_REQUIRE(ctx, isfinite(sp->p0) && sp->p0 >= 0, SSB_ERR_RANGE, "p0 = %g MPa: stack pressure must be >= 0",
                sp->p0 / 1e6);
    SSB_REQUIRE(ctx, sp->tau > 0, SSB_ERR_RANGE, "tau = %g s: the creep relaxation time must be > 0", sp->tau);
    SSB_REQUIRE(ctx, isfinite(t) && t >= 0, SSB_ERR_RANGE, "time %g s must be >= 0", t);
    double num = 0, den = 1.0 / sp->fixture_stiffness;
    for (int i = 0; i < sp->n; i++) {
        double L = sp->thickness[i], E = sp->E[i], nu = sp->nu[i], e = sp->e_v[i];
        SSB_REQUIRE(ctx, isfinite(L) && L > 0 && isfinite(E) && E > 0 && nu >= 0 && nu < 0.5 && e > -1 && isfinite(e),
                    SSB_ERR_RANGE, "layer %d: thickness %g m, E %g Pa, nu %g, e_v %g (need > 0, > 0, [0, 0.5), > -1)",
                    i, L, E, nu, e);
        double M = E * (1 - nu) / ((1 + nu) * (1 - 2 * nu));
        num += L * (cbrt(1 + e) - 1) * (1 + nu) / (1 - nu);
        den += L / M;
    }
    double rise = num / den;
    double relax = isinf(sp->tau) ? 1.0 : exp(-t / sp->tau);
    *p = fmax(0.0, sp->p0 + rise * relax); /* a shrinking stack can unload the fixture, not pull it */
    if (dp)
        *dp = rise;
    return SSB_OK;
}

int ssb_mech_alloy_crack(ssb_ctx *ctx, const ssb_mech_swelling *host, double radius, double soc_lo, double soc_hi,
                         ssb_mech_alloy_crack_result *r)
{
    SSB_REQUIRE(ctx, host && r, SSB_ERR_ARG, "ssb_mech_alloy_crack: NULL argument");
    SSB_REQUIRE(ctx, !isnan(host->critical_diameter), SSB_ERR_UNSUPPORTED,
                "%s has no \"critical_diameter_nm\" in data/iface/mechanics.json: the alloy cracking model is not "
                "available for it",
                host->name);
    SSB_REQUIRE(ctx, !isnan(host->crack_dead_per_cycle), SSB_ERR_UNSUPPORTED,
                "%s has no \"crack_dead_fraction_per_cycle\" in data/iface/mechanics.json", host->name);
    SSB_REQUIRE(ctx, isfinite(radius) && radius > 0, SSB_ERR_RANGE, "particle radius %g m must be > 0", radius);
    SSB_REQUIRE(ctx, isfinite(soc_lo) && isfinite(soc_hi) && soc_lo <= soc_hi, SSB_ERR_RANGE,
                "lithiation window [%g, %g] reversed", soc_lo, soc_hi);
    memset(r, 0, sizeof *r);
    r->ratio = 2.0 * radius / host->critical_diameter;
    r->cracked = r->ratio > 1.0 && soc_hi > soc_lo;
    if (r->cracked) {
        r->dead_per_cycle = host->crack_dead_per_cycle;
        r->new_surface = r->ratio - 1.0; /* R / r_c - 1 with r_c = d_c / 2 */
    }
    return SSB_OK;
}
