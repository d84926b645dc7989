/* Our own distributed conduction solver (ssbi_dist_gmg_solve; backend "gmg-mpi" of ssb_dist_transport_file).
 *
 * Unknowns: the percolating voxels of each rank's z slab. Every other voxel is an identity row with value 0 (its
 * diagonal and all its face conductances are 0), so the arrays stay structured (nx ny planes) and no renumbering
 * is needed. Outer iteration: flexible CG in double (Notay's FCG(1): p = z - (z.q_old / p_old.q_old) p_old, no
 * extra vector), stopped by the variational rule of stoprule.md (see fcg): tau comes from the dissipated power
 * E(x) of the final iterate, whose error is the square of the iterate's A-norm error.
 *
 * Preconditioner: a K-cycle of structured geometric multigrid. Level l + 1 aggregates 2 x 2 x 2 blocks of level l
 * with piecewise-constant prolongation (onto the active cells of level l only); the Galerkin operator P^T A P of
 * a 7-point operator on such blocks is again a 7-point operator: a coarse face conductance is the sum of the fine
 * face conductances crossing that coarse face, and the coarse diagonal the sum of the fine diagonals less twice
 * the conductances of the faces inside the block (this keeps the Dirichlet terms). So every level stores four
 * arrays - conductances to the +x, +y and -z neighbours and the diagonal - in double (all levels share one set of
 * kernels; single precision on the coarse levels would save about 6 bytes per voxel). Level 1, where it is spread
 * over the ranks, is instead made of connected pieces as in the serial gmg (gmg_impl.h): each 2 x 2 x 2 block of
 * level 0 is split into the connected pieces of its active cells, one unknown per piece (rows with ghost pieces of
 * the neighbours' boundary planes; see pieces_setup), since a whole block joins pore pieces that meet only outside
 * it (electrode.tiff pore z at rtol 1e-8: 12 outer iterations instead of 17). Level 2 aggregates level 1's pieces
 * by their blocks' 2 x 2 x 2 blocks, which is the structured 4 x 4 x 4 aggregation of level 0, so it and the levels
 * below it stay structured grids.
 * Z coarsening is rank-local: a rank pairs its own planes (z0, z0 + 1), (z0 + 2, z0 + 3), ... (an odd last plane
 * stays alone), so restriction and prolongation never cross ranks and the coarse grid stays a set of slabs, one per
 * rank. The conductances to the plane below (gz, stored with the upper plane) of a rank's first plane are summed
 * by that rank and, in the same order, by the rank below for its halo copy, so both hold the same bits.
 * Smoother: DG_NSMOOTH red-black Gauss-Seidel sweeps (parity of the global cell index), forward before and
 * backward after the coarse correction (two sweeps: 19 outer iterations instead of 28 on 64 planes of
 * electrode.tiff at rtol 1e-8, at the same total work), one halo plane exchanged with each z neighbour
 * (MPI_Isend / MPI_Irecv) before each half-sweep.
 * Coarse levels are solved by Notay's K-cycle: two flexible-CG steps preconditioned by the cycle of that level
 * (the second one skipped when the first already reduces the residual by 4).
 * Gathering: when the next level would have fewer than DG_GATHER_CELLS cells or a rank fewer than DG_GATHER_PLANES
 * planes, the restricted residual is gathered onto rank 0 (MPI_Gatherv), which runs the rest of the hierarchy
 * alone (its operators were gathered once during the set-up) down to at most DG_NCOARSE cells solved by a dense
 * Cholesky factorisation (LAPACK dpotrf / dpotrs) of the active cells; the correction is scattered back
 * (MPI_Scatterv). Sums: per rank in a fixed order, then MPI_Allreduce in double; the results for different rank
 * counts differ by the solver tolerance only (the preconditioner depends on the slabs, the operator does not).
 * Level 0 is lean: its conductances are not stored but looked up in a table of the conducting labels' face
 * conductances (one per axis and pair) by a one-byte conductor code per cell (0 off the percolating set); only its
 * diagonal is stored. The cycle's residual of level 0 is restricted where it is formed, not stored.
 * Memory per voxel of a rank's slab: level 0 diagonal 8 and code 1, CG vectors x r p q 32, the cycle's z 8, coarse
 * levels about (4 + 6) 8 / 7 = 11, labels and classes 2: about 62; measured 59 on electrode.tiff with 1 rank (peak
 * growth of the resident set; the memory check uses SSBI_DIST_GMG_BYTES_PER_VOXEL = 72). Before the lean level 0:
 * 86-91. */
#include "dist_impl.h"
#include "transport/transport_impl.h"
#include "transport/transport_var.h"

#if SSB_HAVE_HYPRE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DG_NCOARSE 512         /* the coarsest level has at most this many cells (dense Cholesky) */
#define DG_GATHER_CELLS 200000 /* a coarse level smaller than this goes onto rank 0 */
#define DG_GATHER_PLANES 4     /* ... as does one where some rank would have fewer planes */
#define DG_MAXLEV 40
#ifndef DG_NSMOOTH
#define DG_NSMOOTH 2 /* red-black sweeps before and after the coarse correction */
#endif
#ifndef DG_PIECES
#define DG_PIECES 1 /* level 1: the connected pieces of each 2 x 2 x 2 block (0: whole blocks) */
#endif
#define DG_KCYCLE_T 0.25 /* K-cycle: one step is enough when it reduces the residual norm by 1 / DG_KCYCLE_T */

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info, size_t uplo_len);

/* One level. Every array has nz + 2 planes of nxy values; the pointers point at plane 0, so plane -1 (the halo
 * below) and plane nz (the halo above) are v[-nxy..-1] and v[nz nxy..]. gx[i] couples cell i with i + 1 (0 on the
 * last cell of a row), gy[i] with i + nx (0 on the last row), gz[i] with i - nxy (plane nz of gz: the last plane
 * with the plane above). Halo planes of gx, gy and dg stay 0. */
typedef struct {
    int64_t nx, ny, nz, nxy; /* cells per row, rows per plane, planes of this rank */
    int64_t zg0;             /* global index of plane 0 on this level (red-black parity) */
    int lo, hi;              /* z neighbour ranks (MPI_PROC_NULL at the image ends and on gathered levels) */
    int dist;                /* 1: spread over the ranks (sums over all), 0: on rank 0 alone */
    double *gx, *gy, *gz, *dg;
    /* lean level 0 (code != NULL; gx, gy, gz NULL): the conductance between cells i and j along axis a is
       tg[(a nc1 + code[i]) nc1 + code[j]], code: 1 + the conductor index of a percolating cell, 0 otherwise (halo
       planes: of every conducting cell, 0 beyond the image) */
    uint8_t *code;
    double *tg;
    int nc1;
    /* level of pieces (pc = 1, level 1 only): nx ny nz are its blocks (the 2 x 2 x 2 blocks of level 0), block I
       holds pieces pst[I] .. pst[I + 1] - 1 (pat[I]: its pattern of active corners, see piece tables); vectors hold
       glo ghost pieces (the last coarse plane of the rank below), npc own ones, ghi ghosts (the rank above); dg: the
       diagonal, rows rp / col / val: the couplings (columns -glo .. npc + ghi - 1) */
    int pc;
    int64_t npc, glo, ghi;
    int32_t *pst;
    uint8_t *pat;
    int64_t *rp;
    int32_t *col;
    double *val;
    double *x, *b, *r, *c1, *v1, *r2; /* b of level 0 is the outer residual (not owned); r: not on level 0 */
    /* the next level is gathered onto rank 0: this rank's share of it */
    int gather;
    int64_t cnz;     /* this rank's planes of the next level */
    double *cb;      /* the next level's vector, this rank's planes (no halos) */
    int *cnt, *dsp;  /* MPI_Gatherv counts and displacements (rank 0) */
    /* coarsest level: dense Cholesky factor of the active cells */
    int nact;
    int *act;
    double *chol, *rhs;
} dlevel;

typedef struct {
    MPI_Comm comm;
    int rank, size;
    /* the connected pieces of a 2 x 2 x 2 block by its pattern of active corners (bit c: corner x + 2 y + 4 z) */
    uint8_t pc_np[256], pc_id[256][8];
    int nlev; /* levels on this rank (rank 0 holds the gathered ones too) */
    dlevel lev[DG_MAXLEV];
} dhier;

/* Values of a vector of L below its first owned one (halo plane or ghost pieces), its owned ones, and in all. */
static int64_t v_lo(const dlevel *L)
{
    return L->pc ? L->glo : L->nxy;
}
static int64_t v_own(const dlevel *L)
{
    return L->pc ? L->npc : L->nz * L->nxy;
}
static int64_t v_all(const dlevel *L)
{
    return L->pc ? L->glo + L->npc + L->ghi : (L->nz + 2) * L->nxy;
}

static double *dv_new(const dlevel *L)
{
    double *p = calloc((size_t)v_all(L) + 1, sizeof(double));
    return p ? p + v_lo(L) : NULL;
}

static void dv_free(const dlevel *L, double **p)
{
    if (*p)
        free(*p - v_lo(L));
    *p = NULL;
}

static void level_free(dlevel *L, int owns_b)
{
    if (L->code)
        free(L->code - L->nxy);
    free(L->tg);
    dv_free(L, &L->gx);
    dv_free(L, &L->gy);
    dv_free(L, &L->gz);
    dv_free(L, &L->dg);
    dv_free(L, &L->x);
    if (owns_b)
        dv_free(L, &L->b);
    dv_free(L, &L->r);
    dv_free(L, &L->c1);
    dv_free(L, &L->v1);
    dv_free(L, &L->r2);
    free(L->pst);
    free(L->pat);
    free(L->rp);
    free(L->col);
    free(L->val);
    free(L->cb);
    free(L->cnt);
    free(L->dsp);
    free(L->act);
    free(L->chol);
    free(L->rhs);
    memset(L, 0, sizeof *L);
}

static void hier_free(dhier *H)
{
    for (int l = 0; l < H->nlev; l++)
        level_free(&H->lev[l], l > 0);
    H->nlev = 0;
}

/* Operator arrays (and, with vecs, the cycle's vectors) of L; 0 or SSB_ERR_NOMEM. */
static int level_alloc(dlevel *L, int vecs)
{
    L->nxy = L->nx * L->ny;
    L->gx = dv_new(L), L->gy = dv_new(L), L->gz = dv_new(L), L->dg = dv_new(L);
    int ok = L->gx && L->gy && L->gz && L->dg;
    if (vecs) {
        L->x = dv_new(L), L->b = dv_new(L), L->r = dv_new(L);
        L->c1 = dv_new(L), L->v1 = dv_new(L), L->r2 = dv_new(L);
        ok = ok && L->x && L->b && L->r && L->c1 && L->v1 && L->r2;
    }
    return ok ? SSB_OK : SSB_ERR_NOMEM;
}

/* Copy the owned planes of v's z neighbours into v's halo planes. */
static void halo(const dhier *H, const dlevel *L, double *v)
{
    if (!L->dist || H->size == 1)
        return;
    MPI_Request rq[4];
    if (L->pc) {
        const int64_t f = L->pst[L->nxy], l = L->pst[(L->nz - 1) * L->nxy];
        MPI_Irecv(v - L->glo, (int)L->glo, MPI_DOUBLE, L->lo, 1, H->comm, &rq[0]);
        MPI_Irecv(v + L->npc, (int)L->ghi, MPI_DOUBLE, L->hi, 0, H->comm, &rq[1]);
        MPI_Isend(v, (int)f, MPI_DOUBLE, L->lo, 0, H->comm, &rq[2]);
        MPI_Isend(v + l, (int)(L->npc - l), MPI_DOUBLE, L->hi, 1, H->comm, &rq[3]);
        MPI_Waitall(4, rq, MPI_STATUSES_IGNORE);
        return;
    }
    const int n = (int)L->nxy;
    MPI_Irecv(v - L->nxy, n, MPI_DOUBLE, L->lo, 1, H->comm, &rq[0]);
    MPI_Irecv(v + L->nz * L->nxy, n, MPI_DOUBLE, L->hi, 0, H->comm, &rq[1]);
    MPI_Isend(v, n, MPI_DOUBLE, L->lo, 0, H->comm, &rq[2]);
    MPI_Isend(v + (L->nz - 1) * L->nxy, n, MPI_DOUBLE, L->hi, 1, H->comm, &rq[3]);
    MPI_Waitall(4, rq, MPI_STATUSES_IGNORE);
}

/* k sums over the owned cells, added over the ranks of a distributed level (in place). */
static void allsum(const dhier *H, const dlevel *L, double *s, int k)
{
    if (L->dist && H->size > 1)
        MPI_Allreduce(MPI_IN_PLACE, s, k, MPI_DOUBLE, MPI_SUM, H->comm);
}

static double dot_local(const dlevel *L, const double *a, const double *b)
{
    double s = 0.0;
    const int64_t n = v_own(L);
    for (int64_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* The coarse cell of fine cell (x, y, z) of L in a level of nxc ncy cells per plane. */
static inline int64_t coarse_of(int64_t x, int64_t y, int64_t z, int64_t nxc, int64_t nxyc)
{
    return (x >> 1) + nxc * (y >> 1) + nxyc * (z >> 1);
}

/* Lean level 0: the conductance between cells i and j along axis a. */
static inline double tg0(const dlevel *L, int a, int64_t i, int64_t j)
{
    return L->tg[(a * L->nc1 + L->code[i]) * L->nc1 + L->code[j]];
}

/* The couplings of cell i (at x, y of its plane) with i + 1, i + nx and i - nxy (i may be on the halo plane above
 * for the last). */
static inline double cgx(const dlevel *L, int64_t i, int64_t x)
{
    return L->code ? (x + 1 < L->nx ? tg0(L, 0, i, i + 1) : 0.0) : L->gx[i];
}
static inline double cgy(const dlevel *L, int64_t i, int64_t y)
{
    return L->code ? (y + 1 < L->ny ? tg0(L, 1, i, i + L->nx) : 0.0) : L->gy[i];
}
static inline double cgz(const dlevel *L, int64_t i)
{
    return L->code ? tg0(L, 2, i, i - L->nxy) : L->gz[i];
}

/* Conductance-weighted sum of the six neighbours of cell i at (x, y) of its plane. */
static inline double nbsum(const dlevel *L, const double *v, int64_t i, int64_t x, int64_t y)
{
    const int64_t nx = L->nx, nxy = L->nxy;
    if (L->code) {
        if (!L->code[i])
            return 0.0;
        double s = tg0(L, 2, i, i - nxy) * v[i - nxy] + tg0(L, 2, i, i + nxy) * v[i + nxy];
        if (x > 0)
            s += tg0(L, 0, i, i - 1) * v[i - 1];
        if (x + 1 < nx)
            s += tg0(L, 0, i, i + 1) * v[i + 1];
        if (y > 0)
            s += tg0(L, 1, i, i - nx) * v[i - nx];
        if (y + 1 < L->ny)
            s += tg0(L, 1, i, i + nx) * v[i + nx];
        return s;
    }
    return L->gx[i] * v[i + 1] + L->gx[i - 1] * v[i - 1] + L->gy[i] * v[i + nx] + L->gy[i - nx] * v[i - nx] +
           L->gz[i] * v[i - nxy] + L->gz[i + nxy] * v[i + nxy];
}

/* y = b - A v (b NULL: y = A v); v's halos must be current. */
/* (A v)_p of a level of pieces. */
static inline double pc_av(const dlevel *L, const double *v, int64_t p)
{
    double s = L->dg[p] * v[p];
    for (int64_t k = L->rp[p]; k < L->rp[p + 1]; k++)
        s -= L->val[k] * v[L->col[k]];
    return s;
}

static void residual(const dlevel *L, const double *b, const double *v, double *y)
{
    if (L->pc) {
        for (int64_t p = 0; p < L->npc; p++)
            y[p] = b ? b[p] - pc_av(L, v, p) : pc_av(L, v, p);
        return;
    }
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t yy = 0; yy < L->ny; yy++)
            for (int64_t x = 0, i = L->nx * yy + L->nxy * z; x < L->nx; x++, i++) {
                const double av = L->dg[i] * v[i] - nbsum(L, v, i, x, yy);
                y[i] = b ? b[i] - av : av;
            }
}

/* rc = R (b - A v), the block sums of the residual of the owned planes, without storing the residual (rc without
 * halos: (nz + 1) / 2 planes of nxc nyc); v's halos current. */
static void restrict_residual(const dlevel *L, const double *b, const double *v, double *rc, int64_t nxc,
                              int64_t nyc)
{
    const int64_t nzc = (L->nz + 1) / 2, nxyc = nxc * nyc;
    memset(rc, 0, (size_t)(nxyc * nzc) * sizeof(double));
    if (L->pc) {
        for (int64_t z = 0; z < L->nz; z++)
            for (int64_t y = 0; y < L->ny; y++)
                for (int64_t x = 0, I = L->nx * y + L->nxy * z; x < L->nx; x++, I++)
                    for (int64_t p = L->pst[I]; p < L->pst[I + 1]; p++)
                        rc[coarse_of(x, y, z, nxc, nxyc)] += b[p] - pc_av(L, v, p);
        return;
    }
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++)
            for (int64_t x = 0, i = L->nx * y + L->nxy * z; x < L->nx; x++, i++)
                rc[coarse_of(x, y, z, nxc, nxyc)] += b[i] - (L->dg[i] * v[i] - nbsum(L, v, i, x, y));
}

/* One Gauss-Seidel half-sweep over the cells of colour c ((x + y + z) % 2 == c, z global); x's halos current. */
static void gs_half(const dlevel *L, const double *b, double *x, int c)
{
    if (L->pc) { /* blocks of one parity: their pieces never couple */
        for (int64_t z = 0; z < L->nz; z++)
            for (int64_t y = 0; y < L->ny; y++) {
                const int64_t row = L->nx * y + L->nxy * z;
                for (int64_t I = row + ((c + y + z + L->zg0) & 1); I < row + L->nx; I += 2)
                    for (int64_t p = L->pst[I]; p < L->pst[I + 1]; p++)
                        if (L->dg[p] > 0)
                            x[p] += (b[p] - pc_av(L, x, p)) / L->dg[p];
            }
        return;
    }
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++) {
            const int64_t row = L->nx * y + L->nxy * z;
            for (int64_t i = row + ((c + y + z + L->zg0) & 1); i < row + L->nx; i += 2)
                x[i] = L->dg[i] > 0 ? (b[i] + nbsum(L, x, i, i - row, y)) / L->dg[i] : 0.0;
        }
}

/* x += P xc on the active cells of L. */
static void prolong_add(const dlevel *L, const double *xc, double *x, int64_t nxc, int64_t nyc)
{
    if (L->pc) {
        for (int64_t z = 0; z < L->nz; z++)
            for (int64_t y = 0; y < L->ny; y++)
                for (int64_t x0 = 0, I = L->nx * y + L->nxy * z; x0 < L->nx; x0++, I++)
                    for (int64_t p = L->pst[I]; p < L->pst[I + 1]; p++)
                        x[p] += xc[coarse_of(x0, y, z, nxc, nxc * nyc)];
        return;
    }
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++)
            for (int64_t x0 = 0; x0 < L->nx; x0++) {
                const int64_t i = x0 + L->nx * y + L->nxy * z;
                if (L->dg[i] > 0)
                    x[i] += xc[coarse_of(x0, y, z, nxc, nxc * nyc)];
            }
}

/* Galerkin operator of the 2 x 2 x 2 aggregation of F into C (C's dims set, arrays zeroed): owned planes and the
 * halo plane of gz above. */
static void coarsen(const dlevel *F, dlevel *C)
{
    const int64_t nxc = C->nx, nxyc = C->nxy;
    for (int64_t z = 0; z < F->nz; z++)
        for (int64_t y = 0; y < F->ny; y++)
            for (int64_t x = 0; x < F->nx; x++) {
                const int64_t i = x + F->nx * y + F->nxy * z, I = coarse_of(x, y, z, nxc, nxyc);
                const double gx = cgx(F, i, x), gy = cgy(F, i, y), gz = cgz(F, i);
                C->dg[I] += F->dg[i];
                if (x & 1)
                    C->gx[I] += gx;
                else
                    C->dg[I] -= 2.0 * gx;
                if (y & 1)
                    C->gy[I] += gy;
                else
                    C->dg[I] -= 2.0 * gy;
                if (z & 1)
                    C->dg[I] -= 2.0 * gz;
                else
                    C->gz[I] += gz;
            }
    /* the coupling of the last coarse plane with the rank above: its fine couplings, summed in the order that
       rank uses for its first coarse plane */
    for (int64_t y = 0; y < F->ny; y++)
        for (int64_t x = 0; x < F->nx; x++)
            C->gz[(x >> 1) + nxc * (y >> 1) + nxyc * C->nz] += cgz(F, x + F->nx * y + F->nxy * F->nz);
}

/* Dense Cholesky factor of the active cells of the coarsest level L (one rank). */
static int coarsest_setup(ssb_ctx *ctx, dlevel *L)
{
    const int64_t n = L->nz * L->nxy;
    L->act = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    if (!L->act)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg-mpi: out of memory for the coarsest level");
    int *idx = L->act, na = 0;
    for (int64_t i = 0; i < n; i++)
        idx[i] = L->dg[i] > 0 ? na++ : -1;
    L->nact = na;
    L->chol = calloc((size_t)na * (size_t)na + 1, sizeof(double));
    L->rhs = calloc((size_t)na + 1, sizeof(double));
    if (!L->chol || !L->rhs)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg-mpi: out of memory for the coarsest level (%d cells)", na);
    for (int64_t i = 0; i < n; i++) {
        if (idx[i] < 0)
            continue;
        double *col = L->chol + (size_t)idx[i] * (size_t)na;
        col[idx[i]] = L->dg[i];
        const int64_t nb[3] = {i + 1, i + L->nx, i + L->nxy};
        const double g[3] = {cgx(L, i, i % L->nx), cgy(L, i, i % L->nxy / L->nx), cgz(L, i + L->nxy)};
        for (int k = 0; k < 3; k++)
            if (g[k] != 0.0 && nb[k] < n && idx[nb[k]] >= 0) {
                col[idx[nb[k]]] -= g[k];
                L->chol[(size_t)idx[nb[k]] * (size_t)na + (size_t)idx[i]] -= g[k];
            }
    }
    int info = 0;
    if (na > 0)
        dpotrf_("L", &na, L->chol, &na, &info, 1);
    if (info != 0)
        return SSB_ERROR(ctx, SSB_ERR_INTERNAL,
                         "gmg-mpi: the coarsest operator (%d cells) is not positive definite (dpotrf info %d)", na,
                         info);
    return SSB_OK;
}

static void coarsest_solve(dlevel *L, const double *b)
{
    const int64_t n = L->nz * L->nxy;
    for (int64_t i = 0; i < n; i++)
        if (L->act[i] >= 0)
            L->rhs[L->act[i]] = b[i];
    int info = 0, one = 1, na = L->nact;
    if (na > 0)
        dpotrs_("L", &na, &one, L->chol, &na, L->rhs, &na, &info, 1);
    for (int64_t i = 0; i < n; i++)
        L->x[i] = L->act[i] >= 0 ? L->rhs[L->act[i]] : 0.0;
}

/* The piece of active voxel i at (x, y, z) of level 0 in the level of pieces P. */
static inline int64_t piece_of(const dhier *H, const dlevel *P, int64_t x, int64_t y, int64_t z)
{
    const int64_t I = coarse_of(x, y, z, P->nx, P->nxy);
    return P->pst[I] + H->pc_id[P->pat[I]][(x & 1) | (y & 1) << 1 | (z & 1) << 2];
}

/* P->b = R (b - A v) from level 0 L onto the pieces P; v's halos current. */
static void restrict_to_pieces(const dhier *H, const dlevel *L, dlevel *P, const double *b, const double *v)
{
    memset(P->b, 0, (size_t)P->npc * sizeof(double));
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++)
            for (int64_t x = 0, i = L->nx * y + L->nxy * z; x < L->nx; x++, i++)
                if (L->dg[i] > 0)
                    P->b[piece_of(H, P, x, y, z)] += b[i] - (L->dg[i] * v[i] - nbsum(L, v, i, x, y));
}

/* x += P xc on the active cells of level 0 L. */
static void prolong_from_pieces(const dhier *H, const dlevel *L, const dlevel *P, const double *xc, double *x)
{
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++)
            for (int64_t x0 = 0, i = L->nx * y + L->nxy * z; x0 < L->nx; x0++, i++)
                if (L->dg[i] > 0)
                    x[i] += xc[piece_of(H, P, x0, y, z)];
}

static void kcycle(dhier *H, int l);

/* One multigrid cycle on level l for right-hand side b: L->x = M_l^-1 b. */
static void cycle(dhier *H, int l, const double *b)
{
    dlevel *L = &H->lev[l];
    if (L->chol) {
        coarsest_solve(L, b);
        return;
    }
    memset(L->x - v_lo(L), 0, (size_t)v_all(L) * sizeof(double));
    for (int s = 0; s < DG_NSMOOTH; s++) {
        if (s > 0)
            halo(H, L, L->x);
        gs_half(L, b, L->x, 0);
        halo(H, L, L->x);
        gs_half(L, b, L->x, 1);
    }
    halo(H, L, L->x);
    const int64_t nxc = (L->nx + 1) / 2, nyc = (L->ny + 1) / 2;
    if (L->gather) {
        restrict_residual(L, b, L->x, L->cb, nxc, nyc);
        const int n = (int)(L->cnz * nxc * nyc);
        dlevel *C = H->rank == 0 ? &H->lev[l + 1] : NULL;
        MPI_Gatherv(L->cb, n, MPI_DOUBLE, C ? C->b : NULL, L->cnt, L->dsp, MPI_DOUBLE, 0, H->comm);
        if (C)
            kcycle(H, l + 1);
        MPI_Scatterv(C ? C->x : NULL, L->cnt, L->dsp, MPI_DOUBLE, L->cb, n, MPI_DOUBLE, 0, H->comm);
        prolong_add(L, L->cb, L->x, nxc, nyc);
    } else if (H->lev[l + 1].pc) {
        dlevel *C = &H->lev[l + 1];
        restrict_to_pieces(H, L, C, b, L->x);
        kcycle(H, l + 1);
        prolong_from_pieces(H, L, C, C->x, L->x);
    } else {
        dlevel *C = &H->lev[l + 1];
        restrict_residual(L, b, L->x, C->b, nxc, nyc);
        kcycle(H, l + 1);
        prolong_add(L, C->x, L->x, nxc, nyc);
    }
    for (int s = 0; s < DG_NSMOOTH; s++) {
        halo(H, L, L->x);
        gs_half(L, b, L->x, 1);
        halo(H, L, L->x);
        gs_half(L, b, L->x, 0);
    }
}

/* Coarse-level solve of level l (b in L->b, result in L->x): two flexible-CG steps preconditioned by cycle(l). */
static void kcycle(dhier *H, int l)
{
    dlevel *L = &H->lev[l];
    if (L->chol) {
        coarsest_solve(L, L->b);
        return;
    }
    const int64_t n = v_own(L);
    cycle(H, l, L->b);
    memcpy(L->c1, L->x, (size_t)n * sizeof(double));
    halo(H, L, L->c1);
    residual(L, NULL, L->c1, L->v1);
    double s[3] = {dot_local(L, L->c1, L->v1), dot_local(L, L->c1, L->b), 0};
    allsum(H, L, s, 2);
    const double rho1 = s[0], a1 = s[1];
    if (!(rho1 > 0)) {
        memset(L->x, 0, (size_t)n * sizeof(double));
        return;
    }
    const double f1 = a1 / rho1;
    for (int64_t i = 0; i < n; i++)
        L->r2[i] = L->b[i] - f1 * L->v1[i];
    s[0] = dot_local(L, L->r2, L->r2);
    s[1] = dot_local(L, L->b, L->b);
    allsum(H, L, s, 2);
    if (s[0] <= DG_KCYCLE_T * DG_KCYCLE_T * s[1]) {
        for (int64_t i = 0; i < n; i++)
            L->x[i] = f1 * L->c1[i];
        return;
    }
    cycle(H, l, L->r2); /* c2 = L->x */
    halo(H, L, L->x);
    residual(L, NULL, L->x, L->r); /* v2 */
    s[0] = dot_local(L, L->x, L->v1);
    s[1] = dot_local(L, L->x, L->r);
    s[2] = dot_local(L, L->x, L->r2);
    allsum(H, L, s, 3);
    const double gam = s[0], rho2 = s[1] - gam * gam / rho1, a2 = s[2];
    if (!(rho2 > 0)) {
        for (int64_t i = 0; i < n; i++)
            L->x[i] = f1 * L->c1[i];
        return;
    }
    const double fc1 = f1 - gam * a2 / (rho1 * rho2), fc2 = a2 / rho2;
    for (int64_t i = 0; i < n; i++)
        L->x[i] = fc1 * L->c1[i] + fc2 * L->x[i];
}

/* Lean level 0 from the slab problem: the conductor codes (with the halo planes), the conductance table (each
 * pair of conductors once, so that both sides of a face and of a rank boundary hold the same bits), the diagonal
 * with the Dirichlet terms, and the right-hand side (phi = 1 on the low Dirichlet plane) into b. 0 or an error
 * code (SSB_ERR_NOMEM, SSB_ERR_UNSUPPORTED: more than 255 conducting labels). */
static int level0_setup(const ssbi_slab_problem *S, dlevel *L, double *b)
{
    const int64_t nx = S->nx, nxy = nx * S->ny;
    uint8_t map[256];
    double sg[256];
    int nc = 0;
    for (int k = 0; k < 256; k++) {
        map[k] = 0;
        if (S->sigma[k] > 0) {
            if (nc == 255)
                return SSB_ERR_UNSUPPORTED;
            map[k] = (uint8_t)++nc;
            sg[nc] = S->sigma[k];
        }
    }
    const int nc1 = nc + 1;
    L->nc1 = nc1;
    L->tg = calloc((size_t)(3 * nc1 * nc1), sizeof(double));
    uint8_t *code = calloc((size_t)((S->nz + 2) * nxy), 1);
    L->dg = dv_new(L);
    if (code)
        L->code = code + nxy;
    if (!L->tg || !code || !L->dg)
        return SSB_ERR_NOMEM;
    for (int a = 0; a < 3; a++) {
        const double area = S->h[(a + 1) % 3] * S->h[(a + 2) % 3], hd = S->h[a];
        for (int i = 1; i < nc1; i++)
            for (int j = i; j < nc1; j++)
                L->tg[(a * nc1 + i) * nc1 + j] = L->tg[(a * nc1 + j) * nc1 + i] =
                    ssbi_harm(sg[i], sg[j]) * area / hd / S->gscale;
    }
    const uint8_t *lab = S->lab + S->hlo * nxy; /* plane 0 */
    for (int64_t i = 0; i < S->nz * nxy; i++)
        L->code[i] = S->cls[i] == 1 ? map[lab[i]] : 0;
    for (int64_t i = 0; i < nxy; i++) {
        L->code[i - nxy] = S->hlo ? map[lab[i - nxy]] : 0;
        L->code[i + S->nz * nxy] = S->hhi ? map[lab[i + S->nz * nxy]] : 0;
    }
    static const int64_t dx[6] = {-1, 1, 0, 0, 0, 0}, dy[6] = {0, 0, -1, 1, 0, 0}, dz[6] = {0, 0, 0, 0, -1, 1};
    for (int64_t z = 0; z < S->nz; z++)
        for (int64_t y = 0; y < S->ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t i = x + nx * y + nxy * z;
                if (!L->code[i])
                    continue; /* not an unknown (its conducting neighbours, if any, are not percolating either) */
                double d = 0.0;
                for (int k = 0; k < 6; k++) {
                    int bnd;
                    double g = ssbi_dist_face_g(S, x, y, z, k, &bnd) / S->gscale;
                    if (!bnd && g != 0.0)
                        g = tg0(L, k / 2, i, i + dx[k] + nx * dy[k] + nxy * dz[k]);
                    d += g;
                    if (bnd == 1)
                        b[i] += g;
                }
                L->dg[i] = d;
            }
    return SSB_OK;
}

/* The pieces of every pattern of active corners of a 2 x 2 x 2 block (corners joined across the block's inner
 * faces). */
static void piece_tables(dhier *H)
{
    for (int pat = 0; pat < 256; pat++) {
        int id[8], n = 0;
        for (int c = 0; c < 8; c++)
            id[c] = -1;
        for (int c = 0; c < 8; c++) {
            if (!(pat >> c & 1) || id[c] >= 0)
                continue;
            int stack[8], top = 0;
            stack[top++] = c;
            id[c] = n;
            while (top > 0) {
                const int a = stack[--top];
                for (int e = 1; e < 8; e <<= 1)
                    if ((pat >> (a ^ e) & 1) && id[a ^ e] < 0)
                        id[a ^ e] = n, stack[top++] = a ^ e;
            }
            n++;
        }
        H->pc_np[pat] = (uint8_t)n;
        for (int c = 0; c < 8; c++)
            H->pc_id[pat][c] = (uint8_t)(id[c] < 0 ? 0 : id[c]);
    }
}

#define DG_PC_MAXNB 32 /* neighbouring pieces of one piece: at most 4 in each of the 6 face-adjacent blocks */

/* The Galerkin rows of the pieces of block (bx, by, bz) of P from level 0 L: diagonal dgk[k], and nk[k] couplings
 * (cols[k][], vals[k][]) of its piece k. lo_in / hi_in: the ghost piece (relative to the rank's boundary coarse
 * plane) of each voxel of the fine plane below / above the slab. */
static void block_rows(const dhier *H, const dlevel *L, const dlevel *P, int64_t bx, int64_t by, int64_t bz,
                       const int32_t *lo_in, const int32_t *hi_in, double dgk[4], int nk[4],
                       int32_t cols[4][DG_PC_MAXNB], double vals[4][DG_PC_MAXNB])
{
    const int64_t nx = L->nx, ny = L->ny, nz = L->nz, nxy = L->nxy;
    const int64_t I = bx + P->nx * by + P->nxy * bz, p0 = P->pst[I];
    for (int k = 0; k < 4; k++)
        dgk[k] = 0.0, nk[k] = 0;
    for (int c = 0; c < 8; c++) {
        const int64_t x = 2 * bx + (c & 1), y = 2 * by + (c >> 1 & 1), z = 2 * bz + (c >> 2);
        if (x >= nx || y >= ny || z >= nz)
            continue;
        const int64_t i = x + nx * y + nxy * z;
        if (!(L->dg[i] > 0))
            continue;
        const int k = H->pc_id[P->pat[I]][c];
        dgk[k] += L->dg[i];
        for (int d = 0; d < 6; d++) {
            double g = 0.0;
            int64_t q = -1;
            int64_t X = x, Y = y, Z = z;
            if (d == 0 && x > 0)
                g = cgx(L, i - 1, x - 1), X--;
            else if (d == 1 && x + 1 < nx)
                g = cgx(L, i, x), X++;
            else if (d == 2 && y > 0)
                g = cgy(L, i - nx, y - 1), Y--;
            else if (d == 3 && y + 1 < ny)
                g = cgy(L, i, y), Y++;
            else if (d == 4)
                g = cgz(L, i), Z--;
            else if (d == 5)
                g = cgz(L, i + nxy), Z++;
            if (g == 0.0)
                continue;
            if (Z < 0)
                q = -P->glo + lo_in[x + nx * y];
            else if (Z >= nz)
                q = P->npc + hi_in[x + nx * y];
            else
                q = piece_of(H, P, X, Y, Z);
            if (q == p0 + k) {
                dgk[k] -= g; /* a face inside the piece (seen from both sides: twice) */
                continue;
            }
            int m = 0;
            while (m < nk[k] && cols[k][m] != q)
                m++;
            if (m == nk[k]) {
                if (nk[k] == DG_PC_MAXNB)
                    continue; /* cannot happen: at most 24 neighbouring pieces */
                cols[k][m] = (int32_t)q, vals[k][m] = 0.0, nk[k]++;
            }
            vals[k][m] += g;
        }
    }
}

/* Level 1 as pieces: every 2 x 2 x 2 block of level 0 split into the connected pieces of its active cells, one
 * coarse unknown per piece (serial gmg: gmg_impl.h). The structured level 1 (already used to build level 2 and
 * below: the Galerkin operator of level 2 over the pieces is that of level 2 over the blocks) is replaced in
 * place. Collective over the ranks of level 1; 0 or SSB_ERR_NOMEM. */
static int pieces_setup(dhier *H)
{
    dlevel *L = &H->lev[0], *P = &H->lev[1];
    piece_tables(H);
    /* drop the structured level's arrays (keep its dims, neighbours and gathering) */
    dv_free(P, &P->gx), dv_free(P, &P->gy), dv_free(P, &P->gz), dv_free(P, &P->dg);
    dv_free(P, &P->x), dv_free(P, &P->r), dv_free(P, &P->c1), dv_free(P, &P->v1), dv_free(P, &P->r2);
    dv_free(P, &P->b);
    const int64_t nb = P->nx * P->ny * P->nz, nxy = L->nxy;
    P->pat = calloc((size_t)nb + 1, 1);
    P->pst = malloc(((size_t)nb + 1) * sizeof(int32_t));
    int32_t *buf = malloc((size_t)(4 * nxy + 1) * sizeof(int32_t));
    if (!P->pat || !P->pst || !buf) {
        free(buf);
        return SSB_ERR_NOMEM;
    }
    for (int64_t z = 0; z < L->nz; z++)
        for (int64_t y = 0; y < L->ny; y++)
            for (int64_t x = 0, i = L->nx * y + nxy * z; x < L->nx; x++, i++)
                if (L->dg[i] > 0)
                    P->pat[coarse_of(x, y, z, P->nx, P->nxy)] |= (uint8_t)(1 << ((x & 1) | (y & 1) << 1 | (z & 1) << 2));
    int64_t n = 0;
    for (int64_t I = 0; I < nb; I++) {
        P->pst[I] = (int32_t)n;
        n += H->pc_np[P->pat[I]];
    }
    P->pst[nb] = (int32_t)n;
    P->npc = n;
    /* ghosts: the pieces of the neighbours' boundary fine planes, relative to their boundary coarse planes */
    int32_t *mine_lo = buf, *mine_hi = buf + nxy, *lo_in = buf + 2 * nxy, *hi_in = buf + 3 * nxy;
    const int64_t last = P->pst[(P->nz - 1) * P->nxy];
    for (int64_t y = 0; y < L->ny; y++)
        for (int64_t x = 0; x < L->nx; x++) {
            const int64_t i = x + L->nx * y, j = i + (L->nz - 1) * nxy;
            mine_lo[i] = L->dg[i] > 0 ? (int32_t)piece_of(H, P, x, y, 0) : -1;
            mine_hi[i] = L->dg[j] > 0 ? (int32_t)(piece_of(H, P, x, y, L->nz - 1) - last) : -1;
            lo_in[i] = hi_in[i] = -1;
        }
    int64_t cnt_lo = P->pst[P->nxy], cnt_hi = n - last, glo = 0, ghi = 0;
    if (H->size > 1) {
        MPI_Request rq[8];
        MPI_Irecv(lo_in, (int)nxy, MPI_INT32_T, P->lo, 3, H->comm, &rq[0]);
        MPI_Irecv(hi_in, (int)nxy, MPI_INT32_T, P->hi, 2, H->comm, &rq[1]);
        MPI_Isend(mine_lo, (int)nxy, MPI_INT32_T, P->lo, 2, H->comm, &rq[2]);
        MPI_Isend(mine_hi, (int)nxy, MPI_INT32_T, P->hi, 3, H->comm, &rq[3]);
        MPI_Irecv(&glo, 1, MPI_INT64_T, P->lo, 5, H->comm, &rq[4]);
        MPI_Irecv(&ghi, 1, MPI_INT64_T, P->hi, 4, H->comm, &rq[5]);
        MPI_Isend(&cnt_lo, 1, MPI_INT64_T, P->lo, 4, H->comm, &rq[6]);
        MPI_Isend(&cnt_hi, 1, MPI_INT64_T, P->hi, 5, H->comm, &rq[7]);
        MPI_Waitall(8, rq, MPI_STATUSES_IGNORE);
    }
    P->glo = glo, P->ghi = ghi;
    P->rp = malloc(((size_t)n + 1) * sizeof(int64_t));
    if (!P->rp) {
        free(buf);
        return SSB_ERR_NOMEM;
    }
    P->pc = 1;
    double dgk[4], vals[4][DG_PC_MAXNB];
    int nk[4];
    int32_t cols[4][DG_PC_MAXNB];
    /* pass 1: row lengths; pass 2: rows */
    for (int pass = 0; pass < 2; pass++) {
        int64_t e = 0;
        for (int64_t bz = 0; bz < P->nz; bz++)
            for (int64_t by = 0; by < P->ny; by++)
                for (int64_t bx = 0; bx < P->nx; bx++) {
                    const int64_t I = bx + P->nx * by + P->nxy * bz, p0 = P->pst[I];
                    const int np = P->pst[I + 1] - P->pst[I];
                    if (np == 0)
                        continue;
                    block_rows(H, L, P, bx, by, bz, lo_in, hi_in, dgk, nk, cols, vals);
                    for (int k = 0; k < np; k++) {
                        P->rp[p0 + k] = e;
                        if (pass == 1) {
                            P->dg[p0 + k] = dgk[k];
                            memcpy(P->col + e, cols[k], (size_t)nk[k] * sizeof(int32_t));
                            memcpy(P->val + e, vals[k], (size_t)nk[k] * sizeof(double));
                        }
                        e += nk[k];
                    }
                }
        P->rp[n] = e;
        if (pass == 0) {
            P->col = malloc((size_t)(e + 1) * sizeof(int32_t));
            P->val = malloc((size_t)(e + 1) * sizeof(double));
            P->dg = dv_new(P), P->x = dv_new(P), P->b = dv_new(P), P->r = dv_new(P);
            P->c1 = dv_new(P), P->v1 = dv_new(P), P->r2 = dv_new(P);
            if (!P->col || !P->val || !P->dg || !P->x || !P->b || !P->r || !P->c1 || !P->v1 || !P->r2) {
                free(buf);
                return SSB_ERR_NOMEM;
            }
        }
    }
    free(buf);
    return SSB_OK;
}

/* DG_GATHER_CELLS, or SSBNET_DIST_GMG_GATHER_CELLS (> 0) from the environment: the tests gather later so that
 * small images exercise the distributed coarse levels (pieces, ghosts) too. */
static int64_t gather_cells(void)
{
    const char *e = getenv("SSBNET_DIST_GMG_GATHER_CELLS");
    return e && atoll(e) > 0 ? (int64_t)atoll(e) : DG_GATHER_CELLS;
}

/* Build the levels below level 0: distributed while large, then gathered onto rank 0. */
static int hier_setup(ssb_ctx *ctx, dhier *H)
{
    int rc = SSB_OK;
    int l = 0;
    for (; l + 1 < DG_MAXLEV; l++) {
        dlevel *F = &H->lev[l];
        if (!F->dist)
            break;
        /* the next level's planes on every rank */
        const int64_t nxc = (F->nx + 1) / 2, nyc = (F->ny + 1) / 2, cnz = (F->nz + 1) / 2;
        int64_t nzc_all = cnz, zg = 0;
        MPI_Allreduce(MPI_IN_PLACE, &nzc_all, 1, MPI_INT64_T, MPI_SUM, H->comm);
        int64_t mn = cnz;
        MPI_Allreduce(MPI_IN_PLACE, &mn, 1, MPI_INT64_T, MPI_MIN, H->comm);
        MPI_Exscan(&cnz, &zg, 1, MPI_INT64_T, MPI_SUM, H->comm);
        if (H->rank == 0)
            zg = 0;
        const int64_t fine_cells = F->nxy * F->nz, cells = nxc * nyc * nzc_all;
        int64_t fc = fine_cells;
        MPI_Allreduce(MPI_IN_PLACE, &fc, 1, MPI_INT64_T, MPI_SUM, H->comm);
        if (H->size == 1 && (fc <= DG_NCOARSE || cells == fc))
            break; /* level l is the coarsest */
        dlevel *C = &H->lev[l + 1];
        memset(C, 0, sizeof *C);
        C->nx = nxc, C->ny = nyc, C->nz = cnz, C->zg0 = zg, C->lo = F->lo, C->hi = F->hi, C->dist = 1;
        const int gather = H->size > 1 && (cells < gather_cells() || mn < DG_GATHER_PLANES);
        rc = level_alloc(C, !gather);
        if (rc == SSB_OK)
            coarsen(F, C);
        rc = ssbi_dist_agree(ctx, rc == SSB_OK ? SSB_OK : SSB_ERROR(ctx, rc, "gmg-mpi: out of memory for level %d",
                                                                       l + 1));
        if (rc != SSB_OK) {
            H->nlev = l + 2;
            return rc;
        }
        if (!gather) {
            H->nlev = l + 2;
            continue;
        }
        /* gather C onto rank 0 as a serial level, keep only this rank's share of its vectors */
        F->gather = 1;
        F->cnz = cnz;
        F->cb = malloc((size_t)(cnz * C->nxy) * sizeof(double));
        int bad = F->cb == NULL;
        dlevel G;
        memset(&G, 0, sizeof G);
        G.nx = nxc, G.ny = nyc, G.nz = nzc_all, G.zg0 = 0, G.lo = G.hi = MPI_PROC_NULL, G.dist = 0;
        if (H->rank == 0) {
            F->cnt = malloc((size_t)H->size * sizeof(int));
            F->dsp = malloc((size_t)H->size * sizeof(int));
            bad |= !F->cnt || !F->dsp || G.nz * C->nxy > 0x7fffffff || level_alloc(&G, 1) != SSB_OK;
        }
        bad = ssbi_dist_agree(ctx, bad ? SSB_ERROR(ctx, SSB_ERR_NOMEM,
                                                   "gmg-mpi: out of memory for the gathered level %d (%lld cells)",
                                                   l + 1, (long long)cells)
                                       : SSB_OK) != SSB_OK;
        if (bad) {
            level_free(C, 1);
            level_free(&G, 1);
            H->nlev = l + 1;
            return SSB_ERR_NOMEM;
        }
        const int n = (int)(cnz * C->nxy);
        MPI_Gather(&n, 1, MPI_INT, F->cnt, 1, MPI_INT, 0, H->comm);
        if (H->rank == 0)
            for (int r = 0, d = 0; r < H->size; r++) {
                F->dsp[r] = d;
                d += F->cnt[r];
            }
        double *src[4] = {C->gx, C->gy, C->gz, C->dg}, *dst[4] = {G.gx, G.gy, G.gz, G.dg};
        for (int k = 0; k < 4; k++)
            MPI_Gatherv(src[k], n, MPI_DOUBLE, dst[k], F->cnt, F->dsp, MPI_DOUBLE, 0, H->comm);
        level_free(C, 1);
        if (H->rank == 0)
            *C = G;
        H->nlev = H->rank == 0 ? l + 2 : l + 1;
        l++;
        break;
    }
    if (H->rank != 0 && H->size > 1)
        return SSB_OK;
    /* serial levels on rank 0 */
    H->nlev = l + 1;
    for (; H->nlev < DG_MAXLEV; l++) {
        dlevel *F = &H->lev[l];
        const int64_t nxc = (F->nx + 1) / 2, nyc = (F->ny + 1) / 2, nzc = (F->nz + 1) / 2;
        if (F->nxy * F->nz <= DG_NCOARSE || nxc * nyc * nzc == F->nxy * F->nz)
            break;
        dlevel *C = &H->lev[l + 1];
        memset(C, 0, sizeof *C);
        C->nx = nxc, C->ny = nyc, C->nz = nzc, C->lo = C->hi = MPI_PROC_NULL, C->dist = F->dist;
        H->nlev = l + 2;
        if (level_alloc(C, 1) != SSB_OK)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg-mpi: out of memory for level %d", l + 1);
        coarsen(F, C);
    }
    return coarsest_setup(ctx, &H->lev[H->nlev - 1]);
}

/* The Dirichlet planes' entries of level 0: cell index and conductance (normalised) to the plane. */
typedef struct {
    int64_t n;
    int64_t *idx;
    double *g;
} dbound;

/* The stopping rule of the variational tau: src/transport/transport_var.h (one definition with the serial gmg):
 * tau from E(x) = I_in(x) - r.x of the final iterate; converged when (a) the tail estimate of E's decrements is
 * within 0.1 rtol of E (ssbi_var_settled), (b) ||r|| <= sqrt(rtol) ||b|| and (c) the inlet and outlet currents agree
 * to flux_tol. */
typedef struct {
    int64_t iters;
    double relres;  /* ||b - A x|| / ||b|| */
    double evar;    /* E(x) of the final iterate, normalised */
    double err_est; /* t_k / E_k */
    int converged;  /* the rule above was met (0: max_iter or breakdown) */
} dfcg_out;

static double bsum_x(const dbound *B, const double *x)
{
    double s = 0.0;
    for (int64_t k = 0; k < B->n; k++)
        s += B->g[k] * x[B->idx[k]];
    return s;
}

/* Flexible CG (Notay's FCG(1)) on level 0 of H from x = 0, r = b (the inlet entries of b: bin), stopped by the rule
 * above or at max_iter. Every sum is taken per rank in a fixed order and then over the ranks (allsum). */
static void fcg(dhier *H, double *xs, double *r, double *p, double *q, const dbound *bin, const dbound *bout,
                const ssb_transport_params *par, int var, dfcg_out *o)
{
    dlevel *L0 = &H->lev[0];
    const int64_t n = L0->nz * L0->nxy;
    double s[4] = {dot_local(L0, r, r), 0, 0, 0};
    for (int64_t k = 0; k < bin->n; k++)
        s[1] += bin->g[k];
    allsum(H, L0, s, 2);
    const double bnorm = sqrt(s[0]), bsum = s[1];
    double rel = bnorm > 0 ? 1.0 : 0.0, pq = 1.0;
    ssbi_var_est v = {.e = bsum, .d = NAN, .tail = INFINITY, .nratio = 0}; /* E(0) = I_in(0) = bsum */
    double iprev = INFINITY;
    int64_t it = 0;
    int conv = !(bnorm > 0);
    while (!conv && it < par->max_iter) {
        cycle(H, 0, r); /* z = L0->x */
        const double *z = L0->x;
        double beta = 0.0;
        if (it > 0) {
            s[0] = dot_local(L0, z, q);
            allsum(H, L0, s, 1);
            beta = s[0] / pq;
        }
        for (int64_t i = 0; i < n; i++)
            p[i] = z[i] - beta * p[i];
        halo(H, L0, p);
        residual(L0, NULL, p, q);
        s[0] = dot_local(L0, p, q);
        s[1] = dot_local(L0, p, r);
        allsum(H, L0, s, 2);
        pq = s[0];
        if (!(pq > 0))
            break; /* breakdown: r is 0 to rounding or the preconditioner failed; rel tells */
        it++;
        const double alpha = s[1] / pq;
        for (int64_t i = 0; i < n; i++) {
            xs[i] += alpha * p[i];
            r[i] -= alpha * q[i];
        }
        s[0] = dot_local(L0, r, r);
        s[1] = bsum_x(bin, xs);
        s[2] = dot_local(L0, r, xs);
        s[3] = bsum_x(bout, xs);
        allsum(H, L0, s, 4);
        rel = sqrt(s[0]) / bnorm;
        const double iin = bsum - s[1], iout = s[3];
        ssbi_var_step(&v, iin - s[2]);
        if (it < 2)
            continue;
        const double mx = fmax(fabs(iin), fabs(iout));
        /* var = 0 (a conductance contrast beyond the rule's reach, transport_var.h): the serial gmg's residual rule,
           residual <= rtol and the inlet current settled to rtol in the last iteration (or residual <= 1e-3 rtol) */
        const double dcur = fabs(iin - iprev);
        iprev = iin;
        const int ca = var ? ssbi_var_settled(&v, par->rtol)
                           : dcur <= fmax(par->rtol, 1e-13) * fabs(iin) || rel <= 1e-3 * par->rtol;
        const int cb = rel <= (var ? sqrt(par->rtol) : par->rtol);
        const int cc = (mx > 0 ? fabs(iin - iout) / mx : 0.0) <= par->flux_tol;
        conv = ca && cb && cc;
    }
    o->iters = it;
    o->relres = rel;
    o->evar = bnorm > 0 ? v.e : 0.0;
    o->err_est = bnorm > 0 ? (!var ? NAN : v.e > 0 ? v.tail / v.e : INFINITY) : 0.0;
    o->converged = conv;
}

/* The entries of the Dirichlet plane dir_bnd (1 inlet, 2 outlet) of the percolating cells of S into B. */
static int bound_list(const ssbi_slab_problem *S, int dir_bnd, dbound *B)
{
    const int dir = 2 * (int)S->axis + (dir_bnd == 2);
    const int64_t nx = S->nx, nxy = nx * S->ny;
    int64_t cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        B->n = 0;
        for (int64_t z = 0; z < S->nz; z++)
            for (int64_t y = 0; y < S->ny; y++)
                for (int64_t x = 0; x < nx; x++) {
                    const int64_t i = x + nx * y + nxy * z;
                    int bnd;
                    if (S->cls[i] != 1)
                        continue;
                    const double g = ssbi_dist_face_g(S, x, y, z, dir, &bnd) / S->gscale;
                    if (bnd != dir_bnd)
                        continue;
                    if (pass == 1)
                        B->idx[B->n] = i, B->g[B->n] = g;
                    B->n++;
                }
        if (pass == 0) {
            cap = B->n;
            B->idx = malloc((size_t)(cap + 1) * sizeof *B->idx);
            B->g = malloc((size_t)(cap + 1) * sizeof *B->g);
            if (!B->idx || !B->g)
                return SSB_ERR_NOMEM;
        }
    }
    return SSB_OK;
}

int ssbi_dist_gmg_solve(ssb_ctx *ctx, MPI_Comm comm, const ssbi_slab_problem *S, const ssb_transport_params *par,
                        ssbi_dist_gmg_result *res)
{
    const int64_t rss0 = ssbi_rss_bytes();
    memset(res, 0, sizeof *res);
    dhier H;
    memset(&H, 0, sizeof H);
    H.comm = comm;
    MPI_Comm_rank(comm, &H.rank);
    MPI_Comm_size(comm, &H.size);
    dlevel *L0 = &H.lev[0];
    L0->nx = S->nx, L0->ny = S->ny, L0->nz = S->nz, L0->zg0 = S->z0, L0->dist = 1;
    L0->lo = H.rank > 0 ? H.rank - 1 : MPI_PROC_NULL;
    L0->hi = H.rank < H.size - 1 ? H.rank + 1 : MPI_PROC_NULL;
    H.nlev = 1;
    L0->nxy = L0->nx * L0->ny;
    double *xs = dv_new(L0), *r = dv_new(L0), *p = dv_new(L0), *q = dv_new(L0);
    L0->x = dv_new(L0);
    int rc = L0->x && xs && r && p && q ? level0_setup(S, L0, r) : SSB_ERR_NOMEM;
    if (rc == SSB_ERR_UNSUPPORTED)
        rc = SSB_ERROR(ctx, rc, "gmg-mpi: more than 255 conducting labels (use --backend hypre)");
    else if (rc != SSB_OK)
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg-mpi: out of memory for the %lld voxels of this rank's slab",
                       (long long)(S->nx * S->ny * S->nz));
    rc = ssbi_dist_agree(ctx, rc);
    if (rc == SSB_OK) {
        L0->b = r;
        rc = hier_setup(ctx, &H);
        if (H.size > 1)
            rc = ssbi_dist_agree(ctx, rc);
        /* level 1 as connected pieces where it is spread over the ranks (not gathered) and not the coarsest */
        if (DG_PIECES && rc == SSB_OK && H.nlev >= 2 && !L0->gather && !H.lev[1].chol) {
            rc = pieces_setup(&H);
            rc = ssbi_dist_agree(ctx, rc == SSB_OK ? SSB_OK
                                                   : SSB_ERROR(ctx, rc, "gmg-mpi: out of memory for the pieces "
                                                                        "of level 1"));
        }
    }
    dbound bin = {0, NULL, NULL}, bout = {0, NULL, NULL};
    if (rc == SSB_OK) {
        rc = bound_list(S, 1, &bin);
        if (rc == SSB_OK)
            rc = bound_list(S, 2, &bout);
        rc = ssbi_dist_agree(ctx, rc == SSB_OK ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "gmg-mpi: out of memory"));
    }
    if (rc == SSB_OK) {
        dfcg_out o;
        fcg(&H, xs, r, p, q, &bin, &bout, par, ssbi_var_contrast_ok(ssbi_var_contrast(S->sigma, 256)), &o);
        res->iters = o.iters;
        res->relres = o.relres;
        res->ivar = o.evar * S->gscale;
        res->err_est = o.err_est;
        res->converged = o.converged;
        res->peak_growth = ssbi_rss_bytes() - rss0;
        double c[2] = {0.0, 0.0};
        for (int64_t z = 0; z < S->nz; z++)
            ssbi_dist_plane_currents(S, z, xs + z * L0->nxy, &c[0], &c[1]);
        MPI_Allreduce(MPI_IN_PLACE, c, 2, MPI_DOUBLE, MPI_SUM, comm);
        res->iin = c[0];
        res->iout = c[1];
    }
    free(bin.idx);
    free(bin.g);
    free(bout.idx);
    free(bout.g);
    dv_free(L0, &xs);
    dv_free(L0, &r);
    dv_free(L0, &p);
    dv_free(L0, &q);
    hier_free(&H);
    return rc;
}
#endif
