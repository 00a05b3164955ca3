/*
 * The public view of the first moduledata (include/gort/symbols.h) and the
 * data ranges it names, used to find runtime.buildVersion in binaries with
 * neither build info nor symbols (buildinfo/version.c).
 *
 * Word indexes, from runtime/symtab.go: moduledata of each release (checked
 * against the DWARF of the fixtures of every toolchain here). Go 1.2-1.15
 * tables: pclntable, ftab, filetab (slices), findfunctab, minpc, maxpc,
 * text, etext, noptrdata ... etypes. From 1.16: pcHeader and five more
 * slices first; 1.20 added covctrs/ecovctrs before end; 1.27 added
 * typedesclen between types and etypes.
 */
#include "pclntab.h"

#include <string.h>

struct layout {
	unsigned findfunctab, end, types, etypes, next; /* next 0: unknown */
};

/* Minor version of "go1.NN...", 0 if the version is unknown. */
static unsigned go_minor(struct gort_binary *bin)
{
	struct gort_str v;
	unsigned minor = 0;

	if (gort_binary_go_version(bin, &v, NULL) || v.len < 5 || memcmp(v.ptr, "go1.", 4))
		return 0;
	for (size_t i = 4; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9' && minor < 1000; i++)
		minor = minor * 10 + (unsigned)(v.ptr[i] - '0');
	return minor;
}

/* moduledata.next moved with every field added or packed before it. */
static unsigned next_word(unsigned minor)
{
	if (minor >= 27)
		return 70;
	if (minor == 26)
		return 73;
	if (minor >= 23)
		return 72; /* hasmain and bad share a word */
	if (minor >= 21)
		return 73; /* inittasks */
	if (minor == 20)
		return 70;
	if (minor >= 18)
		return 68;
	if (minor >= 16)
		return 66;
	if (minor >= 10)
		return 56;
	return 0;
}

static struct layout layout_of(const struct gort_pclntab *t, const uint64_t *w)
{
	struct layout l = {9, 22, 25, 26, 0};

	if (t->version == GORT_PCLNTAB_GO12)
		return l;
	l.findfunctab = 19;
	l.end = t->version >= GORT_PCLNTAB_GO120 ? 34 : 32;
	l.types = l.end + 3;
	l.etypes = l.types + 1;
	if (t->version >= GORT_PCLNTAB_GO120 && gort__moduledata_gofunc_word(t, w) == 43)
		l.etypes++; /* Go 1.27: typedesclen */
	return l;
}

/* Open the table and find moduledata; the caller frees *tab. */
static int find(struct gort_binary *bin, struct gort_pclntab **tab, uint64_t *addr,
		uint64_t *w)
{
	struct gort_pclntab *t = gort__calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return gort__fail(GORT_ENOMEM, "out of memory reading moduledata");
	pthread_mutex_init(&t->lock, NULL);
	*tab = t;
	if ((rc = gort__pclntab_init(t, bin)) || (rc = gort__moduledata_locate(t, w, addr)))
		return rc;
	if (!*addr)
		return gort__fail(GORT_ENOTFOUND,
				  "no moduledata pointing at the pclntab at 0x%llx",
				  (unsigned long long)t->addr);
	return 0;
}

static void drop(struct gort_pclntab *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	gort__free(t);
}

int gort__moduledata_data_ranges(struct gort_binary *bin, uint64_t r[2][2])
{
	struct gort_pclntab *t = NULL;
	uint64_t w[GORT_MD_NWORDS], addr;
	unsigned base;
	int rc = find(bin, &t, &addr, w);

	if (!rc) {
		base = layout_of(t, w).findfunctab + 5; /* noptrdata */
		r[0][0] = w[base], r[0][1] = w[base + 1];
		r[1][0] = w[base + 2], r[1][1] = w[base + 3];
	}
	drop(t);
	return rc;
}

int gort_binary_moduledata(gort_binary *bin, struct gort_moduledata *out)
{
	struct gort_pclntab *t = NULL;
	uint64_t w[GORT_MD_NWORDS], addr, next;
	struct layout l;
	unsigned f, nw;
	struct gort_view v;
	int rc;

	if (!bin || !out)
		return gort__fail(GORT_EINVAL, "gort_binary_moduledata: NULL argument");
	memset(out, 0, sizeof(*out));
	if ((rc = find(bin, &t, &addr, w))) {
		drop(t);
		return rc;
	}
	l = layout_of(t, w);
	f = l.findfunctab;
	out->addr = addr;
	out->pclntab = t->addr;
	out->pclntab_size = t->data.size;
	out->ftab = w[t->version == GORT_PCLNTAB_GO12 ? 3 : f - 3];
	out->findfunctab = w[f];
	out->minpc = w[f + 1], out->maxpc = w[f + 2];
	out->text = w[f + 3], out->etext = w[f + 4];
	out->noptrdata = w[f + 5], out->enoptrdata = w[f + 6];
	out->data = w[f + 7], out->edata = w[f + 8];
	out->bss = w[f + 9], out->ebss = w[f + 10];
	out->noptrbss = w[f + 11], out->enoptrbss = w[f + 12];
	out->end = w[l.end], out->gcdata = w[l.end + 1], out->gcbss = w[l.end + 2];
	out->types = w[l.types], out->etypes = w[l.etypes];
	/* Where next is depends on the release, not only on the table format. */
	nw = next_word(go_minor(bin));
	rc = 0;
	if (nw && !(rc = gort__binary_read_addr(bin, addr + (uint64_t)nw * t->ptr_size,
						t->ptr_size, &v)) &&
	    !(rc = gort__view_uptr(&v, 0, &next))) {
		out->next = next;
		out->has_next = 1;
	}
	drop(t);
	return rc;
}
