/* SE: 3-D polycrystal (Voronoi grains or a voxelised brick layer) solved with the transport engine, compared with
 * the brick-layer model. */
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_se.h>
#include <ssbnet/ssb_transport.h>

#include "core_impl.h"
#include "se_impl.h"

#include <math.h>
#include <string.h>

#define LABEL_GRAIN 1
#define LABEL_GB 2

ssb_se_polycrystal_params ssb_se_polycrystal_params_default(void)
{
    ssb_se_polycrystal_params p;
    memset(&p, 0, sizeof p);
    p.geometry = SSB_SE_POLY_VORONOI;
    p.grain_size = NAN;
    p.gb_thickness = NAN;
    p.sigma_bulk = NAN;
    p.sigma_gb = NAN;
    p.n = 64;
    p.vox_per_gb = 2.0;
    p.axis = SSB_AXIS_Z;
    p.seed = 1;
    p.realisations = 1;
    p.rtol = 1e-8;
    return p;
}

static int brick_sigma(ssb_ctx *ctx, double dd, double sb, double sg, double *sigma)
{
    ssb_se_brick_params bp = ssb_se_brick_params_default();
    bp.grain_size = 1.0;
    bp.gb_thickness = dd;
    bp.sigma_bulk = sb;
    bp.sigma_gb_perp = sg;
    bp.sigma_gb_par = sg;
    ssb_se_brick_result br;
    SSB_CHECK(ctx, ssbi_se_brick_solve(ctx, &bp, &br, 0));
    *sigma = br.sigma_total;
    return SSB_OK;
}

/* voxelised brick layer: GB where any index mod period < wall */
static void fill_cubic(ssb_grid *g, int64_t n, int64_t period, int64_t wall)
{
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < n; j++)
            for (int64_t i = 0; i < n; i++) {
                int gb = (i % period) < wall || (j % period) < wall || (k % period) < wall;
                lab[i + n * (j + n * k)] = gb ? LABEL_GB : LABEL_GRAIN;
            }
}

int ssb_se_polycrystal_solve(ssb_ctx *ctx, const ssb_se_polycrystal_params *p, ssb_se_polycrystal_result *r)
{
    SSB_REQUIRE(ctx, p != NULL && r != NULL, SSB_ERR_ARG, "ssb_se_polycrystal_solve: NULL argument");
    SSB_REQUIRE(ctx, p->geometry == SSB_SE_POLY_VORONOI || p->geometry == SSB_SE_POLY_CUBIC, SSB_ERR_ARG,
                "polycrystal geometry %d unknown", (int)p->geometry);
    SSB_REQUIRE(ctx, isfinite(p->grain_size) && p->grain_size > 0, SSB_ERR_RANGE, "grain_size = %g m, must be > 0",
                p->grain_size);
    SSB_REQUIRE(ctx, isfinite(p->gb_thickness) && p->gb_thickness > 0 && p->gb_thickness < p->grain_size, SSB_ERR_RANGE,
                "gb_thickness = %g m, must be in (0, grain_size = %g m)", p->gb_thickness, p->grain_size);
    SSB_REQUIRE(ctx, isfinite(p->sigma_bulk) && p->sigma_bulk > 0 && isfinite(p->sigma_gb) && p->sigma_gb > 0,
                SSB_ERR_RANGE, "sigma_bulk = %g S/m and sigma_gb = %g S/m must be > 0", p->sigma_bulk, p->sigma_gb);
    SSB_REQUIRE(ctx, p->n >= 8 && p->n <= 2048, SSB_ERR_RANGE, "voxels per edge n = %lld, must be in [8, 2048]",
                (long long)p->n);
    SSB_REQUIRE(ctx, isfinite(p->vox_per_gb) && p->vox_per_gb >= 1 && p->vox_per_gb <= 64, SSB_ERR_RANGE,
                "voxels per GB thickness = %g, must be in [1, 64]", p->vox_per_gb);
    SSB_REQUIRE(ctx, p->realisations >= 1 && p->realisations <= 1000, SSB_ERR_RANGE,
                "realisations = %d, must be in [1, 1000]", p->realisations);
    SSB_REQUIRE(ctx, p->axis == SSB_AXIS_X || p->axis == SSB_AXIS_Y || p->axis == SSB_AXIS_Z, SSB_ERR_ARG,
                "axis %d unknown", (int)p->axis);
    const double h = p->gb_thickness / p->vox_per_gb;
    const int64_t n = p->n;
    int64_t period = 0, wall = 0;
    double d3 = p->grain_size, t3 = p->gb_thickness;
    if (p->geometry == SSB_SE_POLY_CUBIC) {
        period = ssbi_clamp_i64(round(p->grain_size / h), 0, INT64_C(1) << 40);
        wall = ssbi_clamp_i64(round(p->gb_thickness / h), 0, INT64_C(1) << 40);
        SSB_REQUIRE(ctx, period >= 2 && wall >= 1 && wall < period, SSB_ERR_RANGE,
                    "cubic brick: period %lld and wall %lld voxels (need 1 <= wall < period)", (long long)period,
                    (long long)wall);
        d3 = (double)period * h;
        t3 = (double)wall * h;
    }
    SSB_REQUIRE(ctx, (double)n * h >= 1.5 * d3, SSB_ERR_RANGE,
                "box edge %g m holds %.2f grains of %g m; need >= 1.5 (raise n or lower vox_per_gb)", (double)n * h,
                (double)n * h / d3, d3);
    ssb_grid *g = NULL;
    SSB_CHECK(ctx, ssb_grid_create(ctx, n, n, n, h, h, h, &g));
    int rc = SSB_OK;
    double sigma[256] = {0};
    sigma[LABEL_GRAIN] = p->sigma_bulk;
    sigma[LABEL_GB] = p->sigma_gb;
    ssb_transport_params tp = ssb_transport_params_default();
    tp.rtol = p->rtol;
    double s1 = 0, s2 = 0, fsum = 0, dsum = 0, tsum = 0;
    int conv = 1;
    for (int k = 0; k < p->realisations; k++) {
        double fgb;
        if (p->geometry == SSB_SE_POLY_VORONOI) {
            ssb_micro_polycrystal_params pc = ssb_micro_polycrystal_params_default();
            pc.grain_size = p->grain_size;
            pc.gb_thickness = p->gb_thickness;
            pc.grain_label = LABEL_GRAIN;
            pc.gb_label = LABEL_GB;
            pc.pore_label = 0;
            pc.periodic = 1;
            pc.seed = p->seed + (uint64_t)k;
            ssb_micro_polycrystal_result pr;
            SSB_CHECK_GOTO(ctx, rc, ssb_micro_generate_polycrystal(ctx, g, &pc, NULL, &pr), done);
            fgb = pr.gb_fraction;
            dsum += pr.mean_grain_diameter;
        } else {
            fill_cubic(g, n, period, wall);
            int64_t h256[256];
            ssb_grid_histogram(g, h256);
            fgb = (double)h256[LABEL_GB] / (double)(n * n * n);
            dsum += d3;
        }
        fsum += fgb;
        ssb_transport_result tr;
        memset(&tr, 0, sizeof tr);
        SSB_CHECK_GOTO(ctx, rc, ssb_transport_solve(ctx, g, sigma, p->axis, &tp, &tr), done);
        ssb_transport_result_destroy(&tr);
        if (!tr.percolates) {
            rc = SSB_ERROR(ctx, SSB_ERR_NOPERC, "polycrystal realisation %d does not conduct along the axis", k);
            goto done;
        }
        if (!tr.converged)
            conv = 0;
        s1 += tr.sigma_eff;
        s2 += tr.sigma_eff * tr.sigma_eff;
        tsum += tr.time_s;
        ssbi_log(ctx, SSB_LOG_DEBUG, "se", "polycrystal realisation %d: sigma_3d = %g S/m, GB fraction %g", k,
                 tr.sigma_eff, fgb);
    }
    {
        int R = p->realisations;
        r->sigma_3d = s1 / R;
        r->sigma_3d_sd = R > 1 ? sqrt(fmax(0.0, (s2 - s1 * s1 / R) / (R - 1))) : 0.0;
        r->gb_fraction = fsum / R;
        r->grain_size_3d = dsum / R;
        r->gb_thickness_3d = t3;
        r->grains_per_edge = (double)n * h / r->grain_size_3d;
        r->voxel_size = h;
        r->converged = conv;
        r->time_s = tsum;
        SSB_CHECK_GOTO(ctx, rc,
                       brick_sigma(ctx, p->gb_thickness / p->grain_size, p->sigma_bulk, p->sigma_gb, &r->sigma_blm),
                       done);
        double dd = 1.0 - cbrt(1.0 - r->gb_fraction);
        SSB_CHECK_GOTO(ctx, rc, brick_sigma(ctx, dd, p->sigma_bulk, p->sigma_gb, &r->sigma_blm_matched), done);
        r->err_blm = (r->sigma_blm - r->sigma_3d) / r->sigma_3d;
        r->err_blm_matched = (r->sigma_blm_matched - r->sigma_3d) / r->sigma_3d;
    }
done:
    ssb_grid_destroy(&g);
    return rc;
}
