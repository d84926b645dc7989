/* Key tables of the cell JSON (numeric keys with their units and ranges). Private. */
#ifndef SSB_CELL_KEYS_H
#define SSB_CELL_KEYS_H

#include "cell_impl.h"

enum { SSBI_KT_DOUBLE = 0, SSBI_KT_INT, SSBI_KT_LONG };

typedef struct {
    const char *key; /* JSON key with its unit */
    size_t off;      /* offset in the section's struct */
    double scale;    /* SI = value * scale + shift */
    double shift;
    double lo, hi; /* valid range in the key's unit */
    int lo_open, hi_open;
    int type; /* SSBI_KT_* */
    int kin;  /* kinetics kind set by this key, -1 none */
} ssbi_key;

extern const ssbi_key ssbi_keys_electrode[], ssbi_keys_limetal[], ssbi_keys_separator[], ssbi_keys_electrolyte[],
    ssbi_keys_cell[], ssbi_keys_cc[], ssbi_keys_numerics[];

const ssbi_key *ssbi_find_key(const ssbi_key *tab, const char *key);
int ssbi_key_set(ssb_ctx *ctx, const ssbi_key *k, void *base, double value, const char *path);
double ssbi_key_get(const ssbi_key *k, const void *base);
/* Up to three closest names (comma separated) into buf. */
void ssbi_key_suggest(const char *const *names, int n, const char *key, char *buf, size_t len);
/* Section index (0 cell, 1 positive, 2 negative, 3 separator, 4 electrolyte, 5 current collectors, 6 numerics):
 * its key table and base struct in v (the negative section maps to the Li metal or the composite electrode). */
int ssbi_section_table(const ssb_cell_values *v, int which, const ssbi_key **tab);
void *ssbi_section_base(ssb_cell_values *v, int which);
/* Set a key (range check, kinetics kind). */
int ssbi_apply_key(ssb_ctx *ctx, ssb_cell_values *v, int which, const ssbi_key *k, double value, const char *path);
int ssbi_params_check_ranges(ssb_ctx *ctx, const ssb_cell_values *v);

/* Bounds beyond which the model is meaningless (SI), checked after the key ranges (cell_json.c). */
#define SSBI_PHYS_CMAX 1e6           /* mol/m3 */
#define SSBI_PHYS_THICKNESS 1e-2     /* m */
#define SSBI_PHYS_THICKNESS_MIN 1e-9 /* m */
#define SSBI_PHYS_SIGMA 1e9          /* S/m */
#define SSBI_PHYS_EA 1e6             /* J/mol */
#define SSBI_PHYS_DENSITY 1e5        /* kg/m3 (osmium: 2.26e4) */
#define SSBI_PHYS_TMIN 100.0         /* K */
#define SSBI_PHYS_TMAX 1000.0        /* K */
#define SSBI_PHYS_MAX_CELLS 10000    /* finite volumes per region */
#define SSBI_PHYS_MAX_SHELLS 2000    /* particle shells */
#define SSBI_PHYS_MAX_UNKNOWNS 1000000
#define SSBI_PHYS_BYTES_PER_UNKNOWN 500.0
int ssbi_params_check_physical(ssb_ctx *ctx, const ssb_cell_values *v);

#endif
