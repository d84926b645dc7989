/* design: the report of an optimisation (ssb_design_opt.h): HTML page and the Ragone plot of the designs. */
#include "design_opt_impl.h"

#include <ssbnet/ssb_html.h>
#include <ssbnet/ssb_plot.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { SERIES_GRID = 0, SERIES_LOCAL, SERIES_SENS, SERIES_INFEASIBLE, SERIES_OPTIMUM, SERIES_COUNT };
static const char *const series_labels[SERIES_COUNT] = {"grid designs (feasible)", "COBYLA designs (feasible)",
                                                        "sensitivity designs", "infeasible designs", "optimum"};

/* The designs as Ragone series: x power density [W/kg], y specific energy [J/kg] (SI, as ssb_html_add_ragone
 * takes it); designs with no energy (not run or not sustained) cannot be drawn on log axes and are left out. */
typedef struct {
    double *x[SERIES_COUNT], *y[SERIES_COUNT];
    int n[SERIES_COUNT];
} ragone_sets;

static void ragone_free(ragone_sets *r)
{
    for (int s = 0; s < SERIES_COUNT; s++) {
        free(r->x[s]);
        free(r->y[s]);
    }
}

static int ragone_sets_make(ssb_ctx *ctx, const ssb_design_opt_result *res, ragone_sets *r)
{
    memset(r, 0, sizeof *r);
    int cap = res->nevals + 1;
    for (int s = 0; s < SERIES_COUNT; s++) {
        r->x[s] = ssbi_malloc(ctx, (size_t)cap * sizeof(double), "Ragone points");
        r->y[s] = ssbi_malloc(ctx, (size_t)cap * sizeof(double), "Ragone points");
        if (!r->x[s] || !r->y[s]) {
            ragone_free(r);
            return SSB_ERR_NOMEM;
        }
    }
    const int ie = ssbi_design_metric_index("energy_Wh_per_kg"), ip = ssbi_design_metric_index("power_W_per_kg");
    for (int k = 0; k <= res->nevals && ie >= 0 && ip >= 0; k++) {
        const double *m = k < res->nevals ? res->evals[k].metric : res->metric;
        int s = k == res->nevals ? SERIES_OPTIMUM
                : !res->evals[k].feasible ? SERIES_INFEASIBLE
                : res->evals[k].stage == 0 ? SERIES_GRID
                : res->evals[k].stage == 1 ? SERIES_LOCAL
                                           : SERIES_SENS;
        double e = m[ie], pw = m[ip];
        if (!(e > 0 && pw > 0) || (k < res->nevals && !res->evals[k].ok))
            continue;
        r->x[s][r->n[s]] = pw;
        r->y[s][r->n[s]] = ssb_unit_to_si(SSB_UNIT_WH_PER_KG, e);
        r->n[s]++;
    }
    return SSB_OK;
}

int ssb_design_opt_write_ragone(ssb_ctx *ctx, const ssb_design_opt_params *params,
                                const ssb_design_opt_result *res, const char *path)
{
    SSB_REQUIRE(ctx, params && res && path && res->nevals > 0, SSB_ERR_ARG, "ssb_design_opt_write_ragone: no result");
    ragone_sets r;
    SSB_CHECK(ctx, ragone_sets_make(ctx, res, &r));
    ssb_plot *fig = NULL;
    int rc = ssb_plot_create(ctx, 1, 1, 900, 650, &fig);
    ssb_plot_axes ax = ssb_plot_axes_default();
    char title[160];
    snprintf(title, sizeof title, "Ragone plot of the evaluated designs at %gC", params->rate);
    ax.title = title;
    ax.xlabel = "power density [W/kg]";
    ax.ylabel = "specific energy [Wh/kg]";
    ax.xlog = ax.ylog = 1;
    if (rc == SSB_OK)
        rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    int drawn = 0;
    for (int s = 0; s < SERIES_COUNT && rc == SSB_OK; s++) {
        if (r.n[s] == 0)
            continue;
        for (int i = 0; i < r.n[s]; i++)
            r.y[s][i] = ssb_unit_from_si(SSB_UNIT_WH_PER_KG, r.y[s][i]);
        ssb_plot_series st = ssb_plot_series_default();
        st.style = SSB_PLOT_MARKERS;
        st.label = series_labels[s];
        st.marker_size = s == SERIES_OPTIMUM ? 2.5 : 1.0;
        rc = ssb_plot_add_series(ctx, fig, 0, r.n[s], r.x[s], r.y[s], &st);
        drawn += r.n[s];
    }
    if (rc == SSB_OK && drawn == 0)
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "Ragone plot: no design delivered energy at %gC", params->rate);
    if (rc == SSB_OK)
        rc = ssb_plot_save(ctx, fig, path);
    ssb_plot_destroy(&fig);
    ragone_free(&r);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

static int html_tables(ssb_ctx *ctx, ssb_html *page, const ssb_design_opt_params *prm,
                       const ssb_design_opt_result *res)
{
    int n = prm->nvars;
    char buf[SSB_DESIGN_MAX_VARS][5][48];
    const char *cells[SSB_DESIGN_MAX_VARS * 6];
    for (int i = 0; i < n; i++) {
        snprintf(buf[i][0], 48, "%.6g", res->x[i]);
        snprintf(buf[i][1], 48, "%g", prm->vars[i].lo);
        snprintf(buf[i][2], 48, "%g", prm->vars[i].hi);
        snprintf(buf[i][3], 48, "%s", res->at_bound[i] < 0 ? "lower" : res->at_bound[i] > 0 ? "upper" : "no");
        snprintf(buf[i][4], 48, "%.4g", res->sensitivity[i]);
        cells[6 * i] = prm->vars[i].name;
        for (int j = 0; j < 5; j++)
            cells[6 * i + 1 + j] = buf[i][j];
    }
    static const char *const vh[6] = {"variable", "optimum", "lower bound", "upper bound", "at bound",
                                      "sensitivity (dObj/dx)(x/Obj) [-]"};
    SSB_CHECK(ctx, ssb_html_add_text_table(ctx, page, "the optimum (variables in their keys' units)", 6, vh, n, cells));
    int nm = ssb_design_metric_count();
    char mv[SSB_DESIGN_OPT_MAX_METRICS][48];
    const char *mc[SSB_DESIGN_OPT_MAX_METRICS * 2];
    for (int k = 0; k < nm; k++) {
        snprintf(mv[k], sizeof mv[k], isfinite(res->metric[k]) ? "%.6g" : "-", res->metric[k]);
        mc[2 * k] = ssbi_design_metric_name(k);
        mc[2 * k + 1] = mv[k];
    }
    static const char *const mh[2] = {"metric (unit in the name)", "value at the optimum"};
    SSB_CHECK(ctx, ssb_html_add_text_table(ctx, page, "metrics at the optimum (- : not computed for this objective)", 2, mh, nm, mc));
    if (prm->ncons == 0)
        return SSB_OK;
    char cb[SSB_DESIGN_MAX_CONS][3][96];
    const char *cc[SSB_DESIGN_MAX_CONS * 3];
    for (int i = 0; i < prm->ncons; i++) {
        const ssb_design_constraint *c = &prm->cons[i];
        int act = 0;
        for (int a = 0; a < res->nactive; a++)
            act |= res->active[a] == i;
        snprintf(cb[i][0], 96, "%s %s %g", ssbi_design_metric_name(c->metric), c->upper ? "<=" : ">=", c->bound);
        snprintf(cb[i][1], 96, "%.6g", res->metric[c->metric]);
        snprintf(cb[i][2], 96, "%s", act ? "yes" : "no");
        for (int j = 0; j < 3; j++)
            cc[3 * i + j] = cb[i][j];
    }
    static const char *const ch[3] = {"constraint", "value at the optimum", "active"};
    return ssb_html_add_text_table(ctx, page, "constraints", 3, ch, prm->ncons, cc);
}

int ssb_design_opt_write_html(ssb_ctx *ctx, const ssb_design_opt_params *prm, const ssb_design_opt_result *res,
                              const char *path)
{
    SSB_REQUIRE(ctx, prm && res && path && res->nevals > 0, SSB_ERR_ARG, "ssb_design_opt_write_html: no result");
    ssb_html *page = NULL;
    SSB_CHECK(ctx, ssb_html_create(ctx, "ssbnet design optimise", &page));
    char txt[640];
    snprintf(txt, sizeof txt,
             "%s %s at %gC over %d variable%s: %.6g at the optimum; %d designs evaluated (%d grid, %d COBYLA, %d "
             "for the sensitivities) in %.1f s. Local stage (COBYLA): %s.",
             prm->minimise ? "Minimise" : "Maximise", ssbi_design_metric_name(prm->objective), prm->rate, prm->nvars,
             prm->nvars > 1 ? "s" : "", res->objective, res->nevals, res->ngrid, res->nlocal,
             res->nevals - res->ngrid - res->nlocal, res->time_s,
             res->local_status == SSB_DESIGN_OPT_CONVERGED   ? "converged to its step tolerance"
             : res->local_status == SSB_DESIGN_OPT_MAX_EVALS ? "NOT converged, stopped at its evaluation limit; "
                                                               "the optimum is the best design evaluated"
             : res->local_status == SSB_DESIGN_OPT_FAILED    ? "NOT converged, NLopt failed; the optimum is the best "
                                                               "design evaluated"
                                                             : "not run; the optimum is the best grid design");
    int rc = ssb_html_add_heading(ctx, page, 1, "Design optimisation");
    if (rc == SSB_OK)
        rc = ssb_html_add_paragraph(ctx, page, txt);
    if (rc == SSB_OK)
        rc = html_tables(ctx, page, prm, res);
    const char *names[SSB_DESIGN_MAX_VARS];
    double sens[SSB_DESIGN_MAX_VARS];
    for (int i = 0; i < prm->nvars; i++)
        names[i] = prm->vars[i].name, sens[i] = res->sensitivity[i];
    ssb_html_plot_params p = ssb_html_plot_params_default();
    p.id = "sensitivity";
    p.title = "Sensitivity of the objective at the optimum";
    p.ylabel = "(dObj/dx)(x/Obj) [-]";
    int anyfinite = 0;
    for (int i = 0; i < prm->nvars; i++)
        anyfinite |= isfinite(sens[i]);
    if (rc == SSB_OK && anyfinite)
        rc = ssb_html_add_bar_chart(ctx, page, &p, prm->nvars, names, 1, NULL, sens);
    ragone_sets r;
    memset(&r, 0, sizeof r);
    if (rc == SSB_OK)
        rc = ragone_sets_make(ctx, res, &r);
    ssb_html_series s[SERIES_COUNT];
    int ns = 0;
    for (int k = 0; k < SERIES_COUNT && rc == SSB_OK; k++)
        if (r.n[k] > 0)
            s[ns++] = (ssb_html_series){series_labels[k], r.n[k], r.x[k], r.y[k], 0, 1};
    p = ssb_html_plot_params_default();
    p.id = "ragone";
    snprintf(txt, sizeof txt, "Ragone plot of the evaluated designs at %gC", prm->rate);
    p.title = txt;
    if (rc == SSB_OK && ns > 0)
        rc = ssb_html_add_ragone(ctx, page, &p, ns, s);
    if (rc == SSB_OK)
        rc = ssb_html_write(ctx, page, path);
    ragone_free(&r);
    ssb_html_destroy(&page);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
