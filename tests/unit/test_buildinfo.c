/*
 * Build info: both blob formats (pointers before Go 1.18, inline strings
 * after), both byte orders, 4- and 8-byte pointers, the modinfo grammar of
 * runtime/debug.ParseBuildInfo and the quoting of BuildInfo.String().
 */
#include "testutil.h"
#include "buildinfo/quote.h"

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmd/go/internal/modload: infoStart and infoEnd. */
static const uint8_t sentinel_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
					   0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t sentinel_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
					 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

static const char modinfo[] =
	"path\texample.com/app\n"
	"mod\texample.com/app\t(devel)\t\n"
	"dep\texample.com/lib\tv1.2.3\th1:abc=\n"
	"dep\texample.com/old\tv0.1.0\n"
	"=>\t../old\t(devel)\t\n"
	"build\t-ldflags=\"-s -w\"\n"
	"build\t\"we ird\"=`raw value`\n"
	"build\tCGO_ENABLED=0\n"
	"build\tempty=\n"
	"unknown line is ignored\n";

/* The modinfo with its 16-byte sentinels, as the linker stores it. */
static size_t framed(char *out)
{
	size_t n = strlen(modinfo);
	memcpy(out, sentinel_start, 16);
	memcpy(out + 16, modinfo, n);
	memcpy(out + 16 + n, sentinel_end, 16);
	return n + 32;
}

static uint8_t *inline_blob(const char *version, size_t *size)
{
	uint8_t *b = calloc(1, 4096);
	char mod[1024];
	size_t vlen = strlen(version), mlen = framed(mod), o = 32;

	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = 8;
	b[15] = 2; /* inline strings */
	b[o++] = (uint8_t)vlen;
	memcpy(b + o, version, vlen), o += vlen;
	b[o++] = (uint8_t)(0x80 | (mlen & 0x7f));
	b[o++] = (uint8_t)(mlen >> 7);
	memcpy(b + o, mod, mlen), o += mlen;
	*size = o;
	return b;
}

/* Before 1.18: header pointers to Go string headers {ptr, len}. */
static uint8_t *pointer_blob(const char *version, int ptr, int be, uint64_t base,
			     size_t *size)
{
	uint8_t *b = calloc(1, 4096);
	char mod[1024];
	size_t vlen = strlen(version), mlen = framed(mod);
	uint64_t vhdr = 64, mhdr = 96, vdata = 128, mdata = 256;

	memcpy(b, "\xff Go buildinf:", 14);
	b[14] = (uint8_t)ptr;
	b[15] = (uint8_t)be;
	tu_put(b + 16, base + vhdr, ptr, be);
	tu_put(b + 16 + ptr, base + mhdr, ptr, be);
	tu_put(b + vhdr, base + vdata, ptr, be);
	tu_put(b + vhdr + ptr, vlen, ptr, be);
	tu_put(b + mhdr, base + mdata, ptr, be);
	tu_put(b + mhdr + ptr, mlen, ptr, be);
	memcpy(b + vdata, version, vlen);
	memcpy(b + mdata, mod, mlen);
	*size = mdata + mlen;
	return b;
}

static gort_binary *open_image(const uint8_t *blob, size_t n, int is64, int be,
			       uint16_t machine, uint64_t addr, uint8_t **img)
{
	struct tu_section s = {".go.buildinfo", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
			       addr, blob, n};
	size_t size;
	gort_binary *bin;

	*img = tu_elf_build(is64, be, machine, &s, 1, &size);
	assert_int_equal(gort_binary_open_memory(&bin, *img, size, NULL), 0);
	return bin;
}

static void check_parsed(gort_binary *bin, const char *version)
{
	const gort_buildinfo *bi;
	const struct gort_module *m;
	const struct gort_build_setting *s;
	struct gort_str v;
	int source;

	assert_int_equal(gort_binary_buildinfo(bin, &bi), 0);
	v = gort_buildinfo_go_version(bi);
	assert_int_equal(v.len, strlen(version));
	assert_memory_equal(v.ptr, version, v.len);
	assert_int_equal(gort_binary_go_version(bin, &v, &source), 0);
	assert_int_equal(source, GORT_VERSION_FROM_BUILDINFO);
	assert_int_equal(gort_buildinfo_path(bi).len, strlen("example.com/app"));
	m = gort_buildinfo_main(bi);
	assert_non_null(m);
	assert_int_equal(m->version.len, 7);
	assert_int_equal(gort_buildinfo_dep_count(bi), 2);
	m = gort_buildinfo_dep_at(bi, 1);
	assert_non_null(m->replace);
	assert_memory_equal(m->replace->path.ptr, "../old", 6);
	assert_null(gort_buildinfo_dep_at(bi, 2));
	assert_int_equal(gort_buildinfo_setting_count(bi), 4);
	s = gort_buildinfo_setting_at(bi, 0);
	assert_int_equal(s->value.len, 5);
	assert_memory_equal(s->value.ptr, "-s -w", 5);
	s = gort_buildinfo_setting_at(bi, 1);
	assert_memory_equal(s->key.ptr, "we ird", 6);
	assert_memory_equal(s->value.ptr, "raw value", 9);
	assert_int_equal(gort_buildinfo_setting_at(bi, 3)->value.len, 0);
	/*
	 * String() re-quotes with strconv.Quote (backquotes become "..."), and
	 * writes an empty line after a replacement, as Go's formatMod does.
	 */
	assert_string_equal(gort_buildinfo_string(bi),
			    "path\texample.com/app\n"
			    "mod\texample.com/app\t(devel)\t\n"
			    "dep\texample.com/lib\tv1.2.3\th1:abc=\n"
			    "dep\texample.com/old\tv0.1.0\n"
			    "=>\t../old\t(devel)\t\n"
			    "\n"
			    "build\t-ldflags=\"-s -w\"\n"
			    "build\t\"we ird\"=\"raw value\"\n"
			    "build\tCGO_ENABLED=0\n"
			    "build\tempty=\n");
}

static void test_inline_format(void **state)
{
	size_t n;
	uint8_t *img, *blob = inline_blob("go1.27.4", &n);
	gort_binary *bin = open_image(blob, n, 1, 0, EM_X86_64, 0x500000, &img);
	(void)state;
	check_parsed(bin, "go1.27.4");
	gort_binary_close(bin);
	free(img);
	free(blob);
}

static void test_pointer_format_all_orders(void **state)
{
	static const struct { int ptr, be; uint16_t machine; } cases[] = {
		{8, 0, EM_X86_64}, {8, 1, EM_S390}, {4, 0, EM_386}, {4, 1, EM_MIPS},
	};
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		size_t n;
		uint8_t *img, *blob = pointer_blob("go1.15.15", cases[i].ptr, cases[i].be,
						   0x600000, &n);
		gort_binary *bin = open_image(blob, n, cases[i].ptr == 8, cases[i].be,
					      cases[i].machine, 0x600000, &img);
		check_parsed(bin, "go1.15.15");
		assert_int_equal(gort_binary_ptr_size(bin), (unsigned)cases[i].ptr);
		gort_binary_close(bin);
		free(img);
		free(blob);
	}
}

static void test_not_go_and_corrupt(void **state)
{
	static const uint8_t zeros[64];
	const gort_buildinfo *bi;
	struct gort_str v;
	uint8_t *img, *blob;
	gort_binary *bin;
	size_t n;
	(void)state;

	bin = open_image(zeros, sizeof(zeros), 1, 0, EM_X86_64, 0x1000, &img);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	assert_null(bi);
	assert_int_equal(gort_binary_go_version(bin, &v, NULL), GORT_ENOTGO);
	gort_binary_close(bin);
	free(img);

	/* A string length running past the section: not a Go binary, no crash. */
	blob = inline_blob("go1.22.1", &n);
	blob[32] = 0x7f;
	bin = open_image(blob, 40, 1, 0, EM_X86_64, 0x1000, &img);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	gort_binary_close(bin);
	free(img);

	/* Every truncation of a valid image: a result or an error, no crash. */
	{
		struct tu_section s = {".go.buildinfo", SHT_PROGBITS, SHF_ALLOC, 0x1000, blob, n};
		size_t size;
		uint8_t *full;
		blob[32] = 8;
		full = tu_elf_build(1, 0, EM_X86_64, &s, 1, &size);
		for (size_t cut = 0; cut <= size; cut++) {
			if (gort_binary_open_memory(&bin, full, cut, NULL) == 0) {
				gort_binary_buildinfo(bin, &bi);
				gort_binary_close(bin);
			}
		}
		free(full);
	}
	free(blob);
}

static void *buildinfo_in_thread(void *arg)
{
	const gort_buildinfo *bi;
	static int rc;
	rc = gort_binary_buildinfo(arg, &bi);
	return &rc;
}

/* A cached failure reports the same code and message to every caller. */
static void test_cached_failure_is_reported_again(void **state)
{
	static const uint8_t zeros[64];
	const gort_buildinfo *bi;
	char first[512];
	uint8_t *img;
	gort_binary *bin;
	pthread_t t;
	void *ret;
	(void)state;

	bin = open_image(zeros, sizeof(zeros), 1, 0, EM_X86_64, 0x1000, &img);
	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	snprintf(first, sizeof(first), "%s", gort_last_error()->message);
	gort_clear_error();
	assert_int_equal(gort_binary_buildinfo(bin, &bi), GORT_ENOTGO);
	assert_string_equal(gort_last_error()->message, first);
	pthread_create(&t, NULL, buildinfo_in_thread, bin);
	pthread_join(t, &ret);
	assert_int_equal(*(int *)ret, GORT_ENOTGO);
	gort_binary_close(bin);
	free(img);
}

static void test_quote(void **state)
{
	struct gort_buf b = {0};
	char out[64];
	(void)state;

	gort__buf_quote(&b, (struct gort_str){"a\"b\\c\n\x01\xff\xc3\xa9", 10});
	assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\x01\\xffé\"");
	free(b.p);
	assert_int_equal(gort__go_unquote("\"a\\x41\\u00e9\\101\"", 17, out), 5);
	assert_memory_equal(out, "aAéA", 5);
	assert_int_equal(gort__go_unquote("`a\rb`", 5, out), 2);
	assert_int_equal(gort__go_unquote("\"unterminated", 13, out), -1);
	assert_int_equal(gort__go_unquote("\"bad \\q\"", 8, out), -1);
	assert_int_equal(gort__go_quoted_prefix("\"k\"=v", 5), 3);
	assert_int_equal(gort__go_quoted_prefix("k=v", 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_format),
		cmocka_unit_test(test_pointer_format_all_orders),
		cmocka_unit_test(test_not_go_and_corrupt),
		cmocka_unit_test(test_cached_failure_is_reported_again),
		cmocka_unit_test(test_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
