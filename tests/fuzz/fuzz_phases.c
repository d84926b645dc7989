/* Fuzz target: phase tables, as the CLI reads them for every micro command (cli_image_load in cli/cli_image.c): the
 * input is either a phases JSON file (FZ_PHASE_MAP undefined) or an inline --phase-map string (FZ_PHASE_MAP), applied
 * to a 4x4x4 image holding labels 0, 1 and 2. */
#include "fuzz_common.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>

#include "cli_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *image = NULL;
    ssb_ctx *ctx = fz_ctx();
    if (!image) {
        ssb_grid *g = NULL;
        if (ssb_grid_create(ctx, 4, 4, 4, 1e-6, 1e-6, 1e-6, &g) != SSB_OK) abort();
        uint8_t *lab = ssb_grid_get_labels(g);
        for (int i = 0; i < 64; i++) lab[i] = (uint8_t)(i % 3);
        image = fz_path("image.tif");
        if (ssb_io_write_tiff(ctx, image, g, NULL) != SSB_OK) abort();
        ssb_grid_destroy(&g);
    }
    cli_env env = {.ctx = ctx, .json = 0, .quiet = 1, .prog = "ssbnet"};
    cli_image_opts o;
    memset(&o, 0, sizeof o);
    char *text = NULL;
#ifdef FZ_PHASE_MAP
    text = fz_cstr(data, size);
    o.phase_map = text;
#else
    o.phases_path = fz_write("image.phases.json", data, size);
#endif
    ssb_grid *g = NULL;
    if (cli_image_load(&env, &o, image, &g) == 0) ssb_grid_destroy(&g);
    free(text);
    return 0;
}
