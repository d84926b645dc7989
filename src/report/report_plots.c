/* The figures of a rate sweep (ssb_report.h): discharge curves, rate capability and overpotential breakdown, from
 * plain arrays in SI units, drawn through ssb_plot.h. The run module hands its results over; the figures' layout
 * (titles, display units, legend room) is defined here once. */
#include <ssbnet/ssb_plot.h>
#include <ssbnet/ssb_report.h>

#include "core_impl.h"

#include <math.h>
#include <stdlib.h>

static int save(ssb_ctx *ctx, ssb_plot *fig, const char *path)
{
    int rc = ssb_plot_save(ctx, fig, path);
    ssb_plot_destroy(&fig);
    return rc;
}

int ssb_report_plot_discharge(ssb_ctx *ctx, const char *path, int n, const double *crates, const int *npts,
                              const double *const *q, const double *const *v)
{
    SSB_REQUIRE(ctx, path && n >= 1 && crates && npts && q && v, SSB_ERR_ARG,
                "ssb_report_plot_discharge: bad argument");
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 900, 650, &fig));
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Discharge curves";
    ax.xlabel = "capacity [mAh/cm2]";
    ax.ylabel = "voltage [V]";
    int rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    for (int i = 0; i < n && rc == SSB_OK; i++) {
        if (npts[i] < 1 || !q[i] || !v[i])
            continue;
        double *qm = ssbi_malloc(ctx, (size_t)npts[i] * sizeof *qm, "plot series");
        if (!qm) {
            rc = SSB_ERR_NOMEM;
            break;
        }
        for (int k = 0; k < npts[i]; k++)
            qm[k] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, q[i][k]);
        char label[32];
        snprintf(label, sizeof label, "%gC", crates[i]);
        ssb_plot_series st = ssb_plot_series_default();
        st.label = label;
        rc = ssb_plot_add_series(ctx, fig, 0, npts[i], qm, v[i], &st);
        ssbi_free(qm);
    }
    if (rc != SSB_OK) {
        ssb_plot_destroy(&fig);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return save(ctx, fig, path);
}

int ssb_report_plot_rate_capability(ssb_ctx *ctx, const char *path, int n, const double *crates, const double *capacity)
{
    SSB_REQUIRE(ctx, path && n >= 1 && n <= 64 && crates && capacity, SSB_ERR_ARG,
                "ssb_report_plot_rate_capability: bad argument");
    double y[64];
    for (int i = 0; i < n; i++)
        y[i] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, capacity[i]);
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 900, 650, &fig));
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Rate capability";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "discharge capacity [mAh/cm2]";
    ax.xlog = n > 1;
    ax.ymin = 0;
    ssb_plot_series st = ssb_plot_series_default();
    st.style = SSB_PLOT_LINE_MARKERS;
    st.label = "capacity";
    int rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    if (rc == SSB_OK)
        rc = ssb_plot_add_series(ctx, fig, 0, n, crates, y, &st);
    if (rc != SSB_OK) {
        ssb_plot_destroy(&fig);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return save(ctx, fig, path);
}

int ssb_report_plot_breakdown(ssb_ctx *ctx, const char *path, int n, const double *crates, int nloss,
                              const char *const *labels, const double *loss)
{
    SSB_REQUIRE(ctx, path && n >= 1 && n <= 64 && crates && nloss >= 1 && labels && loss, SSB_ERR_ARG,
                "ssb_report_plot_breakdown: bad argument");
    double y[64], ymax = 0;
    for (int k = 0; k < nloss * n; k++)
        ymax = fmax(ymax, ssb_unit_from_si(SSB_UNIT_MV, loss[k]));
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 900, 650, &fig));
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = "Overpotential breakdown (mean over each discharge)";
    ax.xlabel = "C-rate [1/h]";
    ax.ylabel = "overpotential [mV]";
    ax.xlog = n > 1;
    ax.ymin = 0;
    ax.ymax = ymax > 0 ? 1.8 * ymax : 1; /* room for the legend above the curves */
    int rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    for (int k = 0; k < nloss && rc == SSB_OK; k++) {
        double mx = 0;
        for (int i = 0; i < n; i++) {
            y[i] = ssb_unit_from_si(SSB_UNIT_MV, loss[(size_t)k * (size_t)n + (size_t)i]);
            mx = fmax(mx, fabs(y[i]));
        }
        if (mx < 1e-3)
            continue; /* a process absent in this cell (under 1 uV) */
        ssb_plot_series st = ssb_plot_series_default();
        st.style = SSB_PLOT_LINE_MARKERS;
        st.label = labels[k];
        rc = ssb_plot_add_series(ctx, fig, 0, n, crates, y, &st);
    }
    if (rc != SSB_OK) {
        ssb_plot_destroy(&fig);
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    return save(ctx, fig, path);
}
