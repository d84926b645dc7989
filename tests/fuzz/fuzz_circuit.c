/* Fuzz target: equivalent-circuit strings (ssb_eis_circuit_parse), then impedance and Jacobian of the parsed circuit
 * with every parameter 0.5 at three frequencies. */
#include "fuzz_common.h"

#include <ssbnet/ssb_eis.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ssb_ctx *ctx = fz_ctx();
    char *text = fz_cstr(data, size);
    ssb_eis_circuit *c = NULL;
    if (ssb_eis_circuit_parse(ctx, text, &c) == SSB_OK) {
        int np = ssb_eis_circuit_get_nparams(c);
        if (np < 0) abort();
        if (np <= 4096) {
            double *prm = malloc(sizeof(double) * (size_t)(np + 1));
            double *jre = malloc(sizeof(double) * (size_t)(3 * np + 1));
            double *jim = malloc(sizeof(double) * (size_t)(3 * np + 1));
            if (!prm || !jre || !jim) abort();
            for (int i = 0; i < np; i++) {
                prm[i] = 0.5;
                (void)ssb_eis_circuit_get_param_name(c, i);
                (void)ssb_eis_circuit_get_param_unit(c, i);
            }
            const double f[3] = {1e-3, 1.0, 1e5};
            double zre[3], zim[3];
            (void)ssb_eis_circuit_impedance(ctx, c, prm, 3, f, zre, zim);
            if (np > 0) (void)ssb_eis_circuit_jacobian(ctx, c, prm, 3, f, jre, jim);
            free(prm);
            free(jre);
            free(jim);
        }
        (void)ssb_eis_circuit_get_string(c);
        ssb_eis_circuit_destroy(&c);
    }
    free(text);
    return 0;
}
