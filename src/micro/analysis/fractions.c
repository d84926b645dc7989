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
        if (out->label_count[k] == 0) continue;
        const ssb_phase *ph = ssb_grid_find_phase(g, (uint8_t)k);
        out->role_count[ph->role] += out->label_count[k];
    }
    for (int r = 0; r < SSB_ROLE_COUNT; r++) out->role_fraction[r] = (double)out->role_count[r] / (double)nv;
    return SSB_OK;
}

int ssb_micro_percolation_compute(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256],
                                  ssb_connectivity conn, ssb_micro_percolation *out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_micro_percolation_compute: out is NULL");
    memset(out, 0, sizeof *out);
    SSB_REQUIRE(ctx, g && in_set, SSB_ERR_ARG, "ssb_micro_percolation_compute: NULL grid or set");
    SSB_REQUIRE(ctx, conn == SSB_CONN_6 || conn == SSB_CONN_18 || conn == SSB_CONN_26, SSB_ERR_ARG,
                "connectivity %d is invalid (valid: 6, 18 or 26)", (int)conn);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    uint8_t *mask = ssbi_malloc(ctx, (size_t)nv, "percolation mask");
    if (!mask) return SSB_ERR_NOMEM;
    out->conn = conn;
    out->nvoxels = nv;
    for (int a = 0; a < 3; a++) {
        int64_t c[4];
        int rc = ssb_grid_through_mask(ctx, g, in_set, (ssb_axis)a, conn, mask, c);
        if (rc != SSB_OK) {
            free(mask);
            memset(out, 0, sizeof *out);
            return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
        }
        out->n_set = c[0];
        out->n_percolating[a] = c[3];
        out->n_dead_end[a] = c[1] + c[2];
        out->n_isolated[a] = c[0] - c[1] - c[2] - c[3];
        out->percolates[a] = c[3] > 0;
    }
    free(mask);
    out->set_fraction = (double)out->n_set / (double)nv;
    const double ns = out->n_set > 0 ? (double)out->n_set : 1.0;
    for (int a = 0; a < 3; a++) {
        out->percolating_fraction[a] = (double)out->n_percolating[a] / ns;
        out->dead_end_fraction[a] = (double)out->n_dead_end[a] / ns;
        out->isolated_fraction[a] = (double)out->n_isolated[a] / ns;
        out->percolating_fraction_total[a] = (double)out->n_percolating[a] / (double)nv;
        out->dead_end_fraction_total[a] = (double)out->n_dead_end[a] / (double)nv;
        out->isolated_fraction_total[a] = (double)out->n_isolated[a] / (double)nv;
    }
    return SSB_OK;
}
