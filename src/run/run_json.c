/* run: the cell file's "microstructure" and "run" blocks -> ssb_run_params (ssb_run.h). */
#include "run_impl.h"

#include "cell/cell_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the cell model's limit on a cell file (cell_json.c) */
#define SSBI_RUN_CELL_FILE_MAX_BYTES ((size_t)1 << 28)

static const char *const micro_keys[] = {
    "enabled", "image",          "size_voxels", "through_plane_voxels", "voxel_size_um",
    "seed",    "cam_gsd",        "carbon",      "carbon_diameter_um",   "pore_diameter_um",
    "overlap", "marching_cubes",
    /* electrode architecture (issue 12) */
    "se_diameter_um", "channel_fraction", "channel_diameter_um", "carbon_shape", "fibre_length_um",
    "cam_small_fraction", "cam_small_diameter_um", "cam_gradient",
    /* issue 14 */
    "diffusion_length", NULL};
static const char *const run_keys[] = {"rates_C", "cutoff_V", "interface_ageing_h", NULL};

static int check_keys(ssb_ctx *ctx, const char *name, const cJSON *obj, const char *sect, const char *const *valid)
{
    SSB_REQUIRE(ctx, cJSON_IsObject(obj), SSB_ERR_FORMAT, "%s: '%s' must be an object", name, sect);
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int ok = 0;
        for (int i = 0; valid[i]; i++)
            ok |= strcmp(it->string, valid[i]) == 0;
        if (ok)
            continue;
        char list[512] = "";
        size_t len = 0;
        for (int i = 0; valid[i] && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", valid[i]);
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: unknown key '%s.%s' (valid: %s)", name, sect, it->string, list);
    }
    return SSB_OK;
}

/* A number in [lo, hi] times scale into *out; absent: unchanged. */
static int num_key(ssb_ctx *ctx, const char *name, const cJSON *obj, const char *sect, const char *key, double lo,
                   double hi, double scale, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return SSB_OK;
    SSB_REQUIRE(ctx, cJSON_IsNumber(v), SSB_ERR_FORMAT, "%s: %s.%s must be a number", name, sect, key);
    SSB_REQUIRE(ctx, isfinite(v->valuedouble) && v->valuedouble >= lo && v->valuedouble <= hi, SSB_ERR_RANGE,
                "%s: %s.%s = %g is out of range (valid: %g to %g)", name, sect, key, v->valuedouble, lo, hi);
    *out = v->valuedouble * scale;
    return SSB_OK;
}

static int int_key(ssb_ctx *ctx, const char *name, const cJSON *obj, const char *sect, const char *key, double lo,
                   double hi, int64_t *out)
{
    double d = NAN;
    SSB_CHECK(ctx, num_key(ctx, name, obj, sect, key, lo, hi, 1.0, &d));
    if (isnan(d))
        return SSB_OK;
    SSB_REQUIRE(ctx, d == floor(d), SSB_ERR_RANGE, "%s: %s.%s = %g must be a whole number", name, sect, key, d);
    *out = (int64_t)d;
    return SSB_OK;
}

static int bool_key(ssb_ctx *ctx, const char *name, const cJSON *obj, const char *sect, const char *key, int *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return SSB_OK;
    SSB_REQUIRE(ctx, cJSON_IsBool(v), SSB_ERR_FORMAT, "%s: %s.%s must be true or false", name, sect, key);
    *out = cJSON_IsTrue(v);
    return SSB_OK;
}

static int str_key(ssb_ctx *ctx, const char *name, const cJSON *obj, const char *sect, const char *key, char *out,
                   size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return SSB_OK;
    SSB_REQUIRE(ctx, cJSON_IsString(v) && v->valuestring[0], SSB_ERR_FORMAT, "%s: %s.%s must be a non-empty string",
                name, sect, key);
    SSB_REQUIRE(ctx, strlen(v->valuestring) < n, SSB_ERR_RANGE, "%s: %s.%s is longer than %zu characters", name, sect,
                key, n - 1);
    snprintf(out, n, "%s", v->valuestring);
    return SSB_OK;
}

/* The electrode-architecture keys (issue 12). */
static int read_micro_arch(ssb_ctx *ctx, const char *name, const cJSON *m, ssb_run_params *p)
{
    const char *s = "microstructure";
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "se_diameter_um", 0, 100, 1e-6, &p->se_diameter));
    SSB_REQUIRE(ctx, p->se_diameter == 0 || p->se_diameter >= 1e-7, SSB_ERR_RANGE,
                "%s: microstructure.se_diameter_um = %g is out of range (0 = the SE is the matrix, or 0.1 to 100)", name,
                p->se_diameter * 1e6);
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "channel_fraction", 0, 0.5, 1.0, &p->channel_fraction));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "channel_diameter_um", 0.1, 1000, 1e-6, &p->channel_diameter));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "carbon_shape");
    if (v) {
        SSB_REQUIRE(ctx, cJSON_IsString(v), SSB_ERR_FORMAT, "%s: microstructure.carbon_shape must be a string", name);
        if (strcmp(v->valuestring, "sphere") == 0)
            p->carbon_shape = SSB_MICRO_PARTICLE_SPHERE;
        else if (strcmp(v->valuestring, "fibre") == 0 || strcmp(v->valuestring, "fiber") == 0)
            p->carbon_shape = SSB_MICRO_PARTICLE_FIBRE;
        else
            return SSB_ERROR(ctx, SSB_ERR_ARG, "%s: microstructure.carbon_shape = '%s' is invalid (valid: sphere, fibre)",
                             name, v->valuestring);
    }
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "fibre_length_um", 0.1, 1000, 1e-6, &p->fibre_length));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "cam_small_fraction", 0, 0.95, 1.0, &p->cam_small_fraction));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "cam_small_diameter_um", 0.1, 1000, 1e-6, &p->cam_small_diameter));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "cam_gradient", -1, 1, 1.0, &p->cam_gradient));
    return SSB_OK;
}

static int read_micro(ssb_ctx *ctx, const char *name, const cJSON *m, ssb_run_params *p)
{
    const char *s = "microstructure";
    SSB_CHECK(ctx, check_keys(ctx, name, m, s, micro_keys));
    SSB_CHECK(ctx, bool_key(ctx, name, m, s, "enabled", &p->micro));
    SSB_CHECK(ctx, str_key(ctx, name, m, s, "image", p->image_file, sizeof p->image_file));
    SSB_CHECK(ctx, int_key(ctx, name, m, s, "size_voxels", 16, 1024, &p->cross_section));
    SSB_CHECK(ctx, int_key(ctx, name, m, s, "through_plane_voxels", 0, 4096, &p->through_plane));
    SSB_REQUIRE(ctx, p->through_plane == 0 || p->through_plane >= 4, SSB_ERR_RANGE,
                "%s: microstructure.through_plane_voxels = %lld is out of range (0 = from the thickness, or 4 to "
                "4096)",
                name, (long long)p->through_plane);
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "voxel_size_um", 0, 100, 1e-6, &p->voxel_size));
    int64_t seed = (int64_t)p->seed;
    SSB_CHECK(ctx, int_key(ctx, name, m, s, "seed", 0, 9.007199254740992e15, &seed));
    p->seed = (uint64_t)seed;
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "cam_gsd", 1, 3, 1.0, &p->cam_gsd));
    SSB_CHECK(ctx, str_key(ctx, name, m, s, "carbon", p->carbon, sizeof p->carbon));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "carbon_diameter_um", 1e-3, 1e3, 1e-6, &p->carbon_diameter));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "pore_diameter_um", 1e-3, 1e3, 1e-6, &p->pore_diameter));
    SSB_CHECK(ctx, num_key(ctx, name, m, s, "overlap", 0, 0.9, 1.0, &p->overlap));
    SSB_CHECK(ctx, bool_key(ctx, name, m, s, "marching_cubes", &p->marching_cubes));
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(m, "diffusion_length");
    if (dl) {
        SSB_REQUIRE(ctx, cJSON_IsString(dl), SSB_ERR_FORMAT, "%s: microstructure.diffusion_length must be a string",
                    name);
        if (strcmp(dl->valuestring, "particle") == 0)
            p->diffusion_paths = 0;
        else if (strcmp(dl->valuestring, "insertion_paths") == 0)
            p->diffusion_paths = 1;
        else
            return SSB_ERROR(ctx, SSB_ERR_ARG,
                             "%s: microstructure.diffusion_length = '%s' is invalid (valid: particle, insertion_paths)",
                             name, dl->valuestring);
    }
    return read_micro_arch(ctx, name, m, p);
}

static int read_run(ssb_ctx *ctx, const char *name, const cJSON *r, ssb_run_params *p)
{
    SSB_CHECK(ctx, check_keys(ctx, name, r, "run", run_keys));
    SSB_CHECK(ctx, num_key(ctx, name, r, "run", "cutoff_V", 0.5, 6, 1.0, &p->cutoff));
    SSB_CHECK(ctx, num_key(ctx, name, r, "run", "interface_ageing_h", 0, 1e6, 1.0, &p->iface_hours));
    const cJSON *rates = cJSON_GetObjectItemCaseSensitive(r, "rates_C");
    if (!rates)
        return SSB_OK;
    int n = cJSON_GetArraySize(rates);
    SSB_REQUIRE(ctx, cJSON_IsArray(rates) && n >= 1 && n <= SSB_RUN_MAX_RATES, SSB_ERR_FORMAT,
                "%s: run.rates_C must be an array of 1 to %d C-rates", name, SSB_RUN_MAX_RATES);
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(rates, i);
        SSB_REQUIRE(ctx, cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble <= 100, SSB_ERR_RANGE,
                    "%s: run.rates_C[%d] = %g must be a C-rate in (0, 100]", name, i,
                    cJSON_IsNumber(v) ? v->valuedouble : NAN);
        p->rates[i] = v->valuedouble;
    }
    p->nrates = n;
    return SSB_OK;
}

/* The run's blocks of a parsed cell file (the tree is only read) on top of *p (unchanged on error). */
static int params_from_tree(ssb_ctx *ctx, const cJSON *root, const char *name, ssb_run_params *p)
{
    ssb_run_params q = *p; /* p unchanged on error */
    int rc = SSB_OK;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "microstructure");
    if (m)
        rc = read_micro(ctx, name, m, &q);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "run");
    if (rc == SSB_OK && r)
        rc = read_run(ctx, name, r, &q);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    *p = q;
    return SSB_OK;
}

int ssb_run_params_from_json_string(ssb_ctx *ctx, const char *text, const char *name, ssb_run_params *p)
{
    SSB_REQUIRE(ctx, text && p, SSB_ERR_ARG, "ssb_run_params_from_json_string: NULL argument");
    if (!name)
        name = "cell file";
    cJSON *root = NULL;
    SSB_CHECK(ctx, ssbi_json_parse(ctx, text, name, &root));
    int rc = params_from_tree(ctx, root, name, p);
    cJSON_Delete(root);
    return rc;
}

int ssb_run_load_string(ssb_ctx *ctx, const ssb_materials *db, const char *text, const char *name,
                        ssb_cell_params **cell, ssb_run_params *rp)
{
    SSB_REQUIRE(ctx, text && cell && rp, SSB_ERR_ARG, "ssb_run_load_string: NULL argument");
    *cell = NULL;
    if (!name)
        name = "cell file";
    /* one parse: the same tree feeds the cell model's reader and the run's */
    cJSON *root = NULL;
    SSB_CHECK(ctx, ssbi_json_parse(ctx, text, name, &root));
    ssb_cell_params *c = NULL;
    ssb_run_params q = *rp;
    int rc = ssbi_params_alloc(ctx, &c);
    if (rc == SSB_OK)
        rc = ssbi_params_apply_json(ctx, db, root, name, c);
    if (rc == SSB_OK)
        rc = params_from_tree(ctx, root, name, &q);
    cJSON_Delete(root);
    if (rc != SSB_OK) {
        ssb_cell_params_destroy(&c);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *cell = c;
    *rp = q;
    return SSB_OK;
}

int ssb_run_load(ssb_ctx *ctx, const ssb_materials *db, const char *path, ssb_cell_params **cell, ssb_run_params *rp)
{
    SSB_REQUIRE(ctx, path && cell && rp, SSB_ERR_ARG, "ssb_run_load: NULL argument");
    *cell = NULL;
    char *text = NULL;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, "cell file", SSBI_RUN_CELL_FILE_MAX_BYTES, &text));
    int rc = ssb_run_load_string(ctx, db, text, path, cell, rp);
    free(text);
    return rc;
}
