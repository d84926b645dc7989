/* Expressions in one variable (Python syntax, as in BPX files), compiled to a stack program and evaluated with
 * forward-mode derivatives (value, d/dx). */
#include "cell_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    OP_NUM = 0,
    OP_X,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,
    OP_NEG,
    OP_EXP,
    OP_LOG,
    OP_LOG10,
    OP_SQRT,
    OP_TANH,
    OP_COSH,
    OP_SINH,
    OP_ABS,
    OP_COS,
    OP_SIN,
    OP_ARCTAN
};

static const struct {
    const char *name;
    int op;
} funcs[] = {{"exp", OP_EXP},   {"log", OP_LOG},   {"log10", OP_LOG10},   {"sqrt", OP_SQRT},
             {"tanh", OP_TANH}, {"cosh", OP_COSH}, {"sinh", OP_SINH},     {"abs", OP_ABS},
             {"cos", OP_COS},   {"sin", OP_SIN},   {"arctan", OP_ARCTAN}, {"atan", OP_ARCTAN}};

typedef struct {
    int op;
    double v;
} instr;

struct ssbi_expr {
    int n, cap, depth;
    instr *code;
    char *text;
};

typedef struct {
    ssb_ctx *ctx;
    const char *s, *p;
    const char *var;
    const char *what;
    ssbi_expr *e;
    int sp, maxsp;
    int level; /* current recursion depth of parse_unary */
    int err;
} parser;

/* Deepest nesting of parentheses, function calls, signs and powers: every recursion of the parser passes through
 * parse_unary, so bounding its depth bounds the stack (a few hundred bytes per level). */
#define SSBI_EXPR_MAX_NESTING 256

static int perr(parser *ps, const char *problem)
{
    if (ps->err)
        return ps->err;
    char word[32];
    size_t k = 0;
    const char *q = ps->p;
    if (!*q)
        snprintf(word, sizeof word, "end of text");
    else {
        while (q[k] && !isspace((unsigned char)q[k]) && k < sizeof word - 1) {
            word[k] = q[k];
            k++;
            if (!isalnum((unsigned char)q[k - 1]) && q[k - 1] != '.' && q[k - 1] != '_')
                break;
        }
        word[k] = '\0';
    }
    size_t tl = strlen(ps->s);
    ps->err = SSB_ERROR(ps->ctx, SSB_ERR_ARG, "%s: %s at column %d ('%s') in \"%.80s%s\"", ps->what, problem,
                        (int)(ps->p - ps->s) + 1, word, ps->s, tl > 80 ? "..." : "");
    return ps->err;
}

static int emit(parser *ps, int op, double v, int dsp)
{
    if (ps->err)
        return ps->err;
    ssbi_expr *e = ps->e;
    if (e->n == e->cap) {
        int nc = e->cap ? 2 * e->cap : 32;
        instr *c = realloc(e->code, (size_t)nc * sizeof *c);
        if (!c)
            return ps->err = SSB_ERROR(ps->ctx, SSB_ERR_NOMEM, "%s: out of memory", ps->what);
        e->code = c;
        e->cap = nc;
    }
    e->code[e->n].op = op;
    e->code[e->n].v = v;
    e->n++;
    ps->sp += dsp;
    if (ps->sp > ps->maxsp)
        ps->maxsp = ps->sp;
    return SSB_OK;
}

static void skip(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static int parse_expr(parser *ps);

static int parse_primary(parser *ps)
{
    skip(ps);
    const char *p = ps->p;
    if (*p == '(') {
        ps->p++;
        if (parse_expr(ps))
            return ps->err;
        skip(ps);
        if (*ps->p != ')')
            return perr(ps, "expected ')'");
        ps->p++;
        return SSB_OK;
    }
    if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
        char *end = NULL;
        double v = strtod(p, &end);
        if (end == p)
            return perr(ps, "bad number");
        ps->p = end;
        return emit(ps, OP_NUM, v, 1);
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        const char *q = p;
        while (isalnum((unsigned char)*q) || *q == '_' || *q == '.')
            q++;
        size_t len = (size_t)(q - p);
        char name[40];
        if (len >= sizeof name)
            return perr(ps, "name too long");
        memcpy(name, p, len);
        name[len] = '\0';
        const char *nm = name;
        if (strncmp(nm, "np.", 3) == 0)
            nm += 3;
        else if (strncmp(nm, "math.", 5) == 0)
            nm += 5;
        else if (strncmp(nm, "numpy.", 6) == 0)
            nm += 6;
        if (strcmp(nm, "x") == 0 || (ps->var && strcmp(nm, ps->var) == 0)) {
            ps->p = q;
            return emit(ps, OP_X, 0, 1);
        }
        if (strcmp(nm, "pi") == 0) {
            ps->p = q;
            return emit(ps, OP_NUM, 3.14159265358979323846, 1);
        }
        for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
            if (strcmp(nm, funcs[i].name) == 0) {
                ps->p = q;
                skip(ps);
                if (*ps->p != '(')
                    return perr(ps, "expected '(' after a function name");
                ps->p++;
                if (parse_expr(ps))
                    return ps->err;
                skip(ps);
                if (*ps->p != ')')
                    return perr(ps, "expected ')'");
                ps->p++;
                return emit(ps, funcs[i].op, 0, 0);
            }
        }
        return perr(ps, "unknown name");
    }
    return perr(ps, *p ? "unexpected character" : "unexpected end");
}

/* unary := ('-'|'+') unary | power ;  power := primary ('**' unary)? */
static int parse_unary_body(parser *ps);

static int parse_unary(parser *ps)
{
    if (ps->level >= SSBI_EXPR_MAX_NESTING) {
        char problem[96];
        snprintf(problem, sizeof problem, "nested deeper than %d levels (parentheses, signs, powers)",
                 SSBI_EXPR_MAX_NESTING);
        return perr(ps, problem);
    }
    ps->level++;
    int rc = parse_unary_body(ps);
    ps->level--;
    return rc;
}

static int parse_unary_body(parser *ps)
{
    skip(ps);
    if (*ps->p == '-' || *ps->p == '+') {
        int neg = *ps->p == '-';
        ps->p++;
        if (parse_unary(ps))
            return ps->err;
        return neg ? emit(ps, OP_NEG, 0, 0) : SSB_OK;
    }
    if (parse_primary(ps))
        return ps->err;
    skip(ps);
    if (ps->p[0] == '*' && ps->p[1] == '*') {
        ps->p += 2;
        if (parse_unary(ps))
            return ps->err;
        return emit(ps, OP_POW, 0, -1);
    }
    if (ps->p[0] == '^')
        return perr(ps, "use '**' for powers");
    return SSB_OK;
}

static int parse_term(parser *ps)
{
    if (parse_unary(ps))
        return ps->err;
    for (;;) {
        skip(ps);
        char c = *ps->p;
        if ((c == '*' && ps->p[1] != '*') || c == '/') {
            ps->p++;
            if (parse_unary(ps))
                return ps->err;
            if (emit(ps, c == '*' ? OP_MUL : OP_DIV, 0, -1))
                return ps->err;
        } else
            return SSB_OK;
    }
}

static int parse_expr(parser *ps)
{
    if (parse_term(ps))
        return ps->err;
    for (;;) {
        skip(ps);
        char c = *ps->p;
        if (c == '+' || c == '-') {
            ps->p++;
            if (parse_term(ps))
                return ps->err;
            if (emit(ps, c == '+' ? OP_ADD : OP_SUB, 0, -1))
                return ps->err;
        } else
            return SSB_OK;
    }
}

int ssbi_expr_compile(ssb_ctx *ctx, const char *text, const char *var, const char *what, ssbi_expr **out)
{
    *out = NULL;
    if (!text)
        return SSB_ERROR(ctx, SSB_ERR_ARG, "%s: no expression", what);
    ssbi_expr *e = calloc(1, sizeof *e);
    if (!e)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
    parser ps = {.ctx = ctx, .s = text, .p = text, .var = var, .what = what, .e = e};
    int rc = parse_expr(&ps);
    if (rc == SSB_OK) {
        skip(&ps);
        if (*ps.p)
            rc = perr(&ps, "unexpected text");
    }
    if (rc == SSB_OK && e->n == 0)
        rc = perr(&ps, "empty expression");
    if (rc == SSB_OK) {
        e->depth = ps.maxsp;
        e->text = strdup(text);
        if (!e->text)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
    }
    if (rc != SSB_OK) {
        ssbi_expr_destroy(&e);
        return rc;
    }
    *out = e;
    return SSB_OK;
}

void ssbi_expr_destroy(ssbi_expr **e)
{
    if (!e || !*e)
        return;
    free((*e)->code);
    free((*e)->text);
    free(*e);
    *e = NULL;
}

int ssbi_expr_copy(ssb_ctx *ctx, const ssbi_expr *src, ssbi_expr **dst)
{
    *dst = NULL;
    if (!src)
        return SSB_OK;
    ssbi_expr *e = calloc(1, sizeof *e);
    if (!e)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
    e->code = malloc((size_t)(src->n ? src->n : 1) * sizeof *e->code);
    e->text = strdup(src->text ? src->text : "");
    if (!e->code || !e->text) {
        ssbi_expr_destroy(&e);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory");
    }
    memcpy(e->code, src->code, (size_t)src->n * sizeof *e->code);
    e->n = e->cap = src->n;
    e->depth = src->depth;
    *dst = e;
    return SSB_OK;
}

const char *ssbi_expr_text(const ssbi_expr *e)
{
    return e ? e->text : "";
}

double ssbi_expr_eval(const ssbi_expr *e, double x, double *dfdx)
{
    double vs[64], ds[64];
    double *v = vs, *d = ds;
    double *hv = NULL;
    if (e->depth > 64) {
        hv = malloc(2 * (size_t)e->depth * sizeof *hv);
        if (!hv) {
            if (dfdx)
                *dfdx = NAN;
            return NAN;
        }
        v = hv;
        d = hv + e->depth;
    }
    int sp = 0;
    for (int k = 0; k < e->n; k++) {
        const instr *in = &e->code[k];
        switch (in->op) {
        case OP_NUM:
            v[sp] = in->v;
            d[sp] = 0;
            sp++;
            break;
        case OP_X:
            v[sp] = x;
            d[sp] = 1;
            sp++;
            break;
        case OP_ADD:
            sp--;
            v[sp - 1] += v[sp];
            d[sp - 1] += d[sp];
            break;
        case OP_SUB:
            sp--;
            v[sp - 1] -= v[sp];
            d[sp - 1] -= d[sp];
            break;
        case OP_MUL:
            sp--;
            d[sp - 1] = d[sp - 1] * v[sp] + v[sp - 1] * d[sp];
            v[sp - 1] *= v[sp];
            break;
        case OP_DIV:
            sp--;
            d[sp - 1] = (d[sp - 1] * v[sp] - v[sp - 1] * d[sp]) / (v[sp] * v[sp]);
            v[sp - 1] /= v[sp];
            break;
        case OP_POW: {
            sp--;
            double a = v[sp - 1], da = d[sp - 1], b = v[sp], db = d[sp];
            double r = pow(a, b);
            double dr;
            if (db == 0.0)
                dr = (b == 0.0) ? 0.0 : b * pow(a, b - 1.0) * da;
            else
                dr = r * (db * log(a) + (a != 0.0 ? b * da / a : 0.0));
            v[sp - 1] = r;
            d[sp - 1] = dr;
            break;
        }
        case OP_NEG:
            v[sp - 1] = -v[sp - 1];
            d[sp - 1] = -d[sp - 1];
            break;
        case OP_EXP:
            v[sp - 1] = exp(v[sp - 1]);
            d[sp - 1] *= v[sp - 1];
            break;
        case OP_LOG:
            d[sp - 1] /= v[sp - 1];
            v[sp - 1] = log(v[sp - 1]);
            break;
        case OP_LOG10:
            d[sp - 1] /= v[sp - 1] * log(10.0);
            v[sp - 1] = log10(v[sp - 1]);
            break;
        case OP_SQRT:
            v[sp - 1] = sqrt(v[sp - 1]);
            d[sp - 1] /= 2.0 * v[sp - 1];
            break;
        case OP_TANH: {
            double t = tanh(v[sp - 1]);
            v[sp - 1] = t;
            d[sp - 1] *= 1.0 - t * t;
            break;
        }
        case OP_COSH:
            d[sp - 1] *= sinh(v[sp - 1]);
            v[sp - 1] = cosh(v[sp - 1]);
            break;
        case OP_SINH:
            d[sp - 1] *= cosh(v[sp - 1]);
            v[sp - 1] = sinh(v[sp - 1]);
            break;
        case OP_ABS:
            d[sp - 1] *= v[sp - 1] < 0 ? -1.0 : 1.0;
            v[sp - 1] = fabs(v[sp - 1]);
            break;
        case OP_COS:
            d[sp - 1] *= -sin(v[sp - 1]);
            v[sp - 1] = cos(v[sp - 1]);
            break;
        case OP_SIN:
            d[sp - 1] *= cos(v[sp - 1]);
            v[sp - 1] = sin(v[sp - 1]);
            break;
        case OP_ARCTAN:
            d[sp - 1] /= 1.0 + v[sp - 1] * v[sp - 1];
            v[sp - 1] = atan(v[sp - 1]);
            break;
        default:
            break;
        }
    }
    double r = v[0], dr = d[0];
    free(hv);
    if (dfdx)
        *dfdx = dr;
    return r;
}
