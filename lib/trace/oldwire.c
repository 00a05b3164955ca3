/*
 * The old format on the wire: raw events (tracev1/parser.go: readRawEvent,
 * with Go 1.21's internal/trace/parser.go: readTrace and argNum for the
 * formats before 1.11), the index pass (collectBatchesAndCPUSamples, plus
 * the tables parseEvent fills: strings, stacks, frequency, timer
 * goroutines) and loading one batch of a P (loadBatch, parseEvent).
 */
#include "old.h"

#include "pdqsort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D(n, v, s, a) {n, v, s, a}

/* tracev1.EventDescriptions: name, first version, stack, len(Args). */
static const struct gort_v1desc descs[V1_COUNT] = {
	[V1_NONE] = D("None", 5, false, 0),
	[V1_BATCH] = D("Batch", 5, false, 2),
	[V1_FREQUENCY] = D("Frequency", 5, false, 1),
	[V1_STACK] = D("Stack", 5, false, 2),
	[V1_GOMAXPROCS] = D("Gomaxprocs", 5, true, 1),
	[V1_PROC_START] = D("ProcStart", 5, false, 1),
	[V1_PROC_STOP] = D("ProcStop", 5, false, 0),
	[V1_GC_START] = D("GCStart", 5, true, 1),
	[V1_GC_DONE] = D("GCDone", 5, false, 0),
	[V1_STW_START] = D("GCSTWStart", 5, false, 1),
	[V1_STW_DONE] = D("GCSTWDone", 5, false, 0),
	[V1_GC_SWEEP_START] = D("GCSweepStart", 5, true, 0),
	[V1_GC_SWEEP_DONE] = D("GCSweepDone", 5, false, 2),
	[V1_GO_CREATE] = D("GoCreate", 5, true, 2),
	[V1_GO_START] = D("GoStart", 5, false, 2),
	[V1_GO_END] = D("GoEnd", 5, false, 0),
	[V1_GO_STOP] = D("GoStop", 5, true, 0),
	[V1_GO_SCHED] = D("GoSched", 5, true, 0),
	[V1_GO_PREEMPT] = D("GoPreempt", 5, true, 0),
	[V1_GO_SLEEP] = D("GoSleep", 5, true, 0),
	[V1_GO_BLOCK] = D("GoBlock", 5, true, 0),
	[V1_GO_UNBLOCK] = D("GoUnblock", 5, true, 2),
	[V1_GO_BLOCK_SEND] = D("GoBlockSend", 5, true, 0),
	[V1_GO_BLOCK_RECV] = D("GoBlockRecv", 5, true, 0),
	[V1_GO_BLOCK_SELECT] = D("GoBlockSelect", 5, true, 0),
	[V1_GO_BLOCK_SYNC] = D("GoBlockSync", 5, true, 0),
	[V1_GO_BLOCK_COND] = D("GoBlockCond", 5, true, 0),
	[V1_GO_BLOCK_NET] = D("GoBlockNet", 5, true, 0),
	[V1_GO_SYS_CALL] = D("GoSysCall", 5, true, 0),
	[V1_GO_SYS_EXIT] = D("GoSysExit", 5, false, 3),
	[V1_GO_SYS_BLOCK] = D("GoSysBlock", 5, false, 0),
	[V1_GO_WAITING] = D("GoWaiting", 5, false, 1),
	[V1_GO_IN_SYSCALL] = D("GoInSyscall", 5, false, 1),
	[V1_HEAP_ALLOC] = D("HeapAlloc", 5, false, 1),
	[V1_HEAP_GOAL] = D("HeapGoal", 5, false, 1),
	[V1_TIMER_GOROUTINE] = D("TimerGoroutine", 5, false, 1),
	[V1_FUTILE_WAKEUP] = D("FutileWakeup", 5, false, 0),
	[V1_STRING] = D("String", 7, false, 0),
	[V1_GO_START_LOCAL] = D("GoStartLocal", 7, false, 1),
	[V1_GO_UNBLOCK_LOCAL] = D("GoUnblockLocal", 7, true, 1),
	[V1_GO_SYS_EXIT_LOCAL] = D("GoSysExitLocal", 7, false, 2),
	[V1_GO_START_LABEL] = D("GoStartLabel", 8, false, 3),
	[V1_GO_BLOCK_GC] = D("GoBlockGC", 8, true, 0),
	[V1_GC_MARK_ASSIST_START] = D("GCMarkAssistStart", 9, true, 0),
	[V1_GC_MARK_ASSIST_DONE] = D("GCMarkAssistDone", 9, false, 0),
	[V1_USER_TASK_CREATE] = D("UserTaskCreate", 11, true, 3),
	[V1_USER_TASK_END] = D("UserTaskEnd", 11, true, 1),
	[V1_USER_REGION] = D("UserRegion", 11, true, 3),
	[V1_USER_LOG] = D("UserLog", 11, true, 2),
	[V1_CPU_SAMPLE] = D("CPUSample", 19, true, 3),
};

const struct gort_v1desc *gort__v1_desc(unsigned typ)
{
	return typ < V1_COUNT ? &descs[typ] : &descs[0];
}

#define GROW(arr, n, cap) gort__trace_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr)))

/* A raw event (tracev1's rawEvent); args live in o->rargs. */
struct raw {
	uint8_t typ;
	uint64_t off;
	size_t nargs;
	struct gort_str s; /* EvString's string, EvUserLog's value */
	uint64_t s_off;    /* file offset of s */
	uint64_t sid;      /* EvString's ID */
};

static int fail(struct gort_old *o, uint64_t off, int code, const char *what)
{
	if (o->cur_batch == UINT64_MAX)
		return gort__fail_at(code, off, "trace: %s at offset 0x%llx", what,
				     (unsigned long long)off);
	return gort__fail_at(code, off, "trace: batch at offset 0x%llx: %s at offset 0x%llx",
			     (unsigned long long)o->cur_batch, what, (unsigned long long)off);
}

/* A cursor error: truncated input or a varint over 64 bits. */
static int cur_fail(struct gort_old *o, const struct gort_cursor *c, const char *what)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s: %s", what,
		 c->err == GORT_EFORMAT ? "malformatted base-128 varint" : "unexpected EOF");
	return fail(o, c->v->file_off + c->pos, c->err == GORT_EFORMAT ? GORT_EFORMAT : GORT_ETRUNCATED,
		    msg);
}

static int push_arg(struct gort_old *o, size_t *n, uint64_t v)
{
	int rc = gort__trace_grow((void **)&o->rargs, &o->cap_rargs, *n + 1, sizeof(*o->rargs));

	if (rc)
		return rc;
	o->rargs[(*n)++] = v;
	return 0;
}

/* A length-prefixed string (readStr). */
static int read_str(struct gort_old *o, struct gort_cursor *c, struct raw *r, uint64_t max,
		    const char *what)
{
	char msg[120];
	uint64_t len = gort__cur_uvarint(c);
	const uint8_t *p;

	if (c->err)
		return cur_fail(o, c, what);
	if (len > max) {
		snprintf(msg, sizeof(msg), "%s has too large length %llu", what,
			 (unsigned long long)len);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	r->s_off = c->v->file_off + c->pos;
	if (!(p = gort__cur_bytes(c, len)))
		return cur_fail(o, c, what);
	r->s = gort__str((const char *)p, len);
	return 0;
}

/*
 * readRawEvent at *pos: 0, GORT_EEND at the end of input, or an error.
 * The first byte holds the type and the argument count (3: the arguments
 * are prefixed by their length in bytes). Before 1.7 every event had one
 * more argument (a sequence number, or an unused one).
 */
static int read_raw(struct gort_old *o, uint64_t *pos, struct raw *r)
{
	struct gort_cursor c = gort__cursor(o->v, *pos);
	const struct gort_v1desc *d;
	char msg[120];
	unsigned narg;
	uint8_t b;
	int rc;

	if (*pos >= o->v->size)
		return GORT_EEND;
	memset(r, 0, sizeof(*r));
	r->off = o->v->file_off + *pos;
	b = gort__cur_u8(&c);
	r->typ = b & 0x3f;
	narg = (b >> 6) + 1u + (o->ver < 7);
	d = gort__v1_desc(r->typ);
	if (r->typ == V1_NONE || r->typ >= V1_COUNT || d->min_ver > o->ver) {
		snprintf(msg, sizeof(msg), "unknown event type %u", r->typ);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	if (r->typ == V1_STRING) {
		r->sid = gort__cur_uvarint(&c);
		if (c.err)
			return cur_fail(o, &c, "string ID");
		if ((rc = read_str(o, &c, r, 1000000, "string")))
			return rc;
		if (r->sid == 0)
			return fail(o, r->off, GORT_EFORMAT, "string has invalid id 0");
		if (r->s.len == 0)
			return fail(o, r->off, GORT_EFORMAT, "string has invalid length 0");
	} else if (r->typ == V1_BATCH && o->ver >= 7 && narg != 2) {
		snprintf(msg, sizeof(msg), "EvBatch has wrong number of arguments: got %u, want 2", narg);
		return fail(o, r->off, GORT_EFORMAT, msg);
	} else if ((b >> 6) < 3) {
		for (unsigned i = 0; i < narg; i++) {
			uint64_t v = gort__cur_uvarint(&c);
			if (c.err)
				return cur_fail(o, &c, "event argument");
			if ((rc = push_arg(o, &r->nargs, v)))
				return rc;
		}
	} else {
		/* tracev1 caps the length (2048 bytes) from 1.11; Go 1.21 did not. */
		uint64_t len = gort__cur_uvarint(&c), limit = o->ver >= 11 ? 2048 : 1u << 20;
		struct gort_view sub;
		struct gort_cursor a;
		const uint8_t *p;

		if (c.err)
			return cur_fail(o, &c, "event argument length");
		if (len > limit) {
			snprintf(msg, sizeof(msg),
				 "failed to read event %u argument: length-prefixed argument too big: %llu bytes, limit is %llu",
				 r->typ, (unsigned long long)len, (unsigned long long)limit);
			return fail(o, r->off, GORT_EFORMAT, msg);
		}
		sub.file_off = o->v->file_off + c.pos;
		if (!(p = gort__cur_bytes(&c, len)))
			return cur_fail(o, &c, "event arguments");
		sub = gort__view_make(p, len, "trace");
		sub.file_off = o->v->file_off + c.pos - len;
		a = gort__cursor(&sub, 0);
		while (a.pos < len) {
			uint64_t v = gort__cur_uvarint(&a);
			if (a.err)
				return cur_fail(o, &a, "event argument");
			if ((rc = push_arg(o, &r->nargs, v)))
				return rc;
		}
		if (r->typ == V1_USER_LOG && (rc = read_str(o, &c, r, 1000000, "string")))
			return rc;
	}
	*pos = c.pos;
	return 0;
}

/* argNum: arguments the event must have, per format version. */
static size_t arg_num(const struct gort_old *o, const struct raw *r)
{
	const struct gort_v1desc *d = gort__v1_desc(r->typ);
	size_t n = d->nargs + d->stack;

	if (r->typ == V1_STACK)
		return r->nargs;
	if (r->typ == V1_BATCH || r->typ == V1_FREQUENCY || r->typ == V1_TIMER_GOROUTINE)
		return n + (o->ver < 7); /* an unused argument before 1.7 */
	n += 1 + (o->ver < 7);   /* timestamp; sequence before 1.7 */
	if (r->typ == V1_GC_SWEEP_DONE && o->ver < 9)
		n -= 2;
	if ((r->typ == V1_GC_START || r->typ == V1_GO_START || r->typ == V1_GO_UNBLOCK) &&
	    o->ver < 7)
		n--;
	if (r->typ == V1_STW_START && o->ver < 10)
		n--;
	return n;
}

static int check_nargs(struct gort_old *o, const struct raw *r)
{
	char msg[120];
	size_t want = arg_num(o, r);

	if (r->nargs == want)
		return 0;
	snprintf(msg, sizeof(msg), "%s has wrong number of arguments: want %zu, got %zu",
		 gort__v1_desc(r->typ)->name, want, r->nargs);
	return fail(o, r->off, GORT_EFORMAT, msg);
}

/* The P of a batch header: -1 for the global P, at most MaxInt32. */
static int batch_pid(struct gort_old *o, const struct raw *r, int32_t *pid)
{
	char msg[120];
	uint64_t v = o->rargs[0];

	if (v != UINT64_MAX && v > INT32_MAX) {
		snprintf(msg, sizeof(msg), "processor ID %llu is larger than maximum of %d",
			 (unsigned long long)v, INT32_MAX);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	*pid = v == UINT64_MAX ? -1 : (int32_t)v;
	return 0;
}

/* A new stream of P pid, from batch bi on, with the P's G before it. */
static int new_proc(struct gort_old *o, int32_t pid, uint32_t bi, uint64_t g0)
{
	struct gort_v1proc *p;
	int rc;

	if ((rc = GROW(o->procs, o->nprocs, o->cap_procs)))
		return rc;
	p = &o->procs[o->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->first = p->next = p->last = bi;
	p->front_exit = INT64_MAX;
	p->g0 = p->last_g = p->idx_g = g0;
	return 0;
}

/*
 * A batch of P pid at off. Format 1.5: seq0 is its header's sequence
 * number; when it is below the last number of the P's latest stream, the
 * batch starts a new stream (the merge needs each stream in order), which
 * the P's next batches continue.
 */
static int add_batch(struct gort_old *o, int32_t pid, uint64_t off, int64_t seq0,
		     struct gort_v1batch **out)
{
	uint32_t bi = (uint32_t)o->nbatches;
	struct gort_v1proc *p;
	uint64_t *pi;
	int rc;

	if (o->nbatches >= UINT32_MAX - 1)
		return fail(o, off, GORT_ETOOLARGE, "too many batches");
	if ((rc = GROW(o->batches, o->nbatches, o->cap_batches)))
		return rc;
	o->batches[o->nbatches++] = (struct gort_v1batch){
		.off = off, .exit_min = INT64_MAX, .exit_rest = INT64_MAX, .next = UINT32_MAX};
	if ((rc = gort__idmap_put(&o->pidx, (uint64_t)(int64_t)pid, &pi)) < 0)
		return rc;
	p = rc == 1 ? NULL : &o->procs[*pi];
	if (!p || (o->ver < 7 && p->idx_seen && seq0 < p->idx_seq)) {
		*pi = o->nprocs;
		if ((rc = new_proc(o, pid, bi, p ? p->idx_g : 0)))
			return rc;
	} else {
		o->batches[p->last].next = bi;
		p->last = bi;
	}
	o->batches[bi].proc = (uint32_t)*gort__idmap_get(&o->pidx, (uint64_t)(int64_t)pid);
	*out = &o->batches[bi];
	return 0;
}

/* parseEvent's EvStack: the table keeps the last stack of an ID. */
static int add_stack(struct gort_old *o, const struct raw *r)
{
	uint64_t *a = o->rargs, size, want, id;
	struct gort_tframe *f;
	char msg[120];
	int rc;

	if (r->nargs < 2) {
		snprintf(msg, sizeof(msg),
			 "EvStack has wrong number of arguments: want at least 2, got %zu", r->nargs);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	size = a[1];
	if (size > 1000) {
		snprintf(msg, sizeof(msg), "EvStack has bad number of frames: %llu",
			 (unsigned long long)size);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	want = 2 + (o->ver < 7 ? size : 4 * size);
	if (r->nargs != want) {
		snprintf(msg, sizeof(msg), "EvStack has wrong number of arguments: want %llu, got %zu",
			 (unsigned long long)want, r->nargs);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	id = (uint32_t)a[0];
	if (id == 0 || size == 0)
		return 0;
	if (!(f = gort__calloc(size, sizeof(*f))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	for (uint64_t i = 0; i < size; i++) {
		if (o->ver < 7) /* PCs only: symbols came from the binary */
			f[i] = (struct gort_tframe){a[2 + i], 0, 0, 0};
		else
			f[i] = (struct gort_tframe){a[2 + i * 4], a[3 + i * 4], a[4 + i * 4],
						    (uint64_t)(int64_t)a[5 + i * 4]};
	}
	rc = gort__tgen_put_stack(o->tab, id, f, size);
	gort__free(f);
	return rc;
}

static int add_cpu_sample(struct gort_old *o, struct gort_v1proc **profile, const struct raw *r)
{
	struct gort_v1proc *p = *profile;
	struct gort_v1ev e;
	char msg[120];
	size_t narg = arg_num(o, r);
	int rc;

	if (r->nargs != narg) {
		snprintf(msg, sizeof(msg), "CPU sample has wrong number of arguments: want %zu, got %zu",
			 narg, r->nargs);
		return fail(o, r->off, GORT_EFORMAT, msg);
	}
	memset(&e, 0, sizeof(e));
	e.type = V1_CPU_SAMPLE;
	e.off = r->off;
	for (size_t i = 1; i < narg; i++) {
		if (i == narg - 1)
			e.stk = (uint32_t)o->rargs[i];
		else
			e.args[i - 1] = o->rargs[i];
	}
	e.ts = (int64_t)e.args[0];
	e.p = (int32_t)e.args[1];
	e.g = e.args[2];
	e.args[0] = 0;
	if ((rc = GROW(p->evs, p->nevs, p->cap)))
		return rc;
	p->evs[p->nevs++] = e;
	return 0;
}

static int ts_cmp(const void *a, const void *b)
{
	const struct gort_v1ev *x = *(struct gort_v1ev *const *)a, *y = *(struct gort_v1ev *const *)b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * slices.SortFunc by time (unstable: ties end up where Go's pdqsort puts
 * them). pdqsort moves elements of at most 64 bytes: sort pointers, whose
 * permutation is the same, then apply it.
 */
static int sort_samples(struct gort_v1proc *p)
{
	struct gort_v1ev **ptr = gort__calloc(p->nevs + 1, sizeof(*ptr));
	struct gort_v1ev *out = gort__calloc(p->nevs + 1, sizeof(*out));

	if (!ptr || !out) {
		gort__free(ptr);
		gort__free(out);
		return gort__fail(GORT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->nevs; i++)
		ptr[i] = &p->evs[i];
	gort__pdqsort(ptr, p->nevs, sizeof(*ptr), ts_cmp);
	for (size_t i = 0; i < p->nevs; i++)
		out[i] = *ptr[i];
	gort__free(ptr);
	gort__free(p->evs);
	p->evs = out;
	p->cap = p->nevs + 1;
	return 0;
}

/* Per P, from its last batch back: the earliest real exit from there on. */
static int exit_suffixes(struct gort_old *o)
{
	int64_t *run = gort__calloc(o->nprocs + 1, sizeof(*run));

	if (!run)
		return gort__fail(GORT_ENOMEM, "out of memory");
	for (size_t i = 0; i < o->nprocs; i++)
		run[i] = INT64_MAX;
	for (size_t i = o->nbatches; i-- > 0;) {
		struct gort_v1batch *b = &o->batches[i];
		if (b->exit_min < run[b->proc])
			run[b->proc] = b->exit_min;
		b->exit_rest = run[b->proc];
	}
	gort__free(run);
	return 0;
}

/* Events after which parseEvent's P runs no G. */
static bool ends_g(uint8_t typ)
{
	switch (typ) {
	case V1_GO_END: case V1_GO_STOP: case V1_GO_SCHED: case V1_GO_PREEMPT:
	case V1_GO_SLEEP: case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND:
	case V1_GO_BLOCK_NET: case V1_GO_SYS_BLOCK: case V1_GO_BLOCK_GC:
		return true;
	}
	return false;
}

/*
 * Format 1.5: the sequence numbers order the trace (order1005). A P's
 * events other than GoSysExit (whose number is the syscall's return, taken
 * earlier) come in increasing order in a trace the runtime wrote, so the
 * merge can take them one batch at a time: check that they do, and keep
 * per batch its header's number and the smallest of its GoSysExits.
 */
static void index_seq(struct gort_old *o, struct gort_v1batch *b, const struct raw *r,
		      int64_t *seq)
{
	struct gort_v1proc *p = &o->procs[b->proc];

	*seq = (int64_t)((uint64_t)*seq + o->rargs[0]); /* parseEvents' lastSeq, wrapping */
	if (r->typ == V1_GO_SYS_EXIT) {
		if ((int64_t)o->rargs[3] < b->exit_seq)
			b->exit_seq = (int64_t)o->rargs[3];
		return;
	}
	if (*seq < b->seq0 || (p->idx_seen && *seq < p->idx_seq))
		o->seq_unsorted = true; /* within a batch: only by wrapping around */
	p->idx_seq = *seq;
	p->idx_seen = true;
	/* The G on the P, as parse_event follows it (a stream that starts
	   later starts with it). */
	if (r->typ == V1_GO_START)
		p->idx_g = o->rargs[2];
	else if (ends_g(r->typ))
		p->idx_g = 0;
}

struct seq_batch {
	int64_t seq;
	uint32_t batch;
};

static int seq_batch_cmp(const void *a, const void *b)
{
	const struct seq_batch *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Format 1.5: the batches that have GoSysExits, by the smallest of them. */
static int harvest_list(struct gort_old *o)
{
	struct seq_batch *t;
	size_t n = 0;

	for (size_t i = 0; i < o->nbatches; i++)
		n += o->batches[i].exit_seq != INT64_MAX;
	t = gort__calloc(n + 1, sizeof(*t));
	if (!t || !(o->harvest = gort__calloc(n + 1, sizeof(*o->harvest)))) {
		gort__free(t);
		return gort__fail(GORT_ENOMEM, "out of memory");
	}
	for (size_t i = 0, j = 0; i < o->nbatches; i++)
		if (o->batches[i].exit_seq != INT64_MAX)
			t[j++] = (struct seq_batch){o->batches[i].exit_seq, (uint32_t)i};
	qsort(t, n, sizeof(*t), seq_batch_cmp);
	for (size_t j = 0; j < n; j++)
		o->harvest[j] = t[j].batch;
	o->nharvest = n;
	gort__free(t);
	return 0;
}

/* Bytes indexed between two progress reports. */
#define INDEX_REPORT_EVERY (UINT64_C(1) << 20)

static void report(const struct gort_old *o, uint64_t done)
{
	if (o->progress && o->progress->fn)
		o->progress->fn(GORT_TRACE_STEP_INDEX, done, o->v->size, o->progress->arg);
}

int gort__old_index(struct gort_old *o)
{
	struct gort_v1proc profile = {0};
	struct gort_v1proc *pp = &profile;
	struct gort_v1batch *cur = NULL;
	int64_t seq = 0;
	uint64_t pos = 16, shown = 0;
	struct raw r;
	uint32_t slot;
	int rc;

	o->cur_batch = UINT64_MAX;
	profile.pid = V1_PROFILE_P;
	report(o, 0);
	for (;;) {
		if (pos - shown >= INDEX_REPORT_EVERY && pos < o->v->size)
			report(o, shown = pos);
		if ((rc = read_raw(o, &pos, &r)) == GORT_EEND)
			break;
		if (rc)
			goto out;
		if (r.typ == V1_STRING) {
			/* Strings outside any batch are never loaded by Go's parser. */
			if (!cur)
				continue;
			rc = gort__tgen_put_string(o->tab, r.sid, r.s, &slot);
			if (rc == 1) {
				char msg[80];
				snprintf(msg, sizeof(msg), "string has duplicate id %llu",
					 (unsigned long long)r.sid);
				rc = fail(o, r.off, GORT_EFORMAT, msg);
			}
			if (rc)
				goto out;
			if (r.sid > o->max_string)
				o->max_string = r.sid;
			continue;
		}
		if (r.typ == V1_BATCH) {
			int32_t pid = 0;
			if ((rc = check_nargs(o, &r)) || (rc = batch_pid(o, &r, &pid)) ||
			    (rc = add_batch(o, pid, r.off, o->ver < 7 ? (int64_t)o->rargs[1] : 0, &cur)))
				goto out;
			o->cur_batch = r.off;
			if (o->ver < 7)
				cur->seq0 = seq = (int64_t)o->rargs[1];
			continue;
		}
		if (!cur) {
			char msg[120];
			snprintf(msg, sizeof(msg),
				 "read event %u with current P of 0, but P has no batches yet", r.typ);
			rc = fail(o, r.off, GORT_EFORMAT, msg);
			goto out;
		}
		if (r.typ == V1_CPU_SAMPLE) {
			if ((rc = add_cpu_sample(o, &pp, &r)))
				goto out;
			continue;
		}
		if ((rc = check_nargs(o, &r)))
			goto out;
		if (o->ver < 7 && r.typ != V1_STACK && r.typ != V1_FREQUENCY &&
		    r.typ != V1_TIMER_GOROUTINE)
			index_seq(o, cur, &r, &seq);
		switch (r.typ) {
		case V1_STACK:
			rc = add_stack(o, &r);
			break;
		case V1_FREQUENCY:
			o->ticks_per_sec = (int64_t)o->rargs[0];
			if (o->ticks_per_sec <= 0)
				rc = fail(o, r.off, GORT_EFORMAT, "time stamps out of order");
			break;
		case V1_TIMER_GOROUTINE: {
			uint64_t *v;
			rc = gort__idmap_put(&o->timer_g, o->rargs[0], &v);
			rc = rc < 0 ? rc : 0;
			break;
		}
		case V1_FUTILE_WAKEUP:
			o->nfutile++;
			break;
		case V1_GO_SYS_EXIT:
			/* [dt, g, seq, real ts]: where the exit moves to (1.7+). */
			if (o->ver >= 7 && o->rargs[3] != 0 && (int64_t)o->rargs[3] < cur->exit_min)
				cur->exit_min = (int64_t)o->rargs[3];
			break;
		}
		if (rc)
			goto out;
	}
	o->cur_batch = UINT64_MAX;
	if (o->ticks_per_sec == 0) {
		rc = gort__fail(GORT_EFORMAT, "trace: no EvFrequency event");
		goto out;
	}
	if ((rc = o->ver < 7 ? harvest_list(o) : exit_suffixes(o)))
		goto out;
	/* The CPU samples, sorted by the time the signal handler took. */
	if ((rc = sort_samples(&profile)))
		goto out;
	if ((rc = GROW(o->procs, o->nprocs, o->cap_procs)))
		goto out;
	profile.first = profile.last = profile.next = UINT32_MAX;
	profile.front_exit = INT64_MAX;
	o->procs[o->nprocs++] = profile;
	report(o, o->v->size);
	return 0;
out:
	gort__free(profile.evs);
	return rc;
}

/* Go's Timestamp arithmetic wraps. */
static int64_t add_ts(int64_t a, uint64_t b)
{
	return (int64_t)((uint64_t)a + b);
}

/* parseEvent for an event of a batch (not the tables, read by the index). */
static int parse_event(struct gort_old *o, struct gort_v1proc *p, const struct raw *r,
		       int64_t *last_ts, int64_t *last_seq, struct gort_v1ev *e)
{
	const struct gort_v1desc *d = gort__v1_desc(r->typ);
	const uint64_t *a = o->rargs;
	size_t narg = r->nargs, off;

	memset(e, 0, sizeof(*e));
	e->type = r->typ;
	e->p = p->pid;
	e->g = p->last_g;
	e->off = r->off;
	if (o->ver < 7) {
		e->seq = add_ts(*last_seq, a[0]);
		e->ts = add_ts(*last_ts, a[1]);
		*last_seq = e->seq;
		off = 2;
	} else {
		e->ts = add_ts(*last_ts, a[0]);
		off = 1;
	}
	*last_ts = e->ts;
	for (size_t i = off; i < narg; i++) {
		if (i == narg - 1 && d->stack)
			e->stk = (uint32_t)a[i];
		else if (i - off < 4)
			e->args[i - off] = a[i];
	}
	if (ends_g(r->typ))
		p->last_g = 0;
	switch (r->typ) {
	case V1_GO_START: case V1_GO_START_LOCAL: case V1_GO_START_LABEL:
		p->last_g = e->args[0];
		e->g = p->last_g;
		break;
	case V1_GO_SYS_EXIT: case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		e->g = e->args[0];
		break;
	case V1_STW_START: case V1_GC_START: case V1_GC_DONE: case V1_STW_DONE:
		if (o->ver < 11) /* Go 1.21's parser; tracev1 (1.11+) keeps the G */
			e->g = 0;
		break;
	case V1_USER_LOG:
		/* The value is inline: keep where it is (Args[2], Args[3] are free). */
		e->args[2] = r->s_off;
		e->args[3] = r->s.len;
		break;
	}
	return 0;
}

enum { LOAD_ALL, LOAD_NO_EXITS, LOAD_EXITS };

/* Batch bi's events into p->evs (LOAD_EXITS: only its GoSysExits). */
static int load_batch(struct gort_old *o, struct gort_v1proc *p, uint32_t bi, int what)
{
	int64_t last_ts = 0, last_seq = 0;
	uint64_t pos, start;
	bool header = false;
	struct raw r;
	int rc;

	p->nevs = p->pos = 0;
	pos = start = o->batches[bi].off - o->v->file_off;
	for (;;) {
		rc = read_raw(o, &pos, &r);
		if (rc == GORT_EEND)
			break;
		if (rc)
			return rc;
		if (r.typ == V1_BATCH) {
			if (header)
				break;
			header = true;
			last_ts = (int64_t)o->rargs[o->ver < 7 ? 2 : 1];
			if (o->ver < 7)
				last_seq = (int64_t)o->rargs[1];
			continue;
		}
		switch (r.typ) {
		case V1_STRING: case V1_CPU_SAMPLE: case V1_STACK: case V1_FREQUENCY:
		case V1_TIMER_GOROUTINE:
			continue; /* the index read them */
		}
		if ((rc = GROW(p->evs, p->nevs, p->cap)))
			return rc;
		if ((rc = parse_event(o, p, &r, &last_ts, &last_seq, &p->evs[p->nevs])))
			return rc;
		if (what == LOAD_ALL || (what == LOAD_EXITS) == (r.typ == V1_GO_SYS_EXIT))
			p->nevs++;
	}
	p->cur_off = o->batches[bi].off;
	p->cur_len = pos - start;
	return 0;
}

int gort__old_load_exits(struct gort_old *o, uint32_t bi)
{
	uint64_t cur = o->cur_batch;
	int rc;

	o->scratch.pid = o->procs[o->batches[bi].proc].pid;
	o->scratch.last_g = 0; /* a GoSysExit names its goroutine */
	o->cur_batch = o->batches[bi].off;
	rc = load_batch(o, &o->scratch, bi, LOAD_EXITS);
	o->cur_batch = cur;
	return rc;
}

int gort__old_load(struct gort_old *o, struct gort_v1proc *p)
{
	uint32_t bi = p->next;
	int rc;

	/* The batch before is consumed. */
	o->read_bytes += p->cur_len;
	p->cur_len = 0;
	if (bi == UINT32_MAX) {
		p->nevs = p->pos = 0;
		gort__free(p->evs);
		gort__free(p->exit_from);
		p->evs = NULL;
		p->exit_from = NULL;
		p->cap = p->cap_exit = 0;
		return GORT_EEND;
	}
	o->cur_batch = o->batches[bi].off;
	p->next = o->batches[bi].next;
	if ((rc = load_batch(o, p, bi, o->skip_exits ? LOAD_NO_EXITS : LOAD_ALL)))
		return rc;
	if (o->ver < 7)
		return 0;
	/* exit_from[i]: the earliest real syscall exit among evs[i..]. */
	if ((rc = gort__trace_grow((void **)&p->exit_from, &p->cap_exit, p->nevs + 1,
				 sizeof(*p->exit_from))))
		return rc;
	p->exit_from[p->nevs] = INT64_MAX;
	for (size_t i = p->nevs; i-- > 0;) {
		const struct gort_v1ev *e = &p->evs[i];
		int64_t x = e->type == V1_GO_SYS_EXIT && e->args[2] ? (int64_t)e->args[2] : INT64_MAX;
		p->exit_from[i] = x < p->exit_from[i + 1] ? x : p->exit_from[i + 1];
	}
	return 0;
}
