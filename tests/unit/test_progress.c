/*
 * Progress queries of the long reads: gort_trace_event_iter_progress over
 * fixture traces of the old format (Go 1.15, 1.21 writers) and the
 * generation format (1.22, 1.25, 1.27), and gort_goroutine_iter_progress
 * over a fixture core. done never goes back, never passes total, total is
 * the trace's size (the count of runtime.allgs), and done == total once the
 * iterator has ended; NULL arguments are GORT_EINVAL.
 */
#include "testutil.h"

#include <gort/gort.h>
#include <stdio.h>
#include <sys/stat.h>

static void trace_progress(const char *rel)
{
	const char *path = tu_fixture(rel);
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	uint64_t done, total, last = 0, n = 0, mid = 0, syncs = 0;
	gort_trace *t;
	struct stat st;
	int rc;

	TU_REQUIRE_FIXTURE(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(gort_trace_open(&t, path, NULL), 0);
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

static void test_trace_old_115(void **state) { (void)state; trace_progress("go1.15/amd64/trace.out"); }
static void test_trace_old_121(void **state) { (void)state; trace_progress("go1.21/amd64/trace.out"); }
static void test_trace_122(void **state) { (void)state; trace_progress("go1.22/amd64/trace.out"); }
static void test_trace_125(void **state) { (void)state; trace_progress("go1.25/amd64/trace.out"); }
static void test_trace_127(void **state) { (void)state; trace_progress("go1.27/amd64/trace.out"); }

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_old_115), cmocka_unit_test(test_trace_old_121),
		cmocka_unit_test(test_trace_122),     cmocka_unit_test(test_trace_125),
		cmocka_unit_test(test_trace_127),     cmocka_unit_test(test_goroutines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
