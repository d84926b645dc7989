/* Interface areas between labels and between voxel sets: face counting and marching cubes. */
#include "analysis_impl.h"

#include <stdlib.h>
#include <string.h>

#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

static ssb_micro_area make_area(const char *method, double area, double box_volume)
{
    ssb_micro_area a = {.method = method, .area = area, .per_volume = area / box_volume};
    return a;
}

/* Faces between labels per axis, accumulated in cnt[axis][ia * nl + ib] (ia < ib compact label indices).
 * loc has nth * 3 * nl * nl counters of scratch. */
static void count_label_faces(const int64_t n[3], const uint8_t *lab, const int idx[256], int nl, int nth, int64_t *loc,
                              int64_t *cnt)
{
    const int64_t nx = n[0], ny = n[1], nz = n[2], nrows = ny * nz, sy = nx, sz = nx * ny;
    const size_t per = (size_t)3 * (size_t)nl * (size_t)nl;
    memset(loc, 0, (size_t)nth * per * sizeof *loc);
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nth)
#endif
    {
#if SSB_HAVE_OPENMP
        int64_t *c = loc + (size_t)omp_get_thread_num() * per;
#pragma omp for schedule(static)
#else
        int64_t *c = loc;
#endif
        for (int64_t r = 0; r < nrows; r++) {
            const int64_t y = r % ny, z = r / ny;
            const uint8_t *row = lab + r * nx;
            for (int64_t x = 0; x < nx; x++) {
                const uint8_t a = row[x];
                uint8_t nb[3];
                int has[3] = {x + 1 < nx, y + 1 < ny, z + 1 < nz};
                nb[0] = has[0] ? row[x + 1] : a;
                nb[1] = has[1] ? row[x + sy] : a;
                nb[2] = has[2] ? row[x + sz] : a;
                for (int k = 0; k < 3; k++) {
                    if (nb[k] == a)
                        continue;
                    int ia = idx[a], ib = idx[nb[k]];
                    if (ia > ib) {
                        int t = ia;
                        ia = ib;
                        ib = t;
                    }
                    c[(size_t)k * nl * nl + (size_t)ia * nl + ib]++;
                }
            }
        }
    }
    memset(cnt, 0, per * sizeof *cnt);
    for (int t = 0; t < nth; t++)
        for (size_t i = 0; i < per; i++)
            cnt[i] += loc[(size_t)t * per + i];
}

/* Faces between voxel sets A and B per axis. */
static void count_set_faces(const int64_t n[3], const uint8_t *lab, const uint8_t ina[256], const uint8_t inb[256],
                            int nth, int64_t nf[3])
{
    const int64_t nx = n[0], ny = n[1], nz = n[2], nrows = ny * nz, sy = nx, sz = nx * ny;
    int64_t f0 = 0, f1 = 0, f2 = 0;
    (void)nth;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) reduction(+ : f0, f1, f2) num_threads(nth)
#endif
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t y = r % ny, z = r / ny;
        const uint8_t *row = lab + r * nx;
        for (int64_t x = 0; x < nx; x++) {
            const int a = ina[row[x]] ? 1 : (inb[row[x]] ? 2 : 0);
            if (!a)
                continue;
            const uint8_t *other = a == 1 ? inb : ina;
            if (x + 1 < nx && other[row[x + 1]])
                f0++;
            if (y + 1 < ny && other[row[x + sy]])
                f1++;
            if (z + 1 < nz && other[row[x + sz]])
                f2++;
        }
    }
    nf[0] = f0;
    nf[1] = f1;
    nf[2] = f2;
}

void ssb_micro_interfaces_destroy(ssb_micro_interfaces *r)
{
    if (!r)
        return;
    free(r->surfaces);
    free(r->pairs);
    memset(r, 0, sizeof *r);
}

const ssb_micro_interface *ssb_micro_interfaces_find(const ssb_micro_interfaces *r, uint8_t a, uint8_t b)
{
    if (!r || !r->pairs)
        return NULL;
    if (a > b) {
        uint8_t t = a;
        a = b;
        b = t;
    }
    for (int i = 0; i < r->npairs; i++)
        if (r->pairs[i].label_a == a && r->pairs[i].label_b == b)
            return &r->pairs[i];
    return NULL;
}

int ssbi_ma_interfaces_finish(ssb_micro_interfaces *out, const uint8_t *labels, int nl, const int64_t *cnt,
                              const double h[3], double vol, const ssb_micro_area_params *p, double *smc,
                              ssbi_mc_area_fn mc_area, ssb_ctx *ctx, void *user)
{
    double fa[3];
    ssbi_ma_face_areas(h, fa);
    const int npairs = nl * (nl - 1) / 2;
    int rc = SSB_OK;
    out->box_volume = vol;
    out->nlabels = nl;
    out->npairs = npairs;
    uint8_t set[256];
    if (p->marching_cubes)
        for (int i = 0; i < nl && rc == SSB_OK; i++) {
            memset(set, 0, sizeof set);
            set[labels[i]] = 1;
            rc = mc_area(ctx, user, set, &smc[i]);
        }
    for (int i = 0; i < nl; i++) {
        out->surfaces[i].label = labels[i];
        out->surfaces[i].face.method = SSB_MICRO_METHOD_FACE_COUNT;
        out->surfaces[i].face.per_volume = 0.0;
        if (p->marching_cubes)
            out->surfaces[i].mc = make_area(SSB_MICRO_METHOD_MARCHING_CUBES, smc[i], vol);
    }
    int ip = 0;
    for (int i = 0; i < nl && rc == SSB_OK; i++)
        for (int j = i + 1; j < nl && rc == SSB_OK; j++, ip++) {
            ssb_micro_interface *e = &out->pairs[ip];
            e->label_a = labels[i];
            e->label_b = labels[j];
            double area = 0.0;
            int64_t tot = 0;
            for (int k = 0; k < 3; k++) {
                e->nfaces[k] = cnt[(size_t)k * nl * nl + (size_t)i * nl + j];
                area += (double)e->nfaces[k] * fa[k];
                tot += e->nfaces[k];
            }
            e->face = make_area(SSB_MICRO_METHOD_FACE_COUNT, area, vol);
            out->surfaces[i].face.area += area;
            out->surfaces[j].face.area += area;
            if (!p->marching_cubes)
                continue;
            double s_ab = 0.0;
            if (tot > 0) {
                memset(set, 0, sizeof set);
                set[labels[i]] = set[labels[j]] = 1;
                double s_union = 0.0;
                rc = mc_area(ctx, user, set, &s_union);
                s_ab = ssbi_ma_mc_pair_area(smc[i], smc[j], s_union, area);
            }
            e->mc = make_area(SSB_MICRO_METHOD_MARCHING_CUBES, s_ab, vol);
        }
    for (int i = 0; i < nl; i++)
        out->surfaces[i].face.per_volume = out->surfaces[i].face.area / vol;
    return rc;
}

/* The marching-cubes area of a set over a whole grid (ssbi_mc_area_fn). */
typedef struct {
    const int64_t *n;
    const double *h;
    const uint8_t *lab;
    double sigma;
} grid_mc;

static int grid_mc_area(ssb_ctx *ctx, void *user, const uint8_t set[256], double *area)
{
    const grid_mc *u = user;
    return ssbi_ma_mc_area(ctx, u->n, u->h, u->lab, set, u->sigma, area);
}

int ssb_micro_interfaces_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_area_params *params,
                                 ssb_micro_interfaces *out)
{
    SSB_REQUIRE(ctx, out, SSB_ERR_ARG, "ssb_micro_interfaces_compute: out is NULL");
    memset(out, 0, sizeof *out);
    SSB_REQUIRE(ctx, g, SSB_ERR_ARG, "ssb_micro_interfaces_compute: grid is NULL");
    const ssb_micro_area_params p = params ? *params : ssb_micro_area_params_default();
    SSB_CHECK(ctx, ssbi_ma_check_area_params(ctx, &p));
    SSB_CHECK(ctx, ssb_grid_check_phases(ctx, g));

    int64_t n[3], hist[256];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    const double vol = (double)ssb_grid_get_nvoxels(g) * h[0] * h[1] * h[2];
    ssb_grid_histogram(g, hist);
    int idx[256], nl = 0;
    uint8_t labels[256];
    for (int k = 0; k < 256; k++) {
        idx[k] = -1;
        if (hist[k] > 0) {
            idx[k] = nl;
            labels[nl++] = (uint8_t)k;
        }
    }
    const int nth = ssbi_threads(ctx);
    const size_t per = (size_t)3 * (size_t)nl * (size_t)nl;
    const int npairs = nl * (nl - 1) / 2;
    int64_t *loc = ssbi_malloc(ctx, ((size_t)nth + 1) * per * sizeof *loc, "face counters");
    double *smc = ssbi_calloc(ctx, (size_t)nl, sizeof *smc, "label surfaces");
    out->surfaces = ssbi_calloc(ctx, (size_t)nl, sizeof *out->surfaces, "label surfaces");
    out->pairs = ssbi_calloc(ctx, (size_t)(npairs > 0 ? npairs : 1), sizeof *out->pairs, "label pairs");
    if (!loc || !smc || !out->surfaces || !out->pairs) {
        free(loc);
        free(smc);
        ssb_micro_interfaces_destroy(out);
        return SSB_ERR_NOMEM;
    }
    int64_t *cnt = loc + (size_t)nth * per;
    count_label_faces(n, lab, idx, nl, nth, loc, cnt);

    grid_mc u = {n, h, lab, p.mc_sigma};
    int rc = ssbi_ma_interfaces_finish(out, labels, nl, cnt, h, vol, &p, smc, grid_mc_area, ctx, &u);
    free(loc);
    free(smc);
    if (rc != SSB_OK) {
        ssb_micro_interfaces_destroy(out);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return SSB_OK;
}

int ssb_micro_set_interface_area(ssb_ctx *ctx, const ssb_grid *g, const uint8_t set_a[256], const uint8_t set_b[256],
                                 const ssb_micro_area_params *params, ssb_micro_area *face, ssb_micro_area *mc)
{
    SSB_REQUIRE(ctx, g && set_a && set_b && face, SSB_ERR_ARG, "ssb_micro_set_interface_area: NULL argument");
    const ssb_micro_area_params p = params ? *params : ssb_micro_area_params_default();
    SSB_CHECK(ctx, ssbi_ma_check_area_params(ctx, &p));
    for (int k = 0; k < 256; k++)
        SSB_REQUIRE(ctx, !(set_a[k] && set_b[k]), SSB_ERR_ARG,
                    "label %d is in both sets of an interface (the sets must be disjoint)", k);
    int64_t n[3], nf[3];
    double h[3], fa[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    ssbi_ma_face_areas(h, fa);
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    const double vol = (double)ssb_grid_get_nvoxels(g) * h[0] * h[1] * h[2];
    count_set_faces(n, lab, set_a, set_b, ssbi_threads(ctx), nf);
    *face = make_area(SSB_MICRO_METHOD_FACE_COUNT, nf[0] * fa[0] + nf[1] * fa[1] + nf[2] * fa[2], vol);
    if (mc) {
        memset(mc, 0, sizeof *mc);
        if (p.marching_cubes) {
            uint8_t uni[256];
            for (int k = 0; k < 256; k++)
                uni[k] = set_a[k] || set_b[k];
            double sa, sb, su;
            SSB_CHECK(ctx, ssbi_ma_mc_area(ctx, n, h, lab, set_a, p.mc_sigma, &sa));
            SSB_CHECK(ctx, ssbi_ma_mc_area(ctx, n, h, lab, set_b, p.mc_sigma, &sb));
            SSB_CHECK(ctx, ssbi_ma_mc_area(ctx, n, h, lab, uni, p.mc_sigma, &su));
            *mc = make_area(SSB_MICRO_METHOD_MARCHING_CUBES, ssbi_ma_mc_pair_area(sa, sb, su, face->area), vol);
        }
    }
    return SSB_OK;
}
