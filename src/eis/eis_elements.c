/* Circuit elements: the table (names, parameters, units, default bounds) and the impedance kernels with their
 * parameter derivatives. Formulas and parameter order follow impedance.py 1.7 (see ssb_eis.h); TLM is ssbnet's
 * two-rail transmission line (Bisquert 2000). */
#include "eis_impl.h"

#include <math.h>
#include <string.h>

#define PI_ 3.14159265358979323846

static const ssbi_eis_elinfo g_elements[SSBI_EL_COUNT] = {
    [SSBI_EL_R] = {"R", 1, {"Ohm"}, {INFINITY}},
    [SSBI_EL_C] = {"C", 1, {"F"}, {INFINITY}},
    [SSBI_EL_L] = {"L", 1, {"H"}, {INFINITY}},
    [SSBI_EL_CPE] = {"CPE", 2, {"F s^(a-1)", "1"}, {INFINITY, 1.0}},
    [SSBI_EL_W] = {"W", 1, {"Ohm s^-1/2"}, {INFINITY}},
    [SSBI_EL_WO] = {"Wo", 2, {"Ohm", "s"}, {INFINITY, INFINITY}},
    [SSBI_EL_WS] = {"Ws", 2, {"Ohm", "s"}, {INFINITY, INFINITY}},
    [SSBI_EL_G] = {"G", 2, {"Ohm", "s"}, {INFINITY, INFINITY}},
    [SSBI_EL_GS] = {"Gs", 3, {"Ohm", "s", "1"}, {INFINITY, INFINITY, INFINITY}},
    [SSBI_EL_LA] = {"La", 2, {"H", "1"}, {INFINITY, 1.0}},
    [SSBI_EL_K] = {"K", 2, {"Ohm", "s"}, {INFINITY, INFINITY}},
    [SSBI_EL_ZARC] = {"Zarc", 3, {"Ohm", "s", "1"}, {INFINITY, INFINITY, 1.0}},
    [SSBI_EL_TLMQ] = {"TLMQ", 3, {"Ohm", "F s^(g-1)", "1"}, {INFINITY, INFINITY, 1.0}},
    [SSBI_EL_T] = {"T", 4, {"Ohm", "Ohm", "1", "s"}, {INFINITY, INFINITY, INFINITY, INFINITY}},
    [SSBI_EL_TLM] = {"TLM", 5, {"Ohm", "Ohm", "Ohm", "F s^(a-1)", "1"}, {INFINITY, INFINITY, INFINITY, INFINITY, 1.0}},
};

const ssbi_eis_elinfo *ssbi_eis_element_info(int type)
{
    if (type < 0 || type >= SSBI_EL_COUNT) return NULL;
    return &g_elements[type];
}

int ssbi_eis_element_lookup(const char *name, size_t len)
{
    for (int t = 0; t < SSBI_EL_COUNT; t++)
        if (strlen(g_elements[t].name) == len && strncmp(g_elements[t].name, name, len) == 0) return t;
    return -1;
}

const char *ssb_eis_element_types(void) { return "R, C, L, CPE, W, Wo, Ws, G, Gs, La, K, Zarc, TLMQ, T, TLM"; }

/* coth, csch, tanh, sech without overflow for large |Re z| and accurate near 0 (ccosh/csinh keep full
 * relative precision for small arguments). */
static double complex c_coth(double complex z)
{
    double x = creal(z);
    if (x > 20.0) {
        double complex e = cexp(-2.0 * z);
        return (1.0 + e) / (1.0 - e);
    }
    if (x < -20.0) {
        double complex e = cexp(2.0 * z);
        return -(1.0 + e) / (1.0 - e);
    }
    return ccosh(z) / csinh(z);
}

static double complex c_csch(double complex z)
{
    double x = creal(z);
    if (x > 20.0) {
        double complex e = cexp(-z);
        return 2.0 * e / (1.0 - e * e);
    }
    if (x < -20.0) {
        double complex e = cexp(z);
        return -2.0 * e / (1.0 - e * e);
    }
    return 1.0 / csinh(z);
}

static double complex c_tanh(double complex z)
{
    double x = creal(z);
    if (x > 20.0) {
        double complex e = cexp(-2.0 * z);
        return (1.0 - e) / (1.0 + e);
    }
    if (x < -20.0) {
        double complex e = cexp(2.0 * z);
        return -(1.0 - e) / (1.0 + e);
    }
    return csinh(z) / ccosh(z);
}

static double complex c_sech(double complex z)
{
    double x = creal(z);
    if (x > 20.0) {
        double complex e = cexp(-z);
        return 2.0 * e / (1.0 + e * e);
    }
    if (x < -20.0) {
        double complex e = cexp(z);
        return 2.0 * e / (1.0 + e * e);
    }
    return 1.0 / ccosh(z);
}

/* (j x)^a for x > 0: x^a (cos(a pi/2) + j sin(a pi/2)); log(j x) = ln x + j pi/2. */
static double complex jpow(double x, double a)
{
    double m = pow(x, a);
    return CMPLX(m * cos(a * PI_ / 2.0), m * sin(a * PI_ / 2.0));
}

static double complex jlog(double x) { return CMPLX(log(x), PI_ / 2.0); }

/* Elements without hand-written derivatives. */
static double complex eval_plain(int type, const double *p, double w)
{
    switch (type) {
    case SSBI_EL_GS: {
        double complex s = csqrt(CMPLX(1.0, w * p[1]));
        return p[0] / (s * c_tanh(p[2] * s));
    }
    case SSBI_EL_TLMQ: {
        double complex zs = 1.0 / (p[1] * jpow(w, p[2]));
        return csqrt(p[0] * zs) * c_coth(csqrt(p[0] / zs));
    }
    case SSBI_EL_T: {
        double complex b = csqrt(CMPLX(p[2], w * p[3]));
        return p[0] * c_coth(b) / b + p[1] * c_csch(b) / b;
    }
    case SSBI_EL_TLM: {
        double r1 = p[0], r2 = p[1], rs = r1 + r2;
        double complex y = p[3] * jpow(w, p[4]);
        if (p[2] > 0.0) y += 1.0 / p[2];
        double complex zint = 1.0 / y;
        if (rs == 0.0) return zint;
        double complex nu = csqrt(rs / zint);
        double complex a = r1 * r2 / rs * (1.0 + 2.0 * c_csch(nu) / nu);
        double complex b = (r1 * r1 + r2 * r2) / rs * c_coth(nu) / nu;
        return a + b;
    }
    default:
        return NAN;
    }
}

void ssbi_eis_element_eval(int type, const double *p, double w, double complex *z, double complex *dz)
{
    switch (type) {
    case SSBI_EL_R:
        *z = p[0];
        if (dz) dz[0] = 1.0;
        return;
    case SSBI_EL_C: {
        /* 1/(j w C) = -j / (w C) */
        *z = CMPLX(0.0, -1.0 / (w * p[0]));
        if (dz) dz[0] = CMPLX(0.0, 1.0 / (w * p[0] * p[0]));
        return;
    }
    case SSBI_EL_L:
        *z = CMPLX(0.0, w * p[0]);
        if (dz) dz[0] = CMPLX(0.0, w);
        return;
    case SSBI_EL_CPE: {
        double complex jw = jpow(w, p[1]);
        double complex zz = 1.0 / (p[0] * jw);
        *z = zz;
        if (dz) {
            dz[0] = -1.0 / (p[0] * p[0] * jw);
            dz[1] = -zz * jlog(w);
        }
        return;
    }
    case SSBI_EL_W: {
        double complex u = CMPLX(1.0, -1.0) / sqrt(w);
        *z = p[0] * u;
        if (dz) dz[0] = u;
        return;
    }
    case SSBI_EL_WO:
    case SSBI_EL_WS: {
        double complex s = csqrt(CMPLX(0.0, w * p[1]));
        if (type == SSBI_EL_WO) {
            double complex ct = c_coth(s);
            double complex g = ct / s;
            *z = p[0] * g;
            if (dz) {
                double complex cs = c_csch(s);
                dz[0] = g;
                /* d/dtau [coth(s)/s], s = sqrt(j w tau): (ds/dtau = s / (2 tau)) */
                dz[1] = p[0] / (2.0 * p[1]) * (-cs * cs - ct / s);
            }
        } else {
            double complex th = c_tanh(s);
            double complex g = th / s;
            *z = p[0] * g;
            if (dz) {
                double complex se = c_sech(s);
                dz[0] = g;
                dz[1] = p[0] / (2.0 * p[1]) * (se * se - th / s);
            }
        }
        return;
    }
    case SSBI_EL_G: {
        double complex q = CMPLX(1.0, w * p[1]);
        double complex u = 1.0 / csqrt(q);
        *z = p[0] * u;
        if (dz) {
            dz[0] = u;
            dz[1] = -p[0] * u / q * CMPLX(0.0, w / 2.0);
        }
        return;
    }
    case SSBI_EL_LA: {
        /* (j w L)^alpha */
        double complex zz = jpow(w * p[0], p[1]);
        *z = zz;
        if (dz) {
            dz[0] = p[1] * zz / p[0];
            dz[1] = zz * jlog(w * p[0]);
        }
        return;
    }
    case SSBI_EL_K: {
        double complex q = CMPLX(1.0, w * p[1]);
        *z = p[0] / q;
        if (dz) {
            dz[0] = 1.0 / q;
            dz[1] = -p[0] * CMPLX(0.0, w) / (q * q);
        }
        return;
    }
    case SSBI_EL_ZARC: {
        double complex u = jpow(w * p[1], p[2]);
        double complex q = 1.0 + u;
        *z = p[0] / q;
        if (dz) {
            dz[0] = 1.0 / q;
            dz[1] = -p[0] / (q * q) * p[2] * u / p[1];
            dz[2] = -p[0] / (q * q) * u * jlog(w * p[1]);
        }
        return;
    }
    default: {
        const ssbi_eis_elinfo *info = ssbi_eis_element_info(type);
        *z = eval_plain(type, p, w);
        if (dz && info) {
            double q[SSBI_EIS_MAXP];
            for (int k = 0; k < info->np; k++) q[k] = p[k];
            for (int k = 0; k < info->np; k++) {
                /* central difference, relative step ~ eps^(1/3) */
                double h = 6.0554544523933395e-06 * (fabs(p[k]) > 1e-300 ? fabs(p[k]) : 1.0);
                q[k] = p[k] + h;
                double complex zp = eval_plain(type, q, w);
                q[k] = p[k] - h;
                double complex zm = eval_plain(type, q, w);
                q[k] = p[k];
                dz[k] = (zp - zm) / (2.0 * h);
            }
        }
        return;
    }
    }
}
