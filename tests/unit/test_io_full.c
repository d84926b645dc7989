/* io, long case: the 500^3 TauFactor 2 benchmark volume (125 MB 8-bit TIFF, 500 pages of 32 strips).
 * Reading it must take a few seconds at most (strips are read straight into the label array).
 * Reference: taufactor/README.md: TF-500x500x500-1x2x6-v3 "the percolating phase has VF exactly 0.30";
 * the volume holds labels 0 and 255, so label 255 must count 0.30 * 500^3 = 37,500,000 voxels.
 * The volume is not in the repository: tu_ref_500() finds it ($SSB_REF_500) or the test is skipped with a message
 * saying how to obtain it. A .zip needs the `unzip` program (skipped without it). */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void test_tf500(void **state)
{
    (void)state;
    const char *src = tu_ref_500();
    if (!src) skip();
    char tif[4096], cmd[8400], out[512];
    const size_t len = strlen(src);
    const int zipped = len > 4 && strcmp(src + len - 4, ".zip") == 0;
    if (zipped) {
        if (system("command -v unzip > /dev/null 2>&1") != 0) {
            print_message("SKIP: %s needs the unzip program\n", src);
            skip();
        }
        snprintf(tif, sizeof tif, "%s/tf500.tiff", tu_tmpdir());
        snprintf(cmd, sizeof cmd, "unzip -p '%s' TF-500x500x500-1x2x6-v3.tiff > '%s'", src, tif);
        assert_int_equal(system(cmd), 0);
    } else {
        snprintf(tif, sizeof tif, "%s", src);
    }
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    double t0 = now();
    TU_OK(ctx, ssb_io_read_image(ctx, tif, NULL, &g));
    double t_read = now() - t0;
    print_message("read 500^3 TIFF (125 MB): %.2f s\n", t_read);
    assert_true(t_read < 5.0);
    int64_t d[3], h[256];
    ssb_grid_get_dims(g, d);
    assert_true(d[0] == 500 && d[1] == 500 && d[2] == 500);
    ssb_grid_histogram(g, h);
    assert_true(h[255] == 37500000 && h[0] == 87500000);

    /* Write it back (atomic TIFF) and read again: same labels, also within the time budget. */
    snprintf(out, sizeof out, "%s/tf500_copy.tif", tu_tmpdir());
    t0 = now();
    TU_OK(ctx, ssb_io_write_tiff(ctx, out, g, NULL));
    double t_write = now() - t0;
    ssb_grid *r = NULL;
    t0 = now();
    TU_OK(ctx, ssb_io_read_tiff(ctx, out, NULL, &r));
    double t_reread = now() - t0;
    print_message("write: %.2f s, read back: %.2f s\n", t_write, t_reread);
    assert_true(t_write < 10.0 && t_reread < 5.0);
    assert_memory_equal(ssb_grid_get_labels_const(r), ssb_grid_get_labels_const(g), 125000000);
    ssb_grid_destroy(&r);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    if (zipped) unlink(tif);
    unlink(out);
    rmdir(tu_tmpdir());
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tf500)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
