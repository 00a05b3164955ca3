/*
 * The event table of the generation format (Go 1.22+), mirroring
 * internal/trace/tracev2/events.go (types, argument names, which arguments
 * are string and stack IDs, range start events, experiments) and the
 * event-kind table of internal/trace/event.go (tracev2Type2Kind).
 */
#ifndef GORT_TRACE_SPEC_H
#define GORT_TRACE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

enum {
	EV_NONE = 0,
	/* Structural events. */
	EV_EVENT_BATCH = 1, EV_STACKS, EV_STACK, EV_STRINGS, EV_STRING,
	EV_CPU_SAMPLES, EV_CPU_SAMPLE, EV_FREQUENCY,
	/* Procs. */
	EV_PROCS_CHANGE = 9, EV_PROC_START, EV_PROC_STOP, EV_PROC_STEAL,
	EV_PROC_STATUS,
	/* Goroutines. */
	EV_GO_CREATE = 14, EV_GO_CREATE_SYSCALL, EV_GO_START, EV_GO_DESTROY,
	EV_GO_DESTROY_SYSCALL, EV_GO_STOP, EV_GO_BLOCK, EV_GO_UNBLOCK,
	EV_GO_SYSCALL_BEGIN, EV_GO_SYSCALL_END, EV_GO_SYSCALL_END_BLOCKED,
	EV_GO_STATUS,
	/* STW. */
	EV_STW_BEGIN = 26, EV_STW_END,
	/* GC. */
	EV_GC_ACTIVE = 28, EV_GC_BEGIN, EV_GC_END, EV_GC_SWEEP_ACTIVE,
	EV_GC_SWEEP_BEGIN, EV_GC_SWEEP_END, EV_GC_MARK_ASSIST_ACTIVE,
	EV_GC_MARK_ASSIST_BEGIN, EV_GC_MARK_ASSIST_END, EV_HEAP_ALLOC,
	EV_HEAP_GOAL,
	/* Annotations. */
	EV_GO_LABEL = 39, EV_USER_TASK_BEGIN, EV_USER_TASK_END,
	EV_USER_REGION_BEGIN, EV_USER_REGION_END, EV_USER_LOG,
	/* Go 1.23. */
	EV_GO_SWITCH = 45, EV_GO_SWITCH_DESTROY, EV_GO_CREATE_BLOCKED,
	EV_GO_STATUS_STACK, EV_EXPERIMENTAL_BATCH,
	/* Go 1.25. */
	EV_SYNC = 50, EV_CLOCK_SNAPSHOT,
	/* Go 1.26. */
	EV_END_OF_GENERATION = 52,
	/* Experimental (AllocFree), Go 1.23. */
	EV_SPAN = 128, EV_SPAN_ALLOC, EV_SPAN_FREE, EV_HEAP_OBJECT,
	EV_HEAP_OBJECT_ALLOC, EV_HEAP_OBJECT_FREE, EV_GOROUTINE_STACK,
	EV_GOROUTINE_STACK_ALLOC, EV_GOROUTINE_STACK_FREE,
	EV_NUM_SPECS = 137,
	/* Not a wire type: Go's evSync (^EventType(0)), the reader's Sync. */
	EV_SYNC_EVENT = 255
};

/* internal/trace/tracev2: GoStatus and ProcStatus wire values. */
enum { GO_BAD, GO_RUNNABLE, GO_RUNNING, GO_SYSCALL, GO_WAITING };
enum { PROC_BAD, PROC_RUNNING, PROC_IDLE, PROC_SYSCALL, PROC_SYSCALL_ABANDONED };

#define GORT_TRACE_MAX_ARGS 5 /* tracev2.MaxTimedEventArgs */

struct gort_trace_spec {
	const char *name;
	uint8_t nargs;               /* including the timestamp ("dt") */
	const char *args[GORT_TRACE_MAX_ARGS];
	int8_t stack_arg[2];         /* argument index (dt = 0) or -1 */
	int8_t string_arg[2];        /* argument index (dt = 0) or -1 */
	uint8_t start_ev;            /* begin event of a range end, or 0 */
	bool timed;
	uint8_t experiment;          /* 0: none, 1: AllocFree */
	uint8_t kind;                /* enum gort_trace_event_kind */
};

/* Spec of a wire type; NULL past the table (type >= EV_NUM_SPECS). */
const struct gort_trace_spec *gort__trace_spec(unsigned typ);
/* Event kind of an event type, including EV_SYNC_EVENT. */
int gort__trace_kind(unsigned typ);
/* Name of an experiment ("None", "AllocFree"), "" if unknown. */
const char *gort__trace_experiment_name(unsigned exp);

#endif
