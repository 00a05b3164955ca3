/*
 * Test helper: the merged, post-processed events of an old trace (before
 * their conversion), one line each, in the form tests/trace/v1ref prints
 * Go 1.21's internal/trace events: check-old.sh compares the two for the
 * formats only Go 1.21 reads (1.5-1.10).
 *
 *   old-v1dump TRACE
 */
#include "trace/old.h"
#include "trace/reader.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct gort_tgen tab = {0};
	struct gort_old *o = NULL;
	struct gort_v1ev ev;
	gort_trace *t = NULL;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: old-v1dump TRACE\n");
		return 2;
	}
	if ((rc = gort_trace_open(&t, argv[1], NULL)) ||
	    (t->version >= 22 && (rc = GORT_EUNSUPPORTED)) ||
	    (rc = gort__old_new(&o, &t->src.view, t->version, &tab, NULL))) {
		printf("error: %s\n", gort_last_error()->message);
		goto out;
	}
	while ((rc = gort__old_next_v1(o, &ev)) == 0)
		printf("%lld %s p=%d g=%llu stk=%u args=%llu,%llu,%llu\n", (long long)ev.ts,
		       gort__v1_desc(ev.type)->name, (int)ev.p, (unsigned long long)ev.g, ev.stk,
		       (unsigned long long)ev.args[0], (unsigned long long)ev.args[1],
		       (unsigned long long)ev.args[2]);
	if (rc != GORT_EEND)
		printf("error: %s\n", gort_last_error()->message);
out:
	gort__old_free(o);
	gort__tgen_free(&tab);
	gort_trace_close(t);
	return 0;
}
