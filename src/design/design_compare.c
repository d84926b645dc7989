/* design: the baseline and strategy variants through the chain, ranked (ssb_design_compare). */
#include "design_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Everything a generated structure and its measured conductivities depend on: the run's recipe (all params but the
   cell stage's rates, cut-off, ageing time and cancel flag) and the positive composite's composition, sizes,
   phase conductivities and the temperature. Equal: the baseline's measured structure serves the variant. */
static int same_structure(const ssb_design_case *a, const ssb_design_case *b)
{
    ssb_run_params ra = a->run, rb = b->run;
    if (ra.micro != rb.micro)
        return 0;
    if (!ra.micro)
        return 1;
    if (ra.image || rb.image)
        return ra.image == rb.image;
    ra.nrates = rb.nrates = 0;
    memset(ra.rates, 0, sizeof ra.rates);
    memset(rb.rates, 0, sizeof rb.rates);
    ra.cutoff = rb.cutoff = 0;
    ra.iface_hours = rb.iface_hours = 0;
    ra.cancel = rb.cancel = NULL;
    if (memcmp(&ra, &rb, sizeof ra) != 0)
        return 0;
    ssb_cell_values va, vb;
    ssb_cell_params_get_values(a->cell, &va);
    ssb_cell_params_get_values(b->cell, &vb);
    const ssb_cell_electrode *pa = &va.pos, *pb = &vb.pos;
    const double fa[] = {pa->thickness, pa->eps_active, pa->eps_active_dead, pa->eps_electrolyte, pa->eps_inert,
                         pa->porosity, pa->particle_radius, pa->sigma_e, pa->sigma_i, va.cell.T};
    const double fb[] = {pb->thickness, pb->eps_active, pb->eps_active_dead, pb->eps_electrolyte, pb->eps_inert,
                         pb->porosity, pb->particle_radius, pb->sigma_e, pb->sigma_i, vb.cell.T};
    return memcmp(fa, fb, sizeof fa) == 0 && strcmp(pa->active_material, pb->active_material) == 0 &&
           strcmp(pa->electrolyte, pb->electrolyte) == 0;
}

/* Criteria of the ranking, in order (ssb_design_variant.rank_by): stack energy at the target rate (areal energy
   where densities are missing), power capability, critical stripping current, capacity retention with the aged
   interfaces. NaN and failures rank last. */
static double criterion(const ssb_design_variant *v, int c)
{
    if (!v->ok)
        return -INFINITY;
    const ssb_design_metrics *m = &v->m;
    double x = c == 0 ? (isfinite(m->wh_per_kg) ? m->wh_per_kg : m->energy)
               : c == 1 ? m->power_rate
               : c == 2 ? (m->ccs_available ? m->ccs : NAN)
                        : m->retention_aged;
    return isnan(x) ? -INFINITY : x;
}

/* a better than b: lexicographic over the criteria from `first` on */
static int better(const ssb_design_variant *a, const ssb_design_variant *b, int first, int last)
{
    for (int c = first; c <= last; c++) {
        double x = criterion(a, c), y = criterion(b, c);
        if (x > y)
            return 1;
        if (x < y)
            return 0;
    }
    return 0;
}

static void assign_ranks(ssb_design_comparison *out)
{
    for (int i = 0; i < out->n; i++) {
        ssb_design_variant *vi = &out->v[i];
        vi->rank = 1;
        for (int c = 0; c < SSB_DESIGN_NCRITERIA; c++)
            vi->rank_by[c] = 1;
        for (int j = 0; j < out->n; j++) {
            if (j == i)
                continue;
            const ssb_design_variant *vj = &out->v[j];
            /* overall: energy first, ties broken by the others, then by order (the baseline wins a full tie) */
            if (better(vj, vi, 0, SSB_DESIGN_NCRITERIA - 1) || (j < i && !better(vi, vj, 0, SSB_DESIGN_NCRITERIA - 1)))
                vi->rank++;
            for (int c = 0; c < SSB_DESIGN_NCRITERIA; c++)
                if (better(vj, vi, c, c))
                    vi->rank_by[c]++; /* competition ranking: equal values share a rank */
        }
    }
}

const char *ssb_design_criterion_name(int c)
{
    static const char *const names[SSB_DESIGN_NCRITERIA] = {"energy_Wh_per_kg", "power_C_rate",
                                                            "critical_stripping_current_mA_per_cm2",
                                                            "capacity_retention_aged"};
    return c >= 0 && c < SSB_DESIGN_NCRITERIA ? names[c] : NULL;
}

void ssb_design_comparison_destroy(ssb_design_comparison *out)
{
    if (!out)
        return;
    free(out->v);
    memset(out, 0, sizeof *out);
}

static void variant_error(ssb_design_variant *v, ssb_ctx *c, int rc)
{
    v->ok = 0;
    v->error_code = rc;
    snprintf(v->error, sizeof v->error, "%s", ssb_ctx_get_error(c));
}

int ssb_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                       const ssb_design_eval_params *ep, int nchoices, const ssb_design_choice *choices,
                       ssb_design_comparison *out)
{
    return ssb_design_compare_on(ctx, db, cell, NULL, rp, ep, nchoices, choices, out);
}

int ssb_design_compare_on(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                          const ssb_run_result *measured, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                          int nchoices, const ssb_design_choice *choices, ssb_design_comparison *out)
{
    SSB_REQUIRE(ctx, cell && out && db && nchoices >= 0 && (nchoices == 0 || choices), SSB_ERR_ARG,
                "ssb_design_compare: bad argument");
    SSB_REQUIRE(ctx, !measured || !measured->micro || measured->stage >= 3, SSB_ERR_ARG,
                "ssb_design_compare_on: the measured structure has not completed the hand-over (stage %d)",
                measured->stage);
    memset(out, 0, sizeof *out);
    ssb_run_params drp = ssb_run_params_default();
    ssb_design_eval_params dep = ssb_design_eval_params_default();
    if (!rp)
        rp = &drp;
    if (!ep)
        ep = &dep;
    SSB_CHECK(ctx, ssb_design_eval_params_check(ctx, ep));
    const int n = nchoices + 1;
    ssb_design_case *cases = calloc((size_t)n, sizeof *cases);
    ssb_design_variant *v = calloc((size_t)n, sizeof *v);
    if (!cases || !v) {
        free(cases);
        free(v);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "design compare: out of memory for %d variants", n);
    }
    /* every case first: a strategy that is not available or a parameter out of range stops before anything runs */
    int rc = ssb_design_case_create(ctx, cell, rp, ep, &cases[0]);
    snprintf(v[0].name, sizeof v[0].name, "baseline");
    v[0].strategy = -1;
    for (int i = 1; i < n && rc == SSB_OK; i++) {
        const ssb_design_choice *ch = &choices[i - 1];
        const ssb_design_strategy *s = ssb_design_strategy_at(ch->strategy);
        if (!s) {
            rc = SSB_ERROR(ctx, SSB_ERR_ARG, "design compare: strategy index %d out of range", ch->strategy);
            break;
        }
        snprintf(v[i].name, sizeof v[i].name, "%s", s->name);
        v[i].strategy = ch->strategy;
        for (int k = 0; k < s->nparams; k++)
            v[i].values[k] = isnan(ch->values[k]) ? s->params[k].deflt : ch->values[k];
        rc = ssb_design_case_create(ctx, cell, rp, ep, &cases[i]);
        if (rc == SSB_OK)
            rc = ssb_design_strategy_apply(ctx, db, ch->strategy, ch->values, &cases[i]);
    }
    /* the baseline's structure: measured once, shared read-only by every variant with the same recipe */
    ssb_run_result own;
    memset(&own, 0, sizeof own);
    if (rc == SSB_OK && !measured)
        rc = ssbi_design_structure(ctx, db, cases[0].cell, &cases[0].run, &own);
    const ssb_run_result *base = measured ? measured : &own;
    if (rc == SSB_OK)
        for (int i = 1; i < n; i++)
            v[i].reused = same_structure(&cases[0], &cases[i]);
    int done = 0;
    if (rc == SSB_OK) {
        ssbi_progress(ctx, "design variants", 0, n);
        const int nth = ssbi_threads(ctx);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
        for (int i = 0; i < n; i++) {
            ssb_ctx *c = NULL;
            if (ssb_ctx_create(&c) != SSB_OK) {
                v[i].ok = 0;
                v[i].error_code = SSB_ERR_NOMEM;
                snprintf(v[i].error, sizeof v[i].error, "out of memory");
                continue;
            }
            int r;
            if (i == 0 || v[i].reused)
                r = ssb_design_evaluate_on(c, db, cases[i].cell, base, &cases[i].run, &cases[i].eval, &v[i].m);
            else
                r = ssb_design_evaluate(c, db, cases[i].cell, &cases[i].run, &cases[i].eval, &v[i].m);
            if (r == SSB_OK)
                v[i].ok = 1;
            else
                variant_error(&v[i], c, r);
            ssb_ctx_destroy(&c);
#pragma omp critical(ssb_design_progress)
            {
                done++;
                ssbi_progress(ctx, "design variants", done, n);
            }
        }
        if (!v[0].ok)
            rc = SSB_ERROR(ctx, v[0].error_code, "%s", v[0].error);
    }
    ssb_run_result_destroy(&own);
    for (int i = 0; i < n; i++)
        ssb_design_case_destroy(&cases[i]);
    free(cases);
    if (rc != SSB_OK) {
        free(v);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    out->n = n;
    out->v = v;
    assign_ranks(out);
    return SSB_OK;
}
