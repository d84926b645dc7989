/*
 * ssb_html.h - one self-contained HTML page per run: headings, paragraphs, tables (from the report layer's field
 * tables, ssb_report.h, units in the headers), plots drawn as inline SVG by ssbnet's own small SVG writer (line
 * plots with several series, bar charts, a Ragone plot with log axes) and microstructure slices coloured by
 * network class. The page loads nothing from outside (no external script, style sheet, font or image): CSS is
 * inline, every figure is an <svg> element in the page.
 *
 * Usage: create -> add_* in reading order -> write (atomic: PATH.tmp.XXXXXX renamed onto PATH) -> destroy.
 *
 * Names a test can count: every figure is <figure class="ssb-figure" id="ID"> holding one <svg class="ssb-plot">
 * (plots) or <svg class="ssb-slice"> (slices); a series is <g class="ssb-series" id="ID-sK">, with its line as
 * <path class="ssb-line"> and its points as <circle class="ssb-marker">; a bar is <rect class="ssb-bar">; axes are
 * <g class="ssb-axis ssb-axis-x|y"> with <line class="ssb-tick"> and <text class="ssb-tick-label">; a slice
 * region is <rect class="ssb-voxels ssb-class-NAME">. A small inline script (the page's only one) checks, once
 * the page is laid out, that every <svg> has drawn elements with a nonzero bounding box and sets
 * data-ssb-plots="N/M" (plots drawn / plots) and data-ssb-status="ok" (or "fail: ID ...") on <html>; a headless
 * browser's DOM dump shows them (tests/cli/test_html.sh).
 *
 * Text: every string given is UTF-8 and is escaped (& < > " ') before it reaches the page. Numbers: %g.
 * Ownership: the page owns everything added (strings and data are copied into the page's text at once).
 * Errors: SSB_ERR_ARG (NULL page / arrays), SSB_ERR_RANGE (sizes, counts), SSB_ERR_NOMEM, SSB_ERR_IO (write).
 * Thread-safety: distinct pages may be built concurrently.
 */
#ifndef SSB_HTML_H
#define SSB_HTML_H

#include <ssbnet/ssb_core.h>
#include <ssbnet/ssb_grid.h>
#include <ssbnet/ssb_micro_analysis.h>
#include <ssbnet/ssb_report.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ssb_html ssb_html;

/* A new empty page titled title (escaped; NULL: "ssbnet report"). Errors: SSB_ERR_ARG, SSB_ERR_NOMEM. */
int ssb_html_create(ssb_ctx *ctx, const char *title, ssb_html **page);
/* Free the page and set *page = NULL; no-op on NULL. */
void ssb_html_destroy(ssb_html **page);

/* <hN> of level 1..4. */
int ssb_html_add_heading(ssb_ctx *ctx, ssb_html *page, int level, const char *text);
/* <p> of text. */
int ssb_html_add_paragraph(ssb_ctx *ctx, ssb_html *page, const char *text);
/* A table of n rows of a report type (row i at (const char *)rows + i * stride): the headers are the fields'
 * headers with their units ("capacity [mAh/cm2]"), the cells the fields' table formats, exactly as the CLI's
 * tables. caption may be NULL. n 0..100000. */
int ssb_html_add_table(ssb_ctx *ctx, ssb_html *page, const char *caption, const ssb_report_type *t, const void *rows,
                       int n, size_t stride);
/* A table of text cells: ncols headers (units in them), nrows x ncols cells (row-major, NULL prints "-"). */
int ssb_html_add_text_table(ssb_ctx *ctx, ssb_html *page, const char *caption, int ncols,
                            const char *const *headers, int nrows, const char *const *cells);

/* A plot's frame. Defaults (ssb_html_plot_params_default) in brackets. */
typedef struct {
    const char *id;     /* element id of the figure: letters, digits, '-' and '_' [NULL: "plot-K", K counting] */
    const char *title;  /* [NULL] */
    const char *xlabel; /* with the unit, e.g. "capacity [mAh/cm2]" [NULL] */
    const char *ylabel; /* [NULL] */
    int xlog, ylog;     /* logarithmic axes; points <= 0 on a log axis are left out [0] */
    int width, height;  /* pixels [640 x 400], 200..4000 each */
} ssb_html_plot_params;
ssb_html_plot_params ssb_html_plot_params_default(void);

/* One series of a line plot: n points (x[i], y[i]) in the units of the axis labels; a non-finite point breaks
 * the line. */
typedef struct {
    const char *label; /* legend text [NULL: no legend entry] */
    int n;             /* >= 1 */
    const double *x, *y;
    int line;    /* join the points [1] */
    int markers; /* a marker at each point [0] */
} ssb_html_series;

/* A line plot of nseries (1..32) series. The axis ranges come from the finite points (4 % margin; log axes to
 * whole decades around them); a plot without a single drawable point is SSB_ERR_RANGE naming its id. */
int ssb_html_add_line_plot(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int nseries,
                           const ssb_html_series *s);
/* A grouped bar chart: ncat categories (1..64) on x, nseries (1..16) bars per category, value of series k in
 * category c at values[k * ncat + c] (non-finite: no bar). y from min(0, values) to max(0, values). */
int ssb_html_add_bar_chart(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int ncat,
                           const char *const *categories, int nseries, const char *const *series_labels,
                           const double *values);
/* A Ragone plot: specific energy against power density, both axes logarithmic. Inputs in SI: series k has
 * s[k].n points of power density x [W/kg] and specific energy y [J/kg], shown in Wh/kg through the units table.
 * p's labels are replaced by "power density [W/kg]" and "specific energy [Wh/kg]"; markers are always drawn. */
int ssb_html_add_ragone(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int nseries,
                        const ssb_html_series *s);

/* Network class of a voxel in a composite electrode (ssb_html_network_classes). */
typedef enum {
    SSB_HTML_CLASS_OTHER = 0,     /* pores, binder, anything outside the networks below */
    SSB_HTML_CLASS_CAM_ACTIVE,    /* active CAM (ssb_micro_cam_classify) */
    SSB_HTML_CLASS_CAM_DEAD_NO_E, /* dead CAM: no electronic path */
    SSB_HTML_CLASS_CAM_DEAD_NO_LI, /* dead CAM: no ionic path */
    SSB_HTML_CLASS_CAM_DEAD_NEITHER,
    SSB_HTML_CLASS_ION_PERC,  /* ionic network (SE, GB, conducting coating) connected to both planes */
    SSB_HTML_CLASS_ION_DEAD,  /* ionic network voxel not connected to both planes */
    SSB_HTML_CLASS_ELEC_PERC, /* carbon (electronic network other than CAM) connected to both planes through the
                                 electronic network (CAM + carbon) */
    SSB_HTML_CLASS_ELEC_DEAD, /* carbon not on such a path */
    SSB_HTML_CLASS_COUNT
} ssb_html_class;
/* "other", "cam-active", "cam-dead-no-e", "cam-dead-no-li", "cam-dead-neither", "ion-percolating",
 * "ion-dead", "elec-percolating", "elec-dead" (the CSS class suffix); NULL for an invalid class. */
const char *ssb_html_class_name(ssb_html_class c);

/* The network class of every voxel of g (cls: nvoxels bytes, caller-owned; counts (optional) per class) along
 * cam->axis with the current collector at cam->cc_side (NULL: ssb_micro_cam_params_default). The CAM classes are
 * those of ssb_micro_cam_classify; the ionic and electronic networks are its sets with 6-connectivity, percolating
 * when connected to both planes normal to the axis (ssb_grid_through_mask). Errors: those of
 * ssb_micro_cam_classify (a grid without CAM is SSB_ERR_NOTFOUND), SSB_ERR_NOMEM. */
int ssb_html_network_classes(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *cam, uint8_t *cls,
                             int64_t counts[SSB_HTML_CLASS_COUNT]);
/* A slice through cls (from ssb_html_network_classes on a grid of dims) normal to axis at index (-1: the middle),
 * drawn as an <svg class="ssb-slice"> of merged runs of equal class (one <rect> per run) with a legend of the
 * classes present and their area fraction in the slice; at most max_px (0: 480) pixels on its longer side.
 * Errors: SSB_ERR_RANGE (index outside the grid, a class code >= SSB_HTML_CLASS_COUNT). */
int ssb_html_add_slice(ssb_ctx *ctx, ssb_html *page, const char *id, const char *caption, const int64_t dims[3],
                       const uint8_t *cls, ssb_axis axis, int64_t index, int max_px);

/* Write the page to path, atomically. The page stays usable (more can be added and written again). */
int ssb_html_write(ssb_ctx *ctx, const ssb_html *page, const char *path);
/* The complete document as it would be written (NUL-terminated, caller frees with free()). */
int ssb_html_render(ssb_ctx *ctx, const ssb_html *page, char **text);

#ifdef __cplusplus
}
#endif
#endif
