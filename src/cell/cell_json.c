/* Cell JSON reader ("ssbnet-cell-1") and BPX import. */
#include "cell_keys.h"

#include <ssbnet/ssb_units.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_ SSB_CONST_FARADAY
/* Largest cell or BPX file (256 MiB: tables of millions of points fit); /dev/zero is refused, not read forever */
#define SSBI_CELL_FILE_MAX_BYTES ((size_t)1 << 28)

/* ---------------------------------------------------------------- helpers */

typedef struct {
    ssb_ctx *ctx;
    const ssb_materials *db;
    ssb_materials *own;
    const char *name;
    ssb_cell_params *p;
} jctx;

static int get_db(jctx *j, const ssb_materials **db)
{
    if (!j->db) {
        SSB_CHECK(j->ctx, ssb_materials_create(j->ctx, &j->own));
        SSB_CHECK(j->ctx, ssb_materials_load_builtin(j->ctx, j->own));
        j->db = j->own;
    }
    *db = j->db;
    return SSB_OK;
}

static int find_material(jctx *j, const char *path, const char *mname, const ssb_material **m)
{
    const ssb_materials *db = NULL;
    SSB_CHECK(j->ctx, get_db(j, &db));
    int rc = ssb_materials_find(j->ctx, db, mname, m);
    if (rc != SSB_OK) {
        const char *sug[3];
        int ns = ssb_materials_suggest(db, mname, 3, sug);
        char buf[256] = "";
        size_t o = 0;
        for (int i = 0; i < ns; i++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", sug[i]);
        return SSB_ERROR(j->ctx, SSB_ERR_NOTFOUND, "%s: %s: unknown material '%s'; closest: %s", j->name, path, mname,
                         ns ? buf : "(none)");
    }
    return SSB_OK;
}

/* Nominal SI value of a material property; 0 if present (written to *x), 1 if absent (no error left behind). */
static int mat_si(ssb_ctx *ctx, const ssb_material *m, const char *key, double *x)
{
    double v;
    if (ssb_materials_get_si(ctx, m, key, &v) == SSB_OK && isfinite(v)) {
        *x = v;
        return 0;
    }
    ssb_ctx_clear_error(ctx);
    return 1;
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, SSB_CELL_NAME_LEN, "%s", src);
}

static int unknown_key(jctx *j, const char *sect, const char *key, const ssbi_key *tab, const char *const *extra)
{
    const char *names[160];
    int n = 0;
    for (int i = 0; tab && tab[i].key && n < 150; i++)
        names[n++] = tab[i].key;
    for (int i = 0; extra && extra[i] && n < 159; i++)
        names[n++] = extra[i];
    char sug[256];
    ssbi_key_suggest(names, n, key, sug, sizeof sug);
    return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: unknown key '%s%s%s'; closest: %s", j->name, sect, *sect ? "." : "",
                     key, sug);
}

static int in_list(const char *key, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], key) == 0)
            return 1;
    return 0;
}

static int read_fn_value(jctx *j, const cJSON *it, const char *path, ssb_cell_fn_slot slot, int *is_number,
                         double *num);

/* A number, or an expression / table into a function slot; an error names the file and the key. */
static int read_fn(jctx *j, const cJSON *it, const char *path, ssb_cell_fn_slot slot, int *is_number, double *num)
{
    int rc = read_fn_value(j, it, path, slot, is_number, num);
    if (rc == SSB_OK)
        return rc;
    char prefix[200], msg[2048];
    snprintf(prefix, sizeof prefix, "%s: %s", j->name, path);
    snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(j->ctx));
    if (strncmp(msg, prefix, strlen(prefix)) == 0)
        return rc;
    return SSB_ERROR(j->ctx, rc, "%s: %s", prefix, msg);
}

static int read_fn_value(jctx *j, const cJSON *it, const char *path, ssb_cell_fn_slot slot, int *is_number, double *num)
{
    *is_number = 0;
    if (cJSON_IsNumber(it)) {
        *is_number = 1;
        *num = it->valuedouble;
        return SSB_OK;
    }
    char what[160];
    snprintf(what, sizeof what, "%s: %s", j->name, path);
    if (cJSON_IsString(it))
        return ssb_cell_params_set_fn_expr(j->ctx, j->p, slot, it->valuestring, NAN, NAN);
    if (cJSON_IsObject(it)) {
        const cJSON *ex = cJSON_GetObjectItemCaseSensitive(it, "expression");
        if (cJSON_IsString(ex)) {
            double lo = NAN, hi = NAN;
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "x_range");
            if (r) {
                if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(r, 0)) ||
                    !cJSON_IsNumber(cJSON_GetArrayItem(r, 1)))
                    return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s.x_range must be [min, max]", what);
                lo = cJSON_GetArrayItem(r, 0)->valuedouble;
                hi = cJSON_GetArrayItem(r, 1)->valuedouble;
            }
            return ssb_cell_params_set_fn_expr(j->ctx, j->p, slot, ex->valuestring, lo, hi);
        }
        const cJSON *xs = cJSON_GetObjectItemCaseSensitive(it, "x");
        const cJSON *ys = cJSON_GetObjectItemCaseSensitive(it, "U");
        if (!ys)
            ys = cJSON_GetObjectItemCaseSensitive(it, "y");
        if (cJSON_IsArray(xs) && cJSON_IsArray(ys)) {
            int n = cJSON_GetArraySize(xs);
            if (n != cJSON_GetArraySize(ys))
                return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: x has %d values, y has %d", what, n,
                                 cJSON_GetArraySize(ys));
            double *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x), *y = malloc((size_t)(n > 0 ? n : 1) * sizeof *y);
            if (!x || !y) {
                free(x);
                free(y);
                return SSB_ERROR(j->ctx, SSB_ERR_NOMEM, "out of memory");
            }
            int k = 0, bad = 0;
            const cJSON *a, *b = ys->child;
            cJSON_ArrayForEach(a, xs)
            {
                if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b))
                    bad = 1;
                else {
                    x[k] = a->valuedouble;
                    y[k] = b->valuedouble;
                }
                k++;
                b = b->next;
            }
            int rc = bad ? SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: table values must be numbers", what)
                         : ssb_cell_params_set_fn_table(j->ctx, j->p, slot, n, x, y);
            free(x);
            free(y);
            return rc;
        }
    }
    return SSB_ERROR(j->ctx, SSB_ERR_FORMAT,
                     "%s must be a number, an expression string, {\"expression\": ...} or {\"x\": [...], \"y\": [...]}",
                     what);
}

/* ---------------------------------------------------------------- sections */

/* The SE named for one region (ssb_cell_region): its conductivity at the cell temperature from the database into
 * *sigma, with the region's temperature law (sigma_T, sigma_Ea_eV: the local activation energy of sigma T at T,
 * from one kelvin above; NaN when the database gives no nominal activation energy). A record whose total
 * conductivity is known only as a range does not fall back on its bulk value (Li0.33La0.56TiO3: bulk 1e-3 S/cm,
 * total 1e-5 to 5e-5: the separator was given the bulk, 20-100 x too high); the region's sigma then stays unset
 * and the reason is kept for the missing-value message. */
static int apply_se(jctx *j, const char *path, const char *mname, int region, double *sigma, double *rho,
                    char *name_out)
{
    if (name_out)
        copy_name(name_out, mname);
    if (j->p->v.el.kind == SSB_CELL_LIQUID) {
        /* a liquid is not in the materials database: the name is informational */
        const ssb_materials *db = NULL;
        SSB_CHECK(j->ctx, get_db(j, &db));
        const ssb_material *m = NULL;
        if (ssb_materials_find(j->ctx, db, mname, &m) != SSB_OK) {
            ssb_ctx_clear_error(j->ctx);
            return SSB_OK;
        }
        if (rho)
            mat_si(j->ctx, m, "density", rho);
        return SSB_OK;
    }
    const ssb_material *m = NULL;
    SSB_CHECK(j->ctx, find_material(j, path, mname, &m));
    ssb_cell_values *v = &j->p->v;
    double *sT = region == SSB_CELL_REGION_SEP ? &v->sep.sigma_T
                 : region == SSB_CELL_REGION_POS ? &v->pos.sigma_T
                                                 : &v->neg.sigma_T;
    double *sEa = region == SSB_CELL_REGION_SEP ? &v->sep.sigma_Ea_eV
                  : region == SSB_CELL_REGION_POS ? &v->pos.sigma_Ea_eV
                                                  : &v->neg.sigma_Ea_eV;
    char *note = j->p->sigma_note[region];
    note[0] = '\0';
    double s, s1, T = v->cell.T, T1 = T + 1.0;
    int outside = 0;
    ssb_sigma_kind kind = SSB_SIGMA_TOTAL;
    int ok = ssb_materials_sigma_ion(j->ctx, m, kind, T, &s, &outside) == SSB_OK;
    if (!ok)
        snprintf(note, sizeof j->p->sigma_note[0], "%s", ssb_ctx_get_error(j->ctx));
    ssb_mat_prop tot, bulk;
    const int has_bulk = ssb_materials_get_prop(j->ctx, m, "sigma_ion_bulk", &bulk) == SSB_OK;
    if (!ok && ssb_materials_get_prop(j->ctx, m, "sigma_ion", &tot) == SSB_OK) {
        /* a total is recorded but cannot be evaluated here (a range, or no activation energy at this T): the
           note keeps the database's reason */
        if (!tot.has_value)
            snprintf(note, sizeof j->p->sigma_note[0],
                     "%s: the total conductivity 'sigma_ion' is known only as a range (%g to %g %s at %.2f K)%s",
                     ssb_materials_name(m), tot.min, tot.max, tot.unit, tot.T,
                     has_bulk ? "; the bulk value leaves out the grain boundaries" : "");
    } else if (!ok) {
        kind = SSB_SIGMA_BULK;
        ok = ssb_materials_sigma_ion(j->ctx, m, kind, T, &s, &outside) == SSB_OK;
        if (!ok && !has_bulk)
            snprintf(note, sizeof j->p->sigma_note[0],
                     "%s has no Li+ conductivity ('sigma_ion' or 'sigma_ion_bulk') in the database: is it a solid "
                     "electrolyte?",
                     ssb_materials_name(m));
        else if (!ok)
            snprintf(note, sizeof j->p->sigma_note[0], "%s", ssb_ctx_get_error(j->ctx));
    }
    if (ok && sigma) {
        *sigma = s;
        /* where the model is to rescale it (temperature changed after reading): the database's local activation
           energy of sigma T at T, from one kelvin above (exact for one Arrhenius law, the local slope of a brick
           layer of bulk and grain boundaries); NaN when the database has no temperature law for it */
        *sT = T;
        *sEa = NAN;
        if (ssb_materials_sigma_ion(j->ctx, m, kind, T1, &s1, NULL) == SSB_OK && s1 > 0 && s > 0)
            *sEa = -SSB_CONST_BOLTZMANN_EV * log(s1 * T1 / (s * T)) / (1.0 / T1 - 1.0 / T);
        else
            snprintf(note, sizeof j->p->sigma_note[0], "%s", ssb_ctx_get_error(j->ctx));
    }
    ssb_ctx_clear_error(j->ctx);
    if (rho)
        mat_si(j->ctx, m, "density", rho);
    return SSB_OK;
}

/* The material's state-dependent diffusivity D(x) named by "diffusivity_curve" (database, log-linear in its table)
 * as the electrode's D_s(x) slot, sampled at 401 points over the curve's range (opt-in: without the key the
 * material's constant D_Li is used); a diffusivity given in the cell file replaces it. */
static int apply_active_diffusivity(jctx *j, const char *path, const ssb_material *m, const char *curve,
                                    ssb_cell_electrode *e, ssb_cell_fn_slot ds_slot)
{
    enum { NS = 401 };
    int ic = 0;
    int rc = ssb_materials_diffusivity_find(j->ctx, m, curve, &ic);
    if (rc != SSB_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(j->ctx));
        return SSB_ERROR(j->ctx, rc, "%s: %s: %s", j->name, path, msg);
    }
    ssb_diffusivity_info di;
    SSB_CHECK(j->ctx, ssb_materials_diffusivity_info(j->ctx, m, ic, &di));
    double xs[NS], ds[NS];
    for (int k = 0; k < NS; k++) {
        xs[k] = k == NS - 1 ? di.x_max : di.x_min + (di.x_max - di.x_min) * k / (NS - 1);
        SSB_CHECK(j->ctx, ssb_materials_diffusivity_eval(j->ctx, m, ic, xs[k], &ds[k]));
    }
    SSB_CHECK(j->ctx, ssb_cell_params_set_fn_table(j->ctx, j->p, ds_slot, NS, xs, ds));
    e->D_s = 1.0; /* the function gives D_s in m2/s */
    return SSB_OK;
}

static int apply_active(jctx *j, const char *path, const char *mname, const char *curve, const char *dcurve,
                        ssb_cell_electrode *e, ssb_cell_fn_slot ocv_slot, ssb_cell_fn_slot ds_slot)
{
    const ssb_material *m = NULL;
    SSB_CHECK(j->ctx, find_material(j, path, mname, &m));
    copy_name(e->active_material, ssb_materials_name(m));
    mat_si(j->ctx, m, "c_max", &e->c_max);
    mat_si(j->ctx, m, "D_Li", &e->D_s);
    mat_si(j->ctx, m, "sigma_el", &e->sigma_e);
    mat_si(j->ctx, m, "density", &e->rho_active);
    if (ssb_materials_nocv(m) > 0 || curve) {
        int ic = 0;
        int rc = ssb_materials_ocv_find(j->ctx, m, curve, &ic);
        if (rc != SSB_OK)
            return SSB_ERROR(j->ctx, rc, "%s: %s: %s has no OCV curve '%s'", j->name, path, ssb_materials_name(m),
                             curve ? curve : "");
        ssbi_fn f;
        memset(&f, 0, sizeof f);
        SSB_CHECK(j->ctx, ssbi_fn_from_material_ocv(j->ctx, &f, m, ic));
        ssbi_fn_clear(&j->p->fn[ocv_slot]);
        j->p->fn[ocv_slot] = f;
    }
    if (dcurve)
        SSB_CHECK(j->ctx, apply_active_diffusivity(j, path, m, dcurve, e, ds_slot));
    return SSB_OK;
}

static const char *str_item(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int need_string(jctx *j, const cJSON *obj, const char *sect, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (it && (!cJSON_IsString(it) || !it->valuestring[0]))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s.%s must be a non-empty string", j->name, sect, key);
    return SSB_OK;
}

/* numeric key of a table; path for messages */
static int apply_num(jctx *j, int which, const ssbi_key *tab, const char *sect, const cJSON *it)
{
    char path[160];
    snprintf(path, sizeof path, "%s%s%s", sect, *sect ? "." : "", it->string);
    const ssbi_key *k = ssbi_find_key(tab, it->string);
    if (!k)
        return -1;
    if (!cJSON_IsNumber(it))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s must be a number", j->name, path);
    int rc = ssbi_apply_key(j->ctx, &j->p->v, which, k, it->valuedouble, path);
    if (rc != SSB_OK) {
        /* prefix the file name */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(j->ctx));
        return SSB_ERROR(j->ctx, rc, "%s: %s", j->name, msg);
    }
    return SSB_OK;
}

static const char *const electrode_specials[] = {"active_material",  "ocv_curve", "ocv",     "electrolyte",
                                                 "carbon",           "type",      "cam_gsd", "carbon_diameter_um",
                                                 "pore_diameter_um", "overlap",   "diffusivity_curve",
                                                 NULL};

static int apply_electrode(jctx *j, const cJSON *obj, const char *sect, int which)
{
    ssb_cell_values *v = &j->p->v;
    int pos = which == 1;
    ssb_cell_electrode *e = pos ? &v->pos : &v->neg;
    ssb_cell_fn_slot ocv_slot = pos ? SSB_CELL_FN_OCV_POS : SSB_CELL_FN_OCV_NEG;
    ssb_cell_fn_slot ds_slot = pos ? SSB_CELL_FN_DS_POS : SSB_CELL_FN_DS_NEG;
    ssb_cell_fn_slot se_slot = pos ? SSB_CELL_FN_SIGE_POS : SSB_CELL_FN_SIGE_NEG;
    SSB_CHECK(j->ctx, need_string(j, obj, sect, "active_material"));
    SSB_CHECK(j->ctx, need_string(j, obj, sect, "ocv_curve"));
    SSB_CHECK(j->ctx, need_string(j, obj, sect, "diffusivity_curve"));
    SSB_CHECK(j->ctx, need_string(j, obj, sect, "electrolyte"));
    SSB_CHECK(j->ctx, need_string(j, obj, sect, "carbon"));
    char path[160];
    /* 1. materials (database values first, the file's numbers override them below) */
    const char *am = str_item(obj, "active_material");
    if (am) {
        snprintf(path, sizeof path, "%s.active_material", sect);
        SSB_CHECK(j->ctx, apply_active(j, path, am, str_item(obj, "ocv_curve"), str_item(obj, "diffusivity_curve"), e,
                                       ocv_slot, ds_slot));
    } else if (str_item(obj, "ocv_curve"))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s.ocv_curve needs %s.active_material", j->name, sect, sect);
    else if (str_item(obj, "diffusivity_curve"))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s.diffusivity_curve needs %s.active_material", j->name, sect,
                         sect);
    const char *se = str_item(obj, "electrolyte");
    if (!se && v->el.material[0] && isnan(e->sigma_i))
        se = v->el.material;
    if (se) {
        snprintf(path, sizeof path, "%s.electrolyte", sect);
        SSB_CHECK(j->ctx, apply_se(j, path, se, which == 1 ? SSB_CELL_REGION_POS : SSB_CELL_REGION_NEG, &e->sigma_i,
                                   &e->rho_electrolyte, e->electrolyte));
    }
    const char *cb = str_item(obj, "carbon");
    if (cb) {
        const ssb_material *m = NULL;
        snprintf(path, sizeof path, "%s.carbon", sect);
        SSB_CHECK(j->ctx, find_material(j, path, cb, &m));
        mat_si(j->ctx, m, "density", &e->rho_inert);
    }
    /* 2. numbers, functions (a new electrolyte fraction without a transport efficiency resets the latter) */
    if ((cJSON_GetObjectItemCaseSensitive(obj, "electrolyte_volume_fraction") ||
         cJSON_GetObjectItemCaseSensitive(obj, "porosity")) &&
        !cJSON_GetObjectItemCaseSensitive(obj, "transport_efficiency"))
        e->transport_eff = NAN;
    int liquid = v->el.kind == SSB_CELL_LIQUID;
    int has_ev = cJSON_GetObjectItemCaseSensitive(obj, "electrolyte_volume_fraction") != NULL;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *key = it->string;
        if (in_list(key, electrode_specials))
            continue;
        snprintf(path, sizeof path, "%s.%s", sect, key);
        if ((strcmp(key, "diffusivity_m2_per_s") == 0) && !cJSON_IsNumber(it)) {
            int isnum;
            double x;
            SSB_CHECK(j->ctx, read_fn(j, it, path, ds_slot, &isnum, &x));
            e->D_s = 1.0; /* the function gives D_s in m2/s */
            continue;
        }
        if ((strcmp(key, "electronic_conductivity_S_per_m") == 0) && !cJSON_IsNumber(it)) {
            int isnum;
            double x;
            SSB_CHECK(j->ctx, read_fn(j, it, path, se_slot, &isnum, &x)); /* sigma_e(theta) [S/m] */
            continue;
        }
        if (liquid && !has_ev && strcmp(key, "porosity") == 0) {
            /* liquid cells: the pores are the electrolyte */
            if (!cJSON_IsNumber(it))
                return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s must be a number", j->name, path);
            const ssbi_key *k = ssbi_find_key(ssbi_keys_electrode, "electrolyte_volume_fraction");
            SSB_CHECK(j->ctx, ssbi_apply_key(j->ctx, v, which, k, it->valuedouble, path));
            continue;
        }
        int rc = apply_num(j, which, ssbi_keys_electrode, sect, it);
        if (rc == -1)
            return unknown_key(j, sect, key, ssbi_keys_electrode, electrode_specials);
        if (rc != SSB_OK)
            return rc;
        if (strcmp(key, "diffusivity_m2_per_s") == 0 || strcmp(key, "diffusivity_cm2_per_s") == 0)
            ssb_cell_params_clear_fn(j->p, ds_slot);
        if (strcmp(key, "electronic_conductivity_S_per_m") == 0)
            ssb_cell_params_clear_fn(j->p, se_slot);
    }
    const cJSON *ocv = cJSON_GetObjectItemCaseSensitive(obj, "ocv");
    if (ocv) {
        snprintf(path, sizeof path, "%s.ocv", sect);
        int isnum;
        double x;
        SSB_CHECK(j->ctx, read_fn(j, ocv, path, ocv_slot, &isnum, &x));
        if (isnum)
            SSB_CHECK(j->ctx, ssb_cell_params_set_fn_const(j->ctx, j->p, ocv_slot, x));
    }
    return SSB_OK;
}

static const char *const li_specials[] = {"type", "material", NULL};

static int apply_negative(jctx *j, const cJSON *obj)
{
    ssb_cell_values *v = &j->p->v;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
    if (t) {
        if (!cJSON_IsString(t))
            return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: negative.type must be a string", j->name);
        if (strcmp(t->valuestring, "lithium_metal") == 0 || strcmp(t->valuestring, "li_metal") == 0)
            v->anode = SSB_CELL_ANODE_LI_METAL;
        else if (strcmp(t->valuestring, "composite") == 0)
            v->anode = SSB_CELL_ANODE_COMPOSITE;
        else
            return SSB_ERROR(j->ctx, SSB_ERR_ARG,
                             "%s: negative.type = '%s' is invalid (valid: lithium_metal, composite)", j->name,
                             t->valuestring);
    } else if (cJSON_GetObjectItemCaseSensitive(obj, "active_material") || cJSON_GetObjectItemCaseSensitive(obj, "ocv"))
        v->anode = SSB_CELL_ANODE_COMPOSITE;
    if (v->anode == SSB_CELL_ANODE_COMPOSITE)
        return apply_electrode(j, obj, "negative", 2);
    const char *mat = str_item(obj, "material");
    if (mat) {
        const ssb_material *m = NULL;
        SSB_CHECK(j->ctx, find_material(j, "negative.material", mat, &m));
        mat_si(j->ctx, m, "density", &v->li.density);
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (in_list(it->string, li_specials))
            continue;
        int rc = apply_num(j, 2, ssbi_keys_limetal, "negative", it);
        if (rc == -1)
            return unknown_key(j, "negative", it->string, ssbi_keys_limetal, li_specials);
        if (rc != SSB_OK)
            return rc;
    }
    return SSB_OK;
}

static const char *const sep_specials[] = {"electrolyte", NULL};

static int apply_separator(jctx *j, const cJSON *obj)
{
    ssb_cell_values *v = &j->p->v;
    SSB_CHECK(j->ctx, need_string(j, obj, "separator", "electrolyte"));
    const char *se = str_item(obj, "electrolyte");
    if (!se && v->el.material[0] && isnan(v->sep.sigma_i))
        se = v->el.material;
    if (se)
        SSB_CHECK(j->ctx, apply_se(j, "separator.electrolyte", se, SSB_CELL_REGION_SEP, &v->sep.sigma_i,
                                   &v->sep.rho_electrolyte, v->sep.electrolyte));
    /* a new electrolyte fraction without a transport efficiency: derive the efficiency again (Bruggeman) */
    if ((cJSON_GetObjectItemCaseSensitive(obj, "electrolyte_volume_fraction") ||
         cJSON_GetObjectItemCaseSensitive(obj, "porosity")) &&
        !cJSON_GetObjectItemCaseSensitive(obj, "transport_efficiency"))
        v->sep.transport_eff = NAN;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (in_list(it->string, sep_specials))
            continue;
        int rc = apply_num(j, 3, ssbi_keys_separator, "separator", it);
        if (rc == -1)
            return unknown_key(j, "separator", it->string, ssbi_keys_separator, sep_specials);
        if (rc != SSB_OK)
            return rc;
    }
    return SSB_OK;
}

static const char *const el_specials[] = {"type", "material", NULL};

static int apply_electrolyte(jctx *j, const cJSON *obj)
{
    ssb_cell_values *v = &j->p->v;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "type");
    if (t) {
        if (!cJSON_IsString(t))
            return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: electrolyte.type must be a string", j->name);
        if (strcmp(t->valuestring, "single_ion") == 0)
            v->el.kind = SSB_CELL_SINGLE_ION;
        else if (strcmp(t->valuestring, "liquid") == 0)
            v->el.kind = SSB_CELL_LIQUID;
        else
            return SSB_ERROR(j->ctx, SSB_ERR_ARG, "%s: electrolyte.type = '%s' is invalid (valid: single_ion, liquid)",
                             j->name, t->valuestring);
    }
    SSB_CHECK(j->ctx, need_string(j, obj, "electrolyte", "material"));
    const char *mat = str_item(obj, "material");
    if (mat) {
        copy_name(v->el.material, mat);
        if (v->el.kind == SSB_CELL_SINGLE_ION) {
            const ssb_material *m = NULL;
            SSB_CHECK(j->ctx, find_material(j, "electrolyte.material", mat, &m));
            copy_name(v->el.material, ssb_materials_name(m));
        }
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        const char *key = it->string;
        if (in_list(key, el_specials))
            continue;
        char path[160];
        snprintf(path, sizeof path, "electrolyte.%s", key);
        ssb_cell_fn_slot slot = SSB_CELL_FN_COUNT;
        if (strcmp(key, "conductivity_S_per_m") == 0)
            slot = SSB_CELL_FN_KAPPA;
        else if (strcmp(key, "diffusivity_m2_per_s") == 0)
            slot = SSB_CELL_FN_DIFF;
        else if (strcmp(key, "thermodynamic_factor") == 0)
            slot = SSB_CELL_FN_TDF;
        else if (strcmp(key, "transference_number") == 0)
            slot = SSB_CELL_FN_TPLUS;
        if (slot != SSB_CELL_FN_COUNT && !cJSON_IsNumber(it)) {
            int isnum;
            double x;
            SSB_CHECK(j->ctx, read_fn(j, it, path, slot, &isnum, &x));
            continue;
        }
        if (slot != SSB_CELL_FN_COUNT)
            ssb_cell_params_clear_fn(j->p, slot);
        int rc = apply_num(j, 4, ssbi_keys_electrolyte, "electrolyte", it);
        if (rc == -1)
            return unknown_key(j, "electrolyte", key, ssbi_keys_electrolyte, el_specials);
        if (rc != SSB_OK)
            return rc;
    }
    return SSB_OK;
}

static int apply_plain(jctx *j, const cJSON *obj, const char *sect, int which, const ssbi_key *tab)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int rc = apply_num(j, which, tab, sect, it);
        if (rc == -1)
            return unknown_key(j, sect, it->string, tab, NULL);
        if (rc != SSB_OK)
            return rc;
    }
    return SSB_OK;
}

static const char *const top_specials[] = {
    "schema", "title",     "description", "protocol",           "microstructure", "positive", "cathode", "negative",
    "anode",  "separator", "electrolyte", "current_collectors", "numerics",       "ssbnet",   "run",
    "interfaces", /* read by the iface module (ssb_iface_ageing_from_cell) */
    NULL};

static const cJSON *section(const cJSON *root, const char *a, const char *b)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, a);
    if (!s && b)
        s = cJSON_GetObjectItemCaseSensitive(root, b);
    return s;
}

static int check_object(jctx *j, const cJSON *s, const char *name)
{
    if (s && !cJSON_IsObject(s))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: %s must be a JSON object", j->name, name);
    return SSB_OK;
}

static int apply_root(jctx *j, const cJSON *root)
{
    ssb_cell_params *p = j->p;
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        if (in_list(it->string, top_specials))
            continue;
        if (!ssbi_find_key(ssbi_keys_cell, it->string))
            return unknown_key(j, "", it->string, ssbi_keys_cell, top_specials);
    }
    if (cJSON_GetObjectItemCaseSensitive(root, "positive") && cJSON_GetObjectItemCaseSensitive(root, "cathode"))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: give either \"positive\" or \"cathode\", not both", j->name);
    if (cJSON_GetObjectItemCaseSensitive(root, "negative") && cJSON_GetObjectItemCaseSensitive(root, "anode"))
        return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: give either \"negative\" or \"anode\", not both", j->name);
    /* temperature first: database conductivities are evaluated at it */
    const char *first[] = {"temperature_K", "temperature_C", NULL};
    for (int i = 0; first[i]; i++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, first[i]);
        if (t) {
            int rc = apply_num(j, 0, ssbi_keys_cell, "", t);
            if (rc != SSB_OK)
                return rc;
        }
    }
    cJSON_ArrayForEach(it, root)
    {
        if (in_list(it->string, top_specials) || in_list(it->string, first))
            continue;
        int rc = apply_num(j, 0, ssbi_keys_cell, "", it);
        if (rc != SSB_OK)
            return rc;
    }
    const cJSON *el = section(root, "electrolyte", NULL), *sep = section(root, "separator", NULL),
                *pos = section(root, "positive", "cathode"), *neg = section(root, "negative", "anode"),
                *cc = section(root, "current_collectors", NULL), *num = section(root, "numerics", NULL);
    SSB_CHECK(j->ctx, check_object(j, el, "electrolyte"));
    SSB_CHECK(j->ctx, check_object(j, sep, "separator"));
    SSB_CHECK(j->ctx, check_object(j, pos, "positive"));
    SSB_CHECK(j->ctx, check_object(j, neg, "negative"));
    SSB_CHECK(j->ctx, check_object(j, cc, "current_collectors"));
    SSB_CHECK(j->ctx, check_object(j, num, "numerics"));
    if (el)
        SSB_CHECK(j->ctx, apply_electrolyte(j, el));
    if (sep)
        SSB_CHECK(j->ctx, apply_separator(j, sep));
    else if (p->v.el.material[0] && isnan(p->v.sep.sigma_i) && isnan(p->v.sep.sigma_i_eff))
        SSB_CHECK(j->ctx, apply_se(j, "electrolyte.material", p->v.el.material, SSB_CELL_REGION_SEP,
                                   &p->v.sep.sigma_i, &p->v.sep.rho_electrolyte, p->v.sep.electrolyte));
    if (pos)
        SSB_CHECK(j->ctx, apply_electrode(j, pos, "positive", 1));
    if (neg)
        SSB_CHECK(j->ctx, apply_negative(j, neg));
    if (cc)
        SSB_CHECK(j->ctx, apply_plain(j, cc, "current_collectors", 5, ssbi_keys_cc));
    if (num)
        SSB_CHECK(j->ctx, apply_plain(j, num, "numerics", 6, ssbi_keys_numerics));
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "protocol");
    if (pr) {
        size_t len = 1;
        if (cJSON_IsString(pr))
            len += strlen(pr->valuestring);
        else if (cJSON_IsArray(pr)) {
            const cJSON *s;
            cJSON_ArrayForEach(s, pr)
            {
                if (!cJSON_IsString(s))
                    return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: protocol entries must be strings", j->name);
                len += strlen(s->valuestring) + 1;
            }
        } else
            return SSB_ERROR(j->ctx, SSB_ERR_FORMAT, "%s: protocol must be a string or a list of strings", j->name);
        char *t = malloc(len);
        if (!t)
            return SSB_ERROR(j->ctx, SSB_ERR_NOMEM, "out of memory");
        t[0] = '\0';
        if (cJSON_IsString(pr))
            strcpy(t, pr->valuestring);
        else {
            const cJSON *s;
            cJSON_ArrayForEach(s, pr)
            {
                strcat(t, s->valuestring);
                strcat(t, "\n");
            }
        }
        free(p->protocol);
        p->protocol = t;
    }
    return SSB_OK;
}

int ssbi_params_apply_json(ssb_ctx *ctx, const ssb_materials *db, const cJSON *root, const char *name,
                           ssb_cell_params *p)
{
    jctx j = {.ctx = ctx, .db = db, .name = name, .p = p};
    int rc = apply_root(&j, root);
    ssb_materials_destroy(&j.own);
    return rc;
}

int ssb_cell_params_apply_json_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                                      ssb_cell_params *p)
{
    SSB_REQUIRE(ctx, text && p, SSB_ERR_ARG, "ssb_cell_params_apply_json_string: NULL argument");
    if (!name)
        name = "cell JSON";
    cJSON *root = NULL;
    SSB_CHECK(ctx, ssbi_json_parse(ctx, text, name, &root));
    /* all or nothing: work on a copy */
    ssb_cell_params *tmp = NULL;
    int rc = ssb_cell_params_copy(ctx, p, &tmp);
    if (rc == SSB_OK)
        rc = ssbi_params_apply_json(ctx, db, root, name, tmp);
    cJSON_Delete(root);
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(&tmp);
        return rc;
    }
    /* swap contents */
    ssb_cell_params t = *p;
    *p = *tmp;
    *tmp = t;
    ssb_cell_params_destroy(&tmp);
    return SSB_OK;
}

int ssb_cell_params_from_json_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                                     ssb_cell_params **out)
{
    SSB_REQUIRE(ctx, text && out, SSB_ERR_ARG, "ssb_cell_params_from_json_string: NULL argument");
    *out = NULL;
    ssb_cell_params *p = NULL;
    SSB_CHECK(ctx, ssbi_params_alloc(ctx, &p));
    int rc = ssb_cell_params_apply_json_string(ctx, db, text, name, p);
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(&p);
        return rc;
    }
    *out = p;
    return SSB_OK;
}

int ssb_cell_params_from_json(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **out)
{
    SSB_REQUIRE(ctx, path && out, SSB_ERR_ARG, "ssb_cell_params_from_json: NULL argument");
    *out = NULL;
    char *text = NULL;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, "cell file", SSBI_CELL_FILE_MAX_BYTES, &text));
    int rc = ssb_cell_params_from_json_string(ctx, db, text, path, out);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- BPX */

typedef struct {
    ssb_ctx *ctx;
    const char *name;
    ssb_cell_params *p;
} bctx;

static int bnum(bctx *b, const cJSON *obj, const char *sect, const char *key, int required, double *x)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it) {
        if (required)
            return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: missing BPX parameter %s.\"%s\"", b->name, sect, key);
        return SSB_OK;
    }
    if (!cJSON_IsNumber(it))
        return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: BPX %s.\"%s\" must be a number", b->name, sect, key);
    *x = it->valuedouble;
    return SSB_OK;
}

static int bfn(bctx *b, const cJSON *obj, const char *sect, const char *key, ssb_cell_fn_slot slot, int required,
               double *num)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!it) {
        if (required)
            return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: missing BPX parameter %s.\"%s\"", b->name, sect, key);
        return SSB_OK;
    }
    jctx j = {.ctx = b->ctx, .name = b->name, .p = b->p};
    char path[160];
    snprintf(path, sizeof path, "%s.\"%s\"", sect, key);
    int isnum = 0;
    double x = NAN;
    SSB_CHECK(b->ctx, read_fn(&j, it, path, slot, &isnum, &x));
    if (isnum) {
        if (num) {
            *num = x;
            ssb_cell_params_clear_fn(b->p, slot);
        } else
            SSB_CHECK(b->ctx, ssb_cell_params_set_fn_const(b->ctx, b->p, slot, x));
    } else if (num)
        *num = 1.0;
    return SSB_OK;
}

static int bpx_electrode(bctx *b, const cJSON *e, const char *sect, ssb_cell_electrode *el, ssb_cell_fn_slot ocv,
                         ssb_cell_fn_slot ds, double soc, int positive)
{
    if (!cJSON_IsObject(e))
        return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: missing BPX section \"%s\"", b->name, sect);
    if (cJSON_GetObjectItemCaseSensitive(e, "Particle"))
        return SSB_ERROR(b->ctx, SSB_ERR_UNSUPPORTED, "%s: %s: blended electrodes (\"Particle\") are not supported",
                         b->name, sect);
    double R = NAN, L = NAN, a = NAN, por = NAN, te = NAN, k = NAN, smin = NAN, smax = NAN, cmax = NAN, sig = NAN;
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Particle radius [m]", 1, &R));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Thickness [m]", 1, &L));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Surface area per unit volume [m-1]", 1, &a));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Porosity", 1, &por));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Transport efficiency", 1, &te));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Reaction rate constant [mol.m-2.s-1]", 1, &k));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Minimum stoichiometry", 1, &smin));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Maximum stoichiometry", 1, &smax));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Maximum concentration [mol.m-3]", 1, &cmax));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Conductivity [S.m-1]", 1, &sig));
    double Dnum = NAN;
    SSB_CHECK(b->ctx, bfn(b, e, sect, "Diffusivity [m2.s-1]", ds, 1, &Dnum));
    SSB_CHECK(b->ctx, bfn(b, e, sect, "OCP [V]", ocv, 1, NULL));
    double EaD = 0, Eak = 0;
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Diffusivity activation energy [J.mol-1]", 0, &EaD));
    SSB_CHECK(b->ctx, bnum(b, e, sect, "Reaction rate constant activation energy [J.mol-1]", 0, &Eak));
    el->thickness = L;
    el->particle_radius = R;
    el->area_per_volume = a;
    el->eps_active = a * R / 3.0;
    el->eps_electrolyte = por;
    el->eps_inert = NAN;
    el->porosity = 0;
    el->transport_eff = te;
    el->kinetics_kind = SSB_CELL_KIN_BPX_K;
    el->kinetic_constant = k;
    el->c_max = cmax;
    el->sigma_e_eff = sig;
    el->D_s = Dnum;
    el->Ea_diffusion = EaD;
    el->Ea_kinetics = Eak;
    el->alpha = 0.5;
    if (positive) {
        el->sto_init = smax - soc * (smax - smin);
        el->sto_discharged = smax;
    } else {
        el->sto_init = smin + soc * (smax - smin);
        el->sto_discharged = smin;
    }
    if (!(el->eps_active > 0 && el->eps_active + por < 1.0 + 1e-9))
        return SSB_ERROR(b->ctx, SSB_ERR_RANGE,
                         "%s: %s: active fraction a R / 3 = %g with porosity %g is not a valid composition", b->name,
                         sect, el->eps_active, por);
    return SSB_OK;
}

static int bpx_validation(bctx *b, const cJSON *val, double area)
{
    int n = cJSON_GetArraySize(val);
    if (n <= 0)
        return SSB_OK;
    b->p->valid = calloc((size_t)n, sizeof *b->p->valid);
    if (!b->p->valid)
        return SSB_ERROR(b->ctx, SSB_ERR_NOMEM, "out of memory");
    const cJSON *s;
    cJSON_ArrayForEach(s, val)
    {
        ssbi_bpx_series *d = &b->p->valid[b->p->nvalid];
        snprintf(d->name, sizeof d->name, "%s", s->string);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "Time [s]");
        const cJSON *I = cJSON_GetObjectItemCaseSensitive(s, "Current [A]");
        const cJSON *V = cJSON_GetObjectItemCaseSensitive(s, "Voltage [V]");
        if (!cJSON_IsArray(t) || !cJSON_IsArray(I) || !cJSON_IsArray(V) ||
            cJSON_GetArraySize(t) != cJSON_GetArraySize(I) || cJSON_GetArraySize(t) != cJSON_GetArraySize(V))
            return SSB_ERROR(b->ctx, SSB_ERR_FORMAT,
                             "%s: validation \"%s\" needs equally long \"Time [s]\", \"Current [A]\", \"Voltage [V]\"",
                             b->name, s->string);
        int m = cJSON_GetArraySize(t);
        d->t = malloc((size_t)(m ? m : 1) * sizeof(double));
        d->I = malloc((size_t)(m ? m : 1) * sizeof(double));
        d->V = malloc((size_t)(m ? m : 1) * sizeof(double));
        b->p->nvalid++;
        if (!d->t || !d->I || !d->V)
            return SSB_ERROR(b->ctx, SSB_ERR_NOMEM, "out of memory");
        d->n = m;
        for (int i = 0; i < m; i++) {
            const cJSON *a = cJSON_GetArrayItem(t, i), *c = cJSON_GetArrayItem(I, i), *e = cJSON_GetArrayItem(V, i);
            if (!cJSON_IsNumber(a) || !cJSON_IsNumber(c) || !cJSON_IsNumber(e))
                return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: validation \"%s\": entry %d is not a number", b->name,
                                 s->string, i);
            d->t[i] = a->valuedouble;
            d->I[i] = -c->valuedouble / area; /* BPX: charge positive */
            d->V[i] = e->valuedouble;
        }
    }
    return SSB_OK;
}

static int bpx_apply(bctx *b, const ssb_materials *db, const cJSON *root)
{
    ssb_cell_params *p = b->p;
    ssb_cell_values *v = &p->v;
    const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(root, "Header");
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(root, "Parameterisation");
    if (!cJSON_IsObject(hdr) || !cJSON_IsObject(par))
        return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: not a BPX file (needs \"Header\" and \"Parameterisation\")",
                         b->name);
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(par, "Cell");
    const cJSON *ely = cJSON_GetObjectItemCaseSensitive(par, "Electrolyte");
    const cJSON *sep = cJSON_GetObjectItemCaseSensitive(par, "Separator");
    if (!cJSON_IsObject(cell) || !cJSON_IsObject(ely) || !cJSON_IsObject(sep))
        return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: BPX Parameterisation needs Cell, Electrolyte and Separator",
                         b->name);
    /* State (v1) or Cell (v0) */
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(root, "State");
    const cJSON *ic = state ? cJSON_GetObjectItemCaseSensitive(state, "Initial conditions") : NULL;
    if (!ic)
        ic = state;
    double soc = 1.0, T = 298.15, Tref = 298.15, c0 = NAN;
    if (ic)
        SSB_CHECK(b->ctx, bnum(b, ic, "State", "Initial state-of-charge", 0, &soc));
    SSB_CHECK(b->ctx, bnum(b, cell, "Cell", "Reference temperature [K]", 0, &Tref));
    T = Tref;
    SSB_CHECK(b->ctx, bnum(b, cell, "Cell", "Initial temperature [K]", 0, &T));
    if (ic)
        SSB_CHECK(b->ctx, bnum(b, ic, "State", "Initial temperature [K]", 0, &T));
    SSB_CHECK(b->ctx, bnum(b, ely, "Electrolyte", "Initial concentration [mol.m-3]", 0, &c0));
    if (ic)
        SSB_CHECK(b->ctx, bnum(b, ic, "State", "Initial electrolyte concentration [mol.m-3]", 0, &c0));
    if (isnan(c0))
        return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: missing BPX initial electrolyte concentration", b->name);
    if (!(soc >= 0 && soc <= 1))
        return SSB_ERROR(b->ctx, SSB_ERR_RANGE, "%s: Initial state-of-charge = %g (valid 0 to 1)", b->name, soc);
    double area = NAN, pairs = 1, cap = NAN;
    SSB_CHECK(b->ctx, bnum(b, cell, "Cell", "Electrode area [m2]", 1, &area));
    SSB_CHECK(b->ctx,
              bnum(b, cell, "Cell", "Number of electrode pairs connected in parallel to make a cell", 0, &pairs));
    SSB_CHECK(b->ctx, bnum(b, cell, "Cell", "Nominal cell capacity [A.h]", 0, &cap));
    v->cell.T = T;
    v->cell.T_ref = Tref;
    v->cell.area = area * pairs;
    if (isfinite(cap))
        v->cell.nominal_capacity = ssb_unit_to_si(SSB_UNIT_AH_PER_M2, cap / (area * pairs)); /* Ah over the total area, in C/m2 */
    v->el.kind = SSB_CELL_LIQUID;
    v->el.c_ref = c0;
    SSB_CHECK(b->ctx, bnum(b, ely, "Electrolyte", "Cation transference number", 1, &v->el.t_plus));
    SSB_CHECK(b->ctx, bfn(b, ely, "Electrolyte", "Conductivity [S.m-1]", SSB_CELL_FN_KAPPA, 1, &v->el.kappa));
    SSB_CHECK(b->ctx, bfn(b, ely, "Electrolyte", "Diffusivity [m2.s-1]", SSB_CELL_FN_DIFF, 1, &v->el.D_e));
    SSB_CHECK(b->ctx, bnum(b, ely, "Electrolyte", "Conductivity activation energy [J.mol-1]", 0, &v->el.Ea_kappa));
    SSB_CHECK(b->ctx, bnum(b, ely, "Electrolyte", "Diffusivity activation energy [J.mol-1]", 0, &v->el.Ea_D));
    v->anode = SSB_CELL_ANODE_COMPOSITE;
    SSB_CHECK(b->ctx, bpx_electrode(b, cJSON_GetObjectItemCaseSensitive(par, "Negative electrode"),
                                    "Negative electrode", &v->neg, SSB_CELL_FN_OCV_NEG, SSB_CELL_FN_DS_NEG, soc, 0));
    SSB_CHECK(b->ctx, bpx_electrode(b, cJSON_GetObjectItemCaseSensitive(par, "Positive electrode"),
                                    "Positive electrode", &v->pos, SSB_CELL_FN_OCV_POS, SSB_CELL_FN_DS_POS, soc, 1));
    SSB_CHECK(b->ctx, bnum(b, sep, "Separator", "Thickness [m]", 1, &v->sep.thickness));
    SSB_CHECK(b->ctx, bnum(b, sep, "Separator", "Porosity", 1, &v->sep.eps_electrolyte));
    SSB_CHECK(b->ctx, bnum(b, sep, "Separator", "Transport efficiency", 1, &v->sep.transport_eff));
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(root, "Validation");
    if (cJSON_IsObject(val))
        SSB_CHECK(b->ctx, bpx_validation(b, val, area * pairs));
    const cJSON *ov = cJSON_GetObjectItemCaseSensitive(root, "ssbnet");
    if (ov) {
        if (!cJSON_IsObject(ov))
            return SSB_ERROR(b->ctx, SSB_ERR_FORMAT, "%s: \"ssbnet\" must be an object", b->name);
        char nm[512];
        snprintf(nm, sizeof nm, "%s (ssbnet block)", b->name);
        SSB_CHECK(b->ctx, ssbi_params_apply_json(b->ctx, db, ov, nm, p));
    }
    return SSB_OK;
}

int ssb_cell_params_from_bpx(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **out)
{
    SSB_REQUIRE(ctx, path && out, SSB_ERR_ARG, "ssb_cell_params_from_bpx: NULL argument");
    *out = NULL;
    char *text = NULL;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, "BPX file", SSBI_CELL_FILE_MAX_BYTES, &text));
    cJSON *root = NULL;
    int rc = ssbi_json_parse(ctx, text, path, &root);
    free(text);
    if (rc != SSB_OK)
        return rc;
    ssb_cell_params *p = NULL;
    rc = ssbi_params_alloc(ctx, &p);
    if (rc == SSB_OK) {
        bctx b = {.ctx = ctx, .name = path, .p = p};
        rc = bpx_apply(&b, db, root);
    }
    cJSON_Delete(root);
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(&p);
        return rc;
    }
    *out = p;
    return SSB_OK;
}

/* ---------------------------------------------------------------- physical bounds */

/* Values that pass the key ranges (> 0, finite) but make the model meaningless: products such as
 * c_max * F * thickness overflow, or the grid cannot fit in memory. NaN (not set) passes. */
static int phys(ssb_ctx *ctx, const char *key, double si, double lo, double hi, const char *unit_note)
{
    if (isnan(si) || (si >= lo && si <= hi))
        return SSB_OK;
    return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g %s is outside the range the model is meaningful for (%g to %g %s)",
                     key, si, unit_note, lo, hi, unit_note);
}

/* A length key in um (the value is held in m): message and range in the key's own unit. */
static int phys_um(ssb_ctx *ctx, const char *key, double si, double lo, double hi)
{
    if (isnan(si) || (si >= lo && si <= hi))
        return SSB_OK;
    return SSB_ERROR(ctx, SSB_ERR_RANGE, "%s = %g um is outside the range the model is meaningful for (%g to %g um)",
                     key, ssb_unit_from_si(SSB_UNIT_UM, si), ssb_unit_from_si(SSB_UNIT_UM, lo),
                     ssb_unit_from_si(SSB_UNIT_UM, hi));
}

static int phys_electrode(ssb_ctx *ctx, const ssb_cell_electrode *e, const char *s)
{
    char k[128];
#define PHYS(field, key, lo, hi, unit)                                                                                 \
    do {                                                                                                               \
        snprintf(k, sizeof k, "%s.%s", s, key);                                                                        \
        SSB_CHECK(ctx, phys(ctx, k, e->field, lo, hi, unit));                                                          \
    } while (0)
    /* densest lithium host is Li metal itself, 7.7e4 mol/m3: 1e6 leaves an order of magnitude */
    PHYS(c_max, "max_concentration_mol_per_m3", 0, SSBI_PHYS_CMAX, "mol/m3");
    snprintf(k, sizeof k, "%s.thickness_um", s);
    SSB_CHECK(ctx, phys_um(ctx, k, e->thickness, SSBI_PHYS_THICKNESS_MIN, SSBI_PHYS_THICKNESS));
    snprintf(k, sizeof k, "%s.particle_radius_um", s);
    SSB_CHECK(ctx, phys_um(ctx, k, e->particle_radius, 1e-10, 1e-3));
    PHYS(D_s, "diffusivity_m2_per_s", 1e-30, 1e3, "m2/s");
    PHYS(sigma_e, "electronic_conductivity_S_per_m", 0, SSBI_PHYS_SIGMA, "S/m");
    PHYS(sigma_e_eff, "effective_electronic_conductivity_S_per_m", 0, SSBI_PHYS_SIGMA, "S/m");
    PHYS(sigma_i, "ionic_conductivity_S_per_m", 0, SSBI_PHYS_SIGMA, "S/m");
    PHYS(sigma_i_eff, "effective_ionic_conductivity_S_per_m", 0, SSBI_PHYS_SIGMA, "S/m");
    PHYS(area_per_volume, "active_area_per_volume_per_m", 0, 1e12, "1/m");
    PHYS(Ea_kinetics, "activation_energy_kinetics_J_per_mol", 0, SSBI_PHYS_EA, "J/mol");
    PHYS(Ea_diffusion, "activation_energy_diffusion_J_per_mol", 0, SSBI_PHYS_EA, "J/mol");
    PHYS(rho_active, "density_active_kg_per_m3", 0, SSBI_PHYS_DENSITY, "kg/m3");
    PHYS(rho_electrolyte, "density_electrolyte_kg_per_m3", 0, SSBI_PHYS_DENSITY, "kg/m3");
    PHYS(rho_inert, "density_carbon_kg_per_m3", 0, SSBI_PHYS_DENSITY, "kg/m3");
#undef PHYS
    /* a composite electrode is at least one particle thick (issue 7: a 60 nm cathode of 5 um particles ran) */
    double t = e->thickness, d = 2.0 * e->particle_radius;
    SSB_REQUIRE(ctx, !(t < d), SSB_ERR_RANGE,
                "%s.thickness_um = %g is less than the particle diameter (%g um): no composite electrode is that thin "
                "(valid: >= %g)",
                s, t * 1e6, d * 1e6, d * 1e6);
    if (t < 5e-6 || t > 2e-3)
        ssbi_log(ctx, SSB_LOG_WARN, "cell", "%s.thickness_um = %g is outside the usual 5 to 2000 um", s, t * 1e6);
    if (d < 20e-9 || d > 100e-6)
        ssbi_log(ctx, SSB_LOG_WARN, "cell", "%s particle diameter %g um is outside the usual 0.02 to 100 um", s,
                 d * 1e6);
    return SSB_OK;
}

int ssbi_params_check_physical(ssb_ctx *ctx, const ssb_cell_values *v)
{
    SSB_CHECK(ctx, phys_electrode(ctx, &v->pos, "positive"));
    if (v->anode == SSB_CELL_ANODE_COMPOSITE)
        SSB_CHECK(ctx, phys_electrode(ctx, &v->neg, "negative"));
    else
        SSB_CHECK(ctx, phys_um(ctx, "negative.thickness_um", v->li.thickness, 0, SSBI_PHYS_THICKNESS));
    SSB_CHECK(ctx, phys_um(ctx, "separator.thickness_um", v->sep.thickness, SSBI_PHYS_THICKNESS_MIN, SSBI_PHYS_THICKNESS));
    SSB_CHECK(ctx, phys(ctx, "separator.ionic_conductivity_S_per_m", v->sep.sigma_i, 0, SSBI_PHYS_SIGMA, "S/m"));
    SSB_CHECK(ctx, phys(ctx, "separator.effective_ionic_conductivity_S_per_m", v->sep.sigma_i_eff, 0, SSBI_PHYS_SIGMA,
                        "S/m"));
    SSB_CHECK(ctx, phys(ctx, "electrolyte.concentration_mol_per_m3", v->el.c_ref, 0, SSBI_PHYS_CMAX, "mol/m3"));
    SSB_CHECK(ctx, phys(ctx, "electrolyte.conductivity_S_per_m", v->el.kappa, 0, SSBI_PHYS_SIGMA, "S/m"));
    SSB_CHECK(ctx, phys(ctx, "electrolyte.diffusivity_m2_per_s", v->el.D_e, 1e-30, 1e3, "m2/s"));
    SSB_CHECK(ctx, phys(ctx, "electrolyte.activation_energy_conductivity_J_per_mol", v->el.Ea_kappa, 0, SSBI_PHYS_EA,
                        "J/mol"));
    SSB_CHECK(ctx,
              phys(ctx, "electrolyte.activation_energy_diffusivity_J_per_mol", v->el.Ea_D, 0, SSBI_PHYS_EA, "J/mol"));
    SSB_CHECK(ctx, phys_um(ctx, "current_collectors.positive_thickness_um", v->cell.cc_pos_thickness, 0, SSBI_PHYS_THICKNESS));
    SSB_CHECK(ctx, phys_um(ctx, "current_collectors.negative_thickness_um", v->cell.cc_neg_thickness, 0, SSBI_PHYS_THICKNESS));
    SSB_CHECK(ctx, phys(ctx, "current_collectors.positive_density_kg_per_m3", v->cell.cc_pos_density, 0,
                        SSBI_PHYS_DENSITY, "kg/m3"));
    SSB_CHECK(ctx, phys(ctx, "current_collectors.negative_density_kg_per_m3", v->cell.cc_neg_density, 0,
                        SSBI_PHYS_DENSITY, "kg/m3"));
    SSB_CHECK(ctx, phys(ctx, "temperature_K", v->cell.T, SSBI_PHYS_TMIN, SSBI_PHYS_TMAX, "K"));
    SSB_CHECK(ctx, phys(ctx, "reference_temperature_K", v->cell.T_ref, SSBI_PHYS_TMIN, SSBI_PHYS_TMAX, "K"));
    /* grid size: cells per region, shells, and the unknowns (about SSBI_PHYS_BYTES_PER_UNKNOWN bytes each, measured
     * as the peak memory of a 1C run per unknown: 2000 x 100 cells took 100 MB) */
    SSB_REQUIRE(ctx,
                v->num.n_pos <= SSBI_PHYS_MAX_CELLS && v->num.n_sep <= SSBI_PHYS_MAX_CELLS &&
                    v->num.n_neg <= SSBI_PHYS_MAX_CELLS,
                SSB_ERR_RANGE, "numerics: cells per region must be 1 to %d (positive %d, separator %d, negative %d)",
                SSBI_PHYS_MAX_CELLS, v->num.n_pos, v->num.n_sep, v->num.n_neg);
    SSB_REQUIRE(ctx, v->num.n_r <= SSBI_PHYS_MAX_SHELLS, SSB_ERR_RANGE,
                "numerics.particle_cells = %d is out of range (2 to %d)", v->num.n_r, SSBI_PHYS_MAX_SHELLS);
    int nneg = v->anode == SSB_CELL_ANODE_COMPOSITE ? v->num.n_neg : 0;
    double unknowns = (double)(v->num.n_pos + nneg) * (v->num.n_r + 3) + 3.0 * v->num.n_sep + 2;
    SSB_REQUIRE(ctx, unknowns <= SSBI_PHYS_MAX_UNKNOWNS, SSB_ERR_RANGE,
                "numerics: %d positive + %d negative cells x %d particle cells = %.0f unknowns need about %.1f GB; "
                "at most %.0f unknowns (about %.1f GB) are allowed: reduce positive_cells, negative_cells or "
                "particle_cells",
                v->num.n_pos, nneg, v->num.n_r, unknowns, unknowns * SSBI_PHYS_BYTES_PER_UNKNOWN / 1e9,
                (double)SSBI_PHYS_MAX_UNKNOWNS, SSBI_PHYS_MAX_UNKNOWNS * SSBI_PHYS_BYTES_PER_UNKNOWN / 1e9);
    return SSB_OK;
}
