/* mech in cycling (ssb_iface_cycle_run with contact mechanics): with the mechanisms off the capacity does not fade
 * from them and equals the run without mechanics; higher stack pressure, less fade from Li|SE and CAM|SE contact
 * loss; the contact fraction the cell uses is the mech model's (re-integrated here from the cycle's current);
 * cracking isolates crack_dead_fraction_per_cycle of the CAM per cycle once the strain exceeds the limit; bad
 * input named. */
#include "testutil.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MPA 1e6

static ssb_ctx *ctx;
static ssb_materials *mdb;
static ssb_mech_db *mechdb;
static ssb_iface_db *idb;

static int setup(void **state)
{
    (void)state;
    if (ssb_ctx_create(&ctx) || ssb_materials_create(ctx, &mdb) || ssb_materials_load_builtin(ctx, mdb) ||
        ssb_mech_db_load(ctx, NULL, &mechdb) || ssb_iface_db_load(ctx, NULL, &idb))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ssb_iface_db_destroy(&idb);
    ssb_mech_db_destroy(&mechdb);
    ssb_materials_destroy(&mdb);
    ssb_ctx_destroy(&ctx);
    return 0;
}

/* Cycle the default cell (Li | Li6PS5Cl | NCM811) with only the contact mechanics ageing (interphases off, so the
 * fade is the mechanics' alone). pressure NaN: no mechanics. */
static void run(const ssb_cell_params *p, double pressure, int li, int cam, int crack, int cycles,
                ssb_iface_ageing *ag, ssb_iface_cycle_result *r)
{
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, ag));
    for (int k = 0; k < SSB_IFACE_NSITES; k++)
        ag->site[k].enabled = 0;
    if (!isnan(pressure))
        TU_OK(ctx, ssb_iface_mech_setup(ctx, mdb, mechdb, p, pressure, li, cam, crack, ag));
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = cycles;
    TU_OK(ctx, ssb_iface_cycle_run(ctx, p, ag, &cp, r));
}

static void test_off_and_pressure(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    ssb_iface_cycle_result r0, roff, r3, r10;
    run(p, NAN, 0, 0, 0, 4, &ag, &r0);
    run(p, 3 * MPA, 0, 0, 0, 4, &ag, &roff); /* pressure set, every mechanism switched off */
    for (int c = 0; c < 4; c++) {
        assert_true(r0.capacity[c] == roff.capacity[c]);
        assert_true(roff.li_contact[c] == 1.0 && roff.cam_active[c] == 1.0 && roff.cam_intact[c] == 1.0);
    }
    TU_ASSERT_REL(r0.capacity[3], r0.capacity[0], 1e-6); /* no ageing at all: no fade */
    assert_true(roff.fade[SSB_IFACE_MECH_LI_CONTACT] == 0 && roff.fade[SSB_IFACE_MECH_CAM_CONTACT] == 0 &&
                roff.fade[SSB_IFACE_MECH_CRACKING] == 0);
    run(p, 3 * MPA, -1, -1, -1, 4, &ag, &r3);
    assert_true(ag.mech.li_contact && ag.mech.cam_contact && ag.mech.cracking);
    run(p, 10 * MPA, -1, -1, -1, 4, &ag, &r10);
    print_message("fade 3 MPa: Li contact %.4g, CAM contact %.4g; 10 MPa: %.4g, %.4g mAh/cm2\n",
                  r3.fade[SSB_IFACE_MECH_LI_CONTACT] / 36000, r3.fade[SSB_IFACE_MECH_CAM_CONTACT] / 36000,
                  r10.fade[SSB_IFACE_MECH_LI_CONTACT] / 36000, r10.fade[SSB_IFACE_MECH_CAM_CONTACT] / 36000);
    assert_true(r3.fade[SSB_IFACE_MECH_LI_CONTACT] > 0 && r3.fade[SSB_IFACE_MECH_CAM_CONTACT] > 0);
    assert_true(r10.fade[SSB_IFACE_MECH_LI_CONTACT] < r3.fade[SSB_IFACE_MECH_LI_CONTACT]);
    assert_true(r10.fade[SSB_IFACE_MECH_CAM_CONTACT] < r3.fade[SSB_IFACE_MECH_CAM_CONTACT]);
    assert_true(r10.fade_total < r3.fade_total);
    double sum = 0;
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        sum += r3.fade[m];
    TU_ASSERT_REL(sum, r3.fade_total, 1e-12);
    /* the CAM in contact compounds the per-cycle loss of ssb_mech_contact_cycle */
    for (int c = 1; c < 4; c++)
        TU_ASSERT_REL(r3.cam_active[c], r3.cam_active[c - 1] * (1 - ag.mech.contact.debond * (1 - r3.cam_kept[c - 1])),
                      1e-12);

    /* The Li contact fraction the cell used in cycle 2 is the mean over cycle 1's stripping of the mech model:
     * re-integrate it at the constant 1C discharge current over the discharge time. */
    const ssb_mech_anode *li;
    TU_OK(ctx, ssb_mech_db_anode(ctx, mechdb, mdb, "Li", &li));
    ssb_cell_derived d;
    TU_OK(ctx, ssb_cell_params_derive(ctx, p, &d));
    double j = d.nominal_capacity / 3600.0, tdis = r3.capacity[0] / j, phi = 1, sum_phi = 0;
    int nstep = 2000;
    for (int i = 0; i < nstep; i++) {
        double next;
        TU_OK(ctx, ssb_mech_li_advance(ctx, li, 3 * MPA, 298.15, j, phi, tdis / nstep, &next));
        sum_phi += 0.5 * (phi + next) / nstep;
        phi = next;
    }
    print_message("Li contact in cycle 2: cell %.5f, mech %.5f\n", r3.li_contact[1], sum_phi);
    TU_ASSERT_REL(r3.li_contact[1], sum_phi, 0.01);
    assert_true(r10.li_contact[1] == 1.0); /* 10 MPa: CCS far above 1C */
    ssb_iface_cycle_result_destroy(&r0);
    ssb_iface_cycle_result_destroy(&roff);
    ssb_iface_cycle_result_destroy(&r3);
    ssb_iface_cycle_result_destroy(&r10);
    ssb_cell_params_destroy(&p);
}

/* Larger particles: the diffusion-induced strain pushes the NCM811 particles over the fracture strain; each cycle
 * then isolates crack_dead_fraction_per_cycle of the still-intact CAM. */
static void test_cracking(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.particle_radius_um", 8.0));
    ssb_iface_ageing ag;
    ssb_iface_cycle_result r;
    run(p, 10 * MPA, 0, 0, 1, 4, &ag, &r);
    const ssb_mech_swelling *sw;
    TU_OK(ctx, ssb_mech_db_swelling(ctx, mechdb, mdb, "NCM811", &sw));
    print_message("crack strain %.4g (limit %.4g)\n", r.crack_strain[0], sw->fracture_strain);
    assert_true(r.crack_strain[0] > sw->fracture_strain);
    for (int c = 0; c < 4; c++)
        TU_ASSERT_REL(r.cam_intact[c], pow(1 - sw->crack_dead_per_cycle, c), 1e-12);
    assert_true(r.fade[SSB_IFACE_MECH_CRACKING] > 0 && r.fade[SSB_IFACE_MECH_CAM_CONTACT] == 0);
    ssb_iface_cycle_result_destroy(&r);
    ssb_cell_params_destroy(&p);
}

static void test_bad(void **state)
{
    (void)state;
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    TU_OK(ctx, ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    assert_true(isnan(ag.mech.pressure));
    assert_int_equal(ssb_iface_mech_setup(ctx, mdb, mechdb, p, -1 * MPA, -1, -1, -1, &ag), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "stack_pressure_MPa"));
    ssb_cell_params_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_and_pressure),
        cmocka_unit_test(test_cracking),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
