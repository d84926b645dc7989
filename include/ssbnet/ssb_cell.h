/*
 * ssb_cell.h - the cell model: pseudo-two-dimensional (P2D) model of a solid-state lithium cell, with an optional
 * binary liquid electrolyte (Doyle-Fuller-Newman) so that the same code runs liquid and hybrid cells.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Model (tests/reference/cell/EQUATIONS.md sections 5.1-5.4; DESIGN.md "Solid-state P2D")
 *
 * Geometry along x (through the cell), x = 0 at the negative side:
 *   [negative electrode: Li metal foil (planar interface at x = 0) or a composite electrode]
 *   [separator: dense SE layer, or a porous separator filled with liquid]
 *   [positive electrode: composite of active material (AM), ion conductor (SE or liquid), carbon/binder, voids]
 * In each composite electrode (volume fractions eps_active + eps_electrolyte + eps_inert + porosity = 1):
 *   solid potential      d/dx(-sigma_e_eff dphi_s/dx) = -a j
 *   electrolyte potential d/dx(i_e) = a j, single-ion conductor (t+ = 1): i_e = -sigma_i_eff dphi_e/dx
 *                         liquid (optional): i_e = -kappa_eff (dphi_e/dx - (2RT/F)(1-t+) TDF dln c_e/dx)
 *   liquid only          eps_e dc_e/dt = d/dx(D_eff dc_e/dx) + (1-t+) a j / F
 *   particles (sphere R) dc/dt = r^-2 d/dr(r^2 D_s(c) dc/dr), -D_s dc/dr|R = j/F, dc/dr|0 = 0
 *   kinetics             j = 2 i0 sinh(alpha F eta / (R T)),  eta = phi_s - phi_e - U(c_surf/c_max) - j R_int
 *                        i0 = i0_ref sqrt(c_e/c_e,ref) 2 sqrt(theta (1 - theta)), theta = c_surf / c_max
 *                        (single-ion conductor: c_e = c_e,ref, so i0 depends on theta only)
 *   near a full (or empty) particle surface i0 -> 0 as sqrt(1 - theta) and the reaction moves deeper into the
 *   electrode; theta (1 - theta) has a smooth floor of 1e-5 and beyond the limits decays exponentially for the
 *   branch of the reaction that would go further (an overfill of about 1e-4 per 100 mV of extra overpotential at
 *   most) while the branch that comes back keeps at least half the floor; U is continued linearly outside 1e-9 of the
 *   limits, so a Newton iterate never meets an undefined residual. A discharge ends at its cut-off or duration, or
 *   (end reason SSB_CELL_END_EXHAUSTED, not an error) once every particle surface of an electrode is 3e-4 beyond
 *   its limit.
 * j [A/m2] is the current density per ACTIVE interface area, positive for deintercalation (anodic); a [1/m] is
 * the active interface area per electrode volume: given (from the microstructure analysis) or
 * a = 3 eps_active / R * interface_utilisation. R_int [ohm m2 of active interface] is an area-specific interface
 * resistance in series with the kinetics (coating, interphase, contact).
 * Effective conductivities are given (microstructure transport solves) or follow Bruggeman-type relations with the
 * stated exponents: sigma_e_eff = sigma_e eps_solid^b_e (eps_solid = active + inactive AM + carbon),
 * sigma_i_eff = sigma_i eps_electrolyte^b_i
 * (defaults b = 1.5; a "transport efficiency" eps/tau replaces eps^b when given).
 * Li-metal negative electrode: planar Butler-Volmer interface at x = 0 with U = 0,
 *   I = 2 f_c i0_Li sinh(alpha F eta_Li / (R T)),  0 - phi_e(0) = eta_Li + I R_Li / f_c   (f_c contact fraction).
 * Temperature dependence (isothermal runs): Arrhenius factors exp(-Ea/R (1/T - 1/T_ref)) on i0, D_s and, for a
 * liquid, kappa and D_e; an SE named from the database gets sigma(T) from ssb_materials_sigma_ion() at the
 * temperature in effect when the name is read (the file's temperature key is applied first); conductivities given
 * as numbers are used as given.
 * Cell voltage V = phi_s(x = L) - phi_s(x = 0) - I R_contact. Currents are per electrode area [A/m2], positive
 * for discharge.
 *
 * Numerics: finite volumes in x (uniform per region, harmonic-mean face conductances) and in r (shells, uniform by
 * default; surface concentration from the surface flux over the outer half shell); SUNDIALS IDA (variable-order
 * BDF, algebraic variables excluded from the error test) with an analytic sparse Jacobian; the linear systems are
 * solved directly: the particle blocks are eliminated exactly (Thomas algorithm) and the remaining Schur
 * complement is factorised with KLU (numerics.full_klu = 1: KLU on the whole system); IDACalcIC for consistent
 * algebraic variables at t = 0 and after every protocol step change; IDA root finding for voltage / current
 * cut-offs, electrode exhaustion and the safety voltage window. Lithium is conserved exactly by the
 * discretisation (ssb_cell_result_lithium). Spatial convergence is second order in x and r (observed 2.00).
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Cell JSON ("ssbnet-cell-1"). Every number carries its unit in the key name. Materials are looked up by name in
 * the materials database (ssb_materials.h) and any value given in the file overrides the database value.
 * All keys are optional unless stated; unknown keys are SSB_ERR_FORMAT naming the key and listing the valid ones.
 *
 *   { "schema": "ssbnet-cell-1", "title": "...",
 *     "temperature_K": 298.15 | "temperature_C": 25,  "reference_temperature_K": 298.15,
 *     "contact_resistance_ohm_cm2" | "contact_resistance_ohm_m2": 0,
 *     "nominal_capacity_mAh_per_cm2" | "nominal_capacity_Ah_per_m2": (default: positive electrode capacity
 *          between initial_stoichiometry and discharged_stoichiometry),
 *     "electrode_area_cm2" | "electrode_area_m2": 1 m2 (only scales absolute outputs),
 *     "voltage_min_V": 0.0, "voltage_max_V": 6.0   (safety limits: reaching one ends a run with an error),
 *     "positive" (or "cathode"): ELECTRODE, "negative" (or "anode"): NEGATIVE, "separator": SEPARATOR,
 *     "electrolyte": ELECTROLYTE, "current_collectors": CC, "numerics": NUMERICS,
 *     "protocol": "text" | ["step", ...],    (used by ssbnet cell run when no --protocol is given)
 *     "microstructure": {...}, "run": {...}  (read by ssbnet run; ignored here) }
 *
 *   ELECTRODE: "active_material": name (OCV, c_max, density, D_s from the database), "ocv_curve": name,
 *     "diffusivity_curve": name (the material's database D(x) as D_s(x); without it the constant D_Li),
 *     "ocv": "expression in x" | {"expression": "...", "x_range": [a, b]} | {"x": [...], "U": [...]},
 *     "electrolyte": SE name (sigma_i from the database at T), "carbon": name (density),
 *     "thickness_um" (required unless set elsewhere), "active_volume_fraction" (alias "cam_volume_fraction"),
 *     "electrolyte_volume_fraction", "carbon_volume_fraction" (alias "inert_volume_fraction"), "porosity" (voids;
 *     with a liquid electrolyte and no electrolyte_volume_fraction the pores are the electrolyte),
 *     "inactive_active_volume_fraction" (isolated AM: mass only), "particle_radius_um" | "particle_diameter_um" |
 *     "cam_diameter_um", "max_concentration_mol_per_m3" (default: the database's c_max from formula and density),
 *     "initial_stoichiometry" | "initial_voltage_V" (OCV of the initial state, e.g. the upper charge voltage),
 *     "discharged_stoichiometry" | "discharged_voltage_V" (window of the nominal capacity),
 *     "diffusivity_m2_per_s" | "diffusivity_cm2_per_s": number or expression in x = c/c_max,
 *     "electronic_conductivity_S_per_m" (bulk, Bruggeman; a number, or an expression in x = theta / a table: state-
 *     dependent, evaluated at each control volume's mean stoichiometry), "effective_electronic_conductivity_S_per_m",
 *     "ionic_conductivity_S_per_m" | "ionic_conductivity_mS_per_cm" (bulk SE), "effective_ionic_conductivity_S_per_m"
 *     | "effective_ionic_conductivity_mS_per_cm", "bruggeman_electronic", "bruggeman_ionic",
 *     "transport_efficiency" (eps/tau of the ion-conducting phase), "active_area_per_volume_per_m",
 *     "interface_utilisation", "exchange_current_density_A_per_m2" | "exchange_current_density_mA_per_cm2"
 *     (i0 at theta = 0.5, c_e = c_e,ref), "rate_constant_mol_per_m2_s" (BPX k: i0_ref = F k / 2),
 *     "rate_constant_m2.5_per_mol0.5_s" (DUALFOIL rka: i0_ref = F rka sqrt(c_e,ref) c_max / 2),
 *     "exchange_current_prefactor_A_m2.5_per_mol1.5" (PyBaMM m_ref: i0_ref = m_ref sqrt(c_e,ref) c_max / 2),
 *     "transfer_coefficient": 0.5, "interface_resistance_ohm_cm2" | "interface_resistance_ohm_m2" (per active
 *     interface area), "activation_energy_kinetics_kJ_per_mol", "activation_energy_diffusion_kJ_per_mol",
 *     "density_active_kg_per_m3", "density_electrolyte_kg_per_m3", "density_carbon_kg_per_m3".
 *   NEGATIVE: "type": "lithium_metal" (default) | "composite"; composite: the ELECTRODE keys; lithium_metal:
 *     "thickness_um" (foil, mass and volume only), "exchange_current_density_A_per_m2" |
 *     "exchange_current_density_mA_per_cm2", "rate_constant_m2.5_per_mol0.5_s" (DUALFOIL foil: i0 = F k sqrt(c_e)),
 *     "interface_resistance_ohm_cm2" | "interface_resistance_ohm_m2", "contact_fraction", "transfer_coefficient",
 *     "activation_energy_kinetics_kJ_per_mol", "density_kg_per_m3".
 *   SEPARATOR: "electrolyte": SE name, "thickness_um" (required), "electrolyte_volume_fraction" (1 for a dense SE;
 *     alias "porosity" for a liquid), "ionic_conductivity_S_per_m" | "ionic_conductivity_mS_per_cm",
 *     "effective_ionic_conductivity_S_per_m" | "effective_ionic_conductivity_mS_per_cm", "bruggeman",
 *     "transport_efficiency", "density_electrolyte_kg_per_m3", "density_matrix_kg_per_m3".
 *   ELECTROLYTE: "type": "single_ion" (default) | "liquid", "material": SE name used by regions that name none,
 *     "concentration_mol_per_m3" (c_e,ref; liquid: initial), "transference_number",
 *     "conductivity_S_per_m" | "diffusivity_m2_per_s" | "thermodynamic_factor": number or expression in x = c_e
 *     [mol/m3], "activation_energy_conductivity_kJ_per_mol", "activation_energy_diffusivity_kJ_per_mol",
 *     "density_kg_per_m3".
 *   CC: "positive_thickness_um", "negative_thickness_um", "positive_density_kg_per_m3", "negative_density_kg_per_m3".
 *   NUMERICS: "positive_cells", "separator_cells", "negative_cells", "particle_cells", "particle_grid_ratio",
 *     "rtol", "atol", "max_steps", "max_step_s", "max_step_duration_s", "full_klu", "max_voltage_step_mV"
 *     (see ssb_cell_numerics).
 * Expressions use Python syntax in one variable x (numbers, + - * / **, parentheses, exp log log10 sqrt tanh
 * cosh sinh abs, an optional "np." prefix), as in BPX files.
 *
 * BPX import (Battery Parameter eXchange, tests/reference/cell/bpx): see ssb_cell_params_from_bpx.
 * ---------------------------------------------------------------------------------------------------------------
 * Protocols (ssb_cell_protocol_parse): steps separated by newlines or ';', case-insensitive:
 *   Discharge|Charge at <current> [for <duration>] [or] [until <voltage>]
 *   Discharge|Charge at <power> [for <duration>] [or] [until <voltage>]        (constant power)
 *   Discharge|Charge at <resistance> [for <duration>] [or] [until <voltage>]   (constant load resistance)
 *   Hold at <voltage> [for <duration>] [or] [until <current>]                   (constant voltage)
 *   Rest for <duration>
 *   Repeat <n> times: step; step; ...        (the rest of the line)   or   Repeat <n> times  ...  End  (lines)
 * current: "1C", "C/3", "0.5 C", "20 A/m2", "2 mA/cm2"; voltage: "3.0 V", "4200 mV"; power: "30 W/m2",
 * "3 mW/cm2"; resistance: "2 ohm m2", "20 ohm cm2"; duration: "30 s", "10 minutes", "1 hour" (s, sec, seconds,
 * min, minutes, h, hr, hours). A step with a cut-off ends when it is reached. Inside a Repeat block, a voltage
 * cut-off that ends a step with a duration before its time is up ("Discharge at C/10 for 10 min or until 3.0 V")
 * also ends the block (GITT: pulses until the cut-off); steps without a duration ("Discharge at 1C until 3.0 V")
 * end normally at their cut-off, so cycling blocks run all repetitions. A step with "until" and no duration runs
 * at most numerics.max_step_duration_s; a '#' starts a comment.
 * A parse error is SSB_ERR_ARG; the message names the line, the column and the offending word.
 * ---------------------------------------------------------------------------------------------------------------
 * Error codes specific to this module:
 *   SSB_ERR_CUTOFF    a cut-off that is never reached (the step's duration limit hit first): the message says
 *                     which cut-off, the time and the state. (An exhausted electrode ends its step with
 *                     SSB_CELL_END_EXHAUSTED instead of an error, a depleted liquid electrolyte with
 *                     SSB_CELL_END_DEPLETED.)
 *   SSB_ERR_RANGE     parameters out of range; the voltage leaving the safety window (voltage_min_V,
 *                     voltage_max_V) other than by a discharge reaching its floor or a charge its ceiling, which
 *                     ends the step as a voltage cut-off (SSB_CELL_END_VOLTAGE).
 *   SSB_ERR_NOCONV    solver failure: the message gives the step, time, voltage, current, the extreme surface
 *                     stoichiometries and the IDA cause.
 *   SSB_ERR_NOTFOUND  unknown material or OCV curve (with suggestions from the database).
 *   SSB_ERR_FORMAT    malformed JSON (file:line:col), a missing required key, an unknown key, a wrong type.
 *   SSB_ERR_ARG       a protocol that does not parse (line, column, word); a bad expression (column).
 * Thread-safety: different objects may be used from different threads, each with its own context.
 */
#ifndef SSB_CELL_H
#define SSB_CELL_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_materials.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================== parameters */

typedef enum { SSB_CELL_NEG = 0, SSB_CELL_POS = 1 } ssb_cell_side;
typedef enum { SSB_CELL_ANODE_LI_METAL = 0, SSB_CELL_ANODE_COMPOSITE = 1 } ssb_cell_anode_kind;
typedef enum { SSB_CELL_SINGLE_ION = 0, SSB_CELL_LIQUID = 1 } ssb_cell_electrolyte_kind;
/* How the kinetic constant of an electrode is given (converted to i0_ref at ssb_cell_create). */
typedef enum {
    SSB_CELL_KIN_I0 = 0,       /* kinetic_constant = i0_ref [A/m2] at theta = 0.5, c_e = c_e,ref */
    SSB_CELL_KIN_BPX_K = 1,    /* BPX k [mol/(m2 s)]: i0_ref = F k / 2 */
    SSB_CELL_KIN_DUALFOIL = 2, /* DUALFOIL rka [m^2.5/(mol^0.5 s)]: i0_ref = F rka sqrt(c_e,ref) c_max / 2 */
    SSB_CELL_KIN_PYBAMM = 3    /* PyBaMM m_ref [A/m2 (m3/mol)^1.5]: i0_ref = m_ref sqrt(c_e,ref) c_max / 2 */
} ssb_cell_kinetics_kind;

#define SSB_CELL_NAME_LEN 64

/* A composite electrode. NaN marks "derive it" where stated. */
typedef struct {
    char active_material[SSB_CELL_NAME_LEN]; /* informational (set by the JSON reader) */
    char electrolyte[SSB_CELL_NAME_LEN];     /* SE / liquid name, informational */
    double thickness;                        /* [m], > 0 */
    double eps_active;                       /* electrochemically active AM volume fraction, (0, 1) */
    double eps_active_dead;                  /* isolated AM volume fraction (mass and volume only), [0, 1) */
    double eps_electrolyte;                  /* ion-conducting phase (SE or liquid) volume fraction, [0, 1) */
    double eps_inert;                        /* carbon + binder volume fraction, [0, 1) */
    double porosity;                         /* empty voids, [0, 1); the five fractions sum to 1 (+- 1e-6) */
    double particle_radius;                  /* [m], > 0 */
    double c_max;                            /* [mol/m3], > 0 */
    double sto_init;                         /* initial theta = c/c_max, (0, 1) */
    double sto_discharged;   /* theta at the end of a nominal discharge (nominal capacity); NaN: OCV range end */
    double D_s;              /* solid diffusivity [m2/s], > 0 (a D_s(x) function, when set, replaces it) */
    double sigma_e;          /* bulk electronic conductivity of the solid matrix [S/m], > 0 */
    double sigma_e_eff;      /* effective electronic conductivity [S/m]; NaN: sigma_e (eps_solid)^brugg_e */
    double sigma_i;          /* bulk ionic conductivity of the SE [S/m] (single-ion mode), > 0 */
    double sigma_i_eff;      /* effective ionic conductivity [S/m]; NaN: sigma_i * transport efficiency */
    double brugg_e, brugg_i; /* Bruggeman exponents, >= 0 (default 1.5) */
    double transport_eff;    /* eps/tau of the ion conductor; NaN: eps_electrolyte^brugg_i */
    double area_per_volume;  /* active interface area per volume a [1/m]; NaN: 3 eps_active / R * utilisation */
    double utilisation;      /* fraction of the AM surface touching the ion conductor, (0, 1] */
    ssb_cell_kinetics_kind kinetics_kind;
    double kinetic_constant; /* see ssb_cell_kinetics_kind, > 0 */
    double alpha;            /* symmetric transfer coefficient, (0, 1], default 0.5 */
    double R_interface;      /* area-specific interface resistance [ohm m2 of active interface], >= 0 */
    double Ea_kinetics;      /* [J/mol], >= 0 */
    double Ea_diffusion;     /* [J/mol], >= 0 */
    double rho_active, rho_electrolyte, rho_inert; /* densities [kg/m3] for the energy density, >= 0 */
    double V_init;       /* OCV [V vs Li] of the initial state (e.g. the upper charge voltage); when given and
                            sto_init is NaN, sto_init solves U(sto_init) = V_init inside the OCV's range; NaN: unused */
    double V_discharged; /* OCV [V vs Li] ending the nominal discharge window; when given and sto_discharged is NaN,
                            U(sto_discharged) = V_discharged, or the OCV's range end (full lithiation) when the curve
                            stays above V_discharged; NaN: unused */
    double sigma_T, sigma_Ea_eV; /* temperature law of this region's sigma_i: see ssb_cell_sigma_factor */
} ssb_cell_electrode;

typedef struct {
    char electrolyte[SSB_CELL_NAME_LEN];
    double thickness;                   /* [m], > 0 */
    double eps_electrolyte;             /* (0, 1]; 1 for a dense SE layer */
    double sigma_i;                     /* bulk ionic conductivity [S/m] (single-ion mode), > 0 */
    double sigma_i_eff;                 /* [S/m]; NaN: sigma_i * transport efficiency */
    double brugg;                       /* default 1.5 */
    double transport_eff;               /* NaN: eps^brugg */
    double rho_electrolyte, rho_matrix; /* [kg/m3] */
    double sigma_T, sigma_Ea_eV;        /* temperature law of sigma_i (single-ion): see ssb_cell_sigma_factor */
} ssb_cell_separator;

typedef struct {
    double thickness;        /* Li foil thickness [m] (mass and volume only), >= 0 */
    double i0;               /* exchange current density [A/m2] at c_e,ref (liquid: scales with sqrt(c_e/c_ref)) */
    double alpha;            /* (0, 1], default 0.5 */
    double R_interface;      /* [ohm m2], >= 0 */
    double contact_fraction; /* (0, 1]: i0 scales with it, R_interface with its inverse */
    double Ea_kinetics;      /* [J/mol] */
    double density;          /* [kg/m3] */
} ssb_cell_limetal;

typedef struct {
    ssb_cell_electrolyte_kind kind;
    char material[SSB_CELL_NAME_LEN];
    double c_ref;          /* [mol/m3] reference (single-ion) or initial (liquid) concentration, > 0 */
    double t_plus;         /* liquid: cation transference number, [0, 1) */
    double kappa;          /* liquid: conductivity [S/m] when no kappa(c) function is set */
    double D_e;            /* liquid: salt diffusivity [m2/s] when no D(c) function is set */
    double tdf;            /* liquid: thermodynamic factor 1 + dln f/dln c when no function is set */
    double Ea_kappa, Ea_D; /* [J/mol] */
    double density;        /* [kg/m3] (liquid mass) */
} ssb_cell_electrolyte;

typedef struct {
    double T;                /* temperature [K], > 0 (default 298.15) */
    double T_ref;            /* reference temperature of the Arrhenius factors [K] (298.15) */
    double R_contact;        /* lumped series resistance [ohm m2], >= 0 */
    double nominal_capacity; /* [C/m2] defining 1C; NaN: positive capacity sto_init -> sto_discharged */
    double area;             /* electrode area [m2] for absolute outputs, > 0 (default 1) */
    double cc_pos_thickness, cc_neg_thickness; /* current collector thicknesses [m], >= 0 (default 0; the built-in
                                                  default cell: 12 um Al, 8 um Cu) */
    double cc_pos_density, cc_neg_density;     /* [kg/m3] (default 2700 Al, 8960 Cu) */
    double V_min, V_max; /* safety window [V] (default 0 and 6): leaving it ends a run with SSB_ERR_RANGE */
} ssb_cell_general;

typedef struct {
    int n_neg, n_sep, n_pos;    /* control volumes per region (>= 1; n_neg unused with Li metal) */
    int n_r;                    /* control volumes per particle, >= 2 */
    double particle_grid_ratio; /* width of the innermost / outermost particle shell, >= 1 (geometric spacing;
                                   default 1 = uniform shells) */
    double rtol; /* IDA relative tolerance (default 1e-4; the validation cases change < 0.1 mV to 1e-6) */
    double atol; /* absolute tolerance as a fraction of each variable's scale (c_max, 1 V, 1C current; default 1e-6) */
    long max_steps;           /* internal steps per protocol step (default 100000) */
    double max_step;          /* largest internal time step [s]; 0: unlimited */
    double max_step_duration; /* longest "until" step without a duration [s] (default 1e6) */
    int full_klu;             /* 0 (default): particle blocks eliminated, KLU on the remaining system;
                                 1: KLU on the full system (same Jacobian; for cross-checks) */
    double max_dV; /* largest change of the cell voltage per internal step [V] (default 0.005; 0: unlimited). The
                      voltage is algebraic (outside IDA's error test); this bound keeps the cut-off time and the
                      energy accurate (default cell, 0.5C-3C: energy within 4e-7 of a fine-step run at rtol 1e-4) */
} ssb_cell_numerics;

/* All scalar parameters; copy out, change, copy back (ssb_cell_params_get_values / set_values). */
typedef struct {
    ssb_cell_general cell;
    ssb_cell_anode_kind anode;
    ssb_cell_electrode pos, neg; /* neg used for SSB_CELL_ANODE_COMPOSITE */
    ssb_cell_separator sep;
    ssb_cell_limetal li; /* used for SSB_CELL_ANODE_LI_METAL */
    ssb_cell_electrolyte el;
    ssb_cell_numerics num;
} ssb_cell_values;

/* Function-valued parameters. */
typedef enum {
    SSB_CELL_FN_OCV_POS = 0, /* U(x) [V vs Li], x = theta; required */
    SSB_CELL_FN_OCV_NEG,     /* U(x) [V vs Li]; required for a composite negative */
    SSB_CELL_FN_DS_POS,      /* D_s(x) [m2/s], x = theta; replaces D_s when set */
    SSB_CELL_FN_DS_NEG,
    SSB_CELL_FN_KAPPA, /* liquid conductivity kappa(c_e) [S/m], c_e in mol/m3 */
    SSB_CELL_FN_DIFF,  /* liquid diffusivity D_e(c_e) [m2/s] */
    SSB_CELL_FN_TDF,   /* thermodynamic factor(c_e) */
    SSB_CELL_FN_SIGE_POS, /* bulk electronic conductivity sigma_e(x) [S/m] of the solid matrix, x = theta, the mean
                             stoichiometry of each control volume's particles; replaces sigma_e when set: the local
                             effective value is sigma_e(theta) times the microstructure factor (sigma_e_eff /
                             sigma_e when both are given, else eps_solid^brugg_e) */
    SSB_CELL_FN_SIGE_NEG,
    SSB_CELL_FN_TPLUS, /* liquid cation transference number t+(c_e), c_e in mol/m3; replaces transference_number */
    SSB_CELL_FN_COUNT
} ssb_cell_fn_slot;

/* Parameter set (opaque: owns the function tables and expressions). */
typedef struct ssb_cell_params ssb_cell_params;

/* The built-in default solid-state cell (the `ssbnet run` cell): NCM811 (Chen2020 OCV fit read as the Li fraction,
 * crystallographic c_max from the database, initial OCV 4.3 V) 60 um composite cathode with Li6PS5Cl (0.60 / 0.32 /
 * 0.03 carbon / 0.05 voids, R = 2.5 um), a 30 um Li6PS5Cl separator and a 20 um Li metal foil, 298.15 K. Values and sources are listed in src/cell/cell_params.c. db: the materials
 * database (OCV, SE conductivity, densities); NULL loads the built-in one. Returns SSB_OK, SSB_ERR_NOMEM, or an
 * error of the database. Caller owns *p (ssb_cell_params_destroy). */
int ssb_cell_params_default(ssb_ctx *ctx, const ssb_materials *db, ssb_cell_params **p);
/* The built-in default cell as cell JSON (static string; what ssb_cell_params_default reads). */
const char *ssb_cell_params_default_json(void);
/* An empty parameter set: every required value NaN, no OCV (to be filled by set_values / set_fn). */
int ssb_cell_params_create(ssb_ctx *ctx, ssb_cell_params **p);
void ssb_cell_params_destroy(ssb_cell_params **p);
/* Deep copy. */
int ssb_cell_params_copy(ssb_ctx *ctx, const ssb_cell_params *src, ssb_cell_params **dst);

/* Read a cell JSON file (schema above); db: materials database (NULL: the built-in one is loaded when a material
 * name is used). Missing values keep the defaults of ssb_cell_params_create (required ones must then be given).
 * Errors: SSB_ERR_IO, SSB_ERR_FORMAT (file:line:col, unknown key, wrong type, missing required key naming the
 * key), SSB_ERR_RANGE (key, value and valid range), SSB_ERR_NOTFOUND (unknown material with suggestions). */
int ssb_cell_params_from_json(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **p);
/* Same from a string; name labels messages. */
int ssb_cell_params_from_json_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                                     ssb_cell_params **p);
/* Apply a JSON object (same schema) on top of p (used for overlays and the BPX "ssbnet" block). */
int ssb_cell_params_apply_json_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                                      ssb_cell_params *p);
/* Import a BPX file (v0.x layout as in the examples, or v1 with State). Mapping: electrode "Conductivity" is
 * effective; "Transport efficiency" = eps/tau of the electrolyte; "Surface area per unit volume" is a, the AM
 * fraction is a R / 3; "Reaction rate constant" k gives i0_ref = F k / 2; initial stoichiometries from the
 * "Initial state-of-charge" (default 1) between "Minimum/Maximum stoichiometry"; nominal capacity from the cell's
 * capacity / (electrode area x pairs); the electrolyte is liquid. An optional top-level "ssbnet" object is then
 * applied as a cell-JSON overlay (e.g. {"electrolyte": {"type": "single_ion"}, "separator": {...},
 * "negative": {"type": "lithium_metal", ...}}). Errors as ssb_cell_params_from_json. */
int ssb_cell_params_from_bpx(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **p);
/* Number of validation series of the last BPX import (0 if none) and series i: time [s], current per electrode
 * area [A/m2, discharge positive], voltage [V]. Borrowed arrays, valid until p is destroyed. */
int ssb_cell_params_bpx_nvalidation(const ssb_cell_params *p);
int ssb_cell_params_bpx_validation(ssb_ctx *ctx, const ssb_cell_params *p, int i, const char **name, int *n,
                                   const double **t, const double **I, const double **V);

/* Scalars: copy out / validate and copy in. set_values returns SSB_ERR_RANGE naming the field, value and range
 * (p unchanged on error); fields checked at ssb_cell_create are marked there. */
void ssb_cell_params_get_values(const ssb_cell_params *p, ssb_cell_values *v);
int ssb_cell_params_set_values(ssb_ctx *ctx, ssb_cell_params *p, const ssb_cell_values *v);
/* Set / get one scalar by its JSON key path in JSON units, e.g. "positive.thickness_um" = 60,
 * "separator.ionic_conductivity_mS_per_cm" = 2.5, "temperature_C" = 60. SSB_ERR_NOTFOUND for an unknown key
 * (closest keys in the message), SSB_ERR_RANGE for a value out of range. */
int ssb_cell_params_set(ssb_ctx *ctx, ssb_cell_params *p, const char *key, double value);
int ssb_cell_params_get(ssb_ctx *ctx, const ssb_cell_params *p, const char *key, double *value);

/* Function slots: an expression (Python syntax in x, see above), a table (copied; x strictly increasing after
 * sorting, linear-in-slope monotone cubic (PCHIP) interpolation, linear extrapolation; the D_s(x) and sigma_e(x)
 * slots, which vary over orders of magnitude with the state of charge, take PCHIP through ln y, need y > 0
 * (SSB_ERR_RANGE naming the point) and hold the end values outside the table), a constant, or a database
 * OCV curve (a table: its points, the same PCHIP as the database's; a function or MSMR curve: sampled adaptively to
 * 2e-6 V). x_min/x_max: validity range (NaN: none); outside it the function is
 * extrapolated and the run logs a warning once. SSB_ERR_ARG for a bad expression (column), SSB_ERR_NOTFOUND for
 * an unknown material / curve. */
int ssb_cell_params_set_fn_expr(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, const char *expr, double x_min,
                                double x_max);
int ssb_cell_params_set_fn_table(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, int n, const double *x,
                                 const double *y);
int ssb_cell_params_set_fn_const(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_fn_slot slot, double value);
int ssb_cell_params_set_ocv_material(ssb_ctx *ctx, ssb_cell_params *p, ssb_cell_side side, const ssb_materials *db,
                                     const char *material, const char *curve);
/* Remove a function (slot falls back to the scalar value). */
void ssb_cell_params_clear_fn(ssb_cell_params *p, ssb_cell_fn_slot slot);
/* Evaluate a slot at x (value and derivative; dydx may be NULL). SSB_ERR_NOTFOUND when the slot is empty. */
int ssb_cell_params_eval_fn(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_fn_slot slot, double x, double *y,
                            double *dydx);
/* Protocol text stored with the parameters (from the JSON "protocol" key), NULL if none. Borrowed. */
const char *ssb_cell_params_protocol(const ssb_cell_params *p);

/* Derived quantities of a parameter set (after the defaults are resolved). */
typedef struct {
    double capacity_pos, capacity_neg; /* theoretical capacity of each electrode [C/m2] over theta 0..1 (neg: Li
                                          foil capacity, 0 for an anode-free cell) */
    double nominal_capacity;           /* [C/m2] (1C = nominal_capacity / 3600 s) */
    double sigma_e_eff_pos, sigma_i_eff_pos, a_pos, i0_ref_pos; /* [S/m, S/m, 1/m, A/m2] at T */
    double sigma_e_eff_neg, sigma_i_eff_neg, a_neg, i0_ref_neg;
    double sigma_sep_eff; /* [S/m] at T */
    double i0_li;         /* Li-metal exchange current density at T (with contact fraction) [A/m2] */
    double ocv_init;      /* open-circuit voltage at the initial state [V] */
    double mass, volume;  /* stack mass [kg/m2] and thickness [m] incl. current collectors */
    double mass_cc, mass_pos, mass_sep, mass_neg; /* [kg/m2] */
    double mass_am_pos; /* [kg/m2] active material of the positive electrode (active + inactive AM), the mass that
                           specific capacities are given per */
} ssb_cell_derived;
int ssb_cell_params_derive(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell_derived *d);
/* Regions of the cell along x (the numbering of the profiles' and end reasons' region fields). */
typedef enum { SSB_CELL_REGION_NEG = 0, SSB_CELL_REGION_SEP = 1, SSB_CELL_REGION_POS = 2 } ssb_cell_region;
/* The factor by which the model multiplies a single-ion cell's ionic conductivity of one region (separator,
 * positive or negative composite) at the cell temperature T. Each region's electrolyte has its own law: where its
 * conductivity came from the materials database (the cell-file reader sets the region's sigma_T, the temperature
 * it was evaluated at, and sigma_Ea_eV, the database's local activation energy of sigma T there), the sigma T
 * Arrhenius law from sigma_T (1 when T = sigma_T; NaN when sigma_Ea_eV is NaN, i.e. the database gives no nominal
 * activation energy, and T differs: the model then refuses the cell); else (conductivity given as a number)
 * exp(-Ea_kappa / R (1/T - 1/T_ref)). 1 for a liquid electrolyte. */
double ssb_cell_sigma_factor(const ssb_cell_values *v, ssb_cell_region region);

/* ================================================================================================ protocol */

typedef struct ssb_cell_protocol ssb_cell_protocol;

typedef enum {
    SSB_CELL_STEP_CURRENT = 0, /* value: current [A/m2] (or C-rate when crate = 1), discharge > 0 */
    SSB_CELL_STEP_VOLTAGE,     /* value: voltage [V] */
    SSB_CELL_STEP_POWER,       /* value: power [W/m2], discharge > 0 */
    SSB_CELL_STEP_RESISTANCE,  /* value: load resistance [ohm m2] (discharge only) */
    SSB_CELL_STEP_REST         /* current 0 */
} ssb_cell_step_kind;

/* One expanded step (Repeat blocks unrolled). */
typedef struct {
    ssb_cell_step_kind kind;
    double value;    /* see kind; for a C-rate current: the C-rate (signed) */
    int crate;       /* 1: value is a C-rate */
    double duration; /* [s]; NaN: none */
    double v_cut;    /* voltage cut-off [V]; NaN: none */
    double i_cut;    /* |current| cut-off [A/m2] for Hold (or C-rate when i_cut_crate = 1); NaN: none */
    int i_cut_crate;
    int block;        /* index of the Repeat block (-1: none); see the protocol grammar for when it ends early */
    int line;         /* 1-based source line */
    const char *text; /* source text of the step (borrowed) */
} ssb_cell_step;

/* Parse protocol text (grammar in the header comment). SSB_ERR_ARG: "protocol line L, column C: <what> at
 * '<word>'". Caller owns *proto. */
int ssb_cell_protocol_parse(ssb_ctx *ctx, const char *text, ssb_cell_protocol **proto);
void ssb_cell_protocol_destroy(ssb_cell_protocol **proto);
int ssb_cell_protocol_nsteps(const ssb_cell_protocol *proto);
/* Step i (0 <= i < nsteps) or NULL. Borrowed. */
const ssb_cell_step *ssb_cell_protocol_step(const ssb_cell_protocol *proto, int i);

/* ============================================================================================ model + runs */

typedef struct ssb_cell ssb_cell;

/* Build the model: validate the parameters (SSB_ERR_RANGE / SSB_ERR_FORMAT naming the key, value and range; a
 * missing required value names its JSON key), discretise, allocate IDA + KLU. The parameters are copied. */
int ssb_cell_create(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell **cell);
void ssb_cell_destroy(ssb_cell **cell);
/* Number of unknowns of the DAE and of non-zeros of its Jacobian. */
long ssb_cell_size(const ssb_cell *cell, long *nnz);
/* The derived quantities used by this model. */
const ssb_cell_derived *ssb_cell_get_derived(const ssb_cell *cell);

typedef struct {
    const double *profile_times; /* times [s] at which x-profiles are stored (borrowed, may be NULL) */
    int nprofiles;
    int profiles_at_step_ends; /* 1: also store a profile at the end of each step */
    int record_every;          /* store every k-th internal step (>= 1; default 1); step ends always stored */
    int breakdown;             /* 1 (default): compute the overpotential breakdown at every stored point */
} ssb_cell_run_params;
ssb_cell_run_params ssb_cell_run_params_default(void);

typedef struct ssb_cell_result ssb_cell_result;

/* Run a protocol from the initial state of the parameters. Errors: SSB_ERR_CUTOFF (cut-off never reached),
 * SSB_ERR_NOCONV (solver failure), SSB_ERR_CANCELLED (progress callback); *res is NULL on error (no partial
 * output). Progress is reported as stage "cell" in protocol steps. */
int ssb_cell_run(ssb_ctx *ctx, ssb_cell *cell, const ssb_cell_protocol *proto, const ssb_cell_run_params *rp,
                 ssb_cell_result **res);
/* Parse and run. */
int ssb_cell_run_protocol(ssb_ctx *ctx, ssb_cell *cell, const char *protocol, const ssb_cell_run_params *rp,
                          ssb_cell_result **res);
void ssb_cell_result_destroy(ssb_cell_result **res);

/* ------------------------------------------------------------------------------------------------ results */

typedef enum {
    SSB_CELL_T = 0, /* time [s] */
    SSB_CELL_V,     /* voltage [V] */
    SSB_CELL_I,     /* current density [A/m2], discharge > 0 */
    SSB_CELL_Q,     /* discharged charge since t = 0 [C/m2] (Ah/m2 = C/m2 / 3600) */
    SSB_CELL_E,     /* discharged energy since t = 0 [J/m2] */
    SSB_CELL_OCV,   /* open-circuit voltage of the average electrode compositions [V] */
    SSB_CELL_STEP,  /* protocol step index (as double) */
    SSB_CELL_SERIES_COUNT
} ssb_cell_series;

int ssb_cell_result_npoints(const ssb_cell_result *res);
/* Borrowed array of npoints values, NULL for an invalid series. */
const double *ssb_cell_result_series(const ssb_cell_result *res, ssb_cell_series s);

/* Loss processes of the overpotential breakdown. V = OCV - sum_k loss[k] - residual. Each loss is the
 * current-weighted contribution of one process [V], positive when it lowers the discharge voltage (negative on
 * charge): ionic ohmic (separator, composites), electronic ohmic, charge transfer, interface resistance, solid
 * diffusion (U(c_bulk avg) - reaction-weighted U(c_surf)), electrolyte concentration (liquid), contact. */
typedef enum {
    SSB_CELL_LOSS_IONIC_SEP = 0,
    SSB_CELL_LOSS_IONIC_POS,
    SSB_CELL_LOSS_IONIC_NEG,
    SSB_CELL_LOSS_ELECTRONIC_POS,
    SSB_CELL_LOSS_ELECTRONIC_NEG,
    SSB_CELL_LOSS_CT_POS,
    SSB_CELL_LOSS_CT_NEG, /* Li metal: the planar interface */
    SSB_CELL_LOSS_FILM_POS,
    SSB_CELL_LOSS_FILM_NEG, /* Li metal: R_interface */
    SSB_CELL_LOSS_DIFF_POS,
    SSB_CELL_LOSS_DIFF_NEG,
    SSB_CELL_LOSS_ELECTROLYTE, /* liquid concentration overpotential (diffusion potential) */
    SSB_CELL_LOSS_CONTACT,
    SSB_CELL_LOSS_COUNT
} ssb_cell_loss;

typedef struct {
    double ocv;                       /* [V] */
    double loss[SSB_CELL_LOSS_COUNT]; /* [V] */
    double voltage;                   /* [V] */
    double residual;                  /* OCV - sum(loss) - voltage [V] (discretisation; ~0) */
} ssb_cell_breakdown;

/* Short name of a loss ("ionic_separator", "ionic_positive", ...) and a readable label. */
const char *ssb_cell_loss_name(ssb_cell_loss k);
const char *ssb_cell_loss_label(ssb_cell_loss k);
/* Breakdown at stored point i. SSB_ERR_RANGE for a bad index; SSB_ERR_UNSUPPORTED when the run had
 * breakdown = 0. */
int ssb_cell_result_breakdown_at(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_breakdown *b);

/* One protocol step as run. */
typedef enum {
    SSB_CELL_END_DURATION = 0, /* its duration elapsed */
    SSB_CELL_END_VOLTAGE,      /* voltage cut-off reached */
    SSB_CELL_END_CURRENT,      /* current cut-off reached */
    SSB_CELL_END_SKIPPED,      /* skipped (a voltage cut-off or an exhausted electrode ended its Repeat block) */
    SSB_CELL_END_EXHAUSTED,    /* an electrode is exhausted: every particle surface in it at its limit, so that it
                                  takes no more charge at this current (the voltage falls without bound, like
                                  DUALFOIL's end of a leg); a timed step ends early, a step with a cut-off ends here
                                  just before reaching it; ends its Repeat block like a voltage cut-off */
    SSB_CELL_END_DEPLETED,     /* liquid electrolyte depleted: the salt concentration has fallen below 1e-2 of its
                                  initial value over a zone (depleted_from_x .. depleted_to_x) and the voltage runs
                                  away (the limiting current) until the solver no longer advances; ends the
                                  step and its Repeat block like an exhausted electrode. A zone that runs out while
                                  the reaction moves elsewhere and the voltage holds is no end */
    SSB_CELL_END_SATURATED     /* particle surfaces at their limit (full when filled, empty when emptied) over a zone
                                  (saturated_from_x .. saturated_to_x) and the reaction does not move deeper at this
                                  current: the surface meets its limit as a wall (fast kinetics, e.g. graphite charged
                                  at a high rate) and the solver cannot continue. Charging a negative electrode into it
                                  risks lithium plating. Ends the step and its Repeat block like an exhausted electrode
                                  (DUALFOIL stops there with "did not converge") */
} ssb_cell_end_reason;

typedef struct {
    int index;        /* expanded step index */
    const char *text; /* borrowed */
    ssb_cell_end_reason end;
    double t_start, t_end;        /* [s] */
    double capacity;              /* charge passed in the step [C/m2], discharge > 0 */
    double energy;                /* energy in the step [J/m2], discharge > 0 */
    double v_start, v_end;        /* [V] */
    double i_mean;                /* mean current [A/m2] */
    int first, last;              /* stored-point range */
    ssb_cell_breakdown mean;      /* charge-weighted mean breakdown over the step (ocv, voltage: mean values;
                                     mean.voltage = energy / capacity when charge passed) */
    ssb_cell_breakdown end_state; /* breakdown at the step end */
    double depleted_from_x;       /* SSB_CELL_END_DEPLETED: the zone where the electrolyte ran out (CV faces, x = 0 */
    double depleted_to_x;         /* at the negative side) [m]; NaN otherwise */
    int depleted_region;          /* region of its lowest c_e: 0 negative composite, 1 separator, 2 positive; -1 */
    double saturated_from_x;      /* SSB_CELL_END_SATURATED: the zone of particle surfaces within 2e-2 of their */
    double saturated_to_x;        /* limit around the one nearest to it (CV faces, x = 0 at the negative side) [m] */
    int saturated_region;         /* its electrode: 0 negative, 2 positive; -1 otherwise */
    double saturated_theta;       /* the surface stoichiometry nearest to the limit; NaN otherwise */
    double saturated_phi_vs_li;   /* phi_s - phi_e there [V] (against a Li reference in the electrolyte): < 0 on a
                                     negative electrode being charged plates lithium */
} ssb_cell_step_result;

int ssb_cell_result_nsteps(const ssb_cell_result *res);
int ssb_cell_result_step(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_step_result *s);
/* The loss with the largest step-mean magnitude (the bottleneck) of step i. */
int ssb_cell_result_bottleneck(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_loss *k, double *value);

/* x-profiles (stored at run params' profile_times and optionally at step ends). Arrays of n values, borrowed. */
typedef struct {
    double t;             /* [s] */
    int n;                /* control volumes across the cell */
    const double *x;      /* CV centres [m] */
    const int *region;    /* 0 negative composite, 1 separator, 2 positive */
    const double *c_surf; /* particle surface concentration [mol/m3] (NaN in the separator) */
    const double *c_avg;  /* particle average concentration [mol/m3] (NaN in the separator) */
    const double *phi_s;  /* solid potential [V] (NaN in the separator) */
    const double *phi_e;  /* electrolyte potential [V] */
    const double *j;      /* interfacial current density [A/m2 of active interface] (0 in the separator) */
    const double *c_e;    /* electrolyte concentration [mol/m3] (c_ref for a single-ion conductor) */
    const double *i_e;    /* electrolyte current density at the CV centre [A/m2] */
} ssb_cell_profile;
int ssb_cell_result_nprofiles(const ssb_cell_result *res);
int ssb_cell_result_profile(ssb_ctx *ctx, const ssb_cell_result *res, int i, ssb_cell_profile *prof);

/* Lithium bookkeeping at stored point i: moles of cyclable Li per electrode area in each composite electrode's
 * particles (mol/m2; Li metal: from the charge passed) and the charge passed since t = 0. For an exact FV scheme:
 * F (n_pos(i) - n_pos(0)) = Q(i) and F (n_neg(0) - n_neg(i)) = Q(i). */
int ssb_cell_result_lithium(ssb_ctx *ctx, const ssb_cell_result *res, int i, double *n_pos, double *n_neg, double *Q);

/* Solver statistics of the run: internal steps, residual evaluations, Jacobian evaluations, nonlinear iterations,
 * error-test failures, wall time [s]. */
typedef struct {
    long steps, resevals, jacevals, nliters, etfails;
    double wall;
} ssb_cell_stats;
void ssb_cell_result_stats(const ssb_cell_result *res, ssb_cell_stats *s);

/* Energy density of a step's discharge energy: gravimetric [Wh/kg] and volumetric [Wh/L] of the stack
 * (current collectors, Li foil or composite negative, separator, positive). */
int ssb_cell_result_energy_density(ssb_ctx *ctx, const ssb_cell_result *res, int step, double *wh_per_kg,
                                   double *wh_per_l);

/* CSV writers (atomic: PATH.tmp.XXXXXX renamed onto PATH; nothing is left on failure).
 * Time series: t_s, V_V, I_A_per_m2, Q_Ah_per_m2, E_Wh_per_m2, OCV_V, step, then one column per loss [V].
 * Profiles: profile, t_s, x_um, region, c_surf, c_avg, phi_s, phi_e, j, c_e, i_e. */
int ssb_cell_result_write_csv(ssb_ctx *ctx, const ssb_cell_result *res, const char *path);
int ssb_cell_result_write_profiles_csv(ssb_ctx *ctx, const ssb_cell_result *res, const char *path);

/* ---------------------------------------------------------------------------------------- rate capability */

#define SSB_CELL_REASON_LEN 384

/* One C-rate of a rate sweep. A rate the cell cannot carry at all (sustained = 0: the voltage under load at
 * t = 0+, from the consistent initial state, is already at or below the cut-off) delivers nothing: capacity,
 * energy, wh_per_kg and wh_per_l are 0, v_mean is NaN (print "-"), mean = start, bottleneck is the largest loss
 * at t = 0+ (why it is not sustained, not a bottleneck of a discharge), and reason says so in words with the
 * voltage, the cut-off and the largest losses at t = 0+. When not even a consistent state under load exists at
 * t = 0+ (the solver fails at the start of the discharge, e.g. the particle surfaces would pass their limit at
 * once), the point is also not sustained, start and mean are all NaN (bottleneck is a valid index without meaning)
 * and the reason quotes the solver. A liquid electrolyte that runs out before the cut-off (SSB_CELL_END_DEPLETED)
 * is not sustained either, but keeps what it delivered until then (capacity, energy, v_mean, mean, energy densities;
 * bottleneck the largest mean loss, without meaning as a bottleneck) and the reason gives where, when and at which
 * voltage. Rank bottlenecks over sustained points only: ssb_cell_rate_sweep_last_sustained. */
typedef struct {
    double crate;               /* C-rate */
    double current;             /* [A/m2] */
    double capacity;            /* discharged to the cut-off [C/m2] */
    double energy;              /* [J/m2] (the solver's integral of V I dt, exact for the model's own voltage) */
    double v_mean;              /* energy / capacity [V]; NaN when not sustained */
    double wh_per_kg, wh_per_l; /* stack energy densities */
    ssb_cell_breakdown mean;    /* mean breakdown over the discharge (not sustained: the breakdown at t = 0+) */
    ssb_cell_loss bottleneck;
    double specific_capacity; /* capacity per mass of positive active material [C/kg] (mAh/g = C/kg / 3600) */
    int sustained;                    /* 1: the discharge ran to the cut-off; 0: the rate cannot be carried */
    ssb_cell_breakdown start;         /* breakdown at t = 0+ under load (V = OCV - sum of losses) */
    char reason[SSB_CELL_REASON_LEN]; /* empty when sustained, else why not (one line, no trailing newline) */
} ssb_cell_rate_point;

/* Discharge from the initial state of the parameters at each C-rate until v_cut (each rate starts from the same
 * initial state; nothing is charged in between). out: n points. results: NULL, or an array of n pointers that
 * receive each run's result (time series for voltage curves, profiles none; the caller destroys them). On error
 * every result already made is destroyed and set to NULL. Errors as ssb_cell_run; a rate that cannot be carried is
 * not an error (sustained = 0 above; results[i] is NULL when no consistent state under load exists at t = 0+). */
int ssb_cell_rate_sweep(ssb_ctx *ctx, ssb_cell *cell, int n, const double *crates, double v_cut,
                        ssb_cell_rate_point *out, ssb_cell_result **results);
/* Index of the highest C-rate among the sustained points of a sweep (the one whose bottleneck to report), -1 if
 * none was sustained. */
int ssb_cell_rate_sweep_last_sustained(int n, const ssb_cell_rate_point *pts);

#ifdef __cplusplus
}
#endif
#endif
