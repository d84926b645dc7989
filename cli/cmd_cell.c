/* ssbnet cell run | rates: the cell model (P2D for solid-state cells, optional liquid electrolyte). */
#include "cli.h"
#include "cli_dist.h"
#include "cli_opts.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One table for 'cell run' and 'cell rates' (both accept every option, as before). --rates and --profile-times are
 * read by parse_list below (their bounds are exclusive / up to 256 values); --cutoff is checked by the cell model. */
enum { C_BPX, C_PROTOCOL, C_PROTOCOL_FILE, C_SET, C_OUT, C_PROFILES, C_PTIMES, C_RATES, C_CUTOFF, C_COUNT };
static const cli_opt cell_opts_table[C_COUNT] = {
    [C_BPX] = {"--bpx", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0,
               "import a BPX parameter file (with an optional \"ssbnet\" block)", NULL},
    [C_PROTOCOL] = {"--protocol", "-p", CLI_OPT_STRING, "TEXT", NULL, 0, 0,
                    "run: steps separated by ';' or newlines (default: the file's \"protocol\", else \"Discharge at "
                    "1C until 3.5 V\")",
                    NULL},
    [C_PROTOCOL_FILE] = {"--protocol-file", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0, "run: protocol from a text file",
                         NULL},
    [C_SET] = {"--set", NULL, CLI_OPT_MULTI, "KEY=VALUE", NULL, 0, 0,
               "override a parameter by its JSON key in JSON units (repeatable, 64 at most), e.g. "
               "positive.thickness_um=80",
               NULL},
    [C_OUT] = {"--output", "-o", CLI_OPT_STRING, "FILE", NULL, 0, 0, "run: time series CSV (t, V, I, Q, E, OCV, step, losses)",
               NULL},
    [C_PROFILES] = {"--profiles", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0,
                    "run: x-profiles CSV at --profile-times and at every step end", NULL},
    [C_PTIMES] = {"--profile-times", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
                  "run: comma-separated times for profiles [s, >= 0, 256 at most]", NULL},
    [C_RATES] = {"--rates", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
                 "rates: C-rates (default 0.1,0.2,0.5,1,2,3,5,10) [> 0, 64 at most]", NULL},
    [C_CUTOFF] = {"--cutoff", NULL, CLI_OPT_DOUBLE, "V", "V", -INFINITY, INFINITY, "rates: discharge cut-off (default 3.5)",
                  NULL},
};

static void cell_help(void)
{
    printf("usage: ssbnet cell run   [CELL.json | --bpx FILE.json] [options]\n"
           "       ssbnet cell rates [CELL.json | --bpx FILE.json] [--rates 0.1,0.5,1,2] [--cutoff V] [options]\n"
           "       ssbnet cell cycle [CELL.json] --cycles N [options]   (cycling with interface ageing: --help there)\n"
           "       ssbnet cell defaults > cell.json    (the built-in default cell as a file)\n\n"
           "The P2D model of a solid-state cell (composite positive electrode, SE separator, Li-metal or composite\n"
           "negative electrode; single-ion conductor, or a liquid electrolyte with concentrated-solution theory).\n"
           "Without a file it uses the built-in default cell (NCM811 + Li6PS5Cl + carbon | Li6PS5Cl | Li metal).\n\n"
           "run: applies a protocol (text steps) and prints each step with its capacity, energy and the\n"
           "overpotential breakdown by process.\n"
           "rates: discharges from the initial state at each C-rate to the cut-off (capacity per cm2 and per gram of\n"
           "positive active material, energy, Wh/kg, Wh/L, bottleneck).\n\n"
           "options:\n");
    cli_opts_help(stdout, cell_opts_table, C_COUNT);
    printf("  --json                 results as JSON\n\n"
           "Protocol steps: \"Discharge at 1C until 3.0 V\", \"Charge at C/3 until 4.2 V\", \"Hold at 4.2 V until "
           "C/20\",\n"
           "\"Rest for 1 hour\", \"Discharge at 20 A/m2 for 30 minutes\", \"Discharge at 5 mW/cm2 until 3 V\",\n"
           "\"Repeat 10 times: Discharge at C/10 for 10 min or until 3.5 V; Rest for 1 hour\".\n\n"
           "exit codes: 4 protocol does not parse, 5 file error, 6 malformed file or missing parameter, 7 value out\n"
           "of range or cut-off never reached, 8 unknown material, 9 solver failure.\n\n"
           "example:\n"
           "  ssbnet cell run -p \"Discharge at 1C until 3.5 V; Rest for 30 min\" -o v.csv\n"
           "  ssbnet cell rates --rates 0.1,1,3 --cutoff 3.5 --json\n");
}


/* Parse "a,b,c" into at most nmax finite doubles. Returns the count or -1. */
static int parse_list(const char *s, double *out, int nmax)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        char *end = NULL;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || n >= nmax || errno == ERANGE || !isfinite(v))
            return -1;
        out[n++] = v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return n;
}

typedef struct {
    const char *file, *bpx, *protocol, *protocol_file, *output, *profiles, *ptimes, *rates;
    double cutoff;
    const char *sets[64];
    int nsets;
} cell_opts;

static int parse_opts(cli_env *env, int argc, char **argv, cell_opts *o)
{
    memset(o, 0, sizeof *o);
    cli_optval val[C_COUNT];
    int npos = 0;
    int rc = cli_opts_parse(env, strcmp(argv[1], "rates") ? "cell run" : "cell rates", cell_opts_table,
                            C_COUNT, argc, argv, 2, val, &o->file, 1, &npos, NULL, NULL);
    if (rc)
        return rc;
    o->bpx = val[C_BPX].str;
    o->protocol = val[C_PROTOCOL].str;
    o->protocol_file = val[C_PROTOCOL_FILE].str;
    o->output = val[C_OUT].str;
    o->profiles = val[C_PROFILES].str;
    o->ptimes = val[C_PTIMES].str;
    o->rates = val[C_RATES].str;
    o->cutoff = val[C_CUTOFF].given ? val[C_CUTOFF].num : 3.5;
    o->nsets = val[C_SET].n;
    for (int k = 0; k < o->nsets; k++)
        o->sets[k] = val[C_SET].multi[k];
    if (o->file && o->bpx)
        return cli_usage_error(env, "give either a cell JSON file or --bpx, not both");
    if (o->protocol && o->protocol_file)
        return cli_usage_error(env, "give either --protocol or --protocol-file");
    return 0;
}

/* Load the parameters and apply --set; returns 0 or an exit status (message printed). */
/* ssb_cell_create; a value it refuses (checked there, not by the reader: a cathode thinner than its particles,
 * volume fractions, temperatures) is named with the cell file it came from */
static int create_cell(cli_env *env, const cell_opts *o, const ssb_cell_params *p, ssb_cell **cell)
{
    int r = ssb_cell_create(env->ctx, p, cell);
    if (r == SSB_OK)
        return 0;
    const char *src = o->bpx ? o->bpx : o->file, *msg = ssb_ctx_get_error(env->ctx);
    if (!src || !msg || !*msg || strncmp(msg, src, strlen(src)) == 0)
        return cli_fail(env, r);
    cli_progress_done();
    fprintf(stderr, "%s: error: %s%s: %s\n", env->prog ? env->prog : "ssbnet", src, o->nsets ? " (with --set)" : "",
            msg);
    return cli_exit_code(r);
}

static int load_params(cli_env *env, const cell_opts *o, const ssb_materials *db, ssb_cell_params **p)
{
    int rc;
    if (o->bpx)
        rc = ssb_cell_params_from_bpx(env->ctx, db, o->bpx, p);
    else if (o->file)
        rc = ssb_cell_params_from_json(env->ctx, db, o->file, p);
    else
        rc = ssb_cell_params_default(env->ctx, db, p);
    if (rc != SSB_OK)
        return cli_fail(env, rc);
    for (int i = 0; i < o->nsets; i++) {
        char key[256];
        const char *eq = strchr(o->sets[i], '=');
        if (!eq || eq == o->sets[i] || (size_t)(eq - o->sets[i]) >= sizeof key)
            return cli_usage_error(env, "--set needs KEY=VALUE (got '%s')", o->sets[i]);
        memcpy(key, o->sets[i], (size_t)(eq - o->sets[i]));
        key[eq - o->sets[i]] = '\0';
        double v;
        int r = cli_parse_double(env, "--set", eq + 1, &v);
        if (r)
            return r;
        rc = ssb_cell_params_set(env->ctx, *p, key, v);
        if (rc != SSB_OK)
            return cli_fail(env, rc);
    }
    return 0;
}

static const char *end_name(ssb_cell_end_reason e)
{
    switch (e) {
    case SSB_CELL_END_VOLTAGE:
        return "voltage";
    case SSB_CELL_END_CURRENT:
        return "current";
    case SSB_CELL_END_SKIPPED:
        return "skipped";
    case SSB_CELL_END_EXHAUSTED:
        return "exhausted";
    case SSB_CELL_END_DEPLETED:
        return "depleted";
    case SSB_CELL_END_SATURATED:
        return "saturated";
    default:
        return "duration";
    }
}

static const char *region_name(int r)
{
    return r == 0 ? "negative" : r == 1 ? "separator" : r == 2 ? "positive" : "-";
}

static cJSON *breakdown_json(const ssb_cell_breakdown *b)
{
    cJSON *o = cJSON_CreateObject();
    cli_json_add_number(o, "ocv_V", b->ocv);
    cli_json_add_number(o, "voltage_V", b->voltage);
    cJSON *l = cJSON_AddObjectToObject(o, "losses_V");
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        cli_json_add_number(l, ssb_cell_loss_name((ssb_cell_loss)k), b->loss[k]);
    cli_json_add_number(o, "residual_V", b->residual);
    return o;
}

static void print_breakdown(const ssb_cell_breakdown *b, int liquid_or_composite)
{
    cli_table *t = cli_table_create(2, (const char *[]){"process", "mean loss [mV]"});
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        if (b->loss[k] == 0.0 && !liquid_or_composite)
            continue;
        cli_table_add_row(t, (const char *[]){ssb_cell_loss_label((ssb_cell_loss)k),
                                              cli_fmt(ssb_unit_from_si(SSB_UNIT_MV, b->loss[k]))});
    }
    cli_table_print(t, stdout);
    cli_table_destroy(&t);
}

static void add_derived_json(cJSON *json, const ssb_cell_derived *d)
{
    cJSON *o = cJSON_AddObjectToObject(json, "cell");
    cli_json_add_number(o, "nominal_capacity_mAh_per_cm2", ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, d->nominal_capacity));
    cli_json_add_number(o, "ocv_initial_V", d->ocv_init);
    cli_json_add_number(o, "positive_sigma_e_eff_S_per_m", d->sigma_e_eff_pos);
    cli_json_add_number(o, "positive_sigma_i_eff_S_per_m", d->sigma_i_eff_pos);
    cli_json_add_number(o, "positive_active_area_per_m", d->a_pos);
    cli_json_add_number(o, "separator_sigma_eff_S_per_m", d->sigma_sep_eff);
    cli_json_add_number(o, "stack_mass_kg_per_m2", d->mass);
    cli_json_add_number(o, "stack_thickness_um", ssb_unit_from_si(SSB_UNIT_UM, d->volume));
    cli_json_add_number(o, "positive_active_material_g_per_cm2", d->mass_am_pos * 0.1);
}

/* Why a table above says '-' for a mass or volume figure: the densities the cell lacks. */
static void density_note(const ssb_cell_params *p)
{
    ssb_cell_values v;
    char miss[512];
    ssb_cell_params_get_values(p, &v);
    int lacks = ssb_run_missing_densities(&v, miss, sizeof miss);
    /* a carbon's density comes from the carbon the electrode names, as for its active material and electrolyte */
    printf("('-' per gram or per stack: the cell lacks %s%s)\n", lacks ? miss : "a density",
           lacks && strstr(miss, "density_carbon") ? "; name the electrode's \"carbon\" (e.g. \"carbon black\") or give "
                                                     "the density" : "");
}

static int run_cmd(cli_env *env, const cell_opts *o)
{
    ssb_ctx *ctx = env->ctx;
    ssb_cell_params *p = NULL;
    ssb_cell *cell = NULL;
    ssb_cell_result *res = NULL;
    ssb_cell_protocol *proto = NULL;
    char *ptext = NULL;
    cJSON *json = NULL;
    int rc = 0, r;
    double ptimes[256];
    int npt = 0;
    if (o->ptimes) {
        npt = parse_list(o->ptimes, ptimes, 256);
        if (npt < 0)
            return cli_usage_error(env, "--profile-times needs comma-separated numbers (256 at most)");
        for (int i = 0; i < npt; i++)
            if (ptimes[i] < 0) {
                fprintf(stderr, "ssbnet: error: --profile-times: time %d = %g s is negative (valid: >= 0 s)\n", i + 1,
                        ptimes[i]);
                return CLI_EXIT_RANGE;
            }
    }
    if ((rc = load_params(env, o, NULL, &p)))
        goto done;
    const char *text = o->protocol;
    if (o->protocol_file) {
        ptext = cli_read_file(o->protocol_file);
        if (!ptext) {
            fprintf(stderr, "ssbnet: error: cannot read protocol file '%s': %s\n", o->protocol_file, strerror(errno));
            rc = CLI_EXIT_IO;
            goto done;
        }
        text = ptext;
    }
    if (!text)
        text = ssb_cell_params_protocol(p);
    if (!text)
        text = "Discharge at 1C until 3.5 V";
    if ((r = ssb_cell_protocol_parse(ctx, text, &proto)) != SSB_OK) {
        rc = cli_fail(env, r);
        goto done;
    }
    if ((rc = create_cell(env, o, p, &cell)) != 0)
        goto done;
    ssb_cell_run_params rp = ssb_cell_run_params_default();
    rp.profile_times = npt ? ptimes : NULL;
    rp.nprofiles = npt;
    rp.profiles_at_step_ends = o->profiles != NULL;
    r = ssb_cell_run(ctx, cell, proto, &rp, &res);
    cli_progress_done();
    if (r != SSB_OK) {
        rc = cli_fail(env, r);
        goto done;
    }
    /* outputs only after a successful run, all of them or none */
    if (o->output || o->profiles) {
        cli_outset os = {0};
        const char *t1 = o->output ? cli_outset_add(env, &os, o->output) : "";
        const char *t2 = t1 && o->profiles ? cli_outset_add(env, &os, o->profiles) : "";
        if (!t1 || !t2)
            rc = os.err;
        else if (o->output && (r = ssb_cell_result_write_csv(ctx, res, t1)) != SSB_OK)
            rc = cli_fail(env, r);
        else if (o->profiles && (r = ssb_cell_result_write_profiles_csv(ctx, res, t2)) != SSB_OK)
            rc = cli_fail(env, r);
        else
            rc = cli_outset_commit(env, &os);
        if (rc) {
            cli_outset_abort(&os);
            goto done;
        }
    }
    const ssb_cell_derived *d = ssb_cell_get_derived(cell);
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);
    int full = v.el.kind == SSB_CELL_LIQUID || v.anode == SSB_CELL_ANODE_COMPOSITE;
    ssb_cell_stats st;
    ssb_cell_result_stats(res, &st);
    int ns = ssb_cell_result_nsteps(res);
    if (env->json) {
        json = cJSON_CreateObject();
        cJSON_AddStringToObject(json, "source", o->bpx ? o->bpx : (o->file ? o->file : "built-in default cell"));
        cJSON_AddStringToObject(json, "protocol", text);
        add_derived_json(json, d);
        cJSON *js = cJSON_AddArrayToObject(json, "steps");
        for (int i = 0; i < ns; i++) {
            ssb_cell_step_result s;
            ssb_cell_result_step(ctx, res, i, &s);
            cJSON *o2 = cJSON_CreateObject();
            cJSON_AddStringToObject(o2, "step", s.text);
            cJSON_AddStringToObject(o2, "end", end_name(s.end));
            if (s.end == SSB_CELL_END_DEPLETED) {
                cli_json_add_number(o2, "depleted_from_um", ssb_unit_from_si(SSB_UNIT_UM, s.depleted_from_x));
                cli_json_add_number(o2, "depleted_to_um", ssb_unit_from_si(SSB_UNIT_UM, s.depleted_to_x));
                cJSON_AddStringToObject(o2, "depleted_region", region_name(s.depleted_region));
            }
            if (s.end == SSB_CELL_END_SATURATED) {
                cli_json_add_number(o2, "saturated_from_um", ssb_unit_from_si(SSB_UNIT_UM, s.saturated_from_x));
                cli_json_add_number(o2, "saturated_to_um", ssb_unit_from_si(SSB_UNIT_UM, s.saturated_to_x));
                cJSON_AddStringToObject(o2, "saturated_region", region_name(s.saturated_region));
                cli_json_add_number(o2, "saturated_stoichiometry", s.saturated_theta);
                cli_json_add_number(o2, "saturated_phi_vs_li_V", s.saturated_phi_vs_li);
            }
            cli_json_add_number(o2, "t_start_s", s.t_start);
            cli_json_add_number(o2, "t_end_s", s.t_end);
            cli_json_add_number(o2, "V_start_V", s.v_start);
            cli_json_add_number(o2, "V_end_V", s.v_end);
            cli_json_add_number(o2, "capacity_mAh_per_cm2", ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, s.capacity));
            cli_json_add_number(o2, "specific_capacity_mAh_per_g",
                                d->mass_am_pos > 0 ? ssb_unit_from_si(SSB_UNIT_MAH_PER_G, s.capacity / d->mass_am_pos)
                                                   : NAN);
            cli_json_add_number(o2, "energy_mWh_per_cm2", ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, s.energy));
            double wk = NAN, wl = NAN;
            if (s.capacity > 0)
                ssb_cell_result_energy_density(ctx, res, i, &wk, &wl);
            cli_json_add_number(o2, "energy_density_Wh_per_kg", wk);
            cli_json_add_number(o2, "energy_density_Wh_per_L", wl);
            cJSON_AddItemToObject(o2, "mean_breakdown", breakdown_json(&s.mean));
            cJSON_AddItemToObject(o2, "end_breakdown", breakdown_json(&s.end_state));
            ssb_cell_loss bk;
            double bv;
            if (s.capacity != 0 && ssb_cell_result_bottleneck(ctx, res, i, &bk, &bv) == SSB_OK && bv != 0)
                cJSON_AddStringToObject(o2, "bottleneck", ssb_cell_loss_name(bk));
            cJSON_AddItemToArray(js, o2);
        }
        cJSON *jst = cJSON_AddObjectToObject(json, "solver");
        cli_json_add_number(jst, "steps", (double)st.steps);
        cli_json_add_number(jst, "residual_evaluations", (double)st.resevals);
        cli_json_add_number(jst, "jacobian_evaluations", (double)st.jacevals);
        cli_json_add_number(jst, "wall_s", st.wall);
        cli_json_print(json);
        json = NULL;
    } else {
        printf("cell: %s, nominal capacity %.4g mAh/cm2 (1C = %.4g mA/cm2), OCV %.4f V\n",
               o->bpx ? o->bpx : (o->file ? o->file : "built-in default"),
               ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, d->nominal_capacity),
               ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, d->nominal_capacity), d->ocv_init);
        cli_table *t = cli_table_create(9, (const char *[]){"step", "protocol step", "end", "t_end [s]", "V_end [V]",
                                                            "capacity [mAh/cm2]", "capacity [mAh/g AM]",
                                                            "energy [mWh/cm2]", "bottleneck"});
        for (int i = 0; i < ns; i++) {
            ssb_cell_step_result s;
            ssb_cell_result_step(ctx, res, i, &s);
            char idx[16];
            snprintf(idx, sizeof idx, "%d", i + 1);
            ssb_cell_loss bk;
            double bv = 0;
            const char *bn = "-";
            if (s.capacity != 0 && ssb_cell_result_bottleneck(ctx, res, i, &bk, &bv) == SSB_OK && bv != 0)
                bn = ssb_cell_loss_name(bk);
            const char *spc =
                d->mass_am_pos > 0 ? cli_fmt(ssb_unit_from_si(SSB_UNIT_MAH_PER_G, s.capacity / d->mass_am_pos)) : "-";
            cli_table_add_row(t, (const char *[]){idx, s.text, end_name(s.end), cli_fmt(s.t_end), cli_fmt(s.v_end),
                                                  cli_fmt(ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, s.capacity)), spc,
                                                  cli_fmt(ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, s.energy)), bn});
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        for (int i = 0; i < ns; i++) {
            ssb_cell_step_result s;
            ssb_cell_result_step(ctx, res, i, &s);
            if (s.end == SSB_CELL_END_VOLTAGE && !(s.t_end > s.t_start))
                printf("step %d '%s' ended at once: the voltage at its start, %.4f V, is already at its cut-off "
                       "(for a discharge or charge: the set-point cannot be sustained)\n",
                       i + 1, s.text, s.v_start);
            if (s.end == SSB_CELL_END_DEPLETED)
                printf("step %d '%s' ended: the electrolyte is depleted from x = %.4g to %.4g um (%s) and the "
                       "voltage runs away (the limiting current) at t = %.6g s, V = %.4f V, after %.4g mAh/cm2\n",
                       i + 1, s.text, ssb_unit_from_si(SSB_UNIT_UM, s.depleted_from_x),
                       ssb_unit_from_si(SSB_UNIT_UM, s.depleted_to_x), region_name(s.depleted_region), s.t_end, s.v_end,
                       ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, s.capacity));
            if (s.end == SSB_CELL_END_SATURATED)
                printf("step %d '%s' ended: the particle surfaces of the %s electrode from x = %.4g to %.4g um are %s "
                       "(stoichiometry %.5f) and the reaction does not move deeper at this current (the solver cannot "
                       "continue) at t = %.6g s, V = %.4f V, after %.4g mAh/cm2; phi_s - phi_e there %.1f mV vs Li%s\n",
                       i + 1, s.text, region_name(s.saturated_region),
                       ssb_unit_from_si(SSB_UNIT_UM, s.saturated_from_x),
                       ssb_unit_from_si(SSB_UNIT_UM, s.saturated_to_x), s.saturated_theta > 0.5 ? "full" : "empty",
                       s.saturated_theta, s.t_end, s.v_end, ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, s.capacity),
                       1e3 * s.saturated_phi_vs_li,
                       s.saturated_region == 0 && s.saturated_theta > 0.5
                           ? " (charging on risks lithium plating on the negative electrode)"
                           : "");
        }
        /* breakdown of the first step that passes charge */
        for (int i = 0; i < ns; i++) {
            ssb_cell_step_result s;
            ssb_cell_result_step(ctx, res, i, &s);
            if (fabs(s.capacity) <= 0)
                continue;
            double wk = NAN, wl = NAN;
            if (s.capacity > 0)
                ssb_cell_result_energy_density(ctx, res, i, &wk, &wl);
            printf("\nstep %d '%s': mean voltage %.4f V, mean OCV %.4f V", i + 1, s.text, s.mean.voltage, s.mean.ocv);
            if (s.capacity > 0)
                printf(", stack %s Wh/kg, %s Wh/L", cli_fmt(wk), cli_fmt(wl));
            if (s.capacity > 0 && !(isfinite(wk) && isfinite(wl))) {
                putchar('\n');
                density_note(p);
            }
            printf("\ncharge-weighted overpotential breakdown:\n");
            print_breakdown(&s.mean, full);
            break;
        }
        if (!env->quiet)
            fprintf(stderr, "ssbnet: cell: %ld internal steps, %ld residuals, %ld Jacobians, %.3g s\n", st.steps,
                    st.resevals, st.jacevals, st.wall);
    }
done:
    cJSON_Delete(json);
    ssb_cell_result_destroy(&res);
    ssb_cell_protocol_destroy(&proto);
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    free(ptext);
    return rc;
}

static int rates_cmd(cli_env *env, const cell_opts *o)
{
    ssb_ctx *ctx = env->ctx;
    double rates[64] = {0.1, 0.2, 0.5, 1, 2, 3, 5, 10};
    int n = 8;
    if (o->rates) {
        n = parse_list(o->rates, rates, 64);
        if (n <= 0)
            return cli_usage_error(env, "--rates needs comma-separated C-rates (64 at most)");
        for (int i = 0; i < n; i++)
            if (!(rates[i] > 0)) {
                fprintf(stderr, "ssbnet: error: --rates: C-rate %d = %g is invalid (valid: > 0)\n", i + 1, rates[i]);
                return CLI_EXIT_RANGE;
            }
    }
    ssb_cell_params *p = NULL;
    ssb_cell *cell = NULL;
    int rc = load_params(env, o, NULL, &p), r;
    if (rc)
        goto done;
    if ((rc = create_cell(env, o, p, &cell)) != 0)
        goto done;
    const double ocv0 = ssb_cell_get_derived(cell)->ocv_init;
    if (!(o->cutoff < ocv0)) {
        fprintf(stderr,
                "ssbnet: error: --cutoff %g V is not below the open-circuit voltage at the start (%.4f V): a "
                "discharge would end before it starts\n",
                o->cutoff, ocv0);
        rc = CLI_EXIT_RANGE;
        goto done;
    }
    ssb_cell_rate_point pts[64];
    if ((rc = cli_dist_sync(env, 0)) != 0) goto done; /* every rank, before the collective sweep */
    r = ssb_dist_rate_sweep(ctx, cell, n, rates, o->cutoff, pts); /* over the MPI ranks under mpirun */
    cli_progress_done();
    if (r != SSB_OK) {
        rc = cli_fail(env, r);
        goto done;
    }
    if (env->json) {
        cJSON *json = cJSON_CreateObject();
        cJSON_AddStringToObject(json, "source", o->bpx ? o->bpx : (o->file ? o->file : "built-in default cell"));
        cli_json_add_number(json, "cutoff_V", o->cutoff);
        add_derived_json(json, ssb_cell_get_derived(cell));
        cJSON *a = cJSON_AddArrayToObject(json, "rates");
        for (int i = 0; i < n; i++) {
            cJSON *q = cJSON_CreateObject();
            cli_json_add_number(q, "c_rate", pts[i].crate);
            cli_json_add_number(q, "current_mA_per_cm2", ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, pts[i].current));
            cJSON_AddBoolToObject(q, "sustained", pts[i].sustained);
            if (!pts[i].sustained)
                cJSON_AddStringToObject(q, "reason", pts[i].reason);
            cli_json_add_number(q, "capacity_mAh_per_cm2", ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, pts[i].capacity));
            cli_json_add_number(q, "specific_capacity_mAh_per_g",
                                ssb_unit_from_si(SSB_UNIT_MAH_PER_G, pts[i].specific_capacity));
            cli_json_add_number(q, "energy_mWh_per_cm2", ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, pts[i].energy));
            cli_json_add_number(q, "mean_voltage_V", pts[i].v_mean);
            cli_json_add_number(q, "energy_density_Wh_per_kg", pts[i].wh_per_kg);
            cli_json_add_number(q, "energy_density_Wh_per_L", pts[i].wh_per_l);
            if (pts[i].sustained) {
                cJSON_AddStringToObject(q, "bottleneck", ssb_cell_loss_name(pts[i].bottleneck));
                cJSON_AddItemToObject(q, "mean_breakdown", breakdown_json(&pts[i].mean));
            }
            cJSON_AddItemToObject(q, "start_breakdown", breakdown_json(&pts[i].start));
            cJSON_AddItemToArray(a, q);
        }
        cli_json_print(json);
    } else {
        printf("rate capability to %.3g V (%s)\n", o->cutoff,
               o->bpx ? o->bpx : (o->file ? o->file : "built-in default"));
        cli_table *t = cli_table_create(9, (const char *[]){"C-rate [1/h]", "I [mA/cm2]", "capacity [mAh/cm2]",
                                                            "capacity [mAh/g AM]", "energy [mWh/cm2]", "mean V [V]",
                                                            "stack [Wh/kg]", "stack [Wh/L]",
                                                            "bottleneck (mean loss [mV])"});
        for (int i = 0; i < n; i++) {
            char bn[96];
            if (!pts[i].sustained && !(pts[i].capacity > 0)) {
                cli_table_add_row(t, (const char *[]){cli_fmt(pts[i].crate),
                                                      cli_fmt(ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, pts[i].current)),
                                                      "not sustained", "-", "-", "-", "-", "-", "- (see below)"});
                continue;
            }
            if (pts[i].sustained)
                snprintf(bn, sizeof bn, "%s (%.3g)", ssb_cell_loss_name(pts[i].bottleneck),
                         ssb_unit_from_si(SSB_UNIT_MV, pts[i].mean.loss[pts[i].bottleneck]));
            else /* ran out before the cut-off (depleted electrolyte): what it delivered, no bottleneck */
                snprintf(bn, sizeof bn, "- (not sustained, see below)");
            cli_table_add_row(
                t,
                (const char *[]){cli_fmt(pts[i].crate), cli_fmt(ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, pts[i].current)),
                                 cli_fmt(ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, pts[i].capacity)),
                                 cli_fmt(ssb_unit_from_si(SSB_UNIT_MAH_PER_G, pts[i].specific_capacity)),
                                 cli_fmt(ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, pts[i].energy)), cli_fmt(pts[i].v_mean),
                                 cli_fmt(pts[i].wh_per_kg), cli_fmt(pts[i].wh_per_l), bn});
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        for (int i = 0; i < n; i++)
            if (!pts[i].sustained)
                printf("%s\n", pts[i].reason);
        if (n > 0 && !(isfinite(pts[0].wh_per_kg) && isfinite(pts[0].wh_per_l) && isfinite(pts[0].specific_capacity)))
            density_note(p);
    }
done:
    ssb_cell_destroy(&cell);
    ssb_cell_params_destroy(&p);
    return rc;
}

int cmd_cell_cycle(cli_env *env, int argc, char **argv); /* cli/cmd_cell_cycle.c */

int cmd_cell(cli_env *env, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "cycle"))
        return cmd_cell_cycle(env, argc, argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        cell_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "defaults"))
        return cli_cell_defaults(env, argc, argv);
    if (cli_opts_wants_help(argc, argv, 2)) {
        cell_help();
        return 0;
    }
    if (strcmp(argv[1], "run") && strcmp(argv[1], "rates"))
        return cli_usage_error(env, "unknown subcommand 'cell %s' (run, rates, cycle, defaults)", argv[1]);
    cell_opts o;
    int rc = parse_opts(env, argc, argv, &o);
    if (rc)
        return rc;
    if (!strcmp(argv[1], "run"))
        return run_cmd(env, &o);
    if (!strcmp(argv[1], "rates"))
        return rates_cmd(env, &o);
    return cli_usage_error(env, "unknown subcommand 'cell %s' (run, rates, defaults)", argv[1]);
}
