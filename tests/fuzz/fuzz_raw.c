/* Fuzz target: raw samples + JSON sidecar (ssb_io_read_raw). The input is the sidecar text, a NUL byte, then the
 * raw file's bytes (no NUL: all of it is the sidecar and the raw file is empty). */
#include "fuzz_common.h"

#include <ssbnet/ssb_io.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    const uint8_t *nul = memchr(data, 0, size);
    size_t ns = nul ? (size_t)(nul - data) : size;
    const char *side = fz_write("image.raw.json", data, ns);
    const char *raw = nul ? fz_write("image.raw", nul + 1, size - ns - 1) : fz_write("image.raw", data, 0);
    (void)side;
    ssb_grid *g = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    if (ssb_io_read_raw(ctx, raw, &p, &g) == SSB_OK) ssb_grid_destroy(&g);
    return 0;
}
