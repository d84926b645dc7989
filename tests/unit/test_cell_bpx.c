/* BPX import (tests/reference/cell/bpx): parameter mapping, the About:Energy NMC111|graphite pouch cell against its
 * measured C/20 and 1C discharges (the file's "Validation" block), the "ssbnet" block that turns the cell into a
 * solid-state cell, and the error paths (blended electrodes, SPM-only files). */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F_ SSB_CONST_FARADAY

static void test_mapping(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_bpx(ctx, NULL, tu_ref("cell/bpx/nmc_pouch_cell_BPX.json"), &p));
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);
    assert_int_equal(v.el.kind, SSB_CELL_LIQUID);
    assert_int_equal(v.anode, SSB_CELL_ANODE_COMPOSITE);
    /* numbers from nmc_pouch_cell_BPX.json */
    TU_ASSERT_REL(v.cell.area, 0.016808 * 34, 1e-12);
    TU_ASSERT_REL(v.cell.nominal_capacity, 12.5 * 3600 / (0.016808 * 34), 1e-12);
    TU_ASSERT_REL(v.pos.eps_active, 432072 * 4.6e-6 / 3, 1e-12);
    TU_ASSERT_REL(v.pos.sigma_e_eff, 0.789, 1e-12);
    TU_ASSERT_REL(v.pos.transport_eff, 0.1462, 1e-12);
    TU_ASSERT_REL(v.pos.sto_init, 0.42424, 1e-12); /* initial SOC 1: the positive starts at its minimum */
    TU_ASSERT_REL(v.neg.sto_init, 0.75668, 1e-12);
    TU_ASSERT_REL(v.el.t_plus, 0.2594, 1e-12);
    ssb_cell_derived d;
    TU_OK(ctx, ssb_cell_params_derive(ctx, p, &d));
    TU_ASSERT_REL(d.i0_ref_pos, F_ * 2.305e-5 / 2, 1e-12);
    /* kappa(1000 mol/m3) = 0.1297 - 2.51 + 3.329 S/m (BPX expression) */
    double k;
    TU_OK(ctx, ssb_cell_params_eval_fn(ctx, p, SSB_CELL_FN_KAPPA, 1000, &k, NULL));
    TU_ASSERT_REL(k, 0.1297 - 2.51 + 3.329, 1e-12);
    assert_int_equal(ssb_cell_params_bpx_nvalidation(p), 2);
    ssb_cell_params_destroy(&p);
    /* blended electrodes and SPM-only files are refused with a message */
    assert_int_equal(
        ssb_cell_params_from_bpx(ctx, NULL, tu_ref("cell/bpx/nmc_pouch_cell_BPX_blended_electrode.json"), &p),
        SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "blended"));
    assert_int_equal(ssb_cell_params_from_bpx(ctx, NULL, tu_ref("cell/bpx/nmc_pouch_cell_BPX_SPM.json"), &p),
                     SSB_ERR_FORMAT);
    assert_null(p);
    ssb_ctx_destroy(&ctx);
}

static void test_validation_data(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_bpx(ctx, NULL, tu_ref("cell/bpx/nmc_pouch_cell_BPX.json"), &p));
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    /* limits: the model against measurements (not against another model), first 85 % of each discharge */
    const double limit[2] = {15e-3, 30e-3};
    for (int vi = 0; vi < ssb_cell_params_bpx_nvalidation(p); vi++) {
        const char *name;
        int n;
        const double *t, *I, *V;
        TU_OK(ctx, ssb_cell_params_bpx_validation(ctx, p, vi, &name, &n, &t, &I, &V));
        char proto[128];
        snprintf(proto, sizeof proto, "Discharge at %.6g A/m2 for %g s", I[1], t[n - 1]);
        ssb_cell_result *r = NULL;
        TU_OK(ctx, ssb_cell_run_protocol(ctx, c, proto, NULL, &r));
        int nm = ssb_cell_result_npoints(r);
        const double *tm = ssb_cell_result_series(r, SSB_CELL_T), *Vm = ssb_cell_result_series(r, SSB_CELL_V);
        double s2 = 0;
        int cnt = 0, k = 1;
        for (int i = 1; i < n && t[i] <= 0.85 * t[n - 1]; i++) { /* i = 0 is the rest voltage before the current */
            while (k < nm - 2 && tm[k + 1] < t[i])
                k++;
            double vm = Vm[k] + (Vm[k + 1] - Vm[k]) * (t[i] - tm[k]) / (tm[k + 1] - tm[k]);
            s2 += (vm - V[i]) * (vm - V[i]);
            cnt++;
        }
        double rms = sqrt(s2 / cnt);
        printf("  BPX NMC pouch, %s (%s): %.1f mV RMS against the measurement over %d points\n", name, proto, rms * 1e3,
               cnt);
        assert_true(rms < limit[vi]);
        ssb_cell_result_destroy(&r);
    }
    ssb_cell_destroy(&c);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* The "ssbnet" block: the BPX positive electrode in a Li6PS5Cl composite with a Li-metal negative. */
static void test_ssbnet_block(void **state)
{
    (void)state;
    FILE *f = fopen(tu_ref("cell/bpx/nmc_pouch_cell_BPX.json"), "rb");
    assert_non_null(f);
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
    cJSON *blk =
        cJSON_Parse("{\"electrolyte\": {\"type\": \"single_ion\", \"material\": \"Li6PS5Cl\"},"
                    " \"separator\": {\"thickness_um\": 31.7, \"electrolyte_volume_fraction\": 1.0},"
                    " \"positive\": {\"electrolyte\": \"Li6PS5Cl\", \"interface_resistance_ohm_cm2\": 7.3},"
                    " \"negative\": {\"type\": \"lithium_metal\", \"thickness_um\": 23,"
                    "   \"exchange_current_density_mA_per_cm2\": 2.57, \"interface_resistance_ohm_cm2\": 1.9}}");
    assert_non_null(blk);
    cJSON_AddItemToObject(root, "ssbnet", blk);
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    char path[512];
    snprintf(path, sizeof path, "%s/bpx_ssb.json", tu_tmpdir());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(out, f);
    fclose(f);
    free(out);
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_bpx(ctx, NULL, path, &p));
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);
    assert_int_equal(v.el.kind, SSB_CELL_SINGLE_ION);
    assert_int_equal(v.anode, SSB_CELL_ANODE_LI_METAL);
    ssb_cell_derived d;
    TU_OK(ctx, ssb_cell_params_derive(ctx, p, &d));
    /* Li6PS5Cl 0.195 S/m (materials DB) times the BPX transport efficiency of the positive electrode */
    TU_ASSERT_REL(d.sigma_i_eff_pos, 0.195 * 0.1462, 1e-9);
    TU_ASSERT_REL(d.sigma_sep_eff, 0.195, 1e-9);
    TU_ASSERT_REL(d.i0_li, 25.7, 1e-12);
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    ssb_cell_result *r = NULL;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, c, "Discharge at 0.5C until 3.2 V", NULL, &r));
    ssb_cell_step_result s;
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 0, &s));
    printf("  BPX positive in a Li6PS5Cl composite vs Li metal, C/2 to 3.2 V: %.3f Ah/m2, mean %.4f V\n",
           s.capacity / 3600, s.mean.voltage);
    assert_true(s.end == SSB_CELL_END_VOLTAGE && s.capacity > 0.5 * v.cell.nominal_capacity);
    ssb_cell_result_destroy(&r);
    ssb_cell_destroy(&c);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mapping), cmocka_unit_test(test_validation_data),
                                       cmocka_unit_test(test_ssbnet_block)};
    return cmocka_run_group_tests_name("cell_bpx", tests, NULL, NULL);
}
