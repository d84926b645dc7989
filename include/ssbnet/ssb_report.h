/*
 * ssb_report.h - one description per result type: a table of fields (JSON key, table header, the unit the value
 * is stored in, the unit it is shown in, format), from which every writer works. A quantity therefore has one
 * JSON key and one header in every command: the key is the field's key plus the shown unit's suffix
 * ("capacity" + "mAh_per_cm2" -> "capacity_mAh_per_cm2"), the header its label plus the unit symbol
 * ("capacity [mAh/cm2]"). Writers: ssb_report_csv_write (CSV, here); the CLI's JSON and table writers
 * (cli/cli_report.h) walk the same fields. Descriptions of the chain's result types (transport, rate point,
 * hand-over) come from ssb_run_report_type (ssb_run.h).
 * Thread-safe (descriptions are constant data).
 */
#ifndef SSB_REPORT_H
#define SSB_REPORT_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_units.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SSB_FIELD_DOUBLE = 0, /* double */
    SSB_FIELD_INT64,      /* int64_t */
    SSB_FIELD_INT,        /* int */
    SSB_FIELD_BOOL,       /* int, written true/false */
    SSB_FIELD_STRING,     /* char array in the struct */
    SSB_FIELD_ENUM        /* int written as the name name_of(value) */
} ssb_field_kind;

typedef struct {
    const char *key;   /* JSON key without the unit suffix, e.g. "capacity" */
    const char *label; /* table header without the unit, e.g. "capacity" */
    ssb_unit stored;   /* unit of the value in the struct (SI for library results) */
    ssb_unit shown;    /* unit in keys, headers and written values */
    ssb_field_kind kind;
    size_t offset;                /* offsetof(struct, member) */
    const char *fmt;              /* printf format of a table cell ("%.4f"); NULL: "%.6g" */
    const char *(*name_of)(int);  /* SSB_FIELD_ENUM: value -> name (JSON, CSV) */
    const char *(*label_of)(int); /* SSB_FIELD_ENUM: value -> readable label in tables (NULL: name_of) */
} ssb_report_field;

typedef struct {
    const char *name; /* "transport", "rate_point", ... */
    int nfields;
    const ssb_report_field *fields;
} ssb_report_type;

/* "capacity_mAh_per_cm2" (key alone for a unit without suffix). Returns the length snprintf would write. */
int ssb_report_field_key(const ssb_report_field *f, char *buf, size_t n);
/* "capacity [mAh/cm2]" ("[-]" for dimensionless, no brackets for strings, booleans and names). */
int ssb_report_field_header(const ssb_report_field *f, char *buf, size_t n);
/* The shown value of a numeric field of row (NaN for strings). */
double ssb_report_field_value(const ssb_report_field *f, const void *row);
/* A table cell (fmt, or the label / true / false / string). */
int ssb_report_field_format(const ssb_report_field *f, const void *row, char *buf, size_t n);
/* CSV of n rows (row i at (const char *)rows + i * stride): one header line of the keys, one line per row; atomic.
 * Errors: SSB_ERR_ARG, SSB_ERR_IO. */
int ssb_report_csv_write(ssb_ctx *ctx, const char *path, const ssb_report_type *t, const void *rows, int n,
                         size_t stride);

/* Figures of a rate sweep (the main job's plots), PNG or SVG by the extension of path, written atomically
 * (ssb_plot_save). Inputs in SI; shown in mAh/cm2 and mV through the units table.
 *   discharge: n curves, curve i at C-rate crates[i] with npts[i] points of discharged charge q[i] [C/m2] and
 *              voltage v[i] [V] (a curve with no points is skipped);
 *   rate capability: capacity [C/m2] against the n C-rates;
 *   breakdown: nloss processes (labels) x n C-rates of mean overpotential loss[k * n + i] [V]; processes under
 *              1 uV at every rate are left out.
 * Errors: SSB_ERR_ARG (NULL, n < 1; n > 64 for the last two), those of ssb_plot_save. Not thread-safe (PLplot). */
int ssb_report_plot_discharge(ssb_ctx *ctx, const char *path, int n, const double *crates, const int *npts,
                              const double *const *q, const double *const *v);
int ssb_report_plot_rate_capability(ssb_ctx *ctx, const char *path, int n, const double *crates,
                                    const double *capacity);
int ssb_report_plot_breakdown(ssb_ctx *ctx, const char *path, int n, const double *crates, int nloss,
                              const char *const *labels, const double *loss);

#ifdef __cplusplus
}
#endif
#endif
