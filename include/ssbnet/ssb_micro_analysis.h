/*
 * ssb_micro_analysis.h - measurements of the phase networks of a voxel microstructure:
 * volume fractions, connected components, percolation (through, dead-end, isolated), interface areas
 * (face counting and marching cubes) and the composite-electrode network analysis ("active CAM", DESIGN.md).
 *
 * Conventions
 *   - Grid layout, axes and the phase table are those of ssb_grid.h (index = x + nx*(y + ny*z), 64-bit).
 *   - Lengths, areas and volumes are SI: m, m^2, m^3; "per volume" quantities are m^-1 (area / box volume,
 *     box volume = nx*ny*nz*dx*dy*dz). Fractions are dimensionless in [0, 1].
 *   - Voxel sets are given as uint8_t in_set[256]: voxel v is in the set when in_set[labels[v]] != 0.
 *   - The outer faces of the box are never interfaces: a phase touching the box boundary gets no area there.
 *   - Every function is multi-threaded with OpenMP (ssb_ctx_set_threads) and re-entrant for distinct contexts.
 *     None prints; each returns SSB_OK or a negative ssb_errcode with a message in the context.
 *   - Extra memory, beyond the caller's arrays: components about 4 bytes per voxel for the int32 ids when the
 *     library allocates them, plus 8 bytes per run of consecutive set voxels along x (typically < 2 bytes per
 *     voxel); percolation 4 bytes per voxel plus the runs; composite analysis 5 bytes per
 *     voxel plus the runs; interface areas a few planes of doubles (no per-voxel storage).
 *
 * Which functions need the phase table: ssb_micro_fractions_compute, ssb_micro_interfaces_compute and the
 * composite functions (ssb_micro_cam_*) require every label present to have a phase entry (SSB_ERR_NOTFOUND
 * otherwise, naming the label). The set-based functions (components, percolation, set interface area) work on
 * raw labels and ignore the phase table.
 */
#ifndef SSB_MICRO_ANALYSIS_H
#define SSB_MICRO_ANALYSIS_H

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_transport.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------------------
 * Volume fractions
 * ------------------------------------------------------------------------------------------------------------ */

typedef struct {
    int64_t nvoxels;                      /* voxels in the grid */
    double box_volume;                    /* m^3 */
    int64_t label_count[256];             /* voxels per label */
    double label_fraction[256];           /* label_count / nvoxels */
    int64_t role_count[SSB_ROLE_COUNT];   /* voxels per phase role (ssb_phase_role index) */
    double role_fraction[SSB_ROLE_COUNT]; /* role_count / nvoxels; they sum to 1 */
} ssb_micro_fractions;

/* Volume fraction of every label and of every phase role of the grid's phase table.
 * Errors: SSB_ERR_ARG (NULL argument), SSB_ERR_NOTFOUND (a label present without a phase entry). */
int ssb_micro_fractions_compute(ssb_ctx *ctx, const ssb_grid *g, ssb_micro_fractions *out);

/* ------------------------------------------------------------------------------------------------------------
 * Connected components
 * ------------------------------------------------------------------------------------------------------------ */

typedef struct {
    ssb_connectivity conn; /* connectivity used */
    int64_t nset;          /* voxels in the set */
    int64_t ncomponents;   /* number of connected components */
    int64_t *sizes;        /* [ncomponents] voxels per component; owned by this struct (NULL if none) */
    int32_t *ids;          /* [nvoxels] component id 0..ncomponents-1 per voxel, -1 outside the set */
    int owns_ids;          /* 1 if ids was allocated by the library (then freed by ssb_micro_components_destroy) */
} ssb_micro_components;

/* Label the connected components of the set {v : in_set[labels[v]] != 0} with 6-, 18- or 26-connectivity.
 * Algorithm: runs of consecutive set voxels along x are joined by a lock-free parallel union-find; no per-component
 * flood fill. Component ids are numbered in the order of each component's first voxel in memory order (so the
 * result does not depend on the number of threads).
 * ids: caller-owned array of nvoxels int32 to fill, or NULL to let the library allocate it (returned in out->ids,
 *      freed by ssb_micro_components_destroy). On error *out is zeroed and nothing stays allocated.
 * Errors: SSB_ERR_ARG (NULL g/in_set/out, bad conn), SSB_ERR_NOMEM, SSB_ERR_RANGE (more than INT32_MAX
 *         components), SSB_ERR_CANCELLED. */
int ssb_micro_components_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn,
                                 int32_t *ids, ssb_micro_components *out);
/* Free what the library allocated in c (sizes, and ids when owns_ids) and zero the struct. NULL-safe. */
void ssb_micro_components_destroy(ssb_micro_components *c);

/* ------------------------------------------------------------------------------------------------------------
 * Percolation per axis
 * ------------------------------------------------------------------------------------------------------------ */

typedef struct {
    ssb_connectivity conn;
    int64_t nvoxels;
    int64_t n_set;       /* voxels in the set */
    double set_fraction; /* n_set / nvoxels */
    /* Per axis a (0 = x, 1 = y, 2 = z), the two faces are the planes at index 0 and n_a - 1 along a. */
    int percolates[3];              /* 1 if at least one voxel is connected to both faces */
    int64_t n_percolating[3];       /* voxels connected to both faces */
    int64_t n_dead_end[3];          /* voxels connected to exactly one face */
    int64_t n_isolated[3];          /* voxels connected to neither face */
    double percolating_fraction[3]; /* of the set's volume (0 when the set is empty) */
    double dead_end_fraction[3];
    double isolated_fraction[3];
    double percolating_fraction_total[3]; /* of the total volume */
    double dead_end_fraction_total[3];
    double isolated_fraction_total[3];
} ssb_micro_percolation;

/* Percolating / dead-end / isolated parts of a voxel set along x, y and z. The sets are those of
 * ssb_grid_through_mask (bit 1 and 2 = connected to the face at index 0 and n-1), obtained here from one parallel
 * connected-component labelling for all three axes (a voxel reaches a face when its component touches it).
 * Each fraction triple sums to 1 (of the set) or to set_fraction (of the total).
 * Extra memory: 4 bytes per voxel. Errors: SSB_ERR_ARG (NULL argument, bad conn), SSB_ERR_NOMEM,
 * SSB_ERR_RANGE (more than INT32_MAX components), SSB_ERR_CANCELLED. */
int ssb_micro_percolation_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn,
                                  ssb_micro_percolation *out);

/* ------------------------------------------------------------------------------------------------------------
 * Interface areas
 * ------------------------------------------------------------------------------------------------------------ */

/* Method names carried by every area result. */
#define SSB_MICRO_METHOD_FACE_COUNT "face_count"
#define SSB_MICRO_METHOD_MARCHING_CUBES "marching_cubes"
#define SSB_MICRO_METHOD_MC_CORRECTED "face_count_mc_corrected"

typedef struct {
    const char *method; /* one of the SSB_MICRO_METHOD_* strings (static); NULL when not computed */
    double area;        /* m^2; NAN: computed but not resolved (a marching-cubes interface estimate S_ab <= 0:
                           features about one voxel across; the face count stands) */
    double per_volume;  /* m^-1: area / box volume (NAN with area) */
} ssb_micro_area;

/* Options of the marching-cubes estimate. Defaults (ssb_micro_area_params_default): marching_cubes = 1,
 * mc_sigma = 0.8.
 *   marching_cubes  1: compute the marching-cubes area as well as face counting; 0: face counting only.
 *   mc_sigma        width (voxels) of the normalised 3x3x3 Gaussian that smooths the indicator function before the
 *                   0.5 iso-surface is taken; 0 = no smoothing (iso-surface of the binary field). Valid: 0 or
 *                   0.2 to 5. The kernel is applied in voxel units with "nearest" (replicate) boundary values.
 *                   0.8 is TauFactor's default for specific_surface_area(method='marching_cubes') and brings a
 *                   voxelised sphere of radius 7 voxels to 0.013 % of 4 pi r^2 (TauFactor: 0.01 %); the binary
 *                   field (0) reproduces TauFactor's numbers for straight-walled shapes (a 10^3 cube in 20^3:
 *                   0.07051 voxel^-1, which TauFactor computes on the binary field) but over-estimates curved
 *                   surfaces (+8.4 % for that sphere, as scikit-image does).
 * The iso-surface is the marching-cubes surface of the field sampled at voxel centres (edge vertices by linear
 * interpolation at level 0.5, face ambiguities by the asymptotic decider, ties - as in a binary field - join
 * the two diagonal inside corners, interior ambiguities make no tunnel; each polygon is a triangle fan with a
 * fixed apex per case). It matches scikit-image's Lewiner surface (used by TauFactor) on the cube, multi-cube and
 * sphere cases; noise-like binary fields with many diagonal contacts can differ by several percent.
 * The field is not padded: the surface stops at the outer voxel centres, so the box boundary never counts. This is
 * what TauFactor does and what reproduces its corner and multi-cube values (a 10^3 cube in the corner of 20^3:
 * 0.03279 voxel^-1 unpadded, 0.07051 if the box were zero-padded; the floating cube is the same either way).
 * Features thinner than about 3 voxels are below the resolution of the estimate: with smoothing they fade, and the
 * pair formula S_ab = (S_a + S_b - S_{a u b}) / 2 can then even turn negative. Face counting has no such limit.
 * Anisotropic voxels scale the vertex coordinates per axis (the smoothing kernel stays in voxel units). */
typedef struct {
    int marching_cubes;
    double mc_sigma;
} ssb_micro_area_params;

ssb_micro_area_params ssb_micro_area_params_default(void);

/* Interface between two labels (label_a < label_b). */
typedef struct {
    uint8_t label_a, label_b;
    int64_t nfaces[3];   /* voxel faces between a and b whose normal is x, y, z */
    ssb_micro_area face; /* face counting: sum of nfaces[k] * (face area normal to k) */
    ssb_micro_area mc;   /* marching cubes S_ab = (S_a + S_b - S_{a u b}) / 2; method NULL if not computed, area
                            NAN where not resolved (S_ab <= 0) */
} ssb_micro_interface;

/* Surface of one label against everything else (its specific surface area). */
typedef struct {
    uint8_t label;
    ssb_micro_area face; /* all faces between this label and any other label */
    ssb_micro_area mc;   /* S_label; method NULL if not computed */
} ssb_micro_surface;

typedef struct {
    double box_volume;           /* m^3 */
    int nlabels;                 /* labels present */
    ssb_micro_surface *surfaces; /* [nlabels], ascending label; owned */
    int npairs;                  /* nlabels*(nlabels-1)/2 pairs of labels present, (a, b) in lexicographic order */
    ssb_micro_interface *pairs;  /* [npairs]; owned */
} ssb_micro_interfaces;

/* Interface area per unit volume for every pair of labels present, by face counting and (params->marching_cubes)
 * marching cubes; params NULL means defaults. Marching cubes is evaluated only for pairs that share at least one
 * voxel face (a pair without face contact reports 0 for both methods); its cost is one pass over the grid per
 * label present plus one per touching pair.
 * out is owned by the caller's struct and freed with ssb_micro_interfaces_destroy; on error it is zeroed.
 * Errors: SSB_ERR_ARG, SSB_ERR_RANGE (mc_sigma), SSB_ERR_NOTFOUND (label without a phase entry), SSB_ERR_NOMEM,
 *         SSB_ERR_CANCELLED. */
int ssb_micro_interfaces_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_area_params *params,
                                 ssb_micro_interfaces *out);
/* Free the arrays of r and zero it. NULL-safe. */
void ssb_micro_interfaces_destroy(ssb_micro_interfaces *r);
/* The entry for labels a and b (either order), or NULL. */
const ssb_micro_interface *ssb_micro_interfaces_find(const ssb_micro_interfaces *r, uint8_t a, uint8_t b);

/* Interface between two disjoint voxel sets A and B (e.g. all CAM labels vs all SE labels): face counting in face,
 * and, when params->marching_cubes, S_AB = (S_A + S_B - S_{A u B}) / 2 in mc (three marching-cubes passes; area
 * NAN where not resolved, see ssb_micro_area).
 * mc may be NULL to skip it. Errors: SSB_ERR_ARG (NULL, or a label in both sets), SSB_ERR_RANGE, SSB_ERR_NOMEM. */
int ssb_micro_set_interface_area(ssb_ctx *ctx, const ssb_grid *g, const uint8_t set_a[256], const uint8_t set_b[256],
                                 const ssb_micro_area_params *params, ssb_micro_area *face, ssb_micro_area *mc);

/* ------------------------------------------------------------------------------------------------------------
 * Composite electrode: active CAM (DESIGN.md, "Active CAM")
 * ------------------------------------------------------------------------------------------------------------
 * Networks, from the roles of the phase table, always 6-connected (shared voxel faces):
 *   electronic network = ACTIVE u CARBON voxels; e-connected = the part connected to the current-collector plane;
 *   ionic network = SE u GB u (COATING phases with sigma_ion > 0); Li-connected = the part connected to the
 *   separator plane (the face opposite the current collector);
 *   CAM particle = 6-connected cluster of ACTIVE voxels.
 * A CAM voxel is active if it is e-connected AND its particle shares at least one voxel face with a Li-connected
 * ionic-network voxel. Dead CAM is split into: no e- path only (particle touches Li-connected SE but is not
 * e-connected), no Li+ path only (e-connected, no face with Li-connected SE), neither. */

typedef enum { SSB_MICRO_SIDE_LOW = 0, SSB_MICRO_SIDE_HIGH = 1 } ssb_micro_side;

/* Options. Defaults (ssb_micro_cam_params_default): axis z, current collector at the low side (index 0, the
 * separator at index n-1), area = ssb_micro_area_params_default(). */
typedef struct {
    ssb_axis axis;              /* normal to the current collector */
    ssb_micro_side cc_side;     /* side of the current collector along axis */
    ssb_micro_area_params area; /* marching-cubes options for the CAM|SE correction */
} ssb_micro_cam_params;

ssb_micro_cam_params ssb_micro_cam_params_default(void);

/* Per-voxel classification codes written by ssb_micro_cam_classify. */
enum {
    SSB_MICRO_CAM_OTHER = 0, /* not CAM */
    SSB_MICRO_CAM_ACTIVE = 1,
    SSB_MICRO_CAM_DEAD_NO_E = 2,  /* no electronic path only */
    SSB_MICRO_CAM_DEAD_NO_LI = 3, /* no ionic path only */
    SSB_MICRO_CAM_DEAD_NEITHER = 4
};

typedef struct {
    int64_t nvoxels;
    double box_volume;                                           /* m^3 */
    int64_t n_cam;                                               /* ACTIVE-role voxels */
    double cam_fraction;                                         /* n_cam / nvoxels */
    int64_t n_particles;                                         /* CAM particles (6-connected ACTIVE clusters) */
    int64_t n_particles_active;                                  /* particles whose voxels are active */
    int64_t n_active, n_dead_no_e, n_dead_no_li, n_dead_neither; /* CAM voxels by class */
    double active_fraction;                                      /* n_active / n_cam */
    double dead_no_e_fraction;                                   /* n_dead_no_e / n_cam */
    double dead_no_li_fraction;                                  /* n_dead_no_li / n_cam */
    double dead_neither_fraction;                                /* n_dead_neither / n_cam */

    /* Areas (m^2 and m^-1). CAM|SE means CAM against the ionic network (SE, GB, conducting coating). */
    ssb_micro_area active_cam_se;    /* face count: faces between active CAM and Li-connected ionic voxels */
    ssb_micro_area active_cam_se_mc; /* active_cam_se x mc_face_ratio, method "face_count_mc_corrected";
                                        method NULL when marching cubes is off */
    ssb_micro_area cam_se;           /* face count of the whole CAM|SE interface */
    ssb_micro_area cam_se_mc;        /* marching cubes of the whole CAM|SE interface (method NULL when off) */
    double mc_face_ratio;            /* cam_se_mc.area / cam_se.area (0 when off or no CAM|SE face; NAN, like
                                        cam_se_mc and active_cam_se_mc, when marching cubes did not resolve the
                                        CAM|SE interface: ssb_micro_area) */
    ssb_micro_area cam_carbon;       /* face count of the CAM|CARBON contact */

    /* Networks along the axis (6-connected). */
    int64_t n_electronic, n_e_connected;    /* electronic-network voxels; those connected to the CC plane */
    int64_t n_ionic, n_li_connected;        /* ionic-network voxels; those connected to the separator plane */
    int electronic_percolates;              /* electronic network connects the CC and separator planes */
    int ionic_percolates;                   /* ionic network connects the two planes */
    double electronic_percolating_fraction; /* of the electronic network's volume, connected to both planes */
    double ionic_percolating_fraction;      /* of the ionic network's volume, connected to both planes */

    /* Surface coverage (issue 14): the share of the CAM's free surface (faces between CAM and any non-CAM voxel,
     * CAM|CAM contacts excluded) that touches the ionic network, per area, not per particle. Face counts: the
     * staircase error cancels to first order in the ratios. */
    ssb_micro_area cam_surface;        /* face count of the CAM's free surface */
    ssb_micro_area active_cam_surface; /* of the active CAM's free surface */
    double se_coverage;                /* cam_se.area / cam_surface.area */
    double active_se_coverage;         /* active_cam_se.area / active_cam_surface.area: the share of the active
                                          CAM's surface through which Li+ from the separator can enter */
} ssb_micro_cam_result;

/* Composite-electrode analysis. params NULL means defaults.
 * Errors: SSB_ERR_ARG (NULL g/out, axis not x/y/z, cc_side not low/high), SSB_ERR_NOTFOUND (a label without a
 *         phase entry, or no ACTIVE voxel), SSB_ERR_RANGE (area options), SSB_ERR_NOMEM, SSB_ERR_CANCELLED. */
int ssb_micro_cam_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params,
                          ssb_micro_cam_result *out);

/* The same analysis, writing the per-voxel class (SSB_MICRO_CAM_* codes) into cls (nvoxels bytes, caller-owned)
 * for visualisation; out may be NULL. Same errors. */
int ssb_micro_cam_classify(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params, uint8_t *cls,
                           ssb_micro_cam_result *out);

/* Insertion paths of the active CAM (issue 14). Lithium enters a CAM particle only through its faces with the
 * Li-connected ionic network; the path length through the CAM (6-connected voxel steps within the active clusters,
 * (k + 1/2) h for a voxel k steps from such a face) from there, as a volume rms over the active CAM, next to the
 * same from the whole free surface (faces with any non-CAM voxel: the particles as if covered all over). Their
 * ratio, length_factor (>= 1), is how much longer the partial coverage makes the particles' diffusion paths; a
 * fully covered particle has 1. Needs cubic voxels. */
typedef struct {
    int64_t n_voxels;         /* active CAM voxels (all reached by both searches) */
    double mean_from_se;      /* m: mean path length from the Li-connected CAM|SE faces */
    double rms_from_se;       /* m: its volume rms */
    double mean_from_surface; /* m: mean path length from the free surface */
    double rms_from_surface;  /* m: its volume rms */
    double length_factor;     /* rms_from_se / rms_from_surface; 0 when there is no active CAM */
} ssb_micro_cam_paths;

/* params NULL means defaults. Errors: those of ssb_micro_cam_classify, SSB_ERR_RANGE (voxels not cubic). */
int ssb_micro_cam_paths_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params,
                                ssb_micro_cam_paths *out);

/* ------------------------------------------------------------------------------------------------------------
 * Resolution: voxel size from the smallest feature, resolution / box-size check, feature sizes of images
 * ------------------------------------------------------------------------------------------------------------
 * Microstructure results (tortuosity, interface areas) change with the voxel size until the features are resolved
 * (issue 7 item 2: SE tau of the default cathode 2.91 at 0.4 um vs 2.43 at 0.2 um). Voxel tortuosities converge only
 * at first order in h: the voxel staircase narrows the SE necks between touching particles and around small
 * particles. Convergence study (src/micro/analysis/resolution.c; the same spheres voxelised at h and h/2, CAM
 * lognormal gsd 1.3 at 0.60, overlap 0.15): the relative change of the SE tau from h to h/2 fits
 *     rel_tau ~ h (1.29 / d_largest + 0.42 / d_small)
 * (d_largest: mean diameter of the largest particle phase, the CAM; d_small: of the smallest other phase). The
 * stated rule keeps it under 5 %: at least SSB_MICRO_VOXELS_ACROSS_LARGEST voxels across the largest phase's mean
 * diameter (CAM alone: 4.3 %) and SSB_MICRO_VOXELS_ACROSS across every other phase's (with both: <= 4.7 %). The
 * CAM|SE face area converges faster (2 % at 30 voxels across the CAM). Where such voxels are unaffordable (the default
 * cathode with 1 um carbon needs 0.056 um), the first-order extrapolation 2 tau(h/2) - tau(h) of the resolution
 * check agreed within about 3 % over 4 to 16 voxels across the small phases (realisation noise of the 9.6 um box
 * included). */
#define SSB_MICRO_VOXELS_ACROSS_LARGEST 30
#define SSB_MICRO_VOXELS_ACROSS 18

/* Voxel edge (m) of the rule above for the particle phases of p: h = min(d_largest / SSB_MICRO_VOXELS_ACROSS_LARGEST,
 * d_i / n_across over the other phases i), d the number-mean diameters as requested (tables: the number mean of
 * the classes). n_across 0 means SSB_MICRO_VOXELS_ACROSS.
 * Errors: SSB_ERR_ARG (NULL), SSB_ERR_RANGE (n_across outside [0, 100], nphases out of range, a phase without a
 * valid size). */
int ssb_micro_resolution_voxel_size(ssb_ctx *ctx, const ssb_micro_electrode_params *p, int n_across, double *h);

/* Options of ssb_micro_resolution_check. Defaults (ssb_micro_resolution_params_default): axis z, box_factor 1.5,
 * rtol 0.05, transport defaults. */
typedef struct {
    ssb_axis axis;        /* transport axis of the SE tortuosity */
    double box_factor;    /* larger-box check: the two edges normal to axis times this, [1, 4]; 1 = skip */
    double rtol;          /* relative change above which a quantity counts as not converged, (0, 1) */
    ssb_transport_params transport; /* solver options of the tau solves */
    int subvoxel;         /* 0 or 1 [0]: SE tau on binary voxels; s >= 2: on sub-voxel conductivities of s^3 samples
                             per voxel (as ssb_run measures its ionic network, see ssb_micro_resolution_networks) */
} ssb_micro_resolution_params;

typedef struct {
    double h;              /* voxel edge of the structure checked (m; the largest edge if not cubic) */
    int64_t dims[3];       /* its dimensions (voxels) */
    double tau[2];         /* SE (matrix) tortuosity factor along axis at h and at h/2, same spheres */
    double area[2];        /* CAM|SE face-count area per volume (1/m) at h and h/2 (ACTIVE phases vs matrix) */
    double rel_tau;        /* |tau(h) - tau(h/2)| / tau(h/2) */
    double rel_area;       /* |area(h) - area(h/2)| / area(h/2) */
    double tau_box;        /* tau at h in the larger box (new packing, same recipe and seed); 0 if skipped */
    double rel_tau_box;    /* |tau(h) - tau_box| / tau_box (0 if skipped) */
    int64_t dims_box[3];   /* dimensions of the larger box (0 if skipped) */
    int resolved;          /* rel_tau <= rtol and rel_area <= rtol */
    int box_ok;            /* rel_tau_box <= rtol (1 if skipped) */
    double tau_extrapolated; /* first-order (Richardson) extrapolation to h -> 0: 2 tau(h/2) - tau(h) */
    double voxels_across;  /* largest particle phase's mean diameter / h */
    double voxels_across_small; /* smallest particle phase's mean diameter / h (= voxels_across with one phase) */
} ssb_micro_resolution_result;

ssb_micro_resolution_params ssb_micro_resolution_params_default(void);

/* Resolution and box-size check of a generated composite electrode: generates p in a box of dims voxels of edge h
 * (cubic voxels), measures the SE tau (conductivity 1 on the SE: the matrix label, and the labels of particle
 * phases with the SE or GB role, e.g. SE particles; the matrix only if it has that role or no phase has; 0
 * elsewhere) and the CAM|SE area, then
 * voxelises the same spheres at h/2 (2 dims voxels) and measures again; with box_factor > 1 also generates the
 * recipe in a box whose edges normal to axis are box_factor times larger and measures tau there. Memory: the h/2
 * grid has 8x the voxels. A structure whose matrix does not percolate gives tau = +inf and resolved = 0.
 * Errors: those of ssb_micro_generate_electrode and ssb_transport_solve, SSB_ERR_ARG (NULL), SSB_ERR_RANGE
 * (params out of range). */
int ssb_micro_resolution_check(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const int64_t dims[3], double h,
                               const ssb_micro_resolution_params *params, ssb_micro_resolution_result *out);

/* Resolution check of an image (which cannot be refined): the tortuosity factor of the conducting labels (sigma,
 * S/m) along axis at the image's voxel size h and on the image coarsened to 2h (each 2 x 2 x 2 block takes its most
 * frequent label, ties to the smaller label; an odd last layer is dropped). Voxel taus converge at first order
 * (see above), so |tau(2h) - tau(h)| estimates the error left in tau(h): rel = |tau(2h) - tau(h)| / tau(h) above
 * 0.05 means the image is too coarse for a 5 % tau. tp: transport options (NULL = defaults). tau values are +inf
 * when the set does not percolate (rel is then 0 if both are inf, +inf if only one is).
 * Errors: those of ssb_transport_solve, SSB_ERR_RANGE (a dimension below 2 voxels), SSB_ERR_NOMEM. */
int ssb_micro_resolution_check_image(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                                     const ssb_transport_params *tp, double *tau_h, double *tau_2h, double *rel);

/* Convergence of a generated composite's two transport networks in the voxel size, measured as ssb_run measures
 * them (issue 7 item 2). Why binary voxels do not converge: the SE between two CAM particles closer than about a
 * voxel is all-or-nothing, so the narrow SE necks between neighbouring CAM particles are closed at h and open at
 * h/2 (default cathode, 5 um NCM811 at 0.4 um, same spheres: Li+ sigma_eff 0.0203 S/m at h, 0.0258 at h/2, 0.0291
 * at h/4). The ionic network is therefore measured with SUB-VOXEL conductivities: each voxel conducts with the
 * volume average of its phases' conductivities, sampled on s^3 sub-voxels of the same spheres (0.0301 at h, 0.0304
 * at h/2: 1 %). The electronic network (CAM and carbon, conductivity contrast ~400) stays binary: averaging spreads
 * the carbon over its boundary voxels and over-connects it (0.45 S/m at h, 0.32 at h/2), while binary voxels give
 * 0.257 and 0.248 (3.8 %). Both taus are eps sigma_bulk / sigma_eff along z with the volume-mean conductivity. */
#define SSB_MICRO_SUBVOXEL 4
typedef struct {
    int subvoxel;     /* sub-voxels per edge of the ionic conductivities [SSB_MICRO_SUBVOXEL]; 0 or 1: binary */
    double rtol;      /* largest relative change from h to h/2 that counts as converged [0.05], (0, 1) */
    ssb_transport_params transport; /* solver options [defaults] */
} ssb_micro_network_check_params;
typedef struct {
    double h;             /* voxel edge checked (m) */
    int64_t dims[3];      /* the check's box at h (voxels; 2 dims at h/2, the same spheres) */
    int subvoxel;         /* sub-voxel division used for the ionic network (1: binary) */
    double tau_ion[2], tau_el[2];     /* tortuosity factors along z at h and h/2 (+inf: not percolating) */
    double sigma_ion[2], sigma_el[2]; /* effective conductivities (S/m) at h and h/2 */
    double rel_ion, rel_el;           /* |tau(h) - tau(h/2)| / tau(h/2) */
    double tau_ion_extrapolated, tau_el_extrapolated; /* 2 tau(h/2) - tau(h): first-order estimate at h -> 0 */
    double mean_sigma_ion, mean_sigma_el; /* volume-mean conductivities (eps sigma_bulk, S/m) of the structure at h:
                                             tau = mean / sigma_eff at h and h/2, so rel_* is the change in sigma_eff */
    int resolved;         /* both taus finite and rel_ion, rel_el <= rtol */
} ssb_micro_network_check;
ssb_micro_network_check_params ssb_micro_network_check_params_default(void);
/* Generates p in a dims box of edge h, measures the ionic (conductivities sigma_ion by label, sub-voxel) and
 * electronic (sigma_el, binary) taus along z, voxelises the same spheres at h/2 and measures again. Memory: the h/2
 * grid (8 nvoxels bytes) and the ionic sub-voxels (s^3 x that, capped). Errors: those of
 * ssb_micro_generate_electrode and ssb_transport_solve, SSB_ERR_ARG, SSB_ERR_RANGE. */
int ssb_micro_resolution_networks(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const int64_t dims[3], double h,
                                  const double sigma_ion[256], const double sigma_el[256],
                                  const ssb_micro_network_check_params *params, ssb_micro_network_check *out);

/* Feature size of one label of an image: runs of equal labels along each axis are chords; the mean chord of a
 * sphere of diameter d is 2d/3 (Underwood, Quantitative Stereology, 1970: mean intercept 4V/S), so the sphere-
 * equivalent feature size is 1.5 x the mean chord along the axis where it is shortest (a slab of thickness T
 * gives 1.5 T). Chords cut by the box faces count as they are (the estimate is low for features as large as
 * the box). An axis of one voxel (a 2-D slice) is left out of the shortest chord: its chords are the slice. */
typedef struct {
    uint8_t label;
    int64_t nvoxels;
    double chord_mean[3];  /* m, mean chord along x, y, z */
    double feature_size;   /* m, 1.5 x the shortest mean chord */
    double voxels_across;  /* feature_size / voxel edge along that axis */
    int under_resolved;    /* voxels_across < n_across */
} ssb_micro_feature;

typedef struct {
    int n_across;                 /* threshold used */
    int nlabels;                  /* labels present */
    ssb_micro_feature label[256]; /* [nlabels], ascending label */
    int n_under;                  /* labels under the threshold */
} ssb_micro_features;

/* Feature sizes of every label present in g and the under-resolved ones (n_across 0 = SSB_MICRO_VOXELS_ACROSS).
 * Works on any image, generated or imaged; the phase table is not needed.
 * Errors: SSB_ERR_ARG (NULL), SSB_ERR_RANGE (n_across outside [0, 100]). */
int ssb_micro_feature_sizes(ssb_ctx *ctx, const ssb_grid *g, int n_across, ssb_micro_features *out);

#ifdef __cplusplus
}
#endif
#endif
