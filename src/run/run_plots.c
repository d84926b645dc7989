/* run: the plots of a finished run, drawn by the report layer's figures of a rate sweep (ssb_report.h). */
#include "run_impl.h"

#include <ssbnet/ssb_plot.h>

#include <string.h>

static void add_name(char *written, size_t n, const char *stem, const char *ext)
{
    if (!written)
        return;
    size_t len = strlen(written);
    if (len < n)
        snprintf(written + len, n - len, "%s%s.%s", len ? ", " : "", stem, ext);
}

int ssb_run_write_plots(ssb_ctx *ctx, const ssb_run_result *res, const char *outdir, char *written, size_t n)
{
    SSB_REQUIRE(ctx, res && outdir && res->stage >= 4, SSB_ERR_ARG, "ssb_run_write_plots: no cell results");
    const char *ext = ssb_plot_available(".png") ? "png" : "svg";
    int nr = res->nrates, npts[SSB_RUN_MAX_RATES];
    double crates[SSB_RUN_MAX_RATES], cap[SSB_RUN_MAX_RATES];
    const double *q[SSB_RUN_MAX_RATES], *v[SSB_RUN_MAX_RATES];
    double loss[SSB_CELL_LOSS_COUNT * SSB_RUN_MAX_RATES];
    const char *labels[SSB_CELL_LOSS_COUNT];
    for (int i = 0; i < nr; i++) {
        crates[i] = res->points[i].crate;
        cap[i] = res->points[i].capacity;
        npts[i] = ssb_cell_result_npoints(res->curves[i]);
        q[i] = ssb_cell_result_series(res->curves[i], SSB_CELL_Q);
        v[i] = ssb_cell_result_series(res->curves[i], SSB_CELL_V);
    }
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        labels[k] = ssb_cell_loss_label((ssb_cell_loss)k);
        for (int i = 0; i < nr; i++)
            loss[k * nr + i] = res->points[i].mean.loss[k];
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/voltage_curves.%s", outdir, ext);
    SSB_CHECK(ctx, ssb_report_plot_discharge(ctx, path, nr, crates, npts, q, v));
    add_name(written, n, "voltage_curves", ext);
    snprintf(path, sizeof path, "%s/rate_capability.%s", outdir, ext);
    SSB_CHECK(ctx, ssb_report_plot_rate_capability(ctx, path, nr, crates, cap));
    add_name(written, n, "rate_capability", ext);
    snprintf(path, sizeof path, "%s/overpotential_breakdown.%s", outdir, ext);
    SSB_CHECK(ctx, ssb_report_plot_breakdown(ctx, path, nr, crates, SSB_CELL_LOSS_COUNT, labels, loss));
    add_name(written, n, "overpotential_breakdown", ext);
    return SSB_OK;
}
