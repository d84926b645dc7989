/* Cell model, liquid electrolyte (issue 7 item 4): DUALFOIL 5.1 timed discharges of the concentrated binary
 * electrolyte cells, run to DUALFOIL's end, and the end of discharge at two resolutions.
 *
 * References (tests/reference/cell/dualfoil, README there: decks, conventions, provenance):
 *  - case A: the default deck as distributed (MCMB graphite | LiPF6 EC:DMC | LiCoO2, anode film 0.001 ohm m2),
 *    20 A/m2 for 60 min;
 *  - case B: the same cell galvanostatic to 3.0 V at 2.4 / 12 / 24 / 48 A/m2 (negative-limited end, x 0.01-0.07);
 *  - case MS: the Marquis 2019 cell as DUALFOIL ran it (deck changes: T = 298.15 K, x0 = 0.8, y0 = 0.637194,
 *    rka1 = 2.0728e-10, rka3 = 6.2186e-12, no film, cot3 = 258.0038 mAh/g), timed 0.1C-3C; DUALFOIL stops
 *    ("did not converge") when a LiCoO2 surface reaches c_t.
 * The model runs the deck's equations term by term (SSB_TEST_CELL_DUALFOIL_B in cells.h): kappa(c) eps^1.5,
 * D(c) eps^1.5, t+ = 0.4, dlnf/dlnc = 0 (electrolyte 11), i0 = F rka sqrt(c_e c_s (c_t - c_s)), alpha 0.5,
 * eta = phi_s - phi_e - U - F j_n R_film, sigma_eff = sigma (1 - eps_e)^1.5, c_t = 3600 cot rho / 96487.
 *
 * Why the MS rows are compared over time at 1C and above: DUALFOIL's tail. The MS runs end in thousands of tiny
 * steps (raw rows 7300 at 1C, 26300 at 3C against ~700 / ~220 steps of the discharge itself, README "Wall times
 * ... dominated by thousands of tiny steps in the non-converging end-of-discharge tail"), and the thinned rows
 * crowd there (180 of the 682 rows at 1C lie in the last 10 s of 57.5 min). DUALFOIL's solid phase is a Duhamel
 * superposition over its stored history of surface concentrations, and from step 501 on it thins that history
 * (dualfoil5.1.f, main loop: "if (k.GE.501) ... trim stored solid concentrations": every other stored point of the
 * oldest 400 is dropped, once per 200 steps). In the tail this happens every 200 tiny steps, so the recent history
 * is coarsened over and over and the surface concentration falls behind the flux it carries. Rebuilt outside the
 * library from the algorithm as described (scripts/dualfoil_superposition_check.py: sphere kernel, piecewise-linear
 * surface concentration, the same trimming), a constant flux N R / (D c_t) = 0.205 (the back of the 3C electrode)
 * run like the 3C case (1090 s of steps growing to 5 s, then 1 ms steps) gives a surface concentration below the
 * exact one by 1e-4 of c_t without the tail, 1.2e-3 after 6000 tail steps, 2.8e-3 after 13000 and 5.6e-3 after
 * 26000: at the 3C end the surfaces rise 7e-4 of c_t per second, so DUALFOIL reaches its end seconds late, and the
 * longer its tail the later. DUALFOIL itself confirms it (README cell section): with the thinning disabled (the one
 * change, 2C deck, stored as MS_Marquis2019_COMSOLmatched_2C_nothinning and tested below) it follows ours within
 * 1 mV RMS over its 17753 steps until it stops at 1687.9 s, 2.9 mV from ours where the unmodified program is 19 mV
 * off. Our model resolves the
 * particles itself (finite volumes, no history), agrees with the COMSOL DFN solution of the same cell within
 * 0.3 mV RMS to the 3C knee (test_cell_comsol_full) and with itself at twice the resolution; so over the rows of
 * the last seconds the comparison measures DUALFOIL's tail, over time it measures the discharge. Both are printed;
 * the time-weighted RMS and the end are asserted where the tail dominates the rows. */
#include "cells.h"
#include "dualfoil_ref.h"
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static df_curve ref;

/* The deck as a parameter set at a resolution (cells per electrode, separator cells = half, particle shells). */
static ssb_cell_params *deck_b(ssb_ctx *ctx, int nx, int nr)
{
    char json[8192];
    snprintf(json, sizeof json,
             "%s \"numerics\": {\"positive_cells\": %d, \"negative_cells\": %d, \"separator_cells\": %d, "
             "\"particle_cells\": %d}}",
             SSB_TEST_CELL_DUALFOIL_B, nx, nx, nx / 2, nr);
    ssb_cell_params *p = NULL;
    TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, json, "DUALFOIL deck", &p));
    return p;
}

/* Case MS: the deck changes of the README (c_t = 3600 x 258.0038 x 5010 / 96487). */
static ssb_cell_params *deck_ms(ssb_ctx *ctx, int nx, int nr)
{
    ssb_cell_params *p = deck_b(ctx, nx, nr);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "temperature_K", 298.15));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.initial_stoichiometry", 0.8));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.rate_constant_m2.5_per_mol0.5_s", 2.0728e-10));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.interface_resistance_ohm_m2", 0));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.rate_constant_m2.5_per_mol0.5_s", 6.2186e-12));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.max_concentration_mol_per_m3", 3600 * 258.0038 * 5010 / 96487.0));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.initial_stoichiometry", 0.637194));
    return p;
}

static ssb_cell_result *run(ssb_ctx *ctx, const ssb_cell_params *p, const char *proto, ssb_cell_step_result *s)
{
    ssb_cell *c = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &c));
    ssb_cell_result *r = NULL;
    TU_OK(ctx, ssb_cell_run_protocol(ctx, c, proto, NULL, &r));
    ssb_cell_destroy(&c);
    TU_OK(ctx, ssb_cell_result_step(ctx, r, 0, s));
    return r;
}

static ssb_cell_result *run_timed(ssb_ctx *ctx, const ssb_cell_params *p, double I, double tend,
                                  ssb_cell_step_result *s)
{
    char proto[128];
    snprintf(proto, sizeof proto, "Discharge at %g A/m2 for %.6f s", I, tend);
    return run(ctx, p, proto, s);
}

/* Cases A and B timed for DUALFOIL's whole run time: every run completes, and the whole curve agrees within 10 mV
   RMS over DUALFOIL's rows (B: up to its 3.0 V cut-off; its end is the graphite emptying). */
static void test_case_a_b_timed(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        const char *dir;
        double I, rms_max; /* A/m2, V */
    } cs[] = {{"A_default_20Am2_60min", 20, 1e-3},
              {"B_graphite_LCO_2.4Am2_to3V", 2.4, 10e-3},
              {"B_graphite_LCO_12.0Am2_to3V", 12, 10e-3},
              {"B_graphite_LCO_24.0Am2_to3V", 24, 10e-3},
              {"B_graphite_LCO_48.0Am2_to3V", 48, 10e-3},
              {"B_graphite_LCO_36.0Am2_to3V", 36, 10e-3}}; /* 36 A/m2: not among the currents the model was
                                                             developed against (README there) */
    ssb_cell_params *p = deck_b(ctx, 40, 30);
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        df_read(cs[i].dir, &ref);
        double tend = ref.t[ref.n - 1];
        ssb_cell_step_result s;
        ssb_cell_result *r = run_timed(ctx, p, cs[i].I, tend, &s);
        assert_int_equal(s.end, SSB_CELL_END_DURATION);
        TU_ASSERT_REL(s.t_end, tend, 1e-12);
        df_cmp d = df_compare(r, &ref);
        printf("  %-28s timed %7.2f min: V rms %.2f mV over the whole run (max %.2f, %d rows), %.3f mV over time, "
               "V0 %.5f (DUALFOIL %.5f), V_end %.5f (%.5f)\n",
               cs[i].dir, tend / 60, d.rms_rows * 1e3, d.max_rows * 1e3, ref.n, d.rms_time * 1e3, s.v_start, ref.V[0],
               s.v_end, ref.V[ref.n - 1]);
        assert_true(d.rms_rows < cs[i].rms_max);
        assert_true(d.rms_85 < 1e-3);
        ssb_cell_result_destroy(&r);
    }
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Case B to DUALFOIL's 3.0 V cut-off at two resolutions (40 cells per electrode x 30 shells, and twice that): the
   end agrees with DUALFOIL (80/40/80 nodes, 100 particle nodes) within 0.1 % of the run time and within 0.05 %
   between the two resolutions; the film resistance of the deck is needed (without it V_start is 3 mV high). */
static void test_case_b_end_resolution(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        const char *dir;
        double I;
    } cs[] = {{"B_graphite_LCO_2.4Am2_to3V", 2.4},
              {"B_graphite_LCO_24.0Am2_to3V", 24},
              {"B_graphite_LCO_48.0Am2_to3V", 48},
              {"B_graphite_LCO_36.0Am2_to3V", 36}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        df_read(cs[i].dir, &ref);
        double tdf = ref.t[ref.n - 1], te[2];
        char proto[96];
        snprintf(proto, sizeof proto, "Discharge at %g A/m2 until 3.0 V", cs[i].I);
        for (int res = 0; res < 2; res++) {
            ssb_cell_params *p = deck_b(ctx, 40 << res, 30 << res);
            ssb_cell_step_result s;
            ssb_cell_result *r = run(ctx, p, proto, &s);
            assert_int_equal(s.end, SSB_CELL_END_VOLTAGE);
            te[res] = s.t_end;
            ssb_cell_result_destroy(&r);
            ssb_cell_params_destroy(&p);
        }
        printf("  %-28s to 3.0 V: %.2f s (40 x 30) and %.2f s (80 x 60) vs DUALFOIL %.2f s (%+.3f %%, %+.3f %%)\n",
               cs[i].dir, te[0], te[1], tdf, 100 * (te[0] / tdf - 1), 100 * (te[1] / tdf - 1));
        assert_true(fabs(te[0] / tdf - 1) < 1e-3 && fabs(te[1] / tdf - 1) < 1e-3);
        assert_true(fabs(te[1] / te[0] - 1) < 5e-4);
    }
    /* the film resistance matters: without it the start is off by millivolts */
    ssb_cell_params *p = deck_b(ctx, 40, 30);
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.interface_resistance_ohm_m2", 0));
    df_read("B_graphite_LCO_24.0Am2_to3V", &ref);
    ssb_cell_step_result s;
    ssb_cell_result *r = run_timed(ctx, p, 24, 60, &s);
    printf("  without the anode film: V_start %.5f vs DUALFOIL %.5f\n", s.v_start, ref.V[0]);
    assert_true(s.v_start - ref.V[0] > 2e-3);
    ssb_cell_result_destroy(&r);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Case MS timed for DUALFOIL's whole run time. C/10 and C/2 complete and agree within 10 mV RMS over DUALFOIL's
   rows; 1C completes and agrees within 10 mV RMS over time (1.2 mV; over the rows 21.5 mV: DUALFOIL's tail, see
   above); at 2C and 3C the positive electrode is exhausted (every surface at c_t) 0.25 s and 4.9 s before
   DUALFOIL's end, at the same time at two resolutions (within 0.1 s). Every rate agrees within 1 mV over the rows
   of the first 85 % of the run. */
static void test_case_ms(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        const char *dir;
        double I;
        int rows;      /* whole-run RMS over the rows required */
        int exhausted; /* ends exhausted before DUALFOIL's end */
    } cs[] = {{"MS_Marquis2019_COMSOLmatched_0.1C", 2.4, 1, 0},
              {"MS_Marquis2019_COMSOLmatched_0.5C", 12, 1, 0},
              {"MS_Marquis2019_COMSOLmatched_1C", 24, 0, 0},
              {"MS_Marquis2019_COMSOLmatched_2C", 48, 0, 1},
              {"MS_Marquis2019_COMSOLmatched_3C", 72, 0, 1}};
    ssb_cell_params *p = deck_ms(ctx, 40, 30), *p2 = deck_ms(ctx, 80, 60);
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        df_read(cs[i].dir, &ref);
        double tend = ref.t[ref.n - 1];
        ssb_cell_step_result s;
        ssb_cell_result *r = run_timed(ctx, p, cs[i].I, tend, &s);
        df_cmp d = df_compare(r, &ref);
        printf("  %-34s timed %6.2f min: %s at %.2f s (DUALFOIL %.2f s), V rms %.2f mV over time, %.2f mV over "
               "the rows (max %.1f), %.3f mV over the first 85 %%\n",
               cs[i].dir, tend / 60, s.end == SSB_CELL_END_EXHAUSTED ? "exhausted" : "duration", s.t_end, tend,
               d.rms_time * 1e3, d.rms_rows * 1e3, d.max_rows * 1e3, d.rms_85 * 1e3);
        assert_true(d.rms_85 < 1e-3);
        /* exhausted (2C, 3C): the last second, where our voltage falls through 3.2 -> 2.7 V while DUALFOIL's lagging
           surfaces hold it near 3.2 V, is most of the RMS over time (9.7 / 12.3 mV up to our end): the 10 mV target
           is not met there; 15 mV guards the present agreement */
        assert_true(d.rms_time < (cs[i].exhausted ? 15e-3 : 10e-3));
        if (cs[i].rows)
            assert_true(d.rms_rows < 10e-3);
        if (!cs[i].exhausted) {
            assert_int_equal(s.end, SSB_CELL_END_DURATION);
        } else {
            /* the same end at twice the resolution, a few seconds before DUALFOIL's */
            ssb_cell_step_result s2;
            ssb_cell_result *r2 = run_timed(ctx, p2, cs[i].I, tend, &s2);
            printf("    exhausted at %.2f s at twice the resolution (%+.2f s), %.2f s before DUALFOIL's end\n",
                   s2.t_end, s2.t_end - s.t_end, tend - s.t_end);
            assert_int_equal(s.end, SSB_CELL_END_EXHAUSTED);
            assert_int_equal(s2.end, SSB_CELL_END_EXHAUSTED);
            assert_true(fabs(s2.t_end - s.t_end) < 0.5);
            assert_true(tend - s.t_end > 0 && tend - s.t_end < 6.0);
            ssb_cell_result_destroy(&r2);
        }
        ssb_cell_result_destroy(&r);
    }
    ssb_cell_params_destroy(&p2);
    ssb_cell_params_destroy(&p);
    ssb_ctx_destroy(&ctx);
}

/* Case MS timed for the deck's own duration, as a check that was not developed against would run it (DUALFOIL
   runs made for issue 7 item 4 and stored afterwards: 0.2C for 300 min, 1.5C for 40 min, 1C for 60 min at 310 K (the
   MS deck has no activation energies: only RT/F changes), README there). DUALFOIL stops with "did not converge"
   before the duration (at 291.99, 37.99 and 57.52 min); ours runs to the end of the
   positive electrode (exhausted), at the same time at two resolutions (40 x 30 and 80 x 60, within 0.5 s) and within
   20 s of DUALFOIL's stop, with the capacity within 0.2 %. Voltage up to the earlier end: 0.2C within 10 mV RMS over
   DUALFOIL's rows (2.6 / 2.4 mV; before the voltage-step fix of cell_solver.c a 119 s step across the knee at 80 x 60
   gave 246 mV) and over time; 1.5C and 1C at 310 K within 10 mV RMS over time (5.0 / 4.6 and 1.3 / 1.2 mV), over
   the rows 64 / 59 and 25 / 22 mV: DUALFOIL's tail (11700 and 7900 rows, most of them in its last seconds; see the
   top of this file). */
static void test_case_ms_deck_duration(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    const struct {
        const char *dir;
        double I, minutes, T; /* A/m2, the deck's duration, K */
        int rows;             /* RMS over the rows required */
        double cap_tol;       /* capacity vs DUALFOIL's up to its stop */
    } cs[] = {{"MS_Marquis2019_COMSOLmatched_0.2C_timed300min", 4.8, 300, 298.15, 1, 2e-3},
              {"MS_Marquis2019_COMSOLmatched_1.5C_timed40min", 36, 40, 298.15, 0, 2e-3},
              {"MS_Marquis2019_COMSOLmatched_1C_310K_timed60min", 24, 60, 310, 0, 2e-3},
              /* the 2C deck run by DUALFOIL with its history thinning disabled (the one change; README there): it
                 follows ours within 1 mV RMS over its 17753 steps and stops ("did not converge") 5.5 s before ours
                 is exhausted, 0.33 % of the capacity earlier */
              {"MS_Marquis2019_COMSOLmatched_2C_nothinning", 48, 30, 298.15, 1, 5e-3},
              /* the same at 1C (issue 7 item 4: is a part of the stored 1C run's 21 mV RMS over the rows ours?): it
                 follows ours within 1.8 / 1.3 mV RMS over its 9772 steps (the unmodified program over the same time:
                 3.2 / 2.8 mV) and stops at 3449.41 s, 1.5 s before the unmodified one, at 3.2937 V where ours is
                 3.2884 V (unmodified: 3.3061 V); the 21 mV are the unmodified program's last 1.5 s */
              {"MS_Marquis2019_COMSOLmatched_1C_nothinning", 24, 60, 298.15, 1, 2e-3}};
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        df_read(cs[i].dir, &ref);
        double tdf = ref.t[ref.n - 1], te[2], q[2];
        for (int res = 0; res < 2; res++) {
            ssb_cell_params *p = deck_ms(ctx, 40 << res, 30 << res);
            TU_OK(ctx, ssb_cell_params_set(ctx, p, "temperature_K", cs[i].T));
            ssb_cell_step_result s;
            ssb_cell_result *r = run_timed(ctx, p, cs[i].I, 60 * cs[i].minutes, &s);
            df_cmp d = df_compare(r, &ref);
            te[res] = s.t_end;
            q[res] = s.capacity;
            printf("  %-46s %d x %d: %s at %.2f s (DUALFOIL stops at %.2f s), %.4f Ah/m2 (DUALFOIL %.4f), V rms "
                   "%.2f mV over the rows, %.2f mV over time\n",
                   cs[i].dir, 40 << res, 30 << res, s.end == SSB_CELL_END_EXHAUSTED ? "exhausted" : "other", s.t_end,
                   tdf, s.capacity / 3600, cs[i].I * tdf / 3600, d.rms_rows * 1e3, d.rms_time * 1e3);
            assert_int_equal(s.end, SSB_CELL_END_EXHAUSTED);
            assert_true(fabs(s.t_end - tdf) < 20);
            TU_ASSERT_REL(s.capacity, cs[i].I * tdf, cs[i].cap_tol);
            assert_true(d.rms_time < 10e-3);
            if (cs[i].rows)
                assert_true(d.rms_rows < 10e-3);
            ssb_cell_result_destroy(&r);
            ssb_cell_params_destroy(&p);
        }
        assert_true(fabs(te[1] - te[0]) < 0.5);
        TU_ASSERT_REL(q[1], q[0], 1e-4);
    }
    ssb_ctx_destroy(&ctx);
}

/* A transference number that varies with the salt concentration (DUALFOIL's polymer electrolytes 3, 6, 10 and 12 have
   one; here t+ = 0.7 - 3e-4 c, 0.4 at 1000 mol/m3 as in the deck) in a Li foil | LiPF6 | LiCoO2 cell at 24 A/m2.
   The salt balance is written for the anion, which does not react: its flux -D grad c - (1 - t+(c)) i / F vanishes at
   the foil, so once the profile is quasi-steady it vanishes through the whole separator, D(c) dc/dx = -(1 - t+(c)) I
   / F at every separator face (with t+ frozen at its value for 1000 mol/m3 this flux would be 3 % of the migration
   flux, the change of t+ from 1000 to the separator's 1056-1068 mol/m3), and the salt in the electrolyte is
   conserved; t+ given as the constant expression "0.4" runs the same cell as the number 0.4. */
static void test_variable_transference(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    double V[2];
    for (int k = 0; k < 3; k++) {
        /* the deck with its graphite electrode replaced by a (non-polarizable) Li foil */
        const char *deck = SSB_TEST_CELL_DUALFOIL_B, *a = strstr(deck, " \"negative\""),
                   *b = strstr(deck, " \"positive\"");
        char json[8192];
        snprintf(json, sizeof json,
                 "%.*s \"negative\": {\"type\": \"lithium_metal\", \"exchange_current_density_A_per_m2\": 1e6},%s"
                 " \"numerics\": {\"positive_cells\": 40, \"separator_cells\": 20, \"particle_cells\": 20}}",
                 (int)(a - deck), deck, b);
        if (k == 2) {
            /* t+(c) as the JSON expression in place of the number (no number needed then) */
            const char *num = "\"transference_number\": 0.4", *q = strstr(json, num);
            assert_non_null(q);
            char tail[8192];
            snprintf(tail, sizeof tail, "%s", q + strlen(num));
            snprintf(json + (q - json), sizeof json - (size_t)(q - json), "\"transference_number\": \"0.7 - 3e-4*x\"%s",
                     tail);
        }
        ssb_cell_params *p = NULL;
        TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, json, "Li foil deck", &p));
        if (k == 1)
            TU_OK(ctx, ssb_cell_params_set_fn_expr(ctx, p, SSB_CELL_FN_TPLUS, "0.4", NAN, NAN));
        ssb_cell *c = NULL;
        TU_OK(ctx, ssb_cell_create(ctx, p, &c));
        ssb_cell_run_params rp = ssb_cell_run_params_default();
        double tp[2] = {0, 2000};
        rp.profile_times = tp;
        rp.nprofiles = 2;
        ssb_cell_result *r = NULL;
        TU_OK(ctx, ssb_cell_run_protocol(ctx, c, "Discharge at 24 A/m2 for 2000 s", &rp, &r));
        ssb_cell_step_result s;
        TU_OK(ctx, ssb_cell_result_step(ctx, r, 0, &s));
        if (k < 2) {
            V[k] = s.v_end;
        } else {
            /* salt: sum of eps_e dx c_e over the control volumes, at t = 0 and at the end */
            double salt[2], worst = 0, worst_frozen = 0, cmin = INFINITY, cmax = 0;
            for (int q = 0; q < 2; q++) {
                ssb_cell_profile pr;
                TU_OK(ctx, ssb_cell_result_profile(ctx, r, q, &pr));
                salt[q] = 0;
                double xl = 0;
                for (int i = 0; i < pr.n; i++) { /* control volumes: x[i] is the centre of [xl, xr] */
                    double xr = 2 * pr.x[i] - xl;
                    salt[q] += (pr.region[i] == 1 ? 1.0 : 0.3) * (xr - xl) * pr.c_e[i];
                    xl = xr;
                }
                if (q == 0)
                    continue;
                for (int i = 0; i + 1 < pr.n && pr.region[i + 1] == 1; i++) {
                    double cf = 0.5 * (pr.c_e[i] + pr.c_e[i + 1]), dx = pr.x[i + 1] - pr.x[i];
                    double D = 5.34e-10 * exp(-0.65 * cf / 1000),
                           mig = (1 - (0.7 - 3e-4 * cf)) * 24 / SSB_CONST_FARADAY;
                    double flux = -D * (pr.c_e[i + 1] - pr.c_e[i]) / dx - mig;
                    worst = fmax(worst, fabs(flux) / mig);
                    worst_frozen = fmax(
                        worst_frozen, fabs(-D * (pr.c_e[i + 1] - pr.c_e[i]) / dx - 0.6 * 24 / SSB_CONST_FARADAY) / mig);
                    cmin = fmin(cmin, pr.c_e[i]);
                    cmax = fmax(cmax, pr.c_e[i + 1]);
                }
            }
            printf(
                "  t+ = 0.7 - 3e-4 c: separator c_e %.1f..%.1f mol/m3, anion flux / migration flux <= %.2e (frozen t+: "
                "%.2e); salt %.12e -> %.12e mol/m2 (%+.1e)\n",
                cmin, cmax, worst, worst_frozen, salt[0], salt[1], salt[1] / salt[0] - 1);
            assert_true(worst < 2e-3 && worst_frozen > 1e-2);
            TU_ASSERT_REL(salt[1], salt[0], 1e-9);
        }
        ssb_cell_result_destroy(&r);
        ssb_cell_destroy(&c);
        ssb_cell_params_destroy(&p);
    }
    printf("  t+ as the number 0.4 and as the expression \"0.4\": V after 2000 s %.9f / %.9f V\n", V[0], V[1]);
    TU_ASSERT_REL(V[1], V[0], 1e-9);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_case_a_b_timed),
                                       cmocka_unit_test(test_case_b_end_resolution), cmocka_unit_test(test_case_ms),
                                       cmocka_unit_test(test_case_ms_deck_duration),
                                       cmocka_unit_test(test_variable_transference)};
    return cmocka_run_group_tests_name("cell_dualfoil_liquid", tests, NULL, NULL);
}
