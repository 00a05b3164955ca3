/*
 * Every allocation of the library goes through here: one place to count or
 * fail them.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

void *gort__malloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *gort__calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void *gort__realloc(void *p, size_t n)
{
	return realloc(p, n ? n : 1);
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
