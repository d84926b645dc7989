/* Benchmark driver of the transport module (not a test): solves one image several times and prints medians.
 *
 *   bench_transport IMAGE.tif [options]
 *     --label L         conducting label (repeatable; default 255 if present else 1)
 *     --range LO HI     conducting gray range [LO, HI] (instead of --label)
 *     --axis x|y|z      transport axis (default z; "all" runs x, y and z)
 *     --backend NAME    gmg | hypre | auto (default auto)
 *     --rtol R          relative residual (default 1e-8)
 *     --repeat N        runs per axis, median reported (default 3)
 *     --crop N          use the N x N x N corner sub-volume
 *     --tile K          K x K x K mirrored copies of the (cropped) image (a large volume of the same statistics)
 *     --dirichlet face|cell
 *     --threads N
 *     --lean -1|0|1|2  gmg level-0 storage (ssb_transport_params.lean: 0 indices, 1 lean, 2 compact; default -1
 *                      = auto)
 * One line per run and one "median" line per axis: tau, sigma_rel, eps, iterations, wall, setup, Mvox/s,
 * CPU time of the solve (getrusage, user + system, all threads), solver bytes per voxel and per unknown, and the
 * process peak RSS (VmHWM). First a STREAM-like triad (memory
 * bandwidth), and per axis the bandwidth bound of the iterations: one pass over the solver's arrays (peak_bytes) per
 * iteration at the triad's rate, against the measured time of the iterations (wall - set-up: the percolation
 * analysis is in it). The multigrid cycle reads level 0 several times per iteration, so the measured time is a few
 * times that bound even when the solve is bandwidth-limited. */
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long vmhwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* STREAM-like triad a = b + s c over three arrays of 2^24 doubles (384 MB, far beyond the caches), nt threads, the
 * best of 5 runs in GB/s, counting 24 bytes per element as STREAM does (McCalpin, STREAM benchmark, 1995). */
typedef struct {
    double *a, *b, *c;
    size_t i0, i1;
} triad_part;

static void *triad_run(void *arg)
{
    const triad_part *t = arg;
    for (size_t i = t->i0; i < t->i1; i++) t->a[i] = t->b[i] + 3.0 * t->c[i];
    return NULL;
}

static double triad_gbs(int nt)
{
    const size_t n = (size_t)1 << 24;
    double *a = malloc(n * 8), *b = malloc(n * 8), *c = malloc(n * 8);
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = 0.0;
        b[i] = 1.0;
        c[i] = 2.0;
    }
    if (nt < 1) nt = 1;
    if (nt > 64) nt = 64;
    pthread_t th[64];
    triad_part part[64];
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int k = 0; k < nt; k++) {
            part[k] = (triad_part){a, b, c, n * (size_t)k / (size_t)nt, n * (size_t)(k + 1) / (size_t)nt};
            if (k > 0 && pthread_create(&th[k], NULL, triad_run, &part[k]) != 0) triad_run(&part[k]), th[k] = 0;
        }
        triad_run(&part[0]);
        for (int k = 1; k < nt; k++)
            if (th[k]) pthread_join(th[k], NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        const double gbs = 24.0 * (double)n / dt / 1e9;
        if (gbs > best) best = gbs;
    }
    volatile double sink = a[n / 2];
    (void)sink;
    free(a);
    free(b);
    free(c);
    return best;
}

/* CPU time (user + system) of the process so far, all threads (s): on a shared machine the wall time depends on
 * the other jobs, the CPU time much less. */
static double cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE.tif [--label L] [--range LO HI] [--axis x|y|z|all] [--backend B] "
                        "[--rtol R] [--repeat N] [--crop N] [--dirichlet face|cell] [--threads N]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int labels[256], nlab = 0, lo = -1, hi = -1, repeat = 3, crop = 0, tile = 1;
    const char *axes = "z";
    ssb_transport_params par = ssb_transport_params_default();
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--label") && i + 1 < argc) labels[nlab++] = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--range") && i + 2 < argc) {
            lo = atoi(argv[++i]);
            hi = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--axis") && i + 1 < argc) axes = argv[++i];
        else if (!strcmp(argv[i], "--backend") && i + 1 < argc) snprintf(par.backend, sizeof par.backend, "%s", argv[++i]);
        else if (!strcmp(argv[i], "--rtol") && i + 1 < argc) par.rtol = atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--crop") && i + 1 < argc) crop = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) par.nthreads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lean") && i + 1 < argc) par.lean = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tile") && i + 1 < argc) tile = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dirichlet") && i + 1 < argc)
            par.dirichlet = !strcmp(argv[++i], "cell") ? SSB_DIRICHLET_CELL : SSB_DIRICHLET_FACE;
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (repeat < 1) repeat = 1;
    int tnt = par.nthreads;
    if (tnt <= 0 && getenv("OMP_NUM_THREADS")) tnt = atoi(getenv("OMP_NUM_THREADS"));
    if (tnt <= 0) tnt = (int)sysconf(_SC_NPROCESSORS_ONLN);
    const double triad = triad_gbs(tnt);
    printf("triad (STREAM-like a = b + s c, 3 x 128 MiB, %d thread(s), best of 5): %.2f GB/s\n", tnt, triad);
    ssb_ctx *ctx = NULL;
    ssb_ctx_create(&ctx);
    ssb_grid *g = NULL;
    if (ssb_io_read_image(ctx, path, NULL, &g) != SSB_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, ssb_ctx_get_error(ctx));
        return 1;
    }
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    if (crop > 0 && (crop < d[0] || crop < d[1] || crop < d[2])) {
        ssb_grid *c = NULL;
        int64_t cd[3] = {crop < d[0] ? crop : d[0], crop < d[1] ? crop : d[1], crop < d[2] ? crop : d[2]};
        ssb_grid_create(ctx, cd[0], cd[1], cd[2], 1e-6, 1e-6, 1e-6, &c);
        const uint8_t *s = ssb_grid_get_labels_const(g);
        uint8_t *t = ssb_grid_get_labels(c);
        for (int64_t z = 0; z < cd[2]; z++)
            for (int64_t y = 0; y < cd[1]; y++)
                memcpy(t + cd[0] * (y + cd[1] * z), s + d[0] * (y + d[1] * z), (size_t)cd[0]);
        ssb_grid_destroy(&g);
        g = c;
        memcpy(d, cd, sizeof d);
    }
    if (tile > 1 && tile <= 16) { /* mirror copies: K^3 times the voxels with the image's statistics, continuous */
        ssb_grid *c = NULL;
        const int64_t td[3] = {d[0] * tile, d[1] * tile, d[2] * tile};
        if (ssb_grid_create(ctx, td[0], td[1], td[2], 1e-6, 1e-6, 1e-6, &c) != SSB_OK) {
            fprintf(stderr, "cannot tile: %s\n", ssb_ctx_get_error(ctx));
            return 1;
        }
        const uint8_t *s = ssb_grid_get_labels_const(g);
        uint8_t *t = ssb_grid_get_labels(c);
        for (int64_t z = 0; z < td[2]; z++)
            for (int64_t y = 0; y < td[1]; y++)
                for (int64_t x = 0; x < td[0]; x++) {
                    int64_t sx = x % d[0], sy = y % d[1], sz = z % d[2];
                    if ((x / d[0]) & 1) sx = d[0] - 1 - sx;
                    if ((y / d[1]) & 1) sy = d[1] - 1 - sy;
                    if ((z / d[2]) & 1) sz = d[2] - 1 - sz;
                    t[x + td[0] * (y + td[1] * z)] = s[sx + d[0] * (sy + d[1] * sz)];
                }
        ssb_grid_destroy(&g);
        g = c;
        memcpy(d, td, sizeof d);
    }
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    double sigma[256] = {0};
    if (lo >= 0) {
        for (int k = lo; k <= hi && k < 256; k++) sigma[k] = 1.0;
    } else if (nlab > 0) {
        for (int k = 0; k < nlab; k++) sigma[labels[k] & 255] = 1.0;
    } else {
        sigma[hist[255] > 0 ? 255 : 1] = 1.0;
    }
    const int64_t nv = d[0] * d[1] * d[2];
    printf("image %s: %lld x %lld x %lld = %lld voxels, backend %s, rtol %g, %d run(s) per axis\n", path,
           (long long)d[0], (long long)d[1], (long long)d[2], (long long)nv, par.backend, par.rtol, repeat);
    const char *axlist = !strcmp(axes, "all") ? "xyz" : axes;
    int status = 0;
    for (const char *a = axlist; *a; a++) {
        ssb_axis ax;
        if (ssb_axis_parse(ctx, (char[]){*a, 0}, &ax) != SSB_OK) return 2;
        double *tw = calloc((size_t)repeat, sizeof(double)), *ti = calloc((size_t)repeat, sizeof(double));
        double *tc = calloc((size_t)repeat, sizeof(double));
        ssb_transport_result res;
        memset(&res, 0, sizeof res);
        for (int r = 0; r < repeat; r++) {
            const double c0 = cpu_s();
            int rc = ssb_transport_solve(ctx, g, sigma, ax, &par, &res);
            tc[r] = cpu_s() - c0;
            if (rc != SSB_OK) {
                fprintf(stderr, "solve failed: %s\n", ssb_ctx_get_error(ctx));
                return 1;
            }
            tw[r] = res.time_s;
            ti[r] = res.time_s - res.setup_time_s;
            printf("run %d axis %s: tau %.6f sigma_rel %.6f eps %.6f eps_perc %.6f iters %lld relres %.2e "
                   "mismatch %.2e conv %d wall %.3f s setup %.3f s cpu %.3f s  %.2f Mvox/s  solver %.1f B/voxel "
                   "%.1f B/unknown  VmHWM %.2f GB\n",
                   r, ssb_axis_name(ax), res.tau, res.sigma_rel, res.eps, res.eps_percolating,
                   (long long)res.iterations, res.rel_residual, res.flux_mismatch, res.converged, res.time_s,
                   res.setup_time_s, tc[r], (double)nv / res.time_s / 1e6, (double)res.peak_bytes / (double)nv,
                   res.n_unknowns > 0 ? (double)res.peak_bytes / (double)res.n_unknowns : 0.0,
                   (double)vmhwm_kb() / 1048576.0);
            fflush(stdout);
            if (!res.converged) status = 3;
        }
        qsort(tw, (size_t)repeat, sizeof(double), cmpd);
        double med = tw[repeat / 2];
        qsort(ti, (size_t)repeat, sizeof(double), cmpd);
        qsort(tc, (size_t)repeat, sizeof(double), cmpd);
        const double medi = ti[repeat / 2], bound = (double)res.iterations * (double)res.peak_bytes / (triad * 1e9);
        printf("median axis %s: tau %.6f wall %.3f s cpu %.3f s  %.2f Mvox/s  %.2f Munknowns/s  iters %lld  solver %.1f "
               "B/voxel  VmHWM %.2f GB\n",
               ssb_axis_name(ax), res.tau, med, tc[repeat / 2], (double)nv / med / 1e6, (double)res.n_unknowns / med / 1e6,
               (long long)res.iterations, (double)res.peak_bytes / (double)nv, (double)vmhwm_kb() / 1048576.0);
        if (triad > 0.0 && res.iterations > 0)
            printf("bandwidth axis %s: iterations %.3f s (median wall - setup); %lld passes over the %.2f GB of solver "
                   "arrays at the triad's %.2f GB/s: %.3f s; measured = %.1f x that bound\n",
                   ssb_axis_name(ax), medi, (long long)res.iterations, (double)res.peak_bytes / 1e9, triad, bound,
                   medi / bound);
        fflush(stdout);
        free(tw);
        free(ti);
        free(tc);
    }
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    return status;
}
