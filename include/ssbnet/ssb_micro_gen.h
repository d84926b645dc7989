/*
 * ssb_micro_gen.h - microstructure generators: composite electrodes (polydisperse sphere packings),
 * polycrystalline solid electrolytes (Voronoi / Laguerre grains with a grain-boundary phase and pores) and
 * analytic test geometries.
 *
 * Every generator writes labels into an existing grid (ssb_grid_create; the grid's dimensions and voxel sizes,
 * in metres, define the box) and overwrites every voxel. The composite-electrode and polycrystal generators also
 * add phase-table entries for the labels they write (see "Phase table" below); the test geometries leave the phase
 * table alone. Lengths are in metres unless a field says "voxels".
 *
 * Coordinates: voxel (i, j, k) (x fastest, ssb_grid.h) covers [i*hx, (i+1)*hx) x [j*hy, (j+1)*hy) x
 * [k*hz, (k+1)*hz); it belongs to a sphere or a grain when its centre ((i+0.5)*hx, ...) does. The box is
 * [0, nx*hx) x [0, ny*hy) x [0, nz*hz). Voxels need not be cubic.
 *
 * Reproducibility: every random choice comes from ssb_rng streams derived from the seed in the params struct.
 * For a given seed, params and grid the labels (and the grain-id array) are identical bit for bit on the same
 * platform, whatever the thread count: random placement is sequential, and the threaded parts (the tessellation)
 * compute every voxel independently of the others.
 *
 * Phase table: for each label a generator writes, a phase entry is added if the grid has none (name and role from
 * the params, conductivities 0, no material); an existing entry keeps its material and conductivities and gets the
 * name (if the params give a non-empty one) and role from the params.
 *
 * Thread-safety: functions on different grids and contexts may run concurrently. Progress: stages "electrode",
 * "polycrystal" and "pores" go to the context's progress callback; cancelling returns SSB_ERR_CANCELLED and leaves
 * the grid partly written.
 */
#ifndef SSB_MICRO_GEN_H
#define SSB_MICRO_GEN_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------------------ */
/* Particle size distributions                                                                                  */
/* ------------------------------------------------------------------------------------------------------------ */

#define SSB_MICRO_PSD_TABLE_MAX 32

typedef enum {
    SSB_MICRO_PSD_MONO = 0,          /* every diameter is d_mean */
    SSB_MICRO_PSD_LOGNORMAL_GSD = 1, /* lognormal: number-mean diameter d_mean and geometric std gsd = exp(s) */
    SSB_MICRO_PSD_LOGNORMAL_SD = 2,  /* lognormal: number-mean diameter d_mean and standard deviation d_sd */
    SSB_MICRO_PSD_TABLE_NUMBER = 3,  /* discrete classes table_d[i] with number fractions table_w[i] */
    SSB_MICRO_PSD_TABLE_VOLUME = 4   /* discrete classes table_d[i] with volume fractions table_w[i] */
} ssb_micro_psd_kind;

/* Diameter distribution of a particle phase. For the lognormal kinds ln(d) ~ N(mu, s^2) with d_mean the
 * number-weighted arithmetic mean exp(mu + s^2/2); LOGNORMAL_GSD gives s = ln(gsd), LOGNORMAL_SD gives
 * s^2 = ln(1 + (d_sd/d_mean)^2). (So "lognormal mean 4.5 um, log-sd 0.3" is GSD with gsd = exp(0.3) = 1.3499.)
 * Lognormal diameters are drawn from the distribution truncated to [d_min, d_max]: d_min = 0 means one voxel (the
 * largest voxel edge: smaller spheres would not show), d_max = 0 means min(exp(mu + 4 s), box_min / 2); d_max may
 * not exceed half the smallest box edge (box_min / 2), d_mean must lie in [d_min, d_max], and the truncation must
 * keep >= 1 % of the distribution. MONO and TABLE ignore d_min and d_max; their diameters must not exceed
 * box_min / 2. Table weights are >= 0 with a positive sum (normalised internally). */
typedef struct {
    ssb_micro_psd_kind kind;
    double d_mean;                          /* m: MONO and LOGNORMAL_*, > 0 */
    double gsd;                             /* LOGNORMAL_GSD: >= 1 (1 = monodisperse) */
    double d_sd;                            /* m, LOGNORMAL_SD: >= 0 */
    int ntable;                             /* TABLE_*: 1 to SSB_MICRO_PSD_TABLE_MAX */
    double table_d[SSB_MICRO_PSD_TABLE_MAX]; /* m, > 0 */
    double table_w[SSB_MICRO_PSD_TABLE_MAX]; /* number or volume fractions, >= 0 */
    double d_min;                           /* m, truncation; 0 = one voxel */
    double d_max;                           /* m, truncation; 0 = automatic (above) */
} ssb_micro_psd;

/* ------------------------------------------------------------------------------------------------------------ */
/* (a) Composite electrode: polydisperse sphere packing per particle phase in a matrix                          */
/* ------------------------------------------------------------------------------------------------------------ */

#define SSB_MICRO_MAX_PARTICLE_PHASES 8

/* Particle shape of a phase (issue 12). */
typedef enum {
    SSB_MICRO_PARTICLE_SPHERE = 0, /* spheres of the phase's size distribution */
    SSB_MICRO_PARTICLE_FIBRE = 1   /* straight fibres / tubes: capsules (cylinder with hemispherical ends) of diameter
                                      drawn from the size distribution and tip-to-tip length fibre_length */
} ssb_micro_particle_shape;

typedef struct {
    uint8_t label;           /* voxel label of the phase (distinct from the matrix and from the other phases, except
                                that phases of the same name and role may share a label: modes of one material, e.g.
                                a bimodal CAM; each keeps its own target and result) */
    char name[SSB_NAME_MAX]; /* phase-table name, e.g. "NCM811" ("" keeps an existing name) */
    ssb_phase_role role;     /* phase-table role, e.g. SSB_ROLE_ACTIVE */
    double fraction;         /* target voxel fraction, (0, 1) */
    ssb_micro_psd psd;       /* diameter distribution */
    /* Appended for the electrode-architecture strategies (issue 12); zero (the defaults) = spheres, uniform. */
    double gradient;                /* [-1, 1]: the phase's fraction falls linearly through the thickness (z) from
                                       fraction (1 + gradient/2) at z = 0 (current collector) to fraction
                                       (1 - gradient/2) at the top face (separator), the mean kept: particle centres
                                       are drawn with that density (rejection sampling); 0 = uniform */
    ssb_micro_particle_shape shape; /* SPHERE (default) or FIBRE */
    double fibre_length;            /* m, FIBRE: tip-to-tip length, >= the diameter and <= the smallest box edge */
    int fibre_in_plane;             /* FIBRE: 0 = isotropic random orientation; 1 = random direction in the x-y plane
                                       (fibres lying in the electrode plane, as after calendering) */
} ssb_micro_particle_phase;

/* Options of ssb_micro_generate_electrode. Defaults (ssb_micro_electrode_params_default): nphases 0 (each
 * phase[i] pre-set to label i + 1, role ACTIVE, no name, fraction 0, MONO size 0: set what you use), matrix label 0
 * named "matrix" with role SE, overlap 0, cross_phase_overlap 0, tolerance 0.005, max_attempts 200,
 * relax_steps 24, periodic 1, seed 1. */
typedef struct {
    int nphases; /* 1 to SSB_MICRO_MAX_PARTICLE_PHASES */
    ssb_micro_particle_phase phase[SSB_MICRO_MAX_PARTICLE_PHASES];
    uint8_t matrix_label;           /* label of every voxel no particle covers (e.g. the SE, or pore) */
    char matrix_name[SSB_NAME_MAX]; /* phase-table name of the matrix */
    ssb_phase_role matrix_role;     /* phase-table role of the matrix */
    double overlap;          /* [0, 1): two spheres need centre distance >= (1 - overlap) * (r1 + r2); 0 = hard */
    int cross_phase_overlap; /* 0: spheres of different phases never overlap (distance >= r1 + r2);
                                1: they follow the same limited-overlap rule as spheres of one phase */
    double tolerance;        /* allowed |achieved - target| voxel fraction per phase, (0, 0.5] */
    int64_t max_attempts;    /* random trial positions per particle before it is dropped, >= 1 */
    int relax_steps;         /* push-out steps per trial position, 0 to 1000 (0 = plain random sequential
                                addition) */
    int periodic;            /* 1: the box is periodic (particles wrap); 0: centres lie in the box and the box
                                faces cut the spheres */
    uint64_t seed;
    /* Dense packings (see "Dense compositions" at ssb_micro_generate_electrode). */
    double overlap_max;      /* [0, 0.5]: when a phase jams below its target, its overlap rule is raised in steps of
                                0.05 up to max(overlap, overlap_max) (calendered / sintered contacts); default 0.4;
                                0 = never raised */
    int fill_voids;          /* 1 (default): a phase placed after the first one that jams switches to void filling
                                (its spheres ignore the earlier phases' spheres, their centres lie on matrix voxels,
                                and they take only matrix voxels); 0: never */
    /* Vertical channels (issue 12, "electrode architecture"; see ssb_micro_generate_electrode). 0 = none. */
    double channel_fraction; /* [0, 0.5]: area fraction of the x-y cross-section taken by straight cylinders along z */
    double channel_diameter; /* m, > 0 when channel_fraction > 0: the requested channel diameter (the lattice is
                                chosen from it; the diameter is then adjusted so that the area fraction is met) */
    int channel_phase;       /* -1 (default): the channels hold the matrix label; 0 to nphases-1: that particle
                                phase's label (e.g. the SE when it is a particle phase); its target fraction then
                                includes the channel voxels */
} ssb_micro_electrode_params;

/* Outcome per particle phase (in the order of the params). */
typedef struct {
    uint8_t label;
    double target;         /* requested voxel fraction */
    double fraction;       /* achieved voxel fraction */
    int64_t nvoxels;       /* voxels with this label */
    int64_t nparticles;    /* particles placed */
    int64_t ndropped;      /* particles drawn but dropped after max_attempts */
    double mean_diameter;  /* m, number mean of the placed particles' diameters */
    double psd_mean;       /* m, number mean of the truncated distribution that was sampled */
    double overlap;        /* overlap rule in force at the end (params.overlap unless raised towards overlap_max) */
    int void_fill;         /* 1 if the phase ended in void filling (params.fill_voids) */
    int64_t nredrawn;      /* particles redrawn smaller to land within the tolerance in a small box (included in
                              nparticles and mean_diameter; see "Small boxes" at ssb_micro_generate_electrode) */
} ssb_micro_phase_result;

typedef struct {
    int nphases;
    ssb_micro_phase_result phase[SSB_MICRO_MAX_PARTICLE_PHASES];
    double matrix_fraction; /* voxel fraction of the matrix label */
    int64_t ntrials;        /* trial positions tried, all phases together */
    /* vertical channels (channel_fraction > 0) */
    int64_t nchannels;         /* channels (cylinders along z) */
    double channel_diameter;   /* m, the diameter used (adjusted to the area fraction) */
    double channel_fraction;   /* achieved voxel fraction of the channels */
} ssb_micro_electrode_result;

/* Defaults as listed above. */
ssb_micro_electrode_params ssb_micro_electrode_params_default(void);

/* Fill grid with the matrix label and place spheres of each particle phase until its voxel fraction is within
 * tolerance of its target.
 *
 * Method: phases are placed one after the other, in decreasing order of their mean diameter (ties: params
 * order); a later phase only relabels voxels that still hold the matrix label. For each phase, diameters are drawn
 * in rounds, each round enough spheres for the remaining voxel shortfall, and placed largest first. A particle
 * tries up to max_attempts uniformly random centres; each trial is pushed out of the spheres it violates (sum of
 * the overlap depths along the centre lines, up to relax_steps times, found through a per-phase cell list) and is
 * accepted once it satisfies the overlap rule with every placed sphere and covers at least one matrix voxel. The
 * last particle of a phase is kept only if that brings the voxel count closer to the target, so the final error is
 * at most half a particle. Within a phase spheres may overlap by the overlap rule; voxels shared count once.
 * Plain random sequential addition of hard spheres jams near 38 % (Widom 1966; Feder 1980); push-out plus a small
 * overlap (0.1 to 0.2) reaches 0.6-0.7 for lognormal sizes.
 *
 * Small boxes (one particle a larger share of the box than the tolerance, e.g. 5 um particles in a 48^3 box of
 * 0.4 um voxels: one is ~1 %, the largest drawn ~7 %): a particle that would end a phase beyond the tolerance above
 * the target (where keeping it used to fail for certain) is left out, and placement goes on with the smaller
 * diameters of the round already drawn. If the phase still ends short of the tolerance band, the missing particles
 * are redrawn smaller: from the phase's own distribution truncated to the diameters whose sphere volume fits below
 * the upper end of the band (the same density renormalised; lognormal by inverse CDF, tables by their classes that
 * fit), placed as usual, until the fraction is within the tolerance. Chosen over trimming the last particle (a cut
 * sphere is not a particle shape) and over widening the tolerance (the user's bound on the composition would no
 * longer hold); the cost is a slight bias of the last one or few particles towards smaller sizes (48^3 and 32^3
 * boxes, 20 seeds, CAM 0.5-0.7: the number mean of the placed CAM diameters within 0.5 % of the distribution's),
 * reported in result->phase[i].nredrawn and logged at INFO. Both steps only change packings that would have failed,
 * so every structure generated before is unchanged bit for bit. MONO sizes and fibres have nothing smaller to
 * draw: they fail with a message naming the particle's share of the box against the tolerance.
 *
 * Dense compositions (real cathodes: 70-80 % CAM by volume). Hard spheres cannot exceed the random close packing
 * fraction of their size distribution, phi_RCP = 0.634 + 0.0658 cv + 0.0857 S cv^2 (cv relative standard deviation,
 * S skewness of the diameters; Desmond & Weeks, Phys. Rev. E 90, 022204, 2014); this generator reaches 0.634-0.639
 * with push-out. Beyond it the spheres must overlap (calendered or sintered contacts):
 *  - Refused at once (SSB_ERR_RANGE before any packing, the message names the limit): the first-placed (largest)
 *    phase above phi_RCP + tolerance when no overlap is allowed (overlap = overlap_max = 0), or above the reach of
 *    overlap max(overlap, overlap_max) measured for this generator (0.634 / 0.796 / 0.813 / 0.915 / 0.95 at 0 / 0.1
 *    / 0.2 / 0.3 / 0.4, the lower of 2 um and 5 um lognormal gsd 1.3 particles at 0.4 um voxels).
 *  - The first phase starts with the smallest multiple of 0.05 in [overlap, overlap_max] whose reach exceeds its
 *    fraction by 0.05 (params.overlap itself when that suffices, so ordinary compositions are packed as before).
 *  - A phase that jams (64 drops in a row, a round without gain, or 256 particles needing more than
 *    max(8, max_attempts / 8) trial positions each when a relaxation is still possible) relaxes its rule and goes on
 *    from where it stopped, keeping the placed spheres and the drawn diameters: a later phase first switches to void
 *    filling (params.fill_voids: centres on matrix voxels, free overlap with the earlier phases' spheres, only matrix
 *    voxels taken: carbon and pores in the gaps between CAM particles), then any phase raises its overlap by 0.05 up
 *    to overlap_max. A later phase behind phases whose targets sum to >= 0.7 fills the voids from the start.
 *    result->phase[i].overlap and .void_fill report the rule each phase ended with.
 * Measured (bench/bench_micro_gen.c, 150 x 96 x 96 voxels of 0.4 um): 0.80 CAM (2 um) + 0.02 carbon + 0.02 pores in
 * 7 s, 0.75 CAM (5 um) in ~1 s; see the README table.
 *
 * Electrode architecture (issue 12; all off by default, and off leaves the structure bit for bit as before):
 *  - channel_fraction > 0: before packing, cylinders along z on a square x-y lattice (pitch 0.5 d sqrt(pi / f_c) for
 *    the requested diameter d, at least one per axis; the diameter is then set so that the channels cover f_c of
 *    each lattice cell) are reserved: no particle takes their voxels and no sphere centre lies in one. Afterwards
 *    they get the matrix label, or the label of phase channel_phase (whose target includes them). The phases'
 *    fractions stay fractions of the whole box (the overall composition is kept; they pack denser outside the
 *    channels, which the overlap heuristics account for).
 *  - phase[i].gradient != 0: the phase's centres are drawn with a density proportional to the remaining shortfall
 *    of each z plane against f (1 + g (1/2 - z / L)) (smoothed over a particle radius), and its spheres are cut by
 *    the z faces instead of wrapping through them (centres up to one radius outside, as in a cut through a bulk
 *    packing, so that the faces add no wall effect).
 *  - phase[i].shape FIBRE: capsules of the phase's diameter and fibre_length, random axis (isotropic or in-plane),
 *    centre on a matrix voxel, taking only matrix voxels and crossing each other freely (penetrable sticks); they
 *    enter the sphere list as chains of spheres spaced by at most r / 2.
 *  - phases of one name and role may share a label (e.g. the modes of a bimodal CAM).
 *
 * result (optional) receives the achieved fractions, counts and realised mean diameters, also on SSB_ERR_RANGE.
 * Errors: SSB_ERR_ARG (NULL grid or params, nphases out of range, duplicate labels of different name or role,
 * invalid enum or shape, channel_phase out of range), SSB_ERR_RANGE (a fraction outside (0, 1) or the fractions summing to >= 1; a size <= 0 or not finite;
 * gsd < 1; d_min > d_max or d_max above half the box; overlap outside [0, 1); tolerance, max_attempts or
 * relax_steps out of range; gradient outside [-1, 1]; a fibre not MONO or its length outside [diameter, smallest box
 * edge]; channel_fraction outside [0, 0.5], channel_diameter <= 0 or above the in-plane box edge, channels leaving
 * no matrix or exceeding their phase's fraction; or a target that could not be reached: the message names the phase, the achieved
 * fraction and the target; the grid then holds the partial packing), SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssb_micro_generate_electrode(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_electrode_params *params,
                                 ssb_micro_electrode_result *result);

/* ------------------------------------------------------------------------------------------------------------ */
/* (b) Polycrystalline solid electrolyte: Voronoi / Laguerre grains, grain-boundary phase, pores                */
/* ------------------------------------------------------------------------------------------------------------ */

/* Options of ssb_micro_generate_polycrystal. Defaults (ssb_micro_polycrystal_params_default): grain_size 0 (must be
 * set), gb_thickness 0 (must be set), Voronoi (laguerre 0, weight_sigma 0.3), no user seeds, porosity 0,
 * pore_radius 0, pores_on_gb 1, labels grain 1 "SE" (role SE), gb 2 "GB" (role GB), pore 0 "pore" (role PORE),
 * periodic 1, max_attempts 1000, seed 1. */
typedef struct {
    /* Mean grain size: the equivalent-sphere diameter d of the mean grain volume, V_mean = pi d^3 / 6. The number
     * of seeds is max(1, round(V_box / V_mean)), placed uniformly at random (a Poisson-Voronoi tessellation). */
    double grain_size;   /* m, > 0 (ignored when seeds are given) */
    double gb_thickness; /* m, > 0: a voxel is GB when its centre lies within gb_thickness / 2 of a face of its cell */
    int laguerre;        /* 0: Voronoi cells; 1: Laguerre (power) cells, |x - s_i|^2 - w_i */
    double weight_sigma; /* Laguerre with random weights: w_i = rho_i^2 with rho_i = (grain_size / 2) * exp(sigma z -
                            sigma^2 / 2), z standard normal; 0 to 2 */
    /* Optional user seeds (borrowed for the call): nseeds positions (x, y, z interleaved, m, inside the box) and,
     * for Laguerre, nseeds weights (m^2, NULL = all 0). nseeds = 0 draws random seeds. */
    const double *seeds;
    const double *weights;
    int64_t nseeds;
    double porosity;     /* target pore voxel fraction, [0, 1); 0 = no pores */
    double pore_radius;  /* m, > 0 when porosity > 0 */
    int pores_on_gb;     /* 1: pore centres on GB voxels; 0: anywhere */
    uint8_t grain_label, gb_label, pore_label; /* distinct */
    char grain_name[SSB_NAME_MAX], gb_name[SSB_NAME_MAX], pore_name[SSB_NAME_MAX];
    int periodic;        /* 1: periodic box (grains wrap); 0: the box faces cut the cells (no GB on the faces) */
    int64_t max_attempts; /* trial centres per pore, >= 1 */
    uint64_t seed;
} ssb_micro_polycrystal_params;

typedef struct {
    int64_t nseeds;             /* seeds (cells of the tessellation) */
    int64_t ngrains;            /* cells that own at least one voxel */
    double mean_grain_volume;   /* m^3: box volume / ngrains (GB and pore voxels counted with their cell) */
    double mean_grain_diameter; /* m: (6 mean_grain_volume / pi)^(1/3) */
    double gb_fraction;         /* voxel fraction with the GB label */
    double pore_fraction;       /* voxel fraction with the pore label */
    int64_t npores;             /* pores placed */
} ssb_micro_polycrystal_result;

ssb_micro_polycrystal_params ssb_micro_polycrystal_params_default(void);

/* Tessellate the box into grains and label grain interiors, grain boundaries and pores.
 *
 * Each voxel belongs to the cell of its nearest seed (Voronoi; smallest power distance for Laguerre; periodic
 * images in a periodic box). It is labelled GB when its centre lies within gb_thickness / 2 of the boundary of its
 * cell, i.e. of the nearest bisector (or radical) plane between its seed and another seed; for most voxels that
 * plane is the one with the second-nearest seed, but the minimum over all neighbours is taken, so corners are
 * right. The seeds that matter are found with a cell list per block of voxels. The thin-boundary estimate of the
 * GB fraction is S_V * t, with S_V = 2.910 lambda^(1/3) = 3.611 / grain_size the face area per volume of a
 * Poisson-Voronoi tessellation with lambda seeds per volume (Meijering 1953, Philips Res. Rep. 8, 270; Okabe et al.,
 * Spatial Tessellations, 2nd ed. 2000, Table 5.5.1). Pores (spheres of pore_radius) are then cut in at random
 * centres (or random GB voxels) until the pore fraction is the closest to porosity that whole pores allow.
 *
 * grain_id (optional, caller-owned, nvoxels int32 values): the seed index of each voxel's cell (also for GB
 * voxels), -1 for pore voxels. result is optional.
 * Errors: SSB_ERR_ARG (NULL grid/params, equal labels, seeds without nseeds), SSB_ERR_RANGE (grain_size or
 * gb_thickness <= 0 or not finite, gb_thickness >= grain_size / 3.611 (thin-boundary GB fraction >= 1), weight_sigma outside [0, 2], porosity outside [0, 1), pore_radius <= 0 with
 * porosity > 0 or above half the box when periodic, seed outside the box, more seeds than voxels or than
 * 2^31 - 1, or a porosity not reached within max_attempts per pore), SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssb_micro_generate_polycrystal(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_polycrystal_params *params,
                                   int32_t *grain_id, ssb_micro_polycrystal_result *result);

/* ------------------------------------------------------------------------------------------------------------ */
/* (c) Test geometries (all sizes in voxels; voxel sizes are ignored; the phase table is not touched)           */
/* ------------------------------------------------------------------------------------------------------------ */

#define SSB_MICRO_SHAPE_MAX_LAYERS 16

typedef enum {
    SSB_MICRO_SHAPE_BLOCK = 0,        /* every voxel labels[0] */
    SSB_MICRO_SHAPE_LAYERS = 1,       /* layers normal to axis: layer i has labels[i] and thickness[i] voxels,
                                         repeated from index 0 until the box ends; flux along axis crosses them in
                                         series, flux along another axis runs through them in parallel */
    SSB_MICRO_SHAPE_CHANNELS = 2,     /* square channels (labels[1]) of side width along axis in labels[0]; on a square
                                         lattice of pitch spacing across the axis, each centred in its period
                                         (spacing 0: one channel centred in the box) */
    SSB_MICRO_SHAPE_SPHERE_ARRAY = 3, /* spheres (labels[1]) of radius radius on a simple-cubic lattice of pitch
                                         spacing, centres at k*spacing + (spacing-1)/2 (voxel-index units) for the
                                         floor(n/spacing) whole periods per axis, in labels[0] */
    SSB_MICRO_SHAPE_STAIRCASE = 4,    /* TauFactor "slanted strip" (labels[1] in labels[0]): for every z, voxels with
                                         y and x in [z, z + width); needs nx, ny >= nz - 1 + width. With nz = 20,
                                         ny = nx = 21, width 2 this is TauFactor's test image, tau along z = 451/60 */
    SSB_MICRO_SHAPE_SPHERE = 5,       /* one sphere (labels[1]) of radius radius centred in the box
                                         ((n-1)/2 on each axis, voxel-index units), in labels[0] */
    SSB_MICRO_SHAPE_CUBE = 6,         /* a cube (labels[1]) of side width voxels, centred in the box
                                         (start (n - width)/2, rounded down) or, with corner = 1, at index 0 */
    SSB_MICRO_SHAPE_CHECKERBOARD = 7, /* 3-D checkerboard of width^3 cells: labels[(x/w + y/w + z/w) % 2] */
    SSB_MICRO_SHAPE_COUNT
} ssb_micro_shape_kind;

/* Options of ssb_micro_generate_shape. Defaults (ssb_micro_shape_params_default): labels {0, 1, 2, ...} (labels[i]
 * = i), nlayers 0, thickness all 0, axis z, radius 0, spacing 0, width 0, corner 0. */
typedef struct {
    ssb_micro_shape_kind kind;
    uint8_t labels[SSB_MICRO_SHAPE_MAX_LAYERS]; /* labels[0] background, labels[1] feature; LAYERS: one per layer */
    int nlayers;                                 /* LAYERS: 1 to SSB_MICRO_SHAPE_MAX_LAYERS */
    int64_t thickness[SSB_MICRO_SHAPE_MAX_LAYERS]; /* LAYERS: voxels, >= 1 each */
    ssb_axis axis;   /* LAYERS: layer normal; CHANNELS: channel direction */
    double radius;   /* SPHERE_ARRAY, SPHERE: voxels, > 0 */
    double spacing;  /* SPHERE_ARRAY: voxels, >= 1; CHANNELS: voxels, 0 or >= width */
    int64_t width;   /* CHANNELS, STAIRCASE, CUBE, CHECKERBOARD: voxels, >= 1 */
    int corner;      /* CUBE: 1 = at the corner (0, 0, 0) */
} ssb_micro_shape_params;

ssb_micro_shape_params ssb_micro_shape_params_default(ssb_micro_shape_kind kind);

/* Write the test geometry params->kind into every voxel of grid.
 * Errors: SSB_ERR_ARG (NULL, unknown kind or axis), SSB_ERR_RANGE (a size out of its range above, a shape that does
 * not fit the box: staircase too wide, cube larger than the box, no whole sphere period). */
int ssb_micro_generate_shape(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_shape_params *params);

#ifdef __cplusplus
}
#endif
#endif
