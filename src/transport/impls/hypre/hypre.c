/* "hypre": the baseline backend. Assembles the 7-point matrix on the unknowns (IJ interface, ParCSR; rows in the
 * z-slab order of the front end, so a distributed run only has to split the plane range) and solves it with
 * BoomerAMG-preconditioned CG. Runs on MPI_COMM_SELF; MPI is initialised on first use if the caller has not.
 * hypre offers no per-iteration callback: progress is reported (and cancellation honoured) between solves. */
#include "transport/transport_impl.h"

#include <HYPRE.h>
#include <HYPRE_IJ_mv.h>
#include <HYPRE_parcsr_ls.h>
#include <mpi.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hypre_ready = 0;

/* MPI_Init allocates process-lifetime state that OpenMPI never frees; keep it out of LeakSanitizer's report in
 * sanitizer builds (the leak check of our own allocations stays on). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define SSBI_LSAN_OFF() __lsan_disable()
#define SSBI_LSAN_ON() __lsan_enable()
#else
#define SSBI_LSAN_OFF() ((void)0)
#define SSBI_LSAN_ON() ((void)0)
#endif

static int init_mpi(ssb_ctx *ctx)
{
    int flag = 0;
    MPI_Initialized(&flag);
    if (!flag) {
        int fin = 0;
        MPI_Finalized(&fin);
        if (fin) return SSB_ERROR(ctx, SSB_ERR_BACKEND, "hypre: MPI was already finalised");
        SSBI_LSAN_OFF();
        int rc = MPI_Init(NULL, NULL);
        SSBI_LSAN_ON();
        if (rc != MPI_SUCCESS) return SSB_ERROR(ctx, SSB_ERR_BACKEND, "hypre: MPI_Init failed");
    }
    if (!hypre_ready) {
        SSBI_LSAN_OFF();
        HYPRE_Init();
        SSBI_LSAN_ON();
        hypre_ready = 1;
    }
    return SSB_OK;
}

#define HCHECK(call)                                                                                          \
    do {                                                                                                      \
        HYPRE_Int herr_ = (call);                                                                             \
        if (herr_ != 0) {                                                                                     \
            char hmsg_[256];                                                                                  \
            HYPRE_DescribeError(herr_, hmsg_);                                                                \
            HYPRE_ClearAllErrors();                                                                           \
            rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "hypre: %s failed (%d: %s)", #call, (int)herr_, hmsg_);      \
            goto out;                                                                                         \
        }                                                                                                     \
    } while (0)

/* Longer than 150 lines on purpose: hypre's create / set / assemble / setup / solve / destroy sequence with one
 * cleanup path (HYPRE_CALL jumps to out) reads best in one function. */
int ssbi_transport_solve_hypre(ssb_ctx *ctx, const ssbi_tproblem *p, const ssb_transport_params *par,
                               int nthreads, ssbi_tsolution *sol)
{
    (void)nthreads; /* hypre here is built without OpenMP */
    SSB_CHECK(ctx, init_mpi(ctx));
    const int64_t rss0 = ssbi_rss_bytes();
    const double ts = ssbi_transport_wtime();
    const int64_t nx = p->n[0], ny = p->n[1], nz = p->n[2], npl = nx * ny, n = p->nunk;
    const int64_t n0 = p->plane_start[1], hs = p->plane_start[nz - 1];
    const int st = p->nph + 1;
    int rc = SSB_OK;
    HYPRE_IJMatrix A = NULL;
    HYPRE_IJVector b = NULL, x = NULL;
    HYPRE_Solver pcg = NULL, amg = NULL;
    int32_t *map = NULL;
    HYPRE_BigInt *rows = NULL, *cols = NULL;
    HYPRE_Int *ncols = NULL;
    double *vals = NULL, *bv = NULL;
    MPI_Comm comm = MPI_COMM_SELF;

    map = ssbi_malloc(ctx, (size_t)(npl * nz) * 4, "hypre index map");
    if (!map) return SSB_ERR_NOMEM;
    for (int64_t z = 0; z < nz; z++) {
        int64_t c = p->plane_start[z];
        for (int64_t v = z * npl; v < (z + 1) * npl; v++) map[v] = p->ph[v] ? (int32_t)c++ : -1;
    }
    const int64_t bmax = npl > 0 ? npl : 1;
    rows = ssbi_malloc(ctx, (size_t)bmax * sizeof *rows, "hypre rows");
    ncols = ssbi_malloc(ctx, (size_t)bmax * sizeof *ncols, "hypre rows");
    cols = ssbi_malloc(ctx, (size_t)bmax * 7 * sizeof *cols, "hypre columns");
    vals = ssbi_malloc(ctx, (size_t)bmax * 7 * sizeof *vals, "hypre values");
    bv = ssbi_calloc(ctx, (size_t)(n0 > 0 ? n0 : 1), sizeof *bv, "hypre rhs");
    if (!rows || !ncols || !cols || !vals || !bv) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    HCHECK(HYPRE_IJMatrixCreate(comm, 0, (HYPRE_BigInt)(n - 1), 0, (HYPRE_BigInt)(n - 1), &A));
    HCHECK(HYPRE_IJMatrixSetObjectType(A, HYPRE_PARCSR));
    HCHECK(HYPRE_IJMatrixInitialize(A));
    for (int64_t z = 0; z < nz; z++) {
        HYPRE_Int nr = 0, nc = 0;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t xx = 0; xx < nx; xx++) {
                const int64_t v = xx + nx * (y + ny * z);
                const int32_t i = map[v];
                if (i < 0) continue;
                const int pa = (p->ph[v] - 1) * st;
                int64_t nbv[6] = {xx > 0 ? v - 1 : -1,       xx + 1 < nx ? v + 1 : -1, y > 0 ? v - nx : -1,
                                  y + 1 < ny ? v + nx : -1,  z > 0 ? v - npl : -1,     z + 1 < nz ? v + npl : -1};
                double d = 0.0;
                HYPRE_Int c0 = nc;
                cols[nc] = i;
                vals[nc++] = 0.0;
                for (int k = 0; k < 6; k++) {
                    if (nbv[k] < 0 || map[nbv[k]] < 0) continue;
                    double g = p->gface[k >> 1][pa + p->ph[nbv[k]] - 1];
                    d += g;
                    cols[nc] = map[nbv[k]];
                    vals[nc++] = -g;
                }
                if (i < n0) d += p->gd_lo[i];
                if (i >= hs) d += p->gd_hi[i - hs];
                vals[c0] = d;
                rows[nr] = i;
                ncols[nr++] = nc - c0;
            }
        if (nr > 0) HCHECK(HYPRE_IJMatrixSetValues(A, nr, ncols, rows, cols, vals));
    }
    HCHECK(HYPRE_IJMatrixAssemble(A));
    free(map);
    map = NULL;
    HYPRE_ParCSRMatrix pA;
    HCHECK(HYPRE_IJMatrixGetObject(A, (void **)&pA));

    HCHECK(HYPRE_IJVectorCreate(comm, 0, (HYPRE_BigInt)(n - 1), &b));
    HCHECK(HYPRE_IJVectorSetObjectType(b, HYPRE_PARCSR));
    HCHECK(HYPRE_IJVectorInitialize(b));
    HCHECK(HYPRE_IJVectorCreate(comm, 0, (HYPRE_BigInt)(n - 1), &x));
    HCHECK(HYPRE_IJVectorSetObjectType(x, HYPRE_PARCSR));
    HCHECK(HYPRE_IJVectorInitialize(x));
    {
        /* set values in plane-sized chunks */
        for (int64_t s = 0; s < n; s += bmax) {
            HYPRE_Int m = (HYPRE_Int)(n - s < bmax ? n - s : bmax);
            for (HYPRE_Int k = 0; k < m; k++) {
                rows[k] = (HYPRE_BigInt)(s + k);
                vals[k] = s + k < n0 ? p->gd_lo[s + k] : 0.0;
            }
            HCHECK(HYPRE_IJVectorSetValues(b, m, rows, vals));
            HCHECK(HYPRE_IJVectorSetValues(x, m, rows, sol->x + s));
        }
    }
    HCHECK(HYPRE_IJVectorAssemble(b));
    HCHECK(HYPRE_IJVectorAssemble(x));
    HYPRE_ParVector pb, px;
    HCHECK(HYPRE_IJVectorGetObject(b, (void **)&pb));
    HCHECK(HYPRE_IJVectorGetObject(x, (void **)&px));

    HCHECK(HYPRE_ParCSRPCGCreate(comm, &pcg));
    HCHECK(HYPRE_PCGSetTwoNorm(pcg, 1));
    HCHECK(HYPRE_PCGSetLogging(pcg, 1));
    HCHECK(HYPRE_BoomerAMGCreate(&amg));
    HCHECK(HYPRE_BoomerAMGSetCoarsenType(amg, 10));     /* HMIS */
    HCHECK(HYPRE_BoomerAMGSetInterpType(amg, 6));       /* extended+i */
    HCHECK(HYPRE_BoomerAMGSetPMaxElmts(amg, 4));
    HCHECK(HYPRE_BoomerAMGSetStrongThreshold(amg, 0.5)); /* 3-D */
    HCHECK(HYPRE_BoomerAMGSetRelaxType(amg, 8));        /* l1 symmetric Gauss-Seidel */
    HCHECK(HYPRE_BoomerAMGSetNumSweeps(amg, 1));
    HCHECK(HYPRE_BoomerAMGSetMaxIter(amg, 1));
    HCHECK(HYPRE_BoomerAMGSetTol(amg, 0.0));
    HCHECK(HYPRE_BoomerAMGSetPrintLevel(amg, 0));
    HCHECK(HYPRE_PCGSetPrecond(pcg, (HYPRE_PtrToSolverFcn)HYPRE_BoomerAMGSolve,
                               (HYPRE_PtrToSolverFcn)HYPRE_BoomerAMGSetup, amg));
    HCHECK(HYPRE_PCGSetMaxIter(pcg, (HYPRE_Int)par->max_iter));
    HCHECK(HYPRE_PCGSetTol(pcg, par->rtol));
    HCHECK(HYPRE_ParCSRPCGSetup(pcg, pA, pb, px));
    sol->setup_time_s = ssbi_transport_wtime() - ts;

    double tol = par->rtol;
    int64_t total_it = 0;
    sol->converged = 0;
    snprintf(sol->reason, sizeof sol->reason, "max_iter reached");
    for (;;) {
        HCHECK(HYPRE_PCGSetMaxIter(pcg, (HYPRE_Int)(par->max_iter - total_it)));
        HCHECK(HYPRE_PCGSetTol(pcg, tol));
        HYPRE_Int herr = HYPRE_ParCSRPCGSolve(pcg, pA, pb, px);
        if (herr != 0 && !HYPRE_CheckError(herr, HYPRE_ERROR_CONV)) HCHECK(herr);
        HYPRE_ClearAllErrors();
        HYPRE_Int its = 0;
        double relres = 0.0;
        HCHECK(HYPRE_PCGGetNumIterations(pcg, &its));
        HCHECK(HYPRE_PCGGetFinalRelativeResidualNorm(pcg, &relres));
        total_it += its;
        sol->rel_residual = relres;
        for (int64_t s = 0; s < n; s += bmax) {
            HYPRE_Int m = (HYPRE_Int)(n - s < bmax ? n - s : bmax);
            for (HYPRE_Int k = 0; k < m; k++) rows[k] = (HYPRE_BigInt)(s + k);
            HCHECK(HYPRE_IJVectorGetValues(x, m, rows, sol->x + s));
        }
        const double total = -log10(par->rtol);
        rc = ssbi_progress(ctx, p->stage, fmin(total, -log10(fmax(relres, 1e-300))), total);
        if (rc != SSB_OK) goto out;
        double a, c;
        ssbi_transport_currents(p, sol->x, &a, &c);
        const double mm = ssbi_transport_mismatch(a, c);
        if (relres <= par->rtol && mm <= par->flux_tol) {
            sol->converged = 1;
            snprintf(sol->reason, sizeof sol->reason, "rtol and flux_tol reached");
            break;
        }
        if (total_it >= par->max_iter || !isfinite(relres)) {
            snprintf(sol->reason, sizeof sol->reason, "max_iter = %lld reached", (long long)par->max_iter);
            break;
        }
        if (its == 0 || tol < 1e-15) {
            snprintf(sol->reason, sizeof sol->reason, "no further progress (relative residual %.3g)", relres);
            break;
        }
        tol = fmin(tol, relres) * 0.1; /* tighten: flux test failed */
    }
    sol->iterations = total_it;
    {
        int64_t r1 = ssbi_rss_bytes();
        sol->peak_bytes = r1 > rss0 ? r1 - rss0 : 0;
    }

out:
    if (pcg) HYPRE_ParCSRPCGDestroy(pcg);
    if (amg) HYPRE_BoomerAMGDestroy(amg);
    if (A) HYPRE_IJMatrixDestroy(A);
    if (b) HYPRE_IJVectorDestroy(b);
    if (x) HYPRE_IJVectorDestroy(x);
    free(map);
    free(rows);
    free(ncols);
    free(cols);
    free(vals);
    free(bv);
    return rc;
}
