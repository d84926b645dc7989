/* Connected components of a voxel set: runs along x joined by a lock-free parallel union-find.
 *
 * 1. Count the runs (maximal x-segments of set voxels) of every row (y, z) and prefix-sum them, so run k of row r
 *    has the global number off[r] + k.
 * 2. Every row unions its runs with the overlapping runs of the neighbouring rows that precede it (y-1 and z-1, plus
 *    the diagonal rows for 18/26-connectivity; a dilation of one voxel along x for the edge/corner neighbours).
 *    The parent array keeps parent[i] <= i, roots link to the smaller root by compare-and-swap, finds halve paths;
 *    so concurrent unions from several threads are safe and the root of a component is its first run.
 * 3. One serial sweep over the runs in order turns parents into component numbers (a run's parent precedes it).
 * 4. Rows write the ids and add run lengths to the component sizes.
 * Memory: 8 bytes per run and per row, plus per-thread run buffers of O(nx). */
#include "analysis_impl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

typedef _Atomic int64_t ssbi_aint;

static int64_t uf_find(ssbi_aint *p, int64_t x)
{
    for (;;) {
        int64_t q = atomic_load_explicit(&p[x], memory_order_relaxed);
        if (q == x)
            return x;
        int64_t r = atomic_load_explicit(&p[q], memory_order_relaxed);
        if (r != q)
            atomic_store_explicit(&p[x], r, memory_order_relaxed); /* x is not a root: only ancestors */
        x = r;
    }
}

static void uf_union(ssbi_aint *p, int64_t a, int64_t b)
{
    for (;;) {
        a = uf_find(p, a);
        b = uf_find(p, b);
        if (a == b)
            return;
        if (a < b) {
            int64_t t = a;
            a = b;
            b = t;
        }
        int64_t expected = a; /* link the larger root under the smaller one */
        if (atomic_compare_exchange_strong_explicit(&p[a], &expected, b, memory_order_acq_rel, memory_order_relaxed))
            return;
    }
}

/* Runs of set voxels in one row: starts s[], inclusive ends e[]; returns their number. Without a branch per voxel
 * (the rows of a segmented image switch phase every few voxels: the loop with a test per voxel mispredicted at
 * every run boundary, ~0.9 s of CPU for the three row passes of a 500^3 cathode); s and e need nx / 2 + 2 entries
 * (a store may go one past the last run). */
static int64_t row_runs(const uint8_t *row, const uint8_t *in, int64_t nx, int32_t *s, int32_t *e)
{
    int64_t ks = 0, ke = 0;
    int prev = 0;
    for (int64_t x = 0; x < nx; x++) {
        const int cur = in[row[x]] != 0;
        s[ks] = (int32_t)x;
        e[ke] = (int32_t)(x - 1);
        ks += cur & (prev ^ 1);
        ke += (cur ^ 1) & prev;
        prev = cur;
    }
    e[ke] = (int32_t)(nx - 1);
    return ks;
}

static int64_t row_count(const uint8_t *row, const uint8_t *in, int64_t nx)
{
    int64_t k = 0;
    int prev = 0;
    for (int64_t x = 0; x < nx; x++) {
        int cur = in[row[x]] != 0;
        k += cur && !prev;
        prev = cur;
    }
    return k;
}

static int thread_id(void)
{
#if SSB_HAVE_OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Longer than 150 lines on purpose: the run extraction, the lock-free union passes and the renumbering share the
 * run arrays and one cleanup path. */
int ssbi_ma_label(ssb_ctx *ctx, const int64_t n[3], const uint8_t *lab, const uint8_t in_set[256],
                  ssb_connectivity conn, int32_t *ids, int64_t *ncomp, int64_t **sizes)
{
    const int64_t nx = n[0], ny = n[1], nz = n[2], nrows = ny * nz;
    const int nth = ssbi_threads(ctx);
    uint8_t in[256];
    for (int k = 0; k < 256; k++)
        in[k] = in_set[k] != 0;
    *ncomp = 0;
    if (sizes)
        *sizes = NULL;

    int64_t *off = ssbi_malloc(ctx, (size_t)(nrows + 1) * sizeof *off, "component row offsets");
    if (!off)
        return SSB_ERR_NOMEM;
    off[0] = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
    for (int64_t r = 0; r < nrows; r++)
        off[r + 1] = row_count(lab + r * nx, in, nx);
    for (int64_t r = 0; r < nrows; r++)
        off[r + 1] += off[r];
    const int64_t nruns = off[nrows];

    const int64_t cap = nx / 2 + 2;
    ssbi_aint *parent = ssbi_malloc(ctx, (size_t)(nruns > 0 ? nruns : 1) * sizeof *parent, "union-find parents");
    int32_t *buf = ssbi_malloc(ctx, (size_t)nth * 6 * (size_t)cap * sizeof *buf, "run buffers");
    /* run lengths, for the component sizes (summed per component after the union passes) */
    int32_t *rlen = sizes ? ssbi_malloc(ctx, (size_t)(nruns > 0 ? nruns : 1) * sizeof *rlen, "run lengths") : NULL;
    if (!parent || !buf || (sizes && !rlen)) {
        free(off);
        free(parent);
        free(buf);
        free(rlen);
        return SSB_ERR_NOMEM;
    }
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
    for (int64_t i = 0; i < nruns; i++)
        atomic_init(&parent[i], i);

    /* Preceding neighbour rows (dy, dz) and the x-dilation of the overlap test per connectivity. */
    int nb_dy[4], nb_dz[4], nb_d[4], nnb = 0;
    {
        const int d_face = conn == SSB_CONN_6 ? 0 : 1;
        const int d_diag = conn == SSB_CONN_26 ? 1 : 0;
        nb_dy[nnb] = -1, nb_dz[nnb] = 0, nb_d[nnb++] = d_face;
        nb_dy[nnb] = 0, nb_dz[nnb] = -1, nb_d[nnb++] = d_face;
        if (conn != SSB_CONN_6) {
            nb_dy[nnb] = -1, nb_dz[nnb] = -1, nb_d[nnb++] = d_diag;
            nb_dy[nnb] = 1, nb_dz[nnb] = -1, nb_d[nnb++] = d_diag;
        }
    }

#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nth)
#endif
    {
        int32_t *as = buf + (size_t)thread_id() * 6 * (size_t)cap, *ae = as + cap, *bs = ae + cap, *be = bs + cap;
        int32_t *ps = be + cap, *pe = ps + cap; /* the runs of row prow (the row this thread did last) */
        int64_t prow = -1, pn = 0;
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 64)
#endif
        for (int64_t r = 0; r < nrows; r++) {
            if (off[r + 1] == off[r])
                continue;
            const int64_t y = r % ny, z = r / ny;
            int64_t na = -1;
            for (int k = 0; k < nnb; k++) {
                const int64_t yy = y + nb_dy[k], zz = z + nb_dz[k];
                if (yy < 0 || yy >= ny || zz < 0)
                    continue;
                const int64_t q = yy + ny * zz;
                if (off[q + 1] == off[q])
                    continue;
                if (na < 0)
                    na = row_runs(lab + r * nx, in, nx, as, ae);
                const int32_t *qs = bs, *qe = be;
                int64_t nb;
                if (q == prow) { /* the row before (dy = -1): its runs are still at hand */
                    qs = ps;
                    qe = pe;
                    nb = pn;
                } else {
                    nb = row_runs(lab + q * nx, in, nx, bs, be);
                }
                const int d = nb_d[k];
                int64_t i = 0, j = 0;
                while (i < na && j < nb) {
                    if (as[i] <= qe[j] + d && qs[j] <= ae[i] + d)
                        uf_union(parent, off[r] + i, off[q] + j);
                    if (ae[i] < qe[j])
                        i++;
                    else
                        j++;
                }
            }
            if (na < 0)
                na = row_runs(lab + r * nx, in, nx, as, ae);
            if (rlen)
                for (int64_t i = 0; i < na; i++)
                    rlen[off[r] + i] = ae[i] - as[i] + 1;
            int32_t *t = ps; /* row r's runs become the previous row's */
            ps = as;
            as = t;
            t = pe;
            pe = ae;
            ae = t;
            prow = r;
            pn = na;
        }
    }
    free(buf);
    int rc = ssbi_progress(ctx, "components", 2.0, 3.0);
    if (rc != SSB_OK) {
        free(off);
        free(parent);
        free(rlen);
        return rc;
    }

    /* Serial sweep: parent[i] <= i, so the parent's slot already holds the component number. */
    int64_t nc = 0;
    for (int64_t i = 0; i < nruns; i++) {
        int64_t p = atomic_load_explicit(&parent[i], memory_order_relaxed);
        int64_t c = (p == i) ? nc++ : atomic_load_explicit(&parent[p], memory_order_relaxed);
        atomic_store_explicit(&parent[i], c, memory_order_relaxed);
    }
    if (nc > INT32_MAX) {
        free(off);
        free(parent);
        free(rlen);
        return SSB_ERROR(ctx, SSB_ERR_RANGE, "%lld connected components do not fit int32 ids (max %d)", (long long)nc,
                         INT32_MAX);
    }
    int64_t *sz = NULL;
    if (sizes && nc > 0) {
        sz = ssbi_calloc(ctx, (size_t)nc, sizeof *sz, "component sizes");
        if (!sz) {
            free(off);
            free(parent);
            free(rlen);
            return SSB_ERR_NOMEM;
        }
        for (int64_t i = 0; i < nruns; i++)
            sz[atomic_load_explicit(&parent[i], memory_order_relaxed)] += rlen[i];
    }
    free(rlen);
    /* Component ids per voxel without a branch per voxel (the test per run start mispredicted; this pass took ~40 %
     * of the labelling): the id of the current run is reloaded at every voxel from a clamped run index. */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
    for (int64_t r = 0; r < nrows; r++) {
        const uint8_t *row = lab + r * nx;
        int32_t *out = ids + r * nx;
        if (off[r + 1] == off[r]) {
            for (int64_t x = 0; x < nx; x++)
                out[x] = -1;
            continue;
        }
        const int64_t k0 = off[r];
        int64_t k = k0 - 1;
        int prev = 0;
        for (int64_t x = 0; x < nx; x++) {
            const int cur = in[row[x]] != 0;
            k += cur & (prev ^ 1);
            const int32_t c = (int32_t)atomic_load_explicit(&parent[k < k0 ? k0 : k], memory_order_relaxed);
            out[x] = cur ? c : -1;
            prev = cur;
        }
    }
    free(off);
    free(parent);
    *ncomp = nc;
    if (sizes)
        *sizes = sz;
    return SSB_OK;
}

void ssbi_ma_plane_flags(const int64_t n[3], const int32_t *ids, int axis, int64_t ncomp, uint8_t *flags)
{
    const int64_t stride[3] = {1, n[0], n[0] * n[1]};
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    if (ncomp > 0)
        memset(flags, 0, (size_t)ncomp);
    for (int side = 0; side < 2; side++) {
        const int64_t base = (side ? n[axis] - 1 : 0) * stride[axis];
        const uint8_t bit = (uint8_t)(side ? 2 : 1);
        for (int64_t j = 0; j < n[a2]; j++)
            for (int64_t i = 0; i < n[a1]; i++) {
                int32_t c = ids[base + i * stride[a1] + j * stride[a2]];
                if (c >= 0)
                    flags[c] |= bit;
            }
    }
}

int ssb_micro_components_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn,
                                 int32_t *ids, ssb_micro_components *out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_micro_components_compute: out is NULL");
    memset(out, 0, sizeof *out);
    SSB_REQUIRE(ctx, g && in_set, SSB_ERR_ARG, "ssb_micro_components_compute: NULL grid or set");
    SSB_REQUIRE(ctx, conn == SSB_CONN_6 || conn == SSB_CONN_18 || conn == SSB_CONN_26, SSB_ERR_ARG,
                "connectivity %d is invalid (valid: 6, 18 or 26)", (int)conn);
    int64_t n[3];
    ssb_grid_get_dims(g, n);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    int32_t *buf = ids;
    if (!buf) {
        buf = ssbi_malloc(ctx, (size_t)nv * sizeof *buf, "component ids");
        if (!buf)
            return SSB_ERR_NOMEM;
    }
    int64_t nc = 0, *sizes = NULL;
    int rc = ssbi_ma_label(ctx, n, ssb_grid_get_labels_const(g), in_set, conn, buf, &nc, &sizes);
    if (rc != SSB_OK) {
        if (!ids)
            free(buf);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    int64_t nset = 0;
    for (int64_t c = 0; c < nc; c++)
        nset += sizes[c];
    out->conn = conn;
    out->nset = nset;
    out->ncomponents = nc;
    out->sizes = sizes;
    out->ids = buf;
    out->owns_ids = ids == NULL;
    return SSB_OK;
}

void ssb_micro_components_destroy(ssb_micro_components *c)
{
    if (!c)
        return;
    free(c->sizes);
    if (c->owns_ids)
        free(c->ids);
    memset(c, 0, sizeof *c);
}
