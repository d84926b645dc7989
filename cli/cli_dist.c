/* The CLI under mpirun: agreement on early failures (cli_dist.h). */
#include "cli_dist.h"

#include <ssbnet/ssb_dist.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE *err_file;  /* ranks > 0: the temporary file behind stderr */
static int sync_failed; /* a sync agreed on a failure: no more syncs */

int cli_dist_quiet_rank(void)
{
    if (!freopen("/dev/null", "w", stdout)) return CLI_EXIT_IO;
    err_file = tmpfile();
    if (err_file && dup2(fileno(err_file), STDERR_FILENO) >= 0) return 0;
    return freopen("/dev/null", "w", stderr) ? 0 : CLI_EXIT_IO;
}

/* The last "ssbnet: error: " message this rank wrote to stderr (its text after the prefix), or "". */
static void last_error(char *msg, size_t n)
{
    msg[0] = '\0';
    if (!err_file) return;
    fflush(stderr);
    FILE *f = fdopen(dup(STDERR_FILENO), "r");
    if (!f) return;
    static const char pfx[] = "ssbnet: error: ";
    char line[1024];
    rewind(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, pfx, sizeof pfx - 1) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(msg, n, "%s", line + sizeof pfx - 1);
        }
    fclose(f);
}

int cli_dist_sync(cli_env *env, int rc)
{
    (void)env;
    if (ssb_dist_size() == 1 || sync_failed) return rc;
    char msg[1024] = "";
    if (rc) last_error(msg, sizeof msg);
    int who = -1;
    const int agreed = ssb_dist_agree_status(rc, msg, sizeof msg, &who);
    if (!agreed) return 0;
    sync_failed = 1;
    if (ssb_dist_rank() == 0 && !rc) {
        cli_progress_done();
        if (msg[0])
            fprintf(stderr, "ssbnet: error: MPI rank %d of %d: %s\n", who, ssb_dist_size(), msg);
        else
            fprintf(stderr, "ssbnet: error: MPI rank %d of %d stopped with exit status %d before the distributed work "
                            "(its arguments or files differ from rank 0's)\n", who, ssb_dist_size(), agreed);
    }
    return agreed;
}

int cli_dist_finish(cli_env *env, int rc)
{
    return sync_failed ? rc : cli_dist_sync(env, rc);
}
