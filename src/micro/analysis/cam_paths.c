/* Insertion paths of the active CAM (issue 14): how far lithium that enters a CAM particle through its CAM|SE
 * contacts has to travel through the CAM, compared with the same particles fully covered by SE.
 *
 * Two multi-source breadth-first searches through the active CAM voxels (6-connected, within the CAM clusters that
 * ssb_micro_cam_classify calls active): from the CAM voxels with a face to the Li-connected ionic network, and from
 * those with a face to any non-CAM voxel (the free surface). A voxel k steps from a source lies (k + 1/2) h from
 * the source's face; the volume rms of these path lengths over the active CAM is taken for both. Their ratio, the
 * length factor, is 1 for particles covered all over and grows as the covered share of the surface falls or the
 * contacts gather on one side. The 6-connected metric overestimates Euclidean distances (up to sqrt(3) on
 * diagonals) in both searches alike, so the ratio carries less of that error than either length. */
#include "analysis_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Multi-source BFS over the voxels with cls == ACTIVE from the sources (those with src & bit; dist 0); sums of
 * (k + 1/2) and its square over the reached voxels. dist: nvoxels int32 scratch, queue: n_active int64 scratch. */
static void bfs_moments(const int64_t n[3], const uint8_t *cls, const uint8_t *src, uint8_t bit, int32_t *dist,
                        int64_t *queue, double *s1, double *s2, int64_t *reached)
{
    const int64_t nv = n[0] * n[1] * n[2], sy = n[0], sz = n[0] * n[1];
    int64_t head = 0, tail = 0;
    for (int64_t v = 0; v < nv; v++) {
        dist[v] = -1;
        if (cls[v] == SSB_MICRO_CAM_ACTIVE && (src[v] & bit)) {
            dist[v] = 0;
            queue[tail++] = v;
        }
    }
    double a = 0.0, b = 0.0;
    while (head < tail) {
        const int64_t v = queue[head++];
        const double d = dist[v] + 0.5;
        a += d;
        b += d * d;
        const int64_t x = v % n[0], y = (v / sy) % n[1], z = v / sz;
        const int64_t nb[6] = {x > 0 ? v - 1 : -1,         x + 1 < n[0] ? v + 1 : -1, y > 0 ? v - sy : -1,
                               y + 1 < n[1] ? v + sy : -1, z > 0 ? v - sz : -1,       z + 1 < n[2] ? v + sz : -1};
        for (int k = 0; k < 6; k++) {
            const int64_t w = nb[k];
            if (w >= 0 && dist[w] < 0 && cls[w] == SSB_MICRO_CAM_ACTIVE) {
                dist[w] = dist[v] + 1;
                queue[tail++] = w;
            }
        }
    }
    *s1 = a;
    *s2 = b;
    *reached = tail;
}

int ssb_micro_cam_paths_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params,
                                ssb_micro_cam_paths *out)
{
    SSB_REQUIRE(ctx, g && out, SSB_ERR_ARG, "ssb_micro_cam_paths_compute: NULL argument");
    memset(out, 0, sizeof *out);
    const ssb_micro_cam_params p = params ? *params : ssb_micro_cam_params_default();
    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    SSB_REQUIRE(ctx, fabs(h[1] / h[0] - 1.0) < 1e-9 && fabs(h[2] / h[0] - 1.0) < 1e-9, SSB_ERR_RANGE,
                "CAM insertion paths: the voxels must be cubes (voxel size %g x %g x %g um)", h[0] * 1e6, h[1] * 1e6,
                h[2] * 1e6);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    uint8_t *cls = ssbi_malloc(ctx, (size_t)nv, "CAM classes");
    uint8_t *src = ssbi_malloc(ctx, (size_t)nv, "path sources");
    int32_t *dist = ssbi_malloc(ctx, (size_t)nv * sizeof *dist, "path lengths");
    int64_t *queue = NULL;
    int rc = SSB_ERR_NOMEM;
    if (!cls || !src || !dist)
        goto done;
    ssb_micro_cam_result cr;
    SSB_CHECK_GOTO(ctx, rc, ssb_micro_cam_classify(ctx, g, &p, cls, &cr), done);
    rc = SSB_ERR_NOMEM;
    queue = ssbi_malloc(ctx, (size_t)(cr.n_active > 0 ? cr.n_active : 1) * sizeof *queue, "path queue");
    if (!queue)
        goto done;
    /* Li-connected ionic network: the ionic set reached from the separator plane */
    ssbi_cam_sets s;
    ssbi_ma_cam_sets(g, &s);
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_through_mask(ctx, g, s.ion, p.axis, SSB_CONN_6, src, NULL), done);
    const uint8_t sep_bit = p.cc_side == SSB_MICRO_SIDE_LOW ? 2 : 1;
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    /* src bits: 4 = a face with the Li-connected ionic network, 8 = a face with any non-CAM voxel */
    const int64_t sy = n[0], sz = n[0] * n[1];
    for (int64_t v = 0; v < nv; v++)
        src[v] = (uint8_t)((src[v] & sep_bit) ? 1 : 0);
    for (int64_t v = 0; v < nv; v++) {
        if (cls[v] != SSB_MICRO_CAM_ACTIVE)
            continue;
        const int64_t x = v % n[0], y = (v / sy) % n[1], z = v / sz;
        const int64_t nb[6] = {x > 0 ? v - 1 : -1,         x + 1 < n[0] ? v + 1 : -1, y > 0 ? v - sy : -1,
                               y + 1 < n[1] ? v + sy : -1, z > 0 ? v - sz : -1,       z + 1 < n[2] ? v + sz : -1};
        for (int k = 0; k < 6; k++) {
            const int64_t w = nb[k];
            if (w < 0 || s.cam[lab[w]])
                continue;
            src[v] |= 8;
            if (src[w] & 1)
                src[v] |= 4;
        }
    }
    out->n_voxels = cr.n_active;
    if (cr.n_active > 0) {
        double a1, a2, b1, b2;
        int64_t ra, rb;
        bfs_moments(n, cls, src, 4, dist, queue, &a1, &a2, &ra);
        bfs_moments(n, cls, src, 8, dist, queue, &b1, &b2, &rb);
        /* every active cluster touches the Li-connected network and so has a free surface: both reach them all */
        if (ra != cr.n_active || rb != cr.n_active) {
            rc = SSB_ERROR(ctx, SSB_ERR_INTERNAL, "CAM insertion paths: %lld / %lld of %lld active CAM voxels reached",
                           (long long)ra, (long long)rb, (long long)cr.n_active);
            goto done;
        }
        const double hh = h[0], na = (double)cr.n_active;
        out->mean_from_se = hh * a1 / na;
        out->rms_from_se = hh * sqrt(a2 / na);
        out->mean_from_surface = hh * b1 / na;
        out->rms_from_surface = hh * sqrt(b2 / na);
        out->length_factor = out->rms_from_se / out->rms_from_surface;
    }
    rc = SSB_OK;
done:
    free(cls);
    free(src);
    free(dist);
    free(queue);
    return rc;
}
