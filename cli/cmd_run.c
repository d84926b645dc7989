/* ssbnet run [CELL.json]: the main job. Argument parsing, one call of the library's chain (ssb_run, see
 * include/ssbnet/ssb_run.h for the physics of each stage), and the output: tables on stdout, one JSON object with
 * --json, and the output folder (report.json, discharge curves, plots, the structure). */
#include "cli_design.h"
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_opts.h"
#include "cli_report.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_units.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* display units through the one table (ssb_units.h) */
#define UM(x) ssb_unit_from_si(SSB_UNIT_UM, (x))
#define MV(x) ssb_unit_from_si(SSB_UNIT_MV, (x))

enum { O_OUT, O_RATES, O_CUTOFF, O_SIZE, O_VOXEL, O_SEED, O_IMAGE, O_NOMICRO, O_SET, O_CHECKRES, O_COUNT };
static const cli_opt run_opts[O_COUNT] = {
    [O_OUT] = {"--output", "-o", CLI_OPT_STRING, "DIR", NULL, 0, 0, "output folder (default ssbnet-out; created "
                                                                     "only when the run succeeds)", NULL},
    [O_RATES] = {"--rates", NULL, CLI_OPT_LIST, "LIST", "C", 1e-9, 100, "C-rates (default 0.1,0.2,0.5,1,2)", NULL},
    [O_CUTOFF] = {"--cutoff", NULL, CLI_OPT_DOUBLE, "V", "V", 0.5, 6, "discharge cut-off voltage (default 3.5)",
                  NULL},
    [O_SIZE] = {"--size", NULL, CLI_OPT_INT, "N", "voxels", 16, 1024,
                "in-plane cross-section of the generated cathode (default 96)", NULL},
    [O_VOXEL] = {"--voxel-um", NULL, CLI_OPT_DOUBLE, "H", "um", 1e-3, 100,
                 "voxel size (default: CAM diameter / 12.5, 0.4 for 5 um; with --image: overrides the image's)", NULL},
    [O_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, 0, 9.007199254740992e15,
                "seed of the generated cathode (default 1)", NULL},
    [O_IMAGE] = {"--image", NULL, CLI_OPT_STRING, "IMAGE", NULL, 0, 0,
                 "segmented image of the cathode instead of a generated one (z through the thickness)", NULL},
    [O_NOMICRO] = {"--no-micro", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0,
                   "skip the microstructure: the cell's Bruggeman relations (with --image, --voxel-um, --size, --seed or "
                   "--check-resolution: exit 2)", NULL},
    [O_SET] = {"--set", NULL, CLI_OPT_MULTI, "KEY=VALUE", NULL, 0, 0,
               "set a cell key in its JSON units (positive.thickness_um=80, temperature_C=40) or a "
               "microstructure./run. key (run.rates_C=0.2,1,3: a comma list); repeatable",
               NULL},
    [O_CHECKRES] = {"--check-resolution", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0,
                    "resolution check of the structure: SE tau and CAM|SE area at h and h/2 and in a wider box "
                    "(generated), SE tau at h and 2h (image)",
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
           "  \"microstructure\": {\"size_voxels\": 96, \"through_plane_voxels\": 0, \"voxel_size_um\": 0 (auto),\n"
           "                     \"seed\": 1, \"cam_gsd\": 1.3, \"carbon\": \"Super P\", \"carbon_diameter_um\": 1.0,\n"
           "                     \"pore_diameter_um\": 1.2, \"overlap\": 0.15, \"marching_cubes\": true,\n"
           "                     \"image\": \"cathode.tif\", \"enabled\": true,\n"
           "                     electrode architecture (0 = off): \"se_diameter_um\": 0, \"channel_fraction\": 0,\n"
           "                     \"channel_diameter_um\": 10, \"carbon_shape\": \"sphere\"|\"fibre\",\n"
           "                     \"fibre_length_um\": 10, \"cam_small_fraction\": 0, \"cam_small_diameter_um\": 1,\n"
           "                     \"cam_gradient\": 0,\n"
           "                     \"diffusion_length\": \"particle\"|\"insertion_paths\" (particle radius times the\n"
           "                     structure's insertion-path factor: Li enters the CAM only through its CAM|SE\n"
           "                     contacts; opt-in, README validation)}\n"
           "  \"run\": {\"rates_C\": [0.1, 0.5, 1, 2], \"cutoff_V\": 3.5, \"interface_ageing_h\": 1000}\n\n"
           "examples:\n"
           "  ssbnet run                                  # built-in default cell\n"
           "  ssbnet run cell.json -o out --rates 0.2,1,3 --json\n"
           "  ssbnet run --set positive.thickness_um=100 --set microstructure.seed=4\n");
}

/* {"section": {"sub": value}} for a microstructure.* / run.* --set, built as cJSON nodes and never pasted into
 * JSON text, so a value such as '1]}, "x": {"y": 2' cannot inject keys. run.rates_C takes a comma list of numbers
 * (*bad set when it is not one), a number or true/false becomes that, anything else a string. NULL on failure. */
static char *set_json(const char *key, const char *sub, const char *val, int is_num, double num, int *bad)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *sect = root ? cJSON_AddObjectToObject(root, strncmp(key, "run.", 4) == 0 ? "run" : "microstructure") : NULL;
    cJSON *node = NULL;
    if (strcmp(key, "run.rates_C") == 0) {
        node = cJSON_CreateArray();
        for (const char *s = val; node;) {
            char *end;
            double r = strtod(s, &end);
            *bad = end == s || !isfinite(r) || (*end != ',' && *end != '\0');
            if (*bad || !cJSON_AddItemToArray(node, cJSON_CreateNumber(r)) || *end == '\0')
                break;
            s = end + 1;
        }
    } else if (is_num)
        node = cJSON_CreateNumber(num);
    else if (strcmp(val, "true") == 0 || strcmp(val, "false") == 0)
        node = cJSON_CreateBool(val[0] == 't');
    else
        node = cJSON_CreateString(val);
    char *json = NULL;
    if (sect && node && !*bad && cJSON_AddItemToObject(sect, sub, node))
        json = cJSON_PrintUnformatted(root);
    else
        cJSON_Delete(node);
    cJSON_Delete(root);
    return json;
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
        int bad = 0;
        char *json = set_json(key, dot + 1, val, is_num, num, &bad);
        if (!json) {
            if (bad)
                fprintf(stderr, "%s: error: option --set: %s = '%s' is not a comma list of numbers (e.g. 0.1,0.5,1)\n",
                        env->prog ? env->prog : "ssbnet", key, val);
            else
                fprintf(stderr, "%s: error: option --set: out of memory\n", env->prog ? env->prog : "ssbnet");
            return bad ? CLI_EXIT_ARG : CLI_EXIT_NOMEM;
        }
        int r = ssb_run_params_from_json_string(env->ctx, json, "option --set", rp);
        cJSON_free(json);
        if (r != SSB_ERR_FORMAT)
            return r == SSB_OK ? 0 : cli_fail(env, r);
        /* the JSON is well formed, so the reader rejected the key or the type of the value */
        if (strstr(ssb_ctx_get_error(env->ctx), "unknown key"))
            return cli_fail(env, r);
        fprintf(stderr, "%s: error: %s (got '%s')\n", env->prog ? env->prog : "ssbnet", ssb_ctx_get_error(env->ctx),
                val);
        ssb_ctx_clear_error(env->ctx);
        return CLI_EXIT_ARG;
    }
    if (!is_num) return cli_usage_error(env, "option --set: %s = '%s' is not a number", key, val);
    int r = ssb_cell_params_set(env->ctx, p, key, num);
    const char *msg = r == SSB_ERR_NOTFOUND ? ssb_ctx_get_error(env->ctx) : "", *valid = strstr(msg, "(valid: ");
    if (strncmp(msg, "unknown section", 15) == 0 && valid) {
        /* the cell's sections, and the two this command adds */
        fprintf(stderr, "%s: error: option --set: %.*s(valid: microstructure, run, %s\n",
                env->prog ? env->prog : "ssbnet", (int)(valid - msg), msg, valid + 8);
        ssb_ctx_clear_error(env->ctx);
        return cli_exit_code(r);
    }
    return r == SSB_OK ? 0 : cli_fail(env, r);
}

static cJSON *transport_json(const ssb_transport_result *r)
{
    return cli_report_json(cJSON_CreateObject(), ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT), r);
}

/* The structure, its networks and the hand-over to the cell model. */
/* The voxel-size rule, the phases under it and the resolution check (issue 7 item 2). */
static void report_resolution(const ssb_run_result *res, cJSON *js, FILE *out)
{
    const ssb_micro_features *f = &res->features;
    cJSON *jr = cJSON_AddObjectToObject(js, "resolution");
    if (res->generated) cJSON_AddNumberToObject(jr, "voxel_size_rule_um", UM(res->voxel_size_rule));
    cJSON_AddNumberToObject(jr, "voxels_across_required", f->n_across);
    cJSON *ju = cJSON_AddArrayToObject(jr, "under_resolved_phases");
    for (int i = 0; i < f->nlabels; i++) {
        if (!f->label[i].under_resolved) continue;
        const ssb_phase *ph = ssb_grid_find_phase(res->grid, f->label[i].label);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "phase", ph ? ph->name : "?");
        cJSON_AddNumberToObject(o, "feature_size_um", UM(f->label[i].feature_size));
        cJSON_AddNumberToObject(o, "voxels_across", f->label[i].voxels_across);
        cJSON_AddItemToArray(ju, o);
    }
    if (res->netcheck_done) {
        const ssb_micro_network_check *n = &res->netcheck;
        cJSON_AddStringToObject(jr, "voxel_size_choice", res->voxel_choice);
        cJSON_AddNumberToObject(jr, "voxel_refinements", res->voxel_refinements);
        cJSON_AddNumberToObject(jr, "subvoxels_per_edge", res->subvoxel);
        cJSON_AddNumberToObject(jr, "electronic_false_contact_voxels", (double)res->el_cut);
        cJSON *jn = cJSON_AddObjectToObject(jr, "networks");
        cJSON *jdim = cJSON_AddArrayToObject(jn, "dimensions");
        for (int k = 0; k < 3; k++) cJSON_AddItemToArray(jdim, cJSON_CreateNumber((double)n->dims[k]));
        cJSON_AddNumberToObject(jn, "voxel_size_um", UM(n->h));
        cli_json_add_number(jn, "tau_ion", n->tau_ion[0]);
        cli_json_add_number(jn, "tau_ion_half_voxel", n->tau_ion[1]);
        cli_json_add_number(jn, "tau_ion_rel_change", n->rel_ion);
        cli_json_add_number(jn, "tau_el", n->tau_el[0]);
        cli_json_add_number(jn, "tau_el_half_voxel", n->tau_el[1]);
        cli_json_add_number(jn, "tau_el_rel_change", n->rel_el);
        cJSON_AddBoolToObject(jn, "resolved", n->resolved);
    }
    const ssb_micro_resolution_result *r = &res->resolution;
    if (res->resolution_checked) {
        cJSON *jc = cJSON_AddObjectToObject(jr, "check");
        cli_json_add_number(jc, "tau", r->tau[0]);
        cli_json_add_number(jc, res->generated ? "tau_half_voxel" : "tau_double_voxel", r->tau[1]);
        cli_json_add_number(jc, "tau_rel_change", r->rel_tau);
        if (res->generated) {
            cli_json_add_number(jc, "tau_extrapolated", r->tau_extrapolated);
            cli_json_add_number(jc, "area_rel_change", r->rel_area);
            cli_json_add_number(jc, "tau_larger_box", r->tau_box);
            cli_json_add_number(jc, "tau_box_rel_change", r->rel_tau_box);
            cJSON_AddBoolToObject(jc, "box_ok", r->box_ok);
        }
        cJSON_AddBoolToObject(jc, "resolved", r->resolved);
    }
    if (!out) return;
    if (res->netcheck_done) {
        const ssb_micro_network_check *n = &res->netcheck;
        if (res->voxel_size_rule > 0)
            fprintf(out, "resolution: voxel size %.3g um (%s: CAM diameter / %g = %.3g um%s)\n", UM(res->voxel_size[2]),
                    res->voxel_choice, SSB_RUN_VOXELS_ACROSS_CAM, UM(res->voxel_size_rule),
                    res->voxel_refinements ? ", refined by sqrt(2) until the networks converged" : "");
        else
            fprintf(out, "resolution: voxel size %.3g um (forced)\n", UM(res->voxel_size[2]));
        fprintf(out, "resolution check (%lld^3 voxels of the recipe, the same spheres at h and h/2; Li+ on %d^3 "
                     "sub-voxels, e- without false contacts): tau Li+ %.4g at h, %.4g at h/2 (change %.1f %%), "
                     "tau e- %.4g at h, %.4g at h/2 (change %.1f %%): %s\n",
                (long long)n->dims[0], res->subvoxel, n->tau_ion[0], n->tau_ion[1], 100 * n->rel_ion, n->tau_el[0],
                n->tau_el[1], 100 * n->rel_el, n->resolved ? "converged within 5 %" : "NOT converged (> 5 %)");
    }
    if (res->resolution_checked && res->generated)
        fprintf(out, "extended check (%lld^3 voxels, SE alone): SE tau %.4g at h, %.4g at h/2 (change %.1f %%; extrapolated "
                     "%.4g), CAM|SE area change %.1f %%, tau in a %.2gx wider box %.4g (change %.1f %%)\n",
                (long long)r->dims[0], r->tau[0], r->tau[1], 100 * r->rel_tau, r->tau_extrapolated,
                100 * r->rel_area, ssb_micro_resolution_params_default().box_factor, r->tau_box, 100 * r->rel_tau_box);
    else if (res->resolution_checked)
        fprintf(out, "resolution check: SE tau %.4g at the image's voxel size, %.4g at twice it (change %.1f %%)\n",
                r->tau[0], r->tau[1], 100 * r->rel_tau);
    fputc('\n', out);
}

/* The electrode-architecture part of the recipe (issue 12): every key in JSON, a line only when one is on. */
static void report_architecture(const ssb_run_result *res, cJSON *js, FILE *out)
{
    const ssb_run_cathode *c = &res->cathode;
    const int fibre = c->carbon_shape == SSB_MICRO_PARTICLE_FIBRE;
    cJSON *ja = cJSON_AddObjectToObject(js, "architecture");
    cJSON_AddNumberToObject(ja, "se_diameter_um", UM(c->se_diameter));
    cJSON_AddNumberToObject(ja, "channel_fraction", c->channel_fraction);
    cJSON_AddNumberToObject(ja, "channel_diameter_um", UM(c->channel_diameter));
    cJSON_AddStringToObject(ja, "carbon_shape", fibre ? "fibre" : "sphere");
    cJSON_AddNumberToObject(ja, "fibre_length_um", UM(c->fibre_length));
    cJSON_AddNumberToObject(ja, "cam_small_fraction", c->cam_small_fraction);
    cJSON_AddNumberToObject(ja, "cam_small_diameter_um", UM(c->cam_small_diameter));
    cJSON_AddNumberToObject(ja, "cam_gradient", c->cam_gradient);
    if (res->gen.nchannels > 0) {
        cJSON *jc = cJSON_AddObjectToObject(js, "channels");
        cJSON_AddNumberToObject(jc, "count", (double)res->gen.nchannels);
        cJSON_AddNumberToObject(jc, "diameter_um", UM(res->gen.channel_diameter));
        cJSON_AddNumberToObject(jc, "fraction", res->gen.channel_fraction);
    }
    if (!out || !(c->se_diameter > 0 || c->channel_fraction > 0 || fibre || c->cam_small_fraction > 0 ||
                  c->cam_gradient != 0))
        return;
    fprintf(out, "electrode architecture:");
    if (c->se_diameter > 0) fprintf(out, " SE particles of %.3g um (voids the rest);", UM(c->se_diameter));
    if (res->gen.nchannels > 0)
        fprintf(out, " %lld vertical SE channel(s) of %.3g um (%.4f of the cross-section);", (long long)res->gen.nchannels,
                UM(res->gen.channel_diameter), res->gen.channel_fraction);
    if (fibre) fprintf(out, " carbon fibres %.3g um long;", UM(c->fibre_length));
    if (c->cam_small_fraction > 0)
        fprintf(out, " bimodal CAM, %.2f of it at %.3g um;", c->cam_small_fraction, UM(c->cam_small_diameter));
    if (c->cam_gradient != 0)
        fprintf(out, " CAM fraction graded %.3f at the current collector to %.3f at the separator;",
                c->cam_fraction * (1 + 0.5 * c->cam_gradient), c->cam_fraction * (1 - 0.5 * c->cam_gradient));
    fprintf(out, "\n\n");
}

static int report_micro(cli_env *env, const ssb_run_result *res, cJSON *json, FILE *out)
{
    if (out && res->generated) {
        const ssb_run_cathode *c = &res->cathode;
        fprintf(out,
                "cathode microstructure: %s %.2f (d %.3g um), %s %.2f, %s %.2f, voids %.2f; %lld x %lld x %lld "
                "voxels of %.3g um (%.4g x %.4g um in-plane, %.4g um through the thickness), seed %llu\n\n",
                c->cam, c->cam_fraction, UM(c->cam_diameter), c->se,
                1 - c->cam_fraction - c->carbon_fraction - c->pore_fraction, c->carbon, c->carbon_fraction,
                c->pore_fraction, (long long)c->dims[0], (long long)c->dims[1], (long long)c->dims[2],
                UM(c->voxel_size), UM(res->extent[0]), UM(res->extent[1]), UM(res->extent[2]),
                (unsigned long long)c->seed);
    }
    cJSON *js = cJSON_AddObjectToObject(json, "structure");
    cJSON_AddStringToObject(js, "source", res->generated ? "generated" : "image");
    cJSON *jd = cJSON_AddArrayToObject(js, "dimensions");
    cJSON *je = cJSON_AddArrayToObject(js, "extent_um");
    for (int k = 0; k < 3; k++) {
        cJSON_AddItemToArray(jd, cJSON_CreateNumber((double)res->dims[k]));
        cJSON_AddItemToArray(je, cJSON_CreateNumber(UM(res->extent[k])));
    }
    cJSON_AddNumberToObject(js, "voxel_size_um", UM(res->voxel_size[2]));
    cJSON_AddStringToObject(js, "through_plane_axis", "z");
    cJSON_AddNumberToObject(js, "cathode_thickness_um", UM(res->values_in.pos.thickness));
    if (res->generated) cJSON_AddNumberToObject(js, "seed", (double)res->cathode.seed);
    if (res->generated) report_architecture(res, js, out);
    report_resolution(res, js, out);

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
        static const char *const cols[] = {"eps", "sigma_bulk", "sigma_eff", "tau", "macmullin", "iterations", NULL};
        const ssb_report_type *tt = ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT);
        cli_table *t = cli_report_table(tt, "network", cols);
        cli_report_table_row(t, tt, "ionic (Li+)", cols, ion);
        cli_report_table_row(t, tt, "electronic (e-)", cols, el);
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
    const ssb_report_type *ht = ssb_run_report_type(SSB_RUN_REPORT_HANDOVER);
    cJSON *jh = cli_report_json(cJSON_AddObjectToObject(json, "handover"), ht, res);
    cJSON_AddStringToObject(jh, "area_factor_method", res->area_factor_method);
    /* why the voxelised sphere stands in for the structure: mc_face_ratio is NAN when marching cubes did not
       resolve the CAM|SE interface (features about one voxel across), 0 when it was off or there is no CAM|SE face */
    const char *why = NULL;
    if (strcmp(res->area_factor_method, "voxelised_sphere") == 0) {
        if (isnan(res->cam.mc_face_ratio))
            why = "the structure's CAM|SE surface was not resolved by marching cubes (features about one voxel "
                  "across: a finer voxel size resolves it)";
        else if (!res->cam.cam_se_mc.method)
            why = "marching cubes is off (microstructure.marching_cubes = false)";
        else
            why = "the structure has no CAM|SE interface to measure";
        cJSON_AddStringToObject(jh, "area_factor_reason", why);
    }
    if (!out) return;
    fprintf(out, "hand-over to the cell model (each value next to the one it comes from)\n");
    cli_table *t = cli_table_create(2, (const char *[]){"quantity", "value"});
    for (int k = 0; k < ht->nfields; k++) {
        char h[128], v[64];
        ssb_report_field_header(&ht->fields[k], h, sizeof h);
        ssb_report_field_format(&ht->fields[k], res, v, sizeof v);
        cli_table_add_row(t, (const char *[]){h, v});
    }
    cli_table_print(t, out);
    cli_table_destroy(&t);
    if (why)
        fprintf(out, "(area factor: measured on a voxelised sphere of the CAM diameter, because %s; face counting "
                     "over-estimates a smooth surface by 3/2 on average)\n\n",
                why);
    else
        fprintf(out, "(area factor: marching-cubes / face-count area of this structure's CAM|SE interface; face "
                     "counting over-estimates a smooth surface by 3/2 on average)\n\n");
}

/* A rate the cell cannot carry: its C-rate and current, "not sustained" under the capacity, "-" elsewhere (the
 * numbers of such a point are zero or NaN by definition; its reason is printed under the table). */
static void unsustained_row(cli_table *t, const ssb_report_type *rt, const ssb_cell_rate_point *p)
{
    char cb[64][96];
    const char *cells[64];
    int m = 0;
    for (int k = 0; k < rt->nfields && m < 64; k++, m++) {
        const char *key = rt->fields[k].key;
        if (strcmp(key, "c_rate") == 0 || strcmp(key, "current") == 0 || strcmp(key, "sustained") == 0)
            ssb_report_field_format(&rt->fields[k], p, cb[m], sizeof cb[m]);
        else
            snprintf(cb[m], sizeof cb[m], "%s", strcmp(key, "capacity") == 0 ? "not sustained" : "-");
        cells[m] = cb[m];
    }
    cli_table_add_row(t, cells);
}

static void report_cell(const ssb_run_result *res, cJSON *json, FILE *out)
{
    const ssb_cell_values *vv = &res->values;
    const ssb_cell_rate_point *pt = res->points;
    int n = res->nrates;
    cJSON *jc = cJSON_AddObjectToObject(json, "cell");
    cJSON_AddNumberToObject(jc, "temperature_K", vv->cell.T);
    cJSON_AddNumberToObject(jc, "cathode_thickness_um", UM(vv->pos.thickness));
    cJSON_AddNumberToObject(jc, "separator_thickness_um", UM(vv->sep.thickness));
    /* the separator's conductivity as the model uses it: at the cell temperature (the value in the values is the
     * one at the temperature the file was read at), key and value as 'cell rates' */
    const double sep_sigma =
        (isfinite(vv->sep.sigma_i_eff) ? vv->sep.sigma_i_eff : vv->sep.sigma_i) *
        ssb_cell_sigma_factor(vv, SSB_CELL_REGION_SEP);
    cJSON_AddNumberToObject(jc, "separator_sigma_eff_S_per_m", sep_sigma);
    cJSON_AddNumberToObject(jc, "cutoff_V", res->cutoff);
    char missing[512];
    if (ssb_run_missing_densities(vv, missing, sizeof missing))
        cJSON_AddStringToObject(jc, "missing_densities", missing);
    cJSON *jr = cJSON_AddArrayToObject(json, "rates");
    const ssb_report_type *rt = ssb_run_report_type(SSB_RUN_REPORT_RATE_POINT);
    cli_table *t = cli_report_table(rt, NULL, NULL);
    for (int i = 0; i < n; i++) {
        if (pt[i].sustained)
            cli_report_table_row(t, rt, NULL, NULL, &pt[i]);
        else
            unsustained_row(t, rt, &pt[i]);
        cJSON *o1 = cli_report_json(cJSON_CreateObject(), rt, &pt[i]);
        cJSON_AddItemToObject(o1, "mean_breakdown", cli_report_breakdown_json(&pt[i].mean));
        cJSON_AddItemToObject(o1, "start_breakdown", cli_report_breakdown_json(&pt[i].start));
        if (!pt[i].sustained) cJSON_AddStringToObject(o1, "reason", pt[i].reason);
        cJSON_AddItemToArray(jr, o1);
    }
    if (out) {
        fprintf(out, "cell: separator %s sigma = %.4g S/m at %.1f K; discharge to %.2f V\n",
                vv->sep.electrolyte[0] ? vv->sep.electrolyte : "SE", sep_sigma, vv->cell.T, res->cutoff);
        cli_table_print(t, out);
        for (int i = 0; i < n; i++)
            if (!pt[i].sustained) fprintf(out, "%s\n", pt[i].reason);
        char miss[512];
        int lacks = n > 0 && !isfinite(pt[0].wh_per_kg) ? 1 + ssb_run_missing_densities(vv, miss, sizeof miss) : 0;
        if (lacks) /* a carbon's density: from the carbon the electrode names */
            fprintf(out, "(stack Wh/kg is not a number: the cell lacks %s%s)\n",
                    lacks > 1 ? miss : "a density of the stack is missing",
                    lacks > 1 && strstr(miss, "density_carbon") ? "; name the electrode's \"carbon\" (e.g. \"carbon "
                                                                  "black\") or give the density" : "");
        fputc('\n', out);
    }
    cli_table_destroy(&t);
    /* breakdown table: losses (mV) per C-rate */
    int show[SSB_CELL_LOSS_COUNT] = {0};
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        for (int i = 0; i < n; i++) show[k] |= pt[i].sustained && fabs(pt[i].mean.loss[k]) > 1e-6;
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
            if (pt[i].sustained)
                snprintf(cb[i], sizeof cb[i], "%.2f", MV(pt[i].mean.loss[k]));
            else
                snprintf(cb[i], sizeof cb[i], "-");
            cells[i + 1] = cb[i];
        }
        cli_table_add_row(t, cells);
    }
    /* the bottleneck is named at the highest rate the cell carries (a rate that is not sustained has none) */
    int hi = ssb_cell_rate_sweep_last_sustained(n, pt);
    double tot = 0;
    for (int k = 0; hi >= 0 && k < SSB_CELL_LOSS_COUNT; k++) tot += pt[hi].mean.loss[k];
    if (out) {
        cli_table_print(t, out);
        if (hi < 0)
            fprintf(out, "\nno bottleneck: the cell carries none of these rates (reasons above)\n");
        else
            fprintf(out, "\nbottleneck at %gC: %s, %.1f mV of %.1f mV total overpotential (%.0f %%)\n", pt[hi].crate,
                ssb_cell_loss_label(pt[hi].bottleneck), MV(pt[hi].mean.loss[pt[hi].bottleneck]), MV(tot),
                tot > 0 ? 100.0 * pt[hi].mean.loss[pt[hi].bottleneck] / tot : 0.0);
        if (res->micro)
            fprintf(out, "time: structure %.2f s, networks %.2f s, cell %.2f s\n", res->time_s[0], res->time_s[1],
                    res->time_s[3]);
    }
    cli_table_destroy(&t);
    cJSON *jt = cJSON_AddObjectToObject(json, "stage_time_s");
    static const char *const stage[4] = {"structure", "networks", "handover", "cell"};
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(jt, stage[k], res->time_s[k]);
    if (hi < 0) {
        cJSON_AddNullToObject(json, "bottleneck");
        return;
    }
    cJSON *jb = cJSON_AddObjectToObject(json, "bottleneck");
    cJSON_AddNumberToObject(jb, "c_rate", pt[hi].crate);
    cJSON_AddStringToObject(jb, "process", ssb_cell_loss_name(pt[hi].bottleneck));
    cJSON_AddNumberToObject(jb, "overpotential_V", pt[hi].mean.loss[pt[hi].bottleneck]);
}

/* Interface stability of both contacts and the resistance after the ageing the data imply (stage 5). */
static void report_interfaces(const ssb_run_result *res, cJSON *json, FILE *out)
{
    if (!res->iface) {
        if (res->iface_note[0]) {
            cJSON_AddStringToObject(json, "interfaces_note", res->iface_note);
            if (out) fprintf(out, "\ninterfaces: not assessed: %s\n", res->iface_note);
        }
        return;
    }
    const ssb_iface_assessment *a = &res->interfaces;
    cJSON *ji = cJSON_AddObjectToObject(json, "interfaces");
    cJSON_AddNumberToObject(ji, "ageing_h", a->hours);
    const ssb_iface_stability *st[2] = {&a->pos, &a->neg};
    const double R0[2] = {a->R_pos_initial, a->R_neg_initial}, R1[2] = {a->R_pos_aged, a->R_neg_aged};
    static const char *const side[2] = {"positive", "negative"};
    static const char *hd[] = {"contact", "stable", "interphase", "unstable range [V vs Li]", "R initial [ohm cm2]",
                               "R aged [ohm cm2]"};
    cli_table *t = cli_table_create(6, hd);
    for (int k = 0; k < 2; k++) {
        cJSON *o = cli_iface_stability_json(st[k]);
        cli_json_add_number(o, "resistance_initial_ohm_cm2", 1e4 * R0[k]);
        cli_json_add_number(o, "resistance_aged_ohm_cm2", 1e4 * R1[k]);
        cJSON_AddItemToObject(ji, side[k], o);
        char c0[160], c3[64] = "-", c4[32], c5[32];
        snprintf(c0, sizeof c0, "%s|%s", st[k]->electrode, st[k]->electrolyte);
        size_t len = 0;
        for (int i = 0; i < st[k]->n_unstable && len < sizeof c3; i++)
            len += (size_t)snprintf(c3 + len, sizeof c3 - len, "%s%.2f-%.2f", i ? ", " : "", st[k]->unstable[i][0],
                                    st[k]->unstable[i][1]);
        snprintf(c4, sizeof c4, "%.4g", 1e4 * R0[k]);
        snprintf(c5, sizeof c5, "%.4g", 1e4 * R1[k]);
        const char *row[6] = {c0,
                              st[k]->stable < 0 ? "unknown" : st[k]->stable ? "yes" : st[k]->nearly_stable ? "nearly" : "no",
                              ssb_iface_type_name(st[k]->type), c3, c4, c5};
        cli_table_add_row(t, row);
    }
    if (out) {
        fprintf(out, "\ninterfaces (stability over the operating window; resistance after %g h at the top-of-charge "
                     "potential, cell temperature; the cathode's per CAM|SE area)\n",
                a->hours);
        cli_table_print(t, out);
        for (int k = 0; k < 2; k++)
            if (st[k]->stable >= 0) fprintf(out, "  %s window: %s\n", side[k], st[k]->window_source);
        const ssb_iface_stability *p = &a->pos;
        if (p->stable == 0 && p->ncoatings > 0 && p->coatings[0].stable)
            fprintf(out, "  best-ranked coating for the %s|%s contact: %s (%s)\n", p->electrode, p->electrolyte,
                    p->coatings[0].name, p->coatings[0].source);
    }
    cli_table_destroy(&t);
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
        if (!res->curves[i]) continue; /* a rate without a consistent start under load has no curve */
        snprintf(path, sizeof path, "%s/discharge_%gC.csv", outdir, res->points[i].crate);
        int r = ssb_cell_result_write_csv(env->ctx, res->curves[i], path);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) {
        int r = ssb_run_write_plots(env->ctx, res, outdir, written, nwritten);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) { /* the self-contained HTML report (ssb_run_write_html) */
        snprintf(path, sizeof path, "%s/report.html", outdir);
        int r = ssb_run_write_html(env->ctx, res, path);
        if (r != SSB_OK) rc = cli_fail(env, r);
        else if (strlen(written) + 14 < nwritten) strcat(written, ", report.html");
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
                                            "rate_capability.svg", "overpotential_breakdown.svg", "report.html", NULL};
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
    cli_optval val[O_COUNT];
    const char *cell = NULL;
    int rc = cli_opts_parse_image(env, "run", run_opts, O_COUNT, argc, argv, 1, val, &io, &cell);
    if (rc) return rc;
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
        r = ssb_run_load_string(env->ctx, db, text, cell, &p, &rp); /* one parse feeds both readers */
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
        rp.voxel_size = ssb_unit_to_si(SSB_UNIT_UM, val[O_VOXEL].num);
        io.voxel_um = val[O_VOXEL].num;
    }
    if (val[O_IMAGE].given) snprintf(rp.image_file, sizeof rp.image_file, "%s", val[O_IMAGE].str);
    if (val[O_NOMICRO].given) rp.micro = 0;
    if (val[O_CHECKRES].given) rp.check_resolution = 1;
    for (int i = 0; i < val[O_SET].n && !rc; i++) rc = apply_set(env, val[O_SET].multi[i], p, &rp);
    /* options of the structure on a run without one contradict it: refused, not ignored ('run --no-micro --image
       cathode.tif' ran the Bruggeman cell and never read the image) */
    if (!rc && !rp.micro) {
        static const int structural[] = {O_IMAGE, O_VOXEL, O_SIZE, O_SEED, O_CHECKRES};
        char given[160] = "";
        for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
            if (val[structural[i]].given)
                snprintf(given + strlen(given), sizeof given - strlen(given), "%s%s", given[0] ? ", " : "",
                         run_opts[structural[i]].name);
        if (!given[0] && rp.image_file[0]) snprintf(given, sizeof given, "microstructure.image");
        if (given[0])
            rc = cli_usage_error(env, "%s act%s on the microstructure, which %s skips: drop %s or the %s", given,
                                 strchr(given, ',') ? "" : "s",
                                 val[O_NOMICRO].given ? "--no-micro" : "microstructure.enabled = false",
                                 strchr(given, ',') ? "them" : "it",
                                 val[O_NOMICRO].given ? "--no-micro" : "microstructure.enabled = false");
    }
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
    /* the readable report goes to a buffer and reaches stdout only when everything succeeded */
    char *report = NULL;
    size_t report_len = 0;
    FILE *out = env->json ? NULL : open_memstream(&report, &report_len);
    if (!env->json && !out && !rc) rc = CLI_EXIT_NOMEM;
    cJSON *json = cJSON_CreateObject();
    if (!rc && r == SSB_OK) {
        const ssb_cell_values *v = &res.values_in;
        if (out)
            fprintf(out, "ssbnet %s: %s\n%s (%.3g um) | %s separator (%.3g um) | %s\n\n", ssb_version(),
                    cell ? cell : "built-in default cell", v->pos.active_material[0] ? v->pos.active_material : "cathode",
                    UM(v->pos.thickness), v->sep.electrolyte[0] ? v->sep.electrolyte : "SE", UM(v->sep.thickness),
                    v->anode == SSB_CELL_ANODE_LI_METAL ? "Li metal" : "composite anode");
        cJSON_AddStringToObject(json, "version", ssb_version());
        cJSON_AddStringToObject(json, "cell_file", cell ? cell : "built-in default");
        if (res.micro && res.grid) rc = report_micro(env, &res, json, out);
        if (!rc) {
            if (res.micro) report_handover(&res, json, out);
            report_cell(&res, json, out);
            report_interfaces(&res, json, out);
            rc = cli_design_suggest(env, db, p, &rp, &res, 1.0, json, out);
        }
    }
    if (!rc && r != SSB_OK) rc = cli_fail(env, r);
    char written[1024] = "";
    if (!rc) rc = write_outputs(env, &res, outdir, json, written, sizeof written);
    if (!rc && out)
        fprintf(out, "\nwrote %s/: report.json, discharge_<rate>C.csv, %s%s\n", outdir, written,
                res.micro && res.generated ? ", cathode.tif (+ .phases.json)" : "");
    if (out) {
        fclose(out);
        if (!rc) fwrite(report, 1, report_len, stdout);
        free(report);
    }
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
