/* Complex nonlinear least squares: Levenberg-Marquardt on transformed (bounded) parameters with Marquardt
 * scaling and Nielsen's damping update; LAPACK dgels_ for the damped steps, dgesvd_ for the covariance
 * s^2 (J^T J)^-1 (pseudo-inverse with SciPy curve_fit's cut-off); multi-start global search. */
#include "eis_impl.h"

#include "core_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PI_ 3.14159265358979323846
#define DBL_EPS_ 2.220446049250313e-16

enum { TR_LIN = 0, TR_LOG = 1 };

ssb_eis_fit_params ssb_eis_fit_params_default(void)
{
    ssb_eis_fit_params p;
    memset(&p, 0, sizeof p);
    p.weight = SSB_EIS_WEIGHT_MODULUS;
    p.weight_floor = 1e-3;
    p.max_iter = 500;
    p.ftol = 1e-13;
    p.xtol = 1e-12;
    p.gtol = 1e-12;
    p.confidence = 0.95;
    p.global = 0;
    p.n_starts = 48;
    p.seed = 20140120u;
    p.global_decades = 3.0;
    p.error_if_not_converged = 0;
    return p;
}

int ssb_eis_weight_parse(ssb_ctx *ctx, const char *s, ssb_eis_weight *w)
{
    SSB_REQUIRE(ctx, s && w, SSB_ERR_ARG, "weight: NULL argument");
    if (strcasecmp(s, "unit") == 0 || strcasecmp(s, "none") == 0) *w = SSB_EIS_WEIGHT_UNIT;
    else if (strcasecmp(s, "proportional") == 0) *w = SSB_EIS_WEIGHT_PROPORTIONAL;
    else if (strcasecmp(s, "modulus") == 0) *w = SSB_EIS_WEIGHT_MODULUS;
    else return SSB_ERROR(ctx, SSB_ERR_ARG, "weight '%s' unknown; valid: unit, proportional, modulus", s);
    return SSB_OK;
}

const char *ssb_eis_weight_name(ssb_eis_weight w)
{
    switch (w) {
    case SSB_EIS_WEIGHT_UNIT: return "unit";
    case SSB_EIS_WEIGHT_PROPORTIONAL: return "proportional";
    case SSB_EIS_WEIGHT_MODULUS: return "modulus";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- Student t */

/* Continued fraction of the regularised incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-16) break;
    }
    return h;
}

static double betai(double a, double b, double x)
{
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1.0) / (a + b + 2.0)) return exp(lbt) * betacf(a, b, x) / a;
    return 1.0 - exp(lbt) * betacf(b, a, 1.0 - x) / b;
}

/* P(T <= t) for t >= 0 */
static double t_cdf_pos(double t, double nu) { return 1.0 - 0.5 * betai(nu / 2.0, 0.5, nu / (nu + t * t)); }

double ssb_eis_student_t_quantile(double prob, double dof)
{
    if (!(prob > 0.0 && prob < 1.0) || !(dof >= 1.0) || !isfinite(dof)) return NAN;
    if (prob == 0.5) return 0.0;
    if (prob < 0.5) return -ssb_eis_student_t_quantile(1.0 - prob, dof);
    double lo = 0.0, hi = 1.0;
    while (t_cdf_pos(hi, dof) < prob && hi < 1e300) {
        lo = hi;
        hi *= 2.0;
    }
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) break;
        if (t_cdf_pos(mid, dof) < prob) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* ---------------------------------------------------------------- transforms */

/* A parameter with a finite lower bound is fitted as u = ln(p - lo) (scale-free, never at the bound); otherwise
 * u = p. A finite upper bound becomes the box constraint u <= umax, handled by projection (projected LM). */
static double tr_p(int kind, double lo, double u) { return kind == TR_LOG ? lo + exp(u) : u; }
static double tr_dp(int kind, double lo, double p) { return kind == TR_LOG ? p - lo : 1.0; }
static double tr_u(int kind, double lo, double p) { return kind == TR_LOG ? log(p - lo) : p; }
static double tr_umax(int kind, double lo, double hi)
{
    if (!isfinite(hi)) return INFINITY;
    return kind == TR_LOG ? log(hi - lo) : hi;
}

/* ---------------------------------------------------------------- workspace */

typedef struct {
    ssb_ctx *ctx;
    const ssb_eis_circuit *c;
    int64_t n;
    int m;       /* 2n residuals */
    int np, nf;  /* parameters, free parameters */
    double *w;   /* angular frequencies */
    const double *zr, *zi;
    double *isr, *isi; /* 1/sigma */
    int *fidx;
    int *kind;
    double *lo, *hi;
    double *umax; /* per free parameter */
    unsigned char *act; /* per free parameter: held on its upper bound in this iteration */
    double *p;   /* full parameter vector */
    ssbi_eis_cws cws;
    double complex *jac;
    /* LM */
    double *r, *rn, *J, *Jn, *A, *b, *work, *u, *un, *h, *D, *Jh;
    int lwork;
    int nfev;
} fitws;

static void ws_free(fitws *W)
{
    free(W->w);
    free(W->isr);
    free(W->isi);
    free(W->fidx);
    free(W->kind);
    free(W->lo);
    free(W->hi);
    free(W->umax);
    free(W->act);
    free(W->p);
    ssbi_eis_cws_destroy(&W->cws);
    free(W->jac);
    free(W->r);
    free(W->rn);
    free(W->J);
    free(W->Jn);
    free(W->A);
    free(W->b);
    free(W->work);
    free(W->u);
    free(W->un);
    free(W->h);
    free(W->D);
    free(W->Jh);
}

/* Residuals (and Jacobian in u-space, or in p-space when pspace) at u. Returns 1 if all finite. */
static int ws_eval(fitws *W, const double *u, double *r, double *J, int pspace)
{
    for (int j = 0; j < W->nf; j++) {
        int k = W->fidx[j];
        W->p[k] = tr_p(W->kind[k], W->lo[k], u[j]);
    }
    W->nfev++;
    int64_t n = W->n;
    int m = W->m;
    int ok = 1;
    for (int64_t i = 0; i < n; i++) {
        double complex z = ssbi_eis_circuit_eval(W->c, W->p, W->w[i], &W->cws, J ? W->jac : NULL);
        r[i] = (creal(z) - W->zr[i]) * W->isr[i];
        r[n + i] = (cimag(z) - W->zi[i]) * W->isi[i];
        if (!isfinite(r[i]) || !isfinite(r[n + i])) ok = 0;
        if (J) {
            for (int j = 0; j < W->nf; j++) {
                int k = W->fidx[j];
                double s = pspace ? 1.0 : tr_dp(W->kind[k], W->lo[k], W->p[k]);
                J[i + (size_t)j * m] = creal(W->jac[k]) * s * W->isr[i];
                J[n + i + (size_t)j * m] = cimag(W->jac[k]) * s * W->isi[i];
            }
        }
    }
    if (J && ok)
        for (size_t q = 0; q < (size_t)m * W->nf; q++)
            if (!isfinite(J[q])) return 0;
    return ok;
}

static double sumsq(const double *r, int m)
{
    double s = 0;
    for (int i = 0; i < m; i++) s += r[i] * r[i];
    return s;
}

typedef struct {
    double F;
    int iter;
    int converged;
    const char *reason;
} lm_out;

/* Projected Levenberg-Marquardt from u (nf, u <= umax) with Marquardt scaling (running maximum of the column
 * norms, More 1978) and Nielsen's damping update. A parameter on its upper bound whose gradient points outwards
 * is held for the iteration; the step is projected onto the box and the predicted reduction uses the projected
 * step. On return u holds the last accepted point and W->r / W->J its residual / Jacobian. */
static int lm_run(fitws *W, double *u, int max_iter, double ftol, double xtol, double gtol, lm_out *out)
{
    int m = W->m, nf = W->nf;
    out->iter = 0;
    out->converged = 0;
    out->reason = "max_iter";
    for (int j = 0; j < nf; j++)
        if (u[j] > W->umax[j]) u[j] = W->umax[j];
    if (!ws_eval(W, u, W->r, W->J, 0)) {
        out->F = INFINITY;
        out->reason = "non-finite model at the start";
        return SSB_OK;
    }
    double F = sumsq(W->r, m);
    out->F = F;
    if (nf == 0) {
        out->converged = 1;
        out->reason = "no free parameters";
        return SSB_OK;
    }
    for (int j = 0; j < nf; j++) {
        double s = sumsq(W->J + (size_t)j * m, m);
        W->D[j] = s > 0 ? s : 1.0;
    }
    double mu = 1e-3, nu = 2.0;
    int one = 1, info = 0;
    while (out->iter < max_iter) {
        if (F == 0.0) {
            out->converged = 1;
            out->reason = "ftol";
            break;
        }
        /* gradient, active upper bounds, and the projected-gradient test (cosine between r and J_j) */
        double rn = sqrt(F), gmax = 0;
        int nfr = 0;
        for (int j = 0; j < nf; j++) {
            const double *Jj = W->J + (size_t)j * m;
            double g = 0, cn = 0;
            for (int i = 0; i < m; i++) {
                g += Jj[i] * W->r[i];
                cn += Jj[i] * Jj[i];
            }
            /* descent direction -g: blocked when it points above umax and u sits on umax */
            W->act[j] = (u[j] >= W->umax[j] && g < 0) ? 1 : 0;
            if (!W->act[j]) {
                nfr++;
                if (cn > 0) {
                    double cosv = fabs(g) / (sqrt(cn) * rn);
                    if (cosv > gmax) gmax = cosv;
                }
            }
        }
        if (gmax <= gtol || nfr == 0) {
            out->converged = 1;
            out->reason = "gtol";
            break;
        }
        out->iter++;
        /* damped step on the free columns: [J_F; sqrt(mu D_F)] h = [-r; 0] */
        int mA = m + nfr, q = 0;
        for (int j = 0; j < nf; j++) {
            if (W->act[j]) continue;
            double *Aq = W->A + (size_t)q * mA;
            memcpy(Aq, W->J + (size_t)j * m, (size_t)m * sizeof(double));
            memset(Aq + m, 0, (size_t)nfr * sizeof(double));
            Aq[m + q] = sqrt(mu * W->D[j]);
            q++;
        }
        for (int i = 0; i < m; i++) W->b[i] = -W->r[i];
        memset(W->b + m, 0, (size_t)nfr * sizeof(double));
        dgels_("N", &mA, &nfr, &one, W->A, &mA, W->b, &mA, W->work, &W->lwork, &info, 1);
        if (info != 0) return SSB_ERROR(W->ctx, SSB_ERR_BACKEND, "fit: LAPACK dgels_ failed (info = %d)", info);
        /* projected trial point and the step actually taken */
        double hn = 0, un = 0;
        q = 0;
        for (int j = 0; j < nf; j++) {
            double t = u[j];
            if (!W->act[j]) {
                t = u[j] + W->b[q++];
                if (t > W->umax[j]) t = W->umax[j];
            }
            W->un[j] = t;
            W->h[j] = t - u[j];
            hn += W->h[j] * W->h[j];
            un += u[j] * u[j];
        }
        hn = sqrt(hn);
        un = sqrt(un);
        if (hn <= xtol * (un + xtol)) {
            out->converged = 1;
            out->reason = "xtol";
            break;
        }
        /* predicted reduction F - ||r + J h||^2 */
        for (int i = 0; i < m; i++) W->Jh[i] = W->r[i];
        for (int j = 0; j < nf; j++) {
            const double *Jj = W->J + (size_t)j * m;
            double hj = W->h[j];
            if (hj == 0.0) continue;
            for (int i = 0; i < m; i++) W->Jh[i] += Jj[i] * hj;
        }
        double pred = F - sumsq(W->Jh, m);
        int fin = ws_eval(W, W->un, W->rn, W->Jn, 0);
        double Fn = fin ? sumsq(W->rn, m) : INFINITY;
        double rho = (pred > 0 && isfinite(Fn)) ? (F - Fn) / pred : -1.0;
        if (Fn < F && rho > 0) {
            double dF = F - Fn;
            memcpy(u, W->un, (size_t)nf * sizeof(double));
            double *t = W->r;
            W->r = W->rn;
            W->rn = t;
            t = W->J;
            W->J = W->Jn;
            W->Jn = t;
            double Fold = F;
            F = Fn;
            for (int j = 0; j < nf; j++) {
                double sj = sumsq(W->J + (size_t)j * m, m);
                if (sj > W->D[j]) W->D[j] = sj;
            }
            double f3 = 2.0 * rho - 1.0;
            f3 = 1.0 - f3 * f3 * f3;
            mu *= f3 > 1.0 / 3.0 ? f3 : 1.0 / 3.0;
            if (mu < 1e-300) mu = 1e-300;
            nu = 2.0;
            if (dF <= ftol * Fold && rho > 0.25) {
                out->converged = 1;
                out->reason = "ftol";
                break;
            }
        } else {
            mu *= nu;
            nu *= 2.0;
            if (mu > 1e100 || nu > 1e100) {
                out->converged = 1;
                out->reason = "xtol";
                break;
            }
        }
    }
    out->F = F;
    return SSB_OK;
}

void ssb_eis_fit_result_destroy(ssb_eis_fit_result **res)
{
    if (!res || !*res) return;
    ssb_eis_fit_result *R = *res;
    free(R->p);
    free(R->std_err);
    free(R->ci_low);
    free(R->ci_high);
    free(R->cov);
    free(R->zre_fit);
    free(R->zim_fit);
    free(R->flags);
    free(R->corr_max);
    free(R);
    *res = NULL;
}

static int check_params(ssb_ctx *ctx, const ssb_eis_fit_params *P)
{
    SSB_REQUIRE(ctx, P->weight >= SSB_EIS_WEIGHT_UNIT && P->weight <= SSB_EIS_WEIGHT_MODULUS, SSB_ERR_RANGE,
                "fit: weight = %d unknown (unit, proportional, modulus)", (int)P->weight);
    SSB_REQUIRE(ctx, P->weight_floor > 0 && P->weight_floor <= 1, SSB_ERR_RANGE,
                "fit: weight_floor = %g, valid (0, 1]", P->weight_floor);
    SSB_REQUIRE(ctx, P->max_iter >= 1 && P->max_iter <= 10000000, SSB_ERR_RANGE,
                "fit: max_iter = %d, valid 1..1e7", P->max_iter);
    SSB_REQUIRE(ctx, P->ftol >= 0 && P->xtol >= 0 && P->gtol >= 0, SSB_ERR_RANGE,
                "fit: tolerances ftol = %g, xtol = %g, gtol = %g must be >= 0", P->ftol, P->xtol, P->gtol);
    SSB_REQUIRE(ctx, P->confidence > 0 && P->confidence < 1, SSB_ERR_RANGE, "fit: confidence = %g, valid (0, 1)",
                P->confidence);
    if (P->global) {
        SSB_REQUIRE(ctx, P->n_starts >= 1 && P->n_starts <= 1000000, SSB_ERR_RANGE,
                    "fit: n_starts = %d, valid 1..1e6", P->n_starts);
        SSB_REQUIRE(ctx, P->global_decades > 0 && P->global_decades <= 30, SSB_ERR_RANGE,
                    "fit: global_decades = %g, valid (0, 30]", P->global_decades);
    }
    return SSB_OK;
}

/* Covariance s^2 (J^T J)^-1 in parameter space (free parameters), via the SVD of the column-scaled J. */
static int covariance(fitws *W, double F, ssb_eis_fit_result *R)
{
    ssb_ctx *ctx = W->ctx;
    int m = W->m, nf = W->nf, np = W->np;
    for (int k = 0; k < np * np; k++) R->cov[k] = 0.0;
    for (int k = 0; k < np; k++) R->std_err[k] = 0.0;
    if (nf == 0) return SSB_OK;
    double *u = calloc((size_t)nf, sizeof(double));
    double *B = malloc((size_t)m * nf * sizeof(double));
    double *cn = malloc((size_t)nf * sizeof(double));
    double *sv = malloc((size_t)nf * sizeof(double));
    double *vt = malloc((size_t)nf * nf * sizeof(double));
    double *pinv = malloc((size_t)nf * nf * sizeof(double));
    int *cols = malloc((size_t)nf * sizeof(int));
    int rc = SSB_OK;
    if (!u || !B || !cn || !sv || !vt || !pinv || !cols) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory for the covariance");
        goto done;
    }
    for (int j = 0; j < nf; j++) {
        int k = W->fidx[j];
        u[j] = tr_u(W->kind[k], W->lo[k], W->p[k]);
    }
    /* Jacobian with respect to p at the solution */
    double *Jp = W->Jn;
    double *rr = W->rn;
    ws_eval(W, u, rr, Jp, 1);
    int kc = 0;
    for (int j = 0; j < nf; j++) {
        double s = sqrt(sumsq(Jp + (size_t)j * m, m));
        if (s > 0 && isfinite(s)) {
            cn[kc] = s;
            cols[kc] = j;
            for (int i = 0; i < m; i++) B[i + (size_t)kc * m] = Jp[i + (size_t)j * m] / s;
            kc++;
        } else {
            R->rank_deficient = 1;
            R->std_err[W->fidx[j]] = INFINITY;
        }
    }
    double s2 = R->dof > 0 ? F / R->dof : INFINITY;
    if (kc > 0) {
        int lw = -1, info = 0, ldu = 1;
        double wq, udummy = 0;
        dgesvd_("N", "A", &m, &kc, B, &m, sv, &udummy, &ldu, vt, &kc, &wq, &lw, &info, 1, 1);
        lw = (int)wq + 1;
        double *work = malloc((size_t)lw * sizeof(double));
        if (!work) {
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory for the covariance");
            goto done;
        }
        dgesvd_("N", "A", &m, &kc, B, &m, sv, &udummy, &ldu, vt, &kc, work, &lw, &info, 1, 1);
        free(work);
        if (info != 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "fit: LAPACK dgesvd_ failed (info = %d)", info);
            goto done;
        }
        double thr = DBL_EPS_ * (m > kc ? m : kc) * sv[0];
        int keep = 0;
        for (int i = 0; i < kc; i++)
            if (sv[i] > thr) keep++;
        /* pinv(B^T B) = V diag(1/s^2) V^T over the kept singular values; vt is kc x kc column-major (row i of
         * V^T = singular vector i) */
        for (int a = 0; a < kc; a++)
            for (int b = 0; b < kc; b++) {
                double acc = 0;
                for (int i = 0; i < keep; i++) acc += vt[i + (size_t)a * kc] * vt[i + (size_t)b * kc] / (sv[i] * sv[i]);
                pinv[a + (size_t)b * kc] = acc;
            }
        if (keep < kc) {
            R->rank_deficient = 1;
            for (int a = 0; a < kc; a++) {
                double w = 0;
                for (int i = keep; i < kc; i++) w += vt[i + (size_t)a * kc] * vt[i + (size_t)a * kc];
                if (w > 1e-4) R->std_err[W->fidx[cols[a]]] = INFINITY;
            }
        }
        for (int a = 0; a < kc; a++)
            for (int b = 0; b < kc; b++) {
                int ka = W->fidx[cols[a]], kb = W->fidx[cols[b]];
                R->cov[(size_t)ka * np + kb] = s2 * pinv[a + (size_t)b * kc] / (cn[a] * cn[b]);
            }
        for (int a = 0; a < kc; a++) {
            int ka = W->fidx[cols[a]];
            if (R->std_err[ka] == 0.0) R->std_err[ka] = sqrt(fabs(R->cov[(size_t)ka * np + ka]));
        }
    }
done:
    free(u);
    free(B);
    free(cn);
    free(sv);
    free(vt);
    free(pinv);
    free(cols);
    return rc;
}

/* Parameters the data do not determine: wide intervals, bounds, correlations; sets flags, corr_max, n_flagged
 * and status (after the covariance and the intervals). */
static void diagnose(const fitws *W, const double *pguess, ssb_eis_fit_result *R)
{
    int np = W->np;
    R->n_flagged = 0;
    int wide = 0, bound = 0;
    for (int j = 0; j < W->nf; j++) {
        int k = W->fidx[j];
        unsigned fl = 0;
        double se = R->std_err[k], half = 0.5 * (R->ci_high[k] - R->ci_low[k]);
        if (!isfinite(se) || !isfinite(half) || half > fabs(R->p[k])) fl |= SSB_EIS_PARAM_WIDE_CI;
        double lo = W->lo[k], hi = W->hi[k];
        if (isfinite(hi) && R->p[k] >= hi - 1e-12 * fabs(hi)) fl |= SSB_EIS_PARAM_AT_BOUND;
        if (isfinite(lo) && pguess && R->p[k] - lo <= 1e-8 * fabs(pguess[k] - lo)) fl |= SSB_EIS_PARAM_AT_BOUND;
        double cm = 0;
        double vk = R->cov[(size_t)k * np + k];
        for (int i = 0; i < W->nf; i++) {
            int q = W->fidx[i];
            if (q == k) continue;
            double vq = R->cov[(size_t)q * np + q];
            if (!(vk > 0 && vq > 0 && isfinite(vk) && isfinite(vq))) continue;
            double r = fabs(R->cov[(size_t)k * np + q]) / sqrt(vk * vq);
            if (r > cm) cm = r;
        }
        R->corr_max[k] = cm;
        if (cm > SSB_EIS_CORR_LIMIT) fl |= SSB_EIS_PARAM_CORRELATED;
        R->flags[k] = fl;
        if (fl) R->n_flagged++;
        if (fl & (SSB_EIS_PARAM_WIDE_CI | SSB_EIS_PARAM_CORRELATED)) wide = 1;
        if (fl & SSB_EIS_PARAM_AT_BOUND) bound = 1;
    }
    if (R->rank_deficient) wide = 1;
    R->status = !R->converged ? SSB_EIS_FIT_NOT_CONVERGED
                : wide        ? SSB_EIS_FIT_UNDETERMINED
                : bound       ? SSB_EIS_FIT_AT_BOUND
                              : SSB_EIS_FIT_OK;
}

int ssb_eis_fit(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *guess,
                const ssb_eis_fit_params *params, ssb_eis_fit_result **res)
{
    SSB_REQUIRE(ctx, res != NULL, SSB_ERR_ARG, "fit: output pointer is NULL");
    *res = NULL;
    SSB_REQUIRE(ctx, c && s && guess, SSB_ERR_ARG, "fit: NULL circuit, spectrum or guess");
    ssb_eis_fit_params P = params ? *params : ssb_eis_fit_params_default();
    SSB_CHECK(ctx, check_params(ctx, &P));
    SSB_CHECK(ctx, ssb_eis_spectrum_check(ctx, s, "fit"));
    SSB_CHECK(ctx, ssbi_eis_check_magnitude(ctx, s, "fit"));
    int np = c->np;
    int64_t n = s->n;
    /* the Jacobians (J, Jn, the damped system and the covariance copy): 4 x 2n x np doubles */
    SSB_REQUIRE(ctx, n <= 1000000 && (double)n * 2.0 * (np > 0 ? np : 1) * 8.0 * 4.0 <= 2147483648.0, SSB_ERR_RANGE,
                "fit: %lld points for %d parameters would need %.3g GB of Jacobians; at most 1e6 points and 2 GB "
                "(select a frequency range with --fmin/--fmax)",
                (long long)n, np, (double)n * 2.0 * (np > 0 ? np : 1) * 8.0 * 4.0 / 1e9);

    fitws W;
    memset(&W, 0, sizeof W);
    W.ctx = ctx;
    W.c = c;
    W.n = n;
    W.m = (int)(2 * n);
    W.np = np;
    W.zr = s->zre;
    W.zi = s->zim;
    int rc = SSB_OK;
    ssb_eis_fit_result *R = NULL;
    double *pguess_kept = NULL;
    size_t npa = (size_t)(np > 0 ? np : 1);
    W.w = malloc((size_t)n * sizeof(double));
    W.isr = malloc((size_t)n * sizeof(double));
    W.isi = malloc((size_t)n * sizeof(double));
    W.fidx = malloc(npa * sizeof(int));
    W.kind = malloc(npa * sizeof(int));
    W.lo = malloc(npa * sizeof(double));
    W.hi = malloc(npa * sizeof(double));
    W.p = malloc(npa * sizeof(double));
    W.jac = malloc(npa * sizeof(double complex));
    if (!W.w || !W.isr || !W.isi || !W.fidx || !W.kind || !W.lo || !W.hi || !W.p || !W.jac) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory");
        goto fail;
    }
    SSB_CHECK_GOTO(ctx, rc, ssbi_eis_cws_create(ctx, c, &W.cws), fail);
    /* weights */
    for (int64_t i = 0; i < n; i++) {
        W.w[i] = 2.0 * PI_ * s->f[i];
        double mod = hypot(s->zre[i], s->zim[i]);
        double sr = 1.0, si = 1.0;
        if (P.weight != SSB_EIS_WEIGHT_UNIT && !(mod > 0)) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: point %lld (f = %g Hz) has |Z| = 0; use unit weights",
                           (long long)i, s->f[i]);
            goto fail;
        }
        if (P.weight == SSB_EIS_WEIGHT_MODULUS) {
            sr = si = mod;
        } else if (P.weight == SSB_EIS_WEIGHT_PROPORTIONAL) {
            double fl = P.weight_floor * mod;
            sr = fabs(s->zre[i]) > fl ? fabs(s->zre[i]) : fl;
            si = fabs(s->zim[i]) > fl ? fabs(s->zim[i]) : fl;
        }
        W.isr[i] = 1.0 / sr;
        W.isi[i] = 1.0 / si;
    }
    /* bounds, transforms, free set */
    int nf = 0;
    for (int k = 0; k < np; k++) {
        double lo = 0.0, hi = INFINITY;
        ssb_eis_circuit_get_param_bounds(c, k, &lo, &hi);
        if (P.lower) lo = P.lower[k];
        if (P.upper) hi = P.upper[k];
        const char *nm = c->pname[k];
        if (!(lo < hi) || isnan(lo) || isnan(hi) || lo == INFINITY || hi == -INFINITY) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: bounds of %s are [%g, %g]; need lower < upper", nm, lo, hi);
            goto fail;
        }
        double g = guess[k];
        if (!isfinite(g)) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: guess %s = %g is not finite", nm, g);
            goto fail;
        }
        W.lo[k] = lo;
        W.hi[k] = hi;
        W.p[k] = g;
        W.kind[k] = isfinite(lo) ? TR_LOG : TR_LIN;
        if (P.fixed && P.fixed[k]) {
            /* a held value enters the model as given: R1 = 0 or a negative C gave a spectrum with Z' < 0 */
            SSB_CHECK_GOTO(ctx, rc, ssbi_eis_check_param(ctx, c, k, g, "fit: fixed"), fail);
            if (g < lo || g > hi) {
                rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: fixed %s = %g lies outside its bounds [%g, %g]", nm, g, lo,
                               hi);
                goto fail;
            }
            continue;
        }
        if (g < lo || g > hi) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: guess %s = %g lies outside its bounds [%g, %g]", nm, g, lo, hi);
            goto fail;
        }
        if (g == lo) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                           "fit: guess %s = %g lies on its lower bound; give a value above %g (the fit works with "
                           "ln(%s - lower))",
                           nm, g, lo, nm);
            goto fail;
        }
        W.fidx[nf++] = k;
    }
    W.nf = nf;
    if (W.m < nf) {
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "fit: %d data values (2 x %lld points) for %d free parameters", W.m,
                       (long long)n, nf);
        goto fail;
    }
    size_t m = (size_t)W.m, nfa = (size_t)(nf > 0 ? nf : 1);
    W.r = malloc(m * sizeof(double));
    W.rn = malloc(m * sizeof(double));
    W.Jh = malloc(m * sizeof(double));
    W.J = malloc(m * nfa * sizeof(double));
    W.Jn = malloc(m * nfa * sizeof(double));
    W.A = malloc((m + nfa) * nfa * sizeof(double));
    W.b = malloc((m + nfa) * sizeof(double));
    W.u = malloc(nfa * sizeof(double));
    W.un = malloc(nfa * sizeof(double));
    W.h = malloc(nfa * sizeof(double));
    W.D = malloc(nfa * sizeof(double));
    W.umax = malloc(nfa * sizeof(double));
    W.act = malloc(nfa);
    if (!W.umax || !W.act || !W.r || !W.rn || !W.Jh || !W.J || !W.Jn || !W.A || !W.b || !W.u || !W.un || !W.h || !W.D) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory for %zu x %zu Jacobians", m, nfa);
        goto fail;
    }
    if (nf > 0) {
        int mA = W.m + nf, one = 1, lw = -1, info = 0;
        double wq;
        dgels_("N", &mA, &nf, &one, W.A, &mA, W.b, &mA, &wq, &lw, &info, 1);
        W.lwork = (int)wq + 1;
        W.work = malloc((size_t)W.lwork * sizeof(double));
        if (!W.work) {
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory");
            goto fail;
        }
    }
    double *u0 = malloc(nfa * sizeof(double));
    double *ubest = malloc(nfa * sizeof(double));
    double *pguess = malloc(npa * sizeof(double));
    if (!u0 || !ubest || !pguess) {
        free(u0);
        free(ubest);
        free(pguess);
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory");
        goto fail;
    }
    memcpy(pguess, W.p, (size_t)np * sizeof(double));
    for (int j = 0; j < nf; j++) {
        int k = W.fidx[j];
        u0[j] = tr_u(W.kind[k], W.lo[k], W.p[k]);
        W.umax[j] = tr_umax(W.kind[k], W.lo[k], W.hi[k]);
    }
    int nstarts = P.global ? P.n_starts : 1;
    ssb_rng rng;
    ssb_rng_seed(&rng, P.seed);
    lm_out best = {INFINITY, 0, 0, "max_iter"};
    int best_start = -1;
    for (int st = 0; st < nstarts; st++) {
        if (st > 0) {
            for (int j = 0; j < nf; j++) {
                int k = W.fidx[j];
                double g = pguess[k], lo = W.lo[k], hi = W.hi[k], a, b, pk;
                if (lo > 0 && isfinite(hi)) {
                    a = lo;
                    b = hi;
                } else {
                    double sc = pow(10.0, P.global_decades);
                    double ag = fabs(g) > 0 ? fabs(g) : 1.0;
                    a = g > 0 ? g / sc : g - ag * sc;
                    b = g > 0 ? g * sc : g + ag * sc;
                    if (a < lo) a = lo;
                    if (b > hi) b = hi;
                }
                double uu = ssb_rng_uniform(&rng);
                if (a > 0) pk = exp(log(a) + (log(b) - log(a)) * uu);
                else pk = a + (b - a) * uu;
                /* keep above the lower bound (ln(p - lo) finite) and at most the upper one */
                if (!(pk > lo)) pk = g;
                if (pk > hi) pk = hi;
                W.u[j] = tr_u(W.kind[k], lo, pk);
                if (!isfinite(W.u[j])) W.u[j] = u0[j];
            }
        } else {
            memcpy(W.u, u0, nfa * sizeof(double));
        }
        lm_out o;
        rc = lm_run(&W, W.u, P.max_iter, P.ftol, P.xtol, P.gtol, &o);
        if (rc != SSB_OK) break;
        if (o.F < best.F) {
            best = o;
            best_start = st;
            memcpy(ubest, W.u, nfa * sizeof(double));
        }
        rc = ssbi_progress(ctx, "eis fit", st + 1, nstarts);
        if (rc != SSB_OK) break;
    }
    free(u0);
    pguess_kept = pguess;
    if (rc != SSB_OK) {
        free(ubest);
        goto fail;
    }
    if (best_start < 0) {
        free(ubest);
        rc = SSB_ERROR(ctx, SSB_ERR_NOCONV,
                       "fit: the model is not finite at the guess (check the guess against the circuit %s)", c->str);
        goto fail;
    }
    R = ssbi_calloc(ctx, 1, sizeof *R, "fit result");
    if (!R) {
        free(ubest);
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    R->nparams = np;
    R->nfree = nf;
    R->npoints = n;
    R->p = calloc(npa, sizeof(double));
    R->std_err = calloc(npa, sizeof(double));
    R->ci_low = calloc(npa, sizeof(double));
    R->ci_high = calloc(npa, sizeof(double));
    R->cov = calloc(npa * npa, sizeof(double));
    R->zre_fit = calloc((size_t)n, sizeof(double));
    R->zim_fit = calloc((size_t)n, sizeof(double));
    R->flags = calloc(npa, sizeof(unsigned));
    R->corr_max = calloc(npa, sizeof(double));
    if (!R->p || !R->std_err || !R->ci_low || !R->ci_high || !R->cov || !R->zre_fit || !R->zim_fit || !R->flags ||
        !R->corr_max) {
        free(ubest);
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit: out of memory for the result");
        goto fail;
    }
    /* final state at the best start */
    ws_eval(&W, ubest, W.r, NULL, 0);
    free(ubest);
    memcpy(R->p, W.p, (size_t)np * sizeof(double));
    R->dof = W.m - nf;
    R->rss = sumsq(W.r, W.m);
    R->chi2_red = R->dof > 0 ? R->rss / R->dof : INFINITY;
    R->iterations = best.iter;
    R->converged = best.converged;
    R->reason = best.reason;
    R->starts = nstarts;
    R->best_start = best_start;
    R->confidence = P.confidence;
    SSB_CHECK_GOTO(ctx, rc, ssb_eis_circuit_impedance(ctx, c, R->p, n, s->f, R->zre_fit, R->zim_fit), fail);
    double ru = 0;
    for (int64_t i = 0; i < n; i++) {
        double a = R->zre_fit[i] - s->zre[i], b = R->zim_fit[i] - s->zim[i];
        ru += a * a + b * b;
    }
    R->rss_unit = ru;
    SSB_CHECK_GOTO(ctx, rc, covariance(&W, R->rss, R), fail);
    R->nfev = W.nfev;
    double tq = R->dof >= 1 ? ssb_eis_student_t_quantile(0.5 * (1.0 + P.confidence), R->dof) : INFINITY;
    for (int k = 0; k < np; k++) {
        double d = R->std_err[k] == 0.0 ? 0.0 : tq * R->std_err[k];
        R->ci_low[k] = R->p[k] - d;
        R->ci_high[k] = R->p[k] + d;
    }
    diagnose(&W, pguess_kept, R);
    if (!R->converged && P.error_if_not_converged) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOCONV, "fit: no convergence in %d iterations (rss = %g)", P.max_iter, R->rss);
        goto fail;
    }
    ws_free(&W);
    free(pguess_kept);
    *res = R;
    return SSB_OK;
fail:
    ssb_eis_fit_result_destroy(&R);
    ws_free(&W);
    free(pguess_kept);
    return rc;
}

int ssb_eis_fit_write_csv(ssb_ctx *ctx, const char *path, const ssb_eis_circuit *c, const ssb_eis_spectrum *s,
                          const ssb_eis_fit_result *res)
{
    SSB_REQUIRE(ctx, c && s && res, SSB_ERR_ARG, "write fit: NULL argument");
    SSB_REQUIRE(ctx, res->npoints == s->n && res->nparams == c->np, SSB_ERR_ARG,
                "write fit %s: the result does not belong to this spectrum / circuit", path ? path : "");
    ssbi_atomic o;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &o, path, 1));
    FILE *fp = o.fp;
    fprintf(fp, "# circuit %s\n# rss %.10e chi2_red %.10e dof %d converged %d (%s) status %s\n", c->str, res->rss,
            res->chi2_red, res->dof, res->converged, res->reason, ssb_eis_fit_status_name(res->status));
    for (int k = 0; k < c->np; k++) {
        char fb[64];
        const char *fl = res->flags ? ssb_eis_param_flags_string(res->flags[k], fb, sizeof fb) : "";
        fprintf(fp, "# %s = %.10e +- %.4e %s%s%s\n", c->pname[k], res->p[k], res->std_err[k],
                ssb_eis_circuit_get_param_unit(c, k), fl[0] ? " flags " : "", fl);
    }
    fprintf(fp, "f_Hz,Zre_Ohm,Zim_Ohm,Zre_model_Ohm,Zim_model_Ohm,res_re_Ohm,res_im_Ohm\n");
    for (int64_t i = 0; i < s->n; i++)
        fprintf(fp, "%.10e,%.10e,%.10e,%.10e,%.10e,%.10e,%.10e\n", s->f[i], s->zre[i], s->zim[i], res->zre_fit[i],
                res->zim_fit[i], s->zre[i] - res->zre_fit[i], s->zim[i] - res->zim_fit[i]);
    return ssbi_atomic_commit(ctx, &o);
}
