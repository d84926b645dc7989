/* Materials: evaluation of OCV curves (tables, analytic functions, MSMR). */
#include "materials_impl.h"

#include <math.h>

/* Interval [lo, lo + 1] of a sorted table holding x (x strictly inside the table's range). */
static int table_interval(const ssbi_ocv *o, double x)
{
    int lo = 0, hi = o->n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (o->x[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* OCV tables: monotone piecewise-cubic Hermite (PCHIP, src/core/pchip.c) through the table's points, so U(x) is C1
 * (a linear interpolant has a kink at every point, which the cell model's Newton iteration on dU/dx can cycle
 * across), exact at the points, monotone between them, and flat between equal neighbouring voltages. The slopes
 * need only the neighbouring points and are computed here, per call. Constant beyond the table's ends. */
static double table_eval(const ssbi_ocv *o, double x)
{
    int n = o->n;
    if (x <= o->x[0])
        return o->U[0];
    if (x >= o->x[n - 1])
        return o->U[n - 1];
    int lo = table_interval(o, x);
    double d0 = ssbi_pchip_slope(n, o->x, o->U, lo), d1 = ssbi_pchip_slope(n, o->x, o->U, lo + 1);
    return ssbi_hermite(o->x[lo], o->x[lo + 1], o->U[lo], o->U[lo + 1], d0, d1, x, NULL);
}

double ssbi_table_eval_linear(const ssbi_ocv *o, double x)
{
    int n = o->n;
    if (x <= o->x[0])
        return o->U[0];
    if (x >= o->x[n - 1])
        return o->U[n - 1];
    int lo = table_interval(o, x);
    double t = (x - o->x[lo]) / (o->x[lo + 1] - o->x[lo]);
    return o->U[lo] + t * (o->U[lo + 1] - o->U[lo]);
}

static double function_eval(const ssbi_ocv *o, double x)
{
    double U = 0.0;
    for (int i = 0; i < o->nterms; i++) {
        const ssbi_term *t = &o->terms[i];
        switch (t->kind) {
        case SSBI_TERM_POLY: {
            double s = 0.0;
            for (int k = t->ncoef - 1; k >= 0; k--)
                s = s * x + t->coef[k];
            U += s;
            break;
        }
        case SSBI_TERM_TANH:
            U += t->a * tanh(t->b * x + t->c);
            break;
        case SSBI_TERM_EXP:
            U += t->a * exp(t->b * pow(x, t->n) + t->c);
            break;
        case SSBI_TERM_POW:
            U += t->a * pow(t->b * x + t->c, t->p);
            break;
        }
    }
    if (!isnan(o->clip_lo)) {
        if (U < o->clip_lo)
            U = o->clip_lo;
        if (U > o->clip_hi)
            U = o->clip_hi;
    }
    return U;
}

/* MSMR occupancy at potential U: x(U) = sum_j X_j / (1 + exp(F (U - U0_j) / (w_j R T))), decreasing in U. */
static double msmr_x(const ssbi_ocv *o, double U)
{
    double f = SSB_CONST_FARADAY / (SSB_CONST_GAS * o->T), s = 0.0;
    for (int j = 0; j < o->nreact; j++) {
        double a = f * (U - o->U0[j]) / o->w[j];
        s += a > 700 ? 0.0 : o->X[j] / (1.0 + exp(a));
    }
    return s;
}

int ssbi_ocv_eval(ssb_ctx *ctx, const ssbi_ocv *o, double x, double *U)
{
    switch (o->kind) {
    case SSB_OCV_TABLE:
        *U = table_eval(o, x);
        break;
    case SSB_OCV_FUNCTION:
        *U = function_eval(o, x);
        break;
    case SSB_OCV_MSMR: {
        double lo = o->U0[0], hi = o->U0[0];
        for (int j = 1; j < o->nreact; j++) {
            if (o->U0[j] < lo)
                lo = o->U0[j];
            if (o->U0[j] > hi)
                hi = o->U0[j];
        }
        lo -= 1.0;
        hi += 1.0;
        int grow = 0;
        while ((msmr_x(o, lo) <= x || msmr_x(o, hi) >= x) && grow < 100) {
            lo -= 1.0;
            hi += 1.0;
            grow++;
        }
        if (grow == 100)
            return SSB_ERROR(ctx, SSB_ERR_NOCONV, "MSMR curve '%s': x = %g not bracketed within 100 V", o->name, x);
        for (int it = 0; it < 200 && hi - lo > 1e-13; it++) {
            double mid = 0.5 * (lo + hi);
            if (msmr_x(o, mid) > x)
                lo = mid;
            else
                hi = mid;
        }
        *U = 0.5 * (lo + hi);
        break;
    }
    default:
        return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "OCV kind %d unknown", (int)o->kind);
    }
    return SSB_OK;
}
