/* Linear Kramers-Kronig test (lin-KK, Schoenleber, Klotz, Ivers-Tiffee, Electrochim. Acta 131 (2014) 20): a
 * series of R_ohm, M Voigt RC elements with fixed log-spaced time constants and a series inductance (and
 * optionally a capacitance), fitted by linear least squares with rows weighted by 1/|Z|. M is chosen by the
 * pseudo chi-square plateau (default; Yrjana & Bobacka, Electrochim. Acta 504 (2024) 144951) or, as impedance.py,
 * grows until the under/over-fitting measure mu = 1 - sum|R_k<0| / sum|R_k>=0| drops to the cut-off c. The
 * time-constant grid, the mu loop and the real/imag/complex variants follow impedance.py 1.7 (validation.py). The
 * verdict compares the residuals with a noise level estimated from the data alone (kk_data_noise). */
#include "eis_impl.h"

#include "core_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846

ssb_eis_kk_params ssb_eis_kk_params_default(void)
{
    ssb_eis_kk_params p;
    p.c = 0.85;
    p.max_m = 50;
    p.m = 0;
    p.fit_type = SSB_EIS_KK_REAL;
    p.add_cap = 0;
    p.rule = SSB_EIS_KK_RULE_CHI2;
    return p;
}

void ssb_eis_kk_result_destroy(ssb_eis_kk_result **res)
{
    if (!res || !*res) return;
    ssb_eis_kk_result *R = *res;
    free(R->tau);
    free(R->r_k);
    free(R->zre_fit);
    free(R->zim_fit);
    free(R->res_re);
    free(R->res_im);
    free(R);
    *res = NULL;
}

/* Minimum-norm least squares (SVD, rcond 1e-15 like numpy.linalg.pinv): A (m x n column-major, destroyed),
 * b (length max(m, n)) -> x in b[0..n). */
static int lstsq(ssb_ctx *ctx, int m, int n, double *A, double *b, double *sv)
{
    int one = 1, lda = m, ldb = m > n ? m : n, rank = 0, info = 0, lw = -1;
    double rcond = 1e-15, wq;
    dgelss_(&m, &n, &one, A, &lda, b, &ldb, sv, &rcond, &rank, &wq, &lw, &info);
    lw = (int)wq + 1;
    double *work = malloc((size_t)lw * sizeof(double));
    if (!work) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "lin-KK: out of memory");
    dgelss_(&m, &n, &one, A, &lda, b, &ldb, sv, &rcond, &rank, work, &lw, &info);
    free(work);
    if (info != 0) return SSB_ERROR(ctx, SSB_ERR_BACKEND, "lin-KK: LAPACK dgelss_ failed (info = %d)", info);
    return SSB_OK;
}

static void tau_grid(const ssb_eis_spectrum *s, int M, double *tau)
{
    double fmin = s->f[0], fmax = s->f[0];
    for (int64_t i = 1; i < s->n; i++) {
        if (s->f[i] < fmin) fmin = s->f[i];
        if (s->f[i] > fmax) fmax = s->f[i];
    }
    double tmin = 1.0 / (2.0 * PI_ * fmax), tmax = 1.0 / (2.0 * PI_ * fmin);
    if (M == 1) {
        tau[0] = tmax; /* impedance.py: ts[0] = t_min is overwritten by ts[-1] = t_max */
        return;
    }
    tau[0] = tmin;
    tau[M - 1] = tmax;
    for (int k = 1; k < M - 1; k++)
        tau[k] = pow(10.0, log10(tmin) + ((double)k / (double)(M - 1)) * log10(tmax / tmin));
}

typedef struct {
    double r0, L, cinv;
    double *rk;
} kk_coef;

/* Fit for one M; rk has M entries. */
static int kk_fit_m(ssb_ctx *ctx, const ssb_eis_spectrum *s, const double *w, const double *mod, int M,
                    const double *tau, ssb_eis_kk_fit type, int add_cap, double *A, double *b, double *sv,
                    kk_coef *co)
{
    int n = (int)s->n;
    co->r0 = 0;
    co->L = 0;
    co->cinv = 0;
    if (type == SSB_EIS_KK_REAL) {
        int nc = M + 1;
        for (int i = 0; i < n; i++) {
            A[i] = 1.0 / mod[i];
            for (int k = 0; k < M; k++) {
                double wt = w[i] * tau[k];
                A[i + (size_t)(k + 1) * n] = 1.0 / (1.0 + wt * wt) / mod[i];
            }
            b[i] = s->zre[i] / mod[i];
        }
        SSB_CHECK(ctx, lstsq(ctx, n, nc, A, b, sv));
        co->r0 = b[0];
        for (int k = 0; k < M; k++) co->rk[k] = b[k + 1];
        /* inductance (and capacitance) from the imaginary residual */
        int nc2 = add_cap ? 2 : 1;
        for (int i = 0; i < n; i++) {
            double fim = 0;
            for (int k = 0; k < M; k++) {
                double wt = w[i] * tau[k];
                fim += -co->rk[k] * wt / (1.0 + wt * wt);
            }
            A[i] = w[i] / mod[i];
            if (add_cap) A[i + (size_t)n] = -1.0 / (w[i] * mod[i]);
            b[i] = (s->zim[i] - fim) / mod[i];
        }
        SSB_CHECK(ctx, lstsq(ctx, n, nc2, A, b, sv));
        co->L = b[0];
        if (add_cap) co->cinv = b[1];
    } else if (type == SSB_EIS_KK_IMAG) {
        int nc = M + 1 + (add_cap ? 1 : 0);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < M; k++) {
                double wt = w[i] * tau[k];
                A[i + (size_t)k * n] = -wt / (1.0 + wt * wt) / mod[i];
            }
            A[i + (size_t)M * n] = w[i] / mod[i];
            if (add_cap) A[i + (size_t)(M + 1) * n] = -1.0 / (w[i] * mod[i]);
            b[i] = s->zim[i] / mod[i];
        }
        SSB_CHECK(ctx, lstsq(ctx, n, nc, A, b, sv));
        for (int k = 0; k < M; k++) co->rk[k] = b[k];
        co->L = b[M];
        if (add_cap) co->cinv = b[M + 1];
        /* R_ohm from the real residual, weights 1/|Z|^2 (Boukamp 1995 eq. 7) */
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            double fre = 0;
            for (int k = 0; k < M; k++) {
                double wt = w[i] * tau[k];
                fre += co->rk[k] / (1.0 + wt * wt);
            }
            double ww = 1.0 / (mod[i] * mod[i]);
            num += ww * (s->zre[i] - fre);
            den += ww;
        }
        co->r0 = num / den;
    } else {
        int nc = M + 2 + (add_cap ? 1 : 0), m2 = 2 * n;
        for (int i = 0; i < n; i++) {
            A[i] = 1.0 / mod[i];
            A[n + i] = 0.0;
            for (int k = 0; k < M; k++) {
                double wt = w[i] * tau[k];
                A[i + (size_t)(k + 1) * m2] = 1.0 / (1.0 + wt * wt) / mod[i];
                A[n + i + (size_t)(k + 1) * m2] = -wt / (1.0 + wt * wt) / mod[i];
            }
            A[i + (size_t)(M + 1) * m2] = 0.0;
            A[n + i + (size_t)(M + 1) * m2] = w[i] / mod[i];
            if (add_cap) {
                A[i + (size_t)(M + 2) * m2] = 0.0;
                A[n + i + (size_t)(M + 2) * m2] = -1.0 / (w[i] * mod[i]);
            }
            b[i] = s->zre[i] / mod[i];
            b[n + i] = s->zim[i] / mod[i];
        }
        SSB_CHECK(ctx, lstsq(ctx, m2, nc, A, b, sv));
        co->r0 = b[0];
        for (int k = 0; k < M; k++) co->rk[k] = b[k + 1];
        co->L = b[M + 1];
        if (add_cap) co->cinv = b[M + 2];
    }
    return SSB_OK;
}

static double kk_mu(const double *rk, int M)
{
    double neg = 0, pos = 0;
    for (int k = 0; k < M; k++) {
        if (rk[k] < 0) neg += -rk[k];
        else pos += rk[k];
    }
    if (pos == 0) return neg == 0 ? 1.0 : -INFINITY;
    return 1.0 - neg / pos;
}

/* Pseudo chi-square sum(res_re^2 + res_im^2) of coefficients co (Boukamp 1995 eq. 14, weights 1/|Z|^2); the model
 * and the residuals go to the arrays that are not NULL; *maxres the largest |residual|. */
static double kk_eval(const ssb_eis_spectrum *s, const double *w, const double *mod, int M, const double *tau,
                      const kk_coef *co, double *zre, double *zim, double *rre, double *rim, double *maxres)
{
    double chi2 = 0, mx = 0;
    for (int i = 0; i < (int)s->n; i++) {
        double zr = co->r0, zi = w[i] * co->L - co->cinv / w[i];
        for (int k = 0; k < M; k++) {
            double wt = w[i] * tau[k];
            zr += co->rk[k] / (1.0 + wt * wt);
            zi += -co->rk[k] * wt / (1.0 + wt * wt);
        }
        double a = (s->zre[i] - zr) / mod[i], c = (s->zim[i] - zi) / mod[i];
        if (zre) zre[i] = zr;
        if (zim) zim[i] = zi;
        if (rre) rre[i] = a;
        if (rim) rim[i] = c;
        if (fabs(a) > mx) mx = fabs(a);
        if (fabs(c) > mx) mx = fabs(c);
        chi2 += a * a + c * c;
    }
    if (maxres) *maxres = mx;
    return chi2;
}

/* The noise level the data suggest, from the data alone: Z' and Z'' are each fitted by a least-squares cubic in
 * log f over 7 neighbouring points (in frequency order), and the residual r of the middle point, scaled by its
 * leverage h (var r = sigma^2 (1 - h)), estimates the noise there: a difference-based variance estimator (Gasser,
 * Sroka, Jennen-Steinmetz, Biometrika 73 (1986) 625) of higher order, so that the curvature of an arc sampled at
 * >= 7 points per decade stays below 0.1 % of |Z|. The mean of r^2 / (1 - h) / |Z|^2 over both parts and all points
 * without its largest 10 % (so that a single outlier does not raise the level it is judged against), divided by
 * 0.6232 (the mean of chi^2 with one degree of freedom below its 90 % quantile: P(chi^2_3 <= 2.706) / 0.9), is the
 * noise variance. Returns NaN for fewer than 8 points. Sparse data overestimate the noise (the test then errs
 * towards "consistent"). */
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const double *g_sort_f;
static int cmp_idx_f(const void *a, const void *b)
{
    double x = g_sort_f[*(const int *)a], y = g_sort_f[*(const int *)b];
    return (x > y) - (x < y);
}

static double kk_data_noise(const ssb_eis_spectrum *s, const double *mod)
{
    int n = (int)s->n, W = 7, h2 = 3;
    if (n < W + 1) return NAN;
    int *ix = malloc((size_t)n * sizeof(int));
    double *q = malloc((size_t)2 * n * sizeof(double));
    if (!ix || !q) {
        free(ix);
        free(q);
        return NAN;
    }
    for (int i = 0; i < n; i++) ix[i] = i;
    g_sort_f = s->f;
    qsort(ix, (size_t)n, sizeof(int), cmp_idx_f);
    int nq = 0;
    for (int c = 0; c < n; c++) {
        int lo = c - h2;
        if (lo < 0) lo = 0;
        if (lo + W > n) lo = n - W;
        /* cubic in x = log10 f - x_c: normal equations G (4x4) with the hat value h = e_c^T G^-1 e_c */
        double x0 = log10(s->f[ix[c]]), G[4][4] = {{0}}, br[4] = {0}, bi[4] = {0};
        for (int j = lo; j < lo + W; j++) {
            double x = log10(s->f[ix[j]]) - x0, p[4] = {1, x, x * x, x * x * x};
            for (int r = 0; r < 4; r++) {
                br[r] += p[r] * s->zre[ix[j]];
                bi[r] += p[r] * s->zim[ix[j]];
                for (int k = 0; k < 4; k++) G[r][k] += p[r] * p[k];
            }
        }
        /* Gauss-Jordan on [G | I]: the first row of G^-1 gives the value at x = 0 and the hat value */
        double Ai[4][8];
        for (int r = 0; r < 4; r++)
            for (int k = 0; k < 8; k++) Ai[r][k] = k < 4 ? G[r][k] : (k - 4 == r);
        int ok = 1;
        for (int col = 0; col < 4 && ok; col++) {
            int piv = col;
            for (int r = col + 1; r < 4; r++)
                if (fabs(Ai[r][col]) > fabs(Ai[piv][col])) piv = r;
            if (!(fabs(Ai[piv][col]) > 1e-300)) {
                ok = 0;
                break;
            }
            for (int k = 0; k < 8; k++) {
                double t = Ai[col][k];
                Ai[col][k] = Ai[piv][k];
                Ai[piv][k] = t;
            }
            double d = Ai[col][col];
            for (int k = 0; k < 8; k++) Ai[col][k] /= d;
            for (int r = 0; r < 4; r++)
                if (r != col) {
                    double f = Ai[r][col];
                    for (int k = 0; k < 8; k++) Ai[r][k] -= f * Ai[col][k];
                }
        }
        if (!ok) continue;
        double fr = 0, fi = 0, h = Ai[0][4]; /* (G^-1)_00: the hat value of the point at x = 0 */
        for (int k = 0; k < 4; k++) {
            fr += Ai[0][4 + k] * br[k];
            fi += Ai[0][4 + k] * bi[k];
        }
        if (!(h < 1.0 - 1e-9)) continue;
        double m = mod[ix[c]], rr = (s->zre[ix[c]] - fr) / m, ri = (s->zim[ix[c]] - fi) / m;
        q[nq++] = rr * rr / (1.0 - h);
        q[nq++] = ri * ri / (1.0 - h);
    }
    double out = NAN;
    if (nq > 0) {
        qsort(q, (size_t)nq, sizeof(double), cmp_dbl);
        int keep = (int)(0.9 * nq);
        if (keep < 1) keep = 1;
        double sum = 0;
        for (int k = 0; k < keep; k++) sum += q[k];
        out = sqrt(sum / keep / 0.6232);
    }
    free(ix);
    free(q);
    return out;
}

static int kk_run(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_kk_params *params, ssb_eis_kk_result **res)
{
    SSB_REQUIRE(ctx, res != NULL, SSB_ERR_ARG, "lin-KK: output pointer is NULL");
    *res = NULL;
    ssb_eis_kk_params P = params ? *params : ssb_eis_kk_params_default();
    SSB_CHECK(ctx, ssb_eis_spectrum_check(ctx, s, "lin-KK"));
    SSB_REQUIRE(ctx, P.fit_type >= SSB_EIS_KK_REAL && P.fit_type <= SSB_EIS_KK_COMPLEX, SSB_ERR_RANGE,
                "lin-KK: fit_type = %d unknown (real, imag, complex)", (int)P.fit_type);
    SSB_REQUIRE(ctx, P.m >= 0 && P.m <= 100000, SSB_ERR_RANGE, "lin-KK: m = %d, valid 0 (automatic) .. 100000", P.m);
    SSB_REQUIRE(ctx, P.rule == SSB_EIS_KK_RULE_CHI2 || P.rule == SSB_EIS_KK_RULE_MU, SSB_ERR_RANGE,
                "lin-KK: rule = %d unknown (chi2, mu)", (int)P.rule);
    if (P.m == 0) {
        SSB_REQUIRE(ctx, P.c > 0 && P.c < 1, SSB_ERR_RANGE, "lin-KK: c = %g, valid (0, 1)", P.c);
        SSB_REQUIRE(ctx, P.max_m >= 1 && P.max_m <= 100000, SSB_ERR_RANGE, "lin-KK: max_m = %d, valid 1..100000",
                    P.max_m);
    }
    int Mmax = P.m > 0 ? P.m : P.max_m;
    /* the design matrix: 2n x (M + 3) doubles */
    SSB_REQUIRE(ctx, s->n <= 10000000 && (double)s->n * 2.0 * (Mmax + 3) * 8.0 <= 2147483648.0, SSB_ERR_RANGE,
                "lin-KK: %lld points with up to %d RC elements would need %.3g GB; at most 2 GB (select a frequency "
                "range with --fmin/--fmax or lower --max-m)",
                (long long)s->n, Mmax, (double)s->n * 2.0 * (Mmax + 3) * 8.0 / 1e9);
    int n = (int)s->n;
    SSB_REQUIRE(ctx, n >= 3, SSB_ERR_RANGE, "lin-KK: %d points; need at least 3", n);
    if (Mmax + 2 > 2 * n && P.m > 0)
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "lin-KK: M = %d RC elements for %d points; use M <= %d", P.m, n,
                         2 * n - 3);
    size_t rows = (size_t)2 * n, cols = (size_t)Mmax + 3;
    double *A = malloc(rows * cols * sizeof(double));
    double *b = malloc((rows > cols ? rows : cols) * sizeof(double));
    double *sv = malloc(cols * sizeof(double));
    double *w = malloc((size_t)n * sizeof(double));
    double *mod = malloc((size_t)n * sizeof(double));
    double *tau = malloc((size_t)Mmax * sizeof(double));
    double *rk = malloc((size_t)Mmax * sizeof(double));
    double *chi = malloc((size_t)(Mmax + 1) * sizeof(double));
    ssb_eis_kk_result *R = NULL;
    int rc = SSB_OK;
    if (!A || !b || !sv || !w || !mod || !tau || !rk || !chi) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "lin-KK: out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++) {
        w[i] = 2.0 * PI_ * s->f[i];
        mod[i] = hypot(s->zre[i], s->zim[i]);
        if (!(mod[i] > 0)) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "lin-KK: point %d (f = %g Hz) has |Z| = 0", i, s->f[i]);
            goto done;
        }
    }
    kk_coef co = {0, 0, 0, rk};
    int M = 0;
    double mu = 1.0;
    if (P.m > 0) {
        M = P.m;
        tau_grid(s, M, tau);
        SSB_CHECK_GOTO(ctx, rc, kk_fit_m(ctx, s, w, mod, M, tau, P.fit_type, P.add_cap, A, b, sv, &co), done);
        mu = kk_mu(rk, M);
    } else if (P.rule == SSB_EIS_KK_RULE_CHI2) {
        /* Schoenleber's mu criterion alone stops where mu first dips below c, and a poor fit with few RC elements
         * often has negative R_k that make it dip (a single RC arc between two time constants of a coarse grid:
         * M = 3, 65 % residual). Yrjana & Bobacka (Electrochim. Acta 504 (2024) 144951; pyimpspec) bound M from
         * below by the point where adding RC elements no longer improves the pseudo chi-square. Here: fit every
         * M = 1 .. max_m and take the smallest M whose chi2 per degree of freedom is within a factor 1.5 of the
         * smallest (chi2 / (2 n - M - 2) stays flat once the residuals are noise, so more RC elements that only fit
         * the noise do not lower the bar), or whose RMS residual is below 0.01 % of |Z| (below any analyser's
         * accuracy: more M would only chase rounding). At most one RC element per frequency (M + 2 <= n, also
         * for the complex fit): more would fit the noise of few points. */
        int mcap = n - 2 - (P.add_cap ? 1 : 0);
        int mhi = P.max_m < mcap ? P.max_m : mcap;
        if (mhi < 1) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "lin-KK: %d points are too few for one RC element", n);
            goto done;
        }
        double cmin = INFINITY, fac = 1.5;
        for (int m = 1; m <= mhi; m++) {
            tau_grid(s, m, tau);
            SSB_CHECK_GOTO(ctx, rc, kk_fit_m(ctx, s, w, mod, m, tau, P.fit_type, P.add_cap, A, b, sv, &co), done);
            /* per degree of freedom: 2 n equations, M + 2 (+ 1) unknowns */
            chi[m] = kk_eval(s, w, mod, m, tau, &co, NULL, NULL, NULL, NULL, NULL) / (2.0 * n - m - 2 - P.add_cap);
            if (!isfinite(chi[m])) chi[m] = INFINITY;
            if (chi[m] < cmin) cmin = chi[m];
        }
        M = mhi;
        for (int m = 1; m <= mhi; m++)
            if (chi[m] <= fac * cmin || chi[m] * (2.0 * n - m - 2 - P.add_cap) <= 2.0 * n * 1e-8) {
                M = m;
                break;
            }
        tau_grid(s, M, tau);
        SSB_CHECK_GOTO(ctx, rc, kk_fit_m(ctx, s, w, mod, M, tau, P.fit_type, P.add_cap, A, b, sv, &co), done);
        mu = kk_mu(rk, M);
    } else {
        while (mu > P.c && M < P.max_m) {
            M++;
            if (M + 2 + (P.add_cap ? 1 : 0) > (P.fit_type == SSB_EIS_KK_COMPLEX ? 2 * n : n)) {
                M--;
                break;
            }
            tau_grid(s, M, tau);
            SSB_CHECK_GOTO(ctx, rc, kk_fit_m(ctx, s, w, mod, M, tau, P.fit_type, P.add_cap, A, b, sv, &co), done);
            mu = kk_mu(rk, M);
        }
        if (M == 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "lin-KK: %d points are too few for one RC element", n);
            goto done;
        }
    }
    R = calloc(1, sizeof *R);
    if (!R) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "lin-KK: out of memory");
        goto done;
    }
    R->max_res_with_capacitor = NAN;
    R->tau = malloc((size_t)M * sizeof(double));
    R->r_k = malloc((size_t)M * sizeof(double));
    R->zre_fit = malloc((size_t)n * sizeof(double));
    R->zim_fit = malloc((size_t)n * sizeof(double));
    R->res_re = malloc((size_t)n * sizeof(double));
    R->res_im = malloc((size_t)n * sizeof(double));
    if (!R->tau || !R->r_k || !R->zre_fit || !R->zim_fit || !R->res_re || !R->res_im) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "lin-KK: out of memory");
        goto done;
    }
    R->M = M;
    R->mu = mu;
    R->r_ohm = co.r0;
    R->L = co.L;
    R->C = (P.add_cap && co.cinv != 0) ? 1.0 / co.cinv : INFINITY;
    memcpy(R->tau, tau, (size_t)M * sizeof(double));
    memcpy(R->r_k, rk, (size_t)M * sizeof(double));
    R->n = n;
    R->rule = P.m > 0 ? SSB_EIS_KK_RULE_FIXED : P.rule;
    R->chi2 = kk_eval(s, w, mod, M, tau, &co, R->zre_fit, R->zim_fit, R->res_re, R->res_im, &R->max_res);
    R->rms_res = sqrt(R->chi2 / (2.0 * n));
    R->noise = kk_data_noise(s, mod);
    if (isfinite(R->noise)) {
        /* the noise, but not below 0.1 % of |Z| (the accuracy of a good impedance analyser) */
        double lvl = R->noise > 1e-3 ? R->noise : 1e-3;
        R->consistent = R->rms_res <= 3.0 * lvl && R->max_res <= 10.0 * lvl;
    } else {
        R->consistent = -1;
    }
    *res = R;
    R = NULL;
done:
    ssb_eis_kk_result_destroy(&R);
    free(A);
    free(b);
    free(sv);
    free(w);
    free(mod);
    free(tau);
    free(rk);
    free(chi);
    return rc;
}

int ssb_eis_kk(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_kk_params *params, ssb_eis_kk_result **res)
{
    SSB_REQUIRE(ctx, res != NULL, SSB_ERR_ARG, "lin-KK: output pointer is NULL");
    *res = NULL;
    SSB_CHECK(ctx, ssb_eis_spectrum_check(ctx, s, "lin-KK"));
    ssb_eis_kk_params P = params ? *params : ssb_eis_kk_params_default();
    /* work on Z / max|Z|: data near the largest doubles (1e308) would overflow the normal equations and the
     * residual sums; the coefficients scale back linearly, the residuals are relative anyway */
    double scale = 0;
    for (int64_t i = 0; i < s->n; i++) {
        double a = fabs(s->zre[i]) > fabs(s->zim[i]) ? fabs(s->zre[i]) : fabs(s->zim[i]);
        if (a > scale) scale = a;
    }
    SSB_REQUIRE(ctx, scale > 0, SSB_ERR_RANGE, "lin-KK: every impedance is zero");
    ssb_eis_spectrum *sc = NULL;
    SSB_CHECK(ctx, ssb_eis_spectrum_duplicate(ctx, s, &sc));
    for (int64_t i = 0; i < s->n; i++) {
        sc->zre[i] = s->zre[i] / scale;
        sc->zim[i] = s->zim[i] / scale;
    }
    ssb_eis_kk_result *R = NULL;
    int rc = kk_run(ctx, sc, &P, &R);
    if (rc == SSB_OK && !P.add_cap && ssbi_eis_capacitive_tail(sc)) {
        R->needs_capacitor = 1;
        ssb_eis_kk_params Q = P;
        Q.add_cap = 1;
        ssb_eis_kk_result *R2 = NULL;
        if (kk_run(ctx, sc, &Q, &R2) == SSB_OK) R->max_res_with_capacitor = R2->max_res;
        else ssb_ctx_clear_error(ctx);
        ssb_eis_kk_result_destroy(&R2);
    } else if (R) {
        R->max_res_with_capacitor = NAN;
    }
    ssb_eis_spectrum_destroy(&sc);
    if (rc != SSB_OK) return rc;
    R->r_ohm *= scale;
    R->L *= scale;
    R->C /= scale;
    for (int k = 0; k < R->M; k++) R->r_k[k] *= scale;
    int finite = isfinite(R->mu) && isfinite(R->chi2) && isfinite(R->max_res) && isfinite(R->r_ohm) &&
                 isfinite(R->L);
    for (int64_t i = 0; i < R->n && finite; i++) {
        R->zre_fit[i] *= scale;
        R->zim_fit[i] *= scale;
        finite = isfinite(R->zre_fit[i]) && isfinite(R->zim_fit[i]) && isfinite(R->res_re[i]) &&
                 isfinite(R->res_im[i]);
    }
    for (int k = 0; k < R->M && finite; k++) finite = isfinite(R->r_k[k]);
    if (!finite) {
        ssb_eis_kk_result_destroy(&R);
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "lin-KK: the KK model is not finite for these data (|Z| up to %g Ohm): values this large "
                         "overflow double precision; rescale the data (e.g. to kOhm or MOhm)",
                         scale);
    }
    *res = R;
    return SSB_OK;
}

int ssb_eis_kk_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *s, const ssb_eis_kk_result *res)
{
    SSB_REQUIRE(ctx, s && res && res->n == s->n, SSB_ERR_ARG, "write lin-KK: result and spectrum do not match");
    ssbi_atomic o;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &o, path, 1));
    FILE *fp = o.fp;
    fprintf(fp, "# lin-KK M %d mu %.10g R_ohm %.10e L %.10e max_res %.6e\n", res->M, res->mu, res->r_ohm, res->L,
            res->max_res);
    fprintf(fp, "f_Hz,Zre_Ohm,Zim_Ohm,Zre_KK_Ohm,Zim_KK_Ohm,res_re_pct,res_im_pct\n");
    for (int64_t i = 0; i < s->n; i++)
        fprintf(fp, "%.10e,%.10e,%.10e,%.10e,%.10e,%.6e,%.6e\n", s->f[i], s->zre[i], s->zim[i], res->zre_fit[i],
                res->zim_fit[i], 100.0 * res->res_re[i], 100.0 * res->res_im[i]);
    return ssbi_atomic_commit(ctx, &o);
}
