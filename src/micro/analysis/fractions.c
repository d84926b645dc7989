/* Volume fractions of labels and phase roles, and percolation of a voxel set along each axis. */
#include "analysis_impl.h"

#include <stdlib.h>
#include <string.h>

int ssb_micro_fractions_compute(ssb_ctx *ctx, const ssb_grid *g, ssb_micro_fractions *out)
{
    SSB_REQUIRE(ctx, g && out, SSB_ERR_ARG, "ssb_micro_fractions_compute: NULL argument");
    memset(out, 0, sizeof *out);
    SSB_CHECK(ctx, ssb_grid_check_phases(ctx, g));
    double h[3];
    ssb_grid_get_voxel_size(g, h);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    out->nvoxels = nv;
    out->box_volume = (double)nv * h[0] * h[1] * h[2];
    ssb_grid_histogram(g, out->label_count);
    for (int k = 0; k < 256; k++) {
        out->label_fraction[k] = (double)out->label_count[k] / (double)nv;
        if (out->label_count[k] == 0)
            continue;
        const ssb_phase *ph = ssb_grid_find_phase(g, (uint8_t)k);
        out->role_count[ph->role] += out->label_count[k];
    }
    for (int r = 0; r < SSB_ROLE_COUNT; r++)
        out->role_fraction[r] = (double)out->role_count[r] / (double)nv;
    return SSB_OK;
}

/* One connected-component labelling serves all three axes: a voxel is connected to a face exactly when its
 * component has a voxel on that face. This gives the same sets as ssb_grid_through_mask's two flood fills per axis
 * (the unit test checks it), in parallel and with 4 bytes per voxel instead of six serial fills. */
int ssb_micro_percolation_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn,
                                  ssb_micro_percolation *out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_micro_percolation_compute: out is NULL");
    memset(out, 0, sizeof *out);
    SSB_REQUIRE(ctx, g && in_set, SSB_ERR_ARG, "ssb_micro_percolation_compute: NULL grid or set");
    SSB_REQUIRE(ctx, conn == SSB_CONN_6 || conn == SSB_CONN_18 || conn == SSB_CONN_26, SSB_ERR_ARG,
                "connectivity %d is invalid (valid: 6, 18 or 26)", (int)conn);
    int64_t n[3];
    ssb_grid_get_dims(g, n);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    int32_t *ids = ssbi_malloc(ctx, (size_t)nv * sizeof *ids, "component ids");
    if (!ids)
        return SSB_ERR_NOMEM;
    int64_t nc = 0, *sizes = NULL;
    int rc = ssbi_ma_label(ctx, n, ssb_grid_get_labels_const(g), in_set, conn, ids, &nc, &sizes);
    uint8_t *cf = NULL;
    if (rc == SSB_OK) {
        cf = ssbi_malloc(ctx, (size_t)(nc > 0 ? nc : 1), "component plane flags");
        if (!cf)
            rc = SSB_ERR_NOMEM;
    }
    if (rc != SSB_OK) {
        free(ids);
        free(sizes);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    out->conn = conn;
    out->nvoxels = nv;
    for (int64_t c = 0; c < nc; c++)
        out->n_set += sizes[c];
    for (int a = 0; a < 3; a++) {
        ssbi_ma_plane_flags(n, ids, a, nc, cf);
        for (int64_t c = 0; c < nc; c++) {
            if (cf[c] == 3)
                out->n_percolating[a] += sizes[c];
            else if (cf[c])
                out->n_dead_end[a] += sizes[c];
            else
                out->n_isolated[a] += sizes[c];
        }
    }
    free(cf);
    free(sizes);
    free(ids);
    ssbi_ma_percolation_finish(out);
    return SSB_OK;
}

void ssbi_ma_percolation_finish(ssb_micro_percolation *o)
{
    const double nv = (double)o->nvoxels;
    o->set_fraction = (double)o->n_set / nv;
    const double ns = o->n_set > 0 ? (double)o->n_set : 1.0;
    for (int a = 0; a < 3; a++) {
        o->percolates[a] = o->n_percolating[a] > 0;
        o->percolating_fraction[a] = (double)o->n_percolating[a] / ns;
        o->dead_end_fraction[a] = (double)o->n_dead_end[a] / ns;
        o->isolated_fraction[a] = (double)o->n_isolated[a] / ns;
        o->percolating_fraction_total[a] = (double)o->n_percolating[a] / nv;
        o->dead_end_fraction_total[a] = (double)o->n_dead_end[a] / nv;
        o->isolated_fraction_total[a] = (double)o->n_isolated[a] / nv;
    }
}
