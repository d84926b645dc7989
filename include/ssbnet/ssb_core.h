/*
 * ssb_core.h - error codes, the context (error trace, log sink, progress), seeded RNG, units.
 *
 * Every library function returns int: SSB_OK (0) or a negative ssb_errcode. On error the context holds a
 * human-readable message (ssb_ctx_get_error) naming the bad value and its valid range, and a trace of
 * file:line:function frames. One ssb_ctx per thread. The library never prints or exits.
 */
#ifndef SSB_CORE_H
#define SSB_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro table: (name, value, message). The CLI maps each code to a distinct exit status. */
#define SSB_ERR_CODE_LIST(X)                                                                  \
    X(SSB_OK, 0, "success")                                                                   \
    X(SSB_ERR_NOMEM, -1, "out of memory")                                                     \
    X(SSB_ERR_ARG, -2, "invalid argument")                                                    \
    X(SSB_ERR_IO, -3, "file could not be opened, read or written")                           \
    X(SSB_ERR_FORMAT, -4, "malformed or truncated file")                                      \
    X(SSB_ERR_RANGE, -5, "value out of its valid range")                                      \
    X(SSB_ERR_NOTFOUND, -6, "name or label not found")                                        \
    X(SSB_ERR_NOCONV, -7, "solver did not converge")                                          \
    X(SSB_ERR_UNSUPPORTED, -8, "unsupported feature or data type")                            \
    X(SSB_ERR_NOPERC, -9, "structure does not percolate")                                     \
    X(SSB_ERR_CANCELLED, -10, "cancelled by the progress callback")                           \
    X(SSB_ERR_BACKEND, -11, "error reported by a numerical backend")                          \
    X(SSB_ERR_INTERNAL, -12, "internal error (a bug in ssbnet)")                              \
    X(SSB_ERR_CUTOFF, -13, "cut-off never reached")

typedef enum {
#define SSB_X_ENUM(name, value, msg) name = value,
    SSB_ERR_CODE_LIST(SSB_X_ENUM)
#undef SSB_X_ENUM
} ssb_errcode;

/* Static message of an error code ("unknown error code" for others). Thread-safe. */
const char *ssb_errcode_message(int code);
/* Symbolic name of an error code, e.g. "SSB_ERR_RANGE". Thread-safe. */
const char *ssb_errcode_name(int code);

/* Library version string "MAJOR.MINOR.PATCH". */
const char *ssb_version(void);
/* Comma-separated list of compiled backends, e.g. "gmg,hypre,openmp,libtiff". */
const char *ssb_backends(void);

typedef enum { SSB_LOG_ERROR = 0, SSB_LOG_WARN = 1, SSB_LOG_INFO = 2, SSB_LOG_DEBUG = 3 } ssb_log_level;

/* Log sink: receives a complete line (no trailing newline) with the originating object name. */
typedef void (*ssb_log_fn)(void *user, ssb_log_level level, const char *object, const char *message);

/* Progress callback: stage is a short name ("transport z", "label"), done/total in arbitrary units.
 * Return non-zero to cancel; the running function then returns SSB_ERR_CANCELLED. */
typedef int (*ssb_progress_fn)(void *user, const char *stage, double done, double total);

typedef struct ssb_ctx ssb_ctx;

/* Create a context. Returns SSB_OK or SSB_ERR_NOMEM. Owns nothing external. */
int ssb_ctx_create(ssb_ctx **ctx);
/* Destroy a context; no-op on NULL; sets *ctx = NULL. */
void ssb_ctx_destroy(ssb_ctx **ctx);
/* Install the log sink (NULL drops messages) and the highest level delivered. */
void ssb_ctx_set_log(ssb_ctx *ctx, ssb_log_fn fn, void *user, ssb_log_level max_level);
/* Install a progress callback (NULL: none). */
void ssb_ctx_set_progress(ssb_ctx *ctx, ssb_progress_fn fn, void *user);
/* The installed progress callback and its user pointer (NULL, NULL if none); for wrapping it. */
void ssb_ctx_get_progress(const ssb_ctx *ctx, ssb_progress_fn *fn, void **user);
/* Number of OpenMP threads the library may use (0 = OpenMP default). */
void ssb_ctx_set_threads(ssb_ctx *ctx, int nthreads);
int ssb_ctx_get_threads(const ssb_ctx *ctx);

/* Last error: its code, message ("" if none) and trace (one "file:line func" frame per line). Borrowed strings,
 * valid until the next library call on this context. */
int ssb_ctx_get_error_code(const ssb_ctx *ctx);
const char *ssb_ctx_get_error(const ssb_ctx *ctx);
const char *ssb_ctx_get_trace(const ssb_ctx *ctx);
/* Forget the last error. */
void ssb_ctx_clear_error(ssb_ctx *ctx);

/* Seeded pseudo-random generator (xoshiro256**, seeded by splitmix64). A value type: copy it to fork a stream. */
typedef struct {
    uint64_t s[4];
} ssb_rng;

void ssb_rng_seed(ssb_rng *rng, uint64_t seed);
/* Next 64 random bits. */
uint64_t ssb_rng_u64(ssb_rng *rng);
/* Uniform double in [0, 1). */
double ssb_rng_uniform(ssb_rng *rng);
/* Standard normal variate (Box-Muller, no cached state). */
double ssb_rng_normal(ssb_rng *rng);
/* Independent stream number k derived from rng (for per-thread or per-phase streams). */
ssb_rng ssb_rng_split(const ssb_rng *rng, uint64_t k);

/* Physical constants (SI, CODATA 2018). */
#define SSB_CONST_FARADAY 96485.33212     /* C/mol */
#define SSB_CONST_GAS 8.314462618         /* J/(mol K) */
#define SSB_CONST_BOLTZMANN 1.380649e-23  /* J/K */
#define SSB_CONST_BOLTZMANN_EV 8.617333262e-5 /* eV/K */
#define SSB_CONST_ECHARGE 1.602176634e-19 /* C */
#define SSB_CONST_EPS0 8.8541878128e-12   /* F/m */

#ifdef __cplusplus
}
#endif
#endif
