/* Plotting: figures of panels with line / marker series, drawn by PLplot into PNG (pngcairo) or SVG (svgcairo or
 * svg). The PLplot calls are serialised by a mutex because PLplot keeps global state (current stream, exit
 * handler). */
#include <ssbnet/ssb_plot.h>

#include "core_impl.h"

#include <plplot.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf g_jmp;
static char g_plmsg[512];
static int g_plabort;

/* Device for an extension: "png" or "svg"; NULL if no driver. Called with g_lock held. */
static const char *pl_device(const char *ext)
{
    /* plgDevs fills caller-owned arrays; *nd is their capacity on input */
    const char *menus[128] = {NULL}, *names[128] = {NULL};
    const char **pm = menus, **pn = names;
    int nd = 128;
    plgDevs(&pm, &pn, &nd);
    if (nd > 128) nd = 128;
    const char *want[2] = {NULL, NULL};
    if (strcasecmp(ext, "png") == 0) want[0] = "pngcairo";
    else if (strcasecmp(ext, "svg") == 0) {
        want[0] = "svgcairo";
        want[1] = "svg";
    }
    for (int w = 0; w < 2 && want[w]; w++)
        for (int i = 0; i < nd; i++)
            if (names[i] && strcmp(names[i], want[w]) == 0) return want[w];
    return NULL;
}

static const char *ext_of(const char *s)
{
    if (!s) return NULL;
    const char *dot = strrchr(s, '.'), *slash = strrchr(s, '/');
    if (dot && (!slash || dot > slash)) return dot + 1;
    if (!dot && !slash) return s; /* bare "png" */
    return NULL;
}

int ssb_plot_available(const char *ext)
{
    const char *e = ext_of(ext);
    if (!e) return 0;
    pthread_mutex_lock(&g_lock);
    int ok = pl_device(e) != NULL;
    pthread_mutex_unlock(&g_lock);
    return ok;
}

/* ---------------------------------------------------------------- figure */

typedef struct {
    double *x, *y;
    int64_t n;
    char *label;
    ssb_plot_series st;
} series;

typedef struct {
    ssb_plot_axes ax;
    char *title, *xlabel, *ylabel;
    series *s;
    int ns, cap;
    int next_color;
} panel;

struct ssb_plot {
    int nrows, ncols, width, height;
    panel *p;
};

ssb_plot_axes ssb_plot_axes_default(void)
{
    ssb_plot_axes a;
    memset(&a, 0, sizeof a);
    a.grid = 1;
    a.legend = 1;
    a.xmin = a.xmax = a.ymin = a.ymax = NAN;
    return a;
}

ssb_plot_series ssb_plot_series_default(void)
{
    ssb_plot_series s;
    s.label = NULL;
    s.style = SSB_PLOT_LINE;
    s.color = -1;
    s.line_width = 2.0;
    s.marker_size = 1.0;
    return s;
}

int ssb_plot_create(ssb_ctx *ctx, int nrows, int ncols, int width, int height, ssb_plot **fig)
{
    SSB_REQUIRE(ctx, fig != NULL, SSB_ERR_ARG, "plot: output pointer is NULL");
    *fig = NULL;
    SSB_REQUIRE(ctx, nrows >= 1 && nrows <= 4 && ncols >= 1 && ncols <= 4, SSB_ERR_RANGE,
                "plot: %d x %d panels, valid 1..4 each", nrows, ncols);
    if (width == 0) width = 900;
    if (height == 0) height = 700;
    SSB_REQUIRE(ctx, width >= 100 && width <= 8000 && height >= 100 && height <= 8000, SSB_ERR_RANGE,
                "plot: size %d x %d pixels, valid 100..8000", width, height);
    ssb_plot *f = ssbi_calloc(ctx, 1, sizeof *f, "plot");
    if (!f) return SSB_ERR_NOMEM;
    f->p = ssbi_calloc(ctx, (size_t)(nrows * ncols), sizeof(panel), "plot panels");
    if (!f->p) {
        free(f);
        return SSB_ERR_NOMEM;
    }
    f->nrows = nrows;
    f->ncols = ncols;
    f->width = width;
    f->height = height;
    for (int i = 0; i < nrows * ncols; i++) f->p[i].ax = ssb_plot_axes_default();
    *fig = f;
    return SSB_OK;
}

void ssb_plot_destroy(ssb_plot **fig)
{
    if (!fig || !*fig) return;
    ssb_plot *f = *fig;
    for (int i = 0; i < f->nrows * f->ncols; i++) {
        panel *p = &f->p[i];
        for (int k = 0; k < p->ns; k++) {
            free(p->s[k].x);
            free(p->s[k].y);
            free(p->s[k].label);
        }
        free(p->s);
        free(p->title);
        free(p->xlabel);
        free(p->ylabel);
    }
    free(f->p);
    free(f);
    *fig = NULL;
}

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

int ssb_plot_set_axes(ssb_ctx *ctx, ssb_plot *fig, int panel_idx, const ssb_plot_axes *axes)
{
    SSB_REQUIRE(ctx, fig && axes, SSB_ERR_ARG, "plot: NULL figure or axes");
    SSB_REQUIRE(ctx, panel_idx >= 0 && panel_idx < fig->nrows * fig->ncols, SSB_ERR_RANGE,
                "plot: panel %d, valid 0..%d", panel_idx, fig->nrows * fig->ncols - 1);
    panel *p = &fig->p[panel_idx];
    char *t = dup_str(axes->title), *x = dup_str(axes->xlabel), *y = dup_str(axes->ylabel);
    if ((axes->title && !t) || (axes->xlabel && !x) || (axes->ylabel && !y)) {
        free(t);
        free(x);
        free(y);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "plot: out of memory for labels");
    }
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    p->title = t;
    p->xlabel = x;
    p->ylabel = y;
    p->ax = *axes;
    p->ax.title = p->ax.xlabel = p->ax.ylabel = NULL;
    return SSB_OK;
}

int ssb_plot_add_series(ssb_ctx *ctx, ssb_plot *fig, int panel_idx, int64_t n, const double *x, const double *y,
                        const ssb_plot_series *style)
{
    SSB_REQUIRE(ctx, fig != NULL, SSB_ERR_ARG, "plot: NULL figure");
    SSB_REQUIRE(ctx, panel_idx >= 0 && panel_idx < fig->nrows * fig->ncols, SSB_ERR_RANGE,
                "plot: panel %d, valid 0..%d", panel_idx, fig->nrows * fig->ncols - 1);
    SSB_REQUIRE(ctx, n >= 1 && n <= 100000000, SSB_ERR_RANGE, "plot: series of %lld points, valid 1..1e8",
                (long long)n);
    SSB_REQUIRE(ctx, x && y, SSB_ERR_ARG, "plot: NULL x or y array");
    ssb_plot_series st = style ? *style : ssb_plot_series_default();
    SSB_REQUIRE(ctx, st.style >= SSB_PLOT_LINE && st.style <= SSB_PLOT_LINE_MARKERS, SSB_ERR_RANGE,
                "plot: series style %d, valid 1 (line), 2 (markers), 3 (both)", (int)st.style);
    SSB_REQUIRE(ctx, st.color >= -1 && st.color <= 9, SSB_ERR_RANGE, "plot: colour %d, valid -1 (auto) or 0..9",
                st.color);
    SSB_REQUIRE(ctx, st.line_width > 0 && st.line_width <= 50 && st.marker_size > 0 && st.marker_size <= 20,
                SSB_ERR_RANGE, "plot: line width %g (0, 50] or marker size %g (0, 20] out of range", st.line_width,
                st.marker_size);
    panel *p = &fig->p[panel_idx];
    if (p->ns == p->cap) {
        int nc = p->cap ? 2 * p->cap : 4;
        series *q = realloc(p->s, (size_t)nc * sizeof *q);
        if (!q) return SSB_ERROR(ctx, SSB_ERR_NOMEM, "plot: out of memory");
        p->s = q;
        p->cap = nc;
    }
    series *s = &p->s[p->ns];
    memset(s, 0, sizeof *s);
    s->x = malloc((size_t)n * sizeof(double));
    s->y = malloc((size_t)n * sizeof(double));
    s->label = dup_str(st.label);
    if (!s->x || !s->y || (st.label && !s->label)) {
        free(s->x);
        free(s->y);
        free(s->label);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "plot: out of memory for %lld points", (long long)n);
    }
    memcpy(s->x, x, (size_t)n * sizeof(double));
    memcpy(s->y, y, (size_t)n * sizeof(double));
    s->n = n;
    if (st.color < 0) st.color = p->next_color % 10;
    p->next_color = st.color + 1;
    st.label = NULL;
    s->st = st;
    p->ns++;
    return SSB_OK;
}

/* ---------------------------------------------------------------- drawing */

static const int g_tab10[10][3] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                   {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
                                   {188, 189, 34},  {23, 190, 207}};
enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_SERIES = 3 };

static int pl_exit_handler(const char *msg)
{
    snprintf(g_plmsg, sizeof g_plmsg, "%s", msg ? msg : "");
    longjmp(g_jmp, 1);
    return 0;
}

static void pl_abort_handler(const char *msg)
{
    snprintf(g_plmsg, sizeof g_plmsg, "%s", msg ? msg : "");
    g_plabort = 1;
}

/* Tick labels of linear axes: plain "%g" numbers (PLplot's default factors out a "(x10^-2)" exponent). The data
 * pointer holds the spans of the x and y windows, to print round-off zeros as "0". */
static void label_linear(PLINT axis, PLFLT value, char *label, PLINT length, void *data)
{
    const double *span = data;
    double sp = axis == 1 ? span[0] : span[1]; /* PL_X_AXIS = 1, PL_Y_AXIS = 2 */
    if (fabs(value) < 1e-9 * sp) value = 0.0;
    snprintf(label, (size_t)length, "%.6g", value);
}

/* Transformed coordinate of a point for an axis: log10 when logarithmic; NaN when not drawable. */
static double tx(double v, int logax)
{
    if (!isfinite(v)) return NAN;
    if (logax) return v > 0 ? log10(v) : NAN;
    return v;
}

static void axis_range(const panel *p, int yaxis, double *lo, double *hi)
{
    int lg = yaxis ? p->ax.ylog : p->ax.xlog;
    double umin = yaxis ? p->ax.ymin : p->ax.xmin, umax = yaxis ? p->ax.ymax : p->ax.xmax;
    double a = INFINITY, b = -INFINITY;
    for (int k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        for (int64_t i = 0; i < s->n; i++) {
            double u = tx(s->x[i], p->ax.xlog), v = tx(s->y[i], p->ax.ylog);
            if (!isfinite(u) || !isfinite(v)) continue;
            double t = yaxis ? v : u;
            if (t < a) a = t;
            if (t > b) b = t;
        }
    }
    if (!(a <= b)) {
        a = 0;
        b = 1;
    }
    if (b - a == 0) {
        double d = lg ? 0.5 : (fabs(a) > 0 ? 0.1 * fabs(a) : 1.0);
        a -= d;
        b += d;
    }
    double mgn = 0.04 * (b - a);
    a -= mgn;
    b += mgn;
    if (isfinite(tx(umin, lg))) a = tx(umin, lg);
    if (isfinite(tx(umax, lg))) b = tx(umax, lg);
    if (!(b > a)) b = a + 1.0;
    /* a log axis inside one decade would show no labelled tick: widen it to the enclosing decades */
    if (lg && floor(a) == floor(b) && !isfinite(tx(umin, lg)) && !isfinite(tx(umax, lg))) {
        a = floor(a);
        b = a + 1.0;
    }
    *lo = a;
    *hi = b;
}

static void draw_panel(const ssb_plot *f, const panel *p, double *bufx, double *bufy)
{
    double x0, x1, y0, y1;
    axis_range(p, 0, &x0, &x1);
    axis_range(p, 1, &y0, &y1);
    pladv(0);
    double scale = f->nrows * f->ncols > 1 ? 0.85 : 1.0;
    plschr(0.0, scale);
    double vx0 = 0.15, vx1 = 0.95, vy0 = 0.13, vy1 = p->title ? 0.90 : 0.94;
    if (p->ax.equal_aspect && !p->ax.xlog && !p->ax.ylog) {
        /* equal length per unit: widen the shorter range so the viewport keeps its size */
        double pw = (vx1 - vx0) * f->width / f->ncols, ph = (vy1 - vy0) * f->height / f->nrows;
        double ux = (x1 - x0) / pw, uy = (y1 - y0) / ph;
        if (ux > uy) {
            double c = 0.5 * (y0 + y1), h = 0.5 * ux * ph;
            y0 = c - h;
            y1 = c + h;
        } else {
            double c = 0.5 * (x0 + x1), h = 0.5 * uy * pw;
            x0 = c - h;
            x1 = c + h;
        }
    }
    plvpor(vx0, vx1, vy0, vy1);
    plwind(x0, x1, y0, y1);
    plwidth(1.0);
    if (p->ax.grid) {
        plcol0(COL_GRID);
        plbox(p->ax.xlog ? "gl" : "g", 0.0, 0, p->ax.ylog ? "gl" : "g", 0.0, 0);
    }
    plcol0(COL_FG);
    double span[2] = {x1 - x0, y1 - y0};
    plslabelfunc(label_linear, span);
    plbox(p->ax.xlog ? "bcnstl" : "bcnsto", 0.0, 0, p->ax.ylog ? "bcnstlv" : "bcnstvo", 0.0, 0);
    plslabelfunc(NULL, NULL);
    if (p->xlabel) plmtex("b", p->ax.xlog ? 3.2 : 2.8, 0.5, 0.5, p->xlabel);
    if (p->ylabel) plmtex("l", 5.2, 0.5, 0.5, p->ylabel);
    if (p->title) plmtex("t", 1.2, 0.5, 0.5, p->title);
    int nleg = 0;
    for (int k = 0; k < p->ns; k++) {
        const series *s = &p->s[k];
        plcol0(COL_SERIES + s->st.color);
        if (s->st.style & SSB_PLOT_LINE) {
            plwidth(s->st.line_width);
            int64_t m = 0;
            for (int64_t i = 0; i <= s->n; i++) {
                double u = i < s->n ? tx(s->x[i], p->ax.xlog) : NAN, v = i < s->n ? tx(s->y[i], p->ax.ylog) : NAN;
                if (isfinite(u) && isfinite(v)) {
                    bufx[m] = u;
                    bufy[m] = v;
                    m++;
                } else {
                    if (m >= 2) plline((PLINT)m, bufx, bufy);
                    m = 0;
                }
            }
        }
        if (s->st.style & SSB_PLOT_MARKERS) {
            plwidth(1.0);
            plschr(0.0, scale * 0.8 * s->st.marker_size);
            int64_t m = 0;
            for (int64_t i = 0; i < s->n; i++) {
                double u = tx(s->x[i], p->ax.xlog), v = tx(s->y[i], p->ax.ylog);
                if (isfinite(u) && isfinite(v) && u >= x0 && u <= x1 && v >= y0 && v <= y1) {
                    bufx[m] = u;
                    bufy[m] = v;
                    m++;
                }
            }
            if (m > 0) plstring((PLINT)m, bufx, bufy, "\xe2\x97\x8b"); /* U+25CB white circle */
            plschr(0.0, scale);
        }
        if (s->label) nleg++;
    }
    if (nleg > 0 && p->ax.legend) {
        PLINT *opt = calloc((size_t)nleg, sizeof(PLINT)), *colors = calloc((size_t)nleg, sizeof(PLINT));
        PLINT *styles = calloc((size_t)nleg, sizeof(PLINT)), *nsym = calloc((size_t)nleg, sizeof(PLINT));
        PLINT *tcol = calloc((size_t)nleg, sizeof(PLINT));
        PLFLT *widths = calloc((size_t)nleg, sizeof(PLFLT)), *sscale = calloc((size_t)nleg, sizeof(PLFLT));
        const char **text = calloc((size_t)nleg, sizeof(char *)), **syms = calloc((size_t)nleg, sizeof(char *));
        if (opt && colors && styles && nsym && tcol && widths && sscale && text && syms) {
            int q = 0;
            for (int k = 0; k < p->ns; k++) {
                const series *s = &p->s[k];
                if (!s->label) continue;
                opt[q] = 0;
                if (s->st.style & SSB_PLOT_LINE) opt[q] |= PL_LEGEND_LINE;
                if (s->st.style & SSB_PLOT_MARKERS) opt[q] |= PL_LEGEND_SYMBOL;
                colors[q] = COL_SERIES + s->st.color;
                tcol[q] = COL_FG;
                styles[q] = 1;
                widths[q] = s->st.line_width;
                nsym[q] = 1;
                sscale[q] = 0.8 * s->st.marker_size;
                text[q] = s->label;
                syms[q] = "\xe2\x97\x8b";
                q++;
            }
            PLFLT lw = 0, lh = 0;
            plwidth(1.0);
            pllegend(&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
                        PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0.02,
                        0.02, 0.08, COL_BG, COL_FG, 1, 0, 0, nleg, opt, 0.8, 0.9, 2.0, 0.0, tcol,
                        (const char *const *)text, NULL, NULL, NULL, NULL, colors, styles, widths, colors, sscale,
                        nsym, (const char *const *)syms);
        }
        free(opt);
        free(colors);
        free(styles);
        free(nsym);
        free(tcol);
        free(widths);
        free(sscale);
        free(text);
        free(syms);
    }
}

int ssb_plot_save(ssb_ctx *ctx, ssb_plot *fig, const char *path)
{
    SSB_REQUIRE(ctx, fig && path && path[0], SSB_ERR_ARG, "plot: NULL figure or empty path");
    const char *e = ext_of(path);
    SSB_REQUIRE(ctx, e && strchr(path, '.') && (strcasecmp(e, "png") == 0 || strcasecmp(e, "svg") == 0),
                SSB_ERR_ARG, "plot: %s: unknown image type; use a .png or .svg file name", path);
    int64_t nmax = 0, total = 0;
    for (int i = 0; i < fig->nrows * fig->ncols; i++)
        for (int k = 0; k < fig->p[i].ns; k++) {
            if (fig->p[i].s[k].n > nmax) nmax = fig->p[i].s[k].n;
            total += fig->p[i].s[k].n;
        }
    SSB_REQUIRE(ctx, total > 0, SSB_ERR_ARG, "plot: %s: the figure has no data", path);
    double *bx = malloc((size_t)nmax * sizeof(double)), *by = malloc((size_t)nmax * sizeof(double));
    if (!bx || !by) {
        free(bx);
        free(by);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "plot: out of memory");
    }
    int rc = SSB_OK;
    ssbi_atomic out = {.fd = -1};
    pthread_mutex_lock(&g_lock);
    const char *dev = pl_device(e);
    if (!dev) {
        rc = SSB_ERROR(ctx, SSB_ERR_UNSUPPORTED,
                       "plot %s: PLplot has no driver for %s files (install the Debian package plplot-driver-cairo)",
                       path, e);
        goto unlock;
    }
    /* PLplot writes the file by name: reserve the temporary, let PLplot fill it, rename it on success */
    rc = ssbi_atomic_open(ctx, &out, path, 0);
    if (rc != SSB_OK) goto unlock;
    close(out.fd);
    out.fd = -1;
    const char *tmp = out.tmp;
    g_plmsg[0] = '\0';
    g_plabort = 0;
    plsexit(pl_exit_handler);
    plsabort(pl_abort_handler);
    if (setjmp(g_jmp) != 0) {
        /* PLplot called plexit(): its state is unreliable, but the process survives */
        plsexit(NULL);
        plsabort(NULL);
        ssbi_atomic_abort(&out);
        rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "plot %s: PLplot aborted: %s", path, g_plmsg);
        goto unlock;
    }
    PLINT strm = 0;
    plmkstrm(&strm);
    plsdev(dev);
    plsfnam(tmp);
    plspage(90.0, 90.0, fig->width, fig->height, 0, 0);
    plscolbg(255, 255, 255);
    plscol0(COL_FG, 0, 0, 0);
    plscol0(COL_GRID, 222, 222, 222);
    for (int c = 0; c < 10; c++) plscol0(COL_SERIES + c, g_tab10[c][0], g_tab10[c][1], g_tab10[c][2]);
    plssub(fig->ncols, fig->nrows);
    plinit();
    /* scol0 before init sizes cmap0; set the colours again now that the stream exists */
    plscolbg(255, 255, 255);
    plscol0(COL_FG, 0, 0, 0);
    plscol0(COL_GRID, 222, 222, 222);
    for (int c = 0; c < 10; c++) plscol0(COL_SERIES + c, g_tab10[c][0], g_tab10[c][1], g_tab10[c][2]);
    for (int i = 0; i < fig->nrows * fig->ncols; i++) draw_panel(fig, &fig->p[i], bx, by);
    plend1();
    plsexit(NULL);
    plsabort(NULL);
    if (g_plabort) {
        ssbi_atomic_abort(&out);
        rc = SSB_ERROR(ctx, SSB_ERR_BACKEND, "plot %s: PLplot: %s", path, g_plmsg);
        goto unlock;
    }
    if (access(tmp, F_OK) != 0) {
        ssbi_atomic_abort(&out);
        rc = SSB_ERROR(ctx, SSB_ERR_IO, "plot %s: PLplot wrote no file", path);
        goto unlock;
    }
    rc = ssbi_atomic_commit(ctx, &out);
unlock:
    pthread_mutex_unlock(&g_lock);
    free(bx);
    free(by);
    return rc;
}
