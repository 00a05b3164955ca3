/*
 * Go's slices.SortFunc, ported exactly (slices/zsortanyfunc.go:
 * pdqsortCmpFunc and helpers). The trace reader sorts its frontier and CPU
 * samples with it; pdqsort is not stable, so only the very same algorithm
 * puts equal timestamps in the same order as Go's reader does.
 */
#ifndef GORT_TRACE_PDQSORT_H
#define GORT_TRACE_PDQSORT_H

#include <stddef.h>

typedef int (*gort__cmp_fn)(const void *a, const void *b);

/* Sort n elements of `size` bytes (at most 64) at base. */
void gort__pdqsort(void *base, size_t n, size_t size, gort__cmp_fn cmp);

#endif
