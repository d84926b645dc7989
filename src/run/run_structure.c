/* run: the structure of the composite cathode (generated from the cell, or the caller's image) and the
 * conductivities of its phases from the materials database at the cell temperature. See ssb_run.h. */
#include "run_impl.h"

#include "micro/analysis/resolution_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* SI value of a record's property: its value, or the geometric mean of a reported range. -1 if absent. */
static int prop_si(ssb_ctx *ctx, const ssb_material *m, const char *key, double *v)
{
    ssb_mat_prop p;
    if (ssb_materials_get_prop(ctx, m, key, &p) != SSB_OK) {
        ssb_ctx_clear_error(ctx);
        return -1;
    }
    if (p.has_value && isfinite(p.si_value)) {
        *v = p.si_value;
        return 0;
    }
    if (isfinite(p.si_min) && isfinite(p.si_max) && p.si_min > 0) {
        *v = sqrt(p.si_min * p.si_max);
        return 0;
    }
    return -1;
}

/* The GB conductivity sigma_gb of record m for a GB phase drawn ph->thickness thick (> 0): an image resolves the
 * boundaries far thicker than they are (0.4 um drawn for LLZO's 10 nm), so the phase takes sigma_gb * t_drawn /
 * t_record, which keeps the specific resistance across a boundary, t / sigma_gb, that of the material (along the
 * boundaries, where GBs conduct in parallel with the grains, the drawn phase then carries t_drawn / t_record too
 * much current: small while sigma_gb << sigma_bulk, the case of blocking GBs). Without a record thickness, or
 * without a drawn one, sigma_gb is used as is (with a warning in the first case). */
static double gb_scaled(ssb_ctx *ctx, const ssb_material *m, const ssb_phase *ph, double sigma_gb)
{
    if (!(ph->thickness > 0)) return sigma_gb;
    double t = 0;
    if (ssb_materials_get_si(ctx, m, "gb_thickness", &t) != SSB_OK || !(t > 0)) {
        ssb_ctx_clear_error(ctx);
        ssbi_log(ctx, SSB_LOG_WARN, "materials",
                 "GB phase '%s' is drawn %g um thick, but %s gives no gb_thickness: its GB conductivity %g S/m is "
                 "used unscaled, which overstates the boundary resistance if the real boundaries are thinner",
                 ph->name, ph->thickness * 1e6, ssb_materials_name(m), sigma_gb);
        return sigma_gb;
    }
    const double f = ph->thickness / t;
    ssbi_log(ctx, SSB_LOG_INFO, "materials",
             "GB phase '%s' drawn %g um thick for %s's %g nm boundaries: sigma_gb %g S/m x %g = %g S/m (the same "
             "resistance per boundary area, t / sigma_gb)",
             ph->name, ph->thickness * 1e6, ssb_materials_name(m), t * 1e9, sigma_gb, f, sigma_gb * f);
    return sigma_gb * f;
}

int ssb_run_assign_materials(ssb_ctx *ctx, const ssb_materials *db, ssb_grid *g, double T, int *n_unknown)
{
    SSB_REQUIRE(ctx, db && g, SSB_ERR_ARG, "ssb_run_assign_materials: NULL argument");
    SSB_REQUIRE(ctx, T > 0 && isfinite(T), SSB_ERR_RANGE, "temperature %g K must be > 0", T);
    int unknown = 0;
    /* Grain boundaries resolved as a phase of their own (a polycrystal): the grains take the SE's bulk
     * conductivity and the GB phase the SE's GB conductivity where the database has them; the total (brick layer)
     * would count the boundaries twice, and a GB phase without a record of its own blocked Li+ (sigma 0).
     * se_of_gb: the SE record whose GB conductivity a GB phase takes (the one SE phase of the grid). */
    int has_gb = 0, nse = 0;
    const ssb_material *se_of_gb = NULL;
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *q = ssb_grid_get_phase(g, i);
        has_gb |= q->role == SSB_ROLE_GB;
        if (q->role == SSB_ROLE_SE && nse++ == 0 &&
            ssb_materials_find(ctx, db, q->material[0] ? q->material : q->name, &se_of_gb) != SSB_OK)
            se_of_gb = NULL;
    }
    ssb_ctx_clear_error(ctx);
    if (nse != 1)
        se_of_gb = NULL;
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        ssb_phase ph = *ssb_grid_get_phase(g, i);
        if (ph.role == SSB_ROLE_PORE) {
            ph.sigma_ion = ph.sigma_el = 0;
            SSB_CHECK(ctx, ssb_grid_set_phase(ctx, g, &ph));
            continue;
        }
        const ssb_material *m = NULL;
        const char *name = ph.material[0] ? ph.material : ph.name;
        double v;
        if (ph.role == SSB_ROLE_GB && ssb_materials_find(ctx, db, name, &m) != SSB_OK && se_of_gb &&
            ssb_materials_sigma_ion(ctx, se_of_gb, SSB_SIGMA_GB, T, &v, NULL) == SSB_OK) {
            ssb_ctx_clear_error(ctx);
            snprintf(ph.material, sizeof ph.material, "%s", ssb_materials_name(se_of_gb));
            ph.sigma_ion = gb_scaled(ctx, se_of_gb, &ph, v);
            SSB_CHECK(ctx, ssb_grid_set_phase(ctx, g, &ph));
            continue;
        }
        if (ssb_materials_find(ctx, db, name, &m) != SSB_OK) {
            ssb_ctx_clear_error(ctx);
            ssbi_log(ctx, SSB_LOG_WARN, "materials",
                     "phase '%s' is not in the materials database; its conductivities stay %g (ion) and %g "
                     "(electron) S/m",
                     ph.name, ph.sigma_ion, ph.sigma_el);
            unknown++;
            continue;
        }
        snprintf(ph.material, sizeof ph.material, "%s", ssb_materials_name(m));
        if (ph.role == SSB_ROLE_SE || ph.role == SSB_ROLE_GB || ph.role == SSB_ROLE_COATING) {
            const ssb_sigma_kind own = !has_gb                  ? SSB_SIGMA_TOTAL
                                       : ph.role == SSB_ROLE_SE ? SSB_SIGMA_BULK
                                       : ph.role == SSB_ROLE_GB ? SSB_SIGMA_GB
                                                                : SSB_SIGMA_TOTAL;
            if (own != SSB_SIGMA_TOTAL && ssb_materials_sigma_ion(ctx, m, own, T, &v, NULL) == SSB_OK)
                ph.sigma_ion = own == SSB_SIGMA_GB ? gb_scaled(ctx, m, &ph, v) : v;
            else if (ssb_materials_sigma_ion(ctx, m, SSB_SIGMA_TOTAL, T, &v, NULL) == SSB_OK)
                ph.sigma_ion = v;
            else if (prop_si(ctx, m, "sigma_ion", &v) == 0)
                ph.sigma_ion = v;
            ssb_ctx_clear_error(ctx);
        }
        if ((ph.role == SSB_ROLE_ACTIVE || ph.role == SSB_ROLE_CARBON) && prop_si(ctx, m, "sigma_el", &v) == 0)
            ph.sigma_el = v;
        SSB_CHECK(ctx, ssb_grid_set_phase(ctx, g, &ph));
    }
    if (n_unknown)
        *n_unknown = unknown;
    return SSB_OK;
}

double ssb_run_voxel_size(const ssb_run_params *params, double cam_diameter)
{
    return params->voxel_size > 0 ? params->voxel_size : cam_diameter / SSB_RUN_VOXELS_ACROSS_CAM;
}

int ssbi_run_check_arch(ssb_ctx *ctx, const ssb_run_params *rp)
{
    SSB_REQUIRE(ctx, rp->se_diameter == 0 || (rp->se_diameter >= 1e-7 && rp->se_diameter <= 1e-4), SSB_ERR_RANGE,
                "microstructure.se_diameter_um = %g is out of range (0 = the SE is the matrix, or 0.1 to 100)",
                rp->se_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->channel_fraction >= 0 && rp->channel_fraction <= 0.5, SSB_ERR_RANGE,
                "microstructure.channel_fraction = %g is out of range (0 to 0.5)", rp->channel_fraction);
    SSB_REQUIRE(ctx, rp->channel_diameter >= 1e-7 && rp->channel_diameter <= 1e-3, SSB_ERR_RANGE,
                "microstructure.channel_diameter_um = %g is out of range (0.1 to 1000)", rp->channel_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->carbon_shape == SSB_MICRO_PARTICLE_SPHERE || rp->carbon_shape == SSB_MICRO_PARTICLE_FIBRE,
                SSB_ERR_RANGE, "microstructure.carbon_shape = %d is invalid (sphere or fibre)", rp->carbon_shape);
    SSB_REQUIRE(ctx, rp->fibre_length >= 1e-7 && rp->fibre_length <= 1e-3, SSB_ERR_RANGE,
                "microstructure.fibre_length_um = %g is out of range (0.1 to 1000)", rp->fibre_length * 1e6);
    SSB_REQUIRE(ctx, rp->carbon_shape != SSB_MICRO_PARTICLE_FIBRE || rp->fibre_length >= rp->carbon_diameter,
                SSB_ERR_RANGE, "microstructure.fibre_length_um = %g is shorter than the fibre diameter "
                "microstructure.carbon_diameter_um = %g",
                rp->fibre_length * 1e6, rp->carbon_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->cam_small_fraction >= 0 && rp->cam_small_fraction <= 0.95, SSB_ERR_RANGE,
                "microstructure.cam_small_fraction = %g is out of range (0 to 0.95)", rp->cam_small_fraction);
    SSB_REQUIRE(ctx, rp->cam_small_diameter >= 1e-7 && rp->cam_small_diameter <= 1e-3, SSB_ERR_RANGE,
                "microstructure.cam_small_diameter_um = %g is out of range (0.1 to 1000)", rp->cam_small_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->cam_gradient >= -1 && rp->cam_gradient <= 1, SSB_ERR_RANGE,
                "microstructure.cam_gradient = %g is out of range (-1 to 1)", rp->cam_gradient);
    return SSB_OK;
}

static int cathode_arch_check(ssb_ctx *ctx, const ssb_run_cathode *c);

/* The architecture part of the recipe: the params' fields, and the composition they need. */
static int cathode_arch(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_cathode *c)
{
    SSB_CHECK(ctx, ssbi_run_check_arch(ctx, rp));
    c->se_diameter = rp->se_diameter;
    c->channel_fraction = rp->channel_fraction;
    c->channel_diameter = rp->channel_diameter;
    c->carbon_shape = rp->carbon_shape;
    c->fibre_length = rp->fibre_length;
    c->cam_small_fraction = rp->cam_small_fraction;
    c->cam_small_diameter = rp->cam_small_diameter;
    c->cam_gradient = rp->cam_gradient;
    return cathode_arch_check(ctx, c);
}

/* The composition the architecture needs (also checked for a recipe given directly to ssb_run_generate_cathode). */
static int cathode_arch_check(ssb_ctx *ctx, const ssb_run_cathode *c)
{
    const double se = 1 - c->cam_fraction - c->carbon_fraction - c->pore_fraction;
    SSB_REQUIRE(ctx, se > 0, SSB_ERR_RANGE,
                "the composition leaves no room for the SE: CAM %g + carbon %g + voids %g = %g of the volume (valid: "
                "the three together below 1, the SE takes the rest)",
                c->cam_fraction, c->carbon_fraction, c->pore_fraction,
                c->cam_fraction + c->carbon_fraction + c->pore_fraction);
    SSB_REQUIRE(ctx, c->se_diameter == 0 || c->pore_fraction >= 0.005, SSB_ERR_RANGE,
                "microstructure.se_diameter_um = %g makes the SE a particle phase, which needs voids between the "
                "particles: positive.porosity = %g (valid: >= 0.005 with SE particles)",
                c->se_diameter * 1e6, c->pore_fraction);
    SSB_REQUIRE(ctx, c->channel_fraction < se, SSB_ERR_RANGE,
                "microstructure.channel_fraction = %g: the channels are SE, but the composite holds only %g SE "
                "(valid: below the SE fraction)",
                c->channel_fraction, se);
    return SSB_OK;
}

/* The carbon (inert) volume fraction the cell model takes (ssb_cell_params_derive's rule): as given, else 0 when the
 * electrolyte fraction is not given either, else the remainder after CAM, electrolyte and voids. A file that gives
 * neither is read with eps_inert NaN; the structure was built with 'carbon nan' and refused. */
static double cell_carbon_fraction(const ssb_cell_electrode *e)
{
    if (!isnan(e->eps_inert))
        return e->eps_inert;
    if (isnan(e->eps_electrolyte))
        return 0.0;
    double rest = 1.0 - e->eps_active - e->eps_active_dead - e->porosity - e->eps_electrolyte;
    return fabs(rest) <= 1e-9 ? 0.0 : rest;
}

int ssb_run_cathode_from_cell(ssb_ctx *ctx, const ssb_cell_values *v, const ssb_run_params *rp, ssb_run_cathode *c)
{
    SSB_REQUIRE(ctx, v && rp && c, SSB_ERR_ARG, "ssb_run_cathode_from_cell: NULL argument");
    memset(c, 0, sizeof *c);
    const ssb_cell_electrode *e = &v->pos;
    snprintf(c->cam, sizeof c->cam, "%s", e->active_material[0] ? e->active_material : "NCM811");
    snprintf(c->se, sizeof c->se, "%s", e->electrolyte[0] ? e->electrolyte : "Li6PS5Cl");
    snprintf(c->carbon, sizeof c->carbon, "%s", rp->carbon);
    c->cam_fraction = e->eps_active + e->eps_active_dead;
    c->carbon_fraction = cell_carbon_fraction(e);
    c->pore_fraction = e->porosity;
    c->cam_diameter = 2.0 * e->particle_radius;
    c->cam_gsd = rp->cam_gsd;
    c->carbon_diameter = rp->carbon_diameter;
    c->pore_diameter = rp->pore_diameter;
    c->overlap = rp->overlap;
    const double h = ssb_run_voxel_size(rp, c->cam_diameter);
    c->voxel_size = h;
    c->seed = rp->seed;
    SSB_REQUIRE(ctx, c->cam_fraction > 0 && c->cam_fraction < 1, SSB_ERR_RANGE,
                "positive.active_volume_fraction = %g: the CAM volume fraction must lie in (0, 1)", c->cam_fraction);
    SSB_REQUIRE(
        ctx,
        c->carbon_fraction >= 0 && c->pore_fraction >= 0 && c->cam_fraction + c->carbon_fraction + c->pore_fraction < 1,
        SSB_ERR_RANGE, "positive: CAM %g + carbon %g + voids %g leave no solid electrolyte (the sum must be < 1)",
        c->cam_fraction, c->carbon_fraction, c->pore_fraction);
    SSB_REQUIRE(ctx, e->thickness > 0 && isfinite(e->thickness), SSB_ERR_RANGE,
                "positive.thickness_um = %g must be > 0", e->thickness * 1e6);
    SSB_REQUIRE(ctx, h >= 1e-9 && h <= 1e-4, SSB_ERR_RANGE,
                "microstructure.voxel_size_um = %g is out of range (0.001 to 100)", h * 1e6);
    SSB_REQUIRE(ctx, rp->cross_section >= 16 && rp->cross_section <= 1024, SSB_ERR_RANGE,
                "microstructure.size_voxels = %lld is out of range (16 to 1024)", (long long)rp->cross_section);
    int64_t nz = rp->through_plane;
    if (nz <= 0)
        nz = (int64_t)llround(e->thickness / h);
    SSB_REQUIRE(ctx, nz >= 4 && nz <= 4096, SSB_ERR_RANGE,
                "positive.thickness_um = %g at voxel_size_um = %g gives %lld voxels through the thickness "
                "(valid: 4 to 4096; change microstructure.voxel_size_um)",
                e->thickness * 1e6, h * 1e6, (long long)nz);
    double nvox = (double)rp->cross_section * (double)rp->cross_section * (double)nz;
    SSB_REQUIRE(ctx, nvox <= 2147483648.0, SSB_ERR_RANGE,
                "the structure of %lld x %lld x %lld voxels exceeds 2^31 voxels (coarsen "
                "microstructure.voxel_size_um or reduce size_voxels)",
                (long long)rp->cross_section, (long long)rp->cross_section, (long long)nz);
    SSB_CHECK(ctx, cathode_arch(ctx, rp, c));
    c->dims[0] = c->dims[1] = rp->cross_section;
    c->dims[2] = nz;
    /* the generator draws diameters up to half the smallest box edge: the mean must fit */
    double inplane = (double)rp->cross_section * h, through = (double)nz * h;
    SSB_REQUIRE(ctx, inplane >= 2 * c->cam_diameter, SSB_ERR_RANGE,
                "microstructure.size_voxels = %lld gives a cross-section of %g um, less than two CAM particle "
                "diameters (%g um) (valid: >= %lld voxels at %g um)",
                (long long)rp->cross_section, inplane * 1e6, 2e6 * c->cam_diameter,
                (long long)ceil(2 * c->cam_diameter / h - 1e-9), h * 1e6);
    SSB_REQUIRE(ctx, through >= 2 * c->cam_diameter, SSB_ERR_RANGE,
                "positive.thickness_um = %g is less than two CAM particle diameters (%g um): no structure can be "
                "generated for it (give a segmented image as microstructure.image, or run without the "
                "microstructure)",
                through * 1e6, 2e6 * c->cam_diameter);
    return SSB_OK;
}

ssb_micro_electrode_params ssb_run_cathode_electrode_params(const ssb_run_cathode *c)
{
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.seed = c->seed;
    p.overlap = c->overlap;
    p.matrix_label = SSB_RUN_LABEL_SE;
    snprintf(p.matrix_name, sizeof p.matrix_name, "%s", c->se);
    p.matrix_role = SSB_ROLE_SE;
    int k = 0;
    p.phase[k].label = SSB_RUN_LABEL_CAM;
    snprintf(p.phase[k].name, sizeof p.phase[k].name, "%s", c->cam);
    p.phase[k].role = SSB_ROLE_ACTIVE;
    p.phase[k].fraction = c->cam_fraction;
    p.phase[k].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
    p.phase[k].psd.d_mean = c->cam_diameter;
    p.phase[k].psd.gsd = c->cam_gsd;
    p.phase[k].gradient = c->cam_gradient;
    k++;
    if (c->cam_small_fraction > 0) { /* bimodal CAM: a second mode of the same material and label */
        p.phase[k] = p.phase[k - 1];
        p.phase[k - 1].fraction = c->cam_fraction * (1 - c->cam_small_fraction);
        p.phase[k].fraction = c->cam_fraction * c->cam_small_fraction;
        p.phase[k].psd.d_mean = c->cam_small_diameter;
        k++;
    }
    if (c->carbon_fraction > 0) {
        p.phase[k].label = SSB_RUN_LABEL_CARBON;
        snprintf(p.phase[k].name, sizeof p.phase[k].name, "%s", c->carbon);
        p.phase[k].role = SSB_ROLE_CARBON;
        p.phase[k].fraction = c->carbon_fraction;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k].psd.d_mean = c->carbon_diameter;
        if (c->carbon_shape == SSB_MICRO_PARTICLE_FIBRE) {
            p.phase[k].shape = SSB_MICRO_PARTICLE_FIBRE;
            p.phase[k].fibre_length = c->fibre_length;
        }
        k++;
    }
    if (c->se_diameter > 0) { /* SE particles: the voids are the matrix */
        p.phase[k].label = SSB_RUN_LABEL_SE;
        snprintf(p.phase[k].name, sizeof p.phase[k].name, "%s", c->se);
        p.phase[k].role = SSB_ROLE_SE;
        p.phase[k].fraction = 1 - c->cam_fraction - c->carbon_fraction - c->pore_fraction;
        p.phase[k].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
        p.phase[k].psd.d_mean = c->se_diameter;
        p.phase[k].psd.gsd = c->cam_gsd;
        if (c->channel_fraction > 0)
            p.channel_phase = k;
        k++;
        p.matrix_label = SSB_RUN_LABEL_PORE;
        snprintf(p.matrix_name, sizeof p.matrix_name, "pore");
        p.matrix_role = SSB_ROLE_PORE;
    } else if (c->pore_fraction > 0) {
        p.phase[k].label = SSB_RUN_LABEL_PORE;
        snprintf(p.phase[k].name, sizeof p.phase[k].name, "pore");
        p.phase[k].role = SSB_ROLE_PORE;
        p.phase[k].fraction = c->pore_fraction;
        p.phase[k].psd.kind = SSB_MICRO_PSD_MONO;
        p.phase[k].psd.d_mean = c->pore_diameter;
        k++;
    }
    p.nphases = k;
    p.tolerance = 0.01;
    if (c->channel_fraction > 0) { /* vertical SE channels: the matrix's label, or the SE phase's */
        p.channel_fraction = c->channel_fraction;
        p.channel_diameter = c->channel_diameter;
    }
    return p;
}

/* Generate c; *sp / *nsp (optional) receive the spheres (caller frees) for the sub-voxel ionic network. */
static int generate_cathode(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_cathode *c, double T, ssb_grid **out,
                            ssb_micro_electrode_result *gen, ssbi_sphere **sp, int64_t *nsp)
{
    SSB_REQUIRE(ctx, db && c && out, SSB_ERR_ARG, "ssb_run_generate_cathode: NULL argument");
    *out = NULL;
    SSB_CHECK(ctx, cathode_arch_check(ctx, c));
    ssb_grid *g = NULL;
    SSB_CHECK(
        ctx, ssb_grid_create(ctx, c->dims[0], c->dims[1], c->dims[2], c->voxel_size, c->voxel_size, c->voxel_size, &g));
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(c);
    ssb_micro_electrode_result r;
    memset(&r, 0, sizeof r);
    int rc = ssbi_electrode_generate(ctx, g, &p, &r, sp, nsp);
    if (gen)
        *gen = r;
    if (rc == SSB_OK)
        rc = ssb_run_assign_materials(ctx, db, g, T, NULL);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        if (sp) {
            free(*sp);
            *sp = NULL;
        }
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    *out = g;
    return SSB_OK;
}

int ssb_run_generate_cathode(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_cathode *c, double T, ssb_grid **out,
                             ssb_micro_electrode_result *gen)
{
    return generate_cathode(ctx, db, c, T, out, gen, NULL, NULL);
}

int ssb_run_sphere_area_factor(ssb_ctx *ctx, double d, double h, double *factor)
{
    SSB_REQUIRE(ctx, factor, SSB_ERR_ARG, "ssb_run_sphere_area_factor: NULL factor");
    SSB_REQUIRE(ctx, h > 0 && d >= 2 * h && d <= 100 * h, SSB_ERR_RANGE,
                "sphere diameter %g um at voxel size %g um: valid 2 to 100 voxels", d * 1e6, h * 1e6);
    /* The voxel set {centre inside the sphere}; count the faces between inside and outside voxels (the area
     * face counting measures) and compare with 4 pi r^2. Eight centre offsets average out the lattice phase. */
    const double off[2] = {0.13, 0.61};
    double r = 0.5 * d / h; /* radius in voxels */
    int n = (int)ceil(r) + 2;
    double sum = 0;
    for (int o = 0; o < 8; o++) {
        double cx = off[o & 1], cy = off[(o >> 1) & 1], cz = off[(o >> 2) & 1];
        int64_t faces = 0;
        for (int k = -n; k <= n; k++)
            for (int j = -n; j <= n; j++)
                for (int i = -n; i <= n; i++) {
                    /* voxel (i, j, k) centre at (i + 0.5, ...) - (cx, cy, cz) relative to the sphere centre */
                    double x = i + 0.5 - cx, y = j + 0.5 - cy, z = k + 0.5 - cz;
                    int in = x * x + y * y + z * z < r * r;
                    double xn = x + 1, yn = y + 1, zn = z + 1;
                    faces += in != (xn * xn + y * y + z * z < r * r);
                    faces += in != (x * x + yn * yn + z * z < r * r);
                    faces += in != (x * x + y * y + zn * zn < r * r);
                }
        sum += 4.0 * 3.14159265358979323846 * r * r / (double)faces;
    }
    *factor = sum / 8.0;
    return SSB_OK;
}

/* The caller's image: it must have active and SE phases; conductivities from the database at T. */
static int structure_image(ssb_ctx *ctx, const ssb_materials *db, const ssb_grid *image, double T, ssb_grid **out)
{
    int64_t hist[256], n_act = 0, n_se = 0;
    ssb_grid_histogram(image, hist);
    for (int i = 0; i < ssb_grid_get_nphases(image); i++) {
        const ssb_phase *ph = ssb_grid_get_phase(image, i);
        if (ph->role == SSB_ROLE_ACTIVE)
            n_act += hist[ph->label];
        if (ph->role == SSB_ROLE_SE || ph->role == SSB_ROLE_GB)
            n_se += hist[ph->label];
    }
    SSB_REQUIRE(ctx, n_act > 0 && n_se > 0, SSB_ERR_NOTFOUND,
                "the image has no phase with the role '%s': give its phase table (roles: active, se, carbon, "
                "pore, coating, gb, binder)",
                n_act ? "se" : "active");
    SSB_CHECK(ctx, ssb_grid_check_phases(ctx, image));
    SSB_CHECK(ctx, ssb_grid_duplicate(ctx, image, out));
    int rc = ssb_run_assign_materials(ctx, db, *out, T, NULL);
    if (rc != SSB_OK)
        ssb_grid_destroy(out);
    return rc;
}

/* The cell's bulk ionic conductivity of the composite's electrolyte at the cell temperature (the cell value times
 * ssb_cell_sigma_factor: the factor by which the cell model takes it to T), given to the phases of that
 * electrolyte, so that the structure and the cell model use one bulk value (temperature factor 1). */
static int align_se_sigma(ssb_ctx *ctx, ssb_grid *g, const ssb_cell_values *v)
{
    const ssb_cell_electrode *e = &v->pos;
    if (!(e->sigma_i > 0) || !isfinite(e->sigma_i))
        return SSB_OK;
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        ssb_phase ph = *ssb_grid_get_phase(g, i);
        if (ph.role != SSB_ROLE_SE)
            continue;
        if (e->electrolyte[0] && strcasecmp(ph.material, e->electrolyte) != 0 && strcasecmp(ph.name, e->electrolyte))
            continue;
        ph.sigma_ion = e->sigma_i * ssb_cell_sigma_factor(v, SSB_CELL_REGION_POS);
        SSB_CHECK(ctx, ssb_grid_set_phase(ctx, g, &ph));
    }
    return SSB_OK;
}

/* Ionic and electronic conductivities by label of the phases of cathode c (db at T, the cell's SE value), as the
 * generated structure will have them: the check of the voxel size measures what the run measures. */
static int cathode_sigma(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_cathode *c, double T,
                         const ssb_cell_values *v, double sion[256], double sel[256])
{
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(c);
    ssb_grid *g = NULL;
    SSB_CHECK(ctx, ssb_grid_create(ctx, 1, 1, 1, c->voxel_size, c->voxel_size, c->voxel_size, &g));
    int rc = ssbi_gen_touch_phase(ctx, g, p.matrix_label, p.matrix_name, p.matrix_role);
    for (int i = 0; i < p.nphases && rc == SSB_OK; i++)
        rc = ssbi_gen_touch_phase(ctx, g, p.phase[i].label, p.phase[i].name, p.phase[i].role);
    if (rc == SSB_OK)
        rc = ssb_run_assign_materials(ctx, db, g, T, NULL);
    if (rc == SSB_OK)
        rc = align_se_sigma(ctx, g, v);
    if (rc == SSB_OK)
        rc = ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ION, sion);
    if (rc == SSB_OK)
        rc = ssb_transport_sigma_from_phases(ctx, g, SSB_CARRIER_ELECTRON, sel);
    ssb_grid_destroy(&g);
    return rc;
}

/* Voxels along the edge of the resolution checks' cube: 3 CAM diameters (32 to 64 voxels), and at least two diameters
 * of the recipe's largest particles, which the generator needs (coarse SE particles: Schlautmann's XL composite). 0:
 * those particles need more than 64 voxels at this voxel size, so no check cube can hold them. */
static double largest_diameter(const ssb_run_cathode *c)
{
    const double d = fmax(fmax(c->cam_diameter, c->se_diameter), fmax(c->carbon_diameter, c->pore_diameter));
    return c->cam_small_fraction > 0 ? fmax(d, c->cam_small_diameter) : d;
}

static int64_t check_cube_edge(const ssb_run_cathode *c)
{
    const double h = c->voxel_size, dmax = largest_diameter(c);
    int64_t n = (int64_t)ceil(3.0 * c->cam_diameter / h);
    n = n < 32 ? 32 : n > 64 ? 64 : n;
    const int64_t need = (int64_t)ceil(2.0 * dmax / h - 1e-9);
    if (need > 64) return 0;
    return n > need ? n : need;
}

static void log_no_check_cube(ssb_ctx *ctx, const ssb_run_cathode *c)
{
    const double dmax = largest_diameter(c);
    ssbi_log(ctx, SSB_LOG_WARN, "run",
             "resolution check skipped: particles of %.3g um need a cube of %lld voxels of %.3g um, more than the "
             "check's 64, so the structure's convergence in the voxel size is not measured",
             dmax * 1e6, (long long)ceil(2.0 * dmax / c->voxel_size - 1e-9), c->voxel_size * 1e6);
}

/* The voxel size of a generated structure (ssb_run.h, ssb_run_result.netcheck): the check of the ionic (sub-voxel)
 * and electronic taus at h and h/2 on a cube of 3 CAM diameters (32 to 64 voxels) of the recipe; an automatic voxel
 * size is refined by sqrt(2) while the check fails, within SSB_RUN_REFINE_MAX steps and SSB_RUN_AUTO_MAX_VOXELS. */
static int choose_voxel_size(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_params *rp, ssb_run_result *res)
{
    ssb_run_cathode *c = &res->cathode;
    double sion[256], sel[256];
    SSB_CHECK(ctx, cathode_sigma(ctx, db, c, res->temperature, &res->values_in, sion, sel));
    ssb_micro_network_check_params cp = ssb_micro_network_check_params_default();
    cp.transport = rp->transport;
    const int forced = rp->voxel_size > 0;
    res->voxel_choice = forced ? "forced" : "automatic";
    res->voxel_size_rule = forced ? 0.0 : c->voxel_size;
    const double inplane = (double)c->dims[0] * c->voxel_size, through = (double)c->dims[2] * c->voxel_size;
    for (int k = 0;; k++) {
        ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(c);
        const int64_t n = check_cube_edge(c);
        if (n == 0) {
            log_no_check_cube(ctx, c);
            return SSB_OK;
        }
        const int64_t dims[3] = {n, n, n};
        ssbi_run_stage st;
        ssbi_run_stage_begin(ctx, &st, rp, "resolution check");
        int rc = ssb_micro_resolution_networks(ctx, &p, dims, c->voxel_size, sion, sel, &cp, &res->netcheck);
        ssbi_run_stage_end(ctx, &st);
        SSB_CHECK(ctx, rc);
        res->netcheck_done = 1;
        const ssb_micro_network_check *r = &res->netcheck;
        if (!isfinite(r->tau_ion[1]) || !isfinite(r->tau_el[1])) {
            /* a network that does not cross the cube is no matter of the voxel size: the run's own solve says */
            ssbi_log(ctx, SSB_LOG_WARN, "run",
                     "resolution check: the %s network does not cross the check's cube of %lld voxels of %.3g um, "
                     "so its convergence in the voxel size is not measured",
                     !isfinite(r->tau_ion[1]) ? "ionic" : "electronic", (long long)n, c->voxel_size * 1e6);
            return SSB_OK;
        }
        if (r->resolved || forced || k == SSB_RUN_REFINE_MAX)
            break;
        const double h = c->voxel_size / sqrt(2.0);
        const int64_t nxy = (int64_t)llround(inplane / h), nz = (int64_t)llround(through / h);
        /* the next check's cube (at most 64 voxels) must hold 2.5 CAM diameters for the generator */
        if ((double)nxy * (double)nxy * (double)nz > (double)SSB_RUN_AUTO_MAX_VOXELS || nxy > 1024 || nz > 4096 ||
            64 * h < 2.5 * c->cam_diameter) {
            res->voxel_choice = "automatic, budget reached";
            break;
        }
        c->voxel_size = h;
        c->dims[0] = c->dims[1] = nxy;
        c->dims[2] = nz;
        res->voxel_refinements++;
        res->voxel_choice = "automatic, refined";
    }
    const ssb_micro_network_check *r = &res->netcheck;
    if (!r->resolved)
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "resolution: at the %s voxel size of %.3g um the tortuosity changes by %.1f %% (Li+) and %.1f %% "
                 "(e-) from h to h/2 (more than %.0f %%): the structure's networks are not converged in the voxel "
                 "size%s",
                 res->voxel_choice, c->voxel_size * 1e6, 100 * r->rel_ion, 100 * r->rel_el, 100 * cp.rtol,
                 forced ? " (lower microstructure.voxel_size_um, or leave it 0 for the automatic choice)" : "");
    return SSB_OK;
}

/* The networks of the generated structure as the check measures them (ssb_micro_resolution_networks explains why):
 * Li+ on sub-voxel conductivities, e- on the labels without false contacts. */
static int network_grids(ssb_ctx *ctx, ssb_run_result *res, const ssbi_sphere *sp, int64_t nsp)
{
    double sion[256], sel[256];
    SSB_CHECK(ctx, ssb_transport_sigma_from_phases(ctx, res->grid, SSB_CARRIER_ION, sion));
    SSB_CHECK(ctx, ssb_transport_sigma_from_phases(ctx, res->grid, SSB_CARRIER_ELECTRON, sel));
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&res->cathode);
    SSB_CHECK(ctx, ssbi_micro_partial_volume(ctx, &p, sp, nsp, res->cathode.dims, res->cathode.voxel_size,
                                             SSB_MICRO_SUBVOXEL, sion, &res->ion_grid, res->ion_sigma,
                                             &res->subvoxel));
    return ssbi_micro_cut_contacts(ctx, &p, sp, nsp, res->grid, sel, &res->el_grid, &res->el_cut);
}

/* The voxel-size rule, feature sizes and (on request) the resolution check of the structure (issue 7 item 2). */
static int run_resolution(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_CHECK(ctx, ssb_micro_feature_sizes(ctx, res->grid, SSB_RUN_MIN_VOXELS_ACROSS_FEATURE, &res->features));
    for (int i = 0; i < res->features.nlabels; i++) {
        const ssb_micro_feature *f = &res->features.label[i];
        if (!f->under_resolved)
            continue;
        const ssb_phase *ph = ssb_grid_find_phase(res->grid, f->label);
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "phase %s (label %d): features about %.1f voxels across (%.3g um), under %d: the voxelisation loses "
                 "or breaks them up (lower microstructure.voxel_size_um)",
                 ph ? ph->name : "?", f->label, f->voxels_across, f->feature_size * 1e6, res->features.n_across);
    }
    ssb_micro_resolution_params cp = ssb_micro_resolution_params_default();
    cp.transport = rp->transport;
    if (res->generated) {
        ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&res->cathode);
        cp.subvoxel = SSB_MICRO_SUBVOXEL; /* the SE tau as the run measures it */
        if (rp->check_resolution) {
            /* a cube of at least 3 CAM diameters, at most 64 voxels (the h/2 copy has 8x the voxels) */
            const int64_t n = check_cube_edge(&res->cathode);
            if (n == 0) {
                log_no_check_cube(ctx, &res->cathode);
            } else {
                int64_t dims[3] = {n, n, n};
                SSB_CHECK(ctx,
                          ssb_micro_resolution_check(ctx, &p, dims, res->cathode.voxel_size, &cp, &res->resolution));
                res->resolution_checked = 1;
            }
        }
    } else if (rp->check_resolution) {
        double sigma[256] = {0};
        for (int i = 0; i < ssb_grid_get_nphases(res->grid); i++) {
            const ssb_phase *ph = ssb_grid_get_phase(res->grid, i);
            if (ph->role == SSB_ROLE_SE)
                sigma[ph->label] = 1.0;
        }
        ssb_micro_resolution_result *r = &res->resolution;
        SSB_CHECK(ctx, ssb_micro_resolution_check_image(ctx, res->grid, sigma, SSB_AXIS_Z, &cp.transport, &r->tau[0],
                                                        &r->tau[1], &r->rel_tau));
        ssb_grid_get_dims(res->grid, r->dims);
        r->resolved = r->rel_tau <= cp.rtol;
        res->resolution_checked = 1;
    }
    if (res->resolution_checked && !res->resolution.resolved && res->generated)
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "extended resolution check: from h to h/2 the SE tortuosity changes by %.1f %% and the CAM|SE "
                 "face-count area by %.1f %% (limit %.0f %% each): %s",
                 100 * res->resolution.rel_tau, 100 * res->resolution.rel_area, 100 * cp.rtol,
                 res->resolution.rel_tau > cp.rtol ? "the tortuosity is not converged in the voxel size"
                                                   : "the face-count area is not converged (the hand-over corrects "
                                                     "it by the measured marching-cubes ratio)");
    else if (res->resolution_checked && !res->resolution.resolved)
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "resolution check: the SE tortuosity changes by %.1f %% from h to 2h (more than %.0f %%): the "
                 "image's tau is not converged in the voxel size",
                 100 * res->resolution.rel_tau, 100 * cp.rtol);
    return SSB_OK;
}

int ssb_run_structure(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, db && rp && res && res->params, SSB_ERR_ARG, "ssb_run_structure: call ssb_run_init first");
    ssbi_run_stage st;
    ssbi_run_stage_begin(ctx, &st, rp, "structure");
    int rc;
    ssbi_sphere *sp = NULL;
    int64_t nsp = 0;
    if (rp->image) {
        res->generated = 0;
        rc = structure_image(ctx, db, rp->image, res->temperature, &res->grid);
    } else {
        res->generated = 1;
        rc = ssb_run_cathode_from_cell(ctx, &res->values_in, rp, &res->cathode);
        if (rc == SSB_OK)
            rc = choose_voxel_size(ctx, db, rp, res);
        if (rc == SSB_OK)
            rc = generate_cathode(ctx, db, &res->cathode, res->temperature, &res->grid, &res->gen, &sp, &nsp);
    }
    if (rc == SSB_OK)
        rc = align_se_sigma(ctx, res->grid, &res->values_in);
    if (rc == SSB_OK && res->generated)
        rc = network_grids(ctx, res, sp, nsp);
    free(sp);
    ssbi_run_stage_end(ctx, &st);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&res->grid);
        ssb_grid_destroy(&res->ion_grid);
        ssb_grid_destroy(&res->el_grid);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    res->micro = 1;
    rc = run_resolution(ctx, rp, res);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&res->grid);
        ssb_grid_destroy(&res->ion_grid);
        ssb_grid_destroy(&res->el_grid);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    ssb_grid_get_dims(res->grid, res->dims);
    ssb_grid_get_voxel_size(res->grid, res->voxel_size);
    for (int k = 0; k < 3; k++)
        res->extent[k] = (double)res->dims[k] * res->voxel_size[k];
    if (res->extent[2] < 2.0 * res->values_in.pos.particle_radius * 0.999)
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "the structure is %.3g um thick, less than one CAM particle (%.3g um): its through-plane "
                 "networks are not those of an electrode",
                 res->extent[2] * 1e6, 2e6 * res->values_in.pos.particle_radius);
    double t = res->values_in.pos.thickness;
    if (rp->image && fabs(res->extent[2] - t) > fmax(res->voxel_size[2], 0.05 * t))
        ssbi_log(ctx, SSB_LOG_WARN, "run",
                 "the image spans %.4g um through the thickness (z) but the cell's cathode is %.4g um "
                 "(positive.thickness_um): its percolation and tortuosity are those of the image's thickness",
                 res->extent[2] * 1e6, t * 1e6);
    if (!rp->image && fabs(res->extent[2] - res->values_in.pos.thickness) > res->voxel_size[2] &&
        rp->through_plane <= 0)
        return SSB_ERROR(ctx, SSB_ERR_INTERNAL, "structure thickness %g um differs from the cathode's %g um",
                         res->extent[2] * 1e6, res->values_in.pos.thickness * 1e6);
    res->stage = 1;
    return SSB_OK;
}
