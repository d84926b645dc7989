/* Fuzz target: impedance spectrum files (ssb_eis_spectrum_read) in the format FZ_FORMAT (one binary per format:
 * CSV, ZPlot .z, BioLogic .mpt, Gamry .DTA), through a temporary file. */
#include "fuzz_common.h"

#include <ssbnet/ssb_eis.h>

#ifndef FZ_FORMAT
#error "compile with -DFZ_FORMAT=SSB_EIS_FORMAT_..."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    const char *path = fz_write("spectrum", data, size);
    ssb_eis_spectrum *s = NULL;
    if (ssb_eis_spectrum_read(ctx, path, FZ_FORMAT, &s) == SSB_OK) ssb_eis_spectrum_destroy(&s);
    return 0;
}
