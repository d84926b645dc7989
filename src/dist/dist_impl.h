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

/* The distributed solve of S on comm by our own multigrid-preconditioned flexible CG (dist_gmg.c): the currents
 * through the low / high Dirichlet planes [S] (all ranks), iterations, final relative residual ||b - Ax|| / ||b||
 * and this rank's growth of the resident set during the solve [bytes]. */
int ssbi_dist_gmg_solve(ssb_ctx *ctx, MPI_Comm comm, const ssbi_slab_problem *S, const ssb_transport_params *par,
                        double *iin, double *iout, int64_t *iters, double *relres, int64_t *peak_growth);
/* Bytes per voxel of a rank's share that ssbi_dist_gmg_solve needs at most (labels and classes included). */
#define SSBI_DIST_GMG_BYTES_PER_VOXEL 110.0
#endif

#endif
