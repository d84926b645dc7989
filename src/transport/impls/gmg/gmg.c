/* gmg Krylov driver: flexible CG preconditioned by the multigrid K-cycle, run by thread 0 of the team; the backend
 * entry ssbi_transport_solve_gmg. */
#include "gmg_impl.h"
#include "transport/transport_var.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

/* Inlet and outlet currents of x (solver numbering; normalised like the front end's). */
static void currents(const gmg *m, const double *x, double *i_in, double *i_out)
{
    const int64_t nz = m->lev[0].d[2];
    double a = 0.0, b = 0.0;
    for (int64_t k = 0; k < m->dps[0][nz]; k++) a += m->dg0[0][k] * (1.0 - x[m->di[0][k]]);
    for (int64_t k = 0; k < m->dps[1][nz]; k++) b += m->dg0[1][k] * x[m->di[1][k]];
    *i_in = a;
    *i_out = b;
}

/* The inlet current must change by at most CTOL_FACTOR rtol of itself in the last iteration (residual rule). */
#define CTOL_FACTOR 1.0

/* The outer iteration (run by thread 0). */
typedef struct {
    ssb_ctx *ctx;
    gmg *m;
    const ssbi_tproblem *p;
    const ssb_transport_params *par;
    ssbi_tsolution *sol;
    double *x, *r;
    float *pv;
    double *q; /* NULL: q = A p is not stored (compact and lean level 0) */
    int rc;
} cg_state;

/* The stopping test of iteration k >= 1 (a candidate, confirmed with the true residual): the variational rule
 * (transport_var.h), or the residual rule (residual <= rtol_eff and the inlet current i_in settled: its change dcur in
 * the last iteration within ctol of it, or the residual 1e-3 rtol). */
static int stop_test(int var, const ssbi_var_est *v, const ssb_transport_params *par, double rel, double rtol_eff,
                     double i_in, double i_out, double dcur, double ctol)
{
    if (var)
        return rel <= rtol_eff && ssbi_var_settled(v, par->rtol) &&
               ssbi_transport_mismatch(i_in, i_out) <= par->flux_tol;
    return rel <= rtol_eff && (dcur <= ctol * fabs(i_in) || rel <= 1e-3 * par->rtol);
}

/* Flexible CG with the two stopping rules above; a candidate stop is confirmed with the true residual (and E from
 * it), which also restarts the CG if the confirmation fails. */
static void cg_run(cg_state *c)
{
    gmg *m = c->m;
    const ssbi_tproblem *p = c->p;
    const ssb_transport_params *par = c->par;
    ssbi_tsolution *sol = c->sol;
    /* Flexible CG (Polak-Ribiere beta, exact for a fixed preconditioner) since the K-cycle is nonlinear. */
    const gmg_level *L0 = &m->lev[0];
    double bnorm = 0.0;
    const int64_t *didx;
    int64_t dfirst;
    const int64_t nlo = ssbi_tproblem_dir(p, 0, &didx, &dfirst);
    for (int64_t k = 0; k < nlo; k++) bnorm += p->gd_lo[k] * p->gd_lo[k];
    bnorm = sqrt(bnorm);
    const double total = -log10(par->rtol);
    double contrast = 1.0; /* of the conductances along each axis (transport_var.h) */
    for (int k = 0; k < 3; k++)
        contrast = fmax(contrast, ssbi_var_contrast(p->gface[k], (int64_t)(p->nph + 1) * (p->nph + 1)));
    /* the variational rule, else the residual rule (fields requested, or a conductance contrast beyond its reach) */
    const int var = !par->want_fields && ssbi_var_contrast_ok(contrast);
    double rtol_eff = var ? sqrt(par->rtol) : par->rtol;
    int64_t it = 0;
    double rel = 0.0, rz = 0.0, beta = 0.0, s[4];
    double zq = 0.0, zaz = NAN, pq_old = NAN; /* the iteration without a stored q (see below) */
    /* Without a stored q, alpha from the estimate of p . A p where the conductance contrast is moderate; beyond it
     * the estimate's z . A z (float operator, sums that cancel) is too coarse (a 1e6 contrast took 778 instead of 406
     * iterations, test_lean), and the exact p . A p comes first, with q formed again in the pre-smoothing. */
    const int est = !c->q && ssbi_var_contrast_ok(contrast);
    int restart = 1, confirmed = 0;
    /* Residual rule: the residual alone leaves tau up to ~7e-8 off its converged value at rtol 1e-8 (electrode.tiff
     * pore phase along x and y), so convergence also asks the inlet current to have settled to CTOL_FACTOR rtol in
     * the last iteration (not below 1e-13, its own rounding), or the residual to be 1e-3 rtol. A solve that needs no
     * iteration (warm start) keeps the residual test alone, or (variational rule) takes a stored solution of this
     * problem whose estimate is known (p->x0_est) at residual sqrt(rtol). */
    double cur = NAN, dcur = INFINITY, i_in = NAN, i_out = NAN;
    const double ctol = fmax(CTOL_FACTOR * par->rtol, 1e-13);
    ssbi_var_est v = {.e = NAN, .d = NAN, .tail = INFINITY, .nratio = 0};
    gmg_args a;
    memset(&a, 0, sizeof a);
    a.prob = p;
    a.x = c->x;
    a.r = c->r;
    a.pv = c->pv;
    a.q = c->q;
    a.zq = 1;
    sol->converged = 0;
    snprintf(sol->reason, sizeof sol->reason, "max_iter reached");
    for (;;) {
        if (restart) { /* true residual, E from it */
            ssbi_gmg_pipeline(m, L0, NULL, ssbi_gmg_r_true, NULL, &a, s);
            rel = sqrt(s[0]) / bnorm;
            currents(m, c->x, &i_in, &i_out);
            v.e = i_in - s[1];
            confirmed = 1;
        }
        int ok;
        if (it == 0)
            ok = rel <= par->rtol || (var && isfinite(p->x0_est) && rel <= rtol_eff);
        else
            ok = stop_test(var, &v, par, rel, rtol_eff, i_in, i_out, dcur, ctol);
        if (ok) {
            if (!confirmed) { /* confirm with the true residual */
                restart = 1;
                continue;
            }
            if (ssbi_transport_mismatch(i_in, i_out) <= par->flux_tol) {
                sol->converged = 1;
                snprintf(sol->reason, sizeof sol->reason,
                         var && it > 0 ? "tau estimate within rtol, residual and flux_tol reached"
                                       : "rtol and flux_tol reached");
                break;
            }
            rtol_eff = rel * 0.1; /* tighten: the flux test failed */
        } else if (confirmed && var && it > 0) {
            rtol_eff *= 0.1; /* the confirmation failed (the recursive residual drifted from the true one): tighten */
        }
        if (it >= par->max_iter) {
            snprintf(sol->reason, sizeof sol->reason, "max_iter = %lld reached", (long long)par->max_iter);
            break;
        }
        if (restart) {
            double dummy;
            a.upd = 0;
            a.zq = 0;
            ssbi_gmg_precond_pre(m, &a, NULL);
            ssbi_gmg_precond_post(m, &a, &rz, &dummy, &zaz);
            a.zq = 1;
            beta = 0.0;
            restart = 0;
        }
        confirmed = 0;
        a.beta = beta;
        double rx, rr;
        if (a.q || !est) { /* exact p . A p first: p = z + beta p, (q = A p,) p . q; then the update fused with the
                            * pre-smoothing (without a stored q it forms q again in its walks) */
            ssbi_gmg_pipeline(m, L0, ssbi_gmg_q_dir, ssbi_gmg_q_apply, NULL, &a, s);
            const double pq = s[0];
            if (!(pq > 0.0) || !isfinite(pq)) {
                snprintf(sol->reason, sizeof sol->reason, "CG breakdown (p.Ap = %g)", pq);
                break;
            }
            a.alpha = rz / pq;
            a.upd = 1;
            rr = ssbi_gmg_precond_pre(m, &a, &rx); /* update of x and r, then the pre-smoothing of r */
        } else {
            /* no stored q: alpha from p . A p = z . A z + 2 beta z . A p_old + beta^2 p_old . A p_old (the first
             * from the post-smoothing's sums in the float operator, the others exact), then q = A p and the update
             * in one walk; the exact p . A p of that walk is the next p_old . A p_old. alpha only scales the step:
             * x and r stay consistent whatever its rounding. */
            const double pqe = beta == 0.0 ? zaz : zaz + 2.0 * beta * zq + beta * beta * pq_old;
            if (!(pqe > 0.0) || !isfinite(pqe)) {
                snprintf(sol->reason, sizeof sol->reason, "CG breakdown (p.Ap = %g)", pqe);
                break;
            }
            a.alpha = rz / pqe;
            ssbi_gmg_pipeline(m, L0, ssbi_gmg_q_dir, ssbi_gmg_q_apply_upd, NULL, &a, s);
            pq_old = s[0];
            rr = s[1];
            rx = s[2];
            if (!(pq_old > 0.0) || !isfinite(pq_old)) {
                snprintf(sol->reason, sizeof sol->reason, "CG breakdown (p.Ap = %g)", pq_old);
                break;
            }
        }
        it++;
        rel = sqrt(rr) / bnorm;
        currents(m, c->x, &i_in, &i_out);
        dcur = isfinite(cur) ? fabs(i_in - cur) : INFINITY;
        cur = i_in;
        ssbi_var_step(&v, i_in - rx);
        /* progress: -log10 of the relative error estimate of tau (variational rule, from k = 2 on), else of the
         * relative residual */
        const double done = var && isfinite(v.tail) ? v.tail / v.e : rel;
        c->rc = ssbi_progress(c->ctx, p->stage, fmax(0.0, fmin(total, -log10(fmax(done, 1e-300)))), total);
        if (c->rc != SSB_OK) break;
        if (stop_test(var, &v, par, rel, rtol_eff, i_in, i_out, dcur, ctol))
            continue; /* confirm at the top of the loop */
        double rzn;
        if (!a.q && est) { /* the pre-smoothing of the updated r */
            a.upd = 0;
            ssbi_gmg_precond_pre(m, &a, NULL);
        }
        ssbi_gmg_precond_post(m, &a, &rzn, &zq, &zaz);
        beta = -a.alpha * zq / rz;
        if (!isfinite(beta)) beta = 0.0;
        rz = rzn;
    }
    sol->iterations = it;
    sol->rel_residual = rel;
    sol->current = v.e;
    sol->tau_rel_error_est = isfinite(v.tail) ? v.tail / v.e : it == 0 ? p->x0_est : NAN;
    if (!ssbi_var_contrast_ok(contrast)) sol->tau_rel_error_est = NAN; /* the estimate is not trusted there */
}

/* A kept hierarchy serves a problem whose conductances are those of its build times one factor, with the Dirichlet
 * faces of the build or (across) others: ssbi_gmg_set_dirichlet. */

/* Level-0 storage for params.lean (-1 auto, 0 stored indices, 1 lean, 2 compact ranks), nunk unknowns and rows of
 * nx voxels: 0 stored, 1 lean, 2 compact. Rows longer than the compact ranks' 16 bits allow take the lean storage
 * where compact was asked for or chosen. */
static int level0_layout(const ssb_transport_params *par, int64_t nunk, int64_t nx)
{
    int lay = par->lean;
    if (lay == -1) lay = nunk > GMG_LEAN_AUTO_UNKNOWNS ? 1 : nunk > GMG_COMPACT_AUTO_UNKNOWNS ? 2 : 0;
    if (lay == 2 && nx > GMG_NBR_MAXNX) lay = 1;
    return lay;
}

/* The Dirichlet faces may lie across the planes where level 0 stores its neighbours (lean: the diagonal is summed
 * from the first / last plane's arrays). */
int ssbi_transport_across_gmg(const ssb_transport_params *par, int64_t nunk, int64_t nx)
{
    return level0_layout(par, nunk, nx) != 1;
}

static atomic_llong gmg_builds;

int64_t ssbi_transport_gmg_builds(void)
{
    return (int64_t)atomic_load(&gmg_builds);
}

int ssbi_transport_solve_gmg(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par, int nthreads,
                             ssbi_tsolution *sol)
{
    /* the hierarchy: kept from an earlier solve of the same object when the front end allows it, else built */
    gmg *m = p->state ? (gmg *)*p->state : NULL;
    int rc = SSB_OK;
    /* level-0 storage: neighbours from bit masks (lean) or stored (see ssb_transport_params.lean) */
    const int lay = level0_layout(par, p->nunk, p->n[0]), lean = lay == 1;
#if GMG_X86_POPCNT
    if (lean && !(m && p->reuse) && !__builtin_cpu_supports("popcnt"))
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "transport: the lean gmg storage needs the popcnt instruction, which this processor lacks "
                         "(set params.lean = 0)");
#endif
    if (m && !p->reuse) {
        ssbi_transport_destroy_gmg(m);
        *p->state = m = NULL;
    }
    const double ts = ssbi_transport_wtime();
    const int reused = m != NULL;
    if (!m) {
        m = ssbi_calloc(ctx, 1, sizeof *m, "gmg hierarchy");
        if (!m) return SSB_ERR_NOMEM;
        m->nt = nthreads > 0 ? nthreads : 1;
        m->lean = lean;
        m->cmp = lay == 2;
        rc = ssbi_gmg_build(ctx, m, p);
        atomic_fetch_add(&gmg_builds, 1);
        if (rc == SSB_OK && p->state) *p->state = m;
    }
    if (rc == SSB_OK && reused) { /* another problem on the kept hierarchy (see ssbi_gmg_set_dirichlet) */
        rc = ssbi_gmg_set_dirichlet(ctx, m, p);
        if (rc != SSB_OK) *p->state = NULL; /* freed below */
    }
    sol->setup_time_s = ssbi_transport_wtime() - ts;
    const int64_t n = p->nunk;
    double *r = NULL;
    float *pv = NULL;
    /* Stored level 0 (the fastest, for problems up to GMG_COMPACT_AUTO_UNKNOWNS by default): the iteration's x is a
     * vector of its own in the solver numbering and the caller's sol->x (front-end order, n + 1 entries) serves as
     * q = A p meanwhile and receives the solution at the end. Compact and lean level 0 (the large problems, where
     * memory counts): x is the caller's vector, put into the solver numbering in place (plane by plane) and back at
     * the end, and q is not stored (see fine_upd): 16 bytes per unknown less, at the cost of forming A p again in
     * the smoothing walks. */
    const int keepq = !m->lean && !m->cmp;
    double *xf = sol->x, *x = keepq ? NULL : sol->x;
    int renumbered = 0;
    if (rc == SSB_OK && !keepq) { /* before the CG vectors: its plane buffers do not add to their peak */
        rc = ssbi_gmg_renumber_inplace(ctx, m, p, x, 1);
        renumbered = rc == SSB_OK;
    }
    if (rc == SSB_OK) {
        r = ssbi_gmg_malloc(ctx, m, (size_t)n * 8, "CG vector");
        pv = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 4, "CG vector");
        if (keepq) x = ssbi_gmg_malloc(ctx, m, (size_t)(n + 1) * 8, "CG vector");
        if (!r || !pv || !x) rc = SSB_ERR_NOMEM;
    }
    if (rc == SSB_OK && keepq) {
        ssbi_gmg_copy_renumber(m, p, xf, x, 1);
        renumbered = 1;
    }
    if (rc != SSB_OK) goto out;
    pv[n] = 0.0f;
    x[n] = 0.0;
    cg_state c = {ctx, m, p, par, sol, x, r, pv, keepq ? xf : NULL, SSB_OK};
#if SSB_HAVE_OPENMP
    int par_levels = 0;
    for (int l = 0; l < m->nlev; l++) par_levels += m->lev[l].nslab > 1;
    gmg_team team;
    memset(&team, 0, sizeof team);
    if (m->nt > 1 && par_levels > 0 && pthread_mutex_init(&team.mu, NULL) == 0) {
        if (pthread_cond_init(&team.cv, NULL) == 0) {
#pragma omp parallel num_threads(m->nt)
            {
#pragma omp single
                team.nt = omp_get_num_threads();
                if (omp_get_thread_num() == 0) {
                    m->team = team.nt > 1 ? &team : NULL;
                    cg_run(&c);
                    ssbi_gmg_team_stop(&team);
                } else {
                    ssbi_gmg_team_worker(&team, omp_get_thread_num());
                }
            }
            m->team = NULL;
            pthread_cond_destroy(&team.cv);
        } else {
            cg_run(&c);
        }
        pthread_mutex_destroy(&team.mu);
    } else {
        cg_run(&c);
    }
#else
    cg_run(&c);
#endif
    rc = c.rc;
out:
    ssbi_gmg_free(m, r, (size_t)n * 8);
    ssbi_gmg_free(m, pv, (size_t)(n + 1) * 4);
    if (renumbered && keepq) {
        ssbi_gmg_copy_renumber(m, p, x, xf, 0);
        xf[n] = 0.0;
    } else if (renumbered) {
        const int rb = ssbi_gmg_renumber_inplace(ctx, m, p, xf, 0);
        if (rc == SSB_OK) rc = rb;
        xf[n] = 0.0;
    }
    if (keepq) ssbi_gmg_free(m, x, (size_t)(n + 1) * 8);
    sol->peak_bytes = m->peak;
    if (!p->state || *p->state != m) ssbi_transport_destroy_gmg(m);
    return rc;
}

void ssbi_transport_destroy_gmg(void *state)
{
    if (!state) return;
    ssbi_gmg_destroy((gmg *)state);
    free(state);
}
