/*
 * Unit tests of the trace reader: header, a hand-built generation read end
 * to end (events, context, strings, stacks, text), and robustness: every
 * truncation and many corruptions of a trace end in an error or the end of
 * the events, never a crash or an endless loop. Also Go's pdqsort port,
 * strconv.Quote and the ID map.
 */
#include "testutil.h"

#include "trace/idmap.h"
#include "trace/pdqsort.h"
#include "trace/quote.h"

#include <gort/gort.h>

#include <stdlib.h>
#include <string.h>

struct buf {
	uint8_t d[4096];
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

static void bytes(struct buf *b, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(b, ((const uint8_t *)p)[i]);
}

static void str(struct buf *b, uint64_t id, const char *s)
{
	put(b, 5); /* EvString */
	uv(b, id);
	uv(b, strlen(s));
	bytes(b, s, strlen(s));
}

/* EvEventBatch [gen, m, time, size] + data. */
static void batch(struct buf *out, uint64_t gen, uint64_t m, uint64_t ts, const struct buf *data)
{
	put(out, 1);
	uv(out, gen);
	uv(out, m);
	uv(out, ts);
	uv(out, data->n);
	bytes(out, data->d, data->n);
}

/* Event: type, then dt and arguments. */
static void ev(struct buf *b, uint8_t typ, int nargs, ...)
{
	va_list ap;

	put(b, typ);
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		uv(b, va_arg(ap, uint64_t));
	va_end(ap);
}

#define U(x) ((uint64_t)(x))

/* One Go 1.22 generation: a goroutine creates another and blocks. */
static void make_trace(struct buf *t)
{
	struct buf s = {.n = 0};

	memset(t, 0, sizeof(*t));
	bytes(t, "go 1.22 trace\0\0\0", 16);
	put(&s, 8); /* EvFrequency: 1e9 ticks per second, 1 ns each */
	uv(&s, 1000000000);
	batch(t, 1, UINT64_MAX, 90, &s);
	s.n = 0;
	put(&s, 4); /* EvStrings */
	str(&s, 1, "chan receive");
	str(&s, 2, "main.main");
	str(&s, 3, "/src/main.go");
	batch(t, 1, UINT64_MAX, 91, &s);
	s.n = 0;
	put(&s, 2); /* EvStacks */
	put(&s, 3); /* EvStack id=1 nframes=1 {pc func file line} */
	uv(&s, 1);
	uv(&s, 1);
	uv(&s, 0x401000);
	uv(&s, 2);
	uv(&s, 3);
	uv(&s, 42);
	batch(t, 1, UINT64_MAX, 92, &s);
	s.n = 0;
	ev(&s, 13, 3, U(1), U(0), U(1));          /* ProcStatus p=0 Running */
	ev(&s, 25, 4, U(1), U(1), U(7), U(2));    /* GoStatus g=1 m=7 Running */
	ev(&s, 14, 4, U(1), U(2), U(1), U(1));    /* GoCreate g=2 */
	ev(&s, 20, 3, U(1), U(1), U(1));          /* GoBlock "chan receive" */
	ev(&s, 16, 3, U(1), U(2), U(1));          /* GoStart g=2 seq=1 */
	ev(&s, 17, 1, U(1));                      /* GoDestroy */
	ev(&s, 11, 1, U(1));                      /* ProcStop */
	batch(t, 1, 7, 100, &s);
}

/* Read every event; returns the final code and counts the events. */
static int read_all(const void *data, size_t n, size_t *count)
{
	const struct gort_trace_event *e;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	struct gort_str s;
	int rc;

	*count = 0;
	rc = gort_trace_open_memory(&t, data, n, NULL);
	if (rc)
		return rc;
	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	while ((rc = gort_trace_event_iter_next(it, &e)) == 0) {
		assert_int_equal(gort_trace_event_string(e, &s), 0);
		assert_true(++*count < 100000); /* no endless loop */
	}
	/* After the end or an error, the iterator stays there. */
	assert_int_equal(gort_trace_event_iter_next(it, &e), rc);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

static void test_header(void **state)
{
	gort_trace *t;
	(void)state;

	assert_int_equal(gort_trace_open_memory(&t, "go 1.22 trace\0\0\0", 16, NULL), 0);
	assert_int_equal(gort_trace_version(t), 22);
	gort_trace_close(t);
	assert_int_equal(gort_trace_open_memory(&t, "go 1.26 trace\0\0\0", 16, NULL), 0);
	gort_trace_close(t);
	/* The old format (tests/unit/test_trace_old.c). */
	assert_int_equal(gort_trace_open_memory(&t, "go 1.21 trace\0\0\0", 16, NULL), 0);
	assert_int_equal(gort_trace_version(t), 21);
	gort_trace_close(t);
	assert_int_equal(gort_trace_open_memory(&t, "go 1.5 trace\0\0\0\0", 16, NULL), 0);
	assert_int_equal(gort_trace_version(t), 5);
	gort_trace_close(t);
	assert_int_equal(gort_trace_open_memory(&t, "go 1.6 trace\0\0\0\0", 16, NULL),
			 GORT_EUNSUPPORTED);
	assert_int_equal(gort_trace_open_memory(&t, "go 1.24 trace\0\0\0", 16, NULL),
			 GORT_EUNSUPPORTED);
	assert_int_equal(gort_trace_open_memory(&t, "\x7f" "ELF", 4, NULL), GORT_EFORMAT);
	assert_int_equal(gort_trace_open_memory(&t, "go 1.22 trace\0\0x", 16, NULL),
			 GORT_EFORMAT);
	assert_int_equal(gort_trace_open_memory(&t, "", 0, NULL), GORT_EFORMAT);
	assert_null(t);
	assert_int_equal(gort_trace_open(&t, "/nonexistent/trace.out", NULL), GORT_EIO);
}

static void test_events(void **state)
{
	static const char *const want[] = {
		"M=-1 P=-1 G=-1 Sync Time=90 N=1",
		"M=7 P=-1 G=-1 StateTransition Time=101 ProcID=0 Undetermined->Running Reason=\"\"",
		"M=7 P=0 G=-1 StateTransition Time=102 GoID=1 Undetermined->Running Reason=\"\"",
		"M=7 P=0 G=1 StateTransition Time=103 GoID=2 NotExist->Runnable Reason=\"\"\n"
		"TransitionStack=\n\tmain.main @ 0x401000\n\t\t/src/main.go:42\n\n"
		"Stack=\n\tmain.main @ 0x401000\n\t\t/src/main.go:42\n",
		"M=7 P=0 G=1 StateTransition Time=104 GoID=1 Running->Waiting Reason=\"chan receive\"\n"
		"TransitionStack=\n\tmain.main @ 0x401000\n\t\t/src/main.go:42\n\n"
		"Stack=\n\tmain.main @ 0x401000\n\t\t/src/main.go:42\n",
		"M=7 P=0 G=-1 StateTransition Time=105 GoID=2 Runnable->Running Reason=\"\"",
		"M=7 P=0 G=2 StateTransition Time=106 GoID=2 Running->NotExist Reason=\"\"",
		"M=7 P=0 G=-1 StateTransition Time=107 ProcID=0 Running->Idle Reason=\"\"",
		"M=-1 P=-1 G=-1 Sync Time=108 N=2",
	};
	const struct gort_trace_event *e;
	const struct gort_trace_frame *f;
	gort_trace_event_iter *it;
	gort_trace *t;
	struct gort_str s;
	struct buf b;
	size_t i = 0, n;
	(void)state;

	make_trace(&b);
	assert_int_equal(gort_trace_open_memory(&t, b.d, b.n, NULL), 0);
	assert_int_equal(gort_trace_event_iter_new(&it, t), 0);
	while (gort_trace_event_iter_next(it, &e) == 0) {
		assert_true(i < GORT_ARRAY_SIZE(want));
		assert_int_equal(gort_trace_event_string(e, &s), 0);
		assert_int_equal(s.len, strlen(s.ptr));
		assert_string_equal(s.ptr, want[i]);
		if (i == 4) {
			assert_int_equal(e->kind, GORT_TRACE_EVENT_STATE_TRANSITION);
			assert_int_equal(e->goroutine, 1);
			assert_int_equal(e->u.transition.from, GORT_TRACE_GO_RUNNING);
			assert_int_equal(e->u.transition.to, GORT_TRACE_GO_WAITING);
			assert_int_equal(e->stack_id, 1);
			assert_int_equal(gort_trace_event_stack(e, e->stack_id, &f, &n), 0);
			assert_int_equal(n, 1);
			assert_int_equal(f[0].pc, 0x401000);
			assert_int_equal(f[0].line, 42);
			assert_int_equal(gort_trace_event_stack(e, 99, &f, &n), GORT_ENOTFOUND);
		}
		i++;
	}
	assert_int_equal(i, GORT_ARRAY_SIZE(want));
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
}

/* A second iterator re-reads from the start; both can run interleaved. */
static void test_two_iterators(void **state)
{
	const struct gort_trace_event *e1, *e2;
	gort_trace_event_iter *a, *c;
	gort_trace *t;
	struct buf b;
	(void)state;

	make_trace(&b);
	assert_int_equal(gort_trace_open_memory(&t, b.d, b.n, NULL), 0);
	assert_int_equal(gort_trace_event_iter_new(&a, t), 0);
	assert_int_equal(gort_trace_event_iter_new(&c, t), 0);
	for (;;) {
		int r1 = gort_trace_event_iter_next(a, &e1);
		int r2 = gort_trace_event_iter_next(c, &e2);
		assert_int_equal(r1, r2);
		if (r1)
			break;
		assert_int_equal(e1->time, e2->time);
		assert_int_equal(e1->type, e2->type);
	}
	gort_trace_event_iter_free(a);
	gort_trace_event_iter_free(c);
	gort_trace_close(t);
}

static void test_truncated(void **state)
{
	struct buf b;
	size_t count;
	(void)state;

	make_trace(&b);
	assert_int_equal(read_all(b.d, b.n, &count), GORT_EEND);
	assert_int_equal(count, 9);
	for (size_t n = 0; n < b.n; n++) {
		int rc = read_all(b.d, n, &count);
		/* Cut between batches, Go's reader may see a shorter trace. */
		assert_true(rc == GORT_EEND || rc == GORT_EFORMAT || rc == GORT_ETRUNCATED);
		if (rc != GORT_EEND && n >= 16) {
			const struct gort_error_info *e = gort_last_error();
			assert_true(strncmp(e->message, "trace: ", 7) == 0 ||
				    strstr(e->message, "not a Go execution trace"));
		}
	}
}

static void test_corrupted(void **state)
{
	static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 13, 25, 52};
	struct buf b, c;
	size_t count;
	(void)state;

	make_trace(&b);
	for (size_t i = 16; i < b.n; i++)
		for (size_t v = 0; v < sizeof(vals); v++) {
			int rc;
			c = b;
			c.d[i] = vals[v];
			rc = read_all(c.d, c.n, &count);
			assert_true(rc == GORT_EEND || rc == GORT_EFORMAT || rc == GORT_ETRUNCATED);
		}
}

static void test_huge_varint(void **state)
{
	struct buf b = {.n = 0};
	size_t count;
	const struct gort_error_info *e;
	(void)state;

	bytes(&b, "go 1.26 trace\0\0\0", 16);
	put(&b, 1);
	for (int i = 0; i < 11; i++)
		put(&b, 0xff); /* generation number: more than 64 bits */
	assert_int_equal(read_all(b.d, b.n, &count), GORT_EFORMAT);
	e = gort_last_error();
	assert_non_null(strstr(e->message, "varint"));
	assert_int_equal(e->offset, 16 + 11);

	b.n = 16; /* a batch claiming 1 MiB */
	put(&b, 1);
	uv(&b, 1);
	uv(&b, 1);
	uv(&b, 1);
	uv(&b, 1 << 20);
	assert_int_equal(read_all(b.d, b.n, &count), GORT_EFORMAT);
	assert_non_null(strstr(gort_last_error()->message, "invalid batch size"));
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

static void test_pdqsort(void **state)
{
	static int a[5000];
	(void)state;

	srand(1);
	for (int round = 0; round < 40; round++) {
		size_t n = (size_t)(rand() % 5000);
		int mod = round % 3 == 0 ? 4 : 1000000; /* many ties, or few */
		for (size_t i = 0; i < n; i++)
			a[i] = round % 5 == 1 ? (int)(n - i) : rand() % mod;
		gort__pdqsort(a, n, sizeof(a[0]), cmp_int);
		for (size_t i = 1; i < n; i++)
			assert_true(a[i - 1] <= a[i]);
	}
}

static void quoted(const char *in, const char *want)
{
	struct gort_sbuf b = {NULL, 0, 0, false};

	gort__sb_quote(&b, gort__str(in, strlen(in)));
	assert_string_equal(b.p, want);
	free(b.p);
}

static void test_quote(void **state)
{
	(void)state;
	/* Expected texts are what Go's strconv.Quote returns. */
	quoted("plain", "\"plain\"");
	quoted("a\"b\\c", "\"a\\\"b\\\\c\"");
	quoted("\t\n\x01\x7f", "\"\\t\\n\\x01\\x7f\"");
	quoted("na\xc3\xafve \xe2\x98\x83", "\"na\xc3\xafve \xe2\x98\x83\"");
	quoted("\xff\xc3", "\"\\xff\\xc3\"");
	quoted("\xc2\xad", "\"\\u00ad\"");          /* soft hyphen */
	quoted("\xe2\x80\x8b", "\"\\u200b\"");      /* zero width space */
	quoted("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""); /* U+1F600 */
	quoted("\xf3\xa0\x80\x81", "\"\\U000e0001\"");  /* language tag */
	quoted("\xed\xa0\x80", "\"\\xed\\xa0\\x80\"");  /* a surrogate */
	quoted("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");      /* U+FFFD itself */
}

static void test_idmap(void **state)
{
	static uint64_t ref[2000];
	struct gort_idmap m = {0};
	uint64_t *v;
	(void)state;

	srand(2);
	for (int i = 0; i < 20000; i++) {
		uint64_t k = (uint64_t)(rand() % 2000);
		if (rand() % 3) {
			int rc = gort__idmap_put(&m, k * 0x10001, &v);
			assert_int_equal(rc, ref[k] ? 0 : 1);
			*v = k + 1;
			ref[k] = k + 1;
		} else {
			assert_int_equal(gort__idmap_del(&m, k * 0x10001), ref[k] != 0);
			ref[k] = 0;
		}
	}
	for (uint64_t k = 0; k < 2000; k++) {
		v = gort__idmap_get(&m, k * 0x10001);
		assert_int_equal(v ? *v : 0, ref[k]);
	}
	gort__idmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_two_iterators),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_huge_varint),
		cmocka_unit_test(test_pdqsort),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_idmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
