/*
 * Every allocation of the library goes through here: one place to count or
 * fail them.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * Failure injection (gort__alloc_inject): the number of allocations since
 * it was armed, and which one fails (0: disarmed, the normal state, which
 * costs one relaxed load per allocation).
 */
static atomic_long alloc_count, alloc_fail_at;

void gort__alloc_inject(long n)
{
	atomic_store(&alloc_count, 0);
	atomic_store(&alloc_fail_at, n);
}

long gort__alloc_count(void)
{
	return atomic_load(&alloc_count);
}

static bool injected_failure(void)
{
	long at = atomic_load_explicit(&alloc_fail_at, memory_order_relaxed);

	if (!at)
		return false;
	return atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1 == at;
}

void *gort__malloc(size_t n)
{
	return injected_failure() ? NULL : malloc(n ? n : 1);
}

void *gort__calloc(size_t n, size_t size)
{
	return injected_failure() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *gort__realloc(void *p, size_t n)
{
	return injected_failure() ? NULL : realloc(p, n ? n : 1);
}

void gort__free(void *p)
{
	free(p);
}

char *gort__strndup(const char *s, size_t n)
{
	char *d = gort__malloc(n + 1);
	if (!d) {
		gort__fail(GORT_ENOMEM, "out of memory copying %zu bytes", n);
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}
