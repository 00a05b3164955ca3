#include "idmap.h"

#include "../common/internal.h"

#include <string.h>

static size_t slot(uint64_t key, size_t cap)
{
	/* splitmix64 finalizer: IDs are often dense, PCs share high bits. */
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9ull;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebull;
	key ^= key >> 31;
	return (size_t)key & (cap - 1);
}

uint64_t *gort__idmap_get(const struct gort_idmap *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = slot(key, m->cap); m->ents[i].used; i = (i + 1) & (m->cap - 1))
		if (m->ents[i].key == key)
			return &m->ents[i].val;
	return NULL;
}

static int grow(struct gort_idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct gort_idmap_ent *ne = gort__calloc(ncap, sizeof(*ne));

	if (!ne)
		return gort__fail(GORT_ENOMEM, "out of memory growing a map to %zu entries", ncap);
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->ents[i].used)
			continue;
		for (j = slot(m->ents[i].key, ncap); ne[j].used; j = (j + 1) & (ncap - 1))
			;
		ne[j] = m->ents[i];
	}
	gort__free(m->ents);
	m->ents = ne;
	m->cap = ncap;
	return 0;
}

int gort__idmap_put(struct gort_idmap *m, uint64_t key, uint64_t **val)
{
	size_t i;
	int rc;

	if ((*val = gort__idmap_get(m, key)))
		return 0;
	if ((m->len + 1) * 4 > m->cap * 3 && (rc = grow(m)))
		return rc;
	for (i = slot(key, m->cap); m->ents[i].used; i = (i + 1) & (m->cap - 1))
		;
	m->ents[i].used = true;
	m->ents[i].key = key;
	m->ents[i].val = 0;
	m->len++;
	*val = &m->ents[i].val;
	return 1;
}

bool gort__idmap_del(struct gort_idmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, i, j;
	uint64_t *v = gort__idmap_get(m, key);

	if (!v)
		return false;
	i = (size_t)((struct gort_idmap_ent *)(void *)((char *)v - offsetof(struct gort_idmap_ent, val)) - m->ents);
	/* Backward-shift: move later entries of the cluster into the hole. */
	for (j = (i + 1) & mask; m->ents[j].used; j = (j + 1) & mask) {
		size_t home = slot(m->ents[j].key, m->cap);
		/* Entry j may move to i if its home is not in (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->ents[i] = m->ents[j];
			i = j;
		}
	}
	m->ents[i].used = false;
	m->len--;
	return true;
}

void gort__idmap_clear(struct gort_idmap *m)
{
	if (m->cap)
		memset(m->ents, 0, m->cap * sizeof(*m->ents));
	m->len = 0;
}

void gort__idmap_free(struct gort_idmap *m)
{
	gort__free(m->ents);
	memset(m, 0, sizeof(*m));
}
