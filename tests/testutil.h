/* Shared helpers for the cmocka tests. */
#ifndef SSB_TESTUTIL_H
#define SSB_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

/* Path of a reference file: $SSB_REF_DIR/rel (static buffer). SSB_REF_DIR defaults to the repository's
 * tests/reference (set at configure time); the environment variable overrides it, e.g. to a full reference tree.
 * A file missing there is looked up in the build tree's tests/reference, where CMake unpacks the *.tar.xz archives
 * of tests/reference (large, well-compressible files). */
const char *tu_ref(const char *rel);
/* The TauFactor 2 500^3 benchmark volume, which is not in the repository (4 MB zip, 125 MB TIFF; see
 * tests/reference/PROVENANCE.md for where to get it): $SSB_REF_500 (the .zip or the unzipped .tiff), else
 * $SSB_REF_DIR/microstructure/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip. Returns the path (static buffer) or NULL
 * after printing how to obtain it, for the caller to skip(). */
const char *tu_ref_500(void);
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
/* Warnings collected by a context's log sink: ssb_ctx_set_log(ctx, tu_warn_capture, &w, SSB_LOG_WARN). */
typedef struct {
    int nwarn;
    char last[600]; /* the last warning */
} tu_warn_log;
void tu_warn_capture(void *user, ssb_log_level level, const char *object, const char *message);
/* The databases most tests share: a new context, the built-in materials and, where mech / iface are not NULL, the
 * mechanics and interphase databases (data/iface). 0 on success, -1 otherwise (the return of a cmocka set-up);
 * tu_db_close releases what tu_db_open made (NULL pointers are skipped). */
int tu_db_open(ssb_ctx **ctx, ssb_materials **mdb, ssb_mech_db **mech, ssb_iface_db **iface);
void tu_db_close(ssb_ctx **ctx, ssb_materials **mdb, ssb_mech_db **mech, ssb_iface_db **iface);
#endif
