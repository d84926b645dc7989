/* Fuzz target: protocol text (ssb_cell_protocol_parse). */
#include "fuzz_common.h"

#include <ssbnet/ssb_cell.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    char *text = fz_cstr(data, size);
    ssb_cell_protocol *pr = NULL;
    if (ssb_cell_protocol_parse(ctx, text, &pr) == SSB_OK) {
        int n = ssb_cell_protocol_nsteps(pr);
        for (int i = 0; i < n; i++)
            if (!ssb_cell_protocol_step(pr, i)) abort(); /* every step below nsteps exists */
        ssb_cell_protocol_destroy(&pr);
    }
    free(text);
    return 0;
}
