/*
 * Event text exactly as Go's trace.Event.String() writes it
 * (internal/trace/event.go: String, printStack; resources.go: the String
 * methods of states and resources; value.go: Value.String), and stack
 * frames (event.go: Stack.Frames).
 */
#include "quote.h"
#include "reader.h"

#include <string.h>

const char *gort_trace_event_kind_name(int kind)
{
	static const char *const n[] = {"Bad", "Sync", "Metric", "Label", "StackSample",
					 "RangeBegin", "RangeActive", "RangeEnd", "TaskBegin",
					 "TaskEnd", "RegionBegin", "RegionEnd", "Log",
					 "StateTransition", "Experimental"};
	return kind >= 0 && (size_t)kind < GORT_ARRAY_SIZE(n) ? n[kind] : "Bad";
}

const char *gort_trace_go_state_name(int state)
{
	static const char *const n[] = {"Undetermined", "NotExist", "Runnable",
					 "Running", "Waiting", "Syscall"};
	return state >= 0 && (size_t)state < GORT_ARRAY_SIZE(n) ? n[state] : "Bad";
}

const char *gort_trace_proc_state_name(int state)
{
	static const char *const n[] = {"Undetermined", "NotExist", "Running", "Idle"};
	return state >= 0 && (size_t)state < GORT_ARRAY_SIZE(n) ? n[state] : "Bad";
}

const char *gort_trace_resource_kind_name(int kind)
{
	static const char *const n[] = {"None", "Goroutine", "Proc", "Thread"};
	return kind >= 0 && (size_t)kind < GORT_ARRAY_SIZE(n) ? n[kind] : "Bad";
}

int gort_trace_event_stack(const struct gort_trace_event *ev, uint64_t stack_id,
			   const struct gort_trace_frame **frames, size_t *n)
{
	gort_trace_event_iter *it;
	const struct gort_tstack *st;
	bool ok = true;

	if (!ev || !ev->iter_ || !frames || !n)
		return gort__fail(GORT_EINVAL, "NULL argument");
	it = ev->iter_;
	*frames = NULL;
	*n = 0;
	if (stack_id == 0)
		return 0;
	st = it->have_gen ? gort__tgen_stack(&it->gen, stack_id, &ok) : NULL;
	if (!st || !ok)
		return gort__fail(GORT_ENOTFOUND, "trace: no stack %llu in this generation",
				  (unsigned long long)stack_id);
	if (st->n > it->cap_frames) {
		struct gort_trace_frame *nf = gort__realloc(it->frames, st->n * sizeof(*nf));
		if (!nf)
			return gort__fail(GORT_ENOMEM, "out of memory");
		it->frames = nf;
		it->cap_frames = st->n;
	}
	for (uint32_t i = 0; i < st->n; i++) {
		const struct gort_tframe *f = &it->gen.frames[it->gen.stack_frames[st->first + i]];
		struct gort_trace_frame *o = &it->frames[i];
		o->pc = f->pc;
		o->line = f->line;
		if (!gort__tgen_string(&it->gen, f->func_id, &o->func))
			o->func = gort__str("", 0);
		if (!gort__tgen_string(&it->gen, f->file_id, &o->file))
			o->file = gort__str("", 0);
	}
	*frames = it->frames;
	*n = st->n;
	return 0;
}

/*
 * printStack(w, "\t", frames) after a header line. A stack the generation
 * lacks prints no frames; running out of memory marks the buffer, so that
 * the string is GORT_ENOMEM rather than one without its frames.
 */
static void put_stack(struct gort_sbuf *b, const struct gort_trace_event *ev,
		      const char *header, uint64_t id)
{
	const struct gort_trace_frame *f;
	size_t n;
	int rc;

	gort__sb_printf(b, "\n%s\n", header);
	if ((rc = gort_trace_event_stack(ev, id, &f, &n))) {
		if (rc == GORT_ENOMEM)
			b->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		gort__sb_printf(b, "\t%.*s @ 0x%llx\n", (int)f[i].func.len, f[i].func.ptr,
				(unsigned long long)f[i].pc);
		gort__sb_printf(b, "\t\t%.*s:%llu\n", (int)f[i].file.len, f[i].file.ptr,
				(unsigned long long)f[i].line);
	}
}

/* ResourceID.String(). */
static void put_resource(struct gort_sbuf *b, int kind, int64_t id)
{
	if (kind == GORT_TRACE_RESOURCE_NONE)
		gort__sb_printf(b, "None");
	else
		gort__sb_printf(b, "%s(%lld)", gort_trace_resource_kind_name(kind), (long long)id);
}

static void put_str(struct gort_sbuf *b, const char *pre, struct gort_str s)
{
	gort__sb_printf(b, "%s", pre);
	gort__sb_quote(b, s);
}

static void put_details(struct gort_sbuf *b, const struct gort_trace_event *ev)
{
	const struct gort_trace_transition *t;

	switch (ev->kind) {
	case GORT_TRACE_EVENT_METRIC:
		put_str(b, " Name=", ev->u.metric.name);
		gort__sb_printf(b, " Value=Value{Uint64(%llu)}",
				(unsigned long long)ev->u.metric.value);
		break;
	case GORT_TRACE_EVENT_LABEL:
		put_str(b, " Label=", ev->u.label.label);
		gort__sb_printf(b, " Resource=");
		put_resource(b, ev->u.label.resource_kind, ev->u.label.resource);
		break;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		put_str(b, " Name=", ev->u.range.name);
		gort__sb_printf(b, " Scope=");
		put_resource(b, ev->u.range.scope_kind, ev->u.range.scope);
		if (ev->kind == GORT_TRACE_EVENT_RANGE_END) {
			gort__sb_printf(b, " Attributes=[");
			for (size_t i = 0; i < ev->u.range.nattrs; i++) {
				if (i)
					gort__sb_printf(b, " ");
				gort__sb_quote(b, ev->u.range.attrs[i].name);
				gort__sb_printf(b, "=Value{Uint64(%llu)}",
						(unsigned long long)ev->u.range.attrs[i].value);
			}
			gort__sb_printf(b, "]");
		}
		break;
	case GORT_TRACE_EVENT_TASK_BEGIN:
	case GORT_TRACE_EVENT_TASK_END:
		gort__sb_printf(b, " ID=%llu Parent=%llu", (unsigned long long)ev->u.task.id,
				(unsigned long long)ev->u.task.parent);
		put_str(b, " Type=", ev->u.task.type);
		break;
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		gort__sb_printf(b, " Task=%llu", (unsigned long long)ev->u.region.task);
		put_str(b, " Type=", ev->u.region.type);
		break;
	case GORT_TRACE_EVENT_LOG:
		gort__sb_printf(b, " Task=%llu", (unsigned long long)ev->u.log.task);
		put_str(b, " Category=", ev->u.log.category);
		put_str(b, " Message=", ev->u.log.message);
		break;
	case GORT_TRACE_EVENT_STATE_TRANSITION:
		t = &ev->u.transition;
		if (t->resource_kind == GORT_TRACE_RESOURCE_GOROUTINE)
			gort__sb_printf(b, " GoID=%lld %s->%s", (long long)t->resource,
					gort_trace_go_state_name(t->from),
					gort_trace_go_state_name(t->to));
		else if (t->resource_kind == GORT_TRACE_RESOURCE_PROC)
			gort__sb_printf(b, " ProcID=%lld %s->%s", (long long)t->resource,
					gort_trace_proc_state_name(t->from),
					gort_trace_proc_state_name(t->to));
		put_str(b, " Reason=", t->reason);
		if (t->has_stack)
			put_stack(b, ev, "TransitionStack=", t->stack_id);
		break;
	case GORT_TRACE_EVENT_EXPERIMENTAL:
		gort__sb_printf(b, " Name=%.*s Args=[", (int)ev->u.experimental.name.len,
				ev->u.experimental.name.ptr);
		for (size_t i = 0; i < ev->u.experimental.nargs; i++)
			gort__sb_printf(b, "%s%s=Value{Uint64(%llu)}", i ? ", " : "",
					ev->u.experimental.arg_names[i],
					(unsigned long long)ev->u.experimental.args[i]);
		gort__sb_printf(b, "]");
		break;
	case GORT_TRACE_EVENT_SYNC:
		gort__sb_printf(b, " N=%llu", (unsigned long long)ev->u.sync.n);
		if (ev->u.sync.has_clock_snapshot) {
			gort__sb_printf(b, " Trace=%lld Mono=%llu Wall=",
					(long long)ev->u.sync.snapshot_time,
					(unsigned long long)ev->u.sync.snapshot_mono);
			gort__sb_rfc3339nano(b, ev->u.sync.snapshot_wall_sec,
					     ev->u.sync.snapshot_wall_nsec);
		}
		break;
	}
}

int gort_trace_event_string(const struct gort_trace_event *ev, struct gort_str *s)
{
	gort_trace_event_iter *it;
	struct gort_sbuf b;

	if (!ev || !ev->iter_ || !s)
		return gort__fail(GORT_EINVAL, "NULL argument");
	it = ev->iter_;
	b = (struct gort_sbuf){it->buf, 0, it->bufcap, false};
	gort__sb_printf(&b, "M=%lld P=%lld G=%lld %s Time=%lld", (long long)ev->thread,
			(long long)ev->proc, (long long)ev->goroutine,
			gort_trace_event_kind_name(ev->kind), (long long)ev->time);
	put_details(&b, ev);
	if (ev->has_stack)
		put_stack(&b, ev, "Stack=", ev->stack_id);
	it->buf = b.p;
	it->bufcap = b.cap;
	if (b.oom)
		return gort__fail(GORT_ENOMEM, "out of memory formatting an event");
	*s = gort__str(b.p, b.len);
	return 0;
}
