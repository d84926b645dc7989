/*
 * ssb_eis.h - impedance spectroscopy: circuit elements and circuit strings, spectra, complex nonlinear
 * least-squares fitting with confidence intervals, the lin-KK Kramers-Kronig test, the distribution of
 * relaxation times (DRT), readers and writers for measured spectra, and Nyquist / Bode / DRT plots.
 *
 * Conventions (shared with impedance.py and pyDRTtools so that users can compare numbers):
 *   - Frequencies f in Hz, angular frequency omega = 2 pi f, impedances in Ohm, times in s.
 *   - Z = Z' + j Z'' with Z'' the SIGNED imaginary part (capacitive: Z'' < 0). Nyquist plots show -Z''.
 *   - A spectrum holds strictly monotonic frequencies (ascending or descending), every value finite, f > 0.
 *
 * Thread safety: every function is reentrant on distinct objects and contexts (one ssb_ctx per thread); the
 * plot helpers are serialised internally (PLplot has global state, see ssb_plot.h).
 *
 * Circuit strings (impedance.py syntax):
 *   circuit := series ;  series := term ('-' term)* ;  term := ELEMENT | 'p(' series (',' series)* ')'
 *   ELEMENT := TYPE SUFFIX, TYPE one of the element names below (case-sensitive), SUFFIX digits and
 *   underscores with at least one digit ("R0", "CPE1", "Wo_1"). Element names must be unique; blanks are
 *   ignored. Example: "R0-p(R1,CPE1)-p(R2-Wo1,C2)".
 *   Parameter names follow impedance.py: an element with one parameter is named as the element ("R0", "C1"),
 *   otherwise NAME_k with k = 0, 1, ... in the order of the table ("CPE1_0" = Q, "CPE1_1" = alpha,
 *   "Wo1_0" = Z0, "Wo1_1" = tau). The parameter vector lists the elements in the order they appear in
 *   the string.
 *
 * Elements (omega = 2 pi f; parameters in order; default fit bounds [0, inf) except where noted):
 *   R     [R Ohm]                         Z = R
 *   C     [C F]                           Z = 1 / (j omega C)
 *   L     [L H]                           Z = j omega L
 *   CPE   [Q F s^(a-1), alpha <= 1]       Z = 1 / (Q (j omega)^alpha)
 *   W     [A_W Ohm s^-1/2]                Z = A_W (1 - j) / sqrt(omega)            (semi-infinite Warburg)
 *   Wo    [Z0 Ohm, tau s]                 Z = Z0 coth(sqrt(j omega tau)) / sqrt(j omega tau)  (finite, open /
 *                                         reflective boundary: capacitive at low f)
 *   Ws    [Z0 Ohm, tau s]                 Z = Z0 tanh(sqrt(j omega tau)) / sqrt(j omega tau)  (finite, short /
 *                                         transmissive boundary: resistive Z0 at low f)
 *   G     [R_G Ohm, t_G s]                Z = R_G / sqrt(1 + j omega t_G)          (Gerischer)
 *   Gs    [R_G Ohm, t_G s, phi]           Z = R_G / (sqrt(1 + j omega t_G) tanh(phi sqrt(1 + j omega t_G)))
 *   La    [L, alpha <= 1]                 Z = (j omega L)^alpha   (as impedance.py's code computes it; its
 *                                         docstring writes L (j omega)^alpha, which differs for alpha != 1)
 *   K     [R Ohm, tau s]                  Z = R / (1 + j omega tau)                (Voigt RC element)
 *   Zarc  [R Ohm, tau s, gamma <= 1]      Z = R / (1 + (j omega tau)^gamma)
 *   TLMQ  [R_ion Ohm, Q, gamma <= 1]      Z = sqrt(R_ion Z_S) coth(sqrt(R_ion / Z_S)), Z_S = 1/(Q (j omega)^gamma)
 *   T     [A Ohm, B Ohm, a, b s]          Z = A coth(beta)/beta + B / (beta sinh(beta)), beta = sqrt(a + j omega b)
 *   TLM   [R_ion Ohm, R_el Ohm, R_ct Ohm, Q F s^(a-1), alpha <= 1]
 *         Transmission line of a porous composite electrode of thickness d (Bisquert, Phys. Chem. Chem. Phys. 2
 *         (2000) 4185, two-rail line with the ionic contact at x = 0 (separator side) and the electronic contact
 *         at x = d (current collector)). R_ion = ionic rail resistance across d, R_el = electronic rail resistance
 *         across d, and the interface element of the whole electrode Z_int = (1/R_ct + Q (j omega)^alpha)^-1
 *         (charge transfer in parallel with the double layer, both lumped over the electrode; the local
 *         interface impedance per unit length is Z_int * d). With nu = sqrt((R_ion + R_el) / Z_int):
 *           Z = R_ion R_el / (R_ion + R_el) (1 + 2 / (nu sinh nu)) + (R_ion^2 + R_el^2) / (R_ion + R_el) coth(nu) / nu
 *         Limits: R_el = 0 gives the de Levie line sqrt(R_ion Z_int) coth(sqrt(R_ion / Z_int)); omega -> 0 with
 *         R_ct -> inf gives (R_ion + R_el)/3 + 1/(j omega Q) for alpha = 1; Z_int -> 0 gives R_ion R_el/(R_ion+R_el).
 */
#ifndef SSB_EIS_H
#define SSB_EIS_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_report.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- spectra */

/* A measured or simulated spectrum. Owns its three arrays (allocated by ssb_eis_spectrum_create). */
typedef struct {
    int64_t n;   /* number of points */
    double *f;   /* frequency, Hz */
    double *zre; /* Z', Ohm */
    double *zim; /* Z'' (signed, capacitive < 0), Ohm */
} ssb_eis_spectrum;

/* Allocate a spectrum of n >= 1 zero points. Errors: SSB_ERR_RANGE (n < 1), SSB_ERR_NOMEM. */
int ssb_eis_spectrum_create(ssb_ctx *ctx, int64_t n, ssb_eis_spectrum **s);
/* Deep copy. */
int ssb_eis_spectrum_duplicate(ssb_ctx *ctx, const ssb_eis_spectrum *src, ssb_eis_spectrum **dst);
/* Free; no-op on NULL; sets *s = NULL. */
void ssb_eis_spectrum_destroy(ssb_eis_spectrum **s);
/* Validate a spectrum: n >= 1, every value finite (SSB_ERR_RANGE), 1e-30 <= f <= 1e30 Hz (SSB_ERR_RANGE), frequencies strictly
 * monotonic: a repeated frequency or a change of sweep direction gives SSB_ERR_ARG. The message names the
 * point index (0-based) and the value; `what` (may be NULL) prefixes it, e.g. the file name. */
int ssb_eis_spectrum_check(ssb_ctx *ctx, const ssb_eis_spectrum *s, const char *what);
/* Remove the points with Z'' > 0 (inductive) in place; *ndropped (may be NULL) receives their number.
 * SSB_ERR_RANGE if no point would remain. */
int ssb_eis_spectrum_drop_inductive(ssb_ctx *ctx, ssb_eis_spectrum *s, int64_t *ndropped);

/* Keep the points with fmin <= f <= fmax (Hz; fmin may be 0, fmax may be inf) in place; *nremoved (may be NULL)
 * receives the number removed. SSB_ERR_RANGE for a bad range or when no point would remain (the message gives
 * the data's span). */
int ssb_eis_spectrum_select(ssb_ctx *ctx, ssb_eis_spectrum *s, double fmin, double fmax, int64_t *nremoved);
/* Proportional Gaussian noise: Z' *= 1 + rel N(0,1), Z'' *= 1 + rel N(0,1), independent draws from the core RNG
 * seeded with seed (the same seed gives the same spectrum). rel in [0, 1], else SSB_ERR_RANGE. */
int ssb_eis_spectrum_add_noise(ssb_ctx *ctx, ssb_eis_spectrum *s, double rel, uint64_t seed);

typedef enum {
    SSB_EIS_FORMAT_AUTO = 0, /* by extension (.csv .txt .dat / .z / .mpt / .dta, case-insensitive), then content */
    SSB_EIS_FORMAT_CSV,      /* delimited text: comma, semicolon, tab or blanks; optional header; '#' comments */
    SSB_EIS_FORMAT_ZPLOT,    /* Scribner ZPlot / ZView .z ("ZPLOT2 ASCII", data after "End Comments") */
    SSB_EIS_FORMAT_BIOLOGIC, /* BioLogic EC-Lab .mpt text export ("Nb header lines : N", freq/Hz, Re(Z)/Ohm,
                                -Im(Z)/Ohm; decimal commas accepted) */
    SSB_EIS_FORMAT_GAMRY     /* Gamry .DTA ("ZCURVE TABLE", columns Freq, Zreal, Zimag) */
} ssb_eis_format;

/* Read a spectrum. CSV: without a header the first three columns are f, Z', Z''; a header row that names the
 * columns (e.g. ",Freq,Real,Imag" from pandas with an index column; "f", "freq", "frequency", "Hz"...;
 * "real", "re", "zreal", "Z'"...; "imag", "im", "zimag", "Z''"...) picks them, and a name that starts with '-'
 * ("-Im(Z)", "-Z''") negates the column. The points are kept in file order.
 * Errors (message "FILE:LINE: ..." with the offending value):
 *   SSB_ERR_IO      the file cannot be opened or read
 *   SSB_ERR_FORMAT  empty file, no data rows, a row with too few columns (truncated), a token that is not a
 *                   number, a missing table header, fewer rows than the file header announces
 *   SSB_ERR_RANGE   NaN or infinite value, frequency <= 0
 *   SSB_ERR_FORMAT  also: a frequency repeated within one sweep (a duplicated point); a BioLogic 'Nb header
 *                   lines : N' that does not point at the column names (the message names N and the right line)
 *   SSB_ERR_ARG     frequencies not monotonic within a sweep (unsorted)
 *   SSB_ERR_UNSUPPORTED  format not recognised
 * A file of several frequency sweeps (EC-Lab PEIS with loops / cycles: a new "cycle number" or "loop" value; any
 * format: the frequency jumping back to the start of the sweep) gives its first sweep, with a warning naming the
 * number of sweeps found. On error *s is NULL. */
int ssb_eis_spectrum_read(ssb_ctx *ctx, const char *path, ssb_eis_format format, ssb_eis_spectrum **s);
/* As ssb_eis_spectrum_read, sweep N (1-based) of a multi-sweep file; 0 = the first, with the warning.
 * SSB_ERR_RANGE naming the valid range 1..number of sweeps when N is larger or negative. */
int ssb_eis_spectrum_read_sweep(ssb_ctx *ctx, const char *path, ssb_eis_format format, int sweep,
                                ssb_eis_spectrum **s);
/* Format name ("csv", "zplot", "biologic", "gamry", "auto"). */
const char *ssb_eis_format_name(ssb_eis_format format);

/* Write "f_Hz,Zre_Ohm,Zim_Ohm" rows (and "Zre_model_Ohm,Zim_model_Ohm,res_re_Ohm,res_im_Ohm" when model is
 * non-NULL; model must have the same n). Atomic: a temporary file in the same directory renamed onto path.
 * Errors: SSB_ERR_IO, SSB_ERR_ARG (n mismatch). */
int ssb_eis_spectrum_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data,
                               const ssb_eis_spectrum *model);

/* ---------------------------------------------------------------- circuits */

typedef struct ssb_eis_circuit ssb_eis_circuit;

/* Parse a circuit string (syntax above). A malformed string gives SSB_ERR_ARG with a message that names the
 * problem, its column (1-based) and shows the string with a caret under the character, e.g.
 *   "circuit: expected ',' or ')' at column 11\n  R0-p(R1,C1\n            ^"
 * Unknown element types list the known ones; duplicate element names point at the second occurrence. */
int ssb_eis_circuit_parse(ssb_ctx *ctx, const char *str, ssb_eis_circuit **c);
void ssb_eis_circuit_destroy(ssb_eis_circuit **c);
/* The string with blanks removed (borrowed). */
const char *ssb_eis_circuit_get_string(const ssb_eis_circuit *c);
int ssb_eis_circuit_get_nparams(const ssb_eis_circuit *c);
/* Parameter name ("Wo1_1"), unit ("Ohm", "F", "s", "F s^(a-1)", "1", ...) and default fit bounds of parameter
 * i; NULL / no-op when i is out of range. */
const char *ssb_eis_circuit_get_param_name(const ssb_eis_circuit *c, int i);
const char *ssb_eis_circuit_get_param_unit(const ssb_eis_circuit *c, int i);
void ssb_eis_circuit_get_param_bounds(const ssb_eis_circuit *c, int i, double *lower, double *upper);
/* Index of a parameter by name (exact), or -1. */
int ssb_eis_circuit_find_param(const ssb_eis_circuit *c, const char *name);
/* Comma-separated list of the element types ("R, C, L, CPE, ..."), for help texts. */
const char *ssb_eis_element_types(void);

/* Impedance of the circuit at n frequencies f (Hz, > 0): zre, zim (Ohm, n each). p has nparams values.
 * Errors: SSB_ERR_ARG (NULL arrays, n < 1), SSB_ERR_RANGE (non-finite parameter or f <= 0). */
int ssb_eis_circuit_impedance(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n,
                              const double *f, double *zre, double *zim);
/* Jacobian dZ/dp at n frequencies: jre[i*np + k] = d Z'(f_i) / d p_k, jim likewise (row-major, np = nparams).
 * Analytic for most elements, central differences (relative step 6e-6) for Gs, T, TLMQ and TLM. */
int ssb_eis_circuit_jacobian(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n,
                             const double *f, double *jre, double *jim);
/* Simulate on a log grid from fmax down to fmin (Hz, 0 < fmin < fmax) with ppd points per decade (1..1000),
 * end points included (descending, as instruments sweep). *s is a new spectrum. */
int ssb_eis_circuit_simulate(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, double fmin, double fmax,
                             int ppd, ssb_eis_spectrum **s);

/* ---------------------------------------------------------------- fitting */

typedef enum {
    SSB_EIS_WEIGHT_UNIT = 0,     /* sigma = 1 (Ohm): plain least squares on [Z'; Z''] (impedance.py's default) */
    SSB_EIS_WEIGHT_PROPORTIONAL, /* sigma' = |Z'_data|, sigma'' = |Z''_data| (each >= weight_floor * |Z_data|) */
    SSB_EIS_WEIGHT_MODULUS       /* sigma' = sigma'' = |Z_data| (the default: every decade of |Z| counts, Boukamp
                                    1995; with unit weights a spectrum over decades is fitted to its largest |Z|
                                    only and the small arcs are not determined) */
} ssb_eis_weight;
/* "unit", "proportional", "modulus" (case-insensitive). SSB_ERR_ARG names the value and the choices. */
int ssb_eis_weight_parse(ssb_ctx *ctx, const char *s, ssb_eis_weight *w);
const char *ssb_eis_weight_name(ssb_eis_weight w);

typedef struct {
    ssb_eis_weight weight;  /* default MODULUS */
    double weight_floor;    /* PROPORTIONAL only: smallest sigma as a fraction of |Z_data|; default 1e-3, (0, 1] */
    const double *lower;    /* nparams lower bounds or NULL (default: 0; -INFINITY allowed) */
    const double *upper;    /* nparams upper bounds or NULL (default: inf; alpha-like parameters 1) */
    const int *fixed;       /* nparams flags or NULL: nonzero holds the parameter at its guess */
    int max_iter;           /* Levenberg-Marquardt iterations per start; default 500, >= 1 */
    double ftol;            /* stop when the relative decrease of the objective is below ftol; default 1e-13 */
    double xtol;            /* stop when the step in transformed parameters is below xtol (|u| + xtol); 1e-12 */
    double gtol;            /* stop when max_j |J_j . r| / (|J_j| |r|) is below gtol; default 1e-12 */
    double confidence;      /* two-sided confidence level of the intervals; default 0.95, (0, 1) */
    int global;             /* nonzero: multi-start global search (below); default 0 */
    int n_starts;           /* global: number of starts including the guess; default 48, >= 1 */
    uint64_t seed;          /* global: seed of the start sampler; default 20140120 */
    double global_decades;  /* global: starts are log-uniform within guess * 10^(+-global_decades), clipped to the
                               bounds; a finite positive [lower, upper] range is used as it is; default 3 */
    int error_if_not_converged; /* nonzero: SSB_ERR_NOCONV when the iteration limit is hit; default 0 */
} ssb_eis_fit_params;

ssb_eis_fit_params ssb_eis_fit_params_default(void);

typedef struct {
    int nparams;        /* number of circuit parameters */
    int nfree;          /* parameters not fixed */
    double *p;          /* fitted values (fixed ones at their guess) */
    double *std_err;    /* 1-sigma standard errors sqrt(diag(s^2 (J^T J)^-1)), s^2 = rss / dof; 0 for fixed,
                           inf where the Jacobian has no information on the parameter */
    double *ci_low;     /* p -/+ t(dof, (1+confidence)/2) * std_err */
    double *ci_high;
    double *cov;        /* nparams x nparams covariance (row-major; zero rows / columns for fixed parameters) */
    double confidence;  /* level of ci_low / ci_high */
    int64_t npoints;    /* data points used */
    int dof;            /* 2 npoints - nfree */
    double *zre_fit;    /* model at the data frequencies, Ohm (npoints) */
    double *zim_fit;
    double rss;         /* minimised objective: sum ((model - data) / sigma)^2 over [Z'; Z''] (Ohm^2 for unit
                           weights, dimensionless otherwise); the chi-square of the weighted fit */
    double rss_unit;    /* unweighted sum of squares, Ohm^2 */
    double chi2_red;    /* rss / dof */
    int iterations;     /* LM iterations of the best start */
    int nfev;           /* model evaluations, all starts */
    int converged;      /* 1 if a tolerance was met (best start) */
    const char *reason; /* "ftol", "xtol", "gtol", "max_iter" (static string) */
    int starts;         /* starts run (1 for a local fit) */
    int best_start;     /* index of the start that won (0 = the guess) */
    int rank_deficient; /* 1 if J^T J was singular to working precision (some std_err are inf) */
    /* Parameters the data do not determine (free parameters only; 0 for fixed ones): a bit set of
     * SSB_EIS_PARAM_* per parameter, the largest |correlation| with another free parameter, and a status. */
    unsigned *flags;    /* nparams */
    double *corr_max;   /* nparams; 0 for fixed parameters */
    int n_flagged;      /* free parameters with any flag */
    int status;         /* ssb_eis_fit_status */
} ssb_eis_fit_result;

/* Per-parameter flags of a fit result. */
#define SSB_EIS_PARAM_WIDE_CI 1u    /* confidence half-width > 100 % of |value| (or std_err infinite / NaN) */
#define SSB_EIS_PARAM_AT_BOUND 2u   /* on a finite upper bound, or at its lower bound to 1e-8 of the start's
                                       distance from it (the symmetric interval is then not meaningful) */
#define SSB_EIS_PARAM_CORRELATED 4u /* |correlation| > SSB_EIS_CORR_LIMIT with another free parameter */
#define SSB_EIS_CORR_LIMIT 0.9995

typedef enum {
    SSB_EIS_FIT_OK = 0,          /* converged, every free parameter determined */
    SSB_EIS_FIT_UNDETERMINED,    /* converged, but some parameters have WIDE_CI or CORRELATED flags */
    SSB_EIS_FIT_AT_BOUND,        /* converged, determined, but some parameters sit on a bound */
    SSB_EIS_FIT_NOT_CONVERGED    /* the iteration limit was hit (flags still set) */
} ssb_eis_fit_status;
/* "ok", "undetermined", "at_bound", "not_converged". */
const char *ssb_eis_fit_status_name(int status);
/* Comma-separated flag names of one parameter ("wide_ci,correlated"; "" for none) into buf. */
const char *ssb_eis_param_flags_string(unsigned flags, char *buf, size_t len);

/* Automatic start values from the data, used when the user gives no guess. The circuit is read as a series of
 * arcs: each p(R, C|CPE) pair, K and Zarc element, in the order of the string, gets one maximum of -Z'' of the
 * data (from high to low frequency; found after 3-point smoothing, with 5 % prominence), R = the rise of Z'
 * between the minima of -Z'' around it, tau = 1 / (2 pi f_peak), alpha 0.9 (Q = 1 / (R omega_peak^alpha)); a C or
 * CPE in series on the main path (a blocking electrode) is matched to -Z'' at the lowest frequency (alpha 0.85);
 * a series R takes the high-frequency intercept. Arcs beyond the maxima found, and other elements, are spread
 * over the remaining frequency range. p receives nparams values inside the default bounds.
 * Errors: SSB_ERR_ARG (NULL), spectrum errors. */
int ssb_eis_fit_guess(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, double *p);

/* The fit behind "no guess given": ssb_eis_fit from start (typically ssb_eis_fit_guess's values, fixed parameters
 * set), and when that ends undetermined or not converged and params->global is off, the seeded multi-start
 * search (params->n_starts, params->seed) from the same start; the result with the lower objective is kept and
 * *retried (may be NULL) is 1 when it is the multi-start one. Errors as ssb_eis_fit. */
int ssb_eis_fit_auto(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *start,
                     const ssb_eis_fit_params *params, ssb_eis_fit_result **res, int *retried);

/* ---------------------------------------------------------------- CPE -> effective capacitance */

typedef enum {
    SSB_EIS_CAP_PARALLEL = 0, /* p(R, CPE) or p(R, C): an arc */
    SSB_EIS_CAP_SERIES        /* a CPE or C in series on the main path (blocking electrode) */
} ssb_eis_cap_kind;

typedef struct {
    int kind;              /* ssb_eis_cap_kind */
    int iR, iQ, in;        /* parameter indices (iR = -1 for SERIES, in = -1 for a C) */
    char name[48];         /* element name of the C / CPE ("CPE1") */
    double R;              /* Ohm (PARALLEL); NaN for SERIES */
    double Q;              /* F s^(n-1) (F for a C) */
    double n;              /* exponent (1 for a C) */
    double R_s;            /* series resistance on the main path outside the pair (sum of the series R and the R
                              of the other arcs for SERIES; the series R only for PARALLEL), Ohm */
    double f_max;          /* PARALLEL: apex frequency 1 / (2 pi (R Q)^(1/n)), Hz; NaN for SERIES */
    double C_eff;          /* the capacitance to use, F: PARALLEL: (Q R^(1-n))^(1/n) (normal distribution of time
                              constants, Hirschorn et al. Electrochim. Acta 55 (2010) 6218 eq. 18; equal to
                              Hsu-Mansfeld's Q omega_max^(n-1), Corrosion 57 (2001) 747, at the fitted apex);
                              SERIES: Brug's form Q^(1/n) R_s^((1-n)/n) (Brug et al. J. Electroanal. Chem. 176
                              (1984) 275, blocking electrode with series resistance R_s) */
    double C_hsu_mansfeld; /* PARALLEL: Q omega_max^(n-1) with omega_max from the fitted R, Q, n, F; NaN SERIES */
    double C_brug;         /* Brug's surface-distribution form Q^(1/n) (1/R_s + 1/R)^((n-1)/n) (PARALLEL; NaN
                              when R_s = 0), Q^(1/n) R_s^((1-n)/n) (SERIES), F */
    double C_eff_std_err;  /* 1-sigma of C_eff from the fit covariance (delta method over R, Q, n), F; NaN without
                              covariance. SERIES: over Q and n only (the uncertainty of R_s is left out) */
} ssb_eis_cap;

/* Every R||CPE (R||C) pair and series CPE (C) of the circuit with its effective capacitance, in the order of the
 * string. p: fitted parameters; cov: nparams x nparams covariance or NULL. *caps (free()) gets *ncaps entries
 * (0 entries: *caps = NULL). Errors: SSB_ERR_ARG, SSB_ERR_NOMEM. */
int ssb_eis_cpe_capacitances(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, const double *cov,
                             ssb_eis_cap **caps, int *ncaps);

/* Fit circuit c to spectrum s from guess (nparams values; each free parameter strictly above its lower bound and
 * at most its upper bound; fixed parameters are taken as given, within [lower, upper]). Projected Levenberg-Marquardt (Marquardt scaling,
 * Nielsen damping) on u = ln(p - lower) for parameters with a finite lower bound (u = p otherwise); finite upper
 * bounds are box constraints on u handled by projection, so a guess on an upper bound (alpha = 1) is fine.
 * Residuals stacked [Z'; Z''] divided by sigma (see ssb_eis_weight); linear algebra by LAPACK (dgels_ for the
 * damped steps, dgesvd_ for the covariance, pseudo-inverse with SciPy curve_fit's cut-off). With params->global
 * the fit is repeated from params->n_starts seeded starts (the guess, then log-uniform samples) and the lowest rss
 * wins. Non-convergence is a result (converged = 0, reason "max_iter") unless error_if_not_converged.
 * Errors: SSB_ERR_ARG (NULL, sizes), SSB_ERR_RANGE (guess outside bounds, bad option, fewer data values than
 * free parameters), spectrum errors of ssb_eis_spectrum_check, SSB_ERR_NOCONV, SSB_ERR_BACKEND (LAPACK),
 * SSB_ERR_NOMEM. params may be NULL (defaults). *res is new; free with ssb_eis_fit_result_destroy.
 * Tip: params->gtol = 1 stops before the first step, which gives the covariance at the guess itself. */
int ssb_eis_fit(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *guess,
                const ssb_eis_fit_params *params, ssb_eis_fit_result **res);
void ssb_eis_fit_result_destroy(ssb_eis_fit_result **res);
/* Write data, model and residuals as CSV (see ssb_eis_spectrum_write_csv) with the fitted parameters as '#'
 * comment lines. Atomic. */
int ssb_eis_fit_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_circuit *c, const ssb_eis_spectrum *s,
                          const ssb_eis_fit_result *res);

/* Two-sided Student-t quantile: t such that P(T <= t) = prob for dof degrees of freedom (prob in (0,1),
 * dof >= 1). Returns NaN for invalid arguments. */
double ssb_eis_student_t_quantile(double prob, double dof);

/* ---------------------------------------------------------------- lin-KK (Schoenleber et al. 2014) */

typedef enum {
    SSB_EIS_KK_REAL = 0, /* fit Z' (R_ohm + M RC elements), then a series inductance to the Z'' residual */
    SSB_EIS_KK_IMAG,     /* fit Z'' (RC elements + inductance), then R_ohm to the Z' residual (Boukamp 1995) */
    SSB_EIS_KK_COMPLEX   /* fit Z' and Z'' together */
} ssb_eis_kk_fit;

/* How M is chosen when params.m == 0. */
typedef enum {
    SSB_EIS_KK_RULE_CHI2 = 0, /* default: fit M = 1 .. min(max_m, n - 2) and take the smallest M whose pseudo
                                 chi-square per degree of freedom is within a factor 1.5 of the best of them (or
                                 whose RMS residual is below 0.01 % of |Z|): the lower limit of Yrjana & Bobacka,
                                 Electrochim. Acta 504 (2024) 144951, "adding RC elements no longer improves the
                                 fit" */
    SSB_EIS_KK_RULE_MU,       /* Schoenleber et al. (2014) as impedance.py 1.7: M grows from 1 until mu <= c; can
                                 stop at a small M with a poor fit where negative R_k make mu dip below c */
    SSB_EIS_KK_RULE_FIXED     /* result only: params.m > 0 fixed M */
} ssb_eis_kk_rule;

typedef struct {
    double c;         /* mu cut-off of SSB_EIS_KK_RULE_MU; default 0.85 (Schoenleber et al.) */
    int max_m;        /* largest M; default 50 */
    int m;            /* > 0: use exactly this M (no rule); default 0 */
    ssb_eis_kk_rule rule; /* default SSB_EIS_KK_RULE_CHI2 */
    ssb_eis_kk_fit fit_type; /* default REAL (as impedance.py) */
    int add_cap;      /* nonzero: add a series capacitance (data without a low-frequency intercept); default 0 */
} ssb_eis_kk_params;
ssb_eis_kk_params ssb_eis_kk_params_default(void);

typedef struct {
    int M;            /* RC elements used */
    double mu;        /* 1 - sum(|R_k|, R_k < 0) / sum(|R_k|, R_k >= 0) */
    double r_ohm;     /* series resistance, Ohm */
    double L;         /* series inductance, H */
    double C;         /* series capacitance, F (inf when not used) */
    double *tau;      /* M time constants, s: log-spaced from 1/(2 pi f_max) to 1/(2 pi f_min) */
    double *r_k;      /* M resistances, Ohm */
    int64_t n;
    double *zre_fit;  /* KK model at the data frequencies, Ohm */
    double *zim_fit;
    double *res_re;   /* (Z'_data - Z'_model) / |Z_data| */
    double *res_im;   /* (Z''_data - Z''_model) / |Z_data| */
    double max_res;   /* max of |res_re|, |res_im| */
    double chi2;      /* pseudo chi-square sum(res_re^2 + res_im^2) */
    int needs_capacitor; /* 1 when add_cap was off and the data end in a capacitive tail (phase below -45 deg and
                            -Z'' still rising at the lowest frequencies: no DC intercept, e.g. a blocking
                            electrode); such data need add_cap */
    double max_res_with_capacitor; /* needs_capacitor: max_res of the same test with add_cap; NaN otherwise */
    ssb_eis_kk_rule rule; /* how M was chosen (FIXED when params.m > 0) */
    double rms_res;   /* sqrt(chi2 / (2 n)): RMS residual, fraction of |Z| */
    double noise;     /* noise level the data suggest, fraction of |Z|: Z' and Z'' each smoothed by a local cubic
                         in log f through 7 neighbouring points (no Kramers-Kronig link), RMS of the leverage-scaled
                         residuals without the largest 10 %; NaN for fewer than 8 points */
    int consistent;   /* 1: rms_res <= 3 max(noise, 0.1 %) and max_res <= 10 max(noise, 0.1 %) (the KK model fits
                         to the noise); 0: the residuals are far above the noise level; -1: noise unknown */
} ssb_eis_kk_result;

/* Linear Kramers-Kronig test (Schoenleber, Klotz, Ivers-Tiffee, Electrochim. Acta 131 (2014) 20). The data are
 * divided by max |Z| for the solve (values up to 1e308 work); a result that is still not finite is refused with
 * SSB_ERR_RANGE, never returned with NaN mu / chi2. Time constants
 * as impedance.py 1.7 (M = 1 uses tau = 1/(2 pi f_min)); M by params.rule; rows weighted by 1/|Z|; linear least
 * squares by LAPACK dgelss_ (SVD, like numpy.linalg.pinv). Errors: spectrum errors, SSB_ERR_RANGE (options,
 * fewer points than M + 2), SSB_ERR_BACKEND, SSB_ERR_NOMEM. params may be NULL. */
int ssb_eis_kk(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_kk_params *params, ssb_eis_kk_result **res);
void ssb_eis_kk_result_destroy(ssb_eis_kk_result **res);
/* CSV of f, data, KK model and relative residuals (percent), with M and mu as comments. Atomic. */
int ssb_eis_kk_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *s, const ssb_eis_kk_result *res);

/* ---------------------------------------------------------------- DRT (Tikhonov, Gaussian RBF) */

typedef struct {
    double lambda;        /* > 0: regularisation parameter as given; <= 0: chosen by GCV (default 0) */
    double lambda_min;    /* GCV search range; default 1e-7 .. 1 (pyDRTtools' bounds) */
    double lambda_max;
    double fwhm_coeff;    /* RBF shape: eps = fwhm_coeff * 2 sqrt(ln 2) / mean |Delta ln f|; default 0.5, > 0 */
    int inductance;       /* nonzero (default): fit a series inductance L >= 0; 0: no inductance column */
    int ppd_out;          /* points per decade of the output tau grid; default 40, 1..1000 */
    double extend_decades;/* output grid runs from min(tau_k) / 10^ext to max(tau_k) * 10^ext; default 0.5, >= 0 */
    double peak_threshold;/* a local maximum of gamma counts as a peak when the area under it (between the
                             neighbouring minima, = its resistance) is at least peak_threshold * R_pol; default
                             0.05, [0, 1) (smaller peaks are mostly ringing of the regularised solution) */
} ssb_eis_drt_params;
ssb_eis_drt_params ssb_eis_drt_params_default(void);

typedef struct {
    double lambda;        /* regularisation parameter used */
    double gcv;           /* GCV score at lambda (unconstrained; NaN when lambda was given) */
    int lambda_at_bound;  /* GCV's minimum sits on the search range's edge (within half a grid step of 0.25
                             decade): -1 lambda_min, +1 lambda_max, 0 inside (or lambda given). The GCV optimum may
                             lie outside: widen lambda_min / lambda_max or give lambda */
    double eps;           /* RBF shape factor (1/ln-tau units) */
    int capacitive_tail;  /* 1: the data end in a capacitive tail (blocking electrode, no DC intercept) that the
                             DRT model (R_inf + L + RC distribution) cannot describe; exclude it (fmin) */
    double R_inf;         /* high-frequency resistance, Ohm */
    double L;             /* series inductance, H (0 without the inductance column) */
    double R_pol;         /* polarisation resistance = integral of gamma d ln tau, Ohm */
    int nbasis;           /* RBF centres tau_k = 1/f_k, ascending */
    double *tau_basis;    /* s */
    double *x;            /* RBF coefficients (Ohm), as pyDRTtools reports them (not gamma!) */
    int64_t ntau;         /* output grid */
    double *tau;          /* s, ascending */
    double *gamma;        /* gamma(tau) = sum_k x_k exp(-(eps ln(tau / tau_k))^2), Ohm (per unit ln tau) */
    int64_t n;            /* data points */
    double *zre_fit;      /* DRT model at the data frequencies, Ohm */
    double *zim_fit;
    double rms;           /* sqrt(mean |Z_model - Z_data|^2), Ohm */
    int npeaks;           /* peaks (see peak_threshold), by ascending tau */
    double *peak_tau;     /* s (parabolic interpolation in log tau) */
    double *peak_gamma;   /* Ohm */
    double *peak_R;       /* area under the peak between its neighbouring minima, Ohm */
} ssb_eis_drt_result;

/* DRT by ridge (Tikhonov) regression as pyDRTtools (Wan, Saccoccio, Chen, Ciucci, Electrochim. Acta 184 (2015)
 * 483): Z = R_inf + j omega L + int gamma(ln tau) / (1 + j omega tau) d ln tau, gamma expanded in Gaussian RBFs
 * centred at tau_k = 1/f_k, second-derivative penalty lambda x^T M2 x, x >= 0 (including R_inf and L) by an
 * active-set NNLS on the normal equations (LAPACK dpotrf_), lambda by generalised cross-validation (coarse scan
 * of log lambda then golden-section refinement; the GCV score ignores x >= 0 like pyDRTtools).
 * Errors: spectrum errors, SSB_ERR_RANGE (options, fewer than 4 points), SSB_ERR_BACKEND, SSB_ERR_NOMEM. */
int ssb_eis_drt(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_drt_params *params,
                ssb_eis_drt_result **res);
void ssb_eis_drt_result_destroy(ssb_eis_drt_result **res);
/* CSV "tau_s,gamma_Ohm" on the output grid with lambda, R_inf, L, R_pol and the peaks as '#' comments. Atomic. */
int ssb_eis_drt_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_drt_result *res);

/* ---------------------------------------------------------------- plots (PLplot, see ssb_plot.h) */

/* Nyquist plot (Z' vs -Z'', equal axes) of data (markers) and an optional model (line, may be NULL) to a .png
 * or .svg file (atomic). title may be NULL. Errors: those of ssb_plot_save. */
int ssb_eis_plot_nyquist(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data,
                         const ssb_eis_spectrum *model, const char *title);
/* Bode plot: |Z| (log-log) and -phase (deg) against f in two panels. */
int ssb_eis_plot_bode(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data, const ssb_eis_spectrum *model,
                      const char *title);
/* gamma(tau) against tau (log x) with the peaks marked. */
int ssb_eis_plot_drt(ssb_ctx *ctx, const char *path, const ssb_eis_drt_result *drt, const char *title);

/* ---------------------------------------------------------------- report descriptions (ssb_report.h) */

/* One row of a fit's parameter table: parameter k of a result with its unit (the circuit's, e.g. "Ohm",
 * "F s^(a-1)"), value, 1-sigma standard error, confidence interval, whether it was held fixed, its flags
 * ("wide_ci,correlated"; "" for none) and its largest |correlation| with another free parameter. */
typedef struct {
    char name[48];
    char unit[32];
    double value, std_err, ci_low, ci_high;
    int fixed;
    char flags[64];
    double corr_max;
} ssb_eis_fit_param_row;
/* Row k of res (fixed: nparams flags or NULL). SSB_ERR_ARG for NULL or k out of range. */
int ssb_eis_fit_param_row_get(const ssb_eis_circuit *c, const ssb_eis_fit_result *res, const int *fixed, int k,
                              ssb_eis_fit_param_row *row);

/* One DRT peak: time constant, its frequency 1 / (2 pi tau), gamma at the peak and the resistance under it. */
typedef struct {
    double tau;   /* s */
    double f;     /* Hz */
    double gamma; /* Ohm */
    double R;     /* Ohm */
} ssb_eis_drt_peak;
/* Peak k of d (0 .. npeaks - 1). SSB_ERR_ARG for NULL or k out of range. */
int ssb_eis_drt_peak_get(const ssb_eis_drt_result *d, int k, ssb_eis_drt_peak *peak);

typedef enum {
    SSB_EIS_REPORT_FIT_PARAM = 0, /* ssb_eis_fit_param_row */
    SSB_EIS_REPORT_FIT,           /* ssb_eis_fit_result: rss, chi2_red, dof, status, ... (per-fit numbers) */
    SSB_EIS_REPORT_CAPACITANCE,   /* ssb_eis_cap: R, Q, n, f_max, C_eff ... */
    SSB_EIS_REPORT_DRT,           /* ssb_eis_drt_result: lambda, R_inf, L, R_pol, ... */
    SSB_EIS_REPORT_DRT_PEAK,      /* ssb_eis_drt_peak */
    SSB_EIS_REPORT_COUNT
} ssb_eis_report_kind;
/* The description of an EIS result type (NULL for an invalid kind). Keys are those of 'ssbnet eis fit|drt
 * --json'. The fit parameters' value, std_err, ci_low and ci_high carry the unit of their row (unit), so they
 * are described dimensionless. */
const ssb_report_type *ssb_eis_report_type(ssb_eis_report_kind k);

#ifdef __cplusplus
}
#endif
#endif
