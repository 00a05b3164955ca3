/*
 * Checkpoints for long pc-value streams, so that a lookup deep inside a
 * large function decodes a few steps instead of the whole stream before
 * its PC (Go's tools and runtime always decode from the start; the runtime
 * gets away with it through its pcvalueCache because tracebacks repeat).
 *
 * Lazy and adaptive: a stream gets an index only once a lookup had to
 * decode more than GORT_PCINDEX_MIN_STEPS steps of it; building it costs
 * one full decode of that stream. An index holds the decoder state every
 * CHECKPOINT_STEPS steps: 12 bytes per 16 steps, so even every stream of
 * a table indexed stays a fraction of the table's size (pctab).
 *
 * Lock-free: indexes hang from a per-table array with one slot per
 * function (allocated on first need), each slot a small block of stream
 * indexes; everything is published with a compare-and-swap and never
 * changes afterwards, so readers only load. A thread losing a race frees
 * its own copy. An allocation failure only means no index: lookups then
 * decode from the start, with the same answers. Everything is freed when
 * the table is closed (a lock-free list of every block).
 */
#include "pclntab.h"

#define CHECKPOINT_STEPS 16
#define STREAMS_PER_FUNC 4 /* pcsp, pcfile, pcline, inline index */

struct checkpoint {
	uint32_t pc;  /* relative to the function's entry */
	uint32_t pos; /* bytes into the stream */
	int32_t val;  /* value before the step at pos */
};

struct gort__pcindex {
	uint32_t off; /* the stream */
	uint32_t n;
	uint32_t last; /* cp[n - 1].pc */
	struct checkpoint cp[];
};

/* The indexes of one function's streams. */
struct gort__pcindex_block {
	_Atomic(struct gort__pcindex *) stream[STREAMS_PER_FUNC];
	struct gort__pcindex_block *next; /* every block of the table, for freeing */
};

/* The table's slot array, allocated by the first thread that needs one. */
static gort__pcindex_slot *slots(struct gort_pclntab *t)
{
	gort__pcindex_slot *s, *expected = NULL;

	s = atomic_load_explicit(&t->pcindex_slots, memory_order_acquire);
	if (s || t->nfunc == 0)
		return s;
	if (!(s = gort__calloc(t->nfunc, sizeof(*s))))
		return NULL;
	if (!atomic_compare_exchange_strong_explicit(&t->pcindex_slots, &expected, s,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		gort__free(s);
		return expected;
	}
	return s;
}

const struct gort__pcindex *gort__pcindex_find(const struct gort_pclntab *t,
					       uint32_t func, uint32_t off)
{
	gort__pcindex_slot *s = atomic_load_explicit(&t->pcindex_slots, memory_order_acquire);
	struct gort__pcindex_block *b;

	if (!s || func >= t->nfunc ||
	    !(b = atomic_load_explicit(&s[func], memory_order_acquire)))
		return NULL;
	for (unsigned i = 0; i < STREAMS_PER_FUNC; i++) {
		struct gort__pcindex *ix =
			atomic_load_explicit(&b->stream[i], memory_order_acquire);
		if (!ix)
			return NULL;
		if (ix->off == off)
			return ix;
	}
	return NULL;
}

/*
 * Where the checkpoint for rel probably is: instructions are spread evenly
 * enough over a function that interpolation lands at or next to it, one
 * cache line instead of a binary search's chain of them.
 */
static uint32_t guess(const struct gort__pcindex *ix, uint64_t rel)
{
	if (rel >= ix->last)
		return ix->n - 1;
	return (uint32_t)(rel * (ix->n - 1) / ix->last);
}

/* The last checkpoint at or before rel (cp[0] is the start). */
static uint32_t find_cp(const struct gort__pcindex *ix, uint64_t rel)
{
	uint32_t lo = 0, hi = ix->n, g = guess(ix, rel);

	/* Narrow [lo, hi) around the guess, then binary search what is left. */
	if (ix->cp[g].pc <= rel) {
		lo = g;
		if (g + 2 <= hi && ix->cp[g + 1].pc > rel)
			return g;
	} else {
		hi = g;
		if (g >= 1 && ix->cp[g - 1].pc <= rel)
			return g - 1;
	}
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->cp[mid].pc <= rel)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void gort__pcindex_seek(const struct gort__pcindex *ix, uint64_t rel,
			struct gort__pcstate *st, uint64_t entry)
{
	uint32_t i = find_cp(ix, rel);

	st->pos = ix->cp[i].pos;
	st->pc = entry + ix->cp[i].pc;
	st->val = ix->cp[i].val;
}

/*
 * For batches (batch.c): the checkpoint chain of f's file and line streams
 * at rel, one level per step (0: the slot, 1: the block, 2: the indexes,
 * 3: the checkpoint near rel, 4: the stream bytes it points to), so that
 * many lookups can wait for each level together.
 */
void gort__pcindex_prefetch(const struct gort_pclntab *t, const struct gort__func *f,
			    uint64_t rel, int step)
{
	gort__pcindex_slot *s = atomic_load_explicit(&t->pcindex_slots, memory_order_acquire);
	struct gort__pcindex_block *b;

	if (!s || f->index >= t->nfunc)
		return;
	if (step == 0) {
		__builtin_prefetch(&s[f->index]);
		return;
	}
	if (!(b = atomic_load_explicit(&s[f->index], memory_order_acquire)))
		return;
	if (step == 1) {
		__builtin_prefetch(b);
		return;
	}
	for (unsigned i = 0; i < STREAMS_PER_FUNC; i++) {
		struct gort__pcindex *ix = atomic_load_explicit(&b->stream[i], memory_order_acquire);

		if (!ix)
			return;
		if (ix->off != f->pcfile && ix->off != f->pcln)
			continue;
		if (step == 2)
			__builtin_prefetch(ix);
		else if (step == 3)
			__builtin_prefetch(&ix->cp[guess(ix, rel)]);
		else
			gort__view_prefetch(&t->pctab, (uint64_t)ix->off + ix->cp[find_cp(ix, rel)].pos);
	}
}

/*
 * Decode the whole stream, keeping a checkpoint every CHECKPOINT_STEPS
 * steps (the same loop as pcvalue.c: decode, without a target, with PCs
 * relative to the entry); NULL if memory is short. A corrupt stream is
 * indexed up to the bad bytes: lookups past them decode into them and
 * report the error as they would without an index.
 */
static struct gort__pcindex *build(const struct gort_pclntab *t, uint32_t off)
{
	const struct gort_view *v = &t->pctab;
	struct gort__pcindex *ix = NULL, *grown;
	uint64_t n, i = 0, pc = 0, cap = 0, steps = 0;
	const uint8_t *p;
	uint32_t uv, pcdelta;
	int32_t val = -1;

	if (off >= v->size)
		return NULL;
	n = v->size - off;
	if (!(p = gort__view_ptr(v, off, n)))
		return NULL;
	for (;;) {
		uint64_t pos = i;

		if (gort__uvarint32(p, n, &i, &uv))
			break; /* corrupt: the checkpoints before are still right */
		if (uv == 0 && pc != 0)
			break;
		if (steps++ % CHECKPOINT_STEPS == 0 && pc <= UINT32_MAX && pos <= UINT32_MAX) {
			if (!ix || ix->n == cap) {
				cap = cap ? 2 * cap : 64;
				grown = gort__realloc(ix, sizeof(*ix) + cap * sizeof(ix->cp[0]));
				if (!grown) {
					gort__free(ix);
					return NULL;
				}
				if (!ix)
					grown->n = 0;
				ix = grown;
			}
			ix->cp[ix->n++] = (struct checkpoint){(uint32_t)pc, (uint32_t)pos, val};
		}
		if (gort__uvarint32(p, n, &i, &pcdelta))
			break;
		val = gort__pcvalue_step(val, uv);
		pc += (uint64_t)pcdelta * t->quantum;
	}
	if (ix) {
		ix->off = off;
		ix->last = ix->cp[ix->n - 1].pc;
	}
	return ix;
}

void gort__pcindex_build(struct gort_pclntab *t, uint32_t func, uint32_t off)
{
	gort__pcindex_slot *s = slots(t);
	struct gort__pcindex_block *b, *fresh = NULL;
	struct gort__pcindex *ix;

	if (!s || func >= t->nfunc)
		return;
	b = atomic_load_explicit(&s[func], memory_order_acquire);
	if (!b) {
		if (!(fresh = gort__calloc(1, sizeof(*fresh))))
			return;
		if (atomic_compare_exchange_strong_explicit(&s[func], &b, fresh,
							    memory_order_acq_rel,
							    memory_order_acquire)) {
			b = fresh;
			/* Push onto the list of blocks, for gort__pcindex_free. */
			fresh->next = atomic_load_explicit(&t->pcindex_all, memory_order_relaxed);
			while (!atomic_compare_exchange_weak_explicit(
				&t->pcindex_all, &fresh->next, fresh,
				memory_order_release, memory_order_relaxed))
				;
		} else {
			gort__free(fresh); /* another thread's block is in b */
		}
	}
	if (!(ix = build(t, off)))
		return;
	for (unsigned i = 0; i < STREAMS_PER_FUNC; i++) {
		struct gort__pcindex *cur = NULL;

		if (atomic_compare_exchange_strong_explicit(&b->stream[i], &cur, ix,
							    memory_order_acq_rel,
							    memory_order_acquire))
			return;
		if (cur->off == off)
			break; /* another thread indexed it first */
	}
	gort__free(ix); /* indexed already, or no free slot */
}

/* Only when no other thread uses the table any more (gort_pclntab_close). */
void gort__pcindex_free(struct gort_pclntab *t)
{
	struct gort__pcindex_block *b = atomic_load_explicit(&t->pcindex_all, memory_order_acquire);

	while (b) {
		struct gort__pcindex_block *next = b->next;

		for (unsigned i = 0; i < STREAMS_PER_FUNC; i++)
			gort__free(atomic_load_explicit(&b->stream[i], memory_order_relaxed));
		gort__free(b);
		b = next;
	}
	gort__free((void *)atomic_load_explicit(&t->pcindex_slots, memory_order_relaxed));
}
