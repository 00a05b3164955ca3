/*
 * Per-goroutine statistics: Go's Summarizer (internal/trace/summary.go,
 * Go 1.27), event by event, with the same quirks (0 means "unset" for
 * times, a finalized goroutine may be finalized again at the end, a
 * re-created goroutine ID replaces the old summary). Where Go would crash
 * on an inconsistent trace (a goroutine never named, a region on an unknown
 * goroutine) the event is ignored instead. Tasks are not summarized.
 *
 * Also, from the same events: GC mark phases, stop-the-world pauses and
 * latency histograms (not in Go's summary; defined in trace_stats.h).
 */
#include "summary.h"

#include <string.h>

#define SW(lit) gort__str(lit, sizeof(lit) - 1)

int64_t *gort__skvs_get(struct gort_skvs *t, uint32_t name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->e[i].name == name)
			return &t->e[i].v;
	return NULL;
}

int gort__skvs_put(struct gort_skvs *t, uint32_t name, int64_t **v)
{
	if ((*v = gort__skvs_get(t, name)))
		return 0;
	if (t->n == t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 4;
		struct gort_skv *ne;
		if (ncap > (1u << 30) || !(ne = gort__realloc(t->e, ncap * sizeof(*ne))))
			return gort__fail(GORT_ENOMEM, "out of memory");
		t->e = ne;
		t->cap = ncap;
	}
	t->e[t->n] = (struct gort_skv){name, 0};
	*v = &t->e[t->n++].v;
	return 0;
}

void gort__skvs_del(struct gort_skvs *t, uint32_t name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->e[i].name == name) {
			t->e[i] = t->e[--t->n];
			return;
		}
}

/* m[name] += d, creating the key as Go's map does. */
static int skvs_add(struct gort_skvs *t, uint32_t name, int64_t d)
{
	int64_t *v;
	int rc = gort__skvs_put(t, name, &v);

	if (!rc)
		*v = gort__tadd(*v, d);
	return rc;
}

void gort__hist_add(struct gort_trace_histogram *h, int64_t d)
{
	int b = 0;

	if (d > 0)
		for (b = 1; b < GORT_TRACE_HIST_BUCKETS - 1 && (d >> b) != 0; b++)
			;
	h->buckets[b]++;
	if (h->count == 0 || d < h->min)
		h->min = d;
	if (h->count == 0 || d > h->max)
		h->max = d;
	h->count++;
	h->sum = gort__tadd(h->sum, d);
}

int gort_trace_summary_new(gort_trace_summary **out, const struct gort_trace_summary_opts *opts)
{
	gort_trace_summary *s;
	int rc;

	if (!out)
		return gort__fail(GORT_EINVAL, "NULL argument");
	*out = NULL;
	if ((rc = gort__opts_check(opts, sizeof(struct gort_trace_summary_opts),
				   "gort_trace_summary_opts")))
		return rc;
	if (!(s = gort__calloc(1, sizeof(*s))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	s->max_pauses = GORT_OPTS_HAS(opts, max_pauses) && opts->max_pauses ? opts->max_pauses
									    : 1000000;
	if ((rc = gort__istr_init(&s->strs)) ||
	    (rc = gort__istr_intern(&s->strs, SW("GC concurrent mark phase"), &s->gc_name))) {
		gort_trace_summary_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void sg_free(struct gort_sg *g)
{
	gort__free(g->block.e);
	gort__free(g->range.e);
	gort__free(g->last_range.e);
	gort__free(g->regions);
}

void gort_trace_summary_free(gort_trace_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ngs; i++)
		sg_free(&s->gs[i]);
	gort__free(s->gs);
	for (size_t i = 0; i < s->npranges; i++)
		gort__free(s->pranges[i].e);
	gort__free(s->pranges);
	gort__free(s->regs);
	gort__free(s->gc.e);
	gort__free(s->stw.e);
	gort__idmap_free(&s->gidx);
	gort__idmap_free(&s->syscalling_p);
	gort__idmap_free(&s->syscalling_g);
	gort__idmap_free(&s->pidx);
	gort__idmap_free(&s->ridx);
	gort__summary_free_tables(s);
	gort__istr_free(&s->strs);
	gort__free(s);
}

static struct gort_sg *find_g(gort_trace_summary *s, int64_t id)
{
	uint64_t *i = gort__idmap_get(&s->gidx, (uint64_t)id);

	return i ? &s->gs[*i] : NULL;
}

/*
 * A new GoroutineSummary for id; it replaces any earlier one in the map
 * (whose statistics are then lost, as in Go). Its slot is reused.
 */
static int new_g(gort_trace_summary *s, int64_t id, struct gort_sg **out)
{
	uint64_t *i;
	int rc = gort__idmap_put(&s->gidx, (uint64_t)id, &i);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		sg_free(&s->gs[*i]);
	} else {
		if (s->ngs == s->cap_gs) {
			size_t ncap = s->cap_gs ? s->cap_gs * 2 : 64;
			struct gort_sg *ng = gort__realloc(s->gs, ncap * sizeof(*ng));
			if (!ng) {
				gort__idmap_del(&s->gidx, (uint64_t)id);
				return gort__fail(GORT_ENOMEM, "out of memory");
			}
			s->gs = ng;
			s->cap_gs = ncap;
		}
		*i = s->ngs++;
	}
	*out = &s->gs[*i];
	memset(*out, 0, sizeof(**out));
	(*out)->id = id;
	return 0;
}

/* GoroutineSummary.snapshotStat(lastTs), scalar part. */
static struct gort_sstats snapshot(const struct gort_sg *g, int64_t ts)
{
	struct gort_sstats r = {g->exec, g->sched, g->syscall, g->sysblock, g->total, 0};

	for (uint32_t i = 0; i < g->block.n; i++)
		r.block = gort__tadd(r.block, g->block.e[i].v);
	if (g->total == 0)
		r.total = gort__tsub(ts, g->creation);
	if (g->last_start)
		r.exec = gort__tadd(r.exec, gort__tsub(ts, g->last_start));
	if (g->last_runnable)
		r.sched = gort__tadd(r.sched, gort__tsub(ts, g->last_runnable));
	if (g->last_block)
		r.block = gort__tadd(r.block, gort__tsub(ts, g->last_block));
	if (g->last_syscall)
		r.syscall = gort__tadd(r.syscall, gort__tsub(ts, g->last_syscall));
	/* Go adds pending syscall block time to SchedWaitTime here. */
	if (g->last_sysblock)
		r.sched = gort__tadd(r.sched, gort__tsub(ts, g->last_sysblock));
	return r;
}

/* Count one finished region in its name's group. */
static int region_done(gort_trace_summary *s, uint32_t name, struct gort_sstats end,
		       const struct gort_sstats *start)
{
	struct gort_trace_region_group *r;
	uint64_t *i;
	int rc = gort__idmap_put(&s->ridx, name, &i);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (s->nregs == s->cap_regs) {
			size_t ncap = s->cap_regs ? s->cap_regs * 2 : 16;
			struct gort_trace_region_group *nr = gort__realloc(s->regs, ncap * sizeof(*nr));
			if (!nr) {
				gort__idmap_del(&s->ridx, name);
				return gort__fail(GORT_ENOMEM, "out of memory");
			}
			s->regs = nr;
			s->cap_regs = ncap;
		}
		*i = s->nregs;
		r = &s->regs[s->nregs++];
		memset(r, 0, sizeof(*r));
		r->name = gort__istr_get(&s->strs, name);
	}
	r = &s->regs[*i];
	r->count++;
	r->exec_time = gort__tadd(r->exec_time, gort__tsub(end.exec, start->exec));
	r->sched_wait_time = gort__tadd(r->sched_wait_time, gort__tsub(end.sched, start->sched));
	r->syscall_time = gort__tadd(r->syscall_time, gort__tsub(end.syscall, start->syscall));
	r->syscall_block_time =
		gort__tadd(r->syscall_block_time, gort__tsub(end.sysblock, start->sysblock));
	r->total_time = gort__tadd(r->total_time, gort__tsub(end.total, start->total));
	r->block_time = gort__tadd(r->block_time, gort__tsub(end.block, start->block));
	return 0;
}

/* runtime.isSystemGoroutine as summary.go's IsSystemGoroutine mimics it. */
static bool is_system(struct gort_str name)
{
	return name.len == 0 || (!gort__str_eq(name, "runtime.main") && name.len >= 8 &&
				 !memcmp(name.ptr, "runtime.", 8));
}

/* GoroutineSummary.finalize(lastTs, trigger). */
static int finalize(gort_trace_summary *s, struct gort_sg *g, int64_t ts, const int64_t *trigger)
{
	struct gort_sstats fin;
	int rc;

	if (trigger)
		g->end = *trigger;
	fin = snapshot(g, ts);
	/* Make the pending times part of the maps, as the snapshot's clone does. */
	g->exec = fin.exec;
	g->sched = fin.sched;
	g->syscall = fin.syscall;
	g->total = fin.total;
	if (g->last_block && (rc = skvs_add(&g->block, g->last_block_reason,
					    gort__tsub(ts, g->last_block))))
		return rc;
	for (uint32_t i = 0; i < g->last_range.n; i++)
		if ((rc = skvs_add(&g->range, g->last_range.e[i].name,
				   gort__tsub(ts, g->last_range.e[i].v))))
			return rc;
	if (!is_system(gort__istr_get(&s->strs, g->name)))
		for (uint32_t i = 0; i < g->nregions; i++)
			if ((rc = region_done(s, g->regions[i].name, fin, &g->regions[i].start)))
				return rc;
	/* *(g.goroutineSummary) = goroutineSummary{} */
	g->last_start = g->last_runnable = g->last_block = g->last_syscall = g->last_sysblock = 0;
	g->last_block_reason = 0;
	g->last_range.n = 0;
	g->nregions = 0;
	return 0;
}

static int push_region(struct gort_sg *g, uint32_t name, struct gort_sstats start)
{
	if (g->nregions == g->cap_regions) {
		uint32_t ncap = g->cap_regions ? g->cap_regions * 2 : 4;
		struct gort_sregion *nr;
		if (ncap > (1u << 28) || !(nr = gort__realloc(g->regions, ncap * sizeof(*nr))))
			return gort__fail(GORT_ENOMEM, "out of memory");
		g->regions = nr;
		g->cap_regions = ncap;
	}
	g->regions[g->nregions++] = (struct gort_sregion){name, start};
	return 0;
}

/* Name the goroutine by the root frame of the transition's stack. */
static int name_g(gort_trace_summary *s, struct gort_sg *g, const struct gort_trace_event *ev)
{
	const struct gort_trace_frame *f;
	size_t n;

	if (!ev->u.transition.has_stack ||
	    gort_trace_event_stack(ev, ev->u.transition.stack_id, &f, &n) || n == 0)
		return 0;
	g->pc = f[n - 1].pc;
	return gort__istr_intern(&s->strs, f[n - 1].func, &g->name);
}

/* Leaving state `from` (summary.go: "Handle transition out"). */
static int go_out(gort_trace_summary *s, struct gort_sg *g, int from, int64_t t)
{
	switch (from) {
	case GORT_TRACE_GO_RUNNING:
		g->exec = gort__tadd(g->exec, gort__tsub(t, g->last_start));
		g->last_start = 0;
		break;
	case GORT_TRACE_GO_WAITING:
		if (g->last_block) {
			int64_t d = gort__tsub(t, g->last_block);
			int rc = skvs_add(&g->block, g->last_block_reason, d);
			if (rc)
				return rc;
			gort__hist_add(&s->hist[GORT_TRACE_HIST_BLOCK], d);
			g->last_block = 0;
		}
		break;
	case GORT_TRACE_GO_RUNNABLE:
		if (g->last_runnable) {
			int64_t d = gort__tsub(t, g->last_runnable);
			g->sched = gort__tadd(g->sched, d);
			gort__hist_add(&s->hist[GORT_TRACE_HIST_SCHED], d);
			g->last_runnable = 0;
		}
		break;
	case GORT_TRACE_GO_SYSCALL:
		if (g->last_syscall) {
			uint64_t *p;
			if (g->last_sysblock) {
				g->sysblock = gort__tadd(g->sysblock, gort__tsub(t, g->last_sysblock));
				g->syscall = gort__tadd(g->syscall,
							gort__tsub(g->last_sysblock, g->last_syscall));
			} else {
				g->syscall = gort__tadd(g->syscall, gort__tsub(t, g->last_syscall));
			}
			gort__hist_add(&s->hist[GORT_TRACE_HIST_SYSCALL], gort__tsub(t, g->last_syscall));
			g->last_syscall = 0;
			g->last_sysblock = 0;
			/* delete(s.syscallingP, s.syscallingG[id]): a missing G reads as proc 0. */
			p = gort__idmap_get(&s->syscalling_g, (uint64_t)g->id);
			gort__idmap_del(&s->syscalling_p, p ? *p : 0);
			gort__idmap_del(&s->syscalling_g, (uint64_t)g->id);
		}
		break;
	}
	return 0;
}

/* The first transition of a goroutine: from Undetermined or NotExist. */
static int go_first(gort_trace_summary *s, const struct gort_trace_event *ev, struct gort_sg **out)
{
	const struct gort_trace_transition *st = &ev->u.transition;
	struct gort_sg *creator, *g = NULL;
	bool inherits;
	int64_t d;
	uint32_t r;
	int rc;

	/*
	 * A goroutine created inside a region inherits the task of its
	 * creator's innermost region: a synthetic unnamed region, open since
	 * creation (the creator is looked up before the new one is added).
	 */
	creator = st->from == GORT_TRACE_GO_NOT_EXIST ? find_g(s, ev->goroutine) : NULL;
	inherits = creator && creator->nregions;
	if ((rc = new_g(s, st->resource, &g)))
		return rc;
	*out = g;
	if (st->from == GORT_TRACE_GO_NOT_EXIST) {
		struct gort_sstats zero = {0};
		g->creation = ev->time;
		return inherits ? push_region(g, 0, zero) : 0;
	}
	/* Coming out of Undetermined: it existed since the last Sync. */
	g->creation = s->sync_ts;
	d = gort__tsub(ev->time, s->sync_ts);
	switch (st->to) {
	case GORT_TRACE_GO_RUNNING:
		g->exec = gort__tadd(g->exec, d);
		break;
	case GORT_TRACE_GO_WAITING:
		if ((rc = gort__istr_intern(&s->strs, st->reason, &r)) ||
		    (rc = skvs_add(&g->block, r, d)))
			return rc;
		break;
	case GORT_TRACE_GO_RUNNABLE:
		g->sched = gort__tadd(g->sched, d);
		break;
	case GORT_TRACE_GO_SYSCALL:
		if (ev->proc == GORT_TRACE_NONE)
			g->sysblock = gort__tadd(g->sysblock, d);
		else
			g->syscall = gort__tadd(g->syscall, d);
		break;
	}
	return 0;
}

static int go_transition(gort_trace_summary *s, const struct gort_trace_event *ev)
{
	const struct gort_trace_transition *st = &ev->u.transition;
	struct gort_sg *g = NULL;
	uint64_t *v;
	int rc;

	if (st->from == st->to)
		return 0;
	if (st->from == GORT_TRACE_GO_UNDETERMINED || st->from == GORT_TRACE_GO_NOT_EXIST) {
		if ((rc = go_first(s, ev, &g)))
			return rc;
	} else if (!(g = find_g(s, st->resource))) {
		return 0; /* never seen appearing: Go would crash */
	} else if ((rc = go_out(s, g, st->from, ev->time))) {
		return rc;
	}
	if (g->name == 0 && (rc = name_g(s, g, ev)))
		return rc;
	switch (st->to) {
	case GORT_TRACE_GO_RUNNING:
		g->last_start = ev->time;
		if (g->start == 0)
			g->start = ev->time;
		break;
	case GORT_TRACE_GO_RUNNABLE:
		g->last_runnable = ev->time;
		break;
	case GORT_TRACE_GO_WAITING:
		if (!gort__str_eq(st->reason, "forever")) {
			g->last_block = ev->time;
			return gort__istr_intern(&s->strs, st->reason, &g->last_block_reason);
		}
		/* "Forever" is like goroutine death. */
		return finalize(s, g, ev->time, &ev->time);
	case GORT_TRACE_GO_NOT_EXIST:
		return finalize(s, g, ev->time, &ev->time);
	case GORT_TRACE_GO_SYSCALL:
		if ((rc = gort__idmap_put(&s->syscalling_p, (uint64_t)ev->proc, &v)) < 0)
			return rc;
		*v = (uint64_t)g->id;
		if ((rc = gort__idmap_put(&s->syscalling_g, (uint64_t)g->id, &v)) < 0)
			return rc;
		*v = (uint64_t)ev->proc;
		g->last_syscall = ev->time;
		break;
	}
	return 0;
}

/* A proc going idle while its goroutine is in a syscall: the syscall blocks. */
static void proc_transition(gort_trace_summary *s, const struct gort_trace_event *ev)
{
	const struct gort_trace_transition *st = &ev->u.transition;
	struct gort_sg *g;
	uint64_t *goid;

	if (st->from == st->to || st->to != GORT_TRACE_PROC_IDLE)
		return;
	if (!(goid = gort__idmap_get(&s->syscalling_p, (uint64_t)st->resource)))
		return;
	if ((g = find_g(s, (int64_t)*goid)))
		g->last_sysblock = ev->time;
	gort__idmap_del(&s->syscalling_p, (uint64_t)st->resource);
}

/* rangesP[{proc, name}]: the goroutine a P-scoped range is attributed to. */
static struct gort_skvs *pranges(gort_trace_summary *s, int64_t proc, bool create)
{
	uint64_t *i;
	int rc;

	if (!create)
		return (i = gort__idmap_get(&s->pidx, (uint64_t)proc)) ? &s->pranges[*i] : NULL;
	if ((rc = gort__idmap_put(&s->pidx, (uint64_t)proc, &i)) < 0)
		return NULL;
	if (rc == 1) {
		if (s->npranges == s->cap_pranges) {
			size_t ncap = s->cap_pranges ? s->cap_pranges * 2 : 16;
			struct gort_skvs *np = gort__realloc(s->pranges, ncap * sizeof(*np));
			if (!np) {
				gort__idmap_del(&s->pidx, (uint64_t)proc);
				gort__fail(GORT_ENOMEM, "out of memory");
				return NULL;
			}
			s->pranges = np;
			s->cap_pranges = ncap;
		}
		*i = s->npranges;
		memset(&s->pranges[s->npranges++], 0, sizeof(struct gort_skvs));
	}
	return &s->pranges[*i];
}

static int add_pause(gort_trace_summary *s, struct gort_spauses *l, const struct gort_sopen *o,
		     int64_t end)
{
	if (l->n >= s->max_pauses) {
		l->dropped++;
		return 0;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct gort_trace_pause *ne = gort__realloc(l->e, ncap * sizeof(*ne));
		if (!ne)
			return gort__fail(GORT_ENOMEM, "out of memory");
		l->e = ne;
		l->cap = ncap;
	}
	l->e[l->n++] = (struct gort_trace_pause){o->start, end, gort__istr_get(&s->strs, o->reason)};
	return 0;
}

/* GC mark phases and STW pauses, global ranges (one at a time). */
static int pauses(gort_trace_summary *s, const struct gort_trace_event *ev, uint32_t name)
{
	const struct gort_trace_range *r = &ev->u.range;
	struct gort_sopen *o;
	struct gort_spauses *l;
	int kind, rc;

	if (name == s->gc_name && r->scope_kind == GORT_TRACE_RESOURCE_NONE) {
		o = &s->gc_open, l = &s->gc, kind = GORT_TRACE_HIST_GC;
	} else if (r->name.len >= 17 && !memcmp(r->name.ptr, "stop-the-world (", 16) &&
		   r->name.ptr[r->name.len - 1] == ')') {
		o = &s->stw_open, l = &s->stw, kind = GORT_TRACE_HIST_STW;
	} else {
		return 0;
	}
	if (ev->kind != GORT_TRACE_EVENT_RANGE_END) {
		if (o->start) /* a begin without an end: keep the earlier one open */
			return 0;
		o->start = ev->kind == GORT_TRACE_EVENT_RANGE_ACTIVE ? s->sync_ts : ev->time;
		o->inside = ev->kind == GORT_TRACE_EVENT_RANGE_BEGIN;
		if (kind == GORT_TRACE_HIST_STW)
			return gort__istr_intern(&s->strs, gort__str(r->name.ptr + 16, r->name.len - 17),
						   &o->reason);
		o->reason = 0;
		return 0;
	}
	if (!o->start)
		return 0;
	if ((rc = add_pause(s, l, o, ev->time)))
		return rc;
	if (o->inside)
		gort__hist_add(&s->hist[kind], gort__tsub(ev->time, o->start));
	o->start = 0;
	return 0;
}

static int range_event(gort_trace_summary *s, const struct gort_trace_event *ev)
{
	const struct gort_trace_range *r = &ev->u.range;
	struct gort_sg *g = NULL;
	struct gort_skvs *pr;
	uint32_t name;
	int64_t *v;
	int rc;

	if ((rc = gort__istr_intern(&s->strs, r->name, &name)) || (rc = pauses(s, ev, name)))
		return rc;
	if (ev->kind != GORT_TRACE_EVENT_RANGE_END) {
		if (r->scope_kind == GORT_TRACE_RESOURCE_GOROUTINE) {
			g = find_g(s, r->scope);
		} else if (r->scope_kind == GORT_TRACE_RESOURCE_PROC) {
			/* Attributed to the goroutine on the P, if it stays there. */
			if ((g = find_g(s, ev->goroutine))) {
				if (!(pr = pranges(s, r->scope, true)) || (rc = gort__skvs_put(pr, name, &v)))
					return rc ? rc : GORT_ENOMEM;
				*v = ev->goroutine;
			}
		}
		if (!g)
			return 0;
		if ((rc = gort__skvs_put(&g->last_range, name, &v)))
			return rc;
		if (ev->kind == GORT_TRACE_EVENT_RANGE_ACTIVE) {
			if (*v && (rc = skvs_add(&g->range, name, gort__tsub(s->sync_ts, *v))))
				return rc;
			*v = s->sync_ts;
		} else {
			*v = ev->time;
		}
		return 0;
	}
	if (r->scope_kind == GORT_TRACE_RESOURCE_GOROUTINE) {
		g = find_g(s, r->scope);
	} else if (r->scope_kind == GORT_TRACE_RESOURCE_PROC && (pr = pranges(s, r->scope, false)) &&
		   (v = gort__skvs_get(pr, name))) {
		/* Only if it ends on the goroutine it began on. */
		if (*v == ev->goroutine)
			g = find_g(s, *v);
		gort__skvs_del(pr, name);
	}
	if (!g || !(v = gort__skvs_get(&g->last_range, name)) || *v == 0)
		return 0;
	if ((rc = skvs_add(&g->range, name, gort__tsub(ev->time, *v))))
		return rc;
	gort__skvs_del(&g->last_range, name);
	return 0;
}

static int region_event(gort_trace_summary *s, const struct gort_trace_event *ev)
{
	struct gort_sg *g = find_g(s, ev->goroutine);
	struct gort_sstats zero = {0};
	uint32_t name;
	int rc;

	if (!g)
		return 0; /* Go would crash */
	if ((rc = gort__istr_intern(&s->strs, ev->u.region.type, &name)))
		return rc;
	if (ev->kind == GORT_TRACE_EVENT_REGION_BEGIN)
		return push_region(g, name, snapshot(g, ev->time));
	if (g->nregions) {
		/* The innermost region ends, whatever its name. */
		struct gort_sregion *top = &g->regions[--g->nregions];
		return region_done(s, top->name, snapshot(g, ev->time), &top->start);
	}
	/* An end without a start: Go fabricates the region now. */
	return region_done(s, name, snapshot(g, ev->time), &zero);
}

int gort_trace_summary_add(gort_trace_summary *s, const struct gort_trace_event *ev)
{
	if (!s || !ev)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (s->finished)
		return gort__fail(GORT_EINVAL, "trace summary: event after finish");
	if (s->nevents++ == 0)
		s->first_ts = ev->time;
	if (s->sync_ts == 0)
		s->sync_ts = ev->time;
	s->last_ts = ev->time;
	switch (ev->kind) {
	case GORT_TRACE_EVENT_SYNC:
		s->sync_ts = ev->time;
		return 0;
	case GORT_TRACE_EVENT_STATE_TRANSITION:
		if (ev->u.transition.resource_kind == GORT_TRACE_RESOURCE_GOROUTINE)
			return go_transition(s, ev);
		if (ev->u.transition.resource_kind == GORT_TRACE_RESOURCE_PROC)
			proc_transition(s, ev);
		return 0;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		return range_event(s, ev);
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		return region_event(s, ev);
	}
	return 0;
}

int gort_trace_summary_finish(gort_trace_summary *s)
{
	int rc;

	if (!s)
		return gort__fail(GORT_EINVAL, "NULL argument");
	if (s->finished)
		return 0;
	for (size_t i = 0; i < s->ngs; i++)
		if ((rc = finalize(s, &s->gs[i], s->last_ts, NULL)))
			return rc;
	if ((rc = gort__summary_build(s)))
		return rc;
	s->finished = true;
	return 0;
}

int gort_trace_summarize(gort_trace_summary **out, gort_trace *t,
			 const struct gort_trace_summary_opts *opts)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_summary *s = NULL;
	int rc;

	if (!out || !t)
		return gort__fail(GORT_EINVAL, "NULL argument");
	*out = NULL;
	if ((rc = gort_trace_summary_new(&s, opts)) || (rc = gort_trace_event_iter_new(&it, t)))
		goto out;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0)
		if ((rc = gort_trace_summary_add(s, ev)))
			goto out;
	if (rc == GORT_EEND && !(rc = gort_trace_summary_finish(s))) {
		*out = s;
		s = NULL;
	}
out:
	gort_trace_event_iter_free(it);
	gort_trace_summary_free(s);
	return rc;
}
