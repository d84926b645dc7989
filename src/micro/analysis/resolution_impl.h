/* Private: sub-voxel (partial-volume) conductivities of a sphere packing (resolution.c), shared with src/run. */
#ifndef SSB_MICRO_RESOLUTION_IMPL_H
#define SSB_MICRO_RESOLUTION_IMPL_H

#include "micro/gen/gen_impl.h"

#include <ssbnet/ssb_micro_analysis.h>

/* Most sub-voxels painted at once by ssbi_micro_partial_volume (1 byte each): the sub-division s is lowered until
 * nvoxels s^3 fits. */
#define SSBI_MICRO_SUBVOXEL_MAX_FINE ((int64_t)1 << 29)

/* The conductivity of each voxel of a dims grid of edge h as the volume average over it of the phase
 * conductivities sigma[label] (S/m) of the spheres sp (painted exactly as ssbi_electrode_paint paints them, on the
 * grid of edge h / s, so the labels of the s^3 sub-voxels sample the voxel): sigma_v = sum_l f_l sigma[l], f_l the
 * fraction of the voxel's sub-voxel centres in label l. Returned as a class grid *cls (dims voxels of edge h, no
 * phase table) whose label q stands for the conductivity sigma_cls[q] = q / 255 max(sigma) (rounded to the nearest
 * class: 0.2 % of the largest conductivity). *s_used: the sub-division used (s, lowered to fit
 * SSBI_MICRO_SUBVOXEL_MAX_FINE; 1 means the binary voxelisation). Errors: SSB_ERR_ARG, SSB_ERR_RANGE (s < 1 or
 * > 8), SSB_ERR_NOMEM. */
int ssbi_micro_partial_volume(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const ssbi_sphere *sp, int64_t nsp,
                              const int64_t dims[3], double h, int s, const double sigma[256], ssb_grid **cls,
                              double sigma_cls[256], int *s_used);

/* The electronic network of the painted spheres g without false contacts: two voxels face to face that belong to
 * different particles whose spheres do not overlap (a film of electrolyte thinner than a voxel separates them) do
 * not conduct electrons; the voxel of the first is given the matrix label in the copy *out. Conducting voxels are
 * those with sigma[label] > 0. *ncut (optional): voxels cut. Errors: SSB_ERR_ARG, SSB_ERR_NOMEM. */
int ssbi_micro_cut_contacts(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const ssbi_sphere *sp, int64_t nsp,
                            const ssb_grid *g, const double sigma[256], ssb_grid **out, int64_t *ncut);

#endif
