/*
 * Old traces as generation-format events: internal/trace/tracev1.go
 * (traceV1Converter: init, next, convertEvent) and the v1 branch of
 * reader.go (Reader.ReadEvent: a Sync before the first event and after the
 * last). The whole trace is one generation with one table: the index's
 * strings and stacks, plus the strings the converter makes up (block
 * reasons, stop-the-world kinds).
 */
#include "old.h"

#include "pdqsort.h"
#include "spec.h"

#include <string.h>

/* The converter's built-in strings, in tracev1.go's order. */
static const char *const builtins[] = {
	"forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive",
	"network", "sync", "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
	/* STW kinds, from sSTWUnknown */
	"", "GC mark termination", "GC sweep termination", "write heap dump",
	"goroutine profile", "goroutine profile cleanup", "all goroutine stack trace",
	"read mem stats", "AllThreadsSyscall", "GOMAXPROCS", "start trace", "stop trace",
	"CountPagesInUse (test)", "ReadMetricsSlow (test)", "ReadMemStatsSlow (test)",
	"PageCachePagesLeaked (test)", "ResetDebugLog (test)",
};

enum {
	S_FOREVER, S_PREEMPTED, S_GOSCHED, S_SLEEP, S_CHAN_SEND, S_CHAN_RECV, S_NETWORK,
	S_SYNC, S_SYNC_COND, S_SELECT, S_EMPTY, S_MARK_ASSIST_WAIT, S_STW_UNKNOWN,
	S_LAST = S_STW_UNKNOWN + 17
};

#define NUM_STW_REASONS 17

static uint64_t builtin(const struct gort_old *o, int c)
{
	return o->builtin0 + (uint64_t)c;
}

/* Trace.STWReason. */
static int stw_reason(const struct gort_old *o, uint64_t kind)
{
	if (o->ver < 21)
		return kind == 0 || kind == 1 ? (int)kind + 1 : 0;
	return kind < NUM_STW_REASONS ? (int)kind : 0;
}

static int add_strings(struct gort_old *o)
{
	uint32_t slot;
	uint64_t max = o->max_string;
	int rc;

	/* One slot stands for every inline Log value (tracev1 numbers them). */
	o->inline_id = max + 1;
	if ((rc = gort__tgen_put_string(o->tab, o->inline_id, gort__str("", 0), &o->inline_slot)))
		return rc < 0 ? rc : gort__fail(GORT_EFORMAT, "trace: couldn't add strings");
	o->builtin0 = max + 2;
	for (int c = 0; c < S_LAST; c++) {
		rc = gort__tgen_put_string(o->tab, builtin(o, c),
					   gort__str(builtins[c], strlen(builtins[c])), &slot);
		if (rc)
			return rc < 0 ? rc : gort__fail(GORT_EFORMAT, "trace: couldn't add strings");
	}
	gort__tgen_compact(o->tab);
	return 0;
}

int gort__old_new(struct gort_old **out, const struct gort_view *v, int ver,
		  struct gort_tgen *tab, const struct gort_old_progress *progress)
{
	struct gort_old *o = gort__calloc(1, sizeof(*o));
	struct gort_v1gdesc *g0;
	uint64_t *slot;
	int rc;

	*out = NULL;
	if (!o)
		return gort__fail(GORT_ENOMEM, "out of memory");
	o->v = v;
	o->ver = ver;
	o->tab = tab;
	o->progress = progress;
	o->pre_init = true;
	o->last_ts = -1;
	o->exit_bound = INT64_MIN;
	if ((rc = gort__old_index(o)))
		goto fail;
	if (o->max_string > UINT64_MAX - 2 - S_LAST) {
		rc = gort__fail(GORT_EFORMAT, "trace: trace contains too many strings");
		goto fail;
	}
	if ((rc = add_strings(o)))
		goto fail;
	o->avail = gort__calloc(o->nprocs, sizeof(*o->avail));
	o->front = gort__calloc(o->nprocs, sizeof(*o->front));
	if (!o->avail || !o->front) {
		rc = gort__fail(GORT_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < o->nprocs; i++)
		o->avail[i] = (uint32_t)i;
	o->navail = o->nprocs;
	/* postProcessTrace: goroutine 0 runs from the start. */
	if ((rc = gort__idmap_put(&o->pp_gidx, 0, &slot)) < 0 ||
	    (rc = gort__trace_grow((void **)&o->pp_g, &o->cap_pp_g, 1, sizeof(*o->pp_g))))
		goto fail;
	*slot = 0;
	g0 = &o->pp_g[o->npp_g++];
	memset(g0, 0, sizeof(*g0));
	g0->state = 2; /* gRunning */
	*out = o;
	return 0;
fail:
	gort__old_free(o);
	return rc;
}

void gort__old_free(struct gort_old *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nprocs; i++) {
		gort__free(o->procs[i].evs);
		gort__free(o->procs[i].exit_from);
	}
	gort__free(o->procs);
	gort__free(o->batches);
	gort__free(o->rargs);
	gort__idmap_free(&o->pidx);
	gort__idmap_free(&o->timer_g);
	gort__old_merge_free(o);
	gort__free(o->look.q);
	gort__free(o->extra);
	gort__idmap_free(&o->created_pre_init);
	gort__idmap_free(&o->seen_procs);
	gort__idmap_free(&o->proc_ms);
	gort__idmap_free(&o->tasks);
	gort__idmap_free(&o->task_parents);
	gort__free(o);
}

/* --- the post-processed events, with look-ahead --- */

static struct gort_v1ev *look_at(struct gort_old *o, size_t i)
{
	return &o->look.q[(o->look.start + i) % o->look.cap];
}

/* Read one more event into the look-ahead queue: 1, 0 at the end, or an error. */
static int look_fill(struct gort_old *o)
{
	struct gort_v1queue *q = &o->look;
	struct gort_v1ev ev;
	int rc;

	if (o->src_done)
		return 0;
	rc = gort__old_next_v1(o, &ev);
	if (rc == GORT_EEND) {
		o->src_done = true;
		return 0;
	}
	if (rc)
		return rc;
	if (q->len == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 64;
		struct gort_v1ev *nq = gort__calloc(ncap, sizeof(*nq));
		if (!nq)
			return gort__fail(GORT_ENOMEM, "out of memory");
		for (size_t i = 0; i < q->len; i++)
			nq[i] = *look_at(o, i);
		gort__free(q->q);
		q->q = nq;
		q->cap = ncap;
		q->start = 0;
	}
	q->q[(q->start + q->len++) % q->cap] = ev;
	return 1;
}

/* Events.Pop: 0, GORT_EEND, or an error. */
static int pop_v1(struct gort_old *o, struct gort_v1ev *ev)
{
	int rc;

	if (o->look.len == 0 && (rc = look_fill(o)) <= 0)
		return rc ? rc : GORT_EEND;
	*ev = *look_at(o, 0);
	o->look.start = (o->look.start + 1) % o->look.cap;
	o->look.len--;
	return 0;
}

/*
 * GoSysCall: whether the goroutine's next event is a GoSysBlock. Go scans
 * the rest of the trace; this reads ahead only to that next event.
 */
static int syscall_blocked(struct gort_old *o, uint64_t g, bool *blocked)
{
	int rc;

	*blocked = false;
	for (size_t i = 0;; i++) {
		const struct gort_v1ev *n;
		if (i == o->look.len) {
			if ((rc = look_fill(o)) < 0)
				return rc;
			if (rc == 0)
				return 0;
		}
		n = look_at(o, i);
		if (n->g != g)
			continue;
		*blocked = n->type == V1_GO_SYS_BLOCK;
		return 0;
	}
}

/* --- convertEvent --- */

static int push_extra(struct gort_old *o, const struct gort_tev *e)
{
	int rc = gort__trace_grow((void **)&o->extra, &o->cap_extra, o->nextra + 1, sizeof(*o->extra));

	if (rc)
		return rc;
	o->extra[o->nextra++] = *e;
	return 0;
}

static int64_t proc_m(const struct gort_old *o, int32_t p, int64_t dflt)
{
	const uint64_t *m = gort__idmap_get(&o->proc_ms, (uint64_t)(int64_t)p);
	return m ? (int64_t)*m : dflt;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The first Gomaxprocs ends the trace's start: goroutines seen only created are runnable. */
static int end_pre_init(struct gort_old *o, const struct gort_v1ev *ev)
{
	struct gort_idmap *m = &o->created_pre_init;
	uint64_t *ids = gort__calloc(m->len + 1, sizeof(*ids));
	size_t n = 0;
	int rc = 0;

	if (!ids)
		return gort__fail(GORT_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->cap; i++)
		if (m->ents[i].used)
			ids[n++] = m->ents[i].key;
	/* Go walks a map (random order); ours is by goroutine ID. */
	gort__pdqsort(ids, n, sizeof(*ids), u64_cmp);
	for (size_t i = 0; i < n && !rc; i++) {
		struct gort_tev e = {0};
		e.typ = EV_GO_STATUS;
		e.time = ev->ts;
		e.g = e.p = e.m = -1;
		e.args[0] = ids[i];
		e.args[1] = UINT64_MAX;
		e.args[2] = GO_RUNNABLE;
		e.off = ev->off;
		rc = push_extra(o, &e);
	}
	gort__free(ids);
	gort__idmap_free(m);
	o->pre_init = false;
	return rc;
}

static int set_flag(struct gort_idmap *m, uint64_t key, bool *was)
{
	uint64_t *v;
	int rc = gort__idmap_put(m, key, &v);

	if (rc < 0)
		return rc;
	if (was)
		*was = rc == 0;
	return 0;
}

/* convertEvent: 1 with *e set, 0 to skip, or an error. */
static int convert(struct gort_old *o, const struct gort_v1ev *ev, struct gort_tev *e)
{
	const struct gort_trace_spec *spec;
	uint64_t a[4], *slot;
	uint8_t t = 0;
	bool seen, blocked;
	int rc;

	memcpy(a, ev->args, sizeof(a));
	switch (ev->type) {
	case V1_GOMAXPROCS:
		t = EV_PROCS_CHANGE;
		if (o->pre_init)
			return (rc = end_pre_init(o, ev)) ? rc : 0;
		break;
	case V1_PROC_START:
		if ((rc = gort__idmap_put(&o->proc_ms, (uint64_t)(int64_t)ev->p, &slot)) < 0)
			return rc;
		*slot = ev->args[0];
		if ((rc = set_flag(&o->seen_procs, (uint64_t)(int64_t)ev->p, &seen)))
			return rc;
		t = seen ? EV_PROC_START : EV_PROC_STATUS;
		memset(a, 0, sizeof(a));
		a[0] = (uint64_t)(int64_t)ev->p;
		if (!seen)
			a[1] = PROC_RUNNING;
		break;
	case V1_PROC_STOP:
		if ((rc = set_flag(&o->seen_procs, (uint64_t)(int64_t)ev->p, &seen)))
			return rc;
		t = seen ? EV_PROC_STOP : EV_PROC_STATUS;
		memset(a, 0, sizeof(a));
		a[0] = (uint64_t)(int64_t)ev->p;
		if (!seen)
			a[1] = PROC_IDLE;
		break;
	case V1_GC_START: t = EV_GC_BEGIN; break;
	case V1_GC_DONE: t = EV_GC_END; break;
	case V1_STW_START:
		o->last_stw = builtin(o, S_STW_UNKNOWN + stw_reason(o, ev->args[0]));
		t = EV_STW_BEGIN;
		memset(a, 0, sizeof(a));
		a[0] = o->last_stw;
		break;
	case V1_STW_DONE:
		t = EV_STW_END;
		memset(a, 0, sizeof(a));
		a[0] = o->last_stw;
		break;
	case V1_GC_SWEEP_START: t = EV_GC_SWEEP_BEGIN; break;
	case V1_GC_SWEEP_DONE: t = EV_GC_SWEEP_END; break;
	case V1_GO_CREATE:
		if (o->pre_init)
			return (rc = set_flag(&o->created_pre_init, ev->args[0], NULL)) ? rc : 0;
		t = EV_GO_CREATE;
		break;
	case V1_GO_START:
		if (o->pre_init) {
			t = EV_GO_STATUS;
			memset(a, 0, sizeof(a));
			a[0] = ev->args[0];
			a[1] = UINT64_MAX;
			a[2] = GO_RUNNING;
			gort__idmap_del(&o->created_pre_init, ev->args[0]);
		} else {
			t = EV_GO_START;
		}
		break;
	case V1_GO_START_LABEL: {
		struct gort_tev l = {0};
		memset(e, 0, sizeof(*e));
		e->typ = EV_GO_START;
		e->time = ev->ts;
		e->g = (int64_t)ev->g;
		e->p = ev->p;
		e->m = proc_m(o, ev->p, 0);
		e->off = ev->off;
		memcpy(e->args, a, sizeof(a));
		l = *e;
		l.typ = EV_GO_LABEL;
		memset(l.args, 0, sizeof(l.args));
		l.args[0] = ev->args[2];
		return (rc = push_extra(o, &l)) ? rc : 1;
	}
	case V1_GO_END: t = EV_GO_DESTROY; break;
	case V1_GO_STOP: t = EV_GO_BLOCK; a[0] = builtin(o, S_FOREVER); a[1] = ev->stk; break;
	case V1_GO_SCHED: t = EV_GO_STOP; a[0] = builtin(o, S_GOSCHED); a[1] = ev->stk; break;
	case V1_GO_PREEMPT: t = EV_GO_STOP; a[0] = builtin(o, S_PREEMPTED); a[1] = ev->stk; break;
	case V1_GO_SLEEP: t = EV_GO_BLOCK; a[0] = builtin(o, S_SLEEP); a[1] = ev->stk; break;
	case V1_GO_BLOCK: t = EV_GO_BLOCK; a[0] = builtin(o, S_EMPTY); a[1] = ev->stk; break;
	case V1_GO_UNBLOCK: t = EV_GO_UNBLOCK; break;
	case V1_GO_BLOCK_SEND: t = EV_GO_BLOCK; a[0] = builtin(o, S_CHAN_SEND); a[1] = ev->stk; break;
	case V1_GO_BLOCK_RECV: t = EV_GO_BLOCK; a[0] = builtin(o, S_CHAN_RECV); a[1] = ev->stk; break;
	case V1_GO_BLOCK_SELECT: t = EV_GO_BLOCK; a[0] = builtin(o, S_SELECT); a[1] = ev->stk; break;
	case V1_GO_BLOCK_SYNC: t = EV_GO_BLOCK; a[0] = builtin(o, S_SYNC); a[1] = ev->stk; break;
	case V1_GO_BLOCK_COND: t = EV_GO_BLOCK; a[0] = builtin(o, S_SYNC_COND); a[1] = ev->stk; break;
	case V1_GO_BLOCK_NET: t = EV_GO_BLOCK; a[0] = builtin(o, S_NETWORK); a[1] = ev->stk; break;
	case V1_GO_BLOCK_GC:
		t = EV_GO_BLOCK;
		a[0] = builtin(o, S_MARK_ASSIST_WAIT);
		a[1] = ev->stk;
		break;
	case V1_GO_SYS_CALL:
		if ((rc = syscall_blocked(o, ev->g, &blocked)))
			return rc;
		if (blocked) {
			t = EV_GO_SYSCALL_BEGIN;
			memset(a, 0, sizeof(a));
			a[1] = ev->stk;
			break;
		}
		/* An instantaneous syscall: a 1 ns begin/end pair. */
		memset(e, 0, sizeof(*e));
		e->typ = EV_GO_SYSCALL_BEGIN;
		e->time = ev->ts;
		e->g = (int64_t)ev->g;
		e->p = ev->p;
		e->m = proc_m(o, ev->p, 0);
		e->off = ev->off;
		e->args[1] = ev->stk;
		{
			struct gort_tev end = *e;
			end.typ = EV_GO_SYSCALL_END;
			end.time = (int64_t)((uint64_t)ev->ts + 1);
			memset(end.args, 0, sizeof(end.args));
			if ((rc = push_extra(o, &end)))
				return rc;
		}
		return 1;
	case V1_GO_SYS_EXIT: t = EV_GO_SYSCALL_END_BLOCKED; break;
	case V1_GO_SYS_BLOCK: return 0;
	case V1_FUTILE_WAKEUP:
		/* One removeFutile kept (its goroutine parked otherwise than
		   by a block of its list, or the trace ended first): the
		   generation format has no such event. */
		return 0;
	case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		t = EV_GO_STATUS;
		memset(a, 0, sizeof(a));
		a[0] = ev->args[0];
		a[1] = UINT64_MAX; /* v1 does not say on which thread */
		a[2] = ev->type == V1_GO_WAITING ? GO_WAITING : GO_SYSCALL;
		gort__idmap_del(&o->created_pre_init, ev->args[0]);
		break;
	case V1_HEAP_ALLOC: t = EV_HEAP_ALLOC; break;
	case V1_HEAP_GOAL: t = EV_HEAP_GOAL; break;
	case V1_GC_MARK_ASSIST_START: t = EV_GC_MARK_ASSIST_BEGIN; break;
	case V1_GC_MARK_ASSIST_DONE: t = EV_GC_MARK_ASSIST_END; break;
	case V1_USER_TASK_CREATE: {
		uint64_t *v;
		t = EV_USER_TASK_BEGIN;
		a[0] = ev->args[0];
		a[1] = ev->args[1] == 0 ? UINT64_MAX : ev->args[1];
		a[2] = ev->args[2];
		a[3] = ev->stk;
		/* The end event names the task and its (raw) parent. */
		if ((rc = gort__idmap_put(&o->tasks, ev->args[0], &v)) < 0)
			return rc;
		*v = ev->args[2];
		if ((rc = gort__idmap_put(&o->task_parents, ev->args[0], &v)) < 0)
			return rc;
		*v = ev->args[1];
		break;
	}
	case V1_USER_TASK_END: {
		uint64_t *name = gort__idmap_get(&o->tasks, ev->args[0]);
		uint64_t *parent = gort__idmap_get(&o->task_parents, ev->args[0]);
		struct gort_str s = gort__str("", 0);
		t = EV_USER_TASK_END;
		a[0] = ev->args[0];
		a[1] = ev->args[1];
		if (name) {
			gort__tgen_string(o->tab, *name, &s);
			a[2] = parent ? *parent : 0;
			gort__idmap_del(&o->tasks, ev->args[0]);
			gort__idmap_del(&o->task_parents, ev->args[0]);
		} else {
			a[2] = UINT64_MAX;
		}
		/* One extra string at a time: it is read before the next event. */
		o->tab->nextra = 0;
		if ((rc = gort__tgen_add_extra(o->tab, s, &a[3])))
			return rc;
		break;
	}
	case V1_USER_REGION:
		t = ev->args[1] == 0 ? EV_USER_REGION_BEGIN : ev->args[1] == 1 ? EV_USER_REGION_END : 0;
		a[0] = ev->args[0];
		a[1] = ev->args[2];
		a[2] = ev->stk;
		a[3] = 0;
		break;
	case V1_USER_LOG: {
		const uint8_t *p = gort__view_ptr(o->v, ev->args[2] - o->v->file_off, ev->args[3]);
		/* The value was read in place: point the inline slot at it. */
		o->tab->strs[o->inline_slot] = gort__str(p ? (const char *)p : "", p ? ev->args[3] : 0);
		t = EV_USER_LOG;
		a[0] = ev->args[0];
		a[1] = ev->args[1];
		a[2] = o->inline_id;
		a[3] = ev->stk;
		break;
	}
	case V1_CPU_SAMPLE:
		t = EV_CPU_SAMPLE;
		a[0] = ev->stk;
		a[1] = UINT64_MAX;
		a[2] = (uint64_t)(int64_t)ev->p;
		a[3] = ev->g;
		break;
	default:
		return gort__fail_at(GORT_EFORMAT, ev->off,
				     "trace: unexpected event type %s (event at offset 0x%llx)",
				     gort__v1_desc(ev->type)->name, (unsigned long long)ev->off);
	}
	spec = gort__trace_spec(t);
	if (gort__v1_desc(ev->type)->stack && spec && spec->stack_arg[0] > 0)
		a[spec->stack_arg[0] - 1] = ev->stk;
	memset(e, 0, sizeof(*e));
	e->typ = t;
	e->time = ev->ts;
	memcpy(e->args, a, sizeof(a));
	e->m = -1;
	if (ev->p != -1 && ev->type != V1_CPU_SAMPLE)
		e->m = proc_m(o, ev->p, -1);
	if (ev->type == V1_PROC_STOP)
		gort__idmap_del(&o->proc_ms, (uint64_t)(int64_t)ev->p);
	e->g = ev->g == 0 ? -1 : (int64_t)ev->g;
	e->p = ev->p;
	e->off = ev->off;
	return 1;
}

/* --- Reader.ReadEvent for v1 traces --- */

static void sync_ev(struct gort_old *o, struct gort_tev *e, int64_t ts, bool table)
{
	memset(e, 0, sizeof(*e));
	e->typ = EV_SYNC_EVENT;
	e->no_table = !table;
	e->time = ts;
	e->g = e->p = e->m = -1;
	e->args[0] = ++o->syncs;
}

/* Two events never share a time: later ones move up by 1 ns. */
static void bump(struct gort_old *o, struct gort_tev *e)
{
	if (e->time <= o->last_ts)
		e->time = (int64_t)((uint64_t)o->last_ts + 1);
	o->last_ts = e->time;
}

int gort__old_next(struct gort_old *o, struct gort_tev *e)
{
	struct gort_v1ev ev;
	int rc;

	if (o->done)
		return GORT_EEND;
	if (o->syncs == 0) {
		if (o->look.len == 0 && (rc = look_fill(o)) < 0)
			return rc;
		if (o->look.len > 0) {
			sync_ev(o, e, (int64_t)((uint64_t)look_at(o, 0)->ts - 1), true);
			return 0;
		}
	}
	for (;;) {
		if (o->extra_pos < o->nextra) {
			*e = o->extra[o->extra_pos++];
			if (o->extra_pos == o->nextra)
				o->extra_pos = o->nextra = 0;
			bump(o, e);
			return 0;
		}
		rc = pop_v1(o, &ev);
		if (rc == GORT_EEND) {
			o->done = true;
			sync_ev(o, e, (int64_t)((uint64_t)o->last_ts + 1), false);
			return 0;
		}
		if (rc)
			return rc;
		if ((rc = convert(o, &ev, e)) < 0)
			return rc;
		if (rc == 1) {
			bump(o, e);
			return 0;
		}
	}
}
