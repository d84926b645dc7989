/* ssbnet micro analyze: volume fractions, percolation, interface areas, active cathode material. */
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_report.h"

#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_analysis.h>

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

int cli_report_network(cli_env *env, const ssb_grid *g, const cli_network_opts *o, cJSON *json, FILE *out)
{
    int rc = 0;
    int64_t dims[3];
    double h[3];
    ssb_grid_get_dims(g, dims);
    ssb_grid_get_voxel_size(g, h);
    ssb_micro_fractions fr;
    int r = ssb_micro_fractions_compute(env->ctx, g, &fr);
    if (r != SSB_OK) return cli_fail(env, r);
    cJSON *jgrid = cJSON_AddObjectToObject(json, "grid");
    cJSON *jd = cJSON_AddArrayToObject(jgrid, "dims");
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
        uint8_t set[256] = {0};
        set[k] = 1;
        ssb_micro_percolation pc;
        r = ssb_micro_percolation_compute(env->ctx, g, set, o->conn, &pc);
        if (r != SSB_OK) {
            rc = cli_fail(env, r);
            break;
        }
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
    ssb_micro_area_params ap = ssb_micro_area_params_default();
    ap.marching_cubes = o->marching_cubes;
    ssb_micro_interfaces ifc;
    memset(&ifc, 0, sizeof ifc);
    r = ssb_micro_interfaces_compute(env->ctx, g, &ap, &ifc);
    if (r != SSB_OK) return cli_fail(env, r);
    cJSON *ji = cJSON_AddArrayToObject(json, "interfaces");
    t = cli_table_create(4, (const char *[]){"interface", "face count [1/um]", "marching cubes [1/um]",
                                             "ratio mc/face [-]"});
    for (int i = 0; i < ifc.npairs; i++) {
        const ssb_micro_interface *p = &ifc.pairs[i];
        if (p->face.area <= 0) continue;
        char na[80], nb[80], name[170];
        snprintf(name, sizeof name, "%s | %s", phase_name(g, p->label_a, na, sizeof na),
                 phase_name(g, p->label_b, nb, sizeof nb));
        /* marching cubes cannot resolve features thinner than ~3 voxels: a non-positive pair estimate is
         * reported as unresolved rather than as a number */
        int has_mc = p->mc.method != NULL && p->mc.area > 0;
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
    ssb_micro_interfaces_destroy(&ifc);

    /* composite electrode: active cathode material */
    if (fr.role_count[SSB_ROLE_ACTIVE] > 0) {
        ssb_micro_cam_params cp = ssb_micro_cam_params_default();
        cp.axis = o->axis;
        cp.cc_side = o->cc_high ? SSB_MICRO_SIDE_HIGH : SSB_MICRO_SIDE_LOW;
        cp.area.marching_cubes = o->marching_cubes;
        ssb_micro_cam_result cr;
        r = ssb_micro_cam_compute(env->ctx, g, &cp, &cr);
        if (r != SSB_OK) return cli_fail(env, r);
        cJSON *jc = cJSON_AddObjectToObject(json, "active_material");
        cJSON_AddStringToObject(jc, "axis", ssb_axis_name(o->axis));
        cJSON_AddStringToObject(jc, "current_collector_side", o->cc_high ? "high" : "low");
        cJSON_AddNumberToObject(jc, "cam_fraction", cr.cam_fraction);
        cJSON_AddNumberToObject(jc, "particles", (double)cr.n_particles);
        cJSON_AddNumberToObject(jc, "particles_active", (double)cr.n_particles_active);
        cJSON_AddNumberToObject(jc, "active_fraction", cr.active_fraction);
        cJSON_AddNumberToObject(jc, "dead_no_e_fraction", cr.dead_no_e_fraction);
        cJSON_AddNumberToObject(jc, "dead_no_li_fraction", cr.dead_no_li_fraction);
        cJSON_AddNumberToObject(jc, "dead_neither_fraction", cr.dead_neither_fraction);
        cJSON_AddNumberToObject(jc, "active_cam_se_area_per_volume_face_1_per_m", cr.active_cam_se.per_volume);
        if (cr.active_cam_se_mc.method)
            cJSON_AddNumberToObject(jc, "active_cam_se_area_per_volume_mc_1_per_m", cr.active_cam_se_mc.per_volume);
        cJSON_AddNumberToObject(jc, "cam_se_area_per_volume_face_1_per_m", cr.cam_se.per_volume);
        if (cr.cam_se_mc.method)
            cJSON_AddNumberToObject(jc, "cam_se_area_per_volume_mc_1_per_m", cr.cam_se_mc.per_volume);
        cJSON_AddNumberToObject(jc, "cam_carbon_area_per_volume_face_1_per_m", cr.cam_carbon.per_volume);
        cJSON_AddBoolToObject(jc, "electronic_percolates", cr.electronic_percolates);
        cJSON_AddBoolToObject(jc, "ionic_percolates", cr.ionic_percolates);
        cJSON_AddNumberToObject(jc, "electronic_percolating_fraction", cr.electronic_percolating_fraction);
        cJSON_AddNumberToObject(jc, "ionic_percolating_fraction", cr.ionic_percolating_fraction);
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
            snprintf(b[7], 48, cr.active_cam_se_mc.method ? "%.5g" : "-", cr.active_cam_se_mc.per_volume * 1e-6);
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

static void analyze_help(void)
{
    printf("usage: ssbnet micro analyze IMAGE [options]\n\n"
           "Measure the carrier-transport network of a segmented 3D image: volume fractions; per phase and axis\n"
           "the percolating, dead-end and isolated fractions; interface area per volume of every phase pair by\n"
           "face counting and marching cubes; for a composite electrode (a phase with role 'active') the active\n"
           "CAM fraction (electronically wired to the current collector AND touching solid electrolyte that\n"
           "reaches the separator), dead CAM by cause, and the active CAM|SE area.\n\n"
           "options:\n"
           "  --axis x|y|z          normal to the current collector (default z)\n"
           "  --cc-side low|high    current collector at index 0 (low, default) or at the last layer\n"
           "  --conn 6|18|26        connectivity of the percolation analysis (default 6)\n"
           "  --no-mc               skip the marching-cubes areas\n"
           "  --classify FILE       write per-voxel CAM classes (0 other, 1 active, 2 no e-, 3 no Li+, 4 neither)\n");
    cli_image_help(stdout);
    printf("\nexample:\n"
           "  ssbnet micro analyze electrode.tiff --phase-map '0=pore:pore,85=NCM811:active,170=CBD:carbon'\n");
}

int cli_micro_analyze(cli_env *env, int argc, char **argv)
{
    cli_image_opts io;
    memset(&io, 0, sizeof io);
    cli_network_opts o = {.conn = SSB_CONN_6, .axis = SSB_AXIS_Z, .marching_cubes = 1};
    const char *image = NULL, *classify = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            analyze_help();
            return 0;
        }
        int k = cli_image_parse_opt(env, &io, argc, argv, &i);
        if (k < 0) return -k; /* exit status of the bad value, already reported */
        if (k > 0) continue;
        if (strcmp(a, "--axis") == 0 && v) {
            int r = ssb_axis_parse(env->ctx, v, &o.axis);
            if (r != SSB_OK) return cli_fail(env, r);
            i++;
        } else if (strcmp(a, "--cc-side") == 0 && v) {
            if (strcasecmp(v, "low") == 0)
                o.cc_high = 0;
            else if (strcasecmp(v, "high") == 0)
                o.cc_high = 1;
            else
                return cli_usage_error(env, "option --cc-side: '%s' is invalid (valid: low, high)", v);
            i++;
        } else if (strcmp(a, "--conn") == 0 && v) {
            long long c;
            if (cli_parse_int(env, a, v, &c)) return CLI_EXIT_USAGE;
            if (c != 6 && c != 18 && c != 26)
                return cli_usage_error(env, "option --conn: %lld is invalid (valid: 6, 18, 26)", c);
            o.conn = (ssb_connectivity)c;
            i++;
        } else if (strcmp(a, "--no-mc") == 0) {
            o.marching_cubes = 0;
        } else if (strcmp(a, "--classify") == 0 && v) {
            classify = v;
            i++;
        } else if (a[0] == '-') {
            return cli_usage_error(env, "micro analyze: unknown option '%s' (see --help)", a);
        } else if (!image) {
            image = a;
        } else {
            return cli_usage_error(env, "micro analyze: unexpected argument '%s'", a);
        }
    }
    if (!image) return cli_usage_error(env, "micro analyze: an IMAGE is required (see --help)");
    ssb_grid *g = NULL;
    int rc = cli_image_load(env, &io, image, &g);
    if (rc) return rc;
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "image", image);
    if (!env->json) printf("%s\n", image);
    rc = cli_report_network(env, g, &o, json, env->json ? NULL : stdout);
    if (!rc && classify) {
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
