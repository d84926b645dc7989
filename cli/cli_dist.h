/* The CLI under mpirun: every rank runs a distributed command, and a rank that stops early (a bad option, a file it
 * cannot read) must not leave the others waiting in a collective call. Before each collective library call the
 * command calls cli_dist_sync with its status so far, on every rank; a rank that returned early meets the others
 * there through cli_dist_finish (main), and all ranks stop with the failing rank's exit status and message. */
#ifndef SSB_CLI_DIST_H
#define SSB_CLI_DIST_H

#include "cli.h"

/* Ranks other than 0: stdout to /dev/null, stderr to an unlinked temporary file (read back by cli_dist_sync for the
 * message of a rank that failed alone). 0, or CLI_EXIT_IO. */
int cli_dist_quiet_rank(void);
/* Collective over the ranks (a no-op on one rank): rc is this rank's exit status so far. Returns the status of the
 * lowest failing rank on every rank (0 when none failed); rank 0 prints that rank's message when it did not fail
 * itself. */
int cli_dist_sync(cli_env *env, int rc);
/* main, after a distributed command returned rc: the sync of a rank that stopped before its next cli_dist_sync (or
 * the last one after the command's collective work), unless a sync already agreed on a failure. */
int cli_dist_finish(cli_env *env, int rc);

#endif
