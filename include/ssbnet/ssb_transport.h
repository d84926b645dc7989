/*
 * ssb_transport.h - steady conduction on a voxel image: effective conductivity, tortuosity factor, MacMullin
 * number, potential and current fields.
 *
 * Problem solved: div(sigma grad phi) = 0 on the voxel grid, cell-centred finite volumes with a 7-point stencil.
 * The conductance of the face between voxels a and b along axis k is 2 s_a s_b / (s_a + s_b) * A_k / h_k with
 * A_k the face area and h_k the centre distance (voxel sizes may differ per axis). phi = 1 V on the inlet and 0 V on
 * the outlet, no flux through the four other faces. Two Dirichlet placements (ssb_transport_dirichlet):
 *   FACE (default, TauFactor / OpenImpala-MLMG convention): phi is fixed on the two outer faces of the image
 *        normal to the axis; a boundary voxel couples to its face with conductance 2 sigma A/h, so a uniform block
 *        gives tau = 1 exactly and L = N h.
 *   CELL (PuMA / PoreSpy convention): phi is fixed in the first and last voxel layers; L = (N - 1) h.
 * Only voxels connected to both Dirichlet planes through conducting voxels (6-connectivity) are unknowns
 * (ssb_grid_through_mask); dead ends and isolated clusters carry no current but count in eps.
 *
 * Definitions (DESIGN.md): sigma_eff = (I / A) * L / dPhi from the current through the inlet; sigma_bulk =
 * sum_p eps_p sigma_p / eps over the conducting labels; tau = eps * sigma_bulk / sigma_eff (TauFactor convention,
 * eps = total volume fraction of all conducting labels); N_M = sigma_bulk / sigma_eff. A structure that does not
 * percolate returns SSB_OK with percolates = 0, sigma_eff = 0 and tau = N_M = +inf.
 *
 * Backends (a name registry): "gmg" (matrix-free multigrid-preconditioned CG written for this problem, lean in
 * memory), "hypre" (BoomerAMG-preconditioned CG on an assembled ParCSR matrix, when built with hypre) and "auto"
 * (the default choice, see src/transport/interface/registry.c for the measurements behind it).
 *
 * Thread-safety: one solve per ssb_ctx at a time; solves on different contexts may run concurrently with the gmg
 * backend. The gmg backend gives bit-identical results for any thread count. The hypre backend initialises MPI on first use (MPI_Init if MPI_Initialized says it is not) and runs
 * on MPI_COMM_SELF.
 */
#ifndef SSB_TRANSPORT_H
#define SSB_TRANSPORT_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSB_DIRICHLET_FACE = 0, /* potentials on the outer faces, L = N h (default) */
    SSB_DIRICHLET_CELL = 1  /* potentials in the first and last voxel layers, L = (N - 1) h; needs N >= 3 */
} ssb_transport_dirichlet;

/* Which conductivity of the phase table ssb_transport_sigma_from_phases copies. */
typedef enum { SSB_CARRIER_ION = 0, SSB_CARRIER_ELECTRON = 1 } ssb_carrier;

#define SSB_TRANSPORT_NAME_MAX 16
#define SSB_TRANSPORT_REASON_MAX 160

/* Solver options. Get defaults from ssb_transport_params_default(), then change fields. Bounds are checked by
 * ssb_transport_solve (SSB_ERR_RANGE naming the field, its value and the range). */
typedef struct {
    /* rtol: relative tolerance of the result (tau, sigma_eff). gmg without fields (want_fields = 0): the variational
     * rule: tau comes from the dissipated power E(x) = I_in(x) - r.x of the iterate, which is >= the exact current
     * with an error ||x - x*||_A^2 (second order), and the solve stops when the geometric estimate of E's remaining
     * decrease is <= 0.1 rtol E (result.tau_rel_error_est), the relative residual <= sqrt(rtol) and the flux test
     * holds. With fields (want_fields = 1) and with hypre: stop when ||b - A x||_2 / ||b||_2 <= rtol (gmg: and the
     * inlet current settled to rtol), so the fields are converged to rtol too. Default 1e-8; valid [1e-14, 1e-1] */
    double rtol;
    double flux_tol;   /* ... AND |I_in - I_out| / max(|I_in|, |I_out|) <= flux_tol; default 1e-4; [1e-14, 1e-1] */
    int64_t max_iter;  /* iteration limit (CG iterations); default 2000; valid [1, 1000000] */
    char backend[SSB_TRANSPORT_NAME_MAX]; /* "auto" (default), "gmg" or "hypre" */
    int nthreads;      /* OpenMP threads; 0 = the context's setting (ssb_ctx_set_threads); valid [0, 4096] */
    int want_fields;   /* 1: fill result->potential and result->current (full-grid arrays); default 0 */
    int error_if_not_converged; /* 1: non-convergence returns SSB_ERR_NOCONV (figures in the message); default 0 */
    ssb_transport_dirichlet dirichlet; /* default SSB_DIRICHLET_FACE */
    /* gmg backend, storage of the voxel level of the multigrid hierarchy: 0 stores the six neighbour indices of
     * every unknown (24 bytes per unknown, the fastest sweeps); 2 ("compact") stores them as 16-bit ranks in the
     * neighbours' rows (12 bytes per unknown and no phase byte with one conducting phase; sweeps ~15 % slower;
     * rows of more than 65536 voxels take the lean storage); 1 ("lean") finds them from bit masks of the
     * unknowns (1 bit per voxel; solver memory 29 bytes per unknown lower than 0, sweeps 2-3x slower: see the
     * README's benchmark table); -1 (default) = auto: stored up to 16.8 M unknowns, compact up to 89.5 M, lean
     * above. The results are bit-identical either way. Valid: -1, 0, 1, 2; hypre ignores it. */
    int lean;
} ssb_transport_params;

/* Results of one solve. ssb_transport_solve fills every field; release the arrays with
 * ssb_transport_result_destroy. All conductivities in S/m, currents in A, times in s. */
typedef struct {
    ssb_axis axis;            /* transport axis */
    int percolates;           /* 1 if some conducting path joins the two Dirichlet planes */
    double sigma_eff;         /* effective conductivity (S/m), 0 if not percolating; gmg: from the variational current
                               * E (see params.rtol), else from current_in */
    double sigma_bulk;        /* sum_p eps_p sigma_p / eps over labels with sigma > 0 (S/m); 0 if eps = 0 */
    double sigma_rel;         /* sigma_eff / sigma_bulk (0 if sigma_bulk = 0) */
    double eps;               /* volume fraction of all voxels with sigma > 0 */
    double eps_percolating;   /* volume fraction of the unknowns' set (conducting, connected to both planes) */
    double tau;               /* eps * sigma_bulk / sigma_eff (+inf if not percolating) */
    double tau_percolating;   /* eps_percolating * sigma_bulk / sigma_eff */
    double macmullin;         /* sigma_bulk / sigma_eff (+inf if not percolating) */
    double current_in;        /* current entering through the inlet plane (A), phi_in - phi_out = 1 V */
    double current_out;       /* current leaving through the outlet plane (A) */
    double flux_mismatch;     /* |I_in - I_out| / max(|I_in|, |I_out|) (0 if no current) */
    double length;            /* L used in sigma_eff (m) */
    double area;              /* cross-section A (m^2) */
    int64_t n_unknowns;       /* number of unknowns of the linear system */
    int64_t iterations;       /* CG iterations */
    double rel_residual;      /* final ||b - A x|| / ||b|| */
    int converged;            /* 1 if the stopping rule's tests passed (see params.rtol) */
    char reason[SSB_TRANSPORT_REASON_MAX]; /* why the iteration stopped, e.g. "rtol and flux_tol reached" */
    char backend[SSB_TRANSPORT_NAME_MAX];  /* backend that ran ("gmg", "hypre", or "none" if nothing to solve) */
    double time_s;            /* wall time of the whole call (s) */
    double setup_time_s;      /* wall time of the backend setup (s) */
    int64_t peak_bytes;       /* solver memory (bytes), labels and output fields excluded: gmg counts its own
                               * peak allocation plus the front end's arrays; hypre reports the growth of the
                               * resident set during its solve plus the front end's arrays */
    /* Full-grid fields (nvoxels values, x fastest), owned by the result, NULL unless params.want_fields:
     * potential (V) for the phi_in = 1 V, phi_out = 0 V problem, and the current density component along the
     * axis at voxel centres (A/m^2, mean of the two faces normal to the axis, positive from inlet to outlet).
     * Both are 0 outside the percolating set. Write them with the io module if needed. */
    double *potential;
    double *current;
    /* estimated relative error of tau and sigma_eff (gmg, gmg-mpi: the tail estimate of the variational rule, see
     * params.rtol); NaN where not estimated (hypre, no iteration run without a stored estimate); 0 if nothing percolates */
    double tau_rel_error_est;
} ssb_transport_result;

/* Default options (see the field comments). Thread-safe. */
ssb_transport_params ssb_transport_params_default(void);

/* Conductivity table sigma[256] (S/m) from the grid's phase table: sigma_ion or sigma_el of each defined label
 * (carrier), 0 for labels without an entry. Errors: SSB_ERR_ARG (NULL argument or unknown carrier). */
int ssb_transport_sigma_from_phases(ssb_ctx *ctx, const ssb_grid *g, ssb_carrier carrier, double sigma[256]);

/* Solve steady conduction through grid g along axis with per-label conductivities sigma[256] (S/m, finite, >= 0;
 * labels with 0 do not conduct). The one-shot driver: ssb_transport_create, _compute and _destroy (see "Life cycle"
 * below for repeated solves). params may be NULL (defaults). On SSB_OK result is filled (also when the
 * structure does not percolate or the solver did not converge: see result->converged / reason); the caller owns
 * result->potential / current and releases them with ssb_transport_result_destroy.
 * Progress: stage "transport x|y|z", done = -log10(residual reduction reached) (gmg without fields: -log10 of
 * tau's estimated relative error once it is formed), total = -log10(rtol), after
 * every CG iteration (gmg) or every solve call (hypre); the callback can cancel (SSB_ERR_CANCELLED). The
 * percolation analysis before it reports as "flood fill" (ssb_grid_through_mask).
 * Errors: SSB_ERR_ARG (NULL grid/sigma/result, bad axis, unknown backend name), SSB_ERR_RANGE (a params field
 * or a sigma entry out of range, CELL mode with fewer than 3 layers), SSB_ERR_UNSUPPORTED (backend not built,
 * more than 2^31 - 2 unknowns), SSB_ERR_NOMEM, SSB_ERR_NOCONV (only with error_if_not_converged; result is still
 * filled), SSB_ERR_CANCELLED, SSB_ERR_BACKEND (hypre reported an error). On an error other than SSB_ERR_NOCONV
 * result holds no arrays. */
int ssb_transport_solve(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                        const ssb_transport_params *params, ssb_transport_result *result);

/* ---- Life cycle: create -> setup (optional) -> compute (any axis, any number of times) -> get_fields -> destroy.
 * A transport object holds, per axis, what depends only on the grid and the SET of conducting labels (those with
 * sigma > 0): the through-mask flood fill, the local phase map and the plane offsets of the unknowns. A compute with
 * new conductivities over the same set reuses them and starts the solver from that axis's last solution (identical
 * conductivities: the solver confirms the stored solution, 0 iterations, an identical result); a compute whose set
 * differs drops the stored geometry of every axis and builds it again. The gmg backend's multigrid hierarchy is kept
 * per axis too and reused while the conductivities are those it was built with times one common factor (a single
 * conducting phase at another temperature); other changes rebuild it (hypre rebuilds its AMG every time). The
 * hierarchies of different axes cannot be shared (each is built in its axis's frame); setup_all shares the
 * percolation analysis. Results of a first compute are identical to ssb_transport_solve's.
 * Memory: per axis the phase map (1 byte per voxel), the solution (8 bytes per unknown) and the gmg hierarchy
 * (~50 bytes per unknown, ~25 with params.lean = 1) stay allocated until destroy. Thread-safety: one object per
 * thread (it uses its context). */
typedef struct ssb_transport ssb_transport;

/* Create an object for grid g (borrowed: it must outlive the object and its labels must not change) with params
 * (NULL = defaults; checked as in ssb_transport_solve). *t is NULL on error.
 * Errors: SSB_ERR_ARG, SSB_ERR_RANGE, SSB_ERR_UNSUPPORTED (backend not built), SSB_ERR_NOMEM. */
int ssb_transport_create(ssb_ctx *ctx, const ssb_grid *g, const ssb_transport_params *params, ssb_transport **t);
/* Build the geometry of axis for the conducting set of sigma now (compute does it on demand; setup lets a caller
 * pay it up front). Errors: SSB_ERR_ARG, SSB_ERR_RANGE (a sigma entry), SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssb_transport_setup(ssb_transport *t, const double sigma[256], ssb_axis axis);
/* The geometry of all three axes for the conducting set of sigma from ONE connected-component labelling (instead of
 * two flood fills per axis); the through-masks are the same sets. Extra memory during the call: 4 bytes per voxel.
 * Errors: as ssb_transport_setup, SSB_ERR_RANGE (more than 2^31 - 1 components). */
int ssb_transport_setup_all(ssb_transport *t, const double sigma[256]);
/* Solve along axis with conductivities sigma (S/m); fills result exactly as ssb_transport_solve does (fields when
 * params.want_fields). Errors: those of ssb_transport_solve. */
int ssb_transport_compute(ssb_transport *t, const double sigma[256], ssb_axis axis, ssb_transport_result *result);
/* Fields of the last compute along axis into caller arrays of nvoxels doubles (potential in V, axial current
 * density in A/m^2; definitions as in ssb_transport_result); zeros when nothing percolates. They are those of the
 * iterate the compute stopped at: without params.want_fields gmg stops by the variational rule (relative residual
 * <= sqrt(rtol), see params.rtol); create the object with want_fields = 1 for fields converged to rtol. In cell mode the
 * object must have been created with params.want_fields = 1. Errors: SSB_ERR_ARG (NULL, axis not computed yet),
 * SSB_ERR_NOMEM. */
int ssb_transport_get_fields(ssb_transport *t, ssb_axis axis, double *potential, double *current);
/* Free what axis keeps for later computes (the solution and the backend's set-up; the geometry stays), e.g. to
 * hold only one axis's hierarchy at a time on large volumes. No-op on NULL or an invalid axis. */
void ssb_transport_release(ssb_transport *t, ssb_axis axis);
/* Free the object and set *t to NULL; no-op on NULL. */
void ssb_transport_destroy(ssb_transport **t);

/* Free the arrays owned by a result and set them to NULL; no-op on NULL. */
void ssb_transport_result_destroy(ssb_transport_result *result);

/* 1 if a backend of this name ("gmg", "hypre", "auto") is compiled in, else 0. */
int ssb_transport_backend_available(const char *name);
/* Name of the backend "auto" selects (static string). */
const char *ssb_transport_backend_default(void);

#ifdef __cplusplus
}
#endif
#endif
