/*
 * cli.h - shared machinery of the ssbnet command (uses only the public headers).
 *
 * Each command group lives in its own file cli/cmd_<group>.c and exports one entry point
 *     int cmd_<group>(cli_env *env, int argc, char **argv);
 * where argv[0] is the group name ("micro") and argv[1] the subcommand. The entry point returns a process exit
 * status from cli_exit_code() (0 on success). main.c dispatches through a table.
 *
 * Conventions every command follows:
 *   --help      usage text on stdout, exit 0
 *   --json      results as one JSON object on stdout (cJSON), no table
 *   --quiet     no progress bar and no info logs on stderr
 *   -o/--output FILE  output file paths are written atomically (cli_atomic_open / cli_atomic_commit), so a
 *               failure never leaves a half-written file.
 * Errors: print "ssbnet: error: <message>" on stderr (cli_fail) and return cli_exit_code(rc).
 */
#ifndef SSB_CLI_H
#define SSB_CLI_H

#include <ssbnet/ssb_core.h>

#include <cjson/cJSON.h>
#include <stdio.h>

/* Exit codes: distinct per error class. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 2,       /* bad command line: unknown option, missing argument */
    CLI_EXIT_NOMEM = 3,
    CLI_EXIT_ARG = 4,         /* invalid value (SSB_ERR_ARG) */
    CLI_EXIT_IO = 5,          /* file cannot be opened/read/written */
    CLI_EXIT_FORMAT = 6,      /* malformed or truncated file */
    CLI_EXIT_RANGE = 7,       /* value out of range */
    CLI_EXIT_NOTFOUND = 8,    /* unknown name / label / material */
    CLI_EXIT_NOCONV = 9,      /* solver did not converge */
    CLI_EXIT_UNSUPPORTED = 10,
    CLI_EXIT_NOPERC = 11,     /* structure does not percolate (when treated as an error) */
    CLI_EXIT_CANCELLED = 12,
    CLI_EXIT_BACKEND = 13,
    CLI_EXIT_CUTOFF = 14,     /* a protocol cut-off is never reached */
    CLI_EXIT_INTERNAL = 70
};

typedef struct {
    ssb_ctx *ctx;   /* the library context (log sink and progress bar installed by main) */
    int json;       /* --json given */
    int quiet;      /* --quiet given */
    const char *prog; /* "ssbnet" */
} cli_env;

/* Map a library return code to the exit status above. */
int cli_exit_code(int rc);
/* Print "ssbnet: error: <ctx message>" (and the trace when SSBNET_TRACE is set); return cli_exit_code(rc). */
int cli_fail(cli_env *env, int rc);
/* Print "ssbnet: error: <formatted>" for a command-line problem; return CLI_EXIT_USAGE. */
int cli_usage_error(cli_env *env, const char *fmt, ...);

/* Option scanning helpers: strip the global flags (--json, --quiet, --threads N) from argv in place,
 * setting env; returns the new argc, or minus an exit code after a message (bad --threads). */
int cli_strip_global_flags(cli_env *env, int argc, char **argv);
/* Parse a double / int64 option value; on failure prints a message naming the option and returns CLI_EXIT_USAGE. */
int cli_parse_double(cli_env *env, const char *opt, const char *s, double *out);
int cli_parse_int(cli_env *env, const char *opt, const char *s, long long *out);
/* Checked whole number in [lo, hi]: CLI_EXIT_USAGE (2) when malformed ("abc", "4.9", "1,"), CLI_EXIT_RANGE (7)
 * naming the range when outside it (also numbers beyond 64 bits such as 1e30). One list NX,NY,...: n numbers. */
int cli_parse_int_range(cli_env *env, const char *opt, const char *s, long long lo, long long hi, long long *out);
int cli_parse_int_list(cli_env *env, const char *opt, const char *s, int n, long long lo, long long hi,
                       long long *out);
/* Largest --threads: 4 x the online CPUs (at least 16, at most 4096). */
long long cli_threads_max(void);

/* Progress bar on stderr (installed by main as the context's progress callback unless --quiet): a bar with
 * elapsed time and ETA when stderr is a terminal, otherwise a line every few seconds. A new stage replaces the
 * bar of the previous one and cli_progress_done() clears it, so no part-way bar is left on the terminal. */
int cli_progress_cb(void *user, const char *stage, double done, double total);
void cli_progress_done(void);

/* Readable tables on stdout: column headers carry units, e.g. "sigma_eff [S/m]". */
typedef struct cli_table cli_table;
cli_table *cli_table_create(int ncols, const char *const *headers);
void cli_table_add_row(cli_table *t, const char *const *cells);
/* Format a number for a cell ("%.6g"; "inf" for infinity). Returns a static ring buffer (16 slots). */
const char *cli_fmt(double v);
void cli_table_print(cli_table *t, FILE *out);
void cli_table_destroy(cli_table **t);

/* Print a cJSON object to stdout (formatted) and delete it. Non-finite numbers become JSON null, except that
 * +inf is written as the string "inf" where the schema documents it. */
void cli_json_print(cJSON *obj);
/* fputs that replaces every byte which is not part of valid UTF-8 by U+FFFD (JSON text must be UTF-8; names
 * and texts read from files are copied as given). cli_json_print writes through it. */
void cli_fputs_utf8(const char *s, FILE *out);
/* Add a number that may be non-finite: finite -> number, +inf -> "inf", NaN -> null. */
cJSON *cli_json_add_number(cJSON *obj, const char *key, double v);

/* Read a whole file into a NUL-terminated buffer (caller frees); NULL with errno set on failure (EFBIG beyond
 * CLI_READ_FILE_MAX bytes). */
#define CLI_READ_FILE_MAX ((size_t)1 << 28)
char *cli_read_file(const char *path);
/* 1-based line and column of position at in text (at NULL: 1:1), for file:line:col messages. */
void cli_text_line_col(const char *text, const char *at, int *line, int *col);

/* Atomic output: writes go to PATH.tmpXXXXXX; commit renames onto PATH, abort removes the temporary. */
typedef struct {
    FILE *fp;
    char tmp[4096];
    char path[4096];
} cli_outfile;
int cli_atomic_open(cli_env *env, cli_outfile *of, const char *path);
int cli_atomic_commit(cli_env *env, cli_outfile *of);
void cli_atomic_abort(cli_outfile *of);

/* ssbnet cell defaults (cmd_cell_defaults.c). */
int cli_cell_defaults(cli_env *env, int argc, char **argv);

/* A command's output files appear together or not at all. cli_outset_add reserves DIR/.ssbtmp-XXXXXXXX-BASE
 * beside PATH (same extension, so writers pick the same format) and returns that name to write to (NULL after a
 * message when it cannot be created); cli_outset_commit renames every staged file, and a sidecar STAGED.json
 * written beside it, onto its final name; cli_outset_abort removes them all. Start from a zeroed set. Files
 * get 0666 less the umask. */
#define CLI_OUTSET_MAX 16
typedef struct {
    int n;
    char *final[CLI_OUTSET_MAX];
    char *tmp[CLI_OUTSET_MAX];
    int err; /* exit status of the last failed cli_outset_add (2 usage, 3 memory, 5 I/O) */
} cli_outset;
const char *cli_outset_add(cli_env *env, cli_outset *os, const char *path);
int cli_outset_commit(cli_env *env, cli_outset *os);
void cli_outset_abort(cli_outset *os);

#endif
