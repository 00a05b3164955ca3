/*
 * libgoinspect: Go execution traces (runtime/trace, `go test -trace`).
 *
 * A gort_trace is an opened trace file (mapped, a caller's buffer, or
 * zstd-compressed input). Its events are read, in order, through a
 * gort_trace_event_iter: a streaming reader that holds one generation of
 * the trace at a time (batch index, string and stack tables, CPU samples)
 * plus the scheduler state machine, never the whole trace.
 *
 * The events and their order are those of Go's own reader
 * (internal/trace.Reader, Go 1.27), so `go tool trace -d=parsed` and
 * gort_trace_event_string() print the same lines.
 *
 * Formats: the generation format of Go 1.22 and later (format versions
 * 1.22, 1.23, 1.25, 1.26), and the old format of Go 1.5-1.21 (versions
 * 1.5, 1.7, 1.8, 1.9, 1.10, 1.11, 1.19, 1.21), whose events are converted
 * to the same model as Go's reader converts them (from 1.11 on; the older
 * ones with Go 1.21's parsing rules).
 *
 * Memory: an iterator holds one generation's tables and index (the batch
 * bytes stay in the input), and drops the pages of a mapped file it has
 * read past. For the old format it holds an index of the file (batch
 * offsets, the string and stack tables, CPU samples) and one batch per P;
 * only a format 1.5 trace whose sequence numbers wrap around within a
 * batch (not written by Go's runtime) needs all its events in memory. A
 * zstd-compressed trace is decompressed first, into a temporary file.
 *
 * Thread safety: a gort_trace may be shared by many threads, each with its
 * own iterators; an iterator is used by one thread at a time.
 */
#ifndef GORT_TRACE_H
#define GORT_TRACE_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opened execution trace (opaque; gort_trace_open). */
typedef struct gort_trace gort_trace;
/* A reader of a trace's events in order (opaque; gort_trace_event_iter_new). */
typedef struct gort_trace_event_iter gort_trace_event_iter;

/*
 * The steps of reading a trace that pass over the whole input before an
 * event can be returned, as gort_trace_opts.progress names them. Later
 * releases may add steps: show an unknown one without a name.
 */
enum gort_trace_step {
	/* gort_trace_open(): decompressing a zstd-compressed trace, bytes
	   decompressed of the size its (first) zstd frame records, or where
	   it records none, compressed bytes consumed of the input's size. */
	GORT_TRACE_STEP_DECOMPRESS = 1,
	/* gort_trace_event_iter_new(), old format (Go 1.5-1.21 writers):
	   indexing the file, bytes read of the trace's size. */
	GORT_TRACE_STEP_INDEX = 2,
	/* gort_trace_event_iter_new(), an old trace with FutileWakeup events
	   (Go 1.5-1.7 writers): the ordering pass that finds the futile
	   wakeups to leave out, bytes of the trace ordered of its size. */
	GORT_TRACE_STEP_FUTILE = 3
};

/* Options of gort_trace_open (GORT_OPTS; NULL: defaults). */
struct gort_trace_opts {
	size_t sz; /* sizeof(struct gort_trace_opts) */
	/* As gort_open_opts.max_decompressed: 0 means the default (64 GiB). */
	uint64_t max_decompressed;
	/*
	 * Called during the steps that pass over the whole trace before
	 * an event can be returned (enum gort_trace_step), with `done` of
	 * `total` units of that step: every MiB or so and once at the end of
	 * the step (done == total); each step counts from 0. Kept with the
	 * trace: called by gort_trace_open() (decompression) and then by
	 * every gort_trace_event_iter_new() on it (index, futile wakeups), on
	 * the calling thread, so concurrently if iterators are created from
	 * several threads at once. It must not call the library on the trace
	 * or iterator being made. NULL: no reports. The Go 1.22+ formats have
	 * no such step past decompression: their iterators read a generation
	 * at a time (gort_trace_event_iter_progress).
	 */
	void (*progress)(int step, uint64_t done, uint64_t total, void *arg);
	/* Passed to progress as `arg`. */
	void *progress_arg;
};

/*
 * Open the trace at `path`. On success *out is yours: free it with
 * gort_trace_close(). Errors: GORT_EIO, GORT_EFORMAT (not a Go trace),
 * GORT_EUNSUPPORTED (a trace format this library cannot read yet),
 * GORT_ECOMPRESSED, GORT_ETOOLARGE, GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_trace_open(gort_trace **out, const char *path,
			     const struct gort_trace_opts *opts);
/*
 * Same, over a caller's buffer, which must stay valid and unchanged until
 * gort_trace_close() (it is not copied unless it is zstd-compressed).
 * Errors: those of gort_trace_open() but GORT_EIO.
 */
GORT_API int gort_trace_open_memory(gort_trace **out, const void *data,
				    size_t size,
				    const struct gort_trace_opts *opts);
/* Accepts NULL. Close every iterator of the trace first. */
GORT_API void gort_trace_close(gort_trace *t);

/* Format version of the trace: N of "go 1.N trace" (5, 7, ..., 21, 22, 23, 25, 26). */
GORT_API int gort_trace_version(const gort_trace *t);

/* Event kinds: the values of Go's trace.EventKind. */
enum gort_trace_event_kind {
	GORT_TRACE_EVENT_BAD = 0,
	GORT_TRACE_EVENT_SYNC = 1,
	GORT_TRACE_EVENT_METRIC = 2,
	GORT_TRACE_EVENT_LABEL = 3,
	GORT_TRACE_EVENT_STACK_SAMPLE = 4,
	GORT_TRACE_EVENT_RANGE_BEGIN = 5,
	GORT_TRACE_EVENT_RANGE_ACTIVE = 6,
	GORT_TRACE_EVENT_RANGE_END = 7,
	GORT_TRACE_EVENT_TASK_BEGIN = 8,
	GORT_TRACE_EVENT_TASK_END = 9,
	GORT_TRACE_EVENT_REGION_BEGIN = 10,
	GORT_TRACE_EVENT_REGION_END = 11,
	GORT_TRACE_EVENT_LOG = 12,
	GORT_TRACE_EVENT_STATE_TRANSITION = 13,
	GORT_TRACE_EVENT_EXPERIMENTAL = 14
};

/* Go's trace.ResourceKind. */
enum gort_trace_resource_kind {
	GORT_TRACE_RESOURCE_NONE = 0,
	GORT_TRACE_RESOURCE_GOROUTINE = 1,
	GORT_TRACE_RESOURCE_PROC = 2,
	GORT_TRACE_RESOURCE_THREAD = 3
};

/* Go's trace.GoState. */
enum gort_trace_go_state {
	GORT_TRACE_GO_UNDETERMINED = 0,
	GORT_TRACE_GO_NOT_EXIST = 1,
	GORT_TRACE_GO_RUNNABLE = 2,
	GORT_TRACE_GO_RUNNING = 3,
	GORT_TRACE_GO_WAITING = 4,
	GORT_TRACE_GO_SYSCALL = 5
};

/* Go's trace.ProcState. */
enum gort_trace_proc_state {
	GORT_TRACE_PROC_UNDETERMINED = 0,
	GORT_TRACE_PROC_NOT_EXIST = 1,
	GORT_TRACE_PROC_RUNNING = 2,
	GORT_TRACE_PROC_IDLE = 3
};

/* No goroutine / proc / thread (Go's NoGoroutine, NoProc, NoThread). */
#define GORT_TRACE_NONE (-1)
/* No task (Go's NoTask). */
#define GORT_TRACE_NO_TASK UINT64_MAX
/* gort_trace_event.type of the reader's Sync events (not a wire type). */
#define GORT_TRACE_TYPE_SYNC 255

/* A Sync event (Go's trace.Sync): a generation boundary. */
struct gort_trace_sync {
	uint64_t n; /* this is the Nth Sync event, from 1 */
	/* From format 1.25 on: a snapshot of the trace, monotonic and wall clocks. */
	int has_clock_snapshot;
	int64_t snapshot_time;      /* trace clock, ns */
	uint64_t snapshot_mono;     /* monotonic clock, ns */
	int64_t snapshot_wall_sec;  /* wall clock: Unix time, seconds */
	int64_t snapshot_wall_nsec; /* and nanoseconds within the second */
};

/* A Metric event (Go's trace.Metric): a runtime/metrics sample. */
struct gort_trace_metric {
	struct gort_str name; /* "/sched/gomaxprocs:threads", ... */
	uint64_t value;       /* the sample (all current metrics are integers) */
};

/* A Label event (Go's trace.Label): a label attached to a resource. */
struct gort_trace_label {
	struct gort_str label; /* the label text */
	int resource_kind;     /* enum gort_trace_resource_kind */
	int64_t resource;      /* ID of the labelled resource */
};

/* An attribute of a range's end (Go's trace.RangeAttribute). */
struct gort_trace_range_attr {
	struct gort_str name; /* "bytes swept", ... */
	uint64_t value;       /* its value */
};

/* A range begin, active or end event (Go's trace.Range). */
struct gort_trace_range {
	struct gort_str name; /* "GC concurrent mark phase", ... */
	int scope_kind;       /* enum gort_trace_resource_kind */
	int64_t scope;        /* ID of the scope resource (not for NONE) */
	size_t nattrs;        /* range ends only */
	struct gort_trace_range_attr attrs[2]; /* the first nattrs are set */
};

/* A task begin or end event (Go's trace.Task, runtime/trace.NewTask). */
struct gort_trace_task {
	uint64_t id;          /* task ID */
	uint64_t parent;      /* GORT_TRACE_NO_TASK if none */
	struct gort_str type; /* task type ("" where the trace does not name it) */
};

/* A region begin or end event (Go's trace.Region, runtime/trace.WithRegion). */
struct gort_trace_region {
	uint64_t task;        /* the task it belongs to (0: the background task) */
	struct gort_str type; /* region type (its name) */
};

/* A Log event (Go's trace.Log, runtime/trace.Log). */
struct gort_trace_log {
	uint64_t task;            /* the task it belongs to (0: the background task) */
	struct gort_str category; /* category ("" if none) */
	struct gort_str message;  /* message */
};

/* A StateTransition event (Go's trace.StateTransition). */
struct gort_trace_transition {
	int resource_kind; /* GOROUTINE or PROC */
	int64_t resource;  /* goroutine or proc ID */
	int from;          /* enum gort_trace_go_state or gort_trace_proc_state */
	int to;            /* same enum as from */
	struct gort_str reason; /* why ("chan receive", "preempted", ...; "" if none) */
	/* Stack of the transitioning resource (e.g. a new goroutine's). */
	int has_stack;
	uint64_t stack_id; /* as gort_trace_event.stack_id */
};

/* An event of an experiment (Go's trace.ExperimentalEvent), undecoded. */
struct gort_trace_experimental {
	struct gort_str name;       /* event type name, e.g. "SpanAlloc" */
	struct gort_str experiment; /* experiment name, e.g. "AllocFree" */
	size_t nargs;               /* arguments in args (at most 4) */
	const char *const *arg_names; /* nargs names (static storage) */
	uint64_t args[4];           /* argument values, as the wire has them */
};

/*
 * One ordered event. Borrowed: valid until the next call on its iterator.
 * Strings point into the trace (valid until gort_trace_close) or into the
 * iterator (valid until the next call).
 */
struct gort_trace_event {
	int kind;     /* enum gort_trace_event_kind */
	int type;     /* wire event type, or GORT_TRACE_TYPE_SYNC */
	int64_t time; /* ns on the trace clock */
	/* Execution context before the event; GORT_TRACE_NONE if none. */
	int64_t goroutine;
	int64_t proc;   /* P running it, or GORT_TRACE_NONE */
	int64_t thread; /* M (OS thread) running it, or GORT_TRACE_NONE */
	/* Stack of the event (Go's Event.Stack()); see gort_trace_event_stack. */
	int has_stack;
	uint64_t stack_id; /* 0 when has_stack is 0 */
	/* Details by kind: the member named after it (range for RANGE_*, ...). */
	union {
		struct gort_trace_sync sync;
		struct gort_trace_metric metric;
		struct gort_trace_label label;
		struct gort_trace_range range;
		struct gort_trace_task task;
		struct gort_trace_region region;
		struct gort_trace_log log;
		struct gort_trace_transition transition;
		struct gort_trace_experimental experimental;
	} u; /* see kind */
	gort_trace_event_iter *iter_; /* private */
};

/* One frame of a trace's stack (gort_trace_event_stack), Go's StackFrame. */
struct gort_trace_frame {
	uint64_t pc;          /* program counter */
	struct gort_str func; /* function name */
	struct gort_str file; /* source file */
	uint64_t line;        /* line in file */
};

/*
 * Start reading the events of t from the beginning. *out is yours: free it
 * with gort_trace_event_iter_free() before closing t. Several iterators
 * may read one trace, from different threads. For an old-format trace this
 * reads the whole file once to index it: errors in its structure
 * (GORT_EFORMAT, GORT_ETRUNCATED) are reported here. An old trace with
 * FutileWakeup events (Go 1.5-1.7 writers) is also ordered once here to
 * find the futile wakeups that are left out as Go 1.21 leaves them out;
 * errors of that ordering are returned by gort_trace_event_iter_next(),
 * as for other traces. Both passes report to gort_trace_opts.progress.
 */
GORT_API int gort_trace_event_iter_new(gort_trace_event_iter **out,
				       gort_trace *t);
/*
 * The next event in order: 0 and *ev, GORT_EEND after the last one, or an
 * error (GORT_EFORMAT, GORT_ETRUNCATED, GORT_ENOMEM...) naming the offset;
 * after an error the iterator only returns that error again.
 */
GORT_API int gort_trace_event_iter_next(gort_trace_event_iter *it,
					const struct gort_trace_event **ev);
/* Accepts NULL. */
GORT_API void gort_trace_event_iter_free(gort_trace_event_iter *it);

/*
 * How far `it` has read its trace, for a progress display: *done of *total
 * bytes (the trace's size, decompressed). done grows as the reader takes
 * in a generation (Go 1.22+ formats), or with the events delivered (older
 * formats: the batches consumed plus, in each P's loaded batch, the bytes
 * before its next event; for a trace ordered whole first, the share of
 * its events delivered), and equals total once
 * gort_trace_event_iter_next() returned GORT_EEND.
 * No I/O; constant time for the Go 1.22+ formats, and for the older ones
 * a walk over the Ps' batch streams (a few per P in real traces): call it
 * as often as a display refreshes, on the iterator's thread.
 * Errors: GORT_EINVAL (a NULL argument).
 */
GORT_API int gort_trace_event_iter_progress(const gort_trace_event_iter *it,
					    uint64_t *done, uint64_t *total);

/*
 * Frames of a stack of the event's generation (ev->stack_id, or
 * ev->u.transition.stack_id), innermost first. *frames is borrowed: valid
 * until the next call on the iterator. Stack ID 0 has no frames.
 * Errors: GORT_ENOTFOUND.
 */
GORT_API int gort_trace_event_stack(const struct gort_trace_event *ev,
				    uint64_t stack_id,
				    const struct gort_trace_frame **frames,
				    size_t *n);

/*
 * The event as Go's trace.Event.String() formats it: `go tool trace
 * -d=parsed` prints it followed by a newline. Events with stacks span
 * several lines and end in a newline of their own, as Go's do. *s is
 * borrowed, NUL-terminated, valid until the next call on the iterator.
 * Errors: GORT_ENOMEM, GORT_EINVAL (NULL, or an event not from an iterator).
 */
GORT_API int gort_trace_event_string(const struct gort_trace_event *ev,
				     struct gort_str *s);

/*
 * Name of an enum gort_trace_event_kind as Go prints it ("StateTransition",
 * ...), "Bad" out of range. Static storage; thread-safe.
 */
GORT_API const char *gort_trace_event_kind_name(int kind);
/* Name of an enum gort_trace_go_state ("Running", ...), "Bad" out of range. Static. */
GORT_API const char *gort_trace_go_state_name(int state);
/* Name of an enum gort_trace_proc_state ("Idle", ...), "Bad" out of range. Static. */
GORT_API const char *gort_trace_proc_state_name(int state);
/* Name of an enum gort_trace_resource_kind ("Goroutine", ...), "Bad" out of range. Static. */
GORT_API const char *gort_trace_resource_kind_name(int kind);

#ifdef __cplusplus
}
#endif

#endif
