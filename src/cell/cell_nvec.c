/* Fast kernels for SUNDIALS serial vectors.
 *
 * The distribution's SUNDIALS build compiles the serial N_Vector kernels without optimisation, which made IDA's
 * vector arithmetic dominate the cost of a cell run (about 70 % of the time for 500 unknowns). The N_Vector
 * interface lets a user supply the operation table of a vector (SUNDIALS "custom N_Vector"): we keep the serial
 * content (length, data) and replace the arithmetic operations by the plain loops below, compiled with the
 * library's flags. Clones inherit the table. */
#include "cell_impl.h"

#include <nvector/nvector_serial.h>

#include <math.h>

#define LEN(v) NV_LENGTH_S(v)
#define DAT(v) NV_DATA_S(v)

static void v_linearsum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *yd = DAT(y);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = a * xd[i] + b * yd[i];
}

static void v_const(sunrealtype c, N_Vector z)
{
    sunindextype n = LEN(z);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = c;
}

static void v_prod(N_Vector x, N_Vector y, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *yd = DAT(y);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = xd[i] * yd[i];
}

static void v_div(N_Vector x, N_Vector y, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *yd = DAT(y);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = xd[i] / yd[i];
}

static void v_scale(sunrealtype c, N_Vector x, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = c * xd[i];
}

static void v_abs(N_Vector x, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = fabs(xd[i]);
}

static void v_inv(N_Vector x, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = 1.0 / xd[i];
}

static void v_addconst(N_Vector x, sunrealtype b, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = xd[i] + b;
}

static sunrealtype v_dotprod(N_Vector x, N_Vector y)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *yd = DAT(y);
    sunrealtype s = 0;
    for (sunindextype i = 0; i < n; i++)
        s += xd[i] * yd[i];
    return s;
}

static sunrealtype v_maxnorm(N_Vector x)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype m = 0;
    for (sunindextype i = 0; i < n; i++)
        if (fabs(xd[i]) > m)
            m = fabs(xd[i]);
    return m;
}

static sunrealtype v_wsqrsum(N_Vector x, N_Vector w)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *wd = DAT(w);
    sunrealtype s = 0;
    for (sunindextype i = 0; i < n; i++) {
        sunrealtype p = xd[i] * wd[i];
        s += p * p;
    }
    return s;
}

static sunrealtype v_wsqrsummask(N_Vector x, N_Vector w, N_Vector id)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x), *wd = DAT(w), *md = DAT(id);
    sunrealtype s = 0;
    for (sunindextype i = 0; i < n; i++)
        if (md[i] > 0.0) {
            sunrealtype p = xd[i] * wd[i];
            s += p * p;
        }
    return s;
}

static sunrealtype v_wrmsnorm(N_Vector x, N_Vector w)
{
    return sqrt(v_wsqrsum(x, w) / LEN(x));
}

static sunrealtype v_wrmsnormmask(N_Vector x, N_Vector w, N_Vector id)
{
    return sqrt(v_wsqrsummask(x, w, id) / LEN(x));
}

static sunrealtype v_min(N_Vector x)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype m = xd[0];
    for (sunindextype i = 1; i < n; i++)
        if (xd[i] < m)
            m = xd[i];
    return m;
}

static void v_compare(sunrealtype c, N_Vector x, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    for (sunindextype i = 0; i < n; i++)
        zd[i] = fabs(xd[i]) >= c ? 1.0 : 0.0;
}

static sunbooleantype v_invtest(N_Vector x, N_Vector z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    sunrealtype *zd = DAT(z);
    sunbooleantype ok = SUNTRUE;
    for (sunindextype i = 0; i < n; i++) {
        if (xd[i] == 0.0)
            ok = SUNFALSE;
        else
            zd[i] = 1.0 / xd[i];
    }
    return ok;
}

static sunbooleantype v_constrmask(N_Vector c, N_Vector x, N_Vector m)
{
    sunindextype n = LEN(x);
    const sunrealtype *cd = DAT(c), *xd = DAT(x);
    sunrealtype *md = DAT(m);
    sunbooleantype ok = SUNTRUE;
    for (sunindextype i = 0; i < n; i++) {
        md[i] = 0.0;
        if (cd[i] == 0.0)
            continue;
        int bad = (fabs(cd[i]) > 1.5 && xd[i] * cd[i] <= 0.0) || (fabs(cd[i]) > 0.5 && xd[i] * cd[i] < 0.0);
        if (bad) {
            ok = SUNFALSE;
            md[i] = 1.0;
        }
    }
    return ok;
}

static sunrealtype v_minquotient(N_Vector num, N_Vector denom)
{
    sunindextype n = LEN(num);
    const sunrealtype *nd = DAT(num), *dd = DAT(denom);
    sunrealtype m = 1e300; /* BIG_REAL as in SUNDIALS */
    int found = 0;
    for (sunindextype i = 0; i < n; i++) {
        if (dd[i] == 0.0)
            continue;
        sunrealtype q = nd[i] / dd[i];
        if (!found || q < m)
            m = q;
        found = 1;
    }
    return found ? m : SUN_BIG_REAL;
}

static int v_linearcombination(int nv, sunrealtype *c, N_Vector *X, N_Vector z)
{
    sunindextype n = LEN(z);
    sunrealtype *zd = DAT(z);
    if (nv < 1)
        return -1;
    const sunrealtype *x0 = DAT(X[0]);
    if (X[0] == z) {
        if (c[0] != 1.0)
            for (sunindextype i = 0; i < n; i++)
                zd[i] *= c[0];
    } else
        for (sunindextype i = 0; i < n; i++)
            zd[i] = c[0] * x0[i];
    for (int k = 1; k < nv; k++) {
        const sunrealtype *xk = DAT(X[k]);
        sunrealtype ck = c[k];
        for (sunindextype i = 0; i < n; i++)
            zd[i] += ck * xk[i];
    }
    return 0;
}

static int v_scaleaddmulti(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
    sunindextype n = LEN(x);
    const sunrealtype *xd = DAT(x);
    for (int k = 0; k < nv; k++) {
        const sunrealtype *yd = DAT(Y[k]);
        sunrealtype *zd = DAT(Z[k]);
        sunrealtype ak = a[k];
        for (sunindextype i = 0; i < n; i++)
            zd[i] = ak * xd[i] + yd[i];
    }
    return 0;
}

static int v_linearsumvectorarray(int nv, sunrealtype a, N_Vector *X, sunrealtype b, N_Vector *Y, N_Vector *Z)
{
    for (int k = 0; k < nv; k++)
        v_linearsum(a, X[k], b, Y[k], Z[k]);
    return 0;
}

static int v_scalevectorarray(int nv, sunrealtype *c, N_Vector *X, N_Vector *Z)
{
    for (int k = 0; k < nv; k++)
        v_scale(c[k], X[k], Z[k]);
    return 0;
}

static int v_constvectorarray(int nv, sunrealtype c, N_Vector *Z)
{
    for (int k = 0; k < nv; k++)
        v_const(c, Z[k]);
    return 0;
}

static int v_wrmsnormvectorarray(int nv, N_Vector *X, N_Vector *W, sunrealtype *nrm)
{
    for (int k = 0; k < nv; k++)
        nrm[k] = v_wrmsnorm(X[k], W[k]);
    return 0;
}

void ssbi_nvec_fast(N_Vector v)
{
    N_Vector_Ops o = v->ops;
    o->nvlinearsum = v_linearsum;
    o->nvconst = v_const;
    o->nvprod = v_prod;
    o->nvdiv = v_div;
    o->nvscale = v_scale;
    o->nvabs = v_abs;
    o->nvinv = v_inv;
    o->nvaddconst = v_addconst;
    o->nvdotprod = v_dotprod;
    o->nvmaxnorm = v_maxnorm;
    o->nvwrmsnorm = v_wrmsnorm;
    o->nvwrmsnormmask = v_wrmsnormmask;
    o->nvmin = v_min;
    o->nvcompare = v_compare;
    o->nvinvtest = v_invtest;
    o->nvconstrmask = v_constrmask;
    o->nvminquotient = v_minquotient;
    o->nvlinearcombination = v_linearcombination;
    o->nvscaleaddmulti = v_scaleaddmulti;
    o->nvlinearsumvectorarray = v_linearsumvectorarray;
    o->nvscalevectorarray = v_scalevectorarray;
    o->nvconstvectorarray = v_constvectorarray;
    o->nvwrmsnormvectorarray = v_wrmsnormvectorarray;
    o->nvdotprodlocal = v_dotprod;
    o->nvmaxnormlocal = v_maxnorm;
    o->nvminlocal = v_min;
    o->nvinvtestlocal = v_invtest;
    o->nvconstrmasklocal = v_constrmask;
    o->nvminquotientlocal = v_minquotient;
    o->nvwsqrsumlocal = v_wsqrsum;
    o->nvwsqrsummasklocal = v_wsqrsummask;
}
