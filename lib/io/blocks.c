#include "blocks.h"

#include <string.h>

int gort__blocks_init(struct gort_blocks *b, size_t nslots, size_t size,
		      gort_blocks_fetch fetch, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->tag = gort__malloc(nslots * sizeof(*b->tag));
	/* Pages of the data come in as blocks are first filled: an input
	   read a little costs a little. */
	b->data = gort__malloc(nslots * size);
	if (!b->tag || !b->data) {
		gort__blocks_free(b);
		return gort__fail(GORT_ENOMEM, "out of memory for a cache of %zu blocks of %zu bytes",
				  nslots, size);
	}
	b->nslots = nslots;
	b->size = size;
	b->fetch = fetch;
	b->ctx = ctx;
	gort__blocks_forget(b);
	return 0;
}

void gort__blocks_free(struct gort_blocks *b)
{
	gort__free(b->tag);
	gort__free(b->data);
	memset(b, 0, sizeof(*b));
}

void gort__blocks_forget(struct gort_blocks *b)
{
	for (size_t i = 0; i < b->nslots; i++)
		b->tag[i] = UINT64_MAX;
}

int gort__blocks_read(struct gort_blocks *b, uint64_t off, uint8_t *buf,
		      size_t n, size_t *got)
{
	uint64_t base = off & ~(uint64_t)(b->size - 1), in = b->size - (off - base);
	size_t slot = (size_t)(base / b->size) & (b->nslots - 1);
	uint8_t *p = b->data + slot * b->size;
	int rc;

	if (b->tag[slot] != base) {
		/* Untagged while it is filled: a failed fetch leaves no
		   half-read block behind. */
		b->tag[slot] = UINT64_MAX;
		if ((rc = b->fetch(b->ctx, base, p, b->size)))
			return rc;
		b->tag[slot] = base;
		b->misses++;
	}
	*got = n < in ? n : (size_t)in;
	memcpy(buf, p + (off - base), *got);
	return 0;
}
