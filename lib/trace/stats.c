/*
 * The tables of a finished summary: goroutines sorted by ID, the groups by
 * start function that cmd/trace/goroutines.go shows (sorted by execution
 * time, ties by name, where Go's order is that of a map), region groups,
 * pause lists, histograms; and the goroutine table as CSV.
 */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int str_cmp(struct gort_str a, struct gort_str b)
{
	int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);

	return c ? c : (a.len > b.len) - (a.len < b.len);
}

static int stat_cmp(const void *a, const void *b)
{
	return str_cmp(((const struct gort_trace_stat *)a)->name,
		       ((const struct gort_trace_stat *)b)->name);
}

static int g_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct gort_trace_goroutine_summary *)a)->id;
	int64_t y = ((const struct gort_trace_goroutine_summary *)b)->id;

	return (x > y) - (x < y);
}

static int group_cmp(const void *a, const void *b)
{
	const struct gort_trace_goroutine_group *x = a, *y = b;

	if (x->exec_time != y->exec_time)
		return x->exec_time < y->exec_time ? 1 : -1;
	return str_cmp(x->name, y->name);
}

static int region_cmp(const void *a, const void *b)
{
	return str_cmp(((const struct gort_trace_region_group *)a)->name,
		       ((const struct gort_trace_region_group *)b)->name);
}

/* Copy a named-value table into out (advanced), sorted by name. */
static const struct gort_trace_stat *flatten(const gort_trace_summary *s,
					     const struct gort_skvs *t,
					     struct gort_trace_stat **out, int64_t *sum)
{
	struct gort_trace_stat *first = *out;

	*sum = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		(*out)[i].name = gort__istr_get(&s->strs, t->e[i].name);
		(*out)[i].ns = t->e[i].v;
		*sum = gort__tadd(*sum, t->e[i].v);
	}
	if (t->n > 1)
		qsort(first, t->n, sizeof(*first), stat_cmp);
	*out += t->n;
	return first;
}

static int64_t unknown_time(const struct gort_trace_goroutine_summary *o)
{
	/* GoroutineExecStats.UnknownTime() */
	int64_t sum = gort__tadd(gort__tadd(o->exec_time, o->sched_wait_time),
				 gort__tadd(o->syscall_time, o->syscall_block_time));

	sum = gort__tadd(sum, o->block_time);
	return sum < o->total_time ? gort__tsub(o->total_time, sum) : 0;
}

static int add_all(struct gort_skvs *to, const struct gort_skvs *from)
{
	int64_t *v;
	int rc;

	for (uint32_t i = 0; i < from->n; i++) {
		if ((rc = gort__skvs_put(to, from->e[i].name, &v)))
			return rc;
		*v = gort__tadd(*v, from->e[i].v);
	}
	return 0;
}

/* Sum the goroutines of each start function into groups. */
static int build_groups(gort_trace_summary *s)
{
	struct gort_idmap idx = {0};
	struct gort_skvs *gb = NULL, *gr = NULL;
	size_t n = 0, total = 0;
	uint64_t *i;
	int rc = 0;

	if (s->ngs && (!(s->groups = gort__calloc(s->ngs, sizeof(*s->groups))) ||
		       !(gb = gort__calloc(s->ngs, sizeof(*gb))) ||
		       !(gr = gort__calloc(s->ngs, sizeof(*gr))))) {
		rc = gort__fail(GORT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < s->ngs; k++) {
		const struct gort_sg *g = &s->gs[k];
		const struct gort_trace_goroutine_summary *o = &s->out[k];
		struct gort_trace_goroutine_group *grp;
		if ((rc = gort__idmap_put(&idx, g->name, &i)) < 0)
			goto out;
		if (rc == 1)
			*i = n++;
		grp = &s->groups[*i];
		grp->name = o->name;
		grp->count++;
		grp->exec_time = gort__tadd(grp->exec_time, o->exec_time);
		grp->sched_wait_time = gort__tadd(grp->sched_wait_time, o->sched_wait_time);
		grp->syscall_time = gort__tadd(grp->syscall_time, o->syscall_time);
		grp->syscall_block_time = gort__tadd(grp->syscall_block_time, o->syscall_block_time);
		grp->total_time = gort__tadd(grp->total_time, o->total_time);
		grp->unknown_time = gort__tadd(grp->unknown_time, o->unknown_time);
		grp->block_time = gort__tadd(grp->block_time, o->block_time);
		if ((rc = add_all(&gb[*i], &g->block)) || (rc = add_all(&gr[*i], &g->range)))
			goto out;
	}
	s->ngroups = n;
	for (size_t k = 0; k < n; k++)
		total += gb[k].n + gr[k].n;
	if (!(s->group_stats = gort__calloc(total + 1, sizeof(*s->group_stats)))) {
		rc = gort__fail(GORT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0, p = 0; k < n; k++) {
		struct gort_trace_stat *q = s->group_stats + p;
		int64_t sum;
		s->groups[k].nblock = gb[k].n;
		s->groups[k].block = flatten(s, &gb[k], &q, &sum);
		s->groups[k].nrange = gr[k].n;
		s->groups[k].range = flatten(s, &gr[k], &q, &sum);
		p = (size_t)(q - s->group_stats);
	}
	if (n > 1)
		qsort(s->groups, n, sizeof(*s->groups), group_cmp);
	rc = 0;
out:
	for (size_t k = 0; gb && k < s->ngs; k++)
		gort__free(gb[k].e);
	for (size_t k = 0; gr && k < s->ngs; k++)
		gort__free(gr[k].e);
	gort__free(gb);
	gort__free(gr);
	gort__idmap_free(&idx);
	return rc;
}

int gort__summary_build(gort_trace_summary *s)
{
	size_t nstats = 0;
	struct gort_trace_stat *p;
	int64_t sum;
	int rc;

	for (size_t k = 0; k < s->ngs; k++)
		nstats += s->gs[k].block.n + s->gs[k].range.n;
	if (!(s->out = gort__calloc(s->ngs + 1, sizeof(*s->out))) ||
	    !(s->stats = gort__calloc(nstats + 1, sizeof(*s->stats)))) {
		gort__summary_free_tables(s);
		return gort__fail(GORT_ENOMEM, "out of memory");
	}
	p = s->stats;
	for (size_t k = 0; k < s->ngs; k++) {
		const struct gort_sg *g = &s->gs[k];
		struct gort_trace_goroutine_summary *o = &s->out[k];
		o->id = g->id;
		o->name = gort__istr_get(&s->strs, g->name);
		o->pc = g->pc;
		o->creation_time = g->creation;
		o->start_time = g->start;
		o->end_time = g->end;
		o->exec_time = g->exec;
		o->sched_wait_time = g->sched;
		o->syscall_time = g->syscall;
		o->syscall_block_time = g->sysblock;
		o->total_time = g->total;
		o->nblock = g->block.n;
		o->block = flatten(s, &g->block, &p, &o->block_time);
		o->nrange = g->range.n;
		o->range = flatten(s, &g->range, &p, &sum);
		o->unknown_time = unknown_time(o);
	}
	/* Groups are built in gs order (from s->out), then sorted. */
	if ((rc = build_groups(s))) {
		gort__summary_free_tables(s);
		return rc;
	}
	/* qsort wants a valid pointer even for no elements. */
	if (s->ngs > 1)
		qsort(s->out, s->ngs, sizeof(*s->out), g_cmp);
	if (s->nregs > 1)
		qsort(s->regs, s->nregs, sizeof(*s->regs), region_cmp);
	return 0;
}

void gort__summary_free_tables(gort_trace_summary *s)
{
	gort__free(s->out);
	gort__free(s->groups);
	gort__free(s->stats);
	gort__free(s->group_stats);
	s->group_stats = NULL;
	s->out = NULL;
	s->groups = NULL;
	s->stats = NULL;
	s->ngroups = 0;
}

uint64_t gort_trace_summary_events(const gort_trace_summary *s)
{
	return s ? s->nevents : 0;
}

int64_t gort_trace_summary_start_time(const gort_trace_summary *s)
{
	return s ? s->first_ts : 0;
}

int64_t gort_trace_summary_end_time(const gort_trace_summary *s)
{
	return s ? s->last_ts : 0;
}

size_t gort_trace_summary_goroutine_count(const gort_trace_summary *s)
{
	return s && s->finished ? s->ngs : 0;
}

const struct gort_trace_goroutine_summary *gort_trace_summary_goroutine(const gort_trace_summary *s,
									size_t i)
{
	return s && s->finished && i < s->ngs ? &s->out[i] : NULL;
}

size_t gort_trace_summary_group_count(const gort_trace_summary *s)
{
	return s && s->finished ? s->ngroups : 0;
}

const struct gort_trace_goroutine_group *gort_trace_summary_group(const gort_trace_summary *s,
								  size_t i)
{
	return s && s->finished && i < s->ngroups ? &s->groups[i] : NULL;
}

size_t gort_trace_summary_region_count(const gort_trace_summary *s)
{
	return s && s->finished ? s->nregs : 0;
}

const struct gort_trace_region_group *gort_trace_summary_region(const gort_trace_summary *s,
								size_t i)
{
	return s && s->finished && i < s->nregs ? &s->regs[i] : NULL;
}

size_t gort_trace_summary_gc_count(const gort_trace_summary *s, uint64_t *dropped)
{
	if (dropped)
		*dropped = s && s->finished ? s->gc.dropped : 0;
	return s && s->finished ? s->gc.n : 0;
}

const struct gort_trace_pause *gort_trace_summary_gc(const gort_trace_summary *s, size_t i)
{
	return s && s->finished && i < s->gc.n ? &s->gc.e[i] : NULL;
}

size_t gort_trace_summary_stw_count(const gort_trace_summary *s, uint64_t *dropped)
{
	if (dropped)
		*dropped = s && s->finished ? s->stw.dropped : 0;
	return s && s->finished ? s->stw.n : 0;
}

const struct gort_trace_pause *gort_trace_summary_stw(const gort_trace_summary *s, size_t i)
{
	return s && s->finished && i < s->stw.n ? &s->stw.e[i] : NULL;
}

const struct gort_trace_histogram *gort_trace_summary_histogram(const gort_trace_summary *s,
								int kind)
{
	if (!s || !s->finished || kind < 0 || kind >= GORT_TRACE_HIST_KINDS)
		return NULL;
	return &s->hist[kind];
}

const char *gort_trace_hist_kind_name(int kind)
{
	static const char *const n[] = {"sched", "block", "syscall", "stw", "gc"};

	return kind >= 0 && (size_t)kind < GORT_ARRAY_SIZE(n) ? n[kind] : "bad";
}

int64_t gort_trace_histogram_quantile(const struct gort_trace_histogram *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h || h->count == 0)
		return 0;
	if (!(q > 0))
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)(q * (double)h->count);
	if (rank >= h->count)
		rank = h->count - 1;
	for (int b = 0; b < GORT_TRACE_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen > rank) {
			int64_t hi = b == 0 ? 0 : b >= 63 ? INT64_MAX : ((int64_t)1 << b) - 1;
			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}
