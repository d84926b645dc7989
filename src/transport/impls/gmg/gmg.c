/* "gmg": matrix-free flexible conjugate gradients (double) on the compressed set of unknowns, preconditioned by
 * an aggregation multigrid K-cycle in single precision.
 *
 * Level 0 is the voxel problem itself. Its unknowns are renumbered plane by plane, red (x+y+z even) before black,
 * so that a Gauss-Seidel half-sweep walks one contiguous range per plane without tests; each unknown stores its six
 * neighbour indices (the dummy unknown n, of value 0, where a neighbour is absent) and its phase. The outer CG runs
 * in that numbering too; the solution is put back into the front end's order at the end. (16-bit neighbour
 * offsets instead of the 32-bit indices were tried: half the bytes, but the decoding made the sweeps slower.)
 * Coarse levels aggregate 2x2x2 blocks of the level below, but split every block into the connected pieces of
 * its unknowns (coupling inside the block): a piece, not a block, is one coarse unknown (piecewise-constant
 * prolongation P). Without the split, pore pieces that only meet outside the block were merged, which cost the
 * pore phase of TauFactor's electrode.tiff 28 outer iterations instead of 15. The coarse unknowns then have a
 * variable number of neighbours, so the Galerkin operators P^T A P are stored row-wise (float conductances, int32
 * columns) in runs of equal row length (see finalize_level). The parity of the block stays a red-black colouring
 * on every level (pieces of one block never couple, blocks couple only across faces). Where splitting coarsens too
 * slowly (more than half as many coarse as fine unknowns), whole blocks are aggregated. Coarsening stops at
 * GMG_NCOARSE unknowns, solved by a dense Cholesky factorisation in double.
 * Smoother: red-black Gauss-Seidel, forward before and backward after the coarse correction. Plain aggregation
 * underestimates the smooth error, so the coarse problems are solved by Notay's K-cycle: two flexible-CG steps per
 * coarse level, each preconditioned by the cycle of that level (a V-cycle with its correction scaled by 1.7 needs
 * twice as many outer iterations). The preconditioner is then slightly nonlinear and the outer iteration uses the
 * Polak-Ribiere (flexible) beta. GMG_KCYCLE=0 gives the scaled V-cycle instead.
 * Passes: a smoothing step is one pass over the planes of a level with up to three stages per plane and a lag of
 * one plane between them (e.g. red initialisation, black update, red residual and restriction), so it reads the
 * level's data once; the CG update of x and r is fused into the first pass of the preconditioner.
 * Threads: levels of >= GMG_PAR_MIN unknowns are cut into up to GMG_SLAB_MAX slabs of planes that the threads take
 * one by one (a thread that the system holds up delays little); only the two planes at each slab end wait for the
 * neighbouring slab (two barriers per pass). The slabs depend on the level alone and sums are formed per slab and
 * added in slab order, so the results are the same for any thread count. Thread 0 runs the iteration and the small
 * levels, the others wait in a team whose waits sleep after a short spin (see gmg_team).
 * Memory: 41 bytes per unknown on level 0 + 24 for the CG vectors + ~75 per coarse unknown (about 1/6 of them);
 * during the set-up a transient 4-byte index per voxel. */
#include "transport/transport_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#endif

#define GMG_NCOARSE 800
#define GMG_MAXLEV 40
#define GMG_PAR_MIN 131072 /* below this many unknowns a level runs on one thread */
#define GMG_SLAB 65536     /* unknowns per slab of planes (see setup_slabs) */
#ifndef GMG_SLAB_MAX
#define GMG_SLAB_MAX 16
#endif

#ifndef GMG_KCYCLE
#define GMG_KCYCLE 1
#endif
#ifndef GMG_OMEGA
#define GMG_OMEGA 1.7f
#endif

#if SSB_HAVE_OPENMP
#define GMG_PRAGMA(x) _Pragma(#x)
#else
#define GMG_PRAGMA(x)
#endif
/* kernels that must be inlined so that their constant flag (one conducting phase) specialises them */
#if defined(__GNUC__)
#define GMG_INLINE static inline __attribute__((always_inline))
#else
#define GMG_INLINE static inline
#endif
/* parallel loop with the set-up's thread count */
#define GMG_PRAGMA_FOR_NT GMG_PRAGMA(omp parallel for schedule(static) num_threads(nt))

/* Rows [i0, i1) of a coarse level with len entries each, stored from entry k0 on. */
typedef struct {
    int64_t i0, i1, k0;
    int64_t len;
} gmg_run;

typedef struct {
    int64_t n, d[3];
    int64_t *ps;    /* plane starts, d[2] + 1 */
    int64_t *pb;    /* first black unknown of each plane (after the renumbering) */
    int nslab;      /* slabs of planes for the threads (1: serial) */
    int64_t *sz;    /* slab s holds planes [sz[s], sz[s + 1]); sz[s] is even */
    /* level 0 only */
    int32_t *nb;    /* 6 per unknown: -x, +x, -y, +y, -z, +z (n if absent) */
    uint8_t *pi;    /* phase index per unknown, pi[n] = nph (dummy) */
    /* coarse levels only: off-diagonal conductances (a_ij = -cv), as compressed rows during the set-up (rp, col)
     * and, above the coarsest level, as runs afterwards (see finalize_level) */
    int64_t *rp;    /* row starts, n + 1 */
    uint8_t *col;   /* 1 if red */
    int32_t *ci;    /* column of each entry */
    float *cv;      /* conductance of each entry (> 0) */
    int64_t nnz;    /* number of entries */
    int64_t *rs;    /* runs of plane Z and colour c (0 red, 1 black): [rs[2Z + c], rs[2Z + c + 1]) */
    gmg_run *run;
    int64_t nrun;
    float *dg;      /* diagonal */
    float *kr, *kc, *kv; /* K-cycle work vectors (NULL: plain cycle on this level) */
    double *chol;   /* last level: dense Cholesky factor (n x n, lower) */
    /* all levels */
    float *invd;    /* 1 / diagonal */
    float *gdlo, *gdhi; /* Dirichlet conductances of the first / last plane */
    int32_t *agg;   /* parent in level l+1 (not on the last level), agg[n] = n(l+1) */
    float *x, *b;   /* n + 1 entries, x[n] = 0 */
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
    const uint8_t *ph;     /* the problem's phase map (level-0 positions) */
    uint8_t pc_np[256];    /* pieces of a 2x2x2 voxel block by occupancy pattern (bit c: corner x + 2y + 4z) */
    uint8_t pc_id[256][8]; /* piece of each occupied corner */
    uint8_t pc_face[256][3][2]; /* occupied corners on the low / high face normal to each axis (bit k: corner
                                 * face_corner[a][side][k]) */
    double *gdlo, *gdhi;   /* exact Dirichlet conductances of level 0, in its numbering */
    double *part;          /* per-slab partial sums, 4 per slab */
    struct gmg_team *team; /* the threads of the solve (NULL during the set-up) */
    uint8_t *bpat;         /* set-up of level 1: occupancy pattern of every voxel block */
    int split0;            /* set-up of level 1: 1 if blocks are split into pieces */
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
    free(L->pb);
    free(L->sz);
    free(L->nb);
    free(L->pi);
    free(L->rp);
    free(L->col);
    free(L->ci);
    free(L->cv);
    free(L->rs);
    free(L->run);
    free(L->dg);
    free(L->kr);
    free(L->kc);
    free(L->kv);
    free(L->chol);
    free(L->invd);
    free(L->gdlo);
    free(L->gdhi);
    free(L->agg);
    free(L->x);
    free(L->b);
    memset(L, 0, sizeof *L);
}

static void gmg_free(gmg *m)
{
    for (int l = 0; l < GMG_MAXLEV; l++) level_free(&m->lev[l]);
    for (int k = 0; k < 3; k++) free(m->gf[k]);
    free(m->gdlo);
    free(m->gdhi);
    free(m->part);
    free(m->bpat);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* set-up of level 0 */

/* Level 0 from the problem: renumbering (red before black inside each plane), neighbours, phases, diagonal and
 * Dirichlet conductances. map (nvox entries) receives the new index of every voxel (n where inactive). */
static int setup_fine(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, int32_t *map)
{
    gmg_level *L = &m->lev[0];
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny, n = p->nunk;
    const int nt = m->nt;
    (void)nt; /* (without OpenMP) */
    L->n = n;
    memcpy(L->d, p->n, sizeof L->d);
    L->ps = gmalloc(ctx, m, (size_t)(nz + 1) * 8, "gmg plane offsets");
    L->pb = gmalloc(ctx, m, (size_t)nz * 8, "gmg colour offsets");
    L->pi = gmalloc(ctx, m, (size_t)n + 1, "gmg phases");
    L->nb = gmalloc(ctx, m, (size_t)n * 24, "gmg neighbours");
    L->invd = gmalloc(ctx, m, (size_t)n * 4, "gmg diagonal");
    L->x = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg vector");
    L->b = gmalloc(ctx, m, (size_t)(n + 1) * 4, "gmg vector");
    if (!L->ps || !L->pb || !L->pi || !L->nb || !L->invd || !L->x || !L->b) return SSB_ERR_NOMEM;
    memcpy(L->ps, p->plane_start, (size_t)(nz + 1) * 8);
    const uint8_t *ph = p->ph;
    const int64_t *ps = L->ps;
    /* new index of every voxel */
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++) {
        int64_t nred = 0;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = (y + z) & 1; x < nx; x += 2) nred += ph[x + nx * y + npl * z] != 0;
        int64_t cr = ps[z], cb = ps[z] + nred;
        L->pb[z] = cb;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) { /* without branches: ph is random */
                const int64_t v = x + nx * y + npl * z;
                const int64_t act = ph[v] != 0, red = ((x + y + z) & 1) == 0;
                const int64_t idx = red ? cr : cb;
                map[v] = (int32_t)(act ? idx : n);
                cr += act & red;
                cb += act & !red;
            }
    }
    /* neighbours, phases, diagonal without the Dirichlet terms */
    const int st = m->nph + 1;
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * y + npl * z;
                if (!ph[v]) continue;
                const int64_t i = map[v];
                int32_t *q = L->nb + 6 * i;
                const int64_t w[6] = {x > 0 ? v - 1 : -1,           x + 1 < nx ? v + 1 : -1,
                                      y > 0 ? v - nx : -1,          y + 1 < ny ? v + nx : -1,
                                      z > 0 ? v - npl : -1,         z + 1 < nz ? v + npl : -1};
                const int pp = (ph[v] - 1) * st;
                float d = 0.0f;
                for (int k = 0; k < 6; k++) { /* map is n and the phase index nph (conductance 0) where inactive */
                    q[k] = w[k] >= 0 ? map[w[k]] : (int32_t)n;
                    const int pw = w[k] >= 0 ? ph[w[k]] : 0;
                    d += m->gf[k >> 1][pp + (pw ? pw - 1 : st - 1)];
                }
                L->pi[i] = (uint8_t)(ph[v] - 1);
                L->invd[i] = d;
            }
    L->pi[n] = (uint8_t)m->nph;
    /* Dirichlet conductances in the new numbering (exact and float, normalised) */
    const int64_t n0 = ps[1], hs = ps[nz - 1];
    L->gdlo = gmalloc(ctx, m, (size_t)(n0 + 1) * 4, "gmg Dirichlet");
    L->gdhi = gmalloc(ctx, m, (size_t)(n - hs + 1) * 4, "gmg Dirichlet");
    m->gdlo = gmalloc(ctx, m, (size_t)(n0 + 1) * 8, "gmg Dirichlet");
    m->gdhi = gmalloc(ctx, m, (size_t)(n - hs + 1) * 8, "gmg Dirichlet");
    if (!L->gdlo || !L->gdhi || !m->gdlo || !m->gdhi) return SSB_ERR_NOMEM;
    for (int side = 0; side < 2; side++) {
        const int64_t z = side == 0 ? 0 : nz - 1, off = side == 0 ? 0 : hs;
        const double *src = side == 0 ? p->gd_lo : p->gd_hi;
        double *dst = side == 0 ? m->gdlo : m->gdhi;
        int64_t c = 0;
        for (int64_t v = npl * z; v < npl * (z + 1); v++)
            if (ph[v]) dst[map[v] - off] = src[c++];
    }
    for (int64_t i = 0; i < n0; i++) L->gdlo[i] = (float)(m->gdlo[i] / m->gscale);
    for (int64_t i = hs; i < n; i++) L->gdhi[i - hs] = (float)(m->gdhi[i - hs] / m->gscale);
    for (int64_t i = 0; i < n0; i++) L->invd[i] += L->gdlo[i];
    for (int64_t i = hs; i < n; i++) L->invd[i] += L->gdhi[i - hs];
    /* invd holds the diagonal so far */
    GMG_PRAGMA_FOR_NT
    for (int64_t i = 0; i < n; i++) L->invd[i] = 1.0f / L->invd[i];
    L->x[n] = 0.0f;
    L->b[n] = 0.0f;
    return SSB_OK;
}

/* Moves a vector of level 0 between the front end's numbering (lexicographic) and the solver's (to = 1: into
 * the solver's numbering). tmp has n entries. */
static void renumber(const gmg *m, const ssbi_tproblem *p, double *v, double *tmp, int to)
{
    const gmg_level *L = &m->lev[0];
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny;
    const uint8_t *ph = p->ph;
    const int nt = m->nt;
    (void)nt; /* (without OpenMP) */
    GMG_PRAGMA_FOR_NT
    for (int64_t z = 0; z < nz; z++) {
        int64_t il = p->plane_start[z], cr = L->ps[z], cb = L->pb[z];
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                if (!ph[x + nx * y + npl * z]) continue;
                const int64_t in = ((x + y + z) & 1) == 0 ? cr++ : cb++;
                if (to) tmp[in] = v[il];
                else tmp[il] = v[in];
                il++;
            }
    }
    memcpy(v, tmp, (size_t)L->n * 8);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* set-up of the coarse levels */

/* Level l+1 from level l by aggregation. The unknowns of a level l >= 1 sit on a structured grid of positions (d[]),
 * several unknowns may share a position, they are ordered by position and couple only to unknowns at the six
 * face-adjacent positions; cs[v] (npos + 1 entries) is the first unknown at position v. On level 0, cs[v] is the
 * (renumbered) index of voxel v, n where it is inactive, and the pieces of a block follow from its occupancy
 * pattern (piece_tables). Every 2x2x2 block of positions is split into the connected pieces of its unknowns
 * (coupling inside the block); each piece becomes one unknown of level l+1 (split = 0: the whole block is one
 * aggregate). So the coarse unknowns keep those properties, and the parity of the block is a red-black colouring
 * on every level. */

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

/* Couplings of unknown i of a coarse level l >= 1 (set-up form): count, neighbour indices, conductances. */
static inline int level_edges(const gmg *m, int l, int64_t i, const int32_t **pj, const float **pg)
{
    const gmg_level *L = &m->lev[l];
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

/* Corners of a 2x2x2 block on its low (side 0) / high (side 1) face normal to axis a. */
static const int face_corner[3][2][4] = {{{0, 2, 4, 6}, {1, 3, 5, 7}}, {{0, 1, 4, 5}, {2, 3, 6, 7}},
                                         {{0, 1, 2, 3}, {4, 5, 6, 7}}};

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
        for (int a = 0; a < 3; a++)
            for (int side = 0; side < 2; side++) {
                int f = 0;
                for (int k = 0; k < 4; k++) f |= ((pat >> face_corner[a][side][k]) & 1) << k;
                m->pc_face[pat][a][side] = (uint8_t)f;
            }
    }
}

/* Voxel of corner c of the voxel block (X, Y, Z) (grid dims d; the corner must lie inside the grid). */
static inline int64_t corner_voxel(const int64_t d[3], int64_t X, int64_t Y, int64_t Z, int c)
{
    return 2 * X + (c & 1) + d[0] * (2 * Y + ((c >> 1) & 1) + d[1] * (2 * Z + (c >> 2)));
}

/* Occupancy pattern of the voxel block (X, Y, Z) of level 0. */
static inline int voxel_block(const gmg *m, int64_t X, int64_t Y, int64_t Z)
{
    const int64_t *d = m->lev[0].d;
    int pat = 0;
    for (int c = 0; c < 8; c++) {
        const int64_t x = 2 * X + (c & 1), y = 2 * Y + ((c >> 1) & 1), z = 2 * Z + (c >> 2);
        if (x < d[0] && y < d[1] && z < d[2] && m->ph[x + d[0] * (y + d[1] * z)]) pat |= 1 << c;
    }
    return pat;
}

/* Pass 1 over the blocks of coarse plane Z: piece count of every block in bc and the local piece index of every
 * unknown in agg (level 0: the occupancy pattern of every block in m->bpat instead). Returns the plane's piece
 * count, or -1 when out of memory. */
static int64_t agg_pieces(const gmg *m, int l, const int32_t *cs, int64_t Z, int split, int32_t *bc, agg_ws *w)
{
    const gmg_level *F = &m->lev[l];
    const int64_t cx = (F->d[0] + 1) / 2, cy = (F->d[1] + 1) / 2;
    int32_t *agg = F->agg;
    int64_t total = 0;
    for (int64_t Y = 0; Y < cy; Y++)
        for (int64_t X = 0; X < cx; X++) {
            const int64_t blk = X + cx * (Y + cy * Z);
            if (l == 0) { /* voxel blocks: pieces from the occupancy pattern (kept in m->bpat) */
                const int pat = voxel_block(m, X, Y, Z);
                m->bpat[blk] = (uint8_t)pat;
                const int np = !pat ? 0 : split ? m->pc_np[pat] : 1;
                bc[blk] = np;
                total += np;
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
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, &pj, &pg);
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
            if (l == 0) { /* voxel blocks: the corners on a face of the block couple to the facing corners of the
                           * next block; pieces and coarse indices come from the occupancy patterns */
                const int pat = m->bpat[blk], split = m->split0, one = m->nph == 1, st = m->nph + 1;
                const int64_t *d = F->d, B[3] = {X, Y, Z}, bs[3] = {1, cx, cx * cy};
                if (ws_reserve(w, 8, 24) != SSB_OK) return SSB_ERR_NOMEM;
                for (int64_t p = 0; p < np; p++) {
                    const int32_t I = (int32_t)(base + p);
                    int64_t len = 0;
                    double dsum = 0.0, glo = 0.0, ghi = 0.0;
                    for (int a = 0; a < 3; a++)
                        for (int side = 0; side < 2; side++) {
                            if (side ? (B[a] + 1) * 2 >= d[a] : B[a] == 0) continue;
                            const int64_t nblk = blk + (side ? bs[a] : -bs[a]);
                            const int npat = m->bpat[nblk];
                            const int both = m->pc_face[pat][a][side] & m->pc_face[npat][a][!side];
                            if (!both) continue;
                            if (one && (!split || (m->pc_np[pat] == 1 && m->pc_np[npat] == 1))) {
                                /* one piece on either side: one entry, a conductance per facing pair */
                                const float g = m->g1[a] * (float)((both & 1) + ((both >> 1) & 1) + ((both >> 2) & 1) +
                                                                   ((both >> 3) & 1));
                                dsum += g;
                                w->rj[len] = ccs[nblk];
                                w->rg[len] = g;
                                len++;
                                continue;
                            }
                            for (int k = 0; k < 4; k++) {
                                const int c = face_corner[a][side][k], c2 = c ^ (1 << a);
                                if (!((pat >> c) & 1) || !((npat >> c2) & 1)) continue;
                                if (split && m->pc_id[pat][c] != p) continue;
                                const int32_t J = ccs[nblk] + (split ? m->pc_id[npat][c2] : 0);
                                float g = m->g1[a];
                                if (!one) {
                                    const int64_t vc = corner_voxel(d, X, Y, Z, c);
                                    const int64_t vs = a == 0 ? 1 : a == 1 ? d[0] : d[0] * d[1];
                                    const int64_t wv = side ? vc + vs : vc - vs;
                                    g = m->gf[a][F->pi[cs[vc]] * st + F->pi[cs[wv]]];
                                }
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
                        }
                    if (Z == 0 || 2 * Z + 2 >= d[2]) /* Dirichlet planes */
                        for (int c = 0; c < 8; c++) {
                            if (!((pat >> c) & 1) || (split && m->pc_id[pat][c] != p)) continue;
                            const int64_t z = 2 * Z + (c >> 2);
                            const int64_t i = cs[corner_voxel(d, X, Y, Z, c)];
                            if (z == 0) glo += F->gdlo[i];
                            if (z == d[2] - 1) ghi += F->gdhi[i - fhs];
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
                    const int32_t *pj;
                    const float *pg;
                    const int ne = level_edges(m, l, i, &pj, &pg);
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
    (void)nt; /* (without OpenMP) */
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
    if (l == 0) {
        m->bpat = gmalloc(ctx, m, (size_t)cpos, "gmg block patterns");
        if (!m->bpat) {
            gfree(m, ccs, (size_t)(cpos + 1) * 4);
            return SSB_ERR_NOMEM;
        }
    }
    /* pass 1: pieces (whole blocks when splitting coarsens too slowly or only one block is left) */
    for (int split = !(cx == 1 && cy == 1 && cz == 1);; split = 0) {
        m->split0 = split;
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
                if (l == 0) {
                    const int pat = m->bpat[blk];
                    for (int c = 0; c < 8; c++)
                        if ((pat >> c) & 1)
                            F->agg[cs[corner_voxel(F->d, X, Y, Z, c)]] = ccs[blk] + (m->split0 ? m->pc_id[pat][c] : 0);
                    continue;
                }
                blk_ranges r;
                block_ranges(cs, F->d, X, Y, Z, &r);
                for (int q = 0; q < r.nr; q++)
                    for (int64_t i = r.lo[q]; i < r.hi[q]; i++) F->agg[i] += ccs[blk];
            }
    F->agg[fn] = (int32_t)cn;
    /* pass 2: Galerkin rows, per coarse plane into plane buffers, then moved into the level's arrays */
    C->rp = gmalloc(ctx, m, (size_t)(cn + 1) * 8, "gmg coarse rows");
    C->col = gmalloc(ctx, m, (size_t)cn, "gmg colours");
    C->invd = gmalloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
    C->dg = gmalloc(ctx, m, (size_t)cn * 4, "gmg diagonal");
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
    if (l == 0) {
        gfree(m, m->bpat, (size_t)cpos);
        m->bpat = NULL;
    }
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

/* ---------------------------------------------------------------------------------------------------------- */
/* slabs and the pipelined pass */

/* Slabs of a level: GMG_SLAB unknowns each (at least 2, at most GMG_SLAB_MAX) with equal numbers of unknowns, each
 * starting at an even plane (so that the children of a coarse plane lie in one slab); one slab for levels below
 * GMG_PAR_MIN unknowns. The slabs do not depend on the thread count, nor do the sums formed per slab: the results
 * are the same for any number of threads. */
static int setup_slabs(ssb_ctx *ctx, gmg *m, gmg_level *L)
{
    const int64_t nz = L->d[2];
    int64_t ns = L->n < GMG_PAR_MIN ? 1 : L->n / GMG_SLAB < 2 ? 2 : L->n / GMG_SLAB > GMG_SLAB_MAX ? GMG_SLAB_MAX
                                                                                                 : L->n / GMG_SLAB;
    if (ns > (nz + 1) / 2) ns = (nz + 1) / 2;
    if (ns < 1) ns = 1;
    L->sz = gmalloc(ctx, m, (size_t)(ns + 1) * 8, "gmg slabs");
    if (!L->sz) return SSB_ERR_NOMEM;
    int64_t k = 1, z = 0;
    L->sz[0] = 0;
    for (int64_t s = 1; s < ns; s++) {
        const int64_t target = L->n * s / ns;
        while (z < nz && L->ps[z] < target) z++;
        const int64_t ze = z + (z & 1);
        if (ze > L->sz[k - 1] && ze < nz) L->sz[k++] = ze;
    }
    L->sz[k] = nz;
    L->nslab = (int)k;
    return SSB_OK;
}

typedef struct {
    const ssbi_tproblem *prob;
    double *x, *r, *pv, *q; /* outer CG vectors (level 0, solver numbering) */
    const double *rhs;      /* level 0: right-hand side of plane 0 (NULL: none) */
    double alpha, beta;
    int upd;                /* precond_pre: apply the CG update first */
    float omega;            /* prolongation weight */
    int l;                  /* level */
    const float *u;         /* coarse-level vector operands */
    float *y;
    const float *w, *v;
    float a1, a2;
} gmg_args;

/* Work on one plane z; acc: the four partial sums of the plane's slab. */
typedef void (*gmg_stage)(const gmg *m, const gmg_args *a, int64_t z, double *acc);

/* ---------------------------------------------------------------------------------------------------------- */
/* The threads of a solve. The solve runs in one OpenMP region: thread 0 runs the iteration and the small levels
 * and hands the passes over large levels to the team; the others wait for them. All waits (for a pass, at a
 * barrier) spin for a short while and then sleep on a condition variable, so a waiting thread frees its core at
 * once on a busy machine. OpenMP's own waits spin for long, and a spinning thread keeps its partner, which the
 * system has put aside, from moving to the free core: with one busy-loop job beside the solve on the 2-core
 * machine, the electrode.tiff solve with an OpenMP region per pass took 6.4 s on 2 threads against 5.9 s on 1;
 * with this team 5.3 s against 6.0 s (GMG_SPIN = 200: 5.7 s, spinning without end: 6.3 s). GMG_SPIN (about
 * 20 us) keeps the quiet-machine case fast, where the next pass usually comes within the spin. */
#if SSB_HAVE_OPENMP
#ifndef GMG_SPIN
#define GMG_SPIN 20000
#endif
typedef struct gmg_team {
    int nt;
    atomic_uint epoch; /* pass generation (workers wait for it to change) */
    atomic_int quit;
    atomic_int bcount; /* barrier */
    atomic_uint bgen;
    atomic_int nsleep;
    atomic_int ctr[3]; /* dynamic loop counters of the current pass */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void (*fn)(struct gmg_team *t, int tid, const void *arg);
    const void *arg;
} gmg_team;

/* Wait until *v differs from old. */
static void team_wait(gmg_team *t, atomic_uint *v, unsigned old)
{
    for (int k = 0; k < GMG_SPIN; k++)
        if (atomic_load_explicit(v, memory_order_acquire) != old) return;
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add(&t->nsleep, 1);
    while (atomic_load(v) == old) pthread_cond_wait(&t->cv, &t->mu);
    atomic_fetch_sub(&t->nsleep, 1);
    pthread_mutex_unlock(&t->mu);
}

static void team_wake(gmg_team *t)
{
    if (atomic_load(&t->nsleep) > 0) {
        pthread_mutex_lock(&t->mu);
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
    }
}

static void team_barrier(gmg_team *t)
{
    const unsigned g = atomic_load(&t->bgen);
    if (atomic_fetch_add(&t->bcount, 1) == t->nt - 1) {
        atomic_store(&t->bcount, 0);
        atomic_fetch_add(&t->bgen, 1);
        team_wake(t);
    } else {
        team_wait(t, &t->bgen, g);
    }
}

/* Thread 0: run fn on every thread of the team and wait for all. */
static void team_run(gmg_team *t, void (*fn)(gmg_team *, int, const void *), const void *arg)
{
    t->fn = fn;
    t->arg = arg;
    for (int k = 0; k < 3; k++) atomic_store(&t->ctr[k], 0);
    atomic_fetch_add(&t->epoch, 1);
    team_wake(t);
    fn(t, 0, arg);
    team_barrier(t);
}

static void team_worker(gmg_team *t, int tid)
{
    unsigned e = 0;
    for (;;) {
        team_wait(t, &t->epoch, e);
        e = atomic_load(&t->epoch);
        if (atomic_load(&t->quit)) return;
        t->fn(t, tid, t->arg);
        team_barrier(t);
    }
}

static void team_stop(gmg_team *t)
{
    atomic_store(&t->quit, 1);
    atomic_fetch_add(&t->epoch, 1);
    team_wake(t);
}
#else
typedef struct gmg_team {
    int nt;
} gmg_team;
#endif

/* A pass over the planes of level L with up to three stages per plane: A(z) needs nothing, B(z) needs A on planes
 * z-1..z+1, C(z) needs B on planes z-1..z+1 (and may change what B reads). Inside a slab the stages run with a lag
 * of one plane; the first and last plane of each slab run A before and C after the others (two barriers). */
typedef struct {
    const gmg *m;
    const gmg_level *L;
    gmg_stage A, B, C;
    const gmg_args *a;
} gmg_pass;

/* next slab of phase k (t = NULL: serial, *s counts) */
static inline int pass_next(gmg_team *t, int k, int *s)
{
#if SSB_HAVE_OPENMP
    if (t) return atomic_fetch_add(&t->ctr[k], 1);
#endif
    (void)t;
    (void)k;
    return (*s)++;
}

static void pass_run(gmg_team *t, int tid, const void *arg)
{
    const gmg_pass *p = arg;
    const gmg *m = p->m;
    const gmg_args *a = p->a;
    const gmg_stage A = p->A, B = p->B, C = p->C;
    const int ns = p->L->nslab;
    const int64_t *sz = p->L->sz;
    double *part = m->part;
    int c0 = 0, c1 = 0, c2 = 0;
    (void)tid;
    if (A && (B || C)) {
        for (int s = pass_next(t, 0, &c0); s < ns; s = pass_next(t, 0, &c0)) {
            A(m, a, sz[s], part + 4 * s);
            if (sz[s + 1] - 1 > sz[s]) A(m, a, sz[s + 1] - 1, part + 4 * s);
        }
#if SSB_HAVE_OPENMP
        if (t) team_barrier(t);
#endif
    }
    for (int s = pass_next(t, 1, &c1); s < ns; s = pass_next(t, 1, &c1)) {
        const int64_t z0 = sz[s], z1 = sz[s + 1];
        double *acc = part + 4 * s;
        for (int64_t z = z0; z < z1; z++) {
            if (A && (!(B || C) || (z != z0 && z != z1 - 1))) A(m, a, z, acc);
            if (B && z - 1 >= z0) B(m, a, z - 1, acc);
            if (C && z - 2 > z0) C(m, a, z - 2, acc);
        }
        if (B) B(m, a, z1 - 1, acc);
        if (C && z1 - 2 > z0) C(m, a, z1 - 2, acc);
    }
    if (C) {
#if SSB_HAVE_OPENMP
        if (t) team_barrier(t);
#endif
        for (int s = pass_next(t, 2, &c2); s < ns; s = pass_next(t, 2, &c2)) {
            C(m, a, sz[s], part + 4 * s);
            if (sz[s + 1] - 1 > sz[s]) C(m, a, sz[s + 1] - 1, part + 4 * s);
        }
    }
}

/* Runs a pass (by the team if the level has several slabs); out[0..3]: the stages' sums, added in slab order. */
static void pipeline(const gmg *m, const gmg_level *L, gmg_stage A, gmg_stage B, gmg_stage C, const gmg_args *a,
                     double out[4])
{
    const int ns = L->nslab;
    double *part = m->part;
    memset(part, 0, (size_t)ns * 4 * sizeof(double));
    const gmg_pass p = {m, L, A, B, C, a};
#if SSB_HAVE_OPENMP
    if (ns > 1 && m->team && m->team->nt > 1) team_run(m->team, pass_run, &p);
    else pass_run(NULL, 0, &p);
#else
    pass_run(NULL, 0, &p);
#endif
    if (out) {
        for (int k = 0; k < 4; k++) out[k] = 0.0;
        for (int s = 0; s < ns; s++)
            for (int k = 0; k < 4; k++) out[k] += part[4 * s + k];
    }
}

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
static void q_dir(const gmg *m, const gmg_args *a, int64_t z, double *acc)
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
static void q_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc)
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
static void r_true(const gmg *m, const gmg_args *a, int64_t z, double *acc)
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
    pipeline(m, L, NULL, k_apply, NULL, &a, s); /* kv = A c1 */
    const double rho1 = s[0], alpha1 = s[1];
    if (!(rho1 > 0.0)) {
        swapf(&L->x, &L->kc);
        return;
    }
    a.a1 = (float)(alpha1 / rho1);
    a.w = L->b;
    a.v = L->kv;
    a.y = L->kr;
    pipeline(m, L, k_axpy, NULL, NULL, &a, s); /* kr = R - a1 A c1 */
    a.u = L->kc;
    a.y = L->x;
    a.a2 = 0.0f;
    if (s[0] <= 0.0625 * s[1]) { /* ||r2|| <= 0.25 ||R||: one step is enough */
        pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
        return;
    }
    swapf(&L->b, &L->kr); /* b = r2, kr = R */
    vcycle(m, l);         /* x = c2 */
    a.u = L->x;
    a.y = NULL;
    a.w = L->b;
    a.v = L->kv;
    pipeline(m, L, NULL, k_apply, NULL, &a, s);
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
    pipeline(m, L, k_comb, NULL, NULL, &a, NULL);
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
    pipeline(m, L, c_pre_init, c_black, c_pre_restrict, &a, NULL);
    coarse_solve(m, l + 1);
    pipeline(m, L, c_post_prolong, c_black, c_post_red, &a, NULL);
}

/* x0 = M^{-1} r on level 0 (z = x0 * gscale); returns r . z and (if q) q . z (for the flexible-CG beta). */
/* x0 = M^{-1} r on level 0 (z = x0 * gscale) in two parts. precond_pre: pre-smoothing and restriction; with
 * a->upd it first applies the CG update (x += alpha p, r -= alpha q) and returns r . r, else 0.
 * precond_post: coarse correction and post-smoothing; returns r . z and (if a->q) q . z (flexible-CG beta). */
static double precond_pre(gmg *m, const gmg_args *a)
{
    double s[4];
    pipeline(m, &m->lev[0], a->upd ? f_upd_init : f_pre_init, f_black,
                    m->nlev > 1 ? f_pre_restrict : NULL, a, s);
    return s[0];
}

static void precond_post(gmg *m, gmg_args *a, double *rz, double *zq)
{
    double s[4];
    a->omega = m->nlev > 1 && m->lev[1].kr ? 1.0f : GMG_OMEGA;
    if (m->nlev > 1) coarse_solve(m, 1);
    pipeline(m, &m->lev[0], m->nlev > 1 ? f_post_prolong : NULL, f_black, f_post_red, a, s);
    *rz = s[0];
    *zq = s[1];
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
    int32_t *cs = gmalloc(ctx, m, (size_t)(nvox + 1) * 4, "gmg index map");
    if (!cs) return SSB_ERR_NOMEM;
    cs[nvox] = (int32_t)p->nunk;
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
    /* K-cycle work vectors on the coarse levels above the coarsest; slabs */
    int maxslab = 1;
    for (int l = 0; l < m->nlev; l++) {
        gmg_level *L = &m->lev[l];
        if (l >= 1 && l < m->nlev - 1 && GMG_KCYCLE) {
            const size_t nb = (size_t)(L->n + 1) * 4;
            L->kr = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            L->kc = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            L->kv = gmalloc(ctx, m, nb, "gmg K-cycle vector");
            if (!L->kr || !L->kc || !L->kv) return SSB_ERR_NOMEM;
        }
        SSB_CHECK(ctx, setup_slabs(ctx, m, L));
        if (L->nslab > maxslab) maxslab = L->nslab;
    }
    m->part = gmalloc(ctx, m, (size_t)maxslab * 4 * sizeof(double), "gmg partial sums");
    if (!m->part) return SSB_ERR_NOMEM;
    return SSB_OK;
}

/* Inlet and outlet currents of x (solver numbering; normalised like the front end's). */
static void currents(const gmg *m, const double *x, double *i_in, double *i_out)
{
    const gmg_level *L = &m->lev[0];
    const int64_t n0 = L->ps[1], hs = L->ps[L->d[2] - 1];
    double a = 0.0, b = 0.0;
    for (int64_t i = 0; i < n0; i++) a += m->gdlo[i] * (1.0 - x[i]);
    for (int64_t i = hs; i < L->n; i++) b += m->gdhi[i - hs] * x[i];
    *i_in = a;
    *i_out = b;
}

/* The outer iteration (run by thread 0). */
typedef struct {
    ssb_ctx *ctx;
    gmg *m;
    const ssbi_tproblem *p;
    const ssb_transport_params *par;
    ssbi_tsolution *sol;
    double *x, *r, *pv, *q;
    int rc;
} cg_state;

static void cg_run(cg_state *c)
{
    gmg *m = c->m;
    const ssbi_tproblem *p = c->p;
    const ssb_transport_params *par = c->par;
    ssbi_tsolution *sol = c->sol;
    /* Flexible CG (Polak-Ribiere beta, exact for a fixed preconditioner) since the K-cycle is nonlinear. */
    const gmg_level *L0 = &m->lev[0];
    double bnorm = 0.0;
    for (int64_t i = 0; i < p->plane_start[1]; i++) bnorm += p->gd_lo[i] * p->gd_lo[i];
    bnorm = sqrt(bnorm);
    const double total = -log10(par->rtol);
    double rtol_eff = par->rtol;
    int64_t it = 0;
    double rel = 0.0, rz = 0.0, beta = 0.0, s[4];
    int restart = 1, confirmed = 0;
    gmg_args a;
    memset(&a, 0, sizeof a);
    a.prob = p;
    a.x = c->x;
    a.r = c->r;
    a.pv = c->pv;
    a.q = c->q;
    sol->converged = 0;
    snprintf(sol->reason, sizeof sol->reason, "max_iter reached");
    for (;;) {
        if (restart) { /* true residual */
            pipeline(m, L0, NULL, r_true, NULL, &a, s);
            rel = sqrt(s[0]) / bnorm;
            confirmed = 1;
        }
        if (rel <= rtol_eff) {
            if (!confirmed) { /* confirm with the true residual */
                restart = 1;
                continue;
            }
            double i_in, i_out;
            currents(m, c->x, &i_in, &i_out);
            if (ssbi_transport_mismatch(i_in, i_out) <= par->flux_tol) {
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
            a.upd = 0;
            a.q = NULL;
            precond_pre(m, &a);
            precond_post(m, &a, &rz, &dummy);
            a.q = c->q;
            beta = 0.0;
            restart = 0;
        }
        confirmed = 0;
        a.beta = beta;
        pipeline(m, L0, q_dir, q_apply, NULL, &a, s); /* p = z + beta p, q = A p */
        const double pq = s[0];
        if (!(pq > 0.0) || !isfinite(pq)) {
            snprintf(sol->reason, sizeof sol->reason, "CG breakdown (p.Ap = %g)", pq);
            break;
        }
        a.alpha = rz / pq;
        a.upd = 1;
        const double rr = precond_pre(m, &a); /* update of x and r, then the pre-smoothing of r */
        it++;
        rel = sqrt(rr) / bnorm;
        c->rc = ssbi_progress(c->ctx, p->stage, fmin(total, -log10(fmax(rel, 1e-300))), total);
        if (c->rc != SSB_OK) break;
        if (rel <= rtol_eff) continue; /* confirm at the top of the loop */
        double rzn, zq;
        precond_post(m, &a, &rzn, &zq);
        beta = -a.alpha * zq / rz;
        if (!isfinite(beta)) beta = 0.0;
        rz = rzn;
    }
    sol->iterations = it;
    sol->rel_residual = rel;
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
    double *r = NULL, *pv = NULL, *q = NULL;
    double *x = sol->x;
    int renumbered = 0;
    if (rc == SSB_OK) {
        r = gmalloc(ctx, m, (size_t)n * 8, "CG vector");
        pv = gmalloc(ctx, m, (size_t)(n + 1) * 8, "CG vector");
        q = gmalloc(ctx, m, (size_t)n * 8, "CG vector");
        if (!r || !pv || !q) rc = SSB_ERR_NOMEM;
    }
    if (rc != SSB_OK) goto out;
    pv[n] = 0.0;
    renumber(m, p, x, q, 1);
    renumbered = 1;
    x[n] = 0.0;
    cg_state c = {ctx, m, p, par, sol, x, r, pv, q, SSB_OK};
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
                    team_stop(&team);
                } else {
                    team_worker(&team, omp_get_thread_num());
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
    if (renumbered) {
        renumber(m, p, x, q, 0);
        x[n] = 0.0;
    }
    gfree(m, r, (size_t)n * 8);
    gfree(m, pv, (size_t)(n + 1) * 8);
    gfree(m, q, (size_t)n * 8);
    sol->peak_bytes = m->peak;
    gmg_free(m);
    return rc;
}
