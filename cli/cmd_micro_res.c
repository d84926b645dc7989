/* ssbnet micro resolution: the voxel size rule, the resolution and box-size check of a generated cathode, and the
 * feature sizes of an image. No physics here: everything comes from ssb_micro_analysis.h. */
#include "cli_micro_res.h"

#include "cli_image.h"
#include "cli_micro.h"
#include "cli_opts.h"

#include <ssbnet/ssb_micro_analysis.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Numbers without a range here are checked by the library (ssb_micro_resolution_check, the cathode generator), as
 * before the table. --axis, --n-across and --voxel-um keep their usage exit status 2 (tests/cli/test_micro_res.sh). */
#define UNB -INFINITY, INFINITY
enum { R_IMAGE, R_PHASE, R_NACROSS, R_AXIS, R_BOX, R_SIZE, R_DIMS, R_VOXEL, R_SEED, R_CAM_VF, R_CAM_D, R_CAM_GSD,
       R_CARBON_VF, R_CARBON_D, R_PORE_VF, R_PORE_D, R_OVERLAP, R_COUNT };
static const cli_opt res_opts[R_COUNT] = {
    [R_IMAGE] = {"--image", NULL, CLI_OPT_STRING, "FILE", NULL, 0, 0, "check the feature sizes of an image", NULL},
    [R_PHASE] = {"--phase", NULL, CLI_OPT_STRING, "P[,P...]", NULL, 0, 0, "with --image: tau of these phases at h, 2h",
                 NULL},
    [R_NACROSS] = {"--n-across", NULL, CLI_OPT_INT, "N", "voxels", UNB,
                   "threshold for the smaller phases, 0 to 100 (0 = default)", NULL},
    [R_AXIS] = {"--axis", NULL, CLI_OPT_STRING, "x|y|z", NULL, 0, 0, "tau axis (default z)", NULL},
    [R_BOX] = {"--box-factor", NULL, CLI_OPT_DOUBLE, "F", NULL, UNB, "wider box for tau (default 1.5; 1 = skip)", NULL},
    [R_SIZE] = {"--size", NULL, CLI_OPT_INT, "N", "voxels", UNB, "cubic box of N voxels per edge", NULL},
    [R_DIMS] = {"--dims", NULL, CLI_OPT_STRING, "NX,NY,NZ", NULL, 0, 0, "box dimensions in voxels", NULL},
    [R_VOXEL] = {"--voxel-um", NULL, CLI_OPT_DOUBLE, "H", "um", UNB, "voxel edge h (> 0)", NULL},
    [R_SEED] = {"--seed", NULL, CLI_OPT_INT, "S", NULL, UNB, "random seed", NULL},
    [R_CAM_VF] = {"--cam-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, UNB, "CAM volume fraction", NULL},
    [R_CAM_D] = {"--cam-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "mean CAM diameter", NULL},
    [R_CAM_GSD] = {"--cam-gsd", NULL, CLI_OPT_DOUBLE, "G", NULL, UNB, "geometric std of the CAM diameters", NULL},
    [R_CARBON_VF] = {"--carbon-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, UNB, "carbon fraction", NULL},
    [R_CARBON_D] = {"--carbon-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "carbon diameter", NULL},
    [R_PORE_VF] = {"--pore-vf", NULL, CLI_OPT_DOUBLE, "F", NULL, UNB, "void fraction", NULL},
    [R_PORE_D] = {"--pore-d-um", NULL, CLI_OPT_DOUBLE, "D", "um", UNB, "void diameter", NULL},
    [R_OVERLAP] = {"--overlap", NULL, CLI_OPT_DOUBLE, "X", NULL, UNB, "allowed sphere overlap", NULL},
};
#undef UNB

static void res_help(void)
{
    printf("usage: ssbnet micro resolution [--image FILE [image options]] | [cathode options] [options]\n\n"
           "Voxel results converge only at first order in the voxel size h (the staircase narrows the SE necks).\n"
           "Rule (convergence study in the README): at least %d voxels across the CAM's mean diameter and %d\n"
           "across every smaller phase keep the SE tau within 5 %% from h to h/2.\n\n"
           "with --image FILE: the feature size of every label (1.5 x the shortest mean chord, the diameter of\n"
           "  an equivalent sphere), with a warning for labels under the threshold; with --phase P[,P...] also\n"
           "  the tau of those phases along --axis at the image's voxel size and coarsened to twice it.\n"
           "otherwise: generate the cathode recipe (same options as micro generate --kind cathode) at --voxel-um\n"
           "  and at half of it (the same spheres), compare the SE tau along --axis and the CAM|SE area, and\n"
           "  generate it in a box --box-factor times wider to compare tau; warn when a change exceeds 5 %%.\n\n"
           "options (--n-across default %d voxels):\n",
           SSB_MICRO_VOXELS_ACROSS_LARGEST, SSB_MICRO_VOXELS_ACROSS, SSB_MICRO_VOXELS_ACROSS);
    cli_opts_help(stdout, res_opts, R_COUNT);
    printf("  plus the image options of 'micro analyze' with --image\n");
}

int cli_micro_feature_warnings(cli_env *env, const ssb_grid *g)
{
    ssb_micro_features f;
    int rc = ssb_micro_feature_sizes(env->ctx, g, 0, &f);
    if (rc != SSB_OK)
        return cli_fail(env, rc);
    if (env->quiet)
        return 0;
    for (int i = 0; i < f.nlabels; i++) {
        const ssb_micro_feature *x = &f.label[i];
        if (!x->under_resolved)
            continue;
        const ssb_phase *ph = ssb_grid_find_phase(g, x->label);
        fprintf(stderr,
                "ssbnet: warning: label %d (%s): features about %.1f voxels across (%.3g um), under %d: results "
                "depend on the voxel size (see 'ssbnet micro resolution')\n",
                x->label, ph && ph->name[0] ? ph->name : "unnamed", x->voxels_across, x->feature_size * 1e6,
                f.n_across);
    }
    return 0;
}

static int image_mode(cli_env *env, const cli_image_opts *io, const char *path, int n_across, const char *phases,
                      ssb_axis axis)
{
    ssb_grid *g = NULL;
    int st = cli_image_load(env, io, path, &g);
    if (st)
        return st;
    ssb_micro_features f;
    int rc = ssb_micro_feature_sizes(env->ctx, g, n_across, &f);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return cli_fail(env, rc);
    }
    double tau_h = 0, tau_2h = 0, rel = 0;
    if (phases) { /* tau of the chosen phases at h and on the image coarsened to 2h */
        uint8_t in_set[256];
        st = cli_parse_phase_set(env, g, phases, in_set);
        if (st) {
            ssb_grid_destroy(&g);
            return st;
        }
        double sigma[256];
        for (int k = 0; k < 256; k++)
            sigma[k] = in_set[k] ? 1.0 : 0.0;
        rc = ssb_micro_resolution_check_image(env->ctx, g, sigma, axis, NULL, &tau_h, &tau_2h, &rel);
        cli_progress_done();
        if (rc != SSB_OK) {
            ssb_grid_destroy(&g);
            return cli_fail(env, rc);
        }
    }
    if (env->json) {
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "features");
        cJSON_AddStringToObject(o, "image", path);
        cJSON_AddNumberToObject(o, "n_across", f.n_across);
        cJSON_AddNumberToObject(o, "n_under_resolved", f.n_under);
        if (phases) {
            cli_json_add_number(o, "tau", tau_h);
            cli_json_add_number(o, "tau_double_voxel", tau_2h);
            cli_json_add_number(o, "tau_rel_change", rel);
        }
        for (int i = 0; i < f.nlabels; i++) {
            const ssb_micro_feature *x = &f.label[i];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "label", x->label);
            const ssb_phase *ph = ssb_grid_find_phase(g, x->label);
            cJSON_AddStringToObject(e, "name", ph ? ph->name : "");
            double cm[3] = {x->chord_mean[0] * 1e6, x->chord_mean[1] * 1e6, x->chord_mean[2] * 1e6};
            cJSON_AddItemToObject(e, "chord_mean_um", cJSON_CreateDoubleArray(cm, 3));
            cJSON_AddNumberToObject(e, "feature_size_um", x->feature_size * 1e6);
            cJSON_AddNumberToObject(e, "voxels_across", x->voxels_across);
            cJSON_AddBoolToObject(e, "under_resolved", x->under_resolved);
            cJSON_AddItemToArray(arr, e);
        }
        cli_json_print(o);
    } else {
        static const char *hd[] = {"label",        "name",         "chord x [um]",  "chord y [um]",
                                   "chord z [um]", "feature [um]", "voxels across", "resolved"};
        cli_table *t = cli_table_create(8, hd);
        for (int i = 0; i < f.nlabels; i++) {
            const ssb_micro_feature *x = &f.label[i];
            const ssb_phase *ph = ssb_grid_find_phase(g, x->label);
            char lab[8];
            snprintf(lab, sizeof lab, "%d", x->label);
            const char *row[8] = {lab,
                                  ph && ph->name[0] ? ph->name : "-",
                                  cli_fmt(x->chord_mean[0] * 1e6),
                                  cli_fmt(x->chord_mean[1] * 1e6),
                                  cli_fmt(x->chord_mean[2] * 1e6),
                                  cli_fmt(x->feature_size * 1e6),
                                  cli_fmt(x->voxels_across),
                                  x->under_resolved ? "no" : "yes"};
            cli_table_add_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        if (phases)
            printf("tau of %s along %s: %s at the image's voxel size, %s at twice it (change %s %%)\n", phases,
                   ssb_axis_name(axis), cli_fmt(tau_h), cli_fmt(tau_2h), cli_fmt(100 * rel));
    }
    if (!env->quiet && phases && !(rel <= 0.05))
        fprintf(stderr,
                "ssbnet: warning: tau changes by %.1f %% between the image's voxel size and twice it: at first-order "
                "convergence the image's own tau is uncertain by about as much\n",
                100 * rel);
    if (!env->quiet)
        for (int i = 0; i < f.nlabels; i++)
            if (f.label[i].under_resolved)
                fprintf(stderr, "ssbnet: warning: label %d: features about %.1f voxels across, under %d\n",
                        f.label[i].label, f.label[i].voxels_across, f.n_across);
    ssb_grid_destroy(&g);
    return 0;
}

static int check_mode(cli_env *env, const ssb_run_cathode *s, const ssb_micro_resolution_params *rp, int n_across)
{
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(s);
    double hrule;
    int rc = ssb_micro_resolution_voxel_size(env->ctx, &p, n_across, &hrule);
    if (rc != SSB_OK)
        return cli_fail(env, rc);
    ssb_micro_resolution_result r;
    rc = ssb_micro_resolution_check(env->ctx, &p, s->dims, s->voxel_size, rp, &r);
    cli_progress_done();
    if (rc != SSB_OK)
        return cli_fail(env, rc);
    if (env->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "voxel_size_um", r.h * 1e6);
        double d[3] = {(double)r.dims[0], (double)r.dims[1], (double)r.dims[2]};
        cJSON_AddItemToObject(o, "dimensions", cJSON_CreateDoubleArray(d, 3));
        cJSON_AddNumberToObject(o, "voxel_size_rule_um", hrule * 1e6);
        cJSON_AddNumberToObject(o, "voxels_across_cam", r.voxels_across);
        cJSON_AddNumberToObject(o, "voxels_across_smallest", r.voxels_across_small);
        cli_json_add_number(o, "tau", r.tau[0]);
        cli_json_add_number(o, "tau_half_voxel", r.tau[1]);
        cli_json_add_number(o, "tau_rel_change", r.rel_tau);
        cli_json_add_number(o, "tau_extrapolated", r.tau_extrapolated);
        cJSON_AddNumberToObject(o, "area_cam_se_per_volume_1_per_m", r.area[0]);
        cJSON_AddNumberToObject(o, "area_cam_se_per_volume_half_voxel_1_per_m", r.area[1]);
        cli_json_add_number(o, "area_rel_change", r.rel_area);
        if (rp->box_factor > 1.0) {
            cli_json_add_number(o, "tau_larger_box", r.tau_box);
            cli_json_add_number(o, "tau_box_rel_change", r.rel_tau_box);
        }
        cJSON_AddBoolToObject(o, "resolved", r.resolved);
        cJSON_AddBoolToObject(o, "box_ok", r.box_ok);
        cli_json_print(o);
    } else {
        printf("cathode %lld x %lld x %lld voxels of %.4g um: %.1f voxels across the CAM, %.1f across the smallest "
               "phase; the rule gives %.4g um\n",
               (long long)r.dims[0], (long long)r.dims[1], (long long)r.dims[2], r.h * 1e6, r.voxels_across,
               r.voxels_across_small, hrule * 1e6);
        static const char *hd[] = {"quantity", "at h", "at h/2", "change [%]"};
        cli_table *t = cli_table_create(4, hd);
        const char *r1[4] = {"SE tau [-]", cli_fmt(r.tau[0]), cli_fmt(r.tau[1]), cli_fmt(100 * r.rel_tau)};
        cli_table_add_row(t, r1);
        const char *r2[4] = {"CAM|SE area [1/um]", cli_fmt(r.area[0] * 1e-6), cli_fmt(r.area[1] * 1e-6),
                             cli_fmt(100 * r.rel_area)};
        cli_table_add_row(t, r2);
        cli_table_print(t, stdout);
        cli_table_destroy(&t);
        printf("SE tau extrapolated to h -> 0 (2 tau(h/2) - tau(h)): %s\n", cli_fmt(r.tau_extrapolated));
        if (rp->box_factor > 1.0)
            printf("SE tau in a %lld x %lld x %lld box at h: %s (change %s %%)\n", (long long)r.dims_box[0],
                   (long long)r.dims_box[1], (long long)r.dims_box[2], cli_fmt(r.tau_box),
                   cli_fmt(100 * r.rel_tau_box));
    }
    if (!env->quiet && !r.resolved)
        fprintf(stderr,
                "ssbnet: warning: not resolved: SE tau changes by %.1f %% and the CAM|SE area by %.1f %% from h = "
                "%.4g um to h/2 (limit %.0f %%); use --voxel-um %.3g or finer (the rule), or quote the "
                "extrapolated tau %.4g\n",
                100 * r.rel_tau, 100 * r.rel_area, r.h * 1e6, 100 * rp->rtol, hrule * 1e6, r.tau_extrapolated);
    if (!env->quiet && !r.box_ok)
        fprintf(stderr, "ssbnet: warning: box too small: SE tau changes by %.1f %% in the %.2gx wider box\n",
                100 * r.rel_tau_box, rp->box_factor);
    return 0;
}

static int image_hook(cli_env *env, void *user, int argc, char **argv, int *i)
{
    return cli_image_parse_opt(env, user, argc, argv, i);
}

int cli_micro_resolution(cli_env *env, int argc, char **argv)
{
    ssb_run_cathode s;
    int rc0 = cli_micro_default_cathode(env, &s);
    if (rc0) return rc0;
    /* options in um; the recipe is in m */
    double voxel_um = s.voxel_size * 1e6, cam_d_um = s.cam_diameter * 1e6, carbon_d_um = s.carbon_diameter * 1e6,
           pore_d_um = s.pore_diameter * 1e6;
    cli_image_opts io;
    memset(&io, 0, sizeof io);
    ssb_micro_resolution_params rp = ssb_micro_resolution_params_default();
    if (cli_opts_wants_help(argc, argv, 2)) {
        res_help();
        return 0;
    }
    cli_optval val[R_COUNT];
    int rc = cli_opts_parse(env, "micro resolution", res_opts, R_COUNT, argc, argv, 2, val, NULL, 0, NULL, image_hook,
                            &io);
    if (rc)
        return rc;
    struct {
        int k;
        double *var;
    } dbl[] = {{R_VOXEL, &voxel_um},          {R_CAM_VF, &s.cam_fraction},     {R_CAM_D, &cam_d_um},
               {R_CAM_GSD, &s.cam_gsd},       {R_CARBON_VF, &s.carbon_fraction}, {R_CARBON_D, &carbon_d_um},
               {R_PORE_VF, &s.pore_fraction}, {R_PORE_D, &pore_d_um},          {R_OVERLAP, &s.overlap},
               {R_BOX, &rp.box_factor}};
    for (size_t k = 0; k < sizeof dbl / sizeof dbl[0]; k++)
        if (val[dbl[k].k].given)
            *dbl[k].var = val[dbl[k].k].num;
    const char *image = val[R_IMAGE].str, *phases = val[R_PHASE].str;
    long long n_across = val[R_NACROSS].given ? (long long)val[R_NACROSS].num : 0;
    if (val[R_SIZE].given)
        s.dims[0] = s.dims[1] = s.dims[2] = (int64_t)val[R_SIZE].num;
    if (val[R_SEED].given)
        s.seed = (uint64_t)(long long)val[R_SEED].num;
    if (val[R_DIMS].given) {
        const char *v = val[R_DIMS].str;
        long long d[3];
        if (sscanf(v, "%lld,%lld,%lld", &d[0], &d[1], &d[2]) != 3 || d[0] < 1 || d[1] < 1 || d[2] < 1)
            return cli_usage_error(env, "--dims '%s' is invalid (expected NX,NY,NZ, each >= 1)", v);
        for (int k = 0; k < 3; k++)
            s.dims[k] = d[k];
    }
    if (val[R_AXIS].given) {
        const char *v = val[R_AXIS].str;
        if (strcmp(v, "x") == 0)
            rp.axis = SSB_AXIS_X;
        else if (strcmp(v, "y") == 0)
            rp.axis = SSB_AXIS_Y;
        else if (strcmp(v, "z") == 0)
            rp.axis = SSB_AXIS_Z;
        else
            return cli_usage_error(env, "--axis '%s' is invalid (valid: x, y, z)", v);
    }
    if (n_across < 0 || n_across > 100)
        return cli_usage_error(env, "--n-across %lld is invalid (valid: 1 to 100)", n_across);
    if (image) {
        /* --voxel-um is this command's own option (the recipe's voxel edge); with --image it is the image option:
         * the voxel size that overrides the file's, in the same range as for the other micro commands */
        if (val[R_VOXEL].given) {
            if (!(voxel_um > 0) || !isfinite(voxel_um))
                return cli_usage_error(env, "option --voxel-um: %g is invalid (must be > 0 micrometres)", voxel_um);
            if (voxel_um > 1e6) {
                cli_progress_done();
                fprintf(stderr, "ssbnet: error: option --voxel-um: %g is out of range (above 0 to 1e6 micrometres)\n",
                        voxel_um);
                return CLI_EXIT_RANGE;
            }
            io.voxel_um = voxel_um;
        }
        return image_mode(env, &io, image, (int)n_across, phases, rp.axis);
    }
    if (!(voxel_um > 0) || !isfinite(voxel_um))
        return cli_usage_error(env, "--voxel-um %g is invalid (must be > 0)", voxel_um);
    s.voxel_size = voxel_um * 1e-6;
    s.cam_diameter = cam_d_um * 1e-6;
    s.carbon_diameter = carbon_d_um * 1e-6;
    s.pore_diameter = pore_d_um * 1e-6;
    return check_mode(env, &s, &rp, (int)n_across);
}
