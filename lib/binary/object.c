/* The parts of PE and Mach-O reading that do not depend on the format. */
#include "object.h"

#include <stdlib.h>
#include <string.h>

void gort__obj_free(struct gort_obj *o)
{
	if (!o)
		return;
	gort__free(o->sections);
	gort__free(o->segments);
	gort__free(o->symbols);
	gort__free(o->names);
	gort__free(o->owned);
	memset(o, 0, sizeof(*o));
}

const struct gort_obj_section *gort__obj_section(const struct gort_obj *o,
						 const char *seg,
						 const char *name)
{
	for (size_t i = 0; i < o->nsections; i++)
		if (strcmp(o->sections[i].name, name) == 0 &&
		    (!seg || strcmp(o->sections[i].segname, seg) == 0))
			return &o->sections[i];
	return NULL;
}

int gort__obj_section_data(const struct gort_obj *o,
			   const struct gort_obj_section *s,
			   struct gort_view *out)
{
	int rc;

	if (s->filesz == 0)
		return gort__fail(GORT_ENOTFOUND,
				  "section %s has no bytes in the file", s->name);
	if ((rc = gort__view_sub(&o->file, s->offset, s->filesz, out)))
		return gort__fail_at(rc, o->file.file_off + s->offset,
				     "section %s (0x%llx bytes at 0x%llx) runs past the end of the file",
				     s->name, (unsigned long long)s->filesz,
				     (unsigned long long)(o->file.file_off + s->offset));
	out->what = s->name;
	return 0;
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * cmd/internal/objfile (pe.go, macho.go: symbols): PE and Mach-O symbols
 * have no size; it is the distance to the next higher symbol address.
 */
int gort__obj_symbol_sizes(struct gort_obj *o)
{
	size_t n = o->nsymbols;
	uint64_t *addrs;

	if (n == 0)
		return 0;
	if (!(addrs = gort__malloc(n * sizeof(*addrs))))
		return gort__fail(GORT_ENOMEM, "%zu symbol addresses", n);
	for (size_t i = 0; i < n; i++)
		addrs[i] = o->symbols[i].value;
	qsort(addrs, n, sizeof(*addrs), u64cmp);
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = n;
		while (lo < hi) { /* first address > value */
			size_t mid = lo + (hi - lo) / 2;
			if (addrs[mid] > o->symbols[i].value)
				hi = mid;
			else
				lo = mid + 1;
		}
		o->symbols[i].size = lo < n ? addrs[lo] - o->symbols[i].value : 0;
	}
	gort__free(addrs);
	return 0;
}

/*
 * debug/buildinfo: DataReader. Mach-O reads through its segments (but
 * __PAGEZERO), PE through its sections' raw bytes (SizeOfRawData, which
 * may run past VirtualSize up to the file alignment, as Go reads it).
 */
int gort__obj_addr_span(const struct gort_obj *o, uint64_t addr,
			struct gort_view *out)
{
	for (size_t i = 0; i < o->nsegments; i++) {
		const struct gort_obj_segment *g = &o->segments[i];
		if (strcmp(g->name, "__PAGEZERO") != 0 && addr >= g->addr &&
		    addr - g->addr < g->filesz)
			return gort__view_sub(&o->file, g->offset + (addr - g->addr),
					      g->filesz - (addr - g->addr), out);
	}
	if (o->nsegments == 0)
		for (size_t i = 0; i < o->nsections; i++) {
			const struct gort_obj_section *s = &o->sections[i];
			if (addr >= s->addr && addr - s->addr < s->filesz)
				return gort__view_sub(&o->file, s->offset + (addr - s->addr),
						      s->filesz - (addr - s->addr), out);
		}
	return gort__fail_addr(GORT_EFAULT, addr,
			       "address 0x%llx is in no file-backed %s",
			       (unsigned long long)addr,
			       o->nsegments ? "segment" : "section");
}
