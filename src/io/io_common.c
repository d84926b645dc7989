/* io: parameters, data types, dispatch by extension, atomic output files, path helpers. */
#include "io_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- data types ---- */

static const struct {
    const char *name;
    size_t size;
} dtype_table[SSB_DTYPE_COUNT] = {
    [SSB_DTYPE_NONE] = {"none", 0},     [SSB_DTYPE_BOOL] = {"bool", 1},       [SSB_DTYPE_UINT8] = {"uint8", 1},
    [SSB_DTYPE_INT8] = {"int8", 1},     [SSB_DTYPE_UINT16] = {"uint16", 2},   [SSB_DTYPE_INT16] = {"int16", 2},
    [SSB_DTYPE_UINT32] = {"uint32", 4}, [SSB_DTYPE_INT32] = {"int32", 4},     [SSB_DTYPE_UINT64] = {"uint64", 8},
    [SSB_DTYPE_INT64] = {"int64", 8},   [SSB_DTYPE_FLOAT32] = {"float32", 4}, [SSB_DTYPE_FLOAT64] = {"float64", 8},
};

const char *ssb_io_dtype_name(ssb_dtype dt)
{
    return ((int)dt >= 0 && dt < SSB_DTYPE_COUNT) ? dtype_table[dt].name : "?";
}

size_t ssb_io_dtype_size(ssb_dtype dt)
{
    return ((int)dt >= 0 && dt < SSB_DTYPE_COUNT) ? dtype_table[dt].size : 0;
}

int ssb_io_dtype_parse(ssb_ctx *ctx, const char *name, ssb_dtype *dt)
{
    SSB_REQUIRE(ctx, name && dt, SSB_ERR_ARG, "ssb_io_dtype_parse: NULL argument");
    for (int i = 1; i < SSB_DTYPE_COUNT; i++)
        if (strcasecmp(name, dtype_table[i].name) == 0) {
            *dt = (ssb_dtype)i;
            return SSB_OK;
        }
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                     "data type '%s' is not supported (valid: uint8, int8, uint16, int16, uint32, int32, uint64, "
                     "int64, float32, float64, bool)",
                     name);
}

int ssbi_host_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t b[2];
    memcpy(b, &one, 2);
    return b[0] == 0;
}

/* ---- parameters ---- */

ssb_io_read_params ssb_io_read_params_default(void)
{
    ssb_io_read_params p;
    memset(&p, 0, sizeof p);
    p.map = SSB_IO_MAP_IDENTITY;
    p.raw_dtype = SSB_DTYPE_NONE;
    p.raw_endian = SSB_ENDIAN_DEFAULT;
    p.raw_header_bytes = -1;
    return p;
}

ssb_io_write_params ssb_io_write_params_default(void)
{
    ssb_io_write_params p;
    memset(&p, 0, sizeof p);
    p.tiff_deflate = 0;
    p.npy_sidecar = 1;
    return p;
}

int ssbi_params_voxel_size(ssb_ctx *ctx, const ssb_io_read_params *p, int *given, double h[3])
{
    *given = 0;
    if (!p)
        return SSB_OK;
    const double *v = p->voxel_size;
    if (v[0] == 0.0 && v[1] == 0.0 && v[2] == 0.0)
        return SSB_OK;
    double w[3] = {v[0], v[1], v[2]};
    if (w[1] == 0.0 && w[2] == 0.0)
        w[1] = w[2] = w[0];
    for (int a = 0; a < 3; a++)
        SSB_REQUIRE(ctx, isfinite(w[a]) && w[a] > 0.0, SSB_ERR_RANGE,
                    "voxel_size = [%g, %g, %g] m is invalid (valid: all three finite and > 0, or [h, 0, 0] for "
                    "cubic voxels, or all 0 to take it from the file)",
                    v[0], v[1], v[2]);
    memcpy(h, w, sizeof w);
    *given = 1;
    return SSB_OK;
}

void ssbi_info_set(ssb_io_read_info *info, ssb_io_format fmt, ssb_dtype dt, int bits, const ssb_grid *g,
                   ssb_io_vsize_source src)
{
    if (!info)
        return;
    info->format = fmt;
    info->dtype = dt;
    info->bits_per_sample = bits;
    ssb_grid_get_dims(g, info->dims);
    memcpy(info->full_dims, info->dims, sizeof info->full_dims);
    info->z0 = 0;
    info->voxel_size_source = src;
    info->voxel_size_defaulted = (src == SSB_IO_VSIZE_DEFAULT);
}

int ssbi_params_slab(ssb_ctx *ctx, const ssb_io_read_params *p, const char *path, int64_t nz_full, int64_t *z0,
                     int64_t *nz)
{
    *z0 = 0;
    *nz = nz_full;
    if (!p || (p->z0 == 0 && p->nz == 0))
        return SSB_OK;
    if (!(p->nz >= 1 && p->z0 >= 0 && p->z0 <= nz_full - p->nz))
        return SSB_ERROR(ctx, SSB_ERR_RANGE,
                         "'%s': slab of planes z0 = %lld, nz = %lld is outside the image's %lld planes (valid: nz >= 1, "
                         "0 <= z0 <= %lld - nz)",
                         path, (long long)p->z0, (long long)p->nz, (long long)nz_full, (long long)nz_full);
    *z0 = p->z0;
    *nz = p->nz;
    return SSB_OK;
}

void ssbi_info_set_slab(ssb_io_read_info *info, const int64_t full[3], int64_t z0)
{
    if (!info)
        return;
    memcpy(info->full_dims, full, sizeof info->full_dims);
    info->z0 = z0;
}

const char *ssbi_fmt_double(char *buf, size_t n, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* ---- paths ---- */

const char *ssbi_path_ext(const char *path)
{
    if (!path)
        return NULL;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return (dot && dot != base) ? dot : NULL;
}

ssb_io_format ssb_io_format_from_path(const char *path)
{
    static const struct {
        const char *ext;
        ssb_io_format fmt;
    } exts[] = {{".tif", SSB_IO_FORMAT_TIFF}, {".tiff", SSB_IO_FORMAT_TIFF}, {".raw", SSB_IO_FORMAT_RAW},
                {".bin", SSB_IO_FORMAT_RAW},  {".npy", SSB_IO_FORMAT_NPY},   {".vti", SSB_IO_FORMAT_VTI}};
    const char *ext = ssbi_path_ext(path);
    if (!ext)
        return SSB_IO_FORMAT_UNKNOWN;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(ext, exts[i].ext) == 0)
            return exts[i].fmt;
    return SSB_IO_FORMAT_UNKNOWN;
}

int ssbi_file_size(ssb_ctx *ctx, const char *path, const char *what, int64_t *size)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(errno));
    SSB_REQUIRE(ctx, S_ISREG(st.st_mode), SSB_ERR_IO, "cannot read %s '%s': not a regular file", what, path);
    SSB_REQUIRE(ctx, access(path, R_OK) == 0, SSB_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(errno));
    *size = (int64_t)st.st_size;
    return SSB_OK;
}

/* Sniff the magic bytes of a file with an unknown extension. */
static ssb_io_format sniff(const char *path)
{
    unsigned char b[6] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SSB_IO_FORMAT_UNKNOWN;
    size_t n = fread(b, 1, sizeof b, fp);
    fclose(fp);
    if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0) ||
                   (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43))))
        return SSB_IO_FORMAT_TIFF;
    if (n == 6 && memcmp(b, "\x93NUMPY", 6) == 0)
        return SSB_IO_FORMAT_NPY;
    return SSB_IO_FORMAT_UNKNOWN;
}

/* ---- dispatch ---- */

int ssb_io_read_image(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_read_image: NULL path or grid pointer");
    *grid = NULL;
    ssb_io_format fmt = ssb_io_format_from_path(path);
    if (fmt == SSB_IO_FORMAT_UNKNOWN || fmt == SSB_IO_FORMAT_VTI) {
        int64_t size;
        SSB_CHECK(ctx, ssbi_file_size(ctx, path, "image", &size));
        if (fmt == SSB_IO_FORMAT_UNKNOWN)
            fmt = sniff(path);
    }
    switch (fmt) {
    case SSB_IO_FORMAT_TIFF:
        SSB_CHECK(ctx, ssb_io_read_tiff(ctx, path, p, grid));
        break;
    case SSB_IO_FORMAT_RAW:
        SSB_CHECK(ctx, ssb_io_read_raw(ctx, path, p, grid));
        break;
    case SSB_IO_FORMAT_NPY:
        SSB_CHECK(ctx, ssb_io_read_npy(ctx, path, p, grid));
        break;
    default: {
        const char *ext = ssbi_path_ext(path);
        if (ssb_io_format_from_path(path) == SSB_IO_FORMAT_VTI)
            return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                             "cannot read '%s': .vti files are written for viewing (ParaView) and not read back "
                             "(valid inputs: .tif, .tiff, .raw, .bin, .npy; write the image as one of these)",
                             path);
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "cannot read '%s': extension '%s' is not a supported image format (valid: .tif, .tiff, "
                         ".raw, .bin, .npy)",
                         path, ext ? ext : "(none)");
    }
    }
    return SSB_OK;
}

int ssb_io_write_image(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_write_image: NULL path or grid");
    ssb_io_write_params def = ssb_io_write_params_default();
    if (!p)
        p = &def;
    switch (ssb_io_format_from_path(path)) {
    case SSB_IO_FORMAT_TIFF:
        SSB_CHECK(ctx, ssb_io_write_tiff(ctx, path, grid, p));
        break;
    case SSB_IO_FORMAT_RAW:
        SSB_CHECK(ctx, ssb_io_write_raw(ctx, path, grid, p));
        break;
    case SSB_IO_FORMAT_NPY:
        SSB_CHECK(ctx, ssb_io_write_npy(ctx, path, grid, p));
        break;
    case SSB_IO_FORMAT_VTI:
        SSB_CHECK(ctx, ssb_io_write_vti(ctx, path, grid, p->vti_fields, p->vti_nfields));
        break;
    default: {
        const char *ext = ssbi_path_ext(path);
        if (ssb_io_format_from_path(path) == SSB_IO_FORMAT_VTI)
            return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                             "cannot read '%s': .vti files are written for viewing (ParaView) and not read back "
                             "(valid inputs: .tif, .tiff, .raw, .bin, .npy; write the image as one of these)",
                             path);
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "cannot write '%s': extension '%s' is not a supported image format (valid: .tif, .tiff, "
                         ".raw, .bin, .npy, .vti)",
                         path, ext ? ext : "(none)");
    }
    }
    return SSB_OK;
}


/* ---- memory ---- */

int ssbi_check_image_memory(ssb_ctx *ctx, const char *path, int64_t nx, int64_t ny, int64_t nz)
{
    const double need = (double)nx * (double)ny * (double)nz; /* bytes of uint8 labels */
    const long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0)
        return SSB_OK; /* unknown: let the allocation decide */
    const double have = (double)pages * (double)psize;
    if (need > have)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM,
                         "image '%s' of %lld x %lld x %lld voxels needs %.3g GB for its labels alone, more than the "
                         "%.3g GB of memory of this machine",
                         path, (long long)nx, (long long)ny, (long long)nz, need / 1e9, have / 1e9);
    return SSB_OK;
}
