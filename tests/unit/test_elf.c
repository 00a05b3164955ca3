/* ELF through libelf: sections (compressed every way), segments, symbols. */
#include "testutil.h"
#include "elf/elf.h"
#include "io/source.h"
#include "dwarf_sample.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAMPLE(v) GORT_SAMPLE_DIR "/dwarf_sample" v

struct opened {
	struct gort_source src;
	struct gort_elf elf;
};

static void open_elf(struct opened *o, const char *path)
{
	assert_int_equal(gort__source_open_path(&o->src, path, NULL), 0);
	assert_int_equal(gort__elf_open(&o->elf, &o->src.view), 0);
}

static void close_elf(struct opened *o)
{
	gort__elf_close(&o->elf);
	gort__source_close(&o->src);
}

static void test_headers_and_symbols(void **state)
{
	struct opened o;
	const struct gort_elf_symbol *sym;
	struct gort_view v;
	(void)state;

	open_elf(&o, SAMPLE(""));
#if defined(__x86_64__)
	assert_int_equal(gort__elf_arch(&o.elf), GORT_ARCH_AMD64);
#endif
	assert_int_equal(o.elf.file.ptr_size, sizeof(void *));
	assert_non_null(gort__elf_section(&o.elf, ".text"));
	assert_null(gort__elf_section(&o.elf, ".no_such_section"));
	assert_int_equal(gort__elf_symbol(&o.elf, "gort_sample_global", &sym), 0);
	assert_int_equal(sym->size, sizeof(struct gort_sample));
	assert_int_equal(sym->type, STT_OBJECT);
	/* A .bss variable has no bytes in the file. */
	assert_int_equal(gort__elf_read_addr(&o.elf, sym->value, 8, &v), GORT_EFAULT);
	assert_true(gort_last_error()->address == sym->value);
	assert_int_equal(gort__elf_symbol(&o.elf, "main", &sym), 0);
	assert_int_equal(gort__elf_read_addr(&o.elf, sym->value, 4, &v), 0);
	assert_int_equal(gort__elf_symbol(&o.elf, "no_such_symbol", &sym), GORT_ENOTFOUND);
	close_elf(&o);
}

/* Every compressed form decompresses to the same bytes as the plain file. */
static void test_compressed_sections(void **state)
{
	static const char *const variants[] = {".zlib-gabi", ".zstd", ".zlib-gnu"};
	static const char *const names[] = {".debug_info", ".debug_abbrev", ".debug_line"};
	struct opened plain, z;
	(void)state;

	open_elf(&plain, SAMPLE(""));
	for (size_t i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s%s", SAMPLE(""), variants[i]);
		open_elf(&z, path);
		for (size_t k = 0; k < 3; k++) {
			struct gort_elf_section *a = gort__elf_section(&plain.elf, names[k]);
			struct gort_elf_section *b = gort__elf_section(&z.elf, names[k]);
			struct gort_view va, vb;
			uint64_t size;
			assert_non_null(a);
			assert_non_null(b);
			/* objcopy leaves small sections uncompressed where it gains nothing. */
			if (k < 2)
				assert_true(i == 2 ? strncmp(b->name, ".zdebug", 7) == 0
						   : (b->flags & SHF_COMPRESSED) != 0);
			assert_int_equal(gort__elf_section_size(&z.elf, b, &size), 0);
			assert_int_equal(gort__elf_section_data(&plain.elf, a, &va), 0);
			assert_int_equal(gort__elf_section_data(&z.elf, b, &vb), 0);
			assert_int_equal(size, va.size);
			assert_int_equal(va.size, vb.size);
			assert_memory_equal(va.data, vb.data, va.size);
		}
		close_elf(&z);
	}
	close_elf(&plain);
}

static void test_byte_orders_and_classes(void **state)
{
	static const uint8_t data[16] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct tu_section s = {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x10000, data, 16};
	static const struct { int is64, be; uint16_t machine; int arch; } cases[] = {
		{1, 1, EM_S390, GORT_ARCH_S390X},   {1, 0, EM_PPC64, GORT_ARCH_PPC64LE},
		{1, 1, EM_PPC64, GORT_ARCH_PPC64},  {0, 0, EM_386, GORT_ARCH_386},
		{0, 1, EM_MIPS, GORT_ARCH_MIPS},    {1, 0, EM_RISCV, GORT_ARCH_RISCV64},
		{0, 0, EM_ARM, GORT_ARCH_ARM},      {1, 0, EM_AARCH64, GORT_ARCH_ARM64},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n;
		uint8_t *img = tu_elf_build(cases[i].is64, cases[i].be, cases[i].machine, &s, 1, &n);
		struct gort_view file = gort__view_make(img, n, "img"), v;
		struct gort_elf e;
		uint32_t w;

		assert_int_equal(gort__elf_open(&e, &file), 0);
		assert_int_equal(gort__elf_arch(&e), cases[i].arch);
		assert_int_equal(e.file.big_endian, cases[i].be);
		assert_int_equal(e.file.ptr_size, cases[i].is64 ? 8 : 4);
		assert_int_equal(gort__elf_read_addr(&e, 0x10004, 4, &v), 0);
		assert_int_equal(gort__view_u32(&v, 0, &w), 0);
		assert_int_equal(w, cases[i].be ? 0x05060708u : 0x08070605u);
		assert_int_equal(gort__elf_read_addr(&e, 0x1000e, 4, &v), GORT_EFAULT);
		gort__elf_close(&e);
		free(img);
	}
}

static void test_hostile_compression_headers(void **state)
{
	uint8_t chdr[64] = {0};
	struct tu_section s = {".debug_info", SHT_PROGBITS, SHF_COMPRESSED, 0, chdr, sizeof(chdr)};
	struct gort_elf_section *sec;
	struct gort_view file, v;
	struct gort_elf e;
	uint8_t *img;
	size_t n;
	(void)state;

	/* Claims 1 TiB from 40 bytes: refused before any allocation. */
	tu_put(chdr, ELFCOMPRESS_ZLIB, 4, 0);
	tu_put(chdr + 8, 1ull << 40, 8, 0);
	img = tu_elf_build(1, 0, EM_X86_64, &s, 1, &n);
	file = gort__view_make(img, n, "img");
	assert_int_equal(gort__elf_open(&e, &file), 0);
	sec = gort__elf_section(&e, ".debug_info");
	assert_int_equal(gort__elf_section_data(&e, sec, &v), GORT_ETOOLARGE);
	gort__elf_close(&e);
	free(img);

	/* Unknown compression type; then garbage zlib data. */
	tu_put(chdr, 77, 4, 0);
	img = tu_elf_build(1, 0, EM_X86_64, &s, 1, &n);
	file = gort__view_make(img, n, "img");
	assert_int_equal(gort__elf_open(&e, &file), 0);
	assert_int_equal(gort__elf_section_data(&e, gort__elf_section(&e, ".debug_info"), &v),
			 GORT_EUNSUPPORTED);
	gort__elf_close(&e);
	free(img);

	tu_put(chdr, ELFCOMPRESS_ZLIB, 4, 0);
	tu_put(chdr + 8, 100, 8, 0);
	img = tu_elf_build(1, 0, EM_X86_64, &s, 1, &n);
	file = gort__view_make(img, n, "img");
	assert_int_equal(gort__elf_open(&e, &file), 0);
	assert_int_equal(gort__elf_section_data(&e, gort__elf_section(&e, ".debug_info"), &v),
			 GORT_ECOMPRESSED);
	gort__elf_close(&e);
	free(img);
}

/* Truncated at every 97th byte and with flipped bytes: errors, no crash. */
static void test_truncated_and_mutated(void **state)
{
	size_t n;
	uint8_t *img = tu_read_file(SAMPLE(".zlib-gabi"), &n);
	(void)state;

	assert_non_null(img);
	for (size_t cut = 0; cut < n; cut += 97) {
		struct gort_view file = gort__view_make(img, cut, "cut");
		struct gort_elf e;
		if (gort__elf_open(&e, &file) == 0) {
			for (size_t i = 0; i < e.nsections; i++) {
				struct gort_view v;
				gort__elf_section_data(&e, &e.sections[i], &v);
			}
			gort__elf_close(&e);
		} else {
			assert_true(gort_last_error()->message[0] != '\0');
		}
	}
	srand(1);
	for (int round = 0; round < 300; round++) {
		uint8_t *m = malloc(n);
		struct gort_view file = gort__view_make(m, n, "mutated");
		struct gort_elf e;
		const struct gort_elf_symbol *sym;
		memcpy(m, img, n);
		for (int k = 0; k < 8; k++)
			m[(size_t)rand() % n] ^= (uint8_t)(1 + rand() % 255);
		if (gort__elf_open(&e, &file) == 0) {
			for (size_t i = 0; i < e.nsections; i++) {
				struct gort_view v;
				gort__elf_section_data(&e, &e.sections[i], &v);
			}
			gort__elf_symbol(&e, "main", &sym);
			gort__elf_close(&e);
		}
		free(m);
	}
	free(img);
}

static void test_not_elf(void **state)
{
	struct gort_view file = gort__view_make("MZ\x90\x00 not elf", 12, "x");
	struct gort_elf e;
	(void)state;
	assert_int_equal(gort__elf_open(&e, &file), GORT_EUNKNOWNFILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_and_symbols),
		cmocka_unit_test(test_compressed_sections),
		cmocka_unit_test(test_byte_orders_and_classes),
		cmocka_unit_test(test_hostile_compression_headers),
		cmocka_unit_test(test_truncated_and_mutated),
		cmocka_unit_test(test_not_elf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
