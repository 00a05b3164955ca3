/*
 * pc-value streams: pairs of (value delta, pc delta) varints, the
 * encoding behind pcsp, pcfile, pcline and every pcdata table. Mirrors
 * runtime/symtab.go: pcvalue and step, and debug/gosym/pclntab.go:
 * pcvalue, go12PCToFile.
 *
 * Bounded on hostile input: every step consumes at least two bytes of the
 * table, so a stream ends within (table size / 2) steps or errors out.
 */
#include "pclntab.h"

#include <string.h>

/*
 * debug/gosym: readvarint (a uint32 varint: at most 5 bytes here) from
 * p[*i], within n bytes. This loop is the hot path of every lookup, so it
 * indexes the bytes the view handed out (bounds-checked once, and every
 * index against n) rather than calling the cursor per byte.
 */
static inline int varint(const uint8_t *p, uint64_t n, uint64_t *i, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*i >= n)
			return GORT_ETRUNCATED;
		b = p[(*i)++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return GORT_EFORMAT;
}

static int stream_error(const struct gort_view *v, uint64_t start, uint64_t pos,
			int rc)
{
	return gort__fail_at(rc, v->file_off + pos,
			     "%s: pc-value stream starting at offset 0x%llx is %s at offset 0x%llx",
			     v->what ? v->what : "pclntab: pctab",
			     (unsigned long long)(v->file_off + start),
			     rc == GORT_EFORMAT ? "corrupt (varint too long)" : "truncated",
			     (unsigned long long)(v->file_off + pos));
}

/*
 * The value at `target` of the stream at `off`, for a function starting
 * at `entry`; -1 when the stream ends before target (as Go reports).
 */
int gort__pcvalue_decode(const struct gort_view *pctab, uint64_t off,
			 unsigned quantum, uint64_t entry, uint64_t target,
			 int32_t *val)
{
	const uint8_t *p;
	uint64_t pc = entry, n, i = 0;
	uint32_t uv, pcdelta;
	int32_t v = -1;
	int rc;

	if (off > pctab->size)
		return stream_error(pctab, off, off, GORT_ETRUNCATED);
	n = pctab->size - off;
	if (!(p = gort__view_ptr(pctab, off, n)))
		return GORT_ETRUNCATED;
	for (;;) {
		if ((rc = varint(p, n, &i, &uv)))
			return stream_error(pctab, off, off + i, rc);
		/*
		 * A zero value delta ends the stream, except while pc is still
		 * at entry (Go passes first = pc == entry to step).
		 */
		if (uv == 0 && pc != entry)
			break;
		if ((rc = varint(p, n, &i, &pcdelta)))
			return stream_error(pctab, off, off + i, rc);
		/* Zig-zag: the low bit is the sign. */
		v += (int32_t)((uv & 1) ? ~(uv >> 1) : uv >> 1);
		pc += (uint64_t)pcdelta * quantum;
		if (target < pc) {
			*val = v;
			return 0;
		}
	}
	*val = -1;
	return 0;
}

int gort__pcvalue(const struct gort_pclntab *t, uint32_t off, uint64_t entry,
		  uint64_t target, int32_t *val)
{
	return gort__pcvalue_decode(&t->pctab, off, t->quantum, entry, target, val);
}

/* A NUL-terminated string at off (debug/gosym: stringFrom). */
int gort__cstring(const struct gort_view *v, uint64_t off, struct gort_str *out)
{
	const uint8_t *p = gort__view_ptr(v, off, 0), *nul;

	if (!p || off == v->size)
		return gort__fail_at(GORT_ETRUNCATED, v->file_off + off,
				     "%s: string offset 0x%llx is past the end",
				     v->what ? v->what : "pclntab",
				     (unsigned long long)(v->file_off + off));
	nul = memchr(p, 0, v->size - off);
	if (!nul)
		return gort__fail_at(GORT_ETRUNCATED, v->file_off + off,
				     "%s: string at offset 0x%llx has no terminator",
				     v->what ? v->what : "pclntab",
				     (unsigned long long)(v->file_off + off));
	*out = gort__str((const char *)p, (size_t)(nul - p));
	return 0;
}

/*
 * File name at pc (debug/gosym: go12PCToFile); empty when the table names
 * none. Go 1.2 tables index one global file table (0 = none); from 1.16
 * the index is relative to the function's compilation unit in cutab.
 */
int gort__pc_file(const struct gort_pclntab *t, const struct gort__func *f,
		  uint64_t pc, struct gort_str *file)
{
	int32_t fno;
	uint32_t off;
	int rc;

	*file = gort__str("", 0);
	if ((rc = gort__pcvalue(t, f->pcfile, f->entry, pc, &fno)))
		return rc;
	if (t->version == GORT_PCLNTAB_GO12) {
		if (fno <= 0)
			return 0;
		if ((rc = gort__view_u32(&t->filetab, 4 * (uint64_t)fno, &off)))
			return rc;
		return gort__cstring(&t->data, off, file);
	}
	if (fno < 0)
		return 0;
	if ((rc = gort__view_u32(&t->cutab, 4 * ((uint64_t)f->cu_offset + (uint32_t)fno),
				 &off)))
		return rc;
	if (off == UINT32_MAX)
		return 0;
	return gort__cstring(&t->filetab, off, file);
}
