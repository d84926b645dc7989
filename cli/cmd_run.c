/* ssbnet run [CELL.json]: the main job, the whole chain on a cell.
 *   1. the composite cathode's microstructure: generated from the cell's composition (or read from an image),
 *   2. its network analysis: percolation, active CAM, active CAM|SE area,
 *   3. its effective ionic and electronic conductivities (transport solves through the thickness),
 *   4. the separator conductivity (materials database, Arrhenius at the cell temperature),
 *   5. the P2D cell model with those properties, discharged at several C-rates,
 *   6. the report: network metrics, capacity and energy per C-rate, overpotential breakdown and bottleneck,
 *      plots (voltage curves, rate capability, breakdown), JSON and CSV in an output folder. */
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_report.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_plot.h>
#include <ssbnet/ssb_transport.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RUN_MAX_RATES 16

typedef struct {
    int enabled;         /* generate (or read) a microstructure; 0: Bruggeman relations of the cell model */
    const char *image;   /* segmented image instead of a generated one (with phases file) */
    cli_image_opts io;   /* reader options of the image (--phases, --phase-map, --voxel-um, ...) */
    double rates[RUN_MAX_RATES];
    int nrates;
    double cutoff;       /* V */
} run_opts;

static void run_help(void)
{
    printf("usage: ssbnet run [CELL.json] [-o OUTDIR] [--rates LIST] [--cutoff V] [--size N] [--seed S]\n"
           "                  [--image IMAGE] [--no-micro]\n\n"
           "The main job: the whole chain on a cell. Without a file it runs the built-in default cell: a composite\n"
           "cathode of NCM811 (60 vol%%, 5 um particles), Li6PS5Cl and carbon (3 vol%%) with 5 %% voids, 60 um thick;\n"
           "a 30 um Li6PS5Cl separator; a Li-metal anode. It\n"
           "  1. generates the cathode microstructure from the cell's composition (96^3 voxels of 0.4 um),\n"
           "  2. analyses its Li+ and e- networks (percolation, active CAM, active CAM|SE area per volume),\n"
           "  3. solves its effective ionic and electronic conductivities through the thickness,\n"
           "  4. takes the separator conductivity from the materials database at the cell temperature,\n"
           "  5. runs the solid-state P2D model with these properties: discharges at each C-rate to the cut-off,\n"
           "  6. reports capacity, energy (Wh/kg, Wh/L of the stack) and the overpotential breakdown per C-rate,\n"
           "     naming the bottleneck, and writes plots, CSV and JSON to OUTDIR (default ssbnet-out).\n\n"
           "options:\n"
           "  -o, --output DIR   output folder (created if needed)\n"
           "  --rates LIST       C-rates (default 0.1,0.2,0.5,1,2)\n"
           "  --cutoff V         discharge cut-off voltage (default 3.5; the NCM811 OCV fit ends near 3.45 V)\n"
           "  --size N           voxels per edge of the generated cathode (default 96)\n"
           "  --seed S           seed of the generated cathode (default 1)\n"
           "  --image IMAGE      use a segmented image of the cathode, z = through the thickness (phase roles\n"
           "                     from IMAGE.phases.json, --phases FILE or --phase-map; the image options of\n"
           "                     'ssbnet micro analyze --help' apply)\n"
           "  --no-micro         skip the microstructure: Bruggeman relations for the effective properties\n\n"
           "CELL.json is the cell model's file (ssbnet cell --help; keys carry units, e.g. positive.thickness_um)\n"
           "plus two optional blocks read here:\n"
           "  \"microstructure\": {\"size_voxels\": 96, \"voxel_size_um\": 0.4, \"seed\": 1, \"cam_gsd\": 1.3,\n"
           "                     \"carbon\": \"Super P\", \"carbon_diameter_um\": 1.0, \"pore_diameter_um\": 1.2,\n"
           "                     \"overlap\": 0.15, \"image\": \"cathode.tif\", \"enabled\": true}\n"
           "  \"run\": {\"rates_C\": [0.1, 0.5, 1, 2], \"cutoff_V\": 3.5}\n\n"
           "examples:\n"
           "  ssbnet run                                  # built-in default cell\n"
           "  ssbnet run cell.json -o out --rates 0.2,1,3 --json\n");
}


/* Number key with range check; 0 or an exit status after printing. */
static int num_key(const char *file, const cJSON *obj, const char *sect, const char *key, double lo, double hi,
                   double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return 0;
    if (!cJSON_IsNumber(v)) {
        fprintf(stderr, "ssbnet: error: %s: %s.%s must be a number\n", file, sect, key);
        return CLI_EXIT_FORMAT;
    }
    if (!isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi) {
        fprintf(stderr, "ssbnet: error: %s: %s.%s = %g is out of range (valid: %g to %g)\n", file, sect, key,
                v->valuedouble, lo, hi);
        return CLI_EXIT_RANGE;
    }
    *out = v->valuedouble;
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
            for (int i = 0; valid[i] && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", valid[i]);
            fprintf(stderr, "ssbnet: error: %s: unknown key '%s.%s' (valid: %s)\n", file, sect, it->string, list);
            return CLI_EXIT_FORMAT;
        }
    }
    return 0;
}

/* Read the "microstructure" and "run" blocks; *cell_text receives the file without "run" (for the cell model). */
static int read_run_blocks(const char *path, cli_cathode_spec *s, run_opts *o, char **cell_text,
                           char *image_buf, size_t nimage)
{
    char *text = cli_read_file(path);
    if (!text) {
        fprintf(stderr, "ssbnet: error: cannot read cell file '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    const char *endp = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &endp, 0);
    if (!root || !cJSON_IsObject(root)) {
        int line, col;
        cli_text_line_col(text, endp, &line, &col);
        fprintf(stderr, "ssbnet: error: %s:%d:%d: malformed JSON (expected an object)\n", path, line, col);
        cJSON_Delete(root);
        free(text);
        return CLI_EXIT_FORMAT;
    }
    free(text);
    int rc = 0;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "microstructure");
    if (m) {
        rc = check_keys(path, m, "microstructure",
                        (const char *[]){"size_voxels", "voxel_size_um", "seed", "cam_gsd", "carbon",
                                         "carbon_diameter_um", "pore_diameter_um", "overlap", "image", "enabled",
                                         NULL});
        double size = (double)s->dims[0], seed = (double)s->seed;
        if (!rc) rc = num_key(path, m, "microstructure", "size_voxels", 16, 1024, &size);
        if (!rc) rc = num_key(path, m, "microstructure", "voxel_size_um", 1e-3, 100, &s->voxel_um);
        if (!rc) rc = num_key(path, m, "microstructure", "seed", 0, 9.007199254740992e15, &seed);
        if (!rc) rc = num_key(path, m, "microstructure", "cam_gsd", 1, 3, &s->cam_gsd);
        if (!rc) rc = num_key(path, m, "microstructure", "carbon_diameter_um", 1e-3, 1e3, &s->carbon_d_um);
        if (!rc) rc = num_key(path, m, "microstructure", "pore_diameter_um", 1e-3, 1e3, &s->pore_d_um);
        if (!rc) rc = num_key(path, m, "microstructure", "overlap", 0, 0.9, &s->overlap);
        s->dims[0] = s->dims[1] = s->dims[2] = (int64_t)size;
        s->seed = (uint64_t)seed;
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "carbon");
        if (!rc && c) {
            if (!cJSON_IsString(c)) {
                fprintf(stderr, "ssbnet: error: %s: microstructure.carbon must be a material name\n", path);
                rc = CLI_EXIT_FORMAT;
            } else {
                snprintf(s->carbon, sizeof s->carbon, "%s", c->valuestring);
            }
        }
        const cJSON *im = cJSON_GetObjectItemCaseSensitive(m, "image");
        if (!rc && im) {
            if (!cJSON_IsString(im)) {
                fprintf(stderr, "ssbnet: error: %s: microstructure.image must be a file name\n", path);
                rc = CLI_EXIT_FORMAT;
            } else {
                snprintf(image_buf, nimage, "%s", im->valuestring);
                o->image = image_buf;
            }
        }
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(m, "enabled");
        if (!rc && en) {
            if (!cJSON_IsBool(en)) {
                fprintf(stderr, "ssbnet: error: %s: microstructure.enabled must be true or false\n", path);
                rc = CLI_EXIT_FORMAT;
            } else {
                o->enabled = cJSON_IsTrue(en);
            }
        }
    }
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "run");
    if (!rc && r) {
        rc = check_keys(path, r, "run", (const char *[]){"rates_C", "cutoff_V", NULL});
        if (!rc) rc = num_key(path, r, "run", "cutoff_V", 0.5, 6, &o->cutoff);
        const cJSON *rates = cJSON_GetObjectItemCaseSensitive(r, "rates_C");
        if (!rc && rates) {
            int n = cJSON_GetArraySize(rates);
            if (!cJSON_IsArray(rates) || n < 1 || n > RUN_MAX_RATES) {
                fprintf(stderr, "ssbnet: error: %s: run.rates_C must be an array of 1 to %d C-rates\n", path,
                        RUN_MAX_RATES);
                rc = CLI_EXIT_FORMAT;
            } else {
                for (int i = 0; i < n && !rc; i++) {
                    const cJSON *v = cJSON_GetArrayItem(rates, i);
                    if (!cJSON_IsNumber(v) || !(v->valuedouble > 0) || v->valuedouble > 100) {
                        fprintf(stderr, "ssbnet: error: %s: run.rates_C[%d] must be a C-rate in (0, 100]\n", path, i);
                        rc = CLI_EXIT_RANGE;
                    } else {
                        o->rates[i] = v->valuedouble;
                    }
                }
                o->nrates = n;
            }
        }
        cJSON_DeleteItemFromObjectCaseSensitive(root, "run");
    }
    if (!rc) {
        *cell_text = cJSON_PrintUnformatted(root);
        if (!*cell_text) rc = CLI_EXIT_NOMEM;
    }
    cJSON_Delete(root);
    return rc;
}

static int parse_rates(cli_env *env, const char *s, run_opts *o)
{
    o->nrates = 0;
    const char *p = s;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v > 0) || v > 100 || o->nrates >= RUN_MAX_RATES)
            return cli_usage_error(env, "option --rates: '%s' must be up to %d C-rates in (0, 100], comma-separated", s,
                                   RUN_MAX_RATES);
        o->rates[o->nrates++] = v;
        p = end;
        if (*p == ',') p++;
        else if (*p) return cli_usage_error(env, "option --rates: unexpected '%s'", p);
    }
    return o->nrates ? 0 : cli_usage_error(env, "option --rates: empty list");
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

/* Microstructure part: generate or read the cathode, analyse it, solve its conductivities, and put the measured
 * properties into the cell values. */
static int run_micro(cli_env *env, const run_opts *o, cli_cathode_spec *s, ssb_cell_values *v, cJSON *json,
                     FILE *out, const char *outdir)
{
    ssb_grid *g = NULL;
    int rc = 0;
    if (o->image) {
        rc = cli_image_load(env, &o->io, o->image, &g);
        if (rc) return rc;
        int64_t n_act = 0, n_se = 0;
        int64_t hist[256];
        ssb_grid_histogram(g, hist);
        for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
            const ssb_phase *ph = ssb_grid_get_phase(g, i);
            if (ph->role == SSB_ROLE_ACTIVE) n_act += hist[ph->label];
            if (ph->role == SSB_ROLE_SE || ph->role == SSB_ROLE_GB) n_se += hist[ph->label];
        }
        if (!n_act || !n_se) {
            fprintf(stderr,
                    "ssbnet: error: %s: no phase has the role '%s': give the phase table with --phases FILE, "
                    "--phase-map 'LABEL=NAME:ROLE,...' or IMAGE.phases.json (roles: active, se, carbon, pore, ...)\n",
                    o->image, n_act ? "se" : "active");
            ssb_grid_destroy(&g);
            return CLI_EXIT_NOTFOUND;
        }
        rc = cli_micro_assign_materials(env, g);
        if (rc) {
            ssb_grid_destroy(&g);
            return rc;
        }
    } else {
        s->cam_vf = v->pos.eps_active + v->pos.eps_active_dead;
        s->carbon_vf = v->pos.eps_inert;
        s->pore_vf = v->pos.porosity;
        s->cam_d_um = 2e6 * v->pos.particle_radius;
        if (v->pos.active_material[0]) snprintf(s->cam, sizeof s->cam, "%s", v->pos.active_material);
        if (v->pos.electrolyte[0]) snprintf(s->se, sizeof s->se, "%s", v->pos.electrolyte);
        if (out)
            fprintf(out, "cathode microstructure: %s %.2f (d %.3g um), %s %.2f, %s %.2f, voids %.2f; %lld^3 voxels of "
                         "%.3g um, seed %llu\n\n",
                    s->cam, s->cam_vf, s->cam_d_um, s->se, 1 - s->cam_vf - s->carbon_vf - s->pore_vf, s->carbon,
                    s->carbon_vf, s->pore_vf, (long long)s->dims[0], s->voxel_um, (unsigned long long)s->seed);
        ssb_micro_electrode_result gres;
        rc = cli_micro_default_cathode(env, s, &g, &gres);
        if (rc) return rc;
    }
    ssb_micro_cam_result cam;
    memset(&cam, 0, sizeof cam);
    cli_network_opts no = {.conn = SSB_CONN_6, .axis = SSB_AXIS_Z, .cc_high = 0, .marching_cubes = 1,
                           .cam_out = &cam};
    cJSON *jm = cJSON_AddObjectToObject(json, "microstructure");
    rc = cli_report_network(env, g, &no, jm, out);
    ssb_transport_result ion, el;
    memset(&ion, 0, sizeof ion);
    memset(&el, 0, sizeof el);
    if (!rc) rc = solve_network(env, g, SSB_CARRIER_ION, &ion);
    if (!rc) rc = solve_network(env, g, SSB_CARRIER_ELECTRON, &el);
    if (!rc && (!ion.percolates || !el.percolates)) {
        fprintf(stderr, "ssbnet: error: the cathode's %s network does not percolate through the thickness: no current "
                        "can flow (raise the %s volume fraction)\n",
                ion.percolates ? "electronic" : "ionic", ion.percolates ? "CAM or carbon" : "electrolyte");
        rc = CLI_EXIT_NOPERC;
    }
    if (!rc) {
        cJSON *jt = cJSON_AddObjectToObject(jm, "transport_z");
        cJSON_AddItemToObject(jt, "ionic", transport_json(&ion));
        cJSON_AddItemToObject(jt, "electronic", transport_json(&el));
        if (out) {
            fprintf(out, "effective transport through the cathode (z, current collector to separator)\n");
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
            fputc('\n', out);
        }
        /* measured composition and properties into the cell model */
        ssb_micro_fractions fr;
        int r = ssb_micro_fractions_compute(env->ctx, g, &fr);
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc) {
            double f_cam = fr.role_fraction[SSB_ROLE_ACTIVE];
            double f_ion = fr.role_fraction[SSB_ROLE_SE] + fr.role_fraction[SSB_ROLE_GB];
            double f_inert = fr.role_fraction[SSB_ROLE_CARBON] + fr.role_fraction[SSB_ROLE_BINDER] +
                             fr.role_fraction[SSB_ROLE_COATING];
            double f_pore = fr.role_fraction[SSB_ROLE_PORE] + fr.role_fraction[SSB_ROLE_UNDEFINED];
            v->pos.eps_active = f_cam * cam.active_fraction;
            v->pos.eps_active_dead = f_cam * (1.0 - cam.active_fraction);
            v->pos.eps_electrolyte = f_ion;
            v->pos.eps_inert = f_inert;
            v->pos.porosity = f_pore;
            /* the transport solve used the database's 25 C conductivity; the cell model's bulk sigma_i is at the
             * cell temperature, so carry over the geometric factor sigma_rel * eps (= eps / tau) */
            v->pos.sigma_i_eff = v->pos.sigma_i * ion.sigma_rel * ion.eps;
            v->pos.sigma_e_eff = el.sigma_eff;
            double a = cam.active_cam_se_mc.method ? cam.active_cam_se_mc.per_volume
                                                   : cam.active_cam_se.per_volume * 2.0 / 3.0;
            v->pos.area_per_volume = a;
            cJSON *jc = cJSON_AddObjectToObject(json, "cathode_properties_from_microstructure");
            cJSON_AddNumberToObject(jc, "eps_active", v->pos.eps_active);
            cJSON_AddNumberToObject(jc, "eps_active_dead", v->pos.eps_active_dead);
            cJSON_AddNumberToObject(jc, "eps_electrolyte", v->pos.eps_electrolyte);
            cJSON_AddNumberToObject(jc, "sigma_i_eff_S_per_m", v->pos.sigma_i_eff);
            cJSON_AddNumberToObject(jc, "sigma_e_eff_S_per_m", v->pos.sigma_e_eff);
            cJSON_AddNumberToObject(jc, "active_area_per_volume_1_per_m", a);
            cJSON_AddNumberToObject(jc, "bruggeman_area_per_volume_1_per_m",
                                    3.0 * v->pos.eps_active / v->pos.particle_radius);
        }
    }
    if (!rc && !o->image) {
        char path[4200];
        snprintf(path, sizeof path, "%s/cathode.tif", outdir);
        int r = ssb_io_write_image(env->ctx, path, g, NULL);
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc) {
            snprintf(path, sizeof path, "%s/cathode.tif.phases.json", outdir);
            rc = cli_phases_write(env, g, path);
        }
    }
    ssb_transport_result_destroy(&ion);
    ssb_transport_result_destroy(&el);
    ssb_grid_destroy(&g);
    return rc;
}

static int write_text(cli_env *env, const char *path, const char *text)
{
    cli_outfile of;
    int rc = cli_atomic_open(env, &of, path);
    if (rc) return rc;
    fputs(text, of.fp);
    return cli_atomic_commit(env, &of);
}

static int save_plot(cli_env *env, ssb_plot *fig, const char *outdir, const char *stem, char *written, size_t n)
{
    const char *ext = ssb_plot_available(".png") ? "png" : "svg";
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.%s", outdir, stem, ext);
    int r = ssb_plot_save(env->ctx, fig, path);
    if (r != SSB_OK) return cli_fail(env, r);
    size_t len = strlen(written);
    snprintf(written + len, n - len, "%s%s.%s", len ? ", " : "", stem, ext);
    return 0;
}

/* Plots: voltage curves, rate capability, overpotential breakdown per C-rate. */
static int make_plots(cli_env *env, const run_opts *o, const ssb_cell_rate_point *pt, ssb_cell_result **res,
                      const char *outdir, char *written, size_t nwritten)
{
    ssb_plot *fig = NULL;
    int rc = 0;
    int r = ssb_plot_create(env->ctx, 1, 1, 900, 650, &fig);
    if (r != SSB_OK) return cli_fail(env, r);
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Discharge curves";
    ax.xlabel = "capacity [mAh/cm2]";
    ax.ylabel = "voltage [V]";
    r = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
    for (int i = 0; i < o->nrates && r == SSB_OK; i++) {
        int n = ssb_cell_result_npoints(res[i]);
        const double *q = ssb_cell_result_series(res[i], SSB_CELL_Q);
        const double *vv = ssb_cell_result_series(res[i], SSB_CELL_V);
        double *qm = malloc((size_t)(n > 0 ? n : 1) * sizeof *qm);
        if (!qm) {
            r = SSB_ERR_NOMEM;
            break;
        }
        for (int k = 0; k < n; k++) qm[k] = q[k] / 36000.0; /* C/m2 -> mAh/cm2 */
        char label[32];
        snprintf(label, sizeof label, "%gC", o->rates[i]);
        ssb_plot_series st = ssb_plot_series_default();
        st.label = label;
        r = ssb_plot_add_series(env->ctx, fig, 0, n, qm, vv, &st);
        free(qm);
    }
    if (r != SSB_OK) rc = cli_fail(env, r);
    if (!rc) rc = save_plot(env, fig, outdir, "voltage_curves", written, nwritten);
    ssb_plot_destroy(&fig);
    if (rc) return rc;

    double x[RUN_MAX_RATES], y[RUN_MAX_RATES];
    r = ssb_plot_create(env->ctx, 1, 1, 900, 650, &fig);
    if (r != SSB_OK) return cli_fail(env, r);
    ax = ssb_plot_axes_default();
    ax.title = "Rate capability";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "discharge capacity [mAh/cm2]";
    ax.xlog = o->nrates > 1;
    ax.ymin = 0;
    r = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
    for (int i = 0; i < o->nrates; i++) {
        x[i] = pt[i].crate;
        y[i] = pt[i].capacity / 36000.0;
    }
    ssb_plot_series st = ssb_plot_series_default();
    st.style = SSB_PLOT_LINE_MARKERS;
    st.label = "capacity";
    if (r == SSB_OK) r = ssb_plot_add_series(env->ctx, fig, 0, o->nrates, x, y, &st);
    if (r != SSB_OK) rc = cli_fail(env, r);
    if (!rc) rc = save_plot(env, fig, outdir, "rate_capability", written, nwritten);
    ssb_plot_destroy(&fig);
    if (rc) return rc;

    r = ssb_plot_create(env->ctx, 1, 1, 900, 650, &fig);
    if (r != SSB_OK) return cli_fail(env, r);
    ax = ssb_plot_axes_default();
    ax.title = "Overpotential breakdown (mean over each discharge)";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "overpotential [mV]";
    ax.xlog = o->nrates > 1;
    double ymax = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        for (int i = 0; i < o->nrates; i++) ymax = fmax(ymax, 1e3 * pt[i].mean.loss[k]);
    ax.ymin = 0;
    ax.ymax = ymax > 0 ? 1.8 * ymax : 1; /* room for the legend above the curves */
    r = ssb_plot_set_axes(env->ctx, fig, 0, &ax);
    for (int k = 0; k < SSB_CELL_LOSS_COUNT && r == SSB_OK; k++) {
        double mx = 0;
        for (int i = 0; i < o->nrates; i++) {
            y[i] = 1e3 * pt[i].mean.loss[k];
            if (fabs(y[i]) > mx) mx = fabs(y[i]);
        }
        if (mx < 1e-3) continue; /* processes absent in this cell */
        st = ssb_plot_series_default();
        st.style = SSB_PLOT_LINE_MARKERS;
        st.label = ssb_cell_loss_label((ssb_cell_loss)k);
        r = ssb_plot_add_series(env->ctx, fig, 0, o->nrates, x, y, &st);
    }
    if (r != SSB_OK) rc = cli_fail(env, r);
    if (!rc) rc = save_plot(env, fig, outdir, "overpotential_breakdown", written, nwritten);
    ssb_plot_destroy(&fig);
    return rc;
}

int cmd_run(cli_env *env, int argc, char **argv)
{
    const char *cell = NULL, *outdir = "ssbnet-out";
    cli_cathode_spec s = cli_cathode_spec_default();
    snprintf(s.carbon, sizeof s.carbon, "Super P");
    run_opts o = {.enabled = 1, .rates = {0.1, 0.2, 0.5, 1, 2}, .nrates = 5, .cutoff = 3.5};
    const char *rates_opt = NULL, *image_opt = NULL;
    double cutoff_opt = NAN;
    long long size = -1, seed = -1;
    int no_micro = 0, kimg;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            run_help();
            return 0;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && v) {
            outdir = v;
            i++;
        } else if (strcmp(a, "--rates") == 0 && v) {
            rates_opt = v;
            i++;
        } else if (strcmp(a, "--image") == 0 && v) {
            image_opt = v;
            i++;
        } else if (strcmp(a, "--cutoff") == 0) {
            if (cli_parse_double(env, a, v, &cutoff_opt)) return CLI_EXIT_USAGE;
            if (!(cutoff_opt > 0.5 && cutoff_opt < 6))
                return cli_usage_error(env, "option --cutoff: %g V is out of range (0.5 to 6 V)", cutoff_opt);
            i++;
        } else if (strcmp(a, "--size") == 0) {
            if (cli_parse_int(env, a, v, &size)) return CLI_EXIT_USAGE;
            if (size < 16 || size > 1024)
                return cli_usage_error(env, "option --size: %lld is out of range (16 to 1024)", size);
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (cli_parse_int(env, a, v, &seed)) return CLI_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--no-micro") == 0) {
            no_micro = 1;
        } else if ((kimg = cli_image_parse_opt(env, &o.io, argc, argv, &i)) != 0) {
            if (kimg < 0) return -kimg; /* exit status of the bad value, already reported */
        } else if (a[0] == '-') {
            return cli_usage_error(env, "run: unknown option '%s' (see --help)", a);
        } else if (!cell) {
            cell = a;
        } else {
            return cli_usage_error(env, "run: unexpected argument '%s'", a);
        }
    }
    char *cell_text = NULL;
    char image_buf[4096];
    int rc = 0;
    if (cell) rc = read_run_blocks(cell, &s, &o, &cell_text, image_buf, sizeof image_buf);
    if (rc) return rc;
    if (rates_opt && (rc = parse_rates(env, rates_opt, &o)) != 0) {
        free(cell_text);
        return rc;
    }
    if (isfinite(cutoff_opt)) o.cutoff = cutoff_opt;
    if (size > 0) s.dims[0] = s.dims[1] = s.dims[2] = size;
    if (seed >= 0) s.seed = (uint64_t)seed;
    if (image_opt) o.image = image_opt;
    if (no_micro) o.enabled = 0;

    /* cell parameters (before any output is written: a bad file fails first) */
    ssb_materials *db = NULL;
    ssb_cell_params *p = NULL;
    int r = ssb_materials_create(env->ctx, &db);
    if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
    if (r == SSB_OK)
        r = cell_text ? ssb_cell_params_from_json_string(env->ctx, db, cell_text, cell, &p)
                      : ssb_cell_params_default(env->ctx, db, &p);
    free(cell_text);
    if (r != SSB_OK) {
        rc = cli_fail(env, r);
        ssb_cell_params_destroy(&p);
        ssb_materials_destroy(&db);
        return rc;
    }
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);

    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "ssbnet: error: cannot create output folder '%s': %s\n", outdir, strerror(errno));
        ssb_cell_params_destroy(&p);
        ssb_materials_destroy(&db);
        return CLI_EXIT_IO;
    }
    FILE *out = env->json ? NULL : stdout;
    if (out)
        fprintf(out, "ssbnet %s: %s\n%s (%.3g um) | %s separator (%.3g um) | %s\n\n", ssb_version(),
                cell ? cell : "built-in default cell", v.pos.active_material[0] ? v.pos.active_material : "cathode",
                v.pos.thickness * 1e6, v.sep.electrolyte[0] ? v.sep.electrolyte : "SE", v.sep.thickness * 1e6,
                v.anode == SSB_CELL_ANODE_LI_METAL ? "Li metal" : "composite anode");
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "version", ssb_version());
    cJSON_AddStringToObject(json, "cell", cell ? cell : "built-in default");

    if (o.enabled) rc = run_micro(env, &o, &s, &v, json, out, outdir);
    ssb_cell *model = NULL;
    if (!rc) {
        r = ssb_cell_params_set_values(env->ctx, p, &v);
        if (r == SSB_OK) r = ssb_cell_create(env->ctx, p, &model);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    ssb_cell_rate_point pt[RUN_MAX_RATES];
    ssb_cell_result *res[RUN_MAX_RATES] = {0};
    if (!rc) {
        r = ssb_cell_rate_sweep(env->ctx, model, o.nrates, o.rates, o.cutoff, pt, res);
        cli_progress_done();
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) {
        const ssb_cell_derived *d = ssb_cell_get_derived(model);
        (void)d;
        ssb_cell_values vv;
        ssb_cell_params_get_values(p, &vv);
        cJSON *jc = cJSON_AddObjectToObject(json, "cell");
        cJSON_AddNumberToObject(jc, "temperature_K", vv.cell.T);
        cJSON_AddNumberToObject(jc, "cathode_thickness_um", vv.pos.thickness * 1e6);
        cJSON_AddNumberToObject(jc, "separator_thickness_um", vv.sep.thickness * 1e6);
        cJSON_AddNumberToObject(jc, "separator_sigma_S_per_m", vv.sep.sigma_i);
        cJSON_AddNumberToObject(jc, "cutoff_V", o.cutoff);
        cJSON *jr = cJSON_AddArrayToObject(json, "rates");
        cli_table *t = cli_table_create(8, (const char *[]){"C-rate", "I [mA/cm2]", "capacity [mAh/cm2]",
                                                            "energy [mWh/cm2]", "mean V [V]", "stack [Wh/kg]",
                                                            "stack [Wh/L]", "bottleneck"});
        for (int i = 0; i < o.nrates; i++) {
            char c0[16], c1[32], c2[32], c3[32], c4[32], c5[32], c6[32];
            snprintf(c0, sizeof c0, "%g", pt[i].crate);
            snprintf(c1, sizeof c1, "%.4g", pt[i].current / 10.0);
            snprintf(c2, sizeof c2, "%.4f", pt[i].capacity / 36000.0);
            snprintf(c3, sizeof c3, "%.4f", pt[i].energy / 36000.0);
            snprintf(c4, sizeof c4, "%.4f", pt[i].v_mean);
            snprintf(c5, sizeof c5, "%.1f", pt[i].wh_per_kg);
            snprintf(c6, sizeof c6, "%.1f", pt[i].wh_per_l);
            cli_table_add_row(t, (const char *[]){c0, c1, c2, c3, c4, c5, c6,
                                                  ssb_cell_loss_label(pt[i].bottleneck)});
            cJSON *o1 = cJSON_CreateObject();
            cJSON_AddNumberToObject(o1, "C_rate", pt[i].crate);
            cJSON_AddNumberToObject(o1, "current_A_per_m2", pt[i].current);
            cJSON_AddNumberToObject(o1, "capacity_mAh_per_cm2", pt[i].capacity / 36000.0);
            cJSON_AddNumberToObject(o1, "energy_mWh_per_cm2", pt[i].energy / 36000.0);
            cJSON_AddNumberToObject(o1, "mean_voltage_V", pt[i].v_mean);
            cJSON_AddNumberToObject(o1, "stack_Wh_per_kg", pt[i].wh_per_kg);
            cJSON_AddNumberToObject(o1, "stack_Wh_per_L", pt[i].wh_per_l);
            cJSON_AddStringToObject(o1, "bottleneck", ssb_cell_loss_name(pt[i].bottleneck));
            cJSON *jl = cJSON_AddObjectToObject(o1, "mean_overpotential_V");
            for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
                cJSON_AddNumberToObject(jl, ssb_cell_loss_name((ssb_cell_loss)k), pt[i].mean.loss[k]);
            cJSON_AddItemToArray(jr, o1);
        }
        if (out) {
            fprintf(out, "cell: separator %s sigma = %.4g S/m at %.1f K; discharge to %.2f V\n",
                    vv.sep.electrolyte[0] ? vv.sep.electrolyte : "SE", vv.sep.sigma_i, vv.cell.T, o.cutoff);
            cli_table_print(t, out);
            fputc('\n', out);
        }
        cli_table_destroy(&t);
        /* breakdown table: losses (mV) per C-rate */
        int show[SSB_CELL_LOSS_COUNT] = {0};
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            for (int i = 0; i < o.nrates; i++) show[k] |= fabs(pt[i].mean.loss[k]) > 1e-6;
        const char *hdr[RUN_MAX_RATES + 1];
        char hbuf[RUN_MAX_RATES][24];
        hdr[0] = "mean overpotential [mV]";
        for (int i = 0; i < o.nrates; i++) {
            snprintf(hbuf[i], sizeof hbuf[i], "%gC", pt[i].crate);
            hdr[i + 1] = hbuf[i];
        }
        t = cli_table_create(o.nrates + 1, hdr);
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
            if (!show[k]) continue;
            const char *cells[RUN_MAX_RATES + 1];
            char cb[RUN_MAX_RATES][24];
            cells[0] = ssb_cell_loss_label((ssb_cell_loss)k);
            for (int i = 0; i < o.nrates; i++) {
                snprintf(cb[i], sizeof cb[i], "%.2f", 1e3 * pt[i].mean.loss[k]);
                cells[i + 1] = cb[i];
            }
            cli_table_add_row(t, cells);
        }
        if (out) {
            cli_table_print(t, out);
            int hi = o.nrates - 1;
            double tot = 0;
            for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) tot += pt[hi].mean.loss[k];
            fprintf(out, "\nbottleneck at %gC: %s, %.1f mV of %.1f mV total overpotential (%.0f %%)\n", pt[hi].crate,
                    ssb_cell_loss_label(pt[hi].bottleneck), 1e3 * pt[hi].mean.loss[pt[hi].bottleneck], 1e3 * tot,
                    tot > 0 ? 100.0 * pt[hi].mean.loss[pt[hi].bottleneck] / tot : 0.0);
        }
        cli_table_destroy(&t);
        int hi = o.nrates - 1;
        cJSON *jb = cJSON_AddObjectToObject(json, "bottleneck");
        cJSON_AddNumberToObject(jb, "C_rate", pt[hi].crate);
        cJSON_AddStringToObject(jb, "process", ssb_cell_loss_name(pt[hi].bottleneck));
        cJSON_AddNumberToObject(jb, "overpotential_V", pt[hi].mean.loss[pt[hi].bottleneck]);
    }
    /* outputs: curves (CSV), plots, report.json */
    char written[1024] = "";
    char path[4200];
    for (int i = 0; i < o.nrates && !rc; i++) {
        snprintf(path, sizeof path, "%s/discharge_%gC.csv", outdir, o.rates[i]);
        r = ssb_cell_result_write_csv(env->ctx, res[i], path);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) rc = make_plots(env, &o, pt, res, outdir, written, sizeof written);
    if (!rc) {
        snprintf(path, sizeof path, "%s/report.json", outdir);
        char *txt = cJSON_Print(json);
        rc = txt ? write_text(env, path, txt) : CLI_EXIT_NOMEM;
        free(txt);
    }
    if (!rc && out)
        fprintf(out, "\nwrote %s/: report.json, discharge_<rate>C.csv, %s%s\n", outdir, written,
                o.enabled && !o.image ? ", cathode.tif (+ .phases.json)" : "");
    if (!rc && env->json)
        cli_json_print(json);
    else
        cJSON_Delete(json);
    for (int i = 0; i < RUN_MAX_RATES; i++) ssb_cell_result_destroy(&res[i]);
    ssb_cell_destroy(&model);
    ssb_cell_params_destroy(&p);
    ssb_materials_destroy(&db);
    return rc;
}
