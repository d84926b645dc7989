/* ssbnet micro analyze: volume fractions, percolation, interface areas, active cathode material. */
#include "cli_image.h"
#include "cli_dist.h"
#include "cli_micro.h"
#include "cli_opts.h"
#include "cli_micro_res.h"
#include "cli_report.h"

#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_run.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *phase_name(const ssb_grid *g, int label, char *buf, size_t n)
{
    const ssb_phase *p = ssb_grid_find_phase(g, (uint8_t)label);
    if (p && p->name[0])
        snprintf(buf, n, "%s", p->name);
    else
        snprintf(buf, n, "label %d", label);
    return buf;
}

/* The tables and JSON of the network report from results computed serially (cli_report_network) or over MPI
 * ranks (ssb_dist_analyze_file): g gives the phase names and roles only. */
static int report_results(const ssb_grid *g, const ssb_dist_analysis *a, const cli_network_opts *o, cJSON *json,
                          FILE *out, int quiet)
{
    int rc = 0;
    const int64_t *dims = a->dims;
    const double *h = a->voxel_size;
    const ssb_micro_fractions fr = a->fractions;
    cJSON *jgrid = cJSON_AddObjectToObject(json, "grid");
    cJSON *jd = cJSON_AddArrayToObject(jgrid, "dimensions");
    cJSON *jh = cJSON_AddArrayToObject(jgrid, "voxel_size_um");
    for (int k = 0; k < 3; k++) {
        cJSON_AddItemToArray(jd, cJSON_CreateNumber((double)dims[k]));
        cJSON_AddItemToArray(jh, cJSON_CreateNumber(h[k] * 1e6));
    }
    if (out) {
        fprintf(out, "grid: %lld x %lld x %lld voxels of %.4g x %.4g x %.4g um (%.4g x %.4g x %.4g um)\n\n",
                (long long)dims[0], (long long)dims[1], (long long)dims[2], h[0] * 1e6, h[1] * 1e6, h[2] * 1e6,
                (double)dims[0] * h[0] * 1e6, (double)dims[1] * h[1] * 1e6, (double)dims[2] * h[2] * 1e6);
    }

    /* volume fractions and percolation of each label */
    cJSON *jph = cJSON_AddArrayToObject(json, "phases");
    cli_table *t = cli_table_create(9, (const char *[]){"phase", "label", "role", "vol. fraction [-]",
                                                        "percolating x/y/z [-]", "dead-end z [-]", "isolated z [-]",
                                                        "sigma_ion [S/m]", "sigma_el [S/m]"});
    for (int k = 0; k < 256 && !rc; k++) {
        if (fr.label_count[k] == 0) continue;
        const ssb_micro_percolation pc = a->percolation[k];
        const ssb_phase *p = ssb_grid_find_phase(g, (uint8_t)k);
        char nb[80], lab[8], perc[64], fvf[32], dead[32], iso[32];
        phase_name(g, k, nb, sizeof nb);
        snprintf(lab, sizeof lab, "%d", k);
        snprintf(fvf, sizeof fvf, "%.4f", fr.label_fraction[k]);
        snprintf(perc, sizeof perc, "%.3f/%.3f/%.3f", pc.percolating_fraction[0], pc.percolating_fraction[1],
                 pc.percolating_fraction[2]);
        snprintf(dead, sizeof dead, "%.3f", pc.dead_end_fraction[o->axis]);
        snprintf(iso, sizeof iso, "%.3f", pc.isolated_fraction[o->axis]);
        cli_table_add_row(t, (const char *[]){nb, lab, p ? ssb_role_name(p->role) : "-", fvf, perc, dead, iso,
                                              p ? cli_fmt(p->sigma_ion) : "-", p ? cli_fmt(p->sigma_el) : "-"});
        cJSON *jo = cJSON_CreateObject();
        cJSON_AddStringToObject(jo, "name", nb);
        cJSON_AddNumberToObject(jo, "label", k);
        cJSON_AddStringToObject(jo, "role", p ? ssb_role_name(p->role) : "undefined");
        cJSON_AddNumberToObject(jo, "volume_fraction", fr.label_fraction[k]);
        if (p) {
            cJSON_AddNumberToObject(jo, "sigma_ion_S_per_m", p->sigma_ion);
            cJSON_AddNumberToObject(jo, "sigma_el_S_per_m", p->sigma_el);
        }
        static const char *ax[3] = {"x", "y", "z"};
        cJSON *jp = cJSON_AddObjectToObject(jo, "percolation");
        for (int a = 0; a < 3; a++) {
            cJSON *ja = cJSON_AddObjectToObject(jp, ax[a]);
            cJSON_AddBoolToObject(ja, "percolates", pc.percolates[a]);
            cJSON_AddNumberToObject(ja, "percolating_fraction", pc.percolating_fraction[a]);
            cJSON_AddNumberToObject(ja, "dead_end_fraction", pc.dead_end_fraction[a]);
            cJSON_AddNumberToObject(ja, "isolated_fraction", pc.isolated_fraction[a]);
        }
        cJSON_AddItemToArray(jph, jo);
    }
    if (out && !rc) {
        fprintf(out, "phases (fractions of each phase's volume; %d-connectivity; dead-end/isolated along %s)\n",
                (int)o->conn, ssb_axis_name(o->axis));
        cli_table_print(t, out);
        fputc('\n', out);
    }
    cli_table_destroy(&t);
    if (rc) return rc;

    /* interface areas */
    const ssb_micro_interfaces ifc = a->interfaces;
    int n_unresolved = 0;
    char unres[256] = ""; /* the unresolved pairs by name, for the warning */
    cJSON *ji = cJSON_AddArrayToObject(json, "interfaces");
    t = cli_table_create(4, (const char *[]){"interface", "face count [1/um]", "marching cubes [1/um]",
                                             "ratio mc/face [-]"});
    for (int i = 0; i < ifc.npairs; i++) {
        const ssb_micro_interface *p = &ifc.pairs[i];
        if (p->face.area <= 0) continue;
        char na[80], nb[80], name[170];
        snprintf(name, sizeof name, "%s | %s", phase_name(g, p->label_a, na, sizeof na),
                 phase_name(g, p->label_b, nb, sizeof nb));
        /* marching cubes cannot resolve features thinner than ~3 voxels: an estimate the library marks as not
         * resolved (NAN) is reported as '-' / null, never as a number */
        int has_mc = p->mc.method != NULL && isfinite(p->mc.area) && p->mc.area > 0;
        if (p->mc.method && !has_mc) {
            n_unresolved++;
            const size_t ul = strlen(unres);
            if (ul + 4 < sizeof unres)
                snprintf(unres + ul, sizeof unres - ul, "%s%s", ul ? ", " : "", name);
        }
        char c1[32], c2[32], c3[32];
        snprintf(c1, sizeof c1, "%.5g", p->face.per_volume * 1e-6);
        snprintf(c2, sizeof c2, has_mc ? "%.5g" : "-", p->mc.per_volume * 1e-6);
        snprintf(c3, sizeof c3, has_mc ? "%.3f" : "-", p->mc.area / p->face.area);
        cli_table_add_row(t, (const char *[]){name, c1, c2, c3});
        cJSON *jo = cJSON_CreateObject();
        cJSON_AddNumberToObject(jo, "label_a", p->label_a);
        cJSON_AddNumberToObject(jo, "label_b", p->label_b);
        cJSON_AddStringToObject(jo, "name", name);
        cJSON *jf = cJSON_AddObjectToObject(jo, p->face.method);
        cJSON_AddNumberToObject(jf, "area_m2", p->face.area);
        cJSON_AddNumberToObject(jf, "per_volume_1_per_m", p->face.per_volume);
        if (has_mc) {
            cJSON *jm = cJSON_AddObjectToObject(jo, p->mc.method);
            cJSON_AddNumberToObject(jm, "area_m2", p->mc.area);
            cJSON_AddNumberToObject(jm, "per_volume_1_per_m", p->mc.per_volume);
        } else if (p->mc.method) {
            cJSON_AddNullToObject(jo, p->mc.method);
        }
        cJSON_AddItemToArray(ji, jo);
    }
    if (out) {
        fprintf(out, "interface area per volume (face counting overestimates smooth surfaces by ~50 %%; '-': feature\n"
                     "too thin for marching cubes, under ~3 voxels)\n");
        cli_table_print(t, out);
        fputc('\n', out);
    }
    cli_table_destroy(&t);
    const ssb_micro_cam_result *cp = o->cam_in ? o->cam_in : a->has_cam ? &a->cam : NULL;
    const int cam_unresolved = cp && cp->cam_se_mc.method && !isfinite(cp->cam_se_mc.area);
    if ((n_unresolved || cam_unresolved) && !quiet)
        fprintf(stderr, "ssbnet: warning: marching cubes did not resolve %d interface(s)%s%s%s%s: features under ~3 "
                        "voxels (noise-like images, thin phases) leave the smoothed surfaces no positive pair area; the "
                        "face counts stand (marching cubes: null / '-')%s\n",
                n_unresolved, n_unresolved ? " (" : "", unres, n_unresolved ? ")" : "",
                cam_unresolved ? " and the CAM|SE interface" : "",
                cp && !cam_unresolved && cp->cam_se_mc.method ? "; the CAM|SE area is resolved" : "");

    /* composite electrode: active cathode material */
    if (fr.role_count[SSB_ROLE_ACTIVE] > 0 && (a->has_cam || o->cam_in)) {
        const ssb_micro_cam_result cr = o->cam_in ? *o->cam_in : a->cam;
        cJSON *jc = cJSON_AddObjectToObject(json, "active_material");
        cJSON_AddStringToObject(jc, "axis", ssb_axis_name(o->axis));
        cJSON_AddStringToObject(jc, "current_collector_side", o->cc_high ? "high" : "low");
        cli_report_json(jc, ssb_run_report_type(SSB_RUN_REPORT_CAM), &cr);
        /* marching-cubes areas only where they were computed */
        if (!cr.active_cam_se_mc.method)
            cJSON_DeleteItemFromObjectCaseSensitive(jc, "active_cam_se_area_per_volume_mc_1_per_m");
        if (!cr.cam_se_mc.method) {
            cJSON_DeleteItemFromObjectCaseSensitive(jc, "cam_se_area_per_volume_mc_1_per_m");
            cJSON_DeleteItemFromObjectCaseSensitive(jc, "mc_face_ratio");
        }
        if (o->cam_out) *o->cam_out = cr;
        if (out) {
            fprintf(out, "composite electrode (current collector at %s = %s, separator opposite)\n",
                    ssb_axis_name(o->axis), o->cc_high ? "high" : "low");
            t = cli_table_create(2, (const char *[]){"quantity", "value"});
            char b[10][48];
            snprintf(b[0], 48, "%.4f", cr.cam_fraction);
            snprintf(b[1], 48, "%lld of %lld", (long long)cr.n_particles_active, (long long)cr.n_particles);
            snprintf(b[2], 48, "%.4f", cr.active_fraction);
            snprintf(b[3], 48, "%.4f", cr.dead_no_e_fraction);
            snprintf(b[4], 48, "%.4f", cr.dead_no_li_fraction);
            snprintf(b[5], 48, "%.4f", cr.dead_neither_fraction);
            snprintf(b[6], 48, "%.5g", cr.active_cam_se.per_volume * 1e-6);
            snprintf(b[7], 48, cr.active_cam_se_mc.method && isfinite(cr.active_cam_se_mc.per_volume) ? "%.5g" : "-",
                     cr.active_cam_se_mc.per_volume * 1e-6);
            snprintf(b[8], 48, "%s (%.3f)", cr.ionic_percolates ? "yes" : "NO", cr.ionic_percolating_fraction);
            snprintf(b[9], 48, "%s (%.3f)", cr.electronic_percolates ? "yes" : "NO",
                     cr.electronic_percolating_fraction);
            cli_table_add_row(t, (const char *[]){"CAM volume fraction [-]", b[0]});
            cli_table_add_row(t, (const char *[]){"active CAM particles", b[1]});
            cli_table_add_row(t, (const char *[]){"active CAM fraction [-]", b[2]});
            cli_table_add_row(t, (const char *[]){"dead CAM, no e- path [-]", b[3]});
            cli_table_add_row(t, (const char *[]){"dead CAM, no Li+ path [-]", b[4]});
            cli_table_add_row(t, (const char *[]){"dead CAM, neither [-]", b[5]});
            cli_table_add_row(t, (const char *[]){"active CAM|SE area, face count [1/um]", b[6]});
            cli_table_add_row(t, (const char *[]){"active CAM|SE area, mc-corrected [1/um]", b[7]});
            cli_table_add_row(t, (const char *[]){"ionic network percolates (fraction)", b[8]});
            cli_table_add_row(t, (const char *[]){"electronic network percolates (fraction)", b[9]});
            cli_table_print(t, out);
            cli_table_destroy(&t);
            fputc('\n', out);
        }
    }
    return rc;
}

int cli_report_network(cli_env *env, const ssb_grid *g, const cli_network_opts *o, cJSON *json, FILE *out)
{
    ssb_dist_analysis a;
    memset(&a, 0, sizeof a);
    ssb_grid_get_dims(g, a.dims);
    ssb_grid_get_voxel_size(g, a.voxel_size);
    int r = ssb_micro_fractions_compute(env->ctx, g, &a.fractions);
    a.percolation = calloc(256, sizeof *a.percolation);
    if (r == SSB_OK && !a.percolation) r = SSB_ERR_NOMEM;
    for (int k = 0; k < 256 && r == SSB_OK; k++) {
        if (a.fractions.label_count[k] == 0) continue;
        uint8_t set[256] = {0};
        set[k] = 1;
        r = ssb_micro_percolation_compute(env->ctx, g, set, o->conn, &a.percolation[k]);
    }
    ssb_micro_area_params ap = ssb_micro_area_params_default();
    ap.marching_cubes = o->marching_cubes;
    if (r == SSB_OK) r = ssb_micro_interfaces_compute(env->ctx, g, &ap, &a.interfaces);
    if (r == SSB_OK && a.fractions.role_count[SSB_ROLE_ACTIVE] > 0 && !o->cam_in) {
        ssb_micro_cam_params cp = ssb_micro_cam_params_default();
        cp.axis = o->axis;
        cp.cc_side = o->cc_high ? SSB_MICRO_SIDE_HIGH : SSB_MICRO_SIDE_LOW;
        cp.area.marching_cubes = o->marching_cubes;
        r = ssb_micro_cam_compute(env->ctx, g, &cp, &a.cam);
        a.has_cam = r == SSB_OK;
    }
    int rc = r == SSB_OK ? report_results(g, &a, o, json, out, env->quiet) : cli_fail(env, r);
    ssb_dist_analysis_destroy(&a);
    return rc;
}

/* --classify over MPI ranks: the classes gathered onto rank 0 (a's image) written as the serial command writes its
 * class grid (the writers use the dims, the voxel size and the labels only). Exit status. */
static int write_classes(cli_env *env, const char *path, const ssb_dist_analysis *a)
{
    ssb_grid *c = NULL;
    int r = ssb_grid_create(env->ctx, a->dims[0], a->dims[1], a->dims[2], a->voxel_size[0], a->voxel_size[1],
                            a->voxel_size[2], &c);
    if (r == SSB_OK) {
        memcpy(ssb_grid_get_labels(c), a->classes, (size_t)(a->dims[0] * a->dims[1] * a->dims[2]));
        r = ssb_io_write_image(env->ctx, path, c, NULL);
    }
    ssb_grid_destroy(&c);
    return r == SSB_OK ? 0 : cli_fail(env, r);
}

enum { A_AXIS, A_CC, A_CONN, A_NOMC, A_CLASSIFY, A_TEMP, A_COUNT };
static const cli_opt analyze_opts[A_COUNT] = {
    [A_AXIS] = {"--axis", NULL, CLI_OPT_CHOICE, "AXIS", NULL, 0, 0, "normal to the current collector (default z)",
                "x,y,z"},
    [A_CC] = {"--cc-side", NULL, CLI_OPT_CHOICE, "SIDE", NULL, 0, 0,
              "current collector at index 0 (low, default) or at the last layer", "low,high"},
    [A_CONN] = {"--conn", NULL, CLI_OPT_CHOICE, "N", NULL, 0, 0, "connectivity of the percolation analysis (default 6)",
                "6,18,26"},
    [A_NOMC] = {"--no-mc", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "skip the marching-cubes areas", NULL},
    [A_CLASSIFY] = {"--classify", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0,
                    "write per-voxel CAM classes (0 other, 1 active, 2 no e-, 3 no Li+, 4 neither)", NULL},
    [A_TEMP] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 1000,
                "temperature of the phases' conductivities from the materials database (default 25)", NULL},
};

static void analyze_help(void)
{
    printf("usage: ssbnet micro analyze IMAGE [options]\n\n"
           "Measure the carrier-transport network of a segmented 3D image: volume fractions; per phase and axis\n"
           "the percolating, dead-end and isolated fractions; interface area per volume of every phase pair by\n"
           "face counting and marching cubes; for a composite electrode (a phase with role 'active') the active\n"
           "CAM fraction (electronically wired to the current collector AND touching solid electrolyte that\n"
           "reaches the separator), dead CAM by cause, and the active CAM|SE area. Phases named like a material\n"
           "of the database take its conductivities (as in 'ssbnet run'), so a Li+-conducting coating is part\n"
           "of the ionic network.\n\n"
           "options:\n");
    cli_opts_help(stdout, analyze_opts, A_COUNT);
    cli_image_help(stdout);
    printf("\nexample:\n"
           "  ssbnet micro analyze electrode.tiff --phase-map '0=pore:pore,85=NCM811:active,170=CBD:carbon'\n");
}

int cli_micro_analyze(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        analyze_help();
        return 0;
    }
    cli_image_opts io;
    cli_network_opts o = {.conn = SSB_CONN_6, .axis = SSB_AXIS_Z, .marching_cubes = 1};
    cli_optval val[A_COUNT];
    const char *image = NULL;
    int prc = cli_opts_parse_image(env, "micro analyze", analyze_opts, A_COUNT, argc, argv, 2, val, &io, &image);
    if (prc) return prc;
    const char *classify = val[A_CLASSIFY].str;
    if (val[A_AXIS].given) {
        int r = ssb_axis_parse(env->ctx, val[A_AXIS].str, &o.axis);
        if (r != SSB_OK) return cli_fail(env, r);
    }
    o.cc_high = val[A_CC].given && strcasecmp(val[A_CC].str, "high") == 0;
    if (val[A_CONN].given) o.conn = (ssb_connectivity)atoi(val[A_CONN].str);
    o.marching_cubes = !val[A_NOMC].given;
    double T = 273.15 + (val[A_TEMP].given ? val[A_TEMP].num : 25.0);
    if (!image) return cli_usage_error(env, "micro analyze: an IMAGE is required (see --help)");
    /* Under mpirun with several ranks every rank reads only its slab (ssb_dist_analyze_file); here only the first
       plane is read, for the phase table (checked against the labels of all planes) and the voxel size. */
    const int nranks = ssb_dist_size();
    if (nranks > 1) io.first_planes = 1;
    ssb_grid *g = NULL;
    int rc = cli_image_load(env, &io, image, &g);
    if (!rc) rc = cli_micro_assign_materials(env, g, T);
    if (!rc && nranks == 1) rc = cli_micro_feature_warnings(env, g);
    if (!rc && nranks > 1 && !env->quiet)
        cli_progress_done(), fprintf(stderr, "ssbnet: note: the feature-size (resolution) warnings need the whole "
                                             "image on one process and are not checked over MPI ranks (run 'ssbnet "
                                             "micro resolution %s' without mpirun)\n", image);
    if (rc) {
        ssb_grid_destroy(&g);
        return rc;
    }
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "image", image);
    if (nranks > 1) {
        ssb_io_read_params drp;
        rc = cli_image_read_params_for(env, &io, image, &drp);
        ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
        dp.conn = o.conn;
        dp.cam.axis = o.axis;
        dp.cam.cc_side = o.cc_high ? SSB_MICRO_SIDE_HIGH : SSB_MICRO_SIDE_LOW;
        dp.cam.area.marching_cubes = o.marching_cubes;
        dp.want_classes = classify != NULL; /* gathered onto rank 0, which writes them below */
        ssb_dist_analysis da;
        memset(&da, 0, sizeof da);
        rc = cli_dist_sync(env, rc); /* every rank, before the collective analysis */
        int r = rc ? SSB_OK : ssb_dist_analyze_file(env->ctx, image, &drp, g, &dp, &da);
        cli_progress_done();
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc && !env->json) printf("%s\n", image);
        if (!rc) rc = report_results(g, &da, &o, json, env->json ? NULL : stdout, env->quiet || ssb_dist_rank() != 0);
        if (!rc && classify) rc = ssb_dist_rank() == 0 ? write_classes(env, classify, &da) : 0;
        if (!rc && classify && !env->json) printf("wrote %s\n", classify);
        ssb_dist_analysis_destroy(&da);
    } else {
        if (!env->json) printf("%s\n", image);
        rc = cli_report_network(env, g, &o, json, env->json ? NULL : stdout);
    }
    if (ssb_dist_launched()) cJSON_AddNumberToObject(json, "ranks", nranks);
    if (!rc && classify && nranks == 1) {
        ssb_grid *c = NULL;
        int r = ssb_grid_duplicate(env->ctx, g, &c);
        if (r == SSB_OK) {
            ssb_micro_cam_params cp = ssb_micro_cam_params_default();
            cp.axis = o.axis;
            cp.cc_side = o.cc_high ? SSB_MICRO_SIDE_HIGH : SSB_MICRO_SIDE_LOW;
            cp.area.marching_cubes = 0;
            r = ssb_micro_cam_classify(env->ctx, g, &cp, ssb_grid_get_labels(c), NULL);
        }
        if (r == SSB_OK) r = ssb_io_write_image(env->ctx, classify, c, NULL);
        ssb_grid_destroy(&c);
        if (r != SSB_OK) rc = cli_fail(env, r);
        else if (!env->json) printf("wrote %s\n", classify);
    }
    if (!rc && env->json)
        cli_json_print(json);
    else
        cJSON_Delete(json);
    ssb_grid_destroy(&g);
    return rc;
}
