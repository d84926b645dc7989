/* se module internals shared between its sources. */
#ifndef SSB_SE_IMPL_H
#define SSB_SE_IMPL_H

#include <ssbnet/ssb_se.h>

/* ssb_se_brick_solve; warn = 0 leaves out the warning when sigma_total exceeds the parallel (Wiener) bound (the 3-D
 * polycrystal comparison reports the brick layer's error itself). */
int ssbi_se_brick_solve(ssb_ctx *ctx, const ssb_se_brick_params *p, ssb_se_brick_result *r, int warn);

/* SSB_ERR_RANGE for a GB thinner than SSB_SE_GB_THICKNESS_MIN (0 = no GB is allowed), naming the value. */
int ssbi_se_check_gb_atomic(ssb_ctx *ctx, double gb_thickness);

#endif
