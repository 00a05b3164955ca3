/*
 * Merging the P streams of an old trace into one ordered stream, one event
 * at a time: tracev1/parser.go (parseEventBatches, parse's time
 * conversion, postProcessTrace) and tracev1/order.go (stateTransition,
 * transition, the frontier heap); format 1.5 as Go 1.21's order1005.
 *
 * Go materializes the merged list, moves each GoSysExit to its real time
 * and re-sorts it (sort.Stable). Here the merged events go through a
 * min-heap on (new time, merge position) instead, and an event leaves it
 * once nothing still to come can sort before it: no later merged event is
 * earlier than the last one merged (else the trace is out of order), and
 * no unmerged syscall exit moves before the earliest real exit time still
 * ahead, which the index keeps per batch (struct gort_v1batch.exit_rest).
 */
#include "old.h"

#include "pdqsort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap) gort__trace_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr)))

enum { G_DEAD, G_RUNNABLE, G_RUNNING, G_WAITING };

#define UNORDERED UINT64_MAX
#define GARBAGE (UINT64_MAX - 1)
#define NOSEQ UINT64_MAX
#define SEQINC (UINT64_MAX - 1)

struct gst {
	uint64_t seq;
	int status;
};

/* order.go: stateTransition. */
static uint64_t state_transition(const struct gort_v1ev *ev, struct gst *init, struct gst *next)
{
	switch (ev->type) {
	case V1_GO_CREATE:
		*init = (struct gst){0, G_DEAD};
		*next = (struct gst){1, G_RUNNABLE};
		return ev->args[0];
	case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		*init = (struct gst){1, G_RUNNABLE};
		*next = (struct gst){2, G_WAITING};
		return ev->g;
	case V1_GO_START: case V1_GO_START_LABEL:
		*init = (struct gst){ev->args[1], G_RUNNABLE};
		*next = (struct gst){ev->args[1] + 1, G_RUNNING};
		return ev->g;
	case V1_GO_START_LOCAL:
		*init = (struct gst){NOSEQ, G_RUNNABLE};
		*next = (struct gst){SEQINC, G_RUNNING};
		return ev->g;
	case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND:
	case V1_GO_BLOCK_NET: case V1_GO_SLEEP: case V1_GO_SYS_BLOCK: case V1_GO_BLOCK_GC:
		*init = (struct gst){NOSEQ, G_RUNNING};
		*next = (struct gst){NOSEQ, G_WAITING};
		return ev->g;
	case V1_GO_SCHED: case V1_GO_PREEMPT:
		*init = (struct gst){NOSEQ, G_RUNNING};
		*next = (struct gst){NOSEQ, G_RUNNABLE};
		return ev->g;
	case V1_GO_UNBLOCK: case V1_GO_SYS_EXIT:
		*init = (struct gst){ev->args[1], G_WAITING};
		*next = (struct gst){ev->args[1] + 1, G_RUNNABLE};
		return ev->args[0];
	case V1_GO_UNBLOCK_LOCAL: case V1_GO_SYS_EXIT_LOCAL:
		*init = (struct gst){NOSEQ, G_WAITING};
		*next = (struct gst){SEQINC, G_RUNNABLE};
		return ev->args[0];
	case V1_GC_START:
		*init = (struct gst){ev->args[0], G_DEAD};
		*next = (struct gst){ev->args[0] + 1, G_DEAD};
		return GARBAGE;
	default:
		*init = *next = (struct gst){0, 0};
		return UNORDERED;
	}
}

static struct gst gstate(const struct gort_old *o, uint64_t g)
{
	const uint64_t *s = gort__idmap_get(&o->gseq, g), *st = gort__idmap_get(&o->gstatus, g);
	return (struct gst){s ? *s : 0, st ? (int)*st : G_DEAD};
}

static bool ready(uint64_t g, struct gst curr, struct gst init)
{
	return g == UNORDERED ||
	       ((init.seq == NOSEQ || init.seq == curr.seq) && init.status == curr.status);
}

/* order.go: transition. */
static int transition(struct gort_old *o, const struct gort_v1ev *ev)
{
	struct gst init, next, curr;
	uint64_t g = state_transition(ev, &init, &next), *v;
	int rc;

	if (g == UNORDERED)
		return 0;
	curr = gstate(o, g);
	if (!ready(g, curr, init))
		return gort__fail_at(GORT_EFORMAT, ev->off,
				     "trace: encountered impossible goroutine state transition (event at offset 0x%llx)",
				     (unsigned long long)ev->off);
	if (next.seq == NOSEQ)
		next.seq = curr.seq;
	else if (next.seq == SEQINC)
		next.seq = curr.seq + 1;
	if ((rc = gort__idmap_put(&o->gseq, g, &v)) < 0)
		return rc;
	*v = next.seq;
	if ((rc = gort__idmap_put(&o->gstatus, g, &v)) < 0)
		return rc;
	*v = (uint64_t)next.status;
	return 0;
}

/* --- the frontier: order.go's orderEventList heap --- */

static bool fless(const struct gort_old *o, size_t i, size_t j)
{
	return o->front[i].ev.ts < o->front[j].ev.ts;
}

static void fswap(struct gort_old *o, size_t i, size_t j)
{
	struct gort_v1front t = o->front[i];
	o->front[i] = o->front[j];
	o->front[j] = t;
}

static void heap_up(struct gort_old *o, size_t j)
{
	while (j > 0) {
		size_t i = (j - 1) / 2;
		if (!fless(o, j, i))
			break;
		fswap(o, i, j);
		j = i;
	}
}

static void heap_down(struct gort_old *o, size_t i, size_t n)
{
	for (;;) {
		size_t j1 = 2 * i + 1, j;
		if (j1 >= n)
			break;
		j = j1;
		if (j1 + 1 < n && fless(o, j1 + 1, j1))
			j = j1 + 1;
		if (!fless(o, j, i))
			break;
		fswap(o, i, j);
		i = j;
	}
}

static int64_t exit_of(const struct gort_v1ev *e)
{
	return e->type == V1_GO_SYS_EXIT && e->args[2] ? (int64_t)e->args[2] : INT64_MAX;
}

/* The earliest real syscall exit a P still has to merge. */
static int64_t proc_exit_min(const struct gort_old *o, const struct gort_v1proc *p)
{
	int64_t m = p->front_exit;

	if (p->exit_from && p->pos < p->nevs && p->exit_from[p->pos] < m)
		m = p->exit_from[p->pos];
	if (p->next != UINT32_MAX && o->batches[p->next].exit_rest < m)
		m = o->batches[p->next].exit_rest;
	return m;
}

/* parseEventBatches' loop, one merged event per call. */
static int merge_next(struct gort_old *o, struct gort_v1ev *out)
{
	struct gort_v1front f;
	int rc;

	for (size_t i = 0; i < o->navail; i++) {
		struct gort_v1proc *p = &o->procs[o->avail[i]];
		struct gort_v1ev *ev;
		struct gst init, next;
		uint64_t g;
		bool gone = false;

		while (p->pos >= p->nevs) {
			rc = gort__old_load(o, p);
			if (rc == GORT_EEND) {
				p->done = true;
				o->avail[i] = o->avail[--o->navail];
				gone = true;
				break;
			}
			if (rc)
				return rc;
		}
		if (gone) {
			i--; /* look at the swapped-in P (wraps to -1 then 0) */
			continue;
		}
		ev = &p->evs[p->pos];
		g = state_transition(ev, &init, &next);
		if (!ready(g, gstate(o, g), init))
			continue;
		p->pos++;
		p->front_exit = exit_of(ev);
		o->front[o->nfront++] = (struct gort_v1front){*ev, o->avail[i]};
		heap_up(o, o->nfront - 1);
		o->avail[i] = o->avail[--o->navail];
		i--;
	}
	if (o->nfront == 0) {
		for (size_t i = 0; i < o->nprocs; i++)
			if (!o->procs[i].done)
				return gort__fail(GORT_EFORMAT,
						  "trace: no consistent ordering of events possible (P %d is stuck)",
						  (int)o->procs[i].pid);
		return GORT_EEND;
	}
	fswap(o, 0, o->nfront - 1);
	heap_down(o, 0, o->nfront - 1);
	f = o->front[--o->nfront];
	o->procs[f.proc].front_exit = INT64_MAX;
	/* The transition of the event as read; "Local" types only order. */
	if ((rc = transition(o, &f.ev)))
		return rc;
	if (f.ev.type == V1_GO_START_LOCAL)
		f.ev.type = V1_GO_START;
	else if (f.ev.type == V1_GO_UNBLOCK_LOCAL)
		f.ev.type = V1_GO_UNBLOCK;
	else if (f.ev.type == V1_GO_SYS_EXIT_LOCAL)
		f.ev.type = V1_GO_SYS_EXIT;
	o->avail[o->navail++] = f.proc;
	*out = f.ev;
	return 0;
}

/* --- sort.Stable after moving syscall exits --- */

static bool kless(const struct gort_v1keyed *a, const struct gort_v1keyed *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}

static int kpush(struct gort_old *o, const struct gort_v1keyed *k)
{
	size_t j;
	int rc;

	if ((rc = GROW(o->heap, o->nheap, o->cap_heap)))
		return rc;
	j = o->nheap++;
	o->heap[j] = *k;
	while (j > 0 && kless(&o->heap[j], &o->heap[(j - 1) / 2])) {
		struct gort_v1keyed t = o->heap[j];
		o->heap[j] = o->heap[(j - 1) / 2];
		o->heap[(j - 1) / 2] = t;
		j = (j - 1) / 2;
	}
	return 0;
}

static void kpop(struct gort_old *o, struct gort_v1ev *ev)
{
	size_t i = 0, n;

	*ev = o->heap[0].ev;
	ev->ts = o->heap[0].key;
	o->heap[0] = o->heap[--o->nheap];
	n = o->nheap;
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && kless(&o->heap[l], &o->heap[m]))
			m = l;
		if (l + 1 < n && kless(&o->heap[l + 1], &o->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		struct gort_v1keyed t = o->heap[i];
		o->heap[i] = o->heap[m];
		o->heap[m] = t;
		i = m;
	}
}

/* Whether the heap's first event can go: nothing unmerged sorts before it. */
static bool can_emit(struct gort_old *o, int64_t key)
{
	if (o->merge_done)
		return true;
	if (key > o->last_merged)
		return false;
	if (key <= o->exit_bound)
		return true;
	/* The bound only rises as exits are merged: recompute when it blocks. */
	o->exit_bound = INT64_MAX;
	for (size_t i = 0; i < o->nprocs; i++) {
		int64_t m = proc_exit_min(o, &o->procs[i]);
		if (m < o->exit_bound)
			o->exit_bound = m;
	}
	return key <= o->exit_bound;
}

static int time_order(uint64_t off)
{
	return gort__fail_at(GORT_EFORMAT, off,
			     "trace: time stamps out of order (event at offset 0x%llx)",
			     (unsigned long long)off);
}

static int sorted_next(struct gort_old *o, struct gort_v1ev *ev)
{
	struct gort_v1keyed k;
	uint64_t *v;
	int rc;

	for (;;) {
		if (o->nheap > 0 && can_emit(o, o->heap[0].key)) {
			kpop(o, ev);
			return 0;
		}
		if (o->merge_done)
			return GORT_EEND;
		rc = merge_next(o, &k.ev);
		if (rc == GORT_EEND) {
			o->merge_done = true;
			continue;
		}
		if (rc)
			return rc;
		if (o->have_last && k.ev.ts < o->last_merged)
			return time_order(k.ev.off);
		o->have_last = true;
		o->last_merged = k.ev.ts;
		k.key = k.ev.ts;
		switch (k.ev.type) {
		case V1_GO_SYS_BLOCK: case V1_GO_IN_SYSCALL:
			if ((rc = gort__idmap_put(&o->last_block, k.ev.g, &v)) < 0)
				return rc;
			*v = (uint64_t)k.ev.ts;
			break;
		case V1_GO_SYS_EXIT: {
			int64_t ts = (int64_t)k.ev.args[2], block;
			if (ts == 0)
				break;
			v = gort__idmap_get(&o->last_block, k.ev.g);
			block = v ? (int64_t)*v : 0;
			if (block == 0)
				return gort__fail_at(GORT_EFORMAT, k.ev.off,
						     "trace: stray syscall exit (event at offset 0x%llx)",
						     (unsigned long long)k.ev.off);
			if (ts < block)
				return time_order(k.ev.off);
			k.key = ts;
			break;
		}
		}
		k.seq = o->nseq++;
		if ((rc = kpush(o, &k)))
			return rc;
	}
}

/*
 * --- format 1.5: Go 1.21's order1005, streamed ---
 *
 * Go sorts every event by its sequence number (a GoSysExit by the one its
 * syscall returned at, Args[1], and with its real time, Args[2]), then
 * checks that the times do not go back. The order here is that of a stable
 * sort of the streams concatenated in the order of o->procs: the key
 * (seq, proc, offset). Where Go's order can differ (equal numbers; only in
 * made-up traces), its own is that of its unstable sort.
 *
 * A k-way merge: each stream's events but its GoSysExits are in increasing
 * order (a P is one stream, or several when its batches are out of order
 * in the file: the index splits it; numbers that go back within a batch
 * have the trace sorted whole below), so a heap holds one head per
 * stream, its next event or, while its next batch is not loaded, a lower
 * bound (the batch header's number and offset). The
 * GoSysExits are taken out of their batches ahead of time, in a second
 * heap: before an event with number s is merged, every batch whose
 * smallest exit number is at most s (the index sorted them by it) has
 * given its exits. Memory: a loaded batch per stream (freed when it is
 * done), plus the exits of the batches taken early, which wait for their
 * turn.
 */

static bool hless(const struct gort_v1head *a, const struct gort_v1head *b)
{
	return a->seq < b->seq || (a->seq == b->seq && a->proc < b->proc);
}

static bool xless(const struct gort_v1exit *a, const struct gort_v1exit *b)
{
	if (a->ev.seq != b->ev.seq)
		return a->ev.seq < b->ev.seq;
	if (a->proc != b->proc)
		return a->proc < b->proc;
	return a->ev.off < b->ev.off;
}

static void heads_down(struct gort_old *o, size_t i)
{
	struct gort_v1head *h = o->heads, t;

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < o->nheads && hless(&h[l], &h[m]))
			m = l;
		if (l + 1 < o->nheads && hless(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i], h[i] = h[m], h[m] = t;
		i = m;
	}
}

static void heads_up(struct gort_old *o, size_t j)
{
	struct gort_v1head *h = o->heads, t;

	while (j > 0 && hless(&h[j], &h[(j - 1) / 2])) {
		t = h[j], h[j] = h[(j - 1) / 2], h[(j - 1) / 2] = t;
		j = (j - 1) / 2;
	}
}

static void exits_down(struct gort_old *o, size_t i)
{
	struct gort_v1exit *h = o->exits, t;

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < o->nexits && xless(&h[l], &h[m]))
			m = l;
		if (l + 1 < o->nexits && xless(&h[l + 1], &h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i], h[i] = h[m], h[m] = t;
		i = m;
	}
}

/* The head of P i after its current place: next event, next batch, or none. */
static void head_of(struct gort_old *o, uint32_t i, struct gort_v1head *h)
{
	struct gort_v1proc *p = &o->procs[i];

	if (p->pos < p->nevs)
		*h = (struct gort_v1head){p->evs[p->pos].seq, p->evs[p->pos].off, i, true};
	else if (p->next != UINT32_MAX)
		*h = (struct gort_v1head){o->batches[p->next].seq0, o->batches[p->next].off, i, false};
	else
		h->proc = UINT32_MAX;
}

/* Replace the first head by P's next one, or drop it. */
static void heads_advance(struct gort_old *o)
{
	uint32_t i = o->heads[0].proc;

	head_of(o, i, &o->heads[0]);
	if (o->heads[0].proc == UINT32_MAX) {
		/* Done: its last batch goes (a P may have many streams). */
		(void)gort__old_load(o, &o->procs[i]);
		o->procs[i].done = true;
		o->heads[0] = o->heads[--o->nheads];
	}
	if (o->nheads)
		heads_down(o, 0);
}

static int seq_start(struct gort_old *o)
{
	if (!(o->heads = gort__calloc(o->nprocs + 1, sizeof(*o->heads))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	o->skip_exits = true;
	o->seq_started = true;
	for (uint32_t i = 0; i < o->nprocs; i++) {
		head_of(o, i, &o->heads[o->nheads]);
		if (o->heads[o->nheads].proc == UINT32_MAX)
			continue;
		o->nheads++;
		heads_up(o, o->nheads - 1);
	}
	return 0;
}

/* The GoSysExits of the next batch to harvest, into the exit heap. */
static int harvest(struct gort_old *o)
{
	uint32_t bi = o->harvest[o->harvest_pos++];
	struct gort_v1proc *s = &o->scratch;
	int rc;

	if ((rc = gort__old_load_exits(o, bi)))
		return rc;
	for (size_t i = 0; i < s->nevs; i++) {
		struct gort_v1exit x = {s->evs[i], o->batches[bi].proc};
		size_t j;
		/* Emitted once the thread has a P: its real seq and time. */
		x.ev.seq = (int64_t)x.ev.args[1];
		if (x.ev.args[2] != 0)
			x.ev.ts = (int64_t)x.ev.args[2];
		if ((rc = gort__trace_grow((void **)&o->exits, &o->cap_exits, o->nexits + 1,
					 sizeof(*o->exits))))
			return rc;
		j = o->nexits++;
		o->exits[j] = x;
		while (j > 0 && xless(&o->exits[j], &o->exits[(j - 1) / 2])) {
			struct gort_v1exit t = o->exits[j];
			o->exits[j] = o->exits[(j - 1) / 2];
			o->exits[(j - 1) / 2] = t;
			j = (j - 1) / 2;
		}
	}
	return 0;
}

/* Whether exit x sorts before head h. */
static bool exit_first(const struct gort_v1exit *x, const struct gort_v1head *h)
{
	if (x->ev.seq != h->seq)
		return x->ev.seq < h->seq;
	if (x->proc != h->proc)
		return x->proc < h->proc;
	return x->ev.off < h->off;
}

static int seq_pick(struct gort_old *o, struct gort_v1ev *ev)
{
	int rc;

	if (!o->seq_started && (rc = seq_start(o)))
		return rc;
	for (;;) {
		struct gort_v1head *h = o->nheads ? &o->heads[0] : NULL;
		struct gort_v1proc *p;

		while (o->harvest_pos < o->nharvest &&
		       (!h || o->batches[o->harvest[o->harvest_pos]].exit_seq <= h->seq))
			if ((rc = harvest(o)))
				return rc;
		if (o->nexits && (!h || exit_first(&o->exits[0], h))) {
			*ev = o->exits[0].ev;
			o->exits[0] = o->exits[--o->nexits];
			exits_down(o, 0);
			return 0;
		}
		if (!h)
			return GORT_EEND;
		p = &o->procs[h->proc];
		if (!h->loaded) {
			if ((rc = gort__old_load(o, p)))
				return rc == GORT_EEND ? gort__fail(GORT_EFORMAT, "trace: batch lost") : rc;
			heads_advance(o);
			continue;
		}
		*ev = p->evs[p->pos++];
		heads_advance(o);
		return 0;
	}
}

/* order1005 one event at a time, with sort.IsSorted's check on the way. */
static int seq_next(struct gort_old *o, struct gort_v1ev *ev)
{
	int rc = seq_pick(o, ev);

	if (rc)
		return rc;
	if (o->have_seq_ts && ev->ts < o->seq_ts)
		return time_order(ev->off);
	o->have_seq_ts = true;
	o->seq_ts = ev->ts;
	return 0;
}

/* A hostile trace whose sequence numbers go back within a batch: all in memory. */

static int seq_cmp(const void *a, const void *b)
{
	const struct gort_v1ev *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int load_all_1005(struct gort_old *o)
{
	int rc;

	for (size_t i = 0; i < o->nprocs; i++) {
		struct gort_v1proc *p = &o->procs[i];
		while ((rc = gort__old_load(o, p)) == 0) {
			if ((rc = gort__trace_grow((void **)&o->all, &o->nall_cap, o->nall + p->nevs + 1,
						 sizeof(*o->all))))
				return rc;
			memcpy(o->all + o->nall, p->evs, p->nevs * sizeof(*p->evs));
			o->nall += p->nevs;
		}
		if (rc != GORT_EEND)
			return rc;
	}
	for (size_t i = 0; i < o->nall; i++) {
		struct gort_v1ev *e = &o->all[i];
		if (e->type == V1_GO_SYS_EXIT) {
			/* Emitted once the thread has a P: its real seq and time. */
			e->seq = (int64_t)e->args[1];
			if (e->args[2] != 0)
				e->ts = (int64_t)e->args[2];
		}
	}
	/* sort.Sort by seq: the seqs are unique, any sort gives Go's order. */
	qsort(o->all, o->nall, sizeof(*o->all), seq_cmp);
	for (size_t i = 1; i < o->nall; i++)
		if (o->all[i].ts < o->all[i - 1].ts)
			return time_order(o->all[i].off);
	return 0;
}

static bool is_block(uint8_t type)
{
	switch (type) {
	case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND:
		return true;
	}
	return false;
}

/* The ordered events, before the futile wakeups are taken out. */
static int raw_next(struct gort_old *o, struct gort_v1ev *ev)
{
	int rc;

	if (o->ver >= 7)
		return sorted_next(o, ev);
	if (!o->seq_unsorted)
		return seq_next(o, ev);
	if (!o->all_loaded) {
		if ((rc = load_all_1005(o)))
			return rc;
		o->all_loaded = true;
	}
	if (o->all_pos >= o->nall)
		return GORT_EEND;
	*ev = o->all[o->all_pos++];
	return 0;
}

/*
 * --- futile wakeups: Go 1.21's removeFutile, in two ordered passes ---
 *
 * Go 1.21's parser (internal/trace/parser.go: removeFutile) runs it on the
 * ordered trace before postProcessTrace: per goroutine, a wakeup sequence
 * is a GoUnblock of it (which starts a new sequence), then its GoStart,
 * GoPreempt and FutileWakeup events; a block (GoBlock, ...Send, ...Recv,
 * ...Select, ...Sync, ...Cond) ends it, and when the goroutine's futile
 * flag is set (a FutileWakeup since its last block: the flag outlives a
 * new GoUnblock) the block and the sequence's events are dropped. Only
 * writers before Go 1.8 emitted FutileWakeup.
 *
 * Whether an event stays depends on a later one, arbitrarily far ahead,
 * so Go's list is replaced by two passes over the ordered stream (the
 * merge is deterministic: both passes see the same events in the same
 * order). The first only runs Go's state machine, keeping per goroutine
 * the offset of its open sequence's first event and the flag, and notes
 * the first event of every sequence that ends futile (8 bytes each). The
 * second delivers, and drops a sequence from its first event on when that
 * event is one of them. An event is known by its file offset, which no
 * other event shares.
 */

#define FUTILE_FLAG (UINT64_C(1) << 63)

/* The goroutine whose wakeup sequence ev belongs to, or false. */
static bool futile_g(const struct gort_v1ev *ev, uint64_t *g)
{
	switch (ev->type) {
	case V1_GO_UNBLOCK:
		*g = ev->args[0];
		return true;
	case V1_GO_START: case V1_GO_PREEMPT: case V1_FUTILE_WAKEUP:
		*g = ev->g;
		return true;
	}
	*g = ev->g;
	return is_block(ev->type);
}

/* First pass, one event: Go's phase 1. A goroutine's value is its open
   sequence's first offset + 1 (0: none) and FUTILE_FLAG. */
static int futile_scan(struct gort_old *o, const struct gort_v1ev *ev)
{
	uint64_t g, *v, head;
	int rc;

	if (!futile_g(ev, &g))
		return 0;
	if (is_block(ev->type)) {
		if ((v = gort__idmap_get(&o->futile_g, g)) && (*v & FUTILE_FLAG)) {
			head = (*v & ~FUTILE_FLAG) - 1; /* set: the FutileWakeup joined it */
			if ((rc = gort__trace_grow((void **)&o->futile_starts,
						   &o->cap_futile_starts, o->nfutile_starts + 1,
						   sizeof(*o->futile_starts))))
				return rc;
			o->futile_starts[o->nfutile_starts++] = head;
		}
		gort__idmap_del(&o->futile_g, g); /* delete(gs, ev.G) */
		return 0;
	}
	if ((rc = gort__idmap_put(&o->futile_g, g, &v)) < 0)
		return rc;
	if (ev->type == V1_GO_UNBLOCK || (*v & ~FUTILE_FLAG) == 0)
		*v = (*v & FUTILE_FLAG) | (ev->off + 1); /* g.wakeup = []*Event{ev} */
	if (ev->type == V1_FUTILE_WAKEUP)
		*v |= FUTILE_FLAG;
	return 0;
}

static int off_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool futile_start(const struct gort_old *o, uint64_t off)
{
	return o->nfutile_starts &&
	       bsearch(&off, o->futile_starts, o->nfutile_starts, sizeof(off), off_cmp);
}

/* Second pass, one event: whether it goes. A goroutine's value: 1 in a
   sequence that stays, 2 in one that goes (absent: in none). */
static int futile_drop(struct gort_old *o, const struct gort_v1ev *ev, bool *drop)
{
	uint64_t g, *v;
	int rc;

	*drop = false;
	if (!futile_g(ev, &g))
		return 0;
	if (is_block(ev->type)) {
		*drop = (v = gort__idmap_get(&o->futile_g, g)) && *v == 2;
		gort__idmap_del(&o->futile_g, g);
		return 0;
	}
	if ((rc = gort__idmap_put(&o->futile_g, g, &v)) < 0)
		return rc;
	if (ev->type == V1_GO_UNBLOCK || *v == 0)
		*v = futile_start(o, ev->off) ? 2 : 1;
	*drop = *v == 2;
	return 0;
}

/* Back to the first event: the merge as gort__old_new left it. */
static void merge_rewind(struct gort_old *o)
{
	for (size_t i = 0; i < o->nprocs; i++) {
		struct gort_v1proc *p = &o->procs[i];
		/* ProfileP holds the CPU samples, which formats with futile
		   wakeups (before 1.11) do not have: it is empty. */
		gort__free(p->evs);
		gort__free(p->exit_from);
		p->evs = NULL;
		p->exit_from = NULL;
		p->nevs = p->pos = p->cap = p->cap_exit = 0;
		p->next = p->first;
		p->front_exit = INT64_MAX;
		p->last_g = p->g0;
		p->cur_off = p->cur_len = 0;
		p->done = false;
		o->avail[i] = (uint32_t)i;
	}
	o->navail = o->nprocs;
	o->nfront = 0;
	o->read_bytes = 0;
	o->all_pos = 0;
	/* format 1.5 */
	o->skip_exits = false;
	o->harvest_pos = 0;
	gort__free(o->heads);
	o->heads = NULL;
	o->nheads = o->nexits = 0;
	o->seq_started = o->have_seq_ts = false;
	o->seq_ts = 0;
	/* order.go and the syscall-exit heap */
	gort__idmap_free(&o->gseq);
	gort__idmap_free(&o->gstatus);
	gort__idmap_free(&o->last_block);
	o->merge_done = o->have_last = false;
	o->last_merged = 0;
	o->nheap = 0;
	o->nseq = 0;
	o->exit_bound = INT64_MIN;
}

static void report(const struct gort_old *o, uint64_t done)
{
	if (o->progress && o->progress->fn)
		o->progress->fn(GORT_TRACE_STEP_FUTILE, done, o->v->size, o->progress->arg);
}

int gort__old_prepare(struct gort_old *o)
{
	struct gort_v1ev ev;
	uint64_t shown = 0, n = 0, at;
	int rc;

	if (o->prepared)
		return 0;
	o->prepared = true;
	/* tracev1 (formats 1.11+, Go 1.22's reference) has no removeFutile. */
	if (o->ver >= 11 || o->nfutile == 0)
		return 0;
	report(o, 0);
	while ((rc = raw_next(o, &ev)) == 0) {
		if ((rc = futile_scan(o, &ev)))
			return rc;
		if ((++n & 4095) == 0 && (at = gort__old_progress(o)) >= shown + (1u << 20) &&
		    at < o->v->size)
			report(o, shown = at);
	}
	if (rc != GORT_EEND)
		return rc;
	if (o->nfutile_starts > 1) /* none: never allocated */
		qsort(o->futile_starts, o->nfutile_starts, sizeof(*o->futile_starts), off_cmp);
	gort__idmap_free(&o->futile_g);
	merge_rewind(o);
	o->futile_on = true;
	report(o, o->v->size);
	return 0;
}

static int ordered_next(struct gort_old *o, struct gort_v1ev *ev)
{
	bool drop;
	int rc;

	if (!o->prepared && (rc = gort__old_prepare(o)))
		return rc;
	for (;;) {
		if ((rc = raw_next(o, ev)) || !o->futile_on)
			return rc;
		if ((rc = futile_drop(o, ev, &drop)) || !drop)
			return rc;
	}
}

/* --- postProcessTrace --- */

static int pp_fail(const struct gort_v1ev *ev, const char *fmt, unsigned long long a,
		   unsigned long long b)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, a, b);
	return gort__fail_at(GORT_EFORMAT, ev->off, "trace: %s (event at offset 0x%llx)", msg,
			     (unsigned long long)ev->off);
}

static int pp_g(struct gort_old *o, uint64_t g, bool create, struct gort_v1gdesc **out,
		bool *existed)
{
	uint64_t *v;
	int rc;

	if ((v = gort__idmap_get(&o->pp_gidx, g))) {
		*out = &o->pp_g[*v];
		if (existed)
			*existed = true;
		return 0;
	}
	if (existed)
		*existed = false;
	if (!create) {
		memset(&o->pp_zero, 0, sizeof(o->pp_zero));
		*out = &o->pp_zero; /* a read of a missing key: Go's zero value */
		return 0;
	}
	if ((rc = GROW(o->pp_g, o->npp_g, o->cap_pp_g)))
		return rc;
	if ((rc = gort__idmap_put(&o->pp_gidx, g, &v)) < 0)
		return rc;
	*v = o->npp_g;
	memset(&o->pp_g[o->npp_g], 0, sizeof(o->pp_g[0]));
	*out = &o->pp_g[o->npp_g++];
	return 0;
}

static int pp_p(struct gort_old *o, int32_t p, struct gort_v1pdesc **out)
{
	uint64_t *v;
	int rc;

	if ((v = gort__idmap_get(&o->pp_pidx, (uint64_t)(int64_t)p))) {
		*out = &o->pp_p[*v];
		return 0;
	}
	if ((rc = GROW(o->pp_p, o->npp_p, o->cap_pp_p)))
		return rc;
	if ((rc = gort__idmap_put(&o->pp_pidx, (uint64_t)(int64_t)p, &v)) < 0)
		return rc;
	*v = o->npp_p;
	memset(&o->pp_p[o->npp_p], 0, sizeof(o->pp_p[0]));
	*out = &o->pp_p[o->npp_p++];
	return 0;
}

static int check_running(const struct gort_v1pdesc *p, const struct gort_v1gdesc *g,
			 const struct gort_v1ev *ev, bool allow_g0)
{
	char fmt[160];
	const char *name = gort__v1_desc(ev->type)->name;

	if (g->state != G_RUNNING) {
		snprintf(fmt, sizeof(fmt), "g %%llu is not running while %s (time %%lld)", name);
		return pp_fail(ev, fmt, ev->g, (unsigned long long)ev->ts);
	}
	if (p->g != ev->g) {
		snprintf(fmt, sizeof(fmt), "p %d is not running g %%llu while %s (time %%lld)",
			 (int)ev->p, name);
		return pp_fail(ev, fmt, ev->g, (unsigned long long)ev->ts);
	}
	if (!allow_g0 && ev->g == 0) {
		snprintf(fmt, sizeof(fmt), "g 0 did %s (time %%lld)%%.0llu", name);
		return pp_fail(ev, fmt, (unsigned long long)ev->ts, 0);
	}
	return 0;
}

static int regions(struct gort_old *o, struct gort_v1ev *ev)
{
	struct gort_v1regions *r;
	uint64_t *v = gort__idmap_get(&o->pp_regions, ev->g);
	int rc;

	r = v ? (struct gort_v1regions *)(uintptr_t)*v : NULL;
	if (ev->args[1] == 0) { /* push */
		if (!r || r->n + 2 > r->cap) {
			size_t cap = r ? r->cap * 2 : 8;
			struct gort_v1regions *nr = gort__realloc(r, sizeof(*r) + cap * sizeof(uint64_t));
			if (!nr)
				return gort__fail(GORT_ENOMEM, "out of memory");
			if (!r)
				nr->n = 0;
			nr->cap = cap;
			r = nr;
			if ((rc = gort__idmap_put(&o->pp_regions, ev->g, &v)) < 0) {
				gort__free(r);
				return rc;
			}
			*v = (uint64_t)(uintptr_t)r;
		}
		r->pairs[r->n++] = ev->args[0];
		r->pairs[r->n++] = ev->args[2];
		return 0;
	}
	if (ev->args[1] != 1)
		return pp_fail(ev, "invalid user region mode %llu%.0llu", ev->args[1], 0);
	if (!r || r->n == 0)
		return 0;
	if (r->pairs[r->n - 2] != ev->args[0] || r->pairs[r->n - 1] != ev->args[2])
		return pp_fail(ev, "misuse of region in goroutine %llu: span end does not match the inner-most active span start (task %llu)",
			       ev->g, ev->args[0]);
	r->n -= 2;
	if (r->n == 0) {
		gort__idmap_del(&o->pp_regions, ev->g);
		gort__free(r);
	}
	return 0;
}

static void drop_regions(struct gort_old *o, uint64_t g)
{
	uint64_t *v = gort__idmap_get(&o->pp_regions, g);

	if (!v)
		return;
	gort__free((void *)(uintptr_t)*v);
	gort__idmap_del(&o->pp_regions, g);
}

static int post_process(struct gort_old *o, struct gort_v1ev *ev)
{
	struct gort_v1gdesc *g, *g1;
	struct gort_v1pdesc *p;
	bool existed;
	uint64_t *v;
	int rc;

	switch (ev->type) {
	case V1_PROC_START:
		if ((rc = pp_p(o, ev->p, &p)))
			return rc;
		if (p->running)
			return pp_fail(ev, "p %lld is running before start (time %lld)",
				       (unsigned long long)(int64_t)ev->p, (unsigned long long)ev->ts);
		p->running = true;
		break;
	case V1_PROC_STOP:
		if ((rc = pp_p(o, ev->p, &p)))
			return rc;
		if (!p->running)
			return pp_fail(ev, "p %lld is not running before stop (time %lld)",
				       (unsigned long long)(int64_t)ev->p, (unsigned long long)ev->ts);
		if (p->g != 0)
			return pp_fail(ev, "p is running a goroutine %llu during stop (time %lld)",
				       p->g, (unsigned long long)ev->ts);
		p->running = false;
		break;
	case V1_GC_START:
		if (o->in_gc)
			return pp_fail(ev, "previous GC is not ended before a new one (time %lld)%.0llu",
				       (unsigned long long)ev->ts, 0);
		o->in_gc = true;
		ev->p = V1_GC_P; /* the global GC state */
		break;
	case V1_GC_DONE:
		if (!o->in_gc)
			return pp_fail(ev, "bogus GC end (time %lld)%.0llu", (unsigned long long)ev->ts, 0);
		o->in_gc = false;
		break;
	case V1_STW_START:
	case V1_STW_DONE: {
		bool *stw = &o->in_stw;
		if (o->ver < 10) { /* per P before 1.10 (Go 1.21's parser) */
			if ((rc = pp_p(o, ev->p, &p)))
				return rc;
			stw = &p->stw;
		}
		if (ev->type == V1_STW_START && *stw)
			return pp_fail(ev, "previous STW is not ended before a new one (time %lld)%.0llu",
				       (unsigned long long)ev->ts, 0);
		if (ev->type == V1_STW_DONE && !*stw)
			return pp_fail(ev, "bogus STW end (time %lld)%.0llu", (unsigned long long)ev->ts, 0);
		*stw = ev->type == V1_STW_START;
		break;
	}
	case V1_GC_SWEEP_START:
		if ((rc = pp_p(o, ev->p, &p)))
			return rc;
		if (p->sweep)
			return pp_fail(ev, "previous sweeping is not ended before a new one (time %lld)%.0llu",
				       (unsigned long long)ev->ts, 0);
		p->sweep = true;
		break;
	case V1_GC_SWEEP_DONE:
		if ((rc = pp_p(o, ev->p, &p)))
			return rc;
		if (!p->sweep)
			return pp_fail(ev, "bogus sweeping end (time %lld)%.0llu", (unsigned long long)ev->ts, 0);
		p->sweep = false;
		break;
	case V1_GC_MARK_ASSIST_START:
		if ((rc = pp_g(o, ev->g, true, &g, NULL)))
			return rc;
		if (g->mark_assist)
			return pp_fail(ev, "previous mark assist is not ended before a new one (time %lld)%.0llu",
				       (unsigned long long)ev->ts, 0);
		g->mark_assist = true;
		break;
	case V1_GC_MARK_ASSIST_DONE:
		/* Assists can be in progress when tracing starts: no check. */
		if ((rc = pp_g(o, ev->g, true, &g, NULL)))
			return rc;
		g->mark_assist = false;
		break;
	case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		if ((rc = pp_g(o, ev->g, true, &g, NULL)))
			return rc;
		if (g->state != G_RUNNABLE)
			return pp_fail(ev, ev->type == V1_GO_WAITING
					   ? "g %llu is not runnable before EvGoWaiting (time %lld)"
					   : "g %llu is not runnable before EvGoInSyscall (time %lld)",
				       ev->g, (unsigned long long)ev->ts);
		g->state = G_WAITING;
		g->ev_type = ev->type;
		break;
	case V1_GO_CREATE:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, false, &g, NULL)) ||
		    (rc = check_running(p, g, ev, true)))
			return rc;
		if ((rc = pp_g(o, ev->args[0], true, &g1, &existed)))
			return rc;
		if (existed)
			return pp_fail(ev, "g %llu already exists (time %lld)", ev->args[0],
				       (unsigned long long)ev->ts);
		g1->state = G_RUNNABLE;
		g1->ev_type = V1_GO_CREATE;
		g1->has_create = true;
		g1->create_stk = (uint32_t)ev->args[1];
		break;
	case V1_GO_START: case V1_GO_START_LABEL:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)))
			return rc;
		if (g->state != G_RUNNABLE)
			return pp_fail(ev, "g %llu is not runnable before start (time %lld)", ev->g,
				       (unsigned long long)ev->ts);
		if (p->g != 0)
			return pp_fail(ev, "p is already running g %llu while start g %llu", p->g, ev->g);
		g->state = G_RUNNING;
		p->g = ev->g;
		if (g->has_create) {
			/* Before 1.7 GoCreate carried the start PC, not a stack:
			   Go 1.21 gives GoStart the frame PC+1 and no stack ID. */
			ev->stk = o->ver >= 7 ? g->create_stk : 0;
			g->has_create = false;
		}
		g->ev_type = 0;
		break;
	case V1_GO_END: case V1_GO_STOP:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)) ||
		    (rc = check_running(p, g, ev, false)))
			return rc;
		g->state = G_DEAD;
		p->g = 0;
		if (ev->type == V1_GO_END)
			drop_regions(o, ev->g);
		break;
	case V1_GO_SCHED: case V1_GO_PREEMPT:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)) ||
		    (rc = check_running(p, g, ev, false)))
			return rc;
		g->state = G_RUNNABLE;
		p->g = 0;
		g->ev_type = ev->type;
		break;
	case V1_GO_UNBLOCK:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, false, &g, NULL)))
			return rc;
		if (g->state != G_RUNNING)
			return pp_fail(ev, "g %llu is not running while unpark (time %lld)", ev->g,
				       (unsigned long long)ev->ts);
		if (ev->p != V1_TIMER_P && p->g != ev->g)
			return pp_fail(ev, "p is not running g %llu while unpark (time %lld)", ev->g,
				       (unsigned long long)ev->ts);
		if ((rc = pp_g(o, ev->args[0], true, &g1, NULL)))
			return rc;
		if (g1->state != G_WAITING)
			return pp_fail(ev, "g %llu is not waiting before unpark (time %lld)", ev->args[0],
				       (unsigned long long)ev->ts);
		/* Go 1.21's parser leaves a timer goroutine's unblocks on TimerP. */
		if (g1->ev_type == V1_GO_BLOCK_NET && (o->ver >= 11 || ev->p != V1_TIMER_P))
			ev->p = V1_NETPOLL_P;
		g1->state = G_RUNNABLE;
		g1->ev_type = ev->type;
		break;
	case V1_GO_SYS_CALL:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)) ||
		    (rc = check_running(p, g, ev, false)))
			return rc;
		g->ev_type = ev->type;
		break;
	case V1_GO_SYS_BLOCK:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)) ||
		    (rc = check_running(p, g, ev, false)))
			return rc;
		g->state = G_WAITING;
		p->g = 0;
		break;
	case V1_GO_SYS_EXIT:
		if ((rc = pp_g(o, ev->g, true, &g, NULL)))
			return rc;
		if (g->state != G_WAITING)
			return pp_fail(ev, "g %llu is not waiting during syscall exit (time %lld)", ev->g,
				       (unsigned long long)ev->ts);
		g->state = G_RUNNABLE;
		g->ev_type = ev->type;
		break;
	case V1_GO_SLEEP: case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND:
	case V1_GO_BLOCK_NET: case V1_GO_BLOCK_GC:
		if ((rc = pp_p(o, ev->p, &p)) || (rc = pp_g(o, ev->g, true, &g, NULL)) ||
		    (rc = check_running(p, g, ev, false)))
			return rc;
		g->state = G_WAITING;
		g->ev_type = ev->type;
		p->g = 0;
		break;
	case V1_USER_TASK_CREATE:
		if ((rc = gort__idmap_put(&o->pp_tasks, ev->args[0], &v)) < 0)
			return rc;
		if (rc == 0)
			return pp_fail(ev, "task id conflicts (id:%llu)%.0llu", ev->args[0], 0);
		break;
	case V1_USER_TASK_END:
		gort__idmap_del(&o->pp_tasks, ev->args[0]);
		break;
	case V1_USER_REGION:
		if ((rc = regions(o, ev)))
			return rc;
		break;
	}
	if (ev->stk != 0) {
		/* No event refers to a missing or empty stack. */
		bool ok;
		const struct gort_tstack *st = gort__tgen_stack(o->tab, ev->stk, &ok);
		if (!ok || st->n == 0)
			ev->stk = 0;
	}
	return 0;
}

/* float64 to int64 as Go converts on amd64 (out of range: INT64_MIN). */
static int64_t to_ns(double x)
{
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

int gort__old_next_v1(struct gort_old *o, struct gort_v1ev *ev)
{
	int rc = ordered_next(o, ev);

	if (rc)
		return rc;
	if (!o->have_min) {
		/* Times count from the first event, in ns: parse's translation. */
		o->have_min = true;
		o->min_ts = ev->ts;
		o->freq = 1e9 / (double)o->ticks_per_sec;
	}
	ev->ts = to_ns((double)(int64_t)((uint64_t)ev->ts - (uint64_t)o->min_ts) * o->freq);
	if (ev->type == V1_GO_UNBLOCK && gort__idmap_get(&o->timer_g, ev->g))
		ev->p = V1_TIMER_P;
	if (ev->type == V1_GO_SYS_EXIT)
		ev->p = V1_SYSCALL_P;
	return post_process(o, ev);
}

void gort__old_merge_free(struct gort_old *o)
{
	for (size_t i = 0; i < o->pp_regions.cap; i++)
		if (o->pp_regions.ents && o->pp_regions.ents[i].used)
			gort__free((void *)(uintptr_t)o->pp_regions.ents[i].val);
	gort__idmap_free(&o->pp_regions);
	gort__idmap_free(&o->pp_gidx);
	gort__idmap_free(&o->pp_pidx);
	gort__idmap_free(&o->pp_tasks);
	gort__idmap_free(&o->gseq);
	gort__idmap_free(&o->gstatus);
	gort__idmap_free(&o->last_block);
	gort__free(o->pp_g);
	gort__free(o->pp_p);
	gort__free(o->heap);
	gort__free(o->front);
	gort__free(o->avail);
	gort__free(o->all);
	gort__free(o->futile_starts);
	gort__idmap_free(&o->futile_g);
	gort__free(o->harvest);
	gort__free(o->heads);
	gort__free(o->exits);
	gort__free(o->scratch.evs);
}

uint64_t gort__old_progress(const struct gort_old *o)
{
	uint64_t at = o->read_bytes;

	/* Ordered whole first: the share of the events delivered. */
	if (o->all_loaded)
		return o->nall ? (uint64_t)((double)o->v->size * (double)o->all_pos / (double)o->nall)
			       : o->v->size;
	/* Per P, its consumed batches and the loaded one up to its next event
	   (not the CPU samples, spread over the file and read by the index). */
	for (size_t i = 0; i < o->nprocs; i++) {
		const struct gort_v1proc *p = &o->procs[i];
		if (p->pid == V1_PROFILE_P)
			continue;
		if (p->pos < p->nevs)
			at += p->evs[p->pos].off - p->cur_off;
		else
			at += p->cur_len;
	}
	return at;
}
