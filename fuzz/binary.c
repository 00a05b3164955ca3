/*
 * Executables: the ELF reader (gort_binary_open_memory, including zstd
 * input), the build info blob and modinfo text (gort_binary_buildinfo and
 * every accessor) and the runtime.buildVersion fallback.
 */
#include "fuzz.h"

static void module(const struct gort_module *m)
{
	/* A replacement is never replaced again, but do not trust that. */
	for (int depth = 0; m && depth < 4; depth++, m = m->replace) {
		gort_fuzz_touch(m->path);
		gort_fuzz_touch(m->version);
		gort_fuzz_touch(m->sum);
	}
}

static void buildinfo(const gort_buildinfo *bi)
{
	size_t n;

	gort_fuzz_touch(gort_buildinfo_go_version(bi));
	gort_fuzz_touch(gort_buildinfo_path(bi));
	module(gort_buildinfo_main(bi));
	n = gort_buildinfo_dep_count(bi);
	for (size_t i = 0; i <= n; i++) /* one past the end: must be NULL */
		module(gort_buildinfo_dep_at(bi, i));
	n = gort_buildinfo_setting_count(bi);
	for (size_t i = 0; i <= n; i++) {
		const struct gort_build_setting *s = gort_buildinfo_setting_at(bi, i);
		if (s) {
			gort_fuzz_touch(s->key);
			gort_fuzz_touch(s->value);
		}
	}
	gort_fuzz_touch_cstr(gort_buildinfo_string(bi));
}

void gort_fuzz_binary(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	const gort_buildinfo *bi;
	gort_binary *bin;
	struct gort_str v;
	int source;

	if (GORT_CHECK(gort_binary_open_memory(&bin, data, size, &o)))
		return;
	gort_fuzz_touch_cstr(gort_arch_name(gort_binary_arch(bin)));
	(void)gort_binary_format(bin);
	(void)gort_binary_ptr_size(bin);
	(void)gort_binary_big_endian(bin);
	/* Twice: the second call returns what the first one decoded (or its error). */
	for (int pass = 0; pass < 2; pass++)
		if (!GORT_CHECK(gort_binary_buildinfo(bin, &bi)))
			buildinfo(bi);
	if (!GORT_CHECK(gort_binary_go_version(bin, &v, &source)))
		gort_fuzz_touch(v);
	gort_binary_close(bin);
}
