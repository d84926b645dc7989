/* run: the plots of the chain (voltage curves, rate capability, overpotential breakdown), written through the
 * report layer's plot API (ssb_plot.h). */
#include "run_impl.h"

#include <ssbnet/ssb_plot.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int save(ssb_ctx *ctx, ssb_plot *fig, const char *outdir, const char *stem, const char *ext, char *written,
                size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.%s", outdir, stem, ext);
    SSB_CHECK(ctx, ssb_plot_save(ctx, fig, path));
    if (written) {
        size_t len = strlen(written);
        if (len < n)
            snprintf(written + len, n - len, "%s%s.%s", len ? ", " : "", stem, ext);
    }
    return SSB_OK;
}

static int plot_curves(ssb_ctx *ctx, const ssb_run_result *res, ssb_plot *fig)
{
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Discharge curves";
    ax.xlabel = "capacity [mAh/cm2]";
    ax.ylabel = "voltage [V]";
    SSB_CHECK(ctx, ssb_plot_set_axes(ctx, fig, 0, &ax));
    for (int i = 0; i < res->nrates; i++) {
        int n = ssb_cell_result_npoints(res->curves[i]);
        const double *q = ssb_cell_result_series(res->curves[i], SSB_CELL_Q);
        const double *v = ssb_cell_result_series(res->curves[i], SSB_CELL_V);
        if (n < 1 || !q || !v)
            continue;
        double *qm = ssbi_malloc(ctx, (size_t)n * sizeof *qm, "plot series");
        if (!qm)
            return SSB_ERR_NOMEM;
        for (int k = 0; k < n; k++)
            qm[k] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, q[k]);
        char label[32];
        snprintf(label, sizeof label, "%gC", res->points[i].crate);
        ssb_plot_series st = ssb_plot_series_default();
        st.label = label;
        int rc = ssb_plot_add_series(ctx, fig, 0, n, qm, v, &st);
        ssbi_free(qm);
        SSB_CHECK(ctx, rc);
    }
    return SSB_OK;
}

static int plot_rates(ssb_ctx *ctx, const ssb_run_result *res, ssb_plot *fig)
{
    double x[SSB_RUN_MAX_RATES], y[SSB_RUN_MAX_RATES];
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Rate capability";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "discharge capacity [mAh/cm2]";
    ax.xlog = res->nrates > 1;
    ax.ymin = 0;
    SSB_CHECK(ctx, ssb_plot_set_axes(ctx, fig, 0, &ax));
    for (int i = 0; i < res->nrates; i++) {
        x[i] = res->points[i].crate;
        y[i] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, res->points[i].capacity);
    }
    ssb_plot_series st = ssb_plot_series_default();
    st.style = SSB_PLOT_LINE_MARKERS;
    st.label = "capacity";
    return ssb_plot_add_series(ctx, fig, 0, res->nrates, x, y, &st);
}

static int plot_breakdown(ssb_ctx *ctx, const ssb_run_result *res, ssb_plot *fig)
{
    double x[SSB_RUN_MAX_RATES], y[SSB_RUN_MAX_RATES];
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Overpotential breakdown (mean over each discharge)";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "overpotential [mV]";
    ax.xlog = res->nrates > 1;
    double ymax = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
        for (int i = 0; i < res->nrates; i++)
            ymax = fmax(ymax, ssb_unit_from_si(SSB_UNIT_MV, res->points[i].mean.loss[k]));
    ax.ymin = 0;
    ax.ymax = ymax > 0 ? 1.8 * ymax : 1; /* room for the legend above the curves */
    SSB_CHECK(ctx, ssb_plot_set_axes(ctx, fig, 0, &ax));
    for (int i = 0; i < res->nrates; i++)
        x[i] = res->points[i].crate;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        double mx = 0;
        for (int i = 0; i < res->nrates; i++) {
            y[i] = ssb_unit_from_si(SSB_UNIT_MV, res->points[i].mean.loss[k]);
            mx = fmax(mx, fabs(y[i]));
        }
        if (mx < 1e-3)
            continue; /* processes absent in this cell */
        ssb_plot_series st = ssb_plot_series_default();
        st.style = SSB_PLOT_LINE_MARKERS;
        st.label = ssb_cell_loss_label((ssb_cell_loss)k);
        SSB_CHECK(ctx, ssb_plot_add_series(ctx, fig, 0, res->nrates, x, y, &st));
    }
    return SSB_OK;
}

int ssb_run_write_plots(ssb_ctx *ctx, const ssb_run_result *res, const char *outdir, char *written, size_t n)
{
    SSB_REQUIRE(ctx, res && outdir && res->stage >= 4, SSB_ERR_ARG, "ssb_run_write_plots: no cell results");
    const char *ext = ssb_plot_available(".png") ? "png" : "svg";
    static const char *const stems[3] = {"voltage_curves", "rate_capability", "overpotential_breakdown"};
    int (*const fill[3])(ssb_ctx *, const ssb_run_result *, ssb_plot *) = {plot_curves, plot_rates, plot_breakdown};
    for (int k = 0; k < 3; k++) {
        ssb_plot *fig = NULL;
        SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 900, 650, &fig));
        int rc = fill[k](ctx, res, fig);
        if (rc == SSB_OK)
            rc = save(ctx, fig, outdir, stems[k], ext, written, n);
        ssb_plot_destroy(&fig);
        if (rc != SSB_OK)
            return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return SSB_OK;
}
