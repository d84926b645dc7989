/* design: private parts of the optimiser (design_opt*.c). Not installed. */
#ifndef SSB_DESIGN_OPT_IMPL_H
#define SSB_DESIGN_OPT_IMPL_H

#include <ssbnet/ssb_design_opt.h>

#include "core_impl.h"

#define SSBI_DESIGN_PRESSURE_KEY "stack_pressure_MPa"
enum { SSBI_DESIGN_VAR_CELL = 0, SSBI_DESIGN_VAR_MICRO = 1, SSBI_DESIGN_VAR_PRESSURE = 2 };

/* Kind of a variable name (cell key, "microstructure.X", the stack pressure). */
int ssbi_design_var_kind(const char *name);
/* Set a variable on the cell p, the run params rp or the pressure [Pa]. Errors: SSB_ERR_NOTFOUND (unknown name,
 * closest in the message), SSB_ERR_RANGE (value refused), SSB_ERR_FORMAT. */
int ssbi_design_set_var(ssb_ctx *ctx, const char *name, double value, ssb_cell_params *p, ssb_run_params *rp,
                        double *pressure);
/* Index of a metric by its exact name in ssb_design_metric_at, -1 if none. */
int ssbi_design_metric_index(const char *name);
/* Name of metric index k, NULL when out of range. */
const char *ssbi_design_metric_name(int k);
/* Feasibility and violation of an evaluated design. */
void ssbi_design_judge(const ssb_design_opt_params *prm, ssb_design_eval *e);

#endif
