/*
 * Runtime layouts: the catalogue, tables against DWARF on fixtures, fields a
 * release lacks, releases without a table (explicit error, or the nearest
 * older table when asked), bad arguments, corrupt DWARF and corrupt string
 * tables (errors, never crashes), the name tables, the TLS slot and the
 * labels representation, and concurrent queries.
 */
#include "testutil.h"
#include "binary/binary.h"
#include "layout/layout.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opened {
	void *buf;
	gort_binary *bin;
	gort_layout *lay;
};

/* Open a fixture from memory (so tests may patch its bytes first). */
static int open_buf(struct opened *o, void *buf, size_t n, int no_dwarf, int nearest)
{
	GORT_OPTS(gort_layout_opts, opts, .no_dwarf = no_dwarf, .allow_nearest = nearest);
	o->buf = buf;
	o->lay = NULL;
	assert_int_equal(gort_binary_open_memory(&o->bin, buf, n, NULL), 0);
	return gort_layout_open(&o->lay, o->bin, &opts);
}

static void *load(const char *rel, size_t *n)
{
	const char *path = tu_fixture(rel);
	void *buf;

	if (!tu_exists(path))
		return NULL;
	buf = tu_read_file(path, n);
	assert_non_null(buf);
	return buf;
}

static void done(struct opened *o)
{
	gort_layout_close(o->lay);
	gort_binary_close(o->bin);
	free(o->buf);
}

#define REQUIRE(buf, rel)                                       \
	do {                                                    \
		if (!(buf)) {                                   \
			print_message("fixture missing: %s\n", rel); \
			skip();                                 \
		}                                               \
	} while (0)

static void test_catalogue(void **state)
{
	const char *type, *field;
	size_t i, types = 0;
	(void)state;

	assert_int_equal(gort_layout_catalogue(0, &type, &field), 0);
	assert_string_equal(type, "runtime.g");
	assert_null(field);
	assert_int_equal(gort_layout_catalogue(1, &type, &field), 0);
	assert_string_equal(field, "stack");
	for (i = 0; gort_layout_catalogue(i, &type, &field) == 0; i++)
		types += field == NULL;
	assert_int_equal(types, 9);
	assert_int_equal(gort_layout_catalogue(i, &type, &field), GORT_EEND);
	assert_int_equal(gort_layout_catalogue(SIZE_MAX, &type, &field), GORT_EEND);
	assert_int_equal(gort_layout_catalogue(0, NULL, &field), GORT_EINVAL);
}

/* Every catalogue answer of the stripped twin's table equals DWARF's. */
static void table_equals_dwarf(const char *dir)
{
	char a[256], b[256];
	struct opened d, t;
	size_t na, nb;
	void *ba, *bb;
	const char *type, *field;

	snprintf(a, sizeof(a), "%s/default/prog", dir);
	snprintf(b, sizeof(b), "%s/stripped/prog", dir);
	ba = load(a, &na);
	REQUIRE(ba, a);
	bb = load(b, &nb);
	REQUIRE(bb, b);
	assert_int_equal(open_buf(&d, ba, na, 0, 0), 0);
	assert_int_equal(open_buf(&t, bb, nb, 0, 0), 0);
	for (size_t i = 0; gort_layout_catalogue(i, &type, &field) == 0; i++) {
		struct gort_field_layout fd, ft;
		int rd, rt;

		if (!field) {
			rd = gort_layout_size(d.lay, type, &fd.size, &fd.source);
			rt = gort_layout_size(t.lay, type, &ft.size, &ft.source);
			fd.offset = ft.offset = 0;
		} else {
			rd = gort_layout_field(d.lay, type, field, &fd);
			rt = gort_layout_field(t.lay, type, field, &ft);
		}
		assert_int_equal(rd, rt);
		if (rd)
			continue;
		assert_int_equal(fd.source, GORT_LAYOUT_DWARF);
		assert_int_equal(ft.source, GORT_LAYOUT_TABLE);
		assert_int_equal(fd.offset, ft.offset);
		assert_int_equal(fd.size, ft.size);
	}
	done(&d);
	done(&t);
}

static void test_table_vs_dwarf(void **state)
{
	(void)state;
	table_equals_dwarf("go1.15/arm64");
	table_equals_dwarf("go1.23/amd64");
	table_equals_dwarf("go1.27/386");
}

static uint64_t offset_of(gort_layout *lay, const char *type, const char *field)
{
	struct gort_field_layout f;
	assert_int_equal(gort_layout_field(lay, type, field, &f), 0);
	return f.offset;
}

/* Offsets quoted in docs/DOMAIN notes from the runtime sources. */
static void test_known_offsets(void **state)
{
	static const struct {
		const char *rel;
		uint64_t goid, curg;
	} cases[] = {
		{"go1.22/amd64/stripped/prog", 152, 192},
		{"go1.23/amd64/stripped/prog", 160, 192},
		{"go1.25/amd64/stripped/prog", 152, 184},
	};
	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(cases); i++) {
		struct opened o;
		size_t n;
		void *buf = load(cases[i].rel, &n);

		REQUIRE(buf, cases[i].rel);
		assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
		assert_int_equal(offset_of(o.lay, "runtime.g", "goid"), cases[i].goid);
		assert_int_equal(offset_of(o.lay, "runtime.m", "curg"), cases[i].curg);
		done(&o);
	}
}

static void test_absent_field(void **state)
{
	struct gort_field_layout f;
	struct opened o;
	size_t n;
	void *buf = load("go1.19/amd64/stripped/prog", &n);
	(void)state;

	REQUIRE(buf, "go1.19/amd64/stripped/prog");
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "parentGoid", &f), GORT_ENOTFOUND);
	assert_non_null(strstr(gort_last_error()->message, "parentGoid"));
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "nosuch", &f), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_field(o.lay, "runtime.nosuch", "goid", &f), GORT_ENOTFOUND);
	done(&o);

	buf = load("go1.21/amd64/stripped/prog", &n);
	REQUIRE(buf, "go1.21/amd64/stripped/prog");
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "parentGoid", &f), 0);
	assert_int_equal(f.size, 8);
	done(&o);
}

static void test_bad_args(void **state)
{
	struct {
		struct gort_layout_opts o;
		int extra;
	} big = {{sizeof(big), 0, 0}, 1};
	struct gort_layout_opts tiny = {1, 0, 0};
	struct gort_field_layout f;
	struct opened o;
	gort_layout *lay;
	uint64_t sz;
	unsigned ma, mi;
	size_t n;
	void *buf = load("go1.22/amd64/stripped/prog", &n);
	(void)state;

	REQUIRE(buf, "go1.22/amd64/stripped/prog");
	assert_int_equal(gort_layout_open(NULL, NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort_layout_open(&lay, NULL, NULL), GORT_EINVAL);
	assert_null(lay);
	assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
	assert_int_equal(gort_layout_open(&lay, o.bin, (void *)&big), GORT_EINVAL);
	assert_int_equal(gort_layout_open(&lay, o.bin, &tiny), GORT_EINVAL);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", NULL, &f), GORT_EINVAL);
	assert_int_equal(gort_layout_field(o.lay, NULL, "goid", &f), GORT_EINVAL);
	assert_int_equal(gort_layout_field(NULL, "runtime.g", "goid", &f), GORT_EINVAL);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", NULL), GORT_EINVAL);
	assert_int_equal(gort_layout_size(o.lay, "runtime.g", NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort_layout_size(o.lay, "runtime.g", &sz, NULL), 0);
	assert_int_equal(gort_layout_go_release(o.lay, &ma, &mi), 0);
	assert_int_equal(ma * 100 + mi, 122);
	assert_int_equal(gort_layout_go_release(NULL, &ma, &mi), GORT_EINVAL);
	gort_layout_close(NULL);
	done(&o);
}

/* Replace every occurrence of `from` by `to` (same length) in buf. */
static void patch_all(uint8_t *buf, size_t n, const char *from, const char *to)
{
	size_t len = strlen(from), hits = 0;

	assert_int_equal(len, strlen(to));
	for (size_t i = 0; i + len <= n; i++)
		if (!memcmp(buf + i, from, len)) {
			memcpy(buf + i, to, len);
			hits++;
		}
	assert_true(hits > 0);
}

/* A release with no table: explicit error, or the nearest older one. */
static void check_release(const char *as, unsigned nearest_minor)
{
	const char *rel = "go1.22/amd64/stripped/prog";
	struct gort_field_layout f;
	struct opened o;
	unsigned ma, mi;
	size_t n;
	uint8_t *buf = load(rel, &n);

	REQUIRE(buf, rel);
	patch_all(buf, n, "go1.22.", as);
	assert_int_equal(open_buf(&o, buf, n, 1, 0), GORT_EUNSUPPORTED);
	assert_null(o.lay);
	assert_non_null(strstr(gort_last_error()->message, "no built-in table"));
	gort_binary_close(o.bin);
	assert_int_equal(open_buf(&o, buf, n, 1, 1), 0);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
	assert_int_equal(f.source, GORT_LAYOUT_NEAREST);
	assert_int_equal(gort_layout_table_release(o.lay, &ma, &mi), 0);
	assert_int_equal(mi, nearest_minor);
	assert_int_equal(gort_layout_go_release(o.lay, &ma, &mi), 0);
	assert_int_equal(mi, (unsigned)atoi(as + 4));
	done(&o);
}

static void test_unknown_release(void **state)
{
	(void)state;
	check_release("go1.99.", 27); /* newer than every table */
	check_release("go1.20.", 19); /* no toolchain here for 1.20 */
	check_release("go1.17.", 15);
}

/* No Go version: DWARF alone answers, and without DWARF nothing does. */
static void test_not_go(void **state)
{
	char path[512];
	struct gort_field_layout f;
	struct opened o;
	unsigned ma, mi;
	size_t n;
	void *buf;
	(void)state;

	snprintf(path, sizeof(path), "%s/dwarf_sample", GORT_SAMPLE_DIR);
	buf = tu_read_file(path, &n);
	assert_non_null(buf);
	assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
	assert_int_equal(gort_layout_go_release(o.lay, &ma, &mi), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), GORT_ENOTFOUND);
	gort_layout_close(o.lay);
	o.lay = NULL;
	assert_int_equal(gort_layout_open(&o.lay, o.bin, &(struct gort_layout_opts){
		sizeof(struct gort_layout_opts), 1, 0}), GORT_ENOTGO);
	done(&o);
}

/* Every query on a mutated binary ends with 0 or an error. */
static void query_all(gort_layout *lay)
{
	const char *type, *field;
	struct gort_field_layout f;
	struct gort_str s;
	size_t n;

	for (size_t i = 0; gort_layout_catalogue(i, &type, &field) == 0; i++) {
		int rc = field ? gort_layout_field(lay, type, field, &f)
			       : gort_layout_size(lay, type, &f.size, NULL);
		assert_true(rc <= 0);
	}
	assert_true(gort_layout_wait_reason_count(lay, &n, NULL) <= 0);
	assert_true(gort_layout_status_name(lay, 2, &s, NULL) <= 0);
}

static void test_corrupt_dwarf(void **state)
{
	const char *rel = "go1.24/arm64/default/prog";
	struct gort_elf_section *sec;
	struct opened o;
	size_t n;
	uint8_t *orig = load(rel, &n), *buf;
	uint64_t off, size;
	unsigned seed = 1;
	(void)state;

	REQUIRE(orig, rel);
	assert_int_equal(open_buf(&o, orig, n, 0, 0), 0);
	sec = gort__elf_section(&o.bin->elf, ".debug_info");
	assert_non_null(sec);
	off = sec->offset;
	size = sec->size;
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);
	buf = malloc(n);
	assert_non_null(buf);
	for (int round = 0; round < 24; round++) {
		memcpy(buf, orig, n);
		if (round == 0) { /* the whole section: zeros */
			memset(buf + off, 0, size);
		} else if (round == 1) { /* all ones */
			memset(buf + off, 0xff, size);
		} else {
			for (int k = 0; k < 8 * round; k++) {
				seed = seed * 1103515245u + 12345u;
				buf[off + (seed >> 8) % size] ^= (uint8_t)(1u << (seed & 7));
			}
		}
		assert_int_equal(gort_binary_open_memory(&o.bin, buf, n, NULL), 0);
		if (gort_layout_open(&o.lay, o.bin, NULL) == 0) {
			query_all(o.lay);
			gort_layout_close(o.lay);
		}
		gort_binary_close(o.bin);
	}
	free(buf);
	free(orig);
}

/*
 * The same on DWARF that is not compressed, so that mutations reach
 * libdwarf itself: an ELF holding the fixture's decompressed .debug_abbrev
 * and .debug_info (and no Go version: DWARF alone answers).
 */
static void test_corrupt_dwarf_plain(void **state)
{
	const char *rel = "go1.22/amd64/default/prog";
	static const char *const names[] = {".debug_abbrev", ".debug_info"};
	struct tu_section secs[2];
	struct gort_view v[2];
	struct gort_field_layout f;
	struct opened src, o;
	uint8_t *copy[2], *img;
	size_t n, imgsize;
	unsigned seed = 7;
	void *buf = load(rel, &n);
	(void)state;

	REQUIRE(buf, rel);
	assert_int_equal(open_buf(&src, buf, n, 0, 0), 0);
	for (int i = 0; i < 2; i++) {
		struct gort_elf_section *sec = gort__elf_section(&src.bin->elf, names[i]);
		assert_non_null(sec);
		assert_int_equal(gort__elf_section_data(&src.bin->elf, sec, &v[i]), 0);
		copy[i] = malloc(v[i].size);
		assert_non_null(copy[i]);
		secs[i] = (struct tu_section){names[i], 1 /* SHT_PROGBITS */, 0, 0, copy[i],
					      v[i].size};
	}
	for (int round = 0; round < 40; round++) {
		for (int i = 0; i < 2; i++)
			memcpy(copy[i], v[i].data, v[i].size);
		for (int k = 0; round && k < round; k++) {
			int i = k % 4 == 0 ? 0 : 1;
			seed = seed * 1103515245u + 12345u;
			copy[i][(seed >> 8) % v[i].size] ^= (uint8_t)(1u << (seed & 7));
		}
		img = tu_elf_build(1, 0, 62 /* EM_X86_64 */, secs, 2, &imgsize);
		assert_non_null(img);
		assert_int_equal(gort_binary_open_memory(&o.bin, img, imgsize, NULL), 0);
		assert_int_equal(gort_layout_open(&o.lay, o.bin, NULL), 0);
		if (round == 0) { /* the image is right: DWARF answers */
			assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
			assert_int_equal(f.source, GORT_LAYOUT_DWARF);
			assert_int_equal(f.offset, offset_of(src.lay, "runtime.g", "goid"));
		}
		query_all(o.lay);
		gort_layout_close(o.lay);
		gort_binary_close(o.bin);
		free(img);
	}
	free(copy[0]);
	free(copy[1]);
	done(&src);
}

/* Address and file bytes of an entry of a runtime string table. */
static uint8_t *strtab_entry(struct opened *o, const char *sym, unsigned i)
{
	const struct gort_elf_symbol *s;
	struct gort_view v;

	assert_int_equal(gort__elf_symbol(&o->bin->elf, sym, &s), 0);
	assert_int_equal(gort__binary_read_addr(o->bin, s->value + 16 * i, 16, &v), 0);
	return (uint8_t *)o->buf + (v.data - (const uint8_t *)o->buf);
}

static void test_names(void **state)
{
	const char *rel = "go1.22/amd64/default/prog", *srel = "go1.22/amd64/stripped/prog";
	struct opened d, t;
	struct gort_str a, b;
	size_t n, ns, sn;
	int src;
	void *bd = load(rel, &n), *bs = load(srel, &ns);
	(void)state;

	REQUIRE(bd, rel);
	REQUIRE(bs, srel);
	assert_int_equal(open_buf(&d, bd, n, 0, 0), 0);
	assert_int_equal(open_buf(&t, bs, ns, 0, 0), 0);
	assert_int_equal(gort_layout_wait_reason_count(d.lay, &n, &src), 0);
	assert_int_equal(src, GORT_LAYOUT_BINARY);
	assert_int_equal(gort_layout_wait_reason_count(t.lay, &sn, &src), 0);
	assert_int_equal(src, GORT_LAYOUT_TABLE);
	assert_int_equal(n, sn);
	assert_true(n > 20);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(gort_layout_wait_reason(d.lay, i, &a, NULL), 0);
		assert_int_equal(gort_layout_wait_reason(t.lay, i, &b, NULL), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.ptr, b.ptr, a.len);
	}
	assert_int_equal(gort_layout_wait_reason(d.lay, (unsigned)n, &a, NULL), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_status_name(t.lay, 2, &a, &src), 0);
	assert_true(gort__str_eq(a, "running"));
	assert_int_equal(gort_layout_status_name(d.lay, GORT_GSTATUS_SCAN | 4, &a, &src), 0);
	assert_true(gort__str_eq(a, "waiting"));
	assert_int_equal(src, GORT_LAYOUT_BINARY);
	assert_int_equal(gort_layout_status_name(d.lay, 5, &a, NULL), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_status_name(d.lay, 0xffff, &a, NULL), GORT_ENOTFOUND);
	done(&d);
	done(&t);
}

/* A corrupt wait reason entry: an error naming its address, every time. */
static void test_corrupt_names(void **state)
{
	const char *rel = "go1.22/amd64/default/prog";
	struct opened o;
	struct gort_str s;
	size_t n;
	uint8_t *buf = load(rel, &n), *e, saved[16];
	(void)state;

	REQUIRE(buf, rel);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
		e = strtab_entry(&o, "runtime.waitReasonStrings", 3);
		gort_layout_close(o.lay);
		gort_binary_close(o.bin);
		if (round == 0) {
			memcpy(saved, e, 16);
			tu_put(e + 8, 1u << 20, 8, 0); /* absurd length */
		} else {
			memcpy(e, saved, 16);
			tu_put(e, 0x10, 8, 0); /* data pointer nowhere */
		}
		assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
		for (int again = 0; again < 2; again++) {
			int rc = gort_layout_wait_reason(o.lay, 1, &s, NULL);
			assert_int_equal(rc, round == 0 ? GORT_EFORMAT : GORT_EFAULT);
			assert_int_not_equal(gort_last_error()->address, GORT_NO_VALUE);
		}
		gort_layout_close(o.lay);
		gort_binary_close(o.bin);
		o.lay = NULL;
		o.bin = NULL;
	}
	free(buf);
}

static void test_tls_and_labels(void **state)
{
	static const struct {
		const char *rel;
		int rc;
		int64_t offset;
		int source, labels;
	} cases[] = {
		{"go1.22/amd64/default/prog", 0, -8, GORT_LAYOUT_ABI, GORT_LABELS_MAP},
		{"go1.27/amd64/pie/prog", 0, -8, GORT_LAYOUT_BINARY, GORT_LABELS_SLICE},
		{"go1.23/386/stripped/prog", 0, -4, GORT_LAYOUT_ABI, GORT_LABELS_MAP},
		{"go1.24/arm64/default/prog", GORT_ENOTFOUND, 0, 0, GORT_LABELS_SLICE},
	};
	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(cases); i++) {
		struct gort_tls_g tls;
		struct opened o;
		size_t n;
		int kind;
		void *buf = load(cases[i].rel, &n);

		REQUIRE(buf, cases[i].rel);
		assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
		assert_int_equal(gort_layout_tls_g(o.lay, &tls), cases[i].rc);
		if (!cases[i].rc) {
			assert_int_equal(tls.offset, cases[i].offset);
			assert_int_equal(tls.source, cases[i].source);
		}
		assert_int_equal(gort_layout_labels_kind(o.lay, &kind), 0);
		assert_int_equal(kind, cases[i].labels);
		done(&o);
	}
}

static void *query_thread(void *arg)
{
	gort_layout *lay = arg;
	struct gort_field_layout f;
	struct gort_str s;
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		bad |= gort_layout_field(lay, "runtime.g", "goid", &f) != 0;
		bad |= gort_layout_field(lay, "runtime.m", "curg", &f) != 0;
		bad |= gort_layout_wait_reason(lay, 1, &s, NULL) != 0;
	}
	return bad ? arg : NULL;
}

static void test_threads(void **state)
{
	const char *rel = "go1.26/amd64/default/prog";
	pthread_t th[4];
	struct opened o;
	size_t n;
	void *buf = load(rel, &n), *ret;
	(void)state;

	REQUIRE(buf, rel);
	assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, query_thread, o.lay), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &ret), 0);
		assert_null(ret);
	}
	done(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_table_vs_dwarf),
		cmocka_unit_test(test_known_offsets),
		cmocka_unit_test(test_absent_field),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_unknown_release),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_corrupt_dwarf),
		cmocka_unit_test(test_corrupt_dwarf_plain),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_corrupt_names),
		cmocka_unit_test(test_tls_and_labels),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
