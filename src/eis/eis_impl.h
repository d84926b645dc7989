/* Private declarations of the eis module: circuit tree, element kernels, LAPACK prototypes. Not installed. */
#ifndef SSB_EIS_IMPL_H
#define SSB_EIS_IMPL_H

#include <ssbnet/ssb_eis.h>

#include <complex.h>

/* C11's CMPLX is missing from some C libraries' headers under clang (glibc defines it for gcc >= 4.7 only) */
#ifndef CMPLX
#if defined(__clang__)
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#else
#define CMPLX(x, y) ((double complex)((double)(x) + _Complex_I * (double)(y)))
#endif
#endif

/* LAPACK (Fortran symbols, column-major). Character arguments carry gfortran's hidden length arguments (size_t,
 * appended), passed explicitly as 1 so that callees built with gfortran >= 9 see a well-formed call. */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
            const int *ldb, double *work, const int *lwork, int *info, size_t trans_len);
void dgelss_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b, const int *ldb,
             double *s, const double *rcond, int *rank, double *work, const int *lwork, int *info);
void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork, int *info,
             size_t jobu_len, size_t jobvt_len);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
             const int *ldb, int *info, size_t uplo_len);

/* Element types (order of the table in eis_elements.c). */
typedef enum {
    SSBI_EL_R = 0,
    SSBI_EL_C,
    SSBI_EL_L,
    SSBI_EL_CPE,
    SSBI_EL_W,
    SSBI_EL_WO,
    SSBI_EL_WS,
    SSBI_EL_G,
    SSBI_EL_GS,
    SSBI_EL_LA,
    SSBI_EL_K,
    SSBI_EL_ZARC,
    SSBI_EL_TLMQ,
    SSBI_EL_T,
    SSBI_EL_TLM,
    SSBI_EL_COUNT
} ssbi_eis_eltype;

#define SSBI_EIS_MAXP 5 /* most parameters of one element */

typedef struct {
    const char *name;
    int np;
    const char *unit[SSBI_EIS_MAXP];
    double upper[SSBI_EIS_MAXP]; /* default upper bound (lower is 0) */
} ssbi_eis_elinfo;

/* Table entry of an element type, NULL if out of range. */
const ssbi_eis_elinfo *ssbi_eis_element_info(int type);
/* Element type id from its name (exact, length len), -1 if unknown. */
int ssbi_eis_element_lookup(const char *name, size_t len);
/* Impedance of one element at angular frequency w (rad/s); dz (np entries, may be NULL) receives dZ/dp_k. */
void ssbi_eis_element_eval(int type, const double *p, double w, double complex *z, double complex *dz);

typedef enum { SSBI_NODE_ELEM = 0, SSBI_NODE_SERIES, SSBI_NODE_PAR } ssbi_eis_nodekind;

typedef struct {
    int kind;     /* ssbi_eis_nodekind */
    int type;     /* element type (ELEM) */
    int poff;     /* first parameter (ELEM) */
    int parent;   /* node index, -1 for the root */
    int kid0;     /* first child in the kids array (SERIES, PAR) */
    int nkids;
    int col;      /* column in the string (1-based, ELEM) */
    char name[32];
} ssbi_eis_node;

struct ssb_eis_circuit {
    char *str;          /* blanks removed */
    int nnodes;         /* nodes in post-order: children before parents, root last */
    ssbi_eis_node *nodes;
    int *kids;
    int np;
    char (*pname)[48];  /* np names (element name <= 31 chars + "_" + index) */
    int *ptype;         /* element type of each parameter */
    int *pidx;          /* index of each parameter inside its element */
};

/* Workspace for circuit evaluation: nnodes complex values + nnodes sensitivities. */
typedef struct {
    double complex *z;
    double complex *s;
    double complex *dz; /* SSBI_EIS_MAXP */
} ssbi_eis_cws;

int ssbi_eis_cws_create(ssb_ctx *ctx, const ssb_eis_circuit *c, ssbi_eis_cws *w);
void ssbi_eis_cws_destroy(ssbi_eis_cws *w);
/* Physical range of parameter i of c: every value > 0 (resistances, capacitances, CPE Q, time constants) and at
 * most the element's upper bound (exponents <= 1). SSB_ERR_RANGE naming what ("simulate:", "fit: fixed"), the parameter, its
 * value, unit and the valid range when p[i] is outside it; SSB_OK otherwise. */
int ssbi_eis_check_param(ssb_ctx *ctx, const ssb_eis_circuit *c, int i, double v, const char *what);
/* Impedance at angular frequency w; if jac (np entries) is non-NULL also dZ/dp. */
double complex ssbi_eis_circuit_eval(const ssb_eis_circuit *c, const double *p, double w, ssbi_eis_cws *ws,
                                     double complex *jac);

/* DRT discretisation (pyDRTtools conventions): A_re, A_im (n x nb, row-major) of the Gaussian RBF with shape
 * eps centred at tau[k], for angular frequencies w[i]; trapezoidal quadrature, error < 1e-14 relative. */
void ssbi_eis_drt_rbf_matrices(int64_t n, const double *w, int nb, const double *tau, double eps, double *a_re,
                               double *a_im);
/* Second-derivative penalty M2 (nb x nb, row-major) of the Gaussian RBFs. */
void ssbi_eis_drt_penalty(int nb, const double *tau, double eps, double *m2);

/* Nonlinear fit and DRT: every |Z| within 1e-100 .. 1e100 Ohm (beyond that sums of squares overflow);
 * SSB_ERR_RANGE names the point. */
int ssbi_eis_check_magnitude(ssb_ctx *ctx, const ssb_eis_spectrum *s, const char *what);
/* 1 when the spectrum ends in a capacitive tail (no DC intercept, e.g. a blocking electrode): at the lowest
 * frequency -Z'' > |Z'| and -Z'' still grows over the last three points towards low frequency. */
int ssbi_eis_capacitive_tail(const ssb_eis_spectrum *s);

#endif
