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
            /* overall: energy first, ties broken by the others, then by the strategy's place in the table of
               `design list` (the baseline, -1, wins a full tie), not by the order the strategies were named in */
            const int first = vj->strategy != vi->strategy ? vj->strategy < vi->strategy : j < i;
            if (better(vj, vi, 0, SSB_DESIGN_NCRITERIA - 1) || (first && !better(vi, vj, 0, SSB_DESIGN_NCRITERIA - 1)))
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
    return ssbi_design_compare(ctx, db, cell, measured, rp, ep, nchoices, choices, 0, 1, NULL, out);
}

int ssb_design_compare_shard(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                             const ssb_run_params *rp, const ssb_design_eval_params *ep, int nchoices,
                             const ssb_design_choice *choices, int shard, int nshards, ssb_design_comparison *out)
{
    return ssbi_design_compare(ctx, db, cell, NULL, rp, ep, nchoices, choices, shard, nshards, NULL, out);
}

/* ------------------------------------------------------------------------------------- shares of the variants */

uint64_t ssb_design_digest_mix(uint64_t d, const void *bytes, size_t n)
{
    const unsigned char *b = bytes;
    if (d == 0)
        d = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
    for (size_t i = 0; i < n; i++) {
        d ^= b[i];
        d *= 1099511628211ULL; /* FNV 64 prime */
    }
    return d;
}

/* The inputs every share of one comparison must have alike: the baseline cell's values, the run params (the
   borrowed image and cancel flag left out), the evaluation params, and each variant's strategy and values. */
static uint64_t inputs_digest(const ssb_design_case *base, const ssb_design_variant *v, int n)
{
    ssb_cell_values cv;
    memset(&cv, 0, sizeof cv);
    ssb_cell_params_get_values(base->cell, &cv);
    ssb_run_params r = base->run;
    r.image = NULL;
    r.cancel = NULL;
    uint64_t d = ssb_design_digest_mix(0, &n, sizeof n);
    d = ssb_design_digest_mix(d, &cv, sizeof cv);
    d = ssb_design_digest_mix(d, &r, sizeof r);
    d = ssb_design_digest_mix(d, &base->eval, sizeof base->eval);
    for (int i = 0; i < n; i++) {
        d = ssb_design_digest_mix(d, &v[i].strategy, sizeof v[i].strategy);
        d = ssb_design_digest_mix(d, v[i].values, sizeof v[i].values);
    }
    return d;
}

void ssb_design_shard_owners(int n, const int *reused, int nshards, double preload, int *owner)
{
    if (nshards <= 1 || n <= 0) {
        for (int i = 0; i < n; i++)
            owner[i] = 0;
        return;
    }
    double *load = calloc((size_t)nshards, sizeof *load);
    unsigned char *has = calloc((size_t)nshards, 1);
    if (!load || !has) { /* no room for the balance: round robin, still the same on every process */
        for (int i = 0; i < n; i++)
            owner[i] = i % nshards;
        free(load);
        free(has);
        return;
    }
    const double S = SSB_DESIGN_COST_STRUCTURE;
    load[0] = preload;
    if (preload > 0)
        has[0] = 1;
    /* longest first: the variants that measure their own structure, then those on the baseline's (each in index
       order); each onto the share where it would finish first (a share's first variant on the baseline's structure
       also measures that structure unless the structure is handed over: preload > 0) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const int on_base = i == 0 || reused[i];
            if (on_base != pass)
                continue;
            int best = 0;
            double tbest = INFINITY;
            for (int s = 0; s < nshards; s++) {
                const double c = on_base ? 1.0 + (has[s] || preload > 0 ? 0.0 : S) : 1.0 + S;
                if (load[s] + c < tbest) {
                    tbest = load[s] + c;
                    best = s;
                }
            }
            owner[i] = best;
            load[best] = tbest;
            if (on_base)
                has[best] = 1;
        }
    free(load);
    free(has);
}

/* The variants list[0..nl) evaluated in parallel (OpenMP, one context each), as the one-process comparison does:
   the same thread environment gives every variant the same figures wherever it runs. */
static void evaluate_list(ssb_ctx *ctx, const ssb_materials *db, const ssb_design_case *cases, ssb_design_variant *v,
                          const ssb_run_result *base, const int *list, int nl, int *done, int total)
{
    const int nth = ssbi_threads(ctx);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nth)
    for (int k = 0; k < nl; k++) {
        const int i = list[k];
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
        if (r == SSB_OK && i > 0 && ssbi_design_not_applicable(v[i].strategy, &v[i].m, v[i].error, sizeof v[i].error)) {
            v[i].ok = 0;
            v[i].error_code = SSB_ERR_UNSUPPORTED;
        }
        v[i].evaluated = 1;
        ssb_ctx_destroy(&c);
#pragma omp critical(ssb_design_progress)
        {
            (*done)++;
            ssbi_progress(ctx, "design variants", *done, total);
        }
    }
}

/* What a variant on the baseline's structure takes from the measured run result (ssbi_design_handover and the
   structure figures of ssb_design_evaluate_on): all that rank 0 sends the other ranks instead of the structure. */
typedef struct {
    int micro, stage;
    double active_fraction, tau_ion;
    ssb_cell_values values;
} structure_handover;

/* The cases of every variant (names, strategies, values), checked before anything runs. */
static int build_cases(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                       const ssb_design_eval_params *ep, int n, const ssb_design_choice *choices,
                       ssb_design_case *cases, ssb_design_variant *v)
{
    int rc = ssb_design_case_create(ctx, cell, rp, ep, &cases[0]);
    snprintf(v[0].name, sizeof v[0].name, "baseline");
    v[0].strategy = -1;
    for (int i = 1; i < n && rc == SSB_OK; i++) {
        const ssb_design_choice *ch = &choices[i - 1];
        const ssb_design_strategy *s = ssb_design_strategy_at(ch->strategy);
        if (!s)
            return SSB_ERROR(ctx, SSB_ERR_ARG, "design compare: strategy index %d out of range", ch->strategy);
        snprintf(v[i].name, sizeof v[i].name, "%s", s->name);
        v[i].strategy = ch->strategy;
        for (int k = 0; k < s->nparams; k++)
            v[i].values[k] = isnan(ch->values[k]) ? s->params[k].deflt : ch->values[k];
        rc = ssb_design_case_create(ctx, cell, rp, ep, &cases[i]);
        if (rc == SSB_OK)
            rc = ssb_design_strategy_apply(ctx, db, ch->strategy, ch->values, &cases[i]);
        /* a parameter value the caller did not give (the strategy's default) that is out of range at this baseline
           (pressure's default added to a baseline near the top of the range): not applicable, with the reason; a
           value the caller gave stops everything (below) */
        int defaulted = 1;
        for (int k = 0; k < s->nparams; k++)
            defaulted = defaulted && isnan(ch->values[k]);
        if (rc == SSB_ERR_RANGE && defaulted)
            rc = SSB_ERR_UNSUPPORTED;
        if (rc == SSB_ERR_NOTFOUND || rc == SSB_ERR_UNSUPPORTED) {
            /* a strategy this build has that cannot act on this cell (e.g. no mechanics record of its SE): not
               applicable, with the reason, like the anode-only strategies on a composite anode; the case stays the
               baseline's and is not evaluated (an unavailable strategy still stops everything) */
            char why[SSB_DESIGN_NOTE_LEN - 32];
            snprintf(why, sizeof why, "%s", ssb_ctx_get_error(ctx));
            if (ssb_design_strategy_available(ctx, db, ch->strategy, NULL, 0)) {
                ssb_ctx_clear_error(ctx);
                v[i].ok = 0;
                v[i].error_code = SSB_ERR_UNSUPPORTED;
                snprintf(v[i].error, sizeof v[i].error, "not applicable to this cell: %s", why);
                rc = SSB_OK;
            } else {
                rc = SSB_ERROR(ctx, rc, "%s", why);
            }
        }
    }
    if (rc == SSB_OK)
        for (int i = 1; i < n; i++)
            v[i].reused = same_structure(&cases[0], &cases[i]);
    return rc;
}

/* The variants of this share evaluated: the baseline's structure measured where needed (over MPI on rank 0 and handed
   to the others), then gathered on every rank (MPI). Split from ssbi_design_compare for length. */
static int evaluate_share(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_result *measured,
                          const ssb_design_case *cases, ssb_design_variant *v, int n, int shard,
                          const ssbi_design_comm *comm)
{
    int *list = malloc((size_t)n * sizeof *list);
    if (!list)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "design compare: out of memory for %d variants", n);
    int nfull = 0, nbase = 0;
    for (int i = 1; i < n; i++) /* not applicable to this cell (build_cases): nothing to evaluate */
        if (v[i].owner == shard && v[i].error_code)
            v[i].evaluated = 1;
    for (int i = 0; i < n; i++) /* this share's own structures first, then those on the baseline's */
        if (v[i].owner == shard && i > 0 && !v[i].reused && !v[i].error_code)
            list[nfull++] = i;
    for (int i = 0; i < n; i++)
        if (v[i].owner == shard && (i == 0 || v[i].reused) && !(i > 0 && v[i].error_code))
            list[nfull + nbase++] = i;
    ssb_run_result own, shadow;
    memset(&own, 0, sizeof own);
    memset(&shadow, 0, sizeof shadow);
    const ssb_run_result *base = measured ? measured : &own;
    int rc = SSB_OK, done = 0;
    /* the baseline's structure: measured once per process that needs it (over MPI: on rank 0 alone) */
    const int measure = !measured && (comm ? comm->rank == 0 : nbase > 0);
    if (measure)
        rc = ssbi_design_structure(ctx, db, cases[0].cell, &cases[0].run, &own);
    if (!comm && rc == SSB_OK)
        ssbi_progress(ctx, "design variants", 0, nfull + nbase);
    if (!comm) {
        if (rc == SSB_OK)
            evaluate_list(ctx, db, cases, v, base, list, nfull + nbase, &done, nfull + nbase);
    } else {
        /* over MPI the other ranks run their own structures while rank 0 measures the baseline's */
        evaluate_list(ctx, db, cases, v, base, list, nfull, &done, nfull + nbase);
        rc = comm->agree(ctx, rc, comm->user);
        structure_handover h;
        memset(&h, 0, sizeof h);
        if (rc == SSB_OK && comm->rank == 0)
            h = (structure_handover){own.micro, own.stage, own.cam.active_fraction, own.ion.tau, own.values};
        if (rc == SSB_OK && comm->bcast(&h, sizeof h, 0, comm->user) != SSB_OK)
            rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "design compare: MPI broadcast of the baseline's structure failed");
        if (rc == SSB_OK && comm->rank != 0) {
            shadow.micro = h.micro;
            shadow.stage = h.stage;
            shadow.cam.active_fraction = h.active_fraction;
            shadow.ion.tau = h.tau_ion;
            shadow.values = h.values;
            base = &shadow;
        }
        if (rc == SSB_OK)
            evaluate_list(ctx, db, cases, v, base, list + nfull, nbase, &done, nfull + nbase);
        /* every variant from its rank to all (the structs hold no pointers) */
        for (int i = 0; i < n && rc == SSB_OK; i++)
            if (comm->bcast(&v[i], sizeof v[i], v[i].owner, comm->user) != SSB_OK)
                rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "design compare: MPI broadcast of variant %d failed", i);
        rc = comm->agree(ctx, rc, comm->user);
    }
    ssb_run_result_destroy(&own);
    free(list);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

int ssbi_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                        const ssb_run_result *measured, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                        int nchoices, const ssb_design_choice *choices, int shard, int nshards,
                        const ssbi_design_comm *comm, ssb_design_comparison *out)
{
    SSB_REQUIRE(ctx, cell && out && db && nchoices >= 0 && (nchoices == 0 || choices), SSB_ERR_ARG,
                "ssb_design_compare: bad argument");
    SSB_REQUIRE(ctx, !measured || !measured->micro || measured->stage >= 3, SSB_ERR_ARG,
                "ssb_design_compare_on: the measured structure has not completed the hand-over (stage %d)",
                measured->stage);
    SSB_REQUIRE(ctx, nshards >= 1 && nshards <= SSB_DESIGN_MAX_SHARDS, SSB_ERR_RANGE,
                "design compare: %d shards is out of range (valid: 1 to %d)", nshards, SSB_DESIGN_MAX_SHARDS);
    SSB_REQUIRE(ctx, shard >= 0 && shard < nshards, SSB_ERR_RANGE,
                "design compare: shard %d of %d is out of range (valid: 0 to %d)", shard, nshards, nshards - 1);
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
    int *reused = calloc((size_t)n, sizeof *reused), *owner = calloc((size_t)n, sizeof *owner);
    if (!cases || !v || !reused || !owner) {
        free(cases);
        free(v);
        free(reused);
        free(owner);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "design compare: out of memory for %d variants", n);
    }
    /* every case first: a strategy that is not available or a parameter out of range stops before anything runs */
    int rc = build_cases(ctx, db, cell, rp, ep, n, choices, cases, v);
    if (comm)
        rc = comm->agree(ctx, rc, comm->user);
    if (rc == SSB_OK) {
        for (int i = 0; i < n; i++)
            reused[i] = i == 0 || v[i].reused;
        ssb_design_shard_owners(n, reused, nshards, comm ? SSB_DESIGN_COST_STRUCTURE : 0.0, owner);
        for (int i = 0; i < n; i++)
            v[i].owner = owner[i];
        out->digest = inputs_digest(&cases[0], v, n);
        rc = evaluate_share(ctx, db, measured, cases, v, n, shard, comm);
    }
    const int whole = comm || nshards == 1;
    if (rc == SSB_OK && (whole || v[0].owner == shard) && !v[0].ok)
        rc = SSB_ERROR(ctx, v[0].error_code, "%s", v[0].error);
    for (int i = 0; i < n; i++)
        ssb_design_case_destroy(&cases[i]);
    free(cases);
    free(reused);
    free(owner);
    if (rc != SSB_OK) {
        free(v);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    out->n = n;
    out->v = v;
    out->shard = whole ? 0 : shard;
    out->nshards = whole ? 1 : nshards;
    if (whole)
        assign_ranks(out);
    return SSB_OK;
}

/* The names of part k for messages. */
static const char *part_name(const char *const *names, int k, char *buf, size_t n)
{
    if (names && names[k])
        return names[k];
    snprintf(buf, n, "part %d", k + 1);
    return buf;
}

int ssb_design_comparison_merge(ssb_ctx *ctx, int nparts, const ssb_design_comparison *parts,
                                const char *const *names, ssb_design_comparison *out)
{
    SSB_REQUIRE(ctx, nparts >= 1 && parts && out, SSB_ERR_ARG, "ssb_design_comparison_merge: no parts");
    memset(out, 0, sizeof *out);
    char b0[32], b1[32];
    const ssb_design_comparison *p0 = &parts[0];
    const int N = p0->nshards, n = p0->n;
    const char *n0 = part_name(names, 0, b0, sizeof b0);
    SSB_REQUIRE(ctx, n >= 1 && p0->v && N >= 1 && N <= SSB_DESIGN_MAX_SHARDS, SSB_ERR_ARG,
                "design merge: %s holds no variants or %d shards (valid: 1 to %d)", n0, N, SSB_DESIGN_MAX_SHARDS);
    for (int k = 0; k < nparts; k++) {
        const ssb_design_comparison *p = &parts[k];
        const char *nk = part_name(names, k, b1, sizeof b1);
        SSB_REQUIRE(ctx, p->digest == p0->digest && p->n == n && p->nshards == N && p->v, SSB_ERR_ARG,
                    "design merge: %s and %s are not shares of one comparison (inputs %016llx with %d variants in %d "
                    "shards against %016llx with %d in %d: a different cell, options or strategies)",
                    nk, n0, (unsigned long long)p->digest, p->n, p->nshards, (unsigned long long)p0->digest, n, N);
        SSB_REQUIRE(ctx, p->shard >= 0 && p->shard < N, SSB_ERR_RANGE,
                    "design merge: %s is shard %d, out of range for %d shards (valid: 0 to %d)", nk, p->shard, N,
                    N - 1);
        for (int i = 0; i < n; i++)
            SSB_REQUIRE(ctx, p->v[i].strategy == p0->v[i].strategy && p->v[i].owner == p0->v[i].owner &&
                                 strcmp(p->v[i].name, p0->v[i].name) == 0,
                        SSB_ERR_ARG, "design merge: variant %d of %s ('%s') differs from %s's ('%s')", i, nk,
                        p->v[i].name, n0, p0->v[i].name);
    }
    int *who = malloc((size_t)N * sizeof *who);
    if (!who)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "design merge: out of memory for %d shards", N);
    for (int s = 0; s < N; s++)
        who[s] = -1;
    int rc = SSB_OK;
    for (int k = 0; k < nparts && rc == SSB_OK; k++) {
        const int s = parts[k].shard;
        if (who[s] >= 0)
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "design merge: shard %d of %d is given twice: %s and %s", s, N,
                           part_name(names, who[s], b0, sizeof b0), part_name(names, k, b1, sizeof b1));
        who[s] = k;
    }
    for (int s = 0; s < N && rc == SSB_OK; s++)
        if (who[s] < 0) {
            int missing = 0;
            for (int q = 0; q < N; q++)
                missing += who[q] < 0;
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                           "design merge: shard %d of %d is missing (%d of %d shards missing, %d part(s) given)", s,
                           N, missing, N, nparts);
        }
    ssb_design_variant *v = rc == SSB_OK ? calloc((size_t)n, sizeof *v) : NULL;
    if (rc == SSB_OK && !v)
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "design merge: out of memory for %d variants", n);
    for (int i = 0; i < n && rc == SSB_OK; i++) {
        const int k = who[p0->v[i].owner];
        const ssb_design_variant *src = &parts[k].v[i];
        if (!src->evaluated)
            rc = SSB_ERROR(ctx, SSB_ERR_ARG, "design merge: %s (shard %d) does not hold variant '%s', which it owns",
                           part_name(names, k, b0, sizeof b0), parts[k].shard, src->name);
        else
            v[i] = *src;
    }
    if (rc == SSB_OK && !v[0].ok)
        rc = SSB_ERROR(ctx, v[0].error_code, "%s", v[0].error);
    free(who);
    if (rc != SSB_OK) {
        free(v);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    out->n = n;
    out->v = v;
    out->nshards = 1;
    out->digest = p0->digest;
    assign_ranks(out);
    return SSB_OK;
}
