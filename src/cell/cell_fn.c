/* Function-valued parameters: constants, expressions, tables (PCHIP), database OCV curves (adaptively sampled). */
#include "cell_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* longest table (points): keeps the bucket count 4 n an int and the memory below 1 GB */
#define SSBI_FN_TABLE_MAX (1 << 24)

void ssbi_fn_clear(ssbi_fn *f)
{
    ssbi_expr_destroy(&f->expr);
    free(f->x);
    free(f->y);
    free(f->d);
    free(f->idx);
    memset(f, 0, sizeof *f);
    f->x_min = f->x_max = NAN;
}

int ssbi_fn_copy(ssb_ctx *ctx, const ssbi_fn *src, ssbi_fn *dst)
{
    memset(dst, 0, sizeof *dst);
    *dst = *src;
    dst->expr = NULL;
    dst->x = dst->y = dst->d = NULL;
    dst->idx = NULL;
    if (src->expr)
        SSB_CHECK(ctx, ssbi_expr_copy(ctx, src->expr, &dst->expr));
    if (src->n > 0) {
        size_t b = (size_t)src->n * sizeof(double);
        dst->x = malloc(b);
        dst->y = malloc(b);
        dst->d = malloc(b);
        if (!dst->x || !dst->y || !dst->d) {
            ssbi_fn_clear(dst);
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory copying a table of %d points", src->n);
        }
        memcpy(dst->x, src->x, b);
        memcpy(dst->y, src->y, b);
        memcpy(dst->d, src->d, b);
        if (src->idx) {
            dst->idx = malloc((size_t)src->nidx * sizeof *dst->idx);
            if (!dst->idx) {
                ssbi_fn_clear(dst);
                return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory copying a table");
            }
            memcpy(dst->idx, src->idx, (size_t)src->nidx * sizeof *dst->idx);
        }
    }
    return SSB_OK;
}

typedef struct {
    double x, y;
} xy_point;

static int cmp_point_x(const void *a, const void *b)
{
    double xa = ((const xy_point *)a)->x, xb = ((const xy_point *)b)->x;
    return (xa > xb) - (xa < xb);
}

int ssbi_fn_set_table(ssb_ctx *ctx, ssbi_fn *f, int n, const double *x, const double *y, const char *what)
{
    SSB_REQUIRE(ctx, n >= 2, SSB_ERR_FORMAT, "%s: a table needs at least 2 points (got %d)", what, n);
    SSB_REQUIRE(ctx, n <= SSBI_FN_TABLE_MAX, SSB_ERR_RANGE, "%s: a table of %d points is too long (at most %d)", what,
                n, SSBI_FN_TABLE_MAX);
    double *tx = malloc((size_t)n * sizeof *tx), *ty = malloc((size_t)n * sizeof *ty),
           *td = malloc((size_t)n * sizeof *td);
    xy_point *pt = malloc((size_t)n * sizeof *pt);
    if (!tx || !ty || !td || !pt) {
        free(tx);
        free(ty);
        free(td);
        free(pt);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "%s: out of memory (%d points)", what, n);
    }
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            free(tx);
            free(ty);
            free(td);
            free(pt);
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: point %d is not finite (x = %g, y = %g)", what, i, x[i], y[i]);
        }
        pt[i].x = x[i];
        pt[i].y = y[i];
    }
    /* O(n log n); duplicate x values are refused below, so the order among equal keys does not matter */
    qsort(pt, (size_t)n, sizeof *pt, cmp_point_x);
    for (int i = 0; i < n; i++) {
        tx[i] = pt[i].x;
        ty[i] = pt[i].y;
    }
    free(pt);
    for (int i = 1; i < n; i++) {
        if (!(tx[i] > tx[i - 1])) {
            double dup = tx[i];
            free(tx);
            free(ty);
            free(td);
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: table x values must be distinct (x = %g twice)", what, dup);
        }
    }
    /* the bucket index needs a finite 1 / (x range) */
    if (!isfinite((double)(4 * n) / (tx[n - 1] - tx[0]))) {
        double lo = tx[0], hi = tx[n - 1];
        free(tx);
        free(ty);
        free(td);
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s: table x range [%g, %g] is too narrow or too wide", what, lo, hi);
    }
    ssbi_pchip_slopes(n, tx, ty, td); /* Fritsch-Carlson monotone slopes (src/core/pchip.c) */
    /* bucket index: 4 buckets per interval on average */
    int nb = 4 * n;
    int *ix = malloc((size_t)nb * sizeof *ix);
    if (!ix) {
        free(tx);
        free(ty);
        free(td);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "%s: out of memory (%d points)", what, n);
    }
    double ih = nb / (tx[n - 1] - tx[0]);
    for (int b = 0, i = 0; b < nb; b++) {
        double xb = tx[0] + b / ih;
        while (i < n - 2 && tx[i + 1] <= xb)
            i++;
        ix[b] = i;
    }
    ssbi_fn_clear(f);
    f->idx = ix;
    f->nidx = nb;
    f->inv_h = ih;
    f->kind = SSBI_FN_TABLE;
    f->n = n;
    f->x = tx;
    f->y = ty;
    f->d = td;
    f->x_min = tx[0];
    f->x_max = tx[n - 1];
    snprintf(f->source, sizeof f->source, "%.100s (table of %d points)", what, n);
    return SSB_OK;
}

int ssbi_fn_set_table_log(ssb_ctx *ctx, ssbi_fn *f, int n, const double *x, const double *y, const char *what)
{
    SSB_REQUIRE(ctx, n >= 2, SSB_ERR_FORMAT, "%s: a table needs at least 2 points (got %d)", what, n);
    SSB_REQUIRE(ctx, n <= SSBI_FN_TABLE_MAX, SSB_ERR_RANGE, "%s: a table of %d points is too long (at most %d)", what,
                n, SSBI_FN_TABLE_MAX);
    for (int i = 0; i < n; i++)
        SSB_REQUIRE(ctx, isfinite(x[i]) && y[i] > 0 && isfinite(y[i]), SSB_ERR_RANGE,
                    "%s: point %d (x = %g) has the value %g (must be finite and > 0; the table is interpolated in "
                    "log)",
                    what, i, x[i], y[i]);
    double *ly = malloc((size_t)n * sizeof *ly);
    if (!ly)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "%s: out of memory (%d points)", what, n);
    for (int i = 0; i < n; i++)
        ly[i] = log(y[i]);
    int rc = ssbi_fn_set_table(ctx, f, n, x, ly, what);
    free(ly);
    if (rc != SSB_OK)
        return rc;
    f->logy = 1;
    snprintf(f->source, sizeof f->source, "%.100s (table of %d points, log)", what, n);
    return SSB_OK;
}

int ssbi_fn_set_expr(ssb_ctx *ctx, ssbi_fn *f, const char *text, const char *var, const char *what)
{
    ssbi_expr *e = NULL;
    SSB_CHECK(ctx, ssbi_expr_compile(ctx, text, var, what, &e));
    ssbi_fn_clear(f);
    f->kind = SSBI_FN_EXPR;
    f->expr = e;
    snprintf(f->source, sizeof f->source, "%.100s (expression)", what);
    return SSB_OK;
}

double ssbi_fn_eval(const ssbi_fn *f, double x, double *dfdx)
{
    switch (f->kind) {
    case SSBI_FN_CONST:
        if (dfdx)
            *dfdx = 0;
        return f->c;
    case SSBI_FN_EXPR:
        return ssbi_expr_eval(f->expr, x, dfdx);
    case SSBI_FN_TABLE: {
        const double *X = f->x, *Y = f->y, *D = f->d;
        int n = f->n;
        if (isnan(x)) {
            if (dfdx)
                *dfdx = NAN;
            return NAN;
        }
        /* a log table (ln y by PCHIP) is held at its end values outside; a plain one continues linearly */
        double xc = f->logy ? (x < X[0] ? X[0] : (x > X[n - 1] ? X[n - 1] : x)) : x;
        if (!f->logy && x <= X[0]) {
            if (dfdx)
                *dfdx = D[0];
            return Y[0] + D[0] * (x - X[0]);
        }
        if (!f->logy && x >= X[n - 1]) {
            if (dfdx)
                *dfdx = D[n - 1];
            return Y[n - 1] + D[n - 1] * (x - X[n - 1]);
        }
        /* xc is inside [X[0], X[n-1]] here, so NaN cannot reach the bucket index; clamp it all the same */
        double fb = (xc - X[0]) * f->inv_h;
        int b = fb > 0 ? (fb < (double)f->nidx ? (int)fb : f->nidx - 1) : 0;
        int lo = f->idx[b];
        while (lo < n - 2 && X[lo + 1] <= xc)
            lo++;
        if (!f->logy)
            return ssbi_hermite(X[lo], X[lo + 1], Y[lo], Y[lo + 1], D[lo], D[lo + 1], x, dfdx);
        double dl = 0.0, v = exp(ssbi_hermite(X[lo], X[lo + 1], Y[lo], Y[lo + 1], D[lo], D[lo + 1], xc, &dl));
        if (dfdx)
            *dfdx = xc == x ? v * dl : 0.0;
        return v;
    }
    default:
        if (dfdx)
            *dfdx = NAN;
        return NAN;
    }
}

/* ---- database OCV curves: adaptive sampling ---- */

typedef struct {
    int n, cap;
    double *x, *y;
} samples;

static int push(samples *s, double x, double y)
{
    if (s->n == s->cap) {
        int nc = s->cap ? 2 * s->cap : 512;
        double *nx = realloc(s->x, (size_t)nc * sizeof *nx);
        if (!nx)
            return -1;
        s->x = nx;
        double *ny = realloc(s->y, (size_t)nc * sizeof *ny);
        if (!ny)
            return -1;
        s->y = ny;
        s->cap = nc;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    return 0;
}

#define OCV_TOL 2e-6 /* V: largest deviation of the midpoint from the chord that stops refinement */
#define OCV_MAXDEPTH 16

static int refine(ssb_ctx *ctx, const ssb_material *m, int curve, samples *s, double xa, double ya, double xb,
                  double yb, int depth)
{
    double xm = 0.5 * (xa + xb), ym;
    int rc = ssb_materials_ocv_eval(ctx, m, curve, xm, &ym);
    if (rc != SSB_OK)
        return rc;
    if (depth < OCV_MAXDEPTH && fabs(ym - 0.5 * (ya + yb)) > OCV_TOL) {
        SSB_CHECK(ctx, refine(ctx, m, curve, s, xa, ya, xm, ym, depth + 1));
        return refine(ctx, m, curve, s, xm, ym, xb, yb, depth + 1);
    }
    if (push(s, xm, ym) || push(s, xb, yb))
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory sampling an OCV");
    return SSB_OK;
}

/* A database table curve is the PCHIP through its points (ssb_materials_ocv_point), the same interpolant as
 * ssbi_fn_set_table's (PCHIP is invariant under the affine map of the source x to the Li fraction): the cell takes
 * the points themselves, so its U(x) and dU/dx are the database's, not a resampling of it. */
static int fn_from_table_ocv(ssb_ctx *ctx, ssbi_fn *f, const ssb_material *m, int curve, const ssb_ocv_info *info)
{
    int n = info->npoints;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int rc = x && y ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory copying an OCV table");
    for (int k = 0; k < n && rc == SSB_OK; k++)
        rc = ssb_materials_ocv_point(ctx, m, curve, k, &x[k], &y[k]);
    if (rc == SSB_OK) {
        char what[160];
        snprintf(what, sizeof what, "%s OCV '%s'", ssb_materials_name(m), info->name);
        rc = ssbi_fn_set_table(ctx, f, n, x, y, what);
        if (rc == SSB_OK) {
            f->x_min = info->x_min;
            f->x_max = info->x_max;
            snprintf(f->source, sizeof f->source, "%.100s (database table, %d points)", what, n);
        }
    }
    free(x);
    free(y);
    return rc;
}

int ssbi_fn_from_material_ocv(ssb_ctx *ctx, ssbi_fn *f, const ssb_material *m, int curve)
{
    ssb_ocv_info info;
    SSB_CHECK(ctx, ssb_materials_ocv_info(ctx, m, curve, &info));
    double a = info.x_min, b = info.x_max;
    SSB_REQUIRE(ctx, isfinite(a) && isfinite(b) && b > a, SSB_ERR_FORMAT, "%s OCV '%s': bad x range [%g, %g]",
                ssb_materials_name(m), info.name, a, b);
    if (info.npoints > 0)
        return fn_from_table_ocv(ctx, f, m, curve, &info);
    double ya, yb;
    /* open ranges (MSMR): step inside by a tiny amount */
    if (ssb_materials_ocv_eval(ctx, m, curve, a, &ya) != SSB_OK) {
        a += 1e-9 * (b - a);
        SSB_CHECK(ctx, ssb_materials_ocv_eval(ctx, m, curve, a, &ya));
    }
    if (ssb_materials_ocv_eval(ctx, m, curve, b, &yb) != SSB_OK) {
        b -= 1e-9 * (b - a);
        SSB_CHECK(ctx, ssb_materials_ocv_eval(ctx, m, curve, b, &yb));
    }
    ssb_ctx_clear_error(ctx);
    samples s = {0};
    int rc = SSB_OK;
    const int n0 = 128;
    double xp = a, yp = ya;
    if (push(&s, a, ya))
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory sampling an OCV");
    for (int k = 1; k <= n0 && rc == SSB_OK; k++) {
        double xk = k == n0 ? b : a + (b - a) * k / n0, yk;
        if (k == n0)
            yk = yb;
        else
            rc = ssb_materials_ocv_eval(ctx, m, curve, xk, &yk);
        if (rc == SSB_OK)
            rc = refine(ctx, m, curve, &s, xp, yp, xk, yk, 0);
        xp = xk;
        yp = yk;
    }
    if (rc == SSB_OK) {
        char what[160];
        snprintf(what, sizeof what, "%s OCV '%s'", ssb_materials_name(m), info.name);
        rc = ssbi_fn_set_table(ctx, f, s.n, s.x, s.y, what);
        if (rc == SSB_OK) {
            f->x_min = info.x_min;
            f->x_max = info.x_max;
            snprintf(f->source, sizeof f->source, "%.100s (database, %d samples)", what, s.n);
        }
    }
    free(s.x);
    free(s.y);
    return rc;
}
