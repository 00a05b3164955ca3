/*
 * Mach-O chained fixups (LC_DYLD_CHAINED_FIXUPS, <mach-o/fixup-chains.h>).
 *
 * Linked by Apple's ld64 for macOS 12 and later, an executable's pointers
 * are not stored as addresses: each pointer slot holds its target as an
 * offset plus the distance to the next slot of a chain, and dyld rewrites
 * them at load time. Go binaries linked that way (cgo or external linking,
 * Go 1.17 onwards on darwin/arm64) therefore hold encoded values wherever
 * the runtime holds a pointer: Go 1.2-1.17 function tables, the build info
 * of Go 1.17 and earlier, moduledata. As dyld does, the chains are walked
 * once at open and the decoded addresses written into a private copy of
 * the image, which every reader then sees.
 */
#include "macho.h"

#include <string.h>

#define CHAINED_PTR_64 2
#define CHAINED_PTR_64_OFFSET 6
#define PAGE_START_NONE 0xffffu

static int bad(const struct gort_obj *o, uint64_t off, const char *why)
{
	uint64_t at = o->file.file_off + off;
	return gort__fail_at(GORT_EFORMAT, at, "Mach-O chained fixups: %s (offset 0x%llx)",
			     why, (unsigned long long)at);
}

/* The base dyld's offsets are from: the segment mapped from file offset 0. */
static uint64_t image_base(const struct gort_obj *o)
{
	for (size_t i = 0; i < o->nsegments; i++)
		if (o->segments[i].offset == 0 && o->segments[i].filesz)
			return o->segments[i].addr;
	return 0;
}

/*
 * One segment's chains: from each page's first slot, slot to slot by
 * `next` (4-byte strides), rewriting rebases to their address and binds
 * (imported symbols, unknown here) to 0. Every step moves forward inside
 * its page, so corrupt chains end, and all of them together visit each
 * slot of the segment at most once.
 */
static int fix_segment(struct gort_obj *o, uint8_t *img, const struct gort_view *starts,
		       const struct gort_obj_segment *seg, uint64_t base)
{
	struct gort_cursor c = gort__cursor(starts, 4);
	uint16_t page_size = gort__cur_u16(&c), format = gort__cur_u16(&c);
	uint16_t npages;
	bool be = o->file.big_endian;

	gort__cur_skip(&c, 8 + 4); /* segment_offset, max_valid_pointer */
	npages = gort__cur_u16(&c);
	if (c.err)
		return bad(o, starts->file_off - o->file.file_off, "segment entry runs past its end");
	if (format != CHAINED_PTR_64 && format != CHAINED_PTR_64_OFFSET)
		return bad(o, starts->file_off - o->file.file_off,
			   "pointer format other than 64-bit (2) and 64-bit offset (6)");
	if (page_size < 8)
		return bad(o, starts->file_off - o->file.file_off, "page size below 8 bytes");
	for (uint32_t p = 0; p < npages; p++) {
		uint16_t start = gort__cur_u16(&c);
		uint64_t off;

		if (c.err)
			return bad(o, starts->file_off - o->file.file_off, "page table runs past its end");
		if (start == PAGE_START_NONE)
			continue;
		uint64_t page_end = ((uint64_t)p + 1) * page_size;

		for (off = (uint64_t)p * page_size + start;;) {
			uint8_t *slot;
			uint64_t v, next, to;

			if (off > seg->filesz || seg->filesz - off < 8)
				return bad(o, seg->offset + off, "chain runs past its segment");
			if (off >= page_end)
				return bad(o, seg->offset + off, "chain runs past its page");
			slot = img + seg->offset + off;
			v = gort__ld64(slot, be);
			next = v >> 51 & 0xfff;
			if (v >> 63) {
				to = 0; /* bind: an imported symbol */
			} else {
				to = v & 0xfffffffffull;
				if (format == CHAINED_PTR_64_OFFSET)
					to += base;
				to |= (v >> 36 & 0xff) << 56;
			}
			for (int i = 0; i < 8; i++) /* stored in the file's byte order */
				slot[be ? 7 - i : i] = (uint8_t)(to >> (8 * i));
			if (!next)
				break;
			off += next * 4;
		}
	}
	return 0;
}

/* Decoded addresses in a copy of the image, or *out left NULL. */
static int apply(struct gort_obj *o, uint64_t dataoff, uint64_t datasize, uint8_t **out)
{
	struct gort_view data, starts, seg;
	uint32_t version, starts_off, nseg, seg_off;
	uint64_t base = image_base(o);
	uint8_t *img;
	int rc;

	*out = NULL;
	if (gort__view_sub(&o->file, dataoff, datasize, &data) ||
	    gort__view_u32(&data, 0, &version) || gort__view_u32(&data, 4, &starts_off) ||
	    starts_off > data.size ||
	    gort__view_sub(&data, starts_off, data.size - starts_off, &starts) ||
	    gort__view_u32(&starts, 0, &nseg))
		return bad(o, dataoff, "header runs past its end");
	if (version != 0)
		return bad(o, dataoff, "unknown version");
	if (!(img = gort__malloc(o->file.size ? (size_t)o->file.size : 1)))
		return gort__fail(GORT_ENOMEM, "Mach-O: copy of a %llu-byte image for its fixups",
				  (unsigned long long)o->file.size);
	memcpy(img, o->file.data, (size_t)o->file.size);
	for (uint32_t i = 0; i < nseg; i++) {
		rc = 0;
		if (gort__view_u32(&starts, 4 + 4 * (uint64_t)i, &seg_off))
			rc = bad(o, dataoff + starts_off, "segment table runs past its end");
		else if (seg_off == 0)
			continue; /* no fixups in this segment */
		else if (i >= o->nsegments)
			rc = bad(o, dataoff + starts_off, "fixups for a segment the file lacks");
		else if (seg_off > starts.size ||
			 gort__view_sub(&starts, seg_off, starts.size - seg_off, &seg))
			rc = bad(o, dataoff + starts_off, "segment entry runs past its end");
		else
			rc = fix_segment(o, img, &seg, &o->segments[i], base);
		if (rc) {
			gort__free(img);
			return rc;
		}
	}
	*out = img;
	return 0;
}

int gort__macho_fixups(struct gort_obj *o, uint64_t dataoff, uint64_t datasize)
{
	uint8_t *img;
	int rc;

	if (o->file.ptr_size != 8)
		return 0; /* 32-bit pointer formats: no Go release links them so */
	rc = apply(o, dataoff, datasize, &img);
	if (rc == GORT_ENOMEM)
		return rc;
	/*
	 * Fixups we cannot decode leave the image as it is in the file, as
	 * Go's tools read it: what holds no pointer (build info of Go 1.18
	 * on, function tables of Go 1.18 on) still reads right.
	 */
	if (img) {
		o->owned = img;
		o->file.data = img;
	}
	return 0;
}
