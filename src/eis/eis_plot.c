/* Nyquist, Bode and DRT figures on top of ssb_plot. */
#include "eis_impl.h"

#include <ssbnet/ssb_plot.h>

#include "core_impl.h"

#include <math.h>
#include <stdlib.h>

#define PI_ 3.14159265358979323846

static int finish(ssb_ctx *ctx, ssb_plot **fig, const char *path, int rc)
{
    if (rc == SSB_OK) rc = ssb_plot_save(ctx, *fig, path);
    ssb_plot_destroy(fig);
    return rc;
}

int ssb_eis_plot_nyquist(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data,
                         const ssb_eis_spectrum *model, const char *title)
{
    SSB_REQUIRE(ctx, data != NULL && data->n >= 1, SSB_ERR_ARG, "Nyquist plot: no data");
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 800, 800, &fig));
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = title;
    ax.xlabel = "Z\xe2\x80\xb2 [\xce\xa9]";        /* Z′ [Ω] */
    ax.ylabel = "\xe2\x88\x92Z\xe2\x80\xb3 [\xce\xa9]"; /* −Z″ [Ω] */
    ax.equal_aspect = 1;
    int rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    double *ny = NULL;
    const ssb_eis_spectrum *sp[2] = {data, model};
    for (int k = 0; k < 2 && rc == SSB_OK; k++) {
        if (!sp[k]) continue;
        ny = malloc((size_t)sp[k]->n * sizeof(double));
        if (!ny) {
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "Nyquist plot: out of memory");
            break;
        }
        for (int64_t i = 0; i < sp[k]->n; i++) ny[i] = -sp[k]->zim[i];
        ssb_plot_series st = ssb_plot_series_default();
        st.label = k == 0 ? "data" : "model";
        st.style = k == 0 ? SSB_PLOT_MARKERS : SSB_PLOT_LINE;
        st.color = k == 0 ? 0 : 3;
        rc = ssb_plot_add_series(ctx, fig, 0, sp[k]->n, sp[k]->zre, ny, &st);
        free(ny);
        ny = NULL;
    }
    return finish(ctx, &fig, path, rc);
}

int ssb_eis_plot_bode(ssb_ctx *ctx, const char *path, const ssb_eis_spectrum *data, const ssb_eis_spectrum *model,
                      const char *title)
{
    SSB_REQUIRE(ctx, data != NULL && data->n >= 1, SSB_ERR_ARG, "Bode plot: no data");
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 2, 1, 800, 900, &fig));
    ssb_plot_axes a0 = ssb_plot_axes_default(), a1 = ssb_plot_axes_default();
    a0.title = title;
    a0.xlabel = "f [Hz]";
    a0.ylabel = "|Z| [\xce\xa9]";
    a0.xlog = a0.ylog = 1;
    a1.xlabel = "f [Hz]";
    a1.ylabel = "\xe2\x88\x92phase [\xc2\xb0]";
    a1.xlog = 1;
    a1.legend = 0;
    int rc = ssb_plot_set_axes(ctx, fig, 0, &a0);
    if (rc == SSB_OK) rc = ssb_plot_set_axes(ctx, fig, 1, &a1);
    const ssb_eis_spectrum *sp[2] = {data, model};
    for (int k = 0; k < 2 && rc == SSB_OK; k++) {
        if (!sp[k]) continue;
        double *mag = malloc((size_t)sp[k]->n * sizeof(double)), *ph = malloc((size_t)sp[k]->n * sizeof(double));
        if (!mag || !ph) {
            free(mag);
            free(ph);
            rc = SSB_ERROR(ctx, SSB_ERR_NOMEM, "Bode plot: out of memory");
            break;
        }
        for (int64_t i = 0; i < sp[k]->n; i++) {
            mag[i] = hypot(sp[k]->zre[i], sp[k]->zim[i]);
            ph[i] = -atan2(sp[k]->zim[i], sp[k]->zre[i]) * 180.0 / PI_;
        }
        ssb_plot_series st = ssb_plot_series_default();
        st.label = k == 0 ? "data" : "model";
        st.style = k == 0 ? SSB_PLOT_MARKERS : SSB_PLOT_LINE;
        st.color = k == 0 ? 0 : 3;
        rc = ssb_plot_add_series(ctx, fig, 0, sp[k]->n, sp[k]->f, mag, &st);
        if (rc == SSB_OK) rc = ssb_plot_add_series(ctx, fig, 1, sp[k]->n, sp[k]->f, ph, &st);
        free(mag);
        free(ph);
    }
    return finish(ctx, &fig, path, rc);
}

int ssb_eis_plot_drt(ssb_ctx *ctx, const char *path, const ssb_eis_drt_result *drt, const char *title)
{
    SSB_REQUIRE(ctx, drt != NULL && drt->ntau >= 1, SSB_ERR_ARG, "DRT plot: no DRT");
    ssb_plot *fig = NULL;
    SSB_CHECK(ctx, ssb_plot_create(ctx, 1, 1, 900, 600, &fig));
    ssb_plot_axes ax = ssb_plot_axes_default();
    ax.title = title;
    ax.xlabel = "\xcf\x84 [s]"; /* τ [s] */
    ax.ylabel = "\xce\xb3(\xcf\x84) [\xce\xa9]";
    ax.xlog = 1;
    int rc = ssb_plot_set_axes(ctx, fig, 0, &ax);
    ssb_plot_series st = ssb_plot_series_default();
    st.label = "\xce\xb3(\xcf\x84)";
    st.color = 0;
    if (rc == SSB_OK) rc = ssb_plot_add_series(ctx, fig, 0, drt->ntau, drt->tau, drt->gamma, &st);
    if (rc == SSB_OK && drt->npeaks > 0) {
        ssb_plot_series pk = ssb_plot_series_default();
        pk.label = "peaks";
        pk.style = SSB_PLOT_MARKERS;
        pk.color = 3;
        pk.marker_size = 1.4;
        rc = ssb_plot_add_series(ctx, fig, 0, drt->npeaks, drt->peak_tau, drt->peak_gamma, &pk);
    }
    return finish(ctx, &fig, path, rc);
}
