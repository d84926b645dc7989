/* ssbnet micro generate | analyze | transport */
#include "cli.h"
#include "cli_image.h"
#include "cli_micro.h"

#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ generate */

static void generate_help(void)
{
    printf("usage: ssbnet micro generate [--kind cathode|polycrystal|staircase|spheres|layers] -o OUT [options]\n\n"
           "Generate a seeded, reproducible 3D microstructure and write it (.tif .raw .npy .vti by extension)\n"
           "with its phase table OUT.phases.json.\n\n"
           "common options:\n"
           "  -o, --output FILE   output image (required)\n"
           "  --size N            cubic box of N voxels per edge (default 96)\n"
           "  --dims NX,NY,NZ     box dimensions in voxels\n"
           "  --voxel-um H        voxel edge in micrometres (default 0.4)\n"
           "  --seed S            random seed (default 1)\n"
           "cathode (composite electrode: CAM spheres + carbon + optional pores in a solid-electrolyte matrix):\n"
           "  --cam NAME          active material (default NCM811)    --se NAME  electrolyte (default Li6PS5Cl)\n"
           "  --cam-vf F          CAM volume fraction (default 0.60)  --cam-d-um D  mean diameter (default 5.0)\n"
           "  --cam-gsd G         geometric std of the lognormal CAM diameters (default 1.3)\n"
           "  --carbon-vf F       carbon volume fraction (default 0.03) --carbon-d-um D (default 1.0)\n"
           "  --pore-vf F         porosity as small voids (default 0.05) --pore-d-um D (default 1.2)\n"
           "  --overlap X         allowed sphere overlap fraction (default 0.15)\n"
           "polycrystal (solid electrolyte: Voronoi grains with a grain-boundary phase):\n"
           "  --grain-um D        mean grain size, equivalent-sphere diameter (default 4)\n"
           "  --gb-um T           grain-boundary thickness (default 0.4)\n"
           "  --porosity P        pore fraction (default 0)     --pore-d-um D pore diameter (default 1.2)\n"
           "staircase: TauFactor's slanted strip (20x21x21, tau_z = 451/60); spheres: simple-cubic sphere array\n"
           "  (--radius R --spacing S in voxels); layers: alternating layers normal to --axis (--thickness T)\n\n"
           "example:\n"
           "  ssbnet micro generate --kind cathode --size 96 --voxel-um 0.4 --seed 7 -o cathode.tif\n");
}

int cli_micro_default_cathode(cli_env *env, const cli_cathode_spec *s, ssb_grid **out,
                              ssb_micro_electrode_result *res)
{
    ssb_grid *g = NULL;
    int r = ssb_grid_create(env->ctx, s->dims[0], s->dims[1], s->dims[2], s->voxel_um * 1e-6, s->voxel_um * 1e-6,
                            s->voxel_um * 1e-6, &g);
    if (r != SSB_OK) return cli_fail(env, r);
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.seed = s->seed;
    p.overlap = s->overlap;
    p.matrix_label = CLI_LABEL_SE;
    snprintf(p.matrix_name, sizeof p.matrix_name, "%s", s->se);
    p.matrix_role = SSB_ROLE_SE;
    int k = 0;
    p.phase[k].label = CLI_LABEL_CAM;
    snprintf(p.phase[k].name, sizeof p.phase[k].name, "%s", s->cam);
    p.phase[k].role = SSB_ROLE_ACTIVE;
    p.phase[k].fraction = s->cam_vf;
    p.phase[k].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
    p.phase[k].psd.d_mean = s->cam_d_um * 1e-6;
    p.phase[k].psd.gsd = s->cam_gsd;
    k++;
    if (s->carbon_vf > 0) {
        p.phase[k].label = CLI_LABEL_CARBON;
        snprintf(p.phase[k].name, sizeof p.phase[k].name, "%s", s->carbon);
        p.phase[k].role = SSB_ROLE_CARBON;
        p.phase[k].fraction = s->carbon_vf;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k].psd.d_mean = s->carbon_d_um * 1e-6;
        k++;
    }
    if (s->pore_vf > 0) {
        p.phase[k].label = CLI_LABEL_PORE;
        snprintf(p.phase[k].name, sizeof p.phase[k].name, "pore");
        p.phase[k].role = SSB_ROLE_PORE;
        p.phase[k].fraction = s->pore_vf;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k].psd.d_mean = s->pore_d_um * 1e-6;
        k++;
    }
    p.nphases = k;
    p.tolerance = 0.01;
    r = ssb_micro_generate_electrode(env->ctx, g, &p, res);
    if (r != SSB_OK) {
        ssb_grid_destroy(&g);
        return cli_fail(env, r);
    }
    cli_progress_done();
    /* materials and conductivities of each phase */
    r = cli_micro_assign_materials(env, g);
    if (r != 0) {
        ssb_grid_destroy(&g);
        return r;
    }
    *out = g;
    return 0;
}

cli_cathode_spec cli_cathode_spec_default(void)
{
    cli_cathode_spec s;
    memset(&s, 0, sizeof s);
    s.dims[0] = s.dims[1] = s.dims[2] = 96;
    s.voxel_um = 0.4;
    s.seed = 1;
    snprintf(s.cam, sizeof s.cam, "NCM811");
    snprintf(s.se, sizeof s.se, "Li6PS5Cl");
    snprintf(s.carbon, sizeof s.carbon, "carbon_black");
    s.cam_vf = 0.60;
    s.cam_d_um = 5.0;
    s.cam_gsd = 1.3;
    s.carbon_vf = 0.03;
    s.carbon_d_um = 1.0;
    s.pore_vf = 0.05;
    s.pore_d_um = 1.2;
    s.overlap = 0.15;
    return s;
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

static int cmd_generate(cli_env *env, int argc, char **argv)
{
    const char *kind = "cathode", *out = NULL;
    cli_cathode_spec s = cli_cathode_spec_default();
    double grain_um = 4, gb_um = 0.4, porosity = 0, radius = 5, spacing = 16;
    long long thickness = 4;
    const char *axis_s = "z";
    int dims_given = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long ll;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            generate_help();
            return 0;
        }
#define DBL(opt, var)                                                                             \
    if (strcmp(a, opt) == 0) {                                                                    \
        if (cli_parse_double(env, opt, v, &(var))) return CLI_EXIT_USAGE;                         \
        i++;                                                                                      \
        continue;                                                                                 \
    }
#define STR(opt, var, n)                                                                          \
    if (strcmp(a, opt) == 0) {                                                                    \
        if (!v) return cli_usage_error(env, "option %s needs a value", opt);                      \
        if (strlen(v) >= (size_t)(n))                                                             \
            return cli_usage_error(env, "option %s: '%.40s...' is longer than %d bytes", opt, v,  \
                                   (int)(n) - 1);                                                 \
        snprintf(var, n, "%s", v);                                                                \
        i++;                                                                                      \
        continue;                                                                                 \
    }
        DBL("--voxel-um", s.voxel_um)
        DBL("--cam-vf", s.cam_vf)
        DBL("--cam-d-um", s.cam_d_um)
        DBL("--cam-gsd", s.cam_gsd)
        DBL("--carbon-vf", s.carbon_vf)
        DBL("--carbon-d-um", s.carbon_d_um)
        DBL("--pore-vf", s.pore_vf)
        DBL("--pore-d-um", s.pore_d_um)
        DBL("--overlap", s.overlap)
        DBL("--grain-um", grain_um)
        DBL("--gb-um", gb_um)
        DBL("--porosity", porosity)
        DBL("--radius", radius)
        DBL("--spacing", spacing)
        STR("--cam", s.cam, sizeof s.cam)
        STR("--se", s.se, sizeof s.se)
        STR("--carbon", s.carbon, sizeof s.carbon)
#undef DBL
#undef STR
        if (strcmp(a, "--kind") == 0 && v) {
            kind = v;
            i++;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && v) {
            out = v;
            i++;
        } else if (strcmp(a, "--axis") == 0 && v) {
            axis_s = v;
            i++;
        } else if (strcmp(a, "--size") == 0) {
            if (cli_parse_int(env, a, v, &ll)) return CLI_EXIT_USAGE;
            s.dims[0] = s.dims[1] = s.dims[2] = ll;
            dims_given = 1;
            i++;
        } else if (strcmp(a, "--thickness") == 0) {
            if (cli_parse_int(env, a, v, &thickness)) return CLI_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (cli_parse_int(env, a, v, &ll)) return CLI_EXIT_USAGE;
            s.seed = (uint64_t)ll;
            i++;
        } else if (strcmp(a, "--dims") == 0 && v) {
            long long d[3];
            int r = cli_parse_int_list(env, "--dims NX,NY,NZ (each 1 to 16777216)", v, 3, 1, 16777216, d);
            if (r) return r;
            for (int k = 0; k < 3; k++) s.dims[k] = d[k];
            dims_given = 1;
            i++;
        } else {
            return cli_usage_error(env, "micro generate: unknown option '%s' (see --help)", a);
        }
    }
    if (!out) return cli_usage_error(env, "micro generate: an output file is required (-o FILE)");
    if (ssb_io_format_from_path(out) == SSB_IO_FORMAT_UNKNOWN)
        return cli_usage_error(env, "micro generate: output '%s' needs an extension .tif, .raw, .npy or .vti", out);
    ssb_grid *g = NULL;
    int rc = 0;
    cJSON *js = cJSON_CreateObject();
    if (strcasecmp(kind, "cathode") == 0) {
        ssb_micro_electrode_result res;
        rc = cli_micro_default_cathode(env, &s, &g, &res);
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
                cJSON_AddItemToArray(arr, o);
            }
            cJSON_AddNumberToObject(js, "matrix_fraction", res.matrix_fraction);
            if (!env->json) {
                printf("composite cathode, %lld x %lld x %lld voxels of %.3g um, seed %llu\n",
                       (long long)s.dims[0], (long long)s.dims[1], (long long)s.dims[2], s.voxel_um,
                       (unsigned long long)s.seed);
                cli_table_print(t, stdout);
                printf("matrix (%s): %.4f\n", s.se, res.matrix_fraction);
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
            p.pore_radius = 0.5 * s.pore_d_um * 1e-6;
            p.seed = s.seed;
            snprintf(p.grain_name, sizeof p.grain_name, "%s", s.se);
            ssb_micro_polycrystal_result res;
            r = ssb_micro_generate_polycrystal(env->ctx, g, &p, NULL, &res);
            cli_progress_done();
            if (r != SSB_OK) {
                rc = cli_fail(env, r);
            } else {
                rc = cli_micro_assign_materials(env, g);
                cJSON_AddNumberToObject(js, "grains", (double)res.ngrains);
                cJSON_AddNumberToObject(js, "mean_grain_diameter_um", res.mean_grain_diameter * 1e6);
                cJSON_AddNumberToObject(js, "gb_fraction", res.gb_fraction);
                cJSON_AddNumberToObject(js, "pore_fraction", res.pore_fraction);
                if (!env->json)
                    printf("polycrystal: %lld grains, mean grain diameter %.3f um, GB fraction %.4f, pore fraction "
                           "%.4f\n",
                           (long long)res.ngrains, res.mean_grain_diameter * 1e6, res.gb_fraction,
                           res.pore_fraction);
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
        } else if (strcasecmp(kind, "layers") == 0) {
            sk = SSB_MICRO_SHAPE_LAYERS;
        } else {
            cJSON_Delete(js);
            return cli_usage_error(env,
                                   "micro generate: --kind '%s' is unknown (valid: cathode, polycrystal, staircase, "
                                   "spheres, layers)",
                                   kind);
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

static void transport_help(void)
{
    printf("usage: ssbnet micro transport IMAGE --phase P[,P...] [--axis x|y|z|all] [options]\n\n"
           "Steady conduction through the chosen phases (labels or names of the phase table): effective\n"
           "conductivity, tortuosity factor tau = eps * sigma_bulk / sigma_eff (eps = total volume fraction of the\n"
           "conducting phases, TauFactor's convention), MacMullin number. Dirichlet potentials on the two faces\n"
           "normal to the axis, no flux elsewhere; only voxels connected to both faces carry current.\n"
           "Axes: for a TIFF stack z is the page index, y the row, x the column.\n\n"
           "options:\n"
           "  --phase P[,P...]      conducting phases (required)\n"
           "  --axis x|y|z|all      transport direction (default z)\n"
           "  --carrier ion|electron  use the phase table's ionic or electronic conductivities\n"
           "                        (default: every chosen phase conducts with 1 S/m, i.e. geometry only)\n"
           "  --sigma P:S,...       conductivity S (S/m) of phase P (overrides the above)\n"
           "  --backend auto|gmg|hypre  linear solver (default auto)\n"
           "  --rtol X              relative residual (default 1e-8)\n"
           "  --flux-tol X          inlet/outlet current agreement (default 1e-4)\n"
           "  --max-iter N          iteration limit (default 2000)\n"
           "  --dirichlet face|cell potentials on the faces (default) or in the first/last layers (PuMA/PoreSpy)\n"
           "  --strict              exit 9 if the solver does not converge\n"
           "  --vti FILE            write labels, potential and current density for ParaView\n");
    cli_image_help(stdout);
    printf("\nexample:\n"
           "  ssbnet micro transport electrode.tiff --phase 0 --axis z --json\n");
}

static cJSON *result_json(const ssb_transport_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "axis", ssb_axis_name(r->axis));
    cJSON_AddBoolToObject(o, "percolates", r->percolates);
    cli_json_add_number(o, "tau", r->tau);
    cli_json_add_number(o, "tau_percolating", r->tau_percolating);
    cJSON_AddNumberToObject(o, "sigma_rel", r->sigma_rel);
    cJSON_AddNumberToObject(o, "sigma_eff_S_per_m", r->sigma_eff);
    cJSON_AddNumberToObject(o, "sigma_bulk_S_per_m", r->sigma_bulk);
    cli_json_add_number(o, "macmullin", r->macmullin);
    cJSON_AddNumberToObject(o, "eps", r->eps);
    cJSON_AddNumberToObject(o, "eps_percolating", r->eps_percolating);
    cJSON_AddBoolToObject(o, "converged", r->converged);
    cJSON_AddNumberToObject(o, "iterations", (double)r->iterations);
    cJSON_AddNumberToObject(o, "rel_residual", r->rel_residual);
    cJSON_AddNumberToObject(o, "flux_mismatch", r->flux_mismatch);
    cJSON_AddNumberToObject(o, "current_in_A", r->current_in);
    cJSON_AddNumberToObject(o, "current_out_A", r->current_out);
    cJSON_AddNumberToObject(o, "unknowns", (double)r->n_unknowns);
    cJSON_AddStringToObject(o, "reason", r->reason);
    cJSON_AddStringToObject(o, "backend", r->backend);
    cJSON_AddNumberToObject(o, "time_s", r->time_s);
    cJSON_AddNumberToObject(o, "solver_bytes", (double)r->peak_bytes);
    return o;
}

static int cmd_transport(cli_env *env, int argc, char **argv)
{
    cli_image_opts io;
    memset(&io, 0, sizeof io);
    const char *image = NULL, *phases = NULL, *axis_s = "z", *carrier = NULL, *sigma_spec = NULL, *vti = NULL;
    ssb_transport_params tp = ssb_transport_params_default();
    int strict = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            transport_help();
            return 0;
        }
        int k = cli_image_parse_opt(env, &io, argc, argv, &i);
        if (k < 0) return -k; /* exit status of the bad value, already reported */
        if (k > 0) continue;
        long long ll;
        if (strcmp(a, "--phase") == 0 && v) {
            phases = v;
            i++;
        } else if (strcmp(a, "--axis") == 0 && v) {
            axis_s = v;
            i++;
        } else if (strcmp(a, "--carrier") == 0 && v) {
            carrier = v;
            i++;
        } else if (strcmp(a, "--sigma") == 0 && v) {
            sigma_spec = v;
            i++;
        } else if (strcmp(a, "--vti") == 0 && v) {
            vti = v;
            i++;
        } else if (strcmp(a, "--backend") == 0 && v) {
            snprintf(tp.backend, sizeof tp.backend, "%s", v);
            i++;
        } else if (strcmp(a, "--rtol") == 0) {
            if (cli_parse_double(env, a, v, &tp.rtol)) return CLI_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--flux-tol") == 0) {
            if (cli_parse_double(env, a, v, &tp.flux_tol)) return CLI_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--max-iter") == 0) {
            if (cli_parse_int(env, a, v, &ll)) return CLI_EXIT_USAGE;
            tp.max_iter = ll;
            i++;
        } else if (strcmp(a, "--dirichlet") == 0 && v) {
            if (strcasecmp(v, "face") == 0)
                tp.dirichlet = SSB_DIRICHLET_FACE;
            else if (strcasecmp(v, "cell") == 0)
                tp.dirichlet = SSB_DIRICHLET_CELL;
            else
                return cli_usage_error(env, "option --dirichlet: '%s' is invalid (valid: face, cell)", v);
            i++;
        } else if (strcmp(a, "--strict") == 0) {
            strict = 1;
        } else if (a[0] == '-') {
            return cli_usage_error(env, "micro transport: unknown option '%s' (see --help)", a);
        } else if (!image) {
            image = a;
        } else {
            return cli_usage_error(env, "micro transport: unexpected argument '%s'", a);
        }
    }
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

    ssb_grid *g = NULL;
    int rc = cli_image_load(env, &io, image, &g);
    if (rc) return rc;
    uint8_t in_set[256];
    rc = cli_parse_phase_set(env, g, phases, in_set);
    double sigma[256] = {0};
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
            rc = cli_parse_phase_set(env, g, tok, one);
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
            fprintf(stderr, "ssbnet: error: the chosen phases have zero conductivity for --carrier %s\n",
                    carrier ? carrier : "");
            rc = CLI_EXIT_RANGE;
        }
    }
    ssb_transport_result res[3];
    memset(res, 0, sizeof res);
    int nres = 0;
    for (int a = 0; a < naxes && !rc; a++) {
        int r = ssb_transport_solve(env->ctx, g, sigma, axes[a], &tp, &res[a]);
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
        int r = ssb_io_write_vti(env->ctx, vti, g, f, 2);
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
            cli_json_print(root);
        } else {
            printf("%s: transport through phase(s) %s\n", image, phases);
            cli_table *t = cli_table_create(
                10, (const char *[]){"axis", "eps [-]", "eps_perc [-]", "sigma_eff [S/m]", "sigma_rel [-]", "tau [-]",
                                     "tau_perc [-]", "N_M [-]", "iter", "time [s]"});
            for (int a = 0; a < nres; a++) {
                char it[32];
                snprintf(it, sizeof it, "%lld%s", (long long)res[a].iterations, res[a].converged ? "" : "*");
                cli_table_add_row(t, (const char *[]){ssb_axis_name(res[a].axis), cli_fmt(res[a].eps),
                                                      cli_fmt(res[a].eps_percolating), cli_fmt(res[a].sigma_eff),
                                                      cli_fmt(res[a].sigma_rel), cli_fmt(res[a].tau),
                                                      cli_fmt(res[a].tau_percolating), cli_fmt(res[a].macmullin), it,
                                                      cli_fmt(res[a].time_s)});
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
    ssb_grid_destroy(&g);
    return rc;
}

/* ------------------------------------------------------------------ group */

static void micro_help(void)
{
    printf("usage: ssbnet micro <generate|analyze|transport> [options]\n\n"
           "  generate    make a seeded 3D microstructure (composite cathode, polycrystal, test geometries)\n"
           "  analyze     volume fractions, percolation, interface areas, active cathode material\n"
           "  transport   effective conductivity and tortuosity factor of a phase along an axis\n\n"
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
    return cli_usage_error(env, "micro: unknown subcommand '%s' (valid: generate, analyze, transport)", argv[1]);
}
