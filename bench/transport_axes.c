/* Three axes with one transport set-up vs three independent solves (issue 9), and repeated solves with new
 * conductivities on one object vs fresh solves.
 *
 * usage: transport_axes IMAGE [--label L] [--crop N] [--repeat R]
 *   --label L   conducting label (default 255 if present, else 0)
 *   --crop N    the N x N x N corner sub-volume
 *   --repeat R  runs of each variant (default 3); medians are printed
 * Variant "independent": ssb_transport_solve along x, y, z (each call builds its own through-mask, phase map,
 * hierarchy). Variant "one setup": ssb_transport_create + ssb_transport_setup_all (one component labelling for the
 * three axes) + ssb_transport_compute along x, y, z. Variant "new sigma": after the three solves, the three axes again
 * with every conductivity times 1.37 (a temperature change of a single conducting phase): fresh solves vs computes
 * on the object (warm start from the stored solution, the kept multigrid hierarchy). The object releases each
 * axis after its two computes, so it holds one hierarchy at a time (the peak memory of the independent solves):
 * where the percolating set is the same along the three axes that is one hierarchy for the three (the shared path,
 * src/transport/interface/transport.c: its taus agree with the independent solves' to the solver tolerance, not
 * to the last bit), else one per axis.
 * Prints the taus of each variant (they must agree), the medians (wall time, and for the three axes also the CPU
 * time of the process, user + system, all threads), and the geometry set-up alone; per run the phases of the
 * one-setup variant (labelling, then per axis the multigrid set-up and the solve with its iterations). */
#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_io.h>
#include <ssbnet/ssb_transport.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time (user + system) of the process so far, all threads (s): less affected by the machine's load than the
 * wall time */
static double cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)ru.ru_stime.tv_usec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmpd);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(ssb_ctx *ctx, const char *what)
{
    fprintf(stderr, "transport_axes: %s: %s\n", what, ssb_ctx_get_error(ctx));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [--label L] [--crop N] [--repeat R]\n", argv[0]);
        return 2;
    }
    int label = -1, crop = 0, repeat = 3;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--label") && i + 1 < argc)
            label = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--crop") && i + 1 < argc)
            crop = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else {
            fprintf(stderr, "transport_axes: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (repeat < 1 || repeat > 50)
        repeat = 3;
    ssb_ctx *ctx = NULL;
    if (ssb_ctx_create(&ctx) != SSB_OK)
        return 1;
    ssb_grid *g = NULL;
    if (ssb_io_read_image(ctx, argv[1], NULL, &g) != SSB_OK)
        return fail(ctx, argv[1]);
    int64_t d[3];
    ssb_grid_get_dims(g, d);
    if (crop > 0 && (crop < d[0] || crop < d[1] || crop < d[2])) {
        ssb_grid *c = NULL;
        int64_t cd[3] = {crop < d[0] ? crop : d[0], crop < d[1] ? crop : d[1], crop < d[2] ? crop : d[2]};
        if (ssb_grid_create(ctx, cd[0], cd[1], cd[2], 1e-6, 1e-6, 1e-6, &c) != SSB_OK)
            return fail(ctx, "crop");
        const uint8_t *s = ssb_grid_get_labels_const(g);
        uint8_t *t = ssb_grid_get_labels(c);
        for (int64_t z = 0; z < cd[2]; z++)
            for (int64_t y = 0; y < cd[1]; y++)
                memcpy(t + cd[0] * (y + cd[1] * z), s + d[0] * (y + d[1] * z), (size_t)cd[0]);
        ssb_grid_destroy(&g);
        g = c;
        memcpy(d, cd, sizeof d);
    }
    int64_t hist[256];
    ssb_grid_histogram(g, hist);
    if (label < 0)
        label = hist[255] > 0 ? 255 : 0;
    double sigma[256] = {0}, sigma2[256] = {0};
    sigma[label & 255] = 1.0;
    sigma2[label & 255] = 1.37;
    printf("image %s: %lld x %lld x %lld, label %d (VF %.4f), %d runs per variant\n", argv[1], (long long)d[0],
           (long long)d[1], (long long)d[2], label, (double)hist[label & 255] / (double)(d[0] * d[1] * d[2]), repeat);

    double *t_ind = calloc((size_t)repeat, sizeof(double)), *t_one = calloc((size_t)repeat, sizeof(double));
    double *t_new_ind = calloc((size_t)repeat, sizeof(double)), *t_new_one = calloc((size_t)repeat, sizeof(double));
    double *c_ind = calloc((size_t)repeat, sizeof(double)), *c_one = calloc((size_t)repeat, sizeof(double));
    if (!t_ind || !t_one || !t_new_ind || !t_new_one || !c_ind || !c_one)
        return 1;
    double tau_ind[3] = {0}, tau_one[3] = {0}, tau_new[3] = {0};
    long long it_new_ind = 0, it_new_one = 0;
    ssb_transport_result r;
    for (int k = 0; k < repeat; k++) {
        /* interleave the variants, alternating which goes first, so that the machine's load affects them alike */
        for (int pass = 0; pass < 2; pass++) {
            if ((pass == 0) == (k % 2 == 0)) {
                double t0 = wtime(), c0 = cpu_s();
                for (int a = 0; a < 3; a++) {
                    if (ssb_transport_solve(ctx, g, sigma, (ssb_axis)a, NULL, &r) != SSB_OK)
                        return fail(ctx, "solve");
                    tau_ind[a] = r.tau;
                }
                t_ind[k] = wtime() - t0;
                c_ind[k] = cpu_s() - c0;
                t0 = wtime();
                it_new_ind = 0;
                for (int a = 0; a < 3; a++) {
                    if (ssb_transport_solve(ctx, g, sigma2, (ssb_axis)a, NULL, &r) != SSB_OK)
                        return fail(ctx, "solve");
                    it_new_ind += r.iterations;
                }
                t_new_ind[k] = wtime() - t0;
            } else {
                ssb_transport *t = NULL;
                double t0 = wtime(), c0 = cpu_s(), c_new = 0.0;
                if (ssb_transport_create(ctx, g, NULL, &t) != SSB_OK)
                    return fail(ctx, "create");
                if (ssb_transport_setup_all(t, sigma) != SSB_OK)
                    return fail(ctx, "setup_all");
                t_one[k] = wtime() - t0; /* create + setup_all, then the solves below */
                t_new_one[k] = 0.0;
                it_new_one = 0;
                /* phases of the one-setup variant: the labelling (create + setup_all), then per axis the solver's
                 * set-up (multigrid hierarchy) and the solve (time_s - setup_time_s: the iterations with the axis's
                 * conductances, initial guess and renumbering, which are ~2 % of it) */
                char phases[256];
                int np = snprintf(phases, sizeof phases, "labelling %.3f s", t_one[k]);
                for (int a = 0; a < 3; a++) {
                    t0 = wtime();
                    if (ssb_transport_compute(t, sigma, (ssb_axis)a, &r) != SSB_OK)
                        return fail(ctx, "compute");
                    tau_one[a] = r.tau;
                    t_one[k] += wtime() - t0;
                    if (np > 0 && np < (int)sizeof phases)
                        np += snprintf(phases + np, sizeof phases - (size_t)np, "; %s: set-up %.3f s, solve %.3f s (%lld iterations)",
                                       ssb_axis_name((ssb_axis)a), r.setup_time_s, r.time_s - r.setup_time_s,
                                       (long long)r.iterations);
                    t0 = wtime();
                    const double c1 = cpu_s();
                    if (ssb_transport_compute(t, sigma2, (ssb_axis)a, &r) != SSB_OK)
                        return fail(ctx, "compute");
                    tau_new[a] = r.tau;
                    it_new_one += r.iterations;
                    t_new_one[k] += wtime() - t0;
                    c_new += cpu_s() - c1;
                    ssb_transport_release(t, (ssb_axis)a); /* one hierarchy at a time (see above) */
                }
                ssb_transport_destroy(&t);
                c_one[k] = cpu_s() - c0 - c_new; /* without the new-sigma computes */
                printf("run %d one setup, phases (wall): %s\n", k, phases);
            }
        }
        printf("run %d: independent %.3f s (cpu %.3f s), one setup %.3f s (cpu %.3f s); new sigma: fresh %.3f s, on the "
               "object %.3f s\n",
               k, t_ind[k], c_ind[k], t_one[k], c_one[k], t_new_ind[k], t_new_one[k]);
        fflush(stdout);
    }
    printf("tau x/y/z independent %.8f %.8f %.8f\n", tau_ind[0], tau_ind[1], tau_ind[2]);
    printf("tau x/y/z one setup   %.8f %.8f %.8f\n", tau_one[0], tau_one[1], tau_one[2]);
    printf("tau x/y/z new sigma   %.8f %.8f %.8f (iterations: fresh %lld, object %lld)\n", tau_new[0], tau_new[1],
           tau_new[2], it_new_ind, it_new_one);
    for (int a = 0; a < 3; a++)
        if (!(fabs(tau_one[a] - tau_ind[a]) <= 1e-8 * tau_ind[a]) ||
            !(fabs(tau_new[a] - tau_ind[a]) <= 1e-6 * tau_ind[a])) {
            fprintf(stderr, "transport_axes: the variants disagree on axis %d\n", a);
            return 1;
        }
    const double mi = median(t_ind, repeat), mo = median(t_one, repeat);
    printf("median three axes: independent %.3f s, one setup %.3f s (%.1f %% less)\n", mi, mo, 100.0 * (1.0 - mo / mi));
    const double ci = median(c_ind, repeat), co = median(c_one, repeat);
    printf("median cpu of the three axes: independent %.3f s, one setup %.3f s (%.1f %% less)\n", ci, co,
           100.0 * (1.0 - co / ci));
    /* the geometry alone: three per-axis set-ups (two flood fills each) vs one labelling for the three axes */
    double *t_g3 = calloc((size_t)repeat, sizeof(double)), *t_ga = calloc((size_t)repeat, sizeof(double));
    if (!t_g3 || !t_ga)
        return 1;
    for (int k = 0; k < repeat; k++) {
        ssb_transport *t = NULL;
        double t0 = wtime();
        if (ssb_transport_create(ctx, g, NULL, &t) != SSB_OK)
            return fail(ctx, "create");
        for (int a = 0; a < 3; a++)
            if (ssb_transport_setup(t, sigma, (ssb_axis)a) != SSB_OK)
                return fail(ctx, "setup");
        ssb_transport_destroy(&t);
        t_g3[k] = wtime() - t0;
        t0 = wtime();
        if (ssb_transport_create(ctx, g, NULL, &t) != SSB_OK)
            return fail(ctx, "create");
        if (ssb_transport_setup_all(t, sigma) != SSB_OK)
            return fail(ctx, "setup_all");
        ssb_transport_destroy(&t);
        t_ga[k] = wtime() - t0;
    }
    printf("median geometry of the three axes: per axis %.3f s, one labelling %.3f s\n", median(t_g3, repeat),
           median(t_ga, repeat));
    free(t_g3);
    free(t_ga);
    const double ni = median(t_new_ind, repeat), no = median(t_new_one, repeat);
    printf("median three axes with new sigma: fresh %.3f s, on the object %.3f s (%.1f %% less)\n", ni, no,
           100.0 * (1.0 - no / ni));
    free(t_ind);
    free(t_one);
    free(t_new_ind);
    free(t_new_one);
    free(c_ind);
    free(c_one);
    ssb_grid_destroy(&g);
    ssb_ctx_destroy(&ctx);
    return 0;
}
