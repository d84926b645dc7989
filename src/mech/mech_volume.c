/* mech: volume change of the active material on a voxel image by an exact Euclidean distance transform
 * (ssb_mech.h). */
#include "core_impl.h"

#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BIG 1e30

/* 1-D squared distance transform of f[0..n-1] (Felzenszwalb & Huttenlocher 2012) into d; v, z scratch. */
static void dt1d(const double *f, int64_t n, double *d, int64_t *v, double *z)
{
    int64_t k = 0;
    v[0] = 0;
    z[0] = -BIG;
    z[1] = BIG;
    for (int64_t q = 1; q < n; q++) {
        if (f[q] >= BIG)
            continue;
        while (1) {
            int64_t p = v[k];
            if (f[p] >= BIG) { /* the first kept parabola may be an infinite one: replace it */
                v[k] = q;
                z[k] = -BIG;
                z[k + 1] = BIG;
                break;
            }
            double s = ((f[q] + (double)q * q) - (f[p] + (double)p * p)) / (2.0 * (double)(q - p));
            if (s <= z[k] && k > 0) {
                k--;
                continue;
            }
            if (s <= z[k]) { /* k == 0 */
                v[0] = q;
                z[0] = -BIG;
                z[1] = BIG;
                break;
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = BIG;
            break;
        }
    }
    k = 0;
    for (int64_t q = 0; q < n; q++) {
        while (z[k + 1] < (double)q)
            k++;
        double fv = f[v[k]];
        d[q] = fv >= BIG ? BIG : (double)(q - v[k]) * (double)(q - v[k]) + fv;
    }
}

/* Squared distance (voxel units) of every voxel to the nearest voxel with is_target set (BIG if none). */
static int sq_edt(ssb_ctx *ctx, const int64_t dims[3], const uint8_t *is_target, double *D)
{
    int64_t nx = dims[0], ny = dims[1], nz = dims[2], nmax = nx > ny ? nx : ny;
    if (nz > nmax)
        nmax = nz;
    double *f = ssbi_malloc(ctx, (size_t)nmax * sizeof *f, "distance transform"),
           *d = ssbi_malloc(ctx, (size_t)nmax * sizeof *d, "distance transform"),
           *z = ssbi_malloc(ctx, (size_t)(nmax + 1) * sizeof *z, "distance transform");
    int64_t *v = ssbi_malloc(ctx, (size_t)nmax * sizeof *v, "distance transform");
    if (!f || !d || !z || !v) {
        free(f), free(d), free(z), free(v);
        return SSB_ERR_NOMEM;
    }
    int64_t n = nx * ny * nz;
    for (int64_t i = 0; i < n; i++)
        D[i] = is_target[i] ? 0.0 : BIG;
    const int64_t stride[3] = {1, nx, nx * ny};
    for (int ax = 0; ax < 3; ax++) {
        int64_t len = dims[ax], s = stride[ax];
        for (int64_t base = 0; base < n; base++) {
            /* base runs over the voxels whose coordinate along ax is 0 */
            int64_t c = (base / s) % len;
            if (c)
                continue;
            for (int64_t q = 0; q < len; q++)
                f[q] = D[base + q * s];
            dt1d(f, len, d, v, z);
            for (int64_t q = 0; q < len; q++)
                D[base + q * s] = d[q];
        }
    }
    free(f), free(d), free(z), free(v);
    return SSB_OK;
}

int ssb_mech_volume_change(ssb_ctx *ctx, const ssb_grid *orig, uint8_t cam_label, uint8_t gap_label, double dv,
                           ssb_grid **out, double *dv_done)
{
    SSB_REQUIRE(ctx, orig && out, SSB_ERR_ARG, "ssb_mech_volume_change: NULL argument");
    *out = NULL;
    SSB_REQUIRE(ctx, dv > -1 && dv <= 2, SSB_ERR_RANGE, "relative volume change %g outside (-1, 2]", dv);
    SSB_REQUIRE(ctx, gap_label != cam_label, SSB_ERR_RANGE, "gap label %d equals the CAM label", (int)gap_label);
    const ssb_phase *gp = ssb_grid_find_phase(orig, gap_label);
    SSB_REQUIRE(ctx, !gp || gp->role == SSB_ROLE_PORE, SSB_ERR_RANGE,
                "gap label %d is used by phase '%s' (role %s), not a pore", (int)gap_label, gp ? gp->name : "",
                gp ? ssb_role_name(gp->role) : "");
    double h[3];
    ssb_grid_get_voxel_size(orig, h);
    SSB_REQUIRE(ctx, fabs(h[1] - h[0]) <= 1e-9 * h[0] && fabs(h[2] - h[0]) <= 1e-9 * h[0], SSB_ERR_RANGE,
                "volume change needs cubic voxels (voxel size %g x %g x %g m)", h[0], h[1], h[2]);
    int64_t dims[3], n = ssb_grid_get_nvoxels(orig);
    ssb_grid_get_dims(orig, dims);
    const uint8_t *L0 = ssb_grid_get_labels_const(orig);
    int64_t ncam = 0;
    for (int64_t i = 0; i < n; i++)
        ncam += L0[i] == cam_label;
    SSB_REQUIRE(ctx, ncam > 0, SSB_ERR_RANGE, "no voxel with the CAM label %d", (int)cam_label);
    ssb_grid *g = NULL;
    SSB_CHECK(ctx, ssb_grid_duplicate(ctx, orig, &g));
    int rc = SSB_OK;
    if (!gp) {
        ssb_phase ph;
        memset(&ph, 0, sizeof ph);
        ph.label = gap_label;
        snprintf(ph.name, sizeof ph.name, "gap");
        ph.role = SSB_ROLE_PORE;
        rc = ssb_grid_set_phase(ctx, g, &ph);
    }
    int64_t target = llround(fabs(dv) * (double)ncam);
    uint8_t *tgt = NULL;
    double *D = NULL;
    int64_t *hist = NULL;
    if (!rc && target > 0) {
        tgt = ssbi_malloc(ctx, (size_t)n, "volume change mask");
        D = ssbi_malloc(ctx, (size_t)n * sizeof *D, "distance transform");
        if (!tgt || !D)
            rc = SSB_ERR_NOMEM;
    }
    if (!rc && target > 0) {
        int shrink = dv < 0;
        /* the voxels that may change are the CAM (shrink) or the non-CAM (grow); distances to the other set */
        for (int64_t i = 0; i < n; i++)
            tgt[i] = (uint8_t)(shrink ? L0[i] != cam_label : L0[i] == cam_label);
        rc = sq_edt(ctx, dims, tgt, D);
        int64_t maxd = 0, nfinite = 0;
        for (int64_t i = 0; !rc && i < n; i++)
            if (!tgt[i] && D[i] < BIG) {
                nfinite++;
                if ((int64_t)D[i] > maxd)
                    maxd = (int64_t)D[i];
            }
        if (!rc && nfinite < target)
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "volume change %g needs %lld voxels but only %lld can change", dv,
                           (long long)target, (long long)nfinite);
        if (!rc) {
            hist = ssbi_calloc(ctx, (size_t)maxd + 1, sizeof *hist, "distance histogram");
            if (!hist)
                rc = SSB_ERR_NOMEM;
        }
        if (!rc) {
            for (int64_t i = 0; i < n; i++)
                if (!tgt[i] && D[i] < BIG)
                    hist[(int64_t)D[i]]++;
            int64_t T = 0, cum = 0;
            while (cum + hist[T] < target)
                cum += hist[T++];
            int64_t left = target - cum; /* voxels to change at squared depth T */
            uint8_t *L = ssb_grid_get_labels(g);
            uint8_t newlab = shrink ? gap_label : cam_label;
            for (int64_t i = 0; i < n; i++) {
                if (tgt[i] || D[i] >= BIG)
                    continue;
                int64_t di = (int64_t)D[i];
                if (di < T || (di == T && left > 0)) {
                    if (di == T)
                        left--;
                    L[i] = newlab;
                }
            }
        }
    }
    free(tgt);
    free(D);
    free(hist);
    if (rc) {
        ssb_grid_destroy(&g);
        return rc;
    }
    if (dv_done)
        *dv_done = (dv < 0 ? -1.0 : 1.0) * (double)target / (double)ncam;
    *out = g;
    return SSB_OK;
}

int ssb_mech_same_field(const ssb_grid *a, const double sa[256], const ssb_grid *b, const double sb[256])
{
    if (!a || !b || !sa || !sb)
        return 0;
    int64_t da[3], db[3];
    double ha[3], hb[3];
    ssb_grid_get_dims(a, da);
    ssb_grid_get_dims(b, db);
    ssb_grid_get_voxel_size(a, ha);
    ssb_grid_get_voxel_size(b, hb);
    for (int k = 0; k < 3; k++)
        if (da[k] != db[k] || ha[k] != hb[k])
            return 0;
    const uint8_t *La = ssb_grid_get_labels_const(a), *Lb = ssb_grid_get_labels_const(b);
    int64_t n = ssb_grid_get_nvoxels(a);
    for (int64_t i = 0; i < n; i++)
        if (sa[La[i]] != sb[Lb[i]])
            return 0;
    return 1;
}
