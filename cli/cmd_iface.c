/* ssbnet iface stability | growth | coating | spacecharge: apparent electrode|SE interfaces (ssb_iface.h). */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_plot.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OHM_CM2 1e-4 /* ohm m2 per ohm cm2 */
#define NM 1e-9

static void iface_help(void)
{
    printf("usage: ssbnet iface stability --electrode NAME --electrolyte NAME [--coating NAME] [--cutoff-low V]\n"
           "                              [--cutoff-high V] [--json]\n"
           "       ssbnet iface growth --electrode NAME --electrolyte NAME --hours H [--potential-V U]\n"
           "                           [--temperature-C T] [--law parabolic|linear|deal-grove] [--points N]\n"
           "                           [--rate-constant-nm2-per-h K] [--linear-rate-nm-per-h K]\n"
           "                           [--initial-thickness-nm L] [--activation-energy-kJ-per-mol E]\n"
           "                           [--plot FILE.png] [--json]\n"
           "       ssbnet iface coating --electrode NAME --electrolyte NAME --coating NAME (--hours H | --cycles N)\n"
           "                            [--cycle-hours H] [--thickness-nm LIST] [--coverage LIST]\n"
           "                            [--coating-sigma-S-per-cm S] [--coating-sigma-e-S-per-cm S]\n"
           "                            [--potential-V U] [--temperature-C T] [--plot FILE.png] [--json]\n"
           "       ssbnet iface spacecharge --phi0-V P --eps-r E --c-inf-per-m3 C (--sigma-S-per-cm S | --electrolyte NAME)\n"
           "                                [--gouy-chapman] [--interlayer NAME --interlayer-thickness-nm D\n"
           "                                [--interlayer-coverage F]] [--temperature-C T] [--json]\n\n"
           "stability: where the SE (and a coating) is thermodynamically unstable over the electrode's operating\n"
           "  window (its OCV between the cut-offs, default 3.0-4.3 V for a positive and the whole curve for a\n"
           "  negative such as graphite, Si, LTO, or its fixed potential: Li 0 V), the\n"
           "  interphase type (stable, SEI, MCI, unknown), products, and the database's coatings ranked (stable\n"
           "  against the electrode first, by ionic conductivity; then by how far the window is exceeded).\n"
           "growth: interphase thickness and resistance vs time at a potential (default: the end of the electrode's\n"
           "  window farthest outside the SE window, the top for a positive) and temperature (default 25 C) from the pair's record in data/iface/interfaces.json.\n"
           "coating: scans coating thickness x coverage and reports the lowest interface resistance after H hours\n"
           "  (or N cycles of --cycle-hours, default 2 h) on top of the interphase growth of the bare pair.\n"
           "spacecharge: resistance of the Li-depleted space-charge layer at a cathode|SE interface (se module's\n"
           "  Mott-Schottky / Gouy-Chapman solver) and with an oxide interlayer.\n"
           "Every value carries its source; a pair without data is 'unknown', never 'stable'.\n\n"
           "lithium, contact: Li-metal anode voids and critical currents, particle contacts under pressure\n"
           "  (ssbnet iface lithium --help, ssbnet iface contact --help).\n"
           "volume: CAM volume change on a voxel image, re-analysed per step (ssbnet iface volume --help).\n"
           "stack: stack pressure of a swelling Si composite negative (ssbnet iface stack --help).\n\n"
           "examples:\n"
           "  ssbnet iface stability --electrode NCM811 --electrolyte Li6PS5Cl\n"
           "  ssbnet iface growth --electrode Li --electrolyte LGPS --hours 24 --json\n"
           "  ssbnet iface coating --electrode NCM811 --electrolyte Li6PS5Cl --coating LiNbO3 --hours 1000\n");
}

/* One option table per subcommand (cli_opts.h): parsing, --help list and messages come from it. Open lower
 * bounds (> 0) are checked after parsing and exit CLI_EXIT_RANGE like the table's ranges. */
enum { S_EL, S_SE, S_COAT, S_VLO, S_VHI, S_COUNT };
static const cli_opt stability_opts[S_COUNT] = {
    [S_EL] = {"--electrode", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "electrode material (required)", NULL},
    [S_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "solid electrolyte (required)", NULL},
    [S_COAT] = {"--coating", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "coating to assess besides the ranking", NULL},
    [S_VLO] = {"--cutoff-low", NULL, CLI_OPT_DOUBLE, "V", "V", 0, 10,
               "lower end of the operating window (default 3.0; a negative: its whole curve)", NULL},
    [S_VHI] = {"--cutoff-high", NULL, CLI_OPT_DOUBLE, "V", "V", 0, 10,
               "upper end of the operating window (default 4.3; a negative: its whole curve)", NULL},
};

enum { G_EL, G_SE, G_HOURS, G_U, G_T, G_LAW, G_POINTS, G_KP, G_KL, G_L0, G_EA, G_PLOT, G_COUNT };
static const cli_opt growth_opts[G_COUNT] = {
    [G_EL] = {"--electrode", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "electrode material (required)", NULL},
    [G_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "solid electrolyte (required)", NULL},
    [G_HOURS] = {"--hours", NULL, CLI_OPT_DOUBLE, "H", "h", 0, 1e6, "time span, > 0, at most 1e6 h (required)", NULL},
    [G_U] = {"--potential-V", NULL, CLI_OPT_DOUBLE, "U", "V", 0, 10,
             "electrode potential vs Li (default: the end of its window farthest outside the SE window)", NULL},
    [G_T] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 500, "temperature (default 25)", NULL},
    [G_LAW] = {"--law", NULL, CLI_OPT_CHOICE, "LAW", NULL, 0, 0, "growth law (default: the pair's record)",
               "none,parabolic,linear,deal-grove"},
    [G_POINTS] = {"--points", NULL, CLI_OPT_INT, "N", NULL, 2, 1000000, "time points (default 60)", NULL},
    [G_KP] = {"--rate-constant-nm2-per-h", NULL, CLI_OPT_DOUBLE, "K", "nm2/h", 0, INFINITY,
              "parabolic rate constant (overrides the record)", NULL},
    [G_KL] = {"--linear-rate-nm-per-h", NULL, CLI_OPT_DOUBLE, "K", "nm/h", 0, INFINITY,
              "linear rate (overrides the record)", NULL},
    [G_L0] = {"--initial-thickness-nm", NULL, CLI_OPT_DOUBLE, "L", "nm", 0, INFINITY,
              "initial interphase thickness (overrides the record)", NULL},
    [G_EA] = {"--activation-energy-kJ-per-mol", NULL, CLI_OPT_DOUBLE, "E", "kJ/mol", 0, INFINITY,
              "activation energy (overrides the record)", NULL},
    [G_PLOT] = {"--plot", NULL, CLI_OPT_STRING, "FILE.png", NULL, 0, 0, "R vs t plot", NULL},
};

#define MAXGRID CLI_OPT_LIST_MAX

enum { K_EL, K_SE, K_COAT, K_HOURS, K_CYCLES, K_CYCH, K_THICK, K_COV, K_U, K_T, K_SIG, K_SIGE, K_PLOT, K_COUNT };
static const cli_opt coating_opts[K_COUNT] = {
    [K_EL] = {"--electrode", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "electrode material (required)", NULL},
    [K_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "solid electrolyte (required)", NULL},
    [K_COAT] = {"--coating", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "coating material (required)", NULL},
    [K_HOURS] = {"--hours", NULL, CLI_OPT_DOUBLE, "H", "h", 0, 1e6, "time span, > 0, at most 1e6 h (or --cycles)", NULL},
    [K_CYCLES] = {"--cycles", NULL, CLI_OPT_INT, "N", NULL, 1, 1000000, "cycles (or --hours)", NULL},
    [K_CYCH] = {"--cycle-hours", NULL, CLI_OPT_DOUBLE, "H", "h", 0, 1e4, "hours per cycle, > 0 (default 2)",
                NULL},
    [K_THICK] = {"--thickness-nm", NULL, CLI_OPT_LIST, "LIST", "nm", 0, 1000,
                 "coating thicknesses (default 0 and 41 from 0.1 to 100)", NULL},
    [K_COV] = {"--coverage", NULL, CLI_OPT_LIST, "LIST", NULL, 0, 1,
               "coverage fractions (default 0.5,0.8,0.9,0.95,0.99,1)", NULL},
    [K_U] = {"--potential-V", NULL, CLI_OPT_DOUBLE, "U", "V", 0, 10,
             "electrode potential vs Li (default: the end of its window farthest outside the SE window)", NULL},
    [K_T] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 500, "temperature (default 25)", NULL},
    [K_SIG] = {"--coating-sigma-S-per-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", 0, INFINITY,
               "coating Li+ conductivity, > 0 (default: materials database)", NULL},
    [K_SIGE] = {"--coating-sigma-e-S-per-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", 0, INFINITY,
                "coating electronic conductivity (default: materials database)", NULL},
    [K_PLOT] = {"--plot", NULL, CLI_OPT_STRING, "FILE.png", NULL, 0, 0, "R vs thickness plot", NULL},
};

enum { Q_PHI0, Q_EPS, Q_CINF, Q_SIG, Q_SE, Q_GC, Q_IL, Q_ILD, Q_ILC, Q_T, Q_COUNT };
static const cli_opt spacecharge_opts[Q_COUNT] = {
    [Q_PHI0] = {"--phi0-V", NULL, CLI_OPT_DOUBLE, "P", "V", 0, 10, "interface potential step (required)",
                NULL},
    [Q_EPS] = {"--eps-r", NULL, CLI_OPT_DOUBLE, "E", NULL, 1, 1e5, "relative permittivity (required)",
               NULL},
    [Q_CINF] = {"--c-inf-per-m3", NULL, CLI_OPT_DOUBLE, "C", "1/m3", 0, 1e30,
                "bulk mobile carrier density (required)", NULL},
    [Q_SIG] = {"--sigma-S-per-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", 0, 1e3,
               "bulk Li+ conductivity (or --electrolyte)", NULL},
    [Q_SE] = {"--electrolyte", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "SE whose database conductivity is used", NULL},
    [Q_GC] = {"--gouy-chapman", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "Gouy-Chapman instead of Mott-Schottky", NULL},
    [Q_IL] = {"--interlayer", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "oxide interlayer material", NULL},
    [Q_ILD] = {"--interlayer-thickness-nm", NULL, CLI_OPT_DOUBLE, "D", "nm", 0, INFINITY,
               "interlayer thickness, > 0 with --interlayer", NULL},
    [Q_ILC] = {"--interlayer-coverage", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 1, "interlayer coverage (default 1)", NULL},
    [Q_T] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 500, "temperature (default 25)", NULL},
};

/* Number of option k, or def when not given. */
static double num_or(const cli_optval *v, int k, double def)
{
    return v[k].given ? v[k].num : def;
}

/* A value outside an open range: message naming the option, CLI_EXIT_RANGE. */
static int open_range_error(cli_env *env, const char *opt, double v, const char *unit)
{
    (void)env;
    fprintf(stderr, "ssbnet: error: option %s: %g %s is out of range (must be > 0)\n", opt, v, unit);
    return CLI_EXIT_RANGE;
}

static int load_db(cli_env *env, ssb_materials **mdb, ssb_iface_db **idb)
{
    int rc = ssb_materials_create(env->ctx, mdb);
    if (!rc)
        rc = ssb_materials_load_builtin(env->ctx, *mdb);
    if (!rc)
        rc = ssb_iface_db_load(env->ctx, NULL, idb);
    return rc ? cli_fail(env, rc) : 0;
}

/* A table cell: "-" for a value that is not known. */
static const char *fmt_cell(double v)
{
    return isnan(v) ? "-" : cli_fmt(v);
}

static cJSON *num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *rank_json(const ssb_iface_coating_rank *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", r->name);
    cJSON_AddItemToObject(o, "E_red_V", num_or_null(r->E_red));
    cJSON_AddItemToObject(o, "E_ox_V", num_or_null(r->E_ox));
    cJSON_AddItemToObject(o, "sigma_ion_S_per_cm", num_or_null(r->sigma_ion / 100.0));
    cJSON_AddBoolToObject(o, "stable", r->stable);
    /* the database has no coating|SE reaction energies: chemical compatibility with the SE is not assessed */
    cJSON_AddStringToObject(o, "stable_against_electrolyte", "unknown");
    cJSON_AddItemToObject(o, "excess_V", num_or_null(r->excess));
    cJSON *ur = cJSON_AddArrayToObject(o, "unstable_ranges_V");
    for (int i = 0; i < r->n_unstable; i++) {
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber(r->unstable[i][0]));
        cJSON_AddItemToArray(p, cJSON_CreateNumber(r->unstable[i][1]));
        cJSON_AddItemToArray(ur, p);
    }
    cJSON_AddStringToObject(o, "source", r->source);
    return o;
}

/* ------------------------------------------------------------------------------------------------ stability */

/* One contact's stability as JSON (the keys of `iface stability --json`; also used by `run`). */
cJSON *cli_iface_stability_json(const ssb_iface_stability *s)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "electrode", s->electrode);
    cJSON_AddStringToObject(j, "electrolyte", s->electrolyte);
    cJSON *w = cJSON_AddArrayToObject(j, "operating_window_V");
    cJSON_AddItemToArray(w, cJSON_CreateNumber(s->U_lo));
    cJSON_AddItemToArray(w, cJSON_CreateNumber(s->U_hi));
    cJSON_AddStringToObject(j, "operating_window_source", s->electrode_source);
    cJSON *sw = cJSON_AddArrayToObject(j, "stability_window_V");
    cJSON_AddItemToArray(sw, num_or_null(s->E_red));
    cJSON_AddItemToArray(sw, num_or_null(s->E_ox));
    cJSON_AddStringToObject(j, "source", s->window_source);
    if (s->stable < 0)
        cJSON_AddStringToObject(j, "stable", "unknown");
    else
        cJSON_AddBoolToObject(j, "stable", s->stable);
    cJSON_AddBoolToObject(j, "nearly_stable", s->nearly_stable);
    cJSON_AddItemToObject(j, "excess_V", num_or_null(s->excess));
    cJSON *ur = cJSON_AddArrayToObject(j, "unstable_ranges_V");
    for (int i = 0; i < s->n_unstable; i++) {
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber(s->unstable[i][0]));
        cJSON_AddItemToArray(p, cJSON_CreateNumber(s->unstable[i][1]));
        cJSON_AddItemToArray(ur, p);
    }
    cJSON_AddStringToObject(j, "interphase_type", ssb_iface_type_name(s->type));
    if (s->products[0])
        cJSON_AddStringToObject(j, "products", s->products);
    else
        cJSON_AddNullToObject(j, "products");
    cJSON_AddStringToObject(j, "interphase_source", s->type_source);
    if (s->has_coating)
        cJSON_AddItemToObject(j, "coating", rank_json(&s->coating));
    cJSON *c = cJSON_AddArrayToObject(j, "coatings");
    for (int i = 0; i < s->ncoatings; i++)
        cJSON_AddItemToArray(c, rank_json(&s->coatings[i]));
    return j;
}

static int cmd_stability(cli_env *env, int argc, char **argv)
{
    cli_optval v[S_COUNT];
    int npos = 0;
    int r = cli_opts_parse(env, "iface stability", stability_opts, S_COUNT, argc, argv, 2, v, NULL, 0, &npos, NULL,
                           NULL);
    if (r)
        return r;
    const char *el = v[S_EL].str, *se = v[S_SE].str, *coat = v[S_COAT].str;
    double vlo = num_or(v, S_VLO, NAN), vhi = num_or(v, S_VHI, NAN);
    if (!el || !se)
        return cli_usage_error(env, "iface stability needs --electrode NAME and --electrolyte NAME");
    ssb_materials *mdb = NULL;
    ssb_iface_db *idb = NULL;
    ssb_iface_stability *s = calloc(1, sizeof *s);
    if (!s)
        return CLI_EXIT_NOMEM;
    r = load_db(env, &mdb, &idb);
    if (!r) {
        int rc = ssb_iface_stability_assess(env->ctx, mdb, idb, el, se, coat, vlo, vhi, s);
        if (rc)
            r = cli_fail(env, rc);
    }
    if (!r && env->json) {
        cJSON *j = cli_iface_stability_json(s);
        cli_json_print(j);
    } else if (!r) {
        const char *st = s->stable < 0 ? "unknown (no window data)" : s->stable ? "stable" : s->nearly_stable ?
                                                                                  "unstable (nearly stable)" : "unstable";
        printf("%s | %s: %s, interphase %s\n", s->electrode, s->electrolyte, st, ssb_iface_type_name(s->type));
        printf("  operating window %.3f - %.3f V vs Li (%s)\n", s->U_lo, s->U_hi, s->electrode_source);
        printf("  SE window        %s - %s V vs Li (%s)\n", fmt_cell(s->E_red), fmt_cell(s->E_ox), s->window_source);
        for (int i = 0; i < s->n_unstable; i++)
            printf("  unstable         %.3f - %.3f V\n", s->unstable[i][0], s->unstable[i][1]);
        for (int i = 0; s->has_coating && i < s->coating.n_unstable; i++)
            printf("  coating %s unstable %.3f - %.3f V\n", s->coating.name, s->coating.unstable[i][0],
                   s->coating.unstable[i][1]);
        printf("  products         %s\n  interphase data  %s\n\n", s->products[0] ? s->products : "not in the data",
               s->type_source);
        const char *hdr[] = {"coating", "E_red [V]", "E_ox [V]", "sigma_ion [S/cm]", "stable", "excess [V]",
                             "source"};
        cli_table *t = cli_table_create(7, hdr);
        for (int i = -1; i < s->ncoatings; i++) {
            const ssb_iface_coating_rank *c = i < 0 ? (s->has_coating ? &s->coating : NULL) : &s->coatings[i];
            if (!c)
                continue;
            char name[80];
            snprintf(name, sizeof name, "%s%s", c->name, i < 0 ? " (given)" : "");
            const char *cells[] = {name, fmt_cell(c->E_red), fmt_cell(c->E_ox), fmt_cell(c->sigma_ion / 100.0),
                                   c->stable ? "yes" : "no", fmt_cell(c->excess), c->source};
            cli_table_add_row(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        printf("(stable = the coating's window contains the electrode's operating window; its chemical "
               "compatibility with the SE is not assessed: no reaction energies in the database)\n");
    }
    free(s);
    ssb_iface_db_destroy(&idb);
    ssb_materials_destroy(&mdb);
    return r;
}

/* ------------------------------------------------------------------------------------------------ growth */

/* The records give Ea = 0 where no activation energy is reported: say so away from the reference temperature
 * instead of letting the growth pass for temperature independent. */
static void warn_no_ea(const ssb_iface_growth *g, double T, const char *cmd)
{
    if (g->law != SSB_IFACE_LAW_NONE && g->Ea == 0 && fabs(T - g->T_ref) > 0.5)
        fprintf(stderr, "ssbnet: warning: iface %s: the record gives no activation energy (0: growth taken as at %.2f K "
                        "whatever the temperature); give --activation-energy-kJ-per-mol for %.2f K\n",
                cmd, g->T_ref, T);
}

/* Default potential of growth and coating: the end of the electrode's window with the larger driving force beyond
 * the SE window (the top of charge for a positive, the lithiated end for a negative). */
static double window_end(const ssb_iface_stability *s)
{
    double below = isfinite(s->E_red) ? s->E_red - s->U_lo : -INFINITY;
    double above = isfinite(s->E_ox) ? s->U_hi - s->E_ox : -INFINITY;
    return below > above ? s->U_lo : s->U_hi;
}

/* The pair's growth parameters with the SE window; returns exit status. */
static int pair_growth(cli_env *env, const ssb_materials *mdb, const ssb_iface_db *idb, const char *el, const char *se,
                       double U, const ssb_iface_record **rec, ssb_iface_stability *s)
{
    int rc = ssb_iface_stability_assess(env->ctx, mdb, idb, el, se, NULL, NAN, NAN, s);
    if (rc == SSB_ERR_NOTFOUND && isfinite(U)) {
        /* an electrode without an operating window (carbon): the given potential; the SE window only */
        const ssb_material *me = NULL, *ms = NULL;
        ssb_ctx_clear_error(env->ctx);
        rc = ssb_materials_find(env->ctx, mdb, el, &me);
        if (!rc)
            rc = ssb_materials_find(env->ctx, mdb, se, &ms);
        if (!rc) {
            snprintf(s->electrode, sizeof s->electrode, "%s", ssb_materials_name(me));
            snprintf(s->electrolyte, sizeof s->electrolyte, "%s", ssb_materials_name(ms));
            s->U_lo = s->U_hi = U;
            if (ssb_materials_get_si(env->ctx, ms, "E_red", &s->E_red))
                s->E_red = NAN;
            if (ssb_materials_get_si(env->ctx, ms, "E_ox", &s->E_ox))
                s->E_ox = NAN;
            ssb_ctx_clear_error(env->ctx);
        }
    }
    if (!rc)
        rc = ssb_iface_db_find(env->ctx, idb, mdb, s->electrode, s->electrolyte, rec);
    if (rc == SSB_ERR_NOTFOUND && s->stable == 1) {
        /* thermodynamically stable over the window (both limits known): no interphase forms */
        static ssb_iface_record stable_rec;
        memset(&stable_rec, 0, sizeof stable_rec);
        stable_rec.electrode = s->electrode;
        stable_rec.electrolyte = s->electrolyte;
        stable_rec.type = SSB_IFACE_STABLE;
        stable_rec.source = s->window_source;
        stable_rec.growth = ssb_iface_growth_default();
        stable_rec.growth.sigma_ion = 1.0; /* no layer: never enters */
        stable_rec.sigma_e = NAN;
        stable_rec.growth_source = "the SE window contains the electrode's operating window: no interphase forms";
        stable_rec.growth_status = "C";
        stable_rec.check_t = stable_rec.check_R_lo = stable_rec.check_R_hi = NAN;
        stable_rec.check_L_lo = stable_rec.check_L_hi = NAN;
        ssb_ctx_clear_error(env->ctx);
        *rec = &stable_rec;
        rc = SSB_OK;
    }
    return rc ? cli_fail(env, rc) : 0;
}

static int cmd_growth(cli_env *env, int argc, char **argv)
{
    cli_optval v[G_COUNT];
    int npos = 0;
    int r = cli_opts_parse(env, "iface growth", growth_opts, G_COUNT, argc, argv, 2, v, NULL, 0, &npos, NULL, NULL);
    if (r)
        return r;
    const char *el = v[G_EL].str, *se = v[G_SE].str, *law = v[G_LAW].str, *plot = v[G_PLOT].str;
    double hours = num_or(v, G_HOURS, NAN), U = num_or(v, G_U, NAN), TC = num_or(v, G_T, 25),
           kp = num_or(v, G_KP, NAN), kl = num_or(v, G_KL, NAN), L0 = num_or(v, G_L0, NAN), Ea = num_or(v, G_EA, NAN);
    int npts = (int)num_or(v, G_POINTS, 60);
    if (!el || !se || isnan(hours))
        return cli_usage_error(env, "iface growth needs --electrode NAME, --electrolyte NAME and --hours H");
    if (!(hours > 0))
        return open_range_error(env, "--hours", hours, "h");
    ssb_materials *mdb = NULL;
    ssb_iface_db *idb = NULL;
    ssb_iface_stability *s = calloc(1, sizeof *s);
    double *t = calloc((size_t)npts + 1, sizeof *t), *L = calloc((size_t)npts + 1, sizeof *L),
           *R = calloc((size_t)npts + 1, sizeof *R);
    if (!s || !t || !L || !R) {
        free(s), free(t), free(L), free(R);
        return CLI_EXIT_NOMEM;
    }
    const ssb_iface_record *rec = NULL;
    r = load_db(env, &mdb, &idb);
    if (!r)
        r = pair_growth(env, mdb, idb, el, se, U, &rec, s);
    ssb_iface_growth g;
    double T = TC + 273.15, f = 0, wagner = NAN;
    if (!r) {
        g = rec->growth;
        g.E_red = s->E_red;
        g.E_ox = s->E_ox;
        if (law) {
            int rc = ssb_iface_law_parse(env->ctx, law, &g.law);
            if (rc)
                r = cli_fail(env, rc);
        }
        if (!isnan(kp))
            g.k_p = kp * NM * NM / 3600.0;
        if (!isnan(kl))
            g.k_l = kl * NM / 3600.0;
        if (!isnan(L0))
            g.L0 = L0 * NM;
        if (!isnan(Ea))
            g.Ea = Ea * 1e3;
        else
            warn_no_ea(&g, T, "growth");
        if (isnan(U))
            U = window_end(s);
        if (isfinite(rec->sigma_e) && isfinite(g.dE_ref) && g.c_li != 0 &&
            ssb_iface_wagner_kp(env->ctx, g.sigma_ion, rec->sigma_e, g.dE_ref, g.c_li, &wagner) != SSB_OK)
            wagner = NAN;
    }
    if (!r) {
        t[0] = 0;
        for (int i = 1; i <= npts; i++)
            t[i] = hours * 3600.0 * pow(10.0, -3.0 + 3.0 * (i - 1) / (npts > 1 ? npts - 1 : 1));
        int rc = ssb_iface_growth_curve(env->ctx, &g, U, T, npts + 1, t, L, R);
        if (rc)
            r = cli_fail(env, rc);
        f = ssb_iface_rate_factor(&g, U, T);
    }
    /* log-log slope of R over the last decade (the law's exponent once L >> L0) */
    double slope = NAN;
    if (!r && npts >= 3) {
        int i0 = 1 + 2 * (npts - 1) / 3;
        if (R[i0] > 0 && R[npts] > 0)
            slope = log(R[npts] / R[i0]) / log(t[npts] / t[i0]);
    }
    if (!r && plot) {
        ssb_plot *fig = NULL;
        int rc = ssb_plot_create(env->ctx, 1, 1, 900, 600, &fig);
        if (!rc) {
            ssb_plot_axes ax = ssb_plot_axes_default();
            char title[160];
            snprintf(title, sizeof title, "%s | %s, %s growth at %.2f V, %.0f K", s->electrode, s->electrolyte,
                     ssb_iface_law_name(g.law), U, T);
            ax.title = title;
            ax.xlabel = "t [h]";
            ax.ylabel = "R [Ω cm²]";
            ax.xlog = ax.ylog = 1;
            double *th = malloc(sizeof(double) * (size_t)npts), *Rc = malloc(sizeof(double) * (size_t)npts);
            if (th && Rc) {
                for (int i = 0; i < npts; i++) {
                    th[i] = t[i + 1] / 3600.0;
                    Rc[i] = R[i + 1] / OHM_CM2;
                }
                rc = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
                if (!rc)
                    rc = ssb_plot_add_series(env->ctx, fig, 0, npts, th, Rc, NULL);
                if (!rc)
                    rc = ssb_plot_save(env->ctx, fig, plot);
            }
            free(th);
            free(Rc);
        }
        ssb_plot_destroy(&fig);
        if (rc)
            r = cli_fail(env, rc);
    }
    if (!r && env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "electrode", s->electrode);
        cJSON_AddStringToObject(j, "electrolyte", s->electrolyte);
        cJSON_AddStringToObject(j, "interphase_type", ssb_iface_type_name(rec->type));
        cJSON_AddStringToObject(j, "law", ssb_iface_law_name(g.law));
        cJSON_AddNumberToObject(j, "potential_V", U);
        cJSON_AddNumberToObject(j, "temperature_K", T);
        cJSON_AddNumberToObject(j, "activation_energy_kJ_per_mol", g.Ea / 1e3);
        cJSON_AddNumberToObject(j, "rate_factor", f);
        cJSON_AddItemToObject(j, "rate_constant_nm2_per_h", num_or_null(g.k_p / (NM * NM) * 3600.0));
        cJSON_AddItemToObject(j, "linear_rate_nm_per_h", num_or_null(g.k_l / NM * 3600.0));
        cJSON_AddItemToObject(j, "wagner_rate_constant_nm2_per_h", num_or_null(wagner / (NM * NM) * 3600.0));
        cJSON_AddNumberToObject(j, "interphase_ionic_conductivity_S_per_cm", g.sigma_ion / 100.0);
        cJSON_AddItemToObject(j, "loglog_slope_last_decade", num_or_null(slope));
        cJSON *a = cJSON_AddArrayToObject(j, "t_h"), *b = cJSON_AddArrayToObject(j, "thickness_nm"),
              *c = cJSON_AddArrayToObject(j, "resistance_ohm_cm2");
        for (int i = 0; i <= npts; i++) {
            cJSON_AddItemToArray(a, cJSON_CreateNumber(t[i] / 3600.0));
            cJSON_AddItemToArray(b, cJSON_CreateNumber(L[i] / NM));
            cJSON_AddItemToArray(c, cJSON_CreateNumber(R[i] / OHM_CM2));
        }
        cJSON_AddStringToObject(j, "source", rec->source);
        cJSON_AddStringToObject(j, "growth_source", rec->growth_source ? rec->growth_source : "");
        cJSON_AddStringToObject(j, "growth_status", rec->growth_status ? rec->growth_status : "");
        if (isfinite(rec->check_t)) {
            cJSON *k = cJSON_AddObjectToObject(j, "check");
            cJSON_AddNumberToObject(k, "time_h", rec->check_t / 3600.0);
            if (isfinite(rec->check_R_lo)) {
                cJSON *band = cJSON_AddArrayToObject(k, "resistance_band_ohm_cm2");
                cJSON_AddItemToArray(band, cJSON_CreateNumber(rec->check_R_lo / OHM_CM2));
                cJSON_AddItemToArray(band, cJSON_CreateNumber(rec->check_R_hi / OHM_CM2));
            }
            if (isfinite(rec->check_L_lo)) {
                cJSON *band = cJSON_AddArrayToObject(k, "thickness_band_nm");
                cJSON_AddItemToArray(band, cJSON_CreateNumber(rec->check_L_lo / NM));
                cJSON_AddItemToArray(band, cJSON_CreateNumber(rec->check_L_hi / NM));
            }
            cJSON_AddStringToObject(k, "source", rec->check_source ? rec->check_source : "");
        }
        cli_json_print(j);
    } else if (!r) {
        if (rec->type == SSB_IFACE_STABLE)
            printf("%s | %s: stable at %.3f V vs Li, no interphase\n", s->electrode, s->electrolyte, U);
        else
            printf("%s | %s: %s interphase, %s growth at %.3f V vs Li and %.2f K (rate factor %.4g)\n",
                   s->electrode, s->electrolyte, ssb_iface_type_name(rec->type),
                   g.law == SSB_IFACE_LAW_NONE ? "no" : ssb_iface_law_name(g.law), U, T, f);
        printf("  parameters: %s [%s]\n", rec->growth_source ? rec->growth_source : "", rec->growth_status ? rec->growth_status : "");
        if (isfinite(slope))
            printf("  log-log slope of R vs t over the last decade: %.4f\n", slope);
        const char *hdr[] = {"t [h]", "thickness [nm]", "R [ohm cm2]"};
        cli_table *tb = cli_table_create(3, hdr);
        for (int i = 0; i <= npts; i += (npts >= 12 ? npts / 12 : 1)) {
            const char *cells[] = {cli_fmt(t[i] / 3600.0), cli_fmt(L[i] / NM), cli_fmt(R[i] / OHM_CM2)};
            cli_table_add_row(tb, cells);
        }
        cli_table_print(tb, stdout);
        cli_table_destroy(&tb);
    }
    free(s), free(t), free(L), free(R);
    ssb_iface_db_destroy(&idb);
    ssb_materials_destroy(&mdb);
    return r;
}

/* ------------------------------------------------------------------------------------------------ coating */

static int cmd_coating(cli_env *env, int argc, char **argv)
{
    cli_optval v[K_COUNT];
    int npos = 0;
    int r = cli_opts_parse(env, "iface coating", coating_opts, K_COUNT, argc, argv, 2, v, NULL, 0, &npos, NULL, NULL);
    if (r)
        return r;
    const char *el = v[K_EL].str, *se = v[K_SE].str, *coat = v[K_COAT].str, *plot = v[K_PLOT].str;
    double hours = num_or(v, K_HOURS, NAN), cyc_h = num_or(v, K_CYCH, 2.0), U = num_or(v, K_U, NAN),
           TC = num_or(v, K_T, 25), sig = num_or(v, K_SIG, NAN), sige = num_or(v, K_SIGE, NAN);
    int cycles = (int)num_or(v, K_CYCLES, 0);
    if (!el || !se || !coat)
        return cli_usage_error(env, "iface coating needs --electrode, --electrolyte and --coating");
    if (isnan(hours) == (cycles == 0))
        return cli_usage_error(env, "iface coating needs one of --hours H or --cycles N");
    if (!(cyc_h > 0))
        return open_range_error(env, "--cycle-hours", cyc_h, "h");
    if (cycles)
        hours = cycles * cyc_h;
    if (!(hours > 0))
        return open_range_error(env, "--hours", hours, "h");
    if (!isnan(sig) && !(sig > 0))
        return open_range_error(env, "--coating-sigma-S-per-cm", sig, "S/cm");
    double thick[MAXGRID + 1], cov[MAXGRID];
    int nt = 0, nc = 0;
    if (v[K_THICK].given) {
        for (int i = 0; i < v[K_THICK].n; i++)
            thick[nt++] = v[K_THICK].list[i] * NM;
    } else {
        thick[nt++] = 0;
        for (int i = 0; i < 41; i++)
            thick[nt++] = 0.1 * pow(10.0, 3.0 * i / 40.0) * NM; /* 0.1 to 100 nm */
    }
    if (v[K_COV].given) {
        for (int i = 0; i < v[K_COV].n; i++)
            cov[nc++] = v[K_COV].list[i];
    } else {
        const double d[] = {0.5, 0.8, 0.9, 0.95, 0.99, 1.0};
        for (int i = 0; i < 6; i++)
            cov[nc++] = d[i];
    }
    ssb_materials *mdb = NULL;
    ssb_iface_db *idb = NULL;
    ssb_iface_stability *s = calloc(1, sizeof *s);
    double *R = calloc((size_t)(nt * nc), sizeof *R);
    if (!s || !R) {
        free(s), free(R);
        return CLI_EXIT_NOMEM;
    }
    const ssb_iface_record *rec = NULL;
    r = load_db(env, &mdb, &idb);
    if (!r)
        r = pair_growth(env, mdb, idb, el, se, U, &rec, s);
    ssb_iface_growth g;
    ssb_iface_coating c = ssb_iface_coating_default();
    const ssb_material *cm = NULL;
    const char *csrc = "";
    int best = 0;
    double T = TC + 273.15, R_bare = NAN, cw_lo = NAN, cw_hi = NAN;
    if (!r) {
        g = rec->growth;
        g.E_red = s->E_red;
        g.E_ox = s->E_ox;
        warn_no_ea(&g, T, "coating");
        if (isnan(U))
            U = window_end(s);
        int rc = ssb_materials_find(env->ctx, mdb, coat, &cm);
        if (!rc) {
            ssb_mat_prop p;
            snprintf(c.material, sizeof c.material, "%s", ssb_materials_name(cm));
            if (ssb_materials_get_prop(env->ctx, cm, "sigma_ion", &p) == SSB_OK) {
                c.sigma_ion = p.has_value ? p.si_value : sqrt(p.si_min * p.si_max);
                csrc = p.source;
            } else
                ssb_ctx_clear_error(env->ctx);
            if (ssb_materials_get_prop(env->ctx, cm, "sigma_el", &p) == SSB_OK)
                c.sigma_e = p.has_value ? p.si_value : (isfinite(p.si_max) ? p.si_max : p.si_min);
            else
                ssb_ctx_clear_error(env->ctx);
            /* the coating's window as the stability ranking reads it (bounds on their conservative side) */
            ssb_iface_stability *cs = calloc(1, sizeof *cs);
            if (cs && ssb_iface_stability_assess(env->ctx, mdb, idb, el, se, coat, NAN, NAN, cs) == SSB_OK) {
                cw_lo = cs->coating.E_red;
                cw_hi = cs->coating.E_ox;
            }
            ssb_ctx_clear_error(env->ctx);
            free(cs);
            if (!isnan(sig))
                c.sigma_ion = sig * 100.0;
            if (!isnan(sige))
                c.sigma_e = sige * 100.0;
            if (!(c.sigma_ion > 0)) {
                fprintf(stderr, "ssbnet: error: the database has no ionic conductivity for %s: give "
                                "--coating-sigma-S-per-cm\n", c.material);
                r = CLI_EXIT_NOTFOUND;
            }
        }
        if (!r && !rc) {
            rc = ssb_iface_coating_scan(env->ctx, &g, &c, U, T, hours * 3600.0, nt, thick, nc, cov, R, &best);
            if (!rc) {
                ssb_iface_state st = ssb_iface_state_initial(&g);
                ssb_iface_state_advance(&g, NULL, &st, ssb_iface_rate_factor(&g, U, T) * hours * 3600.0);
                R_bare = ssb_iface_state_resistance(&g, NULL, &st);
            }
        }
        if (rc)
            r = cli_fail(env, rc);
    }
    if (!r && plot) {
        ssb_plot *fig = NULL;
        int rc = ssb_plot_create(env->ctx, 1, 1, 900, 600, &fig);
        double *x = malloc(sizeof(double) * (size_t)nt), *y = malloc(sizeof(double) * (size_t)nt);
        if (!rc && x && y) {
            ssb_plot_axes ax = ssb_plot_axes_default();
            char title[400];
            snprintf(title, sizeof title, "%s on %s | %s after %g h at %.2f V", c.material, s->electrode,
                     s->electrolyte, hours, U);
            ax.title = title;
            ax.xlabel = "coating thickness [nm]";
            ax.ylabel = "R [Ω cm²]";
            ax.xlog = ax.ylog = 1;
            rc = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
            for (int jc = 0; jc < nc && !rc; jc++) {
                int m = 0;
                for (int i = 0; i < nt; i++)
                    if (thick[i] > 0) {
                        x[m] = thick[i] / NM;
                        y[m++] = R[i * nc + jc] / OHM_CM2;
                    }
                char lab[64];
                snprintf(lab, sizeof lab, "coverage %.3g", cov[jc]);
                ssb_plot_series ps = ssb_plot_series_default();
                ps.label = lab;
                if (m > 0)
                    rc = ssb_plot_add_series(env->ctx, fig, 0, m, x, y, &ps);
            }
            double bx = fmax(thick[best / nc] / NM, 1e-3), by = R[best] / OHM_CM2;
            ssb_plot_series ps = ssb_plot_series_default();
            ps.style = SSB_PLOT_MARKERS;
            ps.label = "optimum";
            ps.marker_size = 2;
            if (!rc)
                rc = ssb_plot_add_series(env->ctx, fig, 0, 1, &bx, &by, &ps);
            if (!rc)
                rc = ssb_plot_save(env->ctx, fig, plot);
        }
        free(x), free(y);
        ssb_plot_destroy(&fig);
        if (rc)
            r = cli_fail(env, rc);
    }
    if (!r) {
        double bt = thick[best / nc], bc = cov[best % nc];
        /* the coating's own window at the potential: 1 inside, 0 outside, -1 unknown (the model keeps the
           coating intact either way: its decomposition is not modelled) */
        int cw_ok = (isfinite(cw_lo) && U < cw_lo) || (isfinite(cw_hi) && U > cw_hi) ? 0
                    : isfinite(cw_lo) && isfinite(cw_hi)                             ? 1
                                                                                     : -1;
        if (env->json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "electrode", s->electrode);
            cJSON_AddStringToObject(j, "electrolyte", s->electrolyte);
            cJSON_AddStringToObject(j, "coating", c.material);
            cJSON_AddNumberToObject(j, "coating_sigma_ion_S_per_cm", c.sigma_ion / 100.0);
            cJSON_AddItemToObject(j, "coating_sigma_e_S_per_cm", num_or_null(c.sigma_e / 100.0));
            cJSON_AddStringToObject(j, "coating_source", csrc);
            cJSON *cw = cJSON_AddArrayToObject(j, "coating_window_V");
            cJSON_AddItemToArray(cw, num_or_null(cw_lo));
            cJSON_AddItemToArray(cw, num_or_null(cw_hi));
            if (cw_ok < 0)
                cJSON_AddStringToObject(j, "coating_stable_at_potential", "unknown");
            else
                cJSON_AddBoolToObject(j, "coating_stable_at_potential", cw_ok);
            cJSON_AddStringToObject(j, "law", ssb_iface_law_name(g.law));
            cJSON_AddNumberToObject(j, "hours", hours);
            cJSON_AddNumberToObject(j, "potential_V", U);
            cJSON_AddNumberToObject(j, "temperature_K", T);
            cJSON *a = cJSON_AddArrayToObject(j, "thickness_nm"), *b = cJSON_AddArrayToObject(j, "coverage"),
                  *m = cJSON_AddArrayToObject(j, "resistance_ohm_cm2");
            for (int i = 0; i < nt; i++) {
                cJSON_AddItemToArray(a, cJSON_CreateNumber(thick[i] / NM));
                cJSON *row = cJSON_CreateArray();
                for (int k = 0; k < nc; k++)
                    cJSON_AddItemToArray(row, cJSON_CreateNumber(R[i * nc + k] / OHM_CM2));
                cJSON_AddItemToArray(m, row);
            }
            for (int k = 0; k < nc; k++)
                cJSON_AddItemToArray(b, cJSON_CreateNumber(cov[k]));
            cJSON *op = cJSON_AddObjectToObject(j, "optimum");
            cJSON_AddNumberToObject(op, "thickness_nm", bt / NM);
            cJSON_AddNumberToObject(op, "coverage", bc);
            cJSON_AddNumberToObject(op, "resistance_ohm_cm2", R[best] / OHM_CM2);
            cJSON_AddNumberToObject(j, "bare_resistance_ohm_cm2", R_bare / OHM_CM2);
            cJSON_AddStringToObject(j, "source", rec->growth_source ? rec->growth_source : rec->source);
            cli_json_print(j);
        } else {
            printf("%s coating on %s | %s after %g h at %.3f V, %.2f K (%s growth; %s)\n", c.material, s->electrode,
                   s->electrolyte, hours, U, T, ssb_iface_law_name(g.law),
                   rec->growth_status ? rec->growth_status : "");
            char se_txt[96];
            if (isnan(c.sigma_e))
                snprintf(se_txt, sizeof se_txt, "unknown (tunnelling suppression only)");
            else
                snprintf(se_txt, sizeof se_txt, "%s S/cm", cli_fmt(c.sigma_e / 100.0));
            printf("  coating sigma_ion %s S/cm, sigma_e %s (%s)\n", cli_fmt(c.sigma_ion / 100.0), se_txt, csrc);
            if (cw_ok == 0)
                printf("  note: %s's computed window %s - %s V vs Li does not contain %.3f V: the coating itself is "
                       "thermodynamically unstable there\n        (its decomposition is not modelled: the figures "
                       "assume it stays intact)\n", c.material, isfinite(cw_lo) ? cli_fmt(cw_lo) : "?",
                       isfinite(cw_hi) ? cli_fmt(cw_hi) : "?", U);
            printf("  bare interface: %s ohm cm2\n", cli_fmt(R_bare / OHM_CM2));
            if (bt > 0)
                printf("  optimum: thickness %s nm, coverage %s -> %s ohm cm2\n\n", cli_fmt(bt / NM), cli_fmt(bc),
                       cli_fmt(R[best] / OHM_CM2));
            else
                printf("  optimum: no coating (%s ohm cm2): every coating of the scan adds more than it saves\n\n",
                       cli_fmt(R[best] / OHM_CM2));
            const char *hdr[] = {"thickness [nm]", "coverage [-]", "R [ohm cm2]"};
            cli_table *tb = cli_table_create(3, hdr);
            for (int i = 0; i < nt; i += (nt > 14 ? nt / 14 : 1)) {
                const char *cells[] = {cli_fmt(thick[i] / NM), cli_fmt(bc), cli_fmt(R[i * nc + best % nc] / OHM_CM2)};
                cli_table_add_row(tb, cells);
            }
            cli_table_print(tb, stdout);
            cli_table_destroy(&tb);
        }
    }
    free(s), free(R);
    ssb_iface_db_destroy(&idb);
    ssb_materials_destroy(&mdb);
    return r;
}

/* ------------------------------------------------------------------------------------------- space charge */

static int cmd_spacecharge(cli_env *env, int argc, char **argv)
{
    cli_optval v[Q_COUNT];
    int npos = 0;
    int r = cli_opts_parse(env, "iface spacecharge", spacecharge_opts, Q_COUNT, argc, argv, 2, v, NULL, 0, &npos,
                           NULL, NULL);
    if (r)
        return r;
    const char *se = v[Q_SE].str, *il = v[Q_IL].str;
    double phi0 = num_or(v, Q_PHI0, NAN), eps = num_or(v, Q_EPS, NAN), cinf = num_or(v, Q_CINF, NAN),
           sig = num_or(v, Q_SIG, NAN), TC = num_or(v, Q_T, 25), d = num_or(v, Q_ILD, 0), cov = num_or(v, Q_ILC, 1);
    int gc = v[Q_GC].given > 0;
    if (isnan(phi0) || isnan(eps) || isnan(cinf) || (isnan(sig) && !se))
        return cli_usage_error(env, "iface spacecharge needs --phi0-V, --eps-r, --c-inf-per-m3 and "
                                    "--sigma-S-per-cm or --electrolyte");
    if (!isnan(sig) && se)
        return cli_usage_error(env, "iface spacecharge takes --sigma-S-per-cm or --electrolyte, not both");
    ssb_iface_scl_params p = ssb_iface_scl_params_default();
    p.eps_r = eps;
    p.T = TC + 273.15;
    p.c_inf = cinf;
    p.phi0 = phi0;
    p.gouy_chapman = gc;
    ssb_materials *mdb = NULL;
    int rc = ssb_materials_create(env->ctx, &mdb);
    if (!rc)
        rc = ssb_materials_load_builtin(env->ctx, mdb);
    const char *src = "given";
    if (!rc && se && isnan(sig)) {
        const ssb_material *m = NULL;
        rc = ssb_materials_find(env->ctx, mdb, se, &m);
        if (!rc)
            rc = ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_TOTAL, p.T, &p.sigma_bulk, NULL);
        src = "materials database (sigma_ion at T)";
    } else {
        p.sigma_bulk = sig * 100.0;
    }
    if (!rc && il) {
        const ssb_material *m = NULL;
        rc = ssb_materials_find(env->ctx, mdb, il, &m);
        if (!rc) {
            ssb_mat_prop pr;
            snprintf(p.interlayer.material, sizeof p.interlayer.material, "%s", ssb_materials_name(m));
            rc = ssb_materials_get_prop(env->ctx, m, "sigma_ion", &pr);
            if (!rc)
                p.interlayer.sigma_ion = pr.has_value ? pr.si_value : sqrt(pr.si_min * pr.si_max);
        }
        p.interlayer.thickness = d * NM;
        p.interlayer.coverage = cov;
        if (!rc && !(d > 0)) {
            ssb_materials_destroy(&mdb);
            return cli_usage_error(env, "--interlayer needs --interlayer-thickness-nm > 0");
        }
    }
    ssb_iface_scl_result res;
    if (!rc)
        rc = ssb_iface_spacecharge(env->ctx, &p, &res);
    ssb_materials_destroy(&mdb);
    if (rc)
        return cli_fail(env, rc);
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "model", gc ? "gouy-chapman" : "mott-schottky");
        cJSON_AddNumberToObject(j, "phi0_V", phi0);
        cJSON_AddNumberToObject(j, "sigma_S_per_cm", p.sigma_bulk / 100.0);
        cJSON_AddStringToObject(j, "sigma_source", src);
        cJSON_AddNumberToObject(j, "debye_length_nm", res.debye_length / NM);
        cJSON_AddNumberToObject(j, "width_nm", res.width / NM);
        cJSON_AddNumberToObject(j, "r_perp", res.r_perp);
        cJSON_AddNumberToObject(j, "space_charge_resistance_ohm_cm2", res.R_scl / OHM_CM2);
        cJSON_AddNumberToObject(j, "interlayer_resistance_ohm_cm2", res.R_interlayer / OHM_CM2);
        cJSON_AddNumberToObject(j, "resistance_ohm_cm2", res.R_total / OHM_CM2);
        cJSON_AddStringToObject(j, "source",
                                "se module space-charge solver (FORMULAS 2.2); interlayer removes the SE-side "
                                "depletion: Takada et al., ACS Energy Lett. 3, 98 (2018)");
        cli_json_print(j);
    } else {
        const char *hdr[] = {"quantity", "value"};
        cli_table *t = cli_table_create(2, hdr);
        const char *rows[][2] = {{"model", gc ? "Gouy-Chapman" : "Mott-Schottky"},
                                 {"Debye length [nm]", cli_fmt(res.debye_length / NM)},
                                 {"layer width [nm]", cli_fmt(res.width / NM)},
                                 {"resistivity ratio r_perp [-]", cli_fmt(res.r_perp)},
                                 {"space-charge resistance [ohm cm2]", cli_fmt(res.R_scl / OHM_CM2)},
                                 {"interlayer resistance [ohm cm2]", cli_fmt(res.R_interlayer / OHM_CM2)},
                                 {"interface resistance [ohm cm2]", cli_fmt(res.R_total / OHM_CM2)}};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            cli_table_add_row(t, rows[i]);
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
    }
    return 0;
}

int cmd_iface_lithium(cli_env *env, int argc, char **argv); /* cmd_iface_mech.c */
int cmd_iface_contact(cli_env *env, int argc, char **argv);
int cmd_iface_volume(cli_env *env, int argc, char **argv); /* cmd_iface_volume.c */
int cmd_iface_stack(cli_env *env, int argc, char **argv);  /* cmd_iface_stack.c */

int cmd_iface(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        iface_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "lithium"))
        return cmd_iface_lithium(env, argc, argv);
    if (!strcmp(argv[1], "contact"))
        return cmd_iface_contact(env, argc, argv);
    if (!strcmp(argv[1], "volume"))
        return cmd_iface_volume(env, argc, argv);
    if (!strcmp(argv[1], "stack"))
        return cmd_iface_stack(env, argc, argv);
    static const struct {
        const char *name;
        const cli_opt *opts;
        int n;
    } subs[] = {{"stability", stability_opts, S_COUNT},
                {"growth", growth_opts, G_COUNT},
                {"coating", coating_opts, K_COUNT},
                {"spacecharge", spacecharge_opts, Q_COUNT}};
    if (cli_opts_wants_help(argc, argv, 2)) {
        iface_help();
        for (size_t k = 0; k < sizeof subs / sizeof subs[0]; k++)
            if (!strcmp(argv[1], subs[k].name)) {
                printf("\noptions of iface %s:\n", subs[k].name);
                cli_opts_help(stdout, subs[k].opts, subs[k].n);
            }
        return 0;
    }
    if (!strcmp(argv[1], "stability"))
        return cmd_stability(env, argc, argv);
    if (!strcmp(argv[1], "growth"))
        return cmd_growth(env, argc, argv);
    if (!strcmp(argv[1], "coating"))
        return cmd_coating(env, argc, argv);
    if (!strcmp(argv[1], "spacecharge"))
        return cmd_spacecharge(env, argc, argv);
    return cli_usage_error(env,
                           "unknown subcommand 'iface %s' (stability, growth, coating, spacecharge, lithium, contact, "
                           "volume, stack)",
                           argv[1]);
}
