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

/* `design compare --shard I/N` and `design merge` (cli/cmd_design_dist.c). */
/* "I/N" into shard I of N: CLI_EXIT_USAGE malformed, CLI_EXIT_RANGE out of range (message printed); 0 ok. */
int cli_design_parse_shard(cli_env *env, const char *text, int *shard, int *nshards);
/* One share of a comparison (ssb_design_compare_shard) as a part file: every variant's name, strategy, owner and
 * values, and the share's own variants with every figure as an exact hexadecimal floating-point string. */
cJSON *cli_design_part_json(const ssb_design_comparison *c, const char *cell_file);
/* A part file back into a share (c: caller destroys; cell_file[n]: the compared cell's file as the share named it).
 * Returns 0, or the exit status after a message naming the file and key (5 unreadable, 6 malformed, 4 written by
 * another version of ssbnet). */
int cli_design_part_read(cli_env *env, const char *path, ssb_design_comparison *c, char *cell_file, size_t n);

#endif
