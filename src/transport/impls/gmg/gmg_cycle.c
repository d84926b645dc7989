/* gmg cycle: level-0 and coarse-level kernels (smoothing, restriction, prolongation, operator), the K-cycle and
 * the preconditioner of the outer iteration. */
#include "gmg_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------------- */
/* level-0 kernels (one = single conducting phase: constant conductance per axis, no table look-ups). GMG_FINE
 * calls fn(..., one) with one as a constant. */
#define GMG_FINE(fn, ...)                                                                                        \
    do {                                                                                                      \
        if (m->nph == 1) fn(__VA_ARGS__, 1);                                                                  \
        else fn(__VA_ARGS__, 0);                                                                              \
    } while (0)

GMG_INLINE float fine_off(const gmg *m, const gmg_level *L, int64_t i, const float *x, const int one)
{
    const int32_t *q = L->nb + 6 * i;
    if (one) return m->g1[0] * (x[q[0]] + x[q[1]]) + m->g1[1] * (x[q[2]] + x[q[3]]) + m->g1[2] * (x[q[4]] + x[q[5]]);
    const int p = L->pi[i] * (m->nph + 1);
    const float *gx = m->gf[0] + p, *gy = m->gf[1] + p, *gz = m->gf[2] + p;
    const uint8_t *pi = L->pi;
    return gx[pi[q[0]]] * x[q[0]] + gx[pi[q[1]]] * x[q[1]] + gy[pi[q[2]]] * x[q[2]] + gy[pi[q[3]]] * x[q[3]] +
           gz[pi[q[4]]] * x[q[4]] + gz[pi[q[5]]] * x[q[5]];
}

/* Gauss-Seidel update of colour c (0 red, 1 black) on plane z of level 0. */
GMG_INLINE void fine_gs(const gmg *m, int64_t z, int c, const int one)
{
    const gmg_level *L = &m->lev[0];
    float *x = L->x;
    const float *b = L->b, *invd = L->invd;
    const int64_t i0 = c ? L->pb[z] : L->ps[z], i1 = c ? L->ps[z + 1] : L->pb[z];
    for (int64_t i = i0; i < i1; i++) x[i] = (b[i] + fine_off(m, L, i, x, one)) * invd[i];
}

static void f_black(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)a;
    (void)acc;
    GMG_FINE(fine_gs, m, z, 1);
}

/* pre-smoothing, stage A: b = r (float, normalised), red x = b / d, black x = 0; zero the coarse right-hand side */
static void f_pre_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const float rs = (float)(1.0 / m->gscale);
    const double *r = a->r;
    float *x = L->x, *b = L->b;
    const float *invd = L->invd;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) {
        const float bi = (float)r[i] * rs;
        b[i] = bi;
        x[i] = bi * invd[i];
    }
    for (int64_t i = L->pb[z]; i < L->ps[z + 1]; i++) {
        b[i] = (float)r[i] * rs;
        x[i] = 0.0f;
    }
    if (m->nlev > 1 && !(z & 1)) {
        const gmg_level *C = &m->lev[1];
        memset(C->b + C->ps[z / 2], 0, (size_t)(C->ps[z / 2 + 1] - C->ps[z / 2]) * 4);
    }
}

static void u_update(const gmg *m, const gmg_args *a, int64_t z, double *acc);

/* CG update fused with the pre-smoothing's stage A: x += alpha p, r -= alpha q, r . r, then f_pre_init */
static void f_upd_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    u_update(m, a, z, acc);
    f_pre_init(m, a, z, acc);
}

/* pre-smoothing, stage C: residual of the red unknowns (= their coupling to the black ones, since red x = b / d)
 * added to the coarse right-hand side */
GMG_INLINE void fine_restrict(const gmg *m, int64_t z, const int one)
{
    const gmg_level *L = &m->lev[0];
    float *cb = m->lev[1].b;
    const float *x = L->x;
    const int32_t *agg = L->agg;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) cb[agg[i]] += fine_off(m, L, i, x, one);
}

static void f_pre_restrict(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)a;
    (void)acc;
    GMG_FINE(fine_restrict, m, z);
}

/* post-smoothing, stage A: coarse correction */
static void f_post_prolong(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    float *x = L->x;
    const float *xc = m->lev[1].x;
    const int32_t *agg = L->agg;
    const float w = a->omega;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) x[i] += w * xc[agg[i]];
}

/* post-smoothing, stage C: red update, then the plane's r . z and q . z (z = x * gscale) */
static void f_post_red(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    GMG_FINE(fine_gs, m, z, 0);
    const double zs = m->gscale;
    const float *x = L->x;
    const double *r = a->r, *q = a->q;
    double s1 = 0.0, s2 = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        const double zi = (double)x[i] * zs;
        s1 += r[i] * zi;
        if (q) s2 += q[i] * zi;
    }
    acc[0] += s1;
    acc[1] += s2;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* exact operator (double) on level 0 */

/* y = A x on plane z (x has n + 1 entries with x[n] = 0); *xy += x . y over the plane */
GMG_INLINE void apply_plane(const gmg *m, const ssbi_tproblem *p, int64_t z, const double *x, double *y,
                            double *xy, const int one)
{
    const gmg_level *L = &m->lev[0];
    const int64_t n = L->n;
    const double *G0 = p->gface[0], *G1 = p->gface[1], *G2 = p->gface[2];
    const int st = m->nph + 1;
    const uint8_t *pi = L->pi;
    double s_xy = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        const int32_t *q = L->nb + 6 * i;
        const double xi = x[i];
        double s;
        if (one) {
            const double c0 = (double)((q[0] != n) + (q[1] != n)), c1 = (double)((q[2] != n) + (q[3] != n)),
                         c2 = (double)((q[4] != n) + (q[5] != n));
            s = (G0[0] * c0 + G1[0] * c1 + G2[0] * c2) * xi - G0[0] * (x[q[0]] + x[q[1]]) -
                G1[0] * (x[q[2]] + x[q[3]]) - G2[0] * (x[q[4]] + x[q[5]]);
        } else {
            const int pp = pi[i] * st;
            const double a0 = G0[pp + pi[q[0]]], a1 = G0[pp + pi[q[1]]], a2 = G1[pp + pi[q[2]]],
                         a3 = G1[pp + pi[q[3]]], a4 = G2[pp + pi[q[4]]], a5 = G2[pp + pi[q[5]]];
            s = (a0 + a1 + a2 + a3 + a4 + a5) * xi - a0 * x[q[0]] - a1 * x[q[1]] - a2 * x[q[2]] - a3 * x[q[3]] -
                a4 * x[q[4]] - a5 * x[q[5]];
        }
        y[i] = s;
        s_xy += xi * s;
    }
    const int64_t i0 = L->ps[z], i1 = L->ps[z + 1];
    if (z == 0)
        for (int64_t i = i0; i < i1; i++) {
            const double t = m->gdlo[i] * x[i];
            y[i] += t;
            s_xy += x[i] * t;
        }
    if (z == L->d[2] - 1)
        for (int64_t i = i0; i < i1; i++) {
            const double t = m->gdhi[i - i0] * x[i];
            y[i] += t;
            s_xy += x[i] * t;
        }
    *xy += s_xy;
}

/* search direction, stage A: p = z + beta p (z = x0 * gscale from the preconditioner) */
void ssbi_gmg_q_dir(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const double zs = m->gscale, beta = a->beta;
    const float *xf = L->x;
    double *pv = a->pv;
    (void)acc;
    if (beta == 0.0)
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) pv[i] = (double)xf[i] * zs;
    else
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) pv[i] = (double)xf[i] * zs + beta * pv[i];
}

/* stage B: q = A p, p . q */
void ssbi_gmg_q_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    GMG_FINE(apply_plane, m, a->prob, z, a->pv, a->q, &acc[0]);
}

/* update, stage A: x += alpha p, r -= alpha q, r . r */
static void u_update(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    const double al = a->alpha;
    double *x = a->x, *r = a->r;
    const double *pv = a->pv, *q = a->q;
    double rr = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        x[i] += al * pv[i];
        r[i] -= al * q[i];
        rr += r[i] * r[i];
    }
    acc[0] += rr;
}

/* true residual, stage B: q = A x, r = rhs - q, r . r */
void ssbi_gmg_r_true(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[0];
    double dummy = 0.0;
    GMG_FINE(apply_plane, m, a->prob, z, a->x, a->q, &dummy);
    double *r = a->r;
    const double *q = a->q;
    double rr = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        r[i] = (z == 0 ? m->gdlo[i] : 0.0) - q[i];
        rr += r[i] * r[i];
    }
    acc[0] += rr;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* coarse kernels. Rows of run r of level L with off = sum_j g_ij v_j (v: the vector read through the couplings,
 * named v_ by the caller); BODY sees i and off. Fixed-length copies for the usual lengths. */
#define GMG_RUN_LEN(L, r, LEN, ...)                                                                              \
    do {                                                                                                      \
        const int32_t *q_ = (L)->ci + (r)->k0;                                                                \
        const float *g_ = (L)->cv + (r)->k0;                                                                  \
        for (int64_t i = (r)->i0; i < (r)->i1; i++, q_ += (LEN), g_ += (LEN)) {                               \
            float off = 0.0f;                                                                                 \
            for (int e_ = 0; e_ < (LEN); e_++) off += g_[e_] * v_[q_[e_]];                                   \
            __VA_ARGS__                                                                                       \
        }                                                                                                     \
    } while (0)
#define GMG_RUN(L, r, ...)                                                                                       \
    switch ((r)->len) {                                                                                       \
    case 0: GMG_RUN_LEN(L, r, 0, __VA_ARGS__); break;                                                         \
    case 1: GMG_RUN_LEN(L, r, 1, __VA_ARGS__); break;                                                         \
    case 2: GMG_RUN_LEN(L, r, 2, __VA_ARGS__); break;                                                         \
    case 3: GMG_RUN_LEN(L, r, 3, __VA_ARGS__); break;                                                         \
    case 4: GMG_RUN_LEN(L, r, 4, __VA_ARGS__); break;                                                         \
    case 5: GMG_RUN_LEN(L, r, 5, __VA_ARGS__); break;                                                         \
    case 6: GMG_RUN_LEN(L, r, 6, __VA_ARGS__); break;                                                         \
    case 7: GMG_RUN_LEN(L, r, 7, __VA_ARGS__); break;                                                         \
    case 8: GMG_RUN_LEN(L, r, 8, __VA_ARGS__); break;                                                         \
    default: {                                                                                                \
        const int64_t len_ = (r)->len;                                                                        \
        GMG_RUN_LEN(L, r, len_, __VA_ARGS__);                                                                 \
    }                                                                                                         \
    }

/* Gauss-Seidel update of colour c (0 red, 1 black) on plane z of coarse level L */
static inline void coarse_gs(const gmg_level *L, int64_t z, int c)
{
    float *x = L->x;
    const float *v_ = x, *b = L->b, *invd = L->invd;
    for (int64_t r = L->rs[2 * z + c]; r < L->rs[2 * z + c + 1]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, x[i] = (b[i] + off) * invd[i];)
    }
}

static void c_black(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)acc;
    coarse_gs(&m->lev[a->l], z, 1);
}

/* pre-smoothing, stage A: red x = b / d, black x = 0; zero the right-hand side of the next level */
static void c_pre_init(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *x = L->x;
    const float *b = L->b, *invd = L->invd;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) x[i] = b[i] * invd[i];
    for (int64_t i = L->pb[z]; i < L->ps[z + 1]; i++) x[i] = 0.0f;
    if (!(z & 1)) {
        const gmg_level *C = &m->lev[a->l + 1];
        memset(C->b + C->ps[z / 2], 0, (size_t)(C->ps[z / 2 + 1] - C->ps[z / 2]) * 4);
    }
}

/* pre-smoothing, stage C: red residuals (their coupling to the black unknowns) to the next level */
static void c_pre_restrict(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *cb = m->lev[a->l + 1].b;
    const float *v_ = L->x;
    const int32_t *agg = L->agg;
    (void)acc;
    for (int64_t r = L->rs[2 * z]; r < L->rs[2 * z + 1]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, cb[agg[i]] += off;)
    }
}

/* post-smoothing, stage A: coarse correction */
static void c_post_prolong(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    float *x = L->x;
    const float *xc = m->lev[a->l + 1].x;
    const int32_t *agg = L->agg;
    const float w = a->omega;
    (void)acc;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) x[i] += w * xc[agg[i]];
}

static void c_post_red(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    (void)acc;
    coarse_gs(&m->lev[a->l], z, 0);
}

/* K-cycle, stage B: y = A u; u . y, u . w (w = the right-hand side), u . v. u is the output of a cycle, whose
 * last step updates the red unknowns: their rows of A u equal w, so only the black rows are computed. */
static void k_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *v_ = a->u, *u = a->u, *dg = L->dg, *w = a->w, *v = a->v;
    float *y = a->y;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    for (int64_t i = L->ps[z]; i < L->pb[z]; i++) {
        if (y) y[i] = w[i];
        s1 += (double)u[i] * w[i];
        if (v) s2 += (double)u[i] * v[i];
    }
    s0 = s1;
    for (int64_t r = L->rs[2 * z + 1]; r < L->rs[2 * z + 2]; r++) {
        const gmg_run *ru = &L->run[r];
        GMG_RUN(L, ru, {
            const float t = u[i] * dg[i] - off;
            if (y) y[i] = t;
            s0 += (double)u[i] * t;
            s1 += (double)u[i] * w[i];
            if (v) s2 += (double)u[i] * v[i];
        })
    }
    acc[0] += s0;
    acc[1] += s1;
    acc[2] += s2;
}

/* K-cycle, stage A: y = w - a1 v; y . y, w . w */
static void k_axpy(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *w = a->w, *v = a->v, a1 = a->a1;
    float *y = a->y;
    double s0 = 0.0, s1 = 0.0;
    for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) {
        const float t = w[i] - a1 * v[i];
        y[i] = t;
        s0 += (double)t * t;
        s1 += (double)w[i] * w[i];
    }
    acc[0] += s0;
    acc[1] += s1;
}

/* K-cycle, stage A: y = a1 u + a2 y (y is not read if a2 = 0) */
static void k_comb(const gmg *m, const gmg_args *a, int64_t z, double *acc)
{
    const gmg_level *L = &m->lev[a->l];
    const float *u = a->u, a1 = a->a1, a2 = a->a2;
    float *y = a->y;
    (void)acc;
    if (a2 == 0.0f)
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) y[i] = a1 * u[i];
    else
        for (int64_t i = L->ps[z]; i < L->ps[z + 1]; i++) y[i] = a1 * u[i] + a2 * y[i];
}

/* ---------------------------------------------------------------------------------------------------------- */
/* the cycle */

static void dense_solve(const gmg_level *L)
{
    const int64_t n = L->n;
    const double *A = L->chol;
    double y[GMG_NCOARSE];
    for (int64_t i = 0; i < n; i++) {
        double s = L->b[i];
        for (int64_t k = 0; k < i; k++) s -= A[i * n + k] * y[k];
        y[i] = s / A[i * n + i];
    }
    for (int64_t i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int64_t k = i + 1; k < n; k++) s -= A[k * n + i] * y[k];
        y[i] = s / A[i * n + i];
    }
    for (int64_t i = 0; i < n; i++) L->x[i] = (float)y[i];
}

static void swapf(float **a, float **b)
{
    float *t = *a;
    *a = *b;
    *b = t;
}

static void vcycle(gmg *m, int l);

/* Approximate solve on level l >= 1 (b -> x): a K-cycle (two flexible-CG steps preconditioned by the cycle of
 * level l, Notay's K-cycle) on the levels that have the extra vectors, else one cycle. The vectors are swapped
 * rather than copied; b is the same on return. */
static void coarse_solve(gmg *m, int l)
{
    gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1 || !L->kr) {
        vcycle(m, l);
        return;
    }
    double s[4];
    gmg_args a;
    memset(&a, 0, sizeof a);
    a.l = l;
    vcycle(m, l);
    swapf(&L->x, &L->kc); /* kc = c1 = B^-1 R (R = b) */
    a.u = L->kc;
    a.y = L->kv;
    a.w = L->b;
    ssbi_gmg_pipeline(m, L, NULL, k_apply, NULL, &a, s); /* kv = A c1 */
    const double rho1 = s[0], alpha1 = s[1];
    if (!(rho1 > 0.0)) {
        swapf(&L->x, &L->kc);
        return;
    }
    a.a1 = (float)(alpha1 / rho1);
    a.w = L->b;
    a.v = L->kv;
    a.y = L->kr;
    ssbi_gmg_pipeline(m, L, k_axpy, NULL, NULL, &a, s); /* kr = R - a1 A c1 */
    a.u = L->kc;
    a.y = L->x;
    a.a2 = 0.0f;
    if (s[0] <= 0.0625 * s[1]) { /* ||r2|| <= 0.25 ||R||: one step is enough */
        ssbi_gmg_pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
        return;
    }
    swapf(&L->b, &L->kr); /* b = r2, kr = R */
    vcycle(m, l);         /* x = c2 */
    a.u = L->x;
    a.y = NULL;
    a.w = L->b;
    a.v = L->kv;
    ssbi_gmg_pipeline(m, L, NULL, k_apply, NULL, &a, s);
    const double beta = s[0], alpha2 = s[1], gamma = s[2];
    swapf(&L->b, &L->kr); /* b = R */
    const double rho2 = beta - gamma * gamma / rho1;
    a.u = L->kc;
    a.y = L->x;
    if (!(rho2 > 0.0)) {
        a.a2 = 0.0f;
    } else {
        a.a1 = (float)(alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2));
        a.a2 = (float)(alpha2 / rho2);
    }
    ssbi_gmg_pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
}

/* One multigrid cycle on level l >= 1: x = M_l^{-1} b. */
static void vcycle(gmg *m, int l)
{
    const gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1) {
        dense_solve(L);
        return;
    }
    gmg_args a;
    memset(&a, 0, sizeof a);
    a.l = l;
    a.omega = m->lev[l + 1].kr ? 1.0f : GMG_OMEGA;
    ssbi_gmg_pipeline(m, L, c_pre_init, c_black, c_pre_restrict, &a, NULL);
    coarse_solve(m, l + 1);
    ssbi_gmg_pipeline(m, L, c_post_prolong, c_black, c_post_red, &a, NULL);
}

/* x0 = M^{-1} r on level 0 (z = x0 * gscale); returns r . z and (if q) q . z (for the flexible-CG beta). */
/* x0 = M^{-1} r on level 0 (z = x0 * gscale) in two parts. ssbi_gmg_precond_pre: pre-smoothing and restriction; with
 * a->upd it first applies the CG update (x += alpha p, r -= alpha q) and returns r . r, else 0.
 * ssbi_gmg_precond_post: coarse correction and post-smoothing; returns r . z and (if a->q) q . z (flexible-CG beta). */
double ssbi_gmg_precond_pre(gmg *m, const gmg_args *a)
{
    double s[4];
    ssbi_gmg_pipeline(m, &m->lev[0], a->upd ? f_upd_init : f_pre_init, f_black,
                    m->nlev > 1 ? f_pre_restrict : NULL, a, s);
    return s[0];
}

void ssbi_gmg_precond_post(gmg *m, gmg_args *a, double *rz, double *zq)
{
    double s[4];
    a->omega = m->nlev > 1 && m->lev[1].kr ? 1.0f : GMG_OMEGA;
    if (m->nlev > 1) coarse_solve(m, 1);
    ssbi_gmg_pipeline(m, &m->lev[0], m->nlev > 1 ? f_post_prolong : NULL, f_black, f_post_red, a, s);
    *rz = s[0];
    *zq = s[1];
}

