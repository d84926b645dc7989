/* report: private parts of the HTML page (html.c, html_svg.c, html_slice.c). Not installed. */
#ifndef SSB_HTML_IMPL_H
#define SSB_HTML_IMPL_H

#include <ssbnet/ssb_html.h>

#include "core_impl.h"

#include <stddef.h>

/* A growing text buffer. Allocation failure is sticky: nomem is set and later appends do nothing, so a writer
 * checks once at the end (ssbi_html_buf_check). */
typedef struct {
    char *s;
    size_t len, cap;
    int nomem;
} ssbi_html_buf;

void ssbi_html_buf_add(ssbi_html_buf *b, const char *s, size_t n);
void ssbi_html_buf_puts(ssbi_html_buf *b, const char *s);
void ssbi_html_buf_printf(ssbi_html_buf *b, const char *fmt, ...) SSBI_PRINTF(2, 3);
/* Append s with & < > " ' escaped (NULL appends nothing). */
void ssbi_html_buf_escape(ssbi_html_buf *b, const char *s);

struct ssb_html {
    ssbi_html_buf head; /* title */
    ssbi_html_buf body; /* everything added */
    int nfigures;       /* figures added (default ids plot-K) */
};

/* SSB_ERR_NOMEM if the page's buffers failed to grow, else SSB_OK. */
int ssbi_html_check(ssb_ctx *ctx, const ssb_html *page);
/* The figure id of p (validated: letters, digits, '-', '_', 1..63 chars) or "plot-K" into buf. */
int ssbi_html_figure_id(ssb_ctx *ctx, ssb_html *page, const char *id, char *buf, size_t n);
/* Palette colour k (tab10, cycled) as "#rrggbb". */
const char *ssbi_html_colour(int k);

#endif
