/* Fuzz target: BPX import (ssb_cell_params_from_bpx), through a temporary file. */
#include "fuzz_common.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_materials.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ssb_materials *db = NULL;
    ssb_ctx *ctx = fz_ctx();
    if (!db && (ssb_materials_create(ctx, &db) != SSB_OK || ssb_materials_load_builtin(ctx, db) != SSB_OK)) abort();
    const char *path = fz_write("cell.bpx.json", data, size);
    ssb_cell_params *p = NULL;
    if (ssb_cell_params_from_bpx(ctx, db, path, &p) == SSB_OK) {
        int nv = ssb_cell_params_bpx_nvalidation(p);
        for (int i = 0; i < nv; i++) {
            const char *name;
            int n;
            const double *t, *I, *V;
            (void)ssb_cell_params_bpx_validation(ctx, p, i, &name, &n, &t, &I, &V);
        }
        for (int s = 0; s < SSB_CELL_FN_COUNT; s++) {
            double y, dy;
            (void)ssb_cell_params_eval_fn(ctx, p, (ssb_cell_fn_slot)s, 0.5, &y, &dy);
        }
        ssb_cell_params_destroy(&p);
    }
    return 0;
}
