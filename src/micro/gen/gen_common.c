/* Helpers shared by the microstructure generators: the box, sphere voxelisation, phase-table entries. */
#include "gen_impl.h"

#include <math.h>
#include <string.h>

void ssbi_box_init(ssbi_box *b, ssb_grid *g, int periodic)
{
    ssb_grid_get_dims(g, b->n);
    ssb_grid_get_voxel_size(g, b->h);
    for (int a = 0; a < 3; a++) b->len[a] = (double)b->n[a] * b->h[a];
    b->periodic = periodic ? 1 : 0;
    b->zclip = 0;
    b->lab = ssb_grid_get_labels(g);
}

/* Index range [*lo, *hi] (unwrapped) of voxel centres (i + 0.5) h within [c - w, c + w]; returns 0 if empty. */
static int axis_range(const ssbi_box *b, int a, double c, double w, int64_t *lo, int64_t *hi)
{
    double h = b->h[a];
    int64_t l = ssbi_clamp_i64(ceil((c - w) / h - 0.5), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
    int64_t u = ssbi_clamp_i64(floor((c + w) / h - 0.5), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
    if (b->periodic && !(a == 2 && b->zclip)) {
        if (u - l + 1 > b->n[a]) u = l + b->n[a] - 1;
    } else {
        if (l < 0) l = 0;
        if (u > b->n[a] - 1) u = b->n[a] - 1;
    }
    *lo = l;
    *hi = u;
    return u >= l;
}

static inline int64_t wrap_index(int64_t i, int64_t n)
{
    int64_t m = i % n;
    return m < 0 ? m + n : m;
}

int64_t ssbi_sphere_visit(const ssbi_box *b, const double c[3], double r, ssbi_sphere_mode mode, uint8_t from_label,
                          uint8_t to_label, int32_t *gid)
{
    const int64_t nx = b->n[0], ny = b->n[1], nz = b->n[2];
    const double r2 = r * r;
    int64_t k0, k1, count = 0;
    if (!axis_range(b, 2, c[2], r, &k0, &k1)) return 0;
    for (int64_t k = k0; k <= k1; k++) {
        double dz = ((double)k + 0.5) * b->h[2] - c[2];
        double rz2 = r2 - dz * dz;
        if (rz2 < 0.0) continue;
        int64_t kk = wrap_index(k, nz);
        int64_t j0, j1;
        if (!axis_range(b, 1, c[1], sqrt(rz2), &j0, &j1)) continue;
        for (int64_t j = j0; j <= j1; j++) {
            double dy = ((double)j + 0.5) * b->h[1] - c[1];
            double ry2 = rz2 - dy * dy;
            if (ry2 < 0.0) continue;
            int64_t jj = wrap_index(j, ny);
            int64_t i0, i1;
            if (!axis_range(b, 0, c[0], sqrt(ry2), &i0, &i1)) continue;
            int64_t row = nx * (jj + ny * kk);
            for (int64_t i = i0; i <= i1; i++) {
                int64_t v = row + wrap_index(i, nx);
                uint8_t *p = &b->lab[v];
                switch (mode) {
                case SSBI_SPHERE_COUNT:
                    count += (*p == from_label);
                    break;
                case SSBI_SPHERE_FILL:
                    if (*p == from_label) {
                        *p = to_label;
                        count++;
                    }
                    break;
                case SSBI_SPHERE_COUNT_OTHER:
                    count += (*p != to_label);
                    break;
                case SSBI_SPHERE_CARVE:
                    if (*p != to_label) {
                        *p = to_label;
                        if (gid) gid[v] = -1;
                        count++;
                    }
                    break;
                }
            }
        }
    }
    return count;
}

int ssbi_gen_touch_phase(ssb_ctx *ctx, ssb_grid *g, uint8_t label, const char *name, ssb_phase_role role)
{
    ssb_phase p;
    const ssb_phase *old = ssb_grid_find_phase(g, label);
    if (old) {
        p = *old;
    } else {
        memset(&p, 0, sizeof p);
        p.label = label;
    }
    if (name && name[0]) {
        strncpy(p.name, name, SSB_NAME_MAX - 1);
        p.name[SSB_NAME_MAX - 1] = '\0';
    }
    p.role = role;
    SSB_CHECK(ctx, ssb_grid_set_phase(ctx, g, &p));
    return SSB_OK;
}
