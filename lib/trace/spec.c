/*
 * Transcribed from internal/trace/tracev2/events.go (specs) and
 * internal/trace/event.go (tracev2Type2Kind) of Go 1.27.
 */
#include "spec.h"

#include <gort/trace.h>

#include <stddef.h>

#define NO {-1, -1}
#define I1(a) {a, -1}
#define I2(a, b) {a, b}
#define K(x) GORT_TRACE_EVENT_##x

/* T(name, nargs, args, stacks, strings, start, kind) for timed events. */
#define T(n, na, a, st, sg, start, kind) {n, na, a, st, sg, start, true, 0, K(kind)}
#define X(n, na, a) {n, na, a, NO, NO, 0, true, 1, K(EXPERIMENTAL)}
#define A(...) {__VA_ARGS__}

static const struct gort_trace_spec specs[EV_NUM_SPECS] = {
	[EV_EVENT_BATCH] = {"EventBatch", 4, A("gen", "m", "time", "size"), NO, NO, 0, false, 0, 0},
	[EV_STACKS] = {"Stacks", 0, A(NULL), NO, NO, 0, false, 0, 0},
	[EV_STACK] = {"Stack", 2, A("id", "nframes"), NO, NO, 0, false, 0, 0},
	[EV_STRINGS] = {"Strings", 0, A(NULL), NO, NO, 0, false, 0, 0},
	[EV_STRING] = {"String", 1, A("id"), NO, NO, 0, false, 0, 0},
	[EV_CPU_SAMPLES] = {"CPUSamples", 0, A(NULL), NO, NO, 0, false, 0, 0},
	[EV_CPU_SAMPLE] = {"CPUSample", 5, A("time", "m", "p", "g", "stack"), I1(4), NO, 0, false, 0, K(STACK_SAMPLE)},
	[EV_FREQUENCY] = {"Frequency", 1, A("freq"), NO, NO, 0, false, 0, 0},
	[EV_EXPERIMENTAL_BATCH] = {"ExperimentalBatch", 4, A("exp", "gen", "m", "time"), NO, NO, 0, false, 0, 0},
	[EV_SYNC] = {"Sync", 0, A(NULL), NO, NO, 0, false, 0, 0},
	[EV_END_OF_GENERATION] = {"EndOfGeneration", 0, A(NULL), NO, NO, 0, false, 0, 0},

	[EV_PROCS_CHANGE] = T("ProcsChange", 3, A("dt", "procs_value", "stack"), I1(2), NO, 0, METRIC),
	[EV_PROC_START] = T("ProcStart", 3, A("dt", "p", "p_seq"), NO, NO, 0, STATE_TRANSITION),
	[EV_PROC_STOP] = T("ProcStop", 1, A("dt"), NO, NO, 0, STATE_TRANSITION),
	[EV_PROC_STEAL] = T("ProcSteal", 4, A("dt", "p", "p_seq", "m"), NO, NO, 0, STATE_TRANSITION),
	[EV_PROC_STATUS] = T("ProcStatus", 3, A("dt", "p", "pstatus"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_CREATE] = T("GoCreate", 4, A("dt", "new_g", "new_stack", "stack"), I2(3, 2), NO, 0, STATE_TRANSITION),
	[EV_GO_CREATE_SYSCALL] = T("GoCreateSyscall", 2, A("dt", "new_g"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_START] = T("GoStart", 3, A("dt", "g", "g_seq"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_DESTROY] = T("GoDestroy", 1, A("dt"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_DESTROY_SYSCALL] = T("GoDestroySyscall", 1, A("dt"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_STOP] = T("GoStop", 3, A("dt", "reason_string", "stack"), I1(2), I1(1), 0, STATE_TRANSITION),
	[EV_GO_BLOCK] = T("GoBlock", 3, A("dt", "reason_string", "stack"), I1(2), I1(1), 0, STATE_TRANSITION),
	[EV_GO_UNBLOCK] = T("GoUnblock", 4, A("dt", "g", "g_seq", "stack"), I1(3), NO, 0, STATE_TRANSITION),
	[EV_GO_SYSCALL_BEGIN] = T("GoSyscallBegin", 3, A("dt", "p_seq", "stack"), I1(2), NO, 0, STATE_TRANSITION),
	[EV_GO_SYSCALL_END] = T("GoSyscallEnd", 1, A("dt"), NO, NO, EV_GO_SYSCALL_BEGIN, STATE_TRANSITION),
	[EV_GO_SYSCALL_END_BLOCKED] = T("GoSyscallEndBlocked", 1, A("dt"), NO, NO, EV_GO_SYSCALL_BEGIN, STATE_TRANSITION),
	[EV_GO_STATUS] = T("GoStatus", 4, A("dt", "g", "m", "gstatus"), NO, NO, 0, STATE_TRANSITION),
	[EV_STW_BEGIN] = T("STWBegin", 3, A("dt", "kind_string", "stack"), I1(2), I1(1), 0, RANGE_BEGIN),
	[EV_STW_END] = T("STWEnd", 1, A("dt"), NO, NO, EV_STW_BEGIN, RANGE_END),
	[EV_GC_ACTIVE] = T("GCActive", 2, A("dt", "gc_seq"), NO, NO, EV_GC_BEGIN, RANGE_ACTIVE),
	[EV_GC_BEGIN] = T("GCBegin", 3, A("dt", "gc_seq", "stack"), I1(2), NO, 0, RANGE_BEGIN),
	[EV_GC_END] = T("GCEnd", 2, A("dt", "gc_seq"), NO, NO, EV_GC_BEGIN, RANGE_END),
	[EV_GC_SWEEP_ACTIVE] = T("GCSweepActive", 2, A("dt", "p"), NO, NO, EV_GC_SWEEP_BEGIN, RANGE_ACTIVE),
	[EV_GC_SWEEP_BEGIN] = T("GCSweepBegin", 2, A("dt", "stack"), I1(1), NO, 0, RANGE_BEGIN),
	[EV_GC_SWEEP_END] = T("GCSweepEnd", 3, A("dt", "swept_value", "reclaimed_value"), NO, NO, EV_GC_SWEEP_BEGIN, RANGE_END),
	[EV_GC_MARK_ASSIST_ACTIVE] = T("GCMarkAssistActive", 2, A("dt", "g"), NO, NO, EV_GC_MARK_ASSIST_BEGIN, RANGE_ACTIVE),
	[EV_GC_MARK_ASSIST_BEGIN] = T("GCMarkAssistBegin", 2, A("dt", "stack"), I1(1), NO, 0, RANGE_BEGIN),
	[EV_GC_MARK_ASSIST_END] = T("GCMarkAssistEnd", 1, A("dt"), NO, NO, EV_GC_MARK_ASSIST_BEGIN, RANGE_END),
	[EV_HEAP_ALLOC] = T("HeapAlloc", 2, A("dt", "heapalloc_value"), NO, NO, 0, METRIC),
	[EV_HEAP_GOAL] = T("HeapGoal", 2, A("dt", "heapgoal_value"), NO, NO, 0, METRIC),
	[EV_GO_LABEL] = T("GoLabel", 2, A("dt", "label_string"), NO, I1(1), 0, LABEL),
	[EV_USER_TASK_BEGIN] = T("UserTaskBegin", 5, A("dt", "task", "parent_task", "name_string", "stack"), I1(4), I1(3), 0, TASK_BEGIN),
	[EV_USER_TASK_END] = T("UserTaskEnd", 3, A("dt", "task", "stack"), I1(2), NO, 0, TASK_END),
	[EV_USER_REGION_BEGIN] = T("UserRegionBegin", 4, A("dt", "task", "name_string", "stack"), I1(3), I1(2), 0, REGION_BEGIN),
	[EV_USER_REGION_END] = T("UserRegionEnd", 4, A("dt", "task", "name_string", "stack"), I1(3), I1(2), EV_USER_REGION_BEGIN, REGION_END),
	[EV_USER_LOG] = T("UserLog", 5, A("dt", "task", "key_string", "value_string", "stack"), I1(4), I2(2, 3), 0, LOG),
	[EV_GO_SWITCH] = T("GoSwitch", 3, A("dt", "g", "g_seq"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_SWITCH_DESTROY] = T("GoSwitchDestroy", 3, A("dt", "g", "g_seq"), NO, NO, 0, STATE_TRANSITION),
	[EV_GO_CREATE_BLOCKED] = T("GoCreateBlocked", 4, A("dt", "new_g", "new_stack", "stack"), I2(3, 2), NO, 0, STATE_TRANSITION),
	[EV_GO_STATUS_STACK] = T("GoStatusStack", 5, A("dt", "g", "m", "gstatus", "stack"), I1(4), NO, 0, STATE_TRANSITION),
	/* Timed, but not a kind of its own: Go's table maps it to EventBad. */
	[EV_CLOCK_SNAPSHOT] = T("ClockSnapshot", 4, A("dt", "mono", "sec", "nsec"), NO, NO, 0, BAD),

	[EV_SPAN] = X("Span", 4, A("dt", "id", "npages_value", "kindclass")),
	[EV_SPAN_ALLOC] = X("SpanAlloc", 4, A("dt", "id", "npages_value", "kindclass")),
	[EV_SPAN_FREE] = X("SpanFree", 2, A("dt", "id")),
	[EV_HEAP_OBJECT] = X("HeapObject", 3, A("dt", "id", "type")),
	[EV_HEAP_OBJECT_ALLOC] = X("HeapObjectAlloc", 3, A("dt", "id", "type")),
	[EV_HEAP_OBJECT_FREE] = X("HeapObjectFree", 2, A("dt", "id")),
	[EV_GOROUTINE_STACK] = X("GoroutineStack", 3, A("dt", "id", "order")),
	[EV_GOROUTINE_STACK_ALLOC] = X("GoroutineStackAlloc", 3, A("dt", "id", "order")),
	[EV_GOROUTINE_STACK_FREE] = X("GoroutineStackFree", 2, A("dt", "id")),
};

const struct gort_trace_spec *gort__trace_spec(unsigned typ)
{
	return typ < EV_NUM_SPECS ? &specs[typ] : NULL;
}

int gort__trace_kind(unsigned typ)
{
	if (typ == EV_SYNC_EVENT)
		return GORT_TRACE_EVENT_SYNC;
	return typ < EV_NUM_SPECS ? specs[typ].kind : GORT_TRACE_EVENT_BAD;
}

const char *gort__trace_experiment_name(unsigned exp)
{
	static const char *const names[] = {"None", "AllocFree"};
	return exp < 2 ? names[exp] : "";
}
