/* Distributed runs (ssb_dist.h) against the serial library, run by ctest under mpiexec with several ranks:
 * - slab reading: every rank's planes (with halos) equal the same planes of the whole image, for TIFF, raw, C-order
 *   and Fortran-order .npy files;
 * - percolation classes voxel for voxel equal the serial flood fills (ssb_grid_through_mask) on random fields
 *   below, near and above the site-percolation threshold (0.3116 for the simple cubic lattice), along x, y and z;
 * - tau and sigma_eff of the distributed solve equal the serial solve to 1e-8 relative (both at rtol 1e-12), and a
 *   non-percolating field gives tau = inf on every rank.
 * Plain C with MPI (no cmocka): rank 0 prints each failure and the test exits non-zero on every rank. */
#include "mpi_test.h"

#include <ssbnet/ssb_dist.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A Fortran-order .npy of g (z fastest in the file), written by hand. */
static int write_fortran_npy(const char *path, const ssb_grid *g)
{
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '|u1', 'fortran_order': True, 'shape': (%lld, %lld, %lld), }",
                     (long long)d[2], (long long)d[1], (long long)d[0]);
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)((n + pad + 1) & 255),
                             (unsigned char)((n + pad + 1) >> 8)};
    fwrite(pre, 1, 10, f);
    fwrite(hdr, 1, (size_t)n, f);
    for (int i = 0; i < pad; i++)
        fputc(' ', f);
    fputc('\n', f);
    const uint8_t *lab = ssb_grid_get_labels_const(g);
    for (int64_t x = 0; x < d[0]; x++)
        for (int64_t y = 0; y < d[1]; y++)
            for (int64_t z = 0; z < d[2]; z++)
                fputc(lab[x + d[0] * (y + d[1] * z)], f);
    return fclose(f);
}

static void check_slab_reading(ssb_ctx *ctx, const ssb_grid *full, const char *dir)
{
    int64_t d[3];
    ssb_grid_get_dims(full, d);
    const char *names[4] = {"img.tif", "img.raw", "img.npy", "imgf.npy"};
    char paths[4][512];
    for (int k = 0; k < 4; k++)
        snprintf(paths[k], sizeof paths[k], "%s/%s", dir, names[k]);
    if (rank == 0) {
        ssb_io_write_params wp = ssb_io_write_params_default();
        for (int k = 0; k < 3; k++)
            CHECK(ssb_io_write_image(ctx, paths[k], full, &wp) == SSB_OK, "write %s: %s", paths[k],
                  ssb_ctx_get_error(ctx));
        CHECK(write_fortran_npy(paths[3], full) == 0, "write %s", paths[3]);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    int64_t z0, nz;
    ssb_dist_slab(d[2], size, rank, &z0, &nz);
    const int64_t lo = z0 > 0 ? z0 - 1 : 0, hi = z0 + nz < d[2] ? z0 + nz + 1 : d[2];
    for (int k = 0; k < 4; k++) {
        ssb_io_read_params rp = ssb_io_read_params_default();
        ssb_io_read_info info;
        rp.info = &info;
        rp.z0 = lo;
        rp.nz = hi - lo;
        ssb_grid *s = NULL;
        int rc = ssb_io_read_image(ctx, paths[k], &rp, &s);
        CHECK(rc == SSB_OK, "%s slab: %s", names[k], ssb_ctx_get_error(ctx));
        if (rc != SSB_OK)
            continue;
        int64_t sd[3];
        ssb_grid_get_dims(s, sd);
        CHECK(sd[0] == d[0] && sd[1] == d[1] && sd[2] == hi - lo, "%s slab dims", names[k]);
        CHECK(info.full_dims[2] == d[2] && info.z0 == lo, "%s info: full nz %lld z0 %lld", names[k],
              (long long)info.full_dims[2], (long long)info.z0);
        const size_t plane = (size_t)(d[0] * d[1]);
        CHECK(memcmp(ssb_grid_get_labels_const(s), ssb_grid_get_labels_const(full) + plane * (size_t)lo,
                     plane * (size_t)(hi - lo)) == 0,
              "%s: slab planes %lld..%lld differ from the whole image", names[k], (long long)lo, (long long)hi - 1);
        ssb_grid_destroy(&s);
    }
    /* a slab outside the image is refused */
    ssb_io_read_params rp = ssb_io_read_params_default();
    rp.z0 = d[2] - 1;
    rp.nz = 2;
    ssb_grid *s = NULL;
    CHECK(ssb_io_read_image(ctx, paths[1], &rp, &s) == SSB_ERR_RANGE, "slab beyond the image must be refused");
    ssb_ctx_clear_error(ctx);
}

/* Classes of the distributed labelling vs the serial flood fills, gathered on rank 0. */
static void check_classes(ssb_ctx *ctx, const ssb_grid *full, ssb_axis axis, double p)
{
    int64_t d[3];
    ssb_grid_get_dims(full, d);
    int64_t z0, nz;
    ssb_dist_slab(d[2], size, rank, &z0, &nz);
    const int hlo = z0 > 0, hhi = z0 + nz < d[2];
    const size_t plane = (size_t)(d[0] * d[1]);
    ssb_grid *s = NULL;
    ssb_grid_create(ctx, d[0], d[1], nz + hlo + hhi, 1e-6, 1e-6, 1e-6, &s);
    memcpy(ssb_grid_get_labels(s), ssb_grid_get_labels_const(full) + plane * (size_t)(z0 - hlo),
           plane * (size_t)(nz + hlo + hhi));
    uint8_t in_set[256] = {0};
    in_set[1] = 1;
    uint8_t *cls = malloc(plane * (size_t)nz);
    int64_t counts[3];
    int rc = ssb_dist_classes(ctx, s, hlo, hhi, in_set, axis, d[2], cls, counts);
    CHECK(rc == SSB_OK, "ssb_dist_classes: %s", ssb_ctx_get_error(ctx));
    int *rc_counts = NULL, *displs = NULL;
    uint8_t *all = NULL;
    if (rank == 0) {
        rc_counts = malloc((size_t)size * sizeof(int));
        displs = malloc((size_t)size * sizeof(int));
        for (int r = 0; r < size; r++) {
            int64_t a, b;
            ssb_dist_slab(d[2], size, r, &a, &b);
            rc_counts[r] = (int)(b * (int64_t)plane);
            displs[r] = (int)(a * (int64_t)plane);
        }
        all = malloc(plane * (size_t)d[2]);
    }
    MPI_Gatherv(cls, (int)(plane * (size_t)nz), MPI_UINT8_T, all, rc_counts, displs, MPI_UINT8_T, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        uint8_t *mask = malloc(plane * (size_t)d[2]);
        int64_t sc[4];
        CHECK(ssb_grid_through_mask(ctx, full, in_set, axis, SSB_CONN_6, mask, sc) == SSB_OK, "serial mask");
        const uint8_t *lab = ssb_grid_get_labels_const(full);
        int64_t bad = 0, n[3] = {0, 0, 0};
        for (size_t v = 0; v < plane * (size_t)d[2]; v++) {
            const uint8_t want = !in_set[lab[v]] ? 0 : mask[v] == 3 ? 1 : mask[v] ? 2 : 3;
            if (want)
                n[want - 1]++;
            bad += all[v] != want;
        }
        CHECK(bad == 0, "p = %.2f axis %s: %lld voxels classified differently from the serial flood fill", p,
              ssb_axis_name(axis), (long long)bad);
        CHECK(counts[0] == n[0] && counts[1] == n[1] && counts[2] == n[2], "class counts differ");
        printf("classes p = %.2f axis %s, %d ranks: percolating %lld, dead-end %lld, isolated %lld: %s\n", p,
               ssb_axis_name(axis), size, (long long)n[0], (long long)n[1], (long long)n[2], bad ? "DIFFER" : "equal");
        free(mask);
    }
    free(all);
    free(rc_counts);
    free(displs);
    free(cls);
    ssb_grid_destroy(&s);
}

static void check_transport(ssb_ctx *ctx, const ssb_grid *full, const char *dir, double p, int expect_perc)
{
    char path[512];
    snprintf(path, sizeof path, "%s/t.raw", dir);
    if (rank == 0) {
        ssb_io_write_params wp = ssb_io_write_params_default();
        CHECK(ssb_io_write_image(ctx, path, full, &wp) == SSB_OK, "write %s", path);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    double sigma[256] = {0};
    sigma[1] = 2.5;
    ssb_transport_params tp = ssb_transport_params_default();
    tp.rtol = 1e-12;
    tp.max_iter = 20000;
    for (int a = 0; a < 3; a++) {
        ssb_transport_result rs, rd;
        memset(&rs, 0, sizeof rs);
        CHECK(ssb_transport_solve(ctx, full, sigma, (ssb_axis)a, &tp, &rs) == SSB_OK, "serial solve");
        ssb_dist_info info;
        int rc = ssb_dist_transport_file(ctx, path, NULL, sigma, (ssb_axis)a, &tp, &rd, &info);
        CHECK(rc == SSB_OK, "distributed solve: %s", ssb_ctx_get_error(ctx));
        CHECK(rd.percolates == rs.percolates && rd.percolates == expect_perc, "percolates %d vs %d", rd.percolates,
              rs.percolates);
        CHECK(fabs(rd.eps - rs.eps) < 1e-15 && fabs(rd.eps_percolating - rs.eps_percolating) < 1e-15,
              "eps %.17g vs %.17g", rd.eps, rs.eps);
        if (expect_perc) {
            const double rel = fabs(rd.tau / rs.tau - 1.0);
            CHECK(rel <= 1e-8, "p = %.2f axis %s: tau %.12g (dist) vs %.12g (serial), rel %.2e", p,
                  ssb_axis_name((ssb_axis)a), rd.tau, rs.tau, rel);
            CHECK(fabs(rd.sigma_eff / rs.sigma_eff - 1.0) <= 1e-8, "sigma_eff");
            CHECK(rd.converged, "distributed solve not converged: %s", rd.reason);
            if (rank == 0)
                printf("transport p = %.2f axis %s, %d ranks: tau %.12f vs serial %.12f (rel %.1e), %lld PCG "
                       "iterations\n",
                       p, ssb_axis_name((ssb_axis)a), size, rd.tau, rs.tau, rel, (long long)rd.iterations);
        } else {
            CHECK(isinf(rd.tau), "non-percolating: tau %g", rd.tau);
        }
        ssb_transport_result_destroy(&rs);
    }
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
    mpi_test_tmpdir("ssbdist", dir, sizeof dir);
    /* slab reading on a 23 x 17 x 29 field */
    ssb_grid *g = random_field(ctx, 23, 17, 29, 0.5, 3);
    check_slab_reading(ctx, g, dir);
    ssb_grid_destroy(&g);
    /* classes below, near and above the site-percolation threshold */
    const double ps[3] = {0.25, 0.33, 0.6};
    for (int i = 0; i < 3; i++) {
        g = random_field(ctx, 26, 22, 31, ps[i], 11 + (uint64_t)i);
        for (int a = 0; a < 3; a++)
            check_classes(ctx, g, (ssb_axis)a, ps[i]);
        ssb_grid_destroy(&g);
    }
    /* transport: percolating (0.6) and not percolating (0.2) */
    g = random_field(ctx, 20, 18, 24, 0.6, 5);
    check_transport(ctx, g, dir, 0.6, 1);
    ssb_grid_destroy(&g);
    g = random_field(ctx, 20, 18, 24, 0.2, 6);
    check_transport(ctx, g, dir, 0.2, 0);
    ssb_grid_destroy(&g);
    /* more ranks than planes is refused with a message naming both */
    if (size > 1) {
        char path[512];
        snprintf(path, sizeof path, "%s/thin.raw", dir);
        g = random_field(ctx, 8, 8, size - 1, 0.7, 9);
        if (rank == 0) {
            ssb_io_write_params wp = ssb_io_write_params_default();
            ssb_io_write_image(ctx, path, g, &wp);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        double sigma[256] = {0};
        sigma[1] = 1;
        ssb_transport_result r;
        int rc = ssb_dist_transport_file(ctx, path, NULL, sigma, SSB_AXIS_Z, NULL, &r, NULL);
        CHECK(rc == SSB_ERR_RANGE && strstr(ssb_ctx_get_error(ctx), "ranks"), "too many ranks: rc %d '%s'", rc,
              ssb_ctx_get_error(ctx));
        ssb_grid_destroy(&g);
    }
    mpi_test_rmdir(dir);
    const int rc = mpi_test_finish();
    ssb_ctx_destroy(&ctx);
    ssb_dist_finalize();
    return rc;
}
