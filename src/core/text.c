/* Whole text files into memory, and line:column positions in them (for file:line:col messages). */
#include "core_impl.h"

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
