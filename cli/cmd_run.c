/* ssbnet run [CELL.json]: the main job. Until the cell model exists it is the network analysis of a composite
 * cathode: generate the microstructure, measure its networks, solve its effective ionic and electronic
 * conductivities, and name the transport bottleneck. */
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_report.h"

#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void run_help(void)
{
    printf("usage: ssbnet run [CELL.json] [-o OUTDIR] [--size N] [--seed S]\n\n"
           "The main job on a cell. Without a file it runs the built-in default: a composite cathode of NCM811\n"
           "(60 vol%%, lognormal 5 um particles), carbon black (3 vol%%) and pores (5 vol%%) in a Li6PS5Cl matrix,\n"
           "96^3 voxels of 0.4 um. It generates the microstructure, analyses its Li+ and e- networks (percolation,\n"
           "active CAM, active CAM|SE area), solves the effective ionic and electronic conductivities through the\n"
           "electrode thickness (z) and reports the transport bottleneck. Results go to OUTDIR (default ssbnet-out):\n"
           "cathode.tif + cathode.tif.phases.json (the structure) and report.json.\n\n"
           "CELL.json keys (all optional; units in the names):\n"
           "  {\"cathode\": {\"active_material\": \"NCM811\", \"electrolyte\": \"Li6PS5Cl\", \"carbon\": \"carbon_black\",\n"
           "               \"cam_volume_fraction\": 0.6, \"cam_diameter_um\": 5.0, \"cam_gsd\": 1.3,\n"
           "               \"carbon_volume_fraction\": 0.03, \"carbon_diameter_um\": 1.0,\n"
           "               \"porosity\": 0.05, \"pore_diameter_um\": 1.2, \"overlap\": 0.15},\n"
           "   \"microstructure\": {\"size_voxels\": 96, \"voxel_size_um\": 0.4, \"seed\": 1}}\n\n"
           "example:\n"
           "  ssbnet run                     # built-in default\n"
           "  ssbnet run cell.json -o out --json\n");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    if (b) b[n] = '\0';
    fclose(f);
    return b;
}

/* Number key with range check; returns 0, or an exit status after printing. */
static int num_key(const char *file, const cJSON *obj, const char *sect, const char *key, double lo, double hi,
                   int lo_open, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v)) {
        fprintf(stderr, "ssbnet: error: %s: %s.%s must be a number\n", file, sect, key);
        return CLI_EXIT_FORMAT;
    }
    double x = v->valuedouble;
    if (!isfinite(x) || (lo_open ? x <= lo : x < lo) || x > hi) {
        fprintf(stderr, "ssbnet: error: %s: %s.%s = %g is out of range (valid: %s%g to %g)\n", file, sect, key, x,
                lo_open ? "above " : "", lo, hi);
        return CLI_EXIT_RANGE;
    }
    *out = x;
    return 0;
}

static int str_key(const char *file, const cJSON *obj, const char *sect, const char *key, char *out, size_t n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        fprintf(stderr, "ssbnet: error: %s: %s.%s must be a non-empty string\n", file, sect, key);
        return CLI_EXIT_FORMAT;
    }
    snprintf(out, n, "%s", v->valuestring);
    return 0;
}

static int check_keys(const char *file, const cJSON *obj, const char *sect, const char *const *valid)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        int ok = 0;
        for (int i = 0; valid[i]; i++) ok |= strcmp(it->string, valid[i]) == 0;
        if (!ok) {
            char list[512] = "";
            size_t len = 0;
            for (int i = 0; valid[i]; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", valid[i]);
            fprintf(stderr, "ssbnet: error: %s: unknown key '%s%s%s' (valid: %s)\n", file, sect, sect[0] ? "." : "",
                    it->string, list);
            return CLI_EXIT_FORMAT;
        }
    }
    return 0;
}

static int read_cell(const char *path, cli_cathode_spec *s)
{
    char *text = slurp(path);
    if (!text) {
        fprintf(stderr, "ssbnet: error: cannot read cell file '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    const char *endp = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &endp, 0);
    if (!root || !cJSON_IsObject(root)) {
        int line = 1, col = 1;
        for (const char *p = text; endp && p < endp && *p; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        fprintf(stderr, "ssbnet: error: %s:%d:%d: malformed JSON (expected an object)\n", path, line, col);
        cJSON_Delete(root);
        free(text);
        return CLI_EXIT_FORMAT;
    }
    int rc = check_keys(path, root, "", (const char *[]){"cathode", "microstructure", "name", "description", NULL});
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "cathode");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "microstructure");
    if (!rc && c) {
        rc = check_keys(path, c, "cathode",
                        (const char *[]){"active_material", "electrolyte", "carbon", "cam_volume_fraction",
                                         "cam_diameter_um", "cam_gsd", "carbon_volume_fraction", "carbon_diameter_um",
                                         "porosity", "pore_diameter_um", "overlap", NULL});
        if (!rc) rc = str_key(path, c, "cathode", "active_material", s->cam, sizeof s->cam);
        if (!rc) rc = str_key(path, c, "cathode", "electrolyte", s->se, sizeof s->se);
        if (!rc) rc = str_key(path, c, "cathode", "carbon", s->carbon, sizeof s->carbon);
        if (!rc) rc = num_key(path, c, "cathode", "cam_volume_fraction", 0, 0.8, 1, &s->cam_vf);
        if (!rc) rc = num_key(path, c, "cathode", "cam_diameter_um", 0, 1e3, 1, &s->cam_d_um);
        if (!rc) rc = num_key(path, c, "cathode", "cam_gsd", 1, 3, 0, &s->cam_gsd);
        if (!rc) rc = num_key(path, c, "cathode", "carbon_volume_fraction", 0, 0.5, 0, &s->carbon_vf);
        if (!rc) rc = num_key(path, c, "cathode", "carbon_diameter_um", 0, 1e3, 1, &s->carbon_d_um);
        if (!rc) rc = num_key(path, c, "cathode", "porosity", 0, 0.6, 0, &s->pore_vf);
        if (!rc) rc = num_key(path, c, "cathode", "pore_diameter_um", 0, 1e3, 1, &s->pore_d_um);
        if (!rc) rc = num_key(path, c, "cathode", "overlap", 0, 0.9, 0, &s->overlap);
        if (!rc && s->cam_vf + s->carbon_vf + s->pore_vf >= 0.95) {
            fprintf(stderr, "ssbnet: error: %s: cathode volume fractions sum to %g (CAM + carbon + porosity must "
                            "leave room for the electrolyte: < 0.95)\n", path, s->cam_vf + s->carbon_vf + s->pore_vf);
            rc = CLI_EXIT_RANGE;
        }
    }
    if (!rc && m) {
        rc = check_keys(path, m, "microstructure", (const char *[]){"size_voxels", "voxel_size_um", "seed", NULL});
        double size = (double)s->dims[0], seed = (double)s->seed;
        if (!rc) rc = num_key(path, m, "microstructure", "size_voxels", 16, 1024, 0, &size);
        if (!rc) rc = num_key(path, m, "microstructure", "voxel_size_um", 0, 100, 1, &s->voxel_um);
        if (!rc) rc = num_key(path, m, "microstructure", "seed", 0, 9.007199254740992e15, 0, &seed);
        s->dims[0] = s->dims[1] = s->dims[2] = (int64_t)size;
        s->seed = (uint64_t)seed;
    }
    cJSON_Delete(root);
    free(text);
    return rc;
}

static int solve_network(cli_env *env, const ssb_grid *g, ssb_carrier carrier, ssb_transport_result *res)
{
    double sigma[256];
    int r = ssb_transport_sigma_from_phases(env->ctx, g, carrier, sigma);
    if (r == SSB_OK) {
        ssb_transport_params tp = ssb_transport_params_default();
        r = ssb_transport_solve(env->ctx, g, sigma, SSB_AXIS_Z, &tp, res);
    }
    cli_progress_done();
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

int cmd_run(cli_env *env, int argc, char **argv)
{
    const char *cell = NULL, *outdir = "ssbnet-out";
    cli_cathode_spec s = cli_cathode_spec_default();
    long long size = -1, seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_help();
            return 0;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && v) {
            outdir = v;
            i++;
        } else if (strcmp(a, "--size") == 0) {
            if (cli_parse_int(env, a, v, &size)) return CLI_EXIT_USAGE;
            if (size < 16 || size > 1024) return cli_usage_error(env, "option --size: %lld is out of range (16 to 1024)", size);
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (cli_parse_int(env, a, v, &seed)) return CLI_EXIT_USAGE;
            i++;
        } else if (a[0] == '-') {
            return cli_usage_error(env, "run: unknown option '%s' (see --help)", a);
        } else if (!cell) {
            cell = a;
        } else {
            return cli_usage_error(env, "run: unexpected argument '%s'", a);
        }
    }
    if (cell) {
        int rc = read_cell(cell, &s);
        if (rc) return rc;
    }
    if (size > 0) s.dims[0] = s.dims[1] = s.dims[2] = size;
    if (seed >= 0) s.seed = (uint64_t)seed;

    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ssbnet: error: cannot create output folder '%s': %s\n", outdir, strerror(errno));
        return CLI_EXIT_IO;
    }
    FILE *out = env->json ? NULL : stdout;
    if (out) {
        fprintf(out, "ssbnet %s: composite cathode network analysis%s%s\n", ssb_version(), cell ? " of " : " (built-in default)",
                cell ? cell : "");
        fprintf(out, "%s / %s / %s, CAM %.2f, carbon %.2f, porosity %.2f; %lld^3 voxels of %.3g um, seed %llu\n\n",
                s.cam, s.se, s.carbon, s.cam_vf, s.carbon_vf, s.pore_vf, (long long)s.dims[0], s.voxel_um,
                (unsigned long long)s.seed);
    }
    ssb_grid *g = NULL;
    ssb_micro_electrode_result gres;
    int rc = cli_micro_default_cathode(env, &s, &g, &gres);
    if (rc) return rc;

    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "version", ssb_version());
    cJSON_AddStringToObject(json, "cell", cell ? cell : "built-in default");
    ssb_micro_cam_result cam;
    memset(&cam, 0, sizeof cam);
    cli_network_opts no = {.conn = SSB_CONN_6, .axis = SSB_AXIS_Z, .cc_high = 0, .marching_cubes = 1,
                           .cam_out = &cam};
    rc = cli_report_network(env, g, &no, json, out);

    ssb_transport_result ion, el;
    memset(&ion, 0, sizeof ion);
    memset(&el, 0, sizeof el);
    if (!rc) rc = solve_network(env, g, SSB_CARRIER_ION, &ion);
    if (!rc) rc = solve_network(env, g, SSB_CARRIER_ELECTRON, &el);
    if (!rc) {
        cJSON *jt = cJSON_AddObjectToObject(json, "transport_z");
        cJSON_AddItemToObject(jt, "ionic", transport_json(&ion));
        cJSON_AddItemToObject(jt, "electronic", transport_json(&el));
        /* Bottleneck: the carrier whose effective conductivity through the electrode is lower; and the
         * dominant cause of dead CAM. */
        const char *limit = ion.sigma_eff < el.sigma_eff ? "Li+ (ionic network)" : "e- (electronic network)";
        double ratio = ion.sigma_eff < el.sigma_eff ? (ion.sigma_eff > 0 ? el.sigma_eff / ion.sigma_eff : INFINITY)
                                                    : (el.sigma_eff > 0 ? ion.sigma_eff / el.sigma_eff : INFINITY);
        const char *dead = "none";
        double dmax = 0;
        if (cam.dead_no_e_fraction > dmax) { dmax = cam.dead_no_e_fraction; dead = "no electronic path"; }
        if (cam.dead_no_li_fraction > dmax) { dmax = cam.dead_no_li_fraction; dead = "no ionic path"; }
        if (cam.dead_neither_fraction > dmax) { dmax = cam.dead_neither_fraction; dead = "neither path"; }
        cJSON *jb = cJSON_AddObjectToObject(json, "bottleneck");
        cJSON_AddStringToObject(jb, "limiting_carrier", limit);
        cli_json_add_number(jb, "conductivity_ratio", ratio);
        cJSON_AddNumberToObject(jb, "dead_cam_fraction", 1.0 - cam.active_fraction);
        cJSON_AddStringToObject(jb, "main_dead_cam_cause", dead);
        if (out) {
            fprintf(out, "effective transport through the electrode (z, current collector to separator)\n");
            cli_table *t = cli_table_create(7, (const char *[]){"network", "eps [-]", "sigma_bulk [S/m]",
                                                                "sigma_eff [S/m]", "tau [-]", "N_M [-]", "iter"});
            char i1[24], i2[24];
            snprintf(i1, sizeof i1, "%lld", (long long)ion.iterations);
            snprintf(i2, sizeof i2, "%lld", (long long)el.iterations);
            cli_table_add_row(t, (const char *[]){"ionic (Li+)", cli_fmt(ion.eps), cli_fmt(ion.sigma_bulk),
                                                  cli_fmt(ion.sigma_eff), cli_fmt(ion.tau), cli_fmt(ion.macmullin), i1});
            cli_table_add_row(t, (const char *[]){"electronic (e-)", cli_fmt(el.eps), cli_fmt(el.sigma_bulk),
                                                  cli_fmt(el.sigma_eff), cli_fmt(el.tau), cli_fmt(el.macmullin), i2});
            cli_table_print(t, out);
            cli_table_destroy(&t);
            fprintf(out, "\nbottleneck: %s transport, effective conductivity %.3g times lower than the other carrier's;\n"
                         "            %.1f %% of the CAM is dead (main cause: %s)\n",
                    limit, ratio, 100.0 * (1.0 - cam.active_fraction), dead);
        }
    }
    /* outputs */
    char path[4200];
    if (!rc) {
        snprintf(path, sizeof path, "%s/cathode.tif", outdir);
        int r = ssb_io_write_image(env->ctx, path, g, NULL);
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc) {
            snprintf(path, sizeof path, "%s/cathode.tif.phases.json", outdir);
            rc = cli_phases_write(env, g, path);
        }
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/report.json", outdir);
        char *txt = cJSON_Print(json);
        cli_outfile of;
        rc = txt ? cli_atomic_open(env, &of, path) : CLI_EXIT_NOMEM;
        if (!rc) {
            fputs(txt, of.fp);
            fputc('\n', of.fp);
            rc = cli_atomic_commit(env, &of);
        }
        free(txt);
        if (!rc && out) fprintf(out, "\nwrote %s/cathode.tif, %s/cathode.tif.phases.json, %s/report.json\n", outdir,
                                outdir, outdir);
    }
    if (!rc && env->json)
        cli_json_print(json);
    else
        cJSON_Delete(json);
    ssb_transport_result_destroy(&ion);
    ssb_transport_result_destroy(&el);
    ssb_grid_destroy(&g);
    return rc;
}
