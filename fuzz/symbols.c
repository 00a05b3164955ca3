/*
 * Symbol tables of the three formats (ELF .symtab/.dynsym, PE COFF
 * symbols, Mach-O LC_SYMTAB) and the runtime's moduledata: the sorted
 * table, lookups by name and by address, and the moduledata search
 * (by runtime.firstmoduledata, else by scanning the data).
 */
#include "fuzz.h"

#include <string.h>

/* Bound on the work per input, so that a fuzzer stays fast. */
#define PROBES 64

static void symbol(const struct gort_symbol *s)
{
	gort_fuzz_touch(s->name);
}

void gort_fuzz_symbols(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	static const char *const names[] = {"runtime.firstmoduledata", "runtime.buildVersion",
					    "main.main", "runtime.allgs", ""};
	struct gort_moduledata md;
	struct gort_symbol s, found;
	char name[256];
	gort_binary *bin;
	size_t n, step;

	if (GORT_CHECK(gort_binary_open_memory(&bin, data, size, &o)))
		return;
	if (!GORT_CHECK(gort_binary_symbol_count(bin, &n))) {
		step = n / PROBES + 1;
		for (size_t i = 0; i < n; i += step) {
			if (GORT_CHECK(gort_binary_symbol_at(bin, i, &s)))
				continue;
			symbol(&s);
			/* By address and back by name (names may hold NULs: cut there). */
			if (!GORT_CHECK(gort_binary_symbol_find(bin, s.value, &found)))
				symbol(&found);
			if (s.size && !GORT_CHECK(gort_binary_symbol_find(bin, s.value + s.size - 1, &found)))
				symbol(&found);
			if (s.name.len < sizeof(name)) {
				memcpy(name, s.name.ptr, s.name.len);
				name[s.name.len] = '\0';
				if (!GORT_CHECK(gort_binary_symbol_lookup(bin, name, &found)))
					symbol(&found);
			}
		}
		GORT_CHECK(gort_binary_symbol_at(bin, n, &s)); /* out of range */
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!GORT_CHECK(gort_binary_symbol_lookup(bin, names[i], &s)))
			symbol(&s);
	GORT_CHECK(gort_binary_symbol_find(bin, 0, &s));
	GORT_CHECK(gort_binary_symbol_find(bin, UINT64_MAX, &s));
	/* Twice: the second answer comes from what the first one found. */
	for (int pass = 0; pass < 2; pass++)
		GORT_CHECK(gort_binary_moduledata(bin, &md));
	gort_binary_close(bin);
}
