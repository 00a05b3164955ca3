/*
 * gort-threads: the thread-safety promises of the public headers, exercised.
 * One gort_binary and one gort_pclntab, opened and not yet queried (so the
 * lazily decoded state is built under contention), are queried by many
 * threads at once: build info, Go version, func_at, find_func, lookup
 * (inlined frames), pc_to_line then pc_to_lines (the second through the
 * shared memo of answers, whose slots the threads overwrite under each
 * other), a sorted batch (swept), frame_size, pcdata, each thread also opening its own
 * table and iterating over it. Every answer must equal the one a separate,
 * single-threaded handle gives. With a trace, threads read one shared
 * gort_trace through their own iterators and must see the same events.
 * Built with -DGORT_SANITIZE=thread by the test command (ThreadSanitizer).
 *
 *   gort-threads [-j THREADS] BINARY [TRACE]
 */
#include <gort/gort.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 400
#define FRAMES 16

/* One answer, as text, so that handles over different mappings compare. */
static void describe(gort_pclntab *tab, uint64_t pc, char *out, size_t cap)
{
	struct gort_frame f[FRAMES], l1 = {0}, l2 = {0};
	struct gort_func fn;
	size_t n = 0, len;
	int32_t sp = 0, pd = 0;
	int rc1, rc2, rc3, rc4, rc5, rc6;

	rc1 = gort_pclntab_find_func(tab, pc, &fn);
	rc2 = gort_pclntab_lookup(tab, pc, f, FRAMES, &n);
	rc3 = gort_pclntab_frame_size(tab, pc, &sp);
	rc4 = gort_pclntab_pcdata(tab, pc, 0, &pd);
	rc5 = gort_pclntab_pc_to_line(tab, pc, &l1);
	gort_pclntab_pc_to_lines(tab, &pc, 1, &l2, &rc6);
	len = (size_t)snprintf(out, cap, "%d %d %d %d %.*s sp=%d pd=%d n=%zu", rc1, rc2, rc3,
			       rc4, rc1 ? 0 : (int)fn.name.len, fn.name.ptr, sp, pd, n);
	for (int k = 0; k < 2 && len < cap; k++) {
		const struct gort_frame *l = k ? &l2 : &l1;
		len += (size_t)snprintf(out + len, cap - len, " | line %d %.*s %.*s:%d %llx %u",
					k ? rc6 : rc5, (int)l->function.len, l->function.ptr,
					(int)l->file.len, l->file.ptr, l->line,
					(unsigned long long)l->entry, l->func_id);
	}
	for (size_t i = 0; !rc2 && i < n && i < FRAMES && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, " | %.*s %.*s:%d%s",
					(int)f[i].function.len, f[i].function.ptr,
					(int)f[i].file.len, f[i].file.ptr, f[i].line,
					f[i].inlined ? " inl" : "");
}

static const char *binary_path, *trace_path;
static uint64_t pcs[PROBES];
static char expect[PROBES][1024];
static char expect_version[256], expect_modinfo[8192];
static size_t nprobes, expect_nfuncs;
static gort_binary *shared_bin;
static gort_pclntab *shared_tab;
static gort_trace *shared_trace;
static unsigned long long trace_events, trace_hash;
static pthread_barrier_t start;
static int failures;
static pthread_mutex_t failures_lock = PTHREAD_MUTEX_INITIALIZER;

static void failed(long id, const char *what, const char *got, const char *want)
{
	pthread_mutex_lock(&failures_lock);
	if (failures++ < 10)
		fprintf(stderr, "thread %ld: %s:\n  got  %s\n  want %s\n", id, what, got, want);
	pthread_mutex_unlock(&failures_lock);
}

static void version_of(gort_binary *bin, char *out, size_t cap)
{
	struct gort_str v = {NULL, 0};
	int source = 0, rc = gort_binary_go_version(bin, &v, &source);
	snprintf(out, cap, "%d %.*s %d", rc, (int)v.len, v.ptr, source);
}

static void modinfo_of(gort_binary *bin, char *out, size_t cap)
{
	const gort_buildinfo *bi;
	int rc = gort_binary_buildinfo(bin, &bi);
	snprintf(out, cap, "%d %s", rc, rc ? "" : gort_buildinfo_string(bi));
}

/* Events of a trace: how many, and a hash of their text. */
static int trace_digest(gort_trace *t, unsigned long long *count, unsigned long long *hash)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it;
	struct gort_str s;
	int rc;

	*count = 0;
	*hash = 1469598103934665603ull;
	if ((rc = gort_trace_event_iter_new(&it, t)))
		return rc;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		if ((rc = gort_trace_event_string(ev, &s)))
			break;
		for (size_t i = 0; i < s.len; i++)
			*hash = (*hash ^ (unsigned char)s.ptr[i]) * 1099511628211ull;
		(*count)++;
	}
	gort_trace_event_iter_free(it);
	return rc == GORT_EEND ? 0 : rc;
}

/*
 * 64 PCs in increasing order, 64 bytes apart, from the first probe: a
 * batch the library sweeps (one pass, functab checked once to be sorted,
 * by whichever thread comes first), on the shared table; each answer must
 * be pc_to_line's.
 */
static void sorted_batch(long id)
{
	uint64_t batch[64];
	struct gort_frame out[64], one;
	int errs[64];

	for (size_t k = 0; k < 64; k++)
		batch[k] = pcs[0] + 64 * k;
	gort_pclntab_pc_to_lines(shared_tab, batch, 64, out, errs);
	for (size_t k = 0; k < 64; k++) {
		int rc = gort_pclntab_pc_to_line(shared_tab, batch[k], &one);

		if (rc != errs[k] ||
		    (!rc && (one.function.ptr != out[k].function.ptr ||
			     one.file.ptr != out[k].file.ptr || one.line != out[k].line)))
			failed(id, "sorted batch", out[k].function.ptr ? out[k].function.ptr : "-",
			       one.function.ptr ? one.function.ptr : "-");
	}
}

static void *worker(void *arg)
{
	long id = (long)arg;
	char got[1024], big[8192];
	gort_pclntab *own;
	const struct gort_func *fn;
	gort_func_iter *it;
	size_t n = 0;

	pthread_barrier_wait(&start);
	/* Lazy decoding races: half the threads start with build info. */
	if (id % 2 == 0) {
		modinfo_of(shared_bin, big, sizeof(big));
		if (strcmp(big, expect_modinfo))
			failed(id, "build info", big, expect_modinfo);
	}
	version_of(shared_bin, got, sizeof(got));
	if (strcmp(got, expect_version))
		failed(id, "go version", got, expect_version);
	for (size_t k = 0; k < nprobes; k++) {
		size_t i = (k + (size_t)id * 37) % nprobes;
		describe(shared_tab, pcs[i], got, sizeof(got));
		if (strcmp(got, expect[i]))
			failed(id, "shared table", got, expect[i]);
	}
	sorted_batch(id);
	if (gort_pclntab_open(&own, shared_bin) == 0) {
		for (size_t k = 0; k < nprobes; k += 7) {
			describe(own, pcs[k], got, sizeof(got));
			if (strcmp(got, expect[k]))
				failed(id, "own table", got, expect[k]);
		}
		if (gort_func_iter_new(&it, own) == 0) {
			while (gort_func_iter_next(it, &fn) == 0)
				n++;
			gort_func_iter_free(it);
		}
		gort_pclntab_close(own);
		if (n != expect_nfuncs) {
			snprintf(got, sizeof(got), "%zu", n);
			snprintf(big, sizeof(big), "%zu", expect_nfuncs);
			failed(id, "functions iterated", got, big);
		}
	} else {
		failed(id, "gort_pclntab_open", gort_last_error()->message, "success");
	}
	if (id % 2 == 1) {
		modinfo_of(shared_bin, big, sizeof(big));
		if (strcmp(big, expect_modinfo))
			failed(id, "build info", big, expect_modinfo);
	}
	if (shared_trace) {
		unsigned long long c, h;
		int rc = trace_digest(shared_trace, &c, &h);
		if (rc || c != trace_events || h != trace_hash) {
			snprintf(got, sizeof(got), "rc %d, %llu events, hash %llx", rc, c, h);
			snprintf(big, sizeof(big), "%llu events, hash %llx", trace_events, trace_hash);
			failed(id, "trace events", got, big);
		}
	}
	return NULL;
}

static int die(const char *what)
{
	fprintf(stderr, "gort-threads: %s: %s\n", what, gort_last_error()->message);
	return 1;
}

int main(int argc, char **argv)
{
	long nthreads = 8;
	gort_binary *ref_bin;
	gort_pclntab *ref_tab;
	pthread_t th[64];
	struct gort_func fn;
	size_t nfuncs;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "-j")) {
		nthreads = strtol(argv[2], NULL, 0);
		a = 3;
	}
	if (argc - a < 1 || argc - a > 2 || nthreads < 1 || nthreads > 64) {
		fprintf(stderr, "usage: gort-threads [-j THREADS] BINARY [TRACE]\n");
		return 2;
	}
	binary_path = argv[a];
	trace_path = argc - a == 2 ? argv[a + 1] : NULL;

	/* The answers of a separate handle, single-threaded. */
	if (gort_binary_open(&ref_bin, binary_path, NULL) || gort_pclntab_open(&ref_tab, ref_bin))
		return die(binary_path);
	nfuncs = expect_nfuncs = gort_pclntab_func_count(ref_tab);
	for (size_t i = 0; i < nfuncs && nprobes + 3 <= PROBES; i += nfuncs / (PROBES / 3) + 1) {
		if (gort_pclntab_func_at(ref_tab, i, &fn))
			return die("func_at");
		pcs[nprobes++] = fn.entry;
		pcs[nprobes++] = fn.entry + (fn.end - fn.entry) / 2;
		pcs[nprobes++] = fn.end - 1;
	}
	for (size_t i = 0; i < nprobes; i++)
		describe(ref_tab, pcs[i], expect[i], sizeof(expect[i]));
	version_of(ref_bin, expect_version, sizeof(expect_version));
	modinfo_of(ref_bin, expect_modinfo, sizeof(expect_modinfo));
	gort_pclntab_close(ref_tab);
	gort_binary_close(ref_bin);

	if (trace_path) {
		gort_trace *t;
		if (gort_trace_open(&t, trace_path, NULL) ||
		    trace_digest(t, &trace_events, &trace_hash))
			return die(trace_path);
		gort_trace_close(t);
		if (gort_trace_open(&shared_trace, trace_path, NULL))
			return die(trace_path);
	}

	if (gort_binary_open(&shared_bin, binary_path, NULL) ||
	    gort_pclntab_open(&shared_tab, shared_bin))
		return die(binary_path);
	pthread_barrier_init(&start, NULL, (unsigned)nthreads);
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)i))
			return die("pthread_create");
	for (long i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	gort_pclntab_close(shared_tab);
	gort_binary_close(shared_bin);
	gort_trace_close(shared_trace);

	printf("%s: %ld threads, %zu PCs each, %zu functions%s%s: %s\n", binary_path, nthreads,
	       nprobes, expect_nfuncs, trace_path ? ", trace " : "", trace_path ? trace_path : "",
	       failures ? "MISMATCHES" : "same answers as one thread");
	return failures != 0;
}
