/* Internal helpers of the distributed module (src/dist). */
#ifndef SSB_DIST_IMPL_H
#define SSB_DIST_IMPL_H

#include "core_impl.h"
#include "ssb_config.h"
#include <ssbnet/ssb_dist.h>

#if SSB_HAVE_HYPRE
#include <mpi.h>

/* Agree on rc between the ranks: the smallest (most negative) rc wins; if any rank failed, every rank's context
 * gets the message of the lowest failing rank (prefixed "rank R: " when N > 1) and the returned code is that rank's. */
int ssbi_dist_agree(ssb_ctx *ctx, int rc);

/* Percolation classes (ssb_dist_classes) on a communicator. */
int ssbi_dist_classes(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                      const uint8_t in_set[256], ssb_axis axis, int64_t nz_total, uint8_t *cls, int64_t counts[3]);

/* Connected components (6-connectivity) of {v : in_set[label v]} over the ranks of comm, each holding a z slab
 * (slab: its owned planes with halo_lo / halo_hi extra planes). flags (nx ny nz bytes of the owned planes): on
 * entry each voxel's flag bits, on return the OR of the flags over the voxel's global component (0 outside the set).
 * comp_hist (optional, every rank): number of global components by their OR'd flags. Collective; errors agreed. */
int ssbi_dist_components(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                         const uint8_t in_set[256], uint8_t *flags, int64_t comp_hist[256]);
/* The same with 6-, 18- or 26-connectivity (ssb_connectivity). */
int ssbi_dist_components_conn(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                              const uint8_t in_set[256], ssb_connectivity conn, uint8_t *flags,
                              int64_t comp_hist[256]);

/* Read this rank's slab of an image of nz_total planes with up to want_lo / want_hi extra planes below / above
 * (fewer at the image's ends: *hlo, *hhi say how many). Not collective. */
int ssbi_dist_read_slab(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp0, int64_t nz_total, int want_lo,
                        int want_hi, ssb_grid **g, int64_t *z0, int64_t *nz, int *hlo, int *hhi);

/* Collective: the image's dims and voxel size (rank 0 reads the header), then the checks before anything large is
 * allocated: at most one rank per plane, and bytes_per_voxel times the largest slab (+ 2 planes) within the memory
 * available per rank (ssbi_dist_mem_available). SSB_ERR_RANGE with a message naming both; errors agreed. */
int ssbi_dist_open_image(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, double bytes_per_voxel,
                         int64_t dims[3], double hv[3]);

/* Memory available per rank on this node [bytes], 0 when unknown; SSBNET_DIST_MEM_BYTES overrides it. */
int64_t ssbi_dist_mem_available(void);

/* The conduction problem of one rank's slab (owned planes and the labels with their halo planes). */
typedef struct {
    int64_t nx, ny, nz, nzt, z0; /* owned planes nz of nzt, first z0 */
    int hlo, hhi;
    double h[3];
    const uint8_t *lab; /* labels of the slab with halos */
    const uint8_t *cls; /* classes of the owned planes (1 = percolating) */
    const double *sigma;
    ssb_axis axis;
    double gscale; /* conductances are divided by gscale (O(1) matrix entries) */
} ssbi_slab_problem;

/* Conductance [S] between owned voxel (x, y, z) of S and its neighbour in direction dir (0..5: -x +x -y +y -z +z); 0
 * when the neighbour is outside the image or does not conduct. *bnd: 1 / 2 for a face on the low / high Dirichlet
 * plane (the conductance returned is then that of the boundary half-voxel), 0 otherwise. */
double ssbi_dist_face_g(const ssbi_slab_problem *S, int64_t x, int64_t y, int64_t z, int dir, int *bnd);
/* Add the currents [S x V] into the low (*cin: phi = 1) and out of the high (*cout: phi = 0) Dirichlet planes of the
 * percolating voxels of owned plane z, phi: the potentials of that plane (nx ny values). */
void ssbi_dist_plane_currents(const ssbi_slab_problem *S, int64_t z, const double *phi, double *cin, double *cout);

/* Result of ssbi_dist_gmg_solve (every rank holds the same values except peak_growth). */
typedef struct {
    double iin, iout;   /* currents through the low / high Dirichlet planes of the final iterate [S] */
    double ivar;        /* the variational current E(x) of the final iterate [S] (dist_gmg.c): tau comes from it */
    double err_est;     /* estimated relative error of ivar (and tau) */
    int64_t iters;      /* flexible-CG iterations */
    double relres;      /* final ||b - A x|| / ||b|| */
    int converged;      /* the stopping rule was met (0: max_iter or breakdown) */
    int64_t peak_growth; /* this rank's growth of the resident set during the solve [bytes] */
} ssbi_dist_gmg_result;
/* The distributed solve of S on comm by our own multigrid-preconditioned flexible CG (dist_gmg.c). */
int ssbi_dist_gmg_solve(ssb_ctx *ctx, MPI_Comm comm, const ssbi_slab_problem *S, const ssb_transport_params *par,
                        ssbi_dist_gmg_result *res);
/* Bytes per voxel of a rank's share that ssbi_dist_gmg_solve needs at most (labels and classes included). */
#define SSBI_DIST_GMG_BYTES_PER_VOXEL 72.0
#endif

/* Flags of the voxels on the two planes normal to axis (0 x, 1 y, 2 z) of the whole image: 1 on the plane at index
 * 0, 2 on the last one, shifted left by shift and ORed into flags (shift 0: assigned). d: the slab's dims (with
 * halos), nz its owned planes starting at global plane zg0, nz_total the image's planes. */
void ssbi_dist_plane_flags(const int64_t d[3], int64_t nz, int64_t zg0, int64_t nz_total, int axis, int shift,
                           uint8_t *flags);

#endif
