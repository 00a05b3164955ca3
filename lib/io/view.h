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
/* Pointer to len bytes at off, or NULL (with GORT_ETRUNCATED recorded). */
const uint8_t *gort__view_ptr(const struct gort_view *v, uint64_t off,
			      uint64_t len);

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
