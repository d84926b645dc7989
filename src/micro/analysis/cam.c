/* Composite-electrode network analysis: active CAM (DESIGN.md "Active CAM").
 *
 * Work arrays: int32 component ids (reused for the electronic network, the ionic network and the CAM particles)
 * and one byte per voxel of flags that ends as the classification. Flags while running:
 *   FL_E  electronic-network voxel connected to the current-collector plane
 *   FL_L  ionic-network voxel connected to the separator plane
 * Per particle: PT_LI (a face with an FL_L voxel), PT_E (its voxels carry FL_E). */
#include "analysis_impl.h"

#include <stdlib.h>
#include <string.h>

enum { FL_E = 1, FL_L = 2 };
enum { PT_LI = 1, PT_E = 2 };


static int check_params(ssb_ctx *ctx, const ssb_micro_cam_params *p)
{
    SSB_REQUIRE(ctx, (int)p->axis >= 0 && (int)p->axis <= 2, SSB_ERR_ARG,
                "active CAM: axis %d does not exist (valid: x, y or z)", (int)p->axis);
    SSB_REQUIRE(ctx, p->cc_side == SSB_MICRO_SIDE_LOW || p->cc_side == SSB_MICRO_SIDE_HIGH, SSB_ERR_ARG,
                "active CAM: current-collector side %d is invalid (valid: 0 = low index, 1 = high index)",
                (int)p->cc_side);
    SSB_CHECK(ctx, ssbi_ma_check_area_params(ctx, &p->area));
    return SSB_OK;
}

void ssbi_ma_cam_sets(const ssb_grid *g, ssbi_cam_sets *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *ph = ssb_grid_get_phase(g, i);
        const uint8_t l = ph->label;
        switch (ph->role) {
        case SSB_ROLE_ACTIVE:
            s->cam[l] = s->el[l] = 1;
            break;
        case SSB_ROLE_CARBON:
            s->carbon[l] = s->el[l] = 1;
            break;
        case SSB_ROLE_SE:
        case SSB_ROLE_GB:
            s->ion[l] = 1;
            break;
        case SSB_ROLE_COATING:
            s->ion[l] = ph->sigma_ion > 0.0;
            break;
        default:
            break;
        }
    }
}

/* Label one network, set `bit` in fl for the voxels connected to the plane with flag `plane_bit` (1 = index 0,
 * 2 = index n-1); count its voxels, the connected ones and those touching both planes. */
static int mark_network(ssb_ctx *ctx, const int64_t n[3], const uint8_t *lab, const uint8_t in[256], int axis,
                        uint8_t plane_bit, uint8_t bit, int32_t *ids, uint8_t *fl, int64_t cnt[3])
{
    int64_t nc = 0;
    SSB_CHECK(ctx, ssbi_ma_label(ctx, n, lab, in, SSB_CONN_6, ids, &nc, NULL));
    uint8_t *cf = ssbi_malloc(ctx, (size_t)(nc > 0 ? nc : 1), "component plane flags");
    if (!cf)
        return SSB_ERR_NOMEM;
    ssbi_ma_plane_flags(n, ids, axis, nc, cf);
    const int64_t nv = n[0] * n[1] * n[2];
    int64_t c0 = 0, c1 = 0, c2 = 0;
    const int nth = ssbi_threads(ctx);
    (void)nth;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) reduction(+ : c0, c1, c2) num_threads(nth)
#endif
    for (int64_t v = 0; v < nv; v++) {
        const int32_t c = ids[v];
        if (c < 0)
            continue;
        c0++;
        if (cf[c] & plane_bit) {
            fl[v] |= bit;
            c1++;
        }
        c2 += cf[c] == 3;
    }
    free(cf);
    cnt[0] = c0;
    cnt[1] = c1;
    cnt[2] = c2;
    return SSB_OK;
}

static ssb_micro_area make_area(const char *method, double area, double vol)
{
    ssb_micro_area a = {.method = method, .area = area, .per_volume = area / vol};
    return a;
}

void ssbi_ma_cam_finish(const ssbi_cam_counts *c, const double h[3], ssb_micro_cam_result *res)
{
    double fa[3];
    ssbi_ma_face_areas(h, fa);
    const int64_t nv = c->nvoxels, ncam = c->n_cam;
    const double vol = (double)nv * h[0] * h[1] * h[2];
    memset(res, 0, sizeof *res);
    res->nvoxels = nv;
    res->box_volume = vol;
    res->n_cam = ncam;
    res->cam_fraction = (double)ncam / (double)nv;
    res->n_particles = c->n_particles;
    res->n_particles_active = c->n_particles_active;
    res->n_active = c->n_class[0];
    res->n_dead_no_e = c->n_class[1];
    res->n_dead_no_li = c->n_class[2];
    res->n_dead_neither = c->n_class[3];
    res->active_fraction = (double)c->n_class[0] / (double)ncam;
    res->dead_no_e_fraction = (double)c->n_class[1] / (double)ncam;
    res->dead_no_li_fraction = (double)c->n_class[2] / (double)ncam;
    res->dead_neither_fraction = (double)c->n_class[3] / (double)ncam;
    const int64_t *f = c->faces;
    const double a_se = f[0] * fa[0] + f[1] * fa[1] + f[2] * fa[2];
    const double a_act = f[3] * fa[0] + f[4] * fa[1] + f[5] * fa[2];
    const double a_cc = f[6] * fa[0] + f[7] * fa[1] + f[8] * fa[2];
    res->cam_se = make_area(SSB_MICRO_METHOD_FACE_COUNT, a_se, vol);
    res->active_cam_se = make_area(SSB_MICRO_METHOD_FACE_COUNT, a_act, vol);
    res->cam_carbon = make_area(SSB_MICRO_METHOD_FACE_COUNT, a_cc, vol);
    const int64_t *ce = c->electronic, *ci = c->ionic;
    res->n_electronic = ce[0];
    res->n_e_connected = ce[1];
    res->electronic_percolates = ce[2] > 0;
    res->electronic_percolating_fraction = ce[0] > 0 ? (double)ce[2] / (double)ce[0] : 0.0;
    res->n_ionic = ci[0];
    res->n_li_connected = ci[1];
    res->ionic_percolates = ci[2] > 0;
    res->ionic_percolating_fraction = ci[0] > 0 ? (double)ci[2] / (double)ci[0] : 0.0;
    const int64_t *su = c->surface;
    const double a_s = su[0] * fa[0] + su[1] * fa[1] + su[2] * fa[2];
    const double a_sa = su[3] * fa[0] + su[4] * fa[1] + su[5] * fa[2];
    res->cam_surface = make_area(SSB_MICRO_METHOD_FACE_COUNT, a_s, vol);
    res->active_cam_surface = make_area(SSB_MICRO_METHOD_FACE_COUNT, a_sa, vol);
    res->se_coverage = a_s > 0.0 ? a_se / a_s : 0.0;
    res->active_se_coverage = a_sa > 0.0 ? a_act / a_sa : 0.0;
}

void ssbi_ma_cam_finish_mc(ssb_micro_cam_result *res, double s_cam, double s_ion, double s_union)
{
    const double mc = ssbi_ma_mc_pair_area(s_cam, s_ion, s_union, res->cam_se.area), vol = res->box_volume;
    res->cam_se_mc = make_area(SSB_MICRO_METHOD_MARCHING_CUBES, mc, vol);
    res->mc_face_ratio = res->cam_se.area > 0.0 ? mc / res->cam_se.area : 0.0;
    res->active_cam_se_mc =
        make_area(SSB_MICRO_METHOD_MC_CORRECTED, res->active_cam_se.area * res->mc_face_ratio, vol);
}

/* Longer than 150 lines on purpose: the analysis is one pipeline over shared per-voxel flags (networks, particles,
 * classes, areas) with one cleanup path; its stages are documented inline. */
static int cam_core(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params, uint8_t *fl,
                    ssb_micro_cam_result *res)
{
    const ssb_micro_cam_params p = params ? *params : ssb_micro_cam_params_default();
    SSB_CHECK(ctx, check_params(ctx, &p));
    SSB_CHECK(ctx, ssb_grid_check_phases(ctx, g));
    ssbi_cam_sets s;
    ssbi_ma_cam_sets(g, &s);
    int64_t hist[256], ncam = 0;
    ssb_grid_histogram(g, hist);
    for (int k = 0; k < 256; k++)
        if (s.cam[k])
            ncam += hist[k];
    SSB_REQUIRE(ctx, ncam > 0, SSB_ERR_NOTFOUND,
                "active CAM: no voxel has a phase with the role 'active' (CAM); the phase table must mark the "
                "cathode active material with role active");

    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    const int64_t nv = ssb_grid_get_nvoxels(g), nx = n[0], ny = n[1], nz = n[2];
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    const int axis = (int)p.axis;
    const uint8_t cc_bit = p.cc_side == SSB_MICRO_SIDE_LOW ? 1 : 2, sep_bit = (uint8_t)(3 - cc_bit);
    const int nth = ssbi_threads(ctx);
    (void)nth;

    int32_t *ids = ssbi_malloc(ctx, (size_t)nv * sizeof *ids, "component ids");
    if (!ids)
        return SSB_ERR_NOMEM;
    memset(fl, 0, (size_t)nv);
    int rc;
    int64_t ce[3], ci[3], npart = 0;
    uint8_t *pt = NULL;
    SSB_CHECK_GOTO(ctx, rc, mark_network(ctx, n, lab, s.el, axis, cc_bit, FL_E, ids, fl, ce), done);
    SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "active CAM", 1.0, 5.0), done);
    SSB_CHECK_GOTO(ctx, rc, mark_network(ctx, n, lab, s.ion, axis, sep_bit, FL_L, ids, fl, ci), done);
    SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "active CAM", 2.0, 5.0), done);
    SSB_CHECK_GOTO(ctx, rc, ssbi_ma_label(ctx, n, lab, s.cam, SSB_CONN_6, ids, &npart, NULL), done);
    pt = ssbi_calloc(ctx, (size_t)(npart > 0 ? npart : 1), 1, "particle flags");
    if (!pt) {
        rc = SSB_ERR_NOMEM;
        goto done;
    }
    const int64_t sy = nx, sz = nx * ny, nrows = ny * nz;
    /* particle flags: touches a Li-connected ionic voxel through a face; is e-connected */
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth)
#endif
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t y = r % ny, z = r / ny;
        for (int64_t x = 0; x < nx; x++) {
            const int64_t v = r * nx + x;
            const int32_t c = ids[v];
            if (c < 0)
                continue;
            uint8_t f = (fl[v] & FL_E) ? PT_E : 0;
            if ((x > 0 && (fl[v - 1] & FL_L)) || (x + 1 < nx && (fl[v + 1] & FL_L)) || (y > 0 && (fl[v - sy] & FL_L)) ||
                (y + 1 < ny && (fl[v + sy] & FL_L)) || (z > 0 && (fl[v - sz] & FL_L)) ||
                (z + 1 < nz && (fl[v + sz] & FL_L)))
                f |= PT_LI;
            if (!f)
                continue;
            uint8_t cur;
#if SSB_HAVE_OPENMP
#pragma omp atomic read
#endif
            cur = pt[c];
            if ((cur & f) != f) {
#if SSB_HAVE_OPENMP
#pragma omp atomic
#endif
                pt[c] |= f;
            }
        }
    }
    SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "active CAM", 3.0, 5.0), done);

    /* faces: CAM|ionic (all and active CAM|Li-connected ionic), CAM|carbon and the CAM's free surface (all and of
       active particles), per axis */
    int64_t fse0 = 0, fse1 = 0, fse2 = 0, fac0 = 0, fac1 = 0, fac2 = 0, fcc0 = 0, fcc1 = 0, fcc2 = 0;
    int64_t fs0 = 0, fs1 = 0, fs2 = 0, fsa0 = 0, fsa1 = 0, fsa2 = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth) \
    reduction(+ : fse0, fse1, fse2, fac0, fac1, fac2, fcc0, fcc1, fcc2, fs0, fs1, fs2, fsa0, fsa1, fsa2)
#endif
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t y = r % ny, z = r / ny;
        for (int64_t x = 0; x < nx; x++) {
            const int64_t v = r * nx + x;
            const int64_t step[3] = {1, sy, sz};
            const int has[3] = {x + 1 < nx, y + 1 < ny, z + 1 < nz};
            for (int k = 0; k < 3; k++) {
                if (!has[k])
                    continue;
                const int64_t w = v + step[k];
                int64_t cv, ow; /* CAM voxel and the other one */
                if (s.cam[lab[v]] && !s.cam[lab[w]]) {
                    cv = v;
                    ow = w;
                } else if (s.cam[lab[w]] && !s.cam[lab[v]]) {
                    cv = w;
                    ow = v;
                } else {
                    continue;
                }
                const uint8_t lo = lab[ow];
                const int pa = pt[ids[cv]] == (PT_E | PT_LI);
                int se = 0, act = 0, cc = 0;
                if (s.ion[lo]) {
                    se = 1;
                    act = (fl[ow] & FL_L) && pa;
                } else if (s.carbon[lo]) {
                    cc = 1;
                }
                if (k == 0) {
                    fse0 += se, fac0 += act, fcc0 += cc, fs0++, fsa0 += pa;
                } else if (k == 1) {
                    fse1 += se, fac1 += act, fcc1 += cc, fs1++, fsa1 += pa;
                } else {
                    fse2 += se, fac2 += act, fcc2 += cc, fs2++, fsa2 += pa;
                }
            }
        }
    }

    /* classification */
    int64_t na = 0, nne = 0, nnl = 0, nnn = 0;
#if SSB_HAVE_OPENMP
#pragma omp parallel for schedule(static) num_threads(nth) reduction(+ : na, nne, nnl, nnn)
#endif
    for (int64_t v = 0; v < nv; v++) {
        const int32_t c = ids[v];
        uint8_t code = SSB_MICRO_CAM_OTHER;
        if (c >= 0) {
            const int e = (pt[c] & PT_E) != 0, li = (pt[c] & PT_LI) != 0;
            if (e && li) {
                code = SSB_MICRO_CAM_ACTIVE;
                na++;
            } else if (li) {
                code = SSB_MICRO_CAM_DEAD_NO_E;
                nne++;
            } else if (e) {
                code = SSB_MICRO_CAM_DEAD_NO_LI;
                nnl++;
            } else {
                code = SSB_MICRO_CAM_DEAD_NEITHER;
                nnn++;
            }
        }
        fl[v] = code;
    }
    int64_t npa = 0;
    for (int64_t c = 0; c < npart; c++)
        npa += pt[c] == (PT_E | PT_LI);
    SSB_CHECK_GOTO(ctx, rc, ssbi_progress(ctx, "active CAM", 4.0, 5.0), done);

    const ssbi_cam_counts cc = {.nvoxels = nv, .n_cam = ncam, .n_particles = npart, .n_particles_active = npa,
                                .n_class = {na, nne, nnl, nnn},
                                .faces = {fse0, fse1, fse2, fac0, fac1, fac2, fcc0, fcc1, fcc2},
                                .electronic = {ce[0], ce[1], ce[2]}, .ionic = {ci[0], ci[1], ci[2]},
                                .surface = {fs0, fs1, fs2, fsa0, fsa1, fsa2}};
    ssbi_ma_cam_finish(&cc, h, res);
    free(ids);
    ids = NULL;
    if (p.area.marching_cubes) {
        uint8_t uni[256];
        for (int k = 0; k < 256; k++)
            uni[k] = s.cam[k] || s.ion[k];
        double sa = 0.0, sb = 0.0, su = 0.0;
        SSB_CHECK_GOTO(ctx, rc, ssbi_ma_mc_area(ctx, n, h, lab, s.cam, p.area.mc_sigma, &sa), done);
        SSB_CHECK_GOTO(ctx, rc, ssbi_ma_mc_area(ctx, n, h, lab, s.ion, p.area.mc_sigma, &sb), done);
        SSB_CHECK_GOTO(ctx, rc, ssbi_ma_mc_area(ctx, n, h, lab, uni, p.area.mc_sigma, &su), done);
        ssbi_ma_cam_finish_mc(res, sa, sb, su);
    }
    rc = SSB_OK;
done:
    free(ids);
    free(pt);
    return rc;
}

ssb_micro_cam_params ssb_micro_cam_params_default(void)
{
    ssb_micro_cam_params p = {
        .axis = SSB_AXIS_Z, .cc_side = SSB_MICRO_SIDE_LOW, .area = ssb_micro_area_params_default()};
    return p;
}

int ssb_micro_cam_classify(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params, uint8_t *cls,
                           ssb_micro_cam_result *out)
{
    SSB_REQUIRE(ctx, g && cls, SSB_ERR_ARG, "ssb_micro_cam_classify: NULL grid or class array");
    ssb_micro_cam_result tmp;
    ssb_micro_cam_result *res = out ? out : &tmp;
    memset(res, 0, sizeof *res);
    int rc = cam_core(ctx, g, params, cls, res);
    if (rc != SSB_OK) {
        memset(res, 0, sizeof *res);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return SSB_OK;
}

int ssb_micro_cam_compute(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *params,
                          ssb_micro_cam_result *out)
{
    SSB_REQUIRE(ctx, g && out, SSB_ERR_ARG, "ssb_micro_cam_compute: NULL argument");
    memset(out, 0, sizeof *out);
    uint8_t *cls = ssbi_malloc(ctx, (size_t)ssb_grid_get_nvoxels(g), "CAM classification");
    if (!cls)
        return SSB_ERR_NOMEM;
    int rc = ssb_micro_cam_classify(ctx, g, params, cls, out);
    free(cls);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
