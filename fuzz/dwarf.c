/*
 * DWARF: the ELF section reader with its decompression (SHF_COMPRESSED
 * zlib and zstd, .zdebug_*), the object-access glue to libdwarf and the
 * type index, queried with the runtime structure names the layouts need.
 * The binary is opened through the public API; the queries use the
 * internal DWARF interface until a public layout API reaches them.
 */
#include "fuzz.h"
#include "binary/binary.h"
#include "dwarf/dwarf.h"

static const char *const queries[][2] = {
	{"runtime.g", "goid"},     {"runtime.g", "sched"},
	{"runtime.gobuf", "pc"},   {"runtime.m", "curg"},
	{"runtime.stack", "hi"},   {"gort_sample", "tail"},
	{"gort_sample", "inner"},  {"no.such", "type"},
};

void gort_fuzz_dwarf(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	struct gort_dwarf *dw;
	gort_binary *bin;
	uint64_t a, b;

	if (GORT_CHECK(gort_binary_open_memory(&bin, data, size, &o)))
		return;
	if (gort_binary_format(bin) == GORT_FORMAT_ELF &&
	    !GORT_CHECK(gort__dwarf_open(&dw, &bin->elf))) {
		for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
			GORT_CHECK(gort__dwarf_struct_size(dw, queries[i][0], &a));
			GORT_CHECK(gort__dwarf_member(dw, queries[i][0], queries[i][1], &a, &b));
		}
		gort__dwarf_close(dw);
	}
	gort_binary_close(bin);
}
