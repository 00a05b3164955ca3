/*
 * Finding the pclntab in files whose section headers were removed (some
 * release pipelines do): scan the loaded segments for a header that
 * parses and whose function table looks sorted. The same idea as Mandiant
 * GoReSym and Go's own debug/gosym tests of stripped files; cheap checks
 * first, since every 4-byte-aligned offset of the segments is a candidate.
 */
#include "pclntab.h"

#include <gelf.h>
#include <string.h>

static bool magic_at(const uint8_t *p, uint8_t ptr_size)
{
	static const uint32_t magics[] = {GORT_PCLN_MAGIC_12, GORT_PCLN_MAGIC_116,
					  GORT_PCLN_MAGIC_118, GORT_PCLN_MAGIC_120};
	uint32_t le = gort__ld32(p, false), be = gort__ld32(p, true);

	if (p[4] || p[5] || p[7] != ptr_size || (p[6] != 1 && p[6] != 2 && p[6] != 4))
		return false;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(magics); i++)
		if (le == magics[i] || be == magics[i])
			return true;
	return false;
}

/* A parsed candidate is kept if its first functions are sorted and named. */
static bool plausible(struct gort_pclntab *t)
{
	uint64_t prev = 0, pc;
	uint32_t n = t->nfunc < 16 ? t->nfunc : 16;
	struct gort__func f;
	struct gort_str name;

	if (t->nfunc == 0)
		return false;
	for (uint32_t i = 0; i <= n; i++) {
		if (gort__functab_pc(t, i, &pc) || pc < prev)
			return false;
		prev = pc;
	}
	return !gort__func_read(t, 0, &f) && !gort__func_name(t, f.nameoff, &name) &&
	       name.len > 0;
}

int gort__pclntab_scan(struct gort_pclntab *t, struct gort_binary *bin)
{
	const struct gort_elf *e = &bin->elf;

	for (size_t i = 0; i < e->nsegments; i++) {
		const struct gort_elf_segment *g = &e->segments[i];
		struct gort_view seg, sub;

		if (g->type != PT_LOAD || !g->filesz ||
		    gort__view_sub(&e->file, g->offset, g->filesz, &seg))
			continue;
		for (uint64_t off = 0; off + 64 <= seg.size; off += 4) {
			const uint8_t *p = gort__view_ptr(&seg, off, 8);

			if (!p || (p[0] != 0xff && p[3] != 0xff) || !magic_at(p, e->file.ptr_size))
				continue;
			gort__view_sub(&seg, off, seg.size - off, &sub);
			if (!gort__pclntab_parse(t, &sub, g->vaddr + off, 0) && plausible(t))
				return 0;
		}
	}
	return gort__fail(GORT_ENOTGO, "pclntab: no .gopclntab section and no table in the loaded segments");
}
