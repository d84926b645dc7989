/* Fuzz target: cell JSON (ssb_cell_params_from_json_string), including function-valued keys and the protocol key. */
#include "fuzz_common.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_materials.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ssb_materials *db = NULL;
    ssb_ctx *ctx = fz_ctx();
    if (!db && (ssb_materials_create(ctx, &db) != SSB_OK || ssb_materials_load_builtin(ctx, db) != SSB_OK)) abort();
    char *text = fz_cstr(data, size);
    ssb_cell_params *p = NULL;
    if (ssb_cell_params_from_json_string(ctx, db, text, "fuzz.json", &p) == SSB_OK) {
        /* evaluate whatever functions were set, as the model would */
        for (int s = 0; s < SSB_CELL_FN_COUNT; s++) {
            const double xs[] = {0.0, 0.5, 1.0, -1.0, 1e308};
            for (int i = 0; i < 5; i++) {
                double y, dy;
                (void)ssb_cell_params_eval_fn(ctx, p, (ssb_cell_fn_slot)s, xs[i], &y, &dy);
            }
        }
        const char *proto = ssb_cell_params_protocol(p);
        if (proto) {
            ssb_cell_protocol *pr = NULL;
            if (ssb_cell_protocol_parse(ctx, proto, &pr) == SSB_OK) ssb_cell_protocol_destroy(&pr);
        }
        ssb_cell_params_destroy(&p);
    }
    free(text);
    return 0;
}
