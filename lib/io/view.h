/*
 * The one way file data is read: a bounds-checked view of bytes with the
 * byte order and pointer size of the file it came from, and a cursor over
 * a view whose errors are sticky (check once at the end of a record).
 * No other code does pointer arithmetic on file data.
 */
#ifndef GORT_IO_VIEW_H
#define GORT_IO_VIEW_H

#include "../common/internal.h"

struct gort_view {
	const uint8_t *data;
	uint64_t size;
	uint64_t file_off; /* offset of data[0] in the input, for messages */
	uint8_t big_endian;
	uint8_t ptr_size; /* 4 or 8 */
	const char *what; /* what the bytes are ("pclntab"), for messages */
};

struct gort_view gort__view_make(const void *data, uint64_t size,
				 const char *what);

static inline bool gort__view_has(const struct gort_view *v, uint64_t off,
				  uint64_t len)
{
	return off <= v->size && len <= v->size - off;
}

/* [off, off+len) of v as its own view; GORT_ETRUNCATED if outside. */
int gort__view_sub(const struct gort_view *v, uint64_t off, uint64_t len,
		   struct gort_view *out);
/* Records GORT_ETRUNCATED for len bytes at off; returns NULL. */
const uint8_t *gort__view_oob(const struct gort_view *v, uint64_t off,
			      uint64_t len);

/*
 * Pointer to len bytes at off, or NULL (with GORT_ETRUNCATED recorded).
 * Inline: lookups call it on their hot path, and only failures leave it.
 */
static inline const uint8_t *gort__view_ptr(const struct gort_view *v,
					    uint64_t off, uint64_t len)
{
	if (!gort__view_has(v, off, len))
		return gort__view_oob(v, off, len);
	return v->data + off;
}

/*
 * Start loading the cache line at off (nothing if off is outside v), so
 * that independent reads of a lookup overlap their trips to memory.
 */
static inline void gort__view_prefetch(const struct gort_view *v, uint64_t off)
{
#if defined(__GNUC__)
	if (off < v->size)
		__builtin_prefetch(v->data + off);
#else
	(void)v;
	(void)off;
#endif
}

int gort__view_u8(const struct gort_view *v, uint64_t off, uint8_t *out);
int gort__view_u16(const struct gort_view *v, uint64_t off, uint16_t *out);
int gort__view_u32(const struct gort_view *v, uint64_t off, uint32_t *out);
int gort__view_u64(const struct gort_view *v, uint64_t off, uint64_t *out);
/* A pointer-sized word of the file (4 or 8 bytes). */
int gort__view_uptr(const struct gort_view *v, uint64_t off, uint64_t *out);

/* Decode in a given byte order from bytes known to be in bounds. */
static inline uint16_t gort__ld16(const uint8_t *p, bool be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static inline uint32_t gort__ld32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			    (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[1] << 8 | p[0];
}
static inline uint64_t gort__ld64(const uint8_t *p, bool be)
{
	return be ? (uint64_t)gort__ld32(p, true) << 32 | gort__ld32(p + 4, true)
		  : (uint64_t)gort__ld32(p + 4, false) << 32 |
			    gort__ld32(p, false);
}

/*
 * A uint32 varint (as Go's pc-value tables write them: at most 5 bytes)
 * at p[*i] of n bytes: 0, GORT_ETRUNCATED or GORT_EFORMAT (too long).
 * The bounds are checked once when 5 bytes remain, which is almost always,
 * and byte by byte only near the end: hot loops decode millions of these.
 */
static inline int gort__uvarint32(const uint8_t *p, uint64_t n, uint64_t *i,
				  uint32_t *out)
{
	uint64_t k = *i;
	uint32_t v = 0;

	if (k < n && p[k] < 0x80) { /* most values fit in one byte */
		*out = p[k];
		*i = k + 1;
		return 0;
	}
	if (k <= n && n - k >= 5) {
		for (unsigned shift = 0; shift < 35; shift += 7) {
			uint8_t b = p[k++];
			v |= (uint32_t)(b & 0x7f) << shift;
			if (!(b & 0x80)) {
				*out = v;
				*i = k;
				return 0;
			}
		}
		*i = k;
		return GORT_EFORMAT;
	}
	for (unsigned shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (k >= n) {
			*i = k;
			return GORT_ETRUNCATED;
		}
		b = p[k++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			*i = k;
			return 0;
		}
	}
	*i = k;
	return GORT_EFORMAT;
}

/*
 * The same without bounds checks, for loops that checked once that at
 * least 5 bytes remain at q: the position after the varint, or NULL if it
 * is longer than 5 bytes (GORT_EFORMAT).
 */
static inline const uint8_t *gort__uvarint32_fast(const uint8_t *q, uint32_t *out)
{
	uint32_t b = *q++, v = b & 0x7f;

	for (unsigned shift = 7; b & 0x80; shift += 7) {
		if (shift == 35)
			return NULL;
		b = *q++;
		v |= (b & 0x7f) << shift;
	}
	*out = v;
	return q;
}

/* Zig-zag decoding of a signed delta: the low bit is the sign. */
static inline int32_t gort__unzigzag32(uint32_t u)
{
	return (int32_t)((u & 1) ? ~(u >> 1) : u >> 1);
}

/*
 * A pc-value step, v + the zig-zag delta u, wrapping as Go's int32
 * arithmetic does (runtime/symtab.go: pcvalue's val += int32(uvdelta)):
 * a corrupt stream may carry the value past INT32_MAX.
 */
static inline int32_t gort__pcvalue_step(int32_t v, uint32_t u)
{
	return (int32_t)((uint32_t)v + (uint32_t)gort__unzigzag32(u));
}

struct gort_cursor {
	const struct gort_view *v;
	uint64_t pos;
	int err; /* first error; reads after it return 0 */
};

static inline struct gort_cursor gort__cursor(const struct gort_view *v,
					      uint64_t pos)
{
	struct gort_cursor c = {v, pos, 0};
	return c;
}

uint8_t gort__cur_u8(struct gort_cursor *c);
uint16_t gort__cur_u16(struct gort_cursor *c);
uint32_t gort__cur_u32(struct gort_cursor *c);
uint64_t gort__cur_u64(struct gort_cursor *c);
uint64_t gort__cur_uptr(struct gort_cursor *c);
/* Unsigned LEB128 / Go uvarint (at most 10 bytes). */
uint64_t gort__cur_uvarint(struct gort_cursor *c);
/* Pointer to the next n bytes, advancing past them; NULL on error. */
const uint8_t *gort__cur_bytes(struct gort_cursor *c, uint64_t n);
void gort__cur_skip(struct gort_cursor *c, uint64_t n);

#endif
