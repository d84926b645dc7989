/* Private interface between the transport front end (interface/) and its backends (impls/<name>/). */
#ifndef SSB_TRANSPORT_IMPL_H
#define SSB_TRANSPORT_IMPL_H

#include "core_impl.h"

#include <ssbnet/ssb_transport.h>

/* The linear problem handed to a backend, already permuted so that transport runs along the local z axis
 * (local x fastest). Unknowns are the voxels with ph != 0, numbered in lexicographic order (x fastest, then y,
 * then z); plane k holds unknowns [plane_start[k], plane_start[k+1]). This z-slab layout lets a distributed
 * backend split the unknowns by planes.
 * Equation of unknown i: sum_faces g_f (x_i - x_j) + gd_i (x_i - phi_D) = 0, where g_f comes from the phase
 * conductance tables and gd_i is the Dirichlet conductance of the unknowns of the first plane (phi_D = 1 V,
 * gd_lo) and of the last plane (phi_D = 0 V, gd_hi). */
typedef struct {
    int64_t n[3];              /* local dims; transport along n[2] */
    double h[3];               /* local voxel sizes (m) */
    const uint8_t *ph;         /* n[0]*n[1]*n[2]: 0 inactive, k + 1 for conducting phase k (0 <= k < nph) */
    int nph;                   /* number of conducting phases */
    /* Face conductance (S) between phases a and b across a face normal to local axis k:
     * gface[k][a * (nph + 1) + b]; row and column nph are 0 (the "absent neighbour" phase). */
    const double *gface[3];
    int64_t nunk;              /* number of unknowns */
    const int64_t *plane_start;/* n[2] + 1 entries */
    const double *gd_lo;       /* Dirichlet conductances (S) of unknowns [0, plane_start[1]) to phi = 1 V */
    const double *gd_hi;       /* ... of unknowns [plane_start[n2-1], nunk) to phi = 0 V */
    /* Dirichlet faces across the planes (0, the default: the first / last plane as above; only for a backend whose
     * ops->across accepts it): 1 / 2 for the faces normal to local x / y. The unknowns of the inlet (x or y = 0) and
     * outlet (x or y = n - 1) face are then d_lo[0 .. nd_lo) and d_hi[0 .. nd_hi) (ascending unknown indices), with
     * the conductances gd_lo[k] / gd_hi[k]. So one numbering (and one backend set-up) serves the three transport
     * axes of a grid (see transport.c, the shared path). */
    int across;
    int64_t nd_lo, nd_hi;
    const int64_t *d_lo, *d_hi;
    const char *stage;         /* progress stage name, e.g. "transport z" */
    /* Optional backend state kept between solves of one transport object (NULL: none, build and free per solve).
     * *state is NULL before the first solve; the backend stores its set-up there and the front end frees it with
     * ops->destroy_state. reuse = 1 tells the backend that ph, plane_start and the conductance RATIOS are those of
     * the stored set-up (conductances possibly scaled by one factor), so it may keep it as the preconditioner. */
    void **state;
    int reuse;
    /* tau_rel_error_est of the solve that produced the initial guess x when x solved this very problem (same
     * conductances up to one common factor), else NaN: a backend that stops by the variational rule may then
     * accept x without iterating (see gmg.c) */
    double x0_est;
} ssbi_tproblem;

/* What a backend returns. x (nunk + 1 doubles, x[nunk] = 0 is scratch for an "absent neighbour") is allocated by
 * the front end and holds the initial guess on entry. */
typedef struct {
    double *x;
    int64_t iterations;
    double rel_residual;
    int converged;
    char reason[SSB_TRANSPORT_REASON_MAX];
    int64_t peak_bytes;
    double setup_time_s;
    /* Variational estimate of the inlet current (A) of the final iterate, E(x) = I_in(x) - r.x (see the rule in
     * gmg.c; error = ||x - x*||_A^2 >= 0, second order in the error of x), and the estimated relative error of it
     * (and so of tau); both NaN if the backend does not form them (the front end then uses the face current). */
    double current;
    double tau_rel_error_est;
} ssbi_tsolution;

typedef struct {
    const char *name;
    int (*solve)(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par, int nthreads,
                 ssbi_tsolution *sol);
    void (*destroy_state)(void *state); /* NULL: the backend keeps no state (ignores p->state) */
    /* 1 if the backend solves problems with across != 0 for these parameters and unknowns (NULL: never); a kept
     * state then serves any across (reuse = 1: same ph, numbering and conductance ratios) */
    int (*across)(const ssb_transport_params *par, int64_t nunk, int64_t nx);
} ssbi_transport_ops;

/* Registry: the ops of a backend name ("auto" resolves to the default), or NULL if not compiled. */
const ssbi_transport_ops *ssbi_transport_find(const char *name);

/* Harmonic mean of two conductivities (the conductance of a face between two voxels), 0 if either is 0. */
static inline double ssbi_harm(double a, double b)
{
    return (a > 0.0 && b > 0.0) ? 2.0 * a * b / (a + b) : 0.0;
}

/* The Dirichlet unknowns of a problem: side 0 (inlet) or 1 (outlet): count, and their indices (NULL: the range
 * [*first, *first + count) of the first / last plane). */
static inline int64_t ssbi_tproblem_dir(const ssbi_tproblem *p, int side, const int64_t **idx, int64_t *first)
{
    if (p->across) {
        *idx = side ? p->d_hi : p->d_lo;
        *first = 0;
        return side ? p->nd_hi : p->nd_lo;
    }
    *idx = NULL;
    *first = side ? p->plane_start[p->n[2] - 1] : 0;
    return side ? p->nunk - p->plane_start[p->n[2] - 1] : p->plane_start[1];
}

/* Inlet and outlet currents (A) of a solution x. */
void ssbi_transport_currents(const ssbi_tproblem *p, const double *x, double *i_in, double *i_out);
/* Relative flux mismatch |a - b| / max(|a|, |b|) (0 if both are 0). */
double ssbi_transport_mismatch(double i_in, double i_out);
/* Wall clock (s). */
double ssbi_transport_wtime(void);

/* Backends. */
int ssbi_transport_solve_gmg(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par, int nthreads,
                             ssbi_tsolution *sol);
void ssbi_transport_destroy_gmg(void *state);
/* Number of gmg hierarchies built in this process (for the tests: the shared path builds one for three axes). */
int64_t ssbi_transport_gmg_builds(void);
int ssbi_transport_across_gmg(const ssb_transport_params *par, int64_t nunk, int64_t nx);
int ssbi_transport_solve_hypre(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par,
                               int nthreads, ssbi_tsolution *sol);

#endif
