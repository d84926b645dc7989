/* ssbnet micro generate | analyze | transport */
#include "cli.h"
#include "cli_dist.h"
#include "cli_image.h"
#include "cli_micro.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "cli_micro_res.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ generate */

enum {
    G_OUT, G_KIND, G_SIZE, G_DIMS, G_VOXEL, G_SEED, G_CAM, G_SE, G_CARBON, G_CAM_VF, G_CAM_D, G_CAM_GSD, G_CARBON_VF,
    G_CARBON_D, G_PORE_VF, G_PORE_D, G_OVERLAP, G_GRAIN, G_GB, G_POROSITY, G_RADIUS, G_SPACING, G_AXIS, G_THICKNESS,
    G_THICKNESS_UM, G_SE_D, G_CHANNEL_F, G_CHANNEL_D, G_CARBON_SHAPE, G_FIBRE_L, G_CAM_SMALL_F, G_CAM_SMALL_D,
    G_CAM_GRADIENT, G_COUNT
};
static const cli_opt gen_opts[G_COUNT] = {
    [G_OUT] = {"--output", "-o", CLI_OPT_STRING, "FILE", NULL, 0, 0, "output image (required; .tif .raw .npy .vti)", NULL},
    [G_KIND] = {"--kind", NULL, CLI_OPT_CHOICE, "KIND", NULL, 0, 0, "structure (default cathode)",
                "cathode,polycrystal,staircase,spheres,layers"},
    [G_SIZE] = {"--size", NULL, CLI_OPT_INT, "N", "voxels", 1, 4096, "cubic box of N voxels per edge (default 96)", NULL},
    [G_DIMS] = {"--dims", NULL, CLI_OPT_STRING, "NX,NY,NZ", NULL, 0, 0, "box dimensions in voxels", NULL},
    [G_VOXEL] = {"--voxel-um", NULL, CLI_OPT_DOUBLE, "H", "um", 1e-3, 100, "voxel edge (default 0.4)", NULL},
    [G_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, 0, 9.007199254740992e15, "random seed (default 1)", NULL},
    [G_CAM] = {"--cam", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "cathode: active material (default NCM811)", NULL},
    [G_SE] = {"--se", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "cathode matrix / polycrystal grains (default Li6PS5Cl)",
              NULL},
    [G_CARBON] = {"--carbon", NULL, CLI_OPT_STRING, "NAME", NULL, 0, 0, "cathode: carbon (default Super P)", NULL},
    [G_CAM_VF] = {"--cam-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, 1e-6, 0.99, "cathode: CAM volume fraction (default 0.60)",
                  NULL},
    [G_CAM_D] = {"--cam-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 1e-3, 1e3, "cathode: mean CAM diameter (default 5)",
                 NULL},
    [G_CAM_GSD] = {"--cam-gsd", NULL, CLI_OPT_DOUBLE, "G", NULL, 1, 3,
                   "cathode: geometric std of the lognormal CAM diameters (default 1.3)", NULL},
    [G_CARBON_VF] = {"--carbon-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 0.99, "cathode: carbon fraction (default 0.03)",
                     NULL},
    [G_CARBON_D] = {"--carbon-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 1e-3, 1e3, "cathode: carbon diameter (default 1)",
                    NULL},
    [G_PORE_VF] = {"--pore-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 0.99, "cathode: voids (default 0.05)", NULL},
    [G_PORE_D] = {"--pore-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 1e-3, 1e3, "void diameter (default 1.2)", NULL},
    [G_OVERLAP] = {"--overlap", NULL, CLI_OPT_DOUBLE, "X", NULL, 0, 0.9, "cathode: allowed sphere overlap (default 0.15)",
                   NULL},
    [G_GRAIN] = {"--grain-um", NULL, CLI_OPT_DOUBLE, "D", "um", 1e-3, 1e4, "polycrystal: mean grain size (default 4)",
                 NULL},
    [G_GB] = {"--gb-um", NULL, CLI_OPT_DOUBLE, "T", "um", 1e-4, 1e3, "polycrystal: GB thickness (default 0.4)", NULL},
    [G_POROSITY] = {"--porosity", NULL, CLI_OPT_DOUBLE, "P", NULL, 0, 0.99, "polycrystal: pore fraction (default 0)",
                    NULL},
    [G_RADIUS] = {"--radius", NULL, CLI_OPT_DOUBLE, "R", "voxels", 0.5, 1e4, "spheres: radius (default 5)", NULL},
    [G_SPACING] = {"--spacing", NULL, CLI_OPT_DOUBLE, "S", "voxels", 1, 1e4, "spheres: spacing (default 16)", NULL},
    [G_AXIS] = {"--axis", NULL, CLI_OPT_CHOICE, "AXIS", NULL, 0, 0, "layers: normal axis (default z)", "x,y,z"},
    [G_THICKNESS] = {"--thickness", NULL, CLI_OPT_INT, "T", "voxels", 1, 1e6, "layers: layer thickness (default 4)",
                     NULL},
    [G_THICKNESS_UM] = {"--thickness-um", NULL, CLI_OPT_DOUBLE, "T", "um", 1e-3, 1e5,
                        "box extent along z (through the electrode) in um: nz = T / voxel size, as 'ssbnet run' does",
                        NULL},
    /* electrode architecture (issue 12; the run keys microstructure.se_diameter_um, ...) */
    [G_SE_D] = {"--se-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 0, 100,
                "cathode: SE as lognormal particles of mean diameter D (gsd --cam-gsd), the voids the rest "
                "(default 0: the SE is the matrix)",
                NULL},
    [G_CHANNEL_F] = {"--channel-fraction", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 0.5,
                     "cathode: vertical SE channels along z, area fraction of the cross-section (default 0)", NULL},
    [G_CHANNEL_D] = {"--channel-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 0.1, 1000,
                     "cathode: channel diameter (default 10; adjusted to the lattice)", NULL},
    [G_CARBON_SHAPE] = {"--carbon-shape", NULL, CLI_OPT_CHOICE, "SHAPE", NULL, 0, 0,
                        "cathode: carbon particles (default sphere; fibre: random capsules of --carbon-d-um)",
                        "sphere,fibre"},
    [G_FIBRE_L] = {"--fibre-length-um", NULL, CLI_OPT_DOUBLE, "L", "um", 0.1, 1000,
                   "cathode: carbon fibre length, tip to tip (default 10)", NULL},
    [G_CAM_SMALL_F] = {"--cam-small-fraction", NULL, CLI_OPT_DOUBLE, "F", NULL, 0, 0.95,
                       "cathode: bimodal CAM, volume share of the small mode (default 0)", NULL},
    [G_CAM_SMALL_D] = {"--cam-small-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", 0.1, 1000,
                       "cathode: mean diameter of the small CAM mode (default 1)", NULL},
    [G_CAM_GRADIENT] = {"--cam-gradient", NULL, CLI_OPT_DOUBLE, "G", NULL, -1, 1,
                        "cathode: CAM fraction f(1+G/2) at z = 0 (current collector) to f(1-G/2) at the top "
                        "(default 0)",
                        NULL},
};

static void generate_help(void)
{
    printf("usage: ssbnet micro generate [--kind cathode|polycrystal|staircase|spheres|layers] -o OUT [options]\n\n"
           "Generate a seeded, reproducible 3D microstructure and write it (.tif .raw .npy .vti by extension)\n"
           "with its phase table OUT.phases.json (conductivities from the materials database at 25 C).\n"
           "cathode: CAM spheres + carbon + voids in a solid-electrolyte matrix; its default composition is the\n"
           "  cathode of the built-in default cell ('ssbnet cell defaults'), the one 'ssbnet run' generates.\n"
           "polycrystal: Voronoi grains of --se with a grain-boundary phase.\n"
           "staircase: TauFactor's slanted strip (20x21x21, tau_z = 451/60); spheres: simple-cubic sphere array;\n"
           "layers: alternating layers normal to --axis.\n\n"
           "options:\n");
    cli_opts_help(stdout, gen_opts, G_COUNT);
    printf("\nexample:\n"
           "  ssbnet micro generate --kind cathode --size 96 --voxel-um 0.4 --seed 7 -o cathode.tif\n");
}

/* The cathode of the built-in default cell with the default recipe (one definition: ssb_cell_params_default +
 * ssb_run_params_default), in a 96^3 box. */
int cli_micro_default_cathode(cli_env *env, ssb_run_cathode *c)
{
    ssb_cell_params *p = NULL;
    int r = ssb_cell_params_default(env->ctx, NULL, &p);
    if (r == SSB_OK) {
        ssb_cell_values v;
        ssb_cell_params_get_values(p, &v);
        ssb_run_params rp = ssb_run_params_default();
        r = ssb_run_cathode_from_cell(env->ctx, &v, &rp, c);
    }
    ssb_cell_params_destroy(&p);
    if (r != SSB_OK) return cli_fail(env, r);
    c->dims[0] = c->dims[1] = c->dims[2] = 96;
    return 0;
}

/* The image (with its sidecar) and OUT.phases.json appear together or not at all. */
static int write_image_and_phases(cli_env *env, const ssb_grid *g, const char *out)
{
    size_t len = strlen(out);
    char *ppath = malloc(len + 13);
    if (!ppath) return CLI_EXIT_NOMEM;
    snprintf(ppath, len + 13, "%s.phases.json", out);
    cli_outset os = {0};
    const char *timg = cli_outset_add(env, &os, out);
    const char *tph = timg ? cli_outset_add(env, &os, ppath) : NULL;
    int rc = 0;
    if (!timg || !tph) {
        rc = os.err;
    } else {
        int r = ssb_io_write_image(env->ctx, timg, g, NULL);
        rc = r != SSB_OK ? cli_fail(env, r) : cli_phases_write(env, g, tph);
        if (rc == 0) rc = cli_outset_commit(env, &os);
    }
    if (rc) cli_outset_abort(&os);
    free(ppath);
    return rc;
}

/* The electrode-architecture options (issue 12) into the recipe. */
static int arch_options(cli_env *env, const cli_optval *val, ssb_run_cathode *c)
{
    if (val[G_SE_D].given) {
        if (val[G_SE_D].num > 0 && val[G_SE_D].num < 0.1)
            return cli_usage_error(env, "option --se-d-um: %g um is out of range (0 = the SE is the matrix, or 0.1 to "
                                   "100)",
                                   val[G_SE_D].num);
        c->se_diameter = val[G_SE_D].num * 1e-6;
    }
    if (val[G_CHANNEL_F].given) c->channel_fraction = val[G_CHANNEL_F].num;
    if (val[G_CHANNEL_D].given) c->channel_diameter = val[G_CHANNEL_D].num * 1e-6;
    if (val[G_FIBRE_L].given) c->fibre_length = val[G_FIBRE_L].num * 1e-6;
    if (val[G_CAM_SMALL_F].given) c->cam_small_fraction = val[G_CAM_SMALL_F].num;
    if (val[G_CAM_SMALL_D].given) c->cam_small_diameter = val[G_CAM_SMALL_D].num * 1e-6;
    if (val[G_CAM_GRADIENT].given) c->cam_gradient = val[G_CAM_GRADIENT].num;
    if (val[G_CARBON_SHAPE].given)
        c->carbon_shape = strcasecmp(val[G_CARBON_SHAPE].str, "fibre") == 0 ? SSB_MICRO_PARTICLE_FIBRE
                                                                          : SSB_MICRO_PARTICLE_SPHERE;
    return 0;
}

/* One function for every kind (over 150 lines): they share the option parsing, the box and the atomic output. */
static int cmd_generate(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        generate_help();
        return 0;
    }
    cli_optval val[G_COUNT];
    int rc = cli_opts_parse(env, "micro generate", gen_opts, G_COUNT, argc, argv, 2, val, NULL, 0, NULL, NULL, NULL);
    if (rc) return rc;
    ssb_run_cathode c;
    rc = cli_micro_default_cathode(env, &c);
    if (rc) return rc;
    struct {
        int64_t dims[3];
        double voxel_um;
    } s = {{96, 96, 96}, 0.4};
    const char *kind = val[G_KIND].given ? val[G_KIND].str : "cathode", *out = val[G_OUT].str;
    const char *axis_s = val[G_AXIS].given ? val[G_AXIS].str : "z";
    double grain_um = 4, gb_um = 0.4, porosity = 0, radius = 5, spacing = 16, pore_d_um = 1.2;
    long long thickness = 4;
    int dims_given = val[G_SIZE].given || val[G_DIMS].given;
#define DBL(k, var) if (val[k].given) var = val[k].num
    DBL(G_VOXEL, s.voxel_um);
    DBL(G_CAM_VF, c.cam_fraction);
    DBL(G_CAM_GSD, c.cam_gsd);
    DBL(G_CARBON_VF, c.carbon_fraction);
    DBL(G_PORE_VF, c.pore_fraction);
    DBL(G_OVERLAP, c.overlap);
    DBL(G_GRAIN, grain_um);
    DBL(G_GB, gb_um);
    DBL(G_POROSITY, porosity);
    DBL(G_RADIUS, radius);
    DBL(G_SPACING, spacing);
    DBL(G_PORE_D, pore_d_um);
#undef DBL
    rc = arch_options(env, val, &c);
    if (rc) return rc;
    if (val[G_CAM_D].given) c.cam_diameter = val[G_CAM_D].num * 1e-6;
    if (val[G_CARBON_D].given) c.carbon_diameter = val[G_CARBON_D].num * 1e-6;
    c.pore_diameter = pore_d_um * 1e-6;
    if (val[G_THICKNESS].given) thickness = (long long)val[G_THICKNESS].num;
    if (val[G_SEED].given) c.seed = (uint64_t)val[G_SEED].num;
    struct {
        int k;
        char *dst;
    } names[] = {{G_CAM, c.cam}, {G_SE, c.se}, {G_CARBON, c.carbon}};
    for (int k = 0; k < 3; k++) {
        if (!val[names[k].k].given) continue;
        if (strlen(val[names[k].k].str) >= sizeof c.cam) /* no silent truncation of a material name */
            return cli_usage_error(env, "option %s: '%.40s...' is longer than %d bytes", gen_opts[names[k].k].name,
                                   val[names[k].k].str, (int)sizeof c.cam - 1);
        snprintf(names[k].dst, sizeof c.cam, "%s", val[names[k].k].str);
    }
    /* a material named on the command line must be in the database: a misspelt '--se LPSCl' gave a phase of
     * conductivity 0 with a warning (exit 8 now, with the closest names, as 'materials show') */
    for (int k = 0; k < 3; k++) {
        if (!val[names[k].k].given) continue;
        ssb_materials *db = NULL;
        const ssb_material *m = NULL;
        int r = ssb_materials_create(env->ctx, &db);
        if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
        if (r == SSB_OK) r = ssb_materials_find(env->ctx, db, names[k].dst, &m);
        ssb_materials_destroy(&db);
        if (r != SSB_OK) return cli_fail(env, r);
    }
    if (val[G_SIZE].given) s.dims[0] = s.dims[1] = s.dims[2] = (int64_t)val[G_SIZE].num;
    if (val[G_DIMS].given) {
        long long d[3];
        char tail;
        if (sscanf(val[G_DIMS].str, "%lld,%lld,%lld%c", &d[0], &d[1], &d[2], &tail) != 3 || d[0] < 1 || d[1] < 1 ||
            d[2] < 1)
            return cli_usage_error(env, "option --dims: '%s' is not NX,NY,NZ (positive whole numbers)",
                                   val[G_DIMS].str);
        for (int k = 0; k < 3; k++) s.dims[k] = d[k];
    }
    if (val[G_THICKNESS_UM].given) {
        double nz = val[G_THICKNESS_UM].num / s.voxel_um;
        if (!(nz >= 1 && nz <= 1e5))
            return cli_usage_error(env, "option --thickness-um: %g um at %g um voxels gives %.3g voxels (valid: 1 to 1e5)",
                                   val[G_THICKNESS_UM].num, s.voxel_um, nz);
        s.dims[2] = (int64_t)llround(nz);
        dims_given = 1;
    }
    if (!out) return cli_usage_error(env, "micro generate: an output file is required (-o FILE)");
    if (ssb_io_format_from_path(out) == SSB_IO_FORMAT_UNKNOWN)
        return cli_usage_error(env, "micro generate: output '%s' needs an extension .tif, .raw, .npy or .vti", out);
    ssb_grid *g = NULL;
    cJSON *js = cJSON_CreateObject();
    if (strcasecmp(kind, "cathode") == 0) {
        ssb_micro_electrode_result res;
        for (int k = 0; k < 3; k++) c.dims[k] = s.dims[k];
        c.voxel_size = s.voxel_um * 1e-6;
        ssb_materials *db = NULL;
        int r = ssb_materials_create(env->ctx, &db);
        if (r == SSB_OK) r = ssb_materials_load_builtin(env->ctx, db);
        if (r == SSB_OK) r = ssb_run_generate_cathode(env->ctx, db, &c, 298.15, &g, &res);
        cli_progress_done();
        ssb_materials_destroy(&db);
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (rc == 0) {
            cJSON *arr = cJSON_AddArrayToObject(js, "phases");
            cli_table *t = cli_table_create(
                6, (const char *[]){"phase", "label", "target [-]", "achieved [-]", "particles", "mean d [um]"});
            for (int k = 0; k < res.nphases; k++) {
                const ssb_phase *ph = ssb_grid_find_phase(g, res.phase[k].label);
                char lab[8], np[32];
                snprintf(lab, sizeof lab, "%d", res.phase[k].label);
                snprintf(np, sizeof np, "%lld", (long long)res.phase[k].nparticles);
                char f1[32], f2[32], f3[32];
                snprintf(f1, sizeof f1, "%.4f", res.phase[k].target);
                snprintf(f2, sizeof f2, "%.4f", res.phase[k].fraction);
                snprintf(f3, sizeof f3, "%.3f", res.phase[k].mean_diameter * 1e6);
                cli_table_add_row(t, (const char *[]){ph ? ph->name : "?", lab, f1, f2, np, f3});
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "name", ph ? ph->name : "?");
                cJSON_AddNumberToObject(o, "label", res.phase[k].label);
                cJSON_AddNumberToObject(o, "target", res.phase[k].target);
                cJSON_AddNumberToObject(o, "fraction", res.phase[k].fraction);
                cJSON_AddNumberToObject(o, "particles", (double)res.phase[k].nparticles);
                cJSON_AddNumberToObject(o, "mean_diameter_um", res.phase[k].mean_diameter * 1e6);
                if (ph) {
                    cJSON_AddNumberToObject(o, "sigma_ion_S_per_m", ph->sigma_ion);
                    cJSON_AddNumberToObject(o, "sigma_el_S_per_m", ph->sigma_el);
                }
                cJSON_AddItemToArray(arr, o);
            }
            cJSON_AddNumberToObject(js, "matrix_fraction", res.matrix_fraction);
            if (res.nchannels > 0) {
                cJSON *jc = cJSON_AddObjectToObject(js, "channels");
                cJSON_AddNumberToObject(jc, "count", (double)res.nchannels);
                cJSON_AddNumberToObject(jc, "diameter_um", res.channel_diameter * 1e6);
                cJSON_AddNumberToObject(jc, "fraction", res.channel_fraction);
            }
            if (!env->json) {
                printf("composite cathode, %lld x %lld x %lld voxels of %.3g um, seed %llu\n",
                       (long long)s.dims[0], (long long)s.dims[1], (long long)s.dims[2], s.voxel_um,
                       (unsigned long long)c.seed);
                cli_table_print(t, stdout);
                printf("matrix (%s): %.4f\n", c.se_diameter > 0 ? "voids" : c.se, res.matrix_fraction);
                if (res.nchannels > 0)
                    printf("vertical SE channels: %lld of %.3g um, area fraction %.4f\n", (long long)res.nchannels,
                           res.channel_diameter * 1e6, res.channel_fraction);
            }
            cli_table_destroy(&t);
        }
    } else if (strcasecmp(kind, "polycrystal") == 0) {
        int r = ssb_grid_create(env->ctx, s.dims[0], s.dims[1], s.dims[2], s.voxel_um * 1e-6, s.voxel_um * 1e-6,
                                s.voxel_um * 1e-6, &g);
        if (r != SSB_OK) {
            rc = cli_fail(env, r);
        } else {
            ssb_micro_polycrystal_params p = ssb_micro_polycrystal_params_default();
            p.grain_size = grain_um * 1e-6;
            p.gb_thickness = gb_um * 1e-6;
            p.porosity = porosity;
            p.pore_radius = 0.5 * pore_d_um * 1e-6;
            p.seed = c.seed;
            snprintf(p.grain_name, sizeof p.grain_name, "%s", c.se);
            ssb_micro_polycrystal_result res;
            r = ssb_micro_generate_polycrystal(env->ctx, g, &p, NULL, &res);
            cli_progress_done();
            if (r != SSB_OK) {
                rc = cli_fail(env, r);
            } else {
                rc = cli_micro_assign_materials(env, g, 298.15);
                cJSON_AddNumberToObject(js, "grains", (double)res.ngrains);
                cJSON_AddNumberToObject(js, "mean_grain_diameter_um", res.mean_grain_diameter * 1e6);
                cJSON_AddNumberToObject(js, "gb_fraction", res.gb_fraction);
                cJSON_AddNumberToObject(js, "pore_fraction", res.pore_fraction);
                if (!env->json)
                    printf("polycrystal of %s: %lld grains, mean grain diameter %.3f um, GB fraction %.4f, pore "
                           "fraction %.4f\n",
                           c.se, (long long)res.ngrains, res.mean_grain_diameter * 1e6, res.gb_fraction,
                           res.pore_fraction);
                /* grains as large as the box: one grain, cut by the box (--grain-um 100 in a 3.2 um box gave "1
                 * grains, mean grain diameter 3.970 um" without a word) */
                if (res.ngrains < 2 && !env->quiet)
                    cli_progress_done(),
                        fprintf(stderr, "ssbnet: warning: grains of %g um do not fit the box (%lld x %lld x %lld voxels "
                                        "of %g um): %lld grain, mean diameter %.3g um; use a box several grains wide\n",
                                grain_um, (long long)s.dims[0], (long long)s.dims[1], (long long)s.dims[2], s.voxel_um,
                                (long long)res.ngrains, res.mean_grain_diameter * 1e6);
            }
        }
    } else {
        ssb_micro_shape_kind sk;
        if (strcasecmp(kind, "staircase") == 0) {
            sk = SSB_MICRO_SHAPE_STAIRCASE;
            if (!dims_given) {
                s.dims[0] = s.dims[1] = 21;
                s.dims[2] = 20;
            }
        } else if (strcasecmp(kind, "spheres") == 0) {
            sk = SSB_MICRO_SHAPE_SPHERE_ARRAY;
        } else {
            sk = SSB_MICRO_SHAPE_LAYERS;
        }
        ssb_micro_shape_params p = ssb_micro_shape_params_default(sk);
        ssb_axis ax = SSB_AXIS_Z;
        int r = ssb_axis_parse(env->ctx, axis_s, &ax);
        if (r == SSB_OK)
            r = ssb_grid_create(env->ctx, s.dims[0], s.dims[1], s.dims[2], s.voxel_um * 1e-6, s.voxel_um * 1e-6,
                                s.voxel_um * 1e-6, &g);
        if (r == SSB_OK) {
            p.width = 2;
            p.radius = radius;
            p.spacing = spacing;
            p.axis = ax;
            p.nlayers = 2;
            p.thickness[0] = p.thickness[1] = thickness;
            r = ssb_micro_generate_shape(env->ctx, g, &p);
        }
        for (int k = 0; k < 2 && r == SSB_OK; k++) {
            ssb_phase ph;
            memset(&ph, 0, sizeof ph);
            ph.label = (uint8_t)k;
            snprintf(ph.name, sizeof ph.name, k ? "feature" : "background");
            r = ssb_grid_set_phase(env->ctx, g, &ph);
        }
        if (r != SSB_OK) rc = cli_fail(env, r);
        if (!rc && !env->json) printf("%s geometry, %lld x %lld x %lld voxels\n", kind, (long long)s.dims[0],
                                      (long long)s.dims[1], (long long)s.dims[2]);
    }
    if (rc == 0) rc = write_image_and_phases(env, g, out);
    if (rc == 0 && (strcmp(kind, "cathode") == 0 || strcmp(kind, "polycrystal") == 0))
        rc = cli_micro_feature_warnings(env, g);
    if (rc == 0) {
        cJSON_AddStringToObject(js, "output", out);
        if (env->json)
            cli_json_print(js);
        else {
            printf("wrote %s and %s.phases.json\n", out, out);
            cJSON_Delete(js);
        }
    } else {
        cJSON_Delete(js);
    }
    ssb_grid_destroy(&g);
    return rc;
}

/* ------------------------------------------------------------------ transport */

enum { T_PHASE, T_AXIS, T_CARRIER, T_SIGMA, T_BACKEND, T_STORAGE, T_RTOL, T_FLUXTOL, T_MAXIT, T_DIRICHLET, T_STRICT,
       T_VTI, T_TEMP, T_COUNT };
static const cli_opt transport_opts[T_COUNT] = {
    [T_PHASE] = {"--phase", NULL, CLI_OPT_STRING, "P[,P...]", NULL, 0, 0, "conducting phases, labels or names (required)",
                 NULL},
    [T_AXIS] = {"--axis", NULL, CLI_OPT_CHOICE, "AXIS", NULL, 0, 0, "transport direction (default z)", "x,y,z,all"},
    [T_CARRIER] = {"--carrier", NULL, CLI_OPT_CHOICE, "C", NULL, 0, 0,
                   "phase conductivities from the materials database (default: every chosen phase 1 S/m, geometry "
                   "only)", "ion,electron"},
    [T_SIGMA] = {"--sigma", NULL, CLI_OPT_STRING, "P:S,...", NULL, 0, 0, "conductivity S (S/m) of phase P (overrides)",
                 NULL},
    [T_BACKEND] = {"--backend", NULL, CLI_OPT_CHOICE, "NAME", NULL, 0, 0, "linear solver (default auto)",
                   "auto,gmg,hypre"},
    [T_STORAGE] = {"--storage", NULL, CLI_OPT_CHOICE, "S", NULL, 0, 0,
                   "gmg's voxel level: stored (fastest, ~84 bytes per unknown), compact (16-bit neighbour ranks, ~30 "
                   "bytes per unknown less, ~1.3x the time), lean (bit masks, least memory, 2-3x the time); default "
                   "auto: stored up to 16.8 M conducting voxels, compact up to 89.5 M, lean above. Same tau to 1e-12",
                   "auto,stored,compact,lean"},
    [T_RTOL] = {"--rtol", NULL, CLI_OPT_DOUBLE, "X", NULL, 1e-14, 1e-1,
                "relative tolerance of tau and sigma_eff by the solver's estimate (gmg; JSON tau_rel_error_est), of "
                "the residual with --vti or hypre (default 1e-8)", NULL},
    [T_FLUXTOL] = {"--flux-tol", NULL, CLI_OPT_DOUBLE, "X", NULL, 1e-14, 1e-1,
                   "inlet/outlet current agreement (default 1e-4)", NULL},
    [T_MAXIT] = {"--max-iter", NULL, CLI_OPT_INT, "N", NULL, 1, 1e6, "iteration limit (default 2000)", NULL},
    [T_DIRICHLET] = {"--dirichlet", NULL, CLI_OPT_CHOICE, "WHERE", NULL, 0, 0,
                     "potentials on the faces (default) or in the first/last layers (PuMA/PoreSpy)", "face,cell"},
    [T_STRICT] = {"--strict", NULL, CLI_OPT_FLAG, NULL, NULL, 0, 0, "exit 9 if the solver does not converge", NULL},
    [T_VTI] = {"--vti", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0, "write labels, potential and current density (ParaView)",
               NULL},
    [T_TEMP] = {"--temperature-C", NULL, CLI_OPT_DOUBLE, "T", "C", -100, 1000,
                "temperature of the database conductivities with --carrier (default 25)", NULL},
};

static void transport_help(void)
{
    printf("usage: ssbnet micro transport IMAGE --phase P[,P...] [--axis x|y|z|all] [options]\n\n"
           "Steady conduction through the chosen phases (labels or names of the phase table): effective\n"
           "conductivity, tortuosity factor tau = eps * sigma_bulk / sigma_eff (eps = total volume fraction of the\n"
           "conducting phases, TauFactor's convention), MacMullin number. Dirichlet potentials on the two faces\n"
           "normal to the axis, no flux elsewhere; only voxels connected to both faces carry current.\n"
           "Axes: for a TIFF stack z is the page index, y the row, x the column.\n\n"
           "options:\n");
    cli_opts_help(stdout, transport_opts, T_COUNT);
    cli_image_help(stdout);
    printf("\nexample:\n"
           "  ssbnet micro transport electrode.tiff --phase 0 --axis z --json\n");
}

static cJSON *result_json(const ssb_transport_result *r)
{
    return cli_report_json(cJSON_CreateObject(), ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT), r);
}

static int cmd_transport(cli_env *env, int argc, char **argv)
{
    if (cli_opts_wants_help(argc, argv, 2)) {
        transport_help();
        return 0;
    }
    cli_image_opts io;
    cli_optval val[T_COUNT];
    const char *image = NULL, *phases = NULL;
    int prc = cli_opts_parse_image(env, "micro transport", transport_opts, T_COUNT, argc, argv, 2, val, &io, &image);
    if (prc) return prc;
    phases = val[T_PHASE].str;
    const char *axis_s = val[T_AXIS].given ? val[T_AXIS].str : "z", *carrier = val[T_CARRIER].str;
    const char *sigma_spec = val[T_SIGMA].str, *vti = val[T_VTI].str;
    ssb_transport_params tp = ssb_transport_params_default();
    if (val[T_BACKEND].given) snprintf(tp.backend, sizeof tp.backend, "%s", val[T_BACKEND].str);
    if (val[T_STORAGE].given) {
        const char *st = val[T_STORAGE].str;
        tp.lean = strcasecmp(st, "stored") == 0    ? 0
                  : strcasecmp(st, "lean") == 0    ? 1
                  : strcasecmp(st, "compact") == 0 ? 2
                                                   : -1;
    }
    if (val[T_RTOL].given) tp.rtol = val[T_RTOL].num;
    if (val[T_FLUXTOL].given) tp.flux_tol = val[T_FLUXTOL].num;
    if (val[T_MAXIT].given) tp.max_iter = (int64_t)val[T_MAXIT].num;
    if (val[T_DIRICHLET].given && strcasecmp(val[T_DIRICHLET].str, "cell") == 0) tp.dirichlet = SSB_DIRICHLET_CELL;
    int strict = val[T_STRICT].given;
    double T = 273.15 + (val[T_TEMP].given ? val[T_TEMP].num : 25.0);
    if (!image) return cli_usage_error(env, "micro transport: an IMAGE is required (see --help)");
    if (!phases) return cli_usage_error(env, "micro transport: --phase LABEL[,LABEL...] is required");
    tp.error_if_not_converged = strict;
    tp.want_fields = vti != NULL;
    ssb_axis axes[3];
    int naxes = 0;
    if (strcasecmp(axis_s, "all") == 0) {
        axes[0] = SSB_AXIS_X;
        axes[1] = SSB_AXIS_Y;
        axes[2] = SSB_AXIS_Z;
        naxes = 3;
    } else {
        int r = ssb_axis_parse(env->ctx, axis_s, &axes[0]);
        if (r != SSB_OK) return cli_fail(env, r);
        naxes = 1;
    }
    if (vti && naxes != 1) return cli_usage_error(env, "micro transport: --vti needs a single --axis");
    if (carrier && strcasecmp(carrier, "ion") != 0 && strcasecmp(carrier, "electron") != 0)
        return cli_usage_error(env, "option --carrier: '%s' is invalid (valid: ion, electron)", carrier);

    /* Under mpirun (any number of ranks, so that -n 1 runs the distributed solver too) every rank reads only its slab
       of the image (ssb_dist_transport_file); here only the first plane is read, for the phase table that --phase,
       --sigma and --carrier use. */
    const int nranks = ssb_dist_size(), use_dist = nranks > 1 || ssb_dist_launched();
    if (use_dist) {
        if (vti) return cli_usage_error(env, "micro transport: --vti is not available over MPI ranks (run without mpirun)");
        if (val[T_DIRICHLET].given && tp.dirichlet == SSB_DIRICHLET_CELL)
            return cli_usage_error(env, "micro transport: --dirichlet cell is not available over MPI ranks (face only)");
        io.first_planes = 1;
    }
    ssb_grid *g = NULL;
    int64_t hist[256]; /* labels of the whole image, also when only its first plane is read here */
    int rc = cli_image_load_hist(env, &io, image, &g, hist);
    if (rc) return rc;
    uint8_t in_set[256];
    rc = cli_parse_phase_set_hist(env, g, hist, phases, in_set);
    double sigma[256] = {0};
    if (!rc && carrier) rc = cli_micro_assign_materials(env, g, T);
    if (!rc && carrier) {
        double all[256];
        int r = ssb_transport_sigma_from_phases(env->ctx, g, strcasecmp(carrier, "ion") == 0 ? SSB_CARRIER_ION
                                                                                             : SSB_CARRIER_ELECTRON,
                                                all);
        if (r != SSB_OK) rc = cli_fail(env, r);
        for (int k = 0; k < 256 && !rc; k++) {
            if (!in_set[k]) continue;
            if (!ssb_grid_find_phase(g, (uint8_t)k)) {
                fprintf(stderr, "ssbnet: error: --carrier %s: label %d has no phase-table entry (use --phases or "
                                "--phase-map)\n", carrier, k);
                rc = CLI_EXIT_NOTFOUND;
            }
            sigma[k] = all[k];
        }
    } else if (!rc) {
        for (int k = 0; k < 256; k++) sigma[k] = in_set[k] ? 1.0 : 0.0;
    }
    if (!rc && sigma_spec) {
        char *copy = strdup(sigma_spec), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
            char *colon = strrchr(tok, ':');
            if (!colon) {
                rc = cli_usage_error(env, "option --sigma: '%s' is not PHASE:S_PER_M", tok);
                break;
            }
            *colon = '\0';
            uint8_t one[256];
            double val;
            rc = cli_parse_phase_set_hist(env, g, hist, tok, one);
            if (!rc) rc = cli_parse_double(env, "--sigma", colon + 1, &val);
            if (!rc && !(val >= 0)) rc = cli_usage_error(env, "option --sigma: %g S/m must be >= 0", val);
            for (int k = 0; k < 256 && !rc; k++)
                if (one[k]) sigma[k] = val;
        }
        free(copy);
    }
    if (!rc) {
        int any = 0;
        for (int k = 0; k < 256; k++) any |= in_set[k] && sigma[k] > 0;
        if (!any) {
            /* name what set the zero: the carrier's materials and/or the --sigma entries (no carrier: --sigma only) */
            fprintf(stderr, "ssbnet: error: --phase %s: the chosen phases have zero conductivity %s%s%s%s%s: nothing "
                            "conducts (give a conductivity > 0)\n",
                    phases ? phases : "", carrier ? "for --carrier " : "", carrier ? carrier : "",
                    carrier && sigma_spec ? " and " : "", sigma_spec ? "by --sigma " : "", sigma_spec ? sigma_spec : "");
            rc = CLI_EXIT_RANGE;
        }
    }
    ssb_transport_result res[3];
    memset(res, 0, sizeof res);
    int nres = 0;
    ssb_io_read_params drp;
    if (!rc && use_dist) rc = cli_image_read_params_for(env, &io, image, &drp);
    if (use_dist) rc = cli_dist_sync(env, rc); /* every rank, before the collective solves */
    /* several axes: one transport object, one connected-component labelling for all of them (the results are those
     * of ssb_transport_solve bit for bit); each axis's solver set-up is released after its solve */
    ssb_transport *tobj = NULL;
    if (!rc && !use_dist && naxes > 1) {
        int r = ssb_transport_create(env->ctx, g, &tp, &tobj);
        if (r == SSB_OK) r = ssb_transport_setup_all(tobj, sigma);
        cli_progress_done();
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    for (int a = 0; a < naxes && !rc; a++) {
        int r = use_dist ? ssb_dist_transport_file(env->ctx, image, &drp, sigma, axes[a], &tp, &res[a], NULL)
                : tobj   ? ssb_transport_compute(tobj, sigma, axes[a], &res[a])
                         : ssb_transport_solve(env->ctx, g, sigma, axes[a], &tp, &res[a]);
        if (tobj) ssb_transport_release(tobj, axes[a]);
        cli_progress_done();
        if (r != SSB_OK) {
            rc = cli_fail(env, r);
            if (r == SSB_ERR_NOCONV) nres = a + 1;
            break;
        }
        nres = a + 1;
        if (!res[a].converged && !env->quiet)
            cli_progress_done(), fprintf(stderr, "ssbnet: warning: axis %s did not converge: %s (residual %.3g, flux mismatch %.3g)\n",
                    ssb_axis_name(axes[a]), res[a].reason, res[a].rel_residual, res[a].flux_mismatch);
    }
    if (!rc && vti) {
        ssb_io_vti_field f[2] = {{"potential_V", 1, res[0].potential}, {"current_density_A_per_m2", 1, res[0].current}};
        /* no conducting path: no field to write (it failed with "field 'potential_V' has no data", exit 4); the
         * labels are written, tau = inf is reported as without --vti */
        const int nf = (res[0].potential && res[0].current) ? 2 : 0;
        if (!nf && !env->quiet)
            cli_progress_done(), fprintf(stderr, "ssbnet: warning: %s: no potential or current written: the phase does "
                                                 "not percolate along %s (labels only)\n", vti, ssb_axis_name(axes[0]));
        int r = ssb_io_write_vti(env->ctx, vti, g, nf ? f : NULL, nf);
        if (r != SSB_OK) rc = cli_fail(env, r);
    }
    if (!rc) {
        if (env->json) {
            cJSON *root;
            if (naxes == 1) {
                root = result_json(&res[0]);
            } else {
                root = cJSON_CreateObject();
                cJSON *arr = cJSON_AddArrayToObject(root, "results");
                for (int a = 0; a < nres; a++) cJSON_AddItemToArray(arr, result_json(&res[a]));
            }
            cJSON_AddStringToObject(root, "image", image);
            cJSON_AddStringToObject(root, "phases", phases);
            if (ssb_dist_launched()) cJSON_AddNumberToObject(root, "ranks", nranks);
            cli_json_print(root);
        } else {
            printf("%s: transport through phase(s) %s\n", image, phases);
            static const char *const cols[] = {"axis", "eps", "eps_percolating", "sigma_eff", "sigma_rel", "tau",
                                               "tau_percolating", "macmullin", "iterations", "time", NULL};
            const ssb_report_type *tt = ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT);
            cli_table *t = cli_report_table(tt, NULL, cols);
            for (int a = 0; a < nres; a++) {
                cli_report_table_row(t, tt, NULL, cols, &res[a]);
                if (!res[a].converged) printf("axis %s: not converged (%s)\n", ssb_axis_name(res[a].axis), res[a].reason);
            }
            cli_table_print(t, stdout);
            cli_table_destroy(&t);
            for (int a = 0; a < nres; a++)
                if (!res[a].percolates) printf("axis %s: the phase does not percolate (tau = inf)\n",
                                               ssb_axis_name(res[a].axis));
            printf("solver: %s, rtol %.0e, flux tolerance %.0e%s\n", nres ? res[0].backend : "-", tp.rtol,
                   tp.flux_tol, vti ? "" : "");
            if (vti) printf("wrote %s\n", vti);
        }
    }
    for (int a = 0; a < 3; a++) ssb_transport_result_destroy(&res[a]);
    ssb_transport_destroy(&tobj);
    ssb_grid_destroy(&g);
    return rc;
}

/* ------------------------------------------------------------------ group */

static void micro_help(void)
{
    printf("usage: ssbnet micro <generate|analyze|transport|resolution> [options]\n\n"
           "  generate    make a seeded 3D microstructure (composite cathode, polycrystal, test geometries)\n"
           "  analyze     volume fractions, percolation, interface areas, active cathode material\n"
           "  transport   effective conductivity and tortuosity factor of a phase along an axis\n"
           "  resolution  voxel-size rule, resolution / box-size check, feature sizes of an image\n\n"
           "Run 'ssbnet micro <subcommand> --help' for its options.\n");
}

int cmd_micro(cli_env *env, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        micro_help();
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "generate") == 0) return cmd_generate(env, argc, argv);
    if (strcmp(argv[1], "transport") == 0) return cmd_transport(env, argc, argv);
    if (strcmp(argv[1], "analyze") == 0 || strcmp(argv[1], "analyse") == 0) return cli_micro_analyze(env, argc, argv);
    if (strcmp(argv[1], "resolution") == 0) return cli_micro_resolution(env, argc, argv);
    return cli_usage_error(env, "micro: unknown subcommand '%s' (valid: generate, analyze, transport, resolution)", argv[1]);
}
