/* io: multi-page TIFF stacks through libtiff (reader: 1/2/4/8/16/32-bit integer and 32/64-bit float samples,
 * stripped or tiled, and ImageJ's one-IFD stacks of contiguous planes; writer: 8-bit labels). libtiff's messages are
 * captured per file (TIFFOpenExt with TIFFOpenOptionsSetErrorHandlerExtR / WarningHandlerExtR, libtiff >= 4.5),
 * never printed. */
#include "io_impl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <tiffio.h>

#define TIFF_STRIP_TARGET_BYTES 65536
#define TIFF_BIGTIFF_ABOVE (INT64_C(3584) * 1024 * 1024)

/* Per-file diagnostics that libtiff's handlers fill. */
typedef struct {
    ssb_ctx *ctx;
    const char *file;
    char msg[768]; /* first error message */
    int nerr;
    int nwarn;
} tiff_diag;

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    tiff_diag *d = user;
    if (d->nerr++ == 0) {
        int k = module ? snprintf(d->msg, sizeof d->msg, "%s: ", module) : 0;
        if (k < 0 || (size_t)k >= sizeof d->msg)
            k = 0;
        vsnprintf(d->msg + k, sizeof d->msg - (size_t)k, fmt, ap);
    }
    return 1; /* handled: libtiff must not call its global (printing) handlers */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif;
    tiff_diag *d = user;
    d->nwarn++;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    ssbi_log(d->ctx, SSB_LOG_DEBUG, SSBI_IO_OBJ, "libtiff warning on '%s': %s%s%s", d->file, module ? module : "",
             module ? ": " : "", buf);
    return 1;
}

/* The captured libtiff message, or a fallback. */
static const char *diag_msg(const tiff_diag *d, const char *fallback)
{
    return d->nerr ? d->msg : fallback;
}

static TIFF *open_tiff(ssb_ctx *ctx, const char *path, const char *mode, int fd, tiff_diag *d, int *rc)
{
    memset(d, 0, sizeof *d);
    d->ctx = ctx;
    d->file = path;
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) {
        *rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory opening TIFF '%s'", path);
        return NULL;
    }
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, d);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, d);
    TIFF *tif = fd >= 0 ? TIFFFdOpenExt(fd, path, mode, opts) : TIFFOpenExt(path, mode, opts);
    TIFFOpenOptionsFree(opts);
    *rc = SSB_OK;
    return tif;
}

/* ---- reader ---- */

typedef struct {
    uint32_t w, h;
    uint16_t bps, spp, fmt;
    int tiled;
} page_info;

static int page_read_info(ssb_ctx *ctx, TIFF *tif, const char *path, int64_t page, page_info *pi, int *skip)
{
    uint32_t subfile = 0;
    *skip = 0;
    memset(pi, 0, sizeof *pi);
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &pi->w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &pi->h))
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': page %lld has no ImageWidth / ImageLength", path,
                         (long long)page);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &pi->bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &pi->spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &pi->fmt);
    if (TIFFGetField(tif, TIFFTAG_SUBFILETYPE, &subfile) && (subfile & FILETYPE_REDUCEDIMAGE))
        *skip = 1;
    pi->tiled = TIFFIsTiled(tif);
    return SSB_OK;
}

/* Largest ratio of decoded to stored bytes of a compression scheme (0: unknown, not checked). PackBits: a 2-byte
 * run gives 128 bytes; LZW: a 12-bit code gives at most 4096 bytes; deflate: 1032:1 (zlib technical details). */
static double max_ratio(uint16_t comp)
{
    switch (comp) {
    case COMPRESSION_NONE:
        return 1.0;
    case COMPRESSION_PACKBITS:
        return 64.0;
    case COMPRESSION_LZW:
        return 4096.0 * 8.0 / 9.0;
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE:
        return 1032.0;
    default:
        return 0.0;
    }
}

/* The current page's data must lie inside the file and (for the compressions above) be able to hold its pixels:
 * a header that promises 60000 x 60000 pixels in a 138-byte file is refused before anything is allocated. */
static int page_check_data(ssb_ctx *ctx, TIFF *tif, const char *path, int64_t page, const page_info *pi, int64_t fsize)
{
    const int tiled = TIFFIsTiled(tif);
    const uint32_t nchunks = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    uint64_t *counts = NULL, *offsets = NULL;
    if (!TIFFGetField(tif, tiled ? TIFFTAG_TILEBYTECOUNTS : TIFFTAG_STRIPBYTECOUNTS, &counts) ||
        !TIFFGetField(tif, tiled ? TIFFTAG_TILEOFFSETS : TIFFTAG_STRIPOFFSETS, &offsets) || !counts || !offsets)
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': page %lld has no %s offsets or byte counts", path,
                         (long long)page, tiled ? "tile" : "strip");
    double stored = 0;
    for (uint32_t i = 0; i < nchunks; i++) {
        if (offsets[i] > (uint64_t)fsize || counts[i] > (uint64_t)fsize - offsets[i])
            return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                             "TIFF '%s' (%lld bytes) is truncated: page %lld, %s %u lies at bytes %llu to %llu", path,
                             (long long)fsize, (long long)page, tiled ? "tile" : "strip", (unsigned)i,
                             (unsigned long long)offsets[i], (unsigned long long)offsets[i] + counts[i]);
        stored += (double)counts[i];
    }
    uint16_t comp = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    const double need = ceil((double)pi->w * pi->bps * pi->spp / 8.0) * (double)pi->h;
    const double r = max_ratio(comp);
    if (r > 0 && stored * r < need)
        return SSB_ERROR(ctx, SSB_ERR_FORMAT,
                         "TIFF '%s' (%lld bytes) is truncated or its header is wrong: page %lld of %u x %u pixels "
                         "needs %.0f bytes but holds %.0f (compression %u, at most %g:1)",
                         path, (long long)fsize, (long long)page, (unsigned)pi->w, (unsigned)pi->h, need, stored,
                         (unsigned)comp, r);
    return SSB_OK;
}

/* Name of a SampleFormat value. */
static const char *fmt_name(uint16_t fmt)
{
    static const char *names[] = {"?", "unsigned integer", "signed integer", "IEEE float", "void", "complex int",
                                  "complex float"};
    return fmt <= 6 ? names[fmt] : "unknown-format";
}

/* Data type of a page's samples; SSB_ERR_UNSUPPORTED naming the layout if none fits. */
static int page_dtype(ssb_ctx *ctx, const char *path, int64_t page, const page_info *pi, ssb_dtype *dt)
{
    SSB_REQUIRE(ctx, pi->spp == 1, SSB_ERR_UNSUPPORTED,
                "TIFF '%s': page %lld has %u samples per pixel (only single-channel gray images are supported; "
                "convert RGB or multi-channel stacks to gray first)",
                path, (long long)page, (unsigned)pi->spp);
    const int b = pi->bps;
    *dt = SSB_DTYPE_NONE;
    switch (pi->fmt) {
    case SAMPLEFORMAT_UINT:
    case SAMPLEFORMAT_VOID:
        if (b == 1)
            *dt = SSB_DTYPE_BOOL;
        if (b == 2 || b == 4 || b == 8)
            *dt = SSB_DTYPE_UINT8;
        if (b == 16)
            *dt = SSB_DTYPE_UINT16;
        if (b == 32)
            *dt = SSB_DTYPE_UINT32;
        break;
    case SAMPLEFORMAT_INT:
        if (b == 8)
            *dt = SSB_DTYPE_INT8;
        if (b == 16)
            *dt = SSB_DTYPE_INT16;
        if (b == 32)
            *dt = SSB_DTYPE_INT32;
        break;
    case SAMPLEFORMAT_IEEEFP:
        if (b == 32)
            *dt = SSB_DTYPE_FLOAT32;
        if (b == 64)
            *dt = SSB_DTYPE_FLOAT64;
        break;
    default:
        break;
    }
    SSB_REQUIRE(ctx, *dt != SSB_DTYPE_NONE, SSB_ERR_UNSUPPORTED,
                "TIFF '%s': page %lld has %u-bit %s samples (supported: 1, 2, 4, 8, 16, 32-bit unsigned; 8, 16, "
                "32-bit signed; 32, 64-bit float)",
                path, (long long)page, (unsigned)b, fmt_name(pi->fmt));
    return SSB_OK;
}

/* Map one row segment of n samples (raw bytes in host order, as libtiff returns them) into dst. */
static int convert_row(ssb_ctx *ctx, const ssbi_mapper *m, int bps, const uint8_t *src, int64_t n, uint8_t *dst,
                       int64_t first)
{
    if (bps < 8)
        return ssbi_mapper_apply_bits(ctx, m, src, bps, n, dst, first);
    return ssbi_mapper_apply(ctx, m, src, n, dst, first);
}

/* Read one page (current directory) into lab (the w*h labels of page z; messages count elements from the file's
 * first page). */
static int read_page(ssb_ctx *ctx, TIFF *tif, tiff_diag *d, const char *path, int64_t z, int64_t npages,
                     const page_info *pi, const ssbi_mapper *m, uint8_t *lab, uint8_t **buf, size_t *bufsize)
{
    const int64_t w = pi->w, h = pi->h;
    const int64_t base = z * w * h;
    if (!pi->tiled) {
        uint32_t rps = 0;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
        if (rps == 0 || rps > pi->h)
            rps = pi->h;
        const tmsize_t rowbytes = TIFFScanlineSize(tif);
        SSB_REQUIRE(ctx, rowbytes > 0, SSB_ERR_FORMAT, "TIFF '%s': page %lld of %lld: %s", path, (long long)z,
                    (long long)npages, diag_msg(d, "invalid scanline size"));
        const int direct = (pi->bps == 8);
        const size_t need_buf = direct ? 0 : (size_t)rowbytes * rps;
        if (need_buf > *bufsize) {
            uint8_t *nb = realloc(*buf, need_buf);
            if (!nb)
                return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory allocating a %zu-byte strip", need_buf);
            *buf = nb;
            *bufsize = need_buf;
        }
        for (int64_t row0 = 0; row0 < h; row0 += rps) {
            const int64_t rows = (h - row0 < (int64_t)rps) ? h - row0 : (int64_t)rps;
            const tmsize_t need = rowbytes * (tmsize_t)rows;
            const uint32_t strip = TIFFComputeStrip(tif, (uint32_t)row0, 0);
            uint8_t *to = direct ? lab + row0 * w : *buf;
            const tmsize_t got = TIFFReadEncodedStrip(tif, strip, to, need);
            if (got != need)
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': page %lld of %lld, strip %u (rows %lld-%lld): %s",
                                 path, (long long)z, (long long)npages, (unsigned)strip, (long long)row0,
                                 (long long)(row0 + rows - 1),
                                 diag_msg(d, got < 0 ? "read error" : "strip is shorter than expected"));
            if (direct) {
                SSB_CHECK(ctx, ssbi_mapper_apply_inplace8(ctx, m, to, rows * w, base + row0 * w));
            } else {
                for (int64_t r = 0; r < rows; r++)
                    SSB_CHECK(ctx, convert_row(ctx, m, pi->bps, *buf + r * rowbytes, w, lab + (row0 + r) * w,
                                               base + (row0 + r) * w));
            }
        }
        return SSB_OK;
    }
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    const tmsize_t tbytes = TIFFTileSize(tif), trow = TIFFTileRowSize(tif);
    SSB_REQUIRE(ctx, tw > 0 && th > 0 && tbytes > 0 && trow > 0, SSB_ERR_FORMAT,
                "TIFF '%s': page %lld of %lld: invalid tile layout %ux%u (%s)", path, (long long)z, (long long)npages,
                (unsigned)tw, (unsigned)th, diag_msg(d, "zero tile size"));
    if ((size_t)tbytes > *bufsize) {
        uint8_t *nb = realloc(*buf, (size_t)tbytes);
        if (!nb)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory allocating a %lld-byte tile", (long long)tbytes);
        *buf = nb;
        *bufsize = (size_t)tbytes;
    }
    for (int64_t ty = 0; ty < h; ty += th)
        for (int64_t tx = 0; tx < w; tx += tw) {
            const uint32_t tile = TIFFComputeTile(tif, (uint32_t)tx, (uint32_t)ty, 0, 0);
            const tmsize_t got = TIFFReadEncodedTile(tif, tile, *buf, tbytes);
            if (got != tbytes)
                return SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': page %lld of %lld, tile %u at (x=%lld, y=%lld): %s",
                                 path, (long long)z, (long long)npages, (unsigned)tile, (long long)tx, (long long)ty,
                                 diag_msg(d, got < 0 ? "read error" : "tile is shorter than expected"));
            const int64_t cols = (w - tx < (int64_t)tw) ? w - tx : (int64_t)tw;
            const int64_t rows = (h - ty < (int64_t)th) ? h - ty : (int64_t)th;
            for (int64_t r = 0; r < rows; r++) {
                const int64_t at = (ty + r) * w + tx;
                SSB_CHECK(ctx, convert_row(ctx, m, pi->bps, *buf + r * trow, cols, lab + at, base + at));
            }
        }
    return SSB_OK;
}

/* Length unit of an ImageJ "unit=" value in metres, 0 if not a microscopy unit we trust. */
static double imagej_unit(const char *u, size_t n)
{
    static const struct {
        const char *name;
        double m;
    } units[] = {{"micron", 1e-6},     {"microns", 1e-6},   {"um", 1e-6},         {"\xC2\xB5m", 1e-6},
                 {"\xB5m", 1e-6},      {"\\u00B5m", 1e-6},  {"micrometer", 1e-6}, {"micrometre", 1e-6},
                 {"nm", 1e-9},         {"nanometer", 1e-9}, {"nanometre", 1e-9},  {"mm", 1e-3},
                 {"millimeter", 1e-3}, {"millimetre", 1e-3}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && strncasecmp(u, units[i].name, n) == 0)
            return units[i].m;
    return 0.0;
}

/* Value of "key=" on its own line of desc, or NULL; *len = length up to the end of the line. */
static const char *desc_value(const char *desc, const char *key, size_t *len)
{
    size_t kl = strlen(key);
    for (const char *line = desc; line && *line;) {
        if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
            const char *v = line + kl + 1;
            const char *e = strchr(v, '\n');
            *len = e ? (size_t)(e - v) : strlen(v);
            while (*len > 0 && (v[*len - 1] == '\r' || v[*len - 1] == ' '))
                (*len)--;
            return v;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

/* OME-TIFF (Bio-Formats, Fiji's OME export, microscope software): the first page's description is OME-XML whose
 * <Pixels> element carries the sizes and the voxel size. The value of attribute name (" SizeZ", " PhysicalSizeX")
 * of that element into out; 0 when absent. */
static int ome_attr(const char *desc, const char *name, char *out, size_t n)
{
    const char *px = strstr(desc, "Pixels ");
    while (px && px > desc && px[-1] != '<' && px[-1] != ':')
        px = strstr(px + 7, "Pixels ");
    if (!px || !strstr(desc, "<OME") || px == desc)
        return 0;
    const char *end = strchr(px, '>');
    char key[40];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *v = strstr(px, key);
    if (!v || (end && v > end))
        return 0;
    v += strlen(key);
    const char *q = strchr(v, '"');
    if (!q)
        return 0;
    snprintf(out, n, "%.*s", (int)(q - v < (ptrdiff_t)n - 1 ? q - v : (ptrdiff_t)n - 1), v);
    return 1;
}

/* OME voxel size: PhysicalSizeX/Y/Z with their units (default um, as the OME schema); Z absent = X. */
static int ome_voxel_size(const char *desc, double h[3])
{
    static const char *axes[3] = {"PhysicalSizeX", "PhysicalSizeY", "PhysicalSizeZ"};
    double v[3] = {0, 0, 0};
    for (int a = 0; a < 3; a++) {
        char val[64], unit[32], uname[40];
        if (!ome_attr(desc, axes[a], val, sizeof val))
            continue;
        snprintf(uname, sizeof uname, "%sUnit", axes[a]);
        double m = 1e-6;
        if (ome_attr(desc, uname, unit, sizeof unit))
            m = strcmp(unit, "m") == 0 ? 1.0 : strcmp(unit, "cm") == 0 ? 1e-2 : imagej_unit(unit, strlen(unit));
        char *e;
        const double x = strtod(val, &e);
        if (*e || !isfinite(x) || !(x > 0) || !(m > 0))
            return 0;
        v[a] = x * m;
    }
    if (!(v[0] > 0))
        return 0;
    h[0] = v[0];
    h[1] = v[1] > 0 ? v[1] : v[0];
    h[2] = v[2] > 0 ? v[2] : v[0];
    return 1;
}

/* Baseline TIFF tags (Avizo, Dragonfly, tifffile's resolution=, Fiji without a microscopy unit): XResolution /
 * YResolution are pixels per ResolutionUnit, 2 = inch, 3 = cm; 1 (none) or no unit tag states no length. Square
 * pixels of 1 nm .. 1 mm only, and not a whole number of dots per inch up to 1200 (72, 96, 100, 300 ...: the
 * display / print defaults of writers, no calibration: PuMA's 100_fiberform.tif says 100 dpi = 254 um for 1.3 um);
 * anything else is refused with a warning naming the tag values (the caller keeps its default). z: no baseline tag,
 * so h[2] = h[0] and *z_from_x = 1 (ImageJ's spacing= in that unit when an ImageJ description has it). */
static int tiff_resolution_tags(ssb_ctx *ctx, TIFF *tif, const char *path, const char *desc, double h[3],
                                int *z_from_x)
{
    float xr = 0.0f, yr = 0.0f;
    uint16_t unit = 0;
    const int hx = TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xr), hy = TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yr);
    const int hu = TIFFGetField(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    if ((!hx && !hy) || (hu && unit == RESUNIT_NONE))
        return 0;
    const char *keep = "the 1 um default applies (give --voxel-um)";
    if (!hx || !hy || !(xr > 0.0f) || !(yr > 0.0f) || !isfinite(xr) || !isfinite(yr)) {
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ, "TIFF '%s': XResolution %s%g, YResolution %s%g are no pixel size; %s",
                 path, hx ? "" : "(absent) ", (double)xr, hy ? "" : "(absent) ", (double)yr, keep);
        return 0;
    }
    if (!hu || (unit != RESUNIT_INCH && unit != RESUNIT_CENTIMETER)) {
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
                 "TIFF '%s': XResolution %g, YResolution %g px per unit, but ResolutionUnit is %s (valid: 2 = inch, "
                 "3 = cm): not taken as a pixel size; %s",
                 path, (double)xr, (double)yr, hu ? "not a length unit" : "absent", keep);
        return 0;
    }
    const double m = unit == RESUNIT_INCH ? 0.0254 : 0.01;
    const char *uname = unit == RESUNIT_INCH ? "inch" : "cm";
    const double sx = m / (double)xr, sy = m / (double)yr, dpi_x = (double)xr * 0.0254 / m;
    if (fabs(sx - sy) > 1e-6 * sx) {
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
                 "TIFF '%s': XResolution %g and YResolution %g px/%s give non-square pixels (%g x %g um), which "
                 "the baseline tags cannot pair with a z spacing; %s",
                 path, (double)xr, (double)yr, uname, sx * 1e6, sy * 1e6, keep);
        return 0;
    }
    if (!(sx >= 1e-9 && sx <= 1e-3)) {
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
                 "TIFF '%s': XResolution = YResolution = %g px/%s give a %g um pixel, outside 0.001 .. 1000 um; %s",
                 path, (double)xr, uname, sx * 1e6, keep);
        return 0;
    }
    if (dpi_x <= 1200.0 + 1e-6 && fabs(dpi_x - round(dpi_x)) < 1e-3) {
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
                 "TIFF '%s': XResolution = YResolution = %g px/%s (%g dpi, a whole number up to 1200) is a display "
                 "or print default of the writing software, not a calibration (it would be a %g um pixel); %s",
                 path, (double)xr, uname, dpi_x, sx * 1e6, keep);
        return 0;
    }
    h[0] = h[1] = h[2] = sx;
    *z_from_x = 1;
    size_t ulen = 0, slen;
    const char *u = desc && strncmp(desc, "ImageJ=", 7) == 0 ? desc_value(desc, "unit", &ulen) : NULL;
    const char *sp = u ? desc_value(desc, "spacing", &slen) : NULL;
    if (sp && ulen == strlen(uname) && strncasecmp(u, uname, ulen) == 0) {
        const double s = strtod(sp, NULL);
        if (isfinite(s) && s > 0.0 && s * m >= 1e-9 && s * m <= 1e-3) {
            h[2] = s * m;
            *z_from_x = 0;
        }
    }
    return 1;
}

/* Voxel size from the first page's metadata: our own line, else ImageJ calibration in a microscopy unit, else
 * OME-XML's PhysicalSize attributes, else the baseline resolution tags (tiff_resolution_tags; *z_from_x = 1 when z
 * was taken equal to x for want of a z spacing in the file). */
static int tiff_voxel_size(ssb_ctx *ctx, TIFF *tif, const char *path, double h[3], int *z_from_x)
{
    *z_from_x = 0;
    const char *desc = NULL;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &desc) || !desc)
        return tiff_resolution_tags(ctx, tif, path, NULL, h, z_from_x);
    size_t len;
    const char *v = desc_value(desc, "ssbnet_voxel_size_m", &len);
    if (v) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%.*s", (int)(len < 255 ? len : 255), v);
        double a, b, c;
        if (sscanf(tmp, "%lf,%lf,%lf", &a, &b, &c) == 3 && isfinite(a) && isfinite(b) && isfinite(c) && a > 0 &&
            b > 0 && c > 0) {
            h[0] = a;
            h[1] = b;
            h[2] = c;
            return 1;
        }
    }
    if (strncmp(desc, "ImageJ=", 7) != 0)
        return ome_voxel_size(desc, h) || tiff_resolution_tags(ctx, tif, path, desc, h, z_from_x);
    const char *u = desc_value(desc, "unit", &len);
    const double unit = u ? imagej_unit(u, len) : 0.0;
    float xr = 0.0f, yr = 0.0f;
    if (unit <= 0.0) /* no unit, or ImageJ's cm / inch, which it stores as the baseline ResolutionUnit */
        return tiff_resolution_tags(ctx, tif, path, desc, h, z_from_x);
    if (!TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xr) || !TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yr) ||
        !(xr > 0.0f) || !(yr > 0.0f) || !isfinite(xr) || !isfinite(yr))
        return 0;
    h[0] = unit / (double)xr;
    h[1] = unit / (double)yr;
    h[2] = h[0];
    const char *sp = desc_value(desc, "spacing", &len);
    if (sp) {
        double s = strtod(sp, NULL);
        if (isfinite(s) && s > 0.0)
            h[2] = s * unit;
    }
    return 1;
}

/* An ImageJ hyperstack interleaves its channels and frames with the slices page by page, and an OME-TIFF its
 * channels and time points (DimensionOrder): read as a z stack, the channels of one slice would become neighbouring
 * planes. One channel of a stack, or a time series of single slices, reads as it is; more channels, or frames of
 * several slices, are refused (SSB_ERR_UNSUPPORTED). OME-TIFFs were read that way before. */
static int interleaved_layout(ssb_ctx *ctx, TIFF *tif, const char *path)
{
    const char *desc = NULL;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &desc) || !desc)
        return SSB_OK;
    const int ij = strncmp(desc, "ImageJ=", 7) == 0;
    static const char *ij_keys[3] = {"channels", "slices", "frames"}, *ome_keys[3] = {"SizeC", "SizeZ", "SizeT"};
    long n[3] = {1, 1, 1};
    for (int k = 0; k < 3; k++) {
        size_t len;
        char val[32];
        const char *v = ij ? desc_value(desc, ij_keys[k], &len)
                           : ome_attr(desc, ome_keys[k], val, sizeof val) ? val : NULL;
        if (v)
            n[k] = strtol(v, NULL, 10);
    }
    if (n[0] <= 1 && (n[2] <= 1 || n[1] <= 1))
        return SSB_OK;
    if (ij)
        return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                         "TIFF '%s' is an ImageJ hyperstack of %ld channels x %ld slices x %ld frames, whose pages "
                         "interleave them (supported: one channel and one frame, or a time series of single slices); "
                         "save one channel and frame as a stack first (ImageJ: Image > Duplicate..., or Image > "
                         "Color > Split Channels)",
                         path, n[0], n[1], n[2]);
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                     "TIFF '%s' is an OME-TIFF of %ld channels x %ld z slices x %ld time points, whose pages "
                     "interleave them (supported: one channel and one time point, or a time series of single "
                     "slices); save one channel and time point as a stack first",
                     path, n[0], n[1], n[2]);
}

/* ImageJ's stacks of more than 4 GB (and tifffile's ImageJ files of that size) hold one IFD only: the description
 * says images=N and the N planes follow the first one's data contiguously, uncompressed, in the file's byte order
 * (tifffile: "Files > 4 GB contain one IFD only"). libtiff sees one page; read as it is, such a CT volume was its
 * first slice, without a word. *nimages = N (1 when the description says nothing) and *offset = the byte offset of
 * the first plane, or -1 when the page's layout cannot continue that way (compressed, tiled, strips apart, samples
 * narrower than a byte). */
static void imagej_contiguous(TIFF *tif, const page_info *pi, int64_t *nimages, int64_t *offset)
{
    *nimages = 1;
    *offset = -1;
    const char *desc = NULL;
    if (!TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &desc) || !desc || strncmp(desc, "ImageJ=", 7) != 0)
        return;
    size_t len;
    const char *v = desc_value(desc, "images", &len);
    const long long n = v ? strtoll(v, NULL, 10) : 1;
    if (n <= 1)
        return;
    *nimages = n;
    uint16_t comp = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    uint64_t *counts = NULL, *offsets = NULL;
    if (comp != COMPRESSION_NONE || pi->tiled || pi->bps < 8 || !TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts) ||
        !TIFFGetField(tif, TIFFTAG_STRIPOFFSETS, &offsets) || !counts || !offsets)
        return;
    const uint32_t ns = TIFFNumberOfStrips(tif);
    for (uint32_t i = 1; i < ns; i++)
        if (offsets[i] != offsets[i - 1] + counts[i - 1])
            return;
    *offset = (int64_t)offsets[0];
}

/* JPEG is lossy: it moves gray values at every phase boundary (a 3-label stack read as 144 "labels"). Labels taken
 * as they are (identity) or through a label map are refused; thresholds of a gray-value image get a warning. */
static int lossy_check(ssb_ctx *ctx, TIFF *tif, const char *path, const ssb_io_read_params *p)
{
    uint16_t comp = COMPRESSION_NONE;
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    if (comp != COMPRESSION_JPEG && comp != COMPRESSION_OJPEG)
        return SSB_OK;
    const int thresholds = p && p->map == SSB_IO_MAP_THRESHOLDS;
    SSB_REQUIRE(ctx, thresholds, SSB_ERR_UNSUPPORTED,
                "TIFF '%s' is JPEG-compressed (lossy): its gray values are altered near every phase boundary, so "
                "they are no labels; save the segmentation losslessly (no compression, LZW or deflate), or give "
                "thresholds for a gray-value image",
                path);
    ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
             "TIFF '%s' is JPEG-compressed (lossy): gray values near phase boundaries are altered before the "
             "thresholds apply",
             path);
    return SSB_OK;
}

/* nv samples from byte offset of the file into lab through m (first: element index of the first, for messages). */
static int read_contiguous(ssb_ctx *ctx, const char *path, int64_t offset, ssbi_mapper *m, int64_t first, int64_t nv,
                           uint8_t *lab)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open TIFF '%s': %s", path, strerror(errno));
    int rc = SSB_OK;
    if (fseeko(fp, (off_t)offset, SEEK_SET) != 0)
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "TIFF '%s': cannot seek to byte %lld: %s", path, (long long)offset,
                       strerror(errno));
    m->first_offset = first;
    if (rc == SSB_OK)
        rc = ssbi_read_samples(ctx, fp, path, m, nv, lab, "read tiff");
    fclose(fp);
    return rc;
}

int ssb_io_read_tiff(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_read_tiff: NULL path or grid pointer");
    *grid = NULL;
    int64_t fsize;
    SSB_CHECK(ctx, ssbi_file_size(ctx, path, "TIFF", &fsize));
    int have_ph;
    double ph[3];
    SSB_CHECK(ctx, ssbi_params_voxel_size(ctx, p, &have_ph, ph));
    tiff_diag d;
    int rc;
    TIFF *tif = open_tiff(ctx, path, "r", -1, &d, &rc);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    if (!tif)
        return SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s' (%lld bytes): cannot read its header or first page: %s", path,
                         (long long)fsize, diag_msg(&d, "not a TIFF file"));
    ssb_grid *g = NULL;
    uint8_t *buf = NULL;
    size_t bufsize = 0;
    ssbi_mapper m;
    memset(&m, 0, sizeof m);
    page_info first, pi;
    memset(&first, 0, sizeof first);
    memset(&pi, 0, sizeof pi);
    ssb_dtype dt = SSB_DTYPE_NONE;
    double h[3] = {1e-6, 1e-6, 1e-6};
    ssb_io_vsize_source src = SSB_IO_VSIZE_DEFAULT;
    double fvs[3] = {0, 0, 0}; /* what the file states, also under a params override */

    /* Pass 1: walk the directories, check every page against the first, count pages. */
    int64_t npages = 0, ndir = 0, ij_images = 1, ij_offset = -1;
    int z_from_x = 0;
    for (;;) {
        int skip;
        rc = page_read_info(ctx, tif, path, ndir, &pi, &skip);
        if (rc != SSB_OK)
            goto out;
        if (!skip) {
            ssb_dtype pdt;
            rc = page_dtype(ctx, path, npages, &pi, &pdt);
            if (rc == SSB_OK)
                rc = page_check_data(ctx, tif, path, npages, &pi, fsize);
            if (rc != SSB_OK)
                goto out;
            if (npages == 0) {
                rc = interleaved_layout(ctx, tif, path);
                if (rc != SSB_OK)
                    goto out;
                imagej_contiguous(tif, &pi, &ij_images, &ij_offset);
                rc = lossy_check(ctx, tif, path, p);
                if (rc != SSB_OK)
                    goto out;
                first = pi;
                dt = pdt;
                if (!have_ph && tiff_voxel_size(ctx, tif, path, h, &z_from_x)) {
                    src = SSB_IO_VSIZE_FILE;
                    memcpy(fvs, h, sizeof fvs);
                } else if (have_ph) {
                    /* quietly (no ctx: no warnings about tags the override makes moot) */
                    double hf[3];
                    int zf = 0;
                    if (tiff_voxel_size(NULL, tif, path, hf, &zf))
                        memcpy(fvs, hf, sizeof fvs);
                }
            } else if (pi.w != first.w || pi.h != first.h) {
                rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                               "TIFF '%s': page %lld is %u x %u pixels but page 0 is %u x %u (all pages of a stack "
                               "must have the same size)",
                               path, (long long)npages, (unsigned)pi.w, (unsigned)pi.h, (unsigned)first.w,
                               (unsigned)first.h);
                goto out;
            } else if (pi.bps != first.bps || pi.fmt != first.fmt) {
                rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                               "TIFF '%s': page %lld has %u-bit %s samples but page 0 has %u-bit %s ones (all pages "
                               "must have the same sample type)",
                               path, (long long)npages, (unsigned)pi.bps, fmt_name(pi.fmt), (unsigned)first.bps,
                               fmt_name(first.fmt));
                goto out;
            }
            npages++;
        }
        ndir++;
        if (TIFFLastDirectory(tif))
            break;
        if (!TIFFReadDirectory(tif)) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "TIFF '%s' (%lld bytes) is truncated or corrupt: cannot read page %lld (after %lld good "
                           "pages): %s",
                           path, (long long)fsize, (long long)npages, (long long)npages,
                           diag_msg(&d, "directory unreadable"));
            goto out;
        }
    }
    if (npages == 0) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s' has no full-resolution page", path);
        goto out;
    }
    /* One IFD for an ImageJ stack of N images: the planes follow contiguously (see imagej_contiguous). */
    const int contiguous = npages == 1 && ij_images > 1;
    const int64_t plane_bytes = (int64_t)first.w * first.h * (first.bps / 8);
    if (contiguous) {
        if (ij_offset < 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                           "TIFF '%s' has one page but its ImageJ description announces images=%lld, whose planes "
                           "would follow the first one uncompressed; this page is compressed, tiled or of samples "
                           "narrower than a byte (save the stack again, e.g. as a BigTIFF or with one IFD per page)",
                           path, (long long)ij_images);
            goto out;
        }
        if (ij_images > (fsize - ij_offset) / plane_bytes) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "TIFF '%s' (%lld bytes) is truncated: its ImageJ description announces images=%lld planes "
                           "of %lld bytes from byte %lld (one IFD, the planes contiguous), which need %.0f bytes",
                           path, (long long)fsize, (long long)ij_images, (long long)plane_bytes,
                           (long long)ij_offset, (double)ij_offset + (double)ij_images * (double)plane_bytes);
            goto out;
        }
        npages = ij_images;
    }
    if (z_from_x && npages > 1)
        ssbi_log(ctx, SSB_LOG_WARN, SSBI_IO_OBJ,
                 "TIFF '%s': pixel size %g um from XResolution / YResolution; z spacing not in the file: taken equal "
                 "to x; give --voxel-um to override",
                 path, h[0] * 1e6);
    if (have_ph) {
        memcpy(h, ph, sizeof h);
        src = SSB_IO_VSIZE_PARAMS;
    }
    int64_t z0, nzs;
    rc = ssbi_params_slab(ctx, p, path, npages, &z0, &nzs);
    if (rc == SSB_OK)
        rc = ssbi_check_image_memory(ctx, path, first.w, first.h, nzs);
    if (rc == SSB_OK)
        rc = ssb_grid_create(ctx, first.w, first.h, nzs, h[0], h[1], h[2], &g);
    if (rc != SSB_OK)
        goto out;
    const int64_t dims[3] = {first.w, first.h, npages};
    /* libtiff returns samples in host order; the contiguous planes are read as stored */
    const int swap = contiguous && first.bps > 8 && (TIFFIsBigEndian(tif) != 0) != ssbi_host_big_endian();
    rc = ssbi_mapper_init(ctx, &m, p, dt, swap, path, dims);
    if (rc != SSB_OK)
        goto out;
    if (contiguous) {
        rc = read_contiguous(ctx, path, ij_offset + z0 * plane_bytes, &m, z0 * (int64_t)first.w * first.h,
                             nzs * (int64_t)first.w * first.h, ssb_grid_get_labels(g));
        if (rc != SSB_OK)
            goto out;
        goto done;
    }

    /* Pass 2: read every page of the slab straight into its slice of the label array (the directories before the
       slab are walked, not decoded; reading stops after the slab). */
    if (!TIFFSetDirectory(tif, 0)) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': cannot return to page 0: %s", path,
                       diag_msg(&d, "directory unreadable"));
        goto out;
    }
    uint8_t *lab = ssb_grid_get_labels(g);
    const int64_t plane = (int64_t)first.w * first.h;
    for (int64_t z = 0, dir = 0; z < z0 + nzs; dir++) {
        int skip;
        if (dir > 0 && !TIFFReadDirectory(tif)) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "TIFF '%s': cannot read page %lld of %lld: %s", path, (long long)z,
                           (long long)npages, diag_msg(&d, "directory unreadable"));
            goto out;
        }
        rc = page_read_info(ctx, tif, path, z, &pi, &skip);
        if (rc != SSB_OK)
            goto out;
        if (skip)
            continue;
        if (z >= z0) {
            rc = read_page(ctx, tif, &d, path, z, npages, &pi, &m, lab + (z - z0) * plane, &buf, &bufsize);
            if (rc != SSB_OK)
                goto out;
        }
        z++;
        rc = ssbi_progress(ctx, "read tiff", (double)z, (double)(z0 + nzs));
        if (rc != SSB_OK)
            goto out;
    }
done:
    if (p && p->info) {
        memset(p->info, 0, sizeof *p->info);
        ssbi_info_set(p->info, SSB_IO_FORMAT_TIFF, dt, first.bps, g, src);
        ssbi_info_set_slab(p->info, dims, z0);
        p->info->big_endian = TIFFIsBigEndian(tif) != 0;
        memcpy(p->info->file_voxel_size, fvs, sizeof fvs);
    }
out:
    TIFFClose(tif);
    free(buf);
    ssbi_mapper_destroy(&m);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *grid = g;
    return SSB_OK;
}

/* ---- writer ---- */

int ssb_io_write_tiff(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_write_tiff: NULL path or grid");
    ssb_io_write_params def = ssb_io_write_params_default();
    if (!p)
        p = &def;
    SSB_REQUIRE(ctx, !p->tiff_deflate || TIFFIsCODECConfigured(COMPRESSION_ADOBE_DEFLATE), SSB_ERR_UNSUPPORTED,
                "cannot write '%s' with deflate compression: this libtiff was built without it", path);
    int64_t n[3];
    double hv[3];
    ssb_grid_get_dims(grid, n);
    ssb_grid_get_voxel_size(grid, hv);
    SSB_REQUIRE(ctx, n[0] <= UINT32_MAX && n[1] <= UINT32_MAX, SSB_ERR_RANGE,
                "cannot write '%s': %lld x %lld pixels per page exceed TIFF limits", path, (long long)n[0],
                (long long)n[1]);
    const int64_t nv = n[0] * n[1] * n[2];
    const uint8_t *lab = ssb_grid_get_labels_const(grid);
    char desc[512], f[4][32];
    snprintf(desc, sizeof desc,
             "ImageJ=1.11a\nimages=%lld\nslices=%lld\nunit=micron\nspacing=%s\nloop=false\n"
             "ssbnet_voxel_size_m=%s,%s,%s\n",
             (long long)n[2], (long long)n[2], ssbi_fmt_double(f[0], sizeof f[0], hv[2] * 1e6),
             ssbi_fmt_double(f[1], sizeof f[1], hv[0]), ssbi_fmt_double(f[2], sizeof f[2], hv[1]),
             ssbi_fmt_double(f[3], sizeof f[3], hv[2]));
    uint32_t rps = (uint32_t)(TIFF_STRIP_TARGET_BYTES / n[0]);
    if (rps < 1)
        rps = 1;
    if (rps > (uint32_t)n[1])
        rps = (uint32_t)n[1];
    const size_t stripbytes = (size_t)rps * (size_t)n[0];

    ssbi_atomic a;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &a, path, 0));
    tiff_diag d;
    int rc;
    TIFF *tif = open_tiff(ctx, path, nv > TIFF_BIGTIFF_ABOVE ? "w8" : "w", a.fd, &d, &rc);
    if (rc != SSB_OK) {
        ssbi_atomic_abort(&a);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    if (!tif) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot open '%s' for writing: %s", path, diag_msg(&d, "libtiff failed"));
        ssbi_atomic_abort(&a);
        return rc;
    }
    a.fd = -1; /* libtiff owns the descriptor now and closes it in TIFFClose */
    uint8_t *strip = ssbi_malloc(ctx, stripbytes, "TIFF strip buffer");
    if (!strip) {
        TIFFClose(tif);
        ssbi_atomic_abort(&a);
        return SSB_ERR_NOMEM;
    }
    rc = SSB_OK;
    for (int64_t z = 0; z < n[2] && rc == SSB_OK; z++) {
        int ok =
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, (uint32_t)FILETYPE_PAGE) &&
            TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)n[0]) &&
            TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)n[1]) && TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8) &&
            TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1) &&
            TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT) &&
            TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK) &&
            TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG) &&
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rps) &&
            TIFFSetField(tif, TIFFTAG_COMPRESSION, p->tiff_deflate ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE) &&
            TIFFSetField(tif, TIFFTAG_XRESOLUTION, (float)(1.0 / (hv[0] * 1e6))) &&
            TIFFSetField(tif, TIFFTAG_YRESOLUTION, (float)(1.0 / (hv[1] * 1e6))) &&
            TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_NONE);
        if (ok && z == 0)
            ok = TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, desc);
        if (ok && n[2] <= 65535)
            ok = TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)z, (uint16_t)n[2]);
        if (!ok) {
            rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': page %lld: %s", path, (long long)z,
                           diag_msg(&d, "setting the tags failed"));
            break;
        }
        const uint8_t *page = lab + z * n[0] * n[1];
        for (int64_t row0 = 0; row0 < n[1]; row0 += rps) {
            const int64_t rows = (n[1] - row0 < (int64_t)rps) ? n[1] - row0 : (int64_t)rps;
            const size_t nb = (size_t)(rows * n[0]);
            memcpy(strip, page + row0 * n[0], nb); /* codecs may modify their input buffer */
            if (TIFFWriteEncodedStrip(tif, TIFFComputeStrip(tif, (uint32_t)row0, 0), strip, (tmsize_t)nb) < 0) {
                rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': page %lld, rows %lld-%lld: %s", path, (long long)z,
                               (long long)row0, (long long)(row0 + rows - 1), diag_msg(&d, "write failed"));
                break;
            }
        }
        if (rc == SSB_OK && !TIFFWriteDirectory(tif))
            rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': directory of page %lld: %s", path, (long long)z,
                           diag_msg(&d, "write failed"));
        if (rc == SSB_OK)
            rc = ssbi_progress(ctx, "write tiff", (double)(z + 1), (double)n[2]);
    }
    free(strip);
    if (rc == SSB_OK && !TIFFFlush(tif))
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': %s", path, diag_msg(&d, "flush failed"));
    TIFFClose(tif);
    if (rc == SSB_OK && d.nerr)
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s': %s", path, d.msg);
    if (rc != SSB_OK) {
        ssbi_atomic_abort(&a);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    SSB_CHECK(ctx, ssbi_atomic_commit(ctx, &a));
    return SSB_OK;
}
