/* Tests of the self-contained HTML page (ssb_html.h): escaping, tables from the report layer's field tables, the
 * SVG plots (element counts, tick labels and the data-to-pixel mapping of linear and log axes, bar heights, the
 * Ragone plot's J/kg -> Wh/kg), the network classes of a hand-built electrode against a hand count and against
 * the composite analysis they come from (ssb_micro_cam_compute), the slice's merged runs, bad input, atomic
 * writing. The page in a real browser: tests/cli/test_html.sh. */
#include "testutil.h"

#include <ssbnet/ssb_html.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int count(const char *hay, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

/* The i-th (0-based) "M/L x y" point of the first path after the marker text "id=\"ID\"". */
static void path_point(const char *doc, const char *series_id, int i, double *x, double *y)
{
    char key[96];
    snprintf(key, sizeof key, "id=\"%s\"", series_id);
    const char *p = strstr(doc, key);
    assert_non_null(p);
    p = strstr(p, " d=\"");
    assert_non_null(p);
    p += 4;
    for (int k = 0; k <= i; k++) {
        while (*p && *p != 'M' && *p != 'L')
            p++;
        assert_true(*p);
        p++;
        char *end;
        *x = strtod(p, &end);
        *y = strtod(end, &end);
        p = end;
    }
}

static void test_text_and_tables(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_html *page = NULL;
    TU_OK(ctx, ssb_html_create(ctx, "A <cell> & 'its' \"report\"", &page));
    TU_OK(ctx, ssb_html_add_heading(ctx, page, 1, "Results"));
    TU_OK(ctx, ssb_html_add_paragraph(ctx, page, "<script>alert(1)</script> & done"));
    ssb_cell_rate_point pt[2];
    memset(pt, 0, sizeof pt);
    pt[0].crate = 0.5, pt[0].capacity = 3.25 * 36000.0, pt[0].v_mean = 3.8, pt[0].sustained = 1;
    pt[1].crate = 2.0, pt[1].capacity = 2.5 * 36000.0, pt[1].v_mean = 3.7, pt[1].sustained = 1;
    const ssb_report_type *rt = ssb_run_report_type(SSB_RUN_REPORT_RATE_POINT);
    TU_OK(ctx, ssb_html_add_table(ctx, page, "rates", rt, pt, 2, sizeof pt[0]));
    const char *hdr[2] = {"x [um]", "<b>"};
    const char *cells[4] = {"1", NULL, "2", "a&b"};
    TU_OK(ctx, ssb_html_add_text_table(ctx, page, NULL, 2, hdr, 2, cells));
    assert_int_equal(ssb_html_add_heading(ctx, page, 5, "x"), SSB_ERR_RANGE);
    char *doc = NULL;
    TU_OK(ctx, ssb_html_render(ctx, page, &doc));
    /* every string escaped: the only <script> element is the page's own */
    assert_int_equal(count(doc, "<script"), 1);
    assert_non_null(strstr(doc, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; done"));
    assert_non_null(strstr(doc, "<title>A &lt;cell&gt; &amp; &#39;its&#39; &quot;report&quot;</title>"));
    assert_non_null(strstr(doc, "<th>&lt;b&gt;</th>"));
    assert_non_null(strstr(doc, "<td>a&amp;b</td>"));
    assert_non_null(strstr(doc, "<td>-</td>"));
    /* nothing loaded from outside the page */
    assert_null(strstr(doc, "src="));
    assert_null(strstr(doc, "href="));
    assert_null(strstr(doc, "@import"));
    /* the table: one header per field with its unit, each cell as the field's own format */
    char want[256], cell[128];
    for (int j = 0; j < rt->nfields; j++) {
        ssb_report_field_header(&rt->fields[j], cell, sizeof cell);
        snprintf(want, sizeof want, "<th>%s</th>", cell);
        assert_non_null(strstr(doc, want));
    }
    assert_non_null(strstr(doc, "<th>capacity [mAh/cm2]</th>"));
    for (int j = 0; j < rt->nfields; j++)
        if (strcmp(rt->fields[j].key, "capacity") == 0) {
            ssb_report_field_format(&rt->fields[j], &pt[1], cell, sizeof cell);
            snprintf(want, sizeof want, "<td class=\"num\">%s</td>", cell);
            assert_non_null(strstr(doc, want));
            assert_non_null(strstr(cell, "2.5"));
        }
    assert_int_equal(count(doc, "<tr>"), 1 + 2 + 1 + 2);
    free(doc);
    ssb_html_destroy(&page);
    ssb_html_destroy(&page); /* no-op on NULL */
    ssb_ctx_destroy(&ctx);
    printf("PASS: text escaped (& < > \" '), one script, no external resource, report-type table headers and cells\n");
}

static void test_plots(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_html *page = NULL;
    TU_OK(ctx, ssb_html_create(ctx, NULL, &page));
    /* line plot: 3 series, one with markers; one with a NaN that breaks its line */
    double x[5] = {0, 2.5, 5, 7.5, 10}, y0[5] = {0, 1, 2, 3, 4}, y1[5] = {4, 3, NAN, 1, 0}, y2[5] = {2, 2, 2, 2, 2};
    ssb_html_series s[3] = {{"a", 5, x, y0, 1, 0}, {"b & c", 5, x, y1, 1, 1}, {NULL, 5, x, y2, 1, 0}};
    ssb_html_plot_params p = ssb_html_plot_params_default();
    p.id = "lin";
    p.title = "linear";
    p.xlabel = "capacity [mAh/cm2]";
    p.ylabel = "voltage [V]";
    TU_OK(ctx, ssb_html_add_line_plot(ctx, page, &p, 3, s));
    /* log-log plot: points at 1, 10, 100 on x must be equally spaced; x <= 0 left out */
    double lx[4] = {-1, 1, 10, 100}, ly[4] = {5, 1, 10, 100};
    ssb_html_series ls = {"log", 4, lx, ly, 1, 0};
    ssb_html_plot_params q = ssb_html_plot_params_default();
    q.id = "loglog";
    q.xlog = q.ylog = 1;
    TU_OK(ctx, ssb_html_add_line_plot(ctx, page, &q, 1, &ls));
    /* bars: 2 series x 3 categories, one NaN (no bar) */
    const char *cat[3] = {"0.1C", "1C", "2C"}, *lab[2] = {"ionic", "electronic"};
    double bars[6] = {10, 20, 40, 5, NAN, 1};
    ssb_html_plot_params r = ssb_html_plot_params_default();
    r.id = "bars";
    r.ylabel = "overpotential [mV]";
    TU_OK(ctx, ssb_html_add_bar_chart(ctx, page, &r, 3, cat, 2, lab, bars));
    /* Ragone: 3.6e5 J/kg = 100 Wh/kg */
    double pw[3] = {10, 100, 1000}, en[3] = {3.6e5 * 3, 3.6e5 * 2.9, 3.6e5};
    ssb_html_series rs = {"designs", 3, pw, en, 1, 0}; /* markers drawn anyway */
    ssb_html_plot_params rp = ssb_html_plot_params_default();
    rp.id = "ragone";
    TU_OK(ctx, ssb_html_add_ragone(ctx, page, &rp, 1, &rs));
    /* default ids count up */
    TU_OK(ctx, ssb_html_add_line_plot(ctx, page, &(ssb_html_plot_params){NULL, NULL, NULL, NULL, 0, 0, 300, 300},
                                      1, &s[0]));
    char *doc = NULL;
    TU_OK(ctx, ssb_html_render(ctx, page, &doc));
    assert_int_equal(count(doc, "<svg class=\"ssb-plot"), 5);
    assert_int_equal(count(doc, "class=\"ssb-series\""), 3 + 1 + 2 + 1 + 1);
    assert_int_equal(count(doc, "id=\"plot-5\""), 1);
    /* markers: series b (4 finite points) + Ragone (3) */
    assert_int_equal(count(doc, "class=\"ssb-marker\""), 4 + 3);
    assert_int_equal(count(doc, "class=\"ssb-bar\""), 5);
    assert_non_null(strstr(doc, "b &amp; c"));
    /* the NaN starts a new sub-path: two M in series b */
    const char *sb = strstr(doc, "id=\"lin-s1\"");
    const char *se = strstr(sb, "</g>");
    int nm = 0;
    for (const char *c = strstr(sb, " d=\""); c < se && *c != '/'; c++)
        nm += *c == 'M';
    assert_int_equal(nm, 2);
    /* linear axis: ticks 0, 2, 4, 6, 8, 10 on x; the data maps linearly (x = 5 halfway between 0 and 10) */
    const char *lin = strstr(doc, "id=\"lin\"");
    const char *lin_end = strstr(lin, "</figure>");
    for (int t = 0; t <= 10; t += 2) {
        char lbl[32];
        snprintf(lbl, sizeof lbl, "middle\">%d</text>", t);
        const char *f = strstr(lin, lbl);
        assert_true(f && f < lin_end);
    }
    double xa, ya, xb, yb, xc, yc;
    path_point(doc, "lin-s0", 0, &xa, &ya);
    path_point(doc, "lin-s0", 2, &xb, &yb);
    path_point(doc, "lin-s0", 4, &xc, &yc);
    TU_ASSERT_REL(xb - xa, xc - xb, 1e-3);
    TU_ASSERT_REL(ya - yb, yb - yc, 1e-3);
    assert_true(ya > yc); /* y grows upwards */
    /* log axis: 1, 10, 100 equally spaced in x and y; decade tick labels */
    path_point(doc, "loglog-s0", 0, &xa, &ya);
    path_point(doc, "loglog-s0", 1, &xb, &yb);
    path_point(doc, "loglog-s0", 2, &xc, &yc);
    TU_ASSERT_REL(xb - xa, xc - xb, 1e-3);
    TU_ASSERT_REL(ya - yb, yb - yc, 1e-3);
    const char *lg = strstr(doc, "id=\"loglog\"");
    assert_non_null(strstr(lg, "middle\">100</text>"));
    /* bars: heights proportional to the values from y = 0 (10 : 20 : 40) */
    double h[3];
    const char *bp = strstr(doc, "id=\"bars-s0\"");
    for (int i = 0; i < 3; i++) {
        bp = strstr(bp, "class=\"ssb-bar\"");
        const char *hh = strstr(bp, "height=\"");
        h[i] = strtod(hh + 8, NULL);
        bp = hh;
    }
    TU_ASSERT_REL(h[1] / h[0], 2.0, 1e-3);
    TU_ASSERT_REL(h[2] / h[0], 4.0, 1e-3);
    /* Ragone: shown in Wh/kg on log axes (100 .. 1000 decades), its labels fixed */
    const char *rg = strstr(doc, "id=\"ragone\"");
    assert_non_null(strstr(rg, "specific energy [Wh/kg]"));
    assert_non_null(strstr(rg, "power density [W/kg]"));
    assert_non_null(strstr(rg, "end\">100</text>"));
    assert_non_null(strstr(rg, "end\">1000</text>"));
    path_point(doc, "ragone-s0", 0, &xa, &ya);
    path_point(doc, "ragone-s0", 2, &xc, &yc);
    /* 300 Wh/kg at 10 W/kg and 100 Wh/kg at 1000 W/kg on axes of whole decades (y 100..1000 over the 312 px
     * plot area of a 400 px figure, x 10..1000 over its 538 px): log10(3) of a decade apart in y, all of x */
    TU_ASSERT_REL((yc - ya) / 312.0, log10(3.0), 1e-3);
    TU_ASSERT_REL(xc - xa, 538.0, 1e-3);
    free(doc);

    /* bad input */
    double nan3[3] = {NAN, NAN, NAN};
    ssb_html_series bad = {"nan", 3, pw, nan3, 1, 0};
    assert_int_equal(ssb_html_add_line_plot(ctx, page, &p, 1, &bad), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "no finite point"));
    p.id = "bad id!";
    assert_int_equal(ssb_html_add_line_plot(ctx, page, &p, 1, &s[0]), SSB_ERR_ARG);
    p.id = "ok";
    p.width = 50;
    assert_int_equal(ssb_html_add_line_plot(ctx, page, &p, 1, &s[0]), SSB_ERR_RANGE);
    p.width = 640;
    assert_int_equal(ssb_html_add_line_plot(ctx, page, &p, 0, s), SSB_ERR_RANGE);
    assert_int_equal(ssb_html_add_bar_chart(ctx, page, &r, 3, cat, 1, lab, nan3), SSB_ERR_RANGE);
    /* log axis without positive data */
    double neg[2] = {-1, -2};
    ssb_html_series ns = {"neg", 2, neg, neg, 1, 0};
    assert_int_equal(ssb_html_add_line_plot(ctx, page, &q, 1, &ns), SSB_ERR_RANGE);

    ssb_html_destroy(&page);
    ssb_ctx_destroy(&ctx);
    printf("PASS: SVG line (linear, log), bar and Ragone plots: element counts, ticks, pixel mapping, bad input\n");
}

/* A 5 x 5 x 6 electrode built by hand (see the comment of each part); current collector at z = 0. */
static ssb_grid *hand_electrode(ssb_ctx *ctx)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 5, 5, 6, 1e-6, 1e-6, 1e-6, &g));
    const char *names[4] = {"pore", "LPSCl", "NCM", "C"};
    ssb_phase_role roles[4] = {SSB_ROLE_PORE, SSB_ROLE_SE, SSB_ROLE_ACTIVE, SSB_ROLE_CARBON};
    for (int i = 0; i < 4; i++) {
        ssb_phase ph;
        memset(&ph, 0, sizeof ph);
        ph.label = (uint8_t)i;
        snprintf(ph.name, sizeof ph.name, "%s", names[i]);
        ph.role = roles[i];
        ph.sigma_ion = i == 1 ? 0.2 : 0;
        ph.sigma_el = i >= 2 ? 10 : 0;
        TU_OK(ctx, ssb_grid_set_phase(ctx, g, &ph));
    }
    uint8_t *l = ssb_grid_get_labels(g);
#define AT(x, y, z) l[(x) + 5 * ((y) + 5 * (z))]
    for (int z = 0; z < 6; z++) {
        AT(0, 0, z) = 1; /* SE column through z: ionic, percolating (6) */
        AT(2, 0, z) = 3; /* carbon column through z: electronic, percolating (6) */
    }
    AT(1, 0, 2) = AT(1, 0, 3) = 2; /* CAM between the two columns: active (2) */
    AT(4, 4, 3) = 1;               /* SE voxel in pores: ionic dead (1) */
    AT(4, 2, 3) = 2;               /* CAM in pores: dead, neither path (1) */
    AT(2, 3, 3) = 3;               /* carbon in pores: electronic dead (1) */
    AT(0, 1, 4) = 2;               /* CAM on the SE column only: dead, no e- path (1) */
    AT(3, 0, 1) = 2;               /* CAM on the carbon column only: dead, no Li+ path (1) */
#undef AT
    return g;
}

static void test_network_classes_and_slice(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_grid *g = hand_electrode(ctx);
    int64_t nv = ssb_grid_get_nvoxels(g), cnt[SSB_HTML_CLASS_COUNT];
    uint8_t *cls = malloc((size_t)nv);
    assert_non_null(cls);
    TU_OK(ctx, ssb_html_network_classes(ctx, g, NULL, cls, cnt));
    const int64_t want[SSB_HTML_CLASS_COUNT] = {150 - 19, 2, 1, 1, 1, 6, 1, 6, 1};
    for (int c = 0; c < SSB_HTML_CLASS_COUNT; c++) {
        if (cnt[c] != want[c])
            printf("class %s: %lld, expected %lld\n", ssb_html_class_name((ssb_html_class)c), (long long)cnt[c],
                   (long long)want[c]);
        assert_int_equal(cnt[c], want[c]);
    }
    /* handed over from the composite analysis: the CAM classes agree with ssb_micro_cam_compute's counts */
    ssb_micro_cam_result cr;
    TU_OK(ctx, ssb_micro_cam_compute(ctx, g, NULL, &cr));
    assert_int_equal(cnt[SSB_HTML_CLASS_CAM_ACTIVE], cr.n_active);
    assert_int_equal(cnt[SSB_HTML_CLASS_CAM_DEAD_NO_E], cr.n_dead_no_e);
    assert_int_equal(cnt[SSB_HTML_CLASS_CAM_DEAD_NO_LI], cr.n_dead_no_li);
    assert_int_equal(cnt[SSB_HTML_CLASS_CAM_DEAD_NEITHER], cr.n_dead_neither);
    /* the slice y = 0 (x across, z up): 6 rows, equal neighbours merged into 25 runs (30 voxels) */
    ssb_html *page = NULL;
    TU_OK(ctx, ssb_html_create(ctx, "slice", &page));
    int64_t dims[3];
    ssb_grid_get_dims(g, dims);
    TU_OK(ctx, ssb_html_add_slice(ctx, page, "slice-y0", "x-z slice", dims, cls, SSB_AXIS_Y, 0, 300));
    char *doc = NULL;
    TU_OK(ctx, ssb_html_render(ctx, page, &doc));
    assert_int_equal(count(doc, "class=\"ssb-voxels "), 25);
    assert_int_equal(count(doc, "ssb-class-ion-percolating\""), 6);
    assert_int_equal(count(doc, "ssb-class-elec-percolating\""), 6);
    assert_int_equal(count(doc, "ssb-class-cam-active\""), 2);
    assert_int_equal(count(doc, "ssb-class-cam-dead-no-li\""), 1);
    /* legend fractions of the slice: 6 of 30 voxels = 20 % SE */
    assert_non_null(strstr(doc, "Li+ network, percolating (20.0 %)"));
    free(doc);
    /* bad input */
    assert_int_equal(ssb_html_add_slice(ctx, page, "s2", NULL, dims, cls, SSB_AXIS_Y, 5, 0), SSB_ERR_RANGE);
    cls[0] = 200;
    assert_int_equal(ssb_html_add_slice(ctx, page, "s3", NULL, dims, cls, SSB_AXIS_Y, 0, 0), SSB_ERR_RANGE);
    assert_null(ssb_html_class_name(SSB_HTML_CLASS_COUNT));
    ssb_html_destroy(&page);
    free(cls);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    printf("PASS: network classes of a hand-built electrode (9 classes, hand count; CAM classes = cam analysis), "
           "slice runs merged (25 rects for 30 voxels)\n");
}

static void test_write(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_html *page = NULL;
    TU_OK(ctx, ssb_html_create(ctx, "w", &page));
    TU_OK(ctx, ssb_html_add_paragraph(ctx, page, "text"));
    char path[1200];
    snprintf(path, sizeof path, "%s/report.html", tu_tmpdir());
    TU_OK(ctx, ssb_html_write(ctx, page, path));
    char *doc = NULL;
    TU_OK(ctx, ssb_html_render(ctx, page, &doc));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, strlen(doc) + 16);
    size_t n = fread(buf, 1, strlen(doc) + 8, f);
    fclose(f);
    assert_int_equal(n, strlen(doc));
    assert_memory_equal(buf, doc, n);
    assert_int_equal(strncmp(buf, "<!DOCTYPE html>", 15), 0);
    free(buf);
    free(doc);
    /* a folder that does not exist: SSB_ERR_IO and no file */
    snprintf(path, sizeof path, "%s/missing/report.html", tu_tmpdir());
    assert_int_equal(ssb_html_write(ctx, page, path), SSB_ERR_IO);
    assert_false(tu_exists(path));
    ssb_html_destroy(&page);
    ssb_ctx_destroy(&ctx);
    printf("PASS: written atomically, byte-identical to the rendered page; unwritable path is SSB_ERR_IO\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_tables),
        cmocka_unit_test(test_plots),
        cmocka_unit_test(test_network_classes_and_slice),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
