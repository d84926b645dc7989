/* The distributed multigrid-preconditioned CG (backend "gmg-mpi", src/dist/dist_gmg.c) and the hypre baseline
 * ("hypre-mpi") under mpiexec with any number of ranks:
 * - layered media with exact effective conductivities (face Dirichlet, harmonic face conductances, so the discrete
 *   problem is solved exactly by a 1-D potential): layers normal to the transport axis in series,
 *   sigma_eff = L / sum_k (h / sigma_k); layers along it in parallel (with an insulating layer),
 *   sigma_eff = sum_k f_k sigma_k and tau = 1; along z (across the slabs) and along x (within them);
 * - a random two-phase field above the site-percolation threshold: tau of both backends equal to the serial
 *   ssb_transport_solve to 1e-8 relative (rtol 1e-12), and the JSON backend names;
 * - with the argument "electrode": TauFactor's electrode.tiff (tests/reference/microstructure/taufactor, see
 *   PROVENANCE.md), pore phase (label 0) along z: tau equal to the serial gmg to 1e-8 relative (both at rtol
 *   1e-11), and the measured peak bytes per voxel of a rank within the estimate that the memory check uses
 *   (SSBI_DIST_GMG_BYTES_PER_VOXEL); run by ctest at 1, 2, 3 and 4 ranks.
 * - the variational stopping rule of gmg-mpi (stoprule.md, dist_gmg.c): tau at the default rtol within 1e-9 relative
 *   of tau at rtol 1e-13 (see check_rule), converged, the JSON's error estimate tau_rel_error_est within rtol and the estimate not
 *   smaller than a tenth of the true error; tau at the default rtol equal to the serial ssb_transport_solve (at rtol
 *   1e-12) to 1e-8: on a random field (p = 0.55, along z and x), a near-percolation one (p = 0.34, site
 *   percolation threshold 0.3116 of the simple cubic lattice), a three-phase field with 1e3 conductivity contrast
 *   (and 1e4: the residual rule, no estimate),
 *   and (argument "electrode") electrode.tiff's pore phase along z;
 * Plain C with MPI (no cmocka): rank 0 prints each failure and the test exits non-zero on every rank. */
#include "dist/dist_impl.h"
#include "mpi_test.h"
#include "testutil.h"

#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *backends[2] = {"gmg", "hypre"};
static const char *names[2] = {"gmg-mpi", "hypre-mpi"};

/* Write g on rank 0 as dir/name (.raw with its .json side file is what the reader of slabs takes). */
static void write_image(ssb_ctx *ctx, const ssb_grid *g, const char *path)
{
    if (rank == 0) {
        ssb_io_write_params wp = ssb_io_write_params_default();
        CHECK(ssb_io_write_image(ctx, path, g, &wp) == SSB_OK, "write %s: %s", path, ssb_ctx_get_error(ctx));
    }
    MPI_Barrier(MPI_COMM_WORLD);
}

static int dist_solve(ssb_ctx *ctx, const char *path, const double sigma[256], ssb_axis axis, const char *backend,
                      double rtol, ssb_transport_result *res, ssb_dist_info *info)
{
    ssb_transport_params tp = ssb_transport_params_default();
    tp.rtol = rtol;
    tp.max_iter = 20000;
    snprintf(tp.backend, sizeof tp.backend, "%s", backend);
    memset(res, 0, sizeof *res);
    const int rc = ssb_dist_transport_file(ctx, path, NULL, sigma, axis, &tp, res, info);
    CHECK(rc == SSB_OK, "%s: %s", backend, ssb_ctx_get_error(ctx));
    return rc;
}

/* Layers of one voxel normal to axis `normal` with labels cycling 1, 2, 3 (sigma 1, 4, 0.25 S/m) and, with
 * insulating, every fourth layer label 0 (not conducting). */
static ssb_grid *layers(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, int normal, int insulating)
{
    ssb_grid *g = NULL;
    if (ssb_grid_create(ctx, nx, ny, nz, 2e-6, 2e-6, 2e-6, &g) != SSB_OK)
        return NULL;
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t z = 0; z < nz; z++)
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t k = normal == 0 ? x : normal == 1 ? y : z;
                lab[x + nx * (y + ny * z)] = insulating && k % 4 == 3 ? 0 : (uint8_t)(1 + k % 3);
            }
    return g;
}

static void check_layers(ssb_ctx *ctx, const char *dir)
{
    const double sig[4] = {0.0, 1.0, 4.0, 0.25};
    double sigma[256] = {0};
    for (int k = 1; k < 4; k++)
        sigma[k] = sig[k];
    const int64_t nx = 9, ny = 7, nz = 4 * size + 3; /* uneven slabs */
    const int64_t n[3] = {nx, ny, nz};
    char path[512];
    snprintf(path, sizeof path, "%s/layers.raw", dir);
    /* series: layers normal to the transport axis (z across the slabs, x within them) */
    for (int a = 0; a < 3; a += 2) {
        ssb_grid *g = layers(ctx, nx, ny, nz, a, 0);
        write_image(ctx, g, path);
        double rsum = 0.0, ssum = 0.0;
        for (int64_t k = 0; k < n[a]; k++) {
            rsum += 1.0 / sig[1 + k % 3];
            ssum += sig[1 + k % 3];
        }
        const double seff = (double)n[a] / rsum, sbulk = ssum / (double)n[a];
        for (int b = 0; b < 2; b++) {
            ssb_transport_result r;
            if (dist_solve(ctx, path, sigma, (ssb_axis)a, backends[b], 1e-12, &r, NULL) != SSB_OK)
                continue;
            CHECK(fabs(r.sigma_eff / seff - 1.0) <= 1e-9, "series along %s, %s: sigma_eff %.15g, exact %.15g",
                  ssb_axis_name((ssb_axis)a), names[b], r.sigma_eff, seff);
            CHECK(fabs(r.tau / (sbulk / seff) - 1.0) <= 1e-9, "series %s: tau %.15g, exact %.15g", names[b], r.tau,
                  sbulk / seff);
            CHECK(strcmp(r.backend, names[b]) == 0, "backend '%s', want '%s'", r.backend, names[b]);
            if (rank == 0)
                printf("series layers along %s, %d ranks, %s: sigma_eff %.12g S/m (exact %.12g), %lld iterations\n",
                       ssb_axis_name((ssb_axis)a), size, names[b], r.sigma_eff, seff, (long long)r.iterations);
        }
        ssb_grid_destroy(&g);
    }
    /* parallel: layers normal to x with an insulating layer every fourth, transport along z (and normal to y,
       transport along x): sigma_eff = sum f_k sigma_k = eps sigma_bulk, tau = 1 */
    const int normal[2] = {0, 1};
    const ssb_axis along[2] = {SSB_AXIS_Z, SSB_AXIS_X};
    for (int c = 0; c < 2; c++) {
        ssb_grid *g = layers(ctx, nx, ny, nz, normal[c], 1);
        write_image(ctx, g, path);
        double s = 0.0;
        for (int64_t k = 0; k < n[normal[c]]; k++)
            s += k % 4 == 3 ? 0.0 : sig[1 + k % 3];
        const double seff = s / (double)n[normal[c]];
        for (int b = 0; b < 2; b++) {
            ssb_transport_result r;
            if (dist_solve(ctx, path, sigma, along[c], backends[b], 1e-12, &r, NULL) != SSB_OK)
                continue;
            CHECK(fabs(r.sigma_eff / seff - 1.0) <= 1e-9, "parallel along %s, %s: sigma_eff %.15g, exact %.15g",
                  ssb_axis_name(along[c]), names[b], r.sigma_eff, seff);
            CHECK(fabs(r.tau - 1.0) <= 1e-9, "parallel %s: tau %.15g, exact 1", names[b], r.tau);
            if (rank == 0)
                printf("parallel layers along %s, %d ranks, %s: tau %.12f (exact 1), %lld iterations\n",
                       ssb_axis_name(along[c]), size, names[b], r.tau, (long long)r.iterations);
        }
        ssb_grid_destroy(&g);
    }
}

/* tau of path by both backends against the serial solve of g (on rank 0, after the distributed solves so that
 * their growth of the resident set is measured from a fresh process), all at rtol. */
static void check_against_serial(ssb_ctx *ctx, const ssb_grid *g, const char *path, int label, double rtol,
                                 const char *what, int nb)
{
    double sigma[256] = {0};
    sigma[label] = 1.0;
    ssb_transport_result r[2];
    ssb_dist_info info[2];
    int ok[2] = {0, 0};
    for (int b = 0; b < nb; b++)
        ok[b] = dist_solve(ctx, path, sigma, SSB_AXIS_Z, backends[b], rtol, &r[b], &info[b]) == SSB_OK;
    double tau_s = 0.0;
    if (rank == 0) {
        ssb_transport_params tp = ssb_transport_params_default();
        tp.rtol = rtol;
        ssb_transport_result rs;
        CHECK(ssb_transport_solve(ctx, g, sigma, SSB_AXIS_Z, &tp, &rs) == SSB_OK, "serial: %s",
              ssb_ctx_get_error(ctx));
        tau_s = rs.tau;
        ssb_transport_result_destroy(&rs);
    }
    MPI_Bcast(&tau_s, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    for (int b = 0; b < nb; b++) {
        if (!ok[b])
            continue;
        const double rel = fabs(r[b].tau / tau_s - 1.0);
        CHECK(rel <= 1e-8 && r[b].converged, "%s, %s: tau %.15g vs serial %.15g (rel %.2e), converged %d", what,
              names[b], r[b].tau, tau_s, rel, r[b].converged);
        CHECK(strcmp(r[b].backend, names[b]) == 0, "backend '%s', want '%s'", r[b].backend, names[b]);
        /* the memory check before allocation (ssb_dist_transport_file) counts this many bytes per voxel */
        const double nzmax = ceil((double)info[b].dims[2] / size);
        const double bpv =
            (double)info[b].peak_bytes_max / ((double)info[b].dims[0] * (double)info[b].dims[1] * nzmax);
        if (b == 0 && info[b].dims[0] * info[b].dims[1] * info[b].dims[2] >= 4000000)
            CHECK(bpv <= SSBI_DIST_GMG_BYTES_PER_VOXEL && bpv >= 0.4 * SSBI_DIST_GMG_BYTES_PER_VOXEL,
                  "%s: %.1f bytes per voxel measured, the memory check assumes %.0f", what, bpv,
                  SSBI_DIST_GMG_BYTES_PER_VOXEL);
        if (rank == 0)
            printf("%s, %d ranks, %s: tau %.12f vs serial %.12f (rel %.1e), %lld iterations, peak %.1f MB per "
                   "rank (%.0f bytes per voxel)\n",
                   what, size, names[b], r[b].tau, tau_s, rel, (long long)r[b].iterations,
                   (double)info[b].peak_bytes_max / 1e6, bpv);
    }
}

/* Labels 0 (insulating, fraction p0), 1 and 2 (equal shares of the rest) at random. */
static ssb_grid *three_phase(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double p0, uint64_t seed)
{
    const double upto[3] = {p0, p0 + 0.5 * (1.0 - p0), 1.0};
    const uint8_t labels[3] = {0, 1, 2};
    return random_labels(ctx, nx, ny, nz, 3, upto, labels, seed);
}

/* The stopping rule of gmg-mpi on the image at path (g: the same image on rank 0) along axis: tau at the default
 * rtol against tau at rtol 1e-13 (1e-9 relative) and against the serial solve at its default rtol (1e-8). */
static void check_rule(ssb_ctx *ctx, const ssb_grid *g, const char *path, const double sigma[256], ssb_axis axis,
                       const char *what)
{
    const double rtol = ssb_transport_params_default().rtol;
    ssb_transport_result r, r13;
    if (dist_solve(ctx, path, sigma, axis, "gmg", rtol, &r, NULL) != SSB_OK ||
        dist_solve(ctx, path, sigma, axis, "gmg", 1e-13, &r13, NULL) != SSB_OK)
        return;
    double tau_s = 0.0;
    if (rank == 0) {
        ssb_transport_params tp = ssb_transport_params_default();
        tp.rtol = 1e-12; /* today's serial rule at its default rtol is up to 7e-8 off on the three-phase field */
        ssb_transport_result rs;
        CHECK(ssb_transport_solve(ctx, g, sigma, axis, &tp, &rs) == SSB_OK, "serial: %s", ssb_ctx_get_error(ctx));
        tau_s = rs.tau;
        ssb_transport_result_destroy(&rs);
    }
    MPI_Bcast(&tau_s, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    const double err = fabs(r.tau / r13.tau - 1.0), rel_s = fabs(r.tau / tau_s - 1.0);
    CHECK(r.converged && r13.converged, "%s along %s: converged %d (rtol %g), %d (rtol 1e-13)", what,
          ssb_axis_name(axis), r.converged, rtol, r13.converged);
    /* within 1e-9 (stoprule.md). With rho the last decrement ratio alone the estimate was up to 1.7 times short here
       (1.1e-9 to 1.4e-9 on 3 of the 20 cases at 1-4 ranks); with the largest ratio of the last 5 (transport_var.h,
       as the serial gmg) at most 8.0e-10 */
    CHECK(err <= 1e-9, "%s along %s: tau %.15g at rtol %g vs %.15g at 1e-13 (rel %.2e)", what, ssb_axis_name(axis),
          r.tau, rtol, r13.tau, err);
    /* beyond a 1e3 contrast of the conductivities the residual rule is used and no estimate is claimed (NaN) */
    double lo = INFINITY, hi = 0.0;
    for (int k = 0; k < 256; k++)
        if (sigma[k] > 0) lo = fmin(lo, sigma[k]), hi = fmax(hi, sigma[k]);
    if (hi > 1e3 * (1 + 1e-9) * lo) {
        CHECK(isnan(r.tau_rel_error_est), "%s along %s: tau_rel_error_est %.3g, want NaN (residual rule)", what,
              ssb_axis_name(axis), r.tau_rel_error_est);
        CHECK(r.rel_residual <= rtol, "%s along %s: residual %.2e above rtol", what, ssb_axis_name(axis),
              r.rel_residual);
    } else {
        CHECK(isfinite(r.tau_rel_error_est) && r.tau_rel_error_est >= 0 && r.tau_rel_error_est <= rtol,
              "%s along %s: tau_rel_error_est %.3g, want within [0, %g]", what, ssb_axis_name(axis),
              r.tau_rel_error_est, rtol);
        /* the estimate is not optimistic by more than a factor 10 (the true error below 1e-14 is rounding) */
        CHECK(err <= fmax(10.0 * r.tau_rel_error_est, 1e-14), "%s along %s: error %.2e but estimate %.2e", what,
              ssb_axis_name(axis), err, r.tau_rel_error_est);
    }
    CHECK(rel_s <= 1e-8, "%s along %s: tau %.15g vs serial %.15g (rel %.2e)", what, ssb_axis_name(axis), r.tau, tau_s,
          rel_s);
    if (rank == 0)
        printf("%s along %s, %d ranks, gmg-mpi at rtol %g: tau %.12f, %lld iterations (rtol 1e-13: %.12f, %lld); "
               "error %.1e, estimate %.1e; serial (rtol 1e-12) %.12f (rel %.1e)\n",
               what, ssb_axis_name(axis), size, rtol, r.tau, (long long)r.iterations, r13.tau,
               (long long)r13.iterations, err, r.tau_rel_error_est, tau_s, rel_s);
}

/* The stopping rule on the random fields (labels 0 / 1, label 1 conducting): p = 0.55 along z and x, p = 0.34 (near
 * the percolation threshold) along z; tag is appended to the case names. */
static void check_rule_random(ssb_ctx *ctx, const char *path, const char *tag)
{
    double sig[256] = {0};
    sig[1] = 1.0;
    char what[96];
    ssb_grid *g = random_field(ctx, 30, 26, 8 * size + 5, 0.55, 22);
    write_image(ctx, g, path);
    snprintf(what, sizeof what, "random field p = 0.55%s", tag);
    check_rule(ctx, g, path, sig, SSB_AXIS_Z, what);
    check_rule(ctx, g, path, sig, SSB_AXIS_X, what);
    ssb_grid_destroy(&g);
    g = random_field(ctx, 30, 26, 8 * size + 5, 0.34, 23);
    write_image(ctx, g, path);
    snprintf(what, sizeof what, "near percolation p = 0.34%s", tag);
    check_rule(ctx, g, path, sig, SSB_AXIS_Z, what);
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
    const int electrode = argc > 1 && strcmp(argv[1], "electrode") == 0;
    if (electrode) {
        /* the whole image on rank 0 for the serial reference; the ranks read their slabs of the file */
        const char *path = tu_ref("microstructure/taufactor/electrode.tiff");
        ssb_grid *g = NULL;
        if (rank == 0)
            CHECK(ssb_io_read_image(ctx, path, NULL, &g) == SSB_OK, "read %s: %s", path, ssb_ctx_get_error(ctx));
        check_against_serial(ctx, g, path, 0, 1e-11, "electrode.tiff pore phase along z", 1);
        double sig0[256] = {0};
        sig0[0] = 1.0;
        check_rule(ctx, g, path, sig0, SSB_AXIS_Z, "electrode.tiff pore phase");
        ssb_grid_destroy(&g);
    } else {
        char dir[256];
        mpi_test_tmpdir("ssbdgmg", dir, sizeof dir);
        check_layers(ctx, dir);
        char path[512];
        snprintf(path, sizeof path, "%s/rand.raw", dir);
        ssb_grid *g = random_field(ctx, 30, 26, 8 * size + 5, 0.55, 21);
        write_image(ctx, g, path);
        check_against_serial(ctx, g, path, 1, 1e-12, "random field p = 0.55", 2);
        ssb_grid_destroy(&g);
        double sig[256] = {0};
        sig[1] = 1.0;
        check_rule_random(ctx, path, "");
        sig[2] = 1e-3;
        g = three_phase(ctx, 30, 26, 8 * size + 5, 0.2, 24);
        write_image(ctx, g, path);
        check_rule(ctx, g, path, sig, SSB_AXIS_Z, "three phases, contrast 1e3");
        check_rule(ctx, g, path, sig, SSB_AXIS_Y, "three phases, contrast 1e3");
        sig[2] = 1e-4; /* the residual rule (transport_var.h); 200-400 iterations: on 1 and 2 ranks only */
        if (size <= 2) check_rule(ctx, g, path, sig, SSB_AXIS_Z, "three phases, contrast 1e4");
        ssb_grid_destroy(&g);
        /* the same with the coarse levels spread over the ranks down to 64 cells (SSBNET_DIST_GMG_GATHER_CELLS): level 1
           of connected pieces with ghost pieces across the rank boundaries, and later gathering */
        setenv("SSBNET_DIST_GMG_GATHER_CELLS", "64", 1);
        check_rule_random(ctx, path, " (late gathering)");
        unsetenv("SSBNET_DIST_GMG_GATHER_CELLS");
        /* an unknown backend is refused on every rank */
        double sigma[256] = {0};
        sigma[1] = 1.0;
        ssb_transport_params tp = ssb_transport_params_default();
        snprintf(tp.backend, sizeof tp.backend, "%s", "amg");
        ssb_transport_result r;
        const int rc = ssb_dist_transport_file(ctx, path, NULL, sigma, SSB_AXIS_Z, &tp, &r, NULL);
        CHECK(rc == SSB_ERR_ARG && strstr(ssb_ctx_get_error(ctx), "amg"), "unknown backend: rc %d '%s'", rc,
              ssb_ctx_get_error(ctx));
        ssb_ctx_clear_error(ctx);
        mpi_test_rmdir(dir);
    }
    const int rc = mpi_test_finish();
    ssb_ctx_destroy(&ctx);
    ssb_dist_finalize();
    return rc;
}
