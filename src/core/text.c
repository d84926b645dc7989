/* Whole text files into memory, and line:column positions in them (for file:line:col messages). */
#include "core_impl.h"

#include "ssb_config.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ssbi_read_text(ssb_ctx *ctx, const char *path, const char *what, size_t max_bytes, char **text)
{
    *text = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = ssbi_malloc(ctx, cap, what);
    if (!buf) {
        fclose(fp);
        return SSB_ERR_NOMEM;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (max_bytes && cap > max_bytes) {
                free(buf);
                fclose(fp);
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s '%s' is larger than %zu bytes", what, path, max_bytes);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory reading %s '%s'", what, path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, fp);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot read %s '%s'", what, path);
    }
    if (max_bytes && n > max_bytes) {
        free(buf);
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s '%s' has %zu bytes (at most %zu expected)", what, path, n,
                         max_bytes);
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s '%s' contains NUL bytes (a binary file, not text)", what, path);
    }
    *text = buf;
    return SSB_OK;
}

void ssbi_text_line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; at && p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

int ssbi_json_parse(ssb_ctx *ctx, const char *text, const char *name, cJSON **root)
{
    const char *end = NULL;
    *root = cJSON_ParseWithOpts(text, &end, 0);
    if (!*root) {
        int line, col;
        ssbi_text_line_col(text, end, &line, &col);
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s:%d:%d: malformed JSON", name, line, col);
    }
    if (!cJSON_IsObject(*root)) {
        cJSON_Delete(*root);
        *root = NULL;
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "%s: the top level must be a JSON object", name);
    }
    return SSB_OK;
}

int ssbi_read_json(ssb_ctx *ctx, const char *path, const char *what, size_t max_bytes, cJSON **root)
{
    *root = NULL;
    char *text = NULL;
    SSB_CHECK(ctx, ssbi_read_text(ctx, path, what, max_bytes, &text));
    int rc = ssbi_json_parse(ctx, text, path, root);
    free(text);
    return rc;
}

int ssbi_data_file(ssb_ctx *ctx, const char *relpath, const char *what, char *buf, size_t n)
{
    char cand[4][4096];
    int nc = 0;
    const char *env = getenv("SSBNET_DATA_DIR");
    if (env && env[0]) {
        const char *base = strrchr(relpath, '/');
        snprintf(cand[nc++], sizeof cand[0], "%s/%s", env, relpath);
        snprintf(cand[nc++], sizeof cand[0], "%s/%s", env, base ? base + 1 : relpath);
    }
    snprintf(cand[nc++], sizeof cand[0], "%s/ssbnet/%s", SSB_INSTALL_DATADIR, relpath);
    snprintf(cand[nc++], sizeof cand[0], "%s/data/%s", SSB_SOURCE_DIR, relpath);
    for (int i = 0; i < nc; i++) {
        FILE *f = fopen(cand[i], "r");
        if (f) {
            fclose(f);
            SSB_REQUIRE(ctx, strlen(cand[i]) < n, SSB_ERR_RANGE, "path '%s' too long", cand[i]);
            memcpy(buf, cand[i], strlen(cand[i]) + 1);
            return SSB_OK;
        }
    }
    return SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "no %s found (tried %s and %s); set SSBNET_DATA_DIR", what, cand[0],
                     cand[nc - 1]);
}
