/* Internal state of a trace and of its event iterators. */
#ifndef GORT_TRACE_READER_H
#define GORT_TRACE_READER_H

#include "../io/source.h"
#include "gen.h"
#include "old.h"
#include "order.h"

#define GORT_TRACE_HEADER_SIZE 16

struct gort_trace {
	struct gort_source src;
	int version;
	/* gort_trace_opts.progress and its argument (old.h's shape). */
	struct gort_old_progress progress;
};

/* internal/trace/batchcursor.go: batchCursor. */
struct gort_tcursor {
	int64_t m;
	int64_t last_ts;
	uint32_t idx; /* current batch, UINT32_MAX when done */
	uint32_t data_off;
	struct gort_tev ev; /* the thread's next event */
};

/* An error kept to be reported later (Go reports some after a Sync). */
struct gort_saved_err {
	int code;
	uint64_t offset;
	char msg[512];
};

struct gort_trace_event_iter {
	gort_trace *t;
	struct gort_old *old; /* formats before 1.22 (old*.c) */
	const struct gort_view *v;
	uint64_t pos;
	uint64_t released; /* file bytes [0, released) dropped from memory */
	int ver;

	struct gort_tgen gen;
	bool have_gen;
	size_t cpu_next;

	struct gort_tcursor *curs;
	size_t cap_curs;
	struct gort_tcursor **frontier; /* a min-heap on ev.time */
	size_t nfront;

	struct gort_order o;
	int64_t last_ts;
	uint64_t syncs;
	bool done;

	/* Go 1.26+: an error reading a generation, reported after a Sync. */
	bool gen_err;
	/* Before 1.26: the first batch of the next generation, and errors. */
	bool have_spill;
	struct gort_tbatch spill;
	uint64_t spill_gen;
	bool spill_err, spill_err_sync;
	struct gort_saved_err saved;

	bool failed; /* sticky: every later call returns this error */
	bool ended;  /* GORT_EEND was returned (for progress) */
	struct gort_saved_err fail;

	struct gort_tev cur;
	struct gort_trace_event out;
	char *buf; /* event text */
	size_t buflen, bufcap;
	char name[1100]; /* "stop-the-world (...)" */
	struct gort_trace_frame *frames;
	size_t cap_frames;
};

/* event.c: the public view of an internal event. */
void gort__trace_fill_event(gort_trace_event_iter *it, const struct gort_tev *e,
			    struct gort_trace_event *out);

#endif
