/*
 * The fast paths of pc-value lookups (pcvalue.c: the per-thread cache of
 * decoder positions; pcindex.c: checkpoints of long streams) must give
 * exactly what decoding from the stream's start gives
 * (gort__pcvalue_decode, the reference), in every lookup order, for
 * functions sharing a stream, on corrupt streams, and from several threads
 * at once on one table.
 */
#include "testutil.h"
#include "pclntab/pclntab.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 1000
#define STREAM_MAX (STEPS * 10 + 16)

static size_t put_varint(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/*
 * A stream of `steps` pairs at offset 1 of buf (offset 0 is no table):
 * values jump around (negative deltas, large values), pc deltas 0..40
 * quanta, some zero (several pairs at one pc). Returns its end (the 0).
 */
static size_t make_stream(uint8_t *buf, size_t steps, uint64_t seed, uint64_t *span)
{
	size_t len = 1;
	int32_t prev = -1;
	uint64_t pc = 0;

	buf[0] = 0;
	for (size_t i = 0; i < steps; i++) {
		int32_t v = (int32_t)(rnd(&seed) % 5000) - 100;
		int32_t d = v - prev;
		uint32_t uv = d < 0 ? ((uint32_t)~d << 1) | 1 : (uint32_t)d << 1;
		uint32_t pcd = (uint32_t)(rnd(&seed) % 41);

		if (i == 0 && pcd == 0)
			pcd = 1;
		if (uv == 0) { /* a zero delta would end the stream */
			v++;
			uv = 2;
		}
		len += put_varint(buf + len, uv);
		len += put_varint(buf + len, pcd);
		prev = v;
		pc += pcd;
	}
	buf[len] = 0;
	*span = pc;
	return len;
}

struct fixture {
	struct gort_pclntab t;
	struct gort__func f[2]; /* two functions sharing the stream */
	uint8_t buf[STREAM_MAX];
	uint64_t span; /* in quanta */
};

static struct fixture *fixture_new(unsigned quantum, uint64_t id)
{
	struct fixture *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	make_stream(x->buf, STEPS, 42, &x->span);
	x->t.pctab = gort__view_make(x->buf, sizeof(x->buf), "pctab");
	x->t.quantum = (uint8_t)quantum;
	x->t.nfunc = 2;
	x->t.id = id;
	x->f[0] = (struct gort__func){.index = 0, .entry = 0x401000};
	x->f[1] = (struct gort__func){.index = 1, .entry = 0x9000000};
	return x;
}

static void fixture_free(struct fixture *x)
{
	gort__pcindex_free(&x->t);
	free(x);
}

/* One lookup, checked against decoding from the start. */
static void check(struct fixture *x, unsigned fn, uint64_t rel)
{
	const struct gort__func *f = &x->f[fn];
	int32_t want, got;
	int rc_want, rc_got;

	rc_want = gort__pcvalue_decode(&x->t.pctab, 1, x->t.quantum, f->entry,
				       f->entry + rel, &want);
	rc_got = gort__pcvalue(&x->t, f, 1, f->entry + rel, &got);
	assert_int_equal(rc_got, rc_want);
	if (!rc_want)
		assert_int_equal(got, want);
}

static void test_orders(void **state)
{
	(void)state;
	for (unsigned q = 1; q <= 4; q *= 4) {
		struct fixture *x = fixture_new(q, 1000 + q);
		uint64_t span = x->span * q, seed = 7;

		/* Increasing (resumes where the cache stopped), both functions. */
		for (uint64_t r = 0; r < span + 8; r++)
			check(x, (unsigned)(r & 1), r);
		/* Random (checkpoints, once built), and repeated PCs (cache hits). */
		for (int i = 0; i < 5000; i++) {
			uint64_t r = rnd(&seed) % (span + 8);
			check(x, (unsigned)(i & 1), r);
			check(x, (unsigned)(i & 1), r);
		}
		/* Decreasing: every lookup is behind the cached position. */
		for (uint64_t r = span + 8; r > 7; r -= 7)
			check(x, 0, r);
		assert_non_null(gort__pcindex_find(&x->t, 0, 1));
		assert_null(gort__pcindex_find(&x->t, 0, 2));
		fixture_free(x);
	}
}

/* A stream of a few steps never gets an index. */
static void test_short_stream(void **state)
{
	struct fixture *x = fixture_new(1, 2000);
	uint64_t span;

	(void)state;
	memset(x->buf, 0, sizeof(x->buf));
	make_stream(x->buf, 10, 3, &span);
	for (uint64_t r = 0; r < span + 4; r++)
		check(x, 0, r);
	assert_null(gort__pcindex_find(&x->t, 0, 1));
	fixture_free(x);
}

/*
 * Corrupt bytes in the middle: lookups before them answer, lookups past
 * them fail, with or without the index and cache.
 */
static void test_corrupt_tail(void **state)
{
	struct fixture *x = fixture_new(1, 3000);
	uint64_t seed = 9, span, mid;
	size_t end = make_stream(x->buf, STEPS, 42, &span);

	(void)state;
	mid = 1 + (end - 1) / 2;
	memset(x->buf + mid, 0xff, 8); /* a varint longer than 5 bytes */
	for (int i = 0; i < 5000; i++)
		check(x, (unsigned)(i & 1), rnd(&seed) % (span + 8));
	for (uint64_t r = 0; r < span + 8; r += 3)
		check(x, 0, r);
	fixture_free(x);
}

/* A table closed and another opened: ids differ, the cache never mixes them. */
static void test_table_ids(void **state)
{
	struct fixture *a = fixture_new(1, 4000), *b = fixture_new(1, 4001);
	uint64_t seed = 11;

	(void)state;
	memset(b->buf, 0, sizeof(b->buf));
	make_stream(b->buf, STEPS, 4242, &b->span);
	for (int i = 0; i < 5000; i++) {
		uint64_t r = rnd(&seed) % (a->span + 8);
		check(a, 0, r);
		check(b, 0, r);
	}
	fixture_free(a);
	fixture_free(b);
}

struct worker {
	struct fixture *x;
	uint64_t seed;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 5000; i++) {
		uint64_t r = rnd(&w->seed) % (w->x->span + 8);
		check(w->x, (unsigned)(i & 1), r);
	}
	return NULL;
}

/* Many threads on one table: indexes race to be built, answers never change. */
static void test_threads(void **state)
{
	struct fixture *x = fixture_new(1, 5000);
	struct worker w[4];
	pthread_t th[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){x, (uint64_t)i + 100};
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_non_null(gort__pcindex_find(&x->t, 0, 1));
	fixture_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),	     cmocka_unit_test(test_short_stream),
		cmocka_unit_test(test_corrupt_tail), cmocka_unit_test(test_table_ids),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
