/* Private: the model's unknown layout and material functions, shared by cell_model.c and cell_create.c. */
#ifndef SSB_CELL_MODEL_INL_H
#define SSB_CELL_MODEL_INL_H

#include "cell_impl.h"

#include <math.h>

#define F_ SSB_CONST_FARADAY
#define RG_ SSB_CONST_GAS

/* ---------------------------------------------------------------- layout */

static inline int is_elec(const ssbi_model *m, int i)
{
    return m->cv_reg[i] != SSBI_REG_SEP;
}
static inline long I_CS(const ssbi_model *m, int i, int k)
{
    return m->cv_off[i] + k;
}
static inline long I_PS(const ssbi_model *m, int i)
{
    return m->cv_off[i] + m->nr;
}
static inline long I_PE(const ssbi_model *m, int i)
{
    return is_elec(m, i) ? m->cv_off[i] + m->nr + 1 : m->cv_off[i];
}
static inline long I_J(const ssbi_model *m, int i)
{
    return m->cv_off[i] + m->nr + 2;
}
static inline long I_CE(const ssbi_model *m, int i)
{
    return is_elec(m, i) ? m->cv_off[i] + m->nr + 3 : m->cv_off[i] + 1;
}

static inline const ssbi_region *REG(const ssbi_model *m, int i)
{
    return &m->reg[m->cv_reg[i]];
}

/* ---------------------------------------------------------------- material functions */

/* Solid diffusivity at theta and its theta-derivative. */
static inline double dsol(const ssbi_region *g, double th, double *dd)
{
    if (!g->ds) {
        *dd = 0;
        return g->D_ref;
    }
    /* a Newton iterate may step a hair outside [0, 1]: D_s(x) is held at its end value there (an expression in x
       need not be defined outside) */
    double d, thc = th < 0.0 ? 0.0 : (th > 1.0 ? 1.0 : th);
    double D = ssbi_fn_eval(g->ds, thc, &d) * g->darr;
    *dd = thc == th ? d * g->darr : 0.0;
    return D;
}

/* Stoichiometry margin inside which the OCV is evaluated as given; outside [SSBI_OCV_EDGE, 1 - SSBI_OCV_EDGE] it
   continues linearly with the slope at the edge, so that U stays finite and monotone at and beyond the limits
   (expressions with log(x) or log(1 - x) terms would give inf / NaN there). */
#define SSBI_OCV_EDGE 1e-9

static inline double ocv(const ssbi_region *g, double th, double *dU)
{
    const double lo = SSBI_OCV_EDGE, hi = 1.0 - SSBI_OCV_EDGE;
    if (th >= lo && th <= hi)
        return ssbi_fn_eval(g->ocv, th, dU);
    double e = th < lo ? lo : hi, d;
    double U = ssbi_fn_eval(g->ocv, e, &d);
    if (dU)
        *dU = d;
    return U + d * (th - e);
}

/* Kinetic factor theta (1 - theta) of the exchange current density with a smooth positive floor (SSBI_KIN_DELTA,
   cell_impl.h): inside the limits q_eff = (q + sqrt(q^2 + 4 delta^2)) / 2, q = theta (1 - theta), equal to q to
   relative (delta / q)^2, so i0 -> 0 as sqrt(1 - theta) at a full (sqrt(theta) at an empty) particle surface and the
   reaction moves elsewhere as the surface saturates (the log barrier -ln(q) / (2 alpha f) in eta); beyond the limits
   (q < 0) q_eff = delta exp(q / (2 delta)), continuous with its slope at q = 0, so the barrier grows linearly with the
   overfill u (eta = u / (4 delta alpha f)) and pushes a Newton iterate back inside instead of failing the residual:
   an overfill of at most 4 delta alpha f per volt of extra overpotential. */

static inline double kin_q(double th, double *dq_dth)
{
    double q = th * (1.0 - th);
    double s = sqrt(q * q + 4.0 * SSBI_KIN_DELTA * SSBI_KIN_DELTA);
    if (q >= 0) {
        double qe = 0.5 * (q + s);
        *dq_dth = qe / s * (1.0 - 2.0 * th);
        return qe;
    }
    double qe = SSBI_KIN_DELTA * exp(fmax(q / (2.0 * SSBI_KIN_DELTA), -600.0));
    *dq_dth = qe / (2.0 * SSBI_KIN_DELTA) * (1.0 - 2.0 * th);
    return qe;
}

/* The kinetic factor of the branch that brings a surface beyond its limit back (q = theta (1 - theta) < 0):
   delta (1 + tanh(q / delta) / 2), continuous with kin_q and its slope at q = 0 and bounded below by delta / 2, so
   that a surface left a hair beyond its limit can always react back. */
static inline double kin_q_back(double th, double *dq_dth)
{
    double q = th * (1.0 - th), tq = tanh(q / SSBI_KIN_DELTA);
    *dq_dth = 0.5 * (1.0 - tq * tq) * (1.0 - 2.0 * th);
    return SSBI_KIN_DELTA * (1.0 + 0.5 * tq);
}

/* liquid electrolyte conductivity kappa(c) [S/m] (bulk, at T) */
static inline double kap(const ssbi_model *m, double c, double *dk)
{
    if (m->kappa) {
        double d, k = ssbi_fn_eval(m->kappa, c, &d);
        *dk = d * m->kap_arr;
        return k * m->kap_arr;
    }
    *dk = 0;
    return m->v.el.kappa * m->kap_arr;
}

static inline double dif(const ssbi_model *m, double c, double *dd)
{
    if (m->diff) {
        double d, D = ssbi_fn_eval(m->diff, c, &d);
        *dd = d * m->dif_arr;
        return D * m->dif_arr;
    }
    *dd = 0;
    return m->v.el.D_e * m->dif_arr;
}

/* cation transference number t+(c) of a liquid (constant unless given as a function) */
static inline double tpl(const ssbi_model *m, double c, double *dt)
{
    if (m->tplus)
        return ssbi_fn_eval(m->tplus, c, dt);
    *dt = 0;
    return m->t_plus;
}

static inline double tdf(const ssbi_model *m, double c, double *dt)
{
    if (m->tdf)
        return ssbi_fn_eval(m->tdf, c, dt);
    *dt = 0;
    return m->v.el.tdf;
}

#endif
