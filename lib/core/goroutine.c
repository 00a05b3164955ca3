/*
 * Goroutines of a core: runtime.allgs in order, each runtime.g decoded
 * into a gort_goroutine. Mirrors what runtime/traceback.go's
 * tracebackothers and goroutineheader read: status (g.atomicstatus,
 * named by the binary's gStatusStrings), wait reason (waitReasonStrings),
 * g.m, g.lockedm, g.gopc/parentGoid (printcreatedby), g.labels.
 */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds against a corrupt core: more than this is not a real process. */
#define MAX_GOROUTINES (64u << 20)
#define MAX_LABELS 4096u
#define MAX_LABEL_BYTES (1u << 20)
#define MAX_NAME 128

/* _Gsyscall, _Gwaiting, _Gdead (runtime/runtime2.go, the same in every
   release). */
#define G_SYSCALL 3u
#define G_WAITING 4u
#define G_DEAD 6u

struct gort_goroutine_iter {
	gort_core *core;
	uint64_t allgs, n, next;
	struct gort_goroutine cur;
	char state[MAX_NAME], reason[MAX_NAME];
	/* Label strings, copied out of the core into one arena. */
	char *arena;
	size_t arena_len, arena_cap;
	struct gort_label *labels;
	size_t *label_offs; /* 4 per label: key off/len, value off/len */
	size_t nlabels, labels_cap;
};

int gort_goroutine_iter_new(gort_goroutine_iter **out, gort_core *core)
{
	gort_goroutine_iter *it;
	uint64_t ptr, len;
	int rc;

	if (!out || !core)
		return gort__fail(GORT_EINVAL, "gort_goroutine_iter_new: NULL argument");
	*out = NULL;
	if ((rc = gort__rt_load(core)))
		return rc;
	/* A core file's clock is estimated (clock.c) before the first
	   goroutine is decoded: wait_ns needs it. Without an estimate the
	   waits are unknown (-1), except out of memory, which would make a
	   wrong answer of a missing one. */
	if ((rc = gort__core_clock(core)) == GORT_ENOMEM)
		return rc;
	if (core->pid)
		gort__live_forget(core); /* a new listing reads memory anew */
	if ((rc = gort__core_uptr(core, core->rt.allgs, &ptr)) ||
	    (rc = gort__core_uptr(core, core->rt.allgs + core->ptr_size, &len)))
		return rc;
	if (len > MAX_GOROUTINES)
		return gort__fail_addr(GORT_EFORMAT, core->rt.allgs,
				       "core: runtime.allgs claims %llu goroutines",
				       (unsigned long long)len);
	if (!(it = gort__calloc(1, sizeof(*it))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	it->core = core;
	it->allgs = ptr;
	it->n = len;
	*out = it;
	return 0;
}

void gort_goroutine_iter_free(gort_goroutine_iter *it)
{
	if (!it)
		return;
	gort__free(it->arena);
	gort__free(it->labels);
	gort__free(it->label_offs);
	gort__free(it);
}

static int rd(gort_core *c, uint64_t g, const struct gort__fld *f, uint64_t *v)
{
	*v = 0;
	if (!f->ok)
		return 0;
	return gort__core_uint(c, g + f->off, f->size > 8 ? 8 : f->size, v);
}

/* Copy a Go string (ptr, len) into the arena; returns its offset. */
static int copy_str(gort_goroutine_iter *it, uint64_t p, uint64_t len, size_t *off)
{
	if (len > MAX_LABEL_BYTES || it->arena_len + len > MAX_LABEL_BYTES)
		return gort__fail_addr(GORT_EFORMAT, p, "core: label string of %llu bytes",
				       (unsigned long long)len);
	*off = it->arena_len;
	if (len == 0) /* the arena may not exist yet: no pointer arithmetic on NULL */
		return 0;
	if (it->arena_len + len > it->arena_cap) {
		size_t cap = (it->arena_len + len) * 2 + 64;
		char *a = gort__realloc(it->arena, cap);
		if (!a)
			return gort__fail(GORT_ENOMEM, "out of memory");
		it->arena = a;
		it->arena_cap = cap;
	}
	it->arena_len += len;
	return gort__core_read(it->core, p, it->arena + *off, (size_t)len);
}

static int add_label(gort_goroutine_iter *it, uint64_t kp, uint64_t kl,
		     uint64_t vp, uint64_t vl)
{
	size_t *o;

	if (it->nlabels >= MAX_LABELS)
		return gort__fail(GORT_EFORMAT, "core: more than %u labels", MAX_LABELS);
	if (it->nlabels == it->labels_cap) {
		size_t cap = it->labels_cap * 2 + 8;
		size_t *no = gort__realloc(it->label_offs, cap * 4 * sizeof(*no));
		if (!no)
			return gort__fail(GORT_ENOMEM, "out of memory");
		it->label_offs = no;
		it->labels_cap = cap;
	}
	o = &it->label_offs[it->nlabels * 4];
	o[1] = (size_t)kl;
	o[3] = (size_t)vl;
	it->nlabels++;
	int rc = copy_str(it, kp, kl, &o[0]);
	return rc ? rc : copy_str(it, vp, vl, &o[2]);
}

/* Go 1.24+: labels point to a struct whose first field is []{key, value}. */
static int labels_slice(gort_goroutine_iter *it, uint64_t p)
{
	gort_core *c = it->core;
	uint64_t w = c->ptr_size, arr, n, i, e[4];
	int rc;

	if ((rc = gort__core_uptr(c, p, &arr)) || (rc = gort__core_uptr(c, p + w, &n)))
		return rc;
	if (n > MAX_LABELS)
		return gort__fail_addr(GORT_EFORMAT, p, "core: %llu labels",
				       (unsigned long long)n);
	for (i = 0; i < n; i++) {
		for (int k = 0; k < 4; k++)
			if ((rc = gort__core_uptr(c, arr + (i * 4 + (uint64_t)k) * w, &e[k])))
				return rc;
		if ((rc = add_label(it, e[0], e[1], e[2], e[3])))
			return rc;
	}
	return 0;
}

/*
 * Up to Go 1.23: labels point to a map[string]string variable. The map is
 * a runtime.hmap (runtime/map.go: count, flags, B, noverflow, hash0,
 * buckets, oldbuckets, ...) of buckets holding 8 tophash bytes, 8 keys,
 * 8 values and an overflow pointer. A slot is live when its tophash is at
 * least minTopHash (5); while the map grows, live slots are in either
 * array, evacuated ones are marked in the old one.
 */
static int labels_buckets(gort_goroutine_iter *it, uint64_t b, uint64_t nb)
{
	gort_core *c = it->core;
	uint64_t w = c->ptr_size, bsize = 8 + 32 * w + w, budget = 1u << 16;
	int rc;

	for (uint64_t i = 0; i < nb; i++) {
		uint64_t bk = b + i * bsize;
		while (bk && budget--) {
			uint8_t top[8];
			if ((rc = gort__core_read(c, bk, top, 8)))
				return rc;
			for (uint64_t s = 0; s < 8; s++) {
				uint64_t e[4];
				if (top[s] < 5)
					continue;
				uint64_t k = bk + 8 + s * 2 * w, v = bk + 8 + 16 * w + s * 2 * w;
				if ((rc = gort__core_uptr(c, k, &e[0])) ||
				    (rc = gort__core_uptr(c, k + w, &e[1])) ||
				    (rc = gort__core_uptr(c, v, &e[2])) ||
				    (rc = gort__core_uptr(c, v + w, &e[3])) ||
				    (rc = add_label(it, e[0], e[1], e[2], e[3])))
					return rc;
			}
			if ((rc = gort__core_uptr(c, bk + 8 + 32 * w, &bk)))
				return rc;
		}
	}
	return 0;
}

static int labels_map(gort_goroutine_iter *it, uint64_t p)
{
	gort_core *c = it->core;
	uint64_t w = c->ptr_size, h, bb, buckets, old;
	int rc;

	if ((rc = gort__core_uptr(c, p, &h)) || !h)
		return rc;
	if ((rc = gort__core_uint(c, h + w + 1, 1, &bb)) ||
	    (rc = gort__core_uptr(c, h + w + 8, &buckets)) ||
	    (rc = gort__core_uptr(c, h + 2 * w + 8, &old)))
		return rc;
	if (bb > 16)
		return gort__fail_addr(GORT_EFORMAT, h, "core: label map with 2^%llu buckets",
				       (unsigned long long)bb);
	if (buckets && (rc = labels_buckets(it, buckets, 1ull << bb)))
		return rc;
	return old && bb ? labels_buckets(it, old, 1ull << (bb - 1)) : 0;
}

static int labelcmp(const void *a, const void *b)
{
	const struct gort_label *x = a, *y = b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int d = n ? memcmp(x->key.ptr, y->key.ptr, n) : 0;

	return d ? d : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static int read_labels(gort_goroutine_iter *it, uint64_t p)
{
	int rc;

	it->nlabels = 0;
	it->arena_len = 0;
	if (!p)
		return 0;
	/* Before 1.24 the variable held a map; from 1.24 a sorted slice. */
	if (it->core->rt.labels_kind == GORT_LABELS_SLICE)
		rc = labels_slice(it, p);
	else if (it->core->rt.labels_kind == GORT_LABELS_MAP)
		rc = labels_map(it, p);
	else
		return gort__fail_addr(GORT_EUNSUPPORTED, p,
				       "core: labels of a release whose representation is unknown");
	if (rc)
		return rc;
	if (it->nlabels) {
		struct gort_label *l = gort__realloc(it->labels, it->nlabels * sizeof(*l));
		if (!l)
			return gort__fail(GORT_ENOMEM, "out of memory");
		it->labels = l;
		/* Labels that are all "" leave no arena: offsets are 0 then. */
		const char *arena = it->arena ? it->arena : "";
		for (size_t i = 0; i < it->nlabels; i++) {
			const size_t *o = &it->label_offs[i * 4];
			l[i].key = gort__str(arena + o[0], o[1]);
			l[i].value = gort__str(arena + o[2], o[3]);
		}
		qsort(l, it->nlabels, sizeof(*l), labelcmp);
	}
	it->cur.labels = it->labels;
	it->cur.nlabels = it->nlabels;
	return 0;
}

/*
 * Function, file and line of a creating PC, as printcreatedby1 prints
 * them; left empty for a PC the table does not place. GORT_ENOMEM is
 * passed on (an empty creator would be a wrong answer).
 */
static int creator(gort_core *c, struct gort_goroutine *g)
{
	struct gort_frame fr[16];
	struct gort_func f;
	size_t n;
	uint64_t pc = g->creator_pc - c->bias;
	int rc;

	if (!g->creator_pc)
		return 0;
	if ((rc = gort_pclntab_find_func(c->tab, pc, &f)))
		return rc == GORT_ENOMEM ? rc : 0;
	g->creator_func = f.name;
	g->creator_entry = f.entry + c->bias;
	if (pc > f.entry)
		pc--;
	if ((rc = gort_pclntab_lookup(c->tab, pc, fr, GORT_ARRAY_SIZE(fr), &n)))
		return rc == GORT_ENOMEM ? rc : 0;
	if (n) {
		g->creator_file = fr[0].file;
		g->creator_line = fr[0].line;
	}
	return 0;
}

/*
 * A name from the layout's tables, else `none`; GORT_ENOMEM passed on
 * (loading the binary's table ran out: "none" would be a wrong answer).
 */
static int name(char *buf, size_t cap, int rc, struct gort_str s, const char *none)
{
	if (rc == GORT_ENOMEM)
		return rc;
	if (rc || !s.ptr) {
		snprintf(buf, cap, "%s", none);
		return 0;
	}
	if (s.len >= cap)
		s.len = cap - 1;
	memcpy(buf, s.ptr, s.len);
	buf[s.len] = 0;
	return 0;
}

static int decode(gort_goroutine_iter *it, uint64_t gp)
{
	gort_core *c = it->core;
	const struct gort__rt *r = &c->rt;
	struct gort_goroutine *g = &it->cur;
	uint64_t v, m;
	uint32_t st;
	struct gort_func f;
	struct gort_str s = {NULL, 0};
	int rc;

	memset(g, 0, sizeof(*g));
	g->addr = gp;
	g->m_id = -1;
	g->state = it->state;
	g->wait_reason = it->reason;
	if ((rc = rd(c, gp, &r->g_goid, &g->id)) || (rc = rd(c, gp, &r->g_status, &v)))
		return rc;
	g->status = (uint32_t)v;
	g->scan = (g->status & GORT_G_SCAN) != 0;
	if ((rc = name(it->state, sizeof(it->state),
		       gort_layout_status_name(c->lay, g->status, &s, NULL), s, "???")) ||
	    (rc = rd(c, gp, &r->g_waitreason, &v)) ||
	    (rc = name(it->reason, sizeof(it->reason),
		       v ? gort_layout_wait_reason(c->lay, (unsigned)v, &s, NULL) : GORT_ENOTFOUND,
		       s, "")))
		return rc;
	if ((rc = rd(c, gp, &r->g_waitsince, &v)))
		return rc;
	g->wait_since = (int64_t)v;
	g->wait_ns = -1;
	/* runtime/traceback.go: goroutineheader's waitfor. */
	st = g->status & ~GORT_G_SCAN;
	if ((st == G_WAITING || st == G_SYSCALL) && g->wait_since > 0 && c->now &&
	    c->now >= g->wait_since)
		g->wait_ns = c->now - g->wait_since;
	if ((rc = rd(c, gp, &r->g_lockedm, &v)))
		return rc;
	g->locked_to_thread = v != 0;
	if ((rc = rd(c, gp, &r->g_m, &m)))
		return rc;
	if (m) {
		if ((rc = rd(c, m, &r->m_id, &v)))
			return rc;
		g->m_id = (int64_t)v;
		if ((rc = rd(c, m, &r->m_procid, &v)))
			return rc;
		g->thread_id = (int64_t)v;
	}
	if ((rc = rd(c, gp, &r->g_startpc, &g->start_pc)) ||
	    (rc = rd(c, gp, &r->g_gopc, &g->creator_pc)) ||
	    (rc = rd(c, gp, &r->g_parent, &g->creator_id)) ||
	    (rc = rd(c, gp, &r->g_stack_lo, &g->stack_lo)) ||
	    (rc = rd(c, gp, &r->g_stack_hi, &g->stack_hi)))
		return rc;
	if (g->start_pc) {
		if (!(rc = gort_pclntab_find_func(c->tab, g->start_pc - c->bias, &f)))
			g->start_func = f.name;
		else if (rc == GORT_ENOMEM)
			return rc;
	}
	if ((rc = creator(c, g)) || (rc = rd(c, gp, &r->g_labels, &v)))
		return rc;
	return read_labels(it, v);
}

/*
 * Goroutines tracebackothers skips: _Gdead, and from Go 1.27 _Gdeadextra
 * (a dead g kept for cgo callbacks), which the binary's status table names
 * "waiting for cgo callback". 1 dead, 0 not, or GORT_ENOMEM (the binary's
 * status table could not be loaded: guessing either way would be wrong).
 */
static int dead(gort_core *c, uint32_t st)
{
	struct gort_str s;
	int rc;

	st &= ~GORT_G_SCAN;
	if (st == G_DEAD)
		return 1;
	if (st < G_DEAD)
		return 0;
	rc = gort_layout_status_name(c->lay, st, &s, NULL);
	if (rc == GORT_ENOMEM)
		return rc;
	return !rc && gort__str_eq(s, "waiting for cgo callback");
}

int gort_goroutine_iter_next(gort_goroutine_iter *it,
			     const struct gort_goroutine **out)
{
	if (!it || !out)
		return gort__fail(GORT_EINVAL, "gort_goroutine_iter_next: NULL argument");
	while (it->next < it->n) {
		gort_core *c = it->core;
		uint64_t gp, st;
		int rc = gort__core_uptr(c, it->allgs + it->next++ * c->ptr_size, &gp);

		if (rc)
			return rc;
		if (!gp)
			continue;
		if ((rc = rd(c, gp, &c->rt.g_status, &st)))
			return rc;
		if ((rc = dead(c, (uint32_t)st)) < 0)
			return rc;
		if (rc)
			continue;
		if ((rc = decode(it, gp)))
			return rc;
		*out = &it->cur;
		return 0;
	}
	return GORT_EEND;
}

/* Entries of runtime.allgs visited (dead ones included) of all of them. */
int gort_goroutine_iter_progress(const gort_goroutine_iter *it, uint64_t *done,
				 uint64_t *total)
{
	if (!it || !done || !total)
		return gort__fail(GORT_EINVAL, "gort_goroutine_iter_progress: NULL argument");
	*done = it->next;
	*total = it->n;
	return 0;
}
