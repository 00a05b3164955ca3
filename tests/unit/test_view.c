/* The bounds-checked view and cursor every reader uses. */
#include "testutil.h"
#include "io/view.h"

#include <string.h>

static void test_reads_both_orders(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct gort_view v = gort__view_make(b, sizeof(b), "t");
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	(void)state;

	assert_int_equal(gort__view_u16(&v, 0, &u16), 0);
	assert_int_equal(u16, 0x0201);
	assert_int_equal(gort__view_u32(&v, 1, &u32), 0);
	assert_int_equal(u32, 0x05040302);
	v.big_endian = 1;
	assert_int_equal(gort__view_u64(&v, 1, &u64), 0);
	assert_true(u64 == 0x0203040506070809ull);
	v.ptr_size = 4;
	assert_int_equal(gort__view_uptr(&v, 0, &u64), 0);
	assert_true(u64 == 0x01020304u);
}

static void test_out_of_bounds_is_an_error_with_offset(void **state)
{
	static const uint8_t b[8];
	struct gort_view v = gort__view_make(b, sizeof(b), "table"), sub;
	uint64_t u64;
	uint32_t u32;
	(void)state;

	v.file_off = 0x1000;
	assert_int_equal(gort__view_u64(&v, 1, &u64), GORT_ETRUNCATED);
	assert_true(gort_last_error()->offset == 0x1001);
	assert_non_null(strstr(gort_last_error()->message, "table"));
	assert_int_equal(gort__view_u32(&v, UINT64_MAX - 1, &u32), GORT_ETRUNCATED);
	assert_int_equal(gort__view_sub(&v, 4, 5, &sub), GORT_ETRUNCATED);
	assert_int_equal(gort__view_sub(&v, 8, 0, &sub), 0);
	assert_int_equal(gort__view_sub(&v, 2, 6, &sub), 0);
	assert_true(sub.file_off == 0x1002 && sub.size == 6);
	assert_null(gort__view_ptr(&v, 9, 0));
}

static void test_cursor_sticky_error(void **state)
{
	static const uint8_t b[] = {0xAA, 0xBB, 0xCC};
	struct gort_view v = gort__view_make(b, sizeof(b), "t");
	struct gort_cursor c = gort__cursor(&v, 0);
	(void)state;

	assert_int_equal(gort__cur_u16(&c), 0xBBAA);
	assert_int_equal(gort__cur_u32(&c), 0); /* only 1 byte left */
	assert_int_equal(c.err, GORT_ETRUNCATED);
	assert_int_equal(gort__cur_u8(&c), 0); /* stays failed */
	assert_int_equal(c.pos, 2);
}

static void test_uvarint(void **state)
{
	static const uint8_t ok[] = {0x96, 0x01, 0x7f,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	static const uint8_t overflow[] = {0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0x02};
	static const uint8_t endless[] = {0x80, 0x80, 0x80};
	struct gort_view v = gort__view_make(ok, sizeof(ok), "t");
	struct gort_cursor c = gort__cursor(&v, 0);
	(void)state;

	assert_int_equal(gort__cur_uvarint(&c), 150);
	assert_int_equal(gort__cur_uvarint(&c), 127);
	assert_true(gort__cur_uvarint(&c) == UINT64_MAX);
	assert_int_equal(c.err, 0);

	v = gort__view_make(overflow, sizeof(overflow), "t");
	c = gort__cursor(&v, 0);
	gort__cur_uvarint(&c);
	assert_int_equal(c.err, GORT_EFORMAT);

	v = gort__view_make(endless, sizeof(endless), "t");
	c = gort__cursor(&v, 0);
	gort__cur_uvarint(&c);
	assert_int_equal(c.err, GORT_ETRUNCATED);
}

/* pc-value steps wrap as Go's int32 does (a corrupt stream may overflow). */
static void test_pcvalue_step(void **state)
{
	(void)state;
	assert_int_equal(gort__unzigzag32(0), 0);
	assert_int_equal(gort__unzigzag32(1), -1);
	assert_int_equal(gort__unzigzag32(2), 1);
	assert_int_equal(gort__unzigzag32(0xffffffff), INT32_MIN);
	assert_int_equal(gort__pcvalue_step(-1, 2), 0);
	assert_int_equal(gort__pcvalue_step(INT32_MAX, 2), INT32_MIN);
	assert_int_equal(gort__pcvalue_step(INT32_MIN, 1), INT32_MAX);
	assert_int_equal(gort__pcvalue_step(-350882, 0xfffff101), 2147134685); /* the fuzzer's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_both_orders),
		cmocka_unit_test(test_out_of_bounds_is_an_error_with_offset),
		cmocka_unit_test(test_cursor_sticky_error),
		cmocka_unit_test(test_uvarint),
		cmocka_unit_test(test_pcvalue_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
