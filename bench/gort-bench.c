/*
 * gort-bench: how fast the pclntab API is on one Go binary, through the
 * public API only. bench/run.sh runs it next to bench/gosym (the same
 * measures with Go's debug/gosym, on the same PCs) and times gort-addr2line
 * against `go tool addr2line`; BENCHMARKS.md records the figures.
 *
 * Measures, each printed on one line:
 *   open     gort_binary_open (mmap, ELF headers) and gort_pclntab_open,
 *            median of repeated opens; then the first lookup after an open,
 *            which pays for what opening deferred (moduledata, findfunctab)
 *   lookups  N PCs in three orders: "random", drawn uniformly from the
 *            text the functions cover (the same generator as bench/gosym:
 *            splitmix64, seed 1), so that nearly every lookup reads tables
 *            that are not in the CPU cache; "sorted", the same PCs in
 *            address order, as a symbolizer handling a batch can order
 *            them; "hot", 4096 of them looked up over and over, as in a
 *            profile where a few thousand PCs make most samples (-hot). For each:
 *            find_func (function only), pc_to_line (function + file:line,
 *            what addr2line prints) and lookup (with inlined frames), each
 *            on a fresh open: the first pass over the PCs pays page faults
 *            and lazy setup ("cold"), later passes are "warm"; percentiles
 *            come from a pass timing each call (clock overhead included)
 *   threads  the warm pc_to_line pass on T threads sharing one table
 *   iterate  every function with its name (gort_func_iter), cold and warm
 *   memory   resident set after all of the above, against the file size
 *
 * With -pcs N it only prints N PCs from the same generator, one per line
 * in hex, as input for addr2line tools.
 */
#define _GNU_SOURCE
#include <gort/gort.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_FRAMES 64

enum mode { FIND_FUNC, PC_TO_LINE, PC_TO_LINES, LOOKUP };
static const char *const mode_names[] = {"find_func", "pc_to_line", "pc_to_lines", "lookup"};
#define BATCH 1024 /* PCs per gort_pclntab_pc_to_lines call */

struct opts {
	const char *file;
	size_t npcs, print_pcs;
	int rounds, threads;
};

static double clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall clock: for single calls (cheap to read; medians hide preemption). */
static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* This thread's CPU time: for passes, so that a loaded machine's other work does not count. */
static double cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* splitmix64 (bench/gosym/main.go has the same). */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void die(const char *what, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-bench: %s: %s\n", what,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	exit(1);
}

static void open_both(const char *file, gort_binary **bin, gort_pclntab **tab)
{
	int rc;

	if ((rc = gort_binary_open(bin, file, NULL)))
		die(file, rc);
	if ((rc = gort_pclntab_open(tab, *bin)))
		die(file, rc);
}

static void close_both(gort_binary *bin, gort_pclntab *tab)
{
	gort_pclntab_close(tab);
	gort_binary_close(bin);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* [lo, hi): from the first function's entry to the last one's end. */
static void text_range(gort_pclntab *tab, uint64_t *lo, uint64_t *hi)
{
	size_t n = gort_pclntab_func_count(tab);
	struct gort_func f;
	int rc;

	if (n == 0) {
		fprintf(stderr, "gort-bench: no functions\n");
		exit(1);
	}
	if ((rc = gort_pclntab_func_at(tab, 0, &f)))
		die("first function", rc);
	*lo = f.entry;
	if ((rc = gort_pclntab_func_at(tab, n - 1, &f)))
		die("last function", rc);
	*hi = f.end;
}

enum order { RANDOM, SORTED, HOT };
static const char *const order_names[] = {"random", "sorted", "hot"};
static size_t hot_pcs = 4096;
static int only_order = -1; /* -o: one order's lookups and nothing else */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t *make_pcs(uint64_t lo, uint64_t hi, size_t n, enum order o)
{
	uint64_t *pcs = malloc(n * sizeof(*pcs)), seed = 1;

	if (!pcs) {
		fprintf(stderr, "gort-bench: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		pcs[i] = lo + next_rand(&seed) % (hi - lo);
	if (o == SORTED)
		qsort(pcs, n, sizeof(*pcs), cmp_u64);
	if (o == HOT && n > hot_pcs)
		for (size_t i = hot_pcs; i < n; i++)
			pcs[i] = pcs[next_rand(&seed) % hot_pcs];
	return pcs;
}

/* One call of `mode`; returns something derived from the answer. */
static size_t one(gort_pclntab *tab, enum mode m, uint64_t pc)
{
	struct gort_frame fr[MAX_FRAMES];
	struct gort_func f;
	size_t n = 0;

	switch (m) {
	case FIND_FUNC:
		return gort_pclntab_find_func(tab, pc, &f) ? 0 : f.name.len;
	case PC_TO_LINE:
		return gort_pclntab_pc_to_line(tab, pc, fr) ? 0
			: fr[0].function.len + fr[0].file.len + (size_t)fr[0].line;
	case PC_TO_LINES:
		break; /* batches: see pass() */
	case LOOKUP:
		if (gort_pclntab_lookup(tab, pc, fr, MAX_FRAMES, &n))
			return 0;
		return n + fr[0].file.len + (size_t)fr[0].line;
	}
	return 0;
}

static volatile size_t sink;

/* Mean ns per call over all PCs. */
static double pass(gort_pclntab *tab, enum mode m, const uint64_t *pcs, size_t n)
{
	static struct gort_frame out[BATCH];
	size_t acc = 0;
	double t0 = cpu_ns();

	if (m == PC_TO_LINES) {
		for (size_t i = 0; i < n; i += BATCH) {
			size_t k = n - i < BATCH ? n - i : BATCH;

			gort_pclntab_pc_to_lines(tab, pcs + i, k, out, NULL);
			for (size_t j = 0; j < k; j++)
				acc += out[j].function.len + out[j].file.len + (size_t)out[j].line;
		}
	}
	for (size_t i = 0; m != PC_TO_LINES && i < n; i++)
		acc += one(tab, m, pcs[i]);
	sink += acc;
	return (cpu_ns() - t0) / (double)n;
}

static void percentiles(gort_pclntab *tab, enum mode m, const uint64_t *pcs,
			size_t n, double *p50, double *p90, double *p99)
{
	double *t = malloc(n * sizeof(*t));

	if (!t)
		return;
	for (size_t i = 0; i < n; i++) {
		double t0 = now_ns();
		sink += one(tab, m, pcs[i]);
		t[i] = now_ns() - t0;
	}
	qsort(t, n, sizeof(*t), cmp_double);
	*p50 = t[n / 2];
	*p90 = t[n * 9 / 10];
	*p99 = t[n * 99 / 100];
	free(t);
}

static void bench_open(const struct opts *o)
{
	double tb[64], tt[64], first[64];
	int r = o->rounds < 64 ? o->rounds : 64;
	uint64_t lo, hi;

	for (int i = 0; i < r; i++) {
		gort_binary *bin;
		gort_pclntab *tab;
		struct gort_func f;
		double t0 = cpu_ns(), t1, t2;
		int rc;

		if ((rc = gort_binary_open(&bin, o->file, NULL)))
			die(o->file, rc);
		t1 = cpu_ns();
		if ((rc = gort_pclntab_open(&tab, bin)))
			die(o->file, rc);
		t2 = cpu_ns();
		tb[i] = t1 - t0;
		tt[i] = t2 - t1;
		text_range(tab, &lo, &hi);
		t0 = cpu_ns();
		gort_pclntab_find_func(tab, lo + (hi - lo) / 2, &f);
		first[i] = cpu_ns() - t0;
		close_both(bin, tab);
	}
	qsort(tb, (size_t)r, sizeof(double), cmp_double);
	qsort(tt, (size_t)r, sizeof(double), cmp_double);
	qsort(first, (size_t)r, sizeof(double), cmp_double);
	printf("open      binary %.1f us, pclntab %.1f us, first lookup %.1f us (medians of %d)\n",
	       tb[r / 2] / 1e3, tt[r / 2] / 1e3, first[r / 2] / 1e3, r);
}

static void bench_lookups(const struct opts *o, const uint64_t *pcs, enum order ord)
{
	for (enum mode m = FIND_FUNC; m <= LOOKUP; m++) {
		gort_binary *bin;
		gort_pclntab *tab;
		double cold, warm = 1e300, p50 = 0, p90 = 0, p99 = 0;

		open_both(o->file, &bin, &tab);
		cold = pass(tab, m, pcs, o->npcs);
		for (int r = 0; r < o->rounds; r++) {
			double t = pass(tab, m, pcs, o->npcs);
			warm = t < warm ? t : warm;
		}
		if (m == PC_TO_LINES) {
			printf("lookup    %-6s %-10s cold %7.1f ns, warm %7.1f ns  (per PC, in batches of %d)\n",
			       order_names[ord], mode_names[m], cold, warm, BATCH);
			close_both(bin, tab);
			continue;
		}
		percentiles(tab, m, pcs, o->npcs, &p50, &p90, &p99);
		printf("lookup    %-6s %-10s cold %7.1f ns, warm %7.1f ns  (p50 %.0f, p90 %.0f, p99 %.0f ns)\n",
		       order_names[ord], mode_names[m], cold, warm, p50, p90, p99);
		close_both(bin, tab);
	}
}

struct worker {
	gort_pclntab *tab;
	const uint64_t *pcs;
	size_t n;
	double ns;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	w->ns = pass(w->tab, PC_TO_LINE, w->pcs, w->n);
	return NULL;
}

static void bench_threads(const struct opts *o, const uint64_t *pcs)
{
	struct worker w[64];
	pthread_t th[64];
	int nt = o->threads < 64 ? o->threads : 64;
	gort_binary *bin;
	gort_pclntab *tab;
	double t0, wall;

	if (nt < 2)
		return;
	open_both(o->file, &bin, &tab);
	pass(tab, PC_TO_LINE, pcs, o->npcs); /* warm up */
	t0 = now_ns();
	for (int i = 0; i < nt; i++) {
		w[i] = (struct worker){tab, pcs, o->npcs, 0};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	wall = now_ns() - t0;
	printf("threads   pc_to_line on %d threads at once: %.1f ns per call (CPU time of the first), wall %.1f ms for %zu calls in all\n",
	       nt, w[0].ns, wall / 1e6, (size_t)nt * o->npcs);
	close_both(bin, tab);
}

/* One pass over every function and its name; bytes read from the file. */
static double iterate(gort_pclntab *tab, size_t *nfunc, size_t *name_bytes)
{
	gort_func_iter *it;
	const struct gort_func *f;
	size_t n = 0, bytes = 0, acc = 0;
	double t0 = cpu_ns();
	int rc;

	if ((rc = gort_func_iter_new(&it, tab)))
		die("iterator", rc);
	while ((rc = gort_func_iter_next(it, &f)) != GORT_EEND) {
		if (rc)
			die("iterating", rc);
		n++;
		bytes += f->name.len + 1;
		acc += (unsigned char)f->name.ptr[f->name.len / 2];
	}
	gort_func_iter_free(it);
	sink += acc;
	*nfunc = n;
	*name_bytes = bytes;
	return cpu_ns() - t0;
}

static void bench_iterate(const struct opts *o)
{
	gort_binary *bin;
	gort_pclntab *tab;
	size_t n = 0, bytes = 0;
	double cold, warm = 1e300;

	open_both(o->file, &bin, &tab);
	cold = iterate(tab, &n, &bytes);
	for (int r = 0; r < o->rounds; r++) {
		double t = iterate(tab, &n, &bytes);
		warm = t < warm ? t : warm;
	}
	printf("iterate   %zu functions: cold %.1f ms, warm %.1f ms (%.1f ns/function, %.0f M functions/s, names %.0f MB/s)\n",
	       n, cold / 1e6, warm / 1e6, warm / (double)n, (double)n / warm * 1e3,
	       (double)bytes / warm * 1e3);
	close_both(bin, tab);
}

/* A field of /proc/self/status, in kB; -1 if absent. */
static long status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(field);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* The resident set with one table open after a pass of every kind. */
static void bench_memory(const struct opts *o, const uint64_t *pcs)
{
	gort_binary *bin;
	gort_pclntab *tab;
	struct stat st;
	size_t n, bytes;
	long base = status_kb("VmRSS");

	open_both(o->file, &bin, &tab);
	for (enum mode m = FIND_FUNC; m <= LOOKUP; m++)
		pass(tab, m, pcs, o->npcs);
	iterate(tab, &n, &bytes);
	if (stat(o->file, &st))
		st.st_size = 0;
	printf("memory    file %.1f MB; with the table open and used: RSS +%.1f MB (file pages %.1f MB, anonymous %.1f MB), peak RSS %.1f MB\n",
	       (double)st.st_size / 1e6, (double)(status_kb("VmRSS") - base) / 1e3,
	       (double)status_kb("RssFile") / 1e3, (double)status_kb("RssAnon") / 1e3,
	       (double)status_kb("VmHWM") / 1e3);
	close_both(bin, tab);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: gort-bench [-n NPCS] [-r ROUNDS] [-t THREADS] [-hot NHOT] [-o 1|2|3] FILE\n"
		   "       (-o: only the random, sorted or hot lookups, for a profiler)\n"
		   "       gort-bench -pcs N FILE   (print N random PCs)\n");
}

int main(int argc, char **argv)
{
	struct opts o = {NULL, 1000000, 0, 5, 2};
	gort_binary *bin;
	gort_pclntab *tab;
	uint64_t lo, hi, *pcs;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		long v = strtol(argv[i + 1], NULL, 10);

		if (v <= 0)
			break;
		if (!strcmp(argv[i], "-n"))
			o.npcs = (size_t)v;
		else if (!strcmp(argv[i], "-r"))
			o.rounds = (int)v;
		else if (!strcmp(argv[i], "-t"))
			o.threads = (int)v;
		else if (!strcmp(argv[i], "-hot"))
			hot_pcs = (size_t)v;
		else if (!strcmp(argv[i], "-o") && v <= 3)
			only_order = (int)v - 1;
		else if (!strcmp(argv[i], "-pcs"))
			o.print_pcs = (size_t)v;
		else
			break;
	}
	if (i != argc - 1 || argv[i][0] == '-') {
		usage(stderr);
		return 2;
	}
	o.file = argv[i];
	open_both(o.file, &bin, &tab);
	text_range(tab, &lo, &hi);
	if (o.print_pcs) {
		pcs = make_pcs(lo, hi, o.print_pcs, RANDOM);
		for (size_t k = 0; k < o.print_pcs; k++)
			printf("%llx\n", (unsigned long long)pcs[k]);
		free(pcs);
		close_both(bin, tab);
		return fflush(stdout) != 0;
	}
	printf("input     %s: %zu functions, text 0x%llx-0x%llx, %zu random PCs\n", o.file,
	       gort_pclntab_func_count(tab), (unsigned long long)lo,
	       (unsigned long long)hi, o.npcs);
	close_both(bin, tab);
	if (only_order >= 0) { /* for profiling one kind of lookup */
		pcs = make_pcs(lo, hi, o.npcs, (enum order)only_order);
		bench_lookups(&o, pcs, (enum order)only_order);
		free(pcs);
		return 0;
	}
	pcs = make_pcs(lo, hi, o.npcs, RANDOM);
	bench_open(&o);
	bench_memory(&o, pcs);
	for (enum order ord = RANDOM; ord <= HOT; ord++) {
		uint64_t *p = make_pcs(lo, hi, o.npcs, ord);
		bench_lookups(&o, p, ord);
		free(p);
	}
	bench_threads(&o, pcs);
	bench_iterate(&o);
	free(pcs);
	return 0;
}
