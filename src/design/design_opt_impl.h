/* design: private parts of the optimiser (design_opt*.c). Not installed. */
#ifndef SSB_DESIGN_OPT_IMPL_H
#define SSB_DESIGN_OPT_IMPL_H

#include <ssbnet/ssb_design_opt.h>

#include "core_impl.h"
#include "design_impl.h"

#define SSBI_DESIGN_PRESSURE_KEY "stack_pressure_MPa"
enum { SSBI_DESIGN_VAR_CELL = 0, SSBI_DESIGN_VAR_MICRO = 1, SSBI_DESIGN_VAR_PRESSURE = 2, SSBI_DESIGN_VAR_STRATEGY = 3 };

/* Kind of a variable name (cell key, "microstructure.X", the stack pressure, "strategy.NAME.PARAM"). */
int ssbi_design_var_kind(const char *name);
/* The strategy and parameter index of "strategy.NAME.PARAM"; with db, SSB_ERR_UNSUPPORTED when the strategy is not
 * available (the reason). SSB_ERR_NOTFOUND (closest strategy / the parameters), SSB_ERR_ARG (malformed). */
int ssbi_design_strategy_var(ssb_ctx *ctx, const ssb_materials *db, const char *name, int *strategy, int *param);
/* Set the variables at x on the case: cell keys, microstructure keys, the pressure, then each strategy once with
 * its parameters (the others at their default strength). Errors: SSB_ERR_NOTFOUND (unknown name, closest in the
 * message), SSB_ERR_RANGE (value refused), SSB_ERR_FORMAT, errors of ssb_design_strategy_apply. */
int ssbi_design_set_vars(ssb_ctx *ctx, const ssb_materials *db, const ssb_design_opt_params *prm, const double *x,
                         ssb_design_case *dc);
/* Index of a metric by its exact name in ssb_design_metric_at, -1 if none. */
int ssbi_design_metric_index(const char *name);
/* Name of metric index k, NULL when out of range. */
const char *ssbi_design_metric_name(int k);
/* Feasibility and violation of an evaluated design. */
void ssbi_design_judge(const ssb_design_opt_params *prm, ssb_design_eval *e);

/* ssb_design_optimise with its batches (the grid, the sensitivity) shared between the processes of comm (NULL: one
 * process): design i of a batch on process i mod size, every design then broadcast from its process; the sequential
 * local stage (COBYLA) runs in step on every process with each design evaluated on rank 0 and broadcast. */
int ssbi_design_optimise(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *base,
                         const ssb_design_opt_params *prm, const ssbi_design_comm *comm, ssb_design_opt_result *res);

#endif
