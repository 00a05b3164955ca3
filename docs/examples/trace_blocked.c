/*
 * Read an execution trace event by event: how many times a goroutine
 * blocked (docs/traces.md). Build against an installed libgoinspect:
 *   cc trace_blocked.c $(pkg-config --cflags --libs goinspect) -o trace_blocked
 *   ./trace_blocked trace.out
 */
#include <gort/gort.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	gort_trace *t = NULL;
	gort_trace_event_iter *it = NULL;
	const struct gort_trace_event *ev;
	unsigned long long blocked = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TRACE\n", argv[0]);
		return 2;
	}
	if ((rc = gort_trace_open(&t, argv[1], NULL)) ||
	    (rc = gort_trace_event_iter_new(&it, t)))
		goto out;
	while ((rc = gort_trace_event_iter_next(it, &ev)) == 0) {
		/* ev is borrowed until the next call on it. */
		if (ev->kind == GORT_TRACE_EVENT_STATE_TRANSITION &&
		    ev->u.transition.resource_kind == GORT_TRACE_RESOURCE_GOROUTINE &&
		    ev->u.transition.to == GORT_TRACE_GO_WAITING)
			blocked++;
	}
	if (rc == GORT_EEND) /* the normal end */
		rc = 0;
	else
		goto out;
	printf("%llu times a goroutine blocked\n", blocked);
out:
	if (rc)
		fprintf(stderr, "%s: %s\n", argv[1], gort_last_error()->message);
	gort_trace_event_iter_free(it);
	gort_trace_close(t);
	return rc ? 1 : 0;
}
