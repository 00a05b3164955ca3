/*
 * The runtime's own name tables: runtime.waitReasonStrings
 * (runtime/runtime2.go, indexed by g.waitreason) and runtime.gStatusStrings
 * (runtime/traceback.go, indexed by g.atomicstatus without _Gscan). They
 * change with every release, so they are read from the binary itself when
 * its symbol table names them; stripped binaries get the generated table
 * of their release.
 *
 * Both are [...]string arrays: pairs of (data pointer, length) words.
 * Everything read is bounded: at most MAX_ITEMS entries of at most MAX_LEN
 * bytes (real tables: under 64 entries of under 64 bytes).
 */
#include "layout.h"

#include <string.h>

#define MAX_ITEMS 1024
#define MAX_LEN 4096

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

/* Load (once) the binary's copy of a table; ENOTFOUND if it has none. */
static int load(struct gort_layout *lay, struct gort__strtab *t, const char *name)
{
	int rc;

	pthread_mutex_lock(&lay->lock);
	if (!t->done) {
		t->rc = read_strtab(lay->bin, name, t);
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
	const char *name = waits ? "runtime.waitReasonStrings" : "runtime.gStatusStrings";
	const char *const *items;
	size_t n;
	int rc = load(lay, t, name), src;

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
