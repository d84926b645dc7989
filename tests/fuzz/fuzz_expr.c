/* Fuzz target: expressions of function-valued cell keys (ssb_cell_params_set_fn_expr + evaluation). */
#include "fuzz_common.h"

#include <ssbnet/ssb_cell.h>

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ssb_cell_params *p = NULL;
    ssb_ctx *ctx = fz_ctx();
    if (!p && ssb_cell_params_create(ctx, &p) != SSB_OK) abort();
    char *text = fz_cstr(data, size);
    if (ssb_cell_params_set_fn_expr(ctx, p, SSB_CELL_FN_OCV_POS, text, NAN, NAN) == SSB_OK) {
        const double xs[] = {0.0, 0.25, 0.5, 1.0, -1.0, 1e-300, 1e308, -1e308};
        for (int i = 0; i < 8; i++) {
            double y, dy;
            (void)ssb_cell_params_eval_fn(ctx, p, SSB_CELL_FN_OCV_POS, xs[i], &y, &dy);
        }
        ssb_cell_params_clear_fn(p, SSB_CELL_FN_OCV_POS);
    }
    free(text);
    return 0;
}
