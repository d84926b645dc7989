/* Core: error table, context, logging, progress, RNG. */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (see ssbi_malloc) */
#endif
#include "core_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif
#if defined(__linux__)
#include <stdint.h>
#include <sys/mman.h>
#endif

#define SSBI_MSG_MAX 2048
#define SSBI_TRACE_MAX 4096

struct ssb_ctx {
    int err_code;
    char err_msg[SSBI_MSG_MAX];
    char trace[SSBI_TRACE_MAX];
    size_t trace_len;
    ssb_log_fn log_fn;
    void *log_user;
    ssb_log_level log_max;
    ssb_progress_fn progress_fn;
    void *progress_user;
    int nthreads;
};

typedef struct {
    int code;
    const char *name;
    const char *msg;
} ssbi_errinfo;

static const ssbi_errinfo errtable[] = {
#define SSB_X_ROW(name, value, msg) {value, #name, msg},
    SSB_ERR_CODE_LIST(SSB_X_ROW)
#undef SSB_X_ROW
};

const char *ssb_errcode_message(int code)
{
    for (size_t i = 0; i < sizeof errtable / sizeof errtable[0]; i++)
        if (errtable[i].code == code) return errtable[i].msg;
    return "unknown error code";
}

const char *ssb_errcode_name(int code)
{
    for (size_t i = 0; i < sizeof errtable / sizeof errtable[0]; i++)
        if (errtable[i].code == code) return errtable[i].name;
    return "SSB_ERR_UNKNOWN";
}

const char *ssb_version(void) { return SSB_VERSION_STRING; }

const char *ssb_backends(void)
{
    return "gmg"
#if SSB_HAVE_HYPRE
           ",hypre"
#endif
#if SSB_HAVE_OPENMP
           ",openmp"
#endif
#if SSB_HAVE_TIFF
           ",libtiff"
#endif
        ;
}

int ssb_ctx_create(ssb_ctx **ctx)
{
    if (!ctx) return SSB_ERR_ARG;
    *ctx = calloc(1, sizeof **ctx);
    if (!*ctx) return SSB_ERR_NOMEM;
    (*ctx)->log_max = SSB_LOG_INFO;
    return SSB_OK;
}

void ssb_ctx_destroy(ssb_ctx **ctx)
{
    if (!ctx || !*ctx) return;
    free(*ctx);
    *ctx = NULL;
}

void ssb_ctx_set_log(ssb_ctx *ctx, ssb_log_fn fn, void *user, ssb_log_level max_level)
{
    if (!ctx) return;
    ctx->log_fn = fn;
    ctx->log_user = user;
    ctx->log_max = max_level;
}

void ssb_ctx_set_progress(ssb_ctx *ctx, ssb_progress_fn fn, void *user)
{
    if (!ctx) return;
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

void ssb_ctx_get_progress(const ssb_ctx *ctx, ssb_progress_fn *fn, void **user)
{
    if (fn) *fn = ctx ? ctx->progress_fn : NULL;
    if (user) *user = ctx ? ctx->progress_user : NULL;
}

void ssb_ctx_set_threads(ssb_ctx *ctx, int nthreads)
{
    if (ctx) ctx->nthreads = nthreads > 0 ? nthreads : 0;
}

int ssb_ctx_get_threads(const ssb_ctx *ctx) { return ctx ? ctx->nthreads : 0; }

int ssbi_threads(const ssb_ctx *ctx)
{
    if (ctx && ctx->nthreads > 0) return ctx->nthreads;
#if SSB_HAVE_OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int ssb_ctx_get_error_code(const ssb_ctx *ctx) { return ctx ? ctx->err_code : SSB_OK; }
const char *ssb_ctx_get_error(const ssb_ctx *ctx) { return ctx ? ctx->err_msg : ""; }
const char *ssb_ctx_get_trace(const ssb_ctx *ctx) { return ctx ? ctx->trace : ""; }

void ssb_ctx_clear_error(ssb_ctx *ctx)
{
    if (!ctx) return;
    ctx->err_code = SSB_OK;
    ctx->err_msg[0] = '\0';
    ctx->trace[0] = '\0';
    ctx->trace_len = 0;
}

static void trace_append(ssb_ctx *ctx, const char *file, int line, const char *func)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    if (ctx->trace_len >= SSBI_TRACE_MAX - 1) return;
    int n = snprintf(ctx->trace + ctx->trace_len, SSBI_TRACE_MAX - ctx->trace_len, "%s:%d %s\n", base, line, func);
    if (n > 0) {
        ctx->trace_len += (size_t)n;
        if (ctx->trace_len > SSBI_TRACE_MAX - 1) ctx->trace_len = SSBI_TRACE_MAX - 1;
    }
}

int ssbi_error(ssb_ctx *ctx, int code, const char *file, int line, const char *func, const char *fmt, ...)
{
    if (!ctx) return code;
    ssb_ctx_clear_error(ctx);
    ctx->err_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err_msg, sizeof ctx->err_msg, fmt, ap);
    va_end(ap);
    trace_append(ctx, file, line, func);
    return code;
}

int ssbi_trace(ssb_ctx *ctx, int code, const char *file, int line, const char *func)
{
    if (!ctx) return code;
    if (ctx->err_code == SSB_OK) {
        /* A code arrived without a message (e.g. from a backend): record the generic text. */
        ctx->err_code = code;
        snprintf(ctx->err_msg, sizeof ctx->err_msg, "%s", ssb_errcode_message(code));
    }
    trace_append(ctx, file, line, func);
    return code;
}

/* Large blocks (>= SSBI_HUGE_MIN) are advised for transparent huge pages (Linux, where the system's THP mode is
 * "madvise", the Debian default): the 2 MiB-aligned interior of the block, before its first touch. A first touch
 * costs a page fault per 4 KiB page otherwise: on the shared test machine (a paravirtualised guest) 13-17 s for
 * 4 GiB against 0.4-2.0 s with huge pages (bench/pagefault.c). The 500^3 three-axes transport ran 25.5-28.6 s
 * instead of 32.7-33.3 s (1.02e6 -> 0.05e6 minor faults) with glibc's THP tunable (GLIBC_TUNABLES=
 * glibc.malloc.hugetlb=1); this advice, with the gmg's pooled coarse rows, does the same for the library's arrays
 * without an environment variable: 1.6e4 faults, 23.8 s against 28.4 s (lead, 2026-12-04). Two earlier attempts
 * (advice on the solver arrays only, blocks >= 16 MiB) left the front end's and the set-up's first touches in
 * 4 KiB pages and showed no gain. The memory stays ordinary malloc memory (free()). */
#define SSBI_HUGE_MIN ((size_t)4 << 20)
#define SSBI_HUGE_PAGE ((size_t)2 << 20)
static void advise_huge(void *p, size_t nbytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (!p || nbytes < SSBI_HUGE_MIN) return;
    const uintptr_t a = ((uintptr_t)p + SSBI_HUGE_PAGE - 1) & ~(uintptr_t)(SSBI_HUGE_PAGE - 1);
    const uintptr_t b = ((uintptr_t)p + nbytes) & ~(uintptr_t)(SSBI_HUGE_PAGE - 1);
    if (b > a) (void)madvise((void *)a, (size_t)(b - a), MADV_HUGEPAGE); /* advice only: failure changes nothing */
#else
    (void)p;
    (void)nbytes;
#endif
}

void *ssbi_malloc(ssb_ctx *ctx, size_t nbytes, const char *what)
{
    void *p = malloc(nbytes ? nbytes : 1);
    advise_huge(p, nbytes);
    if (!p)
        ssbi_error(ctx, SSB_ERR_NOMEM, __FILE__, __LINE__, __func__, "out of memory allocating %zu bytes for %s",
                   nbytes, what ? what : "data");
    return p;
}

void *ssbi_calloc(ssb_ctx *ctx, size_t n, size_t size, const char *what)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p && n > 0 && size > 0 && n <= SIZE_MAX / size) advise_huge(p, n * size); /* calloc's large blocks are
                                                                                  * fresh, untouched mappings */
    if (!p)
        ssbi_error(ctx, SSB_ERR_NOMEM, __FILE__, __LINE__, __func__,
                   "out of memory allocating %zu x %zu bytes for %s", n, size, what ? what : "data");
    return p;
}

void ssbi_free(void *p) { free(p); }

void ssbi_log(ssb_ctx *ctx, ssb_log_level level, const char *object, const char *fmt, ...)
{
    if (!ctx || !ctx->log_fn || level > ctx->log_max) return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->log_fn(ctx->log_user, level, object ? object : "ssbnet", buf);
}

int ssbi_progress(ssb_ctx *ctx, const char *stage, double done, double total)
{
    if (!ctx || !ctx->progress_fn) return SSB_OK;
    if (ctx->progress_fn(ctx->progress_user, stage, done, total) != 0)
        return ssbi_error(ctx, SSB_ERR_CANCELLED, __FILE__, __LINE__, __func__, "%s: cancelled", stage);
    return SSB_OK;
}

/* ---- RNG: xoshiro256** (Blackman & Vigna 2018), seeded with splitmix64 ---- */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ssb_rng_seed(ssb_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ssb_rng_u64(ssb_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double ssb_rng_uniform(ssb_rng *rng) { return (double)(ssb_rng_u64(rng) >> 11) * 0x1.0p-53; }

double ssb_rng_normal(ssb_rng *rng)
{
    double u1 = ssb_rng_uniform(rng);
    double u2 = ssb_rng_uniform(rng);
    if (u1 < 0x1.0p-53) u1 = 0x1.0p-53;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

ssb_rng ssb_rng_split(const ssb_rng *rng, uint64_t k)
{
    ssb_rng r;
    uint64_t x = rng->s[0] ^ rotl(rng->s[1], 13) ^ rotl(rng->s[2], 29) ^ rotl(rng->s[3], 47);
    x ^= splitmix64(&k);
    ssb_rng_seed(&r, x);
    return r;
}

int64_t ssbi_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lld", &kb) == 1)
            break;
    fclose(f);
    return (int64_t)kb * 1024;
}
