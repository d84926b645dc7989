/* Shared helpers for the cmocka tests. */
#ifndef SSB_TESTUTIL_H
#define SSB_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ssbnet/ssb_core.h>

/* Path of a reference file: $SSB_REF_DIR/rel (static buffer). */
const char *tu_ref(const char *rel);
/* 1 if the file exists and is readable. */
int tu_exists(const char *path);
/* Fresh temporary directory path (static buffer) for output files. */
const char *tu_tmpdir(void);
/* Assert |a - b| <= rtol * |b| with a readable message. */
#define TU_ASSERT_REL(a, b, rtol)                                                                   \
    tu_assert_rel((double)(a), (double)(b), (double)(rtol), #a, __FILE__, __LINE__)
void tu_assert_rel(double a, double b, double rtol, const char *expr, const char *file, int line);
/* Assert a library call returns SSB_OK, printing the context's message otherwise. */
#define TU_OK(ctx, call) tu_assert_ok((ctx), (call), #call, __FILE__, __LINE__)
void tu_assert_ok(ssb_ctx *ctx, int rc, const char *expr, const char *file, int line);
/* Linear interpolation of y(x) at xi (x ascending, n >= 2), clamped to the end values outside [x0, x_{n-1}]. */
double tu_interp(const double *x, const double *y, int n, double xi);
#endif
