/* Monotone piecewise-cubic Hermite interpolation (PCHIP), shared by the cell model's tables (src/cell/cell_fn.c) and
 * the materials database's OCV tables (src/materials/materials_ocv.c). */
#include "core_impl.h"

#include <math.h>

/* Fritsch-Carlson monotone slope at node i (Fritsch & Carlson 1980, SIAM J. Numer. Anal. 17, 238; the weighted
 * harmonic mean of Fritsch & Butland 1984, as in SciPy's PchipInterpolator): 0 where the neighbouring secants differ
 * in sign or one is 0 (a flat step stays flat, no overshoot); at the ends the one-sided three-point formula, limited.
 * Needs only the nodes i-2..i+2, so a caller may evaluate it lazily. */
double ssbi_pchip_slope(int n, const double *x, const double *y, int i)
{
    if (n < 2)
        return 0.0;
    if (n == 2)
        return (y[1] - y[0]) / (x[1] - x[0]);
    if (i > 0 && i < n - 1) {
        double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
        double m0 = (y[i] - y[i - 1]) / h0, m1 = (y[i + 1] - y[i]) / h1;
        if (m0 * m1 <= 0)
            return 0.0;
        double w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
        return (w1 + w2) / (w1 / m0 + w2 / m1);
    }
    int s = i == 0 ? 1 : -1;
    double h0 = fabs(x[i + s] - x[i]), h1 = fabs(x[i + 2 * s] - x[i + s]);
    double m0 = (y[i + s] - y[i]) / (x[i + s] - x[i]);
    double m1 = (y[i + 2 * s] - y[i + s]) / (x[i + 2 * s] - x[i + s]);
    double dd = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (dd * m0 <= 0)
        dd = 0;
    else if (m0 * m1 <= 0 && fabs(dd) > 3 * fabs(m0))
        dd = 3 * m0;
    return dd;
}

void ssbi_pchip_slopes(int n, const double *x, const double *y, double *d)
{
    for (int i = 0; i < n; i++)
        d[i] = ssbi_pchip_slope(n, x, y, i);
}

/* Written as ya + increments so that a flat interval (ya == yb, slopes 0) returns ya exactly, without rounding. */
double ssbi_hermite(double xa, double xb, double ya, double yb, double da, double db, double x, double *dydx)
{
    double h = xb - xa, t = (x - xa) / h, dy = yb - ya;
    double t2 = t * t, t3 = t2 * t;
    double h10 = t3 - 2 * t2 + t, h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
    if (dydx) {
        double d01 = (-6 * t2 + 6 * t) / h, d10 = 3 * t2 - 4 * t + 1, d11 = 3 * t2 - 2 * t;
        *dydx = d01 * dy + d10 * da + d11 * db;
    }
    return ya + (h01 * dy + h * (h10 * da + h11 * db));
}
