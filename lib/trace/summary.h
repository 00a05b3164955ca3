/*
 * Internals of gort_trace_summary (include/gort/trace_stats.h): the state
 * of Go's Summarizer (internal/trace/summary.go) per goroutine, and the
 * tables built when it is finished.
 */
#ifndef GORT_TRACE_SUMMARY_H
#define GORT_TRACE_SUMMARY_H

#include "idmap.h"
#include "strtab.h"

#include "../common/internal.h"

/* A named value in a per-goroutine table: name is a strtab index. */
struct gort_skv {
	uint32_t name;
	int64_t v;
};

/* A growable table of named values, searched linearly (few names). */
struct gort_skvs {
	struct gort_skv *e;
	uint32_t n, cap;
};

/* The scalar part of GoroutineExecStats, which regions subtract. */
struct gort_sstats {
	int64_t exec, sched, syscall, sysblock, total, block;
};

/* An active region: a UserRegionSummary whose end is not seen yet. */
struct gort_sregion {
	uint32_t name;
	struct gort_sstats start; /* snapshot at the start (zero if synthetic) */
};

/* GoroutineSummary plus its goroutineSummary (pending) part. */
struct gort_sg {
	int64_t id;
	uint32_t name; /* strtab index; 0 = "" */
	uint64_t pc;
	int64_t creation, start, end;
	int64_t exec, sched, syscall, sysblock, total;
	struct gort_skvs block, range;
	/* goroutineSummary (pending state, reset by finalize) */
	int64_t last_start, last_runnable, last_block, last_syscall, last_sysblock;
	uint32_t last_block_reason;
	struct gort_skvs last_range;
	struct gort_sregion *regions;
	uint32_t nregions, cap_regions;
};

/* Open GC phase or STW pause; start 0 = none. */
struct gort_sopen {
	int64_t start;
	uint32_t reason;
	bool inside; /* began inside the trace (not an Active at a Sync) */
};

struct gort_spauses {
	struct gort_trace_pause *e;
	size_t n, cap;
	uint64_t dropped;
};

struct gort_trace_summary {
	uint64_t max_pauses;
	bool finished;
	uint64_t nevents;
	int64_t first_ts, last_ts, sync_ts;
	struct gort_istrs strs;
	/* Summarizer.gs: goroutine ID -> index in gs (replaced on re-creation). */
	struct gort_idmap gidx;
	struct gort_sg *gs;
	size_t ngs, cap_gs;
	/* Summarizer.syscallingP / syscallingG */
	struct gort_idmap syscalling_p, syscalling_g;
	/* Summarizer.rangesP: proc -> index in pranges; each a table name -> goroutine */
	struct gort_idmap pidx;
	struct gort_skvs *pranges;
	size_t npranges, cap_pranges;
	/* Region groups: name -> index+1 in regs */
	struct gort_idmap ridx;
	struct gort_trace_region_group *regs;
	size_t nregs, cap_regs;
	/* GC mark phases, STW pauses. */
	struct gort_sopen gc_open, stw_open;
	uint32_t gc_name; /* strtab index of "GC concurrent mark phase" */
	struct gort_spauses gc, stw;
	struct gort_trace_histogram hist[GORT_TRACE_HIST_KINDS];
	/* Built by finish. */
	struct gort_trace_goroutine_summary *out;
	struct gort_trace_goroutine_group *groups;
	size_t ngroups;
	struct gort_trace_stat *stats;       /* the tables out[] point into */
	struct gort_trace_stat *group_stats; /* the tables groups[] point into */
};

/* skvs helpers shared by summary.c and stats.c. */
int64_t *gort__skvs_get(struct gort_skvs *t, uint32_t name);
/* Entry for name, created with value 0 if absent (GORT_ENOMEM). */
int gort__skvs_put(struct gort_skvs *t, uint32_t name, int64_t **v);
void gort__skvs_del(struct gort_skvs *t, uint32_t name);

/* Go's int64 arithmetic on Time and Duration wraps: so does ours. */
static inline int64_t gort__tsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}
static inline int64_t gort__tadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* stats.c: build the accessor tables once every goroutine is finalized. */
int gort__summary_build(gort_trace_summary *s);
void gort__summary_free_tables(gort_trace_summary *s);
/* Count one duration in a histogram. */
void gort__hist_add(struct gort_trace_histogram *h, int64_t d);

#endif
