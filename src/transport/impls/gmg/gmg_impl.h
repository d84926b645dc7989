/* Private interface of the "gmg" transport backend, split by job: gmg_setup.c (levels, aggregation, Galerkin
 * operators), gmg_team.c (threads and pipelined passes), gmg_cycle.c (smoothers, K-cycle, preconditioner) and gmg.c
 * (the Krylov driver).
 *
 * "gmg": matrix-free flexible conjugate gradients (double) on the compressed set of unknowns, preconditioned by
 * an aggregation multigrid K-cycle in single precision.
 *
 * Level 0 is the voxel problem itself. Its unknowns are renumbered plane by plane, red (x+y+z even) before black,
 * each colour row by row, so that a Gauss-Seidel half-sweep walks one contiguous range per plane without tests.
 * Three storages of its neighbours (params.lean, identical arithmetic, bit-identical results): each unknown stores
 * its six neighbour indices (the dummy unknown n, of value 0, where a neighbour is absent), its phase and its
 * inverse diagonal (lean = 0: the fastest sweeps); or (lean = 2, "compact", gmg_nbr) its six neighbours as 16-bit
 * ranks in their rows, whose starts the level keeps, and the phase only with several conducting phases: 12 bytes
 * per unknown less (14 with one phase), the decoding costs ~15 % of the solve (GMG_FINE_COMPACT); or (lean = 1)
 * the neighbours are found from one bit per voxel (the unknowns of each row and colour) and the start of each row,
 * the phases from the front end's phase map and the diagonal is summed where it is needed: 29 bytes per unknown
 * less than lean = 0, 2-3x the arithmetic per sweep (GMG_FINE_WALK). Auto (params.lean = -1): the indices up to
 * GMG_COMPACT_AUTO_UNKNOWNS, compact up to GMG_LEAN_AUTO_UNKNOWNS, lean above.
 * The right-hand side of level 0 is the outer residual in float, formed where it is read. The outer CG runs
 * in that numbering too, on the caller's vector put into it in place (and back at the end).
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
 * underestimates the smooth error, so the coarse problems (levels 1-3 and the large ones, see GMG_KCYCLE_LEVELS)
 * are solved by Notay's K-cycle: two flexible-CG steps per coarse level, each preconditioned by the cycle of that
 * level (a V-cycle with its correction scaled by 1.7 needs twice as many outer iterations). The preconditioner is then slightly nonlinear and the outer iteration uses the
 * Polak-Ribiere (flexible) beta. GMG_KCYCLE=0 gives the scaled V-cycle instead.
 * Passes: a smoothing step is one pass over the planes of a level with up to three stages per plane and a lag of
 * one plane between them (e.g. red initialisation, black update, red residual and restriction), so it reads the
 * level's data once; the CG update of x and r is fused into the first pass of the preconditioner.
 * Threads: levels of >= GMG_PAR_MIN unknowns are cut into up to GMG_SLAB_MAX slabs of planes that the threads take
 * one by one (a thread that the system holds up delays little); only the two planes at each slab end wait for the
 * neighbouring slab (two barriers per pass). The slabs depend on the level alone and sums are formed per slab and
 * added in slab order, so the results are the same for any thread count. Thread 0 runs the iteration and the small
 * levels, the others wait in a team whose waits sleep after a short spin (see gmg_team).
 * Outer CG vectors: x (the caller's vector) and r in double, the search direction p in float (p = z + beta p, where
 * z comes from the single-precision preconditioner; x and r are updated with the stored p and q = A p of that same
 * p, so the recursive residual stays the residual of x): 4 bytes per unknown and ~12 bytes of traffic per iteration
 * less than a double p. The compact and lean level 0 store no q = A p and solve in the caller's x (16 bytes per
 * unknown less): the step length alpha comes first, from p . A p = z . A z + 2 beta z . A p_old + beta^2 p_old . A
 * p_old (z . A z from sums the post-smoothing forms anyway, in the float operator; the other two exact), then one
 * walk forms q = A p (apply_plane's arithmetic) and updates x and r with it (and sums the exact p . A p for the
 * next step); the post-smoothing forms q again for z . q (the Polak-Ribiere beta) after each colour's final
 * half-sweep. alpha's rounding only scales the step: x and r stay consistent. Beyond a conductance contrast of
 * SSBI_VAR_MAX_CONTRAST that estimate is too coarse (sums that cancel in the float operator): the exact p . A p
 * comes first and the pre-smoothing forms q again for the update (red unknowns in stage A, black ones in their
 * half-sweep). The stored level 0 keeps q (the caller's vector) and an x of its own: one pass less per iteration;
 * the same outer iterations as a double p on electrode.tiff x / y / z and a 300^3 cathode's SE and CAM phases, tau
 * 1e-14 to 9e-11 (relative) from the double-p value, inside the stopping rule's 1e-9).
 * Dirichlet faces: the exact Dirichlet terms of level 0 are lists per plane (solver index and conductance, m->dps,
 * di, dg0; with across = 0 every unknown of the first / last plane, in the order of the former plane arrays, so the
 * sums are the same), so the inlet and outlet may also be the faces normal to local x or y (ssbi_tproblem.across):
 * the front end's shared path solves the three transport axes of a grid in one numbering. The interior operator is
 * the same for every pair of faces, so a kept hierarchy serves another pair after ssbi_gmg_set_dirichlet: level 0's
 * inverse diagonal again (interior sum + Dirichlet), and, since P is piecewise constant, P^T D P of the Dirichlet
 * diagonal D is diagonal: a coarse unknown's Dirichlet conductance (gdir) is the sum over its members, its diagonal
 * the row sum of its couplings (the Galerkin operator of a Laplacian) plus that; the coarsest factor is refactored.
 * Aggregation, runs, slabs and K-cycle vectors stay. On the 500^3 cathode (39.8 M unknowns) that took 0.11-0.24 s
 * per axis (the set-up time of axes y and z, bench/transport_axes.sh) instead of a 2.3 s build (plus its page
 * faults); the iterations and tau are those of the per-axis hierarchies (tau to 12 digits there and to 1e-13 in
 * test_transport_axes: the red-black colouring and the 2x2x2 blocks do not depend on the frame).
 * Not for the lean level 0 (its diagonal is summed from the first / last plane's arrays, GMG_FINE_DIAG).
 * Exact operator of one conducting phase with stored neighbours (q = A p, the true residual): the double diagonal
 * comes from a table of the 27 neighbour counts per axis (nc, 1 byte per unknown) instead of six index tests per
 * unknown: the same sum in the same order, so the same bits (test_transport_gmg's lean case compares them); q = A p
 * took ~10 % of the solve's CPU, electrode.tiff pore along z 1.14 -> 1.10 s (bench_transport, 3 x 3 runs
 * interleaved with main, 2 threads, session 9).
 * Memory: 37 bytes per unknown on level 0 (38 with one phase; compact 25, 24 with one phase; lean: 8 + 1 bit per
 * voxel) + 12 for the CG vectors (r, p; x is the caller's) + ~75 per coarse unknown (about 1/6 of them); during the
 * set-up a transient 4-byte index per voxel (and, lean, the phases and the diagonal), which makes the set-up the
 * peak with the compact storage (TauFactor's 500^3 volume: 19.0 bytes per voxel). */
#ifndef SSB_GMG_IMPL_H
#define SSB_GMG_IMPL_H

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
/* params.lean = -1 (auto) chooses the lean level 0 above this many unknowns (stored neighbours: 2 GiB) */
#define GMG_LEAN_AUTO_UNKNOWNS ((int64_t)89478485)
/* params.lean = -1 (auto) chooses the compact level 0 (16-bit ranks, gmg_nbr) above this many unknowns and up to
 * GMG_LEAN_AUTO_UNKNOWNS: the 32-bit indices below (the fastest sweeps, where the memory is small anyway) */
#define GMG_COMPACT_AUTO_UNKNOWNS ((int64_t)16777216)
#define GMG_MAXLEV 40
#define GMG_PAR_MIN 131072 /* below this many unknowns a level runs on one thread */
#define GMG_SLAB 65536     /* unknowns per slab of planes (see setup_slabs) */
#ifndef GMG_SLAB_MAX
#define GMG_SLAB_MAX 16
#endif

#ifndef GMG_KCYCLE
#define GMG_KCYCLE 1
#endif
/* The K-cycle solves the coarse problems of levels 1 to GMG_KCYCLE_LEVELS and of every level of at least
 * GMG_KCYCLE_MIN unknowns; smaller levels deeper down take one scaled V-cycle. Those levels run on one thread, and
 * the K-cycle visits level l about 2^l times per outer iteration (its second step is taken nearly always there):
 * on electrode.tiff (levels 4-7: 10.9k to 281 unknowns) the coarse solves from level 3 down cost 0.090 s of thread
 * time per solve with K-cycles on every level, 0.056 s so, with the same outer iterations on every case of the
 * transport tests (electrode.tiff x/y/z, cathode SE/CAM phases, 1e3-1e6 contrasts, cell Dirichlet). K-cycles on
 * levels 1-2 only: 12 / 11 / 10 iterations along x / y / z (11 / 10 / 10) and 16 instead of 11 on a cathode's CAM
 * phase; on levels of >= 16384 unknowns only: small images lose the K-cycle (13 instead of 9 iterations). */
#ifndef GMG_KCYCLE_LEVELS
#define GMG_KCYCLE_LEVELS 3
#endif
#ifndef GMG_KCYCLE_MIN
#define GMG_KCYCLE_MIN 32768
#endif
#ifndef GMG_OMEGA
#define GMG_OMEGA 1.7f
#endif

/* 1: compile the level-0 kernels for the x86 popcnt instruction (checked at run time by the backend) */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !defined(__POPCNT__)
#define GMG_X86_POPCNT 1
#else
#define GMG_X86_POPCNT 0
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

/* Compact stored neighbours of a level-0 unknown (gmg.cmp = 1), 12 bytes instead of six 32-bit indices: the
 * neighbours of a colour-c unknown at position x of row (y, z) have the other colour and lie in five rows of it (the
 * same row for -x and +x, rows y - 1 and y + 1 of plane z, row y of planes z - 1 and z + 1), whose starts the level
 * keeps (rst). Neighbour k's index is its row's start plus r[k], its rank in that row (the number of the row's
 * unknowns of that colour before it); r[k] = -1 where it is absent (the dummy unknown n). A row holds at most 32768
 * unknowns of a colour (local x extent <= GMG_NBR_MAXNX; longer rows take the lean storage). */
typedef struct {
    int16_t r[6];
} gmg_nbr;
#define GMG_NBR_MAXNX ((int64_t)65536)

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
    /* level 0 only; stored neighbours (gmg.lean = 0) */
    int32_t *nb;    /* 6 per unknown: -x, +x, -y, +y, -z, +z (n if absent) */
    /* level 0 only; compact stored neighbours (gmg.cmp = 1) */
    gmg_nbr *nk;    /* per unknown: ranks in the neighbours' rows (see gmg_nbr) */
    /* level 0 only; lean and compact storages */
    int32_t *rst;   /* first unknown of colour c (0 red, 1 black) in row y of plane z: rst[2 * (z * d[1] + y) + c] */
    /* level 0 only; neighbours from bit masks (gmg.lean = 1) */
    uint64_t *bits; /* unknowns of colour c in row y of plane z: nwr words from (2 * (z * d[1] + y) + c) * nwr on,
                     * bit k of word w = position x = 2 (64 w + k) + parity(y + z + c); the last word is 0 (the
                     * neighbours are found from these and rst, see GMG_FINE_WALK in gmg_cycle.c) */
    int64_t nwr;    /* words per row and colour: ceil(ceil(d[0] / 2) / 64) + 1 */
    /* level 0 only */
    uint8_t *pi;    /* phase index per unknown, pi[n] = nph (dummy); freed after the set-up when lean or compact
                     * with one conducting phase */
    uint8_t *nc;    /* one conducting phase, stored neighbours: present neighbours per axis, c0 + 3 c1 + 9 c2 */
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
    float *gdlo, *gdhi; /* level 0, built with across = 0: Dirichlet conductances of the first / last plane (the
                         * lean diagonal; NULL after a change of the Dirichlet faces) */
    float *gdir;    /* coarse levels: Dirichlet conductance of each unknown (both faces; a part of dg) */
    int32_t *agg;   /* parent in level l+1 (not on the last level), agg[n] = n(l+1) */
    float *x, *b;   /* n + 1 entries, x[n] = 0 */
} gmg_level;

typedef struct {
    int nlev;
    gmg_level lev[GMG_MAXLEV];
    int nph;
    int lean;     /* level 0: 1 finds the neighbours from bit masks (rst, bits), 0 stores them (nb or nk); set before
                   * ssbi_gmg_build */
    int cmp;      /* level 0 with lean = 0: 1 stores the neighbours as 16-bit ranks (nk, rst), 0 as indices (nb) */
    float *gf[3]; /* float conductance tables (normalised) */
    float g1[3];  /* the same for a single conducting phase */
    double gscale;
    int nt;
    int64_t bytes, peak;
    const uint8_t *ph;     /* the problem's phase map (level-0 positions) */
    uint64_t *zbits;       /* lev[0].nwr zero words: the mask of a row outside the image */
    uint8_t pc_np[256];    /* pieces of a 2x2x2 voxel block by occupancy pattern (bit c: corner x + 2y + 4z) */
    uint8_t pc_id[256][8]; /* piece of each occupied corner */
    uint8_t pc_face[256][3][2]; /* occupied corners on the low / high face normal to each axis (bit k: corner
                                 * face_corner[a][side][k]) */
    /* exact Dirichlet conductances of level 0 (ssbi_gmg_set_dirichlet): side s (0 inlet at 1 V, 1 outlet at 0 V),
     * plane z: entries [dps[s][z], dps[s][z + 1]) of di[s] (solver indices, ascending) and dg0[s] (S) */
    int64_t *dps[2];
    int32_t *di[2];
    double *dg0[2];
    int across;            /* the Dirichlet faces the hierarchy's diagonals hold (ssbi_tproblem.across) */
    double gref;           /* the largest face conductance of the problem the hierarchy was built for */
    double *part;          /* per-slab partial sums, 4 per slab */
    struct gmg_team *team; /* the threads of the solve (NULL during the set-up) */
    uint8_t *bpat;         /* set-up of level 1: occupancy pattern of every voxel block */
    int split0;            /* set-up of level 1: 1 if blocks are split into pieces */
} gmg;

typedef struct {
    const ssbi_tproblem *prob;
    double *x, *r, *q;      /* outer CG vectors (level 0, solver numbering); q = A p only with the stored level 0
                             * (NULL: formed again where it is read) */
    float *pv;              /* the search direction (float: see ssbi_transport_solve_gmg) */
    const double *rhs;      /* level 0: right-hand side of plane 0 (NULL: none) */
    double alpha, beta;
    int upd;                /* ssbi_gmg_precond_pre: apply the CG update first */
    int zq;                 /* ssbi_gmg_precond_post: also z . A p (the flexible-CG beta) */
    float omega;            /* prolongation weight */
    int l;                  /* level */
    const float *u;         /* coarse-level vector operands */
    float *y;
    const float *w, *v;
    float a1, a2;
} gmg_args;

/* Work on one plane z; acc: the four partial sums of the plane's slab. */
typedef void (*gmg_stage)(const gmg *m, const gmg_args *a, int64_t z, double *acc);

#if SSB_HAVE_OPENMP
typedef struct gmg_team {
    int nt;
    atomic_uint epoch; /* pass generation (workers wait for it to change) */
    atomic_int quit;
    atomic_int bcount; /* barrier */
    atomic_uint bgen;
    atomic_int nsleep;
    atomic_int ctr[4]; /* dynamic loop counters of the current pass */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void (*fn)(struct gmg_team *t, int tid, const void *arg);
    const void *arg;
} gmg_team;
#else
typedef struct gmg_team {
    int nt;
} gmg_team;
#endif

/* gmg_setup.c */
void *ssbi_gmg_malloc(ssb_ctx *ctx, gmg *m, size_t nbytes, const char *what); /* counted in m->bytes / peak */
void ssbi_gmg_free(gmg *m, void *p, size_t nbytes);
void ssbi_gmg_destroy(gmg *m); /* frees every level; m itself is the caller's */
int ssbi_gmg_build(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p);
/* The Dirichlet data of a kept hierarchy for problem p (same unknowns and numbering, conductances those of the
 * build times one factor): level 0's exact lists always; when p->across differs from m->across also the diagonals
 * of every level and the coarsest factor (not for the lean level 0). */
int ssbi_gmg_set_dirichlet(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p);
/* to = 1: v in front-end order -> tmp in the solver numbering of level 0; to = 0: back (n entries, distinct) */
void ssbi_gmg_copy_renumber(const gmg *m, const ssbi_tproblem *p, const double *v, double *tmp, int to);
/* to = 1: v in front-end order -> the solver numbering of level 0, in place (n entries; a plane's unknowns stay in
 * the plane's range); to = 0: back. A buffer of one plane per thread (counted in m->peak). */
int ssbi_gmg_renumber_inplace(ssb_ctx *ctx, gmg *m, const ssbi_tproblem *p, double *v, int to);
/* gmg_team.c */
void ssbi_gmg_pipeline(const gmg *m, const gmg_level *L, gmg_stage A, gmg_stage B, gmg_stage C, const gmg_args *a,
                       double out[4]);
/* the same with a fourth stage D(z) that needs C on planes z-1..z+1 (one barrier more) */
void ssbi_gmg_pipeline4(const gmg *m, const gmg_level *L, gmg_stage A, gmg_stage B, gmg_stage C, gmg_stage D,
                        const gmg_args *a, double out[4]);
#if SSB_HAVE_OPENMP
void ssbi_gmg_team_worker(gmg_team *t, int tid);
void ssbi_gmg_team_stop(gmg_team *t);
#endif
/* gmg_cycle.c: level-0 stages of the outer iteration and the preconditioner */
void ssbi_gmg_r_true(const gmg *m, const gmg_args *a, int64_t z, double *acc);
void ssbi_gmg_q_dir(const gmg *m, const gmg_args *a, int64_t z, double *acc);
void ssbi_gmg_q_apply(const gmg *m, const gmg_args *a, int64_t z, double *acc);
double ssbi_gmg_precond_pre(gmg *m, const gmg_args *a, double *rx);
/* zaz (NULL: not wanted): z . A z from the smoothing's sums, without a stored q only (else NaN) */
void ssbi_gmg_precond_post(gmg *m, gmg_args *a, double *rz, double *zq, double *zaz);
/* stage B without a stored q: q = A p, p . q and the CG update with a->alpha in one walk (sums: p . q, r . r, r . x) */
void ssbi_gmg_q_apply_upd(const gmg *m, const gmg_args *a, int64_t z, double *acc);
int ssbi_gmg_setup_dense(ssb_ctx *ctx, gmg *m, gmg_level *L);
/* d[i] = the interior diagonal (without Dirichlet terms, float, normalised, in setup_fine's order) of the unknowns
 * of plane z of a compact level 0 */
void ssbi_gmg_interior_diag(const gmg *m, int64_t z, float *d);

#endif
