/* Cell model validation (full): DUALFOIL 5.1 solid-state proxies, Li foil | ideal single-ion conductor (t+ = 1) |
 * composite cathode, cases C (LiCoO2, cut-off 3.8 V) and F (LiMn2O4, cut-off 3.5 V).
 * Reference: tests/reference/cell/dualfoil (README: decks, conventions; voltage.csv, summary.csv).
 * Criteria (issue 4): voltage within 10 mV RMS over the first 85 % of each discharge (by time) at rates up to 1C,
 * delivered capacity within 1 %. Case MS (issue 7 item 4): the liquid Marquis 2019 cell as DUALFOIL ran it, timed
 * discharges over DUALFOIL's whole run time (see test_case_ms).
 *
 * Conventions taken from the decks and DUALFOIL 5.1 (dualfoil5.1.f, github.com/dansteingart/dualfoil5):
 *  - T = 298 K; the activation energies of the deck (Ea/R = 4000 K) enter as exp(Ea/R (T - 298)/(298 T)), i.e.
 *    with a 298.0 K reference for kappa and the rate constants: no correction at 298 K.
 *  - membrane (electrolyte 9): kappa = 0.01 S/m eps^1.5; matrix sigma_eff = sigma (1 - eps_e)^1.5 (active + filler);
 *    a = 3 eps_active / R; i0 = F rka sqrt(c_e c_s (c_t - c_s)), c_e = 1000 mol/m3.
 *  - Li foil: the deck's rka1 = 1e-5 would give i0 = F 1e-5 sqrt(1000) = 30.5 A/m2, but DUALFOIL's curves show no
 *    foil overpotential: with that i0 our t = 0 voltages are 1.31 / 6.57 / 13.2 mV below DUALFOIL at
 *    1.52 / 7.6 / 15.2 A/m2 (case F), which is exactly the Butler-Volmer overpotential of 30.5 A/m2
 *    (1.29 / 6.38 / 12.67 mV); with a non-polarizable foil the t = 0 voltages agree to 0.03 / 0.2 / 0.5 mV. The
 *    comparison therefore uses the foil as DUALFOIL effectively treats it (i0 = 1e6 A/m2); the deck value is run
 *    too and its deviation printed.
 *  - LiCoO2 OCP: DUALFOIL material 6 (the Dualfoil1998 fit without PyBaMM's 1.062 stretch), as an inline
 *    expression; LiMn2O4 OCP: material 4 from the materials database ("Dualfoil-spinel-upper", clipped 3.0-4.5 V).
 */
#include "cells.h"
#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMAX 20000

typedef struct {
    int n;
    double t[NMAX], V[NMAX], I;
} curve;

/* DUALFOIL voltage.csv: time_min, util_neg_x, util_pos_y, cell_V, Uocp_V, current_A_m2, ... */
static int read_dualfoil(const char *path, curve *c)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    c->n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f) && c->n < NMAX) {
        double v[8];
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 6)
            continue;
        c->t[c->n] = v[0] * 60.0;
        c->V[c->n] = v[3];
        c->I = v[5];
        c->n++;
    }
    fclose(f);
    return c->n > 1 ? 0 : -1;
}

/* RMS of (model - reference) over reference points with t <= 0.85 t_end; the model's series starts after its
   initial rest point (index 1 = loaded state at t = 0). */
static double rms85(const ssb_cell_result *r, const curve *ref, double *vmax)
{
    int n = ssb_cell_result_npoints(r) - 1;
    const double *t = ssb_cell_result_series(r, SSB_CELL_T) + 1, *V = ssb_cell_result_series(r, SSB_CELL_V) + 1;
    double s = 0, mx = 0;
    int k = 0;
    double tend = ref->t[ref->n - 1];
    for (int i = 0; i < ref->n; i++) {
        if (ref->t[i] > 0.85 * tend)
            break;
        double d = tu_interp(t, V, n, ref->t[i]) - ref->V[i];
        s += d * d;
        mx = fmax(mx, fabs(d));
        k++;
    }
    if (vmax)
        *vmax = mx;
    return sqrt(s / k);
}

static const char *case_c = SSB_TEST_CELL_DUALFOIL_C
    " \"numerics\": {\"positive_cells\": 40, \"separator_cells\": 10, \"particle_cells\": 30}}";

static const char *case_f = SSB_TEST_CELL_DUALFOIL_F
    " \"numerics\": {\"positive_cells\": 40, \"separator_cells\": 10, \"particle_cells\": 30}}";

typedef struct {
    const char *json, *dir;
    double I, vcut, cap_ref; /* A/m2, V, Ah/m2 (summary.csv) */
    int required;            /* rate <= 1C */
} vcase;

static void run_cases(const vcase *cs, int n)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static curve ref;
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "cell/dualfoil/%s/voltage.csv", cs[i].dir);
        if (read_dualfoil(tu_ref(path), &ref) != 0)
            fail_msg("cannot read %s", tu_ref(path));
        for (int foil = 0; foil < 2; foil++) {
            ssb_cell_params *p = NULL;
            TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL, cs[i].json, cs[i].dir, &p));
            /* foil = 1: the deck's rka1 = 1e-5 (i0 = F rka1 sqrt(1000)) */
            if (foil)
                TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.rate_constant_m2.5_per_mol0.5_s", 1e-5));
            ssb_cell *c = NULL;
            TU_OK(ctx, ssb_cell_create(ctx, p, &c));
            char proto[128];
            snprintf(proto, sizeof proto, "Discharge at %g A/m2 until %g V", cs[i].I, cs[i].vcut);
            ssb_cell_result *r = NULL;
            int rc = ssb_cell_run_protocol(ctx, c, proto, NULL, &r);
            if (rc != SSB_OK && foil) {
                printf("  %-34s deck foil i0: %s\n", cs[i].dir, ssb_ctx_get_error(ctx));
                ssb_cell_destroy(&c);
                ssb_cell_params_destroy(&p);
                continue;
            }
            TU_OK(ctx, rc);
            ssb_cell_step_result s;
            TU_OK(ctx, ssb_cell_result_step(ctx, r, 0, &s));
            double vmax, rms = rms85(r, &ref, &vmax);
            double cap = s.capacity / 3600.0, dcap = cap / cs[i].cap_ref - 1;
            ssb_cell_stats st;
            ssb_cell_result_stats(r, &st);
            printf("  %-34s %s: V rms %.2f mV (max %.2f), V0 %.5f (DUALFOIL %.5f), Q %.4f vs %.4f Ah/m2 (%+.3f %%), "
                   "%.0f ms\n",
                   cs[i].dir, foil ? "deck foil i0  " : "non-polarizable", rms * 1e3, vmax * 1e3, s.v_start, ref.V[0],
                   cap, cs[i].cap_ref, 100 * dcap, st.wall * 1e3);
            if (!foil && cs[i].required) {
                assert_true(rms < 10e-3);
                assert_true(fabs(dcap) < 0.01);
            }
            ssb_cell_result_destroy(&r);
            ssb_cell_destroy(&c);
            ssb_cell_params_destroy(&p);
        }
    }
    ssb_ctx_destroy(&ctx);
}

/* Capacities from reference/cell/dualfoil/summary.csv (trapezoid of I dt on the raw DUALFOIL output). */
static void test_case_f(void **state)
{
    (void)state;
    const vcase cs[] = {{case_f, "F_Lifoil_SIC_LMO_1.52Am2_to3.5V", 1.52, 3.5, 15.0528, 1},
                        {case_f, "F_Lifoil_SIC_LMO_7.6Am2_to3.5V", 7.6, 3.5, 14.8545, 1},
                        {case_f, "F_Lifoil_SIC_LMO_15.2Am2_to3.5V", 15.2, 3.5, 13.4558, 1}};
    run_cases(cs, 3);
}

/* 1C = 20.59 A/m2 (theoretical capacity y 0.5 -> 1); 40 A/m2 (~2C) is run and printed, not required. */
static void test_case_c(void **state)
{
    (void)state;
    const vcase cs[] = {{case_c, "C_Lifoil_SIC_LCO_2.0Am2_to3.8V", 2.0, 3.8, 20.4498, 1},
                        {case_c, "C_Lifoil_SIC_LCO_10.0Am2_to3.8V", 10.0, 3.8, 11.2427, 1},
                        {case_c, "C_Lifoil_SIC_LCO_20.0Am2_to3.8V", 20.0, 3.8, 5.2293, 1},
                        {case_c, "C_Lifoil_SIC_LCO_40.0Am2_to3.8V", 40.0, 3.8, 1.1667, 0}};
    run_cases(cs, 4);
}

/* Case MS: the Marquis 2019 liquid cell as DUALFOIL ran it (reference README, case MS): c_t = 3600 cot3 rho / F
 * = 48227.8 mol/m3 with cot3 = 258.0038 mAh/g, y0 = 0.637194, DUALFOIL's LiCoO2 OCP (material 6, unstretched), the
 * rate constants rka1 = 2.0728e-10 and rka3 = 6.2186e-12, everything else as in SSB_TEST_CELL_MARQUIS2019 (DUALFOIL
 * electrolyte 11 agrees with it: first 85 % of every curve within 0.6 mV). Timed discharges (DUALFOIL mode 1) for
 * DUALFOIL's whole run time; DUALFOIL stops when an LCO surface reaches c_t ("did not converge"). Required: the
 * model runs to the end and agrees within 10 mV RMS over the whole curve at C/10 and C/2, and within 1 mV over the
 * first 85 % at every rate. At 1C the last 3 s (V falling 60 mV in DUALFOIL, 150 mV here) give 21 mV RMS over the
 * whole curve; at 2C and 3C every particle surface of the positive electrode is at its limit 1.2 s and 5.6 s before
 * DUALFOIL stops (average y 0.9795 vs DUALFOIL's 0.9812 at 3C; a quasi-steady parabolic profile puts the surface
 * 0.021 above the average at 3C, i.e. at the limit at y = 0.979, as here): printed, not required. */
static void test_case_ms(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    static curve ref;
    const struct {
        const char *dir;
        double I;
        int whole; /* whole-curve RMS required */
    } cs[] = {{"MS_Marquis2019_COMSOLmatched_0.1C", 2.4, 1},
              {"MS_Marquis2019_COMSOLmatched_0.5C", 12, 1},
              {"MS_Marquis2019_COMSOLmatched_1C", 24, 0},
              {"MS_Marquis2019_COMSOLmatched_2C", 48, 0},
              {"MS_Marquis2019_COMSOLmatched_3C", 72, 0}};
    for (int i = 0; i < 5; i++) {
        char path[512];
        snprintf(path, sizeof path, "cell/dualfoil/%s/voltage.csv", cs[i].dir);
        if (read_dualfoil(tu_ref(path), &ref) != 0)
            fail_msg("cannot read %s", tu_ref(path));
        ssb_cell_params *p = NULL;
        TU_OK(ctx, ssb_cell_params_from_json_string(ctx, NULL,
                                                    SSB_TEST_CELL_MARQUIS2019
                                                    " \"numerics\": {\"positive_cells\": 40, \"negative_cells\": 40,"
                                                    " \"separator_cells\": 20, \"particle_cells\": 30}}",
                                                    "MS", &p));
        TU_OK(ctx, ssb_cell_params_set_fn_expr(ctx, p, SSB_CELL_FN_OCV_POS,
                                               "2.16216 + 0.07645*tanh(30.834 - 54.4806*x) + 2.1581*tanh(52.294 - "
                                               "50.294*x) - 0.14169*tanh(11.0923 - 19.8543*x) + 0.2051*tanh(1.4684 - "
                                               "5.4888*x) + 0.2531*tanh((-x + 0.56478)/0.1316) - 0.02167*tanh((x - "
                                               "0.525)/0.006)",
                                               NAN, NAN));
        TU_OK(ctx,
              ssb_cell_params_set(ctx, p, "positive.max_concentration_mol_per_m3", 3600 * 258.0038 * 5010 / 96487.0));
        TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.initial_stoichiometry", 0.637194));
        TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.rate_constant_m2.5_per_mol0.5_s", 6.2186e-12));
        TU_OK(ctx, ssb_cell_params_set(ctx, p, "negative.rate_constant_m2.5_per_mol0.5_s", 2.0728e-10));
        ssb_cell *c = NULL;
        TU_OK(ctx, ssb_cell_create(ctx, p, &c));
        double tend = ref.t[ref.n - 1];
        char proto[128];
        snprintf(proto, sizeof proto, "Discharge at %g A/m2 for %.6f s", cs[i].I, tend);
        ssb_cell_result *r = NULL;
        int rc = ssb_cell_run_protocol(ctx, c, proto, NULL, &r);
        if (rc != SSB_OK) {
            printf("  %-34s timed %.2f min: %s\n", cs[i].dir, tend / 60, ssb_ctx_get_error(ctx));
            assert_false(cs[i].whole);
            /* the first 90 % of the time */
            snprintf(proto, sizeof proto, "Discharge at %g A/m2 for %.6f s", cs[i].I, 0.9 * tend);
            TU_OK(ctx, ssb_cell_run_protocol(ctx, c, proto, NULL, &r));
        }
        double vmax, rms85v = rms85(r, &ref, &vmax);
        int n = ssb_cell_result_npoints(r) - 1;
        const double *t = ssb_cell_result_series(r, SSB_CELL_T) + 1, *V = ssb_cell_result_series(r, SSB_CELL_V) + 1;
        double ss = 0;
        for (int k = 0; k < ref.n; k++) {
            double d = tu_interp(t, V, n, ref.t[k]) - ref.V[k];
            ss += d * d;
        }
        double rms = rc == SSB_OK ? sqrt(ss / ref.n) : NAN;
        if (rc == SSB_OK)
            printf(
                "  %-34s timed %.2f min: V rms %.2f mV over the whole run, %.3f mV (max %.2f) over the first 85 %%\n",
                cs[i].dir, tend / 60, rms * 1e3, rms85v * 1e3, vmax * 1e3);
        else
            printf("  %-34s first 90 %% of the time: V rms %.3f mV (max %.2f) over the first 85 %%\n", cs[i].dir,
                   rms85v * 1e3, vmax * 1e3);
        assert_true(rms85v < 1e-3);
        if (cs[i].whole)
            assert_true(rms < 10e-3);
        ssb_cell_result_destroy(&r);
        ssb_cell_destroy(&c);
        ssb_cell_params_destroy(&p);
    }
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_case_f), cmocka_unit_test(test_case_c),
                                       cmocka_unit_test(test_case_ms)};
    return cmocka_run_group_tests_name("cell_dualfoil_full", tests, NULL, NULL);
}
