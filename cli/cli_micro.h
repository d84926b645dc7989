/* Shared pieces of the micro and run commands. */
#ifndef SSB_CLI_MICRO_H
#define SSB_CLI_MICRO_H

#include "cli.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_run.h>

/* The cathode recipe of the built-in default cell (ssb_cell_params_default + ssb_run_params_default) in a 96^3
 * box. Exit status. */
int cli_micro_default_cathode(cli_env *env, ssb_run_cathode *c);

/* Conductivities of every phase of g from the materials database at temperature T [K] (ssb_run_assign_materials:
 * the one rule every command uses; pores 0, SE/GB/coating sigma_ion(T), CAM/carbon sigma_el). Exit status. */
int cli_micro_assign_materials(cli_env *env, ssb_grid *g, double T);
/* ssbnet micro analyze */
int cli_micro_analyze(cli_env *env, int argc, char **argv);

#endif
