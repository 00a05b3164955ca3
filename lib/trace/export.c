/*
 * Exports of a trace, streamed through a write callback (a 64 KiB buffer,
 * state per goroutine and per P, nothing per event):
 *
 * - Trace Event Format JSON (Chrome's "JSON Array/Object format", which
 *   ui.perfetto.dev and chrome://tracing open). Layout, like the goroutine
 *   and P views of `go tool trace` (cmd/trace/goroutinegen.go, procgen.go):
 *     pid 1 "Goroutines", one thread per goroutine: a complete ("X") slice
 *       per state (Running, Runnable, Waiting: reason, Syscall), logs as
 *       instant events, goroutine-scoped ranges (GC mark assist, STW) and
 *       user regions as async slices;
 *     pid 2 "Procs", one thread per P: a slice per goroutine run, P-scoped
 *       ranges (GC incremental sweep) as async slices;
 *     pid 3 "GC": GC mark phases and stop-the-world pauses as slices, the
 *       runtime metrics (heap, GOMAXPROCS) as counters.
 *   Slices on one thread never overlap (a goroutine has one state, a P
 *   runs one goroutine); what is open at the end closes at the last event.
 *   Times are microseconds from the first event.
 * - CSV, one row per event.
 * - CSV of the goroutine summary (gort_trace_summary_write_csv).
 */
#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct out {
	gort_trace_write_fn fn;
	void *arg;
	int err;
	bool csvq; /* inside a quoted CSV field: double every '"' */
	size_t n;
	char buf[1 << 16];
};

static void flush(struct out *o)
{
	if (o->n && !o->err)
		o->err = o->fn(o->buf, o->n, o->arg);
	o->n = 0;
}

static void put_raw(struct out *o, const char *p, size_t n)
{
	while (n && !o->err) {
		size_t k = sizeof(o->buf) - o->n < n ? sizeof(o->buf) - o->n : n;
		memcpy(o->buf + o->n, p, k);
		o->n += k, p += k, n -= k;
		if (o->n == sizeof(o->buf))
			flush(o);
	}
}

static void put(struct out *o, const char *p, size_t n)
{
	const char *q;

	while (o->csvq && (q = memchr(p, '"', n))) {
		put_raw(o, p, (size_t)(q - p) + 1);
		put_raw(o, "\"", 1);
		n -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	put_raw(o, p, n);
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void GORT_PRINTF(2, 3) outf(struct out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, c = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates, past U+10FFFF. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return len;
}

/* Inside a JSON string: escapes, and U+FFFD for bytes that are not UTF-8. */
static void json_body(struct out *o, struct gort_str s)
{
	const unsigned char *p = (const unsigned char *)s.ptr;
	size_t i = 0, run = 0;

	while (i < s.len) {
		size_t k = utf8_len(p + i, s.len - i);
		if (k == 1 && (p[i] < 0x20 || p[i] == '"' || p[i] == '\\')) {
			put(o, (const char *)p + run, i - run);
			if (p[i] == '"' || p[i] == '\\')
				outf(o, "\\%c", p[i]);
			else
				outf(o, "\\u%04x", p[i]);
			run = ++i;
		} else if (k == 0) {
			put(o, (const char *)p + run, i - run);
			puts_(o, "\\ufffd");
			run = ++i;
		} else {
			i += k;
		}
	}
	put(o, (const char *)p + run, i - run);
}

static void json_str(struct out *o, struct gort_str s)
{
	put(o, "\"", 1);
	json_body(o, s);
	put(o, "\"", 1);
}

/* A CSV field (RFC 4180): quoted only when it must be. */
static void csv_str(struct out *o, struct gort_str s)
{
	bool q = false;

	for (size_t i = 0; i < s.len && !q; i++)
		q = s.ptr[i] == ',' || s.ptr[i] == '"' || s.ptr[i] == '\n' || s.ptr[i] == '\r';
	if (!q) {
		put(o, s.ptr, s.len);
		return;
	}
	put(o, "\"", 1);
	for (size_t i = 0, run = 0; i <= s.len; i++)
		if (i == s.len || s.ptr[i] == '"') {
			put(o, s.ptr + run, i - run + (i < s.len));
			if (i < s.len)
				put(o, "\"", 1);
			run = i + 1;
		}
	put(o, "\"", 1);
}

/* ns as microseconds with 3 decimals (exact). */
static void us(struct out *o, int64_t ns)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	outf(o, "%s%llu.%03llu", ns < 0 ? "-" : "", (unsigned long long)(a / 1000),
	     (unsigned long long)(a % 1000));
}

/* ---- Perfetto / Chrome JSON ---- */

enum { PID_G = 1, PID_P = 2, PID_GC = 3 };
enum { TID_GC = 1, TID_STW = 2 };

struct xg {
	int state; /* enum gort_trace_go_state */
	int64_t since;
	uint32_t reason;
	bool named;
	int64_t run_proc; /* P of the current run, or GORT_TRACE_NONE */
	uint32_t regions; /* open user regions */
	struct gort_skvs ranges; /* open goroutine-scoped ranges: name -> 1 */
};

struct xp {
	struct gort_skvs ranges;
};

struct px {
	struct out *o;
	struct gort_istrs strs;
	struct gort_idmap gidx, pidx;
	struct xg *gs;
	size_t ngs, cap_gs;
	struct xp *ps;
	size_t nps, cap_ps;
	int64_t t0, last;
	bool started;
	struct gort_sopen gc, stw;
	uint32_t gc_name;
};

static void ev_head(struct px *x, const char *ph, int pid, int64_t tid, int64_t ts)
{
	outf(x->o, ",\n{\"ph\":\"%s\",\"pid\":%d,\"tid\":%lld,\"ts\":", ph, pid, (long long)tid);
	us(x->o, ts - x->t0);
}

static void meta(struct px *x, const char *what, int pid, int64_t tid, struct gort_str name)
{
	outf(x->o, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%lld,\"name\":\"%s\",\"args\":{\"name\":", pid,
	     (long long)tid, what);
	json_str(x->o, name);
	puts_(x->o, "}}");
}


/* A complete slice [start, end) named "name" or "name: detail". */
static void slice(struct px *x, int pid, int64_t tid, int64_t start, int64_t end, const char *name,
		  struct gort_str detail)
{
	ev_head(x, "X", pid, tid, start);
	puts_(x->o, ",\"dur\":");
	us(x->o, end - start);
	puts_(x->o, ",\"name\":\"");
	puts_(x->o, name);
	if (detail.len) {
		puts_(x->o, ": ");
		json_body(x->o, detail);
	}
	puts_(x->o, "\"}");
}

/* Begin ("b") or end ("e") of an async slice: cat and name are the range's name. */
static void async(struct px *x, const char *ph, int pid, int64_t tid, int64_t ts, const char *cat,
		  struct gort_str name, const char *idfmt, int64_t a, uint64_t b)
{
	char id[64];

	snprintf(id, sizeof(id), idfmt, (long long)a, (unsigned long long)b);
	ev_head(x, ph, pid, tid, ts);
	outf(x->o, ",\"cat\":\"%s\",\"id\":\"%s\",\"name\":", cat, id);
	json_str(x->o, name);
	puts_(x->o, "}");
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *na = gort__realloc(*arr, ncap * size);
	if (!na)
		return gort__fail(GORT_ENOMEM, "out of memory");
	*arr = na;
	*cap = ncap;
	return 0;
}

static int get_g(struct px *x, int64_t id, struct xg **out)
{
	uint64_t *i;
	int rc = gort__idmap_put(&x->gidx, (uint64_t)id, &i);
	char name[32];

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if ((rc = grow((void **)&x->gs, &x->cap_gs, x->ngs, sizeof(*x->gs)))) {
			gort__idmap_del(&x->gidx, (uint64_t)id);
			return rc;
		}
		*i = x->ngs;
		memset(&x->gs[x->ngs], 0, sizeof(*x->gs));
		x->gs[x->ngs].run_proc = GORT_TRACE_NONE;
		x->ngs++;
		snprintf(name, sizeof(name), "G%lld", (long long)id);
		meta(x, "thread_name", PID_G, id, gort__str(name, strlen(name)));
	}
	*out = &x->gs[*i];
	return 0;
}

static int get_p(struct px *x, int64_t id, struct xp **out)
{
	uint64_t *i;
	int rc = gort__idmap_put(&x->pidx, (uint64_t)id, &i);
	char name[32];

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if ((rc = grow((void **)&x->ps, &x->cap_ps, x->nps, sizeof(*x->ps)))) {
			gort__idmap_del(&x->pidx, (uint64_t)id);
			return rc;
		}
		*i = x->nps;
		memset(&x->ps[x->nps++], 0, sizeof(*x->ps));
		snprintf(name, sizeof(name), "P%lld", (long long)id);
		meta(x, "thread_name", PID_P, id, gort__str(name, strlen(name)));
	}
	*out = &x->ps[*i];
	return 0;
}

static const char *const state_names[] = {"Undetermined", "NotExist", "Runnable",
					  "Running",      "Waiting",  "Syscall"};

/* End the goroutine's current state slice (and its run on a P) at t. */
static void end_state(struct px *x, int64_t id, struct xg *g, int64_t t)
{
	char name[32];

	if (g->state >= GORT_TRACE_GO_RUNNABLE && g->state <= GORT_TRACE_GO_SYSCALL)
		slice(x, PID_G, id, g->since, t, state_names[g->state],
		      g->state == GORT_TRACE_GO_WAITING ? gort__istr_get(&x->strs, g->reason)
							: gort__str("", 0));
	if (g->state == GORT_TRACE_GO_RUNNING && g->run_proc != GORT_TRACE_NONE) {
		snprintf(name, sizeof(name), "G%lld", (long long)id);
		slice(x, PID_P, g->run_proc, g->since, t, name, gort__str("", 0));
	}
	g->run_proc = GORT_TRACE_NONE;
}

static int go_transition(struct px *x, const struct gort_trace_event *ev)
{
	const struct gort_trace_transition *st = &ev->u.transition;
	const struct gort_trace_frame *f;
	struct xp *p;
	struct xg *g;
	size_t n;
	int rc;

	if ((rc = get_g(x, st->resource, &g)))
		return rc;
	if (!g->named && st->has_stack && !gort_trace_event_stack(ev, st->stack_id, &f, &n) && n) {
		char name[32];
		snprintf(name, sizeof(name), "G%lld ", (long long)st->resource);
		g->named = true;
		outf(x->o, ",\n{\"ph\":\"M\",\"pid\":%d,\"tid\":%lld,\"name\":\"thread_name\",\"args\":{\"name\":\"%s",
		     PID_G, (long long)st->resource, name);
		json_body(x->o, f[n - 1].func);
		puts_(x->o, "\"}}");
	}
	if (st->from == st->to)
		return 0;
	end_state(x, st->resource, g, ev->time);
	g->state = st->to;
	g->since = ev->time;
	if (st->to == GORT_TRACE_GO_WAITING &&
	    (rc = gort__istr_intern(&x->strs, st->reason, &g->reason)))
		return rc;
	if (st->to == GORT_TRACE_GO_RUNNING && ev->proc != GORT_TRACE_NONE) {
		if ((rc = get_p(x, ev->proc, &p)))
			return rc;
		g->run_proc = ev->proc;
	}
	return 0;
}

/* GC mark phases and STW pauses: slices on the GC process. */
static void gc_range(struct px *x, const struct gort_trace_event *ev, uint32_t name)
{
	const struct gort_trace_range *r = &ev->u.range;
	struct gort_sopen *o;
	int tid;

	if (name == x->gc_name && r->scope_kind == GORT_TRACE_RESOURCE_NONE)
		o = &x->gc, tid = TID_GC;
	else if (r->name.len >= 17 && !memcmp(r->name.ptr, "stop-the-world (", 16))
		o = &x->stw, tid = TID_STW;
	else
		return;
	if (ev->kind != GORT_TRACE_EVENT_RANGE_END) {
		if (!o->inside) {
			o->inside = true;
			o->start = ev->time;
			o->reason = name;
		}
		return;
	}
	if (o->inside) {
		struct gort_str full = gort__istr_get(&x->strs, o->reason);
		slice(x, PID_GC, tid, o->start, ev->time, tid == TID_GC ? "GC" : "STW",
		      tid == TID_GC ? gort__str("", 0) : gort__str(full.ptr + 16, full.len - 17));
	}
	o->inside = false;
}

/* Other ranges: async slices on the goroutine or P they are scoped to. */
static int range_event(struct px *x, const struct gort_trace_event *ev)
{
	const struct gort_trace_range *r = &ev->u.range;
	struct gort_skvs *open;
	bool is_g = r->scope_kind == GORT_TRACE_RESOURCE_GOROUTINE;
	uint32_t name;
	int64_t *v;
	int rc;

	if ((rc = gort__istr_intern(&x->strs, r->name, &name)))
		return rc;
	gc_range(x, ev, name);
	if (is_g) {
		struct xg *g;
		if ((rc = get_g(x, r->scope, &g)))
			return rc;
		open = &g->ranges;
	} else if (r->scope_kind == GORT_TRACE_RESOURCE_PROC) {
		struct xp *p;
		if ((rc = get_p(x, r->scope, &p)))
			return rc;
		open = &p->ranges;
	} else {
		return 0;
	}
	if (ev->kind != GORT_TRACE_EVENT_RANGE_END) {
		if ((rc = gort__skvs_put(open, name, &v)))
			return rc;
		if (*v)
			return 0; /* already open */
		*v = 1;
	} else if ((v = gort__skvs_get(open, name)) && *v) {
		gort__skvs_del(open, name);
	} else {
		return 0; /* an end without a begin */
	}
	async(x, ev->kind == GORT_TRACE_EVENT_RANGE_END ? "e" : "b", is_g ? PID_G : PID_P, r->scope,
	      ev->time, "range", r->name, is_g ? "g%lld/%llu" : "p%lld/%llu", r->scope, name);
	return 0;
}

static int region_event(struct px *x, const struct gort_trace_event *ev)
{
	struct xg *g;
	int rc;

	if (ev->goroutine == GORT_TRACE_NONE)
		return 0;
	if ((rc = get_g(x, ev->goroutine, &g)))
		return rc;
	if (ev->kind == GORT_TRACE_EVENT_REGION_BEGIN) {
		async(x, "b", PID_G, ev->goroutine, ev->time, "region", ev->u.region.type,
		      "g%lld/r%llu", ev->goroutine, g->regions++);
	} else if (g->regions) {
		async(x, "e", PID_G, ev->goroutine, ev->time, "region", ev->u.region.type,
		      "g%lld/r%llu", ev->goroutine, --g->regions);
	}
	return 0;
}

static void log_event(struct px *x, const struct gort_trace_event *ev)
{
	const struct gort_trace_log *l = &ev->u.log;

	if (ev->goroutine != GORT_TRACE_NONE)
		ev_head(x, "i", PID_G, ev->goroutine, ev->time);
	else
		ev_head(x, "i", PID_GC, 0, ev->time);
	puts_(x->o, ",\"s\":\"t\",\"name\":");
	json_str(x->o, l->category.len ? l->category : gort__str("log", 3));
	puts_(x->o, ",\"args\":{\"message\":");
	json_str(x->o, l->message);
	if (l->task != GORT_TRACE_NO_TASK)
		outf(x->o, ",\"task\":%llu", (unsigned long long)l->task);
	puts_(x->o, "}}");
}

static void metric_event(struct px *x, const struct gort_trace_event *ev)
{
	ev_head(x, "C", PID_GC, 0, ev->time);
	puts_(x->o, ",\"name\":");
	json_str(x->o, ev->u.metric.name);
	outf(x->o, ",\"args\":{\"value\":%llu}}", (unsigned long long)ev->u.metric.value);
}

static int perfetto_event(struct px *x, const struct gort_trace_event *ev)
{
	if (!x->started) {
		x->started = true;
		x->t0 = ev->time;
	}
	x->last = ev->time;
	switch (ev->kind) {
	case GORT_TRACE_EVENT_STATE_TRANSITION:
		if (ev->u.transition.resource_kind == GORT_TRACE_RESOURCE_GOROUTINE)
			return go_transition(x, ev);
		return 0;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		return range_event(x, ev);
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		return region_event(x, ev);
	case GORT_TRACE_EVENT_LOG:
		log_event(x, ev);
		return 0;
	case GORT_TRACE_EVENT_METRIC:
		metric_event(x, ev);
		return 0;
	}
	return 0;
}

static void perfetto_begin(struct px *x)
{
	puts_(x->o, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"libgoinspect\"},"
		    "\"traceEvents\":[\n{\"ph\":\"M\",\"pid\":1,\"name\":\"process_name\","
		    "\"args\":{\"name\":\"Goroutines\"}}");
	meta(x, "process_name", PID_P, 0, gort__str("Procs", 5));
	meta(x, "process_name", PID_GC, 0, gort__str("GC", 2));
	meta(x, "thread_name", PID_GC, TID_GC, gort__str("GC mark phases", 14));
	meta(x, "thread_name", PID_GC, TID_STW, gort__str("stop-the-world", 14));
}

/* Close what is still open at the last event. */
static void perfetto_end(struct px *x)
{
	struct gort_trace_event end = {.kind = GORT_TRACE_EVENT_RANGE_END, .time = x->last};

	for (size_t i = 0; i < x->gidx.cap; i++) {
		const struct gort_idmap_ent *e = &x->gidx.ents[i];
		struct xg *g;
		if (!e->used)
			continue;
		g = &x->gs[e->val];
		end_state(x, (int64_t)e->key, g, x->last);
		while (g->regions) {
			g->regions--;
			async(x, "e", PID_G, (int64_t)e->key, x->last, "region", gort__str("", 0),
			      "g%lld/r%llu", (int64_t)e->key, g->regions);
		}
		for (uint32_t k = 0; k < g->ranges.n; k++)
			async(x, "e", PID_G, (int64_t)e->key, x->last, "range",
			      gort__istr_get(&x->strs, g->ranges.e[k].name), "g%lld/%llu",
			      (int64_t)e->key, g->ranges.e[k].name);
	}
	for (size_t i = 0; i < x->pidx.cap; i++) {
		const struct gort_idmap_ent *e = &x->pidx.ents[i];
		if (!e->used)
			continue;
		for (uint32_t k = 0; k < x->ps[e->val].ranges.n; k++)
			async(x, "e", PID_P, (int64_t)e->key, x->last, "range",
			      gort__istr_get(&x->strs, x->ps[e->val].ranges.e[k].name), "p%lld/%llu",
			      (int64_t)e->key, x->ps[e->val].ranges.e[k].name);
	}
	end.u.range.name = gort__str("GC concurrent mark phase", 24);
	gc_range(x, &end, x->gc_name);
	end.u.range.name = gort__str("stop-the-world ()", 17);
	gc_range(x, &end, 0);
	puts_(x->o, "\n]}\n");
}

static void px_free(struct px *x)
{
	for (size_t i = 0; i < x->ngs; i++)
		gort__free(x->gs[i].ranges.e);
	for (size_t i = 0; i < x->nps; i++)
		gort__free(x->ps[i].ranges.e);
	gort__free(x->gs);
	gort__free(x->ps);
	gort__idmap_free(&x->gidx);
	gort__idmap_free(&x->pidx);
	gort__istr_free(&x->strs);
}

/* ---- CSV of events ---- */

static const char csv_header[] =
	"time_ns,kind,goroutine,proc,thread,resource_kind,resource,from,to,name,task,value,message\n";

static void csv_int(struct out *o, int64_t v)
{
	if (v != GORT_TRACE_NONE)
		outf(o, "%lld", (long long)v);
}

static void csv_event(struct out *o, const struct gort_trace_event *ev)
{
	const char *rk = "", *from = "", *to = "";
	struct gort_str name = {"", 0}, msg = {"", 0};
	int64_t res = GORT_TRACE_NONE;
	uint64_t task = GORT_TRACE_NO_TASK;
	char value[24] = "";

	switch (ev->kind) {
	case GORT_TRACE_EVENT_SYNC:
		snprintf(value, sizeof(value), "%llu", (unsigned long long)ev->u.sync.n);
		break;
	case GORT_TRACE_EVENT_METRIC:
		name = ev->u.metric.name;
		snprintf(value, sizeof(value), "%llu", (unsigned long long)ev->u.metric.value);
		break;
	case GORT_TRACE_EVENT_LABEL:
		name = ev->u.label.label;
		rk = gort_trace_resource_kind_name(ev->u.label.resource_kind);
		res = ev->u.label.resource;
		break;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		name = ev->u.range.name;
		rk = gort_trace_resource_kind_name(ev->u.range.scope_kind);
		if (ev->u.range.scope_kind != GORT_TRACE_RESOURCE_NONE)
			res = ev->u.range.scope;
		if (ev->u.range.nattrs)
			snprintf(value, sizeof(value), "%llu",
				 (unsigned long long)ev->u.range.attrs[0].value);
		break;
	case GORT_TRACE_EVENT_TASK_BEGIN:
	case GORT_TRACE_EVENT_TASK_END:
		name = ev->u.task.type;
		task = ev->u.task.id;
		if (ev->u.task.parent != GORT_TRACE_NO_TASK)
			snprintf(value, sizeof(value), "%llu", (unsigned long long)ev->u.task.parent);
		break;
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		name = ev->u.region.type;
		task = ev->u.region.task;
		break;
	case GORT_TRACE_EVENT_LOG:
		name = ev->u.log.category;
		msg = ev->u.log.message;
		task = ev->u.log.task;
		break;
	case GORT_TRACE_EVENT_STATE_TRANSITION: {
		const struct gort_trace_transition *st = &ev->u.transition;
		bool g = st->resource_kind == GORT_TRACE_RESOURCE_GOROUTINE;
		rk = gort_trace_resource_kind_name(st->resource_kind);
		res = st->resource;
		from = g ? gort_trace_go_state_name(st->from) : gort_trace_proc_state_name(st->from);
		to = g ? gort_trace_go_state_name(st->to) : gort_trace_proc_state_name(st->to);
		name = st->reason;
		break;
	}
	case GORT_TRACE_EVENT_EXPERIMENTAL:
		name = ev->u.experimental.name;
		break;
	}
	outf(o, "%lld,%s,", (long long)ev->time, gort_trace_event_kind_name(ev->kind));
	csv_int(o, ev->goroutine);
	put(o, ",", 1);
	csv_int(o, ev->proc);
	put(o, ",", 1);
	csv_int(o, ev->thread);
	outf(o, ",%s,", rk);
	csv_int(o, res);
	outf(o, ",%s,%s,", from, to);
	csv_str(o, name);
	put(o, ",", 1);
	if (task != GORT_TRACE_NO_TASK)
		outf(o, "%llu", (unsigned long long)task);
	outf(o, ",%s,", value);
	csv_str(o, msg);
	put(o, "\n", 1);
}

/* ---- entry points ---- */

struct gort_trace_exporter {
	int format;
	int err;       /* sticky */
	bool finished;
	struct out *o; /* perfetto, csv */
	struct px x;
	gort_trace_summary *s; /* goroutines-csv */
	gort_trace_write_fn write;
	void *arg;
};

void gort_trace_exporter_free(gort_trace_exporter *x)
{
	if (!x)
		return;
	px_free(&x->x);
	gort__free(x->o);
	gort_trace_summary_free(x->s);
	gort__free(x);
}

int gort_trace_exporter_new(gort_trace_exporter **out, int format, gort_trace_write_fn write,
			    void *arg)
{
	gort_trace_exporter *x;
	int rc;

	if (!out || !write)
		return gort__fail(GORT_EINVAL, "NULL argument");
	*out = NULL;
	if (format != GORT_TRACE_EXPORT_PERFETTO && format != GORT_TRACE_EXPORT_CSV &&
	    format != GORT_TRACE_EXPORT_GOROUTINES_CSV)
		return gort__fail(GORT_EINVAL, "trace export: unknown format %d", format);
	if (!(x = gort__calloc(1, sizeof(*x))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	x->format = format;
	x->write = write;
	x->arg = arg;
	if (format == GORT_TRACE_EXPORT_GOROUTINES_CSV) {
		if ((rc = gort_trace_summary_new(&x->s, NULL)))
			goto fail;
		*out = x;
		return 0;
	}
	if (!(x->o = gort__calloc(1, sizeof(*x->o)))) {
		rc = gort__fail(GORT_ENOMEM, "out of memory");
		goto fail;
	}
	x->o->fn = write;
	x->o->arg = arg;
	x->x.o = x->o;
	if ((rc = gort__istr_init(&x->x.strs)) ||
	    (rc = gort__istr_intern(&x->x.strs, gort__str("GC concurrent mark phase", 24),
				    &x->x.gc_name)))
		goto fail;
	if (format == GORT_TRACE_EXPORT_PERFETTO)
		perfetto_begin(&x->x);
	else
		puts_(x->o, csv_header);
	*out = x;
	return 0;
fail:
	gort_trace_exporter_free(x);
	return rc;
}

int gort_trace_exporter_add(gort_trace_exporter *x, const struct gort_trace_event *ev)
{
	if (!x || !ev)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (x->err)
		return x->err;
	if (x->finished)
		return gort__fail(GORT_EINVAL, "trace export: event after finish");
	if (x->s)
		x->err = gort_trace_summary_add(x->s, ev);
	else if (x->format == GORT_TRACE_EXPORT_CSV)
		csv_event(x->o, ev);
	else
		x->err = perfetto_event(&x->x, ev);
	if (!x->err && x->o && x->o->err)
		x->err = x->o->err;
	return x->err;
}

int gort_trace_exporter_flush(gort_trace_exporter *x)
{
	if (!x)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (x->o) {
		flush(x->o);
		if (!x->err)
			x->err = x->o->err;
	}
	return x->err;
}

int gort_trace_exporter_finish(gort_trace_exporter *x)
{
	if (!x)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (x->err || x->finished)
		return x->err;
	x->finished = true;
	if (x->s) {
		if ((x->err = gort_trace_summary_finish(x->s)) == 0)
			x->err = gort_trace_summary_write_csv(x->s, x->write, x->arg);
		return x->err;
	}
	if (x->format == GORT_TRACE_EXPORT_PERFETTO)
		perfetto_end(&x->x);
	return gort_trace_exporter_flush(x);
}

int gort_trace_export(gort_trace *t, int format, gort_trace_write_fn write, void *arg)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_exporter *x = NULL;
	int rc;

	if (!t)
		return gort__fail(GORT_EINVAL, "NULL argument");
	/* The exporter checks the format and write first, before any reading. */
	if ((rc = gort_trace_exporter_new(&x, format, write, arg)) ||
	    (rc = gort_trace_event_iter_new(&it, t)))
		goto out;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0)
		if ((rc = gort_trace_exporter_add(x, ev)))
			goto out;
	if (rc == GORT_EEND)
		rc = gort_trace_exporter_finish(x);
	else if (x->format != GORT_TRACE_EXPORT_GOROUTINES_CSV)
		gort_trace_exporter_flush(x); /* the events before the read error */
out:
	gort_trace_exporter_free(x);
	gort_trace_event_iter_free(it);
	return rc;
}

static int write_stdio(const void *buf, size_t n, void *arg)
{
	return fwrite(buf, 1, n, arg) == n ? 0 : gort__fail_errno(errno, "trace export: write");
}

int gort_trace_export_file(gort_trace *t, int format, const char *path)
{
	FILE *f;
	int rc;

	if (!t || !path)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (!(f = fopen(path, "w")))
		return gort__fail_errno(errno, "%s", path);
	rc = gort_trace_export(t, format, write_stdio, f);
	if (fclose(f) && !rc)
		rc = gort__fail_errno(errno, "%s", path);
	return rc;
}

int gort_trace_summary_write_csv(const gort_trace_summary *s, gort_trace_write_fn write, void *arg)
{
	struct out *o;
	int rc;

	if (!s || !write || !s->finished)
		return gort__fail(GORT_EINVAL, "trace summary: NULL or not finished");
	if (!(o = gort__calloc(1, sizeof(*o))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	o->fn = write;
	o->arg = arg;
	puts_(o, "id,name,pc,creation_ns,start_ns,end_ns,total_ns,exec_ns,sched_wait_ns,"
		 "block_ns,syscall_ns,syscall_block_ns,unknown_ns,block_by_reason,range_time\n");
	for (size_t i = 0; i < s->ngs && !o->err; i++) {
		const struct gort_trace_goroutine_summary *g = &s->out[i];
		outf(o, "%lld,", (long long)g->id);
		csv_str(o, g->name);
		outf(o, ",0x%llx,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,",
		     (unsigned long long)g->pc, (long long)g->creation_time, (long long)g->start_time,
		     (long long)g->end_time, (long long)g->total_time, (long long)g->exec_time,
		     (long long)g->sched_wait_time, (long long)g->block_time,
		     (long long)g->syscall_time, (long long)g->syscall_block_time,
		     (long long)g->unknown_time);
		/* Named times: a JSON object per column, {"chan receive":123,...} */
		for (int k = 0; k < 2; k++) {
			size_t n = k ? g->nrange : g->nblock;
			const struct gort_trace_stat *st = k ? g->range : g->block;
			put(o, "\"", 1);
			o->csvq = true;
			put(o, "{", 1);
			for (size_t j = 0; j < n; j++) {
				if (j)
					put(o, ",", 1);
				json_str(o, st[j].name);
				outf(o, ":%lld", (long long)st[j].ns);
			}
			put(o, "}", 1);
			o->csvq = false;
			put(o, k ? "\"\n" : "\",", 2);
		}
	}
	flush(o);
	rc = o->err;
	gort__free(o);
	return rc;
}
