/*
 * gort-alloc-fail: allocation-failure injection through the fuzz drivers.
 * For one target and one valid input, counts the library's allocations in
 * a clean run, then runs again with allocation N failing, for N = 1, 2, ...
 * Each run must behave exactly as the clean run up to a GORT_ENOMEM
 * returned by some call (a failing allocation is never reported as another
 * error), may only return codes of the clean run or GORT_ENOMEM after it,
 * and must leak nothing (LeakSanitizer, checked after every run in
 * sanitizer builds). A failure without GORT_ENOMEM passes only if every
 * call returned what it returned in the clean run and every string
 * returned is the same (gort_fuzz_digest): an optional cache or index
 * whose allocation failed, which the library works without; such runs are
 * counted as absorbed. A fallback taken because of the failure that gives
 * another answer fails the test.
 *
 *   gort-alloc-fail TARGET FILE [MAXRUNS]
 *
 * With more allocations than MAXRUNS (default 400), the first half of
 * MAXRUNS are walked one by one and the rest evenly spaced.
 */
#include "fuzz.h"
#include "harness.h"
#include "common/internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The clean run's calls, in order. */
static int *base_rc;
static const char **base_call;
static size_t base_n, base_cap;
static int base_codes[64]; /* the distinct codes among them */
static size_t nbase_codes;

/* The run with a failing allocation, checked as it goes. */
static size_t cur_n;
static long first_enomem; /* call index, or -1 */
static char cur_err[512];
static long absorbed;     /* failures that changed no result */
static uint64_t base_digest;

static void observe_base(int rc, const char *call)
{
	size_t i;

	if (base_n == base_cap) {
		base_cap = base_cap ? 2 * base_cap : 1024;
		base_rc = realloc(base_rc, base_cap * sizeof(*base_rc));
		base_call = realloc(base_call, base_cap * sizeof(*base_call));
		if (!base_rc || !base_call)
			abort();
	}
	base_rc[base_n] = rc;
	base_call[base_n++] = call;
	for (i = 0; i < nbase_codes && base_codes[i] != rc; i++)
		;
	if (i == nbase_codes && nbase_codes < 64)
		base_codes[nbase_codes++] = rc;
}

static bool in_base(int rc)
{
	for (size_t i = 0; i < nbase_codes; i++)
		if (base_codes[i] == rc)
			return true;
	return false;
}

static void observe(int rc, const char *call)
{
	size_t i = cur_n++;

	if (cur_err[0])
		return;
	if (first_enomem < 0) {
		if (rc == GORT_ENOMEM)
			first_enomem = (long)i;
		else if (i >= base_n || rc != base_rc[i] || call != base_call[i])
			snprintf(cur_err, sizeof(cur_err), "call %zu %s returned %d (%s), clean run: %d",
				 i, call, rc, gort_strerror(rc), i < base_n ? base_rc[i] : 1);
	} else if (rc != GORT_ENOMEM && !in_base(rc)) {
		snprintf(cur_err, sizeof(cur_err), "later call %zu %s returned %d (%s)", i, call,
			 rc, gort_strerror(rc));
	}
}

/* The run with allocation `at` failing; 0 if it kept the contract. */
static int check(long at)
{
	if (cur_err[0]) {
		fprintf(stderr, "allocation %ld failed: %s\n", at, cur_err);
		return 1;
	}
	if (first_enomem < 0) {
		/* No GORT_ENOMEM: only right if nothing changed (an optional cache). */
		if (cur_n == base_n && gort_fuzz_digest == base_digest) {
			absorbed++;
			return 0;
		}
		fprintf(stderr, "allocation %ld failed but no call returned GORT_ENOMEM "
				"(%zu calls, clean run %zu; %s strings)\n", at, cur_n, base_n,
			gort_fuzz_digest == base_digest ? "same" : "other");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct gort_fuzz_target *t;
	long total, maxruns = 400, runs = 0, at, step;
	unsigned char *data;
	size_t size;
	int fail = 0;

	if (argc < 3 || !(t = gort_fuzz_find(argv[1]))) {
		fprintf(stderr, "usage: gort-alloc-fail TARGET FILE [MAXRUNS]\n");
		return 2;
	}
	if (argc > 3)
		maxruns = strtol(argv[3], NULL, 0);
	data = gort_robust_load(argv[2], &size);
	gort_fuzz_observe = observe_base;
	gort__alloc_inject(LONG_MAX);
	gort_fuzz_digest = 0;
	t->run(data, size);
	base_digest = gort_fuzz_digest;
	total = gort__alloc_count();
	gort__alloc_inject(0);
	gort_fuzz_observe = observe;

	step = total > maxruns ? (total - maxruns / 2) / (maxruns / 2) + 1 : 1;
	for (at = 1; at <= total; at += at < maxruns / 2 ? 1 : step) {
		cur_n = 0;
		first_enomem = -1;
		cur_err[0] = '\0';
		gort_fuzz_digest = 0;
		gort__alloc_inject(at);
		t->run(data, size);
		gort__alloc_inject(0);
		runs++;
		fail |= check(at);
		if (gort_robust_leaked()) {
			fprintf(stderr, "allocation %ld failed: memory leaked\n", at);
			fail = 1;
		}
		if (fail)
			break;
	}
	printf("%s %s: %ld allocations, %ld runs with one failing: %s (%ld absorbed)\n",
	       t->name, argv[2], total, runs,
	       fail ? "FAILED" : "GORT_ENOMEM or unchanged results, no leak", absorbed);
	free(data);
	free(base_rc);
	free(base_call);
	return fail;
}
