/*
 * Progress queries of the long reads: gort_trace_event_iter_progress over
 * fixture traces of the old format (Go 1.15, 1.21 writers; Go 1.5's from
 * Go 1.21's test data, format 1.5) and the generation format (1.22, 1.25,
 * 1.27), and gort_goroutine_iter_progress over a fixture core. done never
 * goes back, never passes total, total is the trace's size (the count of
 * runtime.allgs), and done == total once the iterator has ended; NULL
 * arguments are GORT_EINVAL. Old formats: done follows the events
 * delivered, not the batches loaded ahead (a tenth of the events in, less
 * than a quarter of the bytes). And the progress reports of opening a
 * zstd-compressed core (gort_core_opts.progress): decompression then
 * notes, each counting up to its total.
 */
#include "testutil.h"

#include <gort/gort.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void trace_progress_at(const char *path)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	uint64_t done, total, last = 0, n = 0, mid = 0, syncs = 0, all = 0;
	gort_trace *t;
	struct stat st;
	int rc;

	TU_REQUIRE_FIXTURE(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(gort_trace_open(&t, path, NULL), 0);
	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	while (gort_trace_event_iter_next(it, &ev) == 0)
		all++;
	gort_trace_event_iter_free(it);
	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	assert_int_equal(gort_trace_event_iter_progress(it, &done, &total), 0);
	assert_int_equal(total, (uint64_t)st.st_size);
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		assert_int_equal(gort_trace_event_iter_progress(it, &done, &total), 0);
		assert_true(done >= last);
		assert_true(done <= total);
		last = done;
		if (++n == 1000)
			mid = done;
		if (n == all / 10 && gort_trace_version(t) < 22)
			assert_true(done < total / 4);
		syncs += ev->kind == GORT_TRACE_EVENT_SYNC;
	}
	assert_int_equal(rc, GORT_EEND);
	assert_int_equal(gort_trace_event_iter_progress(it, &done, &total), 0);
	assert_int_equal(done, total);
	/*
	 * Not all at once: after 1000 events some but not all bytes are read
	 * (old formats load batch by batch; the generation format reads a
	 * generation at a time, so only traces of several generations, that
	 * is more than two Syncs, have read part of the file).
	 */
	assert_true(n > 2000);
	assert_true(mid > 0);
	if (gort_trace_version(t) < 22 || syncs > 2)
		assert_true(mid < total);
	assert_int_equal(gort_trace_event_iter_progress(NULL, &done, &total), GORT_EINVAL);
	assert_int_equal(gort_trace_event_iter_progress(it, NULL, &total), GORT_EINVAL);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
}

static void trace_progress(const char *rel)
{
	trace_progress_at(tu_fixture(rel));
}

static void test_trace_old_15(void **state)
{
	(void)state;
	trace_progress_at("/usr/lib/go-1.21/src/internal/trace/testdata/http_1_5_good");
}
static void test_trace_old_115(void **state) { (void)state; trace_progress("go1.15/amd64/trace.out"); }
static void test_trace_old_121(void **state) { (void)state; trace_progress("go1.21/amd64/trace.out"); }
static void test_trace_122(void **state) { (void)state; trace_progress("go1.22/amd64/trace.out"); }
static void test_trace_125(void **state) { (void)state; trace_progress("go1.25/amd64/trace.out"); }
static void test_trace_127(void **state) { (void)state; trace_progress("go1.27/amd64/trace.out"); }

/*
 * A Go 1.21 trace with CPU samples (tests/trace/testdata/cpu_1_21.trace.zst,
 * written by tests/trace/cpusamples): the index reads the samples, which
 * lie all over the file, and the merge takes them by time through a P of
 * their own; progress follows the Ps' batches only. When it counted the
 * samples' P too, done jumped to the offset of the next sample (not in
 * file order) and fell back once the samples were all delivered.
 */
static void test_trace_old_cpu_samples(void **state)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	uint64_t done, total, last = 0, samples = 0, n = 0;
	gort_trace *t;
	int rc;

	(void)state;
	assert_int_equal(gort_trace_open(&t, GORT_SOURCE_DIR "/tests/trace/testdata/cpu_1_21.trace.zst",
					 NULL), 0);
	assert_int_equal(gort_trace_version(t), 21);
	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		assert_int_equal(gort_trace_event_iter_progress(it, &done, &total), 0);
		assert_true(done >= last);
		assert_true(done <= total);
		last = done;
		n++;
		samples += ev->kind == GORT_TRACE_EVENT_STACK_SAMPLE;
	}
	assert_int_equal(rc, GORT_EEND);
	assert_true(samples >= 20); /* spread over the trace */
	assert_true(n > samples);
	assert_int_equal(gort_trace_event_iter_progress(it, &done, &total), 0);
	assert_int_equal(done, total);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
}

/* What gort_trace_opts.progress or gort_core_opts.progress was told. */
struct reports {
	int step;          /* the current step, 0 before the first */
	uint64_t done, total;
	unsigned calls[4]; /* per step */
	unsigned finished; /* steps that ended with done == total */
	int order[8];      /* trace: the steps in the order they began */
	unsigned norder;
};

/* Every report: done within total; then it is the latest, counted per step. */
static void keep(struct reports *r, int step, uint64_t done, uint64_t total)
{
	assert_true(done <= total);
	r->step = step;
	r->done = done;
	r->total = total;
	r->calls[step]++;
	r->finished += done == total;
}

static void trecord(int step, uint64_t done, uint64_t total, void *arg)
{
	struct reports *r = arg;

	assert_true(step >= GORT_TRACE_STEP_DECOMPRESS && step <= GORT_TRACE_STEP_FUTILE);
	if (step != r->step || (done < r->done && r->done == r->total)) {
		/* A new step (or the same one again, from 0: another iterator);
		   the passes of an iterator say first that they begin. */
		assert_true(r->norder < 8);
		r->order[r->norder++] = step;
		if (step != GORT_TRACE_STEP_DECOMPRESS)
			assert_int_equal(done, 0);
	} else {
		assert_true(done >= r->done); /* never back within a step */
		assert_int_equal(total, r->total);
	}
	keep(r, step, done, total);
}

/*
 * Format 1.7 with a futile wakeup: the bytes tests/trace/futile.py writes
 * (P 0 runs g1, which blocks; g2 wakes it for nothing, then for real).
 */
static const unsigned char futile_1_7[] = {
	0x67, 0x6f, 0x20, 0x31, 0x2e, 0x37, 0x20, 0x74, 0x72, 0x61, 0x63, 0x65,
	0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0xe8, 0x07, 0x84, 0x0a, 0x01, 0x00,
	0x45, 0x0a, 0x01, 0xcd, 0x04, 0x0a, 0x01, 0x00, 0x00, 0xcd, 0x04, 0x0a,
	0x02, 0x00, 0x00, 0x8e, 0x0a, 0x01, 0x01, 0x54, 0x0a, 0x00, 0x8e, 0x0a,
	0x02, 0x01, 0xd5, 0x04, 0x0a, 0x01, 0x02, 0x00, 0x51, 0x0a, 0x00, 0x8e,
	0x0a, 0x01, 0x03, 0x24, 0x0a, 0x54, 0x0a, 0x00, 0x8e, 0x0a, 0x02, 0x02,
	0xd5, 0x04, 0x0a, 0x01, 0x04, 0x00, 0x0f, 0x0a, 0x8e, 0x0a, 0x01, 0x05,
	0x0f, 0x0a, 0x02, 0x80, 0x94, 0xeb, 0xdc, 0x03,
};

/* Every event of t; the number of them. */
static uint64_t drain(gort_trace *t)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	uint64_t n = 0;
	int rc;

	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0)
		n++;
	assert_int_equal(rc, GORT_EEND);
	gort_trace_event_iter_free(it);
	return n;
}

/*
 * gort_trace_opts.progress: the passes before the first event. An old
 * trace is indexed by each iterator (INDEX, 0 to its size); one with
 * futile wakeups is also ordered once (FUTILE); a zstd-compressed trace
 * is decompressed by gort_trace_open (DECOMPRESS); a generation-format
 * trace has none of these. A caller built before the fields existed, or
 * without a callback, gets no reports and the same events.
 */
static void test_trace_open_reports(void **state)
{
	struct reports r = {0};
	GORT_OPTS(gort_trace_opts, o, .progress = trecord, .progress_arg = &r);
	uint64_t n, n2;
	gort_trace *t;

	(void)state;
	assert_int_equal(gort_trace_open_memory(&t, futile_1_7, sizeof(futile_1_7), &o), 0);
	assert_int_equal(r.norder, 0); /* not compressed */
	n = drain(t);
	assert_int_equal(r.norder, 2);
	assert_int_equal(r.order[0], GORT_TRACE_STEP_INDEX);
	assert_int_equal(r.order[1], GORT_TRACE_STEP_FUTILE);
	assert_int_equal(r.finished, 2);
	assert_int_equal(r.total, sizeof(futile_1_7));
	n2 = drain(t); /* a second iterator reports again */
	assert_int_equal(n2, n);
	assert_int_equal(r.norder, 4);
	assert_int_equal(r.order[2], GORT_TRACE_STEP_INDEX);
	assert_int_equal(r.order[3], GORT_TRACE_STEP_FUTILE);
	gort_trace_close(t);

	/* Without the fields (an older caller): nothing, same events. */
	memset(&r, 0, sizeof(r));
	o.sz = offsetof(struct gort_trace_opts, progress);
	assert_int_equal(gort_trace_open_memory(&t, futile_1_7, sizeof(futile_1_7), &o), 0);
	assert_int_equal(drain(t), n);
	gort_trace_close(t);
	assert_int_equal(r.norder, 0);
	o.sz = sizeof(o);
	{
		struct {
			struct gort_trace_opts o;
			uint64_t newer;
		} big = {o, 1};
		big.o.sz = sizeof(big);
		assert_int_equal(gort_trace_open_memory(&t, futile_1_7, sizeof(futile_1_7), &big.o),
				 GORT_EINVAL);
	}

	/* Compressed, with CPU samples: decompression, then the index only. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(gort_trace_open(&t, GORT_SOURCE_DIR "/tests/trace/testdata/cpu_1_21.trace.zst",
					 &o), 0);
	assert_int_equal(r.norder, 1);
	assert_int_equal(r.order[0], GORT_TRACE_STEP_DECOMPRESS);
	assert_int_equal(r.finished, 1);
	drain(t);
	assert_int_equal(r.norder, 2);
	assert_int_equal(r.order[1], GORT_TRACE_STEP_INDEX);
	assert_int_equal(r.finished, 2);
	gort_trace_close(t);

	/* Go's 1.5 test trace (Go 1.21's source): the index. */
	{
		const char *p = "/usr/lib/go-1.21/src/internal/trace/testdata/http_1_5_good";
		if (tu_exists(p)) {
			memset(&r, 0, sizeof(r));
			assert_int_equal(gort_trace_open(&t, p, &o), 0);
			drain(t);
			gort_trace_close(t);
			assert_int_equal(r.norder, 1);
			assert_int_equal(r.order[0], GORT_TRACE_STEP_INDEX);
			assert_int_equal(r.finished, 1);
		}
	}
	/* The generation format: no pass before the first event. */
	{
		const char *p = tu_fixture("go1.25/amd64/trace.out");
		if (tu_exists(p)) {
			memset(&r, 0, sizeof(r));
			assert_int_equal(gort_trace_open(&t, p, &o), 0);
			drain(t);
			gort_trace_close(t);
			assert_int_equal(r.norder, 0);
		}
	}
}

static void test_goroutines(void **state)
{
	char core[4096], exe[4096];
	const struct gort_goroutine *g;
	gort_goroutine_iter *it;
	uint64_t done, total, last = 0, n = 0;
	gort_core *c;
	int rc;

	(void)state;
	snprintf(core, sizeof(core), "%s", tu_fixture("go1.25/amd64/default/core.zst"));
	snprintf(exe, sizeof(exe), "%s", tu_fixture("go1.25/amd64/default/prog"));
	TU_REQUIRE_FIXTURE(core);
	assert_int_equal(gort_core_open(&c, core, exe, NULL), 0);
	assert_int_equal(gort_goroutine_iter_new(&it, c), 0);
	assert_int_equal(gort_goroutine_iter_progress(it, &done, &total), 0);
	assert_int_equal(done, 0);
	assert_true(total > 0);
	while ((rc = gort_goroutine_iter_next(it, &g)) != GORT_EEND) {
		assert_int_equal(rc, 0);
		assert_int_equal(gort_goroutine_iter_progress(it, &done, &total), 0);
		assert_true(done > last && done <= total);
		last = done;
		n++;
	}
	assert_int_equal(gort_goroutine_iter_progress(it, &done, &total), 0);
	/* Every allgs entry visited; live goroutines are at most that many. */
	assert_int_equal(done, total);
	assert_true(n > 0 && n <= total);
	assert_int_equal(gort_goroutine_iter_progress(NULL, &done, &total), GORT_EINVAL);
	gort_goroutine_iter_free(it);
	gort_core_close(c);
}

static void record(int step, uint64_t done, uint64_t total, void *arg)
{
	struct reports *r = arg;

	assert_true(step == GORT_CORE_STEP_DECOMPRESS || step == GORT_CORE_STEP_NOTES);
	assert_true(step >= r->step); /* steps in order */
	if (step == r->step) {
		assert_true(done >= r->done); /* never back within a step */
		assert_int_equal(total, r->total);
	}
	keep(r, step, done, total);
}

static void test_core_open(void **state)
{
	char core[4096], exe[4096];
	struct reports r = {0};
	GORT_OPTS(gort_core_opts, o, .progress = record, .progress_arg = &r);
	gort_core *c;
	FILE *f;
	long size;
	void *buf;

	(void)state;
	snprintf(core, sizeof(core), "%s", tu_fixture("go1.25/amd64/default/core.zst"));
	snprintf(exe, sizeof(exe), "%s", tu_fixture("go1.25/amd64/default/prog"));
	TU_REQUIRE_FIXTURE(core);
	assert_int_equal(gort_core_open(&c, core, exe, &o), 0);
	gort_core_close(c);
	/* A 40 MB core in 1 MiB steps: many reports, each step to its end. */
	assert_true(r.calls[GORT_CORE_STEP_DECOMPRESS] > 10);
	assert_true(r.calls[GORT_CORE_STEP_NOTES] >= 1);
	assert_int_equal(r.step, GORT_CORE_STEP_NOTES);
	assert_true(r.finished >= 2);
	assert_true(r.total > 0);

	/* The same from a caller's buffer. */
	assert_non_null(f = fopen(core, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((size = ftell(f)) > 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)size));
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	memset(&r, 0, sizeof(r));
	assert_int_equal(gort_core_open_memory(&c, buf, (size_t)size, exe, &o), 0);
	gort_core_close(c);
	free(buf);
	assert_true(r.calls[GORT_CORE_STEP_DECOMPRESS] > 10);
	assert_int_equal(r.step, GORT_CORE_STEP_NOTES);

	/* A caller built before the field existed: no reports, same core. */
	memset(&r, 0, sizeof(r));
	o.sz = offsetof(struct gort_core_opts, progress);
	o.progress = NULL;
	o.progress_arg = NULL;
	assert_int_equal(gort_core_open(&c, core, exe, &o), 0);
	gort_core_close(c);
	assert_int_equal(r.step, 0);
	/* A newer caller's option this library does not know is refused. */
	{
		struct {
			struct gort_core_opts o;
			uint64_t newer;
		} big = {o, 1};
		big.o.sz = sizeof(big);
		assert_int_equal(gort_core_open(&c, core, exe, &big.o), GORT_EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_old_15),
		cmocka_unit_test(test_trace_old_115), cmocka_unit_test(test_trace_old_121),
		cmocka_unit_test(test_trace_122),     cmocka_unit_test(test_trace_125),
		cmocka_unit_test(test_trace_127),     cmocka_unit_test(test_goroutines),
		cmocka_unit_test(test_core_open),
		cmocka_unit_test(test_trace_old_cpu_samples),
		cmocka_unit_test(test_trace_open_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
