/* Private helpers of the microstructure analysis (src/micro/analysis). Not installed. */
#ifndef SSB_MICRO_ANALYSIS_IMPL_H
#define SSB_MICRO_ANALYSIS_IMPL_H

#include "core_impl.h"

#include <ssbnet/ssb_micro_analysis.h>

#include <math.h>

/* Connected-component labelling of {v : in_set[lab[v]]} on an n[0] x n[1] x n[2] grid (x fastest).
 * ids (nvoxels, caller-owned) receives 0..ncomp-1 in order of first voxel, -1 outside the set.
 * sizes: if non-NULL, *sizes receives a malloc'ed array of ncomp voxel counts (NULL when ncomp == 0).
 * Errors: SSB_ERR_NOMEM, SSB_ERR_RANGE (more than INT32_MAX components). */
int ssbi_ma_label(ssb_ctx *ctx, const int64_t n[3], const uint8_t *lab, const uint8_t in_set[256],
                  ssb_connectivity conn, int32_t *ids, int64_t *ncomp, int64_t **sizes);

/* For each component: bit 1 if it has a voxel on the plane index 0 along axis, bit 2 if on the plane n-1.
 * flags has ncomp bytes (zeroed here). */
void ssbi_ma_plane_flags(const int64_t n[3], const int32_t *ids, int axis, int64_t ncomp, uint8_t *flags);

/* Marching-cubes iso-surface area (m^2) of the indicator of {v : in_set[lab[v]]}, smoothed by the 3x3x3 Gaussian of
 * width sigma voxels (0: binary field), at level 0.5, without the box boundary; the surface runs up to the box faces (the
 * field continued by its boundary values beyond the outer voxel centres). h = voxel size (m).
 * Errors: SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssbi_ma_mc_area(ssb_ctx *ctx, const int64_t n[3], const double h[3], const uint8_t *lab, const uint8_t in_set[256],
                    double sigma, double *area);

/* The same area over the cube layers [l0, l1) only (layer z lies between the planes z and z + 1; clipped to
 * [0, n[2] - 1)): a z slab of a larger image, given with the planes around it that the layers and the smoothing
 * read (l0 - 1 .. l1 + 1); the planes 0 and n[2] - 1 are taken as the image's boundary planes (replicated by the
 * smoothing). Summing the layers of disjoint ranges gives the whole area. zb: bit 0 when plane 0 is the image's low z
 * face, bit 1 when plane n[2] - 1 is its high z face (the surface is continued to those faces only; not to a halo). */
int ssbi_ma_mc_area_layers(ssb_ctx *ctx, const int64_t n[3], const double h[3], const uint8_t *lab,
                           const uint8_t in_set[256], double sigma, int64_t l0, int64_t l1, int zb, double *area);

/* The composite-electrode voxel sets of g's phase table (ssb_micro_cam_*): electronic network (ACTIVE, CARBON),
 * ionic network (SE, GB, COATING with sigma_ion > 0), CAM (ACTIVE), carbon (CARBON). */
typedef struct {
    uint8_t el[256], ion[256], cam[256], carbon[256];
} ssbi_cam_sets;
void ssbi_ma_cam_sets(const ssb_grid *g, ssbi_cam_sets *s);

/* What the composite analysis counted (over one image or summed over MPI ranks) and the result made of it. */
typedef struct {
    int64_t nvoxels, n_cam, n_particles, n_particles_active;
    int64_t n_class[4];    /* CAM voxels: active, dead no e-, dead no Li+, dead neither */
    int64_t faces[9];      /* per axis x, y, z: CAM|ionic, active CAM|Li-connected ionic, CAM|carbon */
    int64_t electronic[3]; /* electronic-network voxels, those connected to the CC plane, to both planes */
    int64_t ionic[3];      /* ionic-network voxels, connected to the separator plane, to both planes */
    int64_t surface[6];    /* per axis x, y, z: CAM|non-CAM faces, those of active particles */
} ssbi_cam_counts;
/* The ssb_micro_cam_result of the counts (all fields but the marching-cubes ones, zeroed); h the voxel size. */
void ssbi_ma_cam_finish(const ssbi_cam_counts *c, const double h[3], ssb_micro_cam_result *res);
/* Its marching-cubes fields from the areas of CAM, the ionic network and their union (m^2). */
void ssbi_ma_cam_finish_mc(ssb_micro_cam_result *res, double s_cam, double s_ion, double s_union);

/* Percolating / dead-end / isolated fractions and percolates[] of o from its counts (conn, nvoxels, n_set,
 * n_percolating, n_dead_end, n_isolated set). */
void ssbi_ma_percolation_finish(ssb_micro_percolation *o);

/* Marching-cubes area (m^2) of a voxel set, whatever the image is (a grid, or slabs over MPI ranks). */
typedef int (*ssbi_mc_area_fn)(ssb_ctx *ctx, void *user, const uint8_t set[256], double *area);
/* The ssb_micro_interfaces of the face counts cnt[axis][ia * nl + ib] (ia < ib indices into labels[nl]) and, with
 * p->marching_cubes, mc_area of each label (into the scratch smc[nl]) and of the union of each touching pair (the
 * pair's area (S_a + S_b - S_{a u b}) / 2); out->surfaces
 * (nl) and out->pairs (nl (nl - 1) / 2) allocated and zeroed by the caller. Returns mc_area's error, if any. */
int ssbi_ma_interfaces_finish(ssb_micro_interfaces *out, const uint8_t *labels, int nl, const int64_t *cnt,
                              const double h[3], double vol, const ssb_micro_area_params *p, double *smc,
                              ssbi_mc_area_fn mc_area, ssb_ctx *ctx, void *user);

/* The marching-cubes area of the interface between two disjoint sets from the areas of A, B and A u B (m^2),
 * S_ab = (S_a + S_b - S_{a u b}) / 2; 0 where the sets share no voxel face (face_area 0, e.g. no SE in the image),
 * else NAN (not resolved) where it is not positive: the smoothed iso-surfaces of
 * features about one voxel across (noise-like images) do not obey the inclusion-exclusion, and a negative area is
 * never a result. (No upper bound S_ab <= min(S_a, S_b): a resolved two-phase image has S_a ~ S_b ~ S_ab only to
 * the marching-cubes ties, and the mean of the two exceeds the smaller.) */
static inline double ssbi_ma_mc_pair_area(double s_a, double s_b, double s_union, double face_area)
{
    if (!(face_area > 0.0))
        return 0.0; /* the sets do not touch: no interface, exactly (not an unresolved one) */
    const double s = 0.5 * (s_a + s_b - s_union);
    return s > 0.0 ? s : NAN;
}

/* Check area options (mc_sigma range). */
int ssbi_ma_check_area_params(ssb_ctx *ctx, const ssb_micro_area_params *p);

/* Face area normal to each axis: fa[0] = dy*dz, fa[1] = dx*dz, fa[2] = dx*dy (m^2). */
static inline void ssbi_ma_face_areas(const double h[3], double fa[3])
{
    fa[0] = h[1] * h[2];
    fa[1] = h[0] * h[2];
    fa[2] = h[0] * h[1];
}

#endif
