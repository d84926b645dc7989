/* Connected components of a z-slab decomposed image: local union-find over the slab's voxels of a set, the slab
 * faces joined through the neighbours' face planes, and one union-find over the components (not the voxels) on
 * rank 0, which ORs the per-voxel flags over each global component. The percolation classes (Dirichlet-plane
 * flags), the percolation per axis and the composite-electrode networks of dist_analyze.c all use it. */
#include "dist_impl.h"

#if SSB_HAVE_HYPRE
#include <stdlib.h>
#include <string.h>

/* Union-find with path halving, the smaller root kept; one definition for the component indices (64-bit) and the
 * slab's voxel indices (32-bit: 4 bytes per voxel instead of 8, the largest array of a rank). */
#define UF_DEFINE(T, find, unite)                                                                                     \
    static T find(T *p, T i)                                                                                          \
    {                                                                                                                 \
        while (p[i] != i) {                                                                                           \
            p[i] = p[p[i]];                                                                                           \
            i = p[i];                                                                                                 \
        }                                                                                                             \
        return i;                                                                                                     \
    }                                                                                                                 \
    static void unite(T *p, T a, T b)                                                                                 \
    {                                                                                                                 \
        a = find(p, a);                                                                                               \
        b = find(p, b);                                                                                               \
        if (a < b)                                                                                                    \
            p[b] = a;                                                                                                 \
        else if (b < a)                                                                                               \
            p[a] = b;                                                                                                 \
    }
UF_DEFINE(int64_t, uf_find, uf_union)
UF_DEFINE(int32_t, uf32_find, uf32_union)

/* Flags of a component: touches the low Dirichlet plane (1), the high one (2). */
enum { TOUCH_LO = 1, TOUCH_HI = 2 };

/* Gather variable-length int64 arrays on rank 0 (counts in elements); *all (rank 0) is new, *displs as well. */
static int gather_i64(ssb_ctx *ctx, MPI_Comm comm, const int64_t *mine, int n, int64_t **all, int **counts,
                      int **displs, int64_t *total)
{
    int size, rank;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);
    *all = NULL;
    *counts = *displs = NULL;
    *total = 0;
    int rc = SSB_OK;
    if (rank == 0) {
        *counts = calloc((size_t)size, sizeof(int));
        *displs = calloc((size_t)size, sizeof(int));
        if (!*counts || !*displs)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory gathering %d ranks' component tables", size);
    }
    MPI_Gather(&n, 1, MPI_INT, rank == 0 ? *counts : NULL, 1, MPI_INT, 0, comm);
    if (rank == 0 && rc == SSB_OK) {
        int64_t t = 0;
        for (int r = 0; r < size; r++) {
            (*displs)[r] = (int)t;
            t += (*counts)[r];
        }
        if (t > INT32_MAX)
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                           "%lld component-table entries exceed what one MPI message carries (2^31 - 1): use more "
                           "ranks per plane or a coarser image",
                           (long long)t);
        *total = t;
        if (rc == SSB_OK) {
            *all = malloc((size_t)(t > 0 ? t : 1) * sizeof(int64_t));
            if (!*all)
                rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for %lld component-table entries", (long long)t);
        }
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK)
        return rc;
    MPI_Gatherv(mine, n, MPI_INT64_T, *all, *counts, *displs, MPI_INT64_T, 0, comm);
    return SSB_OK;
}

/* The neighbours of a voxel that come before it in memory order, for 6-, 18- and 26-connectivity: offsets
 * (dx, dy, dz) with dz = -1, or dz = 0 and (dy = -1, or dy = 0 and dx = -1). The first NB6 are 6-connected, the
 * first NB18 18-connected (at most two non-zero offsets), all NB26 26-connected. */
static const int nb_back[13][3] = {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1},   /* faces */
                                   {-1, -1, 0}, {1, -1, 0}, {-1, 0, -1}, /* edges */
                                   {1, 0, -1}, {0, -1, -1}, {0, 1, -1},  /* edges */
                                   {-1, -1, -1}, {1, -1, -1}, {-1, 1, -1}, {1, 1, -1}}; /* corners */
static int nb_count(ssb_connectivity conn)
{
    return conn == SSB_CONN_26 ? 13 : conn == SSB_CONN_18 ? 9 : 3;
}

int ssbi_dist_components(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                         const uint8_t in_set[256], uint8_t *flags, int64_t comp_hist[256])
{
    return ssbi_dist_components_conn(ctx, comm, slab, halo_lo, halo_hi, in_set, SSB_CONN_6, flags, comp_hist);
}

/* Longer than 150 lines on purpose: one collective pipeline (local union-find, compaction, face-plane exchange,
 * gathers, rank 0's union-find, scatter) whose buffers are shared by the steps and freed on one path, with an
 * agreement between the ranks after every allocation. */
int ssbi_dist_components_conn(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                              const uint8_t in_set[256], ssb_connectivity conn, uint8_t *flags,
                              int64_t comp_hist[256])
{
    const int nnb = nb_count(conn);
    int size, rank;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);
    int64_t d[3];
    ssb_grid_get_dims(slab, d);
    const int64_t nx = d[0], ny = d[1], nxy = nx * ny, nz = d[2] - halo_lo - halo_hi;
    const int64_t nloc = nxy * nz;
    const uint8_t *lab = ssb_grid_get_labels_const(slab) + halo_lo * nxy;
    /* parents as 32-bit voxel indices; roots later hold -(component id + 2) */
    int32_t *par = NULL;
    int rc = SSB_OK;
    if (nloc > INT32_MAX - 2)
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                       "a rank's slab holds %lld voxels, more than the 2^31 - 3 of its union-find: start more ranks "
                       "(at most %lld planes of %lld x %lld voxels per rank)",
                       (long long)nloc, (long long)((INT32_MAX - 2) / nxy), (long long)nx, (long long)ny);
    if (rc == SSB_OK) {
        par = malloc((size_t)(nloc > 0 ? nloc : 1) * sizeof *par);
        if (!par)
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the slab's union-find (%lld voxels)",
                           (long long)nloc);
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK) {
        free(par);
        return rc;
    }
    /* 1. local components (inside the owned planes: each voxel joined with its earlier neighbours) */
    for (int64_t v = 0; v < nloc; v++)
        par[v] = in_set[lab[v]] ? (int32_t)v : -1;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * (y + ny * z);
                if (par[v] < 0)
                    continue;
                for (int k = 0; k < nnb; k++) {
                    const int64_t X = x + nb_back[k][0], Y = y + nb_back[k][1], Z = z + nb_back[k][2];
                    if (X < 0 || X >= nx || Y < 0 || Y >= ny || Z < 0)
                        continue;
                    const int64_t w = X + nx * (Y + ny * Z);
                    if (par[w] >= 0)
                        uf32_union(par, (int32_t)v, (int32_t)w);
                }
            }
    /* 2. compact component ids (local root -> 0..nc-1), kept in par of the roots as -(id + 2) */
    int64_t nc = 0;
    for (int64_t v = 0; v < nloc; v++)
        if (par[v] == v)
            nc++;
    int64_t *root_id = malloc((size_t)(nc > 0 ? nc : 1) * sizeof(int64_t));
    uint8_t *flag = calloc((size_t)(nc > 0 ? nc : 1), 1);
    int64_t *plane_lo = malloc((size_t)nxy * sizeof(int64_t)), *plane_hi = malloc((size_t)nxy * sizeof(int64_t));
    int64_t *recv = malloc((size_t)nxy * sizeof(int64_t));
    rc = (root_id && flag && plane_lo && plane_hi && recv)
             ? SSB_OK
             : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for %lld components", (long long)nc);
    rc = ssbi_dist_agree(ctx, rc);
    int64_t *comp = NULL, *pairs = NULL, *all = NULL, *gflag = NULL;
    int *cnt = NULL, *dsp = NULL;
    uint8_t *cls_of = NULL;
    if (rc != SSB_OK)
        goto out;
    {
        int64_t c = 0;
        for (int64_t v = 0; v < nloc; v++)
            if (par[v] == v)
                root_id[c] = v, par[v] = (int32_t)(-(c++) - 2);
        /* component of every conducting voxel: find the root (roots hold -(id+2)) */
        for (int64_t v = 0; v < nloc; v++) {
            if (par[v] == -1)
                continue;
            int32_t r = (int32_t)v;
            while (par[r] >= 0)
                r = par[r];
            const int64_t id = -par[r] - 2;
            if (par[v] >= 0)
                par[v] = r; /* flatten: point straight at the root */
            (void)id;
        }
    }
#define COMP(v) (par[v] == -1 ? -1 : (par[v] >= 0 ? -(int64_t)par[par[v]] - 2 : -(int64_t)par[v] - 2))
    /* global id offset of this rank's components */
    int64_t off = 0;
    MPI_Exscan(&nc, &off, 1, MPI_INT64_T, MPI_SUM, comm);
    if (rank == 0)
        off = 0;
    /* 3. flags of the components: OR of their voxels' flags */
    for (int64_t v = 0; v < nloc; v++) {
        const int64_t id = COMP(v);
        if (id >= 0)
            flag[id] |= flags[v];
    }
    /* 4. face planes: global ids of the first and last owned planes, exchanged with the neighbours */
    for (int64_t i = 0; i < nxy; i++) {
        const int64_t a = COMP(i), b = COMP(i + (nz - 1) * nxy);
        plane_lo[i] = a < 0 ? -1 : a + off;
        plane_hi[i] = b < 0 ? -1 : b + off;
    }
    const int up = rank + 1 < size ? rank + 1 : MPI_PROC_NULL, down = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    for (int64_t i = 0; i < nxy; i++)
        recv[i] = -1;
    /* my last plane goes up; I receive the plane below me (the lower neighbour's last plane) */
    MPI_Sendrecv(plane_hi, (int)nxy, MPI_INT64_T, up, 11, recv, (int)nxy, MPI_INT64_T, down, 11, comm,
                 MPI_STATUS_IGNORE);
    /* pairs (lower neighbour's component, mine) joined across the face: the neighbours at dz = -1 */
    int64_t npairs = 0;
    for (int pass = 0; pass < 2; pass++) {
        int64_t k = 0;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t i = x + nx * y;
                if (plane_lo[i] < 0)
                    continue;
                for (int n = 2; n < nnb; n++) {
                    if (nb_back[n][2] != -1)
                        continue;
                    const int64_t X = x + nb_back[n][0], Y = y + nb_back[n][1];
                    if (X < 0 || X >= nx || Y < 0 || Y >= ny || recv[X + nx * Y] < 0)
                        continue;
                    if (pass == 1) {
                        pairs[k] = recv[X + nx * Y];
                        pairs[k + 1] = plane_lo[i];
                    }
                    k += 2;
                }
            }
        if (pass == 0) {
            npairs = k / 2;
            pairs = malloc((size_t)(2 * npairs + 1) * sizeof(int64_t));
            comp = malloc((size_t)(nc + 1) * sizeof(int64_t));
            rc = pairs && comp ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the face pairs");
            rc = ssbi_dist_agree(ctx, rc);
            if (rc != SSB_OK)
                goto out;
        }
    }
    for (int64_t c = 0; c < nc; c++)
        comp[c] = flag[c];
    /* 5. rank 0: union-find over all components, OR of the flags per root, histogram of the roots' flags */
    int64_t ncall = 0, npall = 0;
    int *pcnt = NULL, *pdsp = NULL;
    if (nc > INT32_MAX || 2 * npairs > INT32_MAX) {
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "rank %d holds %lld components (more than one MPI message carries): use "
                       "more ranks", rank, (long long)nc);
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK)
        goto out;
    rc = gather_i64(ctx, comm, comp, (int)nc, &gflag, &cnt, &dsp, &ncall);
    if (rc == SSB_OK)
        rc = gather_i64(ctx, comm, pairs, (int)(2 * npairs), &all, &pcnt, &pdsp, &npall);
    free(pcnt);
    free(pdsp);
    if (rc != SSB_OK)
        goto out;
    cls_of = malloc((size_t)(nc + 1));
    uint8_t *gcls = NULL;
    int rc0 = SSB_OK;
    int64_t hist[256];
    memset(hist, 0, sizeof hist);
    if (rank == 0) {
        int64_t *gp = malloc((size_t)(ncall + 1) * sizeof(int64_t));
        gcls = malloc((size_t)(ncall + 1));
        if (!gp || !gcls) {
            rc0 = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for %lld components on rank 0", (long long)ncall);
        } else {
            for (int64_t c = 0; c < ncall; c++)
                gp[c] = c;
            for (int64_t k = 0; k + 1 < npall; k += 2)
                uf_union(gp, all[k], all[k + 1]);
            uint8_t *rf = calloc((size_t)(ncall + 1), 1);
            if (!rf) {
                rc0 = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for %lld components on rank 0", (long long)ncall);
            } else {
                for (int64_t c = 0; c < ncall; c++)
                    rf[uf_find(gp, c)] |= (uint8_t)gflag[c];
                for (int64_t c = 0; c < ncall; c++) {
                    const int64_t r = uf_find(gp, c);
                    gcls[c] = rf[r];
                    if (r == c)
                        hist[rf[r]]++;
                }
                free(rf);
            }
        }
        free(gp);
    }
    rc = ssbi_dist_agree(ctx, rc0 != SSB_OK ? rc0 : (cls_of ? SSB_OK : SSB_ERR_NOMEM));
    if (rc == SSB_OK)
        MPI_Scatterv(gcls, cnt, dsp, MPI_UINT8_T, cls_of, (int)nc, MPI_UINT8_T, 0, comm);
    free(gcls);
    if (rc != SSB_OK)
        goto out;
    /* 6. flags of the voxels: those of their global component */
    for (int64_t v = 0; v < nloc; v++) {
        const int64_t id = COMP(v);
        flags[v] = id < 0 ? 0 : cls_of[id];
    }
#undef COMP
    MPI_Bcast(hist, 256, MPI_INT64_T, 0, comm);
    if (comp_hist)
        memcpy(comp_hist, hist, sizeof hist);
out:
    free(par);
    free(root_id);
    free(flag);
    free(plane_lo);
    free(plane_hi);
    free(recv);
    free(comp);
    free(pairs);
    free(all);
    free(gflag);
    free(cnt);
    free(dsp);
    free(cls_of);
    return rc;
}

int ssbi_dist_classes(ssb_ctx *ctx, MPI_Comm comm, const ssb_grid *slab, int halo_lo, int halo_hi,
                      const uint8_t in_set[256], ssb_axis axis, int64_t nz_total, uint8_t *cls, int64_t counts[3])
{
    int size, rank;
    MPI_Comm_size(comm, &size);
    MPI_Comm_rank(comm, &rank);
    int64_t d[3], zg0, nzr;
    ssb_grid_get_dims(slab, d);
    const int64_t nx = d[0], ny = d[1], nz = d[2] - halo_lo - halo_hi;
    ssb_dist_slab(nz_total, size, rank, &zg0, &nzr);
    /* the Dirichlet planes' flags of the voxels, then the components' */
    ssbi_dist_plane_flags(d, nz, zg0, nz_total, (int)axis, 0, cls);
    int rc = ssbi_dist_components(ctx, comm, slab, halo_lo, halo_hi, in_set, cls, NULL);
    if (rc != SSB_OK)
        return rc;
    int64_t cn[3] = {0, 0, 0};
    const int64_t nloc = nx * ny * nz;
    const uint8_t *lab = ssb_grid_get_labels_const(slab) + halo_lo * nx * ny;
    for (int64_t v = 0; v < nloc; v++) {
        if (!in_set[lab[v]]) {
            cls[v] = 0;
            continue;
        }
        const uint8_t f = cls[v];
        cls[v] = f == (TOUCH_LO | TOUCH_HI) ? 1 : f ? 2 : 3;
        cn[cls[v] - 1]++;
    }
    if (counts)
        MPI_Allreduce(cn, counts, 3, MPI_INT64_T, MPI_SUM, comm);
    return SSB_OK;
}

void ssbi_dist_plane_flags(const int64_t d[3], int64_t nz, int64_t zg0, int64_t nz_total, int axis, int shift,
                           uint8_t *flags)
{
    const int64_t nx = d[0], ny = d[1], nax = axis == 0 ? nx : axis == 1 ? ny : nz_total;
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t c = axis == 0 ? x : axis == 1 ? y : zg0 + z;
                uint8_t f = 0;
                if (c == 0)
                    f |= TOUCH_LO;
                if (c == nax - 1)
                    f |= TOUCH_HI;
                uint8_t *p = flags + x + nx * (y + ny * z);
                *p = (uint8_t)((shift ? *p : 0) | (f << shift));
            }
}
#endif
