/* Atomic output files: write PATH.tmp.XXXXXX next to PATH, rename it onto PATH on success, remove it on failure,
 * so that no partial output file is ever left. Shared by every module that writes files (io, cell, eis, report). */
#include "core_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int ssbi_atomic_open(ssb_ctx *ctx, ssbi_atomic *a, const char *path, int stream)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    SSB_REQUIRE(ctx, path && *path, SSB_ERR_ARG, "output path is empty");
    size_t len = strlen(path);
    a->path = ssbi_malloc(ctx, len + 1, "output path");
    a->tmp = ssbi_malloc(ctx, len + 16, "temporary path");
    if (a->tmp)
        a->tmp[0] = '\0';
    if (!a->path || !a->tmp) {
        ssbi_atomic_abort(a);
        return SSB_ERR_NOMEM;
    }
    memcpy(a->path, path, len + 1);
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t seed = ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
                    (uint64_t)(uintptr_t)a;
    int err = 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = mix64(seed + 0x9e3779b97f4a7c15ULL * (uint64_t)(attempt + 1));
        char suffix[7];
        for (int i = 0; i < 6; i++) {
            suffix[i] = alphabet[r % 62];
            r /= 62;
        }
        suffix[6] = '\0';
        snprintf(a->tmp, len + 16, "%s.tmp.%s", path, suffix);
        a->fd = open(a->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (a->fd >= 0)
            break;
        err = errno;
        if (err != EEXIST)
            break;
    }
    if (a->fd < 0) {
        free(a->path);
        free(a->tmp);
        memset(a, 0, sizeof *a);
        a->fd = -1;
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot create output file '%s': %s", path, strerror(err));
    }
    if (stream) {
        a->fp = fdopen(a->fd, "wb");
        if (!a->fp) {
            err = errno;
            ssbi_atomic_abort(a);
            return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open output file '%s': %s", path, strerror(err));
        }
        a->fd = -1;
    }
    return SSB_OK;
}

int ssbi_atomic_write(ssb_ctx *ctx, ssbi_atomic *a, const void *buf, size_t n)
{
    if (n == 0)
        return SSB_OK;
    if (fwrite(buf, 1, n, a->fp) != n)
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': %s", a->path, strerror(errno));
    return SSB_OK;
}

static void atomic_release(ssbi_atomic *a)
{
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
    a->fd = -1;
}

int ssbi_atomic_commit(ssb_ctx *ctx, ssbi_atomic *a)
{
    int bad = 0, err = 0;
    if (a->fp) {
        if (fflush(a->fp) != 0 || ferror(a->fp)) {
            bad = 1;
            err = errno;
        }
        if (fclose(a->fp) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        a->fp = NULL;
    }
    if (a->fd >= 0) {
        if (close(a->fd) != 0 && !bad) {
            bad = 1;
            err = errno;
        }
        a->fd = -1;
    }
    if (!bad && rename(a->tmp, a->path) != 0) {
        err = errno;
        unlink(a->tmp);
        int rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot rename '%s' onto '%s': %s", a->tmp, a->path, strerror(err));
        atomic_release(a);
        return rc;
    }
    if (bad) {
        unlink(a->tmp);
        int rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': %s", a->path, strerror(err));
        atomic_release(a);
        return rc;
    }
    atomic_release(a);
    return SSB_OK;
}

void ssbi_atomic_abort(ssbi_atomic *a)
{
    if (!a)
        return;
    if (a->fp)
        fclose(a->fp);
    if (a->fd >= 0)
        close(a->fd);
    if (a->tmp && a->tmp[0])
        unlink(a->tmp);
    atomic_release(a);
}
