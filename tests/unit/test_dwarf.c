/*
 * DWARF through libdwarf, fed with our own (decompressed) sections: struct
 * sizes and member offsets must equal what the compiler says (offsetof), for
 * plain and every compressed form of the sample's debug sections.
 */
#include "testutil.h"
#include "dwarf/dwarf.h"
#include "elf/elf.h"
#include "io/source.h"
#include "dwarf_sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_sample(const char *suffix)
{
	char path[512];
	struct gort_source src;
	struct gort_elf elf;
	struct gort_dwarf *dw;
	uint64_t size = 0, off = 0, fsize = 0;

	snprintf(path, sizeof(path), "%s/dwarf_sample%s", GORT_SAMPLE_DIR, suffix);
	print_message("%s\n", path);
	assert_int_equal(gort__source_open_path(&src, path, NULL), 0);
	assert_int_equal(gort__elf_open(&elf, &src.view), 0);
	assert_int_equal(gort__dwarf_open(&dw, &elf), 0);

	assert_int_equal(gort__dwarf_struct_size(dw, "gort_sample", &size), 0);
	assert_int_equal(size, sizeof(struct gort_sample));
	assert_int_equal(gort__dwarf_struct_size(dw, "gort_sample_inner", &size), 0);
	assert_int_equal(size, sizeof(struct gort_sample_inner));

#define FIELD(name)                                                                   \
	assert_int_equal(gort__dwarf_member(dw, "gort_sample", #name, &off, &fsize), 0); \
	assert_int_equal(off, offsetof(struct gort_sample, name));                    \
	assert_int_equal(fsize, sizeof(((struct gort_sample *)0)->name));
	FIELD(first)
	FIELD(typed)
	FIELD(inner)
	FIELD(ptr)
	FIELD(tail)
#undef FIELD
	assert_int_equal(gort__dwarf_member(dw, "gort_sample", "nope", &off, &fsize),
			 GORT_ENOTFOUND);
	assert_int_equal(gort__dwarf_struct_size(dw, "no_such_type", &size), GORT_ENOTFOUND);
	assert_non_null(strstr(gort_last_error()->message, "no_such_type"));
	gort__dwarf_close(dw);
	gort__elf_close(&elf);
	gort__source_close(&src);
}

static void test_plain(void **state) { (void)state; check_sample(""); }
static void test_zlib_gabi(void **state) { (void)state; check_sample(".zlib-gabi"); }
static void test_zstd(void **state) { (void)state; check_sample(".zstd"); }
static void test_zlib_gnu(void **state) { (void)state; check_sample(".zlib-gnu"); }

static void test_no_dwarf(void **state)
{
	static const uint8_t data[8];
	struct tu_section s = {".data", 1 /* SHT_PROGBITS */, 3, 0x1000, data, 8};
	size_t n;
	uint8_t *img = tu_elf_build(1, 0, 62, &s, 1, &n);
	struct gort_view file = gort__view_make(img, n, "img");
	struct gort_elf elf;
	struct gort_dwarf *dw;
	(void)state;

	assert_int_equal(gort__elf_open(&elf, &file), 0);
	assert_int_equal(gort__dwarf_open(&dw, &elf), GORT_ENOTFOUND);
	assert_null(dw);
	gort__elf_close(&elf);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_zlib_gabi),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zlib_gnu),
		cmocka_unit_test(test_no_dwarf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
