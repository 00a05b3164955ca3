/*
 * Runtime type descriptors (runtime._type / internal/abi.Type): the
 * moduledata search, typelinks, and walks from each listed descriptor
 * through element, key and field types. Descriptors may point at each
 * other in cycles (type T *T); the walk here is bounded by a budget, and
 * each read must end in a result or an error.
 */
#include "fuzz.h"

/* Bounds on the work per input, so that a fuzzer stays fast. */
#define ROOTS 64     /* typelinks entries walked from */
#define BUDGET 2048  /* descriptors read per input */
#define FIELDS 32    /* fields read per struct */

static void walk(gort_types *ty, uint64_t addr, int depth, int *budget)
{
	struct gort_type_field f;
	struct gort_type t;

	if (!addr || depth > 16 || --*budget < 0 || GORT_CHECK(gort_type_read(ty, addr, &t)))
		return;
	gort_fuzz_touch(t.name);
	walk(ty, t.elem, depth + 1, budget);
	walk(ty, t.key, depth + 1, budget);
	for (uint64_t i = 0; i < t.nfields && i < FIELDS; i++) {
		if (GORT_CHECK(gort_type_field(ty, &t, i, &f)))
			continue;
		gort_fuzz_touch(f.name);
		walk(ty, f.type, depth + 1, budget);
	}
	GORT_CHECK(gort_type_field(ty, &t, t.nfields, &f)); /* out of range */
}

static void query(gort_binary *bin, int no_dwarf)
{
	GORT_OPTS(gort_layout_opts, o, .no_dwarf = no_dwarf, .allow_nearest = 1);
	struct gort_moduledata md;
	struct gort_type t;
	gort_layout *lay;
	gort_types *ty;
	uint64_t n, addr, step;
	int budget = BUDGET;

	if (GORT_CHECK(gort_layout_open(&lay, bin, &o)))
		return;
	if (GORT_CHECK(gort_types_open(&ty, lay))) {
		gort_layout_close(lay);
		return;
	}
	if (!GORT_CHECK(gort_types_count(ty, &n))) {
		step = n / ROOTS + 1;
		for (uint64_t i = 0; i < n; i += step)
			if (!GORT_CHECK(gort_types_at(ty, i, &addr)))
				walk(ty, addr, 0, &budget);
		GORT_CHECK(gort_types_at(ty, n, &addr)); /* out of range */
	}
	/* Go 1.27 has no typelinks: walk from the start of the type data. */
	if (!GORT_CHECK(gort_binary_moduledata(bin, &md))) {
		walk(ty, md.types, 0, &budget);
		GORT_CHECK(gort_type_read(ty, md.etypes, &t));
	}
	GORT_CHECK(gort_type_read(ty, 0, &t));
	gort_types_close(ty);
	gort_layout_close(lay);
}

void gort_fuzz_types(const uint8_t *data, size_t size)
{
	gort_fuzz_binary_twice(data, size, query);
}
