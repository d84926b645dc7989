/* Unit tests of the design module (ssb_design.h): the evaluation's figures against the chain they come from, the
 * metric table, strategies (zero strength = baseline, ranges, availability) and literature trends. Small structures
 * (32 x 32 voxels in-plane) keep it in seconds. */
#include "testutil.h"
#include "ssb_config.h"

#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    ssb_ctx *ctx;
    ssb_materials *db;
    ssb_cell_params *cell;
} fixture;

static int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_db_open(&f->ctx, &f->db, NULL, NULL) || ssb_cell_params_default(f->ctx, f->db, &f->cell) != SSB_OK)
        return -1;
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *f = *state;
    ssb_cell_params_destroy(&f->cell);
    tu_db_close(&f->ctx, &f->db, NULL, NULL);
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

/* The figures two evaluations must share bit for bit (not the wall time). */
static void assert_same_metrics(const ssb_design_metrics *a, const ssb_design_metrics *b, const char *what)
{
    const double x[] = {a->capacity, a->energy, a->wh_per_kg, a->wh_per_l, a->v_mean, a->bottleneck_loss,
                        a->ref_capacity, a->power_rate, a->ccs, a->li_contact_fraction, a->R_pos_initial,
                        a->R_pos_aged, a->R_neg_aged, a->capacity_aged, a->active_fraction, a->tau_ion,
                        a->sigma_i_eff, a->sigma_e_eff, a->area_per_volume};
    const double y[] = {b->capacity, b->energy, b->wh_per_kg, b->wh_per_l, b->v_mean, b->bottleneck_loss,
                        b->ref_capacity, b->power_rate, b->ccs, b->li_contact_fraction, b->R_pos_initial,
                        b->R_pos_aged, b->R_neg_aged, b->capacity_aged, b->active_fraction, b->tau_ion,
                        b->sigma_i_eff, b->sigma_e_eff, b->area_per_volume};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++) {
        if (!(x[i] == y[i] || (isnan(x[i]) && isnan(y[i]))))
            fail_msg("%s: figure %zu differs: %.17g vs %.17g", what, i, x[i], y[i]);
    }
    assert_int_equal(a->bottleneck, b->bottleneck);
    assert_memory_equal(&a->breakdown, &b->breakdown, sizeof a->breakdown);
}

/* Issue 12 consistency: every available strategy at zero strength (its neutral values) reproduces the baseline
 * exactly, and compare is deterministic for a seed whatever the thread count. */
static void test_zero_strength_and_determinism(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = small_params();
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ssb_design_choice ch[32];
    int n = 0;
    for (int i = 0; i < ssb_design_strategy_count(); i++) {
        if (!ssb_design_strategy_available(f->ctx, f->db, i, NULL, 0))
            continue;
        const ssb_design_strategy *s = ssb_design_strategy_at(i);
        ch[n].strategy = i;
        for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++)
            ch[n].values[k] = k < s->nparams ? s->params[k].neutral : NAN;
        n++;
    }
    assert_true(n >= 8);
    ssb_design_comparison c1, c2;
    ssb_ctx_set_threads(f->ctx, 2);
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &rp, &ep, n, ch, &c1));
    assert_int_equal(c1.n, n + 1);
    assert_string_equal(c1.v[0].name, "baseline");
    for (int i = 1; i < c1.n; i++) {
        assert_true(c1.v[i].ok);
        assert_true(c1.v[i].reused); /* nothing changed: the baseline's structure serves */
        assert_same_metrics(&c1.v[i].m, &c1.v[0].m, c1.v[i].name);
    }
    /* the baseline of compare = a single evaluation through the whole chain */
    ssb_design_metrics m;
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, f->cell, &rp, &ep, &m));
    assert_same_metrics(&m, &c1.v[0].m, "evaluate vs compare baseline");
    /* default strengths on a thinner cathode (30 um: fast): twice at 2 threads bit for bit; at 1 thread the same to
       1e-12 (the marching-cubes area of the micro module sums in thread order: last bits differ) */
    ssb_cell_params *thin = NULL;
    TU_OK(f->ctx, ssb_cell_params_copy(f->ctx, f->cell, &thin));
    TU_OK(f->ctx, ssb_cell_params_set(f->ctx, thin, "positive.thickness_um", 30));
    /* the cell-level strategies and two that measure a structure again (not small_cam: its finer voxels cost) */
    int m2 = 0;
    for (int i = 0; i < n; i++) {
        const ssb_design_strategy *s = ssb_design_strategy_at(ch[i].strategy);
        if (!s->reuses_structure && strcmp(s->name, "densification") && strcmp(s->name, "vertical_channels"))
            continue;
        ch[m2].strategy = ch[i].strategy;
        for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++)
            ch[m2].values[k] = NAN;
        m2++;
    }
    n = m2;
    ssb_design_comparison_destroy(&c1);
    ssb_design_comparison c3;
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, thin, &rp, &ep, n, ch, &c1));
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, thin, &rp, &ep, n, ch, &c3));
    ssb_ctx_set_threads(f->ctx, 1);
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, thin, &rp, &ep, n, ch, &c2));
    ssb_ctx_set_threads(f->ctx, 0);
    int nmeasured = 0;
    for (int i = 0; i < c1.n; i++) {
        assert_true(c1.v[i].ok);
        nmeasured += !c1.v[i].reused;
        assert_int_equal(c1.v[i].rank, c3.v[i].rank);
        assert_same_metrics(&c1.v[i].m, &c3.v[i].m, c1.v[i].name);
        assert_int_equal(c1.v[i].rank, c2.v[i].rank);
        TU_ASSERT_REL(c2.v[i].m.energy, c1.v[i].m.energy, 1e-12);
        TU_ASSERT_REL(c2.v[i].m.capacity, c1.v[i].m.capacity, 1e-12);
        TU_ASSERT_REL(c2.v[i].m.area_per_volume, c1.v[i].m.area_per_volume, 1e-12);
    }
    assert_true(nmeasured == 3); /* baseline, densification and channels measured a structure */
    ssb_cell_params_destroy(&thin);
    ssb_design_comparison_destroy(&c3);
    /* ranks are a permutation of 1..n */
    int seen[64] = {0};
    for (int i = 0; i < c1.n; i++)
        seen[c1.v[i].rank]++;
    for (int r = 1; r <= c1.n; r++)
        assert_int_equal(seen[r], 1);
    printf("PASS: every available strategy at zero strength = baseline bit for bit; compare deterministic (2 threads "
           "twice bit for bit, 1 thread to 1e-12)\n");
    ssb_design_comparison_destroy(&c1);
    ssb_design_comparison_destroy(&c2);
}

/* Applies one strategy with values v (NULL: defaults) to a case of the fixture's cell. */
static ssb_design_case apply_one(fixture *f, const char *name, const double *v, const ssb_run_params *rp)
{
    ssb_design_case dc;
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, name, &idx));
    TU_OK(f->ctx, ssb_design_case_create(f->ctx, f->cell, rp, NULL, &dc));
    TU_OK(f->ctx, ssb_design_strategy_apply(f->ctx, f->db, idx, v, &dc));
    return dc;
}

/* Trend (issue 12): a coating with the right window lowers the aged cathode interface resistance. LiNbO3 lies
 * inside the window between NCM811 and Li6PS5Cl (iface stability ranking) and its nm-thick layer suppresses the
 * interphase growth (Ohta et al., Electrochem. Commun. 9, 1486 (2007); mechanism per FORMULAS-interfaces.md 4.3):
 * thicker coatings at full coverage lower the aged resistance further until the coating's own d/sigma dominates. */
static void test_trend_coating(void **state)
{
    fixture *f = *state;
    ssb_iface_db *idb = NULL;
    TU_OK(f->ctx, ssb_iface_db_load(f->ctx, NULL, &idb));
    double R0b, R1b;
    TU_OK(f->ctx, ssb_design_coated_resistance(f->ctx, f->db, idb, f->cell, NULL, 1000, &R0b, &R1b));
    const double thick[] = {2, 5, 10};
    double prev = R1b;
    for (int i = 0; i < 3; i++) {
        const double v[2] = {thick[i], 1.0};
        ssb_design_case dc = apply_one(f, "coating", v, NULL);
        assert_true(dc.eval.coating.thickness > 0);
        TU_ASSERT_REL(dc.eval.coating.thickness, thick[i] * 1e-9, 1e-12);
        double R0, R1;
        TU_OK(f->ctx, ssb_design_coated_resistance(f->ctx, f->db, idb, f->cell, &dc.eval.coating, 1000, &R0, &R1));
        /* fresh: the coating's series resistance d / sigma_ion exactly (full coverage, no interphase yet) */
        TU_ASSERT_REL(R0 - R0b, dc.eval.coating.thickness / dc.eval.coating.sigma_ion, 1e-9);
        assert_true(R1 < prev);
        prev = R1;
        ssb_design_case_destroy(&dc);
    }
    /* coverage 0: the bare interface */
    const double v0[2] = {10, 0};
    ssb_design_case dc = apply_one(f, "coating", v0, NULL);
    double R0, R1;
    TU_OK(f->ctx, ssb_design_coated_resistance(f->ctx, f->db, idb, f->cell, &dc.eval.coating, 1000, &R0, &R1));
    TU_ASSERT_REL(R1, R1b, 1e-12);
    ssb_design_case_destroy(&dc);
    ssb_iface_db_destroy(&idb);
    printf("PASS: LiNbO3 coating lowers the aged cathode resistance: %.4g (bare) -> %.4g ohm cm2 (10 nm)\n",
           R1b * 1e4, prev * 1e4);
}

/* The evaluation of a coated cell books the coating once: fresh, the coating's series resistance d / sigma_ion on top
 * of the bare cell's (full coverage, no interphase yet; Ohta et al., Electrochem. Commun. 9, 1486 (2007): 10 nm of
 * LiNbO3 at sqrt(1e-6 * 1e-5) S/cm is 0.316 ohm cm2), aged the coating model on the bare cell. Before, the fresh
 * excess was added to a cell that already held it (2 d / sigma fresh, d / sigma too much aged). */
static void test_evaluate_coating_once(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = small_params();
    rp.micro = 0;
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    ssb_design_metrics mb, mc;
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, f->cell, &rp, &ep, &mb));
    const double v[2] = {10, 1.0};
    ssb_design_case dc = apply_one(f, "coating", v, &rp);
    ep.coating = dc.eval.coating;
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, dc.cell, &rp, &ep, &mc));
    assert_true(mb.aged_available && mc.aged_available);
    const double d_over_sigma = 1e-8 / (100.0 * sqrt(1e-6 * 1e-5)); /* m / (S/m) = ohm m2 */
    TU_ASSERT_REL(dc.eval.coating.sigma_ion, 100.0 * sqrt(1e-6 * 1e-5), 1e-12);
    TU_ASSERT_REL(mc.R_pos_initial - mb.R_pos_initial, d_over_sigma, 1e-9);
    ssb_iface_db *idb = NULL;
    TU_OK(f->ctx, ssb_iface_db_load(f->ctx, NULL, &idb));
    double R0, R1;
    TU_OK(f->ctx, ssb_design_coated_resistance(f->ctx, f->db, idb, f->cell, &dc.eval.coating, mc.hours, &R0, &R1));
    TU_ASSERT_REL(mc.R_pos_aged, R1, 1e-12);
    ssb_iface_db_destroy(&idb);
    ssb_design_case_destroy(&dc);
    printf("PASS: coating booked once: fresh %.4g -> %.4g ohm cm2 (d / sigma = %.4g)\n", mb.R_pos_initial * 1e4,
           mc.R_pos_initial * 1e4, d_over_sigma * 1e4);
}

/* A cell without a mass density (here the Li foil's): no Wh/kg, but Wh/L, which needs only the thicknesses, as
 * `ssbnet cell rates` gives it: energy / stack thickness (1 Wh/L = 3600 J / 1e-3 m3). Before, both were NaN. */
static void test_missing_density_keeps_wh_per_l(void **state)
{
    fixture *f = *state;
    ssb_cell_params *cell = NULL;
    TU_OK(f->ctx, ssb_cell_params_copy(f->ctx, f->cell, &cell));
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    assert_true(v.anode == SSB_CELL_ANODE_LI_METAL && v.li.thickness > 0);
    v.li.density = NAN;
    TU_OK(f->ctx, ssb_cell_params_set_values(f->ctx, cell, &v));
    char miss[256];
    ssb_cell_params_get_values(cell, &v);
    assert_true(ssb_run_missing_densities(&v, miss, sizeof miss));
    ssb_run_params rp = small_params();
    rp.micro = 0;
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    ep.aged_discharge = 0;
    ssb_design_metrics m;
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, cell, &rp, &ep, &m));
    ssb_cell_derived d;
    TU_OK(f->ctx, ssb_cell_params_derive(f->ctx, cell, &d));
    assert_true(m.sustained && isnan(m.wh_per_kg));
    TU_ASSERT_REL(m.wh_per_l, m.energy / 3600.0 / (d.volume * 1000.0), 1e-12);
    printf("PASS: missing %s: Wh/kg '-', %.1f Wh/L\n", miss, m.wh_per_l);
    ssb_cell_params_destroy(&cell);
}

/* A strategy that acts only on the Li-metal anode (pressure, alloy_anode: the critical stripping current;
 * gb_insulation: the effective plating CCD) does not apply to a cell with a composite anode (examples/
 * cell_si_c_se.json, Si-C): compare says so (not ok, SSB_ERR_UNSUPPORTED, "not applicable") instead of the baseline's
 * numbers under the strategy's name; a strategy that does act (thin_separator) is evaluated as before. */
static void test_not_applicable_to_composite_anode(void **state)
{
    fixture *f = *state;
    ssb_cell_params *cell = NULL; /* Si-C composite anode */
    TU_OK(f->ctx, ssb_cell_params_from_json(f->ctx, f->db, SSB_SOURCE_DIR "/examples/cell_si_c_se.json", &cell));
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    assert_int_equal(v.anode, SSB_CELL_ANODE_COMPOSITE);
    ssb_run_params rp = small_params();
    rp.micro = 0;
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    ep.aged_discharge = 0;
    const char *names[4] = {"pressure", "alloy_anode", "gb_insulation", "thin_separator"};
    ssb_design_choice ch[4];
    for (int i = 0; i < 4; i++) {
        ch[i] = (ssb_design_choice){0, {NAN, NAN, NAN, NAN}};
        TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, names[i], &ch[i].strategy));
    }
    ssb_design_comparison c;
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, cell, &rp, &ep, 4, ch, &c));
    assert_true(c.v[0].ok);
    for (int i = 1; i <= 3; i++) {
        assert_false(c.v[i].ok);
        assert_int_equal(c.v[i].error_code, SSB_ERR_UNSUPPORTED);
        assert_non_null(strstr(c.v[i].error, "not applicable to this cell"));
        assert_true(c.v[i].rank > c.v[4].rank && c.v[i].rank > c.v[0].rank);
    }
    assert_true(c.v[4].ok && c.v[4].m.energy > c.v[0].m.energy);
    printf("PASS: composite anode: pressure, alloy_anode, gb_insulation not applicable (%s)\n", c.v[1].error);
    ssb_design_comparison_destroy(&c);
    ssb_cell_params_destroy(&cell);
}

/* The cell alone on its Bruggeman values (no structure) and an evaluation without the power ladder: the quick set-up
 * of the tests that look at one figure of a few variants. */
static ssb_run_params bruggeman_params(void)
{
    ssb_run_params rp = small_params();
    rp.micro = 0;
    return rp;
}

static ssb_design_eval_params no_ladder(void)
{
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    return ep;
}

/* ... and without the discharge on the aged interfaces */
static ssb_design_eval_params no_ladder_unaged(void)
{
    ssb_design_eval_params ep = no_ladder();
    ep.aged_discharge = 0;
    return ep;
}

/* choices for n strategies by name at their default strength */
static void choices_of(fixture *f, int n, const char *const *names, ssb_design_choice *ch)
{
    for (int i = 0; i < n; i++) {
        ch[i] = (ssb_design_choice){0, {NAN, NAN, NAN, NAN}};
        TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, names[i], &ch[i].strategy));
    }
}

/* text with every "from" replaced by "to" (malloc'd; NULL on failure). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), k = 0;
    char *out = malloc(strlen(text) * (nt > nf ? nt / nf + 2 : 1) + 1);
    if (!out)
        return NULL;
    for (const char *p = text; *p;) {
        if (strncmp(p, from, nf) == 0) {
            memcpy(out + k, to, nt);
            k += nt;
            p += nf;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    return out;
}

/* The text of examples/cell.json with every "from" replaced by "to" (malloc'd; NULL on failure). */
static char *example_cell_with(const char *from, const char *to)
{
    FILE *fp = fopen(SSB_SOURCE_DIR "/examples/cell.json", "rb");
    if (!fp)
        return NULL;
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    return replace_all(text, from, to);
}

/* An NCM811 | LGPS | Li cell (every SE of examples/cell.json replaced by Li10GeP2S12): its SE has no record in the
 * mechanics database (no plating CCD), so gb_insulation cannot act on it. Before, the strategy's set-up failed and
 * took the whole comparison with it (exit 8 of 'design compare' without --strategies, and 'ssbnet run' lost its
 * top_strategies); now that variant is 'not applicable' with the reason and the others are evaluated: half the
 * separator halves its ionic loss (ohmic, I L / sigma_eff). */
static void test_not_applicable_without_mech_record(void **state)
{
    fixture *f = *state;
    char *text = example_cell_with("Li6PS5Cl", "Li10GeP2S12");
    assert_non_null(text);
    ssb_cell_params *cell = NULL;
    TU_OK(f->ctx, ssb_cell_params_from_json_string(f->ctx, f->db, text, "lgps cell", &cell));
    free(text);
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder_unaged();
    const char *names[2] = {"gb_insulation", "thin_separator"};
    ssb_design_choice ch[2];
    choices_of(f, 2, names, ch);
    ch[1].values[0] = 0.5;
    ssb_design_comparison c;
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, cell, &rp, &ep, 2, ch, &c));
    assert_true(c.v[0].ok && c.v[2].ok);
    assert_false(c.v[1].ok);
    assert_int_equal(c.v[1].error_code, SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(c.v[1].error, "not applicable to this cell"));
    assert_non_null(strstr(c.v[1].error, "mechanics"));
    assert_true(c.v[1].rank == 3 && c.v[1].evaluated);
    double l0 = c.v[0].m.breakdown.loss[SSB_CELL_LOSS_IONIC_SEP], l1 = c.v[2].m.breakdown.loss[SSB_CELL_LOSS_IONIC_SEP];
    TU_ASSERT_REL(l1 / l0, 0.5, 0.01);
    printf("PASS: LGPS cell: gb_insulation %s; half separator %.4g -> %.4g mV\n", c.v[1].error, l0 * 1e3, l1 * 1e3);
    ssb_design_comparison_destroy(&c);
    ssb_cell_params_destroy(&cell);
}

/* A LiNbO3 coating where the interface data cannot say what it does. NCM811 against LLZO is unstable above 2.91 V
 * (computed window, Zhu, He, Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015)) and data/iface/interfaces.json has
 * no growth record for it: the evaluation does not age that interface, so before, the coating came out as 'no
 * effect' -- the reverse of why oxide cathode|LLZO interfaces are coated. Now the coating is 'not applicable' with
 * the reason and the baseline's aged figures carry a note. Against Li3InCl6 (window to 4.2 V, 0.1 V short of
 * 4.3 V: nearly stable; halides need no coating at 4.3 V, Li et al., Energy Environ. Sci. 12, 2665 (2019)) the
 * coating is evaluated and gains nothing: the aged resistance is not lower than the bare one. */
static void test_coating_without_growth_data(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder();
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "coating", &idx));
    ssb_design_choice ch = {idx, {NAN, NAN, NAN, NAN}};
    const char *se[2] = {"LLZO", "Li3InCl6"};
    for (int k = 0; k < 2; k++) {
        char *t40 = example_cell_with("Li6PS5Cl", se[k]);
        assert_non_null(t40); /* at 25 C: the database gives Li3InCl6's activation energy as a range only */
        char *text = replace_all(t40, "\"temperature_C\": 40", "\"temperature_C\": 25");
        free(t40);
        assert_non_null(text);
        ssb_cell_params *cell = NULL;
        TU_OK(f->ctx, ssb_cell_params_from_json_string(f->ctx, f->db, text, se[k], &cell));
        free(text);
        ssb_design_comparison c;
        TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, cell, &rp, &ep, 1, &ch, &c));
        const ssb_design_metrics *b = &c.v[0].m;
        assert_true(c.v[0].ok && b->aged_available);
        if (k == 0) {
            assert_false(c.v[1].ok);
            assert_int_equal(c.v[1].error_code, SSB_ERR_UNSUPPORTED);
            assert_non_null(strstr(c.v[1].error, "not applicable to this cell"));
            assert_non_null(strstr(c.v[1].error, "no interphase growth data"));
            assert_non_null(strstr(b->aged_note, "growth not modelled"));
            printf("PASS: NCM811|LLZO: %s\n", c.v[1].error);
        } else {
            assert_true(c.v[1].ok);
            /* the cathode pair is not named; the Li|Li3InCl6 one is (reduced below 2.4 V: Wang et al., Angew.
               Chem. Int. Ed. 58, 8039 (2019), no growth record) */
            assert_null(strstr(b->aged_note, "NCM811"));
            assert_non_null(strstr(b->aged_note, "Li|Li3InCl6 is unstable"));
            assert_true(c.v[1].m.R_pos_aged >= b->R_pos_aged);
            assert_true(c.v[1].m.wh_per_kg <= b->wh_per_kg);
            printf("PASS: NCM811|Li3InCl6: coated aged R %.4g >= bare %.4g ohm cm2\n", 1e4 * c.v[1].m.R_pos_aged,
                   1e4 * b->R_pos_aged);
        }
        ssb_design_comparison_destroy(&c);
        ssb_cell_params_destroy(&cell);
    }
}

/* Trend (issue 12): higher stack pressure raises the critical stripping current (Kasemchainan et al., Nat. Mater.
 * 18, 1105 (2019): creep of Li feeds the interface; Doux et al., Adv. Energy Mater. 10, 1903253 (2020)), through
 * the pressure strategy and the evaluation of the cell (Bruggeman cell, no structure: the anode is what changes). */
static void test_trend_pressure(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = small_params();
    rp.micro = 0;
    const double added[] = {0, 1, 4, 10};
    double prev = -1;
    for (int i = 0; i < 4; i++) {
        const double v[1] = {added[i]};
        ssb_design_case dc = apply_one(f, "pressure", v, &rp);
        TU_ASSERT_REL(dc.eval.stack_pressure, 1e6 + added[i] * 1e6, 1e-12);
        ssb_design_metrics m;
        TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, dc.cell, &dc.run, &dc.eval, &m));
        assert_true(m.ccs_available);
        assert_true(m.ccs > prev);
        prev = m.ccs;
        ssb_design_case_destroy(&dc);
    }
    printf("PASS: CCS rises with stack pressure (1 -> 11 MPa: up to %.4g mA/cm2)\n", prev / 10);
}

/* The fixture's cell against one strategy with its first parameter at x: a comparison of two variants. */
static void compare_one(fixture *f, const char *name, double x, const ssb_run_params *rp,
                        const ssb_design_eval_params *ep, ssb_design_comparison *c)
{
    ssb_design_choice ch = {0, {x, NAN, NAN, NAN}};
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, name, &ch.strategy));
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, rp, ep, 1, &ch, c));
}

/* On the cell's Bruggeman values (run.micro 0: "microstructure": {"enabled": false}) a strategy that acts through
 * the generator (sintering, graded_cathode) changes nothing: 'not applicable' with the reason instead of the
 * baseline's numbers under its name. small_cam acts on the cell itself: the solid-diffusion loss of a sphere at
 * steady flux is j_n R / (5 D) times dU/dc terms with j_n = i / (a L) and a = 3 eps / R, so it scales as R^2:
 * 0.6 R gives 0.36 of the loss (to 10 %: the flux is not steady over the discharge). */
static void test_generator_strategies_on_bruggeman(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder_unaged();
    const char *names[3] = {"sintering", "graded_cathode", "small_cam"};
    ssb_design_choice ch[3];
    choices_of(f, 3, names, ch);
    ch[2].values[0] = 0.6;
    ssb_design_comparison c;
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &rp, &ep, 3, ch, &c));
    for (int i = 1; i <= 2; i++) {
        assert_false(c.v[i].ok);
        assert_int_equal(c.v[i].error_code, SSB_ERR_UNSUPPORTED);
        assert_non_null(strstr(c.v[i].error, "Bruggeman"));
    }
    assert_true(c.v[3].ok);
    const int k = SSB_CELL_LOSS_DIFF_POS;
    TU_ASSERT_REL(c.v[3].m.breakdown.loss[k] / c.v[0].m.breakdown.loss[k], 0.36, 0.1);
    printf("PASS: Bruggeman cell: %s; small_cam 0.6: solid diffusion %.4g -> %.4g mV\n", c.v[1].error,
           1e3 * c.v[0].m.breakdown.loss[k], 1e3 * c.v[3].m.breakdown.loss[k]);
    ssb_design_comparison_destroy(&c);
}

/* Densification fills the cathode's voids with SE: on Bruggeman values sigma_eff = sigma eps^1.5, so filling 0.8 of
 * the voids raises sigma_eff by (e1 / e0)^1.5 and the composite's ionic loss falls toward (e0 / e1)^1.5 (to 5 %, and
 * less than that: with less ionic resistance the reaction spreads deeper into the cathode). A cathode without voids
 * has nothing to fill: 'not applicable' instead of the baseline's numbers under the strategy's name. */
static void test_densification_bruggeman(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder_unaged();
    ssb_cell_values v;
    ssb_cell_params_get_values(f->cell, &v);
    const double e0 = 1.0 - v.pos.eps_active - v.pos.eps_active_dead - v.pos.eps_inert - v.pos.porosity,
                 e1 = e0 + 0.8 * v.pos.porosity, br = pow(e0 / e1, 1.5);
    assert_true(isnan(v.pos.transport_eff) && v.pos.brugg_i == 1.5);
    ssb_design_comparison c;
    compare_one(f, "densification", 0.8, &rp, &ep, &c);
    assert_true(c.v[1].ok);
    const int k = SSB_CELL_LOSS_IONIC_POS;
    const double ratio = c.v[1].m.breakdown.loss[k] / c.v[0].m.breakdown.loss[k];
    assert_true(ratio > br && ratio < 1.0);
    TU_ASSERT_REL(ratio, br, 0.05);
    printf("PASS: densification SE %.3f -> %.3f: ionic loss %.4g -> %.4g mV (Bruggeman %.3f)\n", e0, e1,
           1e3 * c.v[0].m.breakdown.loss[k], 1e3 * c.v[1].m.breakdown.loss[k], br);
    ssb_design_comparison_destroy(&c);
    ssb_cell_params *dense = NULL;
    TU_OK(f->ctx, ssb_cell_params_copy(f->ctx, f->cell, &dense));
    v.pos.eps_electrolyte += v.pos.porosity;
    v.pos.porosity = 0;
    TU_OK(f->ctx, ssb_cell_params_set_values(f->ctx, dense, &v));
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "densification", &idx));
    ssb_design_choice ch = {idx, {NAN, NAN, NAN, NAN}};
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, dense, &rp, &ep, 1, &ch, &c));
    assert_false(c.v[1].ok);
    assert_non_null(strstr(c.v[1].error, "no voids"));
    ssb_design_comparison_destroy(&c);
    ssb_cell_params_destroy(&dense);
}

/* Variants equal on every ranking criterion (gb_insulation moves only the plating CCD, a coating of 0 nm nothing) rank
 * in the order of the strategy table, whatever order they were named in: before, --strategies a,b and b,a gave
 * swapped ranks for the same cell. */
static void test_tie_order_independent(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder();
    int gb, co;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "gb_insulation", &gb));
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "coating", &co));
    assert_true(gb < co);
    for (int order = 0; order < 2; order++) {
        ssb_design_choice ch[2] = {{gb, {NAN, NAN, NAN, NAN}}, {co, {0, NAN, NAN, NAN}}};
        if (order) {
            ssb_design_choice t = ch[0];
            ch[0] = ch[1];
            ch[1] = t;
        }
        ssb_design_comparison c;
        TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &rp, &ep, 2, ch, &c));
        const int igb = order ? 2 : 1, ico = order ? 1 : 2;
        assert_true(c.v[igb].m.wh_per_kg == c.v[ico].m.wh_per_kg && c.v[igb].m.ccs == c.v[ico].m.ccs &&
                    c.v[igb].m.retention_aged == c.v[ico].m.retention_aged);
        assert_int_equal(c.v[0].rank, 1);
        assert_int_equal(c.v[igb].rank, 2);
        assert_int_equal(c.v[ico].rank, 3);
        ssb_design_comparison_destroy(&c);
    }
    printf("PASS: tied variants rank in the strategy table's order, not the order given\n");
}

/* A CCS beyond the stripping model's range (100 mA/cm2, SSB_MECH_J_MAX, where `iface lithium` sets
 * ccs_beyond_model_range) is not ranked on: at 10 and 50 MPa the p^6.6 creep law gives ~460 and ~2e7 mA/cm2
 * (Masias et al. 2019's n = 6.6 from the calibration at 3 MPa; README: it overstates the CCS above ~5 MPa). Before,
 * compare printed and ranked 458 -> 1.88e7 mA/cm2; now both count as 100 mA/cm2 (equal CCS rank), with a note. */
static void test_ccs_beyond_model_range(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = bruggeman_params();
    ssb_design_eval_params ep = no_ladder_unaged();
    ep.stack_pressure = 10e6;
    ssb_design_comparison c;
    compare_one(f, "pressure", 40, &rp, &ep, &c);
    ssb_mech_db *mdb = NULL;
    const ssb_mech_anode *a = NULL;
    TU_OK(f->ctx, ssb_mech_db_load(f->ctx, NULL, &mdb));
    TU_OK(f->ctx, ssb_mech_db_anode(f->ctx, mdb, f->db, "Li", &a));
    ssb_cell_values v;
    ssb_cell_params_get_values(f->cell, &v);
    for (int i = 0; i < 2; i++) {
        double raw;
        TU_OK(f->ctx, ssb_mech_li_ccs(f->ctx, a, i ? 50e6 : 10e6, v.cell.T, &raw));
        assert_true(raw > SSB_MECH_J_MAX);
        assert_true(c.v[i].ok && c.v[i].m.ccs_available);
        assert_true(c.v[i].m.ccs == SSB_MECH_J_MAX);
        assert_non_null(strstr(c.v[i].m.ccs_note, "beyond the model's range"));
        printf("PASS: %g MPa: CCS %.3g mA/cm2 counted as 100 (%s)\n", i ? 50.0 : 10.0, raw * 0.1, c.v[i].m.ccs_note);
    }
    assert_int_equal(c.v[0].rank_by[2], c.v[1].rank_by[2]);
    /* report.html says so too */
    char path[] = "/tmp/ssb_design_ccs_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    TU_OK(f->ctx, ssb_design_comparison_write_html(f->ctx, &c, NULL, path));
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char html[1 << 20];
    size_t nh = fread(html, 1, sizeof html - 1, fp);
    fclose(fp);
    remove(path);
    html[nh] = '\0';
    assert_non_null(strstr(html, "beyond the model"));
    ssb_mech_db_destroy(&mdb);
    ssb_design_comparison_destroy(&c);
}

/* A thinner separator: its ionic loss scales with its thickness (ohmic: I L / sigma_eff), every other process of
 * the discharge nearly unchanged; the structure is reused. */
static void test_thin_separator_ohmic(void **state)
{
    fixture *f = *state;
    ssb_run_params rp = small_params();
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "thin_separator", &idx));
    ssb_design_choice ch = {idx, {0.5, NAN, NAN, NAN}};
    ssb_design_comparison c;
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &rp, &ep, 1, &ch, &c));
    assert_true(c.v[1].reused);
    double l0 = c.v[0].m.breakdown.loss[SSB_CELL_LOSS_IONIC_SEP], l1 = c.v[1].m.breakdown.loss[SSB_CELL_LOSS_IONIC_SEP];
    TU_ASSERT_REL(l1 / l0, 0.5, 0.01); /* the mean current differs slightly with the capacity delivered */
    assert_true(c.v[1].m.wh_per_kg > c.v[0].m.wh_per_kg);
    assert_int_equal(c.v[1].rank, 1);
    printf("PASS: half the separator: ionic separator loss %.4g -> %.4g mV\n", l0 * 1e3, l1 * 1e3);
    ssb_design_comparison_destroy(&c);
}

/* Bad input: unknown strategy (closest name), parameter out of range (name and range), unavailable strategy,
 * the case unchanged on error; compare refuses before running anything. */
static void test_strategy_errors(void **state)
{
    fixture *f = *state;
    int idx;
    assert_int_equal(ssb_design_strategy_find(f->ctx, "coatng", &idx), SSB_ERR_NOTFOUND);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "closest: coating"));
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "coating", &idx));
    ssb_design_case dc;
    TU_OK(f->ctx, ssb_design_case_create(f->ctx, f->cell, NULL, NULL, &dc));
    const double bad[2] = {500, 0.9};
    assert_int_equal(ssb_design_strategy_apply(f->ctx, f->db, idx, bad, &dc), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(f->ctx), "thickness_nm = 500 is out of range (valid: 0 to 100 nm)"));
    assert_true(dc.eval.coating.thickness == 0);
    int vf;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "void_filling", &vf));
    char reason[SSB_DESIGN_NOTE_LEN];
    assert_int_equal(ssb_design_strategy_available(f->ctx, f->db, vf, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "pore"));
    assert_int_equal(ssb_design_strategy_apply(f->ctx, f->db, vf, NULL, &dc), SSB_ERR_UNSUPPORTED);
    ssb_design_choice ch = {vf, {NAN, NAN, NAN, NAN}};
    ssb_design_comparison c;
    assert_int_equal(ssb_design_compare(f->ctx, f->db, f->cell, NULL, NULL, 1, &ch, &c), SSB_ERR_UNSUPPORTED);
    assert_int_equal(c.n, 0);
    ssb_design_case_destroy(&dc);
    printf("PASS: unknown strategy, out-of-range parameter, unavailable strategy refused\n");
}

/* The pressure variant's stack pressure is the baseline's plus pressure.added_pressure_MPa, and the evaluation's
 * range (0 to 100 MPa) holds for that sum too: 80 + 40 = 120 MPa is refused before anything is evaluated (exit 7
 * in the CLI), naming both values, the sum and the range; 80 + 20 = 100 MPa is accepted. The default addition
 * (4 MPa) on a 99 MPa baseline the caller did not ask for makes the variant not applicable, with the reason, and
 * the other variants still run. */
static void test_pressure_sum_range(void **state)
{
    fixture *f = *state;
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "pressure", &idx));
    ssb_design_eval_params ep = no_ladder();
    ep.stack_pressure = 80e6;
    ssb_design_choice ch = {idx, {40, NAN, NAN, NAN}};
    ssb_design_comparison c;
    assert_int_equal(ssb_design_compare(f->ctx, f->db, f->cell, NULL, &ep, 1, &ch, &c), SSB_ERR_RANGE);
    assert_int_equal(c.n, 0);
    const char *msg = ssb_ctx_get_error(f->ctx);
    assert_non_null(strstr(msg, "pressure.added_pressure_MPa = 40"));
    assert_non_null(strstr(msg, "baseline stack pressure 80 MPa (--pressure)"));
    assert_non_null(strstr(msg, "gives 120 MPa"));
    assert_non_null(strstr(msg, "valid: 0 to 100 MPa"));
    printf("PASS: refused up front: %s\n", msg);
    ssb_ctx_clear_error(f->ctx);
    ssb_design_case dc;
    TU_OK(f->ctx, ssb_design_case_create(f->ctx, f->cell, NULL, &ep, &dc));
    const double edge[1] = {20};
    TU_OK(f->ctx, ssb_design_strategy_apply(f->ctx, f->db, idx, edge, &dc));
    TU_ASSERT_REL(dc.eval.stack_pressure, 100e6, 1e-12);
    ssb_design_case_destroy(&dc);
    ssb_run_params rp = bruggeman_params();
    ep.stack_pressure = 99e6;
    ssb_design_choice def = {idx, {NAN, NAN, NAN, NAN}};
    TU_OK(f->ctx, ssb_design_compare(f->ctx, f->db, f->cell, &rp, &ep, 1, &def, &c));
    assert_int_equal(c.n, 2);
    assert_true(c.v[0].ok);
    assert_false(c.v[1].ok);
    assert_int_equal(c.v[1].error_code, SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(c.v[1].error, "gives 103 MPa"));
    printf("PASS: default addition at 99 MPa: %s\n", c.v[1].error);
    ssb_design_comparison_destroy(&c);
}

/* Evaluate the fixture's cell (thickness t_um) with one strategy at values v (NULL entry list: baseline). */
static void eval_with(fixture *f, double t_um, const char *name, const double *v, ssb_design_metrics *m)
{
    ssb_run_params rp = small_params();
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.npower = 0;
    ep.aged_discharge = 0;
    ssb_design_case dc;
    TU_OK(f->ctx, ssb_design_case_create(f->ctx, f->cell, &rp, &ep, &dc));
    TU_OK(f->ctx, ssb_cell_params_set(f->ctx, dc.cell, "positive.thickness_um", t_um));
    if (name) {
        int idx;
        TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, name, &idx));
        TU_OK(f->ctx, ssb_design_strategy_apply(f->ctx, f->db, idx, v, &dc));
    }
    TU_OK(f->ctx, ssb_design_evaluate(f->ctx, f->db, dc.cell, &dc.run, &dc.eval, m));
    ssb_design_case_destroy(&dc);
}

/* Trend (Bielefeld, Weber, Janek, J. Phys. Chem. C 123, 1626 (2019)): SE particles smaller relative to the CAM
 * raise the active CAM fraction and lower the ionic tortuosity of the composite. Through the se_particle_size
 * strategy on the default composition (CAM 0.60 of 5 um, SE 0.32), a 30 um cathode of 40 x 40 voxels in-plane,
 * seed 1: SE particles of 1.5 um (SE/CAM 0.3) percolate with nearly all CAM active and a finite tau; particles of
 * 6 um (SE/CAM 1.2) leave no Li+ path through the thickness (tau infinite, active CAM 0: SSB_ERR_NOPERC from the
 * chain). Sizes in between differ by less than the seed-to-seed scatter at this box size, so the test checks the
 * trend where the chain resolves it; test_micro_gen_arch.c checks it on larger boxes over seeds. */
static void test_trend_se_particles(void **state)
{
    fixture *f = *state;
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "se_particle_size", &idx));
    if (!ssb_design_strategy_available(f->ctx, f->db, idx, NULL, 0))
        skip();
    for (uint64_t seed = 1; seed <= 1; seed++) { /* seeds 2 and 3 give the same picture (checked by hand) */
        ssb_run_params rp = small_params();
        rp.cross_section = 40;
        rp.seed = seed;
        ssb_design_eval_params ep = ssb_design_eval_params_default();
        ep.npower = 0;
        ep.aged_discharge = 0;
        double act[2], tau[2];
        const double d[2] = {1.5, 6.0};
        for (int k = 0; k < 2; k++) {
            ssb_design_case dc;
            TU_OK(f->ctx, ssb_design_case_create(f->ctx, f->cell, &rp, &ep, &dc));
            TU_OK(f->ctx, ssb_cell_params_set(f->ctx, dc.cell, "positive.thickness_um", 30));
            TU_OK(f->ctx, ssb_design_strategy_apply(f->ctx, f->db, idx, &d[k], &dc));
            TU_ASSERT_REL(dc.run.se_diameter, d[k] * 1e-6, 1e-12);
            ssb_design_metrics m;
            int rc = ssb_design_evaluate(f->ctx, f->db, dc.cell, &dc.run, &dc.eval, &m);
            if (rc == SSB_ERR_NOPERC) {
                act[k] = 0;
                tau[k] = INFINITY;
            } else {
                TU_OK(f->ctx, rc);
                act[k] = m.active_fraction;
                tau[k] = m.tau_ion;
            }
            ssb_design_case_destroy(&dc);
        }
        assert_true(act[0] > 0.99 && act[0] > act[1]);
        assert_true(isfinite(tau[0]) && tau[0] < tau[1]);
        printf("PASS: seed %d: SE particles 6 -> 1.5 um: active CAM %.3f -> %.3f, ionic tau %.3g -> %.3g\n", (int)seed,
               act[1], act[0], tau[1], tau[0]);
    }
}

/* Trend (issue 12, review outlook: thick electrodes with vertical channels): SE channels through the thickness of
 * a thick (120 um) cathode lower its ionic tortuosity toward 1 and raise its capacity at 1C. */
static void test_trend_channels(void **state)
{
    fixture *f = *state;
    int idx;
    TU_OK(f->ctx, ssb_design_strategy_find(f->ctx, "vertical_channels", &idx));
    if (!ssb_design_strategy_available(f->ctx, f->db, idx, NULL, 0))
        skip();
    const double ch[2] = {0.15, 4.0};
    ssb_design_metrics m0, m1;
    eval_with(f, 120, NULL, NULL, &m0);
    eval_with(f, 120, "vertical_channels", ch, &m1);
    assert_true(m1.tau_ion < m0.tau_ion);
    assert_true(m1.tau_ion >= 1.0);
    assert_true(m1.capacity > m0.capacity);
    printf("PASS: 120 um cathode with 15 %% SE channels: ionic tau %.3g -> %.3g, 1C capacity %.4g -> %.4g mAh/cm2\n",
           m0.tau_ion, m1.tau_ion, m0.capacity / 36000, m1.capacity / 36000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_matches_run),
        cmocka_unit_test(test_coated_resistance_bare),
        cmocka_unit_test(test_metric_names),
        cmocka_unit_test(test_zero_strength_and_determinism),
        cmocka_unit_test(test_trend_coating),
        cmocka_unit_test(test_evaluate_coating_once),
        cmocka_unit_test(test_missing_density_keeps_wh_per_l),
        cmocka_unit_test(test_not_applicable_to_composite_anode),
        cmocka_unit_test(test_not_applicable_without_mech_record),
        cmocka_unit_test(test_coating_without_growth_data),
        cmocka_unit_test(test_trend_pressure),
        cmocka_unit_test(test_densification_bruggeman),
        cmocka_unit_test(test_tie_order_independent),
        cmocka_unit_test(test_generator_strategies_on_bruggeman),
        cmocka_unit_test(test_ccs_beyond_model_range),
        cmocka_unit_test(test_thin_separator_ohmic),
        cmocka_unit_test(test_strategy_errors),
        cmocka_unit_test(test_pressure_sum_range),
        cmocka_unit_test(test_trend_se_particles),
        cmocka_unit_test(test_trend_channels),
    };
    if (getenv("SSB_TEST_FILTER")) /* run a subset: SSB_TEST_FILTER=test_trend_* */
        cmocka_set_test_filter(getenv("SSB_TEST_FILTER"));
    return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
