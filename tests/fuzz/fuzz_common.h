/* Shared helpers of the libFuzzer targets (tests/fuzz/README.md). Each target feeds one parser of untrusted input
 * through the public API; where the API takes a path, the input is written to a per-process temporary file first. */
#ifndef SSB_FUZZ_COMMON_H
#define SSB_FUZZ_COMMON_H

#include <ssbnet/ssb_core.h>

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One context per process, created on first use (the library never prints; no log sink is installed). */
static inline ssb_ctx *fz_ctx(void)
{
    static ssb_ctx *ctx = NULL;
    if (!ctx && ssb_ctx_create(&ctx) != SSB_OK) abort();
    return ctx;
}

static char fz_dir_buf[256];

/* At exit: remove the private directory and the files in it. */
static inline void fz_cleanup(void)
{
    DIR *d = opendir(fz_dir_buf);
    if (!d) return;
    char path[512];
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", fz_dir_buf, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(fz_dir_buf);
}

/* Private temporary directory of this process (created once, under $TMPDIR or /tmp; removed at exit). */
static inline const char *fz_dir(void)
{
    if (!fz_dir_buf[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fz_dir_buf, sizeof fz_dir_buf, "%s/ssbfuzz.XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(fz_dir_buf)) abort();
        atexit(fz_cleanup);
    }
    return fz_dir_buf;
}

/* Path dir/name (static ring of 4 buffers). */
static inline const char *fz_path(const char *name)
{
    static char buf[4][512];
    static int k = 0;
    char *p = buf[k++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", fz_dir(), name);
    return p;
}

/* Write data to dir/name (replacing it); returns the path. */
static inline const char *fz_write(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fz_path(name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();
    return path;
}

/* NUL-terminated copy of data (caller frees). Embedded NULs end the string early, as they would in a file. */
static inline char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
