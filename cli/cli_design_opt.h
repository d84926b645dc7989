/* ssbnet design optimise (cmd_design_opt.c). The `design` group's dispatcher calls it with argv[0] "design",
 * argv[1] "optimise" (or "optimize"); options start at argv[2]. */
#ifndef SSB_CLI_DESIGN_OPT_H
#define SSB_CLI_DESIGN_OPT_H
#include "cli.h"
int cmd_design_optimise(cli_env *env, int argc, char **argv);
#endif
