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
#endif

#endif
