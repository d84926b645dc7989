/*
 * ssb_design_opt.h - design optimisation (issue 12, `ssbnet design optimise`): maximise (or minimise) a metric of
 * the cell at one C-rate over continuous design variables within bounds, under constraints on other metrics, with
 * NLopt (https://nlopt.readthedocs.io), derivative-free.
 *
 * A design is the base cell (ssb_cell_params) and run params (ssb_run_params) with the variables set by name:
 *   - cell keys in their JSON units (ssb_cell_params_set): "positive.thickness_um", "positive.active_volume_fraction"
 *     (the CAM volume fraction), "separator.thickness_um", "positive.particle_radius_um", ...;
 *   - microstructure keys of the run's cell-file block (ssb_run_params_from_json_string): "microstructure.X"
 *     for a numeric key X, e.g. "microstructure.overlap" (used when params.run.micro is 1);
 *   - "stack_pressure_MPa": the stack pressure of a Li-metal anode (ssb_design_eval_params.stack_pressure), which
 *     sets the critical stripping current and the Li contact fraction; it changes no energy metric.
 * Each design is evaluated by ssb_design_evaluate (ssb_design.h: the chain of ssb_run at the C-rate, the Li-metal
 * anode under the stack pressure, and only where a metric in use needs them, the power ladder and the interface
 * ageing); its metrics are those of ssb_design.h (ssb_design_metric_at: names are JSON keys with the unit, e.g.
 * energy_Wh_per_kg, power_W_per_kg, capacity_mAh_per_cm2, critical_stripping_current_mA_per_cm2,
 * stack_pressure_MPa). A metric the evaluation did not compute (power ladder or ageing not needed) is NaN.
 *
 * Algorithm (ssb_design_optimise): (1) a global stage: a full grid of grid_points per variable (at most
 * max_grid designs; fewer per variable when over), evaluated in parallel with OpenMP, one context per thread;
 * (2) a local stage from the best feasible grid point (the least infeasible when none is): NLopt's COBYLA
 * (LN_COBYLA: bounds and inequality constraints, derivative-free) in variables scaled to [0, 1], up to max_evals
 * evaluations, stopping when a step is under xtol_rel of each variable's range; (3) the sensitivity of the
 * objective at the optimum: central differences of step fd_step (fraction of each variable's range; one-sided at
 * a bound), normalised as (dObj/dx) (x / Obj) (elasticity), the 2 n evaluations in parallel. A constraint is active when its slack is under
 * active_tol x max(1, |bound|). Every evaluation is kept (for the Ragone plot of the designs).
 * A design the cell model cannot run (out-of-range composition, a cell that fails to start) is infeasible with its
 * reason, not an error; the optimisation fails (SSB_ERR_RANGE naming the constraint and its best value) only when
 * no evaluated design satisfies the constraints, and with SSB_ERR_UNSUPPORTED when no design gives the objective
 * (a metric this cell or its data cannot give, NaN).
 *
 * Thread-safety: one call uses its own contexts per thread; db and the base cell are only read.
 */
#ifndef SSB_DESIGN_OPT_H
#define SSB_DESIGN_OPT_H

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSB_DESIGN_MAX_VARS 8
#define SSB_DESIGN_MAX_CONS 8
#define SSB_DESIGN_OPT_MAX_METRICS 40 /* >= ssb_design_metric_count() */

/* Index of a metric in the table of ssb_design.h (ssb_design_metric_at) by name; the rate-point keys of `ssbnet run`,
 * energy_density_Wh_per_kg and energy_density_Wh_per_L, name the stack energies. SSB_ERR_NOTFOUND with the closest
 * names. */
int ssb_design_opt_metric_parse(ssb_ctx *ctx, const char *name, int *metric);

typedef struct {
    char name[SSB_DESIGN_NAME_LEN]; /* key (see above) */
    double lo, hi;                  /* bounds in the key's units, lo < hi */
} ssb_design_var;

typedef struct {
    int metric;   /* index into ssb_design_metric_at */
    int upper;    /* 0: metric >= bound, 1: metric <= bound */
    double bound; /* in the metric's units */
} ssb_design_constraint;

/* Parse "NAME=LO:HI" (SSB_ERR_ARG for a missing '=' or ':' or a malformed number, naming the text; SSB_ERR_RANGE
 * for LO >= HI or non-finite bounds). The name is not checked here (ssb_design_optimise does). */
int ssb_design_var_parse(ssb_ctx *ctx, const char *text, ssb_design_var *v);
/* Parse "METRIC>=VALUE" or "METRIC<=VALUE" (SSB_ERR_ARG malformed, SSB_ERR_NOTFOUND unknown metric). */
int ssb_design_constraint_parse(ssb_ctx *ctx, const char *text, ssb_design_constraint *c);

typedef struct {
    int nvars;                               /* 1..SSB_DESIGN_MAX_VARS */
    ssb_design_var vars[SSB_DESIGN_MAX_VARS];
    int objective;                           /* metric index [energy_Wh_per_kg] */
    int minimise;                            /* [0: maximise] */
    int ncons;                               /* 0..SSB_DESIGN_MAX_CONS [0] */
    ssb_design_constraint cons[SSB_DESIGN_MAX_CONS];
    double rate;                             /* C-rate [1/h] [1], (0, 100] */
    double pressure;                         /* stack pressure [Pa] when not a variable [1e6], 0 to 1e8 */
    ssb_run_params run;                      /* [ssb_run_params_default() with micro 0]; iface_hours is used only
                                                when a metric in use needs the ageing */
    int grid_points;                         /* per variable in the global stage [5], 2..50 */
    int max_grid;                            /* designs in the global stage at most [400], 4..100000 */
    int max_evals;                           /* local-stage evaluations [60], 0..10000 */
    double xtol_rel;                         /* step tolerance, fraction of each range [1e-5], (0, 0.5] */
    double fd_step;                          /* [0.02], (0, 0.25] */
    double active_tol;                       /* [0.01], (0, 1) */
} ssb_design_opt_params;
ssb_design_opt_params ssb_design_opt_params_default(void);

/* One evaluated design. */
typedef struct {
    double x[SSB_DESIGN_MAX_VARS];
    double metric[SSB_DESIGN_OPT_MAX_METRICS]; /* by index of ssb_design_metric_at (NaN: not computed) */
    int ok;       /* the design ran (a sweep point exists) */
    int feasible; /* ok and every constraint holds */
    double violation; /* sum of the constraint violations in units of max(1, |bound|) (0 when feasible) */
    int stage;    /* 0 grid, 1 local, 2 sensitivity */
    char reason[160]; /* why not ok ("" otherwise) */
} ssb_design_eval;

typedef struct {
    int nvars;
    double x[SSB_DESIGN_MAX_VARS];          /* the optimum */
    double objective;                       /* the objective at the optimum */
    double metric[SSB_DESIGN_OPT_MAX_METRICS]; /* every metric at the optimum */
    int nactive;                            /* active constraints (indices into params.cons) */
    int active[SSB_DESIGN_MAX_CONS];
    int at_bound[SSB_DESIGN_MAX_VARS];      /* -1 at lo, +1 at hi, 0 inside (within 1e-3 of the range) */
    double sensitivity[SSB_DESIGN_MAX_VARS]; /* (dObj/dx)(x/Obj) at the optimum (NaN when not computable) */
    double dobj_dx[SSB_DESIGN_MAX_VARS];    /* dObj/dx [objective unit per variable unit] */
    int nevals;                             /* evaluations (grid + local + sensitivity) */
    int ngrid, nlocal;
    ssb_design_eval *evals;                 /* [nevals], owned */
    int nlopt_result;                       /* NLopt's return code of the local stage (0: not run) */
    int local_status;                       /* ssb_design_opt_status: whether the local stage converged */
    double time_s;
} ssb_design_opt_result;

/* How the local stage ended. CONVERGED: COBYLA's step fell under xtol_rel of each range (or its objective tolerance
 * was met); MAX_EVALS: it stopped at max_evals evaluations without converging; SKIPPED: max_evals 0 (the grid
 * alone); FAILED: NLopt gave up (round-off or an internal failure). In every case the optimum is the best design
 * evaluated; only CONVERGED says it is a local optimum to the step tolerance. */
typedef enum {
    SSB_DESIGN_OPT_SKIPPED = 0,
    SSB_DESIGN_OPT_CONVERGED = 1,
    SSB_DESIGN_OPT_MAX_EVALS = 2,
    SSB_DESIGN_OPT_FAILED = 3
} ssb_design_opt_status;
/* "skipped", "converged", "max_evals", "failed" (the JSON values of `design optimise`); NULL out of range. */
const char *ssb_design_opt_status_name(int status);

/* Validate (every variable name settable on base: unknown -> SSB_ERR_NOTFOUND naming the closest keys; duplicate
 * -> SSB_ERR_ARG; bounds -> SSB_ERR_RANGE; a bound the cell refuses -> SSB_ERR_RANGE naming key and value), then
 * optimise. db: NULL for the built-in database. res: destroy with ssb_design_opt_result_destroy in every case. */
int ssb_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                        const ssb_design_opt_params *params, ssb_design_opt_result *res);
void ssb_design_opt_result_destroy(ssb_design_opt_result *res);

/* One design: base with the variables at x, through the chain at params->rate. Not ok is not an error (e->ok 0,
 * e->reason); errors: SSB_ERR_NOMEM, SSB_ERR_NOTFOUND / SSB_ERR_RANGE for a variable name or value refused. */
int ssb_design_opt_evaluate(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                            const ssb_design_opt_params *params, const double *x, ssb_design_eval *e);

/* Report of an optimisation: a self-contained HTML page (ssb_html.h) with the optimum, the metrics, the
 * constraints, the sensitivities (bar chart) and the Ragone plot of every evaluated design (power density against
 * specific energy at the rate; grid, COBYLA and sensitivity designs as series, the optimum marked); and the same
 * Ragone plot as PNG (or SVG by the extension) through PLplot (ssb_plot.h; not thread-safe). Both atomic.
 * Errors: SSB_ERR_ARG (no result), SSB_ERR_RANGE (no design ran), those of the writers. */
int ssb_design_opt_write_html(ssb_ctx *ctx, const ssb_design_opt_params *params, const ssb_design_opt_result *res,
                              const char *path);
int ssb_design_opt_write_ragone(ssb_ctx *ctx, const ssb_design_opt_params *params,
                                const ssb_design_opt_result *res, const char *path);

#ifdef __cplusplus
}
#endif
#endif
