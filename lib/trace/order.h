/*
 * The ordering state machine of internal/trace/order.go: it emulates the
 * scheduler state of goroutines, procs and threads to decide whether the
 * next event of a thread may happen now, and queues the events (with their
 * execution context) in the order they are returned.
 */
#ifndef GORT_TRACE_ORDER_H
#define GORT_TRACE_ORDER_H

#include "gen.h"
#include "spec.h"

/* Go's baseEvent plus the Event's schedCtx. */
struct gort_tev {
	uint8_t typ; /* wire type or EV_SYNC_EVENT */
	bool no_table; /* a Sync event without a generation (the last one) */
	int64_t time;
	uint64_t args[4];
	int64_t g, p, m;
	uint64_t off; /* file offset of the wire event, for messages */
};

struct gort_order {
	int ver;
	struct gort_idmap gs, ps, ms, tasks; /* values: pointers */
	uint64_t gc_seq;
	int gc_state;
	uint64_t initial_gen;
	struct gort_tev *q; /* ring buffer */
	size_t qstart, qlen, qcap;
};

void gort__order_init(struct gort_order *o, int ver);
void gort__order_free(struct gort_order *o);

/*
 * Advance: whether ev (from thread m, in generation gen) can happen now.
 * Returns 1 if it advanced (events queued), 0 if not yet, or an error.
 * May rewrite ev's arguments, as Go's does.
 */
int gort__order_advance(struct gort_order *o, struct gort_tev *ev,
			struct gort_tgen *g, int64_t m, uint64_t gen);
/* Next: pop the next queued event into *ev; false if none. */
bool gort__order_next(struct gort_order *o, struct gort_tev *ev);

#endif
