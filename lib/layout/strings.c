/*
 * The runtime's own name tables: runtime.waitReasonStrings
 * (runtime/runtime2.go, indexed by g.waitreason) and runtime.gStatusStrings
 * (runtime/traceback.go, indexed by g.atomicstatus without _Gscan). They
 * change with every release, so they are read from the binary itself: by
 * its symbol table, else found in its data (stripped binaries, including
 * those of releases with no built-in table); the generated table of the
 * release answers only when neither finds them.
 *
 * Both are [...]string arrays: pairs of (data pointer, length) words.
 * Everything read is bounded: at most MAX_ITEMS entries of at most MAX_LEN
 * bytes (real tables: under 64 entries of under 64 bytes).
 */
#include "layout.h"

#include <string.h>

#define MAX_ITEMS 1024
#define MAX_LEN 4096
#define MAX_DATA (256u << 20) /* module data scanned for a table */

void gort__strtab_free(struct gort__strtab *t)
{
	gort__free(t->items);
	t->items = NULL;
}

static int read_strtab(struct gort_binary *bin, const char *name,
		       struct gort__strtab *t)
{
	const struct gort_elf_symbol *sym;
	struct gort_view arr, s;
	unsigned ptr = bin->elf.file.ptr_size;
	uint64_t n;
	int rc;

	if (bin->format != GORT_FORMAT_ELF)
		return GORT_ENOTFOUND;
	if ((rc = gort__elf_symbol(&bin->elf, name, &sym)))
		/* Not an error: the table answers; but running out of memory is. */
		return rc == GORT_ENOMEM ? rc : GORT_ENOTFOUND;
	n = sym->size / (2 * (uint64_t)ptr);
	if (sym->size % (2 * (uint64_t)ptr) || n == 0 || n > MAX_ITEMS)
		return gort__fail_addr(GORT_EFORMAT, sym->value,
				       "layout: %s has size %llu, not that of a string table",
				       name, (unsigned long long)sym->size);
	if ((rc = gort__binary_read_addr(bin, sym->value, sym->size, &arr)))
		return rc;
	arr.ptr_size = (uint8_t)ptr;
	arr.big_endian = bin->elf.file.big_endian;
	t->items = gort__calloc((size_t)n, sizeof(*t->items));
	if (!t->items)
		return gort__fail(GORT_ENOMEM, "layout: out of memory");
	for (uint64_t i = 0; i < n; i++) {
		struct gort_cursor c = gort__cursor(&arr, i * 2 * ptr);
		uint64_t p = gort__cur_uptr(&c), len = gort__cur_uptr(&c);

		if (c.err)
			return c.err;
		if (len == 0)
			continue;
		if (len > MAX_LEN)
			return gort__fail_addr(GORT_EFORMAT, sym->value + i * 2 * ptr,
					       "layout: %s[%llu] has length %llu", name,
					       (unsigned long long)i, (unsigned long long)len);
		if ((rc = gort__binary_read_addr(bin, p, len, &s)))
			return rc;
		t->items[i] = gort__str((const char *)s.data, (size_t)len);
	}
	t->n = (size_t)n;
	return 0;
}

/*
 * How a table is recognized in data without its symbol: entries 0 and 1
 * are the same in every release (checked against the built-in tables by
 * tests/unit/test_layout.c), and every entry is a name some release uses.
 */
struct strtab_kind {
	const char *symbol;
	const char *first, *second; /* entries 0 and 1 ("": a zero entry) */
	bool waits;
};

static const struct strtab_kind wait_kind = {"runtime.waitReasonStrings", "",
					     "GC assist marking", true};
static const struct strtab_kind status_kind = {"runtime.gStatusStrings", "idle", "runnable",
					       false};

/* Whether s is a name the built-in tables give in some release. */
static bool known_name(const struct strtab_kind *k, struct gort_str s)
{
	for (size_t t = 0; t < gort__layout_tables_len; t++) {
		const struct gort__layout_table *tab = &gort__layout_tables[t];
		const char *const *items = k->waits ? tab->waits : tab->status;
		size_t n = k->waits ? tab->nwaits : tab->nstatus;

		if (t && tab->major == tab[-1].major && tab->minor == tab[-1].minor)
			continue; /* names do not depend on the architecture */
		for (size_t i = 0; i < n; i++)
			if (strlen(items[i]) == s.len && !memcmp(items[i], s.ptr, s.len))
				return true;
	}
	return false;
}

/* The string header at offset `at` of v: its string, or len 0 for a zero entry. */
static int entry(struct gort_binary *bin, const struct gort_view *v, uint64_t at,
		 struct gort_str *out)
{
	unsigned ptr = v->ptr_size;
	uint64_t p, len;
	struct gort_view s;
	int rc;

	*out = gort__str(NULL, 0);
	if ((rc = gort__view_uptr(v, at, &p)) || (rc = gort__view_uptr(v, at + ptr, &len)))
		return rc;
	if (len == 0)
		return p == 0 ? 0 : GORT_ENOTFOUND;
	if (len > MAX_LEN || gort__binary_read_addr(bin, p, len, &s))
		return GORT_ENOTFOUND;
	*out = gort__str((const char *)s.data, (size_t)len);
	return 0;
}

static bool entry_is(struct gort_binary *bin, const struct gort_view *v, uint64_t at,
		     const char *want)
{
	struct gort_str s;

	return !entry(bin, v, at, &s) && s.len == strlen(want) &&
	       (s.len == 0 || !memcmp(s.ptr, want, s.len)); /* "" has no pointer */
}

/*
 * The table in the module's data (moduledata.data..edata, where the linker
 * puts arrays holding pointers): found by its entry 1, checked by entry 0,
 * and taken while entries are known names or zero (the status table's
 * unused values), so it never runs into the array the linker put next. A
 * later release's new names end the table early: those reasons then read
 * as unknown rather than as a neighbour's strings.
 */
static int scan_strtab(struct gort_binary *bin, const struct strtab_kind *k,
		       struct gort__strtab *t)
{
	struct gort_moduledata md;
	struct gort_view v;
	unsigned ptr = gort_binary_ptr_size(bin), step = 2 * ptr;
	size_t want = strlen(k->second);
	struct gort_str s;
	uint64_t at, n, last;
	int rc;

	if ((rc = gort_binary_moduledata(bin, &md)))
		return rc == GORT_ENOMEM ? rc : GORT_ENOTFOUND;
	if (md.edata <= md.data || md.edata - md.data > MAX_DATA ||
	    gort__binary_read_addr(bin, md.data, md.edata - md.data, &v))
		return GORT_ENOTFOUND;
	v.ptr_size = (uint8_t)ptr;
	v.big_endian = gort_binary_big_endian(bin);
	for (at = step; at + step <= v.size; at += ptr) {
		uint64_t len;

		if (gort__view_uptr(&v, at + ptr, &len) || len != want ||
		    !entry_is(bin, &v, at, k->second) || !entry_is(bin, &v, at - step, k->first))
			continue;
		at -= step;
		for (n = 0, last = 0; n < MAX_ITEMS && at + (n + 1) * step <= v.size; n++) {
			if (entry(bin, &v, at + n * step, &s) || (s.len && !known_name(k, s)))
				break;
			if (s.len)
				last = n + 1;
		}
		t->items = gort__calloc((size_t)last, sizeof(*t->items));
		if (!t->items)
			return gort__fail(GORT_ENOMEM, "layout: out of memory");
		for (n = 0; n < last; n++)
			entry(bin, &v, at + n * step, &t->items[n]);
		t->n = (size_t)last;
		return 0;
	}
	return GORT_ENOTFOUND;
}

/* Load (once) the binary's copy of a table; ENOTFOUND if it has none. */
static int load(struct gort_layout *lay, struct gort__strtab *t, const struct strtab_kind *k)
{
	int rc;

	pthread_mutex_lock(&lay->lock);
	if (!t->done) {
		t->rc = read_strtab(lay->bin, k->symbol, t);
		if (t->rc == GORT_ENOTFOUND)
			t->rc = scan_strtab(lay->bin, k, t);
		if (t->rc && t->rc != GORT_ENOTFOUND)
			gort__strtab_free(t);
		if (t->rc == GORT_ENOMEM) { /* not a property of the file: not kept */
			pthread_mutex_unlock(&lay->lock);
			return GORT_ENOMEM;
		}
		if (t->rc && t->rc != GORT_ENOTFOUND)
			gort__error_save(&t->err, t->rc);
		t->done = true;
	}
	rc = t->rc;
	if (rc && rc != GORT_ENOTFOUND)
		rc = gort__error_restore(&t->err);
	pthread_mutex_unlock(&lay->lock);
	return rc;
}

/*
 * Entry i of a name table: the binary's, else the release's (*n_out gets
 * the count when i is SIZE_MAX).
 */
static int lookup(struct gort_layout *lay, bool waits, size_t i, struct gort_str *out,
		  size_t *n_out, int *source)
{
	struct gort__strtab *t = waits ? &lay->waits : &lay->status;
	const struct strtab_kind *k = waits ? &wait_kind : &status_kind;
	const char *name = k->symbol;
	const char *const *items;
	size_t n;
	int rc = load(lay, t, k), src;

	if (rc && rc != GORT_ENOTFOUND)
		return rc;
	if (!rc) {
		n = t->n;
		src = GORT_LAYOUT_BINARY;
		if (i < n)
			*out = t->items[i];
	} else if (lay->table) {
		items = waits ? lay->table->waits : lay->table->status;
		n = waits ? lay->table->nwaits : lay->table->nstatus;
		src = lay->table_source;
		if (i < n)
			*out = gort__str(items[i], strlen(items[i]));
	} else {
		return gort__fail(GORT_ENOTFOUND, "layout: no symbol %s and no built-in table",
				  name);
	}
	if (source)
		*source = src;
	if (n_out) {
		*n_out = n;
		return 0;
	}
	/* Status names have holes (5, 7: unused values); reason 0 is "". */
	if (i >= n || (!waits && out->len == 0))
		return gort__fail(GORT_ENOTFOUND, "layout: %s has no entry %zu", name, i);
	return 0;
}

int gort_layout_wait_reason(gort_layout *lay, unsigned reason, struct gort_str *out,
			    int *source)
{
	if (!lay || !out)
		return gort__fail(GORT_EINVAL, "gort_layout_wait_reason: NULL argument");
	return lookup(lay, true, reason, out, NULL, source);
}

int gort_layout_wait_reason_count(gort_layout *lay, size_t *n, int *source)
{
	struct gort_str unused;

	if (!lay || !n)
		return gort__fail(GORT_EINVAL, "gort_layout_wait_reason_count: NULL argument");
	return lookup(lay, true, SIZE_MAX, &unused, n, source);
}

int gort_layout_status_name(gort_layout *lay, uint32_t status, struct gort_str *out,
			    int *source)
{
	if (!lay || !out)
		return gort__fail(GORT_EINVAL, "gort_layout_status_name: NULL argument");
	return lookup(lay, false, status & ~GORT_GSTATUS_SCAN, out, NULL, source);
}

int gort_layout_status_count(gort_layout *lay, size_t *n, int *source)
{
	struct gort_str unused;

	if (!lay || !n)
		return gort__fail(GORT_EINVAL, "gort_layout_status_count: NULL argument");
	return lookup(lay, false, SIZE_MAX, &unused, n, source);
}
