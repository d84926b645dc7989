/* Composite-electrode generator: polydisperse sphere packings per particle phase in a matrix.
 *
 * Random sequential addition (RSA) with a push-out relaxation of each trial position and an optional limited
 * overlap (cherry-pit rule: centre distance >= (1 - overlap) (r1 + r2)), largest particles first, one cell list per
 * phase, and voxel-exact targeting of each phase's fraction. Everything random is drawn sequentially from one
 * stream per phase, so the result does not depend on the thread count. */
#include "gen_impl.h"

#include <ssbnet/ssb_micro_gen.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* ---- particle size distributions ---- */

typedef struct {
    ssb_micro_psd_kind kind;
    double mu, s;         /* lognormal parameters of ln d */
    double dmin, dmax;    /* truncation, m */
    int ntab;
    double tab_d[SSB_MICRO_PSD_TABLE_MAX];
    double tab_cum[SSB_MICRO_PSD_TABLE_MAX]; /* cumulative number fractions */
    double mean;          /* number mean of the sampled (truncated) distribution, m */
    double dlargest;      /* largest diameter that can be drawn, m */
} psd_prep;

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* The box is too small for particles of (mean) diameter d: name the edge, the diameter and the smallest box. */
static int box_too_small(ssb_ctx *ctx, int iphase, const char *name, double d, const ssbi_box *b)
{
    int a = 0;
    for (int k = 1; k < 3; k++)
        if (b->len[k] < b->len[a]) a = k;
    return SSB_ERROR(ctx, SSB_ERR_RANGE,
                     "particle phase %d ('%s'): %.3g um particles do not fit the box: its smallest edge (%c) is "
                     "%.3g um (%lld voxel%s of %.3g um), and particle diameters may be at most half of it; use a box "
                     "edge of at least %.3g um (%lld voxels) or smaller particles",
                     iphase, name, d * 1e6, "xyz"[a], b->len[a] * 1e6, (long long)b->n[a], b->n[a] == 1 ? "" : "s",
                     b->h[a] * 1e6, 2e6 * d, (long long)ceil(2.0 * d / b->h[a] - 1e-9));
}

static int psd_prepare(ssb_ctx *ctx, int iphase, const char *name, const ssb_micro_psd *p, const ssbi_box *b,
                       psd_prep *q)
{
    memset(q, 0, sizeof *q);
    q->kind = p->kind;
    const double box_min = fmin(b->len[0], fmin(b->len[1], b->len[2]));
    const double half_box = 0.5 * box_min;
    const double hmax = fmax(b->h[0], fmax(b->h[1], b->h[2]));
    switch (p->kind) {
    case SSB_MICRO_PSD_MONO:
    case SSB_MICRO_PSD_LOGNORMAL_GSD:
    case SSB_MICRO_PSD_LOGNORMAL_SD:
        SSB_REQUIRE(ctx, isfinite(p->d_mean) && p->d_mean > 0.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): d_mean = %g m is invalid (must be finite and > 0)", iphase, name,
                    p->d_mean);
        break;
    case SSB_MICRO_PSD_TABLE_NUMBER:
    case SSB_MICRO_PSD_TABLE_VOLUME:
        break;
    default:
        return SSB_ERROR(ctx, SSB_ERR_ARG, "particle phase %d ('%s'): size distribution kind %d is invalid (valid: 0 to 4)",
                         iphase, name, (int)p->kind);
    }
    /* a box too small for the particles: say so in box terms (a new user's first small test box) */
    if ((p->kind == SSB_MICRO_PSD_MONO || p->kind == SSB_MICRO_PSD_LOGNORMAL_GSD ||
         p->kind == SSB_MICRO_PSD_LOGNORMAL_SD) &&
        p->d_mean > half_box)
        return box_too_small(ctx, iphase, name, p->d_mean, b);
    if (p->kind == SSB_MICRO_PSD_MONO) {
        q->mean = q->dlargest = q->dmin = q->dmax = p->d_mean;
        return SSB_OK;
    }
    if (p->kind == SSB_MICRO_PSD_TABLE_NUMBER || p->kind == SSB_MICRO_PSD_TABLE_VOLUME) {
        SSB_REQUIRE(ctx, p->ntable >= 1 && p->ntable <= SSB_MICRO_PSD_TABLE_MAX, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): ntable = %d is invalid (valid: 1 to %d)", iphase, name, p->ntable,
                    SSB_MICRO_PSD_TABLE_MAX);
        double wsum = 0.0, w[SSB_MICRO_PSD_TABLE_MAX];
        for (int i = 0; i < p->ntable; i++) {
            double d = p->table_d[i];
            SSB_REQUIRE(ctx, isfinite(d) && d > 0.0 && d <= half_box, SSB_ERR_RANGE,
                        "particle phase %d ('%s'): table_d[%d] = %g m is invalid (valid: > 0 and <= %g m, half the "
                        "smallest box edge)",
                        iphase, name, i, d, half_box);
            SSB_REQUIRE(ctx, isfinite(p->table_w[i]) && p->table_w[i] >= 0.0, SSB_ERR_RANGE,
                        "particle phase %d ('%s'): table_w[%d] = %g is invalid (must be >= 0)", iphase, name, i,
                        p->table_w[i]);
            w[i] = p->table_w[i];
            if (p->kind == SSB_MICRO_PSD_TABLE_VOLUME) w[i] /= d * d * d; /* volume -> number weights */
            wsum += w[i];
        }
        SSB_REQUIRE(ctx, wsum > 0.0, SSB_ERR_RANGE, "particle phase %d ('%s'): table weights sum to 0 (need > 0)",
                    iphase, name);
        double cum = 0.0, mean = 0.0, dl = 0.0;
        q->ntab = p->ntable;
        for (int i = 0; i < p->ntable; i++) {
            cum += w[i] / wsum;
            q->tab_d[i] = p->table_d[i];
            q->tab_cum[i] = cum;
            mean += w[i] / wsum * p->table_d[i];
            if (w[i] > 0.0 && p->table_d[i] > dl) dl = p->table_d[i];
        }
        q->tab_cum[p->ntable - 1] = 1.0;
        q->mean = mean;
        q->dlargest = dl;
        return SSB_OK;
    }
    /* lognormal */
    double s;
    if (p->kind == SSB_MICRO_PSD_LOGNORMAL_GSD) {
        SSB_REQUIRE(ctx, isfinite(p->gsd) && p->gsd >= 1.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): gsd = %g is invalid (must be >= 1)", iphase, name, p->gsd);
        s = log(p->gsd);
    } else {
        SSB_REQUIRE(ctx, isfinite(p->d_sd) && p->d_sd >= 0.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): d_sd = %g m is invalid (must be >= 0)", iphase, name, p->d_sd);
        double cv = p->d_sd / p->d_mean;
        s = sqrt(log1p(cv * cv));
    }
    q->s = s;
    q->mu = log(p->d_mean) - 0.5 * s * s;
    SSB_REQUIRE(ctx, isfinite(p->d_min) && p->d_min >= 0.0, SSB_ERR_RANGE,
                "particle phase %d ('%s'): d_min = %g m is invalid (must be >= 0)", iphase, name, p->d_min);
    SSB_REQUIRE(ctx, isfinite(p->d_max) && p->d_max >= 0.0 && p->d_max <= half_box, SSB_ERR_RANGE,
                "particle phase %d ('%s'): d_max = %g m is invalid (valid: 0 = automatic, or up to %g m, half the "
                "smallest box edge)",
                iphase, name, p->d_max, half_box);
    SSB_REQUIRE(ctx, p->d_min > 0.0 || p->d_mean >= hmax, SSB_ERR_RANGE,
                "particle phase %d ('%s'): mean diameter %.3g um is smaller than a voxel (%.3g um): such particles "
                "would not show in the image; use smaller voxels or larger particles",
                iphase, name, p->d_mean * 1e6, hmax * 1e6);
    q->dmin = p->d_min > 0.0 ? p->d_min : hmax;
    q->dmax = p->d_max > 0.0 ? p->d_max : fmin(exp(q->mu + 4.0 * s), half_box);
    SSB_REQUIRE(ctx, q->dmin <= p->d_mean && p->d_mean <= q->dmax, SSB_ERR_RANGE,
                "particle phase %d ('%s'): d_mean = %g m lies outside the truncation [%g, %g] m (d_min defaults to "
                "one voxel, d_max to half the box)",
                iphase, name, p->d_mean, q->dmin, q->dmax);
    if (s <= 0.0) {
        q->kind = SSB_MICRO_PSD_MONO;
        q->mean = q->dlargest = q->dmin = q->dmax = p->d_mean;
        return SSB_OK;
    }
    double a = (log(q->dmin) - q->mu) / s, bb = (log(q->dmax) - q->mu) / s;
    double mass = normal_cdf(bb) - normal_cdf(a);
    SSB_REQUIRE(ctx, mass >= 0.01, SSB_ERR_RANGE,
                "particle phase %d ('%s'): the truncation [%g, %g] m keeps %.3g %% of the size distribution (need "
                ">= 1 %%)",
                iphase, name, q->dmin, q->dmax, 100.0 * mass);
    q->mean = exp(q->mu + 0.5 * s * s) * (normal_cdf(bb - s) - normal_cdf(a - s)) / mass;
    q->dlargest = q->dmax;
    return SSB_OK;
}

static double psd_draw(const psd_prep *q, ssb_rng *rng)
{
    switch (q->kind) {
    case SSB_MICRO_PSD_TABLE_NUMBER:
    case SSB_MICRO_PSD_TABLE_VOLUME: {
        double u = ssb_rng_uniform(rng);
        for (int i = 0; i < q->ntab; i++)
            if (u < q->tab_cum[i]) return q->tab_d[i];
        return q->tab_d[q->ntab - 1];
    }
    case SSB_MICRO_PSD_LOGNORMAL_GSD:
    case SSB_MICRO_PSD_LOGNORMAL_SD:
        /* rejection from the truncated lognormal; the kept mass is >= 1 % (psd_prepare) */
        for (int it = 0; it < 100000; it++) {
            double d = exp(q->mu + q->s * ssb_rng_normal(rng));
            if (d >= q->dmin && d <= q->dmax) return d;
        }
        return exp(q->mu + 0.5 * q->s * q->s);
    default:
        return q->mean;
    }
}

/* A diameter from the prepared distribution truncated further to d <= dcap (the redraw of a phase's last particle
 * that would overshoot its target beyond the tolerance; see ssb_micro_generate_electrode). Lognormal: inverse CDF
 * by bisection on [dmin, min(dmax, dcap)], so the draw follows the same density renormalised to the smaller range;
 * tables: the classes <= dcap with their number weights renormalised. Returns 0 when no diameter of the
 * distribution is <= dcap (MONO above dcap, every table class above it, dcap < dmin). */
static double psd_draw_below(const psd_prep *q, double dcap, ssb_rng *rng)
{
    switch (q->kind) {
    case SSB_MICRO_PSD_TABLE_NUMBER:
    case SSB_MICRO_PSD_TABLE_VOLUME: {
        double prev = 0.0, wfit = 0.0;
        for (int i = 0; i < q->ntab; i++) {
            if (q->tab_d[i] <= dcap) wfit += q->tab_cum[i] - prev;
            prev = q->tab_cum[i];
        }
        if (wfit <= 0.0) return 0.0;
        double u = ssb_rng_uniform(rng) * wfit, acc = 0.0, last = 0.0;
        prev = 0.0;
        for (int i = 0; i < q->ntab; i++) {
            double w = q->tab_cum[i] - prev;
            prev = q->tab_cum[i];
            if (q->tab_d[i] > dcap || w <= 0.0) continue;
            last = q->tab_d[i];
            acc += w;
            if (u < acc) return q->tab_d[i];
        }
        return last;
    }
    case SSB_MICRO_PSD_LOGNORMAL_GSD:
    case SSB_MICRO_PSD_LOGNORMAL_SD: {
        const double hi = fmin(q->dmax, dcap);
        if (hi < q->dmin) return 0.0;
        double za = (log(q->dmin) - q->mu) / q->s, zb = (log(hi) - q->mu) / q->s;
        double ca = normal_cdf(za), cb = normal_cdf(zb), u = ca + ssb_rng_uniform(rng) * (cb - ca);
        for (int it = 0; it < 80; it++) { /* bisection: normal_cdf is monotone on [za, zb] */
            double zm = 0.5 * (za + zb);
            if (normal_cdf(zm) < u) za = zm;
            else zb = zm;
        }
        return fmin(hi, fmax(q->dmin, exp(q->mu + q->s * 0.5 * (za + zb))));
    }
    default:
        return q->mean <= dcap ? q->mean : 0.0;
    }
}

/* Relative standard deviation cv and skewness S of the diameters a prepared distribution draws (truncated lognormal:
 * numerical quadrature in ln d over [dmin, dmax]; tables: exact sums; MONO: 0, 0). */
static void psd_moments(const psd_prep *q, double *cv, double *skew)
{
    double m1 = 0.0, m2 = 0.0, m3 = 0.0, w = 0.0;
    if (q->kind == SSB_MICRO_PSD_LOGNORMAL_GSD || q->kind == SSB_MICRO_PSD_LOGNORMAL_SD) {
        const int n = 2000;
        const double a = log(q->dmin), b = log(q->dmax), dx = (b - a) / n;
        for (int i = 0; i < n; i++) {
            double x = a + (i + 0.5) * dx, z = (x - q->mu) / q->s, f = exp(-0.5 * z * z), d = exp(x);
            w += f;
            m1 += f * d;
            m2 += f * d * d;
            m3 += f * d * d * d;
        }
    } else if (q->kind == SSB_MICRO_PSD_TABLE_NUMBER || q->kind == SSB_MICRO_PSD_TABLE_VOLUME) {
        double prev = 0.0;
        for (int i = 0; i < q->ntab; i++) {
            double f = q->tab_cum[i] - prev, d = q->tab_d[i];
            prev = q->tab_cum[i];
            w += f;
            m1 += f * d;
            m2 += f * d * d;
            m3 += f * d * d * d;
        }
    }
    *cv = *skew = 0.0;
    if (w <= 0.0) return;
    m1 /= w;
    m2 /= w;
    m3 /= w;
    double var = fmax(0.0, m2 - m1 * m1), sd = sqrt(var);
    if (sd <= 1e-12 * m1) return;
    *cv = sd / m1;
    *skew = (m3 - 3.0 * m1 * var - m1 * m1 * m1) / (var * sd);
}

/* Random close packing fraction of hard spheres with a diameter distribution of relative standard deviation cv and
 * skewness S: phi_RCP = 0.634 + 0.0658 cv + 0.0857 S cv^2, the empirical fit of Desmond & Weeks, Phys. Rev. E 90,
 * 022204 (2014), DOI 10.1103/PhysRevE.90.022204, to simulated packings (monodisperse 0.634). */
static double rcp_fraction(double cv, double skew)
{
    return fmin(0.95, 0.634 + 0.0658 * cv + 0.0857 * skew * cv * cv);
}

/* Highest voxel fraction this generator reached for one phase whose spheres may overlap by delta (cherry-pit rule),
 * runs left to jam (max_attempts 200, relax_steps 24, 80^3 voxels of 0.4 um, seed 3; issue 7 item 9), the lower of
 * two size distributions, lognormal gsd 1.3 with mean 5 um and with mean 2 um (5 voxels, where the voxelisation
 * already costs density):
 *   delta   0      0.1    0.2    0.3    0.4
 *   5 um    0.639  0.812  0.908  >0.95  >0.95
 *   2 um    0.634  0.796  0.813  0.915  >0.95
 * Hard spheres thus stop near the random close packing limit (0.657 for gsd 1.3 by the fit above). Linear in
 * between; 0.95 from 0.4 on. */
static double reach_with_overlap(double delta)
{
    static const double dl[] = {0.0, 0.1, 0.2, 0.3, 0.4}, f[] = {0.634, 0.796, 0.813, 0.915, 0.95};
    if (delta >= dl[4]) return f[4];
    int i = (int)(delta / 0.1);
    if (i > 3) i = 3;
    return f[i] + (f[i + 1] - f[i]) * (delta - dl[i]) / (dl[i + 1] - dl[i]);
}

/* Overlap rule to start the first (largest) phase with: params.overlap, or, when that would pack close to its
 * jamming point (reach < fraction + 0.05), the smallest multiple of 0.05 up to overlap_max whose reach clears the
 * fraction by 0.05 (overlap_max if none does). Starting there avoids packing slowly into a jam and then relaxing. */
static double start_overlap(const ssb_micro_electrode_params *par, double f)
{
    double d = par->overlap;
    if (reach_with_overlap(d) >= f + 0.05 || par->overlap_max <= d) return d;
    for (double x = 0.05 * ceil(d / 0.05 + 1e-9); x < par->overlap_max; x += 0.05)
        if (reach_with_overlap(x) >= f + 0.05) return x;
    return par->overlap_max;
}

/* Refuse at once a first (largest) phase that cannot be packed under the rules allowed: hard spheres above their
 * random close packing limit, or overlapping spheres above what the overlap cap reaches. */
static int check_feasible(ssb_ctx *ctx, const ssb_micro_electrode_params *par, int q, const psd_prep *psd)
{
    const double f = ssbi_arch_local_fraction(par, q), delta = fmax(par->overlap, par->overlap_max);
    double cv, skew;
    psd_moments(psd, &cv, &skew);
    const double rcp = rcp_fraction(cv, skew);
    if (delta <= 0.0) {
        SSB_REQUIRE(ctx, f <= rcp + par->tolerance, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): fraction %.4f exceeds the random close packing limit %.3f of hard "
                    "spheres with this size distribution (relative sd %.3f, skewness %.2f; Desmond & Weeks 2014): "
                    "infeasible without overlap; allow overlap (calendered or sintered contacts: overlap or "
                    "overlap_max > 0) or lower the fraction",
                    q, par->phase[q].name, f, rcp, cv, skew);
        return SSB_OK;
    }
    const double reach = fmax(rcp, reach_with_overlap(delta));
    SSB_REQUIRE(ctx, f <= reach + par->tolerance, SSB_ERR_RANGE,
                "particle phase %d ('%s'): fraction %.4f exceeds %.3f, the most this generator reaches with sphere "
                "overlap up to %.2f (hard spheres jam at the random close packing limit %.3f for this size "
                "distribution; Desmond & Weeks 2014): infeasible; raise overlap_max (up to 0.5) or lower the "
                "fraction",
                q, par->phase[q].name, f, reach, delta, rcp);
    return SSB_OK;
}

/* ---- particles and per-phase cell lists ---- */

typedef struct {
    int64_t nc[3];  /* cells per axis */
    double cs[3];   /* cell edge per axis, m */
    int32_t *head;  /* first particle of each cell, -1 = none */
    double rmax;    /* largest radius of the phase, m */
    int used;       /* the phase has particles */
} cell_list;

typedef struct {
    ssb_ctx *ctx;
    const ssb_micro_electrode_params *par;
    ssbi_box box;
    int nph;
    cell_list cl[SSB_MICRO_MAX_PARTICLE_PHASES];
    double ov[SSB_MICRO_MAX_PARTICLE_PHASES]; /* overlap rule in force per phase (raised when a phase jams) */
    int fill[SSB_MICRO_MAX_PARTICLE_PHASES];  /* 1: the phase fills the voids (ignores earlier phases' spheres,
                                                 centre on a matrix voxel) */
    /* particles */
    int32_t np, cap;
    double *pos; /* 3 per particle */
    double *rad;
    int32_t *next;
    uint8_t *phq; /* phase (params index) per particle */
    /* architecture (electrode_arch.c) */
    uint8_t blocked_label; /* label of the channel voxels while packing (no particle takes them) */
    int blocked;           /* 1: channels are painted with blocked_label */
    uint8_t tmp_label;     /* scratch label for counting a fibre's new voxels */
    ssbi_grad *grad;       /* profile of the graded phase being placed (NULL: uniform) */
} packer;

static int cell_list_init(ssb_ctx *ctx, cell_list *c, const ssbi_box *b, double rmax)
{
    const int64_t cap_cells = INT64_C(1) << 22;
    double edge = fmax(2.0 * rmax, 1e-300);
    for (;;) {
        int64_t tot = 1;
        for (int a = 0; a < 3; a++) {
            double m = floor(b->len[a] / edge);
            c->nc[a] = ssbi_clamp_i64(m, 1, 4096); /* NaN: 1 */
            c->cs[a] = b->len[a] / (double)c->nc[a];
            tot *= c->nc[a];
        }
        if (tot <= cap_cells) break;
        edge *= 1.26;
    }
    c->rmax = rmax;
    c->used = 0;
    size_t ncell = (size_t)(c->nc[0] * c->nc[1] * c->nc[2]);
    c->head = ssbi_malloc(ctx, ncell * sizeof *c->head, "particle cell list");
    if (!c->head) return SSB_ERR_NOMEM;
    memset(c->head, 0xff, ncell * sizeof *c->head);
    return SSB_OK;
}

static int64_t cell_of(const cell_list *c, const double p[3], int64_t idx[3])
{
    for (int a = 0; a < 3; a++) {
        int64_t i = ssbi_clamp_i64(floor(p[a] / c->cs[a]), 0, c->nc[a] - 1);
        idx[a] = i;
    }
    return idx[0] + c->nc[0] * (idx[1] + c->nc[1] * idx[2]);
}

static int packer_add(packer *P, const double p[3], double r, int phase)
{
    if (P->np == P->cap) {
        SSB_REQUIRE(P->ctx, P->cap < INT32_MAX / 2, SSB_ERR_RANGE, "more than %d particles", INT32_MAX / 2);
        int32_t nc = P->cap ? 2 * P->cap : 4096;
        double *pos = realloc(P->pos, (size_t)nc * 3 * sizeof *pos);
        if (pos) P->pos = pos;
        double *rad = realloc(P->rad, (size_t)nc * sizeof *rad);
        if (rad) P->rad = rad;
        int32_t *nx = realloc(P->next, (size_t)nc * sizeof *nx);
        if (nx) P->next = nx;
        uint8_t *pq = realloc(P->phq, (size_t)nc);
        if (pq) P->phq = pq;
        if (!pos || !rad || !nx || !pq)
            return SSB_ERROR(P->ctx, SSB_ERR_NOMEM, "out of memory for %d particles", (int)nc);
        P->cap = nc;
    }
    int32_t k = P->np++;
    memcpy(&P->pos[3 * k], p, 3 * sizeof *p);
    P->rad[k] = r;
    P->phq[k] = (uint8_t)phase;
    cell_list *c = &P->cl[phase];
    int64_t idx[3];
    int64_t cell = cell_of(c, p, idx);
    P->next[k] = c->head[cell];
    c->head[cell] = k;
    c->used = 1;
    return SSB_OK;
}

/* Cell index range along axis a for the interval [x - reach, x + reach]; returns the number of cells and the first
 * (unwrapped) index. A periodic range that covers the whole axis is returned as 0 .. nc-1. */
static int64_t cell_range(const cell_list *c, const ssbi_box *b, int a, double x, double reach, int64_t *first)
{
    int64_t lo = ssbi_clamp_i64(floor((x - reach) / c->cs[a]), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
    int64_t hi = ssbi_clamp_i64(floor((x + reach) / c->cs[a]), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
    if (b->periodic) {
        if (hi - lo + 1 >= c->nc[a]) {
            lo = 0;
            hi = c->nc[a] - 1;
        }
    } else {
        if (lo < 0) lo = 0;
        if (hi > c->nc[a] - 1) hi = c->nc[a] - 1;
    }
    *first = lo;
    return hi >= lo ? hi - lo + 1 : 0;
}

/* Overlap-rule violations of a sphere (p, r) of phase q against all placed spheres; push receives the sum of the
 * overlap depths (plus a small margin) along the unit vectors pointing away from the violated spheres. */
static int violations(packer *P, const double p[3], double r, int q, double push[3], ssb_rng *rng)
{
    const ssbi_box *b = &P->box;
    const double ov = P->ov[q];
    int nv = 0;
    push[0] = push[1] = push[2] = 0.0;
    for (int qq = 0; qq < P->nph; qq++) {
        const cell_list *c = &P->cl[qq];
        if (!c->used) continue;
        if (qq != q && P->fill[q]) continue; /* void filling: earlier phases' spheres do not repel */
        const double f = (qq == q || P->par->cross_phase_overlap) ? 1.0 - ov : 1.0;
        const double reach = f * (r + c->rmax);
        int64_t first[3], cnt[3];
        for (int a = 0; a < 3; a++) {
            cnt[a] = cell_range(c, b, a, p[a], reach, &first[a]);
            if (cnt[a] == 0) goto next_phase;
        }
        for (int64_t kz = 0; kz < cnt[2]; kz++) {
            int64_t iz = first[2] + kz;
            iz = ((iz % c->nc[2]) + c->nc[2]) % c->nc[2];
            for (int64_t ky = 0; ky < cnt[1]; ky++) {
                int64_t iy = first[1] + ky;
                iy = ((iy % c->nc[1]) + c->nc[1]) % c->nc[1];
                for (int64_t kx = 0; kx < cnt[0]; kx++) {
                    int64_t ix = first[0] + kx;
                    ix = ((ix % c->nc[0]) + c->nc[0]) % c->nc[0];
                    for (int32_t j = c->head[ix + c->nc[0] * (iy + c->nc[1] * iz)]; j >= 0; j = P->next[j]) {
                        const double *pj = &P->pos[3 * j];
                        double d3[3], d2 = 0.0;
                        for (int a = 0; a < 3; a++) {
                            double dd = p[a] - pj[a];
                            if (b->periodic && !(a == 2 && P->grad)) { /* graded spheres do not wrap in z */
                                if (dd > 0.5 * b->len[a]) dd -= b->len[a];
                                else if (dd < -0.5 * b->len[a]) dd += b->len[a];
                            }
                            d3[a] = dd;
                            d2 += dd * dd;
                        }
                        const double dmin = f * (r + P->rad[j]);
                        if (d2 >= dmin * dmin) continue;
                        nv++;
                        double d = sqrt(d2);
                        double depth = dmin - d + 1e-6 * dmin;
                        if (d > 1e-9 * dmin) {
                            for (int a = 0; a < 3; a++) push[a] += depth * d3[a] / d;
                        } else { /* coincident centres: random direction */
                            double u[3], un;
                            do {
                                un = 0.0;
                                for (int a = 0; a < 3; a++) {
                                    u[a] = 2.0 * ssb_rng_uniform(rng) - 1.0;
                                    un += u[a] * u[a];
                                }
                            } while (un > 1.0 || un < 1e-6);
                            un = sqrt(un);
                            for (int a = 0; a < 3; a++) push[a] += depth * u[a] / un;
                        }
                    }
                }
            }
        }
    next_phase:;
    }
    return nv;
}

static void place_in_box(const ssbi_box *b, double p[3], double zmargin)
{
    for (int a = 0; a < 3; a++) {
        if (a == 2 && zmargin > 0.0) { /* graded phase: centres within zmargin outside the z faces, no wrap */
            p[a] = fmin(fmax(p[a], -zmargin), b->len[a] + zmargin);
        } else if (b->periodic) {
            p[a] = fmod(p[a], b->len[a]);
            if (p[a] < 0.0) p[a] += b->len[a];
            if (p[a] >= b->len[a]) p[a] = 0.0;
        } else {
            if (p[a] < 0.0) p[a] = 0.0;
            if (p[a] > b->len[a]) p[a] = b->len[a];
        }
    }
}

/* Label at the voxel holding point p (m). */
static uint8_t label_at(const ssbi_box *b, const double p[3])
{
    int64_t i[3];
    for (int a = 0; a < 3; a++) {
        i[a] = (int64_t)floor(p[a] / b->h[a]);
        if (i[a] < 0) i[a] = 0;
        if (i[a] >= b->n[a]) i[a] = b->n[a] - 1;
    }
    return b->lab[i[0] + b->n[0] * (i[1] + b->n[1] * i[2])];
}

/* Fill the matrix voxels of sphere (c, r) with label lab, counting them per z plane into the graded profile G. */
static int64_t fill_tracked(const packer *P, const double c[3], double r, uint8_t lab, ssbi_grad *G)
{
    /* graded phases do not wrap through z: the current-collector and separator ends of the profile stay apart */
    ssbi_box zb = P->box;
    const ssbi_box *b = &zb;
    zb.zclip = 1;
    int64_t got = ssbi_sphere_visit(b, c, r, SSBI_SPHERE_FILL, P->par->matrix_label, P->tmp_label, NULL);
    int64_t lo[3], cnt[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = (int64_t)floor((c[a] - r) / b->h[a]);
        cnt[a] = (int64_t)floor((c[a] + r) / b->h[a]) - lo[a] + 1;
        if (cnt[a] > b->n[a]) cnt[a] = b->n[a];
    }
    for (int64_t dk = 0; dk < cnt[2]; dk++) {
        int64_t k = lo[2] + dk;
        if (k < 0 || k >= b->n[2]) continue; /* zclip */
        k = (k % b->n[2] + b->n[2]) % b->n[2];
        for (int64_t dj = 0; dj < cnt[1]; dj++) {
            int64_t j = lo[1] + dj;
            if (!b->periodic && (j < 0 || j >= b->n[1])) continue;
            j = (j % b->n[1] + b->n[1]) % b->n[1];
            for (int64_t di = 0; di < cnt[0]; di++) {
                int64_t i = lo[0] + di;
                if (!b->periodic && (i < 0 || i >= b->n[0])) continue;
                i = (i % b->n[0] + b->n[0]) % b->n[0];
                uint8_t *v = &b->lab[i + b->n[0] * (j + b->n[1] * k)];
                if (*v != P->tmp_label) continue;
                *v = lab;
                G->count[k] += 1.0;
            }
        }
    }
    return got;
}

/* Fill sphere (c, r) of phase q: matrix voxels -> lab (tracked per plane for a graded phase). */
static int64_t fill_sphere(const packer *P, const double c[3], double r, uint8_t lab)
{
    if (P->grad) return fill_tracked(P, c, r, lab, P->grad);
    return ssbi_sphere_visit(&P->box, c, r, SSBI_SPHERE_FILL, P->par->matrix_label, lab, NULL);
}

/* Visit the chain of spheres of a fibre (centre c, axis u, radius r) of phase q with ssbi_sphere_visit; returns
 * the voxel count of the mode summed over the spheres (FILL counts every voxel once). */
static int64_t fibre_visit(const packer *P, int q, const double c[3], const double u[3], double r,
                           ssbi_sphere_mode mode, uint8_t from, uint8_t to)
{
    const double len = P->par->phase[q].fibre_length;
    const int64_t n = ssbi_arch_fibre_spheres(r, len);
    int64_t count = 0;
    for (int64_t k = 0; k < n; k++) {
        double s[3];
        ssbi_arch_fibre_centre(c, u, r, len, n, k, s);
        count += ssbi_sphere_visit(&P->box, s, r, mode, from, to, NULL);
    }
    return count;
}

/* Find a place for a fibre of radius r of phase q: a random centre on a matrix voxel (graded phases: drawn with
 * their density) and a random axis. Fibres are penetrable (no overlap rule: they cross each other and take only
 * the matrix voxels, like void filling), the excluded-volume model of stick percolation (Balberg et al. 1984).
 * Returns the matrix voxels it covers (0: dropped after max_attempts); u receives the axis. */
static int64_t find_fibre(packer *P, double r, int q, ssb_rng *rng, double p[3], double u[3], int64_t *ntrials)
{
    const ssbi_box *b = &P->box;
    const ssb_micro_electrode_params *par = P->par;
    const ssb_micro_particle_phase *ph = &par->phase[q];
    for (int64_t att = 0; att < par->max_attempts; att++) {
        (*ntrials)++;
        for (int a = 0; a < 3; a++) p[a] = ssb_rng_uniform(rng) * b->len[a];
        if (P->grad && !ssbi_grad_accept(P->grad, p[2], rng)) continue;
        if (label_at(b, p) != par->matrix_label) continue;
        ssbi_arch_direction(rng, ph->fibre_in_plane, u);
        /* count the new voxels once: mark them with the scratch label, then put the matrix back */
        int64_t nnew = fibre_visit(P, q, p, u, r, SSBI_SPHERE_FILL, par->matrix_label, P->tmp_label);
        fibre_visit(P, q, p, u, r, SSBI_SPHERE_FILL, P->tmp_label, par->matrix_label);
        if (nnew > 0) return nnew;
    }
    return 0;
}

/* Find a centre for a sphere of radius r of phase q that obeys the overlap rule and covers at least one matrix
 * voxel (void filling: and whose centre lies on a matrix voxel; channels: whose centre is not in a channel; graded
 * phases: drawn with their density). Fibres: find_fibre (u receives the axis). Returns the number of matrix voxels
 * it covers (0: dropped after max_attempts). */
static int64_t find_position(packer *P, double r, int q, ssb_rng *rng, double p[3], double u[3], int64_t *ntrials)
{
    const ssbi_box *b = &P->box;
    const ssb_micro_electrode_params *par = P->par;
    if (par->phase[q].shape == SSB_MICRO_PARTICLE_FIBRE) return find_fibre(P, r, q, rng, p, u, ntrials);
    double push[3];
    for (int64_t att = 0; att < par->max_attempts; att++) {
        (*ntrials)++;
        for (int a = 0; a < 3; a++) p[a] = ssb_rng_uniform(rng) * b->len[a];
        /* graded: the z faces cut the spheres as a cut through a bulk packing would (no wall effect): centres up to
         * r outside them */
        if (P->grad) p[2] = p[2] * (1.0 + 2.0 * r / b->len[2]) - r;
        if (P->grad && !ssbi_grad_accept(P->grad, p[2], rng)) continue;
        if (P->fill[q] && label_at(b, p) != par->matrix_label) continue;
        const double z0 = p[2];
        for (int step = 0;; step++) {
            int nv = violations(P, p, r, q, push, rng);
            if (nv == 0) {
                if (P->fill[q] && label_at(b, p) != par->matrix_label) break;
                if (P->blocked && label_at(b, p) == P->blocked_label) break;
                /* graded: a push-out toward the sparse end is kept with the density ratio (Metropolis), so that
                 * relaxing out of the dense end does not flatten the profile */
                if (P->grad && p[2] != z0 &&
                    ssb_rng_uniform(rng) * ssbi_grad_weight(P->grad, z0) >= ssbi_grad_weight(P->grad, p[2]))
                    break;
                int64_t nnew = ssbi_sphere_visit(b, p, r, SSBI_SPHERE_COUNT, par->matrix_label, 0, NULL);
                if (nnew > 0) return nnew;
                break;
            }
            if (step >= par->relax_steps) break;
            for (int a = 0; a < 3; a++) p[a] += push[a];
            place_in_box(b, p, P->grad ? r : 0.0);
        }
    }
    return 0;
}

static int cmp_desc(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a < b) - (a > b);
}

typedef struct {
    int64_t target, count; /* voxels */
    int64_t nplaced, ndropped;
    double dsum;
    int64_t lo, hi;      /* voxel counts within the tolerance of the target: [lo, hi] (phase_tol_range) */
    int64_t nredrawn;    /* particles redrawn smaller to land within the tolerance (finish_phase) */
    double dlast;        /* m, diameter of the last particle left out for overshooting (0: none) */
    int reached;         /* the phase ended by reaching its target to within a particle (not jammed) */
} phase_state;

/* Whether a voxel count of phase q passes the final tolerance check (the same expression as that check). */
static int within_tol(const ssb_micro_electrode_params *par, int q, int64_t count, int64_t nv)
{
    return fabs((double)count / (double)nv - par->phase[q].fraction) <= par->tolerance;
}

/* The voxel counts [lo, hi] that pass within_tol (lo > hi: none). */
static void phase_tol_range(const ssb_micro_electrode_params *par, int q, int64_t nv, phase_state *st)
{
    const double f = par->phase[q].fraction, t = par->tolerance, n = (double)nv;
    int64_t lo = (int64_t)ceil((f - t) * n) - 1, hi = (int64_t)floor((f + t) * n) + 1;
    if (lo < 0) lo = 0;
    if (hi > nv) hi = nv;
    while (lo <= hi && !within_tol(par, q, lo, nv)) lo++;
    while (hi >= lo && !within_tol(par, q, hi, nv)) hi--;
    st->lo = lo;
    st->hi = hi;
}

/* Random sequential addition of phase q under the current rule (P->ov[q], P->fill[q]) until the target is met
 * (*reached = 1) or the phase jams (*reached = 0). Jammed means: 64 particles dropped in a row, a round without
 * gain, 64 rounds, or, when escalation is possible (slow_jam), a window of 256 particles that needed more than
 * slow_jam trial positions each on average (the packing has become too slow to finish under this rule). */
static int run_rounds(packer *P, int q, const psd_prep *psd, ssb_rng *rng, phase_state *st, int64_t *ntrials,
                      int64_t *done_vox, int64_t total_vox, double slow_jam, int *reached, double **pool,
                      size_t *pool_cap, size_t *pool_n, size_t *pool_next)
{
    ssb_ctx *ctx = P->ctx;
    const ssb_micro_electrode_params *par = P->par;
    const ssbi_box *b = &P->box;
    const uint8_t lab = par->phase[q].label;
    const double vvox = b->h[0] * b->h[1] * b->h[2];
    const int max_rounds = 64, max_consecutive_drops = 64, window = 256;
    double eff = 1.0; /* matrix voxel volume gained per sphere volume placed */
    int rc = SSB_OK, finished = 0, consecutive_drops = 0, in_window = 0;
    int64_t report_every = 256, since_report = 0, window_trials0 = *ntrials;

    *reached = 0;
    for (int round = 0; round < max_rounds && !finished; round++) {
        int64_t shortfall = st->target - st->count;
        if (shortfall <= 0) break;
        /* draw diameters for the shortfall, unless diameters drawn before a jam are still waiting */
        double need = (double)shortfall * vvox / eff, drawn = 0.0;
        size_t npool = 0, i0 = *pool_next;
        if (i0 < *pool_n) npool = *pool_n;
        else i0 = 0;
        while (i0 == 0 && (drawn < need || npool == 0)) {
            if (npool == *pool_cap) {
                size_t nc = *pool_cap ? 2 * *pool_cap : 1024;
                double *np = realloc(*pool, nc * sizeof *np);
                if (!np) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for %zu particle diameters", nc);
                *pool = np;
                *pool_cap = nc;
            }
            double d = psd_draw(psd, rng);
            (*pool)[npool++] = d;
            drawn += ssbi_arch_particle_volume(&par->phase[q], d);
        }
        double *pl = *pool;
        if (i0 == 0) qsort(pl, npool, sizeof *pl, cmp_desc);
        *pool_n = npool;
        *pool_next = npool;
        int64_t gained = 0;
        double placed_vol = 0.0;
        int stop_rounds = 0;
        for (size_t i = i0; i < npool; i++) {
            double r = 0.5 * pl[i], p[3], u[3];
            *pool_next = i + 1;
            int64_t nnew = find_position(P, r, q, rng, p, u, ntrials);
            if (slow_jam > 0.0 && ++in_window >= window) {
                if ((double)(*ntrials - window_trials0) > slow_jam * window) return SSB_OK; /* too slow: jammed */
                in_window = 0;
                window_trials0 = *ntrials;
            }
            if (nnew == 0) {
                st->ndropped++;
                if (++consecutive_drops >= max_consecutive_drops) return SSB_OK; /* jammed */
                continue;
            }
            consecutive_drops = 0;
            if (st->count + nnew > st->target) {
                /* keep the last particle only if it brings the count closer to the target */
                stop_rounds = 1;
                /* left out when it does not bring the count closer; also when, kept, it would end the phase beyond
                 * the tolerance (a failure for certain): finish_phase then redraws it smaller (so cases that
                 * succeeded before are untouched) */
                if (st->count + nnew - st->target >= st->target - st->count || st->count + nnew > st->hi) {
                    st->dlast = fmax(st->dlast, pl[i]);
                    continue;
                }
            }
            int64_t got;
            if (par->phase[q].shape == SSB_MICRO_PARTICLE_FIBRE) {
                /* the fibre enters the sphere list as its chain of spheres (ssbi_electrode_paint redraws it) */
                const int64_t n = ssbi_arch_fibre_spheres(r, par->phase[q].fibre_length);
                for (int64_t k = 0; k < n; k++) {
                    double s[3];
                    ssbi_arch_fibre_centre(p, u, r, par->phase[q].fibre_length, n, k, s);
                    SSB_CHECK(ctx, packer_add(P, s, r, q));
                }
                got = 0;
                for (int64_t k = 0; k < n; k++) {
                    double s[3];
                    ssbi_arch_fibre_centre(p, u, r, par->phase[q].fibre_length, n, k, s);
                    got += fill_sphere(P, s, r, lab);
                }
            } else {
                SSB_CHECK(ctx, packer_add(P, p, r, q));
                got = fill_sphere(P, p, r, lab);
            }
            if (P->grad) ssbi_grad_update(P->grad);
            st->count += got;
            gained += got;
            *done_vox += got;
            placed_vol += ssbi_arch_particle_volume(&par->phase[q], pl[i]);
            st->nplaced++;
            st->dsum += pl[i];
            if (st->count >= st->target) {
                finished = 1;
                break;
            }
            if (++since_report >= report_every) {
                since_report = 0;
                SSB_CHECK(ctx, ssbi_progress(ctx, "electrode", (double)*done_vox, (double)total_vox));
            }
        }
        if (stop_rounds) finished = 1;
        if (gained == 0) return SSB_OK; /* jammed */
        eff = fmin(1.0, fmax(0.05, (double)gained * vvox / placed_vol));
    }
    *reached = finished || st->count >= st->target;
    return rc;
}

/* Small-box granularity: the phase reached its target to within one particle (run_rounds left out the particle
 * that would overshoot) but not to within the tolerance, because one particle is a larger share of the box than
 * the tolerance. Redraw the missing particles from the phase's distribution truncated to the diameters whose
 * sphere volume fits the room left below the upper end of the tolerance band (psd_draw_below), place them as usual
 * and stop once the count is within the tolerance. The size distribution stays the phase's own, renormalised to
 * the range that fits, for the last one or few particles only (counted in nredrawn). MONO sizes and fibres have
 * nothing smaller to draw: they stop here and the error message names the particle granularity. */
static int finish_phase(packer *P, int q, const psd_prep *psd, ssb_rng *rng, phase_state *st, int64_t *ntrials,
                        int64_t *done_vox)
{
    const ssb_micro_electrode_params *par = P->par;
    const ssbi_box *b = &P->box;
    const double vvox = b->h[0] * b->h[1] * b->h[2];
    if (par->phase[q].shape == SSB_MICRO_PARTICLE_FIBRE) return SSB_OK;
    int drops = 0;
    while (st->count < st->lo && st->lo <= st->hi && drops < 64) {
        const double room = (double)(st->hi - st->count) * vvox;
        const double d = psd_draw_below(psd, cbrt(6.0 * room / PI), rng);
        if (d <= 0.0) break; /* nothing of this distribution fits */
        double p[3], u[3];
        const int64_t nnew = find_position(P, 0.5 * d, q, rng, p, u, ntrials);
        if (nnew == 0) st->ndropped++;
        if (nnew == 0 || st->count + nnew > st->hi) { /* dropped, or its voxels exceed its sphere volume */
            drops++;
            continue;
        }
        SSB_CHECK(P->ctx, packer_add(P, p, 0.5 * d, q));
        const int64_t got = fill_sphere(P, p, 0.5 * d, par->phase[q].label);
        if (P->grad) ssbi_grad_update(P->grad);
        st->count += got;
        *done_vox += got;
        st->nplaced++;
        st->nredrawn++;
        st->dsum += d;
    }
    if (st->nredrawn > 0)
        ssbi_log(P->ctx, SSB_LOG_INFO, "electrode",
                 "particle phase %d ('%s'): a %.2f um particle would overshoot the target %.4f by more than the "
                 "tolerance %g in this box; %lld particle(s) redrawn smaller from the size distribution truncated "
                 "to what fits, fraction now %.4f",
                 q, par->phase[q].name, st->dlast * 1e6, par->phase[q].fraction, par->tolerance,
                 (long long)st->nredrawn, (double)st->count / (double)(b->n[0] * b->n[1] * b->n[2]));
    return SSB_OK;
}

/* Place one phase (index q in the params; first = 1 for the first phase placed; before = the target fractions of
 * the phases placed before it). When the phase jams under its
 * rule, the rule is relaxed step by step: a later (smaller) phase first switches to void filling (if
 * params.fill_voids), then the overlap rule of the phase is raised by 0.05 at a time up to params.overlap_max. The
 * spheres already placed stay where they are. */
static int place_phase(packer *P, int q, int first, double before, const psd_prep *psd, ssb_rng *rng,
                       phase_state *st, int64_t *ntrials, int64_t *done_vox, int64_t total_vox)
{
    const ssb_micro_electrode_params *par = P->par;
    double *pool = NULL;
    size_t pool_cap = 0, pool_n = 0, pool_next = 0;
    int rc = SSB_OK;
    P->ov[q] = first ? start_overlap(par, ssbi_arch_local_fraction(par, q)) : par->overlap;
    /* behind phases that fill >= 0.7 of the box, hard placement between their spheres is hopeless: fill the voids
     * from the start instead of finding that out by a slow jam */
    P->fill[q] = !first && par->fill_voids && before >= 0.7;
    ssbi_grad grad;
    if (par->phase[q].gradient != 0.0) {
        SSB_CHECK(P->ctx, ssbi_grad_init(P->ctx, &grad, &P->box, par->phase[q].gradient, st->target - st->count,
                                         0.5 * psd->mean));
        P->grad = &grad;
    }
    for (;;) {
        const int can_fill = !first && par->fill_voids && !P->fill[q];
        const int can_raise = P->ov[q] < par->overlap_max;
        const double slow = (can_fill || can_raise) ? fmax(8.0, 0.125 * (double)par->max_attempts) : 0.0;
        int reached = 0;
        rc = run_rounds(P, q, psd, rng, st, ntrials, done_vox, total_vox, slow, &reached, &pool, &pool_cap, &pool_n,
                        &pool_next);
        st->reached = reached;
        if (rc == SSB_OK && reached && st->count < st->lo) rc = finish_phase(P, q, psd, rng, st, ntrials, done_vox);
        if (rc != SSB_OK || reached) break;
        if (can_fill) {
            P->fill[q] = 1;
        } else if (can_raise) {
            P->ov[q] = fmin(P->ov[q] + 0.05, par->overlap_max);
        } else {
            break;
        }
        ssbi_log(P->ctx, SSB_LOG_DEBUG, "electrode", "phase %d jammed at %.4f of %.4f: %s, overlap %.2f", q,
                 (double)st->count / (double)(P->box.n[0] * P->box.n[1] * P->box.n[2]), par->phase[q].fraction,
                 P->fill[q] ? "void filling" : "hard against earlier phases", P->ov[q]);
    }
    free(pool);
    if (P->grad) {
        ssbi_grad_free(P->grad);
        P->grad = NULL;
    }
    return rc;
}

/* The final check of every phase against its target (in placement order): SSB_ERR_RANGE with the reason, a
 * particle too coarse for the tolerance in this box (granularity) or a packing that jammed short of it. */
static int check_targets(ssb_ctx *ctx, const packer *P, const int *order, const psd_prep *psd,
                         const phase_state *st)
{
    const ssb_micro_electrode_params *par = P->par;
    const int64_t nv = P->box.n[0] * P->box.n[1] * P->box.n[2];
    for (int k = 0; k < par->nphases; k++) {
        int q = order[k];
        double f = (double)st[q].count / (double)nv;
        if (fabs(f - par->phase[q].fraction) > par->tolerance && st[q].reached && st[q].dlast > 0.0) {
            /* granularity: the particle left out would have overshot beyond the tolerance, and nothing smaller fit */
            const double share = PI / 6.0 * st[q].dlast * st[q].dlast * st[q].dlast /
                                 (P->box.len[0] * P->box.len[1] * P->box.len[2]);
            return SSB_ERROR(ctx, SSB_ERR_RANGE,
                             "particle phase %d ('%s'): reached a voxel fraction of %.4f, target %.4f +- %g (%lld "
                             "particles placed): one %.2f um particle is %.4f of this %.1f x %.1f x %.1f um box, more "
                             "than the tolerance allows, and %s; use a larger box, smaller particles or a larger "
                             "tolerance",
                             q, par->phase[q].name, f, par->phase[q].fraction, par->tolerance,
                             (long long)st[q].nplaced, st[q].dlast * 1e6, share, P->box.len[0] * 1e6,
                             P->box.len[1] * 1e6, P->box.len[2] * 1e6,
                             par->phase[q].shape == SSB_MICRO_PARTICLE_FIBRE || psd[q].kind == SSB_MICRO_PSD_MONO
                                 ? "its size distribution has no smaller particles to redraw"
                                 : "no smaller particle of its size distribution could be placed");
        }
        if (fabs(f - par->phase[q].fraction) > par->tolerance) {
            return SSB_ERROR(ctx, SSB_ERR_RANGE,
                             "particle phase %d ('%s'): reached a voxel fraction of %.4f, target %.4f +- %g (%lld "
                             "particles placed, %lld dropped); allow more overlap, relax_steps or max_attempts, or "
                             "lower the fraction",
                             q, par->phase[q].name, f, par->phase[q].fraction, par->tolerance,
                             (long long)st[q].nplaced, (long long)st[q].ndropped);
        }
    }
    return SSB_OK;
}

ssb_micro_electrode_params ssb_micro_electrode_params_default(void)
{
    ssb_micro_electrode_params p;
    memset(&p, 0, sizeof p);
    p.nphases = 0;
    p.matrix_label = 0;
    strcpy(p.matrix_name, "matrix");
    p.matrix_role = SSB_ROLE_SE;
    p.overlap = 0.0;
    p.cross_phase_overlap = 0;
    p.tolerance = 0.005;
    p.max_attempts = 200;
    p.relax_steps = 24;
    p.periodic = 1;
    p.seed = 1;
    p.overlap_max = 0.4;
    p.fill_voids = 1;
    p.channel_phase = -1;
    for (int i = 0; i < SSB_MICRO_MAX_PARTICLE_PHASES; i++) {
        p.phase[i].label = (uint8_t)(i + 1);
        p.phase[i].role = SSB_ROLE_ACTIVE;
        p.phase[i].psd.kind = SSB_MICRO_PSD_MONO;
    }
    return p;
}

static int check_params(ssb_ctx *ctx, const ssb_micro_electrode_params *par)
{
    SSB_REQUIRE(ctx, par->nphases >= 1 && par->nphases <= SSB_MICRO_MAX_PARTICLE_PHASES, SSB_ERR_ARG,
                "electrode: nphases = %d is invalid (valid: 1 to %d)", par->nphases, SSB_MICRO_MAX_PARTICLE_PHASES);
    double sum = 0.0;
    for (int i = 0; i < par->nphases; i++) {
        const ssb_micro_particle_phase *ph = &par->phase[i];
        SSB_REQUIRE(ctx, isfinite(ph->fraction) && ph->fraction > 0.0 && ph->fraction < 1.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): fraction = %g is invalid (valid: 0 < fraction < 1)", i, ph->name,
                    ph->fraction);
        SSB_REQUIRE(ctx, ph->label != par->matrix_label, SSB_ERR_ARG,
                    "particle phase %d ('%s'): label %d equals the matrix label", i, ph->name, ph->label);
        SSB_REQUIRE(ctx, (int)ph->role >= 0 && ph->role < SSB_ROLE_COUNT, SSB_ERR_ARG,
                    "particle phase %d ('%s'): role %d is invalid", i, ph->name, (int)ph->role);
        for (int j = 0; j < i; j++) /* one label for modes of one material (same name and role) */
            SSB_REQUIRE(ctx,
                        par->phase[j].label != ph->label ||
                            (par->phase[j].role == ph->role && strcmp(par->phase[j].name, ph->name) == 0),
                        SSB_ERR_ARG, "particle phases %d and %d have the same label %d", j, i, ph->label);
        sum += ph->fraction;
    }
    SSB_REQUIRE(ctx, sum < 1.0, SSB_ERR_RANGE,
                "electrode: particle fractions sum to %g (must be < 1 so that the matrix remains)", sum);
    SSB_REQUIRE(ctx, (int)par->matrix_role >= 0 && par->matrix_role < SSB_ROLE_COUNT, SSB_ERR_ARG,
                "electrode: matrix role %d is invalid", (int)par->matrix_role);
    SSB_REQUIRE(ctx, isfinite(par->overlap) && par->overlap >= 0.0 && par->overlap < 1.0, SSB_ERR_RANGE,
                "electrode: overlap = %g is invalid (valid: 0 <= overlap < 1)", par->overlap);
    SSB_REQUIRE(ctx, isfinite(par->tolerance) && par->tolerance > 0.0 && par->tolerance <= 0.5, SSB_ERR_RANGE,
                "electrode: tolerance = %g is invalid (valid: 0 < tolerance <= 0.5)", par->tolerance);
    SSB_REQUIRE(ctx, par->max_attempts >= 1, SSB_ERR_RANGE, "electrode: max_attempts = %lld is invalid (must be >= 1)",
                (long long)par->max_attempts);
    SSB_REQUIRE(ctx, par->relax_steps >= 0 && par->relax_steps <= 1000, SSB_ERR_RANGE,
                "electrode: relax_steps = %d is invalid (valid: 0 to 1000)", par->relax_steps);
    SSB_REQUIRE(ctx, isfinite(par->overlap_max) && par->overlap_max >= 0.0 && par->overlap_max <= 0.5,
                SSB_ERR_RANGE, "electrode: overlap_max = %g is invalid (valid: 0 to 0.5)", par->overlap_max);
    SSB_REQUIRE(ctx, par->fill_voids == 0 || par->fill_voids == 1, SSB_ERR_ARG,
                "electrode: fill_voids = %d is invalid (valid: 0 or 1)", par->fill_voids);
    return SSB_OK;
}

int ssb_micro_generate_electrode(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_electrode_params *par,
                                 ssb_micro_electrode_result *result)
{
    return ssbi_electrode_generate(ctx, grid, par, result, NULL, NULL);
}

int ssbi_electrode_generate(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_electrode_params *par,
                            ssb_micro_electrode_result *result, ssbi_sphere **spheres, int64_t *nspheres)
{
    if (spheres) *spheres = NULL;
    if (nspheres) *nspheres = 0;
    SSB_REQUIRE(ctx, grid && par, SSB_ERR_ARG, "ssb_micro_generate_electrode: NULL grid or params");
    if (result) memset(result, 0, sizeof *result);
    SSB_CHECK(ctx, check_params(ctx, par));

    packer P;
    memset(&P, 0, sizeof P);
    P.ctx = ctx;
    P.par = par;
    P.nph = par->nphases;
    ssbi_box_init(&P.box, grid, par->periodic);
    SSB_CHECK(ctx, ssbi_arch_check(ctx, par, &P.box));

    psd_prep psd[SSB_MICRO_MAX_PARTICLE_PHASES];
    for (int i = 0; i < par->nphases; i++)
        SSB_CHECK(ctx, psd_prepare(ctx, i, par->phase[i].name, &par->phase[i].psd, &P.box, &psd[i]));

    /* placement order: decreasing mean diameter, ties in params order (insertion sort is stable) */
    int order[SSB_MICRO_MAX_PARTICLE_PHASES];
    for (int i = 0; i < par->nphases; i++) {
        int j = i;
        while (j > 0 && psd[order[j - 1]].mean < psd[i].mean) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }

    SSB_CHECK(ctx, check_feasible(ctx, par, order[0], &psd[order[0]]));

    const int64_t nv = ssb_grid_get_nvoxels(grid);
    int rc = SSB_OK;
    phase_state st[SSB_MICRO_MAX_PARTICLE_PHASES];
    memset(st, 0, sizeof st);
    int64_t total_target = 0, done_vox = 0, ntrials = 0;
    for (int i = 0; i < par->nphases; i++) {
        st[i].target = llround(par->phase[i].fraction * (double)nv);
        phase_tol_range(par, i, nv, &st[i]);
        total_target += st[i].target;
    }
    for (int i = 0; i < par->nphases; i++)
        SSB_CHECK_GOTO(ctx, rc, cell_list_init(ctx, &P.cl[i], &P.box, 0.5 * psd[i].dlargest), cleanup);

    memset(P.box.lab, par->matrix_label, (size_t)nv);
    P.tmp_label = ssbi_arch_free_label(par, 0);
    int64_t nchannel_vox = 0;
    if (par->channel_fraction > 0.0) {
        int64_t nch;
        double dch;
        P.blocked_label = ssbi_arch_free_label(par, 1);
        P.blocked = 1;
        nchannel_vox = ssbi_arch_paint_channels(&P.box, par->channel_fraction, par->channel_diameter,
                                                P.blocked_label, &nch, &dch);
        if (par->channel_phase >= 0) st[par->channel_phase].count = nchannel_vox;
        if (result) {
            result->nchannels = nch;
            result->channel_diameter = dch;
            result->channel_fraction = (double)nchannel_vox / (double)nv;
        }
    }
    SSB_CHECK_GOTO(ctx, rc, ssbi_gen_touch_phase(ctx, grid, par->matrix_label, par->matrix_name, par->matrix_role),
                   cleanup);
    for (int i = 0; i < par->nphases; i++)
        SSB_CHECK_GOTO(ctx, rc,
                       ssbi_gen_touch_phase(ctx, grid, par->phase[i].label, par->phase[i].name, par->phase[i].role),
                       cleanup);

    ssb_rng base;
    ssb_rng_seed(&base, par->seed);
    double before = 0.0;
    for (int k = 0; k < par->nphases; k++) {
        int q = order[k];
        ssb_rng rng = ssb_rng_split(&base, (uint64_t)q);
        SSB_CHECK_GOTO(ctx, rc,
                       place_phase(&P, q, k == 0, before, &psd[q], &rng, &st[q], &ntrials, &done_vox, total_target),
                       cleanup);
        before += ssbi_arch_local_fraction(par, q);
        SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "electrode", (double)done_vox, (double)total_target), cleanup);
    }

    int64_t matrix_count = nv;
    for (int i = 0; i < par->nphases; i++) matrix_count -= st[i].count;
    if (result) {
        result->nphases = par->nphases;
        for (int i = 0; i < par->nphases; i++) {
            ssb_micro_phase_result *r = &result->phase[i];
            r->label = par->phase[i].label;
            r->target = par->phase[i].fraction;
            r->nvoxels = st[i].count;
            r->fraction = (double)st[i].count / (double)nv;
            r->nparticles = st[i].nplaced;
            r->ndropped = st[i].ndropped;
            r->mean_diameter = st[i].nplaced ? st[i].dsum / (double)st[i].nplaced : 0.0;
            r->psd_mean = psd[i].mean;
            r->overlap = P.ov[i];
            r->void_fill = P.fill[i];
            r->nredrawn = st[i].nredrawn;
        }
        result->matrix_fraction = (double)matrix_count / (double)nv;
        result->ntrials = ntrials;
    }
    ssbi_log(ctx, SSB_LOG_DEBUG, "electrode", "%d particles, %lld trial positions", (int)P.np, (long long)ntrials);
    rc = check_targets(ctx, &P, order, psd, st);

    if (spheres && (rc == SSB_OK || rc == SSB_ERR_RANGE) && P.np > 0) {
        ssbi_sphere *sp = ssbi_malloc(ctx, (size_t)P.np * sizeof *sp, "sphere list");
        if (!sp) {
            rc = SSB_ERR_NOMEM;
            goto cleanup;
        }
        for (int32_t k = 0; k < P.np; k++) {
            memcpy(sp[k].c, &P.pos[3 * k], sizeof sp[k].c);
            sp[k].r = P.rad[k];
            sp[k].phase = P.phq[k];
        }
        *spheres = sp;
        *nspheres = P.np;
    }

cleanup:
    if (P.blocked) { /* the channels take their label: the matrix's, or the channel phase's */
        const uint8_t to = par->channel_phase >= 0 ? par->phase[par->channel_phase].label : par->matrix_label;
        for (int64_t v = 0; v < nv; v++)
            if (P.box.lab[v] == P.blocked_label) P.box.lab[v] = to;
    }
    for (int i = 0; i < par->nphases; i++) free(P.cl[i].head);
    free(P.phq);
    free(P.pos);
    free(P.rad);
    free(P.next);
    return rc;
}

void ssbi_electrode_paint(ssb_grid *grid, const ssb_micro_electrode_params *par, const ssbi_sphere *sp, int64_t n,
                          int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES])
{
    ssbi_box b;
    ssbi_box_init(&b, grid, par->periodic);
    const int64_t nv = ssb_grid_get_nvoxels(grid);
    memset(b.lab, par->matrix_label, (size_t)nv);
    for (int i = 0; i < SSB_MICRO_MAX_PARTICLE_PHASES; i++) counts[i] = 0;
    uint8_t blocked = 0;
    if (par->channel_fraction > 0.0) { /* the channels as the generator draws them (lattice from the box in m) */
        int64_t nch;
        double dch;
        blocked = ssbi_arch_free_label(par, 1);
        int64_t nc = ssbi_arch_paint_channels(&b, par->channel_fraction, par->channel_diameter, blocked, &nch, &dch);
        if (par->channel_phase >= 0) counts[par->channel_phase] += nc;
    }
    ssbi_box zb = b;
    zb.zclip = 1; /* graded phases: as fill_tracked draws them */
    for (int64_t k = 0; k < n; k++)
        counts[sp[k].phase] += ssbi_sphere_visit(par->phase[sp[k].phase].gradient != 0.0 ? &zb : &b, sp[k].c, sp[k].r,
                                                 SSBI_SPHERE_FILL, par->matrix_label, par->phase[sp[k].phase].label,
                                                 NULL);
    if (par->channel_fraction > 0.0) {
        const uint8_t to = par->channel_phase >= 0 ? par->phase[par->channel_phase].label : par->matrix_label;
        for (int64_t v = 0; v < nv; v++)
            if (b.lab[v] == blocked) b.lab[v] = to;
    }
}
