/* report: microstructure slices of the HTML page coloured by network class (ssb_html.h): the per-voxel class
 * from the composite-electrode analysis (active / dead CAM by cause, ssb_micro_cam_classify) and the percolating
 * parts of the ionic and electronic networks (ssb_grid_through_mask), drawn as merged runs of equal class. */
#include "html_impl.h"

#include <stdlib.h>
#include <string.h>

static const char *const class_names[SSB_HTML_CLASS_COUNT] = {
    "other",         "cam-active",      "cam-dead-no-e", "cam-dead-no-li",  "cam-dead-neither",
    "ion-percolating", "ion-dead",      "elec-percolating", "elec-dead"};
static const char *const class_labels[SSB_HTML_CLASS_COUNT] = {
    "pores / other",
    "active CAM",
    "dead CAM: no e- path",
    "dead CAM: no Li+ path",
    "dead CAM: neither path",
    "Li+ network, percolating",
    "Li+ network, dead end / isolated",
    "e- network (carbon), percolating",
    "e- network (carbon), dead end / isolated"};
static const char *const class_colours[SSB_HTML_CLASS_COUNT] = {
    "#eeeeee", "#d62728", "#ff9896", "#9467bd", "#7f7f7f", "#1f77b4", "#aec7e8", "#222222", "#bcbd22"};

const char *ssb_html_class_name(ssb_html_class c)
{
    return (int)c >= 0 && c < SSB_HTML_CLASS_COUNT ? class_names[c] : NULL;
}

int ssb_html_network_classes(ssb_ctx *ctx, const ssb_grid *g, const ssb_micro_cam_params *cam, uint8_t *cls,
                             int64_t counts[SSB_HTML_CLASS_COUNT])
{
    SSB_REQUIRE(ctx, g && cls, SSB_ERR_ARG, "ssb_html_network_classes: NULL argument");
    ssb_micro_cam_params cp = cam ? *cam : ssb_micro_cam_params_default();
    /* CAM voxels: the analysis' codes, which are the first five classes */
    SSB_CHECK(ctx, ssb_micro_cam_classify(ctx, g, &cp, cls, NULL));
    uint8_t ion[256] = {0}, elec[256] = {0}, carbon[256] = {0};
    for (int i = 0; i < ssb_grid_get_nphases(g); i++) {
        const ssb_phase *ph = ssb_grid_get_phase(g, i);
        if (ph->role == SSB_ROLE_SE || ph->role == SSB_ROLE_GB ||
            (ph->role == SSB_ROLE_COATING && ph->sigma_ion > 0))
            ion[ph->label] = 1;
        if (ph->role == SSB_ROLE_ACTIVE || ph->role == SSB_ROLE_CARBON)
            elec[ph->label] = 1;
        if (ph->role == SSB_ROLE_CARBON)
            carbon[ph->label] = 1;
    }
    int64_t nv = ssb_grid_get_nvoxels(g);
    uint8_t *mi = ssbi_malloc(ctx, (size_t)nv, "ionic network mask");
    uint8_t *me = ssbi_malloc(ctx, (size_t)nv, "electronic network mask");
    int rc = mi && me ? SSB_OK : SSB_ERR_NOMEM;
    if (rc == SSB_OK)
        rc = ssb_grid_through_mask(ctx, g, ion, cp.axis, SSB_CONN_6, mi, NULL);
    if (rc == SSB_OK)
        rc = ssb_grid_through_mask(ctx, g, elec, cp.axis, SSB_CONN_6, me, NULL);
    if (rc == SSB_OK) {
        const uint8_t *lab = ssb_grid_get_labels_const(g);
        int64_t cnt[SSB_HTML_CLASS_COUNT] = {0};
        for (int64_t v = 0; v < nv; v++) {
            if (cls[v] == SSB_MICRO_CAM_OTHER) {
                if (ion[lab[v]])
                    cls[v] = (uint8_t)(mi[v] == 3 ? SSB_HTML_CLASS_ION_PERC : SSB_HTML_CLASS_ION_DEAD);
                else if (carbon[lab[v]])
                    cls[v] = (uint8_t)(me[v] == 3 ? SSB_HTML_CLASS_ELEC_PERC : SSB_HTML_CLASS_ELEC_DEAD);
            }
            cnt[cls[v]]++;
        }
        if (counts)
            memcpy(counts, cnt, sizeof cnt);
    } else {
        ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    }
    free(mi);
    free(me);
    return rc;
}

/* Voxel (u, v) of the slice (u horizontal, v vertical) normal to axis at index w, as a linear index. */
static int64_t slice_index(const int64_t d[3], ssb_axis axis, int64_t u, int64_t v, int64_t w)
{
    int64_t x, y, z;
    if (axis == SSB_AXIS_Z)
        x = u, y = v, z = w;
    else if (axis == SSB_AXIS_Y)
        x = u, y = w, z = v;
    else
        x = w, y = u, z = v;
    return x + d[0] * (y + d[1] * z);
}

int ssb_html_add_slice(ssb_ctx *ctx, ssb_html *page, const char *id, const char *caption, const int64_t dims[3],
                       const uint8_t *cls, ssb_axis axis, int64_t index, int max_px)
{
    SSB_REQUIRE(ctx, page && dims && cls, SSB_ERR_ARG, "ssb_html_add_slice: NULL argument");
    SSB_REQUIRE(ctx, axis >= SSB_AXIS_X && axis <= SSB_AXIS_Z, SSB_ERR_ARG, "slice axis %d: must be x, y or z",
                (int)axis);
    SSB_REQUIRE(ctx, dims[0] >= 1 && dims[1] >= 1 && dims[2] >= 1, SSB_ERR_RANGE, "slice: empty grid");
    int64_t nw = dims[axis];
    if (index < 0)
        index = nw / 2;
    SSB_REQUIRE(ctx, index < nw, SSB_ERR_RANGE, "slice index %lld along %s: must be 0 to %lld", (long long)index,
                ssb_axis_name(axis), (long long)(nw - 1));
    SSB_REQUIRE(ctx, max_px >= 0 && max_px <= 4000, SSB_ERR_RANGE, "slice size %d px: must be 0 to 4000", max_px);
    if (max_px == 0)
        max_px = 480;
    int64_t nu = axis == SSB_AXIS_X ? dims[1] : dims[0];
    int64_t nvv = axis == SSB_AXIS_Z ? dims[1] : dims[2];
    int64_t cnt[SSB_HTML_CLASS_COUNT] = {0};
    for (int64_t v = 0; v < nvv; v++)
        for (int64_t u = 0; u < nu; u++) {
            uint8_t c = cls[slice_index(dims, axis, u, v, index)];
            SSB_REQUIRE(ctx, c < SSB_HTML_CLASS_COUNT, SSB_ERR_RANGE, "slice: class code %d at (%lld, %lld), must "
                        "be under %d", c, (long long)u, (long long)v, SSB_HTML_CLASS_COUNT);
            cnt[c]++;
        }
    char fid[64];
    SSB_CHECK(ctx, ssbi_html_figure_id(ctx, page, id, fid, sizeof fid));
    double s = (double)max_px / (double)(nu > nvv ? nu : nvv);
    double iw = s * (double)nu, ih = s * (double)nvv;
    int W = (int)iw + 340, H = (int)ih + 20;
    if (H < 20 + 18 * SSB_HTML_CLASS_COUNT)
        H = 20 + 18 * SSB_HTML_CLASS_COUNT;
    ssbi_html_buf *b = &page->body;
    ssbi_html_buf_printf(b, "<figure class=\"ssb-figure\" id=\"%s\">\n<svg class=\"ssb-slice\" "
                            "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                            "shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"",
                         fid, W, H, W, H);
    ssbi_html_buf_escape(b, caption ? caption : fid);
    ssbi_html_buf_puts(b, "\">\n<g class=\"ssb-voxel-map\" transform=\"translate(10 10)\">\n");
    /* one rect per run of equal class along u; the vertical index grows upwards (v = 0 at the bottom) */
    for (int64_t v = 0; v < nvv; v++) {
        double y = (double)(nvv - 1 - v) * s;
        int64_t u0 = 0;
        while (u0 < nu) {
            uint8_t c = cls[slice_index(dims, axis, u0, v, index)];
            int64_t u1 = u0 + 1;
            while (u1 < nu && cls[slice_index(dims, axis, u1, v, index)] == c)
                u1++;
            ssbi_html_buf_printf(b, "<rect class=\"ssb-voxels ssb-class-%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                                    "height=\"%.2f\" fill=\"%s\"/>",
                                 class_names[c], (double)u0 * s, y, (double)(u1 - u0) * s, s, class_colours[c]);
            u0 = u1;
        }
        ssbi_html_buf_puts(b, "\n");
    }
    ssbi_html_buf_puts(b, "</g>\n<g class=\"ssb-legend\">");
    int row = 0;
    double total = (double)(nu * nvv);
    for (int c = 0; c < SSB_HTML_CLASS_COUNT; c++) {
        if (!cnt[c])
            continue;
        double y = 22 + 18 * row++;
        ssbi_html_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\" "
                                "stroke=\"#999\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s (%.1f %%)</text>",
                             iw + 24, y - 10, class_colours[c], iw + 42, y, class_labels[c],
                             100.0 * (double)cnt[c] / total);
    }
    ssbi_html_buf_puts(b, "</g>\n</svg>\n");
    if (caption) {
        ssbi_html_buf_puts(b, "<figcaption>");
        ssbi_html_buf_escape(b, caption);
        ssbi_html_buf_puts(b, "</figcaption>\n");
    }
    ssbi_html_buf_puts(b, "</figure>\n");
    return ssbi_html_check(ctx, page);
}
