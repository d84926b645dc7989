/* Tests of the units table (ssb_units.h) and the report descriptions and CSV writer (ssb_report.h): conversions
 * against hand-computed values, keys and headers with their units, the descriptions of the chain's result types
 * reading the struct members they name. */
#include "testutil.h"

#include <ssbnet/ssb_plot.h>
#include <ssbnet/ssb_report.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 mAh/cm2 = 1e-3 A * 3600 s / 1e-4 m2 = 36000 C/m2; 1 mA/cm2 = 10 A/m2; 1 mS/cm = 0.1 S/m; 1 Wh/L = 3600 J /
 * 1e-3 m3 = 3.6e6 J/m3; 1 ohm cm2 = 1e-4 ohm m2. */
static void test_units(void **state)
{
    (void)state;
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, 2.385 * 36000.0), 2.385, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, 43.78), 4.378, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_MS_PER_CM, 0.195), 1.95, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_WH_PER_L, 3.6e6 * 845.2), 845.2, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_OHM_CM2, 5e-4), 5.0, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_UM, 60e-6), 60.0, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_PER_UM, 0.34998e6), 0.34998, 1e-15);
    TU_ASSERT_REL(ssb_unit_from_si(SSB_UNIT_MV, 0.08006), 80.06, 1e-15);
    for (int u = 0; u < SSB_UNIT_COUNT; u++) {
        double x = 7.3891;
        TU_ASSERT_REL(ssb_unit_to_si((ssb_unit)u, ssb_unit_from_si((ssb_unit)u, x)), x, 1e-15);
        const ssb_unit_info *in = ssb_unit_get((ssb_unit)u);
        assert_non_null(in->symbol);
        assert_true(in->si_per_unit > 0);
        if (in->key[0])
            assert_int_equal(ssb_unit_from_key(in->key), u);
    }
    /* a cell-file key suffix names its unit */
    assert_int_equal(ssb_unit_from_key("mS_per_cm"), SSB_UNIT_MS_PER_CM);
    assert_int_equal(ssb_unit_from_key("furlongs"), SSB_UNIT_COUNT);
    assert_string_equal(ssb_unit_get(SSB_UNIT_COUNT)->symbol, "-");
    printf("PASS: unit conversions (mAh/cm2, mA/cm2, mS/cm, Wh/L, ohm cm2, um, 1/um, mV) and round trips\n");
}

static void test_descriptions(void **state)
{
    (void)state;
    char key[128], hdr[128], cell[64];
    /* a rate point: SI in the struct, display units in keys, headers and values */
    ssb_cell_rate_point pt;
    memset(&pt, 0, sizeof pt);
    pt.crate = 0.5;
    pt.current = 21.91;
    pt.capacity = 3.9418 * 36000.0;
    pt.energy = 15.0594 * 36000.0;
    pt.v_mean = 3.8204;
    pt.wh_per_kg = 395.5;
    pt.wh_per_l = 1158.4;
    pt.bottleneck = SSB_CELL_LOSS_IONIC_POS;
    const ssb_report_type *rt = ssb_run_report_type(SSB_RUN_REPORT_RATE_POINT);
    assert_non_null(rt);
    int found = 0;
    for (int k = 0; k < rt->nfields; k++) {
        const ssb_report_field *f = &rt->fields[k];
        ssb_report_field_key(f, key, sizeof key);
        ssb_report_field_header(f, hdr, sizeof hdr);
        ssb_report_field_format(f, &pt, cell, sizeof cell);
        if (!strcmp(key, "capacity_mAh_per_cm2")) {
            TU_ASSERT_REL(ssb_report_field_value(f, &pt), 3.9418, 1e-14);
            assert_string_equal(hdr, "capacity [mAh/cm2]");
            assert_string_equal(cell, "3.9418");
            found++;
        } else if (!strcmp(key, "current_mA_per_cm2")) {
            TU_ASSERT_REL(ssb_report_field_value(f, &pt), 2.191, 1e-14);
            found++;
        } else if (!strcmp(key, "c_rate")) {
            assert_string_equal(hdr, "C-rate [1/h]");
            found++;
        } else if (!strcmp(key, "energy_density_Wh_per_L")) {
            TU_ASSERT_REL(ssb_report_field_value(f, &pt), 1158.4, 1e-15);
            found++;
        } else if (!strcmp(key, "bottleneck")) {
            assert_string_equal(cell, ssb_cell_loss_label(SSB_CELL_LOSS_IONIC_POS));
            found++;
        }
    }
    assert_int_equal(found, 5);
    /* a transport result: every member named is read (distinct values per member) */
    ssb_transport_result tr;
    memset(&tr, 0, sizeof tr);
    tr.axis = SSB_AXIS_Y;
    tr.sigma_eff = 0.020488;
    tr.tau = INFINITY;
    tr.iterations = 17;
    snprintf(tr.backend, sizeof tr.backend, "gmg");
    const ssb_report_type *tt = ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT);
    for (int k = 0; k < tt->nfields; k++) {
        const ssb_report_field *f = &tt->fields[k];
        ssb_report_field_key(f, key, sizeof key);
        ssb_report_field_format(f, &tr, cell, sizeof cell);
        if (!strcmp(key, "sigma_eff_S_per_m"))
            TU_ASSERT_REL(ssb_report_field_value(f, &tr), 0.020488, 1e-15);
        if (!strcmp(key, "tau"))
            assert_string_equal(cell, "inf");
        if (!strcmp(key, "iterations"))
            assert_string_equal(cell, "17");
        if (!strcmp(key, "axis"))
            assert_string_equal(cell, "y");
        if (!strcmp(key, "backend"))
            assert_string_equal(cell, "gmg");
    }
    /* the CAM description: each key reads its member */
    ssb_micro_cam_result cr;
    memset(&cr, 0, sizeof cr);
    cr.active_fraction = 0.9995;
    cr.n_particles = 13;
    cr.active_cam_se_mc.per_volume = 0.34998e6;
    cr.ionic_percolating_fraction = 0.994;
    const ssb_report_type *ct = ssb_run_report_type(SSB_RUN_REPORT_CAM);
    int nfound = 0;
    for (int k = 0; k < ct->nfields; k++) {
        const ssb_report_field *f = &ct->fields[k];
        ssb_report_field_key(f, key, sizeof key);
        double v = ssb_report_field_value(f, &cr);
        if (!strcmp(key, "active_fraction"))
            nfound += v == 0.9995;
        if (!strcmp(key, "particles"))
            nfound += v == 13;
        if (!strcmp(key, "active_cam_se_area_per_volume_mc_1_per_m"))
            nfound += v == 0.34998e6;
        if (!strcmp(key, "ionic_percolating_fraction"))
            nfound += v == 0.994;
        if (!strcmp(key, "dead_no_e_fraction"))
            nfound += v == 0;
    }
    assert_int_equal(nfound, 5);
    assert_null(ssb_run_report_type(SSB_RUN_REPORT_COUNT));
    printf("PASS: rate point, transport and CAM descriptions: keys, headers and values in display units\n");
}

static void test_csv(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_cell_rate_point pts[2];
    memset(pts, 0, sizeof pts);
    pts[0].crate = 0.1;
    pts[0].capacity = 4.2537 * 36000.0;
    pts[1].crate = 2;
    pts[1].capacity = 2.9212 * 36000.0;
    char path[512];
    snprintf(path, sizeof path, "%s/rates.csv", tu_tmpdir());
    const ssb_report_type *rt = ssb_run_report_type(SSB_RUN_REPORT_RATE_POINT);
    TU_OK(ctx, ssb_report_csv_write(ctx, path, rt, pts, 2, sizeof pts[0]));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "c_rate,current_mA_per_cm2,capacity_mAh_per_cm2"));
    assert_non_null(fgets(line, sizeof line, f));
    double c, i, q;
    assert_int_equal(sscanf(line, "%lf,%lf,%lf", &c, &i, &q), 3);
    TU_ASSERT_REL(c, 0.1, 1e-15);
    TU_ASSERT_REL(q, 4.2537, 1e-15);
    assert_non_null(fgets(line, sizeof line, f));
    assert_null(fgets(line, sizeof line, f)); /* header + 2 rows */
    fclose(f);
    assert_int_equal(ssb_report_csv_write(ctx, "/nonexistent-dir/x.csv", rt, pts, 2, sizeof pts[0]), SSB_ERR_IO);
    assert_int_equal(ssb_report_csv_write(ctx, path, NULL, pts, 2, sizeof pts[0]), SSB_ERR_ARG);
    printf("PASS: CSV of rate points (header of keys, values in display units), errors\n");
    ssb_ctx_destroy(&ctx);
}

/* The figures of a rate sweep from plain arrays: files written, bad arguments refused. */
static void test_plots(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    const char *ext = ssb_plot_available(".png") ? "png" : "svg";
    double crates[2] = {0.5, 2}, cap[2] = {3.94 * 36000, 2.92 * 36000};
    double q0[3] = {0, 5e4, 1.4e5}, v0[3] = {4.2, 3.9, 3.5}, q1[2] = {0, 1.05e5}, v1[2] = {4.1, 3.5};
    const double *q[2] = {q0, q1}, *v[2] = {v0, v1};
    int npts[2] = {3, 2};
    const char *labels[2] = {"ionic ohmic", "charge transfer"};
    double loss[4] = {0.021, 0.080, 0.009, 0.032};
    char path[600];
    snprintf(path, sizeof path, "%s/curves.%s", tu_tmpdir(), ext);
    TU_OK(ctx, ssb_report_plot_discharge(ctx, path, 2, crates, npts, q, v));
    assert_true(tu_exists(path));
    snprintf(path, sizeof path, "%s/rates.%s", tu_tmpdir(), ext);
    TU_OK(ctx, ssb_report_plot_rate_capability(ctx, path, 2, crates, cap));
    assert_true(tu_exists(path));
    snprintf(path, sizeof path, "%s/breakdown.%s", tu_tmpdir(), ext);
    TU_OK(ctx, ssb_report_plot_breakdown(ctx, path, 2, crates, 2, labels, loss));
    assert_true(tu_exists(path));
    assert_int_equal(ssb_report_plot_rate_capability(ctx, path, 0, crates, cap), SSB_ERR_ARG);
    assert_int_equal(ssb_report_plot_breakdown(ctx, path, 2, crates, 2, NULL, loss), SSB_ERR_ARG);
    printf("PASS: discharge, rate-capability and breakdown figures written (%s); bad arguments refused\n", ext);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_plots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
