/* ssbnet design optimise [CELL.json] --vary NAME=LO:HI[,...] --objective NAME [--constraint EXPR] [--rate C]:
 * argument parsing, one call of the library's optimiser (ssb_design_optimise, include/ssbnet/ssb_design_opt.h) and
 * the output: tables on stdout, one JSON object with --json, -o DIR with report.html and ragone.png. */
#include "cli_design_opt.h"
#include "cli_dist.h"
#include "cli_opts.h"

#include <ssbnet/ssb_design_opt.h>
#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_plot.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_VARY, O_OBJ, O_MIN, O_CONS, O_RATE, O_PRESSURE, O_MICRO, O_GRID, O_MAXEV, O_OUT, O_COUNT };
static const cli_opt opt_opts[O_COUNT] = {
    [O_VARY] = {"--vary", NULL, CLI_OPT_MULTI, "NAME=LO:HI[,...]", NULL, 0, 0,
                "design variable with its bounds in the key's units (cell key such as positive.thickness_um, "
                "positive.active_volume_fraction, separator.thickness_um; microstructure.KEY; stack_pressure_MPa); "
                "repeatable, 1 to 8 in all",
                NULL},
    [O_OBJ] = {"--objective", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0,
               "metric to maximise (default energy_Wh_per_kg; list under 'metrics' below)", NULL},
    [O_MIN] = {"--minimise", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "minimise the objective instead", NULL},
    [O_CONS] = {"--constraint", NULL, CLI_OPT_MULTI, "EXPR", NULL, 0, 0,
                "METRIC>=VALUE or METRIC<=VALUE, e.g. critical_stripping_current_mA_per_cm2>=1; repeatable, up to 8",
                NULL},
    [O_RATE] = {"--rate", NULL, CLI_OPT_DOUBLE, "C", "C", 1e-3, 100, "C-rate of the discharge (default 1)", NULL},
    [O_PRESSURE] = {"--pressure", NULL, CLI_OPT_DOUBLE, "P", "MPa", 0, 100,
                    "stack pressure when it is not a variable (default 1)", NULL},
    [O_MICRO] = {"--micro", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0,
                 "measure each design's microstructure (slow); default: the cell's Bruggeman relations", NULL},
    [O_GRID] = {"--grid", NULL, CLI_OPT_INT, "N", NULL, 2, 50, "grid points per variable of the global stage "
                                                               "(default 5; at most 400 designs)", NULL},
    [O_MAXEV] = {"--max-evals", NULL, CLI_OPT_INT, "N", NULL, 0, 10000,
                 "evaluations of the local stage (COBYLA; default 60)", NULL},
    [O_OUT] = {"--output", "-o", CLI_OPT_STRING, "DIR", NULL, 0, 0,
               "folder for report.html and ragone.png (created when the optimisation succeeds)", NULL},
};

static const char *mname(int k)
{
    const ssb_design_metric_info *in = ssb_design_metric_at(k);
    return in ? in->name : "?";
}

/* The evaluation counts a CCS beyond the stripping model's range as that range's end (ssb_design_evaluate). */
static int ccs_capped(const ssb_design_opt_result *res)
{
    for (int k = 0; k < ssb_design_metric_count(); k++)
        if (!strcmp(mname(k), "critical_stripping_current_mA_per_cm2"))
            return res->metric[k] >= SSB_MECH_J_MAX / 10.0; /* A/m2 -> mA/cm2 */
    return 0;
}

static void opt_help(void)
{
    printf("usage: ssbnet design optimise [CELL.json] --vary NAME=LO:HI[,...] [--objective NAME]\n"
           "                              [--constraint EXPR] [--rate C] [-o DIR] [--json]\n\n"
           "Maximise a metric of the cell at one C-rate over design variables within their bounds, under\n"
           "constraints on other metrics, with NLopt: a parallel grid over the variables, then COBYLA from the best\n"
           "grid design; reports the optimum, the objective, the active constraints and the sensitivity of the\n"
           "objective to each variable (central differences at the optimum, (dObj/dx)(x/Obj)). Without CELL.json the\n"
           "built-in default cell. Under mpirun -n N the grid and the sensitivity designs are shared between the\n"
           "ranks (COBYLA is sequential: its designs run on rank 0); the result is the one-process one, rank 0\n"
           "prints and writes.\n\noptions:\n");
    cli_opts_help(stdout, opt_opts, O_COUNT);
    printf("\nmetrics (objective and constraints):\n");
    for (int k = 0; k < ssb_design_metric_count(); k++)
        printf("  %-40s %s [%s]\n", mname(k), ssb_design_metric_at(k)->label, ssb_design_metric_at(k)->unit);
    printf("\nexamples:\n"
           "  ssbnet design optimise --vary positive.thickness_um=40:200 --objective energy_Wh_per_kg --rate 1\n"
           "  ssbnet design optimise cell.json --vary positive.thickness_um=40:200,stack_pressure_MPa=0.1:5 \\\n"
           "      --constraint critical_stripping_current_mA_per_cm2>=1 --json\n");
}

/* Cell and run blocks of the file (or the built-in default). Returns 0 or an exit status after a message. */
static int read_cell(cli_env *env, const char *cell, const ssb_materials *db, ssb_cell_params **p,
                     ssb_run_params *rp)
{
    if (!cell) {
        int r = ssb_cell_params_default(env->ctx, db, p);
        return r == SSB_OK ? 0 : cli_fail(env, r);
    }
    char *text = cli_read_file(cell);
    if (!text) {
        fprintf(stderr, "ssbnet: error: cannot read cell file '%s': %s\n", cell, strerror(errno));
        return CLI_EXIT_IO;
    }
    int r = ssb_cell_params_from_json_string(env->ctx, db, text, cell, p);
    if (r == SSB_OK)
        r = ssb_run_params_from_json_string(env->ctx, text, cell, rp);
    free(text);
    return r == SSB_OK ? 0 : cli_fail(env, r);
}

/* --vary values (each may hold several NAME=LO:HI separated by commas) into prm. */
static int parse_vars(cli_env *env, const cli_optval *v, ssb_design_opt_params *prm)
{
    if (!v->given)
        return cli_usage_error(env, "design optimise: no --vary NAME=LO:HI given");
    for (int i = 0; i < v->n; i++) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", v->multi[i]);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (prm->nvars == SSB_DESIGN_MAX_VARS)
                return cli_usage_error(env, "design optimise: more than %d variables", SSB_DESIGN_MAX_VARS);
            int r = ssb_design_var_parse(env->ctx, tok, &prm->vars[prm->nvars]);
            if (r == SSB_ERR_ARG)
                return cli_usage_error(env, "option --vary: %s", ssb_ctx_get_error(env->ctx));
            if (r != SSB_OK)
                return cli_fail(env, r);
            prm->nvars++;
        }
    }
    return 0;
}

static int parse_problem(cli_env *env, const cli_optval *val, ssb_design_opt_params *prm)
{
    int rc = parse_vars(env, &val[O_VARY], prm);
    if (!rc && val[O_OBJ].given) {
        int r = ssb_design_opt_metric_parse(env->ctx, val[O_OBJ].str, &prm->objective);
        if (r != SSB_OK)
            rc = cli_fail(env, r);
    }
    prm->minimise = val[O_MIN].given > 0;
    if (!rc && val[O_CONS].n > SSB_DESIGN_MAX_CONS)
        rc = cli_usage_error(env, "design optimise: more than %d constraints", SSB_DESIGN_MAX_CONS);
    for (int i = 0; i < val[O_CONS].n && !rc; i++) {
        int r = ssb_design_constraint_parse(env->ctx, val[O_CONS].multi[i], &prm->cons[prm->ncons]);
        if (r == SSB_ERR_ARG)
            rc = cli_usage_error(env, "option --constraint: %s", ssb_ctx_get_error(env->ctx));
        else if (r != SSB_OK)
            rc = cli_fail(env, r);
        else
            prm->ncons++;
    }
    if (val[O_RATE].given) prm->rate = val[O_RATE].num;
    if (val[O_PRESSURE].given) prm->pressure = ssb_unit_to_si(SSB_UNIT_MPA, val[O_PRESSURE].num);
    if (val[O_GRID].given) prm->grid_points = (int)val[O_GRID].num;
    if (val[O_MAXEV].given) prm->max_evals = (int)val[O_MAXEV].num;
    prm->run.micro = val[O_MICRO].given > 0;
    return rc;
}

static const char *cons_text(const ssb_design_constraint *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%g", mname(c->metric), c->upper ? "<=" : ">=", c->bound);
    return buf;
}

static cJSON *result_json(const ssb_design_opt_params *prm, const ssb_design_opt_result *res)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "objective_name", mname(prm->objective));
    cJSON_AddStringToObject(j, "sense", prm->minimise ? "minimise" : "maximise");
    cJSON_AddNumberToObject(j, "c_rate", prm->rate);
    cli_json_add_number(j, "objective", res->objective);
    cJSON *opt = cJSON_AddObjectToObject(j, "optimum"), *sens = cJSON_AddObjectToObject(j, "sensitivity");
    cJSON *bounds = cJSON_AddObjectToObject(j, "bounds"), *atb = cJSON_AddObjectToObject(j, "at_bound");
    for (int i = 0; i < prm->nvars; i++) {
        const char *nm = prm->vars[i].name;
        cli_json_add_number(opt, nm, res->x[i]);
        cli_json_add_number(sens, nm, res->sensitivity[i]);
        cJSON *b = cJSON_AddArrayToObject(bounds, nm);
        cJSON_AddItemToArray(b, cJSON_CreateNumber(prm->vars[i].lo));
        cJSON_AddItemToArray(b, cJSON_CreateNumber(prm->vars[i].hi));
        if (res->at_bound[i])
            cJSON_AddStringToObject(atb, nm, res->at_bound[i] < 0 ? "lower" : "upper");
        else
            cJSON_AddNullToObject(atb, nm);
    }
    cJSON *act = cJSON_AddArrayToObject(j, "active_constraints");
    char buf[160];
    for (int a = 0; a < res->nactive; a++)
        cJSON_AddItemToArray(act, cJSON_CreateString(cons_text(&prm->cons[res->active[a]], buf, sizeof buf)));
    cJSON *cons = cJSON_AddArrayToObject(j, "constraints");
    for (int i = 0; i < prm->ncons; i++)
        cJSON_AddItemToArray(cons, cJSON_CreateString(cons_text(&prm->cons[i], buf, sizeof buf)));
    cJSON *m = cJSON_AddObjectToObject(j, "metrics");
    for (int k = 0; k < ssb_design_metric_count(); k++)
        cli_json_add_number(m, mname(k), res->metric[k]);
    cJSON_AddBoolToObject(j, "ccs_beyond_model_range", ccs_capped(res));
    cJSON_AddNumberToObject(j, "evaluations", res->nevals);
    cJSON_AddNumberToObject(j, "grid_evaluations", res->ngrid);
    cJSON_AddNumberToObject(j, "local_evaluations", res->nlocal);
    cJSON_AddNumberToObject(j, "nlopt_result", res->nlopt_result);
    cJSON_AddBoolToObject(j, "converged", res->local_status == SSB_DESIGN_OPT_CONVERGED);
    cJSON_AddStringToObject(j, "local_status", ssb_design_opt_status_name(res->local_status));
    cJSON_AddNumberToObject(j, "time_s", res->time_s);
    return j;
}

/* How the local stage ended, in words (table and warning). */
static const char *local_text(const ssb_design_opt_params *prm, const ssb_design_opt_result *res)
{
    static char buf[256];
    switch (res->local_status) {
    case SSB_DESIGN_OPT_CONVERGED:
        snprintf(buf, sizeof buf, "converged (step under %g of each variable's range)", prm->xtol_rel);
        break;
    case SSB_DESIGN_OPT_MAX_EVALS:
        snprintf(buf, sizeof buf, "NOT converged: stopped at --max-evals %d; the optimum is the best design evaluated "
                 "(raise --max-evals)", prm->max_evals);
        break;
    case SSB_DESIGN_OPT_FAILED:
        snprintf(buf, sizeof buf, "NOT converged: NLopt stopped with code %d; the optimum is the best design evaluated",
                 res->nlopt_result);
        break;
    default:
        snprintf(buf, sizeof buf, "not run (--max-evals 0): the optimum is the best grid design");
    }
    return buf;
}

static void result_table(const ssb_design_opt_params *prm, const ssb_design_opt_result *res, FILE *out)
{
    fprintf(out, "design optimise: %s %s at %gC; %d designs (%d grid, %d COBYLA, %d sensitivity) in %.1f s\n",
            prm->minimise ? "minimise" : "maximise", mname(prm->objective), prm->rate,
            res->nevals, res->ngrid, res->nlocal, res->nevals - res->ngrid - res->nlocal, res->time_s);
    fprintf(out, "local stage (COBYLA): %s\n\n", local_text(prm, res));
    static const char *const h[] = {"variable", "optimum", "lower", "upper", "at bound", "sensitivity [-]",
                                    "dObj/dx"};
    cli_table *t = cli_table_create(7, h);
    for (int i = 0; i < prm->nvars; i++) {
        const char *row[7] = {prm->vars[i].name, cli_fmt(res->x[i]), cli_fmt(prm->vars[i].lo),
                              cli_fmt(prm->vars[i].hi),
                              res->at_bound[i] < 0 ? "lower" : res->at_bound[i] > 0 ? "upper" : "no",
                              cli_fmt(res->sensitivity[i]), cli_fmt(res->dobj_dx[i])};
        cli_table_add_row(t, row);
    }
    cli_table_print(t, out);
    cli_table_destroy(&t);
    fprintf(out, "\nobjective %s = %s (sensitivity: (dObj/dx)(x/Obj), central differences at the optimum)\n\n",
            mname(prm->objective), cli_fmt(res->objective));
    static const char *const mh[] = {"metric at the optimum", "value"};
    t = cli_table_create(2, mh);
    for (int k = 0; k < ssb_design_metric_count(); k++) {
        if (!isfinite(res->metric[k])) continue; /* not computed for this objective */
        const char *row[2] = {mname(k), cli_fmt(res->metric[k])};
        cli_table_add_row(t, row);
    }
    cli_table_print(t, out);
    cli_table_destroy(&t);
    if (ccs_capped(res))
        fprintf(out, "(critical_stripping_current_mA_per_cm2 at the optimum is beyond the stripping model's range: "
                     "counted as 100 mA/cm2, as 'design compare'; the p^6.6 creep law overstates it above ~5 MPa)\n");
    if (prm->ncons > 0) {
        char buf[160];
        static const char *const ch[] = {"constraint", "value at the optimum", "active"};
        t = cli_table_create(3, ch);
        for (int i = 0; i < prm->ncons; i++) {
            int act = 0;
            for (int a = 0; a < res->nactive; a++)
                act |= res->active[a] == i;
            const char *row[3] = {cons_text(&prm->cons[i], buf, sizeof buf),
                                  cli_fmt(res->metric[prm->cons[i].metric]), act ? "yes" : "no"};
            cli_table_add_row(t, row);
        }
        fputc('\n', out);
        cli_table_print(t, out);
        cli_table_destroy(&t);
    }
}

/* DIR/report.html and DIR/ragone.png (.svg without the PNG driver), together or not at all. */
static int write_outputs(cli_env *env, const char *dir, const ssb_design_opt_params *prm,
                         const ssb_design_opt_result *res, char *ragone_name, size_t n)
{
    int created = mkdir(dir, 0777) == 0;
    if (!created && errno != EEXIST) {
        fprintf(stderr, "ssbnet: error: cannot create output folder '%s': %s\n", dir, strerror(errno));
        return CLI_EXIT_IO;
    }
    char p1[4200], p2[4200];
    snprintf(ragone_name, n, "ragone.%s", ssb_plot_available(".png") ? "png" : "svg");
    snprintf(p1, sizeof p1, "%s/report.html", dir);
    snprintf(p2, sizeof p2, "%s/%s", dir, ragone_name);
    cli_outset os = {0};
    const char *t1 = cli_outset_add(env, &os, p1);
    const char *t2 = t1 ? cli_outset_add(env, &os, p2) : NULL;
    int rc = t1 && t2 ? 0 : (os.err ? os.err : CLI_EXIT_IO);
    if (!rc) {
        int r = ssb_design_opt_write_html(env->ctx, prm, res, t1);
        if (r == SSB_OK)
            r = ssb_design_opt_write_ragone(env->ctx, prm, res, t2);
        if (r != SSB_OK)
            rc = cli_fail(env, r);
    }
    if (!rc)
        rc = cli_outset_commit(env, &os);
    else
        cli_outset_abort(&os);
    if (rc && created)
        rmdir(dir);
    return rc;
}

int cmd_design_optimise(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        opt_help();
        return 0;
    }
    cli_optval val[O_COUNT];
    const char *pos[1] = {NULL};
    int npos = 0;
    int rc = cli_opts_parse(env, "design optimise", opt_opts, O_COUNT, argc, argv, 2, val, pos, 1, &npos, NULL, NULL);
    if (rc) return rc;
    ssb_materials *db = NULL;
    ssb_cell_params *cell = NULL;
    ssb_design_opt_params prm = ssb_design_opt_params_default();
    int r = ssb_materials_create(env->ctx, &db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
    if (r != SSB_OK) rc = cli_fail(env, r);
    if (!rc) rc = read_cell(env, npos ? pos[0] : NULL, db, &cell, &prm.run);
    if (!rc) rc = parse_problem(env, val, &prm);
    ssb_design_opt_result res;
    memset(&res, 0, sizeof res);
    rc = cli_dist_sync(env, rc); /* every rank, before the collective optimisation */
    if (!rc) {
        r = ssb_dist_design_optimise(env->ctx, db, cell, &prm, &res); /* batches over the ranks under mpirun */
        cli_progress_done();
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    char ragone[32] = "";
    if (!rc && val[O_OUT].given && ssb_dist_rank() == 0) /* every rank holds the result; rank 0 writes */
        rc = write_outputs(env, val[O_OUT].str, &prm, &res, ragone, sizeof ragone);
    if (!rc && ssb_dist_rank() == 0 &&
        (res.local_status == SSB_DESIGN_OPT_MAX_EVALS || res.local_status == SSB_DESIGN_OPT_FAILED))
        fprintf(stderr, "ssbnet: warning: design optimise: local stage (COBYLA) %s\n", local_text(&prm, &res));
    if (!rc) {
        if (env->json) {
            cli_json_print(result_json(&prm, &res));
        } else {
            result_table(&prm, &res, stdout);
            if (val[O_OUT].given) printf("\nwrote %s/: report.html, %s\n", val[O_OUT].str, ragone);
        }
    }
    ssb_design_opt_result_destroy(&res);
    ssb_cell_params_destroy(&cell);
    ssb_materials_destroy(&db);
    return rc;
}
