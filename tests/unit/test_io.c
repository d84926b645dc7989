/* io: TIFF / raw / .npy readers on the reference microstructures, gray-value mappings, writer round trips,
 * .vti structure and every error path (truncated, missing, malformed, out-of-range, failed writes).
 *
 * Reference numbers (all measured by the data's curators, see tests/reference/microstructure):
 *   openimpala/README.md: Dataset B (raw uint8 / uint16le {0,257} / int16le {0,128} / float32le {0.0,1.0}, 100^3)
 *       phase-1 VF 0.399553 -> 399553 voxels; Dataset A (1-bit TIFF, 100^3) label-1 VF 0.398309 -> 398309 voxels.
 *   taufactor/README.md: electrode.tiff 256^3, labels 0 / 85 / 170 with VF 0.449917 / 0.400466 / 0.149616.
 *   puma/README.md: 100_fiberform.tif void = gray 0..89, void VF 0.83286 (= 1 - solid VF 0.16714).
 *   porespy/README.md: lattice_spheres_2d_200x200_r8_s26.npy, bool 200x200, pore (True) VF 0.6912 -> 27648.
 */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REF_A "microstructure/openimpala/SampleData_2Phase_stack_3d_1bit.tif"
#define REF_B_U8 "microstructure/openimpala/SampleData_2Phase_stack_3d_uint8.raw"
#define REF_B_U16 "microstructure/openimpala/SampleData_2Phase_stack_3d_uint16le.raw"
#define REF_B_I16 "microstructure/openimpala/SampleData_2Phase_stack_3d_int16le.raw"
#define REF_B_F32 "microstructure/openimpala/SampleData_2Phase_stack_3d_float32le.raw"
#define REF_ELECTRODE "microstructure/taufactor/electrode.tiff"
#define REF_FIBERFORM "microstructure/puma/100_fiberform.tif"
#define REF_LATTICE "microstructure/porespy/lattice_spheres_2d_200x200_r8_s26.npy"

/* ---------- helpers ---------- */

static char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k = 0;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", tu_tmpdir(), name);
    return p;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    b[len] = 0;
    *n = (size_t)len;
    return b;
}

static int64_t count_label(const ssb_grid *g, int label)
{
    int64_t h[256];
    ssb_grid_histogram(g, h);
    return h[label];
}

/* Number of directory entries other than . and .. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* A fresh empty sub-directory of the test temp dir. */
static const char *fresh_dir(const char *name)
{
    char *p = tmp_path(name);
    assert_int_equal(mkdir(p, 0755), 0);
    return p;
}

static void assert_msg_has(ssb_ctx *ctx, const char *needle)
{
    const char *msg = ssb_ctx_get_error(ctx);
    if (!strstr(msg, needle))
        fail_msg("error message '%s' lacks '%s'", msg, needle);
}

/* ---------- an independent minimal TIFF encoder (uncompressed, strips or tiles, II or MM) ---------- */

typedef struct {
    unsigned char *b;
    size_t n, cap;
    int big;
} bytes;

static void put(bytes *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 1024;
        w->b = realloc(w->b, w->cap);
        assert_non_null(w->b);
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}
static void put_uint(bytes *w, uint64_t v, int size)
{
    unsigned char c[8];
    for (int i = 0; i < size; i++)
        c[w->big ? size - 1 - i : i] = (unsigned char)(v >> (8 * i));
    put(w, c, (size_t)size);
}
static void patch32(bytes *w, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        w->b[at + (w->big ? 3 - i : i)] = (unsigned char)(v >> (8 * i));
}

typedef double (*voxel_fn)(int x, int y, int z);

typedef struct {
    uint16_t tag, type;
    uint32_t count, value;
} ifd_ent;

typedef struct {
    int w, h, pages, bps, fmt; /* fmt: 1 uint, 2 int, 3 float */
    int big, tiled, tw, th, rps;
    int odd_page; /* page with width w - 1 (-1: none) */
    voxel_fn value;
    const char *desc; /* ImageDescription of page 0 (NULL: none; longer than 3 characters) */
} tiff_spec;

/* Encode one row segment of n samples starting at column x0 into w (row padded to whole bytes). */
static void put_row(bytes *w, const tiff_spec *s, int width, int n, int x0, int y, int z)
{
    if (s->bps < 8) {
        int nbytes = (n * s->bps + 7) / 8;
        unsigned char row[64] = {0};
        assert_true(nbytes <= 64);
        for (int i = 0; i < n; i++) {
            int x = x0 + i;
            unsigned v = (x < width && y < s->h) ? (unsigned)s->value(x, y, z) : 0;
            int bit = i * s->bps;
            row[bit / 8] |= (unsigned char)(v << (8 - s->bps - bit % 8));
        }
        put(w, row, (size_t)nbytes);
        return;
    }
    for (int i = 0; i < n; i++) {
        int x = x0 + i;
        double v = (x < width && y < s->h) ? s->value(x, y, z) : 0.0;
        uint64_t u;
        if (s->fmt == 3) {
            float f = (float)v;
            uint32_t b;
            memcpy(&b, &f, 4);
            u = b;
        } else if (s->fmt == 2) {
            u = (uint64_t)(int64_t)v;
        } else {
            u = (uint64_t)v;
        }
        put_uint(w, u, s->bps / 8);
    }
}

/* Baseline resolution tags of page 0 (strips only): XResolution / YResolution as RATIONAL num/1 (0: tag absent),
 * ResolutionUnit (0: absent). */
typedef struct {
    uint32_t xr, yr, unit;
} tiff_res;

static void make_tiff_res(const char *path, const tiff_spec *s, const tiff_res *res)
{
    bytes w = {NULL, 0, 0, s->big};
    put(&w, s->big ? "MM" : "II", 2);
    put_uint(&w, 42, 2);
    size_t next_at = w.n;
    put_uint(&w, 0, 4);
    for (int z = 0; z < s->pages; z++) {
        const int width = (z == s->odd_page) ? s->w - 1 : s->w;
        /* pixel data */
        uint32_t offs[256], counts[256];
        int nchunks = 0;
        if (s->tiled) {
            for (int ty = 0; ty < s->h; ty += s->th)
                for (int tx = 0; tx < width; tx += s->tw) {
                    offs[nchunks] = (uint32_t)w.n;
                    for (int r = 0; r < s->th; r++)
                        put_row(&w, s, width, s->tw, tx, ty + r, z);
                    counts[nchunks] = (uint32_t)(w.n - offs[nchunks]);
                    nchunks++;
                }
        } else {
            for (int y0 = 0; y0 < s->h; y0 += s->rps) {
                offs[nchunks] = (uint32_t)w.n;
                for (int y = y0; y < y0 + s->rps && y < s->h; y++)
                    put_row(&w, s, width, width, 0, y, z);
                counts[nchunks] = (uint32_t)(w.n - offs[nchunks]);
                nchunks++;
            }
        }
        assert_true(nchunks <= 256);
        if (w.n % 2)
            put_uint(&w, 0, 1);
        /* out-of-line arrays */
        size_t offs_at = w.n;
        for (int i = 0; i < nchunks; i++)
            put_uint(&w, offs[i], 4);
        size_t counts_at = w.n;
        for (int i = 0; i < nchunks; i++)
            put_uint(&w, counts[i], 4);
        size_t desc_at = w.n, desc_n = (s->desc && z == 0) ? strlen(s->desc) + 1 : 0;
        put(&w, s->desc ? s->desc : "", desc_n);
        if (w.n % 2)
            put_uint(&w, 0, 1);
        const size_t res_at = w.n;
        if (res && z == 0) {
            assert_false(s->tiled);
            put_uint(&w, res->xr, 4);
            put_uint(&w, 1, 4);
            put_uint(&w, res->yr, 4);
            put_uint(&w, 1, 4);
        }
        /* IFD */
        patch32(&w, next_at, (uint32_t)w.n);
        ifd_ent e[16];
        int ne = 0;
#define ENT(t, ty, c, v) e[ne++] = (ifd_ent){(t), (ty), (c), (v)}
        ENT(256, 4, 1, (uint32_t)width);
        ENT(257, 4, 1, (uint32_t)s->h);
        ENT(258, 3, 1, (uint32_t)s->bps);
        ENT(259, 3, 1, 1);
        ENT(262, 3, 1, 1);
        if (desc_n)
            ENT(270, 2, (uint32_t)desc_n, (uint32_t)desc_at);
        if (!s->tiled) {
            ENT(273, 4, (uint32_t)nchunks, nchunks == 1 ? offs[0] : (uint32_t)offs_at);
            ENT(277, 3, 1, 1);
            ENT(278, 4, 1, (uint32_t)s->rps);
            ENT(279, 4, (uint32_t)nchunks, nchunks == 1 ? counts[0] : (uint32_t)counts_at);
            if (res && z == 0 && res->xr)
                ENT(282, 5, 1, (uint32_t)res_at);
            if (res && z == 0 && res->yr)
                ENT(283, 5, 1, (uint32_t)res_at + 8);
            if (res && z == 0 && res->unit)
                ENT(296, 3, 1, res->unit);
        } else {
            ENT(277, 3, 1, 1);
            ENT(322, 4, 1, (uint32_t)s->tw);
            ENT(323, 4, 1, (uint32_t)s->th);
            ENT(324, 4, (uint32_t)nchunks, nchunks == 1 ? offs[0] : (uint32_t)offs_at);
            ENT(325, 4, (uint32_t)nchunks, nchunks == 1 ? counts[0] : (uint32_t)counts_at);
        }
        ENT(339, 3, 1, (uint32_t)s->fmt);
#undef ENT
        put_uint(&w, (uint64_t)ne, 2);
        for (int i = 0; i < ne; i++) {
            put_uint(&w, e[i].tag, 2);
            put_uint(&w, e[i].type, 2);
            put_uint(&w, e[i].count, 4);
            if (e[i].type == 3 && e[i].count == 1) {
                put_uint(&w, e[i].value, 2);
                put_uint(&w, 0, 2);
            } else {
                put_uint(&w, e[i].value, 4);
            }
        }
        next_at = w.n;
        put_uint(&w, 0, 4);
    }
    write_file(path, w.b, w.n);
    free(w.b);
}

static void make_tiff(const char *path, const tiff_spec *s)
{
    make_tiff_res(path, s, NULL);
}

static double v_small(int x, int y, int z)
{
    return x + 3 * y + 50 * z;
} /* 8-bit orientation */
static double v_u16(int x, int y, int z)
{
    return (x * 7 + y * 131 + z * 1009) % 65536;
} /* 0..~4000 */
static double v_wide(int x, int y, int z)
{
    return (x * 2311.0 + y * 977.0 + z * 12007.0);
}
static double v_float(int x, int y, int z)
{
    return 0.125 * x - 0.375 * y + 2.385 * z;
}
static double v_signed(int x, int y, int z)
{
    return (x * 13 + y * 7 + z * 29) % 201 - 100;
}
static double v_bit(int x, int y, int z)
{
    return ((x + 2 * y + 3 * z) % 5) == 0;
}
static double v_nibble(int x, int y, int z)
{
    return (x + y + z) % 16;
}

/* Labels expected at (x, y, z) for thresholds t[] with labels 0..nt. */
static int thr_label(double g, const double *t, int nt)
{
    int l = 0;
    while (l < nt && g >= t[l])
        l++;
    return l;
}

/* ---------- tests ---------- */

/* Dataset B in four dtypes: identical label field, 399553 phase-1 voxels (openimpala/README.md). */
static void test_dataset_b_dtypes(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g8 = NULL, *g = NULL;
    ssb_io_read_info info;

    /* uint8, layout in params, identity mapping. */
    ssb_io_read_params p = ssb_io_read_params_default();
    p.raw_dims[0] = p.raw_dims[1] = p.raw_dims[2] = 100;
    p.raw_dtype = SSB_DTYPE_UINT8;
    p.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_B_U8), &p, &g8));
    assert_int_equal(count_label(g8, 1), 399553);
    assert_int_equal(count_label(g8, 0), 1000000 - 399553);
    assert_int_equal(info.format, SSB_IO_FORMAT_RAW);
    assert_int_equal(info.voxel_size_defaulted, 1);
    const uint8_t *ref = ssb_grid_get_labels_const(g8);

    /* uint16le {0, 257} through a sidecar written to the temp dir, threshold 128.5. */
    char *sc = tmp_path("b_u16.json");
    write_text(sc, "{\"dims\": [100, 100, 100], \"dtype\": \"uint16\", \"endianness\": \"little\",\n"
                   " \"voxel_size_um\": 2.385}\n");
    ssb_io_read_params q = ssb_io_read_params_default();
    const double t16 = 128.5;
    q.map = SSB_IO_MAP_THRESHOLDS;
    q.nthresholds = 1;
    q.thresholds = &t16;
    q.sidecar = sc;
    q.info = &info;
    TU_OK(ctx, ssb_io_read_raw(ctx, tu_ref(REF_B_U16), &q, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    double h[3];
    ssb_grid_get_voxel_size(g, h);
    TU_ASSERT_REL(h[0], 2.385e-6, 1e-14);
    TU_ASSERT_REL(h[2], 2.385e-6, 1e-14);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_SIDECAR);
    assert_int_equal(info.voxel_size_defaulted, 0);
    assert_string_equal(info.sidecar, sc);
    ssb_grid_destroy(&g);

    /* int16le {0, 128}: layout in params, threshold 64, labels {0 -> 0, 1 -> 1}. */
    ssb_io_read_params r = ssb_io_read_params_default();
    const double t_i16 = 64.0;
    const uint8_t lab2[2] = {0, 1};
    r.map = SSB_IO_MAP_THRESHOLDS;
    r.nthresholds = 1;
    r.thresholds = &t_i16;
    r.threshold_labels = lab2;
    r.raw_dims[0] = r.raw_dims[1] = r.raw_dims[2] = 100;
    r.raw_dtype = SSB_DTYPE_INT16;
    r.raw_endian = SSB_ENDIAN_LITTLE;
    r.voxel_size[0] = 0.65e-6;
    r.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_B_I16), &r, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    ssb_grid_get_voxel_size(g, h);
    assert_true(h[0] == 0.65e-6 && h[1] == 0.65e-6 && h[2] == 0.65e-6);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_PARAMS);
    ssb_grid_destroy(&g);

    /* float32le {0.0, 1.0}: sidecar, threshold 0.5. Also the identity mapping takes 0.0 / 1.0 exactly. */
    sc = tmp_path("b_f32.json");
    write_text(sc, "{\"dims\": [100, 100, 100], \"dtype\": \"float32\", \"voxel_size_um\": [0.5, 0.75, 1.25]}");
    const double t_f = 0.5;
    q.thresholds = &t_f;
    q.sidecar = sc;
    TU_OK(ctx, ssb_io_read_raw(ctx, tu_ref(REF_B_F32), &q, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    ssb_grid_get_voxel_size(g, h);
    TU_ASSERT_REL(h[1], 0.75e-6, 1e-14);
    TU_ASSERT_REL(h[2], 1.25e-6, 1e-14);
    ssb_grid_destroy(&g);
    q.map = SSB_IO_MAP_IDENTITY;
    TU_OK(ctx, ssb_io_read_raw(ctx, tu_ref(REF_B_F32), &q, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    ssb_grid_destroy(&g);

    /* The same uint16 data byte-swapped to big-endian, sidecar found as PATH.json. */
    size_t n;
    unsigned char *b = read_all(tu_ref(REF_B_U16), &n);
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned char c = b[i];
        b[i] = b[i + 1];
        b[i + 1] = c;
    }
    write_file(tmp_path("b_u16be.raw"), b, n);
    free(b);
    write_text(tmp_path("b_u16be.raw.json"), "{\"dims\": [100, 100, 100], \"dtype\": \"uint16\", "
                                             "\"endianness\": \"big\", \"comment\": \"Dataset B, 257 = phase 1\"}");
    ssb_io_read_params lm = ssb_io_read_params_default();
    const double grays[2] = {0.0, 257.0};
    const uint8_t labs[2] = {0, 1};
    lm.map = SSB_IO_MAP_LABELS;
    lm.map_n = 2;
    lm.map_gray = grays;
    lm.map_label = labs;
    lm.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tmp_path("b_u16be.raw"), &lm, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    assert_int_equal(info.big_endian, 1);
    assert_int_equal(info.dtype, SSB_DTYPE_UINT16);
    ssb_grid_destroy(&g);

    /* Sidecar with the extension replaced (b_hdr.json for b_hdr.bin) and a 37-byte header before the data. */
    b = read_all(tu_ref(REF_B_U8), &n);
    unsigned char *hb = malloc(n + 37);
    assert_non_null(hb);
    memset(hb, 0xAB, 37);
    memcpy(hb + 37, b, n);
    write_file(tmp_path("b_hdr.bin"), hb, n + 37);
    free(hb);
    free(b);
    write_text(tmp_path("b_hdr.json"), "{\"dims\": [100, 100, 100], \"dtype\": \"uint8\", \"header_bytes\": 37}");
    TU_OK(ctx, ssb_io_read_image(ctx, tmp_path("b_hdr.bin"), NULL, &g));
    assert_memory_equal(ssb_grid_get_labels_const(g), ref, 1000000);
    ssb_grid_destroy(&g);

    ssb_grid_destroy(&g8);
    ssb_ctx_destroy(&ctx);
}

static int cancel_after_3(void *user, const char *stage, double done, double total)
{
    int *calls = user;
    (*calls)++;
    return strcmp(stage, "read tiff") == 0 && done >= 3 && total == 100;
}

typedef struct {
    int nwarn;
    char last[1024];
} log_capture;

static void capture_log(void *user, ssb_log_level level, const char *object, const char *message)
{
    log_capture *c = user;
    if (level == SSB_LOG_WARN) {
        c->nwarn++;
        snprintf(c->last, sizeof c->last, "%s: %s", object, message);
    }
}

/* Dataset A, 1-bit TIFF: 100^3, 398309 voxels of label 1 (openimpala/README.md). */
static void test_tiff_1bit(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_A), &p, &g));
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    assert_true(d[0] == 100 && d[1] == 100 && d[2] == 100);
    assert_int_equal(count_label(g, 1), 398309);
    assert_int_equal(count_label(g, 0), 601691);
    assert_int_equal(info.dtype, SSB_DTYPE_BOOL);
    assert_int_equal(info.bits_per_sample, 1);
    assert_int_equal(info.voxel_size_defaulted, 1);
    double h[3];
    ssb_grid_get_voxel_size(g, h);
    assert_true(h[0] == 1e-6 && h[1] == 1e-6 && h[2] == 1e-6);
    ssb_grid_destroy(&g);
    /* A label map on 1-bit data: 0 -> 17, 1 -> 203. */
    const double gr[2] = {0, 1};
    const uint8_t lb[2] = {17, 203};
    p.map = SSB_IO_MAP_LABELS;
    p.map_n = 2;
    p.map_gray = gr;
    p.map_label = lb;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tu_ref(REF_A), &p, &g));
    assert_int_equal(count_label(g, 203), 398309);
    assert_int_equal(count_label(g, 17), 601691);
    ssb_grid_destroy(&g);
    /* A progress callback that cancels after page 3: SSB_ERR_CANCELLED, no grid. */
    int calls = 0;
    ssb_ctx_set_progress(ctx, cancel_after_3, &calls);
    assert_int_equal(ssb_io_read_tiff(ctx, tu_ref(REF_A), NULL, &g), SSB_ERR_CANCELLED);
    assert_int_equal(calls, 3);
    assert_null(g);
    ssb_ctx_destroy(&ctx);
}

/* TauFactor electrode.tiff (deflate-compressed 8-bit): VF 0.449917 / 0.400466 / 0.149616 (taufactor/README.md). */
static void test_tiff_electrode(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    const double nv = 256.0 * 256.0 * 256.0;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_ELECTRODE), NULL, &g));
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    assert_true(d[0] == 256 && d[1] == 256 && d[2] == 256);
    const int64_t c0 = count_label(g, 0), c85 = count_label(g, 85), c170 = count_label(g, 170);
    assert_true(c0 + c85 + c170 == (int64_t)nv);
    /* VFs are published to 6 decimals: agree to half a unit of the last digit. */
    assert_true(fabs(c0 / nv - 0.449917) <= 5e-7);
    assert_true(fabs(c85 / nv - 0.400466) <= 5e-7);
    assert_true(fabs(c170 / nv - 0.149616) <= 5e-7);
    ssb_grid_destroy(&g);

    /* Label map {0:0, 85:1, 170:2}: the same counts. */
    ssb_io_read_params p = ssb_io_read_params_default();
    const double gr[3] = {170, 0, 85}; /* unsorted on purpose */
    const uint8_t lb[3] = {2, 0, 1};
    p.map = SSB_IO_MAP_LABELS;
    p.map_n = 3;
    p.map_gray = gr;
    p.map_label = lb;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tu_ref(REF_ELECTRODE), &p, &g));
    assert_true(count_label(g, 0) == c0 && count_label(g, 1) == c85 && count_label(g, 2) == c170);
    ssb_grid_destroy(&g);

    /* Thresholds 42.5 and 127.5 with labels 5, 6, 7: the same counts again. */
    ssb_io_read_params t = ssb_io_read_params_default();
    const double th[2] = {42.5, 127.5};
    const uint8_t tl[3] = {5, 6, 7};
    t.map = SSB_IO_MAP_THRESHOLDS;
    t.nthresholds = 2;
    t.thresholds = th;
    t.threshold_labels = tl;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tu_ref(REF_ELECTRODE), &t, &g));
    assert_true(count_label(g, 5) == c0 && count_label(g, 6) == c85 && count_label(g, 7) == c170);
    ssb_grid_destroy(&g);

    /* A label map that lacks 170 names the value. */
    p.map_n = 2;
    p.map_gray = gr + 1;
    p.map_label = lb + 1;
    assert_int_equal(ssb_io_read_tiff(ctx, tu_ref(REF_ELECTRODE), &p, &g), SSB_ERR_NOTFOUND);
    assert_null(g);
    assert_msg_has(ctx, "gray value 170");
    assert_msg_has(ctx, "electrode.tiff");
    ssb_ctx_destroy(&ctx);
}

/* PuMA FiberForm: threshold 90 (void = 0..89), void VF 0.83286 (puma/README.md); voxel size 1.3 um from params. */
static void test_tiff_fiberform(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    const double t = 90.0;
    p.map = SSB_IO_MAP_THRESHOLDS;
    p.nthresholds = 1;
    p.thresholds = &t;
    p.voxel_size[0] = 1.3e-6;
    p.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_FIBERFORM), &p, &g));
    const double vf = count_label(g, 0) / 1e6;
    assert_true(fabs(vf - 0.83286) <= 5e-6);
    double h[3];
    ssb_grid_get_voxel_size(g, h);
    assert_true(h[0] == 1.3e-6 && h[2] == 1.3e-6);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_PARAMS);
    assert_true(info.big_endian == 1); /* the file is "MM" */
    ssb_grid_destroy(&g);
    /* Its ImageJ description says unit=inch (dpi leftovers): not trusted, the 1 um default is flagged. */
    p.voxel_size[0] = 0.0;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tu_ref(REF_FIBERFORM), &p, &g));
    assert_int_equal(info.voxel_size_defaulted, 1);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* PoreSpy 2-D lattice: bool 200x200 -> 200x200x1, 27648 True voxels = VF 0.6912 (porespy/README.md). */
static void test_npy_lattice(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    TU_OK(ctx, ssb_io_read_image(ctx, tu_ref(REF_LATTICE), &p, &g));
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    assert_true(d[0] == 200 && d[1] == 200 && d[2] == 1);
    assert_int_equal(count_label(g, 1), 27648);
    assert_int_equal(count_label(g, 0), 40000 - 27648);
    assert_int_equal(info.dtype, SSB_DTYPE_BOOL);
    /* Disc centres at (8 + 26 i, 8 + 26 j) are solid (False); the corner (0, 0) is 11.3 voxels away: pore. */
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    assert_int_equal(lab[8 + 200 * 8], 0);
    assert_int_equal(lab[34 + 200 * 190], 0);
    assert_int_equal(lab[0], 1);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Hand-made .npy files: C and Fortran order, versions 1-3, several dtypes, axis convention (z, y, x). */
static void write_npy_dict(const char *path, int major, const char *dict, const void *data, size_t nbytes)
{
    int k = (int)strlen(dict);
    size_t pre = major == 1 ? 10 : 12;
    size_t total = (pre + (size_t)k + 1 + 63) / 64 * 64;
    size_t hlen = total - pre;
    unsigned char *b = calloc(total + nbytes, 1);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    if (major == 1) {
        b[8] = (unsigned char)(hlen & 0xff);
        b[9] = (unsigned char)(hlen >> 8);
    } else {
        for (int i = 0; i < 4; i++)
            b[8 + i] = (unsigned char)(hlen >> (8 * i));
    }
    memcpy(b + pre, dict, (size_t)k);
    memset(b + pre + k, ' ', hlen - (size_t)k - 1);
    b[total - 1] = '\n';
    memcpy(b + total, data, nbytes);
    write_file(path, b, total + nbytes);
    free(b);
}

static void write_npy(const char *path, int major, const char *descr, int fortran, const char *shape, const void *data,
                      size_t nbytes)
{
    char dict[256];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
             fortran ? "True" : "False", shape);
    write_npy_dict(path, major, dict, data, nbytes);
}

static void test_npy_orders(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    enum { NZ = 2, NY = 3, NX = 5, N = NZ * NY * NX };
    /* value at array index [z][y][x] = x + 5 y + 15 z + 7 (so it is never 0). */
    uint16_t c_le[N], f_be[N];
    double c_f8[N];
    int64_t f_i8[N];
    for (int z = 0; z < NZ; z++)
        for (int y = 0; y < NY; y++)
            for (int x = 0; x < NX; x++) {
                uint16_t v = (uint16_t)(x + 5 * y + 15 * z + 7);
                c_le[x + NX * (y + NY * z)] = v;            /* C order: x fastest */
                int fi = z + NZ * (y + NY * x);             /* Fortran order: z fastest */
                f_be[fi] = (uint16_t)((v >> 8) | (v << 8)); /* big-endian bytes (host is little) */
                c_f8[x + NX * (y + NY * z)] = v;
                f_i8[fi] = v;
            }
    struct {
        const char *name;
        int major;
        const char *descr;
        int fortran;
        const void *data;
        size_t nbytes;
    } cases[] = {{"c_u2_v1.npy", 1, "<u2", 0, c_le, sizeof c_le},
                 {"f_u2be_v2.npy", 2, ">u2", 1, f_be, sizeof f_be},
                 {"c_f8_v3.npy", 3, "<f8", 0, c_f8, sizeof c_f8},
                 {"f_i8_v1.npy", 1, "<i8", 1, f_i8, sizeof f_i8}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *path = tmp_path(cases[c].name);
        write_npy(path, cases[c].major, cases[c].descr, cases[c].fortran, "(2, 3, 5)", cases[c].data, cases[c].nbytes);
        ssb_grid *g = NULL;
        TU_OK(ctx, ssb_io_read_npy(ctx, path, NULL, &g));
        int64_t d[3];
        ssb_grid_get_dims(g, d);
        assert_true(d[0] == NX && d[1] == NY && d[2] == NZ);
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        for (int z = 0; z < NZ; z++)
            for (int y = 0; y < NY; y++)
                for (int x = 0; x < NX; x++)
                    assert_int_equal(lab[x + NX * (y + NY * z)], x + 5 * y + 15 * z + 7);
        ssb_grid_destroy(&g);
    }
    /* 2-D Fortran order (rows, cols) = (3, 5): y fastest in the file. */
    uint8_t f2[15];
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++)
            f2[y + 3 * x] = (uint8_t)(10 * y + x);
    const char *p2 = tmp_path("f_u1_2d.npy");
    write_npy(p2, 1, "|u1", 1, "(3, 5)", f2, sizeof f2);
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_io_read_image(ctx, p2, NULL, &g));
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++)
            assert_int_equal(ssb_grid_get_labels_const(g)[x + 5 * y], 10 * y + x);
    ssb_grid_destroy(&g);
    /* Identity on a Fortran-order file: the message gives the voxel in (x, y, z). 300 sits at x=4, y=1, z=0. */
    f_be[0 + NZ * (1 + NY * 4)] = (uint16_t)((300 >> 8) | (300 << 8));
    const char *p3 = tmp_path("f_u2be_bad.npy");
    write_npy(p3, 2, ">u2", 1, "(2, 3, 5)", f_be, sizeof f_be);
    assert_int_equal(ssb_io_read_npy(ctx, p3, NULL, &g), SSB_ERR_RANGE);
    assert_msg_has(ctx, "gray value 300 at voxel (x=4, y=1, z=0)");
    ssb_ctx_destroy(&ctx);
}

/* Hand-made TIFF stacks: axis convention, strips and tiles, both byte orders, 1/4/8/16/32-bit and float. */
/* Read a TIFF, return where its voxel size came from, the size in h. */
static ssb_io_vsize_source tiff_voxel_source(ssb_ctx *ctx, const char *path, double h[3])
{
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_io_read_tiff(ctx, path, &p, &g));
    ssb_grid_get_voxel_size(g, h);
    ssb_grid_destroy(&g);
    return info.voxel_size_source;
}

static void test_tiff_layouts(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    enum { W = 37, H = 23, P = 4 };
    struct {
        const char *name;
        tiff_spec s;
        int nt;
        double t[3];
    } cases[] = {
        {"u8_le_strips.tif", {W, H, P, 8, 1, 0, 0, 0, 0, 5, -1, v_small, NULL}, 0, {0}},
        {"u8_be_tiles.tif", {W, H, P, 8, 1, 1, 1, 16, 16, 0, -1, v_small, NULL}, 0, {0}},
        {"u16_le_strips.tif", {W, H, P, 16, 1, 0, 0, 0, 0, 4, -1, v_u16, NULL}, 3, {701.5, 1500, 3333}},
        {"u16_be_tiles.tif", {W, H, P, 16, 1, 1, 1, 16, 16, 0, -1, v_u16, NULL}, 3, {701.5, 1500, 3333}},
        {"u32_be_strips.tif", {W, H, P, 32, 1, 1, 0, 0, 0, 7, -1, v_wide, NULL}, 2, {20000, 50000}},
        {"i8_le_strips.tif", {W, H, P, 8, 2, 0, 0, 0, 0, 23, -1, v_signed, NULL}, 2, {-20, 0}},
        {"f32_le_tiles.tif", {W, H, P, 32, 3, 0, 1, 16, 32, 0, -1, v_float, NULL}, 3, {-2.5, 0.0, 3.0}},
        {"f32_be_strips.tif", {W, H, P, 32, 3, 1, 0, 0, 0, 2, -1, v_float, NULL}, 3, {-2.5, 0.0, 3.0}},
        {"b1_be_strips.tif", {W, H, P, 1, 1, 1, 0, 0, 0, 6, -1, v_bit, NULL}, 0, {0}},
        {"b1_le_tiles.tif", {W, H, P, 1, 1, 0, 1, 16, 16, 0, -1, v_bit, NULL}, 0, {0}},
        {"u4_le_strips.tif", {W, H, P, 4, 1, 0, 0, 0, 0, 9, -1, v_nibble, NULL}, 0, {0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *path = tmp_path(cases[c].name);
        make_tiff(path, &cases[c].s);
        ssb_io_read_params p = ssb_io_read_params_default();
        if (cases[c].nt) {
            p.map = SSB_IO_MAP_THRESHOLDS;
            p.nthresholds = cases[c].nt;
            p.thresholds = cases[c].t;
        }
        ssb_grid *g = NULL;
        TU_OK(ctx, ssb_io_read_tiff(ctx, path, &p, &g));
        int64_t d[3];
        ssb_grid_get_dims(g, d);
        assert_true(d[0] == W && d[1] == H && d[2] == P);
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        for (int z = 0; z < P; z++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    double v = cases[c].s.value(x, y, z);
                    int want = cases[c].nt
                                   ? thr_label(cases[c].s.fmt == 3 ? (double)(float)v : v, cases[c].t, cases[c].nt)
                                   : (int)v;
                    if (lab[x + W * (y + H * z)] != want)
                        fail_msg("%s: voxel (%d, %d, %d) = %d, expected %d", cases[c].name, x, y, z,
                                 lab[x + W * (y + H * z)], want);
                }
        ssb_grid_destroy(&g);
    }
    /* 16-bit values above 255 under the identity mapping: SSB_ERR_RANGE naming value and voxel. */
    ssb_grid *g = NULL;
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("u16_le_strips.tif"), NULL, &g), SSB_ERR_RANGE);
    assert_null(g);
    /* v_u16 = 7 x + 131 y + 1009 z first exceeds 255 at x = 18, y = 1 (257). */
    assert_msg_has(ctx, "gray value 257 at voxel (x=18, y=1, z=0)");
    assert_msg_has(ctx, "label map");
    /* Pages of different sample formats: named ("signed integer"), not numbered ("format 2"). The second page's
       SampleFormat entry (tag 339, SHORT, 1) patched from 1 to 2. */
    {
        tiff_spec two = {W, H, 2, 16, 1, 0, 0, 0, 0, 5, -1, v_u16, NULL};
        make_tiff(tmp_path("mixfmt.tif"), &two);
        size_t nb;
        unsigned char *b = read_all(tmp_path("mixfmt.tif"), &nb);
        const unsigned char ent[12] = {0x53, 0x01, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0};
        unsigned char *at = NULL;
        for (size_t i = 0; i + 12 <= nb; i++)
            if (memcmp(b + i, ent, 12) == 0)
                at = b + i; /* the last one: page 1 */
        assert_non_null(at);
        at[8] = 2;
        write_file(tmp_path("mixfmt.tif"), b, nb);
        free(b);
        assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("mixfmt.tif"), NULL, &g), SSB_ERR_FORMAT);
        assert_msg_has(ctx, "page 1 has 16-bit signed integer samples but page 0 has 16-bit unsigned integer ones");
    }
    /* Pages of different sizes. */
    tiff_spec odd = {W, H, P, 8, 1, 0, 0, 0, 0, 5, 2, v_small, NULL};
    make_tiff(tmp_path("odd.tif"), &odd);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("odd.tif"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "page 2 is 36 x 23");
    /* ImageJ hyperstacks interleave channels (and frames) with the slices page by page (ImageJ's TiffEncoder /
     * HyperStackConverter: page index = c + C (z + Z t)): 2 channels x 2 slices were read as 4 planes of z. One
     * channel reads as a stack, and so does a time series of single slices; more channels are refused. */
    tiff_spec hyper = {W, H, P, 8, 1, 0, 0, 0, 0, 5, -1, v_small,
                       "ImageJ=1.53t\nimages=4\nchannels=2\nslices=2\nhyperstack=true\nmode=composite\n"};
    make_tiff(tmp_path("hyper.tif"), &hyper);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("hyper.tif"), NULL, &g), SSB_ERR_UNSUPPORTED);
    assert_null(g);
    assert_msg_has(ctx, "ImageJ hyperstack of 2 channels x 2 slices x 1 frames");
    hyper.desc = "ImageJ=1.53t\nimages=4\nslices=2\nframes=2\nhyperstack=true\n";
    make_tiff(tmp_path("hyper.tif"), &hyper);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("hyper.tif"), NULL, &g), SSB_ERR_UNSUPPORTED);
    const char *fine[] = {"ImageJ=1.53t\nimages=4\nchannels=1\nslices=4\n", "ImageJ=1.53t\nimages=4\nframes=4\n"};
    for (int k = 0; k < 2; k++) {
        hyper.desc = fine[k];
        make_tiff(tmp_path("hyper.tif"), &hyper);
        TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("hyper.tif"), NULL, &g));
        int64_t d[3];
        ssb_grid_get_dims(g, d);
        assert_int_equal(d[2], P);
        assert_int_equal(ssb_grid_get_labels_const(g)[W * H * 3], v_small(0, 0, 3));
        ssb_grid_destroy(&g);
    }
    /* OME-TIFF (Bio-Formats' OME-XML description): channels interleaved with the z slices were read as planes of z
       and the PhysicalSize voxel size was not read (1 um assumed with a warning). 2 channels x 2 slices refused;
       one channel reads with PhysicalSizeX/Y/Z in their units (um by default, the OME schema's). */
    hyper.desc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/"
                 "2016-06\"><Image ID=\"Image:0\"><Pixels BigEndian=\"false\" DimensionOrder=\"XYCZT\" "
                 "ID=\"Pixels:0\" SizeC=\"2\" SizeT=\"1\" SizeX=\"37\" SizeY=\"23\" SizeZ=\"2\" Type=\"uint8\">"
                 "<TiffData/></Pixels></Image></OME>";
    make_tiff(tmp_path("ome.tif"), &hyper);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("ome.tif"), NULL, &g), SSB_ERR_UNSUPPORTED);
    assert_msg_has(ctx, "OME-TIFF of 2 channels x 2 z slices x 1 time points");
    assert_null(g);
    const struct {
        const char *units[3];
        double h[3];
    } ome[] = {{{"", "", ""}, {0.5e-6, 0.25e-6, 2e-6}},
               {{" PhysicalSizeXUnit=\"nm\"", " PhysicalSizeYUnit=\"\xc2\xb5m\"", " PhysicalSizeZUnit=\"mm\""},
                {0.5e-9, 0.25e-6, 2e-3}}};
    for (int k = 0; k < 2; k++) {
        char desc[1024];
        snprintf(desc, sizeof desc,
                 "<?xml version=\"1.0\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\"><Image "
                 "ID=\"Image:0\"><Pixels DimensionOrder=\"XYZCT\" ID=\"Pixels:0\" PhysicalSizeX=\"0.5\"%s "
                 "PhysicalSizeY=\"0.25\"%s PhysicalSizeZ=\"2\"%s SizeC=\"1\" SizeT=\"1\" SizeX=\"37\" "
                 "SizeY=\"23\" SizeZ=\"4\" Type=\"uint8\"><TiffData/></Pixels></Image></OME>",
                 ome[k].units[0], ome[k].units[1], ome[k].units[2]);
        hyper.desc = desc;
        make_tiff(tmp_path("ome.tif"), &hyper);
        double h[3];
        assert_int_equal(tiff_voxel_source(ctx, tmp_path("ome.tif"), h), SSB_IO_VSIZE_FILE);
        for (int a = 0; a < 3; a++)
            TU_ASSERT_REL(h[a], ome[k].h[a], 1e-15);
    }
    ssb_ctx_destroy(&ctx);
}

/* Baseline resolution tags (Avizo, Dragonfly, tifffile resolution=): pixel size = 1 / (pixels per unit), unit cm (3)
 * or inch (2): 25000 px/cm = 1 cm / 25000 = 0.4 um; 63500 px/inch = 25.4 mm / 63500 = 0.4 um; z taken equal to x
 * with one warning. Unit none, no unit, non-square pixels, a whole dpi up to 1200 (writers' 72 / 100 / 300 dpi
 * defaults) or a pixel outside 1 nm .. 1 mm keep the 1 um default; an ImageJ calibration and params win. */
static void test_tiff_resolution_tags(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    log_capture lc = {0, ""};
    ssb_ctx_set_log(ctx, capture_log, &lc, SSB_LOG_WARN);
    tiff_spec s = {8, 6, 3, 8, 1, 0, 0, 0, 0, 6, -1, v_small, NULL};
    const struct {
        tiff_res r;
        double h;        /* expected x = y = z size, m */
        const char *why; /* warning text, NULL: none about the tags */
    } cases[] = {
        {{25000, 25000, 3}, 0.4e-6, "z spacing not in the file: taken equal to x"},
        {{63500, 63500, 2}, 0.4e-6, "z spacing not in the file: taken equal to x"},
        {{20000, 20000, 3}, 0.5e-6 /* 1 cm / 20000 */, "taken equal to x"},
        {{25000, 25000, 1}, 1e-6, NULL},
        {{25000, 25000, 0}, 1e-6, "ResolutionUnit is absent"},
        {{25000, 20000, 3}, 1e-6, "XResolution 25000 and YResolution 20000 px/cm give non-square pixels"},
        {{72, 72, 2}, 1e-6, "72 px/inch (72 dpi"},
        {{300, 300, 2}, 1e-6, "300 dpi"},
        {{2, 2, 3}, 1e-6, "5000 um pixel, outside 0.001 .. 1000 um"},
        {{25000, 0, 3}, 1e-6, "are no pixel size"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        make_tiff_res(tmp_path("res.tif"), &s, &cases[c].r);
        lc.nwarn = 0;
        lc.last[0] = 0;
        double h[3];
        const ssb_io_vsize_source src = tiff_voxel_source(ctx, tmp_path("res.tif"), h);
        assert_int_equal(src, cases[c].h == 1e-6 ? SSB_IO_VSIZE_DEFAULT : SSB_IO_VSIZE_FILE);
        for (int a = 0; a < 3; a++)
            TU_ASSERT_REL(h[a], cases[c].h, 1e-6);
        if (cases[c].why ? !strstr(lc.last, cases[c].why) : lc.nwarn != 0)
            fail_msg("case %zu: warning '%s', expected '%s'", c, lc.last, cases[c].why ? cases[c].why : "(none)");
    }
    /* One page: no z to guess, no warning. */
    s.pages = 1;
    make_tiff_res(tmp_path("res.tif"), &s, &cases[0].r);
    lc.nwarn = 0;
    double h[3];
    assert_int_equal(tiff_voxel_source(ctx, tmp_path("res.tif"), h), SSB_IO_VSIZE_FILE);
    TU_ASSERT_REL(h[0], 0.4e-6, 1e-6);
    assert_int_equal(lc.nwarn, 0);
    /* ImageJ's calibration wins: unit=micron with XResolution 2.5 px/um, spacing 0.8 (ImageJ writes ResolutionUnit
       none then; a cm unit here checks that the baseline tags are not read instead). */
    s.pages = 3;
    s.desc = "ImageJ=1.54f\nimages=3\nslices=3\nunit=micron\nspacing=0.8\n";
    const tiff_res ij = {25000, 25000, 1};
    make_tiff_res(tmp_path("res.tif"), &s, &ij);
    assert_int_equal(tiff_voxel_source(ctx, tmp_path("res.tif"), h), SSB_IO_VSIZE_FILE);
    TU_ASSERT_REL(h[0], 1.0 / 25000 * 1e-6, 1e-6); /* 25000 px per micron: ImageJ's unit, not the tag's */
    TU_ASSERT_REL(h[2], 0.8e-6, 1e-12);
    /* ImageJ in cm (its ResolutionUnit 3): the tags with ImageJ's spacing for z (1e-4 cm = 1 um). */
    s.desc = "ImageJ=1.54f\nimages=3\nslices=3\nunit=cm\nspacing=0.0001\n";
    const tiff_res ijcm = {25000, 25000, 3};
    make_tiff_res(tmp_path("res.tif"), &s, &ijcm);
    assert_int_equal(tiff_voxel_source(ctx, tmp_path("res.tif"), h), SSB_IO_VSIZE_FILE);
    TU_ASSERT_REL(h[0], 0.4e-6, 1e-6);
    TU_ASSERT_REL(h[2], 1e-6, 1e-9);
    /* --voxel-um (params) wins over the tags. */
    s.desc = NULL;
    make_tiff_res(tmp_path("res.tif"), &s, &cases[0].r);
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.voxel_size[0] = 0.7e-6;
    p.info = &info;
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("res.tif"), &p, &g));
    ssb_grid_get_voxel_size(g, h);
    TU_ASSERT_REL(h[0], 0.7e-6, 1e-12);
    TU_ASSERT_REL(h[2], 0.7e-6, 1e-12);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_PARAMS);
    ssb_grid_destroy(&g);
    ssb_ctx_set_log(ctx, NULL, NULL, SSB_LOG_ERROR);
    ssb_ctx_destroy(&ctx);
}

/* ImageJ's layout of a stack of more than 4 GB (tifffile's documentation: "ImageJ hyperstacks store all image data
 * ... contiguously after the first IFD ... Files > 4 GB contain one IFD only"; ImageJ writes big-endian): one IFD
 * whose single strip is plane 0, the other planes after it. comp: the Compression tag written (the data are never
 * compressed); cut: bytes cut from the end. */
static void make_ij_one_ifd(const char *path, const tiff_spec *s, int comp, size_t cut)
{
    bytes w = {NULL, 0, 0, s->big};
    put(&w, s->big ? "MM" : "II", 2);
    put_uint(&w, 42, 2);
    put_uint(&w, 8, 4);
    char desc[128];
    snprintf(desc, sizeof desc, "ImageJ=1.54f\nimages=%d\nslices=%d\nunit=micron\nloop=false\n", s->pages, s->pages);
    const uint32_t ne = 11, desc_at = 8 + 2 + 12 * ne + 4, data_at = desc_at + (uint32_t)strlen(desc) + 1;
    const uint32_t plane = (uint32_t)(s->w * s->h * (s->bps / 8));
    const ifd_ent e[11] = {{256, 4, 1, (uint32_t)s->w}, {257, 4, 1, (uint32_t)s->h}, {258, 3, 1, (uint32_t)s->bps},
                           {259, 3, 1, (uint32_t)comp}, {262, 3, 1, 1}, {270, 2, (uint32_t)strlen(desc) + 1, desc_at},
                           {273, 4, 1, data_at},        {277, 3, 1, 1}, {278, 4, 1, (uint32_t)s->h},
                           {279, 4, 1, plane},          {339, 3, 1, (uint32_t)s->fmt}};
    put_uint(&w, ne, 2);
    for (uint32_t i = 0; i < ne; i++) {
        put_uint(&w, e[i].tag, 2);
        put_uint(&w, e[i].type, 2);
        put_uint(&w, e[i].count, 4);
        if (e[i].type == 3) {
            put_uint(&w, e[i].value, 2);
            put_uint(&w, 0, 2);
        } else {
            put_uint(&w, e[i].value, 4);
        }
    }
    put_uint(&w, 0, 4);
    put(&w, desc, strlen(desc) + 1);
    assert_int_equal(w.n, data_at);
    for (int z = 0; z < s->pages; z++)
        for (int y = 0; y < s->h; y++)
            put_row(&w, s, s->w, s->w, 0, y, z);
    write_file(path, w.b, w.n - cut);
    free(w.b);
}

/* A one-IFD ImageJ stack was read as its first plane, without a word (a 16-plane volume gave a 2-D image and
 * tau = 1): now the same labels as the same stack with one IFD per page, slabs included; compressed or truncated
 * such files are refused. */
static void test_tiff_imagej_one_ifd(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    enum { W = 19, H = 13, P = 6 };
    const tiff_spec specs[] = {{W, H, P, 16, 1, 1, 0, 0, 0, H, -1, v_u16, NULL},
                               {W, H, P, 32, 3, 0, 0, 0, 0, H, -1, v_float, NULL},
                               {W, H, P, 8, 1, 1, 0, 0, 0, H, -1, v_small, NULL}};
    double thr[3] = {-2.5, 701.5, 1500};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        make_tiff(tmp_path("ij_pages.tif"), &specs[k]);
        make_ij_one_ifd(tmp_path("ij_one.tif"), &specs[k], 1, 0);
        for (int slab = 0; slab < 2; slab++) {
            ssb_io_read_params p = ssb_io_read_params_default();
            if (specs[k].bps > 8) {
                p.map = SSB_IO_MAP_THRESHOLDS;
                p.nthresholds = 3;
                p.thresholds = thr;
            }
            if (slab) {
                p.z0 = 2;
                p.nz = 3;
            }
            ssb_grid *ga = NULL, *gb = NULL;
            TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("ij_pages.tif"), &p, &ga));
            TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("ij_one.tif"), &p, &gb));
            int64_t da[3], db[3];
            ssb_grid_get_dims(ga, da);
            ssb_grid_get_dims(gb, db);
            assert_true(db[0] == W && db[1] == H && db[2] == (slab ? 3 : P) && da[2] == db[2]);
            assert_memory_equal(ssb_grid_get_labels_const(ga), ssb_grid_get_labels_const(gb), (size_t)(W * H * db[2]));
            ssb_grid_destroy(&ga);
            ssb_grid_destroy(&gb);
        }
    }
    ssb_grid *g = NULL;
    make_ij_one_ifd(tmp_path("ij_cut.tif"), &specs[2], 1, 5);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("ij_cut.tif"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "images=6");
    assert_msg_has(ctx, "truncated");
    make_ij_one_ifd(tmp_path("ij_lzw.tif"), &specs[2], 5, 0);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("ij_lzw.tif"), NULL, &g), SSB_ERR_UNSUPPORTED);
    assert_msg_has(ctx, "images=6");
    assert_null(g);
    /* A JPEG-compressed page (lossy: a 3-label stack saved so read back as 144 gray values, each taken for a label)
       is refused under the identity mapping, before anything is decoded. */
    tiff_spec one = specs[2];
    one.pages = 1;
    make_ij_one_ifd(tmp_path("jpeg.tif"), &one, 7, 0);
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("jpeg.tif"), NULL, &g), SSB_ERR_UNSUPPORTED);
    assert_msg_has(ctx, "JPEG-compressed (lossy)");
    assert_null(g);
    ssb_ctx_destroy(&ctx);
}

/* Round trips of every writer with high-entropy labels and an anisotropic voxel size. */
static ssb_grid *random_grid(ssb_ctx *ctx)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, 37, 23, 11, 0.4123e-6, 0.5871e-6, 1.2385e-6, &g));
    ssb_rng rng;
    ssb_rng_seed(&rng, 20240917);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t i = 0; i < ssb_grid_get_nvoxels(g); i++)
        lab[i] = (uint8_t)(ssb_rng_u64(&rng) >> 56);
    return g;
}

static void test_roundtrip(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = random_grid(ctx);
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    int distinct = 0;
    for (int k = 0; k < 256; k++)
        distinct += hist[k] > 0;
    assert_true(distinct == 256); /* every label value occurs */
    double h0[3];
    ssb_grid_get_voxel_size(g, h0);
    const char *names[] = {"rt.tif", "rt_deflate.tiff", "rt.raw", "rt.npy", "rt.bin"};
    const ssb_io_vsize_source want_src[] = {SSB_IO_VSIZE_FILE, SSB_IO_VSIZE_FILE, SSB_IO_VSIZE_SIDECAR,
                                            SSB_IO_VSIZE_SIDECAR, SSB_IO_VSIZE_SIDECAR};
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
        const char *path = tmp_path(names[c]);
        ssb_io_write_params wp = ssb_io_write_params_default();
        wp.tiff_deflate = (c == 1);
        TU_OK(ctx, ssb_io_write_image(ctx, path, g, &wp));
        ssb_grid *r = NULL;
        ssb_io_read_info info;
        ssb_io_read_params p = ssb_io_read_params_default();
        p.info = &info;
        TU_OK(ctx, ssb_io_read_image(ctx, path, &p, &r));
        int64_t d[3];
        ssb_grid_get_dims(r, d);
        assert_true(d[0] == 37 && d[1] == 23 && d[2] == 11);
        assert_memory_equal(ssb_grid_get_labels_const(r), ssb_grid_get_labels_const(g), 37 * 23 * 11);
        double h[3];
        ssb_grid_get_voxel_size(r, h);
        for (int a = 0; a < 3; a++)
            TU_ASSERT_REL(h[a], h0[a], 1e-14);
        assert_int_equal(info.voxel_size_source, want_src[c]);
        ssb_grid_destroy(&r);
    }
    /* The TIFF's ImageJ calibration alone (ssbnet line removed) still gives the voxel size to float precision. */
    size_t n;
    unsigned char *b = read_all(tmp_path("rt.tif"), &n);
    unsigned char *key = (unsigned char *)strstr((char *)b + 8, "ssbnet_voxel_size_m=");
    if (!key) {
        for (size_t i = 0; i + 20 < n && !key; i++)
            if (memcmp(b + i, "ssbnet_voxel_size_m=", 20) == 0)
                key = b + i;
    }
    assert_non_null(key);
    key[0] = 'X'; /* the line no longer matches */
    write_file(tmp_path("rt_imagej.tif"), b, n);
    /* the same calibration in millimetres (ImageJ's unit=mm; it was not known and the 1 um default was taken):
     * every size 1000 times the micron one */
    unsigned char *unit = NULL;
    for (size_t i = 0; i + 12 < n && !unit; i++)
        if (memcmp(b + i, "unit=micron\n", 12) == 0)
            unit = b + i;
    assert_non_null(unit);
    memcpy(unit, "unit=mm    \n", 12); /* trailing blanks end the value */
    write_file(tmp_path("rt_imagej_mm.tif"), b, n);
    free(b);
    ssb_grid *r = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("rt_imagej.tif"), &p, &r));
    double h[3];
    ssb_grid_get_voxel_size(r, h);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_FILE);
    TU_ASSERT_REL(h[0], h0[0], 1e-6);
    TU_ASSERT_REL(h[1], h0[1], 1e-6);
    TU_ASSERT_REL(h[2], h0[2], 1e-12);
    ssb_grid_destroy(&r);
    TU_OK(ctx, ssb_io_read_tiff(ctx, tmp_path("rt_imagej_mm.tif"), &p, &r));
    ssb_grid_get_voxel_size(r, h);
    assert_int_equal(info.voxel_size_source, SSB_IO_VSIZE_FILE);
    for (int a = 0; a < 3; a++)
        TU_ASSERT_REL(h[a], 1000 * h0[a], a < 2 ? 1e-6 : 1e-12);
    ssb_grid_destroy(&r);
    /* .npy without sidecar: labels survive, voxel size falls back to the flagged default. */
    ssb_io_write_params wp = ssb_io_write_params_default();
    wp.npy_sidecar = 0;
    TU_OK(ctx, ssb_io_write_npy(ctx, tmp_path("nosc.npy"), g, &wp));
    assert_false(tu_exists(tmp_path("nosc.npy.json")));
    TU_OK(ctx, ssb_io_read_npy(ctx, tmp_path("nosc.npy"), &p, &r));
    assert_memory_equal(ssb_grid_get_labels_const(r), ssb_grid_get_labels_const(g), 37 * 23 * 11);
    assert_int_equal(info.voxel_size_defaulted, 1);
    ssb_grid_destroy(&r);
    /* A stale sidecar of another array beside it (dims or dtype not the header's) was taken for its voxel size
       without a word: refused, naming both; the right dims (and dtype) are read as before. */
    const char *stale[] = {"{\"dims\": [37, 23, 12], \"voxel_size_um\": 0.5}",
                           "{\"dims\": [37, 23, 11], \"dtype\": \"uint16\", \"voxel_size_um\": 0.5}"};
    for (int k = 0; k < 2; k++) {
        write_text(tmp_path("nosc.npy.json"), stale[k]);
        assert_int_equal(ssb_io_read_npy(ctx, tmp_path("nosc.npy"), &p, &r), SSB_ERR_FORMAT);
        assert_null(r);
        assert_msg_has(ctx, "describes another array");
        assert_msg_has(ctx, "(11, 23, 37)");
    }
    write_text(tmp_path("nosc.npy.json"), "{\"dims\": [37, 23, 11], \"dtype\": \"uint8\", \"voxel_size_um\": 0.5}");
    TU_OK(ctx, ssb_io_read_npy(ctx, tmp_path("nosc.npy"), &p, &r));
    ssb_grid_get_voxel_size(r, h);
    TU_ASSERT_REL(h[2], 0.5e-6, 1e-15);
    ssb_grid_destroy(&r);
    unlink(tmp_path("nosc.npy.json"));
    /* The .npy header is what numpy writes: version 1.0, |u1, shape (nz, ny, nx), data 64-byte aligned. */
    b = read_all(tmp_path("nosc.npy"), &n);
    assert_int_equal(n, 128 + 37 * 23 * 11);
    assert_memory_equal(b, "\x93NUMPY\x01\x00", 8);
    assert_non_null(strstr((char *)b + 10, "{'descr': '|u1', 'fortran_order': False, 'shape': (11, 23, 37), }"));
    assert_int_equal(b[127], '\n');
    free(b);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* .vti: header with extent, spacing in um, offsets; appended block with UInt64 sizes and the exact bytes. */
static void test_vti(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = random_grid(ctx);
    const int64_t nv = ssb_grid_get_nvoxels(g);
    double *phi = malloc((size_t)nv * sizeof *phi), *flux = malloc((size_t)nv * 3 * sizeof *flux);
    assert_true(phi && flux);
    for (int64_t i = 0; i < nv; i++) {
        phi[i] = 0.0137 * (double)i - 2.385;
        for (int c = 0; c < 3; c++)
            flux[3 * i + c] = sin(0.001 * (double)i + c);
    }
    ssb_io_vti_field f[2] = {{"potential", 1, phi}, {"flux <A/m2>", 3, flux}};
    const char *path = tmp_path("fields.vti");
    TU_OK(ctx, ssb_io_write_vti(ctx, path, g, f, 2));
    /* written, not read back: the message says so (it listed .vti as an unknown extension) */
    ssb_grid *back = NULL;
    assert_int_equal(ssb_io_read_image(ctx, path, NULL, &back), SSB_ERR_UNSUPPORTED);
    assert_null(back);
    assert_msg_has(ctx, ".vti files are written for viewing (ParaView) and not read back");
    size_t n;
    unsigned char *b = read_all(path, &n);
    const char *t = (const char *)b;
    assert_non_null(strstr(t, "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" "
                              "header_type=\"UInt64\">"));
    assert_non_null(strstr(t, "WholeExtent=\"0 37 0 23 0 11\""));
    assert_non_null(strstr(t, "<Piece Extent=\"0 37 0 23 0 11\">"));
    assert_non_null(strstr(t, "micrometres"));
    const char *sp = strstr(t, "Spacing=\"");
    assert_non_null(sp);
    double s[3];
    assert_int_equal(sscanf(sp + 9, "%lf %lf %lf", &s[0], &s[1], &s[2]), 3);
    TU_ASSERT_REL(s[0], 0.4123, 1e-15);
    TU_ASSERT_REL(s[1], 0.5871, 1e-15);
    TU_ASSERT_REL(s[2], 1.2385, 1e-15);
    char want[256];
    snprintf(want, sizeof want, "Name=\"potential\" NumberOfComponents=\"1\" format=\"appended\" offset=\"%lld\"",
             (long long)(8 + nv));
    assert_non_null(strstr(t, want));
    snprintf(want, sizeof want,
             "Name=\"flux &lt;A/m2&gt;\" NumberOfComponents=\"3\" format=\"appended\" offset=\"%lld\"",
             (long long)(8 + nv + 8 + 8 * nv));
    assert_non_null(strstr(t, want));
    assert_non_null(strstr(t, "Vectors=\"flux &lt;A/m2&gt;\""));
    const char *ap = strstr(t, "<AppendedData encoding=\"raw\">");
    assert_non_null(ap);
    const unsigned char *u = (const unsigned char *)strchr(ap, '_') + 1;
    uint64_t cnt;
    memcpy(&cnt, u, 8);
    assert_true(cnt == (uint64_t)nv);
    assert_memory_equal(u + 8, ssb_grid_get_labels_const(g), (size_t)nv);
    u += 8 + nv;
    memcpy(&cnt, u, 8);
    assert_true(cnt == (uint64_t)nv * 8);
    assert_memory_equal(u + 8, phi, (size_t)nv * 8);
    u += 8 + 8 * nv;
    memcpy(&cnt, u, 8);
    assert_true(cnt == (uint64_t)nv * 24);
    assert_memory_equal(u + 8, flux, (size_t)nv * 24);
    u += 8 + 24 * nv;
    const char *tail = "\n  </AppendedData>\n</VTKFile>\n";
    assert_int_equal((size_t)(b + n - u), strlen(tail));
    assert_memory_equal(u, tail, strlen(tail));
    free(b);
    /* Bad fields. */
    ssb_io_vti_field bad[1] = {{"phi", 2, phi}};
    assert_int_equal(ssb_io_write_vti(ctx, tmp_path("bad.vti"), g, bad, 1), SSB_ERR_ARG);
    assert_msg_has(ctx, "2 components");
    bad[0].ncomp = 1;
    bad[0].data = NULL;
    assert_int_equal(ssb_io_write_vti(ctx, tmp_path("bad.vti"), g, bad, 1), SSB_ERR_ARG);
    assert_false(tu_exists(tmp_path("bad.vti")));
    /* Labels only, through the dispatcher. */
    TU_OK(ctx, ssb_io_write_image(ctx, tmp_path("labels.vti"), g, NULL));
    b = read_all(tmp_path("labels.vti"), &n);
    assert_null(strstr((char *)b, "Float64"));
    free(b);
    free(phi);
    free(flux);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Truncated TIFF: SSB_ERR_FORMAT naming the file and the page; libtiff prints nothing on stderr. */
static void test_tiff_truncated(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    size_t n;
    unsigned char *b = read_all(tu_ref(REF_ELECTRODE), &n);
    const char *path = tmp_path("electrode_40pct.tiff");
    write_file(path, b, n * 2 / 5);
    /* The same bytes with the last 40 % cut from one strip only: data truncated inside a page. */
    const char *path2 = tmp_path("electrode_cut.tiff");
    write_file(path2, b, n - 3000);
    free(b);
    const char *errfile = tmp_path("stderr.txt");
    fflush(stderr);
    int saved = dup(2);
    int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    ssb_grid *g = NULL;
    int rc1 = ssb_io_read_image(ctx, path, NULL, &g);
    char msg1[2048];
    snprintf(msg1, sizeof msg1, "%s", ssb_ctx_get_error(ctx));
    int rc2 = ssb_io_read_tiff(ctx, path2, NULL, &g);
    char msg2[2048];
    snprintf(msg2, sizeof msg2, "%s", ssb_ctx_get_error(ctx));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc1, SSB_ERR_FORMAT);
    assert_non_null(strstr(msg1, "electrode_40pct.tiff"));
    assert_non_null(strstr(msg1, "page"));
    assert_int_equal(rc2, SSB_ERR_FORMAT);
    assert_non_null(strstr(msg2, "electrode_cut.tiff"));
    assert_non_null(strstr(msg2, "page 255"));
    assert_null(g);
    struct stat st;
    assert_int_equal(stat(errfile, &st), 0);
    assert_int_equal(st.st_size, 0);
    /* Not a TIFF at all. */
    write_text(tmp_path("fake.tif"), "this is not a TIFF file, just text\n");
    assert_int_equal(ssb_io_read_image(ctx, tmp_path("fake.tif"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "fake.tif");
    ssb_ctx_destroy(&ctx);
}

/* Missing files, raw size mismatches, bad sidecars, bad .npy headers, bad params. */
static void test_read_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = NULL;
    const char *missing[] = {"nope.tif", "nope.raw", "nope.npy", "nope.tiff"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ssb_io_read_image(ctx, tmp_path(missing[i]), NULL, &g), SSB_ERR_IO);
        assert_msg_has(ctx, missing[i]);
        assert_null(g);
    }
    assert_int_equal(ssb_io_read_tiff(ctx, tmp_path("nope.tif"), NULL, &g), SSB_ERR_IO);
    assert_int_equal(ssb_io_read_image(ctx, tu_ref(REF_B_U8 ".json"), NULL, &g), SSB_ERR_IO);

    /* Raw with the wrong size: layout 100 x 100 x 99 on a 10^6-byte file. */
    ssb_io_read_params p = ssb_io_read_params_default();
    p.raw_dims[0] = 100;
    p.raw_dims[1] = 100;
    p.raw_dims[2] = 99;
    p.raw_dtype = SSB_DTYPE_UINT8;
    assert_int_equal(ssb_io_read_raw(ctx, tu_ref(REF_B_U8), &p, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "has 1000000 bytes but expected 990000 bytes");
    /* Truncated raw (sidecar as PATH.json). */
    size_t n;
    unsigned char *b = read_all(tu_ref(REF_B_U16), &n);
    write_file(tmp_path("trunc.raw"), b, n - 2385);
    free(b);
    write_text(tmp_path("trunc.raw.json"), "{\"dims\": [100, 100, 100], \"dtype\": \"uint16\"}");
    assert_int_equal(ssb_io_read_image(ctx, tmp_path("trunc.raw"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "has 1997615 bytes but expected 2000000 bytes");
    assert_msg_has(ctx, "truncated");
    /* No sidecar and no layout. */
    write_file(tmp_path("nosc.raw"), "abcd", 4);
    assert_int_equal(ssb_io_read_raw(ctx, tmp_path("nosc.raw"), NULL, &g), SSB_ERR_IO);
    assert_msg_has(ctx, "nosc.raw.json");
    assert_msg_has(ctx, "nosc.json");

    /* Sidecar errors: each names the sidecar file, the key and the value. */
    struct {
        const char *json;
        int code;
        const char *needle;
    } sc[] = {
        {"{\"dtype\": \"uint8\"}", SSB_ERR_FORMAT, "no key 'dims'"},
        {"{\"dims\": [4, 1, 1]}", SSB_ERR_FORMAT, "no key 'dtype'"},
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint7\"}", SSB_ERR_UNSUPPORTED, "'dtype' = \"uint7\""},
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"endianness\": \"middle\"}", SSB_ERR_FORMAT,
         "'endianness' = \"middle\""},
        {"{\"dims\": [4, 0, 1], \"dtype\": \"uint8\"}", SSB_ERR_RANGE, "'dims' = [4,0,1]"},
        {"{\"dims\": \"4x1x1\", \"dtype\": \"uint8\"}", SSB_ERR_FORMAT, "'dims' = \"4x1x1\""},
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"voxel_size_um\": -0.5}", SSB_ERR_RANGE,
         "'voxel_size_um' = -0.5"},
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"header_bytes\": 1.5}", SSB_ERR_RANGE, "'header_bytes' = 1.5"},
        {"{\"dims\": [4, 1, 1],\n \"dtype\": uint8}", SSB_ERR_FORMAT, "line 2"},
        {"[4, 1, 1]", SSB_ERR_FORMAT, "not a JSON object"},
        /* a misspelt key is refused (it used to be a warning: "dtyp" then failed as "no key 'dtype'", and
         * "voxelsize_um" silently fell back to the 1 um default voxel size) */
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"dtyp\": \"uint8\"}", SSB_ERR_FORMAT, "unknown key 'dtyp'"},
        {"{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"voxelsize_um\": 0.7}", SSB_ERR_FORMAT,
         "valid: dims, dtype, endianness, voxel_size_um, header_bytes"},
    };
    for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++) {
        write_text(tmp_path("nosc.raw.json"), sc[i].json);
        int rc = ssb_io_read_raw(ctx, tmp_path("nosc.raw"), NULL, &g);
        if (rc != sc[i].code)
            fail_msg("sidecar %s: rc %d, expected %d", sc[i].json, rc, sc[i].code);
        assert_msg_has(ctx, "nosc.raw.json");
        assert_msg_has(ctx, sc[i].needle);
        assert_null(g);
    }
    /* A good sidecar finally works (4 bytes "abcd" = 97..100 under identity); a "_" key and the informational
     * "comment" are accepted without a warning. */
    log_capture lc = {0, ""};
    ssb_ctx_set_log(ctx, capture_log, &lc, SSB_LOG_DEBUG);
    write_text(tmp_path("nosc.raw.json"),
               "{\"dims\": [4, 1, 1], \"dtype\": \"uint8\", \"_note\": 1, \"comment\": \"NMC\"}");
    ssb_io_read_info info;
    ssb_io_read_params ip = ssb_io_read_params_default();
    ip.info = &info;
    TU_OK(ctx, ssb_io_read_raw(ctx, tmp_path("nosc.raw"), &ip, &g));
    assert_int_equal(ssb_grid_get_labels_const(g)[3], 'd');
    assert_int_equal(lc.nwarn, 0);
    assert_int_equal(info.voxel_size_defaulted, 1);
    ssb_ctx_set_log(ctx, NULL, NULL, SSB_LOG_ERROR);
    ssb_grid_destroy(&g);

    /* .npy errors. */
    uint8_t data[6] = {1, 2, 3, 4, 5, 6};
    struct {
        const char *descr, *shape;
        int fortran;
        int code;
        const char *needle;
    } np[] = {{"<c8", "(6,)", 0, SSB_ERR_UNSUPPORTED, "dtype '<c8'"},
              {"|u1", "(2, 4)", 0, SSB_ERR_FORMAT, "truncated"},
              {"|u1", "(1, 2, 2, 2, 3)", 0, SSB_ERR_UNSUPPORTED, "5 dimensions, 4 of them longer than 1"},
              {"|u1", "(2, 3", 0, SSB_ERR_FORMAT, "malformed .npy header"}};
    for (size_t i = 0; i < sizeof np / sizeof np[0]; i++) {
        write_npy(tmp_path("bad.npy"), 1, np[i].descr, np[i].fortran, np[i].shape, data, sizeof data);
        int rc = ssb_io_read_npy(ctx, tmp_path("bad.npy"), NULL, &g);
        if (rc != np[i].code)
            fail_msg("npy case %zu: rc %d, expected %d (%s)", i, rc, np[i].code, ssb_ctx_get_error(ctx));
        assert_msg_has(ctx, "bad.npy");
        assert_msg_has(ctx, np[i].needle);
    }
    /* Axes of length 1 beyond three (a batch axis, a channel axis) are dropped: (1, 2, 3, 1) reads as (2, 3), x
       fastest, in C and in Fortran order (the length-1 axes take no stride); they were refused. */
    for (int f = 0; f < 2; f++) {
        write_npy(tmp_path("squeeze.npy"), 1, "|u1", f, "(1, 2, 3, 1)", data, sizeof data);
        TU_OK(ctx, ssb_io_read_npy(ctx, tmp_path("squeeze.npy"), NULL, &g));
        int64_t d[3];
        ssb_grid_get_dims(g, d);
        assert_true(d[0] == 3 && d[1] == 2 && d[2] == 1);
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        /* element (y, x): C order at 3 y + x, Fortran order at y + 2 x */
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                assert_int_equal(lab[x + 3 * y], data[f ? y + 2 * x : 3 * y + x]);
        ssb_grid_destroy(&g);
    }
    write_npy_dict(tmp_path("bad2.npy"), 2, "{'descr': '|u1', 'shape': (6,), }", data, sizeof data);
    assert_int_equal(ssb_io_read_npy(ctx, tmp_path("bad2.npy"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "'fortran_order' missing");
    write_file(tmp_path("bad3.npy"), "\x93NUMPZ\x01\x00", 8);
    assert_int_equal(ssb_io_read_npy(ctx, tmp_path("bad3.npy"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "not a .npy file");
    write_file(tmp_path("bad4.npy"), "\x93NUMPY\x07\x00\x10\x00", 10);
    assert_int_equal(ssb_io_read_npy(ctx, tmp_path("bad4.npy"), NULL, &g), SSB_ERR_FORMAT);
    assert_msg_has(ctx, "version 7.0");

    /* Bad params: thresholds not increasing, conflicting label map, bad voxel size, unknown extension. */
    ssb_io_read_params q = ssb_io_read_params_default();
    const double th[3] = {10, 30, 20};
    q.map = SSB_IO_MAP_THRESHOLDS;
    q.nthresholds = 3;
    q.thresholds = th;
    assert_int_equal(ssb_io_read_image(ctx, tu_ref(REF_A), &q, &g), SSB_ERR_ARG);
    assert_msg_has(ctx, "threshold 2 = 20 is not above threshold 1 = 30");
    const double gr[2] = {5, 5};
    const uint8_t lb[2] = {1, 2};
    q = ssb_io_read_params_default();
    q.map = SSB_IO_MAP_LABELS;
    q.map_n = 2;
    q.map_gray = gr;
    q.map_label = lb;
    assert_int_equal(ssb_io_read_image(ctx, tu_ref(REF_A), &q, &g), SSB_ERR_ARG);
    assert_msg_has(ctx, "gray value 5 maps to both label 1 and label 2");
    q = ssb_io_read_params_default();
    q.voxel_size[0] = 1e-6;
    q.voxel_size[1] = -2e-6;
    assert_int_equal(ssb_io_read_image(ctx, tu_ref(REF_A), &q, &g), SSB_ERR_RANGE);
    write_text(tmp_path("img.png"), "PNG?");
    assert_int_equal(ssb_io_read_image(ctx, tmp_path("img.png"), NULL, &g), SSB_ERR_UNSUPPORTED);
    assert_msg_has(ctx, "'.png'");
    /* The identity mapping on 16-bit values > 255 (Dataset B uint16 {0, 257}). */
    q = ssb_io_read_params_default();
    q.raw_dims[0] = q.raw_dims[1] = q.raw_dims[2] = 100;
    q.raw_dtype = SSB_DTYPE_UINT16;
    assert_int_equal(ssb_io_read_raw(ctx, tu_ref(REF_B_U16), &q, &g), SSB_ERR_RANGE);
    assert_msg_has(ctx, "gray value 257");
    assert_null(g);
    ssb_ctx_destroy(&ctx);
}

/* Writers: a missing directory gives SSB_ERR_IO and creates nothing; a failed rename (PATH is a directory)
 * removes the temporary; an existing file is replaced only on success. */
static void test_write_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    ssb_grid *g = random_grid(ctx);
    const char *exts[] = {"tif", "raw", "npy", "vti"};
    const char *dir = fresh_dir("wdir");
    for (size_t i = 0; i < 4; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/no/such/dir/out.%s", dir, exts[i]);
        assert_int_equal(ssb_io_write_image(ctx, path, g, NULL), SSB_ERR_IO);
        assert_msg_has(ctx, "out.");
        assert_msg_has(ctx, "No such file or directory");
        assert_false(tu_exists(path));
        /* PATH is an existing directory: everything is written, the rename fails, the temporary goes. */
        snprintf(path, sizeof path, "%s/target.%s", dir, exts[i]);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(ssb_io_write_image(ctx, path, g, NULL), SSB_ERR_IO);
        assert_msg_has(ctx, "rename");
        assert_int_equal(dir_entries(dir), 1); /* only target.EXT, no temporary, no sidecar */
        assert_int_equal(rmdir(path), 0);
        assert_int_equal(dir_entries(dir), 0);
    }
    /* Unknown output extension. */
    assert_int_equal(ssb_io_write_image(ctx, tmp_path("out.png"), g, NULL), SSB_ERR_UNSUPPORTED);
    /* Overwriting an existing file works and leaves no temporary. */
    char path[600];
    snprintf(path, sizeof path, "%s/over.raw", dir);
    write_text(path, "old contents");
    TU_OK(ctx, ssb_io_write_raw(ctx, path, g, NULL));
    assert_int_equal(dir_entries(dir), 2); /* over.raw + over.raw.json */
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Remove a directory tree (the test temp dir holds files and one level of sub-directories). */
static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    char p[1024];
    int rc = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= remove_tree(p);
        else
            rc |= remove(p);
    }
    closedir(d);
    return rc | rmdir(dir);
}

/* Remove the temporary directory and everything the tests wrote into it. */
static int teardown(void **state)
{
    (void)state;
    return remove_tree(tu_tmpdir());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dataset_b_dtypes),
        cmocka_unit_test(test_tiff_1bit),
        cmocka_unit_test(test_tiff_electrode),
        cmocka_unit_test(test_tiff_fiberform),
        cmocka_unit_test(test_npy_lattice),
        cmocka_unit_test(test_npy_orders),
        cmocka_unit_test(test_tiff_layouts),
        cmocka_unit_test(test_tiff_imagej_one_ifd),
        cmocka_unit_test(test_tiff_resolution_tags),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_vti),
        cmocka_unit_test(test_tiff_truncated),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
