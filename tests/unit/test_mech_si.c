/* Silicon negatives in cycling: carbon-free micro-Si against a Si|C|SE composite side by side (the two example cell
 * files), and Si cracking above the critical particle size (Liu et al., ACS Nano 6, 1522 (2012): ~150 nm for
 * crystalline Si). The review's qualitative statements are checked from the model's own numbers: micro-Si with no SE
 * inside reacts at the planar SE interface only (area 1 m2 per m2 of cell against 3 eps R^-1 L for the composite),
 * so less SEI regrows on it; below the critical size no cracking fade appears, above it each cycle isolates
 * crack_dead_fraction_per_cycle of the intact Si; lithium stays conserved throughout. */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

#include "ssb_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ssb_ctx *ctx;
static ssb_materials *mdb;
static ssb_mech_db *mechdb;
static ssb_iface_db *idb;

static int setup(void **state)
{
    (void)state;
    return tu_db_open(&ctx, &mdb, &mechdb, &idb);
}

static int teardown(void **state)
{
    (void)state;
    tu_db_close(&ctx, &mdb, &mechdb, &idb);
    return 0;
}

/* Cycle an example cell file as `ssbnet cell cycle FILE` does: its interfaces block (negative interphase and
 * "mechanics" at the stack pressure it states) with the mechanisms' defaults. radius_um > 0 overrides the Si
 * particle radius. */
static void run_file(const char *name, double radius_um, int cycles, ssb_cell_params **p, ssb_iface_ageing *ag,
                     ssb_iface_cycle_result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s", SSB_SOURCE_DIR, name);
    TU_OK(ctx, ssb_cell_params_from_json(ctx, mdb, path, p));
    if (radius_um > 0)
        TU_OK(ctx, ssb_cell_params_set(ctx, *p, "negative.particle_radius_um", radius_um));
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, *p, path, ag));
    assert_true(!isnan(ag->mech.pressure) && ag->site[SSB_IFACE_NEG].enabled);
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = cycles;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, *p, ag, &cp, r));
}

/* cyclable + trapped (contact loss and cracks) + regrown SEI (swelling and crack faces) + interphase lithium stays
 * the cycle-1 amount */
static void assert_conserved(const ssb_iface_cycle_result *r)
{
    for (int c = 0; c < r->n; c++)
        TU_ASSERT_REL(r->li_inventory[c] + r->li_trapped[c] + r->li_sei_regrowth[c] + r->li_interphase[c],
                      r->li_inventory[0] + r->li_interphase[0], 1e-6);
}

static void test_side_by_side(void **state)
{
    (void)state;
    const int n = 6;
    ssb_cell_params *pm = NULL, *pc = NULL;
    ssb_iface_ageing am, ac;
    ssb_iface_cycle_result rm, rc;
    run_file("cell_si_micro.json", 0, n, &pm, &am, &rm);
    run_file("cell_si_c_se.json", 0, n, &pc, &ac, &rc);
    /* the Si|SE area per cell area the cell model uses: micro-Si the planar interface, the composite the surface of
     * its particles, 3 eps_Si / R L */
    ssb_cell_derived dm, dc;
    TU_OK(ctx, ssb_cell_params_derive(ctx, pm, &dm));
    TU_OK(ctx, ssb_cell_params_derive(ctx, pc, &dc));
    ssb_cell_values vm, vc;
    ssb_cell_params_get_values(pm, &vm);
    ssb_cell_params_get_values(pc, &vc);
    double Am = dm.a_neg * vm.neg.thickness, Ac = dc.a_neg * vc.neg.thickness;
    TU_ASSERT_REL(Am, 1.0, 1e-12);
    TU_ASSERT_REL(Ac, 3.0 * vc.neg.eps_active / vc.neg.particle_radius * vc.neg.thickness, 1e-12);
    print_message("Si|SE area per cell area: micro-Si %.4g, Si|C|SE %.4g\n", Am, Ac);
    print_message("micro-Si: capacity %.4g mAh/cm2, retention %.4f after %d, SEI regrown %.4g mol/m2, fade: SEI "
                  "%.4g, contact %.4g, cracking %.4g mAh/cm2, stack %.4g MPa\n",
                  rm.capacity[0] / 36000, rm.retention[n - 1], n, rm.li_sei_regrowth[n - 1],
                  rm.fade[SSB_IFACE_MECH_NEG_SEI] / 36000, rm.fade[SSB_IFACE_MECH_NEG_CONTACT] / 36000,
                  rm.fade[SSB_IFACE_MECH_NEG_CRACKING] / 36000, rm.stack_pressure[0] / 1e6);
    print_message("Si|C|SE:  capacity %.4g mAh/cm2, retention %.4f after %d, SEI regrown %.4g mol/m2, fade: SEI "
                  "%.4g, contact %.4g, cracking %.4g mAh/cm2, stack %.4g MPa\n",
                  rc.capacity[0] / 36000, rc.retention[n - 1], n, rc.li_sei_regrowth[n - 1],
                  rc.fade[SSB_IFACE_MECH_NEG_SEI] / 36000, rc.fade[SSB_IFACE_MECH_NEG_CONTACT] / 36000,
                  rc.fade[SSB_IFACE_MECH_NEG_CRACKING] / 36000, rc.stack_pressure[0] / 1e6);
    /* the review: micro-Si without SE inside relies on the 2D interface: smaller area, less SEI growth; the
     * composite grows more SEI on its larger SE|Si area (same interphase law, same pressure, same cathode) */
    assert_true(Am < Ac);
    assert_true(rm.li_sei_regrowth[n - 1] > 0 && rm.li_sei_regrowth[n - 1] < rc.li_sei_regrowth[n - 1]);
    assert_true(rm.fade[SSB_IFACE_MECH_NEG_SEI] < rc.fade[SSB_IFACE_MECH_NEG_SEI]);
    /* the SEI on the 2D interface grows as the composite's per unit area (same law): the regrown lithium per area
     * differs only by the lithiation windows, far less than the area ratio */
    double per_m = rm.li_sei_regrowth[n - 1] / Am, per_c = rc.li_sei_regrowth[n - 1] / Ac;
    assert_true(per_m / per_c < Ac / Am && per_c / per_m < Ac / Am);
    assert_conserved(&rm);
    assert_conserved(&rc);
    /* both hold Si particles of a few um, far above 150 nm: both crack, at the database's share per cycle */
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "Si", &si));
    assert_true(am.mech.neg_cracking && ac.mech.neg_cracking);
    for (int c = 0; c < n; c++) {
        TU_ASSERT_REL(rm.neg_intact[c], pow(1 - si->crack_dead_per_cycle, c), 1e-12);
        TU_ASSERT_REL(rc.neg_intact[c], pow(1 - si->crack_dead_per_cycle, c), 1e-12);
    }
    assert_true(rm.fade[SSB_IFACE_MECH_NEG_CRACKING] > 0 && rc.fade[SSB_IFACE_MECH_NEG_CRACKING] > 0);
    double sum = 0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sum += rm.fade[m];
    TU_ASSERT_REL(sum, rm.fade_total, 1e-12);
    ssb_iface_cycle_result_destroy(&rm);
    ssb_iface_cycle_result_destroy(&rc);
    ssb_cell_params_destroy(&pm);
    ssb_cell_params_destroy(&pc);
}

/* The composite with Si particles of 100 nm diameter (below the critical 150 nm) and 200 nm (above): no cracking
 * fade below, the per-cycle share above; lithium conserved in both. */
static void test_critical_size(void **state)
{
    (void)state;
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "Si", &si));
    TU_ASSERT_REL(si->critical_diameter, 150e-9, 1e-12);
    /* the criterion itself: 2R against the critical diameter, only when the cycle lithiates */
    ssb_mech_alloy_crack_result k;
    TU_OK(ctx, ssb_mech_alloy_crack(ctx, si, 74e-9, 0.1, 0.8, &k));
    assert_false(k.cracked); /* 148 nm: below the critical size, intact */
    assert_true(k.dead_per_cycle == 0 && k.new_surface == 0);
    TU_OK(ctx, ssb_mech_alloy_crack(ctx, si, 1.5e-6, 0.1, 0.8, &k));
    assert_true(k.cracked && k.dead_per_cycle == si->crack_dead_per_cycle);
    TU_ASSERT_REL(k.new_surface, 3e-6 / 150e-9 - 1, 1e-12); /* fragments of the critical size: 3/r surface */
    TU_OK(ctx, ssb_mech_alloy_crack(ctx, si, 1.5e-6, 0.5, 0.5, &k));
    assert_false(k.cracked); /* no lithiation, no cracking */

    const int n = 4;
    ssb_cell_params *ps = NULL, *pl = NULL;
    ssb_iface_ageing as, al;
    ssb_iface_cycle_result rs, rl;
    run_file("cell_si_c_se.json", 0.05, n, &ps, &as, &rs);
    run_file("cell_si_c_se.json", 0.1, n, &pl, &al, &rl);
    print_message("Si 100 nm: intact %.6f, cracking fade %.4g; 200 nm: intact %.6f, cracking fade %.4g mAh/cm2\n",
                  rs.neg_intact[n - 1], rs.fade[SSB_IFACE_MECH_NEG_CRACKING] / 36000, rl.neg_intact[n - 1],
                  rl.fade[SSB_IFACE_MECH_NEG_CRACKING] / 36000);
    for (int c = 0; c < n; c++) {
        assert_true(rs.neg_intact[c] == 1.0);
        TU_ASSERT_REL(rl.neg_intact[c], pow(1 - si->crack_dead_per_cycle, c), 1e-12);
    }
    assert_true(rs.fade[SSB_IFACE_MECH_NEG_CRACKING] == 0);
    assert_true(rl.fade[SSB_IFACE_MECH_NEG_CRACKING] > 0);
    assert_conserved(&rs);
    assert_conserved(&rl);
    /* the crack faces add SEI: the same cell with cracking switched off regrows (1 - dead) times less on the
     * swelling alone in cycle 1 (the isolated share stops growing); what the cracked run books beyond that is
     * the SEI on the crack faces, > 0 above the critical size and exactly 0 below it */
    const double dead = si->crack_dead_per_cycle;
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = 2;
    ssb_iface_cycle_result off;
    TU_OK(ctx, ssb_iface_mech_setup_neg_cracking(ctx, mdb, mechdb, pl, 0, &al));
    TU_OK(ctx, ssb_iface_cycle_run(ctx, pl, &al, &cp, &off));
    double faces = rl.li_sei_regrowth[1] - (1 - dead) * off.li_sei_regrowth[1];
    print_message("200 nm: SEI regrown in cycle 1 %.6g mol/m2 (without cracking %.6g): crack faces %.4g\n",
                  rl.li_sei_regrowth[1], off.li_sei_regrowth[1], faces);
    assert_true(faces > 1e-6 * rl.li_sei_regrowth[1]);
    ssb_iface_cycle_result_destroy(&off);
    TU_OK(ctx, ssb_iface_mech_setup_neg_cracking(ctx, mdb, mechdb, ps, 0, &as));
    TU_OK(ctx, ssb_iface_cycle_run(ctx, ps, &as, &cp, &off));
    assert_true(rs.li_sei_regrowth[1] == off.li_sei_regrowth[1]); /* below the size: nothing cracks */
    ssb_iface_cycle_result_destroy(&off);
    ssb_iface_cycle_result_destroy(&rs);
    ssb_iface_cycle_result_destroy(&rl);
    ssb_cell_params_destroy(&ps);
    ssb_cell_params_destroy(&pl);
}

/* Bad input: a host record without the critical size, cracking asked for: SSB_ERR_UNSUPPORTED naming the key;
 * a bad radius or window: SSB_ERR_RANGE. */
static void test_bad(void **state)
{
    (void)state;
    const ssb_mech_swelling *si;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "Si", &si));
    ssb_mech_alloy_crack_result k;
    assert_int_equal(ssb_mech_alloy_crack(ctx, si, -1e-6, 0.1, 0.8, &k), SSB_ERR_RANGE);
    assert_int_equal(ssb_mech_alloy_crack(ctx, si, 1e-6, 0.8, 0.1, &k), SSB_ERR_RANGE);
    ssb_mech_swelling no = *si;
    no.critical_diameter = NAN;
    assert_int_equal(ssb_mech_alloy_crack(ctx, &no, 1e-6, 0.1, 0.8, &k), SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "critical_diameter_nm"));
    /* a database copy without the Si critical size: the cell set-up names the key */
    char src[4096], dst[4096];
    snprintf(src, sizeof src, "%s/data/iface/mechanics.json", SSB_SOURCE_DIR);
    snprintf(dst, sizeof dst, "%s/mechanics_no_dc.json", tu_tmpdir());
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    static char buf[1 << 17];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    char *at = strstr(buf, "\"critical_diameter_nm\"");
    assert_non_null(at);
    at[1] = 'x'; /* "xritical_diameter_nm": the key is gone */
    f = fopen(dst, "wb");
    assert_non_null(f);
    fwrite(buf, 1, len, f);
    fclose(f);
    ssb_mech_db *db2 = NULL;
    TU_OK(ctx, ssb_mech_db_load(ctx, dst, &db2));
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/cell_si_c_se.json", SSB_SOURCE_DIR);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json(ctx, mdb, path, &p));
    ssb_iface_ageing ag;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, db2, p, 50e6, 0, 0, 0, 1, &ag));
    assert_int_equal(ssb_iface_mech_setup_neg_cracking(ctx, mdb, db2, p, 1, &ag), SSB_ERR_UNSUPPORTED);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "critical_diameter_nm"));
    TU_OK(ctx, ssb_iface_mech_setup_neg_cracking(ctx, mdb, db2, p, -1, &ag)); /* default: off where not known */
    assert_false(ag.mech.neg_cracking);
    ssb_mech_db_destroy(&db2);
    ssb_cell_params_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_side_by_side),
        cmocka_unit_test(test_critical_size),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
