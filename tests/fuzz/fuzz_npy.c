/* Fuzz target: NumPy .npy files (ssb_io_read_npy), through a temporary file (no sidecar). */
#include "fuzz_common.h"

#include <ssbnet/ssb_io.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    const char *path = fz_write("image.npy", data, size);
    ssb_grid *g = NULL;
    ssb_io_read_info info;
    ssb_io_read_params p = ssb_io_read_params_default();
    p.info = &info;
    if (ssb_io_read_npy(ctx, path, &p, &g) == SSB_OK) ssb_grid_destroy(&g);
    return 0;
}
