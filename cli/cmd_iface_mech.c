/* ssbnet iface lithium | contact: contact under pressure (ssb_mech.h). Dispatched from cmd_iface.c. */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_plot.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MA_CM2 10.0   /* A/m2 per mA/cm2 */
#define MPA 1e6
#define OHM_CM2 1e-4  /* ohm m2 per ohm cm2 */
#define MAXLIST 64

int cmd_iface_lithium(cli_env *env, int argc, char **argv);
int cmd_iface_contact(cli_env *env, int argc, char **argv);
int cli_mech_load(cli_env *env, ssb_materials **mdb, ssb_mech_db **db);

/* A range error of a command-line value: message naming the option, exit code CLI_EXIT_RANGE. */
static int range_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ssbnet: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_RANGE;
}

/* The materials and mechanics databases (shared with cmd_iface_volume.c and cmd_iface_stack.c). */
int cli_mech_load(cli_env *env, ssb_materials **mdb, ssb_mech_db **db)
{
    int rc = ssb_materials_create(env->ctx, mdb);
    if (!rc)
        rc = ssb_materials_load_builtin(env->ctx, *mdb);
    if (!rc)
        rc = ssb_mech_db_load(env->ctx, NULL, db);
    return rc;
}

/* ------------------------------------------------------------------------------------------------ lithium */

enum { L_SE, L_ANODE, L_P, L_J, L_T, L_HOURS, L_SEP, L_VOLT, L_PLOT, L_COUNT };
/* Open lower bounds (hours, separator) are checked after parsing. */
static const cli_opt lithium_opts[L_COUNT] = {
    [L_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "solid electrolyte (required)", NULL},
    [L_ANODE] = {"--anode", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "Li metal or alloy (default Li)", NULL},
    [L_P] = {"--pressure-MPa", NULL, CLI_OPT_LIST, "P[,P...]", "MPa", 0, 1000, "stack pressures (required)", NULL},
    [L_J] = {"--current-mA-cm2", NULL, CLI_OPT_LIST, "J[,J...]", "mA/cm2", 0, SSB_MECH_J_MAX / MA_CM2,
             "stripping currents of the map (default 20 from 0.01 to 10)", NULL},
    [L_T] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -73.15, 176.85,
             "temperature (default 25; Li melts at 180.5 C)", NULL},
    [L_HOURS] = {"--hours", NULL, CLI_OPT_DOUBLE, "H", "h", 0, 1e5, "stripping time of the map (default 100, > 0)", NULL},
    [L_SEP] = {"--separator-um", NULL, CLI_OPT_DOUBLE, "L", "um", 0, INFINITY, "separator thickness (default 500, > 0)",
               NULL},
    [L_VOLT] = {"--voltage-V", NULL, CLI_OPT_DOUBLE, "V", "V", 0, INFINITY,
                "voltage across the separator for the leakage (default 0.1)", NULL},
    [L_PLOT] = {"--plot", NULL, CLI_OPT_STRING, "FILE.png", NULL, 0, 0, "pressure x current map", NULL},
};

static void lithium_help(void)
{
    printf("usage: ssbnet iface lithium --electrolyte NAME --pressure-MPa P[,P...] [--anode NAME (default Li)]\n"
           "                            [--current-mA-cm2 J[,J...]] [--temperature-C T] [--hours H]\n"
           "                            [--separator-um L] [--voltage-V V] [--plot FILE.png] [--json]\n\n"
           "Li-metal (or Li-alloy) anode | SE under stack pressure on stripping: Li supply to the interface by\n"
           "vacancy diffusion and power-law creep (data/iface/mechanics.json), the critical stripping current (CCS)\n"
           "per pressure, and a pressure x current map of the contact fraction after --hours (default 100) with the\n"
           "region: dendrite (the next plating current through the remaining contacts, j/phi, reaches the SE's\n"
           "plating CCD less its electronic leakage sigma_e V / L through a separator of --separator-um (default\n"
           "500) at --voltage-V (default 0.1); at full contact too), else stable (contact >= 0.99) or void.\n"
           "Currents default to 20 values from 0.01 to 10 mA/cm2; the model covers 0..%g mA/cm2 and 0..1000 MPa.\n\n"
           "options:\n",
           SSB_MECH_J_MAX / MA_CM2);
    cli_opts_help(stdout, lithium_opts, L_COUNT);
    printf("\nexample:\n  ssbnet iface lithium --electrolyte Li6PS5Cl --pressure-MPa 1,3,5,7 --plot li_map.png\n");
}

/* Stripping current above which the next plating makes dendrites (bisection on j / phi_end(j) = CCD_eff). */
static int dendrite_current(ssb_ctx *ctx, const ssb_mech_anode *a, const ssb_mech_solid *se,
                            const ssb_mech_li_params *p, double *jd)
{
    ssb_mech_li_point pt;
    int rc = ssb_mech_li_evaluate(ctx, a, se, p, SSB_MECH_J_MAX, 0, NULL, NULL, &pt);
    if (rc)
        return rc;
    if (isnan(pt.ccd_effective) || pt.region != SSB_MECH_DENDRITE) {
        *jd = isnan(pt.ccd_effective) ? NAN : INFINITY;
        return SSB_OK;
    }
    double lo = 0, hi = SSB_MECH_J_MAX;
    for (int it = 0; it < 50 && hi - lo > 1e-6 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if ((rc = ssb_mech_li_evaluate(ctx, a, se, p, mid, 0, NULL, NULL, &pt)))
            return rc;
        if (pt.region == SSB_MECH_DENDRITE)
            hi = mid;
        else
            lo = mid;
    }
    *jd = hi;
    return SSB_OK;
}

static int lithium_plot(cli_env *env, const char *path, int np, const double *P, int nj, const double *J,
                        const ssb_mech_li_point *map, const double *ccs, const char *title)
{
    ssb_plot *fig = NULL;
    int rc = ssb_plot_create(env->ctx, 1, 1, 900, 650, &fig);
    double *x = malloc(sizeof(double) * (size_t)(np * nj)), *y = malloc(sizeof(double) * (size_t)(np * nj));
    if (!rc && (!x || !y))
        rc = SSB_ERR_NOMEM;
    if (!rc) {
        ssb_plot_axes ax = ssb_plot_axes_default();
        ax.title = title;
        ax.xlabel = "stack pressure [MPa]";
        ax.ylabel = "stripping current [mA/cm²]";
        ax.ylog = 1;
        rc = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
    }
    const char *names[] = {"stable", "void-forming", "dendrite (next plating)"};
    for (int reg = 0; reg < 3 && !rc; reg++) {
        int n = 0;
        for (int i = 0; i < np; i++)
            for (int k = 0; k < nj; k++)
                if ((int)map[i * nj + k].region == reg) {
                    x[n] = P[i] / MPA;
                    y[n++] = J[k] / MA_CM2;
                }
        if (!n)
            continue;
        ssb_plot_series st = ssb_plot_series_default();
        st.style = SSB_PLOT_MARKERS;
        st.label = names[reg];
        st.color = reg == 0 ? 2 : reg == 1 ? 1 : 3;
        rc = ssb_plot_add_series(env->ctx, fig, 0, n, x, y, &st);
    }
    if (!rc) {
        for (int i = 0; i < np; i++) {
            x[i] = P[i] / MPA;
            y[i] = ccs[i] / MA_CM2;
        }
        ssb_plot_series st = ssb_plot_series_default();
        st.label = "critical stripping current";
        st.color = 0;
        rc = ssb_plot_add_series(env->ctx, fig, 0, np, x, y, &st);
    }
    if (!rc)
        rc = ssb_plot_save(env->ctx, fig, path);
    free(x);
    free(y);
    ssb_plot_destroy(&fig);
    return rc;
}

/* Over 150 lines: option checks, the per-pressure points, the map and its three writers (JSON, table, plot) share
 * the evaluated arrays; split, they would pass a dozen arrays around. */
int cmd_iface_lithium(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        lithium_help();
        return 0;
    }
    cli_optval val[L_COUNT];
    int npos = 0;
    int prc = cli_opts_parse(env, "iface lithium", lithium_opts, L_COUNT, argc, argv, 2, val, NULL, 0, &npos, NULL,
                             NULL);
    if (prc)
        return prc;
    if (!val[L_SE].given || !val[L_P].given)
        return cli_usage_error(env, "iface lithium needs --electrolyte NAME and --pressure-MPa P[,P...]");
    const char *se_name = val[L_SE].str, *anode = val[L_ANODE].given ? val[L_ANODE].str : "Li",
               *plot = val[L_PLOT].str;
    double TC = val[L_T].given ? val[L_T].num : 25, hours = val[L_HOURS].given ? val[L_HOURS].num : 100,
           sep_um = val[L_SEP].given ? val[L_SEP].num : 500, volt = val[L_VOLT].given ? val[L_VOLT].num : 0.1;
    double P[MAXLIST], J[MAXLIST];
    int np = val[L_P].n, nj = 20;
    for (int i = 0; i < np; i++)
        P[i] = val[L_P].list[i] * MPA;
    if (val[L_J].given) {
        nj = val[L_J].n;
        for (int k = 0; k < nj; k++)
            J[k] = val[L_J].list[k] * MA_CM2;
    } else {
        for (int k = 0; k < nj; k++)
            J[k] = 0.01 * pow(1000.0, k / (double)(nj - 1)) * MA_CM2;
    }
    if (!(hours > 0))
        return range_error("option --hours: %g h is out of range (> 0 to 1e5 h)", hours);
    if (!(sep_um > 0))
        return range_error("option --separator-um: %g um is out of range (must be > 0)", sep_um);

    ssb_materials *mdb = NULL;
    ssb_mech_db *db = NULL;
    const ssb_mech_anode *an = NULL;
    const ssb_mech_solid *se = NULL;
    int rc = cli_mech_load(env, &mdb, &db);
    if (!rc)
        rc = ssb_mech_db_anode(env->ctx, db, mdb, anode, &an);
    /* the CCS is the Li's (vacancy diffusion and creep); the SE gives only the plating criterion, so an SE of the
       materials database without a mechanics record (LGPS, Li3InCl6, LATP, ...) gets the CCS without it */
    ssb_mech_solid bare;
    const ssb_material *sm = NULL;
    int no_record = 0;
    if (!rc && ssb_mech_db_solid(env->ctx, db, mdb, se_name, &se) != SSB_OK) {
        if (ssb_materials_find(env->ctx, mdb, se_name, &sm) == SSB_OK && ssb_materials_class(sm) == SSB_MAT_SE) {
            ssb_ctx_clear_error(env->ctx);
            memset(&bare, 0, sizeof bare);
            snprintf(bare.name, sizeof bare.name, "%s", ssb_materials_name(sm));
            bare.E = bare.nu = bare.H = bare.ccd_plating = bare.sigma_e = NAN;
            se = &bare;
            no_record = 1;
        } else {
            rc = ssb_mech_db_solid(env->ctx, db, mdb, se_name, &se); /* its message: unknown or not an SE */
        }
    }
    if (!rc && se->kind != 0) {
        fprintf(stderr, "ssbnet: error: --electrolyte %s is a cathode material in the mechanics database, not an "
                        "electrolyte\n", se_name);
        ssb_mech_db_destroy(&db);
        ssb_materials_destroy(&mdb);
        return CLI_EXIT_NOTFOUND;
    }
    ssb_mech_li_params lp = ssb_mech_li_params_default();
    lp.T = TC + 273.15;
    lp.hours = hours;
    lp.separator = sep_um * 1e-6;
    lp.voltage = volt;
    ssb_mech_li_point *map = calloc((size_t)(np * nj), sizeof *map), *pts = calloc((size_t)np, sizeof *pts);
    double ccs[MAXLIST], jd[MAXLIST];
    if (!rc && (!map || !pts))
        rc = SSB_ERR_NOMEM;
    for (int i = 0; i < np && !rc; i++) {
        lp.pressure = P[i];
        rc = ssb_mech_li_evaluate(env->ctx, an, se, &lp, 0.0, 0, NULL, NULL, &pts[i]);
        if (!rc)
            rc = dendrite_current(env->ctx, an, se, &lp, &jd[i]);
        ccs[i] = pts[i].ccs;
        for (int k = 0; k < nj && !rc; k++)
            rc = ssb_mech_li_evaluate(env->ctx, an, se, &lp, J[k], 0, NULL, NULL, &map[i * nj + k]);
    }
    char title[200];
    snprintf(title, sizeof title, "%s | %s at %.0f C, %.0f h", an ? an->name : anode, se ? se->name : se_name, TC,
             hours);
    if (!rc && plot)
        rc = lithium_plot(env, plot, np, P, nj, J, map, ccs, title);
    if (rc) {
        free(map);
        free(pts);
        ssb_mech_db_destroy(&db);
        ssb_materials_destroy(&mdb);
        return cli_fail(env, rc);
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "anode", an->name);
        cJSON_AddStringToObject(j, "electrolyte", se->name);
        cJSON_AddNumberToObject(j, "temperature_C", TC);
        cJSON_AddNumberToObject(j, "hours", hours);
        cli_json_add_number(j, "plating_ccd_mA_per_cm2", se->ccd_plating / MA_CM2);
        cli_json_add_number(j, "electronic_leakage_mA_per_cm2", pts[0].i_leak / MA_CM2);
        if (no_record)
            cJSON_AddStringToObject(j, "plating_note", "no mechanics record of this electrolyte "
                                                        "(data/iface/mechanics.json): no plating criterion");
        cJSON *arr = cJSON_AddArrayToObject(j, "points");
        for (int i = 0; i < np; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "pressure_MPa", P[i] / MPA);
            cJSON_AddNumberToObject(o, "critical_stripping_current_mA_per_cm2", pts[i].ccs / MA_CM2);
            cJSON_AddBoolToObject(o, "ccs_beyond_model_range", pts[i].ccs > SSB_MECH_J_MAX);
            cJSON_AddNumberToObject(o, "vacancy_supply_mA_per_cm2", pts[i].j_vac / MA_CM2);
            cJSON_AddNumberToObject(o, "creep_supply_mA_per_cm2", pts[i].j_creep / MA_CM2);
            cli_json_add_number(o, "plating_ccd_mA_per_cm2", pts[i].ccd_plating / MA_CM2);
            cli_json_add_number(o, "electronic_leakage_mA_per_cm2", pts[i].i_leak / MA_CM2);
            cli_json_add_number(o, "effective_plating_ccd_mA_per_cm2", pts[i].ccd_effective / MA_CM2);
            cli_json_add_number(o, "dendrite_current_mA_per_cm2", jd[i] / MA_CM2);
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *m = cJSON_AddArrayToObject(j, "map");
        for (int i = 0; i < np; i++)
            for (int k = 0; k < nj; k++) {
                const ssb_mech_li_point *q = &map[i * nj + k];
                cJSON *o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "pressure_MPa", P[i] / MPA);
                cJSON_AddNumberToObject(o, "current_mA_per_cm2", J[k] / MA_CM2);
                cJSON_AddNumberToObject(o, "contact_fraction", q->phi_end);
                cli_json_add_number(o, "local_current_mA_per_cm2", q->j_local / MA_CM2);
                cli_json_add_number(o, "amplification", q->amplification);
                cJSON_AddStringToObject(o, "region", ssb_mech_region_name(q->region));
                cJSON_AddItemToArray(m, o);
            }
        cJSON *src = cJSON_AddObjectToObject(j, "sources");
        cJSON_AddStringToObject(src, "diffusion", an->diffusion_source ? an->diffusion_source : "");
        cJSON_AddStringToObject(src, "creep", an->creep_source ? an->creep_source : "");
        cJSON_AddStringToObject(src, "creep_calibration", an->creep_note ? an->creep_note : "");
        cJSON_AddStringToObject(src, "plating_ccd", se->ccd_source ? se->ccd_source : "");
        cJSON_AddStringToObject(src, "electronic_conductivity", se->electronic_source ? se->electronic_source : "");
        cli_json_print(j);
    } else {
        printf("%s | %s at %g C: critical stripping current per stack pressure\n", an->name, se->name, TC);
        const char *hdr[] = {"pressure [MPa]", "CCS [mA/cm2]", "vacancy supply [mA/cm2]", "creep supply [mA/cm2]",
                             "dendrite above [mA/cm2]"};
        cli_table *t = cli_table_create(5, hdr);
        for (int i = 0; i < np; i++) {
            const char *row[] = {cli_fmt(P[i] / MPA), cli_fmt(pts[i].ccs / MA_CM2), cli_fmt(pts[i].j_vac / MA_CM2),
                                 cli_fmt(pts[i].j_creep / MA_CM2), cli_fmt(jd[i] / MA_CM2)};
            cli_table_add_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        for (int i = 0; i < np; i++)
            if (pts[i].ccs > SSB_MECH_J_MAX) {
                printf("note: a CCS above %g mA/cm2 lies outside the model's current range, not a prediction: there "
                       "the interface kinetics, not the Li supply, limit\n      (at high pressure it is the p^n creep "
                       "law extrapolated from 1 MPa)\n", SSB_MECH_J_MAX / MA_CM2);
                break;
            }
        if (no_record)
            printf("\nplating criterion not available: %s has no record in data/iface/mechanics.json (plating CCD, "
                   "electronic conductivity), so the map shows voids only; the CCS above is the Li's\n", se->name);
        printf("\nplating CCD %s mA/cm2, electronic leakage %s mA/cm2; map after %g h "
               "(S stable, V void-forming, D dendrite on the next plating):\n",
               cli_fmt(se->ccd_plating / MA_CM2), cli_fmt(pts[0].i_leak / MA_CM2), hours);
        printf("%14s", "j [mA/cm2] \\ p");
        for (int i = 0; i < np; i++)
            printf(" %5.3g", P[i] / MPA);
        printf("\n");
        for (int k = nj - 1; k >= 0; k--) {
            printf("%14.4g", J[k] / MA_CM2);
            for (int i = 0; i < np; i++)
                printf(" %5c", "SVD"[map[i * nj + k].region]);
            printf("\n");
        }
        if (plot && !env->quiet)
            fprintf(stderr, "map written to %s\n", plot);
    }
    free(map);
    free(pts);
    ssb_mech_db_destroy(&db);
    ssb_materials_destroy(&mdb);
    return 0;
}

/* ------------------------------------------------------------------------------------------------ contact */

enum { C_MAT, C_AGAINST, C_P, C_DIST, C_T, C_ROUGH, C_RAD, C_DENS, C_RCT, C_SIGMA, C_COUNT };
/* Open lower bounds (> 0) are checked after parsing. */
static const cli_opt contact_opts[C_COUNT] = {
    [C_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "solid electrolyte (required)", NULL},
    [C_AGAINST] = {"--against", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "particle material (default NCM811)", NULL},
    [C_P] = {"--pressure-MPa", NULL, CLI_OPT_LIST, "P[,P...]", "MPa", 0, 1e4, "nominal pressures, > 0 (required)",
             NULL},
    [C_DIST] = {"--distribution", NULL, CLI_OPT_CHOICE, "WORD", NULL, 0, 0,
                "asperity height distribution (default gaussian)", "gaussian,exponential"},
    [C_T] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -73.15, 400, "temperature (default 25)", NULL},
    [C_ROUGH] = {"--roughness-nm", NULL, CLI_OPT_DOUBLE, "S", "nm", 0, INFINITY, "rms roughness (default 50, > 0)",
                 NULL},
    [C_RAD] = {"--asperity-radius-um", NULL, CLI_OPT_DOUBLE, "R", "um", 0, INFINITY,
               "asperity tip radius (default 1, > 0)", NULL},
    [C_DENS] = {"--asperity-density-per-um2", NULL, CLI_OPT_DOUBLE, "N", "1/um2", 0, INFINITY,
                "asperities per area (default 0.1, > 0)", NULL},
    [C_RCT] = {"--charge-transfer-ohm-cm2", NULL, CLI_OPT_DOUBLE, "R", "ohm cm2", 0, INFINITY,
               "charge-transfer resistance of the contacted area (default 0)", NULL},
    [C_SIGMA] = {"--sigma-S-per-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", 0, INFINITY,
                 "Li+ conductivity of --material, > 0 (default: materials database at T)", NULL},
};

static void contact_help(void)
{
    printf("usage: ssbnet iface contact --material NAME --pressure-MPa P[,P...] [--against NAME (default NCM811)]\n"
           "                            [--roughness-nm S] [--asperity-radius-um R] [--asperity-density-per-um2 N]\n"
           "                            [--distribution gaussian|exponential] [--charge-transfer-ohm-cm2 R]\n"
           "                            [--sigma-S-per-cm S] [--temperature-C T] [--json]\n\n"
           "Rough contact of an SE (--material) against a particle material (--against) under a nominal pressure:\n"
           "Greenwood-Williamson asperities (default roughness 50 nm, tip radius 1 um, 0.1 per um2) with Hertz\n"
           "elastic and fully plastic (hardness) contacts, moduli from data/iface/mechanics.json (sulfides soft,\n"
           "oxides stiff). Reports the real contact area fraction and the interface resistance: the constriction\n"
           "of the Li+ current in the SE into the microcontacts, 1/(4 sigma a N) (against another SE on both\n"
           "sides, 1/(4 sigma a N) + 1/(4 sigma_2 a N), sigma_2 from the database), plus the charge-transfer\n"
           "resistance of the contacted area (default 0) / contact fraction. sigma: --sigma-S-per-cm or the\n"
           "materials database's Li+ conductivity of --material at T.\n\n"
           "options:\n");
    cli_opts_help(stdout, contact_opts, C_COUNT);
    printf("\nexample:\n  ssbnet iface contact --material Li6PS5Cl --pressure-MPa 5,10,50,100\n");
}

int cmd_iface_contact(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        contact_help();
        return 0;
    }
    cli_optval val[C_COUNT];
    int npos = 0;
    int prc = cli_opts_parse(env, "iface contact", contact_opts, C_COUNT, argc, argv, 2, val, NULL, 0, &npos, NULL,
                             NULL);
    if (prc)
        return prc;
    if (!val[C_MAT].given || !val[C_P].given)
        return cli_usage_error(env, "iface contact needs --material NAME and --pressure-MPa P[,P...]");
    const char *mat = val[C_MAT].str, *against = val[C_AGAINST].given ? val[C_AGAINST].str : "NCM811";
    int expo = val[C_DIST].given && !strcasecmp(val[C_DIST].str, "exponential");
    const char *dist = expo ? "exponential" : "gaussian";
    struct {
        int k;
        double def;
    } d[] = {{C_T, 25}, {C_ROUGH, 50}, {C_RAD, 1}, {C_DENS, 0.1}, {C_RCT, 0}, {C_SIGMA, NAN}};
    double x[6];
    for (int k = 0; k < 6; k++)
        x[k] = val[d[k].k].given ? val[d[k].k].num : d[k].def;
    double TC = x[0], rough = x[1], rad = x[2], dens = x[3], rct = x[4], sig_cli = x[5];
    double P[MAXLIST];
    int np = val[C_P].n;
    for (int i = 0; i < np; i++) {
        P[i] = val[C_P].list[i];
        if (!(P[i] > 0))
            return range_error("option --pressure-MPa: %g MPa is out of range (> 0 to 10000 MPa)", P[i]);
    }
    if (!isnan(sig_cli) && !(sig_cli > 0))
        return range_error("option --sigma-S-per-cm: %g S/cm is out of range (must be > 0)", sig_cli);
    if (!(rough > 0) || !(rad > 0) || !(dens > 0))
        return range_error("--roughness-nm, --asperity-radius-um, --asperity-density-per-um2 must be > 0");
    ssb_mech_gw_params gp = ssb_mech_gw_params_default();
    if (expo)
        gp.dist = SSB_MECH_EXPONENTIAL;
    gp.roughness = rough * 1e-9;
    gp.asperity_radius = rad * 1e-6;
    gp.asperity_density = dens * 1e12;

    ssb_materials *mdb = NULL;
    ssb_mech_db *db = NULL;
    const ssb_mech_solid *s1 = NULL, *s2 = NULL;
    const ssb_material *m = NULL;
    double sigma = NAN;
    int rc = cli_mech_load(env, &mdb, &db);
    if (!rc)
        rc = ssb_mech_db_solid(env->ctx, db, mdb, mat, &s1);
    if (!rc)
        rc = ssb_mech_db_solid(env->ctx, db, mdb, against, &s2);
    if (!rc && !isnan(sig_cli))
        sigma = sig_cli * 100.0;
    else if (!rc)
        rc = ssb_materials_find(env->ctx, mdb, mat, &m);
    if (!rc && isnan(sigma))
        rc = ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_TOTAL, TC + 273.15, &sigma, NULL);
    /* against another SE the Li+ current constricts on both sides (Holm: 1/(4 s1 a) + 1/(4 s2 a)); a particle
       (CAM) takes it up by insertion: its side is not a constriction */
    double sigma2 = INFINITY;
    if (!rc && s2->kind == 0) {
        const ssb_material *m2 = NULL;
        if (!strcasecmp(s1->name, s2->name))
            sigma2 = sigma;
        else if (!(rc = ssb_materials_find(env->ctx, mdb, against, &m2)))
            rc = ssb_materials_sigma_ion(env->ctx, m2, SSB_SIGMA_TOTAL, TC + 273.15, &sigma2, NULL);
    }
    if (!rc)
        rc = ssb_mech_effective_modulus(env->ctx, s1->E, s1->nu, s2->E, s2->nu, &gp.E_star);
    if (!rc) {
        double H1 = isnan(s1->H) ? INFINITY : s1->H, H2 = isnan(s2->H) ? INFINITY : s2->H;
        gp.hardness = fmin(H1, H2); /* the softer body yields */
    }
    ssb_mech_gw_result res[MAXLIST];
    double R[MAXLIST], Rcon[MAXLIST];
    for (int i = 0; i < np && !rc; i++) {
        rc = ssb_mech_gw_at_pressure(env->ctx, &gp, P[i] * MPA, &res[i]);
        if (!rc)
            rc = ssb_mech_constriction(env->ctx, res[i].mean_radius, sigma, sigma2, &Rcon[i]);
        if (!rc) {
            Rcon[i] /= res[i].contacts; /* N contacts per m2 in parallel: ohm m2 */
            R[i] = Rcon[i] + rct * OHM_CM2 / res[i].area_fraction;
        }
    }
    if (rc) {
        ssb_mech_db_destroy(&db);
        ssb_materials_destroy(&mdb);
        return cli_fail(env, rc);
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "material", s1->name);
        cJSON_AddStringToObject(j, "against", s2->name);
        cJSON_AddNumberToObject(j, "effective_modulus_GPa", gp.E_star / 1e9);
        cJSON_AddNumberToObject(j, "hardness_GPa", gp.hardness / 1e9);
        cJSON_AddNumberToObject(j, "sigma_S_per_cm", sigma / 100.0);
        if (isfinite(sigma2))
            cJSON_AddNumberToObject(j, "against_sigma_S_per_cm", sigma2 / 100.0);
        else
            cJSON_AddNullToObject(j, "against_sigma_S_per_cm");
        cJSON_AddStringToObject(j, "distribution", dist);
        cJSON *arr = cJSON_AddArrayToObject(j, "points");
        for (int i = 0; i < np; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "pressure_MPa", P[i]);
            cJSON_AddNumberToObject(o, "contact_fraction", res[i].area_fraction);
            cJSON_AddNumberToObject(o, "resistance_ohm_cm2", R[i] / OHM_CM2);
            cJSON_AddNumberToObject(o, "constriction_resistance_ohm_cm2", Rcon[i] / OHM_CM2);
            cJSON_AddNumberToObject(o, "contacts_per_um2", res[i].contacts / 1e12);
            cJSON_AddNumberToObject(o, "mean_contact_radius_um", res[i].mean_radius / 1e-6);
            cJSON_AddNumberToObject(o, "plastic_fraction", res[i].plastic_fraction);
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *src = cJSON_AddObjectToObject(j, "sources");
        cJSON_AddStringToObject(src, "material", s1->elastic_source ? s1->elastic_source : "");
        cJSON_AddStringToObject(src, "against", s2->elastic_source ? s2->elastic_source : "");
        cJSON_AddStringToObject(src, "model", "Greenwood & Williamson, Proc. R. Soc. A 295, 300 (1966); plastic "
                                              "asperities: Chang, Etsion & Bogy, J. Tribol. 109, 257 (1987); "
                                              "constriction: Holm, Electric Contacts");
        cli_json_print(j);
    } else {
        printf("%s against %s: E* = %s GPa, hardness %s GPa, sigma_ion %s S/cm", s1->name, s2->name,
               cli_fmt(gp.E_star / 1e9), cli_fmt(gp.hardness / 1e9), cli_fmt(sigma / 100.0));
        if (isfinite(sigma2))
            printf(" (%s: %s S/cm, constriction on both sides)", s2->name, cli_fmt(sigma2 / 100.0));
        printf("\n");
        const char *hdr[] = {"pressure [MPa]", "contact fraction [-]", "contacts [1/um2]", "mean radius [um]",
                             "plastic [-]", "R_constriction [ohm cm2]", "R_interface [ohm cm2]"};
        cli_table *t = cli_table_create(7, hdr);
        for (int i = 0; i < np; i++) {
            const char *row[] = {cli_fmt(P[i]), cli_fmt(res[i].area_fraction), cli_fmt(res[i].contacts / 1e12),
                                 cli_fmt(res[i].mean_radius / 1e-6), cli_fmt(res[i].plastic_fraction),
                                 cli_fmt(Rcon[i] / OHM_CM2), cli_fmt(R[i] / OHM_CM2)};
            cli_table_add_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
    }
    ssb_mech_db_destroy(&db);
    ssb_materials_destroy(&mdb);
    return 0;
}
