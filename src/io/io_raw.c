/* io: raw samples with a JSON sidecar (reader and uint8 writer), and the sidecar parser shared with .npy. */
#include "io_impl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SIDECAR_MAX_BYTES (16 * 1024 * 1024)
#define RAW_CHUNK_BYTES (8 * 1024 * 1024)
#define GRID_MAX_VOXELS (INT64_C(1) << 40)
#define GRID_MAX_DIM (INT64_C(1) << 24)

/* ---- sidecar ---- */

int ssbi_sidecar_find(const char *datapath, const char *explicit_path, char *out, size_t nout, char *tried,
                      size_t ntried)
{
    if (tried && ntried)
        tried[0] = '\0';
    if (strlen(datapath) + 6 > nout || (explicit_path && strlen(explicit_path) >= nout)) {
        /* a path that does not fit is not cut short (another file could answer to the cut name) */
        if (tried)
            snprintf(tried, ntried, "(a path longer than %zu bytes)", nout - 6);
        out[0] = '\0';
        return 0;
    }
    if (explicit_path) {
        snprintf(out, nout, "%s", explicit_path);
        if (tried)
            snprintf(tried, ntried, "'%s'", explicit_path);
        return access(explicit_path, F_OK) == 0;
    }
    snprintf(out, nout, "%s.json", datapath);
    if (tried)
        snprintf(tried, ntried, "'%s'", out);
    if (access(out, F_OK) == 0)
        return 1;
    const char *ext = ssbi_path_ext(datapath);
    if (ext) {
        size_t base = (size_t)(ext - datapath);
        if (base + 6 <= nout) {
            memcpy(out, datapath, base);
            memcpy(out + base, ".json", 6);
            if (tried) {
                size_t k = strlen(tried);
                snprintf(tried + k, ntried - k, " and '%s'", out);
            }
            if (access(out, F_OK) == 0)
                return 1;
        }
    }
    out[0] = '\0';
    return 0;
}

/* Read a whole small text file into a NUL-terminated buffer. */
static int slurp(ssb_ctx *ctx, const char *path, const char *what, char **text)
{
    *text = NULL;
    int64_t size;
    SSB_CHECK(ctx, ssbi_file_size(ctx, path, what, &size));
    SSB_REQUIRE(ctx, size <= SIDECAR_MAX_BYTES, SSB_ERR_FORMAT, "%s '%s' has %lld bytes (at most %d expected)", what,
                path, (long long)size, SIDECAR_MAX_BYTES);
    return ssbi_read_text(ctx, path, what, SIDECAR_MAX_BYTES, text);
}

/* Short printed form of a JSON value for messages, in buf. */
static const char *jshow(const cJSON *v, char *buf, size_t n)
{
    char *s = v ? cJSON_PrintUnformatted(v) : NULL;
    if (!s) {
        snprintf(buf, n, "(unprintable)");
        return buf;
    }
    if (strlen(s) >= n && n > 4) {
        memcpy(buf, s, n - 4);
        memcpy(buf + n - 4, "...", 4);
    } else {
        snprintf(buf, n, "%s", s);
    }
    cJSON_free(s);
    return buf;
}

/* Integer value of a JSON number within [lo, hi]; 0 if not an integer in range. */
static int jint(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
        return 0;
    *out = (int64_t)d;
    return 1;
}

static int parse_dims(ssb_ctx *ctx, const char *path, const cJSON *v, ssbi_sidecar *sc)
{
    char show[128];
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    SSB_REQUIRE(ctx, n == 2 || n == 3, SSB_ERR_FORMAT,
                "sidecar '%s': key 'dims' = %s is invalid (valid: [nx, ny, nz] or [nx, ny], integers >= 1, x "
                "fastest, i.e. the numpy C-order array (z, y, x) reversed)",
                path, jshow(v, show, sizeof show));
    sc->dims[2] = 1;
    for (int a = 0; a < n; a++)
        SSB_REQUIRE(ctx, jint(cJSON_GetArrayItem(v, a), 1, GRID_MAX_DIM, &sc->dims[a]), SSB_ERR_RANGE,
                    "sidecar '%s': key 'dims' = %s is invalid: entry %d must be an integer from 1 to %lld", path,
                    jshow(v, show, sizeof show), a, (long long)GRID_MAX_DIM);
    sc->have_dims = 1;
    return SSB_OK;
}

static int parse_vsize(ssb_ctx *ctx, const char *path, const cJSON *v, ssbi_sidecar *sc)
{
    char show[128];
    double h[3];
    if (cJSON_IsNumber(v)) {
        h[0] = h[1] = h[2] = v->valuedouble;
    } else {
        SSB_REQUIRE(ctx, cJSON_IsArray(v) && cJSON_GetArraySize(v) == 3, SSB_ERR_FORMAT,
                    "sidecar '%s': key 'voxel_size_um' = %s is invalid (valid: a number > 0 or [hx, hy, hz] in um)",
                    path, jshow(v, show, sizeof show));
        for (int a = 0; a < 3; a++) {
            const cJSON *e = cJSON_GetArrayItem(v, a);
            SSB_REQUIRE(ctx, cJSON_IsNumber(e), SSB_ERR_FORMAT,
                        "sidecar '%s': key 'voxel_size_um' = %s is invalid (valid: a number > 0 or [hx, hy, hz] in "
                        "um)",
                        path, jshow(v, show, sizeof show));
            h[a] = e->valuedouble;
        }
    }
    for (int a = 0; a < 3; a++) {
        SSB_REQUIRE(ctx, isfinite(h[a]) && h[a] > 0.0 && h[a] <= SSBI_VOXEL_UM_MAX, SSB_ERR_RANGE,
                    "sidecar '%s': key 'voxel_size_um' = %s is invalid (valid: above 0 to 1e6 um)", path,
                    jshow(v, show, sizeof show));
        sc->vsize[a] = h[a] * 1e-6;
    }
    sc->have_vsize = 1;
    return SSB_OK;
}

static int parse_key(ssb_ctx *ctx, const char *path, const cJSON *item, ssbi_sidecar *sc)
{
    char show[128];
    const char *key = item->string ? item->string : "";
    if (strcmp(key, "dims") == 0)
        return parse_dims(ctx, path, item, sc);
    if (strcmp(key, "voxel_size_um") == 0)
        return parse_vsize(ctx, path, item, sc);
    if (strcmp(key, "dtype") == 0) {
        if (cJSON_IsString(item))
            for (int i = 1; i < SSB_DTYPE_COUNT; i++)
                if (strcasecmp(item->valuestring, ssb_io_dtype_name((ssb_dtype)i)) == 0) {
                    sc->dtype = (ssb_dtype)i;
                    sc->have_dtype = 1;
                    return SSB_OK;
                }
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "sidecar '%s': key 'dtype' = %s is not supported (valid: \"uint8\", \"int8\", \"uint16\", "
                         "\"int16\", \"uint32\", \"int32\", \"uint64\", \"int64\", \"float32\", \"float64\", \"bool\")",
                         path, jshow(item, show, sizeof show));
    }
    if (strcmp(key, "endianness") == 0) {
        if (cJSON_IsString(item) &&
            (strcasecmp(item->valuestring, "little") == 0 || strcasecmp(item->valuestring, "big") == 0)) {
            sc->big_endian = strcasecmp(item->valuestring, "big") == 0;
            sc->have_endian = 1;
            return SSB_OK;
        }
        return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                         "sidecar '%s': key 'endianness' = %s is invalid (valid: \"little\" or \"big\")", path,
                         jshow(item, show, sizeof show));
    }
    if (strcmp(key, "header_bytes") == 0) {
        SSB_REQUIRE(ctx, jint(item, 0, INT64_C(1) << 50, &sc->header_bytes), SSB_ERR_RANGE,
                    "sidecar '%s': key 'header_bytes' = %s is invalid (valid: an integer >= 0)", path,
                    jshow(item, show, sizeof show));
        sc->have_header = 1;
        return SSB_OK;
    }
    static const char *ignored[] = {"order", "comment", "description", "generator", "phases"};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        if (strcmp(key, ignored[i]) == 0)
            return SSB_OK;
    if (key[0] == '_')
        return SSB_OK; /* a comment key */
    /* refused, not ignored: a misspelt "dtyp" or "voxelsize_um" would otherwise fall back silently */
    return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                     "sidecar '%s': unknown key '%s' (valid: dims, dtype, endianness, voxel_size_um, header_bytes; "
                     "order, comment, description, generator, phases and keys starting with '_' are ignored)",
                     path, key);
}

int ssbi_sidecar_read(ssb_ctx *ctx, const char *path, int layout, ssbi_sidecar *sc)
{
    memset(sc, 0, sizeof *sc);
    char *text = NULL;
    SSB_CHECK(ctx, slurp(ctx, path, "sidecar", &text));
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
    if (!root) {
        int line, col;
        ssbi_text_line_col(text, end, &line, &col);
        int rc =
            SSB_ERROR(ctx, SSB_ERR_FORMAT, "sidecar '%s': JSON syntax error at line %d, column %d", path, line, col);
        free(text);
        return rc;
    }
    free(text);
    int rc = SSB_OK;
    if (!cJSON_IsObject(root)) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "sidecar '%s': the top level is not a JSON object {...}", path);
    } else {
        for (const cJSON *it = root->child; it && rc == SSB_OK; it = it->next)
            rc = parse_key(ctx, path, it, sc);
    }
    if (rc == SSB_OK && layout) {
        if (!sc->have_dims)
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "sidecar '%s' has no key 'dims' (needed: [nx, ny, nz], integers >= 1, x fastest)", path);
        else if (!sc->have_dtype)
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "sidecar '%s' has no key 'dtype' (needed: one of uint8, int8, uint16, int16, uint32, int32, "
                           "uint64, int64, float32, float64, bool)",
                           path);
    }
    cJSON_Delete(root);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

int ssbi_sidecar_write(ssb_ctx *ctx, FILE *fp, const char *path, const ssb_grid *grid, const char *data_name)
{
    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(grid, n);
    ssb_grid_get_voxel_size(grid, h);
    const int raw = data_name == NULL;
    SSB_REQUIRE(ctx, n[0] <= INT_MAX && n[1] <= INT_MAX && n[2] <= INT_MAX, SSB_ERR_RANGE,
                "sidecar '%s': dims [%lld, %lld, %lld] exceed %d", path, (long long)n[0], (long long)n[1],
                (long long)n[2], INT_MAX);
    cJSON *root = cJSON_CreateObject();
    const int dims[3] = {(int)n[0], (int)n[1], (int)n[2]};
    const double hum[3] = {h[0] * 1e6, h[1] * 1e6, h[2] * 1e6};
    int ok = root != NULL;
    if (ok)
        ok = cJSON_AddItemToObject(root, "dims", cJSON_CreateIntArray(dims, 3));
    if (ok && raw)
        ok = cJSON_AddStringToObject(root, "dtype", "uint8") != NULL;
    if (ok && raw)
        ok = cJSON_AddStringToObject(root, "endianness", "little") != NULL;
    if (ok)
        ok = cJSON_AddItemToObject(root, "voxel_size_um", cJSON_CreateDoubleArray(hum, 3));
    if (ok && raw)
        ok = cJSON_AddNumberToObject(root, "header_bytes", 0) != NULL;
    if (ok && raw)
        ok = cJSON_AddStringToObject(root, "order",
                                     "x fastest: index = x + nx*(y + ny*z); "
                                     "numpy: np.fromfile(path, np.uint8).reshape(nz, ny, nx)") != NULL;
    if (ok && !raw)
        ok = cJSON_AddStringToObject(root, "description", data_name) != NULL;
    char gen[64];
    snprintf(gen, sizeof gen, "ssbnet %s", ssb_version());
    if (ok)
        ok = cJSON_AddStringToObject(root, "generator", gen) != NULL;
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory building the sidecar '%s'", path);
    size_t len = strlen(text);
    int bad = fwrite(text, 1, len, fp) != len || fputc('\n', fp) == EOF;
    cJSON_free(text);
    SSB_REQUIRE(ctx, !bad, SSB_ERR_IO, "cannot write sidecar '%s': %s", path, strerror(errno));
    return SSB_OK;
}

/* ---- raw reader ---- */

int ssbi_read_samples(ssb_ctx *ctx, FILE *fp, const char *path, const ssbi_mapper *m, int64_t nv, uint8_t *dst,
                      const char *stage)
{
    const size_t isz = ssb_io_dtype_size(m->dt);
    const int direct = (isz == 1);
    const int64_t chunk = RAW_CHUNK_BYTES / (int64_t)isz;
    uint8_t *buf = NULL;
    if (!direct) {
        buf = ssbi_malloc(ctx, (size_t)(chunk < nv ? chunk : nv) * isz, "read buffer");
        if (!buf)
            return SSB_ERR_NOMEM;
    }
    int rc = SSB_OK;
    for (int64_t done = 0; done < nv && rc == SSB_OK;) {
        const int64_t k = (nv - done < chunk) ? nv - done : chunk;
        void *to = direct ? (void *)(dst + done) : (void *)buf;
        if (fread(to, isz, (size_t)k, fp) != (size_t)k) {
            const int ioerr = ferror(fp);
            rc = SSB_ERROR(ctx, ioerr ? SSB_ERR_IO : SSB_ERR_FORMAT, "'%s': read failed at sample %lld of %lld (%s)",
                           path, (long long)done, (long long)nv, ioerr ? strerror(errno) : "unexpected end of file");
            break;
        }
        if (direct)
            rc = ssbi_mapper_apply_inplace8(ctx, m, dst + done, k, done);
        else
            rc = ssbi_mapper_apply(ctx, m, buf, k, dst + done, done);
        done += k;
        if (rc == SSB_OK)
            rc = ssbi_progress(ctx, stage, (double)done, (double)nv);
    }
    free(buf);
    return rc;
}

static int check_raw_params(ssb_ctx *ctx, const ssb_io_read_params *p, int *have_dims)
{
    *have_dims = 0;
    if (!p)
        return SSB_OK;
    const int64_t *d = p->raw_dims;
    if (d[0] || d[1] || d[2]) {
        for (int a = 0; a < 3; a++)
            SSB_REQUIRE(ctx, d[a] >= 1 && d[a] <= GRID_MAX_DIM, SSB_ERR_RANGE,
                        "raw_dims = [%lld, %lld, %lld] is invalid (valid: all three from 1 to %lld, or all 0 to take "
                        "them from the sidecar)",
                        (long long)d[0], (long long)d[1], (long long)d[2], (long long)GRID_MAX_DIM);
        *have_dims = 1;
    }
    SSB_REQUIRE(ctx, (int)p->raw_dtype >= 0 && p->raw_dtype < SSB_DTYPE_COUNT, SSB_ERR_ARG, "raw_dtype = %d is invalid",
                (int)p->raw_dtype);
    SSB_REQUIRE(ctx,
                p->raw_endian == SSB_ENDIAN_DEFAULT || p->raw_endian == SSB_ENDIAN_LITTLE ||
                    p->raw_endian == SSB_ENDIAN_BIG,
                SSB_ERR_ARG, "raw_endian = %d is invalid (valid: default, little, big)", (int)p->raw_endian);
    SSB_REQUIRE(ctx, p->raw_header_bytes >= -1, SSB_ERR_RANGE,
                "raw_header_bytes = %lld is invalid (valid: >= 0, or -1 to take it from the sidecar)",
                (long long)p->raw_header_bytes);
    return SSB_OK;
}

int ssb_io_read_raw(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_read_raw: NULL path or grid pointer");
    *grid = NULL;
    int64_t fsize;
    SSB_CHECK(ctx, ssbi_file_size(ctx, path, "raw image", &fsize));
    int have_pdims, have_ph;
    double ph[3];
    SSB_CHECK(ctx, check_raw_params(ctx, p, &have_pdims));
    SSB_CHECK(ctx, ssbi_params_voxel_size(ctx, p, &have_ph, ph));

    /* Layout: sidecar first, then params on top. */
    const int layout_in_params = have_pdims && p->raw_dtype != SSB_DTYPE_NONE;
    char scpath[4096], tried[8300];
    ssbi_sidecar sc;
    memset(&sc, 0, sizeof sc);
    int found = ssbi_sidecar_find(path, p ? p->sidecar : NULL, scpath, sizeof scpath, tried, sizeof tried);
    if (!found && (p && p->sidecar))
        return SSB_ERROR(ctx, SSB_ERR_IO, "sidecar %s of raw image '%s' does not exist", tried, path);
    if (!found && !layout_in_params)
        return SSB_ERROR(ctx, SSB_ERR_IO,
                         "raw image '%s' has no sidecar (tried %s): write one with the keys dims [nx, ny, nz], dtype, "
                         "endianness, voxel_size_um, or give the layout (dims and dtype) in the parameters%s",
                         path, tried,
                         have_pdims ? " (the dims are given, the dtype is not)"
                         : p && p->raw_dtype != SSB_DTYPE_NONE ? " (the dtype is given, the dims are not)"
                                                               : "");
    if (found)
        SSB_CHECK(ctx, ssbi_sidecar_read(ctx, scpath, 0, &sc));
    int64_t dims[3];
    ssb_dtype dt = sc.dtype;
    int big = sc.have_endian ? sc.big_endian : 0;
    int64_t hdr = sc.have_header ? sc.header_bytes : 0;
    memcpy(dims, sc.dims, sizeof dims);
    if (have_pdims)
        memcpy(dims, p->raw_dims, sizeof dims);
    if (p && p->raw_dtype != SSB_DTYPE_NONE)
        dt = p->raw_dtype;
    if (p && p->raw_endian != SSB_ENDIAN_DEFAULT)
        big = p->raw_endian == SSB_ENDIAN_BIG;
    if (p && p->raw_header_bytes >= 0)
        hdr = p->raw_header_bytes;
    SSB_REQUIRE(ctx, have_pdims || sc.have_dims, SSB_ERR_FORMAT,
                "sidecar '%s' of raw image '%s' has no key 'dims' (needed: [nx, ny, nz], integers >= 1, x fastest)",
                scpath, path);
    SSB_REQUIRE(ctx, dt != SSB_DTYPE_NONE, SSB_ERR_FORMAT,
                "sidecar '%s' of raw image '%s' has no key 'dtype' (needed: one of uint8, int8, uint16, int16, "
                "uint32, int32, uint64, int64, float32, float64, bool)",
                scpath, path);

    /* Size check. */
    const int64_t nxy = dims[0] * dims[1];
    SSB_REQUIRE(ctx, dims[2] <= GRID_MAX_VOXELS / nxy, SSB_ERR_RANGE,
                "raw image '%s': dims [%lld, %lld, %lld] exceed %lld voxels", path, (long long)dims[0],
                (long long)dims[1], (long long)dims[2], (long long)GRID_MAX_VOXELS);
    const int64_t nv = nxy * dims[2];
    const size_t isz = ssb_io_dtype_size(dt);
    const int64_t expected = hdr + nv * (int64_t)isz;
    if (fsize != expected)
        return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                         "raw image '%s' has %lld bytes but expected %lld bytes (dims [%lld, %lld, %lld] x %s, %zu "
                         "byte%s each, + header %lld): the file is %s",
                         path, (long long)fsize, (long long)expected, (long long)dims[0], (long long)dims[1],
                         (long long)dims[2], ssb_io_dtype_name(dt), isz, isz == 1 ? "" : "s", (long long)hdr,
                         fsize < expected ? "truncated or the layout is wrong" : "longer than the layout says");

    double h[3] = {1e-6, 1e-6, 1e-6};
    ssb_io_vsize_source src = SSB_IO_VSIZE_DEFAULT;
    if (have_ph) {
        memcpy(h, ph, sizeof h);
        src = SSB_IO_VSIZE_PARAMS;
    } else if (sc.have_vsize) {
        memcpy(h, sc.vsize, sizeof h);
        src = SSB_IO_VSIZE_SIDECAR;
    }
    ssb_grid *g = NULL;
    int64_t z0, nzs;
    SSB_CHECK(ctx, ssbi_params_slab(ctx, p, path, dims[2], &z0, &nzs));
    SSB_CHECK(ctx, ssbi_check_image_memory(ctx, path, dims[0], dims[1], nzs));
    SSB_CHECK(ctx, ssb_grid_create(ctx, dims[0], dims[1], nzs, h[0], h[1], h[2], &g));
    ssbi_mapper m;
    int rc = ssbi_mapper_init(ctx, &m, p, dt, isz > 1 && big != ssbi_host_big_endian(), path, dims);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot open raw image '%s': %s", path, strerror(errno));
        goto out;
    }
    const int64_t skip = z0 * dims[0] * dims[1];
    if ((hdr > 0 || skip > 0) && fseeko(fp, (off_t)(hdr + skip * (int64_t)isz), SEEK_SET) != 0) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot seek to plane %lld (past %lld header bytes) of '%s': %s",
                       (long long)z0, (long long)hdr, path, strerror(errno));
        goto out;
    }
    m.first_offset = skip;
    rc = ssbi_read_samples(ctx, fp, path, &m, nzs * dims[0] * dims[1], ssb_grid_get_labels(g), "read raw");
out:
    if (fp)
        fclose(fp);
    ssbi_mapper_destroy(&m);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    if (p && p->info) {
        memset(p->info, 0, sizeof *p->info);
        ssbi_info_set(p->info, SSB_IO_FORMAT_RAW, dt, (int)isz * 8, g, src);
        ssbi_info_set_slab(p->info, dims, z0);
        p->info->big_endian = big;
        if (sc.have_vsize)
            memcpy(p->info->file_voxel_size, sc.vsize, sizeof sc.vsize);
        if (found)
            snprintf(p->info->sidecar, sizeof p->info->sidecar, "%s", scpath);
    }
    *grid = g;
    return SSB_OK;
}

/* ---- raw writer ---- */

int ssb_io_write_raw(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p)
{
    (void)p;
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_write_raw: NULL path or grid");
    size_t len = strlen(path);
    char *scpath = ssbi_malloc(ctx, len + 6, "sidecar path");
    if (!scpath)
        return SSB_ERR_NOMEM;
    snprintf(scpath, len + 6, "%s.json", path);
    ssbi_atomic data, side;
    memset(&side, 0, sizeof side);
    side.fd = -1;
    int rc = ssbi_atomic_open(ctx, &data, path, 1);
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_atomic_open(ctx, &side, scpath, 1);
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_atomic_write(ctx, &data, ssb_grid_get_labels_const(grid), (size_t)ssb_grid_get_nvoxels(grid));
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_sidecar_write(ctx, side.fp, scpath, grid, NULL);
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_atomic_commit(ctx, &side);
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_atomic_commit(ctx, &data);
    if (rc != SSB_OK) {
        unlink(scpath); /* the data did not arrive: take the sidecar back */
        goto fail;
    }
    free(scpath);
    return SSB_OK;
fail:
    ssbi_atomic_abort(&data);
    ssbi_atomic_abort(&side);
    free(scpath);
    return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
}
