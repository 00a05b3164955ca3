#include "view.h"

struct gort_view gort__view_make(const void *data, uint64_t size,
				 const char *what)
{
	struct gort_view v = {data, size, 0, 0, 8, what};
	return v;
}

static int out_of_bounds(const struct gort_view *v, uint64_t off, uint64_t len)
{
	return gort__fail_at(GORT_ETRUNCATED, v->file_off + off,
			     "%s: %llu bytes at offset 0x%llx run past its end (size 0x%llx)",
			     v->what ? v->what : "input", (unsigned long long)len,
			     (unsigned long long)(v->file_off + off),
			     (unsigned long long)v->size);
}

int gort__view_sub(const struct gort_view *v, uint64_t off, uint64_t len,
		   struct gort_view *out)
{
	if (!gort__view_has(v, off, len))
		return out_of_bounds(v, off, len);
	*out = *v;
	out->data = v->data + off;
	out->size = len;
	out->file_off = v->file_off + off;
	return 0;
}

const uint8_t *gort__view_oob(const struct gort_view *v, uint64_t off,
			      uint64_t len)
{
	out_of_bounds(v, off, len);
	return NULL;
}

int gort__view_u8(const struct gort_view *v, uint64_t off, uint8_t *out)
{
	const uint8_t *p = gort__view_ptr(v, off, 1);
	if (!p)
		return GORT_ETRUNCATED;
	*out = *p;
	return 0;
}

int gort__view_u16(const struct gort_view *v, uint64_t off, uint16_t *out)
{
	const uint8_t *p = gort__view_ptr(v, off, 2);
	if (!p)
		return GORT_ETRUNCATED;
	*out = gort__ld16(p, v->big_endian);
	return 0;
}

int gort__view_u32(const struct gort_view *v, uint64_t off, uint32_t *out)
{
	const uint8_t *p = gort__view_ptr(v, off, 4);
	if (!p)
		return GORT_ETRUNCATED;
	*out = gort__ld32(p, v->big_endian);
	return 0;
}

int gort__view_u64(const struct gort_view *v, uint64_t off, uint64_t *out)
{
	const uint8_t *p = gort__view_ptr(v, off, 8);
	if (!p)
		return GORT_ETRUNCATED;
	*out = gort__ld64(p, v->big_endian);
	return 0;
}

int gort__view_uptr(const struct gort_view *v, uint64_t off, uint64_t *out)
{
	uint32_t w = 0;
	int rc;

	if (v->ptr_size == 8)
		return gort__view_u64(v, off, out);
	rc = gort__view_u32(v, off, &w);
	*out = w;
	return rc;
}

/* Claim n bytes at the cursor, or set the sticky error. */
static const uint8_t *take(struct gort_cursor *c, uint64_t n)
{
	const uint8_t *p;

	if (c->err)
		return NULL;
	p = gort__view_ptr(c->v, c->pos, n);
	if (!p) {
		c->err = GORT_ETRUNCATED;
		return NULL;
	}
	c->pos += n;
	return p;
}

uint8_t gort__cur_u8(struct gort_cursor *c)
{
	const uint8_t *p = take(c, 1);
	return p ? *p : 0;
}

uint16_t gort__cur_u16(struct gort_cursor *c)
{
	const uint8_t *p = take(c, 2);
	return p ? gort__ld16(p, c->v->big_endian) : 0;
}

uint32_t gort__cur_u32(struct gort_cursor *c)
{
	const uint8_t *p = take(c, 4);
	return p ? gort__ld32(p, c->v->big_endian) : 0;
}

uint64_t gort__cur_u64(struct gort_cursor *c)
{
	const uint8_t *p = take(c, 8);
	return p ? gort__ld64(p, c->v->big_endian) : 0;
}

uint64_t gort__cur_uptr(struct gort_cursor *c)
{
	return c->v->ptr_size == 8 ? gort__cur_u64(c) : gort__cur_u32(c);
}

uint64_t gort__cur_uvarint(struct gort_cursor *c)
{
	uint64_t x = 0;
	unsigned shift = 0, i;

	/* encoding/binary.Uvarint: at most 10 bytes, the 10th at most 1. */
	for (i = 0; i < 10; i++) {
		const uint8_t *p = take(c, 1);
		if (!p)
			return 0;
		if (*p < 0x80) {
			if (i == 9 && *p > 1)
				break;
			return x | (uint64_t)*p << shift;
		}
		x |= (uint64_t)(*p & 0x7f) << shift;
		shift += 7;
	}
	c->err = gort__fail_at(GORT_EFORMAT, c->v->file_off + c->pos,
			       "%s: varint overflows 64 bits at offset 0x%llx",
			       c->v->what ? c->v->what : "input",
			       (unsigned long long)(c->v->file_off + c->pos));
	return 0;
}

const uint8_t *gort__cur_bytes(struct gort_cursor *c, uint64_t n)
{
	return take(c, n);
}

void gort__cur_skip(struct gort_cursor *c, uint64_t n)
{
	take(c, n);
}
