/*
 * Runtime layouts: the catalogue, tables against DWARF on fixtures, fields a
 * release lacks, releases without a table (explicit error, or the nearest
 * older table when asked; what the binary's type descriptors answer there),
 * bad arguments, corrupt DWARF, corrupt type descriptors and corrupt string
 * tables (errors or a visible fallback, never crashes), the type header
 * layout descriptors are read with against every table, the name tables,
 * the TLS slot and the labels representation, and concurrent queries.
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
static int open_buf3(struct opened *o, void *buf, size_t n, int no_dwarf, int nearest,
		     int no_types)
{
	GORT_OPTS(gort_layout_opts, opts, .no_dwarf = no_dwarf, .allow_nearest = nearest,
		  .no_types = no_types);
	o->buf = buf;
	o->lay = NULL;
	assert_int_equal(gort_binary_open_memory(&o->bin, buf, n, NULL), 0);
	return gort_layout_open(&o->lay, o->bin, &opts);
}

static int open_buf(struct opened *o, void *buf, size_t n, int no_dwarf, int nearest)
{
	return open_buf3(o, buf, n, no_dwarf, nearest, 0);
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

/*
 * Every catalogue answer of the stripped twin equals DWARF's: from the
 * table (no_types), or from its type descriptors (but runtime.schedt,
 * which none describes: from the table).
 */
static void stripped_equals_dwarf(const char *dir, int no_types)
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
	assert_int_equal(open_buf3(&t, bb, nb, 0, 0, no_types), 0);
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
		assert_int_equal(ft.source, no_types || !strcmp(type, "runtime.schedt")
						    ? GORT_LAYOUT_TABLE
						    : GORT_LAYOUT_TYPES);
		assert_int_equal(fd.offset, ft.offset);
		assert_int_equal(fd.size, ft.size);
	}
	done(&d);
	done(&t);
}

static void test_table_vs_dwarf(void **state)
{
	(void)state;
	for (int no_types = 0; no_types < 2; no_types++) {
		stripped_equals_dwarf("go1.15/arm64", no_types);
		stripped_equals_dwarf("go1.23/amd64", no_types);
		stripped_equals_dwarf("go1.27/386", no_types);
	}
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
	} big = {{sizeof(big), 0, 0, 0}, 1};
	struct gort_layout_opts tiny = {1, 0, 0, 0};
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

/*
 * Types outside the catalogue: a stripped binary's descriptors answer as
 * the DWARF of its unstripped twin does (size, offsets, field sizes), and
 * a type it does not describe is GORT_ENOTFOUND, asked once or many times.
 */
static void test_other_types(void **state)
{
	static const char *const q[][2] = {
		{"runtime.sudog", NULL}, {"runtime.sudog", "elem"}, {"runtime.sudog", "c"},
		{"runtime.mspan", "startAddr"}, {"runtime.hchan", NULL},
		{"runtime.hchan", "qcount"}, {"sync.Mutex", NULL}, {"runtime._panic", "arg"},
	};
	const char *a = "go1.22/amd64/default/prog", *b = "go1.22/amd64/stripped/prog";
	struct gort_field_layout fd, ft;
	struct opened d, t;
	size_t na, nb;
	void *ba = load(a, &na), *bb;
	(void)state;

	REQUIRE(ba, a);
	bb = load(b, &nb);
	REQUIRE(bb, b);
	assert_int_equal(open_buf(&d, ba, na, 0, 0), 0);
	assert_int_equal(open_buf(&t, bb, nb, 1, 0), 0);
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < GORT_ARRAY_SIZE(q); i++) {
			if (q[i][1]) {
				assert_int_equal(gort_layout_field(d.lay, q[i][0], q[i][1], &fd), 0);
				assert_int_equal(gort_layout_field(t.lay, q[i][0], q[i][1], &ft), 0);
			} else {
				fd.offset = ft.offset = 0;
				assert_int_equal(gort_layout_size(d.lay, q[i][0], &fd.size, &fd.source), 0);
				assert_int_equal(gort_layout_size(t.lay, q[i][0], &ft.size, &ft.source), 0);
			}
			assert_int_equal(fd.source, GORT_LAYOUT_DWARF);
			assert_int_equal(ft.source, GORT_LAYOUT_TYPES);
			assert_int_equal(fd.offset, ft.offset);
			assert_int_equal(fd.size, ft.size);
			assert_int_equal(gort_layout_field(t.lay, q[i][0], "nosuch", &ft), GORT_ENOTFOUND);
			assert_int_equal(gort_layout_field(t.lay, "main.nosuch", "x", &ft), GORT_ENOTFOUND);
			assert_int_equal(gort_layout_field(t.lay, "nodot", "x", &ft), GORT_ENOTFOUND);
		}
	done(&d);
	done(&t);
}

/*
 * lib/layout/descriptors.c reads descriptors with one Type header layout
 * for every release (size, tflag, kind, str at 0, 2p+4, 2p+7, 4p+8 of
 * 4p+16 bytes): so says every table, of every release and architecture.
 */
static void test_header_in_tables(void **state)
{
	size_t checked = 0;
	(void)state;

	for (size_t k = 0; k < gort__layout_tables_len; k++) {
		const struct gort__layout_table *t = &gort__layout_tables[k];
		int64_t p = t->arch == GORT_ARCH_386 || t->arch == GORT_ARCH_ARM ? 4 : 8;
		size_t base = 0;

		for (size_t i = 0; i < gort__layout_catalogue_len; i++) {
			const struct gort__layout_type *c = &gort__layout_catalogue[i];
			const struct gort__layout_slot *sl = &t->slots[base];

			base += 1 + c->nfields;
			if ((strcmp(c->name, "runtime._type") && strcmp(c->name, "internal/abi.Type")) ||
			    sl[0].offset == GORT__ABSENT_OFFSET)
				continue;
			assert_int_equal(c->nfields, 11);
			assert_int_equal(sl[0].size, 4 * p + 16);
			assert_int_equal(sl[1].offset, 0); /* size */
			assert_int_equal(sl[1].size, p);
			assert_int_equal(sl[4].offset, 2 * p + 4);  /* tflag */
			assert_int_equal(sl[7].offset, 2 * p + 7);  /* kind */
			assert_int_equal(sl[10].offset, 4 * p + 8); /* str */
			assert_int_equal(sl[10].size, 4);
			checked++;
		}
	}
	assert_int_equal(checked, gort__layout_tables_len);
}

/*
 * A release with no table. Its type descriptors answer what they describe,
 * exact; runtime.schedt is an explicit error, or the nearest older table's
 * when asked. Without descriptors (no_types, or descriptors that do not
 * decode as the claimed release encodes them): explicit error at open, or
 * the nearest older table.
 */
static void check_release(const char *as, unsigned nearest_minor, bool descriptors)
{
	const char *rel = "go1.22/amd64/stripped/prog";
	struct gort_field_layout f;
	struct opened o;
	unsigned ma, mi;
	uint64_t size;
	int src;
	size_t n;
	uint8_t *buf = load(rel, &n);

	REQUIRE(buf, rel);
	patch_all(buf, n, "go1.22.", as);
	if (descriptors) {
		assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
		assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
		assert_int_equal(f.source, GORT_LAYOUT_TYPES);
		assert_int_equal(f.offset, 152); /* go1.22's, whatever the name says */
		assert_int_equal(gort_layout_size(o.lay, "runtime.schedt", &size, &src),
				 GORT_EUNSUPPORTED);
		assert_non_null(strstr(gort_last_error()->message, "runtime.schedt"));
		assert_int_equal(gort_layout_size(o.lay, "runtime._type", &size, &src),
				 GORT_ENOTFOUND);
		assert_int_equal(gort_layout_table_release(o.lay, &ma, &mi), GORT_ENOTFOUND);
		done(&o);
		buf = load(rel, &n);
		patch_all(buf, n, "go1.22.", as);
	} else {
		assert_int_equal(open_buf(&o, buf, n, 1, 0), GORT_EUNSUPPORTED);
		assert_non_null(strstr(gort_last_error()->message, "type descriptors"));
		gort_binary_close(o.bin);
	}
	assert_int_equal(open_buf3(&o, buf, n, 1, 0, 1), GORT_EUNSUPPORTED);
	assert_null(o.lay);
	assert_non_null(strstr(gort_last_error()->message, "no built-in table"));
	gort_binary_close(o.bin);
	for (int no_types = 0; no_types < 2; no_types++) {
		assert_int_equal(open_buf3(&o, buf, n, 1, 1, no_types), 0);
		assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
		assert_int_equal(f.source, descriptors && !no_types ? GORT_LAYOUT_TYPES
								    : GORT_LAYOUT_NEAREST);
		assert_int_equal(gort_layout_size(o.lay, "runtime.schedt", &size, &src), 0);
		assert_int_equal(src, GORT_LAYOUT_NEAREST);
		assert_int_equal(gort_layout_table_release(o.lay, &ma, &mi), 0);
		assert_int_equal(mi, nearest_minor);
		assert_int_equal(gort_layout_go_release(o.lay, &ma, &mi), 0);
		assert_int_equal(mi, (unsigned)atoi(as + 4));
		gort_layout_close(o.lay);
		gort_binary_close(o.bin);
	}
	free(buf);
}

static void test_unknown_release(void **state)
{
	(void)state;
	check_release("go1.99.", 27, true); /* newer than every table */
	/* Go 1.18 (no table: no reference build found) stores
	 * offset<<1|embedded: decoded so, the fields overlap. */
	check_release("go1.18.", 17, false);
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
		sizeof(struct gort_layout_opts), 1, 0, 0}), GORT_ENOTGO);
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

/* The file bytes at address addr of an opened (borrowed) buffer. */
static uint8_t *file_at(struct opened *o, uint64_t addr, uint64_t len)
{
	struct gort_view v;

	assert_int_equal(gort__binary_read_addr(o->bin, addr, len, &v), 0);
	return (uint8_t *)o->buf + (v.data - (const uint8_t *)o->buf);
}

static void put64(uint8_t *p, uint64_t v) /* amd64: little-endian */
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Where the descriptor of catalogue type `type` and its field k's offset
 * word are in the file (amd64: Type header 48 bytes, then PkgPath, then
 * Fields {ptr, len, cap}; StructField {Name, Typ, Offset}).
 */
static void desc_bytes(struct opened *o, const char *type, uint64_t k, uint8_t **desc,
		       uint8_t **off)
{
	const struct gort__desc_type *t;
	uint64_t fields = 0;
	uint8_t *p;

	assert_int_equal(gort__descs_load(o->lay), 0);
	assert_int_equal(o->lay->descs.rc, 0);
	t = &o->lay->descs.types[gort__catalogue_index(type)];
	assert_true(t->addr != 0 && k < t->nfields);
	*desc = file_at(o, t->addr, 48 + 32);
	p = *desc + 48 + 8;
	for (int i = 7; i >= 0; i--)
		fields = fields << 8 | p[i];
	*off = file_at(o, fields + 24 * k + 16, 8);
}

/*
 * A corrupt descriptor is never believed: the table answers instead, and
 * says so; a release without a table gets an error naming the descriptor's
 * address; a corrupt type header descriptor turns descriptors off. Random
 * damage to the type data ends every query in 0 or an error.
 */
static void test_corrupt_descriptors(void **state)
{
	const char *rel = "go1.22/amd64/stripped/prog";
	struct gort_field_layout f;
	struct opened o;
	uint64_t size, m_addr, g_at, g_end;
	uint8_t *orig, *buf, *desc, *off, *hdesc, *hoff;
	unsigned seed = 3;
	int src;
	size_t n;
	(void)state;

	orig = load(rel, &n);
	REQUIRE(orig, rel);
	buf = malloc(n);
	assert_non_null(buf);
	memcpy(buf, orig, n);
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	desc_bytes(&o, "runtime.m", 5, &desc, &off);
	m_addr = o.lay->descs.types[gort__catalogue_index("runtime.m")].addr;
	desc_bytes(&o, "internal/abi.Type", 3, &hdesc, &hoff);
	g_at = (uint64_t)(file_at(&o, o.lay->descs.types[gort__catalogue_index("runtime.g")].addr,
				48 + 32) - buf);
	g_end = g_at + 48 + 32;
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);

	/* m's field 5 far outside m: m from the table, g still from its own. */
	put64(off, 1u << 30);
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_size(o.lay, "runtime.m", &size, &src), 0);
	assert_int_equal(src, GORT_LAYOUT_TABLE);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
	assert_int_equal(f.source, GORT_LAYOUT_TYPES);
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);
	/* The same without a table: an error with the descriptor's address. */
	patch_all(buf, n, "go1.22.", "go1.99.");
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_size(o.lay, "runtime.m", &size, &src), GORT_EUNSUPPORTED);
	assert_int_equal(gort_last_error()->address, m_addr);
	assert_non_null(strstr(gort_last_error()->message, "runtime.m"));
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
	assert_int_equal(f.source, GORT_LAYOUT_TYPES);
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);

	/* A struct of 2^40 fields: refused at once, not walked. */
	memcpy(buf, orig, n);
	put64(desc + 48 + 16, 1ull << 40);
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_size(o.lay, "runtime.m", &size, &src), 0);
	assert_int_equal(src, GORT_LAYOUT_TABLE);
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);

	/* The header's own descriptor disagrees: no descriptor is believed. */
	memcpy(buf, orig, n);
	put64(hoff, 21); /* TFlag one byte further */
	assert_int_equal(open_buf(&o, buf, n, 1, 0), 0);
	assert_int_equal(gort_layout_field(o.lay, "runtime.g", "goid", &f), 0);
	assert_int_equal(f.source, GORT_LAYOUT_TABLE);
	gort_layout_close(o.lay);
	gort_binary_close(o.bin);
	patch_all(buf, n, "go1.22.", "go1.99.");
	assert_int_equal(open_buf(&o, buf, n, 1, 0), GORT_EUNSUPPORTED);
	assert_non_null(strstr(gort_last_error()->message, "type header"));
	gort_binary_close(o.bin);

	/* Random damage to g's descriptor (header, PkgPath, Fields). */
	for (int round = 0; round < 64; round++) {
		memcpy(buf, orig, n);
		for (int k = 0; k < 1 + round % 8; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[g_at + (seed >> 8) % (g_end - g_at)] ^= (uint8_t)(1u << (seed & 7));
		}
		if (open_buf(&o, buf, n, 1, round % 2) == 0) {
			query_all(o.lay);
			gort_layout_close(o.lay);
		}
		gort_binary_close(o.bin);
	}
	free(buf);
	free(orig);
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

/* Both name tables of two opened binaries: same count, same names. */
static void same_names(struct opened *x, struct opened *y, int ysource)
{
	struct gort_str a, b;
	size_t n, m;
	int src;

	for (int waits = 0; waits < 2; waits++) {
		if (waits) {
			assert_int_equal(gort_layout_wait_reason_count(x->lay, &n, &src), 0);
			assert_int_equal(gort_layout_wait_reason_count(y->lay, &m, &src), 0);
		} else {
			assert_int_equal(gort_layout_status_count(x->lay, &n, &src), 0);
			assert_int_equal(gort_layout_status_count(y->lay, &m, &src), 0);
		}
		assert_int_equal(src, ysource);
		assert_int_equal(n, m);
		assert_true(n >= 10);
		for (unsigned i = 0; i < n; i++) {
			int ra = waits ? gort_layout_wait_reason(x->lay, i, &a, NULL)
				       : gort_layout_status_name(x->lay, i, &a, NULL);
			int rb = waits ? gort_layout_wait_reason(y->lay, i, &b, NULL)
				       : gort_layout_status_name(y->lay, i, &b, NULL);
			assert_int_equal(ra, rb);
			if (ra)
				continue; /* a status the release leaves unnamed */
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.ptr, b.ptr, a.len);
		}
	}
}

/*
 * Name tables: by symbol in a binary with symbols; found in the data of its
 * stripped twin, where they must be exactly the same (count included: the
 * scan must stop where the array ends, before the next one), for every
 * release and architecture of the fixtures; else from the built-in table.
 */
static void test_names(void **state)
{
	static const char *const arches[] = {"amd64", "arm64", "386"};
	struct opened d, t;
	struct gort_str a;
	size_t n, ns, pairs = 0;
	int src;
	(void)state;

	for (unsigned minor = 15; minor <= 40; minor++)
		for (size_t k = 0; k < GORT_ARRAY_SIZE(arches); k++) {
			char rel[64], srel[64];
			void *bd, *bs;

			snprintf(rel, sizeof(rel), "go1.%u/%s/default/prog", minor, arches[k]);
			snprintf(srel, sizeof(srel), "go1.%u/%s/stripped/prog", minor, arches[k]);
			if (!(bd = load(rel, &n)))
				continue;
			REQUIRE((bs = load(srel, &ns)), srel);
			assert_int_equal(open_buf(&d, bd, n, 0, 0), 0);
			assert_int_equal(open_buf(&t, bs, ns, 0, 0), 0);
			same_names(&d, &d, GORT_LAYOUT_BINARY);
			same_names(&d, &t, GORT_LAYOUT_BINARY);
			done(&d);
			done(&t);
			pairs++;
		}
	if (!pairs) {
		print_message("no fixtures\n");
		skip();
	}

	/* Entries 0 and 1, how the data scan recognizes the arrays, are the
	   same in every release the tables know. */
	for (size_t i = 0; i < gort__layout_tables_len; i++) {
		const struct gort__layout_table *tab = &gort__layout_tables[i];
		assert_true(tab->nwaits > 2 && tab->nstatus > 2);
		assert_string_equal(tab->waits[0], "");
		assert_string_equal(tab->waits[1], "GC assist marking");
		assert_string_equal(tab->status[0], "idle");
		assert_string_equal(tab->status[1], "runnable");
	}

	/* Without a recognizable array (its entry 1 renamed), the table. */
	const char *srel = "go1.22/amd64/stripped/prog";
	void *bs = load(srel, &ns);
	REQUIRE(bs, srel);
	patch_all(bs, ns, "GC assist marking", "GC assist markinG");
	assert_int_equal(open_buf(&t, bs, ns, 0, 0), 0);
	assert_int_equal(gort_layout_wait_reason_count(t.lay, &n, &src), 0);
	assert_int_equal(src, GORT_LAYOUT_TABLE);
	assert_int_equal(gort_layout_wait_reason(t.lay, 1, &a, NULL), 0);
	assert_true(gort__str_eq(a, "GC assist marking"));
	assert_int_equal(gort_layout_status_name(t.lay, GORT_GSTATUS_SCAN | 4, &a, &src), 0);
	assert_true(gort__str_eq(a, "waiting"));
	assert_int_equal(src, GORT_LAYOUT_BINARY);
	assert_int_equal(gort_layout_wait_reason(t.lay, (unsigned)n, &a, NULL), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_status_name(t.lay, 5, &a, NULL), GORT_ENOTFOUND);
	assert_int_equal(gort_layout_status_name(t.lay, 0xffff, &a, NULL), GORT_ENOTFOUND);
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
		bad |= gort_layout_field(lay, "runtime.sudog", "elem", &f) != 0;
		bad |= gort_layout_wait_reason(lay, 1, &s, NULL) != 0;
	}
	return bad ? arg : NULL;
}

/* Concurrent first queries: DWARF (default) and descriptors (stripped). */
static void test_threads(void **state)
{
	static const char *const rels[] = {"go1.26/amd64/default/prog",
					   "go1.26/amd64/stripped/prog"};
	pthread_t th[4];
	struct opened o;
	size_t n;
	void *buf, *ret;
	(void)state;

	for (size_t r = 0; r < GORT_ARRAY_SIZE(rels); r++) {
		buf = load(rels[r], &n);
		REQUIRE(buf, rels[r]);
		assert_int_equal(open_buf(&o, buf, n, 0, 0), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(pthread_create(&th[i], NULL, query_thread, o.lay), 0);
		for (int i = 0; i < 4; i++) {
			assert_int_equal(pthread_join(th[i], &ret), 0);
			assert_null(ret);
		}
		done(&o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_table_vs_dwarf),
		cmocka_unit_test(test_known_offsets),
		cmocka_unit_test(test_absent_field),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_header_in_tables),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_unknown_release),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_corrupt_dwarf),
		cmocka_unit_test(test_corrupt_dwarf_plain),
		cmocka_unit_test(test_corrupt_descriptors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_corrupt_names),
		cmocka_unit_test(test_tls_and_labels),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
