/* io: VTK ImageData XML writer (.vti) with appended raw binary cell data, for ParaView. */
#include "io_impl.h"

#include <string.h>

#define VTI_NAME_MAX 255

/* XML-escape s into out (size n). Returns 0 if it did not fit. */
static int xml_escape(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            break;
        }
        size_t len = rep ? strlen(rep) : 1;
        if (k + len + 1 > n)
            return 0;
        if (rep)
            memcpy(out + k, rep, len);
        else
            out[k] = *s;
        k += len;
    }
    out[k] = '\0';
    return 1;
}

int ssb_io_write_vti(ssb_ctx *ctx, const char *path, const ssb_grid *grid, const ssb_io_vti_field *fields, int nfields)
{
    SSB_REQUIRE(ctx, path && grid, SSB_ERR_ARG, "ssb_io_write_vti: NULL path or grid");
    SSB_REQUIRE(ctx, nfields >= 0 && (nfields == 0 || fields), SSB_ERR_ARG,
                "ssb_io_write_vti: %d fields but %s field array", nfields, fields ? "a" : "no");
    for (int f = 0; f < nfields; f++) {
        const ssb_io_vti_field *fl = &fields[f];
        SSB_REQUIRE(ctx, fl->name && fl->name[0] && strlen(fl->name) <= VTI_NAME_MAX, SSB_ERR_ARG,
                    "'%s': field %d has %s name (valid: 1 to %d bytes)", path, f,
                    fl->name ? "an empty or too long" : "no", VTI_NAME_MAX);
        SSB_REQUIRE(ctx, fl->ncomp == 1 || fl->ncomp == 3, SSB_ERR_ARG,
                    "'%s': field '%s' has %d components (valid: 1 for a scalar, 3 for a vector)", path, fl->name,
                    fl->ncomp);
        SSB_REQUIRE(ctx, fl->data, SSB_ERR_ARG, "'%s': field '%s' has no data", path, fl->name);
        SSB_REQUIRE(ctx, strcmp(fl->name, "labels") != 0, SSB_ERR_ARG,
                    "'%s': field name 'labels' is taken by the voxel labels", path);
    }
    int64_t n[3];
    double hv[3];
    ssb_grid_get_dims(grid, n);
    ssb_grid_get_voxel_size(grid, hv);
    const uint64_t nv = (uint64_t)ssb_grid_get_nvoxels(grid);
    const char *order = ssbi_host_big_endian() ? "BigEndian" : "LittleEndian";

    ssbi_atomic a;
    SSB_CHECK(ctx, ssbi_atomic_open(ctx, &a, path, 1));
    FILE *fp = a.fp;
    char name[6 * VTI_NAME_MAX + 1], sp[3][32];
    for (int k = 0; k < 3; k++)
        ssbi_fmt_double(sp[k], sizeof sp[k], hv[k] * 1e6);
    int bad = 0;
    bad |= fprintf(fp,
                   "<?xml version=\"1.0\"?>\n"
                   "<!-- ssbnet %s voxel image. Spacing and Origin are in micrometres (um). Cell data: \"labels\" = "
                   "uint8 phase labels, then any solver fields in SI units. Voxel order x fastest. -->\n"
                   "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"%s\" header_type=\"UInt64\">\n"
                   "  <ImageData WholeExtent=\"0 %lld 0 %lld 0 %lld\" Origin=\"0 0 0\" Spacing=\"%s %s %s\">\n"
                   "    <Piece Extent=\"0 %lld 0 %lld 0 %lld\">\n",
                   ssb_version(), order, (long long)n[0], (long long)n[1], (long long)n[2], sp[0], sp[1], sp[2],
                   (long long)n[0], (long long)n[1], (long long)n[2]) < 0;
    /* CellData header: Scalars = labels, Vectors = the first 3-component field. */
    const char *vectors = NULL;
    for (int f = 0; f < nfields && !vectors; f++)
        if (fields[f].ncomp == 3)
            vectors = fields[f].name;
    bad |= fprintf(fp, "      <CellData Scalars=\"labels\"") < 0;
    if (vectors) {
        xml_escape(vectors, name, sizeof name);
        bad |= fprintf(fp, " Vectors=\"%s\"", name) < 0;
    }
    bad |= fprintf(fp, ">\n") < 0;
    uint64_t offset = 0;
    bad |= fprintf(fp, "        <DataArray type=\"UInt8\" Name=\"labels\" NumberOfComponents=\"1\" format=\"appended\" "
                       "offset=\"0\"/>\n") < 0;
    offset += 8 + nv;
    for (int f = 0; f < nfields; f++) {
        xml_escape(fields[f].name, name, sizeof name);
        bad |= fprintf(fp,
                       "        <DataArray type=\"Float64\" Name=\"%s\" NumberOfComponents=\"%d\" format=\"appended\" "
                       "offset=\"%llu\"/>\n",
                       name, fields[f].ncomp, (unsigned long long)offset) < 0;
        offset += 8 + nv * (uint64_t)fields[f].ncomp * 8;
    }
    bad |= fprintf(fp, "      </CellData>\n"
                       "    </Piece>\n"
                       "  </ImageData>\n"
                       "  <AppendedData encoding=\"raw\">\n"
                       "   _") < 0;
    int rc = bad ? SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s'", path) : SSB_OK;
    /* Appended block: per array a UInt64 byte count, then the bytes. */
    uint64_t nbytes = nv;
    if (rc == SSB_OK)
        rc = ssbi_atomic_write(ctx, &a, &nbytes, sizeof nbytes);
    if (rc == SSB_OK)
        rc = ssbi_atomic_write(ctx, &a, ssb_grid_get_labels_const(grid), (size_t)nv);
    for (int f = 0; f < nfields && rc == SSB_OK; f++) {
        nbytes = nv * (uint64_t)fields[f].ncomp * 8;
        rc = ssbi_atomic_write(ctx, &a, &nbytes, sizeof nbytes);
        if (rc == SSB_OK)
            rc = ssbi_atomic_write(ctx, &a, fields[f].data, (size_t)nbytes);
    }
    if (rc == SSB_OK && fprintf(fp, "\n  </AppendedData>\n</VTKFile>\n") < 0)
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "cannot write '%s'", path);
    if (rc != SSB_OK) {
        ssbi_atomic_abort(&a);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    SSB_CHECK(ctx, ssbi_atomic_commit(ctx, &a));
    return SSB_OK;
}
