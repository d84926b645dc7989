/* Resolution of voxel microstructures: the voxel size from the smallest particle phase, a resolution and box-size
 * check of generated electrodes (the same spheres at h and h/2, and a larger box), and chord-based feature sizes of
 * any image.
 *
 * Convergence study behind SSB_MICRO_VOXELS_ACROSS_LARGEST and SSB_MICRO_VOXELS_ACROSS (bench/bench_micro_res,
 * 2026-12-03; the same sphere packing voxelised at h and h/2 so that only the voxelisation changes; SE tau along z
 * with conductivity on the matrix only; CAM lognormal gsd 1.3 at 0.60, overlap 0.15, seed 11; N = voxels across the
 * mean diameter of the smallest phase):
 *   CAM 5 um only, box 16 um:          N    5      10     15     20
 *                                      tau  2.951  2.289  2.133  2.027   (at h)
 *                                  rel_tau  0.289  0.130  0.097  0.064   (h -> h/2)
 *   CAM 3 um only, box 9.6 um:         N    16     20     24     28     32
 *                                  rel_tau  0.076  0.064  0.055  0.050  0.040     => rel_tau ~ 1.29 / N
 *   CAM 3 um + carbon 1 um 0.03 + pores 1.2 um 0.05, box 9.6 um, N across the carbon:
 *                                      N    4      6      8      10     12     16
 *                                  rel_tau  0.242  0.157  0.103  0.087  0.071  0.053
 *                                 rel_area  0.068  0.050  0.036  0.028  0.023  0.017
 *                2 tau(h/2) - tau(h)        1.661  2.042  1.902  1.873  1.946  1.911
 * The last set fits rel_tau ~ h (1.29 / d_CAM + 0.42 / d_carbon) (N = 8: 0.106 predicted, 0.103 measured; N = 16:
 * 0.053 and 0.053). The rule h = min(d_CAM / 30, d_small / 18) keeps the prediction <= 4.7 % for these recipes. Each
 * N is its own packing (voxel-exact fractions), so rows scatter by a few % (box of ~40 CAM particles). */
#include "analysis_impl.h"

#include "resolution_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if SSB_HAVE_OPENMP
#include <omp.h>
#endif

/* Number-mean diameter (m) of a size distribution as requested (tables: number weights; volume tables converted). */
static double psd_number_mean(const ssb_micro_psd *p)
{
    if (p->kind == SSB_MICRO_PSD_TABLE_NUMBER || p->kind == SSB_MICRO_PSD_TABLE_VOLUME) {
        double ws = 0.0, wd = 0.0;
        for (int i = 0; i < p->ntable && i < SSB_MICRO_PSD_TABLE_MAX; i++) {
            double d = p->table_d[i], w = p->table_w[i];
            if (!(d > 0.0) || !(w >= 0.0))
                return NAN;
            if (p->kind == SSB_MICRO_PSD_TABLE_VOLUME)
                w /= d * d * d;
            ws += w;
            wd += w * d;
        }
        return ws > 0.0 ? wd / ws : NAN;
    }
    return p->d_mean;
}

static int check_n(ssb_ctx *ctx, int n_across, int *n)
{
    SSB_REQUIRE(ctx, n_across >= 0 && n_across <= 100, SSB_ERR_RANGE,
                "n_across = %d is invalid (valid: 0 = %d, or 1 to 100 voxels)", n_across, SSB_MICRO_VOXELS_ACROSS);
    *n = n_across > 0 ? n_across : SSB_MICRO_VOXELS_ACROSS;
    return SSB_OK;
}

/* Mean diameters of the largest phase and of the smallest other phase (= the largest when there is one phase). */
static int phase_means(ssb_ctx *ctx, const ssb_micro_electrode_params *p, double *dlarge, double *dsmall)
{
    SSB_REQUIRE(ctx, p->nphases >= 1 && p->nphases <= SSB_MICRO_MAX_PARTICLE_PHASES, SSB_ERR_RANGE,
                "electrode: nphases = %d is invalid (valid: 1 to %d)", p->nphases, SSB_MICRO_MAX_PARTICLE_PHASES);
    double d[SSB_MICRO_MAX_PARTICLE_PHASES];
    int il = 0;
    for (int i = 0; i < p->nphases; i++) {
        d[i] = psd_number_mean(&p->phase[i].psd);
        SSB_REQUIRE(ctx, isfinite(d[i]) && d[i] > 0.0, SSB_ERR_RANGE,
                    "particle phase %d ('%s'): no valid mean diameter (got %g m)", i, p->phase[i].name, d[i]);
        if (d[i] > d[il])
            il = i;
    }
    *dlarge = d[il];
    *dsmall = INFINITY;
    for (int i = 0; i < p->nphases; i++)
        if (i != il)
            *dsmall = fmin(*dsmall, d[i]);
    if (p->nphases == 1)
        *dsmall = d[il];
    return SSB_OK;
}

int ssb_micro_resolution_voxel_size(ssb_ctx *ctx, const ssb_micro_electrode_params *p, int n_across, double *h)
{
    SSB_REQUIRE(ctx, p && h, SSB_ERR_ARG, "ssb_micro_resolution_voxel_size: NULL argument");
    int n = SSB_MICRO_VOXELS_ACROSS;
    SSB_CHECK(ctx, check_n(ctx, n_across, &n));
    double dl, ds;
    SSB_CHECK(ctx, phase_means(ctx, p, &dl, &ds));
    *h = dl / SSB_MICRO_VOXELS_ACROSS_LARGEST;
    if (p->nphases > 1)
        *h = fmin(*h, ds / (double)n);
    return SSB_OK;
}

ssb_micro_resolution_params ssb_micro_resolution_params_default(void)
{
    ssb_micro_resolution_params r;
    memset(&r, 0, sizeof r);
    r.axis = SSB_AXIS_Z;
    r.box_factor = 1.5;
    r.rtol = 0.05;
    r.transport = ssb_transport_params_default();
    return r;
}

/* SE tau along axis and the CAM|SE face area per volume of a labelled electrode g painted from the spheres sp (the
 * tau on sub-voxel conductivities when rp->subvoxel >= 2). */
static int measure(ssb_ctx *ctx, const ssb_grid *g, const ssbi_sphere *sp, int64_t nsp,
                   const ssb_micro_electrode_params *p, const ssb_micro_resolution_params *rp, double *tau, double *area)
{
    /* the SE: the matrix, and particle phases with the SE role (SE particles, issue 12: the matrix is then void) */
    double sigma[256] = {0};
    uint8_t a[256] = {0}, b[256] = {0};
    int nse = 0;
    for (int i = 0; i < p->nphases; i++)
        if (p->phase[i].role == SSB_ROLE_SE || p->phase[i].role == SSB_ROLE_GB) {
            b[p->phase[i].label] = 1;
            nse++;
        }
    if (nse == 0 || p->matrix_role == SSB_ROLE_SE || p->matrix_role == SSB_ROLE_GB)
        b[p->matrix_label] = 1; /* the matrix is the SE (and stands for it when no phase has the role) */
    for (int i = 0; i < 256; i++)
        sigma[i] = b[i] ? 1.0 : 0.0;
    ssb_transport_result tr;
    memset(&tr, 0, sizeof tr);
    if (rp->subvoxel >= 2) {
        int64_t dims[3];
        double hv[3], sc[256];
        ssb_grid_get_dims(g, dims);
        ssb_grid_get_voxel_size(g, hv);
        ssb_grid *cls = NULL;
        SSB_CHECK(ctx, ssbi_micro_partial_volume(ctx, p, sp, nsp, dims, hv[0], rp->subvoxel, sigma, &cls, sc, NULL));
        int rc = ssb_transport_solve(ctx, cls, sc, rp->axis, &rp->transport, &tr);
        ssb_grid_destroy(&cls);
        SSB_CHECK(ctx, rc);
    } else {
        SSB_CHECK(ctx, ssb_transport_solve(ctx, g, sigma, rp->axis, &rp->transport, &tr));
    }
    ssb_transport_result_destroy(&tr);
    *tau = tr.percolates && tr.sigma_eff > 0 ? tr.eps * tr.sigma_bulk / tr.sigma_eff : INFINITY;
    for (int i = 0; i < p->nphases; i++)
        if (p->phase[i].role == SSB_ROLE_ACTIVE)
            a[p->phase[i].label] = 1;
    ssb_micro_area face;
    SSB_CHECK(ctx, ssb_micro_set_interface_area(ctx, g, a, b, NULL, &face, NULL));
    *area = face.per_volume;
    return SSB_OK;
}

static double rel_change(double x, double ref)
{
    if (isinf(x) && isinf(ref))
        return 0.0;
    if (!isfinite(x) || !isfinite(ref) || ref == 0.0)
        return x == ref ? 0.0 : INFINITY;
    return fabs(x - ref) / fabs(ref);
}

int ssb_micro_resolution_check(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const int64_t dims[3], double h,
                               const ssb_micro_resolution_params *params, ssb_micro_resolution_result *out)
{
    SSB_REQUIRE(ctx, p && dims && out, SSB_ERR_ARG, "ssb_micro_resolution_check: NULL argument");
    memset(out, 0, sizeof *out);
    ssb_micro_resolution_params rp = params ? *params : ssb_micro_resolution_params_default();
    SSB_REQUIRE(ctx, rp.axis == SSB_AXIS_X || rp.axis == SSB_AXIS_Y || rp.axis == SSB_AXIS_Z, SSB_ERR_ARG,
                "resolution check: axis %d is invalid", (int)rp.axis);
    SSB_REQUIRE(ctx, isfinite(rp.box_factor) && rp.box_factor >= 1.0 && rp.box_factor <= 4.0, SSB_ERR_RANGE,
                "resolution check: box_factor = %g is invalid (valid: 1 to 4)", rp.box_factor);
    SSB_REQUIRE(ctx, isfinite(rp.rtol) && rp.rtol > 0.0 && rp.rtol < 1.0, SSB_ERR_RANGE,
                "resolution check: rtol = %g is invalid (valid: 0 < rtol < 1)", rp.rtol);
    SSB_REQUIRE(ctx, isfinite(h) && h > 0.0, SSB_ERR_RANGE, "resolution check: voxel size %g m is invalid (> 0)", h);
    SSB_REQUIRE(ctx, rp.subvoxel >= 0 && rp.subvoxel <= 8, SSB_ERR_RANGE,
                "resolution check: subvoxel = %d is invalid (valid: 0 to 8)", rp.subvoxel);
    double dl, ds;
    SSB_CHECK(ctx, phase_means(ctx, p, &dl, &ds));
    out->h = h;
    out->voxels_across = dl / h;
    out->voxels_across_small = ds / h;
    memcpy(out->dims, dims, sizeof out->dims);

    ssb_grid *g = NULL, *g2 = NULL;
    ssbi_sphere *sp = NULL;
    int64_t nsp = 0;
    int rc = SSB_OK;
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, dims[0], dims[1], dims[2], h, h, h, &g), done);
    SSB_CHECK_GOTO(ctx, rc, ssbi_electrode_generate(ctx, g, p, NULL, &sp, &nsp), done);
    SSB_CHECK_GOTO(ctx, rc, measure(ctx, g, sp, nsp, p, &rp, &out->tau[0], &out->area[0]), done);
    ssb_grid_destroy(&g);

    /* the same spheres at h/2 */
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, 2 * dims[0], 2 * dims[1], 2 * dims[2], 0.5 * h, 0.5 * h, 0.5 * h, &g2),
                   done);
    {
        int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES];
        ssbi_electrode_paint(g2, p, sp, nsp, counts);
    }
    SSB_CHECK_GOTO(ctx, rc, measure(ctx, g2, sp, nsp, p, &rp, &out->tau[1], &out->area[1]), done);
    ssb_grid_destroy(&g2);
    out->rel_tau = rel_change(out->tau[0], out->tau[1]);
    out->rel_area = rel_change(out->area[0], out->area[1]);
    out->tau_extrapolated = isfinite(out->tau[0]) && isfinite(out->tau[1]) ? 2.0 * out->tau[1] - out->tau[0] : INFINITY;
    out->resolved = isfinite(out->tau[1]) && out->rel_tau <= rp.rtol && out->rel_area <= rp.rtol;

    /* a larger box at h: the edges normal to the axis times box_factor */
    out->box_ok = 1;
    if (rp.box_factor > 1.0) {
        int64_t nb[3];
        for (int a = 0; a < 3; a++)
            nb[a] = a == (int)rp.axis ? dims[a] : (int64_t)llround(rp.box_factor * (double)dims[a]);
        memcpy(out->dims_box, nb, sizeof nb);
        SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, nb[0], nb[1], nb[2], h, h, h, &g), done);
        free(sp);
        sp = NULL;
        SSB_CHECK_GOTO(ctx, rc, ssbi_electrode_generate(ctx, g, p, NULL, &sp, &nsp), done);
        double area_box;
        SSB_CHECK_GOTO(ctx, rc, measure(ctx, g, sp, nsp, p, &rp, &out->tau_box, &area_box), done);
        out->rel_tau_box = rel_change(out->tau[0], out->tau_box);
        out->box_ok = out->rel_tau_box <= rp.rtol;
    }

done:
    free(sp);
    ssb_grid_destroy(&g);
    ssb_grid_destroy(&g2);
    return rc;
}

/* ------------------------------------------------------------------------------ sub-voxel conductivities */

int ssbi_micro_partial_volume(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const ssbi_sphere *sp, int64_t nsp,
                              const int64_t dims[3], double h, int s, const double sigma[256], ssb_grid **cls,
                              double sigma_cls[256], int *s_used)
{
    SSB_REQUIRE(ctx, p && dims && sigma && cls && sigma_cls && (sp || nsp == 0), SSB_ERR_ARG,
                "ssbi_micro_partial_volume: NULL argument");
    SSB_REQUIRE(ctx, s >= 1 && s <= 8, SSB_ERR_RANGE, "sub-voxel division %d is invalid (valid: 1 to 8)", s);
    *cls = NULL;
    const int64_t nv = dims[0] * dims[1] * dims[2];
    while (s > 1 && nv * s * s * s > SSBI_MICRO_SUBVOXEL_MAX_FINE)
        s--;
    if (s_used)
        *s_used = s;
    double smax = 0.0;
    for (int l = 0; l < 256; l++)
        smax = fmax(smax, sigma[l]);
    for (int q = 0; q < 256; q++)
        sigma_cls[q] = smax * (double)q / 255.0;
    ssb_grid *fine = NULL, *g = NULL;
    int rc = SSB_OK;
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, dims[0], dims[1], dims[2], h, h, h, &g), fail);
    SSB_CHECK_GOTO(ctx, rc,
                   ssb_grid_create(ctx, s * dims[0], s * dims[1], s * dims[2], h / s, h / s, h / s, &fine), fail);
    {
        int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES];
        ssbi_electrode_paint(fine, p, sp, nsp, counts);
    }
    const uint8_t *f = ssb_grid_get_labels_const(fine);
    uint8_t *c = ssb_grid_get_labels(g);
    const int64_t nx = dims[0], ny = dims[1], nz = dims[2], mx = s * nx, my = s * ny;
    const double scale = smax > 0 ? 255.0 / (smax * (double)(s * s * s)) : 0.0;
    const int nt = ssbi_threads(ctx);
    (void)nt;
#if SSB_HAVE_OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                double acc = 0.0;
                for (int dz = 0; dz < s; dz++)
                    for (int dy = 0; dy < s; dy++) {
                        const uint8_t *row = f + s * x + mx * ((s * y + dy) + my * (s * z + dz));
                        for (int dx = 0; dx < s; dx++)
                            acc += sigma[row[dx]];
                    }
                long q = lround(acc * scale);
                c[x + nx * (y + ny * z)] = (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
            }
    ssb_grid_destroy(&fine);
    *cls = g;
    return SSB_OK;
fail:
    ssb_grid_destroy(&fine);
    ssb_grid_destroy(&g);
    return rc;
}

static inline int64_t wrap_i64(int64_t i, int64_t n)
{
    int64_t m = i % n;
    return m < 0 ? m + n : m;
}

/* ids[v] = index of the sphere that painted voxel v (the first in order whose sphere holds the voxel centre, as
 * ssbi_electrode_paint assigns labels), -1 for the matrix. */
static void sphere_ids(const ssbi_box *b, const ssbi_sphere *sp, int64_t nsp, int32_t *ids)
{
    const int64_t *n = b->n;
    for (int64_t k = 0; k < nsp; k++) {
        const double *c = sp[k].c, r = sp[k].r;
        int64_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = (int64_t)ceil((c[a] - r) / b->h[a] - 0.5);
            hi[a] = (int64_t)floor((c[a] + r) / b->h[a] - 0.5);
            if (b->periodic) {
                if (hi[a] - lo[a] + 1 > n[a])
                    hi[a] = lo[a] + n[a] - 1;
            } else {
                lo[a] = lo[a] < 0 ? 0 : lo[a];
                hi[a] = hi[a] > n[a] - 1 ? n[a] - 1 : hi[a];
            }
        }
        for (int64_t z = lo[2]; z <= hi[2]; z++) {
            const double dz = ((double)z + 0.5) * b->h[2] - c[2];
            for (int64_t y = lo[1]; y <= hi[1]; y++) {
                const double dy = ((double)y + 0.5) * b->h[1] - c[1];
                for (int64_t x = lo[0]; x <= hi[0]; x++) {
                    const double dx = ((double)x + 0.5) * b->h[0] - c[0];
                    if (dx * dx + dy * dy + dz * dz > r * r)
                        continue;
                    int64_t v = wrap_i64(x, n[0]) + n[0] * (wrap_i64(y, n[1]) + n[1] * wrap_i64(z, n[2]));
                    if (ids[v] < 0)
                        ids[v] = (int32_t)k;
                }
            }
        }
    }
}

int ssbi_micro_cut_contacts(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const ssbi_sphere *sp, int64_t nsp,
                            const ssb_grid *g, const double sigma[256], ssb_grid **out, int64_t *ncut)
{
    SSB_REQUIRE(ctx, p && g && sigma && out && (sp || nsp == 0), SSB_ERR_ARG,
                "ssbi_micro_cut_contacts: NULL argument");
    *out = NULL;
    SSB_REQUIRE(ctx, nsp < INT32_MAX, SSB_ERR_RANGE, "too many spheres (%lld)", (long long)nsp);
    ssb_grid *o = NULL;
    SSB_CHECK(ctx, ssb_grid_duplicate(ctx, g, &o));
    const int64_t nv = ssb_grid_get_nvoxels(g);
    int32_t *ids = ssbi_malloc(ctx, (size_t)nv * sizeof *ids, "sphere ids");
    if (!ids) {
        ssb_grid_destroy(&o);
        return SSB_ERR_NOMEM;
    }
    for (int64_t v = 0; v < nv; v++)
        ids[v] = -1;
    ssbi_box b;
    ssbi_box_init(&b, o, p->periodic);
    sphere_ids(&b, sp, nsp, ids);
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    uint8_t *ol = ssb_grid_get_labels(o);
    const int64_t n[3] = {b.n[0], b.n[1], b.n[2]};
    const int64_t stride[3] = {1, n[0], n[0] * n[1]};
    int64_t cut = 0;
    for (int64_t z = 0; z < n[2]; z++)
        for (int64_t y = 0; y < n[1]; y++)
            for (int64_t x = 0; x < n[0]; x++) {
                const int64_t v = x + n[0] * (y + n[1] * z), xyz[3] = {x, y, z};
                const int32_t a = ids[v];
                if (a < 0 || !(sigma[lab[v]] > 0))
                    continue;
                for (int ax = 0; ax < 3; ax++) {
                    int64_t w;
                    if (xyz[ax] + 1 < n[ax])
                        w = v + stride[ax];
                    else if (b.periodic)
                        w = v - (n[ax] - 1) * stride[ax];
                    else
                        continue;
                    const int32_t q = ids[w];
                    if (q < 0 || q == a || !(sigma[lab[w]] > 0))
                        continue;
                    /* two particles face to face: in contact only if the spheres overlap (minimum image) */
                    double d2 = 0;
                    for (int e = 0; e < 3; e++) {
                        double d = sp[a].c[e] - sp[q].c[e];
                        if (b.periodic)
                            d -= b.len[e] * round(d / b.len[e]);
                        d2 += d * d;
                    }
                    const double rs = sp[a].r + sp[q].r;
                    if (d2 > rs * rs) {
                        ol[v] = p->matrix_label;
                        cut++;
                        break;
                    }
                }
            }
    free(ids);
    if (ncut)
        *ncut = cut;
    *out = o;
    return SSB_OK;
}

ssb_micro_network_check_params ssb_micro_network_check_params_default(void)
{
    ssb_micro_network_check_params r;
    memset(&r, 0, sizeof r);
    r.subvoxel = SSB_MICRO_SUBVOXEL;
    r.rtol = 0.05;
    r.transport = ssb_transport_params_default();
    return r;
}

/* Volume mean of sigma[label] over g. */
static double mean_sigma(const ssb_grid *g, const double sigma[256])
{
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    double m = 0.0;
    for (int l = 0; l < 256; l++)
        m += (double)hist[l] * sigma[l];
    return m / (double)ssb_grid_get_nvoxels(g);
}

/* sigma_eff along z of g, and tau = mean / sigma_eff (+inf when nothing percolates); mean: the volume-mean
 * conductivity eps sigma_bulk of the structure's phases. */
static int network_tau(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], double mean,
                       const ssb_transport_params *tp, double *tau, double *sigma_eff)
{
    ssb_transport_params t = *tp;
    t.want_fields = 0;
    ssb_transport_result r;
    memset(&r, 0, sizeof r);
    SSB_CHECK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &t, &r));
    ssb_transport_result_destroy(&r);
    *tau = r.percolates && r.sigma_eff > 0 ? mean / r.sigma_eff : INFINITY;
    *sigma_eff = r.sigma_eff;
    return SSB_OK;
}

/* The ionic (sub-voxel when subvoxel >= 2) and electronic (binary, false contacts cut) taus of the spheres on a
 * dims grid of edge h; bin holds the binary voxels of the same spheres at h. Both taus divide the volume-mean
 * conductivity of the labelled phases (eps sigma_bulk) by sigma_eff. */
static int network_pair(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const ssbi_sphere *sp, int64_t nsp,
                        const ssb_grid *bin, double h, const double sigma_ion[256], const double sigma_el[256],
                        const ssb_micro_network_check_params *cp, int k, ssb_micro_network_check *out)
{
    int64_t dims[3];
    ssb_grid_get_dims(bin, dims);
    /* one volume mean for h and h/2 (that of the structure at h): the change in tau is the change in sigma_eff */
    if (k == 0) {
        out->mean_sigma_ion = mean_sigma(bin, sigma_ion);
        out->mean_sigma_el = mean_sigma(bin, sigma_el);
    }
    const double mion = out->mean_sigma_ion, mel = out->mean_sigma_el;
    if (cp->subvoxel >= 2) {
        ssb_grid *cls = NULL;
        double sc[256];
        SSB_CHECK(ctx, ssbi_micro_partial_volume(ctx, p, sp, nsp, dims, h, cp->subvoxel, sigma_ion, &cls, sc,
                                                 &out->subvoxel));
        int rc = network_tau(ctx, cls, sc, mion, &cp->transport, &out->tau_ion[k], &out->sigma_ion[k]);
        ssb_grid_destroy(&cls);
        SSB_CHECK(ctx, rc);
    } else {
        out->subvoxel = 1;
        SSB_CHECK(ctx, network_tau(ctx, bin, sigma_ion, mion, &cp->transport, &out->tau_ion[k], &out->sigma_ion[k]));
    }
    ssb_grid *el = NULL;
    SSB_CHECK(ctx, ssbi_micro_cut_contacts(ctx, p, sp, nsp, bin, sigma_el, &el, NULL));
    int rc = network_tau(ctx, el, sigma_el, mel, &cp->transport, &out->tau_el[k], &out->sigma_el[k]);
    ssb_grid_destroy(&el);
    return rc;
}

int ssb_micro_resolution_networks(ssb_ctx *ctx, const ssb_micro_electrode_params *p, const int64_t dims[3], double h,
                                  const double sigma_ion[256], const double sigma_el[256],
                                  const ssb_micro_network_check_params *params, ssb_micro_network_check *out)
{
    SSB_REQUIRE(ctx, p && dims && sigma_ion && sigma_el && out, SSB_ERR_ARG,
                "ssb_micro_resolution_networks: NULL argument");
    memset(out, 0, sizeof *out);
    ssb_micro_network_check_params cp = params ? *params : ssb_micro_network_check_params_default();
    SSB_REQUIRE(ctx, isfinite(cp.rtol) && cp.rtol > 0.0 && cp.rtol < 1.0, SSB_ERR_RANGE,
                "network resolution check: rtol = %g is invalid (valid: 0 < rtol < 1)", cp.rtol);
    SSB_REQUIRE(ctx, cp.subvoxel >= 0 && cp.subvoxel <= 8, SSB_ERR_RANGE,
                "network resolution check: subvoxel = %d is invalid (valid: 0 to 8)", cp.subvoxel);
    SSB_REQUIRE(ctx, isfinite(h) && h > 0.0, SSB_ERR_RANGE, "network resolution check: voxel size %g m is invalid",
                h);
    out->h = h;
    memcpy(out->dims, dims, sizeof out->dims);
    ssb_grid *g = NULL;
    ssbi_sphere *sp = NULL;
    int64_t nsp = 0;
    int rc = SSB_OK;
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, dims[0], dims[1], dims[2], h, h, h, &g), done);
    SSB_CHECK_GOTO(ctx, rc, ssbi_electrode_generate(ctx, g, p, NULL, &sp, &nsp), done);
    SSB_CHECK_GOTO(ctx, rc, network_pair(ctx, p, sp, nsp, g, h, sigma_ion, sigma_el, &cp, 0, out), done);
    ssb_grid_destroy(&g);
    /* the same spheres at h/2 */
    SSB_CHECK_GOTO(ctx, rc, ssb_grid_create(ctx, 2 * dims[0], 2 * dims[1], 2 * dims[2], 0.5 * h, 0.5 * h, 0.5 * h, &g),
                   done);
    {
        int64_t counts[SSB_MICRO_MAX_PARTICLE_PHASES];
        ssbi_electrode_paint(g, p, sp, nsp, counts);
    }
    SSB_CHECK_GOTO(ctx, rc, network_pair(ctx, p, sp, nsp, g, 0.5 * h, sigma_ion, sigma_el, &cp, 1, out), done);
    out->rel_ion = rel_change(out->tau_ion[0], out->tau_ion[1]);
    out->rel_el = rel_change(out->tau_el[0], out->tau_el[1]);
    out->tau_ion_extrapolated = 2.0 * out->tau_ion[1] - out->tau_ion[0];
    out->tau_el_extrapolated = 2.0 * out->tau_el[1] - out->tau_el[0];
    out->resolved = isfinite(out->tau_ion[1]) && isfinite(out->tau_el[1]) && out->rel_ion <= cp.rtol &&
                    out->rel_el <= cp.rtol;
done:
    free(sp);
    ssb_grid_destroy(&g);
    return rc;
}

/* 2 x 2 x 2 majority coarsening of src into dst (dims floor(n / 2)); ties go to the smaller label. */
static void coarsen2(const ssb_grid *src, ssb_grid *dst)
{
    int64_t n[3], m[3];
    ssb_grid_get_dims(src, n);
    ssb_grid_get_dims(dst, m);
    const uint8_t *a = ssb_grid_get_labels_const(src);
    uint8_t *b = ssb_grid_get_labels(dst);
    for (int64_t z = 0; z < m[2]; z++)
        for (int64_t y = 0; y < m[1]; y++)
            for (int64_t x = 0; x < m[0]; x++) {
                uint8_t l[8];
                int k = 0;
                for (int dz = 0; dz < 2; dz++)
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++)
                            l[k++] = a[(2 * x + dx) + n[0] * ((2 * y + dy) + n[1] * (2 * z + dz))];
                int best = 0, bestc = 0;
                for (int i = 0; i < 8; i++) {
                    int c = 0;
                    for (int j = 0; j < 8; j++)
                        c += l[j] == l[i];
                    if (c > bestc || (c == bestc && l[i] < l[best])) {
                        best = i;
                        bestc = c;
                    }
                }
                b[x + m[0] * (y + m[1] * z)] = l[best];
            }
}

int ssb_micro_resolution_check_image(ssb_ctx *ctx, const ssb_grid *g, const double sigma[256], ssb_axis axis,
                                     const ssb_transport_params *tp, double *tau_h, double *tau_2h, double *rel)
{
    SSB_REQUIRE(ctx, g && sigma && tau_h && tau_2h && rel, SSB_ERR_ARG,
                "ssb_micro_resolution_check_image: NULL argument");
    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    SSB_REQUIRE(ctx, n[0] >= 2 && n[1] >= 2 && n[2] >= 2, SSB_ERR_RANGE,
                "resolution check: the image (%lld x %lld x %lld) needs at least 2 voxels per axis", (long long)n[0],
                (long long)n[1], (long long)n[2]);
    ssb_transport_result r;
    SSB_CHECK(ctx, ssb_transport_solve(ctx, g, sigma, axis, tp, &r));
    ssb_transport_result_destroy(&r);
    *tau_h = r.tau;
    ssb_grid *c = NULL;
    SSB_CHECK(ctx, ssb_grid_create(ctx, n[0] / 2, n[1] / 2, n[2] / 2, 2 * h[0], 2 * h[1], 2 * h[2], &c));
    coarsen2(g, c);
    int rc = ssb_transport_solve(ctx, c, sigma, axis, tp, &r);
    ssb_transport_result_destroy(&r);
    ssb_grid_destroy(&c);
    SSB_CHECK(ctx, rc);
    *tau_2h = r.tau;
    *rel = rel_change(*tau_2h, *tau_h);
    return SSB_OK;
}

int ssb_micro_feature_sizes(ssb_ctx *ctx, const ssb_grid *g, int n_across, ssb_micro_features *out)
{
    SSB_REQUIRE(ctx, g && out, SSB_ERR_ARG, "ssb_micro_feature_sizes: NULL argument");
    memset(out, 0, sizeof *out);
    int n = SSB_MICRO_VOXELS_ACROSS;
    SSB_CHECK(ctx, check_n(ctx, n_across, &n));
    int64_t dims[3];
    double h[3];
    ssb_grid_get_dims(g, dims);
    ssb_grid_get_voxel_size(g, h);
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    const int64_t nx = dims[0], ny = dims[1], nz = dims[2];
    /* runs[a][l]: chords of label l along axis a = voxels whose predecessor along a is outside the box or differs */
    int64_t *acc = ssbi_calloc(ctx, 4 * 256, sizeof(int64_t), "chord counts");
    if (!acc)
        return SSB_ERR_NOMEM;
    const int nt = ssbi_threads(ctx);
#if SSB_HAVE_OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        int64_t loc[4][256];
        memset(loc, 0, sizeof loc);
#if SSB_HAVE_OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t z = 0; z < nz; z++)
            for (int64_t y = 0; y < ny; y++) {
                const uint8_t *row = lab + nx * (y + ny * z);
                const uint8_t *rowy = y > 0 ? row - nx : NULL, *rowz = z > 0 ? row - nx * ny : NULL;
                for (int64_t x = 0; x < nx; x++) {
                    const uint8_t l = row[x];
                    loc[3][l]++;
                    loc[0][l] += x == 0 || row[x - 1] != l;
                    loc[1][l] += !rowy || rowy[x] != l;
                    loc[2][l] += !rowz || rowz[x] != l;
                }
            }
#if SSB_HAVE_OPENMP
#pragma omp critical
#endif
        for (int a = 0; a < 4; a++)
            for (int l = 0; l < 256; l++)
                acc[a * 256 + l] += loc[a][l];
    }
    (void)nt;
    out->n_across = n;
    for (int l = 0; l < 256; l++) {
        const int64_t cnt = acc[3 * 256 + l];
        if (cnt == 0)
            continue;
        ssb_micro_feature *f = &out->label[out->nlabels++];
        f->label = (uint8_t)l;
        f->nvoxels = cnt;
        /* an axis one voxel deep (a 2-D slice, a 1 x 1 x N column) cuts every chord to that voxel: it measures the
         * slice, not the features, and is left out of the shortest chord unless every axis is one voxel */
        int amin = -1;
        for (int a = 0; a < 3; a++) {
            f->chord_mean[a] = (double)cnt / (double)acc[a * 256 + l] * h[a];
            if (dims[a] > 1 && (amin < 0 || f->chord_mean[a] < f->chord_mean[amin]))
                amin = a;
        }
        if (amin < 0)
            amin = 0;
        f->feature_size = 1.5 * f->chord_mean[amin];
        f->voxels_across = f->feature_size / h[amin];
        f->under_resolved = f->voxels_across < (double)n;
        out->n_under += f->under_resolved;
    }
    free(acc);
    return SSB_OK;
}
