/*
 * Unit tests of the old trace formats (lib/trace/old*.c): a hand-built
 * format 1.11 trace read end to end (events, their text, stacks), and
 * hostile input: every truncation and many byte corruptions end in an
 * error or the end of the events (never a crash or an endless loop), and
 * unknown events, huge varints and oversized arguments are errors that
 * name the batch and the offset.
 */
#include "testutil.h"

#include <gort/gort.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	uint8_t d[1024];
	size_t n;
};

static void put(struct buf *b, uint8_t x)
{
	assert_true(b->n < sizeof(b->d));
	b->d[b->n++] = x;
}

static void uv(struct buf *b, uint64_t x)
{
	while (x >= 0x80) {
		put(b, (uint8_t)(x | 0x80));
		x >>= 7;
	}
	put(b, (uint8_t)x);
}

/* An event: type, its arguments inline (at most 3) or length-prefixed. */
static void ev(struct buf *b, uint8_t typ, int nargs, ...)
{
	struct buf a = {.n = 0};
	va_list ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		uv(&a, va_arg(ap, uint64_t));
	va_end(ap);
	if (nargs <= 3) {
		put(b, (uint8_t)(typ | (nargs - 1) << 6));
	} else {
		put(b, (uint8_t)(typ | 3 << 6));
		uv(b, a.n);
	}
	for (size_t i = 0; i < a.n; i++)
		put(b, a.d[i]);
}

#define U(x) ((uint64_t)(x))

/*
 * Go 1.11's format: P 0 starts, goroutine 5 is created, runs and ends. The
 * first Gomaxprocs only ends the trace's start: Go's reader drops it.
 */
static void make_trace(struct buf *t)
{
	t->n = 0;
	memcpy(t->d, "go 1.11 trace\0\0\0", 16);
	t->n = 16;
	ev(t, 1, 2, U(0), U(1000));             /* Batch p=0 ticks=1000 */
	ev(t, 2, 1, U(1000000000));             /* Frequency: 1 tick = 1 ns */
	put(t, 37);                             /* String 1 "main.f" */
	uv(t, 1);
	uv(t, 6);
	memcpy(t->d + t->n, "main.f", 6);
	t->n += 6;
	put(t, 37);                             /* String 2 "f.go" */
	uv(t, 2);
	uv(t, 4);
	memcpy(t->d + t->n, "f.go", 4);
	t->n += 4;
	ev(t, 3, 6, U(1), U(1), U(0x1000), U(1), U(2), U(10)); /* Stack 1 */
	ev(t, 4, 3, U(10), U(4), U(1));         /* Gomaxprocs 4 */
	ev(t, 5, 2, U(5), U(7));                /* ProcStart thread 7 */
	ev(t, 13, 4, U(5), U(5), U(1), U(1));   /* GoCreate g=5 */
	ev(t, 14, 3, U(5), U(5), U(1));         /* GoStart g=5 seq=1 */
	ev(t, 15, 1, U(5));                     /* GoEnd */
	ev(t, 6, 1, U(5));                      /* ProcStop */
}

static int read_all(const void *data, size_t n, size_t *count, char *text, size_t cap)
{
	const struct gort_trace_event *e;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	struct gort_str s;
	size_t used = 0;
	int rc;

	*count = 0;
	if ((rc = gort_trace_open_memory(&t, data, n, NULL)))
		return rc;
	if ((rc = gort_trace_event_iter_new(&it, t))) {
		gort_trace_close(t);
		return rc;
	}
	while ((rc = gort_trace_event_iter_next(it, &e)) == 0) {
		assert_int_equal(gort_trace_event_string(e, &s), 0);
		if (text && used + s.len + 2 < cap) {
			memcpy(text + used, s.ptr, s.len);
			used += s.len;
			text[used++] = '\n';
			text[used] = '\0';
		}
		assert_true(++*count < 100000); /* no endless loop */
	}
	assert_int_equal(gort_trace_event_iter_next(it, &e), rc);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

/* The expected text is `go tool trace -d=parsed` (Go 1.27) on these bytes. */
static void test_events(void **state)
{
	static const char want[] =
		"M=-1 P=-1 G=-1 Sync Time=-1 N=1\n"
		"M=7 P=0 G=-1 StateTransition Time=5 ProcID=0 Undetermined->Running Reason=\"\"\n"
		"M=7 P=0 G=-1 StateTransition Time=10 GoID=5 NotExist->Runnable Reason=\"\"\n"
		"TransitionStack=\n\tmain.f @ 0x1000\n\t\tf.go:10\n\n"
		"Stack=\n\tmain.f @ 0x1000\n\t\tf.go:10\n\n"
		"M=7 P=0 G=5 StateTransition Time=15 GoID=5 Runnable->Running Reason=\"\"\n"
		"M=7 P=0 G=5 StateTransition Time=20 GoID=5 Running->NotExist Reason=\"\"\n"
		"M=7 P=0 G=-1 StateTransition Time=25 ProcID=0 Running->Idle Reason=\"\"\n"
		"M=-1 P=-1 G=-1 Sync Time=26 N=2\n";
	char text[4096];
	struct buf b;
	size_t count;
	gort_trace *t;
	(void)state;

	make_trace(&b);
	assert_int_equal(gort_trace_open_memory(&t, b.d, b.n, NULL), 0);
	assert_int_equal(gort_trace_version(t), 11);
	gort_trace_close(t);
	assert_int_equal(read_all(b.d, b.n, &count, text, sizeof(text)), GORT_EEND);
	assert_string_equal(text, want);
	assert_int_equal(count, 7);
}

static void test_truncated(void **state)
{
	struct buf b;
	size_t count;
	(void)state;

	make_trace(&b);
	for (size_t n = 0; n < b.n; n++) {
		int rc = read_all(b.d, n, &count, NULL, 0);
		assert_true(rc == GORT_EEND || rc == GORT_EFORMAT || rc == GORT_ETRUNCATED);
	}
}

static void test_corrupted(void **state)
{
	static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 13, 14, 0x41, 0xc3};
	struct buf b, c;
	size_t count;
	(void)state;

	make_trace(&b);
	for (size_t i = 16; i < b.n; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			int rc;
			c = b;
			c.d[i] = vals[v];
			rc = read_all(c.d, c.n, &count, NULL, 0);
			assert_true(rc == GORT_EEND || rc == GORT_EFORMAT || rc == GORT_ETRUNCATED);
		}
}

/* The error of a trace made of make_trace plus extra bytes at its end. */
static const struct gort_error_info *bad_tail(const uint8_t *tail, size_t n, int code)
{
	struct buf b;
	size_t count;
	uint64_t at;

	make_trace(&b);
	at = b.n;
	memcpy(b.d + b.n, tail, n);
	b.n += n;
	assert_int_equal(read_all(b.d, b.n, &count, NULL, 0), code);
	assert_true(gort_last_error()->offset >= at);
	assert_non_null(strstr(gort_last_error()->message, "batch at offset 0x10"));
	return gort_last_error();
}

static void test_bad(void **state)
{
	static const uint8_t unknown[] = {50};
	static const uint8_t huge[] = {15, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t too_long[] = {13 | 3 << 6, 0x80, 0x20}; /* 4096 bytes of arguments */
	static const uint8_t cut[] = {13 | 3 << 6, 10, 1};
	static const uint8_t nargs[] = {15 | 1 << 6, 1, 2}; /* GoEnd with 2 arguments */
	(void)state;

	assert_non_null(strstr(bad_tail(unknown, sizeof(unknown), GORT_EFORMAT)->message,
			       "unknown event type 50"));
	assert_non_null(strstr(bad_tail(huge, sizeof(huge), GORT_EFORMAT)->message, "varint"));
	assert_non_null(strstr(bad_tail(too_long, sizeof(too_long), GORT_EFORMAT)->message,
			       "too big"));
	assert_non_null(strstr(bad_tail(cut, sizeof(cut), GORT_ETRUNCATED)->message,
			       "unexpected EOF"));
	assert_non_null(strstr(bad_tail(nargs, sizeof(nargs), GORT_EFORMAT)->message,
			       "GoEnd has wrong number of arguments"));
}

static void test_no_frequency(void **state)
{
	struct buf b = {.n = 16};
	size_t count;
	(void)state;

	memcpy(b.d, "go 1.19 trace\0\0\0", 16);
	ev(&b, 1, 2, U(0), U(1000));
	ev(&b, 6, 1, U(5));
	assert_int_equal(read_all(b.d, b.n, &count, NULL, 0), GORT_EFORMAT);
	assert_non_null(strstr(gort_last_error()->message, "no EvFrequency event"));
	/* An event before any batch. */
	b.n = 16;
	ev(&b, 6, 1, U(5));
	assert_int_equal(read_all(b.d, b.n, &count, NULL, 0), GORT_EFORMAT);
	assert_non_null(strstr(gort_last_error()->message, "P has no batches yet"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_no_frequency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
