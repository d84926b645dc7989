/* Protocol text parser: "Discharge at 1C until 3.0 V", "Rest for 1 hour", "Hold at 4.2 V until C/20",
 * "Repeat 10 times: ...", ... (grammar in ssb_cell.h). */
#include "cell_impl.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_STEPS 1000000
/* shortest step duration [s]: below it the time integrator cannot place its stop time */
#define SSBI_PROTOCOL_MIN_DURATION 1e-6

typedef struct {
    const char *s; /* token start in the line */
    int len;
    int col; /* 1-based column in the line */
    int num; /* 1 if the token is a number */
    double v;
} tok;

typedef struct {
    ssb_ctx *ctx;
    int line;
    const char *ltext; /* the whole line (for messages) */
    tok *t;            /* tokens (grown as needed: no limit on the words of a line) */
    int n, k;          /* tokens, cursor */
    int cap;
    int endcol;
} lexer;

static int lex_err(lexer *L, int col, const char *what, const char *word, int wlen)
{
    if (!word) {
        word = "end of step";
        wlen = (int)strlen(word);
    }
    if (wlen > 80)
        wlen = 80;
    return SSB_ERROR(L->ctx, SSB_ERR_ARG, "protocol line %d, column %d: %s at '%.*s' (in \"%.200s%s\")", L->line, col,
                     what, wlen, word, L->ltext, strlen(L->ltext) > 200 ? "..." : "");
}

static int err_here(lexer *L, const char *what)
{
    if (L->k < L->n)
        return lex_err(L, L->t[L->k].col, what, L->t[L->k].s, L->t[L->k].len);
    return lex_err(L, L->endcol, what, NULL, 0);
}

static int push_tok(lexer *L, tok t)
{
    if (L->n == L->cap) {
        int nc = L->cap ? 2 * L->cap : 64;
        tok *nt = realloc(L->t, (size_t)nc * sizeof *nt);
        if (!nt)
            return SSB_ERROR(L->ctx, SSB_ERR_NOMEM, "out of memory (protocol line %d)", L->line);
        L->t = nt;
        L->cap = nc;
    }
    L->t[L->n++] = t;
    return SSB_OK;
}

/* Split [a, b) of line into tokens: whitespace separated; a leading number is split from an attached unit.
 * b points at ';', a blank or the NUL that ends the line, none of which strtod consumes. */
static int lex(lexer *L, const char *line, const char *a, const char *b)
{
    L->n = L->k = 0;
    L->endcol = (int)(b - line) + 1;
    const char *p = a;
    while (p < b) {
        while (p < b && (isspace((unsigned char)*p) || *p == ','))
            p++;
        if (p >= b)
            break;
        const char *q = p;
        while (q < b && !isspace((unsigned char)*q) && *q != ',')
            q++;
        /* number prefix? */
        char *end = NULL;
        double v = 0;
        int isnum = 0;
        if (isdigit((unsigned char)*p) ||
            ((*p == '.' || *p == '-' || *p == '+') && p + 1 < q && (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
            v = strtod(p, &end);
            if (end != p && end <= q)
                isnum = 1;
            if (isnum) {
                int nl = (int)(end - p);
                SSB_CHECK(L->ctx, push_tok(L, (tok){p, nl, (int)(p - line) + 1, 1, v}));
                p += nl;
                if (p < q)
                    SSB_CHECK(L->ctx, push_tok(L, (tok){p, (int)(q - p), (int)(p - line) + 1, 0, 0}));
                p = q;
                continue;
            }
        }
        SSB_CHECK(L->ctx, push_tok(L, (tok){p, (int)(q - p), (int)(p - line) + 1, 0, 0}));
        p = q;
    }
    /* drop a trailing '.' token or trailing dot on the last word */
    if (L->n > 0) {
        tok *t = &L->t[L->n - 1];
        if (t->len == 1 && t->s[0] == '.')
            L->n--;
        else if (!t->num && t->len > 1 && t->s[t->len - 1] == '.')
            t->len--;
    }
    return SSB_OK;
}

static int is_word(const tok *t, const char *w)
{
    return !t->num && (int)strlen(w) == t->len && strncasecmp(t->s, w, (size_t)t->len) == 0;
}

static int peek_word(lexer *L, const char *w)
{
    return L->k < L->n && is_word(&L->t[L->k], w);
}

static int accept(lexer *L, const char *w)
{
    if (peek_word(L, w)) {
        L->k++;
        return 1;
    }
    return 0;
}

static int word_in(const tok *t, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (is_word(t, list[i]))
            return 1;
    return 0;
}

enum { Q_CURRENT = 1, Q_CRATE = 2, Q_VOLTAGE = 4, Q_POWER = 8, Q_RESIST = 16, Q_DURATION = 32 };

typedef struct {
    int kind;
    double v;
} qty;

/* Parse a quantity whose kind is in `allowed`. */
static int parse_qty(lexer *L, int allowed, const char *expect, qty *q)
{
    if (L->k >= L->n)
        return err_here(L, expect);
    tok *t = &L->t[L->k];
    /* C-rate forms without a leading number: C, C/3 */
    if (!t->num && (allowed & Q_CRATE) && (t->s[0] == 'C' || t->s[0] == 'c') && (t->len == 1 || t->s[1] == '/')) {
        double d = 1.0;
        if (t->len > 1) {
            /* the whole rest of the word is the divisor (the token ends at a blank, ',', ';' or NUL; a trailing
             * '.' dropped by lex may be read as the number's decimal point) */
            const char *d0 = t->s + 2, *dend = t->s + t->len;
            char *end = NULL;
            d = t->len > 2 && (isdigit((unsigned char)*d0) || *d0 == '.') ? strtod(d0, &end) : 0;
            if (t->len == 2 || !end || end < dend || !isfinite(d) || !(d > 0))
                return lex_err(L, t->col, "bad C-rate", t->s, t->len);
        }
        L->k++;
        q->kind = Q_CRATE;
        q->v = 1.0 / d;
        return SSB_OK;
    }
    if (!t->num)
        return err_here(L, expect);
    double v = t->v;
    L->k++;
    if (L->k >= L->n)
        return lex_err(L, t->col, "a unit is missing after the number", t->s, t->len);
    tok *u = &L->t[L->k];
    static const char *const amp_m2[] = {"A/m2", "A/m^2", "A.m-2", NULL};
    static const char *const ma_cm2[] = {"mA/cm2", "mA/cm^2", "mA.cm-2", NULL};
    static const char *const w_m2[] = {"W/m2", "W/m^2", NULL};
    static const char *const mw_cm2[] = {"mW/cm2", "mW/cm^2", NULL};
    static const char *const sec[] = {"s", "sec", "secs", "second", "seconds", NULL};
    static const char *const mins[] = {"min", "mins", "minute", "minutes", NULL};
    static const char *const hrs[] = {"h", "hr", "hrs", "hour", "hours", NULL};
    static const char *const ohm[] = {"ohm", "ohms", "Ω", NULL};
    int got = 0;
    if ((allowed & Q_CRATE) && is_word(u, "C"))
        got = Q_CRATE, q->v = v;
    else if ((allowed & Q_CURRENT) && word_in(u, amp_m2))
        got = Q_CURRENT, q->v = v;
    else if ((allowed & Q_CURRENT) && word_in(u, ma_cm2))
        got = Q_CURRENT, q->v = v * 10.0;
    else if ((allowed & Q_VOLTAGE) && is_word(u, "V"))
        got = Q_VOLTAGE, q->v = v;
    else if ((allowed & Q_VOLTAGE) && is_word(u, "mV"))
        got = Q_VOLTAGE, q->v = v * 1e-3;
    else if ((allowed & Q_POWER) && word_in(u, w_m2))
        got = Q_POWER, q->v = v;
    else if ((allowed & Q_POWER) && word_in(u, mw_cm2))
        got = Q_POWER, q->v = v * 10.0;
    else if ((allowed & Q_DURATION) && word_in(u, sec))
        got = Q_DURATION, q->v = v;
    else if ((allowed & Q_DURATION) && word_in(u, mins))
        got = Q_DURATION, q->v = v * 60.0;
    else if ((allowed & Q_DURATION) && word_in(u, hrs))
        got = Q_DURATION, q->v = v * 3600.0;
    else if ((allowed & Q_RESIST) && word_in(u, ohm)) {
        L->k++;
        if (L->k < L->n && is_word(&L->t[L->k], "m2"))
            got = Q_RESIST, q->v = v;
        else if (L->k < L->n && is_word(&L->t[L->k], "cm2"))
            got = Q_RESIST, q->v = v * 1e-4;
        else
            return err_here(L, "expected 'm2' or 'cm2' after 'ohm'");
    } else if ((allowed & Q_RESIST) && (is_word(u, "ohm.m2") || is_word(u, "ohm*m2") || is_word(u, "ohm-m2")))
        got = Q_RESIST, q->v = v;
    else if ((allowed & Q_RESIST) && (is_word(u, "ohm.cm2") || is_word(u, "ohm*cm2") || is_word(u, "ohm-cm2")))
        got = Q_RESIST, q->v = v * 1e-4;
    if (!got) {
        char what[160];
        snprintf(what, sizeof what, "unknown unit: expected %s", expect);
        return lex_err(L, u->col, what, u->s, u->len);
    }
    L->k++;
    q->kind = got;
    if (!isfinite(q->v))
        return lex_err(L, t->col, "number out of range", t->s, t->len);
    return SSB_OK;
}

static int parse_step(lexer *L, ssb_cell_step *st)
{
    memset(st, 0, sizeof *st);
    st->duration = st->v_cut = st->i_cut = NAN;
    st->block = -1;
    st->line = L->line;
    if (L->n == 0)
        return err_here(L, "empty step");
    tok *verb = &L->t[0];
    qty q;
    int sign = 0;
    if (accept(L, "discharge"))
        sign = 1;
    else if (accept(L, "charge"))
        sign = -1;
    if (sign) {
        if (!accept(L, "at"))
            return err_here(L, "expected 'at' after the verb");
        SSB_CHECK(L->ctx, parse_qty(L, Q_CURRENT | Q_CRATE | Q_POWER | Q_RESIST,
                                    "a current (1C, C/3, 20 A/m2, 2 mA/cm2), a power (W/m2, mW/cm2) or a "
                                    "resistance (ohm m2, ohm cm2)",
                                    &q));
        if (!(q.v > 0))
            return lex_err(L, L->t[1].col, "the value must be positive (the verb gives the sign)",
                           L->t[2 < L->n ? 2 : 1].s, L->t[2 < L->n ? 2 : 1].len);
        switch (q.kind) {
        case Q_CRATE:
            st->kind = SSB_CELL_STEP_CURRENT, st->crate = 1, st->value = sign * q.v;
            break;
        case Q_CURRENT:
            st->kind = SSB_CELL_STEP_CURRENT, st->value = sign * q.v;
            break;
        case Q_POWER:
            st->kind = SSB_CELL_STEP_POWER, st->value = sign * q.v;
            break;
        default:
            if (sign < 0)
                return lex_err(L, verb->col, "a resistive load can only discharge", verb->s, verb->len);
            st->kind = SSB_CELL_STEP_RESISTANCE, st->value = q.v;
            break;
        }
    } else if (accept(L, "hold")) {
        if (!accept(L, "at"))
            return err_here(L, "expected 'at' after 'Hold'");
        SSB_CHECK(L->ctx, parse_qty(L, Q_VOLTAGE, "a voltage (4.2 V, 4200 mV)", &q));
        st->kind = SSB_CELL_STEP_VOLTAGE;
        st->value = q.v;
    } else if (accept(L, "rest")) {
        st->kind = SSB_CELL_STEP_REST;
        st->value = 0;
    } else
        return err_here(L, "expected 'Discharge', 'Charge', 'Hold', 'Rest' or 'Repeat'");
    /* modifiers */
    int had_for = 0, had_until = 0;
    while (L->k < L->n) {
        if (accept(L, "for")) {
            if (had_for)
                return err_here(L, "a second 'for'");
            SSB_CHECK(L->ctx, parse_qty(L, Q_DURATION, "a duration (30 s, 10 minutes, 1 hour)", &q));
            if (!(q.v > 0))
                return err_here(L, "the duration must be positive");
            if (q.v < SSBI_PROTOCOL_MIN_DURATION)
                return lex_err(L, L->t[L->k - 2].col, "the duration must be at least 1e-6 s", L->t[L->k - 2].s,
                               L->t[L->k - 2].len);
            st->duration = q.v;
            had_for = 1;
        } else if (accept(L, "until")) {
            if (had_until)
                return err_here(L, "a second 'until'");
            if (st->kind == SSB_CELL_STEP_VOLTAGE) {
                SSB_CHECK(L->ctx, parse_qty(L, Q_CURRENT | Q_CRATE, "a current (C/20, 0.05C, 1 A/m2, 0.1 mA/cm2)", &q));
                if (!(q.v > 0))
                    return err_here(L, "the current cut-off must be positive");
                st->i_cut = q.v;
                st->i_cut_crate = q.kind == Q_CRATE;
            } else {
                SSB_CHECK(L->ctx, parse_qty(L, Q_VOLTAGE, "a voltage (3.0 V, 4200 mV)", &q));
                st->v_cut = q.v;
            }
            had_until = 1;
        } else if (accept(L, "or")) {
            continue;
        } else
            return err_here(L, "expected 'for', 'until' or the end of the step");
    }
    if (st->kind == SSB_CELL_STEP_REST && !had_for)
        return err_here(L, "'Rest' needs a duration ('Rest for 1 hour')");
    if (!had_for && !had_until)
        return err_here(L, "expected 'for <duration>' or 'until <limit>'");
    return SSB_OK;
}

static int push_step(ssb_ctx *ctx, ssb_cell_protocol *p, const ssb_cell_step *st)
{
    if (p->n >= MAX_STEPS)
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "protocol expands to more than %d steps", MAX_STEPS);
    if (p->n == p->cap) {
        int nc = p->cap ? 2 * p->cap : 16;
        ssb_cell_step *s = realloc(p->steps, (size_t)nc * sizeof *s);
        if (!s)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol)");
        p->steps = s;
        p->cap = nc;
    }
    p->steps[p->n++] = *st;
    return SSB_OK;
}

static int keep_text(ssb_ctx *ctx, ssb_cell_protocol *p, const char *a, const char *b, const char **out)
{
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    char **nt = realloc(p->texts, ((size_t)p->ntexts + 1) * sizeof *nt);
    if (!nt)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol)");
    p->texts = nt;
    char *s = malloc((size_t)(b - a) + 1);
    if (!s)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol)");
    memcpy(s, a, (size_t)(b - a));
    s[b - a] = '\0';
    p->texts[p->ntexts++] = s;
    *out = s;
    return SSB_OK;
}

/* Parse the ';'-separated steps of [a, b) in line into out (not expanded). A segment that starts with
 * "Repeat N times:" takes the rest of the line as its block (expanded into p directly; allow_repeat = 0 inside a
 * multi-line block). */
typedef struct {
    ssb_cell_step *s;
    int n, cap;
} steplist;

static int flush_block(ssb_ctx *ctx, ssb_cell_protocol *p, steplist *bl, long reps);
static int push_step(ssb_ctx *ctx, ssb_cell_protocol *p, const ssb_cell_step *st);

static int parse_repeat_head(lexer *L, long *reps, const char **rest, const char *b)
{
    L->k = 1;
    if (L->k >= L->n || !L->t[L->k].num || L->t[L->k].v != floor(L->t[L->k].v) || L->t[L->k].v < 1 ||
        L->t[L->k].v > 100000)
        return err_here(L, "expected a whole number of repetitions (1 to 100000)");
    *reps = (long)L->t[L->k].v;
    L->k++;
    if (!accept(L, "times") && !accept(L, "time")) {
        if (L->k < L->n && ((L->t[L->k].len == 6 && strncasecmp(L->t[L->k].s, "times:", 6) == 0) ||
                            (L->t[L->k].len == 5 && strncasecmp(L->t[L->k].s, "time:", 5) == 0)))
            L->k++;
        else
            return err_here(L, "expected 'times'");
    }
    const tok *pt = &L->t[L->k - 1];
    const char *r = pt->s + pt->len;
    while (r < b && (isspace((unsigned char)*r) || *r == ':'))
        r++;
    *rest = r;
    return SSB_OK;
}

static int parse_segment(ssb_ctx *ctx, ssb_cell_protocol *p, lexer *L, const char *line, const char *a, const char *b,
                         steplist *out, int allow_repeat)
{
    const char *q = a;
    while (q <= b) {
        const char *e = q;
        while (e < b && *e != ';')
            e++;
        const char *x = q;
        while (x < e && isspace((unsigned char)*x))
            x++;
        if (x < e) {
            SSB_CHECK(ctx, lex(L, line, q, e));
            if (L->n >= 1 && is_word(&L->t[0], "repeat")) {
                if (!allow_repeat)
                    return lex_err(L, L->t[0].col, "nested Repeat blocks are not supported", L->t[0].s, L->t[0].len);
                /* the block is the rest of the line */
                SSB_CHECK(ctx, lex(L, line, q, b));
                long reps;
                const char *rest;
                SSB_CHECK(ctx, parse_repeat_head(L, &reps, &rest, b));
                if (rest >= b)
                    return err_here(L, "a one-line Repeat needs its steps after 'times:'");
                /* flush what came before on this line, then the block */
                for (int i = 0; i < out->n; i++)
                    SSB_CHECK(ctx, push_step(ctx, p, &out->s[i]));
                out->n = 0;
                steplist one = {0};
                int rc = parse_segment(ctx, p, L, line, rest, b, &one, 0);
                if (rc == SSB_OK)
                    rc = flush_block(ctx, p, &one, reps);
                free(one.s);
                return rc;
            }
            ssb_cell_step st;
            SSB_CHECK(ctx, parse_step(L, &st));
            SSB_CHECK(ctx, keep_text(ctx, p, q, e, &st.text));
            if (out->n == out->cap) {
                int nc = out->cap ? 2 * out->cap : 8;
                ssb_cell_step *ns = realloc(out->s, (size_t)nc * sizeof *ns);
                if (!ns)
                    return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol)");
                out->s = ns;
                out->cap = nc;
            }
            out->s[out->n++] = st;
        }
        q = e + 1;
    }
    return SSB_OK;
}

static int flush_block(ssb_ctx *ctx, ssb_cell_protocol *p, steplist *bl, long reps)
{
    int id = p->nblocks++;
    for (long r = 0; r < reps; r++)
        for (int i = 0; i < bl->n; i++) {
            ssb_cell_step st = bl->s[i];
            st.block = id;
            SSB_CHECK(ctx, push_step(ctx, p, &st));
        }
    bl->n = 0;
    return SSB_OK;
}

static int parse_all(ssb_ctx *ctx, const char *text, ssb_cell_protocol *p)
{
    lexer L = {.ctx = ctx};
    steplist bl = {0}, plain = {0};
    long block_reps = 0;
    int in_block = 0, block_line = 0;
    int rc = SSB_OK;
    int lineno = 0;
    const char *ls = text;
    char *linebuf = NULL; /* the current line, as long as it is */
    size_t linecap = 0;
    while (*ls && rc == SSB_OK) {
        const char *le = ls;
        while (*le && *le != '\n')
            le++;
        lineno++;
        size_t len = (size_t)(le - ls);
        if (len >= (size_t)INT_MAX / 2) {
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "protocol line %d: %zu bytes is too long", lineno, len);
            break;
        }
        if (len + 1 > linecap) {
            char *nb = realloc(linebuf, len + 1);
            if (!nb) {
                rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol line %d, %zu bytes)", lineno, len);
                break;
            }
            linebuf = nb;
            linecap = len + 1;
        }
        memcpy(linebuf, ls, len);
        linebuf[len] = '\0';
        /* strip comments */
        char *hash = strchr(linebuf, '#');
        if (hash)
            *hash = '\0';
        L.line = lineno;
        L.ltext = linebuf;
        const char *a = linebuf, *b = linebuf + strlen(linebuf);
        while (a < b && isspace((unsigned char)*a))
            a++;
        if (a < b) {
            rc = lex(&L, linebuf, a, b);
            if (rc != SSB_OK)
                break;
            if (L.n >= 1 && is_word(&L.t[0], "repeat")) {
                if (in_block) {
                    rc = lex_err(&L, L.t[0].col, "nested Repeat blocks are not supported", L.t[0].s, L.t[0].len);
                    break;
                }
                long reps;
                const char *rest;
                rc = parse_repeat_head(&L, &reps, &rest, b);
                if (rc != SSB_OK)
                    break;
                if (rest < b) {
                    steplist one = {0};
                    rc = parse_segment(ctx, p, &L, linebuf, rest, b, &one, 0);
                    if (rc == SSB_OK)
                        rc = flush_block(ctx, p, &one, reps);
                    free(one.s);
                } else {
                    in_block = 1;
                    block_reps = reps;
                    block_line = lineno;
                }
            } else if (L.n == 1 && is_word(&L.t[0], "end")) {
                if (!in_block) {
                    rc = lex_err(&L, L.t[0].col, "'End' without 'Repeat'", L.t[0].s, L.t[0].len);
                    break;
                }
                if (bl.n == 0) {
                    rc = lex_err(&L, L.t[0].col, "empty Repeat block", L.t[0].s, L.t[0].len);
                    break;
                }
                rc = flush_block(ctx, p, &bl, block_reps);
                in_block = 0;
            } else {
                plain.n = 0;
                rc = parse_segment(ctx, p, &L, linebuf, a, b, in_block ? &bl : &plain, !in_block);
                for (int i = 0; rc == SSB_OK && !in_block && i < plain.n; i++)
                    rc = push_step(ctx, p, &plain.s[i]);
            }
        }
        ls = *le ? le + 1 : le;
    }
    if (rc == SSB_OK && in_block)
        rc = SSB_ERROR(ctx, SSB_ERR_ARG, "protocol line %d: 'Repeat' block without 'End'", block_line);
    if (rc == SSB_OK && p->n == 0)
        rc = SSB_ERROR(ctx, SSB_ERR_ARG, "protocol: no steps");
    free(bl.s);
    free(plain.s);
    free(L.t);
    free(linebuf);
    return rc;
}

int ssb_cell_protocol_parse(ssb_ctx *ctx, const char *text, ssb_cell_protocol **out)
{
    SSB_REQUIRE(ctx, text && out, SSB_ERR_ARG, "ssb_cell_protocol_parse: NULL argument");
    *out = NULL;
    ssb_cell_protocol *p = calloc(1, sizeof *p);
    if (!p)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (protocol)");
    int rc = parse_all(ctx, text, p);
    if (rc != SSB_OK) {
        ssb_cell_protocol_destroy(&p);
        return rc;
    }
    *out = p;
    return SSB_OK;
}

void ssb_cell_protocol_destroy(ssb_cell_protocol **pp)
{
    if (!pp || !*pp)
        return;
    ssb_cell_protocol *p = *pp;
    for (int i = 0; i < p->ntexts; i++)
        free(p->texts[i]);
    free(p->texts);
    free(p->steps);
    free(p);
    *pp = NULL;
}

int ssb_cell_protocol_nsteps(const ssb_cell_protocol *p)
{
    return p ? p->n : 0;
}

const ssb_cell_step *ssb_cell_protocol_step(const ssb_cell_protocol *p, int i)
{
    return p && i >= 0 && i < p->n ? &p->steps[i] : NULL;
}
