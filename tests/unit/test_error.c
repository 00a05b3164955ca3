/* The error model: one table, strerror, the thread-local last error, options. */
#include "testutil.h"
#include "common/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_table(void **state)
{
	(void)state;
	assert_string_equal(gort_strerror(GORT_OK), "success");
	assert_string_equal(gort_strerror(GORT_ETRUNCATED), "truncated input");
	assert_string_equal(gort_strerror(12345), "unknown error");
	/* Codes are pinned: a change here breaks released callers. */
	assert_int_equal(GORT_EINVAL, -1);
	assert_int_equal(GORT_ENOMEM, -2);
	assert_int_equal(GORT_EEND, -5);
	assert_int_equal(GORT_EDWARF, -14);
#define X(name, value, cls, desc) \
	assert_true((value) <= 0 && strlen(desc) > 0 && strlen(#cls) > 1);
	GORT_ERROR_LIST(X)
#undef X
}

static void test_last_error(void **state)
{
	const struct gort_error_info *e;
	(void)state;

	gort_clear_error();
	assert_int_equal(gort_last_error()->code, GORT_OK);
	assert_int_equal(gort__fail_at(GORT_EFORMAT, 0x42, "bad\nthing %d", 7), GORT_EFORMAT);
	e = gort_last_error();
	assert_int_equal(e->code, GORT_EFORMAT);
	assert_string_equal(e->message, "bad thing 7"); /* one line */
	assert_true(e->offset == 0x42 && e->address == GORT_NO_VALUE);
	gort__fail_addr(GORT_EFAULT, 0xdead, "x");
	assert_true(e->address == 0xdead && e->offset == GORT_NO_VALUE);
	gort__fail_errno(2, "open %s", "f");
	assert_int_equal(e->code, GORT_EIO);
	assert_int_equal(e->sys_errno, 2);
}

static void *other_thread(void *arg)
{
	(void)arg;
	gort__fail(GORT_ENOMEM, "from the other thread");
	return NULL;
}

static void test_last_error_is_thread_local(void **state)
{
	pthread_t t;
	(void)state;

	gort__fail(GORT_EINVAL, "mine");
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, NULL);
	assert_int_equal(gort_last_error()->code, GORT_EINVAL);
	assert_string_equal(gort_last_error()->message, "mine");
}

struct opts_v2 {
	size_t sz;
	uint64_t max_decompressed;
	uint64_t newer_field;
};

static void test_options_struct(void **state)
{
	struct opts_v2 o = {sizeof(o), 0, 0};
	(void)state;

	assert_int_equal(gort__opts_check(NULL, sizeof(struct gort_open_opts), "o"), 0);
	/* A newer caller's zero tail is accepted, a non-zero one rejected. */
	assert_int_equal(gort__opts_check(&o, sizeof(struct gort_open_opts), "o"), 0);
	o.newer_field = 1;
	assert_int_equal(gort__opts_check(&o, sizeof(struct gort_open_opts), "o"), GORT_EINVAL);
	o.sz = 0;
	assert_int_equal(gort__opts_check(&o, sizeof(struct gort_open_opts), "o"), GORT_EINVAL);
	{
		GORT_OPTS(gort_open_opts, defaults);
		assert_int_equal(defaults.sz, sizeof(struct gort_open_opts));
		assert_true(defaults.max_decompressed == 0);
	}
}

static void test_version(void **state)
{
	char want[32];
	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", GORT_VERSION_MAJOR,
		 GORT_VERSION_MINOR, GORT_VERSION_PATCH);
	assert_string_equal(gort_version_string(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_last_error),
		cmocka_unit_test(test_last_error_is_thread_local),
		cmocka_unit_test(test_options_struct),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
