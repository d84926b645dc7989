/*
 * ssb_io.h - voxel image readers and writers: multi-page TIFF stacks (libtiff), raw + JSON sidecar, NumPy .npy,
 * and VTK ImageData XML (.vti, for ParaView).
 *
 * Layout of every grid read or written: x is the fastest index, index = x + nx*(y + ny*z) (see ssb_grid.h).
 *   TIFF:  z = page index, y = row, x = column.
 *   raw:   the file is a numpy C-order array of shape (nz, ny, nx); the sidecar gives dims as [nx, ny, nz].
 *   .npy:  3-D (z, y, x); 2-D (rows, cols) becomes nz = 1, ny = rows, nx = cols; 1-D (n) becomes nx = n.
 *
 * Gray values -> labels. A file holds gray values of some data type; the grid holds uint8 labels. The mapping is
 * chosen in ssb_io_read_params:
 *   SSB_IO_MAP_IDENTITY    integral gray values 0..255 are the labels (1-bit TIFF and bool data read as 0 / 1);
 *                          any other value is SSB_ERR_RANGE.
 *   SSB_IO_MAP_LABELS      a table gray value -> label; a value not in the table is SSB_ERR_NOTFOUND.
 *   SSB_IO_MAP_THRESHOLDS  t[0] < t[1] < ... < t[k-1] with labels l[0..k]: gray < t[0] -> l[0],
 *                          t[i-1] <= gray < t[i] -> l[i], gray >= t[k-1] -> l[k].
 * NaN gray values are SSB_ERR_RANGE under every mapping. 64-bit integer gray values are compared as doubles.
 * Every mapping error names the file, the gray value and the voxel (x, y, z).
 *
 * Voxel size (metres in the grid): taken from params->voxel_size if given; otherwise from the raw/npy JSON sidecar
 * (key voxel_size_um) or from TIFF metadata (the "ssbnet_voxel_size_m=hx,hy,hz" line that ssb_io_write_tiff puts
 * in the ImageDescription, an ImageJ description with unit micron/um/nm plus XResolution/YResolution/spacing,
 * OME-XML PhysicalSizeX/Y/Z, else the baseline XResolution/YResolution with ResolutionUnit cm or inch, square
 * pixels of 1 nm .. 1 mm, z = x with a warning; see the README);
 * otherwise 1 um on each axis, reported through params->info->voxel_size_defaulted so a caller can warn.
 *
 * Writers are atomic: they write PATH.tmp.XXXXXX in the directory of PATH and rename it onto PATH; on any failure
 * the temporary is removed, so no partial output file is ever left (an existing PATH is left untouched).
 * No fsync is done.
 *
 * Thread safety: every function may be called from several threads at once on different contexts and grids.
 * The library never prints: libtiff's errors and warnings are captured per file (libtiff >= 4.5 handlers);
 * errors become the context's message, warnings go to the context's log sink at debug level (object "io").
 */
#ifndef SSB_IO_H
#define SSB_IO_H

#include <ssbnet/ssb_grid.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sample data types of image files. */
typedef enum {
    SSB_DTYPE_NONE = 0, /* not given (params: take it from the sidecar) */
    SSB_DTYPE_BOOL,     /* 1 byte, 0 = false, anything else = true (read as 1); 1-bit TIFF reports this too */
    SSB_DTYPE_UINT8,
    SSB_DTYPE_INT8,
    SSB_DTYPE_UINT16,
    SSB_DTYPE_INT16,
    SSB_DTYPE_UINT32,
    SSB_DTYPE_INT32,
    SSB_DTYPE_UINT64,
    SSB_DTYPE_INT64,
    SSB_DTYPE_FLOAT32,
    SSB_DTYPE_FLOAT64,
    SSB_DTYPE_COUNT
} ssb_dtype;

/* Name of a data type as used in sidecars: "bool", "uint8", "int8", "uint16", "int16", "uint32", "int32",
 * "uint64", "int64", "float32", "float64" ("none" for SSB_DTYPE_NONE, "?" for others). */
const char *ssb_io_dtype_name(ssb_dtype dt);
/* Size of one sample in bytes (0 for SSB_DTYPE_NONE or an invalid value). */
size_t ssb_io_dtype_size(ssb_dtype dt);
/* Parse a data type name (case-insensitive, the names above). SSB_ERR_UNSUPPORTED naming the value and listing
 * the valid names if unknown. */
int ssb_io_dtype_parse(ssb_ctx *ctx, const char *name, ssb_dtype *dt);

typedef enum {
    SSB_ENDIAN_DEFAULT = 0, /* params: take it from the sidecar, else little */
    SSB_ENDIAN_LITTLE,
    SSB_ENDIAN_BIG
} ssb_endian;

typedef enum { SSB_IO_MAP_IDENTITY = 0, SSB_IO_MAP_LABELS, SSB_IO_MAP_THRESHOLDS } ssb_io_map_kind;

typedef enum {
    SSB_IO_FORMAT_UNKNOWN = 0,
    SSB_IO_FORMAT_TIFF, /* .tif .tiff */
    SSB_IO_FORMAT_RAW,  /* .raw .bin (+ sidecar .json) */
    SSB_IO_FORMAT_NPY,  /* .npy */
    SSB_IO_FORMAT_VTI   /* .vti (write only) */
} ssb_io_format;

/* Where the voxel size of a grid that was read came from. */
typedef enum {
    SSB_IO_VSIZE_DEFAULT = 0, /* nothing given: 1 um on each axis */
    SSB_IO_VSIZE_PARAMS,      /* ssb_io_read_params.voxel_size */
    SSB_IO_VSIZE_SIDECAR,     /* JSON sidecar key voxel_size_um */
    SSB_IO_VSIZE_FILE         /* TIFF metadata */
} ssb_io_vsize_source;

/* Facts about a file that was read (output; filled on success). */
typedef struct {
    ssb_io_format format;
    ssb_dtype dtype;     /* sample type in the file (1-bit TIFF: SSB_DTYPE_BOOL) */
    int bits_per_sample; /* 1, 2, 4, 8, 16, 32 or 64 */
    int64_t dims[3];     /* nx, ny, nz */
    ssb_io_vsize_source voxel_size_source;
    int voxel_size_defaulted; /* 1 if the 1 um default was used: the caller should warn */
    int big_endian;           /* the file's byte order is big-endian (raw, npy, TIFF "MM") */
    char sidecar[4096];       /* raw / npy: path of the sidecar that was read ("" if none) */
    int64_t full_dims[3];     /* dims of the whole image in the file (= dims unless a z slab was read) */
    int64_t z0;               /* first plane of the slab read (0 for the whole image) */
    double file_voxel_size[3]; /* m: the voxel size the file's own metadata states (TIFF description or resolution
                                  tags, raw / npy sidecar key voxel_size_um), filled also when params.voxel_size
                                  overrides it, so that a caller can say when the two disagree; all 0 when the
                                  file states none */
} ssb_io_read_info;

/* Reader options. Start from ssb_io_read_params_default(). Arrays are borrowed: they must stay valid during the call.
 *
 * Mapping (see the top of this file):
 *   map                 SSB_IO_MAP_IDENTITY (default), SSB_IO_MAP_LABELS or SSB_IO_MAP_THRESHOLDS.
 *   map_n, map_gray[], map_label[]   label map: map_n >= 1 entries gray -> label; a gray value may appear twice
 *                       only with the same label. Gray values are compared exactly (as doubles).
 *   nthresholds, thresholds[], threshold_labels[]   1 <= nthresholds <= 255 finite, strictly increasing thresholds
 *                       and nthresholds + 1 labels; threshold_labels NULL means labels 0, 1, ..., nthresholds.
 * Voxel size:
 *   voxel_size[3]       metres; all three > 0, or voxel_size[0] > 0 with [1] = [2] = 0 for cubic voxels;
 *                       all 0 (default) = from the file / sidecar / 1 um.
 * Raw layout (raw reader; any field given here overrides the sidecar, and with dims and dtype given no sidecar is
 * needed):
 *   sidecar             explicit sidecar path (raw and npy); NULL = PATH.json, else PATH with its extension
 *                       replaced by .json (the first that exists; for npy only voxel_size_um is used).
 *   raw_dims[3]         [nx, ny, nz], all >= 1; all 0 = from the sidecar.
 *   raw_dtype           SSB_DTYPE_NONE = from the sidecar.
 *   raw_endian          SSB_ENDIAN_DEFAULT = from the sidecar, else little.
 *   raw_header_bytes    bytes to skip before the data; -1 = from the sidecar, else 0.
 * Output:
 *   info                optional (may be NULL): receives ssb_io_read_info on success.
 * Slab (TIFF, raw, npy; distributed reading, ssb_dist.h):
 *   z0, nz              read only the planes z0 .. z0 + nz - 1 (the grid has nz planes; plane k is the file's plane
 *                       z0 + k); nz 0 (default) = the whole image. z0 >= 0, z0 + nz <= the file's planes, else
 *                       SSB_ERR_RANGE. Only the slab's samples are read (TIFF: the other pages' directories are
 *                       walked, their data skipped); the memory check is for the slab. VTI files are read whole. */
typedef struct {
    ssb_io_map_kind map;
    int map_n;
    const double *map_gray;
    const uint8_t *map_label;
    int nthresholds;
    const double *thresholds;
    const uint8_t *threshold_labels;
    double voxel_size[3];
    const char *sidecar;
    int64_t raw_dims[3];
    ssb_dtype raw_dtype;
    ssb_endian raw_endian;
    int64_t raw_header_bytes;
    ssb_io_read_info *info;
    int64_t z0; /* z slab (see above); default 0 */
    int64_t nz; /* default 0: the whole image */
} ssb_io_read_params;

/* Defaults: identity mapping, voxel size from the file, layout from the sidecar, no info. */
ssb_io_read_params ssb_io_read_params_default(void);

/* Read a voxel image into a new grid, choosing the reader by extension (case-insensitive): .tif .tiff -> TIFF,
 * .raw .bin -> raw + sidecar, .npy -> NumPy. Other extensions: the file's magic bytes decide (TIFF or .npy);
 * otherwise SSB_ERR_UNSUPPORTED naming the extension. p may be NULL (defaults).
 * On success *grid is a new grid (caller destroys it) with an empty phase table; on failure *grid = NULL.
 * Errors: SSB_ERR_ARG (NULL arguments, invalid params), SSB_ERR_IO (missing or unreadable file or sidecar),
 *   SSB_ERR_FORMAT (malformed or truncated file or sidecar; the message names the file and the page / key),
 *   SSB_ERR_UNSUPPORTED (data type, sample layout or extension), SSB_ERR_RANGE (gray value not a label under
 *   the identity mapping, NaN, dimensions too large), SSB_ERR_NOTFOUND (gray value not in the label map),
 *   SSB_ERR_NOMEM, SSB_ERR_CANCELLED (progress callback). */
int ssb_io_read_image(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid);

/* Multi-page TIFF stack: one page per z (reduced-resolution subfiles are skipped), all pages the same size
 * (else SSB_ERR_FORMAT). Single-channel samples: 1, 2 or 4-bit and 8, 16, 32-bit unsigned; 8, 16, 32-bit signed;
 * 32 and 64-bit IEEE float. Stripped or tiled, any compression libtiff was built with. Stored sample values are
 * the gray values whatever the PhotometricInterpretation (MinIsWhite is not inverted; palette indices are used).
 * A truncated or corrupt file gives SSB_ERR_FORMAT naming the file, the page and libtiff's message. */
int ssb_io_read_tiff(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid);

/* Raw samples with a JSON sidecar (or the layout in params). Sidecar keys:
 *   "dims"           [nx, ny, nz] (or [nx, ny]: nz = 1), integers >= 1, x fastest (numpy C-order (z, y, x))
 *   "dtype"          "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32",
 *                    "float64" or "bool"
 *   "endianness"     "little" (default) or "big"
 *   "voxel_size_um"  number > 0 or [hx, hy, hz] (micrometres; optional)
 *   "header_bytes"   integer >= 0 (optional, default 0)
 * Other keys are ignored (logged at warning level unless they are "order", "comment", "description",
 * "generator", "phases" or start with "_"). The file size must equal header_bytes + nx*ny*nz*size(dtype):
 * otherwise SSB_ERR_FORMAT stating the expected and the actual number of bytes. A missing or invalid key gives
 * SSB_ERR_FORMAT (SSB_ERR_UNSUPPORTED for an unknown dtype, SSB_ERR_RANGE for a number out of range) naming the
 * sidecar, the key, the value and what is valid. No sidecar and no layout in params: SSB_ERR_IO naming the
 * sidecar paths tried. */
int ssb_io_read_raw(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid);

/* NumPy .npy, format versions 1, 2 and 3. dtypes |b1 |u1 |i1 and <u2 <i2 <u4 <i4 <u8 <i8 <f4 <f8 and their
 * big-endian forms (>); fortran_order True or False. A malformed header gives SSB_ERR_FORMAT naming the file and
 * what is wrong; structured, object, complex or other dtypes SSB_ERR_UNSUPPORTED. A sidecar (see params->sidecar),
 * if present, may give voxel_size_um; its other keys are ignored (a malformed sidecar is an error as for raw). */
int ssb_io_read_npy(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid);

/* One extra cell field of a .vti file: ncomp = 1 (scalar) or 3 (vector); data has nvoxels * ncomp doubles,
 * components interleaved (v0x v0y v0z v1x ...), voxel order x fastest. Borrowed. */
typedef struct {
    const char *name; /* non-empty, <= 255 bytes; XML special characters are escaped */
    int ncomp;
    const double *data;
} ssb_io_vti_field;

/* Writer options. Start from ssb_io_write_params_default().
 *   tiff_deflate   TIFF: 1 = Adobe deflate compression, 0 = none (default). SSB_ERR_UNSUPPORTED if libtiff lacks it.
 *   npy_sidecar    .npy: 1 (default) = also write PATH.json with dims, dtype and voxel_size_um so that the
 *                  voxel size survives a round trip; 0 = the .npy only.
 *   vti_fields, vti_nfields   extra cell fields for .vti written through ssb_io_write_image. */
typedef struct {
    int tiff_deflate;
    int npy_sidecar;
    const ssb_io_vti_field *vti_fields;
    int vti_nfields;
} ssb_io_write_params;

ssb_io_write_params ssb_io_write_params_default(void);

/* Write a grid, choosing the writer by extension (.tif .tiff .raw .bin .npy .vti; else SSB_ERR_UNSUPPORTED).
 * p may be NULL (defaults). Errors of every writer: SSB_ERR_ARG (NULL arguments, bad fields), SSB_ERR_IO (the
 * temporary cannot be created, e.g. the directory does not exist; a write, close or rename fails; the message
 * names the path and the system's reason), SSB_ERR_NOMEM. On error nothing is left at PATH (nor PATH.json). */
int ssb_io_write_image(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p);

/* Multi-page 8-bit TIFF (MinIsBlack, one page per z, strips of about 64 KiB, BigTIFF above 3.5 GiB). The first
 * page's ImageDescription is ImageJ-style (unit=micron, spacing = z voxel size in um) plus the line
 * "ssbnet_voxel_size_m=hx,hy,hz" (%.17g) that ssb_io_read_tiff uses; XResolution/YResolution are pixels per um. */
int ssb_io_write_tiff(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p);

/* Raw uint8 labels (numpy C order (z, y, x), no header) plus the sidecar PATH.json (dims, dtype "uint8",
 * endianness, voxel_size_um [hx, hy, hz], header_bytes 0). Both files are written atomically; the sidecar is
 * renamed first and removed again if the data file cannot be renamed. */
int ssb_io_write_raw(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p);

/* NumPy .npy version 1.0, dtype |u1, shape (nz, ny, nx), C order; plus PATH.json unless p->npy_sidecar = 0. */
int ssb_io_write_npy(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p);

/* VTK ImageData XML for ParaView: WholeExtent "0 nx 0 ny 0 nz", Origin 0, Spacing = voxel size in MICROMETRES
 * (stated in a comment in the header); labels as UInt8 CellData "labels" plus the nfields extra Float64 cell
 * fields (fields may be NULL when nfields = 0); appended raw binary data, header_type UInt64, byte order of this
 * machine. Errors as ssb_io_write_image, plus SSB_ERR_ARG for a field with NULL data, empty or over-long name or
 * ncomp not 1 or 3. */
int ssb_io_write_vti(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_vti_field *fields, int nfields);

/* Format of a path by its extension (case-insensitive), SSB_IO_FORMAT_UNKNOWN if none matches. */
ssb_io_format ssb_io_format_from_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif
