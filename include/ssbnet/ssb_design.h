/*
 * ssb_design.h - interface strategies as named, parameterised modifiers of a cell, the figures designs are ranked
 * on, and the comparison of strategies (issue 12; `ssbnet design list|compare`, and `design optimise` on top).
 *
 * ---------------------------------------------------------------------------------------------------------------
 * A design case is what a strategy modifies: the cell (ssb_cell_params: cell JSON keys), the chain's options
 * (ssb_run_params: the microstructure recipe) and the evaluation's conditions (ssb_design_eval_params: stack
 * pressure, the anode's mechanical record, a cathode coating, the SE's electronic conductivity factor). Strategies
 * act only through the library's own setters (ssb_cell_params_set / set_values, ssb_run_params_from_json_string),
 * so a strategy needing a key the library does not have is refused at run time (ssb_design_strategy_available:
 * "unavailable" with the refusal as the reason) and lights up when the key arrives.
 *
 * Evaluation (ssb_design_evaluate): one cell through the chain of ssb_run.h (structure -> networks -> effective
 * properties -> cell -> interfaces), then:
 *   - at the target C-rate: capacity, specific capacity, energy, stack energy density (Wh/kg, Wh/L; NaN where a
 *     density is missing), mean voltage, the overpotential breakdown (discharge mean) and its bottleneck;
 *   - power capability: the highest C-rate of the ladder ssb_design_eval_params.power_rates (ascending, stopping at
 *     the first failure) whose capacity is at least power_retention (0.8) of the capacity at ref_rate (C/10);
 *   - Li-metal anode under the stack pressure (ssb_mech, FORMULAS-interfaces.md 5.2): the critical stripping current
 *     CCS(p, T) = j_vac + j_creep(p, T, 1) of the anode's mechanics record, the contact fraction after
 *     eval.li_hours of stripping at the target-rate current, and the effective plating CCD of the separator's SE
 *     (plating CCD - electronic leakage, the SE's sigma_e divided by se_sigma_e_factor). A composite anode or an
 *     anode without mechanics data: ccs_available = 0 and ccs_note says why;
 *   - cycle-life proxy: the cathode|SE and anode|SE resistances after run.iface_hours of ageing at the top-of-charge
 *     potential (stage 5; with a coating through the iface coating model, ssb_design_coated_resistance), and the
 *     capacity retention at the target rate of the cell with those aged resistances (one more discharge).
 *     Without interface data: aged_available = 0 and aged_note says why.
 * Every figure handed on is stored next to its source (tests/unit/test_design.c compares them).
 *
 * Metric names are JSON keys (display units in the name, as everywhere in ssbnet) and the names `design optimise`
 * takes for objectives and constraints: ssb_design_metric_count / _at / _value.
 *
 * Comparison (ssb_design_compare): the baseline first, then each strategy applied to the baseline case; a variant
 * whose structure recipe, conductivities and temperature equal the baseline's reuses the baseline's measured
 * structure and effective properties (reused = 1), others run the whole chain. Variants run in parallel (OpenMP,
 * one context each); the result is deterministic for a seed at a given thread count (across thread counts the
 * marching-cubes area of the micro module differs in the last bits, so figures agree to ~1e-12). Ranked by stack Wh/kg at
 * the target rate (areal energy where densities are missing), ties broken by power capability, critical stripping
 * current and aged capacity retention; failures last; and by each criterion alone.
 *
 * Units: SI inside. Thread-safety: separate contexts may evaluate concurrently; the materials db is only read.
 * ---------------------------------------------------------------------------------------------------------------
 */
#ifndef SSB_DESIGN_H
#define SSB_DESIGN_H

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSB_DESIGN_NAME_LEN 96
#define SSB_DESIGN_NOTE_LEN 640
#define SSB_DESIGN_MAX_POWER_RATES 12
#define SSB_DESIGN_MAX_PARAMS 4

/* ============================================================================================ evaluation */

/* Conditions of an evaluation. Defaults (ssb_design_eval_params_default) in brackets. */
typedef struct {
    double rate;            /* target C-rate [1], (0, 100] */
    double ref_rate;        /* reference C-rate of the power capability [0.1], (0, rate] */
    double power_retention; /* capacity fraction of the reference kept at the power rate [0.8], (0, 1) */
    int npower;             /* rungs of the power ladder [7] (0: no power capability) */
    double power_rates[SSB_DESIGN_MAX_POWER_RATES]; /* ascending C-rates [0.2, 0.5, 1, 2, 3, 5, 10] */
    double stack_pressure;  /* [Pa] [1e6], 0 to 1e8 */
    char anode_mech[SSB_DESIGN_NAME_LEN]; /* mechanics record of the Li-metal anode ["Li"] (data/iface/mechanics.json) */
    double li_hours;        /* stripping horizon of the contact fraction [h] [1], > 0 */
    double se_sigma_e_factor; /* the separator SE's electronic conductivity is divided by this [1], 1 to 1e8 */
    ssb_iface_coating coating; /* cathode CAM coating [none: ssb_iface_coating_default()] */
    int aged_discharge;     /* 1: discharge the aged cell for the capacity retention [1] */
} ssb_design_eval_params;

ssb_design_eval_params ssb_design_eval_params_default(void);

/* Figures a design is ranked on. NaN where not available (see the flags and notes). */
typedef struct {
    double rate;              /* target C-rate */
    int sustained;            /* the target rate ran to the cut-off */
    double capacity;          /* at the target rate [C/m2] */
    double specific_capacity; /* per mass of positive active material [C/kg] */
    double energy;            /* [J/m2] */
    double v_mean;            /* [V] */
    double wh_per_kg, wh_per_l; /* stack energy densities [Wh/kg] (NaN: a mass density is missing), [Wh/L] */
    ssb_cell_loss bottleneck;   /* largest mean loss at the target rate */
    double bottleneck_loss;     /* [V] */
    ssb_cell_breakdown breakdown; /* mean overpotential breakdown of the target-rate discharge */
    /* power capability */
    double ref_capacity; /* capacity at ref_rate [C/m2] */
    double power_rate;   /* highest ladder C-rate keeping power_retention of ref_capacity (0: none; NaN: not run) */
    /* Li-metal anode */
    int ccs_available;
    double pressure;             /* stack pressure [Pa] */
    double ccs;                  /* critical stripping current [A/m2] */
    double li_contact_fraction;  /* after li_hours of stripping at the target current */
    double ccd_effective;        /* plating CCD - electronic leakage [A/m2] (NaN: no plating CCD data) */
    double current;              /* target-rate current density [A/m2] */
    char ccs_note[SSB_DESIGN_NOTE_LEN];
    /* cycle-life proxy */
    int aged_available;
    double hours;                         /* ageing time [h] */
    double R_pos_initial, R_pos_aged;     /* cathode|SE [ohm m2 of active interface] (with the coating) */
    double R_neg_initial, R_neg_aged;     /* anode|SE [ohm m2] */
    double capacity_aged;                 /* target rate with the aged resistances [C/m2] */
    double retention_aged;                /* capacity_aged / capacity */
    char aged_note[SSB_DESIGN_NOTE_LEN];
    /* structure (micro = 0: the cell's own Bruggeman relations; these NaN) */
    int micro;
    double active_fraction;   /* active CAM fraction [-] */
    double tau_ion;           /* ionic tortuosity factor of the composite [-] */
    double sigma_i_eff, sigma_e_eff; /* handed to the cell [S/m] */
    double area_per_volume;   /* active CAM|SE area per volume handed to the cell [1/m] */
    double time_s;            /* wall time of the evaluation [s] */
} ssb_design_metrics;

/* One cell through the chain and the figures above. db NULL: the built-in database; rp NULL: run defaults (its
 * rates are replaced by the ones needed); ep NULL: defaults. Errors: those of ssb_run (SSB_ERR_RANGE naming the key,
 * SSB_ERR_NOPERC for a structure that does not percolate, ...), SSB_ERR_RANGE for eval params out of range. */
int ssb_design_evaluate(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                        const ssb_design_eval_params *ep, ssb_design_metrics *m);

/* The same on a structure measured before: base is a run result that completed stage 3 (its hand-over values
 * replace the cell's eps_*, porosity, sigma_i_eff, sigma_e_eff and area_per_volume of the positive composite, every
 * other key stays cell's own), or NULL / not measured: the cell's own Bruggeman relations. Compare uses it to reuse
 * the baseline's structure for a modified cell with the same recipe. base is only read. */
int ssb_design_evaluate_on(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                           const ssb_run_result *base, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                           ssb_design_metrics *m);

/* Check eval params (SSB_ERR_RANGE naming the field, value and range). */
int ssb_design_eval_params_check(ssb_ctx *ctx, const ssb_design_eval_params *ep);

/* Cathode|SE resistance [ohm m2 of active interface] of the cell's positive contact, fresh and after `hours` at the
 * top-of-charge potential and cell temperature, with the coating c (NULL or thickness 0: bare) through the iface
 * coating model (ssb_iface_state_*), growth law from the interphase database. Bare, it equals stage 5 of ssb_run
 * (ssb_iface_assess_cell). A pair without a record does not age (R_add 0). The cell's own R_interface is included
 * in both. Errors: SSB_ERR_NOTFOUND (cell without material names), errors of the coating check. */
int ssb_design_coated_resistance(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *idb,
                                 const ssb_cell_params *cell, const ssb_iface_coating *c, double hours, double *R0,
                                 double *R_aged);

/* ------------------------------------------------------------------------------------------------ metrics */
/* Sense of a metric for ranking and optimisation: +1 larger is better, -1 smaller is better, 0 neither. */
typedef struct {
    const char *name;    /* JSON key, e.g. "energy_Wh_per_kg" */
    const char *label;   /* readable, for tables */
    const char *unit;    /* display unit ("-" for none) */
    int sense;
} ssb_design_metric_info;
int ssb_design_metric_count(void);
const ssb_design_metric_info *ssb_design_metric_at(int i); /* NULL out of range */
/* Value of a metric in its display unit (the key's). SSB_ERR_NOTFOUND for an unknown name (closest in the
 * message); the value may be NaN (not available: check the note of m). */
int ssb_design_metric_value(ssb_ctx *ctx, const ssb_design_metrics *m, const char *name, double *value);

/* ============================================================================================ strategies */

typedef struct {
    const char *name;      /* e.g. "thickness_nm" */
    const char *unit;      /* display unit of lo, hi, neutral, deflt */
    double lo, hi;         /* valid range */
    double neutral;        /* the value at which the strategy changes nothing (zero strength) */
    double deflt;          /* default strength */
    const char *meaning;
} ssb_design_param;

typedef struct {
    const char *name;      /* e.g. "coating" */
    const char *title;     /* short readable title */
    const char *mechanism; /* how it acts in ssbnet (the physics it goes through) */
    const char *sources;   /* citations */
    int reuses_structure;  /* 1: acts on the cell model only (compare reuses the baseline's structure) */
    int nparams;
    ssb_design_param params[SSB_DESIGN_MAX_PARAMS];
} ssb_design_strategy;

int ssb_design_strategy_count(void);
const ssb_design_strategy *ssb_design_strategy_at(int i); /* NULL out of range */
/* Index of a strategy by name; SSB_ERR_NOTFOUND with the closest name in the message. */
int ssb_design_strategy_find(ssb_ctx *ctx, const char *name, int *index);
/* Whether the physics the strategy acts through exists in this build and data (a run-time probe: its keys are
 * applied to a copy of the built-in cell); reason (n bytes) says why not. Returns 1 available, 0 not. */
int ssb_design_strategy_available(ssb_ctx *ctx, const ssb_materials *db, int index, char *reason, size_t n);

/* What a strategy modifies. The cell is owned (ssb_design_case_destroy). */
typedef struct {
    ssb_cell_params *cell;
    ssb_run_params run;
    ssb_design_eval_params eval;
} ssb_design_case;
/* A deep copy of cell with rp and ep (NULL: defaults). */
int ssb_design_case_create(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *rp,
                           const ssb_design_eval_params *ep, ssb_design_case *dc);
void ssb_design_case_destroy(ssb_design_case *dc);

/* Apply strategy `index` with parameter values v[nparams] in their display units (NULL, or NaN entries: the default
 * strength) to dc. SSB_ERR_RANGE naming the strategy, parameter, value and range; SSB_ERR_UNSUPPORTED when the
 * strategy is not available (the reason); errors of the setters (dc unchanged on error). */
int ssb_design_strategy_apply(ssb_ctx *ctx, const ssb_materials *db, int index, const double *v, ssb_design_case *dc);

/* ============================================================================================ comparison */

/* Ranking criteria, in order: stack energy at the target rate (areal energy where densities are missing), power
 * capability, critical stripping current, capacity retention with the aged interfaces (larger is better each). */
#define SSB_DESIGN_NCRITERIA 4
const char *ssb_design_criterion_name(int c); /* the metric key of criterion c, NULL out of range */

typedef struct {
    int strategy;                        /* index (-1: the baseline) */
    double values[SSB_DESIGN_MAX_PARAMS]; /* NaN: default strength */
} ssb_design_choice;

typedef struct {
    char name[SSB_DESIGN_NAME_LEN]; /* "baseline" or the strategy's name */
    int strategy;                   /* -1 for the baseline */
    double values[SSB_DESIGN_MAX_PARAMS]; /* parameter values used (display units) */
    int ok;                         /* 0: the variant failed (error, error_code) */
    int error_code;
    char error[SSB_DESIGN_NOTE_LEN];
    int reused;                     /* reused the baseline's structure */
    int rank;                       /* 1 = best: by energy, ties by the other criteria in order; failures last */
    int rank_by[SSB_DESIGN_NCRITERIA]; /* rank by each criterion alone (equal values share a rank) */
    ssb_design_metrics m;
    int owner;     /* the share (MPI rank or job-array shard) that evaluates it; 0 in a one-process comparison */
    int evaluated; /* 1: the figures above are this comparison's; 0: another shard's (ssb_design_compare_shard) */
} ssb_design_variant;

typedef struct {
    int n;
    ssb_design_variant *v; /* v[0] is the baseline */
    int shard, nshards;    /* this share of the variants: 0 of 1 for a whole comparison */
    uint64_t digest;       /* identity of the inputs (FNV-1a 64 over the baseline cell's values, the run and
                              evaluation params and each variant's strategy and parameter values); equal for every
                              shard of one comparison. Functions of the cell (OCV, D_s(x) expressions or tables)
                              are not in it: a caller that has them as text mixes them in (ssb_design_digest_mix). */
} ssb_design_comparison;

/* db: the materials database (required). Baseline (cell, rp, ep) and each choice applied to it (choices must be available: SSB_ERR_UNSUPPORTED names the
 * first that is not; parameters out of range: SSB_ERR_RANGE; both before anything runs). An available strategy that
 * cannot act on this cell (its set-up fails with SSB_ERR_NOTFOUND / SSB_ERR_UNSUPPORTED, e.g. gb_insulation on an SE
 * without a mechanics record) is not evaluated: ok 0, error_code SSB_ERR_UNSUPPORTED, error "not applicable to this
 * cell: <reason>". A baseline that fails is
 * an error (its error); a variant that fails is reported in its ok / error fields. progress: stage "design
 * variants" (done / total). Caller destroys out (ssb_design_comparison_destroy). */
int ssb_design_compare(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                       const ssb_design_eval_params *ep, int nchoices, const ssb_design_choice *choices,
                       ssb_design_comparison *out);
/* The same with the baseline's structure already measured (measured: a run result of cell that completed stage 3,
 * e.g. of ssb_run, with rp's recipe; borrowed, only read): variants with the same recipe reuse it, the others run
 * the whole chain. `ssbnet run` ranks the cell-level strategies this way without measuring again. */
int ssb_design_compare_on(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                          const ssb_run_result *measured, const ssb_run_params *rp, const ssb_design_eval_params *ep,
                          int nchoices, const ssb_design_choice *choices, ssb_design_comparison *out);
void ssb_design_comparison_destroy(ssb_design_comparison *out);

/* ------------------------------------------------------------------------ shares: job arrays and MPI ranks
 * A comparison split into nshards shares that run anywhere (a SLURM array, separate machines) and are merged
 * afterwards into exactly the comparison of ssb_design_compare. Each variant is an independent evaluation from the
 * same inputs, so which process runs it does not change its figures: the merge is bit for bit the one-process
 * result at the same OpenMP thread count per process (across thread counts the baseline's measured structure differs
 * in the last bits, as for ssb_design_compare itself). Shares are balanced statically by expected cost
 * (longest first onto the least loaded share; a variant that measures its own structure counts
 * SSB_DESIGN_COST_STRUCTURE + 1, one on the baseline's structure 1); every share that evaluates the baseline or a
 * variant reusing its structure measures that structure itself. The distributed form over MPI ranks is
 * ssb_dist_design_compare (ssb_dist.h). */
/* Expected cost of measuring a structure in units of one cell evaluation, measured: the default cell with a 48 x 48
 * voxel cross-section (60 um, 150 planes) took 2.7-3.1 s per structure-measuring variant and 0.075-0.095 s per
 * variant on the baseline's structure (one thread each); larger cross-sections raise the ratio (the cell's cost does
 * not grow), which changes the balance only where the structures already dominate. */
#define SSB_DESIGN_COST_STRUCTURE 30.0

/* Which share evaluates each of the n = nchoices + 1 variants: owner[n] (0 <= owner < nshards), the same on every
 * process for the same arguments. reused[i]: variant i runs on the baseline's structure (v[i].reused; reused[0], the
 * baseline, counts as such). preload: cost already on share 0. preload > 0 means the baseline's structure is measured
 * on share 0 and handed to the others (the distributed form passes SSB_DESIGN_COST_STRUCTURE), so a variant on it
 * costs 1 anywhere; preload 0 (shards) means every share measures it for itself: its first such variant costs
 * 1 + SSB_DESIGN_COST_STRUCTURE. Worked examples in tests/unit/test_design_dist.c. */
void ssb_design_shard_owners(int n, const int *reused, int nshards, double preload, int *owner);

/* Share `shard` (0 <= shard < nshards <= SSB_DESIGN_MAX_SHARDS) of ssb_design_compare: every variant's name, strategy,
 * values, reused flag and owner are filled; only the share's own variants are evaluated (evaluated = 1); ranks are
 * not assigned (0). Same arguments and errors as ssb_design_compare, plus SSB_ERR_RANGE for a shard out of range.
 * A baseline that fails is an error only in the share that evaluates it. Caller destroys out. */
#define SSB_DESIGN_MAX_SHARDS 1024
int ssb_design_compare_shard(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell,
                             const ssb_run_params *rp, const ssb_design_eval_params *ep, int nchoices,
                             const ssb_design_choice *choices, int shard, int nshards, ssb_design_comparison *out);

/* The whole comparison from the nparts shares of ssb_design_compare_shard (in any order; names[i]: what to call part
 * i in messages, e.g. its file; NULL: "part I"): the variants of each share taken from it, then ranked as
 * ssb_design_compare ranks. Errors, naming the parts: SSB_ERR_ARG parts of different inputs (digest, number of
 * variants or shares, a variant's name) or a part whose variant is not evaluated by its owner; SSB_ERR_RANGE a share
 * missing or given twice; the baseline's own error when it failed. out is a new comparison (caller destroys). */
int ssb_design_comparison_merge(ssb_ctx *ctx, int nparts, const ssb_design_comparison *parts,
                                const char *const *names, ssb_design_comparison *out);

/* FNV-1a 64 of n bytes continued from d (d = 0: from the offset basis): what a caller mixes into
 * ssb_design_comparison.digest. */
uint64_t ssb_design_digest_mix(uint64_t d, const void *bytes, size_t n);

/* The comparison as one self-contained HTML page at path (ssb_html.h, written atomically): the ranked table, the
 * stack energy per variant (id "energy"), the mean overpotentials of each variant's target-rate discharge
 * ("overpotential-breakdown") and the variants on a Ragone plot ("ragone"). title NULL: "ssbnet design compare".
 * Errors: SSB_ERR_ARG, those of ssb_html.h. Thread-safe. */
int ssb_design_comparison_write_html(ssb_ctx *ctx, const ssb_design_comparison *c, const char *title,
                                     const char *path);

#ifdef __cplusplus
}
#endif
#endif
