/*
 * ssb_run.h - the main job as one library call: cell -> structure -> networks -> effective properties -> cell
 * model -> rate sweep. The CLI's `ssbnet run`, and any program that compares designs, calls this.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * The chain (DESIGN.md "Data flow of the main job"); each stage is a function of its own and fills its part of an
 * ssb_run_result, so a caller may stop after any stage, or replace a stage's output before the next one:
 *
 *   1. ssb_run_structure   the composite cathode as voxels. Generated from the cell's composition (volume
 *      fractions, CAM particle diameter, CAM / SE names of the "positive" block) and the recipe of the params
 *      (ssb_run_params: voxel size, in-plane cross-section, seed, carbon, sizes), or a segmented image given by the
 *      caller (z through the thickness, label roles in its phase table). A generated structure SPANS THE
 *      ELECTRODE'S THICKNESS through-plane (z): nz = round(thickness / voxel size), so percolation and
 *      tortuosity are those of the real thickness; the in-plane box (x, y) is a representative cross-section.
 *      Every phase takes its conductivities from the materials database at the CELL TEMPERATURE
 *      (ssb_run_assign_materials; the SE from ssb_materials_sigma_ion(T)). Where the cell states the bulk ionic
 *      conductivity of its composite's electrolyte itself (a number in the cell file, or a database value at T),
 *      the phases named like that electrolyte take exactly that number, so the structure and the cell model
 *      agree on the bulk value and the temperature factor handed on is 1 (reported as temperature_factor).
 *      The voxel size of a generated structure is chosen so that its networks are converged (issue 7 item 2):
 *      starting at d_CAM / 12.5, the ionic and electronic taus are measured at h and h/2 on a cube of the recipe
 *      (the same spheres re-voxelised) and h is refined by sqrt(2) while either changes by more than 5 % (in-plane
 *      extent kept in um; within SSB_RUN_AUTO_MAX_VOXELS); a forced voxel size is kept and warned about when the
 *      check fails. The networks are measured as the check measures them: Li+ on sub-voxel conductivities of the
 *      spheres (res->ion_grid), e- on the labels without false contacts between non-overlapping particles
 *      (res->el_grid); see ssb_micro_resolution_networks (ssb_micro_analysis.h) for why.
 *   2. ssb_run_networks    network analysis of the structure: role fractions, active CAM (wired to the current
 *      collector at z = 0 and touching SE connected to the separator at z = nz - 1, ssb_micro_cam_compute),
 *      the active CAM|SE area, and transport solves along z for Li+ (SE, GB, conducting coatings) and e- (CAM,
 *      carbon) with the phase conductivities of stage 1.
 *   3. ssb_run_effective   the hand-over to the cell model (every quantity handed over is stored in the result
 *      next to the one it comes from, and tests/unit/test_run.c compares each pair):
 *        eps_active        = CAM volume fraction x active CAM fraction;
 *        eps_active_dead   = CAM volume fraction x (1 - active CAM fraction) (mass only);
 *        eps_electrolyte   = SE + GB volume fractions; eps_inert = carbon + binder + coating; porosity = pores;
 *        sigma_i_eff       = transport result sigma_eff (Li+) x temperature_factor (1, see stage 1). The
 *                            transport's sigma_eff = eps sigma_bulk / tau already contains the volume fraction:
 *                            it is NOT multiplied by eps again (issue 7 item 1: it once was, which handed over
 *                            sigma_bulk eps^2 / tau, a third of the measured 0.0214 S/m of the default cell);
 *        sigma_e_eff       = transport result sigma_eff (e-) x temperature_factor (1);
 *        area_per_volume   = active CAM|SE face count per volume x area_factor. Face counting measures a
 *                            staircase: for a smooth surface at random orientation its expected area is 3/2 of
 *                            the true one (mean of |nx| + |ny| + |nz| over the sphere = 3/2). The factor is
 *                            MEASURED, not assumed: area_factor = marching-cubes area / face-count area of the
 *                            whole CAM|SE interface of this structure (ssb_micro_cam_result.mc_face_ratio); with
 *                            marching cubes off it is the same ratio measured on a voxelised sphere of the mean
 *                            CAM diameter at this voxel size (ssb_run_sphere_area_factor). Both are reported.
 *      With the microstructure disabled, the cell's own Bruggeman relations apply and nothing is handed over.
 *   4. ssb_run_cell       the P2D model (ssb_cell.h) built with these values, discharged from the initial state
 *      at each C-rate to the cut-off (ssb_cell_rate_sweep).
 *
 * Validation (ssb_run_check): the cell is validated by the cell model first (a partial file names the missing
 * key instead of producing NaN fractions); then the run refuses what cannot give a meaningful answer
 * (SSB_ERR_RANGE naming key, value and range): a cut-off at or above the open-circuit voltage of the initial
 * state, a cathode thinner than its mean CAM particle, and for a generated structure one with fewer than 4 voxels
 * through the thickness, more than 2^31 voxels, or an extent under two mean CAM diameters (the generator could not
 * place the particles); and it logs a warning (level SSB_LOG_WARN, object "run") for physically implausible
 * combinations that still run: a cathode thinner than 5 um or thicker than 2 mm, particles smaller than 3 voxels,
 * a cross-section narrower than four CAM particles.
 *
 * Progress and cancellation: the stages report to the context's progress callback, each stage name prefixed
 * with the run stage ("structure: electrode", "Li+ network: transport z", "e- network: transport z",
 * "discharge 1C: cell"); params.cancel (optional) is polled at every progress report: when *cancel != 0 the running
 * stage stops with SSB_ERR_CANCELLED. The context's callback is restored when a stage returns.
 * Reproducibility: a seed, params and cell give bit-identical results on one platform, whatever the thread
 * count (the generator and the gmg transport backend are deterministic).
 * Thread-safety: separate contexts, databases and results may run concurrently; the db is only read.
 * Ownership: the result owns its grid, cell parameters and curves; ssb_run_result_destroy frees them.
 */
#ifndef SSB_RUN_H
#define SSB_RUN_H

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_report.h>
#include <ssbnet/ssb_transport.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSB_RUN_MAX_RATES 16

/* Labels of a generated composite cathode. */
enum { SSB_RUN_LABEL_PORE = 0, SSB_RUN_LABEL_SE = 1, SSB_RUN_LABEL_CAM = 2, SSB_RUN_LABEL_CARBON = 3 };

/* A composite cathode to generate: the composition (from the cell) and the recipe (from the params). */
typedef struct {
    char cam[SSB_NAME_MAX], se[SSB_NAME_MAX], carbon[SSB_NAME_MAX]; /* material / phase names */
    double cam_fraction;    /* CAM volume fraction (active + isolated), (0, 1) */
    double carbon_fraction; /* carbon volume fraction, [0, 1) */
    double pore_fraction;   /* voids, [0, 1); the SE is the rest */
    double cam_diameter;    /* number-mean CAM diameter [m] */
    double cam_gsd;         /* geometric standard deviation of the lognormal CAM diameters, >= 1 */
    double carbon_diameter; /* [m] */
    double pore_diameter;   /* [m] */
    double overlap;         /* allowed sphere overlap fraction, [0, 0.9] */
    int64_t dims[3];        /* voxels (z through the thickness) */
    double voxel_size;      /* [m] */
    uint64_t seed;
    /* electrode architecture (issue 12; from ssb_run_params, same names and units; 0 = today's structure) */
    double se_diameter;        /* [m] mean SE particle diameter (lognormal, cam_gsd); 0: the SE is the matrix */
    double channel_fraction;   /* vertical SE channels: area fraction of the cross-section, [0, 0.5] */
    double channel_diameter;   /* [m] channel diameter */
    int carbon_shape;          /* ssb_micro_particle_shape: SPHERE or FIBRE */
    double fibre_length;       /* [m] tip-to-tip carbon fibre length */
    double cam_small_fraction; /* bimodal CAM: volume share of the small mode in the CAM, [0, 1) */
    double cam_small_diameter; /* [m] number-mean diameter of the small mode */
    double cam_gradient;       /* CAM fraction f (1 + g/2) at the current collector to f (1 - g/2) at the separator */
} ssb_run_cathode;

/* Options of the chain. Defaults (ssb_run_params_default) in brackets. */
typedef struct {
    int micro;             /* 1: measure a structure [1]; 0: the cell's Bruggeman relations */
    const ssb_grid *image; /* segmented image of the cathode (borrowed; z through the thickness) [NULL: generate] */
    char image_file[1024]; /* the cell file's microstructure.image [""]: not read here; the caller loads it (with
                              its phase table) into image */
    /* recipe of a generated structure */
    double voxel_size;         /* [m] [0: from the CAM, ssb_run_voxel_size], 0 or 1e-9 to 1e-4 */
    int64_t cross_section;     /* in-plane voxels per edge [96], 16 to 1024 */
    int64_t through_plane;     /* voxels through the thickness [0: round(thickness / voxel_size)], 0 or 4 to 4096 */
    uint64_t seed;             /* [1] */
    double cam_gsd;            /* [1.3], 1 to 3 */
    char carbon[SSB_NAME_MAX]; /* carbon material ["Super P"] */
    double carbon_diameter;    /* [m] [1e-6] */
    double pore_diameter;      /* [m] [1.2e-6] */
    double overlap;            /* [0.15], 0 to 0.9 */
    int marching_cubes;        /* measure the area factor with marching cubes [1]; 0: on a voxelised sphere */
    int check_resolution;      /* [0]; 1: extended resolution check of the structure (generated: SE tau on
                                  sub-voxel conductivities and CAM|SE face-count area at h and h/2 and in a wider box,
                                  ssb_micro_resolution_check, on a cube of up to 64 voxels; image: SE tau at h and
                                  2h, ssb_micro_resolution_check_image). The network check of the voxel size runs
                                  for every generated structure (ssb_run_result.netcheck). */
    /* transport */
    ssb_transport_params transport; /* [ssb_transport_params_default()] */
    /* cell */
    int nrates;                      /* [5] */
    double rates[SSB_RUN_MAX_RATES]; /* C-rates [0.1, 0.2, 0.5, 1, 2], each in (0, 100] */
    double cutoff;                   /* discharge cut-off [V] [3.5], 0.5 to 6 */
    /* interfaces */
    double iface_hours; /* ageing time of the interface assessment [h] [1000] (about 500 cycles at 1C/1C), 0 to
                           1e6; 0 skips the assessment */
    volatile const int *cancel;      /* optional: non-zero cancels at the next progress report */
    /* electrode architecture of a generated structure (issue 12; cell-file keys microstructure.<name>[_um]).
       The defaults give today's structure bit for bit. */
    double se_diameter;        /* [m] [0: the SE is the matrix], 0 or 1e-7 to 1e-4: the SE as lognormal particles
                                  (geometric std cam_gsd) of this mean diameter, the voids (positive.porosity, > 0
                                  needed) the rest; the SE densifies by overlap (overlap_max 0.4) */
    double channel_fraction;   /* [0], 0 to 0.5: vertical SE channels through the thickness, area fraction of the
                                  cross-section (the overall composition is kept: the channels are SE taken from
                                  the SE's share, the other phases pack denser around them) */
    double channel_diameter;   /* [m] [10e-6], 1e-7 to 1e-3: channel diameter (adjusted to fit the lattice) */
    int carbon_shape;          /* [SSB_MICRO_PARTICLE_SPHERE]; SSB_MICRO_PARTICLE_FIBRE: carbon fibres / tubes of
                                  diameter carbon_diameter, random orientation */
    double fibre_length;       /* [m] [10e-6], 1e-7 to 1e-3, >= carbon_diameter: carbon fibre length */
    double cam_small_fraction; /* [0], 0 to 0.95: bimodal CAM, volume share of the small mode in the CAM */
    double cam_small_diameter; /* [m] [1e-6], 1e-7 to 1e-3: number-mean diameter of the small CAM mode */
    double cam_gradient;       /* [0], -1 to 1: graded CAM fraction, f (1 + g/2) at the current collector to
                                  f (1 - g/2) at the separator (mean f kept) */
    /* particle diffusion length handed to the cell (issue 14; cell-file key microstructure.diffusion_length) */
    int diffusion_paths;       /* [0] "particle": the cell's particle radius; 1 "insertion_paths": that radius times
                                  the structure's insertion-path factor (ssb_micro_cam_paths.length_factor: lithium
                                  enters through the CAM|SE contacts only), the measured area handed over with it */
} ssb_run_params;

ssb_run_params ssb_run_params_default(void);

/* Voxels across the CAM's mean diameter at which the automatic voxel size starts (voxel_size 0): the same relative
 * resolution for every particle size, so that smaller particles are not judged on a coarser image than larger ones
 * (issue 7 item 2). 12.5 gives the 0.4 um of 5 um particles. The networks are then measured so that they converge
 * at this resolution (Li+ on sub-voxel conductivities, e- without false contacts; ssb_micro_resolution_networks)
 * and the check at h and h/2 refines h when they do not (ssb_run_result.netcheck). */
#define SSB_RUN_VOXELS_ACROSS_CAM 12.5
/* The automatic voxel size is refined by sqrt(2) at most this many times, and only while the structure stays
 * within SSB_RUN_AUTO_MAX_VOXELS voxels (about 1 minute of transport on 2 cores). */
#define SSB_RUN_REFINE_MAX 3
#define SSB_RUN_AUTO_MAX_VOXELS ((int64_t)48 * 1024 * 1024)
/* Phases whose chord-based feature size is under this many voxels are lost or broken up by the voxelisation: the
 * run warns (the taus' convergence is measured by the check, see ssb_run_result.netcheck). */
#define SSB_RUN_MIN_VOXELS_ACROSS_FEATURE 2
/* The voxel size [m] a generated structure uses: params->voxel_size if > 0, else cam_diameter [m] /
 * SSB_RUN_VOXELS_ACROSS_CAM. */
double ssb_run_voxel_size(const ssb_run_params *params, double cam_diameter);

/* The cell file's optional blocks on top of p (p unchanged on error). Every key acts (none is accepted and
 * ignored); lengths in um, as in the cell keys:
 *   "microstructure": {"enabled": true, "image": "cathode.tif", "size_voxels": 96 (in-plane cross-section),
 *       "through_plane_voxels": 0 (0: thickness / voxel size), "voxel_size_um": 0.4, "seed": 1, "cam_gsd": 1.3,
 *       "carbon": "Super P", "carbon_diameter_um": 1.0, "pore_diameter_um": 1.2, "overlap": 0.15,
 *       "marching_cubes": true, "se_diameter_um": 0, "channel_fraction": 0, "channel_diameter_um": 10,
 *       "carbon_shape": "sphere" | "fibre", "fibre_length_um": 10, "cam_small_fraction": 0,
 *       "cam_small_diameter_um": 1, "cam_gradient": 0, "diffusion_length": "particle" | "insertion_paths"}
 *   "run": {"rates_C": [0.1, 0.2, 0.5, 1, 2], "cutoff_V": 3.5, "interface_ageing_h": 1000}
 * Other top-level keys belong to the cell model and are not looked at. name labels messages (file name).
 * Errors: SSB_ERR_FORMAT (malformed JSON with line:col, unknown key listing the valid ones, wrong type),
 * SSB_ERR_RANGE (key, value and valid range). */
int ssb_run_params_from_json_string(ssb_ctx *ctx, const char *text, const char *name, ssb_run_params *p);

/* The cell file parsed ONCE (issue 9): one JSON tree feeds the cell model's reader (the keys of
 * ssb_cell_params_from_json_string: *cell is a new cell, caller destroys) and the run's blocks (as
 * ssb_run_params_from_json_string, on top of *rp). All or nothing: on error *cell is NULL and *rp unchanged.
 * name labels messages. Errors: those of both readers (SSB_ERR_FORMAT with line:col, SSB_ERR_RANGE, ...).
 * ssb_run_load reads the file first (SSB_ERR_IO when it cannot). */
int ssb_run_load_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                        ssb_cell_params **cell, ssb_run_params *rp);
int ssb_run_load(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **cell, ssb_run_params *rp);

/* Everything the chain measured and handed over. Fields of stages not run are zero / NULL. */
typedef struct {
    int stage; /* stages completed: 0 none, 1 structure, 2 networks, 3 effective, 4 cell */
    /* cell (owned copy; after stage 3 it holds the measured properties) */
    ssb_cell_params *params;
    ssb_cell_values values_in; /* the cell as given (before the hand-over) */
    double temperature;        /* [K] at which the materials were evaluated (the cell temperature) */
    /* stage 1 */
    int micro;                      /* a structure was measured */
    int generated;                  /* 1: generated, 0: the caller's image */
    ssb_run_cathode cathode;        /* the generated cathode's recipe (generated only) */
    ssb_micro_electrode_result gen; /* generator outcome (generated only) */
    /* resolution (issue 7 item 2): where the automatic voxel size started, the phases under
       SSB_RUN_MIN_VOXELS_ACROSS_FEATURE voxels across (each warned about), and on request the extended check. */
    double voxel_size_rule;         /* [m] d_CAM / SSB_RUN_VOXELS_ACROSS_CAM (automatic; 0 when forced or an image) */
    ssb_micro_features features;    /* feature sizes of every label of the structure */
    int resolution_checked;         /* params.check_resolution ran */
    ssb_micro_resolution_result resolution; /* generated: the full check; image: tau[0] at h, tau[1] at 2h, rel_tau */
    /* the voxel-size choice of a generated structure (ssb_run_structure; README "Resolution"): start at
       d_CAM / SSB_RUN_VOXELS_ACROSS_CAM (voxel_size_rule), check the ionic (sub-voxel) and electronic taus at h and
       h/2 on a cube of the recipe (netcheck); while a tau changes by more than 5 % and the voxel size is automatic,
       refine h by sqrt(2) (the cross-section keeps its extent in um) up to SSB_RUN_REFINE_MAX times within
       SSB_RUN_AUTO_MAX_VOXELS voxels. A check that still fails (or fails at a forced voxel size) gives a warning. */
    int netcheck_done;              /* the check ran (generated structures) */
    ssb_micro_network_check netcheck; /* the check at the chosen voxel size */
    int voxel_refinements;          /* refinements by sqrt(2) made */
    const char *voxel_choice;       /* "automatic", "automatic, refined", "automatic, budget reached", "forced" */
    /* the ionic network of a generated structure: sub-voxel conductivities of the same spheres (see
       ssb_micro_resolution_networks) as a class grid; NULL for an image (binary labels) */
    ssb_grid *ion_grid;             /* owned; label q conducts ion_sigma[q] */
    double ion_sigma[256];          /* [S/m] */
    int subvoxel;                   /* sub-voxels per edge used (1: binary) */
    /* the electronic network of a generated structure: the labels without false contacts (two particles face to
       face whose spheres do not overlap do not conduct; see ssb_micro_resolution_networks); NULL for an image */
    ssb_grid *el_grid;              /* owned; conductivities of res->grid's phases */
    int64_t el_cut;                 /* voxels taken out of the electronic network */
    ssb_grid *grid;                 /* the structure (owned) */
    int64_t dims[3];                /* voxels (z through the thickness) */
    double voxel_size[3];           /* [m] */
    double extent[3];               /* dims x voxel_size [m] */
    /* stage 2 */
    ssb_micro_fractions fractions;
    ssb_micro_cam_result cam;
    ssb_transport_result ion, el; /* along z; fields not kept */
    /* stage 3: hand-over and where each value comes from */
    double temperature_factor;      /* multiplies the transport conductivities (1: phases evaluated at T) */
    double transport_efficiency;    /* eps / tau of the ionic network, ion.sigma_eff / ion.sigma_bulk: the cell's
                                       positive.transport_efficiency (a liquid's kappa_eff, D_eff) */
    double area_face;               /* active CAM|SE face count per volume [1/m] */
    double area_factor;             /* smooth / face-count area ratio used */
    const char *area_factor_method; /* "marching_cubes_of_structure" or "voxelised_sphere" */
    double area_factor_sphere;      /* the ratio on a voxelised sphere of the mean CAM diameter (always computed) */
    ssb_cell_values values;         /* the values handed to the cell model */
    /* stage 4 */
    ssb_cell_derived derived; /* as used by the model (sigma_i_eff_pos etc.) */
    int nrates;
    double cutoff; /* [V] */
    ssb_cell_rate_point points[SSB_RUN_MAX_RATES];
    ssb_cell_result *curves[SSB_RUN_MAX_RATES]; /* owned */
    /* stage 5: interfaces (ssb_iface_assess_cell on the cell as handed over) */
    int iface;                        /* 1: assessed; 0: skipped (iface_hours 0) or not possible (iface_note says why) */
    ssb_iface_assessment interfaces;  /* stability of cathode|SE and anode|SE, resistance before / after ageing */
    char iface_note[512];             /* why the assessment was not possible ("" otherwise) */
    double time_s[4]; /* wall time of each stage [s]: structure, networks (analysis + transport), hand-over, cell */
    ssb_micro_cam_paths paths; /* stage 2: insertion paths of the active CAM (ssb_micro_cam_paths_compute) */
} ssb_run_result;

/* Initialise res for the stages: copies cell (validated by ssb_run_check first). Errors: those of ssb_run_check,
 * SSB_ERR_NOMEM. */
int ssb_run_init(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *params, ssb_run_result *res);
/* The stages, in order (each needs the previous ones; SSB_ERR_ARG otherwise). On error res keeps what the
 * completed stages measured (res->stage tells how far it got; ssb_run_networks sets stage 2 before it reports
 * SSB_ERR_NOPERC, so the networks can still be reported). Destroy res in every case. */
int ssb_run_structure(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_params *params, ssb_run_result *res);
int ssb_run_networks(ssb_ctx *ctx, const ssb_run_params *params, ssb_run_result *res);
int ssb_run_effective(ssb_ctx *ctx, const ssb_run_params *params, ssb_run_result *res);
int ssb_run_cell(ssb_ctx *ctx, const ssb_run_params *params, ssb_run_result *res);
/* Stage 5: the interface stability of the cell's cathode|SE and anode|SE contacts and their resistance after
 * params->iface_hours of ageing (ssb_iface_assess_cell with the built-in interface data, on the cell as handed
 * over). A cell the data cannot judge sets iface = 0 and iface_note; other errors of the iface module. */
int ssb_run_interfaces(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_params *params, ssb_run_result *res);

/* All of it: init + the five stages (structure, networks and effective only when params->micro; interfaces when
 * params->iface_hours > 0). db: the
 * materials database (NULL: the built-in one); params NULL: defaults. Destroy res in every case (see above). */
int ssb_run(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *params,
            ssb_run_result *res);
/* Free what res owns and zero it. NULL-safe. */
void ssb_run_result_destroy(ssb_run_result *res);

/* Plots of a finished run (stage 4) into outdir: voltage_curves, rate_capability and overpotential_breakdown
 * (.png, or .svg without the PNG driver), each written atomically. written (optional, n bytes) receives the
 * comma-separated file names. Errors: those of ssb_plot_save (SSB_ERR_IO, SSB_ERR_UNSUPPORTED, ...). Not
 * thread-safe (PLplot, see ssb_plot.h). */
int ssb_run_write_plots(ssb_ctx *ctx, const ssb_run_result *res, const char *outdir, char *written, size_t n);

/* Descriptions of the chain's result types for the report writers (ssb_report.h): rows are
 * ssb_transport_result (TRANSPORT), ssb_cell_rate_point (RATE_POINT) and ssb_run_result (HANDOVER: every value
 * handed to the cell model next to its source). NULL for an invalid kind. */
typedef enum {
    SSB_RUN_REPORT_TRANSPORT = 0,
    SSB_RUN_REPORT_RATE_POINT,
    SSB_RUN_REPORT_HANDOVER,
    SSB_RUN_REPORT_CAM, /* ssb_micro_cam_result: active and dead CAM, CAM|SE areas, network percolation */
    SSB_RUN_REPORT_COUNT
} ssb_run_report_kind;
const ssb_report_type *ssb_run_report_type(ssb_run_report_kind k);

/* The density keys a stack energy density needs and the cell lacks (a comma-separated list into buf): Wh/kg is
 * NaN exactly when one is missing. Returns 1 if any is missing, else 0. */
int ssb_run_missing_densities(const ssb_cell_values *v, char *buf, size_t n);

/* Validation of a cell and params for the chain (see the header comment). SSB_OK, or the error naming the key. */
int ssb_run_check(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *params);
/* The cell part of that validation, for every command that runs a cell (`cell run|rates` too): the cell model's
 * own checks (ssb_cell_create: a missing key is named), a composite electrode thinner than its particle diameter
 * (SSB_ERR_RANGE naming "positive.thickness_um" and the value), and warnings for an electrode under 5 um or over
 * 2 mm, particles outside 0.02 to 100 um, a separator outside 1 um to 2 mm, a temperature outside 200 to 500 K.
 * ocv_init (optional) receives the open-circuit voltage of the initial state [V]. */
int ssb_run_check_cell(ssb_ctx *ctx, const ssb_cell_params *cell, double *ocv_init);

/* The cathode to generate for a cell: composition from the cell's positive electrode, recipe from params, z
 * spanning the thickness. Errors: SSB_ERR_RANGE (composition, or a structure too thin / too large). */
int ssb_run_cathode_from_cell(ssb_ctx *ctx, const ssb_cell_values *cell, const ssb_run_params *params,
                              ssb_run_cathode *c);
/* The generator's parameters of that cathode (phases labelled SSB_RUN_LABEL_*, tolerance 0.01). */
ssb_micro_electrode_params ssb_run_cathode_electrode_params(const ssb_run_cathode *c);
/* Generate that cathode (phases labelled SSB_RUN_LABEL_*), conductivities from db at temperature T [K]. Caller
 * owns *grid. gen (optional) receives the generator's outcome. Errors of the generator and of the db. */
int ssb_run_generate_cathode(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_cathode *c, double T, ssb_grid **grid,
                             ssb_micro_electrode_result *gen);
/* Conductivities of every phase of g from the materials database at T [K] (one rule for every command):
 * pores 0; SE, GB and coating phases sigma_ion = ssb_materials_sigma_ion(TOTAL, T) (else the record's sigma_ion);
 * where a phase with role gb resolves the grain boundaries (a polycrystal), the SE phases take BULK and the GB
 * phase GB (of its own record, else of the grid's one SE phase), each where the record has it, else as above;
 * active and carbon phases sigma_el from the record. A phase is looked up by its material name, else its name;
 * a phase that is not in the database keeps its values and is counted in *n_unknown (optional).
 * A reported range [a, b] gives its geometric mean. Errors: SSB_ERR_ARG, errors of the db. */
int ssb_run_assign_materials(ssb_ctx *ctx, const ssb_materials *db, ssb_grid *g, double T, int *n_unknown);
/* Face-count / smooth-area factor measured on a sphere of the given diameter [m] voxelised at voxel size h [m]:
 * 4 pi r^2 / (face count), averaged over 8 sub-voxel centre offsets. Errors: SSB_ERR_RANGE (d < 2 h or
 * d > 100 h). */
int ssb_run_sphere_area_factor(ssb_ctx *ctx, double diameter, double h, double *factor);

/* The self-contained HTML report of a finished run (stage 4) at path, written atomically (ssb_html.h): the
 * structure's transport and CAM tables, two slices coloured by network class (active / dead CAM by cause,
 * percolating Li+ and e- networks; when a structure was measured), the hand-over, the rate points, and the plots
 * of ssb_run_write_plots as inline SVG plus a Ragone plot of the sustained rates. Thread-safe (no PLplot).
 * Errors: SSB_ERR_ARG (no cell results), those of ssb_html.h. */
int ssb_run_write_html(ssb_ctx *ctx, const ssb_run_result *res, const char *path);

#ifdef __cplusplus
}
#endif
#endif
