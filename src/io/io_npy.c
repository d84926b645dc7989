/* io: NumPy .npy reader (format versions 1, 2, 3) and uint8 writer (version 1.0).
 * Format: "\x93NUMPY", major, minor, header length (uint16 LE for 1.x, uint32 LE for 2.x / 3.x), then a Python
 * dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces and ended by '\n'. */
#include "io_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NPY_HEADER_MAX (1 << 20)
#define NPY_MAX_DIM (INT64_C(1) << 24)

typedef struct {
    char descr[64];
    int fortran;
    int ndim;
    int64_t shape[3];
    int have_descr, have_fortran, have_shape;
} npy_header;

typedef struct {
    const char *s;
    size_t n, i;
    const char *path;
    ssb_ctx *ctx;
} npy_cursor;

static void skip_ws(npy_cursor *c)
{
    while (c->i < c->n && isspace((unsigned char)c->s[c->i]))
        c->i++;
}

static int bad(npy_cursor *c, const char *what)
{
    char show[96];
    size_t k = 0;
    for (size_t j = 0; j < c->n && k + 1 < sizeof show; j++) {
        char ch = c->s[j];
        show[k++] = (ch == '\n' || !isprint((unsigned char)ch)) ? ' ' : ch;
    }
    show[k] = '\0';
    while (k > 0 && show[k - 1] == ' ')
        show[--k] = '\0';
    return SSB_ERROR(c->ctx, SSB_ERR_FORMAT, "'%s': malformed .npy header: %s at header offset %zu (header: %s)",
                     c->path, what, c->i, show);
}

static int expect(npy_cursor *c, char ch)
{
    skip_ws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return SSB_OK;
    }
    char what[40];
    snprintf(what, sizeof what, "expected '%c'", ch);
    return bad(c, what);
}

/* Quoted string ('...' or "...") into out. */
static int parse_string(npy_cursor *c, char *out, size_t nout)
{
    skip_ws(c);
    if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
        return bad(c, "expected a quoted string");
    const char q = c->s[c->i++];
    size_t k = 0;
    while (c->i < c->n && c->s[c->i] != q) {
        if (k + 1 >= nout)
            return bad(c, "string too long");
        out[k++] = c->s[c->i++];
    }
    if (c->i >= c->n)
        return bad(c, "unterminated string");
    c->i++;
    out[k] = '\0';
    return SSB_OK;
}

static int parse_shape(npy_cursor *c, npy_header *h)
{
    SSB_CHECK(c->ctx, expect(c, '('));
    int nd = 0;
    int64_t v[8];
    for (;;) {
        skip_ws(c);
        if (c->i < c->n && c->s[c->i] == ')') {
            c->i++;
            break;
        }
        if (c->i >= c->n || !isdigit((unsigned char)c->s[c->i]))
            return bad(c, "expected a dimension (integer)");
        int64_t x = 0;
        while (c->i < c->n && isdigit((unsigned char)c->s[c->i])) {
            if (x > NPY_MAX_DIM)
                return bad(c, "dimension too large");
            x = x * 10 + (c->s[c->i++] - '0');
        }
        if (c->i < c->n && c->s[c->i] == 'L')
            c->i++; /* Python 2 long */
        if (nd == 8)
            return bad(c, "too many dimensions");
        v[nd++] = x;
        skip_ws(c);
        if (c->i < c->n && c->s[c->i] == ',') {
            c->i++;
            continue;
        }
        SSB_CHECK(c->ctx, expect(c, ')'));
        break;
    }
    /* An array of more than three axes whose others have length 1 (a batch or channel axis: (1, z, y, x),
       (z, y, x, 1)) is read squeezed, as numpy's squeeze() (the length-1 axes take no stride, in C or Fortran
       order). Such arrays were refused. */
    const int nd_file = nd;
    for (int a = 0; a < nd && nd_file > 3;)
        if (v[a] == 1) {
            memmove(v + a, v + a + 1, (size_t)(nd - a - 1) * sizeof v[0]);
            nd--;
        } else {
            a++;
        }
    if (nd < 1 || nd > 3)
        return SSB_ERROR(c->ctx, SSB_ERR_UNSUPPORTED,
                         "'%s': .npy array has %d dimensions, %d of them longer than 1 (supported: 1, 2 (rows, "
                         "cols) or 3 (z, y, x), and more only of length 1)",
                         c->path, nd_file, nd);
    if (nd != nd_file)
        ssbi_log(c->ctx, SSB_LOG_INFO, SSBI_IO_OBJ, "'%s': .npy array of %d dimensions read as %d (axes of length 1 "
                 "dropped)", c->path, nd_file, nd);
    for (int a = 0; a < nd; a++)
        if (v[a] < 1 || v[a] > NPY_MAX_DIM)
            return SSB_ERROR(c->ctx, SSB_ERR_RANGE, "'%s': .npy shape entry %d = %lld is invalid (valid: 1 to %lld)",
                             c->path, a, (long long)v[a], (long long)NPY_MAX_DIM);
    h->ndim = nd;
    for (int a = 0; a < nd; a++)
        h->shape[a] = v[a];
    h->have_shape = 1;
    return SSB_OK;
}

static int parse_header(ssb_ctx *ctx, const char *path, const char *s, size_t n, npy_header *h)
{
    npy_cursor c = {s, n, 0, path, ctx};
    memset(h, 0, sizeof *h);
    SSB_CHECK(ctx, expect(&c, '{'));
    for (;;) {
        skip_ws(&c);
        if (c.i < c.n && c.s[c.i] == '}') {
            c.i++;
            break;
        }
        char key[32];
        SSB_CHECK(ctx, parse_string(&c, key, sizeof key));
        SSB_CHECK(ctx, expect(&c, ':'));
        skip_ws(&c);
        if (strcmp(key, "descr") == 0) {
            if (c.i < c.n && c.s[c.i] == '[')
                return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                                 "'%s': structured .npy dtypes are not supported (valid: one bool, integer or float "
                                 "field)",
                                 path);
            SSB_CHECK(ctx, parse_string(&c, h->descr, sizeof h->descr));
            h->have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (c.n - c.i >= 4 && strncmp(c.s + c.i, "True", 4) == 0) {
                h->fortran = 1;
                c.i += 4;
            } else if (c.n - c.i >= 5 && strncmp(c.s + c.i, "False", 5) == 0) {
                h->fortran = 0;
                c.i += 5;
            } else {
                return bad(&c, "fortran_order must be True or False");
            }
            h->have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            SSB_CHECK(ctx, parse_shape(&c, h));
        } else {
            char what[128];
            snprintf(what, sizeof what, "unknown key '%s' (valid: descr, fortran_order, shape)", key);
            return bad(&c, what);
        }
        skip_ws(&c);
        if (c.i < c.n && c.s[c.i] == ',') {
            c.i++;
            continue;
        }
        SSB_CHECK(ctx, expect(&c, '}'));
        break;
    }
    if (!h->have_descr)
        return bad(&c, "key 'descr' missing");
    if (!h->have_fortran)
        return bad(&c, "key 'fortran_order' missing");
    if (!h->have_shape)
        return bad(&c, "key 'shape' missing");
    skip_ws(&c);
    if (c.i != c.n)
        return bad(&c, "unexpected text after the dict");
    return SSB_OK;
}

/* Data type and byte order of a descr like '<u2'. */
static int parse_descr(ssb_ctx *ctx, const char *path, const char *d, ssb_dtype *dt, int *big)
{
    static const struct {
        char kind;
        int size;
        ssb_dtype dt;
    } table[] = {{'b', 1, SSB_DTYPE_BOOL},    {'u', 1, SSB_DTYPE_UINT8},  {'i', 1, SSB_DTYPE_INT8},
                 {'u', 2, SSB_DTYPE_UINT16},  {'i', 2, SSB_DTYPE_INT16},  {'u', 4, SSB_DTYPE_UINT32},
                 {'i', 4, SSB_DTYPE_INT32},   {'u', 8, SSB_DTYPE_UINT64}, {'i', 8, SSB_DTYPE_INT64},
                 {'f', 4, SSB_DTYPE_FLOAT32}, {'f', 8, SSB_DTYPE_FLOAT64}};
    const char order = d[0];
    if ((order == '<' || order == '>' || order == '|' || order == '=') && d[1] && d[2]) {
        char *end;
        long size = strtol(d + 2, &end, 10);
        if (*end == '\0')
            for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
                if (table[i].kind == d[1] && table[i].size == size) {
                    *dt = table[i].dt;
                    *big = order == '>' || (order == '=' && ssbi_host_big_endian());
                    return SSB_OK;
                }
    }
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                     "'%s': .npy dtype '%s' is not supported (valid: |b1 |u1 |i1 <u2 <i2 <u4 <i4 <u8 <i8 <f4 <f8, "
                     "or with > for big-endian)",
                     path, d);
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

/* Long (about 155 lines) on purpose: header parsing, every size and dtype check before any allocation, and the
 * conversion of the data, in the order the file is read (one open file, one error path). */
/* A z slab of a Fortran-order array (z fastest in the file): for every (x, y) the run of nz samples from plane z0
 * is contiguous; read the runs one by one (fp at the start of the data). */
static int read_fortran_slab(ssb_ctx *ctx, FILE *fp, const char *path, ssbi_mapper *m, const int64_t dims[3],
                             int64_t z0, int64_t nz, size_t isz, uint8_t *lab)
{
    const int64_t nx = dims[0], ny = dims[1], nzf = dims[2];
    const off_t start = ftello(fp);
    uint8_t *run = ssbi_malloc(ctx, (size_t)nz, "Fortran-order run buffer");
    if (!run)
        return SSB_ERR_NOMEM;
    int rc = SSB_OK;
    ssb_progress_fn pf;
    void *pu;
    ssb_ctx_get_progress(ctx, &pf, &pu);
    m->fortran = 1;
    for (int64_t x = 0; x < nx && rc == SSB_OK; x++) {
        ssb_ctx_set_progress(ctx, NULL, NULL); /* one bar for the slab (below), not one per run */
        for (int64_t y = 0; y < ny && rc == SSB_OK; y++) {
            const int64_t first = z0 + nzf * (y + ny * x);
            if (fseeko(fp, start + (off_t)(first * (int64_t)isz), SEEK_SET) != 0) {
                rc = SSB_ERROR(ctx, SSB_ERR_IO, "'%s': cannot seek to element %lld: %s", path, (long long)first,
                               strerror(errno));
                break;
            }
            m->first_offset = first;
            rc = ssbi_read_samples(ctx, fp, path, m, nz, run, "read npy");
            for (int64_t z = 0; z < nz && rc == SSB_OK; z++)
                lab[x + nx * (y + ny * z)] = run[z];
        }
        ssb_ctx_set_progress(ctx, pf, pu);
        if (rc == SSB_OK)
            rc = ssbi_progress(ctx, "read npy", (double)(x + 1), (double)nx);
    }
    free(run);
    return rc;
}

int ssb_io_read_npy(ssb_ctx *ctx, const char *path, const ssb_io_read_params *p, ssb_grid **grid)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_read_npy: NULL path or grid pointer");
    *grid = NULL;
    int64_t fsize;
    SSB_CHECK(ctx, ssbi_file_size(ctx, path, ".npy file", &fsize));
    int have_ph;
    double ph[3];
    SSB_CHECK(ctx, ssbi_params_voxel_size(ctx, p, &have_ph, ph));
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return SSB_ERROR(ctx, SSB_ERR_IO, "cannot open .npy file '%s': %s", path, strerror(errno));
    int rc = SSB_OK;
    char *htext = NULL;
    ssb_grid *g = NULL;
    uint8_t *tmp = NULL;
    ssbi_mapper m;
    memset(&m, 0, sizeof m);
    unsigned char pre[12];
    if (fread(pre, 1, 8, fp) != 8 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "'%s' is not a .npy file (no \\x93NUMPY magic at the start)", path);
        goto out;
    }
    const int major = pre[6], minor = pre[7];
    if (major < 1 || major > 3) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "'%s': .npy format version %d.%d is not supported (valid: 1.0, 2.0, 3.0)",
                       path, major, minor);
        goto out;
    }
    const size_t lenbytes = major == 1 ? 2 : 4;
    if (fread(pre + 8, 1, lenbytes, fp) != lenbytes) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "'%s': .npy file ends inside its preamble", path);
        goto out;
    }
    const uint32_t hlen = major == 1 ? (uint32_t)pre[8] | ((uint32_t)pre[9] << 8) : le32(pre + 8);
    const int64_t hstart = 8 + (int64_t)lenbytes;
    if (hlen > NPY_HEADER_MAX || hstart + (int64_t)hlen > fsize) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT, "'%s': .npy header length %u is invalid (file has %lld bytes)", path,
                       (unsigned)hlen, (long long)fsize);
        goto out;
    }
    htext = ssbi_malloc(ctx, hlen + 1, ".npy header");
    if (!htext) {
        rc = SSB_ERR_NOMEM;
        goto out;
    }
    if (fread(htext, 1, hlen, fp) != hlen) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot read the .npy header of '%s'", path);
        goto out;
    }
    htext[hlen] = '\0';
    npy_header h;
    rc = parse_header(ctx, path, htext, hlen, &h);
    if (rc != SSB_OK)
        goto out;
    ssb_dtype dt = SSB_DTYPE_NONE;
    int big = 0;
    rc = parse_descr(ctx, path, h.descr, &dt, &big);
    if (rc != SSB_OK)
        goto out;
    /* Array shape -> grid dims (x fastest). */
    int64_t dims[3] = {1, 1, 1};
    for (int a = 0; a < h.ndim; a++)
        dims[a] = h.shape[h.ndim - 1 - a];
    const int64_t nxy = dims[0] * dims[1];
    if (dims[2] > (INT64_C(1) << 40) / nxy) {
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE, "'%s': .npy array of %lld x %lld x %lld is too large", path,
                       (long long)dims[2], (long long)dims[1], (long long)dims[0]);
        goto out;
    }
    const int64_t nv = nxy * dims[2];
    const size_t isz = ssb_io_dtype_size(dt);
    const int64_t expected = hstart + (int64_t)hlen + nv * (int64_t)isz;
    if (fsize != expected) {
        rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                       "'%s' has %lld bytes but its .npy header (shape of %lld elements, dtype '%s') needs %lld "
                       "bytes: the file is %s",
                       path, (long long)fsize, (long long)nv, h.descr, (long long)expected,
                       fsize < expected ? "truncated" : "longer than its header says");
        goto out;
    }
    /* Voxel size: params, else a sidecar if there is one. */
    double vs[3] = {1e-6, 1e-6, 1e-6};
    ssb_io_vsize_source src = SSB_IO_VSIZE_DEFAULT;
    char scpath[4096], tried[8300];
    int found = ssbi_sidecar_find(path, p ? p->sidecar : NULL, scpath, sizeof scpath, tried, sizeof tried);
    if (p && p->sidecar && !found) {
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "sidecar %s of .npy file '%s' does not exist", tried, path);
        goto out;
    }
    double fvs[3] = {0, 0, 0}; /* what the sidecar states, also under a params override */
    if (have_ph) {
        memcpy(vs, ph, sizeof vs);
        src = SSB_IO_VSIZE_PARAMS;
        ssbi_sidecar sc;
        if (found) {
            /* only to report a disagreement: a sidecar the override makes moot is not an error here */
            if (ssbi_sidecar_read(ctx, scpath, 0, &sc) == SSB_OK && sc.have_vsize)
                memcpy(fvs, sc.vsize, sizeof fvs);
            else
                ssb_ctx_clear_error(ctx);
        }
    } else if (found) {
        ssbi_sidecar sc;
        rc = ssbi_sidecar_read(ctx, scpath, 0, &sc);
        if (rc != SSB_OK)
            goto out;
        /* A sidecar that describes another array (a stale one beside a re-saved .npy) would lend it its voxel
           size: its dims and dtype, where given, must be the header's. */
        if ((sc.have_dims && (sc.dims[0] != dims[0] || sc.dims[1] != dims[1] || sc.dims[2] != dims[2])) ||
            (sc.have_dtype && sc.dtype != dt)) {
            rc = SSB_ERROR(ctx, SSB_ERR_FORMAT,
                           "sidecar '%s' describes another array: dims [%lld, %lld, %lld], dtype %s, but the .npy "
                           "header of '%s' has shape (z, y, x) = (%lld, %lld, %lld), i.e. dims [%lld, %lld, %lld], "
                           "dtype %s (fix or delete the sidecar)",
                           scpath, (long long)sc.dims[0], (long long)sc.dims[1], (long long)sc.dims[2],
                           sc.have_dtype ? ssb_io_dtype_name(sc.dtype) : "(none)", path, (long long)dims[2],
                           (long long)dims[1], (long long)dims[0], (long long)dims[0], (long long)dims[1],
                           (long long)dims[2], ssb_io_dtype_name(dt));
            goto out;
        }
        if (sc.have_vsize) {
            memcpy(vs, sc.vsize, sizeof vs);
            memcpy(fvs, sc.vsize, sizeof fvs);
            src = SSB_IO_VSIZE_SIDECAR;
        }
    }
    int64_t z0 = 0, nzs = dims[2];
    rc = ssbi_params_slab(ctx, p, path, dims[2], &z0, &nzs);
    if (rc == SSB_OK)
        rc = ssbi_check_image_memory(ctx, path, dims[0], dims[1], nzs);
    if (rc == SSB_OK)
        rc = ssb_grid_create(ctx, dims[0], dims[1], nzs, vs[0], vs[1], vs[2], &g);
    if (rc != SSB_OK)
        goto out;
    rc = ssbi_mapper_init(ctx, &m, p, dt, isz > 1 && big != ssbi_host_big_endian(), path, dims);
    if (rc != SSB_OK)
        goto out;
    uint8_t *lab = ssb_grid_get_labels(g);
    if (!h.fortran) {
        if (z0 > 0 && fseeko(fp, (off_t)(z0 * nxy * (int64_t)isz), SEEK_CUR) != 0) {
            rc = SSB_ERROR(ctx, SSB_ERR_IO, "'%s': cannot seek to plane %lld: %s", path, (long long)z0,
                           strerror(errno));
            goto out;
        }
        m.first_offset = z0 * nxy;
        rc = ssbi_read_samples(ctx, fp, path, &m, nzs * nxy, lab, "read npy");
    } else if (nzs < dims[2]) {
        rc = read_fortran_slab(ctx, fp, path, &m, dims, z0, nzs, isz, lab);
    } else {
        /* Fortran order: the first array index (z) is fastest in the file. Map in file order, then transpose. */
        m.fortran = 1;
        tmp = ssbi_malloc(ctx, (size_t)nv, "Fortran-order transpose buffer");
        if (!tmp) {
            rc = SSB_ERR_NOMEM;
            goto out;
        }
        rc = ssbi_read_samples(ctx, fp, path, &m, nv, tmp, "read npy");
        if (rc != SSB_OK)
            goto out;
        const int64_t nx = dims[0], ny = dims[1], nz = dims[2];
        for (int64_t x = 0; x < nx; x++)
            for (int64_t y = 0; y < ny; y++) {
                const uint8_t *s = tmp + nz * (y + ny * x);
                uint8_t *d = lab + x + nx * y;
                for (int64_t z = 0; z < nz; z++)
                    d[nx * ny * z] = s[z];
            }
    }
    if (rc != SSB_OK)
        goto out;
    if (p && p->info) {
        memset(p->info, 0, sizeof *p->info);
        ssbi_info_set(p->info, SSB_IO_FORMAT_NPY, dt, (int)isz * 8, g, src);
        ssbi_info_set_slab(p->info, dims, z0);
        p->info->big_endian = big;
        memcpy(p->info->file_voxel_size, fvs, sizeof fvs);
        if (src == SSB_IO_VSIZE_SIDECAR)
            snprintf(p->info->sidecar, sizeof p->info->sidecar, "%s", scpath);
    }
out:
    fclose(fp);
    free(htext);
    free(tmp);
    ssbi_mapper_destroy(&m);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *grid = g;
    return SSB_OK;
}

int ssb_io_write_npy(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_write_params *p)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_write_npy: NULL path or grid");
    ssb_io_write_params def = ssb_io_write_params_default();
    if (!p)
        p = &def;
    int64_t n[3];
    ssb_grid_get_dims(grid, n);
    /* Version 1.0 header, padded with spaces so that the data starts at a multiple of 64 bytes. */
    char hdr[256];
    int k =
        snprintf(hdr + 10, sizeof hdr - 10, "{'descr': '|u1', 'fortran_order': False, 'shape': (%lld, %lld, %lld), }",
                 (long long)n[2], (long long)n[1], (long long)n[0]);
    size_t total = 10 + (size_t)k + 1;
    total = (total + 63) / 64 * 64;
    memset(hdr + 10 + k, ' ', total - 10 - (size_t)k - 1);
    hdr[total - 1] = '\n';
    const size_t hlen = total - 10;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)(hlen & 0xff);
    hdr[9] = (char)(hlen >> 8);

    char *scpath = NULL;
    ssbi_atomic data, side;
    memset(&side, 0, sizeof side);
    side.fd = -1;
    int rc = ssbi_atomic_open(ctx, &data, path, 1);
    if (rc != SSB_OK)
        goto fail;
    rc = ssbi_atomic_write(ctx, &data, hdr, total);
    if (rc == SSB_OK)
        rc = ssbi_atomic_write(ctx, &data, ssb_grid_get_labels_const(grid), (size_t)ssb_grid_get_nvoxels(grid));
    if (rc != SSB_OK)
        goto fail;
    if (p->npy_sidecar) {
        size_t len = strlen(path);
        scpath = ssbi_malloc(ctx, len + 6, "sidecar path");
        if (!scpath) {
            rc = SSB_ERR_NOMEM;
            goto fail;
        }
        snprintf(scpath, len + 6, "%s.json", path);
        rc = ssbi_atomic_open(ctx, &side, scpath, 1);
        if (rc == SSB_OK)
            rc = ssbi_sidecar_write(ctx, side.fp, scpath, grid,
                                    "voxel size of the .npy file of the same name (its array is (z, y, x))");
        if (rc == SSB_OK)
            rc = ssbi_atomic_commit(ctx, &side);
        if (rc != SSB_OK)
            goto fail;
    }
    rc = ssbi_atomic_commit(ctx, &data);
    if (rc != SSB_OK) {
        if (scpath)
            unlink(scpath);
        goto fail;
    }
    free(scpath);
    return SSB_OK;
fail:
    ssbi_atomic_abort(&data);
    ssbi_atomic_abort(&side);
    free(scpath);
    return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
}
