/*
 * Execution traces: the header, generations (batches, string and stack
 * tables, CPU samples, frequency and clock snapshots), the ordering state
 * machine, event formatting and stacks, through one iterator over the whole
 * trace, with progress reports (old formats: the index and futile-wakeup
 * passes).
 */
#include "fuzz.h"

#include <stdlib.h>

/* Bound on the events read per input, so that a fuzzer stays fast. */
#define EVENTS_MAX 100000

static void stack(const struct gort_trace_event *ev, uint64_t id)
{
	const struct gort_trace_frame *f;
	size_t n;

	if (GORT_CHECK(gort_trace_event_stack(ev, id, &f, &n)))
		return;
	for (size_t i = 0; i < n; i++) {
		gort_fuzz_touch(f[i].func);
		gort_fuzz_touch(f[i].file);
	}
}

static void event(const struct gort_trace_event *ev)
{
	struct gort_str s;

	gort_fuzz_touch_cstr(gort_trace_event_kind_name(ev->kind));
	if (!GORT_CHECK(gort_trace_event_string(ev, &s)))
		gort_fuzz_touch(s);
	if (ev->has_stack)
		stack(ev, ev->stack_id);
	if (ev->kind == GORT_TRACE_EVENT_STATE_TRANSITION) {
		const struct gort_trace_transition *t = &ev->u.transition;
		gort_fuzz_touch_cstr(gort_trace_resource_kind_name(t->resource_kind));
		gort_fuzz_touch_cstr(t->resource_kind == GORT_TRACE_RESOURCE_PROC
					     ? gort_trace_proc_state_name(t->to)
					     : gort_trace_go_state_name(t->to));
		if (t->has_stack)
			stack(ev, t->stack_id);
	}
}

/* gort_trace_opts.progress: steps in range, done never past total. */
static void progress(int step, uint64_t done, uint64_t total, void *arg)
{
	(void)arg;
	if (step < GORT_TRACE_STEP_DECOMPRESS || step > GORT_TRACE_STEP_FUTILE || done > total)
		abort();
}

void gort_fuzz_trace(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_trace_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED,
		  .progress = progress);
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	gort_trace *t;

	if (GORT_CHECK(gort_trace_open_memory(&t, data, size, &o)))
		return;
	(void)gort_trace_version(t);
	if (!GORT_CHECK(gort_trace_event_iter_new(&it, t))) {
		for (int i = 0; i < EVENTS_MAX && !GORT_CHECK(gort_trace_event_iter_next(it, &ev)); i++)
			event(ev);
		gort_trace_event_iter_free(it);
	}
	gort_trace_close(t);
}
