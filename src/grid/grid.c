/* Voxel grid: storage, phase table, histograms and through-plane flood fills. */
#include "core_impl.h"

#include <ssbnet/ssb_grid.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

struct ssb_grid {
    int64_t n[3];
    double h[3];
    uint8_t *labels;
    int nphases;
    ssb_phase phases[256]; /* sorted by label */
};

static const char *role_names[SSB_ROLE_COUNT] = {"undefined", "active", "se",     "carbon",
                                                 "pore",      "coating", "gb", "binder"};

const char *ssb_role_name(ssb_phase_role role)
{
    if ((int)role < 0 || role >= SSB_ROLE_COUNT) return "undefined";
    return role_names[role];
}

int ssb_role_parse(const char *name, ssb_phase_role *role)
{
    static const struct {
        const char *alias;
        ssb_phase_role role;
    } aliases[] = {{"cam", SSB_ROLE_ACTIVE},         {"active_material", SSB_ROLE_ACTIVE},
                   {"electrolyte", SSB_ROLE_SE},      {"solid_electrolyte", SSB_ROLE_SE},
                   {"cbd", SSB_ROLE_CARBON},          {"conductive_binder", SSB_ROLE_CARBON},
                   {"void", SSB_ROLE_PORE},           {"grain_boundary", SSB_ROLE_GB}};
    if (!name || !role) return SSB_ERR_ARG;
    for (int r = 0; r < SSB_ROLE_COUNT; r++)
        if (strcasecmp(name, role_names[r]) == 0) {
            *role = (ssb_phase_role)r;
            return SSB_OK;
        }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(name, aliases[i].alias) == 0) {
            *role = aliases[i].role;
            return SSB_OK;
        }
    return SSB_ERR_NOTFOUND;
}

const char *ssb_axis_name(ssb_axis axis)
{
    static const char *names[3] = {"x", "y", "z"};
    return ((int)axis >= 0 && axis <= 2) ? names[axis] : "?";
}

int ssb_axis_parse(ssb_ctx *ctx, const char *s, ssb_axis *axis)
{
    SSB_REQUIRE(ctx, s && axis, SSB_ERR_ARG, "axis: missing value (valid: x, y or z)");
    if (s[0] && !s[1]) {
        switch (tolower((unsigned char)s[0])) {
        case 'x': case '0': *axis = SSB_AXIS_X; return SSB_OK;
        case 'y': case '1': *axis = SSB_AXIS_Y; return SSB_OK;
        case 'z': case '2': *axis = SSB_AXIS_Z; return SSB_OK;
        default: break;
        }
    }
    return SSB_ERROR(ctx, SSB_ERR_ARG, "axis '%s' does not exist (valid: x, y or z)", s);
}

static int check_h(ssb_ctx *ctx, const double h[3])
{
    for (int a = 0; a < 3; a++)
        SSB_REQUIRE(ctx, isfinite(h[a]) && h[a] > 0.0, SSB_ERR_RANGE,
                    "voxel size along %s = %g m is invalid (must be finite and > 0)", ssb_axis_name((ssb_axis)a),
                    h[a]);
    return SSB_OK;
}

int ssb_grid_create(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double dx, double dy, double dz,
                    ssb_grid **grid)
{
    SSB_REQUIRE(ctx, grid, SSB_ERR_ARG, "ssb_grid_create: grid pointer is NULL");
    *grid = NULL;
    const int64_t n[3] = {nx, ny, nz};
    const double h[3] = {dx, dy, dz};
    for (int a = 0; a < 3; a++)
        SSB_REQUIRE(ctx, n[a] >= 1 && n[a] <= (INT64_C(1) << 24), SSB_ERR_RANGE,
                    "grid dimension along %s = %lld is invalid (valid: 1 to 16777216)", ssb_axis_name((ssb_axis)a),
                    (long long)n[a]);
    SSB_CHECK(ctx, check_h(ctx, h));
    int64_t nv = nx * ny * nz;
    SSB_REQUIRE(ctx, nv / nx / ny == nz && nv <= (INT64_C(1) << 40), SSB_ERR_RANGE,
                "grid of %lld x %lld x %lld voxels is too large", (long long)nx, (long long)ny, (long long)nz);
    ssb_grid *g = ssbi_calloc(ctx, 1, sizeof *g, "grid");
    if (!g) return SSB_ERR_NOMEM;
    g->labels = ssbi_calloc(ctx, (size_t)nv, 1, "voxel labels");
    if (!g->labels) {
        free(g);
        return SSB_ERR_NOMEM;
    }
    memcpy(g->n, n, sizeof n);
    memcpy(g->h, h, sizeof h);
    *grid = g;
    return SSB_OK;
}

int ssb_grid_duplicate(ssb_ctx *ctx, const ssb_grid *src, ssb_grid **dst)
{
    SSB_REQUIRE(ctx, src && dst, SSB_ERR_ARG, "ssb_grid_duplicate: NULL argument");
    SSB_CHECK(ctx, ssb_grid_create(ctx, src->n[0], src->n[1], src->n[2], src->h[0], src->h[1], src->h[2], dst));
    memcpy((*dst)->labels, src->labels, (size_t)ssb_grid_get_nvoxels(src));
    (*dst)->nphases = src->nphases;
    memcpy((*dst)->phases, src->phases, sizeof src->phases);
    return SSB_OK;
}

void ssb_grid_destroy(ssb_grid **grid)
{
    if (!grid || !*grid) return;
    free((*grid)->labels);
    free(*grid);
    *grid = NULL;
}

void ssb_grid_get_dims(const ssb_grid *g, int64_t dims[3]) { memcpy(dims, g->n, sizeof g->n); }
int64_t ssb_grid_get_nvoxels(const ssb_grid *g) { return g->n[0] * g->n[1] * g->n[2]; }
void ssb_grid_get_voxel_size(const ssb_grid *g, double h[3]) { memcpy(h, g->h, sizeof g->h); }

int ssb_grid_set_voxel_size(ssb_ctx *ctx, ssb_grid *g, const double h[3])
{
    SSB_REQUIRE(ctx, g && h, SSB_ERR_ARG, "ssb_grid_set_voxel_size: NULL argument");
    SSB_CHECK(ctx, check_h(ctx, h));
    memcpy(g->h, h, sizeof g->h);
    return SSB_OK;
}

uint8_t *ssb_grid_get_labels(ssb_grid *g) { return g->labels; }
const uint8_t *ssb_grid_get_labels_const(const ssb_grid *g) { return g->labels; }

int ssb_grid_set_phase(ssb_ctx *ctx, ssb_grid *g, const ssb_phase *phase)
{
    SSB_REQUIRE(ctx, g && phase, SSB_ERR_ARG, "ssb_grid_set_phase: NULL argument");
    SSB_REQUIRE(ctx, isfinite(phase->sigma_ion) && phase->sigma_ion >= 0.0, SSB_ERR_RANGE,
                "phase '%s' (label %d): ionic conductivity %g S/m is invalid (must be >= 0)", phase->name,
                phase->label, phase->sigma_ion);
    SSB_REQUIRE(ctx, isfinite(phase->sigma_el) && phase->sigma_el >= 0.0, SSB_ERR_RANGE,
                "phase '%s' (label %d): electronic conductivity %g S/m is invalid (must be >= 0)", phase->name,
                phase->label, phase->sigma_el);
    SSB_REQUIRE(ctx, (int)phase->role >= 0 && phase->role < SSB_ROLE_COUNT, SSB_ERR_RANGE,
                "phase '%s': role %d is invalid", phase->name, (int)phase->role);
    SSB_REQUIRE(ctx, isfinite(phase->thickness) && phase->thickness >= 0.0 && phase->thickness < 1.0,
                SSB_ERR_RANGE, "phase '%s' (label %d): thickness %g m is invalid (0 = not given, or up to 1 m)",
                phase->name, phase->label, phase->thickness);
    int i = 0;
    while (i < g->nphases && g->phases[i].label < phase->label) i++;
    if (i < g->nphases && g->phases[i].label == phase->label) {
        g->phases[i] = *phase;
    } else {
        memmove(&g->phases[i + 1], &g->phases[i], (size_t)(g->nphases - i) * sizeof g->phases[0]);
        g->phases[i] = *phase;
        g->nphases++;
    }
    g->phases[i].name[SSB_NAME_MAX - 1] = '\0';
    g->phases[i].material[SSB_NAME_MAX - 1] = '\0';
    return SSB_OK;
}

int ssb_grid_get_nphases(const ssb_grid *g) { return g->nphases; }

const ssb_phase *ssb_grid_get_phase(const ssb_grid *g, int i)
{
    return (i >= 0 && i < g->nphases) ? &g->phases[i] : NULL;
}

const ssb_phase *ssb_grid_find_phase(const ssb_grid *g, uint8_t label)
{
    for (int i = 0; i < g->nphases; i++)
        if (g->phases[i].label == label) return &g->phases[i];
    return NULL;
}

const ssb_phase *ssb_grid_find_phase_name(const ssb_grid *g, const char *name)
{
    if (!name || !*name) return NULL;
    for (int i = 0; i < g->nphases; i++)
        if (strcasecmp(g->phases[i].name, name) == 0) return &g->phases[i];
    char *end;
    long v = strtol(name, &end, 10);
    if (*end == '\0' && v >= 0 && v <= 255) return ssb_grid_find_phase(g, (uint8_t)v);
    return NULL;
}

void ssb_grid_clear_phases(ssb_grid *g) { g->nphases = 0; }

/* Four partial histograms, voxel i counted in table i % 4: a segmented image has long runs of one label, and a single
 * table made every increment wait for the previous one's store (~5 cycles per voxel, 0.2 s on a 500^3 image). */
static void histogram_range(const uint8_t *lab, int64_t i0, int64_t i1, int64_t counts[256])
{
    int64_t t[4][256];
    memset(t, 0, sizeof t);
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) {
        t[0][lab[i]]++;
        t[1][lab[i + 1]]++;
        t[2][lab[i + 2]]++;
        t[3][lab[i + 3]]++;
    }
    for (; i < i1; i++) t[0][lab[i]]++;
    for (int k = 0; k < 256; k++) counts[k] += t[0][k] + t[1][k] + t[2][k] + t[3][k];
}

void ssb_grid_histogram(const ssb_grid *g, int64_t counts[256])
{
    const int64_t nv = ssb_grid_get_nvoxels(g);
    const uint8_t *lab = g->labels;
    memset(counts, 0, 256 * sizeof counts[0]);
#if SSB_HAVE_OPENMP
#pragma omp parallel
    {
        int64_t local[256] = {0};
        const int nth = omp_get_num_threads(), t = omp_get_thread_num();
        histogram_range(lab, nv * t / nth, nv * (t + 1) / nth, local);
#pragma omp critical
        for (int k = 0; k < 256; k++) counts[k] += local[k];
    }
#else
    histogram_range(lab, 0, nv, counts);
#endif
}

int ssb_grid_check_phases(ssb_ctx *ctx, const ssb_grid *g)
{
    int64_t counts[256];
    ssb_grid_histogram(g, counts);
    for (int k = 0; k < 256; k++)
        SSB_REQUIRE(ctx, counts[k] == 0 || ssb_grid_find_phase(g, (uint8_t)k), SSB_ERR_NOTFOUND,
                    "label %d occurs in %lld voxels but the phase table does not define it", k,
                    (long long)counts[k]);
    return SSB_OK;
}

/* Breadth-first flood fill of set voxels from one plane, marking `bit` in mask. Queue of int64 indices is
 * a ring buffer sized to the number of set voxels (each voxel enters at most once). */
static int flood(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], int axis, int64_t plane,
                 ssb_connectivity conn, uint8_t bit, uint8_t *mask, int64_t nset, int64_t *nreached)
{
    const int64_t nx = g->n[0], ny = g->n[1], nz = g->n[2];
    const int64_t stride[3] = {1, nx, nx * ny};
    const uint8_t *lab = g->labels;
    int64_t *queue = ssbi_malloc(ctx, (size_t)(nset > 0 ? nset : 1) * sizeof *queue, "flood-fill queue");
    if (!queue) return SSB_ERR_NOMEM;
    int64_t head = 0, tail = 0, reached = 0;
    /* seed from the plane */
    const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    for (int64_t j = 0; j < g->n[a2]; j++)
        for (int64_t i = 0; i < g->n[a1]; i++) {
            int64_t v = plane * stride[axis] + i * stride[a1] + j * stride[a2];
            if (in_set[lab[v]] && !(mask[v] & bit)) {
                mask[v] |= bit;
                queue[tail++] = v;
            }
        }
    /* neighbour offsets */
    int off[26][3], noff = 0;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int m = abs(dx) + abs(dy) + abs(dz);
                if (m == 0) continue;
                if (conn == SSB_CONN_6 && m > 1) continue;
                if (conn == SSB_CONN_18 && m > 2) continue;
                off[noff][0] = dx;
                off[noff][1] = dy;
                off[noff][2] = dz;
                noff++;
            }
    int64_t next_report = nset / 64 + 1;
    while (head < tail) {
        int64_t v = queue[head++];
        reached++;
        int64_t z = v / stride[2], rem = v - z * stride[2];
        int64_t y = rem / nx, x = rem - y * nx;
        for (int k = 0; k < noff; k++) {
            int64_t xx = x + off[k][0], yy = y + off[k][1], zz = z + off[k][2];
            if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) continue;
            int64_t w = xx + nx * (yy + ny * zz);
            if (in_set[lab[w]] && !(mask[w] & bit)) {
                mask[w] |= bit;
                queue[tail++] = w;
            }
        }
        if (reached >= next_report) {
            next_report += nset / 64 + 1;
            int rc = ssbi_progress(ctx, "flood fill", (double)reached, (double)nset);
            if (rc != SSB_OK) {
                free(queue);
                return rc;
            }
        }
    }
    free(queue);
    if (nreached) *nreached = reached;
    return SSB_OK;
}

/* Parallel path of ssb_grid_through_mask (grids below 2^32 - 1 voxels): connected components by union-find on a
 * 32-bit parent array, then the components that touch the inlet / outlet plane.
 *   1. z-slabs in parallel: every set voxel joins its already visited neighbours inside the slab (parents always
 *      point to smaller indices; along x a voxel points to the start of its run, and for 6-connectivity a voxel
 *      joins its y- / z- neighbour only where the run overlap with that row starts).
 *   2. slab boundaries, serially: the first plane of every slab joins the plane before it.
 *   3. the roots of the inlet / outlet voxels get bit 1 / 2 (serially, in mask);
 *   4. in parallel, read-only on the parents: every voxel takes the bits of its root.
 * The result is exactly that of the two flood fills. */
#define TM_NONE UINT32_MAX

static inline uint32_t tm_root(uint32_t *par, uint32_t a)
{
    while (par[a] != a) {
        par[a] = par[par[a]];
        a = par[a];
    }
    return a;
}

static inline uint32_t tm_root_ro(const uint32_t *par, uint32_t a)
{
    while (par[a] != a) a = par[a];
    return a;
}

static inline void tm_union(uint32_t *par, uint32_t a, uint32_t b)
{
    a = tm_root(par, a);
    b = tm_root(par, b);
    if (a < b) par[b] = a;
    else if (b < a) par[a] = b;
}

/* Backward neighbour offsets (those visited before the voxel in index order) of a connectivity. */
static int tm_offsets(ssb_connectivity conn, int off[13][3])
{
    int k = 0;
    for (int dz = -1; dz <= 0; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0))) continue;
                const int m = abs(dx) + abs(dy) + abs(dz);
                if ((conn == SSB_CONN_6 && m > 1) || (conn == SSB_CONN_18 && m > 2)) continue;
                off[k][0] = dx;
                off[k][1] = dy;
                off[k][2] = dz;
                k++;
            }
    return k;
}

/* Joins voxel v = (x, y, z) with its set backward neighbours; dz = -1 neighbours only if z - 1 >= zlo. */
static inline void tm_join(const ssb_grid *g, uint32_t *par, int64_t v, int64_t x, int64_t y, int64_t z, int64_t zlo,
                           int noff, const int off[13][3])
{
    const int64_t nx = g->n[0], ny = g->n[1];
    for (int k = 0; k < noff; k++) {
        const int64_t xx = x + off[k][0], yy = y + off[k][1], zz = z + off[k][2];
        if (xx < 0 || xx >= nx || yy < 0 || yy >= ny || zz < zlo) continue;
        const int64_t w = v + off[k][0] + nx * (off[k][1] + ny * off[k][2]);
        if (par[w] != TM_NONE) tm_union(par, (uint32_t)v, (uint32_t)w);
    }
}

static void tm_slab(const ssb_grid *g, const uint8_t in_set[256], ssb_connectivity conn, uint32_t *par, int64_t z0,
                    int64_t z1, int noff, const int off[13][3])
{
    const int64_t nx = g->n[0], ny = g->n[1], npl = nx * ny;
    const uint8_t *lab = g->labels;
    for (int64_t z = z0; z < z1; z++)
        for (int64_t y = 0; y < ny; y++) {
            const int64_t row = nx * y + npl * z;
            uint32_t start = TM_NONE;
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = row + x;
                if (!in_set[lab[v]]) {
                    par[v] = TM_NONE;
                    start = TM_NONE;
                    continue;
                }
                const int first = start == TM_NONE;
                if (first) start = (uint32_t)v;
                par[v] = start;
                if (conn == SSB_CONN_6) {
                    if (y > 0 && par[v - nx] != TM_NONE && (first || par[v - nx - 1] == TM_NONE))
                        tm_union(par, (uint32_t)v, (uint32_t)(v - nx));
                    if (z > z0 && par[v - npl] != TM_NONE && (first || par[v - npl - 1] == TM_NONE))
                        tm_union(par, (uint32_t)v, (uint32_t)(v - npl));
                } else {
                    tm_join(g, par, v, x, y, z, z0, noff, off);
                }
            }
        }
}

static int through_mask_uf(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_axis axis,
                           ssb_connectivity conn, uint8_t *mask, int64_t nset, int64_t counts[4])
{
    const int64_t nx = g->n[0], ny = g->n[1], nz = g->n[2], npl = nx * ny, nv = npl * nz;
    uint32_t *par = ssbi_malloc(ctx, (size_t)nv * sizeof *par, "through-mask labels");
    if (!par) return SSB_ERR_NOMEM;
    int off[13][3];
    const int noff = tm_offsets(conn, off);
    const int nt = ssbi_threads(ctx);
    int64_t nslab = nt > 1 ? 4 * (int64_t)nt : 1;
    if (nslab > nz) nslab = nz;
    /* 1. slabs */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nslab > 1)
#endif
    for (int64_t s = 0; s < nslab; s++) tm_slab(g, in_set, conn, par, nz * s / nslab, nz * (s + 1) / nslab, noff, off);
    int rc = ssbi_progress(ctx, "flood fill", 0.5 * (double)nset, (double)nset);
    if (rc != SSB_OK) goto out;
    /* 2. slab boundaries */
    for (int64_t s = 1; s < nslab; s++) {
        const int64_t z = nz * s / nslab;
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t v = x + nx * y + npl * z;
                if (par[v] == TM_NONE) continue;
                for (int k = 0; k < noff; k++) {
                    if (off[k][2] != -1) continue;
                    const int64_t xx = x + off[k][0], yy = y + off[k][1];
                    if (xx < 0 || xx >= nx || yy < 0 || yy >= ny) continue;
                    const int64_t w = v + off[k][0] + nx * (off[k][1] - ny);
                    if (par[w] != TM_NONE) tm_union(par, (uint32_t)v, (uint32_t)w);
                }
            }
    }
    /* 3. component bits on the roots */
    memset(mask, 0, (size_t)nv);
    {
        const int64_t st[3] = {1, nx, npl};
        const int a1 = ((int)axis + 1) % 3, a2 = ((int)axis + 2) % 3;
        for (int side = 0; side < 2; side++) {
            const int64_t base = side == 0 ? 0 : (g->n[axis] - 1) * st[axis];
            for (int64_t j = 0; j < g->n[a2]; j++)
                for (int64_t i = 0; i < g->n[a1]; i++) {
                    const int64_t v = base + i * st[a1] + j * st[a2];
                    if (par[v] != TM_NONE) mask[tm_root(par, (uint32_t)v)] |= (uint8_t)(1 + side);
                }
        }
    }
    /* 4. every voxel takes its root's bits (roots keep theirs; nothing else is read) */
    int64_t c1 = 0, c2 = 0, c3 = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) reduction(+ : c1, c2, c3) if (nslab > 1)
#endif
    for (int64_t s = 0; s < nslab; s++) {
        const int64_t v0 = npl * (nz * s / nslab), v1 = npl * (nz * (s + 1) / nslab);
        for (int64_t v = v0; v < v1; v++) {
            const uint32_t p = par[v];
            if (p == TM_NONE) continue;
            uint8_t mv;
            if (p == (uint32_t)v) {
                mv = mask[v];
            } else {
                mv = mask[tm_root_ro(par, p)];
                mask[v] = mv;
            }
            c1 += mv == 1;
            c2 += mv == 2;
            c3 += mv == 3;
        }
    }
    if (counts) {
        counts[0] = nset;
        counts[1] = c1;
        counts[2] = c2;
        counts[3] = c3;
    }
    rc = ssbi_progress(ctx, "flood fill", (double)nset, (double)nset);
out:
    free(par);
    return rc;
}

int ssb_grid_through_mask(ssb_ctx *ctx, const ssb_grid *g, const uint8_t in_set[256], ssb_axis axis,
                          ssb_connectivity conn, uint8_t *mask, int64_t counts[4])
{
    SSB_REQUIRE(ctx, g && in_set && mask, SSB_ERR_ARG, "ssb_grid_through_mask: NULL argument");
    SSB_REQUIRE(ctx, (int)axis >= 0 && axis <= 2, SSB_ERR_ARG, "axis %d does not exist (valid: x, y or z)",
                (int)axis);
    SSB_REQUIRE(ctx, conn == SSB_CONN_6 || conn == SSB_CONN_18 || conn == SSB_CONN_26, SSB_ERR_ARG,
                "connectivity %d is invalid (valid: 6, 18 or 26)", (int)conn);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    int64_t hist[256], nset = 0;
    ssb_grid_histogram(g, hist);
    for (int k = 0; k < 256; k++)
        if (in_set[k]) nset += hist[k];
    if (nv < (int64_t)TM_NONE) {
        SSB_CHECK(ctx, through_mask_uf(ctx, g, in_set, axis, conn, mask, nset, counts));
        return SSB_OK;
    }
    memset(mask, 0, (size_t)nv);
    SSB_CHECK(ctx, flood(ctx, g, in_set, axis, 0, conn, 1, mask, nset, NULL));
    SSB_CHECK(ctx, flood(ctx, g, in_set, axis, g->n[axis] - 1, conn, 2, mask, nset, NULL));
    if (counts) {
        int64_t c1 = 0, c2 = 0, c3 = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for reduction(+ : c1, c2, c3) schedule(static)
#endif
        for (int64_t i = 0; i < nv; i++) {
            uint8_t m = mask[i];
            c1 += (m == 1);
            c2 += (m == 2);
            c3 += (m == 3);
        }
        counts[0] = nset;
        counts[1] = c1;
        counts[2] = c2;
        counts[3] = c3;
    }
    return SSB_OK;
}
