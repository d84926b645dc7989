/*
 * ssb_units.h - the one table of display units. Values are SI inside the library; a display unit says how a value
 * is shown to users: its symbol in table headers ("mAh/cm2"), its suffix in JSON keys and cell-file keys
 * ("mAh_per_cm2", DESIGN.md "Units in keys") and its SI value (display = SI / si_per_unit). The CLI, the report
 * descriptions (ssb_report.h) and the run module convert through this table instead of scattered literals.
 * Thread-safe (constant data).
 */
#ifndef SSB_UNITS_H
#define SSB_UNITS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSB_UNIT_NONE = 0,    /* dimensionless: no key suffix, header "[-]" */
    SSB_UNIT_S_PER_M,     /* conductivity S/m */
    SSB_UNIT_MS_PER_CM,   /* conductivity mS/cm (0.1 S/m) */
    SSB_UNIT_S_PER_CM,    /* conductivity S/cm */
    SSB_UNIT_V,           /* voltage V */
    SSB_UNIT_MV,          /* voltage mV */
    SSB_UNIT_K,           /* temperature K */
    SSB_UNIT_M,           /* length m */
    SSB_UNIT_UM,          /* length um */
    SSB_UNIT_NM,          /* length nm */
    SSB_UNIT_PER_M,       /* area per volume 1/m */
    SSB_UNIT_PER_UM,      /* area per volume 1/um */
    SSB_UNIT_M2,          /* area m2 */
    SSB_UNIT_A,           /* current A */
    SSB_UNIT_A_PER_M2,    /* current density A/m2 */
    SSB_UNIT_MA_PER_CM2,  /* current density mA/cm2 */
    SSB_UNIT_C_PER_M2,    /* areal charge C/m2 */
    SSB_UNIT_MAH_PER_CM2, /* areal capacity mAh/cm2 */
    SSB_UNIT_J_PER_M2,    /* areal energy J/m2 */
    SSB_UNIT_MWH_PER_CM2, /* areal energy mWh/cm2 */
    SSB_UNIT_WH_PER_KG,   /* specific energy Wh/kg (from J/kg) */
    SSB_UNIT_WH_PER_L,    /* energy density Wh/L (from J/m3) */
    SSB_UNIT_OHM_M2,      /* area-specific resistance ohm m2 */
    SSB_UNIT_OHM_CM2,     /* area-specific resistance ohm cm2 */
    SSB_UNIT_S,           /* time s */
    SSB_UNIT_H,           /* time h */
    SSB_UNIT_PER_H,       /* C-rate 1/h: shown as a C-rate (key without suffix) */
    SSB_UNIT_BYTES,       /* memory */
    SSB_UNIT_C_PER_KG,    /* specific charge C/kg (SI) */
    SSB_UNIT_MAH_PER_G,   /* specific capacity mAh/g (from C/kg) */
    SSB_UNIT_OHM,         /* resistance Ohm */
    SSB_UNIT_OHM2,        /* squared impedance Ohm^2 (least-squares sums) */
    SSB_UNIT_F,           /* capacitance F */
    SSB_UNIT_HZ,          /* frequency Hz */
    SSB_UNIT_HENRY,       /* inductance H (symbol "H"; no key suffix of its own, EIS reports name units apart) */
    SSB_UNIT_MOL_PER_M3,  /* concentration mol/m3 */
    SSB_UNIT_M2_PER_S,    /* diffusivity m2/s */
    SSB_UNIT_CM2_PER_S,   /* diffusivity cm2/s */
    SSB_UNIT_J_PER_MOL,   /* molar energy J/mol */
    SSB_UNIT_KJ_PER_MOL,  /* molar energy kJ/mol */
    SSB_UNIT_KG_PER_M3,   /* density kg/m3 */
    SSB_UNIT_G_PER_CM3,   /* density g/cm3 */
    SSB_UNIT_G_PER_MOL,   /* molar mass g/mol (SI kg/mol) */
    SSB_UNIT_PA,          /* pressure, modulus Pa */
    SSB_UNIT_MPA,         /* MPa */
    SSB_UNIT_GPA,         /* GPa */
    SSB_UNIT_AH_PER_M2,   /* areal capacity Ah/m2 (SI C/m2) */
    SSB_UNIT_CM2,         /* area cm2 */
    SSB_UNIT_COUNT
} ssb_unit;

/* SI value of one display unit as constants, for tables that must be constant initialisers (the cell's key
 * tables); the units table (units.c) is built from the same constants, and tests compare the two. */
#define SSB_UNIT_SI_UM 1e-6
#define SSB_UNIT_SI_NM 1e-9
#define SSB_UNIT_SI_MV 1e-3
#define SSB_UNIT_SI_MS_PER_CM 0.1
#define SSB_UNIT_SI_S_PER_CM 100.0
#define SSB_UNIT_SI_MA_PER_CM2 10.0
#define SSB_UNIT_SI_MAH_PER_CM2 36000.0 /* 3.6 C / 1e-4 m2 */
#define SSB_UNIT_SI_AH_PER_M2 3600.0
#define SSB_UNIT_SI_OHM_CM2 1e-4
#define SSB_UNIT_SI_CM2 1e-4
#define SSB_UNIT_SI_CM2_PER_S 1e-4
#define SSB_UNIT_SI_KJ_PER_MOL 1e3
#define SSB_UNIT_SI_G_PER_CM3 1e3
#define SSB_UNIT_SI_G_PER_MOL 1e-3
#define SSB_UNIT_SI_MPA 1e6
#define SSB_UNIT_SI_GPA 1e9

typedef struct {
    const char *symbol; /* for table headers: "mAh/cm2" ("-" for NONE) */
    const char *key;    /* JSON / cell-file key suffix: "mAh_per_cm2" ("" for NONE and PER_H) */
    const char *si;     /* the SI unit the value is stored in: "C/m2" */
    double si_per_unit; /* SI value of one display unit: display = SI / si_per_unit, SI = display x si_per_unit */
} ssb_unit_info;

/* The entry of a unit (NONE's entry for an invalid one). */
const ssb_unit_info *ssb_unit_get(ssb_unit u);
/* SI value -> display value, and back. */
double ssb_unit_from_si(ssb_unit u, double si_value);
double ssb_unit_to_si(ssb_unit u, double display_value);
/* The unit whose key suffix is key ("mS_per_cm"), or SSB_UNIT_COUNT if none. */
ssb_unit ssb_unit_from_key(const char *key);

#ifdef __cplusplus
}
#endif
#endif
