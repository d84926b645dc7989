/*
 * ssb_plot.h - a small plotting API (line and marker plots in one or more panels) written to PNG or SVG through
 * PLplot (https://plplot.sourceforge.net).
 *
 * Backend: PLplot 5.15 (Debian libplplot-dev). Its output drivers are loaded by PLplot at run time: PNG needs the
 * cairo driver ("pngcairo", Debian package plplot-driver-cairo); SVG uses "svgcairo" when present, else PLplot's
 * own "svg" driver (in libplplot17). Without a driver ssb_plot_save returns SSB_ERR_UNSUPPORTED naming the
 * package; ssb_plot_available() tells which formats work.
 *
 * THREAD SAFETY: PLplot keeps global state (the current stream, the driver table, the exit handler), so plotting
 * is NOT thread-safe: never call PLplot from other threads while ssb_plot_save runs. ssbnet serialises its own
 * ssb_plot_save / ssb_plot_available calls with an internal lock; building figures (create/add/set) is
 * reentrant on distinct figures. PLplot may print driver warnings on stderr; ssbnet itself never prints. A fatal
 * PLplot error (plexit) is caught with longjmp and returned as SSB_ERR_BACKEND instead of ending the process;
 * PLplot's state may then leak memory.
 *
 * Text: labels and titles are UTF-8 (cairo drivers render Unicode, e.g. "Ω", "τ"). PLplot's escape character is
 * '#': "#u"/"#d" start super-/subscripts, "##" prints '#'.
 *
 * Usage: create -> set_axes per panel -> add_series ... -> save (any number of times) -> destroy.
 */
#ifndef SSB_PLOT_H
#define SSB_PLOT_H

#include <ssbnet/ssb_core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ssb_plot ssb_plot;

/* Axes of one panel. Units belong in the labels, e.g. "Z' [Ω]". */
typedef struct {
    const char *title;  /* panel title or NULL */
    const char *xlabel; /* or NULL */
    const char *ylabel; /* or NULL */
    int xlog;           /* nonzero: logarithmic x axis (points with x <= 0 are not drawn) */
    int ylog;           /* nonzero: logarithmic y axis */
    int equal_aspect;   /* nonzero: one unit has the same length on both axes (Nyquist plots) */
    int grid;           /* nonzero: light grid lines at the major ticks (default 1) */
    double xmin, xmax;  /* axis range; NaN (default) = from the data with a 4 % margin */
    double ymin, ymax;
    int legend;         /* nonzero (default): legend of the labelled series, top right */
} ssb_plot_axes;
ssb_plot_axes ssb_plot_axes_default(void);

typedef enum { SSB_PLOT_LINE = 1, SSB_PLOT_MARKERS = 2, SSB_PLOT_LINE_MARKERS = 3 } ssb_plot_style;

typedef struct {
    const char *label;       /* legend text or NULL (no legend entry) */
    ssb_plot_style style;    /* default LINE */
    int color;               /* palette index 0..9 (matplotlib "tab10"), -1 (default) = next colour of the panel */
    double line_width;       /* in PLplot width units (~0.35 mm); default 2, > 0 */
    double marker_size;      /* relative to the default symbol height; default 1, > 0 */
} ssb_plot_series;
ssb_plot_series ssb_plot_series_default(void);

/* A figure of nrows x ncols panels (1..4 each), width x height pixels (defaults 900 x 700 when 0;
 * 100..8000). Errors: SSB_ERR_RANGE, SSB_ERR_NOMEM. */
int ssb_plot_create(ssb_ctx *ctx, int nrows, int ncols, int width, int height, ssb_plot **fig);
void ssb_plot_destroy(ssb_plot **fig);
/* Set the axes of panel (0-based, row-major). Strings are copied. Errors: SSB_ERR_RANGE (panel). */
int ssb_plot_set_axes(ssb_ctx *ctx, ssb_plot *fig, int panel, const ssb_plot_axes *axes);
/* Add n >= 1 points (copied; non-finite points break the line) to a panel. style may be NULL (defaults).
 * Errors: SSB_ERR_RANGE (panel, n, style values), SSB_ERR_ARG (NULL arrays), SSB_ERR_NOMEM. */
int ssb_plot_add_series(ssb_ctx *ctx, ssb_plot *fig, int panel, int64_t n, const double *x, const double *y,
                        const ssb_plot_series *style);
/* Write the figure to path; the format follows the extension (".png" or ".svg", case-insensitive). Atomic: the
 * image is drawn into a temporary file next to path and renamed onto it.
 * Errors: SSB_ERR_ARG (no extension / unknown extension, empty figure), SSB_ERR_UNSUPPORTED (PLplot or the
 * driver for that format is not installed), SSB_ERR_IO (cannot create or rename the file), SSB_ERR_BACKEND
 * (PLplot aborted). */
int ssb_plot_save(ssb_ctx *ctx, ssb_plot *fig, const char *path);
/* 1 if files with this extension (".png", "png", ".svg") can be written, else 0. Thread-safe. */
int ssb_plot_available(const char *ext);

#ifdef __cplusplus
}
#endif
#endif
