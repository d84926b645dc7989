/* ssbnet iface stack: an alloy (Si) composite negative taking lithium in a cell stack held by a fixture: lithium
 * in the host, the layer's free swelling and the stack pressure it builds (ssb_mech_alloy_lithiate,
 * ssb_mech_stack_pressure: closed forms). Dispatched from cmd_iface.c. */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FARADAY 96485.33212
#define MAH_CM2 36000.0 /* C/m2 per mAh/cm2 */

int cmd_iface_stack(cli_env *env, int argc, char **argv);
int cli_mech_load(cli_env *env, ssb_materials **mdb, ssb_mech_db **db); /* cmd_iface_mech.c */

enum { K_HOST, K_L, K_EPS, K_POR, K_Q, K_SE, K_SEP, K_POS, K_FIX, K_P0, K_TAU, K_HOURS, K_COUNT };
static const cli_opt stack_opts[K_COUNT] = {
    [K_HOST] = {"--host", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "alloy host (default Si)", NULL},
    [K_L] = {"--thickness-um", NULL, CLI_OPT_DOUBLE, "L", "um", 0.01, 10000, "negative layer thickness (default 20)",
             NULL},
    [K_EPS] = {"--host-fraction", NULL, CLI_OPT_DOUBLE, "F", NULL, 0.001, 1, "host volume fraction (default 0.3)",
               NULL},
    [K_POR] = {"--porosity", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 0.99, "pore fraction of the layer (default 0.2)",
               NULL},
    [K_Q] = {"--capacity-mAh-cm2", NULL, CLI_OPT_LIST, "Q[,Q...]", "mAh/cm2", 0, 1000,
             "lithium taken by the layer (required)", NULL},
    [K_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0,
              "SE whose elastic constants every layer takes (default Li6PS5Cl)", NULL},
    [K_SEP] = {"--separator-um", NULL, CLI_OPT_DOUBLE, "L", "um", 0, 10000, "separator thickness (default 30)", NULL},
    [K_POS] = {"--positive-um", NULL, CLI_OPT_DOUBLE, "L", "um", 0, 10000, "positive electrode thickness (default 60)",
               NULL},
    [K_FIX] = {"--fixture-GPa-per-mm", NULL, CLI_OPT_DOUBLE, "K", "GPa/mm", 0, INFINITY,
               "fixture stiffness (default rigid; > 0)", NULL},
    [K_P0] = {"--pressure-MPa", NULL, CLI_OPT_DOUBLE, "P", "MPa", 0, 1000, "stack pressure before (default 0)", NULL},
    [K_TAU] = {"--creep-tau-h", NULL, CLI_OPT_DOUBLE, "TAU", "h", 0, INFINITY,
               "creep relaxation time (default none; > 0; an input: no database value)", NULL},
    [K_HOURS] = {"--hours", NULL, CLI_OPT_DOUBLE, "T", "h", 0, 1e6, "time after the lithiation (default 0)", NULL},
};

static void stack_help(void)
{
    printf(
        "usage: ssbnet iface stack --capacity-mAh-cm2 Q[,Q...] [--host Si] [--thickness-um 20] [--host-fraction 0.3]\n"
        "                          [--porosity 0.2] [--electrolyte Li6PS5Cl] [--separator-um 30] [--positive-um 60]\n"
        "                          [--fixture-GPa-per-mm K] [--pressure-MPa P0] [--creep-tau-h TAU] [--hours T]\n"
        "                          [--json]\n\n"
        "An alloy (Si) composite negative layer takes Q of lithium: every mole sits in the host (soc = n_Li /\n"
        "(3.75 eps_Si L / V_m,Si) for Si; more than the host takes is refused), the host swells by its curve in\n"
        "data/iface/mechanics.json (Si +280 %% at Li15Si4, Obrovac & Krause 2007), the pores take up to their\n"
        "volume and the rest swells the layer. In a laterally constrained stack (negative, separator, positive,\n"
        "each with the SE's elastic constants: an upper bound for composites) held by a fixture of stiffness K\n"
        "the pressure rises by dp = sum L_i eps_i / (sum L_i / M_i + 1/K) (M the constrained modulus) and relaxes\n"
        "by creep as P0 + dp exp(-t/tau). Linear elasticity: beyond a few %% swelling the figure is an upper bound\n"
        "(Li_xSi and the SE flow). Not part of the cell model's cycling (see cell cycle --mechanics negative).\n\n"
        "options:\n");
    cli_opts_help(stdout, stack_opts, K_COUNT);
    printf(
        "\nexample:\n  ssbnet iface stack --capacity-mAh-cm2 1,2,3 --fixture-GPa-per-mm 5 --pressure-MPa 5 --json\n");
}

static double opt(const cli_optval *v, int k, double def)
{
    return v[k].given ? v[k].num : def;
}

int cmd_iface_stack(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        stack_help();
        return 0;
    }
    cli_optval val[K_COUNT];
    int npos = 0;
    int prc = cli_opts_parse(env, "iface stack", stack_opts, K_COUNT, argc, argv, 2, val, NULL, 0, &npos, NULL, NULL);
    if (prc)
        return prc;
    if (!val[K_Q].given)
        return cli_usage_error(env, "iface stack needs --capacity-mAh-cm2 Q[,Q...]");
    double L = opt(val, K_L, 20) * 1e-6, eps = opt(val, K_EPS, 0.3), por = opt(val, K_POR, 0.2);
    double Lsep = opt(val, K_SEP, 30) * 1e-6, Lpos = opt(val, K_POS, 60) * 1e-6;
    double k = val[K_FIX].given ? val[K_FIX].num * 1e12 : INFINITY; /* GPa/mm -> Pa/m */
    double tau = val[K_TAU].given ? val[K_TAU].num * 3600.0 : INFINITY, t = opt(val, K_HOURS, 0) * 3600.0;
    if (!(k > 0)) {
        fprintf(stderr, "ssbnet: error: option --fixture-GPa-per-mm: %g is out of range (must be > 0)\n", k / 1e12);
        return CLI_EXIT_RANGE;
    }
    if (!(tau > 0)) {
        fprintf(stderr, "ssbnet: error: option --creep-tau-h: %g is out of range (must be > 0)\n", tau / 3600.0);
        return CLI_EXIT_RANGE;
    }
    if (val[K_HOURS].given && !val[K_TAU].given) {
        fprintf(stderr, "ssbnet: error: option --hours needs --creep-tau-h TAU (the relaxation time: no database "
                        "value)\n");
        return CLI_EXIT_USAGE;
    }
    if (eps + por > 1) {
        fprintf(stderr, "ssbnet: error: options --host-fraction %g + --porosity %g exceed 1\n", eps, por);
        return CLI_EXIT_RANGE;
    }
    const char *host = val[K_HOST].given ? val[K_HOST].str : "Si", *sen = val[K_SE].given ? val[K_SE].str : "Li6PS5Cl";
    ssb_materials *mdb = NULL;
    ssb_mech_db *db = NULL;
    const ssb_mech_swelling *sw = NULL;
    const ssb_mech_solid *se = NULL;
    int rc = cli_mech_load(env, &mdb, &db);
    if (!rc)
        rc = ssb_mech_db_swelling(env->ctx, db, mdb, host, &sw);
    if (!rc)
        rc = ssb_mech_db_solid(env->ctx, db, mdb, sen, &se);
    int n = val[K_Q].n;
    ssb_mech_alloy_state st[CLI_OPT_LIST_MAX];
    double p[CLI_OPT_LIST_MAX], dp[CLI_OPT_LIST_MAX];
    for (int i = 0; i < n && !rc; i++) {
        double nli = val[K_Q].list[i] * MAH_CM2 / FARADAY;
        rc = ssb_mech_alloy_lithiate(env->ctx, sw, L, eps, por, nli, &st[i]);
        if (rc == SSB_ERR_RANGE) {
            fprintf(stderr, "ssbnet: error: option --capacity-mAh-cm2: %g mAh/cm2: %s\n", val[K_Q].list[i],
                    ssb_ctx_get_error(env->ctx));
            ssb_mech_db_destroy(&db);
            ssb_materials_destroy(&mdb);
            return CLI_EXIT_RANGE;
        }
        ssb_mech_stack_params sp = ssb_mech_stack_params_default();
        sp.n = 0;
        const double Ls[3] = {L, Lsep, Lpos};
        for (int j = 0; j < 3; j++) {
            if (!(Ls[j] > 0))
                continue;
            sp.thickness[sp.n] = Ls[j];
            sp.E[sp.n] = se->E;
            sp.nu[sp.n] = se->nu;
            sp.e_v[sp.n] = j == 0 ? st[i].e_v : 0.0;
            sp.n++;
        }
        sp.fixture_stiffness = k;
        sp.p0 = opt(val, K_P0, 0) * 1e6;
        sp.tau = tau;
        if (!rc)
            rc = ssb_mech_stack_pressure(env->ctx, &sp, t, &p[i], &dp[i]);
    }
    int ret = rc ? cli_fail(env, rc) : 0;
    if (!ret && env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "host", sw->name);
        cJSON_AddStringToObject(j, "electrolyte", se->name);
        cJSON_AddNumberToObject(j, "layer_capacity_mAh_per_cm2", n ? st[0].capacity * FARADAY / MAH_CM2 : 0);
        cJSON_AddNumberToObject(j, "hours", t / 3600.0);
        cJSON *arr = cJSON_AddArrayToObject(j, "points");
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "capacity_mAh_per_cm2", val[K_Q].list[i]);
            cJSON_AddNumberToObject(o, "soc", st[i].soc);
            cJSON_AddNumberToObject(o, "host_dv_percent", st[i].dv_host * 100.0);
            cJSON_AddNumberToObject(o, "free_volumetric_strain", st[i].e_v);
            cJSON_AddNumberToObject(o, "pressure_rise_MPa", dp[i] / 1e6);
            cJSON_AddNumberToObject(o, "stack_pressure_MPa", p[i] / 1e6);
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *src = cJSON_AddObjectToObject(j, "sources");
        cJSON_AddStringToObject(src, "volume_change", sw->source ? sw->source : "");
        cJSON_AddStringToObject(src, "elastic", se->elastic_source ? se->elastic_source : "");
        cli_json_print(j);
    } else if (!ret) {
        printf("%s composite negative, %s um, host fraction %s, porosity %s; layers with %s's E = %s GPa, nu = %s; "
               "fixture %s%s\n",
               sw->name, cli_fmt(L * 1e6), cli_fmt(eps), cli_fmt(por), se->name, cli_fmt(se->E / 1e9), cli_fmt(se->nu),
               isinf(k) ? "rigid" : cli_fmt(k / 1e12), isinf(k) ? "" : " GPa/mm");
        const char *hdr[] = {"capacity [mAh/cm2]", "soc [-]",    "host dV [%]",
                             "free strain [-]",    "rise [MPa]", "stack pressure [MPa]"};
        cli_table *tb = cli_table_create(6, hdr);
        for (int i = 0; i < n; i++) {
            const char *row[] = {cli_fmt(val[K_Q].list[i]), cli_fmt(st[i].soc),   cli_fmt(st[i].dv_host * 100.0),
                                 cli_fmt(st[i].e_v),        cli_fmt(dp[i] / 1e6), cli_fmt(p[i] / 1e6)};
            cli_table_add_row(tb, row);
        }
        cli_table_print(tb, stdout);
        cli_table_destroy(&tb);
    }
    ssb_mech_db_destroy(&db);
    ssb_materials_destroy(&mdb);
    return ret;
}
