/*
 * A hash map from uint64 keys (goroutine, proc, thread, task, string and
 * stack IDs, PCs) to uint64 values: open addressing with linear probing
 * and backward-shift deletion, so it never accumulates tombstones.
 * Go's reader uses Go maps for the same tables (order.go, base.go).
 */
#ifndef GORT_TRACE_IDMAP_H
#define GORT_TRACE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gort_idmap_ent {
	uint64_t key;
	uint64_t val;
	bool used;
};

struct gort_idmap {
	struct gort_idmap_ent *ents;
	size_t cap; /* power of two, or 0 */
	size_t len;
};

/* Pointer to the value of key, or NULL. Invalidated by put. */
uint64_t *gort__idmap_get(const struct gort_idmap *m, uint64_t key);
/*
 * Insert key (value 0) if absent; *val points at its value (invalidated by
 * the next put). Returns 1 if inserted, 0 if present, GORT_ENOMEM.
 */
int gort__idmap_put(struct gort_idmap *m, uint64_t key, uint64_t **val);
/* Remove key; returns whether it was present. */
bool gort__idmap_del(struct gort_idmap *m, uint64_t key);
void gort__idmap_clear(struct gort_idmap *m);
void gort__idmap_free(struct gort_idmap *m);

#endif
