/* Unit tests of the design module (ssb_design.h): the evaluation's figures against the chain they come from, the
 * metric table, strategies (zero strength = baseline, ranges, availability) and literature trends. Small structures
 * (32 x 32 voxels in-plane) keep it in seconds. */
#include "testutil.h"

#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ssb_ctx *ctx;
    ssb_materials *db;
    ssb_cell_params *cell;
} fixture;

static int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || ssb_ctx_create(&f->ctx) != SSB_OK)
        return -1;
    if (ssb_materials_create(f->ctx, &f->db) != SSB_OK || ssb_materials_load_builtin(f->ctx, f->db) != SSB_OK)
        return -1;
    if (ssb_cell_params_default(f->ctx, f->db, &f->cell) != SSB_OK)
        return -1;
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *f = *state;
    ssb_cell_params_destroy(&f->cell);
    ssb_materials_destroy(&f->db);
    ssb_ctx_destroy(&f->ctx);
    free(f);
    return 0;
}

/* A small but real structure: 32 x 32 voxels of 0.4 um in-plane, the full 60 um through-plane. */
static ssb_run_params small_params(void)
{
    ssb_run_params rp = ssb_run_params_default();
    rp.cross_section = 32;
    return rp;
}

/* Every figure of the evaluation against the quantity it comes from: ssb_run on the same cell at the same rates
 * (rate point, interfaces of stage 5, networks of stage 2, hand-over of stage 3). */
static void test_evaluate_matches_run(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = small_params();
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ssb_design_metrics m;
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, f->cell, &rp, &ep, &m));
    rp.nrates = 2;
    rp.rates[0] = ep.ref_rate;
    rp.rates[1] = ep.rate;
    ssb_run_result res;
    TU_OK(f->ctx, ssb_run(f->ctx, f->db, f->cell, &rp, &res));
    const ssb_cell_rate_point *pt = &res.points[1];
    assert_true(m.sustained && pt->sustained);
    TU_ASSERT_REL(m.capacity, pt->capacity, 1e-12);
    TU_ASSERT_REL(m.energy, pt->energy, 1e-12);
    TU_ASSERT_REL(m.wh_per_kg, pt->wh_per_kg, 1e-12);
    TU_ASSERT_REL(m.wh_per_l, pt->wh_per_l, 1e-12);
    TU_ASSERT_REL(m.specific_capacity, pt->specific_capacity, 1e-12);
    TU_ASSERT_REL(m.ref_capacity, res.points[0].capacity, 1e-12);
    assert_int_equal(m.bottleneck, pt->bottleneck);
    TU_ASSERT_REL(m.bottleneck_loss, pt->mean.loss[pt->bottleneck], 1e-12);
    TU_ASSERT_REL(m.current, pt->current, 1e-12);
    assert_true(res.iface && m.aged_available);
    TU_ASSERT_REL(m.R_pos_aged, res.interfaces.R_pos_aged, 1e-12);
    TU_ASSERT_REL(m.R_neg_aged, res.interfaces.R_neg_aged, 1e-12);
    TU_ASSERT_REL(m.active_fraction, res.cam.active_fraction, 1e-12);
    TU_ASSERT_REL(m.tau_ion, res.ion.tau, 1e-12);
    TU_ASSERT_REL(m.sigma_i_eff, res.values.pos.sigma_i_eff, 1e-12);
    TU_ASSERT_REL(m.area_per_volume, res.values.pos.area_per_volume, 1e-12);
    /* power capability: C/10 -> 1C keeps > 80 % on this cell (about 90 %), so at least 1C; the next rung that it
       reaches keeps the retention, checked by a discharge of its own */
    assert_true(m.power_rate >= 1.0);
    /* aged cell: higher resistances, no more capacity */
    assert_true(m.R_pos_aged >= m.R_pos_initial && m.retention_aged <= 1.0 && m.retention_aged > 0.5);
    /* Li anode at 1 MPa: the CCS of ssb_mech for the same record and temperature */
    assert_true(m.ccs_available);
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    TU_OK(f->ctx, ssb_mech_db_load(f->ctx, NULL, &mdb));
    TU_OK(f->ctx, ssb_mech_db_anode(f->ctx, mdb, f->db, "Li", &a));
    double ccs;
    TU_OK(f->ctx, ssb_mech_li_ccs(f->ctx, a, 1e6, 298.15, &ccs));
    TU_ASSERT_REL(m.ccs, ccs, 1e-12);
    ssb_mech_db_destroy(&mdb);
    /* metric values in their display units */
    double x;
    TU_OK(f->ctx, ssb_design_metric_value(f->ctx, &m, "energy_Wh_per_kg", &x));
    TU_ASSERT_REL(x, pt->wh_per_kg, 1e-12);
    TU_OK(f->ctx, ssb_design_metric_value(f->ctx, &m, "capacity_mAh_per_cm2", &x));
    TU_ASSERT_REL(x, pt->capacity / 36000.0, 1e-12); /* 1 mAh/cm2 = 3.6 C / 1e-4 m2 = 36000 C/m2 */
    TU_OK(f->ctx, ssb_design_metric_value(f->ctx, &m, "critical_stripping_current_mA_per_cm2", &x));
    TU_ASSERT_REL(x, ccs / 10.0, 1e-12); /* 1 mA/cm2 = 10 A/m2 */
    printf("PASS: evaluate = run: %.4g Wh/kg at 1C, power %g C, R aged %.4g ohm cm2, CCS %.4g mA/cm2\n", m.wh_per_kg,
           m.power_rate, m.R_pos_aged * 1e4, m.ccs / 10);
    ssb_run_result_destroy(&res);
}

/* The coating model with no coating reproduces stage 5 (ssb_iface_assess_cell) exactly. */
static void test_coated_resistance_bare(void **state)
{
    fixture *f = *state;
    ssb_iface_db *idb = NULL;
    TU_OK(f->ctx, ssb_iface_db_load(f->ctx, NULL, &idb));
    ssb_iface_assessment a;
    TU_OK(f->ctx, ssb_iface_assess_cell(f->ctx, f->db, idb, f->cell, 1000, &a));
    double R0, R1;
    TU_OK(f->ctx, ssb_design_coated_resistance(f->ctx, f->db, idb, f->cell, NULL, 1000, &R0, &R1));
    TU_ASSERT_REL(R0, a.R_pos_initial, 1e-12);
    TU_ASSERT_REL(R1, a.R_pos_aged, 1e-12);
    assert_true(R1 > R0);
    ssb_iface_db_destroy(&idb);
    printf("PASS: bare coating model = stage 5 (%.4g -> %.4g ohm cm2 after 1000 h)\n", R0 * 1e4, R1 * 1e4);
}

static void test_metric_names(void **state)
{
    fixture *f = *state;
    ssb_design_metrics m;
    memset(&m, 0, sizeof m);
    double x;
    assert_int_equal(ssb_design_metric_value(f->ctx, &m, "energy_Wh_per_kgg", &x), SSB_ERR_NOTFOUND);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "energy_Wh_per_kg"));
    int n = ssb_design_metric_count();
    assert_true(n >= 10);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            assert_string_not_equal(ssb_design_metric_at(i)->name, ssb_design_metric_at(j)->name);
    assert_null(ssb_design_metric_at(n));
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.rate = 0;
    assert_int_equal(ssb_design_eval_params_check(f->ctx, &ep), SSB_ERR_RANGE);
    printf("PASS: %d metric names, unknown name suggests the closest\n", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_matches_run),
        cmocka_unit_test(test_coated_resistance_bare),
        cmocka_unit_test(test_metric_names),
    };
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
