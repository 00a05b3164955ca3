/*
 * A structural check of .debug_info (check.c): which offsets are entries
 * of units whose every entry parses, so that libdwarf is only asked about
 * bytes we have walked with bounds checks first.
 */
#ifndef GORT_DWARF_CHECK_H
#define GORT_DWARF_CHECK_H

#include "../io/view.h"

struct gort_dwarf_entries {
	uint64_t size; /* of .debug_info */
	uint8_t *bits; /* bit n: an entry of a unit that passed starts at n */
	struct gort_saved_error err; /* the first unit that failed, if any */
};

/*
 * Walk every unit of info (a .debug_info section) with its abbreviation
 * tables in abbrev. A unit that fails is left out and its error kept in
 * out->err; the result is 0 or GORT_ENOMEM (nothing to free then).
 */
int gort__dwarf_check(const struct gort_view *info, const struct gort_view *abbrev,
		      struct gort_dwarf_entries *out);
void gort__dwarf_entries_free(struct gort_dwarf_entries *e);

static inline bool gort__dwarf_is_entry(const struct gort_dwarf_entries *e,
					uint64_t off)
{
	return off < e->size && (e->bits[off / 8] >> (off % 8) & 1);
}

#endif
