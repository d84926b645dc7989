/* The P2D model: finite-volume discretisation, DAE residual, analytic sparse Jacobian, post-processing. */
#include "cell_model_inl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- shared kinetics */

typedef struct {
    double cs;     /* surface concentration */
    double dcs_dc; /* d cs / d c_last */
    double dcs_dj; /* d cs / d j */
} surf_t;

/* Surface concentration from the outermost shell value and the reaction current: the flux through the half shell
   between the outermost centre and the surface (width h = rs R) is j / F = -(1 / h) int_{c_last}^{c_s} D(c) dc
   (Kirchhoff transform: the steady flux through a layer with a concentration-dependent D; with a constant D it is
   c_s = c_last - j h / (F D)). A D(x) evaluated at c_last alone, c_s = c_last - j h / (F D(c_last)), makes
   d c_s / d c_last = 1 + j h D' / (F c_max D^2) negative when D falls steeply towards the surface: with the measured
   NCM D(x) (20x over 0.06 in x) at 1C, -23 in the failing Minnmann 61 vol% cell (a fuller interior gave an emptier
   surface, and IDA failed). The integral is taken exactly over the piecewise-linear interpolant D_h of D(x) on the
   grid x = k / SSBI_DGRID (the database curves' sampling, cell_json.c; held at the end values outside [0, 1]), so
   that d c_s / d c_last = D_h(c_last) / D_h(c_s) > 0 and d c_s / d j = -h / (F D_h(c_s)) hold exactly. */

/* D_h at theta in [0, 1] (g->dgrid: D_s on the grid, filled once by ssbi_model_create) */
static double dlin(const ssbi_region *g, double th)
{
    int k = (int)(th * SSBI_DGRID);
    k = k < 0 ? 0 : (k > SSBI_DGRID - 1 ? SSBI_DGRID - 1 : k);
    double t = th * SSBI_DGRID - k;
    return (1.0 - t) * g->dgrid[k] + t * g->dgrid[k + 1];
}

/* int_{ta}^{tb} D_h dtheta, ta <= tb (trapezoids between the grid points are exact for D_h) */
static double dint(const ssbi_region *g, double ta, double tb)
{
    double s = 0;
    if (ta < 0) {
        double e = fmin(tb, 0.0);
        s += (e - ta) * g->dgrid[0];
        ta = e;
    }
    if (tb > 1) {
        double e = fmax(ta, 1.0);
        s += (tb - e) * g->dgrid[SSBI_DGRID];
        tb = e;
    }
    if (!(ta < tb))
        return s;
    double x = ta, D = dlin(g, ta);
    for (int k = (int)(ta * SSBI_DGRID) + 1; k < SSBI_DGRID && (double)k / SSBI_DGRID < tb; k++) {
        double xk = (double)k / SSBI_DGRID, Dk = g->dgrid[k];
        s += 0.5 * (D + Dk) * (xk - x);
        x = xk;
        D = Dk;
    }
    return s + 0.5 * (D + dlin(g, tb)) * (tb - x);
}

/* G(c_s) = int_{c_last}^{c_s} D_h dc + q, increasing in c_s; slopes dG/dc_s = D_h(c_s), dG/dc_last = -D_h(c_last) */
static double kirchhoff_g(const ssbi_region *g, double cl, double cs, double q, double *g_cs, double *g_cl)
{
    double cm = g->c_max, tl = cl / cm, ts = cs / cm;
    *g_cs = dlin(g, ts < 0 ? 0 : (ts > 1 ? 1 : ts));
    *g_cl = -dlin(g, tl < 0 ? 0 : (tl > 1 ? 1 : tl));
    double I = ts >= tl ? dint(g, tl, ts) : -dint(g, ts, tl);
    return cm * I + q;
}

/* j: the reaction current per active interface area; the particle's surface flux is jscale j / F (as in its last
   shell's balance: the active area's current spread over the whole particle surface) */
static inline surf_t surface(const ssbi_region *g, double clast, double ja, double rs)
{
    surf_t s;
    double j = g->jscale * ja, h = rs * g->R, dD;
    double D = dsol(g, clast / g->c_max, &dD);
    s.cs = clast - j / F_ * h / D;
    s.dcs_dc = 1.0;
    s.dcs_dj = -g->jscale * h / (F_ * D);
    if (!g->ds || j == 0.0 || !isfinite(s.cs))
        return s;
    /* safeguarded Newton on G(c_s) = int_{c_last}^{c_s} D dc + j h / F, increasing in c_s (D > 0), from the
       c_last-evaluated estimate; [a, b] brackets the root (G(a) < 0 < G(b); G(c_last) = j h / F) */
    double q = j * h / F_, gs, gl, c = s.cs;
    double a = q < 0 ? clast : -INFINITY, b = q < 0 ? INFINITY : clast;
    double gc = kirchhoff_g(g, clast, c, q, &gs, &gl);
    for (int it = 0; it < 200 && fabs(gc) > 1e-13 * fabs(q); it++) {
        if (gc < 0)
            a = c;
        else
            b = c;
        double cn = gs > 0 ? c - gc / gs : NAN;
        if (!(cn > a && cn < b)) /* outside the bracket: bisect, or step away from c_last while it is open */
            cn = isfinite(a) && isfinite(b) ? 0.5 * (a + b) : (isfinite(a) ? 2.0 * a - clast : 2.0 * b - clast);
        if (cn == c)
            break;
        c = cn;
        gc = kirchhoff_g(g, clast, c, q, &gs, &gl);
    }
    s.cs = c;
    s.dcs_dc = -gl / gs;
    s.dcs_dj = -g->jscale * (h / F_) / gs;
    return s;
}

double ssbi_model_csurf(const ssbi_model *m, const double *y, int i)
{
    if (!is_elec(m, i))
        return NAN;
    surf_t s = surface(REG(m, i), y[I_CS(m, i, m->nr - 1)], y[I_J(m, i)], m->rsurf);
    return s.cs;
}

double ssbi_model_cavg(const ssbi_model *m, const double *y, int i)
{
    if (!is_elec(m, i))
        return NAN;
    double s = 0;
    for (int k = 0; k < m->nr; k++)
        s += m->rvol[k] * y[I_CS(m, i, k)];
    return 3.0 * s; /* rvol sums to 1/3 */
}

/* Kinetic residual pieces. Returns 0, or 1 for a non-finite surface stoichiometry or (liquid) c_e <= 0. */
typedef struct {
    double r; /* residual */
    double dphis, dphie, dj, dclast, dce;
    double eta, U, i0;
} kin_t;

static inline int kinetics(const ssbi_model *m, const ssbi_region *g, double clast, double phis, double phie, double j,
                           double ce, kin_t *k)
{
    surf_t s = surface(g, clast, j, m->rsurf);
    double th = s.cs / g->c_max;
    if (!isfinite(th))
        return 1;
    double dU;
    double U = ocv(g, th, &dU);
    /* Butler-Volmer j = A exp(alpha f eta) - C exp(-alpha f eta), A = C = i0 inside the limits (j = 2 i0 sinh). Beyond
       a limit only the branch that would move the surface further out meets the barrier of kin_q; the branch that
       brings it back keeps the floor value, so a surface left a hair beyond its limit at the end of a discharge can
       be charged again (and vice versa). */
    double dq, q = kin_q(th, &dq);
    double qa = q, dqa = dq, qc = q, dqc = dq;
    if (th > 1.0)
        qa = kin_q_back(th, &dqa); /* anodic (emptying) branch of a too-full surface */
    else if (th < 0.0)
        qc = kin_q_back(th, &dqc); /* cathodic (filling) branch of a too-empty surface */
    double cef = 1.0, dcef = 0.0;
    if (m->liquid) {
        if (!(ce > 0))
            return 1;
        cef = sqrt(ce / m->c_ref);
        dcef = 0.5 * cef / ce;
    }
    double sa = sqrt(qa), sc = sqrt(qc);
    double A = g->i0_ref * 2.0 * sa * cef, C = g->i0_ref * 2.0 * sc * cef;
    double dA_dth = g->i0_ref * dqa / sa * cef, dC_dth = g->i0_ref * dqc / sc * cef;
    double af = g->alpha * m->f;
    double S = sqrt(j * j + 4.0 * A * C);
    /* e^x = (j + S) / (2 A) = 2 C / (S - j), x = alpha f eta; the form without cancellation for each sign of j */
    double ex = j >= 0 ? (j + S) / (2.0 * A) : 2.0 * C / (S - j);
    double emx = j >= 0 ? 2.0 * A / (j + S) : (S - j) / (2.0 * C);
    double eta = log(ex) / af;
    double deta_dj = 1.0 / (af * S);
    double deta_dA = -ex / (af * S), deta_dC = emx / (af * S);
    k->r = phis - phie - U - j * g->R_film - eta;
    double dr_dth = -dU - (deta_dA * dA_dth + deta_dC * dC_dth);
    k->dphis = 1.0;
    k->dphie = -1.0;
    k->dj = -g->R_film - deta_dj + dr_dth * s.dcs_dj / g->c_max;
    k->dclast = dr_dth * s.dcs_dc / g->c_max;
    k->dce = m->liquid ? -(deta_dA * A + deta_dC * C) / cef * dcef : 0.0;
    k->eta = eta;
    k->U = U;
    k->i0 = sqrt(A * C);
    return 0;
}

/* Li-metal interface: residual -phie0 - I R - eta(I) */
typedef struct {
    double r, dphie0, dI, dce, eta;
} li_t;

static inline int li_kin(const ssbi_model *m, double phie0, double I, double ce, li_t *k)
{
    double cef = 1.0, dcef = 0.0;
    if (m->liquid) {
        if (!(ce > 0))
            return 1;
        cef = sqrt(ce / m->c_ref);
        dcef = 0.5 * cef / ce;
    }
    double i0 = m->i0_li * cef;
    double af = m->alpha_li * m->f;
    double root = sqrt(I * I + 4.0 * i0 * i0);
    double eta = asinh(I / (2.0 * i0)) / af;
    k->r = -phie0 - I * m->R_li - eta;
    k->dphie0 = -1.0;
    k->dI = -m->R_li - 1.0 / (af * root);
    k->dce = m->liquid ? (I / (af * i0 * root)) * m->i0_li * dcef : 0.0;
    k->eta = eta;
    return 0;
}

/* Electrolyte face between CV i and i+1 (conductance, flux and derivatives). */
typedef struct {
    double G;                 /* conductance [S/m2] */
    double i;                 /* current density +x */
    double di_dpl, di_dpr;    /* d i / d phie_left, right */
    double di_dcl, di_dcr;    /* liquid: d i / d c_left, right */
    double N, dN_dcl, dN_dcr; /* liquid: salt flux +x, diffusion and migration -(1 - t+) i / F */
    double dN_dpl, dN_dpr;    /* liquid: d N / d phie_left, right */
} eface_t;

static inline double keff(const ssbi_model *m, int i, double c, double *dk)
{
    const ssbi_region *g = REG(m, i);
    if (!m->liquid) {
        *dk = 0;
        return g->sigma_i;
    }
    double d, k = kap(m, c, &d) * g->te;
    *dk = d * g->te;
    return k;
}

static inline double deff(const ssbi_model *m, int i, double c, double *dd)
{
    const ssbi_region *g = REG(m, i);
    double d, D = dif(m, c, &d) * g->te;
    *dd = d * g->te;
    return D;
}

static inline void eface(const ssbi_model *m, const double *y, int i, eface_t *f)
{
    int l = i, r = i + 1;
    double dxl = REG(m, l)->dx, dxr = REG(m, r)->dx;
    double cl = m->liquid ? y[I_CE(m, l)] : 0, cr = m->liquid ? y[I_CE(m, r)] : 0;
    double dkl, dkr;
    double kl = keff(m, l, cl, &dkl), kr = keff(m, r, cr, &dkr);
    double rho = 0.5 * dxl / kl + 0.5 * dxr / kr;
    double G = 1.0 / rho;
    double dphi = y[I_PE(m, l)] - y[I_PE(m, r)];
    f->G = G;
    f->di_dpl = G;
    f->di_dpr = -G;
    if (!m->liquid) {
        f->i = G * dphi;
        f->di_dcl = f->di_dcr = 0;
        f->N = f->dN_dcl = f->dN_dcr = f->dN_dpl = f->dN_dpr = 0;
        return;
    }
    double cm = 0.5 * (cl + cr), dt, dtp;
    double tp = tpl(m, cm, &dtp);
    double nu0 = 2.0 / m->f * (1.0 - tp);
    double th = tdf(m, cm, &dt);
    double nu = nu0 * th;
    double dnu = 0.5 * 2.0 / m->f * ((1.0 - tp) * dt - dtp * th); /* d nu / d c_left = d nu / d c_right */
    double dln = log(cr) - log(cl);
    double X = dphi + nu * dln;
    f->i = G * X;
    double dG_dcl = G * G * 0.5 * dxl / (kl * kl) * dkl;
    double dG_dcr = G * G * 0.5 * dxr / (kr * kr) * dkr;
    f->di_dcl = dG_dcl * X + G * (dnu * dln - nu / cl);
    f->di_dcr = dG_dcr * X + G * (dnu * dln + nu / cr);
    double ddl, ddr;
    double Dl = deff(m, l, cl, &ddl), Dr = deff(m, r, cr, &ddr);
    double rh = 0.5 * dxl / Dl + 0.5 * dxr / Dr;
    double H = 1.0 / rh;
    double dH_dcl = H * H * 0.5 * dxl / (Dl * Dl) * ddl;
    double dH_dcr = H * H * 0.5 * dxr / (Dr * Dr) * ddr;
    /* salt flux = anion flux (the anion does not react): diffusion and migration -(1 - t+) i / F at the face,
       conservative for a t+ that varies with c (the divergence gives (1 - t+) a j / F + i grad(1 - t+) / F); for a
       constant t+ it is the reaction source (1 - t+) a j / F through the charge balance */
    double tm = -(1.0 - tp) / F_;
    f->N = -H * (cr - cl) + tm * f->i;
    f->dN_dcl = H - dH_dcl * (cr - cl) + tm * f->di_dcl + 0.5 * dtp / F_ * f->i;
    f->dN_dcr = -H - dH_dcr * (cr - cl) + tm * f->di_dcr + 0.5 * dtp / F_ * f->i;
    f->dN_dpl = tm * f->di_dpl;
    f->dN_dpr = tm * f->di_dpr;
}

static inline int last_pos(const ssbi_model *m)
{
    return m->ncv - 1;
}

/* Effective electronic conductivity of CV i [S/m]: the region's constant, or (state-dependent sigma_e, issue 14)
 * sige_fac * sigma_e(theta_avg of the CV's particles). The Jacobian treats it as frozen in the concentrations
 * (its weak dependence on c is left out; IDA's Newton iteration converges on the exact residual). */
static inline double sig_cv(const ssbi_model *m, const ssbi_region *g, const double *y, int i)
{
    if (!g->sige)
        return g->sigma_e;
    return g->sige_fac * ssbi_fn_eval(g->sige, ssbi_model_cavg(m, y, i) / g->c_max, NULL);
}

/* Conductance of the face between CVs i and i + 1 [S/m2] (harmonic mean of the two CVs). */
static inline double sig_face(const ssbi_model *m, const ssbi_region *g, const double *y, int i)
{
    if (!g->sige)
        return g->sigma_e / g->dx;
    double a = sig_cv(m, g, y, i), b = sig_cv(m, g, y, i + 1);
    return 2.0 * a * b / ((a + b) * g->dx);
}

double ssbi_model_voltage(const ssbi_model *m, const double *y)
{
    int i = last_pos(m);
    const ssbi_region *g = REG(m, i);
    double I = y[m->i_I];
    return y[I_PS(m, i)] - I * 0.5 * g->dx / sig_cv(m, g, y, i) - I * m->R_contact;
}

static inline double dV_dI(const ssbi_model *m, const double *y)
{
    int i = last_pos(m);
    const ssbi_region *g = REG(m, i);
    return -0.5 * g->dx / sig_cv(m, g, y, i) - m->R_contact;
}

/* ---------------------------------------------------------------- residual */

/* The current or voltage set-point v at the residual's time, on the mode's ramp while one is active (ssbi_mode). */
static double ramped(const ssbi_mode *md, double v)
{
    if (!(md->ramp_t1 > md->ramp_t0) || md->t_res >= md->ramp_t1)
        return v;
    double f = fmax(0.0, md->t_res - md->ramp_t0) / (md->ramp_t1 - md->ramp_t0);
    return md->ramp_from + (v - md->ramp_from) * f;
}

int ssbi_model_residual(ssbi_model *m, const double *y, const double *yp, double *res)
{
    const int nr = m->nr, n = m->ncv;
    const int liq = m->liquid;
    double I = y[m->i_I];
    for (long k = 0; k < m->N; k++)
        res[k] = 0.0;
    /* particles and kinetics */
    for (int i = 0; i < n; i++) {
        if (!is_elec(m, i))
            continue;
        const ssbi_region *g = REG(m, i);
        const double *c = y + I_CS(m, i, 0);
        const double *cp = yp + I_CS(m, i, 0);
        double *rc = res + I_CS(m, i, 0);
        double R = g->R, cm = g->c_max;
        double jj = y[I_J(m, i)];
        const double *iv = g->ivol, *ga = g->garea;
        double qin = 0.0;
        if (!g->ds) {
            double D = g->D_ref;
            for (int k = 0; k < nr - 1; k++) {
                double qout = -D * ga[k] * (c[k + 1] - c[k]);
                rc[k] = cp[k] - (qin - qout) * iv[k];
                qin = qout;
            }
        } else {
            for (int k = 0; k < nr - 1; k++) {
                double dD;
                double D = dsol(g, 0.5 * (c[k] + c[k + 1]) / cm, &dD);
                double qout = -D * ga[k] * (c[k + 1] - c[k]);
                rc[k] = cp[k] - (qin - qout) * iv[k];
                qin = qout;
            }
        }
        rc[nr - 1] = cp[nr - 1] - (qin - R * R * g->jscale * jj / F_) * iv[nr - 1];
        kin_t kk;
        double ce = liq ? y[I_CE(m, i)] : 0;
        if (kinetics(m, g, c[nr - 1], y[I_PS(m, i)], y[I_PE(m, i)], jj, ce, &kk))
            return 1;
        res[I_J(m, i)] = kk.r;
        double src = g->a * jj * g->dx;
        res[I_PS(m, i)] -= src;
        res[I_PE(m, i)] += src;
        if (liq)
            res[I_CE(m, i)] += g->eps_e * g->dx * yp[I_CE(m, i)]; /* its source: the face migration fluxes */
    }
    /* separator storage */
    if (liq)
        for (int i = 0; i < n; i++)
            if (!is_elec(m, i)) {
                if (!(y[I_CE(m, i)] > 0))
                    return 1;
                res[I_CE(m, i)] += REG(m, i)->eps_e * REG(m, i)->dx * yp[I_CE(m, i)];
            }
    /* electrolyte faces */
    for (int i = 0; i + 1 < n; i++) {
        eface_t f;
        if (liq && !(y[I_CE(m, i)] > 0 && y[I_CE(m, i + 1)] > 0))
            return 1;
        eface(m, y, i, &f);
        res[I_PE(m, i)] -= f.i;
        res[I_PE(m, i + 1)] += f.i;
        if (liq) {
            res[I_CE(m, i)] += f.N;
            res[I_CE(m, i + 1)] -= f.N;
        }
    }
    /* electrolyte left boundary */
    if (m->limetal) {
        int i = 0;
        const ssbi_region *g = REG(m, i);
        double ce = liq ? y[I_CE(m, i)] : 0, dk;
        double G0 = 2.0 * keff(m, i, ce, &dk) / g->dx;
        double il = G0 * (y[m->i_phie0] - y[I_PE(m, i)]);
        res[I_PE(m, i)] += il;
        /* liquid: no salt flux through the foil (the anion does not react there); the cations the foil releases
           enter the salt balance through the migration flux of the first face */
        li_t lk;
        if (li_kin(m, y[m->i_phie0], I, ce, &lk))
            return 1;
        res[m->i_phie0] = lk.r;
    }
    /* solid faces */
    for (int r = 0; r < 3; r++) {
        const ssbi_region *g = &m->reg[r];
        if (r == SSBI_REG_SEP || !g->present)
            continue;
        for (int i = g->first; i + 1 < g->first + g->n; i++) {
            double is = sig_face(m, g, y, i) * (y[I_PS(m, i)] - y[I_PS(m, i + 1)]);
            res[I_PS(m, i)] -= is;
            res[I_PS(m, i + 1)] += is;
        }
        if (r == SSBI_REG_POS)
            res[I_PS(m, g->first + g->n - 1)] -= I;
        else {
            double S = sig_cv(m, g, y, g->first) / g->dx;
            double is = 2.0 * S * (0.0 - y[I_PS(m, g->first)]);
            res[I_PS(m, g->first)] += is;
        }
    }
    /* operating mode, charge and energy */
    double V = ssbi_model_voltage(m, y);
    switch (m->mode.kind) {
    case SSB_CELL_STEP_VOLTAGE:
        res[m->i_I] = V - ramped(&m->mode, m->mode.value);
        break;
    case SSB_CELL_STEP_POWER:
        res[m->i_I] = I * V - m->mode.value;
        break;
    case SSB_CELL_STEP_RESISTANCE:
        res[m->i_I] = V - I * m->mode.value;
        break;
    case SSB_CELL_STEP_REST:
        res[m->i_I] = I - ramped(&m->mode, 0.0);
        break;
    default:
        res[m->i_I] = I - ramped(&m->mode, m->mode.value);
        break;
    }
    res[m->i_Q] = yp[m->i_Q] - I;
    res[m->i_E] = yp[m->i_E] - I * V;
    return 0;
}

/* ---------------------------------------------------------------- Jacobian */

static int pat_add(ssbi_model *m, long r, long c)
{
    if (m->npat == m->cappat) {
        long nc = m->cappat ? 2 * m->cappat : 4096;
        long *np = realloc(m->pat, (size_t)nc * 2 * sizeof *np);
        if (!np)
            return -1;
        m->pat = np;
        m->cappat = nc;
    }
    m->pat[2 * m->npat] = r;
    m->pat[2 * m->npat + 1] = c;
    m->npat++;
    return 0;
}

/* Jacobian entry sink. pattern_pass 1: record (row, col); 2: record the CSC position of each call in order;
   0: add the value at the recorded position of this call (the calls come in the same order every time). */
static inline void J(ssbi_model *m, long r, long c, double v)
{
    if (m->pattern_pass == 0) {
        m->jdata[m->jseq[m->jcall++]] += v;
        return;
    }
    if (m->pattern_pass == 1) {
        if (pat_add(m, r, c))
            m->bad_state = -1;
        return;
    }
    long lo = m->colptr[c], hi = m->colptr[c + 1] - 1;
    const long *ri = m->rowind;
    while (lo < hi) {
        long mid = (lo + hi) >> 1;
        if (ri[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (m->jcall == m->njseq) {
        long nc = m->njseq ? 2 * m->njseq : 4096;
        long *ns = realloc(m->jseq, (size_t)nc * sizeof *ns);
        if (!ns) {
            m->bad_state = -1;
            return;
        }
        m->jseq = ns;
        m->njseq = nc;
    }
    m->jseq[m->jcall++] = lo;
}

/* Long (about 160 lines) on purpose: the analytic Jacobian row by row in the same order as the residual
 * (ssbi_model_residual), so that each entry can be read against the equation it differentiates. */
int ssbi_model_jacobian(ssbi_model *m, const double *y, double cj, double *values)
{
    const int nr = m->nr, n = m->ncv;
    const int liq = m->liquid;
    double I = y[m->i_I];
    m->jdata = values; /* zeroed by the caller (IDA zeroes its matrix before each evaluation) */
    m->jcall = 0;
    for (int i = 0; i < n; i++) {
        if (!is_elec(m, i))
            continue;
        const ssbi_region *g = REG(m, i);
        const double *c = y + I_CS(m, i, 0);
        long o = I_CS(m, i, 0);
        double R = g->R, cm = g->c_max;
        long ij = I_J(m, i);
        /* particle rows */
        for (int k = 0; k < nr; k++)
            J(m, o + k, o + k, cj);
        for (int k = 0; k < nr - 1; k++) {
            double dD;
            double D = dsol(g, 0.5 * (c[k] + c[k + 1]) / cm, &dD);
            double A = g->garea[k];
            /* qout_k = -D A (c_{k+1} - c_k); derivatives */
            double dq_dck = D * A - dD * 0.5 / cm * A * (c[k + 1] - c[k]);
            double dq_dck1 = -D * A - dD * 0.5 / cm * A * (c[k + 1] - c[k]);
            double wk = g->ivol[k], wk1 = g->ivol[k + 1];
            /* res_k += qout / V_k ; res_{k+1} -= qout / V_{k+1} */
            J(m, o + k, o + k, dq_dck * wk);
            J(m, o + k, o + k + 1, dq_dck1 * wk);
            J(m, o + k + 1, o + k, -dq_dck * wk1);
            J(m, o + k + 1, o + k + 1, -dq_dck1 * wk1);
        }
        J(m, o + nr - 1, ij, R * R * g->jscale / F_ / (R * R * R * m->rvol[nr - 1]));
        /* kinetics row */
        kin_t kk;
        double ce = liq ? y[I_CE(m, i)] : 0;
        if (kinetics(m, g, c[nr - 1], y[I_PS(m, i)], y[I_PE(m, i)], y[ij], ce, &kk)) {
            if (!m->pattern_pass)
                return 1;
            memset(&kk, 0, sizeof kk);
        }
        J(m, ij, o + nr - 1, kk.dclast);
        J(m, ij, I_PS(m, i), kk.dphis);
        J(m, ij, I_PE(m, i), kk.dphie);
        J(m, ij, ij, kk.dj);
        if (liq)
            J(m, ij, I_CE(m, i), kk.dce);
        /* sources */
        double sa = g->a * g->dx;
        J(m, I_PS(m, i), ij, -sa);
        J(m, I_PE(m, i), ij, sa);
        if (liq)
            J(m, I_CE(m, i), I_CE(m, i), g->eps_e * g->dx * cj);
    }
    if (liq)
        for (int i = 0; i < n; i++)
            if (!is_elec(m, i))
                J(m, I_CE(m, i), I_CE(m, i), REG(m, i)->eps_e * REG(m, i)->dx * cj);
    for (int i = 0; i + 1 < n; i++) {
        eface_t f;
        if (liq && !(y[I_CE(m, i)] > 0 && y[I_CE(m, i + 1)] > 0)) {
            if (!m->pattern_pass)
                return 1;
        }
        if (liq && m->pattern_pass && !(y[I_CE(m, i)] > 0 && y[I_CE(m, i + 1)] > 0))
            memset(&f, 0, sizeof f);
        else
            eface(m, y, i, &f);
        long pl = I_PE(m, i), pr = I_PE(m, i + 1);
        J(m, pl, pl, -f.di_dpl);
        J(m, pl, pr, -f.di_dpr);
        J(m, pr, pl, f.di_dpl);
        J(m, pr, pr, f.di_dpr);
        if (liq) {
            long cl = I_CE(m, i), cr = I_CE(m, i + 1);
            J(m, pl, cl, -f.di_dcl);
            J(m, pl, cr, -f.di_dcr);
            J(m, pr, cl, f.di_dcl);
            J(m, pr, cr, f.di_dcr);
            J(m, cl, cl, f.dN_dcl);
            J(m, cl, cr, f.dN_dcr);
            J(m, cr, cl, -f.dN_dcl);
            J(m, cr, cr, -f.dN_dcr);
            J(m, cl, pl, f.dN_dpl);
            J(m, cl, pr, f.dN_dpr);
            J(m, cr, pl, -f.dN_dpl);
            J(m, cr, pr, -f.dN_dpr);
        }
    }
    if (m->limetal) {
        int i = 0;
        const ssbi_region *g = REG(m, i);
        double ce = liq ? y[I_CE(m, i)] : m->c_ref, dk;
        double k0 = keff(m, i, ce, &dk);
        double G0 = 2.0 * k0 / g->dx, dG0 = 2.0 * dk / g->dx;
        long pe = I_PE(m, i), p0 = m->i_phie0;
        J(m, pe, p0, G0);
        J(m, pe, pe, -G0);
        if (liq) {
            J(m, pe, I_CE(m, i), dG0 * (y[p0] - y[pe]));
        }
        li_t lk;
        if (li_kin(m, y[p0], I, ce, &lk)) {
            if (!m->pattern_pass)
                return 1;
            memset(&lk, 0, sizeof lk);
        }
        J(m, p0, p0, lk.dphie0);
        J(m, p0, m->i_I, lk.dI);
        if (liq)
            J(m, p0, I_CE(m, i), lk.dce);
    }
    for (int r = 0; r < 3; r++) {
        const ssbi_region *g = &m->reg[r];
        if (r == SSBI_REG_SEP || !g->present)
            continue;
        for (int i = g->first; i + 1 < g->first + g->n; i++) {
            long a = I_PS(m, i), b = I_PS(m, i + 1);
            double S = sig_face(m, g, y, i);
            J(m, a, a, -S);
            J(m, a, b, S);
            J(m, b, a, S);
            J(m, b, b, -S);
        }
        if (r == SSBI_REG_POS)
            J(m, I_PS(m, g->first + g->n - 1), m->i_I, -1.0);
        else
            J(m, I_PS(m, g->first), I_PS(m, g->first), -2.0 * sig_cv(m, g, y, g->first) / g->dx);
    }
    /* mode row: all structural entries always present */
    long ps = I_PS(m, last_pos(m));
    double V = ssbi_model_voltage(m, y), dVI = dV_dI(m, y);
    double rI = 0, rP = 0;
    switch (m->mode.kind) {
    case SSB_CELL_STEP_VOLTAGE:
        rI = dVI;
        rP = 1;
        break;
    case SSB_CELL_STEP_POWER:
        rI = V + I * dVI;
        rP = I;
        break;
    case SSB_CELL_STEP_RESISTANCE:
        rI = dVI - m->mode.value;
        rP = 1;
        break;
    default:
        rI = 1;
        rP = 0;
        break;
    }
    J(m, m->i_I, m->i_I, rI);
    J(m, m->i_I, ps, rP);
    J(m, m->i_Q, m->i_Q, cj);
    J(m, m->i_Q, m->i_I, -1.0);
    J(m, m->i_E, m->i_E, cj);
    J(m, m->i_E, m->i_I, -(V + I * dVI));
    J(m, m->i_E, ps, -I);
    return 0;
}

static int cmp_pair(const void *a, const void *b)
{
    const long *x = a, *y = b;
    if (x[1] != y[1])
        return x[1] < y[1] ? -1 : 1;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return 0;
}

int ssbi_model_pattern(ssb_ctx *ctx, ssbi_model *m, const double *y)
{
    m->pattern_pass = 1;
    m->npat = 0;
    m->bad_state = 0;
    ssbi_model_jacobian(m, y, 1.0, NULL);
    m->pattern_pass = 0;
    if (m->bad_state < 0)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (Jacobian pattern)");
    /* every diagonal entry (KLU wants a structurally non-singular matrix; cheap insurance) */
    for (long k = 0; k < m->N; k++)
        if (pat_add(m, k, k))
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (Jacobian pattern)");
    qsort(m->pat, (size_t)m->npat, 2 * sizeof(long), cmp_pair);
    free(m->colptr);
    free(m->rowind);
    m->colptr = calloc((size_t)m->N + 1, sizeof *m->colptr);
    m->rowind = malloc((size_t)m->npat * sizeof *m->rowind);
    if (!m->colptr || !m->rowind)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (Jacobian pattern)");
    long nnz = 0;
    for (long k = 0; k < m->npat; k++) {
        long r = m->pat[2 * k], c = m->pat[2 * k + 1];
        if (k > 0 && r == m->pat[2 * (k - 1)] && c == m->pat[2 * (k - 1) + 1])
            continue;
        m->rowind[nnz++] = r;
        m->colptr[c + 1]++;
    }
    for (long c = 0; c < m->N; c++)
        m->colptr[c + 1] += m->colptr[c];
    m->nnz = nnz;
    free(m->pat);
    m->pat = NULL;
    m->npat = m->cappat = 0;
    /* the CSC position of every Jacobian call, in call order */
    m->pattern_pass = 2;
    ssbi_model_jacobian(m, y, 1.0, NULL);
    m->pattern_pass = 0;
    if (m->bad_state < 0)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (Jacobian pattern)");
    return SSB_OK;
}

/* ---------------------------------------------------------------- post-processing */

double ssbi_model_theta_avg(const ssbi_model *m, const double *y, int r)
{
    const ssbi_region *g = &m->reg[r];
    if (!g->present || r == SSBI_REG_SEP)
        return NAN;
    double s = 0;
    for (int i = g->first; i < g->first + g->n; i++)
        s += ssbi_model_cavg(m, y, i);
    return s / (g->n * g->c_max);
}

double ssbi_model_ocv(const ssbi_model *m, const double *y)
{
    double Up = ocv(&m->reg[SSBI_REG_POS], ssbi_model_theta_avg(m, y, SSBI_REG_POS), NULL);
    double Un = m->limetal ? 0.0 : ocv(&m->reg[SSBI_REG_NEG], ssbi_model_theta_avg(m, y, SSBI_REG_NEG), NULL);
    return Up - Un;
}

double ssbi_model_lithium(const ssbi_model *m, const double *y, int r)
{
    const ssbi_region *g = &m->reg[r];
    if (!g->present || r == SSBI_REG_SEP)
        return NAN;
    double s = 0;
    for (int i = g->first; i < g->first + g->n; i++)
        s += ssbi_model_cavg(m, y, i);
    return s * g->dx * g->eps_s;
}

double ssbi_model_sto_margin(const ssbi_model *m, const double *y, double *th_min, double *th_max, int *side)
{
    double lo = 2, hi = -1, margin = 1;
    int sd = -1;
    for (int r = 0; r < 3; r++) {
        const ssbi_region *g = &m->reg[r];
        if (r == SSBI_REG_SEP || !g->present)
            continue;
        /* an electrode is exhausted when the surfaces of all its particles are at a limit: the largest margin
           over its CVs (the surface furthest from its limit, where the reaction can still go) */
        double rmax = -1;
        for (int i = g->first; i < g->first + g->n; i++) {
            double th = ssbi_model_csurf(m, y, i) / g->c_max;
            lo = fmin(lo, th);
            hi = fmax(hi, th);
            rmax = fmax(rmax, fmin(th, 1.0 - th));
        }
        if (rmax < margin) {
            margin = rmax;
            sd = r == SSBI_REG_POS ? 1 : 0;
        }
    }
    if (th_min)
        *th_min = lo;
    if (th_max)
        *th_max = hi;
    if (side)
        *side = sd;
    return margin;
}

/* distance of CV i's particle surface from the limit it is driven to */
static double sat_dist(const ssbi_model *m, const double *y, int i, int full)
{
    double th = ssbi_model_csurf(m, y, i) / REG(m, i)->c_max;
    return full ? 1.0 - th : th;
}

int ssbi_model_saturated_zone(const ssbi_model *m, const double *y, double near, int *a, int *b, int *best, int *full)
{
    double I = y[m->i_I], dbest = near;
    int ib = -1, fb = 0;
    for (int i = 0; fabs(I) > 0 && i < m->ncv; i++) {
        if (!is_elec(m, i))
            continue;
        /* a discharge (I > 0) fills the positive and empties the negative electrode, a charge the reverse */
        int fills = (m->cv_reg[i] == SSBI_REG_POS) == (I > 0);
        double d = sat_dist(m, y, i, fills);
        if (d < dbest) {
            dbest = d;
            ib = i;
            fb = fills;
        }
    }
    if (ib < 0)
        return 0;
    int lo = ib, hi = ib;
    while (lo > 0 && m->cv_reg[lo - 1] == m->cv_reg[ib] && sat_dist(m, y, lo - 1, fb) < near)
        lo--;
    while (hi + 1 < m->ncv && m->cv_reg[hi + 1] == m->cv_reg[ib] && sat_dist(m, y, hi + 1, fb) < near)
        hi++;
    *a = lo;
    *b = hi;
    *best = ib;
    *full = fb;
    return 1;
}

double ssbi_model_phi_vs_li(const ssbi_model *m, const double *y, int i)
{
    return is_elec(m, i) ? y[I_PS(m, i)] - y[I_PE(m, i)] : NAN;
}

double ssbi_model_ce(const ssbi_model *m, const double *y, int i)
{
    return m->liquid ? y[I_CE(m, i)] : m->c_ref;
}

double ssbi_model_ce_min(const ssbi_model *m, const double *y, int *icv)
{
    double cmin = INFINITY;
    int imin = -1;
    for (int i = 0; m->liquid && i < m->ncv; i++) {
        double c = y[I_CE(m, i)];
        if (!(c >= cmin)) { /* also takes a NaN, so that it is seen */
            cmin = c;
            imin = i;
        }
    }
    if (icv)
        *icv = imin;
    return m->liquid ? cmin : m->c_ref;
}

/* Electrolyte current at every face (n+1 faces: 0 = left boundary). */
static void ie_faces(const ssbi_model *m, const double *y, double *ie, double *G)
{
    int n = m->ncv;
    double I = y[m->i_I];
    ie[0] = m->limetal ? I : 0.0;
    if (G)
        G[0] = 0;
    if (m->limetal && G) {
        double dk, ce = m->liquid ? y[I_CE(m, 0)] : 0;
        G[0] = 2.0 * keff(m, 0, ce, &dk) / REG(m, 0)->dx;
    }
    for (int i = 0; i + 1 < n; i++) {
        eface_t f;
        eface(m, y, i, &f);
        ie[i + 1] = f.i;
        if (G)
            G[i + 1] = f.G;
    }
    ie[n] = 0.0;
    if (G)
        G[n] = 0;
}

void ssbi_model_breakdown(const ssbi_model *m, const double *y, ssb_cell_breakdown *b)
{
    memset(b, 0, sizeof *b);
    int n = m->ncv;
    double I = y[m->i_I];
    b->voltage = ssbi_model_voltage(m, y);
    b->ocv = ssbi_model_ocv(m, y);
    if (I == 0.0) {
        /* At rest the losses are relaxation: each electrode's half-cell voltage (solid potential at its current
           collector minus the electrolyte potential at its separator face) against its bulk OCV, plus the
           electrolyte potential difference across the separator (a diffusion potential, liquid only). */
        const ssbi_region *sp = &m->reg[SSBI_REG_SEP];
        int fl = sp->first, fr = sp->first + sp->n; /* faces: left of the first / right of the last sep CV */
        double dk;
        double phe_n, phe_p;
        if (m->limetal)
            phe_n = y[m->i_phie0];
        else {
            double rl = 0.5 * REG(m, fl - 1)->dx / keff(m, fl - 1, m->liquid ? y[I_CE(m, fl - 1)] : 0, &dk);
            double rr = 0.5 * REG(m, fl)->dx / keff(m, fl, m->liquid ? y[I_CE(m, fl)] : 0, &dk);
            phe_n = (rr * y[I_PE(m, fl - 1)] + rl * y[I_PE(m, fl)]) / (rl + rr);
        }
        {
            double rl = 0.5 * REG(m, fr - 1)->dx / keff(m, fr - 1, m->liquid ? y[I_CE(m, fr - 1)] : 0, &dk);
            double rr = 0.5 * REG(m, fr)->dx / keff(m, fr, m->liquid ? y[I_CE(m, fr)] : 0, &dk);
            phe_p = (rr * y[I_PE(m, fr - 1)] + rl * y[I_PE(m, fr)]) / (rl + rr);
        }
        double Hp = b->voltage - phe_p, Hn = 0.0 - phe_n; /* phi_s at the negative current collector is 0 */
        double Up = ocv(&m->reg[SSBI_REG_POS], ssbi_model_theta_avg(m, y, SSBI_REG_POS), NULL);
        double Un = m->limetal ? 0.0 : ocv(&m->reg[SSBI_REG_NEG], ssbi_model_theta_avg(m, y, SSBI_REG_NEG), NULL);
        b->loss[SSB_CELL_LOSS_DIFF_POS] = Up - Hp;
        b->loss[SSB_CELL_LOSS_DIFF_NEG] = Hn - Un;
        b->loss[SSB_CELL_LOSS_ELECTROLYTE] = -(phe_p - phe_n);
        double sum = 0;
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            sum += b->loss[k];
        b->residual = b->ocv - sum - b->voltage;
        return;
    }
    double *ie = malloc(2 * ((size_t)n + 1) * sizeof *ie);
    if (!ie) {
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            b->loss[k] = NAN;
        b->residual = NAN;
        return;
    }
    double *G = ie + n + 1;
    ie_faces(m, y, ie, G);
    /* ionic ohmic: sum over faces i^2 / G, attributed to the region of the face (half cells to each side) */
    for (int f = 0; f <= n; f++) {
        if (G[f] <= 0)
            continue;
        double w = ie[f] * ie[f] / G[f] / I;
        int l = f > 0 ? m->cv_reg[f - 1] : m->cv_reg[0], r = f < n ? m->cv_reg[f] : m->cv_reg[n - 1];
        double dl = f > 0 ? REG(m, f - 1)->dx : 0, dr = f < n ? REG(m, f)->dx : 0;
        /* split the face resistance between the two half cells in proportion to their resistances */
        double kl = 0, kr = 0, dk;
        if (f > 0)
            kl = 0.5 * dl / keff(m, f - 1, m->liquid ? y[I_CE(m, f - 1)] : 0, &dk);
        if (f < n)
            kr = 0.5 * dr / keff(m, f, m->liquid ? y[I_CE(m, f)] : 0, &dk);
        if (f == 0)
            kl = 0;
        double tot = kl + kr;
        double wl = tot > 0 ? kl / tot : 0, wr = tot > 0 ? kr / tot : 0;
        int ks[3] = {SSB_CELL_LOSS_IONIC_NEG, SSB_CELL_LOSS_IONIC_SEP, SSB_CELL_LOSS_IONIC_POS};
        b->loss[ks[l]] += w * wl;
        b->loss[ks[r]] += w * wr;
    }
    /* liquid: concentration (diffusion) overpotential: (1/I) sum_f i_f nu_f dln c_f */
    if (m->liquid) {
        double s = 0;
        for (int f = 1; f < n; f++) {
            double cl = y[I_CE(m, f - 1)], cr = y[I_CE(m, f)], dt;
            double dtp, nu = 2.0 / m->f * (1.0 - tpl(m, 0.5 * (cl + cr), &dtp)) * tdf(m, 0.5 * (cl + cr), &dt);
            s += ie[f] * nu * (log(cr) - log(cl));
        }
        b->loss[SSB_CELL_LOSS_ELECTROLYTE] = -s / I;
    }
    /* electronic ohmic + reaction-weighted electrode terms */
    for (int r = 0; r < 3; r++) {
        const ssbi_region *g = &m->reg[r];
        if (r == SSBI_REG_SEP || !g->present)
            continue;
        int pos = r == SSBI_REG_POS;
        double el = 0;
        for (int i = g->first; i + 1 < g->first + g->n; i++) {
            double Sf = sig_face(m, g, y, i);
            double is = Sf * (y[I_PS(m, i)] - y[I_PS(m, i + 1)]);
            el += is * is / Sf;
        }
        /* half cells at the current collector */
        double S = sig_cv(m, g, y, pos ? g->first + g->n - 1 : g->first) / g->dx;
        if (pos)
            el += I * I / (2.0 * S);
        else {
            double is = 2.0 * S * (0.0 - y[I_PS(m, g->first)]);
            el += is * is / (2.0 * S);
        }
        b->loss[pos ? SSB_CELL_LOSS_ELECTRONIC_POS : SSB_CELL_LOSS_ELECTRONIC_NEG] = el / I;
        /* reaction weights: w = -a j dx / I (positive), +a j dx / I (negative), sum 1 */
        double sgn = pos ? -1.0 : 1.0;
        double ct = 0, film = 0, diff = 0, Ubar = 0, wsum = 0;
        double thavg = ssbi_model_theta_avg(m, y, r);
        double Uavg = ocv(g, thavg, NULL);
        for (int i = g->first; i < g->first + g->n; i++) {
            double jj = y[I_J(m, i)];
            double w = sgn * g->a * jj * g->dx / I;
            kin_t kk;
            double ce = m->liquid ? y[I_CE(m, i)] : 0;
            if (kinetics(m, g, y[I_CS(m, i, m->nr - 1)], y[I_PS(m, i)], y[I_PE(m, i)], jj, ce, &kk))
                continue;
            ct += w * kk.eta;
            film += w * jj * g->R_film;
            Ubar += w * kk.U;
            wsum += w;
        }
        (void)wsum;
        diff = Uavg - Ubar;
        /* positive: V contribution = +(U + film + eta) with eta, film < 0 on discharge -> loss = -(...) */
        if (pos) {
            b->loss[SSB_CELL_LOSS_CT_POS] = -ct;
            b->loss[SSB_CELL_LOSS_FILM_POS] = -film;
            b->loss[SSB_CELL_LOSS_DIFF_POS] = diff;
        } else {
            b->loss[SSB_CELL_LOSS_CT_NEG] = ct;
            b->loss[SSB_CELL_LOSS_FILM_NEG] = film;
            b->loss[SSB_CELL_LOSS_DIFF_NEG] = -diff;
        }
    }
    if (m->limetal) {
        li_t lk;
        if (li_kin(m, y[m->i_phie0], I, m->liquid ? y[I_CE(m, 0)] : 0, &lk) == 0) {
            b->loss[SSB_CELL_LOSS_CT_NEG] = lk.eta;
            b->loss[SSB_CELL_LOSS_FILM_NEG] = I * m->R_li;
        }
    }
    b->loss[SSB_CELL_LOSS_CONTACT] = I * m->R_contact;
    double sum = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        sum += b->loss[k];
    b->residual = b->ocv - sum - b->voltage;
    free(ie);
}

void ssbi_model_profile(const ssbi_model *m, const double *y, double *x, int *region, double *csurf, double *cavg,
                        double *phis, double *phie, double *j, double *ce, double *ie)
{
    int n = m->ncv;
    double xx = 0;
    double *fc = malloc(((size_t)n + 1) * sizeof *fc);
    if (fc)
        ie_faces(m, y, fc, NULL);
    for (int i = 0; i < n; i++) {
        const ssbi_region *g = REG(m, i);
        x[i] = xx + 0.5 * g->dx;
        xx += g->dx;
        region[i] = m->cv_reg[i];
        int e = is_elec(m, i);
        csurf[i] = e ? ssbi_model_csurf(m, y, i) : NAN;
        cavg[i] = e ? ssbi_model_cavg(m, y, i) : NAN;
        phis[i] = e ? y[I_PS(m, i)] : NAN;
        phie[i] = y[I_PE(m, i)];
        j[i] = e ? y[I_J(m, i)] : 0.0;
        ce[i] = m->liquid ? y[I_CE(m, i)] : m->c_ref;
        ie[i] = fc ? 0.5 * (fc[i] + fc[i + 1]) : NAN;
    }
    free(fc);
}
