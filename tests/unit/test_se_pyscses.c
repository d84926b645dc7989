/* SE: the 1-D Poisson-Boltzmann solver against the pyscses reference cases (tests/reference/space-charge/pyscses,
 * Gd-doped CeO2 grain boundary, 773.15 K, eps_r 55, periodic, site area b = c = 7.65327e-10 m; Wellock & Morgan,
 * JOSS 4, 1209 (2019)). The assumptions match for all four cases: site-explicit Mott-Schottky (test 1, Gd fixed),
 * continuum Mott-Schottky (test 2), site-explicit Gouy-Chapman (test 3, Gd mobile) and site-explicit
 * Mott-Schottky with lattice site charges (test 4).
 *
 * The problem is assembled as pyscses does (README of the reference and the pyscses sources):
 *   sites with grid_x_min <= x < grid_x_max, planes = distinct x; cell widths (x[i+1] - x[i-1])/2 inside and
 *   (x[1] - x_adj_lo)/2, (x_adj_hi - x[N-2])/2 at the ends (x_adj = nearest sites outside the window); periodic
 *   Laplacian with end spacings taken in pyscses' order (left of plane 0: x_adj_hi - x[N-1]; right of the last
 *   plane: x[0] - x_adj_lo); potential referenced to its width-weighted average over the bulk region
 *   [-5.783e-9, -2.502e-9] m (on the O sub-grid for Mott-Schottky, on all planes for Gouy-Chapman).
 * pyscses iterates a damped fixed point (alpha = 5e-4) to 1e-8 V between iterations, so its own profile carries an
 * error of order 1e-8/alpha ~ 1e-5 V; the comparison tolerances below are set from that. */
#include "testutil.h"

#include <ssbnet/ssb_se.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XMIN (-6.094e-9)
#define XMAX (5.16e-9)
#define BULK_MIN (-5.783e-9)
#define BULK_MAX (-2.502e-9)
#define BC 7.65327e-10
#define NCONT 1000

typedef struct {
    char label[16];
    double valence, x, energy;
    int is_o;
} site_rec;

typedef struct {
    /* sites of the window, sorted by x */
    int ns;
    site_rec *s;
    double adj_lo, adj_hi;
    /* planes */
    int np;
    double *x, *w, *ref;
    int *splane, *sspec;
    double *sen, *sq, *smult;
} pys_case;

static void free_case(pys_case *c);

static int cmp_site(const void *a, const void *b)
{
    double d = ((const site_rec *)a)->x - ((const site_rec *)b)->x;
    if (d < 0)
        return -1;
    if (d > 0)
        return 1;
    return 0;
}

static site_rec *read_sites(int *n)
{
    FILE *fp = fopen(tu_ref("space-charge/pyscses/Gd_CeO2_111_data.txt"), "r");
    if (!fp)
        fail_msg("cannot open the pyscses site data");
    int cap = 4096, k = 0;
    site_rec *s = malloc((size_t)cap * sizeof *s);
    char lab[16], def[16];
    double val, x, e;
    while (fscanf(fp, "%15s %lf %lf %15s %lf", lab, &val, &x, def, &e) == 5) {
        if (k == cap)
            fail_msg("too many sites");
        snprintf(s[k].label, sizeof s[k].label, "%s", lab);
        s[k].valence = val;
        s[k].x = x;
        s[k].energy = e;
        s[k].is_o = strcmp(lab, "O") == 0;
        k++;
    }
    fclose(fp);
    /* stable sort by x (insertion sort keeps file order for equal x, as Python's sorted does) */
    for (int i = 1; i < k; i++) {
        site_rec t = s[i];
        int j = i - 1;
        while (j >= 0 && cmp_site(&s[j], &t) > 0) {
            s[j + 1] = s[j];
            j--;
        }
        s[j + 1] = t;
    }
    *n = k;
    return s;
}

/* pyscses Calculation.calculate_average weights on grid xs (n points) for [lo, hi]: points mi+1 .. Mi-1 with
 * mi, Mi = searchsorted(xs, lo / hi), widths from delta_x_from_grid with the offsets of calculate_offset. */
static void average_weights(const double *xs, int n, double lo, double hi, double *wt)
{
    int mi = 0, Mi = 0;
    while (mi < n && xs[mi] < lo)
        mi++;
    while (Mi < n && xs[Mi] < hi)
        Mi++;
    for (int i = 0; i < n; i++)
        wt[i] = 0;
    double off_lo = (xs[mi + 1] - xs[mi]) / 2 + (xs[mi] - xs[mi - 1]) / 2;
    double off_hi = (xs[Mi] - xs[Mi - 1]) / 2 + (xs[Mi - 1] - xs[Mi - 2]) / 2;
    int a = mi + 1, b = Mi - 1; /* inclusive */
    for (int k = a; k <= b; k++) {
        if (k == a)
            wt[k] = off_lo;
        else if (k == b)
            wt[k] = off_hi;
        else
            wt[k] = (xs[k + 1] - xs[k - 1]) / 2;
    }
}

static int build_site_explicit(pys_case *c, int gc, int site_charges)
{
    int nall;
    site_rec *all = read_sites(&nall);
    int lo = 0, hi = 0;
    while (lo < nall && all[lo].x < XMIN)
        lo++;
    while (hi < nall && all[hi].x < XMAX)
        hi++;
    c->adj_lo = all[lo - 1].x;
    c->adj_hi = all[hi].x;
    c->ns = hi - lo;
    c->s = malloc((size_t)c->ns * sizeof *c->s);
    memcpy(c->s, all + lo, (size_t)c->ns * sizeof *c->s);
    free(all);
    c->x = malloc((size_t)c->ns * sizeof(double));
    c->np = 0;
    for (int k = 0; k < c->ns; k++)
        if (c->np == 0 || c->s[k].x != c->x[c->np - 1])
            c->x[c->np++] = c->s[k].x;
    int N = c->np;
    c->w = malloc((size_t)N * sizeof(double));
    for (int i = 1; i < N - 1; i++)
        c->w[i] = (c->x[i + 1] - c->x[i - 1]) / 2;
    c->w[0] = (c->x[1] - c->adj_lo) / 2;
    c->w[N - 1] = (c->adj_hi - c->x[N - 2]) / 2;
    c->splane = malloc((size_t)c->ns * sizeof(int));
    c->sspec = malloc((size_t)c->ns * sizeof(int));
    c->sen = malloc((size_t)c->ns * sizeof(double));
    c->sq = malloc((size_t)c->ns * sizeof(double));
    c->smult = NULL;
    for (int k = 0, i = 0; k < c->ns; k++) {
        while (c->x[i] != c->s[k].x)
            i++;
        c->splane[k] = i;
        c->sspec[k] = c->s[k].is_o ? 0 : 1;
        c->sen[k] = c->s[k].energy;
        c->sq[k] = site_charges ? c->s[k].valence : 0.0;
    }
    /* reference weights: O sub-grid (Mott-Schottky) or all planes (Gouy-Chapman) */
    c->ref = calloc((size_t)N, sizeof(double));
    if (gc) {
        average_weights(c->x, N, BULK_MIN, BULK_MAX, c->ref);
    } else {
        double *ox = calloc((size_t)N, sizeof(double)), *ow = calloc((size_t)N, sizeof(double));
        int *oi = calloc((size_t)N, sizeof(int)), no = 0;
        for (int i = 0; i < N; i++) {
            int has = 0;
            for (int k = 0; k < c->ns; k++)
                if (c->splane[k] == i && c->s[k].is_o)
                    has = 1;
            if (has) {
                oi[no] = i;
                ox[no++] = c->x[i];
            }
        }
        average_weights(ox, no, BULK_MIN, BULK_MAX, ow);
        for (int k = 0; k < no; k++)
            c->ref[oi[k]] = ow[k];
        free(ox);
        free(ow);
        free(oi);
    }
    return N;
}

/* pyscses SetOfSites.form_continuum_sites: NCONT equidistant planes on [XMIN, XMAX], each with one O site and one
 * Ce site whose charges are scaled by (number of such sites in the window) / NCONT; segregation energies: the mean
 * over the sites that fall on the same continuum point, then nearest-site interpolation onto the continuum grid.
 * The notebook then builds the grid with the site-explicit end widths and Laplacian end spacings. */
static int build_continuum(pys_case *c)
{
    pys_case se;
    memset(&se, 0, sizeof se);
    int Nse = build_site_explicit(&se, 0, 0);
    int N = NCONT;
    c->np = N;
    c->ns = 2 * N;
    c->adj_lo = se.adj_lo;
    c->adj_hi = se.adj_hi;
    c->x = malloc((size_t)N * sizeof(double));
    c->w = malloc((size_t)N * sizeof(double));
    double dx = (XMAX - XMIN) / (N - 1);
    for (int i = 0; i < N; i++)
        c->x[i] = XMIN + i * dx;
    for (int i = 1; i < N - 1; i++)
        c->w[i] = (c->x[i + 1] - c->x[i - 1]) / 2;
    c->w[0] = se.w[0];
    c->w[N - 1] = se.w[Nse - 1];
    c->s = calloc((size_t)c->ns, sizeof *c->s);
    c->splane = malloc((size_t)c->ns * sizeof(int));
    c->sspec = malloc((size_t)c->ns * sizeof(int));
    c->sen = malloc((size_t)c->ns * sizeof(double));
    c->sq = calloc((size_t)c->ns, sizeof(double));
    c->smult = malloc((size_t)c->ns * sizeof(double));
    double *sum = calloc((size_t)N, sizeof(double)), *avg = malloc((size_t)se.ns * sizeof(double));
    int *cnt = calloc((size_t)N, sizeof(int)), *gp = malloc((size_t)se.ns * sizeof(int));
    for (int lab = 0; lab < 2; lab++) {
        int is_o = lab == 0, nlab = 0;
        for (int i = 0; i < N; i++) {
            sum[i] = 0;
            cnt[i] = 0;
        }
        for (int k = 0; k < se.ns; k++) {
            if (se.s[k].is_o != is_o)
                continue;
            nlab++;
            /* closest continuum point, ties to the smaller index (pyscses closest_index) */
            int g = (int)floor((se.s[k].x - XMIN) / dx);
            if (g < 0)
                g = 0;
            if (g > N - 2)
                g = N - 2;
            if (c->x[g + 1] - se.s[k].x < se.s[k].x - c->x[g])
                g++;
            gp[k] = g;
            sum[g] += se.s[k].energy;
            cnt[g]++;
        }
        for (int k = 0; k < se.ns; k++)
            if (se.s[k].is_o == is_o)
                avg[k] = sum[gp[k]] / cnt[gp[k]];
        for (int i = 0; i < N; i++) {
            double best = INFINITY, e = 0;
            for (int k = 0; k < se.ns; k++) {
                if (se.s[k].is_o != is_o)
                    continue;
                double d = fabs(se.s[k].x - c->x[i]);
                if (d < best) {
                    best = d;
                    e = avg[k];
                }
            }
            int k = 2 * i + lab;
            c->s[k].is_o = is_o;
            c->s[k].x = c->x[i];
            c->splane[k] = i;
            c->sspec[k] = lab;
            c->sen[k] = e;
            c->smult[k] = (double)nlab / N;
        }
    }
    free(sum);
    free(avg);
    free(cnt);
    free(gp);
    c->ref = calloc((size_t)N, sizeof(double));
    average_weights(c->x, N, BULK_MIN, BULK_MAX, c->ref);
    free_case(&se);
    return N;
}

static void free_case(pys_case *c)
{
    free(c->s);
    free(c->x);
    free(c->w);
    free(c->ref);
    free(c->splane);
    free(c->sspec);
    free(c->sen);
    free(c->sq);
    free(c->smult);
}

/* reference profile: x, phi, Vo and Gd mole fractions */
static int read_profile(const char *test, double *x, double *phi, double *vo, double *gd, int nmax)
{
    char rel[256];
    snprintf(rel, sizeof rel, "space-charge/pyscses/%s/output_data.csv", test);
    FILE *fp = fopen(tu_ref(rel), "r");
    if (!fp)
        fail_msg("cannot open %s", rel);
    char line[1024];
    int n = 0;
    if (!fgets(line, sizeof line, fp))
        fail_msg("empty %s", rel);
    while (fgets(line, sizeof line, fp) && n < nmax) {
        /* the input_mole_fractions column "[0.05 0.2 ]" has no comma: split on commas, take the last 5 fields */
        char *f[16];
        int nf = 0;
        for (char *t = strtok(line, ","); t && nf < 16; t = strtok(NULL, ","))
            f[nf++] = t;
        if (nf < 12)
            fail_msg("bad line in %s", rel);
        x[n] = atof(f[nf - 5]);
        phi[n] = atof(f[nf - 4]);
        vo[n] = atof(f[nf - 2]);
        gd[n] = atof(f[nf - 1]);
        n++;
    }
    fclose(fp);
    return n;
}

static void read_key(const char *test, double key[3])
{
    char rel[256];
    snprintf(rel, sizeof rel, "space-charge/pyscses/%s/key_data.dat", test);
    FILE *fp = fopen(tu_ref(rel), "r");
    if (!fp)
        fail_msg("cannot open %s", rel);
    char line[512];
    if (!fgets(line, sizeof line, fp))
        fail_msg("empty %s", rel);
    if (fscanf(fp, "%lf %lf %lf", &key[0], &key[1], &key[2]) != 3)
        fail_msg("bad %s", rel);
    fclose(fp);
}

/* pyscses' own resistivity-ratio recipe (Calculation.calculate_mobile_defect_conductivities, reproduced here from
 * its documented source, including its unusual normalisation, to compare the numbers it reports): on the O
 * sub-grid, the space-charge region is phi - phi(first O plane) > 2e-2 V; its interior planes (strict bounds) with
 * widths from the region's end offsets; a bulk window of the same width from BULK_MIN; densities n = occupied
 * sites / (width b c), conductivities 2 n mu (bulk with the (1 - x) blocking factor);
 * r_perp = sum_scr(w/sigma) * sum_bulk(sigma/w), r_par = 1 / (sum_scr(sigma/w) * sum_bulk(w/sigma)). */
static void pyscses_ratios(const double *ox, const double *ophi, const double *onum, const double *omf, int no,
                           double *rperp, double *rpar)
{
    double *sub_w = malloc((size_t)no * sizeof(double));
    for (int k = 1; k < no - 1; k++)
        sub_w[k] = (ox[k + 1] - ox[k - 1]) / 2;
    (void)sub_w;
    double smin = INFINITY, smax = -INFINITY;
    for (int k = 0; k < no; k++)
        if (ophi[k] - ophi[0] > 2e-2) {
            if (ox[k] < smin)
                smin = ox[k];
            if (ox[k] > smax)
                smax = ox[k];
        }
    /* offsets around the region bounds (searchsorted left) */
    int mi = 0, Mi = 0;
    while (mi < no && ox[mi] < smin)
        mi++;
    while (Mi < no && ox[Mi] < smax)
        Mi++;
    double lo_off = (ox[mi + 1] - ox[mi]) / 2 + (ox[mi] - ox[mi - 1]) / 2;
    double hi_off = (ox[Mi] - ox[Mi - 1]) / 2 + (ox[Mi - 1] - ox[Mi - 2]) / 2;
    int a = -1, b = -1;
    for (int k = 0; k < no; k++)
        if (ox[k] > smin && ox[k] < smax) {
            if (a < 0)
                a = k;
            b = k;
        }
    double sc_perp = 0, sc_par = 0;
    for (int k = a; k <= b; k++) {
        double w = k == a ? lo_off : (k == b ? hi_off : (ox[k + 1] - ox[k - 1]) / 2);
        double sig = 2.0 * onum[k] * omf[k] / (w * BC * BC);
        sc_perp += w / sig;
        sc_par += sig / w;
    }
    double width = ox[b] - ox[a];
    double bmin = BULK_MIN, bmax = BULK_MIN + width;
    mi = 0;
    Mi = 0;
    while (mi < no && ox[mi] < bmin)
        mi++;
    while (Mi < no && ox[Mi] < bmax)
        Mi++;
    lo_off = (ox[mi + 1] - ox[mi]) / 2 + (ox[mi] - ox[mi - 1]) / 2;
    hi_off = (ox[Mi] - ox[Mi - 1]) / 2 + (ox[Mi - 1] - ox[Mi - 2]) / 2;
    a = b = -1;
    for (int k = 0; k < no; k++)
        if (ox[k] > bmin && ox[k] < bmax) {
            if (a < 0)
                a = k;
            b = k;
        }
    double b_perp = 0, b_par = 0;
    for (int k = a; k <= b; k++) {
        double w = k == a ? lo_off : (k == b ? hi_off : (ox[k + 1] - ox[k - 1]) / 2);
        double sig = 2.0 * onum[k] * omf[k] / (w * BC * BC) * (1.0 - omf[k]);
        b_perp += sig / w;
        b_par += w / sig;
    }
    *rperp = sc_perp * b_perp;
    *rpar = 1.0 / (sc_par * b_par);
    free(sub_w);
}

typedef struct {
    double phi0, dphi_max, dvo_max, rperp, rpar, rperp_clean, rpar_clean, x_in[2];
    int iterations;
} case_result;

/* per-plane mean occupation of the sites of species sp (0 where the plane has none) */
static void plane_mf(const pys_case *c, const double *occ, int sp, double *mf, double *num)
{
    for (int i = 0; i < c->np; i++)
        mf[i] = num[i] = 0;
    for (int k = 0; k < c->ns; k++)
        if (c->sspec[k] == sp) {
            mf[c->splane[k]] += occ[k];
            num[c->splane[k]] += 1;
        }
    for (int i = 0; i < c->np; i++)
        if (num[i] > 0)
            mf[i] /= num[i];
}

/* pyscses' bulk average of a species' mole fraction (Calculation.mole_fraction_output): calculate_average on the
 * species' sub-grid over [BULK_MIN, BULK_MAX] */
static double bulk_mf(const pys_case *c, const double *occ, int sp)
{
    int N = c->np, n = 0;
    double *mf = calloc((size_t)N, sizeof(double)), *num = calloc((size_t)N, sizeof(double));
    double *sx = calloc((size_t)N, sizeof(double)), *sv = calloc((size_t)N, sizeof(double));
    double *w = calloc((size_t)N, sizeof(double));
    plane_mf(c, occ, sp, mf, num);
    for (int i = 0; i < N; i++)
        if (num[i] > 0) {
            sx[n] = c->x[i];
            sv[n++] = mf[i];
        }
    average_weights(sx, n, BULK_MIN, BULK_MAX, w);
    double a = 0, b = 0;
    for (int k = 0; k < n; k++) {
        a += w[k] * sv[k];
        b += w[k];
    }
    free(mf);
    free(num);
    free(sx);
    free(sv);
    free(w);
    return a / b;
}

/* mode: 0 site-explicit MS, 1 site-explicit GC (with pyscses' mole-fraction correction), 2 site-explicit MS with
 * lattice site charges, 3 continuum MS */
static case_result run_case(const char *test, int mode)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    pys_case c;
    memset(&c, 0, sizeof c);
    int gc = mode == 1;
    int N = mode == 3 ? build_continuum(&c) : build_site_explicit(&c, gc, mode == 2);
    ssb_se_pb_species spc[2] = {{+2.0, 0.05, 1}, {-1.0, 0.2, gc}};
    ssb_se_pb_problem p = ssb_se_pb_problem_default();
    p.nspecies = 2;
    p.species = spc;
    p.nplanes = N;
    p.plane_x = c.x;
    p.plane_width = c.w;
    p.area = BC * BC;
    p.nsites = c.ns;
    p.site_plane = c.splane;
    p.site_species = c.sspec;
    p.site_energy = c.sen;
    p.site_charge = c.sq;
    p.site_mult = c.smult;
    p.eps_r = 55.0;
    p.T = 773.15;
    p.periodic = 1;
    /* pyscses' end spacings of the site-explicit structure, in its (swapped) order */
    double xse0, xseN;
    {
        pys_case se;
        memset(&se, 0, sizeof se);
        int Nse = build_site_explicit(&se, 0, 0);
        xse0 = se.x[0];
        xseN = se.x[Nse - 1];
        free_case(&se);
    }
    p.h_lo = c.adj_hi - xseN;
    p.h_hi = xse0 - c.adj_lo;
    p.ref_weight = c.ref;
    double *phi = calloc((size_t)N, sizeof(double)), *occ = calloc((size_t)c.ns, sizeof(double));
    ssb_se_pb_result r = {phi, NULL, occ, 0, 0, 0, 0};
    case_result out;
    memset(&out, 0, sizeof out);
    if (gc) {
        /* find input fractions whose bulk averages are the targets 0.05 / 0.2 (Newton, finite-difference Jacobian) */
        const double target[2] = {0.05, 0.2};
        double xin[2] = {0.05, 0.2}, f[2], J[2][2];
        for (int it = 0; it < 20; it++) {
            spc[0].x_bulk = xin[0];
            spc[1].x_bulk = xin[1];
            TU_OK(ctx, ssb_se_pb_solve(ctx, &p, &r));
            for (int a = 0; a < 2; a++)
                f[a] = bulk_mf(&c, occ, a) - target[a];
            if (fabs(f[0]) < 1e-12 && fabs(f[1]) < 1e-12)
                break;
            for (int b = 0; b < 2; b++) {
                double h = 1e-6 * xin[b];
                spc[b].x_bulk = xin[b] + h;
                TU_OK(ctx, ssb_se_pb_solve(ctx, &p, &r));
                for (int a = 0; a < 2; a++)
                    J[a][b] = (bulk_mf(&c, occ, a) - target[a] - f[a]) / h;
                spc[b].x_bulk = xin[b];
            }
            double det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
            xin[0] -= (J[1][1] * f[0] - J[0][1] * f[1]) / det;
            xin[1] -= (-J[1][0] * f[0] + J[0][0] * f[1]) / det;
        }
        spc[0].x_bulk = xin[0];
        spc[1].x_bulk = xin[1];
        out.x_in[0] = xin[0];
        out.x_in[1] = xin[1];
    }
    TU_OK(ctx, ssb_se_pb_solve(ctx, &p, &r));
    /* compare with the reference profile */
    static double rx[2000], rphi[2000], rvo[2000], rgd[2000];
    int nr = read_profile(test, rx, rphi, rvo, rgd, 2000);
    assert_int_equal(nr, N);
    out.iterations = r.iterations;
    double *onum = calloc((size_t)N, sizeof(double)), *omf = calloc((size_t)N, sizeof(double));
    double *ox = calloc((size_t)N, sizeof(double)), *ophi = calloc((size_t)N, sizeof(double));
    double *on = calloc((size_t)N, sizeof(double)), *om = calloc((size_t)N, sizeof(double));
    plane_mf(&c, occ, 0, omf, onum);
    int no = 0;
    for (int i = 0; i < N; i++) {
        TU_ASSERT_REL(c.x[i], rx[i], 1e-9);
        double d = fabs(phi[i] - rphi[i]);
        if (d > out.dphi_max)
            out.dphi_max = d;
        if (onum[i] > 0) {
            double dv = fabs(omf[i] - rvo[i]);
            if (dv > out.dvo_max)
                out.dvo_max = dv;
            ox[no] = c.x[i];
            ophi[no] = phi[i];
            on[no] = onum[i];
            om[no] = omf[i];
            no++;
        }
    }
    out.phi0 = r.phi_max;
    pyscses_ratios(ox, ophi, on, om, no, &out.rperp, &out.rpar);
    double width;
    TU_OK(ctx, ssb_se_pb_resistivity(ctx, &p, &r, 0, 2e-2, +1, BULK_MIN, BULK_MAX, &out.rperp_clean, &out.rpar_clean,
                                     &width));
    free(onum);
    free(omf);
    free(ox);
    free(ophi);
    free(on);
    free(om);
    free(phi);
    free(occ);
    free_case(&c);
    ssb_ctx_destroy(&ctx);
    return out;
}

static void report(const char *name, const case_result *o, const double key[3])
{
    print_message("%s: Phi0 %.6f V (pyscses %.6f, %.2e rel), max|dphi| %.2e V, max|dx_Vo| %.2e, r_perp %.5g "
                  "(pyscses %.5g, %.2e rel), r_par %.5g (pyscses %.5g, %.2e rel); clean r_perp %.4g r_par %.4g; "
                  "%d Newton steps\n",
                  name, o->phi0, key[0], fabs(o->phi0 - key[0]) / key[0], o->dphi_max, o->dvo_max, o->rperp, key[1],
                  fabs(o->rperp - key[1]) / key[1], o->rpar, key[2], fabs(o->rpar - key[2]) / key[2], o->rperp_clean,
                  o->rpar_clean, o->iterations);
}

static void test_site_explicit_ms(void **state)
{
    (void)state;
    double key[3];
    read_key("test_1", key);
    case_result o = run_case("test_1", 0);
    report("test_1 site-explicit MS", &o, key);
    TU_ASSERT_REL(o.phi0, key[0], 1e-4);
    assert_true(o.dphi_max < 1e-3);
    assert_true(o.dvo_max < 1e-3);
    TU_ASSERT_REL(o.rperp, key[1], 0.03);
    TU_ASSERT_REL(o.rpar, key[2], 0.03);
}

static void test_continuum_ms(void **state)
{
    (void)state;
    double key[3];
    read_key("test_2", key);
    case_result o = run_case("test_2", 3);
    report("test_2 continuum MS", &o, key);
    TU_ASSERT_REL(o.phi0, key[0], 1e-3);
    assert_true(o.dphi_max < 1e-3);
    assert_true(o.dvo_max < 1e-3);
    TU_ASSERT_REL(o.rperp, key[1], 0.05);
    TU_ASSERT_REL(o.rpar, key[2], 0.05);
}

static void test_site_explicit_gc(void **state)
{
    (void)state;
    double key[3];
    read_key("test_3", key);
    case_result o = run_case("test_3", 1);
    report("test_3 site-explicit GC", &o, key);
    print_message("test_3 corrected input fractions: Vo %.6f, Gd %.6f\n", o.x_in[0], o.x_in[1]);
    TU_ASSERT_REL(o.phi0, key[0], 1e-3);
    assert_true(o.dphi_max < 1e-3);
    assert_true(o.dvo_max < 1e-3);
    TU_ASSERT_REL(o.rperp, key[1], 0.03);
    TU_ASSERT_REL(o.rpar, key[2], 0.03);
}

/* test_4: the reference key_data.dat gives Phi0 = 0.28604 V, but its own output_data.csv (the potential of the same
 * notebook) peaks at 0.62001 V on a Ce plane; the profile is compared here, and the ratios with the key. */
static void test_site_charges(void **state)
{
    (void)state;
    double key[3];
    read_key("test_4", key);
    case_result o = run_case("test_4", 2);
    report("test_4 site-explicit MS + site charges", &o, key);
    TU_ASSERT_REL(o.phi0, 0.6200132413352903, 1e-3); /* max of test_4/output_data.csv phi */
    assert_true(o.dphi_max < 1e-3);
    assert_true(o.dvo_max < 1e-3);
    TU_ASSERT_REL(o.rperp, key[1], 0.03);
    TU_ASSERT_REL(o.rpar, key[2], 0.03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_site_explicit_ms), cmocka_unit_test(test_continuum_ms),
                                       cmocka_unit_test(test_site_explicit_gc), cmocka_unit_test(test_site_charges)};
    return cmocka_run_group_tests_name("se_pyscses", tests, NULL, NULL);
}
