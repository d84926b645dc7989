/* Private helpers of the io module: gray-value mapping, sidecars, paths (atomic output files: core_impl.h). Not installed. */
#ifndef SSB_IO_IMPL_H
#define SSB_IO_IMPL_H

#include "core_impl.h"

#include <ssbnet/ssb_io.h>

#include <stdio.h>

/* ---- gray value -> label mapping ---- */

/* A mapper converts runs of samples of one data type into labels. Small types (<= 16 bits, bool) go through a
 * lookup table indexed by the raw sample bits (byte swapping folded into the table); wider types are mapped
 * sample by sample with an inlined comparison / binary search. */
typedef struct {
    ssb_io_map_kind kind;
    ssb_dtype dt;
    int swap; /* samples are in the opposite byte order of this machine */
    int n;    /* label map: sorted gray values and their labels */
    double *gray;
    uint8_t *glabel;
    int nt; /* thresholds and nt + 1 labels */
    double *thr;
    uint8_t *tlab;
    int16_t *lut;     /* 256 or 65536 entries, -1 = not mappable; NULL for wide types */
    int lut_identity; /* 8-bit lut that maps every byte to itself (no work needed) */
    const char *file; /* for messages */
    int64_t dims[3];  /* grid dims for (x, y, z) in messages */
    int fortran;      /* message indices are in Fortran order of the array shape (z, y, x) */
    int64_t first_offset; /* added to element indices in messages (a slab or a run starts inside the file) */
} ssbi_mapper;

/* Validate the mapping part of p (NULL = identity) and build a mapper for samples of type dt. */
int ssbi_mapper_init(ssb_ctx *ctx, ssbi_mapper *m, const ssb_io_read_params *p, ssb_dtype dt, int swap,
                     const char *file, const int64_t dims[3]);
void ssbi_mapper_destroy(ssbi_mapper *m);
/* Map n samples at src (raw bytes in the file's order) to dst. first is the element index of src[0] (for
 * messages). Returns SSB_OK or the mapping error (message set). */
int ssbi_mapper_apply(ssb_ctx *ctx, const ssbi_mapper *m, const void *src, int64_t n, uint8_t *dst, int64_t first);
/* Map n bytes in place (8-bit types only). */
int ssbi_mapper_apply_inplace8(ssb_ctx *ctx, const ssbi_mapper *m, uint8_t *buf, int64_t n, int64_t first);
/* Map n samples of `bits` = 1, 2 or 4 bits packed MSB first (a TIFF row) to dst. */
int ssbi_mapper_apply_bits(ssb_ctx *ctx, const ssbi_mapper *m, const uint8_t *src, int bits, int64_t n, uint8_t *dst,
                           int64_t first);

/* Read nv samples of m->dt from fp (positioned at the first sample) and map them into dst[0..nv), in chunks,
 * reporting progress under stage. Short read: SSB_ERR_FORMAT (end of file) or SSB_ERR_IO. */
int ssbi_read_samples(ssb_ctx *ctx, FILE *fp, const char *path, const ssbi_mapper *m, int64_t nv, uint8_t *dst,
                      const char *stage);

/* The z slab of p for an image of nz_full planes: *z0, *nz (the whole image when p has none). SSB_ERR_RANGE naming the
 * file and the valid range. */
int ssbi_params_slab(ssb_ctx *ctx, const ssb_io_read_params *p, const char *path, int64_t nz_full, int64_t *z0,
                     int64_t *nz);
/* info's slab fields after ssbi_info_set: full dims and first plane. */
void ssbi_info_set_slab(ssb_io_read_info *info, const int64_t full[3], int64_t z0);
/* Validate the voxel-size part of p; *given = 1 and h = metres if set. */
int ssbi_params_voxel_size(ssb_ctx *ctx, const ssb_io_read_params *p, int *given, double h[3]);

/* ---- byte order ---- */
int ssbi_host_big_endian(void);

/* ---- JSON sidecar ---- */
typedef struct {
    int have_dims, have_dtype, have_endian, have_vsize, have_header;
    int64_t dims[3];
    ssb_dtype dtype;
    int big_endian;
    double vsize[3]; /* metres */
    int64_t header_bytes;
} ssbi_sidecar;

/* Find the sidecar of a data file: explicit path if non-NULL (must exist), else PATH.json, else PATH with its
 * extension replaced by .json. Returns 1 and the path in out if found, 0 if not (tried paths in tried). */
int ssbi_sidecar_find(const char *datapath, const char *explicit_path, char *out, size_t nout, char *tried,
                      size_t ntried);
/* Parse a sidecar. layout = 1: dims and dtype are required. */
int ssbi_sidecar_read(ssb_ctx *ctx, const char *path, int layout, ssbi_sidecar *sc);
/* Write the sidecar text of a uint8 grid into an open stream. */
int ssbi_sidecar_write(ssb_ctx *ctx, FILE *fp, const char *path, const ssb_grid *grid, const char *data_name);

/* Shortest of %.15g / %.16g / %.17g that reads back as exactly v. Returns buf. */
const char *ssbi_fmt_double(char *buf, size_t n, double v);

/* ---- paths ---- */
/* Pointer to the extension of path (the last '.' after the last '/'), or NULL. */
const char *ssbi_path_ext(const char *path);
/* Size of a regular file; SSB_ERR_IO naming the path and the reason if it cannot be opened / is not a file. */
int ssbi_file_size(ssb_ctx *ctx, const char *path, const char *what, int64_t *size);
/* Fill info (if non-NULL) with the common fields. */
void ssbi_info_set(ssb_io_read_info *info, ssb_io_format fmt, ssb_dtype dt, int bits, const ssb_grid *g,
                   ssb_io_vsize_source src);

/* Refuse an image whose labels alone (nx * ny * nz bytes) need more than the machine's physical memory:
 * SSB_ERR_NOMEM naming the file, the dims and both sizes, before anything is allocated. */
int ssbi_check_image_memory(ssb_ctx *ctx, const char *path, int64_t nx, int64_t ny, int64_t nz);

/* Largest voxel size read from a sidecar [um] (1 m: areas and volumes of any grid stay finite). */
#define SSBI_VOXEL_UM_MAX 1e6

#define SSBI_IO_OBJ "io"

#endif
