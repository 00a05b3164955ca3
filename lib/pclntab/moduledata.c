/*
 * The runtime's moduledata (runtime/symtab.go: moduledata), read on first
 * need for two things the pclntab header does not hold: findfunctab (the
 * O(1) PC index) and, from Go 1.18, gofunc (the base of funcdata offsets,
 * needed for inline trees).
 *
 * Where it is: its own .go.module section from Go 1.26; before that a
 * variable in .noptrdata (Mach-O __noptrdata, PE .data), found by scanning
 * for its first word, which points at the pclntab header (the same trick
 * works without symbols or section names).
 * Not finding it is not an error: lookups fall back to binary search, and
 * inline trees to the go:func.* symbol. Running out of memory on the way
 * is (GORT_ENOMEM, and the next call tries again): a fallback taken then
 * would answer differently than the file says.
 */
#include "pclntab.h"

#include <string.h>

#define NWORDS GORT_MD_NWORDS

/* Words of a candidate moduledata at addr; false if not readable. */
static bool read_words(struct gort_pclntab *t, uint64_t addr, uint64_t *w)
{
	struct gort_view v;

	if (gort__binary_read_addr(t->bin, addr, NWORDS * (uint64_t)t->ptr_size, &v))
		return false;
	v.ptr_size = t->ptr_size;
	v.big_endian = t->data.big_endian;
	for (unsigned i = 0; i < NWORDS; i++)
		if (gort__view_uptr(&v, (uint64_t)i * t->ptr_size, &w[i]))
			return false;
	return true;
}

/*
 * Whether w looks like the moduledata of this table: it points at the
 * header, and its next slice points where the header says (funcnametab
 * from 1.16; ftab in the 1.2 layout, whose first field is pclntable).
 */
static bool plausible(const struct gort_pclntab *t, const uint64_t *w)
{
	uint64_t base = t->data.file_off;

	if (w[0] != t->addr)
		return false;
	if (t->version == GORT_PCLNTAB_GO12)
		return w[3] == t->addr + (t->functab.file_off - base);
	return w[1] == t->addr + (t->funcnametab.file_off - base);
}

/* Scan bytes loaded at `base` for a plausible moduledata; 0 if none. */
static uint64_t scan_view(struct gort_pclntab *t, struct gort_view v, uint64_t base,
			  uint64_t *w)
{
	uint64_t word;

	v.ptr_size = t->ptr_size;
	v.big_endian = t->data.big_endian;
	for (uint64_t off = 0; off + t->ptr_size <= v.size; off += t->ptr_size) {
		if (gort__view_uptr(&v, off, &word) || word != t->addr)
			continue;
		if (read_words(t, base + off, w) && plausible(t, w))
			return base + off;
	}
	return 0;
}

static uint64_t scan(struct gort_pclntab *t, const char *name, uint64_t *w)
{
	struct gort_view v;
	uint64_t addr;

	if (gort__binary_section(t->bin, name, &v, &addr))
		return 0;
	return scan_view(t, v, addr, w);
}

/* Without named sections: the writable regions (moduledata is data). */
static uint64_t scan_regions(struct gort_pclntab *t, uint64_t *w)
{
	struct gort_region r;
	uint64_t addr;
	int rc;

	for (size_t i = 0; (rc = gort__binary_region_at(t->bin, i, &r)) != GORT_EEND; i++)
		if (!rc && r.writable && (addr = scan_view(t, r.data, r.addr, w)))
			return addr;
	return 0;
}

/*
 * ELF sections, then the Mach-O names cmd/link gives the same sections
 * (macho.go: "__" + the name with dots made underscores); PE merges them
 * all into .data.
 */
int gort__moduledata_locate(struct gort_pclntab *t, uint64_t *w, uint64_t *out)
{
	static const char *const where[] = {".go.module", ".noptrdata", ".data",
					    ".data.rel.ro", "__go_module",
					    "__noptrdata", "__data"};
	uint64_t addr;
	int rc;

	*out = 0;
	if (t->bin->format == GORT_FORMAT_ELF && t->bin->elf.nsections == 0) {
		*out = scan_regions(t, w);
		return 0;
	}
	for (size_t i = 0; i < GORT_ARRAY_SIZE(where); i++)
		if ((*out = scan(t, where[i], w)))
			return 0;
	rc = gort__binary_go_symbol(t->bin, "runtime.firstmoduledata", &addr);
	if (rc == GORT_ENOMEM)
		return rc;
	if (!rc && read_words(t, addr, w) && plausible(t, w))
		*out = addr;
	else if (t->bin->format != GORT_FORMAT_ELF)
		*out = scan_regions(t, w);
	return 0;
}

/*
 * Index of gofunc in moduledata. The layout changed without the magic
 * changing (1.26 appended epclntab, 1.27 added typedesclen, itaboffset and
 * itabsize before rodata), so tell layouts apart by where epclntab sits.
 */
int gort__moduledata_gofunc_word(const struct gort_pclntab *t, const uint64_t *w)
{
	uint64_t end = t->addr + t->data.size;

	if (t->version == GORT_PCLNTAB_GO118)
		return 38; /* no covctrs yet */
	if (w[44] >= t->addr && w[44] <= end + 64)
		return 43; /* Go 1.27 */
	return 40;     /* Go 1.20-1.26 */
}

static int from_symbols(struct gort_pclntab *t)
{
	uint64_t addr;
	int rc;

	if (t->version < GORT_PCLNTAB_GO118)
		return 0;
	/* cmd/link names it go:func.* from Go 1.20, go.func.* before. */
	if ((rc = gort__binary_go_symbol(t->bin, "go:func.*", &addr)) == GORT_ENOTFOUND)
		rc = gort__binary_go_symbol(t->bin, "go.func.*", &addr);
	if (rc == GORT_ENOMEM)
		return rc;
	if (!rc) {
		t->gofunc = addr;
		t->has_gofunc = true;
	}
	return 0;
}

/*
 * The Go 1.2 table format lived from 1.2 to 1.15 while the runtime renumbered
 * its pcdata/funcdata tables: runtime/symtab.go (_PCDATA_InlTreeIndex,
 * _FUNCDATA_InlTree) of 1.9-1.12 says 1 and 2, of 1.13-1.15 says 2 and 4;
 * from 1.16, 2 and 3. Inline trees before 1.12 had no parentPc: not read.
 * Without a version, the 1.13-1.15 numbering; but not when finding the
 * version ran out of memory (GORT_ENOMEM): that guess would be wrong for
 * a binary that does name its version.
 */
static int inline_indexes(struct gort_pclntab *t)
{
	struct gort_str v;
	unsigned minor = 15;
	int rc;

	t->inl_pcdata = GORT_PCDATA_INLTREEINDEX;
	t->inl_funcdata = GORT_FUNCDATA_INLTREE;
	if (t->version != GORT_PCLNTAB_GO12)
		return 0;
	if ((rc = gort_binary_go_version(t->bin, &v, NULL)) == GORT_ENOMEM)
		return rc;
	if (!rc && v.len > 4 && !memcmp(v.ptr, "go1.", 4)) {
		minor = 0;
		for (size_t i = 4; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
			minor = minor * 10 + (unsigned)(v.ptr[i] - '0');
	}
	if (minor < 12) {
		t->inl_pcdata = t->inl_funcdata = UINT32_MAX;
	} else if (minor == 12) {
		t->inl_pcdata = 1;
		t->inl_funcdata = 2;
	} else {
		t->inl_funcdata = 4;
	}
	return 0;
}

static int load(struct gort_pclntab *t)
{
	uint64_t w[NWORDS], nb;
	unsigned base = t->version == GORT_PCLNTAB_GO12 ? 9 : 19;
	struct gort_view v;
	int rc;

	if ((rc = inline_indexes(t)) || (rc = gort__moduledata_locate(t, w, &t->md_addr)))
		return rc;
	if (!t->md_addr)
		return from_symbols(t);
	t->minpc = w[base + 1];
	t->maxpc = w[base + 2];
	t->md_text = w[base + 3];
	nb = t->maxpc > t->minpc ? (t->maxpc - t->minpc + 4095) / 4096 : 0;
	if (nb && nb < (1u << 26) &&
	    !gort__binary_read_addr(t->bin, w[base], nb * 20, &v)) {
		v.big_endian = t->data.big_endian;
		v.what = "pclntab: findfunctab";
		t->findfunctab = v;
		t->has_findfunctab = true;
	}
	if (t->version >= GORT_PCLNTAB_GO118) {
		t->gofunc = w[gort__moduledata_gofunc_word(t, w)];
		t->has_gofunc = t->gofunc != 0;
		if (!t->has_gofunc)
			return from_symbols(t);
	}
	return 0;
}

int gort__moduledata_load(struct gort_pclntab *t)
{
	int rc = 0;

	if (atomic_load_explicit(&t->md_done, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&t->lock);
	if (!atomic_load_explicit(&t->md_done, memory_order_relaxed)) {
		/* GORT_ENOMEM is the only error: not kept, the next call retries. */
		if (!(rc = load(t)))
			atomic_store_explicit(&t->md_done, true, memory_order_release);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}
