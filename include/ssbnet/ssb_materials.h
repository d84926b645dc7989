/*
 * ssb_materials.h - the materials database: solid electrolytes, cathode and anode active materials, coatings,
 * conductive carbons. Every value carries its unit, temperature, validity range, source and status.
 *
 * A database (ssb_materials) is a set of material records loaded from JSON files. The built-in files live in
 * data/materials/ (one file per class); ssb_materials_load_builtin() finds them (see there). A user file in the
 * same format adds materials or overrides built-in ones (ssb_materials_load_file). Lookup is by name or alias,
 * case-insensitively, ignoring spaces, '-' and '_' ("lpscl", "LPS-Cl" and "LPSCl" all find Li6PS5Cl); a miss
 * returns SSB_ERR_NOTFOUND with the closest names (edit distance) in the message.
 *
 * Only numbers found in the project's reference (tests/reference/materials/properties.md, the OBELiX / PyBaMM /
 * diffthermo / DUALFOIL data files next to it) are in the built-in files. A property the reference lacks is simply
 * absent: ssb_materials_get_prop() then returns SSB_ERR_NOTFOUND saying so. Nothing is filled in by guess.
 *
 * ---------------------------------------------------------------------------------------------------------------
 * JSON schema ("ssbnet-materials-1"); one file holds one object:
 *
 *   { "schema": "ssbnet-materials-1",
 *     "class": "se",                       default class of the records: se|cathode|anode|coating|carbon|other
 *     "materials": [ RECORD, ... ] }
 *
 * RECORD:
 *   { "name": "Li6PS5Cl",                  required, unique (also against all aliases)
 *     "aliases": ["LPSCl", "LPSC"],        optional
 *     "class": "se",                       optional, overrides the file's class
 *     "formula": "Li6PS5Cl",               optional; element symbols with decimal counts and (groups), e.g.
 *                                          "Li1.3Al0.3Ti1.7(PO4)3". When present and no "molar_mass" property is
 *                                          given, molar_mass is computed from it (status C, IUPAC/CIAAW 2021
 *                                          abridged standard atomic weights).
 *     "description": "text",               optional
 *     "replace": false,                    user files only: true replaces an existing record entirely instead
 *                                          of merging into it (see ssb_materials_load_file)
 *     "properties": { KEY: PROP, ... },    optional
 *     "ocv": [ OCV, ... ],                 optional (active materials)
 *     "diffusivity": [ DCURVE, ... ] }     optional: state-dependent Li diffusivity D(x) (active materials)
 *
 * PROP (one per key):
 *   { "value": 1.95e-3,                    nominal value (optional if min/max given: a range without a nominal)
 *     "min": 0.5e-3, "max": 4e-3,          optional reported spread (either may be given alone: a bound)
 *     "unit": "S/cm",                      required, one of the units listed below
 *     "T_C": 25,                           temperature of the value in deg C (omit for temperature-free values)
 *     "valid_T_C": [-20, 80],              optional validity range in deg C; without it the value is valid at
 *                                          T_C only (the reference gives no range for most values)
 *     "form": "sigmaT",                    activation energies only: Arrhenius form of the source fit,
 *                                          "sigmaT" (sigma*T = A exp(-Ea/kT)) or "sigma" (sigma = s0 exp(-Ea/kT));
 *                                          absent = not stated by the source (the library then uses sigmaT)
 *     "source": "Kraft et al., JACS 139, 10909 (2017), via OBELiX all.csv",   required
 *     "doi": "10.1021/jacs.7b06327",       optional
 *     "status": "D",                       required: D = read from a stored data or text file; L = from the cited
 *                                          paper as known to the compiler, not re-read; C = computed (formula in
 *                                          the note or properties.md section 8); E = estimate (user files only)
 *     "note": "text" }                     optional
 *
 * OCV (open-circuit potential U(x) in V vs Li/Li+, x = Li fraction as stated in "x_def"):
 *   { "name": "Chen2020-fit", "kind": "table" | "function" | "msmr",
 *     "x_def": "stoichiometry c_s/c_max", "x_range": [0.25, 0.99],   validity (evaluation outside -> RANGE)
 *     "x_basis_mol_per_m3": 63104,          optional: the concentration on which the SOURCE defined x (a fitted
 *                                          c_max); x_range and the terms are in that x. The library converts
 *                                          the curve to x = c / c_max of the material (needs "c_max"), see
 *                                          ssb_materials_ocv_eval
 *     "x_at_full_lithiation": 1,            optional, with x_basis_mol_per_m3: the source x at which the host is
 *                                          fully lithiated (x = 1). For a source whose x counts only the Li
 *                                          exchanged in its measured window (e.g. MSMR galleries whose X_j sum to
 *                                          the window's capacity), the rest of the host Li stays in place:
 *                                          x_source = x_full - (1 - x) c_max / x_basis
 *     "source": "...", "doi": "...", "status": "D", "note": "...",
 *     table:    "x": [...], "U": [...]            (linear interpolation; x strictly monotone after sorting)
 *     function: "terms": [ TERM, ... ]            U(x) = sum of terms, each one of
 *                 {"poly": [c0, c1, ...]}           c0 + c1 x + c2 x^2 + ...
 *                 {"tanh": [a, b, c]}               a tanh(b x + c)
 *                 {"exp":  [a, b, c], "n": n}       a exp(b x^n + c)   (n = 1 if absent)
 *                 {"pow":  [a, b, c, p]}            a (b x + c)^p
 *               optional "clip_U": [Umin, Umax] clamps the result (as the source code does)
 *     msmr:     "T_K": 298.15, "reactions": [[U0, X, w], ...]
 *                 x(U) = sum_j X_j / (1 + exp(F (U - U0_j) / (w_j R T)))  inverted for U by bisection;
 *                 x_range defaults to the open interval (0, sum X_j) }
 *
 * DCURVE (solid-state Li diffusivity D(x), x = Li fraction c / c_max with the material's c_max):
 *   { "name": "trend", "kind": "table", "x_def": "...", "x": [...], "D": [...], "unit": "cm2/s" | "m2/s",
 *     "x_range": [0, 1] (optional; default the table span; evaluation outside -> RANGE),
 *     "source": "...", "doi": "...", "status": "D" | "L" | "C", "note": "..." }
 *   D > 0; interpolated linearly in log10 D (a diffusivity that changes by orders of magnitude).
 *
 * Units accepted (file unit -> SI unit used by si_value): S/cm, S/m -> S/m; eV, kJ/mol -> eV (energies stay in
 * eV per particle, the one non-SI unit of the library); V; g/cm3, kg/m3 -> kg/m3; GPa, MPa, Pa -> Pa;
 * g/mol -> kg/mol; mol/m3; cm2/s, m2/s -> m2/s; mAh/g -> C/kg; % -> 1 (fraction); 1 (dimensionless);
 * MPa m0.5 -> Pa m0.5; ohm cm2 -> ohm m2; mA/cm2 -> A/m2; nm, um, m -> m; m2/g -> m2/kg; cm3/mol -> m3/mol;
 * m3/mol.
 *
 * Property keys used by the built-in files (a user file may add any key):
 *   sigma_ion        total (bulk + GB) Li+ conductivity of a pellet or film     S/cm
 *   sigma_ion_bulk   bulk (grain-interior) Li+ conductivity                     S/cm
 *   sigma_ion_gb     specific grain-boundary Li+ conductivity (brick layer)     S/cm
 *   Ea_ion, Ea_ion_bulk, Ea_ion_gb   activation energies of the three above     eV
 *   sigma_el         electronic conductivity                                    S/cm
 *   E_red, E_ox      computed (thermodynamic) stability window                  V vs Li/Li+
 *   E_red_exp, E_ox_exp  experimental / apparent window limits                  V vs Li/Li+
 *   density          mass density                                               g/cm3
 *   E_young          Young's modulus                                            GPa
 *   K_IC             fracture toughness                                         MPa m0.5
 *   molar_mass       of "formula"                                               g/mol
 *   c_Li             Li site concentration of an SE                             mol/m3
 *   c_max            maximum Li concentration of an active material             mol/m3
 *   Q_theor, Q_practical   specific capacity                                    mAh/g
 *   V_avg            average potential                                          V vs Li/Li+
 *   dV_rel           relative volume change on (de)lithiation                   %
 *   D_Li             Li diffusivity                                             cm2/s
 *   Li_per_formula   exchangeable Li per formula unit (c_max = n rho / M)        1
 *   grain_size, gb_thickness   brick-layer geometry for the total sigma_ion     um, nm
 *   molar_volume, BET, diameter, ...  as written in the file
 *
 * Thread-safety: a database is read-only after loading; concurrent lookups are safe, loading is not.
 * Ownership: all strings and records are owned by the database and live until ssb_materials_destroy().
 * ---------------------------------------------------------------------------------------------------------------
 */
#ifndef SSB_MATERIALS_H
#define SSB_MATERIALS_H

#include <ssbnet/ssb_core.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSB_MAT_SE = 0,
    SSB_MAT_CATHODE = 1,
    SSB_MAT_ANODE = 2,
    SSB_MAT_COATING = 3,
    SSB_MAT_CARBON = 4,
    SSB_MAT_OTHER = 5
} ssb_mat_class;

typedef enum {
    SSB_MAT_STATUS_DATA = 0,       /* "D": read from a stored data or text file */
    SSB_MAT_STATUS_LITERATURE = 1, /* "L": from the cited paper, not re-read from the source */
    SSB_MAT_STATUS_COMPUTED = 2,   /* "C": computed from other values (formula given) */
    SSB_MAT_STATUS_ESTIMATE = 3    /* "E": estimate; only allowed in user files */
} ssb_mat_status;

typedef enum { SSB_OCV_TABLE = 0, SSB_OCV_FUNCTION = 1, SSB_OCV_MSMR = 2 } ssb_ocv_kind;

/* Which Li+ conductivity ssb_materials_sigma_ion() evaluates. */
typedef enum { SSB_SIGMA_TOTAL = 0, SSB_SIGMA_BULK = 1, SSB_SIGMA_GB = 2 } ssb_sigma_kind;

typedef struct ssb_materials ssb_materials;
typedef struct ssb_material ssb_material;

/* One property value. All pointers are borrowed from the database. NaN marks an absent number. */
typedef struct {
    const char *key;                 /* e.g. "sigma_ion_bulk" */
    int has_value;                   /* 1: nominal value given; 0: only min and/or max (a range or a bound) */
    double value, min, max;          /* in `unit` */
    const char *unit;                /* unit as written in the file, e.g. "S/cm" */
    double si_value, si_min, si_max; /* the same in si_unit */
    const char *si_unit;             /* e.g. "S/m" */
    double T;                        /* K, temperature of the value; NaN when not temperature-specific */
    double T_min, T_max;             /* K, validity range; both = T when the source gives none; NaN when n/a */
    const char *form;                /* "sigmaT", "sigma" or NULL (activation energies only) */
    const char *source;              /* citation text (never NULL) */
    const char *doi;                 /* NULL if none */
    ssb_mat_status status;
    const char *note; /* NULL if none */
} ssb_mat_prop;

/* Description of one OCV curve of a material. Borrowed pointers. */
typedef struct {
    const char *name;
    ssb_ocv_kind kind;
    const char *x_def;   /* what x means */
    double x_min, x_max; /* validity range of x */
    int npoints;         /* table points (0 for functions) */
    const char *source, *doi, *note;
    ssb_mat_status status;
    double x_basis; /* mol/m3 on which the source defined its x ("x_basis_mol_per_m3"); NaN: the material's c_max */
    double x_scale; /* c_max / x_basis: x_source = x * x_scale (1 without a separate basis) */
    double x_full;  /* source x of the fully lithiated host ("x_at_full_lithiation"): then
                       x_source = x_full - (1 - x) * x_scale; NaN: none (x_source = x * x_scale) */
} ssb_ocv_info;

/* ---- database ---- */

/* Create an empty database. Returns SSB_OK or SSB_ERR_NOMEM. */
int ssb_materials_create(ssb_ctx *ctx, ssb_materials **db);
/* Destroy; no-op on NULL; sets *db = NULL. Invalidates every pointer obtained from the database. */
void ssb_materials_destroy(ssb_materials **db);

/* Directory holding the built-in files, searched in this order:
 *   1. $SSBNET_DATA_DIR/materials, then $SSBNET_DATA_DIR itself (when the variable is set and non-empty);
 *   2. the install data dir <datadir>/ssbnet/materials (compiled in as SSB_INSTALL_DATADIR when the build
 *      defines it);
 *   3. the source tree's data/materials (SSB_SOURCE_DIR).
 * The first that exists and holds at least one *.json file wins. Writes it to buf (size n).
 * Returns SSB_OK, SSB_ERR_NOTFOUND (none found; message lists the places tried) or SSB_ERR_RANGE (buf too small). */
int ssb_materials_data_dir(ssb_ctx *ctx, char *buf, size_t n);

/* Load every *.json file of dir (sorted by name) as built-in data: names must be unique across the files,
 * status E is refused. Returns SSB_OK, SSB_ERR_IO, SSB_ERR_FORMAT (message: file:line:col or file: key path and
 * the bad value), SSB_ERR_NOMEM. On error the database keeps the records loaded before the failing file. */
int ssb_materials_load_dir(ssb_ctx *ctx, ssb_materials *db, const char *dir);
/* ssb_materials_data_dir() + ssb_materials_load_dir(). */
int ssb_materials_load_builtin(ssb_ctx *ctx, ssb_materials *db);

/* Load a user file. A record whose name or an alias matches an existing material (same normalised name)
 * is merged into it: each property key given replaces the old one, aliases are added, OCV curves given replace
 * all old curves, formula/description/class replace the old ones; with "replace": true the whole record is
 * replaced. Other records are added. Status E is allowed here. Returns as ssb_materials_load_dir(); on error
 * the database is unchanged (the file is applied all or nothing). */
int ssb_materials_load_file(ssb_ctx *ctx, ssb_materials *db, const char *path);

/* Number of materials and the i-th one (0 <= i < count, in load order; NULL when out of range). */
int ssb_materials_count(const ssb_materials *db);
const ssb_material *ssb_materials_at(const ssb_materials *db, int i);

/* Find by name or alias (case-insensitive, ignoring ' ', '-', '_'). Returns SSB_OK and *m, or SSB_ERR_NOTFOUND
 * with "unknown material 'X'; closest: A, B, C" (edit distance over names and aliases) and *m = NULL;
 * SSB_ERR_ARG for NULL arguments. */
int ssb_materials_find(ssb_ctx *ctx, const ssb_materials *db, const char *name, const ssb_material **m);

/* Up to k closest material names to `name` (edit distance over names and aliases of normalised strings,
 * best first, each material once). out[] receives borrowed canonical names. Returns the number written. */
int ssb_materials_suggest(const ssb_materials *db, const char *name, int k, const char **out);

/* Case-insensitive edit (Levenshtein) distance of two strings after normalisation (see find). */
int ssb_materials_name_distance(const char *a, const char *b);

/* ---- one material ---- */

const char *ssb_materials_name(const ssb_material *m);
ssb_mat_class ssb_materials_class(const ssb_material *m);
const char *ssb_materials_formula(const ssb_material *m);     /* NULL if none */
const char *ssb_materials_description(const ssb_material *m); /* NULL if none */
int ssb_materials_nalias(const ssb_material *m);
const char *ssb_materials_alias(const ssb_material *m, int i); /* NULL when out of range */
/* 1 if name matches the material's name or an alias (normalised comparison). */
int ssb_materials_matches(const ssb_material *m, const char *name);

/* Properties: count, i-th (file order; SSB_ERR_RANGE when out of range) and by key. by key: SSB_OK, or
 * SSB_ERR_NOTFOUND ("<material> has no '<key>' in the database: the reference gives no value") when absent.
 * "c_max" that a record does not store is computed as Li_per_formula rho / M from its formula, density and
 * Li_per_formula when all three are given (status C; not listed by prop_at). */
int ssb_materials_nprop(const ssb_material *m);
int ssb_materials_prop_at(ssb_ctx *ctx, const ssb_material *m, int i, ssb_mat_prop *p);
int ssb_materials_get_prop(ssb_ctx *ctx, const ssb_material *m, const char *key, ssb_mat_prop *p);
/* Nominal SI value of a key (si_value). SSB_ERR_NOTFOUND when absent or when only a range is known. */
int ssb_materials_get_si(ssb_ctx *ctx, const ssb_material *m, const char *key, double *value);

/* Li+ conductivity at temperature T [K] in S/m from the database's Arrhenius parameters:
 *     sigma(T) * T = A exp(-Ea / (k_B T)),   A = sigma_ref * T_ref * exp(Ea / (k_B T_ref)),
 * i.e. sigma(T) = sigma_ref (T_ref / T) exp(-(Ea / k_B)(1/T - 1/T_ref)), with sigma_ref, T_ref from
 * sigma_ion[_bulk|_gb] and Ea from Ea_ion[_bulk|_gb]. When the Ea record says form "sigma" the prefactor form
 * sigma = s0 exp(-Ea/kT) is used instead. At T = T_ref the stored value is returned without Ea.
 * SSB_SIGMA_TOTAL without a measured total ("sigma_ion") but with bulk and GB records and the keys "grain_size"
 * and "gb_thickness" (d, delta): the brick layer at T, sigma = [1/sigma_b + (delta/d)/sigma_gb]^-1 +
 * 2 (delta/d) sigma_gb (ssb_se_brick_solve with the GB conductivity equal across and along).
 * Returns SSB_OK, SSB_ERR_NOTFOUND (missing conductivity or Ea, or only a range known; message names the key),
 * SSB_ERR_RANGE (T <= 0 or not finite). Extrapolation outside [T_min, T_max] is allowed (the reference gives
 * no validity ranges); *outside is set to 1 then (may be NULL). */
int ssb_materials_sigma_ion(ssb_ctx *ctx, const ssb_material *m, ssb_sigma_kind kind, double T, double *sigma,
                            int *outside);

/* ---- OCV curves ---- */

int ssb_materials_nocv(const ssb_material *m);
/* Info of curve i. SSB_ERR_RANGE when out of range. */
int ssb_materials_ocv_info(ssb_ctx *ctx, const ssb_material *m, int i, ssb_ocv_info *info);
/* Index of the curve named `name` (case-insensitive); NULL or "" gives 0 (the default, first curve).
 * SSB_ERR_NOTFOUND when the material has no such curve (or no curve at all). */
int ssb_materials_ocv_find(ssb_ctx *ctx, const ssb_material *m, const char *name, int *i);
/* U(x) in V vs Li/Li+ of curve i, x = c / c_max with the material's c_max (the physical Li fraction: c_max is
 * computed from the formula and the density). A curve whose source defined its x on another concentration
 * ("x_basis_mol_per_m3", e.g. a c_max fitted with an electrode's active fraction) is converted:
 * U(x) = U_source(x c_max / x_basis), and its range [x_min, x_max] (ssb_materials_ocv_info) is the source range
 * divided by c_max / x_basis and clipped to [0, 1]. Tables interpolate by PCHIP (monotone piecewise-cubic Hermite,
 * C1, flat between equal neighbouring values; constant beyond the table's ends). SSB_ERR_RANGE when x is outside
 * [x_min, x_max] or not finite; SSB_ERR_NOCONV if an MSMR inversion fails (never for valid data). */
int ssb_materials_ocv_eval(ssb_ctx *ctx, const ssb_material *m, int i, double x, double *U);
/* Point k (0 <= k < npoints of ssb_materials_ocv_info) of table curve i: x converted like the range (the physical
 * Li fraction ssb_materials_ocv_eval takes; the table's end points may lie outside [x_min, x_max]) and U [V]. The
 * PCHIP through these points (slopes as in Fritsch & Carlson 1980) is the curve. SSB_ERR_RANGE for a bad i or k,
 * SSB_ERR_ARG when curve i is not a table. */
int ssb_materials_ocv_point(ssb_ctx *ctx, const ssb_material *m, int i, int k, double *x, double *U);

/* ---- state-dependent diffusivity D(x) ---- */

/* Description of one diffusivity curve. Borrowed pointers. */
typedef struct {
    const char *name, *x_def;
    double x_min, x_max; /* validity range of x (Li fraction c / c_max) */
    int npoints;
    const char *source, *doi, *note;
    ssb_mat_status status;
} ssb_diffusivity_info;

int ssb_materials_ndiffusivity(const ssb_material *m);
/* Index of the diffusivity curve named `name` (case-insensitive); NULL or "" gives 0 (the first curve).
 * SSB_ERR_NOTFOUND when the material has no such curve (message lists the available ones). */
int ssb_materials_diffusivity_find(ssb_ctx *ctx, const ssb_material *m, const char *name, int *i);
/* Info of curve i. SSB_ERR_RANGE when out of range. */
int ssb_materials_diffusivity_info(ssb_ctx *ctx, const ssb_material *m, int i, ssb_diffusivity_info *info);
/* D(x) in m2/s of curve i (log-linear interpolation of the table). SSB_ERR_RANGE when x is outside
 * [x_min, x_max] or not finite. */
int ssb_materials_diffusivity_eval(ssb_ctx *ctx, const ssb_material *m, int i, double x, double *D);

/* ---- helpers ---- */

const char *ssb_mat_class_name(ssb_mat_class c);                        /* "se", "cathode", ... */
int ssb_mat_class_parse(ssb_ctx *ctx, const char *s, ssb_mat_class *c); /* SSB_ERR_ARG if unknown */
const char *ssb_mat_status_name(ssb_mat_status s);                      /* "D", "L", "C", "E" */
const char *ssb_mat_status_describe(ssb_mat_status s);
/* Molar mass [g/mol] of a formula (see schema). SSB_ERR_FORMAT names the bad character / unknown element. */
int ssb_materials_molar_mass(ssb_ctx *ctx, const char *formula, double *M);
/* Convert a value in a file unit to SI: *si = v * factor, *si_unit = SI unit. SSB_ERR_NOTFOUND if unknown. */
int ssb_materials_unit_to_si(ssb_ctx *ctx, const char *unit, double v, double *si, const char **si_unit);

#ifdef __cplusplus
}
#endif
#endif
