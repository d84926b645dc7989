#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *tu_ref(const char *rel)
{
    static char buf[4096];
    const char *dir = getenv("SSB_REF_DIR");
    if (!dir) dir = SSB_REF_DIR;
    snprintf(buf, sizeof buf, "%s/%s", dir, rel);
#ifdef SSB_REF_UNPACKED_DIR
    if (!tu_exists(buf)) { /* stored as .tar.xz in tests/reference, unpacked into the build tree by CMake */
        static char alt[4096];
        snprintf(alt, sizeof alt, "%s/%s", SSB_REF_UNPACKED_DIR, rel);
        if (tu_exists(alt)) return alt;
    }
#endif
    return buf;
}

int tu_exists(const char *path) { return access(path, R_OK) == 0; }

const char *tu_ref_500(void)
{
    static char buf[4096];
    const char *env = getenv("SSB_REF_500");
    if (env && env[0])
        snprintf(buf, sizeof buf, "%s", env);
    else
        snprintf(buf, sizeof buf, "%s", tu_ref("microstructure/taufactor/TF-500x500x500-1x2x6-v3.tiff.zip"));
    if (tu_exists(buf)) return buf;
    print_message("SKIP: the TauFactor 500^3 volume is not at %s. It is not part of the repository: download\n"
                  "  TF-500x500x500-1x2x6-v3.tiff.zip from https://github.com/tldr-group/taufactor (docs/paper/, commit\n"
                  "  fb6454851241247e780e20056845c94c42e4c4fd) and set SSB_REF_500 to the .zip or the unzipped .tiff\n"
                  "  (tests/reference/PROVENANCE.md).\n",
                  buf);
    return NULL;
}

const char *tu_tmpdir(void)
{
    static char buf[256];
    if (!buf[0]) {
        snprintf(buf, sizeof buf, "/tmp/ssbtest.XXXXXX");
        if (!mkdtemp(buf)) fail_msg("mkdtemp failed");
    }
    return buf;
}

void tu_assert_rel(double a, double b, double rtol, const char *expr, const char *file, int line)
{
    double tol = rtol * fabs(b);
    if (!(fabs(a - b) <= tol)) {
        print_error("%s = %.10g, expected %.10g (rtol %g, rel err %.3g)\n", expr, a, b, rtol,
                    b != 0 ? fabs(a - b) / fabs(b) : fabs(a - b));
        _fail(file, line);
    }
}

void tu_assert_ok(ssb_ctx *ctx, int rc, const char *expr, const char *file, int line)
{
    if (rc != SSB_OK) {
        print_error("%s returned %d (%s): %s\n", expr, rc, ssb_errcode_name(rc), ssb_ctx_get_error(ctx));
        _fail(file, line);
    }
}

double tu_interp(const double *x, const double *y, int n, double xi)
{
    if (xi <= x[0]) return y[0];
    if (xi >= x[n - 1]) return y[n - 1];
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (x[mid] <= xi)
            lo = mid;
        else
            hi = mid;
    }
    return y[lo] + (y[hi] - y[lo]) * (xi - x[lo]) / (x[hi] - x[lo]);
}

int tu_db_open(ssb_ctx **ctx, ssb_materials **mdb, ssb_mech_db **mech, ssb_iface_db **iface)
{
    if (ssb_ctx_create(ctx) != SSB_OK || ssb_materials_create(*ctx, mdb) != SSB_OK ||
        ssb_materials_load_builtin(*ctx, *mdb) != SSB_OK)
        return -1;
    if (mech && ssb_mech_db_load(*ctx, NULL, mech) != SSB_OK)
        return -1;
    if (iface && ssb_iface_db_load(*ctx, NULL, iface) != SSB_OK)
        return -1;
    return 0;
}

void tu_db_close(ssb_ctx **ctx, ssb_materials **mdb, ssb_mech_db **mech, ssb_iface_db **iface)
{
    if (iface)
        ssb_iface_db_destroy(iface);
    if (mech)
        ssb_mech_db_destroy(mech);
    ssb_materials_destroy(mdb);
    ssb_ctx_destroy(ctx);
}

void tu_warn_capture(void *user, ssb_log_level level, const char *object, const char *message)
{
    (void)object;
    tu_warn_log *w = user;
    if (level != SSB_LOG_WARN) return;
    w->nwarn++;
    snprintf(w->last, sizeof w->last, "%s", message);
}
