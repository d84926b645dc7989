/* Impedance benchmarks (issue 3): a CNLS fit of a three-arc circuit to 60 points (target < 10 ms median) and the
 * DRT of 100 frequencies with GCV (target < 200 ms median). Spectra are simulated from known circuits with seeded
 * noise. Prints medians of N runs. */
#include <ssbnet/ssb_eis.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CHECK(call)                                                                                               \
    do {                                                                                                          \
        int rc_ = (call);                                                                                         \
        if (rc_ != SSB_OK) {                                                                                      \
            fprintf(stderr, "%s failed: %s\n", #call, ssb_ctx_get_error(ctx));                                    \
            return 1;                                                                                             \
        }                                                                                                         \
    } while (0)

int main(int argc, char **argv)
{
    int nrep = argc > 1 ? atoi(argv[1]) : 31;
    if (nrep < 3 || nrep > 1001) nrep = 31;
    double *t = malloc((size_t)nrep * sizeof *t);
    ssb_ctx *ctx = NULL;
    if (!t || ssb_ctx_create(&ctx) != SSB_OK) return 1;

    /* three-arc fit */
    ssb_eis_circuit *c = NULL;
    CHECK(ssb_eis_circuit_parse(ctx, "R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3)", &c));
    const double pt[10] = {11.3, 52.0, 3.1e-6, 0.91, 137.0, 2.2e-4, 0.84, 410.0, 0.031, 0.77};
    const double g[10] = {10, 40, 1e-6, 0.9, 100, 1e-4, 0.9, 300, 0.01, 0.9};
    ssb_eis_spectrum *s = NULL;
    CHECK(ssb_eis_circuit_simulate(ctx, c, pt, 0.01, 1e4, 10, &s));
    s->n = 60;
    ssb_rng rng;
    ssb_rng_seed(&rng, 99);
    for (int64_t i = 0; i < s->n; i++) {
        s->zre[i] += 0.05 * ssb_rng_normal(&rng);
        s->zim[i] += 0.05 * ssb_rng_normal(&rng);
    }
    for (int k = 0; k < nrep; k++) {
        ssb_eis_fit_result *r = NULL;
        double t0 = now_s();
        CHECK(ssb_eis_fit(ctx, c, s, g, NULL, &r));
        t[k] = now_s() - t0;
        ssb_eis_fit_result_destroy(&r);
    }
    qsort(t, (size_t)nrep, sizeof *t, cmp_d);
    printf("eis fit   R0-p(R1,CPE1)-p(R2,CPE2)-p(R3,CPE3), 60 points: median %7.2f ms (min %.2f, max %.2f, %d runs; "
           "target < 10 ms)\n", 1e3 * t[nrep / 2], 1e3 * t[0], 1e3 * t[nrep - 1], nrep);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);

    /* DRT of 100 frequencies */
    CHECK(ssb_eis_circuit_parse(ctx, "R0-Zarc1-Zarc2", &c));
    const double p2[7] = {9.3, 42.0, 2.1e-4, 0.83, 77.0, 0.35, 0.71};
    CHECK(ssb_eis_circuit_simulate(ctx, c, p2, 0.01, 1e6, 13, &s));
    s->n = 100;
    ssb_rng_seed(&rng, 2015);
    for (int64_t i = 0; i < s->n; i++) {
        s->zre[i] += 0.3 * ssb_rng_normal(&rng);
        s->zim[i] += 0.3 * ssb_rng_normal(&rng);
    }
    int ndrt = nrep < 11 ? nrep : 11;
    for (int k = 0; k < ndrt; k++) {
        ssb_eis_drt_result *r = NULL;
        double t0 = now_s();
        CHECK(ssb_eis_drt(ctx, s, NULL, &r));
        t[k] = now_s() - t0;
        ssb_eis_drt_result_destroy(&r);
    }
    qsort(t, (size_t)ndrt, sizeof *t, cmp_d);
    printf("eis drt   100 frequencies, GCV lambda:                  median %7.2f ms (min %.2f, max %.2f, %d runs; "
           "target < 200 ms)\n", 1e3 * t[ndrt / 2], 1e3 * t[0], 1e3 * t[ndrt - 1], ndrt);
    ssb_eis_spectrum_destroy(&s);
    ssb_eis_circuit_destroy(&c);
    ssb_ctx_destroy(&ctx);
    free(t);
    return 0;
}
