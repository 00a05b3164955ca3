/* Mirrors Go's strconv: Quote, Unquote, QuotedPrefix (double and back quotes). */
#include "quote.h"

#include <string.h>

/* Decode one UTF-8 rune like utf8.DecodeRune: invalid -> (-1, 1). */
static long decode_rune(const unsigned char *s, size_t n, size_t *size)
{
	long r;
	size_t need, i;

	*size = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2, r = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3, r = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4, r = s[0] & 0x07;
	else
		return -1;
	if (n < need)
		return -1;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		r = r << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((need == 3 && r < 0x800) || (need == 4 && (r < 0x10000 || r > 0x10FFFF)) ||
	    (r >= 0xD800 && r <= 0xDFFF))
		return -1;
	*size = need;
	return r;
}

static size_t encode_rune(long r, char *dst)
{
	unsigned char *d = (unsigned char *)dst;

	if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
		r = 0xFFFD;
	if (r < 0x80) {
		d[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		d[0] = (unsigned char)(0xC0 | r >> 6);
		d[1] = (unsigned char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		d[0] = (unsigned char)(0xE0 | r >> 12);
		d[1] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
		d[2] = (unsigned char)(0x80 | (r & 0x3F));
		return 3;
	}
	d[0] = (unsigned char)(0xF0 | r >> 18);
	d[1] = (unsigned char)(0x80 | ((r >> 12) & 0x3F));
	d[2] = (unsigned char)(0x80 | ((r >> 6) & 0x3F));
	d[3] = (unsigned char)(0x80 | (r & 0x3F));
	return 4;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One escape sequence after a backslash at s[0] (strconv.UnquoteChar).
 * Writes its bytes to dst (if not NULL); returns bytes consumed or 0.
 */
static size_t unescape(const char *s, size_t n, char *dst, size_t *outlen)
{
	static const char simple[] = "abfnrtv\\\"";
	static const char value[] = "\a\b\f\n\r\t\v\\\"";
	const char *hit;
	size_t digits, i;
	long v = 0;

	if (n < 2)
		return 0;
	if ((hit = memchr(simple, s[1], sizeof(simple) - 1))) {
		if (dst)
			dst[0] = value[hit - simple];
		*outlen = 1;
		return 2;
	}
	switch (s[1]) {
	case 'x':
		digits = 2;
		break;
	case 'u':
		digits = 4;
		break;
	case 'U':
		digits = 8;
		break;
	case '0': case '1': case '2': case '3':
	case '4': case '5': case '6': case '7':
		if (n < 4)
			return 0;
		for (i = 1; i < 4; i++) {
			if (s[i] < '0' || s[i] > '7')
				return 0;
			v = v * 8 + (s[i] - '0');
		}
		if (v > 255)
			return 0;
		if (dst)
			dst[0] = (char)v;
		*outlen = 1;
		return 4;
	default:
		return 0;
	}
	if (n < 2 + digits)
		return 0;
	for (i = 0; i < digits; i++) {
		int h = hexval(s[2 + i]);
		if (h < 0)
			return 0;
		v = v * 16 + h;
	}
	if (s[1] == 'x') {
		if (dst)
			dst[0] = (char)v;
		*outlen = 1;
	} else {
		char tmp[4];
		if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*outlen = encode_rune(v, dst ? dst : tmp);
	}
	return 2 + digits;
}

/* Scan (and optionally decode) the literal at s; returns its length or 0. */
static size_t scan_literal(const char *s, size_t n, char *dst, size_t *outlen)
{
	size_t i = 1, o = 0;

	if (n < 2)
		return 0;
	if (s[0] == '`') {
		for (; i < n; i++) {
			if (s[i] == '`') {
				*outlen = o;
				return i + 1;
			}
			if (s[i] == '\r')
				continue; /* raw strings drop carriage returns */
			if (dst)
				dst[o] = s[i];
			o++;
		}
		return 0;
	}
	if (s[0] != '"')
		return 0;
	while (i < n) {
		size_t used, len;
		if (s[i] == '"') {
			*outlen = o;
			return i + 1;
		}
		if (s[i] == '\n')
			return 0;
		if (s[i] == '\\') {
			used = unescape(s + i, n - i, dst ? dst + o : NULL, &len);
			if (!used)
				return 0;
			i += used;
			o += len;
			continue;
		}
		if (decode_rune((const unsigned char *)s + i, n - i, &used) < 0)
			return 0; /* Unquote rejects invalid UTF-8 */
		if (dst)
			memcpy(dst + o, s + i, used);
		i += used;
		o += used;
	}
	return 0;
}

size_t gort__go_quoted_prefix(const char *s, size_t n)
{
	size_t len;
	return scan_literal(s, n, NULL, &len);
}

long gort__go_unquote(const char *s, size_t n, char *dst)
{
	size_t len;
	if (scan_literal(s, n, NULL, &len) != n || n == 0)
		return -1;
	scan_literal(s, n, dst, &len);
	return (long)len;
}

static bool contains_any(struct gort_str s, const char *set)
{
	size_t i;
	for (i = 0; i < s.len; i++)
		if (s.ptr[i] && strchr(set, s.ptr[i]))
			return true;
	return false;
}

bool gort__go_quote_key(struct gort_str s)
{
	return s.len == 0 || contains_any(s, "= \t\r\n\"`");
}

bool gort__go_quote_value(struct gort_str s)
{
	return contains_any(s, " \t\r\n\"`");
}

void gort__buf_add(struct gort_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = gort__realloc(b->p, cap);
		if (!p) {
			b->err = gort__fail(GORT_ENOMEM, "out of memory (%zu bytes)", cap);
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void gort__buf_adds(struct gort_buf *b, const char *s)
{
	gort__buf_add(b, s, strlen(s));
}

/*
 * unicode.IsPrint, approximated: Go's tables also mark unassigned and some
 * format code points unprintable; build settings are ASCII in practice.
 */
static bool is_print(long r)
{
	return (r >= 0x20 && r < 0x7F) ||
	       (r >= 0xA1 && r != 0xAD && !(r >= 0x2028 && r <= 0x202E) &&
		r != 0xFEFF && !(r >= 0xFFF9 && r <= 0xFFFB));
}

void gort__buf_quote(struct gort_buf *b, struct gort_str s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, size;
	char esc[12];

	gort__buf_add(b, "\"", 1);
	while (i < s.len) {
		long r = decode_rune(p + i, s.len - i, &size);
		if (r < 0) {
			esc[0] = '\\', esc[1] = 'x', esc[2] = hex[p[i] >> 4],
			esc[3] = hex[p[i] & 15];
			gort__buf_add(b, esc, 4);
		} else if (r == '"' || r == '\\') {
			esc[0] = '\\', esc[1] = (char)r;
			gort__buf_add(b, esc, 2);
		} else if (is_print(r)) {
			gort__buf_add(b, s.ptr + i, size);
		} else {
			static const char ctl[] = "\a\b\f\n\r\t\v";
			const char *named = r ? strchr(ctl, (int)r) : NULL;
			if (named) {
				esc[0] = '\\', esc[1] = "abfnrtv"[named - ctl];
				gort__buf_add(b, esc, 2);
			} else if (r < ' ' || r == 0x7F) {
				esc[0] = '\\', esc[1] = 'x', esc[2] = hex[r >> 4],
				esc[3] = hex[r & 15];
				gort__buf_add(b, esc, 4);
			} else {
				int digits = r < 0x10000 ? 4 : 8, k;
				esc[0] = '\\', esc[1] = r < 0x10000 ? 'u' : 'U';
				for (k = 0; k < digits; k++)
					esc[2 + k] = hex[(r >> (4 * (digits - 1 - k))) & 15];
				gort__buf_add(b, esc, (size_t)(2 + digits));
			}
		}
		i += size;
	}
	gort__buf_add(b, "\"", 1);
}
