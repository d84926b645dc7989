/* ssbnet se brick | arrhenius | spacecharge | leakage | polycrystal */
#include "cli.h"
#include "cli_opts.h"

#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_se.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NA_AVOGADRO 6.02214076e23
#define S_CM 100.0 /* S/cm -> S/m */

static int se_polycrystal(cli_env *env, int argc, char **argv); /* below */

static void se_help(void)
{
    printf("usage: ssbnet se <brick|arrhenius|spacecharge|leakage|polycrystal> [options] [--json]\n\n"
           "Solid-electrolyte grain boundaries (GBs): brick-layer model and its inverse, Arrhenius temperature\n"
           "dependence, Mott-Schottky / Gouy-Chapman space charge, electronic leakage and dendrite risk, and the 3D\n"
           "Voronoi polycrystal against the brick layer. 'ssbnet se SUBCOMMAND --help' lists the options.\n"
           "Conductivities are given in S/cm, lengths in the unit named by the option.\n");
}

/* ---- option tables (cli_opts.h) ----
 * Each subcommand declares one static cli_opt table and, in the same order, the variables the values go to. Numbers
 * the library checks (conductivities, lengths, permittivities, ...) are unbounded here, as before the tables; the
 * library names the value and its valid range. */
#define UNB -INFINITY, INFINITY
#define ABOVE_0K -273.15, INFINITY /* temperatures in C: not below absolute zero */

/* Parse argv[2..] against table t; each given option's value is stored through vars[k] (double * for numbers, const
 * char ** for text and choices). Returns 0, -1 after printing the help, or an exit status. */
static int se_parse(cli_env *env, const char *cmd, const cli_opt *t, int n, void *const *vars, cli_optval *val, int argc,
                    char **argv, void (*help)(void))
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        help();
        return -1;
    }
    char name[32];
    snprintf(name, sizeof name, "se %s", cmd);
    int rc = cli_opts_parse(env, name, t, n, argc, argv, 2, val, NULL, 0, NULL, NULL, NULL);
    if (rc)
        return rc;
    for (int k = 0; k < n; k++)
        if (val[k].given && vars[k]) {
            if (t[k].type == CLI_OPT_DOUBLE || t[k].type == CLI_OPT_INT)
                *(double *)vars[k] = val[k].num;
            else
                *(const char **)vars[k] = val[k].str;
        }
    return 0;
}

static int seen(const cli_opt *t, int n, const cli_optval *val, const char *name)
{
    int k = cli_opt_index(t, n, name);
    return k >= 0 && val[k].given;
}

/* key-value table "quantity [unit]" | "value" */
typedef struct {
    cli_table *t;
    cJSON *j;
} kv_out;

static void kv_begin(cli_env *env, kv_out *o)
{
    static const char *const hdr[] = {"quantity [unit]", "value"};
    o->t = env->json ? NULL : cli_table_create(2, hdr);
    o->j = env->json ? cJSON_CreateObject() : NULL;
}

/* label: "sigma_total [S/cm]", key: "sigma_total_S_per_cm" */
static void kv_add(kv_out *o, const char *label, const char *key, double v)
{
    if (o->t) {
        const char *cells[] = {label, cli_fmt(v)};
        cli_table_add_row(o->t, cells);
    } else {
        cli_json_add_number(o->j, key, v);
    }
}

static void kv_end(kv_out *o)
{
    if (o->t) {
        cli_table_print(o->t, stdout);
        cli_table_destroy(&o->t);
    } else {
        cli_json_print(o->j);
    }
}

/* Open the database and find a material (prints the error; NULL on failure with *code set). */
static const ssb_material *material_lookup(cli_env *env, const char *name, ssb_materials **db, int *code)
{
    *code = 0;
    int r = ssb_materials_create(env->ctx, db);
    if (r == SSB_OK)
        r = ssb_materials_load_builtin(env->ctx, *db);
    const ssb_material *m = NULL;
    if (r == SSB_OK)
        r = ssb_materials_find(env->ctx, *db, name, &m);
    if (r != SSB_OK) {
        *code = cli_fail(env, r);
        ssb_materials_destroy(db);
        return NULL;
    }
    return m;
}

/* conductivity of a material at T_K [S/m] or an explanatory error */
static int material_sigma(cli_env *env, const ssb_material *m, ssb_sigma_kind k, double T_K, double *sigma)
{
    int r = ssb_materials_sigma_ion(env->ctx, m, k, T_K, sigma, NULL);
    if (r != SSB_OK)
        return cli_fail(env, r);
    return 0;
}

/* ================================================================ brick */

enum { B_D, B_T, B_SB, B_SG, B_SGP, B_MAT, B_EPS, B_EPSG, B_L, B_A, B_TC, B_RB, B_CB, B_RG, B_CG, B_ER, B_QB, B_NB, B_QG,
       B_NG, B_FIT, B_COUNT };
static const cli_opt brick_opts[B_COUNT] = {
    [B_D] = {"--grain-size-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "grain size (forward: required)", NULL},
    [B_T] = {"--gb-thickness-nm", NULL, CLI_OPT_DOUBLE, "T", "nm", UNB, "GB thickness (forward: required)", NULL},
    [B_SB] = {"--sigma-bulk-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "bulk conductivity", NULL},
    [B_SG] = {"--sigma-gb-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "specific GB conductivity (across)", NULL},
    [B_SGP] = {"--sigma-gb-par-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB,
               "along the GBs (default = across; 0 = no parallel path)", NULL},
    [B_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0,
               "bulk and GB conductivities from the database at --temperature-C", NULL},
    [B_EPS] = {"--eps-r", NULL, CLI_OPT_DOUBLE, "E", NULL, UNB, "relative permittivity of the grains (for capacitances)",
               NULL},
    [B_EPSG] = {"--eps-r-gb", NULL, CLI_OPT_DOUBLE, "E", NULL, UNB, "of the GBs (default = --eps-r)", NULL},
    [B_L] = {"--thickness-mm", NULL, CLI_OPT_DOUBLE, "L", "mm", UNB, "pellet thickness (default 1)", NULL},
    [B_A] = {"--area-cm2", NULL, CLI_OPT_DOUBLE, "A", "cm2", UNB, "electrode area (default 1)", NULL},
    [B_TC] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "temperature for --material (default 25)", NULL},
    [B_RB] = {"--r-bulk-ohm", NULL, CLI_OPT_DOUBLE, "R", "ohm", UNB, "inverse: fitted bulk arc resistance", NULL},
    [B_CB] = {"--c-bulk-F", NULL, CLI_OPT_DOUBLE, "C", "F", UNB, "inverse: bulk arc capacitance", NULL},
    [B_RG] = {"--r-gb-ohm", NULL, CLI_OPT_DOUBLE, "R", "ohm", UNB, "inverse: GB arc resistance", NULL},
    [B_CG] = {"--c-gb-F", NULL, CLI_OPT_DOUBLE, "C", "F", UNB, "inverse: GB arc capacitance", NULL},
    [B_ER] = {"--eps-ratio", NULL, CLI_OPT_DOUBLE, "X", NULL, UNB, "inverse: eps_gb/eps_b (default 1)", NULL},
    [B_QB] = {"--q-bulk", NULL, CLI_OPT_DOUBLE, "Q", "F s^(n-1)", UNB, "inverse: CPE of the bulk arc (with --n-bulk)",
              NULL},
    [B_NB] = {"--n-bulk", NULL, CLI_OPT_DOUBLE, "N", NULL, UNB, "inverse: CPE exponent of the bulk arc", NULL},
    [B_QG] = {"--q-gb", NULL, CLI_OPT_DOUBLE, "Q", "F s^(n-1)", UNB, "inverse: CPE of the GB arc (with --n-gb)", NULL},
    [B_NG] = {"--n-gb", NULL, CLI_OPT_DOUBLE, "N", NULL, UNB, "inverse: CPE exponent of the GB arc", NULL},
    [B_FIT] = {"--fit", NULL, CLI_OPT_STRING, "FIT.json", NULL, 0, 0,
               "inverse: the output of 'ssbnet eis fit ... --json' (options above override)", NULL},
};

static void brick_help(void)
{
    printf(
        "usage: ssbnet se brick [forward options | inverse options] [--json]\n\n"
        "Brick-layer model (cubic grains of size d, GB thickness delta; FORMULAS-interfaces.md 2.1):\n"
        "  R_b = L/(sigma_b A), R_gb = (L/d) delta/(sigma_gb A), C_b = eps_b eps0 A/L, C_gb = eps_gb eps0 A d/(L "
        "delta),\n"
        "  sigma_total = [1/sigma_b + (delta/d)/sigma_gb]^-1 + 2 (delta/d) sigma_gb_par.\n\n"
        "forward (microstructure -> conductivity and impedance arcs): --grain-size-um, --gb-thickness-nm and the\n"
        "  conductivities (or --material); capacitances need --eps-r.\n"
        "inverse (fitted arcs -> GB conductivity and delta/d ~ C_b/C_gb): --r-bulk-ohm --c-bulk-F --r-gb-ohm --c-gb-F\n"
        "  (--grain-size-um then gives the GB thickness) with --thickness-mm and --area-cm2; a fitted CPE instead of\n"
        "  a capacitance (--q-bulk Q --n-bulk n, --q-gb Q --n-gb n) is converted with the arc's R to\n"
        "  C_eff = (Q R^(1-n))^(1/n) (Hirschorn et al. 2010 eq. 18; Hsu & Mansfeld 2001); --fit takes the two\n"
        "  highest-frequency R||CPE (or R||C) arcs of an 'eis fit' as bulk and GB.\n\n"
        "options:\n");
    cli_opts_help(stdout, brick_opts, B_COUNT);
    printf("\n"
        "examples:\n"
        "  ssbnet se brick --material LLZO --grain-size-um 5 --gb-thickness-nm 2 --eps-r 60\n"
        "  ssbnet se brick --r-bulk-ohm 120 --c-bulk-F 4e-11 --r-gb-ohm 850 --c-gb-F 2e-9 --thickness-mm 1 --area-cm2 "
        "0.8\n"
        "  ssbnet eis fit pellet.csv --circuit 'p(R1,CPE1)-p(R2,CPE2)-CPE3' --json > fit.json\n"
        "  ssbnet se brick --fit fit.json --thickness-mm 0.1 --area-cm2 1 --grain-size-um 2\n");
}

/* --q-X / --n-X: the CPE of an arc to its effective capacitance with the arc's R (library formula). */
static int brick_cpe(cli_env *env, const char *which, int hasQ, int hasN, int hasC, double Q, double n, double R,
                     double *C, const char **src)
{
    if (!hasQ && !hasN)
        return 0;
    if (hasQ != hasN)
        return cli_usage_error(env, "se brick: --q-%s and --n-%s go together (the CPE of the %s arc)", which, which,
                               which);
    if (hasC)
        return cli_usage_error(env, "se brick: give either --c-%s-F or --q-%s/--n-%s, not both", which, which, which);
    if (isnan(R))
        return cli_usage_error(env, "se brick: --q-%s needs the arc's resistance (--r-%s-ohm or --fit)", which, which);
    int rc = ssb_se_cpe_capacitance(env->ctx, Q, n, R, C);
    if (rc != SSB_OK)
        return cli_fail(env, rc);
    *src = "CPE (Q R^(1-n))^(1/n)";
    return 0;
}

/* The bulk and GB arcs of an 'eis fit --json' result: the two R||CPE / R||C pairs of highest apex frequency. */
static int brick_from_fit(cli_env *env, const char *path, double *Rb, double *Cb, double *Rg, double *Cg)
{
    char *text = cli_read_file(path);
    if (!text) {
        fprintf(stderr, "ssbnet: error: cannot read fit file '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    const char *endp = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &endp, 0);
    if (!root) {
        int line, col;
        cli_text_line_col(text, endp, &line, &col);
        fprintf(stderr, "ssbnet: error: %s:%d:%d: malformed JSON (expected the output of 'ssbnet eis fit --json')\n",
                path, line, col);
        free(text);
        return CLI_EXIT_FORMAT;
    }
    free(text);
    int code = 0;
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(root, "capacitances");
    if (!cJSON_IsArray(caps)) {
        fprintf(stderr, "ssbnet: error: %s: no 'capacitances' array (not the output of 'ssbnet eis fit --json'?)\n",
                path);
        cJSON_Delete(root);
        return CLI_EXIT_FORMAT;
    }
    /* the two parallel pairs of highest f_max */
    double best[2][3] = {{-1, NAN, NAN}, {-1, NAN, NAN}}; /* f_max, R, C */
    const char *nm[2] = {NULL, NULL};
    int npar = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, caps)
    {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(e, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "parallel") != 0)
            continue;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "f_max_Hz");
        const cJSON *R = cJSON_GetObjectItemCaseSensitive(e, "R_Ohm");
        const cJSON *C = cJSON_GetObjectItemCaseSensitive(e, "C_eff_F");
        const cJSON *el = cJSON_GetObjectItemCaseSensitive(e, "element");
        if (!cJSON_IsNumber(f) || !cJSON_IsNumber(R) || !cJSON_IsNumber(C) || !(R->valuedouble > 0) ||
            !(C->valuedouble > 0) || !isfinite(f->valuedouble)) {
            fprintf(stderr, "ssbnet: error: %s: capacitance entry %s lacks a positive R_Ohm, C_eff_F or f_max_Hz\n",
                    path, cJSON_IsString(el) ? el->valuestring : "?");
            cJSON_Delete(root);
            return CLI_EXIT_FORMAT;
        }
        npar++;
        double v[3] = {f->valuedouble, R->valuedouble, C->valuedouble};
        const char *name = cJSON_IsString(el) ? el->valuestring : "?";
        if (v[0] > best[0][0]) {
            memcpy(best[1], best[0], sizeof best[0]);
            nm[1] = nm[0];
            memcpy(best[0], v, sizeof v);
            nm[0] = name;
        } else if (v[0] > best[1][0]) {
            memcpy(best[1], v, sizeof v);
            nm[1] = name;
        }
    }
    if (npar < 2) {
        fprintf(stderr,
                "ssbnet: error: %s: %d R||CPE arc%s in the fit; the brick layer needs a bulk and a GB arc (fit e.g. "
                "'p(R1,CPE1)-p(R2,CPE2)-CPE3')\n",
                path, npar, npar == 1 ? "" : "s");
        cJSON_Delete(root);
        return CLI_EXIT_FORMAT;
    }
    *Rb = best[0][1];
    *Cb = best[0][2];
    *Rg = best[1][1];
    *Cg = best[1][2];
    if (!env->quiet) {
        fprintf(stderr, "ssbnet: info: se brick: bulk arc %s (f_max %.4g Hz), GB arc %s (f_max %.4g Hz) from %s\n",
                nm[0], best[0][0], nm[1], best[1][0], path);
        if (npar > 2)
            fprintf(stderr, "ssbnet: warning: se brick: %s has %d arcs; the two of highest frequency are taken\n",
                    path, npar);
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "status");
        if (cJSON_IsString(st) && strcmp(st->valuestring, "ok") != 0)
            fprintf(stderr, "ssbnet: warning: se brick: the fit's status is '%s'; the numbers below inherit it\n",
                    st->valuestring);
    }
    cJSON_Delete(root);
    return code;
}

static int cmd_brick(cli_env *env, int argc, char **argv)
{
    double d_um = NAN, t_nm = NAN, sb = NAN, sg = NAN, sgp = NAN, eps = NAN, epsg = NAN, L_mm = 1, A_cm2 = 1;
    double T_C = 25, Rb = NAN, Cb = NAN, Rg = NAN, Cg = NAN, er = 1, Qb = NAN, nb = NAN, Qg = NAN, ng = NAN;
    const char *mat = NULL, *fitfile = NULL;
    void *const vars[B_COUNT] = {[B_D] = &d_um, [B_T] = &t_nm, [B_SB] = &sb,  [B_SG] = &sg,   [B_SGP] = &sgp,
                                 [B_MAT] = &mat, [B_EPS] = &eps, [B_EPSG] = &epsg, [B_L] = &L_mm, [B_A] = &A_cm2,
                                 [B_TC] = &T_C,  [B_RB] = &Rb,   [B_CB] = &Cb,     [B_RG] = &Rg,  [B_CG] = &Cg,
                                 [B_ER] = &er,   [B_QB] = &Qb,   [B_NB] = &nb,     [B_QG] = &Qg,  [B_NG] = &ng,
                                 [B_FIT] = &fitfile};
    cli_optval val[B_COUNT];
    const int nd = B_COUNT;
    int r = se_parse(env, "brick", brick_opts, nd, vars, val, argc, argv, brick_help);
    if (r)
        return r < 0 ? 0 : r;
    int inverse = seen(brick_opts, nd, val, "--r-bulk-ohm") || seen(brick_opts, nd, val, "--r-gb-ohm") || seen(brick_opts, nd, val, "--c-bulk-F") ||
                  seen(brick_opts, nd, val, "--c-gb-F") || seen(brick_opts, nd, val, "--q-bulk") || seen(brick_opts, nd, val, "--q-gb") || fitfile;
    kv_out o;
    if (inverse) {
        /* the forward mode's inputs are not used here: refuse them rather than ignore them */
        static const char *const fwd_only[] = {"--gb-thickness-nm", "--sigma-bulk-S-cm", "--sigma-gb-S-cm",
                                               "--sigma-gb-par-S-cm", "--material", "--eps-r",
                                               "--eps-r-gb", "--temperature-C"};
        for (size_t k = 0; k < sizeof fwd_only / sizeof fwd_only[0]; k++)
            if (seen(brick_opts, nd, val, fwd_only[k]))
                return cli_usage_error(env, "se brick: %s belongs to the forward mode and is not used with the fitted "
                                            "arcs (--r-/--c-/--q-/--n-/--fit options; see --help)",
                                       fwd_only[k]);
        const char *src_b = "given", *src_g = "given";
        if (fitfile) {
            double fRb, fCb, fRg, fCg;
            if ((r = brick_from_fit(env, fitfile, &fRb, &fCb, &fRg, &fCg)))
                return r;
            if (!seen(brick_opts, nd, val, "--r-bulk-ohm")) Rb = fRb;
            if (!seen(brick_opts, nd, val, "--c-bulk-F") && !seen(brick_opts, nd, val, "--q-bulk")) Cb = fCb, src_b = "fit C_eff";
            if (!seen(brick_opts, nd, val, "--r-gb-ohm")) Rg = fRg;
            if (!seen(brick_opts, nd, val, "--c-gb-F") && !seen(brick_opts, nd, val, "--q-gb")) Cg = fCg, src_g = "fit C_eff";
        }
        if ((r = brick_cpe(env, "bulk", seen(brick_opts, nd, val, "--q-bulk"), seen(brick_opts, nd, val, "--n-bulk"), seen(brick_opts, nd, val, "--c-bulk-F"),
                           Qb, nb, Rb, &Cb, &src_b)))
            return r;
        if ((r = brick_cpe(env, "gb", seen(brick_opts, nd, val, "--q-gb"), seen(brick_opts, nd, val, "--n-gb"), seen(brick_opts, nd, val, "--c-gb-F"), Qg, ng,
                           Rg, &Cg, &src_g)))
            return r;
        if ((!seen(brick_opts, nd, val, "--thickness-mm") || !seen(brick_opts, nd, val, "--area-cm2")) && !env->quiet)
            fprintf(stderr,
                    "ssbnet: warning: se brick: pellet %s%s%s taken as the default; the conductivities scale with "
                    "them (give --thickness-mm and --area-cm2)\n",
                    seen(brick_opts, nd, val, "--thickness-mm") ? "" : "thickness 1 mm",
                    !seen(brick_opts, nd, val, "--thickness-mm") && !seen(brick_opts, nd, val, "--area-cm2") ? " and " : "",
                    seen(brick_opts, nd, val, "--area-cm2") ? "" : "area 1 cm^2");
        ssb_se_brick_fit f = ssb_se_brick_fit_default();
        f.R_b = Rb;
        f.C_b = Cb;
        f.R_gb = Rg;
        f.C_gb = Cg;
        f.thickness = L_mm * 1e-3;
        f.area = A_cm2 * 1e-4;
        f.eps_ratio = er;
        f.grain_size = d_um * 1e-6;
        ssb_se_brick_inverse_result q;
        r = ssb_se_brick_inverse(env->ctx, &f, &q);
        if (r != SSB_OK)
            return cli_fail(env, r);
        kv_begin(env, &o);
        kv_add(&o, "R_bulk (input) [ohm]", "R_b_ohm", Rb);
        kv_add(&o, "C_bulk (input) [F]", "C_b_F", Cb);
        kv_add(&o, "R_gb (input) [ohm]", "R_gb_ohm", Rg);
        kv_add(&o, "C_gb (input) [F]", "C_gb_F", Cg);
        if (o.j) {
            cJSON_AddStringToObject(o.j, "C_b_source", src_b);
            cJSON_AddStringToObject(o.j, "C_gb_source", src_g);
        } else {
            printf("capacitances: bulk %s, GB %s\n", src_b, src_g);
        }
        kv_add(&o, "sigma_bulk [S/cm]", "sigma_bulk_S_per_cm", q.sigma_bulk / S_CM);
        kv_add(&o, "eps_r_bulk [-]", "eps_r_bulk", q.eps_r_bulk);
        kv_add(&o, "delta/d = (eps_gb/eps_b) C_b/C_gb [-]", "delta_over_d", q.delta_over_d);
        kv_add(&o, "GB thickness [nm]", "gb_thickness_nm", q.gb_thickness * 1e9);
        kv_add(&o, "sigma_gb specific [S/cm]", "sigma_gb_specific_S_per_cm", q.sigma_gb_specific / S_CM);
        kv_add(&o, "sigma_gb macroscopic L/(A R_gb) [S/cm]", "sigma_gb_macro_S_per_cm", q.sigma_gb_macro / S_CM);
        kv_add(&o, "f_bulk apex [Hz]", "f_b_Hz", q.f_b);
        kv_add(&o, "f_gb apex [Hz]", "f_gb_Hz", q.f_gb);
        kv_add(&o, "GB share of R_b + R_gb [%]", "gb_share_percent", 100 * q.gb_share);
        kv_end(&o);
        return 0;
    }
    static const char *const inv_only[] = {"--eps-ratio", "--n-bulk", "--n-gb"};
    for (size_t k = 0; k < sizeof inv_only / sizeof inv_only[0]; k++)
        if (seen(brick_opts, nd, val, inv_only[k]))
            return cli_usage_error(env, "se brick: %s belongs to the inverse mode (fitted arcs: --r-bulk-ohm, --c-bulk-F, "
                                        "..., or --fit) and is not used by the forward model",
                                   inv_only[k]);
    if (isnan(d_um) || isnan(t_nm))
        return cli_usage_error(env, "se brick: give --grain-size-um and --gb-thickness-nm (or the inverse options, "
                                    "see --help)");
    if (!mat && (isnan(sb) || isnan(sg)))
        return cli_usage_error(env, "se brick: give --sigma-bulk-S-cm and --sigma-gb-S-cm (or --material)");
    ssb_materials *db = NULL;
    if (mat) {
        int code;
        const ssb_material *m = material_lookup(env, mat, &db, &code);
        if (!m)
            return code;
        double v;
        if (!seen(brick_opts, nd, val, "--sigma-bulk-S-cm")) {
            if ((r = material_sigma(env, m, SSB_SIGMA_BULK, T_C + 273.15, &v)))
                goto out;
            sb = v / S_CM;
        }
        if (!seen(brick_opts, nd, val, "--sigma-gb-S-cm")) {
            if ((r = material_sigma(env, m, SSB_SIGMA_GB, T_C + 273.15, &v)))
                goto out;
            sg = v / S_CM;
        }
    }
    {
        ssb_se_brick_params p = ssb_se_brick_params_default();
        p.grain_size = d_um * 1e-6;
        p.gb_thickness = t_nm * 1e-9;
        p.sigma_bulk = sb * S_CM;
        p.sigma_gb_perp = sg * S_CM;
        p.sigma_gb_par = isnan(sgp) ? NAN : sgp * S_CM;
        p.eps_r_bulk = eps;
        p.eps_r_gb = epsg;
        p.thickness = L_mm * 1e-3;
        p.area = A_cm2 * 1e-4;
        ssb_se_brick_result q;
        int rc = ssb_se_brick_solve(env->ctx, &p, &q);
        if (rc != SSB_OK) {
            r = cli_fail(env, rc);
            goto out;
        }
        kv_begin(env, &o);
        kv_add(&o, "sigma_bulk (input) [S/cm]", "sigma_bulk_S_per_cm", sb);
        kv_add(&o, "sigma_gb specific (input) [S/cm]", "sigma_gb_S_per_cm", sg);
        kv_add(&o, "sigma_total [S/cm]", "sigma_total_S_per_cm", q.sigma_total / S_CM);
        kv_add(&o, "sigma_series [S/cm]", "sigma_series_S_per_cm", q.sigma_series / S_CM);
        kv_add(&o, "sigma_parallel (along GBs) [S/cm]", "sigma_parallel_S_per_cm", q.sigma_parallel / S_CM);
        kv_add(&o, "sigma_gb macroscopic [S/cm]", "sigma_gb_macro_S_per_cm", q.sigma_gb_macro / S_CM);
        kv_add(&o, "R_bulk [ohm]", "R_b_ohm", q.R_b);
        kv_add(&o, "C_bulk [F]", "C_b_F", q.C_b);
        kv_add(&o, "f_bulk apex [Hz]", "f_b_Hz", q.f_b);
        kv_add(&o, "R_gb [ohm]", "R_gb_ohm", q.R_gb);
        kv_add(&o, "C_gb [F]", "C_gb_F", q.C_gb);
        kv_add(&o, "f_gb apex [Hz]", "f_gb_Hz", q.f_gb);
        kv_add(&o, "R_parallel [ohm]", "R_par_ohm", q.R_par);
        kv_add(&o, "R_total [ohm]", "R_total_ohm", q.R_total);
        kv_add(&o, "GB share of R_b + R_gb [%]", "gb_share_percent", 100 * q.gb_share);
        kv_add(&o, "current along GBs [%]", "parallel_fraction_percent", 100 * q.parallel_fraction);
        kv_add(&o, "GB volume fraction [%]", "gb_volume_fraction_percent", 100 * q.gb_volume_fraction);
        int table = o.t != NULL;
        kv_end(&o);
        /* delta = 0: the library gives the GB arc's quantities as absent (NaN: "-" here, null in JSON) */
        if (table && p.gb_thickness == 0)
            printf("no grain boundaries (--gb-thickness-nm 0): no GB arc, so C_gb, the f_gb apex and sigma_gb "
                   "macroscopic are absent (-)\n");
        r = 0;
    }
out:
    ssb_materials_destroy(&db);
    return r;
}

/* ================================================================ arrhenius */

enum { A_MAT, A_SB, A_EB, A_SG, A_EG, A_SP, A_EP, A_TREF, A_D, A_T, A_TMIN, A_TMAX, A_STEPS, A_FORM, A_FIT, A_COUNT };
static const cli_opt arrh_opts[A_COUNT] = {
    [A_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "bulk and GB (or total) sigma and Ea from the database",
               NULL},
    [A_SB] = {"--sigma-bulk-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "bulk conductivity at --t-ref-C", NULL},
    [A_EB] = {"--ea-bulk-eV", NULL, CLI_OPT_DOUBLE, "E", "eV", UNB, "bulk activation energy", NULL},
    [A_SG] = {"--sigma-gb-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "specific GB conductivity across the GBs",
              NULL},
    [A_EG] = {"--ea-gb-eV", NULL, CLI_OPT_DOUBLE, "E", "eV", UNB, "its activation energy", NULL},
    [A_SP] = {"--sigma-gb-par-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "along the GBs (default: none)", NULL},
    [A_EP] = {"--ea-gb-par-eV", NULL, CLI_OPT_DOUBLE, "E", "eV", UNB, "its activation energy", NULL},
    [A_TREF] = {"--t-ref-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "reference temperature of the inputs (default 25)",
                NULL},
    [A_D] = {"--grain-size-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "brick-layer grain size (required with GB data)",
             NULL},
    [A_T] = {"--gb-thickness-nm", NULL, CLI_OPT_DOUBLE, "T", "nm", UNB, "GB thickness (required with GB data)", NULL},
    [A_TMIN] = {"--tmin-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "table start (default -20)", NULL},
    [A_TMAX] = {"--tmax-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "table end (default 100)", NULL},
    [A_STEPS] = {"--steps", NULL, CLI_OPT_INT, "N", NULL, 1, 10000, "table rows (default 7)", NULL},
    [A_FORM] = {"--form", NULL, CLI_OPT_CHOICE, "FORM", NULL, 0, 0, "Arrhenius form of the inputs (default sigmaT)",
                "sigmaT,sigma"},
    [A_FIT] = {"--fit", NULL, CLI_OPT_STRING, "T_C:S_cm,...", NULL, 0, 0,
               "fit Ea and sigma(25 C) to measured points instead", NULL},
};

static void arrhenius_help(void)
{
    printf(
        "usage: ssbnet se arrhenius [options] [--json]\n\n"
        "Conductivity vs temperature with sigma*T = A exp(-Ea/kT) (or sigma = s0 exp(-Ea/kT) with --form sigma) for\n"
        "the bulk and the GBs, combined by the brick layer: sigma_total(T), the GB share of the resistance and the\n"
        "apparent activation energy Ea_app = -k d ln(sigma_total T)/d(1/T).\n\n"
        "options:\n");
    cli_opts_help(stdout, arrh_opts, A_COUNT);
    printf("\n"
        "examples:\n"
        "  ssbnet se arrhenius --material LLZO --grain-size-um 3 --gb-thickness-nm 2\n"
        "  ssbnet se arrhenius --fit \"25:4.6e-4,50:1.2e-3,75:2.7e-3\"\n");
}

/* Parse "T_C:S_cm,..." into T [K] and sigma [S/m] (n points; the arrays hold one point per ':'). */
static int arrh_fit_points(cli_env *env, const char *pts, double *T, double *s, int *n)
{
    const char *p = pts;
    *n = 0;
    while (*p) {
        char *end;
        double tc = strtod(p, &end);
        if (end == p || *end != ':')
            return cli_usage_error(env, "--fit: expected T_C:sigma at '%s'", p);
        p = end + 1;
        double sv = strtod(p, &end);
        if (end == p)
            return cli_usage_error(env, "--fit: expected a conductivity at '%s'", p);
        if (!(tc > -273.15)) {
            fprintf(stderr, "ssbnet: error: se arrhenius --fit: temperature %g C is at or below absolute zero "
                            "(-273.15 C)\n", tc);
            return CLI_EXIT_RANGE;
        }
        T[*n] = tc + 273.15;
        s[*n] = sv * S_CM;
        (*n)++;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return cli_usage_error(env, "--fit: unexpected '%c' in '%s'", *p, pts);
    }
    return 0;
}

static int arrh_fit(cli_env *env, const char *pts, ssb_se_arrh_form form)
{
    /* as many points as given (the fixed 256-point buffer dropped the rest without a word) */
    size_t cap = 1;
    for (const char *q = pts; *q; q++)
        cap += *q == ':';
    if (cap > 1000000)
        return cli_usage_error(env, "--fit: %zu points, at most 1000000", cap - 1);
    double *T = malloc(cap * sizeof *T), *s = malloc(cap * sizeof *s);
    int n = 0, r = T && s ? arrh_fit_points(env, pts, T, s, &n) : CLI_EXIT_NOMEM;
    if (r == CLI_EXIT_NOMEM)
        fprintf(stderr, "ssbnet: error: se arrhenius --fit: out of memory\n");
    ssb_se_arrhenius a;
    double se = NAN, rss = NAN;
    if (!r) {
        int rc = ssb_se_arrhenius_fit(env->ctx, n, T, s, form, 298.15, &a, &se, &rss);
        if (rc != SSB_OK)
            r = cli_fail(env, rc);
    }
    free(T);
    free(s);
    if (r)
        return r;
    kv_out o;
    kv_begin(env, &o);
    kv_add(&o, "points [-]", "points", n);
    kv_add(&o, "Ea [eV]", "Ea_eV", a.Ea);
    kv_add(&o, "Ea standard error [eV]", "Ea_stderr_eV", se);
    kv_add(&o, "sigma at 25 C [S/cm]", "sigma_25C_S_per_cm", a.sigma_ref / S_CM);
    kv_add(&o, "residual sum of squares of ln values [-]", "rss", rss);
    kv_end(&o);
    return 0;
}

static int cmd_arrhenius(cli_env *env, int argc, char **argv)
{
    double sb = NAN, eb = NAN, sg = NAN, eg = NAN, sp = NAN, ep = NAN, tref = 25, d_um = NAN, t_nm = NAN;
    double tmin = -20, tmax = 100, steps = 7;
    const char *mat = NULL, *form_s = "sigmaT", *fit = NULL;
    void *const vars[A_COUNT] = {[A_MAT] = &mat,   [A_SB] = &sb,     [A_EB] = &eb,     [A_SG] = &sg,
                                 [A_EG] = &eg,     [A_SP] = &sp,     [A_EP] = &ep,     [A_TREF] = &tref,
                                 [A_D] = &d_um,    [A_T] = &t_nm,    [A_TMIN] = &tmin, [A_TMAX] = &tmax,
                                 [A_STEPS] = &steps, [A_FORM] = &form_s, [A_FIT] = &fit};
    cli_optval val[A_COUNT];
    int r = se_parse(env, "arrhenius", arrh_opts, A_COUNT, vars, val, argc, argv, arrhenius_help);
    if (r)
        return r < 0 ? 0 : r;
    ssb_se_arrh_form form;
    if (strcasecmp(form_s, "sigmaT") == 0)
        form = SSB_SE_ARRH_SIGMA_T;
    else if (strcasecmp(form_s, "sigma") == 0)
        form = SSB_SE_ARRH_SIGMA;
    else
        return cli_usage_error(env, "se arrhenius: --form '%s' must be sigmaT or sigma", form_s);
    if (fit) {
        /* the fit takes only its points and --form; the table's options were ignored without a word
           (--t-ref-C 60 still gave sigma at 25 C) */
        for (int k = 0; k < A_COUNT; k++)
            if (val[k].given && k != A_FIT && k != A_FORM)
                return cli_usage_error(env, "se arrhenius: %s is not used with --fit (the fit takes T_C:S_cm points "
                                            "and --form; it reports Ea and sigma at 25 C)",
                                       arrh_opts[k].name);
        return arrh_fit(env, fit, form);
    }
    if (!(steps >= 1 && steps <= 10000 && steps == floor(steps)))
        return cli_usage_error(env, "se arrhenius: --steps %g must be an integer in [1, 10000]", steps);
    ssb_se_brick_arrhenius p = ssb_se_brick_arrhenius_default();
    int have_gb = 0;
    ssb_materials *db = NULL;
    if (mat) {
        int code;
        const ssb_material *m = material_lookup(env, mat, &db, &code);
        if (!m)
            return code;
        ssb_mat_prop ps, pe;
        /* bulk (or total when the record has no bulk/GB split) */
        const char *bkey = "sigma_ion_bulk", *bekey = "Ea_ion_bulk";
        if (ssb_materials_get_prop(env->ctx, m, bkey, &ps) != SSB_OK) {
            bkey = "sigma_ion";
            bekey = "Ea_ion";
        }
        ssb_ctx_clear_error(env->ctx);
        if (isnan(sb)) {
            if ((r = ssb_materials_get_si(env->ctx, m, bkey, &sb)) != SSB_OK)
                goto fail;
            ssb_materials_get_prop(env->ctx, m, bkey, &ps);
            tref = ps.T - 273.15;
            sb /= S_CM;
        }
        if (isnan(eb)) {
            if ((r = ssb_materials_get_si(env->ctx, m, bekey, &eb)) != SSB_OK)
                goto fail;
            ssb_materials_get_prop(env->ctx, m, bekey, &pe);
            if (pe.form && strcmp(pe.form, "sigma") == 0)
                form = SSB_SE_ARRH_SIGMA;
        }
        if (isnan(sg) && ssb_materials_get_si(env->ctx, m, "sigma_ion_gb", &sg) == SSB_OK) {
            sg /= S_CM;
            if (isnan(eg) && (r = ssb_materials_get_si(env->ctx, m, "Ea_ion_gb", &eg)) != SSB_OK)
                goto fail;
        }
        ssb_ctx_clear_error(env->ctx);
    }
    if (isnan(sb) || isnan(eb)) {
        ssb_materials_destroy(&db);
        return cli_usage_error(env, "se arrhenius: give --sigma-bulk-S-cm and --ea-bulk-eV (or --material)");
    }
    p.bulk.sigma_ref = sb * S_CM;
    p.bulk.Ea = eb;
    p.bulk.T_ref = tref + 273.15;
    p.bulk.form = form;
    have_gb = !isnan(sg);
    if (have_gb) {
        if (isnan(eg) || isnan(d_um) || isnan(t_nm)) {
            ssb_materials_destroy(&db);
            return cli_usage_error(env, "se arrhenius: GB data need --ea-gb-eV, --grain-size-um and --gb-thickness-nm");
        }
        p.gb_perp.sigma_ref = sg * S_CM;
        p.gb_perp.Ea = eg;
        p.gb_perp.T_ref = tref + 273.15;
        p.gb_perp.form = form;
        p.grain_size = d_um * 1e-6;
        p.gb_thickness = t_nm * 1e-9;
    } else {
        p.gb_perp = p.bulk;
        p.grain_size = 1.0;
        p.gb_thickness = 0.0;
    }
    if (!isnan(sp)) {
        p.gb_par.sigma_ref = sp * S_CM;
        p.gb_par.Ea = isnan(ep) ? eg : ep;
        p.gb_par.T_ref = tref + 273.15;
        p.gb_par.form = form;
    } else {
        p.gb_par.sigma_ref = 0.0;
    }
    {
        static const char *const hdr[] = {
            "T [C]",        "T [K]",      "sigma_bulk [S/cm]", "sigma_gb [S/cm]", "sigma_total [S/cm]",
            "GB share [%]", "Ea_app [eV]"};
        cli_table *t = env->json ? NULL : cli_table_create(7, hdr);
        cJSON *root = env->json ? cJSON_CreateObject() : NULL,
              *arr = root ? cJSON_AddArrayToObject(root, "points") : NULL;
        int n = (int)steps;
        for (int i = 0; i < n; i++) {
            double tc = n == 1 ? tmin : tmin + (tmax - tmin) * i / (n - 1);
            ssb_se_brick_arrh_point q;
            int rc = ssb_se_brick_arrhenius_eval(env->ctx, &p, tc + 273.15, &q);
            if (rc != SSB_OK) {
                if (t)
                    cli_table_destroy(&t);
                cJSON_Delete(root);
                ssb_materials_destroy(&db);
                return cli_fail(env, rc);
            }
            double sgv = have_gb ? q.sigma_gb_perp / S_CM : NAN, share = have_gb ? 100 * q.gb_share : 0.0;
            if (t) {
                char a[32];
                snprintf(a, sizeof a, "%.2f", tc);
                const char *cells[] = {a,
                                       cli_fmt(q.T),
                                       cli_fmt(q.sigma_bulk / S_CM),
                                       have_gb ? cli_fmt(sgv) : "-",
                                       cli_fmt(q.sigma_total / S_CM),
                                       cli_fmt(share),
                                       cli_fmt(q.Ea_app)};
                cli_table_add_row(t, cells);
            } else {
                cJSON *o = cJSON_CreateObject();
                cli_json_add_number(o, "T_C", tc);
                cli_json_add_number(o, "sigma_bulk_S_per_cm", q.sigma_bulk / S_CM);
                cli_json_add_number(o, "sigma_gb_S_per_cm", sgv);
                cli_json_add_number(o, "sigma_total_S_per_cm", q.sigma_total / S_CM);
                cli_json_add_number(o, "gb_share_percent", share);
                cli_json_add_number(o, "Ea_app_eV", q.Ea_app);
                cJSON_AddItemToArray(arr, o);
            }
        }
        if (t) {
            cli_table_print(t, stdout);
            cli_table_destroy(&t);
            printf("bulk: %.4g S/cm, Ea %.4g eV", sb, eb);
            if (have_gb)
                printf("; GB: %.4g S/cm, Ea %.4g eV, d = %g um, delta = %g nm", sg, eg, d_um, t_nm);
            printf(" (at %g C, form %s)\n", tref, form == SSB_SE_ARRH_SIGMA_T ? "sigma*T" : "sigma");
        } else {
            cli_json_add_number(root, "T_ref_C", tref);
            cJSON_AddStringToObject(root, "form", form == SSB_SE_ARRH_SIGMA_T ? "sigmaT" : "sigma");
            cli_json_print(root);
        }
    }
    ssb_materials_destroy(&db);
    return 0;
fail : {
    int code = cli_fail(env, r);
    ssb_materials_destroy(&db);
    return code;
}
}

/* ================================================================ spacecharge */

enum { SC_MODEL, SC_EPS, SC_TC, SC_Z, SC_C, SC_FRAC, SC_CLI, SC_MAT, SC_PHI0, SC_RATIO, SC_BRANCH, SC_SB, SC_COUNT };
static const cli_opt sc_opts[SC_COUNT] = {
    [SC_MODEL] = {"--model", NULL, CLI_OPT_CHOICE, "M", NULL, 0, 0, "Mott-Schottky or Gouy-Chapman (default ms)", "ms,gc"},
    [SC_EPS] = {"--eps-r", NULL, CLI_OPT_DOUBLE, "E", NULL, UNB, "relative permittivity (required)", NULL},
    [SC_TC] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "temperature (default 25)", NULL},
    [SC_Z] = {"--z", NULL, CLI_OPT_DOUBLE, "Z", NULL, UNB, "charge number of the carrier (default 1)", NULL},
    [SC_C] = {"--c-inf-per-m3", NULL, CLI_OPT_DOUBLE, "C", "1/m3", UNB, "mobile-carrier concentration, or", NULL},
    [SC_FRAC] = {"--site-fraction", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 1,
                 "fraction of the Li sites that are mobile carriers, with --c-li-mol-m3 or --material", NULL},
    [SC_CLI] = {"--c-li-mol-m3", NULL, CLI_OPT_DOUBLE, "C", "mol/m3", UNB, "Li site concentration c_Li", NULL},
    [SC_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "c_Li and sigma_bulk from the database", NULL},
    [SC_PHI0] = {"--phi0-V", NULL, CLI_OPT_DOUBLE, "P", "V", UNB, "core potential, or", NULL},
    [SC_RATIO] = {"--ratio", NULL, CLI_OPT_DOUBLE, "R", NULL, UNB, "GB/bulk resistivity ratio -> Phi0", NULL},
    [SC_BRANCH] = {"--branch", NULL, CLI_OPT_CHOICE, "B", NULL, 0, 0,
                   "Lambert W branch for --ratio (default physical = W_-1, y > 1)", "physical,w0"},
    [SC_SB] = {"--sigma-bulk-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB,
               "bulk conductivity for the GB resistance (or from --material at T)", NULL},
};

static void spacecharge_help(void)
{
    printf(
        "usage: ssbnet se spacecharge [options] [--json]\n\n"
        "Li+ depletion at a GB core (FORMULAS-interfaces.md 2.2): Debye length lambda = sqrt(eps kT/(2 z^2 e^2 c)),\n"
        "Mott-Schottky (immobile dopants): width 2 lambda sqrt(y), r = e^y/(2y) with y = z e Phi0/kT, inverted with\n"
        "the Lambert W function (physical branch W_-1); Gouy-Chapman (all mobile): r = e^(y/2) over 2 lambda per "
        "layer.\n\n"
        "options:\n");
    cli_opts_help(stdout, sc_opts, SC_COUNT);
    printf("\n"
        "example:\n"
        "  ssbnet se spacecharge --material LLZO --site-fraction 1e-4 --eps-r 50 --phi0-V 0.2\n");
}

static int cmd_spacecharge(cli_env *env, int argc, char **argv)
{
    double eps = NAN, T_C = 25, z = 1, c = NAN, frac = NAN, cli_ = NAN, phi0 = NAN, ratio = NAN, sb = NAN;
    const char *model_s = "ms", *branch_s = "physical", *mat = NULL;
    void *const vars[SC_COUNT] = {[SC_MODEL] = &model_s, [SC_EPS] = &eps,     [SC_TC] = &T_C,     [SC_Z] = &z,
                                  [SC_C] = &c,           [SC_FRAC] = &frac,   [SC_CLI] = &cli_,   [SC_MAT] = &mat,
                                  [SC_PHI0] = &phi0,     [SC_RATIO] = &ratio, [SC_BRANCH] = &branch_s, [SC_SB] = &sb};
    cli_optval val[SC_COUNT];
    int r = se_parse(env, "spacecharge", sc_opts, SC_COUNT, vars, val, argc, argv, spacecharge_help);
    if (r)
        return r < 0 ? 0 : r;
    /* one source per quantity: the second one was ignored without a word (--phi0-V with --ratio used the ratio) */
    if (!isnan(phi0) && !isnan(ratio))
        return cli_usage_error(env, "se spacecharge: give either --phi0-V or --ratio (the core potential or the "
                                    "resistivity ratio it is computed from), not both");
    if (!isnan(c) && !isnan(frac))
        return cli_usage_error(env, "se spacecharge: give either --c-inf-per-m3 or --site-fraction (with "
                                    "--c-li-mol-m3 or --material), not both");
    ssb_se_scl_params p = ssb_se_scl_params_default();
    if (strcasecmp(model_s, "ms") == 0)
        p.model = SSB_SE_MOTT_SCHOTTKY;
    else if (strcasecmp(model_s, "gc") == 0)
        p.model = SSB_SE_GOUY_CHAPMAN;
    else
        return cli_usage_error(env, "se spacecharge: --model '%s' must be ms or gc", model_s);
    ssb_se_branch br;
    if (strcasecmp(branch_s, "physical") == 0)
        br = SSB_SE_BRANCH_PHYSICAL;
    else if (strcasecmp(branch_s, "w0") == 0)
        br = SSB_SE_BRANCH_W0;
    else
        return cli_usage_error(env, "se spacecharge: --branch '%s' must be physical or w0", branch_s);
    ssb_materials *db = NULL;
    if (mat) {
        int code;
        const ssb_material *m = material_lookup(env, mat, &db, &code);
        if (!m)
            return code;
        if (isnan(cli_) && !isnan(frac)) {
            if ((r = ssb_materials_get_si(env->ctx, m, "c_Li", &cli_)) != SSB_OK) {
                code = cli_fail(env, r);
                ssb_materials_destroy(&db);
                return code;
            }
        }
        if (isnan(sb)) {
            double v;
            if (ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_BULK, T_C + 273.15, &v, NULL) == SSB_OK ||
                ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_TOTAL, T_C + 273.15, &v, NULL) == SSB_OK)
                sb = v / S_CM;
            ssb_ctx_clear_error(env->ctx);
        }
        ssb_materials_destroy(&db);
    }
    if (isnan(c)) {
        if (isnan(frac) || isnan(cli_))
            return cli_usage_error(env, "se spacecharge: give --c-inf-per-m3, or --site-fraction with --c-li-mol-m3 "
                                        "or --material");
        c = frac * cli_ * NA_AVOGADRO;
    }
    p.eps_r = eps;
    p.T = T_C + 273.15;
    p.z = z;
    p.c_inf = c;
    p.sigma_bulk = isnan(sb) ? NAN : sb * S_CM;
    if (!isnan(ratio)) {
        r = ssb_se_scl_potential(env->ctx, &p, ratio, br, &phi0);
        if (r != SSB_OK)
            return cli_fail(env, r);
    }
    if (isnan(phi0))
        return cli_usage_error(env, "se spacecharge: give --phi0-V or --ratio");
    p.phi0 = phi0;
    ssb_se_scl_result q;
    r = ssb_se_scl_solve(env->ctx, &p, &q);
    if (r != SSB_OK)
        return cli_fail(env, r);
    kv_out o;
    kv_begin(env, &o);
    kv_add(&o, "Phi0 [V]", "phi0_V", phi0);
    kv_add(&o, "y = z e Phi0/kT [-]", "y", q.y);
    kv_add(&o, "carrier concentration [1/m3]", "c_inf_per_m3", c);
    kv_add(&o, "Debye length [nm]", "debye_length_nm", q.debye_length * 1e9);
    kv_add(&o, p.model == SSB_SE_MOTT_SCHOTTKY ? "depletion width lambda* [nm]" : "decay length [nm]", "width_nm",
           q.width * 1e9);
    kv_add(&o, "r_perp (GB/bulk resistivity) [-]", "r_perp", q.r_perp);
    kv_add(&o, "r_perp exact average [-]", "r_perp_exact", q.r_perp_exact);
    kv_add(&o, "GB electrical thickness [nm]", "gb_thickness_nm", q.gb_thickness * 1e9);
    kv_add(&o, "C_gb per area [uF/cm2]", "C_gb_uF_per_cm2", q.C_gb_area * 1e2);
    kv_add(&o, "Ea(GB) - Ea(bulk) at constant Phi0 [eV]", "dEa_eV", q.dEa);
    kv_add(&o, "sigma_gb specific [S/cm]", "sigma_gb_specific_S_per_cm", q.sigma_gb_specific / S_CM);
    kv_add(&o, "ASR of one GB [ohm cm2]", "asr_gb_ohm_cm2", q.asr_gb * 1e4);
    kv_add(&o, "excess ASR of one GB [ohm cm2]", "asr_excess_ohm_cm2", q.asr_excess * 1e4);
    kv_end(&o);
    return 0;
}

/* ================================================================ leakage */

enum { LK_L, LK_A, LK_V, LK_SE, LK_SEG, LK_D, LK_T, LK_SI, LK_SIG, LK_MAT, LK_CAP, LK_J, LK_ETA, LK_COUNT };
static const cli_opt leak_opts[LK_COUNT] = {
    [LK_L] = {"--thickness-um", NULL, CLI_OPT_DOUBLE, "L", "um", UNB, "separator thickness (required)", NULL},
    [LK_A] = {"--area-cm2", NULL, CLI_OPT_DOUBLE, "A", "cm2", UNB, "area (default 1)", NULL},
    [LK_V] = {"--voltage-V", NULL, CLI_OPT_DOUBLE, "V", "V", UNB, "cell voltage across the separator (required)", NULL},
    [LK_SE] = {"--sigma-el-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "bulk electronic conductivity", NULL},
    [LK_SEG] = {"--sigma-el-gb-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "along GBs (default = bulk)", NULL},
    [LK_D] = {"--grain-size-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "GB geometry (default: no GBs)", NULL},
    [LK_T] = {"--gb-thickness-nm", NULL, CLI_OPT_DOUBLE, "T", "nm", UNB, "GB thickness", NULL},
    [LK_SI] = {"--sigma-ion-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "ionic conductivity of the bulk path", NULL},
    [LK_SIG] = {"--sigma-ion-gb-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "of the GB path", NULL},
    [LK_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "sigma_el and sigma_ion from the database when not given",
                NULL},
    [LK_CAP] = {"--capacity-mAh", NULL, CLI_OPT_DOUBLE, "Q", "mAh", UNB, "cell capacity for the self-discharge rate", NULL},
    [LK_J] = {"--current-mA-cm2", NULL, CLI_OPT_DOUBLE, "J", "mA/cm2", UNB, "plating current density (default 1)", NULL},
    [LK_ETA] = {"--overpotential-mV", NULL, CLI_OPT_DOUBLE, "E", "mV", UNB, "plating overpotential (default 10)", NULL},
};

static void leakage_help(void)
{
    printf(
        "usage: ssbnet se leakage [options] [--json]\n\n"
        "Electronic leakage of an SE separator (brick layer for the electrons, i = sigma_e,eff V/L) and self-\n"
        "discharge; and where Li+ can be reduced inside the separator during plating (E(x) <= 0 V vs Li) along the\n"
        "bulk and along the GBs, for a path that conducts electrons to both electrodes or only to the Li anode\n"
        "(FORMULAS-interfaces.md 2.4).\n\n"
        "options:\n");
    cli_opts_help(stdout, leak_opts, LK_COUNT);
    printf("\n"
        "example:\n"
        "  ssbnet se leakage --material LLZTO --thickness-um 50 --voltage-V 4.2 --grain-size-um 5 \\\n"
        "        --gb-thickness-nm 2 --sigma-el-gb-S-cm 1e-5 --capacity-mAh 3\n");
}

static int cmd_leakage(cli_env *env, int argc, char **argv)
{
    double L_um = NAN, A_cm2 = 1, V = NAN, se_b = NAN, se_g = NAN, d_um = NAN, t_nm = 0, si_b = NAN, si_g = NAN;
    double cap = NAN, j = 1, eta_mV = 10;
    const char *mat = NULL;
    void *const vars[LK_COUNT] = {[LK_L] = &L_um,  [LK_A] = &A_cm2, [LK_V] = &V,       [LK_SE] = &se_b, [LK_SEG] = &se_g,
                                  [LK_D] = &d_um,  [LK_T] = &t_nm,  [LK_SI] = &si_b,   [LK_SIG] = &si_g, [LK_MAT] = &mat,
                                  [LK_CAP] = &cap, [LK_J] = &j,     [LK_ETA] = &eta_mV};
    cli_optval val[LK_COUNT];
    int r = se_parse(env, "leakage", leak_opts, LK_COUNT, vars, val, argc, argv, leakage_help);
    if (r)
        return r < 0 ? 0 : r;
    /* the GB geometry takes both numbers (--grain-size-um alone silently meant no GBs; --gb-thickness-nm alone
       failed with 'grain_size = nan m') */
    int has_d = seen(leak_opts, LK_COUNT, val, "--grain-size-um"), has_t = seen(leak_opts, LK_COUNT, val, "--gb-thickness-nm");
    if (has_d != has_t)
        return cli_usage_error(env, "se leakage: the GB geometry needs both --grain-size-um and --gb-thickness-nm (%s "
                                    "given alone)",
                               has_d ? "--grain-size-um" : "--gb-thickness-nm");
    for (int k = 0; k < 2 && !has_d; k++) {
        const char *gb_opt = k ? "--sigma-ion-gb-S-cm" : "--sigma-el-gb-S-cm";
        if (seen(leak_opts, LK_COUNT, val, gb_opt))
            return cli_usage_error(env, "se leakage: %s needs the GB geometry (--grain-size-um and --gb-thickness-nm)",
                                   gb_opt);
    }
    if (mat) {
        ssb_materials *db = NULL;
        int code;
        const ssb_material *m = material_lookup(env, mat, &db, &code);
        if (!m)
            return code;
        if (isnan(se_b)) {
            if ((r = ssb_materials_get_si(env->ctx, m, "sigma_el", &se_b)) != SSB_OK) {
                code = cli_fail(env, r);
                fprintf(stderr, "ssbnet: hint: give --sigma-el-S-cm\n");
                ssb_materials_destroy(&db);
                return code;
            }
            se_b /= S_CM;
        }
        if (isnan(si_b)) {
            double v;
            if (ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_TOTAL, 298.15, &v, NULL) == SSB_OK ||
                ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_BULK, 298.15, &v, NULL) == SSB_OK)
                si_b = v / S_CM;
            ssb_ctx_clear_error(env->ctx);
        }
        if (isnan(si_g)) {
            double v;
            if (ssb_materials_sigma_ion(env->ctx, m, SSB_SIGMA_GB, 298.15, &v, NULL) == SSB_OK)
                si_g = v / S_CM;
            ssb_ctx_clear_error(env->ctx);
        }
        ssb_materials_destroy(&db);
    }
    ssb_se_leakage_params p = ssb_se_leakage_params_default();
    p.thickness = L_um * 1e-6;
    p.area = A_cm2 * 1e-4;
    p.grain_size = d_um * 1e-6;
    p.gb_thickness = t_nm * 1e-9;
    p.sigma_el_bulk = se_b * S_CM;
    p.sigma_el_gb = isnan(se_g) ? NAN : se_g * S_CM;
    p.sigma_ion = isnan(si_b) ? NAN : si_b * S_CM;
    p.voltage = V;
    p.capacity = isnan(cap) ? NAN : cap * 3.6;
    ssb_se_leakage_result q;
    r = ssb_se_leakage_solve(env->ctx, &p, &q);
    if (r != SSB_OK)
        return cli_fail(env, r);
    /* dendrite indicator along the bulk path and the GB path */
    ssb_se_dendrite_result dr[2][2];
    int have[2] = {0, 0};
    const char *path_name[2] = {"bulk", "GB"};
    double sig_i[2] = {si_b, isnan(si_g) ? si_b : si_g};
    double sig_e[2] = {se_b, isnan(se_g) ? se_b : se_g};
    for (int k = 0; k < 2; k++) {
        if (isnan(sig_i[k]) || (k == 1 && !(t_nm > 0)))
            continue;
        for (int c = 0; c < 2; c++) {
            ssb_se_dendrite_params dp = ssb_se_dendrite_params_default();
            dp.thickness = L_um * 1e-6;
            dp.sigma_ion = sig_i[k] * S_CM;
            dp.sigma_el = sig_e[k] * S_CM;
            dp.current_density = j * 10.0;
            dp.cell_voltage = V;
            dp.overpotential = eta_mV * 1e-3;
            dp.contact = c == 0 ? SSB_SE_EPATH_BOTH : SSB_SE_EPATH_ANODE_ONLY;
            r = ssb_se_dendrite_solve(env->ctx, &dp, &dr[k][c], 0, NULL);
            if (r != SSB_OK)
                return cli_fail(env, r);
        }
        have[k] = 1;
    }
    if (env->json) {
        cJSON *o = cJSON_CreateObject();
        cli_json_add_number(o, "sigma_el_eff_S_per_cm", q.sigma_el_eff / S_CM);
        cli_json_add_number(o, "leakage_current_A", q.current);
        cli_json_add_number(o, "leakage_current_density_A_per_m2", q.current_density);
        cli_json_add_number(o, "electronic_resistance_ohm", q.resistance);
        cli_json_add_number(o, "gb_current_fraction", q.gb_current_fraction);
        cli_json_add_number(o, "t_el", q.t_el);
        cli_json_add_number(o, "self_discharge_percent_per_day", 100 * q.self_discharge_per_day);
        cli_json_add_number(o, "time_to_empty_days", q.time_to_empty / 86400.0);
        cJSON *arr = cJSON_AddArrayToObject(o, "li_reduction");
        for (int k = 0; k < 2; k++)
            for (int c = 0; have[k] && c < 2; c++) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "path", path_name[k]);
                cJSON_AddStringToObject(e, "electronic_contact", c == 0 ? "both" : "anode_only");
                cli_json_add_number(e, "x_risk_um", dr[k][c].x_risk * 1e6);
                cli_json_add_number(e, "risk_fraction", dr[k][c].risk_fraction);
                cli_json_add_number(e, "E_min_V", dr[k][c].E_min);
                cli_json_add_number(e, "E_end_V", dr[k][c].E_end);
                cli_json_add_number(e, "li0_rate_bound_mol_per_m2_s", dr[k][c].li0_rate_bound);
                cJSON_AddItemToArray(arr, e);
            }
        cli_json_print(o);
        return 0;
    }
    kv_out o;
    kv_begin(env, &o);
    kv_add(&o, "sigma_el effective [S/cm]", "sigma_el_eff_S_per_cm", q.sigma_el_eff / S_CM);
    kv_add(&o, "electronic resistance [ohm]", "electronic_resistance_ohm", q.resistance);
    kv_add(&o, "leakage current [A]", "leakage_current_A", q.current);
    kv_add(&o, "leakage current density [uA/cm2]", "leakage_uA_per_cm2", q.current_density * 100.0);
    kv_add(&o, "share along GBs [%]", "gb_current_percent", 100 * q.gb_current_fraction);
    kv_add(&o, "electronic transference number [-]", "t_el", q.t_el);
    kv_add(&o, "self-discharge [%/day]", "self_discharge_percent_per_day", 100 * q.self_discharge_per_day);
    kv_add(&o, "time to empty [days]", "time_to_empty_days", q.time_to_empty / 86400.0);
    kv_end(&o);
    if (have[0] || have[1]) {
        printf("\nwhere Li+ can be reduced during plating at %g mA/cm2 (E(x) <= 0 V vs Li; eta = %g mV):\n", j, eta_mV);
        static const char *const hdr[] = {"path",
                                          "electronic contact",
                                          "Li0 possible to [um]",
                                          "of thickness [%]",
                                          "E_min [V vs Li]",
                                          "E at cathode side [V vs Li]",
                                          "Li0 rate bound [mol/m2/s]"};
        cli_table *t = cli_table_create(7, hdr);
        for (int k = 0; k < 2; k++)
            for (int c = 0; have[k] && c < 2; c++) {
                const char *cells[] = {path_name[k],
                                       c == 0 ? "both electrodes" : "anode only",
                                       cli_fmt(dr[k][c].x_risk * 1e6),
                                       cli_fmt(100 * dr[k][c].risk_fraction),
                                       cli_fmt(dr[k][c].E_min),
                                       cli_fmt(dr[k][c].E_end),
                                       cli_fmt(dr[k][c].li0_rate_bound)};
                cli_table_add_row(t, cells);
            }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        printf("'anode only': an electronically conducting path attached to the Li metal but not to the cathode "
               "(e.g. a GB network): Li0 can form all along it.\n");
    }
    return 0;
}

/* ================================================================ dispatch */

int cmd_se(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        se_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "brick") == 0)
        return cmd_brick(env, argc, argv);
    if (strcmp(argv[1], "arrhenius") == 0)
        return cmd_arrhenius(env, argc, argv);
    if (strcmp(argv[1], "spacecharge") == 0)
        return cmd_spacecharge(env, argc, argv);
    if (strcmp(argv[1], "leakage") == 0)
        return cmd_leakage(env, argc, argv);
    if (strcmp(argv[1], "polycrystal") == 0)
        return se_polycrystal(env, argc, argv);
    return cli_usage_error(env, "se: unknown subcommand '%s' (brick, arrhenius, spacecharge, leakage, polycrystal)",
                           argv[1]);
}

/* ================================================================ polycrystal */

enum { P_D, P_T, P_SB, P_SG, P_MAT, P_TC, P_DD, P_RATIO, P_GEO, P_VOX, P_KGB, P_REAL, P_SEED, P_AXIS, P_COUNT };
static const cli_opt poly_opts[P_COUNT] = {
    [P_D] = {"--grain-size-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "mean grain size (equivalent-sphere diameter)",
             NULL},
    [P_T] = {"--gb-thickness-nm", NULL, CLI_OPT_DOUBLE, "T", "nm", UNB, "GB thickness", NULL},
    [P_SB] = {"--sigma-bulk-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "grain conductivity", NULL},
    [P_SG] = {"--sigma-gb-S-cm", NULL, CLI_OPT_DOUBLE, "S", "S/cm", UNB, "GB-phase conductivity (isotropic)", NULL},
    [P_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0,
               "bulk and GB conductivities from the database at --temperature-C", NULL},
    [P_TC] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", ABOVE_0K, "temperature for --material (default 25)", NULL},
    [P_DD] = {"--d-over-delta", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
              "sweep grain size / GB thickness, e.g. 5,10,20 (grain size = value x T)", NULL},
    [P_RATIO] = {"--ratio", NULL, CLI_OPT_STRING, "LIST", NULL, 0, 0,
                 "sweep sigma_bulk / sigma_gb, e.g. 0.1,1,10,100,1000 (sigma_gb = S / value)", NULL},
    [P_GEO] = {"--geometry", NULL, CLI_OPT_CHOICE, "G", NULL, 0, 0, "grain geometry (default voronoi)", "voronoi,cubic"},
    [P_VOX] = {"--voxels", NULL, CLI_OPT_INT, "N", "voxels", 0, 2048,
               "per box edge, 8 to 2048 (default 0: 3 grains per edge, at most 256)", NULL},
    [P_KGB] = {"--voxels-per-gb", NULL, CLI_OPT_DOUBLE, "K", "voxels", UNB, "voxels across the GB thickness (default 2)",
               NULL},
    [P_REAL] = {"--realisations", NULL, CLI_OPT_INT, "R", NULL, 1, 1000, "Voronoi seeds averaged (default 1)", NULL},
    [P_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, 0, 9.007199254740992e15, "random seed (default 1)", NULL},
    [P_AXIS] = {"--axis", NULL, CLI_OPT_CHOICE, "AXIS", NULL, 0, 0, "transport direction (default z)", "x,y,z"},
};

static void polycrystal_help(void)
{
    printf(
        "usage: ssbnet se polycrystal [options] [--json]\n\n"
        "Generate a 3D polycrystal (Voronoi grains with a GB phase, or the brick layer itself voxelised), solve its\n"
        "effective conductivity with the transport engine and compare it with the brick-layer model: nominal (the\n"
        "grain size and GB thickness as given) and matched (the brick layer with the same GB volume fraction).\n"
        "err = (sigma_BLM - sigma_3D) / sigma_3D. Lists after --d-over-delta and --ratio sweep the model.\n\n"
        "options:\n");
    cli_opts_help(stdout, poly_opts, P_COUNT);
    printf("\n"
        "example:\n"
        "  ssbnet se polycrystal --gb-thickness-nm 100 --sigma-bulk-S-cm 1e-3 --d-over-delta 5,10,20 --ratio "
        "1,10,100\n");
}

static int parse_list(cli_env *env, const char *opt, const char *s, double *v, int nmax, int *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        if (*n == nmax)
            return cli_usage_error(env, "%s: at most %d values", opt, nmax);
        char *end;
        double x = strtod(p, &end);
        if (end == p || !isfinite(x) || x <= 0)
            return cli_usage_error(env, "%s: bad value at '%s' (positive numbers)", opt, p);
        v[(*n)++] = x;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return cli_usage_error(env, "%s: unexpected '%c'", opt, *p);
    }
    if (*n == 0)
        return cli_usage_error(env, "%s: empty list", opt);
    return 0;
}

static int se_polycrystal(cli_env *env, int argc, char **argv)
{
    double d_um = NAN, t_nm = NAN, sb = NAN, sg = NAN, T_C = 25, nvox = 0, kgb = 2, real = 1, seed = 1;
    const char *mat = NULL, *geo_s = "voronoi", *dd_s = NULL, *ratio_s = NULL, *axis_s = "z";
    void *const vars[P_COUNT] = {[P_D] = &d_um,    [P_T] = &t_nm,      [P_SB] = &sb,      [P_SG] = &sg,
                                 [P_MAT] = &mat,   [P_TC] = &T_C,      [P_DD] = &dd_s,    [P_RATIO] = &ratio_s,
                                 [P_GEO] = &geo_s, [P_VOX] = &nvox,    [P_KGB] = &kgb,    [P_REAL] = &real,
                                 [P_SEED] = &seed, [P_AXIS] = &axis_s};
    cli_optval val[P_COUNT];
    int r = se_parse(env, "polycrystal", poly_opts, P_COUNT, vars, val, argc, argv, polycrystal_help);
    if (r)
        return r < 0 ? 0 : r;
    ssb_se_poly_geometry geo;
    if (strcasecmp(geo_s, "voronoi") == 0)
        geo = SSB_SE_POLY_VORONOI;
    else if (strcasecmp(geo_s, "cubic") == 0)
        geo = SSB_SE_POLY_CUBIC;
    else
        return cli_usage_error(env, "se polycrystal: --geometry '%s' must be voronoi or cubic", geo_s);
    ssb_axis axis;
    char axis_lc[2] = {(char)tolower((unsigned char)axis_s[0]), '\0'};
    if (ssb_axis_parse(env->ctx, axis_lc, &axis) != SSB_OK)
        return cli_fail(env, SSB_ERR_ARG);
    if (!(real >= 1 && real <= 1000 && real == floor(real)))
        return cli_usage_error(env, "se polycrystal: --realisations %g must be an integer in [1, 1000]", real);
    if (!(seed >= 0 && seed == floor(seed)))
        return cli_usage_error(env, "se polycrystal: --seed must be an integer >= 0");
    if (!(nvox == 0 || (nvox >= 8 && nvox <= 2048 && nvox == floor(nvox))))
        return cli_usage_error(env, "se polycrystal: --voxels %g must be an integer in [8, 2048]", nvox);
    if (mat) {
        ssb_materials *db = NULL;
        int code;
        const ssb_material *m = material_lookup(env, mat, &db, &code);
        if (!m)
            return code;
        double v;
        if (isnan(sb)) {
            if ((r = material_sigma(env, m, SSB_SIGMA_BULK, T_C + 273.15, &v))) {
                ssb_materials_destroy(&db);
                return r;
            }
            sb = v / S_CM;
        }
        if (isnan(sg) && !ratio_s) {
            if ((r = material_sigma(env, m, SSB_SIGMA_GB, T_C + 273.15, &v))) {
                ssb_materials_destroy(&db);
                return r;
            }
            sg = v / S_CM;
        }
        ssb_materials_destroy(&db);
    }
    double dds[16], ratios[16];
    int ndd = 1, nrat = 1;
    if (dd_s) {
        if ((r = parse_list(env, "--d-over-delta", dd_s, dds, 16, &ndd)))
            return r;
        if (isnan(t_nm))
            return cli_usage_error(env, "se polycrystal: --d-over-delta needs --gb-thickness-nm");
    } else {
        if (isnan(d_um) || isnan(t_nm))
            return cli_usage_error(env,
                                   "se polycrystal: give --grain-size-um and --gb-thickness-nm (or --d-over-delta)");
        dds[0] = d_um * 1e3 / t_nm;
    }
    if (ratio_s) {
        if ((r = parse_list(env, "--ratio", ratio_s, ratios, 16, &nrat)))
            return r;
        if (isnan(sb))
            return cli_usage_error(env, "se polycrystal: --ratio needs --sigma-bulk-S-cm (or --material)");
    } else {
        if (isnan(sb) || isnan(sg))
            return cli_usage_error(env, "se polycrystal: give --sigma-bulk-S-cm and --sigma-gb-S-cm (or --material)");
        ratios[0] = sb / sg;
    }
    static const char *const hdr[] = {
        "d/delta [-]",     "sigma_b/sigma_gb [-]",     "voxels [-]",     "grains/edge [-]",
        "GB fraction [%]", "sigma_3D [S/cm]",          "sd [S/cm]",      "sigma_BLM [S/cm]",
        "err BLM [%]",     "sigma_BLM,matched [S/cm]", "err matched [%]"};
    cli_table *t = env->json ? NULL : cli_table_create(11, hdr);
    cJSON *root = env->json ? cJSON_CreateObject() : NULL, *arr = root ? cJSON_AddArrayToObject(root, "points") : NULL;
    for (int a = 0; a < ndd; a++)
        for (int b = 0; b < nrat; b++) {
            ssb_se_polycrystal_params p = ssb_se_polycrystal_params_default();
            p.geometry = geo;
            p.gb_thickness = t_nm * 1e-9;
            p.grain_size = dds[a] * p.gb_thickness;
            p.sigma_bulk = sb * S_CM;
            p.sigma_gb = sb * S_CM / ratios[b];
            p.vox_per_gb = kgb;
            p.axis = axis;
            p.seed = (uint64_t)seed;
            p.realisations = (int)real;
            if (nvox > 0) {
                p.n = (int64_t)nvox;
            } else {
                double n = ceil(3.0 * dds[a] * kgb);
                if (n > 256) {
                    if (t)
                        cli_table_destroy(&t);
                    cJSON_Delete(root);
                    /* a size beyond the automatic limit is out of range (exit 7), not a usage error */
                    (void)cli_usage_error(env,
                                          "se polycrystal: 3 grains of d/delta = %g at %g voxels per GB need %g "
                                          "voxels per edge, out of range (automatic limit 256); give --voxels "
                                          "(8 .. 2048) or fewer --voxels-per-gb",
                                          dds[a], kgb, n);
                    return CLI_EXIT_RANGE;
                }
                p.n = (int64_t)(n < 8 ? 8 : n);
            }
            ssb_se_polycrystal_result q;
            int rc = ssb_se_polycrystal_solve(env->ctx, &p, &q);
            cli_progress_done();
            if (rc != SSB_OK) {
                if (t)
                    cli_table_destroy(&t);
                cJSON_Delete(root);
                return cli_fail(env, rc);
            }
            if (t) {
                char nv[32];
                snprintf(nv, sizeof nv, "%lld^3", (long long)p.n);
                const char *cells[] = {cli_fmt(dds[a]),
                                       cli_fmt(ratios[b]),
                                       nv,
                                       cli_fmt(q.grains_per_edge),
                                       cli_fmt(100 * q.gb_fraction),
                                       cli_fmt(q.sigma_3d / S_CM),
                                       cli_fmt(q.sigma_3d_sd / S_CM),
                                       cli_fmt(q.sigma_blm / S_CM),
                                       cli_fmt(100 * q.err_blm),
                                       cli_fmt(q.sigma_blm_matched / S_CM),
                                       cli_fmt(100 * q.err_blm_matched)};
                cli_table_add_row(t, cells);
            } else {
                cJSON *o = cJSON_CreateObject();
                cli_json_add_number(o, "d_over_delta", dds[a]);
                cli_json_add_number(o, "sigma_ratio", ratios[b]);
                cli_json_add_number(o, "grain_size_um", p.grain_size * 1e6);
                cli_json_add_number(o, "gb_thickness_nm", p.gb_thickness * 1e9);
                cli_json_add_number(o, "voxels_per_edge", (double)p.n);
                cli_json_add_number(o, "voxel_size_nm", q.voxel_size * 1e9);
                cli_json_add_number(o, "grains_per_edge", q.grains_per_edge);
                cli_json_add_number(o, "gb_fraction", q.gb_fraction);
                cli_json_add_number(o, "sigma_3d_S_per_cm", q.sigma_3d / S_CM);
                cli_json_add_number(o, "sigma_3d_sd_S_per_cm", q.sigma_3d_sd / S_CM);
                cli_json_add_number(o, "sigma_blm_S_per_cm", q.sigma_blm / S_CM);
                cli_json_add_number(o, "err_blm", q.err_blm);
                cli_json_add_number(o, "sigma_blm_matched_S_per_cm", q.sigma_blm_matched / S_CM);
                cli_json_add_number(o, "err_blm_matched", q.err_blm_matched);
                cJSON_AddBoolToObject(o, "converged", q.converged);
                cJSON_AddItemToArray(arr, o);
            }
        }
    if (t) {
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        printf("geometry %s, GB thickness %g nm, %g voxels per GB, %d realisation(s), seed %g\n", geo_s, t_nm, kgb,
               (int)real, seed);
    } else {
        cJSON_AddStringToObject(root, "geometry", geo_s);
        cli_json_print(root);
    }
    return 0;
}
