/* io: gray value -> label mapping (identity, label map, thresholds) for every sample type. */
#include "io_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static inline uint16_t bswap16(uint16_t v)
{
    return (uint16_t)((v >> 8) | (v << 8));
}
static inline uint32_t bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0x0000FF00u) | ((v << 8) & 0x00FF0000u) | (v << 24);
}
static inline uint64_t bswap64(uint64_t v)
{
    return ((uint64_t)bswap32((uint32_t)v) << 32) | (uint64_t)bswap32((uint32_t)(v >> 32));
}

/* Label of gray value g, or -1 if it has none. */
static inline int map_scalar(const ssbi_mapper *m, double g)
{
    if (g != g)
        return -1; /* NaN */
    switch (m->kind) {
    case SSB_IO_MAP_IDENTITY:
        if (g >= 0.0 && g <= 255.0 && (double)(int)g == g)
            return (int)g;
        return -1;
    case SSB_IO_MAP_LABELS: {
        int lo = 0, hi = m->n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) / 2;
            if (m->gray[mid] < g)
                lo = mid + 1;
            else if (m->gray[mid] > g)
                hi = mid - 1;
            else
                return m->glabel[mid];
        }
        return -1;
    }
    case SSB_IO_MAP_THRESHOLDS: {
        int lo = 0, hi = m->nt; /* number of thresholds <= g */
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (g >= m->thr[mid])
                lo = mid + 1;
            else
                hi = mid;
        }
        return m->tlab[lo];
    }
    }
    return -1;
}

/* Gray value of a small (<= 16-bit) raw sample as loaded in host order. */
static double decode_small(const ssbi_mapper *m, uint32_t raw)
{
    switch (m->dt) {
    case SSB_DTYPE_BOOL:
        return raw != 0 ? 1.0 : 0.0;
    case SSB_DTYPE_UINT8:
        return (double)(uint8_t)raw;
    case SSB_DTYPE_INT8:
        return (double)(int8_t)(uint8_t)raw;
    case SSB_DTYPE_UINT16:
        return (double)(m->swap ? bswap16((uint16_t)raw) : (uint16_t)raw);
    case SSB_DTYPE_INT16: {
        uint16_t u = m->swap ? bswap16((uint16_t)raw) : (uint16_t)raw;
        int16_t v;
        memcpy(&v, &u, sizeof v);
        return (double)v;
    }
    default:
        return 0.0;
    }
}

/* Record the mapping error of gray value g at element index idx. */
static int map_error(ssb_ctx *ctx, const ssbi_mapper *m, int64_t idx, double g)
{
    int64_t x, y, z;
    const int64_t nx = m->dims[0], ny = m->dims[1], nz = m->dims[2];
    idx += m->first_offset;
    if (m->fortran) {
        z = idx % nz;
        y = (idx / nz) % ny;
        x = idx / (nz * ny);
    } else {
        x = idx % nx;
        y = (idx / nx) % ny;
        z = idx / (nx * ny);
    }
    if (g != g)
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "'%s': gray value NaN at voxel (x=%lld, y=%lld, z=%lld) cannot be mapped to a label", m->file,
                         (long long)x, (long long)y, (long long)z);
    if (m->kind == SSB_IO_MAP_LABELS) {
        char list[256];
        size_t k = 0;
        list[0] = '\0';
        for (int i = 0; i < m->n && k + 32 < sizeof list; i++)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%.9g", i ? ", " : "", m->gray[i]);
        if (k + 32 >= sizeof list)
            snprintf(list + k, sizeof list - k, ", ...");
        return SSB_ERROR(ctx, SSB_ERR_NOTFOUND,
                         "'%s': gray value %.9g at voxel (x=%lld, y=%lld, z=%lld) is not in the label map "
                         "(gray values in the map: %s)",
                         m->file, g, (long long)x, (long long)y, (long long)z, list);
    }
    return SSB_ERROR(ctx, SSB_ERR_RANGE,
                     "'%s': gray value %.9g at voxel (x=%lld, y=%lld, z=%lld) is not a label (the identity mapping "
                     "takes integers 0..255); give a label map (gray value -> label) or thresholds",
                     m->file, g, (long long)x, (long long)y, (long long)z);
}

static int cmp_pair(const void *a, const void *b)
{
    const double ga = *(const double *)a, gb = *(const double *)b;
    return (ga > gb) - (ga < gb);
}

void ssbi_mapper_destroy(ssbi_mapper *m)
{
    if (!m)
        return;
    free(m->gray);
    free(m->glabel);
    free(m->thr);
    free(m->tlab);
    free(m->lut);
    memset(m, 0, sizeof *m);
}

static int init_labels(ssb_ctx *ctx, ssbi_mapper *m, const ssb_io_read_params *p)
{
    SSB_REQUIRE(ctx, p->map_n >= 1 && p->map_gray && p->map_label, SSB_ERR_ARG,
                "label map: %d entries with %s gray values and %s labels (valid: map_n >= 1 and both arrays given)",
                p->map_n, p->map_gray ? "given" : "no", p->map_label ? "given" : "no");
    const int n = p->map_n;
    /* Sort (gray, label) pairs by gray: pack into doubles (label exactly representable). */
    double *pairs = ssbi_malloc(ctx, (size_t)n * 2 * sizeof(double), "label map");
    if (!pairs)
        return SSB_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        if (!isfinite(p->map_gray[i])) {
            free(pairs);
            return SSB_ERROR(ctx, SSB_ERR_ARG, "label map entry %d: gray value %g is invalid (must be finite)", i,
                             p->map_gray[i]);
        }
        pairs[2 * i] = p->map_gray[i];
        pairs[2 * i + 1] = (double)p->map_label[i];
    }
    qsort(pairs, (size_t)n, 2 * sizeof(double), cmp_pair);
    m->gray = ssbi_malloc(ctx, (size_t)n * sizeof(double), "label map");
    m->glabel = ssbi_malloc(ctx, (size_t)n, "label map");
    if (!m->gray || !m->glabel) {
        free(pairs);
        return SSB_ERR_NOMEM;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        double g = pairs[2 * i];
        uint8_t l = (uint8_t)pairs[2 * i + 1];
        if (k > 0 && m->gray[k - 1] == g) {
            if (m->glabel[k - 1] != l) {
                free(pairs);
                return SSB_ERROR(ctx, SSB_ERR_ARG, "label map: gray value %.9g maps to both label %d and label %d", g,
                                 m->glabel[k - 1], l);
            }
            continue;
        }
        m->gray[k] = g;
        m->glabel[k] = l;
        k++;
    }
    m->n = k;
    free(pairs);
    return SSB_OK;
}

static int init_thresholds(ssb_ctx *ctx, ssbi_mapper *m, const ssb_io_read_params *p)
{
    const int nt = p->nthresholds;
    SSB_REQUIRE(ctx, nt >= 1 && nt <= 255 && p->thresholds, SSB_ERR_ARG,
                "thresholds: %d given%s (valid: 1 to 255 thresholds)", nt, p->thresholds ? "" : " with no array");
    m->thr = ssbi_malloc(ctx, (size_t)nt * sizeof(double), "thresholds");
    m->tlab = ssbi_malloc(ctx, (size_t)nt + 1, "threshold labels");
    if (!m->thr || !m->tlab)
        return SSB_ERR_NOMEM;
    for (int i = 0; i < nt; i++) {
        double t = p->thresholds[i];
        SSB_REQUIRE(ctx, isfinite(t), SSB_ERR_ARG, "threshold %d = %g is invalid (must be finite)", i, t);
        SSB_REQUIRE(ctx, i == 0 || t > p->thresholds[i - 1], SSB_ERR_ARG,
                    "thresholds must increase strictly: threshold %d = %.9g is not above threshold %d = %.9g", i, t,
                    i - 1, p->thresholds[i - 1]);
        m->thr[i] = t;
    }
    for (int i = 0; i <= nt; i++)
        m->tlab[i] = p->threshold_labels ? p->threshold_labels[i] : (uint8_t)i;
    m->nt = nt;
    return SSB_OK;
}

int ssbi_mapper_init(ssb_ctx *ctx, ssbi_mapper *m, const ssb_io_read_params *p, ssb_dtype dt, int swap,
                     const char *file, const int64_t dims[3])
{
    memset(m, 0, sizeof *m);
    m->dt = dt;
    m->swap = swap;
    m->file = file;
    memcpy(m->dims, dims, sizeof m->dims);
    m->kind = p ? p->map : SSB_IO_MAP_IDENTITY;
    int rc = SSB_OK;
    switch (m->kind) {
    case SSB_IO_MAP_IDENTITY:
        break;
    case SSB_IO_MAP_LABELS:
        rc = init_labels(ctx, m, p);
        break;
    case SSB_IO_MAP_THRESHOLDS:
        rc = init_thresholds(ctx, m, p);
        break;
    default:
        rc = SSB_ERROR(ctx, SSB_ERR_ARG, "gray-value mapping %d is invalid (valid: identity, labels, thresholds)",
                       (int)m->kind);
    }
    if (rc != SSB_OK) {
        ssbi_mapper_destroy(m);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    size_t nlut = 0;
    switch (dt) {
    case SSB_DTYPE_BOOL:
    case SSB_DTYPE_UINT8:
    case SSB_DTYPE_INT8:
        nlut = 256;
        break;
    case SSB_DTYPE_UINT16:
    case SSB_DTYPE_INT16:
        nlut = 65536;
        break;
    default:
        break;
    }
    if (nlut) {
        m->lut = ssbi_malloc(ctx, nlut * sizeof *m->lut, "gray-value lookup table");
        if (!m->lut) {
            ssbi_mapper_destroy(m);
            return SSB_ERR_NOMEM;
        }
        int ident = (nlut == 256);
        for (size_t r = 0; r < nlut; r++) {
            m->lut[r] = (int16_t)map_scalar(m, decode_small(m, (uint32_t)r));
            if (m->lut[r] != (int)r)
                ident = 0;
        }
        m->lut_identity = ident;
    }
    return SSB_OK;
}

/* Map samples of a wide type T stored as U (same size) with byte swap SW. */
#define MAP_WIDE(T, U, SW)                                                                                             \
    do {                                                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                                              \
            U u_;                                                                                                      \
            T v_;                                                                                                      \
            memcpy(&u_, s + (size_t)i * sizeof(U), sizeof u_);                                                         \
            if (swap)                                                                                                  \
                u_ = SW(u_);                                                                                           \
            memcpy(&v_, &u_, sizeof v_);                                                                               \
            const double g_ = (double)v_;                                                                              \
            const int l_ = map_scalar(m, g_);                                                                          \
            if (l_ < 0)                                                                                                \
                return map_error(ctx, m, first + i, g_);                                                               \
            dst[i] = (uint8_t)l_;                                                                                      \
        }                                                                                                              \
    } while (0)

int ssbi_mapper_apply(ssb_ctx *ctx, const ssbi_mapper *m, const void *src, int64_t n, uint8_t *dst, int64_t first)
{
    const uint8_t *s = src;
    const int swap = m->swap;
    const int16_t *lut = m->lut;
    switch (m->dt) {
    case SSB_DTYPE_BOOL:
    case SSB_DTYPE_UINT8:
    case SSB_DTYPE_INT8:
        if (m->lut_identity) {
            memcpy(dst, s, (size_t)n);
            return SSB_OK;
        }
        for (int64_t i = 0; i < n; i++) {
            const int16_t l = lut[s[i]];
            if (l < 0)
                return map_error(ctx, m, first + i, decode_small(m, s[i]));
            dst[i] = (uint8_t)l;
        }
        return SSB_OK;
    case SSB_DTYPE_UINT16:
    case SSB_DTYPE_INT16:
        for (int64_t i = 0; i < n; i++) {
            uint16_t r;
            memcpy(&r, s + 2 * (size_t)i, 2);
            const int16_t l = lut[r];
            if (l < 0)
                return map_error(ctx, m, first + i, decode_small(m, r));
            dst[i] = (uint8_t)l;
        }
        return SSB_OK;
    case SSB_DTYPE_UINT32:
        MAP_WIDE(uint32_t, uint32_t, bswap32);
        return SSB_OK;
    case SSB_DTYPE_INT32:
        MAP_WIDE(int32_t, uint32_t, bswap32);
        return SSB_OK;
    case SSB_DTYPE_UINT64:
        MAP_WIDE(uint64_t, uint64_t, bswap64);
        return SSB_OK;
    case SSB_DTYPE_INT64:
        MAP_WIDE(int64_t, uint64_t, bswap64);
        return SSB_OK;
    case SSB_DTYPE_FLOAT32:
        MAP_WIDE(float, uint32_t, bswap32);
        return SSB_OK;
    case SSB_DTYPE_FLOAT64:
        MAP_WIDE(double, uint64_t, bswap64);
        return SSB_OK;
    default:
        break;
    }
    return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "mapper: data type %d has no conversion", (int)m->dt);
}

int ssbi_mapper_apply_inplace8(ssb_ctx *ctx, const ssbi_mapper *m, uint8_t *buf, int64_t n, int64_t first)
{
    SSB_REQUIRE(ctx, m->lut && (m->dt == SSB_DTYPE_UINT8 || m->dt == SSB_DTYPE_INT8 || m->dt == SSB_DTYPE_BOOL),
                SSB_ERR_INTERNAL, "mapper: in-place mapping needs an 8-bit type");
    if (m->lut_identity)
        return SSB_OK;
    const int16_t *lut = m->lut;
    for (int64_t i = 0; i < n; i++) {
        const int16_t l = lut[buf[i]];
        if (l < 0)
            return map_error(ctx, m, first + i, decode_small(m, buf[i]));
        buf[i] = (uint8_t)l;
    }
    return SSB_OK;
}

int ssbi_mapper_apply_bits(ssb_ctx *ctx, const ssbi_mapper *m, const uint8_t *src, int bits, int64_t n, uint8_t *dst,
                           int64_t first)
{
    SSB_REQUIRE(ctx, m->lut && (bits == 1 || bits == 2 || bits == 4), SSB_ERR_INTERNAL,
                "mapper: %d-bit samples need an 8-bit lookup table", bits);
    const int16_t *lut = m->lut;
    const unsigned mask = (1u << bits) - 1u;
    for (int64_t i = 0; i < n; i++) {
        const int64_t bit = i * bits;
        const unsigned v = ((unsigned)src[bit >> 3] >> (8 - bits - (int)(bit & 7))) & mask;
        const int16_t l = lut[v];
        if (l < 0)
            return map_error(ctx, m, first + i, decode_small(m, v));
        dst[i] = (uint8_t)l;
    }
    return SSB_OK;
}
