/* Result-type descriptions and the CSV writer (ssb_report.h). */
#include <ssbnet/ssb_report.h>

#include "core_impl.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

int ssb_report_field_key(const ssb_report_field *f, char *buf, size_t n)
{
    const ssb_unit_info *u = ssb_unit_get(f->shown);
    if (f->kind == SSB_FIELD_DOUBLE && u->key[0])
        return snprintf(buf, n, "%s_%s", f->key, u->key);
    return snprintf(buf, n, "%s", f->key);
}

int ssb_report_field_header(const ssb_report_field *f, char *buf, size_t n)
{
    if (f->kind == SSB_FIELD_STRING || f->kind == SSB_FIELD_BOOL || f->kind == SSB_FIELD_ENUM ||
        f->kind == SSB_FIELD_INT64 || f->kind == SSB_FIELD_INT)
        return snprintf(buf, n, "%s", f->label);
    return snprintf(buf, n, "%s [%s]", f->label, ssb_unit_get(f->shown)->symbol);
}

double ssb_report_field_value(const ssb_report_field *f, const void *row)
{
    const char *p = (const char *)row + f->offset;
    double v;
    switch (f->kind) {
    case SSB_FIELD_DOUBLE:
        memcpy(&v, p, sizeof v);
        break;
    case SSB_FIELD_INT64: {
        int64_t i;
        memcpy(&i, p, sizeof i);
        return (double)i;
    }
    case SSB_FIELD_INT:
    case SSB_FIELD_BOOL:
    case SSB_FIELD_ENUM: {
        int i;
        memcpy(&i, p, sizeof i);
        return (double)i;
    }
    default:
        return NAN;
    }
    return ssb_unit_from_si(f->shown, ssb_unit_to_si(f->stored, v));
}

int ssb_report_field_format(const ssb_report_field *f, const void *row, char *buf, size_t n)
{
    const char *p = (const char *)row + f->offset;
    switch (f->kind) {
    case SSB_FIELD_STRING:
        return snprintf(buf, n, "%s", p);
    case SSB_FIELD_BOOL:
        return snprintf(buf, n, "%s", ssb_report_field_value(f, row) != 0 ? "true" : "false");
    case SSB_FIELD_ENUM: {
        int i;
        memcpy(&i, p, sizeof i);
        const char *(*fn)(int) = f->label_of ? f->label_of : f->name_of;
        return snprintf(buf, n, "%s", fn ? fn(i) : "?");
    }
    case SSB_FIELD_INT64:
    case SSB_FIELD_INT:
        return snprintf(buf, n, "%.0f", ssb_report_field_value(f, row));
    default:
        break;
    }
    double v = ssb_report_field_value(f, row);
    if (isinf(v))
        return snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
    if (isnan(v))
        return snprintf(buf, n, "-"); /* not available (e.g. a rate that is not sustained): never "nan" */
    return snprintf(buf, n, f->fmt ? f->fmt : "%.6g", v);
}

int ssb_report_csv_write(ssb_ctx *ctx, const char *path, const ssb_report_type *t, const void *rows, int n,
                         size_t stride)
{
    SSB_REQUIRE(ctx, path && t && (rows || n == 0) && n >= 0, SSB_ERR_ARG, "ssb_report_csv_write: bad argument");
    ssbi_atomic a;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &a, path, 1));
    char buf[256];
    int rc = SSB_OK;
    for (int k = 0; k < t->nfields && rc == SSB_OK; k++) {
        int len = ssb_report_field_key(&t->fields[k], buf, sizeof buf);
        if (k)
            rc = ssbi_atomic_write(ctx, &a, ",", 1);
        if (rc == SSB_OK)
            rc = ssbi_atomic_write(ctx, &a, buf, (size_t)len);
    }
    if (rc == SSB_OK)
        rc = ssbi_atomic_write(ctx, &a, "\n", 1);
    for (int i = 0; i < n && rc == SSB_OK; i++) {
        const void *row = (const char *)rows + (size_t)i * stride;
        for (int k = 0; k < t->nfields && rc == SSB_OK; k++) {
            const ssb_report_field *f = &t->fields[k];
            int len;
            if (f->kind == SSB_FIELD_DOUBLE)
                len = snprintf(buf, sizeof buf, "%.17g", ssb_report_field_value(f, row));
            else if (f->kind == SSB_FIELD_ENUM && f->name_of)
                len = snprintf(buf, sizeof buf, "%s", f->name_of((int)ssb_report_field_value(f, row)));
            else
                len = ssb_report_field_format(f, row, buf, sizeof buf);
            if (len < 0 || (size_t)len >= sizeof buf)
                len = (int)strlen(buf);
            if (k)
                rc = ssbi_atomic_write(ctx, &a, ",", 1);
            if (rc == SSB_OK)
                rc = ssbi_atomic_write(ctx, &a, buf, (size_t)len);
        }
        if (rc == SSB_OK)
            rc = ssbi_atomic_write(ctx, &a, "\n", 1);
    }
    if (rc != SSB_OK) {
        ssbi_atomic_abort(&a);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return ssbi_atomic_commit(ctx, &a);
}
