/*
 * Function tables: the pclntab header, moduledata, functab and findfunctab,
 * _func records, pc-value tables (pcsp, pcfile, pcline, pcdata) and inline
 * trees, reached through every gort_pclntab query.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

/* Bounds on the work per input, so that a fuzzer stays fast. */
#define ITER_MAX 4096 /* functions iterated */
#define PROBES 48     /* functions probed with lookups */
#define FRAMES 8
#define BATCH 64 /* PCs in one gort_pclntab_pc_to_lines call */

static void frames(const struct gort_frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		gort_fuzz_touch(f[i].function);
		gort_fuzz_touch(f[i].file);
	}
}

static void probe(gort_pclntab *tab, uint64_t pc)
{
	struct gort_frame f[FRAMES], big[64];
	struct gort_func fn;
	size_t n = 0;
	int32_t v;

	if (!GORT_CHECK(gort_pclntab_find_func(tab, pc, &fn)))
		gort_fuzz_touch(fn.name);
	if (!GORT_CHECK(gort_pclntab_lookup(tab, pc, f, FRAMES, &n))) {
		frames(f, n < FRAMES ? n : FRAMES);
		/* More frames than the first buffer held: ask again. */
		if (n > FRAMES && !GORT_CHECK(gort_pclntab_lookup(tab, pc, big, 64, &n)))
			frames(big, n < 64 ? n : 64);
	}
	GORT_CHECK(gort_pclntab_frame_size(tab, pc, &v));
	for (uint32_t t = 0; t < 4; t++)
		GORT_CHECK(gort_pclntab_pcdata(tab, pc, t, &v));
}

/*
 * PCs in increasing order and close together (a sweep in batch.c) over the
 * first functions: each answer must be exactly pc_to_line's, error or not.
 */
static void sorted_batch(gort_pclntab *tab, size_t nfunc)
{
	struct gort_func first, last;
	struct gort_frame out[BATCH], want;
	uint64_t pcs[BATCH], stride;
	int errs[BATCH];

	if (!nfunc || GORT_CHECK(gort_pclntab_func_at(tab, 0, &first)) ||
	    GORT_CHECK(gort_pclntab_func_at(tab, nfunc < 4 ? nfunc - 1 : 3, &last)))
		return;
	stride = last.end > first.entry ? (last.end - first.entry) / BATCH : 0;
	stride = stride < 1 ? 1 : stride > 4096 ? 4096 : stride;
	for (size_t i = 0; i < BATCH; i++)
		pcs[i] = first.entry - 2 + i * stride;
	GORT_CHECK(gort_pclntab_pc_to_lines(tab, pcs, BATCH, out, errs));
	for (size_t i = 0; i < BATCH; i++) {
		int rc = GORT_CHECK(gort_pclntab_pc_to_line(tab, pcs[i], &want));

		if (rc != errs[i] ||
		    (!rc && (out[i].function.ptr != want.function.ptr ||
			     out[i].function.len != want.function.len ||
			     out[i].file.ptr != want.file.ptr || out[i].file.len != want.file.len ||
			     out[i].line != want.line || out[i].entry != want.entry ||
			     out[i].func_id != want.func_id))) {
			fprintf(stderr, "fuzz: pc_to_lines and pc_to_line differ at 0x%llx\n",
				(unsigned long long)pcs[i]);
			abort();
		}
	}
}

static void iterate(gort_pclntab *tab)
{
	const struct gort_func *fn;
	gort_func_iter *it;
	int rc = 0;

	if (GORT_CHECK(gort_func_iter_new(&it, tab)))
		return;
	for (int i = 0; i < ITER_MAX && !(rc = GORT_CHECK(gort_func_iter_next(it, &fn))); i++)
		gort_fuzz_touch(fn->name);
	gort_func_iter_free(it);
}

void gort_fuzz_pclntab(const uint8_t *data, size_t size)
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	gort_binary *bin;
	gort_pclntab *tab;
	struct gort_func fn;
	size_t n, step, nbatch = 0;
	uint64_t batch[BATCH];
	struct gort_frame out[BATCH];
	int errs[BATCH];

	if (GORT_CHECK(gort_binary_open_memory(&bin, data, size, &o)))
		return;
	if (GORT_CHECK(gort_pclntab_open(&tab, bin))) {
		gort_binary_close(bin);
		return;
	}
	(void)gort_pclntab_version(tab);
	n = gort_pclntab_func_count(tab);
	iterate(tab);
	GORT_CHECK(gort_pclntab_func_at(tab, n, &fn)); /* out of range */
	step = n / PROBES + 1;
	for (size_t i = 0; i < n; i += step) {
		if (GORT_CHECK(gort_pclntab_func_at(tab, i, &fn)))
			continue;
		gort_fuzz_touch(fn.name);
		probe(tab, fn.entry);
		probe(tab, fn.entry + (fn.end - fn.entry) / 2);
		probe(tab, fn.end - 1);
		if (nbatch + 3 <= BATCH) {
			batch[nbatch++] = fn.entry + (fn.end - fn.entry) / 3;
			batch[nbatch++] = fn.end;
			batch[nbatch++] = fn.entry - 1;
		}
	}
	probe(tab, 0);
	probe(tab, UINT64_MAX);
	/* The same kind of PCs, interleaved in one batch (batch.c). */
	batch[nbatch++] = UINT64_MAX;
	GORT_CHECK(gort_pclntab_pc_to_lines(tab, batch, nbatch, out, errs));
	for (size_t i = 0; i < nbatch; i++)
		if (!errs[i])
			frames(&out[i], 1);
	sorted_batch(tab, n);
	gort_pclntab_close(tab);
	gort_binary_close(bin);
}
