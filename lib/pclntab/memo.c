/*
 * A table-wide memo of gort_pclntab_pc_to_line answers, for the PCs a
 * profiler sees over and over (a profile's working set is a few thousand
 * PCs, resolved again for every sample batch). A hit costs a hash and one
 * cache line instead of the five dependent trips to memory of a lookup
 * (BENCHMARKS.md).
 *
 * Direct-mapped, sized from the function count (1 slot per 8 functions,
 * 256 to 16384 slots of 64 bytes: at most 1 MB, a small fraction of any
 * table that large), allocated on first use and published with a
 * compare-and-swap like pcindex.c. Shared by every thread without a lock:
 * each slot is a seqlock (odd sequence while a writer fills it), so a
 * reader either sees a whole answer or misses; a writer that finds the
 * slot busy simply does not store. Only successful answers are kept, and
 * an answer is what the table says, so a hit and a miss answer the same.
 */
#include "pclntab.h"

struct gort__memo_slot {
	_Atomic uint64_t seq; /* 0: empty; odd: being written */
	_Atomic uint64_t pc;
	_Atomic uint64_t fn, file; /* string pointers into the mapping */
	_Atomic uint64_t lens;     /* function length << 32 | file length */
	_Atomic uint64_t line;     /* line (32 bits) << 8 | func_id */
	_Atomic uint64_t entry;
	uint64_t pad;
};

struct gort__memo {
	uint64_t mask;
	struct gort__memo_slot *slot; /* 64-byte aligned, within this block */
};

static struct gort__memo *memo_get(struct gort_pclntab *t)
{
	struct gort__memo *m = atomic_load_explicit(&t->memo, memory_order_acquire), *expected;
	uint64_t n = 256;

	if (m)
		return m;
	while (n < 16384 && n * 8 < t->nfunc)
		n *= 2;
	/* 64-byte slots on 64-byte lines: a hit reads one line. */
	if (!(m = gort__calloc(1, sizeof(*m) + 63 + n * sizeof(m->slot[0]))))
		return NULL;
	m->mask = n - 1;
	m->slot = (struct gort__memo_slot *)(((uintptr_t)(m + 1) + 63) & ~(uintptr_t)63);
	expected = NULL;
	if (!atomic_compare_exchange_strong_explicit(&t->memo, &expected, m, memory_order_acq_rel,
						     memory_order_acquire)) {
		gort__free(m);
		return expected;
	}
	return m;
}

static struct gort__memo_slot *slot_of(struct gort__memo *m, uint64_t pc)
{
	return &m->slot[((pc * 0x9e3779b97f4a7c15ull) >> 40) & m->mask];
}

bool gort__memo_get(struct gort_pclntab *t, uint64_t pc, struct gort_frame *out)
{
	struct gort__memo *m = atomic_load_explicit(&t->memo, memory_order_acquire);
	struct gort__memo_slot *s;
	uint64_t seq, fn, file, lens, line, entry;

	if (!m)
		return false;
	s = slot_of(m, pc);
	seq = atomic_load_explicit(&s->seq, memory_order_acquire);
	if (seq == 0 || (seq & 1) || atomic_load_explicit(&s->pc, memory_order_relaxed) != pc)
		return false;
	fn = atomic_load_explicit(&s->fn, memory_order_relaxed);
	file = atomic_load_explicit(&s->file, memory_order_relaxed);
	lens = atomic_load_explicit(&s->lens, memory_order_relaxed);
	line = atomic_load_explicit(&s->line, memory_order_relaxed);
	entry = atomic_load_explicit(&s->entry, memory_order_relaxed);
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&s->seq, memory_order_relaxed) != seq)
		return false; /* rewritten while read */
	*out = (struct gort_frame){
		.function = {(const char *)(uintptr_t)fn, (size_t)(lens >> 32)},
		.file = {(const char *)(uintptr_t)file, (size_t)(uint32_t)lens},
		.line = (int32_t)(uint32_t)(line >> 8),
		.entry = entry,
		.func_id = (uint8_t)line,
	};
	return true;
}

void gort__memo_prefetch(const struct gort_pclntab *t, uint64_t pc)
{
	struct gort__memo *m = atomic_load_explicit(&t->memo, memory_order_acquire);

	if (m)
		__builtin_prefetch(slot_of(m, pc));
}

void gort__memo_put(struct gort_pclntab *t, uint64_t pc, const struct gort_frame *fr)
{
	struct gort__memo *m;
	struct gort__memo_slot *s;
	uint64_t seq;

	if (fr->function.len > UINT32_MAX || fr->file.len > UINT32_MAX || !(m = memo_get(t)))
		return;
	s = slot_of(m, pc);
	seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	if ((seq & 1) || !atomic_compare_exchange_strong_explicit(&s->seq, &seq, seq + 1,
								  memory_order_acquire,
								  memory_order_relaxed))
		return; /* another thread is writing it */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&s->pc, pc, memory_order_relaxed);
	atomic_store_explicit(&s->fn, (uint64_t)(uintptr_t)fr->function.ptr, memory_order_relaxed);
	atomic_store_explicit(&s->file, (uint64_t)(uintptr_t)fr->file.ptr, memory_order_relaxed);
	atomic_store_explicit(&s->lens, (uint64_t)fr->function.len << 32 | fr->file.len,
			      memory_order_relaxed);
	atomic_store_explicit(&s->line, (uint64_t)(uint32_t)fr->line << 8 | fr->func_id,
			      memory_order_relaxed);
	atomic_store_explicit(&s->entry, fr->entry, memory_order_relaxed);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

void gort__memo_free(struct gort_pclntab *t)
{
	gort__free(atomic_load_explicit(&t->memo, memory_order_relaxed));
}
