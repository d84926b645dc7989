/*
 * ssb_mech.h - contact under pressure: the Li-metal | SE interface on stripping (voids, critical stripping current,
 * plating criterion) and particle contacts (Hertz, Greenwood-Williamson, constriction resistance).
 *
 * ---------------------------------------------------------------------------------------------------------------
 * Physics (tests/reference/FORMULAS-interfaces.md sections 5.1-5.3 and 2.4)
 *
 * Li | SE on stripping. The contact fraction phi in (0, 1] of the Li foil on the SE changes with the balance of the
 * Li removed at the contacts by the stripping current density j [A/m2 of geometric area] and the Li supplied to the
 * interface by vacancy diffusion in the Li and by power-law creep of the Li under the stack pressure p:
 *     j_vac(T)        = F D(T) / (V_m l)                       D = D_ref exp(-E_D/R (1/T - 1/T_ref))
 *     j_creep(p,T,phi) = j_c1 (p / (phi p_1))^n exp(-Q/R (1/T - 1/T_ref))     p_1 = 1 MPa, T_ref = 298.15 K
 *     d phi / dt      = -(V_m / (F h)) (j - j_vac - j_creep)    capped at phi = 1
 * (minimal void model of FORMULAS 5.2: the stress on the Li rises as p / phi on the remaining contacts; creep:
 * Masias et al. 2019, LePage et al. 2019; vacancy supply: Krauskopf et al. 2019). V_m molar volume, l vacancy
 * diffusion length, h void depth, j_c1 the creep supply at 1 MPa and T_ref (a lumped constant: creep pre-factor
 * times the creep length). The critical stripping current is the current where supply meets demand at full
 * contact: CCS(p, T) = j_vac(T) + j_creep(p, T, 1). Below it phi stays 1; above it phi falls towards the partial
 * contact phi* where j_vac + j_creep(phi*) = j (the contact stress p/phi* makes the creep keep up), or towards 0
 * when there is no creep (p = 0).
 *
 * Plating after stripping: the next plating current passes through the remaining contacts, j_loc = j / phi. With
 * the electronic leakage of the SE (se module, ssb_se_leakage_solve: i_e = sigma_e V / L, Hebb-Wagner limit) Li
 * forms inside the SE as well; the criterion is j_loc >= CCD_plating - i_e ("dendrite"), CCD_plating the plating
 * critical current of the SE from the database. Regions: "dendrite" (the criterion holds, also at full contact:
 * a current at or above the CCD makes dendrites whatever the contact), else "stable" (phi >= 0.99 over the
 * horizon) or "void" (phi falls).
 *
 * Contacts. Hertz (two spheres R1, R2, moduli E1, E2, Poisson nu1, nu2; R = R1 R2 / (R1 + R2), 1/E* = (1 - nu1^2)/E1
 * + (1 - nu2^2)/E2): a = (3 F R / (4 E*))^(1/3), p0 = 3 F / (2 pi a^2), delta = a^2 / R.
 * Greenwood-Williamson: asperities of tip radius R_a, areal density eta and heights z with a Gaussian (or
 * exponential) distribution of standard deviation (scale) s; at separation d each asperity with z > d touches with
 * w = z - d; elastic (Hertz, w < w_c) or fully plastic above the critical interference w_c = (pi H / (2 E*))^2 R_a
 * (area pi R_a w (2 - w_c/w), load H area; Chang, Etsion, Bogy, J. Tribol. 109, 257 (1987)):
 *     A/A_n = eta int a(w) phi(z) dz,  p = eta int F(w) phi(z) dz,   N = eta int_{z > d} phi(z) dz
 * For the exponential distribution and purely elastic contacts A is exactly proportional to the load.
 * Constriction resistance: one circular contact of radius a between two half-spaces of conductivities s1, s2:
 * R = 1/(4 s1 a) + 1/(4 s2 a) (Holm), 1/(2 s a) for equal ones; N contacts of mean radius a_m per area in parallel:
 * R A = (1/(4 s1 a_m) + 1/(4 s2 a_m)) / N (interaction of the contacts neglected: an upper estimate of the
 * ion flow constriction). Interface resistance of a rough CAM|SE contact at nominal pressure p: the constriction
 * resistance on the SE side plus the charge-transfer resistance of the contacted area: R_ct / (A/A_n).
 *
 * Units: SI inside (Pa, m, N, S/m, A/m2, ohm m2, K, J/mol, m3/mol). Thread-safety: objects are independent; a
 * database is read-only after loading.
 * ---------------------------------------------------------------------------------------------------------------
 */
#ifndef SSB_MECH_H
#define SSB_MECH_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_materials.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSB_MECH_NAME_LEN 64

/* ================================================================================================ contacts */

typedef struct {
    double a;      /* contact radius [m] */
    double p0;     /* peak pressure [Pa] */
    double delta;  /* approach of the two centres [m] */
    double p_mean; /* mean pressure F / (pi a^2) [Pa] */
    double E_star; /* effective modulus [Pa] */
    double R;      /* effective radius [m] */
} ssb_mech_hertz_result;

/* Effective modulus 1/E* = (1 - nu1^2)/E1 + (1 - nu2^2)/E2 [Pa]. E > 0 (INFINITY: rigid), nu in [0, 0.5). */
int ssb_mech_effective_modulus(ssb_ctx *ctx, double E1, double nu1, double E2, double nu2, double *E_star);
/* Hertz contact of two spheres of radii R1, R2 [m] (INFINITY: a flat) pressed by force F [N] > 0. */
int ssb_mech_hertz(ssb_ctx *ctx, double R1, double R2, double E_star, double F, ssb_mech_hertz_result *r);

typedef enum { SSB_MECH_GAUSSIAN = 0, SSB_MECH_EXPONENTIAL = 1 } ssb_mech_height_dist;

typedef struct {
    double E_star;         /* [Pa] > 0 */
    double hardness;       /* [Pa] > 0 (INFINITY: elastic asperities) */
    double asperity_radius; /* R_a [m] > 0 (default 1 um) */
    double asperity_density; /* eta [1/m2] > 0 (default 1e11, i.e. 0.1 per um2) */
    double roughness;      /* s [m] > 0 (default 50 nm) */
    ssb_mech_height_dist dist; /* default GAUSSIAN */
} ssb_mech_gw_params;
ssb_mech_gw_params ssb_mech_gw_params_default(void); /* E_star, hardness NaN (must be set) */

typedef struct {
    double pressure;         /* nominal pressure [Pa] */
    double separation;       /* d [m] */
    double area_fraction;    /* A / A_n */
    double contacts;         /* N per nominal area [1/m2] */
    double mean_radius;      /* sqrt(A / (pi N)) [m] */
    double plastic_fraction; /* share of the contacts in the plastic regime */
} ssb_mech_gw_result;

/* State at separation d [m] (d in units of m, may be negative). */
int ssb_mech_gw_at_separation(ssb_ctx *ctx, const ssb_mech_gw_params *p, double d, ssb_mech_gw_result *r);
/* State at nominal pressure p [Pa] > 0 (bisection on d to relative 1e-12). SSB_ERR_RANGE when the pressure would
 * flatten the surface completely (area fraction above 0.5: outside the model's range; the message says so). */
int ssb_mech_gw_at_pressure(ssb_ctx *ctx, const ssb_mech_gw_params *p, double pressure, ssb_mech_gw_result *r);

/* Constriction resistance [ohm] of one circular contact of radius a [m] between half-spaces of conductivity s1, s2
 * [S/m] (s2 INFINITY: one side only). */
int ssb_mech_constriction(ssb_ctx *ctx, double a, double s1, double s2, double *R);

/* ==================================================================================== database of constants */

typedef struct {
    char name[SSB_MECH_NAME_LEN];
    double V_m;          /* molar volume [m3/mol] */
    double D_ref;        /* self-diffusivity at T_ref [m2/s] (NaN: not known) */
    double E_D;          /* [J/mol] */
    double l_vac;        /* vacancy diffusion length [m] */
    double creep_n;      /* stress exponent (NaN: no creep data) */
    double creep_Q;      /* [J/mol] */
    double j_creep1;     /* creep supply at 1 MPa and T_ref [A/m2] */
    double void_depth;   /* h [m] */
    double E, nu, yield; /* [Pa], [-], [Pa] */
    const char *diffusion_source, *creep_source, *creep_note, *elastic_source;
} ssb_mech_anode;

typedef struct {
    char name[SSB_MECH_NAME_LEN];
    int kind;           /* 0: electrolyte, 1: cathode, 2: anode active material (alloy host) */
    double E, nu, H;    /* [Pa], [-], hardness [Pa] */
    double ccd_plating; /* [A/m2] (NaN: not known; electrolytes only) */
    double sigma_e;     /* electronic conductivity [S/m] (NaN: not known) */
    const char *elastic_source, *ccd_source, *electronic_source;
} ssb_mech_solid;

typedef struct ssb_mech_db ssb_mech_db;
/* data/iface/mechanics.json (schema "ssbnet-mechanics-1"), found like the interphase database (SSBNET_DATA_DIR/
 * iface, the install data dir, the source tree); NULL path: that file. Errors SSB_ERR_IO, SSB_ERR_FORMAT. */
int ssb_mech_db_load(ssb_ctx *ctx, const char *path, ssb_mech_db **db);
void ssb_mech_db_destroy(ssb_mech_db **db);
/* Lookups by name (case-insensitive; with mdb also through the materials aliases). SSB_ERR_NOTFOUND for an
 * unknown name; for an anode record without the diffusion or creep constants SSB_ERR_UNSUPPORTED naming the
 * missing key ("self_diffusivity_cm2_per_s", "creep_stress_exponent", ...). Records are borrowed. */
int ssb_mech_db_anode(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                      const ssb_mech_anode **a);
int ssb_mech_db_solid(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                      const ssb_mech_solid **s);

/* ============================================================================================ Li | SE */

typedef struct {
    double pressure;    /* stack pressure [Pa] >= 0 */
    double T;           /* [K] (default 298.15), in [200, 450] */
    double hours;       /* horizon of the contact-fraction run [h] (default 100) */
    double separator;   /* SE thickness for the leakage [m] (default 500 um) */
    double voltage;     /* voltage across the SE for the leakage [V] (default 0.1: polarisation of a Li|Li cell) */
} ssb_mech_li_params;
ssb_mech_li_params ssb_mech_li_params_default(void);

/* Largest current density the model represents [A/m2] (100 mA/cm2: beyond it the interface kinetics, not the
 * Li supply, limit). */
#define SSB_MECH_J_MAX 1000.0

/* Li supply to the interface [A/m2] at contact fraction phi: vacancy part and creep part. */
int ssb_mech_li_supply(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double phi, double *j_vac,
                       double *j_creep);
/* Critical stripping current CCS(p, T) [A/m2]. */
int ssb_mech_li_ccs(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double *ccs);

typedef enum { SSB_MECH_STABLE = 0, SSB_MECH_VOID = 1, SSB_MECH_DENDRITE = 2 } ssb_mech_region;
const char *ssb_mech_region_name(ssb_mech_region r); /* "stable", "void", "dendrite" */

typedef struct {
    double ccs;            /* [A/m2] */
    double j_vac, j_creep; /* supply at full contact [A/m2] */
    double phi_end;        /* contact fraction after the horizon */
    double phi_steady;     /* partial-contact steady state (1 below the CCS, 0 without creep) */
    double j_local;        /* plating current at the contacts j / phi_end [A/m2] */
    double amplification;  /* 1 / phi_end */
    double i_leak;         /* electronic leakage current density through the SE [A/m2] */
    double ccd_plating;    /* plating CCD of the SE [A/m2] */
    double ccd_effective;  /* ccd_plating - i_leak [A/m2] */
    ssb_mech_region region;
} ssb_mech_li_point;

/* Contact fraction phi(t) at stripping current j [A/m2] in [0, SSB_MECH_J_MAX] for n >= 2 times t[0..n-1]
 * (ascending, >= 0, [s]); phi may be NULL to get only the point. se: the electrolyte (plating CCD, sigma_e).
 * Errors: SSB_ERR_RANGE (negative pressure, current out of range; the message names the value and range). */
int ssb_mech_li_evaluate(ssb_ctx *ctx, const ssb_mech_anode *a, const ssb_mech_solid *se,
                         const ssb_mech_li_params *p, double j, int n, const double *t, double *phi,
                         ssb_mech_li_point *out);

/* ==================================================================================== volume change on an image */

/* Volume change of the active material on a voxel image (cubic voxels): the CAM voxels (label cam_label) of the
 * ORIGINAL image shrink (dv < 0) or grow (dv > 0) by a uniform depth measured with the exact Euclidean distance
 * transform (Felzenszwalb & Huttenlocher, Theory Comput. 8, 415 (2012)): shrinking turns the CAM voxels nearest to
 * the non-CAM voxels into gap (label gap_label, added to the phase table as role PORE, sigma 0, when not there);
 * growing turns the non-CAM voxels nearest to the CAM into CAM. Exactly round(|dv| n_CAM) voxels change (ties at
 * the threshold depth in voxel index order), so the CAM volume is (1 + dv) of the original to one voxel. The
 * result is always derived from the original image: dv = 0 returns it unchanged, so a particle that swells back
 * to its original volume is restored exactly. Every particle loses (gains) the same depth, i.e. the same
 * relative volume only for particles of one size. *out: a new grid (caller destroys); *dv_done (may be NULL):
 * achieved relative change. Errors: SSB_ERR_RANGE (dv outside (-1, 2], no CAM voxel, gap label equal to the CAM
 * label or used by a non-pore phase, non-cubic voxels, not enough voxels to grow into), SSB_ERR_NOMEM. */
int ssb_mech_volume_change(ssb_ctx *ctx, const ssb_grid *orig, uint8_t cam_label, uint8_t gap_label, double dv,
                           ssb_grid **out, double *dv_done);
/* 1 when the conductivity fields sa[label of a] and sb[label of b] agree exactly in every voxel (same dimensions
 * and voxel size), else 0. A volume change that only turns CAM into gap leaves the ionic field unchanged when the
 * CAM carries no ions (the database rule of ssb_run_assign_materials): its transport result can be reused. */
int ssb_mech_same_field(const ssb_grid *a, const double sa[256], const ssb_grid *b, const double sb[256]);


/* ======================================================================== volume change vs state of charge */

#define SSB_MECH_CURVE_MAX 64
/* dV/V of an active material vs its state of charge (data/iface/mechanics.json "volume_change"): soc in [0, 1] as
 * the record's soc_definition says (cathode: delithiated fraction; alloy anode: lithiated fraction), linear
 * interpolation between the points. fracture_strain, crack_dead_per_cycle and debond are NaN when the record has
 * none. */
typedef struct {
    char name[SSB_MECH_NAME_LEN];
    int n;
    double soc[SSB_MECH_CURVE_MAX], dv[SSB_MECH_CURVE_MAX]; /* dv: relative volume change (-0.05 = -5 %) */
    double fracture_strain;      /* limit on the linear strain for cracking [-] */
    double crack_dead_per_cycle; /* share of a cracked particle's active capacity isolated per cycle [-] */
    double debond;               /* share of the particles whose SE contact opened that stay debonded per cycle */
    double V_m_host;             /* alloy anodes: molar volume of the host (e.g. Si) [m3/mol] (NaN: not given) */
    double x_max;                /* alloy anodes: Li per host atom at soc 1 (Si: 3.75, Li15Si4) */
    const char *source, *status, *fracture_source, *crack_note, *debond_note;
    double critical_diameter;    /* alloy hosts: particles larger than this crack on lithiation [m] (NaN: none) */
    const char *critical_source;
} ssb_mech_swelling;

/* Lookup as ssb_mech_db_solid; SSB_ERR_NOTFOUND (no volume-change record) names the known ones. */
int ssb_mech_db_swelling(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                         const ssb_mech_swelling **s);
/* dV/V at soc (SSB_ERR_RANGE outside the curve's soc range) and its slope d(dV/V)/d soc (may be NULL). */
int ssb_mech_swelling_at(ssb_ctx *ctx, const ssb_mech_swelling *s, double soc, double *dv, double *slope);

/* ============================================================= contact loss per cycle, cracking (cathode CAM) */

/* Contact of a CAM particle (radius R) with the SE matrix over one cycle. At the top of charge the particle has
 * shrunk by dv (< 0) relative to its discharged size: its surface moves in by u = R (1 - (1 + dv)^(1/3)). The SE
 * matrix follows the particle under the stack pressure p by the elastic closure of a spherical cavity in an
 * infinite matrix under remote pressure p, u_c = p R (1/(3K) + 1/(4G)) (Lame solution; K, G of the SE), so the
 * rough CAM|SE contact (Greenwood-Williamson at nominal pressure p, ssb_mech_gw_*) is pulled apart by
 * max(0, u - u_c). The contact kept at the top of charge is kept = A(d0 + max(0, u - u_c)) / A(d0) (d0 the
 * separation at p); the rest, 1 - kept, opens. On discharge the particle swells back; a share `debond` of the
 * particles whose contact opened do not re-bond (stated constant, ssb_mech_cycle_params), so per cycle the active
 * area and the active CAM are multiplied by (1 - debond (1 - kept)). Higher pressure: larger u_c, more kept,
 * less loss. Assumptions stated: hydrostatic stack pressure, elastic SE (no creep data for sulfide SEs in the
 * database), all particles of radius R. */
typedef struct {
    double pressure;    /* stack pressure [Pa] > 0 */
    double radius;      /* CAM particle radius [m] > 0 */
    double dv;          /* volume change at the top of charge relative to discharged, (-1, 0] */
    double debond;      /* share of the opened particles that stay debonded per cycle [0, 1] (default 0.002) */
    ssb_mech_gw_params gw; /* rough contact (E_star, hardness set from the CAM and SE) */
    double E_se, nu_se; /* SE matrix elastic constants [Pa], [-] */
    double separation0; /* GW separation d0 at the pressure [m]; NaN (default): solved here. A caller cycling at one
                           pressure passes the separation of a first call's result to skip the solve. */
} ssb_mech_cycle_params;
ssb_mech_cycle_params ssb_mech_cycle_params_default(void); /* NaN where it must be set */

typedef struct {
    double gap;        /* u [m] */
    double closure;    /* u_c [m] */
    double kept;       /* contact kept at the top of charge / contact at discharge [0, 1] */
    double loss;       /* relative loss of active area and active CAM per cycle, debond (1 - kept) */
    double separation0; /* GW separation at the pressure [m] */
} ssb_mech_cycle_result;
int ssb_mech_contact_cycle(ssb_ctx *ctx, const ssb_mech_cycle_params *p, ssb_mech_cycle_result *r);

/* Cracking of a CAM particle of radius R cycled between soc_lo and soc_hi at crate (C-rate) with solid
 * diffusivity D and maximum concentration c_max: linear strain = |dv(soc_hi) - dv(soc_lo)| / 3 (volume swing,
 * the intergranular mismatch of a polycrystalline particle taken as its linear strain: an upper estimate) plus the
 * diffusion-induced strain of galvanostatic insertion at steady state, sigma_max / E = Omega j_n R / (15 (1 - nu)
 * D) with j_n = c_max (soc_hi - soc_lo) R crate / (3 * 3600 s) the molar flux and Omega = |d(dV/V)/d soc| / c_max
 * the partial molar volume at soc_hi (Christensen & Newman, J. Electrochem. Soc. 153, A1019 (2006); Zhang, Shyy &
 * Sastry, J. Electrochem. Soc. 154, A910 (2007): surface tangential / centre stress of the parabolic profile).
 * cracked = strain > fracture_strain of the record (SSB_ERR_UNSUPPORTED naming "fracture_strain" when missing). */
typedef struct {
    double strain_volume, strain_diffusion, strain; /* [-] */
    double limit;                                   /* fracture_strain [-] */
    int cracked;
    double dead_per_cycle; /* crack_dead_per_cycle when cracked, else 0 */
} ssb_mech_crack_result;
int ssb_mech_crack(ssb_ctx *ctx, const ssb_mech_swelling *s, double soc_lo, double soc_hi, double radius, double D,
                   double c_max, double crate, double nu, ssb_mech_crack_result *r);

/* Li | SE contact fraction after dt [s] at stripping current j [A/m2] (>= 0: stripping; < 0: plating, the Li
 * arriving at the contacts does not refill voids, so it counts as j = 0) from phi0 in (0, 1]: the void model of
 * ssb_mech_li_evaluate (d phi/dt = -(V_m/(F h)) (j - j_vac - j_creep(phi)), capped at 1) integrated by backward
 * Euler in steps of at most 60 s; the supply refills voids when j is below it (recovery under pressure). phi is
 * kept >= phi_floor (1e-4): a fully detached foil is outside the cell model. */
int ssb_mech_li_advance(ssb_ctx *ctx, const ssb_mech_anode *a, double pressure, double T, double j, double phi0,
                        double dt, double *phi);


/* ============================================================================ alloy (Si) anode: closed forms */

/* Lithium in an alloy composite negative electrode (not in the cell model: see README). A layer of thickness L
 * with host (Si) volume fraction eps_host and porosity takes n_li [mol/m2] of lithium: soc = n_li / (x_max eps_host
 * L / V_m_host) (lithium conservation: every mole from the cathode sits in the host); the host swells by
 * dv(soc) (its volume-change curve), the pores take up to their volume, the rest is the layer's free volumetric
 * strain e_v = max(0, eps_host dv - porosity). SSB_ERR_RANGE when n_li exceeds what the host takes (soc > 1),
 * SSB_ERR_UNSUPPORTED (naming "host_molar_volume_cm3_per_mol" / "li_per_host_max") for a record without them. */
typedef struct {
    double soc;        /* lithiation of the host [0, 1] */
    double capacity;   /* lithium the layer takes at soc 1 [mol/m2] */
    double dv_host;    /* dV/V of the host at soc */
    double e_v;        /* free volumetric strain of the layer */
} ssb_mech_alloy_state;
int ssb_mech_alloy_lithiate(ssb_ctx *ctx, const ssb_mech_swelling *host, double thickness, double eps_host,
                            double porosity, double n_li, ssb_mech_alloy_state *out);

/* Stack pressure of a cell stack held by a fixture: layers in series (thickness L_i, E_i, nu_i), each laterally
 * constrained (no in-plane strain), layer i with a free isotropic volumetric strain e_i (e.g. the alloy layer's
 * e_v). Its free through-thickness strain is eps_i = ((1 + e_i)^(1/3) - 1) (1 + nu_i) / (1 - nu_i) (isotropic
 * eigenstrain under lateral constraint) and its stiffness the constrained modulus M_i = E_i (1 - nu_i) / ((1 + nu_i)
 * (1 - 2 nu_i)); with a fixture of stiffness k [Pa/m] (INFINITY: rigid) the pressure rises by
 *     dp = sum_i L_i eps_i / (sum_i L_i / M_i + 1 / k)              (linear-elastic constrained stack)
 * and relaxes by creep as a Maxwell element, p(t) = p0 + dp exp(-t / tau) (tau INFINITY: no creep; tau is an
 * input: the database has no creep data for SEs or lithiated Si). Linear elasticity: beyond a few % strain the
 * figure is an upper bound (plastic flow of Li_xSi and the SE is not modelled). */
#define SSB_MECH_STACK_MAX 8
typedef struct {
    int n;
    double thickness[SSB_MECH_STACK_MAX], E[SSB_MECH_STACK_MAX], nu[SSB_MECH_STACK_MAX];
    double e_v[SSB_MECH_STACK_MAX]; /* free volumetric strain of each layer (0: passive layer) */
    double fixture_stiffness;       /* [Pa/m] > 0, INFINITY: rigid (default) */
    double p0;                      /* stack pressure before the swelling [Pa] >= 0 */
    double tau;                     /* creep relaxation time [s] > 0, INFINITY: none (default) */
} ssb_mech_stack_params;
ssb_mech_stack_params ssb_mech_stack_params_default(void);
/* Pressure at time t >= 0 [s] after the swelling (*p) and the elastic rise dp (may be NULL). SSB_ERR_RANGE names
 * the bad field. */
int ssb_mech_stack_pressure(ssb_ctx *ctx, const ssb_mech_stack_params *sp, double t, double *p, double *dp);

/* Cracking of alloy (Si) host particles on lithiation: a particle of diameter 2R above the host's
 * critical_diameter (crystalline Si about 150 nm: Liu et al., ACS Nano 6, 1522 (2012), in situ TEM of single
 * particles on first lithiation; below it the particles lithiate without fracture) cracks when the cycle lithiates
 * it (soc_hi > soc_lo). Of the still-intact particles a share dead_per_cycle (the record's
 * crack_dead_fraction_per_cycle) breaks off per cycle and loses electronic contact; those particles break into
 * fragments of the critical size, whose surface is new_surface = R / (d_c / 2) - 1 times the particle's surface
 * (surface per volume 3/r of spheres), surface on which a fresh SEI grows (the review's dynamic SEI
 * reconstruction). Below the critical size nothing cracks (dead_per_cycle 0, new_surface 0). SSB_ERR_UNSUPPORTED
 * names "critical_diameter_nm" / "crack_dead_fraction_per_cycle" when the record lacks them. */
typedef struct {
    int cracked;           /* 1: 2R > critical diameter and the cycle lithiates the host */
    double ratio;          /* 2R / critical diameter */
    double dead_per_cycle; /* share of the intact particles isolated this cycle */
    double new_surface;    /* crack surface per surface of the particles that crack [-] */
} ssb_mech_alloy_crack_result;
int ssb_mech_alloy_crack(ssb_ctx *ctx, const ssb_mech_swelling *host, double radius, double soc_lo, double soc_hi,
                         ssb_mech_alloy_crack_result *r);

#ifdef __cplusplus
}
#endif
#endif
