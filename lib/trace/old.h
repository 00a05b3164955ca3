/*
 * The old trace format (Go 1.5-1.21 writers; format versions 1.5, 1.7, 1.8,
 * 1.9, 1.10, 1.11, 1.19, 1.21), read as a stream and converted to the
 * events of the generation format, as Go 1.22+'s internal/trace does for
 * 1.11+ (internal/trace/internal/tracev1/{parser,order}.go, then
 * internal/trace/tracev1.go), and with Go 1.21's wire rules
 * (internal/trace/parser.go: argNum, order1005) for 1.5-1.10.
 *
 * Pipeline, one event at a time (docs/TRACE.md, "Old format"):
 *   index   oldwire.c   one pass over the file: batch starts per P, the
 *                       string and stack tables, frequency, timer
 *                       goroutines, CPU samples, per batch the earliest
 *                       real syscall-exit time
 *   merge   oldmerge.c  parseEventBatches: batches loaded lazily per P,
 *                       merged by timestamp and goroutine sequence numbers;
 *                       syscall exits moved to their real time (a
 *                       reorder heap replaces Go's sort.Stable);
 *                       nanoseconds; postProcessTrace's checks
 *   convert oldconv.c   traceV1Converter: v1 events to generation-format
 *                       events (struct gort_tev) and the Reader's Syncs
 */
#ifndef GORT_TRACE_OLD_H
#define GORT_TRACE_OLD_H

#include "gen.h"
#include "idmap.h"
#include "order.h"

/* tracev1 event types (runtime/trace.go before Go 1.22). */
enum {
	V1_NONE = 0, V1_BATCH, V1_FREQUENCY, V1_STACK, V1_GOMAXPROCS,
	V1_PROC_START, V1_PROC_STOP, V1_GC_START, V1_GC_DONE, V1_STW_START,
	V1_STW_DONE, V1_GC_SWEEP_START, V1_GC_SWEEP_DONE, V1_GO_CREATE,
	V1_GO_START, V1_GO_END, V1_GO_STOP, V1_GO_SCHED, V1_GO_PREEMPT,
	V1_GO_SLEEP, V1_GO_BLOCK, V1_GO_UNBLOCK, V1_GO_BLOCK_SEND,
	V1_GO_BLOCK_RECV, V1_GO_BLOCK_SELECT, V1_GO_BLOCK_SYNC,
	V1_GO_BLOCK_COND, V1_GO_BLOCK_NET, V1_GO_SYS_CALL, V1_GO_SYS_EXIT,
	V1_GO_SYS_BLOCK, V1_GO_WAITING, V1_GO_IN_SYSCALL, V1_HEAP_ALLOC,
	V1_HEAP_GOAL, V1_TIMER_GOROUTINE, V1_FUTILE_WAKEUP, V1_STRING,
	V1_GO_START_LOCAL, V1_GO_UNBLOCK_LOCAL, V1_GO_SYS_EXIT_LOCAL,
	V1_GO_START_LABEL, V1_GO_BLOCK_GC, V1_GC_MARK_ASSIST_START,
	V1_GC_MARK_ASSIST_DONE, V1_USER_TASK_CREATE, V1_USER_TASK_END,
	V1_USER_REGION, V1_USER_LOG, V1_CPU_SAMPLE, V1_COUNT
};

/* tracev1's fake Ps. */
enum {
	V1_TIMER_P = 1000001, V1_NETPOLL_P, V1_SYSCALL_P, V1_GC_P, V1_PROFILE_P
};

/* tracev1.EventDescriptions, plus the version each type appeared in. */
struct gort_v1desc {
	const char *name;
	uint8_t min_ver;
	bool stack;
	uint8_t nargs;
};
const struct gort_v1desc *gort__v1_desc(unsigned typ);

/* tracev1.Event, plus where it was read (for messages). */
struct gort_v1ev {
	int64_t ts;
	uint64_t g;
	uint64_t args[4];
	int64_t seq; /* format 1.5: the global sequence number */
	uint64_t off;
	uint32_t stk;
	int32_t p;
	uint8_t type;
};

/* A batch (EvBatch header) of one P, from the index. */
struct gort_v1batch {
	uint64_t off;
	union {
		struct { /* 1.7+ */
			int64_t exit_min;  /* earliest real time of its GoSysExit events */
			int64_t exit_rest; /* ... of this and the P's later batches */
		};
		struct { /* 1.5 */
			int64_t exit_seq;  /* smallest sequence number of its GoSysExits */
			int64_t seq0;      /* the header's: no event of it is before */
		};
	};
	uint32_t next;     /* the P's next batch, UINT32_MAX if none */
	uint32_t proc;     /* index in procs */
};

/*
 * A P's stream: its batches, the loaded one, its parse state. Format 1.5:
 * a P whose sequence numbers go back from one batch to the next (in file
 * order) has one stream per run of batches that do not (oldwire.c).
 */
struct gort_v1proc {
	int32_t pid;
	uint32_t first, last, next; /* batches; next to load */
	struct gort_v1ev *evs;      /* the loaded batch */
	int64_t *exit_from;         /* exit_from[i]: earliest real exit in evs[i..] */
	size_t nevs, pos, cap, cap_exit;
	int64_t front_exit;         /* real exit time of its frontier event */
	uint64_t last_g;
	uint64_t g0;                /* last_g before its first batch (1.5 streams) */
	uint64_t cur_off, cur_len;  /* the loaded batch in the file (progress) */
	int64_t idx_seq;            /* index, 1.5: sequence of its last event */
	uint64_t idx_g;             /* index, 1.5: the P's G after its last event */
	bool idx_seen;
	bool done;
};

/*
 * Format 1.5's merge by sequence number (oldmerge.c): a P's next event,
 * or while its next batch is not loaded a lower bound of it (the batch
 * header's sequence number and offset).
 */
struct gort_v1head {
	int64_t seq;
	uint64_t off;
	uint32_t proc;
	bool loaded;
};

/* A GoSysExit taken out of its batch ahead of time (format 1.5). */
struct gort_v1exit {
	struct gort_v1ev ev;
	uint32_t proc;
};

struct gort_v1front {
	struct gort_v1ev ev;
	uint32_t proc;
};

struct gort_v1keyed {
	int64_t key;
	uint64_t seq;
	struct gort_v1ev ev;
};

/* postProcessTrace's gdesc and pdesc. */
struct gort_v1gdesc {
	uint8_t state;
	uint8_t ev_type;     /* type of g.ev, 0 for nil */
	bool has_create;     /* g.evCreate != nil */
	bool mark_assist;    /* g.evMarkAssist != nil */
	uint32_t create_stk; /* uint32(g.evCreate.Args[1]) */
};

struct gort_v1pdesc {
	bool running, sweep, stw;
	uint64_t g;
};

/* A goroutine's stack of active regions: (task, name) pairs. */
struct gort_v1regions {
	size_t n, cap;
	uint64_t pairs[];
};

/* A growable FIFO of events. */
struct gort_v1queue {
	struct gort_v1ev *q;
	size_t start, len, cap;
};

/* Where the passes over the whole file report (gort_trace_opts.progress). */
struct gort_old_progress {
	void (*fn)(int step, uint64_t done, uint64_t total, void *arg);
	void *arg;
};

struct gort_old {
	const struct gort_view *v;
	int ver;
	struct gort_tgen *tab; /* the strings and stacks of the whole trace */

	/* index */
	struct gort_v1batch *batches;
	size_t nbatches, cap_batches;
	struct gort_v1proc *procs; /* in order of first appearance; ProfileP last */
	size_t nprocs, cap_procs;
	struct gort_idmap pidx;   /* pid -> index in procs (its latest stream) */
	struct gort_idmap timer_g;
	int64_t ticks_per_sec;
	uint64_t max_string;      /* highest string ID */
	uint64_t *rargs;          /* arguments of the raw event being read */
	size_t cap_rargs;
	uint64_t cur_batch;       /* offset of the batch being read, for messages */
	uint64_t read_bytes;      /* bytes of the batches consumed, for progress */
	size_t nfutile;           /* FutileWakeup events in the trace */
	/* format 1.5 */
	bool seq_unsorted;        /* sequence numbers go back in a batch: sorted whole */
	bool skip_exits;          /* loading leaves GoSysExits out (taken ahead) */
	uint32_t *harvest;        /* batches with GoSysExits, by their exit_seq */
	size_t nharvest, harvest_pos;
	struct gort_v1head *heads; /* min-heap on (seq, proc) */
	size_t nheads;
	struct gort_v1exit *exits; /* min-heap on (seq, proc, off) */
	size_t nexits, cap_exits;
	struct gort_v1proc scratch; /* where a batch's exits are parsed */
	bool seq_started, have_seq_ts;
	int64_t seq_ts;           /* time of the last event merged */
	/* Every event, ordered: a format 1.5 trace whose sequence numbers go
	   back within a batch (order1005 on the whole trace). */
	struct gort_v1ev *all;
	size_t nall, nall_cap, all_pos;
	bool all_loaded;
	/* Futile wakeups (1.5-1.10, removeFutile): the offsets of the first
	   events of the wakeup sequences to drop, sorted, found by an ordering
	   pass before the one that delivers (oldmerge.c); per goroutine, its
	   open sequence in either pass. */
	bool prepared, futile_on;
	uint64_t *futile_starts;
	size_t nfutile_starts, cap_futile_starts;
	struct gort_idmap futile_g;
	/* Progress reports of the index and futile-wakeup passes, or NULL. */
	const struct gort_old_progress *progress;

	/* merge (order.go, parseEventBatches) */
	uint32_t *avail;
	size_t navail;
	struct gort_v1front *front; /* min-heap on ts */
	size_t nfront;
	struct gort_idmap gseq, gstatus; /* order.go: gState per goroutine */
	bool merge_done;
	bool have_last;
	int64_t last_merged;
	struct gort_idmap last_block; /* g -> ts of GoSysBlock / GoInSyscall */
	struct gort_v1keyed *heap;    /* sort.Stable by the new times */
	size_t nheap, cap_heap;
	uint64_t nseq;
	int64_t exit_bound;           /* no unmerged syscall exit is earlier */

	/* nanoseconds and postProcessTrace */
	bool have_min;
	int64_t min_ts;
	double freq;
	struct gort_idmap pp_gidx, pp_pidx, pp_tasks, pp_regions;
	struct gort_v1gdesc *pp_g;
	size_t npp_g, cap_pp_g;
	struct gort_v1pdesc *pp_p;
	size_t npp_p, cap_pp_p;
	struct gort_v1gdesc pp_zero; /* what Go reads for a missing goroutine */
	bool in_gc, in_stw;

	/* convert (tracev1.go) */
	struct gort_v1queue look;   /* post-processed events read ahead */
	bool src_done;
	struct gort_tev *extra;
	size_t nextra, extra_pos, cap_extra;
	bool pre_init;
	struct gort_idmap created_pre_init, seen_procs, proc_ms;
	struct gort_idmap tasks, task_parents; /* task -> name string ID, parent */
	uint64_t last_stw;
	int64_t last_ts;
	uint64_t builtin0;      /* string ID of the first built-in string */
	uint64_t inline_id;     /* the string ID carrying a Log's message */
	uint32_t inline_slot;   /* its index in tab->strs */
	uint64_t syncs;
	bool done;
};

/* oldwire.c */
int gort__old_index(struct gort_old *o);
/* loadBatch: the next batch of proc p into p->evs; GORT_EEND when none. */
int gort__old_load(struct gort_old *o, struct gort_v1proc *p);
/* Format 1.5: the GoSysExit events of batch bi into o->scratch.evs. */
int gort__old_load_exits(struct gort_old *o, uint32_t bi);
/* Bytes of the trace whose events have been merged (an estimate). */
uint64_t gort__old_progress(const struct gort_old *o);

/*
 * oldmerge.c: the ordering pass that finds the futile wakeups of a trace
 * that has some (1.5-1.10), then back to the start; nothing for others.
 * gort__old_next_v1 runs it if it has not run; its errors are those of
 * ordering the trace.
 */
int gort__old_prepare(struct gort_old *o);
/* The next post-processed v1 event; GORT_EEND at the end. */
int gort__old_next_v1(struct gort_old *o, struct gort_v1ev *ev);
void gort__old_merge_free(struct gort_old *o);

/* oldconv.c: the reader over it. */
int gort__old_new(struct gort_old **out, const struct gort_view *v, int ver,
		  struct gort_tgen *tab, const struct gort_old_progress *progress);
/* The next converted event; GORT_EEND after the last Sync. */
int gort__old_next(struct gort_old *o, struct gort_tev *e);
void gort__old_free(struct gort_old *o);

/* Grow *p (elements of elsz bytes) to hold need elements. */

#endif
