/* DUALFOIL 5.1 reference curves (tests/reference/cell/dualfoil/<case>/voltage.csv, README there) and their comparison
 * with a model run, shared by the cell tests. voltage.csv columns: time_min, util_neg_x, util_pos_y, cell_V, Uocp_V,
 * current_A_m2, temp_C, heatgen_W_m2; the rows are thinned (a row is kept when V moved >= 0.5 mV or t moved >= 0.5 %
 * of the run), so near a steep end of discharge the rows crowd: an RMS over the rows weighs the last seconds of a
 * run heavily, an RMS over time weighs every second alike. Both are given. */
#ifndef SSB_TEST_DUALFOIL_REF_H
#define SSB_TEST_DUALFOIL_REF_H

#include "testutil.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>
#include <stdio.h>

#define DF_NMAX 20000

typedef struct {
    int n;
    double t[DF_NMAX], V[DF_NMAX], I; /* s, V, A/m2 (last row) */
    double Ir[DF_NMAX];                /* A/m2 of every row (NaN where the row has no current column) */
} df_curve;

/* Read case dir (relative to cell/dualfoil/); fails the test when it cannot. */
static inline void df_read(const char *dir, df_curve *c)
{
    char rel[512];
    snprintf(rel, sizeof rel, "cell/dualfoil/%s/voltage.csv", dir);
    const char *path = tu_ref(rel);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    char line[512];
    c->n = 0;
    if (!fgets(line, sizeof line, f))
        fail_msg("empty %s", path);
    while (fgets(line, sizeof line, f) && c->n < DF_NMAX) {
        double v[6];
        int nv = sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
        if (nv < 4)
            continue;
        c->t[c->n] = v[0] * 60.0;
        c->V[c->n] = v[3];
        c->Ir[c->n] = nv >= 6 ? v[5] : NAN;
        c->I = c->Ir[c->n];
        c->n++;
    }
    fclose(f);
    if (c->n < 10)
        fail_msg("%s: %d rows", path, c->n);
}

typedef struct {
    double rms_rows;   /* over the reference rows with t <= t_max [V] */
    double max_rows;   /* largest |difference| over those rows [V] */
    double rms_85;     /* over the rows of the first 85 % of the reference run time [V] */
    double max_rows85; /* largest |difference| over those rows [V] */
    double rms_time;   /* time-weighted (trapezoid over the reference rows) up to t_max [V] */
    double t_max;      /* end of the compared range: min(model end, reference end) [s] */
} df_cmp;

/* Compare the model's voltage (series of result r, from its first loaded point) with the reference up to the end of
   the shorter of the two. */
static inline df_cmp df_compare(const ssb_cell_result *r, const df_curve *ref)
{
    int n = ssb_cell_result_npoints(r) - 1;
    const double *t = ssb_cell_result_series(r, SSB_CELL_T) + 1, *V = ssb_cell_result_series(r, SSB_CELL_V) + 1;
    double tend = ref->t[ref->n - 1];
    df_cmp o = {0, 0, 0, 0, 0, fmin(t[n - 1], tend)};
    double s = 0, s85 = 0, st = 0, dprev = 0, tprev = 0;
    int k = 0, k85 = 0;
    for (int i = 0; i < ref->n && ref->t[i] <= o.t_max; i++) {
        double d = tu_interp(t, V, n, ref->t[i]) - ref->V[i];
        s += d * d;
        o.max_rows = fmax(o.max_rows, fabs(d));
        k++;
        if (ref->t[i] <= 0.85 * tend) {
            s85 += d * d;
            o.max_rows85 = fmax(o.max_rows85, fabs(d));
            k85++;
        }
        if (i > 0)
            st += 0.5 * (d * d + dprev * dprev) * (ref->t[i] - tprev);
        dprev = d;
        tprev = ref->t[i];
    }
    o.rms_rows = k ? sqrt(s / k) : NAN;
    o.rms_85 = k85 ? sqrt(s85 / k85) : NAN;
    o.rms_time = tprev > ref->t[0] ? sqrt(st / (tprev - ref->t[0])) : NAN;
    return o;
}

#endif
