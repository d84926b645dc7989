/* run: the self-contained HTML report of a finished run (ssb_run_write_html): the structure's network tables and
 * slices coloured by network class, the hand-over, the rate points, and the run's plots drawn as inline SVG
 * (voltage curves, rate capability, overpotential breakdown, Ragone) through the report layer (ssb_html.h). */
#include "run_impl.h"

#include <ssbnet/ssb_html.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The structure: network tables and two slices (through the thickness at the middle of y, in-plane at the middle
 * of z). */
static int html_structure(ssb_ctx *ctx, ssb_html *page, const ssb_run_result *res)
{
    SSB_CHECK(ctx, ssb_html_add_heading(ctx, page, 2, "Microstructure and its networks"));
    char txt[512];
    snprintf(txt, sizeof txt,
             "%s composite cathode of %lld x %lld x %lld voxels of %.3g um (%.1f x %.1f x %.1f um; z through the "
             "thickness, current collector at z = 0).",
             res->generated ? "Generated" : "Imaged", (long long)res->dims[0], (long long)res->dims[1],
             (long long)res->dims[2], ssb_unit_from_si(SSB_UNIT_UM, res->voxel_size[0]),
             ssb_unit_from_si(SSB_UNIT_UM, res->extent[0]), ssb_unit_from_si(SSB_UNIT_UM, res->extent[1]),
             ssb_unit_from_si(SSB_UNIT_UM, res->extent[2]));
    SSB_CHECK(ctx, ssb_html_add_paragraph(ctx, page, txt));
    ssb_transport_result tr[2] = {res->ion, res->el};
    SSB_CHECK(ctx, ssb_html_add_table(ctx, page, "effective transport through the cathode (z): Li+, then e-",
                                      ssb_run_report_type(SSB_RUN_REPORT_TRANSPORT), tr, 2, sizeof tr[0]));
    SSB_CHECK(ctx, ssb_html_add_table(ctx, page, "active and dead CAM, CAM|SE area, network percolation",
                                      ssb_run_report_type(SSB_RUN_REPORT_CAM), &res->cam, 1, sizeof res->cam));
    if (!res->grid)
        return SSB_OK;
    int64_t nv = ssb_grid_get_nvoxels(res->grid);
    uint8_t *cls = ssbi_malloc(ctx, (size_t)nv, "network classes");
    if (!cls)
        return SSB_ERR_NOMEM;
    int rc = ssb_html_network_classes(ctx, res->grid, NULL, cls, NULL);
    if (rc == SSB_OK)
        rc = ssb_html_add_slice(ctx, page, "slice-through-thickness",
                                "slice through the thickness (x-z plane at the middle of y; current collector at the "
                                "bottom, separator at the top)",
                                res->dims, cls, SSB_AXIS_Y, -1, 480);
    if (rc == SSB_OK)
        rc = ssb_html_add_slice(ctx, page, "slice-in-plane", "in-plane slice (x-y plane at the middle of z)",
                                res->dims, cls, SSB_AXIS_Z, -1, 360);
    free(cls);
    SSB_CHECK(ctx, rc);
    return ssb_html_add_table(ctx, page, "hand-over to the cell model (each value next to the one it comes from)",
                              ssb_run_report_type(SSB_RUN_REPORT_HANDOVER), res, 1, sizeof *res);
}

/* Voltage curves, rate capability and the Ragone plot of the sustained rate points. */
static int html_curves(ssb_ctx *ctx, ssb_html *page, const ssb_run_result *res)
{
    int nr = res->nrates, ns = 0;
    ssb_html_series s[SSB_RUN_MAX_RATES];
    double *qm[SSB_RUN_MAX_RATES] = {0};
    char lab[SSB_RUN_MAX_RATES][32];
    int rc = SSB_OK;
    for (int i = 0; i < nr && rc == SSB_OK; i++) {
        const ssb_cell_result *c = res->curves[i];
        int n = c ? ssb_cell_result_npoints(c) : 0;
        if (n < 1)
            continue;
        const double *q = ssb_cell_result_series(c, SSB_CELL_Q);
        qm[ns] = ssbi_malloc(ctx, (size_t)n * sizeof(double), "voltage curve");
        if (!qm[ns]) {
            rc = SSB_ERR_NOMEM;
            break;
        }
        for (int k = 0; k < n; k++)
            qm[ns][k] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, q[k]);
        snprintf(lab[ns], sizeof lab[ns], "%gC", res->points[i].crate);
        s[ns] = (ssb_html_series){lab[ns], n, qm[ns], ssb_cell_result_series(c, SSB_CELL_V), 1, 0};
        ns++;
    }
    ssb_html_plot_params p = ssb_html_plot_params_default();
    if (rc == SSB_OK && ns > 0) {
        p.id = "voltage-curves";
        p.title = "Discharge voltage curves";
        p.xlabel = "discharge capacity [mAh/cm2]";
        p.ylabel = "cell voltage [V]";
        rc = ssb_html_add_line_plot(ctx, page, &p, ns, s);
    }
    for (int i = 0; i < ns; i++)
        free(qm[i]);
    SSB_CHECK(ctx, rc);
    double cr[SSB_RUN_MAX_RATES], cap[SSB_RUN_MAX_RATES], pw[SSB_RUN_MAX_RATES], en[SSB_RUN_MAX_RATES];
    int nsus = 0;
    for (int i = 0; i < nr; i++) {
        const ssb_cell_rate_point *pt = &res->points[i];
        cr[i] = pt->crate;
        cap[i] = ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, pt->capacity);
        if (pt->sustained && pt->capacity > 0 && pt->wh_per_kg > 0) {
            /* power density = specific energy / discharge time, time = capacity / current */
            en[nsus] = ssb_unit_to_si(SSB_UNIT_WH_PER_KG, pt->wh_per_kg);
            pw[nsus] = en[nsus] * pt->current / pt->capacity;
            nsus++;
        }
    }
    p = ssb_html_plot_params_default();
    p.id = "rate-capability";
    p.title = "Rate capability";
    p.xlabel = "C-rate [1/h]";
    p.ylabel = "discharge capacity [mAh/cm2]";
    p.xlog = nr > 1;
    ssb_html_series sc = {"capacity", nr, cr, cap, 1, 1};
    SSB_CHECK(ctx, ssb_html_add_line_plot(ctx, page, &p, 1, &sc));
    if (nsus > 0) {
        p = ssb_html_plot_params_default();
        p.id = "ragone";
        p.title = "Ragone plot of the stack (one point per sustained C-rate)";
        ssb_html_series sr = {"this cell", nsus, pw, en, 1, 1};
        SSB_CHECK(ctx, ssb_html_add_ragone(ctx, page, &p, 1, &sr));
    }
    return SSB_OK;
}

/* Mean overpotential of each process at each C-rate as grouped bars (processes under 1 uV at every rate left out,
 * as in the PNG). */
static int html_breakdown(ssb_ctx *ctx, ssb_html *page, const ssb_run_result *res)
{
    int nr = res->nrates, nl = 0;
    char cat[SSB_RUN_MAX_RATES][32];
    const char *cats[SSB_RUN_MAX_RATES], *labels[SSB_CELL_LOSS_COUNT];
    double v[SSB_CELL_LOSS_COUNT * SSB_RUN_MAX_RATES];
    for (int i = 0; i < nr; i++) {
        snprintf(cat[i], sizeof cat[i], "%gC", res->points[i].crate);
        cats[i] = cat[i];
    }
    for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++) {
        double mx = 0;
        for (int i = 0; i < nr; i++)
            mx = fmax(mx, fabs(ssb_unit_from_si(SSB_UNIT_MV, res->points[i].mean.loss[k])));
        if (mx < 1e-3)
            continue;
        labels[nl] = ssb_cell_loss_label((ssb_cell_loss)k);
        for (int i = 0; i < nr; i++)
            v[nl * nr + i] = ssb_unit_from_si(SSB_UNIT_MV, res->points[i].mean.loss[k]);
        nl++;
    }
    if (nl == 0)
        return SSB_OK;
    ssb_html_plot_params p = ssb_html_plot_params_default();
    p.id = "overpotential-breakdown";
    p.title = "Overpotential breakdown (mean over each discharge)";
    p.xlabel = "C-rate";
    p.ylabel = "overpotential [mV]";
    p.width = 760;
    return ssb_html_add_bar_chart(ctx, page, &p, nr, cats, nl, labels, v);
}

/* Stage 5: stability of both contacts and their resistance before and after the ageing (or why not assessed). */
static int html_interfaces(ssb_ctx *ctx, ssb_html *page, const ssb_run_result *res)
{
    SSB_CHECK(ctx, ssb_html_add_heading(ctx, page, 2, "Interfaces"));
    if (!res->iface) {
        if (!res->iface_note[0])
            return SSB_OK;
        char txt[600];
        snprintf(txt, sizeof txt, "Not assessed: %s", res->iface_note);
        return ssb_html_add_paragraph(ctx, page, txt);
    }
    const ssb_iface_assessment *a = &res->interfaces;
    const ssb_iface_stability *st[2] = {&a->pos, &a->neg};
    const double R0[2] = {a->R_pos_initial, a->R_neg_initial}, R1[2] = {a->R_pos_aged, a->R_neg_aged};
    char buf[2][5][SSB_IFACE_TEXT_LEN];
    const char *cells[12];
    for (int k = 0; k < 2; k++) {
        snprintf(buf[k][0], sizeof buf[k][0], "%s|%s", st[k]->electrode, st[k]->electrolyte);
        snprintf(buf[k][1], sizeof buf[k][1], "%s",
                 st[k]->stable < 0 ? "unknown" : st[k]->stable ? "yes" : st[k]->nearly_stable ? "nearly" : "no");
        snprintf(buf[k][2], sizeof buf[k][2], "%.4g", ssb_unit_from_si(SSB_UNIT_OHM_CM2, R0[k]));
        snprintf(buf[k][3], sizeof buf[k][3], "%.4g", ssb_unit_from_si(SSB_UNIT_OHM_CM2, R1[k]));
        snprintf(buf[k][4], sizeof buf[k][4], "%s", st[k]->stable >= 0 ? st[k]->window_source : "-");
        const char *row[6] = {buf[k][0], buf[k][1], ssb_iface_type_name(st[k]->type), buf[k][2], buf[k][3],
                              buf[k][4]};
        memcpy(cells + 6 * k, row, sizeof row);
    }
    static const char *const hd[6] = {"contact", "stable", "interphase", "R initial [ohm cm2]", "R aged [ohm cm2]",
                                      "window source"};
    char cap[200];
    snprintf(cap, sizeof cap, "stability over the operating window; resistance after %g h at the top-of-charge "
                              "potential (the cathode's per CAM|SE area)", a->hours);
    return ssb_html_add_text_table(ctx, page, cap, 6, hd, 2, cells);
}

int ssb_run_write_html(ssb_ctx *ctx, const ssb_run_result *res, const char *path)
{
    SSB_REQUIRE(ctx, res && path && res->stage >= 4, SSB_ERR_ARG, "ssb_run_write_html: no cell results");
    ssb_html *page = NULL;
    SSB_CHECK(ctx, ssb_html_create(ctx, "ssbnet run report", &page));
    const ssb_cell_values *v = &res->values_in;
    char txt[512];
    snprintf(txt, sizeof txt, "ssbnet run: %s (%.3g um) | %s separator (%.3g um) | %s",
             v->pos.active_material[0] ? v->pos.active_material : "cathode",
             ssb_unit_from_si(SSB_UNIT_UM, v->pos.thickness), v->sep.electrolyte[0] ? v->sep.electrolyte : "SE",
             ssb_unit_from_si(SSB_UNIT_UM, v->sep.thickness),
             v->anode == SSB_CELL_ANODE_LI_METAL ? "Li metal" : "composite anode");
    int rc = ssb_html_add_heading(ctx, page, 1, txt);
    int last = ssb_cell_rate_sweep_last_sustained(res->nrates, res->points);
    if (rc == SSB_OK && last >= 0) {
        const ssb_cell_rate_point *pt = &res->points[last];
        double tot = 0;
        for (int k = 0; k < SSB_CELL_LOSS_COUNT; k++)
            tot += pt->mean.loss[k];
        snprintf(txt, sizeof txt, "Bottleneck at %gC: %s, %.1f mV of %.1f mV total mean overpotential.", pt->crate,
                 ssb_cell_loss_label(pt->bottleneck), ssb_unit_from_si(SSB_UNIT_MV, pt->mean.loss[pt->bottleneck]),
                 ssb_unit_from_si(SSB_UNIT_MV, tot));
        rc = ssb_html_add_paragraph(ctx, page, txt);
    }
    if (rc == SSB_OK && res->micro)
        rc = html_structure(ctx, page, res);
    if (rc == SSB_OK)
        rc = ssb_html_add_heading(ctx, page, 2, "Cell: discharge at each C-rate");
    if (rc == SSB_OK)
        rc = ssb_html_add_table(ctx, page, "rate points (stack energy densities)",
                                ssb_run_report_type(SSB_RUN_REPORT_RATE_POINT), res->points, res->nrates,
                                sizeof res->points[0]);
    if (rc == SSB_OK)
        rc = html_curves(ctx, page, res);
    if (rc == SSB_OK)
        rc = html_breakdown(ctx, page, res);
    if (rc == SSB_OK)
        rc = html_interfaces(ctx, page, res);
    if (rc == SSB_OK)
        rc = ssb_html_write(ctx, page, path);
    ssb_html_destroy(&page);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
