/*
 * PE and Mach-O: headers, sections, symbols, build info and reads by
 * address over crafted images, and every truncation and many corruptions
 * of them ending in a clean error (never a crash, a leak or a hang).
 */
#include "testutil.h"
#include "binary/binary.h"
#include "macho/macho.h"

#include <stdlib.h>
#include <string.h>

#define IMAGE_BASE 0x140000000ull
#define TEXT 0x20000060u  /* code, execute, read */
#define RDATA 0x40000040u /* initialized data, read */
#define DATA 0xc0000040u  /* initialized data, read, write */

/* A Go 1.18+ build info blob (inline strings) naming version `v`. */
static size_t blob(uint8_t *b, const char *v)
{
	size_t n = strlen(v);

	memset(b, 0, 64);
	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = 8;
	b[15] = 2;
	b[32] = (uint8_t)n;
	memcpy(b + 33, v, n);
	b[33 + n] = 0; /* empty modinfo */
	return 64;
}

/* .data: the blob at 0, then runtime.buildVersion {ptr, len} at 0x40. */
static void data_section(uint8_t *d, uint64_t data_addr, const char *v)
{
	memset(d, 0, 0x100);
	blob(d, v);
	memcpy(d + 0x80, v, strlen(v));
	tu_put(d + 0x40, data_addr + 0x80, 8, 0);
	tu_put(d + 0x48, strlen(v), 8, 0);
}

static uint8_t text_bytes[0x40], rdata_bytes[0x20], data_bytes[0x100];

static void *pe_image(size_t *size)
{
	static const struct tu_obj_symbol syms[] = {
		{"runtime.text", 0, 1},
		{"main.main", 0x10, 1},
		{"runtime.buildVersion", 0x40, 3},
		{"x", 0x8, 2},
		{"ExitProcess", 0, 0},
	};
	const struct tu_obj_section secs[] = {
		{NULL, ".text", 0x1000, TEXT, text_bytes, sizeof(text_bytes)},
		{NULL, ".rdata", 0x2000, RDATA, rdata_bytes, sizeof(rdata_bytes)},
		{NULL, ".data", 0x3000, DATA, data_bytes, sizeof(data_bytes)},
		{NULL, ".debug_gdb_scripts", 0x4000, RDATA, rdata_bytes, 8},
	};
	data_section(data_bytes, IMAGE_BASE + 0x3000, "go1.27.4");
	return tu_pe_build(1, 0x8664, IMAGE_BASE, secs, 4, syms, 5, size);
}

static void *macho_image(int with_blob, size_t *size)
{
	static const struct tu_obj_symbol syms[] = {
		{"_runtime.text", 0x100001000, 1},
		{"_main.main", 0x100001010, 1},
		{"_runtime.buildVersion", 0x100003040, 2},
		{"_write", 0, 0},
	};
	struct tu_obj_section secs[] = {
		{"__TEXT", "__text", 0x100001000, 0x80000400, text_bytes, sizeof(text_bytes)},
		{"__DATA", "__noptrdata", 0x100003000, 0, data_bytes, sizeof(data_bytes)},
		{"__DATA", "__go_buildinfo", 0x100004000, 0, data_bytes, 0x40},
	};
	data_section(data_bytes, 0x100003000, "go1.21.13");
	return tu_macho_build(1, 0, 0x0100000c, secs, with_blob ? 3 : 2, syms, 4, NULL, 0, size);
}

static gort_binary *open_image(const void *img, size_t size)
{
	gort_binary *bin = NULL;
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), 0);
	return bin;
}

static void test_pe(void **state)
{
	size_t size;
	void *img = pe_image(&size);
	gort_binary *bin = open_image(img, size);
	const gort_buildinfo *bi;
	struct gort_symbol sym;
	struct gort_str v;
	struct gort_view view;
	int src = 0;
	size_t n;
	(void)state;

	assert_int_equal(gort_binary_format(bin), GORT_FORMAT_PE);
	assert_int_equal(gort_binary_arch(bin), GORT_ARCH_AMD64);
	assert_int_equal(gort_binary_ptr_size(bin), 8);
	/* Long section names come from the string table. */
	assert_non_null(gort__obj_section(&bin->obj, NULL, ".debug_gdb_scripts"));
	assert_int_equal(gort_binary_buildinfo(bin, &bi), 0);
	v = gort_buildinfo_go_version(bi);
	assert_true(gort__str_eq(v, "go1.27.4"));
	assert_int_equal(gort_binary_go_version(bin, &v, &src), 0);
	assert_int_equal(src, GORT_VERSION_FROM_BUILDINFO);

	assert_int_equal(gort_binary_symbol_count(bin, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(gort_binary_symbol_lookup(bin, "runtime.buildVersion", &sym), 0);
	assert_int_equal(sym.value, IMAGE_BASE + 0x3040);
	assert_int_equal(sym.kind, 'D');
	assert_int_equal(gort_binary_symbol_lookup(bin, "main.main", &sym), 0);
	assert_int_equal(sym.kind, 'T');
	assert_int_equal(sym.size, 0x2008 - 0x1010); /* up to x in .rdata */
	assert_int_equal(gort_binary_symbol_lookup(bin, "ExitProcess", &sym), 0);
	assert_int_equal(sym.kind, 'U');
	assert_int_equal(gort_binary_symbol_lookup(bin, "nope", &sym), GORT_ENOTFOUND);
	assert_int_equal(gort_binary_symbol_find(bin, IMAGE_BASE + 0x1020, &sym), 0);
	assert_true(gort__str_eq(sym.name, "main.main"));
	assert_int_equal(gort_binary_symbol_at(bin, 0, &sym), 0);
	assert_true(gort__str_eq(sym.name, "ExitProcess")); /* address 0 first */
	assert_int_equal(gort_binary_symbol_at(bin, 5, &sym), GORT_EINVAL);

	/* Reads by address go through the sections' raw bytes. */
	assert_int_equal(gort__binary_read_addr(bin, IMAGE_BASE + 0x3080, 8, &view), 0);
	assert_memory_equal(view.data, "go1.27.4", 8);
	assert_int_equal(gort__binary_read_addr(bin, IMAGE_BASE + 0x9000, 8, &view), GORT_EFAULT);
	assert_int_equal(gort_last_error()->address, IMAGE_BASE + 0x9000);
	gort_binary_close(bin);
	free(img);
}

static void test_pe32(void **state)
{
	const struct tu_obj_section secs[] = {
		{NULL, ".text", 0x1000, TEXT, text_bytes, sizeof(text_bytes)},
	};
	size_t size;
	void *img = tu_pe_build(0, 0x14c, 0x400000, secs, 1, NULL, 0, &size);
	gort_binary *bin = open_image(img, size);
	const gort_buildinfo *bi;
	size_t n;
	(void)state;

	assert_int_equal(gort_binary_arch(bin), GORT_ARCH_386);
	assert_int_equal(gort_binary_ptr_size(bin), 4);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	assert_int_equal(gort_binary_symbol_count(bin, &n), 0);
	assert_int_equal(n, 0);
	gort_binary_close(bin);
	free(img);
}

static void test_macho(void **state)
{
	size_t size;
	void *img = macho_image(1, &size);
	gort_binary *bin = open_image(img, size);
	const gort_buildinfo *bi;
	struct gort_symbol sym;
	struct gort_str v;
	uint64_t addr;
	(void)state;

	assert_int_equal(gort_binary_format(bin), GORT_FORMAT_MACHO);
	assert_int_equal(gort_binary_arch(bin), GORT_ARCH_ARM64);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), 0);
	v = gort_buildinfo_go_version(bi);
	assert_true(gort__str_eq(v, "go1.21.13"));
	assert_int_equal(gort_binary_symbol_lookup(bin, "main.main", &sym), 0);
	assert_int_equal(sym.kind, 'T');
	assert_int_equal(sym.size, 0x100003040 - 0x100001010);
	assert_int_equal(gort_binary_symbol_lookup(bin, "runtime.buildVersion", &sym), 0);
	assert_int_equal(sym.kind, 'D');
	/* The '_' is kept where the name has no dot (C symbols). */
	assert_int_equal(gort_binary_symbol_lookup(bin, "_write", &sym), 0);
	assert_int_equal(sym.kind, 'U');
	assert_int_equal(gort__binary_go_symbol(bin, "runtime.buildVersion", &addr), 0);
	assert_int_equal(addr, 0x100003040);
	gort_binary_close(bin);
	free(img);
}

/* No build info: the version comes from runtime.buildVersion's symbol. */
static void test_macho_version_from_symbol(void **state)
{
	size_t size;
	void *img = macho_image(0, &size);
	gort_binary *bin = open_image(img, size);
	const gort_buildinfo *bi;
	struct gort_str v;
	int src = 0;
	(void)state;

	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	assert_int_equal(gort_binary_go_version(bin, &v, &src), 0);
	assert_true(gort__str_eq(v, "go1.21.13"));
	assert_int_equal(src, GORT_VERSION_FROM_SYMBOL);
	gort_binary_close(bin);
	free(img);
}

/* A fat file: the first slice is read. */
/*
 * Chained fixups (LC_DYLD_CHAINED_FIXUPS): pointer slots of __DATA hold
 * encoded targets, decoded at open into the image every reader sees.
 * Segment 0 is __PAGEZERO, 1 __TEXT (made to start at file offset 0, so
 * that it is the image base 0x100000000), 2 __DATA at 0x100004000.
 */
static void *fixups_image(uint16_t format, uint64_t corrupt, uint16_t page_size,
			  size_t *size)
{
	static uint8_t text[16], data[64];
	static const struct tu_obj_section secs[] = {
		{"__TEXT", "__text", 0x100001000, 0x80000400, text, sizeof(text)},
		{"__DATA", "__data", 0x100004000, 0, data, sizeof(data)},
	};
	uint8_t fix[28 + 16 + 24] = {0};
	/* Format 2 holds addresses, the others offsets from the base. */
	uint64_t target0 = format == 2 ? 0x100001010 : 0x1010;
	uint64_t target2 = format == 2 ? 0x100004000 : 0x4000;
	uint8_t *img, *seg;

	/* slot 0: rebase, next in 2 strides; slot 8: bind, next in 4;
	   slot 16: not a pointer; slot 24: rebase with high8 0x12, last. */
	tu_put(data, target0 | 2ull << 51, 8, 0);
	tu_put(data + 8, 1ull << 63 | 4ull << 51 | 7, 8, 0);
	tu_put(data + 16, 0x1234, 8, 0);
	tu_put(data + 24, target2 | 0x12ull << 36 | corrupt << 51, 8, 0);
	tu_put(fix + 4, 28, 4, 0); /* starts_offset */
	tu_put(fix + 20, 1, 4, 0); /* imports_format */
	tu_put(fix + 28, 3, 4, 0); /* seg_count */
	tu_put(fix + 28 + 12, 16, 4, 0); /* segment 2's entry */
	tu_put(fix + 44, 24, 4, 0);
	tu_put(fix + 48, page_size, 2, 0);
	tu_put(fix + 50, format, 2, 0);
	tu_put(fix + 52, 0x4000, 8, 0); /* segment_offset */
	tu_put(fix + 64, 1, 2, 0); /* page_count; page_start[0] = 0 */
	img = tu_macho_build(1, 0, 0x0100000c, secs, 2, NULL, 0, fix, sizeof(fix), size);
	assert_non_null(img);
	seg = img + 32 + 72; /* __TEXT's command */
	tu_put(seg + 24, 0x100000000, 8, 0);
	tu_put(seg + 40, 0, 8, 0);
	tu_put(seg + 48, tu_macho_data_offset(1, secs, 2, 1, 1), 8, 0);
	return img;
}

static void expect_data(uint16_t format, uint64_t corrupt, uint16_t page_size,
			const uint64_t want[4])
{
	size_t size;
	uint8_t *img = fixups_image(format, corrupt, page_size, &size);
	struct gort_view file = gort__view_make(img, size, "image"), d;
	struct gort_obj o;

	assert_int_equal(gort__macho_open(&o, &file), 0);
	assert_int_equal(gort__obj_section_data(&o, gort__obj_section(&o, "__DATA", "__data"), &d), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(gort__ld64(d.data + 8 * i, false), want[i]);
	gort__obj_free(&o);
	free(img);
}

static void test_macho_fixups(void **state)
{
	static const uint64_t decoded[4] = {0x100001010, 0, 0x1234, 0x1200000100004000};
	(void)state;

	expect_data(6, 0, 0x4000, decoded); /* DYLD_CHAINED_PTR_64_OFFSET: from the base */
	expect_data(2, 0, 0x4000, decoded); /* DYLD_CHAINED_PTR_64: addresses */
	/* A pointer format not read (arm64e) or a chain running out of its
	   segment: the image stays as in the file. */
	static const uint64_t raw[4] = {0x1010 | 2ull << 51, 1ull << 63 | 4ull << 51 | 7,
					0x1234, 0x4000 | 0x12ull << 36};
	expect_data(1, 0, 0x4000, raw);
	/* Chains stay in their page (which bounds the walk of hostile ones):
	   with 16-byte pages, slot 8's next (slot 24) is in another page. */
	expect_data(6, 0, 16, raw);
	expect_data(6, 0, 0, raw);
	static const uint64_t raw_corrupt[4] = {0x1010 | 2ull << 51, 1ull << 63 | 4ull << 51 | 7,
						0x1234, 0x4000 | 0x12ull << 36 | 9ull << 51};
	expect_data(6, 9, 0x4000, raw_corrupt); /* slot 24 + 36 runs past the 64 bytes */
}

static void test_fat(void **state)
{
	size_t size, thin_size;
	uint8_t *thin = macho_image(1, &thin_size), *fat;
	gort_binary *bin;
	const gort_buildinfo *bi;
	(void)state;

	size = 0x1000 + thin_size;
	fat = calloc(1, size);
	tu_put(fat, 0xcafebabe, 4, 1);
	tu_put(fat + 4, 1, 4, 1);
	tu_put(fat + 8, 0x0100000c, 4, 1);
	tu_put(fat + 16, 0x1000, 4, 1);
	tu_put(fat + 20, thin_size, 4, 1);
	memcpy(fat + 0x1000, thin, thin_size);
	bin = open_image(fat, size);
	assert_int_equal(gort_binary_arch(bin), GORT_ARCH_ARM64);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), 0);
	gort_binary_close(bin);
	/* A slice past the end of the file. */
	tu_put(fat + 16, 0x2000, 4, 1);
	tu_put(fat + 20, size, 4, 1);
	bin = NULL;
	assert_int_equal(gort_binary_open_memory(&bin, fat, size, NULL), GORT_ETRUNCATED);
	assert_null(bin);
	free(thin);
	free(fat);
}

/* Everything a reader does with a binary: must end in 0 or a clean code. */
static void exercise(const void *img, size_t size)
{
	gort_binary *bin = NULL;
	const gort_buildinfo *bi;
	struct gort_symbol sym;
	struct gort_moduledata md;
	struct gort_str v;
	gort_pclntab *tab = NULL;
	size_t n;

	if (gort_binary_open_memory(&bin, img, size, NULL)) {
		assert_null(bin);
		assert_true(gort_last_error()->code < 0);
		return;
	}
	(void)gort_binary_buildinfo(bin, &bi);
	(void)gort_binary_go_version(bin, &v, NULL);
	if (!gort_binary_symbol_count(bin, &n) && n)
		(void)gort_binary_symbol_at(bin, n - 1, &sym);
	(void)gort_binary_symbol_find(bin, 0x140001010, &sym);
	(void)gort_binary_moduledata(bin, &md);
	if (!gort_pclntab_open(&tab, bin))
		gort_pclntab_close(tab);
	gort_binary_close(bin);
}

static void truncations_and_flips(uint8_t *img, size_t size)
{
	uint8_t *copy = malloc(size);
	uint32_t seed = 12345;

	for (size_t n = 0; n < size; n += n < 1024 ? 1 : 97)
		exercise(img, n);
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, img, size);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % (size < 1024 ? size : 1024);
			seed = seed * 1103515245u + 12345u;
			copy[at] = (uint8_t)(seed >> 16);
		}
		exercise(copy, size);
	}
	free(copy);
}

static void test_hostile_pe(void **state)
{
	size_t size;
	uint8_t *img = pe_image(&size);
	gort_binary *bin = NULL;
	(void)state;

	truncations_and_flips(img, size);
	/* e_lfanew past the end: truncated, with the offset. */
	tu_put(img + 0x3c, 0x7fffff00, 4, 0);
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), GORT_ETRUNCATED);
	assert_int_equal(gort_last_error()->offset, 0x7fffff00);
	tu_put(img + 0x3c, 0x40, 4, 0);
	/* No PE signature there. */
	img[0x41] = 'X';
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), GORT_EFORMAT);
	assert_int_equal(gort_last_error()->offset, 0x40);
	img[0x41] = 'E';
	/* 0xffff sections: the table runs past the end. */
	tu_put(img + 0x46, 0xffff, 2, 0);
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), GORT_ETRUNCATED);
	free(img);
}

static void test_hostile_macho(void **state)
{
	size_t size;
	uint8_t *img = macho_image(1, &size);
	gort_binary *bin = NULL;
	(void)state;

	truncations_and_flips(img, size);
	/* A load command of size 4. */
	tu_put(img + 32 + 4, 4, 4, 0);
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), GORT_EFORMAT);
	assert_int_equal(gort_last_error()->offset, 32);
	assert_non_null(strstr(gort_last_error()->message, "invalid command block size"));
	tu_put(img + 32 + 4, 72, 4, 0);
	/* More load commands than bytes for them. */
	tu_put(img + 16, 1000000, 4, 0);
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), GORT_ETRUNCATED);
	free(img);
	/* A fat file with no slices is not a Mach-O file. */
	uint8_t fat[16] = {0xca, 0xfe, 0xba, 0xbe};
	assert_int_equal(gort_binary_open_memory(&bin, fat, sizeof(fat), NULL),
			 GORT_EUNKNOWNFILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe),
		cmocka_unit_test(test_pe32),
		cmocka_unit_test(test_macho),
		cmocka_unit_test(test_macho_version_from_symbol),
		cmocka_unit_test(test_macho_fixups),
		cmocka_unit_test(test_fat),
		cmocka_unit_test(test_hostile_pe),
		cmocka_unit_test(test_hostile_macho),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
