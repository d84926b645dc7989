/*
 * ssb_iface.h - apparent electrode|solid-electrolyte interfaces: stability windows and interphase type, interphase
 * growth (parabolic / linear / Deal-Grove, Arrhenius, potential dependent), coatings, space charge at the
 * cathode|sulfide interface, and cycling of a cell with interface ageing.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Physics (tests/reference/FORMULAS-interfaces.md section 4)
 *
 * Stability. An SE is thermodynamically stable at an electrode whose potential U (V vs Li/Li+) lies inside its
 * computed window [E_red, E_ox] (grand-potential phase diagrams: Zhu, He, Mo, ACS Appl. Mater. Interfaces 7,
 * 23685 (2015); Richards et al., Chem. Mater. 28, 266 (2016)); the windows come from the materials database
 * (keys E_red, E_ox). The electrode's operating window is its OCV range between the cut-offs (database OCV curve)
 * or a fixed potential (Li metal 0 V, In-Li 0.62 V; data/iface/interfaces.json). Outside the window the contact
 * forms an interphase: "SEI" (ion conducting, electronically insulating, self-limiting) or "MCI" (mixed conducting,
 * continuous growth) (Wenzel et al., Solid State Ionics 278, 98 (2015)). An electrode/SE pair without window data
 * is "unknown", never "stable"; an unstable pair without an interphase record has interphase type "unknown".
 *
 * Growth. With a rate factor f(U, T) = exp(-Ea/R (1/T - 1/T_ref)) * dE(U)/dE_ref (the potential factor only when
 * dE_ref is given; dE(U) = max(0, E_red - U) + max(0, U - E_ox) is the driving force in V) and the effective time
 * tau = int f dt, every law is one relation between the thickness L and tau:
 *     tau = (L - L0) (1/k_l + 1/v_c) + (L^2 - L0^2) / (2 k_p)
 *   parabolic (k_l = inf):  L^2 = L0^2 + 2 k_p tau        (diffusion limited, R ~ sqrt(t))
 *   linear    (k_p = inf):  L = L0 + k_l tau              (reaction limited)
 *   Deal-Grove (both):      L^2 + A L = B (tau + tau0),  B = 2 k_p, A = 2 k_p / k_l
 * v_c is the electron-limited growth velocity under a coating (below; inf without one). Resistance of the layer
 * R = L / sigma_ion of the interphase [ohm m2]. Wagner-type rate constant from the interphase's partial
 * conductivities: k_p = sigma_ion sigma_e / (sigma_ion + sigma_e) * dE / (F c_Li) with c_Li [mol/m3] the lithium
 * consumed per interphase volume (ssb_iface_wagner_kp).
 *
 * Coatings (thickness d, coverage theta, sigma_ion_c, sigma_e_c, tunnelling length lambda). Covered fraction:
 * series resistance d/sigma_ion_c, and the decomposition under the coating suppressed: the bare law runs on the
 * effective time tau exp(-d/lambda) (electrons reach the SE through a thin insulating film by tunnelling, which
 * decays over ~1 nm: the SEI-thickness argument of Peled, J. Electrochem. Soc. 126, 2047 (1979); lambda default
 * 1 nm, a model parameter) and in series with the electron conduction through the coating,
 * v_c = sigma_e_c dE_ref / (F c_Li d); uncovered fraction: the bare law. Both in parallel per interface area:
 *     1/R = theta / (d/sigma_ion_c + L_cov/sigma_ion) + (1 - theta) / (L_unc/sigma_ion)
 * (a branch of zero resistance and non-zero weight makes R = 0).
 *
 * Units: SI inside (m, s, S/m, ohm m2, V, K, J/mol, mol/m3). Thread-safety: objects are independent; a database
 * is read-only after loading.
 * ---------------------------------------------------------------------------------------------------------------
 */
#ifndef SSB_IFACE_H
#define SSB_IFACE_H

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSB_IFACE_NAME_LEN 64
#define SSB_IFACE_TEXT_LEN 256

typedef enum { SSB_IFACE_STABLE = 0, SSB_IFACE_SEI = 1, SSB_IFACE_MCI = 2, SSB_IFACE_UNKNOWN = 3 } ssb_iface_type;
typedef enum {
    SSB_IFACE_LAW_NONE = 0, /* no growth: L = L0 */
    SSB_IFACE_LAW_PARABOLIC = 1,
    SSB_IFACE_LAW_LINEAR = 2,
    SSB_IFACE_LAW_DEAL_GROVE = 3
} ssb_iface_law;

const char *ssb_iface_type_name(ssb_iface_type t); /* "stable", "SEI", "MCI", "unknown" */
const char *ssb_iface_law_name(ssb_iface_law l);   /* "none", "parabolic", "linear", "deal-grove" */
/* Parse a law name (case-insensitive; "dealgrove" and "deal_grove" accepted). SSB_ERR_NOTFOUND otherwise. */
int ssb_iface_law_parse(ssb_ctx *ctx, const char *s, ssb_iface_law *law);

/* ============================================================================================ growth laws */

typedef struct {
    ssb_iface_law law;
    double L0;        /* initial thickness [m], >= 0 */
    double k_p;       /* parabolic constant [m2/s] at the reference (L^2 = L0^2 + 2 k_p t), > 0 for parabolic/DG */
    double k_l;       /* linear rate [m/s] at the reference, > 0 for linear/DG */
    double Ea;        /* activation energy [J/mol], >= 0 */
    double T_ref;     /* [K] of k_p, k_l (default 298.15) */
    double dE_ref;    /* driving force [V] at which k_p, k_l hold; NaN (default): growth independent of U */
    double E_red;     /* SE reduction limit [V vs Li]; NaN: none */
    double E_ox;      /* SE oxidation limit [V vs Li]; NaN: none */
    double sigma_ion; /* ionic conductivity of the interphase [S/m], > 0 */
    double c_li;      /* cyclable Li consumed per interphase volume [mol/m3] (negative: released); default 0 */
} ssb_iface_growth;
ssb_iface_growth ssb_iface_growth_default(void); /* law NONE, L0 = 0, T_ref = 298.15, rest NaN, c_li = 0 */
/* Check the parameters of a law; messages name the JSON key (e.g. "rate_constant_nm2_per_h"). SSB_ERR_RANGE. */
int ssb_iface_growth_check(ssb_ctx *ctx, const ssb_iface_growth *g);

/* Rate factor f(U, T) (see above): Arrhenius times dE(U)/dE_ref. U [V vs Li], T [K]. */
double ssb_iface_rate_factor(const ssb_iface_growth *g, double U, double T);
/* Thickness [m] after effective time tau [s] starting from L_start (L0 for a fresh layer), under a coating that
 * limits growth to v_c [m/s] (INFINITY: no coating). */
double ssb_iface_thickness(const ssb_iface_growth *g, double L_start, double tau, double v_c);
/* Thickness and resistance curve at constant U and T: t[n] [s] -> L[n] [m], R[n] [ohm m2] (R may be NULL). */
int ssb_iface_growth_curve(ssb_ctx *ctx, const ssb_iface_growth *g, double U, double T, int n, const double *t,
                           double *L, double *R);
/* Wagner-type parabolic constant [m2/s] from the interphase sigma_ion, sigma_e [S/m], driving force dE [V] and
 * Li consumed per volume c_li [mol/m3] (|c_li| used). SSB_ERR_RANGE for non-positive inputs. */
int ssb_iface_wagner_kp(ssb_ctx *ctx, double sigma_ion, double sigma_e, double dE, double c_li, double *k_p);

/* ================================================================================================ coatings */

typedef struct {
    char material[SSB_IFACE_NAME_LEN]; /* informational */
    double thickness; /* [m], >= 0 (0: no coating) */
    double coverage;  /* covered fraction of the interface, [0, 1] */
    double sigma_ion; /* [S/m], > 0 when thickness > 0 */
    double sigma_e;   /* [S/m], >= 0: 0 blocks growth on the covered part completely; NaN (default): not known,
                         only the tunnelling suppression acts */
    double tunnelling; /* electron tunnelling length lambda [m], > 0 (default 1 nm) */
} ssb_iface_coating;
ssb_iface_coating ssb_iface_coating_default(void); /* no coating */
int ssb_iface_coating_check(ssb_ctx *ctx, const ssb_iface_coating *c);
/* Electron-limited growth velocity under the coating v_c [m/s] for a law (INFINITY without a coating). */
double ssb_iface_coating_vc(const ssb_iface_growth *g, const ssb_iface_coating *c);

/* State of a (possibly coated) interface: interphase thickness on the covered and uncovered parts [m]. */
typedef struct {
    double L_cov, L_unc;
} ssb_iface_state;
/* Fresh state (both L0). */
ssb_iface_state ssb_iface_state_initial(const ssb_iface_growth *g);
/* Advance by effective time dtau [s]. */
void ssb_iface_state_advance(const ssb_iface_growth *g, const ssb_iface_coating *c, ssb_iface_state *s, double dtau);
/* Area-specific resistance [ohm m2] of the state (formula above). */
double ssb_iface_state_resistance(const ssb_iface_growth *g, const ssb_iface_coating *c, const ssb_iface_state *s);
/* Interphase volume per interface area [m] (theta L_cov + (1 - theta) L_unc). */
double ssb_iface_state_volume(const ssb_iface_coating *c, const ssb_iface_state *s);

/* Scan of coating thickness x coverage: R after time t [s] at U [V] and T [K] for every pair (R[i*ncov + j] for
 * thickness[i], coverage[j]); *best = index of the lowest R. The coating's material and conductivities from c. */
int ssb_iface_coating_scan(ssb_ctx *ctx, const ssb_iface_growth *g, const ssb_iface_coating *c, double U, double T,
                           double t, int nthick, const double *thickness, int ncov, const double *coverage, double *R,
                           int *best);

/* ============================================================================================ space charge */

typedef struct {
    double eps_r;      /* relative permittivity of the SE, > 0 */
    double T;          /* [K] */
    double c_inf;      /* concentration of the mobile Li carriers that screen [1/m3], > 0 */
    double phi0;       /* potential step at the interface [V], > 0 (depletion of Li+ on the SE side) */
    double sigma_bulk; /* Li+ conductivity of the SE [S/m], > 0 */
    int gouy_chapman;  /* 0: Mott-Schottky (dopants immobile), 1: Gouy-Chapman */
    ssb_iface_coating interlayer; /* optional oxide interlayer (thickness 0: none) */
} ssb_iface_scl_params;
ssb_iface_scl_params ssb_iface_scl_params_default(void);
typedef struct {
    double debye_length, width; /* [m] (ssb_se_scl_result) */
    double r_perp;              /* resistivity ratio of the layer */
    double R_scl;               /* excess resistance of ONE space-charge layer [ohm m2] (half the GB asr_excess) */
    double R_interlayer;        /* d / sigma_ion of the interlayer [ohm m2] */
    double R_total;             /* with the interlayer: R_interlayer (it removes the depletion on the SE side,
                                   Takada et al., ACS Energy Lett. 3, 98 (2018)); without: R_scl */
} ssb_iface_scl_result;
/* Space-charge resistance of a cathode|SE interface through the se module's solver (ssb_se_scl_solve). */
int ssb_iface_spacecharge(ssb_ctx *ctx, const ssb_iface_scl_params *p, ssb_iface_scl_result *r);

/* ============================================================================================ database */

/* Interphase data (data/iface/interfaces.json, schema "ssbnet-interfaces-1"; every value with its source):
 * electrodes without an OCV curve (fixed potential) and interphase records of electrode|SE pairs (type,
 * products, law and parameters, validation band). Found like the materials data: $SSBNET_DATA_DIR/iface,
 * <datadir>/ssbnet/iface, the source tree's data/iface.
 *   { "schema": "ssbnet-interfaces-1",
 *     "electrodes": [ {"name": "Li", "potential_V": 0.0, "source": "...", "status": "D"} ],
 *     "interphases": [ {
 *        "electrode": name ("carbon" matches every carbon), "electrolyte": name, "type": "SEI" | "MCI" | ...,
 *        "products": "text", "source": "authors, journal, year", "doi": "...", "note": "...",
 *        "growth": { "law": ..., the growth keys of the cell block below, "interphase_electronic_conductivity_
 *                    S_per_cm", "rate_constant_from": "wagner" (k_p from the conductivities), "source", "status",
 *                    "note" },
 *        "check": { "time_h": t, "resistance_ohm_cm2": [lo, hi] and/or "thickness_nm": [lo, hi], "source" } } ] }
 * Names are matched through the materials database (aliases work). Errors: SSB_ERR_IO, SSB_ERR_FORMAT (file,
 * record and key named: unknown keys, a missing source or status, a bad type or law). */
typedef struct ssb_iface_db ssb_iface_db;

typedef struct {
    const char *electrode, *electrolyte; /* names as in the file (matched with the materials aliases) */
    ssb_iface_type type;
    const char *products;        /* "Li2S, Li3P, Li-Ge alloy" or NULL */
    const char *source;          /* citation of type/products */
    const char *doi;             /* or NULL */
    ssb_iface_growth growth;     /* law and parameters (E_red/E_ox filled from the materials database on lookup) */
    double sigma_e;              /* interphase electronic conductivity [S/m] (NaN: not given) */
    const char *growth_source;   /* citation of the growth parameters, with status */
    const char *growth_status;   /* "D", "L", "C" or "E" (estimate, note says how) */
    const char *note;            /* or NULL */
    double check_t;              /* validation: time [s] (NaN: none) */
    double check_R_lo, check_R_hi; /* band of the resistance [ohm m2] at check_t (NaN: none) */
    double check_L_lo, check_L_hi; /* band of the thickness [m] at check_t (NaN: none) */
    const char *check_source;
} ssb_iface_record;

int ssb_iface_db_load(ssb_ctx *ctx, const char *path, ssb_iface_db **db); /* NULL path: the built-in file */
void ssb_iface_db_destroy(ssb_iface_db **db);
int ssb_iface_db_count(const ssb_iface_db *db);
const ssb_iface_record *ssb_iface_db_at(const ssb_iface_db *db, int i);
/* The record of an electrode|SE pair (names or aliases through mdb; a record electrode "carbon" matches every
 * material of class carbon). SSB_ERR_NOTFOUND when the pair has no record. *rec is borrowed. */
int ssb_iface_db_find(ssb_ctx *ctx, const ssb_iface_db *db, const ssb_materials *mdb, const char *electrode,
                      const char *electrolyte, const ssb_iface_record **rec);
/* Fixed potential of an electrode without an OCV curve [V vs Li] and its source. SSB_ERR_NOTFOUND if none. */
int ssb_iface_db_electrode_potential(ssb_ctx *ctx, const ssb_iface_db *db, const ssb_materials *mdb,
                                     const char *electrode, double *U, const char **source);

/* ============================================================================================== stability */

typedef struct {
    char name[SSB_IFACE_NAME_LEN];
    double E_red, E_ox;      /* [V] (NaN: not in the database) */
    double sigma_ion;        /* nominal or geometric mean of the range [S/m] (NaN: not known) */
    int stable;              /* 1: window contains the electrode window, 0: not */
    double excess;           /* largest distance of the electrode window outside the coating window [V] */
    int n_unstable;          /* 0..2 ranges of the electrode window outside the coating window */
    double unstable[2][2];   /* [lo, hi] [V] */
    char source[SSB_IFACE_TEXT_LEN];
} ssb_iface_coating_rank;

#define SSB_IFACE_MAX_COATINGS 32
typedef struct {
    char electrode[SSB_IFACE_NAME_LEN], electrolyte[SSB_IFACE_NAME_LEN];
    double U_lo, U_hi;                         /* electrode operating window [V vs Li] */
    char electrode_source[SSB_IFACE_TEXT_LEN]; /* OCV curve or fixed-potential source */
    double E_red, E_ox;                        /* SE window (NaN: missing) */
    char window_source[SSB_IFACE_TEXT_LEN];
    int stable;          /* 1 stable, 0 unstable, -1 unknown (window data missing) */
    int nearly_stable;   /* unstable by less than 0.1 V */
    double excess;       /* [V] largest distance outside the window (NaN: unknown) */
    int n_unstable;      /* 0..2 */
    double unstable[2][2]; /* [lo, hi] ranges of the operating window outside the SE window [V] */
    ssb_iface_type type;
    char products[SSB_IFACE_TEXT_LEN];
    char type_source[SSB_IFACE_TEXT_LEN];
    int has_coating;     /* --coating given: its assessment */
    ssb_iface_coating_rank coating;
    int ncoatings;       /* database coatings with window data, ranked: stable first, then by excess; within
                            stable by sigma_ion (higher first) */
    ssb_iface_coating_rank coatings[SSB_IFACE_MAX_COATINGS];
} ssb_iface_stability;

/* Stability of an electrode|SE contact (and a coating, NULL for none) over the electrode's operating window:
 * its OCV between v_lo and v_hi over the curve's range (NaN: 3.0 and 4.3 V for a positive electrode, the whole
 * curve for an anode-class material such as graphite, Si, Li4Ti5O12), or its fixed potential.
 * Errors: SSB_ERR_NOTFOUND (unknown material; electrode without OCV and without fixed potential), SSB_ERR_RANGE
 * (v_lo >= v_hi; cut-offs that miss the OCV curve's range). */
int ssb_iface_stability_assess(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const char *electrode,
                               const char *electrolyte, const char *coating, double v_lo, double v_hi,
                               ssb_iface_stability *out);

/* ============================================================================================ cell ageing */

/* The three interfaces of a cell that age (cathode|SE, SE|carbon, Li|SE). */
typedef enum { SSB_IFACE_POS = 0, SSB_IFACE_CARBON = 1, SSB_IFACE_NEG = 2, SSB_IFACE_NSITES = 3 } ssb_iface_site;
const char *ssb_iface_site_name(ssb_iface_site s); /* "positive", "carbon", "negative" */

/* Contact mechanics in cycling (ssb_mech.h): the Li | SE contact fraction under the stack pressure with the
 * cycle's stripping current, CAM|SE contact loss per cycle with recovery under pressure, CAM cracking. Off while
 * pressure is NaN (the default: contacts fixed, as without mechanics). Filled by ssb_iface_mech_setup. */
typedef struct {
    double pressure;        /* stack pressure [Pa]; NaN: no contact mechanics */
    int li_contact;         /* 1: Li-metal contact fraction evolves (Li-metal anode only) */
    int cam_contact;        /* 1: CAM|SE contact loss per cycle */
    int cracking;           /* 1: CAM cracking */
    ssb_mech_anode anode;   /* Li supply constants (copied; source strings NULL) */
    ssb_mech_swelling swelling; /* the positive active material's volume-change curve (copied; strings NULL) */
    ssb_mech_cycle_params contact; /* CAM|SE rough contact, SE elastic constants, debonded share (radius and dv
                                      are set per cycle) */
    double nu_cam;          /* Poisson ratio of the CAM (cracking) */
    int neg_contact;        /* 1: contact loss of an alloy (Si) composite negative (its volume-change curve) */
    ssb_mech_swelling neg_swelling; /* the negative's host curve (copied; strings NULL) */
    ssb_mech_cycle_params neg_contact_params; /* host|SE rough contact, SE constants, debonded share */
    double E_neg_se;        /* Young's modulus of the SE for the stack-pressure estimate [Pa] */
    double nu_neg_se;
    int neg_cracking;       /* 1: alloy (Si) host particles above the critical size crack on lithiation
                               (ssb_iface_mech_setup_neg_cracking; uses neg_swelling) */
} ssb_iface_mech_params;

typedef struct {
    int enabled;                 /* 0: this interface does not age */
    char electrode[SSB_IFACE_NAME_LEN], electrolyte[SSB_IFACE_NAME_LEN];
    ssb_iface_type type;
    ssb_iface_growth growth;
    ssb_iface_coating coating;
    double area_per_volume;      /* SE|carbon only: area per electrode volume [1/m] (input; the run chain hands the
                                    measured one) */
} ssb_iface_site_params;

typedef struct {
    ssb_iface_site_params site[SSB_IFACE_NSITES];
    ssb_iface_mech_params mech; /* contact mechanics in cycling (off unless a stack pressure is set) */
} ssb_iface_ageing;

/* Ageing of a cell from the "interfaces" block of its JSON file (path; NULL or a file without the block: the
 * database records for the cell's materials, positive|SE and Li (or negative)|SE, no SE|carbon ageing; a pair
 * without a record does not age). Block schema:
 *   "interfaces": { "positive" | "carbon" | "negative": {
 *       "model": "database" | "none" | "parabolic" | "linear" | "deal-grove",
 *       "electrode": name, "electrolyte": name (default: the cell's),
 *       "initial_thickness_nm", "rate_constant_nm2_per_h" (k_p), "linear_rate_nm_per_h" (k_l),
 *       "activation_energy_kJ_per_mol", "reference_temperature_K", "reference_driving_force_V",
 *       "interphase_ionic_conductivity_S_per_cm", "lithium_consumed_mol_per_cm3",
 *       "area_per_volume_per_m" (carbon only),
 *       "coating": {"material": name, "thickness_nm", "coverage", "ionic_conductivity_S_per_cm",
 *                   "electronic_conductivity_S_per_cm", "tunnelling_length_nm"} } }
 * Interfaces the block does not name keep the database records. "database" takes the pair's record and lets the
 * other keys override it. Errors: SSB_ERR_NOTFOUND (unknown model,
 * material or pair; the key is named), SSB_ERR_RANGE (negative thickness, coverage outside [0, 1]),
 * SSB_ERR_FORMAT (missing growth parameters: the key is named; unknown keys). */
int ssb_iface_ageing_from_cell(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db,
                               const ssb_cell_params *cell, const char *path, ssb_iface_ageing *ag);

typedef struct {
    int cycles;                 /* >= 1 */
    double crate_discharge;     /* default 1 */
    double crate_charge;        /* default 1 */
    double v_min, v_max;        /* cut-offs [V] (default 3.5, 4.2) */
    double hold_crate;          /* CV hold at v_max until this C-rate (default 0.05; <= 0: no hold) */
    double rest;                /* rest after each cycle [s] (default 0) */
    const char *protocol;       /* NULL (default): the CC-CV cycle above; else the protocol text of one cycle
                                   (ssb_cell.h grammar, Repeat blocks allowed); its discharge capacity is the sum
                                   of its discharging steps. Borrowed. */
} ssb_iface_cycle_params;
ssb_iface_cycle_params ssb_iface_cycle_params_default(void);

/* Ageing mechanisms, each updating the cell between cycles and booking its share of the fade. */
typedef enum {
    SSB_IFACE_MECH_POS_RESISTANCE = 0, /* cathode|SE interphase (+ coating) resistance */
    SSB_IFACE_MECH_ACTIVE_AREA,        /* CAM|SE contact area lost with the SE decomposed in the composite */
    SSB_IFACE_MECH_IONIC_NETWORK,      /* SE decomposed at SE|carbon contacts: lower effective ionic conductivity */
    SSB_IFACE_MECH_NEG_RESISTANCE,     /* Li|SE interphase resistance */
    SSB_IFACE_MECH_LITHIUM,            /* cyclable lithium consumed by the interphases */
    SSB_IFACE_MECH_LI_CONTACT,         /* Li | SE contact fraction (voids on stripping, refilled under pressure) */
    SSB_IFACE_MECH_CAM_CONTACT,        /* CAM|SE contact lost per cycle (shrinkage at the top of charge) */
    SSB_IFACE_MECH_CRACKING,           /* CAM capacity isolated by cracks */
    SSB_IFACE_MECH_NEG_CONTACT,        /* alloy (Si) negative: particles losing SE contact on delithiation */
    SSB_IFACE_MECH_NEG_SEI,            /* alloy negative: lithium in the SEI regrown on newly exposed surface */
    SSB_IFACE_MECH_NEG_CRACKING,       /* alloy negative: cracked host particles isolated, SEI on crack faces */
    SSB_IFACE_NMECH
} ssb_iface_mech;
const char *ssb_iface_mech_name(ssb_iface_mech m); /* JSON keys of fade_by_mechanism */

typedef struct {
    int n;                   /* cycles run */
    double *capacity;        /* discharge capacity per cycle [C/m2] */
    double *retention;       /* capacity / capacity of cycle 1 */
    double *R_pos, *R_neg;   /* interface resistances at the start of each cycle [ohm m2] (R_pos per active area) */
    double *a_pos;           /* active interface area per volume [1/m] */
    double *li_interphase;   /* Li in the interphases at the start of each cycle [mol/m2 electrode] */
    double *li_inventory;    /* cyclable Li in the negative electrode at the start of each cycle [mol/m2] */
    double *thickness[SSB_IFACE_NSITES]; /* mean interphase thickness at the start of each cycle [m] */
    double fade[SSB_IFACE_NMECH]; /* capacity fade by mechanism from cycle 1 to cycle n [C/m2]; sums to the total */
    double fade_total;       /* capacity[0] - capacity[n-1] */
    double li_lost;          /* li_inventory[0] - li_inventory[n-1] [mol/m2] */
    double hours;            /* total time [h] */
    double *li_contact;      /* Li | SE contact fraction the cell uses in each cycle (1 without mechanics) */
    double *cam_active;      /* CAM still in contact (contact loss) relative to cycle 1, per cycle */
    double *cam_intact;      /* CAM not isolated by cracks relative to cycle 1, per cycle */
    double *cam_kept;        /* CAM|SE contact kept at the top of charge in each cycle (NaN without mechanics) */
    double *crack_strain;    /* linear strain of the cracking criterion in each cycle (NaN without it) */
    double *neg_active;      /* alloy negative: host still in contact relative to cycle 1 (1 without it) */
    double *li_trapped;      /* lithium trapped in isolated host particles at the start of each cycle [mol/m2] */
    double *stack_pressure;  /* alloy negative: stack pressure at the top of charge, rigid fixture [Pa] (NaN
                                without it; ssb_mech_stack_pressure with the negative's free strain) */
    double *li_sei_regrowth; /* lithium bound in SEI regrown on newly exposed host surface, start of each cycle
                                [mol/m2] (0 without it) */
    double *neg_intact;      /* alloy negative: host not isolated by cracks relative to cycle 1 (1 without it).
                                li_trapped and li_sei_regrowth include the cracked particles' lithium and the SEI
                                on their crack faces */
} ssb_iface_cycle_result;

/* Cycle a cell with ageing: every cycle starts from the cell's initial (charged) state, discharges at
 * crate_discharge to v_min, charges at crate_charge to v_max and holds; the charge is taken as restoring the
 * initial state of the positive electrode (CCCV). Between cycles the mechanisms advance the interphases over
 * the cycle's potential history (cathode potential vs Li = cell voltage + U_neg, with U_neg = 0 for Li metal and
 * the negative's OCV at its initial stoichiometry for a composite; the negative interface sees U_neg) and update
 * the cell. The negative's cyclable lithium is read from the cell model (ssb_cell_result_lithium at the start of
 * each cycle); lithium bound in interphases is taken from it. The fade split runs the last cycle's protocol with
 * the mechanisms switched one by one (in enum order), so the parts add up to the total fade exactly.
 * progress: stage "cycle". Errors as ssb_cell_run; SSB_ERR_RANGE when the Li foil or the negative electrode's
 * lithium is used up. res is filled (caller calls ssb_iface_cycle_result_destroy). */
int ssb_iface_cycle_run(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_iface_ageing *ag,
                        const ssb_iface_cycle_params *cp, ssb_iface_cycle_result *res);
void ssb_iface_cycle_result_destroy(ssb_iface_cycle_result *res);

/* Contact mechanics for cycling at stack pressure [Pa] >= 0 (ag->mech): constants from the mechanics database
 * (mechdb) for the cell's materials: Li (Li-metal anode), the positive's active material (volume-change curve,
 * elastic constants) and its SE (elastic constants, hardness). want_li, want_cam, want_crack: 1 on, 0 off, -1 on
 * when the database has the data. Errors: SSB_ERR_RANGE (negative or non-finite pressure; the message names
 * "stack_pressure_MPa"), SSB_ERR_UNSUPPORTED (a mechanism asked for (1) whose constants are missing: the key or
 * record is named), SSB_ERR_NOTFOUND as the database lookups. Per cycle (ssb_iface_cycle_run): the Li contact
 * fraction is integrated over the cycle's current (ssb_mech_li_advance; stripping on discharge) and the cell uses
 * the mean over the stripping time of the previous cycle; the positive's state-of-charge window of the cycle (from
 * its lithium at the start and at the end of discharge) gives the shrinkage at the top of charge
 * (ssb_mech_contact_cycle: active area and active CAM times (1 - loss)) and the cracking criterion
 * (ssb_mech_crack at the larger C-rate: active CAM times (1 - dead_per_cycle)). want_neg: contact loss of a
 * composite negative whose active material has a volume-change curve with a debonded share (Si): the host
 * shrinks from the top of charge to the end of discharge (ssb_mech_contact_cycle with the negative's particle
 * radius and SE); the lost particles keep the lithium they hold at the end of discharge (li_trapped, lithium
 * conserved: cyclable + trapped + interphase lithium stay the cycle-1 amount), the rest of the negative's lithium
 * goes to the particles left (their initial stoichiometry rises, capped at 0.98: beyond it the negative cannot
 * take the lithium and the cell's capacity is limited by it). Per cycle the stack pressure at the top of charge
 * is estimated for a rigid fixture (ssb_mech_stack_pressure: the negative's free strain from its host's dV/V less
 * its porosity; every layer with the SE's elastic constants, an upper bound for composites). With the negative's
 * interphase ageing on (a "negative" interfaces entry or a database record), the host surface exposed anew each
 * cycle, 1 - ((1 + dv_end of discharge) / (1 + dv_top of charge))^(2/3) of the active surface, gets a fresh
 * interphase grown over that cycle by the same law; its lithium (li_sei_regrowth) leaves the negative
 * (mechanism negative_sei_regrowth). */
int ssb_iface_mech_setup(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_mech_db *mechdb,
                         const ssb_cell_params *cell, double pressure, int want_li, int want_cam, int want_crack,
                         int want_neg, ssb_iface_ageing *ag);

/* Cracking of an alloy (Si) composite negative in cycling (call after ssb_iface_mech_setup, which clears it):
 * want 1 on, 0 off, -1 on when the cell has a composite negative whose active material has a volume-change record
 * with "critical_diameter_nm" and "crack_dead_fraction_per_cycle" (ssb_mech_alloy_crack). Needs a stack pressure
 * set by ssb_iface_mech_setup (SSB_ERR_ARG otherwise). want 1 on a Li-metal cell or a negative without such a
 * record is ignored where the negative has no volume-change record at all (nothing swells), else
 * SSB_ERR_UNSUPPORTED names the missing key. Per cycle the host's lithiation window (from the cell model's
 * lithium) decides whether the particles (the negative's particle radius) crack; the isolated share keeps the
 * lithium it holds at the end of discharge (counted in li_trapped); with the negative's interphase ageing on, the
 * crack faces get a fresh SEI grown over that cycle (counted in li_sei_regrowth). Fade key negative_cracking. */
int ssb_iface_mech_setup_neg_cracking(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_mech_db *mechdb,
                                      const ssb_cell_params *cell, int want, ssb_iface_ageing *ag);

/* ============================================================================================ for ssb_run */

typedef struct {
    ssb_iface_stability pos, neg;  /* cathode|SE and Li (or negative)|SE */
    double R_pos_initial, R_pos_aged; /* cathode interface resistance [ohm m2 per active area] */
    double R_neg_initial, R_neg_aged; /* Li|SE [ohm m2] */
    double hours;                     /* ageing time used [h] */
} ssb_iface_assessment;
/* Interface stability of a cell and the resistance after `hours` of ageing at the cell's top-of-charge potential
 * (cathode: OCV at the initial state; Li side: 0 V) at the cell temperature, from the database records.
 * A pair without data is "unknown" and keeps its resistance. */
int ssb_iface_assess_cell(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const ssb_cell_params *cell,
                          double hours, ssb_iface_assessment *out);

/* The note for a pair that decomposes over its window (stable 0) or may (stable -1), is not nearly stable and has no
 * interphase growth record (type unknown): "A|B is unstable (of unknown stability) but has no interphase growth data
 * (data/iface/interfaces.json): its aged resistance is the fresh one, growth not modelled" into buf (n > 0).
 * Returns the characters written, 0 (buf "") when the pair is not such a one. The words of design's ageing_note and
 * of cell cycle's interfaces.<site>.ageing_note. */
size_t ssb_iface_no_growth_note(const ssb_iface_stability *sp, char *buf, size_t n);
/* Why a site that ssb_iface_ageing_from_cell left off (enabled 0) does not age, into buf (n > 0; "" for a site that
 * ages): positive and negative are assessed as ssb_iface_assess_cell does (positive from the cell's discharge
 * cut-off, negative over its whole curve): ssb_iface_no_growth_note's words for a pair that decomposes without
 * growth data; "no ageing (stable over its operating window)"; "no ageing (interfaces.<site>: model none)" for a
 * pair with a record; else "no ageing (no interphase growth data)". carbon: "no ageing (not set: interfaces.carbon
 * with its area)", or "no ageing (no carbon in the positive)" for a carbon-free positive. Never fails (an unknown
 * material gives the last words). */
void ssb_iface_site_note(ssb_ctx *ctx, const ssb_materials *mdb, const ssb_iface_db *db, const ssb_cell_params *cell,
                         const ssb_iface_ageing *ag, ssb_iface_site site, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
