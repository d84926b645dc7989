/* iface: stability of electrode|SE contacts over the electrode's operating window, interphase type, coating
 * ranking, and the interface assessment of a cell for the run chain. */
#include "iface_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEARLY_STABLE_V 0.1 /* "nearly stable": outside the window by less than this [V] */
#define OCV_SAMPLES 400

static void copy_str(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

/* Value of a property in SI, NaN when absent (the expected NOTFOUND is cleared). */
static double prop_si(ssb_ctx *ctx, const ssb_material *m, const char *key, const char **source, const char **doi)
{
    ssb_mat_prop p;
    if (ssb_materials_get_prop(ctx, m, key, &p) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        return NAN;
    }
    if (source)
        *source = p.source;
    if (doi)
        *doi = p.doi;
    if (p.has_value)
        return p.si_value;
    if (isfinite(p.si_min) && isfinite(p.si_max) && p.si_min > 0)
        return sqrt(p.si_min * p.si_max);
    /* a bound only: the conservative side of a window limit ("E_ox >= 4.5" -> 4.5; "E_red <= x" -> x) */
    if (!strcmp(key, "E_ox") && isfinite(p.si_min) && !isfinite(p.si_max))
        return p.si_min;
    if (!strcmp(key, "E_red") && isfinite(p.si_max) && !isfinite(p.si_min))
        return p.si_max;
    return NAN;
}

/* Operating window of an electrode: OCV range over its curve (clipped to [v_lo, v_hi]) or its fixed potential.
 * NaN cut-offs: 3.0 - 4.3 V for a positive electrode; an anode-class material (graphite, Si, LTO: its OCV lies
 * below 3 V) its whole curve. Cut-offs that miss the curve's range are an error, not a point outside it. */
static int electrode_window(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const ssb_material *m,
                            double v_lo, double v_hi, double *lo, double *hi, char *src, size_t nsrc)
{
    if (ssb_materials_nocv(m) > 0) {
        ssb_ocv_info info;
        SSB_CHECK(ctx, ssb_materials_ocv_info(ctx, m, 0, &info));
        double x0 = isfinite(info.x_min) ? info.x_min : 0.0, x1 = isfinite(info.x_max) ? info.x_max : 1.0;
        double umin = INFINITY, umax = -INFINITY;
        for (int i = 0; i <= OCV_SAMPLES; i++) {
            double x = x0 + (x1 - x0) * i / OCV_SAMPLES, U;
            if (ssb_materials_ocv_eval(ctx, m, 0, x, &U) != SSB_OK) {
                ssb_ctx_clear_error(ctx);
                continue;
            }
            umin = fmin(umin, U);
            umax = fmax(umax, U);
        }
        SSB_REQUIRE(ctx, umin <= umax, SSB_ERR_NOTFOUND, "the OCV curve of %s could not be evaluated",
                    ssb_materials_name(m));
        const int anode = ssb_materials_class(m) == SSB_MAT_ANODE;
        const int given = !isnan(v_lo) || !isnan(v_hi);
        if (isnan(v_lo))
            v_lo = anode ? -INFINITY : 3.0;
        if (isnan(v_hi))
            v_hi = anode ? INFINITY : 4.3;
        SSB_REQUIRE(ctx, v_lo < v_hi, SSB_ERR_RANGE, "cut-offs %g V and %g V: the lower must be below the upper",
                    v_lo, v_hi);
        *lo = fmax(umin, v_lo);
        *hi = fmin(umax, v_hi);
        SSB_REQUIRE(ctx, *lo <= *hi, SSB_ERR_RANGE,
                    "cut-offs %g - %g V vs Li%s miss the OCV range of %s (%.3f - %.3f V vs Li): no operating window",
                    v_lo, v_hi, given ? "" : " (the defaults)", ssb_materials_name(m), umin, umax);
        if (isfinite(v_lo) && isfinite(v_hi))
            snprintf(src, nsrc, "OCV %s of %s between %.2f and %.2f V (%s)", info.name, ssb_materials_name(m), v_lo,
                     v_hi, info.source ? info.source : "");
        else
            snprintf(src, nsrc, "OCV %s of %s over its whole curve (%s)", info.name, ssb_materials_name(m),
                     info.source ? info.source : "");
        return SSB_OK;
    }
    const char *s = NULL;
    double U;
    SSB_CHECK(ctx, ssb_iface_db_electrode_potential(ctx, db, mdb, ssb_materials_name(m), &U, &s));
    *lo = *hi = U;
    copy_str(src, nsrc, s);
    return SSB_OK;
}

static double excess_outside(double lo, double hi, double E_red, double E_ox)
{
    double e = 0;
    if (isfinite(E_red))
        e = fmax(e, E_red - lo);
    if (isfinite(E_ox))
        e = fmax(e, hi - E_ox);
    return e;
}

/* Ranges of [lo, hi] outside [E_red, E_ox] (a missing limit: no range on that side). */
static int unstable_ranges(double lo, double hi, double E_red, double E_ox, double out[2][2])
{
    int n = 0;
    if (isfinite(E_red) && lo < E_red) {
        out[n][0] = lo;
        out[n][1] = fmin(hi, E_red);
        n++;
    }
    if (isfinite(E_ox) && hi > E_ox) {
        out[n][0] = fmax(lo, E_ox);
        out[n][1] = hi;
        n++;
    }
    return n;
}

static void rank_coating(ssb_ctx *ctx, const ssb_material *m, double lo, double hi, ssb_iface_coating_rank *r)
{
    memset(r, 0, sizeof *r);
    copy_str(r->name, sizeof r->name, ssb_materials_name(m));
    const char *src = NULL, *doi = NULL;
    r->E_red = prop_si(ctx, m, "E_red", NULL, NULL);
    r->E_ox = prop_si(ctx, m, "E_ox", &src, &doi);
    if (!src)
        prop_si(ctx, m, "E_red", &src, &doi);
    r->sigma_ion = prop_si(ctx, m, "sigma_ion", NULL, NULL);
    r->n_unstable = unstable_ranges(lo, hi, r->E_red, r->E_ox, r->unstable);
    if (isfinite(r->E_red) && isfinite(r->E_ox)) {
        r->excess = excess_outside(lo, hi, r->E_red, r->E_ox);
        r->stable = r->excess <= 0;
    } else {
        r->excess = NAN; /* half a window: cannot say */
        r->stable = 0;
    }
    snprintf(r->source, sizeof r->source, "%s%s%s", src ? src : "no window data", doi ? ", doi:" : "", doi ? doi : "");
}

static int cmp_rank(const void *a, const void *b)
{
    const ssb_iface_coating_rank *x = a, *y = b;
    if (x->stable != y->stable)
        return y->stable - x->stable;
    if (x->stable) {
        double sx = isfinite(x->sigma_ion) ? x->sigma_ion : -1, sy = isfinite(y->sigma_ion) ? y->sigma_ion : -1;
        return (sx < sy) - (sx > sy);
    }
    double ex = isfinite(x->excess) ? x->excess : INFINITY, ey = isfinite(y->excess) ? y->excess : INFINITY;
    if (ex != ey)
        return (ex > ey) - (ex < ey);
    return strcmp(x->name, y->name);
}

int ssb_iface_stability_assess(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const char *electrode,
                               const char *electrolyte, const char *coating, double v_lo, double v_hi,
                               ssb_iface_stability *out)
{
    SSB_REQUIRE(ctx, mdb && db && electrode && electrolyte && out, SSB_ERR_ARG,
                "ssb_iface_stability_assess: NULL argument");
    SSB_REQUIRE(ctx, isnan(v_lo) || isnan(v_hi) || v_lo < v_hi, SSB_ERR_RANGE,
                "cut-offs %g V and %g V: the lower must be below the upper", v_lo, v_hi);
    memset(out, 0, sizeof *out);
    const ssb_material *me = NULL, *ms = NULL, *mc = NULL;
    SSB_CHECK(ctx, ssb_materials_find(ctx, mdb, electrode, &me));
    SSB_CHECK(ctx, ssb_materials_find(ctx, mdb, electrolyte, &ms));
    if (coating)
        SSB_CHECK(ctx, ssb_materials_find(ctx, mdb, coating, &mc));
    copy_str(out->electrode, sizeof out->electrode, ssb_materials_name(me));
    copy_str(out->electrolyte, sizeof out->electrolyte, ssb_materials_name(ms));
    SSB_CHECK(ctx, electrode_window(ctx, mdb, db, me, v_lo, v_hi, &out->U_lo, &out->U_hi, out->electrode_source,
                                    sizeof out->electrode_source));
    const char *src = NULL, *doi = NULL;
    out->E_red = prop_si(ctx, ms, "E_red", &src, &doi);
    out->E_ox = prop_si(ctx, ms, "E_ox", src ? NULL : &src, src ? NULL : &doi);
    snprintf(out->window_source, sizeof out->window_source, "%s%s%s", src ? src : "no window data in the database",
             doi ? ", doi:" : "", doi ? doi : "");
    /* unstable ranges of the operating window */
    out->n_unstable = unstable_ranges(out->U_lo, out->U_hi, out->E_red, out->E_ox, out->unstable);
    if (out->n_unstable > 0) {
        out->stable = 0;
        out->excess = excess_outside(out->U_lo, out->U_hi, out->E_red, out->E_ox);
        out->nearly_stable = out->excess < NEARLY_STABLE_V;
    } else if (isfinite(out->E_red) && isfinite(out->E_ox)) {
        out->stable = 1;
        out->excess = 0;
    } else {
        out->stable = -1; /* half a window or none: unknown, never "stable" */
        out->excess = NAN;
    }
    out->type = out->stable == 1 ? SSB_IFACE_STABLE : SSB_IFACE_UNKNOWN;
    copy_str(out->type_source, sizeof out->type_source,
             out->stable == 1 ? out->window_source : "no interphase data for this pair");
    if (out->stable == 0) {
        const ssb_iface_record *rec = NULL;
        if (ssb_iface_db_find(ctx, db, mdb, out->electrode, out->electrolyte, &rec) == SSB_OK) {
            out->type = rec->type;
            copy_str(out->products, sizeof out->products, rec->products);
            snprintf(out->type_source, sizeof out->type_source, "%s%s%s", rec->source, rec->doi ? ", doi:" : "",
                     rec->doi ? rec->doi : "");
        } else {
            ssb_ctx_clear_error(ctx);
        }
    }
    if (mc) {
        out->has_coating = 1;
        rank_coating(ctx, mc, out->U_lo, out->U_hi, &out->coating);
    }
    for (int i = 0; i < ssb_materials_count(mdb) && out->ncoatings < SSB_IFACE_MAX_COATINGS; i++) {
        const ssb_material *m = ssb_materials_at(mdb, i);
        if (ssb_materials_class(m) != SSB_MAT_COATING)
            continue;
        ssb_iface_coating_rank r;
        rank_coating(ctx, m, out->U_lo, out->U_hi, &r);
        if (isnan(r.E_red) && isnan(r.E_ox))
            continue; /* no window data at all: not a candidate */
        out->coatings[out->ncoatings++] = r;
    }
    qsort(out->coatings, (size_t)out->ncoatings, sizeof out->coatings[0], cmp_rank);
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------ cell assessment */

static void age_site(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const char *el, const char *se,
                     double U, double T, double hours, double *R_add)
{
    *R_add = 0;
    const ssb_iface_record *rec = NULL;
    if (ssb_iface_db_find(ctx, db, mdb, el, se, &rec) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        return;
    }
    ssb_iface_growth g = rec->growth;
    const ssb_material *m = NULL;
    if (ssb_materials_find(ctx, mdb, se, &m) == SSB_OK) {
        g.E_red = prop_si(ctx, m, "E_red", NULL, NULL);
        g.E_ox = prop_si(ctx, m, "E_ox", NULL, NULL);
    } else {
        ssb_ctx_clear_error(ctx);
    }
    double L = ssb_iface_thickness(&g, g.L0, ssb_iface_rate_factor(&g, U, T) * hours * SSBI_HOUR, INFINITY);
    *R_add = L / g.sigma_ion;
}

int ssb_iface_assess_cell(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const ssb_cell_params *cell,
                          double hours, ssb_iface_assessment *out)
{
    SSB_REQUIRE(ctx, mdb && db && cell && out, SSB_ERR_ARG, "ssb_iface_assess_cell: NULL argument");
    SSB_REQUIRE(ctx, isfinite(hours) && hours >= 0, SSB_ERR_RANGE, "ageing time %g h, must be >= 0", hours);
    memset(out, 0, sizeof *out);
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    ssb_cell_derived d;
    SSB_CHECK(ctx, ssb_cell_params_derive(ctx, cell, &d));
    const char *se_pos = v.pos.electrolyte[0] ? v.pos.electrolyte : v.el.material;
    const char *se_sep = v.sep.electrolyte[0] ? v.sep.electrolyte : v.el.material;
    const char *neg = v.anode == SSB_CELL_ANODE_LI_METAL ? "Li" : v.neg.active_material;
    SSB_REQUIRE(ctx, v.pos.active_material[0] && se_pos[0] && se_sep[0] && neg[0], SSB_ERR_NOTFOUND,
                "the cell names no active material or electrolyte: interface stability needs materials by name");
    SSB_CHECK(ctx, ssb_iface_stability_assess(ctx, mdb, db, v.pos.active_material, se_pos, NULL, v.cell.V_min > 0
                                                  ? v.cell.V_min : NAN, NAN, &out->pos));
    SSB_CHECK(ctx, ssb_iface_stability_assess(ctx, mdb, db, neg, se_sep, NULL, NAN, NAN, &out->neg));
    out->hours = hours;
    out->R_pos_initial = v.pos.R_interface;
    out->R_neg_initial = v.anode == SSB_CELL_ANODE_LI_METAL ? v.li.R_interface : v.neg.R_interface;
    double add;
    double U_neg = v.anode == SSB_CELL_ANODE_LI_METAL ? 0.0 : out->neg.U_lo;
    age_site(ctx, mdb, db, v.pos.active_material, se_pos, d.ocv_init + U_neg, v.cell.T, hours, &add);
    out->R_pos_aged = out->R_pos_initial + add;
    age_site(ctx, mdb, db, neg, se_sep, U_neg, v.cell.T, hours, &add);
    out->R_neg_aged = out->R_neg_initial + add;
    return SSB_OK;
}

size_t ssb_iface_no_growth_note(const ssb_iface_stability *sp, char *buf, size_t n)
{
    return ssbi_iface_no_growth_note_from(sp, "data/iface/interfaces.json", buf, n);
}

size_t ssbi_iface_no_growth_note_from(const ssb_iface_stability *sp, const char *source, char *buf, size_t n)
{
    if (!buf || n == 0)
        return 0;
    buf[0] = '\0';
    if (!sp || sp->type != SSB_IFACE_UNKNOWN || sp->stable == 1 || sp->nearly_stable)
        return 0;
    int w = snprintf(buf, n,
                     "%s|%s is %s but has no interphase growth data (%s): its aged resistance is the fresh one, growth "
                     "not modelled",
                     sp->electrode, sp->electrolyte, sp->stable == 0 ? "unstable" : "of unknown stability",
                     source ? source : "data/iface/interfaces.json");
    if (w < 0)
        return 0;
    return (size_t)w < n ? (size_t)w : n - 1;
}

void ssb_iface_site_note(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const ssb_cell_params *cell,
                         const ssb_iface_ageing *ag, ssb_iface_site site, char *buf, size_t n)
{
    if (!buf || n == 0)
        return;
    buf[0] = '\0';
    if (!ctx || !mdb || !db || !cell || !ag || (int)site < 0 || site >= SSB_IFACE_NSITES || ag->site[site].enabled)
        return;
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    if (site == SSB_IFACE_CARBON) {
        snprintf(buf, n, "%s", v.pos.eps_inert > 0 ? "no ageing (not set: interfaces.carbon with its area)"
                                                   : "no ageing (no carbon in the positive)");
        return;
    }
    const ssb_iface_site_params *sp = &ag->site[site];
    const ssb_iface_record *rec = NULL;
    if (ssb_iface_db_find(ctx, db, mdb, sp->electrode, sp->electrolyte, &rec) == SSB_OK) {
        snprintf(buf, n, "no ageing (interfaces.%s: model none)", ssb_iface_site_name(site));
        return;
    }
    ssb_ctx_clear_error(ctx);
    double v_lo = site == SSB_IFACE_POS && v.cell.V_min > 0 ? v.cell.V_min : NAN;
    ssb_iface_stability st;
    if (ssb_iface_stability_assess(ctx, mdb, db, sp->electrode, sp->electrolyte, NULL, v_lo, NAN, &st) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        snprintf(buf, n, "no ageing (no interphase growth data)");
        return;
    }
    if (ssbi_iface_no_growth_note_from(&st, ssbi_iface_db_source(db), buf, n) > 0)
        return;
    snprintf(buf, n, "%s", st.stable == 1 ? "no ageing (stable over its operating window)"
                                          : "no ageing (no interphase growth data)");
}
