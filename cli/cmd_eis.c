/* ssbnet eis fit | drt | kk | simulate */
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"

#include <ssbnet/ssb_eis.h>
#include <ssbnet/ssb_plot.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846
#define MAXP 256

static void eis_help(void)
{
    printf("usage: ssbnet eis <fit|drt|kk|simulate> [FILE] [options] [--json]\n\n"
           "Impedance spectra: equivalent-circuit fitting (complex nonlinear least squares with confidence\n"
           "intervals), distribution of relaxation times (DRT), the lin-KK Kramers-Kronig test, and simulation.\n"
           "FILE: CSV/TXT (f, Z', Z''; header optional, e.g. ',Freq,Real,Imag'), ZPlot .z, BioLogic .mpt or\n"
           "Gamry .DTA; CSV columns separated by commas, semicolons, tabs or blanks, decimal commas with the\n"
           "last three. Z'' is the signed imaginary part (capacitive < 0): name a -Z'' column '-Z''' in the\n"
           "header (a mostly positive Z'' is warned about). Units in the column names are applied (Hz, kHz,\n"
           "MHz, mHz, GHz, rad/s - an 'omega' column is in rad/s -; Ohm, kOhm, MOhm, mOhm); an area-specific\n"
           "'Ohm cm2' column is refused; |Z| and phase columns (phase in deg or rad, named) are read when\n"
           "Z' and Z'' are not there. 'ssbnet eis SUBCOMMAND --help' lists\n"
           "the options. Circuit strings use impedance.py's syntax, e.g. 'R0-p(R1,CPE1)-p(R2-Wo1,C2)';\n"
           "elements: %s.\n",
           ssb_eis_element_types());
}

/* ---------------------------------------------------------------- option tables (cli_opts.h)
 * Ranges: the subcommands check their numbers themselves (with the exit statuses they always had) or leave them
 * to the library, so numbers are declared over the whole double range (ANY) and eis_opts_help prints a range only
 * where the table bounds it. */
#define ANY -1e308, 1e308
#define ANYINT -9.2e18, 9.2e18
#define FMIN_OPT {"--fmin", NULL, CLI_OPT_DOUBLE, "X", "Hz", ANY, "use only the points with f >= X", NULL}
#define FMAX_OPT {"--fmax", NULL, CLI_OPT_DOUBLE, "X", "Hz", ANY, "use only the points with f <= X", NULL}
#define SWEEP_OPT                                                                                                      \
    {"--sweep", NULL, CLI_OPT_INT, "N", NULL, 1, 1e9,                                                                 \
     "sweep N (1-based) of a file of several frequency sweeps (EC-Lab loops / cycles; default: the first, with a "   \
     "warning)",                                                                                                       \
     NULL}
#define DROP_OPT {"--drop-inductive", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "drop the points with Z'' > 0", NULL}

static const cli_opt fit_opts[] = {
    {"--circuit", NULL, CLI_OPT_STRING, "STR", NULL, 0, 0, "circuit string (required)", NULL},
    {"--guess", NULL, CLI_OPT_STRING, "v1,v2,...", NULL, 0, 0,
     "initial values in the order the parameters appear in the string (or NAME=value pairs); without it: start "
     "values from the arcs of the data, and a seeded 48-start search when that fit ends undetermined",
     NULL},
    {"--fix", NULL, CLI_OPT_STRING, "NAME=v,...", NULL, 0, 0,
     "hold parameters (impedance.py 'constants'); --guess may then list only the free parameters", NULL},
    {"--weight", NULL, CLI_OPT_STRING, "W", NULL, 0, 0,
     "modulus (default: sigma = |Z|, every decade counts), proportional (sigma' = |Z'|, sigma'' = |Z''|) or unit "
     "(sigma = 1 Ohm, impedance.py's default)",
     NULL},
    FMIN_OPT,
    FMAX_OPT,
    {"--global", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "multi-start global search (48 seeded starts)", NULL},
    {"--starts", NULL, CLI_OPT_INT, "N", NULL, ANYINT, "number of starts of the global search", NULL},
    {"--seed", NULL, CLI_OPT_INT, "N", NULL, ANYINT, "seed of the global search", NULL},
    DROP_OPT,
    SWEEP_OPT,
    {"--confidence", NULL, CLI_OPT_DOUBLE, "P", NULL, ANY, "level of the intervals (default 0.95)", NULL},
    {"--plot", NULL, CLI_OPT_STRING, "FILE.png|svg", NULL, 0, 0, "Nyquist plot of data and fit", NULL},
    {"--bode", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0, "Bode plot of data and fit", NULL},
    {"--output", "-o", CLI_OPT_STRING, "FILE.csv", NULL, 0, 0, "data, model and residuals", NULL},
    {"--params-csv", NULL, CLI_OPT_STRING, "FILE.csv", NULL, 0, 0,
     "the parameter table (parameter, unit, value, stderr, ci_low, ci_high, fixed, flags, corr_max)", NULL},
};

static const cli_opt drt_opts[] = {
    {"--lambda", NULL, CLI_OPT_DOUBLE, "X", NULL, ANY, "regularisation parameter, > 0 (default: GCV over 1e-7 .. 1)",
     NULL},
    {"--lambda-min", NULL, CLI_OPT_DOUBLE, "X", NULL, ANY,
     "lower end of the GCV search range (a warning says when GCV ends on its edge)", NULL},
    {"--lambda-max", NULL, CLI_OPT_DOUBLE, "X", NULL, ANY, "upper end of the GCV search range", NULL},
    {"--fwhm", NULL, CLI_OPT_DOUBLE, "C", NULL, ANY, "RBF FWHM coefficient (default 0.5)", NULL},
    {"--no-inductance", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "no series inductance column", NULL},
    FMIN_OPT,
    FMAX_OPT,
    DROP_OPT,
    SWEEP_OPT,
    {"--plot", NULL, CLI_OPT_STRING, "FILE.png|svg", NULL, 0, 0, "gamma(tau) with the peaks", NULL},
    {"--output", "-o", CLI_OPT_STRING, "FILE.csv", NULL, 0, 0, "tau_s, gamma_Ohm", NULL},
    {"--peaks-csv", NULL, CLI_OPT_STRING, "FILE.csv", NULL, 0, 0, "the peak table (tau_s, f_Hz, gamma_Ohm, R_Ohm)",
     NULL},
};

static const cli_opt kk_opts[] = {
    {"--rule", NULL, CLI_OPT_STRING, "chi2|mu", NULL, 0, 0,
     "how M is chosen (default chi2; mu: Schoenleber's criterion as impedance.py)", NULL},
    {"--c", NULL, CLI_OPT_DOUBLE, "X", NULL, ANY, "mu cut-off of --rule mu (default 0.85; implies --rule mu)", NULL},
    {"--m", NULL, CLI_OPT_INT, "M", NULL, ANYINT, "fixed number of RC elements, 1 .. 100000 (no rule)", NULL},
    {"--max-m", NULL, CLI_OPT_INT, "N", NULL, ANYINT, "largest M, 1 .. 100000 (default 50)", NULL},
    {"--fit", NULL, CLI_OPT_STRING, "real|imag|complex", NULL, 0, 0, "which part is fitted (default real, as "
                                                                     "impedance.py)", NULL},
    {"--add-capacitor", "--add-cap", CLI_OPT_FLAG, NULL, NULL, 0, 0,
     "series capacitance (data with a capacitive low-frequency tail, e.g. a blocking electrode)", NULL},
    FMIN_OPT,
    FMAX_OPT,
    DROP_OPT,
    SWEEP_OPT,
    {"--residuals", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "print the residual of every point", NULL},
    {"--output", "-o", CLI_OPT_STRING, "FILE.csv", NULL, 0, 0, "data, KK model and residuals [%]", NULL},
};

static const cli_opt sim_opts[] = {
    {"--circuit", NULL, CLI_OPT_STRING, "STR", NULL, 0, 0, "circuit string (required)", NULL},
    {"--params", NULL, CLI_OPT_STRING, "v1,...", NULL, 0, 0, "parameter values (or NAME=value pairs; required)",
     NULL},
    {"--fmin", NULL, CLI_OPT_DOUBLE, "X", "Hz", ANY, "lowest frequency (default 0.01)", NULL},
    {"--fmax", NULL, CLI_OPT_DOUBLE, "X", "Hz", ANY, "highest frequency (default 1e6)", NULL},
    {"--ppd", NULL, CLI_OPT_INT, "N", NULL, 1, 1000, "points per decade (default 10; 1 to 1000)", NULL},
    {"--noise", NULL, CLI_OPT_DOUBLE, "REL", NULL, 0, 1,
     "proportional Gaussian noise: Z' and Z'' times (1 + REL N(0,1)), REL in [0, 1]", NULL},
    {"--seed", NULL, CLI_OPT_INT, "N", NULL, ANYINT,
     "seed of the noise, >= 0 (default 1; the same seed gives the same spectrum)", NULL},
    {"--plot", NULL, CLI_OPT_STRING, "FILE.png|svg", NULL, 0, 0, "Nyquist plot", NULL},
    {"--bode", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0, "Bode plot", NULL},
    {"--output", "-o", CLI_OPT_STRING, "FILE.csv", NULL, 0, 0, "f_Hz, Zre_Ohm, Zim_Ohm", NULL},
};
#define NOPTS(a) ((int)(sizeof a / sizeof a[0]))

/* The options part of a subcommand's --help from its table (cli_opts_help, with ranges only where bounded). */
static void eis_opts_help(const cli_opt *t, int n)
{
    for (int k = 0; k < n; k++) {
        cli_opt o = t[k];
        if (o.type == CLI_OPT_DOUBLE || o.type == CLI_OPT_INT) {
            char left[64];
            snprintf(left, sizeof left, "%s%s%s", o.name, o.metavar ? " " : "", o.metavar ? o.metavar : "");
            printf("  %-22s %s%s%s%s\n", left, o.help, o.unit ? " [" : "", o.unit ? o.unit : "", o.unit ? "]" : "");
            continue;
        }
        cli_opts_help(stdout, &o, 1);
    }
    printf("  %-22s %s\n", "--json", "one JSON object on stdout");
}

static void fit_help(void)
{
    printf("usage: ssbnet eis fit FILE --circuit STR [options]\n\n"
           "Fit an equivalent circuit by complex nonlinear least squares (Levenberg-Marquardt on ln(p), residuals\n"
           "stacked [Z'; Z'']). Parameters are named as impedance.py names them: R0, C1, CPE1_0 (Q), CPE1_1 (alpha),\n"
           "Wo1_0 (Z0), Wo1_1 (tau), ...\n\n");
    eis_opts_help(fit_opts, NOPTS(fit_opts));
    printf("\n--json: {parameters, stderr, ci_low, ci_high, units, fixed, flags, corr_max, status, capacitances, rss,\n"
           "chi2_red, weight, ...}\n\n"
           "A parameter the data do not determine is flagged: wide_ci (95 %% interval wider than +-100 %%), at_bound,\n"
           "correlated (|correlation| > 0.9995 with another one); the status is then 'undetermined' or 'at_bound'\n"
           "instead of 'ok'. Every p(R,CPE) pair and series CPE gets an effective capacitance C_eff [F]: R||CPE\n"
           "(Q R^(1-n))^(1/n) (Hirschorn 2010 eq. 18, = Hsu-Mansfeld Q omega_max^(n-1)); series CPE Brug's\n"
           "Q^(1/n) R_s^((1-n)/n). 'ssbnet se brick --fit FIT.json' takes the bulk and GB arcs from --json output.\n");
}

static void drt_help(void)
{
    printf("usage: ssbnet eis drt FILE [options]\n\n"
           "Distribution of relaxation times by Tikhonov regression with Gaussian RBFs (pyDRTtools conventions:\n"
           "centres tau = 1/f, FWHM coefficient 0.5, second-derivative penalty, x >= 0), lambda by generalised\n"
           "cross-validation unless given. gamma(tau) is reported on a fine tau grid (Ohm per unit ln tau).\n\n");
    eis_opts_help(drt_opts, NOPTS(drt_opts));
    printf("\n--json: {lambda, gcv, R_inf, L, R_pol, tau, gamma, peaks, units}\n");
}

static void kk_help(void)
{
    printf("usage: ssbnet eis kk FILE [options]\n\n"
           "Linear Kramers-Kronig test (Schoenleber et al. 2014): R_ohm + M RC elements (time constants log-spaced\n"
           "over 1/(2 pi f)) + L fitted linearly. Residuals are relative to |Z|.\n"
           "M (rule chi2, default): every M = 1 .. max-m (at most one per frequency) is fitted and the smallest M\n"
           "whose pseudo chi-square per degree of freedom is within a factor 1.5 of the best (or whose RMS residual\n"
           "is below 0.01 %%) is taken: the point where more RC elements stop improving the fit (Yrjana & Bobacka,\n"
           "Electrochim. Acta 504 (2024) 144951).\n"
           "M (rule mu): M grows until mu = 1 - sum|R_k<0| / sum|R_k>=0| <= c (Schoenleber; impedance.py's linKK);\n"
           "it can stop early at a poor fit. The verdict compares the residuals with the noise level the data\n"
           "suggest (a local cubic in log f through 7 neighbouring points, Z' and Z'' separately, i.e. without the\n"
           "KK link): consistent when the RMS residual is at most 3x and the largest at most 10x that level (taken\n"
           "as at least 0.1 %% of |Z|).\n\n");
    eis_opts_help(kk_opts, NOPTS(kk_opts));
    printf("\n--json: {M, rule, mu, R_ohm, L, max_residual, rms_residual, noise_estimate, consistent, chi2, f, res_re,\n"
           "res_im}\n");
}

static void sim_help(void)
{
    printf("usage: ssbnet eis simulate --circuit STR --params v1,v2,... [options]\n\n"
           "Impedance of a circuit on a logarithmic frequency grid (from fmax down to fmin).\n\n");
    eis_opts_help(sim_opts, NOPTS(sim_opts));
    printf("\n--json: {circuit, f, zre, zim}\n");
}

/* ---------------------------------------------------------------- option scanning */

typedef struct {
    const char *file;
    const char *circuit, *guess, *fix, *weight, *plot, *bode, *output, *params, *fit_type, *params_csv, *peaks_csv;
    const char *rule;
    double lambda, fwhm, c, fmin, fmax, confidence, lambda_min, lambda_max;
    long long m, max_m, ppd, starts, seed;
    int global, drop_inductive, no_inductance, add_cap, residuals;
    long long sweep;
    int has_lambda, has_m, has_starts, has_seed, has_fmin, has_fmax, has_noise, has_c, has_max_m;
    double noise;
} opts;

/* Parse argv[2..] against the subcommand's table into o; returns 0, an exit code, or -1 after --help. */
static int scan(cli_env *env, const char *sub, int argc, char **argv, const cli_opt *t, int n, void (*help)(void),
                opts *o)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        help();
        return -1;
    }
    cli_optval val[24];
    const char *pos[1] = {NULL};
    int npos = 0;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "eis %s", sub);
    if (n > 24) return cli_usage_error(env, "%s: too many options", cmd);
    int rc = cli_opts_parse(env, cmd, t, n, argc, argv, 2, val, pos, 1, &npos, NULL, NULL);
    if (rc) return rc;
    o->file = npos ? pos[0] : NULL;
    for (int k = 0; k < n; k++) {
        if (!val[k].given) continue;
        const char *nm = t[k].name;
        const cli_optval *v = &val[k];
        if (!strcmp(nm, "--circuit")) o->circuit = v->str;
        else if (!strcmp(nm, "--guess")) o->guess = v->str;
        else if (!strcmp(nm, "--fix")) o->fix = v->str;
        else if (!strcmp(nm, "--weight")) o->weight = v->str;
        else if (!strcmp(nm, "--plot")) o->plot = v->str;
        else if (!strcmp(nm, "--bode")) o->bode = v->str;
        else if (!strcmp(nm, "--output")) o->output = v->str;
        else if (!strcmp(nm, "--params")) o->params = v->str;
        else if (!strcmp(nm, "--fit")) o->fit_type = v->str;
        else if (!strcmp(nm, "--rule")) o->rule = v->str;
        else if (!strcmp(nm, "--params-csv")) o->params_csv = v->str;
        else if (!strcmp(nm, "--peaks-csv")) o->peaks_csv = v->str;
        else if (!strcmp(nm, "--lambda")) o->lambda = v->num, o->has_lambda = 1;
        else if (!strcmp(nm, "--fwhm")) o->fwhm = v->num;
        else if (!strcmp(nm, "--lambda-min")) o->lambda_min = v->num;
        else if (!strcmp(nm, "--lambda-max")) o->lambda_max = v->num;
        else if (!strcmp(nm, "--c")) o->c = v->num, o->has_c = 1;
        else if (!strcmp(nm, "--fmin")) o->fmin = v->num, o->has_fmin = 1;
        else if (!strcmp(nm, "--fmax")) o->fmax = v->num, o->has_fmax = 1;
        else if (!strcmp(nm, "--noise")) o->noise = v->num, o->has_noise = 1;
        else if (!strcmp(nm, "--confidence")) o->confidence = v->num;
        else if (!strcmp(nm, "--m")) o->m = (long long)v->num, o->has_m = 1;
        else if (!strcmp(nm, "--max-m")) o->max_m = (long long)v->num, o->has_max_m = 1;
        else if (!strcmp(nm, "--ppd")) o->ppd = (long long)v->num;
        else if (!strcmp(nm, "--starts")) o->starts = (long long)v->num, o->has_starts = 1;
        else if (!strcmp(nm, "--seed")) o->seed = (long long)v->num, o->has_seed = 1;
        else if (!strcmp(nm, "--sweep")) o->sweep = (long long)v->num;
        else if (!strcmp(nm, "--global")) o->global = 1;
        else if (!strcmp(nm, "--drop-inductive")) o->drop_inductive = 1;
        else if (!strcmp(nm, "--no-inductance")) o->no_inductance = 1;
        else if (!strcmp(nm, "--add-capacitor")) o->add_cap = 1;
        else if (!strcmp(nm, "--residuals")) o->residuals = 1;
    }
    return 0;
}

/* Comma-separated parameter names in order (static buffer), for messages. */
static const char *param_list(const ssb_eis_circuit *c, const int *order, int n)
{
    static char buf[2048];
    buf[0] = '\0';
    for (int k = 0; k < n; k++) {
        size_t l = strlen(buf);
        snprintf(buf + l, sizeof buf - l, "%s%s", k ? "," : "", ssb_eis_circuit_get_param_name(c, order[k]));
    }
    return buf;
}

/* Values of a comma list "v1,v2,..." or "NAME=v,..." into p (nparams) with set[] flags. With names, only the
 * named entries are set; otherwise the values fill the positions listed in order[] (n_order of them). */
static int parse_values(cli_env *env, const char *opt, const char *s, const ssb_eis_circuit *c, const int *order,
                        int n_order, double *p, int *set)
{
    int np = ssb_eis_circuit_get_nparams(c);
    char *buf = strdup(s);
    if (!buf) return cli_usage_error(env, "out of memory");
    int k = 0, rc = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        char *eq = strchr(tok, '=');
        int idx;
        const char *val = tok;
        if (eq) {
            *eq = '\0';
            idx = ssb_eis_circuit_find_param(c, tok);
            if (idx < 0) {
                /* an unknown name is exit 8 (not found), with the names that exist */
                int all[MAXP];
                for (int j = 0; j < np && j < MAXP; j++) all[j] = j;
                (void)cli_usage_error(env, "option %s: '%s' is not a parameter of %s (its parameters: %s)", opt, tok,
                                      ssb_eis_circuit_get_string(c), param_list(c, all, np < MAXP ? np : MAXP));
                rc = CLI_EXIT_NOTFOUND;
                break;
            }
            val = eq + 1;
        } else {
            if (k >= n_order) {
                rc = cli_usage_error(env, "option %s: more than %d values", opt, n_order);
                break;
            }
            idx = order[k++];
        }
        char *end;
        double v = strtod(val, &end);
        if (end == val || *end != '\0' || !isfinite(v)) {
            rc = cli_usage_error(env, "option %s: '%s' is not a finite number", opt, val);
            break;
        }
        if (idx >= 0 && idx < np) {
            p[idx] = v;
            set[idx] = 1;
        }
    }
    free(buf);
    return rc;
}

static int load_spectrum(cli_env *env, const opts *o, ssb_eis_spectrum **s, int64_t *dropped)
{
    *dropped = 0;
    if (!o->file) return cli_usage_error(env, "missing input FILE");
    int rc = ssb_eis_spectrum_read_sweep(env->ctx, o->file, SSB_EIS_FORMAT_AUTO, (int)o->sweep, s);
    if (rc != SSB_OK) return cli_fail(env, rc);
    if (o->has_fmin || o->has_fmax) {
        int64_t nout = 0;
        rc = ssb_eis_spectrum_select(env->ctx, *s, o->has_fmin ? o->fmin : 0.0, o->has_fmax ? o->fmax : INFINITY,
                                     &nout);
        if (rc != SSB_OK) {
            ssb_eis_spectrum_destroy(s);
            return cli_fail(env, rc);
        }
        if (nout > 0 && !env->quiet)
            fprintf(stderr, "ssbnet: info: %s: %lld of %lld points outside the frequency range removed\n", o->file,
                    (long long)nout, (long long)(nout + (*s)->n));
    }
    if (o->drop_inductive) {
        rc = ssb_eis_spectrum_drop_inductive(env->ctx, *s, dropped);
        if (rc != SSB_OK) {
            ssb_eis_spectrum_destroy(s);
            return cli_fail(env, rc);
        }
    }
    return 0;
}

static cJSON *json_array(const double *v, int64_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (int64_t i = 0; i < n; i++) cJSON_AddItemToArray(a, isfinite(v[i]) ? cJSON_CreateNumber(v[i]) : cJSON_CreateNull());
    return a;
}

/* The EIS JSON convention (kept from before the report layer): keys without unit suffixes, the units named in a
 * "units" object (units may be NULL). Values, booleans and names come from the description t. */
static void json_bare(cJSON *o, cJSON *units, const ssb_report_type *t, const void *row)
{
    char cell[256];
    for (int k = 0; k < t->nfields; k++) {
        const ssb_report_field *f = &t->fields[k];
        if (f->kind == SSB_FIELD_BOOL)
            cJSON_AddBoolToObject(o, f->key, ssb_report_field_value(f, row) != 0);
        else if (f->kind == SSB_FIELD_STRING) {
            ssb_report_field_format(f, row, cell, sizeof cell);
            cJSON_AddStringToObject(o, f->key, cell);
        } else if (f->kind == SSB_FIELD_ENUM)
            cJSON_AddStringToObject(o, f->key, f->name_of((int)ssb_report_field_value(f, row)));
        else
            cli_json_add_number(o, f->key, ssb_report_field_value(f, row));
        if (units && f->shown != SSB_UNIT_NONE && !cJSON_GetObjectItemCaseSensitive(units, f->key))
            cJSON_AddStringToObject(units, f->key, ssb_unit_get(f->shown)->symbol);
    }
}

/* A field of t by key (NULL if absent). */
static const ssb_report_field *field(const ssb_report_type *t, const char *key)
{
    for (int k = 0; k < t->nfields; k++)
        if (!strcmp(t->fields[k].key, key)) return &t->fields[k];
    return NULL;
}

/* A "quantity [unit] | value" row of field key of row. */
static void quantity_row(cli_table *t, const ssb_report_type *rt, const char *key, const void *row, const char *suffix)
{
    const ssb_report_field *f = field(rt, key);
    char h[128], v[96];
    ssb_report_field_header(f, h, sizeof h);
    if (suffix) snprintf(h + strlen(h), sizeof h - strlen(h), "%s", suffix);
    ssb_report_field_format(f, row, v, sizeof v);
    const char *cells[] = {h, v};
    cli_table_add_row(t, cells);
}

/* ---------------------------------------------------------------- fit */

static int eis_fit(cli_env *env, int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.confidence = 0.95;
    int r = scan(env, "fit", argc, argv, fit_opts, NOPTS(fit_opts), fit_help, &o);
    if (r) return r < 0 ? 0 : r;
    if (!o.circuit) return cli_usage_error(env, "eis fit: --circuit is required (e.g. --circuit 'R0-p(R1,CPE1)')");
    ssb_eis_fit_params P = ssb_eis_fit_params_default();
    if (o.weight && (r = ssb_eis_weight_parse(env->ctx, o.weight, &P.weight)) != SSB_OK) return cli_fail(env, r);
    ssb_eis_circuit *c = NULL;
    if ((r = ssb_eis_circuit_parse(env->ctx, o.circuit, &c)) != SSB_OK) return cli_fail(env, r);
    int np = ssb_eis_circuit_get_nparams(c);
    ssb_eis_spectrum *s = NULL, *model = NULL;
    ssb_eis_fit_result *res = NULL;
    ssb_eis_cap *caps = NULL;
    int ncaps = 0;
    int64_t dropped = 0;
    int code = load_spectrum(env, &o, &s, &dropped);
    if (code) goto done;
    if (np > MAXP) {
        code = cli_usage_error(env, "eis fit: %d parameters, at most %d", np, MAXP);
        goto done;
    }
    double p[MAXP] = {0};
    int set[MAXP] = {0}, fixed[MAXP] = {0}, order[MAXP] = {0}, nfree = 0;
    if ((r = ssb_eis_fit_guess(env->ctx, c, s, p)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.fix) {
        int all[MAXP];
        for (int k = 0; k < np; k++) all[k] = -1; /* positional values are not allowed for --fix */
        if ((code = parse_values(env, "--fix", o.fix, c, all, 0, p, fixed))) goto done;
    }
    for (int k = 0; k < np; k++)
        if (!fixed[k]) order[nfree++] = k;
    if (o.guess) {
        /* positional values: all parameters, or only the free ones (impedance.py with constants) */
        int ncomma = 1;
        for (const char *q = o.guess; *q; q++) ncomma += *q == ',';
        int named = strchr(o.guess, '=') != NULL;
        int full[MAXP];
        for (int k = 0; k < np; k++) full[k] = k;
        if (!named && ncomma != np && ncomma != nfree) {
            code = cli_usage_error(env, "eis fit: --guess has %d values; %s has %d parameters (%s)%s", ncomma,
                                   ssb_eis_circuit_get_string(c), np, param_list(c, full, np),
                                   nfree < np ? " or give only the free ones" : "");
            goto done;
        }
        double g[MAXP];
        memcpy(g, p, sizeof(double) * (size_t)np);
        if ((code = parse_values(env, "--guess", o.guess, c, ncomma == np ? full : order, ncomma == np ? np : nfree, g,
                                 set)))
            goto done;
        /* a named start value for a held parameter was dropped without a word (the --fix value is used) */
        for (int k = 0; named && k < np; k++)
            if (fixed[k] && set[k]) {
                int one[1] = {k};
                code = cli_usage_error(env, "eis fit: %s is held by --fix; a --guess for it is not used (give it in "
                                            "one of the two)",
                                       param_list(c, one, 1));
                goto done;
            }
        for (int k = 0; k < np; k++)
            if (!fixed[k]) p[k] = g[k];
    } else if (!env->quiet) {
        fprintf(stderr, "ssbnet: info: eis fit: no --guess; automatic start values from the arcs of the data (%s)\n",
                param_list(c, order, nfree));
    }
    P.fixed = fixed;
    P.global = o.global;
    P.confidence = o.confidence;
    if (o.has_starts) P.n_starts = (int)(o.starts > 1000000 ? 1000000 : o.starts);
    if (o.has_seed) P.seed = (uint64_t)o.seed;
    int retried = 0;
    if (o.guess) r = ssb_eis_fit(env->ctx, c, s, p, &P, &res);
    else r = ssb_eis_fit_auto(env->ctx, c, s, p, &P, &res, &retried);
    if (r != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (retried && !env->quiet)
        fprintf(stderr,
                "ssbnet: info: eis fit: the fit from the automatic start values left parameters undetermined; a "
                "%d-start search (seed %llu) from them reached a lower objective (rss %.4g), reported below\n",
                P.n_starts, (unsigned long long)P.seed, res->rss);
    cli_progress_done();
    if (o.output && (r = ssb_eis_fit_write_csv(env->ctx, o.output, c, s, res)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.plot || o.bode) {
        double f0 = INFINITY, f1 = 0;
        for (int64_t i = 0; i < s->n; i++) {
            f0 = fmin(f0, s->f[i]);
            f1 = fmax(f1, s->f[i]);
        }
        if (f1 <= f0) f1 = 10 * f0;
        r = ssb_eis_circuit_simulate(env->ctx, c, res->p, f0, f1, 40, &model);
        char title[512];
        snprintf(title, sizeof title, "%s (rss %.3g)", ssb_eis_circuit_get_string(c), res->rss);
        if (r == SSB_OK && o.plot) r = ssb_eis_plot_nyquist(env->ctx, o.plot, s, model, title);
        if (r == SSB_OK && o.bode) r = ssb_eis_plot_bode(env->ctx, o.bode, s, model, title);
        if (r != SSB_OK) {
            code = cli_fail(env, r);
            goto done;
        }
    }
    if ((r = ssb_eis_cpe_capacitances(env->ctx, c, res->p, res->cov, &caps, &ncaps)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    const ssb_report_type *PT = ssb_eis_report_type(SSB_EIS_REPORT_FIT_PARAM);
    const ssb_report_type *FT = ssb_eis_report_type(SSB_EIS_REPORT_FIT);
    const ssb_report_type *CT = ssb_eis_report_type(SSB_EIS_REPORT_CAPACITANCE);
    ssb_eis_fit_param_row *rows = calloc((size_t)(np > 0 ? np : 1), sizeof *rows);
    if (!rows) {
        cli_progress_done();
        fprintf(stderr, "ssbnet: error: eis fit: out of memory for %d parameter rows\n", np);
        code = CLI_EXIT_NOMEM;
        goto done;
    }
    for (int k = 0; k < np; k++) ssb_eis_fit_param_row_get(c, res, fixed, k, &rows[k]);
    if (o.params_csv && (r = ssb_report_csv_write(env->ctx, o.params_csv, PT, rows, np, sizeof *rows)) != SSB_OK) {
        free(rows);
        code = cli_fail(env, r);
        goto done;
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "circuit", ssb_eis_circuit_get_string(c));
        cJSON_AddStringToObject(j, "file", o.file);
        /* one object per column of the parameter table, keyed by parameter name ("parameters": the values) */
        cJSON *col[16] = {0};
        for (int f = 1; f < PT->nfields && f < 16; f++) {
            const char *key = PT->fields[f].key;
            col[f] = cJSON_AddObjectToObject(j, !strcmp(key, "value") ? "parameters" : !strcmp(key, "unit") ? "units" : key);
        }
        for (int k = 0; k < np; k++)
            for (int f = 1; f < PT->nfields && f < 16; f++) {
                const ssb_report_field *fd = &PT->fields[f];
                char cell[96];
                if (fd->kind == SSB_FIELD_BOOL)
                    cJSON_AddBoolToObject(col[f], rows[k].name, ssb_report_field_value(fd, &rows[k]) != 0);
                else if (fd->kind == SSB_FIELD_STRING) {
                    ssb_report_field_format(fd, &rows[k], cell, sizeof cell);
                    cJSON_AddStringToObject(col[f], rows[k].name, cell);
                } else
                    cli_json_add_number(col[f], rows[k].name, ssb_report_field_value(fd, &rows[k]));
            }
        cli_report_json(j, FT, res);
        cJSON *ca = cJSON_AddArrayToObject(j, "capacitances");
        for (int q = 0; q < ncaps; q++) {
            const ssb_eis_cap *e = &caps[q];
            cJSON *x = cli_report_json(cJSON_CreateObject(), CT, e);
            if (e->kind == SSB_EIS_CAP_PARALLEL)
                cJSON_AddStringToObject(x, "R_param", ssb_eis_circuit_get_param_name(c, e->iR));
            cJSON_AddStringToObject(x, "Q_unit", e->in < 0 ? "F" : "F s^(n-1)");
            cJSON_AddStringToObject(x, "C_eff_method",
                                    e->in < 0                           ? "ideal capacitor"
                                    : e->kind == SSB_EIS_CAP_PARALLEL ? "(Q R^(1-n))^(1/n) (Hirschorn 2010, Hsu-Mansfeld)"
                                                                      : "Q^(1/n) R_s^((1-n)/n) (Brug 1984)");
            cJSON_AddItemToArray(ca, x);
        }
        cJSON_AddNumberToObject(j, "dropped_inductive", (double)dropped);
        cJSON_AddStringToObject(j, "weight", ssb_eis_weight_name(P.weight));
        cJSON_AddStringToObject(j, "guess", o.guess ? "given" : retried ? "automatic+global" : "automatic");
        cJSON_AddStringToObject(j, "reason", res->reason);
        cli_json_print(j);
    } else {
        /* the parameter table: the unit of each row's value sits in its first column */
        static const char *const pkeys[] = {"value", "stderr", "ci_low", "ci_high", "flags"};
        char hb[6][64];
        const char *hdr[6] = {"parameter [unit]"};
        for (int u = 0; u < 5; u++) {
            const ssb_report_field *f = field(PT, pkeys[u]);
            if (!strncmp(pkeys[u], "ci_", 3))
                snprintf(hb[u + 1], sizeof hb[u + 1], "%g%% %s", 100 * res->confidence, f->label);
            else
                snprintf(hb[u + 1], sizeof hb[u + 1], "%s", f->label);
            hdr[u + 1] = hb[u + 1];
        }
        cli_table *t = cli_table_create(6, hdr);
        for (int k = 0; k < np; k++) {
            char cb[6][96];
            const char *cells[6];
            snprintf(cb[0], sizeof cb[0], "%s [%s]%s", rows[k].name, rows[k].unit, rows[k].fixed ? " (fixed)" : "");
            for (int u = 0; u < 5; u++) {
                ssb_report_field_format(field(PT, pkeys[u]), &rows[k], cb[u + 1], sizeof cb[u + 1]);
                if (!cb[u + 1][0]) snprintf(cb[u + 1], sizeof cb[u + 1], "-");
            }
            for (int u = 0; u < 6; u++) cells[u] = cb[u];
            cli_table_add_row(t, cells);
        }
        printf("circuit %s, %lld points%s, %s weights (sigma = %s), %s start values\n", ssb_eis_circuit_get_string(c),
               (long long)res->npoints, dropped ? " (inductive points dropped)" : "", ssb_eis_weight_name(P.weight),
               P.weight == SSB_EIS_WEIGHT_MODULUS        ? "|Z|"
               : P.weight == SSB_EIS_WEIGHT_PROPORTIONAL ? "|Z'|, |Z''|"
                                                         : "1 Ohm",
               o.guess ? "given" : "automatic");
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (ncaps > 0) {
            static const char *const ckeys[] = {"element", "kind", "R", "n", "f_max", "C_eff", "C_eff_std_err",
                                                "C_brug", NULL};
            t = cli_report_table(CT, NULL, ckeys);
            for (int q = 0; q < ncaps; q++) cli_report_table_row(t, CT, NULL, ckeys, &caps[q]);
            cli_table_print(t, stdout);
            cli_table_destroy(&t);
        }
        const char *h2[] = {"quantity [unit]", "value"};
        t = cli_table_create(2, h2);
        char l1[64], v1[32];
        snprintf(l1, sizeof l1, "rss [%s]", P.weight == SSB_EIS_WEIGHT_UNIT ? "Ohm^2" : "1");
        snprintf(v1, sizeof v1, "%s", cli_fmt(res->rss));
        const char *r1[] = {l1, v1};
        cli_table_add_row(t, r1);
        quantity_row(t, FT, "rss_unweighted", res, NULL);
        quantity_row(t, FT, "chi2_red", res, NULL);
        quantity_row(t, FT, "dof", res, " [-]");
        char conv[96];
        snprintf(conv, sizeof conv, "%s (%s, %d iterations)%s", res->converged ? "yes" : "no", res->reason,
                 res->iterations, res->converged && res->n_flagged > 0 ? ", see status" : "");
        const char *r5[] = {"converged", conv};
        char st[96];
        if (res->n_flagged > 0)
            snprintf(st, sizeof st, "%s (%d parameter%s flagged)", ssb_eis_fit_status_name(res->status),
                     res->n_flagged, res->n_flagged == 1 ? "" : "s");
        else
            snprintf(st, sizeof st, "%s", ssb_eis_fit_status_name(res->status));
        const char *r6[] = {"status", st};
        cli_table_add_row(t, r5);
        cli_table_add_row(t, r6);
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (res->rank_deficient) printf("note: J^T J is singular; some parameters are not determined by the data\n");
    }
    free(rows);
    if (res->n_flagged > 0 && !env->quiet) {
        for (int k = 0; k < np; k++) {
            if (!res->flags[k]) continue;
            char fb[64];
            double rel = res->p[k] != 0 ? 50.0 * (res->ci_high[k] - res->ci_low[k]) / fabs(res->p[k]) : INFINITY;
            fprintf(stderr,
                    "ssbnet: warning: eis fit: %s = %g is not determined by the data (%s; CI +-%.3g %%, max "
                    "|correlation| %.5f)\n",
                    ssb_eis_circuit_get_param_name(c, k), res->p[k],
                    ssb_eis_param_flags_string(res->flags[k], fb, sizeof fb), rel, res->corr_max[k]);
        }
        if (P.weight == SSB_EIS_WEIGHT_UNIT)
            fprintf(stderr, "ssbnet: hint: unit weights fit the largest |Z| only; try the default --weight modulus\n");
    }
    code = 0;
    if (!res->converged && !env->quiet)
        fprintf(stderr, "ssbnet: warning: eis fit: no convergence (%s); the values above are the last iterate\n",
                res->reason);
done:
    free(caps);
    ssb_eis_fit_result_destroy(&res);
    ssb_eis_spectrum_destroy(&model);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    return code;
}

/* ---------------------------------------------------------------- drt */

static int eis_drt(cli_env *env, int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.fwhm = 0.5;
    o.lambda_min = o.lambda_max = NAN;
    int r = scan(env, "drt", argc, argv, drt_opts, NOPTS(drt_opts), drt_help, &o);
    if (r) return r < 0 ? 0 : r;
    ssb_eis_spectrum *s = NULL;
    ssb_eis_drt_result *d = NULL;
    int64_t dropped = 0;
    /* a given lambda skips the GCV search: its range would be ignored without a word */
    if (o.has_lambda && !(isnan(o.lambda_min) && isnan(o.lambda_max)))
        return cli_usage_error(env, "eis drt: --lambda fixes lambda; --lambda-min/--lambda-max bound the GCV search "
                                    "that it replaces: give one or the other");
    int code = load_spectrum(env, &o, &s, &dropped);
    if (code) return code;
    ssb_eis_drt_params P = ssb_eis_drt_params_default();
    if (!isnan(o.lambda_min)) P.lambda_min = o.lambda_min;
    if (!isnan(o.lambda_max)) P.lambda_max = o.lambda_max;
    if (o.has_lambda) {
        if (!(o.lambda > 0)) {
            code = cli_usage_error(env, "eis drt: --lambda %g must be > 0 (omit it for GCV)", o.lambda);
            goto done;
        }
        P.lambda = o.lambda;
    }
    P.fwhm_coeff = o.fwhm;
    P.inductance = !o.no_inductance;
    if ((r = ssb_eis_drt(env->ctx, s, &P, &d)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    cli_progress_done();
    if (o.output && (r = ssb_eis_drt_write_csv(env->ctx, o.output, d)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.plot && (r = ssb_eis_plot_drt(env->ctx, o.plot, d, o.file)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    const ssb_report_type *DT = ssb_eis_report_type(SSB_EIS_REPORT_DRT);
    const ssb_report_type *KT = ssb_eis_report_type(SSB_EIS_REPORT_DRT_PEAK);
    ssb_eis_drt_peak *peaks = calloc((size_t)(d->npeaks > 0 ? d->npeaks : 1), sizeof *peaks);
    if (!peaks) {
        cli_progress_done();
        fprintf(stderr, "ssbnet: error: eis drt: out of memory for %d peaks\n", d->npeaks);
        code = CLI_EXIT_NOMEM;
        goto done;
    }
    for (int k = 0; k < d->npeaks; k++) ssb_eis_drt_peak_get(d, k, &peaks[k]);
    if (o.peaks_csv &&
        (r = ssb_report_csv_write(env->ctx, o.peaks_csv, KT, peaks, d->npeaks, sizeof *peaks)) != SSB_OK) {
        free(peaks);
        code = cli_fail(env, r);
        goto done;
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", o.file);
        cJSON *u = cJSON_CreateObject();
        json_bare(j, u, DT, d);
        cJSON_AddItemToObject(j, "tau", json_array(d->tau, d->ntau));
        cJSON_AddItemToObject(j, "gamma", json_array(d->gamma, d->ntau));
        cJSON *pk = cJSON_AddArrayToObject(j, "peaks");
        for (int k = 0; k < d->npeaks; k++) {
            cJSON *q = cJSON_CreateObject();
            json_bare(q, u, KT, &peaks[k]);
            cJSON_AddItemToArray(pk, q);
        }
        cJSON_AddItemToObject(j, "units", u);
        cli_json_print(j);
    } else {
        const char *h[] = {"quantity [unit]", "value"};
        cli_table *t = cli_table_create(2, h);
        quantity_row(t, DT, "lambda", d, o.has_lambda ? " (given)" : " (GCV)");
        static const char *const dkeys[] = {"R_inf", "L", "R_pol", "rms", "eps"};
        for (size_t k = 0; k < sizeof dkeys / sizeof dkeys[0]; k++) quantity_row(t, DT, dkeys[k], d, NULL);
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        t = cli_report_table(KT, "peak", NULL);
        for (int k = 0; k < d->npeaks; k++) {
            char idx[16];
            snprintf(idx, sizeof idx, "%d", k + 1);
            cli_report_table_row(t, KT, idx, NULL, &peaks[k]);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (!o.output) printf("(gamma(tau) on %lld points: use -o FILE.csv or --json)\n", (long long)d->ntau);
    }
    free(peaks);
    if (d->capacitive_tail && !env->quiet)
        fprintf(stderr,
                "ssbnet: warning: eis drt: the spectrum ends in a capacitive tail (blocking electrode, no "
                "low-frequency intercept) that the DRT model cannot describe; exclude it with --fmin\n");
    if (d->lambda_at_bound && !env->quiet)
        fprintf(stderr,
                "ssbnet: warning: eis drt: GCV chose lambda = %g at the %s end of its search range [%g, %g]; the "
                "optimum may lie beyond it: widen it with --lambda-%s or give --lambda\n",
                d->lambda, d->lambda_at_bound < 0 ? "lower" : "upper", P.lambda_min, P.lambda_max,
                d->lambda_at_bound < 0 ? "min" : "max");
done:
    ssb_eis_drt_result_destroy(&d);
    ssb_eis_spectrum_destroy(&s);
    return code;
}

/* ---------------------------------------------------------------- kk */

static const char *kk_rule_name(ssb_eis_kk_rule r)
{
    return r == SSB_EIS_KK_RULE_MU ? "mu" : r == SSB_EIS_KK_RULE_FIXED ? "fixed" : "chi2";
}

static int eis_kk(cli_env *env, int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    ssb_eis_kk_params P = ssb_eis_kk_params_default();
    o.c = P.c;
    o.max_m = P.max_m;
    int r = scan(env, "kk", argc, argv, kk_opts, NOPTS(kk_opts), kk_help, &o);
    if (r) return r < 0 ? 0 : r;
    P.c = o.c;
    /* --m fixes M: the mu criterion's cut-off and its M limit would be ignored without a word */
    if (o.m > 0 && (o.has_c || o.has_max_m || o.rule))
        return cli_usage_error(env, "eis kk: --m fixes the number of RC elements; %s belongs to the %s that chooses "
                                    "M: give one or the other",
                               o.has_c ? "--c" : o.rule ? "--rule" : "--max-m",
                               o.has_c ? "mu criterion (--rule mu)" : "rule");
    if (o.rule && strcmp(o.rule, "chi2") && strcmp(o.rule, "mu"))
        return cli_usage_error(env, "eis kk: --rule '%s' unknown; valid: chi2 (default), mu", o.rule);
    if (o.rule && !strcmp(o.rule, "chi2") && o.has_c)
        return cli_usage_error(env, "eis kk: --c is the cut-off of --rule mu; --rule chi2 does not use it");
    P.rule = (o.has_c || (o.rule && !strcmp(o.rule, "mu"))) ? SSB_EIS_KK_RULE_MU : SSB_EIS_KK_RULE_CHI2;
    /* out of range is exit 7 (README's exit-code table), not a usage error */
    if (o.max_m < 1 || o.max_m > 100000) {
        (void)cli_usage_error(env, "eis kk: --max-m %lld is out of range; valid 1 .. 100000", o.max_m);
        return CLI_EXIT_RANGE;
    }
    if (o.has_m && (o.m < 1 || o.m > 100000)) {
        (void)cli_usage_error(env, "eis kk: --m %lld is out of range; valid 1 .. 100000 (omit it for the mu criterion)",
                              o.m);
        return CLI_EXIT_RANGE;
    }
    P.max_m = (int)o.max_m;
    P.m = (int)o.m;
    P.add_cap = o.add_cap;
    if (o.fit_type) {
        if (!strcmp(o.fit_type, "real")) P.fit_type = SSB_EIS_KK_REAL;
        else if (!strcmp(o.fit_type, "imag")) P.fit_type = SSB_EIS_KK_IMAG;
        else if (!strcmp(o.fit_type, "complex")) P.fit_type = SSB_EIS_KK_COMPLEX;
        else return cli_usage_error(env, "eis kk: --fit '%s' unknown; valid: real, imag, complex", o.fit_type);
    }
    ssb_eis_spectrum *s = NULL;
    ssb_eis_kk_result *k = NULL;
    int64_t dropped = 0;
    int code = load_spectrum(env, &o, &s, &dropped);
    if (code) return code;
    if ((r = ssb_eis_kk(env->ctx, s, &P, &k)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.output && (r = ssb_eis_kk_write_csv(env->ctx, o.output, s, k)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", o.file);
        cJSON_AddNumberToObject(j, "M", k->M);
        cJSON_AddStringToObject(j, "rule", kk_rule_name(k->rule));
        cli_json_add_number(j, "mu", k->mu);
        if (k->rule == SSB_EIS_KK_RULE_MU) cli_json_add_number(j, "c", P.c);
        cli_json_add_number(j, "R_ohm", k->r_ohm);
        cli_json_add_number(j, "L", k->L);
        if (P.add_cap) cli_json_add_number(j, "C", k->C);
        cJSON_AddBoolToObject(j, "needs_capacitor", k->needs_capacitor);
        if (k->needs_capacitor) cli_json_add_number(j, "max_residual_with_capacitor", k->max_res_with_capacitor);
        cli_json_add_number(j, "max_residual", k->max_res);
        cli_json_add_number(j, "rms_residual", k->rms_res);
        if (isfinite(k->noise)) cli_json_add_number(j, "noise_estimate", k->noise);
        else cJSON_AddNullToObject(j, "noise_estimate");
        if (k->consistent >= 0) cJSON_AddBoolToObject(j, "consistent", k->consistent);
        else cJSON_AddNullToObject(j, "consistent");
        cli_json_add_number(j, "chi2", k->chi2);
        cJSON_AddItemToObject(j, "f", json_array(s->f, s->n));
        cJSON_AddItemToObject(j, "res_re", json_array(k->res_re, k->n));
        cJSON_AddItemToObject(j, "res_im", json_array(k->res_im, k->n));
        cJSON *u = cJSON_AddObjectToObject(j, "units");
        cJSON_AddStringToObject(u, "R_ohm", "Ohm");
        cJSON_AddStringToObject(u, "L", "H");
        cJSON_AddStringToObject(u, "C", "F");
        cJSON_AddStringToObject(u, "f", "Hz");
        cJSON_AddStringToObject(u, "max_residual", "1 (fraction of |Z|)");
        cJSON_AddStringToObject(u, "rms_residual", "1 (fraction of |Z|)");
        cJSON_AddStringToObject(u, "noise_estimate", "1 (fraction of |Z|)");
        cJSON_AddStringToObject(u, "res_re", "1 (fraction of |Z|)");
        cJSON_AddStringToObject(u, "res_im", "1 (fraction of |Z|)");
        cli_json_print(j);
    } else {
        const char *h[] = {"quantity [unit]", "value"};
        cli_table *t = cli_table_create(2, h);
        char m[64], cut[64], noise[32];
        snprintf(m, sizeof m, "%d (rule %s)", k->M, kk_rule_name(k->rule));
        if (k->rule == SSB_EIS_KK_RULE_MU) snprintf(cut, sizeof cut, "mu [-] (c = %g)", P.c);
        else snprintf(cut, sizeof cut, "mu [-]");
        snprintf(noise, sizeof noise, "%s", isfinite(k->noise) ? cli_fmt(100 * k->noise) : "unknown");
        const char *rows[][2] = {{"M RC elements [-]", m},
                                 {cut, cli_fmt(k->mu)},
                                 {"R_ohm [Ohm]", cli_fmt(k->r_ohm)},
                                 {"L [H]", cli_fmt(k->L)},
                                 {"max |residual| [%]", cli_fmt(100 * k->max_res)},
                                 {"RMS residual [%]", cli_fmt(100 * k->rms_res)},
                                 {"noise level of the data [%]", noise},
                                 {"KK-consistent", k->consistent < 0 ? "unknown" : k->consistent ? "yes" : "no"},
                                 {"pseudo chi-square [-]", cli_fmt(k->chi2)}};
        for (size_t q = 0; q < sizeof rows / sizeof rows[0]; q++) cli_table_add_row(t, rows[q]);
        if (P.add_cap) {
            const char *cr[] = {"C [F]", cli_fmt(k->C)};
            cli_table_add_row(t, cr);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (o.residuals) {
            const char *hr[] = {"f [Hz]", "res Z' [%]", "res Z'' [%]"};
            t = cli_table_create(3, hr);
            for (int64_t i = 0; i < s->n; i++) {
                const char *cells[] = {cli_fmt(s->f[i]), cli_fmt(100 * k->res_re[i]), cli_fmt(100 * k->res_im[i])};
                cli_table_add_row(t, cells);
            }
            cli_table_print(t, stdout);
            cli_table_destroy(&t);
        }
    }
    if (k->needs_capacitor && !env->quiet)
        fprintf(stderr,
                "ssbnet: warning: eis kk: the spectrum ends in a capacitive tail (no low-frequency intercept, e.g. a "
                "blocking electrode); lin-KK needs a series capacitor here: max residual %.3g %% without it, %.3g %% "
                "with it; rerun with --add-capacitor\n",
                100 * k->max_res, 100 * k->max_res_with_capacitor);
    else if (k->consistent == 0 && !env->quiet)
        fprintf(stderr,
                "ssbnet: warning: eis kk: the residuals (max %.3g %%, RMS %.3g %% with M = %d, rule %s) are far above "
                "the noise level the data suggest (%.3g %%: Z' and Z'' smoothed separately, without the KK link): the "
                "spectrum is not KK-consistent (drift or a non-stationary cell, non-linearity, an artefact such as a "
                "wrong-sign or inductive point)%s\n",
                100 * k->max_res, 100 * k->rms_res, k->M, kk_rule_name(k->rule), 100 * k->noise,
                k->rule == SSB_EIS_KK_RULE_MU ? ", or the mu criterion stopped at too small an M (compare with the "
                                                "default --rule chi2)"
                : k->rule == SSB_EIS_KK_RULE_FIXED ? ", or M is too small (compare without --m)"
                                                   : "");
    else if (k->consistent < 0 && !env->quiet)
        fprintf(stderr,
                "ssbnet: warning: eis kk: %lld points are too few to estimate the noise level (at least 8); no "
                "verdict (max residual %.3g %% with M = %d)\n",
                (long long)k->n, 100 * k->max_res, k->M);
done:
    ssb_eis_kk_result_destroy(&k);
    ssb_eis_spectrum_destroy(&s);
    return code;
}

/* ---------------------------------------------------------------- simulate */

static int eis_simulate(cli_env *env, int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.fmin = 0.01;
    o.fmax = 1e6;
    o.ppd = 10;
    int r = scan(env, "simulate", argc, argv, sim_opts, NOPTS(sim_opts), sim_help, &o);
    if (r) return r < 0 ? 0 : r;
    if (o.file) return cli_usage_error(env, "eis simulate: takes no input file ('%s')", o.file);
    if (!o.circuit || !o.params)
        return cli_usage_error(env, "eis simulate: --circuit and --params are required (see --help)");
    ssb_eis_circuit *c = NULL;
    if ((r = ssb_eis_circuit_parse(env->ctx, o.circuit, &c)) != SSB_OK) return cli_fail(env, r);
    int np = ssb_eis_circuit_get_nparams(c), code = 0;
    ssb_eis_spectrum *s = NULL;
    if (np > MAXP) {
        code = cli_usage_error(env, "eis simulate: %d parameters, at most %d", np, MAXP);
        goto done;
    }
    double p[MAXP] = {0};
    int set[MAXP] = {0}, order[MAXP] = {0};
    for (int k = 0; k < np; k++) order[k] = k;
    if ((code = parse_values(env, "--params", o.params, c, order, np, p, set))) goto done;
    for (int k = 0; k < np; k++)
        if (!set[k]) {
            code = cli_usage_error(env, "eis simulate: --params gives no value for %s (%s needs %s)",
                                   ssb_eis_circuit_get_param_name(c, k), ssb_eis_circuit_get_string(c),
                                   param_list(c, order, np));
            goto done;
        }
    if ((r = ssb_eis_circuit_simulate(env->ctx, c, p, o.fmin, o.fmax, (int)o.ppd, &s)) !=
        SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.has_noise) {
        if (o.has_seed && o.seed < 0) {
            code = cli_usage_error(env, "eis simulate: --seed %lld must be >= 0", o.seed);
            goto done;
        }
        if ((r = ssb_eis_spectrum_add_noise(env->ctx, s, o.noise, o.has_seed ? (uint64_t)o.seed : 1u)) != SSB_OK) {
            code = cli_fail(env, r);
            goto done;
        }
    } else if (o.has_seed && !env->quiet) {
        fprintf(stderr, "ssbnet: warning: eis simulate: --seed without --noise has no effect\n");
    }
    if (o.output && (r = ssb_eis_spectrum_write_csv(env->ctx, o.output, s, NULL)) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.plot && (r = ssb_eis_plot_nyquist(env->ctx, o.plot, s, NULL, ssb_eis_circuit_get_string(c))) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (o.bode && (r = ssb_eis_plot_bode(env->ctx, o.bode, s, NULL, ssb_eis_circuit_get_string(c))) != SSB_OK) {
        code = cli_fail(env, r);
        goto done;
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "circuit", ssb_eis_circuit_get_string(c));
        cJSON *pv = cJSON_AddObjectToObject(j, "parameters");
        for (int k = 0; k < np; k++) cli_json_add_number(pv, ssb_eis_circuit_get_param_name(c, k), p[k]);
        cli_json_add_number(j, "noise", o.has_noise ? o.noise : 0.0);
        if (o.has_noise) cJSON_AddNumberToObject(j, "seed", (double)(o.has_seed ? o.seed : 1));
        cJSON_AddItemToObject(j, "f", json_array(s->f, s->n));
        cJSON_AddItemToObject(j, "zre", json_array(s->zre, s->n));
        cJSON_AddItemToObject(j, "zim", json_array(s->zim, s->n));
        cJSON *u = cJSON_AddObjectToObject(j, "units");
        cJSON_AddStringToObject(u, "f", "Hz");
        cJSON_AddStringToObject(u, "zre", "Ohm");
        cJSON_AddStringToObject(u, "zim", "Ohm");
        cli_json_print(j);
    } else {
        const char *h[] = {"f [Hz]", "Z' [Ohm]", "Z'' [Ohm]", "|Z| [Ohm]", "-phase [deg]"};
        cli_table *t = cli_table_create(5, h);
        for (int64_t i = 0; i < s->n; i++) {
            const char *cells[] = {cli_fmt(s->f[i]), cli_fmt(s->zre[i]), cli_fmt(s->zim[i]),
                                   cli_fmt(hypot(s->zre[i], s->zim[i])),
                                   cli_fmt(0.0 - atan2(s->zim[i], s->zre[i]) * 180.0 / PI_) /* 0 - x: no "-0" */};
            cli_table_add_row(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
    }
done:
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    return code;
}

int cmd_eis(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        eis_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "fit")) return eis_fit(env, argc, argv);
    if (!strcmp(sub, "drt")) return eis_drt(env, argc, argv);
    if (!strcmp(sub, "kk")) return eis_kk(env, argc, argv);
    if (!strcmp(sub, "simulate")) return eis_simulate(env, argc, argv);
    return cli_usage_error(env, "eis: unknown subcommand '%s' (fit, drt, kk, simulate)", sub);
}
