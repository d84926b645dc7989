/* report: plots of the HTML page drawn as inline SVG (ssb_html.h): line plots with several series, grouped bar
 * charts and the Ragone plot, each with axes, ticks, tick labels, axis labels, a title and a legend. */
#include "html_impl.h"

#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

ssb_html_plot_params ssb_html_plot_params_default(void)
{
    ssb_html_plot_params p;
    memset(&p, 0, sizeof p);
    p.width = 640;
    p.height = 400;
    return p;
}

/* margins of the plot area [px] */
enum { M_LEFT = 78, M_RIGHT = 24, M_TOP = 34, M_BOTTOM = 54 };

typedef struct {
    double lo, hi; /* data range (log10 of it on a log axis) */
    int log;
    double p0, p1; /* pixel positions of lo and hi */
} axis;

static double ax_map(const axis *a, double v)
{
    double t = a->log ? log10(v) : v;
    return a->p0 + (t - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

static int ax_ok(const axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0);
}

/* Range of an axis from data min/max (already log10 on a log axis): whole decades on a log axis, a 4 % margin on
 * a linear one, a unit-wide range around a single value. */
static void ax_range(axis *a, double mn, double mx)
{
    if (a->log) {
        a->lo = floor(mn);
        a->hi = ceil(mx);
        if (a->hi <= a->lo)
            a->hi = a->lo + 1;
        return;
    }
    if (!(mx > mn)) {
        double d = fabs(mn) > 0 ? 0.5 * fabs(mn) : 0.5;
        mn -= d;
        mx += d;
    }
    double m = 0.04 * (mx - mn);
    a->lo = mn - m;
    a->hi = mx + m;
}

/* Linear tick step: 1, 2 or 5 x 10^k giving 4 to 10 ticks. */
static double tick_step(double span)
{
    double raw = span / 6.0;
    double p = pow(10.0, floor(log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static void draw_axis(ssbi_html_buf *b, const axis *a, int is_x, double other, const char *label, int W, int H)
{
    ssbi_html_buf_printf(b, "<g class=\"ssb-axis ssb-axis-%s\">", is_x ? "x" : "y");
    double vals[64];
    int nv = 0;
    if (a->log) {
        /* decades; over at most two decades also 2 and 5 times each */
        for (double d = a->lo; d <= a->hi + 1e-9 && nv < 60; d += 1) {
            vals[nv++] = pow(10.0, d);
            if (a->hi - a->lo <= 2.0 + 1e-9 && d < a->hi - 0.5) {
                vals[nv++] = 2.0 * pow(10.0, d);
                vals[nv++] = 5.0 * pow(10.0, d);
            }
        }
    } else {
        double st = tick_step(a->hi - a->lo);
        for (double t = ceil(a->lo / st) * st; t <= a->hi + 1e-9 * st && nv < 64; t += st)
            vals[nv++] = fabs(t) < 1e-12 * st ? 0.0 : t;
    }
    for (int i = 0; i < nv; i++) {
        double p = ax_map(a, vals[i]);
        if (is_x) {
            ssbi_html_buf_printf(b, "<line class=\"ssb-tick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                                    "stroke=\"#555\"/>",
                                 p, other, p, other + 5);
            ssbi_html_buf_printf(b, "<text class=\"ssb-tick-label\" x=\"%.2f\" y=\"%.2f\" font-size=\"11\" "
                                    "text-anchor=\"middle\">%g</text>",
                                 p, other + 18, vals[i]);
        } else {
            ssbi_html_buf_printf(b, "<line class=\"ssb-tick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
                                    "stroke=\"#555\"/>",
                                 other - 5, p, other, p);
            ssbi_html_buf_printf(b, "<text class=\"ssb-tick-label\" x=\"%.2f\" y=\"%.2f\" font-size=\"11\" "
                                    "text-anchor=\"end\">%g</text>",
                                 other - 8, p + 4, vals[i]);
        }
    }
    if (label) {
        if (is_x)
            ssbi_html_buf_printf(b, "<text class=\"ssb-axis-label\" x=\"%.1f\" y=\"%d\" font-size=\"13\" "
                                    "text-anchor=\"middle\">",
                                 0.5 * (M_LEFT + W - M_RIGHT), H - 10);
        else
            ssbi_html_buf_printf(b, "<text class=\"ssb-axis-label\" x=\"0\" y=\"0\" font-size=\"13\" "
                                    "text-anchor=\"middle\" transform=\"translate(16 %.1f) rotate(-90)\">",
                                 0.5 * (M_TOP + H - M_BOTTOM));
        ssbi_html_buf_escape(b, label);
        ssbi_html_buf_puts(b, "</text>");
    }
    ssbi_html_buf_puts(b, "</g>\n");
}

static int check_frame(ssb_ctx *ctx, const ssb_html_plot_params *p)
{
    SSB_REQUIRE(ctx, p->width >= 200 && p->width <= 4000 && p->height >= 200 && p->height <= 4000, SSB_ERR_RANGE,
                "HTML plot size %d x %d px: each must be 200 to 4000", p->width, p->height);
    return SSB_OK;
}

/* <figure><svg> with the title and the frame of the plot area. */
static void open_figure(ssbi_html_buf *b, const char *id, const char *kind, const ssb_html_plot_params *p)
{
    ssbi_html_buf_printf(b, "<figure class=\"ssb-figure\" id=\"%s\">\n<svg class=\"ssb-plot ssb-%s\" "
                            "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                            "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
                         id, kind, p->width, p->height, p->width, p->height);
    ssbi_html_buf_escape(b, p->title ? p->title : id);
    ssbi_html_buf_puts(b, "\">\n");
    if (p->title) {
        ssbi_html_buf_printf(b, "<text class=\"ssb-title\" x=\"%.1f\" y=\"20\" font-size=\"14\" "
                                "font-weight=\"600\" text-anchor=\"middle\">",
                             0.5 * p->width);
        ssbi_html_buf_escape(b, p->title);
        ssbi_html_buf_puts(b, "</text>\n");
    }
    ssbi_html_buf_printf(b, "<rect class=\"ssb-frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                            "stroke=\"#888\"/>\n",
                         M_LEFT, M_TOP, p->width - M_LEFT - M_RIGHT, p->height - M_TOP - M_BOTTOM);
}

static void close_figure(ssbi_html_buf *b, const ssb_html_plot_params *p)
{
    ssbi_html_buf_puts(b, "</svg>\n");
    if (p->title) {
        ssbi_html_buf_puts(b, "<figcaption>");
        ssbi_html_buf_escape(b, p->title);
        ssbi_html_buf_puts(b, "</figcaption>\n");
    }
    ssbi_html_buf_puts(b, "</figure>\n");
}

/* Legend entries (a colour swatch and the text) at the top right of the plot area. */
static void draw_legend(ssbi_html_buf *b, int n, const char *const *labels, int W)
{
    int any = 0;
    for (int k = 0; k < n; k++)
        any |= labels[k] != NULL;
    if (!any)
        return;
    ssbi_html_buf_puts(b, "<g class=\"ssb-legend\">");
    int row = 0;
    for (int k = 0; k < n; k++) {
        if (!labels[k])
            continue;
        double y = M_TOP + 14 + 16 * row++;
        double x = W - M_RIGHT - 170;
        ssbi_html_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"8\" fill=\"%s\"/>", x, y - 7,
                             ssbi_html_colour(k));
        ssbi_html_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", x + 19, y + 1);
        ssbi_html_buf_escape(b, labels[k]);
        ssbi_html_buf_puts(b, "</text>");
    }
    ssbi_html_buf_puts(b, "</g>\n");
}

/* A line plot (also the Ragone plot, kind "ragone"). ys (optional) replaces each series' y values. */
static int line_plot(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int nseries,
                     const ssb_html_series *s, const char *kind, int force_markers)
{
    SSB_CHECK(ctx, check_frame(ctx, p));
    SSB_REQUIRE(ctx, nseries >= 1 && nseries <= 32, SSB_ERR_RANGE, "HTML plot: %d series, must be 1 to 32",
                nseries);
    for (int k = 0; k < nseries; k++)
        SSB_REQUIRE(ctx, s[k].n >= 1 && s[k].x && s[k].y, s[k].n >= 1 ? SSB_ERR_ARG : SSB_ERR_RANGE,
                    "HTML plot: series %d has %d points or NULL arrays", k, s[k].n);
    char id[64];
    SSB_CHECK(ctx, ssbi_html_figure_id(ctx, page, p->id, id, sizeof id));
    axis ax = {0, 1, p->xlog != 0, M_LEFT, p->width - M_RIGHT};
    axis ay = {0, 1, p->ylog != 0, p->height - M_BOTTOM, M_TOP};
    double xmn = INFINITY, xmx = -INFINITY, ymn = INFINITY, ymx = -INFINITY;
    long ndraw = 0;
    for (int k = 0; k < nseries; k++)
        for (int i = 0; i < s[k].n; i++) {
            double x = s[k].x[i], y = s[k].y[i];
            if (!ax_ok(&ax, x) || !ax_ok(&ay, y))
                continue;
            double tx = ax.log ? log10(x) : x, ty = ay.log ? log10(y) : y;
            xmn = fmin(xmn, tx), xmx = fmax(xmx, tx), ymn = fmin(ymn, ty), ymx = fmax(ymx, ty);
            ndraw++;
        }
    SSB_REQUIRE(ctx, ndraw > 0, SSB_ERR_RANGE, "HTML plot '%s': no finite point%s to draw", id,
                ax.log || ay.log ? " (positive on the log axes)" : "");
    ax_range(&ax, xmn, xmx);
    ax_range(&ay, ymn, ymx);
    ssbi_html_buf *b = &page->body;
    open_figure(b, id, kind, p);
    draw_axis(b, &ax, 1, p->height - M_BOTTOM, p->xlabel, p->width, p->height);
    draw_axis(b, &ay, 0, M_LEFT, p->ylabel, p->width, p->height);
    const char *labels[32];
    for (int k = 0; k < nseries; k++) {
        labels[k] = s[k].label;
        const char *col = ssbi_html_colour(k);
        ssbi_html_buf_printf(b, "<g class=\"ssb-series\" id=\"%s-s%d\">", id, k);
        if (s[k].line) {
            ssbi_html_buf_printf(b, "<path class=\"ssb-line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                                    "stroke-linejoin=\"round\" d=\"",
                                 col);
            int pen = 0;
            for (int i = 0; i < s[k].n; i++) {
                if (!ax_ok(&ax, s[k].x[i]) || !ax_ok(&ay, s[k].y[i])) {
                    pen = 0;
                    continue;
                }
                ssbi_html_buf_printf(b, "%s%.2f %.2f ", pen ? "L" : "M", ax_map(&ax, s[k].x[i]),
                                     ax_map(&ay, s[k].y[i]));
                pen = 1;
            }
            ssbi_html_buf_puts(b, "\"/>");
        }
        if (s[k].markers || force_markers || !s[k].line)
            for (int i = 0; i < s[k].n; i++)
                if (ax_ok(&ax, s[k].x[i]) && ax_ok(&ay, s[k].y[i]))
                    ssbi_html_buf_printf(b, "<circle class=\"ssb-marker\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" "
                                            "fill=\"%s\"/>",
                                         ax_map(&ax, s[k].x[i]), ax_map(&ay, s[k].y[i]), col);
        ssbi_html_buf_puts(b, "</g>\n");
    }
    draw_legend(b, nseries, labels, p->width);
    close_figure(b, p);
    return ssbi_html_check(ctx, page);
}

int ssb_html_add_line_plot(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int nseries,
                           const ssb_html_series *s)
{
    SSB_REQUIRE(ctx, page && p && s, SSB_ERR_ARG, "ssb_html_add_line_plot: NULL argument");
    return line_plot(ctx, page, p, nseries, s, "line-plot", 0);
}

int ssb_html_add_ragone(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int nseries,
                        const ssb_html_series *s)
{
    SSB_REQUIRE(ctx, page && p && s, SSB_ERR_ARG, "ssb_html_add_ragone: NULL argument");
    SSB_REQUIRE(ctx, nseries >= 1 && nseries <= 32, SSB_ERR_RANGE, "Ragone plot: %d series, must be 1 to 32",
                nseries);
    ssb_html_series conv[32];
    double *ys[32] = {0};
    int rc = SSB_OK;
    for (int k = 0; k < nseries && rc == SSB_OK; k++) {
        conv[k] = s[k];
        if (s[k].n < 1 || !s[k].y)
            continue; /* line_plot names it */
        ys[k] = ssbi_malloc(ctx, (size_t)s[k].n * sizeof(double), "Ragone plot values");
        if (!ys[k]) {
            rc = SSB_ERR_NOMEM;
            break;
        }
        for (int i = 0; i < s[k].n; i++)
            ys[k][i] = ssb_unit_from_si(SSB_UNIT_WH_PER_KG, s[k].y[i]);
        conv[k].y = ys[k];
    }
    if (rc == SSB_OK) {
        ssb_html_plot_params q = *p;
        q.xlabel = "power density [W/kg]";
        q.ylabel = "specific energy [Wh/kg]";
        q.xlog = q.ylog = 1;
        rc = line_plot(ctx, page, &q, nseries, conv, "ragone", 1);
    }
    for (int k = 0; k < nseries; k++)
        free(ys[k]);
    return rc;
}

int ssb_html_add_bar_chart(ssb_ctx *ctx, ssb_html *page, const ssb_html_plot_params *p, int ncat,
                           const char *const *categories, int nseries, const char *const *series_labels,
                           const double *values)
{
    SSB_REQUIRE(ctx, page && p && categories && values, SSB_ERR_ARG, "ssb_html_add_bar_chart: NULL argument");
    SSB_CHECK(ctx, check_frame(ctx, p));
    SSB_REQUIRE(ctx, ncat >= 1 && ncat <= 64 && nseries >= 1 && nseries <= 16, SSB_ERR_RANGE,
                "HTML bar chart: %d categories x %d series, must be 1 to 64 x 1 to 16", ncat, nseries);
    char id[64];
    SSB_CHECK(ctx, ssbi_html_figure_id(ctx, page, p->id, id, sizeof id));
    double mn = 0, mx = 0;
    int nfin = 0;
    for (int i = 0; i < ncat * nseries; i++)
        if (isfinite(values[i])) {
            mn = fmin(mn, values[i]), mx = fmax(mx, values[i]);
            nfin++;
        }
    SSB_REQUIRE(ctx, nfin > 0, SSB_ERR_RANGE, "HTML bar chart '%s': no finite value to draw", id);
    if (!(mx > mn))
        mx = mn + 1;
    axis ay = {0, 1, 0, p->height - M_BOTTOM, M_TOP};
    ay.lo = mn;
    ay.hi = mx + (series_labels ? 0.08 + 0.07 * nseries : 0.04) * (mx - mn); /* room for the legend above */
    if (mn < 0)
        ay.lo = mn - 0.04 * (mx - mn);
    ssbi_html_buf *b = &page->body;
    open_figure(b, id, "bar-chart", p);
    draw_axis(b, &ay, 0, M_LEFT, p->ylabel, p->width, p->height);
    double pw = p->width - M_LEFT - M_RIGHT, gw = pw / ncat, bw = 0.8 * gw / nseries;
    double base = p->height - M_BOTTOM;
    ssbi_html_buf_puts(b, "<g class=\"ssb-axis ssb-axis-x\">");
    for (int c = 0; c < ncat; c++) {
        ssbi_html_buf_printf(b, "<text class=\"ssb-tick-label\" x=\"%.2f\" y=\"%.2f\" font-size=\"11\" "
                                "text-anchor=\"middle\">",
                             M_LEFT + (c + 0.5) * gw, base + 18);
        ssbi_html_buf_escape(b, categories[c] ? categories[c] : "");
        ssbi_html_buf_puts(b, "</text>");
    }
    if (p->xlabel) {
        ssbi_html_buf_printf(b, "<text class=\"ssb-axis-label\" x=\"%.1f\" y=\"%d\" font-size=\"13\" "
                                "text-anchor=\"middle\">",
                             M_LEFT + 0.5 * pw, p->height - 10);
        ssbi_html_buf_escape(b, p->xlabel);
        ssbi_html_buf_puts(b, "</text>");
    }
    ssbi_html_buf_puts(b, "</g>\n");
    double y0 = ax_map(&ay, 0.0);
    const char *labels[16];
    for (int k = 0; k < nseries; k++) {
        labels[k] = series_labels ? series_labels[k] : NULL;
        ssbi_html_buf_printf(b, "<g class=\"ssb-series\" id=\"%s-s%d\">", id, k);
        for (int c = 0; c < ncat; c++) {
            double v = values[(size_t)k * (size_t)ncat + (size_t)c];
            if (!isfinite(v))
                continue;
            double yv = ax_map(&ay, v), top = fmin(yv, y0), h = fmax(fabs(y0 - yv), 0.5);
            ssbi_html_buf_printf(b, "<rect class=\"ssb-bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                                    "fill=\"%s\"><title>%g</title></rect>",
                                 M_LEFT + c * gw + 0.1 * gw + k * bw, top, bw, h, ssbi_html_colour(k), v);
        }
        ssbi_html_buf_puts(b, "</g>\n");
    }
    draw_legend(b, nseries, labels, p->width);
    close_figure(b, p);
    return ssbi_html_check(ctx, page);
}
