/* Table-driven option parsing, help and messages (cli_opts.h). */
#include "cli_opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_opt_index(const cli_opt *opts, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(opts[k].name, name) == 0)
            return k;
    return -1;
}

int cli_opts_wants_help(int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static const char *unit_sp(const cli_opt *o)
{
    return o->unit && o->unit[0] ? " " : "";
}

static int range_error(cli_env *env, const cli_opt *o, double v)
{
    cli_progress_done();
    if (!isfinite(o->max)) { /* only a lower bound */
        fprintf(stderr, "%s: error: option %s: %g%s%s is out of range (>= %g%s%s)\n",
                env && env->prog ? env->prog : "ssbnet", o->name, v, unit_sp(o), o->unit ? o->unit : "", o->min,
                unit_sp(o), o->unit ? o->unit : "");
        return CLI_EXIT_RANGE;
    }
    fprintf(stderr, "%s: error: option %s: %g%s%s is out of range (%g to %g%s%s)\n",
            env && env->prog ? env->prog : "ssbnet", o->name, v, unit_sp(o), o->unit ? o->unit : "", o->min, o->max,
            unit_sp(o), o->unit ? o->unit : "");
    return CLI_EXIT_RANGE;
}

/* One number of option o from s (up to end); 0 or an exit status. */
static int parse_number(cli_env *env, const cli_opt *o, const char *s, const char **endp, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return cli_usage_error(env, "option %s: '%s' is not a finite number", o->name, s);
    if (o->type == CLI_OPT_INT && v != floor(v))
        return cli_usage_error(env, "option %s: '%s' is not a whole number", o->name, s);
    if (v < o->min || v > o->max)
        return range_error(env, o, v);
    *endp = end;
    *out = v;
    return 0;
}

static int parse_value(cli_env *env, const cli_opt *o, const char *v, cli_optval *val)
{
    const char *end = NULL;
    int rc = 0;
    switch (o->type) {
    case CLI_OPT_FLAG:
        break;
    case CLI_OPT_STRING:
        val->str = v;
        break;
    case CLI_OPT_MULTI:
        if (val->n >= CLI_OPT_LIST_MAX)
            return cli_usage_error(env, "option %s: given more than %d times", o->name, CLI_OPT_LIST_MAX);
        val->multi[val->n++] = v;
        val->str = v;
        break;
    case CLI_OPT_DOUBLE:
    case CLI_OPT_INT:
        rc = parse_number(env, o, v, &end, &val->num);
        if (!rc && *end)
            return cli_usage_error(env, "option %s: '%s' is not a number", o->name, v);
        break;
    case CLI_OPT_LIST: {
        val->n = 0;
        const char *p = v;
        while (*p && !rc) {
            if (val->n >= CLI_OPT_LIST_MAX)
                return cli_usage_error(env, "option %s: more than %d values", o->name, CLI_OPT_LIST_MAX);
            rc = parse_number(env, o, p, &end, &val->list[val->n]);
            if (rc)
                break;
            val->n++;
            p = end;
            if (*p == ',')
                p++;
            else if (*p)
                return cli_usage_error(env, "option %s: unexpected '%s' in '%s' (comma-separated numbers)", o->name, p,
                                       v);
        }
        if (!rc && val->n == 0)
            return cli_usage_error(env, "option %s: empty list", o->name);
        break;
    }
    case CLI_OPT_CHOICE: {
        const char *c = o->choices;
        size_t len = strlen(v);
        while (c && *c) {
            const char *comma = strchr(c, ',');
            size_t cl = comma ? (size_t)(comma - c) : strlen(c);
            if (cl == len && strncasecmp(c, v, len) == 0) {
                val->str = v;
                return 0;
            }
            c = comma ? comma + 1 : NULL;
        }
        cli_progress_done();
        fprintf(stderr, "%s: error: option %s: '%s' is invalid (valid: %s)\n", env && env->prog ? env->prog : "ssbnet",
                o->name, v, o->choices);
        return CLI_EXIT_ARG;
    }
    }
    return rc;
}

int cli_opts_parse(cli_env *env, const char *cmd, const cli_opt *opts, int n, int argc, char **argv, int first,
                   cli_optval *vals, const char **pos, int maxpos, int *npos, cli_opt_hook hook, void *hook_user)
{
    memset(vals, 0, (size_t)n * sizeof *vals);
    if (npos)
        *npos = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        int k = -1;
        const char *inline_val = NULL;
        char namebuf[64];
        if (a[0] == '-' && a[1]) {
            const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
            if (eq && (size_t)(eq - a) < sizeof namebuf) {
                memcpy(namebuf, a, (size_t)(eq - a));
                namebuf[eq - a] = '\0';
                inline_val = eq + 1;
            } else {
                snprintf(namebuf, sizeof namebuf, "%s", a);
            }
            for (int j = 0; j < n && k < 0; j++)
                if (strcmp(opts[j].name, namebuf) == 0 || (opts[j].alias && strcmp(opts[j].alias, namebuf) == 0))
                    k = j;
        }
        if (k < 0) {
            if (hook && a[0] == '-') {
                int h = hook(env, hook_user, argc, argv, &i);
                if (h < 0)
                    return -h; /* the hook's exit status (e.g. 7 for a value out of range), already reported */
                if (h > 0)
                    continue;
            }
            if (a[0] == '-' && a[1])
                return cli_usage_error(env, "%s: unknown option '%s' (see --help)", cmd, a);
            if (!pos || !npos || *npos >= maxpos)
                return cli_usage_error(env, "%s: unexpected argument '%s'", cmd, a);
            pos[(*npos)++] = a;
            continue;
        }
        const cli_opt *o = &opts[k];
        vals[k].given++;
        if (o->type == CLI_OPT_FLAG) {
            if (inline_val)
                return cli_usage_error(env, "option %s takes no value", o->name);
            continue;
        }
        const char *v = inline_val;
        if (!v) {
            if (i + 1 >= argc)
                return cli_usage_error(env, "option %s needs a value (%s)", o->name, o->metavar);
            v = argv[++i];
        }
        int rc = parse_value(env, o, v, &vals[k]);
        if (rc)
            return rc;
    }
    return 0;
}

void cli_opts_help(FILE *out, const cli_opt *opts, int n)
{
    for (int k = 0; k < n; k++) {
        const cli_opt *o = &opts[k];
        char left[64];
        if (o->alias)
            snprintf(left, sizeof left, "%s, %s%s%s", o->alias, o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
        else
            snprintf(left, sizeof left, "%s%s%s", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        fprintf(out, "  %-22s %s", left, o->help);
        int bounded = isfinite(o->min) || isfinite(o->max);
        if ((o->type == CLI_OPT_DOUBLE || o->type == CLI_OPT_INT || o->type == CLI_OPT_LIST) && bounded &&
            !isfinite(o->max))
            fprintf(out, " [%s%s>= %g]", o->unit ? o->unit : "", o->unit ? ", " : "", o->min);
        else if ((o->type == CLI_OPT_DOUBLE || o->type == CLI_OPT_INT || o->type == CLI_OPT_LIST) && bounded)
            fprintf(out, " [%s%s%g to %g]", o->unit ? o->unit : "", o->unit ? ", " : "", o->min, o->max);
        else if ((o->type == CLI_OPT_DOUBLE || o->type == CLI_OPT_LIST) && o->unit)
            fprintf(out, " [%s]", o->unit);
        else if (o->type == CLI_OPT_CHOICE)
            fprintf(out, " [%s]", o->choices);
        fputc('\n', out);
    }
}

static int image_hook(cli_env *env, void *user, int argc, char **argv, int *i)
{
    return cli_image_parse_opt(env, user, argc, argv, i);
}

int cli_opts_parse_image(cli_env *env, const char *cmd, const cli_opt *opts, int n, int argc, char **argv, int first,
                         cli_optval *vals, cli_image_opts *io, const char **arg)
{
    memset(io, 0, sizeof *io);
    const char *pos[1] = {NULL};
    int npos = 0;
    int rc = cli_opts_parse(env, cmd, opts, n, argc, argv, first, vals, pos, 1, &npos, image_hook, io);
    *arg = npos ? pos[0] : NULL;
    return rc;
}
