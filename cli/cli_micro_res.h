/* ssbnet micro resolution: voxel size rule, resolution / box-size check of a generated cathode, feature sizes of an
 * image with warnings (ssb_micro_analysis.h "Resolution"). */
#ifndef SSB_CLI_MICRO_RES_H
#define SSB_CLI_MICRO_RES_H

#include "cli.h"

#include <ssbnet/ssb_grid.h>

/* ssbnet micro resolution ... (argv[1] = "resolution"). Exit status. */
int cli_micro_resolution(cli_env *env, int argc, char **argv);
/* Print a warning on stderr for every label of g whose features are under SSB_MICRO_VOXELS_ACROSS voxels across
 * (nothing when all are resolved, or with --quiet). For micro generate / analyze / run. Exit status. */
int cli_micro_feature_warnings(cli_env *env, const ssb_grid *g);

#endif
