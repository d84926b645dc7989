/* Analytic test geometries: block, layers, channels, sphere array, TauFactor staircase, sphere, cube,
 * checkerboard. Sizes in voxels; voxel (x, y, z) has index x + nx (y + ny z). */
#include "gen_impl.h"

#include <ssbnet/ssb_micro_gen.h>

#include <math.h>
#include <string.h>

ssb_micro_shape_params ssb_micro_shape_params_default(ssb_micro_shape_kind kind)
{
    ssb_micro_shape_params p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    for (int i = 0; i < SSB_MICRO_SHAPE_MAX_LAYERS; i++) p.labels[i] = (uint8_t)i;
    p.axis = SSB_AXIS_Z;
    return p;
}

/* Nearest of the centres k*s + (s-1)/2, k = 0..m-1, to index i: squared distance in voxel units. */
static double lattice_d2(int64_t i, double s, int64_t m)
{
    double off = 0.5 * (s - 1.0);
    double k = floor(((double)i - off) / s + 0.5);
    if (k < 0.0) k = 0.0;
    if (k > (double)(m - 1)) k = (double)(m - 1);
    double d = (double)i - (k * s + off);
    return d * d;
}

static int check_shape(ssb_ctx *ctx, const ssb_micro_shape_params *p, const int64_t n[3])
{
    const int64_t nmin = n[0] < n[1] ? (n[0] < n[2] ? n[0] : n[2]) : (n[1] < n[2] ? n[1] : n[2]);
    switch (p->kind) {
    case SSB_MICRO_SHAPE_BLOCK:
        break;
    case SSB_MICRO_SHAPE_LAYERS:
        SSB_REQUIRE(ctx, (int)p->axis >= 0 && p->axis <= 2, SSB_ERR_ARG,
                    "shape layers: axis %d does not exist (valid: x, y or z)", (int)p->axis);
        SSB_REQUIRE(ctx, p->nlayers >= 1 && p->nlayers <= SSB_MICRO_SHAPE_MAX_LAYERS, SSB_ERR_RANGE,
                    "shape layers: nlayers = %d is invalid (valid: 1 to %d)", p->nlayers, SSB_MICRO_SHAPE_MAX_LAYERS);
        for (int i = 0; i < p->nlayers; i++)
            SSB_REQUIRE(ctx, p->thickness[i] >= 1, SSB_ERR_RANGE,
                        "shape layers: thickness[%d] = %lld voxels is invalid (must be >= 1)", i,
                        (long long)p->thickness[i]);
        break;
    case SSB_MICRO_SHAPE_CHANNELS:
        SSB_REQUIRE(ctx, (int)p->axis >= 0 && p->axis <= 2, SSB_ERR_ARG,
                    "shape channels: axis %d does not exist (valid: x, y or z)", (int)p->axis);
        SSB_REQUIRE(ctx, p->width >= 1, SSB_ERR_RANGE, "shape channels: width = %lld voxels is invalid (must be >= 1)",
                    (long long)p->width);
        SSB_REQUIRE(ctx, isfinite(p->spacing) && (p->spacing == 0.0 || p->spacing >= (double)p->width),
                    SSB_ERR_RANGE, "shape channels: spacing = %g voxels is invalid (valid: 0 or >= width = %lld)",
                    p->spacing, (long long)p->width);
        for (int a = 0; a < 3; a++)
            SSB_REQUIRE(ctx, a == (int)p->axis || p->width <= n[a], SSB_ERR_RANGE,
                        "shape channels: width %lld voxels exceeds the box (%lld voxels along %s)",
                        (long long)p->width, (long long)n[a], ssb_axis_name((ssb_axis)a));
        break;
    case SSB_MICRO_SHAPE_SPHERE_ARRAY:
        SSB_REQUIRE(ctx, isfinite(p->radius) && p->radius > 0.0, SSB_ERR_RANGE,
                    "shape sphere array: radius = %g voxels is invalid (must be > 0)", p->radius);
        SSB_REQUIRE(ctx, isfinite(p->spacing) && p->spacing >= 1.0, SSB_ERR_RANGE,
                    "shape sphere array: spacing = %g voxels is invalid (must be >= 1)", p->spacing);
        SSB_REQUIRE(ctx, p->spacing <= (double)nmin, SSB_ERR_RANGE,
                    "shape sphere array: spacing %g voxels exceeds the smallest box edge (%lld voxels)", p->spacing,
                    (long long)nmin);
        break;
    case SSB_MICRO_SHAPE_STAIRCASE:
        SSB_REQUIRE(ctx, p->width >= 1, SSB_ERR_RANGE, "shape staircase: width = %lld voxels is invalid (must be >= 1)",
                    (long long)p->width);
        SSB_REQUIRE(ctx, n[0] >= n[2] - 1 + p->width && n[1] >= n[2] - 1 + p->width, SSB_ERR_RANGE,
                    "shape staircase: nx = %lld and ny = %lld must be >= nz - 1 + width = %lld", (long long)n[0],
                    (long long)n[1], (long long)(n[2] - 1 + p->width));
        break;
    case SSB_MICRO_SHAPE_SPHERE:
        SSB_REQUIRE(ctx, isfinite(p->radius) && p->radius > 0.0, SSB_ERR_RANGE,
                    "shape sphere: radius = %g voxels is invalid (must be > 0)", p->radius);
        break;
    case SSB_MICRO_SHAPE_CUBE:
        SSB_REQUIRE(ctx, p->width >= 1 && p->width <= nmin, SSB_ERR_RANGE,
                    "shape cube: side = %lld voxels is invalid (valid: 1 to %lld, the smallest box edge)",
                    (long long)p->width, (long long)nmin);
        break;
    case SSB_MICRO_SHAPE_CHECKERBOARD:
        SSB_REQUIRE(ctx, p->width >= 1, SSB_ERR_RANGE,
                    "shape checkerboard: width = %lld voxels is invalid (must be >= 1)", (long long)p->width);
        break;
    default:
        return SSB_ERROR(ctx, SSB_ERR_ARG, "shape kind %d does not exist (valid: 0 to %d)", (int)p->kind,
                         SSB_MICRO_SHAPE_COUNT - 1);
    }
    return SSB_OK;
}

int ssb_micro_generate_shape(ssb_ctx *ctx, ssb_grid *grid, const ssb_micro_shape_params *p)
{
    SSB_REQUIRE(ctx, grid && p, SSB_ERR_ARG, "ssb_micro_generate_shape: NULL grid or params");
    int64_t n[3];
    ssb_grid_get_dims(grid, n);
    SSB_CHECK(ctx, check_shape(ctx, p, n));
    uint8_t *lab = ssb_grid_get_labels(grid);
    const int64_t nx = n[0], ny = n[1], nz = n[2];
    const uint8_t bg = p->labels[0], fg = p->labels[1];

    int64_t period = 0;
    if (p->kind == SSB_MICRO_SHAPE_LAYERS)
        for (int i = 0; i < p->nlayers; i++) period += p->thickness[i];
    int64_t pitch = p->kind == SSB_MICRO_SHAPE_CHANNELS ? llround(p->spacing) : 0;
    int64_t m[3] = {0, 0, 0};
    if (p->kind == SSB_MICRO_SHAPE_SPHERE_ARRAY)
        for (int a = 0; a < 3; a++) m[a] = ssbi_clamp_i64(floor((double)n[a] / p->spacing), 0, n[a]);
    int64_t cube0[3];
    for (int a = 0; a < 3; a++) cube0[a] = p->corner ? 0 : (n[a] - p->width) / 2;
    const double r2 = p->radius * p->radius;

#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(ssbi_threads(ctx))
#endif
    for (int64_t z = 0; z < nz; z++) {
        for (int64_t y = 0; y < ny; y++) {
            uint8_t *row = lab + nx * (y + ny * z);
            for (int64_t x = 0; x < nx; x++) {
                const int64_t c[3] = {x, y, z};
                uint8_t v = bg;
                switch (p->kind) {
                case SSB_MICRO_SHAPE_BLOCK:
                    break;
                case SSB_MICRO_SHAPE_LAYERS: {
                    int64_t t = c[p->axis] % period, acc = 0;
                    for (int i = 0; i < p->nlayers; i++) {
                        acc += p->thickness[i];
                        if (t < acc) {
                            v = p->labels[i];
                            break;
                        }
                    }
                    break;
                }
                case SSB_MICRO_SHAPE_CHANNELS: {
                    int in = 1;
                    for (int a = 0; a < 3 && in; a++) {
                        if (a == (int)p->axis) continue;
                        int64_t u;
                        if (pitch == 0) {
                            u = c[a] - (n[a] - p->width) / 2;
                        } else {
                            u = c[a] % pitch - (pitch - p->width) / 2;
                        }
                        in = u >= 0 && u < p->width;
                    }
                    if (in) v = fg;
                    break;
                }
                case SSB_MICRO_SHAPE_SPHERE_ARRAY: {
                    double d2 = 0.0;
                    for (int a = 0; a < 3; a++) d2 += lattice_d2(c[a], p->spacing, m[a]);
                    if (d2 <= r2) v = fg;
                    break;
                }
                case SSB_MICRO_SHAPE_STAIRCASE:
                    if (y >= z && y < z + p->width && x >= z && x < z + p->width) v = fg;
                    break;
                case SSB_MICRO_SHAPE_SPHERE: {
                    double d2 = 0.0;
                    for (int a = 0; a < 3; a++) {
                        double d = (double)c[a] - 0.5 * (double)(n[a] - 1);
                        d2 += d * d;
                    }
                    if (d2 <= r2) v = fg;
                    break;
                }
                case SSB_MICRO_SHAPE_CUBE: {
                    int in = 1;
                    for (int a = 0; a < 3; a++) in = in && c[a] >= cube0[a] && c[a] < cube0[a] + p->width;
                    if (in) v = fg;
                    break;
                }
                case SSB_MICRO_SHAPE_CHECKERBOARD:
                    v = p->labels[(x / p->width + y / p->width + z / p->width) % 2];
                    break;
                default:
                    break;
                }
                row[x] = v;
            }
        }
    }
    return SSB_OK;
}
