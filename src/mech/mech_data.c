/* mech: the database of mechanical constants (data/iface/mechanics.json, ssb_mech.h). */
#include "core_impl.h"
#include "ssb_config.h"

#include <ssbnet/ssb_mech.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MISSING_LEN 64

typedef struct {
    ssb_mech_anode a;
    char missing[MISSING_LEN]; /* first missing key of the Li supply model ("" when complete) */
} anode_rec;

struct ssb_mech_db {
    cJSON *root; /* owns every string the records point to */
    int na, ns, nw;
    anode_rec *an;
    ssb_mech_solid *so;
    ssb_mech_swelling *sw;
};

void ssb_mech_db_destroy(ssb_mech_db **pdb)
{
    if (!pdb || !*pdb)
        return;
    cJSON_Delete((*pdb)->root);
    free((*pdb)->an);
    free((*pdb)->so);
    free((*pdb)->sw);
    free(*pdb);
    *pdb = NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Number member times factor; NaN when absent. A present non-number or a value outside [lo, hi] is an error. */
static int num(ssb_ctx *ctx, const cJSON *o, const char *k, const char *where, double factor, double lo, double hi,
               double *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    *out = NAN;
    if (!it)
        return SSB_OK;
    SSB_REQUIRE(ctx, cJSON_IsNumber(it) && isfinite(it->valuedouble), SSB_ERR_FORMAT, "%s.%s: expected a number",
                where, k);
    SSB_REQUIRE(ctx, it->valuedouble >= lo && it->valuedouble <= hi, SSB_ERR_FORMAT,
                "%s.%s = %g outside [%g, %g]", where, k, it->valuedouble, lo, hi);
    *out = it->valuedouble * factor;
    return SSB_OK;
}

static int parse_anode(ssb_ctx *ctx, const cJSON *o, const char *where, anode_rec *r)
{
    ssb_mech_anode *a = &r->a;
    const char *name = str(o, "name");
    SSB_REQUIRE(ctx, name && strlen(name) < SSB_MECH_NAME_LEN, SSB_ERR_FORMAT, "%s: needs a \"name\"", where);
    snprintf(a->name, sizeof a->name, "%s", name);
    SSB_CHECK(ctx, num(ctx, o, "molar_volume_cm3_per_mol", where, 1e-6, 1, 100, &a->V_m));
    SSB_REQUIRE(ctx, !isnan(a->V_m), SSB_ERR_FORMAT, "%s: needs \"molar_volume_cm3_per_mol\"", where);
    SSB_CHECK(ctx, num(ctx, o, "self_diffusivity_cm2_per_s", where, 1e-4, 1e-20, 1, &a->D_ref));
    SSB_CHECK(ctx, num(ctx, o, "diffusion_activation_energy_kJ_per_mol", where, 1e3, 0, 500, &a->E_D));
    SSB_CHECK(ctx, num(ctx, o, "vacancy_diffusion_length_um", where, 1e-6, 1e-3, 1e5, &a->l_vac));
    SSB_CHECK(ctx, num(ctx, o, "creep_stress_exponent", where, 1, 1, 20, &a->creep_n));
    SSB_CHECK(ctx, num(ctx, o, "creep_activation_energy_kJ_per_mol", where, 1e3, 0, 500, &a->creep_Q));
    SSB_CHECK(ctx, num(ctx, o, "creep_supply_mA_per_cm2_at_1MPa", where, 10.0, 0, 1e6, &a->j_creep1));
    SSB_CHECK(ctx, num(ctx, o, "void_depth_um", where, 1e-6, 1e-4, 1e4, &a->void_depth));
    SSB_CHECK(ctx, num(ctx, o, "youngs_modulus_GPa", where, 1e9, 1e-3, 1e4, &a->E));
    SSB_CHECK(ctx, num(ctx, o, "poisson_ratio", where, 1, 0, 0.4999, &a->nu));
    SSB_CHECK(ctx, num(ctx, o, "yield_strength_MPa", where, 1e6, 0, 1e5, &a->yield));
    a->diffusion_source = str(o, "diffusion_source");
    a->creep_source = str(o, "creep_source");
    a->creep_note = str(o, "creep_supply_note");
    a->elastic_source = str(o, "elastic_source");
    const char *keys[] = {"self_diffusivity_cm2_per_s", "diffusion_activation_energy_kJ_per_mol",
                          "vacancy_diffusion_length_um", "creep_stress_exponent",
                          "creep_activation_energy_kJ_per_mol", "creep_supply_mA_per_cm2_at_1MPa", "void_depth_um"};
    double vals[] = {a->D_ref, a->E_D, a->l_vac, a->creep_n, a->creep_Q, a->j_creep1, a->void_depth};
    r->missing[0] = 0;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        if (isnan(vals[i])) {
            snprintf(r->missing, sizeof r->missing, "%s", keys[i]);
            break;
        }
    if (!r->missing[0]) {
        SSB_REQUIRE(ctx, a->diffusion_source && a->creep_source, SSB_ERR_FORMAT,
                    "%s: diffusion and creep constants need \"diffusion_source\" and \"creep_source\"", where);
    }
    return SSB_OK;
}

static int parse_solid(ssb_ctx *ctx, const cJSON *o, const char *where, int kind, ssb_mech_solid *s)
{
    const char *name = str(o, "name");
    SSB_REQUIRE(ctx, name && strlen(name) < SSB_MECH_NAME_LEN, SSB_ERR_FORMAT, "%s: needs a \"name\"", where);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    SSB_CHECK(ctx, num(ctx, o, "youngs_modulus_GPa", where, 1e9, 1e-3, 1e4, &s->E));
    SSB_CHECK(ctx, num(ctx, o, "poisson_ratio", where, 1, 0, 0.4999, &s->nu));
    SSB_CHECK(ctx, num(ctx, o, "hardness_GPa", where, 1e9, 1e-6, 1e3, &s->H));
    SSB_CHECK(ctx, num(ctx, o, "plating_ccd_mA_per_cm2", where, 10.0, 0, 1e4, &s->ccd_plating));
    SSB_CHECK(ctx, num(ctx, o, "electronic_conductivity_S_per_cm", where, 100.0, 0, 1e6, &s->sigma_e));
    s->elastic_source = str(o, "elastic_source");
    s->ccd_source = str(o, "plating_ccd_source");
    s->electronic_source = str(o, "electronic_source");
    SSB_REQUIRE(ctx, !isnan(s->E) && !isnan(s->nu) && s->elastic_source, SSB_ERR_FORMAT,
                "%s: needs \"youngs_modulus_GPa\", \"poisson_ratio\" and \"elastic_source\"", where);
    return SSB_OK;
}

static int parse_swelling(ssb_ctx *ctx, const cJSON *o, const char *where, ssb_mech_swelling *w)
{
    const char *name = str(o, "name");
    SSB_REQUIRE(ctx, name && strlen(name) < SSB_MECH_NAME_LEN, SSB_ERR_FORMAT, "%s: needs a \"name\"", where);
    snprintf(w->name, sizeof w->name, "%s", name);
    const cJSON *soc = cJSON_GetObjectItemCaseSensitive(o, "soc");
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(o, "dv_percent");
    int n = cJSON_GetArraySize(soc);
    SSB_REQUIRE(ctx, cJSON_IsArray(soc) && cJSON_IsArray(dv) && n >= 2 && n <= SSB_MECH_CURVE_MAX &&
                         cJSON_GetArraySize(dv) == n,
                SSB_ERR_FORMAT, "%s: needs arrays \"soc\" and \"dv_percent\" of equal length 2..%d", where,
                SSB_MECH_CURVE_MAX);
    for (int i = 0; i < n; i++) {
        const cJSON *a = cJSON_GetArrayItem(soc, i), *b = cJSON_GetArrayItem(dv, i);
        SSB_REQUIRE(ctx, cJSON_IsNumber(a) && cJSON_IsNumber(b), SSB_ERR_FORMAT, "%s: soc[%d] / dv_percent[%d]: "
                    "expected numbers", where, i, i);
        w->soc[i] = a->valuedouble;
        w->dv[i] = b->valuedouble / 100.0;
        SSB_REQUIRE(ctx, w->soc[i] >= 0 && w->soc[i] <= 1 && (i == 0 || w->soc[i] > w->soc[i - 1]), SSB_ERR_FORMAT,
                    "%s.soc[%d] = %g: soc must rise strictly within [0, 1]", where, i, w->soc[i]);
        SSB_REQUIRE(ctx, w->dv[i] > -1 && w->dv[i] <= 5, SSB_ERR_FORMAT,
                    "%s.dv_percent[%d] = %g outside (-100, 500] %%", where, i, b->valuedouble);
    }
    w->n = n;
    SSB_CHECK(ctx, num(ctx, o, "fracture_strain", where, 1, 1e-6, 1, &w->fracture_strain));
    SSB_CHECK(ctx, num(ctx, o, "crack_dead_fraction_per_cycle", where, 1, 0, 1, &w->crack_dead_per_cycle));
    SSB_CHECK(ctx, num(ctx, o, "debond_fraction_per_cycle", where, 1, 0, 1, &w->debond));
    SSB_CHECK(ctx, num(ctx, o, "host_molar_volume_cm3_per_mol", where, 1e-6, 1, 1000, &w->V_m_host));
    SSB_CHECK(ctx, num(ctx, o, "li_per_host_max", where, 1, 1e-3, 100, &w->x_max));
    SSB_CHECK(ctx, num(ctx, o, "critical_diameter_nm", where, 1e-9, 1e-3, 1e9, &w->critical_diameter));
    w->critical_source = str(o, "critical_diameter_source");
    SSB_REQUIRE(ctx, isnan(w->critical_diameter) || w->critical_source, SSB_ERR_FORMAT,
                "%s: \"critical_diameter_nm\" needs a \"critical_diameter_source\"", where);
    w->debond_note = str(o, "debond_note");
    SSB_REQUIRE(ctx, isnan(w->debond) || w->debond_note, SSB_ERR_FORMAT,
                "%s: \"debond_fraction_per_cycle\" needs a \"debond_note\"", where);
    w->source = str(o, "source");
    w->status = str(o, "status");
    w->fracture_source = str(o, "fracture_source");
    w->crack_note = str(o, "crack_note");
    SSB_REQUIRE(ctx, w->source, SSB_ERR_FORMAT, "%s: needs a \"source\"", where);
    SSB_REQUIRE(ctx, isnan(w->fracture_strain) || w->fracture_source, SSB_ERR_FORMAT,
                "%s: \"fracture_strain\" needs a \"fracture_source\"", where);
    return SSB_OK;
}

int ssb_mech_db_load(ssb_ctx *ctx, const char *path, ssb_mech_db **out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_mech_db_load: NULL argument");
    *out = NULL;
    char pbuf[4096];
    if (!path) {
        SSB_CHECK(ctx, ssbi_data_file(ctx, "iface/mechanics.json", "mechanics database", pbuf, sizeof pbuf));
        path = pbuf;
    }
    cJSON *root = NULL;
    SSB_CHECK(ctx, ssbi_read_json(ctx, path, "mechanics database", 1u << 22, &root));
    int rc = SSB_OK;
    ssb_mech_db *db = ssbi_calloc(ctx, 1, sizeof *db, "mechanics database");
    if (!db) {
        cJSON_Delete(root);
        return SSB_ERR_NOMEM;
    }
    db->root = root;
    const char *schema = str(root, "schema");
    if (!schema || strcmp(schema, "ssbnet-mechanics-1")) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: \"schema\" must be \"ssbnet-mechanics-1\"", path);
        goto fail;
    }
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(root, "anodes");
    const cJSON *el = cJSON_GetObjectItemCaseSensitive(root, "electrolytes");
    const cJSON *ca = cJSON_GetObjectItemCaseSensitive(root, "cathodes");
    const cJSON *aa = cJSON_GetObjectItemCaseSensitive(root, "anode_actives");
    int na = cJSON_GetArraySize(an), ne = cJSON_GetArraySize(el), nc = cJSON_GetArraySize(ca);
    int nsol = ne + nc + cJSON_GetArraySize(aa);
    db->an = ssbi_calloc(ctx, (size_t)(na > 0 ? na : 1), sizeof *db->an, "anode records");
    db->so = ssbi_calloc(ctx, (size_t)(nsol > 0 ? nsol : 1), sizeof *db->so, "solid records");
    const cJSON *vc = cJSON_GetObjectItemCaseSensitive(root, "volume_change");
    int nv = cJSON_GetArraySize(vc);
    db->sw = ssbi_calloc(ctx, (size_t)(nv > 0 ? nv : 1), sizeof *db->sw, "volume-change records");
    if (!db->an || !db->so || !db->sw) {
        rc = SSB_ERR_NOMEM;
        goto fail;
    }
    char where[4200];
    for (int i = 0; i < na; i++) {
        snprintf(where, sizeof where, "%s: anodes[%d]", path, i);
        if ((rc = parse_anode(ctx, cJSON_GetArrayItem(an, i), where, &db->an[db->na])))
            goto fail;
        db->na++;
    }
    for (int k = 0; k < 3; k++) {
        const cJSON *arr = k == 2 ? aa : k ? ca : el;
        const char *aname = k == 2 ? "anode_actives" : k ? "cathodes" : "electrolytes";
        for (int i = 0; i < cJSON_GetArraySize(arr); i++) {
            snprintf(where, sizeof where, "%s: %s[%d]", path, aname, i);
            if ((rc = parse_solid(ctx, cJSON_GetArrayItem(arr, i), where, k, &db->so[db->ns])))
                goto fail;
            db->ns++;
        }
    }
    for (int i = 0; i < nv; i++) {
        snprintf(where, sizeof where, "%s: volume_change[%d]", path, i);
        if ((rc = parse_swelling(ctx, cJSON_GetArrayItem(vc, i), where, &db->sw[db->nw])))
            goto fail;
        db->nw++;
    }
    *out = db;
    return SSB_OK;
fail:
    ssb_mech_db_destroy(&db);
    return rc;
}

/* Same material: equal names (case-insensitive) or the same materials-database record. */
static int same(const ssb_materials *mdb, const char *rec, const char *name)
{
    if (!strcasecmp(rec, name))
        return 1;
    if (!mdb)
        return 0;
    const ssb_material *m1 = NULL, *m2 = NULL;
    if (ssb_materials_find(NULL, mdb, rec, &m1) || ssb_materials_find(NULL, mdb, name, &m2))
        return 0;
    return m1 == m2;
}

int ssb_mech_db_anode(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                      const ssb_mech_anode **a)
{
    SSB_REQUIRE(ctx, db && name && a, SSB_ERR_ARG, "ssb_mech_db_anode: NULL argument");
    for (int i = 0; i < db->na; i++)
        if (same(mdb, db->an[i].a.name, name)) {
            SSB_REQUIRE(ctx, !db->an[i].missing[0], SSB_ERR_UNSUPPORTED,
                        "anode '%s' has no mechanical constants for the Li supply model: key \"%s\" missing in its "
                        "record of data/iface/mechanics.json (the model is not available for it)",
                        name, db->an[i].missing);
            *a = &db->an[i].a;
            return SSB_OK;
        }
    char list[512] = "";
    for (int i = 0; i < db->na; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", db->an[i].a.name);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "anode '%s' not in the mechanics database (known: %s)", name, list);
}

int ssb_mech_db_solid(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                      const ssb_mech_solid **s)
{
    SSB_REQUIRE(ctx, db && name && s, SSB_ERR_ARG, "ssb_mech_db_solid: NULL argument");
    for (int i = 0; i < db->ns; i++)
        if (same(mdb, db->so[i].name, name)) {
            *s = &db->so[i];
            return SSB_OK;
        }
    char list[512] = "";
    for (int i = 0; i < db->ns; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", db->so[i].name);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "material '%s' has no elastic constants in the mechanics database "
                     "(known: %s)", name, list);
}

int ssb_mech_db_swelling(ssb_ctx *ctx, const ssb_mech_db *db, const ssb_materials *mdb, const char *name,
                         const ssb_mech_swelling **s)
{
    SSB_REQUIRE(ctx, db && name && s, SSB_ERR_ARG, "ssb_mech_db_swelling: NULL argument");
    for (int i = 0; i < db->nw; i++)
        if (same(mdb, db->sw[i].name, name)) {
            *s = &db->sw[i];
            return SSB_OK;
        }
    char list[512] = "";
    for (int i = 0; i < db->nw; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", db->sw[i].name);
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "material '%s' has no volume-change curve in the mechanics database "
                     "(known: %s)", name, list);
}
