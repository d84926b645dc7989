/* Circuit strings (impedance.py syntax): parser with caret error messages, evaluation of the circuit tree and
 * its parameter Jacobian by the chain rule (series: dZ/dZ_k = 1; parallel: dZ/dZ_k = (Z / Z_k)^2). */
#include "eis_impl.h"

#include "core_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846
#define MAX_DEPTH 200

typedef struct {
    ssb_ctx *ctx;
    const char *s; /* original string */
    size_t len;
    size_t pos;
    int depth;
    ssbi_eis_node *nodes;
    int nnodes, cap_nodes;
    int *kids;
    int nkids, cap_kids;
    int *stack; /* pending children */
    int nstack, cap_stack;
    int np;
} parser;

/* Error with the column and a caret line; a window of the string around long inputs. */
static int perr(parser *P, size_t at, const char *fmt, ...) SSBI_PRINTF(3, 4);
static int perr(parser *P, size_t at, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t start = 0, end = P->len;
    if (at > 60) start = at - 60;
    if (end - start > 120) end = start + 120;
    const char *pre = start > 0 ? "..." : "";
    int caret = (int)(at - start) + (int)strlen(pre);
    return SSB_ERROR(P->ctx, SSB_ERR_ARG, "circuit: %s at column %zu\n  %s%.*s%s\n  %*s^", what, at + 1, pre,
                     (int)(end - start), P->s + start, end < P->len ? "..." : "", caret, "");
}

static int grow(ssb_ctx *ctx, void **p, int *cap, int need, size_t elsize)
{
    if (need <= *cap) return SSB_OK;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *q = realloc(*p, (size_t)nc * elsize);
    if (!q) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory parsing a circuit string");
    *p = q;
    *cap = nc;
    return SSB_OK;
}

static void skip_blanks(parser *P)
{
    while (P->pos < P->len && isspace((unsigned char)P->s[P->pos])) P->pos++;
}

static int push_child(parser *P, int idx)
{
    SSB_CHECK(P->ctx, grow(P->ctx, (void **)&P->stack, &P->cap_stack, P->nstack + 1, sizeof(int)));
    P->stack[P->nstack++] = idx;
    return SSB_OK;
}

/* Create a node whose children are the stack entries from `from` on; returns its index in *out. */
static int add_node(parser *P, int kind, int from, int *out)
{
    SSB_CHECK(P->ctx, grow(P->ctx, (void **)&P->nodes, &P->cap_nodes, P->nnodes + 1, sizeof(ssbi_eis_node)));
    ssbi_eis_node *nd = &P->nodes[P->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->parent = -1;
    nd->kid0 = P->nkids;
    nd->nkids = 0;
    if (from >= 0) {
        int nk = P->nstack - from;
        SSB_CHECK(P->ctx, grow(P->ctx, (void **)&P->kids, &P->cap_kids, P->nkids + nk, sizeof(int)));
        nd = &P->nodes[P->nnodes];
        for (int k = 0; k < nk; k++) {
            P->kids[P->nkids + k] = P->stack[from + k];
            P->nodes[P->stack[from + k]].parent = P->nnodes;
        }
        P->nkids += nk;
        nd->nkids = nk;
        P->nstack = from;
    }
    *out = P->nnodes++;
    return SSB_OK;
}

static int parse_series(parser *P, int *out);

static int parse_element(parser *P, int *out)
{
    size_t start = P->pos;
    while (P->pos < P->len && isalpha((unsigned char)P->s[P->pos])) P->pos++;
    size_t nlet = P->pos - start;
    int type = ssbi_eis_element_lookup(P->s + start, nlet);
    if (type < 0)
        return perr(P, start, "unknown element type '%.*s' (known: %s)", (int)(nlet > 40 ? 40 : nlet), P->s + start,
                    ssb_eis_element_types());
    size_t sstart = P->pos;
    int digits = 0;
    while (P->pos < P->len && (isdigit((unsigned char)P->s[P->pos]) || P->s[P->pos] == '_')) {
        if (isdigit((unsigned char)P->s[P->pos])) digits++;
        P->pos++;
    }
    if (!digits)
        return perr(P, sstart, "element '%.*s' needs a number, e.g. %.*s1", (int)nlet, P->s + start, (int)nlet,
                    P->s + start);
    size_t nlen = P->pos - start;
    if (nlen >= sizeof P->nodes[0].name) return perr(P, start, "element name longer than 31 characters");
    char name[32];
    memcpy(name, P->s + start, nlen);
    name[nlen] = '\0';
    for (int i = 0; i < P->nnodes; i++)
        if (P->nodes[i].kind == SSBI_NODE_ELEM && strcmp(P->nodes[i].name, name) == 0)
            return perr(P, start, "duplicate element name '%s' (first at column %d)", name, P->nodes[i].col);
    int idx;
    SSB_CHECK(P->ctx, add_node(P, SSBI_NODE_ELEM, -1, &idx));
    ssbi_eis_node *nd = &P->nodes[idx];
    nd->type = type;
    nd->poff = P->np;
    nd->col = (int)start + 1;
    memcpy(nd->name, name, nlen + 1);
    P->np += ssbi_eis_element_info(type)->np;
    *out = idx;
    return SSB_OK;
}

static int parse_term(parser *P, int *out)
{
    skip_blanks(P);
    if (P->pos >= P->len) return perr(P, P->pos, "unexpected end of the string, expected an element or 'p('");
    char ch = P->s[P->pos];
    if (ch == 'p') {
        size_t q = P->pos + 1;
        while (q < P->len && isspace((unsigned char)P->s[q])) q++;
        if (q < P->len && P->s[q] == '(') {
            if (++P->depth > MAX_DEPTH) return perr(P, P->pos, "parallel blocks nested deeper than %d", MAX_DEPTH);
            P->pos = q + 1;
            int from = P->nstack;
            for (;;) {
                int kid;
                SSB_CHECK(P->ctx, parse_series(P, &kid));
                SSB_CHECK(P->ctx, push_child(P, kid));
                skip_blanks(P);
                if (P->pos < P->len && P->s[P->pos] == ',') {
                    P->pos++;
                    continue;
                }
                if (P->pos < P->len && P->s[P->pos] == ')') {
                    P->pos++;
                    break;
                }
                if (P->pos >= P->len) return perr(P, P->pos, "unexpected end of the string, expected ',' or ')'");
                return perr(P, P->pos, "unexpected '%c', expected ',' or ')'", P->s[P->pos]);
            }
            P->depth--;
            return add_node(P, SSBI_NODE_PAR, from, out);
        }
    }
    if (isalpha((unsigned char)ch)) return parse_element(P, out);
    if (isprint((unsigned char)ch)) return perr(P, P->pos, "unexpected '%c', expected an element or 'p('", ch);
    return perr(P, P->pos, "unexpected byte 0x%02x, expected an element or 'p('", (unsigned)(unsigned char)ch);
}

static int parse_series(parser *P, int *out)
{
    int from = P->nstack;
    int t;
    SSB_CHECK(P->ctx, parse_term(P, &t));
    SSB_CHECK(P->ctx, push_child(P, t));
    for (;;) {
        skip_blanks(P);
        if (P->pos < P->len && P->s[P->pos] == '-') {
            P->pos++;
            SSB_CHECK(P->ctx, parse_term(P, &t));
            SSB_CHECK(P->ctx, push_child(P, t));
        } else {
            break;
        }
    }
    if (P->nstack - from == 1) {
        *out = P->stack[--P->nstack];
        return SSB_OK;
    }
    return add_node(P, SSBI_NODE_SERIES, from, out);
}

void ssb_eis_circuit_destroy(ssb_eis_circuit **c)
{
    if (!c || !*c) return;
    free((*c)->str);
    free((*c)->nodes);
    free((*c)->kids);
    free((*c)->pname);
    free((*c)->ptype);
    free((*c)->pidx);
    free(*c);
    *c = NULL;
}

int ssb_eis_circuit_parse(ssb_ctx *ctx, const char *str, ssb_eis_circuit **c)
{
    SSB_REQUIRE(ctx, c != NULL, SSB_ERR_ARG, "circuit: output pointer is NULL");
    *c = NULL;
    SSB_REQUIRE(ctx, str != NULL, SSB_ERR_ARG, "circuit: string is NULL");
    parser P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.s = str;
    P.len = strlen(str);
    int rc = SSB_OK, root = -1;
    size_t k = 0;
    while (k < P.len && isspace((unsigned char)str[k])) k++;
    if (k == P.len) {
        rc = SSB_ERROR(ctx, SSB_ERR_ARG, "circuit: the string is empty (example: R0-p(R1,CPE1)-p(R2-Wo1,C2))");
        goto fail;
    }
    SSB_CHECK_GOTO(ctx, rc, parse_series(&P, &root), fail);
    skip_blanks(&P);
    if (P.pos < P.len) {
        char ch = P.s[P.pos];
        if (ch == ')')
            rc = perr(&P, P.pos, "unmatched ')'");
        else if (ch == ',')
            rc = perr(&P, P.pos, "',' outside a parallel block p(...)");
        else
            rc = perr(&P, P.pos, "unexpected '%c' after a complete circuit (join elements with '-')", ch);
        goto fail;
    }
    ssb_eis_circuit *C = ssbi_calloc(ctx, 1, sizeof *C, "circuit");
    if (!C) {
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    C->nnodes = P.nnodes;
    C->nodes = P.nodes;
    C->kids = P.kids;
    P.nodes = NULL;
    P.kids = NULL;
    C->np = P.np;
    C->str = ssbi_malloc(ctx, P.len + 1, "circuit string");
    C->pname = ssbi_calloc(ctx, (size_t)(P.np > 0 ? P.np : 1), sizeof *C->pname, "parameter names");
    C->ptype = ssbi_calloc(ctx, (size_t)(P.np > 0 ? P.np : 1), sizeof(int), "parameter types");
    C->pidx = ssbi_calloc(ctx, (size_t)(P.np > 0 ? P.np : 1), sizeof(int), "parameter indices");
    if (!C->str || !C->pname || !C->ptype || !C->pidx) {
        ssb_eis_circuit_destroy(&C);
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    size_t o = 0;
    for (size_t i = 0; i < P.len; i++)
        if (!isspace((unsigned char)str[i])) C->str[o++] = str[i];
    C->str[o] = '\0';
    for (int i = 0; i < C->nnodes; i++) {
        const ssbi_eis_node *nd = &C->nodes[i];
        if (nd->kind != SSBI_NODE_ELEM) continue;
        int np = ssbi_eis_element_info(nd->type)->np;
        for (int j = 0; j < np; j++) {
            if (np == 1)
                snprintf(C->pname[nd->poff], sizeof C->pname[0], "%s", nd->name);
            else
                snprintf(C->pname[nd->poff + j], sizeof C->pname[0], "%s_%d", nd->name, j);
            C->ptype[nd->poff + j] = nd->type;
            C->pidx[nd->poff + j] = j;
        }
    }
    free(P.stack);
    *c = C;
    return SSB_OK;
fail:
    free(P.nodes);
    free(P.kids);
    free(P.stack);
    return rc;
}

const char *ssb_eis_circuit_get_string(const ssb_eis_circuit *c) { return c ? c->str : NULL; }
int ssb_eis_circuit_get_nparams(const ssb_eis_circuit *c) { return c ? c->np : 0; }

const char *ssb_eis_circuit_get_param_name(const ssb_eis_circuit *c, int i)
{
    if (!c || i < 0 || i >= c->np) return NULL;
    return c->pname[i];
}

const char *ssb_eis_circuit_get_param_unit(const ssb_eis_circuit *c, int i)
{
    if (!c || i < 0 || i >= c->np) return NULL;
    return ssbi_eis_element_info(c->ptype[i])->unit[c->pidx[i]];
}

void ssb_eis_circuit_get_param_bounds(const ssb_eis_circuit *c, int i, double *lower, double *upper)
{
    if (!c || i < 0 || i >= c->np) return;
    if (lower) *lower = 0.0;
    if (upper) *upper = ssbi_eis_element_info(c->ptype[i])->upper[c->pidx[i]];
}

int ssbi_eis_check_param(ssb_ctx *ctx, const ssb_eis_circuit *c, int i, double v, const char *what)
{
    double hi = ssbi_eis_element_info(c->ptype[i])->upper[c->pidx[i]];
    const char *unit = ssbi_eis_element_info(c->ptype[i])->unit[c->pidx[i]];
    if (v > 0.0 && v <= hi) return SSB_OK;
    if (!strcmp(unit, "1")) unit = ""; /* dimensionless */
    /* a negative (or zero) resistance, capacitance or CPE Q gave a spectrum with Z' < 0 or a division by zero */
    if (isinf(hi))
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s %s = %g%s%s is out of range; valid > 0%s%s", what, c->pname[i], v,
                         *unit ? " " : "", unit, *unit ? " " : "", unit);
    return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s %s = %g is out of range; valid (0, %g]", what, c->pname[i], v, hi);
}

int ssb_eis_circuit_find_param(const ssb_eis_circuit *c, const char *name)
{
    if (!c || !name) return -1;
    for (int i = 0; i < c->np; i++)
        if (strcmp(c->pname[i], name) == 0) return i;
    return -1;
}

int ssbi_eis_cws_create(ssb_ctx *ctx, const ssb_eis_circuit *c, ssbi_eis_cws *w)
{
    w->z = ssbi_calloc(ctx, (size_t)c->nnodes, sizeof(double complex), "circuit workspace");
    w->s = ssbi_calloc(ctx, (size_t)c->nnodes, sizeof(double complex), "circuit workspace");
    w->dz = ssbi_calloc(ctx, SSBI_EIS_MAXP, sizeof(double complex), "circuit workspace");
    if (!w->z || !w->s || !w->dz) {
        ssbi_eis_cws_destroy(w);
        return SSB_ERR_NOMEM;
    }
    return SSB_OK;
}

void ssbi_eis_cws_destroy(ssbi_eis_cws *w)
{
    free(w->z);
    free(w->s);
    free(w->dz);
    w->z = w->s = w->dz = NULL;
}

double complex ssbi_eis_circuit_eval(const ssb_eis_circuit *c, const double *p, double w, ssbi_eis_cws *ws,
                                     double complex *jac)
{
    double complex *z = ws->z;
    for (int i = 0; i < c->nnodes; i++) {
        const ssbi_eis_node *nd = &c->nodes[i];
        if (nd->kind == SSBI_NODE_ELEM) {
            ssbi_eis_element_eval(nd->type, p + nd->poff, w, &z[i], NULL);
        } else if (nd->kind == SSBI_NODE_SERIES) {
            double complex acc = 0.0;
            for (int k = 0; k < nd->nkids; k++) acc += z[c->kids[nd->kid0 + k]];
            z[i] = acc;
        } else {
            double complex y = 0.0;
            int shorted = 0;
            for (int k = 0; k < nd->nkids; k++) {
                double complex zk = z[c->kids[nd->kid0 + k]];
                if (zk == 0.0) shorted = 1;
                else y += 1.0 / zk;
            }
            z[i] = shorted ? 0.0 : 1.0 / y;
        }
    }
    int root = c->nnodes - 1;
    if (jac) {
        double complex *s = ws->s;
        s[root] = 1.0;
        for (int i = root; i >= 0; i--) {
            const ssbi_eis_node *nd = &c->nodes[i];
            if (nd->kind == SSBI_NODE_SERIES) {
                for (int k = 0; k < nd->nkids; k++) s[c->kids[nd->kid0 + k]] = s[i];
            } else if (nd->kind == SSBI_NODE_PAR) {
                for (int k = 0; k < nd->nkids; k++) {
                    int ch = c->kids[nd->kid0 + k];
                    if (z[ch] == 0.0) {
                        s[ch] = s[i];
                    } else {
                        double complex r = z[i] / z[ch];
                        s[ch] = s[i] * r * r;
                    }
                }
            } else {
                const ssbi_eis_elinfo *info = ssbi_eis_element_info(nd->type);
                double complex zz;
                ssbi_eis_element_eval(nd->type, p + nd->poff, w, &zz, ws->dz);
                for (int k = 0; k < info->np; k++) jac[nd->poff + k] = s[i] * ws->dz[k];
            }
        }
    }
    return z[root];
}

static int check_inputs(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n, const double *f)
{
    SSB_REQUIRE(ctx, c && p && f, SSB_ERR_ARG, "circuit impedance: NULL circuit, parameters or frequencies");
    SSB_REQUIRE(ctx, n >= 1, SSB_ERR_ARG, "circuit impedance: n = %lld points, must be >= 1", (long long)n);
    for (int k = 0; k < c->np; k++)
        SSB_REQUIRE(ctx, isfinite(p[k]), SSB_ERR_RANGE, "circuit %s: parameter %s = %g is not finite", c->str,
                    c->pname[k], p[k]);
    for (int64_t i = 0; i < n; i++)
        SSB_REQUIRE(ctx, isfinite(f[i]) && f[i] > 0, SSB_ERR_RANGE,
                    "circuit impedance: frequency %lld = %g Hz, must be finite and > 0", (long long)i, f[i]);
    return SSB_OK;
}

int ssb_eis_circuit_impedance(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n,
                              const double *f, double *zre, double *zim)
{
    SSB_CHECK(ctx, check_inputs(ctx, c, p, n, f));
    SSB_REQUIRE(ctx, zre && zim, SSB_ERR_ARG, "circuit impedance: NULL output arrays");
    ssbi_eis_cws ws;
    SSB_CHECK(ctx, ssbi_eis_cws_create(ctx, c, &ws));
    for (int64_t i = 0; i < n; i++) {
        double complex z = ssbi_eis_circuit_eval(c, p, 2.0 * PI_ * f[i], &ws, NULL);
        zre[i] = creal(z);
        zim[i] = cimag(z);
    }
    ssbi_eis_cws_destroy(&ws);
    return SSB_OK;
}

int ssb_eis_circuit_jacobian(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, int64_t n,
                             const double *f, double *jre, double *jim)
{
    SSB_CHECK(ctx, check_inputs(ctx, c, p, n, f));
    SSB_REQUIRE(ctx, jre && jim, SSB_ERR_ARG, "circuit jacobian: NULL output arrays");
    ssbi_eis_cws ws;
    SSB_CHECK(ctx, ssbi_eis_cws_create(ctx, c, &ws));
    double complex *jac = ssbi_calloc(ctx, (size_t)(c->np > 0 ? c->np : 1), sizeof(double complex), "jacobian");
    if (!jac) {
        ssbi_eis_cws_destroy(&ws);
        return SSB_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n; i++) {
        ssbi_eis_circuit_eval(c, p, 2.0 * PI_ * f[i], &ws, jac);
        for (int k = 0; k < c->np; k++) {
            jre[i * c->np + k] = creal(jac[k]);
            jim[i * c->np + k] = cimag(jac[k]);
        }
    }
    free(jac);
    ssbi_eis_cws_destroy(&ws);
    return SSB_OK;
}

int ssb_eis_circuit_simulate(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, double fmin, double fmax,
                             int ppd, ssb_eis_spectrum **s)
{
    SSB_REQUIRE(ctx, s != NULL, SSB_ERR_ARG, "simulate: output pointer is NULL");
    *s = NULL;
    SSB_REQUIRE(ctx, c && p, SSB_ERR_ARG, "simulate: NULL circuit or parameters");
    /* the readers, fit, DRT and lin-KK take 1e-30 .. 1e30 Hz (ssb_eis_spectrum_validate): a simulated spectrum
       outside it (--fmin 1e-40 ran) could not be read back */
    SSB_REQUIRE(ctx, isfinite(fmin) && isfinite(fmax) && fmin >= 1e-30 && fmax <= 1e30 && fmax > fmin, SSB_ERR_RANGE,
                "simulate: fmin = %g Hz, fmax = %g Hz; need 1e-30 <= fmin < fmax <= 1e30 Hz", fmin, fmax);
    SSB_REQUIRE(ctx, ppd >= 1 && ppd <= 1000, SSB_ERR_RANGE, "simulate: ppd = %d points per decade, valid 1..1000",
                ppd);
    double dec = log10(fmax / fmin);
    int64_t n = (int64_t)ceil(dec * ppd - 1e-9) + 1;
    SSB_REQUIRE(ctx, n <= 10000000, SSB_ERR_RANGE, "simulate: %lld points, at most 1e7", (long long)n);
    ssb_eis_spectrum *sp = NULL;
    for (int k = 0; k < c->np; k++) SSB_CHECK(ctx, ssbi_eis_check_param(ctx, c, k, p[k], "simulate:"));
    SSB_CHECK(ctx, ssb_eis_spectrum_create(ctx, n, &sp));
    for (int64_t i = 0; i < n; i++) sp->f[i] = n == 1 ? fmax : fmax * pow(fmin / fmax, (double)i / (double)(n - 1));
    int rc = ssb_eis_circuit_impedance(ctx, c, p, n, sp->f, sp->zre, sp->zim);
    if (rc != SSB_OK) {
        ssb_eis_spectrum_destroy(&sp);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *s = sp;
    return SSB_OK;
}
