/* run: the chain cell -> structure -> networks -> effective properties -> cell model (ssb_run.h). */
#include "run_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------------------------------------- stages */

static int stage_progress(void *user, const char *stage, double done, double total)
{
    ssbi_run_stage *st = user;
    if (st->cancel && *st->cancel)
        return 1;
    if (!st->fn)
        return 0;
    char name[96];
    snprintf(name, sizeof name, "%s: %s", st->prefix, stage);
    return st->fn(st->user, name, done, total);
}

void ssbi_run_stage_begin(ssb_ctx *ctx, ssbi_run_stage *st, const ssb_run_params *rp, const char *prefix)
{
    ssb_ctx_get_progress(ctx, &st->fn, &st->user);
    st->prefix = prefix;
    st->cancel = rp ? rp->cancel : NULL;
    ssb_ctx_set_progress(ctx, stage_progress, st);
}

void ssbi_run_stage_end(ssb_ctx *ctx, ssbi_run_stage *st)
{
    ssb_ctx_set_progress(ctx, st->fn, st->user);
}

/* ------------------------------------------------------------------------------------------- params */

ssb_run_params ssb_run_params_default(void)
{
    ssb_run_params p;
    memset(&p, 0, sizeof p);
    p.micro = 1;
    p.voxel_size = 0; /* from the CAM diameter (ssb_run_voxel_size) */
    p.cross_section = 96;
    p.through_plane = 0;
    p.seed = 1;
    p.cam_gsd = 1.3;
    snprintf(p.carbon, sizeof p.carbon, "Super P");
    p.carbon_diameter = 1.0e-6;
    p.pore_diameter = 1.2e-6;
    p.overlap = 0.15;
    p.marching_cubes = 1;
    p.transport = ssb_transport_params_default();
    static const double rates[] = {0.1, 0.2, 0.5, 1, 2};
    p.nrates = 5;
    memcpy(p.rates, rates, sizeof rates);
    p.cutoff = 3.5;
    p.iface_hours = 1000;
    p.se_diameter = 0;
    p.channel_fraction = 0;
    p.channel_diameter = 10e-6;
    p.carbon_shape = SSB_MICRO_PARTICLE_SPHERE;
    p.fibre_length = 10e-6;
    p.cam_small_fraction = 0;
    p.cam_small_diameter = 1e-6;
    p.cam_gradient = 0;
    return p;
}

static int check_params(ssb_ctx *ctx, const ssb_run_params *rp)
{
    SSB_REQUIRE(ctx, rp->nrates >= 1 && rp->nrates <= SSB_RUN_MAX_RATES, SSB_ERR_RANGE,
                "run.rates_C: %d C-rates (valid: 1 to %d)", rp->nrates, SSB_RUN_MAX_RATES);
    for (int i = 0; i < rp->nrates; i++)
        SSB_REQUIRE(ctx, rp->rates[i] > 0 && rp->rates[i] <= 100, SSB_ERR_RANGE,
                    "run.rates_C[%d] = %g is out of range (valid: (0, 100])", i, rp->rates[i]);
    SSB_REQUIRE(ctx, rp->cutoff >= 0.5 && rp->cutoff <= 6, SSB_ERR_RANGE,
                "run.cutoff_V = %g is out of range (valid: 0.5 to 6)", rp->cutoff);
    SSB_REQUIRE(ctx, rp->iface_hours >= 0 && rp->iface_hours <= 1e6, SSB_ERR_RANGE,
                "run.interface_ageing_h = %g is out of range (valid: 0 to 1e6)", rp->iface_hours);
    if (!rp->micro || rp->image)
        return SSB_OK;
    SSB_REQUIRE(ctx, rp->voxel_size == 0 || (rp->voxel_size >= 1e-9 && rp->voxel_size <= 1e-4), SSB_ERR_RANGE,
                "microstructure.voxel_size_um = %g is out of range (0 = from the CAM diameter, or 0.001 to 100)",
                rp->voxel_size * 1e6);
    SSB_REQUIRE(ctx, rp->cross_section >= 16 && rp->cross_section <= 1024, SSB_ERR_RANGE,
                "microstructure.size_voxels = %lld is out of range (16 to 1024)", (long long)rp->cross_section);
    SSB_REQUIRE(ctx, rp->through_plane == 0 || (rp->through_plane >= 4 && rp->through_plane <= 4096), SSB_ERR_RANGE,
                "microstructure.through_plane_voxels = %lld is out of range (0 = from the "
                "thickness, or 4 to 4096)",
                (long long)rp->through_plane);
    SSB_REQUIRE(ctx, rp->cam_gsd >= 1 && rp->cam_gsd <= 3, SSB_ERR_RANGE,
                "microstructure.cam_gsd = %g is out of range (1 to 3)", rp->cam_gsd);
    SSB_REQUIRE(ctx, rp->carbon_diameter > 0 && rp->carbon_diameter <= 1e-3, SSB_ERR_RANGE,
                "microstructure.carbon_diameter_um = %g is out of range (0 to 1000)", rp->carbon_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->pore_diameter > 0 && rp->pore_diameter <= 1e-3, SSB_ERR_RANGE,
                "microstructure.pore_diameter_um = %g is out of range (0 to 1000)", rp->pore_diameter * 1e6);
    SSB_REQUIRE(ctx, rp->overlap >= 0 && rp->overlap <= 0.9, SSB_ERR_RANGE,
                "microstructure.overlap = %g is out of range (0 to 0.9)", rp->overlap);
    SSB_REQUIRE(ctx, rp->carbon[0], SSB_ERR_ARG, "microstructure.carbon: empty material name");
    return ssbi_run_check_arch(ctx, rp);
}

/* A composite electrode cannot be thinner than its particles; thinner than 5 um or thicker than 2 mm is unusual. */
int ssb_run_check_cell(ssb_ctx *ctx, const ssb_cell_params *cell, double *ocv_init)
{
    SSB_REQUIRE(ctx, cell, SSB_ERR_ARG, "ssb_run_check_cell: NULL cell");
    /* the cell model validates the cell (a missing key is named) and gives the initial open-circuit voltage */
    ssb_cell *model = NULL;
    SSB_CHECK(ctx, ssb_cell_create(ctx, cell, &model));
    if (ocv_init)
        *ocv_init = ssb_cell_get_derived(model)->ocv_init;
    ssb_cell_destroy(&model);
    /* electrode thickness against the particle size: checked (and warned about) by the cell model itself */
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    if (v.sep.thickness < 1e-6 || v.sep.thickness > 2e-3)
        ssbi_log(ctx, SSB_LOG_WARN, "run", "separator.thickness_um = %g is outside the usual 1 to 2000 um",
                 v.sep.thickness * 1e6);
    if (v.cell.T < 200 || v.cell.T > 500)
        ssbi_log(ctx, SSB_LOG_WARN, "run", "temperature_K = %g is outside the usual 200 to 500 K", v.cell.T);
    return SSB_OK;
}

int ssb_run_check(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *rp)
{
    SSB_REQUIRE(ctx, cell && rp, SSB_ERR_ARG, "ssb_run_check: NULL argument");
    SSB_CHECK(ctx, check_params(ctx, rp));
    double ocv0 = NAN;
    SSB_CHECK(ctx, ssb_run_check_cell(ctx, cell, &ocv0));
    SSB_REQUIRE(ctx, !(rp->cutoff >= ocv0), SSB_ERR_RANGE,
                "run.cutoff_V = %g is at or above the open-circuit voltage of the initial state (%.4g V): nothing "
                "can be discharged (valid: below %.4g V)",
                rp->cutoff, ocv0, ocv0);
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    double d = 2.0 * v.pos.particle_radius;
    if (rp->micro && !rp->image) {
        const double hv = ssb_run_voxel_size(rp, d);
        if (d < 3 * hv)
            ssbi_log(ctx, SSB_LOG_WARN, "run",
                     "CAM particles of %g um are under 3 voxels of %g um across: the structure does not resolve "
                     "them (lower microstructure.voxel_size_um)",
                     d * 1e6, hv * 1e6);
        if ((double)rp->cross_section * hv < 4 * d)
            ssbi_log(ctx, SSB_LOG_WARN, "run",
                     "the in-plane cross-section (%g um) is narrower than four CAM particles (%g um): its networks "
                     "may not represent the electrode (raise microstructure.size_voxels)",
                     (double)rp->cross_section * hv * 1e6, 4 * d * 1e6);
        ssb_run_cathode c;
        SSB_CHECK(ctx, ssb_run_cathode_from_cell(ctx, &v, rp, &c));
    }
    return SSB_OK;
}

int ssb_run_init(ssb_ctx *ctx, const ssb_cell_params *cell, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, cell && rp && res, SSB_ERR_ARG, "ssb_run_init: NULL argument");
    memset(res, 0, sizeof *res);
    SSB_CHECK(ctx, ssb_run_check(ctx, cell, rp));
    SSB_CHECK(ctx, ssb_cell_params_copy(ctx, cell, &res->params));
    ssb_cell_params_get_values(res->params, &res->values_in);
    res->values = res->values_in;
    res->temperature = res->values_in.cell.T;
    res->temperature_factor = 1.0;
    res->cutoff = rp->cutoff;
    return SSB_OK;
}

void ssb_run_result_destroy(ssb_run_result *res)
{
    if (!res)
        return;
    for (int i = 0; i < SSB_RUN_MAX_RATES; i++)
        ssb_cell_result_destroy(&res->curves[i]);
    ssb_transport_result_destroy(&res->ion);
    ssb_transport_result_destroy(&res->el);
    ssb_grid_destroy(&res->grid);
    ssb_grid_destroy(&res->ion_grid);
    ssb_grid_destroy(&res->el_grid);
    ssb_cell_params_destroy(&res->params);
    memset(res, 0, sizeof *res);
}

/* ------------------------------------------------------------------------------------------- networks */

static int solve_carrier(ssb_ctx *ctx, const ssb_run_params *rp, const ssb_grid *g, ssb_carrier carrier,
                         const char *prefix, ssb_transport_result *out)
{
    double sigma[256];
    SSB_CHECK(ctx, ssb_transport_sigma_from_phases(ctx, g, carrier, sigma));
    ssb_transport_params tp = rp->transport;
    tp.want_fields = 0;
    ssbi_run_stage st;
    ssbi_run_stage_begin(ctx, &st, rp, prefix);
    int rc = ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &tp, out);
    ssbi_run_stage_end(ctx, &st);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* A network of a generated structure on its own grid (res->ion_grid: sub-voxel conductivity classes; res->el_grid:
 * the labels without false contacts; ssb_run.h). The solve sees that grid, so eps, sigma_bulk and tau are restated
 * with the phases of the labelled structure: eps = volume fraction of the carrier's phases, sigma_bulk their
 * volume-mean conductivity, tau = eps sigma_bulk / sigma_eff (the definition of the check, ssb_run_result.netcheck);
 * the percolating fraction is scaled by the same ratio of volume means. */
static int solve_network(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_result *res, ssb_carrier carrier,
                         const ssb_grid *g, const double *sigma_g, const char *prefix, ssb_transport_result *r)
{
    double sigma[256];
    SSB_CHECK(ctx, ssb_transport_sigma_from_phases(ctx, res->grid, carrier, sigma));
    ssb_transport_params tp = rp->transport;
    tp.want_fields = 0;
    ssbi_run_stage st;
    ssbi_run_stage_begin(ctx, &st, rp, prefix);
    int rc = ssb_transport_solve(ctx, g, sigma_g ? sigma_g : sigma, SSB_AXIS_Z, &tp, r);
    ssbi_run_stage_end(ctx, &st);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    int64_t hist[256];
    ssb_grid_histogram(res->grid, hist);
    double n = (double)ssb_grid_get_nvoxels(res->grid), eps = 0, mean = 0;
    for (int l = 0; l < 256; l++)
        if (sigma[l] > 0) {
            eps += (double)hist[l] / n;
            mean += (double)hist[l] / n * sigma[l];
        }
    const double mean_g = r->eps * r->sigma_bulk; /* volume mean of the solved grid */
    r->eps_percolating *= mean > 0 ? mean_g / mean : 0.0;
    r->eps = eps;
    r->sigma_bulk = eps > 0 ? mean / eps : 0.0;
    r->sigma_rel = r->sigma_bulk > 0 ? r->sigma_eff / r->sigma_bulk : 0.0;
    const int ok = r->percolates && r->sigma_eff > 0;
    r->tau = ok ? mean / r->sigma_eff : INFINITY;
    r->tau_percolating = ok ? r->eps_percolating * r->sigma_bulk / r->sigma_eff : INFINITY;
    r->macmullin = ok ? r->sigma_bulk / r->sigma_eff : INFINITY;
    return SSB_OK;
}

int ssb_run_networks(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, rp && res && res->stage >= 1 && res->grid, SSB_ERR_ARG,
                "ssb_run_networks: run ssb_run_structure first");
    SSB_CHECK(ctx, ssb_micro_fractions_compute(ctx, res->grid, &res->fractions));
    ssb_micro_cam_params cp = ssb_micro_cam_params_default();
    cp.axis = SSB_AXIS_Z;
    cp.cc_side = SSB_MICRO_SIDE_LOW;
    cp.area.marching_cubes = rp->marching_cubes;
    ssbi_run_stage st;
    ssbi_run_stage_begin(ctx, &st, rp, "active CAM");
    int rc = ssb_micro_cam_compute(ctx, res->grid, &cp, &res->cam);
    ssbi_run_stage_end(ctx, &st);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    if (res->cam.n_active > 0)
        SSB_CHECK(ctx, ssb_micro_cam_paths_compute(ctx, res->grid, &cp, &res->paths));
    ssb_transport_result_destroy(&res->ion);
    ssb_transport_result_destroy(&res->el);
    if (res->ion_grid)
        SSB_CHECK(ctx, solve_network(ctx, rp, res, SSB_CARRIER_ION, res->ion_grid, res->ion_sigma, "Li+ network",
                                     &res->ion));
    else
        SSB_CHECK(ctx, solve_carrier(ctx, rp, res->grid, SSB_CARRIER_ION, "Li+ network", &res->ion));
    if (res->el_grid)
        SSB_CHECK(ctx, solve_network(ctx, rp, res, SSB_CARRIER_ELECTRON, res->el_grid, NULL, "e- network", &res->el));
    else
        SSB_CHECK(ctx, solve_carrier(ctx, rp, res->grid, SSB_CARRIER_ELECTRON, "e- network", &res->el));
    res->stage = 2;
    SSB_REQUIRE(ctx, res->ion.percolates && res->el.percolates, SSB_ERR_NOPERC,
                "the cathode's %s network does not percolate through the thickness (%.4g um): no current can flow "
                "(raise the %s volume fraction)",
                res->ion.percolates ? "electronic" : "ionic", res->extent[2] * 1e6,
                res->ion.percolates ? "CAM or carbon" : "electrolyte");
    SSB_REQUIRE(ctx, res->cam.active_fraction > 0, SSB_ERR_NOPERC,
                "no CAM particle of the cathode is both wired to the current collector and in contact with "
                "electrolyte that reaches the separator: nothing can be discharged");
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------- hand-over */

int ssb_run_effective(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, rp && res && res->stage >= 2, SSB_ERR_ARG, "ssb_run_effective: run ssb_run_networks first");
    const double *rf = res->fractions.role_fraction;
    double f_cam = rf[SSB_ROLE_ACTIVE];
    ssb_cell_values v = res->values_in;
    v.pos.eps_active = f_cam * res->cam.active_fraction;
    v.pos.eps_active_dead = f_cam * (1.0 - res->cam.active_fraction);
    v.pos.eps_electrolyte = rf[SSB_ROLE_SE] + rf[SSB_ROLE_GB];
    v.pos.eps_inert = rf[SSB_ROLE_CARBON] + rf[SSB_ROLE_BINDER] + rf[SSB_ROLE_COATING];
    v.pos.porosity = rf[SSB_ROLE_PORE] + rf[SSB_ROLE_UNDEFINED];
    /* conductivities: the transport results as they are (sigma_eff already holds eps / tau), at the cell
       temperature; the ionic one in the cell's own basis, from which the model takes it to T by
       ssb_cell_sigma_factor (1 unless the temperature was changed after the cell file was read, or the cell gives
       its conductivities at T_ref with an activation energy): the model then uses exactly the transport value */
    v.pos.sigma_i_eff =
        res->ion.sigma_eff * res->temperature_factor / ssb_cell_sigma_factor(&v, SSB_CELL_REGION_POS);
    v.pos.sigma_e_eff = res->el.sigma_eff * res->temperature_factor;
    /* the ion-conducting network's transport efficiency eps / tau = sigma_eff / sigma_bulk: a liquid (or hybrid)
       cell's kappa_eff = kappa eps / tau and D_eff take it (they took the Bruggeman eps^1.5 and the measured network
       was dropped: DUALFOIL deck B's cathode, 0.199 measured vs 0.164); a single-ion cell uses sigma_i_eff above */
    res->transport_efficiency = NAN;
    if (res->ion.sigma_bulk > 0 && isfinite(res->ion.sigma_eff))
        v.pos.transport_eff = res->transport_efficiency = res->ion.sigma_eff / res->ion.sigma_bulk;
    /* active area: face count corrected by the measured smooth / face-count ratio */
    double h = cbrt(res->voxel_size[0] * res->voxel_size[1] * res->voxel_size[2]);
    double d = res->generated && res->gen.phase[0].mean_diameter > 0 ? res->gen.phase[0].mean_diameter
                                                                     : 2.0 * res->values_in.pos.particle_radius;
    if (d < 2 * h)
        d = 2 * h;
    if (d > 100 * h)
        d = 100 * h;
    SSB_CHECK(ctx, ssb_run_sphere_area_factor(ctx, d, h, &res->area_factor_sphere));
    res->area_face = res->cam.active_cam_se.per_volume;
    if (res->cam.active_cam_se_mc.method && res->cam.mc_face_ratio > 0) {
        res->area_factor = res->cam.mc_face_ratio;
        res->area_factor_method = "marching_cubes_of_structure";
    } else {
        res->area_factor = res->area_factor_sphere;
        res->area_factor_method = "voxelised_sphere";
    }
    v.pos.area_per_volume = res->area_face * res->area_factor;
    /* diffusion length: lithium enters the CAM through its CAM|SE contacts only; the equivalent sphere's radius is
       the particle's times the measured rms path ratio (>= 1), the measured area stays, so the cell model's
       surface-flux factor a R / (3 eps_s) takes the flux onto that sphere and the CAM's volume is unchanged */
    if (rp->diffusion_paths && res->paths.length_factor >= 1.0) {
        v.pos.particle_radius = res->values_in.pos.particle_radius * res->paths.length_factor;
        SSB_REQUIRE(ctx, 2.0 * v.pos.particle_radius <= v.pos.thickness, SSB_ERR_RANGE,
                    "microstructure.diffusion_length = insertion_paths: the structure's insertion-path factor %.4g "
                    "(active CAM surface covered by Li-connected SE: %.3g) makes the equivalent particle %.4g um "
                    "across, more than the cathode's %.4g um: the CAM is reached through too few SE contacts for a "
                    "particle model (use diffusion_length = particle, or an SE that covers more CAM)",
                    res->paths.length_factor, res->cam.active_se_coverage, 2e6 * v.pos.particle_radius,
                    v.pos.thickness * 1e6);
    }
    SSB_CHECK(ctx, ssb_cell_params_set_values(ctx, res->params, &v));
    ssb_cell_params_get_values(res->params, &res->values);
    res->stage = 3;
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------- cell */

int ssb_run_cell(ssb_ctx *ctx, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, rp && res && res->params, SSB_ERR_ARG, "ssb_run_cell: call ssb_run_init first");
    SSB_CHECK(ctx, check_params(ctx, rp));
    ssb_cell *model = NULL;
    SSB_CHECK(ctx, ssb_cell_create(ctx, res->params, &model));
    res->derived = *ssb_cell_get_derived(model);
    for (int i = 0; i < SSB_RUN_MAX_RATES; i++)
        ssb_cell_result_destroy(&res->curves[i]);
    int rc = SSB_OK;
    for (int i = 0; i < rp->nrates && rc == SSB_OK; i++) {
        char prefix[48];
        snprintf(prefix, sizeof prefix, "discharge %gC", rp->rates[i]);
        ssbi_run_stage st;
        ssbi_run_stage_begin(ctx, &st, rp, prefix);
        rc = ssb_cell_rate_sweep(ctx, model, 1, &rp->rates[i], rp->cutoff, &res->points[i], &res->curves[i]);
        ssbi_run_stage_end(ctx, &st);
    }
    ssb_cell_destroy(&model);
    if (rc != SSB_OK) {
        for (int i = 0; i < SSB_RUN_MAX_RATES; i++)
            ssb_cell_result_destroy(&res->curves[i]);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    res->nrates = rp->nrates;
    res->cutoff = rp->cutoff;
    res->stage = 4;
    return SSB_OK;
}

int ssb_run_interfaces(ssb_ctx *ctx, const ssb_materials *db, const ssb_run_params *rp, ssb_run_result *res)
{
    SSB_REQUIRE(ctx, rp && res && res->params, SSB_ERR_ARG, "ssb_run_interfaces: call ssb_run_init first");
    res->iface = 0;
    res->iface_note[0] = '\0';
    if (!(rp->iface_hours > 0))
        return SSB_OK;
    SSB_REQUIRE(ctx, db, SSB_ERR_ARG, "ssb_run_interfaces: no materials database");
    ssb_iface_db *idb = NULL;
    int rc = ssb_iface_db_load(ctx, NULL, &idb);
    if (rc == SSB_OK)
        rc = ssb_iface_assess_cell(ctx, db, idb, res->params, rp->iface_hours, &res->interfaces);
    ssb_iface_db_destroy(&idb);
    if (rc == SSB_ERR_NOTFOUND) {
        /* a cell whose materials the interface data cannot judge (e.g. an electrode without an OCV curve or fixed
           potential): reported, not an error of the run */
        snprintf(res->iface_note, sizeof res->iface_note, "%s", ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        return SSB_OK;
    }
    SSB_CHECK(ctx, rc);
    res->iface = 1;
    return SSB_OK;
}

int ssb_run(ssb_ctx *ctx, const ssb_materials *db, const ssb_cell_params *cell, const ssb_run_params *params,
            ssb_run_result *res)
{
    SSB_REQUIRE(ctx, cell && res, SSB_ERR_ARG, "ssb_run: NULL argument");
    ssb_run_params dp = ssb_run_params_default();
    const ssb_run_params *rp = params ? params : &dp;
    ssb_materials *own = NULL;
    int rc = ssb_run_init(ctx, cell, rp, res);
    if (rc == SSB_OK && rp->micro && !db) {
        rc = ssb_materials_create(ctx, &own);
        if (rc == SSB_OK)
            rc = ssb_materials_load_builtin(ctx, own);
        db = own;
    }
    double t = now_s();
    if (rc == SSB_OK && rp->micro) {
        rc = ssb_run_structure(ctx, db, rp, res);
        res->time_s[0] = now_s() - t;
        t += res->time_s[0];
        if (rc == SSB_OK)
            rc = ssb_run_networks(ctx, rp, res);
        res->time_s[1] = now_s() - t;
        t += res->time_s[1];
        if (rc == SSB_OK)
            rc = ssb_run_effective(ctx, rp, res);
        res->time_s[2] = now_s() - t;
        t += res->time_s[2];
    }
    if (rc == SSB_OK)
        rc = ssb_run_cell(ctx, rp, res);
    if (rc == SSB_OK && rp->iface_hours > 0 && !db) {
        rc = ssb_materials_create(ctx, &own);
        if (rc == SSB_OK)
            rc = ssb_materials_load_builtin(ctx, own);
        db = own;
    }
    if (rc == SSB_OK)
        rc = ssb_run_interfaces(ctx, db, rp, res);
    res->time_s[3] = now_s() - t;
    ssb_materials_destroy(&own);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}

/* ------------------------------------------------------------------------------------------- diagnostics */

static void add_key(char *buf, size_t n, size_t *len, const char *key)
{
    if (*len < n)
        *len += (size_t)snprintf(buf + *len, n - *len, "%s%s", *len ? ", " : "", key);
}

static void electrode_densities(const ssb_cell_electrode *e, const char *side, double rho_el_fallback, char *buf,
                                size_t n, size_t *len)
{
    char key[96];
    if (e->eps_active + e->eps_active_dead > 0 && !isfinite(e->rho_active)) {
        snprintf(key, sizeof key, "%s.density_active_kg_per_m3", side);
        add_key(buf, n, len, key);
    }
    if (e->eps_electrolyte > 0 && !isfinite(e->rho_electrolyte) && !isfinite(rho_el_fallback)) {
        snprintf(key, sizeof key, "%s.density_electrolyte_kg_per_m3", side);
        add_key(buf, n, len, key);
    }
    if (e->eps_inert > 0 && !isfinite(e->rho_inert)) {
        snprintf(key, sizeof key, "%s.density_carbon_kg_per_m3", side);
        add_key(buf, n, len, key);
    }
}

int ssb_run_missing_densities(const ssb_cell_values *v, char *buf, size_t n)
{
    if (!v || !buf || n == 0)
        return 0;
    size_t len = 0;
    buf[0] = '\0';
    electrode_densities(&v->pos, "positive", v->el.density, buf, n, &len);
    if (v->anode == SSB_CELL_ANODE_COMPOSITE)
        electrode_densities(&v->neg, "negative", v->el.density, buf, n, &len);
    else if (v->li.thickness > 0 && !isfinite(v->li.density))
        add_key(buf, n, &len, "negative.density_kg_per_m3");
    if (!isfinite(v->sep.rho_electrolyte) && !isfinite(v->el.density))
        add_key(buf, n, &len, "separator.density_electrolyte_kg_per_m3");
    if (v->sep.eps_electrolyte < 1 && !isfinite(v->sep.rho_matrix))
        add_key(buf, n, &len, "separator.density_matrix_kg_per_m3");
    if (v->cell.cc_pos_thickness > 0 && !isfinite(v->cell.cc_pos_density))
        add_key(buf, n, &len, "current_collectors.positive_density_kg_per_m3");
    if (v->cell.cc_neg_thickness > 0 && !isfinite(v->cell.cc_neg_density))
        add_key(buf, n, &len, "current_collectors.negative_density_kg_per_m3");
    return len > 0;
}
