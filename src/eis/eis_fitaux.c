/* Around the fit: automatic start values from the data (arcs found as maxima of -Z''), and the conversion of
 * fitted CPEs to effective capacitances (Hirschorn / Hsu-Mansfeld for R||CPE arcs, Brug for series CPEs). */
#include "eis_impl.h"

#include "core_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846

const char *ssb_eis_fit_status_name(int status)
{
    switch (status) {
    case SSB_EIS_FIT_OK: return "ok";
    case SSB_EIS_FIT_UNDETERMINED: return "undetermined";
    case SSB_EIS_FIT_AT_BOUND: return "at_bound";
    case SSB_EIS_FIT_NOT_CONVERGED: return "not_converged";
    }
    return "unknown";
}

const char *ssb_eis_param_flags_string(unsigned flags, char *buf, size_t len)
{
    if (!buf || len == 0) return "";
    buf[0] = '\0';
    static const struct {
        unsigned bit;
        const char *name;
    } tab[] = {{SSB_EIS_PARAM_WIDE_CI, "wide_ci"}, {SSB_EIS_PARAM_AT_BOUND, "at_bound"},
               {SSB_EIS_PARAM_CORRELATED, "correlated"}};
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (flags & tab[k].bit) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", l ? "," : "", tab[k].name);
        }
    return buf;
}

/* ---------------------------------------------------------------- circuit structure helpers */

/* 1 if every ancestor of node k is a SERIES node (k lies on the main current path). */
static int on_main_path(const ssb_eis_circuit *c, int k)
{
    for (int a = c->nodes[k].parent; a >= 0; a = c->nodes[a].parent)
        if (c->nodes[a].kind != SSBI_NODE_SERIES) return 0;
    return 1;
}

static int is_elem(const ssb_eis_circuit *c, int k, int type)
{
    return c->nodes[k].kind == SSBI_NODE_ELEM && c->nodes[k].type == type;
}

/* A PAR node with exactly an R and a C or CPE: *kr, *kc get the two element nodes. */
static int rc_pair(const ssb_eis_circuit *c, int k, int *kr, int *kc)
{
    const ssbi_eis_node *nd = &c->nodes[k];
    if (nd->kind != SSBI_NODE_PAR || nd->nkids != 2) return 0;
    int a = c->kids[nd->kid0], b = c->kids[nd->kid0 + 1];
    if (is_elem(c, b, SSBI_EL_R)) {
        int t = a;
        a = b;
        b = t;
    }
    if (!is_elem(c, a, SSBI_EL_R)) return 0;
    if (!is_elem(c, b, SSBI_EL_C) && !is_elem(c, b, SSBI_EL_CPE)) return 0;
    *kr = a;
    *kc = b;
    return 1;
}

/* For start values only: a PAR node of two branches, one a C or CPE and the other an R or a series that contains
 * an R on its top level (p(R2-Wo1,C2)); *kr, *kc get the R and the C / CPE element nodes. */
static int arc_pair(const ssb_eis_circuit *c, int k, int *kr, int *kc)
{
    if (rc_pair(c, k, kr, kc)) return 1;
    const ssbi_eis_node *nd = &c->nodes[k];
    if (nd->kind != SSBI_NODE_PAR || nd->nkids != 2) return 0;
    int a = c->kids[nd->kid0], b = c->kids[nd->kid0 + 1];
    if (is_elem(c, a, SSBI_EL_C) || is_elem(c, a, SSBI_EL_CPE)) {
        int t = a;
        a = b;
        b = t;
    }
    if (!is_elem(c, b, SSBI_EL_C) && !is_elem(c, b, SSBI_EL_CPE)) return 0;
    if (c->nodes[a].kind != SSBI_NODE_SERIES) return 0;
    for (int q = 0; q < c->nodes[a].nkids; q++) {
        int e = c->kids[c->nodes[a].kid0 + q];
        if (is_elem(c, e, SSBI_EL_R)) {
            *kr = e;
            *kc = b;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- start values */

typedef struct {
    int node;  /* PAR node of a pair, or the K / Zarc element node */
    int col;   /* position in the string */
} arc_ref;

static int first_col(const ssb_eis_circuit *c, int k)
{
    const ssbi_eis_node *nd = &c->nodes[k];
    if (nd->kind == SSBI_NODE_ELEM) return nd->col;
    int best = 1 << 30;
    for (int q = 0; q < nd->nkids; q++) {
        int v = first_col(c, c->kids[nd->kid0 + q]);
        if (v < best) best = v;
    }
    return best;
}

static int cmp_arc(const void *a, const void *b)
{
    const arc_ref *x = a, *y = b;
    return (x->col > y->col) - (x->col < y->col);
}

/* Long (about 180 lines) on purpose: one pass over the circuit's elements assigning each its start value from the
 * spectrum's arcs and tails, in circuit order; the element cases share the arc bookkeeping. */
int ssb_eis_fit_guess(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, double *p)
{
    SSB_REQUIRE(ctx, c && s && p, SSB_ERR_ARG, "fit guess: NULL argument");
    SSB_CHECK(ctx, ssb_eis_spectrum_check(ctx, s, "fit guess"));
    SSB_CHECK(ctx, ssbi_eis_check_magnitude(ctx, s, "fit guess"));
    int64_t n = s->n;
    int np = c->np;
    /* data by descending frequency */
    double *f = malloc((size_t)n * sizeof(double)), *zr = malloc((size_t)n * sizeof(double));
    double *y = malloc((size_t)n * sizeof(double)), *ys = malloc((size_t)n * sizeof(double));
    int64_t *pk = malloc((size_t)(n + 1) * sizeof(int64_t)), *vl = malloc((size_t)(n + 2) * sizeof(int64_t));
    arc_ref *arcs = malloc((size_t)(c->nnodes + 1) * sizeof(arc_ref));
    unsigned char *done = calloc((size_t)(np > 0 ? np : 1), 1);
    int rc = SSB_OK;
    if (!f || !zr || !y || !ys || !pk || !vl || !arcs || !done) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "fit guess: out of memory");
        goto out;
    }
    int desc = n < 2 || s->f[0] > s->f[n - 1];
    for (int64_t i = 0; i < n; i++) {
        int64_t j = desc ? i : n - 1 - i;
        f[i] = s->f[j];
        zr[i] = s->zre[j];
        y[i] = -s->zim[j];
    }
    for (int64_t i = 0; i < n; i++) {
        double a = y[i > 0 ? i - 1 : i], b = y[i], d = y[i + 1 < n ? i + 1 : i];
        ys[i] = (a + 2 * b + d) / 4;
    }
    double zmin = INFINITY, zmax = -INFINITY, ymax = 0;
    for (int64_t i = 0; i < n; i++) {
        zmin = fmin(zmin, zr[i]);
        zmax = fmax(zmax, zr[i]);
        ymax = fmax(ymax, fabs(y[i]));
    }
    double span = zmax - zmin;
    if (!(span > 0)) span = fmax(fabs(zmax), ymax) > 0 ? fmax(fabs(zmax), ymax) : 1.0;
    /* maxima of the smoothed -Z'' with 5 % prominence on both sides */
    int npk = 0;
    for (int64_t i = 1; i + 1 < n; i++) {
        if (!(ys[i] > 0 && ys[i] >= ys[i - 1] && ys[i] > ys[i + 1])) continue;
        double lmin = ys[i], rmin = ys[i];
        for (int64_t j = i - 1; j >= 0 && ys[j] <= ys[i]; j--) lmin = fmin(lmin, ys[j]);
        for (int64_t j = i + 1; j < n && ys[j] <= ys[i]; j++) rmin = fmin(rmin, ys[j]);
        int64_t jl = i - 1, jr = i + 1;
        while (jl >= 0 && ys[jl] <= ys[i]) jl--;
        while (jr < n && ys[jr] <= ys[i]) jr++;
        /* a side that runs off the data without rising again counts as falling to its minimum */
        if (ys[i] - lmin < 0.05 * ys[i] && jl >= 0) continue;
        if (ys[i] - rmin < 0.05 * ys[i] && jr < n) continue;
        pk[npk++] = i;
    }
    /* valleys: vl[0] = start, vl[k+1] = minimum of ys between peak k and peak k+1 (or the end) */
    vl[0] = 0;
    for (int k = 0; k < npk; k++) {
        int64_t a = pk[k], b = k + 1 < npk ? pk[k + 1] : n - 1, m = a;
        for (int64_t j = a; j <= b; j++)
            if (ys[j] < ys[m]) m = j;
        vl[k + 1] = m;
    }
    /* arcs in string order */
    int narc = 0;
    for (int k = 0; k < c->nnodes; k++) {
        int kr, kc;
        if (arc_pair(c, k, &kr, &kc) || is_elem(c, k, SSBI_EL_K) || is_elem(c, k, SSBI_EL_ZARC)) {
            arcs[narc].node = k;
            arcs[narc].col = first_col(c, k);
            narc++;
        }
    }
    qsort(arcs, (size_t)narc, sizeof *arcs, cmp_arc);
    /* series resistance on the main path: the high-frequency intercept */
    int nser = 0;
    for (int k = 0; k < c->nnodes; k++)
        if (is_elem(c, k, SSBI_EL_R) && on_main_path(c, k)) nser++;
    double r_hf = zr[0] > 0 ? zr[0] : 0.0;
    double r0 = nser > 0 ? (r_hf > 0 ? 0.5 * r_hf : 1e-3 * span) / nser : 0.0;
    double flo = f[n - 1], fhi = f[0];
    /* the old spread for everything not placed below */
    int nt = 0;
    for (int k = 0; k < np; k++) {
        const char *u = ssb_eis_circuit_get_param_unit(c, k);
        if (strcmp(u, "s") == 0 || strcmp(u, "F") == 0 || strncmp(u, "F s^", 4) == 0) nt++;
    }
    int it = 0;
    for (int k = 0; k < np; k++) {
        const char *nm = c->pname[k], *u = ssb_eis_circuit_get_param_unit(c, k);
        double ft = nt > 0 ? fhi * pow(flo / fhi, (it + 0.5) / nt) : sqrt(flo * fhi);
        double w = 2.0 * PI_ * ft, Rk = span / (narc > 0 ? narc : 1);
        if (strcmp(u, "Ohm") == 0) {
            p[k] = Rk;
        } else if (strcmp(u, "F") == 0 || strncmp(u, "F s^", 4) == 0) {
            p[k] = 1.0 / (w * Rk);
            it++;
        } else if (strcmp(u, "s") == 0) {
            p[k] = 1.0 / w;
            it++;
        } else if (strcmp(u, "H") == 0) {
            p[k] = 0.01 * span / (2.0 * PI_ * fhi);
        } else if (strcmp(u, "Ohm s^-1/2") == 0) {
            p[k] = span * sqrt(2.0 * PI_ * flo);
        } else { /* exponents and dimensionless factors */
            p[k] = strstr(nm, "_1") || strstr(nm, "_2") || strstr(nm, "_4") ? 0.9 : 1.0;
        }
    }
    /* series R */
    for (int k = 0; k < c->nnodes; k++)
        if (is_elem(c, k, SSBI_EL_R) && on_main_path(c, k)) {
            p[c->nodes[k].poff] = r0 > 0 ? r0 : 1e-3 * span;
            done[c->nodes[k].poff] = 1;
        }
    /* arcs: the a-th arc takes the a-th maximum; the rest are spread between the last maximum and flo */
    double zprev = nser > 0 ? r0 * nser : 0.0;
    for (int a = 0; a < narc; a++) {
        double fp, R;
        if (a < npk) {
            fp = f[pk[a]];
            double zv = zr[vl[a + 1]];
            R = zv - (a == 0 ? zprev : zr[vl[a]]);
            if (!(R > 0.05 * ys[pk[a]])) R = 2.0 * ys[pk[a]];
        } else {
            double f0 = npk > 0 ? f[pk[npk - 1]] : fhi;
            int rest = narc - npk, q = a - npk;
            fp = f0 * pow(flo / f0, (q + 1.0) / (rest + 1.0));
            R = span / narc;
        }
        if (!(R > 0)) R = span / (narc > 0 ? narc : 1);
        double wp = 2.0 * PI_ * fp;
        int k = arcs[a].node, kr, kc;
        if (arc_pair(c, k, &kr, &kc)) {
            int ir = c->nodes[kr].poff, ic = c->nodes[kc].poff;
            p[ir] = R;
            done[ir] = 1;
            if (c->nodes[kc].type == SSBI_EL_C) {
                p[ic] = 1.0 / (wp * R);
            } else {
                p[ic + 1] = 0.9;
                p[ic] = 1.0 / (R * pow(wp, 0.9));
                done[ic + 1] = 1;
            }
            done[ic] = 1;
        } else {
            int o = c->nodes[k].poff;
            p[o] = R;
            p[o + 1] = 1.0 / wp;
            if (c->nodes[k].type == SSBI_EL_ZARC) p[o + 2] = 0.9;
        }
    }
    /* series C / CPE: -Z'' at the lowest frequency */
    for (int k = 0; k < c->nnodes; k++) {
        if (!(is_elem(c, k, SSBI_EL_C) || is_elem(c, k, SSBI_EL_CPE)) || !on_main_path(c, k)) continue;
        int o = c->nodes[k].poff;
        double yl = y[n - 1] > 0 ? y[n - 1] : span, wl = 2.0 * PI_ * flo;
        if (c->nodes[k].type == SSBI_EL_C) {
            p[o] = 1.0 / (wl * yl);
        } else {
            double al = 0.85;
            p[o + 1] = al;
            p[o] = sin(al * PI_ / 2) / (yl * pow(wl, al));
        }
    }
    /* keep every value inside its default bounds */
    for (int k = 0; k < np; k++) {
        double lo, hi;
        ssb_eis_circuit_get_param_bounds(c, k, &lo, &hi);
        if (!isfinite(p[k]) || p[k] <= lo) p[k] = isfinite(hi) ? 0.5 * (lo + hi) : (lo > 0 ? 2 * lo : lo + 1.0);
        if (p[k] > hi) p[k] = hi;
    }
out:
    free(f);
    free(zr);
    free(y);
    free(ys);
    free(pk);
    free(vl);
    free(arcs);
    free(done);
    return rc;
}

int ssb_eis_fit_auto(ssb_ctx *ctx, const ssb_eis_circuit *c, const ssb_eis_spectrum *s, const double *start,
                     const ssb_eis_fit_params *params, ssb_eis_fit_result **res, int *retried)
{
    if (retried) *retried = 0;
    ssb_eis_fit_params P = params ? *params : ssb_eis_fit_params_default();
    SSB_CHECK(ctx, ssb_eis_fit(ctx, c, s, start, &P, res));
    ssb_eis_fit_result *R = *res;
    if (P.global || !(R->status == SSB_EIS_FIT_UNDETERMINED || R->status == SSB_EIS_FIT_NOT_CONVERGED))
        return SSB_OK;
    P.global = 1;
    ssb_eis_fit_result *R2 = NULL;
    int rc = ssb_eis_fit(ctx, c, s, start, &P, &R2);
    if (rc != SSB_OK) {
        ssb_eis_fit_result_destroy(res);
        return rc;
    }
    if (R2->rss < R->rss) {
        ssb_eis_fit_result_destroy(res);
        *res = R2;
        if (retried) *retried = 1;
    } else {
        ssb_eis_fit_result_destroy(&R2);
    }
    return SSB_OK;
}

/* ---------------------------------------------------------------- effective capacitances */

/* Sum of the R elements on the main path (not inside a parallel block). */
static double series_r(const ssb_eis_circuit *c, const double *p)
{
    double r = 0;
    for (int k = 0; k < c->nnodes; k++)
        if (is_elem(c, k, SSBI_EL_R) && on_main_path(c, k)) r += p[c->nodes[k].poff];
    return r;
}

static double cov_at(const double *cov, int np, int a, int b)
{
    if (!cov || a < 0 || b < 0) return 0.0;
    return cov[(size_t)a * np + b];
}

int ssb_eis_cpe_capacitances(ssb_ctx *ctx, const ssb_eis_circuit *c, const double *p, const double *cov,
                             ssb_eis_cap **caps, int *ncaps)
{
    SSB_REQUIRE(ctx, c && p && caps && ncaps, SSB_ERR_ARG, "capacitances: NULL argument");
    *caps = NULL;
    *ncaps = 0;
    int cnt = 0;
    for (int k = 0; k < c->nnodes; k++) {
        int kr, kc;
        if (rc_pair(c, k, &kr, &kc)) cnt++;
        else if ((is_elem(c, k, SSBI_EL_C) || is_elem(c, k, SSBI_EL_CPE)) && on_main_path(c, k)) cnt++;
    }
    if (cnt == 0) return SSB_OK;
    ssb_eis_cap *out = ssbi_calloc(ctx, (size_t)cnt, sizeof *out, "capacitances");
    if (!out) return SSB_ERR_NOMEM;
    arc_ref *ord = malloc((size_t)cnt * sizeof *ord);
    if (!ord) {
        free(out);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "capacitances: out of memory");
    }
    int q = 0;
    for (int k = 0; k < c->nnodes; k++) {
        int kr, kc;
        if (rc_pair(c, k, &kr, &kc) ||
            ((is_elem(c, k, SSBI_EL_C) || is_elem(c, k, SSBI_EL_CPE)) && on_main_path(c, k))) {
            ord[q].node = k;
            ord[q].col = first_col(c, k);
            q++;
        }
    }
    qsort(ord, (size_t)cnt, sizeof *ord, cmp_arc);
    int np = c->np;
    double rser = series_r(c, p), rarcs = 0;
    for (int a = 0; a < cnt; a++) {
        int kr, kc;
        if (rc_pair(c, ord[a].node, &kr, &kc)) rarcs += p[c->nodes[kr].poff];
    }
    for (int a = 0; a < cnt; a++) {
        ssb_eis_cap *o = &out[a];
        int k = ord[a].node, kr = -1, kc = k;
        int par = rc_pair(c, k, &kr, &kc);
        o->kind = par ? SSB_EIS_CAP_PARALLEL : SSB_EIS_CAP_SERIES;
        int oc = c->nodes[kc].poff;
        int isC = c->nodes[kc].type == SSBI_EL_C;
        snprintf(o->name, sizeof o->name, "%s", c->nodes[kc].name);
        o->iQ = oc;
        o->in = isC ? -1 : oc + 1;
        o->iR = par ? c->nodes[kr].poff : -1;
        o->Q = p[oc];
        o->n = isC ? 1.0 : p[oc + 1];
        o->R = par ? p[o->iR] : NAN;
        double Q = o->Q, nn = o->n;
        /* d ln C / d ln Q, d ln C / d ln R, d C / d n for the delta method */
        double gQ = 0, gR = 0, gn = 0;
        if (par) {
            double R = o->R;
            o->R_s = rser;
            o->C_eff = pow(Q * pow(R, 1.0 - nn), 1.0 / nn);
            double wmax = pow(R * Q, -1.0 / nn);
            o->f_max = wmax / (2.0 * PI_);
            o->C_hsu_mansfeld = Q * pow(wmax, nn - 1.0);
            o->C_brug = rser > 0 ? pow(Q, 1.0 / nn) * pow(1.0 / rser + 1.0 / R, (nn - 1.0) / nn) : NAN;
            gQ = o->C_eff / (nn * Q);
            gR = o->C_eff * (1.0 - nn) / (nn * R);
            gn = -o->C_eff * log(Q * R) / (nn * nn);
        } else {
            o->R_s = rser + rarcs;
            o->f_max = NAN;
            o->C_hsu_mansfeld = NAN;
            o->C_brug = o->R_s > 0 ? pow(Q, 1.0 / nn) * pow(o->R_s, (1.0 - nn) / nn) : NAN;
            o->C_eff = isC ? Q : o->C_brug;
            if (isfinite(o->C_eff)) {
                gQ = o->C_eff / (nn * Q);
                gn = -o->C_eff * log(Q * o->R_s) / (nn * nn);
            }
        }
        if (cov && isfinite(o->C_eff)) {
            int idx[3] = {o->iQ, o->iR, o->in};
            double g[3] = {gQ, gR, isC ? 0.0 : gn};
            double v = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) v += g[i] * g[j] * cov_at(cov, np, idx[i], idx[j]);
            o->C_eff_std_err = sqrt(fabs(v));
        } else {
            o->C_eff_std_err = NAN;
        }
    }
    free(ord);
    *caps = out;
    *ncaps = cnt;
    return SSB_OK;
}
