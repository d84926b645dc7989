/* Electrode-architecture options of the composite-electrode generator (issue 12): SE as particles of their own
 * size, vertical SE channels, carbon fibres, bimodal and graded CAM; their run keys; and the trends the literature
 * establishes for them, each on small boxes over a few seeds.
 *
 * Sources of the trends:
 *  - SE/CAM particle-size ratio: Bielefeld, Weber, Janek, J. Phys. Chem. C 123, 1626 (2019), and ACS Appl. Mater.
 *    Interfaces 12, 12821 (2020): at a fixed composition, SE particles small relative to the CAM raise the share of
 *    CAM connected to the ionic network (active CAM) and lower the ionic tortuosity of the composite.
 *  - Vertical channels: straight SE cylinders through the thickness conduct in parallel with the rest, so the
 *    composite's relative ionic conductance is at least the channels' area fraction (sigma_eff / sigma >= f_c,
 *    exact for straight prisms) and its tortuosity falls toward 1 as f_c grows; thick electrodes gain capacity at
 *    high rate (the review's outlook point 1; Bielefeld et al., ACS Appl. Mater. Interfaces 13 (2021) on
 *    structured cathodes).
 *  - Fibres: excluded-volume theory of percolation, Balberg, Anderson, Alexander, Wagner, Phys. Rev. B 30, 3933
 *    (1984): randomly oriented penetrable sticks percolate at N_c <V_ex> ~ 1.4 (sticks) vs 2.8 (spheres), i.e. at a
 *    volume fraction roughly proportional to 1 / aspect ratio; for capsules of diameter d and length L (AR 10),
 *    phi_c ~ 1 - exp(-1.4 V / V_ex) = 0.05 against 0.29 for penetrable spheres.
 */
#include "testutil.h"

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_micro_gen.h>
#include <ssbnet/ssb_run.h>
#include <ssbnet/ssb_transport.h>

#include "micro/gen/gen_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ssb_ctx *new_ctx(void)
{
    ssb_ctx *ctx = NULL;
    assert_int_equal(ssb_ctx_create(&ctx), SSB_OK);
    return ctx;
}

static ssb_grid *new_grid(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double h)
{
    ssb_grid *g = NULL;
    TU_OK(ctx, ssb_grid_create(ctx, nx, ny, nz, h, h, h, &g));
    return g;
}

static int64_t count_label(const ssb_grid *g, uint8_t l)
{
    int64_t h[256];
    ssb_grid_histogram(g, h);
    return h[l];
}

/* Tortuosity of the voxels with label l along z (sigma 1 there, 0 elsewhere). */
static double tau_z(ssb_ctx *ctx, const ssb_grid *g, uint8_t l, double *sigma_rel)
{
    double sigma[256] = {0};
    sigma[l] = 1.0;
    ssb_transport_params tp = ssb_transport_params_default();
    ssb_transport_result r;
    TU_OK(ctx, ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &tp, &r));
    if (sigma_rel)
        *sigma_rel = r.sigma_rel;
    return r.tau;
}

/* The run's recipe of the default cell (CAM 0.60, carbon 0.03, voids 0.05, SE 0.32; 5 um CAM) with rp. */
static ssb_run_cathode default_cathode(ssb_ctx *ctx, const ssb_run_params *rp)
{
    ssb_cell_params *cell = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &cell));
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    ssb_cell_params_destroy(&cell);
    ssb_run_cathode c;
    TU_OK(ctx, ssb_run_cathode_from_cell(ctx, &v, rp, &c));
    return c;
}


/* Ionically active CAM per particle, as Bielefeld et al. count it: the volume share (by r^3) of the CAM spheres
 * that share a voxel face with SE connected to the separator face (z = nz - 1). Per particle, because the voxel
 * clusters of overlapping CAM spheres merge into one (ssb_micro_cam_compute judges such a cluster as a whole). */
static double ionic_active_share(ssb_ctx *ctx, ssb_grid *g, const ssbi_sphere *sp, int64_t nsp, uint8_t cam,
                                 uint8_t se)
{
    int64_t n[3];
    double h[3];
    ssb_grid_get_dims(g, n);
    ssb_grid_get_voxel_size(g, h);
    const int64_t nv = n[0] * n[1] * n[2];
    uint8_t *mask = malloc((size_t)nv), set[256] = {0};
    assert_non_null(mask);
    set[se] = 1;
    TU_OK(ctx, ssb_grid_through_mask(ctx, g, set, SSB_AXIS_Z, SSB_CONN_6, mask, NULL));
    const uint8_t *lab = ssb_grid_get_labels(g);
    double vall = 0, vact = 0;
    for (int64_t k = 0; k < nsp; k++) {
        if (lab == NULL || sp[k].phase != 0)
            continue;
        const double r = sp[k].r;
        int active = 0;
        int64_t lo[3], hi[3];
        for (int a = 0; a < 3; a++) {
            lo[a] = (int64_t)floor((sp[k].c[a] - r) / h[a]);
            hi[a] = (int64_t)ceil((sp[k].c[a] + r) / h[a]);
        }
        for (int64_t z = lo[2]; z <= hi[2] && !active; z++)
            for (int64_t y = lo[1]; y <= hi[1] && !active; y++)
                for (int64_t x = lo[0]; x <= hi[0] && !active; x++) {
                    double dx = (x + 0.5) * h[0] - sp[k].c[0], dy = (y + 0.5) * h[1] - sp[k].c[1],
                           dz = (z + 0.5) * h[2] - sp[k].c[2];
                    if (dx * dx + dy * dy + dz * dz >= r * r)
                        continue;
                    int64_t i = (x % n[0] + n[0]) % n[0], j = (y % n[1] + n[1]) % n[1], l = (z % n[2] + n[2]) % n[2];
                    int64_t v = i + n[0] * (j + n[1] * l);
                    if (lab[v] != cam)
                        continue;
                    const int64_t nb[6][3] = {{i - 1, j, l}, {i + 1, j, l}, {i, j - 1, l},
                                              {i, j + 1, l}, {i, j, l - 1}, {i, j, l + 1}};
                    for (int m = 0; m < 6 && !active; m++) {
                        if (nb[m][0] < 0 || nb[m][0] >= n[0] || nb[m][1] < 0 || nb[m][1] >= n[1] || nb[m][2] < 0 ||
                            nb[m][2] >= n[2])
                            continue;
                        active = (mask[nb[m][0] + n[0] * (nb[m][1] + n[1] * nb[m][2])] & 2) != 0;
                    }
                }
        vall += r * r * r;
        if (active)
            vact += r * r * r;
    }
    free(mask);
    return vall > 0 ? vact / vall : 0.0;
}

/* ---------------------------------------------------------------------------------------------------------- */

/* Defaults are today's generator: the architecture fields are ignored while inactive, and the run's default recipe
 * has none of them on. */
static void test_defaults_unchanged(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_run_params rp = ssb_run_params_default();
    ssb_run_cathode c = default_cathode(ctx, &rp);
    c.dims[0] = c.dims[1] = c.dims[2] = 40;
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    assert_int_equal(p.nphases, 3);
    assert_int_equal(p.matrix_label, SSB_RUN_LABEL_SE);
    assert_true(p.channel_fraction == 0.0);
    for (int i = 0; i < p.nphases; i++) {
        assert_true(p.phase[i].gradient == 0.0);
        assert_int_equal(p.phase[i].shape, SSB_MICRO_PARTICLE_SPHERE);
    }
    ssb_grid *a = new_grid(ctx, 40, 40, 40, c.voxel_size), *b = new_grid(ctx, 40, 40, 40, c.voxel_size);
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, a, &p, NULL));
    /* inactive fields set to other values change nothing */
    ssb_micro_electrode_params q = p;
    q.channel_diameter = 7e-6;
    q.channel_phase = 1;
    q.phase[1].fibre_length = 5e-6;
    q.phase[1].fibre_in_plane = 1;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, b, &q, NULL));
    assert_memory_equal(ssb_grid_get_labels(a), ssb_grid_get_labels(b), (size_t)ssb_grid_get_nvoxels(a));
    ssb_grid_destroy(&a);
    ssb_grid_destroy(&b);
    ssb_ctx_destroy(&ctx);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* vertical channels                                                                                          */

static ssb_micro_electrode_params channel_recipe(double cam, double fc, uint64_t seed)
{
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.nphases = 1;
    p.phase[0].label = 2;
    strcpy(p.phase[0].name, "CAM");
    p.phase[0].fraction = cam;
    p.phase[0].psd.kind = SSB_MICRO_PSD_LOGNORMAL_GSD;
    p.phase[0].psd.d_mean = 4e-6;
    p.phase[0].psd.gsd = 1.3;
    p.matrix_label = 1;
    p.overlap = 0.15;
    p.tolerance = 0.01;
    p.seed = seed;
    p.channel_fraction = fc;
    p.channel_diameter = 6e-6;
    return p;
}

static void test_channels_geometry(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const int64_t n = 48, nz = 32;
    const double h = 0.5e-6;
    ssb_grid *g = new_grid(ctx, n, n, nz, h);
    ssb_micro_electrode_params p = channel_recipe(0.5, 0.25, 3);
    ssb_micro_electrode_result r;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
    /* lattice: pitch 0.5 d sqrt(pi / fc) = 10.6 um in a 24 um box -> 2 x 2 channels; the diameter adjusted so that
     * 4 pi (d/2)^2 = fc (24 um)^2: d = 2 sqrt(0.25 * 144 / pi) um = 6.77 um */
    assert_int_equal(r.nchannels, 4);
    TU_ASSERT_REL(r.channel_diameter, 2e-6 * sqrt(0.25 * 144.0 / 3.14159265358979323846), 1e-12);
    /* voxelised circles of 13.5 voxels across: the area fraction to 3 % */
    assert_true(fabs(r.channel_fraction - 0.25) < 0.03 * 0.25);
    /* every channel is SE through the whole thickness: a column that is SE at z = 0 ... the channel mask columns
     * are SE at every z, and the overall CAM fraction is the target (the composition kept) */
    const uint8_t *lab = ssb_grid_get_labels(g);
    int64_t full_columns = 0;
    for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < n; i++) {
            int all = 1;
            for (int64_t k = 0; k < nz && all; k++)
                all = lab[i + n * (j + n * k)] == 1;
            full_columns += all;
        }
    assert_true((double)full_columns / (double)(n * n) >= r.channel_fraction);
    assert_true(fabs(r.phase[0].fraction - 0.5) <= p.tolerance);
    TU_ASSERT_REL((double)count_label(g, 2) / (double)(n * n * nz), r.phase[0].fraction, 1e-12);
    printf("PASS: channels: %lld of %.3g um, fraction %.4f (target 0.25), SE columns %.4f, CAM %.4f\n",
           (long long)r.nchannels, r.channel_diameter * 1e6, r.channel_fraction,
           (double)full_columns / (double)(n * n), r.phase[0].fraction);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* The composite's ionic tortuosity falls toward 1 with the channel fraction; the channels alone bound the relative
 * conductance from below by their area fraction (parallel straight prisms). CAM 0.55 of the box in every case. */
static void test_channels_tau_trend(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const double fcs[3] = {0.0, 0.15, 0.3};
    double tau[3] = {0, 0, 0};
    const int nseeds = 2;
    for (int c = 0; c < 3; c++) {
        for (int s = 0; s < nseeds; s++) {
            ssb_grid *g = new_grid(ctx, 40, 40, 40, 0.5e-6);
            ssb_micro_electrode_params p = channel_recipe(0.55, fcs[c], 11 + (uint64_t)s);
            ssb_micro_electrode_result r;
            TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
            double rel;
            double t = tau_z(ctx, g, 1, &rel);
            if (fcs[c] > 0)
                assert_true(rel >= 0.98 * r.channel_fraction); /* parallel bound, to the solver's tolerance */
            tau[c] += t / nseeds;
            ssb_grid_destroy(&g);
        }
    }
    printf("PASS: channels: SE tau %.3f / %.3f / %.3f at channel fraction 0 / 0.15 / 0.3 (CAM 0.55)\n", tau[0],
           tau[1], tau[2]);
    assert_true(tau[1] < tau[0] && tau[2] < tau[1]);
    assert_true(tau[2] < 0.5 * (1.0 + tau[0])); /* more than halfway toward 1 at 0.3 */
    ssb_ctx_destroy(&ctx);
}

/* A thick cathode (150 um) discharged at 1C through the whole chain (structure -> networks -> effective
 * properties -> cell) gives more capacity with vertical SE channels (0.25 of the cross-section) than without, at the
 * same overall composition. A small cross-section (32 voxels) keeps it fast. */
static void test_channels_thick_capacity(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_cell_params *cell = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &cell));
    TU_OK(ctx, ssb_cell_params_set(ctx, cell, "positive.thickness_um", 150));
    double cap[2] = {0, 0}, tau[2] = {0, 0};
    for (int c = 0; c < 2; c++) {
        ssb_run_params rp = ssb_run_params_default();
        rp.cross_section = 32;
        rp.nrates = 1;
        rp.rates[0] = 1.0;
        rp.iface_hours = 0;
        rp.channel_fraction = c ? 0.25 : 0.0;
        rp.channel_diameter = 6e-6;
        ssb_run_result res;
        TU_OK(ctx, ssb_run(ctx, NULL, cell, &rp, &res));
        assert_int_equal(res.stage, 4);
        cap[c] = res.points[0].capacity;
        tau[c] = res.ion.tau;
        if (c) /* the recipe the run reports is the one asked for */
            assert_true(res.cathode.channel_fraction == 0.25 && res.gen.nchannels >= 1);
        ssb_run_result_destroy(&res);
    }
    printf("PASS: 150 um cathode at 1C: capacity %.4g -> %.4g C/m2 with channels 0.25 (ionic tau %.3f -> %.3f)\n",
           cap[0], cap[1], tau[0], tau[1]);
    assert_true(tau[1] < tau[0]);
    assert_true(cap[1] > cap[0]);
    ssb_cell_params_destroy(&cell);
    ssb_ctx_destroy(&ctx);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* fibres                                                                                                     */

static ssb_micro_electrode_params carbon_recipe(double vf, int fibre, uint64_t seed)
{
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.nphases = 1;
    p.phase[0].label = 3;
    strcpy(p.phase[0].name, "carbon");
    p.phase[0].role = SSB_ROLE_CARBON;
    p.phase[0].fraction = vf;
    p.phase[0].psd.kind = SSB_MICRO_PSD_MONO;
    p.phase[0].psd.d_mean = 1e-6;
    if (fibre) {
        p.phase[0].shape = SSB_MICRO_PARTICLE_FIBRE;
        p.phase[0].fibre_length = 10e-6;
    }
    p.matrix_label = 1;
    p.overlap = 0.15;
    p.tolerance = 0.005;
    p.seed = seed;
    return p;
}

static int percolates_z(ssb_ctx *ctx, const ssb_grid *g, uint8_t l)
{
    uint8_t set[256] = {0};
    set[l] = 1;
    ssb_micro_percolation pc;
    TU_OK(ctx, ssb_micro_percolation_compute(ctx, g, set, SSB_CONN_6, &pc));
    return pc.percolates[2];
}

/* Fibres of aspect ratio 10 percolate at a carbon fraction where spheres of the same diameter do not. */
static void test_fibres_percolate_earlier(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const int nseeds = 3;
    const double vf = 0.10;
    int perc_fibre = 0, perc_sphere = 0;
    for (int s = 0; s < nseeds; s++) {
        for (int fib = 0; fib < 2; fib++) {
            ssb_grid *g = new_grid(ctx, 64, 64, 64, 0.25e-6);
            ssb_micro_electrode_params p = carbon_recipe(vf, fib, 21 + (uint64_t)s);
            ssb_micro_electrode_result r;
            TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
            assert_true(fabs(r.phase[0].fraction - vf) <= p.tolerance);
            if (fib) {
                /* each fibre holds about pi (0.5)^2 9 + pi/6 = 7.6 um^3; with mutual crossings fewer voxels */
                double v1 = (double)r.phase[0].nvoxels * 0.25e-6 * 0.25e-6 * 0.25e-6 / (double)r.phase[0].nparticles;
                assert_true(v1 < 7.6e-18 * 1.1 && v1 > 7.6e-18 * 0.5);
            }
            int pc = percolates_z(ctx, g, 3);
            if (fib)
                perc_fibre += pc;
            else
                perc_sphere += pc;
            ssb_grid_destroy(&g);
        }
    }
    printf("PASS: carbon %.2f: fibres (AR 10) percolate in %d of %d boxes, spheres in %d\n", vf, perc_fibre, nseeds,
           perc_sphere);
    assert_int_equal(perc_fibre, nseeds);
    assert_int_equal(perc_sphere, 0);
    ssb_ctx_destroy(&ctx);
}

/* In-plane fibres lie in x-y: they percolate in-plane, and a box as thick as one fibre diameter ... every fibre
 * voxel's z spread is at most one diameter around its centre: check through the z extent of single fibres. */
static void test_fibres_in_plane(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_grid *g = new_grid(ctx, 48, 48, 48, 0.25e-6);
    ssb_micro_electrode_params p = carbon_recipe(0.004, 1, 5); /* one fibre: 7.6 um^3 of the 1728 um^3 box */
    p.phase[0].fibre_in_plane = 1;
    p.tolerance = 0.003;
    ssb_micro_electrode_result r;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
    assert_true(r.phase[0].nparticles >= 1);
    /* a single in-plane fibre spans 10 um in-plane but only its 1 um diameter (4 voxels) in z */
    const uint8_t *lab = ssb_grid_get_labels(g);
    int64_t zmin = 48, zmax = -1;
    for (int64_t v = 0; v < 48 * 48 * 48; v++)
        if (lab[v] == 3) {
            int64_t k = v / (48 * 48);
            zmin = k < zmin ? k : zmin;
            zmax = k > zmax ? k : zmax;
        }
    assert_int_equal(r.phase[0].nparticles, 1);
    assert_true(zmax - zmin + 1 <= 4);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* bimodal and graded CAM                                                                                     */

static void test_bimodal_modes(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_run_params rp = ssb_run_params_default();
    rp.cam_small_fraction = 0.3;
    rp.cam_small_diameter = 1.5e-6;
    ssb_run_cathode c = default_cathode(ctx, &rp);
    assert_true(c.cam_small_fraction == 0.3 && c.cam_small_diameter == 1.5e-6);
    c.dims[0] = c.dims[1] = c.dims[2] = 48;
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    /* two modes of one label: the large 0.7, the small 0.3 of the CAM, which the cell gives */
    assert_int_equal(p.phase[0].label, SSB_RUN_LABEL_CAM);
    assert_int_equal(p.phase[1].label, SSB_RUN_LABEL_CAM);
    TU_ASSERT_REL(p.phase[0].fraction + p.phase[1].fraction, c.cam_fraction, 1e-15);
    TU_ASSERT_REL(p.phase[1].fraction, 0.3 * c.cam_fraction, 1e-15);
    assert_true(p.phase[1].psd.d_mean == 1.5e-6 && p.phase[0].psd.d_mean == c.cam_diameter);
    ssb_grid *g = new_grid(ctx, 48, 48, 48, c.voxel_size);
    ssb_micro_electrode_result r;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
    for (int m = 0; m < 2; m++) {
        assert_true(fabs(r.phase[m].fraction - p.phase[m].fraction) <= p.tolerance);
        /* each mode's placed particles have its mean diameter (truncated lognormal, to 10 %) */
        assert_true(fabs(r.phase[m].mean_diameter / r.phase[m].psd_mean - 1.0) < 0.1);
    }
    TU_ASSERT_REL((double)count_label(g, SSB_RUN_LABEL_CAM), (double)(r.phase[0].nvoxels + r.phase[1].nvoxels),
                  1e-15);
    printf("PASS: bimodal CAM: large %.4f (target %.4f, %.2f um), small %.4f (target %.4f, %.2f um)\n",
           r.phase[0].fraction, p.phase[0].fraction, r.phase[0].mean_diameter * 1e6, r.phase[1].fraction,
           p.phase[1].fraction, r.phase[1].mean_diameter * 1e6);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Graded CAM: the fraction per slab follows f (1 + g (1/2 - z/L)); the mean is the target. */
static void test_gradient_slabs(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const int64_t n = 40, nz = 96, nslab = 4;
    const double f = 0.45, gr = 0.6;
    double slab[4] = {0, 0, 0, 0};
    const int nseeds = 2;
    for (int s = 0; s < nseeds; s++) {
        ssb_grid *g = new_grid(ctx, n, n, nz, 0.5e-6);
        ssb_micro_electrode_params p = channel_recipe(f, 0.0, 31 + (uint64_t)s);
        p.phase[0].psd.d_mean = 3e-6;
        p.phase[0].gradient = gr;
        ssb_micro_electrode_result r;
        TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
        assert_true(fabs(r.phase[0].fraction - f) <= p.tolerance);
        const uint8_t *lab = ssb_grid_get_labels(g);
        for (int64_t v = 0; v < n * n * nz; v++)
            if (lab[v] == 2)
                slab[(v / (n * n)) * nslab / nz] += 1.0 / (double)(n * n * nz / nslab) / nseeds;
        ssb_grid_destroy(&g);
    }
    printf("PASS: graded CAM (mean %.2f, gradient %.1f): slabs", f, gr);
    for (int k = 0; k < nslab; k++) {
        double zc = (k + 0.5) / (double)nslab, want = f * (1.0 + gr * (0.5 - zc));
        printf(" %.3f (%.3f)", slab[k], want);
        assert_true(fabs(slab[k] - want) < 0.02);
    }
    printf("\n");
    assert_true(slab[0] > slab[1] && slab[1] > slab[2] && slab[2] > slab[3]);
    ssb_ctx_destroy(&ctx);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* SE particles                                                                                               */

/* The run recipe with SE particles: the SE a lognormal phase, the voids the matrix; the fractions handed over are
 * the cell's. */
static void test_se_particles_recipe(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_run_params rp = ssb_run_params_default();
    rp.se_diameter = 2e-6;
    ssb_run_cathode c = default_cathode(ctx, &rp);
    c.dims[0] = c.dims[1] = c.dims[2] = 40;
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    assert_int_equal(p.matrix_label, SSB_RUN_LABEL_PORE);
    assert_int_equal(p.matrix_role, SSB_ROLE_PORE);
    int se = -1;
    for (int i = 0; i < p.nphases; i++)
        if (p.phase[i].label == SSB_RUN_LABEL_SE)
            se = i;
    assert_true(se >= 0);
    TU_ASSERT_REL(p.phase[se].fraction, 1 - c.cam_fraction - c.carbon_fraction - c.pore_fraction, 1e-15);
    assert_true(p.phase[se].psd.d_mean == 2e-6 && p.phase[se].psd.gsd == c.cam_gsd);
    ssb_grid *g = new_grid(ctx, 40, 40, 40, c.voxel_size);
    ssb_micro_electrode_result r;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, &r));
    for (int i = 0; i < p.nphases; i++)
        assert_true(fabs(r.phase[i].fraction - p.phase[i].fraction) <= p.tolerance);
    assert_true(fabs(r.matrix_fraction - c.pore_fraction) <= 2 * p.tolerance);
    printf("PASS: SE particles (2 um): SE %.4f, voids %.4f (cell %.4f), SE overlap rule %.2f\n",
           r.phase[se].fraction, r.matrix_fraction, c.pore_fraction, r.phase[se].overlap);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* The resolution check measures the SE particles (not the void matrix) when the SE is a particle phase: its tau at h
 * is the SE tau of the same structure generated here. */
static void test_se_particles_resolution_check(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_run_params rp = ssb_run_params_default();
    rp.se_diameter = 2e-6;
    ssb_run_cathode c = default_cathode(ctx, &rp);
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    const int64_t dims[3] = {32, 32, 32};
    ssb_micro_resolution_params cp = ssb_micro_resolution_params_default();
    cp.box_factor = 1.0;
    ssb_micro_resolution_result rr;
    TU_OK(ctx, ssb_micro_resolution_check(ctx, &p, dims, c.voxel_size, &cp, &rr));
    ssb_grid *g = new_grid(ctx, 32, 32, 32, c.voxel_size);
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, NULL));
    double t = tau_z(ctx, g, SSB_RUN_LABEL_SE, NULL);
    assert_true(isfinite(t) && isfinite(rr.tau[0]));
    TU_ASSERT_REL(rr.tau[0], t, 1e-9);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

/* Smaller SE particles relative to the CAM raise the active CAM fraction and lower the composite's ionic
 * tortuosity (Bielefeld et al. 2019, 2020), averaged over seeds, at a fixed composition: CAM 0.55 (5 um),
 * carbon 0.03, voids 0.10, SE 0.32 as particles of 1.5 um (SE/CAM ratio 0.3) and of 6 um (ratio 1.2). Active CAM
 * is counted per particle (ionic_active_share). */
static void test_se_size_ratio_trend(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    const double dse[2] = {1.5e-6, 6e-6};
    double act[2] = {0, 0}, tau[2] = {0, 0};
    const int nseeds = 3;
    for (int k = 0; k < 2; k++) {
        for (int s = 0; s < nseeds; s++) {
            ssb_run_params rp = ssb_run_params_default();
            rp.se_diameter = dse[k];
            rp.seed = 41 + (uint64_t)s;
            ssb_run_cathode c = default_cathode(ctx, &rp);
            c.cam_fraction = 0.55;
            c.pore_fraction = 0.10;
            c.dims[0] = c.dims[1] = 48;
            c.dims[2] = 64;
            ssb_grid *g = new_grid(ctx, c.dims[0], c.dims[1], c.dims[2], c.voxel_size);
            ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
            ssbi_sphere *sp = NULL;
            int64_t nsp = 0;
            ssb_micro_electrode_result r;
            TU_OK(ctx, ssbi_electrode_generate(ctx, g, &p, &r, &sp, &nsp));
            for (int i = 0; i < p.nphases; i++) /* the composition is the same in every structure */
                assert_true(fabs(r.phase[i].fraction - p.phase[i].fraction) <= p.tolerance);
            act[k] += ionic_active_share(ctx, g, sp, nsp, SSB_RUN_LABEL_CAM, SSB_RUN_LABEL_SE) / nseeds;
            free(sp);
            tau[k] += tau_z(ctx, g, SSB_RUN_LABEL_SE, NULL) / nseeds;
            ssb_grid_destroy(&g);
        }
    }
    printf("PASS: SE/CAM size ratio 0.3 vs 1.2: ionically active CAM %.3f vs %.3f, SE tau %.3f vs %.3f\n", act[0],
           act[1], tau[0], tau[1]);
    assert_true(act[0] > act[1]);
    assert_true(tau[0] < tau[1]);
    ssb_ctx_destroy(&ctx);
}

/* ---------------------------------------------------------------------------------------------------------- */
/* run keys                                                                                                   */

static void test_run_keys(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_run_params rp = ssb_run_params_default();
    const char *ok = "{\"microstructure\": {\"se_diameter_um\": 2, \"channel_fraction\": 0.2, "
                     "\"channel_diameter_um\": 8, \"carbon_shape\": \"fibre\", \"fibre_length_um\": 12, "
                     "\"cam_small_fraction\": 0.25, \"cam_small_diameter_um\": 1.5, \"cam_gradient\": -0.4}}";
    TU_OK(ctx, ssb_run_params_from_json_string(ctx, ok, "t", &rp));
    assert_true(rp.se_diameter == 2e-6 && rp.channel_fraction == 0.2 && rp.channel_diameter == 8e-6);
    assert_int_equal(rp.carbon_shape, SSB_MICRO_PARTICLE_FIBRE);
    assert_true(rp.fibre_length == 12e-6 && rp.cam_small_fraction == 0.25 && rp.cam_small_diameter == 1.5e-6);
    assert_true(rp.cam_gradient == -0.4);
    /* each key acts: it reaches the generator's params */
    ssb_run_cathode c = default_cathode(ctx, &rp);
    c.dims[0] = c.dims[1] = c.dims[2] = 64;
    ssb_micro_electrode_params p = ssb_run_cathode_electrode_params(&c);
    assert_true(p.channel_fraction == 0.2 && p.channel_diameter == 8e-6);
    int nse = 0, nfib = 0, ncam = 0;
    for (int i = 0; i < p.nphases; i++) {
        if (p.phase[i].label == SSB_RUN_LABEL_SE) {
            nse++;
            assert_int_equal(p.channel_phase, i);
            assert_true(p.phase[i].psd.d_mean == 2e-6);
        }
        if (p.phase[i].shape == SSB_MICRO_PARTICLE_FIBRE) {
            nfib++;
            assert_true(p.phase[i].fibre_length == 12e-6);
        }
        if (p.phase[i].label == SSB_RUN_LABEL_CAM) {
            ncam++;
            assert_true(p.phase[i].gradient == -0.4);
        }
    }
    assert_int_equal(nse, 1);
    assert_int_equal(nfib, 1);
    assert_int_equal(ncam, 2);
    /* out of range -> SSB_ERR_RANGE naming the key */
    static const char *const bad[] = {
        "{\"microstructure\": {\"channel_fraction\": 0.6}}", "{\"microstructure\": {\"cam_gradient\": 1.5}}",
        "{\"microstructure\": {\"se_diameter_um\": 0.01}}",  "{\"microstructure\": {\"carbon_shape\": \"tube\"}}",
        "{\"microstructure\": {\"cam_small_fraction\": 1}}", "{\"microstructure\": {\"fibre_length_um\": 0}}",
    };
    static const char *const key[] = {"channel_fraction", "cam_gradient", "se_diameter_um",
                                      "carbon_shape", "cam_small_fraction", "fibre_length_um"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ssb_run_params q = ssb_run_params_default();
        /* a word outside its choices is an invalid value (exit 4), a number outside its range exit 7 */
        int want = strcmp(key[i], "carbon_shape") == 0 ? SSB_ERR_ARG : SSB_ERR_RANGE;
        assert_int_equal(ssb_run_params_from_json_string(ctx, bad[i], "t", &q), want);
        assert_non_null(strstr(ssb_ctx_get_error(ctx), key[i]));
    }
    /* composition: SE particles need voids; the channels cannot exceed the SE */
    ssb_cell_params *cell = NULL;
    TU_OK(ctx, ssb_cell_params_default(ctx, NULL, &cell));
    ssb_cell_values v;
    ssb_cell_params_get_values(cell, &v);
    ssb_cell_params_destroy(&cell);
    ssb_run_params q = ssb_run_params_default();
    q.channel_fraction = 0.4; /* the default cell holds 0.32 SE */
    assert_int_equal(ssb_run_cathode_from_cell(ctx, &v, &q, &c), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "channel_fraction"));
    q = ssb_run_params_default();
    q.se_diameter = 2e-6;
    v.pos.porosity = 0;
    assert_int_equal(ssb_run_cathode_from_cell(ctx, &v, &q, &c), SSB_ERR_RANGE);
    assert_non_null(strstr(ssb_ctx_get_error(ctx), "se_diameter_um"));
    ssb_ctx_destroy(&ctx);
}

static void test_generator_errors(void **state)
{
    (void)state;
    ssb_ctx *ctx = new_ctx();
    ssb_grid *g = new_grid(ctx, 24, 24, 24, 0.5e-6);
    ssb_micro_electrode_params p = carbon_recipe(0.05, 1, 1);
    p.phase[0].fibre_length = 0.5e-6; /* shorter than its diameter */
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_RANGE);
    p.phase[0].fibre_length = 13e-6; /* longer than the 12 um box */
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_RANGE);
    p = channel_recipe(0.3, 0.2, 1);
    p.phase[0].gradient = -1.2;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_RANGE);
    p = channel_recipe(0.3, 0.7, 1);
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_RANGE);
    p = channel_recipe(0.3, 0.2, 1);
    p.channel_phase = 3;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_ARG);
    p = channel_recipe(0.3, 0.2, 1);
    p.channel_phase = 0; /* the channels would hold more of the CAM than its fraction */
    p.phase[0].fraction = 0.1;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_RANGE);
    /* a shared label needs the same name and role */
    p = channel_recipe(0.3, 0.0, 1);
    p.nphases = 2;
    p.phase[1] = p.phase[0];
    p.phase[1].fraction = 0.1;
    TU_OK(ctx, ssb_micro_generate_electrode(ctx, g, &p, NULL));
    p.phase[1].role = SSB_ROLE_CARBON;
    assert_int_equal(ssb_micro_generate_electrode(ctx, g, &p, NULL), SSB_ERR_ARG);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_unchanged),     cmocka_unit_test(test_channels_geometry),
        cmocka_unit_test(test_channels_tau_trend),     cmocka_unit_test(test_fibres_percolate_earlier),
        cmocka_unit_test(test_fibres_in_plane),        cmocka_unit_test(test_bimodal_modes),
        cmocka_unit_test(test_gradient_slabs),         cmocka_unit_test(test_se_particles_recipe),
        cmocka_unit_test(test_se_size_ratio_trend),    cmocka_unit_test(test_run_keys),
        cmocka_unit_test(test_generator_errors),        cmocka_unit_test(test_channels_thick_capacity),
        cmocka_unit_test(test_se_particles_resolution_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
