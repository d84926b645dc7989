/* design: the comparison as a self-contained HTML page (ssb_html.h): the ranked table, the energy per variant, the
 * overpotential breakdown of every variant at the target rate, and the variants on a Ragone plot. */
#include "design_impl.h"

#include <ssbnet/ssb_html.h>
#include <ssbnet/ssb_mech.h>
#include <ssbnet/ssb_units.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCOL 11

static void cell_text(char *buf, size_t n, double x, const char *fmt)
{
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, x);
}

/* The ranked table as text cells (rank order), cells[NCOL * n], each a 128-byte slot of text. */
static void table_cells(const ssb_design_comparison *c, char (*txt)[128], const char **cells)
{
    int row = 0;
    for (int r = 1; r <= c->n; r++)
        for (int i = 0; i < c->n; i++) {
            const ssb_design_variant *v = &c->v[i];
            if (v->rank != r)
                continue;
            const ssb_design_metrics *m = &v->m;
            char(*t)[128] = txt + (size_t)row * NCOL;
            snprintf(t[0], 128, "%d", v->rank);
            snprintf(t[1], 128, "%s", v->name);
            if (v->ok) {
                cell_text(t[2], 128, m->wh_per_kg, "%.1f");
                cell_text(t[3], 128, m->wh_per_l, "%.1f");
                cell_text(t[4], 128, ssb_unit_from_si(SSB_UNIT_MAH_PER_CM2, m->capacity), "%.4g");
                cell_text(t[5], 128, m->power_rate, "%g");
                cell_text(t[6], 128, m->ccs_available ? ssb_unit_from_si(SSB_UNIT_MA_PER_CM2, m->ccs) : NAN,
                          m->ccs_available && m->ccs >= SSB_MECH_J_MAX ? ">= %g" : "%.3g"); /* capped, as the CLI */
                cell_text(t[7], 128, ssb_unit_from_si(SSB_UNIT_OHM_CM2, m->R_pos_aged), "%.4g");
                cell_text(t[8], 128, m->retention_aged, "%.3f");
                snprintf(t[9], 128, "%s (%.3g mV)", ssb_cell_loss_name(m->bottleneck),
                         ssb_unit_from_si(SSB_UNIT_MV, m->bottleneck_loss));
                snprintf(t[10], 128, "%s", v->strategy >= 0 && v->reused ? "reused" : "measured");
                if (!m->sustained) { /* as the CLI table: no energy or capacity at a rate the cell cannot carry */
                    snprintf(t[2], 128, "-");
                    snprintf(t[3], 128, "-");
                    snprintf(t[4], 128, "not sustained");
                }
            } else {
                for (int k = 2; k < NCOL; k++)
                    snprintf(t[k], 128, "-");
                snprintf(t[9], 128, "%s", v->error_code == SSB_ERR_UNSUPPORTED ? "not applicable" : "failed");
            }
            for (int k = 0; k < NCOL; k++)
                cells[(size_t)row * NCOL + (size_t)k] = t[k];
            row++;
        }
}

/* Variants that ran, for the figures: indices into c->v. */
static int ok_variants(const ssb_design_comparison *c, int *idx)
{
    int n = 0;
    for (int i = 0; i < c->n && n < 32; i++)
        if (c->v[i].ok)
            idx[n++] = i;
    return n;
}

static int add_figures(ssb_ctx *ctx, ssb_html *page, const ssb_design_comparison *c)
{
    int idx[32];
    const int n = ok_variants(c, idx);
    if (n == 0)
        return SSB_OK;
    const char *names[32];
    double e[32];
    int have_kg = 1;
    for (int j = 0; j < n; j++) {
        names[j] = c->v[idx[j]].name;
        have_kg &= isfinite(c->v[idx[j]].m.wh_per_kg);
    }
    for (int j = 0; j < n; j++) {
        const ssb_design_metrics *m = &c->v[idx[j]].m;
        e[j] = have_kg ? m->wh_per_kg : ssb_unit_from_si(SSB_UNIT_MWH_PER_CM2, m->energy);
    }
    char title[160];
    snprintf(title, sizeof title, "stack energy at %gC", c->v[0].m.rate);
    ssb_html_plot_params p = ssb_html_plot_params_default();
    p.id = "energy";
    p.title = title;
    p.xlabel = "variant";
    p.ylabel = have_kg ? "stack energy [Wh/kg]" : "areal energy [mWh/cm2]";
    const char *ser[1] = {have_kg ? "Wh/kg" : "mWh/cm2"};
    SSB_CHECK(ctx, ssb_html_add_bar_chart(ctx, page, &p, n, names, 1, ser, e));
    /* breakdown: the losses that are not zero in every variant, in mV */
    int loss[SSB_CELL_LOSS_COUNT], nl = 0;
    for (int k = 0; k < SSB_CELL_LOSS_COUNT && nl < 16; k++) {
        int any = 0;
        for (int j = 0; j < n; j++)
            any |= fabs(c->v[idx[j]].m.breakdown.loss[k]) > 0;
        if (any)
            loss[nl++] = k;
    }
    if (nl > 0) {
        double *vals = malloc(sizeof *vals * (size_t)(nl * n));
        const char *labels[16];
        if (!vals)
            return SSB_ERROR(ctx, SSB_ERR_NOMEM, "design report: out of memory");
        for (int q = 0; q < nl; q++) {
            labels[q] = ssb_cell_loss_name((ssb_cell_loss)loss[q]);
            for (int j = 0; j < n; j++)
                vals[q * n + j] = ssb_unit_from_si(SSB_UNIT_MV, c->v[idx[j]].m.breakdown.loss[loss[q]]);
        }
        ssb_html_plot_params pb = ssb_html_plot_params_default();
        pb.id = "overpotential-breakdown";
        pb.title = "mean overpotentials of the target-rate discharge";
        pb.xlabel = "variant";
        pb.ylabel = "mean loss [mV]";
        pb.width = 900;
        int rc = ssb_html_add_bar_chart(ctx, page, &pb, n, names, nl, labels, vals);
        free(vals);
        SSB_CHECK(ctx, rc);
    }
    /* Ragone: specific energy against power (energy / discharge time), one marker per variant */
    ssb_html_series s[32];
    double x[32], y[32];
    int ns = 0;
    for (int j = 0; j < n; j++) {
        const ssb_design_metrics *m = &c->v[idx[j]].m;
        const double t = m->capacity / m->current; /* [s] */
        if (!(isfinite(m->wh_per_kg) && m->wh_per_kg > 0 && t > 0))
            continue;
        y[ns] = ssb_unit_to_si(SSB_UNIT_WH_PER_KG, m->wh_per_kg);
        x[ns] = y[ns] / t;
        s[ns] = (ssb_html_series){names[j], 1, &x[ns], &y[ns], 0, 1};
        ns++;
    }
    if (ns > 0) {
        ssb_html_plot_params pr = ssb_html_plot_params_default();
        pr.id = "ragone";
        pr.title = "variants at the target rate";
        SSB_CHECK(ctx, ssb_html_add_ragone(ctx, page, &pr, ns, s));
    }
    return SSB_OK;
}

int ssb_design_comparison_write_html(ssb_ctx *ctx, const ssb_design_comparison *c, const char *title,
                                     const char *path)
{
    SSB_REQUIRE(ctx, c && c->n >= 1 && c->v && path, SSB_ERR_ARG, "ssb_design_comparison_write_html: bad argument");
    ssb_html *page = NULL;
    SSB_CHECK(ctx, ssb_html_create(ctx, title ? title : "ssbnet design compare", &page));
    char (*txt)[128] = calloc((size_t)c->n * NCOL, sizeof *txt);
    const char **cells = calloc((size_t)c->n * NCOL, sizeof *cells);
    int rc = txt && cells ? SSB_OK : SSB_ERROR(ctx, SSB_ERR_NOMEM, "design report: out of memory");
    char para[512];
    snprintf(para, sizeof para,
             "The baseline and %d strategy variants through the whole chain at %gC, ranked by stack energy (ties by "
             "power capability, critical stripping current and capacity retention with the aged interfaces). "
             "R aged: the cathode|SE resistance per CAM|SE area after the interface ageing.",
             c->n - 1, c->v[0].m.rate);
    if (rc == SSB_OK)
        rc = ssb_html_add_heading(ctx, page, 1, title ? title : "ssbnet design compare");
    if (rc == SSB_OK)
        rc = ssb_html_add_paragraph(ctx, page, para);
    if (rc == SSB_OK) {
        static const char *const hd[NCOL] = {"rank", "variant", "stack [Wh/kg]", "stack [Wh/L]",
                                             "capacity [mAh/cm2]", "power [C]", "CCS [mA/cm2]", "R aged [ohm cm2]",
                                             "retention aged [-]", "bottleneck (mean loss)", "structure"};
        table_cells(c, txt, cells);
        rc = ssb_html_add_text_table(ctx, page, "variants, best first", NCOL, hd, c->n, cells);
    }
    for (int i = 0; i < c->n && rc == SSB_OK; i++)
        if (!c->v[i].ok) {
            char msg[SSB_DESIGN_NOTE_LEN + 128];
            snprintf(msg, sizeof msg, "%s %s%s", c->v[i].name,
                     c->v[i].error_code == SSB_ERR_UNSUPPORTED ? "" : "failed: ", c->v[i].error);
            rc = ssb_html_add_paragraph(ctx, page, msg);
        }
    /* the baseline's notes, as the CLI's table: aged figures without growth data, a CCS beyond the model's range */
    const ssb_design_metrics *b = &c->v[0].m;
    if (rc == SSB_OK && c->v[0].ok && b->aged_available && b->aged_note[0]) {
        char msg[SSB_DESIGN_NOTE_LEN + 32];
        snprintf(msg, sizeof msg, "Aged figures: %s", b->aged_note);
        rc = ssb_html_add_paragraph(ctx, page, msg);
    }
    for (int i = 0; i < c->n && rc == SSB_OK; i++)
        if (c->v[i].ok && c->v[i].m.ccs_available && c->v[i].m.ccs_note[0]) {
            char msg[SSB_DESIGN_NOTE_LEN + 128];
            snprintf(msg, sizeof msg, "%s: %s", c->v[i].name, c->v[i].m.ccs_note);
            rc = ssb_html_add_paragraph(ctx, page, msg);
        }
    if (rc == SSB_OK)
        rc = add_figures(ctx, page, c);
    if (rc == SSB_OK)
        rc = ssb_html_write(ctx, page, path);
    free(txt);
    free(cells);
    ssb_html_destroy(&page);
    if (rc != SSB_OK)
        return ssbi_trace(ctx, rc, __FILE__, __LINE__, __func__);
    return SSB_OK;
}
