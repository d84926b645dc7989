/* Cell model validation (full), liquid option: the Marquis 2019 graphite | LiPF6 EC:DMC | LiCoO2 cell against the
 * COMSOL DFN solution that PyBaMM uses for its own validation (tests/reference/cell/pybamm_comsol_dfn).
 * Parameters: PyBaMM Marquis2019 (tests/reference/cell/pybamm_params/Marquis2019_parameters.json) with the
 * comparison script's overrides (negative / positive conductivity 126 / 16.6 S/m with the eps_s^1.5 Bruggeman
 * factor, entered here as effective values 58.5595 / 5.86899 S/m), 1C = 24 A/m2, T = 298.15 K.
 * Criteria (issue 4): voltage within 10 mV RMS over the first 85 % of each discharge at rates up to 1C; capacity
 * within 1 % (the COMSOL runs have a fixed duration and no cut-off, so the capacity is compared at the time the
 * voltage crosses 3.5 V, which every curve up to 3C crosses on its end-of-discharge knee).
 * The 1C field data are compared too: electrolyte concentration, electrolyte potential and positive surface
 * concentration profiles at t = 1809 s. */
#include "cells.h"
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *cell_ms = SSB_TEST_CELL_MARQUIS2019
    " \"numerics\": {\"negative_cells\": 20, \"separator_cells\": 10, \"positive_cells\": 20, \"particle_cells\": 20}}";

static double crossing(const double *t, const double *V, int n, double vc)
{
    for (int i = 1; i < n; i++)
        if (V[i] <= vc && V[i - 1] > vc)
            return t[i - 1] + (t[i] - t[i - 1]) * (V[i - 1] - vc) / (V[i - 1] - V[i]);
    return NAN;
}

static void test_voltage(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, cell_ms, "Marquis2019", &p));
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    const struct {
        const char *file;
        double crate, duration;
        int required;
    } cs[] = {
        {"01C", 0.1, 36000, 1}, {"05C", 0.5, 7200, 1}, {"1C", 1, 3600, 1}, {"2C", 2, 1800, 0}, {"3C", 3, 1200, 0}};
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, "cell/pybamm_comsol_dfn/comsol_%s_voltage.csv", cs[k].file);
        FILE *f = fopen(tu_ref(path), "r");
        if (!f)
            fail_msg("cannot read %s", tu_ref(path));
        static double tr[1000], Vr[1000];
        int nr = 0;
        char line[256];
        if (!fgets(line, sizeof line, f))
            fail_msg("empty %s", path);
        while (nr < 1000 && fgets(line, sizeof line, f)) {
            double I;
            if (sscanf(line, "%lf,%lf,%lf", &tr[nr], &Vr[nr], &I) == 3)
                nr++;
        }
        fclose(f);
        char proto[96];
        snprintf(proto, sizeof proto, "Discharge at %gC for %g s", cs[k].crate, cs[k].duration);
        ssb_cell_result *r = NULL;
        TU_OK(ctx, ssb_cell_run_protocol(ctx, c, proto, NULL, &r));
        int n = ssb_cell_result_npoints(r) - 1;
        const double *t = ssb_cell_result_series(r, SSB_CELL_T) + 1, *V = ssb_cell_result_series(r, SSB_CELL_V) + 1;
        double s2 = 0, mx = 0;
        int m = 0;
        for (int i = 0; i < nr; i++) {
            if (tr[i] > 0.85 * cs[k].duration)
                break;
            double d = tu_interp(t, V, n, tr[i]) - Vr[i];
            s2 += d * d;
            mx = fmax(mx, fabs(d));
            m++;
        }
        double rms = sqrt(s2 / m);
        double tc_ref = crossing(tr, Vr, nr, 3.5), tc = crossing(t, V, n, 3.5);
        ssb_cell_stats st;
        ssb_cell_result_stats(r, &st);
        printf(
            "  %gC: V rms %.2f mV (max %.2f) over %d COMSOL points; capacity to 3.5 V %.4f vs %.4f Ah/m2 (%+.3f %%); "
            "%.0f ms\n",
            cs[k].crate, rms * 1e3, mx * 1e3, m, tc * 24 * cs[k].crate / 3600, tc_ref * 24 * cs[k].crate / 3600,
            100 * (tc / tc_ref - 1), st.wall * 1e3);
        if (cs[k].required) {
            assert_true(rms < 10e-3);
            assert_true(fabs(tc / tc_ref - 1) < 0.01);
        }
        ssb_cell_result_destroy(&r);
    }
    ssb_cell_destroy(&c);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

static double *row_at(const cJSON *arr2d, int ix, int it)
{
    static double v;
    const cJSON *row = cJSON_GetArrayItem(arr2d, ix);
    const cJSON *e = row ? cJSON_GetArrayItem(row, it) : NULL;
    v = e && cJSON_IsNumber(e) ? e->valuedouble : NAN;
    return &v;
}

static void test_fields(void **state)
{
    (void)state;
    FILE *f = fopen(tu_ref("cell/pybamm_comsol_dfn/comsol_1C_fields.json"), "rb");
    if (!f)
        fail_msg("cannot open comsol_1C_fields.json");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *txt = malloc((size_t)len + 1);
    assert_non_null(txt);
    assert_true(fread(txt, 1, (size_t)len, f) == (size_t)len);
    txt[len] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(txt);
    free(txt);
    assert_non_null(root);
    const int it = 100; /* t = 1809.05 s */
    double tf = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "time"), it)->valuedouble;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, cell_ms, "Marquis2019", &p));
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.profile_times = &tf;
    rp.nprofiles = 1;
    ssb_cell_result *r = NULL;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, c, "Discharge at 1C for 1900 s", &rp, &r));
    ssb_cell_profile pr;
    TU_OK(ctx, ssb_cell_result_profile(ctx, r, 0, &pr));
    /* electrolyte concentration and potential on COMSOL's 121 nodes */
    const cJSON *xs = cJSON_GetObjectItem(root, "x");
    double e_ce = 0, e_pe = 0, cmax_dev = 0;
    int nx = cJSON_GetArraySize(xs);
    for (int i = 0; i < nx; i++) {
        double x = cJSON_GetArrayItem(xs, i)->valuedouble;
        double ce = tu_interp(pr.x, pr.c_e, pr.n, x), pe = tu_interp(pr.x, pr.phi_e, pr.n, x);
        double cr = *row_at(cJSON_GetObjectItem(root, "c_e"), i, it);
        double per = *row_at(cJSON_GetObjectItem(root, "phi_e"), i, it);
        e_ce += (ce - cr) * (ce - cr);
        e_pe += (pe - per) * (pe - per);
        cmax_dev = fmax(cmax_dev, fabs(cr - 1000));
    }
    e_ce = sqrt(e_ce / nx);
    e_pe = sqrt(e_pe / nx);
    /* positive surface concentration on COMSOL's 64 positive nodes */
    const cJSON *xp = cJSON_GetObjectItem(root, "x_p");
    double e_cs = 0;
    int np = cJSON_GetArraySize(xp);
    int p0 = 0;
    while (p0 < pr.n && pr.region[p0] != 2)
        p0++;
    for (int i = 0; i < np; i++) {
        double x = cJSON_GetArrayItem(xp, i)->valuedouble;
        double cs = tu_interp(pr.x + p0, pr.c_surf + p0, pr.n - p0, x);
        double cr = *row_at(cJSON_GetObjectItem(root, "c_p_surf"), i, it);
        e_cs += (cs - cr) * (cs - cr);
    }
    e_cs = sqrt(e_cs / np);
    printf("  1C fields at t = %.1f s: c_e rms %.2f mol/m3 (COMSOL deviation from 1000 up to %.0f), phi_e rms %.2f mV, "
           "positive c_surf rms %.1f mol/m3 (of 51218)\n",
           tf, e_ce, cmax_dev, e_pe * 1e3, e_cs);
    assert_true(e_ce < 0.03 * cmax_dev);
    assert_true(e_pe < 2e-3);
    assert_true(e_cs < 0.005 * 51217.9);
    ssb_cell_result_destroy(&r);
    ssb_cell_destroy(&c);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_voltage), cmocka_unit_test(test_fields)};
    return cmocka_run_group_tests_name("cell_comsol_full", tests, NULL, NULL);
}
