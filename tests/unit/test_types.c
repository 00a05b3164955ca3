/*
 * Type descriptors against DWARF: every struct a typelinks pointer type
 * points to, and that the unstripped binary's DWARF describes, must have
 * the size and field offsets DWARF gives; the stripped twin must list the
 * same types. Then corrupt descriptors: errors with addresses, no crash.
 */
#include "testutil.h"
#include "binary/binary.h"
#include "layout/layout.h"

#include <gort/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct opened {
	void *buf;
	size_t n;
	gort_binary *bin;
	gort_layout *lay;
	gort_types *types;
};

static int open_fixture(struct opened *o, const char *rel, int no_dwarf)
{
	GORT_OPTS(gort_layout_opts, opts, .no_dwarf = no_dwarf);
	const char *path = tu_fixture(rel);

	memset(o, 0, sizeof(*o));
	if (!tu_exists(path))
		return -1;
	o->buf = tu_read_file(path, &o->n);
	assert_non_null(o->buf);
	assert_int_equal(gort_binary_open_memory(&o->bin, o->buf, o->n, NULL), 0);
	assert_int_equal(gort_layout_open(&o->lay, o->bin, &opts), 0);
	return gort_types_open(&o->types, o->lay);
}

static void done(struct opened *o)
{
	gort_types_close(o->types);
	gort_layout_close(o->lay);
	gort_binary_close(o->bin);
	free(o->buf);
}

/*
 * A struct descriptor against DWARF; returns the number of fields checked.
 * reflect names types by package name, DWARF by package path: when the
 * DWARF struct of that name lacks one of the fields, it is another package's
 * type of the same name (internal/sync.Mutex prints as sync.Mutex), and the
 * struct is skipped.
 */
static size_t check_struct_in(gort_layout *lay, gort_types *types, const struct gort_type *st)
{
	char name[512], field[256];
	struct gort_field_layout f;
	struct gort_type_field tf;
	uint64_t size;
	size_t checked = 0;

	if (st->name.len >= sizeof(name) || !memchr(st->name.ptr, '.', st->name.len))
		return 0;
	memcpy(name, st->name.ptr, st->name.len);
	name[st->name.len] = '\0';
	if (gort_layout_size(lay, name, &size, NULL) != 0)
		return 0; /* generic instantiations and the like: no DWARF struct */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < st->nfields; i++) {
			assert_int_equal(gort_type_field(types, st, i, &tf), 0);
			if (tf.name.len >= sizeof(field))
				return 0;
			memcpy(field, tf.name.ptr, tf.name.len);
			field[tf.name.len] = '\0';
			if (!strcmp(field, "_"))
				continue; /* DWARF names several blank fields alike */
			if (pass == 0) {
				if (gort_layout_field(lay, name, field, &f))
					return 0;
				continue;
			}
			assert_int_equal(gort_layout_field(lay, name, field, &f), 0);
			assert_int_equal(f.offset, tf.offset);
			checked++;
		}
	}
	assert_int_equal(size, st->size);
	assert_int_equal(gort_type_field(types, st, st->nfields, &tf), GORT_EINVAL);
	return checked;
}

static size_t check_struct(struct opened *o, const struct gort_type *st)
{
	return check_struct_in(o->lay, o->types, st);
}

static void check_release(const char *dir)
{
	char a[256], b[256];
	struct opened d, s;
	uint64_t n, ns, addr, saddr;
	size_t fields = 0;

	snprintf(a, sizeof(a), "%s/default/prog", dir);
	snprintf(b, sizeof(b), "%s/stripped/prog", dir);
	if (open_fixture(&d, a, 0) == -1) {
		print_message("fixture missing: %s\n", a);
		skip();
	}
	assert_non_null(d.types);
	assert_int_equal(open_fixture(&s, b, 1), 0);
	assert_int_equal(gort_types_count(d.types, &n), 0);
	assert_int_equal(gort_types_count(s.types, &ns), 0);
	assert_int_equal(n, ns);
	assert_true(n > 10);
	for (uint64_t i = 0; i < n; i++) {
		struct gort_type t, st, elem;

		assert_int_equal(gort_types_at(d.types, i, &addr), 0);
		assert_int_equal(gort_types_at(s.types, i, &saddr), 0);
		assert_int_equal(gort_type_read(d.types, addr, &t), 0);
		assert_int_equal(gort_type_read(s.types, saddr, &st), 0);
		assert_int_equal(t.name.len, st.name.len);
		assert_memory_equal(t.name.ptr, st.name.ptr, t.name.len);
		assert_int_equal(t.size, st.size);
		assert_int_equal(t.kind, st.kind);
		assert_true(t.kind > 0 && t.kind <= GORT_KIND_UNSAFE_POINTER);
		if (t.kind == GORT_KIND_POINTER) {
			assert_int_equal(t.size, gort_binary_ptr_size(d.bin));
			assert_int_equal(gort_type_read(d.types, t.elem, &elem), 0);
			assert_true(t.name.len == elem.name.len + 1 && t.name.ptr[0] == '*');
			assert_memory_equal(t.name.ptr + 1, elem.name.ptr, elem.name.len);
			if (elem.kind == GORT_KIND_STRUCT)
				fields += check_struct(&d, &elem);
		} else if (t.kind == GORT_KIND_STRUCT) {
			fields += check_struct(&d, &t);
		}
	}
	print_message("%s: %llu typelinks, %zu struct fields checked against DWARF\n", dir,
		      (unsigned long long)n, fields);
	assert_true(fields > 0);
	assert_int_equal(gort_types_at(d.types, n, &addr), GORT_EINVAL);
	done(&d);
	done(&s);
}

static void test_go115_amd64(void **state) { (void)state; check_release("go1.15/amd64"); }
static void test_go119_arm64(void **state) { (void)state; check_release("go1.19/arm64"); }
static void test_go122_386(void **state) { (void)state; check_release("go1.22/386"); }
static void test_go126_amd64(void **state) { (void)state; check_release("go1.26/amd64"); }

/*
 * PE and Mach-O files (found through moduledata, as their layouts are):
 * every listed descriptor reads and names its pointer types' elements,
 * and the runtime's structs that do not depend on the OS have the layout
 * the DWARF of the Linux build of the same toolchain and architecture
 * gives them.
 */
static void check_foreign(const char *file, const char *linux_prog)
{
	static const char *const same_on_every_os[] = {
		"runtime._defer", "runtime.sudog", "runtime.mspan", "runtime.hchan",
		"runtime.stackfreelist", "runtime.heldLockInfo", "internal/abi.Type",
		"abi.Type", "runtime._panic", "runtime.special",
	};
	struct opened f, l;
	uint64_t n, addr;
	size_t fields = 0;

	if (open_fixture(&f, file, 1) == -1) {
		print_message("fixture missing: %s\n", file);
		skip();
	}
	assert_non_null(f.types);
	assert_int_equal(open_fixture(&l, linux_prog, 0), 0);
	assert_int_equal(gort_types_count(f.types, &n), 0);
	assert_true(n > 10);
	for (uint64_t i = 0; i < n; i++) {
		struct gort_type t, elem;

		assert_int_equal(gort_types_at(f.types, i, &addr), 0);
		assert_int_equal(gort_type_read(f.types, addr, &t), 0);
		assert_true(t.kind > 0 && t.kind <= GORT_KIND_UNSAFE_POINTER);
		if (t.kind != GORT_KIND_POINTER)
			continue;
		assert_int_equal(gort_type_read(f.types, t.elem, &elem), 0);
		assert_true(t.name.len == elem.name.len + 1 && t.name.ptr[0] == '*');
		assert_memory_equal(t.name.ptr + 1, elem.name.ptr, elem.name.len);
		for (size_t k = 0; k < GORT_ARRAY_SIZE(same_on_every_os); k++)
			if (elem.kind == GORT_KIND_STRUCT &&
			    elem.name.len == strlen(same_on_every_os[k]) &&
			    !memcmp(elem.name.ptr, same_on_every_os[k], elem.name.len))
				fields += check_struct_in(l.lay, f.types, &elem);
	}
	print_message("%s: %llu typelinks, %zu struct fields checked against %s's DWARF\n", file,
		      (unsigned long long)n, fields, linux_prog);
	assert_true(fields > 0);
	done(&f);
	done(&l);
}

static void test_pe_macho(void **state)
{
	(void)state;
	check_foreign("go1.26/windows-amd64/default/hello.exe", "go1.26/amd64/default/prog");
	check_foreign("go1.26/darwin-arm64/stripped/hello", "go1.26/arm64/default/prog");
	check_foreign("go1.21/darwin-arm64/default/hello", "go1.21/arm64/default/prog");
	check_foreign("go1.21/windows-amd64/stripped/hello.exe", "go1.21/amd64/default/prog");
}

static void test_no_typelinks(void **state)
{
	struct opened o;
	uint64_t n;
	(void)state;

	if (open_fixture(&o, "go1.27/amd64/stripped/prog", 0) == -1)
		skip();
	assert_non_null(o.types);
	assert_int_equal(gort_types_count(o.types, &n), GORT_EUNSUPPORTED);
	assert_int_equal(gort_types_at(o.types, 0, &n), GORT_EUNSUPPORTED);
	done(&o);
}

static void test_bad_args(void **state)
{
	struct gort_type t;
	struct opened o;
	gort_types *ty;
	(void)state;

	assert_int_equal(gort_types_open(NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort_types_open(&ty, NULL), GORT_EINVAL);
	assert_null(ty);
	gort_types_close(NULL);
	if (open_fixture(&o, "go1.24/arm64/stripped/prog", 0) == -1)
		skip();
	assert_int_equal(gort_type_read(o.types, 0, &t), GORT_EFORMAT);
	assert_int_equal(gort_last_error()->address, 0);
	assert_int_equal(gort_type_read(o.types, UINT64_MAX, &t), GORT_EFORMAT);
	assert_int_equal(gort_type_read(NULL, 0, &t), GORT_EINVAL);
	done(&o);
}

/* Mutated type data: every descriptor read ends, with 0 or an error. */
static void test_corrupt(void **state)
{
	struct opened o;
	struct gort_view v;
	uint64_t n, addr, first;
	uint8_t *orig, *base;
	size_t span;
	unsigned seed = 3;
	(void)state;

	if (open_fixture(&o, "go1.23/amd64/stripped/prog", 1) == -1)
		skip();
	assert_int_equal(gort_types_count(o.types, &n), 0);
	assert_int_equal(gort_types_at(o.types, 0, &first), 0);
	/* The file bytes of the type data from the first listed type on. */
	assert_int_equal(gort__binary_addr_span(o.bin, first, &v), 0);
	base = (uint8_t *)o.buf + (v.data - (const uint8_t *)o.buf);
	span = v.size > (1u << 16) ? (1u << 16) : (size_t)v.size;
	orig = malloc(span);
	assert_non_null(orig);
	memcpy(orig, base, span);
	for (int round = 0; round < 30; round++) {
		memcpy(base, orig, span);
		for (int k = 0; k < 16 * (round + 1); k++) {
			seed = seed * 1103515245u + 12345u;
			base[(seed >> 8) % span] ^= (uint8_t)(1u << (seed & 7));
		}
		for (uint64_t i = 0; i < n; i++) {
			struct gort_type t;
			struct gort_type_field f;

			assert_int_equal(gort_types_at(o.types, i, &addr), 0);
			if (gort_type_read(o.types, addr, &t))
				continue;
			for (uint64_t j = 0; j < t.nfields && j < 64; j++)
				assert_true(gort_type_field(o.types, &t, j, &f) <= 0);
			if (t.elem)
				assert_true(gort_type_read(o.types, t.elem, &t) <= 0);
		}
	}
	memcpy(base, orig, span);
	free(orig);
	done(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go115_amd64),
		cmocka_unit_test(test_go119_arm64),
		cmocka_unit_test(test_go122_386),
		cmocka_unit_test(test_go126_amd64),
		cmocka_unit_test(test_pe_macho),
		cmocka_unit_test(test_no_typelinks),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
