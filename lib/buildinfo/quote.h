/* Go string literals, as strconv.Quote / Unquote write and read them. */
#ifndef GORT_BUILDINFO_QUOTE_H
#define GORT_BUILDINFO_QUOTE_H

#include "../common/internal.h"

/*
 * Length of the quoted literal ("..." or `...`) at the start of s, or 0 if
 * s does not start with a valid one (strconv.QuotedPrefix).
 */
size_t gort__go_quoted_prefix(const char *s, size_t n);

/*
 * Unquote the literal s[0..n) (which must be exactly one literal) into dst,
 * which has room for n bytes (unquoting never grows). Returns the length,
 * or -1 if s is not a valid literal.
 */
long gort__go_unquote(const char *s, size_t n, char *dst);

/* Whether Go's BuildInfo.String() quotes a key / a value. */
bool gort__go_quote_key(struct gort_str s);
bool gort__go_quote_value(struct gort_str s);

/* A growable string buffer. */
struct gort_buf {
	char *p;
	size_t len, cap;
	int err;
};
void gort__buf_add(struct gort_buf *b, const char *s, size_t n);
void gort__buf_adds(struct gort_buf *b, const char *s);
/* Append strconv.Quote(s). */
void gort__buf_quote(struct gort_buf *b, struct gort_str s);

#endif
