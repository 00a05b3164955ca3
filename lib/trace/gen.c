/*
 * Reading one generation: batches (internal/trace/batch.go: readBatch) and
 * their structural contents (internal/trace/generation.go: processBatch,
 * addStrings, addStacks, addCPUSamples, setSyncBatch, validateStackStrings,
 * fixUpCPUSamples).
 */
#include "gen.h"

#include "pdqsort.h"
#include "spec.h"

#include <stdio.h>
#include <string.h>

#define MAX_BATCH_SIZE (64u << 10)     /* tracev2.MaxBatchSize */
#define MAX_FRAMES_PER_STACK 128       /* tracev2.MaxFramesPerStack */
#define MAX_TRAILER_DATA (1u << 10)    /* tracev2.MaxEventTrailerDataSize */

int gort__trace_grow(void **p, size_t *cap, size_t need, size_t elsz)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	np = gort__realloc(*p, ncap * elsz);
	if (!np)
		return gort__fail(GORT_ENOMEM, "trace: out of memory (%zu table entries)", ncap);
	*p = np;
	*cap = ncap;
	return 0;
}

#define GROW(arr, n, cap) gort__trace_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr)))

int64_t gort__freq_mul(double freq, uint64_t t)
{
	double x = (double)t * freq;

	/* Out of range (and NaN) converts to INT64_MIN on amd64 (CVTTSD2SI). */
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

/* --- ID tables (base.go: dataTable) --- */

static void idtab_reset(struct gort_idtab *t)
{
	gort__idmap_clear(&t->map);
	gort__free(t->dense);
	t->dense = NULL;
	t->ndense = 0;
}

static void idtab_free(struct gort_idtab *t)
{
	gort__idmap_free(&t->map);
	gort__free(t->dense);
	t->dense = NULL;
	t->ndense = 0;
}

static bool idtab_get(const struct gort_idtab *t, uint64_t id, uint32_t *idx)
{
	const uint64_t *v;

	if (t->dense) {
		if (id < t->ndense && t->dense[id]) {
			*idx = t->dense[id] - 1;
			return true;
		}
		return false;
	}
	v = gort__idmap_get(&t->map, id);
	if (v)
		*idx = (uint32_t)*v;
	return v != NULL;
}

/* 1 if id is taken (id 0 always is), 0 once inserted, or an error. */
static int idtab_insert(struct gort_idtab *t, uint64_t id, uint32_t idx)
{
	uint64_t *v;
	int rc;

	if (id == 0)
		return 1;
	rc = gort__idmap_put(&t->map, id, &v);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return 1;
	*v = idx;
	return 0;
}

/* compactify: switch to a dense array when the IDs are dense enough. */
static void idtab_compact(struct gort_idtab *t)
{
	uint64_t max = 0;
	uint32_t *d;

	if (t->dense || t->map.len == 0)
		return;
	for (size_t i = 0; i < t->map.cap; i++)
		if (t->map.ents[i].used && t->map.ents[i].key > max)
			max = t->map.ents[i].key;
	if (max > 4 * (uint64_t)t->map.len + 64)
		return;
	d = gort__calloc((size_t)max + 1, sizeof(*d));
	if (!d)
		return; /* the map still works */
	for (size_t i = 0; i < t->map.cap; i++)
		if (t->map.ents[i].used)
			d[t->map.ents[i].key] = (uint32_t)t->map.ents[i].val + 1;
	t->dense = d;
	t->ndense = max + 1;
}

bool gort__tgen_string(const struct gort_tgen *g, uint64_t id, struct gort_str *s)
{
	uint32_t idx;

	if (id == 0) {
		*s = gort__str("", 0);
		return true;
	}
	if (!idtab_get(&g->strtab, id, &idx))
		return false;
	*s = g->strs[idx];
	return true;
}

const struct gort_tstack *gort__tgen_stack(const struct gort_tgen *g, uint64_t id,
					   bool *ok)
{
	static const struct gort_tstack empty = {0, 0};
	uint32_t idx;

	*ok = true;
	if (id == 0)
		return &empty;
	if (!idtab_get(&g->stacktab, id, &idx)) {
		*ok = false;
		return &empty;
	}
	return &g->stacks[idx];
}

int gort__tgen_add_extra(struct gort_tgen *g, struct gort_str s, uint64_t *id)
{
	int rc;

	if (s.len == 0) {
		*id = 0;
		return 0;
	}
	if ((rc = GROW(g->extra, g->nextra, g->cap_extra)))
		return rc;
	g->extra[g->nextra++] = s;
	*id = g->nextra;
	return 0;
}

struct gort_str gort__tgen_extra(const struct gort_tgen *g, uint64_t id)
{
	if (id == 0 || id > g->nextra)
		return gort__str("", 0);
	return g->extra[id - 1];
}

void gort__tgen_reset(struct gort_tgen *g)
{
	g->gen = 0;
	g->min_ts = 0;
	g->nbatches = g->nthreads = g->nstrs = g->nstacks = 0;
	g->nstack_frames = g->nframes = g->ncpu = g->nextra = 0;
	gort__idmap_clear(&g->thread_idx);
	gort__idmap_clear(&g->pcs);
	idtab_reset(&g->strtab);
	idtab_reset(&g->stacktab);
	g->freq = 0;
	g->has_snapshot = false;
	g->snap_time = g->snap_mono = 0;
	g->snap_sec = g->snap_nsec = 0;
}

void gort__tgen_free(struct gort_tgen *g)
{
	gort__free(g->batches);
	gort__free(g->threads);
	gort__idmap_free(&g->thread_idx);
	gort__free(g->strs);
	idtab_free(&g->strtab);
	gort__free(g->stacks);
	idtab_free(&g->stacktab);
	gort__free(g->stack_frames);
	gort__free(g->frames);
	gort__idmap_free(&g->pcs);
	gort__free(g->cpu);
	gort__free(g->extra);
	memset(g, 0, sizeof(*g));
}

/* --- batches --- */

static int cursor_fail(struct gort_cursor *c, uint64_t start, const char *what)
{
	return gort__fail_at(c->err == GORT_EFORMAT ? GORT_EFORMAT : GORT_ETRUNCATED,
			     c->v->file_off + c->pos,
			     "trace: batch at offset 0x%llx: error reading %s at offset 0x%llx: %s",
			     (unsigned long long)start, what,
			     (unsigned long long)(c->v->file_off + c->pos),
			     c->err == GORT_EFORMAT ? "varint overflows 64 bits"
						    : "unexpected end of input");
}

int gort__tbatch_read(const struct gort_view *v, uint64_t *pos,
		      struct gort_tbatch *b, uint64_t *gen)
{
	struct gort_cursor c = gort__cursor(v, *pos);
	uint64_t start = v->file_off + *pos, m, ts, size;
	const uint8_t *data;
	uint8_t typ;

	memset(b, 0, sizeof(*b));
	b->next = UINT32_MAX;
	*gen = 0;
	if (*pos >= v->size)
		return GORT_EEND;
	typ = gort__cur_u8(&c);
	if (typ == EV_END_OF_GENERATION) {
		b->m = -1;
		b->end_of_gen = true;
		b->off = start;
		*pos = c.pos;
		return 0;
	}
	if (typ != EV_EVENT_BATCH && typ != EV_EXPERIMENTAL_BATCH)
		return gort__fail_at(GORT_EFORMAT, start,
				     "trace: expected batch event, got event %u at offset 0x%llx",
				     typ, (unsigned long long)start);
	if (typ == EV_EXPERIMENTAL_BATCH) {
		/* Go returns the bare io.EOF here: the trace simply ends. */
		if (c.pos >= v->size)
			return GORT_EEND;
		b->exp = gort__cur_u8(&c);
	}
	*gen = gort__cur_uvarint(&c);
	if (c.err)
		return cursor_fail(&c, start, "batch gen");
	m = gort__cur_uvarint(&c);
	if (c.err)
		return cursor_fail(&c, start, "batch M ID");
	ts = gort__cur_uvarint(&c);
	if (c.err)
		return cursor_fail(&c, start, "batch timestamp");
	size = gort__cur_uvarint(&c);
	if (c.err)
		return cursor_fail(&c, start, "batch size");
	if (size > MAX_BATCH_SIZE)
		return gort__fail_at(GORT_EFORMAT, start,
				     "trace: batch at offset 0x%llx: invalid batch size %llu, maximum is %u",
				     (unsigned long long)start, (unsigned long long)size,
				     MAX_BATCH_SIZE);
	b->off = v->file_off + c.pos;
	data = gort__cur_bytes(&c, size);
	if (!data)
		return gort__fail_at(GORT_ETRUNCATED, start,
				     "trace: batch at offset 0x%llx: failed to read full batch: read %llu but wanted %llu",
				     (unsigned long long)start,
				     (unsigned long long)(v->size - (b->off - v->file_off)),
				     (unsigned long long)size);
	b->m = (int64_t)m;
	b->time = ts;
	b->data = data;
	b->len = (uint32_t)size;
	*pos = c.pos;
	return 0;
}

static bool first_is(const struct gort_tbatch *b, unsigned typ)
{
	return b->exp == 0 && b->len > 0 && b->data[0] == typ;
}

/* A cursor over a batch's bytes, for the structural batches. */
struct bcur {
	struct gort_view v;
	struct gort_cursor c;
	const struct gort_tbatch *b;
};

static void bcur_init(struct bcur *bc, const struct gort_tbatch *b, const char *what)
{
	bc->v = gort__view_make(b->data, b->len, what);
	bc->v.file_off = b->off;
	bc->c = gort__cursor(&bc->v, 1); /* past the batch-kind byte */
	bc->b = b;
}

static int bcur_fail(struct bcur *bc, const char *fmt, unsigned long long a)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, a);
	return gort__fail_at(GORT_EFORMAT,
			     bc->v.file_off + bc->c.pos,
			     "trace: %s batch at offset 0x%llx: %s at offset 0x%llx",
			     bc->v.what, (unsigned long long)bc->b->off, msg,
			     (unsigned long long)(bc->v.file_off + bc->c.pos));
}

static int add_strings(struct gort_tgen *g, const struct gort_tbatch *b)
{
	struct bcur bc;
	int rc;

	bcur_init(&bc, b, "strings");
	while (bc.c.pos < bc.v.size) {
		uint8_t ev = gort__cur_u8(&bc.c);
		uint64_t id, len;
		const uint8_t *p;

		if (ev != EV_STRING)
			return bcur_fail(&bc, "expected string event, got %llu", ev);
		id = gort__cur_uvarint(&bc.c);
		len = gort__cur_uvarint(&bc.c);
		if (bc.c.err)
			return bcur_fail(&bc, "bad string header%.0llu", 0);
		if (len > MAX_TRAILER_DATA)
			return bcur_fail(&bc, "invalid string size %llu, maximum is 1024", len);
		p = gort__cur_bytes(&bc.c, len);
		if (!p)
			return bcur_fail(&bc, "failed to read full string of %llu bytes", len);
		if ((rc = GROW(g->strs, g->nstrs, g->cap_strs)))
			return rc;
		rc = idtab_insert(&g->strtab, id, (uint32_t)g->nstrs);
		if (rc < 0)
			return rc;
		if (rc)
			return bcur_fail(&bc, "multiple strings with the same ID: id=%llu", id);
		g->strs[g->nstrs++] = gort__str((const char *)p, len);
	}
	return 0;
}

static int add_frame(struct gort_tgen *g, uint64_t pc, uint64_t func,
		     uint64_t file, uint64_t line, uint32_t *idx)
{
	uint64_t *v;
	int rc = gort__idmap_put(&g->pcs, pc, &v);

	if (rc < 0)
		return rc;
	if (rc == 0) { /* first seen wins, as in addStacks */
		*idx = (uint32_t)*v;
		return 0;
	}
	if ((rc = GROW(g->frames, g->nframes, g->cap_frames)))
		return rc;
	*v = g->nframes;
	*idx = (uint32_t)g->nframes;
	g->frames[g->nframes++] = (struct gort_tframe){pc, func, file, line};
	return 0;
}

static int add_stacks(struct gort_tgen *g, const struct gort_tbatch *b)
{
	struct bcur bc;
	int rc;

	bcur_init(&bc, b, "stacks");
	while (bc.c.pos < bc.v.size) {
		uint8_t ev = gort__cur_u8(&bc.c);
		uint64_t id, n;
		struct gort_tstack st;

		if (ev != EV_STACK)
			return bcur_fail(&bc, "expected stack event, got %llu", ev);
		id = gort__cur_uvarint(&bc.c);
		n = gort__cur_uvarint(&bc.c);
		if (bc.c.err)
			return bcur_fail(&bc, "bad stack header%.0llu", 0);
		if (n > MAX_FRAMES_PER_STACK)
			return bcur_fail(&bc, "invalid stack size %llu, maximum is 128", n);
		st.first = (uint32_t)g->nstack_frames;
		st.n = (uint32_t)n;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t pc = gort__cur_uvarint(&bc.c);
			uint64_t func = gort__cur_uvarint(&bc.c);
			uint64_t file = gort__cur_uvarint(&bc.c);
			uint64_t line = gort__cur_uvarint(&bc.c);
			uint32_t idx;

			if (bc.c.err)
				return bcur_fail(&bc, "reading frame %llu", i + 1);
			if ((rc = add_frame(g, pc, func, file, line, &idx)))
				return rc;
			if ((rc = GROW(g->stack_frames, g->nstack_frames, g->cap_stack_frames)))
				return rc;
			g->stack_frames[g->nstack_frames++] = idx;
		}
		if ((rc = GROW(g->stacks, g->nstacks, g->cap_stacks)))
			return rc;
		rc = idtab_insert(&g->stacktab, id, (uint32_t)g->nstacks);
		if (rc < 0)
			return rc;
		if (rc)
			return bcur_fail(&bc, "multiple stacks with the same ID: id=%llu", id);
		g->stacks[g->nstacks++] = st;
	}
	return 0;
}

static int add_cpu_samples(struct gort_tgen *g, const struct gort_tbatch *b)
{
	struct bcur bc;
	int rc;

	bcur_init(&bc, b, "CPU samples");
	while (bc.c.pos < bc.v.size) {
		uint8_t ev = gort__cur_u8(&bc.c);
		struct gort_tcpu s;

		if (ev != EV_CPU_SAMPLE)
			return bcur_fail(&bc, "expected CPU sample event, got %llu", ev);
		s.time = (int64_t)gort__cur_uvarint(&bc.c); /* a raw timestamp for now */
		s.m = (int64_t)gort__cur_uvarint(&bc.c);
		s.p = (int64_t)gort__cur_uvarint(&bc.c);
		s.g = (int64_t)gort__cur_uvarint(&bc.c);
		s.stack = gort__cur_uvarint(&bc.c);
		if (bc.c.err)
			return bcur_fail(&bc, "bad CPU sample%.0llu", 0);
		if (s.g == 0)
			s.g = -1; /* NoGoroutine */
		if ((rc = GROW(g->cpu, g->ncpu, g->cap_cpu)))
			return rc;
		g->cpu[g->ncpu++] = s;
	}
	return 0;
}

static bool is_sync_batch(const struct gort_tbatch *b, int ver)
{
	return (ver < 25 && first_is(b, EV_FREQUENCY)) ||
	       (ver >= 25 && first_is(b, EV_SYNC));
}

static int set_sync(struct gort_tgen *g, const struct gort_tbatch *b, int ver)
{
	uint64_t last = b->time;
	struct bcur bc;

	bcur_init(&bc, b, "sync");
	if (ver < 25)
		bc.c.pos = 0; /* before 1.25 the batch is a lone Frequency event */
	while (bc.c.pos < bc.v.size) {
		uint8_t ev = gort__cur_u8(&bc.c);

		if (ev == EV_FREQUENCY) {
			uint64_t f;
			if (g->freq != 0)
				return bcur_fail(&bc, "found multiple frequency events%.0llu", 0);
			f = gort__cur_uvarint(&bc.c);
			if (bc.c.err)
				return bcur_fail(&bc, "bad frequency%.0llu", 0);
			/* Convert to nanoseconds per timestamp unit. */
			g->freq = 1.0 / ((double)f / 1e9);
		} else if (ev == EV_CLOCK_SNAPSHOT && ver >= 25) {
			if (g->has_snapshot)
				return bcur_fail(&bc, "found multiple clock snapshot events%.0llu", 0);
			g->has_snapshot = true;
			last += gort__cur_uvarint(&bc.c);
			g->snap_time = last;
			g->snap_mono = gort__cur_uvarint(&bc.c);
			g->snap_sec = (int64_t)gort__cur_uvarint(&bc.c);
			g->snap_nsec = (int64_t)gort__cur_uvarint(&bc.c);
			if (bc.c.err)
				return bcur_fail(&bc, "bad clock snapshot%.0llu", 0);
		} else {
			return bcur_fail(&bc, "expected frequency or clock snapshot event, got %llu", ev);
		}
	}
	return 0;
}

static int add_event_batch(struct gort_tgen *g, const struct gort_tbatch *b)
{
	uint64_t *ti;
	uint32_t bi = (uint32_t)g->nbatches;
	int rc;

	if ((rc = GROW(g->batches, g->nbatches, g->cap_batches)))
		return rc;
	rc = gort__idmap_put(&g->thread_idx, (uint64_t)b->m, &ti);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		if ((rc = GROW(g->threads, g->nthreads, g->cap_threads)))
			return rc;
		*ti = g->nthreads;
		g->threads[g->nthreads++] = (struct gort_tthread){b->m, bi, bi};
	} else {
		struct gort_tthread *th = &g->threads[*ti];
		g->batches[th->last].next = bi;
		th->last = bi;
	}
	g->batches[g->nbatches++] = *b;
	g->batches[bi].next = UINT32_MAX;
	return 0;
}

int gort__tgen_add(struct gort_tgen *g, const struct gort_tbatch *b, int ver)
{
	if (first_is(b, EV_STRINGS))
		return add_strings(g, b);
	if (first_is(b, EV_STACKS))
		return add_stacks(g, b);
	if (first_is(b, EV_CPU_SAMPLES))
		return add_cpu_samples(g, b);
	if (is_sync_batch(b, ver))
		return set_sync(g, b, ver);
	if (b->exp != 0)
		return 0; /* experimental data: not interpreted (yet) */
	if (b->end_of_gen)
		return gort__fail_at(GORT_EFORMAT, b->off,
				     "trace: unexpected EndOfGeneration at offset 0x%llx",
				     (unsigned long long)b->off);
	return add_event_batch(g, b);
}

int gort__tgen_put_string(struct gort_tgen *g, uint64_t id, struct gort_str s, uint32_t *slot)
{
	int rc;

	if ((rc = GROW(g->strs, g->nstrs, g->cap_strs)))
		return rc;
	rc = idtab_insert(&g->strtab, id, (uint32_t)g->nstrs);
	if (rc)
		return rc;
	*slot = (uint32_t)g->nstrs;
	g->strs[g->nstrs++] = s;
	return 0;
}

int gort__tgen_put_stack(struct gort_tgen *g, uint64_t id, const struct gort_tframe *f, size_t n)
{
	struct gort_tstack st = {(uint32_t)g->nstack_frames, (uint32_t)n};
	uint32_t idx;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = add_frame(g, f[i].pc, f[i].func_id, f[i].file_id, f[i].line, &idx)))
			return rc;
		if ((rc = GROW(g->stack_frames, g->nstack_frames, g->cap_stack_frames)))
			return rc;
		g->stack_frames[g->nstack_frames++] = idx;
	}
	if (idtab_get(&g->stacktab, id, &idx)) {
		g->stacks[idx] = st;
		return 0;
	}
	if ((rc = GROW(g->stacks, g->nstacks, g->cap_stacks)))
		return rc;
	rc = idtab_insert(&g->stacktab, id, (uint32_t)g->nstacks);
	if (rc < 0)
		return rc;
	g->stacks[g->nstacks++] = st;
	return 0;
}

void gort__tgen_compact(struct gort_tgen *g)
{
	idtab_compact(&g->strtab);
	idtab_compact(&g->stacktab);
}

/* validateStackStrings: every frame's strings must exist. */
static int validate_stack_strings(const struct gort_tgen *g)
{
	struct gort_str s;

	for (size_t i = 0; i < g->nstacks; i++) {
		const struct gort_tstack *st = &g->stacks[i];
		for (uint32_t j = 0; j < st->n; j++) {
			const struct gort_tframe *f = &g->frames[g->stack_frames[st->first + j]];
			if (!gort__tgen_string(g, f->func_id, &s))
				return gort__fail(GORT_EFORMAT,
						  "trace: generation %llu: found invalid func string ID %llu for a stack",
						  (unsigned long long)g->gen,
						  (unsigned long long)f->func_id);
			if (!gort__tgen_string(g, f->file_id, &s))
				return gort__fail(GORT_EFORMAT,
						  "trace: generation %llu: found invalid file string ID %llu for a stack",
						  (unsigned long long)g->gen,
						  (unsigned long long)f->file_id);
		}
	}
	return 0;
}

static int cpu_cmp(const void *a, const void *b)
{
	const struct gort_tcpu *x = a, *y = b;
	return x->time < y->time ? -1 : x->time > y->time;
}

int gort__tgen_finish(struct gort_tgen *g, int ver)
{
	int rc;

	if (g->freq == 0)
		return gort__fail(GORT_EFORMAT, "trace: generation %llu: no frequency event found",
				  (unsigned long long)g->gen);
	if (ver >= 25 && !g->has_snapshot)
		return gort__fail(GORT_EFORMAT, "trace: generation %llu: no clock snapshot event found",
				  (unsigned long long)g->gen);
	idtab_compact(&g->strtab);
	idtab_compact(&g->stacktab);
	if ((rc = validate_stack_strings(g)))
		return rc;
	for (size_t i = 0; i < g->ncpu; i++)
		g->cpu[i].time = gort__freq_mul(g->freq, (uint64_t)g->cpu[i].time);
	gort__pdqsort(g->cpu, g->ncpu, sizeof(*g->cpu), cpu_cmp);
	return 0;
}
