/*
 * gort_pclntab_pc_to_lines: many pc_to_line lookups at once. One lookup at
 * a random PC is a chain of dependent loads that miss the cache (bucket ->
 * functab -> _func -> streams and names -> file name, BENCHMARKS.md); one
 * at a time, the CPU waits for each. Here a group of lookups advances one
 * step of the chain at a time: every member of the group asks for its next
 * line of memory before any member reads it, so the misses of a group
 * overlap instead of adding up (group prefetching: Chen et al., "Improving
 * hash join performance through prefetching", ICDE 2004).
 *
 * Each answer is exactly gort_pclntab_pc_to_line's: the steps are the same
 * functions, only their order across lookups changes; anything unusual
 * (no findfunctab, a PC outside it, an error) takes the one-lookup path.
 */
#include "pclntab.h"

#define GROUP 16 /* lookups in flight: enough to keep the memory busy */

struct lookup {
	uint64_t pc;
	bool done;  /* rc and the answer are final */
	int rc;
	uint32_t i; /* function index */
	struct gort__func f;
	struct gort__strref file;
};

/* One group: n <= GROUP lookups, answers into out and rcs. */
static void group(struct gort_pclntab *t, const uint64_t *pcs, size_t n,
		  struct gort_frame *out, int *rcs)
{
	struct lookup l[GROUP];
	size_t k;

	for (k = 0; k < n; k++) {
		l[k].pc = pcs[k];
		l[k].done = false;
		l[k].rc = 0;
		gort__func_find_prefetch(t, pcs[k]);
		gort__memo_prefetch(t, pcs[k]);
	}
	for (k = 0; k < n; k++) {
		if (gort__memo_get(t, l[k].pc, &out[k]))
			l[k].done = true;
		else
			gort__functab_prefetch(t, l[k].pc);
	}
	for (k = 0; k < n; k++) {
		if (l[k].done)
			continue;
		if (gort__func_find(t, l[k].pc, &l[k].i)) {
			l[k].rc = gort__line(t, l[k].pc, &out[k]); /* says why */
			l[k].done = true;
		} else
			gort__func_record_prefetch(t, l[k].i);
	}
	for (k = 0; k < n; k++) {
		if (l[k].done)
			continue;
		if (gort__func_read(t, l[k].i, &l[k].f)) {
			l[k].rc = gort__line(t, l[k].pc, &out[k]);
			l[k].done = true;
			continue;
		}
		gort__func_prefetch(t, &l[k].f);
		gort__pcindex_prefetch(t, &l[k].f, l[k].pc - l[k].f.entry, 0);
	}
	/* Large functions' streams are read from a checkpoint: its chain. */
	for (int step = 1; step <= 4; step++)
		for (k = 0; k < n; k++)
			if (!l[k].done)
				gort__pcindex_prefetch(t, &l[k].f, l[k].pc - l[k].f.entry, step);
	for (k = 0; k < n; k++) {
		struct gort_frame *fr = &out[k];

		if (l[k].done)
			continue;
		*fr = (struct gort_frame){{"", 0}, {"", 0}, -1, 0, l[k].f.entry, l[k].f.func_id};
		if ((l[k].rc = gort__pc_file_ref(t, &l[k].f, l[k].pc, &l[k].file)) ||
		    (l[k].rc = gort__pcvalue(t, &l[k].f, l[k].f.pcln, l[k].pc, &fr->line))) {
			l[k].done = true;
			continue;
		}
		if (l[k].file.v)
			gort__view_prefetch(l[k].file.v, l[k].file.off);
	}
	for (k = 0; k < n; k++) {
		if (!l[k].done &&
		    !(l[k].rc = gort__strref_get(&l[k].file, &out[k].file)) &&
		    !(l[k].rc = gort__func_name(t, l[k].f.nameoff, &out[k].function)))
			gort__memo_put(t, l[k].pc, &out[k]);
		rcs[k] = l[k].rc;
	}
}

int gort_pclntab_pc_to_lines(gort_pclntab *tab, const uint64_t *pcs, size_t n,
			     struct gort_frame *out, int *errs)
{
	int rcs[GROUP];
	size_t first = SIZE_MAX;

	if (!tab || (n && (!pcs || !out)))
		return gort__fail(GORT_EINVAL, "gort_pclntab_pc_to_lines: NULL argument");
	for (size_t i = 0; i < n; i += GROUP) {
		size_t m = n - i < GROUP ? n - i : GROUP;

		group(tab, pcs + i, m, out + i, rcs);
		for (size_t k = 0; k < m; k++) {
			if (errs)
				errs[i + k] = rcs[k];
			if (rcs[k] && first == SIZE_MAX)
				first = i + k;
		}
	}
	if (first == SIZE_MAX)
		return 0;
	/* The thread's error message is about the first PC that failed. */
	return gort__line(tab, pcs[first], &out[first]);
}
