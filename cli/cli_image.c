/* Image loading for the micro commands: reader options, the phases file, phase sets. */
#include "cli_image.h"
#include "cli_dist.h"

#include <ssbnet/ssb_dist.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Comma-separated finite numbers; -1 when malformed, -3 when there are more than max. */
static int parse_list(const char *s, double *v, int max)
{
    int n = 0;
    const char *p = s;
    while (*p) {
        if (n >= max) return -3;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(x)) return -1;
        v[n++] = x;
        if (*end == ',')
            p = end + 1;
        else if (*end == '\0')
            break;
        else
            return -1;
    }
    return n;
}

void cli_image_help(FILE *out)
{
    fprintf(out,
            "image options:\n"
            "  --phases FILE          phase table (JSON; default IMAGE.phases.json when it exists)\n"
            "  --phase-map SPEC       inline phase table: LABEL=NAME:ROLE[:SIGMA_ION:SIGMA_EL],...  (S/m)\n"
            "                         roles: active, se, carbon, pore, coating, gb, binder\n"
            "  --voxel-um H           voxel size in micrometres (overrides the file)\n"
            "  --threshold T[,T...]   map gray values by thresholds to labels 0, 1, ...\n"
            "  --label-map G:L,...    map gray value G to label L\n"
            "  --sidecar FILE         JSON sidecar of a raw file (default IMAGE.json)\n"
            "  --raw-dims NX,NY,NZ    raw layout without a sidecar (with --raw-dtype)\n"
            "  --raw-dtype TYPE       uint8, uint16, int16, float32, ...\n");
}

int cli_image_parse_opt(cli_env *env, cli_image_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *val = (*i + 1 < argc) ? argv[*i + 1] : NULL;
#define NEED()                                                                                    \
    do {                                                                                          \
        if (!val) {                                                                               \
            cli_usage_error(env, "option %s needs a value", a);                                   \
            return -CLI_EXIT_USAGE;                                                                            \
        }                                                                                         \
        (*i)++;                                                                                   \
    } while (0)
    if (strcmp(a, "--phases") == 0) {
        NEED();
        o->phases_path = val;
    } else if (strcmp(a, "--phase-map") == 0) {
        NEED();
        o->phase_map = val;
    } else if (strcmp(a, "--voxel-um") == 0) {
        NEED();
        if (cli_parse_double(env, a, val, &o->voxel_um)) return -CLI_EXIT_USAGE;
        if (!(o->voxel_um > 0)) {
            cli_usage_error(env, "option --voxel-um: %s is invalid (must be > 0 micrometres)", val);
            return -CLI_EXIT_USAGE;
        }
        if (o->voxel_um > 1e6) {
            cli_progress_done();
            fprintf(stderr, "ssbnet: error: option --voxel-um: %s is out of range (above 0 to 1e6 micrometres)\n", val);
            return -CLI_EXIT_RANGE;
        }
    } else if (strcmp(a, "--threshold") == 0) {
        NEED();
        o->nthresholds = parse_list(val, o->thresholds, 16);
        if (o->nthresholds == -3) {
            cli_progress_done();
            fprintf(stderr, "ssbnet: error: option --threshold: '%s' has more than 16 thresholds\n", val);
            return -CLI_EXIT_RANGE;
        }
        if (o->nthresholds < 1) {
            cli_usage_error(env, "option --threshold: '%s' is not a list of numbers", val);
            return -CLI_EXIT_USAGE;
        }
    } else if (strcmp(a, "--label-map") == 0) {
        NEED();
        const char *p = val;
        o->map_n = 0;
        while (*p) {
            char *end;
            double g = strtod(p, &end);
            if (end == p || *end != ':') {
                cli_usage_error(env, "option --label-map: expected GRAY:LABEL at '%s'", p);
                return -CLI_EXIT_USAGE;
            }
            p = end + 1;
            long l = strtol(p, &end, 10);
            if (end == p || l < 0 || l > 255 || o->map_n >= 256) {
                cli_usage_error(env, "option --label-map: label at '%s' must be 0..255", p);
                return -CLI_EXIT_USAGE;
            }
            o->map_gray[o->map_n] = g;
            o->map_label[o->map_n++] = (uint8_t)l;
            p = end;
            if (*p == ',') p++;
        }
    } else if (strcmp(a, "--sidecar") == 0) {
        NEED();
        o->sidecar = val;
    } else if (strcmp(a, "--raw-dims") == 0) {
        NEED();
        long long d[3];
        int rc = cli_parse_int_list(env, "--raw-dims NX,NY,NZ (each 1 to 2147483647)", val, 3, 1, 2147483647LL, d);
        if (rc) return -rc;
        for (int k = 0; k < 3; k++) o->raw_dims[k] = d[k];
    } else if (strcmp(a, "--raw-dtype") == 0) {
        NEED();
        o->raw_dtype = val;
    } else {
        return 0;
    }
#undef NEED
    return 1;
}

static int parse_phase_map(cli_env *env, ssb_grid *g, const char *spec)
{
    char *copy = strdup(spec);
    if (!copy) return CLI_EXIT_NOMEM;
    int rc = 0;
    char *save = NULL;
    unsigned char seen[256] = {0};
    int nentries = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        ssb_phase ph;
        memset(&ph, 0, sizeof ph);
        char *eq = strchr(tok, '=');
        if (!eq) {
            rc = cli_usage_error(env, "--phase-map: '%s' is not LABEL=NAME:ROLE[:SIGMA_ION:SIGMA_EL]", tok);
            break;
        }
        *eq = '\0';
        char *end;
        long l = strtol(tok, &end, 10);
        if (end == tok || *end || l < 0 || l > 255) {
            rc = cli_usage_error(env, "--phase-map: label '%s' must be an integer 0..255", tok);
            break;
        }
        if (seen[l]) {
            cli_progress_done();
            fprintf(stderr, "ssbnet: error: --phase-map: label %ld is given twice\n", l);
            rc = CLI_EXIT_ARG;
            break;
        }
        seen[l] = 1;
        ph.label = (uint8_t)l;
        char *fields[4] = {0};
        int nf = 0;
        char *s2 = NULL;
        char *f = strtok_r(eq + 1, ":", &s2);
        for (; f && nf < 4; f = strtok_r(NULL, ":", &s2)) fields[nf++] = f;
        if (f) {
            rc = cli_usage_error(env, "--phase-map: label %ld has more than NAME:ROLE:SIGMA_ION:SIGMA_EL ('%s')", l, f);
            break;
        }
        if (nf < 2) {
            rc = cli_usage_error(env, "--phase-map: label %ld needs NAME:ROLE", l);
            break;
        }
        if (strlen(fields[0]) >= sizeof ph.name) {
            cli_progress_done();
            fprintf(stderr, "ssbnet: error: --phase-map: the name of label %ld is longer than %d bytes\n", l,
                    (int)sizeof ph.name - 1);
            rc = CLI_EXIT_RANGE;
            break;
        }
        snprintf(ph.name, sizeof ph.name, "%s", fields[0]);
        snprintf(ph.material, sizeof ph.material, "%s", fields[0]);
        if (ssb_role_parse(fields[1], &ph.role) != SSB_OK) {
            rc = cli_usage_error(env,
                                 "--phase-map: role '%s' of label %ld is unknown (valid: active, se, carbon, pore, "
                                 "coating, gb, binder)",
                                 fields[1], l);
            break;
        }
        if (nf >= 3 && cli_parse_double(env, "--phase-map sigma_ion", fields[2], &ph.sigma_ion)) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (nf >= 4 && cli_parse_double(env, "--phase-map sigma_el", fields[3], &ph.sigma_el)) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        int r = ssb_grid_set_phase(env->ctx, g, &ph);
        if (r != SSB_OK) {
            rc = cli_fail(env, r);
            break;
        }
        nentries++;
    }
    free(copy);
    if (rc == 0 && nentries == 0)
        rc = cli_usage_error(env, "--phase-map: '%s' has no entry (LABEL=NAME:ROLE,...)", spec);
    return rc;
}


int cli_phases_read(cli_env *env, ssb_grid *g, const char *path, int set_voxel)
{
    char *text = cli_read_file(path);
    if (!text) {
        fprintf(stderr, "ssbnet: error: cannot read phases file '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_IO;
    }
    const char *endp = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &endp, 0);
    if (!root) {
        int line, col;
        cli_text_line_col(text, endp, &line, &col);
        fprintf(stderr, "ssbnet: error: %s:%d:%d: malformed JSON\n", path, line, col);
        free(text);
        return CLI_EXIT_FORMAT;
    }
    int rc = 0;
    cJSON *vs = cJSON_GetObjectItemCaseSensitive(root, "voxel_size_um");
    if (vs) {
        /* checked whether or not it is used (the image may carry its own voxel size) */
        double h[3];
        int okv = 1;
        if (cJSON_IsNumber(vs)) {
            h[0] = h[1] = h[2] = vs->valuedouble * 1e-6;
        } else if (cJSON_IsArray(vs) && cJSON_GetArraySize(vs) == 3) {
            for (int k = 0; k < 3; k++) {
                const cJSON *e = cJSON_GetArrayItem(vs, k);
                okv = okv && cJSON_IsNumber(e);
                h[k] = okv ? e->valuedouble * 1e-6 : 0;
            }
        } else {
            okv = 0;
        }
        if (!okv) {
            fprintf(stderr, "ssbnet: error: %s: key 'voxel_size_um' must be a number or [hx, hy, hz]\n", path);
            rc = CLI_EXIT_FORMAT;
            goto done;
        }
        for (int k = 0; k < 3; k++)
            if (!(h[k] > 0) || !(h[k] <= 1.0)) {
                fprintf(stderr, "ssbnet: error: %s: key 'voxel_size_um' = %g is invalid (valid: above 0 to 1e6 um)\n",
                        path, h[k] * 1e6);
                rc = CLI_EXIT_RANGE;
                goto done;
            }
    }
    if (set_voxel && vs) {
        double h[3];
        if (cJSON_IsNumber(vs))
            h[0] = h[1] = h[2] = vs->valuedouble * 1e-6;
        else
            for (int k = 0; k < 3; k++) h[k] = cJSON_GetArrayItem(vs, k)->valuedouble * 1e-6;
        int r = ssb_grid_set_voxel_size(env->ctx, g, h);
        if (r != SSB_OK) {
            fprintf(stderr, "ssbnet: error: %s: key 'voxel_size_um': %s\n", path, ssb_ctx_get_error(env->ctx));
            rc = cli_exit_code(r);
            goto done;
        }
    }
    cJSON *phases = cJSON_GetObjectItemCaseSensitive(root, "phases");
    if (!cJSON_IsArray(phases)) {
        fprintf(stderr, "ssbnet: error: %s: key 'phases' is missing or not an array\n", path);
        rc = CLI_EXIT_FORMAT;
        goto done;
    }
    int idx = 0;
    unsigned char seen[256] = {0};
    cJSON *it;
    cJSON_ArrayForEach(it, phases)
    {
        ssb_phase ph;
        memset(&ph, 0, sizeof ph);
        cJSON *lab = cJSON_GetObjectItemCaseSensitive(it, "label");
        cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        cJSON *role = cJSON_GetObjectItemCaseSensitive(it, "role");
        cJSON *mat = cJSON_GetObjectItemCaseSensitive(it, "material");
        if (!cJSON_IsNumber(lab) || lab->valuedouble < 0 || lab->valuedouble > 255 ||
            lab->valuedouble != (int)lab->valuedouble) {
            fprintf(stderr, "ssbnet: error: %s: phases[%d].label must be an integer 0..255\n", path, idx);
            rc = CLI_EXIT_FORMAT;
            goto done;
        }
        ph.label = (uint8_t)lab->valueint;
        if (seen[ph.label]) {
            fprintf(stderr, "ssbnet: error: %s: phases[%d].label %d is given twice\n", path, idx, ph.label);
            rc = CLI_EXIT_FORMAT;
            goto done;
        }
        seen[ph.label] = 1;
        if ((cJSON_IsString(name) && strlen(name->valuestring) >= sizeof ph.name) ||
            (cJSON_IsString(mat) && strlen(mat->valuestring) >= sizeof ph.material)) {
            fprintf(stderr, "ssbnet: error: %s: phases[%d]: name or material longer than %d bytes\n", path, idx,
                    (int)sizeof ph.name - 1);
            rc = CLI_EXIT_RANGE;
            goto done;
        }
        snprintf(ph.name, sizeof ph.name, "%s", cJSON_IsString(name) ? name->valuestring : "");
        if (!ph.name[0]) snprintf(ph.name, sizeof ph.name, "label%d", ph.label);
        snprintf(ph.material, sizeof ph.material, "%s", cJSON_IsString(mat) ? mat->valuestring : "");
        if (cJSON_IsString(role)) {
            if (ssb_role_parse(role->valuestring, &ph.role) != SSB_OK) {
                fprintf(stderr,
                        "ssbnet: error: %s: phases[%d].role '%s' is unknown (valid: active, se, carbon, pore, "
                        "coating, gb, binder)\n",
                        path, idx, role->valuestring);
                rc = CLI_EXIT_NOTFOUND;
                goto done;
            }
        }
        static const struct {
            const char *key;
            double scale;
            int el;
        } sk[] = {{"sigma_ion_S_per_m", 1, 0}, {"sigma_ion_S_per_cm", 100, 0},
                  {"sigma_el_S_per_m", 1, 1},  {"sigma_el_S_per_cm", 100, 1}};
        for (size_t k = 0; k < sizeof sk / sizeof sk[0]; k++) {
            cJSON *v = cJSON_GetObjectItemCaseSensitive(it, sk[k].key);
            if (!v) continue;
            if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || !isfinite(v->valuedouble)) {
                fprintf(stderr, "ssbnet: error: %s: phases[%d].%s must be a number >= 0\n", path, idx, sk[k].key);
                rc = CLI_EXIT_RANGE;
                goto done;
            }
            if (sk[k].el)
                ph.sigma_el = v->valuedouble * sk[k].scale;
            else
                ph.sigma_ion = v->valuedouble * sk[k].scale;
        }
        cJSON *th = cJSON_GetObjectItemCaseSensitive(it, "thickness_um");
        if (th) { /* the drawn thickness of a GB phase (micro generate --kind polycrystal writes it) */
            if (!cJSON_IsNumber(th) || !(th->valuedouble > 0) || !(th->valuedouble <= 1e4)) {
                fprintf(stderr, "ssbnet: error: %s: phases[%d].thickness_um must be a number in (0, 1e4] um\n", path,
                        idx);
                rc = CLI_EXIT_RANGE;
                goto done;
            }
            ph.thickness = th->valuedouble * 1e-6;
        }
        int r = ssb_grid_set_phase(env->ctx, g, &ph);
        if (r != SSB_OK) {
            rc = cli_fail(env, r);
            goto done;
        }
        idx++;
    }
done:
    cJSON_Delete(root);
    free(text);
    return rc;
}

int cli_phases_write(cli_env *env, const ssb_grid *g, const char *path)
{
    cJSON *root = cJSON_CreateObject();
    double h[3];
    ssb_grid_get_voxel_size(g, h);
    cJSON *vs = cJSON_AddArrayToObject(root, "voxel_size_um");
    for (int k = 0; k < 3; k++) cJSON_AddItemToArray(vs, cJSON_CreateNumber(h[k] * 1e6));
    cJSON *arr = cJSON_AddArrayToObject(root, "phases");
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *p = ssb_grid_get_phase(g, i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "label", p->label);
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "role", ssb_role_name(p->role));
        if (p->material[0]) cJSON_AddStringToObject(o, "material", p->material);
        cJSON_AddNumberToObject(o, "sigma_ion_S_per_m", p->sigma_ion);
        cJSON_AddNumberToObject(o, "sigma_el_S_per_m", p->sigma_el);
        if (p->thickness > 0) cJSON_AddNumberToObject(o, "thickness_um", p->thickness * 1e6);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    if (!s) return CLI_EXIT_NOMEM;
    cli_outfile of;
    int rc = cli_atomic_open(env, &of, path);
    if (rc == 0) {
        cli_fputs_utf8(s, of.fp);
        fputc('\n', of.fp);
        rc = cli_atomic_commit(env, &of);
    }
    free(s);
    return rc;
}

int cli_image_read_params(cli_env *env, const cli_image_opts *o, ssb_io_read_params *pp)
{
    ssb_io_read_params p = ssb_io_read_params_default();
    if (o->voxel_um > 0) p.voxel_size[0] = p.voxel_size[1] = p.voxel_size[2] = o->voxel_um * 1e-6;
    if (o->nthresholds > 0) {
        p.map = SSB_IO_MAP_THRESHOLDS;
        p.nthresholds = o->nthresholds;
        p.thresholds = o->thresholds;
    } else if (o->map_n > 0) {
        p.map = SSB_IO_MAP_LABELS;
        p.map_n = o->map_n;
        p.map_gray = o->map_gray;
        p.map_label = o->map_label;
    }
    p.sidecar = o->sidecar;
    if (o->raw_dims[0] > 0)
        for (int k = 0; k < 3; k++) p.raw_dims[k] = o->raw_dims[k];
    if (o->raw_dtype) {
        int r = ssb_io_dtype_parse(env->ctx, o->raw_dtype, &p.raw_dtype);
        if (r != SSB_OK) return cli_fail(env, r);
    }
    *pp = p;
    return 0;
}

/* The phases file of the image at path: --phases, else PATH.phases.json when it exists; NULL if none. */
static const char *phases_path(const cli_image_opts *o, const char *path, char *buf, size_t size)
{
    if (o->phases_path) return o->phases_path;
    int n = snprintf(buf, size, "%s.phases.json", path);
    return n > 0 && (size_t)n < size && access(buf, R_OK) == 0 ? buf : NULL;
}

/* voxel_size_um of a phases file, metres; 1 when it holds a valid one (a malformed one is left to
 * cli_phases_read, which names the error). */
static int phases_voxel(const char *ppath, double h[3])
{
    char *text = cli_read_file(ppath);
    if (!text) return 0;
    cJSON *root = cJSON_Parse(text);
    free(text);
    const cJSON *vs = root ? cJSON_GetObjectItemCaseSensitive(root, "voxel_size_um") : NULL;
    int ok = 0;
    if (cJSON_IsNumber(vs)) {
        h[0] = h[1] = h[2] = vs->valuedouble * 1e-6;
        ok = 1;
    } else if (cJSON_IsArray(vs) && cJSON_GetArraySize(vs) == 3) {
        ok = 1;
        for (int k = 0; k < 3; k++) {
            const cJSON *e = cJSON_GetArrayItem(vs, k);
            ok = ok && cJSON_IsNumber(e);
            h[k] = ok ? e->valuedouble * 1e-6 : 0;
        }
    }
    for (int k = 0; k < 3 && ok; k++) ok = h[k] > 0 && h[k] <= 1.0;
    cJSON_Delete(root);
    return ok;
}

int cli_image_read_params_for(cli_env *env, const cli_image_opts *o, const char *path, ssb_io_read_params *pp)
{
    int rc = cli_image_read_params(env, o, pp);
    if (rc || o->voxel_um > 0) return rc;
    /* explicit user input over file metadata: the phases file's voxel size before the TIFF tags / sidecar */
    char buf[4200];
    const char *pp_path = phases_path(o, path, buf, sizeof buf);
    double h[3];
    if (pp_path && phases_voxel(pp_path, h))
        for (int k = 0; k < 3; k++) pp->voxel_size[k] = h[k];
    return 0;
}

/* Relative difference of two voxel sizes above 1 % on any axis. */
static int voxel_differs(const double a[3], const double b[3])
{
    for (int k = 0; k < 3; k++)
        if (fabs(a[k] - b[k]) > 0.01 * fmax(fabs(a[k]), fabs(b[k]))) return 1;
    return 0;
}

static const char *voxel_str(const double h[3], char *buf, size_t size)
{
    if (h[0] == h[1] && h[1] == h[2]) snprintf(buf, size, "%g um", h[0] * 1e6);
    else snprintf(buf, size, "[%g, %g, %g] um", h[0] * 1e6, h[1] * 1e6, h[2] * 1e6);
    return buf;
}

/* One warning when the voxel sizes given by the user (--voxel-um, the phases file) and the file's metadata disagree
 * by more than 1 %, naming them and the one used (precedence: --voxel-um, phases file, file metadata). */
static void warn_voxel_sources(cli_env *env, const cli_image_opts *o, const char *path, const char *ppath,
                               const ssb_io_read_info *info, const double used[3])
{
    if (env->quiet) return;
    double hp[3];
    int has_p = ppath && phases_voxel(ppath, hp);
    const double *hf = info->file_voxel_size;
    int has_f = hf[0] > 0 && hf[1] > 0 && hf[2] > 0;
    int diff_p = has_p && o->voxel_um > 0 && voxel_differs(hp, used), diff_f = has_f && voxel_differs(hf, used);
    if (!diff_p && !diff_f) return;
    char u[96], x[96], y[96], src[4300], others[4500] = "";
    if (o->voxel_um > 0) snprintf(src, sizeof src, "--voxel-um");
    else if (has_p) snprintf(src, sizeof src, "the phases file '%s' (voxel_size_um)", ppath);
    else snprintf(src, sizeof src, "the file");
    if (diff_p)
        snprintf(others, sizeof others, "the phases file '%s' says %s", ppath, voxel_str(hp, x, sizeof x));
    if (diff_f) {
        size_t l = strlen(others);
        snprintf(others + l, sizeof others - l, "%s%s says %s", l ? ", " : "",
                 info->format == SSB_IO_FORMAT_TIFF ? "the TIFF's metadata (description or resolution tags)"
                                                    : "the image's sidecar",
                 voxel_str(hf, y, sizeof y));
    }
    cli_progress_done();
    fprintf(stderr,
            "ssbnet: warning: %s: voxel size %s from %s is used, but %s (more than 1 %% apart; explicit input wins: "
            "--voxel-um, then the phases file, then the file's metadata)\n",
            path, voxel_str(used, u, sizeof u), src, others);
}

int cli_image_load(cli_env *env, const cli_image_opts *o, const char *path, ssb_grid **grid)
{
    return cli_image_load_hist(env, o, path, grid, NULL);
}

/* --raw-dims / --raw-dtype describe a headerless .raw / .bin file; a TIFF or .npy carries its own dims and dtype,
 * so the options are refused there (exit 2) rather than silently ignored. fmt: the file's format (by extension
 * before the read, as read after it). */
static int check_raw_opts(cli_env *env, const cli_image_opts *o, const char *path, ssb_io_format fmt)
{
    if (fmt != SSB_IO_FORMAT_TIFF && fmt != SSB_IO_FORMAT_NPY) return 0;
    if (o->raw_dims[0] <= 0 && !o->raw_dtype) return 0;
    return cli_usage_error(env,
                           "option %s applies to headerless .raw / .bin images only; '%s' is a %s image, which holds its "
                           "own dims and dtype (drop the option)",
                           o->raw_dims[0] > 0 ? "--raw-dims" : "--raw-dtype", path,
                           fmt == SSB_IO_FORMAT_TIFF ? "TIFF" : "NumPy .npy");
}

int cli_image_load_hist(cli_env *env, const cli_image_opts *o, const char *path, ssb_grid **grid, int64_t hist[256])
{
    int prc = check_raw_opts(env, o, path, ssb_io_format_from_path(path));
    if (prc) return prc;
    ssb_io_read_params p;
    prc = cli_image_read_params_for(env, o, path, &p);
    if (prc) return prc;
    ssb_io_read_info info;
    p.info = &info;
    if (o->first_planes > 0) p.nz = o->first_planes;
    int r = ssb_io_read_image(env->ctx, path, &p, grid);
    if (r != SSB_OK) return cli_fail(env, r);
    prc = check_raw_opts(env, o, path, info.format); /* a TIFF or .npy found by its magic bytes */
    if (prc) {
        ssb_grid_destroy(grid);
        return prc;
    }
    /* the labels present: in the whole image, also when only the first planes were read for the MPI ranks (each
       rank counts its slab; the tables are summed) */
    int64_t all[256];
    if (o->first_planes > 0) {
        /* every rank got here (a rank that failed before meets the others in this sync, not in the collective read) */
        prc = cli_dist_sync(env, 0);
        if (prc) {
            ssb_grid_destroy(grid);
            return prc;
        }
        ssb_io_read_params ph = p;
        ph.info = NULL;
        ph.nz = 0;
        r = ssb_dist_histogram_file(env->ctx, path, &ph, all);
        if (r != SSB_OK) {
            ssb_grid_destroy(grid);
            return cli_fail(env, r);
        }
    } else {
        ssb_grid_histogram(*grid, all);
    }
    if (hist) memcpy(hist, all, sizeof all);
    /* phase table: explicit file, inline map, or IMAGE.phases.json */
    char auto_path[4200];
    const char *ppath = phases_path(o, path, auto_path, sizeof auto_path);
    int rc = 0;
    /* the voxel size is already the explicit one (cli_image_read_params_for); the phases file's key is checked */
    if (ppath) rc = cli_phases_read(env, *grid, ppath, 0);
    if (rc == 0) {
        double used[3];
        ssb_grid_get_voxel_size(*grid, used);
        warn_voxel_sources(env, o, path, ppath, &info, used);
    }
    if (rc == 0 && o->phase_map) rc = parse_phase_map(env, *grid, o->phase_map);
    if (rc != 0) {
        ssb_grid_destroy(grid);
        return rc;
    }
    if (ppath || o->phase_map) {
        /* a phase table was given: every label in the image must be defined (the message of ssb_grid_check_phases) */
        for (int k = 0; k < 256; k++) {
            if (!all[k] || ssb_grid_find_phase(*grid, (uint8_t)k)) continue;
            fprintf(stderr, "ssbnet: error: %s: label %d occurs in %lld voxels but the phase table does not define it "
                            "(phase table from %s)\n", path, k, (long long)all[k], ppath ? ppath : "--phase-map");
            ssb_grid_destroy(grid);
            return CLI_EXIT_NOTFOUND;
        }
    } else {
        /* no phase table: one entry per label present, role undefined */
        for (int k = 0; k < 256; k++) {
            if (!all[k] || ssb_grid_find_phase(*grid, (uint8_t)k)) continue;
            ssb_phase ph;
            memset(&ph, 0, sizeof ph);
            ph.label = (uint8_t)k;
            snprintf(ph.name, sizeof ph.name, "label%d", k);
            ssb_grid_set_phase(env->ctx, *grid, &ph);
        }
    }
    if (info.voxel_size_defaulted && o->voxel_um <= 0 && !env->quiet && !(ppath))
        cli_progress_done(), fprintf(stderr, "ssbnet: warning: %s: no voxel size in the file; using 1 um (set --voxel-um)\n", path);
    return 0;
}

int cli_parse_phase_set(cli_env *env, const ssb_grid *g, const char *list, uint8_t in_set[256])
{
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    return cli_parse_phase_set_hist(env, g, hist, list, in_set);
}

int cli_parse_phase_set_hist(cli_env *env, const ssb_grid *g, const int64_t hist[256], const char *list,
                             uint8_t in_set[256])
{
    memset(in_set, 0, 256);
    char *copy = strdup(list);
    if (!copy) return CLI_EXIT_NOMEM;
    int rc = 0;
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const ssb_phase *ph = ssb_grid_find_phase_name(g, tok);
        long label = -1;
        if (ph) {
            label = ph->label;
        } else {
            char *end;
            long v = strtol(tok, &end, 10);
            if (end != tok && *end == '\0' && v >= 0 && v <= 255) label = v;
        }
        if (label < 0) {
            fprintf(stderr, "ssbnet: error: phase '%s' is neither a label (0..255) nor a phase name in the table\n",
                    tok);
            rc = CLI_EXIT_NOTFOUND;
            break;
        }
        if (hist[label] == 0) {
            char present[1024] = "";
            size_t len = 0;
            for (int k = 0; k < 256 && len < sizeof present - 8; k++)
                if (hist[k]) len += (size_t)snprintf(present + len, sizeof present - len, "%s%d", len ? ", " : "", k);
            fprintf(stderr, "ssbnet: error: label %ld ('%s') is not in the image (labels present: %s)\n", label, tok,
                    present);
            rc = CLI_EXIT_NOTFOUND;
            break;
        }
        in_set[label] = 1;
        n++;
    }
    free(copy);
    if (rc == 0 && n == 0) rc = cli_usage_error(env, "empty phase list");
    return rc;
}
