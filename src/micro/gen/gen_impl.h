/* Private helpers shared by the microstructure generators (src/micro/gen). Not installed. */
#ifndef SSB_MICRO_GEN_IMPL_H
#define SSB_MICRO_GEN_IMPL_H

#include "core_impl.h"

#include <ssbnet/ssb_grid.h>

/* The box of a grid as the generators see it. */
typedef struct {
    int64_t n[3];   /* voxels per axis */
    double h[3];    /* voxel size per axis, m */
    double len[3];  /* box edge per axis, m */
    int periodic;   /* 1: sphere voxels wrap around the box */
    int zclip;      /* 1: ... except along z, where the box faces cut the spheres (graded phases; 0 by init) */
    uint8_t *lab;   /* borrowed label array */
} ssbi_box;

void ssbi_box_init(ssbi_box *b, ssb_grid *g, int periodic);

typedef enum {
    SSBI_SPHERE_COUNT = 0, /* count voxels holding from_label */
    SSBI_SPHERE_FILL = 1,  /* relabel voxels holding from_label to to_label; count them */
    SSBI_SPHERE_CARVE = 2, /* relabel every voxel not holding to_label to to_label; count them */
    SSBI_SPHERE_COUNT_OTHER = 3 /* count voxels not holding to_label */
} ssbi_sphere_mode;

/* Visit the voxels whose centres lie in the sphere (centre c in m, radius r in m); wraps in a periodic box,
 * clips otherwise. The sphere's extent along an axis must not exceed the box edge in a periodic box.
 * gid (optional, CARVE only) receives -1 at the relabelled voxels. Returns the voxel count of the mode. */
int64_t ssbi_sphere_visit(const ssbi_box *b, const double c[3], double r, ssbi_sphere_mode mode, uint8_t from_label,
                          uint8_t to_label, int32_t *gid);

/* Add or update the phase-table entry of a label a generator writes (rules in ssb_micro_gen.h). */
int ssbi_gen_touch_phase(ssb_ctx *ctx, ssb_grid *g, uint8_t label, const char *name, ssb_phase_role role);

/* A placed sphere of the electrode generator: centre (m), radius (m), particle phase (params index). */
typedef struct {
    double c[3];
    double r;
    int phase;
} ssbi_sphere;

#include <ssbnet/ssb_micro_gen.h>

/* ssb_micro_generate_electrode that also returns the spheres in placement order (caller frees *spheres; NULL
 * and 0 when the generation fails before placing any, or on errors other than SSB_ERR_RANGE). */
int ssbi_electrode_generate(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_electrode_params *par,
                            ssb_micro_electrode_result *result, ssbi_sphere **spheres, int64_t *nspheres);
/* Voxelise a sphere list on grid (same box in m, any voxel size) the way the generator does: matrix everywhere,
 * then every sphere in order takes the matrix voxels whose centres it covers. counts receives voxels per phase.
 * The phase table is not touched. */
void ssbi_electrode_paint(ssb_grid *grid, const ssb_micro_electrode_params *par, const ssbi_sphere *sp, int64_t n,
                          int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES]);

/* ---- electrode architecture (electrode_arch.c, issue 12) ---- */
/* Validate the architecture fields of the params (gradient, shape, fibre length, channels) on box b. */
int ssbi_arch_check(ssb_ctx *ctx, const ssb_micro_electrode_params *par, const ssbi_box *b);
/* Fraction phase q must reach where it is densest: outside the channels, at the dense end of its gradient (the
 * target fraction itself without channels and gradient). Used by the packing heuristics. */
double ssbi_arch_local_fraction(const ssb_micro_electrode_params *par, int q);
/* A label used neither by the matrix nor by a phase (skip = how many such labels to pass over first). */
uint8_t ssbi_arch_free_label(const ssb_micro_electrode_params *par, int skip);
/* Label the vertical channels (cylinders along z on a square in-plane lattice chosen from the diameter d, the
 * diameter then adjusted so that the area fraction is fc); returns the voxels labelled, *nch the channels and
 * *dused the diameter. */
int64_t ssbi_arch_paint_channels(const ssbi_box *b, double fc, double d, uint8_t label, int64_t *nch, double *dused);
/* Graded fraction through the thickness: per z plane the phase's target voxels f (1 + g (1/2 - z/L)) (scaled to
 * the phase's target), the voxels placed so far, and the shortfall averaged over the planes a particle spans
 * (radius). Particle centres are drawn with a density proportional to that shortfall (rejection sampling), so the
 * profile is met even where the dense end packs with more failed trials than the sparse end. */
typedef struct {
    int64_t nz, half;
    int periodic;
    double hz;
    double *target, *count, *smooth; /* nz each (one allocation) */
    double max;                      /* largest smoothed shortfall */
} ssbi_grad;
int ssbi_grad_init(ssb_ctx *ctx, ssbi_grad *G, const ssbi_box *b, double g, int64_t target, double radius);
void ssbi_grad_free(ssbi_grad *G);
/* Recompute the smoothed shortfall after count changed. */
void ssbi_grad_update(ssbi_grad *G);
/* Relative density (0 to 1) at height z (m), and the rejection step with it. */
double ssbi_grad_weight(const ssbi_grad *G, double z);
int ssbi_grad_accept(const ssbi_grad *G, double z, ssb_rng *rng);
/* Random unit vector: isotropic, or uniform in the x-y plane. */
void ssbi_arch_direction(ssb_rng *rng, int in_plane, double u[3]);
/* A fibre (capsule of radius r and tip-to-tip length len, centre c, axis u) as a chain of n spheres of radius r:
 * n, and the centre of sphere k. */
int64_t ssbi_arch_fibre_spheres(double r, double len);
void ssbi_arch_fibre_centre(const double c[3], const double u[3], double r, double len, int64_t n, int64_t k,
                            double out[3]);
/* Volume of one particle of the phase with diameter d (sphere or capsule), m^3. */
double ssbi_arch_particle_volume(const ssb_micro_particle_phase *ph, double d);

#endif
