/*
 * An intern table for the few distinct strings a summary keeps (block
 * reasons, range and region names, start functions): each string is copied
 * once and named by a small index, so per-goroutine tables hold indexes and
 * compare them as integers. Index 0 is always "".
 */
#ifndef GORT_TRACE_ISTRS_H
#define GORT_TRACE_ISTRS_H

#include "idmap.h"

#include <gort/common.h>

#include <stdint.h>

struct gort_istrs {
	struct gort_str *strs; /* owned copies, NUL-terminated */
	uint32_t *next;        /* collision chain: index of the next with the same hash, or 0 */
	uint32_t n, cap;
	struct gort_idmap heads; /* hash -> first index */
};

int gort__istr_init(struct gort_istrs *t);
/* Index of s, added if new (GORT_ENOMEM, GORT_ETOOLARGE past 2^31 strings). */
int gort__istr_intern(struct gort_istrs *t, struct gort_str s, uint32_t *idx);
static inline struct gort_str gort__istr_get(const struct gort_istrs *t, uint32_t idx)
{
	return t->strs[idx];
}
void gort__istr_free(struct gort_istrs *t);

#endif
