/*
 * DWARF through libdwarf, fed with our own (decompressed) sections: struct
 * sizes and member offsets must equal what the compiler says (offsetof), for
 * plain and every compressed form of the sample's debug sections. The
 * structural check run before libdwarf walks entries (check.c) passes every
 * unit of real files and rejects each kind of corrupt unit.
 */
#include "testutil.h"
#include "dwarf/check.h"
#include "dwarf/dwarf.h"
#include "elf/elf.h"
#include "io/source.h"
#include "dwarf_sample.h"

#include <dwarf.h>
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

/*
 * A unit (DWARF 4 or 5, 32- or 64-bit) holding a compile unit entry with a
 * structure (one member, DW_AT_sibling) and a base type whose name has
 * DW_FORM_indirect. Returns its size; *entries gets the entries' offsets.
 */
static const uint8_t abbrevs[] = {
	1, DW_TAG_compile_unit, 1, DW_AT_name, DW_FORM_string, 0, 0,
	2, DW_TAG_structure_type, 1, DW_AT_name, DW_FORM_string,
	DW_AT_sibling, DW_FORM_ref4, 0, 0,
	3, DW_TAG_member, 0, DW_AT_name, DW_FORM_string,
	DW_AT_data_member_location, DW_FORM_udata, 0, 0,
	4, DW_TAG_base_type, 0, DW_AT_byte_size, DW_FORM_data1,
	DW_AT_name, DW_FORM_indirect, 0, 0,
	0,
};

static size_t make_unit(uint8_t *p, int version, int is64, uint64_t entries[4])
{
	size_t h = 0, n;

	if (is64) {
		tu_put(p, 0xffffffff, 4, 0);
		h = 12;
	} else {
		h = 4;
	}
	tu_put(p + h, (uint64_t)version, 2, 0);
	h += 2;
	if (version == 5) {
		p[h++] = DW_UT_compile;
		p[h++] = 8;
		tu_put(p + h, 0, is64 ? 8 : 4, 0);
		h += is64 ? 8 : 4;
	} else {
		tu_put(p + h, 0, is64 ? 8 : 4, 0);
		h += is64 ? 8 : 4;
		p[h++] = 8;
	}
	const uint8_t body[] = {
		1, 'c', 'u', 0,
		2, 's', 0, 0, 0, 0, 0,
		3, 'a', 0, 0,
		0,
		4, 4, DW_FORM_string, 'i', 0,
		0,
	};
	memcpy(p + h, body, sizeof(body));
	tu_put(p + h + 7, h + 16, 4, 0); /* the structure's sibling */
	entries[0] = h;
	entries[1] = h + 4;
	entries[2] = h + 11;
	entries[3] = h + 16;
	n = h + sizeof(body);
	if (is64)
		tu_put(p + 4, n - 12, 8, 0);
	else
		tu_put(p, n - 4, 4, 0);
	return n;
}

static int check(const uint8_t *info, size_t n, const uint8_t *abbrev, size_t na,
		 struct gort_dwarf_entries *e)
{
	struct gort_view vi = gort__view_make(info, n, ".debug_info");
	struct gort_view va = gort__view_make(abbrev, na, ".debug_abbrev");

	return gort__dwarf_check(&vi, &va, e);
}

/* Every entry of a good unit is marked, and nothing else. */
static void expect_good(const uint8_t *info, size_t n, uint64_t base,
			const uint64_t entries[4], struct gort_dwarf_entries *e)
{
	size_t marked = 0;

	for (int i = 0; i < 4; i++)
		assert_true(gort__dwarf_is_entry(e, base + entries[i]));
	for (uint64_t off = 0; off < n; off++)
		marked += gort__dwarf_is_entry(e, off);
	assert_true(marked >= 4);
	(void)info;
}

static void test_check_forms(void **state)
{
	uint8_t info[256];
	uint64_t ent[4];
	struct gort_dwarf_entries e;
	(void)state;

	for (int version = 2; version <= 5; version++)
		for (int is64 = 0; is64 <= 1; is64++) {
			size_t n = make_unit(info, version, is64, ent);
			print_message("DWARF %d, %d-bit\n", version, is64 ? 64 : 32);
			assert_int_equal(check(info, n, abbrevs, sizeof(abbrevs), &e), 0);
			assert_int_equal(e.err.code, 0);
			expect_good(info, n, 0, ent, &e);
			assert_false(gort__dwarf_is_entry(&e, ent[1] + 1));
			assert_false(gort__dwarf_is_entry(&e, n));
			gort__dwarf_entries_free(&e);
		}
}

/*
 * Two units; the first is corrupted by patch: it is left out with an error
 * containing `what`, the second is still walked.
 */
static void expect_bad(size_t (*patch)(uint8_t *unit, const uint64_t ent[4], size_t n),
		       const uint8_t *abbrev, size_t na, const char *what)
{
	uint8_t info[512];
	uint64_t ent[4], ent2[4];
	struct gort_dwarf_entries e;
	size_t n = make_unit(info, 4, 0, ent), n2;

	n = patch(info, ent, n);
	n2 = make_unit(info + n, 4, 0, ent2);
	assert_int_equal(check(info, n + n2, abbrev, na, &e), 0);
	print_message("%s\n", e.err.message);
	assert_int_equal(e.err.code, GORT_EDWARF);
	assert_non_null(strstr(e.err.message, what));
	for (uint64_t off = 0; off < n; off++)
		assert_false(gort__dwarf_is_entry(&e, off));
	expect_good(info, n + n2, n, ent2, &e);
	gort__dwarf_entries_free(&e);
}

static size_t missing_code(uint8_t *u, const uint64_t ent[4], size_t n)
{
	u[ent[2]] = 26;
	return n;
}

static size_t short_sibling(uint8_t *u, const uint64_t ent[4], size_t n)
{
	u[ent[1] + 3]--; /* to the member's null, not past it */
	return n;
}

static size_t indirect_twice(uint8_t *u, const uint64_t ent[4], size_t n)
{
	u[ent[3] + 2] = DW_FORM_indirect;
	return n;
}

static size_t bad_version(uint8_t *u, const uint64_t ent[4], size_t n)
{
	(void)ent;
	u[4] = 9;
	return n;
}

static size_t no_end(uint8_t *u, const uint64_t ent[4], size_t n)
{
	(void)ent;
	u[0]--; /* the unit's last null is cut off */
	return n - 1;
}

static size_t long_string(uint8_t *u, const uint64_t ent[4], size_t n)
{
	u[ent[3] + 4] = 'x'; /* the last name's terminator */
	u[ent[3] + 5] = 'x';
	return n;
}

static void test_check_corrupt(void **state)
{
	uint8_t abbrev[sizeof(abbrevs)];
	(void)state;

	expect_bad(missing_code, abbrevs, sizeof(abbrevs), "abbreviation code its table lacks: 0x1a");
	expect_bad(short_sibling, abbrevs, sizeof(abbrevs), "DW_AT_sibling not just past");
	expect_bad(indirect_twice, abbrevs, sizeof(abbrevs), "DW_FORM_indirect to form 0x16");
	expect_bad(bad_version, abbrevs, sizeof(abbrevs), "unknown DWARF version 0x9");
	expect_bad(no_end, abbrevs, sizeof(abbrevs), "children run past the unit's end");
	expect_bad(long_string, abbrevs, sizeof(abbrevs), "string runs past the unit's end");

	/* Tables: an unknown form; a code defined twice. Every unit using
	   the table is left out. */
	uint8_t info[128];
	uint64_t ent[4];
	struct gort_dwarf_entries e;
	size_t n = make_unit(info, 4, 0, ent);

	memcpy(abbrev, abbrevs, sizeof(abbrev));
	abbrev[4] = 0x7f;
	assert_int_equal(check(info, n, abbrev, sizeof(abbrev), &e), 0);
	assert_non_null(strstr(e.err.message, ".debug_abbrev at 0x0: abbreviation with an unknown form"));
	assert_false(gort__dwarf_is_entry(&e, ent[0]));
	gort__dwarf_entries_free(&e);

	memcpy(abbrev, abbrevs, sizeof(abbrev));
	abbrev[0] = 3; /* codes 3, 2, 3, 4: not 1..n, so sorted and searched */
	assert_int_equal(check(info, n, abbrev, sizeof(abbrev), &e), 0);
	assert_non_null(strstr(e.err.message, "defines twice the code 0x3"));
	gort__dwarf_entries_free(&e);

	/* A reserved unit length: nothing after it can be found. */
	n = make_unit(info, 4, 0, ent);
	n += make_unit(info + n, 4, 0, ent);
	tu_put(info, 0xfffffff5, 4, 0);
	assert_int_equal(check(info, n, abbrevs, sizeof(abbrevs), &e), 0);
	assert_non_null(strstr(e.err.message, "reserved length"));
	for (uint64_t off = 0; off < n; off++)
		assert_false(gort__dwarf_is_entry(&e, off));
	gort__dwarf_entries_free(&e);
}

/* Real files: every unit of the C sample and of each fixture passes. */
static void check_file(const char *path)
{
	struct gort_source src;
	struct gort_elf elf;
	struct gort_view vi, va;
	struct gort_dwarf_entries e;
	size_t marked = 0;

	assert_int_equal(gort__source_open_path(&src, path, NULL), 0);
	assert_int_equal(gort__elf_open(&elf, &src.view), 0);
	assert_int_equal(gort__elf_section_data(&elf, gort__elf_section(&elf, ".debug_info"), &vi), 0);
	assert_int_equal(gort__elf_section_data(&elf, gort__elf_section(&elf, ".debug_abbrev"), &va), 0);
	assert_int_equal(gort__dwarf_check(&vi, &va, &e), 0);
	if (e.err.code)
		print_message("%s: %s\n", path, e.err.message);
	assert_int_equal(e.err.code, 0);
	for (uint64_t off = 0; off < e.size; off++)
		marked += gort__dwarf_is_entry(&e, off);
	print_message("%s: %zu entries\n", path, marked);
	assert_true(marked > 10);
	gort__dwarf_entries_free(&e);
	gort__elf_close(&elf);
	gort__source_close(&src);
}

static void test_check_real(void **state)
{
	static const char *const arches[] = {"amd64", "arm64", "386"};
	char path[512];
	(void)state;

	snprintf(path, sizeof(path), "%s/dwarf_sample", GORT_SAMPLE_DIR);
	check_file(path);
	snprintf(path, sizeof(path), "%s/dwarf_sample.zstd", GORT_SAMPLE_DIR);
	check_file(path);
	for (unsigned minor = 2; minor <= 40; minor++)
		for (size_t k = 0; k < sizeof(arches) / sizeof(arches[0]); k++) {
			char rel[64];
			snprintf(rel, sizeof(rel), "go1.%u/%s/default/prog", minor, arches[k]);
			if (tu_exists(tu_fixture(rel)))
				check_file(tu_fixture(rel));
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_zlib_gabi),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_zlib_gnu),
		cmocka_unit_test(test_no_dwarf),
		cmocka_unit_test(test_check_forms),
		cmocka_unit_test(test_check_corrupt),
		cmocka_unit_test(test_check_real),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
