/* Helpers of the MPI test programs (tests/mpi): plain C with MPI, no cmocka. CHECK counts a failure and prints it
 * with the rank; the program sums the failures over the ranks at the end and exits non-zero on every rank. */
#ifndef SSB_MPI_TEST_H
#define SSB_MPI_TEST_H

#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_core.h>

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int failures = 0, rank = 0, size = 1;

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            failures++;                                                                                            \
            fprintf(stderr, "rank %d: FAIL %s:%d: ", rank, __FILE__, __LINE__);                                    \
            fprintf(stderr, __VA_ARGS__);                                                                          \
            fputc('\n', stderr);                                                                                   \
        }                                                                                                          \
    } while (0)

/* A random grid of 1 um voxels with a fixed seed, the same on every rank: each voxel draws u in [0, 1) and takes
 * labels[k] for the first k with u < upto[k] (upto ascending, the last 1). */
static inline ssb_grid *random_labels(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, int nk, const double *upto,
                                      const uint8_t *labels, uint64_t seed)
{
    ssb_grid *g = NULL;
    if (ssb_grid_create(ctx, nx, ny, nz, 1e-6, 1e-6, 1e-6, &g) != SSB_OK)
        return NULL;
    ssb_rng r;
    ssb_rng_seed(&r, seed);
    uint8_t *lab = ssb_grid_get_labels(g);
    for (int64_t v = 0; v < nx * ny * nz; v++) {
        const double u = ssb_rng_uniform(&r);
        int k = 0;
        while (k < nk - 1 && !(u < upto[k]))
            k++;
        lab[v] = labels[k];
    }
    return g;
}

/* A random field of labels 0 / 1 (P(1) = p). */
static inline ssb_grid *random_field(ssb_ctx *ctx, int64_t nx, int64_t ny, int64_t nz, double p, uint64_t seed)
{
    const double upto[2] = {p, 1.0};
    const uint8_t labels[2] = {1, 0};
    return random_labels(ctx, nx, ny, nz, 2, upto, labels, seed);
}

/* A fresh temporary directory made by rank 0 (under $TMPDIR or /tmp, named prefix + XXXXXX), its path on every rank
 * in dir; aborts all ranks if none can be made. */
static inline void mpi_test_tmpdir(const char *prefix, char *dir, size_t len)
{
    dir[0] = 0;
    if (rank == 0) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, len, "%s/%sXXXXXX", t && t[0] ? t : "/tmp", prefix);
        if (!mkdtemp(dir))
            dir[0] = 0;
    }
    MPI_Bcast(dir, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (!dir[0]) {
        fprintf(stderr, "no temporary directory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

/* Remove the temporary directory (rank 0). */
static inline void mpi_test_rmdir(const char *dir)
{
    if (rank != 0)
        return;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* The failures summed over the ranks, the verdict printed by rank 0; the program's exit code (1 on every rank if
 * any rank failed). */
static inline int mpi_test_finish(void)
{
    int total = 0;
    MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0)
        printf("%s: %d failure(s) on %d ranks\n", total ? "FAILED" : "PASSED", total, size);
    return total ? 1 : 0;
}
#endif
