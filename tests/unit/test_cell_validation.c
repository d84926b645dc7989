/* Validation of the cell model against published all-solid-state composite cathodes (issue 14): the cell files in
 * examples/validation/ rebuild each paper's cathode (composition, CAM loading, porosity, measured effective
 * conductivities, temperature, rate and voltage window; Li-In anodes as Li metal with the cut-offs shifted by
 * +0.62 V) and are discharged at the paper's rate. The figures quoted here are the papers' (stated in the text or
 * the SI unless marked); the README table "Validation against published solid-state cathodes" lists them with the
 * model's values and the reasons where the two differ.
 *
 * Sources:
 *  [S] E. Schlautmann et al., Adv. Energy Mater. 13, 2302309 (2023), doi:10.1002/aenm.202302309: NCM811
 *      (LiNi0.83Co0.11Mn0.06O2, D50 3.4 um) : Li6PS5Cl 70:30 wt%, no carbon, 12 mg composite on 0.785 cm2
 *      (10.7 mg/cm2 NCM), 1C = 2.14 mA/cm2, 25 C, 2.0-3.7 V vs In/InLi; composite "S" (SE D50 4 um): porosity
 *      14.1 %, sigma_ion,eff 0.254 / sigma_el,eff 0.301 mS/cm; first discharge at C/20 198 +- 18 mAh/g; composite
 *      "XL" (SE D50 40 um): porosity 24.3 %, 0.165 / 0.406 mS/cm, 152 +- 3 mAh/g.
 *  [M] P. Minnmann et al., J. Electrochem. Soc. 168, 040537 (2021), doi:10.1149/1945-7111/abf8d7: NCM622 :
 *      Li6PS5Cl 70:30 wt% (42 vol% NCM at 14 % porosity), no carbon, 10.7 mg/cm2 NCM (2.14 mAh/cm2 at 200 mAh/g),
 *      sigma_ion,eff 0.166 / sigma_el,eff 0.556 mS/cm (SI Table S2), 25 C; 154 mAh/g at 0.1C (Fig. 3); window
 *      2.6-4.3 V vs Li as read from SI Fig. S2 (not stated in the text). */
#include "testutil.h"

#include "ssb_config.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>

#define MAH_PER_G(c_per_kg) ((c_per_kg) / 3600.0)

static ssb_cell *load(ssb_ctx *ctx, const char *name, ssb_cell_params **p)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/validation/%s", SSB_SOURCE_DIR, name);
    assert_true(tu_exists(path));
    TU_OK(ctx, ssb_cell_params_from_json(ctx, NULL, path, p));
    ssb_cell *cell = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, *p, &cell));
    return cell;
}

/* The values handed from the paper to the model: CAM loading 10.7 mg/cm2 (= 0.107 kg/m2, from the composition,
 * porosity and thickness of the cell file with the database densities) and the paper's 1C of 2.14 mA/cm2. */
static void check_paper_basis(ssb_cell *cell, double crate, const ssb_cell_rate_point *pt)
{
    const ssb_cell_derived *d = ssb_cell_get_derived(cell);
    TU_ASSERT_REL(d->mass_am_pos, 0.107, 5e-3);
    TU_ASSERT_REL(d->nominal_capacity, 2.14e-3 * 3600.0 * 1e4, 1e-12); /* 2.14 mAh/cm2 in C/m2 */
    TU_ASSERT_REL(pt->current, crate * 21.4, 1e-12);                 /* 1C = 2.14 mA/cm2 = 21.4 A/m2 */
    TU_ASSERT_REL(pt->specific_capacity, pt->capacity / d->mass_am_pos, 1e-14);
}

/* [S], composite S at the paper's C/20 (0.107 mA/cm2, the stated first-discharge value). The database's NCM811 OCV
 * (Chen 2020) ends at 3.49 V at x = 1, above the paper's 2.62 V vs Li cut-off, so the discharge runs to 3.5 V, the
 * end of the OCV data (README). Measured 198 +- 18 mAh/g; the model must be within 10 %. */
static void test_schlautmann_S_c20(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "schlautmann2023_ncm811_S.json", &p);
    double rate = 0.05;
    ssb_cell_rate_point pt;
    TU_OK(ctx, ssb_cell_rate_sweep(ctx, cell, 1, &rate, 3.5, &pt, NULL));
    assert_true(pt.sustained);
    check_paper_basis(cell, rate, &pt);
    double q = MAH_PER_G(pt.specific_capacity), meas = 198.0;
    print_message("Schlautmann 2023 S, C/20 to 3.5 V: ssbnet %.1f mAh/g, measured %.0f +- 18 mAh/g (%+.1f %%)\n", q,
                  meas, 100.0 * (q / meas - 1.0));
    assert_true(fabs(q / meas - 1.0) <= 0.10);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* A discharge at rate to v_cut delivers the model's near-equilibrium capacity (C/100 to the same cut-off) within
 * tol: with the paper's measured effective conductivities, transport in the P2D model does not limit the capacity
 * at the paper's rate. Returns the specific capacity in mAh/g. */
static double transport_free(ssb_ctx *ctx, ssb_cell *cell, double rate, double v_cut, double tol)
{
    double rates[2] = {rate, 0.01};
    ssb_cell_rate_point pt[2];
    TU_OK(ctx, ssb_cell_rate_sweep(ctx, cell, 2, rates, v_cut, pt, NULL));
    assert_true(pt[0].sustained && pt[1].sustained);
    check_paper_basis(cell, rate, &pt[0]);
    assert_true(pt[0].capacity <= pt[1].capacity);
    assert_true(pt[0].capacity >= (1.0 - tol) * pt[1].capacity);
    return MAH_PER_G(pt[0].specific_capacity);
}

/* [S], composite XL (SE D50 40 um): its measured sigma_ion,eff (0.165 mS/cm) and 24 % porosity leave the model's
 * C/20 capacity within 1 % of its equilibrium value, as for S; the measured 152 +- 3 mAh/g (23 % below S) comes
 * from losses the model does not hold (CAM|SE contact, utilisation; README), so the model is not compared with it
 * here. */
static void test_schlautmann_XL_c20(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "schlautmann2023_ncm811_XL.json", &p);
    double q = transport_free(ctx, cell, 0.05, 3.5, 0.01);
    print_message("Schlautmann 2023 XL, C/20 to 3.5 V: ssbnet %.1f mAh/g, measured 152 +- 3 mAh/g (%+.1f %%)\n", q,
                  100.0 * (q / 152.0 - 1.0));
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* [M], 42 vol% NCM622 at 0.1C to 2.6 V: the capacity is the model's equilibrium window within 1 % (transport with
 * the measured sigma_eff does not limit), and that window, from the Verbrugge 2017 MSMR OCV taken on the
 * crystallographic c_max, is 4.3 V -> 2.6 V = 0.87 Li per formula, far above both the measured 154 mAh/g and the
 * database's practical 175-185 mAh/g for NCM622 to 4.3 V: the disagreement is the OCV's basis (README), so the
 * model is not compared with 154 mAh/g here. */
static void test_minnmann_c10(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, "minnmann2021_ncm622_42vol.json", &p);
    double q = transport_free(ctx, cell, 0.1, 2.6, 0.01);
    print_message("Minnmann 2021 42 vol%%, 0.1C to 2.6 V: ssbnet %.1f mAh/g, measured 154 mAh/g (%+.1f %%)\n", q,
                  100.0 * (q / 154.0 - 1.0));
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schlautmann_S_c20),
        cmocka_unit_test(test_schlautmann_XL_c20),
        cmocka_unit_test(test_minnmann_c10),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
