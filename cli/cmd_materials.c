/* ssbnet materials list | show */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_materials.h>

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { L_CLASS, L_FILE, L_COUNT };
static const cli_opt list_opts[L_COUNT] = {
    [L_CLASS] = {"--class", NULL, CLI_OPT_CHOICE, "C", NULL, 0, 0, "list only one class",
                 "se,cathode,anode,coating,carbon,other"},
    [L_FILE] = {"--file", NULL, CLI_OPT_STRING, "F", NULL, 0, 0,
                "add / override materials from a user JSON file (schema in ssb_materials.h)", NULL},
};
enum { S_FILE, S_TEMP, S_OCVX, S_COUNT };
static const cli_opt show_opts[S_COUNT] = {
    [S_FILE] = {"--file", NULL, CLI_OPT_STRING, "F", NULL, 0, 0,
                "add / override materials from a user JSON file (schema in ssb_materials.h)", NULL},
    [S_TEMP] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -273.15, INFINITY,
                "Li+ conductivities (total, bulk, GB) at T from the Arrhenius data", NULL},
    [S_OCVX] = {"--ocv-x", NULL, CLI_OPT_DOUBLE, "X", NULL, 0, 1,
                "evaluate every OCV curve at Li fraction X", NULL},
};

static void materials_help(void)
{
    printf("usage: ssbnet materials list [--class se|cathode|anode|coating|carbon|other] [--file USER.json] [--json]\n"
           "       ssbnet materials show NAME [--file USER.json] [--temperature-C T] [--ocv-x X] [--json]\n\n"
           "The materials database (data/materials/*.json, or $SSBNET_DATA_DIR): every value with unit, temperature,\n"
           "source (DOI) and status (D = read from a stored data/text file, L = from the cited paper, not re-read,\n"
           "C = computed, E = estimate in a user file). A value the reference lacks is absent, never guessed.\n"
           "Names and aliases match case-insensitively, ignoring spaces, '-' and '_' (LPSCl = Li6PS5Cl).\n\n"
           "options of 'list':\n");
    cli_opts_help(stdout, list_opts, L_COUNT);
    printf("options of 'show':\n");
    cli_opts_help(stdout, show_opts, S_COUNT);
    printf("  --json                 JSON instead of tables\n\n"
           "examples:\n"
           "  ssbnet materials list --class se\n"
           "  ssbnet materials show LLZO --temperature-C 60\n"
           "  ssbnet materials show NMC811 --ocv-x 0.5 --json\n");
}

static int open_db(cli_env *env, const char *user, ssb_materials **db)
{
    int r = ssb_materials_create(env->ctx, db);
    if (r == SSB_OK)
        r = ssb_materials_load_builtin(env->ctx, *db);
    if (r == SSB_OK && user)
        r = ssb_materials_load_file(env->ctx, *db, user);
    if (r != SSB_OK) {
        ssb_materials_destroy(db);
        return cli_fail(env, r);
    }
    return 0;
}

/* "v", "lo-hi", "<= hi", ">= lo" of a property converted to a target unit (SI factor ratio); "-" if absent */
static const char *prop_cell(ssb_ctx *ctx, const ssb_material *m, const char *key, const char *unit, char *buf,
                             size_t n)
{
    ssb_mat_prop p;
    if (ssb_materials_get_prop(ctx, m, key, &p) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        snprintf(buf, n, "-");
        return buf;
    }
    double f = 1.0;
    const char *su;
    if (unit && ssb_materials_unit_to_si(ctx, unit, 1.0, &f, &su) != SSB_OK)
        f = 1.0;
    if (p.has_value)
        snprintf(buf, n, "%.3g", p.si_value / f);
    else if (!isnan(p.min) && !isnan(p.max))
        snprintf(buf, n, "%.3g-%.3g", p.si_min / f, p.si_max / f);
    else if (!isnan(p.max))
        snprintf(buf, n, "<=%.3g", p.si_max / f);
    else
        snprintf(buf, n, ">=%.3g", p.si_min / f);
    return buf;
}

static void aliases_str(const ssb_material *m, char *buf, size_t n)
{
    buf[0] = 0;
    for (int i = 0; i < ssb_materials_nalias(m); i++) {
        if (i)
            strncat(buf, ", ", n - strlen(buf) - 1);
        strncat(buf, ssb_materials_alias(m, i), n - strlen(buf) - 1);
    }
    if (!buf[0])
        snprintf(buf, n, "-");
}

static cJSON *prop_json(const ssb_mat_prop *p)
{
    cJSON *o = cJSON_CreateObject();
    if (p->has_value)
        cli_json_add_number(o, "value", p->value);
    if (!isnan(p->min))
        cli_json_add_number(o, "min", p->min);
    if (!isnan(p->max))
        cli_json_add_number(o, "max", p->max);
    cJSON_AddStringToObject(o, "unit", p->unit);
    if (p->has_value)
        cli_json_add_number(o, "si_value", p->si_value);
    cJSON_AddStringToObject(o, "si_unit", p->si_unit);
    if (!isnan(p->T))
        cli_json_add_number(o, "T_C", p->T - 273.15);
    if (!isnan(p->T_min) && (p->T_min != p->T || p->T_max != p->T)) {
        cJSON *v = cJSON_AddArrayToObject(o, "valid_T_C");
        cJSON_AddItemToArray(v, cJSON_CreateNumber(p->T_min - 273.15));
        cJSON_AddItemToArray(v, cJSON_CreateNumber(p->T_max - 273.15));
    }
    if (p->form)
        cJSON_AddStringToObject(o, "form", p->form);
    cJSON_AddStringToObject(o, "source", p->source);
    if (p->doi)
        cJSON_AddStringToObject(o, "doi", p->doi);
    cJSON_AddStringToObject(o, "status", ssb_mat_status_name(p->status));
    if (p->note)
        cJSON_AddStringToObject(o, "note", p->note);
    return o;
}

static int cmd_list(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        materials_help();
        return 0;
    }
    cli_optval val[L_COUNT];
    int prc = cli_opts_parse(env, "materials list", list_opts, L_COUNT, argc, argv, 2, val, NULL, 0, NULL, NULL, NULL);
    if (prc)
        return prc;
    const char *user = val[L_FILE].str;
    char cls_buf[16] = ""; /* the choice in lower case (choices match case-insensitively) */
    const char *cls_s = NULL;
    if (val[L_CLASS].given) {
        size_t k = 0;
        for (const char *c = val[L_CLASS].str; *c && k + 1 < sizeof cls_buf; c++)
            cls_buf[k++] = (char)tolower((unsigned char)*c);
        cls_buf[k] = '\0';
        cls_s = cls_buf;
    }
    ssb_mat_class cls = SSB_MAT_OTHER;
    if (cls_s && ssb_mat_class_parse(env->ctx, cls_s, &cls) != SSB_OK)
        return cli_usage_error(env, "materials list: --class '%s' must be se, cathode, anode, coating, carbon or other",
                               cls_s);
    ssb_materials *db = NULL;
    int r = open_db(env, user, &db);
    if (r)
        return r;
    int n = ssb_materials_count(db);
    if (env->json) {
        cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "materials");
        for (int i = 0; i < n; i++) {
            const ssb_material *m = ssb_materials_at(db, i);
            if (cls_s && ssb_materials_class(m) != cls)
                continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", ssb_materials_name(m));
            cJSON_AddStringToObject(o, "class", ssb_mat_class_name(ssb_materials_class(m)));
            if (ssb_materials_formula(m))
                cJSON_AddStringToObject(o, "formula", ssb_materials_formula(m));
            cJSON *al = cJSON_AddArrayToObject(o, "aliases");
            for (int a = 0; a < ssb_materials_nalias(m); a++)
                cJSON_AddItemToArray(al, cJSON_CreateString(ssb_materials_alias(m, a)));
            cJSON_AddNumberToObject(o, "properties", ssb_materials_nprop(m));
            cJSON_AddNumberToObject(o, "ocv_curves", ssb_materials_nocv(m));
            cJSON_AddItemToArray(arr, o);
        }
        cli_json_print(root);
    } else {
        static const char *const hdr[] = {
            "name",           "class",           "aliases",   "sigma_ion [S/cm]", "sigma_el [S/cm]", "E_red [V vs Li]",
            "E_ox [V vs Li]", "density [g/cm3]", "OCV curves"};
        cli_table *t = cli_table_create(9, hdr);
        for (int i = 0; i < n; i++) {
            const ssb_material *m = ssb_materials_at(db, i);
            if (cls_s && ssb_materials_class(m) != cls)
                continue;
            char al[256], s1[64], s2[64], s3[64], s4[64], s5[64], no[16];
            aliases_str(m, al, sizeof al);
            const char *sig = prop_cell(env->ctx, m, "sigma_ion", "S/cm", s1, sizeof s1);
            if (strcmp(sig, "-") == 0)
                sig = prop_cell(env->ctx, m, "sigma_ion_bulk", "S/cm", s1, sizeof s1);
            snprintf(no, sizeof no, "%d", ssb_materials_nocv(m));
            const char *cells[] = {ssb_materials_name(m),
                                   ssb_mat_class_name(ssb_materials_class(m)),
                                   al,
                                   sig,
                                   prop_cell(env->ctx, m, "sigma_el", "S/cm", s2, sizeof s2),
                                   prop_cell(env->ctx, m, "E_red", "V", s3, sizeof s3),
                                   prop_cell(env->ctx, m, "E_ox", "V", s4, sizeof s4),
                                   prop_cell(env->ctx, m, "density", "g/cm3", s5, sizeof s5),
                                   no};
            cli_table_add_row(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        printf("sigma_ion: total at 25 C (bulk where only bulk is known); ranges lo-hi where the reference gives no "
               "nominal value. 'ssbnet materials show NAME' lists every value with its source.\n");
    }
    ssb_materials_destroy(&db);
    return 0;
}

/* The temperatures in C that the conductivity data of kind k (0 total, 1 bulk, 2 GB) cover: the overlap of the
 * valid_T_C ranges of its sigma and Ea records (bulk and GB records for a total without "sigma_ion"). When no record
 * gives a range (*measured = 0) the Arrhenius data are taken as room-temperature data good for -50 to 150 C. */
static void sigma_T_range(cli_env *env, const ssb_material *m, int k, double *lo, double *hi, int *measured)
{
    static const char *const keys[3][4] = {{"sigma_ion", "Ea_ion", NULL, NULL},
                                           {"sigma_ion_bulk", "Ea_ion_bulk", NULL, NULL},
                                           {"sigma_ion_gb", "Ea_ion_gb", NULL, NULL}};
    static const char *const brick[4] = {"sigma_ion_bulk", "Ea_ion_bulk", "sigma_ion_gb", "Ea_ion_gb"};
    ssb_mat_prop p;
    const char *const *list = keys[k];
    if (k == 0 && ssb_materials_get_prop(env->ctx, m, "sigma_ion", &p) != SSB_OK)
        list = brick;
    *lo = -HUGE_VAL;
    *hi = HUGE_VAL;
    *measured = 0;
    for (int i = 0; i < 4 && list[i]; i++)
        if (ssb_materials_get_prop(env->ctx, m, list[i], &p) == SSB_OK && p.T_max > p.T_min) {
            *lo = fmax(*lo, p.T_min - 273.15);
            *hi = fmin(*hi, p.T_max - 273.15);
            *measured = 1;
        }
    ssb_ctx_clear_error(env->ctx);
    if (!*measured) {
        *lo = -50.0;
        *hi = 150.0;
    }
}

static int cmd_show(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        materials_help();
        return 0;
    }
    cli_optval val[S_COUNT];
    const char *pos[2] = {NULL, NULL};
    int npos = 0;
    int prc = cli_opts_parse(env, "materials show", show_opts, S_COUNT, argc, argv, 2, val, pos, 2, &npos, NULL, NULL);
    if (prc)
        return prc;
    if (npos > 1)
        return cli_usage_error(env, "materials show: one NAME only ('%s' and '%s' given)", pos[0], pos[1]);
    const char *name = pos[0], *user = val[S_FILE].str;
    double T_C = val[S_TEMP].given ? val[S_TEMP].num : NAN, ocv_x = val[S_OCVX].given ? val[S_OCVX].num : NAN;
    if (!name)
        return cli_usage_error(env, "materials show: NAME missing (see 'ssbnet materials list')");
    ssb_materials *db = NULL;
    int r = open_db(env, user, &db);
    if (r)
        return r;
    const ssb_material *m = NULL;
    r = ssb_materials_find(env->ctx, db, name, &m);
    if (r != SSB_OK) {
        int code = cli_fail(env, r);
        ssb_materials_destroy(&db);
        return code;
    }
    static const char *const sk[] = {"total", "bulk", "gb"};
    double sig[3] = {NAN, NAN, NAN};
    char why_total[320] = ""; /* why the total is unavailable (the library's message) */
    if (!isnan(T_C))
        for (int k = 0; k < 3; k++)
            if (ssb_materials_sigma_ion(env->ctx, m, (ssb_sigma_kind)k, T_C + 273.15, &sig[k], NULL) != SSB_OK) {
                sig[k] = NAN;
                if (k == 0)
                    snprintf(why_total, sizeof why_total, "%s", ssb_ctx_get_error(env->ctx));
                ssb_ctx_clear_error(env->ctx);
            }
    /* outside the temperatures the data cover: the values stand, with a warning (extrapolated Arrhenius law); one
     * line per range, naming the kinds it covers */
    int extrapolated = 0, out[3] = {0, 0, 0}, measured[3];
    double lo[3], hi[3];
    for (int k = 0; k < 3 && !isnan(T_C); k++) {
        sigma_T_range(env, m, k, &lo[k], &hi[k], &measured[k]);
        out[k] = !isnan(sig[k]) && !(T_C >= lo[k] && T_C <= hi[k]);
        extrapolated |= out[k];
    }
    for (int k = 0; k < 3; k++) {
        if (!out[k])
            continue;
        char kinds[32] = "";
        for (int j = k; j < 3; j++)
            if (out[j] && lo[j] == lo[k] && hi[j] == hi[k] && measured[j] == measured[k]) {
                snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", kinds[0] ? ", " : "", sk[j]);
                out[j] = j == k ? out[j] : 0;
            }
        fprintf(stderr,
                "ssbnet: warning: materials show %s: the %s conductivity at %g C is extrapolated from the Arrhenius "
                "data outside %g to %g C%s\n",
                ssb_materials_name(m), kinds, T_C, lo[k], hi[k],
                measured[k] ? ", the range their records cover (valid_T_C)"
                            : " (the records give no measured temperature range)");
    }
    int brick = 0; /* total from the brick layer (no measured total) */
    {
        ssb_mat_prop tp;
        brick = !isnan(sig[0]) && ssb_materials_get_prop(env->ctx, m, "sigma_ion", &tp) != SSB_OK;
        ssb_ctx_clear_error(env->ctx);
    }
    double *U = calloc((size_t)ssb_materials_nocv(m) + 1, sizeof(double));
    if (!U) {
        ssb_materials_destroy(&db);
        return cli_fail(env, SSB_ERR_NOMEM);
    }
    for (int k = 0; k < ssb_materials_nocv(m); k++) {
        U[k] = NAN;
        if (!isnan(ocv_x) && ssb_materials_ocv_eval(env->ctx, m, k, ocv_x, &U[k]) != SSB_OK) {
            U[k] = NAN;
            ssb_ctx_clear_error(env->ctx);
        }
    }
    if (env->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", ssb_materials_name(m));
        cJSON_AddStringToObject(o, "class", ssb_mat_class_name(ssb_materials_class(m)));
        if (ssb_materials_formula(m))
            cJSON_AddStringToObject(o, "formula", ssb_materials_formula(m));
        if (ssb_materials_description(m))
            cJSON_AddStringToObject(o, "description", ssb_materials_description(m));
        cJSON *al = cJSON_AddArrayToObject(o, "aliases");
        for (int a = 0; a < ssb_materials_nalias(m); a++)
            cJSON_AddItemToArray(al, cJSON_CreateString(ssb_materials_alias(m, a)));
        cJSON *props = cJSON_AddObjectToObject(o, "properties");
        for (int k = 0; k < ssb_materials_nprop(m); k++) {
            ssb_mat_prop p;
            if (ssb_materials_prop_at(env->ctx, m, k, &p) == SSB_OK)
                cJSON_AddItemToObject(props, p.key, prop_json(&p));
        }
        cJSON *oc = cJSON_AddArrayToObject(o, "ocv");
        for (int k = 0; k < ssb_materials_nocv(m); k++) {
            ssb_ocv_info oi;
            if (ssb_materials_ocv_info(env->ctx, m, k, &oi) != SSB_OK)
                continue;
            static const char *const kinds[] = {"table", "function", "msmr"};
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "name", oi.name);
            cJSON_AddStringToObject(c, "kind", kinds[oi.kind]);
            cJSON_AddStringToObject(c, "x_def", oi.x_def);
            cJSON *xr = cJSON_AddArrayToObject(c, "x_range");
            cJSON_AddItemToArray(xr, cJSON_CreateNumber(oi.x_min));
            cJSON_AddItemToArray(xr, cJSON_CreateNumber(oi.x_max));
            if (oi.npoints)
                cJSON_AddNumberToObject(c, "points", oi.npoints);
            if (!isnan(oi.x_basis)) /* converted from the source's fitted basis to x = c / c_max */
                cJSON_AddNumberToObject(c, "x_basis_mol_per_m3", oi.x_basis);
            if (!isnan(oi.x_full))
                cJSON_AddNumberToObject(c, "x_at_full_lithiation", oi.x_full);
            cJSON_AddStringToObject(c, "source", oi.source);
            if (oi.doi)
                cJSON_AddStringToObject(c, "doi", oi.doi);
            cJSON_AddStringToObject(c, "status", ssb_mat_status_name(oi.status));
            if (!isnan(ocv_x)) {
                cli_json_add_number(c, "x", ocv_x);
                cli_json_add_number(c, "U_V", U[k]);
            }
            cJSON_AddItemToArray(oc, c);
        }
        cJSON *dj = cJSON_AddArrayToObject(o, "diffusivity");
        for (int k = 0; k < ssb_materials_ndiffusivity(m); k++) {
            ssb_diffusivity_info di;
            if (ssb_materials_diffusivity_info(env->ctx, m, k, &di) != SSB_OK)
                continue;
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "name", di.name);
            cJSON_AddStringToObject(c, "x_def", di.x_def);
            cJSON *xr = cJSON_AddArrayToObject(c, "x_range");
            cJSON_AddItemToArray(xr, cJSON_CreateNumber(di.x_min));
            cJSON_AddItemToArray(xr, cJSON_CreateNumber(di.x_max));
            cJSON_AddNumberToObject(c, "points", di.npoints);
            double d;
            if (!isnan(ocv_x) && ssb_materials_diffusivity_eval(env->ctx, m, k, ocv_x, &d) == SSB_OK) {
                cli_json_add_number(c, "x", ocv_x);
                cli_json_add_number(c, "D_cm2_per_s", d * 1e4);
            }
            ssb_ctx_clear_error(env->ctx);
            cJSON_AddStringToObject(c, "source", di.source);
            if (di.doi)
                cJSON_AddStringToObject(c, "doi", di.doi);
            cJSON_AddStringToObject(c, "status", ssb_mat_status_name(di.status));
            if (di.note)
                cJSON_AddStringToObject(c, "note", di.note);
            cJSON_AddItemToArray(dj, c);
        }
        if (!isnan(T_C)) {
            cJSON *s = cJSON_AddObjectToObject(o, "sigma_ion_at_T");
            cli_json_add_number(s, "T_C", T_C);
            cJSON_AddBoolToObject(s, "extrapolated", extrapolated);
            for (int k = 0; k < 3; k++) {
                char key[48];
                snprintf(key, sizeof key, "%s_S_per_cm", sk[k]);
                cli_json_add_number(s, key, sig[k] / 100.0);
            }
            if (brick)
                cJSON_AddStringToObject(s, "total_from", "brick layer (bulk, grain boundary, grain_size, gb_thickness)");
            else if (why_total[0])
                cJSON_AddStringToObject(s, "total_missing", why_total);
        }
        cli_json_print(o);
    } else {
        char al[512];
        aliases_str(m, al, sizeof al);
        printf("%s  (class %s%s%s)\n", ssb_materials_name(m), ssb_mat_class_name(ssb_materials_class(m)),
               ssb_materials_formula(m) ? ", formula " : "", ssb_materials_formula(m) ? ssb_materials_formula(m) : "");
        printf("aliases: %s\n", al);
        if (ssb_materials_description(m))
            printf("%s\n", ssb_materials_description(m));
        printf("\n");
        static const char *const hdr[] = {"property", "value", "min", "max", "unit", "T [C]", "status", "source"};
        cli_table *t = cli_table_create(8, hdr);
        for (int k = 0; k < ssb_materials_nprop(m); k++) {
            ssb_mat_prop p;
            if (ssb_materials_prop_at(env->ctx, m, k, &p) != SSB_OK)
                continue;
            char v[32] = "-", lo[32] = "-", hi[32] = "-", tc[32] = "-", src[600];
            if (p.has_value)
                snprintf(v, sizeof v, "%.4g", p.value);
            if (!isnan(p.min))
                snprintf(lo, sizeof lo, "%.4g", p.min);
            if (!isnan(p.max))
                snprintf(hi, sizeof hi, "%.4g", p.max);
            if (!isnan(p.T))
                snprintf(tc, sizeof tc, "%.4g", p.T - 273.15);
            snprintf(src, sizeof src, "%s%s%s", p.source, p.doi ? " doi:" : "", p.doi ? p.doi : "");
            const char *cells[] = {p.key, v, lo, hi, p.unit, tc, ssb_mat_status_name(p.status), src};
            cli_table_add_row(t, cells);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (ssb_materials_nocv(m) > 0) {
            printf("\nOCV curves (U in V vs Li/Li+):\n");
            static const char *const oh[] = {"curve",  "kind",     "x_min",  "x_max",
                                             "points", "U(x) [V]", "status", "x definition / source"};
            cli_table *o = cli_table_create(8, oh);
            for (int k = 0; k < ssb_materials_nocv(m); k++) {
                ssb_ocv_info oi;
                if (ssb_materials_ocv_info(env->ctx, m, k, &oi) != SSB_OK)
                    continue;
                static const char *const kinds[] = {"table", "function", "msmr"};
                char a[32], b[32], np[16], u[32] = "-", src[800];
                snprintf(a, sizeof a, "%.4g", oi.x_min);
                snprintf(b, sizeof b, "%.4g", oi.x_max);
                snprintf(np, sizeof np, "%d", oi.npoints);
                if (!isnan(U[k]))
                    snprintf(u, sizeof u, "%.5f", U[k]);
                if (!isnan(oi.x_full))
                    snprintf(src, sizeof src, "%s, converted to x = c / c_max (x_source = %.4g - %.4f (1 - x)); %s",
                             oi.x_def, oi.x_full, oi.x_scale, oi.source);
                else if (!isnan(oi.x_basis))
                    snprintf(src, sizeof src, "%s, converted to x = c / c_max (x_source = %.4f x); %s", oi.x_def,
                             oi.x_scale, oi.source);
                else
                    snprintf(src, sizeof src, "%s; %s", oi.x_def, oi.source);
                const char *cells[] = {oi.name, kinds[oi.kind], a, b, np, u, ssb_mat_status_name(oi.status), src};
                cli_table_add_row(o, cells);
            }
            cli_table_print(o, stdout);
            cli_table_destroy(&o);
            if (!isnan(ocv_x))
                printf("U(x) at x = %g ('-': outside the curve's range)\n", ocv_x);
        }
        if (ssb_materials_ndiffusivity(m) > 0) {
            printf("\nLi diffusivity curves D(x) (cell files select one with \"diffusivity_curve\"):\n");
            static const char *const dh[] = {
                "curve",        "x_min",  "x_max", "points", "D(x_min) [cm2/s]", "D(x_max) [cm2/s]",
                "D(x) [cm2/s]", "status", "source"};
            cli_table *dt = cli_table_create(9, dh);
            for (int k = 0; k < ssb_materials_ndiffusivity(m); k++) {
                ssb_diffusivity_info di;
                if (ssb_materials_diffusivity_info(env->ctx, m, k, &di) != SSB_OK)
                    continue;
                char a[32], b[32], np[16], da[32] = "-", db_[32] = "-", dx[32] = "-", src[800];
                double d;
                snprintf(a, sizeof a, "%.4g", di.x_min);
                snprintf(b, sizeof b, "%.4g", di.x_max);
                snprintf(np, sizeof np, "%d", di.npoints);
                if (ssb_materials_diffusivity_eval(env->ctx, m, k, di.x_min, &d) == SSB_OK)
                    snprintf(da, sizeof da, "%.4g", d * 1e4);
                if (ssb_materials_diffusivity_eval(env->ctx, m, k, di.x_max, &d) == SSB_OK)
                    snprintf(db_, sizeof db_, "%.4g", d * 1e4);
                if (!isnan(ocv_x) && ssb_materials_diffusivity_eval(env->ctx, m, k, ocv_x, &d) == SSB_OK)
                    snprintf(dx, sizeof dx, "%.4g", d * 1e4);
                ssb_ctx_clear_error(env->ctx);
                snprintf(src, sizeof src, "%s%s%s", di.source, di.doi ? " doi:" : "", di.doi ? di.doi : "");
                const char *cells[] = {di.name, a, b, np, da, db_, dx, ssb_mat_status_name(di.status), src};
                cli_table_add_row(dt, cells);
            }
            cli_table_print(dt, stdout);
            cli_table_destroy(&dt);
        }
        if (!isnan(T_C)) {
            printf("\nLi+ conductivity at %g C (sigma*T Arrhenius from the stored value and Ea; '-' = not in the "
                   "database):\n",
                   T_C);
            static const char *const sh[] = {"kind", "sigma [S/cm]"};
            cli_table *s = cli_table_create(2, sh);
            for (int k = 0; k < 3; k++) {
                char v[32] = "-";
                if (!isnan(sig[k]))
                    snprintf(v, sizeof v, "%.4g", sig[k] / 100.0);
                const char *cells[] = {sk[k], v};
                cli_table_add_row(s, cells);
            }
            cli_table_print(s, stdout);
            cli_table_destroy(&s);
            if (brick)
                printf("total: brick layer from bulk and grain boundary with the database's grain_size and "
                       "gb_thickness\n");
            else if (why_total[0])
                printf("total: %s\n", why_total);
        }
        printf("\nstatus: D = read from a stored data/text file, L = from the cited paper (not re-read), "
               "C = computed, E = estimate (user file)\n");
    }
    free(U);
    ssb_materials_destroy(&db);
    return 0;
}

int cmd_materials(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        materials_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "list") == 0)
        return cmd_list(env, argc, argv);
    if (strcmp(argv[1], "show") == 0)
        return cmd_show(env, argc, argv);
    return cli_usage_error(env, "materials: unknown subcommand '%s' (list, show)", argv[1]);
}
