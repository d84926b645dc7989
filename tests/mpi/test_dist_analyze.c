/* Distributed 'micro analyze' (ssb_dist_analyze_file) against the serial library on the whole image, run by ctest
 * under mpiexec with 1, 2, 3 and 4 ranks:
 * - TauFactor's electrode.tiff (tests/reference/microstructure/taufactor, 3 labels) with the README's phase map
 *   (pore, NCM811 active, CBD carbon: no electrolyte, so no CAM is active) and with the pore as the solid
 *   electrolyte (the ionic network crosses the slab boundaries);
 * - a small generated cathode (NCM811 + carbon in Li6PS5Cl) with the current collector at low z and at high x;
 * - random two-label fields near the 18- and 26-connected percolation thresholds, with conn 6, 18 and 26;
 * every rank holds the same results; compared with the serial ones on rank 0: label counts, percolating /
 * dead-end / isolated voxels per label and axis, face counts per pair, CAM classes, particles and network counts
 * (exactly, and the fractions made from them bit for bit); interface areas
 * (face counting and marching cubes, the CAM|SE areas) to 1e-12 relative (the ranks add the same terms in another
 * order).
 * - the labels present over all ranks (ssb_dist_histogram_file) equal the serial histogram on an image whose label
 *   9 occurs only in the last plane (the phase-table defect: the table was built from the first plane);
 * - the per-voxel CAM classes gathered onto rank 0 (want_classes) equal to ssb_micro_cam_classify's;
 * - one plane per rank but the first (the marching cubes continued to the image's top face where the halo reaches it);
 * - bad input: more ranks than planes, a slab that does not fit the memory (SSBNET_DIST_MEM_BYTES), connectivity 8,
 *   all refused on every rank before the analysis, with a message naming the values.
 * Plain C with MPI: each rank prints its failures and the test exits non-zero on every rank. */
#include "testutil.h"

#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_micro_gen.h>

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_test.h"

#define EQ_I(a, b, what) CHECK((a) == (b), "%s: %lld (ranks) vs %lld (serial)", what, (long long)(a), (long long)(b))
#define EQ_D(a, b, what) CHECK((a) == (b), "%s: %.17g (ranks) vs %.17g (serial)", what, (double)(a), (double)(b))
#define REL(a, b, what)                                                                                            \
    CHECK((isnan(a) && isnan(b)) || fabs((a) - (b)) <= 1e-12 * fabs(b),                                         \
          "%s: %.17g (ranks) vs %.17g (serial), rel %.3g", what, (double)(a),                                      \
          (double)(b), fabs((a) - (b)) / fabs(b))

/* an unresolved marching-cubes area (NaN, see ssbi_ma_mc_pair_area) as a marker far above any area in m^2, so
 * that digests of equal results compare equal */
static double nan_mark(double a)
{
    return isnan(a) ? 0.5 : a;
}

static void cmp_area(const ssb_micro_area *d, const ssb_micro_area *s, const char *what)
{
    CHECK((d->method == NULL) == (s->method == NULL) && (!s->method || strcmp(d->method, s->method) == 0),
          "%s: method %s vs %s", what, d->method ? d->method : "-", s->method ? s->method : "-");
    REL(d->area, s->area, what);
    REL(d->per_volume, s->per_volume, what);
}

/* The serial results of g and the distributed ones of path (the same image) with the same options. */
static void compare(ssb_ctx *ctx, const ssb_grid *g, const char *path, const ssb_io_read_params *rp,
                    const ssb_dist_analyze_params *dp, const char *name)
{
    ssb_dist_analysis d;
    int rc = ssb_dist_analyze_file(ctx, path, rp, g, dp, &d);
    CHECK(rc == SSB_OK, "%s: ssb_dist_analyze_file: %s", name, ssb_ctx_get_error(ctx));
    if (rc != SSB_OK)
        return;
    EQ_I(d.ranks, size, "ranks");
    /* every rank holds the same results (a digest, max = min over the ranks); the serial reference on rank 0 only */
    {
        double dg[4] = {0, 0, 0, 0}, mx[4], mn[4];
        for (int k = 0; k < 256; k++) {
            dg[0] += (double)d.fractions.label_count[k] * (k + 1);
            for (int a = 0; a < 3 && d.fractions.label_count[k] > 0; a++)
                dg[1] += (double)(d.percolation[k].n_percolating[a] * 3 + d.percolation[k].n_dead_end[a]) * (a + 1);
        }
        for (int i = 0; i < d.interfaces.npairs; i++)
            dg[2] += d.interfaces.pairs[i].face.area + nan_mark(d.interfaces.pairs[i].mc.area);
        dg[3] = (double)d.cam.n_active + nan_mark(d.cam.cam_se_mc.area) + (double)d.cam.n_particles;
        MPI_Allreduce(dg, mx, 4, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        MPI_Allreduce(dg, mn, 4, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
        for (int k = 0; k < 4; k++)
            CHECK(mx[k] == mn[k], "%s: results differ between the ranks (digest %d: %.17g to %.17g)", name, k, mn[k],
                  mx[k]);
    }
    if (rank != 0) {
        ssb_dist_analysis_destroy(&d);
        return;
    }
    int64_t dims[3];
    ssb_grid_get_dims(g, dims);
    for (int k = 0; k < 3; k++)
        EQ_I(d.dims[k], dims[k], "dims");
    ssb_micro_fractions fr;
    CHECK(ssb_micro_fractions_compute(ctx, g, &fr) == SSB_OK, "serial fractions");
    EQ_I(d.fractions.nvoxels, fr.nvoxels, "nvoxels");
    EQ_D(d.fractions.box_volume, fr.box_volume, "box volume");
    int nl = 0;
    for (int k = 0; k < 256; k++) {
        EQ_I(d.fractions.label_count[k], fr.label_count[k], "label count");
        EQ_D(d.fractions.label_fraction[k], fr.label_fraction[k], "label fraction");
        if (fr.label_count[k] == 0)
            continue;
        nl++;
        uint8_t set[256] = {0};
        set[k] = 1;
        ssb_micro_percolation p;
        CHECK(ssb_micro_percolation_compute(ctx, g, set, dp->conn, &p) == SSB_OK, "serial percolation");
        const ssb_micro_percolation *q = &d.percolation[k];
        EQ_I(q->n_set, p.n_set, "n_set");
        for (int a = 0; a < 3; a++) {
            char w[96];
            snprintf(w, sizeof w, "%s label %d axis %d percolating", name, k, a);
            EQ_I(q->n_percolating[a], p.n_percolating[a], w);
            EQ_I(q->n_dead_end[a], p.n_dead_end[a], "dead-end");
            EQ_I(q->n_isolated[a], p.n_isolated[a], "isolated");
            EQ_I(q->percolates[a], p.percolates[a], "percolates");
            EQ_D(q->percolating_fraction[a], p.percolating_fraction[a], "percolating fraction");
            EQ_D(q->dead_end_fraction[a], p.dead_end_fraction[a], "dead-end fraction");
            EQ_D(q->isolated_fraction_total[a], p.isolated_fraction_total[a], "isolated fraction of the total");
        }
    }
    for (int r = 0; r < SSB_ROLE_COUNT; r++)
        EQ_I(d.fractions.role_count[r], fr.role_count[r], "role count");
    /* interfaces */
    ssb_micro_area_params ap = dp->cam.area;
    ssb_micro_interfaces si;
    CHECK(ssb_micro_interfaces_compute(ctx, g, &ap, &si) == SSB_OK, "serial interfaces");
    EQ_I(d.interfaces.nlabels, si.nlabels, "nlabels");
    EQ_I(d.interfaces.npairs, si.npairs, "npairs");
    EQ_I(si.nlabels, nl, "labels present");
    for (int i = 0; i < si.npairs && i < d.interfaces.npairs; i++) {
        const ssb_micro_interface *a = &d.interfaces.pairs[i], *b = &si.pairs[i];
        char w[96];
        snprintf(w, sizeof w, "%s pair %d|%d", name, b->label_a, b->label_b);
        EQ_I(a->label_a, b->label_a, w);
        EQ_I(a->label_b, b->label_b, w);
        for (int k = 0; k < 3; k++)
            EQ_I(a->nfaces[k], b->nfaces[k], w);
        EQ_D(a->face.area, b->face.area, w); /* the same integer counts times the same face areas */
        if (b->mc.method)
            cmp_area(&a->mc, &b->mc, w);
        else
            CHECK(a->mc.method == NULL, "%s: marching cubes computed over ranks only", w);
    }
    for (int i = 0; i < si.nlabels && i < d.interfaces.nlabels; i++) {
        REL(d.interfaces.surfaces[i].face.area, si.surfaces[i].face.area, "surface face count");
        if (si.surfaces[i].mc.method)
            cmp_area(&d.interfaces.surfaces[i].mc, &si.surfaces[i].mc, "surface marching cubes");
    }
    ssb_micro_interfaces_destroy(&si);
    /* composite electrode */
    EQ_I(d.has_cam, fr.role_count[SSB_ROLE_ACTIVE] > 0, "has_cam");
    if (fr.role_count[SSB_ROLE_ACTIVE] > 0 && d.has_cam) {
        ssb_micro_cam_result c;
        CHECK(ssb_micro_cam_compute(ctx, g, &dp->cam, &c) == SSB_OK, "serial CAM");
        const ssb_micro_cam_result *e = &d.cam;
        EQ_I(e->n_cam, c.n_cam, "n_cam");
        EQ_I(e->n_particles, c.n_particles, "CAM particles");
        EQ_I(e->n_particles_active, c.n_particles_active, "active particles");
        EQ_I(e->n_active, c.n_active, "active CAM voxels");
        EQ_I(e->n_dead_no_e, c.n_dead_no_e, "dead, no e-");
        EQ_I(e->n_dead_no_li, c.n_dead_no_li, "dead, no Li+");
        EQ_I(e->n_dead_neither, c.n_dead_neither, "dead, neither");
        EQ_D(e->active_fraction, c.active_fraction, "active fraction");
        EQ_D(e->dead_no_li_fraction, c.dead_no_li_fraction, "dead no-Li fraction");
        EQ_I(e->n_electronic, c.n_electronic, "electronic voxels");
        EQ_I(e->n_e_connected, c.n_e_connected, "e-connected voxels");
        EQ_I(e->n_ionic, c.n_ionic, "ionic voxels");
        EQ_I(e->n_li_connected, c.n_li_connected, "Li-connected voxels");
        EQ_I(e->electronic_percolates, c.electronic_percolates, "electronic percolates");
        EQ_I(e->ionic_percolates, c.ionic_percolates, "ionic percolates");
        EQ_D(e->electronic_percolating_fraction, c.electronic_percolating_fraction, "electronic percolating");
        EQ_D(e->ionic_percolating_fraction, c.ionic_percolating_fraction, "ionic percolating");
        EQ_D(e->cam_se.area, c.cam_se.area, "CAM|SE faces");
        EQ_D(e->active_cam_se.area, c.active_cam_se.area, "active CAM|SE faces");
        EQ_D(e->cam_carbon.area, c.cam_carbon.area, "CAM|carbon faces");
        if (c.cam_se_mc.method) {
            cmp_area(&e->cam_se_mc, &c.cam_se_mc, "CAM|SE marching cubes");
            cmp_area(&e->active_cam_se_mc, &c.active_cam_se_mc, "active CAM|SE mc-corrected");
            REL(e->mc_face_ratio, c.mc_face_ratio, "mc/face ratio");
        }
        if (rank == 0 && e->n_ionic > 0)
            printf("%s: %d ranks: active CAM %.6f (%lld of %lld particles), CAM|SE %.6g 1/m\n", name, size,
                   e->active_fraction, (long long)e->n_particles_active, (long long)e->n_particles,
                   e->cam_se.per_volume);
    }
    ssb_dist_analysis_destroy(&d);
}

/* Rank 0 writes g to path (a TIFF stack) for all ranks to read. */
/* The per-voxel CAM classes over the ranks (want_classes): on rank 0 those of ssb_micro_cam_classify on the whole
 * image, voxel for voxel; NULL on the other ranks. */
static void compare_classes(ssb_ctx *ctx, const ssb_grid *g, const char *path, ssb_dist_analyze_params dp,
                            const char *name)
{
    dp.want_classes = 1;
    ssb_dist_analysis d;
    int rc = ssb_dist_analyze_file(ctx, path, NULL, g, &dp, &d);
    CHECK(rc == SSB_OK, "%s: classes: %s", name, ssb_ctx_get_error(ctx));
    if (rc != SSB_OK)
        return;
    CHECK((rank == 0) == (d.classes != NULL), "%s: classes on rank 0 only", name);
    if (rank == 0 && d.classes) {
        const int64_t nv = ssb_grid_get_nvoxels(g);
        uint8_t *s = malloc((size_t)nv);
        CHECK(s && ssb_micro_cam_classify(ctx, g, &dp.cam, s, NULL) == SSB_OK, "%s: serial classes", name);
        int64_t diff = 0, active = 0;
        for (int64_t v = 0; s && v < nv; v++) {
            diff += d.classes[v] != s[v];
            active += s[v] == 1;
        }
        CHECK(diff == 0 && active > 0, "%s: %lld of %lld voxels in another class (%lld active)", name,
              (long long)diff, (long long)nv, (long long)active);
        free(s);
    }
    ssb_dist_analysis_destroy(&d);
}

static void write_shared(ssb_ctx *ctx, const ssb_grid *g, const char *path)
{
    if (rank == 0) {
        ssb_io_write_params wp = ssb_io_write_params_default();
        CHECK(ssb_io_write_image(ctx, path, g, &wp) == SSB_OK, "write %s", path);
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

static void set_phase(ssb_ctx *ctx, ssb_grid *g, int label, const char *name, ssb_phase_role role)
{
    ssb_phase ph;
    memset(&ph, 0, sizeof ph);
    ph.label = (uint8_t)label;
    snprintf(ph.name, sizeof ph.name, "%s", name);
    ph.role = role;
    CHECK(ssb_grid_set_phase(ctx, g, &ph) == SSB_OK, "phase %d", label);
}

static void check_electrode(ssb_ctx *ctx)
{
    const char *path = tu_ref("microstructure/taufactor/electrode.tiff");
    ssb_grid *g = NULL;
    if (ssb_io_read_image(ctx, path, NULL, &g) != SSB_OK) {
        CHECK(0, "read %s: %s", path, ssb_ctx_get_error(ctx));
        return;
    }
    const double h[3] = {0.4e-6, 0.4e-6, 0.4e-6};
    ssb_grid_set_voxel_size(ctx, g, h);
    /* the README's phase map: '0=pore:pore,85=NCM811:active,170=CBD:carbon' */
    set_phase(ctx, g, 0, "pore", SSB_ROLE_PORE);
    set_phase(ctx, g, 85, "NCM811", SSB_ROLE_ACTIVE);
    set_phase(ctx, g, 170, "CBD", SSB_ROLE_CARBON);
    ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
    compare(ctx, g, path, NULL, &dp, "electrode.tiff (README map)");
    /* the pore as the electrolyte: an ionic network; current collector at high z (face counting only: the marching
       cubes of this image were compared above, and the test stays quick) */
    set_phase(ctx, g, 0, "LPSCl", SSB_ROLE_SE);
    dp.cam.cc_side = SSB_MICRO_SIDE_HIGH;
    dp.cam.area.marching_cubes = 0;
    dp.conn = SSB_CONN_18;
    compare(ctx, g, path, NULL, &dp, "electrode.tiff (pore = SE, 18-connected)");
    ssb_grid_destroy(&g);
}

static void check_generated(ssb_ctx *ctx, const char *dir)
{
    ssb_grid *g = NULL;
    const double h = 0.5e-6;
    if (ssb_grid_create(ctx, 40, 36, 44, h, h, h, &g) != SSB_OK)
        return;
    ssb_micro_electrode_params p = ssb_micro_electrode_params_default();
    p.nphases = 2;
    p.phase[0].label = 7;
    strcpy(p.phase[0].name, "carbon");
    p.phase[0].role = SSB_ROLE_CARBON;
    p.phase[0].fraction = 0.05;
    p.phase[0].psd.kind = SSB_MICRO_PSD_MONO;
    p.phase[0].psd.d_mean = 1.5e-6;
    p.phase[1].label = 3;
    strcpy(p.phase[1].name, "NCM811");
    p.phase[1].role = SSB_ROLE_ACTIVE;
    p.phase[1].fraction = 0.55;
    p.phase[1].psd.kind = SSB_MICRO_PSD_MONO;
    p.phase[1].psd.d_mean = 4e-6;
    p.matrix_label = 1;
    strcpy(p.matrix_name, "Li6PS5Cl");
    p.matrix_role = SSB_ROLE_SE;
    p.seed = 13;
    int rc = ssb_micro_generate_electrode(ctx, g, &p, NULL);
    CHECK(rc == SSB_OK, "generate: %s", ssb_ctx_get_error(ctx));
    char path[512];
    snprintf(path, sizeof path, "%s/cathode.tif", dir);
    write_shared(ctx, g, path);
    ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
    compare(ctx, g, path, NULL, &dp, "generated cathode, cc low z");
    compare_classes(ctx, g, path, dp, "generated cathode, cc low z");
    dp.cam.axis = SSB_AXIS_X;
    dp.cam.cc_side = SSB_MICRO_SIDE_HIGH;
    dp.cam.area.mc_sigma = 0.0; /* marching cubes of the binary field (no smoothing, no second halo plane read) */
    dp.conn = SSB_CONN_26;      /* percolation with edge and corner neighbours, also across the slab faces */
    compare(ctx, g, path, NULL, &dp, "generated cathode, cc high x, binary-field marching cubes, 26-connected");
    ssb_grid_destroy(&g);
}

/* Random fields near the site-percolation thresholds of 18- and 26-connectivity (simple cubic: about 0.137 and
 * 0.097; Jerauld et al. 1984 / Kurzawski & Malarz 2012), where the clusters that cross the slab faces only through
 * edges and corners decide: percolation of both labels along x, y and z with conn 6, 18 and 26. */
static void check_random(ssb_ctx *ctx, const char *dir)
{
    const double ps[2] = {0.14, 0.10};
    for (int i = 0; i < 2; i++) {
        ssb_grid *g = NULL;
        if (ssb_grid_create(ctx, 30, 26, 33, 1e-6, 1e-6, 1e-6, &g) != SSB_OK)
            return;
        ssb_rng r;
        ssb_rng_seed(&r, 77 + (uint64_t)i);
        uint8_t *lab = ssb_grid_get_labels(g);
        for (int64_t v = 0; v < 30 * 26 * 33; v++)
            lab[v] = ssb_rng_uniform(&r) < ps[i] ? 1 : 0;
        set_phase(ctx, g, 0, "matrix", SSB_ROLE_PORE);
        set_phase(ctx, g, 1, "sites", SSB_ROLE_CARBON);
        char path[512];
        snprintf(path, sizeof path, "%s/random%d.tif", dir, i);
        write_shared(ctx, g, path);
        ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
        dp.cam.area.marching_cubes = 0;
        const ssb_connectivity conns[3] = {SSB_CONN_6, SSB_CONN_18, SSB_CONN_26};
        for (int c = 0; c < 3; c++) {
            dp.conn = conns[c];
            char name[64];
            snprintf(name, sizeof name, "random p = %.2f, %d-connected", ps[i], (int)conns[c]);
            compare(ctx, g, path, NULL, &dp, name);
        }
        ssb_grid_destroy(&g);
    }
}

/* One plane per rank but the first (nz = ranks + 1): the rank owning the image's last plane but one reads that last
 * plane as its one halo plane above, so its local array ends at the image's top face; the marching-cubes surface is
 * continued to that face there (it was not: the flag came from "no halo plane above", and on a 31 x 29 x 5 field the
 * areas over 3, 4 and 5 ranks were 8 % below the serial ones). Three phases, CAM analysis, smoothed and binary
 * fields. */
static void check_thin(ssb_ctx *ctx, const char *dir)
{
    const double upto[3] = {0.3, 0.75, 1.0};
    const uint8_t labels[3] = {0, 1, 2};
    ssb_grid *g = random_labels(ctx, 17, 13, size + 1, 3, upto, labels, 2026);
    if (!g)
        return;
    set_phase(ctx, g, 0, "pore", SSB_ROLE_PORE);
    set_phase(ctx, g, 1, "NCM811", SSB_ROLE_ACTIVE);
    set_phase(ctx, g, 2, "Li6PS5Cl", SSB_ROLE_SE);
    char path[512];
    snprintf(path, sizeof path, "%s/thin.tif", dir);
    write_shared(ctx, g, path);
    ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
    compare(ctx, g, path, NULL, &dp, "thin slabs (one plane per rank), smoothed marching cubes");
    dp.cam.area.mc_sigma = 0.0;
    dp.cam.cc_side = SSB_MICRO_SIDE_HIGH;
    compare(ctx, g, path, NULL, &dp, "thin slabs (one plane per rank), binary marching cubes, cc high z");
    compare_classes(ctx, g, path, dp, "thin slabs, cc high z");
    ssb_grid_destroy(&g);
}

/* Label 9 only in the last plane: the labels over all ranks are those of the whole image. */
static void check_histogram(ssb_ctx *ctx, const char *dir)
{
    const int64_t nx = 6, ny = 5, nz = 4 + size;
    ssb_grid *g = NULL;
    if (ssb_grid_create(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6, &g) != SSB_OK)
        return;
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t v = 0; v < nx * ny * nz; v++)
        lab[v] = (uint8_t)(v % 3 == 0);
    lab[nx * ny * (nz - 1) + 7] = 9;
    char path[512];
    snprintf(path, sizeof path, "%s/last9.tif", dir);
    write_shared(ctx, g, path);
    int64_t hs[256], hd[256];
    ssb_grid_histogram(g, hs);
    int rc = ssb_dist_histogram_file(ctx, path, NULL, hd);
    CHECK(rc == SSB_OK, "histogram: %s", ssb_ctx_get_error(ctx));
    for (int k = 0; rc == SSB_OK && k < 256; k++)
        EQ_I(hd[k], hs[k], "label count over the ranks");
    CHECK(rc != SSB_OK || hd[9] == 1, "label 9 of the last plane: %lld voxels", (long long)hd[9]);
    ssb_grid_destroy(&g);
}

static void check_bad_input(ssb_ctx *ctx, const char *dir)
{
    ssb_grid *g = NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.tif", dir);
    if (ssb_grid_create(ctx, 8, 8, size > 1 ? size - 1 : 4, 1e-6, 1e-6, 1e-6, &g) != SSB_OK)
        return;
    set_phase(ctx, g, 0, "pore", SSB_ROLE_PORE);
    write_shared(ctx, g, path);
    ssb_dist_analysis d;
    ssb_dist_analyze_params dp = ssb_dist_analyze_params_default();
    int rc;
    if (size > 1) { /* more ranks than planes */
        rc = ssb_dist_analyze_file(ctx, path, NULL, g, &dp, &d);
        CHECK(rc == SSB_ERR_RANGE && strstr(ssb_ctx_get_error(ctx), "planes") &&
                  strstr(ssb_ctx_get_error(ctx), "MPI ranks"),
              "too many ranks: rc %d '%s'", rc, ssb_ctx_get_error(ctx));
        CHECK(d.percolation == NULL, "nothing allocated on error");
        ssb_grid_destroy(&g);
        ssb_grid_create(ctx, 8, 8, 4 * size, 1e-6, 1e-6, 1e-6, &g);
        set_phase(ctx, g, 0, "pore", SSB_ROLE_PORE);
        MPI_Barrier(MPI_COMM_WORLD); /* every rank has read the old file before rank 0 replaces it */
        write_shared(ctx, g, path);
    }
    /* a slab that does not fit: 1 kB per rank */
    setenv("SSBNET_DIST_MEM_BYTES", "1000", 1);
    rc = ssb_dist_analyze_file(ctx, path, NULL, g, &dp, &d);
    unsetenv("SSBNET_DIST_MEM_BYTES");
    CHECK(rc == SSB_ERR_RANGE && strstr(ssb_ctx_get_error(ctx), "GB are available per rank"),
          "memory: rc %d '%s'", rc, ssb_ctx_get_error(ctx));
    /* a connectivity that does not exist */
    dp.conn = (ssb_connectivity)8;
    rc = ssb_dist_analyze_file(ctx, path, NULL, g, &dp, &d);
    CHECK(rc == SSB_ERR_ARG && strstr(ssb_ctx_get_error(ctx), "connectivity 8"), "conn 8: rc %d '%s'", rc,
          ssb_ctx_get_error(ctx));
    /* and the same image analyses once the options are valid */
    dp.conn = SSB_CONN_6;
    rc = ssb_dist_analyze_file(ctx, path, NULL, g, &dp, &d);
    CHECK(rc == SSB_OK && d.fractions.label_count[0] == 8 * 8 * 4 * size, "valid run after errors: rc %d", rc);
    ssb_dist_analysis_destroy(&d);
    ssb_grid_destroy(&g);
}

int main(int argc, char **argv)
{
    if (ssb_dist_init(&argc, &argv) != SSB_OK) {
        fprintf(stderr, "MPI could not be initialised\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    ssb_ctx *ctx = NULL;
    ssb_ctx_create(&ctx);
    char dir[256];
    mpi_test_tmpdir("ssbdana", dir, sizeof dir);
    check_histogram(ctx, dir);
    check_bad_input(ctx, dir);
    check_random(ctx, dir);
    check_thin(ctx, dir);
    check_generated(ctx, dir);
    check_electrode(ctx);
    mpi_test_rmdir(dir);
    const int rc = mpi_test_finish();
    ssb_ctx_destroy(&ctx);
    ssb_dist_finalize();
    return rc;
}
