/* design: one design of the optimiser (ssb_design_opt.h): the base cell with the variables set by name, through
 * the chain (ssb_run) at one C-rate, and its metrics; parsing of variables, constraints and metric names. */
#include "design_opt_impl.h"

#include <ssbnet/ssb_units.h>

#include "cell/cell_keys.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int ssbi_design_metric_index(const char *name)
{
    for (int i = 0; i < ssb_design_metric_count(); i++)
        if (strcmp(ssb_design_metric_at(i)->name, name) == 0)
            return i;
    return -1;
}

const char *ssbi_design_metric_name(int k)
{
    const ssb_design_metric_info *in = ssb_design_metric_at(k);
    return in ? in->name : NULL;
}

int ssb_design_opt_metric_parse(ssb_ctx *ctx, const char *name, int *metric)
{
    SSB_REQUIRE(ctx, name && metric, SSB_ERR_ARG, "ssb_design_opt_metric_parse: NULL argument");
    /* the rate-point keys of `ssbnet run` / `cell rates` for the same stack energies */
    const char *alias = strcmp(name, "energy_density_Wh_per_kg") == 0  ? "energy_Wh_per_kg"
                        : strcmp(name, "energy_density_Wh_per_L") == 0 ? "energy_Wh_per_L"
                                                                        : name;
    int k = ssbi_design_metric_index(alias);
    if (k >= 0) {
        *metric = k;
        return SSB_OK;
    }
    const char *names[SSB_DESIGN_OPT_MAX_METRICS];
    int n = 0;
    for (int i = 0; i < ssb_design_metric_count() && n < SSB_DESIGN_OPT_MAX_METRICS; i++)
        names[n++] = ssb_design_metric_at(i)->name;
    char sug[256];
    ssbi_key_suggest(names, n, name, sug, sizeof sug);
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown metric '%s'; closest: %s ('ssbnet design optimise --help' lists "
                     "them)", name, sug);
}

ssb_design_opt_params ssb_design_opt_params_default(void)
{
    ssb_design_opt_params p;
    memset(&p, 0, sizeof p);
    p.objective = ssbi_design_metric_index("energy_Wh_per_kg");
    p.rate = 1.0;
    p.pressure = 1e6;
    p.run = ssb_run_params_default();
    p.run.micro = 0; /* iface_hours stays: the ageing runs only when a metric in use needs it */
    p.grid_points = 5;
    p.max_grid = 400;
    p.max_evals = 60;
    p.xtol_rel = 1e-5;
    p.fd_step = 0.02;
    p.active_tol = 0.01;
    return p;
}

static int parse_number(const char *s, const char *end, double *v)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    *v = strtod(buf, &e);
    return e != buf && *e == '\0';
}

int ssb_design_var_parse(ssb_ctx *ctx, const char *text, ssb_design_var *v)
{
    SSB_REQUIRE(ctx, text && v, SSB_ERR_ARG, "ssb_design_var_parse: NULL argument");
    memset(v, 0, sizeof *v);
    const char *eq = strchr(text, '=');
    const char *colon = eq ? strchr(eq, ':') : NULL;
    SSB_REQUIRE(ctx, eq && eq > text && colon, SSB_ERR_ARG,
                "variable '%s': expected NAME=LO:HI (bounds in the key's units, e.g. positive.thickness_um=40:200)",
                text);
    SSB_REQUIRE(ctx, (size_t)(eq - text) < sizeof v->name, SSB_ERR_ARG, "variable '%.60s...': name too long", text);
    memcpy(v->name, text, (size_t)(eq - text));
    double lo, hi;
    SSB_REQUIRE(ctx, parse_number(eq + 1, colon, &lo) && parse_number(colon + 1, colon + strlen(colon), &hi),
                SSB_ERR_ARG, "variable '%s': bounds '%s' are not two numbers LO:HI", v->name, eq + 1);
    SSB_REQUIRE(ctx, isfinite(lo) && isfinite(hi) && lo < hi, SSB_ERR_RANGE,
                "variable %s: bounds %g:%g, need finite LO < HI", v->name, lo, hi);
    v->lo = lo;
    v->hi = hi;
    return SSB_OK;
}

int ssb_design_constraint_parse(ssb_ctx *ctx, const char *text, ssb_design_constraint *c)
{
    SSB_REQUIRE(ctx, text && c, SSB_ERR_ARG, "ssb_design_constraint_parse: NULL argument");
    memset(c, 0, sizeof *c);
    const char *op = strstr(text, ">=");
    c->upper = 0;
    if (!op) {
        op = strstr(text, "<=");
        c->upper = 1;
    }
    SSB_REQUIRE(ctx, op && op > text, SSB_ERR_ARG,
                "constraint '%s': expected METRIC>=VALUE or METRIC<=VALUE, e.g. "
                "critical_stripping_current_mA_per_cm2>=1",
                text);
    char name[SSB_DESIGN_NAME_LEN];
    size_t n = (size_t)(op - text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    SSB_REQUIRE(ctx, n < sizeof name, SSB_ERR_ARG, "constraint '%.60s...': name too long", text);
    memcpy(name, text, n);
    name[n] = '\0';
    const char *vs = op + 2;
    while (isspace((unsigned char)*vs))
        vs++;
    SSB_REQUIRE(ctx, parse_number(vs, vs + strlen(vs), &c->bound) && isfinite(c->bound), SSB_ERR_ARG,
                "constraint '%s': '%s' is not a number", text, vs);
    SSB_CHECK(ctx, ssb_design_opt_metric_parse(ctx, name, &c->metric));
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------- one design */

int ssbi_design_var_kind(const char *name)
{
    if (strcmp(name, SSBI_DESIGN_PRESSURE_KEY) == 0)
        return SSBI_DESIGN_VAR_PRESSURE;
    if (strncmp(name, "microstructure.", 15) == 0)
        return SSBI_DESIGN_VAR_MICRO;
    if (strncmp(name, "strategy.", 9) == 0)
        return SSBI_DESIGN_VAR_STRATEGY;
    return SSBI_DESIGN_VAR_CELL;
}

int ssbi_design_strategy_var(ssb_ctx *ctx, const ssb_materials *db, const char *name, int *strategy, int *param)
{
    const char *s = name + 9, *dot = strchr(s, '.');
    SSB_REQUIRE(ctx, dot && dot > s && dot[1], SSB_ERR_ARG,
                "variable '%s': a strategy parameter is strategy.NAME.PARAM (e.g. strategy.coating.thickness_nm)",
                name);
    char sname[SSB_DESIGN_NAME_LEN];
    snprintf(sname, sizeof sname, "%.*s", (int)(dot - s), s);
    SSB_CHECK(ctx, ssb_design_strategy_find(ctx, sname, strategy));
    const ssb_design_strategy *st = ssb_design_strategy_at(*strategy);
    char list[256] = "";
    size_t len = 0;
    for (int k = 0; k < st->nparams; k++) {
        if (strcmp(st->params[k].name, dot + 1) == 0) {
            *param = k;
            char why[SSB_DESIGN_NOTE_LEN];
            if (db && !ssb_design_strategy_available(ctx, db, *strategy, why, sizeof why))
                return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "variable %s: strategy %s is not available: %s", name,
                                 sname, why);
            return SSB_OK;
        }
        if (len < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", st->params[k].name);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown variable '%s': strategy %s has the parameters %s", name, sname,
                     list);
}

int ssbi_design_set_vars(ssb_ctx *ctx, const ssb_materials *db, const ssb_design_opt_params *prm, const double *x,
                         ssb_design_case *dc)
{
    double sv[SSB_DESIGN_MAX_VARS][SSB_DESIGN_MAX_PARAMS];
    int sidx[SSB_DESIGN_MAX_VARS], ns = 0;
    for (int i = 0; i < prm->nvars; i++) {
        const char *name = prm->vars[i].name;
        double value = x[i];
        switch (ssbi_design_var_kind(name)) {
        case SSBI_DESIGN_VAR_PRESSURE:
            SSB_REQUIRE(ctx, value >= 0 && value <= 100, SSB_ERR_RANGE, "variable %s = %g: must be 0 to 100 MPa",
                        name, value);
            dc->eval.stack_pressure = ssb_unit_to_si(SSB_UNIT_MPA, value);
            break;
        case SSBI_DESIGN_VAR_MICRO: {
            char json[256];
            snprintf(json, sizeof json, "{\"microstructure\": {\"%s\": %.17g}}", name + 15, value);
            int rc = ssb_run_params_from_json_string(ctx, json, "variable", &dc->run);
            if (rc == SSB_ERR_FORMAT && strstr(ssb_ctx_get_error(ctx), "unknown")) {
                char why[512]; /* copied: SSB_ERROR writes the buffer it would read */
                snprintf(why, sizeof why, "%s", ssb_ctx_get_error(ctx));
                return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown variable '%s': %s", name, why);
            }
            SSB_CHECK(ctx, rc);
            break;
        }
        case SSBI_DESIGN_VAR_STRATEGY: {
            int st, par, k;
            SSB_CHECK(ctx, ssbi_design_strategy_var(ctx, NULL, name, &st, &par));
            for (k = 0; k < ns && sidx[k] != st; k++)
                ;
            if (k == ns) {
                sidx[ns++] = st;
                for (int j = 0; j < SSB_DESIGN_MAX_PARAMS; j++)
                    sv[k][j] = NAN; /* the strategy's default strength */
            }
            sv[k][par] = value;
            break;
        }
        default:
            SSB_CHECK(ctx, ssb_cell_params_set(ctx, dc->cell, name, value));
        }
    }
    /* the strategies act on the case with its cell keys set, each once with all its parameters */
    for (int k = 0; k < ns; k++)
        SSB_CHECK(ctx, ssb_design_strategy_apply(ctx, db, sidx[k], sv[k], dc));
    return SSB_OK;
}

/* Whether a metric in use (objective or constraint) has this name prefix. */
static int uses(const ssb_design_opt_params *prm, const char *prefix)
{
    size_t n = strlen(prefix);
    const char *o = ssbi_design_metric_name(prm->objective);
    int use = o && strncmp(o, prefix, n) == 0;
    for (int i = 0; i < prm->ncons; i++) {
        const char *c = ssbi_design_metric_name(prm->cons[i].metric);
        use |= c && strncmp(c, prefix, n) == 0;
    }
    return use;
}

/* Constraint violations of e in units of max(1, |bound|) (NaN metrics violate by 1). */
void ssbi_design_judge(const ssb_design_opt_params *prm, ssb_design_eval *e)
{
    double viol = 0;
    for (int i = 0; i < prm->ncons; i++) {
        const ssb_design_constraint *c = &prm->cons[i];
        double m = e->metric[c->metric], s = fmax(1.0, fabs(c->bound));
        double d = c->upper ? m - c->bound : c->bound - m;
        viol += !isfinite(m) ? 1.0 : d > 0 ? d / s : 0.0;
    }
    e->violation = e->ok ? viol : INFINITY;
    e->feasible = e->ok && viol == 0;
}

/* Errors that stop the optimisation rather than mark one design as not runnable. */
static int hard_error(int rc)
{
    return rc == SSB_ERR_NOMEM || rc == SSB_ERR_CANCELLED || rc == SSB_ERR_NOTFOUND;
}

int ssb_design_opt_evaluate(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                            const ssb_design_opt_params *prm, const double *x, ssb_design_eval *e)
{
    SSB_REQUIRE(ctx, base && prm && x && e, SSB_ERR_ARG, "ssb_design_opt_evaluate: NULL argument");
    memset(e, 0, sizeof *e);
    int nm = ssb_design_metric_count();
    SSB_REQUIRE(ctx, nm <= SSB_DESIGN_OPT_MAX_METRICS, SSB_ERR_RANGE, "design metrics: %d, at most %d", nm,
                SSB_DESIGN_OPT_MAX_METRICS);
    SSB_REQUIRE(ctx, ssbi_design_metric_name(prm->objective), SSB_ERR_ARG, "objective %d: not a metric index",
                prm->objective);
    for (int i = 0; i < prm->ncons; i++)
        SSB_REQUIRE(ctx, ssbi_design_metric_name(prm->cons[i].metric), SSB_ERR_ARG,
                    "constraint %d: metric %d is not a metric index", i, prm->cons[i].metric);
    for (int k = 0; k < SSB_DESIGN_OPT_MAX_METRICS; k++)
        e->metric[k] = NAN;
    for (int i = 0; i < prm->nvars; i++)
        e->x[i] = x[i];
    ssb_run_params rp = prm->run;
    /* only what the metrics in use need: the power ladder, the interface ageing, the aged discharge */
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.rate = prm->rate;
    if (ep.ref_rate > ep.rate) /* the power capability's reference at most the target rate, as design compare */
        ep.ref_rate = ep.rate;
    ep.stack_pressure = prm->pressure;
    if (!uses(prm, "power_C_rate"))
        ep.npower = 0;
    ep.aged_discharge = uses(prm, "capacity_retention_aged");
    if (!ep.aged_discharge && !uses(prm, "resistance_") && !uses(prm, "negative_resistance_"))
        rp.iface_hours = 0;
    ssb_design_case dc;
    SSB_CHECK(ctx, ssb_design_case_create(ctx, base, &rp, &ep, &dc));
    int rc = ssbi_design_set_vars(ctx, db, prm, x, &dc);
    ssb_design_metrics m;
    memset(&m, 0, sizeof m);
    if (rc == SSB_OK)
        rc = ssb_design_evaluate(ctx, db, dc.cell, &dc.run, &dc.eval, &m);
    if (rc == SSB_OK) {
        e->ok = 1;
        for (int k = 0; k < nm && rc == SSB_OK; k++)
            rc = ssb_design_metric_value(ctx, &m, ssb_design_metric_at(k)->name, &e->metric[k]);
    }
    if (rc != SSB_OK && !hard_error(rc)) {
        /* a design the chain cannot run is a result (not runnable), not an error of the optimisation */
        e->ok = 0;
        snprintf(e->reason, sizeof e->reason, "%s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        rc = SSB_OK;
    }
    ssb_design_case_destroy(&dc);
    ssbi_design_judge(prm, e);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
