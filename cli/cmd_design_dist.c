/* `design compare --shard I/N` and `design merge`: the part file of one share of a comparison (job arrays without
 * MPI). The library splits and merges (ssb_design_compare_shard, ssb_design_comparison_merge); this file only
 * writes a share to JSON and reads it back. Every number of a variant is stored as a C99 hexadecimal floating-point
 * string ("%a"; "nan", "inf"), so a merged report is bit for bit the one-process report. */
#include "cli.h"
#include "cli_design.h"

#include <ssbnet/ssb_core.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PART_FORMAT "ssbnet-design-part-1"

int cli_design_parse_shard(cli_env *env, const char *text, int *shard, int *nshards)
{
    (void)env;
    char *end = NULL;
    errno = 0;
    long i = strtol(text, &end, 10);
    long n = 0;
    int ok = end != text && *end == '/' && errno == 0;
    if (ok) {
        const char *q = end + 1;
        n = strtol(q, &end, 10);
        ok = end != q && *end == '\0' && errno == 0;
    }
    if (!ok) {
        fprintf(stderr, "ssbnet: error: option --shard: '%s' is not I/N (share I of N, I from 0 to N-1)\n", text);
        return CLI_EXIT_USAGE;
    }
    if (n < 1 || n > SSB_DESIGN_MAX_SHARDS || i < 0 || i >= n) {
        fprintf(stderr, "ssbnet: error: option --shard %s: shard %ld of %ld is out of range (valid: N from 1 to %d, "
                        "I from 0 to N-1)\n", text, i, n, SSB_DESIGN_MAX_SHARDS);
        return CLI_EXIT_RANGE;
    }
    *shard = (int)i;
    *nshards = (int)n;
    return 0;
}

/* ------------------------------------------------------------------------------------------- the fields */

enum { F_DBL, F_INT, F_STR };
typedef struct {
    const char *key;
    size_t off;
    int kind;
    size_t len; /* F_STR: buffer size */
} part_field;

#define FD(m) {#m, offsetof(ssb_design_metrics, m), F_DBL, 0}
#define FI(m) {#m, offsetof(ssb_design_metrics, m), F_INT, 0}
#define FS(m) {#m, offsetof(ssb_design_metrics, m), F_STR, SSB_DESIGN_NOTE_LEN}
/* Every member of ssb_design_metrics but the bottleneck (an enum) and the breakdown (written apart). */
static const part_field metric_fields[] = {
    FD(rate), FI(sustained), FD(capacity), FD(specific_capacity), FD(energy), FD(v_mean), FD(wh_per_kg),
    FD(wh_per_l), FD(bottleneck_loss), FD(ref_capacity), FD(power_rate), FI(ccs_available), FD(pressure), FD(ccs),
    FD(li_contact_fraction), FD(ccd_effective), FD(current), FS(ccs_note), FI(aged_available), FD(hours),
    FD(R_pos_initial), FD(R_pos_aged), FD(R_neg_initial), FD(R_neg_aged), FD(capacity_aged), FD(retention_aged),
    FS(aged_note), FI(micro), FD(active_fraction), FD(tau_ion), FD(sigma_i_eff), FD(sigma_e_eff),
    FD(area_per_volume), FD(time_s),
};
#undef FD
#undef FI
#undef FS
#define NFIELDS ((int)(sizeof metric_fields / sizeof metric_fields[0]))

static cJSON *hex(double x)
{
    char b[64];
    snprintf(b, sizeof b, "%a", x);
    return cJSON_CreateString(b);
}

static cJSON *hex_array(const double *x, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, hex(x[i]));
    return a;
}

static cJSON *metrics_json(const ssb_design_metrics *m)
{
    cJSON *o = cJSON_CreateObject();
    for (int f = 0; f < NFIELDS; f++) {
        const part_field *pf = &metric_fields[f];
        const char *p = (const char *)m + pf->off;
        if (pf->kind == F_DBL) {
            double x;
            memcpy(&x, p, sizeof x);
            cJSON_AddItemToObject(o, pf->key, hex(x));
        } else if (pf->kind == F_INT) {
            int x;
            memcpy(&x, p, sizeof x);
            cJSON_AddNumberToObject(o, pf->key, x);
        } else {
            cJSON_AddStringToObject(o, pf->key, p);
        }
    }
    cJSON_AddNumberToObject(o, "bottleneck", (int)m->bottleneck);
    cJSON *b = cJSON_AddObjectToObject(o, "breakdown");
    cJSON_AddItemToObject(b, "ocv", hex(m->breakdown.ocv));
    cJSON_AddItemToObject(b, "loss", hex_array(m->breakdown.loss, SSB_CELL_LOSS_COUNT));
    cJSON_AddItemToObject(b, "voltage", hex(m->breakdown.voltage));
    cJSON_AddItemToObject(b, "residual", hex(m->breakdown.residual));
    return o;
}

cJSON *cli_design_part_json(const ssb_design_comparison *c, const char *cell_file)
{
    cJSON *j = cJSON_CreateObject();
    char d[32];
    snprintf(d, sizeof d, "%016" PRIx64, c->digest);
    cJSON_AddStringToObject(j, "format", PART_FORMAT);
    cJSON_AddStringToObject(j, "version", ssb_version());
    cJSON_AddStringToObject(j, "cell_file", cell_file ? cell_file : "built-in default");
    cJSON_AddStringToObject(j, "inputs_digest", d);
    cJSON_AddNumberToObject(j, "shard", c->shard);
    cJSON_AddNumberToObject(j, "shards", c->nshards);
    cJSON_AddNumberToObject(j, "variants_total", c->n);
    cJSON_AddStringToObject(j, "note", "one share of a design comparison: merge every share with 'ssbnet design "
                                       "merge'; numbers are C99 hexadecimal floating point (exact)");
    cJSON *arr = cJSON_AddArrayToObject(j, "variants");
    for (int i = 0; i < c->n; i++) {
        const ssb_design_variant *v = &c->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", i);
        cJSON_AddStringToObject(o, "name", v->name);
        cJSON_AddNumberToObject(o, "strategy", v->strategy);
        cJSON_AddNumberToObject(o, "owner", v->owner);
        cJSON_AddBoolToObject(o, "reused", v->reused);
        cJSON_AddBoolToObject(o, "evaluated", v->evaluated);
        cJSON_AddItemToObject(o, "values", hex_array(v->values, SSB_DESIGN_MAX_PARAMS));
        if (v->evaluated) {
            cJSON_AddBoolToObject(o, "ok", v->ok);
            cJSON_AddNumberToObject(o, "error_code", v->error_code);
            cJSON_AddStringToObject(o, "error", v->error);
            cJSON_AddItemToObject(o, "metrics", metrics_json(&v->m));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return j;
}

/* ------------------------------------------------------------------------------------------- reading */

typedef struct {
    const char *path;
    char where[160]; /* the key being read, for messages */
} part_reader;

static int bad_key(const part_reader *r, const char *key, const char *what)
{
    fprintf(stderr, "ssbnet: error: design merge: '%s': key '%s%s' %s (not a part file of 'design compare "
                    "--shard I/N --json'?)\n", r->path, r->where, key, what);
    return CLI_EXIT_FORMAT;
}

static int get_hex(const part_reader *r, const cJSON *item, const char *key, double *x)
{
    if (!cJSON_IsString(item)) return bad_key(r, key, "is missing or not a hexadecimal number");
    char *end = NULL;
    *x = strtod(item->valuestring, &end);
    if (end == item->valuestring || *end) return bad_key(r, key, "is not a hexadecimal number");
    return 0;
}

static int get_int(const part_reader *r, const cJSON *o, const char *key, int lo, int hi, int *x)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) || it->valuedouble < lo ||
        it->valuedouble > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "is missing or not a whole number from %d to %d", lo, hi);
        return bad_key(r, key, msg);
    }
    *x = (int)it->valuedouble;
    return 0;
}

static int get_bool(const part_reader *r, const cJSON *o, const char *key, int *x)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsBool(it)) return bad_key(r, key, "is missing or not true / false");
    *x = cJSON_IsTrue(it);
    return 0;
}

static int get_str(const part_reader *r, const cJSON *o, const char *key, char *buf, size_t n)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(it)) return bad_key(r, key, "is missing or not a string");
    if (strlen(it->valuestring) >= n) return bad_key(r, key, "is too long");
    snprintf(buf, n, "%s", it->valuestring);
    return 0;
}

static int get_hex_array(const part_reader *r, const cJSON *o, const char *key, double *x, int n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) {
        char msg[64];
        snprintf(msg, sizeof msg, "is missing or not an array of %d numbers", n);
        return bad_key(r, key, msg);
    }
    for (int i = 0; i < n; i++) {
        int rc = get_hex(r, cJSON_GetArrayItem(a, i), key, &x[i]);
        if (rc) return rc;
    }
    return 0;
}

static int read_metrics(part_reader *r, const cJSON *o, ssb_design_metrics *m)
{
    if (!cJSON_IsObject(o)) return bad_key(r, "metrics", "is missing or not an object");
    size_t base = strlen(r->where);
    snprintf(r->where + base, sizeof r->where - base, "metrics.");
    int rc = 0;
    for (int f = 0; f < NFIELDS && !rc; f++) {
        const part_field *pf = &metric_fields[f];
        char *p = (char *)m + pf->off;
        if (pf->kind == F_DBL) {
            double x = 0;
            rc = get_hex(r, cJSON_GetObjectItemCaseSensitive(o, pf->key), pf->key, &x);
            memcpy(p, &x, sizeof x);
        } else if (pf->kind == F_INT) {
            int x = 0;
            rc = get_int(r, o, pf->key, 0, 1, &x);
            memcpy(p, &x, sizeof x);
        } else {
            rc = get_str(r, o, pf->key, p, pf->len);
        }
    }
    int k = 0;
    if (!rc) rc = get_int(r, o, "bottleneck", 0, SSB_CELL_LOSS_COUNT - 1, &k);
    m->bottleneck = (ssb_cell_loss)k;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "breakdown");
    if (!rc && !cJSON_IsObject(b)) rc = bad_key(r, "breakdown", "is missing or not an object");
    if (!rc) {
        snprintf(r->where + base, sizeof r->where - base, "metrics.breakdown.");
        rc = get_hex(r, cJSON_GetObjectItemCaseSensitive(b, "ocv"), "ocv", &m->breakdown.ocv);
        if (!rc) rc = get_hex_array(r, b, "loss", m->breakdown.loss, SSB_CELL_LOSS_COUNT);
        if (!rc) rc = get_hex(r, cJSON_GetObjectItemCaseSensitive(b, "voltage"), "voltage", &m->breakdown.voltage);
        if (!rc) rc = get_hex(r, cJSON_GetObjectItemCaseSensitive(b, "residual"), "residual", &m->breakdown.residual);
    }
    r->where[base] = '\0';
    return rc;
}

static int read_variant(part_reader *r, const cJSON *o, int i, int nshards, ssb_design_variant *v)
{
    snprintf(r->where, sizeof r->where, "variants[%d].", i);
    if (!cJSON_IsObject(o)) return bad_key(r, "", "is not an object");
    int idx = -1, rc = get_int(r, o, "index", 0, i, &idx);
    if (!rc && idx != i) rc = bad_key(r, "index", "is not the variant's position");
    if (!rc) rc = get_str(r, o, "name", v->name, sizeof v->name);
    if (!rc) rc = get_int(r, o, "strategy", -1, ssb_design_strategy_count() - 1, &v->strategy);
    if (!rc) rc = get_int(r, o, "owner", 0, nshards - 1, &v->owner);
    if (!rc) rc = get_bool(r, o, "reused", &v->reused);
    if (!rc) rc = get_bool(r, o, "evaluated", &v->evaluated);
    if (!rc) rc = get_hex_array(r, o, "values", v->values, SSB_DESIGN_MAX_PARAMS);
    if (!rc && v->evaluated) {
        rc = get_bool(r, o, "ok", &v->ok);
        if (!rc) rc = get_int(r, o, "error_code", -1000, 0, &v->error_code);
        if (!rc) rc = get_str(r, o, "error", v->error, sizeof v->error);
        if (!rc) rc = read_metrics(r, cJSON_GetObjectItemCaseSensitive(o, "metrics"), &v->m);
    }
    r->where[0] = '\0';
    return rc;
}

int cli_design_part_read(cli_env *env, const char *path, ssb_design_comparison *c, char *cell_file, size_t n)
{
    (void)env;
    memset(c, 0, sizeof *c);
    char *text = cli_read_file(path);
    if (!text) {
        fprintf(stderr, "ssbnet: error: design merge: cannot read part '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    cJSON *j = cJSON_Parse(text);
    free(text);
    part_reader r = {.path = path};
    if (!j) {
        fprintf(stderr, "ssbnet: error: design merge: '%s' is not JSON (a part file of 'design compare --shard I/N "
                        "--json' is)\n", path);
        return CLI_EXIT_FORMAT;
    }
    char fmt[64] = "", ver[64] = "", dig[32] = "";
    int rc = get_str(&r, j, "format", fmt, sizeof fmt);
    if (!rc && strcmp(fmt, PART_FORMAT)) rc = bad_key(&r, "format", "is not " PART_FORMAT);
    if (!rc) rc = get_str(&r, j, "version", ver, sizeof ver);
    if (!rc && strcmp(ver, ssb_version())) {
        fprintf(stderr, "ssbnet: error: design merge: '%s' was written by ssbnet %s, this is %s: run every share "
                        "with one version\n", path, ver, ssb_version());
        rc = CLI_EXIT_ARG;
    }
    if (!rc) rc = get_str(&r, j, "cell_file", cell_file, n);
    if (!rc) rc = get_str(&r, j, "inputs_digest", dig, sizeof dig);
    char *end = NULL;
    if (!rc) {
        c->digest = strtoull(dig, &end, 16);
        if (strlen(dig) != 16 || *end) rc = bad_key(&r, "inputs_digest", "is not 16 hexadecimal digits");
    }
    if (!rc) rc = get_int(&r, j, "shards", 1, SSB_DESIGN_MAX_SHARDS, &c->nshards);
    if (!rc) rc = get_int(&r, j, "shard", 0, c->nshards - 1, &c->shard);
    /* the baseline and each strategy at most once (design compare refuses a strategy given twice) */
    if (!rc) rc = get_int(&r, j, "variants_total", 1, 1 + ssb_design_strategy_count(), &c->n);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "variants");
    if (!rc && (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != c->n))
        rc = bad_key(&r, "variants", "is missing or does not hold variants_total entries");
    if (!rc && !(c->v = calloc((size_t)c->n, sizeof *c->v))) {
        fprintf(stderr, "ssbnet: error: out of memory reading '%s'\n", path);
        rc = CLI_EXIT_NOMEM;
    }
    for (int i = 0; i < c->n && !rc; i++) rc = read_variant(&r, cJSON_GetArrayItem(arr, i), i, c->nshards, &c->v[i]);
    cJSON_Delete(j);
    if (rc) ssb_design_comparison_destroy(c);
    return rc;
}
