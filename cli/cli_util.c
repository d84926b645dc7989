/* Shared CLI machinery: exit codes, option values, progress bar, tables, JSON, atomic output files. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_exit_code(int rc)
{
    switch (rc) {
    case SSB_OK: return CLI_EXIT_OK;
    case SSB_ERR_NOMEM: return CLI_EXIT_NOMEM;
    case SSB_ERR_ARG: return CLI_EXIT_ARG;
    case SSB_ERR_IO: return CLI_EXIT_IO;
    case SSB_ERR_FORMAT: return CLI_EXIT_FORMAT;
    case SSB_ERR_RANGE: return CLI_EXIT_RANGE;
    case SSB_ERR_NOTFOUND: return CLI_EXIT_NOTFOUND;
    case SSB_ERR_NOCONV: return CLI_EXIT_NOCONV;
    case SSB_ERR_UNSUPPORTED: return CLI_EXIT_UNSUPPORTED;
    case SSB_ERR_NOPERC: return CLI_EXIT_NOPERC;
    case SSB_ERR_CANCELLED: return CLI_EXIT_CANCELLED;
    case SSB_ERR_BACKEND: return CLI_EXIT_BACKEND;
    case SSB_ERR_CUTOFF: return CLI_EXIT_CUTOFF;
    default: return CLI_EXIT_INTERNAL;
    }
}

int cli_fail(cli_env *env, int rc)
{
    cli_progress_done();
    const char *msg = env && env->ctx ? ssb_ctx_get_error(env->ctx) : "";
    if (!msg || !*msg) msg = ssb_errcode_message(rc);
    fprintf(stderr, "%s: error: %s\n", env && env->prog ? env->prog : "ssbnet", msg);
    if (getenv("SSBNET_TRACE") && env && env->ctx) fprintf(stderr, "trace:\n%s", ssb_ctx_get_trace(env->ctx));
    return cli_exit_code(rc);
}

int cli_usage_error(cli_env *env, const char *fmt, ...)
{
    cli_progress_done();
    fprintf(stderr, "%s: error: ", env && env->prog ? env->prog : "ssbnet");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_strip_global_flags(cli_env *env, int argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            env->json = 1;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            env->quiet = 1;
        } else if (strcmp(argv[i], "--threads") == 0) {
            if (i + 1 >= argc) return -cli_usage_error(env, "option --threads needs a value");
            long long n = 0, max = cli_threads_max();
            char opt[64];
            snprintf(opt, sizeof opt, "--threads (1 to 4 x the CPU count, at least 16)");
            int rc = cli_parse_int_range(env, opt, argv[++i], 1, max, &n);
            if (rc) return -rc;
            ssb_ctx_set_threads(env->ctx, (int)n);
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

int cli_parse_double(cli_env *env, const char *opt, const char *s, double *out)
{
    if (!s) return cli_usage_error(env, "option %s needs a value", opt);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
        return cli_usage_error(env, "option %s: '%s' is not a finite number", opt, s);
    *out = v;
    return 0;
}

long long cli_threads_max(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 4) n = 4;
    if (n > 1024) n = 1024;
    return 4LL * n;
}

int cli_parse_int_range(cli_env *env, const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    if (!s) return cli_usage_error(env, "option %s needs a value", opt);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0') {
        /* a number that is not a whole number is malformed; a whole number beyond 64 bits is out of range */
        errno = 0;
        double d = strtod(s, &end);
        if (end != s && *end == '\0' && (errno == ERANGE || isfinite(d)) && d == floor(d) && fabs(d) >= 9.2e18) {
            cli_progress_done();
            fprintf(stderr, "%s: error: option %s: %s is out of range (%lld to %lld)\n",
                    env && env->prog ? env->prog : "ssbnet", opt, s, lo, hi);
            return CLI_EXIT_RANGE;
        }
        return cli_usage_error(env, "option %s: '%s' is not a whole number", opt, s);
    }
    if (errno == ERANGE || v < lo || v > hi) {
        cli_progress_done();
        fprintf(stderr, "%s: error: option %s: %s is out of range (%lld to %lld)\n",
                env && env->prog ? env->prog : "ssbnet", opt, s, lo, hi);
        return CLI_EXIT_RANGE;
    }
    *out = v;
    return 0;
}

int cli_parse_int_list(cli_env *env, const char *opt, const char *s, int n, long long lo, long long hi,
                       long long *out)
{
    if (!s) return cli_usage_error(env, "option %s needs a value", opt);
    const char *p = s;
    for (int k = 0; k < n; k++) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if ((k < n - 1 && !q) || (k == n - 1 && q))
            return cli_usage_error(env, "option %s: '%s' is not a list of %d whole numbers", opt, s, n);
        char item[64];
        if (len == 0 || len >= sizeof item)
            return cli_usage_error(env, "option %s: '%.*s' in '%s' is not a whole number", opt, (int)len, p, s);
        memcpy(item, p, len);
        item[len] = '\0';
        int rc = cli_parse_int_range(env, opt, item, lo, hi, &out[k]);
        if (rc) return rc;
        p = q ? q + 1 : p + len;
    }
    return 0;
}

int cli_parse_int(cli_env *env, const char *opt, const char *s, long long *out)
{
    if (!s) return cli_usage_error(env, "option %s needs a value", opt);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return cli_usage_error(env, "option %s: '%s' is not an integer", opt, s);
    *out = v;
    return 0;
}

/* ---- progress ---- */
static struct {
    char stage[64];
    double t0, last_draw;
    int active;
    int tty;
    int tty_known;
} prog;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fmt_time(char *buf, size_t n, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "--:--");
    } else if (s < 3600) {
        snprintf(buf, n, "%02d:%02d", (int)(s / 60), (int)s % 60);
    } else {
        snprintf(buf, n, "%dh%02d", (int)(s / 3600), (int)(s / 60) % 60);
    }
}

int cli_progress_cb(void *user, const char *stage, double done, double total)
{
    (void)user;
    if (!prog.tty_known) {
        prog.tty = isatty(STDERR_FILENO);
        prog.tty_known = 1;
    }
    double t = now_s();
    if (!prog.active || strncmp(prog.stage, stage, sizeof prog.stage - 1) != 0) {
        if (prog.active && prog.tty) fputs("\r\033[K", stderr); /* a finished stage leaves no frozen bar */
        snprintf(prog.stage, sizeof prog.stage, "%s", stage);
        prog.t0 = t;
        prog.last_draw = 0;
        prog.active = 1;
    }
    double frac = total > 0 ? done / total : 0;
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    double el = t - prog.t0;
    double eta = (frac > 0 && frac < 1) ? el * (1 - frac) / frac : (frac >= 1 ? 0 : NAN);
    char e1[16], e2[16];
    fmt_time(e1, sizeof e1, el);
    fmt_time(e2, sizeof e2, eta);
    if (prog.tty) {
        if (t - prog.last_draw < 0.1 && frac < 1) return 0;
        prog.last_draw = t;
        char bar[31];
        int filled = (int)(frac * 30 + 0.5);
        for (int i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        /* no rate: the stages count in their own units (iterations, layers, steps) */
        fprintf(stderr, "\r%-30.30s [%s] %5.1f%%  %s  ETA %s ", stage, bar, 100 * frac, e1, e2);
        fflush(stderr);
    } else if (t - prog.t0 >= 2.0 && t - prog.last_draw >= 5.0) {
        /* not a terminal: a line for stages that run longer than 2 s, then every 5 s */
        prog.last_draw = t;
        fprintf(stderr, "ssbnet: %s %5.1f%% elapsed %s ETA %s\n", stage, 100 * frac, e1, e2);
    }
    return 0;
}

void cli_progress_done(void)
{
    if (prog.active && prog.tty) fputs("\r\033[K", stderr); /* clear the bar: results follow on stdout */
    prog.active = 0;
}

/* ---- tables ---- */
struct cli_table {
    int ncols, nrows, cap;
    char **cells; /* row-major, (nrows + 1) * ncols, row 0 = headers */
};

static char *dupstr(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s ? s : "", n);
    return d;
}

cli_table *cli_table_create(int ncols, const char *const *headers)
{
    cli_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ncols = ncols;
    t->cap = 16;
    t->cells = calloc((size_t)(t->cap + 1) * (size_t)ncols, sizeof *t->cells);
    if (!t->cells) {
        free(t);
        return NULL;
    }
    for (int c = 0; c < ncols; c++) t->cells[c] = dupstr(headers[c]);
    return t;
}

void cli_table_add_row(cli_table *t, const char *const *cells)
{
    if (!t) return;
    if (t->nrows == t->cap) {
        char **nc = realloc(t->cells, (size_t)(2 * t->cap + 1) * (size_t)t->ncols * sizeof *nc);
        if (!nc) return;
        t->cells = nc;
        t->cap *= 2;
    }
    t->nrows++;
    for (int c = 0; c < t->ncols; c++) t->cells[(size_t)t->nrows * (size_t)t->ncols + (size_t)c] = dupstr(cells[c]);
}

const char *cli_fmt(double v)
{
    static char ring[16][32];
    static int k;
    char *b = ring[k++ & 15];
    if (isnan(v)) /* not available (e.g. a density the cell does not give): tables say why below them */
        snprintf(b, 32, "-");
    else if (isinf(v))
        snprintf(b, 32, v > 0 ? "inf" : "-inf");
    else
        snprintf(b, 32, "%.6g", v);
    return b;
}

void cli_table_print(cli_table *t, FILE *out)
{
    if (!t) return;
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w) return;
    for (int r = 0; r <= t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            size_t n = s ? strlen(s) : 0;
            if (n > w[c]) w[c] = n;
        }
    for (int r = 0; r <= t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            /* first column left-aligned, numbers right-aligned */
            if (c == 0)
                fprintf(out, "%-*s", (int)w[c], s ? s : "");
            else
                fprintf(out, "  %*s", (int)w[c], s ? s : "");
        }
        fputc('\n', out);
        if (r == 0) {
            for (int c = 0; c < t->ncols; c++) {
                if (c) fputs("  ", out);
                for (size_t i = 0; i < w[c]; i++) fputc('-', out);
            }
            fputc('\n', out);
        }
    }
    free(w);
}

void cli_table_destroy(cli_table **t)
{
    if (!t || !*t) return;
    for (size_t i = 0; i < (size_t)((*t)->nrows + 1) * (size_t)(*t)->ncols; i++) free((*t)->cells[i]);
    free((*t)->cells);
    free(*t);
    *t = NULL;
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 if the bytes there are not one. */
static int utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80) return 1;
    int n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
    if (!n) return 0;
    for (int k = 1; k < n; k++)
        if ((p[k] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) return 0; /* overlong, surrogate */
    if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))) return 0; /* overlong, > U+10FFFF */
    return n;
}

/* Write s with every byte that is not part of valid UTF-8 (names and texts from files are copied as given)
 * replaced by U+FFFD, so that the JSON output is always valid UTF-8. */
void cli_fputs_utf8(const char *s, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = utf8_len(p);
        if (n) {
            fwrite(p, 1, (size_t)n, out);
            p += n;
        } else {
            fputs("\xef\xbf\xbd", out);
            p++;
        }
    }
}

void cli_json_print(cJSON *obj)
{
    if (!obj) return;
    char *s = cJSON_Print(obj);
    if (s) {
        cli_fputs_utf8(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    cJSON_Delete(obj);
}

cJSON *cli_json_add_number(cJSON *obj, const char *key, double v)
{
    if (isnan(v)) return cJSON_AddNullToObject(obj, key);
    if (isinf(v)) return cJSON_AddStringToObject(obj, key, v > 0 ? "inf" : "-inf");
    return cJSON_AddNumberToObject(obj, key, v);
}

char *cli_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap) break;
        if (cap >= CLI_READ_FILE_MAX) { /* /dev/zero or a file far beyond any protocol or phase table */
            free(b);
            b = NULL;
            fclose(f);
            errno = EFBIG;
            return NULL;
        }
        char *nb = realloc(b, 2 * cap + 1);
        if (!nb) {
            free(b);
            b = NULL;
            errno = ENOMEM;
            break;
        }
        b = nb;
        cap *= 2;
    }
    if (b && ferror(f)) {
        free(b);
        b = NULL;
        errno = EIO;
    }
    fclose(f);
    if (b) b[n] = '\0';
    return b;
}

void cli_text_line_col(const char *text, const char *at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; at && p < at && *p; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* ---- atomic output ---- */
static mode_t current_umask(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

int cli_atomic_open(cli_env *env, cli_outfile *of, const char *path)
{
    memset(of, 0, sizeof *of);
    if (strlen(path) + 12 > sizeof of->tmp) {
        cli_progress_done();
        fprintf(stderr, "%s: error: output path '%.80s...' is longer than %zu bytes\n",
                env && env->prog ? env->prog : "ssbnet", path, sizeof of->tmp - 12);
        return CLI_EXIT_IO;
    }
    snprintf(of->path, sizeof of->path, "%s", path);
    snprintf(of->tmp, sizeof of->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(of->tmp);
    /* mkstemp creates mode 0600; an output gets what any new file gets (0666 less the umask) */
    if (fd >= 0 && fchmod(fd, 0666 & ~current_umask()) != 0) {
        int e = errno;
        close(fd);
        unlink(of->tmp);
        errno = e;
        fd = -1;
    }
    if (fd < 0) {
        fprintf(stderr, "%s: error: cannot write '%s': %s\n", env && env->prog ? env->prog : "ssbnet", path,
                strerror(errno));
        of->tmp[0] = '\0';
        return CLI_EXIT_IO;
    }
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        close(fd);
        unlink(of->tmp);
        of->tmp[0] = '\0';
        return CLI_EXIT_IO;
    }
    return 0;
}

int cli_atomic_commit(cli_env *env, cli_outfile *of)
{
    int bad = ferror(of->fp);
    if (fclose(of->fp) != 0) bad = 1;
    of->fp = NULL;
    if (bad || rename(of->tmp, of->path) != 0) {
        fprintf(stderr, "%s: error: cannot write '%s': %s\n", env && env->prog ? env->prog : "ssbnet", of->path,
                strerror(errno));
        unlink(of->tmp);
        of->tmp[0] = '\0';
        return CLI_EXIT_IO;
    }
    of->tmp[0] = '\0';
    return 0;
}

void cli_atomic_abort(cli_outfile *of)
{
    if (of->fp) fclose(of->fp);
    of->fp = NULL;
    if (of->tmp[0]) unlink(of->tmp);
    of->tmp[0] = '\0';
}

/* ---- output sets: all or nothing ---- */
const char *cli_outset_add(cli_env *env, cli_outset *os, const char *path)
{
    if (!path || !*path) {
        os->err = cli_usage_error(env, "an output path is empty");
        return NULL;
    }
    if (os->n >= CLI_OUTSET_MAX) {
        os->err = cli_usage_error(env, "more than %d output files", CLI_OUTSET_MAX);
        return NULL;
    }
    for (int i = 0; i < os->n; i++)
        if (strcmp(os->final[i], path) == 0) {
            os->err = cli_usage_error(env, "output '%s' is given twice", path);
            return NULL;
        }
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t len = strlen(path);
    char *fin = malloc(len + 1), *tmp = malloc(len + 32);
    if (!fin || !tmp) {
        free(fin);
        free(tmp);
        fprintf(stderr, "%s: error: out of memory\n", env && env->prog ? env->prog : "ssbnet");
        os->err = CLI_EXIT_NOMEM;
        return NULL;
    }
    memcpy(fin, path, len + 1);
    static unsigned long counter;
    int fd = -1, err = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long r = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16) ^ (++counter * 2654435761UL);
        /* DIR/.ssbtmp-XXXXXXXX-BASE: same directory (rename stays atomic), same extension (same format) */
        snprintf(tmp, len + 32, "%.*s.ssbtmp-%08lx-%s", (int)dlen, path, r & 0xffffffffUL, path + dlen);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) err = errno;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd < 0) {
        cli_progress_done();
        fprintf(stderr, "%s: error: cannot write '%s': %s\n", env && env->prog ? env->prog : "ssbnet", path,
                strerror(err));
        free(fin);
        free(tmp);
        os->err = CLI_EXIT_IO;
        return NULL;
    }
    close(fd);
    os->final[os->n] = fin;
    os->tmp[os->n] = tmp;
    os->n++;
    return tmp;
}

static void outset_release(cli_outset *os)
{
    for (int i = 0; i < os->n; i++) {
        free(os->final[i]);
        free(os->tmp[i]);
    }
    os->n = 0;
}

/* companion files that writers put beside PATH (raw and .npy sidecars) */
static const char *const companions[] = {"", ".json"};

int cli_outset_commit(cli_env *env, cli_outset *os)
{
    int rc = 0;
    /* a rename that would fail (a folder in the way) must fail before any file is in place */
    for (int i = 0; i < os->n && rc == 0; i++) {
        struct stat st;
        if (stat(os->final[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            cli_progress_done();
            fprintf(stderr, "%s: error: cannot write '%s': it is a folder\n", env && env->prog ? env->prog : "ssbnet",
                    os->final[i]);
            rc = CLI_EXIT_IO;
        }
    }
    for (int i = 0; i < os->n && rc == 0; i++) {
        for (size_t c = 0; c < sizeof companions / sizeof companions[0] && rc == 0; c++) {
            size_t lt = strlen(os->tmp[i]) + 8, lf = strlen(os->final[i]) + 8;
            char *t = malloc(lt), *f = malloc(lf);
            if (!t || !f) {
                rc = CLI_EXIT_NOMEM;
            } else {
                snprintf(t, lt, "%s%s", os->tmp[i], companions[c]);
                snprintf(f, lf, "%s%s", os->final[i], companions[c]);
                if ((c == 0 || access(t, F_OK) == 0) && rename(t, f) != 0) {
                    cli_progress_done();
                    fprintf(stderr, "%s: error: cannot write '%s': %s\n", env && env->prog ? env->prog : "ssbnet",
                            f, strerror(errno));
                    rc = CLI_EXIT_IO;
                }
            }
            free(t);
            free(f);
        }
    }
    if (rc) {
        cli_outset_abort(os);
        return rc;
    }
    outset_release(os);
    return 0;
}

void cli_outset_abort(cli_outset *os)
{
    for (int i = 0; i < os->n; i++) {
        for (size_t c = 0; c < sizeof companions / sizeof companions[0]; c++) {
            size_t lt = strlen(os->tmp[i]) + 8;
            char *t = malloc(lt);
            if (!t) continue;
            snprintf(t, lt, "%s%s", os->tmp[i], companions[c]);
            unlink(t);
            free(t);
        }
    }
    outset_release(os);
}
