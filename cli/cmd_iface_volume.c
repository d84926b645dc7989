/* ssbnet iface volume: volume change of the active material applied to a voxel image (ssb_mech_volume_change),
 * re-analysed step by step (active CAM, CAM|SE area, percolation: ssb_micro_cam_compute) with the effective ionic
 * and electronic conductivities (ssb_transport_solve). Dispatched from cmd_iface.c. */
#include "cli.h"
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_opts.h"
#include "cli_report.h"

#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cmd_iface_volume(cli_env *env, int argc, char **argv);
int cli_mech_load(cli_env *env, ssb_materials **mdb, ssb_mech_db **db); /* cmd_iface_mech.c */

enum { V_DV, V_SOC, V_MAT, V_CAM, V_GAP, V_AXIS, V_NOTR, V_TEMP, V_COUNT };
static const cli_opt volume_opts[V_COUNT] = {
    [V_DV] = {"--dv-percent", NULL, CLI_OPT_LIST, "D[,D...]", "%", -99, 200,
              "CAM volume changes relative to the image (negative: shrinkage)", NULL},
    [V_SOC] = {"--soc", NULL, CLI_OPT_LIST, "S[,S...]", NULL, 0, 1,
               "states of charge of the CAM; dV/V from its curve in data/iface/mechanics.json (image at soc 0)", NULL},
    [V_MAT] = {"--material", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0,
               "material of the volume-change curve (default: the CAM phase's material or name)", NULL},
    [V_CAM] = {"--cam", NULL, CLI_OPT_INT, "LABEL", NULL, 0, 255,
               "label of the CAM phase (default: the one phase of role active)", NULL},
    [V_GAP] = {"--gap-label", NULL, CLI_OPT_INT, "LABEL", NULL, 0, 255,
               "label of the opened gap (role pore; default: the highest label without a phase)", NULL},
    [V_AXIS] = {"--axis", NULL, CLI_OPT_CHOICE, "x|y|z", NULL, 0, 0, "transport axis (default z, CC at the low side)",
                "x,y,z"},
    [V_NOTR] = {"--no-transport", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0,
                "skip the effective conductivities (analysis only)", NULL},
    [V_TEMP] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 500,
                "temperature of the database conductivities (default 25)", NULL},
};

static void volume_help(void)
{
    printf("usage: ssbnet iface volume IMAGE (--dv-percent D[,D...] | --soc S[,S...] [--material NAME])\n"
           "                           [--cam LABEL] [--gap-label LABEL] [--axis z] [--no-transport] [--json]\n"
           "                           [image options]\n\n"
           "Applies a volume change of the cathode active material (CAM) to a segmented image: every CAM particle\n"
           "shrinks (or grows) by the same depth from an exact Euclidean distance transform, exactly round(|dV|\n"
           "n_CAM) voxels, always from the original image (dV = 0 gives it back unchanged); shrinkage leaves gap\n"
           "voxels of role pore between CAM and SE. --soc takes dV/V from the material's curve (data/iface/\n"
           "mechanics.json: NCM811 after de Biasi et al. 2017, about -5 %% at 85 %% delithiation; Si +280 %% at\n"
           "Li15Si4, Obrovac & Krause 2007), the image being the discharged state (soc 0). Per step: the active\n"
           "CAM fraction, the CAM|SE areas, the networks' percolation (as 'micro analyze') and the effective ionic\n"
           "and electronic conductivities along --axis (as 'micro transport'). Phase conductivities come from\n"
           "the materials database by phase name (as 'run').\n\n"
           "options:\n");
    cli_opts_help(stdout, volume_opts, V_COUNT);
    cli_image_help(stdout);
    printf("\nexample:\n  ssbnet iface volume cathode.tif --soc 0,0.5,0.7,0.85 --json\n");
}

typedef struct {
    double soc, dv_req, dv;
    ssb_micro_cam_result cam;
    ssb_transport_result ion, el;
    int solved;
    int shared_ion, shared_el; /* the result is the original image's (same field): not owned */
} vstep;

static int pick_cam(cli_env *env, const ssb_grid *g, const cli_optval *val, const ssb_phase **cam)
{
    *cam = NULL;
    if (val[V_CAM].given) {
        const ssb_phase *p = ssb_grid_find_phase(g, (uint8_t)val[V_CAM].num);
        if (!p || p->role != SSB_ROLE_ACTIVE) {
            fprintf(stderr, "ssbnet: error: option --cam: label %d is not a phase of role active\n",
                    (int)val[V_CAM].num);
            return CLI_EXIT_NOTFOUND;
        }
        *cam = p;
        return 0;
    }
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *p = ssb_grid_get_phase(g, i);
        if (p->role != SSB_ROLE_ACTIVE)
            continue;
        if (*cam)
            return cli_usage_error(env, "iface volume: the image has several active phases; choose one with --cam");
        *cam = p;
    }
    if (!*cam) {
        fprintf(stderr, "ssbnet: error: iface volume: the image has no phase of role active (CAM)\n");
        return CLI_EXIT_NOTFOUND;
    }
    return 0;
}

static int pick_gap(cli_env *env, const ssb_grid *g, const cli_optval *val, uint8_t *gap)
{
    if (val[V_GAP].given) {
        *gap = (uint8_t)val[V_GAP].num;
        return 0;
    }
    for (int l = 255; l >= 0; l--)
        if (!ssb_grid_find_phase(g, (uint8_t)l)) {
            *gap = (uint8_t)l;
            return 0;
        }
    return cli_usage_error(env, "iface volume: every label 0-255 has a phase; give --gap-label of a pore phase");
}

/* The steps' dV/V: the list, or the material's curve at the states of charge. Exit status. */
static int step_changes(cli_env *env, const cli_optval *val, const ssb_phase *cam, vstep *st, int *n,
                        const char **matname)
{
    *matname = NULL;
    if (val[V_DV].given) {
        *n = val[V_DV].n;
        for (int i = 0; i < *n; i++) {
            st[i].soc = NAN;
            st[i].dv_req = val[V_DV].list[i] / 100.0;
        }
        return 0;
    }
    *n = val[V_SOC].n;
    const char *mat = val[V_MAT].given ? val[V_MAT].str : (cam->material[0] ? cam->material : cam->name);
    ssb_materials *mdb = NULL;
    ssb_mech_db *db = NULL;
    const ssb_mech_swelling *sw = NULL;
    int rc = cli_mech_load(env, &mdb, &db);
    if (!rc)
        rc = ssb_mech_db_swelling(env->ctx, db, mdb, mat, &sw);
    double dv0 = 0;
    if (!rc)
        rc = ssb_mech_swelling_at(env->ctx, sw, 0.0, &dv0, NULL);
    for (int i = 0; !rc && i < *n; i++) {
        double dv;
        st[i].soc = val[V_SOC].list[i];
        rc = ssb_mech_swelling_at(env->ctx, sw, st[i].soc, &dv, NULL);
        if (rc == SSB_ERR_RANGE) {
            ssb_ctx_clear_error(env->ctx);
            fprintf(stderr, "ssbnet: error: option --soc: %g is outside the volume-change curve of %s ([%g, %g])\n",
                    st[i].soc, sw->name, sw->soc[0], sw->soc[sw->n - 1]);
            ssb_mech_db_destroy(&db);
            ssb_materials_destroy(&mdb);
            return CLI_EXIT_RANGE;
        }
        st[i].dv_req = (1 + dv) / (1 + dv0) - 1;
    }
    static char name[SSB_MECH_NAME_LEN];
    if (!rc)
        snprintf(name, sizeof name, "%s", sw->name);
    *matname = name;
    ssb_mech_db_destroy(&db);
    ssb_materials_destroy(&mdb);
    return rc ? cli_fail(env, rc) : 0;
}

/* Free the steps' results (those shared with the original image's are freed once, through ref) and st. */
static void release(vstep *st, int n, ssb_transport_result ref[2], const int have_ref[2])
{
    for (int i = 0; i < n; i++) {
        if (!st[i].shared_ion)
            ssb_transport_result_destroy(&st[i].ion);
        if (!st[i].shared_el)
            ssb_transport_result_destroy(&st[i].el);
    }
    for (int c = 0; c < 2; c++)
        if (have_ref[c])
            ssb_transport_result_destroy(&ref[c]);
    free(st);
}

static void step_json(cJSON *arr, const vstep *s)
{
    cJSON *o = cJSON_CreateObject();
    if (isfinite(s->soc))
        cJSON_AddNumberToObject(o, "soc", s->soc);
    cJSON_AddNumberToObject(o, "dv_percent_requested", s->dv_req * 100.0);
    cJSON_AddNumberToObject(o, "dv_percent", s->dv * 100.0);
    cli_report_json(cJSON_AddObjectToObject(o, "active_material"), ssb_run_report_type(SSB_RUN_REPORT_CAM), &s->cam);
    if (s->solved) {
        cJSON_AddBoolToObject(o, "ionic_from_original", s->shared_ion);
        cJSON_AddBoolToObject(o, "electronic_from_original", s->shared_el);
        cli_report_json(cJSON_AddObjectToObject(o, "ionic"), ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT), &s->ion);
        cli_report_json(cJSON_AddObjectToObject(o, "electronic"), ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT),
                        &s->el);
    }
    cJSON_AddItemToArray(arr, o);
}

int cmd_iface_volume(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        volume_help();
        return 0;
    }
    cli_image_opts io;
    cli_optval val[V_COUNT];
    const char *image = NULL;
    int prc = cli_opts_parse_image(env, "iface volume", volume_opts, V_COUNT, argc, argv, 2, val, &io, &image);
    if (prc)
        return prc;
    if (!image)
        return cli_usage_error(env, "iface volume: an IMAGE is required (see --help)");
    if (val[V_DV].given == val[V_SOC].given)
        return cli_usage_error(env, "iface volume needs exactly one of --dv-percent D[,D...] and --soc S[,S...]");
    if (val[V_MAT].given && !val[V_SOC].given)
        return cli_usage_error(env, "--material goes with --soc (the volume-change curve)");
    ssb_axis axis = SSB_AXIS_Z;
    if (val[V_AXIS].given) {
        int r = ssb_axis_parse(env->ctx, val[V_AXIS].str, &axis);
        if (r != SSB_OK)
            return cli_fail(env, r);
    }
    double T = 273.15 + (val[V_TEMP].given ? val[V_TEMP].num : 25.0);
    int transport = !val[V_NOTR].given;
    ssb_grid *g = NULL;
    int rc = cli_image_load(env, &io, image, &g);
    if (!rc)
        rc = cli_micro_assign_materials(env, g, T);
    const ssb_phase *cam = NULL;
    uint8_t gap = 0;
    if (!rc)
        rc = pick_cam(env, g, val, &cam);
    if (!rc)
        rc = pick_gap(env, g, val, &gap);
    vstep *st = calloc(CLI_OPT_LIST_MAX, sizeof *st);
    int n = 0;
    const char *matname = NULL;
    if (!rc && !st)
        rc = cli_fail(env, SSB_ERR_NOMEM);
    if (!rc)
        rc = step_changes(env, val, cam, st, &n, &matname);
    if (rc) {
        free(st);
        ssb_grid_destroy(&g);
        return rc;
    }
    uint8_t cam_label = cam->label;
    ssb_micro_cam_params cp = ssb_micro_cam_params_default();
    cp.axis = axis;
    ssb_transport_params tp = ssb_transport_params_default();
    int lrc = SSB_OK;
    /* transport of the original image per carrier, solved once when a step's conductivity field equals it (the
     * ionic field under shrinkage: CAM carries no ions) */
    double sig0[2][256];
    ssb_transport_result ref[2];
    int have_ref[2] = {0, 0};
    memset(ref, 0, sizeof ref);
    for (int c = 0; transport && c < 2 && !lrc; c++)
        lrc = ssb_transport_sigma_from_phases(env->ctx, g, c ? SSB_CARRIER_ELECTRON : SSB_CARRIER_ION, sig0[c]);
    for (int i = 0; i < n && !lrc; i++) {
        ssb_grid *s = NULL;
        double sig[256];
        lrc = ssb_mech_volume_change(env->ctx, g, cam_label, gap, st[i].dv_req, &s, &st[i].dv);
        if (lrc == SSB_ERR_RANGE) { /* a step the image cannot take: name the option and the step */
            fprintf(stderr, "ssbnet: error: option %s: step %d (dV %+.4g %%): %s\n",
                    val[V_DV].given ? "--dv-percent" : "--soc", i + 1, st[i].dv_req * 100.0,
                    ssb_ctx_get_error(env->ctx));
            release(st, n, ref, have_ref);
            ssb_grid_destroy(&g);
            return CLI_EXIT_RANGE;
        }
        if (!lrc)
            lrc = ssb_micro_cam_compute(env->ctx, s, &cp, &st[i].cam);
        for (int c = 0; transport && c < 2 && !lrc; c++) {
            ssb_transport_result *out = c ? &st[i].el : &st[i].ion;
            lrc = ssb_transport_sigma_from_phases(env->ctx, s, c ? SSB_CARRIER_ELECTRON : SSB_CARRIER_ION, sig);
            if (lrc)
                break;
            if (ssb_mech_same_field(g, sig0[c], s, sig)) {
                if (!have_ref[c])
                    lrc = ssb_transport_solve(env->ctx, g, sig0[c], axis, &tp, &ref[c]);
                have_ref[c] = !lrc;
                *out = ref[c];
                *(c ? &st[i].shared_el : &st[i].shared_ion) = 1;
            } else {
                lrc = ssb_transport_solve(env->ctx, s, sig, axis, &tp, out);
            }
        }
        st[i].solved = transport && !lrc;
        ssb_grid_destroy(&s);
        if (!lrc) {
            if (!env->quiet)
                fprintf(stderr, "iface volume: step %d/%d (dV %+.3g %%) done\n", i + 1, n, st[i].dv * 100.0);
        }
    }
    if (lrc) {
        release(st, n, ref, have_ref);
        ssb_grid_destroy(&g);
        return cli_fail(env, lrc);
    }
    if (env->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "image", image);
        cJSON_AddNumberToObject(j, "cam_label", cam_label);
        cJSON_AddStringToObject(j, "cam_phase", cam->name);
        if (matname)
            cJSON_AddStringToObject(j, "material", matname);
        cJSON_AddNumberToObject(j, "gap_label", gap);
        cJSON_AddStringToObject(j, "axis", ssb_axis_name(axis));
        cJSON *arr = cJSON_AddArrayToObject(j, "steps");
        for (int i = 0; i < n; i++)
            step_json(arr, &st[i]);
        cli_json_print(j);
    } else {
        printf("%s: CAM phase '%s' (label %d), gap label %d, axis %s%s%s\n", image, cam->name, cam_label, gap,
               ssb_axis_name(axis), matname ? ", curve of " : "", matname ? matname : "");
        const char *hdr[] = {"soc [-]",
                             "dV [%]",
                             "active CAM fraction [-]",
                             "active CAM|SE area [1/m]",
                             "CAM|SE area [1/m]",
                             "active particles",
                             "e- percolates",
                             "Li+ percolates",
                             "sigma_ion_eff [S/m]",
                             "sigma_el_eff [S/m]"};
        cli_table *t = cli_table_create(10, hdr);
        for (int i = 0; i < n; i++) {
            char np[32];
            snprintf(np, sizeof np, "%lld", (long long)st[i].cam.n_particles_active);
            const char *row[] = {isfinite(st[i].soc) ? cli_fmt(st[i].soc) : "-",
                                 cli_fmt(st[i].dv * 100.0),
                                 cli_fmt(st[i].cam.active_fraction),
                                 cli_fmt(st[i].cam.active_cam_se.per_volume),
                                 cli_fmt(st[i].cam.cam_se.per_volume),
                                 np,
                                 st[i].cam.electronic_percolates ? "yes" : "no",
                                 st[i].cam.ionic_percolates ? "yes" : "no",
                                 st[i].solved ? cli_fmt(st[i].ion.sigma_eff) : "-",
                                 st[i].solved ? cli_fmt(st[i].el.sigma_eff) : "-"};
            cli_table_add_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
    }
    release(st, n, ref, have_ref);
    ssb_grid_destroy(&g);
    return 0;
}
