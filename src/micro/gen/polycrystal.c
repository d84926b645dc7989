/* Polycrystal generator: Voronoi / Laguerre grains, a grain-boundary phase of given thickness, spherical pores.
 *
 * For every block of voxels ("cell") the seeds (with their periodic images) that can be the nearest seed of a voxel
 * in the block, or can define a face within gb_thickness / 2 of one, are collected once through a uniform bin
 * grid of the seeds; then each voxel only scans that short list. Blocks are independent, so the threaded loop
 * gives the same labels for any thread count. */
#include "gen_impl.h"

#include <ssbnet/ssb_micro_gen.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

#define PI 3.14159265358979323846

typedef struct {
    double x[3];
    double w;
    int32_t id;
} cand;

typedef struct {
    ssbi_box box;
    int32_t nseeds;
    double *s;   /* 3 per seed, m */
    double *w;   /* weights, m^2 (all 0 for Voronoi) */
    double wmax;
    int64_t nb[3];
    double bs[3];
    int64_t *bin_start; /* nbins + 1 */
    int32_t *bin_item;  /* seed ids sorted by bin */
} tess;

typedef struct {
    cand *c;
    size_t n, cap;
    int nomem;
} cand_buf;

static void cand_push(cand_buf *B, const double x[3], double w, int32_t id)
{
    if (B->nomem) return;
    if (B->n == B->cap) {
        size_t nc = B->cap ? 2 * B->cap : 256;
        cand *p = realloc(B->c, nc * sizeof *p);
        if (!p) {
            B->nomem = 1;
            return;
        }
        B->c = p;
        B->cap = nc;
    }
    cand *e = &B->c[B->n++];
    memcpy(e->x, x, sizeof e->x);
    e->w = w;
    e->id = id;
}

static inline int64_t wrap_floor_div(int64_t b, int64_t n, int64_t *q)
{
    int64_t m = b % n;
    if (m < 0) m += n;
    *q = (b - m) / n;
    return m;
}

/* Collect every seed image (seed plus a multiple of the box edges when periodic) whose distance to the box [lo, hi]
 * is <= R. */
static void gather(const tess *T, const double lo[3], const double hi[3], double R, cand_buf *B)
{
    const ssbi_box *b = &T->box;
    int64_t bmin[3], bmax[3];
    B->n = 0;
    for (int a = 0; a < 3; a++) {
        bmin[a] = ssbi_clamp_i64(floor((lo[a] - R) / T->bs[a]), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
        bmax[a] = ssbi_clamp_i64(floor((hi[a] + R) / T->bs[a]), -SSBI_INDEX_BOUND, SSBI_INDEX_BOUND);
        if (!b->periodic) {
            if (bmin[a] < 0) bmin[a] = 0;
            if (bmax[a] > T->nb[a] - 1) bmax[a] = T->nb[a] - 1;
            if (bmax[a] < bmin[a]) return;
        }
    }
    const double R2 = R * R;
    for (int64_t bz = bmin[2]; bz <= bmax[2]; bz++) {
        int64_t qz, iz = wrap_floor_div(bz, T->nb[2], &qz);
        for (int64_t by = bmin[1]; by <= bmax[1]; by++) {
            int64_t qy, iy = wrap_floor_div(by, T->nb[1], &qy);
            for (int64_t bx = bmin[0]; bx <= bmax[0]; bx++) {
                int64_t qx, ix = wrap_floor_div(bx, T->nb[0], &qx);
                const double shift[3] = {(double)qx * b->len[0], (double)qy * b->len[1], (double)qz * b->len[2]};
                int64_t bin = ix + T->nb[0] * (iy + T->nb[1] * iz);
                for (int64_t k = T->bin_start[bin]; k < T->bin_start[bin + 1]; k++) {
                    int32_t id = T->bin_item[k];
                    double x[3], d2 = 0.0;
                    for (int a = 0; a < 3; a++) {
                        x[a] = T->s[3 * id + a] + shift[a];
                        double d = x[a] < lo[a] ? lo[a] - x[a] : (x[a] > hi[a] ? x[a] - hi[a] : 0.0);
                        d2 += d * d;
                    }
                    if (d2 <= R2) cand_push(B, x, T->w[id], id);
                }
            }
        }
    }
}

/* Candidate list of a block of voxel centres [lo, hi] for GB thickness t: every seed image that is the nearest
 * (smallest power distance) of some voxel in the block or whose face with that nearest seed can lie within t/2. */
static void block_candidates(const tess *T, const double lo[3], const double hi[3], double t, cand_buf *B)
{
    const ssbi_box *b = &T->box;
    double c[3], hd2 = 0.0;
    for (int a = 0; a < 3; a++) {
        c[a] = 0.5 * (lo[a] + hi[a]);
        hd2 += 0.25 * (hi[a] - lo[a]) * (hi[a] - lo[a]);
    }
    const double hd = sqrt(hd2);
    const double diag = sqrt(b->len[0] * b->len[0] + b->len[1] * b->len[1] + b->len[2] * b->len[2]);
    /* 1. the seed of smallest power distance to the block centre, certified by the search radius */
    double R = fmax(T->bs[0], fmax(T->bs[1], T->bs[2]));
    double best = INFINITY, bestd = 0.0, bestw = 0.0;
    for (;;) {
        gather(T, c, c, R, B);
        if (B->nomem) return;
        best = INFINITY;
        for (size_t k = 0; k < B->n; k++) {
            double d2 = 0.0;
            for (int a = 0; a < 3; a++) d2 += (B->c[k].x[a] - c[a]) * (B->c[k].x[a] - c[a]);
            double pw = d2 - B->c[k].w;
            if (pw < best) {
                best = pw;
                bestd = sqrt(d2);
                bestw = B->c[k].w;
            }
        }
        if (B->n > 0 && best + T->wmax <= R * R) break;
        if (!b->periodic && B->n > 0 && R > 2.0 * diag + sqrt(fmax(T->wmax, 0.0))) break;
        R *= 2.0;
    }
    /* 2. any voxel x in the block has nearest power p1(x) <= Pmax; seed j matters if its distance u to x can satisfy
     *    u^2 - w_j <= Pmax + t (u + A), A = sqrt(Pmax + wmax) >= |x - s_1| */
    const double Pmax = (bestd + hd) * (bestd + hd) - bestw;
    const double A = sqrt(fmax(Pmax + T->wmax, 0.0));
    const double Umax = 0.5 * (t + sqrt(t * t + 4.0 * (Pmax + T->wmax + t * A)));
    gather(T, lo, hi, Umax, B);
    if (B->nomem) return;
    size_t keep = 0;
    for (size_t k = 0; k < B->n; k++) {
        double disc = t * t + 4.0 * (Pmax + B->c[k].w + t * A);
        if (disc < 0.0) continue;
        double Uj = 0.5 * (t + sqrt(disc));
        double d2 = 0.0;
        for (int a = 0; a < 3; a++) {
            double x = B->c[k].x[a];
            double d = x < lo[a] ? lo[a] - x : (x > hi[a] ? x - hi[a] : 0.0);
            d2 += d * d;
        }
        if (d2 <= Uj * Uj) B->c[keep++] = B->c[k];
    }
    B->n = keep;
}

ssb_micro_polycrystal_params ssb_micro_polycrystal_params_default(void)
{
    ssb_micro_polycrystal_params p;
    memset(&p, 0, sizeof p);
    p.weight_sigma = 0.3;
    p.pores_on_gb = 1;
    p.grain_label = 1;
    p.gb_label = 2;
    p.pore_label = 0;
    strcpy(p.grain_name, "SE");
    strcpy(p.gb_name, "GB");
    strcpy(p.pore_name, "pore");
    p.periodic = 1;
    p.max_attempts = 1000;
    p.seed = 1;
    return p;
}

static int check_params(ssb_ctx *ctx, const ssb_micro_polycrystal_params *p, const ssbi_box *b)
{
    SSB_REQUIRE(ctx, p->nseeds >= 0, SSB_ERR_RANGE, "polycrystal: nseeds = %lld is invalid (must be >= 0)",
                (long long)p->nseeds);
    SSB_REQUIRE(ctx, p->nseeds == 0 || p->seeds, SSB_ERR_ARG, "polycrystal: nseeds = %lld but seeds is NULL",
                (long long)p->nseeds);
    if (p->nseeds == 0)
        SSB_REQUIRE(ctx, isfinite(p->grain_size) && p->grain_size > 0.0, SSB_ERR_RANGE,
                    "polycrystal: grain_size = %g m is invalid (must be finite and > 0)", p->grain_size);
    SSB_REQUIRE(ctx, isfinite(p->gb_thickness) && p->gb_thickness > 0.0, SSB_ERR_RANGE,
                "polycrystal: gb_thickness = %g m is invalid (must be finite and > 0)", p->gb_thickness);
    /* GB fraction S_V t = 3.611 t / grain_size (see the header): at 1 or more no grain interior is left (a 4 um
     * GB in 3 um grains gave "GB fraction 1.0000") */
    if (p->nseeds == 0)
        SSB_REQUIRE(ctx, 3.611 * p->gb_thickness < p->grain_size, SSB_ERR_RANGE,
                    "polycrystal: gb_thickness = %g m is too thick for grains of %g m (thin-boundary GB fraction "
                    "3.611 t / d = %.3g, at most 1; valid: gb_thickness below grain_size / 3.611 = %g m)",
                    p->gb_thickness, p->grain_size, 3.611 * p->gb_thickness / p->grain_size, p->grain_size / 3.611);
    if (p->laguerre && p->nseeds == 0)
        SSB_REQUIRE(ctx, isfinite(p->weight_sigma) && p->weight_sigma >= 0.0 && p->weight_sigma <= 2.0, SSB_ERR_RANGE,
                    "polycrystal: weight_sigma = %g is invalid (valid: 0 to 2)", p->weight_sigma);
    SSB_REQUIRE(ctx, isfinite(p->porosity) && p->porosity >= 0.0 && p->porosity < 1.0, SSB_ERR_RANGE,
                "polycrystal: porosity = %g is invalid (valid: 0 <= porosity < 1)", p->porosity);
    if (p->porosity > 0.0) {
        const double box_min = fmin(b->len[0], fmin(b->len[1], b->len[2]));
        SSB_REQUIRE(ctx, isfinite(p->pore_radius) && p->pore_radius > 0.0, SSB_ERR_RANGE,
                    "polycrystal: pore_radius = %g m is invalid (must be > 0 when porosity > 0)", p->pore_radius);
        SSB_REQUIRE(ctx, !p->periodic || 2.0 * p->pore_radius <= box_min, SSB_ERR_RANGE,
                    "polycrystal: pore diameter %g m exceeds the smallest box edge %g m", 2.0 * p->pore_radius,
                    box_min);
        SSB_REQUIRE(ctx, p->max_attempts >= 1, SSB_ERR_RANGE,
                    "polycrystal: max_attempts = %lld is invalid (must be >= 1)", (long long)p->max_attempts);
    }
    SSB_REQUIRE(ctx, p->grain_label != p->gb_label && p->grain_label != p->pore_label && p->gb_label != p->pore_label,
                SSB_ERR_ARG, "polycrystal: grain, GB and pore labels (%d, %d, %d) must differ", p->grain_label,
                p->gb_label, p->pore_label);
    return SSB_OK;
}

static int make_seeds(ssb_ctx *ctx, const ssb_micro_polycrystal_params *p, tess *T, int64_t nvox, ssb_rng *rng)
{
    const ssbi_box *b = &T->box;
    const double vbox = b->len[0] * b->len[1] * b->len[2];
    int64_t n;
    if (p->nseeds > 0) {
        n = p->nseeds;
    } else {
        double vmean = PI / 6.0 * p->grain_size * p->grain_size * p->grain_size;
        double nd = floor(vbox / vmean + 0.5);
        n = ssbi_clamp_i64(nd, 1, INT64_MAX); /* NaN: 1 */
    }
    SSB_REQUIRE(ctx, n <= INT32_MAX && n <= nvox, SSB_ERR_RANGE,
                "polycrystal: %lld grains is too many (at most one per voxel and 2^31 - 1); grain_size = %g m is too "
                "small for voxels of %g m",
                (long long)n, p->grain_size, b->h[0]);
    T->nseeds = (int32_t)n;
    T->s = ssbi_malloc(ctx, (size_t)n * 3 * sizeof *T->s, "seed positions");
    T->w = ssbi_calloc(ctx, (size_t)n, sizeof *T->w, "seed weights");
    if (!T->s || !T->w) return SSB_ERR_NOMEM;
    if (p->nseeds > 0) {
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) {
                double x = p->seeds[3 * i + a];
                SSB_REQUIRE(ctx, isfinite(x) && x >= 0.0 && x <= b->len[a], SSB_ERR_RANGE,
                            "polycrystal: seed %lld: %s = %g m lies outside the box [0, %g] m", (long long)i,
                            ssb_axis_name((ssb_axis)a), x, b->len[a]);
                T->s[3 * i + a] = x < b->len[a] ? x : (b->periodic ? 0.0 : x);
            }
        if (p->laguerre && p->weights)
            for (int64_t i = 0; i < n; i++) {
                SSB_REQUIRE(ctx, isfinite(p->weights[i]), SSB_ERR_RANGE, "polycrystal: weight %lld = %g is not finite",
                            (long long)i, p->weights[i]);
                T->w[i] = p->weights[i];
            }
    } else {
        for (int64_t i = 0; i < n; i++)
            for (int a = 0; a < 3; a++) T->s[3 * i + a] = ssb_rng_uniform(rng) * b->len[a];
        if (p->laguerre) {
            const double sg = p->weight_sigma, r0 = 0.5 * p->grain_size;
            for (int64_t i = 0; i < n; i++) {
                double rho = r0 * exp(sg * ssb_rng_normal(rng) - 0.5 * sg * sg);
                T->w[i] = rho * rho;
            }
        }
    }
    T->wmax = T->w[0];
    for (int64_t i = 1; i < n; i++) T->wmax = fmax(T->wmax, T->w[i]);
    /* seed bins, about one seed each */
    const double spacing = cbrt(vbox / (double)n);
    int64_t nbins = 1;
    for (int a = 0; a < 3; a++) {
        double m = floor(b->len[a] / spacing);
        T->nb[a] = ssbi_clamp_i64(m, 1, 2048);
        nbins *= T->nb[a];
    }
    for (int a = 0; a < 3; a++) T->bs[a] = b->len[a] / (double)T->nb[a];
    T->bin_start = ssbi_calloc(ctx, (size_t)nbins + 1, sizeof *T->bin_start, "seed bins");
    T->bin_item = ssbi_malloc(ctx, (size_t)n * sizeof *T->bin_item, "seed bin items");
    int64_t *bin_of = ssbi_malloc(ctx, (size_t)n * sizeof *bin_of, "seed bin index");
    if (!T->bin_start || !T->bin_item || !bin_of) {
        free(bin_of);
        return SSB_ERR_NOMEM;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t idx[3];
        for (int a = 0; a < 3; a++) {
            idx[a] = ssbi_clamp_i64(floor(T->s[3 * i + a] / T->bs[a]), 0, T->nb[a] - 1);
        }
        bin_of[i] = idx[0] + T->nb[0] * (idx[1] + T->nb[1] * idx[2]);
        T->bin_start[bin_of[i] + 1]++;
    }
    for (int64_t k = 0; k < nbins; k++) T->bin_start[k + 1] += T->bin_start[k];
    int64_t *fill = ssbi_malloc(ctx, (size_t)nbins * sizeof *fill, "seed bin fill");
    if (!fill) {
        free(bin_of);
        return SSB_ERR_NOMEM;
    }
    memcpy(fill, T->bin_start, (size_t)nbins * sizeof *fill);
    for (int64_t i = 0; i < n; i++) T->bin_item[fill[bin_of[i]]++] = (int32_t)i;
    free(fill);
    free(bin_of);
    return SSB_OK;
}

/* Label one block of voxels [i0, i1) x [j0, j1) x [k0, k1). */
static void label_block(const tess *T, const int64_t lo_i[3], const int64_t hi_i[3], double t, uint8_t lg,
                        uint8_t lb, cand_buf *B, int32_t *gid, uint8_t *owned, int64_t *ngb)
{
    const ssbi_box *b = &T->box;
    double lo[3], hi[3];
    for (int a = 0; a < 3; a++) {
        lo[a] = ((double)lo_i[a] + 0.5) * b->h[a];
        hi[a] = ((double)hi_i[a] - 0.5) * b->h[a];
    }
    block_candidates(T, lo, hi, t, B);
    if (B->nomem) return;
    const double t2 = t * t;
    const cand *C = B->c;
    const size_t nc = B->n;
    for (int64_t k = lo_i[2]; k < hi_i[2]; k++) {
        const double z = ((double)k + 0.5) * b->h[2];
        for (int64_t j = lo_i[1]; j < hi_i[1]; j++) {
            const double y = ((double)j + 0.5) * b->h[1];
            for (int64_t i = lo_i[0]; i < hi_i[0]; i++) {
                const double x = ((double)i + 0.5) * b->h[0];
                size_t best = 0;
                double pbest = INFINITY;
                for (size_t m = 0; m < nc; m++) {
                    double dx = x - C[m].x[0], dy = y - C[m].x[1], dz = z - C[m].x[2];
                    double pw = dx * dx + dy * dy + dz * dz - C[m].w;
                    if (pw < pbest) {
                        pbest = pw;
                        best = m;
                    }
                }
                /* GB: within t/2 of the plane between the best seed and some other seed j, i.e.
                 * (pow_j - pow_best) / (2 |s_j - s_best|) < t / 2 */
                int gb = 0;
                for (size_t m = 0; m < nc && !gb; m++) {
                    if (m == best) continue;
                    double dx = x - C[m].x[0], dy = y - C[m].x[1], dz = z - C[m].x[2];
                    double e = dx * dx + dy * dy + dz * dz - C[m].w - pbest;
                    double sx = C[m].x[0] - C[best].x[0], sy = C[m].x[1] - C[best].x[1],
                           sz = C[m].x[2] - C[best].x[2];
                    gb = e * e < t2 * (sx * sx + sy * sy + sz * sz);
                }
                int64_t v = i + b->n[0] * (j + b->n[1] * k);
                b->lab[v] = gb ? lb : lg;
                *ngb += gb;
                if (gid) gid[v] = C[best].id;
                owned[C[best].id] = 1;
            }
        }
    }
}

static int add_pores(ssb_ctx *ctx, const ssb_micro_polycrystal_params *p, const ssbi_box *b, int32_t *gid,
                     ssb_rng *rng, int64_t *npores, int64_t *npore_vox)
{
    const int64_t nv = b->n[0] * b->n[1] * b->n[2];
    const int64_t target = llround(p->porosity * (double)nv);
    int64_t count = 0, since = 0;
    *npores = 0;
    while (count < target) {
        double c[3];
        int64_t nnew = 0;
        for (int64_t att = 0; att < p->max_attempts && nnew == 0; att++) {
            if (p->pores_on_gb) {
                int64_t v = (int64_t)(ssb_rng_uniform(rng) * (double)nv);
                if (v >= nv) v = nv - 1;
                if (b->lab[v] != p->gb_label) continue;
                int64_t z = v / (b->n[0] * b->n[1]), r = v - z * b->n[0] * b->n[1];
                int64_t y = r / b->n[0], x = r - y * b->n[0];
                c[0] = ((double)x + 0.5) * b->h[0];
                c[1] = ((double)y + 0.5) * b->h[1];
                c[2] = ((double)z + 0.5) * b->h[2];
            } else {
                for (int a = 0; a < 3; a++) c[a] = ssb_rng_uniform(rng) * b->len[a];
            }
            nnew = ssbi_sphere_visit(b, c, p->pore_radius, SSBI_SPHERE_COUNT_OTHER, 0, p->pore_label, NULL);
        }
        if (nnew == 0) {
            *npore_vox = count;
            return SSB_ERROR(ctx, SSB_ERR_RANGE,
                             "polycrystal: reached a porosity of %.4f, target %.4f (no place for another pore%s after "
                             "%lld attempts)",
                             (double)count / (double)nv, p->porosity, p->pores_on_gb ? " on a grain boundary" : "",
                             (long long)p->max_attempts);
        }
        if (count + nnew > target && count + nnew - target >= target - count) break;
        count += ssbi_sphere_visit(b, c, p->pore_radius, SSBI_SPHERE_CARVE, 0, p->pore_label, gid);
        (*npores)++;
        if (++since >= 256) {
            since = 0;
            SSB_CHECK(ctx, ssbi_progress(ctx, "pores", (double)count, (double)target));
        }
    }
    *npore_vox = count;
    return SSB_OK;
}

int ssb_micro_generate_polycrystal(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_polycrystal_params *p,
                                   int32_t *grain_id, ssb_micro_polycrystal_result *result)
{
    SSB_REQUIRE(ctx, grid && p, SSB_ERR_ARG, "ssb_micro_generate_polycrystal: NULL grid or params");
    if (result) memset(result, 0, sizeof *result);
    tess T;
    memset(&T, 0, sizeof T);
    ssbi_box_init(&T.box, grid, p->periodic);
    SSB_CHECK(ctx, check_params(ctx, p, &T.box));
    const ssbi_box *b = &T.box;
    const int64_t nv = ssb_grid_get_nvoxels(grid);
    int rc = SSB_OK;
    uint8_t *owned = NULL;
    ssb_rng base, rng_seeds, rng_pores;
    ssb_rng_seed(&base, p->seed);
    rng_seeds = ssb_rng_split(&base, 1);
    rng_pores = ssb_rng_split(&base, 2);
    SSB_CHECK_GOTO(ctx, rc, make_seeds(ctx, p, &T, nv, &rng_seeds), cleanup);

    const int nthreads = SSB_HAVE_OPENMP ? ssbi_threads(ctx) : 1;
    owned = ssbi_calloc(ctx, (size_t)nthreads * (size_t)T.nseeds, 1, "grain flags");
    if (!owned) {
        rc = SSB_ERR_NOMEM;
        goto cleanup;
    }
    /* voxel blocks of about half the seed spacing */
    const double spacing = cbrt(b->len[0] * b->len[1] * b->len[2] / (double)T.nseeds);
    int64_t bv[3], nblk[3];
    for (int a = 0; a < 3; a++) {
        double m = floor(0.5 * spacing / b->h[a] + 0.5);
        bv[a] = ssbi_clamp_i64(m, 2, 16);
        nblk[a] = (b->n[a] + bv[a] - 1) / bv[a];
    }
    const double t = p->gb_thickness;
    int64_t ngb = 0;
    int nomem = 0;
    for (int64_t kb = 0; kb < nblk[2] && !nomem; kb++) {
        const int64_t nplane = nblk[0] * nblk[1];
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nthreads) reduction(+ : ngb) reduction(| : nomem)
#endif
        {
            int tid = 0;
#if SSB_HAVE_OPENMP
            tid = omp_get_thread_num();
#endif
            cand_buf B = {NULL, 0, 0, 0};
            uint8_t *own = owned + (size_t)tid * (size_t)T.nseeds;
#if SSB_HAVE_OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int64_t q = 0; q < nplane; q++) {
                if (B.nomem) continue;
                int64_t jb = q / nblk[0], ib = q - jb * nblk[0];
                int64_t lo[3] = {ib * bv[0], jb * bv[1], kb * bv[2]}, hi[3];
                for (int a = 0; a < 3; a++) hi[a] = lo[a] + bv[a] < b->n[a] ? lo[a] + bv[a] : b->n[a];
                label_block(&T, lo, hi, t, p->grain_label, p->gb_label, &B, grain_id, own, &ngb);
            }
            nomem |= B.nomem;
            free(B.c);
        }
        if (!nomem) SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "polycrystal", (double)(kb + 1), (double)nblk[2]), cleanup);
    }
    if (nomem) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "polycrystal: out of memory for the candidate seed lists");
        goto cleanup;
    }
    int64_t ngrains = 0;
    for (int32_t i = 0; i < T.nseeds; i++) {
        int any = 0;
        for (int th = 0; th < nthreads; th++) any |= owned[(size_t)th * (size_t)T.nseeds + (size_t)i];
        ngrains += any;
    }

    SSB_CHECK_GOTO(ctx, rc, ssbi_gen_touch_phase(ctx, grid, p->grain_label, p->grain_name, SSB_ROLE_SE), cleanup);
    SSB_CHECK_GOTO(ctx, rc, ssbi_gen_touch_phase(ctx, grid, p->gb_label, p->gb_name, SSB_ROLE_GB), cleanup);
    { /* the drawn GB thickness, for the conductivity of the GB phase (ssb_run_assign_materials) */
        ssb_phase gbp = *ssb_grid_find_phase(grid, p->gb_label);
        gbp.thickness = p->gb_thickness;
        SSB_CHECK_GOTO(ctx, rc, ssb_grid_set_phase(ctx, grid, &gbp), cleanup);
    }
    int64_t npores = 0, npore_vox = 0;
    if (p->porosity > 0.0) {
        SSB_CHECK_GOTO(ctx, rc, ssbi_gen_touch_phase(ctx, grid, p->pore_label, p->pore_name, SSB_ROLE_PORE), cleanup);
        rc = add_pores(ctx, p, b, grain_id, &rng_pores, &npores, &npore_vox);
    }
    if (result) {
        int64_t h[256];
        ssb_grid_histogram(grid, h);
        const double vbox = b->len[0] * b->len[1] * b->len[2];
        result->nseeds = T.nseeds;
        result->ngrains = ngrains;
        result->mean_grain_volume = ngrains ? vbox / (double)ngrains : 0.0;
        result->mean_grain_diameter = cbrt(6.0 * result->mean_grain_volume / PI);
        result->gb_fraction = (double)h[p->gb_label] / (double)nv;
        result->pore_fraction = (double)h[p->pore_label] / (double)nv;
        result->npores = npores;
    }
    if (rc != SSB_OK) ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    ssbi_log(ctx, SSB_LOG_DEBUG, "polycrystal", "%d seeds, %lld grains, %lld GB voxels, %lld pores", (int)T.nseeds,
             (long long)ngrains, (long long)ngb, (long long)npores);

cleanup:
    free(owned);
    free(T.s);
    free(T.w);
    free(T.bin_start);
    free(T.bin_item);
    return rc;
}
