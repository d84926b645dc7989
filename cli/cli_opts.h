/* Command-line options declared as one table per command: name, type, unit, range, help. Parsing, --help text
 * and the error messages all come from the table, so an option is described once.
 *
 *   static const cli_opt opts[] = {
 *       {"--cutoff", NULL, CLI_OPT_DOUBLE, "V", "V", 0.5, 6, "discharge cut-off voltage (default 3.5)"},
 *       ...};
 *   cli_optval val[N];
 *   int rc = cli_opts_parse(env, "run", opts, N, argc, argv, 1, val, pos, 1, &npos, NULL, NULL);
 *
 * Messages: "option --cutoff: 'x' is not a number", "option --cutoff: 7 V is out of range (0.5 to 6 V)",
 * "run: unknown option '--frobnicate' (see --help)". Exit status: CLI_EXIT_USAGE for unknown options, missing
 * and malformed values; CLI_EXIT_RANGE for a number outside its range; CLI_EXIT_ARG for a word outside its
 * choices. */
#ifndef SSB_CLI_OPTS_H
#define SSB_CLI_OPTS_H

#include "cli.h"
#include "cli_image.h"

typedef enum {
    CLI_OPT_FLAG = 0, /* no value */
    CLI_OPT_STRING,   /* any text */
    CLI_OPT_DOUBLE,   /* a finite number in [min, max] */
    CLI_OPT_INT,      /* a whole number in [min, max] */
    CLI_OPT_LIST,     /* comma-separated numbers, each in [min, max], up to CLI_OPT_LIST_MAX */
    CLI_OPT_CHOICE,   /* one of the comma-separated words in choices (case-insensitive) */
    CLI_OPT_MULTI     /* text, may be given several times (e.g. --set key=value), up to CLI_OPT_LIST_MAX */
} cli_opt_type;

#define CLI_OPT_LIST_MAX 64

typedef struct {
    const char *name;  /* "--cutoff" */
    const char *alias; /* "-o", or NULL */
    cli_opt_type type;
    const char *metavar; /* value placeholder in the help ("V", "LIST", "DIR") */
    const char *unit;    /* unit of a number ("V", "um"), or NULL */
    double min, max;     /* range of numbers (inclusive); -INFINITY, INFINITY: any finite number (no range in the
                          * help); max INFINITY alone: ">= min" */
    const char *help;    /* one line; "choices" of a CHOICE go in choices */
    const char *choices; /* CHOICE: "low,high" */
} cli_opt;

typedef struct {
    int given;                           /* times given */
    const char *str;                     /* STRING / CHOICE / the last MULTI value (borrowed from argv) */
    double num;                          /* DOUBLE / INT */
    double list[CLI_OPT_LIST_MAX];       /* LIST */
    const char *multi[CLI_OPT_LIST_MAX]; /* MULTI */
    int n;                               /* LIST / MULTI entries */
} cli_optval;

/* Hook for options parsed elsewhere (e.g. the image options): returns > 0 if it consumed argv[*i] (advancing *i
 * past its value), 0 if not, minus the exit status after reporting an error. */
typedef int (*cli_opt_hook)(cli_env *env, void *user, int argc, char **argv, int *i);

/* Parse argv[first..argc-1] against opts (n entries) into vals (n entries, zeroed here). Arguments that are not
 * options go to pos (up to maxpos; more is a usage error naming the argument). "--help"/"-h" is not handled here
 * (see cli_opts_wants_help). Returns 0 or an exit status after printing the message. */
int cli_opts_parse(cli_env *env, const char *cmd, const cli_opt *opts, int n, int argc, char **argv, int first,
                   cli_optval *vals, const char **pos, int maxpos, int *npos, cli_opt_hook hook, void *hook_user);
/* The shape every image command shares: the table's options plus the image reader options (cli_image.h, into io,
 * zeroed here) and at most one positional argument (*arg, NULL if none). Returns 0 or an exit status. */
int cli_opts_parse_image(cli_env *env, const char *cmd, const cli_opt *opts, int n, int argc, char **argv, int first,
                         cli_optval *vals, cli_image_opts *io, const char **arg);
/* 1 if argv[first..] contains --help or -h. */
int cli_opts_wants_help(int argc, char **argv, int first);
/* The options part of --help from the table: "  --cutoff V          discharge cut-off ... [V, 0.5 to 6]". */
void cli_opts_help(FILE *out, const cli_opt *opts, int n);
/* Index of an option by name in the table (-1 if absent), so that code reads vals[cli_opt_index(...)]. */
int cli_opt_index(const cli_opt *opts, int n, const char *name);

#endif
