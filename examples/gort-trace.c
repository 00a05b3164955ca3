/*
 * gort-trace: read Go execution traces.
 *
 *   gort-trace dump FILE   every ordered event, as `go tool trace -d=parsed`
 *                          (Go 1.26+) prints them
 *   gort-trace count FILE  how many events of each kind (reads and orders
 *                          every event without formatting: a benchmark)
 *   gort-trace stats [--raw] FILE
 *                          goroutine analysis as `go tool trace` computes it
 *                          (grouped by start function), GC and STW pauses,
 *                          latency histograms; --raw: every goroutine, one
 *                          value per field, for scripts and tests
 *   gort-trace export --format=perfetto|csv|goroutines-csv FILE [-o OUT]
 *                          Perfetto/Chrome JSON, CSV of events, CSV of the
 *                          goroutine summary
 *
 * --json on dump, count and stats: JSON Lines (docs/json.md). On a
 * terminal, every command shows a progress line on stderr while it reads
 * (not while its results stream to that terminal), and one for each pass
 * over the whole trace before the first event (decompressing, indexing
 * an old trace, finding its futile wakeups).
 *
 * Built on the public API only (include/gort/trace.h).
 */
#include "tool.h"

#include <stdlib.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-trace COMMAND [--json] FILE\n"
		   "Read a Go execution trace (runtime/trace; also zstd-compressed).\n"
		   "Commands:\n"
		   "  dump [--json] FILE\n"
		   "              print every event in order, as `go tool trace -d=parsed` does\n"
		   "  count [--json] FILE\n"
		   "              count the events of each kind\n"
		   "  stats [--raw|--json] FILE\n"
		   "              goroutine analysis grouped by start function, GC and\n"
		   "              stop-the-world pauses, latency histograms\n"
		   "  export --format=perfetto|csv|goroutines-csv FILE [-o OUT]\n"
		   "              Perfetto/Chrome JSON, CSV of every event, CSV of the\n"
		   "              goroutine summary (to stdout without -o)\n"
		   "Flags:\n"
		   "  --json      JSON Lines instead of text: one object per event (dump),\n"
		   "              one for the counts (count), one per record (stats);\n"
		   "              schema in docs/json.md\n"
		   "  --help      print this help\n"
		   "  --version   print the library version\n");
}

static int fail(const char *file)
{
	const struct gort_error_info *e = gort_last_error();
	fprintf(stderr, "gort-trace: %s: %s\n", file, e->message[0] ? e->message : gort_strerror(e->code));
	return 1;
}

/*
 * The next event, with a progress line on a terminal: every 4096 events
 * the iterator says how many bytes of the trace it has read.
 */
static int next_event(gort_trace_event_iter *it, const struct gort_trace_event **ev,
		      struct tool_progress *p, uint64_t *n)
{
	uint64_t done, total;
	int rc = gort_trace_event_iter_next(it, ev);

	if (rc == 0 && (++*n & 4095) == 0 && p->tty &&
	    gort_trace_event_iter_progress(it, &done, &total) == 0)
		tool_progress(p, done, total);
	if (rc)
		tool_progress_done(p);
	return rc;
}

/* Progress of the passes over the whole trace before its first event
   (gort_trace_opts.progress), one label per step. */
static void opening(int step, uint64_t done, uint64_t total, void *arg)
{
	struct tool_progress *p = arg;
	const char *label = step == GORT_TRACE_STEP_DECOMPRESS ? "gort-trace: decompressing"
			    : step == GORT_TRACE_STEP_INDEX   ? "gort-trace: indexing"
			    : step == GORT_TRACE_STEP_FUTILE  ? "gort-trace: finding futile wakeups"
							      : "gort-trace: opening";

	if (p->label != label) {
		tool_progress_done(p);
		p->label = label;
	}
	tool_progress(p, done, total);
}

/*
 * gort_trace_open() with a progress line for those passes in *op, which
 * must live as long as iterators are made on *t (each reports through it:
 * open_iter). Shown even when the results stream to the terminal: none
 * is printed yet.
 */
static int open_trace(gort_trace **t, const char *file, struct tool_progress *op)
{
	GORT_OPTS(gort_trace_opts, o, .progress = opening, .progress_arg = op);
	int rc;

	tool_progress_init(op, "gort-trace: opening", 0);
	rc = gort_trace_open(t, file, &o);
	tool_progress_done(op);
	return rc;
}

/* gort_trace_event_iter_new(), its passes shown through *op. */
static int open_iter(gort_trace_event_iter **it, gort_trace *t, struct tool_progress *op)
{
	int rc = gort_trace_event_iter_new(it, t);

	tool_progress_done(op);
	return rc;
}

/* A resource as {"kind","id"}: Go's ResourceID. */
static void json_resource(const char *key, int kind, int64_t id)
{
	printf(",\"%s\":{\"kind\":\"%s\",\"id\":%" PRId64 "}", key,
	       gort_trace_resource_kind_name(kind), id);
}

static void json_sfield(const char *key, struct gort_str s)
{
	printf(",\"%s\":", key);
	tool_json_gstr(stdout, s);
}

/* Frames innermost first; a stack that cannot be found prints as [] (as in text). */
static void json_stack(const struct gort_trace_event *ev, const char *key, uint64_t id)
{
	const struct gort_trace_frame *f;
	size_t n = 0;

	if (gort_trace_event_stack(ev, id, &f, &n))
		n = 0;
	printf(",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"pc\":%" PRIu64 ",\"func\":", i ? "," : "", f[i].pc);
		tool_json_gstr(stdout, f[i].func);
		fputs(",\"file\":", stdout);
		tool_json_gstr(stdout, f[i].file);
		printf(",\"line\":%" PRIu64 "}", f[i].line);
	}
	putchar(']');
}

/* The members of ev->u that its kind sets (docs/json.md, gort-trace dump). */
static void json_details(const struct gort_trace_event *ev)
{
	const struct gort_trace_transition *t = &ev->u.transition;

	switch (ev->kind) {
	case GORT_TRACE_EVENT_SYNC:
		printf(",\"n\":%" PRIu64, ev->u.sync.n);
		if (ev->u.sync.has_clock_snapshot)
			printf(",\"clock\":{\"trace\":%" PRId64 ",\"mono\":%" PRIu64
			       ",\"wall_sec\":%" PRId64 ",\"wall_nsec\":%" PRId64 "}",
			       ev->u.sync.snapshot_time, ev->u.sync.snapshot_mono,
			       ev->u.sync.snapshot_wall_sec, ev->u.sync.snapshot_wall_nsec);
		break;
	case GORT_TRACE_EVENT_METRIC:
		json_sfield("name", ev->u.metric.name);
		printf(",\"value\":%" PRIu64, ev->u.metric.value);
		break;
	case GORT_TRACE_EVENT_LABEL:
		json_sfield("label", ev->u.label.label);
		json_resource("resource", ev->u.label.resource_kind, ev->u.label.resource);
		break;
	case GORT_TRACE_EVENT_RANGE_BEGIN:
	case GORT_TRACE_EVENT_RANGE_ACTIVE:
	case GORT_TRACE_EVENT_RANGE_END:
		json_sfield("name", ev->u.range.name);
		json_resource("scope", ev->u.range.scope_kind, ev->u.range.scope);
		if (ev->kind != GORT_TRACE_EVENT_RANGE_END)
			break;
		fputs(",\"attrs\":[", stdout);
		for (size_t i = 0; i < ev->u.range.nattrs; i++) {
			printf("%s{\"name\":", i ? "," : "");
			tool_json_gstr(stdout, ev->u.range.attrs[i].name);
			printf(",\"value\":%" PRIu64 "}", ev->u.range.attrs[i].value);
		}
		putchar(']');
		break;
	case GORT_TRACE_EVENT_TASK_BEGIN:
	case GORT_TRACE_EVENT_TASK_END:
		printf(",\"id\":%" PRIu64, ev->u.task.id);
		if (ev->u.task.parent != GORT_TRACE_NO_TASK)
			printf(",\"parent\":%" PRIu64, ev->u.task.parent);
		json_sfield("type", ev->u.task.type);
		break;
	case GORT_TRACE_EVENT_REGION_BEGIN:
	case GORT_TRACE_EVENT_REGION_END:
		printf(",\"task\":%" PRIu64, ev->u.region.task);
		json_sfield("type", ev->u.region.type);
		break;
	case GORT_TRACE_EVENT_LOG:
		printf(",\"task\":%" PRIu64, ev->u.log.task);
		json_sfield("category", ev->u.log.category);
		json_sfield("message", ev->u.log.message);
		break;
	case GORT_TRACE_EVENT_STATE_TRANSITION:
		json_resource("resource", t->resource_kind, t->resource);
		if (t->resource_kind == GORT_TRACE_RESOURCE_GOROUTINE)
			printf(",\"from\":\"%s\",\"to\":\"%s\"", gort_trace_go_state_name(t->from),
			       gort_trace_go_state_name(t->to));
		else if (t->resource_kind == GORT_TRACE_RESOURCE_PROC)
			printf(",\"from\":\"%s\",\"to\":\"%s\"", gort_trace_proc_state_name(t->from),
			       gort_trace_proc_state_name(t->to));
		json_sfield("reason", t->reason);
		if (t->has_stack)
			json_stack(ev, "transition_stack", t->stack_id);
		break;
	case GORT_TRACE_EVENT_EXPERIMENTAL:
		json_sfield("name", ev->u.experimental.name);
		json_sfield("experiment", ev->u.experimental.experiment);
		fputs(",\"args\":{", stdout);
		for (size_t i = 0; i < ev->u.experimental.nargs && i < 4; i++) {
			printf("%s", i ? "," : "");
			tool_json_key(stdout, ev->u.experimental.arg_names[i]);
			printf("%" PRIu64, ev->u.experimental.args[i]);
		}
		putchar('}');
		break;
	}
}

static void json_event(const struct gort_trace_event *ev)
{
	printf("{\"time\":%" PRId64 ",\"kind\":\"%s\",\"m\":%" PRId64 ",\"p\":%" PRId64
	       ",\"g\":%" PRId64, ev->time, gort_trace_event_kind_name(ev->kind), ev->thread,
	       ev->proc, ev->goroutine);
	json_details(ev);
	if (ev->has_stack)
		json_stack(ev, "stack", ev->stack_id);
	puts("}");
}

static int dump(const char *file, int json)
{
	static char buf[1 << 16];
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	struct tool_progress p, op;
	struct gort_str s;
	uint64_t n = 0;
	int rc;

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	tool_progress_init(&p, "gort-trace: reading", 1);
	if (open_trace(&t, file, &op) || open_iter(&it, t, &op))
		goto err;
	while ((rc = next_event(it, &ev, &p, &n)) == 0) {
		if (json) {
			json_event(ev);
			continue;
		}
		if (gort_trace_event_string(ev, &s))
			goto err;
		fwrite(s.ptr, 1, s.len, stdout);
		putchar('\n');
	}
	if (rc != GORT_EEND)
		goto err;
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return fflush(stdout) ? 1 : 0;
err:
	tool_progress_done(&p);
	fflush(stdout);
	rc = fail(file);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

static int count(const char *file, int json)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	struct tool_progress p, op;
	unsigned long long n[16] = {0};
	uint64_t total = 0;
	int rc;

	tool_progress_init(&p, "gort-trace: reading", 0);
	if (open_trace(&t, file, &op) || open_iter(&it, t, &op))
		goto err;
	while ((rc = next_event(it, &ev, &p, &total)) == 0)
		n[ev->kind & 15]++;
	if (rc != GORT_EEND)
		goto err;
	if (json) {
		fputs("{\"file\":", stdout);
		tool_json_str(stdout, file);
		printf(",\"version\":%d,\"total\":%" PRIu64 ",\"kinds\":{",
		       gort_trace_version(t), total);
		for (int k = 0, first = 1; k < 16; k++)
			if (n[k]) {
				printf("%s\"%s\":%llu", first ? "" : ",",
				       gort_trace_event_kind_name(k), n[k]);
				first = 0;
			}
		puts("}}");
	} else {
		for (int k = 0; k < 16; k++)
			if (n[k])
				printf("%-16s %llu\n", gort_trace_event_kind_name(k), n[k]);
		printf("%-16s %" PRIu64 "\n", "total", total);
	}
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return fflush(stdout) ? 1 : 0;
err:
	tool_progress_done(&p);
	rc = fail(file);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

/* A duration as Go's time.Duration prints it, rounded to 4 digits. */
static const char *dur(int64_t ns, char *buf, size_t n)
{
	double a = ns < 0 ? -(double)ns : (double)ns;

	if (a < 1e3)
		snprintf(buf, n, "%" PRId64 "ns", ns);
	else if (a < 1e6)
		snprintf(buf, n, "%.4gus", (double)ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, n, "%.4gms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.4gs", (double)ns / 1e9);
	return buf;
}

#define D(ns) dur((ns), (char[32]){0}, 32)

static void print_raw(const gort_trace_summary *s)
{
	size_t n = gort_trace_summary_goroutine_count(s);
	uint64_t dropped;

	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_summary *g = gort_trace_summary_goroutine(s, i);
		printf("goroutine\t%" PRId64 "\t%.*s\tpc=0x%" PRIx64 " creation=%" PRId64
		       " start=%" PRId64 " end=%" PRId64 " exec=%" PRId64 " sched=%" PRId64
		       " syscall=%" PRId64 " syscallblock=%" PRId64 " total=%" PRId64
		       " unknown=%" PRId64 "\n",
		       g->id, (int)g->name.len, g->name.ptr, g->pc, g->creation_time, g->start_time,
		       g->end_time, g->exec_time, g->sched_wait_time, g->syscall_time,
		       g->syscall_block_time, g->total_time, g->unknown_time);
		for (size_t j = 0; j < g->nblock; j++)
			printf("\tblock\t%.*s\t%" PRId64 "\n", (int)g->block[j].name.len,
			       g->block[j].name.ptr, g->block[j].ns);
		for (size_t j = 0; j < g->nrange; j++)
			printf("\trange\t%.*s\t%" PRId64 "\n", (int)g->range[j].name.len,
			       g->range[j].name.ptr, g->range[j].ns);
	}
	for (size_t i = 0; i < gort_trace_summary_region_count(s); i++) {
		const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
		printf("region\t%.*s\tcount=%" PRIu64 " total=%" PRId64 " exec=%" PRId64
		       " sched=%" PRId64 " block=%" PRId64 " syscall=%" PRId64
		       " syscallblock=%" PRId64 "\n",
		       (int)r->name.len, r->name.ptr, r->count, r->total_time, r->exec_time,
		       r->sched_wait_time, r->block_time, r->syscall_time, r->syscall_block_time);
	}
	n = gort_trace_summary_gc_count(s, &dropped);
	for (size_t i = 0; i < n; i++)
		printf("gc\t%" PRId64 "\t%" PRId64 "\n", gort_trace_summary_gc(s, i)->start,
		       gort_trace_summary_gc(s, i)->end);
	n = gort_trace_summary_stw_count(s, &dropped);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_pause *p = gort_trace_summary_stw(s, i);
		printf("stw\t%" PRId64 "\t%" PRId64 "\t%.*s\n", p->start, p->end, (int)p->reason.len,
		       p->reason.ptr);
	}
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		printf("hist\t%s\tcount=%" PRIu64 " sum=%" PRId64 " min=%" PRId64 " max=%" PRId64,
		       gort_trace_hist_kind_name(k), h->count, h->sum, h->min, h->max);
		for (int b = 0; b < GORT_TRACE_HIST_BUCKETS; b++)
			if (h->buckets[b])
				printf(" %d:%" PRIu64, b, h->buckets[b]);
		putchar('\n');
	}
}

/* `"key":{"name":ns,...}` of a table of named durations. */
static void json_stats(const char *key, const struct gort_trace_stat *st, size_t n)
{
	printf(",\"%s\":{", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		tool_json_gstr(stdout, st[i].name);
		printf(":%" PRId64, st[i].ns);
	}
	putchar('}');
}

/* The times every goroutine, group and region record shares. */
#define JSON_TIMES(x)                                                                      \
	printf(",\"exec_time\":%" PRId64 ",\"sched_wait_time\":%" PRId64                     \
	       ",\"syscall_time\":%" PRId64 ",\"syscall_block_time\":%" PRId64                \
	       ",\"total_time\":%" PRId64 ",\"block_time\":%" PRId64,                          \
	       (x)->exec_time, (x)->sched_wait_time, (x)->syscall_time, (x)->syscall_block_time, \
	       (x)->total_time, (x)->block_time)

static void json_pause(const char *record, const struct gort_trace_pause *p)
{
	printf("{\"record\":\"%s\",\"start\":%" PRId64 ",\"end\":%" PRId64, record, p->start,
	       p->end);
	if (p->reason.len)
		json_sfield("reason", p->reason);
	puts("}");
}

/* stats --json: one object per record, "record" says which (docs/json.md). */
static void print_json(const gort_trace_summary *s, const char *file)
{
	uint64_t gc_dropped, stw_dropped;
	size_t ngc = gort_trace_summary_gc_count(s, &gc_dropped);
	size_t nstw = gort_trace_summary_stw_count(s, &stw_dropped);

	fputs("{\"record\":\"trace\",\"file\":", stdout);
	tool_json_str(stdout, file);
	printf(",\"events\":%" PRIu64 ",\"start_time\":%" PRId64 ",\"end_time\":%" PRId64
	       ",\"goroutines\":%zu,\"gc_dropped\":%" PRIu64 ",\"stw_dropped\":%" PRIu64 "}\n",
	       gort_trace_summary_events(s), gort_trace_summary_start_time(s),
	       gort_trace_summary_end_time(s), gort_trace_summary_goroutine_count(s), gc_dropped,
	       stw_dropped);
	for (size_t i = 0; i < gort_trace_summary_group_count(s); i++) {
		const struct gort_trace_goroutine_group *g = gort_trace_summary_group(s, i);
		fputs("{\"record\":\"group\"", stdout);
		json_sfield("name", g->name);
		printf(",\"count\":%" PRIu64, g->count);
		JSON_TIMES(g);
		printf(",\"unknown_time\":%" PRId64, g->unknown_time);
		json_stats("block", g->block, g->nblock);
		json_stats("range", g->range, g->nrange);
		puts("}");
	}
	for (size_t i = 0; i < gort_trace_summary_goroutine_count(s); i++) {
		const struct gort_trace_goroutine_summary *g = gort_trace_summary_goroutine(s, i);
		printf("{\"record\":\"goroutine\",\"id\":%" PRId64, g->id);
		json_sfield("name", g->name);
		printf(",\"pc\":%" PRIu64 ",\"creation_time\":%" PRId64 ",\"start_time\":%" PRId64
		       ",\"end_time\":%" PRId64,
		       g->pc, g->creation_time, g->start_time, g->end_time);
		JSON_TIMES(g);
		printf(",\"unknown_time\":%" PRId64, g->unknown_time);
		json_stats("block", g->block, g->nblock);
		json_stats("range", g->range, g->nrange);
		puts("}");
	}
	for (size_t i = 0; i < gort_trace_summary_region_count(s); i++) {
		const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
		fputs("{\"record\":\"region\"", stdout);
		json_sfield("name", r->name);
		printf(",\"count\":%" PRIu64, r->count);
		JSON_TIMES(r);
		puts("}");
	}
	for (size_t i = 0; i < ngc; i++)
		json_pause("gc", gort_trace_summary_gc(s, i));
	for (size_t i = 0; i < nstw; i++)
		json_pause("stw", gort_trace_summary_stw(s, i));
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		printf("{\"record\":\"histogram\",\"kind\":\"%s\",\"count\":%" PRIu64
		       ",\"sum\":%" PRId64 ",\"min\":%" PRId64 ",\"max\":%" PRId64
		       ",\"p50\":%" PRId64 ",\"p90\":%" PRId64 ",\"p99\":%" PRId64 ",\"buckets\":[",
		       gort_trace_hist_kind_name(k), h->count, h->sum, h->min, h->max,
		       gort_trace_histogram_quantile(h, 0.5), gort_trace_histogram_quantile(h, 0.9),
		       gort_trace_histogram_quantile(h, 0.99));
		for (int b = 0; b < GORT_TRACE_HIST_BUCKETS; b++)
			printf("%s%" PRIu64, b ? "," : "", h->buckets[b]);
		puts("]}");
	}
}

static void print_pauses(const gort_trace_summary *s, const char *what, size_t n,
			 const struct gort_trace_pause *(*at)(const gort_trace_summary *, size_t),
			 const struct gort_trace_histogram *h)
{
	int64_t t0 = gort_trace_summary_start_time(s);

	printf("\n%s: %" PRIu64 " completed, total %s, mean %s, p50 <= %s, p99 <= %s, max %s\n", what,
	       h->count, D(h->sum), D(h->count ? h->sum / (int64_t)h->count : 0),
	       D(gort_trace_histogram_quantile(h, 0.5)), D(gort_trace_histogram_quantile(h, 0.99)),
	       D(h->max));
	for (size_t i = 0; i < n && i < 20; i++) {
		const struct gort_trace_pause *p = at(s, i);
		printf("  at %-12s %-12s %.*s\n", D(p->start - t0),
		       p->end ? D(p->end - p->start) : "(open)", (int)p->reason.len, p->reason.ptr);
	}
	if (n > 20)
		printf("  ... %zu more (gort-trace stats --raw lists them all)\n", n - 20);
}

static void print_human(const gort_trace_summary *s, const char *file)
{
	size_t n = gort_trace_summary_group_count(s);
	uint64_t dropped;

	printf("%s: %" PRIu64 " events over %s, %zu goroutines\n\n", file,
	       gort_trace_summary_events(s),
	       D(gort_trace_summary_end_time(s) - gort_trace_summary_start_time(s)),
	       gort_trace_summary_goroutine_count(s));
	printf("Goroutines by start function (as go tool trace groups them), by execution time:\n");
	printf("%-44s %7s %11s %11s %11s %11s %11s %11s\n", "start function", "count", "execution",
	       "sched wait", "blocked", "syscall", "syscall blk", "unknown");
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_group *g = gort_trace_summary_group(s, i);
		char name[45];
		snprintf(name, sizeof(name), "%.*s", (int)g->name.len,
			 g->name.len ? g->name.ptr : "(inactive, no stack trace sampled)");
		printf("%-44s %7" PRIu64 " %11s %11s %11s %11s %11s %11s\n", name, g->count,
		       D(g->exec_time), D(g->sched_wait_time), D(g->block_time), D(g->syscall_time),
		       D(g->syscall_block_time), D(g->unknown_time));
		for (size_t j = 0; j < g->nblock; j++)
			if (g->block[j].ns)
				printf("    blocked: %-40.*s %11s\n", (int)g->block[j].name.len,
				       g->block[j].name.ptr, D(g->block[j].ns));
		for (size_t j = 0; j < g->nrange; j++)
			printf("    in range: %-39.*s %11s\n", (int)g->range[j].name.len,
			       g->range[j].name.ptr, D(g->range[j].ns));
	}
	if (gort_trace_summary_region_count(s)) {
		printf("\nUser regions:\n%-44s %7s %11s %11s %11s %11s\n", "region", "count", "total",
		       "execution", "sched wait", "blocked");
		for (size_t i = 0; i < gort_trace_summary_region_count(s); i++) {
			const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
			printf("%-44.*s %7" PRIu64 " %11s %11s %11s %11s\n", (int)r->name.len,
			       r->name.len ? r->name.ptr : "(task inherited at creation)", r->count,
			       D(r->total_time), D(r->exec_time), D(r->sched_wait_time),
			       D(r->block_time));
		}
	}
	print_pauses(s, "GC mark phases", gort_trace_summary_gc_count(s, &dropped),
		     gort_trace_summary_gc, gort_trace_summary_histogram(s, GORT_TRACE_HIST_GC));
	print_pauses(s, "Stop-the-world pauses", gort_trace_summary_stw_count(s, &dropped),
		     gort_trace_summary_stw, gort_trace_summary_histogram(s, GORT_TRACE_HIST_STW));
	printf("\nLatency histograms (completed intervals):\n%-8s %10s %11s %11s %11s %11s %11s\n",
	       "", "count", "mean", "p50 <=", "p90 <=", "p99 <=", "max");
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		printf("%-8s %10" PRIu64 " %11s %11s %11s %11s %11s\n", gort_trace_hist_kind_name(k),
		       h->count, D(h->count ? h->sum / (int64_t)h->count : 0),
		       D(gort_trace_histogram_quantile(h, 0.5)),
		       D(gort_trace_histogram_quantile(h, 0.9)),
		       D(gort_trace_histogram_quantile(h, 0.99)), D(h->max));
	}
}

/*
 * Like go tool trace, a trace that breaks off is summarized up to the break
 * (with a warning); it fails only when nothing could be read.
 */
static int stats_main(int argc, char **argv)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_summary *s = NULL;
	gort_trace *t = NULL;
	const char *file = argv[argc - 1];
	int raw = argc == 2 && !strcmp(argv[0], "--raw"), rc;
	int json = argc == 2 && !strcmp(argv[0], "--json");
	struct tool_progress p, op;
	uint64_t n = 0;

	if (argc != 1 && !raw && !json) {
		usage(stderr);
		return 2;
	}
	tool_progress_init(&p, "gort-trace: reading", 0);
	if (open_trace(&t, file, &op) || open_iter(&it, t, &op) ||
	    gort_trace_summary_new(&s, NULL))
		goto err;
	while ((rc = next_event(it, &ev, &p, &n)) == 0)
		if (gort_trace_summary_add(s, ev))
			goto err;
	if (rc != GORT_EEND) {
		if (!s || gort_trace_summary_events(s) == 0)
			goto err;
		fail(file);
		fprintf(stderr, "gort-trace: summarizing the events before the error\n");
	}
	if (gort_trace_summary_finish(s))
		goto err;
	if (raw)
		print_raw(s);
	else if (json)
		print_json(s, file);
	else
		print_human(s, file);
	gort_trace_summary_free(s);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return fflush(stdout) ? 1 : 0;
err:
	tool_progress_done(&p);
	rc = fail(file);
	gort_trace_summary_free(s);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

static int write_file(const void *buf, size_t n, void *arg)
{
	return fwrite(buf, 1, n, arg) == n ? 0 : GORT_EIO;
}

static int export_main(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *fmt = NULL;
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_exporter *x = NULL;
	gort_trace *t = NULL;
	struct tool_progress p, op;
	FILE *f = stdout;
	uint64_t n = 0;
	int format, rc, read_rc = 0;

	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			file = NULL, i = argc;
	}
	if (!file || !fmt) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(fmt, "perfetto") || !strcmp(fmt, "json"))
		format = GORT_TRACE_EXPORT_PERFETTO;
	else if (!strcmp(fmt, "csv"))
		format = GORT_TRACE_EXPORT_CSV;
	else if (!strcmp(fmt, "goroutines-csv"))
		format = GORT_TRACE_EXPORT_GOROUTINES_CSV;
	else {
		fprintf(stderr, "gort-trace: unknown format %s\n", fmt);
		return 2;
	}
	/* Without -o the export itself goes to stdout: no progress if that is
	   the terminal too. */
	tool_progress_init(&p, "gort-trace: reading", out == NULL);
	if (open_trace(&t, file, &op))
		return fail(file);
	if (out && !(f = fopen(out, "w"))) {
		perror(out);
		gort_trace_close(t);
		return 1;
	}
	/* gort_trace_export(), with the event loop here for the progress line. */
	rc = open_iter(&it, t, &op);
	if (!rc)
		rc = gort_trace_exporter_new(&x, format, write_file, f);
	while (!rc && !(rc = read_rc = next_event(it, &ev, &p, &n)))
		rc = gort_trace_exporter_add(x, ev);
	if (rc == GORT_EEND)
		rc = gort_trace_exporter_finish(x);
	else if (read_rc)
		gort_trace_exporter_flush(x); /* the events before a read error */
	if (rc) {
		tool_progress_done(&p);
		rc = fail(file);
	}
	if ((f != stdout ? fclose(f) : fflush(f)) && !rc) {
		perror(out ? out : "stdout");
		rc = 1;
	}
	gort_trace_exporter_free(x);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("gort-trace (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if ((argc == 3 || (argc == 4 && !strcmp(argv[2], "--json"))) &&
	    argv[argc - 1][0] != '-' && (!strcmp(argv[1], "dump") || !strcmp(argv[1], "count")))
		return (!strcmp(argv[1], "dump") ? dump : count)(argv[argc - 1], argc == 4);
	if (argc >= 3 && !strcmp(argv[1], "stats"))
		return stats_main(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "export"))
		return export_main(argc - 2, argv + 2);
	usage(stderr);
	return 2;
}
