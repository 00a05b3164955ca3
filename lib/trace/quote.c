/*
 * Go's strconv.Quote (strconv/quote.go: appendQuotedWith,
 * appendEscapedRune, IsPrint), unicode/utf8.DecodeRuneInString, and
 * time.Time.Format(time.RFC3339Nano), byte for byte.
 */
#include "quote.h"

#include "isprint.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void gort__sb_put(struct gort_sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *np;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (!(np = gort__realloc(b->p, ncap))) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void gort__sb_printf(struct gort_sbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		gort__sb_put(b, tmp, (size_t)n);
		return;
	}
	{
		char *big = gort__malloc((size_t)n + 1);
		if (!big) {
			b->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		gort__sb_put(b, big, (size_t)n);
		gort__free(big);
	}
}

/* First index i with a[i] >= v (strconv's bsearch). */
#define BSEARCH(a, n, v, out)                          \
	do {                                           \
		size_t lo_ = 0, hi_ = (n);             \
		while (lo_ < hi_) {                    \
			size_t h_ = lo_ + (hi_ - lo_) / 2; \
			if ((a)[h_] < (v))             \
				lo_ = h_ + 1;          \
			else                           \
				hi_ = h_;              \
		}                                      \
		(out) = lo_;                           \
	} while (0)

bool gort__go_isprint(uint32_t r)
{
	size_t i, n;

	if (r <= 0xFF) {
		if (0x20 <= r && r <= 0x7E)
			return true;
		if (0xA1 <= r && r <= 0xFF)
			return r != 0xAD;
		return false;
	}
	if (r < 0x10000) {
		uint16_t rr = (uint16_t)r;
		n = GORT_ARRAY_SIZE(gort__isPrint16);
		BSEARCH(gort__isPrint16, n, rr, i);
		if (i >= n || rr < gort__isPrint16[i & ~(size_t)1] || gort__isPrint16[i | 1] < rr)
			return false;
		n = GORT_ARRAY_SIZE(gort__isNotPrint16);
		BSEARCH(gort__isNotPrint16, n, rr, i);
		return !(i < n && gort__isNotPrint16[i] == rr);
	}
	n = GORT_ARRAY_SIZE(gort__isPrint32);
	BSEARCH(gort__isPrint32, n, r, i);
	if (i >= n || r < gort__isPrint32[i & ~(size_t)1] || gort__isPrint32[i | 1] < r)
		return false;
	if (r >= 0x20000)
		return true;
	{
		uint16_t rr = (uint16_t)(r - 0x10000);
		n = GORT_ARRAY_SIZE(gort__isNotPrint32);
		BSEARCH(gort__isNotPrint32, n, rr, i);
		return !(i < n && gort__isNotPrint32[i] == rr);
	}
}

/* utf8.DecodeRuneInString: the rune and its width; (0xFFFD, 1) if invalid. */
static uint32_t decode_rune(const uint8_t *s, size_t n, size_t *width)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xBF;
	uint32_t r;
	size_t need;

	*width = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
		r = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		r = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		r = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0xFFFD;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 0xFFFD;
	r = r << 6 | (s[1] & 0x3F);
	for (size_t i = 2; i < need; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0xFFFD;
		r = r << 6 | (s[i] & 0x3F);
	}
	*width = need;
	return r;
}

void gort__sb_quote(struct gort_sbuf *b, struct gort_str str)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = (const uint8_t *)str.ptr;
	size_t n = str.len, w;
	char tmp[12];

	gort__sb_put(b, "\"", 1);
	for (size_t i = 0; i < n; i += w) {
		uint32_t r = decode_rune(s + i, n - i, &w);

		if (w == 1 && r == 0xFFFD && s[i] >= 0x80) {
			/* An invalid byte. */
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[s[i] >> 4];
			tmp[3] = hex[s[i] & 0xF];
			gort__sb_put(b, tmp, 4);
			continue;
		}
		if (r == '"' || r == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)r;
			gort__sb_put(b, tmp, 2);
			continue;
		}
		if (gort__go_isprint(r)) {
			gort__sb_put(b, (const char *)s + i, w);
			continue;
		}
		switch (r) {
		case '\a': gort__sb_put(b, "\\a", 2); break;
		case '\b': gort__sb_put(b, "\\b", 2); break;
		case '\f': gort__sb_put(b, "\\f", 2); break;
		case '\n': gort__sb_put(b, "\\n", 2); break;
		case '\r': gort__sb_put(b, "\\r", 2); break;
		case '\t': gort__sb_put(b, "\\t", 2); break;
		case '\v': gort__sb_put(b, "\\v", 2); break;
		default:
			if (r < ' ' || r == 0x7f)
				gort__sb_printf(b, "\\x%c%c", hex[(r >> 4) & 0xF], hex[r & 0xF]);
			else if (r < 0x10000)
				gort__sb_printf(b, "\\u%04x", (unsigned)r);
			else
				gort__sb_printf(b, "\\U%08x", (unsigned)r);
		}
	}
	gort__sb_put(b, "\"", 1);
}

void gort__sb_rfc3339nano(struct gort_sbuf *b, int64_t sec, int64_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char frac[16];
	long off;
	int n = 9;

	if (!localtime_r(&t, &tm)) {
		gort__sb_printf(b, "%lld.%09lld", (long long)sec, (long long)nsec);
		return;
	}
	gort__sb_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* ".999999999": the fraction without trailing zeros, none if zero. */
	snprintf(frac, sizeof(frac), ".%09lld", (long long)nsec);
	while (n > 0 && frac[n] == '0')
		n--;
	if (n > 0)
		gort__sb_put(b, frac, (size_t)n + 1);
	off = tm.tm_gmtoff;
	if (off == 0) {
		gort__sb_put(b, "Z", 1);
	} else {
		long zone = off / 60;
		char sign = '+';
		if (zone < 0) {
			sign = '-';
			zone = -zone;
		}
		gort__sb_printf(b, "%c%02ld:%02ld", sign, zone / 60, zone % 60);
	}
}
