/*
 * gort-trace: read Go execution traces.
 *
 *   gort-trace dump FILE   every ordered event, as `go tool trace -d=parsed`
 *                          (Go 1.26+) prints them
 *   gort-trace count FILE  how many events of each kind (reads and orders
 *                          every event without formatting: a benchmark)
 *
 * Built on the public API only (include/gort/trace.h).
 */
#include <gort/gort.h>

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-trace COMMAND FILE\n"
		   "Read a Go execution trace (runtime/trace; also zstd-compressed).\n"
		   "Commands:\n"
		   "  dump FILE   print every event in order, as `go tool trace -d=parsed` does\n"
		   "  count FILE  count the events of each kind\n"
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
	usage(stderr);
	return 2;
}
