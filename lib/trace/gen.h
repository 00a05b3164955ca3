/*
 * One generation of a trace (internal/trace/generation.go): its event
 * batches indexed by thread, its string and stack tables, CPU samples and
 * sync data (frequency, clock snapshot). Batch data is not copied: batches
 * are views of the input.
 */
#ifndef GORT_TRACE_GEN_H
#define GORT_TRACE_GEN_H

#include "../io/view.h"
#include "idmap.h"

/* A batch as read by readBatch (internal/trace/batch.go). */
struct gort_tbatch {
	int64_t m;         /* ThreadID; -1 is NoThread */
	uint64_t time;     /* raw timestamp */
	const uint8_t *data;
	uint32_t len;
	uint64_t off;      /* file offset of data[0] */
	uint8_t exp;       /* experiment, 0 for none */
	bool end_of_gen;   /* an EvEndOfGeneration marker, not a batch */
	uint32_t next;     /* next batch of the same thread, or UINT32_MAX */
};

/* Go's dataTable: IDs to indexes, dense when the IDs are. */
struct gort_idtab {
	struct gort_idmap map; /* id -> index */
	uint32_t *dense;       /* id -> index + 1, 0 when absent */
	uint64_t ndense;
};

struct gort_tframe {
	uint64_t pc, func_id, file_id, line;
};

struct gort_tstack {
	uint32_t first; /* into gen.stack_frames */
	uint32_t n;
};

struct gort_tcpu {
	int64_t time; /* ns once the generation is complete */
	int64_t m, p, g;
	uint64_t stack;
};

/* The event batches of one thread, in trace order. */
struct gort_tthread {
	int64_t m;
	uint32_t first, last;
};

struct gort_tgen {
	uint64_t gen;
	uint64_t min_ts;

	struct gort_tbatch *batches; /* event batches only */
	size_t nbatches, cap_batches;
	struct gort_tthread *threads; /* in order of first appearance */
	size_t nthreads, cap_threads;
	struct gort_idmap thread_idx; /* m -> index in threads */

	struct gort_str *strs;
	size_t nstrs, cap_strs;
	struct gort_idtab strtab;

	struct gort_tstack *stacks;
	size_t nstacks, cap_stacks;
	struct gort_idtab stacktab;
	uint32_t *stack_frames; /* indexes into frames */
	size_t nstack_frames, cap_stack_frames;
	struct gort_tframe *frames; /* unique by PC, first seen wins */
	size_t nframes, cap_frames;
	struct gort_idmap pcs; /* pc -> index in frames */

	struct gort_tcpu *cpu;
	size_t ncpu, cap_cpu;

	/* Strings made up while ordering (task names carried over). */
	struct gort_str *extra;
	size_t nextra, cap_extra;

	/* Sync data (generation.go: sync). */
	double freq; /* ns per timestamp unit; 0 until seen */
	bool has_snapshot;
	uint64_t snap_time, snap_mono;
	int64_t snap_sec, snap_nsec;
};

/* Reset g for reuse (keeps allocations). */
void gort__tgen_reset(struct gort_tgen *g);
void gort__tgen_free(struct gort_tgen *g);

/*
 * readBatch: the batch at *pos of v. Returns 0, GORT_EEND at the end of
 * input (no byte left), or an error. *gen receives the batch generation.
 */
int gort__tbatch_read(const struct gort_view *v, uint64_t *pos,
		      struct gort_tbatch *b, uint64_t *gen);

/* processBatch: add a batch to the generation. */
int gort__tgen_add(struct gort_tgen *g, const struct gort_tbatch *b, int ver);
/* The checks and fix-ups once every batch is in (readGeneration's tail). */
int gort__tgen_finish(struct gort_tgen *g, int ver);

/* Lookups; id 0 always exists (the empty string, the empty stack). */
bool gort__tgen_string(const struct gort_tgen *g, uint64_t id, struct gort_str *s);
const struct gort_tstack *gort__tgen_stack(const struct gort_tgen *g, uint64_t id,
					   bool *ok);
/* Go's addExtraString/getExtraString: "" is 0. */
int gort__tgen_add_extra(struct gort_tgen *g, struct gort_str s, uint64_t *id);
struct gort_str gort__tgen_extra(const struct gort_tgen *g, uint64_t id);

/*
 * The old format's tables, one for the whole trace (tracev1.go: init).
 * put_string: 1 if the ID is taken; *slot receives the string's index in
 * strs. put_stack: a later stack with the same ID replaces the earlier one
 * (tracev1's map). compact once every entry is in: no put after it.
 */
int gort__tgen_put_string(struct gort_tgen *g, uint64_t id, struct gort_str s, uint32_t *slot);
int gort__tgen_put_stack(struct gort_tgen *g, uint64_t id, const struct gort_tframe *f, size_t n);
void gort__tgen_compact(struct gort_tgen *g);

/*
 * Grow *p (an array of elsz-byte items, *cap of them) to hold at least
 * need items, doubling; GORT_ENOMEM with a message when it cannot.
 */
int gort__trace_grow(void **p, size_t *cap, size_t need, size_t elsz);

/* frequency.mul: Time(float64(t) * float64(f)), as Go's amd64 converts. */
int64_t gort__freq_mul(double freq, uint64_t t);

#endif
