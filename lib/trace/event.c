/*
 * The public view of an ordered event: the accessors of Go's trace.Event
 * (internal/trace/event.go: Kind, Stack, Metric, Label, Range,
 * RangeAttributes, Task, Region, Log, StateTransition, Sync,
 * Experimental), computed once per event.
 */
#include "reader.h"

#include <string.h>

#define S(lit) gort__str(lit, sizeof(lit) - 1)

static struct gort_str string_at(gort_trace_event_iter *it, uint64_t id)
{
	struct gort_str s;

	/* Validated when the event was read; Go would panic otherwise. */
	if (!it->have_gen || !gort__tgen_string(&it->gen, id, &s))
		return S("");
	return s;
}

/* Event.Stack(). */
static void fill_stack(const struct gort_tev *e, struct gort_trace_event *o)
{
	const struct gort_trace_spec *s;

	if (e->typ == EV_SYNC_EVENT)
		return;
	if (e->typ == EV_CPU_SAMPLE) {
		/* Go keeps even stack 0 here: it prints an empty "Stack=". */
		o->has_stack = 1;
		o->stack_id = e->args[0];
		return;
	}
	s = gort__trace_spec(e->typ);
	if (!s || s->stack_arg[0] <= 0 || e->args[s->stack_arg[0] - 1] == 0)
		return;
	o->has_stack = 1;
	o->stack_id = e->args[s->stack_arg[0] - 1];
}

static void fill_sync(gort_trace_event_iter *it, const struct gort_tev *e,
		      struct gort_trace_sync *s)
{
	const struct gort_tgen *g = &it->gen;
	int64_t sec, nsec;

	s->n = e->args[0];
	if (e->no_table || !it->have_gen || !g->has_snapshot)
		return;
	s->has_clock_snapshot = 1;
	s->snapshot_time = gort__freq_mul(g->freq, g->snap_time);
	s->snapshot_mono = g->snap_mono;
	/* time.Unix(sec, nsec) normalizes nsec into [0, 1e9). */
	sec = g->snap_sec;
	nsec = g->snap_nsec;
	if (nsec < 0 || nsec >= 1000000000) {
		int64_t n = nsec / 1000000000;
		sec += n;
		nsec -= n * 1000000000;
		if (nsec < 0) {
			nsec += 1000000000;
			sec--;
		}
	}
	s->snapshot_wall_sec = sec;
	s->snapshot_wall_nsec = nsec;
}

static void fill_metric(const struct gort_tev *e, struct gort_trace_metric *m)
{
	switch (e->typ) {
	case EV_PROCS_CHANGE:
		m->name = S("/sched/gomaxprocs:threads");
		break;
	case EV_HEAP_ALLOC:
		m->name = S("/memory/classes/heap/objects:bytes");
		break;
	default:
		m->name = S("/gc/heap/goal:bytes");
		break;
	}
	m->value = e->args[0];
}

static void fill_range(gort_trace_event_iter *it, const struct gort_tev *e,
		       struct gort_trace_range *r)
{
	switch (e->typ) {
	case EV_STW_BEGIN:
	case EV_STW_END: {
		struct gort_str k = string_at(it, e->args[0]);
		size_t n = k.len < 1024 ? k.len : 1024;
		memcpy(it->name, "stop-the-world (", 16);
		memcpy(it->name + 16, k.ptr, n);
		it->name[16 + n] = ')';
		it->name[17 + n] = '\0';
		r->name = gort__str(it->name, 17 + n);
		r->scope_kind = GORT_TRACE_RESOURCE_GOROUTINE;
		r->scope = e->g;
		break;
	}
	case EV_GC_BEGIN:
	case EV_GC_ACTIVE:
	case EV_GC_END:
		r->name = S("GC concurrent mark phase");
		r->scope_kind = GORT_TRACE_RESOURCE_NONE;
		break;
	case EV_GC_SWEEP_BEGIN:
	case EV_GC_SWEEP_ACTIVE:
	case EV_GC_SWEEP_END:
		r->name = S("GC incremental sweep");
		r->scope_kind = GORT_TRACE_RESOURCE_PROC;
		r->scope = e->typ == EV_GC_SWEEP_ACTIVE ? (int64_t)e->args[0] : e->p;
		break;
	default: /* mark assists */
		r->name = S("GC mark assist");
		r->scope_kind = GORT_TRACE_RESOURCE_GOROUTINE;
		r->scope = e->typ == EV_GC_MARK_ASSIST_ACTIVE ? (int64_t)e->args[0] : e->g;
		break;
	}
	if (e->typ == EV_GC_SWEEP_END) {
		r->nattrs = 2;
		r->attrs[0] = (struct gort_trace_range_attr){S("bytes swept"), e->args[0]};
		r->attrs[1] = (struct gort_trace_range_attr){S("bytes reclaimed"), e->args[1]};
	}
}

static void go_transition(struct gort_trace_transition *t, int64_t id, int from, int to)
{
	t->resource_kind = GORT_TRACE_RESOURCE_GOROUTINE;
	t->resource = id;
	t->from = from;
	t->to = to;
}

static void proc_transition(struct gort_trace_transition *t, int64_t id, int from, int to)
{
	t->resource_kind = GORT_TRACE_RESOURCE_PROC;
	t->resource = id;
	t->from = from;
	t->to = to;
}

/* event.go: tracev2GoStatus2GoState, tracev2ProcStatus2ProcState. */
static int go_state(uint64_t s)
{
	static const int m[5] = {0, GORT_TRACE_GO_RUNNABLE, GORT_TRACE_GO_RUNNING,
				 GORT_TRACE_GO_SYSCALL, GORT_TRACE_GO_WAITING};
	return s < 5 ? m[s] : 0;
}

static int proc_state(uint64_t s)
{
	static const int m[5] = {0, GORT_TRACE_PROC_RUNNING, GORT_TRACE_PROC_IDLE,
				 GORT_TRACE_PROC_RUNNING, GORT_TRACE_PROC_IDLE};
	return s < 5 ? m[s] : 0;
}

static void fill_transition(gort_trace_event_iter *it, const struct gort_tev *e,
			    const struct gort_trace_event *o, struct gort_trace_transition *t)
{
	enum { R = GORT_TRACE_GO_RUNNABLE, RUN = GORT_TRACE_GO_RUNNING,
	       W = GORT_TRACE_GO_WAITING, SC = GORT_TRACE_GO_SYSCALL,
	       NX = GORT_TRACE_GO_NOT_EXIST };
	bool event_stack = false;

	switch (e->typ) {
	case EV_PROC_START:
		proc_transition(t, (int64_t)e->args[0], GORT_TRACE_PROC_IDLE, GORT_TRACE_PROC_RUNNING);
		break;
	case EV_PROC_STOP:
		proc_transition(t, e->p, GORT_TRACE_PROC_RUNNING, GORT_TRACE_PROC_IDLE);
		break;
	case EV_PROC_STEAL:
		/* Stolen from SyscallAbandoned: information was lost; Idle. */
		proc_transition(t, (int64_t)e->args[0],
				e->args[3] == PROC_SYSCALL_ABANDONED ? GORT_TRACE_PROC_IDLE
								     : GORT_TRACE_PROC_RUNNING,
				GORT_TRACE_PROC_IDLE);
		break;
	case EV_PROC_STATUS:
		proc_transition(t, (int64_t)e->args[0], (int)e->args[2], proc_state(e->args[1]));
		break;
	case EV_GO_CREATE:
	case EV_GO_CREATE_BLOCKED:
		go_transition(t, (int64_t)e->args[0], NX, e->typ == EV_GO_CREATE ? R : W);
		t->has_stack = 1; /* even stack 0: Go prints an empty TransitionStack */
		t->stack_id = e->args[1];
		break;
	case EV_GO_CREATE_SYSCALL:
		go_transition(t, (int64_t)e->args[0], NX, SC);
		break;
	case EV_GO_START:
		go_transition(t, (int64_t)e->args[0], R, RUN);
		break;
	case EV_GO_DESTROY:
		go_transition(t, e->g, RUN, NX);
		break;
	case EV_GO_DESTROY_SYSCALL:
		go_transition(t, e->g, SC, NX);
		break;
	case EV_GO_STOP:
	case EV_GO_BLOCK:
		go_transition(t, e->g, RUN, e->typ == EV_GO_STOP ? R : W);
		t->reason = string_at(it, e->args[0]);
		event_stack = true;
		break;
	case EV_GO_UNBLOCK:
	case EV_GO_SWITCH:
	case EV_GO_SWITCH_DESTROY:
		go_transition(t, (int64_t)e->args[0], W, R);
		break;
	case EV_GO_SYSCALL_BEGIN:
		go_transition(t, e->g, RUN, SC);
		event_stack = true;
		break;
	case EV_GO_SYSCALL_END:
		go_transition(t, e->g, SC, RUN);
		break;
	case EV_GO_SYSCALL_END_BLOCKED:
		go_transition(t, e->g, SC, R);
		break;
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		go_transition(t, (int64_t)e->args[0], (int)(e->args[2] >> 32),
			      go_state(e->args[2] & 0xffffffffu));
		event_stack = true;
		break;
	}
	if (event_stack && o->has_stack) {
		t->has_stack = 1;
		t->stack_id = o->stack_id;
	}
}

void gort__trace_fill_event(gort_trace_event_iter *it, const struct gort_tev *e,
			    struct gort_trace_event *o)
{
	const struct gort_trace_spec *s;

	memset(o, 0, sizeof(*o));
	o->iter_ = it;
	o->kind = gort__trace_kind(e->typ);
	o->type = e->typ;
	o->time = e->time;
	o->goroutine = e->g;
	o->proc = e->p;
	o->thread = e->m;
	fill_stack(e, o);
	switch (o->kind) {
	case GORT_TRACE_EVENT_SYNC:
		fill_sync(it, e, &o->u.sync);
		break;
	case GORT_TRACE_EVENT_METRIC:
		fill_metric(e, &o->u.metric);
		break;
	case GORT_TRACE_EVENT_LABEL:
		o->u.label.label = string_at(it, e->args[0]);
		o->u.label.resource_kind = GORT_TRACE_RESOURCE_GOROUTINE;
		o->u.label.resource = e->g;
		break;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		fill_range(it, e, &o->u.range);
		break;
	case GORT_TRACE_EVENT_TASK_BEGIN:
		o->u.task.id = e->args[0];
		o->u.task.parent = e->args[1];
		o->u.task.type = string_at(it, e->args[2]);
		break;
	case GORT_TRACE_EVENT_TASK_END:
		o->u.task.id = e->args[0];
		o->u.task.parent = e->args[2];
		o->u.task.type = gort__tgen_extra(&it->gen, e->args[3]);
		break;
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		o->u.region.task = e->args[0];
		o->u.region.type = string_at(it, e->args[1]);
		break;
	case GORT_TRACE_EVENT_LOG:
		o->u.log.task = e->args[0];
		o->u.log.category = string_at(it, e->args[1]);
		o->u.log.message = string_at(it, e->args[2]);
		break;
	case GORT_TRACE_EVENT_STATE_TRANSITION:
		fill_transition(it, e, o, &o->u.transition);
		break;
	case GORT_TRACE_EVENT_EXPERIMENTAL:
		s = gort__trace_spec(e->typ);
		o->u.experimental.name = gort__str(s->name, strlen(s->name));
		o->u.experimental.experiment =
			gort__str(gort__trace_experiment_name(s->experiment),
				  strlen(gort__trace_experiment_name(s->experiment)));
		o->u.experimental.nargs = s->nargs - 1u;
		o->u.experimental.arg_names = s->args + 1;
		memcpy(o->u.experimental.args, e->args, sizeof(e->args));
		break;
	}
}
