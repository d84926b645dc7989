/* "gmg": matrix-free flexible conjugate gradients (double) on the compressed set of unknowns, preconditioned by
 * an aggregation multigrid K-cycle in single precision.
 *
 * Hierarchy: level 0 is the voxel problem itself (neighbour indices, phase per unknown, conductances from the
 * phase tables). Level l+1 aggregates the 2x2x2 blocks of level l (piecewise-constant prolongation P); its
 * Galerkin operator P^T A P is again a 7-point operator whose face conductance is the sum of the conductances
 * crossing the block face and whose Dirichlet conductance is the sum of the children's. Coarsening stops at
 * GMG_NCOARSE unknowns, solved by a dense Cholesky factorisation in double.
 * Smoother: red-black Gauss-Seidel (colour = parity of x+y+z), forward before and backward after the coarse
 * correction. Plain aggregation underestimates the smooth error, so the coarse problems are solved by Notay's
 * K-cycle: two flexible-CG steps per coarse level, each preconditioned by the cycle of that level (measured on
 * the 250^3 corner of the TauFactor 500^3 volume: 13 outer iterations instead of 30 with a V-cycle whose
 * correction is scaled by 1.7, about 1.9x faster overall). The preconditioner is then slightly nonlinear and the
 * outer iteration uses the Polak-Ribiere (flexible) beta. GMG_KCYCLE=0 gives the scaled V-cycle instead.
 * Memory: about 38 bytes per unknown on level 0 + 32 for CG + ~75 per coarse unknown; a transient 4-byte index
 * per voxel during set-up. Absent neighbours point to a dummy unknown n (zero conductance, zero value). */
#include "transport/transport_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

#define GMG_NCOARSE 800
#define GMG_MAXLEV 40
#define GMG_PAR_MIN 131072 /* below this many unknowns a kernel runs on one thread */

#ifndef GMG_KFIRST
#define GMG_KFIRST 1
#endif
#ifndef GMG_KEVERY
#define GMG_KEVERY 1
#endif
#ifndef GMG_KCYCLE
#define GMG_KCYCLE 1
#endif
#ifndef GMG_COARSE_SWEEPS
#define GMG_COARSE_SWEEPS 2
#endif
#ifndef GMG_FINE_SWEEPS
#define GMG_FINE_SWEEPS 1 /* symmetric red-black sweeps on level 0 before and after the coarse correction */
#endif
#ifndef GMG_OMEGA
#define GMG_OMEGA 1.7f
#endif

enum { FL_XM = 1, FL_XP = 2, FL_RED = 4 };

/* Rows [i0, i1) of a coarse level with len entries each, stored from entry k0 on. */
typedef struct {
    int64_t i0, i1, k0;
    int64_t len;
} gmg_run;

typedef struct {
    int64_t n, d[3];
    int64_t *ps;    /* plane starts, d[2] + 1 */
    /* level 0 only */
    uint8_t *fl;    /* flags */
    uint8_t *pi;    /* phase index per unknown, pi[n] = nph (dummy) */
    int32_t *nb4;   /* y-, y+, z-, z+ neighbours (n if absent) */
    /* coarse levels only: off-diagonal conductances (a_ij = -cv), as compressed rows during the set-up (rp, col)
     * and, above the coarsest level, as runs afterwards (see finalize_level) */
    int64_t *rp;    /* row starts, n + 1 */
    uint8_t *col;   /* 1 if red */
    int32_t *ci;    /* column of each entry */
    float *cv;      /* conductance of each entry (> 0) */
    int64_t *pb;    /* first black unknown of each plane */
    int64_t *rs;    /* runs of plane Z and colour c (0 red, 1 black): [rs[2Z + c], rs[2Z + c + 1]) */
    gmg_run *run;
    int64_t nrun;
    /* all levels */
    float *invd;    /* 1 / diagonal */
    float *dg;      /* diagonal */
    float *kr, *kc, *kv; /* K-cycle work vectors (NULL: plain cycle on this level) */
    int nsweep;     /* smoothing sweeps before and after the coarse correction */
    float *gdlo, *gdhi; /* Dirichlet conductances of the first / last plane */
    int32_t *agg;   /* parent in level l+1 (not on the last level) */
    float *x, *b;   /* n + 1 entries, x[n] = 0 */
    double *chol;   /* last level: dense Cholesky factor (n x n, lower) */
    int64_t nnz;    /* coarse levels: number of off-diagonal entries */
} gmg_level;

typedef struct {
    int nlev;
    gmg_level lev[GMG_MAXLEV];
    int nph;
    float *gf[3]; /* float conductance tables (normalised) */
    float g1[3];  /* the same for a single conducting phase */
    double gscale;
    int nt;
    int64_t bytes, peak;
    const uint8_t *ph;        /* the problem's phase map (level-0 positions) */
    uint8_t pc_np[256];       /* pieces of a 2x2x2 voxel block by occupancy pattern (bit c: corner x + 2y + 4z) */
    uint8_t pc_id[256][8];    /* piece of each occupied corner */
} gmg;

/* ---------------------------------------------------------------------------------------------------------- */
/* allocation accounting */

static void *gmalloc(ssb_ctx *ctx, gmg *m, size_t nbytes, const char *what)
{
    void *p = ssbi_malloc(ctx, nbytes, what);
    if (p) {
        m->bytes += (int64_t)nbytes;
        if (m->bytes > m->peak) m->peak = m->bytes;
    }
    return p;
}

static void gfree(gmg *m, void *p, size_t nbytes)
{
    if (!p) return;
    free(p);
    m->bytes -= (int64_t)nbytes;
}

static void level_free(gmg_level *L)
{
    free(L->ps);
    free(L->fl);
    free(L->pi);
    free(L->nb4);
    free(L->rp);
    free(L->ci);
    free(L->cv);
    free(L->pb);
    free(L->rs);
    free(L->run);
    free(L->col);
    free(L->invd);
    free(L->dg);
    free(L->kr);
    free(L->kc);
    free(L->kv);
    free(L->gdlo);
    free(L->gdhi);
    free(L->agg);
    free(L->x);
    free(L->b);
    free(L->chol);
    memset(L, 0, sizeof *L);
}

static void gmg_free(gmg *m)
{
    for (int l = 0; l < GMG_MAXLEV; l++) level_free(&m->lev[l]);
    for (int k = 0; k < 3; k++) free(m->gf[k]);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* level-0 neighbours and conductances (float, normalised) */

static inline void fine_nbg(const gmg *m, const gmg_level *L, int64_t i, int64_t nb[6], float g[6])
{
    const int64_t n = L->n;
    const uint8_t f = L->fl[i];
    const int st = m->nph + 1;
    const int p = L->pi[i] * st;
    nb[0] = (f & FL_XM) ? i - 1 : n;
    nb[1] = (f & FL_XP) ? i + 1 : n;
    for (int k = 0; k < 4; k++) nb[2 + k] = L->nb4[4 * i + k];
    for (int k = 0; k < 6; k++) g[k] = m->gf[k >> 1][p + L->pi[nb[k]]];
}

/* ---------------------------------------------------------------------------------------------------------- */
/* set-up */

/* Level 0 from the problem. cs (nvox + 1 entries) receives the position starts of the local grid: cs[v] is the
 * number of unknowns before voxel v. */
static int setup_fine(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, int32_t *cs)
{
    gmg_level *L = &m->lev[0];
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny, n = p->nunk;
    const int nt = m->nt;
    L->n = n;
    memcpy(L->d, p->n, sizeof L->d);
    L->ps = gmalloc(ctx, m, (size_t)(nz + 1) * 8, "gmg plane offsets");
    L->fl = gmalloc(ctx, m, (size_t)n, "gmg flags");
    L->pi = gmalloc(ctx, m, (size_t)n + 1, "gmg phases");
    L->nb4 = gmalloc(ctx, m, (size_t)n * 16, "gmg neighbours");
    L->invd = gmalloc(ctx, m, (size_t)n * 4, "gmg diagonal");
    L->dg = gmalloc(ctx, m, (size_t)n * 4, "gmg diagonal");
    L->x = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg vector");
    L->b = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg vector");
    L->nsweep = 1;
    if (!L->ps || !L->fl || !L->pi || !L->nb4 || !L->invd || !L->dg || !L->x || !L->b) return SSB_ERR_NOMEM;
    memcpy(L->ps, p->plane_start, (size_t)(nz + 1) * 8);
    const uint8_t *ph = p->ph;
    const int64_t *ps = p->plane_start;
    /* position starts */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t z = 0; z < nz; z++) {
        int64_t c = ps[z];
        for (int64_t v = z * npl; v < (z + 1) * npl; v++) {
            cs[v] = (int32_t)c;
            c += ph[v] != 0;
        }
    }
    cs[nz * npl] = (int32_t)n;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t z = 0; z < nz; z++) {
        int64_t i = ps[z];
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * (y + ny * z);
                if (!ph[v]) continue;
                uint8_t f = (uint8_t)(((x + y + z) & 1) == 0 ? FL_RED : 0);
                if (x > 0 && ph[v - 1]) f |= FL_XM;
                if (x + 1 < nx && ph[v + 1]) f |= FL_XP;
                L->fl[i] = f;
                L->pi[i] = (uint8_t)(ph[v] - 1);
                int32_t *q = L->nb4 + 4 * i;
                q[0] = y > 0 && ph[v - nx] ? cs[v - nx] : (int32_t)n;
                q[1] = y + 1 < ny && ph[v + nx] ? cs[v + nx] : (int32_t)n;
                q[2] = z > 0 && ph[v - npl] ? cs[v - npl] : (int32_t)n;
                q[3] = z + 1 < nz && ph[v + npl] ? cs[v + npl] : (int32_t)n;
                i++;
            }
    }
    L->pi[n] = (uint8_t)m->nph;
    /* diagonal (float, normalised) */
    const int64_t n0 = ps[1], hs = ps[nz - 1];
    L->gdlo = gmalloc(ctx, m, (size_t)(n0 + 1) * 4, "gmg Dirichlet");
    L->gdhi = gmalloc(ctx, m, (size_t)(n - hs + 1) * 4, "gmg Dirichlet");
    if (!L->gdlo || !L->gdhi) return SSB_ERR_NOMEM;
    for (int64_t i = 0; i < n0; i++) L->gdlo[i] = (float)(p->gd_lo[i] / m->gscale);
    for (int64_t i = hs; i < n; i++) L->gdhi[i - hs] = (float)(p->gd_hi[i - hs] / m->gscale);
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t i = 0; i < n; i++) {
        int64_t nb[6];
        float g[6];
        fine_nbg(m, L, i, nb, g);
        double d = 0.0;
        for (int k = 0; k < 6; k++) d += g[k];
        if (i < n0) d += L->gdlo[i];
        if (i >= hs) d += L->gdhi[i - hs];
        L->invd[i] = (float)(1.0 / d);
        L->dg[i] = (float)d;
    }
    L->x[n] = 0.0f;
    return SSB_OK;
}

/* Level l+1 from level l by aggregation. The unknowns of level l sit on a structured grid of positions (d[]),
 * several unknowns may share a position, and an unknown couples only to unknowns at the six face-adjacent
 * positions; cs[v] (npos + 1 entries) is the first unknown at position v (unknowns are ordered by position).
 * Every 2x2x2 block of positions is split into the connected pieces of its unknowns (coupling inside the
 * block); each piece becomes one unknown of level l+1 (split = 0: the whole block is one aggregate). So the
 * coarse unknowns keep those properties, and the parity of the block is a red-black colouring on every level. */

/* Unknown ranges of the 2x2x2 block (X, Y, Z) of a level with position dims fd: at most 4 contiguous ranges
 * (one per (y, z) row pair of positions). */
typedef struct {
    int64_t lo[4], hi[4], base[4], k;
    int nr;
} blk_ranges;

static void block_ranges(const int32_t *cs, const int64_t fd[3], int64_t X, int64_t Y, int64_t Z, blk_ranges *r)
{
    const int64_t fx = fd[0], fy = fd[1], fz = fd[2];
    const int64_t x0 = 2 * X, x1 = 2 * X + 2 < fx ? 2 * X + 2 : fx;
    r->nr = 0;
    r->k = 0;
    for (int64_t z = 2 * Z; z < 2 * Z + 2 && z < fz; z++)
        for (int64_t y = 2 * Y; y < 2 * Y + 2 && y < fy; y++) {
            const int64_t row = fx * (y + fy * z);
            const int64_t lo = cs[row + x0], hi = cs[row + x1];
            if (hi > lo) {
                r->lo[r->nr] = lo;
                r->hi[r->nr] = hi;
                r->base[r->nr] = r->k;
                r->k += hi - lo;
                r->nr++;
            }
        }
}

static inline int64_t block_local(const blk_ranges *r, int64_t j)
{
    for (int q = 0; q < r->nr; q++)
        if (j >= r->lo[q] && j < r->hi[q]) return r->base[q] + j - r->lo[q];
    return -1;
}

static inline int64_t block_global(const blk_ranges *r, int64_t a)
{
    int q = 0;
    while (q + 1 < r->nr && a >= r->base[q + 1]) q++;
    return r->lo[q] + a - r->base[q];
}

/* Couplings of unknown i of level l: count, and pointers to the neighbour indices and conductances (level 0:
 * filled into the caller's 6-entry buffers). */
static inline int level_edges(const gmg *m, int l, int64_t i, int32_t tj[6], float tg[6], const int32_t **pj,
                              const float **pg)
{
    const gmg_level *L = &m->lev[l];
    if (l == 0) {
        int64_t nb[6];
        float g[6];
        fine_nbg(m, L, i, nb, g);
        int c = 0;
        for (int k = 0; k < 6; k++)
            if (nb[k] != L->n && g[k] > 0.0f) {
                tj[c] = (int32_t)nb[k];
                tg[c] = g[k];
                c++;
            }
        *pj = tj;
        *pg = tg;
        return c;
    }
    *pj = L->ci + L->rp[i];
    *pg = L->cv + L->rp[i];
    return (int)(L->rp[i + 1] - L->rp[i]);
}

/* Per-thread work space of the aggregation. */
typedef struct {
    int64_t cap, rcap;
    int32_t *par, *pid, *ord, *cnt;
    int32_t *rj;
    float *rg;
} agg_ws;

static int ws_reserve(agg_ws *w, int64_t k, int64_t r)
{
    if (k > w->cap) {
        int64_t c = k > 2 * w->cap ? k : 2 * w->cap;
        int32_t *a = realloc(w->par, (size_t)c * 4), *b = a ? realloc(w->pid, (size_t)c * 4) : NULL;
        if (a) w->par = a;
        if (b) w->pid = b;
        int32_t *o = b ? realloc(w->ord, (size_t)c * 4) : NULL;
        if (o) w->ord = o;
        int32_t *n = o ? realloc(w->cnt, (size_t)(c + 1) * 4) : NULL;
        if (n) w->cnt = n;
        if (!n) return SSB_ERR_NOMEM;
        w->cap = c;
    }
    if (r > w->rcap) {
        int64_t c = r > 2 * w->rcap ? r : 2 * w->rcap;
        int32_t *a = realloc(w->rj, (size_t)c * 4);
        if (a) w->rj = a;
        float *b = a ? realloc(w->rg, (size_t)c * 4) : NULL;
        if (b) w->rg = b;
        if (!b) return SSB_ERR_NOMEM;
        w->rcap = c;
    }
    return SSB_OK;
}

static void ws_free(agg_ws *w)
{
    free(w->par);
    free(w->pid);
    free(w->ord);
    free(w->cnt);
    free(w->rj);
    free(w->rg);
}

static inline int32_t uf_find(int32_t *par, int32_t a)
{
    while (par[a] != a) {
        par[a] = par[par[a]];
        a = par[a];
    }
    return a;
}

/* Connected pieces (6-connectivity) of every occupancy pattern of a 2x2x2 voxel block. */
static void piece_tables(gmg *m)
{
    for (int pat = 0; pat < 256; pat++) {
        int par[8], np = 0;
        for (int c = 0; c < 8; c++) par[c] = c;
        for (int c = 0; c < 8; c++)
            for (int d = 1; d < 8; d <<= 1) {
                const int c2 = c ^ d;
                if (!((pat >> c) & 1) || !((pat >> c2) & 1)) continue;
                int a = c, b = c2;
                while (par[a] != a) a = par[a];
                while (par[b] != b) b = par[b];
                if (a != b) par[a > b ? a : b] = a < b ? a : b;
            }
        int id[8];
        for (int c = 0; c < 8; c++) id[c] = -1;
        for (int c = 0; c < 8; c++) {
            m->pc_id[pat][c] = 255;
            if (!((pat >> c) & 1)) continue;
            int r = c;
            while (par[r] != r) r = par[r];
            if (id[r] < 0) id[r] = np++;
            m->pc_id[pat][c] = (uint8_t)id[r];
        }
        m->pc_np[pat] = (uint8_t)np;
    }
}

/* Occupancy pattern of the voxel block (X, Y, Z) of level 0 and the positions of its 8 corners (-1 outside). */
static inline int voxel_block(const gmg *m, int64_t X, int64_t Y, int64_t Z, int64_t v[8])
{
    const int64_t *d = m->lev[0].d;
    int pat = 0;
    for (int c = 0; c < 8; c++) {
        const int64_t x = 2 * X + (c & 1), y = 2 * Y + ((c >> 1) & 1), z = 2 * Z + (c >> 2);
        v[c] = -1;
        if (x >= d[0] || y >= d[1] || z >= d[2]) continue;
        v[c] = x + d[0] * (y + d[1] * z);
        if (m->ph[v[c]]) pat |= 1 << c;
    }
    return pat;
}

/* Pass 1 over the blocks of coarse plane Z: local piece index of every unknown in agg, piece count of every block
 * in bc. Returns the plane's piece count, or -1 when out of memory. */
static int64_t agg_pieces(const gmg *m, int l, const int32_t *cs, int64_t Z, int split, int32_t *bc, agg_ws *w)
{
    const gmg_level *F = &m->lev[l];
    const int64_t cx = (F->d[0] + 1) / 2, cy = (F->d[1] + 1) / 2;
    int32_t *agg = F->agg;
    int64_t total = 0;
    for (int64_t Y = 0; Y < cy; Y++)
        for (int64_t X = 0; X < cx; X++) {
            const int64_t blk = X + cx * (Y + cy * Z);
            if (l == 0 && split) { /* voxel blocks: pieces from the occupancy pattern */
                int64_t v[8];
                const int pat = voxel_block(m, X, Y, Z, v);
                for (int c = 0; c < 8; c++)
                    if ((pat >> c) & 1) agg[cs[v[c]]] = m->pc_id[pat][c];
                bc[blk] = m->pc_np[pat];
                total += m->pc_np[pat];
                continue;
            }
            blk_ranges r;
            block_ranges(cs, F->d, X, Y, Z, &r);
            if (r.k == 0) {
                bc[blk] = 0;
                continue;
            }
            if (!split) {
                for (int q = 0; q < r.nr; q++)
                    for (int64_t i = r.lo[q]; i < r.hi[q]; i++) agg[i] = 0;
                bc[blk] = 1;
                total++;
                continue;
            }
            if (ws_reserve(w, r.k, 0) != SSB_OK) return -1;
            int32_t *par = w->par, *pid = w->pid;
            for (int64_t a = 0; a < r.k; a++) {
                par[a] = (int32_t)a;
                pid[a] = -1;
            }
            for (int q = 0; q < r.nr; q++)
                for (int64_t i = r.lo[q]; i < r.hi[q]; i++) {
                    int32_t tj[6];
                    float tg[6];
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, tj, tg, &pj, &pg);
                    const int32_t a = (int32_t)(r.base[q] + i - r.lo[q]);
                    for (int e = 0; e < ne; e++) {
                        const int64_t b = block_local(&r, pj[e]);
                        if (b < 0) continue;
                        int32_t ra = uf_find(par, a), rb = uf_find(par, (int32_t)b);
                        if (ra != rb) par[ra > rb ? ra : rb] = ra < rb ? ra : rb;
                    }
                }
            int32_t np = 0;
            for (int q = 0; q < r.nr; q++)
                for (int64_t i = r.lo[q]; i < r.hi[q]; i++) {
                    const int32_t root = uf_find(par, (int32_t)(r.base[q] + i - r.lo[q]));
                    if (pid[root] < 0) pid[root] = np++;
                    agg[i] = pid[root];
                }
            bc[blk] = np;
            total += np;
        }
    return total;
}

/* Entries of the coarse rows of one coarse plane, in row order (moved into the level's arrays afterwards). */
typedef struct {
    int32_t *j;
    float *g;
    int64_t nnz, cap;
} plane_rows;

/* Store the row of coarse unknown I (entries in w->rj / w->rg) and its diagonal, colour (parity of the block
 * coordinate sum par) and Dirichlet conductances. */
static int agg_emit(const gmg_level *C, int32_t I, int64_t par, int64_t len, double dsum, double glo, double ghi,
                    int64_t cn0, int64_t chs, plane_rows *pr, const agg_ws *w)
{
    if (pr->nnz + len > pr->cap) {
        int64_t c = pr->nnz + len > 2 * pr->cap ? pr->nnz + len + 1024 : 2 * pr->cap;
        int32_t *nj = realloc(pr->j, (size_t)c * 4);
        if (nj) pr->j = nj;
        float *ng = nj ? realloc(pr->g, (size_t)c * 4) : NULL;
        if (!ng) return SSB_ERR_NOMEM;
        pr->g = ng;
        pr->cap = c;
    }
    memcpy(pr->j + pr->nnz, w->rj, (size_t)len * 4);
    memcpy(pr->g + pr->nnz, w->rg, (size_t)len * 4);
    pr->nnz += len;
    C->rp[I + 1] = len;
    if (I < cn0) C->gdlo[I] = (float)glo;
    if (I >= chs) C->gdhi[I - chs] = (float)ghi;
    const double d = dsum + glo + ghi;
    C->dg[I] = (float)d;
    C->invd[I] = (float)(1.0 / d);
    C->col[I] = (par & 1) == 0;
    return SSB_OK;
}

/* Pass 2 over the blocks of coarse plane Z: the Galerkin rows of its coarse unknowns (lengths into C->rp[I + 1],
 * entries into pr), diagonal, colour and Dirichlet conductances. Returns SSB_OK or SSB_ERR_NOMEM. */
static int agg_rows(const gmg *m, int l, const int32_t *cs, const int32_t *ccs, int64_t Z, plane_rows *pr,
                    agg_ws *w)
{
    const gmg_level *F = &m->lev[l];
    const gmg_level *C = &m->lev[l + 1];
    const int64_t cx = (F->d[0] + 1) / 2, cy = (F->d[1] + 1) / 2;
    const int64_t fn0 = F->ps[1], fhs = F->ps[F->d[2] - 1], cn0 = C->ps[1], chs = C->ps[C->d[2] - 1];
    const int32_t *agg = F->agg;
    for (int64_t Y = 0; Y < cy; Y++)
        for (int64_t X = 0; X < cx; X++) {
            const int64_t blk = X + cx * (Y + cy * Z);
            const int64_t base = ccs[blk], np = ccs[blk + 1] - base;
            if (np == 0) continue;
            if (l == 0) { /* voxel blocks: every corner couples outside the block along its three outer faces */
                int64_t v[8];
                const int pat = voxel_block(m, X, Y, Z, v);
                const int64_t *d = F->d, str[3] = {1, d[0], d[0] * d[1]};
                const int st = m->nph + 1;
                if (ws_reserve(w, 8, 24) != SSB_OK) return SSB_ERR_NOMEM;
                for (int64_t p = 0; p < np; p++) {
                    const int32_t I = (int32_t)(base + p);
                    int64_t len = 0;
                    double dsum = 0.0, glo = 0.0, ghi = 0.0;
                    for (int c = 0; c < 8; c++) {
                        if (!((pat >> c) & 1) || (np > 1 && F->agg[cs[v[c]]] != I)) continue;
                        const int64_t i = cs[v[c]];
                        const int pii = F->pi[i] * st;
                        for (int a = 0; a < 3; a++) {
                            const int hi = (c >> a) & 1;
                            const int64_t co = a == 0 ? 2 * X + hi : a == 1 ? 2 * Y + hi : 2 * Z + hi;
                            if (hi ? co + 1 >= d[a] : co == 0) continue;
                            const int64_t wv = v[c] + (hi ? str[a] : -str[a]);
                            if (!m->ph[wv]) continue;
                            const int32_t j = cs[wv], J = F->agg[j];
                            const float g = m->gf[a][pii + F->pi[j]];
                            dsum += g;
                            int64_t s = 0;
                            while (s < len && w->rj[s] != J) s++;
                            if (s == len) {
                                w->rj[len] = J;
                                w->rg[len] = 0.0f;
                                len++;
                            }
                            w->rg[s] += g;
                        }
                        if (i < fn0) glo += F->gdlo[i];
                        if (i >= fhs) ghi += F->gdhi[i - fhs];
                    }
                    if (agg_emit(C, I, X + Y + Z, len, dsum, glo, ghi, cn0, chs, pr, w) != SSB_OK)
                        return SSB_ERR_NOMEM;
                }
                continue;
            }
            blk_ranges r;
            block_ranges(cs, F->d, X, Y, Z, &r);
            if (ws_reserve(w, r.k, 16) != SSB_OK) return SSB_ERR_NOMEM;
            /* members of each piece (counting sort of the block's unknowns by piece) */
            int32_t *cnt = w->cnt, *ord = w->ord;
            if (np == 1) {
                for (int64_t a = 0; a < r.k; a++) ord[a] = (int32_t)a;
                cnt[0] = 0;
                cnt[1] = (int32_t)r.k;
            } else {
                for (int64_t p = 0; p <= np; p++) cnt[p] = 0;
                for (int64_t a = 0; a < r.k; a++) cnt[agg[block_global(&r, a)] - base + 1]++;
                for (int64_t p = 0; p < np; p++) cnt[p + 1] += cnt[p];
                for (int64_t a = 0; a < r.k; a++) ord[cnt[agg[block_global(&r, a)] - base]++] = (int32_t)a;
                for (int64_t p = np; p > 0; p--) cnt[p] = cnt[p - 1];
                cnt[0] = 0;
            }
            for (int64_t p = 0; p < np; p++) {
                const int32_t I = (int32_t)(base + p);
                int64_t len = 0;
                double dsum = 0.0, glo = 0.0, ghi = 0.0;
                for (int32_t t = cnt[p]; t < cnt[p + 1]; t++) {
                    const int64_t i = block_global(&r, ord[t]);
                    int32_t tj[6];
                    float tg[6];
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, tj, tg, &pj, &pg);
                    for (int e = 0; e < ne; e++) {
                        const int32_t J = agg[pj[e]];
                        if (J == I) continue;
                        dsum += pg[e];
                        int64_t s = 0;
                        while (s < len && w->rj[s] != J) s++;
                        if (s == len) {
                            if (ws_reserve(w, 0, len + 1) != SSB_OK) return SSB_ERR_NOMEM;
                            w->rj[len] = J;
                            w->rg[len] = 0.0f;
                            len++;
                        }
                        w->rg[s] += pg[e];
                    }
                    if (i < fn0) glo += F->gdlo[i];
                    if (i >= fhs) ghi += F->gdhi[i - fhs];
                }
                if (agg_emit(C, I, X + Y + Z, len, dsum, glo, ghi, cn0, chs, pr, w) != SSB_OK) return SSB_ERR_NOMEM;
            }
        }
    return SSB_OK;
}

/* Build level l+1 from level l; *csp holds the position starts of level l (replaced by those of level l+1). */
static int setup_coarse(ssb_ctx *ctx, gmg *m, int l, int32_t **csp)
{
    gmg_level *F = &m->lev[l], *C = &m->lev[l + 1];
    const int nt = m->nt;
    const int64_t fx = F->d[0], fy = F->d[1], fz = F->d[2];
    const int64_t cx = (fx + 1) / 2, cy = (fy + 1) / 2, cz = (fz + 1) / 2, cpl = cx * cy, cpos = cpl * cz;
    const int64_t fn = F->n;
    const int32_t *cs = *csp;
    C->d[0] = cx;
    C->d[1] = cy;
    C->d[2] = cz;
    C->ps = gmalloc(ctx, m, (size_t)(cz + 1) * 8, "gmg plane offsets");
    int32_t *ccs = gmalloc(ctx, m, (size_t)(cpos + 1) * 4, "gmg coarse position starts");
    F->agg = gmalloc(ctx, m, (size_t)(fn + 1) * 4, "gmg aggregates");
    if (!C->ps || !ccs || !F->agg) {
        gfree(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    int64_t *ps = C->ps;
    int err = 0;
    /* pass 1: pieces (whole blocks when splitting coarsens too slowly or only one block is left) */
    for (int split = !(cx == 1 && cy == 1 && cz == 1);; split = 0) {
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
        {
            agg_ws w;
            memset(&w, 0, sizeof w);
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int64_t Z = 0; Z < cz; Z++) {
                int64_t c = agg_pieces(m, l, cs, Z, split, ccs, &w);
                if (c < 0) {
#if SSB_HAVE_OPENMP
#pragma omp atomic write
#endif
                    err = 1;
                    c = 0;
                }
                ps[Z + 1] = c;
            }
            ws_free(&w);
        }
        if (err) break;
        ps[0] = 0;
        for (int64_t Z = 0; Z < cz; Z++) ps[Z + 1] += ps[Z];
        if (!split || 2 * ps[cz] <= fn) break;
    }
    const int64_t cn = ps[cz];
    C->n = cn;
    if (err) {
        gfree(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    /* coarse position starts; local piece indices -> coarse unknowns */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t Z = 0; Z < cz; Z++) {
        int64_t c = ps[Z];
        for (int64_t v = Z * cpl; v < (Z + 1) * cpl; v++) {
            const int64_t k = ccs[v];
            ccs[v] = (int32_t)c;
            c += k;
        }
    }
    ccs[cpos] = (int32_t)cn;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int64_t Z = 0; Z < cz; Z++)
        for (int64_t Y = 0; Y < cy; Y++)
            for (int64_t X = 0; X < cx; X++) {
                const int64_t blk = X + cx * (Y + cy * Z);
                if (ccs[blk + 1] == ccs[blk]) continue;
                blk_ranges r;
                block_ranges(cs, F->d, X, Y, Z, &r);
                for (int q = 0; q < r.nr; q++)
                    for (int64_t i = r.lo[q]; i < r.hi[q]; i++) F->agg[i] += ccs[blk];
            }
    F->agg[fn] = (int32_t)cn;
    /* passes 2 and 3: Galerkin rows */
    C->rp = gmalloc(ctx, m, (size_t)(cn + 1) * 8, "gmg coarse rows");
    C->col = gmalloc(ctx, m, (size_t)cn, "gmg colours");
    C->invd = gmalloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
    C->dg = gmalloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
    C->nsweep = 1;
    C->x = gmalloc(ctx, m, (size_t)(cn + 1) * 4, "gmg vector");
    C->b = gmalloc(ctx, m, (size_t)(cn + 1) * 4, "gmg vector");
    const int64_t cn0 = ps[1], chs = ps[cz - 1];
    C->gdlo = gmalloc(ctx, m, (size_t)(cn0 + 1) * 4, "gmg Dirichlet");
    C->gdhi = gmalloc(ctx, m, (size_t)(cn - chs + 1) * 4, "gmg Dirichlet");
    if (!C->rp || !C->col || !C->invd || !C->dg || !C->x || !C->b || !C->gdlo || !C->gdhi) {
        gfree(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERR_NOMEM;
    }
    memset(C->gdlo, 0, (size_t)(cn0 + 1) * 4);
    memset(C->gdhi, 0, (size_t)(cn - chs + 1) * 4);
    C->rp[0] = 0;
    plane_rows *pr = calloc((size_t)cz, sizeof *pr);
    if (!pr) err = 1;
    if (!err) {
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
        {
            agg_ws w;
            memset(&w, 0, sizeof w);
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int64_t Z = 0; Z < cz; Z++)
                if (agg_rows(m, l, cs, ccs, Z, &pr[Z], &w) != SSB_OK) {
#if SSB_HAVE_OPENMP
#pragma omp atomic write
#endif
                    err = 1;
                }
            ws_free(&w);
        }
    }
    if (!err) {
        for (int64_t I = 0; I < cn; I++) C->rp[I + 1] += C->rp[I];
        C->nnz = C->rp[cn];
        m->bytes += C->nnz * 8; /* the plane buffers */
        C->ci = gmalloc(ctx, m, (size_t)(C->nnz + 1) * 4, "gmg coarse columns");
        C->cv = gmalloc(ctx, m, (size_t)(C->nnz + 1) * 4, "gmg coarse conductances");
        m->bytes -= C->nnz * 8;
        if (!C->ci || !C->cv) err = 1;
    }
    if (!err) {
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
        for (int64_t Z = 0; Z < cz; Z++) {
            const int64_t k0 = C->rp[ps[Z]];
            if (pr[Z].nnz) {
                memcpy(C->ci + k0, pr[Z].j, (size_t)pr[Z].nnz * 4);
                memcpy(C->cv + k0, pr[Z].g, (size_t)pr[Z].nnz * 4);
            }
        }
    }
    if (pr)
        for (int64_t Z = 0; Z < cz; Z++) {
            free(pr[Z].j);
            free(pr[Z].g);
        }
    free(pr);
    if (err) {
        gfree(m, ccs, (size_t)(cpos + 1) * 4);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg: out of memory while aggregating level %d", l + 1);
    }
    C->x[cn] = 0.0f;
    C->b[cn] = 0.0f;
    gfree(m, (void *)cs, (size_t)(fx * fy * fz + 1) * 4);
    *csp = ccs;
    return SSB_OK;
}

/* Dense Cholesky of the last level (double). */
static int setup_dense(ssb_ctx *ctx, gmg *m, gmg_level *L)
{
    const int64_t n = L->n;
    L->chol = gmalloc(ctx, m, (size_t)(n * n) * 8, "gmg coarse factor");
    if (!L->chol) return SSB_ERR_NOMEM;
    double *A = L->chol;
    memset(A, 0, (size_t)(n * n) * 8);
    for (int64_t i = 0; i < n; i++) {
        double d = 0.0;
        for (int64_t k = L->rp[i]; k < L->rp[i + 1]; k++) {
            const double g = L->cv[k];
            d += g;
            A[i * n + L->ci[k]] -= g;
        }
        if (i < L->ps[1]) d += L->gdlo[i];
        if (i >= L->ps[L->d[2] - 1]) d += L->gdhi[i - L->ps[L->d[2] - 1]];
        A[i * n + i] = d;
    }
    for (int64_t j = 0; j < n; j++) {
        double s = A[j * n + j];
        for (int64_t k = 0; k < j; k++) s -= A[j * n + k] * A[j * n + k];
        if (!(s > 0.0)) return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: coarse matrix is not positive definite");
        s = sqrt(s);
        A[j * n + j] = s;
        for (int64_t i = j + 1; i < n; i++) {
            double t = A[i * n + j];
            for (int64_t k = 0; k < j; k++) t -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = t / s;
        }
    }
    return SSB_OK;
}

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

/* ---------------------------------------------------------------------------------------------------------- */
/* level-0 kernels (one = single conducting phase: constant conductance per axis, no table look-ups) */

static inline float fine_off(const gmg *m, const gmg_level *L, int64_t i, const float *x, const int one)
{
    const uint8_t f = L->fl[i];
    const int64_t n = L->n;
    const int32_t *q = L->nb4 + 4 * i;
    const int64_t jm = (f & FL_XM) ? i - 1 : n, jp = (f & FL_XP) ? i + 1 : n;
    if (one) return m->g1[0] * (x[jm] + x[jp]) + m->g1[1] * (x[q[0]] + x[q[1]]) + m->g1[2] * (x[q[2]] + x[q[3]]);
    const int p = L->pi[i] * (m->nph + 1);
    const float *gx = m->gf[0] + p, *gy = m->gf[1] + p, *gz = m->gf[2] + p;
    const uint8_t *pi = L->pi;
    return gx[pi[jm]] * x[jm] + gx[pi[jp]] * x[jp] + gy[pi[q[0]]] * x[q[0]] + gy[pi[q[1]]] * x[q[1]] +
           gz[pi[q[2]]] * x[q[2]] + gz[pi[q[3]]] * x[q[3]];
}

#if SSB_HAVE_OPENMP
#define GMG_PRAGMA(x) _Pragma(#x)
/* parallel loop over n items with the solver's thread count (serial when small), with a sum reduction */
#define GMG_FOR(n) GMG_PRAGMA(omp parallel for schedule(static) num_threads(m->nt) if ((n) > GMG_PAR_MIN))
#define GMG_FOR_RED(n, ...)                                                                                    \
    GMG_PRAGMA(omp parallel for schedule(static) num_threads(m->nt) reduction(+ : __VA_ARGS__) if ((n) > GMG_PAR_MIN))
#define GMG_PRAGMA_FOR_NT GMG_PRAGMA(omp parallel for schedule(static) num_threads(nt))
#else
#define GMG_FOR(n)
#define GMG_FOR_RED(n, ...)
#define GMG_PRAGMA_FOR_NT
#endif

/* One GS half-sweep on level 0 (right-hand side L->b, normalised single precision). */
static void fine_half(const gmg *m, const gmg_level *L, int red)
{
    const int64_t n = L->n;
    float *x = L->x;
    const float *b = L->b;
    const uint8_t want = red ? FL_RED : 0;
    if (m->nph == 1) {
        GMG_FOR(n)
        for (int64_t i = 0; i < n; i++)
            if ((L->fl[i] & FL_RED) == want) x[i] = (b[i] + fine_off(m, L, i, x, 1)) * L->invd[i];
    } else {
        GMG_FOR(n)
        for (int64_t i = 0; i < n; i++)
            if ((L->fl[i] & FL_RED) == want) x[i] = (b[i] + fine_off(m, L, i, x, 0)) * L->invd[i];
    }
}

/* ---------------------------------------------------------------------------------------------------------- */
/* Coarse levels above the coarsest are renumbered for the cycle: inside every plane the red unknowns come first,
 * then the black ones, and inside each colour the rows are sorted by their number of entries. A run is a range of
 * rows of equal length whose entries lie back to back (no row pointers), so the kernels below walk one colour of
 * a plane without tests and with inner loops of fixed length. */

/* Renumber level l (1 <= l <= nlev - 2) as described above; updates the aggregates of level l-1. */
static int finalize_level(ssb_ctx *ctx, gmg *m, int l)
{
    gmg_level *L = &m->lev[l], *F = &m->lev[l - 1];
    const int64_t n = L->n, nz = L->d[2], nnz = L->nnz;
    const int nt = m->nt;
    int32_t *perm = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int64_t *off = gmalloc(ctx, m, (size_t)(n + 1) * 8, "gmg renumbering");
    int64_t *nrun = gmalloc(ctx, m, (size_t)(nz + 1) * 8, "gmg run counts");
    L->pb = gmalloc(ctx, m, (size_t)nz * 8, "gmg colour starts");
    L->rs = gmalloc(ctx, m, (size_t)(2 * nz + 1) * 8, "gmg run starts");
    int32_t *ci = gmalloc(ctx, m, (size_t)(nnz + 1) * 4, "gmg coarse columns");
    float *cv = gmalloc(ctx, m, (size_t)(nnz + 1) * 4, "gmg coarse conductances");
    float *tmp = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int32_t *len = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg renumbering");
    int rc = SSB_OK;
    if (!perm || !off || !nrun || !L->pb || !L->rs || !ci || !cv || !tmp || !len) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    int64_t maxlen = 0;
    for (int64_t i = 0; i < n; i++)
        if (L->rp[i + 1] - L->rp[i] > maxlen) maxlen = L->rp[i + 1] - L->rp[i];
    const int64_t nb = 2 * (maxlen + 1); /* buckets: (colour, length), red first */
    int64_t *cnt = gmalloc(ctx, m, (size_t)(nb + 1) * 8 * (size_t)nt, "gmg renumbering");
    if (!cnt) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    /* new index of every row (counting sort inside each plane), number of runs per plane */
    GMG_PRAGMA_FOR_NT
    for (int64_t Z = 0; Z < nz; Z++) {
#if SSB_HAVE_OPENMP
        int64_t *c = cnt + (nb + 1) * omp_get_thread_num();
#else
        int64_t *c = cnt;
#endif
        const int64_t i0 = L->ps[Z], i1 = L->ps[Z + 1];
        for (int64_t k = 0; k <= nb; k++) c[k] = 0;
        for (int64_t i = i0; i < i1; i++) c[1 + (L->col[i] ? 0 : maxlen + 1) + L->rp[i + 1] - L->rp[i]]++;
        int64_t runs = 0;
        for (int64_t k = 0; k < nb; k++) runs += c[k + 1] > 0;
        nrun[Z + 1] = runs;
        for (int64_t k = 0; k < nb; k++) c[k + 1] += c[k];
        L->pb[Z] = i0 + c[maxlen + 1];
        for (int64_t i = i0; i < i1; i++) {
            const int64_t ni = i0 + c[(L->col[i] ? 0 : maxlen + 1) + L->rp[i + 1] - L->rp[i]]++;
            perm[i] = (int32_t)ni;
            len[ni] = (int32_t)(L->rp[i + 1] - L->rp[i]);
        }
    }
    gfree(m, cnt, (size_t)(nb + 1) * 8 * (size_t)nt);
    perm[n] = (int32_t)n;
    nrun[0] = 0;
    for (int64_t Z = 0; Z < nz; Z++) nrun[Z + 1] += nrun[Z];
    L->nrun = nrun[nz];
    L->run = gmalloc(ctx, m, (size_t)(L->nrun + 1) * sizeof(gmg_run), "gmg runs");
    if (!L->run) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    /* runs and entry offsets in the new order */
    GMG_PRAGMA_FOR_NT
    for (int64_t Z = 0; Z < nz; Z++) {
        const int64_t i0 = L->ps[Z], i1 = L->ps[Z + 1], pb = L->pb[Z];
        int64_t k = L->rp[i0], r = nrun[Z];
        L->rs[2 * Z] = r;
        L->rs[2 * Z + 1] = -1;
        for (int64_t j = i0; j < i1;) {
            if (j == pb) L->rs[2 * Z + 1] = r;
            int64_t e = j + 1;
            while (e < i1 && e != pb && len[e] == len[j]) e++;
            L->run[r].i0 = j;
            L->run[r].i1 = e;
            L->run[r].k0 = k;
            L->run[r].len = len[j];
            for (int64_t t = j; t < e; t++) off[t] = k + (t - j) * len[j];
            k += (e - j) * len[j];
            r++;
            j = e;
        }
        if (L->rs[2 * Z + 1] < 0) L->rs[2 * Z + 1] = r;
    }
    L->rs[2 * nz] = L->nrun;
    /* entries, renumbered */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) {
        const int64_t dst = off[perm[i]];
        for (int64_t k = L->rp[i]; k < L->rp[i + 1]; k++) {
            ci[dst + k - L->rp[i]] = perm[L->ci[k]];
            cv[dst + k - L->rp[i]] = L->cv[k];
        }
    }
    /* per-unknown arrays */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) tmp[perm[i]] = L->dg[i];
    memcpy(L->dg, tmp, (size_t)n * 4);
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) tmp[perm[i]] = L->invd[i];
    memcpy(L->invd, tmp, (size_t)n * 4);
    if (L->agg) {
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < n; i++) len[perm[i]] = L->agg[i];
        memcpy(L->agg, len, (size_t)n * 4);
    }
    {
        const int64_t n0 = L->ps[1], hs = L->ps[nz - 1];
        for (int64_t i = 0; i < n0; i++) tmp[perm[i]] = L->gdlo[i];
        memcpy(L->gdlo, tmp, (size_t)n0 * 4);
        for (int64_t i = hs; i < n; i++) tmp[perm[i] - hs] = L->gdhi[i - hs];
        memcpy(L->gdhi, tmp, (size_t)(n - hs) * 4);
    }
    {
        const int64_t fn = F->n;
        int32_t *fa = F->agg;
        GMG_PRAGMA_FOR_NT
        for (int64_t i = 0; i < fn; i++) fa[i] = perm[fa[i]];
    }
    gfree(m, L->ci, (size_t)(nnz + 1) * 4);
    gfree(m, L->cv, (size_t)(nnz + 1) * 4);
    L->ci = ci;
    L->cv = cv;
    ci = NULL;
    cv = NULL;
    gfree(m, L->rp, (size_t)(n + 1) * 8);
    gfree(m, L->col, (size_t)n);
    L->rp = NULL;
    L->col = NULL;
out:
    gfree(m, perm, (size_t)(n + 1) * 4);
    gfree(m, off, (size_t)(n + 1) * 8);
    gfree(m, nrun, (size_t)(nz + 1) * 8);
    gfree(m, ci, (size_t)(nnz + 1) * 4);
    gfree(m, cv, (size_t)(nnz + 1) * 4);
    gfree(m, tmp, (size_t)(n + 1) * 4);
    gfree(m, len, (size_t)(n + 1) * 4);
    return rc;
}

/* Rows of run r of level L with off = sum_j g_ij v_j (v: the vector read through the couplings, named v_ by the
 * caller); BODY sees i and off. Fixed-length copies for the usual lengths. */
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
        const int len_ = (r)->len;                                                                            \
        GMG_RUN_LEN(L, r, len_, __VA_ARGS__);                                                                 \
    }                                                                                                         \
    }

/* One GS half-sweep on a coarse level (colour 0 red, 1 black). */
static void coarse_half(const gmg *m, const gmg_level *L, int black)
{
    float *x = L->x;
    const float *v_ = x, *b = L->b, *invd = L->invd;
    const int64_t nz = L->d[2];
    (void)m;
    GMG_FOR(L->n)
    for (int64_t Z = 0; Z < nz; Z++)
        for (int64_t r = L->rs[2 * Z + black]; r < L->rs[2 * Z + black + 1]; r++) {
            const gmg_run *ru = &L->run[r];
            GMG_RUN(L, ru, x[i] = (b[i] + off) * invd[i];)
        }
}

/* y = A_l x on a coarse level; returns x . y and x . rhs */
static void coarse_apply(const gmg *m, const gmg_level *L, const float *x, float *y, const float *rhs, double *xy,
                         double *xr)
{
    const float *v_ = x, *dg = L->dg;
    const int64_t nz = L->d[2];
    double s1 = 0.0, s2 = 0.0;
    (void)m;
    GMG_FOR_RED(L->n, s1, s2)
    for (int64_t Z = 0; Z < nz; Z++)
        for (int64_t r = L->rs[2 * Z]; r < L->rs[2 * Z + 2]; r++) {
            const gmg_run *ru = &L->run[r];
            GMG_RUN(L, ru, {
                const float v = x[i] * dg[i] - off;
                y[i] = v;
                s1 += (double)x[i] * v;
                s2 += (double)x[i] * rhs[i];
            })
        }
    *xy = s1;
    *xr = s2;
}

/* Residual of the red unknowns (the black ones are zero right after a black half-sweep), restricted to level
 * l+1 (parallel over coarse planes: the children of coarse plane Z lie in planes 2Z and 2Z+1). */
static void restrict_res(const gmg *m, int l)
{
    const gmg_level *F = &m->lev[l];
    const gmg_level *C = &m->lev[l + 1];
    const int64_t cz = C->d[2], fz = F->d[2];
    float *cb = C->b;
    const float *x = F->x;
    memset(cb, 0, (size_t)C->n * 4);
    const int one = m->nph == 1;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(m->nt) if (F->n > GMG_PAR_MIN)
#endif
    for (int64_t Z = 0; Z < cz; Z++) {
        const int64_t i0 = F->ps[2 * Z], i1 = F->ps[2 * Z + 2 < fz ? 2 * Z + 2 : fz];
        if (l == 0 && one) {
            for (int64_t i = i0; i < i1; i++)
                if (F->fl[i] & FL_RED) cb[F->agg[i]] += F->b[i] + fine_off(m, F, i, x, 1) - x[i] * F->dg[i];
        } else if (l == 0) {
            for (int64_t i = i0; i < i1; i++)
                if (F->fl[i] & FL_RED) cb[F->agg[i]] += F->b[i] + fine_off(m, F, i, x, 0) - x[i] * F->dg[i];
        } else {
            const float *v_ = x, *fb = F->b, *dg = F->dg;
            const int32_t *agg = F->agg;
            for (int64_t z = 2 * Z; z < 2 * Z + 2 && z < fz; z++)
                for (int64_t r = F->rs[2 * z]; r < F->rs[2 * z + 1]; r++) {
                    const gmg_run *ru = &F->run[r];
                    GMG_RUN(F, ru, cb[agg[i]] += fb[i] + off - x[i] * dg[i];)
                }
        }
    }
}

static void prolong(const gmg *m, int l, float omega)
{
    const gmg_level *F = &m->lev[l], *C = &m->lev[l + 1];
    const int64_t n = F->n;
    float *x = F->x;
    const float *xc = C->x;
    const int32_t *agg = F->agg;
    GMG_FOR(n)
    for (int64_t i = 0; i < n; i++) x[i] += omega * xc[agg[i]];
}

#ifdef GMG_STATS
static double gst[16];
#define GST(k, stmt)                                                                                               \
    do {                                                                                                        \
        double t_ = ssbi_transport_wtime();                                                                     \
        stmt;                                                                                                   \
        gst[k] += ssbi_transport_wtime() - t_;                                                                  \
    } while (0)
#else
#define GST(k, stmt) stmt
#endif
static void vcycle(const gmg *m, int l);

/* Approximate solve on level l >= 1 (b -> x): a K-cycle (two flexible-CG steps preconditioned by the cycle of
 * level l, Notay's K-cycle) on the levels that have the extra vectors, else one cycle. */
static void coarse_solve(const gmg *m, int l)
{
    const gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1 || !L->kr) {
        vcycle(m, l);
        return;
    }
    const int64_t n = L->n;
    float *R = L->kr, *c1 = L->kc, *v1 = L->kv, *x = L->x, *b = L->b;
    memcpy(R, b, (size_t)n * 4);
    vcycle(m, l);
    memcpy(c1, x, (size_t)n * 4);
    double rho1, alpha1;
    coarse_apply(m, L, c1, v1, R, &rho1, &alpha1);
    if (!(rho1 > 0.0)) return;
    const float a1 = (float)(alpha1 / rho1);
    double rn2 = 0.0, r02 = 0.0;
    GMG_FOR_RED(n, rn2, r02)
    for (int64_t i = 0; i < n; i++) {
        float v = R[i] - a1 * v1[i];
        b[i] = v;
        rn2 += (double)v * v;
        r02 += (double)R[i] * R[i];
    }
    if (rn2 <= 0.0625 * r02) { /* ||r2|| <= 0.25 ||r||: one step is enough */
        GMG_FOR(n)
        for (int64_t i = 0; i < n; i++) x[i] = a1 * c1[i];
        return;
    }
    vcycle(m, l); /* x = c2 */
    double gamma = 0.0, beta = 0.0, alpha2 = 0.0;
    {
        const float *v_ = x, *dg = L->dg;
        const int64_t nz = L->d[2];
        GMG_FOR_RED(n, gamma, beta, alpha2)
        for (int64_t Z = 0; Z < nz; Z++)
            for (int64_t r = L->rs[2 * Z]; r < L->rs[2 * Z + 2]; r++) {
                const gmg_run *ru = &L->run[r];
                GMG_RUN(L, ru, {
                    const float av = x[i] * dg[i] - off;
                    gamma += (double)x[i] * v1[i];
                    beta += (double)x[i] * av;
                    alpha2 += (double)x[i] * b[i];
                })
            }
    }
    const double rho2 = beta - gamma * gamma / rho1;
    if (!(rho2 > 0.0)) {
        GMG_FOR(n)
        for (int64_t i = 0; i < n; i++) x[i] = a1 * c1[i];
        return;
    }
    const float w1 = (float)(alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2)), w2 = (float)(alpha2 / rho2);
    GMG_FOR(n)
    for (int64_t i = 0; i < n; i++) x[i] = w1 * c1[i] + w2 * x[i];
    memcpy(b, R, (size_t)n * 4);
}

/* One multigrid cycle on level l >= 1: x = M_l^{-1} b. */
static void vcycle_(const gmg *m, int l);
static void vcycle(const gmg *m, int l)
{
    GST(8 + (l < 7 ? l : 7), vcycle_(m, l));
}
static void vcycle_(const gmg *m, int l)
{
    const gmg_level *L = &m->lev[l];
    if (l == m->nlev - 1) {
        dense_solve(L);
        return;
    }
    float *x = L->x;
    const int64_t nz = L->d[2];
    GMG_FOR(L->n)
    for (int64_t Z = 0; Z < nz; Z++) {
        for (int64_t i = L->ps[Z]; i < L->pb[Z]; i++) x[i] = L->b[i] * L->invd[i];
        for (int64_t i = L->pb[Z]; i < L->ps[Z + 1]; i++) x[i] = 0.0f;
    }
    coarse_half(m, L, 1);
    for (int s = 1; s < L->nsweep; s++) {
        coarse_half(m, L, 0);
        coarse_half(m, L, 1);
    }
    restrict_res(m, l);
    coarse_solve(m, l + 1);
    prolong(m, l, m->lev[l + 1].kr ? 1.0f : GMG_OMEGA);
    for (int s = 1; s < L->nsweep; s++) {
        coarse_half(m, L, 1);
        coarse_half(m, L, 0);
    }
    coarse_half(m, L, 1);
    coarse_half(m, L, 0);
}

/* z = M^{-1} r on level 0 (z in double); returns r . z and z . q (for the flexible-CG beta). */
static void precond(const gmg *m, const double *r, double *z, const double *q, double *rz, double *zq)
{
    const gmg_level *L = &m->lev[0];
    const int64_t n = L->n;
    const float rs = (float)(1.0 / m->gscale);
    float *x = L->x, *b = L->b;
    GMG_FOR(n)
    for (int64_t i = 0; i < n; i++) {
        const float bi = (float)r[i] * rs;
        b[i] = bi;
        x[i] = (L->fl[i] & FL_RED) ? bi * L->invd[i] : 0.0f;
    }
    GST(0, fine_half(m, L, 0));
    for (int s = 1; s < GMG_FINE_SWEEPS; s++) {
        fine_half(m, L, 1);
        fine_half(m, L, 0);
    }
    if (m->nlev > 1) {
        GST(1, restrict_res(m, 0));
        GST(2, coarse_solve(m, 1));
        GST(3, prolong(m, 0, m->lev[1].kr ? 1.0f : GMG_OMEGA));
    }
    for (int s = 1; s < GMG_FINE_SWEEPS; s++) {
        fine_half(m, L, 0);
        fine_half(m, L, 1);
    }
    GST(4, fine_half(m, L, 0));
#ifdef GMG_STATS
    double t5_ = ssbi_transport_wtime();
#endif
    /* last red half-sweep fused with z = x / rs and the dot products */
    double s1 = 0.0, s2 = 0.0;
    const double zs = m->gscale;
    const int one = m->nph == 1;
    GMG_FOR_RED(n, s1, s2)
    for (int64_t i = 0; i < n; i++) {
        float xi = x[i];
        if (L->fl[i] & FL_RED) {
            xi = (b[i] + (one ? fine_off(m, L, i, x, 1) : fine_off(m, L, i, x, 0))) * L->invd[i];
            x[i] = xi;
        }
        const double zi = (double)xi * zs;
        z[i] = zi;
        s1 += r[i] * zi;
        if (q) s2 += q[i] * zi;
    }
#ifdef GMG_STATS
    gst[5] += ssbi_transport_wtime() - t5_;
#endif
    *rz = s1;
    *zq = s2;
}

/* ---------------------------------------------------------------------------------------------------------- */
/* exact operator (double) on level 0: y = A x, returns x . y. x has n + 1 entries with x[n] = 0. */

static double apply_a(const gmg *m, const ssbi_tproblem *p, const double *x, double *y)
{
    const gmg_level *L = &m->lev[0];
    const int64_t n = L->n;
    const int st = m->nph + 1;
    const int64_t n0 = p->plane_start[1], hs = p->plane_start[p->n[2] - 1];
    const double *G0 = p->gface[0], *G1 = p->gface[1], *G2 = p->gface[2];
    const uint8_t *pi = L->pi, *fl = L->fl;
    const int32_t *nb4 = L->nb4;
    double xy = 0.0;
    if (m->nph == 1) {
        const double g0 = G0[0], g1 = G1[0], g2 = G2[0];
        GMG_FOR_RED(n, xy)
        for (int64_t i = 0; i < n; i++) {
            const uint8_t f = fl[i];
            const int32_t *q = nb4 + 4 * i;
            const int64_t jm = (f & FL_XM) ? i - 1 : n, jp = (f & FL_XP) ? i + 1 : n;
            const double cx = (double)((f & FL_XM) != 0) + (double)((f & FL_XP) != 0);
            const double cy = (double)(q[0] != n) + (double)(q[1] != n);
            const double cz = (double)(q[2] != n) + (double)(q[3] != n);
            const double xi = x[i];
            double s = (g0 * cx + g1 * cy + g2 * cz) * xi - g0 * (x[jm] + x[jp]) - g1 * (x[q[0]] + x[q[1]]) -
                       g2 * (x[q[2]] + x[q[3]]);
            y[i] = s;
            xy += xi * s;
        }
    } else {
        GMG_FOR_RED(n, xy)
        for (int64_t i = 0; i < n; i++) {
            const uint8_t f = fl[i];
            const int pp = pi[i] * st;
            const int32_t *q = nb4 + 4 * i;
            const int64_t jm = (f & FL_XM) ? i - 1 : n, jp = (f & FL_XP) ? i + 1 : n;
            const double xi = x[i];
            const double a0 = G0[pp + pi[jm]], a1 = G0[pp + pi[jp]], a2 = G1[pp + pi[q[0]]], a3 = G1[pp + pi[q[1]]],
                         a4 = G2[pp + pi[q[2]]], a5 = G2[pp + pi[q[3]]];
            double s = (a0 + a1 + a2 + a3 + a4 + a5) * xi - a0 * x[jm] - a1 * x[jp] - a2 * x[q[0]] - a3 * x[q[1]] -
                       a4 * x[q[2]] - a5 * x[q[3]];
            y[i] = s;
            xy += xi * s;
        }
    }
    for (int64_t i = 0; i < n0; i++) {
        double t = p->gd_lo[i] * x[i];
        y[i] += t;
        xy += x[i] * t;
    }
    for (int64_t i = hs; i < n; i++) {
        double t = p->gd_hi[i - hs] * x[i];
        y[i] += t;
        xy += x[i] * t;
    }
    return xy;
}

/* ---------------------------------------------------------------------------------------------------------- */

static int build(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p)
{
    m->nph = p->nph;
    m->ph = p->ph;
    piece_tables(m);
    const int st = p->nph + 1;
    double gmax = 0.0;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < st * st; j++) gmax = fmax(gmax, p->gface[k][j]);
    for (int64_t i = 0; i < p->plane_start[1]; i++) gmax = fmax(gmax, p->gd_lo[i]);
    m->gscale = gmax > 0.0 ? gmax : 1.0;
    for (int k = 0; k < 3; k++) {
        m->gf[k] = ssbi_malloc(ctx, (size_t)(st * st) * sizeof(float), "gmg conductance table");
        if (!m->gf[k]) return SSB_ERR_NOMEM;
        for (int j = 0; j < st * st; j++) m->gf[k][j] = (float)(p->gface[k][j] / m->gscale);
        m->g1[k] = m->gf[k][0];
    }
    const int64_t nvox = p->n[0] * p->n[1] * p->n[2];
    int32_t *cs = gmalloc(ctx, m, (size_t)(nvox + 1) * 4, "gmg position starts");
    if (!cs) return SSB_ERR_NOMEM;
    m->nlev = 1;
    int rc = setup_fine(ctx, m, p, cs);
    while (rc == SSB_OK) {
        gmg_level *F = &m->lev[m->nlev - 1];
        if (F->n <= GMG_NCOARSE || m->nlev == GMG_MAXLEV) break;
        if (m->nlev > 1 && F->d[0] == 1 && F->d[1] == 1 && F->d[2] == 1) break;
        rc = setup_coarse(ctx, m, m->nlev - 1, &cs);
        if (rc == SSB_OK) m->nlev++;
    }
    gmg_level *Lc = &m->lev[m->nlev - 1];
    gfree(m, cs, (size_t)(Lc->d[0] * Lc->d[1] * Lc->d[2] + 1) * 4);
    if (rc != SSB_OK) return rc;
    if (m->nlev > 1) {
        if (Lc->n > GMG_NCOARSE)
            return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "gmg: coarsest level has %lld unknowns", (long long)Lc->n);
        SSB_CHECK(ctx, setup_dense(ctx, m, Lc));
    }
    for (int l = 1; l < m->nlev - 1; l++) SSB_CHECK(ctx, finalize_level(ctx, m, l));
#ifdef GMG_STATS
    for (int l = 0; l < m->nlev; l++)
        fprintf(stderr, "level %d: n %lld d %lld %lld %lld nnz %lld\n", l, (long long)m->lev[l].n,
                (long long)m->lev[l].d[0], (long long)m->lev[l].d[1], (long long)m->lev[l].d[2],
                (long long)m->lev[l].nnz);
#endif
    /* K-cycle work vectors on the coarse levels above the coarsest; extra smoothing where it is cheap */
    for (int l = 1; l < m->nlev - 1; l++) {
        gmg_level *L = &m->lev[l];
        const size_t nb = (size_t)(L->n + 1) * 4;
        if (GMG_KCYCLE && l >= GMG_KFIRST && (l - GMG_KFIRST) % GMG_KEVERY == 0) {
            L->kr = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            L->kc = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            L->kv = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            if (!L->kr || !L->kc || !L->kv) return SSB_ERR_NOMEM;
        }
        L->nsweep = L->n * 8 < m->lev[0].n ? GMG_COARSE_SWEEPS : 1;
    }
    return SSB_OK;
}

int ssbi_transport_solve_gmg(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par, int nthreads,
                             ssbi_tsolution *sol)
{
    gmg mm_;
    gmg *m = &mm_;
    memset(m, 0, sizeof *m);
    m->nt = nthreads > 0 ? nthreads : 1;
    const double ts = ssbi_transport_wtime();
    int rc = build(ctx, m, p);
    sol->setup_time_s = ssbi_transport_wtime() - ts;
    const int64_t n = p->nunk;
    double *r = NULL, *z = NULL, *pv = NULL, *q = NULL;
    if (rc == SSB_OK) {
        r = gmalloc(ctx, m, (size_t)n * 8, "CG vector");
        z = gmalloc(ctx, m, (size_t)n * 8, "CG vector");
        pv = gmalloc(ctx, m, (size_t)(n + 1) * 8, "CG vector");
        q = gmalloc(ctx, m, (size_t)n * 8, "CG vector");
        if (!r || !z || !pv || !q) rc = SSB_ERR_NOMEM;
    }
    if (rc != SSB_OK) goto out;
    pv[n] = 0.0;

    /* Flexible CG (Polak-Ribiere beta, exact for a fixed preconditioner) since the K-cycle is nonlinear. */
    double *x = sol->x;
    x[n] = 0.0;
    const int64_t n0 = p->plane_start[1];
    double bnorm = 0.0;
    for (int64_t i = 0; i < n0; i++) bnorm += p->gd_lo[i] * p->gd_lo[i];
    bnorm = sqrt(bnorm);
    const double total = -log10(par->rtol);
    double rtol_eff = par->rtol;
    int64_t it = 0;
    double rel = 0.0, rz = 0.0, alpha = 0.0;
    int restart = 1, confirmed = 0;
    sol->converged = 0;
    snprintf(sol->reason, sizeof sol->reason, "max_iter reached");
    for (;;) {
        if (restart) { /* true residual */
            apply_a(m, p, x, q);
            double rr = 0.0;
            GMG_FOR_RED(n, rr)
            for (int64_t i = 0; i < n; i++) {
                r[i] = (i < n0 ? p->gd_lo[i] : 0.0) - q[i];
                rr += r[i] * r[i];
            }
            rel = sqrt(rr) / bnorm;
            confirmed = 1;
        }
        if (rel <= rtol_eff) {
            if (!confirmed) { /* confirm with the true residual */
                restart = 1;
                continue;
            }
            double a, b;
            ssbi_transport_currents(p, x, &a, &b);
            if (ssbi_transport_mismatch(a, b) <= par->flux_tol) {
                sol->converged = 1;
                snprintf(sol->reason, sizeof sol->reason, "rtol and flux_tol reached");
                break;
            }
            rtol_eff = rel * 0.1; /* tighten: the flux test failed */
        }
        if (it >= par->max_iter) {
            snprintf(sol->reason, sizeof sol->reason, "max_iter = %lld reached", (long long)par->max_iter);
            break;
        }
        if (restart) {
            double dummy;
            precond(m, r, z, NULL, &rz, &dummy);
            memcpy(pv, z, (size_t)n * 8);
            restart = 0;
        }
        confirmed = 0;
        double pq;
        GST(6, pq = apply_a(m, p, pv, q));
        if (!(pq > 0.0) || !isfinite(pq)) {
            snprintf(sol->reason, sizeof sol->reason, "CG breakdown (p.Ap = %g)", pq);
            break;
        }
        alpha = rz / pq;
        double rr = 0.0;
        GMG_FOR_RED(n, rr)
        for (int64_t i = 0; i < n; i++) {
            x[i] += alpha * pv[i];
            r[i] -= alpha * q[i];
            rr += r[i] * r[i];
        }
        it++;
        rel = sqrt(rr) / bnorm;
        rc = ssbi_progress(ctx, p->stage, fmin(total, -log10(fmax(rel, 1e-300))), total);
        if (rc != SSB_OK) break;
        if (rel <= rtol_eff) continue; /* confirm at the top of the loop */
        double rzn, zq;
        GST(7, precond(m, r, z, q, &rzn, &zq));
        double beta = -alpha * zq / rz;
        if (!isfinite(beta)) beta = 0.0;
        rz = rzn;
        GMG_FOR(n)
        for (int64_t i = 0; i < n; i++) pv[i] = z[i] + beta * pv[i];
    }
    sol->iterations = it;
    sol->rel_residual = rel;
#ifdef GMG_STATS
    fprintf(stderr, "vcycle incl: l1 %.3f l2 %.3f l3 %.3f l4 %.3f l5 %.3f l6 %.3f l7+ %.3f\n", gst[9], gst[10], gst[11], gst[12], gst[13], gst[14], gst[15]);
    fprintf(stderr, "half0 %.3f restrict0 %.3f coarse %.3f prolong0 %.3f half1 %.3f final %.3f apply %.3f precond %.3f\n",
            gst[0], gst[1], gst[2], gst[3], gst[4], gst[5], gst[6], gst[7]);
    memset(gst, 0, sizeof gst);
#endif
out:
    gfree(m, r, (size_t)n * 8);
    gfree(m, z, (size_t)n * 8);
    gfree(m, pv, (size_t)(n + 1) * 8);
    gfree(m, q, (size_t)n * 8);
    sol->peak_bytes = m->peak;
    gmg_free(m);
    return rc;
}
