/* Private structures of the cell module. */
#ifndef SSB_CELL_IMPL_H
#define SSB_CELL_IMPL_H

#include <ssbnet/ssb_cell.h>

#include "core_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

/* ------------------------------------------------------------------ expressions (cell_expr.c) */

typedef struct ssbi_expr ssbi_expr;
/* Compile a Python-syntax expression in the variable x (and the alias var, may be NULL). what labels messages.
 * SSB_ERR_ARG "<what>: <problem> at column C ('word')". */
int ssbi_expr_compile(ssb_ctx *ctx, const char *text, const char *var, const char *what, ssbi_expr **e);
void ssbi_expr_destroy(ssbi_expr **e);
int ssbi_expr_copy(ssb_ctx *ctx, const ssbi_expr *src, ssbi_expr **dst);
/* Value and derivative at x (NaN for a domain error such as log of a negative number). */
double ssbi_expr_eval(const ssbi_expr *e, double x, double *dfdx);
const char *ssbi_expr_text(const ssbi_expr *e);

/* ------------------------------------------------------------------ functions (cell_fn.c) */

typedef enum { SSBI_FN_NONE = 0, SSBI_FN_CONST, SSBI_FN_EXPR, SSBI_FN_TABLE } ssbi_fn_kind;

typedef struct {
    ssbi_fn_kind kind;
    double c;            /* constant */
    ssbi_expr *expr;     /* owned */
    int n;               /* table */
    double *x, *y, *d;   /* owned; d: PCHIP slopes */
    int *idx, nidx;      /* owned; uniform bucket -> first table interval (O(1) lookup) */
    double inv_h;        /* buckets per unit x */
    double x_min, x_max; /* validity (NaN: none) */
    int logy;            /* table in ln y (y > 0): PCHIP through ln y, held at its end values outside the table */
    char source[160];    /* description for messages */
} ssbi_fn;

void ssbi_fn_clear(ssbi_fn *f);
int ssbi_fn_copy(ssb_ctx *ctx, const ssbi_fn *src, ssbi_fn *dst);
int ssbi_fn_set_table(ssb_ctx *ctx, ssbi_fn *f, int n, const double *x, const double *y, const char *what);
/* A table of a positive quantity that varies over orders of magnitude (D_s(x), sigma_e(x)): PCHIP in ln y, so that
 * it is positive, exact at the points and geometric between them, held at the end values outside the table.
 * SSB_ERR_RANGE naming the point for y <= 0. */
int ssbi_fn_set_table_log(ssb_ctx *ctx, ssbi_fn *f, int n, const double *x, const double *y, const char *what);
int ssbi_fn_set_expr(ssb_ctx *ctx, ssbi_fn *f, const char *text, const char *var, const char *what);
/* Sample a database OCV curve adaptively into a table. */
int ssbi_fn_from_material_ocv(ssb_ctx *ctx, ssbi_fn *f, const ssb_material *m, int curve);
static inline int ssbi_fn_set(const ssbi_fn *f)
{
    return f->kind != SSBI_FN_NONE;
}
/* Value and derivative (dfdx may be NULL). */
double ssbi_fn_eval(const ssbi_fn *f, double x, double *dfdx);

/* ------------------------------------------------------------------ parameters (cell_params.c, cell_json.c) */

typedef struct {
    char name[64];
    int n;
    double *t, *I, *V;
} ssbi_bpx_series;

struct ssb_cell_params {
    ssb_cell_values v;
    ssbi_fn fn[SSB_CELL_FN_COUNT];
    char *protocol; /* owned, NULL if none */
    int nvalid;
    ssbi_bpx_series *valid; /* owned BPX validation series */
    /* per region (ssb_cell_region): why the materials database could not give the region's SE conductivity at the
       temperature it was read at, or its temperature law ("" when it could); named by the missing-value messages */
    char sigma_note[3][384];
    /* which values were given explicitly by a file or setter (bit flags, used to decide what the database
       may fill in) are not needed: the database fills values when a material name is read, before later keys */
};

int ssbi_params_alloc(ssb_ctx *ctx, ssb_cell_params **p);
/* Fill NaN-derived values and check everything; writes the resolved values to *out and the derived numbers. */
int ssbi_params_resolve(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_values *out, ssb_cell_derived *d);
/* Apply a parsed JSON object; name labels messages. */
int ssbi_params_apply_json(ssb_ctx *ctx, const ssb_materials *db, const cJSON *root, const char *name,
                           ssb_cell_params *p);
/* Arrhenius factor exp(-Ea/R (1/T - 1/Tref)). */
static inline double ssbi_arrh(double Ea, double T, double Tref)
{
    return Ea == 0.0 ? 1.0 : exp(-Ea / SSB_CONST_GAS * (1.0 / T - 1.0 / Tref));
}

/* ------------------------------------------------------------------ protocol (cell_protocol.c) */

struct ssb_cell_protocol {
    int n, cap;
    ssb_cell_step *steps;
    char **texts; /* owned step texts */
    int ntexts;
    int nblocks;
};

/* ------------------------------------------------------------------ model (cell_model.c) */

/* Floor of the kinetic factor theta (1 - theta) of the exchange current density (see kin_q in cell_model.c): it
   matters only within about this distance of a stoichiometry limit; an electrode counts as exhausted once every
   particle surface is SSBI_EXHAUSTED_OVERFILL beyond its limit, inside this floor (cell_solver.c). */
#define SSBI_KIN_DELTA 1e-5
#define SSBI_EXHAUSTED_OVERFILL (30.0 * SSBI_KIN_DELTA)

/* Liquid electrolyte depleted: the salt concentration somewhere below this fraction of its initial value (c_e -> 0 is
   the limiting current: i0 ~ sqrt(c_e) and the diffusion potential ~ ln c_e make the voltage run away); a step whose
   solver stalls or fails then ends with SSB_CELL_END_DEPLETED (cell_solver.c). */
#define SSBI_DEPLETED_FRACTION 1e-2

enum { SSBI_REG_NEG = 0, SSBI_REG_SEP = 1, SSBI_REG_POS = 2 };

/* Operating mode of the current protocol step. */
typedef struct {
    ssb_cell_step_kind kind;
    double value; /* A/m2, V, W/m2, ohm m2 */
    /* current, rest and voltage hold: the set-point ramps linearly in time from ramp_from (at ramp_t0) to value (at
       ramp_t1) when ramp_t1 > ramp_t0 (a current switched over a short interval after a step ended where the solver
       could not go on, cell_solver.c); t_res is the time of the residual being evaluated */
    double ramp_from, ramp_t0, ramp_t1, t_res;
} ssbi_mode;

/* Grid x = k / SSBI_DGRID on which the surface concentration integrates the piecewise-linear D_s(x) (cell_model.c) */
#define SSBI_DGRID 400

/* Per-region resolved constants at T. */
typedef struct {
    int present;
    double a;       /* active area per volume [1/m] */
    double jscale;  /* a R / (3 eps_s): the reaction current j [A/m2 of active interface] spread over the whole
                       particle surface as the particle's surface flux (1 when a = 3 eps_s / R); keeps lithium
                       conserved when the active area is measured on a microstructure */
    double sigma_e; /* effective electronic conductivity [S/m] */
    double sigma_i; /* effective ionic conductivity [S/m] (single ion) */
    double te;      /* transport efficiency (liquid: kappa_eff = kappa(c) te) */
    double eps_e;   /* electrolyte volume fraction */
    double eps_s;   /* active volume fraction */
    double R;       /* particle radius [m] */
    double c_max;
    double D_ref;  /* [m2/s] incl. Arrhenius */
    double darr;   /* Arrhenius factor applied to D_s(x) */
    double i0_ref; /* [A/m2] at T */
    double alpha;
    double R_film;        /* ohm m2 */
    const ssbi_fn *ocv;   /* borrowed from the params copy */
    const ssbi_fn *ds;    /* NULL: constant D_ref */
    double dgrid[SSBI_DGRID + 1]; /* with ds: D_s(k / SSBI_DGRID) [m2/s] (darr included), k = 0..SSBI_DGRID, for
                                     the surface concentration's Kirchhoff integral (cell_model.c surface()) */
    double *ivol, *garea; /* owned: 1 / shell volume, R * face factor (radial FV constants) */
    const ssbi_fn *sige;  /* NULL: constant sigma_e; else bulk sigma_e(theta) [S/m] (borrowed), issue 14 */
    double sige_fac;      /* microstructure factor: local effective = sige_fac * sigma_e(theta of the CV) */
    double dx;            /* CV width [m] */
    int n;                /* CVs */
    int first;            /* index of the first CV */
} ssbi_region;

typedef struct ssbi_model {
    ssb_cell_params *par; /* owned copy */
    ssb_cell_values v;    /* resolved */
    ssb_cell_derived der;
    int liquid, limetal;
    int ncv, nr;
    ssbi_region reg[3];
    int *cv_reg;  /* region per CV */
    long *cv_off; /* first unknown of each CV */
    long N;       /* unknowns */
    long i_phie0, i_I, i_Q, i_E;
    double *rvol;  /* particle shell volumes / (4 pi) (n_r) per unit radius^3 */
    double *rface; /* interior faces: r_f^2 / (centre distance), unit radius (n_r - 1) */
    double rsurf;  /* distance of the outermost shell centre from the surface (unit radius) */
    double f;      /* F / (R T) */
    double T;
    /* liquid electrolyte */
    double t_plus, c_ref;
    double kap_arr, dif_arr;
    const ssbi_fn *kappa, *diff, *tdf, *tplus; /* NULL: the constant of the values */
    /* Li metal */
    double i0_li, R_li, alpha_li;
    double R_contact;
    ssbi_mode mode;
    /* Jacobian pattern: CSC */
    long nnz;
    long *colptr;             /* N + 1 */
    long *rowind;             /* nnz */
    int pattern_pass;         /* 1 while recording the pattern, 2 while recording the call positions */
    long *jseq, njseq, jcall; /* CSC position of each Jacobian call, in call order */
    long npat, cappat;
    long *pat;     /* (row, col) pairs while recording */
    double *jdata; /* values target during a Jacobian evaluation */
    int bad_state; /* set by the residual on a recoverable problem */
    double *scale; /* per-variable scales for the absolute tolerances */
} ssbi_model;

int ssbi_model_create(ssb_ctx *ctx, const ssb_cell_params *p, ssbi_model **m);
void ssbi_model_destroy(ssbi_model **m);
/* Initial state (differential variables exact, algebraic ones a guess) and the differential flags. */
void ssbi_model_initial(const ssbi_model *m, double *y, double *yp, double *id);
/* Residual F(t, y, y'); returns 0, or 1 for a recoverable problem (concentration out of bounds). */
int ssbi_model_residual(ssbi_model *m, const double *y, const double *yp, double *res);
/* Record the CSC sparsity pattern of the Jacobian (colptr, rowind, nnz). */
int ssbi_model_pattern(ssb_ctx *ctx, ssbi_model *m, const double *y);
/* Jacobian dF/dy + cj dF/dy' added into CSC values (pattern from ssbi_model_pattern; values zeroed by the caller). */
int ssbi_model_jacobian(ssbi_model *m, const double *y, double cj, double *values);
/* Cell voltage of a state. */
double ssbi_model_voltage(const ssbi_model *m, const double *y);
/* Surface concentration of CV i (electrode CVs). */
double ssbi_model_csurf(const ssbi_model *m, const double *y, int i);
/* Particle average concentration of CV i. */
double ssbi_model_cavg(const ssbi_model *m, const double *y, int i);
/* Exhaustion margin (for the exhaustion root): over the composite electrodes, the smallest of each electrode's
   largest surface distance from the theta bounds 0 and 1 (an electrode is exhausted when every particle surface in
   it is at a limit); th_min / th_max: extreme surface stoichiometries; side: 1 positive, 0 negative. */
double ssbi_model_sto_margin(const ssbi_model *m, const double *y, double *th_min, double *th_max, int *side);
/* Smallest liquid electrolyte concentration [mol/m3] over the CVs and its CV (*icv, may be NULL; -1 and c_ref for a
   single-ion conductor). */
double ssbi_model_ce_min(const ssbi_model *m, const double *y, int *icv);
/* Electrolyte concentration of CV i [mol/m3] (c_ref for a single-ion conductor). */
double ssbi_model_ce(const ssbi_model *m, const double *y, int i);
/* The particle surface nearest to the limit the current drives it to (full where the current fills the electrode,
   empty where it empties it; the current's sign from y), if within near of it: its CV best, the contiguous CVs of its
   electrode within near around it (a..b) and whether it fills (full). Returns 1, or 0 if none (or no current). */
int ssbi_model_saturated_zone(const ssbi_model *m, const double *y, double near, int *a, int *b, int *best, int *full);
/* phi_s - phi_e of electrode CV i [V] (the electrode potential against a Li reference in the electrolyte). */
double ssbi_model_phi_vs_li(const ssbi_model *m, const double *y, int i);
/* Volume-averaged theta of region r. */
double ssbi_model_theta_avg(const ssbi_model *m, const double *y, int r);
/* Open-circuit voltage of the average electrode compositions. */
double ssbi_model_ocv(const ssbi_model *m, const double *y);
/* Overpotential breakdown of a consistent state. */
void ssbi_model_breakdown(const ssbi_model *m, const double *y, ssb_cell_breakdown *b);
/* Cyclable lithium in the particles of region r [mol/m2]. */
double ssbi_model_lithium(const ssbi_model *m, const double *y, int r);
/* Fill a profile from a state (arrays of ncv values supplied by the caller). */
void ssbi_model_profile(const ssbi_model *m, const double *y, double *x, int *region, double *csurf, double *cavg,
                        double *phis, double *phie, double *j, double *ce, double *ie);

/* ------------------------------------------------------------------ result (cell_result.c) */

#define SSBI_NSER (SSB_CELL_SERIES_COUNT + SSB_CELL_LOSS_COUNT + 1)

typedef struct {
    double t;
    double *x, *csurf, *cavg, *phis, *phie, *j, *ce, *ie;
    int *region;
} ssbi_profile;

struct ssb_cell_result {
    int n, cap;
    double *ser[SSB_CELL_SERIES_COUNT];
    double *loss;              /* n x SSB_CELL_LOSS_COUNT */
    double *resid;             /* n */
    double *nli_pos, *nli_neg; /* Li inventory per point */
    int has_breakdown;
    int nsteps, capsteps;
    ssb_cell_step_result *steps;
    char **step_texts;
    int nprof, capprof;
    ssbi_profile *prof;
    int ncv;
    ssb_cell_stats stats;
    double mass, volume; /* stack per area */
};

int ssbi_result_create(ssb_ctx *ctx, int ncv, ssb_cell_result **r);
int ssbi_result_push(ssb_ctx *ctx, ssb_cell_result *r, const double *vals, const ssb_cell_breakdown *b, double nlp,
                     double nln);
int ssbi_result_add_profile(ssb_ctx *ctx, ssb_cell_result *r, const ssbi_model *m, const double *y, double t);
int ssbi_result_add_step(ssb_ctx *ctx, ssb_cell_result *r, const ssb_cell_step_result *s);

#endif
