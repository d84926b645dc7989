/* iface benchmark: 500 cycles of the default cell at 1C/1C with interface ageing (target < 30 s) and one
 * interphase growth curve (Li|LGPS, 61 points; target < 1 ms). Prints medians over --repeat runs. */
#include <ssbnet/ssb_cell.h>
#include <ssbnet/ssb_iface.h>
#include <ssbnet/ssb_materials.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define CHECK(call)                                                                                                    \
    do {                                                                                                               \
        if ((call) != SSB_OK) {                                                                                        \
            fprintf(stderr, "bench_iface: %s failed: %s\n", #call, ssb_ctx_get_error(ctx));                            \
            return 1;                                                                                                  \
        }                                                                                                              \
    } while (0)

int main(int argc, char **argv)
{
    int repeat = 3, cycles = 500;
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--repeat"))
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cycles"))
            cycles = atoi(argv[++i]);
    }
    if (repeat < 1 || repeat > 100 || cycles < 1)
        return 2;
    ssb_ctx *ctx = NULL;
    ssb_materials *mdb = NULL;
    ssb_iface_db *idb = NULL;
    ssb_cell_params *p = NULL;
    if (ssb_ctx_create(&ctx))
        return 1;
    CHECK(ssb_materials_create(ctx, &mdb));
    CHECK(ssb_materials_load_builtin(ctx, mdb));
    CHECK(ssb_iface_db_load(ctx, NULL, &idb));
    CHECK(ssb_cell_params_default(ctx, mdb, &p));
    ssb_iface_ageing ag;
    CHECK(ssb_iface_ageing_from_cell(ctx, mdb, idb, p, NULL, &ag));
    ssb_iface_cycle_params cp = ssb_iface_cycle_params_default();
    cp.cycles = cycles;
    double tc[100], tg[100];
    ssb_iface_cycle_result r;
    for (int k = 0; k < repeat; k++) {
        double t0 = now();
        CHECK(ssb_iface_cycle_run(ctx, p, &ag, &cp, &r));
        tc[k] = now() - t0;
        if (k == repeat - 1)
            printf("%d cycles at 1C/1C (default cell, cathode|SE and Li|SE ageing): retention %.4f, fade %.4f "
                   "mAh/cm2 over %.0f h\n",
                   r.n, r.retention[r.n - 1], r.fade_total / 36000.0, r.hours);
        ssb_iface_cycle_result_destroy(&r);
    }
    const ssb_iface_record *rec = NULL;
    CHECK(ssb_iface_db_find(ctx, idb, mdb, "Li", "LGPS", &rec));
    double t[61], L[61], R[61];
    for (int i = 0; i < 61; i++)
        t[i] = 24 * 3600.0 * i / 60;
    for (int k = 0; k < repeat; k++) {
        int inner = 1000;
        double t0 = now();
        for (int j = 0; j < inner; j++)
            CHECK(ssb_iface_growth_curve(ctx, &rec->growth, 0.0, 298.15, 61, t, L, R));
        tg[k] = (now() - t0) / inner;
    }
    qsort(tc, (size_t)repeat, sizeof(double), cmp);
    qsort(tg, (size_t)repeat, sizeof(double), cmp);
    printf("cycling with ageing, %d cycles: %.2f s (median of %d; target < 30 s)\n", cycles, tc[repeat / 2], repeat);
    printf("one growth curve (61 points): %.3g us (median of %d x 1000; target < 1 ms)\n", tg[repeat / 2] * 1e6,
           repeat);
    ssb_cell_params_destroy(&p);
    ssb_iface_db_destroy(&idb);
    ssb_materials_destroy(&mdb);
    ssb_ctx_destroy(&ctx);
    return 0;
}
