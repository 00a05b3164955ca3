/*
 * gort-trace: read Go execution traces.
 *
 *   gort-trace dump FILE   every ordered event, as `go tool trace -d=parsed`
 *                          (Go 1.26+) prints them
 *   gort-trace count FILE  how many events of each kind (reads and orders
 *                          every event without formatting: a benchmark)
 *   gort-trace stats [--raw] FILE
 *                          goroutine analysis as `go tool trace` computes it
 *                          (grouped by start function), GC and STW pauses,
 *                          latency histograms; --raw: every goroutine, one
 *                          value per field, for scripts and tests
 *   gort-trace export --format=perfetto|csv|goroutines-csv FILE [-o OUT]
 *                          Perfetto/Chrome JSON, CSV of events, CSV of the
 *                          goroutine summary
 *
 * Built on the public API only (include/gort/trace.h).
 */
#include <gort/gort.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-trace COMMAND FILE\n"
		   "Read a Go execution trace (runtime/trace; also zstd-compressed).\n"
		   "Commands:\n"
		   "  dump FILE   print every event in order, as `go tool trace -d=parsed` does\n"
		   "  count FILE  count the events of each kind\n"
		   "  stats [--raw] FILE\n"
		   "              goroutine analysis grouped by start function, GC and\n"
		   "              stop-the-world pauses, latency histograms\n"
		   "  export --format=perfetto|csv|goroutines-csv FILE [-o OUT]\n"
		   "              Perfetto/Chrome JSON, CSV of every event, CSV of the\n"
		   "              goroutine summary (to stdout without -o)\n"
		   "Flags:\n"
		   "  --help      print this help\n"
		   "  --version   print the library version\n");
}

static int fail(const char *file)
{
	const struct gort_error_info *e = gort_last_error();
	fprintf(stderr, "gort-trace: %s: %s\n", file, e->message[0] ? e->message : gort_strerror(e->code));
	return 1;
}

static int dump(const char *file)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	struct gort_str s;
	int rc;

	if (gort_trace_open(&t, file, NULL) || gort_trace_event_iter_new(&it, t))
		goto err;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		if (gort_trace_event_string(ev, &s))
			goto err;
		fwrite(s.ptr, 1, s.len, stdout);
		putchar('\n');
	}
	if (rc != GORT_EEND)
		goto err;
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return fflush(stdout) ? 1 : 0;
err:
	fflush(stdout);
	rc = fail(file);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

static int count(const char *file)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace *t = NULL;
	unsigned long long n[16] = {0}, total = 0;
	int rc;

	if (gort_trace_open(&t, file, NULL) || gort_trace_event_iter_new(&it, t))
		goto err;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		n[ev->kind & 15]++;
		total++;
	}
	if (rc != GORT_EEND)
		goto err;
	for (int k = 0; k < 16; k++)
		if (n[k])
			printf("%-16s %llu\n", gort_trace_event_kind_name(k), n[k]);
	printf("%-16s %llu\n", "total", total);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return 0;
err:
	rc = fail(file);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

/* A duration as Go's time.Duration prints it, rounded to 4 digits. */
static const char *dur(int64_t ns, char *buf, size_t n)
{
	double a = ns < 0 ? -(double)ns : (double)ns;

	if (a < 1e3)
		snprintf(buf, n, "%" PRId64 "ns", ns);
	else if (a < 1e6)
		snprintf(buf, n, "%.4gus", (double)ns / 1e3);
	else if (a < 1e9)
		snprintf(buf, n, "%.4gms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.4gs", (double)ns / 1e9);
	return buf;
}

#define D(ns) dur((ns), (char[32]){0}, 32)

static void print_raw(const gort_trace_summary *s)
{
	size_t n = gort_trace_summary_goroutine_count(s);
	uint64_t dropped;

	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_summary *g = gort_trace_summary_goroutine(s, i);
		printf("goroutine\t%" PRId64 "\t%.*s\tpc=0x%" PRIx64 " creation=%" PRId64
		       " start=%" PRId64 " end=%" PRId64 " exec=%" PRId64 " sched=%" PRId64
		       " syscall=%" PRId64 " syscallblock=%" PRId64 " total=%" PRId64
		       " unknown=%" PRId64 "\n",
		       g->id, (int)g->name.len, g->name.ptr, g->pc, g->creation_time, g->start_time,
		       g->end_time, g->exec_time, g->sched_wait_time, g->syscall_time,
		       g->syscall_block_time, g->total_time, g->unknown_time);
		for (size_t j = 0; j < g->nblock; j++)
			printf("\tblock\t%.*s\t%" PRId64 "\n", (int)g->block[j].name.len,
			       g->block[j].name.ptr, g->block[j].ns);
		for (size_t j = 0; j < g->nrange; j++)
			printf("\trange\t%.*s\t%" PRId64 "\n", (int)g->range[j].name.len,
			       g->range[j].name.ptr, g->range[j].ns);
	}
	for (size_t i = 0; i < gort_trace_summary_region_count(s); i++) {
		const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
		printf("region\t%.*s\tcount=%" PRIu64 " total=%" PRId64 " exec=%" PRId64
		       " sched=%" PRId64 " block=%" PRId64 " syscall=%" PRId64
		       " syscallblock=%" PRId64 "\n",
		       (int)r->name.len, r->name.ptr, r->count, r->total_time, r->exec_time,
		       r->sched_wait_time, r->block_time, r->syscall_time, r->syscall_block_time);
	}
	n = gort_trace_summary_gc_count(s, &dropped);
	for (size_t i = 0; i < n; i++)
		printf("gc\t%" PRId64 "\t%" PRId64 "\n", gort_trace_summary_gc(s, i)->start,
		       gort_trace_summary_gc(s, i)->end);
	n = gort_trace_summary_stw_count(s, &dropped);
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_pause *p = gort_trace_summary_stw(s, i);
		printf("stw\t%" PRId64 "\t%" PRId64 "\t%.*s\n", p->start, p->end, (int)p->reason.len,
		       p->reason.ptr);
	}
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		printf("hist\t%s\tcount=%" PRIu64 " sum=%" PRId64 " min=%" PRId64 " max=%" PRId64,
		       gort_trace_hist_kind_name(k), h->count, h->sum, h->min, h->max);
		for (int b = 0; b < GORT_TRACE_HIST_BUCKETS; b++)
			if (h->buckets[b])
				printf(" %d:%" PRIu64, b, h->buckets[b]);
		putchar('\n');
	}
}

static void print_pauses(const gort_trace_summary *s, const char *what, size_t n,
			 const struct gort_trace_pause *(*at)(const gort_trace_summary *, size_t),
			 const struct gort_trace_histogram *h)
{
	int64_t t0 = gort_trace_summary_start_time(s);

	printf("\n%s: %" PRIu64 " completed, total %s, mean %s, p50 <= %s, p99 <= %s, max %s\n", what,
	       h->count, D(h->sum), D(h->count ? h->sum / (int64_t)h->count : 0),
	       D(gort_trace_histogram_quantile(h, 0.5)), D(gort_trace_histogram_quantile(h, 0.99)),
	       D(h->max));
	for (size_t i = 0; i < n && i < 20; i++) {
		const struct gort_trace_pause *p = at(s, i);
		printf("  at %-12s %-12s %.*s\n", D(p->start - t0),
		       p->end ? D(p->end - p->start) : "(open)", (int)p->reason.len, p->reason.ptr);
	}
	if (n > 20)
		printf("  ... %zu more (gort-trace stats --raw lists them all)\n", n - 20);
}

static void print_human(const gort_trace_summary *s, const char *file)
{
	size_t n = gort_trace_summary_group_count(s);
	uint64_t dropped;

	printf("%s: %" PRIu64 " events over %s, %zu goroutines\n\n", file,
	       gort_trace_summary_events(s),
	       D(gort_trace_summary_end_time(s) - gort_trace_summary_start_time(s)),
	       gort_trace_summary_goroutine_count(s));
	printf("Goroutines by start function (as go tool trace groups them), by execution time:\n");
	printf("%-44s %7s %11s %11s %11s %11s %11s %11s\n", "start function", "count", "execution",
	       "sched wait", "blocked", "syscall", "syscall blk", "unknown");
	for (size_t i = 0; i < n; i++) {
		const struct gort_trace_goroutine_group *g = gort_trace_summary_group(s, i);
		char name[45];
		snprintf(name, sizeof(name), "%.*s", (int)g->name.len,
			 g->name.len ? g->name.ptr : "(inactive, no stack trace sampled)");
		printf("%-44s %7" PRIu64 " %11s %11s %11s %11s %11s %11s\n", name, g->count,
		       D(g->exec_time), D(g->sched_wait_time), D(g->block_time), D(g->syscall_time),
		       D(g->syscall_block_time), D(g->unknown_time));
		for (size_t j = 0; j < g->nblock; j++)
			if (g->block[j].ns)
				printf("    blocked: %-40.*s %11s\n", (int)g->block[j].name.len,
				       g->block[j].name.ptr, D(g->block[j].ns));
		for (size_t j = 0; j < g->nrange; j++)
			printf("    in range: %-39.*s %11s\n", (int)g->range[j].name.len,
			       g->range[j].name.ptr, D(g->range[j].ns));
	}
	if (gort_trace_summary_region_count(s)) {
		printf("\nUser regions:\n%-44s %7s %11s %11s %11s %11s\n", "region", "count", "total",
		       "execution", "sched wait", "blocked");
		for (size_t i = 0; i < gort_trace_summary_region_count(s); i++) {
			const struct gort_trace_region_group *r = gort_trace_summary_region(s, i);
			printf("%-44.*s %7" PRIu64 " %11s %11s %11s %11s\n", (int)r->name.len,
			       r->name.len ? r->name.ptr : "(task inherited at creation)", r->count,
			       D(r->total_time), D(r->exec_time), D(r->sched_wait_time),
			       D(r->block_time));
		}
	}
	print_pauses(s, "GC mark phases", gort_trace_summary_gc_count(s, &dropped),
		     gort_trace_summary_gc, gort_trace_summary_histogram(s, GORT_TRACE_HIST_GC));
	print_pauses(s, "Stop-the-world pauses", gort_trace_summary_stw_count(s, &dropped),
		     gort_trace_summary_stw, gort_trace_summary_histogram(s, GORT_TRACE_HIST_STW));
	printf("\nLatency histograms (completed intervals):\n%-8s %10s %11s %11s %11s %11s %11s\n",
	       "", "count", "mean", "p50 <=", "p90 <=", "p99 <=", "max");
	for (int k = 0; k < GORT_TRACE_HIST_KINDS; k++) {
		const struct gort_trace_histogram *h = gort_trace_summary_histogram(s, k);
		printf("%-8s %10" PRIu64 " %11s %11s %11s %11s %11s\n", gort_trace_hist_kind_name(k),
		       h->count, D(h->count ? h->sum / (int64_t)h->count : 0),
		       D(gort_trace_histogram_quantile(h, 0.5)),
		       D(gort_trace_histogram_quantile(h, 0.9)),
		       D(gort_trace_histogram_quantile(h, 0.99)), D(h->max));
	}
}

/*
 * Like go tool trace, a trace that breaks off is summarized up to the break
 * (with a warning); it fails only when nothing could be read.
 */
static int stats_main(int argc, char **argv)
{
	const struct gort_trace_event *ev;
	gort_trace_event_iter *it = NULL;
	gort_trace_summary *s = NULL;
	gort_trace *t = NULL;
	const char *file = argv[argc - 1];
	int raw = argc == 2 && !strcmp(argv[0], "--raw"), rc;

	if (argc != 1 && !raw) {
		usage(stderr);
		return 2;
	}
	if (gort_trace_open(&t, file, NULL) || gort_trace_event_iter_new(&it, t) ||
	    gort_trace_summary_new(&s, NULL))
		goto err;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0)
		if (gort_trace_summary_add(s, ev))
			goto err;
	if (rc != GORT_EEND) {
		if (!s || gort_trace_summary_events(s) == 0)
			goto err;
		fail(file);
		fprintf(stderr, "gort-trace: summarizing the events before the error\n");
	}
	if (gort_trace_summary_finish(s))
		goto err;
	if (raw)
		print_raw(s);
	else
		print_human(s, file);
	gort_trace_summary_free(s);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return fflush(stdout) ? 1 : 0;
err:
	rc = fail(file);
	gort_trace_summary_free(s);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc;
}

static int write_file(const void *buf, size_t n, void *arg)
{
	return fwrite(buf, 1, n, arg) == n ? 0 : GORT_EIO;
}

static int export_main(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *fmt = NULL;
	gort_trace_summary *s = NULL;
	gort_trace *t = NULL;
	FILE *f = stdout;
	int format, rc;

	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "--format=", 9))
			fmt = argv[i] + 9;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			file = NULL, i = argc;
	}
	if (!file || !fmt) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(fmt, "perfetto") || !strcmp(fmt, "json"))
		format = GORT_TRACE_EXPORT_PERFETTO;
	else if (!strcmp(fmt, "csv"))
		format = GORT_TRACE_EXPORT_CSV;
	else if (!strcmp(fmt, "goroutines-csv"))
		format = GORT_TRACE_EXPORT_GOROUTINES_CSV;
	else {
		fprintf(stderr, "gort-trace: unknown format %s\n", fmt);
		return 2;
	}
	if (gort_trace_open(&t, file, NULL))
		return fail(file);
	if (out && !(f = fopen(out, "w"))) {
		perror(out);
		gort_trace_close(t);
		return 1;
	}
	if (format == GORT_TRACE_EXPORT_GOROUTINES_CSV)
		rc = gort_trace_summarize(&s, t, NULL) || gort_trace_summary_write_csv(s, write_file, f);
	else
		rc = gort_trace_export(t, format, write_file, f);
	if (rc)
		rc = fail(file);
	if ((f != stdout ? fclose(f) : fflush(f)) && !rc) {
		perror(out ? out : "stdout");
		rc = 1;
	}
	gort_trace_summary_free(s);
	gort_trace_close(t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("gort-trace (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "count"))
		return count(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "stats"))
		return stats_main(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "export"))
		return export_main(argc - 2, argv + 2);
	usage(stderr);
	return 2;
}
