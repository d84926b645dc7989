/* Private core helpers: error macros, logging, progress. Not installed. */
#ifndef SSB_CORE_IMPL_H
#define SSB_CORE_IMPL_H

#include <ssbnet/ssb_core.h>
#include "ssb_config.h"

#include <stdarg.h>
#include <stdio.h>

#if defined(__GNUC__)
#define SSBI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SSBI_PRINTF(a, b)
#endif

/* Record an error (message formatted like printf) and one trace frame; returns code. ctx may be NULL. */
int ssbi_error(ssb_ctx *ctx, int code, const char *file, int line, const char *func, const char *fmt, ...)
    SSBI_PRINTF(6, 7);
/* Append a trace frame for an error propagating through file:line func; returns code. */
int ssbi_trace(ssb_ctx *ctx, int code, const char *file, int line, const char *func);

/* Raise an error with a message: return SSB_ERROR(ctx, SSB_ERR_RANGE, "thickness_um = %g, must be > 0", t); */
#define SSB_ERROR(ctx, code, ...) ssbi_error((ctx), (code), __FILE__, __LINE__, __func__, __VA_ARGS__)

/* Propagate an error from a call, appending file:line:func to the trace. */
#define SSB_CHECK(ctx, call)                                                                       \
    do {                                                                                           \
        int ssbi_rc_ = (call);                                                                     \
        if (ssbi_rc_ != SSB_OK) return ssbi_trace((ctx), ssbi_rc_, __FILE__, __LINE__, __func__);  \
    } while (0)

/* Same, but jump to a cleanup label with rc set. */
#define SSB_CHECK_GOTO(ctx, rc, call, label)                                                       \
    do {                                                                                           \
        (rc) = (call);                                                                             \
        if ((rc) != SSB_OK) {                                                                      \
            ssbi_trace((ctx), (rc), __FILE__, __LINE__, __func__);                                 \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)

/* User-error check, always on. */
#define SSB_REQUIRE(ctx, cond, code, ...)                                                          \
    do {                                                                                           \
        if (!(cond)) return SSB_ERROR((ctx), (code), __VA_ARGS__);                                 \
    } while (0)

/* Internal invariant, debug builds only. */
#if SSB_DEBUG
#include <assert.h>
#define SSB_ASSERT(cond) assert(cond)
#else
#define SSB_ASSERT(cond) ((void)0)
#endif

/* Allocation that records SSB_ERR_NOMEM with the size in the context on failure. Returns NULL on failure. */
void *ssbi_malloc(ssb_ctx *ctx, size_t nbytes, const char *what);
void *ssbi_calloc(ssb_ctx *ctx, size_t n, size_t size, const char *what);
void ssbi_free(void *p);

/* Log through the context's sink, prefixed with the object name. */
void ssbi_log(ssb_ctx *ctx, ssb_log_level level, const char *object, const char *fmt, ...) SSBI_PRINTF(4, 5);

/* Report progress; returns SSB_ERR_CANCELLED (recorded in ctx) if the callback asks to stop, else SSB_OK. */
int ssbi_progress(ssb_ctx *ctx, const char *stage, double done, double total);
/* Resident set size of this process [bytes] from /proc/self/status (VmRSS), 0 if unavailable. */
int64_t ssbi_rss_bytes(void);

/* ---- atomic output files (src/core/atomic.c) ---- */
typedef struct {
    char *path; /* final path (owned copy) */
    char *tmp;  /* temporary path PATH.tmp.XXXXXX */
    int fd;     /* open descriptor (-1 when handed to a FILE or closed) */
    FILE *fp;   /* stream (when opened with stream = 1) */
} ssbi_atomic;

/* Create PATH.tmp.XXXXXX (mode 0666 & ~umask). stream = 1: also wrap it in a FILE (a->fp).
 * SSB_ERR_IO names the path and strerror on failure; nothing is created then. */
int ssbi_atomic_open(ssb_ctx *ctx, ssbi_atomic *a, const char *path, int stream);
/* Write n bytes to a->fp; SSB_ERR_IO naming the path on failure. */
int ssbi_atomic_write(ssb_ctx *ctx, ssbi_atomic *a, const void *buf, size_t n);
/* Flush and close the stream/descriptor (if still open) and rename the temporary onto PATH. On failure the
 * temporary is removed. Always releases a. */
int ssbi_atomic_commit(ssb_ctx *ctx, ssbi_atomic *a);
/* Close and remove the temporary (no-op after commit or on a zeroed struct). Releases a. */
void ssbi_atomic_abort(ssbi_atomic *a);

/* ---- text files (src/core/text.c) ---- */
/* Read a whole text file into *text (NUL-terminated, caller frees). what names the file in messages ("sidecar",
 * "materials file"). max_bytes > 0 caps the size. Errors: SSB_ERR_IO (cannot open or read), SSB_ERR_FORMAT (larger
 * than max_bytes, or NUL bytes: not a text file), SSB_ERR_NOMEM. */
int ssbi_read_text(ssb_ctx *ctx, const char *path, const char *what, size_t max_bytes, char **text);
/* 1-based line and column of position at in text (at NULL: 1:1). */
void ssbi_text_line_col(const char *text, const char *at, int *line, int *col);
/* Parse JSON text whose top level must be an object; name labels messages (file:line:col). *root: caller deletes.
 * Errors: SSB_ERR_FORMAT. */
struct cJSON;
int ssbi_json_parse(ssb_ctx *ctx, const char *text, const char *name, struct cJSON **root);
/* Read and parse a JSON file (ssbi_read_text + ssbi_json_parse). */
int ssbi_read_json(ssb_ctx *ctx, const char *path, const char *what, size_t max_bytes, struct cJSON **root);
/* Path of a built-in data file relpath ("iface/interfaces.json") into buf: $SSBNET_DATA_DIR/relpath, then
 * $SSBNET_DATA_DIR/<its base name>, the install data dir <datadir>/ssbnet/relpath, the source tree's data/relpath;
 * the first that opens. what names it in the message. Errors: SSB_ERR_NOTFOUND (naming the places tried),
 * SSB_ERR_RANGE (path longer than n). */
int ssbi_data_file(ssb_ctx *ctx, const char *relpath, const char *what, char *buf, size_t n);

/* Float to integer index without undefined behaviour: NaN gives lo, values outside [lo, hi] are clamped. */
static inline int64_t ssbi_clamp_i64(double x, int64_t lo, int64_t hi)
{
    if (!(x > (double)lo))
        return lo;
    if (!(x < (double)hi))
        return hi;
    return (int64_t)x;
}
/* Bound for unwrapped cell and bin indices (|index| below 2^52: exact in a double, no int64 overflow in sums). */
#define SSBI_INDEX_BOUND (INT64_C(1) << 52)

/* Threads to use for an OpenMP region (context setting or omp_get_max_threads()). */
int ssbi_threads(const ssb_ctx *ctx);

/* PCHIP (monotone cubic Hermite, Fritsch-Carlson) on sorted, distinct nodes x[0..n-1]: the slope at node i, all n
 * slopes, and the cubic Hermite value (and derivative, if dydx) at x in [xa, xb] from end values and slopes. */
double ssbi_pchip_slope(int n, const double *x, const double *y, int i);
void ssbi_pchip_slopes(int n, const double *x, const double *y, double *d);
double ssbi_hermite(double xa, double xb, double ya, double yb, double da, double db, double x, double *dydx);

#endif
