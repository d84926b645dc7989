/* One-off generator of the TIFF seeds in corpus/tiff (not built by CMake):
 *   cc tests/fuzz/make_tiff_seeds.c -o /tmp/make_tiff_seeds -ltiff && (cd tests/fuzz && /tmp/make_tiff_seeds)
 * Small stacks in the layouts the reader supports: 8-bit plain / deflate / tiled / BigTIFF, 1-bit packbits,
 * 16-bit big-endian LZW, signed 16-bit, float32, with an ImageJ description (voxel size 0.5 um). */
#include <tiffio.h>
#include <stdint.h>
#include <string.h>
static void page(TIFF *t, int w, int h, int bps, int fmt, int comp, int tiled, int z, int nz)
{
    TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w); TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps); TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, fmt); TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG); TIFFSetField(t, TIFFTAG_COMPRESSION, comp);
    TIFFSetField(t, TIFFTAG_PAGENUMBER, z, nz);
    if (z == 0) TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, "ImageJ=1.53\nimages=2\nslices=2\nunit=micron\nspacing=0.5\n");
    TIFFSetField(t, TIFFTAG_XRESOLUTION, 2.0f); TIFFSetField(t, TIFFTAG_YRESOLUTION, 2.0f);
    uint8_t buf[4096]; memset(buf, 0, sizeof buf);
    int bpr = (w * bps + 7) / 8;
    for (int i = 0; i < bpr * h; i++) buf[i] = (uint8_t)((i * 37 + z) & (bps == 1 ? 0xAA : 0x01));
    if (bps == 16) for (int i = 0; i < bpr * h; i++) buf[i] = (uint8_t)(i % 2 ? 0 : (i / 2 + z) % 2);
    if (fmt == SAMPLEFORMAT_IEEEFP) { float *f = (float *)buf; for (int i = 0; i < w * h; i++) f[i] = (float)((i + z) % 2); }
    if (tiled) {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16); TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
        uint8_t tile[16 * 16 * 4]; memset(tile, 0, sizeof tile);
        for (int i = 0; i < 16 * 16; i++) tile[i] = (uint8_t)((i / 7 + z) % 3);
        for (int ty = 0; ty < h; ty += 16)
            for (int tx = 0; tx < w; tx += 16) TIFFWriteTile(t, tile, tx, ty, 0, 0);
    } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 2);
        for (int r = 0; r < h; r++) TIFFWriteScanline(t, buf + r * bpr, r, 0);
    }
    TIFFWriteDirectory(t);
}
static void make(const char *path, const char *mode, int w, int h, int bps, int fmt, int comp, int tiled, int nz)
{
    TIFF *t = TIFFOpen(path, mode);
    for (int z = 0; z < nz; z++) page(t, w, h, bps, fmt, comp, tiled, z, nz);
    TIFFClose(t);
}
int main(void)
{
    make("corpus/tiff/u8_none.tif", "w", 6, 5, 8, SAMPLEFORMAT_UINT, COMPRESSION_NONE, 0, 3);
    make("corpus/tiff/u8_deflate.tif", "w", 6, 5, 8, SAMPLEFORMAT_UINT, COMPRESSION_ADOBE_DEFLATE, 0, 2);
    make("corpus/tiff/bit1_packbits.tif", "w", 12, 4, 1, SAMPLEFORMAT_UINT, COMPRESSION_PACKBITS, 0, 2);
    make("corpus/tiff/u16_be_lzw.tif", "wb", 4, 4, 16, SAMPLEFORMAT_UINT, COMPRESSION_LZW, 0, 2);
    make("corpus/tiff/f32.tif", "w", 4, 3, 32, SAMPLEFORMAT_IEEEFP, COMPRESSION_NONE, 0, 2);
    make("corpus/tiff/i16.tif", "w", 4, 3, 16, SAMPLEFORMAT_INT, COMPRESSION_NONE, 0, 1);
    make("corpus/tiff/u8_tiled.tif", "w", 20, 18, 8, SAMPLEFORMAT_UINT, COMPRESSION_NONE, 1, 2);
    make("corpus/tiff/u8_bigtiff.tif", "w8", 4, 4, 8, SAMPLEFORMAT_UINT, COMPRESSION_NONE, 0, 2);
    return 0;
}
