/*
 * Unit tests of the trace summarizer (Go's internal/trace/summary.go
 * semantics) fed hand-made events: the statistics of a small life, pause
 * lists and histograms, the API's edges, and inconsistent or extreme
 * events (as a damaged trace gives) that must neither crash nor overflow;
 * the exporter fed by hand (gort_trace_exporter).
 * Whole traces are compared with Go's own summary by tests/trace/check-stats.sh.
 */
#include "testutil.h"

#include "trace/strtab.h"

#include <gort/gort.h>

#include <stdio.h>
#include <string.h>

#define S(lit) ((struct gort_str){lit, sizeof(lit) - 1})

static struct gort_trace_event go_ev(int64_t t, int64_t by, int64_t g, int from, int to,
				     struct gort_str reason)
{
	struct gort_trace_event e = {.kind = GORT_TRACE_EVENT_STATE_TRANSITION, .time = t,
				     .goroutine = by, .proc = 0, .thread = 1};
	e.u.transition.resource_kind = GORT_TRACE_RESOURCE_GOROUTINE;
	e.u.transition.resource = g;
	e.u.transition.from = from;
	e.u.transition.to = to;
	e.u.transition.reason = reason;
	return e;
}

static struct gort_trace_event range_ev(int kind, int64_t t, int64_t g, struct gort_str name,
					int scope_kind, int64_t scope)
{
	struct gort_trace_event e = {.kind = kind, .time = t, .goroutine = g, .proc = 0, .thread = 1};
	e.u.range.name = name;
	e.u.range.scope_kind = scope_kind;
	e.u.range.scope = scope;
	return e;
}

static void feed(gort_trace_summary *s, struct gort_trace_event e)
{
	assert_int_equal(gort_trace_summary_add(s, &e), 0);
}

static const struct gort_trace_goroutine_summary *find(gort_trace_summary *s, int64_t id)
{
	for (size_t i = 0; i < gort_trace_summary_goroutine_count(s); i++)
		if (gort_trace_summary_goroutine(s, i)->id == id)
			return gort_trace_summary_goroutine(s, i);
	return NULL;
}

static void test_life(void **state)
{
	const struct gort_trace_goroutine_summary *g;
	const struct gort_trace_histogram *h;
	gort_trace_summary *s;
	(void)state;

	assert_int_equal(gort_trace_summary_new(&s, NULL), 0);
	/* G1 runs from the start; it creates G2, which lives 100..500. */
	feed(s, go_ev(10, -1, 1, GORT_TRACE_GO_UNDETERMINED, GORT_TRACE_GO_RUNNING, S("")));
	feed(s, go_ev(100, 1, 2, GORT_TRACE_GO_NOT_EXIST, GORT_TRACE_GO_RUNNABLE, S("")));
	feed(s, go_ev(150, -1, 2, GORT_TRACE_GO_RUNNABLE, GORT_TRACE_GO_RUNNING, S("")));
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_BEGIN, 160, 2, S("GC mark assist"),
			 GORT_TRACE_RESOURCE_GOROUTINE, 2));
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_END, 190, 2, S("GC mark assist"),
			 GORT_TRACE_RESOURCE_GOROUTINE, 2));
	feed(s, go_ev(300, 2, 2, GORT_TRACE_GO_RUNNING, GORT_TRACE_GO_WAITING, S("chan receive")));
	feed(s, go_ev(400, 1, 2, GORT_TRACE_GO_WAITING, GORT_TRACE_GO_RUNNABLE, S("")));
	feed(s, go_ev(450, -1, 2, GORT_TRACE_GO_RUNNABLE, GORT_TRACE_GO_RUNNING, S("")));
	feed(s, go_ev(500, 2, 2, GORT_TRACE_GO_RUNNING, GORT_TRACE_GO_NOT_EXIST, S("")));
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_BEGIN, 600, 1, S("stop-the-world (GC sweep termination)"),
			 GORT_TRACE_RESOURCE_GOROUTINE, 1));
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_END, 640, 1, S("stop-the-world (GC sweep termination)"),
			 GORT_TRACE_RESOURCE_GOROUTINE, 1));
	/* Accessors answer nothing before finish. */
	assert_int_equal(gort_trace_summary_goroutine_count(s), 0);
	assert_null(gort_trace_summary_histogram(s, GORT_TRACE_HIST_SCHED));
	assert_int_equal(gort_trace_summary_events(s), 11);
	assert_int_equal(gort_trace_summary_finish(s), 0);
	assert_int_equal(gort_trace_summary_finish(s), 0); /* idempotent */

	assert_int_equal(gort_trace_summary_goroutine_count(s), 2);
	g = find(s, 2);
	assert_non_null(g);
	assert_int_equal(g->creation_time, 100);
	assert_int_equal(g->start_time, 150);
	assert_int_equal(g->end_time, 500);
	assert_int_equal(g->exec_time, 200);
	assert_int_equal(g->sched_wait_time, 100);
	assert_int_equal(g->total_time, 400);
	assert_int_equal(g->block_time, 100);
	assert_int_equal(g->nblock, 1);
	assert_true(g->block[0].name.len == 12 && !memcmp(g->block[0].name.ptr, "chan receive", 12));
	assert_int_equal(g->nrange, 1);
	assert_int_equal(g->range[0].ns, 30);
	assert_int_equal(g->unknown_time, 0);
	/* G1: running since the first event (its Sync time), to the end. */
	g = find(s, 1);
	assert_int_equal(g->creation_time, 10);
	assert_int_equal(g->exec_time, 630);
	assert_int_equal(g->end_time, 0);

	h = gort_trace_summary_histogram(s, GORT_TRACE_HIST_SCHED);
	assert_int_equal(h->count, 2);
	assert_int_equal(h->sum, 100);
	assert_int_equal(h->buckets[6], 2); /* 50: 32 <= d < 64 */
	assert_int_equal(gort_trace_histogram_quantile(h, 0.5), 50);
	h = gort_trace_summary_histogram(s, GORT_TRACE_HIST_STW);
	assert_int_equal(h->count, 1);
	assert_int_equal(h->max, 40);
	assert_int_equal(gort_trace_summary_stw_count(s, NULL), 1);
	assert_true(gort_trace_summary_stw(s, 0)->reason.len == 20);
	assert_null(gort_trace_summary_stw(s, 1));
	assert_null(gort_trace_summary_histogram(s, GORT_TRACE_HIST_KINDS));
	assert_string_equal(gort_trace_hist_kind_name(GORT_TRACE_HIST_SYSCALL), "syscall");
	/* Groups: unnamed (no stacks here), both in one group. */
	assert_int_equal(gort_trace_summary_group_count(s), 1);
	assert_int_equal(gort_trace_summary_group(s, 0)->count, 2);
	assert_int_equal(gort_trace_summary_group(s, 0)->exec_time, 830);

	{
		struct gort_trace_event e = go_ev(700, 1, 3, GORT_TRACE_GO_NOT_EXIST,
						  GORT_TRACE_GO_RUNNABLE, S(""));
		assert_int_equal(gort_trace_summary_add(s, &e), GORT_EINVAL);
	}
	gort_trace_summary_free(s);
}

static int collect(const void *buf, size_t n, void *arg)
{
	FILE *f = arg;
	return fwrite(buf, 1, n, f) == n ? 0 : GORT_EIO;
}

static void test_csv(void **state)
{
	gort_trace_summary *s;
	char out[2048] = {0};
	FILE *f;
	(void)state;

	assert_int_equal(gort_trace_summary_new(&s, NULL), 0);
	feed(s, go_ev(10, -1, 7, GORT_TRACE_GO_UNDETERMINED, GORT_TRACE_GO_WAITING,
		      S("say \"hi\", then wait")));
	assert_int_equal(gort_trace_summary_write_csv(s, collect, stderr), GORT_EINVAL);
	assert_int_equal(gort_trace_summary_finish(s), 0);
	f = fmemopen(out, sizeof(out) - 1, "w");
	assert_non_null(f);
	assert_int_equal(gort_trace_summary_write_csv(s, collect, f), 0);
	fclose(f);
	assert_non_null(strstr(out, "\n7,,0x0,10,0,0,0,0,0,0,0,0,0,\"{\"\"say \\\"\"hi\\\"\", then wait\"\":0}\",\"{}\"\n"));
	gort_trace_summary_free(s);
}

static int failing_sink(const void *buf, size_t n, void *arg)
{
	(void)buf, (void)n;
	++*(int *)arg;
	return GORT_EIO;
}

/* The exporter fed by hand: each format, the API's edges, a sink that fails. */
static void test_exporter(void **state)
{
	const int formats[] = {GORT_TRACE_EXPORT_PERFETTO, GORT_TRACE_EXPORT_CSV,
			       GORT_TRACE_EXPORT_GOROUTINES_CSV};
	struct gort_trace_event e[2] = {
		go_ev(10, -1, 7, GORT_TRACE_GO_UNDETERMINED, GORT_TRACE_GO_RUNNABLE, S("")),
		go_ev(25, -1, 7, GORT_TRACE_GO_RUNNABLE, GORT_TRACE_GO_RUNNING, S("")),
	};
	const char *want[] = {"\"G7\"", "25,StateTransition,,0,1,Goroutine,7,Runnable,Running,",
			      "\n7,,0x0,10,25,"};
	gort_trace_exporter *x;
	int calls = 0;
	(void)state;

	for (int i = 0; i < 3; i++) {
		char out[4096] = {0};
		FILE *f = fmemopen(out, sizeof(out) - 1, "w");
		assert_non_null(f);
		assert_int_equal(gort_trace_exporter_new(&x, formats[i], collect, f), 0);
		assert_int_equal(gort_trace_exporter_add(x, &e[0]), 0);
		assert_int_equal(gort_trace_exporter_add(x, &e[1]), 0);
		assert_int_equal(gort_trace_exporter_finish(x), 0);
		assert_int_equal(gort_trace_exporter_finish(x), 0); /* again: nothing */
		assert_int_equal(gort_trace_exporter_add(x, &e[1]), GORT_EINVAL);
		gort_trace_exporter_free(x);
		fclose(f);
		if (!strstr(out, want[i]))
			fail_msg("format %d: no %s in:\n%s", formats[i], want[i], out);
	}
	assert_int_equal(gort_trace_exporter_new(NULL, GORT_TRACE_EXPORT_CSV, collect, NULL),
			 GORT_EINVAL);
	assert_int_equal(gort_trace_exporter_new(&x, GORT_TRACE_EXPORT_CSV, NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort_trace_exporter_new(&x, 99, collect, NULL), GORT_EINVAL);
	assert_null(x);
	assert_int_equal(gort_trace_exporter_add(NULL, &e[0]), GORT_EINVAL);
	assert_int_equal(gort_trace_exporter_flush(NULL), GORT_EINVAL);
	assert_int_equal(gort_trace_exporter_finish(NULL), GORT_EINVAL);
	gort_trace_exporter_free(NULL);

	/* The sink's error is returned, and sticks; nothing is written after it. */
	assert_int_equal(gort_trace_exporter_new(&x, GORT_TRACE_EXPORT_CSV, failing_sink, &calls), 0);
	assert_int_equal(gort_trace_exporter_add(x, &e[0]), 0);
	assert_int_equal(gort_trace_exporter_flush(x), GORT_EIO);
	assert_int_equal(calls, 1);
	assert_int_equal(gort_trace_exporter_add(x, &e[1]), GORT_EIO);
	assert_int_equal(gort_trace_exporter_finish(x), GORT_EIO);
	assert_int_equal(calls, 1);
	gort_trace_exporter_free(x);
}

/* Events that contradict each other, and extreme times: no crash, no UB. */
static void test_inconsistent(void **state)
{
	GORT_OPTS(gort_trace_summary_opts, o, .max_pauses = 1);
	struct gort_trace_summary_opts bad = {.sz = 1};
	gort_trace_summary *s;
	uint64_t dropped;
	struct gort_trace_event e;
	(void)state;

	assert_int_equal(gort_trace_summary_new(&s, &bad), GORT_EINVAL);
	assert_null(s);
	assert_int_equal(gort_trace_summary_new(NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort_trace_summary_new(&s, &o), 0);
	/* A goroutine never seen appearing leaves Running; regions on unknown goroutines. */
	feed(s, go_ev(INT64_MAX, 5, 5, GORT_TRACE_GO_RUNNING, GORT_TRACE_GO_WAITING, S("x")));
	e = (struct gort_trace_event){.kind = GORT_TRACE_EVENT_REGION_END, .time = 1, .goroutine = 9};
	feed(s, e);
	/* Times that wrap: Go's int64 arithmetic wraps, so does ours. */
	feed(s, go_ev(INT64_MIN, -1, 6, GORT_TRACE_GO_UNDETERMINED, GORT_TRACE_GO_SYSCALL, S("")));
	feed(s, go_ev(INT64_MAX, -1, 6, GORT_TRACE_GO_SYSCALL, GORT_TRACE_GO_RUNNING, S("")));
	feed(s, go_ev(INT64_MIN, 6, 6, GORT_TRACE_GO_RUNNING, GORT_TRACE_GO_NOT_EXIST, S("")));
	/* Re-created ID, region end without a begin, ends without begins. */
	feed(s, go_ev(5, 6, 6, GORT_TRACE_GO_NOT_EXIST, GORT_TRACE_GO_RUNNING, S("")));
	e = (struct gort_trace_event){.kind = GORT_TRACE_EVENT_REGION_END, .time = 6, .goroutine = 6};
	e.u.region.type = S("r");
	feed(s, e);
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_END, 7, 6, S("GC incremental sweep"),
			 GORT_TRACE_RESOURCE_PROC, 3));
	feed(s, range_ev(GORT_TRACE_EVENT_RANGE_END, 7, 6, S("stop-the-world ()"),
			 GORT_TRACE_RESOURCE_GOROUTINE, 6));
	for (int i = 0; i < 3; i++) {
		feed(s, range_ev(GORT_TRACE_EVENT_RANGE_BEGIN, 10 + i * 10, 6,
				 S("GC concurrent mark phase"), GORT_TRACE_RESOURCE_NONE, 0));
		feed(s, range_ev(GORT_TRACE_EVENT_RANGE_BEGIN, 11 + i * 10, 6,
				 S("GC incremental sweep"), GORT_TRACE_RESOURCE_PROC, 1));
		feed(s, range_ev(GORT_TRACE_EVENT_RANGE_END, 12 + i * 10, 6,
				 S("GC concurrent mark phase"), GORT_TRACE_RESOURCE_NONE, 0));
	}
	assert_int_equal(gort_trace_summary_finish(s), 0);
	assert_int_equal(gort_trace_summary_gc_count(s, &dropped), 1);
	assert_int_equal(dropped, 2);
	assert_int_equal(gort_trace_summary_histogram(s, GORT_TRACE_HIST_GC)->count, 3);
	assert_int_equal(gort_trace_summary_region_count(s), 1);
	gort_trace_summary_free(s);
	gort_trace_summary_free(NULL);
	assert_int_equal(gort_trace_histogram_quantile(NULL, 0.5), 0);
}

static void test_strtab(void **state)
{
	struct gort_istrs t;
	uint32_t a, b, c;
	char name[32];
	(void)state;

	assert_int_equal(gort__istr_init(&t), 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(gort__istr_intern(&t, (struct gort_str){name, strlen(name)}, &a), 0);
		assert_int_equal(gort__istr_intern(&t, (struct gort_str){name, strlen(name)}, &b), 0);
		assert_int_equal(a, b);
		assert_int_equal(gort__istr_get(&t, a).len, strlen(name));
	}
	assert_int_equal(gort__istr_intern(&t, S(""), &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(t.n, 5001);
	gort__istr_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_exporter),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_strtab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
