#include "strtab.h"

#include "../common/internal.h"

#include <string.h>

static uint64_t hash(struct gort_str s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (unsigned char)s.ptr[i]) * 0x100000001b3ull;
	return h;
}

static int add(struct gort_istrs *t, struct gort_str s, uint32_t next)
{
	char *p;

	if (t->n == t->cap) {
		uint32_t ncap = t->cap ? t->cap * 2 : 64;
		struct gort_str *ns;
		uint32_t *nn;
		if (ncap > (1u << 31))
			return gort__fail(GORT_ETOOLARGE, "trace summary: too many distinct strings");
		ns = gort__realloc(t->strs, ncap * sizeof(*ns));
		if (!ns)
			return gort__fail(GORT_ENOMEM, "out of memory");
		t->strs = ns;
		nn = gort__realloc(t->next, ncap * sizeof(*nn));
		if (!nn)
			return gort__fail(GORT_ENOMEM, "out of memory");
		t->next = nn;
		t->cap = ncap;
	}
	if (!(p = gort__strndup(s.len ? s.ptr : "", s.len)))
		return GORT_ENOMEM;
	t->strs[t->n] = gort__str(p, s.len);
	t->next[t->n] = next;
	t->n++;
	return 0;
}

int gort__istr_init(struct gort_istrs *t)
{
	memset(t, 0, sizeof(*t));
	return add(t, gort__str("", 0), 0);
}

int gort__istr_intern(struct gort_istrs *t, struct gort_str s, uint32_t *idx)
{
	uint64_t *head;
	uint32_t i;
	int rc;

	if (s.len == 0) {
		*idx = 0;
		return 0;
	}
	/* A new hash starts with an empty chain (0). */
	if ((rc = gort__idmap_put(&t->heads, hash(s), &head)) < 0)
		return rc;
	for (i = (uint32_t)*head; i; i = t->next[i])
		if (t->strs[i].len == s.len && !memcmp(t->strs[i].ptr, s.ptr, s.len)) {
			*idx = i;
			return 0;
		}
	/* New: it becomes the head of its hash's chain. */
	i = t->n;
	if ((rc = add(t, s, (uint32_t)*head)))
		return rc;
	*head = i;
	*idx = i;
	return 0;
}

void gort__istr_free(struct gort_istrs *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		gort__free((void *)t->strs[i].ptr);
	gort__free(t->strs);
	gort__free(t->next);
	gort__idmap_free(&t->heads);
	memset(t, 0, sizeof(*t));
}
