/* Condensed direct linear solver for the cell DAE (a SUNDIALS "custom" SUNLinearSolver of direct type).
 *
 * The iteration matrix J = dF/dy + cj dF/dy' has, per electrode control volume, a tridiagonal particle block P
 * (the shells) that couples to the rest only through the interfacial current j of that control volume: the last
 * shell row has a j column (the surface flux) and the j row has a c_last column (U(c_surf), i0(c_surf)). The
 * particle unknowns are eliminated exactly (static condensation):
 *     P c + b j e_last = r_c          ->  c = P^-1 r_c - z j,   z = b P^-1 e_last
 *     u c_last + (reduced terms) = r_j ->  (J_jj - u z_last) j + ... = r_j - u (P^-1 r_c)_last
 * and the remaining (Schur complement) system in the potentials, j, c_e and the global unknowns is factorised with
 * KLU (SuiteSparse). P is an M-matrix (cj I + diffusion), so the Thomas algorithm needs no pivoting.
 * IDA still evaluates the full sparse Jacobian (analytic, cell_model.c) into a CSC SUNMatrix; setup scatters it
 * into the blocks through a map built once from the sparsity pattern. */
#include "cell_impl.h"

#include <klu.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_linearsolver.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { DST_RED = 0, DST_DIAG, DST_LOW, DST_UP, DST_B, DST_U };

typedef struct {
    ssbi_model *m;
    int nel; /* electrode control volumes */
    int nr;
    long N, nred, nnz;
    long *ridx;                   /* full -> reduced index (-1: particle unknown) */
    long *rfull;                  /* reduced -> full */
    int *pel;                     /* full index -> electrode CV number for particle unknowns (-1 otherwise) */
    long *ptr_j;                  /* full index of j of electrode CV e */
    long *ptr_c0;                 /* full index of the first shell of electrode CV e */
    long *jj_pos;                 /* reduced CSC position of (j_e, j_e) */
    unsigned char *dtype;         /* per full CSC entry */
    long *dpos;                   /* per full CSC entry: destination index */
    double *pd, *pl, *pu, *b, *u; /* blocks (nel x nr, nel) */
    double *cp, *minv, *z;        /* Thomas factors and z (nel x nr) */
    double *w;                    /* work (nr) */
    SuiteSparse_long *Ap, *Ai;
    double *Ax, *rb;
    klu_l_common com;
    klu_l_symbolic *sym;
    klu_l_numeric *num;
    long last_flag;
} condls;

#define CONTENT(S) ((condls *)(S)->content)

static SUNLinearSolver_Type cl_gettype(SUNLinearSolver S)
{
    (void)S;
    return SUNLINEARSOLVER_DIRECT;
}

static SUNLinearSolver_ID cl_getid(SUNLinearSolver S)
{
    (void)S;
    return SUNLINEARSOLVER_CUSTOM;
}

static int cl_initialize(SUNLinearSolver S)
{
    CONTENT(S)->last_flag = SUNLS_SUCCESS;
    return SUNLS_SUCCESS;
}

/* Thomas factorisation of block e (in place: cp, minv) and z = b P^-1 e_last */
static void factor_block(condls *L, int e)
{
    int n = L->nr;
    const double *d = L->pd + (size_t)e * n, *a = L->pl + (size_t)e * n, *c = L->pu + (size_t)e * n;
    double *cp = L->cp + (size_t)e * n, *mi = L->minv + (size_t)e * n, *z = L->z + (size_t)e * n;
    double mm = d[0];
    mi[0] = 1.0 / mm;
    cp[0] = c[0] * mi[0];
    for (int k = 1; k < n; k++) {
        mm = d[k] - a[k] * cp[k - 1];
        mi[k] = 1.0 / mm;
        cp[k] = k < n - 1 ? c[k] * mi[k] : 0.0;
    }
    /* solve P z = b e_last */
    for (int k = 0; k < n - 1; k++)
        z[k] = 0.0; /* forward sweep of a zero rhs stays zero */
    z[n - 1] = L->b[e] * mi[n - 1];
    for (int k = n - 2; k >= 0; k--)
        z[k] = -cp[k] * z[k + 1];
}

static void solve_block(const condls *L, int e, const double *f, double *x)
{
    int n = L->nr;
    const double *a = L->pl + (size_t)e * n, *cp = L->cp + (size_t)e * n, *mi = L->minv + (size_t)e * n;
    x[0] = f[0] * mi[0];
    for (int k = 1; k < n; k++)
        x[k] = (f[k] - a[k] * x[k - 1]) * mi[k];
    for (int k = n - 2; k >= 0; k--)
        x[k] -= cp[k] * x[k + 1];
}

static int cl_setup(SUNLinearSolver S, SUNMatrix A)
{
    condls *L = CONTENT(S);
    const double *v = SUNSparseMatrix_Data(A);
    double *dst[6] = {L->Ax, L->pd, L->pl, L->pu, L->b, L->u};
    for (long q = 0; q < L->nnz; q++)
        dst[L->dtype[q]][L->dpos[q]] = v[q];
    for (int e = 0; e < L->nel; e++) {
        factor_block(L, e);
        L->Ax[L->jj_pos[e]] -= L->u[e] * L->z[(size_t)e * L->nr + L->nr - 1];
    }
    if (!L->sym) {
        L->sym = klu_l_analyze(L->nred, L->Ap, L->Ai, &L->com);
        if (!L->sym)
            return (int)(L->last_flag = SUNLS_PACKAGE_FAIL_UNREC);
    }
    int ok = 0;
    if (L->num) {
        ok = klu_l_refactor(L->Ap, L->Ai, L->Ax, L->sym, L->num, &L->com);
        if (ok) {
            klu_l_rcond(L->sym, L->num, &L->com);
            if (!(L->com.rcond > 1e-14))
                ok = 0;
        }
        if (!ok)
            klu_l_free_numeric(&L->num, &L->com);
    }
    if (!L->num) {
        L->num = klu_l_factor(L->Ap, L->Ai, L->Ax, L->sym, &L->com);
        if (!L->num)
            return (int)(L->last_flag = SUNLS_LUFACT_FAIL);
    }
    return (int)(L->last_flag = SUNLS_SUCCESS);
}

static int cl_solve(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, sunrealtype tol)
{
    (void)A;
    (void)tol;
    condls *L = CONTENT(S);
    const double *bd = NV_DATA_S(b);
    double *xd = NV_DATA_S(x);
    int n = L->nr;
    for (long r = 0; r < L->nred; r++)
        L->rb[r] = bd[L->rfull[r]];
    for (int e = 0; e < L->nel; e++) {
        double *xc = xd + L->ptr_c0[e];
        solve_block(L, e, bd + L->ptr_c0[e], xc);
        L->rb[L->ridx[L->ptr_j[e]]] -= L->u[e] * xc[n - 1];
    }
    if (!klu_l_solve(L->sym, L->num, L->nred, 1, L->rb, &L->com))
        return (int)(L->last_flag = SUNLS_PACKAGE_FAIL_REC);
    for (long r = 0; r < L->nred; r++)
        xd[L->rfull[r]] = L->rb[r];
    for (int e = 0; e < L->nel; e++) {
        double je = xd[L->ptr_j[e]];
        double *xc = xd + L->ptr_c0[e];
        const double *z = L->z + (size_t)e * n;
        for (int k = 0; k < n; k++)
            xc[k] -= z[k] * je;
    }
    return (int)(L->last_flag = SUNLS_SUCCESS);
}

static sunindextype cl_lastflag(SUNLinearSolver S)
{
    return (sunindextype)CONTENT(S)->last_flag;
}

static int cl_free(SUNLinearSolver S)
{
    if (!S)
        return SUNLS_SUCCESS;
    condls *L = CONTENT(S);
    if (L) {
        if (L->num)
            klu_l_free_numeric(&L->num, &L->com);
        if (L->sym)
            klu_l_free_symbolic(&L->sym, &L->com);
        free(L->ridx);
        free(L->rfull);
        free(L->pel);
        free(L->ptr_j);
        free(L->ptr_c0);
        free(L->jj_pos);
        free(L->dtype);
        free(L->dpos);
        free(L->pd);
        free(L->Ap);
        free(L->Ai);
        free(L->Ax);
        free(L->rb);
        free(L);
    }
    S->content = NULL;
    SUNLinSolFreeEmpty(S);
    return SUNLS_SUCCESS;
}

/* Build the solver for model m (pattern already recorded in m->colptr / m->rowind). */
SUNLinearSolver ssbi_condensed_linsol(ssb_ctx *ctx, ssbi_model *m, SUNContext sun)
{
    SUNLinearSolver S = SUNLinSolNewEmpty(sun);
    condls *L = calloc(1, sizeof *L);
    if (!S || !L) {
        free(L);
        if (S)
            SUNLinSolFreeEmpty(S);
        SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (linear solver)");
        return NULL;
    }
    S->content = L;
    S->ops->gettype = cl_gettype;
    S->ops->getid = cl_getid;
    S->ops->initialize = cl_initialize;
    S->ops->setup = cl_setup;
    S->ops->solve = cl_solve;
    S->ops->lastflag = cl_lastflag;
    S->ops->free = cl_free;
    L->m = m;
    L->N = m->N;
    L->nr = m->nr;
    L->nnz = m->nnz;
    int nel = 0;
    for (int i = 0; i < m->ncv; i++)
        if (m->cv_reg[i] != SSBI_REG_SEP)
            nel++;
    L->nel = nel;
    long N = m->N;
    int n = m->nr;
    L->ridx = malloc((size_t)N * sizeof *L->ridx);
    L->rfull = malloc((size_t)N * sizeof *L->rfull);
    L->pel = malloc((size_t)N * sizeof *L->pel);
    L->ptr_j = malloc((size_t)(nel ? nel : 1) * sizeof *L->ptr_j);
    L->ptr_c0 = malloc((size_t)(nel ? nel : 1) * sizeof *L->ptr_c0);
    L->jj_pos = malloc((size_t)(nel ? nel : 1) * sizeof *L->jj_pos);
    L->dtype = malloc((size_t)m->nnz);
    L->dpos = malloc((size_t)m->nnz * sizeof *L->dpos);
    size_t nb = (size_t)(nel ? nel : 1) * (size_t)n;
    L->pd = malloc((6 * nb + 2 * (size_t)(nel ? nel : 1) + (size_t)n) * sizeof(double));
    if (!L->ridx || !L->rfull || !L->pel || !L->ptr_j || !L->ptr_c0 || !L->jj_pos || !L->dtype || !L->dpos || !L->pd)
        goto nomem;
    L->pl = L->pd + nb;
    L->pu = L->pl + nb;
    L->cp = L->pu + nb;
    L->minv = L->cp + nb;
    L->z = L->minv + nb;
    L->b = L->z + nb;
    L->u = L->b + (nel ? nel : 1);
    L->w = L->u + (nel ? nel : 1);
    memset(L->pd, 0, (6 * nb + 2 * (size_t)(nel ? nel : 1) + (size_t)n) * sizeof(double));
    for (long k = 0; k < N; k++)
        L->pel[k] = -1;
    int e = 0;
    for (int i = 0; i < m->ncv; i++) {
        if (m->cv_reg[i] == SSBI_REG_SEP)
            continue;
        L->ptr_c0[e] = m->cv_off[i];
        L->ptr_j[e] = m->cv_off[i] + n + 2;
        for (int k = 0; k < n; k++)
            L->pel[m->cv_off[i] + k] = e;
        e++;
    }
    long nred = 0;
    for (long k = 0; k < N; k++) {
        if (L->pel[k] >= 0)
            L->ridx[k] = -1;
        else {
            L->ridx[k] = nred;
            L->rfull[nred++] = k;
        }
    }
    L->nred = nred;
    /* reduced CSC: filter the full pattern (ridx is monotone, so the ordering is kept) */
    long rnnz = 0;
    for (long c = 0; c < N; c++)
        if (L->ridx[c] >= 0)
            for (long q = m->colptr[c]; q < m->colptr[c + 1]; q++)
                if (L->ridx[m->rowind[q]] >= 0)
                    rnnz++;
    L->Ap = malloc(((size_t)nred + 1) * sizeof *L->Ap);
    L->Ai = malloc((size_t)(rnnz ? rnnz : 1) * sizeof *L->Ai);
    L->Ax = malloc((size_t)(rnnz ? rnnz : 1) * sizeof *L->Ax);
    L->rb = malloc((size_t)(nred ? nred : 1) * sizeof *L->rb);
    if (!L->Ap || !L->Ai || !L->Ax || !L->rb)
        goto nomem;
    long pos = 0;
    for (long c = 0; c < N; c++) {
        long rc = L->ridx[c];
        if (rc >= 0)
            L->Ap[rc] = pos;
        for (long q = m->colptr[c]; q < m->colptr[c + 1]; q++) {
            long r = m->rowind[q];
            int er = L->pel[r], ec = L->pel[c];
            if (er >= 0) {
                long o = L->ptr_c0[er];
                int kr = (int)(r - o);
                if (ec == er) {
                    int kc = (int)(c - o);
                    L->dtype[q] = kc == kr ? DST_DIAG : (kc == kr - 1 ? DST_LOW : DST_UP);
                    if (kc != kr && kc != kr - 1 && kc != kr + 1)
                        goto badpattern;
                    L->dpos[q] = (long)er * n + kr;
                } else if (c == L->ptr_j[er] && kr == n - 1) {
                    L->dtype[q] = DST_B;
                    L->dpos[q] = er;
                } else
                    goto badpattern;
            } else if (ec >= 0) {
                if (r != L->ptr_j[ec] || c != L->ptr_c0[ec] + n - 1)
                    goto badpattern;
                L->dtype[q] = DST_U;
                L->dpos[q] = ec;
            } else {
                L->dtype[q] = DST_RED;
                L->dpos[q] = pos;
                L->Ai[pos] = L->ridx[r];
                pos++;
            }
        }
    }
    L->Ap[nred] = pos;
    for (e = 0; e < nel; e++) {
        long jr = L->ridx[L->ptr_j[e]];
        L->jj_pos[e] = -1;
        for (long q = L->Ap[jr]; q < L->Ap[jr + 1]; q++)
            if (L->Ai[q] == jr)
                L->jj_pos[e] = q;
        if (L->jj_pos[e] < 0)
            goto badpattern;
    }
    klu_l_defaults(&L->com);
    return S;
nomem:
    cl_free(S);
    SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (linear solver, %ld unknowns)", N);
    return NULL;
badpattern:
    cl_free(S);
    SSB_ERROR(ctx, SSB_ERR_INTERNAL, "Jacobian pattern does not have the particle block structure");
    return NULL;
}
