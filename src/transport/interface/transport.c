/* Transport front end: argument checks, percolating set, problem set-up in the local frame (transport along z),
 * dispatch to a backend, currents, effective properties and fields. */
#include "transport/transport_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

ssb_transport_params ssb_transport_params_default(void)
{
    ssb_transport_params p;
    memset(&p, 0, sizeof p);
    p.rtol = 1e-8;
    p.flux_tol = 1e-4;
    p.max_iter = 2000;
    snprintf(p.backend, sizeof p.backend, "auto");
    p.nthreads = 0;
    p.want_fields = 0;
    p.error_if_not_converged = 0;
    p.dirichlet = SSB_DIRICHLET_FACE;
    return p;
}

double ssbi_transport_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ssbi_transport_currents(const ssbi_tproblem *p, const double *x, double *i_in, double *i_out)
{
    const int64_t n0 = p->plane_start[1];
    const int64_t hs = p->plane_start[p->n[2] - 1];
    double a = 0.0, b = 0.0;
    for (int64_t i = 0; i < n0; i++) a += p->gd_lo[i] * (1.0 - x[i]);
    for (int64_t i = hs; i < p->nunk; i++) b += p->gd_hi[i - hs] * x[i];
    *i_in = a;
    *i_out = b;
}

double ssbi_transport_mismatch(double i_in, double i_out)
{
    double m = fmax(fabs(i_in), fabs(i_out));
    return m > 0.0 ? fabs(i_in - i_out) / m : 0.0;
}

int ssb_transport_sigma_from_phases(ssb_ctx *ctx, const ssb_grid *g, ssb_carrier carrier, double sigma[256])
{
    SSB_REQUIRE(ctx, g && sigma, SSB_ERR_ARG, "ssb_transport_sigma_from_phases: NULL argument");
    SSB_REQUIRE(ctx, carrier == SSB_CARRIER_ION || carrier == SSB_CARRIER_ELECTRON, SSB_ERR_ARG,
                "carrier %d is invalid (valid: ion or electron)", (int)carrier);
    for (int k = 0; k < 256; k++) sigma[k] = 0.0;
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *ph = ssb_grid_get_phase(g, i);
        sigma[ph->label] = carrier == SSB_CARRIER_ION ? ph->sigma_ion : ph->sigma_el;
    }
    return SSB_OK;
}

void ssb_transport_result_destroy(ssb_transport_result *result)
{
    if (!result) return;
    free(result->potential);
    free(result->current);
    result->potential = NULL;
    result->current = NULL;
}

static int check_params(ssb_ctx *ctx, const ssb_transport_params *p)
{
    SSB_REQUIRE(ctx, isfinite(p->rtol) && p->rtol >= 1e-14 && p->rtol <= 1e-1, SSB_ERR_RANGE,
                "transport rtol = %g is out of range (valid: 1e-14 to 0.1)", p->rtol);
    SSB_REQUIRE(ctx, isfinite(p->flux_tol) && p->flux_tol >= 1e-14 && p->flux_tol <= 1e-1, SSB_ERR_RANGE,
                "transport flux_tol = %g is out of range (valid: 1e-14 to 0.1)", p->flux_tol);
    SSB_REQUIRE(ctx, p->max_iter >= 1 && p->max_iter <= 1000000, SSB_ERR_RANGE,
                "transport max_iter = %lld is out of range (valid: 1 to 1000000)", (long long)p->max_iter);
    SSB_REQUIRE(ctx, p->nthreads >= 0 && p->nthreads <= 4096, SSB_ERR_RANGE,
                "transport nthreads = %d is out of range (valid: 0 to 4096, 0 = default)", p->nthreads);
    SSB_REQUIRE(ctx, p->want_fields == 0 || p->want_fields == 1, SSB_ERR_RANGE,
                "transport want_fields = %d is invalid (valid: 0 or 1)", p->want_fields);
    SSB_REQUIRE(ctx, p->error_if_not_converged == 0 || p->error_if_not_converged == 1, SSB_ERR_RANGE,
                "transport error_if_not_converged = %d is invalid (valid: 0 or 1)", p->error_if_not_converged);
    SSB_REQUIRE(ctx, p->dirichlet == SSB_DIRICHLET_FACE || p->dirichlet == SSB_DIRICHLET_CELL, SSB_ERR_RANGE,
                "transport dirichlet = %d is invalid (valid: face or cell)", (int)p->dirichlet);
    SSB_REQUIRE(ctx, memchr(p->backend, '\0', sizeof p->backend) != NULL, SSB_ERR_ARG,
                "transport backend name is not terminated (at most %d characters)", SSB_TRANSPORT_NAME_MAX - 1);
    return SSB_OK;
}

static double harm(double a, double b) { return (a > 0.0 && b > 0.0) ? 2.0 * a * b / (a + b) : 0.0; }

/* Everything the front end allocates; freed in one place. */
typedef struct {
    uint8_t *mask, *ph;
    int64_t *plane_start;
    double *gface[3], *gd_lo, *gd_hi, *x;
} fe_arrays;

static void fe_free(fe_arrays *a)
{
    free(a->mask);
    free(a->ph);
    free(a->plane_start);
    for (int k = 0; k < 3; k++) free(a->gface[k]);
    free(a->gd_lo);
    free(a->gd_hi);
    free(a->x);
    memset(a, 0, sizeof *a);
}

static void fill_nonpercolating(ssb_transport_result *r)
{
    r->percolates = 0;
    r->sigma_eff = 0.0;
    r->sigma_rel = 0.0;
    r->tau = INFINITY;
    r->tau_percolating = INFINITY;
    r->macmullin = INFINITY;
    r->converged = 1;
    snprintf(r->reason, sizeof r->reason, "no conducting path joins the two Dirichlet planes");
    snprintf(r->backend, sizeof r->backend, "none");
}

int ssb_transport_solve(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                        const ssb_transport_params *params, ssb_transport_result *result)
{
    SSB_REQUIRE(ctx, g && sigma && result, SSB_ERR_ARG, "ssb_transport_solve: NULL argument");
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2, SSB_ERR_ARG, "transport axis %d does not exist (valid: x, y or z)",
                (int)axis);
    memset(result, 0, sizeof *result);
    const ssb_transport_params par = params ? *params : ssb_transport_params_default();
    SSB_CHECK(ctx, check_params(ctx, &par));
    for (int k = 0; k < 256; k++)
        SSB_REQUIRE(ctx, isfinite(sigma[k]) && sigma[k] >= 0.0, SSB_ERR_RANGE,
                    "conductivity of label %d = %g S/m is invalid (must be finite and >= 0)", k, sigma[k]);
    const ssbi_transport_ops *ops = ssbi_transport_find(par.backend);
    if (!ops) {
        if (strcmp(par.backend, "hypre") == 0)
            return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                             "transport backend 'hypre' is not compiled in (available: %s)", "gmg, auto");
        return SSB_ERROR(ctx, SSB_ERR_ARG, "transport backend '%s' is unknown (valid: auto, gmg, hypre)",
                         par.backend);
    }
    const double t0 = ssbi_transport_wtime();
    const int nt = par.nthreads > 0 ? par.nthreads : ssbi_threads(ctx);

    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    const int64_t nv = n[0] * n[1] * n[2];
    const int cell = par.dirichlet == SSB_DIRICHLET_CELL;
    SSB_REQUIRE(ctx, !cell || n[axis] >= 3, SSB_ERR_RANGE,
                "cell-centred Dirichlet needs at least 3 voxel layers along %s (image has %lld)", ssb_axis_name(axis),
                (long long)n[axis]);

    /* volume fractions and bulk conductivity */
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    uint8_t in_set[256];
    int phase_of[256], nph = 0;
    double phsig[256];
    double eps = 0.0, seps = 0.0;
    for (int k = 0; k < 256; k++) {
        in_set[k] = sigma[k] > 0.0;
        phase_of[k] = -1;
        if (in_set[k]) {
            phase_of[k] = nph;
            phsig[nph++] = sigma[k];
            double e = (double)hist[k] / (double)nv;
            eps += e;
            seps += e * sigma[k];
        }
    }
    result->axis = axis;
    result->eps = eps;
    result->sigma_bulk = eps > 0.0 ? seps / eps : 0.0;
    const int p0 = axis == SSB_AXIS_X ? 1 : 0, p1 = axis == SSB_AXIS_Z ? 1 : 2;
    result->length = (double)(cell ? n[axis] - 1 : n[axis]) * h[axis];
    result->area = (double)n[p0] * h[p0] * (double)n[p1] * h[p1];
    snprintf(result->backend, sizeof result->backend, "%s", ops->name);

    fe_arrays a;
    memset(&a, 0, sizeof a);
    int rc = SSB_OK;
    int64_t cnt[4] = {0, 0, 0, 0};
    if (nph > 0) {
        a.mask = ssbi_malloc(ctx, (size_t)nv, "transport through-mask");
        if (!a.mask) return SSB_ERR_NOMEM;
        SSB_CHECK_GOTO(ctx, rc, ssb_grid_through_mask(ctx, g, in_set, axis, SSB_CONN_6, a.mask, cnt), done);
    }
    result->eps_percolating = (double)cnt[3] / (double)nv;
    if (cnt[3] == 0) {
        fill_nonpercolating(result);
        goto done;
    }

    /* local frame: local (x, y, z) = global (p0, p1, axis); in cell mode the first and last layers are fixed */
    const int64_t gs[3] = {1, n[0], n[0] * n[1]};
    const int64_t nl[3] = {n[p0], n[p1], cell ? n[axis] - 2 : n[axis]};
    const int64_t zoff = cell ? 1 : 0;
    const int64_t s0 = gs[p0], s1 = gs[p1], s2 = gs[axis];
    const double hl[3] = {h[p0], h[p1], h[axis]};
    const int64_t npl = nl[0] * nl[1], nvl = npl * nl[2];
    a.ph = ssbi_malloc(ctx, (size_t)nvl, "transport phase map");
    a.plane_start = ssbi_calloc(ctx, (size_t)nl[2] + 1, sizeof(int64_t), "transport plane offsets");
    if (!a.ph || !a.plane_start) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    {
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        const uint8_t *mask = a.mask;
        uint8_t *ph = a.ph;
        int64_t *ps = a.plane_start;
        uint8_t umap[256];
        for (int k = 0; k < 256; k++) umap[k] = phase_of[k] >= 0 ? (uint8_t)(phase_of[k] + 1) : 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
#endif
        for (int64_t z = 0; z < nl[2]; z++) {
            int64_t c = 0;
            uint8_t *row = ph + z * npl;
            const int64_t gz = (z + zoff) * s2;
            for (int64_t y = 0; y < nl[1]; y++) {
                const int64_t gy = gz + y * s1;
                for (int64_t x = 0; x < nl[0]; x++) {
                    const int64_t v = gy + x * s0;
                    uint8_t u = mask[v] == 3 ? umap[lab[v]] : 0;
                    row[x + nl[0] * y] = u;
                    c += u != 0;
                }
            }
            ps[z + 1] = c;
        }
        for (int64_t z = 0; z < nl[2]; z++) ps[z + 1] += ps[z];
    }
    const int64_t nunk = a.plane_start[nl[2]];
    result->n_unknowns = nunk;
    if (nunk == 0) { /* cell mode: a path made only of the fixed layers cannot exist for n >= 3 */
        fill_nonpercolating(result);
        goto done;
    }
    if (nunk > INT32_MAX - 2) {
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "transport: %lld unknowns exceed the limit of %d",
                       (long long)nunk, INT32_MAX - 2);
        goto done;
    }

    /* face conductance tables per local axis (S), with a zero "absent" phase nph */
    for (int k = 0; k < 3; k++) {
        const int ga = k == 0 ? p0 : k == 1 ? p1 : (int)axis;
        const double area = h[(ga + 1) % 3] * h[(ga + 2) % 3];
        a.gface[k] = ssbi_calloc(ctx, (size_t)(nph + 1) * (size_t)(nph + 1), sizeof(double), "conductance table");
        if (!a.gface[k]) {
            rc = SSB_ERR_NOMEM;
            goto done;
        }
        for (int i = 0; i < nph; i++)
            for (int j = 0; j < nph; j++) a.gface[k][i * (nph + 1) + j] = harm(phsig[i], phsig[j]) * area / h[ga];
    }
    /* Dirichlet conductances of the first and last unknown planes */
    {
        const int64_t nlo = a.plane_start[1], hs = a.plane_start[nl[2] - 1], nhi = nunk - hs;
        a.gd_lo = ssbi_malloc(ctx, (size_t)nlo * sizeof(double), "Dirichlet conductances");
        a.gd_hi = ssbi_malloc(ctx, (size_t)nhi * sizeof(double), "Dirichlet conductances");
        if (!a.gd_lo || !a.gd_hi) {
            rc = SSB_ERR_NOMEM;
            goto done;
        }
        const double area = hl[0] * hl[1];
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        for (int side = 0; side < 2; side++) {
            const int64_t z = side == 0 ? 0 : nl[2] - 1;
            double *gd = side == 0 ? a.gd_lo : a.gd_hi;
            int64_t c = 0;
            for (int64_t y = 0; y < nl[1]; y++)
                for (int64_t x = 0; x < nl[0]; x++) {
                    uint8_t u = a.ph[x + nl[0] * (y + nl[1] * z)];
                    if (!u) continue;
                    double s = phsig[u - 1], gdv;
                    if (!cell) {
                        gdv = 2.0 * s * area / hl[2];
                    } else {
                        int64_t gzf = side == 0 ? 0 : n[axis] - 1;
                        int64_t v = x * s0 + y * s1 + gzf * s2;
                        gdv = harm(s, sigma[lab[v]]) * area / hl[2];
                    }
                    gd[c++] = gdv;
                }
        }
    }
    if (!(par.want_fields && cell)) { /* the fixed layers' fields need the mask */
        free(a.mask);
        a.mask = NULL;
    }

    /* initial guess: the linear profile of a uniform block */
    a.x = ssbi_malloc(ctx, (size_t)(nunk + 1) * sizeof(double), "transport solution");
    if (!a.x) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    for (int64_t z = 0; z < nl[2]; z++) {
        double v = cell ? 1.0 - (double)(z + 1) / (double)(n[axis] - 1) : 1.0 - ((double)z + 0.5) / (double)nl[2];
        for (int64_t i = a.plane_start[z]; i < a.plane_start[z + 1]; i++) a.x[i] = v;
    }
    a.x[nunk] = 0.0;

    char stage[32];
    snprintf(stage, sizeof stage, "transport %s", ssb_axis_name(axis));
    ssbi_tproblem prob = {.n = {nl[0], nl[1], nl[2]},
                          .h = {hl[0], hl[1], hl[2]},
                          .ph = a.ph,
                          .nph = nph,
                          .gface = {a.gface[0], a.gface[1], a.gface[2]},
                          .nunk = nunk,
                          .plane_start = a.plane_start,
                          .gd_lo = a.gd_lo,
                          .gd_hi = a.gd_hi,
                          .stage = stage};
    ssbi_tsolution sol;
    memset(&sol, 0, sizeof sol);
    sol.x = a.x;
    SSB_CHECK_GOTO(ctx, rc, ops->solve(ctx, &prob, &par, nt, &sol), done);

    double iin, iout;
    ssbi_transport_currents(&prob, a.x, &iin, &iout);
    result->percolates = 1;
    result->current_in = iin;
    result->current_out = iout;
    result->flux_mismatch = ssbi_transport_mismatch(iin, iout);
    result->sigma_eff = iin * result->length / result->area;
    result->sigma_rel = result->sigma_bulk > 0 ? result->sigma_eff / result->sigma_bulk : 0.0;
    result->tau = result->sigma_eff > 0 ? eps * result->sigma_bulk / result->sigma_eff : INFINITY;
    result->tau_percolating =
        result->sigma_eff > 0 ? result->eps_percolating * result->sigma_bulk / result->sigma_eff : INFINITY;
    result->macmullin = result->sigma_eff > 0 ? result->sigma_bulk / result->sigma_eff : INFINITY;
    result->iterations = sol.iterations;
    result->rel_residual = sol.rel_residual;
    result->converged = sol.converged;
    result->setup_time_s = sol.setup_time_s;
    snprintf(result->reason, sizeof result->reason, "%s", sol.reason);
    {
        int64_t fe = (int64_t)nvl + 8 * nunk + 8 * (nl[2] + 1) + 8 * (a.plane_start[1] + nunk - a.plane_start[nl[2] - 1]);
        int64_t p = fe + sol.peak_bytes;
        result->peak_bytes = p > 2 * nv ? p : 2 * nv;
    }

    if (par.want_fields) {
        result->potential = ssbi_calloc(ctx, (size_t)nv, sizeof(double), "potential field");
        result->current = ssbi_calloc(ctx, (size_t)nv, sizeof(double), "current field");
        if (!result->potential || !result->current) {
            ssb_transport_result_destroy(result);
            rc = SSB_ERR_NOMEM;
            goto done;
        }
        const double area = hl[0] * hl[1];
        const double *gz = a.gface[2];
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        double *pot = result->potential, *cur = result->current;
        const uint8_t *ph = a.ph;
        const int64_t *ps = a.plane_start;
        const double *x = a.x;
        const int64_t stride = nph + 1;
        const int64_t nz = nl[2];
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(nt)
#endif
        for (int64_t z = 0; z < nz; z++) {
            int64_t i = ps[z];
            int64_t ib = z > 0 ? ps[z - 1] : 0, ia = z + 1 < nz ? ps[z + 1] : 0;
            int64_t ilo = 0, ihi = 0;
            for (int64_t y = 0; y < nl[1]; y++)
                for (int64_t x0 = 0; x0 < nl[0]; x0++) {
                    const int64_t l = x0 + nl[0] * y;
                    const uint8_t u = ph[l + z * npl];
                    const uint8_t ub = z > 0 ? ph[l + (z - 1) * npl] : 0;
                    const uint8_t ua = z + 1 < nz ? ph[l + (z + 1) * npl] : 0;
                    if (u) {
                        const int64_t v = x0 * s0 + y * s1 + (z + zoff) * s2;
                        double xi = x[i], fb, fa;
                        if (z == 0) fb = a.gd_lo[ilo++] * (1.0 - xi);
                        else fb = ub ? gz[(u - 1) * stride + (ub - 1)] * (x[ib] - xi) : 0.0;
                        if (z == nz - 1) fa = a.gd_hi[ihi++] * xi;
                        else fa = ua ? gz[(u - 1) * stride + (ua - 1)] * (xi - x[ia]) : 0.0;
                        pot[v] = xi;
                        cur[v] = 0.5 * (fb + fa) / area;
                        i++;
                    }
                    if (ub) ib++;
                    if (ua) ia++;
                }
        }
        if (cell) { /* the fixed layers: potential 1 V / 0 V on their percolating voxels; their current is the
                     * current through the face to the adjacent unknown */
            for (int side = 0; side < 2; side++) {
                const int64_t gzf = side == 0 ? 0 : n[axis] - 1, zl = side == 0 ? 0 : nz - 1;
                for (int64_t y = 0; y < nl[1]; y++)
                    for (int64_t x0 = 0; x0 < nl[0]; x0++) {
                        const int64_t v = x0 * s0 + y * s1 + gzf * s2, w = x0 * s0 + y * s1 + (zl + zoff) * s2;
                        if (a.mask[v] != 3) continue;
                        pot[v] = side == 0 ? 1.0 : 0.0;
                        if (ph[x0 + nl[0] * (y + nl[1] * zl)]) {
                            const double gvw = harm(sigma[lab[v]], sigma[lab[w]]) * area / hl[2];
                            cur[v] = gvw * (side == 0 ? 1.0 - pot[w] : pot[w]) / area;
                        }
                    }
            }
        }
    }

    if (!result->converged && par.error_if_not_converged) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOCONV,
                       "transport %s (%s): not converged after %lld iterations: relative residual %.3g (rtol %g), "
                       "flux mismatch %.3g (flux_tol %g): %s",
                       ssb_axis_name(axis), result->backend, (long long)result->iterations, result->rel_residual,
                       par.rtol, result->flux_mismatch, par.flux_tol, result->reason);
    }

done:
    fe_free(&a);
    result->time_s = ssbi_transport_wtime() - t0;
    if (rc != SSB_OK && rc != SSB_ERR_NOCONV) ssb_transport_result_destroy(result);
    return rc;
}
