/* ssbnet run [CELL.json]: the main job. Argument parsing, one call of the library's chain (ssb_run, see
 * include/ssbnet/ssb_run.h for the physics of each stage), and the output: tables on stdout, one JSON object with
 * --json, and the output folder (report.json, discharge curves, plots, the structure). */
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_opts.h"
#include "cli_report.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_OUT, O_RATES, O_CUTOFF, O_SIZE, O_VOXEL, O_SEED, O_IMAGE, O_NOMICRO, O_SET, O_COUNT };
static const cli_opt run_opts[O_COUNT] = {
    [O_OUT] = {"--output", "-o", CLI_OPT_STRING, "DIR", NULL, 0, 0, "output folder (default ssbnet-out; created "
                                                                     "only when the run succeeds)", NULL},
    [O_RATES] = {"--rates", NULL, CLI_OPT_LIST, "LIST", "C", 1e-9, 100, "C-rates (default 0.1,0.2,0.5,1,2)", NULL},
    [O_CUTOFF] = {"--cutoff", NULL, CLI_OPT_DOUBLE, "V", "V", 0.5, 6, "discharge cut-off voltage (default 3.5)",
                  NULL},
    [O_SIZE] = {"--size", NULL, CLI_OPT_INT, "N", "voxels", 16, 1024,
                "in-plane cross-section of the generated cathode (default 96)", NULL},
    [O_VOXEL] = {"--voxel-um", NULL, CLI_OPT_DOUBLE, "H", "um", 1e-3, 100,
                 "voxel size (default 0.4; with --image: overrides the image's)", NULL},
    [O_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, 0, 9.007199254740992e15,
                "seed of the generated cathode (default 1)", NULL},
    [O_IMAGE] = {"--image", NULL, CLI_OPT_STRING, "IMAGE", NULL, 0, 0,
                 "segmented image of the cathode instead of a generated one (z through the thickness)", NULL},
    [O_NOMICRO] = {"--no-micro", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0,
                   "skip the microstructure: the cell's Bruggeman relations", NULL},
    [O_SET] = {"--set", NULL, CLI_OPT_MULTI, "KEY=VALUE", NULL, 0, 0,
               "set a cell key in its JSON units (positive.thickness_um=80, temperature_C=40) or a "
               "microstructure./run. key; repeatable",
               NULL},
};

static void run_help(void)
{
    printf("usage: ssbnet run [CELL.json] [options]\n\n"
           "The main job: the whole chain on a cell. Without a file it runs the built-in default cell\n"
           "('ssbnet cell defaults' prints it): a 60 um composite cathode of NCM811 (60 vol%%, 5 um particles),\n"
           "Li6PS5Cl and carbon (3 vol%%) with 5 %% voids; a 30 um Li6PS5Cl separator; a Li-metal anode. It\n"
           "  1. generates the cathode microstructure from the cell's composition, spanning the cathode's thickness\n"
           "     through-plane (z) and a representative cross-section in-plane (96 x 96 voxels of 0.4 um),\n"
           "  2. analyses its Li+ and e- networks (percolation, active CAM, active CAM|SE area per volume),\n"
           "  3. solves its effective ionic and electronic conductivities through the thickness, with every\n"
           "     phase's conductivity from the materials database at the cell temperature,\n"
           "  4. hands these measured properties to the solid-state P2D model and discharges it at each C-rate,\n"
           "  5. reports capacity, energy (Wh/kg, Wh/L of the stack) and the overpotential breakdown per C-rate,\n"
           "     naming the bottleneck, and writes plots, CSV and JSON to the output folder.\n\n"
           "options:\n");
    cli_opts_help(stdout, run_opts, O_COUNT);
    printf("  image options of 'ssbnet micro analyze --help' (--phases, --phase-map, ...) apply to --image\n\n"
           "CELL.json is the cell model's file (keys carry units, e.g. positive.thickness_um; list in\n"
           "include/ssbnet/ssb_cell.h) plus two optional blocks, every key of which acts:\n"
           "  \"microstructure\": {\"size_voxels\": 96, \"through_plane_voxels\": 0, \"voxel_size_um\": 0.4,\n"
           "                     \"seed\": 1, \"cam_gsd\": 1.3, \"carbon\": \"Super P\", \"carbon_diameter_um\": 1.0,\n"
           "                     \"pore_diameter_um\": 1.2, \"overlap\": 0.15, \"marching_cubes\": true,\n"
           "                     \"image\": \"cathode.tif\", \"enabled\": true}\n"
           "  \"run\": {\"rates_C\": [0.1, 0.5, 1, 2], \"cutoff_V\": 3.5}\n\n"
           "examples:\n"
           "  ssbnet run                                  # built-in default cell\n"
           "  ssbnet run cell.json -o out --rates 0.2,1,3 --json\n"
           "  ssbnet run --set positive.thickness_um=100 --set microstructure.seed=4\n");
}

static int image_hook(cli_env *env, void *user, int argc, char **argv, int *i)
{
    return cli_image_parse_opt(env, user, argc, argv, i);
}

/* --set KEY=VALUE: microstructure.* and run.* keys through the run module's reader, the others through the
 * cell's key table. */
static int apply_set(cli_env *env, const char *kv, ssb_cell_params *p, ssb_run_params *rp)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) return cli_usage_error(env, "option --set: '%s' is not KEY=VALUE", kv);
    char key[128];
    size_t klen = (size_t)(eq - kv);
    if (klen >= sizeof key) return cli_usage_error(env, "option --set: key too long in '%s'", kv);
    memcpy(key, kv, klen);
    key[klen] = '\0';
    const char *val = eq + 1;
    char *end;
    double num = strtod(val, &end);
    int is_num = end != val && *end == '\0' && isfinite(num);
    const char *dot = strchr(key, '.');
    if (dot && (strncmp(key, "microstructure.", 15) == 0 || strncmp(key, "run.", 4) == 0)) {
        char json[1024];
        const char *sub = dot + 1;
        size_t sect = (size_t)(dot - key);
        if (strcmp(key, "run.rates_C") == 0)
            snprintf(json, sizeof json, "{\"run\": {\"rates_C\": [%s]}}", val);
        else if (is_num || strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
            snprintf(json, sizeof json, "{\"%.*s\": {\"%s\": %s}}", (int)sect, key, sub, val);
        else if (!strpbrk(val, "\"\\"))
            snprintf(json, sizeof json, "{\"%.*s\": {\"%s\": \"%s\"}}", (int)sect, key, sub, val);
        else
            return cli_usage_error(env, "option --set: value '%s' of %s may not contain quotes", val, key);
        int r = ssb_run_params_from_json_string(env->ctx, json, "--set", rp);
        return r == SSB_OK ? 0 : cli_fail(env, r);
    }
    if (!is_num) return cli_usage_error(env, "option --set: %s = '%s' is not a number", key, val);
    int r = ssb_cell_params_set(env->ctx, p, key, num);
    return r == SSB_OK ? 0 : cli_fail(env, r);
}

static cJSON *transport_json(const ssb_transport_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "percolates", r->percolates);
    cJSON_AddNumberToObject(o, "sigma_eff_S_per_m", r->sigma_eff);
    cJSON_AddNumberToObject(o, "sigma_bulk_S_per_m", r->sigma_bulk);
    cJSON_AddNumberToObject(o, "sigma_rel", r->sigma_rel);
    cJSON_AddNumberToObject(o, "eps", r->eps);
    cJSON_AddNumberToObject(o, "eps_percolating", r->eps_percolating);
    cli_json_add_number(o, "tau", r->tau);
    cli_json_add_number(o, "macmullin", r->macmullin);
    cJSON_AddBoolToObject(o, "converged", r->converged);
    cJSON_AddNumberToObject(o, "iterations", (double)r->iterations);
    return o;
}

/* The structure, its networks and the hand-over to the cell model. */
static int report_micro(cli_env *env, const ssb_run_result *res, cJSON *json, FILE *out)
{
    if (out && res->generated) {
        const ssb_run_cathode *c = &res->cathode;
        fprintf(out,
                "cathode microstructure: %s %.2f (d %.3g um), %s %.2f, %s %.2f, voids %.2f; %lld x %lld x %lld "
                "voxels of %.3g um (%.4g x %.4g um in-plane, %.4g um through the thickness), seed %llu\n\n",
                c->cam, c->cam_fraction, c->cam_diameter * 1e6, c->se,
                1 - c->cam_fraction - c->carbon_fraction - c->pore_fraction, c->carbon, c->carbon_fraction,
                c->pore_fraction, (long long)c->dims[0], (long long)c->dims[1], (long long)c->dims[2],
                c->voxel_size * 1e6, res->extent[0] * 1e6, res->extent[1] * 1e6, res->extent[2] * 1e6,
                (unsigned long long)c->seed);
    }
    cJSON *js = cJSON_AddObjectToObject(json, "structure");
    cJSON_AddStringToObject(js, "source", res->generated ? "generated" : "image");
    cJSON *jd = cJSON_AddArrayToObject(js, "dimensions");
    cJSON *je = cJSON_AddArrayToObject(js, "extent_um");
    for (int k = 0; k < 3; k++) {
        cJSON_AddItemToArray(jd, cJSON_CreateNumber((double)res->dims[k]));
        cJSON_AddItemToArray(je, cJSON_CreateNumber(res->extent[k] * 1e6));
    }
    cJSON_AddNumberToObject(js, "voxel_size_um", res->voxel_size[2] * 1e6);
    cJSON_AddStringToObject(js, "through_plane_axis", "z");
    cJSON_AddNumberToObject(js, "cathode_thickness_um", res->values_in.pos.thickness * 1e6);
    if (res->generated) cJSON_AddNumberToObject(js, "seed", (double)res->cathode.seed);

    cli_network_opts no = {.conn = SSB_CONN_6, .axis = SSB_AXIS_Z, .cc_high = 0, .marching_cubes = 1,
                           .cam_in = &res->cam};
    cJSON *jm = cJSON_AddObjectToObject(json, "microstructure");
    int rc = cli_report_network(env, res->grid, &no, jm, out);
    if (rc || res->stage < 2) return rc;
    const ssb_transport_result *ion = &res->ion, *el = &res->el;
    cJSON *jt = cJSON_AddObjectToObject(jm, "transport_z");
    cJSON_AddItemToObject(jt, "ionic", transport_json(ion));
    cJSON_AddItemToObject(jt, "electronic", transport_json(el));
    if (out) {
        fprintf(out, "effective transport through the cathode (z, current collector to separator; phases at %.2f K)\n",
                res->temperature);
        cli_table *t = cli_table_create(7, (const char *[]){"network", "eps [-]", "sigma_bulk [S/m]",
                                                            "sigma_eff [S/m]", "tau [-]", "N_M [-]", "iter"});
        char i1[24], i2[24];
        snprintf(i1, sizeof i1, "%lld", (long long)ion->iterations);
        snprintf(i2, sizeof i2, "%lld", (long long)el->iterations);
        cli_table_add_row(t, (const char *[]){"ionic (Li+)", cli_fmt(ion->eps), cli_fmt(ion->sigma_bulk),
                                              cli_fmt(ion->sigma_eff), cli_fmt(ion->tau), cli_fmt(ion->macmullin), i1});
        cli_table_add_row(t, (const char *[]){"electronic (e-)", cli_fmt(el->eps), cli_fmt(el->sigma_bulk),
                                              cli_fmt(el->sigma_eff), cli_fmt(el->tau), cli_fmt(el->macmullin), i2});
        cli_table_print(t, out);
        cli_table_destroy(&t);
        fputc('\n', out);
    }
    if (res->stage < 3) return 0;
    const ssb_cell_values *v = &res->values;
    cJSON *jc = cJSON_AddObjectToObject(json, "cathode_properties_from_microstructure");
    cJSON_AddNumberToObject(jc, "eps_active", v->pos.eps_active);
    cJSON_AddNumberToObject(jc, "eps_active_dead", v->pos.eps_active_dead);
    cJSON_AddNumberToObject(jc, "eps_electrolyte", v->pos.eps_electrolyte);
    cJSON_AddNumberToObject(jc, "sigma_i_eff_S_per_m", v->pos.sigma_i_eff);
    cJSON_AddNumberToObject(jc, "sigma_e_eff_S_per_m", v->pos.sigma_e_eff);
    cJSON_AddNumberToObject(jc, "active_area_per_volume_1_per_m", v->pos.area_per_volume);
    cJSON_AddNumberToObject(jc, "bruggeman_area_per_volume_1_per_m", 3.0 * v->pos.eps_active / v->pos.particle_radius);
    return 0;
}

/* Every value handed from the structure to the cell model, next to the quantity it comes from. */
static void report_handover(const ssb_run_result *res, cJSON *json, FILE *out)
{
    const ssb_cell_derived *d = &res->derived;
    cJSON *jh = cJSON_AddObjectToObject(json, "handover");
    cJSON_AddNumberToObject(jh, "temperature_K", res->temperature);
    cJSON_AddNumberToObject(jh, "temperature_factor", res->temperature_factor);
    cJSON *ji = cJSON_AddObjectToObject(jh, "ionic");
    cJSON_AddNumberToObject(ji, "transport_sigma_eff_S_per_m", res->ion.sigma_eff);
    cJSON_AddNumberToObject(ji, "cell_sigma_eff_S_per_m", d->sigma_i_eff_pos);
    cJSON *jl = cJSON_AddObjectToObject(jh, "electronic");
    cJSON_AddNumberToObject(jl, "transport_sigma_eff_S_per_m", res->el.sigma_eff);
    cJSON_AddNumberToObject(jl, "cell_sigma_eff_S_per_m", d->sigma_e_eff_pos);
    cJSON *ja = cJSON_AddObjectToObject(jh, "active_cam");
    cJSON_AddNumberToObject(ja, "cam_volume_fraction", res->fractions.role_fraction[SSB_ROLE_ACTIVE]);
    cJSON_AddNumberToObject(ja, "active_fraction", res->cam.active_fraction);
    cJSON_AddNumberToObject(ja, "cell_eps_active", res->values.pos.eps_active);
    cJSON *jr = cJSON_AddObjectToObject(jh, "active_area");
    cJSON_AddNumberToObject(jr, "face_count_per_volume_1_per_m", res->area_face);
    cJSON_AddNumberToObject(jr, "area_factor", res->area_factor);
    cJSON_AddStringToObject(jr, "area_factor_method", res->area_factor_method);
    cJSON_AddNumberToObject(jr, "area_factor_sphere", res->area_factor_sphere);
    cJSON_AddNumberToObject(jr, "cell_area_per_volume_1_per_m", d->a_pos);
    if (!out) return;
    fprintf(out, "hand-over to the cell model (materials at %.2f K, temperature factor %g)\n", res->temperature,
            res->temperature_factor);
    cli_table *t = cli_table_create(3, (const char *[]){"quantity", "measured", "cell model"});
    char a[4][32], b[4][32];
    snprintf(a[0], 32, "%.6g", res->ion.sigma_eff);
    snprintf(b[0], 32, "%.6g", d->sigma_i_eff_pos);
    snprintf(a[1], 32, "%.6g", res->el.sigma_eff);
    snprintf(b[1], 32, "%.6g", d->sigma_e_eff_pos);
    snprintf(a[2], 32, "%.4f x %.4f", res->fractions.role_fraction[SSB_ROLE_ACTIVE], res->cam.active_fraction);
    snprintf(b[2], 32, "%.4f", res->values.pos.eps_active);
    snprintf(a[3], 32, "%.5g x %.4f (%s)", res->area_face * 1e-6, res->area_factor,
             strcmp(res->area_factor_method, "voxelised_sphere") == 0 ? "sphere" : "mc");
    snprintf(b[3], 32, "%.5g", d->a_pos * 1e-6);
    cli_table_add_row(t, (const char *[]){"ionic sigma_eff [S/m]", a[0], b[0]});
    cli_table_add_row(t, (const char *[]){"electronic sigma_eff [S/m]", a[1], b[1]});
    cli_table_add_row(t, (const char *[]){"active CAM eps [-]: CAM x active", a[2], b[2]});
    cli_table_add_row(t, (const char *[]){"active area [1/um]: face count x factor", a[3], b[3]});
    cli_table_print(t, out);
    cli_table_destroy(&t);
    fprintf(out, "(area factor = smooth / face-count area: %.4f measured by marching cubes on this structure, %.4f on a "
                 "voxelised sphere of the CAM diameter)\n\n",
            res->cam.mc_face_ratio, res->area_factor_sphere);
}

static void report_cell(const ssb_run_result *res, cJSON *json, FILE *out)
{
    const ssb_cell_values *vv = &res->values;
    const ssb_cell_rate_point *pt = res->points;
    int n = res->nrates;
    cJSON *jc = cJSON_AddObjectToObject(json, "cell");
    cJSON_AddNumberToObject(jc, "temperature_K", vv->cell.T);
    cJSON_AddNumberToObject(jc, "cathode_thickness_um", vv->pos.thickness * 1e6);
    cJSON_AddNumberToObject(jc, "separator_thickness_um", vv->sep.thickness * 1e6);
    cJSON_AddNumberToObject(jc, "separator_sigma_S_per_m", vv->sep.sigma_i);
    cJSON_AddNumberToObject(jc, "cutoff_V", res->cutoff);
    cJSON *jr = cJSON_AddArrayToObject(json, "rates");
    cli_table *t = cli_table_create(8, (const char *[]){"C-rate", "I [mA/cm2]", "capacity [mAh/cm2]",
                                                        "energy [mWh/cm2]", "mean V [V]", "stack [Wh/kg]",
                                                        "stack [Wh/L]", "bottleneck"});
    for (int i = 0; i < n; i++) {
        char c[7][32];
        snprintf(c[0], 32, "%g", pt[i].crate);
        snprintf(c[1], 32, "%.4g", pt[i].current / 10.0);
        snprintf(c[2], 32, "%.4f", pt[i].capacity / 36000.0);
        snprintf(c[3], 32, "%.4f", pt[i].energy / 36000.0);
        snprintf(c[4], 32, "%.4f", pt[i].v_mean);
        snprintf(c[5], 32, "%.1f", pt[i].wh_per_kg);
        snprintf(c[6], 32, "%.1f", pt[i].wh_per_l);
        cli_table_add_row(t, (const char *[]){c[0], c[1], c[2], c[3], c[4], c[5], c[6],
                                              ssb_cell_loss_label(pt[i].bottleneck)});
        cJSON *o1 = cJSON_CreateObject();
        cJSON_AddNumberToObject(o1, "C_rate", pt[i].crate);
        cJSON_AddNumberToObject(o1, "current_A_per_m2", pt[i].current);
        cJSON_AddNumberToObject(o1, "capacity_mAh_per_cm2", pt[i].capacity / 36000.0);
        cJSON_AddNumberToObject(o1, "energy_mWh_per_cm2", pt[i].energy / 36000.0);
        cJSON_AddNumberToObject(o1, "mean_voltage_V", pt[i].v_mean);
        cli_json_add_number(o1, "stack_Wh_per_kg", pt[i].wh_per_kg);
        cli_json_add_number(o1, "stack_Wh_per_L", pt[i].wh_per_l);
        cJSON_AddStringToObject(o1, "bottleneck", ssb_cell_loss_name(pt[i].bottleneck));
        cJSON *jl = cJSON_AddObjectToObject(o1, "mean_overpotential_V");
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            cJSON_AddNumberToObject(jl, ssb_cell_loss_name((ssb_cell_loss)k), pt[i].mean.loss[k]);
        cJSON_AddItemToArray(jr, o1);
    }
    if (out) {
        fprintf(out, "cell: separator %s sigma = %.4g S/m at %.1f K; discharge to %.2f V\n",
                vv->sep.electrolyte[0] ? vv->sep.electrolyte : "SE", vv->sep.sigma_i, vv->cell.T, res->cutoff);
        cli_table_print(t, out);
        if (n > 0 && !isfinite(pt[0].wh_per_kg))
            fprintf(out, "(stack Wh/kg is not a number: a density of the stack is missing; give the density keys "
                         "of include/ssbnet/ssb_cell.h, e.g. positive.density_active_kg_per_m3)\n");
        fputc('\n', out);
    }
    cli_table_destroy(&t);
    /* breakdown table: losses (mV) per C-rate */
    int show[SSB_CELL_LOSS_COUNT] = {0};
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        for (int i = 0; i < n; i++) show[k] |= fabs(pt[i].mean.loss[k]) > 1e-6;
    const char *hdr[SSB_RUN_MAX_RATES + 1];
    char hbuf[SSB_RUN_MAX_RATES][24];
    hdr[0] = "mean overpotential [mV]";
    for (int i = 0; i < n; i++) {
        snprintf(hbuf[i], sizeof hbuf[i], "%gC", pt[i].crate);
        hdr[i + 1] = hbuf[i];
    }
    t = cli_table_create(n + 1, hdr);
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        if (!show[k]) continue;
        const char *cells[SSB_RUN_MAX_RATES + 1];
        char cb[SSB_RUN_MAX_RATES][24];
        cells[0] = ssb_cell_loss_label((ssb_cell_loss)k);
        for (int i = 0; i < n; i++) {
            snprintf(cb[i], sizeof cb[i], "%.2f", 1e3 * pt[i].mean.loss[k]);
            cells[i + 1] = cb[i];
        }
        cli_table_add_row(t, cells);
    }
    int hi = n - 1;
    double tot = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) tot += pt[hi].mean.loss[k];
    if (out) {
        cli_table_print(t, out);
        fprintf(out, "\nbottleneck at %gC: %s, %.1f mV of %.1f mV total overpotential (%.0f %%)\n", pt[hi].crate,
                ssb_cell_loss_label(pt[hi].bottleneck), 1e3 * pt[hi].mean.loss[pt[hi].bottleneck], 1e3 * tot,
                tot > 0 ? 100.0 * pt[hi].mean.loss[pt[hi].bottleneck] / tot : 0.0);
    }
    cli_table_destroy(&t);
    cJSON *jb = cJSON_AddObjectToObject(json, "bottleneck");
    cJSON_AddNumberToObject(jb, "C_rate", pt[hi].crate);
    cJSON_AddStringToObject(jb, "process", ssb_cell_loss_name(pt[hi].bottleneck));
    cJSON_AddNumberToObject(jb, "overpotential_V", pt[hi].mean.loss[pt[hi].bottleneck]);
}

static int write_text(cli_env *env, const char *path, const char *text)
{
    cli_outfile of;
    int rc = cli_atomic_open(env, &of, path);
    if (rc) return rc;
    fputs(text, of.fp);
    return cli_atomic_commit(env, &of);
}

/* The output folder, created only now that the run succeeded; removed again if it was new and writing fails
 * (the files already written are removed too: no half-filled folder). */
static int write_outputs(cli_env *env, const ssb_run_result *res, const char *outdir, cJSON *json, char *written,
                         size_t nwritten)
{
    int created = mkdir(outdir, 0777) == 0;
    if (!created && errno != EEXIST) {
        fprintf(stderr, "ssbnet: error: cannot create output folder '%s': %s\n", outdir, strerror(errno));
        return CLI_EXIT_IO;
    }
    char path[4200];
    int rc = 0;
    for (int i = 0; i < res->nrates && !rc; i++) {
        snprintf(path, sizeof path, "%s/discharge_%gC.csv", outdir, res->points[i].crate);
        int r = ssb_cell_result_write_csv(env->ctx, res->curves[i], path);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) {
        int r = ssb_run_write_plots(env->ctx, res, outdir, written, nwritten);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc && res->micro && res->generated) {
        snprintf(path, sizeof path, "%s/cathode.tif", outdir);
        int r = ssb_io_write_image(env->ctx, path, res->grid, NULL);
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc) {
            snprintf(path, sizeof path, "%s/cathode.tif.phases.json", outdir);
            rc = cli_phases_write(env, res->grid, path);
        }
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/report.json", outdir);
        char *txt = cJSON_Print(json);
        rc = txt ? write_text(env, path, txt) : CLI_EXIT_NOMEM;
        free(txt);
    }
    if (rc && created) {
        static const char *const fixed[] = {"report.json", "cathode.tif", "cathode.tif.phases.json",
                                            "voltage_curves.png", "rate_capability.png",
                                            "overpotential_breakdown.png", "voltage_curves.svg",
                                            "rate_capability.svg", "overpotential_breakdown.svg", NULL};
        for (int i = 0; fixed[i]; i++) {
            snprintf(path, sizeof path, "%s/%s", outdir, fixed[i]);
            unlink(path);
        }
        for (int i = 0; i < res->nrates; i++) {
            snprintf(path, sizeof path, "%s/discharge_%gC.csv", outdir, res->points[i].crate);
            unlink(path);
        }
        rmdir(outdir);
    }
    return rc;
}

int cmd_run(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 1)) {
        run_help();
        return 0;
    }
    cli_image_opts io;
    memset(&io, 0, sizeof io);
    cli_optval val[O_COUNT];
    const char *pos[1] = {NULL};
    int npos = 0;
    int rc = cli_opts_parse(env, "run", run_opts, O_COUNT, argc, argv, 1, val, pos, 1, &npos, image_hook, &io);
    if (rc) return rc;
    const char *cell = npos ? pos[0] : NULL;
    const char *outdir = val[O_OUT].given ? val[O_OUT].str : "ssbnet-out";

    /* the cell file, read once: the cell model's keys and the run's blocks */
    ssb_materials *db = NULL;
    ssb_cell_params *p = NULL;
    ssb_run_params rp = ssb_run_params_default();
    char *text = NULL;
    int r = ssb_materials_create(env->ctx, &db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
    if (r == SSB_OK && cell) {
        text = cli_read_file(cell);
        if (!text) {
            fprintf(stderr, "ssbnet: error: cannot read cell file '%s': %s\n", cell, strerror(errno));
            ssb_materials_destroy(&db);
            return CLI_EXIT_IO;
        }
        r = ssb_cell_params_from_json_string(env->ctx, db, text, cell, &p);
        if (r == SSB_OK) r = ssb_run_params_from_json_string(env->ctx, text, cell, &rp);
        free(text);
    } else if (r == SSB_OK) {
        r = ssb_cell_params_default(env->ctx, db, &p);
    }
    if (r != SSB_OK) rc = cli_fail(env, r);
    /* command-line options over the file */
    if (!rc && val[O_RATES].given) {
        rp.nrates = val[O_RATES].n;
        if (rp.nrates > SSB_RUN_MAX_RATES)
            rc = cli_usage_error(env, "option --rates: at most %d C-rates", SSB_RUN_MAX_RATES);
        for (int i = 0; i < rp.nrates && !rc; i++) rp.rates[i] = val[O_RATES].list[i];
    }
    if (val[O_CUTOFF].given) rp.cutoff = val[O_CUTOFF].num;
    if (val[O_SIZE].given) rp.cross_section = (int64_t)val[O_SIZE].num;
    if (val[O_SEED].given) rp.seed = (uint64_t)val[O_SEED].num;
    if (val[O_VOXEL].given) {
        rp.voxel_size = val[O_VOXEL].num * 1e-6;
        io.voxel_um = val[O_VOXEL].num;
    }
    if (val[O_IMAGE].given) snprintf(rp.image_file, sizeof rp.image_file, "%s", val[O_IMAGE].str);
    if (val[O_NOMICRO].given) rp.micro = 0;
    for (int i = 0; i < val[O_SET].n && !rc; i++) rc = apply_set(env, val[O_SET].multi[i], p, &rp);
    ssb_grid *image = NULL;
    if (!rc && rp.micro && rp.image_file[0]) {
        rc = cli_image_load(env, &io, rp.image_file, &image);
        rp.image = image;
    }

    ssb_run_result res;
    memset(&res, 0, sizeof res);
    if (!rc) {
        r = ssb_run(env->ctx, db, p, &rp, &res);
        cli_progress_done();
    }
    FILE *out = env->json ? NULL : stdout;
    cJSON *json = cJSON_CreateObject();
    if (!rc && res.stage >= 0 && res.params) {
        const ssb_cell_values *v = &res.values_in;
        if (out)
            fprintf(out, "ssbnet %s: %s\n%s (%.3g um) | %s separator (%.3g um) | %s\n\n", ssb_version(),
                    cell ? cell : "built-in default cell", v->pos.active_material[0] ? v->pos.active_material : "cathode",
                    v->pos.thickness * 1e6, v->sep.electrolyte[0] ? v->sep.electrolyte : "SE", v->sep.thickness * 1e6,
                    v->anode == SSB_CELL_ANODE_LI_METAL ? "Li metal" : "composite anode");
        cJSON_AddStringToObject(json, "version", ssb_version());
        cJSON_AddStringToObject(json, "cell", cell ? cell : "built-in default");
        /* what was measured is reported also when a later stage fails (e.g. a network that does not percolate) */
        if (res.micro && res.grid) rc = report_micro(env, &res, json, r == SSB_OK ? out : NULL);
        if (!rc && r == SSB_OK) {
            if (res.micro) report_handover(&res, json, out);
            report_cell(&res, json, out);
        }
    }
    if (!rc && r != SSB_OK) rc = cli_fail(env, r);
    char written[1024] = "";
    if (!rc) rc = write_outputs(env, &res, outdir, json, written, sizeof written);
    if (!rc && out)
        fprintf(out, "\nwrote %s/: report.json, discharge_<rate>C.csv, %s%s\n", outdir, written,
                res.micro && res.generated ? ", cathode.tif (+ .phases.json)" : "");
    if (!rc && env->json)
        cli_json_print(json);
    else
        cJSON_Delete(json);
    ssb_run_result_destroy(&res);
    ssb_grid_destroy(&image);
    ssb_cell_params_destroy(&p);
    ssb_materials_destroy(&db);
    return rc;
}
