/*
 * ssb_se.h - polycrystalline solid electrolytes: grain boundaries (GBs), space charge, temperature, electronic
 * leakage.
 *
 * Units: SI (m, S/m, F, ohm, K, A, C), potentials in V, energies (activation, segregation) in eV per particle.
 * Formulas follow tests/reference/FORMULAS-interfaces.md section 2 (cited below as F2.x). All functions are
 * pure computations: thread-safe, no allocation unless stated, errors name the bad value and its range.
 *
 * Contents
 *   1. Brick-layer model (F2.1): forward (microstructure -> sigma_total, arcs) and inverse (fitted arcs -> GB).
 *   2. Space-charge layers (F2.2): Debye length, Mott-Schottky and Gouy-Chapman depletion, Lambert W.
 *   3. 1-D Poisson-Boltzmann solver for site-resolved GBs (the pyscses model) and its resistivity ratios.
 *   4. Arrhenius temperature dependence (F2.3): sigma(T), fits, the brick layer vs T, apparent Ea, GB share.
 *   5. Electronic leakage (F2.4): leakage current, self-discharge, and where Li+ can be reduced (dendrite risk).
 *   6. 3-D polycrystal (Voronoi or voxelised brick layer) through the micro generator and the transport engine,
 *      against the brick layer.
 */
#ifndef SSB_SE_H
#define SSB_SE_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================================================= *
 * 1. Brick-layer model
 *
 * Cubic grains of edge d (grain_size), GB thickness delta << d, pellet of thickness L and area A
 * (F2.1, standard BLM, Haile, West & Campbell 1998):
 *   bulk arc:           R_b  = L / (sigma_b A),                     C_b  = eps_b eps0 A / L
 *   GB arc (across):    R_gb = (L/d) delta / (sigma_gb_perp A),     C_gb = eps_gb eps0 A d / (L delta)
 *   series path:        sigma_ser = L / ((R_b + R_gb) A) = [1/sigma_b + (delta/d)/sigma_gb_perp]^-1
 *   parallel GB path:   sigma_par = 2 (delta/d) sigma_gb_par  (the two sets of GB walls parallel to the current)
 *   total:              sigma_total = sigma_ser + sigma_par;  circuit (R_b||C_b)-(R_gb||C_gb) shunted by R_par
 * The bulk length is taken as L (not L (1 - delta/d)), as in F2.1; the model is exact for the series formula and
 * tends to sigma_b for delta -> 0. Arc apex frequencies are geometry-free: f = sigma / (2 pi eps eps0).
 * ================================================================================================= */

/* Thinnest grain boundary the brick layer accepts [m]: about one atomic layer (0.1 nm). */
#define SSB_SE_GB_THICKNESS_MIN 1e-10

typedef struct {
    double grain_size;    /* d [m], > 0 */
    double gb_thickness;  /* delta [m], >= 0 and < grain_size */
    double sigma_bulk;    /* [S/m], > 0 */
    double sigma_gb_perp; /* specific GB conductivity across the GB [S/m], > 0 */
    double sigma_gb_par;  /* specific GB conductivity along the GB [S/m], >= 0; NaN (default): = sigma_gb_perp;
                             0: no parallel path */
    double eps_r_bulk;    /* relative permittivity of the grains; NaN (default): capacitances not computed */
    double eps_r_gb;      /* relative permittivity of the GB; NaN (default): = eps_r_bulk */
    double thickness;     /* pellet thickness L [m], default 1e-3 */
    double area;          /* electrode area A [m^2], default 1e-4 */
} ssb_se_brick_params;

typedef struct {
    double sigma_total;        /* [S/m] */
    double sigma_series;       /* [S/m] */
    double sigma_parallel;     /* [S/m] */
    double sigma_gb_macro;     /* L / (A R_gb) = sigma_gb_perp d / delta [S/m]; NaN when delta = 0 */
    double R_b, R_gb, R_par;   /* [ohm]; R_par = inf without a parallel path */
    double R_total;            /* L / (sigma_total A) [ohm] */
    double C_b, C_gb;          /* [F]; NaN when eps_r_bulk is NaN; C_gb NaN when delta = 0 */
    double f_b, f_gb;          /* arc apex frequencies [Hz]; NaN without permittivities, f_gb NaN when delta = 0 */
    double gb_share;           /* R_gb / (R_b + R_gb): GB share of the series resistance */
    double parallel_fraction;  /* sigma_parallel / sigma_total: share of the current along GBs */
    double gb_volume_fraction; /* 1 - (1 - delta/d)^3 (nested cubes) */
} ssb_se_brick_result;

/* Defaults: every material number NaN (must be set), L = 1 mm, A = 1 cm^2. */
ssb_se_brick_params ssb_se_brick_params_default(void);
/* Evaluate the brick layer. SSB_ERR_RANGE names a parameter out of range (see the struct comments). Logs a warning
 * when sigma_total exceeds the parallel (Wiener) bound (1 - f_gb) sigma_b + f_gb max(sigma_gb): the model's parallel
 * path counts the GB walls on top of the full grain cross-section, an O(delta/d) excess that shows when sigma_gb is
 * close to sigma_b (sigma_gb = sigma_b, d/delta = 5: 1.23 sigma_b). */
int ssb_se_brick_solve(ssb_ctx *ctx, const ssb_se_brick_params *p, ssb_se_brick_result *r);

/* Inverse: fitted bulk and GB arcs -> GB properties (F2.1):
 *   sigma_b = L/(A R_b),  eps_r_b = C_b L/(eps0 A),  delta/d = (eps_gb/eps_b)(C_b/C_gb),
 *   sigma_gb_specific = (L/A)(1/R_gb)(delta/d),  sigma_gb_macro = L/(A R_gb). */
typedef struct {
    double R_b, C_b, R_gb, C_gb; /* fitted arcs [ohm, F], > 0 */
    double thickness, area;      /* [m], [m^2], > 0; defaults 1e-3, 1e-4 */
    double eps_ratio;            /* eps_gb / eps_b, > 0, default 1 (the usual assumption) */
    double grain_size;           /* [m]; optional (NaN default): gives the GB thickness delta */
} ssb_se_brick_fit;

typedef struct {
    double sigma_bulk, eps_r_bulk;
    double delta_over_d;
    double sigma_gb_specific, sigma_gb_macro; /* [S/m] */
    double gb_thickness;                      /* [m]; NaN when grain_size is NaN */
    double f_b, f_gb;                         /* arc apex frequencies [Hz] */
    double gb_share;                          /* R_gb / (R_b + R_gb) */
} ssb_se_brick_inverse_result;

ssb_se_brick_fit ssb_se_brick_fit_default(void);
int ssb_se_brick_inverse(ssb_ctx *ctx, const ssb_se_brick_fit *f, ssb_se_brick_inverse_result *r);

/* Effective capacitance of a CPE (Q [F s^(n-1)], 0 < n <= 1) in parallel with R [ohm]:
 * C = (Q R^(1-n))^(1/n) (Hsu & Mansfeld 2001; Hirschorn et al. 2010 eq. 18, F2.1). */
int ssb_se_cpe_capacitance(ssb_ctx *ctx, double Q, double n, double R, double *C);

/* ================================================================================================= *
 * 2. Space-charge layers (F2.2)
 *
 * y = z e Phi0 / (k T): reduced core potential of the depleted mobile carrier (charge number z, bulk
 * concentration c_inf [1/m^3]), eps = eps_r eps0.
 *   Debye length    lambda = sqrt(eps k T / (2 z^2 e^2 c_inf))   (the factor 2 of pyscses / Guo-Waser; F2.2)
 *   Mott-Schottky   (dopants immobile): depletion width lambda* = 2 lambda sqrt(y), phi(x) = Phi0 (1 - x/lambda*)^2,
 *                   r_perp = rho_sc / rho_inf = e^y / (2 y)                 (large-y asymptote, used by pyscses)
 *                   r_perp,exact = int_0^1 exp(y u^2) du                    (average over lambda*; 1.06x at y = 10)
 *                   per GB (two SCLs): electrical thickness 2 lambda*, C_gb A^-1 = eps / (2 lambda*)
 *   Gouy-Chapman    (all defects mobile): tanh(y(x)/4) = tanh(y/4) exp(-x/lambda),
 *                   excess resistance per SCL and area  rho_inf 2 lambda (e^(y/2) - 1), i.e. over the reference
 *                   width 2 lambda per SCL:  r_perp = e^(y/2); C per SCL and area (eps/lambda) cosh(y/2)
 *   Activation-energy shift at constant Phi0 (pyscses definition dEa = d ln r / d(1/kT)):
 *                   MS: z Phi0 (1 - 1/y) [eV];  GC: z Phi0 / 2 [eV]
 * Inversion of the Mott-Schottky ratio: e^y = 2 r y  <=>  -y e^-y = -1/(2r)  <=>  y = -W(-1/(2r)).
 * r(y) has its minimum e/2 = 1.359 at y = 1, so r > e/2 has two roots:
 *   SSB_SE_BRANCH_PHYSICAL (W_-1, y > 1): r grows with Phi0 - the depletion regime the formula describes;
 *   SSB_SE_BRANCH_W0       (W_0,  y < 1): r falls with Phi0 - outside the asymptote's validity, provided for
 *                                          completeness and tests.
 * ================================================================================================= */

typedef enum { SSB_SE_MOTT_SCHOTTKY = 0, SSB_SE_GOUY_CHAPMAN = 1 } ssb_se_scl_model;
typedef enum { SSB_SE_BRANCH_PHYSICAL = 0, SSB_SE_BRANCH_W0 = 1 } ssb_se_branch;

/* Lambert W by Halley iteration: branch 0 (W_0, x >= -1/e) or -1 (W_-1, -1/e <= x < 0). Relative accuracy
 * ~1e-15. SSB_ERR_RANGE outside the domain, SSB_ERR_ARG for another branch. */
int ssb_se_lambert_w(ssb_ctx *ctx, int branch, double x, double *w);

/* Debye length [m]; eps_r > 0, T > 0 [K], z != 0, c_inf > 0 [1/m^3]. */
int ssb_se_debye_length(ssb_ctx *ctx, double eps_r, double T, double z, double c_inf, double *lambda);
/* Mott-Schottky ratio r = e^y/(2y) for 0 < y <= 700. */
int ssb_se_ms_ratio(ssb_ctx *ctx, double y, double *r);
/* Exact Mott-Schottky average int_0^1 exp(y u^2) du for 0 < y <= 700 (graded Gauss-Legendre, rel. 1e-14). */
int ssb_se_ms_ratio_exact(ssb_ctx *ctx, double y, double *r);
/* Core potential Phi0 [V] from the ratio r (> e/2) at T [K] for charge number z (Phi0 = y k T / (z e)). */
int ssb_se_ms_potential(ssb_ctx *ctx, double r, double z, double T, ssb_se_branch branch, double *phi0);

typedef struct {
    ssb_se_scl_model model;
    double eps_r;      /* relative permittivity, > 0 */
    double T;          /* [K], > 0 */
    double z;          /* charge number of the depleted mobile carrier (+1 for Li+) */
    double c_inf;      /* bulk concentration of that carrier [1/m^3], > 0 */
    double phi0;       /* core potential vs bulk [V], with z phi0 > 0 (depletion) */
    double sigma_bulk; /* bulk conductivity of the carrier [S/m], > 0 (NaN: no resistances) */
} ssb_se_scl_params;

typedef struct {
    double y;                 /* z e Phi0 / kT */
    double debye_length;      /* lambda [m] */
    double width;             /* MS: lambda* [m]; GC: lambda [m] (decay length) */
    double r_perp;            /* MS: e^y/(2y); GC: e^(y/2) */
    double r_perp_exact;      /* MS: int_0^1 e^(y u^2) du; GC: = r_perp (exact) */
    double gb_thickness;      /* electrical thickness of one GB (two SCLs) [m]: MS 2 lambda*; GC 4 lambda */
    double sigma_gb_specific; /* sigma_bulk / r_perp_exact over gb_thickness [S/m] */
    double asr_gb;            /* area-specific resistance of one GB (two SCLs) [ohm m^2] */
    double asr_excess;        /* asr_gb minus the bulk resistance of the same thickness [ohm m^2] */
    double C_gb_area; /* capacitance of one GB per area [F/m^2]: MS eps/(2 lambda*), GC (eps/lambda) cosh(y/2)/2 */
    double dEa;       /* activation-energy shift of the GB vs the bulk at constant Phi0 [eV] */
} ssb_se_scl_result;

ssb_se_scl_params ssb_se_scl_params_default(void); /* MS, T = 298.15 K, z = 1, the rest NaN */
int ssb_se_scl_solve(ssb_ctx *ctx, const ssb_se_scl_params *p, ssb_se_scl_result *r);
/* The inverse: core potential from a measured GB/bulk resistivity ratio r (MS: Lambert W on the chosen branch,
 * r > e/2; GC: Phi0 = 2 kT ln(r) / (z e), r > 1). Uses p->model, p->T, p->z. */
int ssb_se_scl_potential(ssb_ctx *ctx, const ssb_se_scl_params *p, double r, ssb_se_branch branch, double *phi0);

/* ================================================================================================= *
 * 3. 1-D Poisson-Boltzmann solver (site-resolved GB, the pyscses model; Wellock & Morgan, JOSS 4, 1209 (2019))
 *
 * Planes i at x_i (strictly increasing), each a cell of width w_i and cross-section `area`; sites sit on
 * planes, each site hosts one defect species s with segregation energy E (eV). Site occupation (Fermi-Dirac,
 * pyscses Site.probabilities): mobile species p = x B / (1 - x + x B), B = exp(-(z phi + E)/kT); fixed species
 * p = x_bulk (Mott-Schottky: immobile dopants). Plane charge density rho_i = e sum_sites mult (z p + q_site) /
 * (w_i area), q_site the optional lattice charge of the site. Poisson: three-point finite differences on the
 * irregular grid, eps d2phi/dx2 = -rho.
 *   periodic: planes 0 and N-1 are neighbours at distances h_lo (left of 0) and h_hi (right of N-1); the mean
 *             charge is removed (weighted with the Laplacian's cell widths) and the potential is fixed by
 *             sum_i ref_weight_i phi_i = 0 (pyscses: average over a bulk region);
 *   dirichlet: virtual boundary points at distance h_lo / h_hi carry phi_lo / phi_hi.
 * Solved by damped Newton with a bordered dense system (LAPACK dgesv); a non-converged solve returns
 * SSB_ERR_NOCONV with the residual in the message.
 * ================================================================================================= */

typedef struct {
    double z;      /* charge number of the defect (e.g. +2 for V_O, -1 for Gd'_Ce, -1 for a Li vacancy) */
    double x_bulk; /* bulk site fraction, 0 < x_bulk < 1 */
    int mobile;    /* 1: equilibrates (Fermi-Dirac), 0: fixed at x_bulk */
} ssb_se_pb_species;

typedef struct {
    int nspecies;
    const ssb_se_pb_species *species;
    int nplanes;               /* >= 3 */
    const double *plane_x;     /* [m], strictly increasing */
    const double *plane_width; /* cell widths [m] (volume = width * area), > 0 */
    double area;               /* cross-section per cell [m^2], > 0 */
    int nsites;
    const int *site_plane;     /* plane index of each site */
    const int *site_species;   /* species index of each site */
    const double *site_energy; /* segregation energy [eV] (NULL: all 0) */
    const double *site_charge; /* lattice charge of the empty site [e] (NULL: all 0) */
    const double *site_mult;   /* multiplicity / charge scaling of each site (NULL: all 1) */
    double eps_r;              /* > 0 */
    double T;                  /* [K] > 0 */
    int periodic;              /* 1 periodic, 0 Dirichlet */
    double h_lo, h_hi;         /* [m] > 0 */
    double phi_lo, phi_hi;     /* [V] Dirichlet values */
    const double *ref_weight;  /* periodic reference weights (nplanes; NULL: all planes, cell widths) */
    double tol;                /* Newton step tolerance [V], default 1e-12 */
    int max_iter;              /* default 200 */
} ssb_se_pb_problem;

typedef struct {
    double *phi;      /* [V] per plane (caller-allocated, nplanes) */
    double *rho;      /* [C/m^3] per plane (caller-allocated, nplanes; NULL allowed) */
    double *site_occ; /* occupation p of each site (caller-allocated, nsites; NULL allowed) */
    int iterations;
    double residual;         /* final max |F| scaled by eps [C/m^3] */
    double phi_max, phi_min; /* [V] */
} ssb_se_pb_result;

ssb_se_pb_problem ssb_se_pb_problem_default(void);
/* Allocates and frees its own workspace (O(nplanes^2) doubles). SSB_ERR_RANGE / SSB_ERR_ARG for bad input,
 * SSB_ERR_NOCONV, SSB_ERR_BACKEND (LAPACK failure), SSB_ERR_NOMEM. */
int ssb_se_pb_solve(ssb_ctx *ctx, const ssb_se_pb_problem *p, ssb_se_pb_result *r);

/* GB/bulk resistivity ratios of species s from a solved profile (clean definition, conductivity proportional
 * to the carrier density): on the planes holding s (its sub-grid, midpoint widths w_k, density n_k), the
 * space-charge region is the set of planes with sign * phi_k > threshold (sign = +1 for a positive core
 * potential, -1 for a negative one), the bulk density n_b is the width-weighted mean over sub-grid planes with
 * bulk_lo < x < bulk_hi, and
 *   r_perp = n_b * sum_scr(w/n) / sum_scr(w),   r_par = sum_scr(w n) / (n_b sum_scr(w)).
 * width = extent of the space-charge region [m]. SSB_ERR_NOTFOUND if the region or the bulk is empty. */
int ssb_se_pb_resistivity(ssb_ctx *ctx, const ssb_se_pb_problem *p, const ssb_se_pb_result *r, int species,
                          double threshold, int sign, double bulk_lo, double bulk_hi, double *r_perp, double *r_par,
                          double *width);

/* ================================================================================================= *
 * 4. Arrhenius temperature dependence (F2.3)
 *   form SIGMA_T:  sigma T = A exp(-Ea/kT)   ->  sigma(T) = sigma_ref (T_ref/T) exp(-(Ea/k)(1/T - 1/T_ref))
 *   form SIGMA:    sigma   = s0 exp(-Ea/kT)  ->  sigma(T) = sigma_ref exp(-(Ea/k)(1/T - 1/T_ref))
 * Apparent activation energies are always reported in the sigma T convention, Ea_app = -k d ln(sigma T)/d(1/T)
 * (= Ea + kT for a SIGMA-form term). For the brick layer the series resistances add, so
 *   Ea_app(series) = sum_i (R_i/R) Ea_app,i   and   Ea_app(total) = sum over paths (sigma_path/sigma_total) Ea_app.
 * ================================================================================================= */

typedef enum { SSB_SE_ARRH_SIGMA_T = 0, SSB_SE_ARRH_SIGMA = 1 } ssb_se_arrh_form;

typedef struct {
    double sigma_ref; /* [S/m] at T_ref, > 0 */
    double T_ref;     /* [K] > 0, default 298.15 */
    double Ea;        /* [eV] */
    ssb_se_arrh_form form;
} ssb_se_arrhenius;

ssb_se_arrhenius ssb_se_arrhenius_default(void); /* sigma_ref NaN, T_ref 298.15, Ea NaN, SIGMA_T */
/* sigma(T) [S/m]; Ea_app (may be NULL) = apparent Ea in the sigma T convention [eV]. */
int ssb_se_arrhenius_eval(ssb_ctx *ctx, const ssb_se_arrhenius *a, double T, double *sigma, double *Ea_app);
/* Least-squares line through ln(sigma T) (or ln sigma) vs 1/T for n >= 2 points; the result is referred to
 * T_ref (the fit is evaluated there). Ea_stderr (n > 2, else NaN) and rss (of the log values) may be NULL. */
int ssb_se_arrhenius_fit(ssb_ctx *ctx, int n, const double *T, const double *sigma, ssb_se_arrh_form form, double T_ref,
                         ssb_se_arrhenius *out, double *Ea_stderr, double *rss);

typedef struct {
    ssb_se_arrhenius bulk;           /* grain interior */
    ssb_se_arrhenius gb_perp;        /* specific GB conductivity across */
    ssb_se_arrhenius gb_par;         /* along; sigma_ref = 0: no parallel path; NaN (default): same as gb_perp */
    double grain_size, gb_thickness; /* [m] */
} ssb_se_brick_arrhenius;

typedef struct {
    double T;                                       /* [K] */
    double sigma_bulk, sigma_gb_perp, sigma_gb_par; /* [S/m] */
    double sigma_total;                             /* [S/m] brick layer */
    double gb_share;                                /* R_gb / (R_b + R_gb) */
    double Ea_app;                                  /* apparent Ea of sigma_total (sigma T convention) [eV] */
} ssb_se_brick_arrh_point;

ssb_se_brick_arrhenius ssb_se_brick_arrhenius_default(void);
int ssb_se_brick_arrhenius_eval(ssb_ctx *ctx, const ssb_se_brick_arrhenius *p, double T, ssb_se_brick_arrh_point *out);

/* ================================================================================================= *
 * 5. Electronic leakage and dendrite risk (F2.4)
 *
 * Leakage (Hebb-Wagner limit, sigma_e << sigma_ion): the electronic conductivity of the separator follows the
 * same brick layer as the ionic one (bulk sigma_el_bulk, GBs sigma_el_gb across and along), i_e =
 * sigma_e,eff V / L. Self-discharge: a cell of charge capacity Q loses i_e A per second.
 *
 * Where Li+ can be reduced (indicator, not a growth model): along one conduction path (bulk grain interior or a
 * GB) from the Li anode (x = 0) through the separator, the ionic potential rises by j x / sigma_ion during
 * plating at current density j, and the electronic potential of the path is either linear between the anode
 * (0 V) and the cathode side (cell_voltage, SSB_SE_EPATH_BOTH: the path conducts electrons to the cathode
 * composite) or pinned to the anode (SSB_SE_EPATH_ANODE_ONLY: an electronically conducting path attached only
 * to the Li metal). The local potential vs Li/Li+ is
 *   BOTH:        E(x) = V x / L - eta - j x / sigma_ion
 *   ANODE_ONLY:  E(x) = -eta - j x / sigma_ion
 * and Li+ can be reduced to Li0 where E(x) <= 0 (F2.4 "modelling recipe"). eta >= 0 is the plating
 * overpotential at the anode interface. The rate at which Li0 can form inside the path is bounded by the
 * electron supply sigma_el |E(x)| / x, evaluated at x = L when the whole path is at risk and at the middle of
 * the risky region otherwise (= sigma_el eta / x_risk).
 * ================================================================================================= */

typedef struct {
    double thickness;     /* separator L [m] > 0 */
    double area;          /* [m^2] > 0 */
    double grain_size;    /* [m] > 0 */
    double gb_thickness;  /* [m] >= 0 (0: homogeneous separator) */
    double sigma_el_bulk; /* [S/m] >= 0 */
    double sigma_el_gb;   /* [S/m] >= 0 (NaN: = sigma_el_bulk) */
    double sigma_ion;     /* total ionic conductivity [S/m] (NaN: t_el not computed) */
    double voltage;       /* open-circuit voltage across the separator [V] >= 0 */
    double capacity;      /* cell charge capacity [C] (NaN: self-discharge not computed) */
} ssb_se_leakage_params;

typedef struct {
    double sigma_el_eff;           /* [S/m] */
    double resistance;             /* electronic resistance [ohm] */
    double current;                /* [A] */
    double current_density;        /* [A/m^2] */
    double gb_current_fraction;    /* share of the leakage carried along GBs (parallel path) */
    double t_el;                   /* electronic transference number sigma_el / (sigma_el + sigma_ion) */
    double self_discharge_per_day; /* fraction of the capacity lost per day (linear, constant voltage) */
    double time_to_empty;          /* capacity / current [s] */
} ssb_se_leakage_result;

ssb_se_leakage_params ssb_se_leakage_params_default(void);
int ssb_se_leakage_solve(ssb_ctx *ctx, const ssb_se_leakage_params *p, ssb_se_leakage_result *r);

typedef enum { SSB_SE_EPATH_BOTH = 0, SSB_SE_EPATH_ANODE_ONLY = 1 } ssb_se_epath;

typedef struct {
    double thickness;       /* path length L [m] > 0 */
    double sigma_ion;       /* ionic conductivity of the path [S/m] > 0 */
    double sigma_el;        /* electronic conductivity of the path [S/m] >= 0 */
    double current_density; /* plating current density j [A/m^2] >= 0 */
    double cell_voltage;    /* V of the cathode side vs Li [V] (BOTH) */
    double overpotential;   /* eta [V] >= 0 */
    ssb_se_epath contact;
} ssb_se_dendrite_params;

typedef struct {
    double x_risk;         /* extent from the anode where E <= 0 [m] (0: none, L: the whole path) */
    double risk_fraction;  /* x_risk / L */
    double E_min;          /* minimum of E(x) over the path [V] */
    double E_end;          /* E(L) [V] */
    double i_el;           /* electronic current density along the path [A/m^2] (BOTH: sigma_el V/L; else 0) */
    double li0_rate_bound; /* electron-supply bound on Li0 formation (see above) / F [mol/(m^2 s)]; 0 without
                              risk */
} ssb_se_dendrite_result;

ssb_se_dendrite_params ssb_se_dendrite_params_default(void);
/* Evaluate the indicator; E(x) at n >= 2 equidistant points is written to E (may be NULL, n ignored). */
int ssb_se_dendrite_solve(ssb_ctx *ctx, const ssb_se_dendrite_params *p, ssb_se_dendrite_result *r, int n, double *E);

/* ================================================================================================= *
 * 6. 3-D polycrystal against the brick layer
 *
 * A cubic box of n^3 voxels of edge h = gb_thickness / vox_per_gb is filled with grains (label 1, sigma_bulk) and a
 * GB phase (label 2, sigma_gb, isotropic: across = along) and steady conduction is solved along `axis` with the
 * transport engine (ssb_transport.h, FACE Dirichlet convention). Geometries:
 *   SSB_SE_POLY_VORONOI: Poisson-Voronoi grains of mean equivalent-sphere diameter grain_size, a voxel being GB
 *                        when its centre lies within gb_thickness/2 of a cell face (ssb_micro_generate_polycrystal,
 *                        periodic box, seed + realisation index);
 *   SSB_SE_POLY_CUBIC:   the brick layer itself, voxelised: cubes of period round(grain_size/h) voxels with walls
 *                        of round(gb_thickness/h) voxels on the low side of every period along x, y and z.
 * The 3-D conductivity is compared with two brick-layer predictions (section 1, sigma_gb_par = sigma_gb):
 *   nominal: d = grain_size, delta = gb_thickness (the numbers a user would put into the brick layer);
 *   matched: delta/d = 1 - (1 - f_gb)^(1/3) from the GB voxel fraction f_gb of the 3-D structure (the brick layer
 *            with the same amount of GB phase), which separates the topology of the network from the grain-size
 *            definition.
 * err = (sigma_blm - sigma_3d) / sigma_3d.
 * ================================================================================================= */

typedef enum { SSB_SE_POLY_VORONOI = 0, SSB_SE_POLY_CUBIC = 1 } ssb_se_poly_geometry;

typedef struct {
    ssb_se_poly_geometry geometry; /* default VORONOI */
    double grain_size;             /* [m] > 0 */
    double gb_thickness;           /* [m] > 0, < grain_size */
    double sigma_bulk, sigma_gb;   /* [S/m] > 0 */
    int64_t n;                     /* voxels per box edge, >= 8, default 64 */
    double vox_per_gb;             /* voxels across the GB thickness, >= 1, default 2 */
    ssb_axis axis;                 /* default SSB_AXIS_Z */
    uint64_t seed;                 /* default 1 */
    int realisations;              /* >= 1, default 1 (Voronoi: different seeds) */
    double rtol;                   /* transport tolerance, default 1e-8 */
} ssb_se_polycrystal_params;

typedef struct {
    double sigma_3d;          /* [S/m] mean over realisations */
    double sigma_3d_sd;       /* sample standard deviation (0 for one realisation) */
    double gb_fraction;       /* GB voxel fraction (mean) */
    double grain_size_3d;     /* Voronoi: generator's mean grain diameter; cubic: period [m] */
    double gb_thickness_3d;   /* cubic: wall thickness in voxels * h; Voronoi: gb_thickness [m] */
    double grains_per_edge;   /* box edge / grain_size_3d */
    double sigma_blm;         /* nominal brick layer [S/m] */
    double sigma_blm_matched; /* brick layer with the measured GB fraction [S/m] */
    double err_blm, err_blm_matched;
    double voxel_size; /* h [m] */
    int converged;     /* 1 if every transport solve converged */
    double time_s;     /* wall time of the transport solves [s] */
} ssb_se_polycrystal_result;

ssb_se_polycrystal_params ssb_se_polycrystal_params_default(void);
/* Generate, solve and compare. Allocates an n^3 grid per call (n^3 bytes + the solver's workspace).
 * SSB_ERR_RANGE (parameters, fewer than 1.5 grains per box edge, cubic period < 2 voxels), SSB_ERR_NOPERC (no
 * conducting path), plus the generator's and transport engine's errors. */
int ssb_se_polycrystal_solve(ssb_ctx *ctx, const ssb_se_polycrystal_params *p, ssb_se_polycrystal_result *r);

#ifdef __cplusplus
}
#endif
#endif
