/* ssbnet cell cycle: cycling with interface ageing (ssb_iface_cycle_run), per-cycle table / CSV / JSON / plot and
 * the capacity fade split by mechanism. Registered from cmd_cell.c's dispatch. */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_plot.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAH_PER_CM2 36000.0 /* C/m2 per mAh/cm2 */
#define OHM_CM2 1e-4

int cmd_cell_cycle(cli_env *env, int argc, char **argv);

enum { Y_CYCLES, Y_CRATE, Y_CRATE_D, Y_CRATE_C, Y_VMIN, Y_VMAX, Y_HOLD, Y_REST, Y_OUT, Y_PLOT, Y_PROTOCOL, Y_SET,
       Y_IDATA, Y_PRESSURE, Y_MECHS, Y_COUNT };
/* Rates, voltages and the hold rate are checked by ssb_iface_cycle_run (as before the table). */
static const cli_opt cycle_opts[Y_COUNT] = {
    [Y_CYCLES] = {"--cycles", NULL, CLI_OPT_INT, "N", NULL, 1, 1000000, "number of cycles (required)", NULL},
    [Y_CRATE] = {"--crate", NULL, CLI_OPT_DOUBLE, "C", "C-rate", -INFINITY, INFINITY,
                 "discharge and charge rate (the two options below override it)", NULL},
    [Y_CRATE_D] = {"--crate-discharge", NULL, CLI_OPT_DOUBLE, "C", "C-rate", -INFINITY, INFINITY,
                   "discharge rate (default 1)", NULL},
    [Y_CRATE_C] = {"--crate-charge", NULL, CLI_OPT_DOUBLE, "C", "C-rate", -INFINITY, INFINITY, "charge rate (default 1)",
                   NULL},
    [Y_VMIN] = {"--v-min", NULL, CLI_OPT_DOUBLE, "V", "V", 0, 6, "discharge cut-off (default 3.5)", NULL},
    [Y_VMAX] = {"--v-max", NULL, CLI_OPT_DOUBLE, "V", "V", 0, 6, "charge cut-off (default 4.2)", NULL},
    [Y_HOLD] = {"--hold-crate", NULL, CLI_OPT_DOUBLE, "C", "C-rate", 0, INFINITY,
                "end of the constant-voltage hold (default 0.05; 0: no hold)", NULL},
    [Y_REST] = {"--rest-h", NULL, CLI_OPT_DOUBLE, "H", "h", 0, INFINITY, "rest between cycles (default 0)", NULL},
    [Y_OUT] = {"--output", "-o", CLI_OPT_STRING, "CYCLES.csv", NULL, 0, 0, "per-cycle CSV", NULL},
    [Y_PLOT] = {"--plot", NULL, CLI_OPT_STRING, "FILE.png", NULL, 0, 0, "retention and resistance plot", NULL},
    [Y_PROTOCOL] = {"--protocol", "-p", CLI_OPT_STRING, "TEXT", NULL, 0, 0, "protocol of one cycle (replaces the above)",
                    NULL},
    [Y_SET] = {"--set", NULL, CLI_OPT_MULTI, "KEY=VALUE", NULL, 0, 0,
               "set a cell key in its JSON units (positive.thickness_um=40); repeatable", NULL},
    [Y_IDATA] = {"--interfaces-data", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0,
                 "interface records instead of the built-in database", NULL},
    [Y_PRESSURE] = {"--pressure-MPa", NULL, CLI_OPT_DOUBLE, "P", "MPa", 0, 1000,
                    "stack pressure: contact mechanics on (replaces the cell file's interfaces.mechanics)", NULL},
    [Y_MECHS] = {"--mechanics", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
                 "lithium,cam,cracking,negative | all (those that apply to the anode) | none (default: those the database has constants for)", NULL},
};

/* The table shows about 20 cycles and the last: the label of cycle c (0-based) into buf, or NULL when skipped. */
static const char *row_label(int c, int n, int step, char buf[16])
{
    if (c % step && c != n - 1)
        return NULL;
    snprintf(buf, 16, "%d", c + 1);
    return buf;
}

static void cycle_help(void)
{
    printf("usage: ssbnet cell cycle [CELL.json] --cycles N [--crate C] [--crate-discharge C] [--crate-charge C]\n"
           "                         [--v-min V] [--v-max V] [--hold-crate C] [--rest-h H] [-o CYCLES.csv]\n"
           "                         [--plot FILE.png] [-p \"PROTOCOL OF ONE CYCLE\"] [--set KEY=VALUE ...]\n"
           "                         [--interfaces-data FILE] [--pressure-MPa P]\n"
           "                         [--mechanics lithium,cam,cracking,negative|all|none] [--json]\n\n"
           "Cycles the cell (built-in default without a file) with interface ageing: each cycle discharges at\n"
           "--crate-discharge (default 1C) to --v-min (3.5 V), charges at --crate-charge (1C) to --v-max (4.2 V) and\n"
           "holds until --hold-crate (C/20); the charge is taken to restore the initial (charged) state (-p replaces\n"
           "this cycle by any protocol text, Repeat blocks included; its discharge capacity is the sum of its\n"
           "discharging steps). Between\n"
           "cycles the interphases grow over the cycle's potential history (cathode|SE, SE|carbon, Li|SE) and update\n"
           "the cell: interface resistances, active CAM|SE area, effective ionic conductivity and cyclable lithium\n"
           "(lithium bound in interphases is lost inventory; with a Li-metal foil it thins the foil and costs no\n"
           "capacity while Li is in excess). The cell JSON's \"interfaces\" block sets the models (see\n"
           "include/ssbnet/ssb_iface.h); without it the database records for the cell's materials are used.\n"
           "With a stack pressure (--pressure-MPa or interfaces.mechanics.stack_pressure_MPa) contact mechanics\n"
           "join in (data/iface/mechanics.json): the Li|SE contact fraction under the pressure with the cycle's\n"
           "stripping current (voids, refilled by Li creep and vacancy diffusion), CAM|SE contact opened by the CAM's\n"
           "shrinkage at the top of charge and partly kept by the SE closing in under pressure (a share of the\n"
           "opened particles stays debonded per cycle), and CAM cracking (volume swing + diffusion-induced strain\n"
           "above the fracture strain isolates a share of the capacity per cycle), and for an alloy (Si) composite\n"
           "negative its particles losing contact as they shrink on delithiation (with the lithium they hold) and\n"
           "the stack pressure at the top of charge, and its particles above the host's critical size cracking\n"
           "on lithiation (Si: 150 nm; the cracking switch covers both sides); fade_by_mechanism splits them as\n"
           "lithium_contact, cam_contact_loss, cracking, negative_contact_loss, negative_cracking.\n"
           "Outputs: per-cycle table (or CSV with -o), JSON arrays cycle, discharge_capacity_mAh_per_cm2,\n"
           "capacity_retention, ..., and fade_by_mechanism (mAh/cm2, summing to total_fade_mAh_per_cm2).\n\n"
           "options:\n");
    cli_opts_help(stdout, cycle_opts, Y_COUNT);
    printf("\nexample:\n  ssbnet cell cycle --cycles 100 --json\n");
}

/* The per-cycle CSV (six more columns with contact mechanics), written atomically. Exit status. */
static int write_csv(cli_env *env, const char *csv, const ssb_iface_cycle_result *res, int mech_on)
{
    int n = res->n;
    cli_outfile of;
    int ret = cli_atomic_open(env, &of, csv);
    if (!ret) {
        fprintf(of.fp, "cycle,discharge_capacity_mAh_per_cm2,capacity_retention,positive_interface_resistance_"
                       "ohm_cm2,negative_interface_resistance_ohm_cm2,active_area_per_volume_per_m,"
                       "lithium_in_interphases_mol_per_m2,lithium_inventory_mol_per_m2,positive_interphase_nm,"
                       "carbon_interphase_nm,negative_interphase_nm%s\n",
                mech_on ? ",lithium_contact_fraction,cam_in_contact_fraction,cam_intact_fraction,"
                          "negative_in_contact_fraction,lithium_trapped_mol_per_m2,stack_pressure_top_of_charge_MPa"
                        : "");
        for (int c = 0; c < n; c++) {
            fprintf(of.fp, "%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", c + 1,
                    res->capacity[c] / MAH_PER_CM2, res->retention[c], res->R_pos[c] / OHM_CM2,
                    res->R_neg[c] / OHM_CM2, res->a_pos[c], res->li_interphase[c], res->li_inventory[c],
                    res->thickness[0][c] * 1e9, res->thickness[1][c] * 1e9, res->thickness[2][c] * 1e9);
            const double mv[] = {res->li_contact[c], res->cam_active[c],  res->cam_intact[c],
                                 res->neg_active[c], res->li_trapped[c], res->stack_pressure[c] / 1e6};
            for (int k = 0; mech_on && k < 6; k++) /* a quantity the cell does not have: empty field */
                isfinite(mv[k]) ? fprintf(of.fp, ",%.10g", mv[k]) : fputc(',', of.fp);
            fputc('\n', of.fp);
        }
        ret = cli_atomic_commit(env, &of);
    }
    return ret;
}

/* Retention and resistances per cycle (PNG or SVG). Exit status. */
static int plot_cycles(cli_env *env, const char *plot, const ssb_iface_cycle_result *res)
{
    int n = res->n, rc;
    ssb_plot *fig = NULL;
    double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n),
           *y2 = malloc(sizeof(double) * (size_t)n);
    rc = ssb_plot_create(env->ctx, 2, 1, 900, 900, &fig);
    if (!rc && x && y && y2) {
        for (int c = 0; c < n; c++) {
            x[c] = c + 1;
            y[c] = res->retention[c] * 100.0;
        }
        ssb_plot_axes ax = ssb_plot_axes_default();
        ax.title = "capacity retention with interface ageing";
        ax.xlabel = "cycle";
        ax.ylabel = "retention [%]";
        rc = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
        if (!rc)
            rc = ssb_plot_add_series(env->ctx, fig, 0, n, x, y, NULL);
        ax = ssb_plot_axes_default();
        ax.title = "interface resistances";
        ax.xlabel = "cycle";
        ax.ylabel = "R [Ω cm²]";
        for (int c = 0; c < n; c++) {
            y[c] = res->R_pos[c] / OHM_CM2;
            y2[c] = res->R_neg[c] / OHM_CM2;
        }
        ssb_plot_series s1 = ssb_plot_series_default(), s2 = ssb_plot_series_default();
        s1.label = "cathode|SE (per active area)";
        s2.label = "negative|SE";
        if (!rc)
            rc = ssb_plot_set_axes(env->ctx, fig, 1, &ax);
        if (!rc)
            rc = ssb_plot_add_series(env->ctx, fig, 1, n, x, y, &s1);
        if (!rc)
            rc = ssb_plot_add_series(env->ctx, fig, 1, n, x, y2, &s2);
        if (!rc)
            rc = ssb_plot_save(env->ctx, fig, plot);
    }
    free(x), free(y), free(y2);
    ssb_plot_destroy(&fig);
    return rc ? cli_fail(env, rc) : 0;
}

/* The JSON object of the run. */
#define NOTE_LEN 512
static void print_json(const ssb_iface_cycle_result *res, const ssb_iface_ageing *ag,
                       const char notes[][NOTE_LEN], int mech_on)
{
    int n = res->n;
    cJSON *j = cJSON_CreateObject();
    cJSON *jc = cJSON_AddArrayToObject(j, "cycle"), *jq = cJSON_AddArrayToObject(j, "discharge_capacity_mAh_per_cm2"),
          *jr = cJSON_AddArrayToObject(j, "capacity_retention"),
          *jp = cJSON_AddArrayToObject(j, "positive_interface_resistance_ohm_cm2"),
          *jn = cJSON_AddArrayToObject(j, "negative_interface_resistance_ohm_cm2"),
          *ja = cJSON_AddArrayToObject(j, "active_area_per_volume_per_m"),
          *jl = cJSON_AddArrayToObject(j, "lithium_in_interphases_mol_per_m2"),
          *ji = cJSON_AddArrayToObject(j, "lithium_inventory_mol_per_m2");
    for (int c = 0; c < n; c++) {
        cJSON_AddItemToArray(jc, cJSON_CreateNumber(c + 1));
        cJSON_AddItemToArray(jq, cJSON_CreateNumber(res->capacity[c] / MAH_PER_CM2));
        cJSON_AddItemToArray(jr, cJSON_CreateNumber(res->retention[c]));
        cJSON_AddItemToArray(jp, cJSON_CreateNumber(res->R_pos[c] / OHM_CM2));
        cJSON_AddItemToArray(jn, cJSON_CreateNumber(res->R_neg[c] / OHM_CM2));
        cJSON_AddItemToArray(ja, cJSON_CreateNumber(res->a_pos[c]));
        cJSON_AddItemToArray(jl, cJSON_CreateNumber(res->li_interphase[c]));
        cJSON_AddItemToArray(ji, cJSON_CreateNumber(res->li_inventory[c]));
    }
    cJSON *f = cJSON_AddObjectToObject(j, "fade_by_mechanism");
    for (int m = 0; m < SSB_IFACE_NMECH; m++)
        if (m != SSB_IFACE_MECH_NEG_CRACKING || ag->mech.neg_cracking) /* only where it can act */
            cJSON_AddNumberToObject(f, ssb_iface_mech_name((ssb_iface_mech)m), res->fade[m] / MAH_PER_CM2);
    cJSON_AddNumberToObject(j, "total_fade_mAh_per_cm2", res->fade_total / MAH_PER_CM2);
    cJSON_AddNumberToObject(j, "lithium_lost_mol_per_m2", res->li_lost);
    cJSON_AddNumberToObject(j, "hours", res->hours);
    if (mech_on) {
        cJSON *mo = cJSON_AddObjectToObject(j, "mechanics");
        cJSON_AddNumberToObject(mo, "stack_pressure_MPa", ag->mech.pressure / 1e6);
        /* the mechanisms on, by their fade_by_mechanism keys (those keys stay numbers) */
        cJSON *on = cJSON_AddArrayToObject(mo, "mechanisms_on");
        const int flags[] = {ag->mech.li_contact, ag->mech.cam_contact, ag->mech.cracking, ag->mech.neg_contact,
                             ag->mech.neg_contact && ag->site[SSB_IFACE_NEG].enabled, ag->mech.neg_cracking};
        for (int k = 0; k < 6; k++)
            if (flags[k])
                cJSON_AddItemToArray(on, cJSON_CreateString(ssb_iface_mech_name(
                                             (ssb_iface_mech)(SSB_IFACE_MECH_LI_CONTACT + k))));
        const char *keys[] = {"lithium_contact_fraction", "cam_in_contact_fraction", "cam_intact_fraction",
                              "cam_contact_kept_at_top_of_charge", "crack_strain", "negative_in_contact_fraction",
                              "lithium_trapped_mol_per_m2", "stack_pressure_top_of_charge_MPa",
                              "lithium_in_sei_regrowth_mol_per_m2"};
        const double *arrs[] = {res->li_contact,   res->cam_active, res->cam_intact, res->cam_kept,
                                res->crack_strain, res->neg_active, res->li_trapped, res->stack_pressure,
                                res->li_sei_regrowth};
        const double scale[] = {1, 1, 1, 1, 1, 1, 1, 1e-6, 1};
        for (int k = 0; k < 9; k++) {
            cJSON *a = cJSON_AddArrayToObject(mo, keys[k]);
            for (int c = 0; c < n; c++)
                cJSON_AddItemToArray(a, isfinite(arrs[k][c]) ? cJSON_CreateNumber(arrs[k][c] * scale[k])
                                                             : cJSON_CreateNull());
        }
        if (ag->mech.neg_cracking) {
            cJSON *a = cJSON_AddArrayToObject(mo, "negative_intact_fraction");
            for (int c = 0; c < n; c++)
                cJSON_AddItemToArray(a, cJSON_CreateNumber(res->neg_intact[c]));
        }
    }
    cJSON *ifs = cJSON_AddObjectToObject(j, "interfaces");
    for (int k = 0; k < SSB_IFACE_NSITES; k++) {
        cJSON *o = cJSON_AddObjectToObject(ifs, ssb_iface_site_name((ssb_iface_site)k));
        cJSON_AddBoolToObject(o, "ageing", ag->site[k].enabled);
        cJSON_AddStringToObject(o, "electrode", ag->site[k].electrode);
        cJSON_AddStringToObject(o, "electrolyte", ag->site[k].electrolyte);
        cJSON_AddStringToObject(o, "interphase_type", ssb_iface_type_name(ag->site[k].type));
        cJSON_AddStringToObject(o, "law", ssb_iface_law_name(ag->site[k].growth.law));
        if (notes[k][0])
            cJSON_AddStringToObject(o, "ageing_note", notes[k]);
        cJSON_AddNumberToObject(o, "final_thickness_nm", n ? res->thickness[k][n - 1] * 1e9 : 0);
    }
    cli_json_print(j);
}

/* The per-cycle tables and the fade split. */
static void print_text(const ssb_iface_cycle_result *res, const ssb_iface_ageing *ag, const char notes[][NOTE_LEN],
                       int mech_on)
{
    int n = res->n;
    printf("cycling with interface ageing: %d cycles, %.4g h\n", n, res->hours);
    for (int k = 0; k < SSB_IFACE_NSITES; k++) {
        const ssb_iface_site_params *sp = &ag->site[k];
        char pair[2 * SSB_IFACE_NAME_LEN + 2];
        snprintf(pair, sizeof pair, "%s|%s", sp->electrode, sp->electrolyte);
        /* a note that starts with the pair (a decomposing pair without growth data) is printed as it is */
        if (!sp->enabled && !strncmp(notes[k], pair, strlen(pair)))
            printf("  %-8s %s\n", ssb_iface_site_name((ssb_iface_site)k), notes[k]);
        else
            printf("  %-8s %s: %s\n", ssb_iface_site_name((ssb_iface_site)k), pair,
                   sp->enabled ? ssb_iface_law_name(sp->growth.law) : notes[k]);
    }
    printf("\n");
    const char *hdr[] = {"cycle", "capacity [mAh/cm2]", "retention [%]", "R_pos [ohm cm2]", "R_neg [ohm cm2]",
                         "a_pos [1/m]", "Li in interphases [umol/cm2]"};
    cli_table *t = cli_table_create(7, hdr);
    int step = n > 20 ? n / 20 : 1;
    char cyc[16];
    for (int c = 0; c < n; c++) {
        if (!row_label(c, n, step, cyc))
            continue;
        const char *cells[] = {cyc,
                               cli_fmt(res->capacity[c] / MAH_PER_CM2),
                               cli_fmt(res->retention[c] * 100.0),
                               cli_fmt(res->R_pos[c] / OHM_CM2),
                               cli_fmt(res->R_neg[c] / OHM_CM2),
                               cli_fmt(res->a_pos[c]),
                               cli_fmt(res->li_interphase[c] * 100.0)};
        cli_table_add_row(t, cells);
    }
    cli_table_print(t, stdout);
    cli_table_destroy(&t);
    if (mech_on) {
        printf("\ncontact mechanics at %s MPa (lithium contact %s, CAM contact loss %s, cracking %s, negative "
               "contact loss %s)\n",
               cli_fmt(ag->mech.pressure / 1e6), ag->mech.li_contact ? "on" : "off",
               ag->mech.cam_contact ? "on" : "off", ag->mech.cracking ? "on" : "off",
               ag->mech.neg_contact ? "on" : "off");
        const char *hm[] = {"cycle", "Li contact [-]", "CAM in contact [-]", "CAM intact [-]",
                            "kept at top of charge [-]", "crack strain [-]", "negative in contact [-]",
                            "stack pressure, charged [MPa]"};
        t = cli_table_create(8, hm);
        for (int c = 0; c < n; c++) {
            if (!row_label(c, n, step, cyc))
                continue;
            const char *cells[] = {cyc,
                                   cli_fmt(res->li_contact[c]),
                                   cli_fmt(res->cam_active[c]),
                                   cli_fmt(res->cam_intact[c]),
                                   isfinite(res->cam_kept[c]) ? cli_fmt(res->cam_kept[c]) : "-",
                                   isfinite(res->crack_strain[c]) ? cli_fmt(res->crack_strain[c]) : "-",
                                   cli_fmt(res->neg_active[c]),
                                   isfinite(res->stack_pressure[c]) ? cli_fmt(res->stack_pressure[c] / 1e6) : "-"};
            cli_table_add_row(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
    }
    printf("\ncapacity fade by mechanism, cycle 1 -> %d\n", n);
    const char *h2[] = {"mechanism", "fade [mAh/cm2]"};
    t = cli_table_create(2, h2);
    for (int m = 0; m < SSB_IFACE_NMECH; m++) {
        if (m == SSB_IFACE_MECH_NEG_CRACKING && !ag->mech.neg_cracking)
            continue;
        const char *cells[] = {ssb_iface_mech_name((ssb_iface_mech)m), cli_fmt(res->fade[m] / MAH_PER_CM2)};
        cli_table_add_row(t, cells);
    }
    const char *tot[] = {"total", cli_fmt(res->fade_total / MAH_PER_CM2)};
    cli_table_add_row(t, tot);
    cli_table_print(t, stdout);
    cli_table_destroy(&t);
}

int cmd_cell_cycle(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        cycle_help();
        return 0;
    }
    cli_optval val[Y_COUNT];
    const char *file = NULL;
    int npos = 0;
    int prc = cli_opts_parse(env, "cell cycle", cycle_opts, Y_COUNT, argc, argv, 2, val, &file, 1, &npos, NULL, NULL);
    if (prc)
        return prc;
    if (!val[Y_CYCLES].given)
        return cli_usage_error(env, "cell cycle needs --cycles N with 1 <= N <= 1000000");
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    if (val[Y_CRATE].given)
        cp.crate_discharge = cp.crate_charge = val[Y_CRATE].num;
    struct {
        int k;
        double *var;
    } dbl[] = {{Y_CRATE_D, &cp.crate_discharge}, {Y_CRATE_C, &cp.crate_charge}, {Y_VMIN, &cp.v_min},
               {Y_VMAX, &cp.v_max},              {Y_HOLD, &cp.hold_crate}};
    for (size_t k = 0; k < sizeof dbl / sizeof dbl[0]; k++)
        if (val[dbl[k].k].given)
            *dbl[k].var = val[dbl[k].k].num;
    if (val[Y_PROTOCOL].given)
        cp.protocol = val[Y_PROTOCOL].str;
    const char *csv = val[Y_OUT].str, *plot = val[Y_PLOT].str, *idata = val[Y_IDATA].str;
    const char *const *sets = val[Y_SET].multi;
    int nsets = val[Y_SET].n;
    double rest_h = val[Y_REST].given ? val[Y_REST].num : 0;
    long long cycles = (long long)val[Y_CYCLES].num;
    cp.cycles = (int)cycles;
    cp.rest = rest_h * 3600.0;
    ssb_materials *mdb = NULL;
    ssb_iface_db *idb = NULL;
    ssb_cell_params *p = NULL;
    ssb_iface_ageing ag;
    ssb_iface_cycle_result res;
    memset(&res, 0, sizeof res);
    int rc = ssb_materials_create(env->ctx, &mdb);
    if (!rc)
        rc = ssb_materials_load_builtin(env->ctx, mdb);
    if (!rc)
        rc = ssb_iface_db_load(env->ctx, idata, &idb);
    if (!rc)
        rc = file ? ssb_cell_params_from_json(env->ctx, mdb, file, &p) : ssb_cell_params_default(env->ctx, mdb, &p);
    for (int k = 0; !rc && k < nsets; k++) {
        char key[256];
        const char *eq = strchr(sets[k], '=');
        if (!eq || eq == sets[k] || (size_t)(eq - sets[k]) >= sizeof key) {
            ssb_cell_params_destroy(&p);
            ssb_iface_db_destroy(&idb);
            ssb_materials_destroy(&mdb);
            return cli_usage_error(env, "--set needs KEY=VALUE (got '%s')", sets[k]);
        }
        memcpy(key, sets[k], (size_t)(eq - sets[k]));
        key[eq - sets[k]] = '\0';
        double val;
        int r = cli_parse_double(env, "--set", eq + 1, &val);
        if (r) {
            ssb_cell_params_destroy(&p);
            ssb_iface_db_destroy(&idb);
            ssb_materials_destroy(&mdb);
            return r;
        }
        rc = ssb_cell_params_set(env->ctx, p, key, val);
    }
    if (!rc)
        rc = ssb_iface_ageing_from_cell(env->ctx, mdb, idb, p, file, &ag);
    if (!rc) {
        /* the records give Ea = 0 where none is reported: say so for a cell away from their temperature */
        ssb_cell_values cv;
        ssb_cell_params_get_values(p, &cv);
        for (int k = 0; k < SSB_IFACE_NSITES; k++) {
            const ssb_iface_site_params *sp = &ag.site[k];
            if (sp->enabled && sp->growth.law != SSB_IFACE_LAW_NONE && sp->growth.Ea == 0 &&
                fabs(cv.cell.T - sp->growth.T_ref) > 0.5)
                fprintf(stderr, "ssbnet: warning: cell cycle: %s interface %s|%s: no activation energy (0: its growth "
                                "is taken as at %.2f K, the cell is at %.2f K); set interfaces.%s."
                                "activation_energy_kJ_per_mol\n", ssb_iface_site_name((ssb_iface_site)k),
                        sp->electrode, sp->electrolyte, sp->growth.T_ref, cv.cell.T,
                        ssb_iface_site_name((ssb_iface_site)k));
        }
    }
    int want[4] = {-1, -1, -1, -1}, mech_bad = 0;
    if (val[Y_MECHS].given) {
        const char *names[] = {"lithium", "cam", "cracking", "negative"};
        char buf[256];
        snprintf(buf, sizeof buf, "%s", val[Y_MECHS].str);
        int all = !strcmp(buf, "all"), none = !strcmp(buf, "none");
        for (int k = 0; k < 4; k++)
            want[k] = all ? 1 : 0;
        if (!all && !none)
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                int k = 0;
                while (k < 4 && strcmp(tok, names[k]))
                    k++;
                if (k == 4)
                    mech_bad = 1;
                else
                    want[k] = 1;
            }
    }
    if (!rc && val[Y_MECHS].given && !strcmp(val[Y_MECHS].str, "all")) {
        /* all: every mechanism that applies to the cell's anode (Li | SE contact for a Li foil, contact loss of
           the particles for a composite negative), each required to have its constants */
        ssb_cell_values cv;
        ssb_cell_params_get_values(p, &cv);
        want[0] = cv.anode == SSB_CELL_ANODE_LI_METAL;
        want[3] = cv.anode == SSB_CELL_ANODE_COMPOSITE;
    }
    if (mech_bad || (val[Y_MECHS].given && !val[Y_PRESSURE].given)) {
        ssb_cell_params_destroy(&p);
        ssb_iface_db_destroy(&idb);
        ssb_materials_destroy(&mdb);
        return mech_bad ? cli_usage_error(env, "--mechanics: '%s' is not a list of lithium, cam, cracking, negative "
                                               "(or all, none)", val[Y_MECHS].str)
                        : cli_usage_error(env, "--mechanics needs --pressure-MPa P");
    }
    if (!rc && val[Y_PRESSURE].given) {
        ssb_mech_db *mechdb = NULL;
        rc = ssb_mech_db_load(env->ctx, NULL, &mechdb);
        if (!rc)
            rc = ssb_iface_mech_setup(env->ctx, mdb, mechdb, p, val[Y_PRESSURE].num * 1e6, want[0], want[1], want[2],
                                      want[3], &ag);
        if (!rc) /* cracking covers the negative's alloy host too */
            rc = ssb_iface_mech_setup_neg_cracking(env->ctx, mdb, mechdb, p, want[2], &ag);
        ssb_mech_db_destroy(&mechdb);
    }
    char notes[SSB_IFACE_NSITES][NOTE_LEN] = {{0}};
    for (int k = 0; !rc && k < SSB_IFACE_NSITES; k++)
        ssb_iface_site_note(env->ctx, mdb, idb, p, &ag, (ssb_iface_site)k, notes[k], NOTE_LEN);
    if (!rc)
        rc = ssb_iface_cycle_run(env->ctx, p, &ag, &cp, &res);
    int mech_on = !rc && !isnan(ag.mech.pressure);
    int ret = rc ? cli_fail(env, rc) : 0;
    if (!ret && csv)
        ret = write_csv(env, csv, &res, mech_on);
    if (!ret && plot)
        ret = plot_cycles(env, plot, &res);
    if (!ret && env->json)
        print_json(&res, &ag, (const char(*)[NOTE_LEN])notes, mech_on);
    else if (!ret)
        print_text(&res, &ag, (const char(*)[NOTE_LEN])notes, mech_on);
    ssb_iface_cycle_result_destroy(&res);
    ssb_cell_params_destroy(&p);
    ssb_iface_db_destroy(&idb);
    ssb_materials_destroy(&mdb);
    return ret;
}
