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
 * at `entry`, decoding from *st (the start {0, entry, -1}, or a state at
 * or before target); -1 when the stream ends before target (as Go
 * reports). On return *lo is where the value starts to hold and *st where
 * it stops ([*lo, st->pc) holds target; st->pc is UINT64_MAX past the
 * stream's end), and *steps how many steps were decoded.
 * This loop is the hot path of every lookup: the varints are read by
 * gort__uvarint32, which checks bounds once per value, not per byte.
 */
static int decode(const struct gort_view *pctab, uint64_t off, unsigned quantum,
		  uint64_t entry, uint64_t target, struct gort__pcstate *st,
		  uint64_t *lo, uint64_t *steps)
{
	const uint8_t *p;
	uint64_t pc = st->pc, prev = pc, n, i = st->pos, k = 0;
	uint32_t uv, pcdelta;
	int32_t v = st->val;
	int rc;

	if (off > pctab->size)
		return stream_error(pctab, off, off, GORT_ETRUNCATED);
	n = pctab->size - off;
	if (!(p = gort__view_ptr(pctab, off, n)))
		return GORT_ETRUNCATED;
	/*
	 * A zero value delta ends the stream, except while pc is still at
	 * entry (Go passes first = pc == entry to step).
	 */
	for (;; k++) {
		if (i <= n && n - i >= 10 && !((p[i] | p[i + 1]) & 0x80)) {
			/* Both varints one byte long: most steps of most streams. */
			uv = p[i++];
			if (uv == 0 && pc != entry)
				break;
			pcdelta = p[i++];
		} else if (i <= n && n - i >= 10) { /* both varints in bounds: no check per byte */
			const uint8_t *q = gort__uvarint32_fast(p + i, &uv);

			if (!q) /* reported after its 5 bytes, as the checked path does */
				return stream_error(pctab, off, off + i + 5, GORT_EFORMAT);
			i = (uint64_t)(q - p);
			if (uv == 0 && pc != entry)
				break;
			if (!(q = gort__uvarint32_fast(q, &pcdelta)))
				return stream_error(pctab, off, off + i + 5, GORT_EFORMAT);
			i = (uint64_t)(q - p);
		} else {
			if ((rc = gort__uvarint32(p, n, &i, &uv)))
				return stream_error(pctab, off, off + i, rc);
			if (uv == 0 && pc != entry)
				break;
			if ((rc = gort__uvarint32(p, n, &i, &pcdelta)))
				return stream_error(pctab, off, off + i, rc);
		}
		v = gort__pcvalue_step(v, uv);
		prev = pc;
		pc += (uint64_t)pcdelta * quantum;
		if (target < pc) {
			*lo = prev;
			*st = (struct gort__pcstate){i, pc, v};
			*steps = k + 1;
			return 0;
		}
	}
	*lo = pc;
	*st = (struct gort__pcstate){i, UINT64_MAX, -1};
	*steps = k;
	return 0;
}

int gort__pcvalue_decode(const struct gort_view *pctab, uint64_t off,
			 unsigned quantum, uint64_t entry, uint64_t target,
			 int32_t *val)
{
	struct gort__pcstate st = {0, entry, -1};
	uint64_t lo, steps;
	int rc = decode(pctab, off, quantum, entry, target, &st, &lo, &steps);

	*val = st.val;
	return rc;
}

/*
 * A small per-thread cache of decoder positions, like the runtime's
 * pcvalueCache (runtime/symtab.go) with two differences: an entry keeps
 * the PC range over which its value holds, so that any PC in the range
 * hits, not just the same PC; and a PC past the range resumes decoding
 * where the entry stopped instead of at the stream's start, so that PCs
 * looked up in increasing order (a symbolizer sorting a profile's PCs)
 * decode each stream once, however long it is. Tracebacks and profilers
 * look up the same PCs over and over; an inlined call's callers are looked
 * up at the same call sites.
 * Per thread, so lookups on one table from many threads share nothing and
 * take no lock; entries name their table by its id, which is never reused,
 * so a table closed and another opened at the same address cannot hit.
 * PCs are kept relative to the function's entry: the linker shares one
 * stream between functions whose tables are identical, and a stream gives
 * the same values at the same distance from any entry.
 */
#define CACHE_SETS 16
#define CACHE_WAYS 4

struct cache_entry {
	uint64_t tab_id; /* 0: empty */
	uint32_t off;    /* the stream */
	int32_t val;     /* over [lo, hi) - entry */
	uint64_t lo, hi; /* hi: UINT64_MAX past the stream's end */
	uint64_t pos;    /* bytes decoded to reach hi */
};

static _Thread_local struct {
	struct cache_entry e[CACHE_SETS][CACHE_WAYS];
	uint8_t next[CACHE_SETS]; /* round-robin victim */
} cache;

static unsigned cache_set(uint32_t off)
{
	return (off * 0x9e3779b1u) >> 28; /* CACHE_SETS == 16 */
}

int gort__pcvalue(struct gort_pclntab *t, const struct gort__func *f, uint32_t off,
		  uint64_t target, int32_t *val)
{
	unsigned s = cache_set(off);
	struct cache_entry *e = cache.e[s], *victim = NULL;
	uint64_t entry = f->entry, rel = target - entry, lo, steps;
	struct gort__pcstate st = {0, entry, -1}, cp;
	const struct gort__pcindex *ix;
	int rc;

	if (target < entry) { /* only from a corrupt inline tree: not cached */
		rc = decode(&t->pctab, off, t->quantum, entry, target, &st, &lo, &steps);
		*val = st.val;
		return rc;
	}
	for (unsigned w = 0; w < CACHE_WAYS; w++) {
		if (e[w].tab_id != t->id || e[w].off != off)
			continue;
		if (rel >= e[w].lo && rel < e[w].hi) {
			*val = e[w].val;
			return 0;
		}
		/* Resume from the furthest entry before target. */
		if (rel >= e[w].hi && (!victim || e[w].hi > victim->hi))
			victim = &e[w];
	}
	if (victim)
		st = (struct gort__pcstate){victim->pos, entry + victim->hi, victim->val};
	else
		victim = &e[cache.next[s]++ % CACHE_WAYS];
	/* A checkpoint closer to target than where the cache stopped. */
	if ((ix = gort__pcindex_find(t, f->index, off))) {
		gort__pcindex_seek(ix, rel, &cp, entry);
		if (cp.pc > st.pc)
			st = cp;
	}
	if ((rc = decode(&t->pctab, off, t->quantum, entry, target, &st, &lo, &steps)))
		return rc;
	if (!ix && steps > GORT_PCINDEX_MIN_STEPS)
		gort__pcindex_build(t, f->index, off);
	*val = st.val;
	*victim = (struct cache_entry){t->id, off, st.val, lo - entry,
				       st.pc == UINT64_MAX ? UINT64_MAX : st.pc - entry,
				       st.pos};
	return 0;
}

/*
 * A cursor for PCs in increasing order (batch.c: sweep): the stream is
 * decoded once, from the checkpoint before the first PC if the stream has
 * an index, each PC resuming where the previous one stopped. The values
 * are those gort__pcvalue gives, by the same decoder; targets must not
 * decrease and must not be below the entry (gort__pcvalue's corner case).
 */
void gort__pccursor_init(const struct gort_pclntab *t, const struct gort__func *f,
			 uint32_t off, uint64_t first, struct gort__pccursor *c)
{
	const struct gort__pcindex *ix = gort__pcindex_find(t, f->index, off);

	c->off = off;
	c->st = (struct gort__pcstate){0, f->entry, -1};
	if (ix)
		gort__pcindex_seek(ix, first - f->entry, &c->st, f->entry);
}

int gort__pccursor_value(const struct gort_pclntab *t, const struct gort__func *f,
			 struct gort__pccursor *c, uint64_t target, int32_t *val)
{
	uint64_t lo, steps;
	int rc;

	/* st.pc is where the value decoded last stops holding (UINT64_MAX:
	   past the stream's end, -1 from there on). */
	if (c->st.pc != UINT64_MAX && target >= c->st.pc &&
	    (rc = decode(&t->pctab, c->off, t->quantum, f->entry, target, &c->st, &lo, &steps)))
		return rc;
	*val = c->st.val;
	return 0;
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
 * Where the name of the file at pc is (debug/gosym: go12PCToFile):
 * ref->v is NULL when the table names none. Go 1.2 tables index one global
 * file table (0 = none); from 1.16 the index is relative to the function's
 * compilation unit in cutab. The string itself is left to the caller,
 * which can prefetch it and do other work while it comes from memory.
 */
int gort__pc_file_ref(struct gort_pclntab *t, const struct gort__func *f,
		      uint64_t pc, struct gort__strref *ref)
{
	int32_t fno;
	int rc;

	ref->v = NULL;
	ref->off = 0;
	if ((rc = gort__pcvalue(t, f, f->pcfile, pc, &fno)))
		return rc;
	return gort__file_ref(t, f, fno, ref);
}

/* The name of file number fno of f (its pcfile value) (gort__pc_file_ref). */
int gort__file_ref(const struct gort_pclntab *t, const struct gort__func *f, int32_t fno,
		   struct gort__strref *ref)
{
	uint32_t off;
	int rc;

	ref->v = NULL;
	ref->off = 0;
	if (t->version == GORT_PCLNTAB_GO12) {
		if (fno <= 0)
			return 0;
		if ((rc = gort__view_u32(&t->filetab, 4 * (uint64_t)fno, &off)))
			return rc;
		ref->v = &t->data;
		ref->off = off;
		return 0;
	}
	if (fno < 0)
		return 0;
	/*
	 * The cutab index is a uint32 sum, wrapping as in the runtime
	 * (funcfile) and debug/gosym: linker-made functions such as riscv64's
	 * trampolines have cu offset 0xffffffff and file number 1. With file
	 * number 0 (386's go:textfipsstart) the index is past any cutab:
	 * such a function names no file (debug/gosym recovers from that
	 * index and says ""); for any other function it is corruption.
	 */
	uint32_t cu = (uint32_t)(f->cu_offset + (uint32_t)fno);
	if (f->cu_offset == UINT32_MAX && 4 * (uint64_t)cu + 4 > t->cutab.size)
		return 0;
	if ((rc = gort__view_u32(&t->cutab, 4 * (uint64_t)cu, &off)))
		return rc;
	if (off != UINT32_MAX) {
		ref->v = &t->filetab;
		ref->off = off;
	}
	return 0;
}

int gort__strref_get(const struct gort__strref *ref, struct gort_str *out)
{
	*out = gort__str("", 0);
	return ref->v ? gort__cstring(ref->v, ref->off, out) : 0;
}
