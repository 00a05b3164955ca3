/*
 * libgoinspect: summaries and exports of Go execution traces, computed over
 * the ordered events of include/gort/trace.h (any trace format the reader
 * accepts).
 *
 * Summaries: the per-goroutine statistics behind `go tool trace`'s
 * goroutine analysis, exactly as Go computes them (internal/trace/summary.go:
 * execution time, scheduler wait, syscall time, block time by reason, time
 * in ranges such as GC mark assist and sweep), grouped by start function as
 * cmd/trace/goroutines.go groups them; user regions by name; the GC mark
 * phases and stop-the-world pauses; latency histograms.
 *
 * A gort_trace_summary is fed events one by one (gort_trace_summary_add,
 * from any event loop) or runs over a whole trace (gort_trace_summarize).
 * Memory: a fixed amount per goroutine, per distinct string (block reasons,
 * range and region names, start functions) and per open region, plus the
 * pause lists (capped by opts.max_pauses); never per event.
 *
 * Exports stream the trace to a write callback: Chrome/Perfetto JSON (the
 * Trace Event Format, for ui.perfetto.dev and chrome://tracing), CSV of
 * every event, or CSV of the goroutine summary; over a whole trace
 * (gort_trace_export) or fed events one by one (gort_trace_exporter, for a
 * caller that runs its own event loop: progress, filters).
 *
 * Thread safety: a summary or an exporter is used by one thread at a time;
 * once finished, a summary's accessors may be called from many threads.
 */
#ifndef GORT_TRACE_STATS_H
#define GORT_TRACE_STATS_H

#include <gort/common.h>
#include <gort/trace.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statistics computed over a trace's events (opaque; gort_trace_summary_new). */
typedef struct gort_trace_summary gort_trace_summary;
/* An export fed events one by one (opaque; gort_trace_exporter_new). */
typedef struct gort_trace_exporter gort_trace_exporter;

/* Options of a summary (GORT_OPTS; NULL: defaults). */
struct gort_trace_summary_opts {
	size_t sz; /* sizeof(struct gort_trace_summary_opts) */
	/*
	 * At most this many GC mark phases and as many stop-the-world pauses
	 * are listed (the histograms count them all); 0 means 1,000,000.
	 */
	uint64_t max_pauses;
};

/* A named duration: a block reason, a range or a region name. */
struct gort_trace_stat {
	struct gort_str name; /* the reason or name */
	int64_t ns;           /* total duration */
};

/*
 * Go's GoroutineSummary (times in ns on the trace clock; 0 = never, as in
 * Go). The durations are those of GoroutineExecStats; unknown_time is
 * Go's UnknownTime(): total_time not accounted for by the others.
 */
struct gort_trace_goroutine_summary {
	int64_t id;           /* goroutine ID */
	struct gort_str name; /* start function; "" if no stack was seen */
	uint64_t pc;          /* first PC seen for it */
	int64_t creation_time;      /* CreationTime: when it was created */
	int64_t start_time;         /* StartTime: when it first ran */
	int64_t end_time;           /* EndTime: when it ended */
	int64_t exec_time;          /* ExecTime: running */
	int64_t sched_wait_time;    /* SchedWaitTime: runnable, not running */
	int64_t syscall_time;       /* SyscallTime: in syscalls */
	int64_t syscall_block_time; /* SyscallBlockTime: blocked in syscalls */
	int64_t total_time;         /* TotalTime: end (or trace end) - start */
	int64_t unknown_time;       /* UnknownTime() */
	int64_t block_time; /* sum of block[] */
	size_t nblock;      /* BlockTimeByReason, sorted by reason */
	const struct gort_trace_stat *block; /* nblock entries */
	size_t nrange; /* RangeTime ("GC mark assist", ...), sorted by name */
	const struct gort_trace_stat *range; /* nrange entries */
};

/*
 * Goroutines sharing a start function (cmd/trace's goroutine groups):
 * the sums of their statistics.
 */
struct gort_trace_goroutine_group {
	struct gort_str name;       /* start function ("" for goroutines without one) */
	uint64_t count;             /* goroutines in the group */
	int64_t exec_time;          /* sums of the goroutines' fields, in ns */
	int64_t sched_wait_time;    /* see gort_trace_goroutine_summary */
	int64_t syscall_time;       /* see gort_trace_goroutine_summary */
	int64_t syscall_block_time; /* see gort_trace_goroutine_summary */
	int64_t total_time;         /* see gort_trace_goroutine_summary */
	int64_t unknown_time;       /* see gort_trace_goroutine_summary */
	int64_t block_time;         /* see gort_trace_goroutine_summary */
	size_t nblock;              /* block time by reason, sorted by reason */
	const struct gort_trace_stat *block; /* nblock entries */
	size_t nrange;              /* time in ranges, sorted by name */
	const struct gort_trace_stat *range; /* nrange entries */
};

/*
 * User regions (runtime/trace.WithRegion) with one name, over every
 * goroutine: how many, and the sums of Go's UserRegionSummary statistics.
 * Go counts a region still open when its goroutine ends or the trace ends,
 * and a synthetic unnamed region for goroutines created inside one.
 */
struct gort_trace_region_group {
	struct gort_str name;       /* region type ("" for the synthetic one) */
	uint64_t count;             /* regions of that name */
	int64_t exec_time;          /* sums over those regions, in ns, */
	int64_t sched_wait_time;    /* as in gort_trace_goroutine_summary */
	int64_t syscall_time;       /* see exec_time */
	int64_t syscall_block_time; /* see exec_time */
	int64_t total_time;         /* see exec_time */
	int64_t block_time;         /* see exec_time */
};

/* A GC mark phase or a stop-the-world pause. */
struct gort_trace_pause {
	int64_t start; /* the trace's first Sync for a phase already running */
	int64_t end;   /* 0 if still running at the end of the trace */
	struct gort_str reason; /* STW reason ("GC sweep termination"...); "" for GC */
};

/* Histograms of durations. */
enum gort_trace_hist_kind {
	GORT_TRACE_HIST_SCHED = 0,   /* runnable until running (scheduler latency) */
	GORT_TRACE_HIST_BLOCK = 1,   /* waiting, any reason but "forever" */
	GORT_TRACE_HIST_SYSCALL = 2, /* in a syscall, entry to exit */
	GORT_TRACE_HIST_STW = 3,     /* stop-the-world pauses */
	GORT_TRACE_HIST_GC = 4,      /* GC mark phases */
	GORT_TRACE_HIST_KINDS = 5
};

/* Buckets of a gort_trace_histogram. */
#define GORT_TRACE_HIST_BUCKETS 64

/*
 * Bucket 0 counts durations <= 0 ns, bucket i (1..63) durations d with
 * 2^(i-1) <= d < 2^i ns. Only intervals that both start and end inside the
 * trace are counted.
 */
struct gort_trace_histogram {
	uint64_t count; /* durations counted */
	int64_t sum;    /* their sum, ns */
	int64_t min;    /* the shortest, ns; 0 when count is 0 */
	int64_t max;    /* the longest, ns; 0 when count is 0 */
	uint64_t buckets[GORT_TRACE_HIST_BUCKETS]; /* counts, as above */
};

/*
 * A new empty summary; *out is yours: free it with gort_trace_summary_free().
 * Errors: GORT_EINVAL (NULL out, unknown non-zero options), GORT_ENOMEM.
 */
GORT_API int gort_trace_summary_new(gort_trace_summary **out,
				    const struct gort_trace_summary_opts *opts);
/*
 * Feed the next ordered event (Go's Summarizer.Event). Events inconsistent
 * with what came before (from a damaged trace) are ignored where Go would
 * crash. Errors: GORT_ENOMEM, GORT_EINVAL (after finish).
 */
GORT_API int gort_trace_summary_add(gort_trace_summary *s,
				    const struct gort_trace_event *ev);
/*
 * No more events (Go's Summarizer.Finalize): close what is still open at
 * the last event's time and build the tables the accessors return.
 * A second call does nothing. Errors: GORT_ENOMEM, GORT_EINVAL (NULL).
 */
GORT_API int gort_trace_summary_finish(gort_trace_summary *s);
/*
 * Read every event of t into a new finished summary. A read error fails
 * the whole call (use _new/_add/_finish to keep a partial summary).
 */
GORT_API int gort_trace_summarize(gort_trace_summary **out, gort_trace *t,
				  const struct gort_trace_summary_opts *opts);
/* Accepts NULL. */
GORT_API void gort_trace_summary_free(gort_trace_summary *s);

/*
 * Accessors of a finished summary (0 / NULL before finish, or i out of
 * range). Items are borrowed from the summary: valid until
 * gort_trace_summary_free(). They report no errors.
 */
/* Events fed so far (any time). */
GORT_API uint64_t gort_trace_summary_events(const gort_trace_summary *s);
/* Time of the first event fed, ns on the trace clock (any time). */
GORT_API int64_t gort_trace_summary_start_time(const gort_trace_summary *s);
/* Time of the last event fed, ns on the trace clock (any time). */
GORT_API int64_t gort_trace_summary_end_time(const gort_trace_summary *s);
/* Goroutines, sorted by ID. */
GORT_API size_t gort_trace_summary_goroutine_count(const gort_trace_summary *s);
/* Goroutine i (sorted by ID); borrowed from s, NULL if out of range. */
GORT_API const struct gort_trace_goroutine_summary *
gort_trace_summary_goroutine(const gort_trace_summary *s, size_t i);
/* Groups by start function, by total execution time descending, then name. */
GORT_API size_t gort_trace_summary_group_count(const gort_trace_summary *s);
/* Group i in that order; borrowed from s, NULL if out of range. */
GORT_API const struct gort_trace_goroutine_group *
gort_trace_summary_group(const gort_trace_summary *s, size_t i);
/* Region groups, sorted by name. */
GORT_API size_t gort_trace_summary_region_count(const gort_trace_summary *s);
/* Region group i (sorted by name); borrowed from s, NULL if out of range. */
GORT_API const struct gort_trace_region_group *
gort_trace_summary_region(const gort_trace_summary *s, size_t i);
/* GC mark phases listed, in time order; *dropped (if not NULL): past max_pauses. */
GORT_API size_t gort_trace_summary_gc_count(const gort_trace_summary *s, uint64_t *dropped);
/* GC mark phase i in time order; borrowed from s, NULL if out of range. */
GORT_API const struct gort_trace_pause *gort_trace_summary_gc(const gort_trace_summary *s,
							     size_t i);
/* Stop-the-world pauses listed, in time order; *dropped (if not NULL): past max_pauses. */
GORT_API size_t gort_trace_summary_stw_count(const gort_trace_summary *s, uint64_t *dropped);
/* Stop-the-world pause i in time order; borrowed from s, NULL if out of range. */
GORT_API const struct gort_trace_pause *gort_trace_summary_stw(const gort_trace_summary *s,
							      size_t i);
/* kind: enum gort_trace_hist_kind; NULL if out of range. */
GORT_API const struct gort_trace_histogram *
gort_trace_summary_histogram(const gort_trace_summary *s, int kind);
/* Short name of an enum gort_trace_hist_kind ("sched", "gc", ...), "bad" out of range. Static. */
GORT_API const char *gort_trace_hist_kind_name(int kind);
/*
 * The q-quantile (0 <= q <= 1) of a histogram, as the upper bound of the
 * bucket that holds it (clamped to max): an estimate within a factor of 2.
 */
GORT_API int64_t gort_trace_histogram_quantile(const struct gort_trace_histogram *h, double q);

/* Export formats. */
enum gort_trace_export_format {
	/* Trace Event Format JSON: goroutine and P tracks, GC, logs, metrics. */
	GORT_TRACE_EXPORT_PERFETTO = 1,
	/* CSV, one row per event (header first). */
	GORT_TRACE_EXPORT_CSV = 2,
	/* CSV, one row per goroutine of the summary (header first). */
	GORT_TRACE_EXPORT_GOROUTINES_CSV = 3
};

/*
 * Output sink: write all n bytes of buf, return 0 or a negative GORT_E*
 * code (which stops the export and is returned).
 */
typedef int (*gort_trace_write_fn)(const void *buf, size_t n, void *arg);

/*
 * Read t from the beginning and write it in `format` through write(arg),
 * streaming (memory bounded as for a summary). Errors: those of reading the
 * trace (after which the output is incomplete), GORT_EINVAL, the sink's.
 */
GORT_API int gort_trace_export(gort_trace *t, int format, gort_trace_write_fn write,
			       void *arg);
/* Same, into a new file at path (GORT_EIO). */
GORT_API int gort_trace_export_file(gort_trace *t, int format, const char *path);
/*
 * Write a finished summary's goroutine table as CSV through write(arg).
 * Errors: GORT_EINVAL (NULL, or not finished), GORT_ENOMEM, the sink's.
 */
GORT_API int gort_trace_summary_write_csv(const gort_trace_summary *s,
					  gort_trace_write_fn write, void *arg);

/*
 * An export in `format` (enum gort_trace_export_format) through write(arg),
 * fed the ordered events of one trace by the caller:
 * gort_trace_export() is this with gort_trace_event_iter_next() feeding
 * it. Output goes through write() in 64 KiB pieces as it is produced (the
 * perfetto header at once); goroutines-csv writes only at finish. *out is
 * yours: free it with gort_trace_exporter_free().
 * Errors: GORT_EINVAL (NULL out or write, unknown format), GORT_ENOMEM.
 */
GORT_API int gort_trace_exporter_new(gort_trace_exporter **out, int format,
				     gort_trace_write_fn write, void *arg);
/*
 * Feed the next event (borrowed: only read during the call). Errors (sticky:
 * every later call returns the first one): the sink's, GORT_ENOMEM,
 * GORT_EINVAL (NULL, or after finish).
 */
GORT_API int gort_trace_exporter_add(gort_trace_exporter *x,
				     const struct gort_trace_event *ev);
/*
 * Write what is buffered without ending the output, e.g. the events before
 * a read error (the output is then incomplete, as gort_trace_export leaves
 * it); nothing for goroutines-csv. Errors: the sticky one, the sink's.
 */
GORT_API int gort_trace_exporter_flush(gort_trace_exporter *x);
/*
 * No more events: close what is still open at the last event's time, end
 * the output and write it all. A second call returns the first one's
 * result. Errors: the sticky one, the sink's, GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_trace_exporter_finish(gort_trace_exporter *x);
/* Free an exporter (writes nothing); accepts NULL. */
GORT_API void gort_trace_exporter_free(gort_trace_exporter *x);

#ifdef __cplusplus
}
#endif

#endif
