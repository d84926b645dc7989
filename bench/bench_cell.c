/* Cell model benchmark (not a test): prints medians of the wall time of ssb_cell_run (the time integration; the
 * model is built once, as a user running several protocols would).
 *
 *   bench_cell [--repeat N] [--ref DIR]
 *
 * Cases (issue 4, "Speed"):
 *   1. the built-in default solid-state cell (30 control volumes across the cell: 20 positive + 10 separator, 20
 *      per particle), "Discharge at 1C until 3.5 V"; target < 10 ms median;
 *   2. DUALFOIL case F (Li foil | single-ion conductor | LiMn2O4, 15.2 A/m2 to 3.5 V) at DUALFOIL's x-resolution
 *      (80 positive + 40 separator nodes). DUALFOIL's particles are exact superposition integrals; ours are 10 or
 *      20 finite-volume shells, whose voltage curve is compared with 100 shells (printed). DUALFOIL needs about
 *      0.2 s (README); target 10x;
 *   3. a sweep of 8 C-rates (0.1 ... 10C) of the default cell to 3.5 V with ssb_cell_rate_sweep; target < 100 ms;
 *   4. peak memory (VmHWM).
 */
#include "cells.h"
#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(ssb_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_cell: %s: %s\n", what, ssb_ctx_get_error(ctx));
    exit(1);
}

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atol(line + 6);
    fclose(f);
    return kb;
}

/* Median run time [s] of a protocol; *res_out keeps the last result (caller destroys) */
static double time_runs(ssb_ctx *ctx, ssb_cell *c, const char *proto, int breakdown, int repeat, ssb_cell_result **keep)
{
    double *w = malloc((size_t)repeat * sizeof *w);
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.breakdown = breakdown;
    for (int k = 0; k < repeat; k++) {
        ssb_cell_result *r = NULL;
        double t0 = now();
        if (ssb_cell_run_protocol(ctx, c, proto, &rp, &r) != SSB_OK)
            die(ctx, proto);
        w[k] = now() - t0;
        if (keep && k == repeat - 1)
            *keep = r;
        else
            ssb_cell_result_destroy(&r);
    }
    double m = median(w, repeat);
    free(w);
    return m;
}

static void ssb_cell_set_shells(ssb_ctx *ctx, ssb_cell_params *p, int n)
{
    if (ssb_cell_params_set(ctx, p, "numerics.particle_cells", n) != SSB_OK)
        die(ctx, "particle_cells");
}

/* RMS voltage difference of two results over the time range of the shorter (step points after the initial rest) */
static double rms_between(const ssb_cell_result *a, const ssb_cell_result *b)
{
    int na = ssb_cell_result_npoints(a) - 1, nb = ssb_cell_result_npoints(b) - 1;
    const double *ta = ssb_cell_result_series(a, SSB_CELL_T) + 1, *Va = ssb_cell_result_series(a, SSB_CELL_V) + 1;
    const double *tb = ssb_cell_result_series(b, SSB_CELL_T) + 1, *Vb = ssb_cell_result_series(b, SSB_CELL_V) + 1;
    double tend = fmin(ta[na - 1], tb[nb - 1]), s2 = 0;
    int n = 0, k = 0;
    for (int i = 0; i < na && ta[i] <= tend; i++) {
        while (k < nb - 2 && tb[k + 1] < ta[i])
            k++;
        double w = tb[k + 1] > tb[k] ? (ta[i] - tb[k]) / (tb[k + 1] - tb[k]) : 0;
        if (w < 0)
            w = 0;
        if (w > 1)
            w = 1;
        double d = Va[i] - (Vb[k] + w * (Vb[k + 1] - Vb[k]));
        s2 += d * d;
        n++;
    }
    return n ? sqrt(s2 / n) : NAN;
}

static const char *case_f = SSB_TEST_CELL_DUALFOIL_F
    " \"numerics\": {\"positive_cells\": 80, \"separator_cells\": 40, \"particle_cells\": 20}}";

int main(int argc, char **argv)
{
    int repeat = 21;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_cell [--repeat N]\n");
            return 2;
        }
    }
    if (repeat < 1)
        repeat = 1;
    ssb_ctx *ctx = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK)
        return 1;
    ssb_materials *db = NULL;
    if (ssb_materials_create(ctx, &db) != SSB_OK || ssb_materials_load_builtin(ctx, db) != SSB_OK)
        die(ctx, "materials");

    /* 1. default cell, 1C */
    ssb_cell_params *p = NULL;
    ssb_cell *c = NULL;
    if (ssb_cell_params_default(ctx, db, &p) != SSB_OK)
        die(ctx, "default cell");
    double tc0 = now();
    if (ssb_cell_create(ctx, p, &c) != SSB_OK)
        die(ctx, "create");
    double tcreate = now() - tc0;
    long nnz, N = ssb_cell_size(c, &nnz);
    ssb_cell_result *r = NULL;
    double t_bd = time_runs(ctx, c, "Discharge at 1C until 3.5 V", 1, repeat, &r);
    double t_nobd = time_runs(ctx, c, "Discharge at 1C until 3.5 V", 0, repeat, NULL);
    ssb_cell_stats st;
    ssb_cell_result_stats(r, &st);
    ssb_cell_step_result s;
    ssb_cell_result_step(ctx, r, 0, &s);
    printf("1. default cell (NCM811 | Li6PS5Cl | Li, 20 + 10 CVs, 20 shells; N = %ld unknowns, nnz = %ld), "
           "Discharge at 1C until 3.5 V:\n",
           N, nnz);
    printf("   median of %d: %.2f ms with the overpotential breakdown at every step, %.2f ms without "
           "(target < 10 ms); model set-up %.2f ms\n",
           repeat, t_bd * 1e3, t_nobd * 1e3, tcreate * 1e3);
    printf("   %ld internal steps, %ld residuals, %ld Jacobians; %.3f Ah/m2, V_end %.4f V\n", st.steps, st.resevals,
           st.jacevals, s.capacity / 3600, s.v_end);
    ssb_cell_result_destroy(&r);

    /* 3. sweep of 8 C-rates */
    double rates[8] = {0.1, 0.2, 0.5, 1, 2, 3, 5, 10};
    ssb_cell_rate_point pts[8];
    double *w = malloc((size_t)repeat * sizeof *w);
    for (int k = 0; k < repeat; k++) {
        double t0 = now();
        if (ssb_cell_rate_sweep(ctx, c, 8, rates, 3.5, pts, NULL) != SSB_OK)
            die(ctx, "rate sweep");
        w[k] = now() - t0;
    }
    double tsweep = median(w, repeat);
    printf("3. sweep of 8 C-rates (0.1, 0.2, 0.5, 1, 2, 3, 5, 10C) to 3.5 V with breakdowns: median %.1f ms "
           "(target < 100 ms)\n   capacities [mAh/cm2]:",
           tsweep * 1e3);
    for (int i = 0; i < 8; i++)
        printf(" %.3f", pts[i].capacity / 36000);
    printf("\n");
    ssb_cell_destroy(&c);
    ssb_cell_params_destroy(&p);

    /* 2. DUALFOIL case F at matched x-resolution, 10 and 20 particle shells, accuracy against 100 shells */
    if (ssb_cell_params_from_json_string(ctx, db, case_f, "case F", &p) != SSB_OK)
        die(ctx, "case F");
    ssb_cell_set_shells(ctx, p, 100);
    ssb_cell *c100 = NULL;
    if (ssb_cell_create(ctx, p, &c100) != SSB_OK)
        die(ctx, "case F 100 shells");
    ssb_cell_result *r100 = NULL;
    double t100 = time_runs(ctx, c100, "Discharge at 15.2 A/m2 until 3.5 V", 0, repeat < 5 ? repeat : 5, &r100);
    ssb_cell_step_result s100;
    ssb_cell_result_step(ctx, r100, 0, &s100);
    printf(
        "2. DUALFOIL case F at 15.2 A/m2 (1C) to 3.5 V at DUALFOIL's x-resolution (80 positive + 40 separator CVs);\n"
        "   DUALFOIL 5.1 needs ~0.20 s on this machine (reference README), particles by exact superposition:\n");
    int shells[2] = {10, 20};
    for (int q = 0; q < 2; q++) {
        ssb_cell_set_shells(ctx, p, shells[q]);
        if (ssb_cell_create(ctx, p, &c) != SSB_OK)
            die(ctx, "case F create");
        N = ssb_cell_size(c, &nnz);
        double tf_nobd = time_runs(ctx, c, "Discharge at 15.2 A/m2 until 3.5 V", 0, repeat, &r);
        double tf_bd = time_runs(ctx, c, "Discharge at 15.2 A/m2 until 3.5 V", 1, repeat, NULL);
        ssb_cell_result_stats(r, &st);
        ssb_cell_result_step(ctx, r, 0, &s);
        printf("   %3d shells (N = %5ld): median %.1f ms (%.1f ms with the breakdown) -> %.1fx faster than DUALFOIL "
               "(target >= 10x);\n       %ld steps; capacity %.4f Ah/m2 (DUALFOIL 13.4558), V rms %.3f mV from 100 "
               "shells\n",
               shells[q], N, tf_nobd * 1e3, tf_bd * 1e3, 0.20 / tf_nobd, st.steps, s.capacity / 3600,
               1e3 * rms_between(r, r100));
        ssb_cell_result_destroy(&r);
        ssb_cell_destroy(&c);
    }
    printf("   100 shells: %.1f ms, capacity %.4f Ah/m2\n", t100 * 1e3, s100.capacity / 3600);
    ssb_cell_result_destroy(&r100);
    ssb_cell_destroy(&c100);
    ssb_cell_params_destroy(&p);
    free(w);
    printf("4. peak memory (VmHWM): %.1f MB\n", vm_hwm_kb() / 1024.0);
    ssb_materials_destroy(&db);
    ssb_ctx_destroy(&ctx);
    return 0;
}
