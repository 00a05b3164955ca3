/*
 * Finding the pclntab in files whose section headers were removed (some
 * release pipelines do): scan the loaded segments for a header that
 * parses and whose function table looks sorted. The same idea as Mandiant
 * GoReSym and Go's own debug/gosym tests of stripped files; cheap checks
 * first, since every 4-byte-aligned offset of the segments is a candidate.
 */
#include "pclntab.h"

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
	uint8_t ptr_size = (uint8_t)gort_binary_ptr_size(bin);
	struct gort_region r;
	int rc;

	for (size_t i = 0; (rc = gort__binary_region_at(bin, i, &r)) != GORT_EEND; i++) {
		struct gort_view sub;

		if (rc)
			continue;
		for (uint64_t off = 0; off + 64 <= r.data.size; off += 4) {
			const uint8_t *p = r.data.data + off;

			if ((p[0] != 0xff && p[3] != 0xff) || !magic_at(p, ptr_size))
				continue;
			gort__view_sub(&r.data, off, r.data.size - off, &sub);
			if (!gort__pclntab_parse(t, &sub, r.addr + off, 0) && plausible(t))
				return 0;
		}
	}
	return gort__fail(GORT_ENOTGO, "pclntab: no table section or symbols, and no table in the loaded data");
}
