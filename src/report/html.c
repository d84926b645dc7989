/* report: the self-contained HTML page (ssb_html.h): text blocks, tables from the report layer's field tables,
 * the page frame with its inline style and its one inline script, atomic writing. The figures are in
 * html_svg.c (plots) and html_slice.c (microstructure slices). */
#include "html_impl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------ buffer */

static void buf_reserve(ssbi_html_buf *b, size_t extra)
{
    if (b->nomem || b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->nomem = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void ssbi_html_buf_add(ssbi_html_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (b->nomem)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ssbi_html_buf_puts(ssbi_html_buf *b, const char *s)
{
    if (s)
        ssbi_html_buf_add(b, s, strlen(s));
}

void ssbi_html_buf_printf(ssbi_html_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    buf_reserve(b, (size_t)n);
    if (b->nomem)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ssbi_html_buf_escape(ssbi_html_buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            ssbi_html_buf_add(b, run, (size_t)(s - run));
            ssbi_html_buf_puts(b, rep);
            run = s + 1;
        }
    }
    ssbi_html_buf_add(b, run, (size_t)(s - run));
}

int ssbi_html_check(ssb_ctx *ctx, const ssb_html *page)
{
    if (page->head.nomem || page->body.nomem)
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "HTML page: out of memory (%zu bytes of text)", page->body.len);
    return SSB_OK;
}

int ssbi_html_figure_id(ssb_ctx *ctx, ssb_html *page, const char *id, char *buf, size_t n)
{
    page->nfigures++;
    if (!id) {
        snprintf(buf, n, "plot-%d", page->nfigures);
        return SSB_OK;
    }
    size_t len = strlen(id);
    int ok = len >= 1 && len < n && len <= 63;
    for (size_t i = 0; ok && i < len; i++)
        ok = isalnum((unsigned char)id[i]) || id[i] == '-' || id[i] == '_';
    SSB_REQUIRE(ctx, ok, SSB_ERR_ARG,
                "HTML figure id '%.80s': must be 1 to 63 letters, digits, '-' or '_'", id);
    snprintf(buf, n, "%s", id);
    return SSB_OK;
}

const char *ssbi_html_colour(int k)
{
    /* matplotlib "tab10", the palette of the PNG plots (ssb_plot.h) */
    static const char *const tab10[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return tab10[(k % 10 + 10) % 10];
}

/* ------------------------------------------------------------------------------------------------ page */

int ssb_html_create(ssb_ctx *ctx, const char *title, ssb_html **page)
{
    SSB_REQUIRE(ctx, page, SSB_ERR_ARG, "ssb_html_create: page is NULL");
    *page = NULL;
    ssb_html *h = ssbi_calloc(ctx, 1, sizeof *h, "HTML page");
    if (!h)
        return SSB_ERR_NOMEM;
    ssbi_html_buf_escape(&h->head, title ? title : "ssbnet report");
    if (ssbi_html_check(ctx, h) != SSB_OK) {
        ssb_html_destroy(&h);
        return SSB_ERR_NOMEM;
    }
    *page = h;
    return SSB_OK;
}

void ssb_html_destroy(ssb_html **page)
{
    if (!page || !*page)
        return;
    free((*page)->head.s);
    free((*page)->body.s);
    free(*page);
    *page = NULL;
}

int ssb_html_add_heading(ssb_ctx *ctx, ssb_html *page, int level, const char *text)
{
    SSB_REQUIRE(ctx, page && text, SSB_ERR_ARG, "ssb_html_add_heading: NULL argument");
    SSB_REQUIRE(ctx, level >= 1 && level <= 4, SSB_ERR_RANGE, "heading level %d: must be 1 to 4", level);
    ssbi_html_buf_printf(&page->body, "<h%d>", level);
    ssbi_html_buf_escape(&page->body, text);
    ssbi_html_buf_printf(&page->body, "</h%d>\n", level);
    return ssbi_html_check(ctx, page);
}

int ssb_html_add_paragraph(ssb_ctx *ctx, ssb_html *page, const char *text)
{
    SSB_REQUIRE(ctx, page && text, SSB_ERR_ARG, "ssb_html_add_paragraph: NULL argument");
    ssbi_html_buf_puts(&page->body, "<p>");
    ssbi_html_buf_escape(&page->body, text);
    ssbi_html_buf_puts(&page->body, "</p>\n");
    return ssbi_html_check(ctx, page);
}

static void table_open(ssb_html *page, const char *caption)
{
    ssbi_html_buf_puts(&page->body, "<div class=\"ssb-table-wrap\"><table class=\"ssb-table\">");
    if (caption) {
        ssbi_html_buf_puts(&page->body, "<caption>");
        ssbi_html_buf_escape(&page->body, caption);
        ssbi_html_buf_puts(&page->body, "</caption>");
    }
    ssbi_html_buf_puts(&page->body, "\n<thead><tr>");
}

int ssb_html_add_table(ssb_ctx *ctx, ssb_html *page, const char *caption, const ssb_report_type *t, const void *rows,
                       int n, size_t stride)
{
    SSB_REQUIRE(ctx, page && t && (rows || n == 0), SSB_ERR_ARG, "ssb_html_add_table: NULL argument");
    SSB_REQUIRE(ctx, n >= 0 && n <= 100000, SSB_ERR_RANGE, "HTML table '%s': %d rows, must be 0 to 100000",
                t->name, n);
    char cell[512];
    table_open(page, caption);
    for (int j = 0; j < t->nfields; j++) {
        ssb_report_field_header(&t->fields[j], cell, sizeof cell);
        ssbi_html_buf_puts(&page->body, "<th>");
        ssbi_html_buf_escape(&page->body, cell);
        ssbi_html_buf_puts(&page->body, "</th>");
    }
    ssbi_html_buf_puts(&page->body, "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < n; i++) {
        const void *row = (const char *)rows + (size_t)i * stride;
        ssbi_html_buf_puts(&page->body, "<tr>");
        for (int j = 0; j < t->nfields; j++) {
            ssb_report_field_format(&t->fields[j], row, cell, sizeof cell);
            int num = t->fields[j].kind != SSB_FIELD_STRING && t->fields[j].kind != SSB_FIELD_ENUM;
            ssbi_html_buf_puts(&page->body, num ? "<td class=\"num\">" : "<td>");
            ssbi_html_buf_escape(&page->body, cell);
            ssbi_html_buf_puts(&page->body, "</td>");
        }
        ssbi_html_buf_puts(&page->body, "</tr>\n");
    }
    ssbi_html_buf_puts(&page->body, "</tbody></table></div>\n");
    return ssbi_html_check(ctx, page);
}

int ssb_html_add_text_table(ssb_ctx *ctx, ssb_html *page, const char *caption, int ncols,
                            const char *const *headers, int nrows, const char *const *cells)
{
    SSB_REQUIRE(ctx, page && headers && (cells || nrows == 0), SSB_ERR_ARG,
                "ssb_html_add_text_table: NULL argument");
    SSB_REQUIRE(ctx, ncols >= 1 && ncols <= 256 && nrows >= 0 && nrows <= 100000, SSB_ERR_RANGE,
                "HTML table: %d columns x %d rows, must be 1 to 256 x 0 to 100000", ncols, nrows);
    table_open(page, caption);
    for (int j = 0; j < ncols; j++) {
        ssbi_html_buf_puts(&page->body, "<th>");
        ssbi_html_buf_escape(&page->body, headers[j] ? headers[j] : "");
        ssbi_html_buf_puts(&page->body, "</th>");
    }
    ssbi_html_buf_puts(&page->body, "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < nrows; i++) {
        ssbi_html_buf_puts(&page->body, "<tr>");
        for (int j = 0; j < ncols; j++) {
            const char *c = cells[(size_t)i * (size_t)ncols + (size_t)j];
            ssbi_html_buf_puts(&page->body, "<td>");
            ssbi_html_buf_escape(&page->body, c ? c : "-");
            ssbi_html_buf_puts(&page->body, "</td>");
        }
        ssbi_html_buf_puts(&page->body, "</tr>\n");
    }
    ssbi_html_buf_puts(&page->body, "</tbody></table></div>\n");
    return ssbi_html_check(ctx, page);
}

/* ------------------------------------------------------------------------------------------------ document */

static const char page_style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:1100px;"
    "padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.6em;border-bottom:2px solid #1f77b4}h2{font-size:1.3em;margin-top:1.6em}\n"
    ".ssb-table-wrap{overflow-x:auto}table.ssb-table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}\n"
    "table.ssb-table caption{text-align:left;font-weight:600;padding:0.3em 0}\n"
    "table.ssb-table th,table.ssb-table td{border:1px solid #ccc;padding:0.25em 0.6em}\n"
    "table.ssb-table th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "figure.ssb-figure{margin:1em 0}figure.ssb-figure figcaption{font-size:0.9em;color:#444}\n"
    "svg text{font-family:system-ui,sans-serif;fill:#222}\n";

/* The page's only script: every <svg> must hold drawn elements with a nonzero bounding box. The result goes to
 * data attributes on <html> (read from a headless browser's DOM dump) and to the console on failure. */
static const char page_script[] =
    "(function(){var s=document.querySelectorAll('svg'),ok=0,bad=[];\n"
    "for(var i=0;i<s.length;i++){var e=s[i].querySelectorAll('path,rect,circle,line,polyline,text'),n=0;\n"
    "for(var j=0;j<e.length;j++){var b=e[j].getBBox();if(b.width>0||b.height>0)n++;}\n"
    "var r=s[i].getBoundingClientRect();if(n>0&&r.width>0&&r.height>0)ok++;"
    "else bad.push(s[i].parentNode.id||('svg'+i));}\n"
    "var h=document.documentElement;h.setAttribute('data-ssb-plots',ok+'/'+s.length);\n"
    "h.setAttribute('data-ssb-status',bad.length?'fail: '+bad.join(' '):'ok');\n"
    "if(bad.length)console.error('ssbnet: plots not drawn: '+bad.join(' '));})();\n";

int ssb_html_render(ssb_ctx *ctx, const ssb_html *page, char **text)
{
    SSB_REQUIRE(ctx, page && text, SSB_ERR_ARG, "ssb_html_render: NULL argument");
    *text = NULL;
    SSB_CHECK(ctx, ssbi_html_check(ctx, page));
    ssbi_html_buf b = {0};
    ssbi_html_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                           "<meta name=\"generator\" content=\"ssbnet ");
    ssbi_html_buf_escape(&b, ssb_version());
    ssbi_html_buf_puts(&b, "\">\n<title>");
    ssbi_html_buf_puts(&b, page->head.s ? page->head.s : "");
    ssbi_html_buf_puts(&b, "</title>\n<style>\n");
    ssbi_html_buf_puts(&b, page_style);
    ssbi_html_buf_puts(&b, "</style>\n</head>\n<body>\n");
    if (page->body.s)
        ssbi_html_buf_add(&b, page->body.s, page->body.len);
    ssbi_html_buf_puts(&b, "<script>\n");
    ssbi_html_buf_puts(&b, page_script);
    ssbi_html_buf_puts(&b, "</script>\n</body>\n</html>\n");
    if (b.nomem) {
        free(b.s);
        return SSB_ERROR(ctx, SSB_ERR_NOMEM, "HTML page: out of memory (%zu bytes)", page->body.len);
    }
    *text = b.s;
    return SSB_OK;
}

int ssb_html_write(ssb_ctx *ctx, const ssb_html *page, const char *path)
{
    SSB_REQUIRE(ctx, page && path, SSB_ERR_ARG, "ssb_html_write: NULL argument");
    char *text = NULL;
    SSB_CHECK(ctx, ssb_html_render(ctx, page, &text));
    ssbi_atomic a;
    int rc = ssbi_atomic_open(ctx, &a, path, 1);
    if (rc == SSB_OK)
        rc = ssbi_atomic_write(ctx, &a, text, strlen(text));
    if (rc == SSB_OK)
        rc = ssbi_atomic_commit(ctx, &a);
    else
        ssbi_atomic_abort(&a);
    free(text);
    return rc;
}
