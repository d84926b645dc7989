/* ssb_dist.h - distributed (MPI) runs: an image decomposed over ranks, and sweeps shared between them.
 *
 * DESIGN. A program started by mpirun calls ssb_dist_init first and ssb_dist_finalize last (the CLI does it when it
 * sees it was launched by mpirun); every other call here is collective: all ranks call it with the same
 * arguments, and all ranks get the same return code and the same results. An error on one rank (a file it cannot
 * read, memory it lacks) is agreed between the ranks before anyone continues, and every rank's context then holds
 * the failing rank's message, so no rank waits forever for another. Without MPI (a build without it, or a program
 * not started by mpirun) there is one rank and the calls run serially.
 *
 * Image decomposition: z slabs. Rank r of N owns the planes [z0_r, z0_r + nz_r) with the planes shared out as
 * evenly as possible (nz_r differ by at most one). Each rank reads only its slab and one plane on each side
 * (ssb_io_read_params.z0 / .nz: TIFF stacks, raw and .npy files), labels the connected conducting voxels of its
 * slab, joins the labels across the slab faces by exchanging the face planes with its neighbours and one
 * union-find over the components (not the voxels) on rank 0, and classifies every voxel as percolating (connected
 * to both Dirichlet planes), dead-end (one) or isolated (neither) - the serial classes, voxel for voxel. The
 * conduction problem on the percolating voxels is then solved by our own distributed solver (backend "gmg-mpi",
 * the default, src/dist/dist_gmg.c): flexible CG in double preconditioned by a K-cycle of structured 2x2x2
 * aggregation multigrid (Galerkin 7-point operators on every level, red-black Gauss-Seidel with one halo plane
 * exchanged with the z neighbours per half-sweep, coarse levels gathered onto rank 0 once they are small, a dense
 * Cholesky factorisation at the bottom; about 90 bytes per voxel of a rank's slab), or by hypre's distributed
 * structured-grid PCG with the PFMG preconditioner (backend "hypre-mpi", the baseline; ~250 bytes per voxel).
 * Either result depends on the number of ranks only through the solver tolerance.
 */
#ifndef SSB_DIST_H
#define SSB_DIST_H

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_design_opt.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_transport.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if the environment says this process was started by mpirun / mpiexec (OpenMPI, MPICH, PMI or PMIx variables),
 * 0 otherwise. Not collective; safe before ssb_dist_init. */
int ssb_dist_launched(void);
/* Initialise MPI unless it already is (MPI_Init_thread, funneled). SSB_OK; SSB_ERR_UNSUPPORTED in a build without
 * MPI; SSB_ERR_BACKEND if MPI fails. */
int ssb_dist_init(int *argc, char ***argv);
/* Finalise MPI if it is initialised and not finalised (also after the hypre backend initialised it). */
void ssb_dist_finalize(void);
/* Ranks of MPI_COMM_WORLD and this process's rank (1 and 0 without MPI or before ssb_dist_init). */
int ssb_dist_size(void);
int ssb_dist_rank(void);

/* Agreement on a status reached outside the library (collective): every rank calls it once with its own status, e.g.
 * a front end after checking its arguments and reading its files, before its next collective call - or, where it
 * stopped early, once instead of that call, so that the ranks still working meet it there and do not wait forever.
 * Returns on every rank the status of the lowest rank whose status is not 0 (0 when every status is 0); who
 * (optional) receives that rank (-1 when none); msg (optional, msgsz bytes): in, this rank's message; out, the
 * failing rank's message (unchanged when none failed). One rank, or no MPI: status, and msg unchanged. */
int ssb_dist_agree_status(int status, char *msg, size_t msgsz, int *who);

/* The slab of rank r of nranks for an image of nz planes: planes [*z0, *z0 + *nzr). */
void ssb_dist_slab(int64_t nz, int nranks, int r, int64_t *z0, int64_t *nzr);

/* What a distributed solve did, per rank and in total. */
typedef struct {
    int ranks;                /* MPI ranks */
    int64_t dims[3];          /* the whole image */
    int64_t z0, nz;           /* this rank's slab */
    int64_t peak_bytes_rank;  /* this rank's peak: labels read + classes + the solver's growth of the resident set */
    int64_t peak_bytes_max;   /* the largest peak over the ranks */
    int64_t n_percolating, n_dead_end, n_isolated; /* conducting voxels by class, all ranks */
    double read_time_s, label_time_s, solve_time_s; /* wall times (rank 0) */
} ssb_dist_info;

/* Effective conductivity and tortuosity factor of the image file path along axis, decomposed over the ranks of
 * MPI_COMM_WORLD (collective). rp: reader options (mapping, voxel size, raw layout; its z0 / nz / info are set
 * here), sigma: conductivity [S/m] per label (> 0 conducts), params: rtol, flux_tol, max_iter,
 * error_if_not_converged and backend ("auto" or "gmg": our own solver, "gmg-mpi"; "hypre": hypre's PFMG-PCG,
 * "hypre-mpi"; any other name SSB_ERR_ARG); want_fields and dirichlet = cell are refused with SSB_ERR_UNSUPPORTED.
 * result: as ssb_transport_solve (same definitions: eps, sigma_bulk, tau = eps sigma_bulk / sigma_eff, currents),
 * identical on every rank; backend "gmg-mpi" or "hypre-mpi". info (optional) as above.
 * Errors: those of the reader (on any rank), SSB_ERR_RANGE (more ranks than planes; the message names both; or an
 * image whose slab per rank would not fit the memory: the message gives the estimate and the memory available,
 * before anything large is allocated, from the backend's bytes per voxel), SSB_ERR_UNSUPPORTED, SSB_ERR_BACKEND (MPI
 * or hypre), SSB_ERR_NOCONV
 * (params.error_if_not_converged), SSB_ERR_NOMEM. */
int ssb_dist_transport_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const double sigma[256],
                            ssb_axis axis, const ssb_transport_params *params, ssb_transport_result *result,
                            ssb_dist_info *info);

/* The percolation classes of this rank's slab (collective): slab is this rank's planes [z0, z0 + nz) of the image
 * with one plane more on each side where the image has it (halo_lo, halo_hi: 1 if present), in_set the conducting
 * labels, axis the Dirichlet axis. cls (nx ny nz bytes of the owned planes) receives 0 not in the set, 1 percolating,
 * 2 dead-end, 3 isolated (6-connectivity; the classes of ssb_micro_percolation_compute). counts (optional, all
 * ranks): n_percolating, n_dead_end, n_isolated over the whole image. */
int ssb_dist_classes(ssb_ctx *ctx, const ssb_grid *slab, int halo_lo, int halo_hi, const uint8_t in_set[256],
                     ssb_axis axis, int64_t nz_total, uint8_t *cls, int64_t counts[3]);

/* A rate sweep shared between the ranks (collective; serial without MPI): rate i runs on rank i mod N, and every
 * rank gets all n points, identical to ssb_cell_rate_sweep of the same cell on one process (each rate starts from
 * the cell's initial state, so which process runs it does not matter). Errors as ssb_cell_rate_sweep, agreed. */
int ssb_dist_rate_sweep(ssb_ctx *ctx, ssb_cell *cell, int n, const double *crates, double v_cut,
                        ssb_cell_rate_point *out);

/* ssb_design_compare with the variants shared between the ranks (collective; the one-process comparison without MPI
 * or on one rank): every rank builds the same variants and the same static balance (ssb_design_shard_owners, the
 * baseline's structure counted on rank 0), rank 0 measures the baseline's structure while the others evaluate the
 * variants that measure their own, hands the structure's figures (not the voxels) to the others, each rank evaluates
 * its variants (OpenMP inside, as on one process), and every variant is then broadcast from its rank, so every rank
 * holds the whole comparison, ranked: the same numbers bit for bit as ssb_design_compare at the same OpenMP thread
 * count per process. Errors as ssb_design_compare, agreed between the ranks. */
int ssb_dist_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                            const ssb_run_params *rp, const ssb_design_eval_params *ep, int nchoices,
                            const ssb_design_choice *choices, ssb_design_comparison *out);

/* ssb_design_optimise with its batches shared between the ranks (collective; one process without MPI or on one
 * rank): design i of the grid and of the sensitivity batch runs on rank i mod N (with the threads it gets on one
 * process) and is broadcast from there; NLopt's COBYLA is sequential, so the local stage runs in step on every rank
 * with each of its designs evaluated on rank 0 and broadcast. Every rank gets the whole result, the same numbers as
 * ssb_design_optimise at the same OpenMP thread count per process (time_s aside). Errors as ssb_design_optimise,
 * agreed between the ranks. */
int ssb_dist_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                             const ssb_design_opt_params *prm, ssb_design_opt_result *res);

/* The labels present in the whole image (collective): every rank reads its slab (in pieces of at most 64 MB, so that
 * an image too large for the ranks is not held in memory before a solver's memory check) and counts its voxels per
 * label, and the counts are summed over the ranks (MPI_Allreduce of the 256-entry table), so a phase table or a
 * phase list is checked against the labels of every plane, not only those of the first. hist: voxels per label (every rank).
 * Serial without MPI (one rank reads the whole image). Errors: those of the reader and of ssb_dist_transport_file's
 * checks (more ranks than planes, memory), agreed. */
int ssb_dist_histogram_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, int64_t hist[256]);

/* Distributed 'micro analyze' (collective). Each rank reads its z slab (one plane more below, two above: the smoothed
 * marching cubes read them) and the results are those of the serial functions on the whole image:
 *   fractions      = ssb_micro_fractions_compute (label counts summed),
 *   percolation[k] = ssb_micro_percolation_compute of {k} for every label present (components across the ranks:
 *                    the union-find over components of ssb_dist_classes, for x, y and z at once),
 *   interfaces     = ssb_micro_interfaces_compute (a face between planes z and z + 1 and a marching-cubes cube layer
 *                    between them counted by the rank owning z),
 *   cam            = ssb_micro_cam_compute when composite and a phase with role active is present (the electronic
 *                    and ionic networks and the CAM particles are components across the ranks).
 * Counts are equal exactly, areas to rounding (sums in another order, ~1e-15 relative). The per-voxel CAM classes
 * (want_classes) are computed over the ranks and gathered onto rank 0 (1 byte per voxel of the whole image there).
 * Not distributed: the feature sizes (ssb_micro_feature_sizes), which need the whole image on one process. */
typedef struct {
    ssb_connectivity conn;    /* connectivity of the percolation per label: 6, 18 or 26 [6] (the composite networks
                                 are 6-connected, as serially) */
    ssb_micro_cam_params cam; /* axis and current-collector side of the composite analysis; cam.area: the area
                                 options of every area (marching cubes on / off, mc_sigma) [defaults] */
    int composite;            /* 1: the composite analysis when an active phase is present [1] */
    int want_classes;         /* 1: also the per-voxel CAM classes of ssb_micro_cam_classify (with cam.axis and
                                 cam.cc_side), gathered onto rank 0 (the whole image's nx ny nz bytes there), and
                                 the composite analysis whatever composite says (SSB_ERR_NOTFOUND without an active
                                 phase, as serially) [0] */
} ssb_dist_analyze_params;
ssb_dist_analyze_params ssb_dist_analyze_params_default(void);

typedef struct {
    int ranks;                          /* MPI ranks */
    int64_t dims[3];                    /* the whole image */
    double voxel_size[3];               /* m */
    ssb_micro_fractions fractions;
    ssb_micro_percolation *percolation; /* [256]: entry k where fractions.label_count[k] > 0; owned */
    ssb_micro_interfaces interfaces;    /* owned */
    int has_cam;                        /* cam holds the composite analysis */
    ssb_micro_cam_result cam;
    uint8_t *classes;                   /* want_classes: on rank 0 the CAM class of every voxel of the image, index
                                           x + nx (y + ny z) (0 not CAM, 1 active, 2 no e-, 3 no Li+, 4 neither:
                                           ssb_micro_cam_classify's), NULL on the other ranks; owned */
} ssb_dist_analysis;

/* The analysis of the image file path (reader options rp, as ssb_dist_transport_file) with the phase table and the
 * voxel size of phases (a grid holding them, e.g. the image's first plane with the phase table loaded; every label
 * present must have an entry: SSB_ERR_NOTFOUND naming it). out is freed with ssb_dist_analysis_destroy (zeroed on
 * error). Errors: those of the reader, SSB_ERR_RANGE (more ranks than planes, or a slab per rank that would not fit
 * the memory, before anything large is allocated), SSB_ERR_UNSUPPORTED (a build without MPI), SSB_ERR_ARG (conn),
 * SSB_ERR_NOTFOUND, SSB_ERR_NOMEM, SSB_ERR_ARG; agreed between the ranks. */
int ssb_dist_analyze_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const ssb_grid *phases,
                          const ssb_dist_analyze_params *params, ssb_dist_analysis *out);
void ssb_dist_analysis_destroy(ssb_dist_analysis *a);

#ifdef __cplusplus
}
#endif
#endif
