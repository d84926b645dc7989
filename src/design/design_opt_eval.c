/* design: one design of the optimiser (ssb_design_opt.h): the base cell with the variables set by name, through
 * the chain (ssb_run) at one C-rate, and its metrics; parsing of variables, constraints and metric names. */
#include "design_opt_impl.h"

#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_units.h>

#include "cell/cell_keys.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[SSB_DESIGN_M_COUNT] = {
    "energy_Wh_per_kg", "energy_Wh_per_L", "capacity_mAh_per_cm2", "specific_capacity_mAh_per_g",
    "mean_voltage_V",   "power_W_per_kg",  "critical_stripping_current_mA_per_cm2", "stack_pressure_MPa"};

const char *ssb_design_metric_name(ssb_design_metric m)
{
    return (int)m >= 0 && m < SSB_DESIGN_M_COUNT ? metric_names[m] : NULL;
}

int ssb_design_metric_parse(ssb_ctx *ctx, const char *name, ssb_design_metric *m)
{
    SSB_REQUIRE(ctx, name && m, SSB_ERR_ARG, "ssb_design_metric_parse: NULL argument");
    for (int i = 0; i < SSB_DESIGN_M_COUNT; i++)
        if (strcmp(name, metric_names[i]) == 0) {
            *m = (ssb_design_metric)i;
            return SSB_OK;
        }
    /* the rate-point keys of `ssbnet run` / `cell rates` for the same stack energies */
    if (strcmp(name, "energy_density_Wh_per_kg") == 0 || strcmp(name, "energy_density_Wh_per_L") == 0) {
        *m = name[strlen(name) - 1] == 'L' ? SSB_DESIGN_M_ENERGY_WH_PER_L : SSB_DESIGN_M_ENERGY_WH_PER_KG;
        return SSB_OK;
    }
    char sug[256];
    ssbi_key_suggest(metric_names, SSB_DESIGN_M_COUNT, name, sug, sizeof sug);
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown metric '%s'; closest: %s", name, sug);
}

ssb_design_opt_params ssb_design_opt_params_default(void)
{
    ssb_design_opt_params p;
    memset(&p, 0, sizeof p);
    p.objective = SSB_DESIGN_M_ENERGY_WH_PER_KG;
    p.rate = 1.0;
    p.pressure = 1e6;
    p.run = ssb_run_params_default();
    p.run.micro = 0;
    p.run.iface_hours = 0;
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
    SSB_CHECK(ctx, ssb_design_metric_parse(ctx, name, &c->metric));
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------- one design */

int ssbi_design_var_kind(const char *name)
{
    if (strcmp(name, SSBI_DESIGN_PRESSURE_KEY) == 0)
        return SSBI_DESIGN_VAR_PRESSURE;
    if (strncmp(name, "microstructure.", 15) == 0)
        return SSBI_DESIGN_VAR_MICRO;
    return SSBI_DESIGN_VAR_CELL;
}

/* Set variable v to value on the cell p / run params rp / pressure. */
int ssbi_design_set_var(ssb_ctx *ctx, const char *name, double value, ssb_cell_params *p, ssb_run_params *rp,
                        double *pressure)
{
    switch (ssbi_design_var_kind(name)) {
    case SSBI_DESIGN_VAR_PRESSURE:
        SSB_REQUIRE(ctx, value >= 0 && value <= 1000, SSB_ERR_RANGE,
                    "variable %s = %g: must be 0 to 1000 MPa", name, value);
        *pressure = ssb_unit_to_si(SSB_UNIT_MPA, value);
        return SSB_OK;
    case SSBI_DESIGN_VAR_MICRO: {
        char json[256];
        snprintf(json, sizeof json, "{\"microstructure\": {\"%s\": %.17g}}", name + 15, value);
        int rc = ssb_run_params_from_json_string(ctx, json, "variable", rp);
        if (rc == SSB_ERR_FORMAT && strstr(ssb_ctx_get_error(ctx), "unknown"))
            return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "unknown variable '%s': %s", name, ssb_ctx_get_error(ctx));
        SSB_CHECK(ctx, rc);
        return SSB_OK;
    }
    default:
        SSB_CHECK(ctx, ssb_cell_params_set(ctx, p, name, value));
        return SSB_OK;
    }
}

static int metric_ccs(ssb_ctx *ctx, const ssb_materials *db, double pressure, double T, double *ccs)
{
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    int rc = ssb_mech_db_load(ctx, NULL, &mdb);
    if (rc == SSB_OK)
        rc = ssb_mech_db_anode(ctx, mdb, db, "Li", &a);
    double j = NAN;
    if (rc == SSB_OK)
        rc = ssb_mech_li_ccs(ctx, a, pressure, T, &j);
    ssb_mech_db_destroy(&mdb);
    *ccs = ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, j);
    return rc;
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
    for (int k = 0; k < SSB_DESIGN_M_COUNT; k++)
        e->metric[k] = NAN;
    for (int i = 0; i < prm->nvars; i++)
        e->x[i] = x[i];
    ssb_cell_params *p = NULL;
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, base, &p));
    ssb_run_params rp = prm->run;
    rp.nrates = 1;
    rp.rates[0] = prm->rate;
    rp.iface_hours = 0;
    double pressure = prm->pressure;
    int rc = SSB_OK;
    for (int i = 0; i < prm->nvars && rc == SSB_OK; i++)
        rc = ssbi_design_set_var(ctx, prm->vars[i].name, x[i], p, &rp, &pressure);
    ssb_run_result res;
    memset(&res, 0, sizeof res);
    if (rc == SSB_OK)
        rc = ssb_run(ctx, db, p, &rp, &res);
    if (rc == SSB_OK && res.stage >= 4 && res.nrates == 1) {
        const ssb_cell_rate_point *pt = &res.points[0];
        e->ok = 1;
        e->metric[SSB_DESIGN_M_ENERGY_WH_PER_KG] = pt->wh_per_kg;
        e->metric[SSB_DESIGN_M_ENERGY_WH_PER_L] = pt->wh_per_l;
        e->metric[SSB_DESIGN_M_CAPACITY] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, pt->capacity);
        e->metric[SSB_DESIGN_M_SPECIFIC_CAPACITY] = ssb_unit_from_si(SSB_UNIT_MAH_PER_G, pt->specific_capacity);
        e->metric[SSB_DESIGN_M_MEAN_VOLTAGE] = pt->v_mean;
        /* power = specific energy / discharge time, time = capacity / current */
        e->metric[SSB_DESIGN_M_POWER] =
            pt->capacity > 0 ? ssb_unit_to_si(SSB_UNIT_WH_PER_KG, pt->wh_per_kg) * pt->current / pt->capacity : 0.0;
        e->metric[SSB_DESIGN_M_PRESSURE] = ssb_unit_from_si(SSB_UNIT_MPA, pressure);
        if (res.values_in.anode == SSB_CELL_ANODE_LI_METAL)
            rc = metric_ccs(ctx, db, pressure, res.temperature, &e->metric[SSB_DESIGN_M_CCS]);
    }
    if (rc != SSB_OK && !hard_error(rc)) {
        /* a design the chain cannot run is a result (not runnable), not an error of the optimisation */
        e->ok = 0;
        snprintf(e->reason, sizeof e->reason, "%s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        rc = SSB_OK;
    }
    ssb_run_result_destroy(&res);
    ssb_cell_params_destroy(&p);
    ssbi_design_judge(prm, e);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
