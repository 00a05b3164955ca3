/* Go's strconv.Quote and the RFC 3339 time format, for event text. */
#ifndef GORT_TRACE_QUOTE_H
#define GORT_TRACE_QUOTE_H

#include "../common/internal.h"

/* A growable text buffer; on allocation failure it sets oom and stops. */
struct gort_sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

void gort__sb_put(struct gort_sbuf *b, const char *s, size_t n);
void gort__sb_printf(struct gort_sbuf *b, const char *fmt, ...) GORT_PRINTF(2, 3);
/* strconv.Quote(s) (fmt's %q for strings). */
void gort__sb_quote(struct gort_sbuf *b, struct gort_str s);
/* time.Unix(sec, nsec).Format(time.RFC3339Nano), in the local zone. */
void gort__sb_rfc3339nano(struct gort_sbuf *b, int64_t sec, int64_t nsec);

/* strconv.IsPrint. */
bool gort__go_isprint(uint32_t r);

#endif
