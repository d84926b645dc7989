/* The design group's part of other commands (cli/cmd_design.c). */
#ifndef SSB_CLI_DESIGN_H
#define SSB_CLI_DESIGN_H

#include "cli.h"

#include <ssbnet/ssb_design.h>

/* The end of `ssbnet run`: the three cell-level strategies (those that reuse the measured structure) that raise the
 * stack energy at `rate` most, ranked on res's measured structure (ssb_design_compare_on): a short table (strategy,
 * energy before / after, the overpotential that moved) into out (NULL: none) and "top_strategies" into json.
 * Strategies that change the structure are left to `ssbnet design compare`. A ranking that fails leaves the run's
 * report standing: "top_strategies_note" says why. Returns 0. */
int cli_design_suggest(cli_env *env, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                       const ssb_run_result *res, double rate, cJSON *json, FILE *out);

#endif
