/* iface: the interphase database (data/iface/interfaces.json) and the growth-key parser shared with the cell
 * "interfaces" block. */
#include "iface_impl.h"

#include "ssb_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *name;
    double U;
    char *source;
} electrode_rec;

struct ssb_iface_db {
    int n;
    ssb_iface_record *rec;
    int ne;
    electrode_rec *el;
    char **strings; /* every string owned by the db */
    int nstr, capstr;
    const char *user_path; /* the file given to ssb_iface_db_load (NULL: the built-in one) */
};

static const char *own(ssb_ctx *ctx, ssb_iface_db *db, const char *s)
{
    if (!s)
        return NULL;
    if (db->nstr == db->capstr) {
        int cap = db->capstr ? 2 * db->capstr : 64;
        char **p = realloc(db->strings, (size_t)cap * sizeof *p);
        if (!p) {
            SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory (interphase database strings)");
            return NULL;
        }
        db->strings = p;
        db->capstr = cap;
    }
    size_t n = strlen(s) + 1;
    char *d = ssbi_malloc(ctx, n, "interphase database string");
    if (!d)
        return NULL;
    memcpy(d, s, n);
    db->strings[db->nstr++] = d;
    return d;
}

void ssb_iface_db_destroy(ssb_iface_db **pdb)
{
    if (!pdb || !*pdb)
        return;
    ssb_iface_db *db = *pdb;
    for (int i = 0; i < db->nstr; i++)
        free(db->strings[i]);
    free(db->strings);
    free(db->rec);
    free(db->el);
    free(db);
    *pdb = NULL;
}

int ssb_iface_db_count(const ssb_iface_db *db) { return db ? db->n : 0; }

const ssb_iface_record *ssb_iface_db_at(const ssb_iface_db *db, int i)
{
    return (db && i >= 0 && i < db->n) ? &db->rec[i] : NULL;
}

int ssbi_iface_get_number(ssb_ctx *ctx, const cJSON *obj, const char *key, const char *where, double factor,
                          int allow_negative, double *out, int *present)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (present)
        *present = it != NULL;
    if (!it)
        return SSB_OK;
    SSB_REQUIRE(ctx, cJSON_IsNumber(it) && isfinite(it->valuedouble), SSB_ERR_FORMAT, "%s.%s: expected a number",
                where, key);
    SSB_REQUIRE(ctx, allow_negative || it->valuedouble >= 0, SSB_ERR_RANGE, "%s.%s = %g, must be >= 0", where, key,
                it->valuedouble);
    *out = it->valuedouble * factor;
    return SSB_OK;
}

static const char *const growth_keys[] = {"law",
                                          "initial_thickness_nm",
                                          "rate_constant_nm2_per_h",
                                          "linear_rate_nm_per_h",
                                          "rate_constant_from",
                                          "activation_energy_kJ_per_mol",
                                          "reference_temperature_K",
                                          "reference_driving_force_V",
                                          "interphase_ionic_conductivity_S_per_cm",
                                          "interphase_electronic_conductivity_S_per_cm",
                                          "lithium_consumed_mol_per_cm3",
                                          NULL};

static int in_list(const char *k, const char *const *list)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(k, list[i]))
            return 1;
    return 0;
}

int ssbi_iface_parse_growth(ssb_ctx *ctx, const cJSON *obj, const char *where, const char *const *allowed_extra,
                            ssb_iface_growth *g, double *sigma_e)
{
    SSB_REQUIRE(ctx, cJSON_IsObject(obj), SSB_ERR_FORMAT, "%s: expected an object", where);
    for (const cJSON *it = obj->child; it; it = it->next)
        if (!in_list(it->string, growth_keys) && !in_list(it->string, allowed_extra)) {
            char valid[1024] = "";
            for (int i = 0; growth_keys[i]; i++) {
                strncat(valid, growth_keys[i], sizeof valid - strlen(valid) - 1);
                strncat(valid, ", ", sizeof valid - strlen(valid) - 1);
            }
            for (int i = 0; allowed_extra && allowed_extra[i]; i++) {
                strncat(valid, allowed_extra[i], sizeof valid - strlen(valid) - 1);
                strncat(valid, ", ", sizeof valid - strlen(valid) - 1);
            }
            if (strlen(valid) >= 2)
                valid[strlen(valid) - 2] = 0;
            return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: unknown key '%s' (valid: %s)", where, it->string, valid);
        }
    const cJSON *law = cJSON_GetObjectItemCaseSensitive(obj, "law");
    if (law) {
        SSB_REQUIRE(ctx, cJSON_IsString(law), SSB_ERR_FORMAT, "%s.law: expected a string", where);
        int rc = ssb_iface_law_parse(ctx, law->valuestring, &g->law);
        if (rc)
            return SSB_ERROR(ctx, rc, "%s.law: unknown growth law '%s' (valid: none, parabolic, linear, deal-grove)",
                             where, law->valuestring);
    }
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "initial_thickness_nm", where, SSBI_NM, 0, &g->L0, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "rate_constant_nm2_per_h", where, SSBI_NM * SSBI_NM / SSBI_HOUR, 0,
                                         &g->k_p, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "linear_rate_nm_per_h", where, SSBI_NM / SSBI_HOUR, 0, &g->k_l,
                                         NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "activation_energy_kJ_per_mol", where, 1e3, 0, &g->Ea, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "reference_temperature_K", where, 1.0, 0, &g->T_ref, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "reference_driving_force_V", where, 1.0, 0, &g->dE_ref, NULL));
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "interphase_ionic_conductivity_S_per_cm", where, SSBI_S_PER_CM, 0,
                                         &g->sigma_ion, NULL));
    double se = NAN;
    SSB_CHECK(ctx, ssbi_iface_get_number(ctx, obj, "interphase_electronic_conductivity_S_per_cm", where,
                                         SSBI_S_PER_CM, 0, &se, NULL));
    if (sigma_e && !isnan(se))
        *sigma_e = se;
    SSB_CHECK(ctx,
              ssbi_iface_get_number(ctx, obj, "lithium_consumed_mol_per_cm3", where, SSBI_MOL_PER_CM3, 1, &g->c_li, NULL));
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(obj, "rate_constant_from");
    if (from) {
        SSB_REQUIRE(ctx, cJSON_IsString(from) && !strcmp(from->valuestring, "wagner"), SSB_ERR_FORMAT,
                    "%s.rate_constant_from: only \"wagner\" is known", where);
        double s_e = sigma_e ? *sigma_e : se;
        SSB_REQUIRE(ctx, isfinite(s_e) && isfinite(g->sigma_ion) && isfinite(g->dE_ref) && g->c_li != 0,
                    SSB_ERR_FORMAT,
                    "%s: rate_constant_from \"wagner\" needs interphase_ionic_conductivity_S_per_cm, "
                    "interphase_electronic_conductivity_S_per_cm, reference_driving_force_V and "
                    "lithium_consumed_mol_per_cm3",
                    where);
        SSB_CHECK(ctx, ssb_iface_wagner_kp(ctx, g->sigma_ion, s_e, g->dE_ref, g->c_li, &g->k_p));
    }
    return SSB_OK;
}

static const char *str_member(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int parse_type(ssb_ctx *ctx, const char *s, const char *where, ssb_iface_type *t)
{
    static const char *n[] = {"stable", "SEI", "MCI", "unknown"};
    for (int i = 0; i < 4; i++)
        if (s && !strcasecmp(s, n[i])) {
            *t = (ssb_iface_type)i;
            return SSB_OK;
        }
    return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s.type = '%s' (valid: stable, SEI, MCI, unknown)", where, s ? s : "");
}

static int parse_record(ssb_ctx *ctx, ssb_iface_db *db, const cJSON *o, const char *where, ssb_iface_record *r)
{
    static const char *const keys[] = {"electrode", "electrolyte", "type", "products", "source", "doi", "growth",
                                       "check", "note", NULL};
    for (const cJSON *it = o->child; it; it = it->next)
        SSB_REQUIRE(ctx, in_list(it->string, keys), SSB_ERR_FORMAT, "%s: unknown key '%s'", where, it->string);
    memset(r, 0, sizeof *r);
    r->electrode = own(ctx, db, str_member(o, "electrode"));
    r->electrolyte = own(ctx, db, str_member(o, "electrolyte"));
    SSB_REQUIRE(ctx, r->electrode && r->electrolyte, SSB_ERR_FORMAT, "%s: needs \"electrode\" and \"electrolyte\"",
                where);
    SSB_CHECK(ctx, parse_type(ctx, str_member(o, "type"), where, &r->type));
    r->products = own(ctx, db, str_member(o, "products"));
    r->source = own(ctx, db, str_member(o, "source"));
    SSB_REQUIRE(ctx, r->source, SSB_ERR_FORMAT, "%s: needs a \"source\"", where);
    r->doi = own(ctx, db, str_member(o, "doi"));
    r->note = own(ctx, db, str_member(o, "note"));
    r->growth = ssb_iface_growth_default();
    r->sigma_e = NAN;
    r->check_t = r->check_R_lo = r->check_R_hi = r->check_L_lo = r->check_L_hi = NAN;
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(o, "growth");
    if (g) {
        static const char *const extra[] = {"source", "status", "note", NULL};
        char w[4300];
        snprintf(w, sizeof w, "%s.growth", where);
        SSB_CHECK(ctx, ssbi_iface_parse_growth(ctx, g, w, extra, &r->growth, &r->sigma_e));
        r->growth_source = own(ctx, db, str_member(g, "source"));
        r->growth_status = own(ctx, db, str_member(g, "status"));
        SSB_REQUIRE(ctx, r->growth_source && r->growth_status, SSB_ERR_FORMAT, "%s: needs \"source\" and \"status\"",
                    w);
        SSB_CHECK(ctx, ssb_iface_growth_check(ctx, &r->growth));
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "check");
    if (c) {
        double th = NAN;
        SSB_CHECK(ctx, ssbi_iface_get_number(ctx, c, "time_h", where, SSBI_HOUR, 0, &th, NULL));
        r->check_t = th;
        const cJSON *R = cJSON_GetObjectItemCaseSensitive(c, "resistance_ohm_cm2");
        if (cJSON_GetArraySize(R) == 2) {
            r->check_R_lo = cJSON_GetArrayItem(R, 0)->valuedouble * SSBI_OHM_CM2;
            r->check_R_hi = cJSON_GetArrayItem(R, 1)->valuedouble * SSBI_OHM_CM2;
        }
        const cJSON *L = cJSON_GetObjectItemCaseSensitive(c, "thickness_nm");
        if (cJSON_GetArraySize(L) == 2) {
            r->check_L_lo = cJSON_GetArrayItem(L, 0)->valuedouble * SSBI_NM;
            r->check_L_hi = cJSON_GetArrayItem(L, 1)->valuedouble * SSBI_NM;
        }
        r->check_source = own(ctx, db, str_member(c, "source"));
    }
    return SSB_OK;
}

const char *ssbi_iface_db_source(const ssb_iface_db *db)
{
    return db && db->user_path ? db->user_path : "data/iface/interfaces.json";
}

int ssb_iface_db_load(ssb_ctx *ctx, const char *path, ssb_iface_db **out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_iface_db_load: NULL argument");
    *out = NULL;
    char pbuf[4096];
    const char *given = path;
    if (!path) {
        SSB_CHECK(ctx, ssbi_data_file(ctx, "iface/interfaces.json", "interphase database", pbuf, sizeof pbuf));
        path = pbuf;
    }
    cJSON *root = NULL;
    SSB_CHECK(ctx, ssbi_read_json(ctx, path, "interphase database", 1u << 24, &root));
    int rc = SSB_OK;
    ssb_iface_db *db = ssbi_calloc(ctx, 1, sizeof *db, "interphase database");
    if (!db) {
        cJSON_Delete(root);
        return SSB_ERR_NOMEM;
    }
    if (given && !(db->user_path = own(ctx, db, given))) {
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "ssbnet-interfaces-1")) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: \"schema\" must be \"ssbnet-interfaces-1\"", path);
        goto fail;
    }
    const cJSON *els = cJSON_GetObjectItemCaseSensitive(root, "electrodes");
    const cJSON *ips = cJSON_GetObjectItemCaseSensitive(root, "interphases");
    int ne = cJSON_GetArraySize(els), ni = cJSON_GetArraySize(ips);
    db->el = ssbi_calloc(ctx, (size_t)(ne > 0 ? ne : 1), sizeof *db->el, "electrodes");
    db->rec = ssbi_calloc(ctx, (size_t)(ni > 0 ? ni : 1), sizeof *db->rec, "interphase records");
    if (!db->el || !db->rec) {
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    for (int i = 0; i < ne; i++) {
        const cJSON *o = cJSON_GetArrayItem(els, i);
        const cJSON *U = cJSON_GetObjectItemCaseSensitive(o, "potential_V");
        const char *name = str_member(o, "name"), *src = str_member(o, "source");
        if (!name || !src || !cJSON_IsNumber(U)) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: electrodes[%d] needs name, potential_V and source", path, i);
            goto fail;
        }
        db->el[i].name = (char *)own(ctx, db, name);
        db->el[i].source = (char *)own(ctx, db, src);
        db->el[i].U = U->valuedouble;
        db->ne++;
    }
    for (int i = 0; i < ni; i++) {
        char where[4200];
        snprintf(where, sizeof where, "%s: interphases[%d]", path, i);
        rc = parse_record(ctx, db, cJSON_GetArrayItem(ips, i), where, &db->rec[i]);
        if (rc)
            goto fail;
        db->n++;
    }
    cJSON_Delete(root);
    *out = db;
    return SSB_OK;
fail:
    cJSON_Delete(root);
    ssb_iface_db_destroy(&db);
    return rc;
}

int ssbi_iface_canonical(ssb_ctx *ctx, const ssb_materials *mdb, const char *name, const char **canon)
{
    const ssb_material *m = NULL;
    SSB_CHECK(ctx, ssb_materials_find(ctx, mdb, name, &m));
    *canon = ssb_materials_name(m);
    return SSB_OK;
}

static int name_matches(const ssb_materials *mdb, const char *rec_name, const char *query)
{
    const ssb_material *m = NULL;
    for (int i = 0; i < ssb_materials_count(mdb); i++) {
        const ssb_material *x = ssb_materials_at(mdb, i);
        if (ssb_materials_matches(x, query)) {
            m = x;
            break;
        }
    }
    if (!m)
        return !strcasecmp(rec_name, query);
    if (!strcasecmp(rec_name, "carbon") && ssb_materials_class(m) == SSB_MAT_CARBON)
        return 1;
    return ssb_materials_matches(m, rec_name);
}

int ssb_iface_db_find(ssb_ctx *ctx, const ssb_iface_db *db, const ssb_materials *mdb, const char *electrode,
                      const char *electrolyte, const ssb_iface_record **rec)
{
    SSB_REQUIRE(ctx, db && mdb && electrode && electrolyte && rec, SSB_ERR_ARG, "ssb_iface_db_find: NULL argument");
    *rec = NULL;
    for (int i = 0; i < db->n; i++)
        if (name_matches(mdb, db->rec[i].electrode, electrode) &&
            name_matches(mdb, db->rec[i].electrolyte, electrolyte)) {
            *rec = &db->rec[i];
            return SSB_OK;
        }
    /* name the pairs that have data: the file is short, and 'unknown' pairs are the common case for other cells */
    char pairs[768] = "";
    size_t len = 0;
    for (int i = 0; i < db->n && len < sizeof pairs; i++)
        len += (size_t)snprintf(pairs + len, sizeof pairs - len, "%s%s|%s", i ? ", " : "", db->rec[i].electrode,
                                db->rec[i].electrolyte);
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                     "no interphase data for %s|%s in the interphase database (%s has: %s)", electrode, electrolyte,
                     ssbi_iface_db_source(db), pairs);
}

int ssb_iface_db_electrode_potential(ssb_ctx *ctx, const ssb_iface_db *db, const ssb_materials *mdb,
                                     const char *electrode, double *U, const char **source)
{
    SSB_REQUIRE(ctx, db && mdb && electrode && U, SSB_ERR_ARG, "ssb_iface_db_electrode_potential: NULL argument");
    for (int i = 0; i < db->ne; i++)
        if (name_matches(mdb, db->el[i].name, electrode)) {
            *U = db->el[i].U;
            if (source)
                *source = db->el[i].source;
            return SSB_OK;
        }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "electrode '%s' has neither an OCV curve nor a fixed potential", electrode);
}
