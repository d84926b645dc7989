/* Helpers shared by test_cell_validation.c (quick) and test_cell_validation_full.c: the published cathodes of
 * examples/validation/ through the cell model and through the structure `ssbnet run` generates for them (sources and
 * figures in test_cell_validation.c and the README "Validation against published solid-state cathodes"). */
#ifndef SSB_TEST_CELL_VALIDATION_H
#define SSB_TEST_CELL_VALIDATION_H

#include "testutil.h"

#include "ssb_config.h"

#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_materials.h>
#include <ssbnet/ssb_run.h>

#include "micro/gen/gen_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_SQRT2
#define M_SQRT2 1.41421356237309504880
#endif

#define MAH_PER_G(c_per_kg) ((c_per_kg) / 3600.0)

static inline ssb_cell *load(ssb_ctx *ctx, const char *name, ssb_cell_params **p)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/validation/%s", SSB_SOURCE_DIR, name);
    assert_true(tu_exists(path));
    TU_OK(ctx, ssb_cell_params_from_json(ctx, NULL, path, p));
    ssb_cell *cell = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, *p, &cell));
    return cell;
}

/* The values handed from the paper to the model: CAM loading 10.7 mg/cm2 (= 0.107 kg/m2, from the composition,
 * porosity and thickness of the cell file with the database densities) and the paper's 1C of 2.14 mA/cm2. */
static inline void check_paper_basis(ssb_cell *cell, double crate, const ssb_cell_rate_point *pt)
{
    const ssb_cell_derived *d = ssb_cell_get_derived(cell);
    TU_ASSERT_REL(d->mass_am_pos, 0.107, 5e-3);
    TU_ASSERT_REL(d->nominal_capacity, 2.14e-3 * 3600.0 * 1e4, 1e-12); /* 2.14 mAh/cm2 in C/m2 */
    TU_ASSERT_REL(pt->current, crate * 21.4, 1e-12);                   /* 1C = 2.14 mA/cm2 = 21.4 A/m2 */
    TU_ASSERT_REL(pt->specific_capacity, pt->capacity / d->mass_am_pos, 1e-14);
}

/* Specific capacity [mAh/g] of one discharge at crate to v_cut. */
static inline double discharge(ssb_ctx *ctx, ssb_cell *cell, double crate, double v_cut)
{
    ssb_cell_rate_point pt;
    TU_OK(ctx, ssb_cell_rate_sweep(ctx, cell, 1, &crate, v_cut, &pt, NULL));
    assert_true(pt.sustained);
    check_paper_basis(cell, crate, &pt);
    return MAH_PER_G(pt.specific_capacity);
}

/* Specific capacity [mAh/g] of one discharge of parameters p at crate to v_cut, with the file's own numerics (the
 * measured D(x) of the validation cells once made the cell solver fail now and then, and this helper retried with
 * more particle shells; fixed in the solver's Newton convergence test, test_cell_steep_dx). basis: also check the
 * papers' 10.7 mg/cm2 / 2.14 mA/cm2 hand-over. */
static inline double discharge_p(ssb_ctx *ctx, ssb_cell_params *p, double crate, double v_cut, int basis)
{
    ssb_cell *cell = NULL;
    TU_OK(ctx, ssb_cell_create(ctx, p, &cell));
    ssb_cell_rate_point pt;
    TU_OK(ctx, ssb_cell_rate_sweep(ctx, cell, 1, &crate, v_cut, &pt, NULL));
    if (!pt.sustained)
        fail_msg("discharge at %gC not sustained: %s", crate, pt.reason);
    if (basis)
        check_paper_basis(cell, crate, &pt);
    ssb_cell_destroy(&cell);
    return MAH_PER_G(pt.specific_capacity);
}

/* discharge_p of cell file `name` (loaded afresh). */
static inline double discharge_file(ssb_ctx *ctx, const char *name, double crate, double v_cut, int basis)
{
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, name, &p);
    ssb_cell_destroy(&cell);
    const double q = discharge_p(ctx, p, crate, v_cut, basis);
    ssb_cell_params_destroy(&p);
    return q;
}

/* Volume share (by r^3) of the CAM spheres of a generated cathode whose surface touches SE connected to the
 * separator face (z = nz - 1): an SE voxel reached from there with its centre within r + h of the sphere's centre.
 * Counted per sphere, as Bielefeld et al. (J. Phys. Chem. C 123, 1626 (2019)) count ionically active CAM, because
 * ssb_micro_cam_compute judges a cluster of overlapping CAM spheres as a whole (one SE contact activates it all). */
static inline double cam_se_contact_share(ssb_ctx *ctx, const ssb_grid *g, const ssbi_sphere *sp, int64_t nsp, int cam_phase)
{
    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    uint8_t *mask = malloc((size_t)(n[0] * n[1] * n[2])), set[256] = {0};
    assert_non_null(mask);
    set[SSB_RUN_LABEL_SE] = 1;
    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, SSB_AXIS_Z, SSB_CONN_6, mask, NULL));
    double vall = 0, vact = 0;
    for (int64_t k = 0; k < nsp; k++) {
        if (sp[k].phase != cam_phase)
            continue;
        const double rr = sp[k].r + h[0];
        int64_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = (int64_t)floor((sp[k].c[a] - rr) / h[a]);
            hi[a] = (int64_t)ceil((sp[k].c[a] + rr) / h[a]);
        }
        int touch = 0;
        for (int64_t z = lo[2] < 0 ? 0 : lo[2]; z <= hi[2] && z < n[2] && !touch; z++) /* z is not periodic */
            for (int64_t y = lo[1]; y <= hi[1] && !touch; y++)
                for (int64_t x = lo[0]; x <= hi[0] && !touch; x++) {
                    const double d[3] = {(x + 0.5) * h[0] - sp[k].c[0], (y + 0.5) * h[1] - sp[k].c[1],
                                         (z + 0.5) * h[2] - sp[k].c[2]};
                    if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= rr * rr)
                        continue;
                    const int64_t i = (x % n[0] + n[0]) % n[0], j = (y % n[1] + n[1]) % n[1];
                    touch = (mask[i + n[0] * (j + n[1] * z)] & 2) != 0;
                }
        const double v = sp[k].r * sp[k].r * sp[k].r;
        vall += v;
        vact += touch ? v : 0.0;
    }
    free(mask);
    return vall > 0 ? vact / vall : 0.0;
}

/* The paper's measured SE size distribution by volume (D10/D50/D90 by volume, laser diffraction) as a
 * volume-weighted class table for the generator: a lognormal through D10 and D90 (ln-sd s = ln(D90/D10) / (2 z90),
 * z90 = 1.2816, median D50) on n classes log-spaced from d_lo to d_hi; each class holds the volume between the
 * geometric midpoints to its neighbours, the first also all below (fines the voxels cannot show keep their volume
 * at the smallest size shown), the last all above (particles larger than the cathode can hold stay at the largest
 * size the box admits), so the volume share of every resolved size is the paper's. */
static inline void se_volume_psd(double d10, double d50, double d90, double d_lo, double d_hi, int n, ssb_micro_psd *psd)
{
    const double s = log(d90 / d10) / (2.0 * 1.2815515655446004), mu = log(d50);
    assert_true(n >= 2 && n <= SSB_MICRO_PSD_TABLE_MAX && d_hi > d_lo);
    memset(psd, 0, sizeof *psd);
    psd->kind = SSB_MICRO_PSD_TABLE_VOLUME;
    psd->ntable = n;
    for (int i = 0; i < n; i++)
        psd->table_d[i] = d_lo * pow(d_hi / d_lo, (double)i / (n - 1));
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const double lo = i == 0 ? 0.0 : 0.5 * erfc(-(0.5 * log(psd->table_d[i - 1] * psd->table_d[i]) - mu) / (s * M_SQRT2));
        const double hi =
            i == n - 1 ? 1.0 : 0.5 * erfc(-(0.5 * log(psd->table_d[i] * psd->table_d[i + 1]) - mu) / (s * M_SQRT2));
        psd->table_w[i] = hi - lo;
        sum += psd->table_w[i];
    }
    assert_true(fabs(sum - 1.0) < 1e-12);
}

/* The cathode that `ssbnet run` generates for cell file `name` (its microstructure block, whose se_diameter_um must
 * be se_d [m]) into *g (caller destroys) with its spheres *sp (caller frees); se_dv: NULL keeps the run's SE
 * particles (lognormal, number mean se_d, gsd 1.3); else the paper's SE volume PSD {D10, D50, D90} [m] replaces them
 * (se_volume_psd, from 3 voxels to half the box). *cam_phase: the CAM's index among the spheres' phases. */
static inline void generate_file_structure(ssb_ctx *ctx, const char *name, double se_d, const double *se_dv,
                                           ssb_grid **g, ssbi_sphere **sp, int64_t *nsp, int *cam_phase)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/examples/validation/%s", SSB_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[16384];
    size_t len = fread(text, 1, sizeof text - 1, f);
    assert_true(len < sizeof text - 1); /* the whole file was read */
    fclose(f);
    text[len] = 0;
    ssb_run_params rp = ssb_run_params_default();
    TU_OK(ctx, ssb_run_params_from_json_string(ctx, text, name, &rp));
    TU_ASSERT_REL(rp.se_diameter, se_d, 1e-12); /* the file's key reaches the run's recipe */
    ssb_cell_params *cp = NULL;
    TU_OK(ctx, ssb_cell_params_from_json(ctx, NULL, path, &cp));
    ssb_cell_values v;
    ssb_cell_params_get_values(cp, &v);
    ssb_cell_params_destroy(&cp);
    ssb_run_cathode c;
    TU_OK(ctx, ssb_run_cathode_from_cell(ctx, &v, &rp, &c));
    TU_OK(ctx, ssb_grid_create(ctx, c.dims[0], c.dims[1], c.dims[2], c.voxel_size, c.voxel_size, c.voxel_size, g));
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    if (se_dv) {
        int se = -1;
        for (int i = 0; i < p.nphases; i++)
            if (p.phase[i].label == SSB_RUN_LABEL_SE)
                se = i;
        assert_true(se >= 0);
        int64_t nmin = c.dims[0] < c.dims[1] ? c.dims[0] : c.dims[1];
        nmin = nmin < c.dims[2] ? nmin : c.dims[2];
        se_volume_psd(se_dv[0], se_dv[1], se_dv[2], 3.0 * c.voxel_size, 0.4995 * (double)nmin * c.voxel_size, 16,
                      &p.phase[se].psd);
    }
    ssb_micro_electrode_result r;
    TU_OK(ctx, ssbi_electrode_generate(ctx, *g, &p, &r, sp, nsp));
    *cam_phase = -1;
    for (int i = 0; i < p.nphases; i++)
        if (p.phase[i].label == SSB_RUN_LABEL_CAM)
            *cam_phase = i;
    assert_true(*cam_phase >= 0);
}

/* generate_file_structure's cathode; returns the CAM's SE-contact share (cam_se_contact_share) and the run's active
 * CAM fraction (clusters, ssb_micro_cam_compute) in *run_active; cam / paths (optional) receive the composite
 * analysis (per-area SE coverage) and the insertion paths of that structure. */
static inline double generated_contact_share_ex(ssb_ctx *ctx, const char *name, double se_d, const double *se_dv,
                                                double *run_active, ssb_micro_cam_result *cam,
                                                ssb_micro_cam_paths *paths)
{
    ssb_grid *g = NULL;
    ssbi_sphere *sp = NULL;
    int64_t nsp = 0;
    int cphase;
    generate_file_structure(ctx, name, se_d, se_dv, &g, &sp, &nsp, &cphase);
    double share = cam_se_contact_share(ctx, g, sp, nsp, cphase);
    ssb_micro_cam_params cpar = ssb_micro_cam_params_default();
    ssb_micro_cam_result cres;
    TU_OK(ctx, ssb_micro_cam_compute(ctx, g, &cpar, &cres));
    *run_active = cres.active_fraction;
    if (cam)
        *cam = cres;
    if (paths)
        TU_OK(ctx, ssb_micro_cam_paths_compute(ctx, g, &cpar, paths));
    free(sp);
    ssb_grid_destroy(&g);
    return share;
}

static inline double generated_contact_share(ssb_ctx *ctx, const char *name, double se_d, const double *se_dv,
                                             double *run_active)
{
    return generated_contact_share_ex(ctx, name, se_d, se_dv, run_active, NULL, NULL);
}

/* Capacity [mAh/g of all CAM] at crate to 2.62 V of cell file `name` with only the share `share` of its CAM active
 * (active_volume_fraction x share; the rest kept as inactive mass, so the loading stays the paper's). */
static inline double discharge_active_share(ssb_ctx *ctx, const char *name, double share, double crate)
{
    ssb_cell_params *p = NULL;
    ssb_cell *cell = load(ctx, name, &p);
    ssb_cell_destroy(&cell);
    ssb_cell_values v;
    ssb_cell_params_get_values(p, &v);
    const double eps = v.pos.eps_active;
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.active_volume_fraction", eps * share));
    TU_OK(ctx, ssb_cell_params_set(ctx, p, "positive.inactive_active_volume_fraction", eps * (1.0 - share)));
    const double q = discharge_p(ctx, p, crate, 2.62, 1);
    ssb_cell_params_destroy(&p);
    return q;
}

#endif
