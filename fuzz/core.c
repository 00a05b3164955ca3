/*
 * Core dumps: the ELF core's program headers and notes (NT_PRSTATUS,
 * NT_FILE, NT_AUXV), PT_LOAD memory, the check of the executable against
 * the core, runtime.allgs, every goroutine (status, wait reason, labels,
 * creator) and the unwinding of its stack.
 *
 * A core is read with the executable that produced it, a file: the input's
 * first byte picks one of the fixture executables below (GORT_FIXTURES_DIR,
 * tests/fixtures) and its top bit sets allow_mismatch; the other bytes are
 * the core. Seeds are the fixtures' cores with their zero pages removed
 * (fuzz/shrink-core.py), each behind the byte naming its executable
 * (fuzz/corpus.sh cores). Without the fixtures the target does nothing.
 */
#include "fuzz.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Bounds on the work per input, so that a fuzzer stays fast. */
#define GOROUTINES_MAX 256
#define FRAMES_MAX 256

/* The executables, by the input's first byte (fuzz/corpus.sh keeps the order). */
static const char *const exes[] = {
	"go1.27/amd64/default/prog",
	"go1.21/amd64/default/prog",
	"go1.15/amd64/default/prog",
	"go1.22/arm64/default/prog",
	"go1.27/amd64/stripped/prog", /* no symbols: runtime.allgs from code */
};
#define NEXES (sizeof(exes) / sizeof(exes[0]))

/* GORT_FIXTURES_DIR, else where tests/fixtures/build.sh puts them. */
static int exe_path(unsigned i, char *buf, size_t len)
{
	const char *dir = getenv("GORT_FIXTURES_DIR"), *cache = getenv("GORT_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (dir && dir[0])
		n = snprintf(buf, len, "%s/%s", dir, exes[i]);
	else if (cache && cache[0])
		n = snprintf(buf, len, "%s/fixtures/%s", cache, exes[i]);
	else if (xdg && xdg[0])
		n = snprintf(buf, len, "%s/goinspect/fixtures/%s", xdg, exes[i]);
	else
		n = snprintf(buf, len, "%s/.cache/goinspect/fixtures/%s", home ? home : "", exes[i]);
	return n > 0 && (size_t)n < len && access(buf, R_OK) == 0;
}

static void goroutine(gort_core *core, const struct gort_goroutine *g)
{
	const struct gort_stack_frame *f;
	gort_stack_iter *it;

	gort_fuzz_touch_cstr(g->state);
	gort_fuzz_touch_cstr(g->wait_reason);
	gort_fuzz_touch(g->start_func);
	gort_fuzz_touch(g->creator_func);
	gort_fuzz_touch(g->creator_file);
	for (size_t i = 0; i < g->nlabels; i++) {
		gort_fuzz_touch(g->labels[i].key);
		gort_fuzz_touch(g->labels[i].value);
	}
	if (GORT_CHECK(gort_stack_iter_new(&it, core, g)))
		return;
	for (int i = 0; i < FRAMES_MAX && !GORT_CHECK(gort_stack_iter_next(it, &f)); i++) {
		gort_fuzz_touch(f->function);
		gort_fuzz_touch(f->file);
	}
	gort_stack_iter_free(it);
}

void gort_fuzz_core(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_core_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	const struct gort_goroutine *g;
	gort_goroutine_iter *it;
	struct gort_core_clock clk;
	struct gort_thread th;
	unsigned char word[64];
	char exe[PATH_MAX];
	gort_core *core;
	size_t n;
	int rc = 0;

	if (size < 1 || !exe_path((data[0] & 0x7f) % NEXES, exe, sizeof(exe)))
		return;
	o.allow_mismatch = data[0] >> 7;
	if (GORT_CHECK(gort_core_open_memory(&core, data + 1, size - 1, exe, &o)))
		return;
	(void)gort_core_binary(core);
	gort_fuzz_touch_cstr(gort_arch_name(gort_core_arch(core)));
	(void)gort_core_load_bias(core);
	n = gort_core_thread_count(core);
	for (size_t i = 0; i <= n; i++) /* one past the end: GORT_EINVAL */
		if (!GORT_CHECK(gort_core_thread_at(core, i, &th)))
			GORT_CHECK(gort_core_read(core, th.sp, word, sizeof(word)));
	GORT_CHECK(gort_core_read(core, UINT64_MAX - 8, word, sizeof(word)));
	/* The clock estimate ignores implausible timestamps (lib/core/clock.c). */
	if (!GORT_CHECK(gort_core_clock(core, &clk))) {
		gort_fuzz_touch_cstr(clk.source);
		if (clk.nanotime <= 0 || clk.nanotime >= (INT64_C(1) << 62))
			abort();
	}
	if (!GORT_CHECK(gort_goroutine_iter_new(&it, core))) {
		/* An unreadable goroutine is an error the iteration continues after. */
		for (int i = 0; i < GOROUTINES_MAX && (rc = GORT_CHECK(gort_goroutine_iter_next(it, &g))) != GORT_EEND; i++)
			if (!rc)
				goroutine(core, g);
		gort_goroutine_iter_free(it);
	}
	gort_core_close(core);
}
