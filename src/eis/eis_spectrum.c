/* Spectra: allocation, validation, dropping inductive points, atomic CSV output. */
#include "eis_impl.h"

#include "core_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ssb_eis_spectrum_create(ssb_ctx *ctx, int64_t n, ssb_eis_spectrum **s)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "spectrum: output pointer is NULL");
    *s = NULL;
    SSB_REQUIRE(ctx, n >= 1 && n <= ((int64_t)1 << 40), SSB_ERR_RANGE, "spectrum: n = %lld points, must be >= 1",
                (long long)n);
    ssb_eis_spectrum *sp = ssbi_calloc(ctx, 1, sizeof *sp, "spectrum");
    if (!sp) return SSB_ERR_NOMEM;
    sp->n = n;
    sp->f = ssbi_calloc(ctx, (size_t)n, sizeof(double), "spectrum frequencies");
    sp->zre = ssbi_calloc(ctx, (size_t)n, sizeof(double), "spectrum Z'");
    sp->zim = ssbi_calloc(ctx, (size_t)n, sizeof(double), "spectrum Z''");
    if (!sp->f || !sp->zre || !sp->zim) {
        ssb_eis_spectrum_destroy(&sp);
        return SSB_ERR_NOMEM;
    }
    *s = sp;
    return SSB_OK;
}

int ssb_eis_spectrum_duplicate(ssb_ctx *ctx, const ssb_eis_spectrum *src, ssb_eis_spectrum **dst)
{
    SSB_REQUIRE(ctx, src && dst, SSB_ERR_ARG, "spectrum duplicate: NULL argument");
    SSB_CHECK(ctx, ssb_eis_spectrum_create(ctx, src->n, dst));
    memcpy((*dst)->f, src->f, (size_t)src->n * sizeof(double));
    memcpy((*dst)->zre, src->zre, (size_t)src->n * sizeof(double));
    memcpy((*dst)->zim, src->zim, (size_t)src->n * sizeof(double));
    return SSB_OK;
}

void ssb_eis_spectrum_destroy(ssb_eis_spectrum **s)
{
    if (!s || !*s) return;
    free((*s)->f);
    free((*s)->zre);
    free((*s)->zim);
    free(*s);
    *s = NULL;
}

int ssb_eis_spectrum_check(ssb_ctx *ctx, const ssb_eis_spectrum *s, const char *what)
{
    const char *w = what ? what : "spectrum";
    SSB_REQUIRE(ctx, s != NULL && s->f && s->zre && s->zim, SSB_ERR_ARG, "%s: NULL spectrum", w);
    SSB_REQUIRE(ctx, s->n >= 1, SSB_ERR_RANGE, "%s: %lld points, need at least 1", w, (long long)s->n);
    for (int64_t i = 0; i < s->n; i++) {
        SSB_REQUIRE(ctx, isfinite(s->f[i]), SSB_ERR_RANGE, "%s: point %lld: frequency %g is not finite", w,
                    (long long)i, s->f[i]);
        SSB_REQUIRE(ctx, s->f[i] > 0, SSB_ERR_RANGE, "%s: point %lld: frequency %g Hz, must be > 0", w,
                    (long long)i, s->f[i]);
        SSB_REQUIRE(ctx, s->f[i] >= 1e-30 && s->f[i] <= 1e30, SSB_ERR_RANGE,
                    "%s: point %lld: frequency %g Hz outside 1e-30 .. 1e30 Hz (omega and 1/omega must stay finite)", w,
                    (long long)i, s->f[i]);
        SSB_REQUIRE(ctx, isfinite(s->zre[i]), SSB_ERR_RANGE, "%s: point %lld (f = %g Hz): Z' = %g is not finite", w,
                    (long long)i, s->f[i], s->zre[i]);
        SSB_REQUIRE(ctx, isfinite(s->zim[i]), SSB_ERR_RANGE, "%s: point %lld (f = %g Hz): Z'' = %g is not finite",
                    w, (long long)i, s->f[i], s->zim[i]);
    }
    int dir = 0;
    for (int64_t i = 1; i < s->n; i++) {
        SSB_REQUIRE(ctx, s->f[i] != s->f[i - 1], SSB_ERR_ARG,
                    "%s: point %lld repeats frequency %.10g Hz of point %lld (remove repeated sweeps)", w,
                    (long long)i, s->f[i], (long long)(i - 1));
        int d = s->f[i] > s->f[i - 1] ? 1 : -1;
        if (dir == 0) dir = d;
        SSB_REQUIRE(ctx, d == dir, SSB_ERR_ARG,
                    "%s: frequencies not sorted: point %lld (%.10g Hz) after %.10g Hz breaks the %s order", w,
                    (long long)i, s->f[i], s->f[i - 1], dir > 0 ? "ascending" : "descending");
    }
    return SSB_OK;
}

int ssb_eis_spectrum_drop_inductive(ssb_ctx *ctx, ssb_eis_spectrum *s, int64_t *ndropped)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "drop inductive: NULL spectrum");
    int64_t k = 0;
    for (int64_t i = 0; i < s->n; i++) {
        if (s->zim[i] > 0) continue;
        s->f[k] = s->f[i];
        s->zre[k] = s->zre[i];
        s->zim[k] = s->zim[i];
        k++;
    }
    SSB_REQUIRE(ctx, k >= 1, SSB_ERR_RANGE, "drop inductive: all %lld points have Z'' > 0", (long long)s->n);
    if (ndropped) *ndropped = s->n - k;
    s->n = k;
    return SSB_OK;
}

int ssb_eis_spectrum_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data,
                               const ssb_eis_spectrum *model)
{
    SSB_REQUIRE(ctx, data != NULL, SSB_ERR_ARG, "write spectrum: NULL data");
    SSB_REQUIRE(ctx, !model || model->n == data->n, SSB_ERR_ARG,
                "write spectrum %s: model has %lld points, data %lld", path ? path : "", (long long)model->n,
                (long long)data->n);
    ssbi_atomic o;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &o, path, 1));
    FILE *fp = o.fp;
    fprintf(fp, "f_Hz,Zre_Ohm,Zim_Ohm%s\n", model ? ",Zre_model_Ohm,Zim_model_Ohm,res_re_Ohm,res_im_Ohm" : "");
    for (int64_t i = 0; i < data->n; i++) {
        fprintf(fp, "%.10e,%.10e,%.10e", data->f[i], data->zre[i], data->zim[i]);
        if (model)
            fprintf(fp, ",%.10e,%.10e,%.10e,%.10e", model->zre[i], model->zim[i], data->zre[i] - model->zre[i],
                    data->zim[i] - model->zim[i]);
        fputc('\n', fp);
    }
    return ssbi_atomic_commit(ctx, &o);
}

int ssb_eis_spectrum_select(ssb_ctx *ctx, ssb_eis_spectrum *s, double fmin, double fmax, int64_t *nremoved)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "select frequencies: NULL spectrum");
    SSB_REQUIRE(ctx, !isnan(fmin) && !isnan(fmax) && fmin >= 0 && fmax > 0 && fmin <= fmax, SSB_ERR_RANGE,
                "select frequencies: range [%g, %g] Hz; need 0 <= fmin <= fmax, fmax > 0", fmin, fmax);
    int64_t k = 0;
    double lo = INFINITY, hi = 0;
    for (int64_t i = 0; i < s->n; i++) {
        if (s->f[i] < lo) lo = s->f[i];
        if (s->f[i] > hi) hi = s->f[i];
    }
    for (int64_t i = 0; i < s->n; i++) {
        if (!(s->f[i] >= fmin && s->f[i] <= fmax)) continue;
        s->f[k] = s->f[i];
        s->zre[k] = s->zre[i];
        s->zim[k] = s->zim[i];
        k++;
    }
    SSB_REQUIRE(ctx, k >= 1, SSB_ERR_RANGE,
                "select frequencies: no point between %g and %g Hz (the data span %g .. %g Hz)", fmin, fmax, lo, hi);
    if (nremoved) *nremoved = s->n - k;
    s->n = k;
    return SSB_OK;
}

int ssb_eis_spectrum_add_noise(ssb_ctx *ctx, ssb_eis_spectrum *s, double rel, uint64_t seed)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "noise: NULL spectrum");
    SSB_REQUIRE(ctx, rel >= 0 && rel <= 1, SSB_ERR_RANGE, "noise: relative standard deviation %g, valid [0, 1]",
                rel);
    ssb_rng rng;
    ssb_rng_seed(&rng, seed);
    for (int64_t i = 0; i < s->n; i++) {
        double a = ssb_rng_normal(&rng), b = ssb_rng_normal(&rng);
        s->zre[i] *= 1.0 + rel * a;
        s->zim[i] *= 1.0 + rel * b;
    }
    return SSB_OK;
}

int ssbi_eis_check_magnitude(ssb_ctx *ctx, const ssb_eis_spectrum *s, const char *what)
{
    double zmax = 0, zmin = INFINITY;
    int64_t imax = 0;
    for (int64_t i = 0; i < s->n; i++) {
        double a = hypot(s->zre[i], s->zim[i]);
        if (a > zmax) zmax = a, imax = i;
        if (a > 0 && a < zmin) zmin = a;
    }
    SSB_REQUIRE(ctx, zmax <= 1e100 && isfinite(zmax), SSB_ERR_RANGE,
                "%s: point %lld (f = %g Hz) has |Z| = %g Ohm; impedances must stay within 1e-100 .. 1e100 Ohm "
                "(rescale the data, e.g. to kOhm or GOhm)",
                what, (long long)imax, s->f[imax], zmax);
    SSB_REQUIRE(ctx, zmax > 0, SSB_ERR_RANGE, "%s: every impedance is zero", what);
    SSB_REQUIRE(ctx, zmin >= 1e-100, SSB_ERR_RANGE,
                "%s: |Z| = %g Ohm; impedances must stay within 1e-100 .. 1e100 Ohm (rescale the data)", what, zmin);
    return SSB_OK;
}

/* A capacitive low-frequency tail (blocking electrode, no DC intercept): at the lowest frequency the phase is
 * below -45 deg and -Z'' still grows towards low frequency over the last three points. */
int ssbi_eis_capacitive_tail(const ssb_eis_spectrum *s)
{
    int64_t n = s->n;
    if (n < 4) return 0;
    int asc = s->f[n - 1] > s->f[0];
    int64_t i0 = asc ? 0 : n - 1, st = asc ? 1 : -1; /* lowest frequency first */
    double y0 = -s->zim[i0], y1 = -s->zim[i0 + st], y2 = -s->zim[i0 + 2 * st];
    return y0 > fabs(s->zre[i0]) && y0 > y1 && y1 > y2;
}

