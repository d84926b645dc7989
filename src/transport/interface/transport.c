/* Transport front end: argument checks, the transport object (per axis: percolating set and problem set-up in the
 * local frame with transport along z, kept for later solves), dispatch to a backend, currents, effective properties
 * and fields; ssb_transport_solve is the one-shot driver (create, compute, destroy).
 * The shared path (ssb_transport_setup_all): a backend numbers the unknowns plane by plane along the transport axis,
 * so each axis in its own frame needs its own set-up (gmg: 2.2-2.5 s of the ~8 s per axis of the 500^3 cathode).
 * Where the percolating set is the same along x, y and z (every component joins both faces along all three axes or
 * along none: the usual case of a well-connected phase), face Dirichlet, no fields asked for at create and a backend
 * that can put its Dirichlet faces across the planes (ssbi_transport_ops.across: gmg with the stored level 0), the
 * three axes are solved in axis z's frame (the grid's own) on one set-up built by the first axis computed: x and y
 * with the Dirichlet faces normal to local x / y (ssbi_tproblem.across), their solutions in axis z's numbering, their
 * fields formed in that frame (fill_fields_shared). Elsewhere (sets that differ, cell Dirichlet, fields, the lean
 * level 0, hypre, a single-axis ssb_transport_setup) each axis keeps its own frame and set-up, as before. The shared
 * set-up lives until every axis that shares it was released (ssb_transport_release) or the object is destroyed:
 * one hierarchy at a time, whatever the order of computes and releases. */
#include "transport/transport_impl.h"

#include <ssbnet/ssb_micro_analysis.h>

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
    p.lean = -1;
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
    const int64_t *idx;
    int64_t first;
    double a = 0.0, b = 0.0;
    int64_t nd = ssbi_tproblem_dir(p, 0, &idx, &first);
    for (int64_t k = 0; k < nd; k++) a += p->gd_lo[k] * (1.0 - x[idx ? idx[k] : first + k]);
    nd = ssbi_tproblem_dir(p, 1, &idx, &first);
    for (int64_t k = 0; k < nd; k++) b += p->gd_hi[k] * x[idx ? idx[k] : first + k];
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
    SSB_REQUIRE(ctx, p->lean >= -1 && p->lean <= 2, SSB_ERR_RANGE,
                "transport lean = %d is invalid (valid: -1 = auto, 0 = stored, 1 = lean, 2 = compact)", p->lean);
    SSB_REQUIRE(ctx, memchr(p->backend, '\0', sizeof p->backend) != NULL, SSB_ERR_ARG,
                "transport backend name is not terminated (at most %d characters)", SSB_TRANSPORT_NAME_MAX - 1);
    return SSB_OK;
}


static void fill_nonpercolating(ssb_transport_result *r)
{
    r->percolates = 0;
    r->sigma_eff = 0.0;
    r->sigma_rel = 0.0;
    r->tau = INFINITY;
    r->tau_percolating = INFINITY;
    r->macmullin = INFINITY;
    r->tau_rel_error_est = 0.0; /* exact */
    r->converged = 1;
    snprintf(r->reason, sizeof r->reason, "no conducting path joins the two Dirichlet planes");
    snprintf(r->backend, sizeof r->backend, "none");
}

/* ---- the transport object: per axis, the geometry of one conducting set (setup) and the last solution ---- */

typedef struct {
    int ready;              /* geometry built for the object's conducting set */
    uint8_t *mask;          /* through-mask of the whole grid (kept in cell mode only, for the fixed layers) */
    uint8_t *ph;            /* local phase map (transport along local z), 0 = not an unknown */
    int64_t *plane_start;   /* nl[2] + 1 */
    int64_t nl[3];          /* local dims */
    int64_t nunk;           /* unknowns */
    int64_t npercolating;   /* voxels connected to both planes (counts[3] of the through-mask) */
    double *x;              /* last solution (nunk + 1), NULL before the first solve */
    double est;             /* its tau_rel_error_est (NaN: none) */
    double sigma[256];      /* conductivities of the last solution */
    void *bstate;           /* the backend's set-up kept between computes (gmg: the multigrid hierarchy) */
    void (*bdestroy)(void *);
    double bsigma[256];     /* conductivities the kept set-up was built with */
    int shared;             /* x or y solved in axis z's frame (the shared path): no ph / plane_start of its own, x in
                             * axis z's numbering */
} tr_axis;

struct ssb_transport {
    ssb_ctx *ctx;
    const ssb_grid *g;      /* borrowed */
    ssb_transport_params par;
    const ssbi_transport_ops *ops;
    int nt;
    int64_t n[3];
    double h[3];
    int64_t hist[256];
    int have_set;           /* in_set / phase_of below are valid */
    uint8_t in_set[256];    /* conducting set of the cached geometry (labels with sigma > 0) */
    int phase_of[256];      /* label -> conducting phase index (ascending labels), -1 outside the set */
    int nph;
    tr_axis ax[3];
    /* The shared path (ssb_transport_setup_all, when the percolating set is the same along x, y and z and the
     * backend can move its Dirichlet faces, see ssbi_transport_ops.across): the three axes are solved in axis z's
     * frame on one backend set-up, built by the first axis computed. Axis z's numbering is the grid's own;
     * x and y take the Dirichlet faces normal to local x / y (ssbi_tproblem.across). sref[a]: axis a has not
     * been released since the set-up was built; the set-up is freed when no axis holds it (or at destroy). */
    int share;
    void *sstate;
    void (*sdestroy)(void *);
    double ssigma[256];     /* conductivities sstate was built with */
    uint8_t sref[3];
};

static void shared_free(ssb_transport *t)
{
    if (t->sstate && t->sdestroy) t->sdestroy(t->sstate);
    t->sstate = NULL;
    memset(t->sref, 0, sizeof t->sref);
}

static void axis_free(tr_axis *A)
{
    if (A->bstate && A->bdestroy) A->bdestroy(A->bstate);
    free(A->mask);
    free(A->ph);
    free(A->plane_start);
    free(A->x);
    memset(A, 0, sizeof *A);
}

void ssb_transport_destroy(ssb_transport **t)
{
    if (!t || !*t) return;
    for (int a = 0; a < 3; a++) axis_free(&(*t)->ax[a]);
    shared_free(*t);
    free(*t);
    *t = NULL;
}

int ssb_transport_create(ssb_ctx *ctx, const ssb_grid *g, const ssb_transport_params *params, ssb_transport **t)
{
    SSB_REQUIRE(ctx, g && t, SSB_ERR_ARG, "ssb_transport_create: NULL argument");
    *t = NULL;
    const ssb_transport_params par = params ? *params : ssb_transport_params_default();
    SSB_CHECK(ctx, check_params(ctx, &par));
    const ssbi_transport_ops *ops = ssbi_transport_find(par.backend);
    if (!ops) {
        if (strcmp(par.backend, "hypre") == 0)
            return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                             "transport backend 'hypre' is not compiled in (available: %s)", "gmg, auto");
        return SSB_ERROR(ctx, SSB_ERR_ARG, "transport backend '%s' is unknown (valid: auto, gmg, hypre)",
                         par.backend);
    }
    ssb_transport *o = ssbi_calloc(ctx, 1, sizeof *o, "transport object");
    if (!o) return SSB_ERR_NOMEM;
    o->ctx = ctx;
    o->g = g;
    o->par = par;
    o->ops = ops;
    o->nt = par.nthreads > 0 ? par.nthreads : ssbi_threads(ctx);
    ssb_grid_get_dims(g, o->n);
    ssb_grid_get_voxel_size(g, o->h);
    ssb_grid_histogram(g, o->hist);
    *t = o;
    return SSB_OK;
}

static int check_sigma(ssb_ctx *ctx, const double sigma[256])
{
    SSB_REQUIRE(ctx, sigma, SSB_ERR_ARG, "transport: NULL conductivity table");
    for (int k = 0; k < 256; k++)
        SSB_REQUIRE(ctx, isfinite(sigma[k]) && sigma[k] >= 0.0, SSB_ERR_RANGE,
                    "conductivity of label %d = %g S/m is invalid (must be finite and >= 0)", k, sigma[k]);
    return SSB_OK;
}

/* Adopt the conducting set of sigma; a different set drops the geometry of every axis. */
static void adopt_set(ssb_transport *t, const double sigma[256])
{
    uint8_t in_set[256];
    for (int k = 0; k < 256; k++) in_set[k] = sigma[k] > 0.0;
    if (t->have_set && memcmp(in_set, t->in_set, sizeof in_set) == 0) return;
    for (int a = 0; a < 3; a++) axis_free(&t->ax[a]);
    shared_free(t);
    t->share = 0;
    memcpy(t->in_set, in_set, sizeof in_set);
    t->nph = 0;
    for (int k = 0; k < 256; k++) t->phase_of[k] = in_set[k] ? t->nph++ : -1;
    t->have_set = 1;
}

/* Local frame of axis: local (x, y, z) = global (p0, p1, axis). */
static void local_axes(ssb_axis axis, int *p0, int *p1)
{
    *p0 = axis == SSB_AXIS_X ? 1 : 0;
    *p1 = axis == SSB_AXIS_Z ? 1 : 2;
}

/* A voxel connected to both planes normal to the axis: mask[v] == 3 where a through-mask is given, else (mask NULL)
 * from the connected components (ids, and per component the faces it touches: flags bits sh, sh + 1). */
static inline int through_voxel(const uint8_t *mask, const int32_t *ids, const uint8_t *flags, int sh, int64_t v)
{
    if (mask) return mask[v] == 3;
    const int32_t id = ids[v];
    return id >= 0 && ((flags[id] >> sh) & 3u) == 3u;
}

/* The geometry of one axis from its through-mask (mask[v] == 3: connected to both planes; npercolating such
 * voxels) or, mask NULL, from the connected components (ids, flags; see through_voxel): the local phase map and the
 * plane offsets of the unknowns (in cell mode the first and last layers are fixed, not unknowns). Takes ownership
 * of mask. */
static int axis_from_mask(ssb_transport *t, ssb_axis axis, uint8_t *mask, const int32_t *ids, const uint8_t *flags,
                          int64_t npercolating)
{
    ssb_ctx *ctx = t->ctx;
    tr_axis *A = &t->ax[axis];
    axis_free(A);
    const int64_t *n = t->n;
    const int cell = t->par.dirichlet == SSB_DIRICHLET_CELL;
    A->npercolating = npercolating;
    int p0, p1;
    local_axes(axis, &p0, &p1);
    A->nl[0] = n[p0];
    A->nl[1] = n[p1];
    A->nl[2] = cell ? n[axis] - 2 : n[axis];
    if (npercolating > 0) {
        const int64_t gs[3] = {1, n[0], n[0] * n[1]};
        const int64_t zoff = cell ? 1 : 0, s0 = gs[p0], s1 = gs[p1], s2 = gs[axis];
        const int64_t *nl = A->nl, npl = nl[0] * nl[1], nvl = npl * nl[2];
        A->ph = ssbi_malloc(ctx, (size_t)nvl, "transport phase map");
        A->plane_start = ssbi_calloc(ctx, (size_t)nl[2] + 1, sizeof(int64_t), "transport plane offsets");
        if (!A->ph || !A->plane_start) {
            free(mask);
            axis_free(A);
            return SSB_ERR_NOMEM;
        }
        const uint8_t *lab = ssb_grid_get_labels_const(t->g);
        uint8_t *ph = A->ph;
        int64_t *ps = A->plane_start;
        uint8_t umap[256];
        for (int k = 0; k < 256; k++) umap[k] = t->phase_of[k] >= 0 ? (uint8_t)(t->phase_of[k] + 1) : 0;
        const int sh = 2 * (int)axis;
        if (s2 == 1 && nl[2] > 1) {
            /* along x the image's rows become the local z: the plain loop below would read one byte per cache
             * line (stride n[0]); tiles of AX_TILE local planes read each line once, then the planes are counted */
            enum { AX_TILE = 64 };
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(t->nt)
#endif
            for (int64_t y = 0; y < nl[1]; y++)
                for (int64_t z0 = 0; z0 < nl[2]; z0 += AX_TILE) {
                    const int64_t z1 = z0 + AX_TILE < nl[2] ? z0 + AX_TILE : nl[2];
                    for (int64_t x = 0; x < nl[0]; x++) {
                        const int64_t gb = x * s0 + y * s1 + zoff;
                        uint8_t *out = ph + x + nl[0] * y;
                        for (int64_t z = z0; z < z1; z++)
                            out[npl * z] = through_voxel(mask, ids, flags, sh, gb + z) ? umap[lab[gb + z]] : 0;
                    }
                }
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(t->nt)
#endif
            for (int64_t z = 0; z < nl[2]; z++) {
                int64_t c = 0;
                const uint8_t *row = ph + z * npl;
                for (int64_t k = 0; k < npl; k++) c += row[k] != 0;
                ps[z + 1] = c;
            }
        } else {
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(t->nt)
#endif
            for (int64_t z = 0; z < nl[2]; z++) {
                int64_t c = 0;
                uint8_t *row = ph + z * npl;
                const int64_t gz = (z + zoff) * s2;
                for (int64_t y = 0; y < nl[1]; y++) {
                    const int64_t gy = gz + y * s1;
                    for (int64_t x = 0; x < nl[0]; x++) {
                        const int64_t v = gy + x * s0;
                        uint8_t u = through_voxel(mask, ids, flags, sh, v) ? umap[lab[v]] : 0;
                        row[x + nl[0] * y] = u;
                        c += u != 0;
                    }
                }
                ps[z + 1] = c;
            }
        }
        for (int64_t z = 0; z < nl[2]; z++) ps[z + 1] += ps[z];
        A->nunk = ps[nl[2]];
    }
    if (cell && t->par.want_fields) {
        A->mask = mask; /* the fixed layers' fields need it */
        mask = NULL;
    }
    free(mask);
    A->ready = 1;
    return SSB_OK;
}

/* The geometry of one axis for the object's conducting set (two flood fills of ssb_grid_through_mask). */
static int axis_setup(ssb_transport *t, ssb_axis axis)
{
    ssb_ctx *ctx = t->ctx;
    if (t->ax[axis].ready) return SSB_OK;
    const int64_t nv = t->n[0] * t->n[1] * t->n[2];
    int64_t cnt[4] = {0, 0, 0, 0};
    uint8_t *mask = NULL;
    if (t->nph > 0) {
        mask = ssbi_malloc(ctx, (size_t)nv, "transport through-mask");
        if (!mask) return SSB_ERR_NOMEM;
        int rc = ssb_grid_through_mask(ctx, t->g, t->in_set, axis, SSB_CONN_6, mask, cnt);
        if (rc != SSB_OK) {
            free(mask);
            return rc;
        }
    }
    return axis_from_mask(t, axis, mask, NULL, NULL, cnt[3]);
}

/* The geometry of the three axes from one connected-component labelling of the conducting set (a voxel is
 * connected to a face when its component touches that face; the same sets as ssb_grid_through_mask's flood fills).
 * Extra memory during the call: 4 bytes per voxel for the component ids. */
static int axes_setup_all(ssb_transport *t)
{
    ssb_ctx *ctx = t->ctx;
    if (t->ax[0].ready && t->ax[1].ready && t->ax[2].ready) return SSB_OK;
    if (t->nph == 0) {
        for (int a = 0; a < 3; a++) SSB_CHECK(ctx, axis_from_mask(t, (ssb_axis)a, NULL, NULL, NULL, 0));
        return SSB_OK;
    }
    const int64_t *n = t->n, nv = n[0] * n[1] * n[2];
    ssb_micro_components comp;
    SSB_CHECK(ctx, ssb_micro_components_compute(ctx, t->g, t->in_set, SSB_CONN_6, NULL, &comp));
    int rc = SSB_OK;
    uint8_t *flags = ssbi_calloc(ctx, (size_t)comp.ncomponents + 1, 1, "component face flags");
    if (!flags) {
        ssb_micro_components_destroy(&comp);
        return SSB_ERR_NOMEM;
    }
    const int64_t st[3] = {1, n[0], n[0] * n[1]};
    for (int a = 0; a < 3; a++) { /* bit 2a: touches the face at index 0 along a; bit 2a + 1: the face at n - 1 */
        const int a1 = (a + 1) % 3, a2 = (a + 2) % 3;
        for (int side = 0; side < 2; side++) {
            const int64_t base = side == 0 ? 0 : (n[a] - 1) * st[a];
            for (int64_t j = 0; j < n[a2]; j++)
                for (int64_t i = 0; i < n[a1]; i++) {
                    const int32_t id = comp.ids[base + i * st[a1] + j * st[a2]];
                    if (id >= 0) flags[id] |= (uint8_t)(1u << (2 * a + side));
                }
        }
    }
    /* the phase maps straight from the components (the through-mask of a voxel array is built only where the
     * object keeps it: cell-mode fields) */
    const int keep_mask = t->par.dirichlet == SSB_DIRICHLET_CELL && t->par.want_fields;
    /* the shared path: the same percolating set along the three axes (every component joins both faces along
     * x, y and z or along none), face Dirichlet, no fields asked for at create (their solves stop by the residual
     * rule; they take the per-axis path), a backend that can move its Dirichlet faces at this size */
    int64_t c3z = 0;
    int same = 1;
    for (int64_t id = 0; id < comp.ncomponents; id++) {
        const unsigned f = flags[id];
        const int tx = (f & 3u) == 3u, ty = ((f >> 2) & 3u) == 3u, tz = ((f >> 4) & 3u) == 3u;
        if (tx != ty || ty != tz) same = 0;
        if (tz) c3z += comp.sizes[id];
    }
    t->share = same && c3z > 0 && t->par.dirichlet == SSB_DIRICHLET_FACE && !t->par.want_fields &&
               t->ops->across && t->ops->across(&t->par, c3z, t->n[0]);
    if (t->share && t->ax[2].bstate) { /* axis z takes the shared set-up from now on */
        t->ax[2].bdestroy(t->ax[2].bstate);
        t->ax[2].bstate = NULL;
    }
    for (int a = 0; a < 3 && rc == SSB_OK; a++) {
        if (t->ax[a].ready) continue;
        int64_t c3 = 0;
        for (int64_t id = 0; id < comp.ncomponents; id++)
            if (((flags[id] >> (2 * a)) & 3u) == 3u) c3 += comp.sizes[id];
        if (t->share && a < 2) { /* solved in axis z's frame: no phase map of its own */
            tr_axis *A = &t->ax[a];
            axis_free(A);
            A->npercolating = c3;
            A->nunk = c3;
            memcpy(A->nl, n, sizeof A->nl);
            A->shared = 1;
            A->ready = 1;
            continue;
        }
        if (!keep_mask) {
            rc = axis_from_mask(t, (ssb_axis)a, NULL, comp.ids, flags, c3);
            continue;
        }
        uint8_t *mask = ssbi_malloc(ctx, (size_t)nv, "transport through-mask");
        if (!mask) {
            rc = SSB_ERR_NOMEM;
            break;
        }
        const int32_t *ids = comp.ids;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(t->nt)
#endif
        for (int64_t v = 0; v < nv; v++) {
            const int32_t id = ids[v];
            mask[v] = id >= 0 ? (uint8_t)((flags[id] >> (2 * a)) & 3u) : 0;
        }
        rc = axis_from_mask(t, (ssb_axis)a, mask, NULL, NULL, c3);
    }
    free(flags);
    ssb_micro_components_destroy(&comp);
    return rc;
}

int ssb_transport_setup_all(ssb_transport *t, const double sigma[256])
{
    SSB_REQUIRE(t ? t->ctx : NULL, t, SSB_ERR_ARG, "ssb_transport_setup_all: NULL transport object");
    SSB_CHECK(t->ctx, check_sigma(t->ctx, sigma));
    adopt_set(t, sigma);
    return axes_setup_all(t);
}

int ssb_transport_setup(ssb_transport *t, const double sigma[256], ssb_axis axis)
{
    SSB_REQUIRE(t ? t->ctx : NULL, t, SSB_ERR_ARG, "ssb_transport_setup: NULL transport object");
    ssb_ctx *ctx = t->ctx;
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2, SSB_ERR_ARG, "transport axis %d does not exist (valid: x, y or z)",
                (int)axis);
    SSB_CHECK(ctx, check_sigma(ctx, sigma));
    adopt_set(t, sigma);
    return axis_setup(t, axis);
}

/* Conductance data of one solve: phase conductivities, face tables per local axis and Dirichlet conductances. */
typedef struct {
    double phsig[256];
    double *gface[3], *gd_lo, *gd_hi;
    int64_t *d_lo, *d_hi, nd_lo, nd_hi; /* the shared path, axes x / y: the Dirichlet unknowns (values_across) */
} tr_values;

static void values_free(tr_values *v)
{
    for (int k = 0; k < 3; k++) free(v->gface[k]);
    free(v->gd_lo);
    free(v->gd_hi);
    free(v->d_lo);
    free(v->d_hi);
    memset(v, 0, sizeof *v);
}

static int values_build(ssb_transport *t, const double sigma[256], ssb_axis axis, tr_values *V)
{
    ssb_ctx *ctx = t->ctx;
    const tr_axis *A = &t->ax[axis];
    const int64_t *n = t->n, *nl = A->nl;
    const double *h = t->h;
    const int cell = t->par.dirichlet == SSB_DIRICHLET_CELL, nph = t->nph;
    memset(V, 0, sizeof *V);
    for (int k = 0; k < 256; k++)
        if (t->phase_of[k] >= 0) V->phsig[t->phase_of[k]] = sigma[k];
    int p0, p1;
    local_axes(axis, &p0, &p1);
    const double hl[3] = {h[p0], h[p1], h[axis]};
    /* face conductance tables per local axis (S), with a zero "absent" phase nph */
    for (int k = 0; k < 3; k++) {
        const int ga = k == 0 ? p0 : k == 1 ? p1 : (int)axis;
        const double area = h[(ga + 1) % 3] * h[(ga + 2) % 3];
        V->gface[k] = ssbi_calloc(ctx, (size_t)(nph + 1) * (size_t)(nph + 1), sizeof(double), "conductance table");
        if (!V->gface[k]) goto nomem;
        for (int i = 0; i < nph; i++)
            for (int j = 0; j < nph; j++)
                V->gface[k][i * (nph + 1) + j] = ssbi_harm(V->phsig[i], V->phsig[j]) * area / h[ga];
    }
    /* Dirichlet conductances of the first and last unknown planes */
    const int64_t nlo = A->plane_start[1], hs = A->plane_start[nl[2] - 1], nhi = A->nunk - hs;
    V->gd_lo = ssbi_malloc(ctx, (size_t)nlo * sizeof(double), "Dirichlet conductances");
    V->gd_hi = ssbi_malloc(ctx, (size_t)nhi * sizeof(double), "Dirichlet conductances");
    if (!V->gd_lo || !V->gd_hi) goto nomem;
    const int64_t gs[3] = {1, n[0], n[0] * n[1]};
    const int64_t s0 = gs[p0], s1 = gs[p1], s2 = gs[axis];
    const double area = hl[0] * hl[1];
    const uint8_t *lab = ssb_grid_get_labels_const(t->g);
    for (int side = 0; side < 2; side++) {
        const int64_t z = side == 0 ? 0 : nl[2] - 1;
        double *gd = side == 0 ? V->gd_lo : V->gd_hi;
        int64_t c = 0;
        for (int64_t y = 0; y < nl[1]; y++)
            for (int64_t x = 0; x < nl[0]; x++) {
                uint8_t u = A->ph[x + nl[0] * (y + nl[1] * z)];
                if (!u) continue;
                double s = V->phsig[u - 1], gdv;
                if (!cell) {
                    gdv = 2.0 * s * area / hl[2];
                } else {
                    int64_t gzf = side == 0 ? 0 : n[axis] - 1;
                    int64_t v = x * s0 + y * s1 + gzf * s2;
                    gdv = ssbi_harm(s, sigma[lab[v]]) * area / hl[2];
                }
                gd[c++] = gdv;
            }
    }
    return SSB_OK;
nomem:
    values_free(V);
    return SSB_ERR_NOMEM;
}

/* Unknowns of a row of the phase map (without branches: the map is random). */
static inline int64_t row_unknowns(const uint8_t *row, int64_t nx)
{
    int64_t c = 0;
    for (int64_t x = 0; x < nx; x++) c += row[x] != 0;
    return c;
}

/* The unknowns of plane z of axis z's phase map G on the inlet / outlet face normal to axis (x or y), ascending:
 * counted into c[side], and (fill) stored from c[side] on into V's lists with the conductance g2 sigma. Only the
 * rows' counts are read, except in the face rows themselves. */
static void face_plane(const tr_axis *G, const int64_t n[3], ssb_axis axis, int64_t z, int fill, int64_t c[2],
                       tr_values *V, double g2)
{
    const uint8_t *ph = G->ph + z * n[0] * n[1];
    int64_t il = G->plane_start[z];
    for (int64_t y = 0; y < n[1]; y++) {
        const uint8_t *row = ph + y * n[0];
        const int64_t rc = row_unknowns(row, n[0]);
        for (int side = 0; side < 2; side++) {
            int64_t k = 0, x0 = 0, x1 = n[0]; /* the face's positions in this row, the first unknown's index */
            if (axis == SSB_AXIS_X) {
                x0 = side ? n[0] - 1 : 0;
                x1 = x0 + 1;
                k = side ? rc - 1 : 0;
            } else if (y != (side ? n[1] - 1 : 0)) {
                continue;
            }
            for (int64_t x = x0; x < x1; x++) {
                if (!row[x]) continue;
                if (fill) {
                    (side ? V->d_hi : V->d_lo)[c[side]] = il + k;
                    (side ? V->gd_hi : V->gd_lo)[c[side]] = g2 * V->phsig[row[x] - 1];
                }
                c[side]++;
                k++;
            }
        }
        il += rc;
    }
}

/* The shared path: conductances of axis x or y in axis z's frame (the grid's own): the face tables of axis z and
 * the Dirichlet unknowns on the faces normal to the axis (face Dirichlet: 2 sigma area / h, as values_build), in
 * ascending unknown order. */
static int values_across(ssb_transport *t, const double sigma[256], ssb_axis axis, tr_values *V)
{
    ssb_ctx *ctx = t->ctx;
    SSB_CHECK(ctx, values_build(t, sigma, SSB_AXIS_Z, V));
    free(V->gd_lo);
    free(V->gd_hi);
    V->gd_lo = V->gd_hi = NULL;
    const tr_axis *G = &t->ax[SSB_AXIS_Z];
    const int64_t *n = t->n, nz = n[2];
    const double *h = t->h;
    const double g2 = 2.0 * h[(axis + 1) % 3] * h[(axis + 2) % 3] / h[axis];
    /* the faces' unknowns per plane: rows (y) of each plane for the x faces, the first / last row for the y faces */
    int64_t *cnt = ssbi_calloc(ctx, (size_t)(2 * nz + 2), sizeof(int64_t), "Dirichlet counts");
    if (!cnt) {
        values_free(V);
        return SSB_ERR_NOMEM;
    }
    for (int pass = 0; pass < 2; pass++) {
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(t->nt)
#endif
        for (int64_t z = 0; z < nz; z++) {
            int64_t c[2] = {pass ? cnt[2 * z] : 0, pass ? cnt[2 * z + 1] : 0};
            face_plane(G, n, axis, z, pass, c, V, g2);
            if (!pass) {
                cnt[2 * z] = c[0];
                cnt[2 * z + 1] = c[1];
            }
        }
        if (pass) break;
        int64_t o[2] = {0, 0}; /* counts -> offsets */
        for (int64_t z = 0; z < nz; z++)
            for (int side = 0; side < 2; side++) {
                const int64_t k = cnt[2 * z + side];
                cnt[2 * z + side] = o[side];
                o[side] += k;
            }
        V->nd_lo = o[0];
        V->nd_hi = o[1];
        V->d_lo = ssbi_malloc(ctx, (size_t)(o[0] + 1) * sizeof(int64_t), "Dirichlet unknowns");
        V->d_hi = ssbi_malloc(ctx, (size_t)(o[1] + 1) * sizeof(int64_t), "Dirichlet unknowns");
        V->gd_lo = ssbi_malloc(ctx, (size_t)(o[0] + 1) * sizeof(double), "Dirichlet conductances");
        V->gd_hi = ssbi_malloc(ctx, (size_t)(o[1] + 1) * sizeof(double), "Dirichlet conductances");
        if (!V->d_lo || !V->d_hi || !V->gd_lo || !V->gd_hi) {
            free(cnt);
            values_free(V);
            return SSB_ERR_NOMEM;
        }
    }
    free(cnt);
    return SSB_OK;
}

/* The shared path: potential and current density along axis (x or y) at voxel centres from the solution x in axis
 * z's numbering (the formulas of fill_fields; the neighbours' potentials are read from pot, filled first). */
static void fill_fields_shared(const ssb_transport *t, ssb_axis axis, const tr_values *V, const double *x,
                               double *pot, double *cur)
{
    const tr_axis *G = &t->ax[SSB_AXIS_Z];
    const int64_t *n = t->n, nz = n[2], npl = n[0] * n[1], na = n[axis], str = axis == SSB_AXIS_X ? 1 : n[0];
    const double *h = t->h;
    const double area = h[(axis + 1) % 3] * h[(axis + 2) % 3], g2 = 2.0 * area / h[axis];
    const double *ga = V->gface[axis];
    const int64_t stride = t->nph + 1;
    const uint8_t *ph = G->ph;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(t->nt)
#endif
    for (int64_t z = 0; z < nz; z++) {
        int64_t i = G->plane_start[z];
        for (int64_t v = z * npl; v < (z + 1) * npl; v++)
            if (ph[v]) pot[v] = x[i++];
    }
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(t->nt)
#endif
    for (int64_t z = 0; z < nz; z++)
        for (int64_t v = z * npl; v < (z + 1) * npl; v++) {
            const uint8_t u = ph[v];
            if (!u) continue;
            const int64_t ca = ((v - z * npl) / str) % na;
            const double xi = pot[v];
            double fb, fa;
            if (ca == 0) fb = g2 * V->phsig[u - 1] * (1.0 - xi);
            else fb = ph[v - str] ? ga[(u - 1) * stride + (ph[v - str] - 1)] * (pot[v - str] - xi) : 0.0;
            if (ca == na - 1) fa = g2 * V->phsig[u - 1] * xi;
            else fa = ph[v + str] ? ga[(u - 1) * stride + (ph[v + str] - 1)] * (xi - pot[v + str]) : 0.0;
            cur[v] = 0.5 * (fb + fa) / area;
        }
}

/* The shared path: the linear profile along axis (x or y) as the first guess, in axis z's numbering. */
static void linear_guess_shared(const ssb_transport *t, ssb_axis axis, double *x)
{
    const tr_axis *G = &t->ax[SSB_AXIS_Z];
    const int64_t *n = t->n, nz = n[2], npl = n[0] * n[1], na = n[axis];
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(t->nt)
#endif
    for (int64_t z = 0; z < nz; z++) {
        int64_t i = G->plane_start[z];
        const uint8_t *ph = G->ph + z * npl;
        for (int64_t y = 0; y < n[1]; y++) { /* without branches: x[nunk] is set after the guess */
            const uint8_t *row = ph + n[0] * y;
            for (int64_t xx = 0; xx < n[0]; xx++) {
                x[i] = 1.0 - ((double)(axis == SSB_AXIS_X ? xx : y) + 0.5) / (double)na;
                i += row[xx] != 0;
            }
        }
    }
}

/* Potential and axial current density at voxel centres (full-grid arrays, zeroed by the caller) from the solution x
 * of axis with conductances V. */
static void fill_fields(const ssb_transport *t, ssb_axis axis, const tr_values *V, const double *sigma,
                        const double *x, double *pot, double *cur)
{
    const tr_axis *A = &t->ax[axis];
    const int64_t *n = t->n, *nl = A->nl;
    const double *h = t->h;
    const int cell = t->par.dirichlet == SSB_DIRICHLET_CELL;
    int p0, p1;
    local_axes(axis, &p0, &p1);
    const int64_t gs[3] = {1, n[0], n[0] * n[1]};
    const int64_t s0 = gs[p0], s1 = gs[p1], s2 = gs[axis], zoff = cell ? 1 : 0;
    const double hl[3] = {h[p0], h[p1], h[axis]};
    const double area = hl[0] * hl[1];
    const double *gz = V->gface[2];
    const uint8_t *lab = ssb_grid_get_labels_const(t->g);
    const uint8_t *ph = A->ph;
    const int64_t *ps = A->plane_start;
    const int64_t stride = t->nph + 1, nz = nl[2], npl = nl[0] * nl[1];
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 4) num_threads(t->nt)
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
                    if (z == 0) fb = V->gd_lo[ilo++] * (1.0 - xi);
                    else fb = ub ? gz[(u - 1) * stride + (ub - 1)] * (x[ib] - xi) : 0.0;
                    if (z == nz - 1) fa = V->gd_hi[ihi++] * xi;
                    else fa = ua ? gz[(u - 1) * stride + (ua - 1)] * (xi - x[ia]) : 0.0;
                    pot[v] = xi;
                    cur[v] = 0.5 * (fb + fa) / area;
                    i++;
                }
                if (ub) ib++;
                if (ua) ia++;
            }
    }
    if (cell) { /* the fixed layers: potential 1 V / 0 V on their percolating voxels; their current is the current
                 * through the face to the adjacent unknown */
        for (int side = 0; side < 2; side++) {
            const int64_t gzf = side == 0 ? 0 : n[axis] - 1, zl = side == 0 ? 0 : nz - 1;
            for (int64_t y = 0; y < nl[1]; y++)
                for (int64_t x0 = 0; x0 < nl[0]; x0++) {
                    const int64_t v = x0 * s0 + y * s1 + gzf * s2, w = x0 * s0 + y * s1 + (zl + zoff) * s2;
                    if (A->mask[v] != 3) continue;
                    pot[v] = side == 0 ? 1.0 : 0.0;
                    if (ph[x0 + nl[0] * (y + nl[1] * zl)]) {
                        const double gvw = ssbi_harm(sigma[lab[v]], sigma[lab[w]]) * area / hl[2];
                        cur[v] = gvw * (side == 0 ? 1.0 - pot[w] : pot[w]) / area;
                    }
                }
        }
    }
}

/* Effective properties of a solved axis. */
static void fill_result(ssb_transport *t, ssb_axis axis, const ssbi_tproblem *prob, const ssbi_tsolution *sol,
                        ssb_transport_result *r)
{
    const tr_axis *A = t->ax[axis].shared ? &t->ax[SSB_AXIS_Z] : &t->ax[axis]; /* the geometry solved on */
    double iin, iout;
    ssbi_transport_currents(prob, sol->x, &iin, &iout);
    r->percolates = 1;
    r->current_in = iin;
    r->current_out = iout;
    r->flux_mismatch = ssbi_transport_mismatch(iin, iout);
    /* the backend's variational current where it forms one (its error is second order in the error of x), else
     * the face current */
    const double ie = isfinite(sol->current) && sol->current > 0.0 ? sol->current : iin;
    r->tau_rel_error_est = sol->tau_rel_error_est;
    r->sigma_eff = ie * r->length / r->area;
    r->sigma_rel = r->sigma_bulk > 0 ? r->sigma_eff / r->sigma_bulk : 0.0;
    r->tau = r->sigma_eff > 0 ? r->eps * r->sigma_bulk / r->sigma_eff : INFINITY;
    r->tau_percolating = r->sigma_eff > 0 ? r->eps_percolating * r->sigma_bulk / r->sigma_eff : INFINITY;
    r->macmullin = r->sigma_eff > 0 ? r->sigma_bulk / r->sigma_eff : INFINITY;
    r->iterations = sol->iterations;
    r->rel_residual = sol->rel_residual;
    r->converged = sol->converged;
    r->setup_time_s = sol->setup_time_s;
    snprintf(r->reason, sizeof r->reason, "%s", sol->reason);
    int64_t first;
    const int64_t nv = t->n[0] * t->n[1] * t->n[2], nvl = A->nl[0] * A->nl[1] * A->nl[2], nunk = A->nunk;
    const int64_t *idx, ndir[2] = {ssbi_tproblem_dir(prob, 0, &idx, &first), ssbi_tproblem_dir(prob, 1, &idx, &first)};
    const int64_t fe = nvl + 8 * nunk + 8 * (A->nl[2] + 1) + (prob->across ? 16 : 8) * (ndir[0] + ndir[1]);
    const int64_t p = fe + sol->peak_bytes;
    r->peak_bytes = p > 2 * nv ? p : 2 * nv;
}

/* The solve of one axis on a set-up object (the body of ssb_transport_compute; result is zeroed, axis checked). */
/* 1 if sigma equals ref times one factor on every label of the set (to 1e-12), else 0. */
static int proportional(const uint8_t in_set[256], const double sigma[256], const double ref[256])
{
    double ratio = 0.0;
    for (int k = 0; k < 256; k++) {
        if (!in_set[k]) continue;
        const double q = sigma[k] / ref[k];
        if (ratio == 0.0) ratio = q;
        else if (!(fabs(q - ratio) <= 1e-12 * ratio)) return 0;
    }
    return 1;
}

static int compute_axis(ssb_transport *t, const double sigma[256], ssb_axis axis, ssb_transport_result *result)
{
    ssb_ctx *ctx = t->ctx;
    const ssb_transport_params *par = &t->par;
    const double t0 = ssbi_transport_wtime();
    const int64_t *n = t->n;
    const double *h = t->h;
    const int64_t nv = n[0] * n[1] * n[2];
    const int cell = par->dirichlet == SSB_DIRICHLET_CELL;
    SSB_REQUIRE(ctx, !cell || n[axis] >= 3, SSB_ERR_RANGE,
                "cell-centred Dirichlet needs at least 3 voxel layers along %s (image has %lld)", ssb_axis_name(axis),
                (long long)n[axis]);
    adopt_set(t, sigma);
    /* volume fractions and bulk conductivity */
    double eps = 0.0, seps = 0.0;
    for (int k = 0; k < 256; k++)
        if (t->in_set[k]) {
            double e = (double)t->hist[k] / (double)nv;
            eps += e;
            seps += e * sigma[k];
        }
    result->axis = axis;
    result->tau_rel_error_est = NAN;
    result->eps = eps;
    result->sigma_bulk = eps > 0.0 ? seps / eps : 0.0;
    int p0, p1;
    local_axes(axis, &p0, &p1);
    result->length = (double)(cell ? n[axis] - 1 : n[axis]) * h[axis];
    result->area = (double)n[p0] * h[p0] * (double)n[p1] * h[p1];
    snprintf(result->backend, sizeof result->backend, "%s", t->ops->name);

    int rc = SSB_OK;
    SSB_CHECK_GOTO(ctx, rc, axis_setup(t, axis), done);
    tr_axis *A = &t->ax[axis];
    result->eps_percolating = (double)A->npercolating / (double)nv;
    result->n_unknowns = A->nunk;
    if (A->npercolating == 0 || A->nunk == 0) { /* cell mode: a path of only the fixed layers cannot exist */
        fill_nonpercolating(result);
        goto done;
    }
    if (A->nunk > INT32_MAX - 2) {
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "transport: %lld unknowns exceed the limit of %d",
                       (long long)A->nunk, INT32_MAX - 2);
        goto done;
    }
    /* the shared path: x and y in axis z's frame (G: the geometry solved on), every axis on the shared set-up */
    const int across = A->shared ? (axis == SSB_AXIS_X ? 1 : 2) : 0;
    const tr_axis *G = A->shared ? &t->ax[SSB_AXIS_Z] : A;
    if (A->shared && !G->ready) {
        rc = SSB_ERROR(ctx, SSB_ERR_INTERNAL, "transport: axis z's geometry is missing for axis %s",
                       ssb_axis_name(axis));
        goto done;
    }
    tr_values V;
    SSB_CHECK_GOTO(ctx, rc, A->shared ? values_across(t, sigma, axis, &V) : values_build(t, sigma, axis, &V), done);
    /* initial guess: the last solution of this axis (same conducting set) or the linear profile of a block */
    const int64_t nunk = A->nunk, *nl = G->nl;
    double *x = ssbi_malloc(ctx, (size_t)(nunk + 1) * sizeof(double), "transport solution");
    if (!x) {
        values_free(&V);
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    if (A->x) {
        memcpy(x, A->x, (size_t)nunk * sizeof(double));
    } else if (across) {
        linear_guess_shared(t, axis, x);
    } else {
        for (int64_t z = 0; z < nl[2]; z++) {
            double v = cell ? 1.0 - (double)(z + 1) / (double)(n[axis] - 1) : 1.0 - ((double)z + 0.5) / (double)nl[2];
            for (int64_t i = A->plane_start[z]; i < A->plane_start[z + 1]; i++) x[i] = v;
        }
    }
    x[nunk] = 0.0;
    char stage[32];
    snprintf(stage, sizeof stage, "transport %s", ssb_axis_name(axis));
    ssbi_tproblem prob = {.n = {nl[0], nl[1], nl[2]},
                          .h = {across ? h[0] : h[p0], across ? h[1] : h[p1], across ? h[2] : h[axis]},
                          .ph = G->ph,
                          .nph = t->nph,
                          .gface = {V.gface[0], V.gface[1], V.gface[2]},
                          .nunk = nunk,
                          .plane_start = G->plane_start,
                          .gd_lo = V.gd_lo,
                          .gd_hi = V.gd_hi,
                          .across = across,
                          .nd_lo = V.nd_lo,
                          .nd_hi = V.nd_hi,
                          .d_lo = V.d_lo,
                          .d_hi = V.d_hi,
                          .stage = stage,
                          .x0_est = NAN};
    if (A->x && isfinite(A->est)) { /* the stored solution's estimate holds if the conductances are its own times
                                     * one factor (x is then the same solution) */
        if (proportional(t->in_set, sigma, A->sigma)) prob.x0_est = A->est;
    }
    /* keep the backend's set-up in the object; reuse it when the conductances are those it was built with times
     * one factor (a single conducting phase always is) */
    if (t->ops->destroy_state && t->share && (A->shared || axis == SSB_AXIS_Z)) {
        /* the shared set-up; a new one is held by every axis that shares it */
        const int same_ratio = t->sstate != NULL && proportional(t->in_set, sigma, t->ssigma);
        prob.state = &t->sstate;
        prob.reuse = same_ratio;
        t->sdestroy = t->ops->destroy_state;
        if (!same_ratio) {
            memcpy(t->ssigma, sigma, sizeof t->ssigma);
            for (int a = 0; a < 3; a++) t->sref[a] = (uint8_t)(t->ax[a].shared || a == SSB_AXIS_Z);
        }
        t->sref[axis] = 1;
    } else if (t->ops->destroy_state) {
        const int same_ratio = A->bstate != NULL && proportional(t->in_set, sigma, A->bsigma);
        prob.state = &A->bstate;
        prob.reuse = same_ratio;
        A->bdestroy = t->ops->destroy_state;
        if (!same_ratio) memcpy(A->bsigma, sigma, sizeof A->bsigma);
    }
    ssbi_tsolution sol;
    memset(&sol, 0, sizeof sol);
    sol.x = x;
    sol.current = NAN;
    sol.tau_rel_error_est = NAN;
    rc = t->ops->solve(ctx, &prob, par, t->nt, &sol);
    if (rc != SSB_OK) {
        free(x);
        values_free(&V);
        goto done;
    }
    fill_result(t, axis, &prob, &sol, result);
    free(A->x);
    A->x = x;
    A->est = sol.converged ? sol.tau_rel_error_est : NAN;
    memcpy(A->sigma, sigma, sizeof A->sigma);
    if (par->want_fields) {
        result->potential = ssbi_calloc(ctx, (size_t)nv, sizeof(double), "potential field");
        result->current = ssbi_calloc(ctx, (size_t)nv, sizeof(double), "current field");
        if (!result->potential || !result->current) {
            ssb_transport_result_destroy(result);
            values_free(&V);
            rc = SSB_ERR_NOMEM;
            goto done;
        }
        if (across) fill_fields_shared(t, axis, &V, x, result->potential, result->current);
        else fill_fields(t, axis, &V, sigma, x, result->potential, result->current);
    }
    values_free(&V);
    if (!result->converged && par->error_if_not_converged) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOCONV,
                       "transport %s (%s): not converged after %lld iterations: relative residual %.3g (rtol %g), "
                       "flux mismatch %.3g (flux_tol %g): %s",
                       ssb_axis_name(axis), result->backend, (long long)result->iterations, result->rel_residual,
                       par->rtol, result->flux_mismatch, par->flux_tol, result->reason);
    }
done:
    result->time_s = ssbi_transport_wtime() - t0;
    if (rc != SSB_OK && rc != SSB_ERR_NOCONV) ssb_transport_result_destroy(result);
    return rc;
}

int ssb_transport_compute(ssb_transport *t, const double sigma[256], ssb_axis axis, ssb_transport_result *result)
{
    SSB_REQUIRE(t ? t->ctx : NULL, t, SSB_ERR_ARG, "ssb_transport_compute: NULL transport object");
    ssb_ctx *ctx = t->ctx;
    SSB_REQUIRE(ctx, sigma && result, SSB_ERR_ARG, "ssb_transport_compute: NULL argument");
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2, SSB_ERR_ARG, "transport axis %d does not exist (valid: x, y or z)",
                (int)axis);
    memset(result, 0, sizeof *result);
    SSB_CHECK(ctx, check_sigma(ctx, sigma));
    return compute_axis(t, sigma, axis, result);
}

void ssb_transport_release(ssb_transport *t, ssb_axis axis)
{
    if (!t || (int)axis < 0 || axis > 2) return;
    tr_axis *A = &t->ax[axis];
    if (A->bstate && A->bdestroy) A->bdestroy(A->bstate);
    A->bstate = NULL;
    free(A->x);
    A->x = NULL;
    t->sref[axis] = 0; /* the shared set-up goes with the last axis that holds it */
    if (t->sstate && !t->sref[0] && !t->sref[1] && !t->sref[2]) shared_free(t);
}

int ssb_transport_get_fields(ssb_transport *t, ssb_axis axis, double *potential, double *current)
{
    SSB_REQUIRE(t ? t->ctx : NULL, t, SSB_ERR_ARG, "ssb_transport_get_fields: NULL transport object");
    ssb_ctx *ctx = t->ctx;
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2 && potential && current, SSB_ERR_ARG,
                "ssb_transport_get_fields: NULL array or axis %d invalid", (int)axis);
    const int64_t nv = t->n[0] * t->n[1] * t->n[2];
    memset(potential, 0, (size_t)nv * sizeof(double));
    memset(current, 0, (size_t)nv * sizeof(double));
    tr_axis *A = &t->ax[axis];
    SSB_REQUIRE(ctx, A->ready && (A->x || A->nunk == 0), SSB_ERR_ARG,
                "ssb_transport_get_fields: axis %s has not been solved (or was released)", ssb_axis_name(axis));
    if (!A->x) return SSB_OK; /* nothing percolates: zero fields */
    SSB_REQUIRE(ctx, t->par.dirichlet != SSB_DIRICHLET_CELL || A->mask, SSB_ERR_ARG,
                "ssb_transport_get_fields: cell-mode fields need params.want_fields = 1 at create");
    tr_values V;
    if (A->shared) { /* solved in axis z's frame */
        SSB_CHECK(ctx, values_build(t, A->sigma, SSB_AXIS_Z, &V));
        fill_fields_shared(t, axis, &V, A->x, potential, current);
    } else {
        SSB_CHECK(ctx, values_build(t, A->sigma, axis, &V));
        fill_fields(t, axis, &V, A->sigma, A->x, potential, current);
    }
    values_free(&V);
    return SSB_OK;
}

int ssb_transport_solve(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                        const ssb_transport_params *params, ssb_transport_result *result)
{
    SSB_REQUIRE(ctx, g && sigma && result, SSB_ERR_ARG, "ssb_transport_solve: NULL argument");
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2, SSB_ERR_ARG, "transport axis %d does not exist (valid: x, y or z)",
                (int)axis);
    memset(result, 0, sizeof *result);
    SSB_CHECK(ctx, check_sigma(ctx, sigma));
    ssb_transport *t = NULL;
    SSB_CHECK(ctx, ssb_transport_create(ctx, g, params, &t));
    int rc = compute_axis(t, sigma, axis, result);
    ssb_transport_destroy(&t);
    return rc;
}
