/* Distribution of relaxation times by Tikhonov (ridge) regression with Gaussian radial basis functions, following
 * pyDRTtools (Wan, Saccoccio, Chen, Ciucci, Electrochim. Acta 184 (2015) 483; Saccoccio et al. 147 (2014) 470):
 *   Z(omega) = R_inf + j omega L + int gamma(ln tau) / (1 + j omega tau) d ln tau,
 *   gamma(y) = sum_k x_k phi(y - ln tau_k),  phi(y) = exp(-(eps y)^2),  tau_k = 1/f_k,
 *   min ||A x - Z||^2 + lambda x^T M2 x,  x >= 0,
 * with lambda from generalised cross-validation. Dense algebra by LAPACK (dpotrf_/dpotrs_). */
#include "eis_impl.h"

#include "core_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846
#define DBL_EPS_ 2.220446049250313e-16

ssb_eis_drt_params ssb_eis_drt_params_default(void)
{
    ssb_eis_drt_params p;
    p.lambda = 0.0;
    p.lambda_min = 1e-7;
    p.lambda_max = 1.0;
    p.fwhm_coeff = 0.5;
    p.inductance = 1;
    p.ppd_out = 40;
    p.extend_decades = 0.5;
    p.peak_threshold = 0.05;
    return p;
}

void ssb_eis_drt_result_destroy(ssb_eis_drt_result **res)
{
    if (!res || !*res) return;
    ssb_eis_drt_result *R = *res;
    free(R->tau_basis);
    free(R->x);
    free(R->tau);
    free(R->gamma);
    free(R->zre_fit);
    free(R->zim_fit);
    free(R->peak_tau);
    free(R->peak_gamma);
    free(R->peak_R);
    free(R);
    *res = NULL;
}

/* Trapezoidal rule on y = ln(tau/tau_k): the integrands are analytic in a strip |Im y| < pi/2 and the Gaussian
 * factor is entire, so the error falls like exp(-pi^2/h) and exp(-(pi/(eps h))^2); with h = min(0.25, 0.4/eps)
 * both are below 1e-16. The Gaussian is cut where (eps y)^2 > 42 (< 6e-19). */
void ssbi_eis_drt_rbf_matrices(int64_t n, const double *w, int nb, const double *tau, double eps, double *a_re,
                               double *a_im)
{
    double h = 0.4 / eps;
    if (h > 0.25) h = 0.25;
    double Y = sqrt(42.0) / eps;
    int J = (int)ssbi_clamp_i64(ceil(Y / h), 0, 4097); /* capped at 4096 below */
    int nq = 2 * J + 1;
    double phi[2 * 4096 + 1], ey[2 * 4096 + 1];
    if (J > 4096) J = 4096, nq = 2 * J + 1;
    for (int j = 0; j < nq; j++) {
        double y = (j - J) * h;
        phi[j] = exp(-(eps * y) * (eps * y)) * h;
        ey[j] = exp(y);
    }
    for (int64_t i = 0; i < n; i++) {
        for (int k = 0; k < nb; k++) {
            double c = w[i] * tau[k], sr = 0, si = 0;
            for (int j = 0; j < nq; j++) {
                double t = c * ey[j];
                double d = 1.0 / (1.0 + t * t);
                sr += phi[j] * d;
                si += phi[j] * t * d;
            }
            a_re[i * nb + k] = sr;
            a_im[i * nb + k] = -si;
        }
    }
}

void ssbi_eis_drt_penalty(int nb, const double *tau, double eps, double *m2)
{
    /* M2[n,m] = int phi''(y - y_n) phi''(y - y_m) dy = eps^3 (3 - 6 a^2 + a^4) exp(-a^2/2) sqrt(pi/2),
     * a = eps (y_n - y_m) (fourth derivative of the Gaussian autocorrelation) */
    for (int a = 0; a < nb; a++)
        for (int b = 0; b < nb; b++) {
            double d = eps * (log(tau[a]) - log(tau[b]));
            double d2 = d * d;
            m2[a * nb + b] = eps * eps * eps * (3.0 - 6.0 * d2 + d2 * d2) * exp(-d2 / 2.0) * sqrt(PI_ / 2.0);
        }
}

typedef struct {
    ssb_ctx *ctx;
    int m;      /* 2N rows */
    int p;      /* unknowns */
    double *A;  /* m x p column-major */
    double *Z;  /* m */
    double *G;  /* A^T A, p x p */
    double *c;  /* A^T Z */
    double *M;  /* penalty, p x p */
    double *H, *X, *x, *r; /* work */
} drtws;

static void ws_free(drtws *W)
{
    free(W->A);
    free(W->Z);
    free(W->G);
    free(W->c);
    free(W->M);
    free(W->H);
    free(W->X);
    free(W->x);
    free(W->r);
}

/* GCV score at lambda; NaN if H is not positive definite. */
static double gcv_score(drtws *W, double lambda, int *rc)
{
    int p = W->p, m = W->m, info = 0;
    *rc = SSB_OK;
    for (int q = 0; q < p * p; q++) W->H[q] = W->G[q] + lambda * W->M[q];
    dpotrf_("L", &p, W->H, &p, &info, 1);
    if (info != 0) return NAN;
    memcpy(W->x, W->c, (size_t)p * sizeof(double));
    int one = 1;
    dpotrs_("L", &p, &one, W->H, &p, W->x, &p, &info, 1);
    memcpy(W->X, W->G, (size_t)p * p * sizeof(double));
    dpotrs_("L", &p, &p, W->H, &p, W->X, &p, &info, 1);
    double tr = 0;
    for (int k = 0; k < p; k++) tr += W->X[k + (size_t)k * p];
    double rr = 0;
    for (int i = 0; i < m; i++) {
        double acc = W->Z[i];
        for (int k = 0; k < p; k++) acc -= W->A[i + (size_t)k * m] * W->x[k];
        rr += acc * acc;
    }
    double den = (m - tr) / m;
    return (rr / m) / (den * den);
}

/* Non-negative solution of min 1/2 x^T H x - c^T x (H positive definite) by the active-set method of
 * Lawson-Hanson in normal-equation form (Bro and De Jong, J. Chemometrics 11 (1997) 393), on the symmetrically
 * scaled problem (unit diagonal: the R_inf, L and RBF columns differ by many orders of magnitude). */
static int nnls_normal(ssb_ctx *ctx, int p, const double *H, const double *c, double *x)
{
    int rc = SSB_OK;
    unsigned char *pas = calloc((size_t)p, 1);
    int *idx = malloc((size_t)p * sizeof(int));
    double *Hd = malloc((size_t)p * p * sizeof(double));
    double *Hs = malloc((size_t)p * p * sizeof(double));
    double *cd = malloc((size_t)p * sizeof(double));
    double *d = malloc((size_t)p * sizeof(double));
    double *y = calloc((size_t)p, sizeof(double));
    double *s = malloc((size_t)p * sizeof(double));
    double *sv = malloc((size_t)p * sizeof(double));
    double *wv = malloc((size_t)p * sizeof(double));
    if (!pas || !idx || !Hd || !Hs || !cd || !d || !y || !s || !sv || !wv) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "DRT: out of memory in NNLS");
        goto done;
    }
    for (int k = 0; k < p; k++) d[k] = H[k * p + k] > 0 ? 1.0 / sqrt(H[k * p + k]) : 1.0;
    double cmax = 0;
    for (int a = 0; a < p; a++) {
        for (int b = 0; b < p; b++) Hd[a * p + b] = d[a] * H[a * p + b] * d[b];
        cd[a] = d[a] * c[a];
        if (fabs(cd[a]) > cmax) cmax = fabs(cd[a]);
    }
    double tol = 1e-11 * (cmax > 0 ? cmax : 1.0);
    memcpy(wv, cd, (size_t)p * sizeof(double));
    int outer = 0, last = -1;
    for (;;) {
        if (++outer > 3 * p + 20) break;
        int t = -1;
        double best = tol;
        for (int k = 0; k < p; k++)
            if (!pas[k] && wv[k] > best && k != last) {
                best = wv[k];
                t = k;
            }
        if (t < 0) break;
        pas[t] = 1;
        for (int inner = 0; inner < p + 5; inner++) {
            int np = 0;
            for (int k = 0; k < p; k++)
                if (pas[k]) idx[np++] = k;
            for (int a = 0; a < np; a++) {
                for (int b = 0; b < np; b++) Hs[a + (size_t)b * np] = Hd[idx[a] * p + idx[b]];
                sv[a] = cd[idx[a]];
            }
            int info = 0, one = 1;
            if (np > 0) {
                dpotrf_("L", &np, Hs, &np, &info, 1);
                if (info != 0) {
                    rc = SSB_ERROR(ctx, SSB_ERR_BACKEND,
                                   "DRT: the regularised normal matrix is not positive definite (dpotrf_ info = %d); "
                                   "increase lambda",
                                   info);
                    goto done;
                }
                dpotrs_("L", &np, &one, Hs, &np, sv, &np, &info, 1);
            }
            for (int k = 0; k < p; k++) s[k] = 0.0;
            int kmin = -1;
            double alpha = INFINITY;
            for (int a = 0; a < np; a++) {
                int k = idx[a];
                s[k] = sv[a];
                if (sv[a] <= 0) {
                    double al = y[k] / (y[k] - sv[a]);
                    if (al < alpha) {
                        alpha = al;
                        kmin = k;
                    }
                }
            }
            if (kmin < 0) {
                memcpy(y, s, (size_t)p * sizeof(double));
                break;
            }
            /* step towards s until the first passive variable reaches zero; it (and any round-off zeros) leave */
            for (int k = 0; k < p; k++)
                if (pas[k]) y[k] += alpha * (s[k] - y[k]);
            y[kmin] = 0.0;
            pas[kmin] = 0;
            for (int k = 0; k < p; k++)
                if (pas[k] && y[k] <= 0) {
                    y[k] = 0.0;
                    pas[k] = 0;
                }
        }
        /* a variable that entered and left at once must not be retried immediately (cycling on round-off) */
        last = pas[t] ? -1 : t;
        for (int k = 0; k < p; k++) {
            double acc = cd[k];
            for (int j = 0; j < p; j++) acc -= Hd[k * p + j] * y[j];
            wv[k] = acc;
        }
    }
    for (int k = 0; k < p; k++) x[k] = y[k] > 0 ? d[k] * y[k] : 0.0;
done:
    free(pas);
    free(idx);
    free(Hd);
    free(Hs);
    free(cd);
    free(d);
    free(y);
    free(s);
    free(sv);
    free(wv);
    return rc;
}

static int check_params(ssb_ctx *ctx, const ssb_eis_drt_params *P)
{
    SSB_REQUIRE(ctx, isfinite(P->lambda) && P->lambda < 1e10, SSB_ERR_RANGE,
                "DRT: lambda = %g, valid <= 0 (GCV) or a positive value < 1e10", P->lambda);
    if (P->lambda <= 0)
        SSB_REQUIRE(ctx, P->lambda_min > 0 && P->lambda_max > P->lambda_min && P->lambda_max < 1e10, SSB_ERR_RANGE,
                    "DRT: GCV range [%g, %g], need 0 < lambda_min < lambda_max < 1e10", P->lambda_min,
                    P->lambda_max);
    SSB_REQUIRE(ctx, P->fwhm_coeff > 0 && P->fwhm_coeff <= 100, SSB_ERR_RANGE, "DRT: fwhm_coeff = %g, valid (0, 100]",
                P->fwhm_coeff);
    SSB_REQUIRE(ctx, P->ppd_out >= 1 && P->ppd_out <= 1000, SSB_ERR_RANGE, "DRT: ppd_out = %d, valid 1..1000",
                P->ppd_out);
    SSB_REQUIRE(ctx, P->extend_decades >= 0 && P->extend_decades <= 5, SSB_ERR_RANGE,
                "DRT: extend_decades = %g, valid [0, 5]", P->extend_decades);
    SSB_REQUIRE(ctx, P->peak_threshold >= 0 && P->peak_threshold < 1, SSB_ERR_RANGE,
                "DRT: peak_threshold = %g, valid [0, 1)", P->peak_threshold);
    return SSB_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

int ssb_eis_drt(ssb_ctx *ctx, const ssb_eis_spectrum *s, const ssb_eis_drt_params *params,
                ssb_eis_drt_result **res)
{
    SSB_REQUIRE(ctx, res != NULL, SSB_ERR_ARG, "DRT: output pointer is NULL");
    *res = NULL;
    ssb_eis_drt_params P = params ? *params : ssb_eis_drt_params_default();
    SSB_CHECK(ctx, check_params(ctx, &P));
    SSB_CHECK(ctx, ssb_eis_spectrum_check(ctx, s, "DRT"));
    SSB_CHECK(ctx, ssbi_eis_check_magnitude(ctx, s, "DRT"));
    SSB_REQUIRE(ctx, s->n >= 4, SSB_ERR_RANGE, "DRT: %lld points; need at least 4", (long long)s->n);
    /* memory ~72 N^2 bytes and time ~N^3 per GCV step (480 points: 5 s, 960 points: 50 s on one core) */
    SSB_REQUIRE(ctx, s->n <= 1000, SSB_ERR_RANGE,
                "DRT: %lld points; at most 1000 (memory grows as N^2 and time as N^3: 1000 points already take about "
                "a minute); select a frequency range (--fmin/--fmax) or fewer points per decade",
                (long long)s->n);
    int N = (int)s->n;
    int off = P.inductance ? 2 : 1; /* R_inf [, L] before the RBF weights */
    int p = N + off, m = 2 * N;
    drtws W;
    memset(&W, 0, sizeof W);
    W.ctx = ctx;
    W.m = m;
    W.p = p;
    int rc = SSB_OK;
    ssb_eis_drt_result *R = NULL;
    double *tau = malloc((size_t)N * sizeof(double));
    double *w = malloc((size_t)N * sizeof(double));
    double *are = malloc((size_t)N * N * sizeof(double));
    double *aim = malloc((size_t)N * N * sizeof(double));
    double *m2 = malloc((size_t)N * N * sizeof(double));
    W.A = malloc((size_t)m * p * sizeof(double));
    W.Z = malloc((size_t)m * sizeof(double));
    W.G = malloc((size_t)p * p * sizeof(double));
    W.c = malloc((size_t)p * sizeof(double));
    W.M = calloc((size_t)p * p, sizeof(double));
    W.H = malloc((size_t)p * p * sizeof(double));
    W.X = malloc((size_t)p * p * sizeof(double));
    W.x = malloc((size_t)p * sizeof(double));
    W.r = malloc((size_t)m * sizeof(double));
    if (!tau || !w || !are || !aim || !m2 || !W.A || !W.Z || !W.G || !W.c || !W.M || !W.H || !W.X || !W.x || !W.r) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "DRT: out of memory for %d frequencies", N);
        goto done;
    }
    for (int i = 0; i < N; i++) {
        tau[i] = 1.0 / s->f[i];
        w[i] = 2.0 * PI_ * s->f[i];
    }
    qsort(tau, (size_t)N, sizeof(double), cmp_double);
    double mean_dlnf = (log(tau[N - 1]) - log(tau[0])) / (N - 1);
    double eps = P.fwhm_coeff * 2.0 * sqrt(log(2.0)) / mean_dlnf;
    ssbi_eis_drt_rbf_matrices(N, w, N, tau, eps, are, aim);
    ssbi_eis_drt_penalty(N, tau, eps, m2);
    /* A = [A_re; A_im] column-major with columns R_inf, [L], RBF */
    for (int i = 0; i < N; i++) {
        W.A[i] = 1.0;
        W.A[N + i] = 0.0;
        if (P.inductance) {
            W.A[i + (size_t)m] = 0.0;
            W.A[N + i + (size_t)m] = w[i];
        }
        for (int k = 0; k < N; k++) {
            W.A[i + (size_t)(k + off) * m] = are[(size_t)i * N + k];
            W.A[N + i + (size_t)(k + off) * m] = aim[(size_t)i * N + k];
        }
        W.Z[i] = s->zre[i];
        W.Z[N + i] = s->zim[i];
    }
    for (int a = 0; a < N; a++)
        for (int b = 0; b < N; b++) W.M[(size_t)(a + off) * p + (b + off)] = m2[(size_t)a * N + b];
    for (int a = 0; a < p; a++) {
        const double *Aa = W.A + (size_t)a * m;
        for (int b = a; b < p; b++) {
            const double *Ab = W.A + (size_t)b * m;
            double acc = 0;
            for (int i = 0; i < m; i++) acc += Aa[i] * Ab[i];
            W.G[(size_t)a * p + b] = W.G[(size_t)b * p + a] = acc;
        }
        double acc = 0;
        for (int i = 0; i < m; i++) acc += Aa[i] * W.Z[i];
        W.c[a] = acc;
    }
    double lambda = P.lambda, gcv = NAN;
    int at_bound = 0;
    if (lambda <= 0) {
        /* coarse scan of log10 lambda, then golden-section refinement around the best grid point */
        double l0 = log10(P.lambda_min), l1 = log10(P.lambda_max);
        int ng = (int)ssbi_clamp_i64(ceil((l1 - l0) / 0.25), 1, 100000) + 1;
        double step = (l1 - l0) / (ng - 1);
        double bestv = INFINITY;
        int besti = -1;
        for (int g = 0; g < ng; g++) {
            double v = gcv_score(&W, pow(10.0, l0 + g * step), &rc);
            if (isfinite(v) && v < bestv) {
                bestv = v;
                besti = g;
            }
            rc = ssbi_progress(ctx, "eis drt gcv", g + 1, ng + 30);
            if (rc != SSB_OK) goto done;
        }
        if (besti < 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_BACKEND,
                           "DRT: the regularised system is singular for every lambda in [%g, %g]", P.lambda_min,
                           P.lambda_max);
            goto done;
        }
        double a = l0 + (besti > 0 ? besti - 1 : 0) * step, b = l0 + (besti < ng - 1 ? besti + 1 : ng - 1) * step;
        const double gr = 0.6180339887498949;
        double x1 = b - gr * (b - a), x2 = a + gr * (b - a);
        double f1 = gcv_score(&W, pow(10.0, x1), &rc), f2 = gcv_score(&W, pow(10.0, x2), &rc);
        if (!isfinite(f1)) f1 = INFINITY;
        if (!isfinite(f2)) f2 = INFINITY;
        for (int it = 0; it < 60 && b - a > 1e-5; it++) {
            if (f1 < f2) {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - gr * (b - a);
                f1 = gcv_score(&W, pow(10.0, x1), &rc);
                if (!isfinite(f1)) f1 = INFINITY;
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + gr * (b - a);
                f2 = gcv_score(&W, pow(10.0, x2), &rc);
                if (!isfinite(f2)) f2 = INFINITY;
            }
        }
        double xl = f1 < f2 ? x1 : x2, fl = f1 < f2 ? f1 : f2;
        if (fl <= bestv) {
            lambda = pow(10.0, xl);
            gcv = fl;
        } else {
            lambda = pow(10.0, l0 + besti * step);
            gcv = bestv;
        }
        /* the GCV minimum on the edge of the search range: the true minimum may lie outside it */
        double ll = log10(lambda);
        if (besti == 0 && ll - l0 < 0.5 * step) at_bound = -1;
        if (besti == ng - 1 && l1 - ll < 0.5 * step) at_bound = 1;
    }
    /* constrained solution at lambda */
    for (int q = 0; q < p * p; q++) W.H[q] = W.G[q] + lambda * W.M[q];
    SSB_CHECK_GOTO(ctx, rc, nnls_normal(ctx, p, W.H, W.c, W.x), done);

    R = calloc(1, sizeof *R);
    if (!R) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "DRT: out of memory");
        goto done;
    }
    double ext = P.extend_decades;
    double lt0 = log10(tau[0]) - ext, lt1 = log10(tau[N - 1]) + ext;
    int64_t nt = ssbi_clamp_i64(ceil((lt1 - lt0) * P.ppd_out - 1e-9), 0, INT64_C(1) << 40) + 1;
    R->nbasis = N;
    R->tau_basis = malloc((size_t)N * sizeof(double));
    R->x = malloc((size_t)N * sizeof(double));
    R->tau = malloc((size_t)nt * sizeof(double));
    R->gamma = malloc((size_t)nt * sizeof(double));
    R->zre_fit = malloc((size_t)N * sizeof(double));
    R->zim_fit = malloc((size_t)N * sizeof(double));
    R->peak_tau = malloc((size_t)nt * sizeof(double));
    R->peak_gamma = malloc((size_t)nt * sizeof(double));
    R->peak_R = malloc((size_t)nt * sizeof(double));
    if (!R->peak_R || !R->tau_basis || !R->x || !R->tau || !R->gamma || !R->zre_fit || !R->zim_fit || !R->peak_tau ||
        !R->peak_gamma) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "DRT: out of memory");
        goto done;
    }
    R->lambda = lambda;
    R->gcv = gcv;
    R->lambda_at_bound = at_bound;
    R->capacitive_tail = ssbi_eis_capacitive_tail(s);
    R->eps = eps;
    R->R_inf = W.x[0];
    R->L = P.inductance ? W.x[1] : 0.0;
    double sx = 0;
    for (int k = 0; k < N; k++) {
        R->tau_basis[k] = tau[k];
        R->x[k] = W.x[k + off];
        sx += R->x[k];
    }
    R->R_pol = sx * sqrt(PI_) / eps;
    R->ntau = nt;
    for (int64_t j = 0; j < nt; j++) {
        double lt = lt0 + (lt1 - lt0) * (nt > 1 ? (double)j / (double)(nt - 1) : 0.0);
        double t = pow(10.0, lt), g = 0;
        for (int k = 0; k < N; k++) {
            double y = eps * (log(t) - log(tau[k]));
            if (y * y < 745.0) g += R->x[k] * exp(-y * y);
        }
        R->tau[j] = t;
        R->gamma[j] = g;
    }
    R->n = N;
    double ss = 0;
    for (int i = 0; i < N; i++) {
        double zr = 0, zi = 0;
        for (int k = 0; k < p; k++) {
            zr += W.A[i + (size_t)k * m] * W.x[k];
            zi += W.A[N + i + (size_t)k * m] * W.x[k];
        }
        R->zre_fit[i] = zr;
        R->zim_fit[i] = zi;
        ss += (zr - s->zre[i]) * (zr - s->zre[i]) + (zi - s->zim[i]) * (zi - s->zim[i]);
    }
    R->rms = sqrt(ss / N);
    /* peaks: local maxima of gamma; each owns the area between its neighbouring minima (its resistance); keep
     * those whose area is at least peak_threshold * R_pol */
    R->npeaks = 0;
    double dl = nt > 1 ? (lt1 - lt0) / (double)(nt - 1) : 1.0, dln = dl * log(10.0);
    for (int64_t j = 1; j + 1 < nt; j++) {
        double g = R->gamma[j];
        if (!(g > R->gamma[j - 1] && g >= R->gamma[j + 1] && g > 0)) continue;
        int64_t a = j, b = j;
        while (a > 0 && R->gamma[a - 1] <= R->gamma[a]) a--;
        while (b + 1 < nt && R->gamma[b + 1] <= R->gamma[b]) b++;
        double area = 0;
        for (int64_t q = a; q < b; q++) area += 0.5 * (R->gamma[q] + R->gamma[q + 1]) * dln;
        if (area < P.peak_threshold * R->R_pol) continue;
        /* parabolic refinement in log tau */
        double ym = R->gamma[j - 1], yp = R->gamma[j + 1];
        double den = ym - 2.0 * g + yp, d = 0.0;
        if (den < 0) d = 0.5 * (ym - yp) / den;
        R->peak_tau[R->npeaks] = pow(10.0, log10(R->tau[j]) + d * dl);
        R->peak_gamma[R->npeaks] = g - 0.25 * (ym - yp) * d;
        R->peak_R[R->npeaks] = area;
        R->npeaks++;
    }
    *res = R;
    R = NULL;
done:
    ssb_eis_drt_result_destroy(&R);
    ws_free(&W);
    free(tau);
    free(w);
    free(are);
    free(aim);
    free(m2);
    return rc;
}

int ssb_eis_drt_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_drt_result *res)
{
    SSB_REQUIRE(ctx, res != NULL, SSB_ERR_ARG, "write DRT: NULL result");
    ssbi_atomic o;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &o, path, 1));
    FILE *fp = o.fp;
    fprintf(fp, "# DRT (Tikhonov, Gaussian RBF eps %.8g) lambda %.6e R_inf_Ohm %.8e L_H %.6e R_pol_Ohm %.8e\n",
            res->eps, res->lambda, res->R_inf, res->L, res->R_pol);
    for (int k = 0; k < res->npeaks; k++)
        fprintf(fp, "# peak %d tau_s %.6e gamma_Ohm %.6e R_Ohm %.6e\n", k + 1, res->peak_tau[k], res->peak_gamma[k],
                res->peak_R[k]);
    fprintf(fp, "tau_s,gamma_Ohm\n");
    for (int64_t j = 0; j < res->ntau; j++) fprintf(fp, "%.10e,%.10e\n", res->tau[j], res->gamma[j]);
    return ssbi_atomic_commit(ctx, &o);
}
