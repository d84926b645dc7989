/* The variational tau's estimate and stopping rule, one definition for the serial gmg (impls/gmg/gmg.c) and the
 * distributed gmg-mpi (dist/dist_gmg.c), so that both stop alike. */
#ifndef SSB_TRANSPORT_VAR_H
#define SSB_TRANSPORT_VAR_H

#include <math.h>
#include <stdint.h>

/* The variational estimate of the current and its stopping rule (shared with gmg-mpi). In the solver's units
 * (potential 1 on the inlet face, 0 on the outlet) the dissipated power of an iterate x,
 *     E(x) = sum_bonds g (x_i - x_j)^2 + sum_in gd_lo (1 - x_i)^2 + sum_out gd_hi x_i^2 = I_in(x) - r.x,  r = b - A x,
 * equals E* + ||x - x*||_A^2 >= E* = I* (the exact current): its error is the square of the A-norm error, where
 * the face current's error is linear in it. The CG steps are exact line searches for E (alpha = r.z / p.Ap, r_k
 * orthogonal to p_{k-1}), so E decreases monotonically: d_k = E_{k-1} - E_k >= 0 up to rounding. The rule (no
 * fields requested), converged at iteration k >= 2 when (a) the geometric tail t_k = d_k rho / (1 - rho) of the
 * remaining decrements is <= 0.1 rtol E_k, or d_k <= 1e-14 E_k (rounding floor); (b) the relative residual
 * <= sqrt(rtol); (c) the inlet/outlet mismatch <= flux_tol. rho is the LARGEST ratio d_j / d_{j-1} of the last
 * SSBI_VAR_WINDOW iterations (j = k - 4 .. k, those with j >= 2), clamped to [0.05, 0.99]. (stoprule.md takes the last
 * ratio alone: on a cathode with a 1e3 conductivity contrast (test_transport_stop) the K-cycle converges in bursts,
 * ratios ~0.3 between plateaus of ~1 every 5-6 iterations, and the last ratio stopped it at iteration 20 with tau
 * 3.4e-9 off for an estimate of 6.6e-10; the window stops it at 28, 6.9e-11 off, and costs no iteration on
 * electrode.tiff x/y/z and the other generated cases, whose ratios do not rise.) tau comes from E of the final
 * iterate, with t_k / E_k its estimated relative error. With fields the residual rule stays (residual <= rtol and
 * the inlet current settled), so the fields are converged; E still gives tau. */
#define SSBI_VAR_WINDOW 5
typedef struct {
    double e, d, tail;         /* E_k, d_k, t_k (+inf until k >= 2) */
    double ratio[SSBI_VAR_WINDOW]; /* the last ratios d_j / d_{j-1} */
    int nratio;
} ssbi_var_est;

/* E of a new iterate (after a CG update). */
static inline void ssbi_var_step(ssbi_var_est *v, double e)
{
    const double dprev = v->d;
    v->d = v->e - e;
    v->e = e;
    v->tail = INFINITY;
    if (isfinite(v->d) && isfinite(dprev)) {
        const double q = v->d / dprev;
        v->ratio[v->nratio % SSBI_VAR_WINDOW] = isnan(q) ? 0.0 : q; /* 0 / 0: no decrease left */
        v->nratio++;
        double rho = 0.0;
        for (int j = 0; j < SSBI_VAR_WINDOW && j < v->nratio; j++) rho = fmax(rho, v->ratio[j]);
        rho = fmin(fmax(rho, 0.05), 0.99);
        v->tail = fmax(v->d, 0.0) * rho / (1.0 - rho);
    }
}

/* condition (a) */
static inline int ssbi_var_settled(const ssbi_var_est *v, double rtol)
{
    return isfinite(v->tail) && (v->tail <= 0.1 * rtol * v->e || v->d <= 1e-14 * v->e);
}

/* The variational rule's estimate follows E's decrements, and sees error only once the preconditioner reaches it.
 * Where the conducting phases differ by more than SSBI_VAR_MAX_CONTRAST in conductance the K-cycle reaches the
 * error in the poor conductor in bursts, after E stalled for tens of iterations (random two-phase fields at 1e5 and
 * 1e6 contrast: the estimate said 8e-10, tau was 1.2-1.6e-7 off at rtol 1e-8; 1e4: 1.1e-9), so there the residual
 * rule is used (accurate to 3e-11 on those fields; test_transport_stop). contrast: the largest ratio of two positive
 * face conductances along one axis. */
#define SSBI_VAR_MAX_CONTRAST 1e3
static inline int ssbi_var_contrast_ok(double contrast)
{
    return contrast <= SSBI_VAR_MAX_CONTRAST * (1.0 + 1e-9);
}

/* The ratio of the largest to the smallest positive value of v[0..n). */
static inline double ssbi_var_contrast(const double *v, int64_t n)
{
    double lo = INFINITY, hi = 0.0;
    for (int64_t i = 0; i < n; i++)
        if (v[i] > 0.0) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    return hi > 0.0 ? hi / lo : 1.0;
}

#endif
