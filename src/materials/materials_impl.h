/* Private structures of the materials database. Not installed. */
#ifndef SSB_MATERIALS_IMPL_H
#define SSB_MATERIALS_IMPL_H

#include <ssbnet/ssb_materials.h>

#include "core_impl.h"

typedef struct {
    char *key;
    int has_value;
    double value, min, max; /* file unit; NaN when absent */
    char *unit;
    double factor;          /* file unit -> SI */
    const char *si_unit;    /* static string */
    double T, T_min, T_max; /* K; NaN when absent */
    char *form, *source, *doi, *note;
    ssb_mat_status status;
    int auto_mm; /* molar mass computed from the formula by the loader */
} ssbi_prop;

typedef enum { SSBI_TERM_POLY, SSBI_TERM_TANH, SSBI_TERM_EXP, SSBI_TERM_POW } ssbi_term_kind;

typedef struct {
    ssbi_term_kind kind;
    double a, b, c, p; /* tanh: a tanh(b x + c); exp: a exp(b x^n + c); pow: a (b x + c)^p */
    int n;             /* exp exponent of x */
    int ncoef;         /* poly */
    double *coef;
} ssbi_term;

typedef struct {
    char *name;
    ssb_ocv_kind kind;
    char *x_def, *source, *doi, *note;
    ssb_mat_status status;
    double x_min, x_max;
    int n; /* table */
    double *x, *U;
    int nterms; /* function */
    ssbi_term *terms;
    double clip_lo, clip_hi; /* NaN: no clipping */
    double x_basis;          /* mol/m3 on which the curve's x is defined (x = c / x_basis); NaN: the material's
                                c_max (then x is already the physical Li fraction) */
    double x_full;           /* source x of the fully lithiated host ("x_at_full_lithiation"); NaN: none */
    int nreact;              /* msmr */
    double *U0, *X, *w;
    double T;
} ssbi_ocv;

struct ssb_material {
    char *name;
    ssb_mat_class cls;
    char *formula, *description;
    int nalias;
    char **alias;
    int nprop;
    ssbi_prop *props;
    int nocv;
    ssbi_ocv *ocv;
    int ndif;
    ssbi_ocv *dif; /* D(x) tables: kind SSB_OCV_TABLE, x = Li fraction, U = log10(D / (m2/s)) */
    /* loader bookkeeping for user-file merges */
    int has_cls, replace;
};

struct ssb_materials {
    int n, cap;
    ssb_material **m;
};

/* Normalise a name for comparison: lower-case ASCII, spaces, '-' and '_' dropped. out has room for n bytes. */
void ssbi_mat_normalise(const char *in, char *out, size_t n);
/* Free one record (and everything it owns); NULL-safe. */
void ssbi_mat_free(ssb_material *m);
void ssbi_prop_clear(ssbi_prop *p);
void ssbi_ocv_clear(ssbi_ocv *o);
/* Unit table: factor to SI and the SI unit; returns 0 if unknown. */
int ssbi_unit_lookup(const char *unit, double *factor, const char **si_unit);
/* Parse one JSON file into new records (caller frees). user != 0 allows status E and "replace". */
int ssbi_mat_parse_file(ssb_ctx *ctx, const char *path, int user, ssb_mat_class *file_cls, ssb_material ***recs,
                        int *nrec);
/* Find an existing record matching name (normalised); -1 if none. */
int ssbi_mat_index(const ssb_materials *db, const char *name);
/* (Re)compute the automatic molar mass property of a record from its formula. */
int ssbi_mat_update_molar_mass(ssb_ctx *ctx, ssb_material *m, const char *file);
/* Evaluate an OCV curve (x already checked against the range). */
int ssbi_ocv_eval(ssb_ctx *ctx, const ssbi_ocv *o, double x, double *U);
/* Linear interpolation in a table (constant beyond its ends): the D(x) tables, log-linear in D. */
double ssbi_table_eval_linear(const ssbi_ocv *o, double x);

#endif
