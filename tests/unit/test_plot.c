/* report/plot: figure building and its error paths, PNG and SVG output through PLplot (written atomically, image
 * size as requested), and the Nyquist / Bode / DRT helpers of the eis module. PNG checks are skipped when the
 * PLplot cairo driver is not installed (Debian package plplot-driver-cairo). */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>
#include <ssbnet/ssb_plot.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* LeakSanitizer (sanitizer builds): fontconfig keeps process-lifetime caches, allocated when the cairo driver
 * first renders text; they are the only leaks reported (checked without this suppression). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig\n"; }

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s/%s", tu_tmpdir(), name);
    return p;
}

/* Width and height from a PNG's IHDR chunk; 0 if the file is not a PNG. */
static int png_size(const char *path, unsigned *w, unsigned *h)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return 0;
    unsigned char b[24];
    size_t n = fread(b, 1, 24, fp);
    fclose(fp);
    if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0) return 0;
    *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
    *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    return 1;
}

static int leftover_tmp(void)
{
    DIR *d = opendir(tu_tmpdir());
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

static void test_figure_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_plot *f = NULL;
    assert_int_equal(ssb_plot_create(ctx, 0, 1, 0, 0, &f), SSB_ERR_RANGE);
    assert_int_equal(ssb_plot_create(ctx, 1, 5, 0, 0, &f), SSB_ERR_RANGE);
    assert_int_equal(ssb_plot_create(ctx, 1, 1, 50, 600, &f), SSB_ERR_RANGE);
    assert_null(f);
    TU_OK(ctx, ssb_plot_create(ctx, 1, 2, 640, 480, &f));
    double x[3] = {1, 2, 3}, y[3] = {2.5, 1.5, 3.5};
    assert_int_equal(ssb_plot_add_series(ctx, f, 2, 3, x, y, NULL), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "panel 2"));
    assert_int_equal(ssb_plot_add_series(ctx, f, 0, 0, x, y, NULL), SSB_ERR_RANGE);
    assert_int_equal(ssb_plot_add_series(ctx, f, 0, 3, NULL, y, NULL), SSB_ERR_ARG);
    ssb_plot_series st = ssb_plot_series_default();
    st.color = 10;
    assert_int_equal(ssb_plot_add_series(ctx, f, 0, 3, x, y, &st), SSB_ERR_RANGE);
    st = ssb_plot_series_default();
    st.line_width = 0;
    assert_int_equal(ssb_plot_add_series(ctx, f, 0, 3, x, y, &st), SSB_ERR_RANGE);
    /* nothing to draw yet */
    assert_int_equal(ssb_plot_save(ctx, f, tmp_path("empty.png")), SSB_ERR_ARG);
    TU_OK(ctx, ssb_plot_add_series(ctx, f, 1, 3, x, y, NULL));
    assert_int_equal(ssb_plot_save(ctx, f, tmp_path("figure.jpg")), SSB_ERR_ARG);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), ".png or .svg"));
    assert_int_equal(ssb_plot_save(ctx, f, tmp_path("noextension")), SSB_ERR_ARG);
    ssb_plot_axes ax = ssb_plot_axes_default();
    assert_true(isnan(ax.xmin) && ax.grid == 1 && ax.legend == 1);
    assert_int_equal(ssb_plot_set_axes(ctx, f, -1, &ax), SSB_ERR_RANGE);
    ssb_plot_destroy(&f);
    assert_null(f);
    ssb_plot_destroy(&f);
    ssb_ctx_destroy(&ctx);
}

static void test_png_svg(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    int have_png = ssb_plot_available(".png"), have_svg = ssb_plot_available("svg");
    assert_int_equal(ssb_plot_available(".gif"), 0);
    ssb_plot *f = NULL;
    TU_OK(ctx, ssb_plot_create(ctx, 1, 2, 1000, 450, &f));
    double x[200], y1[200], y2[200];
    for (int i = 0; i < 200; i++) {
        x[i] = pow(10.0, -2.0 + 6.0 * i / 199.0);
        y1[i] = 1.0 / (1.0 + x[i] * x[i] * 1e-4);
        y2[i] = i == 77 ? NAN : atan(x[i] * 1e-2) * 57.29577951308232; /* a gap in the line */
    }
    ssb_plot_axes a = ssb_plot_axes_default();
    a.title = "Debye relaxation";
    a.xlabel = "f [Hz]";
    a.ylabel = "Z\xe2\x80\xb2 / R";
    a.xlog = 1;
    TU_OK(ctx, ssb_plot_set_axes(ctx, f, 0, &a));
    a.title = NULL;
    a.ylabel = "phase [\xc2\xb0]";
    a.ymin = 0;
    a.ymax = 90;
    TU_OK(ctx, ssb_plot_set_axes(ctx, f, 1, &a));
    ssb_plot_series st = ssb_plot_series_default();
    st.label = "Z\xe2\x80\xb2";
    TU_OK(ctx, ssb_plot_add_series(ctx, f, 0, 200, x, y1, &st));
    st.label = "phase";
    st.style = SSB_PLOT_LINE_MARKERS;
    TU_OK(ctx, ssb_plot_add_series(ctx, f, 1, 200, x, y2, &st));
    if (have_png) {
        const char *p = tmp_path("debye.png");
        FILE *fp = fopen(p, "w"); /* an existing file is replaced */
        fputs("old", fp);
        fclose(fp);
        TU_OK(ctx, ssb_plot_save(ctx, f, p));
        unsigned w = 0, h = 0;
        assert_true(png_size(p, &w, &h));
        assert_int_equal(w, 1000);
        assert_int_equal(h, 450);
        struct stat sb;
        assert_int_equal(stat(p, &sb), 0);
        assert_true(sb.st_size > 5000);
        assert_true((sb.st_mode & 0044) != 0); /* not left at mkstemp's 0600 */
        /* unwritable place: SSB_ERR_IO, no temporary left */
        assert_int_equal(ssb_plot_save(ctx, f, tmp_path("no_dir/debye.png")), SSB_ERR_IO);
        print_message("PASS PNG %ux%u, %lld bytes\n", w, h, (long long)sb.st_size);
    } else {
        assert_int_equal(ssb_plot_save(ctx, f, tmp_path("debye.png")), SSB_ERR_UNSUPPORTED);
        assert_non_null(strstr(ssb_ctx_get_error(ctx), "plplot"));
        print_message("SKIP PNG: %s\n", ssb_ctx_get_error(ctx));
    }
    if (have_svg) {
        const char *p = tmp_path("debye.svg");
        TU_OK(ctx, ssb_plot_save(ctx, f, p));
        FILE *fp = fopen(p, "r");
        assert_non_null(fp);
        char buf[4096];
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        buf[n] = '\0';
        fclose(fp);
        assert_non_null(strstr(buf, "<svg"));
        print_message("PASS SVG written\n");
    }
    assert_int_equal(leftover_tmp(), 0);
    ssb_plot_destroy(&f);
    ssb_ctx_destroy(&ctx);
}

static void test_eis_helpers(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    if (!ssb_plot_available("png")) {
        ssb_ctx_destroy(&ctx);
        skip();
    }
    ssb_eis_spectrum *s = NULL, *m = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/impedance.py/exampleData.csv"), SSB_EIS_FORMAT_AUTO, &s));
    TU_OK(ctx, ssb_eis_spectrum_drop_inductive(ctx, s, NULL));
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)-p(R2-Wo1,C2)", &c));
    const double p[7] = {1.651873e-2, 8.676550e-3, 3.321426, 5.389963e-3, 6.309274e-2, 2.325204e2, 2.195418e-1};
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, p, s->f[0], s->f[s->n - 1], 30, &m));
    unsigned w, h;
    TU_OK(ctx, ssb_eis_plot_nyquist(ctx, tmp_path("nyquist.png"), s, m, "exampleData.csv"));
    assert_true(png_size(tmp_path("nyquist.png"), &w, &h) && w == 800 && h == 800);
    TU_OK(ctx, ssb_eis_plot_bode(ctx, tmp_path("bode.png"), s, NULL, NULL));
    assert_true(png_size(tmp_path("bode.png"), &w, &h) && w == 800 && h == 900);
    ssb_eis_spectrum *z = NULL;
    TU_OK(ctx, ssb_eis_spectrum_read(ctx, tu_ref("eis/pyDRTtools/2ZARC1.csv"), SSB_EIS_FORMAT_AUTO, &z));
    ssb_eis_drt_result *d = NULL;
    TU_OK(ctx, ssb_eis_drt(ctx, z, NULL, &d));
    TU_OK(ctx, ssb_eis_plot_drt(ctx, tmp_path("drt.svg"), d, "2ZARC1"));
    TU_OK(ctx, ssb_eis_plot_drt(ctx, tmp_path("drt.png"), d, "2ZARC1"));
    assert_true(png_size(tmp_path("drt.png"), &w, &h) && w == 900 && h == 600);
    assert_int_equal(ssb_eis_plot_nyquist(ctx, tmp_path("x.bmp"), s, NULL, NULL), SSB_ERR_ARG);
    assert_int_equal(leftover_tmp(), 0);
    print_message("PASS Nyquist, Bode and DRT figures\n");
    ssb_eis_drt_result_destroy(&d);
    ssb_eis_spectrum_destroy(&z);
    ssb_eis_spectrum_destroy(&m);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_figure_errors), cmocka_unit_test(test_png_svg),
                                       cmocka_unit_test(test_eis_helpers)};
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
