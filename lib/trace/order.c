/*
 * Port of internal/trace/order.go (Go 1.27): ordering.Advance and its
 * per-event handlers, the goroutine/proc/thread state, GC state, tasks,
 * regions and ranges. Handlers keep Go's names and structure so that the
 * two can be read side by side; error texts are Go's.
 */
#include "order.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NONE (-1)
#define NO_TASK UINT64_MAX

enum { GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING };
enum { MUST_NOT, MAY, MUST };

/* event.go: tracev2GoStatus2GoState, tracev2ProcStatus2ProcState. */
static const uint8_t go_status_state[5] = {0, GORT_TRACE_GO_RUNNABLE, GORT_TRACE_GO_RUNNING,
					   GORT_TRACE_GO_SYSCALL, GORT_TRACE_GO_WAITING};
static const uint8_t proc_status_state[5] = {0, GORT_TRACE_PROC_RUNNING, GORT_TRACE_PROC_IDLE,
					     GORT_TRACE_PROC_RUNNING, GORT_TRACE_PROC_IDLE};

struct seq {
	uint64_t gen, seq;
};

static bool succeeds(struct seq a, struct seq b)
{
	return a.gen == b.gen && a.seq == b.seq + 1;
}

struct range {
	uint8_t typ;
	uint64_t desc;
};

struct ranges {
	struct range *v;
	size_t n, cap;
};

struct region {
	uint64_t task;
	struct gort_str name;
};

struct gstate {
	int64_t id;
	uint8_t status;
	struct seq seq;
	struct region *regions;
	size_t nregions, cap_regions;
	struct ranges r;
};

struct pstate {
	int64_t id;
	uint8_t status;
	struct seq seq;
	struct ranges r;
};

struct mstate {
	int64_t g, p;
};

struct task {
	struct gort_str name;
	uint64_t parent;
};

struct ctx {
	int64_t g, p, m;
};

static const char *go_status_name(unsigned s)
{
	static const char *const n[] = {"Bad", "Runnable", "Running", "Syscall", "Waiting"};
	return s < 5 ? n[s] : "Bad";
}

static const char *proc_status_name(unsigned s)
{
	static const char *const n[] = {"Bad", "Running", "Idle", "Syscall", "SyscallAbandoned"};
	return s < 5 ? n[s] : "Bad";
}

static const char *ev_name(unsigned typ)
{
	const struct gort_trace_spec *s = gort__trace_spec(typ);
	return s && s->name ? s->name : "Invalid";
}

/* An ordering error: Go's message, plus where the event is. */
GORT_PRINTF(2, 3) static int bad(const struct gort_tev *ev, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gort__fail_at(GORT_EFORMAT, ev->off, "trace: %s event at offset 0x%llx: %s",
			     ev_name(ev->typ), (unsigned long long)ev->off, msg);
}

static int validate_ctx(const struct gort_tev *ev, struct ctx c, int m, int p, int g)
{
	if (m == MUST && c.m == NONE)
		return bad(ev, "expected a thread but didn't have one");
	if (m == MUST_NOT && c.m != NONE)
		return bad(ev, "expected no thread but had one");
	if (p == MUST && c.p == NONE)
		return bad(ev, "expected a proc but didn't have one");
	if (p == MUST_NOT && c.p != NONE)
		return bad(ev, "expected no proc but had one");
	if (g == MUST && c.g == NONE)
		return bad(ev, "expected a goroutine but didn't have one");
	if (g == MUST_NOT && c.g != NONE)
		return bad(ev, "expected no goroutine but had one");
	return 0;
}

#define VALIDATE(M, P, G)                                          \
	do {                                                       \
		int vrc_ = validate_ctx(ev, cur, M, P, G);         \
		if (vrc_)                                          \
			return vrc_;                               \
	} while (0)


/* --- state lookups --- */

static void *lookup(const struct gort_idmap *m, int64_t id)
{
	uint64_t *v = gort__idmap_get(m, (uint64_t)id);
	return v ? (void *)(uintptr_t)*v : NULL;
}

static int store(struct gort_idmap *m, int64_t id, void *p)
{
	uint64_t *v;
	int rc = gort__idmap_put(m, (uint64_t)id, &v);

	if (rc < 0)
		return rc;
	*v = (uint64_t)(uintptr_t)p;
	return 0;
}

static void free_gstate(struct gstate *s)
{
	if (!s)
		return;
	gort__free(s->regions);
	gort__free(s->r.v);
	gort__free(s);
}

static void free_pstate(struct pstate *s)
{
	if (!s)
		return;
	gort__free(s->r.v);
	gort__free(s);
}

static int new_gstate(struct gort_order *o, int64_t id, uint8_t status, uint64_t gen,
		      struct gstate **out)
{
	struct gstate *s = gort__calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return gort__fail(GORT_ENOMEM, "trace: out of memory");
	s->id = id;
	s->status = status;
	s->seq = (struct seq){gen, 0};
	if ((rc = store(&o->gs, id, s))) {
		gort__free(s);
		return rc;
	}
	if (out)
		*out = s;
	return 0;
}

static void delete_gstate(struct gort_order *o, int64_t id)
{
	struct gstate *s = lookup(&o->gs, id);
	gort__idmap_del(&o->gs, (uint64_t)id);
	free_gstate(s);
}

static int push(struct gort_order *o, const struct gort_tev *ev, struct ctx c)
{
	struct gort_tev *slot;

	if (o->qlen == o->qcap) {
		size_t ncap = o->qcap ? o->qcap * 2 : 16;
		struct gort_tev *nq = gort__malloc(ncap * sizeof(*nq));
		if (!nq)
			return gort__fail(GORT_ENOMEM, "trace: out of memory");
		for (size_t i = 0; i < o->qlen; i++)
			nq[i] = o->q[(o->qstart + i) % o->qcap];
		gort__free(o->q);
		o->q = nq;
		o->qcap = ncap;
		o->qstart = 0;
	}
	slot = &o->q[(o->qstart + o->qlen) % o->qcap];
	*slot = *ev;
	slot->g = c.g;
	slot->p = c.p;
	slot->m = c.m;
	o->qlen++;
	return 0;
}

#define PUSH(e, c)                                   \
	do {                                         \
		int prc_ = push(o, e, c);            \
		if (prc_)                            \
			return prc_;                 \
	} while (0)

bool gort__order_next(struct gort_order *o, struct gort_tev *ev)
{
	if (!o->qlen)
		return false;
	*ev = o->q[o->qstart];
	o->qstart = (o->qstart + 1) % o->qcap;
	o->qlen--;
	return true;
}

/* makeEvent: a derived event at ev's time. */
static struct gort_tev make_event(const struct gort_tev *ev, uint8_t typ,
				  uint64_t a0, uint64_t a1)
{
	struct gort_tev e;

	memset(&e, 0, sizeof(e));
	e.typ = typ;
	e.time = ev->time;
	e.args[0] = a0;
	e.args[1] = a1;
	e.off = ev->off;
	return e;
}

/* --- ranges (rangeState) --- */

static uint8_t range_type(uint8_t typ)
{
	const struct gort_trace_spec *s = gort__trace_spec(typ);
	return s && s->start_ev ? s->start_ev : typ;
}

static bool has_range(const struct ranges *r, struct range t)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].typ == t.typ && r->v[i].desc == t.desc)
			return true;
	return false;
}

static int append_range(struct ranges *r, struct range t)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 4;
		struct range *nv = gort__realloc(r->v, ncap * sizeof(*nv));
		if (!nv)
			return gort__fail(GORT_ENOMEM, "trace: out of memory");
		r->v = nv;
		r->cap = ncap;
	}
	r->v[r->n++] = t;
	return 0;
}

static int begin_range(const struct gort_tev *ev, struct ranges *r, struct range t)
{
	if (has_range(r, t))
		return bad(ev, "discovered event already in-flight for when starting event %s",
			   ev_name(t.typ));
	return append_range(r, t);
}

static int active_range(const struct gort_tev *ev, struct ranges *r, struct range t,
			bool initial)
{
	if (initial) {
		if (has_range(r, t))
			return bad(ev, "found named active range already in first gen: %s",
				   ev_name(t.typ));
		return append_range(r, t);
	}
	if (!has_range(r, t))
		return bad(ev, "resource is missing active range: %s", ev_name(t.typ));
	return 0;
}

static int end_range(const struct gort_tev *ev, struct ranges *r, uint64_t *desc)
{
	uint8_t st = range_type(ev->typ);

	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].typ != st)
			continue;
		*desc = r->v[i].desc;
		r->v[i] = r->v[r->n - 1]; /* swap remove */
		r->n--;
		return 0;
	}
	return bad(ev, "tried to end event %s, but not in-flight", ev_name(st));
}

/* --- handlers --- */

typedef int (*handler_fn)(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc);

static int adv_proc_status(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			   int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t pid = (int64_t)ev->args[0];
	uint64_t status = ev->args[1];
	struct pstate *s;
	uint8_t old;

	(void)g;
	(void)m;
	if (status >= 5)
		return bad(ev, "invalid status for proc %lld: %llu", (long long)pid,
			   (unsigned long long)status);
	old = proc_status_state[status];
	if ((s = lookup(&o->ps, pid))) {
		if (status == PROC_SYSCALL_ABANDONED && s->status == PROC_SYSCALL) {
			/* Promote: no information was lost after all. */
			old = GORT_TRACE_PROC_RUNNING;
			ev->args[1] = PROC_SYSCALL;
		} else if (status == PROC_SYSCALL_ABANDONED &&
			   s->status == PROC_SYSCALL_ABANDONED) {
			old = GORT_TRACE_PROC_IDLE;
			ev->args[1] = PROC_SYSCALL_ABANDONED;
		} else if (s->status != status) {
			return bad(ev, "inconsistent status for proc %lld: old %s vs. new %s",
				   (long long)pid, proc_status_name(s->status),
				   proc_status_name((unsigned)status));
		}
		s->seq = (struct seq){gen, 0};
	} else {
		int rc;
		if (!(s = gort__calloc(1, sizeof(*s))))
			return gort__fail(GORT_ENOMEM, "trace: out of memory");
		s->id = pid;
		s->status = (uint8_t)status;
		s->seq = (struct seq){gen, 0};
		if ((rc = store(&o->ps, pid, s))) {
			gort__free(s);
			return rc;
		}
		old = gen == o->initial_gen ? GORT_TRACE_PROC_UNDETERMINED
					    : GORT_TRACE_PROC_NOT_EXIST;
	}
	ev->args[2] = old; /* smuggled for StateTransition (extra[0]) */
	if (status == PROC_RUNNING || status == PROC_SYSCALL)
		newc->p = pid;
	/*
	 * Passing through SyscallAbandoned while Running: the P is about to be
	 * stolen; emit the event in the context the P is bound to.
	 */
	if (status == PROC_SYSCALL_ABANDONED && old == GORT_TRACE_PROC_RUNNING) {
		bool found = false;
		for (size_t i = 0; i < o->ms.cap; i++) {
			struct mstate *ms;
			if (!o->ms.ents[i].used)
				continue;
			ms = (void *)(uintptr_t)o->ms.ents[i].val;
			if (ms->p == pid) {
				cur.m = (int64_t)o->ms.ents[i].key;
				cur.p = pid;
				cur.g = ms->g;
				found = true;
			}
		}
		if (!found)
			return bad(ev, "failed to find sched context for proc %lld that's about to be stolen",
				   (long long)pid);
	}
	PUSH(ev, cur);
	return 1;
}

static int adv_proc_start(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t pid = (int64_t)ev->args[0];
	struct seq seq = {gen, ev->args[1]};
	struct pstate *s = lookup(&o->ps, pid);

	(void)g;
	(void)m;
	if (!s || s->status != PROC_IDLE || !succeeds(seq, s->seq) || cur.p != NONE)
		return 0;
	VALIDATE(MUST, MUST_NOT, MAY);
	s->status = PROC_RUNNING;
	s->seq = seq;
	newc->p = pid;
	PUSH(ev, cur);
	return 1;
}

static int adv_proc_stop(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct pstate *s = lookup(&o->ps, cur.p);

	(void)g;
	(void)m;
	(void)gen;
	if (!s)
		return bad(ev, "event %s for proc (%lld) that doesn't exist", ev_name(ev->typ),
			   (long long)cur.p);
	if (s->status != PROC_RUNNING && s->status != PROC_SYSCALL)
		return bad(ev, "%s event for proc that's not Running or Syscall", ev_name(ev->typ));
	VALIDATE(MUST, MUST, MAY);
	s->status = PROC_IDLE;
	newc->p = NONE;
	PUSH(ev, cur);
	return 1;
}

static int adv_proc_steal(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t pid = (int64_t)ev->args[0], mid;
	struct seq seq = {gen, ev->args[1]};
	struct pstate *s = lookup(&o->ps, pid);
	struct mstate *ms;
	uint8_t old;

	(void)g;
	(void)m;
	if (!s || (s->status != PROC_SYSCALL && s->status != PROC_SYSCALL_ABANDONED) ||
	    !succeeds(seq, s->seq))
		return 0;
	VALIDATE(MUST, MAY, MAY);
	old = s->status;
	ev->args[3] = old; /* extra[0]: the status that let us advance */
	s->status = PROC_IDLE;
	s->seq = seq;
	if (old == PROC_SYSCALL_ABANDONED) {
		PUSH(ev, cur);
		return 1;
	}
	mid = (int64_t)ev->args[2];
	if (mid == cur.m) {
		/* Stealing from ourselves: like a ProcStop. */
		if (cur.p != pid)
			return bad(ev, "tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
				   (long long)pid, (long long)mid, (long long)cur.p);
		newc->p = NONE;
		PUSH(ev, cur);
		return 1;
	}
	if (!(ms = lookup(&o->ms, mid)))
		return bad(ev, "stole proc from non-existent thread %lld", (long long)mid);
	if (ms->p != pid)
		return bad(ev, "tried to steal proc %lld from thread %lld, but got proc %lld instead",
			   (long long)pid, (long long)mid, (long long)ms->p);
	ms->p = NONE;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_status(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t gid = (int64_t)ev->args[0], mid = (int64_t)ev->args[1];
	uint64_t status = ev->args[2];
	struct gstate *s;
	uint64_t old;
	int rc;

	(void)g;
	(void)m;
	if (status >= 5)
		return bad(ev, "invalid status for goroutine %lld: %llu", (long long)gid,
			   (unsigned long long)status);
	old = go_status_state[status];
	if ((s = lookup(&o->gs, gid))) {
		if (s->status != status)
			return bad(ev, "inconsistent status for goroutine %lld: old %s vs. new %s",
				   (long long)gid, go_status_name(s->status),
				   go_status_name((unsigned)status));
		s->seq = (struct seq){gen, 0};
	} else if (gen == o->initial_gen) {
		if ((rc = new_gstate(o, gid, (uint8_t)status, gen, NULL)))
			return rc;
		old = GORT_TRACE_GO_UNDETERMINED;
	} else {
		return bad(ev, "found goroutine status for new goroutine after the first generation: id=%lld status=%s",
			   (long long)gid, go_status_name((unsigned)status));
	}
	ev->args[2] = old << 32 | status; /* smuggled for StateTransition */
	if (status == GO_RUNNING) {
		newc->g = gid;
	} else if (status == GO_SYSCALL) {
		struct mstate *ms;
		if (mid == NONE)
			return bad(ev, "found goroutine %lld in syscall without a thread", (long long)gid);
		if (mid == cur.m) {
			if (gen != o->initial_gen && cur.g != gid)
				return bad(ev, "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
					   (long long)gid, (long long)cur.g);
			newc->g = gid;
		} else {
			if ((ms = lookup(&o->ms, mid))) {
				if (ms->g != gid)
					return bad(ev, "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
						   (long long)gid, (long long)ms->g);
				cur.g = ms->g;
			} else {
				if (!(ms = gort__malloc(sizeof(*ms))))
					return gort__fail(GORT_ENOMEM, "trace: out of memory");
				ms->g = gid;
				ms->p = NONE;
				if ((rc = store(&o->ms, mid, ms))) {
					gort__free(ms);
					return rc;
				}
			}
			cur.m = mid;
		}
	}
	PUSH(ev, cur);
	return 1;
}

static int adv_go_create(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	int64_t newg;
	int rc;

	(void)g;
	(void)m;
	(void)newc;
	VALIDATE(MUST, MUST, MAY);
	if ((s = lookup(&o->gs, cur.g)) && s->status != GO_RUNNING)
		return bad(ev, "%s event for goroutine that's not Running", ev_name(ev->typ));
	newg = (int64_t)ev->args[0];
	if (lookup(&o->gs, newg))
		return bad(ev, "tried to create goroutine (%lld) that already exists", (long long)newg);
	rc = new_gstate(o, newg, ev->typ == EV_GO_CREATE_BLOCKED ? GO_WAITING : GO_RUNNABLE,
			gen, NULL);
	if (rc)
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int running_g(struct gort_order *o, struct gort_tev *ev, struct ctx cur,
		     struct gstate **s, uint8_t want)
{
	*s = lookup(&o->gs, cur.g);
	if (!*s)
		return bad(ev, "event %s for goroutine (%lld) that doesn't exist",
			   ev_name(ev->typ), (long long)cur.g);
	if ((*s)->status != want)
		return bad(ev, "%s event for goroutine that's not %s", ev_name(ev->typ),
			   want == GO_SYSCALL && ev->typ == EV_GO_DESTROY_SYSCALL ? "Syscall" : "Running");
	return 0;
}

static int adv_go_stop_exec(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			    int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	VALIDATE(MUST, MUST, MUST);
	if ((rc = running_g(o, ev, cur, &s, GO_RUNNING)))
		return rc;
	if (ev->typ == EV_GO_DESTROY)
		delete_gstate(o, cur.g);
	else
		s->status = ev->typ == EV_GO_STOP ? GO_RUNNABLE : GO_WAITING;
	newc->g = NONE;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_start(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t gid = (int64_t)ev->args[0];
	struct seq seq = {gen, ev->args[1]};
	struct gstate *s = lookup(&o->gs, gid);

	(void)g;
	(void)m;
	if (!s || s->status != GO_RUNNABLE || !succeeds(seq, s->seq))
		return 0;
	VALIDATE(MUST, MUST, MUST_NOT);
	s->status = GO_RUNNING;
	s->seq = seq;
	newc->g = gid;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_unblock(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t gid = (int64_t)ev->args[0];
	struct seq seq = {gen, ev->args[1]};
	struct gstate *s = lookup(&o->gs, gid);

	(void)g;
	(void)m;
	(void)newc;
	if (!s || s->status != GO_WAITING || !succeeds(seq, s->seq))
		return 0;
	s->status = GO_RUNNABLE;
	s->seq = seq;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_switch(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *cs, *ns;
	int64_t nextg = (int64_t)ev->args[0];
	struct seq seq = {gen, ev->args[1]};
	struct gort_tev extra;
	struct ctx start;
	int rc;

	(void)g;
	(void)m;
	VALIDATE(MUST, MUST, MUST);
	if ((rc = running_g(o, ev, cur, &cs, GO_RUNNING)))
		return rc;
	ns = lookup(&o->gs, nextg);
	if (!ns || ns->status != GO_WAITING || !succeeds(seq, ns->seq))
		return 0;
	PUSH(ev, cur);
	if (ev->typ == EV_GO_SWITCH) {
		cs->status = GO_WAITING;
		extra = make_event(ev, EV_GO_BLOCK, 0, 0); /* no reason, no stack */
	} else {
		delete_gstate(o, cur.g);
		extra = make_event(ev, EV_GO_DESTROY, 0, 0);
	}
	PUSH(&extra, cur);
	ns->status = GO_RUNNING;
	ns->seq = seq;
	newc->g = nextg;
	start = cur;
	start.g = NONE;
	extra = make_event(ev, EV_GO_START, (uint64_t)nextg, ev->args[1]);
	PUSH(&extra, start);
	return 1;
}

static int adv_go_syscall_begin(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
				int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	struct pstate *ps;
	struct seq pseq = {gen, ev->args[0]};
	int rc;

	(void)g;
	(void)m;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	if ((rc = running_g(o, ev, cur, &s, GO_RUNNING)))
		return rc;
	s->status = GO_SYSCALL;
	if (!(ps = lookup(&o->ps, cur.p)))
		return bad(ev, "uninitialized proc %lld found during %s", (long long)cur.p,
			   ev_name(ev->typ));
	ps->status = PROC_SYSCALL;
	if (!succeeds(pseq, ps->seq))
		return bad(ev, "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu (gen=%llu)",
			   ev_name(ev->typ), (unsigned long long)ps->seq.seq,
			   (unsigned long long)ps->seq.gen, (unsigned long long)pseq.seq,
			   (unsigned long long)pseq.gen);
	ps->seq = pseq;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_syscall_end(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			      int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	struct pstate *ps;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	if ((rc = running_g(o, ev, cur, &s, GO_SYSCALL)))
		return rc;
	s->status = GO_RUNNING;
	if (!(ps = lookup(&o->ps, cur.p)))
		return bad(ev, "uninitialized proc %lld found during %s", (long long)cur.p,
			   ev_name(ev->typ));
	if (ps->status != PROC_SYSCALL)
		return bad(ev, "expected proc %lld in state Syscall, but got %s instead",
			   (long long)cur.p, proc_status_name(ps->status));
	ps->status = PROC_RUNNING;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_syscall_end_blocked(struct gort_order *o, struct gort_tev *ev,
				      struct gort_tgen *g, int64_t m, uint64_t gen,
				      struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	/* Not while the P may still be taken from us during the syscall. */
	if (cur.p != NONE) {
		struct pstate *ps = lookup(&o->ps, cur.p);
		if (!ps)
			return bad(ev, "uninitialized proc %lld found during %s", (long long)cur.p,
				   ev_name(ev->typ));
		if (ps->status == PROC_SYSCALL)
			return 0;
	}
	VALIDATE(MUST, MAY, MUST);
	if ((rc = running_g(o, ev, cur, &s, GO_SYSCALL)))
		return rc;
	newc->g = NONE;
	s->status = GO_RUNNABLE;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_create_syscall(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
				 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t newg = (int64_t)ev->args[0];
	int rc;

	(void)g;
	(void)m;
	VALIDATE(MUST, MAY, MUST_NOT);
	if (lookup(&o->gs, newg))
		return bad(ev, "tried to create goroutine (%lld) in syscall that already exists",
			   (long long)newg);
	if ((rc = new_gstate(o, newg, GO_SYSCALL, gen, NULL)))
		return rc;
	newc->g = newg;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_destroy_syscall(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
				  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	VALIDATE(MUST, MAY, MUST);
	if ((rc = running_g(o, ev, cur, &s, GO_SYSCALL)))
		return rc;
	delete_gstate(o, cur.g);
	newc->g = NONE;
	if (cur.p != NONE) {
		/* The thread ID may be reused: treat the P as lost too. */
		struct pstate *ps = lookup(&o->ps, cur.p);
		struct gort_tev extra;
		if (!ps)
			return bad(ev, "found invalid proc %lld during %s", (long long)cur.p,
				   ev_name(ev->typ));
		if (ps->status != PROC_SYSCALL)
			return bad(ev, "proc %lld in unexpected state %s during %s", (long long)cur.p,
				   proc_status_name(ps->status), ev_name(ev->typ));
		ps->status = PROC_SYSCALL_ABANDONED;
		newc->p = NONE;
		extra = make_event(ev, EV_PROC_STEAL, (uint64_t)cur.p, 0);
		extra.args[3] = PROC_SYSCALL;
		PUSH(&extra, cur);
	}
	PUSH(ev, cur);
	return 1;
}

static int adv_user_task_begin(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			       int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t id = ev->args[0];
	struct gort_str name;
	struct task *t;
	int rc;

	(void)m;
	(void)gen;
	(void)newc;
	if (lookup(&o->tasks, (int64_t)id))
		return bad(ev, "task ID conflict: %llu", (unsigned long long)id);
	/* Parent 0 means no parent here, not the background task. */
	if (ev->args[1] == 0)
		ev->args[1] = NO_TASK;
	if (!gort__tgen_string(g, ev->args[2], &name))
		return bad(ev, "invalid string ID %llu for %s event",
			   (unsigned long long)ev->args[2], ev_name(ev->typ));
	if (!(t = gort__malloc(sizeof(*t))))
		return gort__fail(GORT_ENOMEM, "trace: out of memory");
	t->name = name;
	t->parent = ev->args[1];
	if ((rc = store(&o->tasks, (int64_t)id, t))) {
		gort__free(t);
		return rc;
	}
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_user_task_end(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			     int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t id = ev->args[0];
	struct task *t = lookup(&o->tasks, (int64_t)id);
	int rc;

	(void)m;
	(void)gen;
	(void)newc;
	/* Smuggle the task's parent and name: extra[0], extra[1]. */
	if (t) {
		ev->args[2] = t->parent;
		rc = gort__tgen_add_extra(g, t->name, &ev->args[3]);
		gort__idmap_del(&o->tasks, id);
		gort__free(t);
		if (rc)
			return rc;
	} else {
		ev->args[2] = NO_TASK;
		ev->args[3] = 0;
	}
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_user_region(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			   int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t tid = ev->args[0];
	struct gort_str name;
	struct gstate *s;

	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	if (!gort__tgen_string(g, ev->args[1], &name))
		return bad(ev, "invalid string ID %llu for %s event",
			   (unsigned long long)ev->args[1], ev_name(ev->typ));
	if (!(s = lookup(&o->gs, cur.g)))
		return bad(ev, "encountered Ev%s without known state for current goroutine %lld",
			   ev_name(ev->typ), (long long)cur.g);
	if (ev->typ == EV_USER_REGION_BEGIN) {
		if (s->nregions == s->cap_regions) {
			size_t ncap = s->cap_regions ? s->cap_regions * 2 : 4;
			struct region *nr = gort__realloc(s->regions, ncap * sizeof(*nr));
			if (!nr)
				return gort__fail(GORT_ENOMEM, "trace: out of memory");
			s->regions = nr;
			s->cap_regions = ncap;
		}
		s->regions[s->nregions++] = (struct region){tid, name};
	} else if (s->nregions) {
		/* Regions begun before tracing started are unknown: ignore. */
		struct region *top = &s->regions[s->nregions - 1];
		if (top->task != tid || top->name.len != name.len ||
		    memcmp(top->name.ptr, name.ptr, name.len))
			return bad(ev, "misuse of region in goroutine %lld: region end {%llu %.*s} when the inner-most active region start event is {%llu %.*s}",
				   (long long)s->id, (unsigned long long)tid, (int)name.len,
				   name.ptr, (unsigned long long)top->task, (int)top->name.len,
				   top->name.ptr);
		s->nregions--;
	}
	PUSH(ev, cur);
	return 1;
}

static int adv_gc_active(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			 int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t seq = ev->args[0];

	(void)g;
	(void)m;
	(void)newc;
	if (gen == o->initial_gen) {
		if (o->gc_state != GC_UNDETERMINED)
			return bad(ev, "GCActive in the first generation isn't first GC event");
		o->gc_seq = seq;
		o->gc_state = GC_RUNNING;
		PUSH(ev, cur);
		return 1;
	}
	if (seq != o->gc_seq + 1)
		return 0; /* not the right GC cycle */
	if (o->gc_state != GC_RUNNING)
		return bad(ev, "encountered GCActive while GC was not in progress");
	o->gc_seq = seq;
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_gc_begin(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t seq = ev->args[0];

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	if (o->gc_state == GC_UNDETERMINED) {
		o->gc_seq = seq;
		o->gc_state = GC_RUNNING;
		PUSH(ev, cur);
		return 1;
	}
	if (seq != o->gc_seq + 1)
		return 0;
	if (o->gc_state == GC_RUNNING)
		return bad(ev, "encountered GCBegin while GC was already in progress");
	o->gc_seq = seq;
	o->gc_state = GC_RUNNING;
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_gc_end(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
		      int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t seq = ev->args[0];

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	if (seq != o->gc_seq + 1)
		return 0;
	if (o->gc_state == GC_NOT_RUNNING)
		return bad(ev, "encountered GCEnd when GC was not in progress");
	if (o->gc_state == GC_UNDETERMINED)
		return bad(ev, "encountered GCEnd when GC was in an undetermined state");
	o->gc_seq = seq;
	o->gc_state = GC_NOT_RUNNING;
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_annotation(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	PUSH(ev, cur);
	return 1;
}

static int adv_heap_metric(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			   int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MAY);
	PUSH(ev, cur);
	return 1;
}

static struct pstate *cur_pstate(struct gort_order *o, struct gort_tev *ev, struct ctx cur,
				 int *rc)
{
	struct pstate *ps = lookup(&o->ps, cur.p);

	*rc = ps ? 0 : bad(ev, "uninitialized proc %lld found during %s", (long long)cur.p,
			   ev_name(ev->typ));
	return ps;
}

static int adv_gc_sweep_begin(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			      int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct pstate *ps;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MAY);
	if (!(ps = cur_pstate(o, ev, cur, &rc)))
		return rc;
	if ((rc = begin_range(ev, &ps->r, (struct range){range_type(ev->typ), 0})))
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int adv_gc_sweep_active(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			       int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t pid = (int64_t)ev->args[0];
	struct pstate *ps = lookup(&o->ps, pid);
	int rc;

	(void)g;
	(void)m;
	(void)newc;
	if (!ps)
		return bad(ev, "encountered GCSweepActive for unknown proc %lld", (long long)pid);
	rc = active_range(ev, &ps->r, (struct range){range_type(ev->typ), 0},
			  gen == o->initial_gen);
	if (rc)
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int adv_gc_sweep_end(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			    int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct pstate *ps;
	uint64_t desc;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MAY);
	if (!(ps = cur_pstate(o, ev, cur, &rc)))
		return rc;
	if ((rc = end_range(ev, &ps->r, &desc)))
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_range_begin(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			      int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	uint64_t desc = ev->typ == EV_STW_BEGIN ? ev->args[0] : 0;
	struct gstate *s;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	if (!(s = lookup(&o->gs, cur.g)))
		return bad(ev, "encountered event of type %u without known state for current goroutine %lld",
			   ev->typ, (long long)cur.g);
	if ((rc = begin_range(ev, &s->r, (struct range){range_type(ev->typ), desc})))
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_range_active(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			       int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	int64_t gid = (int64_t)ev->args[0];
	struct gstate *s = lookup(&o->gs, gid);
	int rc;

	(void)g;
	(void)m;
	(void)newc;
	/* Like GoStatus: may name a goroutine that is not running. */
	if (!s)
		return bad(ev, "uninitialized goroutine %lld found during %s", (long long)gid,
			   ev_name(ev->typ));
	rc = active_range(ev, &s->r, (struct range){range_type(ev->typ), 0},
			  gen == o->initial_gen);
	if (rc)
		return rc;
	PUSH(ev, cur);
	return 1;
}

static int adv_go_range_end(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			    int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	struct gstate *s;
	uint64_t desc;
	int rc;

	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MUST, MUST);
	if (!(s = lookup(&o->gs, cur.g)))
		return bad(ev, "encountered event of type %u without known state for current goroutine %lld",
			   ev->typ, (long long)cur.g);
	if ((rc = end_range(ev, &s->r, &desc)))
		return rc;
	if (ev->typ == EV_STW_END)
		ev->args[0] = desc; /* smuggle the STW kind, as STWBegin has it */
	PUSH(ev, cur);
	return 1;
}

static int adv_alloc_free(struct gort_order *o, struct gort_tev *ev, struct gort_tgen *g,
			  int64_t m, uint64_t gen, struct ctx cur, struct ctx *newc)
{
	(void)g;
	(void)m;
	(void)gen;
	(void)newc;
	VALIDATE(MUST, MAY, MAY);
	PUSH(ev, cur);
	return 1;
}

/* order.go: orderingDispatch. */
static const handler_fn dispatch[EV_NUM_SPECS] = {
	[EV_PROCS_CHANGE] = adv_annotation,
	[EV_PROC_START] = adv_proc_start,
	[EV_PROC_STOP] = adv_proc_stop,
	[EV_PROC_STEAL] = adv_proc_steal,
	[EV_PROC_STATUS] = adv_proc_status,
	[EV_GO_CREATE] = adv_go_create,
	[EV_GO_CREATE_SYSCALL] = adv_go_create_syscall,
	[EV_GO_START] = adv_go_start,
	[EV_GO_DESTROY] = adv_go_stop_exec,
	[EV_GO_DESTROY_SYSCALL] = adv_go_destroy_syscall,
	[EV_GO_STOP] = adv_go_stop_exec,
	[EV_GO_BLOCK] = adv_go_stop_exec,
	[EV_GO_UNBLOCK] = adv_go_unblock,
	[EV_GO_SYSCALL_BEGIN] = adv_go_syscall_begin,
	[EV_GO_SYSCALL_END] = adv_go_syscall_end,
	[EV_GO_SYSCALL_END_BLOCKED] = adv_go_syscall_end_blocked,
	[EV_GO_STATUS] = adv_go_status,
	[EV_STW_BEGIN] = adv_go_range_begin,
	[EV_STW_END] = adv_go_range_end,
	[EV_GC_ACTIVE] = adv_gc_active,
	[EV_GC_BEGIN] = adv_gc_begin,
	[EV_GC_END] = adv_gc_end,
	[EV_GC_SWEEP_ACTIVE] = adv_gc_sweep_active,
	[EV_GC_SWEEP_BEGIN] = adv_gc_sweep_begin,
	[EV_GC_SWEEP_END] = adv_gc_sweep_end,
	[EV_GC_MARK_ASSIST_ACTIVE] = adv_go_range_active,
	[EV_GC_MARK_ASSIST_BEGIN] = adv_go_range_begin,
	[EV_GC_MARK_ASSIST_END] = adv_go_range_end,
	[EV_HEAP_ALLOC] = adv_heap_metric,
	[EV_HEAP_GOAL] = adv_heap_metric,
	[EV_GO_LABEL] = adv_annotation,
	[EV_USER_TASK_BEGIN] = adv_user_task_begin,
	[EV_USER_TASK_END] = adv_user_task_end,
	[EV_USER_REGION_BEGIN] = adv_user_region,
	[EV_USER_REGION_END] = adv_user_region,
	[EV_USER_LOG] = adv_annotation,
	[EV_GO_SWITCH] = adv_go_switch,
	[EV_GO_SWITCH_DESTROY] = adv_go_switch,
	[EV_GO_CREATE_BLOCKED] = adv_go_create,
	[EV_GO_STATUS_STACK] = adv_go_status,
	[EV_SPAN] = adv_alloc_free,
	[EV_SPAN_ALLOC] = adv_alloc_free,
	[EV_SPAN_FREE] = adv_alloc_free,
	[EV_HEAP_OBJECT] = adv_alloc_free,
	[EV_HEAP_OBJECT_ALLOC] = adv_alloc_free,
	[EV_HEAP_OBJECT_FREE] = adv_alloc_free,
	[EV_GOROUTINE_STACK] = adv_alloc_free,
	[EV_GOROUTINE_STACK_ALLOC] = adv_alloc_free,
	[EV_GOROUTINE_STACK_FREE] = adv_alloc_free,
};

int gort__order_advance(struct gort_order *o, struct gort_tev *ev,
			struct gort_tgen *g, int64_t m, uint64_t gen)
{
	struct mstate *ms = NULL;
	struct ctx cur = {NONE, NONE, m}, newc;
	handler_fn f;
	int rc;

	if (o->initial_gen == 0)
		o->initial_gen = gen;
	if (m != NONE) {
		if (!(ms = lookup(&o->ms, m))) {
			if (!(ms = gort__malloc(sizeof(*ms))))
				return gort__fail(GORT_ENOMEM, "trace: out of memory");
			ms->g = NONE;
			ms->p = NONE;
			if ((rc = store(&o->ms, m, ms))) {
				gort__free(ms);
				return rc;
			}
		}
		cur.p = ms->p;
		cur.g = ms->g;
	}
	f = ev->typ < EV_NUM_SPECS ? dispatch[ev->typ] : NULL;
	if (!f)
		return bad(ev, "bad event type found while ordering: %u", ev->typ);
	newc = cur;
	rc = f(o, ev, g, m, gen, cur, &newc);
	if (rc == 1 && ms) {
		ms->p = newc.p;
		ms->g = newc.g;
	}
	return rc;
}

void gort__order_init(struct gort_order *o, int ver)
{
	memset(o, 0, sizeof(*o));
	o->ver = ver;
}

static void free_map(struct gort_idmap *m, void (*fn)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->ents[i].used)
			fn((void *)(uintptr_t)m->ents[i].val);
	gort__idmap_free(m);
}

static void free_g(void *p)
{
	free_gstate(p);
}

static void free_p(void *p)
{
	free_pstate(p);
}

void gort__order_free(struct gort_order *o)
{
	free_map(&o->gs, free_g);
	free_map(&o->ps, free_p);
	free_map(&o->ms, gort__free);
	free_map(&o->tasks, gort__free);
	gort__free(o->q);
	memset(o, 0, sizeof(*o));
}
