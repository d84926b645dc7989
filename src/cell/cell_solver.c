/* Time integration of the cell model with SUNDIALS IDA + KLU, protocol execution, rate sweeps. */
#include "cell_impl.h"

#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <ssbnet/ssb_units.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_sparse.h>
#include <sunnonlinsol/sunnonlinsol_newton.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* cell_nvec.c: optimised arithmetic for serial vectors (see there) */
void ssbi_nvec_fast(N_Vector v);
/* cell_linsol.c: condensed direct solver (particle blocks eliminated) */
SUNLinearSolver ssbi_condensed_linsol(ssb_ctx *ctx, ssbi_model *m, SUNContext sun);

#define NROOT 6
enum { RT_V = 0, RT_I, RT_STO, RT_VMIN, RT_VMAX, RT_LI };
#define SSBI_MAX_RESTARTS 20 /* integrator restarts per protocol step after a convergence failure */

struct ssb_cell {
    ssbi_model *m;
    SUNContext sun;
    void *ida;
    N_Vector y, yp, id, atol, dky;
    SUNMatrix A;
    SUNLinearSolver LS;
    SUNNonlinearSolver NLS;
    double nls_oldnrm, nls_ss; /* Newton convergence test of the current step (nls_conv_test) */
    char idamsg[512];
    int start_failed; /* the last run failed to find a consistent state at the start of a step */
    double li_charge; /* Li of a Li-metal foil at the start of the run [C/m2] (0: thickness not given, no check) */
    /* per step */
    double v_cut, i_cut;
    int use_v, use_i;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ---------------------------------------------------------------- IDA callbacks */

static int res_fn(sunrealtype t, N_Vector y, N_Vector yp, N_Vector r, void *ud)
{
    ssb_cell *c = ud;
    c->m->mode.t_res = t;
    int rc = ssbi_model_residual(c->m, N_VGetArrayPointer(y), N_VGetArrayPointer(yp), N_VGetArrayPointer(r));
    return rc;
}

static int jac_fn(sunrealtype t, sunrealtype cj, N_Vector y, N_Vector yp, N_Vector r, SUNMatrix J, void *ud,
                  N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t;
    (void)yp;
    (void)r;
    (void)t1;
    (void)t2;
    (void)t3;
    ssb_cell *c = ud;
    ssbi_model *m = c->m;
    sunindextype *cp = SUNSparseMatrix_IndexPointers(J), *ri = SUNSparseMatrix_IndexValues(J);
    for (long k = 0; k <= m->N; k++)
        cp[k] = (sunindextype)m->colptr[k];
    for (long k = 0; k < m->nnz; k++)
        ri[k] = (sunindextype)m->rowind[k];
    return ssbi_model_jacobian(m, N_VGetArrayPointer(y), cj, SUNSparseMatrix_Data(J));
}

/* IDA's Newton convergence test (ida_nls.c: the correction's norm times rate / (1 - rate) below the coefficient
   epcon), with the rate estimate restarted at every step. IDA's own test carries the rate over from the last step
   while the step size and order stay the same, and can accept a step after a single modified-Newton iteration; the
   algebraic variables (j, potentials) are out of the error test (IDASetSuppressAlg), so nothing else checks them.
   With a low, steep D(x) the kinetic row is strongly nonlinear in j (the surface extrapolation c_s = c_last -
   j h / (F D) turns j into a surface shift of about 0.3 per A/m2 at D = 3.5e-17 m2/s, through an OCV table whose
   slope changes from point to point), and the accepted state of the failing example (Schlautmann S, 0.1C,
   t = 633 s) left the reaction current of a CV 13x off its kinetic equation (a 9 mV residual) after one
   iteration; the next step, and IDACalcIC from that state, failed. Here the first iteration is accepted only
   with IDA's starting estimate rate / (1 - rate) = 20 (its value after a new Jacobian), later ones with the
   rate measured within the step. */
#define SSBI_NLS_SS0 20.0
#define SSBI_NLS_RATEMAX 0.9
static int nls_conv_test(SUNNonlinearSolver NLS, N_Vector ycor, N_Vector del, sunrealtype tol, N_Vector ewt,
                         void *ud)
{
    (void)ycor;
    ssb_cell *c = ud;
    int it = 0;
    if (SUNNonlinSolGetCurIter(NLS, &it) != SUN_NLS_SUCCESS)
        return -1;
    double delnrm = N_VWrmsNorm(del, ewt);
    if (it == 0) {
        c->nls_oldnrm = delnrm;
        c->nls_ss = SSBI_NLS_SS0;
    } else {
        double rate = c->nls_oldnrm > 0 ? pow(delnrm / c->nls_oldnrm, 1.0 / it) : 0.0;
        if (rate > SSBI_NLS_RATEMAX)
            return SUN_NLS_CONV_RECVR;
        c->nls_ss = rate / (1.0 - rate);
    }
    return c->nls_ss * delnrm <= tol ? SUN_NLS_SUCCESS : SUN_NLS_CONTINUE;
}

static int root_fn(sunrealtype t, N_Vector y, N_Vector yp, sunrealtype *g, void *ud)
{
    (void)t;
    (void)yp;
    ssb_cell *c = ud;
    const ssbi_model *m = c->m;
    const double *Y = N_VGetArrayPointer(y);
    double V = ssbi_model_voltage(m, Y);
    g[RT_V] = c->use_v ? V - c->v_cut : 1.0;
    g[RT_I] = c->use_i ? fabs(Y[m->i_I]) - c->i_cut : 1.0;
    g[RT_STO] = ssbi_model_sto_margin(m, Y, NULL, NULL, NULL) + SSBI_EXHAUSTED_OVERFILL;
    g[RT_VMIN] = V - m->v.cell.V_min;
    g[RT_VMAX] = m->v.cell.V_max - V;
    /* the foil's Li left: a discharge strips Li = Q / F from it (Q counts from the start of the run) */
    g[RT_LI] = c->li_charge > 0 ? c->li_charge - Y[m->i_Q] : 1.0;
    return 0;
}

static void err_fn(int code, const char *module, const char *function, char *msg, void *ud)
{
    ssb_cell *c = ud;
    (void)code;
    snprintf(c->idamsg, sizeof c->idamsg, "%s/%s: %s", module, function, msg);
}

/* ---------------------------------------------------------------- create / destroy */

void ssb_cell_destroy(ssb_cell **pc)
{
    if (!pc || !*pc)
        return;
    ssb_cell *c = *pc;
    if (c->ida)
        IDAFree(&c->ida);
    if (c->LS)
        SUNLinSolFree(c->LS);
    if (c->NLS)
        SUNNonlinSolFree(c->NLS);
    if (c->A)
        SUNMatDestroy(c->A);
    if (c->y)
        N_VDestroy(c->y);
    if (c->yp)
        N_VDestroy(c->yp);
    if (c->id)
        N_VDestroy(c->id);
    if (c->atol)
        N_VDestroy(c->atol);
    if (c->dky)
        N_VDestroy(c->dky);
    if (c->sun)
        SUNContext_Free(&c->sun);
    ssbi_model_destroy(&c->m);
    free(c);
    *pc = NULL;
}

int ssb_cell_create(ssb_ctx *ctx, const ssb_cell_params *p, ssb_cell **out)
{
    SSB_REQUIRE(ctx, p && out, SSB_ERR_ARG, "ssb_cell_create: NULL argument");
    *out = NULL;
    ssb_cell *c = calloc(1, sizeof *c);
    if (!c)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (cell)");
    int rc = ssbi_model_create(ctx, p, &c->m);
    if (rc != SSB_OK) {
        ssb_cell_destroy(&c);
        return rc;
    }
    ssbi_model *m = c->m;
    long N = m->N;
    if (SUNContext_Create(NULL, &c->sun) != 0) {
        ssb_cell_destroy(&c);
        return SSB_ERROR(ctx, SSB_ERR_BACKEND, "SUNContext_Create failed");
    }
    c->y = N_VNew_Serial(N, c->sun);
    c->yp = N_VNew_Serial(N, c->sun);
    c->id = N_VNew_Serial(N, c->sun);
    c->atol = N_VNew_Serial(N, c->sun);
    c->dky = N_VNew_Serial(N, c->sun);
    if (!c->y || !c->yp || !c->id || !c->atol || !c->dky) {
        ssb_cell_destroy(&c);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (%ld unknowns)", N);
    }
    ssbi_nvec_fast(c->y);
    ssbi_nvec_fast(c->yp);
    ssbi_nvec_fast(c->id);
    ssbi_nvec_fast(c->atol);
    ssbi_nvec_fast(c->dky);
    double *y = N_VGetArrayPointer(c->y), *yp = N_VGetArrayPointer(c->yp), *id = N_VGetArrayPointer(c->id);
    ssbi_model_initial(m, y, yp, id);
    rc = ssbi_model_pattern(ctx, m, y);
    if (rc != SSB_OK) {
        ssb_cell_destroy(&c);
        return rc;
    }
    double *at = N_VGetArrayPointer(c->atol);
    for (long k = 0; k < N; k++)
        at[k] = m->v.num.atol * m->scale[k];
    c->ida = IDACreate(c->sun);
    if (!c->ida) {
        ssb_cell_destroy(&c);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "IDACreate failed");
    }
    int f = IDASetErrHandlerFn(c->ida, err_fn, c);
    if (f == 0)
        f = IDAInit(c->ida, res_fn, 0.0, c->y, c->yp);
    if (f == 0)
        f = IDASVtolerances(c->ida, m->v.num.rtol, c->atol);
    if (f == 0)
        f = IDASetId(c->ida, c->id);
    if (f == 0)
        f = IDASetUserData(c->ida, c);
    if (f == 0) {
        c->A = SUNSparseMatrix(N, N, m->nnz, CSC_MAT, c->sun);
        if (c->A)
            c->LS = m->v.num.full_klu ? SUNLinSol_KLU(c->y, c->A, c->sun) : ssbi_condensed_linsol(ctx, m, c->sun);
        if (!c->A || !c->LS)
            f = -1;
    }
    if (f == 0)
        f = IDASetLinearSolver(c->ida, c->LS, c->A);
    if (f == 0)
        f = IDASetJacFn(c->ida, jac_fn);
    /* IDA's Newton solver with the convergence test of nls_conv_test (set after IDASetNonlinearSolver, which
       installs IDA's own) */
    if (f == 0) {
        c->NLS = SUNNonlinSol_Newton(c->y, c->sun);
        f = c->NLS ? IDASetNonlinearSolver(c->ida, c->NLS) : -1;
    }
    if (f == 0)
        f = SUNNonlinSolSetConvTestFn(c->NLS, nls_conv_test, c);
    if (f == 0)
        f = IDARootInit(c->ida, NROOT, root_fn);
    if (f == 0)
        f = IDASetMaxNumStepsIC(c->ida, 10);
    if (f == 0)
        f = IDASetMaxNumItersIC(c->ida, 25);
    if (f == 0)
        f = IDASetMaxNumJacsIC(c->ida, 10);
    if (f == 0)
        f = IDASetMaxNumSteps(c->ida, 1000000);
    /* algebraic variables (potentials, j, I) follow the differential ones: keep them out of the error test */
    if (f == 0)
        f = IDASetSuppressAlg(c->ida, SUNTRUE);
    if (f == 0 && m->v.num.max_step > 0)
        f = IDASetMaxStep(c->ida, m->v.num.max_step);
    if (f != 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", c->idamsg);
        ssb_cell_destroy(&c);
        return SSB_ERROR(ctx, SSB_ERR_BACKEND, "setting up IDA + KLU failed (flag %d): %s", f, msg);
    }
    *out = c;
    return SSB_OK;
}

long ssb_cell_size(const ssb_cell *c, long *nnz)
{
    if (!c)
        return 0;
    if (nnz)
        *nnz = c->m->nnz;
    return c->m->N;
}

const ssb_cell_derived *ssb_cell_get_derived(const ssb_cell *c)
{
    return c ? &c->m->der : NULL;
}

ssb_cell_run_params ssb_cell_run_params_default(void)
{
    ssb_cell_run_params rp;
    memset(&rp, 0, sizeof rp);
    rp.record_every = 1;
    rp.breakdown = 1;
    return rp;
}

/* ---------------------------------------------------------------- running */

typedef struct {
    ssb_ctx *ctx;
    ssb_cell *c;
    const ssb_cell_run_params *rp;
    ssb_cell_result *res;
    double n_neg0; /* initial Li in a foil [mol/m2] */
    int next_prof; /* next profile time index */
    double *ybuf;  /* state for interpolated profiles */
    const double *ptimes;
    int nptimes;
    int warned_ocv; /* the OCV-range warning was logged */
} runctx;

/* Log once per run when a surface stoichiometry leaves the validity range of its OCV curve (extrapolation). */
static void check_ocv_range(runctx *R, const double *y, double t)
{
    if (R->warned_ocv)
        return;
    const ssbi_model *m = R->c->m;
    for (int i = 0; i < m->ncv; i++) {
        int r = m->cv_reg[i];
        if (r == SSBI_REG_SEP)
            continue;
        const ssbi_region *g = &m->reg[r];
        double th = ssbi_model_csurf(m, y, i) / g->c_max;
        double lo = g->ocv->x_min, hi = g->ocv->x_max;
        if ((isfinite(lo) && th < lo - 1e-9) || (isfinite(hi) && th > hi + 1e-9)) {
            ssbi_log(R->ctx, SSB_LOG_WARN, "cell",
                     "%s OCV extrapolated: surface stoichiometry %.5f outside its validity range [%g, %g] at t = "
                     "%.6g s (%s)",
                     r == SSBI_REG_POS ? "positive" : "negative", th, lo, hi, t, g->ocv->source);
            R->warned_ocv = 1;
            return;
        }
    }
}

static int record(runctx *R, double t, const double *y, int step)
{
    ssbi_model *m = R->c->m;
    check_ocv_range(R, y, t);
    double vals[SSB_CELL_SERIES_COUNT];
    vals[SSB_CELL_T] = t;
    vals[SSB_CELL_V] = ssbi_model_voltage(m, y);
    vals[SSB_CELL_I] = y[m->i_I];
    vals[SSB_CELL_Q] = y[m->i_Q];
    vals[SSB_CELL_E] = y[m->i_E];
    vals[SSB_CELL_OCV] = ssbi_model_ocv(m, y);
    vals[SSB_CELL_STEP] = step;
    ssb_cell_breakdown b, *pb = NULL;
    if (R->rp->breakdown) {
        ssbi_model_breakdown(m, y, &b);
        pb = &b;
    }
    double nlp = ssbi_model_lithium(m, y, SSBI_REG_POS);
    double nln = m->limetal ? R->n_neg0 - y[m->i_Q] / SSB_CONST_FARADAY : ssbi_model_lithium(m, y, SSBI_REG_NEG);
    return ssbi_result_push(R->ctx, R->res, vals, pb, nlp, nln);
}

static const char *ida_cause(int flag)
{
    switch (flag) {
    case IDA_TOO_MUCH_WORK:
        return "too many internal steps";
    case IDA_TOO_MUCH_ACC:
        return "the requested accuracy cannot be reached";
    case IDA_ERR_FAIL:
        return "the error test failed repeatedly (or the step size became too small)";
    case IDA_CONV_FAIL:
        return "the nonlinear (Newton) iteration failed to converge repeatedly";
    case IDA_LINIT_FAIL:
        return "linear solver initialisation failed";
    case IDA_LSETUP_FAIL:
        return "the sparse LU factorisation (KLU) failed: singular Jacobian";
    case IDA_LSOLVE_FAIL:
        return "the linear solve failed";
    case IDA_RES_FAIL:
        return "the residual failed unrecoverably";
    case IDA_REP_RES_ERR:
        return "the residual failed repeatedly (a concentration left its bounds)";
    case IDA_RTFUNC_FAIL:
        return "the root function failed";
    case IDA_CONSTR_FAIL:
        return "inequality constraints could not be met";
    case IDA_FIRST_RES_FAIL:
        return "the first residual evaluation failed (state out of bounds)";
    case IDA_NO_RECOVERY:
        return "no recovery possible after a residual failure";
    case IDA_NLS_FAIL:
        return "the nonlinear solver failed";
    case IDA_ILL_INPUT:
        return "illegal input to IDA";
    case IDA_LINESEARCH_FAIL:
        return "the consistent-initialisation line search failed";
    case IDA_BAD_EWT:
        return "a weight became non-positive";
    default:
        return "solver error";
    }
}

static int state_msg(const ssbi_model *m, const double *y, char *buf, size_t n)
{
    double thmin, thmax;
    ssbi_model_sto_margin(m, y, &thmin, &thmax, NULL);
    int o = snprintf(buf, n, "V = %.4f V, I = %.4g A/m2, Q = %.4g Ah/m2, surface stoichiometry %.5f..%.5f",
                     ssbi_model_voltage(m, y), y[m->i_I], y[m->i_Q] / 3600.0, thmin, thmax);
    if (m->liquid && o > 0 && (size_t)o < n) {
        double cmin = 1e300;
        for (int i = 0; i < m->ncv; i++) {
            long k = m->cv_reg[i] == SSBI_REG_SEP ? m->cv_off[i] + 1 : m->cv_off[i] + m->nr + 3;
            if (y[k] < cmin)
                cmin = y[k];
        }
        snprintf(buf + o, n - (size_t)o, ", min c_e = %.4g mol/m3", cmin);
    }
    return 0;
}

static void step_mean(const ssb_cell_result *r, int first, int last, ssb_cell_step_result *s)
{
    const double *t = r->ser[SSB_CELL_T], *I = r->ser[SSB_CELL_I];
    double wsum = 0, tsum = 0;
    ssb_cell_breakdown mb, tb;
    memset(&mb, 0, sizeof mb);
    memset(&tb, 0, sizeof tb);
    for (int i = first; i < last; i++) {
        double dt = t[i + 1] - t[i];
        if (dt <= 0)
            continue;
        double w = 0.5 * (fabs(I[i]) + fabs(I[i + 1])) * dt;
        wsum += w;
        tsum += dt;
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
            double a = r->loss ? r->loss[(size_t)i * SSB_CELL_LOSS_COUNT + k] : 0;
            double b = r->loss ? r->loss[(size_t)(i + 1) * SSB_CELL_LOSS_COUNT + k] : 0;
            double la = 0.5 * (fabs(I[i]) * a + fabs(I[i + 1]) * b) * dt;
            mb.loss[k] += la;
            tb.loss[k] += 0.5 * (a + b) * dt;
        }
        mb.ocv += w * 0.5 * (r->ser[SSB_CELL_OCV][i] + r->ser[SSB_CELL_OCV][i + 1]);
        mb.voltage += w * 0.5 * (r->ser[SSB_CELL_V][i] + r->ser[SSB_CELL_V][i + 1]);
        mb.residual += w * 0.5 * (r->resid[i] + r->resid[i + 1]);
        tb.ocv += dt * 0.5 * (r->ser[SSB_CELL_OCV][i] + r->ser[SSB_CELL_OCV][i + 1]);
        tb.voltage += dt * 0.5 * (r->ser[SSB_CELL_V][i] + r->ser[SSB_CELL_V][i + 1]);
        tb.residual += dt * 0.5 * (r->resid[i] + r->resid[i + 1]);
    }
    if (wsum > 0) {
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            mb.loss[k] /= wsum;
        mb.ocv /= wsum;
        mb.voltage /= wsum;
        mb.residual /= wsum;
        s->mean = mb;
    } else if (tsum > 0) {
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            tb.loss[k] /= tsum;
        tb.ocv /= tsum;
        tb.voltage /= tsum;
        tb.residual /= tsum;
        s->mean = tb;
    } else {
        memset(&s->mean, 0, sizeof s->mean);
        s->mean.ocv = r->ser[SSB_CELL_OCV][last];
        s->mean.voltage = r->ser[SSB_CELL_V][last];
    }
    s->end_state.ocv = r->ser[SSB_CELL_OCV][last];
    s->end_state.voltage = r->ser[SSB_CELL_V][last];
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        s->end_state.loss[k] = r->loss ? r->loss[(size_t)last * SSB_CELL_LOSS_COUNT + k] : NAN;
    s->end_state.residual = r->resid[last];
}

static int add_profiles_upto(runctx *R, double t, double tprev)
{
    ssb_cell *c = R->c;
    while (R->next_prof < R->nptimes && R->ptimes[R->next_prof] <= t) {
        double tp = R->ptimes[R->next_prof];
        if (tp >= tprev) {
            if (IDAGetDky(c->ida, tp, 0, c->dky) != IDA_SUCCESS)
                N_VScale(1.0, c->y, c->dky);
            SSB_CHECK(R->ctx, ssbi_result_add_profile(R->ctx, R->res, c->m, N_VGetArrayPointer(c->dky), tp));
        }
        R->next_prof++;
    }
    return SSB_OK;
}

/* Store points interpolated inside the last internal step (t0, t1] when the voltage moved more than numerics.max_dV
   in it, so that the stored curve has at most about max_dV between points (when every step is stored). */
static int densify(runctx *R, int step, double t0, double t1, double v0, double v1)
{
    ssb_cell *c = R->c;
    double dv = c->m->v.num.max_dV;
    if (R->rp->record_every != 1 || !(dv > 0))
        return SSB_OK;
    int k = (int)ceil(fabs(v1 - v0) / dv);
    if (k < 2)
        return SSB_OK;
    if (k > 64)
        k = 64;
    for (int i = 1; i < k; i++) {
        double tq = t0 + (t1 - t0) * i / k;
        if (IDAGetDky(c->ida, tq, 0, c->dky) != IDA_SUCCESS)
            return SSB_OK;
        SSB_CHECK(R->ctx, record(R, tq, N_VGetArrayPointer(c->dky), step));
    }
    return SSB_OK;
}

/* Consistent algebraic variables for a current, rest or power set-point that the direct IDACalcIC could not reach from
   the previous state (e.g. a rest or a charge right after the particle surfaces saturated or the electrolyte ran
   out): adaptive continuation in the set-point from the current before the step, each stage starting from the
   consistent state of the last stage that converged; a stage that fails is retried with a quarter of its increment,
   one that converges doubles the next (at most SSBI_RAMP_STAGES stages, increments down to SSBI_RAMP_MIN of the whole
   change). Returns IDACalcIC's flag of the last stage; on failure c->y is left at the state before the step. */
#define SSBI_RAMP_STAGES 200
#define SSBI_RAMP_MIN 1e-6
static int calc_ic_ramp(ssb_cell *c, double t, double tout1)
{
    ssbi_model *m = c->m;
    ssbi_mode goal = m->mode;
    /* a current (or rest) is approached from the current before the step, a power from 0 */
    double from = goal.kind == SSB_CELL_STEP_POWER ? 0.0 : N_VGetArrayPointer(c->y)[m->i_I];
    double target = goal.kind == SSB_CELL_STEP_REST ? 0.0 : goal.value;
    N_Vector y0 = N_VClone(c->y), yp0 = N_VClone(c->yp), ya = N_VClone(c->y), ypa = N_VClone(c->yp);
    if (!y0 || !yp0 || !ya || !ypa) {
        N_Vector v[4] = {y0, yp0, ya, ypa};
        for (int k = 0; k < 4; k++)
            if (v[k])
                N_VDestroy(v[k]);
        return IDA_MEM_FAIL;
    }
    N_VScale(1.0, c->y, y0);
    N_VScale(1.0, c->yp, yp0);
    N_VScale(1.0, c->y, ya); /* last accepted stage */
    N_VScale(1.0, c->yp, ypa);
    int f = IDA_SUCCESS;
    double cur = from, inc = 0.01 * (target - from);
    m->mode.kind = goal.kind == SSB_CELL_STEP_REST ? SSB_CELL_STEP_CURRENT : goal.kind;
    for (int k = 0; k < SSBI_RAMP_STAGES && cur != target; k++) {
        double next = fabs(target - cur) <= fabs(inc) ? target : cur + inc;
        m->mode.value = next;
        if (IDAReInit(c->ida, t, c->y, c->yp) != IDA_SUCCESS) {
            f = IDA_ILL_INPUT;
            break;
        }
        f = IDACalcIC(c->ida, IDA_YA_YDP_INIT, tout1);
        if (f >= 0) {
            IDAGetConsistentIC(c->ida, c->y, c->yp);
            N_VScale(1.0, c->y, ya);
            N_VScale(1.0, c->yp, ypa);
            cur = next;
            inc *= 2.0;
            continue;
        }
        N_VScale(1.0, ya, c->y); /* back to the last accepted stage, a smaller increment */
        N_VScale(1.0, ypa, c->yp);
        inc *= 0.25;
        if (fabs(inc) < SSBI_RAMP_MIN * fabs(target - from))
            break;
    }
    if (cur != target && f >= 0)
        f = IDA_CONV_FAIL; /* out of stages */
    m->mode = goal;
    if (f < 0) {
        N_VScale(1.0, y0, c->y);
        N_VScale(1.0, yp0, c->yp);
    } else if (IDAReInit(c->ida, t, c->y, c->yp) == IDA_SUCCESS) {
        f = IDACalcIC(c->ida, IDA_YA_YDP_INIT, tout1); /* a consistent start: converges at once */
    }
    N_VDestroy(y0);
    N_VDestroy(yp0);
    N_VDestroy(ya);
    N_VDestroy(ypa);
    return f;
}

/* The last resort for a current, rest or voltage set-point that no consistent state reaches from the state before the
   step (a rest right after a step that ended where the solver could not go on: the electrolyte ran out, c_e ~1e-20
   mol/m3, issue 7 item 4): the set-point is switched in time instead, linearly from the current (voltage) before the
   step to the set-point over SSBI_SWITCH_TIME (or 1 % of the step), as an instrument switches it; the state before the
   step is consistent with the start of that ramp, and the integration follows the cell through it (the rest relaxes c_e
   back by diffusion). Returns an IDA flag (>= 0: the integrator is set up at t on the ramp). */
#define SSBI_SWITCH_TIME 1e-3
static int switch_in_time(runctx *R, int s, const ssb_cell_step *ps, double t, double dur)
{
    ssb_cell *c = R->c;
    ssbi_model *m = c->m;
    double *y = N_VGetArrayPointer(c->y);
    m->mode.ramp_from = ps->kind == SSB_CELL_STEP_VOLTAGE ? ssbi_model_voltage(m, y) : y[m->i_I];
    m->mode.ramp_t0 = t;
    m->mode.ramp_t1 = t + fmin(SSBI_SWITCH_TIME, 0.01 * dur);
    if (IDAReInit(c->ida, t, c->y, c->yp) != IDA_SUCCESS)
        return IDA_ILL_INPUT;
    int f = IDACalcIC(c->ida, IDA_YA_YDP_INIT, m->mode.ramp_t1);
    if (f < 0) {
        m->mode.ramp_t0 = m->mode.ramp_t1 = 0;
        return f;
    }
    ssbi_log(R->ctx, SSB_LOG_INFO, "cell",
             "step %d ('%s'): no consistent state at the set-point from the state before the step (%s %g %s); the "
             "set-point is switched linearly in time over %g s instead",
             s + 1, ps->text, ps->kind == SSB_CELL_STEP_VOLTAGE ? "V =" : "I =", m->mode.ramp_from,
             ps->kind == SSB_CELL_STEP_VOLTAGE ? "V" : "A/m2", m->mode.ramp_t1 - t);
    return f;
}

/* Add IDA's counters since its last (re)initialisation to st. */
static void add_stats(ssb_cell *c, ssb_cell_stats *st)
{
    long ns = 0, nre = 0, nje = 0, nni = 0, netf = 0;
    IDAGetNumSteps(c->ida, &ns);
    IDAGetNumResEvals(c->ida, &nre);
    IDAGetNumJacEvals(c->ida, &nje);
    IDAGetNumNonlinSolvIters(c->ida, &nni);
    IDAGetNumErrTestFails(c->ida, &netf);
    st->steps += ns;
    st->resevals += nre;
    st->jacevals += nje;
    st->nliters += nni;
    st->etfails += netf;
}

static const char *kind_word(ssb_cell_step_kind k)
{
    switch (k) {
    case SSB_CELL_STEP_VOLTAGE:
        return "hold";
    case SSB_CELL_STEP_POWER:
        return "power";
    case SSB_CELL_STEP_RESISTANCE:
        return "load";
    case SSB_CELL_STEP_REST:
        return "rest";
    default:
        return "current";
    }
}

/* Stall of a collapsing voltage: the last SSBI_STALL_STEPS internal steps advanced less than SSBI_STALL_FRACTION of
   the time since the step began (steps of ~1e-7 s at a voltage falling ~10 V/s; ordinary steps are >= 1e-4 of it). */
#define SSBI_STALL_STEPS 100
#define SSBI_STALL_FRACTION 1e-6
/* A step that IDA has already planned is cut by a stop time only where it would take more than this many times the
   voltage-step limit (cutting every step at the limit doubles the steps of a plain discharge) */
#define SSBI_DV_OVERSHOOT 2.0

/* x of the faces that bound control volumes a..b [m] (x = 0 at the negative side). */
static void cv_span(const ssbi_model *m, int a, int b, double *x0, double *x1)
{
    double x = 0;
    for (int k = 0; k < a; k++)
        x += m->reg[m->cv_reg[k]].dx;
    *x0 = x;
    for (int k = a; k <= b; k++)
        x += m->reg[m->cv_reg[k]].dx;
    *x1 = x;
}

/* If the liquid electrolyte is depleted somewhere (c_e below SSBI_DEPLETED_FRACTION of its initial value) while a
   current flows, fill the step result's depleted zone (the contiguous CVs below that around the lowest c_e), log the
   end at time t [s] with why, and return 1; else 0. */
static int depleted_end(runctx *R, ssb_cell_step_result *sr, int s, const char *text, double t, const char *why)
{
    ssbi_model *m = R->c->m;
    const double *y = N_VGetArrayPointer(R->c->y);
    int icv;
    double cmin = ssbi_model_ce_min(m, y, &icv), lim = SSBI_DEPLETED_FRACTION * m->c_ref;
    if (!m->liquid || icv < 0 || !(cmin < lim) || m->mode.kind == SSB_CELL_STEP_REST || !(fabs(y[m->i_I]) > 0))
        return 0; /* no limiting current without a current: a rest that fails stays a solver failure */
    int a = icv, b = icv;
    while (a > 0 && ssbi_model_ce(m, y, a - 1) < lim)
        a--;
    while (b + 1 < m->ncv && ssbi_model_ce(m, y, b + 1) < lim)
        b++;
    double x0, x1;
    cv_span(m, a, b, &x0, &x1);
    sr->depleted_from_x = x0;
    sr->depleted_to_x = x1;
    sr->depleted_region = m->cv_reg[icv];
    char sm[256];
    state_msg(m, y, sm, sizeof sm);
    static const char *rn[3] = {"negative electrode", "separator", "positive electrode"};
    ssbi_log(R->ctx, SSB_LOG_INFO, "cell",
             "step %d ('%s') ends: the electrolyte is depleted (c_e below %g of %g mol/m3) from x = %.4g to %.4g um "
             "(%s) and %s (the limiting current) at t = %.6g s; state: %s",
             s + 1, text, SSBI_DEPLETED_FRACTION, m->c_ref, x0 * 1e6, x1 * 1e6, rn[sr->depleted_region], why, t, sm);
    return 1;
}

/* A particle surface within SSBI_SAT_NEAR of the limit it is driven to (full where the current fills the electrode,
   empty where it empties it) is saturated */
#define SSBI_SAT_NEAR 2e-2

/* If the solver cannot continue while the current drives a particle surface to its limit (within SSBI_SAT_NEAR):
   where the kinetics are fast (i0 >> j even at the kinetic floor, e.g. DUALFOIL's graphite), the surface meets its
   limit as a wall, the reaction there has to drop within ~0.01 s to what the particle takes by diffusion, and IDA
   cannot follow it (DUALFOIL stops there too, "did not converge"). Fill the step result's saturated zone (the
   contiguous CVs of that electrode within SSBI_SAT_NEAR of the limit around the nearest), log the end at time t [s]
   and return 1, or 2 when the zone is the whole electrode (every particle surface of it at its limit: the electrode
   is exhausted at this current, the end of the discharge or charge, reached here before the exhausted root's
   3e-4 overfill because the solver cannot follow the OCV's last drop); else 0 (a rest, or no surface near its
   limit: a solver failure). */
static int saturated_end(runctx *R, ssb_cell_step_result *sr, int s, const char *text, double t)
{
    ssbi_model *m = R->c->m;
    const double *y = N_VGetArrayPointer(R->c->y);
    int a, b, best, full;
    if (m->mode.kind == SSB_CELL_STEP_REST || !ssbi_model_saturated_zone(m, y, SSBI_SAT_NEAR, &a, &b, &best, &full))
        return 0;
    int reg = m->cv_reg[best];
    int whole = a == m->reg[reg].first && b == m->reg[reg].first + m->reg[reg].n - 1;
    cv_span(m, a, b, &sr->saturated_from_x, &sr->saturated_to_x);
    sr->saturated_region = reg;
    sr->saturated_theta = ssbi_model_csurf(m, y, best) / m->reg[reg].c_max;
    sr->saturated_phi_vs_li = ssbi_model_phi_vs_li(m, y, best);
    char sm[256];
    state_msg(m, y, sm, sizeof sm);
    ssbi_log(R->ctx, SSB_LOG_INFO, "cell",
             "step %d ('%s') ends: the %s particle surfaces from x = %.4g to %.4g um are %s (stoichiometry %.5f) and "
             "the reaction does not move deeper at this current (the solver cannot continue)%s%s at t = %.6g s "
             "(phi_s - phi_e there %.4g mV vs Li); state: %s",
             s + 1, text, reg == SSBI_REG_POS ? "positive" : "negative", sr->saturated_from_x * 1e6,
             sr->saturated_to_x * 1e6, full ? "full" : "empty", sr->saturated_theta,
             whole ? "; the whole electrode: exhausted at this current" : "",
             reg == SSBI_REG_NEG && full ? "; charging on risks lithium plating" : "", t, sr->saturated_phi_vs_li * 1e3,
             sm);
    return whole ? 2 : 1;
}

/* Long (about 270 lines) on purpose: the protocol's state machine (step set-up, consistent start with continuation,
 * integration with cut-off roots and restarts, step bookkeeping) runs on one solver state; its pieces are
 * sequential phases of one loop body that share that state. */
static int run_steps(runctx *R, const ssb_cell_protocol *proto)
{
    ssb_ctx *ctx = R->ctx;
    ssb_cell *c = R->c;
    ssbi_model *m = c->m;
    double *y = N_VGetArrayPointer(c->y), *yp = N_VGetArrayPointer(c->yp), *id = N_VGetArrayPointer(c->id);
    ssbi_model_initial(m, y, yp, id);
    double I1 = m->der.nominal_capacity / 3600.0;
    double t = 0.0;
    c->use_v = c->use_i = 0;
    /* consistent rest state at t = 0 */
    m->mode.kind = SSB_CELL_STEP_REST;
    m->mode.value = 0;
    if (IDAReInit(c->ida, 0.0, c->y, c->yp) != IDA_SUCCESS)
        return SSB_ERROR(ctx, SSB_ERR_BACKEND, "IDAReInit failed: %s", c->idamsg);
    int f = IDACalcIC(c->ida, IDA_YA_YDP_INIT, 1.0);
    if (f < 0)
        return SSB_ERROR(ctx, SSB_ERR_NOCONV, "solver failure at t = 0 s (initial rest state): %s; IDA: %s",
                         ida_cause(f), c->idamsg);
    IDAGetConsistentIC(c->ida, c->y, c->yp);
    R->n_neg0 = m->limetal ? m->v.li.thickness * m->v.li.density / 6.941e-3 : 0;
    c->li_charge = isfinite(R->n_neg0) && R->n_neg0 > 0 ? R->n_neg0 * SSB_CONST_FARADAY : 0.0;
    SSB_CHECK(ctx, record(R, t, y, 0));
    ssb_cell_stats *st = &R->res->stats;
    int skip_block = -1;
    int nsteps = ssb_cell_protocol_nsteps(proto);
    for (int s = 0; s < nsteps; s++) {
        const ssb_cell_step *ps = ssb_cell_protocol_step(proto, s);
        ssb_cell_step_result sr;
        memset(&sr, 0, sizeof sr);
        sr.index = s;
        sr.text = ps->text;
        sr.depleted_from_x = sr.depleted_to_x = NAN;
        sr.depleted_region = -1;
        sr.saturated_from_x = sr.saturated_to_x = sr.saturated_theta = sr.saturated_phi_vs_li = NAN;
        sr.saturated_region = -1;
        if (ps->block >= 0 && ps->block == skip_block) {
            sr.end = SSB_CELL_END_SKIPPED;
            sr.t_start = sr.t_end = t;
            sr.first = sr.last = R->res->n - 1;
            sr.v_start = sr.v_end = ssbi_model_voltage(m, y);
            sr.mean.ocv = sr.end_state.ocv = R->res->ser[SSB_CELL_OCV][R->res->n - 1];
            sr.mean.voltage = sr.end_state.voltage = sr.v_end;
            SSB_CHECK(ctx, ssbi_result_add_step(ctx, R->res, &sr));
            continue;
        }
        /* operating mode */
        m->mode.kind = ps->kind;
        m->mode.value = ps->kind == SSB_CELL_STEP_CURRENT && ps->crate ? ps->value * I1 : ps->value;
        c->use_v = !isnan(ps->v_cut);
        c->v_cut = ps->v_cut;
        c->use_i = !isnan(ps->i_cut);
        c->i_cut = ps->i_cut_crate ? ps->i_cut * I1 : ps->i_cut;
        /* restart the integrator at the step change */
        if (IDAReInit(c->ida, t, c->y, c->yp) != IDA_SUCCESS)
            return SSB_ERROR(ctx, SSB_ERR_BACKEND, "IDAReInit failed: %s", c->idamsg);
        double dur = isnan(ps->duration) ? m->v.num.max_step_duration : ps->duration;
        c->idamsg[0] = '\0';
        f = IDACalcIC(c->ida, IDA_YA_YDP_INIT, t + fmin(1.0, 0.01 * dur));
        m->mode.ramp_t0 = m->mode.ramp_t1 = 0;
        if (f < 0 &&
            (ps->kind == SSB_CELL_STEP_CURRENT || ps->kind == SSB_CELL_STEP_POWER || ps->kind == SSB_CELL_STEP_REST))
            f = calc_ic_ramp(c, t, t + fmin(1.0, 0.01 * dur));
        int switched = 0;
        if (f < 0 && s > 0 &&
            (ps->kind == SSB_CELL_STEP_CURRENT || ps->kind == SSB_CELL_STEP_REST ||
             ps->kind == SSB_CELL_STEP_VOLTAGE)) {
            f = switch_in_time(R, s, ps, t, dur);
            switched = f >= 0;
        }
        if (f < 0) {
            char sm[256];
            state_msg(m, y, sm, sizeof sm);
            c->start_failed = 1;
            return SSB_ERROR(ctx, SSB_ERR_NOCONV,
                             "solver failure at the start of step %d ('%s') at t = %.6g s: %s (the %s set-point may "
                             "be out of reach); state before the step: %s; IDA: %s",
                             s + 1, ps->text, t, ida_cause(f), kind_word(ps->kind), sm, c->idamsg);
        }
        IDAGetConsistentIC(c->ida, c->y, c->yp);
        sr.first = R->res->n;
        SSB_CHECK(ctx, record(R, t, y, s));
        sr.t_start = t;
        sr.v_start = ssbi_model_voltage(m, y);
        double Q0 = y[m->i_Q], E0 = y[m->i_E];
        /* cut-off directions from the start state */
        int dirs[NROOT] = {0, -1, -1, -1, -1, -1};
        int done = 0;
        ssb_cell_end_reason why = SSB_CELL_END_DURATION;
        if (c->use_v) {
            double V0 = sr.v_start;
            int sense;
            if (ps->kind == SSB_CELL_STEP_REST)
                sense = c->v_cut > V0 ? 1 : -1;
            else
                sense = m->mode.value > 0 || ps->kind == SSB_CELL_STEP_RESISTANCE ? -1 : 1;
            dirs[RT_V] = sense;
            /* (a start switched in time begins at the state before the step: its voltage says nothing yet) */
            if (!switched && ((sense < 0 && V0 <= c->v_cut) || (sense > 0 && V0 >= c->v_cut))) {
                done = 1;
                why = SSB_CELL_END_VOLTAGE;
            }
        }
        if (c->use_i && !done && !switched) {
            if (fabs(y[m->i_I]) <= c->i_cut) {
                done = 1;
                why = SSB_CELL_END_CURRENT;
            }
        }
        IDASetRootDirection(c->ida, dirs);
        double tstop = t + dur;
        IDASetStopTime(c->ida, tstop);
        long nstep = 0;
        double tprev = t, vprev = sr.v_start;
        double hmax_user = m->v.num.max_step > 0 ? m->v.num.max_step : INFINITY;
        IDASetMaxStep(c->ida, isfinite(hmax_user) ? hmax_user : 0.0);
        int restarts = 0;
        double tring[SSBI_STALL_STEPS];
        while (!done) {
            double tret = t;
            c->idamsg[0] = '\0';
            f = IDASolve(c->ida, tstop, &tret, c->y, c->yp, IDA_ONE_STEP);
            if ((f == IDA_CONV_FAIL || f == IDA_ERR_FAIL || f == IDA_REP_RES_ERR) && restarts < SSBI_MAX_RESTARTS &&
                tret < tstop) {
                /* restart from the last accepted state: fresh consistent algebraic variables and a first-order start
                   (a saturating particle surface can leave the BDF history hard to continue) */
                restarts++;
                t = tret;
                add_stats(c, st);
                if (IDAReInit(c->ida, t, c->y, c->yp) == IDA_SUCCESS &&
                    IDACalcIC(c->ida, IDA_YA_YDP_INIT, t + fmin(1e-3, 0.5 * (tstop - t))) >= 0) {
                    IDAGetConsistentIC(c->ida, c->y, c->yp);
                    vprev = ssbi_model_voltage(m, y);
                    tprev = t;
                    continue;
                }
            }
            if (f < 0 && depleted_end(R, &sr, s, ps->text, tret, "the solver cannot continue")) {
                t = tret;
                why = SSB_CELL_END_DEPLETED;
                break;
            }
            int sat = f < 0 ? saturated_end(R, &sr, s, ps->text, tret) : 0;
            if (sat) {
                t = tret;
                why = sat == 2 ? SSB_CELL_END_EXHAUSTED : SSB_CELL_END_SATURATED;
                break;
            }
            if (f < 0) {
                char sm[256];
                state_msg(m, y, sm, sizeof sm);
                return SSB_ERROR(ctx, SSB_ERR_NOCONV,
                                 "solver failure in step %d ('%s') at t = %.6g s: %s; state: %s; IDA: %s", s + 1,
                                 ps->text, tret, ida_cause(f), sm, c->idamsg);
            }
            if (f == IDA_TSTOP_RETURN && tret < tstop) {
                /* an intermediate stop of the voltage-step limit below: an ordinary step. IDA returns its
                   interpolant at the stop, which lies within roundoff of its step end tn; take the step's own
                   solution at tn (a collapsing c_e ~1e-19 mol/m3 would otherwise come back as -1e-19) */
                double tn = tret;
                IDAGetCurrentTime(c->ida, &tn);
                if (tn != tret && IDAGetDky(c->ida, tn, 0, c->y) == IDA_SUCCESS &&
                    IDAGetDky(c->ida, tn, 1, c->yp) == IDA_SUCCESS)
                    tret = tn;
                f = IDA_SUCCESS;
            }
            if (tret > tprev) {
                /* the voltage is algebraic (outside the error test): limit the next step so that it moves at most
                   about numerics.max_dV, and store interpolated points (IDA's interpolating polynomial of this step)
                   where one step moved it more, so that the stored curve follows a fast fall (end of discharge) */
                double V = ssbi_model_voltage(m, y), rate = fabs(V - vprev) / (tret - tprev);
                double h = rate > 0 && m->v.num.max_dV > 0 ? m->v.num.max_dV / rate : INFINITY;
                h = fmin(h, hmax_user);
                IDASetMaxStep(c->ida, isfinite(h) ? h : 0.0);
                /* IDA chose its next step when it completed this one, under the old limit: a stop time at tret + h
                   limits that step too (without it the limit lags one step, and a step that grows through a quiet
                   stretch can jump across the end-of-discharge knee: 119 s and 0.8 V in one step, DUALFOIL case MS
                   at 0.2C and 80 x 60 cells, whose interpolated voltage then missed the curve by 0.1-0.3 V); not for
                   the tiny steps of a collapse, which IDA resolves itself */
                double tn = tret, hnext = 0;
                IDAGetCurrentTime(c->ida, &tn);
                IDAGetCurrentStep(c->ida, &hnext);
                double tlim = tret + SSBI_DV_OVERSHOOT * h;
                int lim = isfinite(h) && tn + hnext > tlim && tlim < tstop && tlim > tn &&
                          h > SSBI_STALL_FRACTION * (tret - sr.t_start);
                IDASetStopTime(c->ida, lim ? tlim : tstop);
                SSB_CHECK(ctx, densify(R, s, tprev, tret, vprev, V));
                vprev = V;
            }
            t = tret;
            nstep++;
            if (m->liquid) {
                /* the voltage collapse of a depleted electrolyte (the limiting current) ends in steps that no longer
                   advance: end there as a physical end (issue 7 item 4), not after numerics.max_steps */
                tring[nstep % SSBI_STALL_STEPS] = t;
                if (nstep >= SSBI_STALL_STEPS &&
                    t - tring[(nstep + 1) % SSBI_STALL_STEPS] < SSBI_STALL_FRACTION * (t - sr.t_start) &&
                    depleted_end(R, &sr, s, ps->text, t, "the voltage runs away")) {
                    why = SSB_CELL_END_DEPLETED;
                    break;
                }
            }
            SSB_CHECK(ctx, add_profiles_upto(R, t, tprev));
            tprev = t;
            if (f == IDA_ROOT_RETURN) {
                int rf[NROOT] = {0};
                IDAGetRootInfo(c->ida, rf);
                if (rf[RT_V]) {
                    why = SSB_CELL_END_VOLTAGE;
                    break;
                }
                if (rf[RT_I]) {
                    why = SSB_CELL_END_CURRENT;
                    break;
                }
                char sm[256];
                state_msg(m, y, sm, sizeof sm);
                if (rf[RT_LI]) {
                    /* the discharge has stripped all the Li the foil holds: the model has no foil thickness (it
                       strips on from a planar interface), so it says so instead of ending the step, which would
                       change every design that thickens the cathode without the foil */
                    ssbi_log(ctx, SSB_LOG_WARN, "cell",
                             "step %d ('%s'): the discharge has stripped all %.4g mAh/cm2 of Li in the %.4g um "
                             "Li-metal foil at t = %.6g s and goes on with Li the cell does not have (the model "
                             "does not deplete the foil; negative.thickness_um sets it); state: %s",
                             s + 1, ps->text, c->li_charge / 36000.0, m->v.li.thickness * 1e6, t, sm);
                    if (!rf[RT_V] && !rf[RT_I] && !rf[RT_STO] && !rf[RT_VMIN] && !rf[RT_VMAX])
                        continue;
                }
                if (rf[RT_STO]) {
                    /* the whole electrode is exhausted: it takes no more charge at this current (the voltage falls
                       without bound). The step ends here, as DUALFOIL ends a leg: a stop criterion, not an error
                       (issue 7 item 4: the stop criterion is the cell voltage or the whole electrode). */
                    double thmin, thmax;
                    int side;
                    ssbi_model_sto_margin(m, y, &thmin, &thmax, &side);
                    ssbi_log(ctx, SSB_LOG_INFO, "cell",
                             "step %d ('%s') ends: the %s electrode is exhausted (every particle surface %g beyond "
                             "its limit) at t = %.6g s; state: %s",
                             s + 1, ps->text, side == 1 ? "positive" : "negative", SSBI_EXHAUSTED_OVERFILL, t, sm);
                    why = SSB_CELL_END_EXHAUSTED;
                    break;
                }
                if ((rf[RT_VMIN] && y[m->i_I] > 0) || (rf[RT_VMAX] && y[m->i_I] < 0)) {
                    /* a discharge that reaches the window's floor (a charge its ceiling) has no voltage left to give:
                       the window acts as its cut-off (as DUALFOIL's floor ends a timed leg), a physical end */
                    ssbi_log(ctx, SSB_LOG_INFO, "cell",
                             "step %d ('%s') ends: the voltage reached the safety window's %s %g V at t = %.6g s "
                             "(voltage_%s_V); state: %s",
                             s + 1, ps->text, rf[RT_VMIN] ? "floor" : "ceiling",
                             rf[RT_VMIN] ? m->v.cell.V_min : m->v.cell.V_max, t, rf[RT_VMIN] ? "min" : "max", sm);
                    why = SSB_CELL_END_VOLTAGE;
                    break;
                }
                return SSB_ERROR(ctx, SSB_ERR_RANGE,
                                 "step %d ('%s'): the voltage left the safety window [%g, %g] V at t = %.6g s "
                                 "(set voltage_min_V / voltage_max_V); state: %s",
                                 s + 1, ps->text, m->v.cell.V_min, m->v.cell.V_max, t, sm);
            }
            if (f == IDA_TSTOP_RETURN) {
                if (isnan(ps->duration)) {
                    char sm[256];
                    state_msg(m, y, sm, sizeof sm);
                    return SSB_ERROR(ctx, SSB_ERR_CUTOFF,
                                     "cut-off never reached in step %d ('%s') within %g s "
                                     "(numerics.max_step_duration_s); state: %s",
                                     s + 1, ps->text, dur, sm);
                }
                why = SSB_CELL_END_DURATION;
                break;
            }
            if (nstep > m->v.num.max_steps && depleted_end(R, &sr, s, ps->text, t, "the solver cannot continue")) {
                why = SSB_CELL_END_DEPLETED;
                break;
            }
            if (nstep > m->v.num.max_steps) {
                char sm[256];
                state_msg(m, y, sm, sizeof sm);
                return SSB_ERROR(ctx, SSB_ERR_NOCONV,
                                 "solver failure in step %d ('%s') at t = %.6g s: more than %ld internal steps "
                                 "(numerics.max_steps); state: %s",
                                 s + 1, ps->text, t, m->v.num.max_steps, sm);
            }
            if (nstep % R->rp->record_every == 0)
                SSB_CHECK(ctx, record(R, t, y, s));
            if ((nstep & 63) == 0)
                SSB_CHECK(ctx, ssbi_progress(ctx, "cell", s + fmin(1.0, (t - sr.t_start) / dur), nsteps));
        }
        SSB_CHECK(ctx, add_profiles_upto(R, t, tprev));
        /* always store the step end (replacing a point stored at the same instant of this step) */
        if (R->res->n - 1 >= sr.first && R->res->ser[SSB_CELL_T][R->res->n - 1] == t)
            R->res->n--;
        SSB_CHECK(ctx, record(R, t, y, s));
        if (R->rp->profiles_at_step_ends)
            SSB_CHECK(ctx, ssbi_result_add_profile(ctx, R->res, m, y, t));
        add_stats(c, st);
        sr.end = why;
        sr.t_end = t;
        sr.last = R->res->n - 1;
        sr.v_end = ssbi_model_voltage(m, y);
        sr.capacity = y[m->i_Q] - Q0;
        sr.energy = y[m->i_E] - E0;
        sr.i_mean = t > sr.t_start ? sr.capacity / (t - sr.t_start) : y[m->i_I];
        step_mean(R->res, sr.first, sr.last, &sr);
        if (sr.capacity != 0 && isfinite(sr.energy)) {
            /* mean voltage = energy / charge, both integrated exactly by the solver (states of the DAE); the
               residual of the mean breakdown takes the (small) difference from the trapezoid over stored points */
            double vm = sr.energy / sr.capacity;
            sr.mean.residual += sr.mean.voltage - vm;
            sr.mean.voltage = vm;
        }
        SSB_CHECK(ctx, ssbi_result_add_step(ctx, R->res, &sr));
        /* a voltage limit that cut a timed step short ends its Repeat block (GITT: pulse until the cut-off) */
        if ((why == SSB_CELL_END_VOLTAGE || why == SSB_CELL_END_EXHAUSTED || why == SSB_CELL_END_DEPLETED ||
             why == SSB_CELL_END_SATURATED) &&
            ps->block >= 0 && !isnan(ps->duration))
            skip_block = ps->block;
        SSB_CHECK(ctx, ssbi_progress(ctx, "cell", s + 1, nsteps));
    }
    return SSB_OK;
}

int ssb_cell_run(ssb_ctx *ctx, ssb_cell *c, const ssb_cell_protocol *proto, const ssb_cell_run_params *rp,
                 ssb_cell_result **out)
{
    SSB_REQUIRE(ctx, c && proto && out, SSB_ERR_ARG, "ssb_cell_run: NULL argument");
    *out = NULL;
    ssb_cell_run_params def = ssb_cell_run_params_default();
    if (!rp)
        rp = &def;
    SSB_REQUIRE(ctx, rp->record_every >= 1, SSB_ERR_RANGE, "record_every = %d must be >= 1", rp->record_every);
    SSB_REQUIRE(ctx, rp->nprofiles == 0 || rp->profile_times, SSB_ERR_ARG, "profile_times is NULL");
    for (int i = 1; i < rp->nprofiles; i++)
        SSB_REQUIRE(ctx, rp->profile_times[i] >= rp->profile_times[i - 1], SSB_ERR_ARG,
                    "profile_times must be sorted (%g after %g)", rp->profile_times[i], rp->profile_times[i - 1]);
    double t0 = now_s();
    c->start_failed = 0;
    runctx R = {.ctx = ctx, .c = c, .rp = rp, .ptimes = rp->profile_times, .nptimes = rp->nprofiles};
    SSB_CHECK(ctx, ssbi_result_create(ctx, c->m->ncv, &R.res));
    R.res->has_breakdown = rp->breakdown;
    R.res->mass = c->m->der.mass;
    R.res->volume = c->m->der.volume;
    int rc = run_steps(&R, proto);
    if (rc != SSB_OK) {
        ssb_cell_result_destroy(&R.res);
        return rc;
    }
    R.res->stats.wall = now_s() - t0;
    *out = R.res;
    return SSB_OK;
}

int ssb_cell_run_protocol(ssb_ctx *ctx, ssb_cell *c, const char *text, const ssb_cell_run_params *rp,
                          ssb_cell_result **out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_cell_run_protocol: NULL argument");
    *out = NULL;
    ssb_cell_protocol *p = NULL;
    SSB_CHECK(ctx, ssb_cell_protocol_parse(ctx, text, &p));
    int rc = ssb_cell_run(ctx, c, p, rp, out);
    ssb_cell_protocol_destroy(&p);
    return rc;
}

static ssb_cell_loss largest_loss(const ssb_cell_breakdown *b)
{
    ssb_cell_loss k = SSB_CELL_LOSS_IONIC_SEP;
    for (int i = 1; i < SSB_CELL_LOSS_COUNT; i++)
        if (fabs(b->loss[i]) > fabs(b->loss[k]))
            k = (ssb_cell_loss)i;
    return k;
}

/* "not sustained: ..." with the voltage at t = 0+, the cut-off, the OCV and the three largest losses. */
static void not_sustained_reason(ssb_cell_rate_point *o, double v_cut)
{
    const ssb_cell_breakdown *b = &o->start;
    double tot = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        tot += b->loss[k];
    int n = snprintf(o->reason, sizeof o->reason,
                     "not sustained: at %gC the voltage under load at t = 0+ is %.4f V, at or below the %.4g V cut-off "
                     "(OCV %.4f V, total overpotential %.1f mV; largest:",
                     o->crate, b->voltage, v_cut, b->ocv, tot * 1e3);
    int used[SSB_CELL_LOSS_COUNT] = {0};
    for (int r = 0; r < 3 && n > 0 && (size_t)n < sizeof o->reason; r++) {
        int best = -1;
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            if (!used[k] && (best < 0 || fabs(b->loss[k]) > fabs(b->loss[best])))
                best = k;
        if (best < 0 || b->loss[best] == 0.0)
            break;
        used[best] = 1;
        n += snprintf(o->reason + n, sizeof o->reason - (size_t)n, "%s %s %.1f mV", r ? "," : "",
                      ssb_cell_loss_name((ssb_cell_loss)best), b->loss[best] * 1e3);
    }
    if (n > 0 && (size_t)n < sizeof o->reason)
        snprintf(o->reason + n, sizeof o->reason - (size_t)n, ")");
}

int ssb_cell_rate_sweep_last_sustained(int n, const ssb_cell_rate_point *pts)
{
    int best = -1;
    for (int i = 0; pts && i < n; i++)
        if (pts[i].sustained && (best < 0 || pts[i].crate > pts[best].crate))
            best = i;
    return best;
}

int ssb_cell_rate_sweep(ssb_ctx *ctx, ssb_cell *c, int n, const double *crates, double v_cut, ssb_cell_rate_point *out,
                        ssb_cell_result **results)
{
    SSB_REQUIRE(ctx, c && crates && out && n >= 1, SSB_ERR_ARG, "ssb_cell_rate_sweep: bad argument");
    if (results)
        for (int i = 0; i < n; i++)
            results[i] = NULL;
    double I1 = c->m->der.nominal_capacity / 3600.0;
    int rc = SSB_OK;
    for (int i = 0; i < n && rc == SSB_OK; i++) {
        if (!(crates[i] > 0 && isfinite(crates[i]))) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "C-rate %d = %g must be positive", i, crates[i]);
            break;
        }
        ssb_cell_step step;
        memset(&step, 0, sizeof step);
        char text[96];
        snprintf(text, sizeof text, "Discharge at %gC until %g V", crates[i], v_cut);
        step.kind = SSB_CELL_STEP_CURRENT;
        step.crate = 1;
        step.value = crates[i];
        step.duration = NAN;
        step.v_cut = v_cut;
        step.i_cut = NAN;
        step.block = -1;
        step.line = 1;
        step.text = text;
        ssb_cell_protocol proto = {.n = 1, .cap = 1, .steps = &step};
        ssb_cell_run_params rp = ssb_cell_run_params_default();
        ssb_cell_result *r = NULL;
        rc = ssb_cell_run(ctx, c, &proto, &rp, &r);
        if (rc == SSB_ERR_NOCONV && c->start_failed) {
            /* no consistent state under this current at t = 0+ (e.g. the particle surfaces would have to pass their
               limit at once): the rate cannot be carried; no loss breakdown exists */
            ssb_cell_rate_point *o = &out[i];
            memset(o, 0, sizeof *o);
            o->crate = crates[i];
            o->current = crates[i] * I1;
            o->sustained = 0;
            o->v_mean = NAN;
            o->start.ocv = o->start.voltage = o->start.residual = NAN;
            for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
                o->start.loss[k] = NAN;
            o->mean = o->start;
            o->bottleneck = SSB_CELL_LOSS_IONIC_SEP; /* a valid index; meaningless here (the losses are NaN) */
            snprintf(o->reason, sizeof o->reason,
                     "not sustained: at %gC no consistent state under load exists at t = 0+ (%.*s)", crates[i],
                     (int)(sizeof o->reason - 96), ssb_ctx_get_error(ctx));
            ssb_ctx_clear_error(ctx);
            rc = SSB_OK;
            continue;
        }
        if (rc != SSB_OK)
            break;
        ssb_cell_rate_point *o = &out[i];
        memset(o, 0, sizeof *o);
        o->crate = crates[i];
        o->current = crates[i] * I1;
        ssb_cell_step_result sr;
        rc = ssb_cell_result_step(ctx, r, 0, &sr);
        if (rc == SSB_OK)
            rc = ssb_cell_result_breakdown_at(ctx, r, sr.first, &o->start);
        if (rc == SSB_OK && sr.end == SSB_CELL_END_VOLTAGE && !(sr.t_end > sr.t_start)) {
            /* the voltage under load at t = 0+ is already at the cut-off: the rate cannot be carried */
            o->sustained = 0;
            o->v_mean = NAN;
            o->mean = o->start;
            o->bottleneck = largest_loss(&o->start);
            not_sustained_reason(o, v_cut);
        } else if (rc == SSB_OK && (sr.end == SSB_CELL_END_DEPLETED || sr.end == SSB_CELL_END_SATURATED)) {
            /* the electrolyte runs out (or the particle surfaces saturate) before the cut-off: the rate is not
               sustained to it (the limiting current); what it delivered until then is kept, it has no bottleneck */
            o->sustained = 0;
            o->capacity = sr.capacity;
            o->energy = sr.energy;
            o->v_mean = sr.capacity > 0 ? sr.energy / sr.capacity : NAN;
            double m_am = ssb_cell_get_derived(c)->mass_am_pos;
            o->specific_capacity = m_am > 0 ? sr.capacity / m_am : NAN;
            o->mean = sr.mean;
            o->bottleneck = largest_loss(&sr.mean);
            rc = ssb_cell_result_energy_density(ctx, r, 0, &o->wh_per_kg, &o->wh_per_l);
            if (sr.end == SSB_CELL_END_SATURATED) {
                snprintf(o->reason, sizeof o->reason,
                         "not sustained: at %gC the %s particle surfaces from x = %.4g to %.4g um are %s and the "
                         "reaction does not move deeper (the solver cannot continue) at t = %.6g s, V = %.4f V, above "
                         "the %.4g V cut-off, after %.4g mAh/cm2",
                         crates[i], sr.saturated_region == SSBI_REG_POS ? "positive" : "negative",
                         sr.saturated_from_x * 1e6, sr.saturated_to_x * 1e6,
                         sr.saturated_theta > 0.5 ? "full" : "empty", sr.t_end, sr.v_end, v_cut,
                         ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, sr.capacity));
            } else {
                snprintf(
                    o->reason, sizeof o->reason,
                    "not sustained: at %gC the electrolyte is depleted from x = %.4g to %.4g um (%s) and the voltage "
                    "runs away (the limiting current) at t = %.6g s, V = %.4f V, above the %.4g V cut-off, after "
                    "%.4g mAh/cm2",
                    crates[i], sr.depleted_from_x * 1e6, sr.depleted_to_x * 1e6,
                    sr.depleted_region == SSBI_REG_POS   ? "positive electrode"
                    : sr.depleted_region == SSBI_REG_SEP ? "separator"
                                                         : "negative electrode",
                    sr.t_end, sr.v_end, v_cut, ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, sr.capacity));
            }
        } else if (rc == SSB_OK) {
            o->sustained = 1;
            o->capacity = sr.capacity;
            o->energy = sr.energy;
            o->v_mean = sr.capacity > 0 ? sr.energy / sr.capacity : NAN;
            double m_am = ssb_cell_get_derived(c)->mass_am_pos;
            o->specific_capacity = m_am > 0 ? sr.capacity / m_am : NAN;
            o->mean = sr.mean;
            rc = ssb_cell_result_energy_density(ctx, r, 0, &o->wh_per_kg, &o->wh_per_l);
            if (rc == SSB_OK)
                rc = ssb_cell_result_bottleneck(ctx, r, 0, &o->bottleneck, NULL);
        }
        if (results && rc == SSB_OK)
            results[i] = r;
        else
            ssb_cell_result_destroy(&r);
    }
    if (rc != SSB_OK && results)
        for (int i = 0; i < n; i++)
            ssb_cell_result_destroy(&results[i]);
    return rc;
}
