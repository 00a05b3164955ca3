/*
 * Runtime layouts through the public API: the binary's Go version, DWARF
 * (with its compressed sections) when present, the built-in tables, the
 * binary's own wait reason and status name tables, the TLS slot of g, the
 * binary's runtime type descriptors. Every catalogue entry is queried, with
 * and without DWARF; without DWARF, also without the nearest table (the
 * descriptors are then looked for at open) and without descriptors.
 */
#include "fuzz.h"

/* Descriptors alone (no nearest table), then the tables alone. */
static void query_sources(gort_binary *bin)
{
	struct gort_field_layout f;
	gort_layout *lay;
	uint64_t size;
	int source;

	for (int no_types = 0; no_types < 2; no_types++) {
		GORT_OPTS(gort_layout_opts, o, .no_dwarf = 1, .no_types = no_types);

		if (GORT_CHECK(gort_layout_open(&lay, bin, &o)))
			continue;
		GORT_CHECK(gort_layout_field(lay, "runtime.m", "curg", &f));
		GORT_CHECK(gort_layout_size(lay, "runtime.schedt", &size, &source));
		GORT_CHECK(gort_layout_size(lay, "runtime._type", &size, &source));
		GORT_CHECK(gort_layout_field(lay, "runtime.sudog", "elem", &f)); /* not catalogued */
		GORT_CHECK(gort_layout_size(lay, "sync.Mutex", &size, &source));
		gort_layout_close(lay);
	}
}

static void query(gort_binary *bin, int no_dwarf)
{
	GORT_OPTS(gort_layout_opts, o, .no_dwarf = no_dwarf, .allow_nearest = 1);
	const char *type, *field;
	struct gort_field_layout f;
	struct gort_tls_g tls;
	struct gort_str s;
	gort_layout *lay;
	unsigned major, minor;
	uint64_t size;
	size_t n;
	int source, kind;

	if (GORT_CHECK(gort_layout_open(&lay, bin, &o)))
		return;
	GORT_CHECK(gort_layout_go_release(lay, &major, &minor));
	GORT_CHECK(gort_layout_table_release(lay, &major, &minor));
	for (size_t i = 0; !GORT_CHECK(gort_layout_catalogue(i, &type, &field)); i++) {
		if (field)
			GORT_CHECK(gort_layout_field(lay, type, field, &f));
		else
			GORT_CHECK(gort_layout_size(lay, type, &size, &source));
	}
	GORT_CHECK(gort_layout_field(lay, "runtime.g", "no_such_field", &f));
	if (!GORT_CHECK(gort_layout_wait_reason_count(lay, &n, &source)))
		for (unsigned r = 0; r < n && r < 64; r++)
			if (!GORT_CHECK(gort_layout_wait_reason(lay, r, &s, &source)))
				gort_fuzz_touch(s);
	if (!GORT_CHECK(gort_layout_status_count(lay, &n, &source)))
		for (uint32_t st = 0; st < n && st < 32; st++)
			if (!GORT_CHECK(gort_layout_status_name(lay, st | GORT_GSTATUS_SCAN, &s, &source)))
				gort_fuzz_touch(s);
	if (!GORT_CHECK(gort_layout_tls_g(lay, &tls)))
		gort_fuzz_touch_cstr(tls.base);
	GORT_CHECK(gort_layout_labels_kind(lay, &kind));
	gort_layout_close(lay);
	if (no_dwarf)
		query_sources(bin);
}

void gort_fuzz_layout(const uint8_t *data, size_t size)
{
	gort_fuzz_binary_twice(data, size, query);
}
