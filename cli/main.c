/* ssbnet: command dispatch. Each command group lives in cli/cmd_<group>.c. */
#include "cli.h"
#include "cli_dist.h"

#include <ssbnet/ssb_dist.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Command groups. Declared weak so that a group still being written links as "not available". */
#define CLI_GROUP(name) __attribute__((weak)) int cmd_##name(cli_env *env, int argc, char **argv);
CLI_GROUP(run)
CLI_GROUP(micro)
CLI_GROUP(se)
CLI_GROUP(eis)
CLI_GROUP(cell)
CLI_GROUP(materials)
CLI_GROUP(design)
CLI_GROUP(iface)
#undef CLI_GROUP

typedef int (*cli_cmd_fn)(cli_env *, int, char **);

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} groups[] = {
    {"run", cmd_run, "the main job on a cell (built-in default cathode without a file)"},
    {"micro", cmd_micro, "3D microstructures: generate, analyze networks, solve effective transport"},
    {"se", cmd_se, "solid-electrolyte grain boundaries and space charge"},
    {"eis", cmd_eis, "impedance spectra: fit, drt, kk, simulate"},
    {"cell", cmd_cell, "the solid-state cell model"},
    {"materials", cmd_materials, "the materials database: list, show"},
    {"design", cmd_design, "interface strategies and design"},
    {"iface", cmd_iface, "apparent interfaces: stability, growth, coating, spacecharge"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ssbnet <command> [subcommand] [options]\n\n"
            "Li+ and e- transport through the solid-solid interfaces of solid-state lithium batteries.\n\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        fprintf(out, "  %-10s %s%s\n", groups[i].name, groups[i].summary, groups[i].fn ? "" : " (not yet available)");
    fprintf(out,
            "\nglobal options (any command):\n"
            "  --json         results as JSON on stdout\n"
            "  --quiet, -q    no progress or info messages on stderr\n"
            "  --threads N    OpenMP threads, 1 to 4 x the CPU count, at least 16 (default: all)\n"
            "  --help         help of a command\n"
            "  --version      version and compiled backends\n"
            "\nexit codes: 0 ok, 2 usage, 3 memory, 4 invalid value, 5 I/O, 6 malformed file, 7 out of range,\n"
            "            8 not found, 9 not converged, 10 unsupported, 11 not percolating, 12 cancelled,\n"
            "            13 backend error, 14 cut-off never reached, 70 internal error\n"
            "Run 'ssbnet <command> --help' for the options of a command.\n");
}

/* A warning the library gives again word for word (a job that builds the same cell more than once: 'run' checks
 * the cell, then discharges it) is printed once: FNV-1a hashes of the warnings printed so far. */
static int warning_seen(const char *object, const char *message)
{
    static uint64_t seen[512];
    static int nseen;
    uint64_t h = 1469598103934665603ULL;
    for (const char *t = object; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ULL;
    for (const char *t = message; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ULL;
    for (int i = 0; i < nseen; i++)
        if (seen[i] == h)
            return 1;
    if (nseen < (int)(sizeof seen / sizeof seen[0]))
        seen[nseen++] = h;
    return 0;
}

static void log_sink(void *user, ssb_log_level level, const char *object, const char *message)
{
    (void)user;
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (level == SSB_LOG_WARN && warning_seen(object, message))
        return;
    cli_progress_done();
    fprintf(stderr, "ssbnet: %s: %s: %s\n", names[level], object, message);
}

/* The commands that share their work over MPI ranks (every rank must run them). */
static int mpi_aware(const char *group, const char *sub)
{
    if (!sub) return 0;
    if (!strcmp(group, "micro"))
        return !strcmp(sub, "transport") || !strcmp(sub, "analyze") || !strcmp(sub, "analyse");
    if (!strcmp(group, "cell")) return !strcmp(sub, "rates");
    if (!strcmp(group, "design"))
        return !strcmp(sub, "compare") || !strcmp(sub, "optimise") || !strcmp(sub, "optimize");
    return 0;
}

int main(int argc, char **argv)
{
    cli_env env = {.prog = "ssbnet"};
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        printf("ssbnet %s\nbackends: %s\n", ssb_version(), ssb_backends());
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return 0;
    }
    /* Started by mpirun: initialise MPI (finalised at exit); ranks other than 0 work but print nothing, so the
       output is the serial command's (micro transport / analyze share the image between the ranks, cell rates and
       design compare / optimise their cases; other commands run on rank 0 alone, below). */
    if (ssb_dist_launched() && ssb_dist_init(&argc, &argv) == SSB_OK) {
        atexit(ssb_dist_finalize);
        if (ssb_dist_rank() > 0 && cli_dist_quiet_rank()) return CLI_EXIT_IO;
    }
    if (ssb_ctx_create(&env.ctx) != SSB_OK) {
        fprintf(stderr, "ssbnet: error: out of memory\n");
        return CLI_EXIT_NOMEM;
    }
    /* Work on a copy of argv with the global flags removed. */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        ssb_ctx_destroy(&env.ctx);
        return CLI_EXIT_NOMEM;
    }
    for (int i = 0; i < argc; i++) args[i] = argv[i];
    int n = cli_strip_global_flags(&env, argc - 1, args + 1) + 1;
    if (n <= 0) {
        free(args);
        ssb_ctx_destroy(&env.ctx);
        return 1 - n;
    }
    ssb_ctx_set_log(env.ctx, log_sink, NULL, env.quiet ? SSB_LOG_ERROR : SSB_LOG_WARN);
    if (!env.quiet) ssb_ctx_set_progress(env.ctx, cli_progress_cb, NULL);

    int rc;
    const char *group = n >= 2 ? args[1] : "run";
    /* Under mpirun with several ranks, a command that is not distributed runs on rank 0 alone: the other ranks would
       only repeat its work (and write its output files again). */
    if (ssb_dist_size() > 1 && !mpi_aware(group, n >= 3 ? args[2] : NULL)) {
        if (ssb_dist_rank() > 0) {
            free(args);
            ssb_ctx_destroy(&env.ctx);
            return 0;
        }
        if (!env.quiet)
            fprintf(stderr, "ssbnet: note: '%s%s%s' is not distributed over MPI ranks; rank 0 runs it alone\n", group,
                    n >= 3 ? " " : "", n >= 3 ? args[2] : "");
    }
    size_t i = 0;
    for (; i < sizeof groups / sizeof groups[0]; i++)
        if (strcmp(group, groups[i].name) == 0) break;
    if (i == sizeof groups / sizeof groups[0]) {
        rc = cli_usage_error(&env, "unknown command '%s' (run 'ssbnet --help' for the list)", group);
    } else if (!groups[i].fn) {
        rc = cli_usage_error(&env, "command '%s' is not available in this version yet", group);
    } else if (n >= 2) {
        rc = groups[i].fn(&env, n - 1, args + 1);
        /* a distributed command: a rank that stopped early meets the others at their next sync (cli_dist.h) */
        if (ssb_dist_size() > 1 && mpi_aware(group, n >= 3 ? args[2] : NULL)) rc = cli_dist_finish(&env, rc);
    } else {
        char *defargs[] = {(char *)"run", NULL};
        rc = groups[i].fn(&env, 1, defargs);
    }
    cli_progress_done();
    free(args);
    ssb_ctx_destroy(&env.ctx);
    return rc;
}
