/* Distributed runs (ssb_dist.h): MPI set-up, agreement on errors, slab reading and the distributed conduction solve
 * on the percolating voxels: our own multigrid CG (dist_gmg.c, backend gmg-mpi, the default) or hypre Struct PCG +
 * PFMG (here, backend hypre-mpi). */
#include "dist_impl.h"
#include "transport/transport_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ssb_dist_slab(int64_t nz, int nranks, int r, int64_t *z0, int64_t *nzr)
{
    if (nranks < 1)
        nranks = 1;
    const int64_t base = nz / nranks, extra = nz % nranks;
    *nzr = base + (r < extra ? 1 : 0);
    *z0 = (int64_t)r * base + (r < extra ? r : extra);
}

int ssb_dist_launched(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) >= 1)
            return 1;
    }
    return 0;
}

#if !SSB_HAVE_HYPRE
int ssb_dist_agree_status(int status, char *msg, size_t msgsz, int *who)
{
    (void)msg, (void)msgsz;
    if (who)
        *who = status ? 0 : -1;
    return status;
}
int ssb_dist_rate_sweep(ssb_ctx *ctx, ssb_cell *cell, int n, const double *crates, double v_cut,
                        ssb_cell_rate_point *out)
{
    return ssb_cell_rate_sweep(ctx, cell, n, crates, v_cut, out, NULL);
}
int ssb_dist_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return SSB_ERR_UNSUPPORTED;
}
void ssb_dist_finalize(void) {}
int ssb_dist_size(void) { return 1; }
int ssb_dist_rank(void) { return 0; }
int ssb_dist_transport_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const double sigma[256],
                            ssb_axis axis, const ssb_transport_params *params, ssb_transport_result *result,
                            ssb_dist_info *info)
{
    (void)path, (void)rp, (void)sigma, (void)axis, (void)params, (void)result, (void)info;
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "this build of ssbnet has no MPI (it needs hypre and MPI)");
}
int ssb_dist_classes(ssb_ctx *ctx, const ssb_grid *slab, int halo_lo, int halo_hi, const uint8_t in_set[256],
                     ssb_axis axis, int64_t nz_total, uint8_t *cls, int64_t counts[3])
{
    (void)slab, (void)halo_lo, (void)halo_hi, (void)in_set, (void)axis, (void)nz_total, (void)cls, (void)counts;
    return SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED, "this build of ssbnet has no MPI (it needs hypre and MPI)");
}
int ssb_dist_histogram_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, int64_t hist[256])
{
    SSB_REQUIRE(ctx, path && hist, SSB_ERR_ARG, "ssb_dist_histogram_file: NULL argument");
    ssb_grid *g = NULL;
    SSB_CHECK(ctx, ssb_io_read_image(ctx, path, rp, &g));
    ssb_grid_histogram(g, hist);
    ssb_grid_destroy(&g);
    return SSB_OK;
}
#else
#include <HYPRE_struct_ls.h>
#include <unistd.h>

int ssb_dist_init(int *argc, char ***argv)
{
    int flag = 0;
    MPI_Initialized(&flag);
    if (flag)
        return SSB_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return SSB_ERR_BACKEND;
    return SSB_OK;
}

void ssb_dist_finalize(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin)
        MPI_Finalize();
}

int ssb_dist_size(void)
{
    int init = 0, fin = 0, n = 1;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin)
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

int ssb_dist_rank(void)
{
    int init = 0, fin = 0, r = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin)
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int ssbi_dist_agree(ssb_ctx *ctx, int rc)
{
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (size == 1)
        return rc;
    int who = rc != SSB_OK ? rank : size, first = size;
    MPI_Allreduce(&who, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size)
        return SSB_OK;
    char msg[1024];
    int code = rc;
    if (rank == first)
        snprintf(msg, sizeof msg, "%s", ssb_ctx_get_error(ctx));
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD);
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    if (code == SSB_OK)
        code = SSB_ERR_INTERNAL;
    ssb_ctx_clear_error(ctx);
    return ssbi_error(ctx, code, __FILE__, __LINE__, __func__, "%s", msg);
}

int ssb_dist_agree_status(int status, char *msg, size_t msgsz, int *who)
{
    const int size = ssb_dist_size(), rank = ssb_dist_rank();
    if (who)
        *who = status ? rank : -1;
    if (size == 1)
        return status;
    int mine = status ? rank : size, first = size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size) {
        if (who)
            *who = -1;
        return 0;
    }
    int code = status;
    MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
    char buf[1024] = "";
    if (rank == first && msg && msgsz > 0)
        snprintf(buf, sizeof buf, "%.*s", (int)(msgsz < sizeof buf ? msgsz - 1 : sizeof buf - 1), msg);
    MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, first, MPI_COMM_WORLD);
    if (msg && msgsz > 0)
        snprintf(msg, msgsz, "%s", buf);
    if (who)
        *who = first;
    return code;
}

int ssb_dist_classes(ssb_ctx *ctx, const ssb_grid *slab, int halo_lo, int halo_hi, const uint8_t in_set[256],
                     ssb_axis axis, int64_t nz_total, uint8_t *cls, int64_t counts[3])
{
    SSB_REQUIRE(ctx, slab && in_set && cls, SSB_ERR_ARG, "ssb_dist_classes: NULL argument");
    SSB_REQUIRE(ctx, axis >= SSB_AXIS_X && axis <= SSB_AXIS_Z, SSB_ERR_ARG, "ssb_dist_classes: axis %d is invalid",
                (int)axis);
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        SSB_CHECK(ctx, ssb_dist_init(NULL, NULL));
    return ssbi_dist_classes(ctx, MPI_COMM_WORLD, slab, halo_lo, halo_hi, in_set, axis, nz_total, cls, counts);
}

int ssb_dist_rate_sweep(ssb_ctx *ctx, ssb_cell *cell, int n, const double *crates, double v_cut,
                        ssb_cell_rate_point *out)
{
    SSB_REQUIRE(ctx, cell && crates && out && n >= 1, SSB_ERR_ARG, "ssb_dist_rate_sweep: NULL argument or n < 1");
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    int size = 1, rank = 0;
    if (init && !fin) {
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    }
    if (size == 1)
        return ssb_cell_rate_sweep(ctx, cell, n, crates, v_cut, out, NULL);
    memset(out, 0, (size_t)n * sizeof *out);
    int rc = SSB_OK;
    for (int i = rank; i < n && rc == SSB_OK; i += size)
        rc = ssb_cell_rate_sweep(ctx, cell, 1, crates + i, v_cut, out + i, NULL);
    SSB_CHECK(ctx, ssbi_dist_agree(ctx, rc));
    for (int i = 0; i < n; i++)
        MPI_Bcast(out + i, (int)sizeof *out, MPI_BYTE, i % size, MPI_COMM_WORLD);
    return SSB_OK;
}

static double wtime(void)
{
    return MPI_Wtime();
}

/* Memory available to this process: MemAvailable of /proc/meminfo shared by the ranks on this node [bytes]
 * (0 when unknown). SSBNET_DIST_MEM_BYTES (bytes per rank) replaces it: the tests use it to exercise the check. */
int64_t ssbi_dist_mem_available(void)
{
    const char *ov = getenv("SSBNET_DIST_MEM_BYTES");
    if (ov && atoll(ov) > 0)
        return (int64_t)atoll(ov);
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    fclose(f);
    const char *lr = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    int local = lr ? atoi(lr) : 1;
    if (local < 1)
        local = 1;
    return (int64_t)kb * 1024 / local;
}

/* Bytes per voxel of a rank's share: labels and classes (2), hypre Struct matrix (7 doubles), vectors x, b and
 * PCG's work vectors (6 doubles), PFMG hierarchy (about 8/7 of the fine matrix and vectors again). Measured on
 * electrode.tiff with 1-4 ranks: see bench/dist.sh. */
#define DIST_BYTES_PER_VOXEL 250.0

int ssbi_dist_read_slab(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp0, int64_t nz_total, int want_lo,
                        int want_hi, ssb_grid **g, int64_t *z0, int64_t *nz, int *hlo, int *hhi)
{
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    ssb_dist_slab(nz_total, size, rank, z0, nz);
    *hlo = (int)(*z0 < want_lo ? *z0 : want_lo);
    const int64_t above = nz_total - *z0 - *nz;
    *hhi = (int)(above < want_hi ? above : want_hi);
    ssb_io_read_params rp = rp0 ? *rp0 : ssb_io_read_params_default();
    rp.info = NULL;
    rp.z0 = *z0 - *hlo;
    rp.nz = *nz + *hlo + *hhi;
    return ssb_io_read_image(ctx, path, &rp, g);
}

int ssbi_dist_open_image(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, double bytes_per_voxel,
                         int64_t dims[3], double hv[3])
{
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    /* 1. dims: rank 0 reads the first plane (the header) and tells the others */
    int rc = SSB_OK;
    dims[0] = dims[1] = dims[2] = 0;
    hv[0] = hv[1] = hv[2] = 0.0;
    if (rank == 0) {
        ssb_io_read_info ri;
        ssb_io_read_params p1 = rp ? *rp : ssb_io_read_params_default();
        p1.info = &ri;
        p1.z0 = 0;
        p1.nz = 1;
        ssb_grid *g1 = NULL;
        rc = ssb_io_read_image(ctx, path, &p1, &g1);
        if (rc == SSB_OK) {
            memcpy(dims, ri.full_dims, 3 * sizeof *dims);
            ssb_grid_get_voxel_size(g1, hv);
        }
        ssb_grid_destroy(&g1);
    }
    SSB_CHECK(ctx, ssbi_dist_agree(ctx, rc));
    MPI_Bcast(dims, 3, MPI_INT64_T, 0, MPI_COMM_WORLD);
    MPI_Bcast(hv, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    /* 2. checks before anything large is allocated */
    if (size > dims[2])
        rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                       "'%s' has %lld planes along z but %d MPI ranks were started (valid: at most one rank per plane, "
                       "<= %lld ranks)",
                       path, (long long)dims[2], size, (long long)dims[2]);
    if (rc == SSB_OK) {
        int64_t z0, nzr;
        ssb_dist_slab(dims[2], size, rank, &z0, &nzr);
        const double need = bytes_per_voxel * (double)dims[0] * (double)dims[1] * (double)(nzr + 2);
        const int64_t avail = ssbi_dist_mem_available();
        if (avail > 0 && need > (double)avail)
            rc = SSB_ERROR(ctx, SSB_ERR_RANGE,
                           "'%s' (%lld x %lld x %lld voxels) over %d ranks needs about %.3g GB per rank (%.0f bytes "
                           "per voxel of %lld planes) but %.3g GB are available per rank on this node: start more "
                           "ranks or use more nodes",
                           path, (long long)dims[0], (long long)dims[1], (long long)dims[2], size, need / 1e9,
                           bytes_per_voxel, (long long)nzr, (double)avail / 1e9);
    }
    return ssbi_dist_agree(ctx, rc);
}

/* hypre error -> SSB_ERR_BACKEND with the description. */
static int hypre_fail(ssb_ctx *ctx, HYPRE_Int herr, const char *what)
{
    char m[256];
    HYPRE_DescribeError(herr, m);
    HYPRE_ClearAllErrors();
    return SSB_ERROR(ctx, SSB_ERR_BACKEND, "hypre (distributed): %s failed: %s", what, m);
}
#define HY(call, what)                                                                                             \
    do {                                                                                                           \
        HYPRE_Int e_ = (call);                                                                                     \
        if (e_) {                                                                                                  \
            rc = hypre_fail(ctx, e_, what);                                                                        \
            goto solve_out;                                                                                        \
        }                                                                                                          \
    } while (0)

/* (dist_impl.h) */
double ssbi_dist_face_g(const ssbi_slab_problem *S, int64_t x, int64_t y, int64_t z, int dir, int *bnd)
{
    static const int dx[6] = {-1, 1, 0, 0, 0, 0}, dy[6] = {0, 0, -1, 1, 0, 0}, dz[6] = {0, 0, 0, 0, -1, 1};
    const int a = dir / 2;
    const int64_t nxy = S->nx * S->ny;
    const int64_t zl = z + S->hlo; /* index in the slab with halos */
    const double s = S->sigma[S->lab[x + S->nx * y + nxy * zl]];
    const double area = S->h[(a + 1) % 3] * S->h[(a + 2) % 3], hd = S->h[a];
    const int64_t X = x + dx[dir], Y = y + dy[dir], Zg = S->z0 + z + dz[dir];
    *bnd = 0;
    const int outside = X < 0 || X >= S->nx || Y < 0 || Y >= S->ny || Zg < 0 || Zg >= S->nzt;
    if (outside) {
        if ((int)S->axis != a)
            return 0.0;
        *bnd = (dir % 2 == 0) ? 1 : 2;
        return 2.0 * s * area / hd;
    }
    const double s2 = S->sigma[S->lab[X + S->nx * Y + nxy * (zl + dz[dir])]];
    return ssbi_harm(s, s2) * area / hd;
}

/* (dist_impl.h) */
void ssbi_dist_plane_currents(const ssbi_slab_problem *S, int64_t z, const double *phi, double *cin, double *cout)
{
    const int64_t nx = S->nx, nxy = S->nx * S->ny;
    for (int64_t y = 0; y < S->ny; y++)
        for (int64_t x = 0; x < nx; x++) {
            if (S->cls[x + nx * y + nxy * z] != 1)
                continue;
            for (int d = 0; d < 6; d++) {
                int bnd;
                const double g = ssbi_dist_face_g(S, x, y, z, d, &bnd);
                if (bnd == 1)
                    *cin += g * (1.0 - phi[x + nx * y]);
                else if (bnd == 2)
                    *cout += g * phi[x + nx * y];
            }
        }
}

/* The distributed solve on the percolating voxels of the slab: fills currents, iterations, residual. */
static int solve_slab(ssb_ctx *ctx, const ssbi_slab_problem *S, const ssb_transport_params *par, double *iin,
                      double *iout, int64_t *iters, double *relres, int64_t *peak_growth)
{
    int rc = SSB_OK;
    const int64_t rss0 = ssbi_rss_bytes();
    HYPRE_StructGrid grid = NULL;
    HYPRE_StructStencil st = NULL;
    HYPRE_StructMatrix A = NULL;
    HYPRE_StructVector b = NULL, xv = NULL;
    HYPRE_StructSolver pcg = NULL, pfmg = NULL;
    const int64_t nx = S->nx, ny = S->ny, nxy = nx * ny;
    double *vals = malloc((size_t)nxy * 7 * sizeof(double)), *rhs = malloc((size_t)nxy * sizeof(double));
    double *sol = NULL;
    if (!vals || !rhs) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for a plane of matrix values");
        goto solve_out;
    }
    HYPRE_Int ilo[3] = {0, 0, (HYPRE_Int)S->z0}, ihi[3] = {(HYPRE_Int)nx - 1, (HYPRE_Int)ny - 1,
                                                              (HYPRE_Int)(S->z0 + S->nz - 1)};
    HY(HYPRE_StructGridCreate(MPI_COMM_WORLD, 3, &grid), "grid create");
    HY(HYPRE_StructGridSetExtents(grid, ilo, ihi), "grid extents");
    HY(HYPRE_StructGridAssemble(grid), "grid assemble");
    HYPRE_Int off[7][3] = {{0, 0, 0}, {-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}};
    HY(HYPRE_StructStencilCreate(3, 7, &st), "stencil create");
    for (int e = 0; e < 7; e++)
        HY(HYPRE_StructStencilSetElement(st, e, off[e]), "stencil element");
    HY(HYPRE_StructMatrixCreate(MPI_COMM_WORLD, grid, st, &A), "matrix create");
    HY(HYPRE_StructMatrixInitialize(A), "matrix initialise");
    HY(HYPRE_StructVectorCreate(MPI_COMM_WORLD, grid, &b), "vector create");
    HY(HYPRE_StructVectorCreate(MPI_COMM_WORLD, grid, &xv), "vector create");
    HY(HYPRE_StructVectorInitialize(b), "vector initialise");
    HY(HYPRE_StructVectorInitialize(xv), "vector initialise");
    HYPRE_Int ent[7] = {0, 1, 2, 3, 4, 5, 6};
    for (int64_t z = 0; z < S->nz; z++) {
        for (int64_t y = 0; y < ny; y++)
            for (int64_t x = 0; x < nx; x++) {
                const int64_t i = x + nx * y;
                double *row = vals + 7 * i;
                memset(row, 0, 7 * sizeof(double));
                rhs[i] = 0.0;
                if (S->cls[i + nxy * z] != 1) {
                    row[0] = 1.0; /* not an unknown: x = 0, decoupled (its neighbours do not conduct into it) */
                    continue;
                }
                double diag = 0.0;
                for (int d = 0; d < 6; d++) {
                    int bnd;
                    const double g = ssbi_dist_face_g(S, x, y, z, d, &bnd) / S->gscale;
                    diag += g;
                    if (bnd == 1)
                        rhs[i] += g; /* phi = 1 V on the low plane */
                    else if (!bnd)
                        row[1 + d] = -g;
                }
                row[0] = diag;
            }
        HYPRE_Int pl[3] = {0, 0, (HYPRE_Int)(S->z0 + z)}, pu[3] = {(HYPRE_Int)nx - 1, (HYPRE_Int)ny - 1,
                                                                   (HYPRE_Int)(S->z0 + z)};
        HY(HYPRE_StructMatrixSetBoxValues(A, pl, pu, 7, ent, vals), "matrix values");
        HY(HYPRE_StructVectorSetBoxValues(b, pl, pu, rhs), "vector values");
        for (int64_t i = 0; i < nxy; i++)
            rhs[i] = 0.0;
        HY(HYPRE_StructVectorSetBoxValues(xv, pl, pu, rhs), "vector values");
    }
    free(vals);
    vals = NULL;
    HY(HYPRE_StructMatrixAssemble(A), "matrix assemble");
    HY(HYPRE_StructVectorAssemble(b), "vector assemble");
    HY(HYPRE_StructVectorAssemble(xv), "vector assemble");
    HY(HYPRE_StructPCGCreate(MPI_COMM_WORLD, &pcg), "PCG create");
    HY(HYPRE_StructPCGSetTol(pcg, par->rtol), "PCG tolerance");
    HY(HYPRE_StructPCGSetMaxIter(pcg, (HYPRE_Int)(par->max_iter < 1000000 ? par->max_iter : 1000000)), "PCG max_iter");
    HY(HYPRE_StructPCGSetTwoNorm(pcg, 1), "PCG norm");
    HY(HYPRE_StructPCGSetRelChange(pcg, 0), "PCG rel change");
    HY(HYPRE_StructPCGSetLogging(pcg, 1), "PCG logging");
    HY(HYPRE_StructPFMGCreate(MPI_COMM_WORLD, &pfmg), "PFMG create");
    HY(HYPRE_StructPFMGSetMaxIter(pfmg, 1), "PFMG max_iter");
    HY(HYPRE_StructPFMGSetTol(pfmg, 0.0), "PFMG tolerance");
    HY(HYPRE_StructPFMGSetZeroGuess(pfmg), "PFMG zero guess");
    /* Galerkin coarse operators and weighted Jacobi: the red-black Gauss-Seidel smoother and the non-Galerkin RAP
       made PCG break down (hypre error 101) on electrode.tiff, where insulating voxels are identity rows. */
    HY(HYPRE_StructPFMGSetRAPType(pfmg, 0), "PFMG RAP type");
    HY(HYPRE_StructPFMGSetRelaxType(pfmg, 1), "PFMG relax type");
    HY(HYPRE_StructPFMGSetNumPreRelax(pfmg, 1), "PFMG pre-relax");
    HY(HYPRE_StructPFMGSetNumPostRelax(pfmg, 1), "PFMG post-relax");
    HY(HYPRE_StructPCGSetPrecond(pcg, HYPRE_StructPFMGSolve, HYPRE_StructPFMGSetup, pfmg), "PCG preconditioner");
    HY(HYPRE_StructPCGSetup(pcg, A, b, xv), "PCG setup");
    {
        HYPRE_Int e = HYPRE_StructPCGSolve(pcg, A, b, xv);
        if (e && !HYPRE_CheckError(e, HYPRE_ERROR_CONV)) {
            rc = hypre_fail(ctx, e, "PCG solve");
            goto solve_out;
        }
        HYPRE_ClearAllErrors();
    }
    {
        HYPRE_Int it = 0;
        HYPRE_Real rr = 0;
        HYPRE_StructPCGGetNumIterations(pcg, &it);
        HYPRE_StructPCGGetFinalRelativeResidualNorm(pcg, &rr);
        *iters = it;
        *relres = rr;
    }
    *peak_growth = ssbi_rss_bytes() - rss0;
    /* currents through the Dirichlet planes from the solution (per plane of the slab) */
    sol = malloc((size_t)nxy * sizeof(double));
    if (!sol) {
        rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for a plane of the solution");
        goto solve_out;
    }
    double cin = 0.0, cout = 0.0;
    for (int64_t z = 0; z < S->nz; z++) {
        HYPRE_Int pl[3] = {0, 0, (HYPRE_Int)(S->z0 + z)}, pu[3] = {(HYPRE_Int)nx - 1, (HYPRE_Int)ny - 1,
                                                                   (HYPRE_Int)(S->z0 + z)};
        HY(HYPRE_StructVectorGetBoxValues(xv, pl, pu, sol), "solution values");
        ssbi_dist_plane_currents(S, z, sol, &cin, &cout);
    }
    double loc[2] = {cin, cout}, glob[2];
    MPI_Allreduce(loc, glob, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    *iin = glob[0];
    *iout = glob[1];
solve_out:
    if (pcg) HYPRE_StructPCGDestroy(pcg);
    if (pfmg) HYPRE_StructPFMGDestroy(pfmg);
    if (xv) HYPRE_StructVectorDestroy(xv);
    if (b) HYPRE_StructVectorDestroy(b);
    if (A) HYPRE_StructMatrixDestroy(A);
    if (st) HYPRE_StructStencilDestroy(st);
    if (grid) HYPRE_StructGridDestroy(grid);
    free(vals);
    free(rhs);
    free(sol);
    return rc;
}
#undef HY

int ssb_dist_transport_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, const double sigma[256],
                            ssb_axis axis, const ssb_transport_params *params, ssb_transport_result *result,
                            ssb_dist_info *info)
{
    SSB_REQUIRE(ctx, path && sigma && result, SSB_ERR_ARG, "ssb_dist_transport_file: NULL argument");
    SSB_REQUIRE(ctx, axis >= SSB_AXIS_X && axis <= SSB_AXIS_Z, SSB_ERR_ARG, "distributed transport: axis %d is invalid",
                (int)axis);
    ssb_transport_params par = params ? *params : ssb_transport_params_default();
    SSB_REQUIRE(ctx, par.rtol >= 1e-14 && par.rtol <= 1e-1, SSB_ERR_RANGE,
                "transport rtol = %g is invalid (valid: 1e-14 to 0.1)", par.rtol);
    SSB_REQUIRE(ctx, !par.want_fields, SSB_ERR_UNSUPPORTED,
                "distributed transport: fields (--vti) are not gathered over ranks; run without mpirun for fields");
    SSB_REQUIRE(ctx, par.dirichlet == SSB_DIRICHLET_FACE, SSB_ERR_UNSUPPORTED,
                "distributed transport: --dirichlet cell is not supported over ranks (face only)");
    /* backend: our own multigrid CG (dist_gmg.c, the default) or hypre's Struct PCG + PFMG (the baseline) */
    const int use_hypre = strcmp(par.backend, "hypre") == 0;
    SSB_REQUIRE(ctx, use_hypre || !par.backend[0] || !strcmp(par.backend, "auto") || !strcmp(par.backend, "gmg"),
                SSB_ERR_ARG, "distributed transport: backend '%s' is unknown (valid: auto, gmg, hypre)", par.backend);
    const double bytes_per_voxel = use_hypre ? DIST_BYTES_PER_VOXEL : SSBI_DIST_GMG_BYTES_PER_VOXEL;
    for (int k = 0; k < 256; k++)
        SSB_REQUIRE(ctx, sigma[k] >= 0 && isfinite(sigma[k]), SSB_ERR_RANGE,
                    "conductivity of label %d = %g S/m is invalid (valid: >= 0, finite)", k, sigma[k]);
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        SSB_CHECK(ctx, ssb_dist_init(NULL, NULL));
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    memset(result, 0, sizeof *result);
    ssb_dist_info di;
    memset(&di, 0, sizeof di);
    di.ranks = size;
    const double t0 = wtime();

    /* 1.-2. dims (rank 0 reads the header) and the checks before anything large is allocated */
    int64_t dims[3] = {0, 0, 0};
    double hv[3] = {0, 0, 0};
    SSB_CHECK(ctx, ssbi_dist_open_image(ctx, path, rp, bytes_per_voxel, dims, hv));
    memcpy(di.dims, dims, sizeof dims);
    int rc = SSB_OK;
    /* 3. each rank reads its slab and the halo planes */
    ssb_grid *g = NULL;
    int64_t z0 = 0, nz = 0;
    int hlo = 0, hhi = 0;
    rc = ssbi_dist_read_slab(ctx, path, rp, dims[2], 1, 1, &g, &z0, &nz, &hlo, &hhi); /* one halo plane each side */
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK) {
        ssb_grid_destroy(&g);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    ssb_grid_get_voxel_size(g, hv);
    di.z0 = z0;
    di.nz = nz;
    const double t1 = wtime();
    /* 4. volume fractions and bulk conductivity (all voxels with sigma > 0) */
    const int64_t nxy = dims[0] * dims[1], nloc = nxy * nz;
    const uint8_t *lab = ssb_grid_get_labels_const(g) + hlo * nxy;
    int64_t cnt[256], gcnt[256];
    memset(cnt, 0, sizeof cnt);
    for (int64_t v = 0; v < nloc; v++)
        cnt[lab[v]]++;
    MPI_Allreduce(cnt, gcnt, 256, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    const double nv = (double)dims[0] * (double)dims[1] * (double)dims[2];
    double eps = 0.0, seps = 0.0, smax = 0.0;
    uint8_t in_set[256];
    for (int k = 0; k < 256; k++) {
        in_set[k] = sigma[k] > 0;
        if (sigma[k] > 0) {
            eps += (double)gcnt[k] / nv;
            seps += (double)gcnt[k] / nv * sigma[k];
            if (gcnt[k] > 0 && sigma[k] > smax)
                smax = sigma[k];
        }
    }
    result->axis = axis;
    result->eps = eps;
    result->sigma_bulk = eps > 0 ? seps / eps : 0.0;
    int p0 = axis == SSB_AXIS_X ? 1 : 0, p1 = axis == SSB_AXIS_Z ? 1 : 2;
    result->length = (double)dims[axis] * hv[axis];
    result->area = (double)dims[p0] * hv[p0] * (double)dims[p1] * hv[p1];
    /* 5. classes */
    uint8_t *cls = malloc((size_t)(nloc > 0 ? nloc : 1));
    rc = ssbi_dist_agree(ctx, cls ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "out of memory for the classes"));
    int64_t counts[3] = {0, 0, 0};
    if (rc == SSB_OK)
        rc = ssbi_dist_classes(ctx, MPI_COMM_WORLD, g, hlo, hhi, in_set, axis, dims[2], cls, counts);
    const double t2 = wtime();
    di.n_percolating = counts[0];
    di.n_dead_end = counts[1];
    di.n_isolated = counts[2];
    result->eps_percolating = (double)counts[0] / nv;
    result->n_unknowns = counts[0];
    snprintf(result->backend, sizeof result->backend, "%s", use_hypre ? "hypre-mpi" : "gmg-mpi");
    if (rc == SSB_OK && counts[0] == 0) {
        /* as the serial solve (transport.c): no solver ran, backend "none", the same reason */
        result->percolates = 0;
        result->tau = result->tau_percolating = result->macmullin = INFINITY;
        result->converged = 1;
        snprintf(result->reason, sizeof result->reason, "%s", "no conducting path joins the two Dirichlet planes");
        snprintf(result->backend, sizeof result->backend, "%s", "none");
    } else if (rc == SSB_OK) {
        ssbi_slab_problem S = {dims[0], dims[1], nz, dims[2], z0, hlo, hhi, {hv[0], hv[1], hv[2]},
                          ssb_grid_get_labels_const(g), cls, sigma, axis, 0};
        S.gscale = smax * hv[0]; /* conductance of a voxel face of the best conductor, about */
        ssbi_dist_gmg_result gr;
        memset(&gr, 0, sizeof gr);
        rc = use_hypre ? solve_slab(ctx, &S, &par, &gr.iin, &gr.iout, &gr.iters, &gr.relres, &gr.peak_growth)
                       : ssbi_dist_gmg_solve(ctx, MPI_COMM_WORLD, &S, &par, &gr);
        rc = ssbi_dist_agree(ctx, rc);
        if (rc == SSB_OK) {
            /* gmg-mpi: tau from the variational current E(x) and its stopping rule (dist_gmg.c); hypre-mpi: from
               the inlet current at rtol on the residual (no error estimate: NaN, "not available") */
            result->percolates = 1;
            result->current_in = gr.iin;
            result->current_out = gr.iout;
            result->flux_mismatch = ssbi_transport_mismatch(gr.iin, gr.iout);
            result->sigma_eff = (use_hypre ? gr.iin : gr.ivar) * result->length / result->area;
            result->sigma_rel = result->sigma_bulk > 0 ? result->sigma_eff / result->sigma_bulk : 0.0;
            result->tau = result->sigma_eff > 0 ? result->eps * result->sigma_bulk / result->sigma_eff : INFINITY;
            result->tau_percolating =
                result->sigma_eff > 0 ? result->eps_percolating * result->sigma_bulk / result->sigma_eff : INFINITY;
            result->macmullin = result->sigma_eff > 0 ? result->sigma_bulk / result->sigma_eff : INFINITY;
            result->iterations = gr.iters;
            result->rel_residual = gr.relres;
            result->tau_rel_error_est = use_hypre ? NAN : gr.err_est;
            result->converged =
                use_hypre ? gr.relres <= par.rtol && result->flux_mismatch <= par.flux_tol : gr.converged;
            /* gmg-mpi without an estimate: the residual rule (a conductivity contrast above 1e3, transport_var.h);
               stopped by the iteration limit: the serial solvers' words */
            snprintf(result->reason, sizeof result->reason, "%s",
                     !result->converged ? "iteration limit reached before the stopping rule"
                     : use_hypre        ? "rtol and flux_tol reached (hypre Struct PCG + PFMG over MPI)"
                     : isnan(gr.err_est)
                         ? "rtol and flux_tol reached (multigrid K-cycle + flexible CG over MPI)"
                         : "tau to rtol by its error estimate, residual sqrt(rtol), flux_tol reached "
                           "(multigrid K-cycle + flexible CG over MPI)");
            if (!result->converged && result->iterations >= par.max_iter)
                snprintf(result->reason, sizeof result->reason, "max_iter = %lld reached", (long long)par.max_iter);
            di.peak_bytes_rank = (int64_t)(nloc + 2 * nxy) * 2 + gr.peak_growth;
        }
    }
    const double t3 = wtime();
    free(cls);
    ssb_grid_destroy(&g);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    MPI_Allreduce(&di.peak_bytes_rank, &di.peak_bytes_max, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    result->peak_bytes = di.peak_bytes_max;
    result->time_s = t3 - t0;
    result->setup_time_s = t2 - t1;
    di.read_time_s = t1 - t0;
    di.label_time_s = t2 - t1;
    di.solve_time_s = t3 - t2;
    MPI_Bcast(&result->time_s, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (info)
        *info = di;
    if (par.error_if_not_converged && result->percolates && !result->converged)
        return SSB_ERROR(ctx, SSB_ERR_NOCONV,
                         "distributed transport did not converge: relative residual %.3g after %lld iterations "
                         "(rtol %.3g), flux mismatch %.3g (flux_tol %.3g)",
                         result->rel_residual, (long long)result->iterations, par.rtol, result->flux_mismatch,
                         par.flux_tol);
    return SSB_OK;
}

/* The phase table of a distributed run must see every plane's labels: each rank counts its slab (read without halos,
 * one rank per plane at most), and the tables are summed. The slab is read in pieces of at most
 * DIST_HIST_CHUNK_BYTES (at least one plane): this pass runs before the solver's or the analysis's memory check, so
 * an image too large for the ranks is refused there without having been held in memory here (it was: 1 byte per
 * voxel of every slab). */
#define DIST_HIST_CHUNK_BYTES (64 << 20)
int ssb_dist_histogram_file(ssb_ctx *ctx, const char *path, const ssb_io_read_params *rp, int64_t hist[256])
{
    SSB_REQUIRE(ctx, path && hist, SSB_ERR_ARG, "ssb_dist_histogram_file: NULL argument");
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        SSB_CHECK(ctx, ssb_dist_init(NULL, NULL));
    int64_t dims[3];
    double hv[3];
    SSB_CHECK(ctx, ssbi_dist_open_image(ctx, path, rp, 1.0, dims, hv)); /* labels only: 1 byte per voxel */
    int size, rank;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int64_t z0, nz;
    ssb_dist_slab(dims[2], size, rank, &z0, &nz);
    const int64_t nxy = dims[0] * dims[1];
    const int64_t chunk = nxy < DIST_HIST_CHUNK_BYTES ? DIST_HIST_CHUNK_BYTES / nxy : 1;
    int64_t loc[256];
    memset(loc, 0, sizeof loc);
    int rc = SSB_OK;
    for (int64_t z = z0; z < z0 + nz && rc == SSB_OK; z += chunk) {
        ssb_io_read_params p = rp ? *rp : ssb_io_read_params_default();
        p.info = NULL;
        p.z0 = z;
        p.nz = z + chunk < z0 + nz ? chunk : z0 + nz - z;
        ssb_grid *g = NULL;
        rc = ssb_io_read_image(ctx, path, &p, &g);
        if (rc == SSB_OK) {
            int64_t h[256];
            ssb_grid_histogram(g, h);
            for (int k = 0; k < 256; k++)
                loc[k] += h[k];
        }
        ssb_grid_destroy(&g);
    }
    rc = ssbi_dist_agree(ctx, rc);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    MPI_Allreduce(loc, hist, 256, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    return SSB_OK;
}
#endif
