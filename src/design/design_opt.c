/* design: the optimiser of ssb_design_opt.h. A parallel grid (global stage), NLopt's COBYLA from the best grid
 * point (local stage, bounds and inequality constraints, derivative-free), then the sensitivity at the optimum by
 * finite differences (parallel). Every evaluation is kept for the Ragone plot. */
#include "design_opt_impl.h"

#include <nlopt.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ssb_design_opt_result_destroy(ssb_design_opt_result *res)
{
    if (!res)
        return;
    free(res->evals);
    memset(res, 0, sizeof *res);
}

const char *ssb_design_opt_status_name(int status)
{
    static const char *const names[] = {"skipped", "converged", "max_evals", "failed"};
    return status >= 0 && status < 4 ? names[status] : NULL;
}

/* a better than b: feasible before infeasible, then the objective, then the smaller violation. */
static int better(const ssb_design_opt_params *prm, const ssb_design_eval *a, const ssb_design_eval *b)
{
    if (a->feasible != b->feasible)
        return a->feasible;
    if (!a->feasible)
        return a->violation < b->violation;
    double fa = a->metric[prm->objective], fb = b->metric[prm->objective];
    if (!isfinite(fb))
        return isfinite(fa);
    if (!isfinite(fa))
        return 0;
    return prm->minimise ? fa < fb : fa > fb;
}

typedef struct {
    ssb_ctx *ctx;
    const ssb_materials *db;
    const ssb_cell_params *base;
    const ssb_design_opt_params *prm;
    ssb_design_opt_result *res;
    const ssbi_design_comm *comm; /* NULL: one process */
    int cap;
    /* local stage */
    nlopt_opt opt;
    int err;
    double last_u[SSB_DESIGN_MAX_VARS];
    int have_last;
    ssb_design_eval last;
    double worst; /* objective given to NLopt for a design that does not run */
} opt_state;

static int push_eval(opt_state *st, const ssb_design_eval *e)
{
    ssb_design_opt_result *r = st->res;
    if (r->nevals == st->cap) {
        int cap = st->cap ? 2 * st->cap : 64;
        ssb_design_eval *ne = realloc(r->evals, (size_t)cap * sizeof *ne);
        if (!ne)
            return SSB_ERROR(st->ctx, SSB_ERR_NOMEM, "design optimisation: %d evaluations", cap);
        r->evals = ne;
        st->cap = cap;
    }
    r->evals[r->nevals++] = *e;
    return SSB_OK;
}

/* Evaluate n designs (row i of xs, nvars values) in parallel, one context per design, and keep them in order. Over
   several processes design i runs on process i mod size (with the threads it would get on one process) and is then
   broadcast from there. */
static int eval_batch(opt_state *st, int n, const double *xs, int stage)
{
    const ssb_design_opt_params *prm = st->prm;
    const ssbi_design_comm *cm = st->comm;
    const int np = cm ? cm->size : 1, me = cm ? cm->rank : 0;
    ssb_design_eval *tmp = ssbi_calloc(st->ctx, (size_t)n, sizeof *tmp, "design evaluations");
    int rc = tmp ? SSB_OK : SSB_ERR_NOMEM;
    if (cm)
        rc = cm->agree(st->ctx, rc, cm->user);
    if (rc != SSB_OK) {
        free(tmp);
        return rc;
    }
    int herr = SSB_OK, nt = ssbi_threads(st->ctx);
    char msg[1024] = "";
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int i = 0; i < n; i++) {
        if (i % np != me)
            continue;
        ssb_ctx *c = NULL;
        int r = ssb_ctx_create(&c);
        if (r == SSB_OK) {
            ssb_ctx_set_threads(c, nt > 1 && n > 1 ? 1 : nt);
            r = ssb_design_opt_evaluate(c, st->db, st->base, prm, xs + (size_t)i * (size_t)prm->nvars, &tmp[i]);
        }
        tmp[i].stage = stage;
        if (r != SSB_OK) {
#pragma omp critical(ssb_design_batch)
            if (herr == SSB_OK) {
                herr = r;
                snprintf(msg, sizeof msg, "%s", c ? ssb_ctx_get_error(c) : "cannot create a context");
            }
        }
        ssb_ctx_destroy(&c);
    }
    rc = herr != SSB_OK ? SSB_ERROR(st->ctx, herr, "%s", msg) : SSB_OK;
    if (cm) {
        rc = cm->agree(st->ctx, rc, cm->user);
        for (int i = 0; i < n && rc == SSB_OK; i++)
            if (cm->bcast(&tmp[i], sizeof tmp[i], i % np, cm->user) != SSB_OK)
                rc = SSB_ERROR(st->ctx, SSB_ERR_BACKEND, "design optimisation: MPI broadcast of design %d failed", i);
    }
    for (int i = 0; i < n && rc == SSB_OK; i++)
        rc = push_eval(st, &tmp[i]);
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------------------------------------- local stage */

static const ssb_design_eval *eval_scaled(opt_state *st, const double *u)
{
    const ssb_design_opt_params *prm = st->prm;
    size_t nb = (size_t)prm->nvars * sizeof(double);
    if (st->have_last && memcmp(u, st->last_u, nb) == 0)
        return &st->last;
    if (st->err)
        return NULL;
    double x[SSB_DESIGN_MAX_VARS];
    for (int i = 0; i < prm->nvars; i++) {
        double t = fmin(1.0, fmax(0.0, u[i]));
        x[i] = prm->vars[i].lo + t * (prm->vars[i].hi - prm->vars[i].lo);
    }
    /* over several processes: evaluated on rank 0, the others take its result (NLopt then steps alike everywhere) */
    const ssbi_design_comm *cm = st->comm;
    int rc = SSB_OK;
    if (!cm || cm->rank == 0)
        rc = ssb_design_opt_evaluate(st->ctx, st->db, st->base, prm, x, &st->last);
    if (cm) {
        rc = cm->agree(st->ctx, rc, cm->user);
        if (rc == SSB_OK && cm->bcast(&st->last, sizeof st->last, 0, cm->user) != SSB_OK)
            rc = SSB_ERROR(st->ctx, SSB_ERR_BACKEND, "design optimisation: MPI broadcast of a local design failed");
    }
    st->last.stage = 1;
    if (rc == SSB_OK)
        rc = push_eval(st, &st->last);
    if (rc != SSB_OK) {
        st->err = rc;
        nlopt_force_stop(st->opt);
        return NULL;
    }
    st->res->nlocal++;
    memcpy(st->last_u, u, nb);
    st->have_last = 1;
    return &st->last;
}

static double f_objective(unsigned n, const double *u, double *grad, void *data)
{
    (void)n;
    (void)grad; /* derivative-free */
    opt_state *st = data;
    const ssb_design_eval *e = eval_scaled(st, u);
    if (!e || !e->ok || !isfinite(e->metric[st->prm->objective]))
        return st->worst;
    return e->metric[st->prm->objective];
}

static void f_constraints(unsigned m, double *r, unsigned n, const double *u, double *grad, void *data)
{
    (void)n;
    (void)grad;
    opt_state *st = data;
    const ssb_design_eval *e = eval_scaled(st, u);
    for (unsigned i = 0; i < m; i++) {
        const ssb_design_constraint *c = &st->prm->cons[i];
        double v = e ? e->metric[c->metric] : NAN, s = fmax(1.0, fabs(c->bound));
        r[i] = !e || !e->ok || !isfinite(v) ? 1.0 : (c->upper ? v - c->bound : c->bound - v) / s;
    }
}

/* COBYLA from the best design so far, in variables scaled to [0, 1]. */
static int local_stage(opt_state *st, const ssb_design_eval *start, int grid_n)
{
    const ssb_design_opt_params *prm = st->prm;
    int n = prm->nvars;
    /* a design that does not run counts as worse than every one that did */
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < st->res->nevals; i++) {
        double v = st->res->evals[i].metric[prm->objective];
        if (st->res->evals[i].ok && isfinite(v))
            lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double span = hi > lo ? hi - lo : 1.0;
    st->worst = !isfinite(lo) ? 0.0 : prm->minimise ? hi + span : lo - span;
    st->opt = nlopt_create(NLOPT_LN_COBYLA, (unsigned)n);
    if (!st->opt)
        return SSB_ERROR(st->ctx, SSB_ERR_NOMEM, "NLopt: cannot create the COBYLA optimiser");
    double lb[SSB_DESIGN_MAX_VARS], ub[SSB_DESIGN_MAX_VARS], u[SSB_DESIGN_MAX_VARS], tol[SSB_DESIGN_MAX_CONS];
    for (int i = 0; i < n; i++) {
        lb[i] = 0, ub[i] = 1;
        u[i] = (start->x[i] - prm->vars[i].lo) / (prm->vars[i].hi - prm->vars[i].lo);
    }
    for (int i = 0; i < prm->ncons; i++)
        tol[i] = 1e-8;
    nlopt_set_lower_bounds(st->opt, lb);
    nlopt_set_upper_bounds(st->opt, ub);
    if (prm->minimise)
        nlopt_set_min_objective(st->opt, f_objective, st);
    else
        nlopt_set_max_objective(st->opt, f_objective, st);
    if (prm->ncons > 0)
        nlopt_add_inequality_mconstraint(st->opt, (unsigned)prm->ncons, f_constraints, st, tol);
    nlopt_set_xtol_abs1(st->opt, prm->xtol_rel); /* in the scaled variables: a fraction of each range */
    nlopt_set_maxeval(st->opt, prm->max_evals);
    nlopt_set_initial_step1(st->opt, fmin(0.25, 0.5 / (grid_n - 1)));
    double f = 0;
    nlopt_result nr = nlopt_optimize(st->opt, u, &f);
    st->res->nlopt_result = (int)nr;
    st->res->local_status = nr == NLOPT_MAXEVAL_REACHED || nr == NLOPT_MAXTIME_REACHED ? SSB_DESIGN_OPT_MAX_EVALS
                            : nr > 0                                                 ? SSB_DESIGN_OPT_CONVERGED
                                                                                     : SSB_DESIGN_OPT_FAILED;
    nlopt_destroy(st->opt);
    st->opt = NULL;
    if (st->err)
        return ssbi_trace(st->ctx, st->err, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* ---------------------------------------------------------------------------------------- checks */

static int check_params(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                        const ssb_design_opt_params *prm)
{
    SSB_REQUIRE(ctx, prm->nvars >= 1 && prm->nvars <= SSB_DESIGN_MAX_VARS, SSB_ERR_RANGE,
                "design optimisation: %d variables, must be 1 to %d", prm->nvars, SSB_DESIGN_MAX_VARS);
    SSB_REQUIRE(ctx, prm->ncons >= 0 && prm->ncons <= SSB_DESIGN_MAX_CONS, SSB_ERR_RANGE,
                "design optimisation: %d constraints, must be 0 to %d", prm->ncons, SSB_DESIGN_MAX_CONS);
    SSB_REQUIRE(ctx, ssbi_design_metric_name(prm->objective), SSB_ERR_ARG, "objective %d: not a metric",
                (int)prm->objective);
    for (int i = 0; i < prm->ncons; i++)
        SSB_REQUIRE(ctx, ssbi_design_metric_name(prm->cons[i].metric) && isfinite(prm->cons[i].bound), SSB_ERR_ARG,
                    "constraint %d: not a metric or a non-finite bound", i);
    SSB_REQUIRE(ctx, prm->rate > 0 && prm->rate <= 100, SSB_ERR_RANGE, "rate %g C: must be in (0, 100]", prm->rate);
    SSB_REQUIRE(ctx, prm->pressure >= 0 && prm->pressure <= 1e8, SSB_ERR_RANGE,
                "stack pressure %g Pa: must be 0 to 1e8", prm->pressure);
    SSB_REQUIRE(ctx, prm->grid_points >= 2 && prm->grid_points <= 50, SSB_ERR_RANGE,
                "grid points %d: must be 2 to 50", prm->grid_points);
    SSB_REQUIRE(ctx, prm->max_grid >= 4 && prm->max_grid <= 100000, SSB_ERR_RANGE,
                "grid designs %d: must be 4 to 100000", prm->max_grid);
    SSB_REQUIRE(ctx, prm->max_evals >= 0 && prm->max_evals <= 10000, SSB_ERR_RANGE,
                "local evaluations %d: must be 0 to 10000", prm->max_evals);
    SSB_REQUIRE(ctx, prm->xtol_rel > 0 && prm->xtol_rel <= 0.5 && prm->fd_step > 0 && prm->fd_step <= 0.25 &&
                         prm->active_tol > 0 && prm->active_tol < 1,
                SSB_ERR_RANGE, "xtol_rel %g (0, 0.5], fd_step %g (0, 0.25], active_tol %g (0, 1)", prm->xtol_rel,
                prm->fd_step, prm->active_tol);
    /* every name known and unique, strategy parameters available and within their range */
    int rc = SSB_OK;
    for (int i = 0; i < prm->nvars && rc == SSB_OK; i++) {
        const ssb_design_var *v = &prm->vars[i];
        for (int j = 0; j < i && rc == SSB_OK; j++)
            if (strcmp(prm->vars[j].name, v->name) == 0)
                rc = SSB_ERROR(ctx, SSB_ERR_ARG, "variable %s given twice", v->name);
        if (rc == SSB_OK && !(isfinite(v->lo) && isfinite(v->hi) && v->lo < v->hi))
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "variable %s: bounds %g:%g, need finite LO < HI", v->name, v->lo,
                           v->hi);
        int kind = ssbi_design_var_kind(v->name), st, par;
        double dummy;
        if (rc == SSB_OK && kind == SSBI_DESIGN_VAR_CELL) {
            rc = ssb_cell_params_get(ctx, base, v->name, &dummy);
            if (rc == SSB_ERR_NOTFOUND) {
                /* the cell's message names the closest keys; copied, since SSB_ERROR writes the same buffer */
                char why[512];
                const char *cl = strstr(ssb_ctx_get_error(ctx), "closest: ");
                snprintf(why, sizeof why, "%s", cl ? cl : "");
                rc = SSB_ERROR(ctx, rc, "unknown variable '%s'%s%s (or %s, microstructure.KEY, strategy.NAME.PARAM)",
                               v->name, cl ? "; " : "", why, SSBI_DESIGN_PRESSURE_KEY);
            }
        }
        if (rc == SSB_OK && kind == SSBI_DESIGN_VAR_MICRO && !prm->run.micro)
            rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                           "variable %s acts on the generated microstructure; without --micro each design runs on "
                           "the cell's Bruggeman relations, on which it changes nothing",
                           v->name);
        if (rc == SSB_OK && kind == SSBI_DESIGN_VAR_STRATEGY)
            rc = ssbi_design_strategy_var(ctx, db, v->name, &st, &par);
        if (rc == SSB_OK && (kind == SSBI_DESIGN_VAR_PRESSURE ||
                             (kind == SSBI_DESIGN_VAR_STRATEGY && ssbi_design_li_anode_only(st)))) {
            ssb_cell_values cv;
            ssb_cell_params_get_values(base, &cv);
            if (cv.anode != SSB_CELL_ANODE_LI_METAL)
                rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                               "variable %s acts only on a Li-metal anode (critical stripping current, Li contact, "
                               "plating CCD); this cell has a composite anode, on which it changes nothing",
                               v->name);
        }
        if (rc == SSB_OK && kind == SSBI_DESIGN_VAR_STRATEGY) {
            const ssb_design_param *pp = &ssb_design_strategy_at(st)->params[par];
            if (v->lo < pp->lo || v->hi > pp->hi)
                rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "variable %s: bounds %g:%g outside the parameter's range %g to %g %s",
                               v->name, v->lo, v->hi, pp->lo, pp->hi, pp->unit);
        }
    }
    /* both corners of the box accepted by the cell and the strategies */
    double x[SSB_DESIGN_MAX_VARS];
    for (int b = 0; b < 2 && rc == SSB_OK; b++) {
        for (int i = 0; i < prm->nvars; i++)
            x[i] = b ? prm->vars[i].hi : prm->vars[i].lo;
        ssb_design_case dc;
        rc = ssb_design_case_create(ctx, base, &prm->run, NULL, &dc);
        if (rc == SSB_OK) {
            rc = ssbi_design_set_vars(ctx, db, prm, x, &dc);
            ssb_design_case_destroy(&dc);
        }
    }
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* No design met the constraints: name each constraint that no evaluated design met, with its best value. */
static int infeasible(ssb_ctx *ctx, const ssb_design_opt_params *prm, const ssb_design_opt_result *res)
{
    char msg[1536] = "";
    size_t len = 0;
    int nok = 0;
    for (int k = 0; k < res->nevals; k++)
        nok += res->evals[k].ok;
    for (int i = 0; i < prm->ncons; i++) {
        const ssb_design_constraint *c = &prm->cons[i];
        double best = NAN;
        for (int k = 0; k < res->nevals; k++) {
            double v = res->evals[k].metric[c->metric];
            if (res->evals[k].ok && isfinite(v))
                best = isnan(best) ? v : c->upper ? fmin(best, v) : fmax(best, v);
        }
        int met = isfinite(best) && (c->upper ? best <= c->bound : best >= c->bound);
        if (!met && len < sizeof msg)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s %s %g (best of the designs: %g)",
                                    len ? "; " : "", ssbi_design_metric_name(c->metric), c->upper ? "<=" : ">=",
                                    c->bound, best);
    }
    if (nok == 0)
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "none of the %d designs could be run (first: %s)", res->nevals,
                         res->nevals ? res->evals[0].reason : "-");
    for (int i = 0; i < prm->ncons; i++) {
        int given = 0;
        for (int k = 0; k < res->nevals; k++)
            given |= res->evals[k].ok && isfinite(res->evals[k].metric[prm->cons[i].metric]);
        if (!given) /* as for the objective: a metric this cell cannot give is unsupported, not infeasible */
            return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                             "constraint on %s: the metric is not available for any of the %d designs (this cell or "
                             "its data cannot give it; see the notes of 'ssbnet design compare')",
                             ssbi_design_metric_name(prm->cons[i].metric), res->nevals);
    }
    if (len == 0) {
        /* each is met somewhere, never together: name those the least infeasible design violates */
        const ssb_design_eval *lb = NULL;
        for (int k = 0; k < res->nevals; k++)
            if (res->evals[k].ok && (!lb || res->evals[k].violation < lb->violation))
                lb = &res->evals[k];
        len = (size_t)snprintf(msg, sizeof msg, "each constraint is met by some design but never all together; "
                                                "the closest design violates");
        for (int i = 0; lb && i < prm->ncons && len < sizeof msg; i++) {
            const ssb_design_constraint *c = &prm->cons[i];
            double v = lb->metric[c->metric];
            if (!(c->upper ? v <= c->bound : v >= c->bound))
                len += (size_t)snprintf(msg + len, sizeof msg - len, " %s %s %g (%g there)",
                                        ssbi_design_metric_name(c->metric), c->upper ? "<=" : ">=", c->bound, v);
        }
    }
    return SSB_ERROR(ctx, SSB_ERR_RANGE, "infeasible constraints over %d designs within the bounds: %s",
                     res->nevals, msg);
}

/* ---------------------------------------------------------------------------------------- driver */

/* Central differences at the optimum (one-sided at a bound), the 2 n designs in parallel. */
static int sensitivity(opt_state *st, const ssb_design_eval *best)
{
    const ssb_design_opt_params *prm = st->prm;
    ssb_design_opt_result *res = st->res;
    int n = prm->nvars;
    double xs[2 * SSB_DESIGN_MAX_VARS * SSB_DESIGN_MAX_VARS], xa[SSB_DESIGN_MAX_VARS], xb[SSB_DESIGN_MAX_VARS];
    for (int i = 0; i < n; i++) {
        double h = prm->fd_step * (prm->vars[i].hi - prm->vars[i].lo);
        xa[i] = fmax(prm->vars[i].lo, best->x[i] - h);
        xb[i] = fmin(prm->vars[i].hi, best->x[i] + h);
        for (int s = 0; s < 2; s++) {
            double *row = xs + (size_t)(2 * i + s) * (size_t)n;
            memcpy(row, best->x, (size_t)n * sizeof(double));
            row[i] = s ? xb[i] : xa[i];
        }
    }
    int first = res->nevals;
    SSB_CHECK(st->ctx, eval_batch(st, 2 * n, xs, 2));
    double f0 = best->metric[prm->objective];
    for (int i = 0; i < n; i++) {
        const ssb_design_eval *ea = &res->evals[first + 2 * i], *eb = &res->evals[first + 2 * i + 1];
        double fa = ea->metric[prm->objective], fb = eb->metric[prm->objective];
        double d = ea->ok && eb->ok ? (fb - fa) / (xb[i] - xa[i]) : NAN;
        res->dobj_dx[i] = d;
        res->sensitivity[i] = f0 != 0 && best->x[i] != 0 ? d * best->x[i] / f0 : NAN;
    }
    return SSB_OK;
}

int ssb_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                        const ssb_design_opt_params *prm, ssb_design_opt_result *res)
{
    return ssbi_design_optimise(ctx, db, base, prm, NULL, res);
}

int ssbi_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                         const ssb_design_opt_params *prm, const ssbi_design_comm *comm, ssb_design_opt_result *res)
{
    SSB_REQUIRE(ctx, base && prm && res, SSB_ERR_ARG, "ssb_design_optimise: NULL argument");
    memset(res, 0, sizeof *res);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ssb_materials *own = NULL;
    if (!db) {
        SSB_CHECK(ctx, ssb_materials_create(ctx, &own));
        int r = ssb_materials_load_builtin(ctx, own);
        if (r != SSB_OK) {
            ssb_materials_destroy(&own);
            return ssbi_trace(ctx, r, __FILE__, __LINE__, __func__);
        }
        db = own;
    }
    int r0 = check_params(ctx, db, base, prm);
    if (r0 != SSB_OK) {
        ssb_materials_destroy(&own);
        return ssbi_trace(ctx, r0, __FILE__, __LINE__, __func__);
    }
    opt_state st;
    memset(&st, 0, sizeof st);
    st.ctx = ctx, st.db = db, st.base = base, st.prm = prm, st.res = res, st.comm = comm;
    res->nvars = prm->nvars;
    /* global stage: a full grid, fewer points per variable when over max_grid */
    int n = prm->nvars, g = prm->grid_points, total = 1;
    for (;;) {
        total = 1;
        for (int i = 0; i < n; i++)
            total *= g;
        if (total <= prm->max_grid || g == 2)
            break;
        g--;
    }
    int rc = SSB_OK;
    double *xs = ssbi_malloc(ctx, (size_t)total * (size_t)n * sizeof(double), "design grid");
    if (!xs)
        rc = SSB_ERR_NOMEM;
    for (int k = 0; k < total && rc == SSB_OK; k++) {
        int idx = k;
        for (int i = 0; i < n; i++, idx /= g)
            xs[(size_t)k * (size_t)n + (size_t)i] =
                prm->vars[i].lo + (prm->vars[i].hi - prm->vars[i].lo) * (double)(idx % g) / (double)(g - 1);
    }
    if (rc == SSB_OK)
        rc = ssbi_progress(ctx, "design: grid", 0, 3);
    if (rc == SSB_OK)
        rc = eval_batch(&st, total, xs, 0);
    free(xs);
    res->ngrid = res->nevals;
    int ibest = 0;
    for (int k = 1; k < res->nevals; k++)
        if (better(prm, &res->evals[k], &res->evals[ibest]))
            ibest = k;
    /* local stage from the best grid design */
    if (rc == SSB_OK && prm->max_evals > 0 && res->nevals > 0) {
        rc = ssbi_progress(ctx, "design: COBYLA", 1, 3);
        ssb_design_eval start = res->evals[ibest];
        if (rc == SSB_OK)
            rc = local_stage(&st, &start, g);
        for (int k = res->ngrid; k < res->nevals; k++)
            if (better(prm, &res->evals[k], &res->evals[ibest]))
                ibest = k;
    }
    if (rc == SSB_OK && !res->evals[ibest].feasible)
        rc = infeasible(ctx, prm, res);
    if (rc == SSB_OK && !isfinite(res->evals[ibest].metric[prm->objective]))
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                       "objective %s is not available for any of the %d designs (this cell or its data cannot give it; "
                       "see the notes of 'ssbnet design compare')",
                       ssbi_design_metric_name(prm->objective), res->nevals);
    if (rc == SSB_OK) {
        ssb_design_eval best = res->evals[ibest];
        memcpy(res->x, best.x, sizeof res->x);
        memcpy(res->metric, best.metric, sizeof res->metric);
        res->objective = best.metric[prm->objective];
        for (int i = 0; i < n; i++) {
            double r = prm->vars[i].hi - prm->vars[i].lo;
            res->at_bound[i] = best.x[i] <= prm->vars[i].lo + 1e-3 * r ? -1 : best.x[i] >= prm->vars[i].hi - 1e-3 * r;
        }
        for (int i = 0; i < prm->ncons; i++) {
            const ssb_design_constraint *c = &prm->cons[i];
            double slack = c->upper ? c->bound - best.metric[c->metric] : best.metric[c->metric] - c->bound;
            if (slack <= prm->active_tol * fmax(1.0, fabs(c->bound)))
                res->active[res->nactive++] = i;
        }
        rc = ssbi_progress(ctx, "design: sensitivity", 2, 3);
        if (rc == SSB_OK)
            rc = sensitivity(&st, &best);
    }
    if (rc == SSB_OK)
        rc = ssbi_progress(ctx, "design: done", 3, 3);
    ssb_materials_destroy(&own);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->time_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
