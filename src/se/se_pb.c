/* SE: 1-D Poisson-Boltzmann solver for site-resolved grain boundaries (the pyscses model), damped Newton on a
 * bordered dense system, and GB/bulk resistivity ratios of a solved profile. */
#include <ssbnet/ssb_se.h>

#include "core_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK (Fortran symbol) */
extern void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b, const int *ldb,
                   int *info);

ssb_se_pb_problem ssb_se_pb_problem_default(void)
{
    ssb_se_pb_problem p;
    memset(&p, 0, sizeof p);
    p.area = NAN;
    p.eps_r = NAN;
    p.T = 298.15;
    p.periodic = 1;
    p.h_lo = p.h_hi = NAN;
    p.tol = 1e-12;
    p.max_iter = 200;
    return p;
}

static int validate(ssb_ctx *ctx, const ssb_se_pb_problem *p)
{
    SSB_REQUIRE(ctx, p->nspecies >= 1 && p->species != NULL, SSB_ERR_ARG, "PB: need >= 1 species, got %d", p->nspecies);
    for (int s = 0; s < p->nspecies; s++) {
        SSB_REQUIRE(ctx, isfinite(p->species[s].z) && p->species[s].z != 0, SSB_ERR_RANGE,
                    "PB: species %d charge number z = %g, must be non-zero", s, p->species[s].z);
        SSB_REQUIRE(ctx, p->species[s].x_bulk > 0 && p->species[s].x_bulk < 1, SSB_ERR_RANGE,
                    "PB: species %d bulk site fraction %g, must be in (0, 1)", s, p->species[s].x_bulk);
    }
    SSB_REQUIRE(ctx, p->nplanes >= 3 && p->plane_x && p->plane_width, SSB_ERR_ARG,
                "PB: need >= 3 planes with positions and widths, got %d", p->nplanes);
    for (int i = 0; i < p->nplanes; i++) {
        SSB_REQUIRE(ctx, isfinite(p->plane_x[i]), SSB_ERR_RANGE, "PB: plane %d position is not finite", i);
        if (i > 0)
            SSB_REQUIRE(ctx, p->plane_x[i] > p->plane_x[i - 1], SSB_ERR_RANGE,
                        "PB: plane positions must increase strictly (plane %d at %g m, plane %d at %g m)", i - 1,
                        p->plane_x[i - 1], i, p->plane_x[i]);
        SSB_REQUIRE(ctx, isfinite(p->plane_width[i]) && p->plane_width[i] > 0, SSB_ERR_RANGE,
                    "PB: plane %d width %g m, must be > 0", i, p->plane_width[i]);
    }
    SSB_REQUIRE(ctx, p->nsites >= 1 && p->site_plane && p->site_species, SSB_ERR_ARG, "PB: need >= 1 site, got %d",
                p->nsites);
    for (int k = 0; k < p->nsites; k++) {
        SSB_REQUIRE(ctx, p->site_plane[k] >= 0 && p->site_plane[k] < p->nplanes, SSB_ERR_RANGE,
                    "PB: site %d plane index %d outside [0, %d)", k, p->site_plane[k], p->nplanes);
        SSB_REQUIRE(ctx, p->site_species[k] >= 0 && p->site_species[k] < p->nspecies, SSB_ERR_RANGE,
                    "PB: site %d species index %d outside [0, %d)", k, p->site_species[k], p->nspecies);
        if (p->site_energy)
            SSB_REQUIRE(ctx, isfinite(p->site_energy[k]), SSB_ERR_RANGE, "PB: site %d energy not finite", k);
        if (p->site_charge)
            SSB_REQUIRE(ctx, isfinite(p->site_charge[k]), SSB_ERR_RANGE, "PB: site %d charge not finite", k);
        if (p->site_mult)
            SSB_REQUIRE(ctx, isfinite(p->site_mult[k]) && p->site_mult[k] >= 0, SSB_ERR_RANGE,
                        "PB: site %d multiplicity %g, must be >= 0", k, p->site_mult[k]);
    }
    SSB_REQUIRE(ctx, isfinite(p->area) && p->area > 0, SSB_ERR_RANGE, "PB: area = %g m^2, must be > 0", p->area);
    SSB_REQUIRE(ctx, isfinite(p->eps_r) && p->eps_r > 0, SSB_ERR_RANGE, "PB: eps_r = %g, must be > 0", p->eps_r);
    SSB_REQUIRE(ctx, isfinite(p->T) && p->T > 0, SSB_ERR_RANGE, "PB: T = %g K, must be > 0", p->T);
    SSB_REQUIRE(ctx, isfinite(p->h_lo) && p->h_lo > 0 && isfinite(p->h_hi) && p->h_hi > 0, SSB_ERR_RANGE,
                "PB: end spacings h_lo = %g m, h_hi = %g m, must be > 0", p->h_lo, p->h_hi);
    if (!p->periodic)
        SSB_REQUIRE(ctx, isfinite(p->phi_lo) && isfinite(p->phi_hi), SSB_ERR_RANGE,
                    "PB: Dirichlet values phi_lo = %g V, phi_hi = %g V, must be finite", p->phi_lo, p->phi_hi);
    if (p->periodic && p->ref_weight) {
        double s = 0;
        for (int i = 0; i < p->nplanes; i++) {
            SSB_REQUIRE(ctx, isfinite(p->ref_weight[i]), SSB_ERR_RANGE, "PB: ref_weight[%d] not finite", i);
            s += p->ref_weight[i];
        }
        SSB_REQUIRE(ctx, s != 0, SSB_ERR_RANGE, "PB: reference weights sum to zero");
    }
    SSB_REQUIRE(ctx, p->tol > 0 && p->max_iter >= 1, SSB_ERR_RANGE, "PB: tol = %g, max_iter = %d, must be > 0", p->tol,
                p->max_iter);
    return SSB_OK;
}

typedef struct {
    int N;
    double kT;            /* eV */
    double eps;           /* F/m */
    double *al, *ar, *ac; /* Laplacian coefficients */
    double *om;           /* Laplacian cell widths (left null vector) */
    double som;           /* sum of om */
    double *rw;           /* reference weights */
    double *q, *dq;       /* plane charge [C] and derivative [C/V] */
    double *rho, *drho;   /* [C/m^3], [C/m^3/V] */
} pbw;

/* occupation of site k at potential phi; derivative dp/dphi in *dp */
static double site_occ(const ssb_se_pb_problem *p, const pbw *w, int k, double phi, double *dp)
{
    const ssb_se_pb_species *s = &p->species[p->site_species[k]];
    if (!s->mobile) {
        *dp = 0.0;
        return s->x_bulk;
    }
    double E = p->site_energy ? p->site_energy[k] : 0.0;
    double a = (s->z * phi + E) / w->kT;
    double x = s->x_bulk;
    double occ = x / (x + (1.0 - x) * exp(a)); /* = x B / (1 - x + x B), B = exp(-a) */
    *dp = -(s->z / w->kT) * occ * (1.0 - occ);
    return occ;
}

static void charges(const ssb_se_pb_problem *p, pbw *w, const double *phi)
{
    const double e = SSB_CONST_ECHARGE;
    for (int i = 0; i < w->N; i++)
        w->q[i] = w->dq[i] = 0.0;
    for (int k = 0; k < p->nsites; k++) {
        int i = p->site_plane[k];
        double dp, occ = site_occ(p, w, k, phi[i], &dp);
        double m = p->site_mult ? p->site_mult[k] : 1.0;
        double z = p->species[p->site_species[k]].z;
        double qs = p->site_charge ? p->site_charge[k] : 0.0;
        w->q[i] += e * m * (z * occ + qs);
        w->dq[i] += e * m * z * dp;
    }
    for (int i = 0; i < w->N; i++) {
        double v = p->plane_width[i] * p->area;
        w->rho[i] = w->q[i] / v;
        w->drho[i] = w->dq[i] / v;
    }
}

/* residual F (V/m^2) and reference g; returns the 2-norm of eps*F (C/m^3) */
static double residual(const ssb_se_pb_problem *p, pbw *w, const double *phi, double *F, double *g)
{
    int N = w->N;
    charges(p, w, phi);
    double mean = 0.0;
    if (p->periodic) {
        for (int i = 0; i < N; i++)
            mean += w->om[i] * w->rho[i];
        mean /= w->som;
    }
    double nrm = 0.0;
    for (int i = 0; i < N; i++) {
        double left, right;
        if (p->periodic) {
            left = phi[i == 0 ? N - 1 : i - 1];
            right = phi[i == N - 1 ? 0 : i + 1];
        } else {
            left = i == 0 ? p->phi_lo : phi[i - 1];
            right = i == N - 1 ? p->phi_hi : phi[i + 1];
        }
        F[i] = w->al[i] * left + w->ac[i] * phi[i] + w->ar[i] * right + (w->rho[i] - mean) / w->eps;
        double f = F[i] * w->eps;
        nrm += f * f;
    }
    *g = 0.0;
    if (p->periodic)
        for (int i = 0; i < N; i++)
            *g += w->rw[i] * phi[i];
    return sqrt(nrm);
}

/* Long (about 155 lines) on purpose: one damped Newton iteration of the site-resolved Poisson-Boltzmann problem with
 * its line search, convergence tests and result assembly; the steps share the workspace and iteration state. */
int ssb_se_pb_solve(ssb_ctx *ctx, const ssb_se_pb_problem *p, ssb_se_pb_result *r)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL && r->phi != NULL, SSB_ERR_ARG, "ssb_se_pb_solve: NULL argument");
    SSB_CHECK(ctx, validate(ctx, p));
    int N = p->nplanes, n = p->periodic ? N + 1 : N, rc = SSB_OK;
    double *rhs = NULL;
    pbw w;
    memset(&w, 0, sizeof w);
    w.N = N;
    w.kT = SSB_CONST_BOLTZMANN_EV * p->T;
    w.eps = p->eps_r * SSB_CONST_EPS0;
    double *buf = ssbi_calloc(ctx, (size_t)N * 15, sizeof(double), "PB vectors");
    double *M = ssbi_malloc(ctx, (size_t)n * (size_t)n * sizeof(double), "PB Newton matrix");
    int *ipiv = ssbi_malloc(ctx, (size_t)n * sizeof(int), "PB pivots");
    if (!buf || !M || !ipiv) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    w.al = buf;
    w.ar = buf + N;
    w.ac = buf + 2 * N;
    w.om = buf + 3 * N;
    w.rw = buf + 4 * N;
    w.q = buf + 5 * N;
    w.dq = buf + 6 * N;
    w.rho = buf + 7 * N;
    w.drho = buf + 8 * N;
    double *F = buf + 9 * N, *phi = buf + 10 * N, *trial = buf + 11 * N, *Ft = buf + 12 * N;
    rhs = ssbi_malloc(ctx, (size_t)n * sizeof(double), "PB rhs");
    if (!rhs) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    for (int i = 0; i < N; i++) {
        double hl = i == 0 ? p->h_lo : p->plane_x[i] - p->plane_x[i - 1];
        double hr = i == N - 1 ? p->h_hi : p->plane_x[i + 1] - p->plane_x[i];
        w.al[i] = 2.0 / ((hl + hr) * hl);
        w.ar[i] = 2.0 / ((hl + hr) * hr);
        w.ac[i] = -2.0 / (hl * hr);
        w.om[i] = 0.5 * (hl + hr);
        w.som += w.om[i];
    }
    {
        double sw = 0.0;
        for (int i = 0; i < N; i++) {
            w.rw[i] = p->ref_weight ? p->ref_weight[i] : w.om[i];
            sw += w.rw[i];
        }
        for (int i = 0; i < N; i++)
            w.rw[i] /= sw;
    }
    const double dmax = 10.0 * w.kT; /* largest Newton step per iteration [V] */
    double g, nrm = residual(p, &w, phi, F, &g);
    int it, converged = 0;
    for (it = 0; it < p->max_iter; it++) {
        /* Newton matrix, column-major */
        for (size_t k = 0; k < (size_t)n * (size_t)n; k++)
            M[k] = 0.0;
#define MAT(i, j) M[(size_t)(j) * (size_t)n + (size_t)(i)]
        for (int i = 0; i < N; i++) {
            int il = i - 1, ir = i + 1;
            if (p->periodic) {
                if (il < 0)
                    il = N - 1;
                if (ir >= N)
                    ir = 0;
            }
            if (il >= 0)
                MAT(i, il) += w.al[i];
            if (ir < N)
                MAT(i, ir) += w.ar[i];
            MAT(i, i) += w.ac[i] + w.drho[i] / w.eps;
        }
        if (p->periodic) {
            for (int j = 0; j < N; j++) {
                double c = w.om[j] * w.drho[j] / (w.eps * w.som);
                if (c != 0.0)
                    for (int i = 0; i < N; i++)
                        MAT(i, j) -= c;
            }
            for (int i = 0; i < N; i++) {
                MAT(i, N) = w.om[i];
                MAT(N, i) = w.rw[i];
            }
        }
#undef MAT
        for (int i = 0; i < N; i++)
            rhs[i] = -F[i];
        if (p->periodic)
            rhs[N] = -g;
        int nrhs = 1, info = 0;
        dgesv_(&n, &nrhs, M, &n, ipiv, rhs, &n, &info);
        if (info != 0) {
            rc =
                SSB_ERROR(ctx, SSB_ERR_BACKEND, "PB: LAPACK dgesv failed (info = %d) at Newton iteration %d", info, it);
            goto done;
        }
        double dm = 0.0;
        for (int i = 0; i < N; i++)
            if (fabs(rhs[i]) > dm)
                dm = fabs(rhs[i]);
        double t = dm > dmax ? dmax / dm : 1.0, nt = nrm, gt = g;
        for (int ls = 0; ls < 40; ls++) {
            for (int i = 0; i < N; i++)
                trial[i] = phi[i] + t * rhs[i];
            nt = residual(p, &w, trial, Ft, &gt);
            if (nt <= (1.0 - 1e-4 * t) * nrm || nt == 0.0)
                break;
            t *= 0.5;
        }
        memcpy(phi, trial, (size_t)N * sizeof(double));
        memcpy(F, Ft, (size_t)N * sizeof(double));
        nrm = nt;
        g = gt;
        SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "poisson-boltzmann", it + 1, p->max_iter), done);
        if (t * dm < p->tol) {
            converged = 1;
            it++;
            break;
        }
    }
    /* final charges at the accepted potential */
    residual(p, &w, phi, F, &g);
    double fmax = 0.0;
    for (int i = 0; i < N; i++)
        if (fabs(F[i] * w.eps) > fmax)
            fmax = fabs(F[i] * w.eps);
    r->iterations = it;
    r->residual = fmax;
    if (!converged) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOCONV, "PB: Newton did not converge in %d iterations (residual %g C/m^3)",
                       p->max_iter, fmax);
    }
    r->phi_max = -INFINITY;
    r->phi_min = INFINITY;
    for (int i = 0; i < N; i++) {
        r->phi[i] = phi[i];
        if (r->rho)
            r->rho[i] = w.rho[i];
        if (phi[i] > r->phi_max)
            r->phi_max = phi[i];
        if (phi[i] < r->phi_min)
            r->phi_min = phi[i];
    }
    if (r->site_occ)
        for (int k = 0; k < p->nsites; k++) {
            double dp;
            r->site_occ[k] = site_occ(p, &w, k, phi[p->site_plane[k]], &dp);
        }
done:
    free(rhs);
    free(buf);
    free(M);
    free(ipiv);
    return rc;
}

int ssb_se_pb_resistivity(ssb_ctx *ctx, const ssb_se_pb_problem *p, const ssb_se_pb_result *r, int species,
                          double threshold, int sign, double bulk_lo, double bulk_hi, double *r_perp, double *r_par,
                          double *width)
{
    SSB_REQUIRE(ctx, p && r && r->phi && r_perp && r_par, SSB_ERR_ARG, "ssb_se_pb_resistivity: NULL argument");
    SSB_REQUIRE(ctx, species >= 0 && species < p->nspecies, SSB_ERR_RANGE, "species %d outside [0, %d)", species,
                p->nspecies);
    SSB_REQUIRE(ctx, sign == 1 || sign == -1, SSB_ERR_ARG, "sign = %d, must be +1 or -1", sign);
    SSB_REQUIRE(ctx, isfinite(threshold) && threshold >= 0, SSB_ERR_RANGE, "threshold = %g V, must be >= 0", threshold);
    SSB_REQUIRE(ctx, bulk_lo < bulk_hi, SSB_ERR_RANGE, "bulk region [%g, %g] m is empty", bulk_lo, bulk_hi);
    int N = p->nplanes, rc = SSB_OK;
    double *occ = ssbi_calloc(ctx, (size_t)N, sizeof(double), "PB plane occupation");
    int *idx = ssbi_malloc(ctx, (size_t)N * sizeof(int), "PB sub-grid");
    if (!occ || !idx) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    pbw w;
    memset(&w, 0, sizeof w);
    w.kT = SSB_CONST_BOLTZMANN_EV * p->T;
    int *has = idx; /* reuse: first mark planes, then compact */
    for (int i = 0; i < N; i++)
        has[i] = 0;
    for (int k = 0; k < p->nsites; k++) {
        if (p->site_species[k] != species)
            continue;
        double dp, m = p->site_mult ? p->site_mult[k] : 1.0;
        int i = p->site_plane[k];
        occ[i] += m * site_occ(p, &w, k, r->phi[i], &dp);
        has[i] = 1;
    }
    int ns = 0;
    for (int i = 0; i < N; i++)
        if (has[i])
            idx[ns++] = i;
    if (ns < 3) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "species %d sits on %d planes, need >= 3", species, ns);
        goto done;
    }
    double bsum = 0, bw = 0, sw = 0, sinv = 0, sn = 0, xlo = INFINITY, xhi = -INFINITY;
    for (int k = 0; k < ns; k++) {
        int i = idx[k];
        double wk;
        if (k == 0)
            wk = p->plane_x[idx[1]] - p->plane_x[idx[0]];
        else if (k == ns - 1)
            wk = p->plane_x[idx[ns - 1]] - p->plane_x[idx[ns - 2]];
        else
            wk = 0.5 * (p->plane_x[idx[k + 1]] - p->plane_x[idx[k - 1]]);
        double nk = occ[i] / (wk * p->area);
        double x = p->plane_x[i];
        if (x > bulk_lo && x < bulk_hi) {
            bsum += wk * nk;
            bw += wk;
        }
        if (sign * r->phi[i] > threshold) {
            if (nk <= 0) {
                rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "carrier density on plane %d is zero: r_perp is infinite", i);
                goto done;
            }
            sw += wk;
            sinv += wk / nk;
            sn += wk * nk;
            if (x < xlo)
                xlo = x;
            if (x > xhi)
                xhi = x;
        }
    }
    if (bw == 0 || sw == 0) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOTFOUND, "PB resistivity: %s is empty (threshold %g V, bulk [%g, %g] m)",
                       bw == 0 ? "the bulk region" : "the space-charge region", threshold, bulk_lo, bulk_hi);
        goto done;
    }
    double nb = bsum / bw;
    *r_perp = nb * sinv / sw;
    *r_par = sn / (nb * sw);
    if (width)
        *width = xhi - xlo;
done:
    free(occ);
    free(idx);
    return rc;
}
