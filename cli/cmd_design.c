/* ssbnet design list|compare (and optimise: cmd_design_optimise, cli/cmd_design_opt.c): the interface strategies of the
 * review's Table 1 (include/ssbnet/ssb_design.h holds their physics). Also the short "strategies that would help
 * this cell most" table that `ssbnet run` ends with (cli_design_suggest). */
#include "cli.h"
#include "cli_dist.h"
#include "cli_design.h"
#include "cli_opts.h"
#include "cli_report.h"

#include <ssbnet/ssb_design.h>
#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_units.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* `design optimise` lives in its own file (the opt scope); weak so that this group links without it. */
__attribute__((weak)) int cmd_design_optimise(cli_env *env, int argc, char **argv);
/* The HTML report writer of the opt scope, when built (include/ssbnet/ssb_html.h). */

static void design_help(void)
{
    printf("usage: ssbnet design list [--json]\n"
           "       ssbnet design compare [CELL.json] [--strategies a,b] [--rate C] [-o DIR] [--json]\n"
           "       ssbnet design compare ... --shard I/N --json > part_I.json   (share I of N; job arrays)\n"
           "       ssbnet design merge PART.json... [-o DIR] [--json]\n"
           "       ssbnet design optimise ...   (see 'ssbnet design optimise --help')\n\n"
           "The interface strategies of the review's Table 1 as named, parameterised modifiers of a cell.\n"
           "  list     every strategy: whether the physics it acts through exists in this build (else why not),\n"
           "           its mechanism, sources and parameters (range, default strength)\n"
           "  compare  the baseline cell and each strategy through the whole chain (structure -> networks ->\n"
           "           effective properties -> cell -> interfaces), ranked by stack Wh/kg at the target rate,\n"
           "           with power capability, critical stripping current, aged interface resistance and the\n"
           "           overpotential breakdown before and after (which bottleneck moved, by how much).\n"
           "           Without a file: the built-in default cell; without --strategies: every available one.\n"
           "           Under mpirun -n N the variants are shared between the ranks (rank 0 prints and writes): the\n"
           "           report is the one-process one, bit for bit at the same OMP_NUM_THREADS per process.\n"
           "           --shard I/N evaluates share I (0 to N-1) of N only, for job arrays without MPI.\n"
           "  merge    the part files of every share of one comparison (any order) into exactly the report of\n"
           "           'design compare' on one process (table, --json, -o DIR).\n\n");
}

/* ------------------------------------------------------------------------------------------- list */

static cJSON *strategy_json(const ssb_design_strategy *s, int avail, const char *reason)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddBoolToObject(o, "available", avail);
    if (!avail) cJSON_AddStringToObject(o, "reason", reason);
    cJSON_AddStringToObject(o, "title", s->title);
    cJSON_AddStringToObject(o, "mechanism", s->mechanism);
    cJSON_AddStringToObject(o, "sources", s->sources);
    cJSON_AddBoolToObject(o, "reuses_structure", s->reuses_structure);
    cJSON *ps = cJSON_AddArrayToObject(o, "parameters");
    for (int k = 0; k < s->nparams; k++) {
        const ssb_design_param *p = &s->params[k];
        cJSON *q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "name", p->name);
        cJSON_AddStringToObject(q, "unit", p->unit);
        cJSON_AddNumberToObject(q, "min", p->lo);
        cJSON_AddNumberToObject(q, "max", p->hi);
        cJSON_AddNumberToObject(q, "neutral", p->neutral);
        cJSON_AddNumberToObject(q, "default", p->deflt);
        cJSON_AddStringToObject(q, "meaning", p->meaning);
        cJSON_AddItemToArray(ps, q);
    }
    return o;
}

static int load_db(cli_env *env, ssb_materials **db)
{
    int r = ssb_materials_create(env->ctx, db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, *db);
    return r == SSB_OK ? 0 : cli_fail(env, r);
}

static int list_cmd(cli_env *env, int argc, char **argv)
{
    cli_optval val[1];
    int rc = cli_opts_parse(env, "design list", NULL, 0, argc, argv, 2, val, NULL, 0, NULL, NULL, NULL);
    if (rc) return rc;
    ssb_materials *db = NULL;
    if ((rc = load_db(env, &db))) return rc;
    cJSON *json = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(json, "strategies");
    static const char *hd[] = {"strategy", "available", "what", "parameters (default [range])"};
    cli_table *t = cli_table_create(4, hd);
    char reasons[8192] = "";
    size_t rl = 0;
    for (int i = 0; i < ssb_design_strategy_count(); i++) {
        const ssb_design_strategy *s = ssb_design_strategy_at(i);
        char reason[SSB_DESIGN_NOTE_LEN];
        int avail = ssb_design_strategy_available(env->ctx, db, i, reason, sizeof reason);
        cJSON_AddItemToArray(arr, strategy_json(s, avail, reason));
        char par[512] = "";
        size_t pl = 0;
        for (int k = 0; k < s->nparams && pl < sizeof par; k++) {
            const ssb_design_param *p = &s->params[k];
            int u = strcmp(p->unit, "-") != 0;
            pl += (size_t)snprintf(par + pl, sizeof par - pl, "%s%s=%g%s%s [%g to %g]", k ? ", " : "", p->name,
                                   p->deflt, u ? " " : "", u ? p->unit : "", p->lo, p->hi);
        }
        const char *row[4] = {s->name, avail ? "yes" : "no", s->title, par};
        cli_table_add_row(t, row);
        if (!avail && rl < sizeof reasons)
            rl += (size_t)snprintf(reasons + rl, sizeof reasons - rl, "  %s: %s\n", s->name, reason);
    }
    if (env->json) {
        cli_json_print(json);
    } else {
        printf("interface strategies (review Table 1); 'ssbnet design list --json' gives mechanisms and sources\n");
        cli_table_print(t, stdout);
        if (rl) printf("\nnot available (the physics they act through is not in this build):\n%s", reasons);
        cJSON_Delete(json);
    }
    cli_table_destroy(&t);
    ssb_materials_destroy(&db);
    return 0;
}

/* ------------------------------------------------------------------------------------------- compare */

enum { C_STRAT, C_RATE, C_OUT, C_PARAM, C_SET, C_SIZE, C_SEED, C_VOXEL, C_CUTOFF, C_PRESSURE, C_SHARD, C_COUNT };
static const cli_opt compare_opts[C_COUNT] = {
    [C_STRAT] = {"--strategies", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
                 "comma-separated strategy names (default: every available one; 'ssbnet design list')", NULL},
    [C_RATE] = {"--rate", NULL, CLI_OPT_DOUBLE, "C", "C", 1e-3, 100, "target C-rate of the ranking (default 1)", NULL},
    [C_OUT] = {"--output", "-o", CLI_OPT_STRING, "DIR", NULL, 0, 0,
               "output folder: compare.json and report.html (created only when the comparison succeeds)", NULL},
    [C_PARAM] = {"--param", NULL, CLI_OPT_MULTI, "S.P=V", NULL, 0, 0,
                 "a strategy parameter in its unit (coating.thickness_nm=5); repeatable", NULL},
    [C_SET] = {"--set", NULL, CLI_OPT_MULTI, "KEY=VALUE", NULL, 0, 0,
               "set a cell key of the baseline in its JSON units (positive.thickness_um=80); repeatable", NULL},
    [C_SIZE] = {"--size", NULL, CLI_OPT_INT, "N", "voxels", 16, 1024,
                "in-plane cross-section of the generated cathode (default 96)", NULL},
    [C_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, 0, 9.007199254740992e15,
                "seed of the generated cathodes (default 1)", NULL},
    [C_VOXEL] = {"--voxel-um", NULL, CLI_OPT_DOUBLE, "H", "um", 1e-3, 100,
                 "voxel size (default: CAM diameter / 12.5)", NULL},
    [C_CUTOFF] = {"--cutoff", NULL, CLI_OPT_DOUBLE, "V", "V", 0.5, 6, "discharge cut-off voltage (default 3.5)", NULL},
    [C_PRESSURE] = {"--pressure", NULL, CLI_OPT_DOUBLE, "P", "MPa", 0, 100,
                    "baseline stack pressure (default 1)", NULL},
    [C_SHARD] = {"--shard", NULL, CLI_OPT_STRING, "I/N", NULL, 0, 0,
                 "evaluate share I (0 to N-1) of N of the variants only; --json prints it as a part file for "
                 "'design merge'", NULL},
};

/* --strategies a,b,c and --param s.p=v into choices (n <= max). Unknown names: exit 8 with the closest. */
static int parse_choices(cli_env *env, const ssb_materials *db, const cli_optval *val, ssb_design_choice *ch, int max,
                         int *n)
{
    *n = 0;
    if (val[C_STRAT].given) {
        char buf[2048];
        snprintf(buf, sizeof buf, "%s", val[C_STRAT].str);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            int idx;
            int r = ssb_design_strategy_find(env->ctx, tok, &idx);
            if (r != SSB_OK) return cli_fail(env, r);
            for (int i = 0; i < *n; i++)
                if (ch[i].strategy == idx) return cli_usage_error(env, "option --strategies: '%s' is given twice", tok);
            if (*n >= max) return cli_usage_error(env, "option --strategies: more than %d strategies", max);
            ch[*n].strategy = idx;
            for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++) ch[*n].values[k] = NAN;
            (*n)++;
        }
        if (*n == 0) return cli_usage_error(env, "option --strategies: no strategy named");
    } else {
        for (int i = 0; i < ssb_design_strategy_count() && *n < max; i++) {
            if (!ssb_design_strategy_available(env->ctx, db, i, NULL, 0)) continue;
            ch[*n].strategy = i;
            for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++) ch[*n].values[k] = NAN;
            (*n)++;
        }
    }
    for (int j = 0; j < val[C_PARAM].n; j++) {
        const char *kv = val[C_PARAM].multi[j];
        const char *dot = strchr(kv, '.'), *eq = strchr(kv, '=');
        if (!dot || !eq || eq < dot)
            return cli_usage_error(env, "option --param: '%s' is not STRATEGY.PARAMETER=VALUE", kv);
        char name[SSB_DESIGN_NAME_LEN], pname[SSB_DESIGN_NAME_LEN];
        snprintf(name, sizeof name, "%.*s", (int)(dot - kv), kv);
        snprintf(pname, sizeof pname, "%.*s", (int)(eq - dot - 1), dot + 1);
        double x;
        int r = cli_parse_double(env, "--param", eq + 1, &x);
        if (r) return r;
        int idx;
        if ((r = ssb_design_strategy_find(env->ctx, name, &idx)) != SSB_OK) return cli_fail(env, r);
        int i = 0;
        while (i < *n && ch[i].strategy != idx) i++;
        if (i == *n)
            return cli_usage_error(env, "option --param: strategy '%s' is not among the compared ones", name);
        const ssb_design_strategy *s = ssb_design_strategy_at(idx);
        int k = 0;
        while (k < s->nparams && strcmp(s->params[k].name, pname)) k++;
        if (k == s->nparams) {
            char list[256] = "";
            size_t l = 0;
            for (int q = 0; q < s->nparams && l < sizeof list; q++)
                l += (size_t)snprintf(list + l, sizeof list - l, "%s%s", q ? ", " : "", s->params[q].name);
            fprintf(stderr, "ssbnet: error: strategy %s has no parameter '%s' (parameters: %s)\n", name, pname, list);
            return CLI_EXIT_NOTFOUND;
        }
        ch[i].values[k] = x;
    }
    return 0;
}

static const char *fmtv(char *buf, size_t n, double x, const char *fmt)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, x);
    return buf;
}

/* The loss that changed most from the baseline to v (index), with its change [V]. */
static int largest_change(const ssb_design_metrics *b, const ssb_design_metrics *m, double *delta)
{
    int best = 0;
    *delta = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        double d = m->breakdown.loss[k] - b->breakdown.loss[k];
        if (fabs(d) > fabs(*delta)) {
            *delta = d;
            best = k;
        }
    }
    return best;
}

static cJSON *variant_json(const ssb_design_variant *v, const ssb_design_metrics *base)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddNumberToObject(o, "rank", v->rank);
    cJSON *rb = cJSON_AddObjectToObject(o, "rank_by");
    for (int c = 0; c < SSB_DESIGN_NCRITERIA; c++) cJSON_AddNumberToObject(rb, ssb_design_criterion_name(c), v->rank_by[c]);
    cJSON_AddBoolToObject(o, "ok", v->ok);
    if (v->strategy >= 0) {
        const ssb_design_strategy *s = ssb_design_strategy_at(v->strategy);
        cJSON *p = cJSON_AddObjectToObject(o, "parameters");
        for (int k = 0; k < s->nparams; k++) cli_json_add_number(p, s->params[k].name, v->values[k]);
    }
    if (!v->ok) {
        cJSON_AddStringToObject(o, "error", v->error);
        return o;
    }
    cJSON_AddBoolToObject(o, "reused_structure", v->strategy < 0 ? 0 : v->reused);
    const ssb_design_metrics *m = &v->m;
    cJSON_AddNumberToObject(o, "c_rate", m->rate);
    cJSON_AddBoolToObject(o, "sustained", m->sustained);
    for (int i = 0; i < ssb_design_metric_count(); i++) {
        const ssb_design_metric_info *mi = ssb_design_metric_at(i);
        double x = NAN;
        ssb_design_metric_value(NULL, m, mi->name, &x);
        cli_json_add_number(o, mi->name, x);
    }
    cJSON_AddStringToObject(o, "bottleneck", ssb_cell_loss_name(m->bottleneck));
    cJSON_AddItemToObject(o, "mean_breakdown", cli_report_breakdown_json(&m->breakdown));
    if (m->ccs_available) cJSON_AddBoolToObject(o, "ccs_beyond_model_range", m->ccs >= SSB_MECH_J_MAX);
    if (!m->ccs_available || m->ccs_note[0]) cJSON_AddStringToObject(o, "anode_note", m->ccs_note);
    if (!m->aged_available || m->aged_note[0]) cJSON_AddStringToObject(o, "ageing_note", m->aged_note);
    if (base && v->strategy >= 0) {
        double d;
        int k = largest_change(base, m, &d);
        cJSON *c = cJSON_AddObjectToObject(o, "bottleneck_moved");
        cJSON_AddStringToObject(c, "from", ssb_cell_loss_name(base->bottleneck));
        cJSON_AddStringToObject(c, "to", ssb_cell_loss_name(m->bottleneck));
        cJSON_AddStringToObject(c, "largest_change", ssb_cell_loss_name((ssb_cell_loss)k));
        cli_json_add_number(c, "before_V", base->breakdown.loss[k]);
        cli_json_add_number(c, "after_V", m->breakdown.loss[k]);
        cli_json_add_number(c, "change_V", d);
        cJSON *dl = cJSON_AddObjectToObject(o, "breakdown_change_V");
        for (int q = 0; q < SSB_CELL_LOSS_COUNT; q++)
            cli_json_add_number(dl, ssb_cell_loss_name((ssb_cell_loss)q), m->breakdown.loss[q] - base->breakdown.loss[q]);
    }
    return o;
}

/* What a strategy that leaves the discharge unchanged moved instead. */
static const char *acts_on(const ssb_design_metrics *b, const ssb_design_metrics *m)
{
    if (m->ccs_available && m->ccs != b->ccs) return "critical stripping current";
    if (!(m->ccd_effective == b->ccd_effective) && !(isnan(m->ccd_effective) && isnan(b->ccd_effective)))
        return "plating CCD (electronic leakage)";
    if (!(m->R_pos_aged == b->R_pos_aged)) return "aged cathode interface";
    if (!(m->R_neg_aged == b->R_neg_aged)) return "aged anode interface";
    return "nothing measured here";
}

/* A critical stripping current in mA/cm2 for the text: ">= 100" where the evaluation capped it at the model's range. */
static const char *fmt_ccs(char *buf, size_t n, const ssb_design_metrics *m)
{
    if (!m->ccs_available) return fmtv(buf, n, NAN, "%.3g");
    if (m->ccs >= SSB_MECH_J_MAX) {
        snprintf(buf, n, ">= %g", ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, SSB_MECH_J_MAX));
        return buf;
    }
    return fmtv(buf, n, ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccs), "%.3g");
}

/* What a strategy moved besides the overpotentials, baseline -> variant with units, into buf ("" when nothing). */
static const char *moved_else(const ssb_design_metrics *b, const ssb_design_metrics *m, char *buf, size_t n)
{
    size_t l = 0;
    char c0[32], c1[32];
    buf[0] = '\0';
    if (m->ccs_available && b->ccs_available && (m->ccs != b->ccs || (m->ccs >= SSB_MECH_J_MAX && m->pressure !=
                                                                        b->pressure)) && l < n)
        l += (size_t)snprintf(buf + l, n - l, "%scritical stripping current %s -> %s mA/cm2%s", l ? ", " : "",
                              fmt_ccs(c0, sizeof c0, b), fmt_ccs(c1, sizeof c1, m),
                              m->ccs >= SSB_MECH_J_MAX ? " (beyond the model's range)" : "");
    if (isfinite(m->ccd_effective) && isfinite(b->ccd_effective) && m->ccd_effective != b->ccd_effective && l < n)
        l += (size_t)snprintf(buf + l, n - l, "%seffective plating CCD %.6g -> %.6g mA/cm2", l ? ", " : "",
                              ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, b->ccd_effective),
                              ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccd_effective));
    if (isfinite(m->R_pos_aged) && isfinite(b->R_pos_aged) && m->R_pos_aged != b->R_pos_aged && l < n)
        l += (size_t)snprintf(buf + l, n - l, "%saged cathode|SE resistance %.4g -> %.4g ohm cm2 (retention %.3f -> %.3f)",
                              l ? ", " : "", ssb_unit_from_si(SSB_UNIT_OHM_CM2, b->R_pos_aged),
                              ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_pos_aged), b->retention_aged, m->retention_aged);
    if (isfinite(m->R_neg_aged) && isfinite(b->R_neg_aged) && m->R_neg_aged != b->R_neg_aged && l < n)
        snprintf(buf + l, n - l, "%saged anode|SE resistance %.4g -> %.4g ohm cm2", l ? ", " : "",
                 ssb_unit_from_si(SSB_UNIT_OHM_CM2, b->R_neg_aged), ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_neg_aged));
    return buf;
}

/* The ranked table and the bottleneck moves, into out. */
static void compare_text(const ssb_design_comparison *cmp, double rate, FILE *out)
{
    enum { NC = 12 };
    static const char *hd[NC] = {"rank", "variant", "stack [Wh/kg]", "stack [Wh/L]", "capacity [mAh/cm2]",
                                 "power [C]", "CCS [mA/cm2]", "plating CCD eff. [mA/cm2]", "R aged [ohm cm2]",
                                 "retention aged [-]", "bottleneck (mean loss [mV])", "structure"};
    cli_table *t = cli_table_create(NC, hd);
    for (int r = 1; r <= cmp->n; r++)
        for (int i = 0; i < cmp->n; i++) {
            const ssb_design_variant *v = &cmp->v[i];
            if (v->rank != r) continue;
            const ssb_design_metrics *m = &v->m;
            char c[NC][96];
            snprintf(c[0], sizeof c[0], "%d", v->rank);
            snprintf(c[1], sizeof c[1], "%s", v->name);
            if (!v->ok) {
                for (int k = 2; k < NC; k++) snprintf(c[k], sizeof c[k], "-");
                snprintf(c[10], sizeof c[10], "%s (see below)",
                         v->error_code == SSB_ERR_UNSUPPORTED ? "not applicable" : "failed");
            } else {
                fmtv(c[2], sizeof c[2], m->wh_per_kg, "%.1f");
                fmtv(c[3], sizeof c[3], m->wh_per_l, "%.1f");
                fmtv(c[4], sizeof c[4], ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, m->capacity), "%.4g");
                fmtv(c[5], sizeof c[5], m->power_rate, "%g");
                fmt_ccs(c[6], sizeof c[6], m);
                fmtv(c[7], sizeof c[7], ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccd_effective), "%.3g");
                fmtv(c[8], sizeof c[8], ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_pos_aged), "%.4g");
                fmtv(c[9], sizeof c[9], m->retention_aged, "%.3f");
                snprintf(c[10], sizeof c[10], "%s (%.3g)", ssb_cell_loss_name(m->bottleneck),
                         ssb_unit_from_si(SSB_UNIT_MV, m->bottleneck_loss));
                snprintf(c[11], sizeof c[11], "%s", v->strategy < 0 ? "measured" : v->reused ? "reused" : "measured");
                if (!m->sustained) { /* as `cell rates`: no energy or capacity at a rate the cell cannot carry */
                    snprintf(c[2], sizeof c[2], "-");
                    snprintf(c[3], sizeof c[3], "-");
                    snprintf(c[4], sizeof c[4], "not sustained");
                }
            }
            const char *row[NC];
            for (int k = 0; k < NC; k++) row[k] = c[k];
            cli_table_add_row(t, row);
        }
    fprintf(out, "design comparison at %gC (ranked by stack energy; R aged: cathode|SE per CAM|SE area)\n", rate);
    const ssb_design_metrics *b0 = &cmp->v[0].m;
    if (cmp->v[0].ok && b0->micro) /* why the baseline differs from `cell rates` on the same file */
        fprintf(out, "baseline: the cell on its generated and measured cathode (ionic tau %.3g, active CAM %.3f), as "
                     "'ssbnet run'; 'ssbnet cell rates' uses the file's Bruggeman values "
                     "(\"microstructure\": {\"enabled\": false} gives those here)\n",
                b0->tau_ion, b0->active_fraction);
    cli_table_print(t, out);
    cli_table_destroy(&t);
    int nokg = 0, nsus = 0;
    for (int i = 0; i < cmp->n; i++) nokg |= cmp->v[i].ok && isnan(cmp->v[i].m.wh_per_kg);
    for (int i = 0; i < cmp->n; i++) nsus += cmp->v[i].ok && !cmp->v[i].m.sustained;
    if (nsus)
        fprintf(out, "(not sustained: at %gC the voltage under load is at the cut-off from the start; 'ssbnet cell rates' "
                     "gives the overpotentials there)\n", rate);
    if (nokg)
        fprintf(out, "(stack Wh/kg '-': the cell lacks a mass density, which 'ssbnet cell rates' names; ranked by areal "
                     "energy instead)\n");
    int capped = 0;
    for (int i = 0; i < cmp->n; i++) capped |= cmp->v[i].ok && cmp->v[i].m.ccs_available && cmp->v[i].m.ccs >= SSB_MECH_J_MAX;
    if (capped)
        fprintf(out, "(CCS '>= 100': beyond the stripping model's range, counted as 100 mA/cm2; the p^6.6 creep law "
                     "overstates the CCS above ~5 MPa, where Li creep into the SE limits; JSON anode_note)\n");
    if (cmp->v[0].ok && b0->aged_available && b0->aged_note[0])
        fprintf(out, "(aged figures: %s)\n", b0->aged_note);
    const ssb_design_metrics *b = &cmp->v[0].m;
    fprintf(out, "\nwhat each strategy moved (mean overpotentials at %gC, baseline -> variant)\n", rate);
    for (int i = 1; i < cmp->n; i++) {
        const ssb_design_variant *v = &cmp->v[i];
        if (!v->ok) {
            fprintf(out, "  %-20s %s%s\n", v->name, v->error_code == SSB_ERR_UNSUPPORTED ? "" : "failed: ", v->error);
            continue;
        }
        double d;
        int k = largest_change(b, &v->m, &d);
        char other[512];
        moved_else(b, &v->m, other, sizeof other);
        if (d == 0) {
            fprintf(out, "  %-20s no overpotential changed; %s\n", v->name,
                    other[0] ? other : "nothing else measured here changed either");
            continue;
        }
        fprintf(out, "  %-20s %s %.4g -> %.4g mV (%+.3g mV); bottleneck %s -> %s%s%s\n", v->name,
                ssb_cell_loss_name((ssb_cell_loss)k), ssb_unit_from_si(SSB_UNIT_MV, b->breakdown.loss[k]),
                ssb_unit_from_si(SSB_UNIT_MV, v->m.breakdown.loss[k]), ssb_unit_from_si(SSB_UNIT_MV, d),
                ssb_cell_loss_name(b->bottleneck), ssb_cell_loss_name(v->m.bottleneck), other[0] ? "; " : "", other);
    }
}

static cJSON *comparison_json(const ssb_design_comparison *cmp, const char *cell)
{
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "version", ssb_version());
    cJSON_AddStringToObject(json, "cell_file", cell ? cell : "built-in default");
    cJSON_AddNumberToObject(json, "c_rate", cmp->v[0].m.rate);
    cJSON *arr = cJSON_AddArrayToObject(json, "variants");
    for (int i = 0; i < cmp->n; i++) cJSON_AddItemToArray(arr, variant_json(&cmp->v[i], i ? &cmp->v[0].m : NULL));
    return json;
}

/* DIR/compare.json and DIR/report.html, both or neither; the folder created only now (removed again if it was new
 * and a write fails). */
static int write_dir(cli_env *env, const char *dir, cJSON *json, const ssb_design_comparison *cmp)
{
    int created = mkdir(dir, 0777) == 0;
    if (!created && errno != EEXIST) {
        fprintf(stderr, "ssbnet: error: cannot create output folder '%s': %s\n", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    char pj[4200], ph[4200];
    snprintf(pj, sizeof pj, "%s/compare.json", dir);
    snprintf(ph, sizeof ph, "%s/report.html", dir);
    cli_outset os = {0};
    const char *tj = cli_outset_add(env, &os, pj);
    const char *th = tj ? cli_outset_add(env, &os, ph) : NULL;
    int rc = tj && th ? 0 : os.err;
    char *txt = rc ? NULL : cJSON_Print(json);
    if (!rc && !txt) rc = CLI_EXIT_NOMEM;
    if (!rc) {
        FILE *f = fopen(tj, "w");
        if (!f || fputs(txt, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "ssbnet: error: cannot write '%s': %s\n", pj, strerror(errno));
            rc = CLI_EXIT_IO;
        }
    }
    free(txt);
    if (!rc) {
        int r = ssb_design_comparison_write_html(env->ctx, cmp, "ssbnet design compare", th);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) rc = cli_outset_commit(env, &os);
    if (rc) {
        cli_outset_abort(&os);
        if (created) rmdir(dir);
    }
    return rc;
}

/* The report of a whole comparison (compare, merge): the table or --json on stdout, -o DIR written by rank 0 only
 * (under mpirun every rank holds the comparison). */
static int report_comparison(cli_env *env, const ssb_design_comparison *cmp, const char *cellfile, double rate,
                             const char *dir)
{
    int rc = 0;
    cJSON *json = comparison_json(cmp, cellfile);
    if (dir && ssb_dist_rank() == 0) rc = write_dir(env, dir, json, cmp);
    if (!rc) {
        if (env->json) {
            cli_json_print(json);
            json = NULL;
        } else {
            compare_text(cmp, rate, stdout);
            if (dir) printf("\nwrote %s/: compare.json, report.html\n", dir);
        }
    }
    cJSON_Delete(json);
    return rc;
}

/* One share (--shard): the part file with --json, else which variants this share evaluated. */
static int report_share(cli_env *env, const ssb_design_comparison *cmp, const char *cellfile)
{
    if (env->json) {
        cli_json_print(cli_design_part_json(cmp, cellfile));
        return 0;
    }
    int here = 0;
    for (int i = 0; i < cmp->n; i++) here += cmp->v[i].evaluated;
    printf("design compare: share %d of %d (shards 0 to %d): %d of %d variants evaluated here\n", cmp->shard,
           cmp->nshards, cmp->nshards - 1, here, cmp->n);
    for (int i = 0; i < cmp->n; i++)
        if (cmp->v[i].evaluated)
            printf("  %-20s %s\n", cmp->v[i].name, cmp->v[i].ok ? "ok" : cmp->v[i].error);
    printf("write each share with --json to a file and join them with 'ssbnet design merge PART.json...'\n");
    return 0;
}

static int compare_cmd(cli_env *env, int argc, char **argv)
{
    cli_optval val[C_COUNT];
    const char *pos[1] = {NULL};
    int npos = 0;
    int rc = cli_opts_parse(env, "design compare", compare_opts, C_COUNT, argc, argv, 2, val, pos, 1, &npos, NULL,
                            NULL);
    if (rc) return rc;
    const char *cellfile = npos ? pos[0] : NULL;
    int shard = 0, nshards = 0;
    if (val[C_SHARD].given) {
        if ((rc = cli_design_parse_shard(env, val[C_SHARD].str, &shard, &nshards))) return rc;
        if (val[C_OUT].given)
            return cli_usage_error(env, "option --shard: -o writes the whole comparison; give it to 'design merge'");
        if (ssb_dist_size() > 1)
            return cli_usage_error(env, "option --shard: a share runs on one process (under mpirun the ranks share "
                                        "the variants by themselves)");
    }
    ssb_materials *db = NULL;
    if ((rc = load_db(env, &db))) return rc;
    uint64_t cell_digest = 0; /* the cell file's text: the OCV and other functions that the library's digest lacks */
    ssb_cell_params *p = NULL;
    ssb_run_params rp = ssb_run_params_default();
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    int r = SSB_OK;
    if (cellfile) {
        char *text = cli_read_file(cellfile);
        if (!text) {
            fprintf(stderr, "ssbnet: error: cannot read cell file '%s': %s\n", cellfile, strerror(errno));
            ssb_materials_destroy(&db);
            return CLI_EXIT_IO;
        }
        cell_digest = ssb_design_digest_mix(0, text, strlen(text));
        r = ssb_cell_params_from_json_string(env->ctx, db, text, cellfile, &p);
        if (r == SSB_OK) r = ssb_run_params_from_json_string(env->ctx, text, cellfile, &rp);
        free(text);
    } else {
        r = ssb_cell_params_default(env->ctx, db, &p);
    }
    if (r != SSB_OK) rc = cli_fail(env, r);
    for (int i = 0; i < val[C_SET].n && !rc; i++) {
        const char *kv = val[C_SET].multi[i], *eq = strchr(kv, '=');
        char key[128];
        double x;
        if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
            rc = cli_usage_error(env, "option --set: '%s' is not KEY=VALUE", kv);
            break;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        if ((rc = cli_parse_double(env, "--set", eq + 1, &x))) break;
        if ((r = ssb_cell_params_set(env->ctx, p, key, x)) != SSB_OK) rc = cli_fail(env, r);
    }
    if (val[C_RATE].given) ep.rate = val[C_RATE].num;
    if (ep.ref_rate > ep.rate) ep.ref_rate = ep.rate;
    if (val[C_SIZE].given) rp.cross_section = (int64_t)val[C_SIZE].num;
    if (val[C_SEED].given) rp.seed = (uint64_t)val[C_SEED].num;
    if (val[C_VOXEL].given) rp.voxel_size = ssb_unit_to_si(SSB_UNIT_UM, val[C_VOXEL].num);
    if (val[C_CUTOFF].given) rp.cutoff = val[C_CUTOFF].num;
    if (val[C_PRESSURE].given) ep.stack_pressure = ssb_unit_to_si(SSB_UNIT_MPA, val[C_PRESSURE].num);
    enum { MAXCH = 64 };
    ssb_design_choice ch[MAXCH];
    int nch = 0;
    if (!rc) rc = parse_choices(env, db, val, ch, MAXCH, &nch);
    ssb_design_comparison cmp = {0};
    if (!nshards) rc = cli_dist_sync(env, rc); /* every rank, before the collective comparison */
    if (!rc) {
        /* a share (job arrays), or the whole comparison: shared between the ranks under mpirun */
        if (nshards)
            r = ssb_design_compare_shard(env->ctx, db, p, &rp, &ep, nch, ch, shard, nshards, &cmp);
        else
            r = ssb_dist_design_compare(env->ctx, db, p, &rp, &ep, nch, ch, &cmp);
        cli_progress_done();
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc && nshards) {
        cmp.digest = ssb_design_digest_mix(cmp.digest, &cell_digest, sizeof cell_digest);
        rc = report_share(env, &cmp, cellfile);
    } else if (!rc) {
        rc = report_comparison(env, &cmp, cellfile, ep.rate, val[C_OUT].given ? val[C_OUT].str : NULL);
    }
    ssb_design_comparison_destroy(&cmp);
    ssb_cell_params_destroy(&p);
    ssb_materials_destroy(&db);
    return rc;
}

/* ------------------------------------------------------------------------------------------- merge */

enum { M_OUT, M_COUNT };
static const cli_opt merge_opts[M_COUNT] = {
    [M_OUT] = {"--output", "-o", CLI_OPT_STRING, "DIR", NULL, 0, 0,
               "output folder: compare.json and report.html, as 'design compare -o DIR'", NULL},
};

static int merge_cmd(cli_env *env, int argc, char **argv)
{
    cli_optval val[M_COUNT];
    const char **pos = calloc(SSB_DESIGN_MAX_SHARDS, sizeof *pos);
    if (!pos) return CLI_EXIT_NOMEM;
    int npos = 0;
    int rc = cli_opts_parse(env, "design merge", merge_opts, M_COUNT, argc, argv, 2, val, pos, SSB_DESIGN_MAX_SHARDS,
                            &npos, NULL, NULL);
    if (!rc && npos == 0)
        rc = cli_usage_error(env, "design merge: no part files (those of 'design compare --shard I/N --json')");
    ssb_design_comparison *parts = rc ? NULL : calloc((size_t)npos, sizeof *parts);
    if (!rc && !parts) rc = CLI_EXIT_NOMEM;
    char cellfile[4096] = "", other[4096];
    for (int k = 0; k < npos && !rc; k++)
        rc = cli_design_part_read(env, pos[k], &parts[k], k ? other : cellfile, k ? sizeof other : sizeof cellfile);
    ssb_design_comparison cmp = {0};
    if (!rc) {
        int r = ssb_design_comparison_merge(env->ctx, npos, parts, pos, &cmp);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) rc = report_comparison(env, &cmp, cellfile, cmp.v[0].m.rate, val[M_OUT].given ? val[M_OUT].str : NULL);
    ssb_design_comparison_destroy(&cmp);
    for (int k = 0; parts && k < npos; k++) ssb_design_comparison_destroy(&parts[k]);
    free(parts);
    free(pos);
    return rc;
}

/* ------------------------------------------------------------------------------------------- run's ending */

int cli_design_suggest(cli_env *env, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *rp,
                       const ssb_run_result *res, double rate, cJSON *json, FILE *out)
{
    ssb_design_choice ch[32];
    int n = 0;
    for (int i = 0; i < ssb_design_strategy_count() && n < 32; i++) {
        const ssb_design_strategy *s = ssb_design_strategy_at(i);
        if (!s->reuses_structure || !ssb_design_strategy_available(env->ctx, db, i, NULL, 0)) continue;
        ch[n].strategy = i;
        for (int k = 0; k < SSB_DESIGN_MAX_PARAMS; k++) ch[n].values[k] = NAN;
        n++;
    }
    ssb_design_eval_params ep = ssb_design_eval_params_default();
    ep.rate = rate;
    if (ep.ref_rate > rate) ep.ref_rate = rate;
    ep.npower = 0; /* no power ladder: the energy at the rate, the CCS and the aged capacity rank them */
    ssb_design_comparison cmp = {0};
    int r = ssb_design_compare_on(env->ctx, db, cell, res, rp, &ep, n, ch, &cmp);
    cli_progress_done();
    if (r != SSB_OK) {
        /* the run itself succeeded: its report stands, the suggestion says why it is missing */
        cJSON_AddStringToObject(json, "top_strategies_note", ssb_ctx_get_error(env->ctx));
        if (out) fprintf(out, "\nstrategies: not ranked: %s\n", ssb_ctx_get_error(env->ctx));
        ssb_ctx_clear_error(env->ctx);
        return 0;
    }
    const ssb_design_metrics *b = &cmp.v[0].m;
    cJSON *arr = cJSON_AddArrayToObject(json, "top_strategies");
    static const char *hd[] = {"strategy", "energy before [Wh/kg]", "energy after [Wh/kg]", "what moved"};
    cli_table *t = cli_table_create(4, hd);
    int shown = 0;
    for (int rk = 1; rk <= cmp.n && shown < 3; rk++)
        for (int i = 1; i < cmp.n && shown < 3; i++) {
            const ssb_design_variant *v = &cmp.v[i];
            /* only what ranks above the baseline helps */
            if (v->rank != rk || !v->ok || v->rank > cmp.v[0].rank) continue;
            double d;
            int k = largest_change(b, &v->m, &d);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", v->name);
            cli_json_add_number(o, "energy_before_Wh_per_kg", b->wh_per_kg);
            cli_json_add_number(o, "energy_after_Wh_per_kg", v->m.wh_per_kg);
            cJSON_AddStringToObject(o, "largest_change", ssb_cell_loss_name((ssb_cell_loss)k));
            cli_json_add_number(o, "change_V", d);
            cJSON_AddItemToArray(arr, o);
            char e0[32], e1[32], mv[160];
            fmtv(e0, sizeof e0, b->wh_per_kg, "%.1f");
            fmtv(e1, sizeof e1, v->m.wh_per_kg, "%.1f");
            if (d != 0)
                snprintf(mv, sizeof mv, "%s %+.3g mV", ssb_cell_loss_name((ssb_cell_loss)k),
                         ssb_unit_from_si(SSB_UNIT_MV, d));
            else
                snprintf(mv, sizeof mv, "none at %gC (acts on: %s)", rate, acts_on(b, &v->m));
            cJSON_AddStringToObject(o, "acts_on", d != 0 ? "discharge" : acts_on(b, &v->m));
            const char *row[4] = {v->name, e0, e1, mv};
            cli_table_add_row(t, row);
            shown++;
        }
    if (out && shown == 0)
        fprintf(out, "\nstrategies: none of the cell-level ones improves this cell at %gC ('ssbnet design compare' "
                     "runs all)\n", rate);
    else if (out) {
        fprintf(out, "\nstrategies that would help this cell most at %gC (cell-level ones on this structure; "
                     "'ssbnet design compare' runs all)\n", rate);
        cli_table_print(t, out);
    }
    cli_table_destroy(&t);
    ssb_design_comparison_destroy(&cmp);
    return 0;
}

/* ------------------------------------------------------------------------------------------- dispatch */

int cmd_design(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        design_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "optimise") || !strcmp(argv[1], "optimize")) {
        if (!cmd_design_optimise)
            return cli_usage_error(env, "'design optimise' is not available in this build yet");
        return cmd_design_optimise(env, argc, argv);
    }
    if (strcmp(argv[1], "list") && strcmp(argv[1], "compare") && strcmp(argv[1], "merge"))
        return cli_usage_error(env, "unknown subcommand 'design %s' (list, compare, merge, optimise)", argv[1]);
    if (cli_opts_wants_help(argc, argv, 2)) {
        design_help();
        if (!strcmp(argv[1], "compare")) {
            printf("options of compare:\n");
            cli_opts_help(stdout, compare_opts, C_COUNT);
        } else if (!strcmp(argv[1], "merge")) {
            printf("options of merge:\n");
            cli_opts_help(stdout, merge_opts, M_COUNT);
        }
        return 0;
    }
    if (!strcmp(argv[1], "merge")) return merge_cmd(env, argc, argv);
    return !strcmp(argv[1], "list") ? list_cmd(env, argc, argv) : compare_cmd(env, argc, argv);
}
