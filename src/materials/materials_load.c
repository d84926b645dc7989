/* Materials: parsing one JSON file of the ssbnet-materials-1 schema into records. */
#include "materials_impl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KELVIN0 273.15

static char *sdup(ssb_ctx *ctx, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ssbi_malloc(ctx, n, "materials string");
    if (d)
        memcpy(d, s, n);
    return d;
}

void ssbi_prop_clear(ssbi_prop *p)
{
    if (!p)
        return;
    free(p->key);
    free(p->unit);
    free(p->form);
    free(p->source);
    free(p->doi);
    free(p->note);
    memset(p, 0, sizeof *p);
}

void ssbi_ocv_clear(ssbi_ocv *o)
{
    if (!o)
        return;
    free(o->name);
    free(o->x_def);
    free(o->source);
    free(o->doi);
    free(o->note);
    free(o->x);
    free(o->U);
    for (int i = 0; i < o->nterms; i++)
        free(o->terms[i].coef);
    free(o->terms);
    free(o->U0);
    free(o->X);
    free(o->w);
    memset(o, 0, sizeof *o);
}

void ssbi_mat_free(ssb_material *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->formula);
    free(m->description);
    for (int i = 0; i < m->nalias; i++)
        free(m->alias[i]);
    free(m->alias);
    for (int i = 0; i < m->nprop; i++)
        ssbi_prop_clear(&m->props[i]);
    free(m->props);
    for (int i = 0; i < m->nocv; i++)
        ssbi_ocv_clear(&m->ocv[i]);
    free(m->ocv);
    for (int i = 0; i < m->ndif; i++)
        ssbi_ocv_clear(&m->dif[i]);
    free(m->dif);
    free(m);
}

/* ---- file reading and location helpers ---- */

/* Parsing context: file name and a key path for messages. */
typedef struct {
    ssb_ctx *ctx;
    const char *file;
    char where[512]; /* "materials[3] (Li6PS5Cl).properties.sigma_ion" */
    int user;
} pctx;

#define PFAIL(P, ...) fail_at((P), __VA_ARGS__)

static int fail_at(pctx *P, const char *fmt, ...) SSBI_PRINTF(2, 3);
static int fail_at(pctx *P, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return SSB_ERROR(P->ctx, SSB_ERR_FORMAT, "%s: %s: %s", P->file, P->where[0] ? P->where : "(top level)", msg);
}

static int check_keys(pctx *P, const cJSON *obj, const char *const *allowed)
{
    for (const cJSON *it = obj->child; it; it = it->next) {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (it->string && strcmp(it->string, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            char list[256] = "";
            for (int i = 0; allowed[i]; i++) {
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
                if (allowed[i + 1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return PFAIL(P, "unknown key '%s' (allowed: %s)", it->string ? it->string : "?", list);
        }
    }
    return SSB_OK;
}

static int get_string(pctx *P, const cJSON *obj, const char *key, int required, char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = NULL;
    if (!it) {
        if (required)
            return PFAIL(P, "missing required key '%s'", key);
        return SSB_OK;
    }
    if (!cJSON_IsString(it) || !it->valuestring)
        return PFAIL(P, "'%s' must be a string", key);
    if (required && it->valuestring[0] == 0)
        return PFAIL(P, "'%s' must not be empty", key);
    *out = sdup(P->ctx, it->valuestring);
    return *out ? SSB_OK : SSB_ERR_NOMEM;
}

static int get_number(pctx *P, const cJSON *it, const char *what, double *v)
{
    if (!cJSON_IsNumber(it))
        return PFAIL(P, "'%s' must be a number", what);
    if (!isfinite(it->valuedouble))
        return PFAIL(P, "'%s' = %g is not finite", what, it->valuedouble);
    *v = it->valuedouble;
    return SSB_OK;
}

static int get_numbers(pctx *P, const cJSON *arr, const char *what, int nmin, int nmax, double **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return PFAIL(P, "'%s' must be an array of numbers", what);
    int cnt = cJSON_GetArraySize(arr);
    if (cnt < nmin || (nmax > 0 && cnt > nmax)) {
        if (nmax == nmin)
            return PFAIL(P, "'%s' must have %d numbers, has %d", what, nmin, cnt);
        return PFAIL(P, "'%s' must have at least %d numbers, has %d", what, nmin, cnt);
    }
    double *v = ssbi_malloc(P->ctx, (size_t)(cnt > 0 ? cnt : 1) * sizeof *v, "materials array");
    if (!v)
        return SSB_ERR_NOMEM;
    int i = 0;
    for (const cJSON *it = arr->child; it; it = it->next, i++) {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble)) {
            free(v);
            return PFAIL(P, "'%s'[%d] is not a finite number", what, i);
        }
        v[i] = it->valuedouble;
    }
    *out = v;
    *n = cnt;
    return SSB_OK;
}

static int parse_status(pctx *P, const char *s, ssb_mat_status *st)
{
    if (strcmp(s, "D") == 0)
        *st = SSB_MAT_STATUS_DATA;
    else if (strcmp(s, "L") == 0)
        *st = SSB_MAT_STATUS_LITERATURE;
    else if (strcmp(s, "C") == 0)
        *st = SSB_MAT_STATUS_COMPUTED;
    else if (strcmp(s, "E") == 0) {
        if (!P->user)
            return PFAIL(P, "status 'E' (estimate) is allowed in user files only");
        *st = SSB_MAT_STATUS_ESTIMATE;
    } else {
        return PFAIL(P, "status '%s' must be one of D, L, C%s", s, P->user ? ", E" : "");
    }
    return SSB_OK;
}

/* ---- one property ---- */

/* Keys whose values are physically positive (a zero or negative number is a data error). */
static int positive_key(const char *key)
{
    static const char *const k[] = {"molar_mass", "density", "c_max", "c_Li", "Q_theor", "Li_per_formula",
                                    "molar_volume", NULL};
    for (int i = 0; k[i]; i++)
        if (strcmp(key, k[i]) == 0)
            return 1;
    return 0;
}

static int parse_prop(pctx *P, const cJSON *obj, ssbi_prop *p)
{
    static const char *const allowed[] = {"value", "min",    "max", "unit",   "T_C",  "valid_T_C",
                                          "form",  "source", "doi", "status", "note", NULL};
    int rc;
    char *status = NULL;
    memset(p, 0, sizeof *p);
    p->value = p->min = p->max = p->T = p->T_min = p->T_max = NAN;
    if (!cJSON_IsObject(obj))
        return PFAIL(P, "a property must be an object");
    SSB_CHECK(P->ctx, check_keys(P, obj, allowed));
    p->key = sdup(P->ctx, obj->string);
    if (!p->key)
        return SSB_ERR_NOMEM;
    const cJSON *it;
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "value"))) {
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "value", &p->value), fail);
        p->has_value = 1;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "min")))
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "min", &p->min), fail);
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "max")))
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "max", &p->max), fail);
    if (!p->has_value && isnan(p->min) && isnan(p->max)) {
        rc = PFAIL(P, "needs 'value' or 'min'/'max'");
        goto fail;
    }
    if (!isnan(p->min) && !isnan(p->max) && p->min > p->max) {
        rc = PFAIL(P, "min = %g > max = %g", p->min, p->max);
        goto fail;
    }
    if (p->has_value && ((!isnan(p->min) && p->value < p->min) || (!isnan(p->max) && p->value > p->max))) {
        rc = PFAIL(P, "value = %g lies outside its own range [%g, %g]", p->value, isnan(p->min) ? -HUGE_VAL : p->min,
                   isnan(p->max) ? HUGE_VAL : p->max);
        goto fail;
    }
    if (positive_key(p->key) && ((p->has_value && !(p->value > 0)) || (!isnan(p->min) && !(p->min > 0)))) {
        rc = PFAIL(P, "%s must be > 0 (got %g)", p->key, p->has_value ? p->value : p->min);
        goto fail;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "unit", 1, &p->unit), fail);
    if (!ssbi_unit_lookup(p->unit, &p->factor, &p->si_unit)) {
        rc = PFAIL(P, "unknown unit '%s'", p->unit);
        goto fail;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "T_C"))) {
        double t = 0.0;
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "T_C", &t), fail);
        if (t <= -KELVIN0) {
            rc = PFAIL(P, "T_C = %g is below absolute zero", t);
            goto fail;
        }
        p->T = p->T_min = p->T_max = t + KELVIN0;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "valid_T_C"))) {
        double *r = NULL;
        int nr;
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, it, "valid_T_C", 2, 2, &r, &nr), fail);
        double lo = r[0], hi = r[1];
        free(r);
        if (!(lo <= hi) || lo <= -KELVIN0) {
            rc = PFAIL(P, "valid_T_C = [%g, %g] must be increasing and above absolute zero", lo, hi);
            goto fail;
        }
        if (!isnan(p->T) && (p->T < lo + KELVIN0 - 1e-9 || p->T > hi + KELVIN0 + 1e-9)) {
            rc = PFAIL(P, "T_C = %g lies outside valid_T_C = [%g, %g]", p->T - KELVIN0, lo, hi);
            goto fail;
        }
        p->T_min = lo + KELVIN0;
        p->T_max = hi + KELVIN0;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "form", 0, &p->form), fail);
    if (p->form && strcmp(p->form, "sigmaT") != 0 && strcmp(p->form, "sigma") != 0) {
        rc = PFAIL(P, "form '%s' must be 'sigmaT' or 'sigma'", p->form);
        goto fail;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "source", 1, &p->source), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "doi", 0, &p->doi), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "note", 0, &p->note), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "status", 1, &status), fail);
    SSB_CHECK_GOTO(P->ctx, rc, parse_status(P, status, &p->status), fail);
    free(status);
    return SSB_OK;
fail:
    free(status);
    ssbi_prop_clear(p);
    return rc;
}

/* ---- one OCV curve ---- */

typedef struct {
    double x, U;
} xu_pair;

static int cmp_xu(const void *a, const void *b)
{
    double xa = ((const xu_pair *)a)->x, xb = ((const xu_pair *)b)->x;
    return (xa > xb) - (xa < xb);
}

static int sort_table(pctx *P, ssbi_ocv *o)
{
    /* O(n log n): tables may hold 1e5+ points */
    int sorted = 1;
    for (int i = 1; i < o->n && sorted; i++)
        sorted = o->x[i] > o->x[i - 1];
    if (!sorted) {
        xu_pair *t = ssbi_malloc(P->ctx, (size_t)o->n * sizeof *t, "OCV table");
        if (!t)
            return SSB_ERR_NOMEM;
        for (int i = 0; i < o->n; i++) {
            t[i].x = o->x[i];
            t[i].U = o->U[i];
        }
        qsort(t, (size_t)o->n, sizeof *t, cmp_xu);
        for (int i = 0; i < o->n; i++) {
            o->x[i] = t[i].x;
            o->U[i] = t[i].U;
        }
        free(t);
    }
    for (int i = 1; i < o->n; i++)
        if (!(o->x[i] > o->x[i - 1]))
            return PFAIL(P, "table x has a duplicate value %g", o->x[i]);
    return SSB_OK;
}

static int parse_term(pctx *P, const cJSON *t, ssbi_term *term)
{
    static const char *const allowed[] = {"poly", "tanh", "exp", "n", "pow", NULL};
    double *v = NULL;
    int n, rc;
    memset(term, 0, sizeof *term);
    term->n = 1;
    if (!cJSON_IsObject(t))
        return PFAIL(P, "a term must be an object");
    SSB_CHECK(P->ctx, check_keys(P, t, allowed));
    const cJSON *it;
    if ((it = cJSON_GetObjectItemCaseSensitive(t, "poly"))) {
        SSB_CHECK(P->ctx, get_numbers(P, it, "poly", 1, 0, &v, &n));
        term->kind = SSBI_TERM_POLY;
        term->coef = v;
        term->ncoef = n;
    } else if ((it = cJSON_GetObjectItemCaseSensitive(t, "tanh"))) {
        SSB_CHECK(P->ctx, get_numbers(P, it, "tanh", 3, 3, &v, &n));
        term->kind = SSBI_TERM_TANH;
    } else if ((it = cJSON_GetObjectItemCaseSensitive(t, "exp"))) {
        SSB_CHECK(P->ctx, get_numbers(P, it, "exp", 3, 3, &v, &n));
        term->kind = SSBI_TERM_EXP;
        const cJSON *ne = cJSON_GetObjectItemCaseSensitive(t, "n");
        if (ne) {
            double d = 0.0;
            if ((rc = get_number(P, ne, "n", &d)) != SSB_OK) {
                free(v);
                return rc;
            }
            if (d != floor(d) || d < 1 || d > 16) {
                free(v);
                return PFAIL(P, "exp term n = %g must be an integer in [1, 16]", d);
            }
            term->n = (int)d;
        }
    } else if ((it = cJSON_GetObjectItemCaseSensitive(t, "pow"))) {
        SSB_CHECK(P->ctx, get_numbers(P, it, "pow", 4, 4, &v, &n));
        term->kind = SSBI_TERM_POW;
        term->p = v[3];
    } else {
        return PFAIL(P, "a term needs one of poly, tanh, exp, pow");
    }
    if (term->kind != SSBI_TERM_POLY) {
        term->a = v[0];
        term->b = v[1];
        term->c = v[2];
        free(v);
    }
    return SSB_OK;
}

/* Long (about 155 lines) on purpose: the three OCV forms (table, expression, MSMR) share one schema and one set of
 * range and basis checks; split up, the checks of one curve would be spread over several functions. */
static int parse_ocv(pctx *P, const cJSON *obj, ssbi_ocv *o)
{
    static const char *const allowed[] = {"name", "kind", "x_def", "x_range", "source", "doi",       "status", "note",
                                          "x",    "U",    "terms", "clip_U",  "T_K",    "reactions",
                                          "x_basis_mol_per_m3", "x_at_full_lithiation", NULL};
    int rc, n;
    char *kind = NULL, *status = NULL;
    double *r = NULL;
    memset(o, 0, sizeof *o);
    o->clip_lo = o->clip_hi = NAN;
    o->x_min = o->x_max = NAN;
    o->x_basis = NAN;
    o->x_full = NAN;
    if (!cJSON_IsObject(obj))
        return PFAIL(P, "an OCV entry must be an object");
    SSB_CHECK(P->ctx, check_keys(P, obj, allowed));
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "name", 1, &o->name), fail);
    size_t wl = strlen(P->where);
    snprintf(P->where + wl, sizeof P->where - wl, " '%s'", o->name);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "kind", 1, &kind), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "x_def", 1, &o->x_def), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "source", 1, &o->source), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "doi", 0, &o->doi), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "note", 0, &o->note), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "status", 1, &status), fail);
    SSB_CHECK_GOTO(P->ctx, rc, parse_status(P, status, &o->status), fail);
    const cJSON *it;
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "x_range"))) {
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, it, "x_range", 2, 2, &r, &n), fail);
        o->x_min = r[0];
        o->x_max = r[1];
        free(r);
        r = NULL;
        if (!(o->x_min < o->x_max)) {
            rc = PFAIL(P, "x_range [%g, %g] must be increasing", o->x_min, o->x_max);
            goto fail;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "x_basis_mol_per_m3"))) {
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "x_basis_mol_per_m3", &o->x_basis), fail);
        if (!(o->x_basis > 0)) {
            rc = PFAIL(P, "x_basis_mol_per_m3 = %g must be > 0", o->x_basis);
            goto fail;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "x_at_full_lithiation"))) {
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, it, "x_at_full_lithiation", &o->x_full), fail);
        if (isnan(o->x_basis)) {
            rc = PFAIL(P, "x_at_full_lithiation needs x_basis_mol_per_m3 (the concentration its x counts)");
            goto fail;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "clip_U"))) {
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, it, "clip_U", 2, 2, &r, &n), fail);
        o->clip_lo = r[0];
        o->clip_hi = r[1];
        free(r);
        r = NULL;
        if (!(o->clip_lo < o->clip_hi)) {
            rc = PFAIL(P, "clip_U must be increasing");
            goto fail;
        }
    }
    if (strcmp(kind, "table") == 0) {
        int nu;
        o->kind = SSB_OCV_TABLE;
        const cJSON *jx = cJSON_GetObjectItemCaseSensitive(obj, "x"), *ju = cJSON_GetObjectItemCaseSensitive(obj, "U");
        if (!jx || !ju) {
            rc = PFAIL(P, "a table needs 'x' and 'U'");
            goto fail;
        }
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, jx, "x", 2, 0, &o->x, &o->n), fail);
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, ju, "U", 2, 0, &o->U, &nu), fail);
        if (nu != o->n) {
            rc = PFAIL(P, "'x' has %d points but 'U' has %d", o->n, nu);
            goto fail;
        }
        SSB_CHECK_GOTO(P->ctx, rc, sort_table(P, o), fail);
        if (isnan(o->x_min)) {
            o->x_min = o->x[0];
            o->x_max = o->x[o->n - 1];
        } else if (o->x_min < o->x[0] - 1e-12 || o->x_max > o->x[o->n - 1] + 1e-12) {
            rc = PFAIL(P, "x_range [%g, %g] exceeds the table span [%g, %g]", o->x_min, o->x_max, o->x[0],
                       o->x[o->n - 1]);
            goto fail;
        }
    } else if (strcmp(kind, "function") == 0) {
        o->kind = SSB_OCV_FUNCTION;
        const cJSON *jt = cJSON_GetObjectItemCaseSensitive(obj, "terms");
        if (!cJSON_IsArray(jt) || cJSON_GetArraySize(jt) < 1) {
            rc = PFAIL(P, "a function needs a non-empty 'terms' array");
            goto fail;
        }
        if (isnan(o->x_min)) {
            rc = PFAIL(P, "a function needs 'x_range'");
            goto fail;
        }
        int nt = cJSON_GetArraySize(jt);
        o->terms = ssbi_calloc(P->ctx, (size_t)nt, sizeof *o->terms, "OCV terms");
        if (!o->terms) {
            rc = SSB_ERR_NOMEM;
            goto fail;
        }
        for (const cJSON *t = jt->child; t; t = t->next) {
            SSB_CHECK_GOTO(P->ctx, rc, parse_term(P, t, &o->terms[o->nterms]), fail);
            o->nterms++;
        }
    } else if (strcmp(kind, "msmr") == 0) {
        o->kind = SSB_OCV_MSMR;
        const cJSON *jr = cJSON_GetObjectItemCaseSensitive(obj, "reactions");
        const cJSON *jT = cJSON_GetObjectItemCaseSensitive(obj, "T_K");
        if (!cJSON_IsArray(jr) || cJSON_GetArraySize(jr) < 1 || !jT) {
            rc = PFAIL(P, "an msmr curve needs 'T_K' and a non-empty 'reactions' array");
            goto fail;
        }
        SSB_CHECK_GOTO(P->ctx, rc, get_number(P, jT, "T_K", &o->T), fail);
        if (!(o->T > 0)) {
            rc = PFAIL(P, "T_K = %g must be > 0", o->T);
            goto fail;
        }
        int nr = cJSON_GetArraySize(jr);
        o->U0 = ssbi_malloc(P->ctx, (size_t)nr * sizeof(double), "msmr");
        o->X = ssbi_malloc(P->ctx, (size_t)nr * sizeof(double), "msmr");
        o->w = ssbi_malloc(P->ctx, (size_t)nr * sizeof(double), "msmr");
        if (!o->U0 || !o->X || !o->w) {
            rc = SSB_ERR_NOMEM;
            goto fail;
        }
        double sumX = 0;
        for (const cJSON *t = jr->child; t; t = t->next) {
            SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, t, "reactions[j]", 3, 3, &r, &n), fail);
            if (!(r[1] > 0) || !(r[2] > 0)) {
                rc = PFAIL(P, "reaction %d: X = %g and w = %g must be > 0", o->nreact, r[1], r[2]);
                goto fail;
            }
            o->U0[o->nreact] = r[0];
            o->X[o->nreact] = r[1];
            o->w[o->nreact] = r[2];
            sumX += r[1];
            o->nreact++;
            free(r);
            r = NULL;
        }
        if (isnan(o->x_min)) {
            o->x_min = 0.0;
            o->x_max = sumX;
        } else if (o->x_min <= 0 || o->x_max >= sumX) {
            rc = PFAIL(P, "x_range [%g, %g] must lie inside (0, sum X = %g)", o->x_min, o->x_max, sumX);
            goto fail;
        }
    } else {
        rc = PFAIL(P, "kind '%s' must be table, function or msmr", kind);
        goto fail;
    }
    if (!isnan(o->x_full) && !(o->x_full > o->x_min && o->x_full <= o->x_max)) {
        rc = PFAIL(P, "x_at_full_lithiation = %g must lie in (%g, %g], the curve's range", o->x_full, o->x_min,
                   o->x_max);
        goto fail;
    }
    P->where[wl] = 0;
    free(kind);
    free(status);
    return SSB_OK;
fail:
    free(r);
    free(kind);
    free(status);
    ssbi_ocv_clear(o);
    return rc;
}

/* One D(x) table: stored as an ssbi_ocv table with U = log10(D [m2/s]). */
static int parse_diffusivity(pctx *P, const cJSON *obj, ssbi_ocv *o)
{
    static const char *const allowed[] = {"name", "kind", "x_def", "x_range", "source", "doi",
                                          "status", "note", "x",     "D",       "unit",   NULL};
    int rc, n, nd;
    char *kind = NULL, *status = NULL, *unit = NULL;
    double *r = NULL;
    memset(o, 0, sizeof *o);
    o->clip_lo = o->clip_hi = NAN;
    o->x_min = o->x_max = NAN;
    o->x_basis = NAN;
    o->x_full = NAN;
    o->kind = SSB_OCV_TABLE;
    if (!cJSON_IsObject(obj))
        return PFAIL(P, "a diffusivity entry must be an object");
    SSB_CHECK(P->ctx, check_keys(P, obj, allowed));
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "name", 1, &o->name), fail);
    size_t wl = strlen(P->where);
    snprintf(P->where + wl, sizeof P->where - wl, " '%s'", o->name);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "kind", 1, &kind), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "x_def", 1, &o->x_def), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "source", 1, &o->source), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "doi", 0, &o->doi), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "note", 0, &o->note), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "status", 1, &status), fail);
    SSB_CHECK_GOTO(P->ctx, rc, parse_status(P, status, &o->status), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "unit", 1, &unit), fail);
    if (strcmp(kind, "table") != 0) {
        rc = PFAIL(P, "kind '%s' must be table", kind);
        goto fail;
    }
    double f;
    const char *si;
    if (!ssbi_unit_lookup(unit, &f, &si) || strcmp(si, "m2/s") != 0) {
        rc = PFAIL(P, "unit '%s' must be cm2/s or m2/s", unit);
        goto fail;
    }
    const cJSON *jx = cJSON_GetObjectItemCaseSensitive(obj, "x"), *jd = cJSON_GetObjectItemCaseSensitive(obj, "D");
    if (!jx || !jd) {
        rc = PFAIL(P, "a diffusivity table needs 'x' and 'D'");
        goto fail;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, jx, "x", 2, 0, &o->x, &o->n), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, jd, "D", 2, 0, &o->U, &nd), fail);
    if (nd != o->n) {
        rc = PFAIL(P, "'x' has %d points but 'D' has %d", o->n, nd);
        goto fail;
    }
    for (int k = 0; k < o->n; k++) {
        if (!(o->U[k] > 0)) {
            rc = PFAIL(P, "D[%d] = %g %s must be > 0", k, o->U[k], unit);
            goto fail;
        }
        if (o->x[k] < 0 || o->x[k] > 1) {
            rc = PFAIL(P, "x[%d] = %g must lie in [0, 1] (Li fraction)", k, o->x[k]);
            goto fail;
        }
        o->U[k] = log10(o->U[k] * f);
    }
    SSB_CHECK_GOTO(P->ctx, rc, sort_table(P, o), fail);
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "x_range");
    if (it) {
        SSB_CHECK_GOTO(P->ctx, rc, get_numbers(P, it, "x_range", 2, 2, &r, &n), fail);
        o->x_min = r[0];
        o->x_max = r[1];
        if (!(o->x_min < o->x_max) || o->x_min < o->x[0] - 1e-12 || o->x_max > o->x[o->n - 1] + 1e-12) {
            rc = PFAIL(P, "x_range [%g, %g] must be increasing and inside the table span [%g, %g]", o->x_min,
                       o->x_max, o->x[0], o->x[o->n - 1]);
            goto fail;
        }
    } else {
        o->x_min = o->x[0];
        o->x_max = o->x[o->n - 1];
    }
    P->where[wl] = 0;
    rc = SSB_OK;
    goto done;
fail:
    ssbi_ocv_clear(o);
done:
    free(r);
    free(kind);
    free(status);
    free(unit);
    return rc;
}

/* ---- one record ---- */

/* The curves of array member 'key' of a record (absent: none), each parsed by 'parse' into a new array *out of *n
 * curves; the key path names each curve as key[i] (wl: length of the record's path). On failure the curves parsed so
 * far stay in *out / *n for the record's clean-up. */
static int parse_curves(pctx *P, const cJSON *obj, const char *key, size_t wl,
                        int (*parse)(pctx *, const cJSON *, ssbi_ocv *), ssbi_ocv **out, int *n)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it)
        return SSB_OK;
    if (!cJSON_IsArray(it))
        return PFAIL(P, "'%s' must be an array", key);
    int cnt = cJSON_GetArraySize(it);
    *out = ssbi_calloc(P->ctx, (size_t)(cnt > 0 ? cnt : 1), sizeof **out, key);
    if (!*out)
        return SSB_ERR_NOMEM;
    for (const cJSON *o = it->child; o; o = o->next) {
        snprintf(P->where + wl, sizeof P->where - wl, ".%s[%d]", key, *n);
        int rc = parse(P, o, &(*out)[*n]);
        if (rc != SSB_OK)
            return rc;
        (*n)++;
    }
    P->where[wl] = 0;
    return SSB_OK;
}

static int parse_record(pctx *P, const cJSON *obj, ssb_mat_class file_cls, ssb_material **out)
{
    static const char *const allowed[] = {"name",    "aliases",    "class", "formula", "description",
                                          "replace", "properties", "ocv",   "diffusivity", NULL};
    int rc;
    char *cls = NULL;
    ssb_material *m = ssbi_calloc(P->ctx, 1, sizeof *m, "material");
    if (!m)
        return SSB_ERR_NOMEM;
    m->cls = file_cls;
    if (!cJSON_IsObject(obj)) {
        rc = PFAIL(P, "a material must be an object");
        goto fail;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "name", 1, &m->name), fail);
    size_t wl = strlen(P->where);
    snprintf(P->where + wl, sizeof P->where - wl, " (%s)", m->name);
    wl = strlen(P->where);
    SSB_CHECK_GOTO(P->ctx, rc, check_keys(P, obj, allowed), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "class", 0, &cls), fail);
    if (cls) {
        if (ssb_mat_class_parse(NULL, cls, &m->cls) != SSB_OK) {
            rc = PFAIL(P, "class '%s' must be se, cathode, anode, coating, carbon or other", cls);
            goto fail;
        }
        m->has_cls = 1;
    }
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "formula", 0, &m->formula), fail);
    SSB_CHECK_GOTO(P->ctx, rc, get_string(P, obj, "description", 0, &m->description), fail);
    const cJSON *it;
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "replace"))) {
        if (!cJSON_IsBool(it)) {
            rc = PFAIL(P, "'replace' must be true or false");
            goto fail;
        }
        if (!P->user) {
            rc = PFAIL(P, "'replace' is allowed in user files only");
            goto fail;
        }
        m->replace = cJSON_IsTrue(it);
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "aliases"))) {
        if (!cJSON_IsArray(it)) {
            rc = PFAIL(P, "'aliases' must be an array of strings");
            goto fail;
        }
        int na = cJSON_GetArraySize(it);
        m->alias = ssbi_calloc(P->ctx, (size_t)(na > 0 ? na : 1), sizeof *m->alias, "aliases");
        if (!m->alias) {
            rc = SSB_ERR_NOMEM;
            goto fail;
        }
        for (const cJSON *a = it->child; a; a = a->next) {
            if (!cJSON_IsString(a) || !a->valuestring || !a->valuestring[0]) {
                rc = PFAIL(P, "aliases[%d] must be a non-empty string", m->nalias);
                goto fail;
            }
            if (!(m->alias[m->nalias] = sdup(P->ctx, a->valuestring))) {
                rc = SSB_ERR_NOMEM;
                goto fail;
            }
            m->nalias++;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(obj, "properties"))) {
        if (!cJSON_IsObject(it)) {
            rc = PFAIL(P, "'properties' must be an object");
            goto fail;
        }
        int np = cJSON_GetArraySize(it);
        m->props = ssbi_calloc(P->ctx, (size_t)(np > 0 ? np : 1), sizeof *m->props, "properties");
        if (!m->props) {
            rc = SSB_ERR_NOMEM;
            goto fail;
        }
        for (const cJSON *p = it->child; p; p = p->next) {
            for (int k = 0; k < m->nprop; k++)
                if (strcmp(m->props[k].key, p->string) == 0) {
                    rc = PFAIL(P, "property '%s' given twice", p->string);
                    goto fail;
                }
            snprintf(P->where + wl, sizeof P->where - wl, ".properties.%s", p->string);
            SSB_CHECK_GOTO(P->ctx, rc, parse_prop(P, p, &m->props[m->nprop]), fail);
            m->nprop++;
        }
        P->where[wl] = 0;
    }
    SSB_CHECK_GOTO(P->ctx, rc, parse_curves(P, obj, "ocv", wl, parse_ocv, &m->ocv, &m->nocv), fail);
    SSB_CHECK_GOTO(P->ctx, rc, parse_curves(P, obj, "diffusivity", wl, parse_diffusivity, &m->dif, &m->ndif), fail);
    SSB_CHECK_GOTO(P->ctx, rc, ssbi_mat_update_molar_mass(P->ctx, m, P->file), fail);
    free(cls);
    *out = m;
    return SSB_OK;
fail:
    free(cls);
    ssbi_mat_free(m);
    return rc;
}

int ssbi_mat_update_molar_mass(ssb_ctx *ctx, ssb_material *m, const char *file)
{
    int idx = -1;
    for (int k = 0; k < m->nprop; k++)
        if (strcmp(m->props[k].key, "molar_mass") == 0)
            idx = k;
    if (idx >= 0 && !m->props[idx].auto_mm)
        return SSB_OK; /* given explicitly */
    if (!m->formula) {
        if (idx >= 0) { /* formula removed: drop the computed value */
            ssbi_prop_clear(&m->props[idx]);
            m->props[idx] = m->props[m->nprop - 1];
            memset(&m->props[m->nprop - 1], 0, sizeof m->props[0]);
            m->nprop--;
        }
        return SSB_OK;
    }
    double M;
    int rc = ssb_materials_molar_mass(ctx, m->formula, &M);
    if (rc != SSB_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", ctx ? ssb_ctx_get_error(ctx) : "bad formula");
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: material '%s': %s", file, m->name, msg);
    }
    if (idx < 0) {
        ssbi_prop *np = realloc(m->props, (size_t)(m->nprop + 1) * sizeof *np);
        if (!np)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory adding molar_mass");
        m->props = np;
        idx = m->nprop;
        memset(&m->props[idx], 0, sizeof m->props[idx]);
        ssbi_prop *p = &m->props[idx];
        char src[512];
        snprintf(src, sizeof src, "computed from the formula %s with IUPAC/CIAAW 2021 abridged standard atomic weights",
                 m->formula);
        p->key = sdup(ctx, "molar_mass");
        p->unit = sdup(ctx, "g/mol");
        p->source = sdup(ctx, src);
        if (!p->key || !p->unit || !p->source) {
            ssbi_prop_clear(p);
            return SSB_ERR_NOMEM;
        }
        m->nprop++;
        p->has_value = 1;
        p->min = p->max = p->T = p->T_min = p->T_max = NAN;
        ssbi_unit_lookup("g/mol", &p->factor, &p->si_unit);
        p->status = SSB_MAT_STATUS_COMPUTED;
        p->auto_mm = 1;
    } else {
        char src[512];
        snprintf(src, sizeof src, "computed from the formula %s with IUPAC/CIAAW 2021 abridged standard atomic weights",
                 m->formula);
        char *s = sdup(ctx, src);
        if (!s)
            return SSB_ERR_NOMEM;
        free(m->props[idx].source);
        m->props[idx].source = s;
    }
    m->props[idx].value = M;
    return SSB_OK;
}

int ssbi_mat_parse_file(ssb_ctx *ctx, const char *path, int user, ssb_mat_class *file_cls, ssb_material ***recs,
                        int *nrec)
{
    static const char *const allowed[] = {"schema", "class", "materials", NULL};
    char *text = NULL;
    int rc;
    *recs = NULL;
    *nrec = 0;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, "materials file", 0, &text));
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        int line, col;
        ssbi_text_line_col(text, end, &line, &col);
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%d:%d: JSON syntax error%s", path, line, col,
                       (end && !*end) ? " (truncated file?)" : "");
        free(text);
        return rc;
    }
    free(text);
    pctx P = {ctx, path, "", user};
    ssb_material **list = NULL;
    int n = 0;
    if (!cJSON_IsObject(root)) {
        rc = PFAIL(&P, "the top level must be an object");
        goto done;
    }
    SSB_CHECK_GOTO(ctx, rc, check_keys(&P, root, allowed), done);
    const cJSON *sch = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsString(sch) || strcmp(sch->valuestring, "ssbnet-materials-1") != 0) {
        rc = PFAIL(&P, "'schema' must be \"ssbnet-materials-1\"");
        goto done;
    }
    ssb_mat_class fc = SSB_MAT_OTHER;
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(root, "class");
    if (jc) {
        if (!cJSON_IsString(jc) || ssb_mat_class_parse(NULL, jc->valuestring, &fc) != SSB_OK) {
            rc = PFAIL(&P, "'class' must be se, cathode, anode, coating, carbon or other");
            goto done;
        }
    }
    const cJSON *mats = cJSON_GetObjectItemCaseSensitive(root, "materials");
    if (!cJSON_IsArray(mats)) {
        rc = PFAIL(&P, "'materials' must be an array");
        goto done;
    }
    int cnt = cJSON_GetArraySize(mats);
    list = ssbi_calloc(ctx, (size_t)(cnt > 0 ? cnt : 1), sizeof *list, "material list");
    if (!list) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    for (const cJSON *it = mats->child; it; it = it->next) {
        snprintf(P.where, sizeof P.where, "materials[%d]", n);
        SSB_CHECK_GOTO(ctx, rc, parse_record(&P, it, fc, &list[n]), done);
        n++;
    }
    if (file_cls)
        *file_cls = fc;
    *recs = list;
    *nrec = n;
    list = NULL;
    rc = SSB_OK;
done:
    if (list) {
        for (int i = 0; i < n; i++)
            ssbi_mat_free(list[i]);
        free(list);
    }
    cJSON_Delete(root);
    return rc;
}
