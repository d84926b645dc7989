/* ssbnet micro resolution: the voxel size rule, the resolution and box-size check of a generated cathode, and the
 * feature sizes of an image. No physics here: everything comes from ssb_micro_analysis.h. */
#include "cli_micro_res.h"

#include "cli_image.h"
#include "cli_micro.h"

#include <ssbnet/ssb_micro_analysis.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
           "options:\n"
           "  --n-across N        threshold for the smaller phases (default %d)\n"
           "  --axis x|y|z        tau axis (default z)     --box-factor F  (default 1.5; 1 = skip)\n"
           "  --size N | --dims NX,NY,NZ | --voxel-um H | --seed S\n"
           "  --cam-vf --cam-d-um --cam-gsd --carbon-vf --carbon-d-um --pore-vf --pore-d-um --overlap\n",
           SSB_MICRO_VOXELS_ACROSS_LARGEST, SSB_MICRO_VOXELS_ACROSS, SSB_MICRO_VOXELS_ACROSS);
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
    const char *image = NULL, *phases = NULL;
    long long n_across = 0, ll;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            res_help();
            return 0;
        }
        int used = cli_image_parse_opt(env, &io, argc, argv, &i);
        if (used < 0)
            return CLI_EXIT_USAGE;
        if (used > 0)
            continue;
        struct {
            const char *opt;
            double *var;
        } dbl[] = {{"--voxel-um", &voxel_um},          {"--cam-vf", &s.cam_fraction},
                   {"--cam-d-um", &cam_d_um},          {"--cam-gsd", &s.cam_gsd},
                   {"--carbon-vf", &s.carbon_fraction}, {"--carbon-d-um", &carbon_d_um},
                   {"--pore-vf", &s.pore_fraction},     {"--pore-d-um", &pore_d_um},
                   {"--overlap", &s.overlap},           {"--box-factor", &rp.box_factor}};
        int done = 0;
        for (size_t k = 0; k < sizeof dbl / sizeof dbl[0] && !done; k++)
            if (strcmp(a, dbl[k].opt) == 0) {
                if (cli_parse_double(env, a, v, dbl[k].var))
                    return CLI_EXIT_USAGE;
                i++;
                done = 1;
            }
        if (done)
            continue;
        if (strcmp(a, "--image") == 0 && v) {
            image = v;
            i++;
        } else if (strcmp(a, "--phase") == 0 && v) {
            phases = v;
            i++;
        } else if (strcmp(a, "--size") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--n-across") == 0) {
            if (cli_parse_int(env, a, v, &ll))
                return CLI_EXIT_USAGE;
            if (a[2] == 's' && a[3] == 'i')
                s.dims[0] = s.dims[1] = s.dims[2] = ll;
            else if (a[2] == 's')
                s.seed = (uint64_t)ll;
            else
                n_across = ll;
            i++;
        } else if (strcmp(a, "--dims") == 0 && v) {
            long long d[3];
            if (sscanf(v, "%lld,%lld,%lld", &d[0], &d[1], &d[2]) != 3 || d[0] < 1 || d[1] < 1 || d[2] < 1)
                return cli_usage_error(env, "--dims '%s' is invalid (expected NX,NY,NZ, each >= 1)", v);
            for (int k = 0; k < 3; k++)
                s.dims[k] = d[k];
            i++;
        } else if (strcmp(a, "--axis") == 0 && v) {
            if (strcmp(v, "x") == 0)
                rp.axis = SSB_AXIS_X;
            else if (strcmp(v, "y") == 0)
                rp.axis = SSB_AXIS_Y;
            else if (strcmp(v, "z") == 0)
                rp.axis = SSB_AXIS_Z;
            else
                return cli_usage_error(env, "--axis '%s' is invalid (valid: x, y, z)", v);
            i++;
        } else {
            return cli_usage_error(env, "micro resolution: unknown option '%s' (see --help)", a);
        }
    }
    if (n_across < 0 || n_across > 100)
        return cli_usage_error(env, "--n-across %lld is invalid (valid: 1 to 100)", n_across);
    if (image)
        return image_mode(env, &io, image, (int)n_across, phases, rp.axis);
    if (!(voxel_um > 0) || !isfinite(voxel_um))
        return cli_usage_error(env, "--voxel-um %g is invalid (must be > 0)", voxel_um);
    s.voxel_size = voxel_um * 1e-6;
    s.cam_diameter = cam_d_um * 1e-6;
    s.carbon_diameter = carbon_d_um * 1e-6;
    s.pore_diameter = pore_d_um * 1e-6;
    return check_mode(env, &s, &rp, (int)n_across);
}
