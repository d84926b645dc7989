/* Tests of the units table (ssb_units.h) and the report descriptions and CSV writer (ssb_report.h): conversions
 * against hand-computed values, keys and headers with their units, the descriptions of the chain's result types
 * reading the struct members they name. */
#include "testutil.h"

#include <ssbnet/ssb_eis.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_plot.h>
#include <ssbnet/ssb_report.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell/cell_keys.h"

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

/* The EIS fit and DRT descriptions: a fit of R0-p(R1,C1) to its own exact spectrum (R0 = 10 Ohm, R1 = 100 Ohm,
 * C1 = 1e-6 F) hands its parameters to the rows unchanged (the hand-over), the keys are those of 'eis fit
 * --json' (C_eff_F, f_max_Hz, rss_unweighted_Ohm2), and a DRT peak's frequency is 1 / (2 pi tau). */
static void test_eis_descriptions(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    ssb_eis_circuit *c = NULL;
    TU_OK(ctx, ssb_eis_circuit_parse(ctx, "R0-p(R1,C1)", &c));
    const double truth[3] = {10, 100, 1e-6};
    ssb_eis_spectrum *s = NULL;
    TU_OK(ctx, ssb_eis_circuit_simulate(ctx, c, truth, 0.1, 1e5, 10, &s));
    const double guess[3] = {12, 80, 2e-6};
    ssb_eis_fit_result *res = NULL;
    TU_OK(ctx, ssb_eis_fit(ctx, c, s, guess, NULL, &res));
    const int fixed[3] = {0, 1, 0};
    const ssb_report_type *pt = ssb_eis_report_type(SSB_EIS_REPORT_FIT_PARAM);
    assert_non_null(pt);
    char key[128], cell[128];
    for (int k = 0; k < 3; k++) {
        ssb_eis_fit_param_row row;
        assert_int_equal(ssb_eis_fit_param_row_get(c, res, fixed, k, &row), SSB_OK);
        assert_string_equal(row.name, ssb_eis_circuit_get_param_name(c, k));
        assert_string_equal(row.unit, ssb_eis_circuit_get_param_unit(c, k));
        assert_int_equal(row.fixed, fixed[k]);
        TU_ASSERT_REL(row.value, truth[k], 1e-6);
        int seen = 0;
        for (int f = 0; f < pt->nfields; f++) {
            const ssb_report_field *fd = &pt->fields[f];
            ssb_report_field_key(fd, key, sizeof key);
            double v = ssb_report_field_value(fd, &row);
            if (!strcmp(key, "value")) seen += v == res->p[k];
            if (!strcmp(key, "stderr")) seen += v == res->std_err[k];
            if (!strcmp(key, "ci_low")) seen += v == res->ci_low[k];
            if (!strcmp(key, "ci_high")) seen += v == res->ci_high[k];
            if (!strcmp(key, "corr_max")) seen += v == res->corr_max[k];
        }
        assert_int_equal(seen, 5);
    }
    ssb_eis_fit_param_row row;
    assert_int_equal(ssb_eis_fit_param_row_get(c, res, NULL, 3, &row), SSB_ERR_ARG);
    /* per-fit numbers and the capacitance of the R||C pair with their JSON keys */
    const ssb_report_type *ft = ssb_eis_report_type(SSB_EIS_REPORT_FIT);
    int found = 0;
    for (int f = 0; f < ft->nfields; f++) {
        ssb_report_field_key(&ft->fields[f], key, sizeof key);
        ssb_report_field_format(&ft->fields[f], res, cell, sizeof cell);
        if (!strcmp(key, "rss_unweighted_Ohm2")) found += ssb_report_field_value(&ft->fields[f], res) == res->rss_unit;
        if (!strcmp(key, "status")) found += !strcmp(cell, ssb_eis_fit_status_name(res->status));
        if (!strcmp(key, "npoints")) found += ssb_report_field_value(&ft->fields[f], res) == (double)s->n;
    }
    assert_int_equal(found, 3);
    ssb_eis_cap *caps = NULL;
    int ncaps = 0;
    TU_OK(ctx, ssb_eis_cpe_capacitances(ctx, c, res->p, res->cov, &caps, &ncaps));
    assert_int_equal(ncaps, 1);
    const ssb_report_type *ct = ssb_eis_report_type(SSB_EIS_REPORT_CAPACITANCE);
    found = 0;
    for (int f = 0; f < ct->nfields; f++) {
        ssb_report_field_key(&ct->fields[f], key, sizeof key);
        double v = ssb_report_field_value(&ct->fields[f], &caps[0]);
        if (!strcmp(key, "C_eff_F")) found += v == caps[0].C_eff && fabs(v / 1e-6 - 1) < 1e-5;
        if (!strcmp(key, "f_max_Hz")) found += v == caps[0].f_max && fabs(v * 2 * 3.14159265358979323846 * 1e-4 - 1) < 1e-5;
        if (!strcmp(key, "R_Ohm")) found += v == caps[0].R;
    }
    assert_int_equal(found, 3);
    free(caps);
    /* a DRT peak */
    double tau[1] = {0.0905}, gam[1] = {20.87}, R[1] = {45.6};
    ssb_eis_drt_result d;
    memset(&d, 0, sizeof d);
    d.npeaks = 1;
    d.peak_tau = tau;
    d.peak_gamma = gam;
    d.peak_R = R;
    d.R_inf = 10.07;
    ssb_eis_drt_peak pk;
    assert_int_equal(ssb_eis_drt_peak_get(&d, 0, &pk), SSB_OK);
    TU_ASSERT_REL(pk.f * 2 * 3.14159265358979323846 * 0.0905, 1.0, 1e-14);
    assert_int_equal(ssb_eis_drt_peak_get(&d, 1, &pk), SSB_ERR_ARG);
    const ssb_report_type *kt = ssb_eis_report_type(SSB_EIS_REPORT_DRT_PEAK);
    char hdr[128];
    ssb_report_field_header(&kt->fields[0], hdr, sizeof hdr);
    assert_string_equal(hdr, "tau [s]");
    const ssb_report_type *dt = ssb_eis_report_type(SSB_EIS_REPORT_DRT);
    for (int f = 0; f < dt->nfields; f++)
        if (!strcmp(dt->fields[f].key, "R_inf")) {
            TU_ASSERT_REL(ssb_report_field_value(&dt->fields[f], &d), 10.07, 1e-15);
            ssb_report_field_header(&dt->fields[f], hdr, sizeof hdr);
            assert_string_equal(hdr, "R_inf [Ohm]");
        }
    assert_null(ssb_eis_report_type(SSB_EIS_REPORT_COUNT));
    printf("PASS: EIS fit rows equal the fit result (R0 %.6g, R1 %.6g, C1 %.6g), keys C_eff_F, f_max_Hz, "
           "rss_unweighted_Ohm2; DRT peak f = 1/(2 pi tau)\n",
           res->p[0], res->p[1], res->p[2]);
    ssb_eis_fit_result_destroy(&res);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
}

/* The unit of a key: the longest unit key suffix ("_mS_per_cm") of the key, SSB_UNIT_COUNT when none. */
static ssb_unit key_unit(const char *key)
{
    size_t lk = strlen(key), best = 0;
    ssb_unit found = SSB_UNIT_COUNT;
    for (int u = 1; u < SSB_UNIT_COUNT; u++) {
        const char *uk = ssb_unit_get((ssb_unit)u)->key;
        size_t lu = strlen(uk);
        if (lu && lu + 1 < lk && key[lk - lu - 1] == '_' && !strcmp(key + lk - lu, uk) && lu > best) {
            best = lu;
            found = (ssb_unit)u;
        }
    }
    return found;
}

/* The hand-over of a unit: every cell-file key with a unit suffix converts with the units table's factor
 * (thickness_um: 1e-6, ionic_conductivity_mS_per_cm: 0.1, nominal_capacity_mAh_per_cm2: 36000, ...); the
 * diameter keys that set a radius convert with half of it. Keys without a unit suffix are dimensionless or SI
 * (scale 1); temperature_C is the one key with an offset (273.15 K). The materials database's file units agree
 * with the table too. */
static void test_unit_handover(void **state)
{
    (void)state;
    const ssbi_key *tabs[] = {ssbi_keys_electrode, ssbi_keys_limetal,  ssbi_keys_separator, ssbi_keys_electrolyte,
                              ssbi_keys_cell,      ssbi_keys_cc,       ssbi_keys_numerics};
    int nunit = 0, nplain = 0;
    for (size_t t = 0; t < sizeof tabs / sizeof tabs[0]; t++)
        for (const ssbi_key *k = tabs[t]; k->key; k++) {
            ssb_unit u = key_unit(k->key);
            double expect = u == SSB_UNIT_COUNT ? 1.0 : ssb_unit_get(u)->si_per_unit;
            if (strstr(k->key, "diameter_um"))
                expect *= 0.5; /* sets the radius */
            if (k->scale != expect)
                fail_msg("cell key %s: scale %g, units table %g (%s)", k->key, k->scale, expect,
                         u == SSB_UNIT_COUNT ? "no unit" : ssb_unit_get(u)->symbol);
            if (u == SSB_UNIT_COUNT)
                nplain++;
            else
                nunit++;
            if (strcmp(k->key, "temperature_C") == 0)
                assert_true(k->shift == 273.15);
            else
                assert_true(k->shift == 0);
        }
    assert_true(nunit > 40);
    /* the materials database's units */
    ssb_ctx *ctx = NULL;
    TU_OK(ctx, ssb_ctx_create(&ctx));
    const char *sym[] = {"S/cm", "S/m", "g/cm3", "kg/m3", "GPa", "MPa", "g/mol", "mol/m3", "cm2/s", "m2/s",
                         "mAh/g", "ohm cm2", "mA/cm2", "nm", "um", "m", "V"};
    for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++) {
        double si = 0;
        const char *siu = NULL;
        TU_OK(ctx, ssb_materials_unit_to_si(ctx, sym[i], 1.0, &si, &siu));
        int hit = 0;
        for (int u = 1; u < SSB_UNIT_COUNT; u++)
            if (!strcmp(ssb_unit_get((ssb_unit)u)->symbol, sym[i])) {
                assert_true(si == ssb_unit_get((ssb_unit)u)->si_per_unit);
                assert_string_equal(siu, ssb_unit_get((ssb_unit)u)->si);
                hit = 1;
            }
        if (!hit)
            fail_msg("materials unit %s is not in the units table", sym[i]);
    }
    /* energies stay in eV there: 1 kJ/mol = 1000 / F eV per particle (F = 96485.33212 C/mol) */
    double ev = 0;
    TU_OK(ctx, ssb_materials_unit_to_si(ctx, "kJ/mol", 1.0, &ev, NULL));
    TU_ASSERT_REL(ev, 1000.0 / 96485.33212, 1e-15);
    assert_int_equal(ssb_materials_unit_to_si(ctx, "J/mol", 1.0, &ev, NULL), SSB_ERR_NOTFOUND);
    printf("PASS: %d cell keys with a unit suffix convert with the units table's factor (%d without); %zu "
           "materials units agree with it\n",
           nunit, nplain, sizeof sym / sizeof sym[0]);
    ssb_ctx_destroy(&ctx);
}

/* One key, one quantity: over every description of the library (the chain's and the EIS ones), two fields with
 * the same JSON key have the same unit and kind, and the quantities the CLI test tests/cli/test_keys.sh finds in
 * several commands have the keys listed there (here: the face-count active CAM|SE area of the CAM description and
 * of the hand-over). */
static void test_one_key_per_quantity(void **state)
{
    (void)state;
    const ssb_report_type *all[SSB_RUN_REPORT_COUNT + SSB_EIS_REPORT_COUNT];
    int n = 0;
    for (int k = 0; k < SSB_RUN_REPORT_COUNT; k++)
        all[n++] = ssb_run_report_type((ssb_run_report_kind)k);
    for (int k = 0; k < SSB_EIS_REPORT_COUNT; k++)
        all[n++] = ssb_eis_report_type((ssb_eis_report_kind)k);
    int shared = 0;
    char ka[160], kb[160];
    for (int a = 0; a < n; a++)
        for (int fa = 0; fa < all[a]->nfields; fa++)
            for (int b = a + 1; b < n; b++)
                for (int fb = 0; fb < all[b]->nfields; fb++) {
                    const ssb_report_field *x = &all[a]->fields[fa], *y = &all[b]->fields[fb];
                    ssb_report_field_key(x, ka, sizeof ka);
                    ssb_report_field_key(y, kb, sizeof kb);
                    if (strcmp(ka, kb))
                        continue;
                    shared++;
                    /* int and int64 are both whole numbers in JSON */
                    int kx = x->kind == SSB_FIELD_INT64 ? SSB_FIELD_INT : (int)x->kind;
                    int ky = y->kind == SSB_FIELD_INT64 ? SSB_FIELD_INT : (int)y->kind;
                    if (x->shown != y->shown || kx != ky)
                        fail_msg("key %s: %s and %s describe it with different units or kinds", ka, all[a]->name,
                                 all[b]->name);
                }
    const char *want = "active_cam_se_area_per_volume_face_1_per_m";
    int in_cam = 0, in_handover = 0;
    const ssb_report_type *cam = ssb_run_report_type(SSB_RUN_REPORT_CAM);
    const ssb_report_type *ho = ssb_run_report_type(SSB_RUN_REPORT_HANDOVER);
    for (int f = 0; f < cam->nfields; f++) {
        ssb_report_field_key(&cam->fields[f], ka, sizeof ka);
        in_cam += !strcmp(ka, want);
    }
    for (int f = 0; f < ho->nfields; f++) {
        ssb_report_field_key(&ho->fields[f], ka, sizeof ka);
        in_handover += !strcmp(ka, want);
    }
    assert_int_equal(in_cam, 1);
    assert_int_equal(in_handover, 1);
    assert_true(shared >= 4); /* cam_fraction, active_fraction, the area, converged/iterations/reason */
    printf("PASS: %d keys shared between %d descriptions, each with one unit and kind\n", shared, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_plots),
        cmocka_unit_test(test_eis_descriptions),
        cmocka_unit_test(test_unit_handover),
        cmocka_unit_test(test_one_key_per_quantity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
