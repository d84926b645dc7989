/* Cell model, liquid electrolyte (issue 7 item 4): the end of discharge under salt depletion, and every DUALFOIL deck
 * at other currents and cut-offs running to a physical end at two resolutions.
 *
 * Cell: the DUALFOIL 5.1 default deck (SSB_TEST_CELL_DUALFOIL_B in cells.h; tests/reference/cell/dualfoil/README.md:
 * MCMB graphite | LiPF6 EC:DMC, 1000 mol/m3, t+ = 0.4 | LiCoO2, 100/25/100 um, eps_e 0.3/1/0.3). Above ~150 A/m2 the
 * salt runs out at the back of the positive electrode (the anions migrate towards the negative faster than diffusion
 * brings them back): the reaction moves towards the separator while the voltage holds, until the zone still wet is
 * too thin to carry the current and the voltage collapses (the limiting current; i0 ~ sqrt(c_e) and the diffusion
 * potential ~ ln c_e). Before this work the model then took steps of 1e-7 s until numerics.max_steps and stopped with
 * exit 9 (solver failure, "min c_e = 3.4e-21 mol/m3"); now the step ends with SSB_CELL_END_DEPLETED, the place, the
 * time and the capacity delivered. A fast charge depletes the negative electrode the same way. */
#include "cells.h"
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The deck at a resolution (cells per electrode, separator cells = half, particle shells), with extra JSON keys. */
static ssb_cell_params *deck(ssb_ctx *ctx, const char *base, int nx, int nr, int composite_negative)
{
    char json[8192], neg[48] = "";
    if (composite_negative)
        snprintf(neg, sizeof neg, "\"negative_cells\": %d,", nx);
    snprintf(json, sizeof json,
             "%s \"numerics\": {\"positive_cells\": %d, %s \"separator_cells\": %d, \"particle_cells\": %d}}", base, nx,
             neg, nx / 2, nr);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, json, "DUALFOIL deck", &p));
    return p;
}

static ssb_cell_result *run(ssb_ctx *ctx, const ssb_cell_params *p, const char *proto, int profiles,
                            ssb_cell_step_result *s)
{
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.profiles_at_step_ends = profiles;
    ssb_cell_result *r = NULL;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, c, proto, &rp, &r));
    ssb_cell_destroy(&c);
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 0, s));
    return r;
}

/* Salt in the electrolyte [mol/m2]: sum of eps_e dx c_e over the control volumes (deck: eps_e 0.3 / 1 / 0.3). */
static double salt(const ssb_cell_profile *pr, double *cmin)
{
    double s = 0, xl = 0;
    *cmin = INFINITY;
    for (int i = 0; i < pr->n; i++) {
        double xr = 2 * pr->x[i] - xl; /* x[i] is the centre of [xl, xr] */
        s += (pr->region[i] == 1 ? 1.0 : 0.3) * (xr - xl) * pr->c_e[i];
        *cmin = fmin(*cmin, pr->c_e[i]);
        xl = xr;
    }
    return s;
}

/* 300 A/m2 for 10 min: the electrolyte runs out at the back of the positive electrode and the voltage collapses at
   ~106.5 s. The step ends there, depleted, at the same time at two resolutions (20 cells x 15 shells and twice that,
   within 2 s); the depleted zone reaches the positive current collector (225 um); c_e stays non-negative (to
   roundoff) and the salt is
   conserved (1e-9) through the depletion; the capacity is that of the same discharge to the 3.0 V cut-off plus the
   last < 5 % (3.0 V is reached 3 s before the collapse, as the voltage steepens). Half the current (150 A/m2) is no
   limiting current: to 3.0 V it ends at the cut-off. */
static void test_depleted_end(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double te[2], q[2];
    for (int res = 0; res < 2; res++) {
        ssb_cell_params *p = deck(ctx, SSB_TEST_CELL_DUALFOIL_B, 20 << res, 15 << res, 1);
        ssb_cell_step_result s, s3;
        ssb_cell_result *r = run(ctx, p, "Discharge at 300 A/m2 for 10 min", 1, &s);
        assert_int_equal(s.end, SSB_CELL_END_DEPLETED);
        te[res] = s.t_end;
        q[res] = s.capacity;
        ssb_cell_profile p0, p1;
        TU_OK(ctx, ssb_cell_result_profile(ctx, r, 0, &p0));
        TU_OK(ctx, ssb_cell_result_profile(ctx, r, ssb_cell_result_nprofiles(r) - 1, &p1));
        double c0, c1, s0 = salt(&p0, &c0), s1 = salt(&p1, &c1);
        ssb_cell_result *r3 = run(ctx, p, "Discharge at 300 A/m2 until 3.0 V", 0, &s3);
        printf("  300 A/m2, %d x %d: depleted at %.3f s, V %.3f V, zone %.1f..%.1f um (region %d), %.5f Ah/m2 (to "
               "3.0 V: %.3f s, %.5f Ah/m2); min c_e %.3g mol/m3, salt %.12e -> %.12e mol/m2\n",
               20 << res, 15 << res, s.t_end, s.v_end, s.depleted_from_x * 1e6, s.depleted_to_x * 1e6,
               s.depleted_region, s.capacity / 3600, s3.t_end, s3.capacity / 3600, c1, s0, s1);
        assert_int_equal(s.depleted_region, 2);
        TU_ASSERT_REL(s.depleted_to_x, 225e-6, 1e-9);
        assert_true(s.depleted_from_x > 125e-6 && s.depleted_from_x < 200e-6);
        assert_true(s.v_end < 2.5 && s.t_end < 600);
        /* non-negative to roundoff: IDA's last Newton update of an accepted step is not re-evaluated, so a c_e of
           ~1e-19 mol/m3 can come out as -8e-20 (1e-22 of the initial 1000 mol/m3) */
        assert_true(c1 > -1e-15 * 1000 && isfinite(c1));
        TU_ASSERT_REL(s1, s0, 1e-9);
        assert_int_equal(s3.end, SSB_CELL_END_VOLTAGE);
        assert_true(s.capacity > s3.capacity && s.capacity < 1.05 * s3.capacity);
        ssb_cell_result_destroy(&r3);
        ssb_cell_result_destroy(&r);
        if (res == 0) {
            r = run(ctx, p, "Discharge at 150 A/m2 until 3.0 V", 0, &s);
            assert_int_equal(s.end, SSB_CELL_END_VOLTAGE);
            ssb_cell_result_destroy(&r);
        }
        ssb_cell_params_destroy(&p);
    }
    printf("  the same end at two resolutions: %.3f / %.3f s, %.5f / %.5f Ah/m2\n", te[0], te[1], q[0] / 3600,
           q[1] / 3600);
    assert_true(fabs(te[1] - te[0]) < 2.0);
    TU_ASSERT_REL(q[1], q[0], 1e-2);
    ssb_ctx_destroy(&ctx);
}

/* A rate sweep to 1.0 V: at 20C (480 A/m2) the electrolyte runs out before the cut-off, so the rate is not sustained,
   keeps what it delivered (equal to the same discharge run as a protocol) and says where and why; 1C is sustained
   and is the rate whose bottleneck is ranked. */
static void test_depleted_rate(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = deck(ctx, SSB_TEST_CELL_DUALFOIL_B, 20, 15, 1);
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    double rates[2] = {1, 20};
    ssb_cell_rate_point pt[2];
    TU_OK(ctx, ssb_cell_rate_sweep(ctx, c, 2, rates, 1.0, pt, NULL));
    ssb_cell_destroy(&c);
    printf("  20C to 1.0 V: %s\n", pt[1].reason);
    assert_int_equal(pt[0].sustained, 1);
    assert_int_equal(pt[1].sustained, 0);
    assert_non_null(strstr(pt[1].reason, "depleted"));
    assert_non_null(strstr(pt[1].reason, "positive electrode"));
    assert_int_equal(ssb_cell_rate_sweep_last_sustained(2, pt), 0);
    ssb_cell_step_result s;
    ssb_cell_result *r = run(ctx, p, "Discharge at 480 A/m2 until 1.0 V", 0, &s);
    assert_int_equal(s.end, SSB_CELL_END_DEPLETED);
    TU_ASSERT_REL(pt[1].capacity, s.capacity, 1e-12);
    TU_ASSERT_REL(pt[1].energy, s.energy, 1e-12);
    TU_ASSERT_REL(pt[1].v_mean, s.energy / s.capacity, 1e-12);
    assert_true(pt[1].capacity > 0 && pt[1].capacity < pt[0].capacity);
    ssb_cell_result_destroy(&r);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Every DUALFOIL deck (tests/reference/cell/dualfoil: B and MS liquid, C and F single-ion with a Li foil) at half its
   smallest and four times its largest stored current, timed for 1.5 x the nominal time (no cut-off): each runs to a
   physical end (exhausted, depleted, or the 0 V floor of the safety window acting as a cut-off), never an error, the
   same end at 20 x 15 and 40 x 30 (within 0.5 % or 3 s). */
static void test_decks_other_currents(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        const char *name, *json;
        int ms, composite_negative;
        double I, nominal; /* A/m2, Ah/m2 */
    } cs[] = {{"B", SSB_TEST_CELL_DUALFOIL_B, 0, 1, 1.2, 24},    {"B", SSB_TEST_CELL_DUALFOIL_B, 0, 1, 192, 24},
              {"MS", SSB_TEST_CELL_DUALFOIL_B, 1, 1, 1.2, 24},   {"MS", SSB_TEST_CELL_DUALFOIL_B, 1, 1, 288, 24},
              {"C", SSB_TEST_CELL_DUALFOIL_C, 0, 0, 1, 20.59},   {"C", SSB_TEST_CELL_DUALFOIL_C, 0, 0, 160, 20.59},
              {"F", SSB_TEST_CELL_DUALFOIL_F, 0, 0, 0.76, 15.2}, {"F", SSB_TEST_CELL_DUALFOIL_F, 0, 0, 60.8, 15.2}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        char proto[96];
        snprintf(proto, sizeof proto, "Discharge at %g A/m2 for %.1f s", cs[i].I, 1.5 * 3600 * cs[i].nominal / cs[i].I);
        ssb_cell_step_result s[2];
        for (int res = 0; res < 2; res++) {
            ssb_cell_params *p = deck(ctx, cs[i].json, 20 << res, 15 << res, cs[i].composite_negative);
            if (cs[i].ms) { /* case MS: the deck changes of the README */
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "temperature_K", 298.15));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.initial_stoichiometry", 0.8));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.rate_constant_m2.5_per_mol0.5_s", 2.0728e-10));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.interface_resistance_ohm_m2", 0));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.rate_constant_m2.5_per_mol0.5_s", 6.2186e-12));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.max_concentration_mol_per_m3",
                                               3600 * 258.0038 * 5010 / 96487.0));
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.initial_stoichiometry", 0.637194));
            }
            ssb_cell_result *r = run(ctx, p, proto, 0, &s[res]);
            ssb_cell_result_destroy(&r);
            ssb_cell_params_destroy(&p);
        }
        static const char *en[] = {"duration", "voltage", "current", "skipped", "exhausted", "depleted"};
        printf("  %-2s %-42s %-9s at %10.2f s (V %.3f) / %-9s at %10.2f s (V %.3f)\n", cs[i].name, proto, en[s[0].end],
               s[0].t_end, s[0].v_end, en[s[1].end], s[1].t_end, s[1].v_end);
        assert_true(s[0].end == SSB_CELL_END_EXHAUSTED || s[0].end == SSB_CELL_END_DEPLETED ||
                    (s[0].end == SSB_CELL_END_VOLTAGE && fabs(s[0].v_end) < 1e-6));
        assert_int_equal(s[1].end, s[0].end);
        assert_true(fabs(s[1].t_end - s[0].t_end) < fmax(3.0, 5e-3 * s[1].t_end));
    }
    ssb_ctx_destroy(&ctx);
}

/* A rest and a charge after a discharge into the collapse (300 A/m2 to 2.7 V, c_e ~4e-11 mol/m3 at the
   back of the positive): the consistent start of the rest is found by adaptive continuation in the current (the fixed
   five-stage ramp before failed with exit 9); the salt diffuses back during the rest (min c_e > 100 mol/m3 after 10
   min) and the charge runs to its cut-off. */
static void test_rest_after_collapse(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = deck(ctx, SSB_TEST_CELL_DUALFOIL_B, 20, 15, 1);
    ssb_cell_step_result s;
    ssb_cell_result *r =
        run(ctx, p, "Discharge at 300 A/m2 until 2.7 V; Rest for 10 min; Charge at 24 A/m2 until 4.2 V", 1, &s);
    assert_int_equal(s.end, SSB_CELL_END_VOLTAGE);
    ssb_cell_step_result s2, s3;
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 1, &s2));
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 2, &s3));
    ssb_cell_profile p0, p1;
    TU_OK(ctx, ssb_cell_result_profile(ctx, r, 0, &p0));
    TU_OK(ctx, ssb_cell_result_profile(ctx, r, 1, &p1));
    double c0, c1;
    salt(&p0, &c0);
    salt(&p1, &c1);
    printf("  after 300 A/m2 to 2.7 V: min c_e %.3g mol/m3; after the rest %.1f mol/m3 (V %.4f); charge to 4.2 V: "
           "%s, %.4f Ah/m2\n",
           c0, c1, s2.v_end, s3.end == SSB_CELL_END_VOLTAGE ? "cut-off" : "other", -s3.capacity / 3600);
    assert_true(c0 < 1e-3);
    assert_int_equal(s2.end, SSB_CELL_END_DURATION);
    assert_true(c1 > 100);
    assert_int_equal(s3.end, SSB_CELL_END_VOLTAGE);
    assert_true(-s3.capacity > 0);
    ssb_cell_result_destroy(&r);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* A charge at 300 A/m2 after a 1C discharge to 3.0 V and a rest: the salt runs out at the front of the negative
   electrode (the anions migrate towards the positive), the solver fails there, and the step ends depleted in the
   negative electrode (zone starting at x = 0) instead of exit 9; the rest and the discharge after it run, and the
   discharge returns the charge the depleted charge put in (within 1 %). */
static void test_depleted_charge(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = deck(ctx, SSB_TEST_CELL_DUALFOIL_B, 20, 15, 1);
    ssb_cell_step_result s;
    ssb_cell_result *r = run(ctx, p,
                             "Discharge at 24 A/m2 until 3.0 V; Rest for 30 min; Charge at 300 A/m2 for 10 min; "
                             "Rest for 10 min; Discharge at 24 A/m2 until 3.0 V",
                             0, &s);
    ssb_cell_step_result s3, s4, s5;
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 2, &s3));
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 3, &s4));
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 4, &s5));
    printf("  charge at 300 A/m2: depleted after %.2f s at %.4f V, zone %.1f..%.1f um (region %d), %.4f Ah/m2; the "
           "discharge after the rest returns %.4f Ah/m2\n",
           s3.t_end - s3.t_start, s3.v_end, s3.depleted_from_x * 1e6, s3.depleted_to_x * 1e6, s3.depleted_region,
           -s3.capacity / 3600, s5.capacity / 3600);
    assert_int_equal(s3.end, SSB_CELL_END_DEPLETED);
    assert_int_equal(s3.depleted_region, 0);
    assert_true(s3.depleted_from_x == 0.0 && s3.depleted_to_x < 100e-6);
    assert_true(s3.t_end - s3.t_start < 600 && s3.capacity < 0);
    assert_int_equal(s4.end, SSB_CELL_END_DURATION);
    assert_int_equal(s5.end, SSB_CELL_END_VOLTAGE);
    TU_ASSERT_REL(s5.capacity, -s3.capacity, 1e-2);
    ssb_cell_result_destroy(&r);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Protocol steps after a `depleted` end (300 A/m2 for 10 min, c_e ~1e-18 mol/m3 at the back of the positive, where no
   consistent state at another set-point is reachable; before this work the rest stopped with exit 9 at its start):
   the set-point is switched in time over 1 ms. A rest relaxes c_e back (min c_e > 1e-2 of the initial 1000 mol/m3
   after 10 min, diffusion), conserves the salt (1e-9) and passes only the switch's charge (I dt / 2 = 0.15 C/m2); the
   voltage recovers to within 0.3 V of the OCV before the discharge. A 24 A/m2 discharge to 3.0 V after the depleted
   end delivers, with it, the capacity of the same cell discharged at 24 A/m2 to 3.0 V directly (within 1 %: the
   lithium a slow discharge can take is the same); a voltage hold after the depleted end runs. */
static void test_after_depleted_end(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_cell_params *p = deck(ctx, SSB_TEST_CELL_DUALFOIL_B, 20, 15, 1);
    ssb_cell_step_result s1, s2, sd;
    ssb_cell_result *r = run(ctx, p, "Discharge at 300 A/m2 for 10 min; Rest for 10 min", 1, &s1);
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 1, &s2));
    ssb_cell_profile p1, p2; /* at the ends of the two steps */
    TU_OK(ctx, ssb_cell_result_profile(ctx, r, 0, &p1));
    TU_OK(ctx, ssb_cell_result_profile(ctx, r, 1, &p2));
    double c1, c2, m0 = salt(&p1, &c1), m2 = salt(&p2, &c2);
    printf("  rest after the depleted end at %.3f s: min c_e %.3g -> %.1f mol/m3, V %.4f -> %.4f V, charge %.4g C/m2, "
           "salt %.12e -> %.12e mol/m2\n",
           s1.t_end, c1, c2, s1.v_end, s2.v_end, s2.capacity, m0, m2);
    assert_int_equal(s1.end, SSB_CELL_END_DEPLETED);
    assert_true(c1 < 1e-6);
    assert_int_equal(s2.end, SSB_CELL_END_DURATION);
    TU_ASSERT_REL(s2.t_end - s2.t_start, 600, 1e-12);
    assert_true(c2 > 10);
    TU_ASSERT_REL(m2, m0, 1e-9);
    assert_true(fabs(s2.capacity - 0.5 * 300 * 1e-3) < 2e-3); /* IDA's error control on Q (3.2e4 C/m2) */
    assert_true(s2.v_end > s1.v_end && s2.v_end < 4.0627 && s2.v_end > 4.0627 - 0.3);
    ssb_cell_result_destroy(&r);

    r = run(ctx, p, "Discharge at 300 A/m2 for 10 min; Discharge at 24 A/m2 until 3.0 V; Hold at 3.5 V for 1 min", 0,
            &s1);
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 1, &s2));
    ssb_cell_step_result s3;
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 2, &s3));
    ssb_cell_result *rd = run(ctx, p, "Discharge at 24 A/m2 until 3.0 V", 0, &sd);
    printf("  300 A/m2 depleted + 24 A/m2 to 3.0 V: %.5f + %.5f = %.5f Ah/m2 (24 A/m2 directly %.5f Ah/m2); hold "
           "%s at %.4f V\n",
           s1.capacity / 3600, s2.capacity / 3600, (s1.capacity + s2.capacity) / 3600, sd.capacity / 3600,
           s3.end == SSB_CELL_END_DURATION ? "to its end" : "cut short", s3.v_end);
    assert_int_equal(s2.end, SSB_CELL_END_VOLTAGE);
    assert_true(s2.t_end - s2.t_start > 60);
    TU_ASSERT_REL(s1.capacity + s2.capacity, sd.capacity, 1e-2);
    assert_int_equal(s3.end, SSB_CELL_END_DURATION);
    TU_ASSERT_REL(s3.v_end, 3.5, 1e-9);
    ssb_cell_result_destroy(&rd);
    ssb_cell_result_destroy(&r);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_depleted_end),         cmocka_unit_test(test_depleted_rate),
        cmocka_unit_test(test_decks_other_currents), cmocka_unit_test(test_rest_after_collapse),
        cmocka_unit_test(test_depleted_charge),      cmocka_unit_test(test_after_depleted_end)};
    return cmocka_run_group_tests_name("cell_depletion", tests, NULL, NULL);
}
