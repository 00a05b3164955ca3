/*
 * gort_pclntab_pc_to_lines: many pc_to_line lookups at once.
 *
 * PCs in increasing order and close together (a symbolizer's sorted
 * batch, addr2line's input) are swept: the table is read front to back,
 * each function once, each of its streams decoded once however many of
 * its PCs are asked, the function and file names found once. What the
 * memory system does best (sequential reads) with the least work.
 *
 * Other PCs are looked up in groups. One lookup at
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
/*
 * A run of PCs in increasing order, each at most SWEEP_GAP bytes past the
 * one before (one findfunctab bucket: the tables of functions that close
 * are close too), is swept when it holds at least SWEEP_MIN PCs.
 */
#define SWEEP_GAP 4096
#define SWEEP_MIN 16

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

/* Where a sweep stands: the function it is in and its two streams. */
struct sweep {
	bool sorted; /* functab is: [lo, hi) is exactly function i's */
	uint32_t i;  /* function index; UINT32_MAX: none */
	uint64_t lo, hi;
	struct gort__func f;
	struct gort_str name;
	struct gort__pccursor file, line;
	/* The file name last found, for functions of one compilation unit
	   naming the same file number (fno INT32_MIN: none yet). */
	uint32_t cu;
	int32_t fno;
	struct gort_str file_name;
};

/*
 * The answer for pc, the next PC of a sweep; nonzero where anything is
 * unusual (no function, an error, a corrupt record), for the one-lookup
 * path to answer, which also says why.
 */
static int sweep_one(struct gort_pclntab *t, struct sweep *s, uint64_t pc,
		     struct gort_frame *out)
{
	struct gort__strref ref;
	int32_t fno;
	uint32_t i;

	if (s->i != UINT32_MAX && s->sorted && pc >= s->lo && pc < s->hi)
		i = s->i; /* what gort__func_find would say, without asking */
	else if (gort__func_find(t, pc, &i))
		return -1;
	if (i != s->i) {
		s->i = UINT32_MAX;
		if (gort__func_read(t, i, &s->f) || pc < s->f.entry ||
		    gort__func_name(t, s->f.nameoff, &s->name) ||
		    gort__functab_pc(t, i, &s->lo) || gort__functab_pc(t, i + 1, &s->hi))
			return -1;
		gort__pccursor_init(t, &s->f, s->f.pcfile, pc, &s->file);
		gort__pccursor_init(t, &s->f, s->f.pcln, pc, &s->line);
		if (s->f.cu_offset != s->cu)
			s->fno = INT32_MIN;
		s->cu = s->f.cu_offset;
		s->i = i;
	}
	if (gort__pccursor_value(t, &s->f, &s->file, pc, &fno))
		goto fail;
	if (fno != s->fno) {
		if (gort__file_ref(t, &s->f, fno, &ref) || gort__strref_get(&ref, &s->file_name))
			goto fail;
		s->fno = fno;
	}
	*out = (struct gort_frame){s->name, s->file_name, -1, 0, s->f.entry, s->f.func_id};
	if (gort__pccursor_value(t, &s->f, &s->line, pc, &out->line))
		goto fail;
	return 0;
fail:
	s->i = UINT32_MAX; /* a cursor is not usable past an error */
	s->fno = INT32_MIN;
	return -1;
}

static void sweep(struct gort_pclntab *t, const uint64_t *pcs, size_t n,
		  struct gort_frame *out, int *rcs)
{
	struct sweep s = {.sorted = gort__functab_sorted(t), .i = UINT32_MAX, .fno = INT32_MIN};

	for (size_t k = 0; k < n; k++)
		rcs[k] = sweep_one(t, &s, pcs[k], &out[k]) ? gort__line(t, pcs[k], &out[k]) : 0;
}

/* How many PCs from pcs[0] form a run to sweep (at least 1). */
static size_t run_length(const uint64_t *pcs, size_t n)
{
	size_t j = 1;

	while (j < n && pcs[j - 1] <= pcs[j] && pcs[j] - pcs[j - 1] <= SWEEP_GAP)
		j++;
	return j;
}

/* Answers for pcs[lo, hi), one way; *first: the first PC without one. */
static void answer(struct gort_pclntab *t, const uint64_t *pcs, size_t lo, size_t hi,
		   struct gort_frame *out, int *errs, size_t *first, bool sorted)
{
	enum { CHUNK = 1024 };
	int rcs[CHUNK];

	for (size_t i = lo; i < hi; i += CHUNK) {
		size_t m = hi - i < CHUNK ? hi - i : CHUNK;

		if (sorted)
			sweep(t, pcs + i, m, out + i, rcs);
		else
			for (size_t k = 0; k < m; k += GROUP)
				group(t, pcs + i + k, m - k < GROUP ? m - k : GROUP, out + i + k,
				      rcs + k);
		for (size_t k = 0; k < m; k++) {
			if (errs)
				errs[i + k] = rcs[k];
			if (rcs[k] && *first == SIZE_MAX)
				*first = i + k;
		}
	}
}

int gort_pclntab_pc_to_lines(gort_pclntab *tab, const uint64_t *pcs, size_t n,
			     struct gort_frame *out, int *errs)
{
	size_t first = SIZE_MAX, i = 0, j, run;

	if (!tab || (n && (!pcs || !out)))
		return gort__fail(GORT_EINVAL, "gort_pclntab_pc_to_lines: NULL argument");
	while (i < n) {
		run = run_length(pcs + i, n - i);
		if (run >= SWEEP_MIN) {
			answer(tab, pcs, i, i + run, out, errs, &first, true);
			i += run;
			continue;
		}
		/* Short runs, up to the next one worth a sweep. */
		for (j = i + run; j < n; j += run)
			if ((run = run_length(pcs + j, n - j)) >= SWEEP_MIN)
				break;
		answer(tab, pcs, i, j, out, errs, &first, false);
		i = j;
	}
	if (first == SIZE_MAX)
		return 0;
	/* The thread's error message is about the first PC that failed. */
	return gort__line(tab, pcs[first], &out[first]);
}
