/*
 * The streaming reader: opening a trace (version.ReadHeader) and the event
 * iterator, a port of internal/trace/reader.go (Reader.ReadEvent,
 * nextGenWithSpill, installGen), generation.go (readGeneration,
 * readGenerationWithSpill) and batchcursor.go (the frontier min-heap).
 */
#include "reader.h"

#include "pdqsort.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- opening --- */

static int parse_header(gort_trace *t)
{
	const struct gort_view *v = &t->src.view;
	const uint8_t *h = gort__view_ptr(v, 0, GORT_TRACE_HEADER_SIZE);
	unsigned ver = 0;
	size_t i = 5;

	if (!h || memcmp(h, "go 1.", 5) != 0)
		return gort__fail_at(GORT_EFORMAT, 0, "bad file format: not a Go execution trace?");
	for (; i < 8 && h[i] >= '0' && h[i] <= '9'; i++)
		ver = ver * 10 + (h[i] - '0');
	if (i == 5 || memcmp(h + i, " trace", 6) != 0)
		return gort__fail_at(GORT_EFORMAT, 0, "bad file format: not a Go execution trace?");
	for (i += 6; i < GORT_TRACE_HEADER_SIZE; i++)
		if (h[i] != 0)
			return gort__fail_at(GORT_EFORMAT, i, "bad file format: not a Go execution trace?");
	switch (ver) {
	case 5: case 7: case 8: case 9: case 10: case 11: case 19: case 21:
	case 22: case 23: case 25: case 26:
		break;
	default:
		return gort__fail_at(GORT_EUNSUPPORTED, 0,
				     "unknown or unsupported trace version go 1.%u", ver);
	}
	t->version = (int)ver;
	return 0;
}

/* Decompression progress, as gort_trace_opts.progress reports it. */
static void inflating(void *arg, uint64_t done, uint64_t total)
{
	const struct gort_old_progress *p = arg;

	p->fn(GORT_TRACE_STEP_DECOMPRESS, done, total, p->arg);
}

/* Both constructors: a path, or else a caller's buffer. */
static int trace_open(gort_trace **out, const char *path, const void *data, size_t size,
		      const struct gort_trace_opts *opts)
{
	struct gort__source_how how = {0};
	gort_trace *t;
	int rc;

	if (!out)
		return gort__fail(GORT_EINVAL, "out is NULL");
	*out = NULL;
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_trace_opts")))
		return rc;
	if (!(t = gort__calloc(1, sizeof(*t))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	GORT_OPTS(gort_open_opts, oo,
		  .max_decompressed = GORT_OPTS_HAS(opts, max_decompressed)
					      ? opts->max_decompressed : 0);
	if (GORT_OPTS_HAS(opts, progress_arg) && opts->progress) {
		t->progress = (struct gort_old_progress){opts->progress, opts->progress_arg};
		how.progress = inflating;
		how.arg = &t->progress;
	}
	rc = path ? gort__source_open_path_how(&t->src, path, &oo, &how)
		  : gort__source_open_memory_how(&t->src, data, size, &oo, &how);
	if (rc || (rc = parse_header(t))) {
		gort_trace_close(t);
		return rc;
	}
	t->src.view.what = "trace";
	*out = t;
	return 0;
}

int gort_trace_open(gort_trace **out, const char *path, const struct gort_trace_opts *opts)
{
	if (!path) {
		if (out)
			*out = NULL;
		return gort__fail(GORT_EINVAL, "path is NULL");
	}
	return trace_open(out, path, NULL, 0, opts);
}

int gort_trace_open_memory(gort_trace **out, const void *data, size_t size,
			   const struct gort_trace_opts *opts)
{
	return trace_open(out, NULL, data, size, opts);
}

void gort_trace_close(gort_trace *t)
{
	if (!t)
		return;
	gort__source_close(&t->src);
	gort__free(t);
}

int gort_trace_version(const gort_trace *t)
{
	return t ? t->version : 0;
}

/* --- saved errors --- */

static void save_err(struct gort_saved_err *s, int code)
{
	const struct gort_error_info *e = gort_last_error();

	s->code = code;
	s->offset = e->code == code ? e->offset : GORT_NO_VALUE;
	snprintf(s->msg, sizeof(s->msg), "%s", e->code == code ? e->message : gort_strerror(code));
}

static int raise_err(const struct gort_saved_err *s)
{
	if (s->offset != GORT_NO_VALUE)
		return gort__fail_at(s->code, s->offset, "%s", s->msg);
	return gort__fail(s->code, "%s", s->msg);
}

/* --- the frontier (batchcursor.go) --- */

/* readTimedBaseEvent plus batchCursor.nextEvent: 1 if read, 0 at the end. */
static int cursor_next(struct gort_trace_event_iter *it, struct gort_tcursor *bc)
{
	const struct gort_tgen *g = &it->gen;
	const struct gort_tbatch *b;
	const struct gort_trace_spec *spec;
	struct gort_view v;
	struct gort_cursor c;
	uint64_t ts;
	uint8_t typ;

	while (bc->idx != UINT32_MAX && g->batches[bc->idx].len == bc->data_off) {
		bc->idx = g->batches[bc->idx].next;
		bc->data_off = 0;
		bc->last_ts = 0;
	}
	if (bc->idx == UINT32_MAX)
		return 0;
	b = &g->batches[bc->idx];
	if (bc->last_ts == 0)
		bc->last_ts = gort__freq_mul(g->freq, b->time);
	v = gort__view_make(b->data, b->len, "batch");
	v.file_off = b->off;
	c = gort__cursor(&v, bc->data_off);
	typ = gort__cur_u8(&c);
	spec = gort__trace_spec(typ);
	memset(&bc->ev, 0, sizeof(bc->ev));
	bc->ev.off = b->off + bc->data_off;
	bc->ev.typ = typ;
	if (!spec)
		return gort__fail_at(GORT_EFORMAT, bc->ev.off,
				     "trace: found invalid event type: %u at offset 0x%llx", typ,
				     (unsigned long long)bc->ev.off);
	if (spec->nargs == 0 || !spec->timed)
		return gort__fail_at(GORT_EFORMAT, bc->ev.off,
				     "trace: found event without a timestamp: type=%u at offset 0x%llx",
				     typ, (unsigned long long)bc->ev.off);
	ts = gort__cur_uvarint(&c);
	for (unsigned i = 0; i + 1 < spec->nargs; i++)
		bc->ev.args[i] = gort__cur_uvarint(&c);
	if (c.err)
		return gort__fail_at(GORT_EFORMAT, bc->ev.off,
				     "trace: %s event at offset 0x%llx: found invalid uvarint",
				     spec->name, (unsigned long long)bc->ev.off);
	/* Go's int64 arithmetic wraps; so does ours, without UB. */
	bc->ev.time = (int64_t)((uint64_t)gort__freq_mul(g->freq, ts) + (uint64_t)bc->last_ts);
	bc->last_ts = bc->ev.time;
	bc->data_off = (uint32_t)c.pos;
	return 1;
}

#define FT(i) (it->frontier[i]->ev.time)

static void fswap(struct gort_trace_event_iter *it, size_t a, size_t b)
{
	struct gort_tcursor *t = it->frontier[a];
	it->frontier[a] = it->frontier[b];
	it->frontier[b] = t;
}

static size_t sift_up(struct gort_trace_event_iter *it, size_t i)
{
	while (i > 0 && FT((i - 1) / 2) > FT(i)) {
		fswap(it, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	return i;
}

static size_t min3(struct gort_trace_event_iter *it, size_t i0, size_t i1, size_t i2)
{
	size_t mi = i0;
	int64_t mt = INT64_MAX;

	if (i0 < it->nfront)
		mt = FT(i0);
	if (i1 < it->nfront && FT(i1) < mt) {
		mt = FT(i1);
		mi = i1;
	}
	if (i2 < it->nfront && FT(i2) < mt)
		mi = i2;
	return mi;
}

static void sift_down(struct gort_trace_event_iter *it, size_t i)
{
	for (;;) {
		size_t m = min3(it, i, 2 * i + 1, 2 * i + 2);
		if (m == i)
			return;
		fswap(it, i, m);
		i = m;
	}
}

static void heap_update(struct gort_trace_event_iter *it, size_t i)
{
	if (sift_up(it, i) != i)
		return;
	sift_down(it, i);
}

static void heap_remove(struct gort_trace_event_iter *it, size_t i)
{
	while (i > 0) {
		fswap(it, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	fswap(it, 0, it->nfront - 1);
	it->nfront--;
	sift_down(it, 0);
}

static int cursor_cmp(const void *a, const void *b)
{
	const struct gort_tcursor *x = *(struct gort_tcursor *const *)a;
	const struct gort_tcursor *y = *(struct gort_tcursor *const *)b;
	return x->ev.time < y->ev.time ? -1 : x->ev.time > y->ev.time;
}

/* --- generations --- */

static void sync_event(struct gort_trace_event_iter *it, struct gort_tev *e, bool table,
		       int64_t ts)
{
	memset(e, 0, sizeof(*e));
	e->typ = EV_SYNC_EVENT;
	e->no_table = !table;
	e->time = ts;
	e->g = e->p = e->m = -1;
	e->args[0] = ++it->syncs;
}

/*
 * Memory stays bounded by a generation: once a new generation is read, the
 * pages of the input before it are dropped from our resident set where
 * they are file pages (a mapped file, or a decompressed temporary file),
 * which come back unchanged if touched again (task names carried across
 * generations point there); never for a caller's buffer or memory.
 */
static void release_consumed(struct gort_trace_event_iter *it, uint64_t upto)
{
	if (upto > it->released) {
		gort__source_release(&it->t->src, it->released, upto);
		it->released = upto;
	}
}

/* readGeneration (Go 1.26+): 0, GORT_EEND when the trace is over, or an error. */
static int read_gen_126(struct gort_trace_event_iter *it)
{
	struct gort_tgen *g = &it->gen;
	struct gort_tbatch b;
	uint64_t gen;
	int rc;

	gort__tgen_reset(g);
	release_consumed(it, it->pos);
	for (;;) {
		rc = gort__tbatch_read(it->v, &it->pos, &b, &gen);
		if (rc == GORT_EEND) {
			if (g->nbatches != 0)
				return gort__fail_at(GORT_ETRUNCATED, it->pos,
						     "trace: incomplete generation found at offset 0x%llx; trace likely truncated",
						     (unsigned long long)it->pos);
			return GORT_EEND;
		}
		if (rc)
			return rc;
		if (g->gen == 0)
			g->gen = gen;
		if (b.end_of_gen)
			break;
		if (gen == 0)
			return gort__fail_at(GORT_EFORMAT, b.off,
					     "trace: invalid generation number 0 at offset 0x%llx",
					     (unsigned long long)b.off);
		if (gen != g->gen)
			return gort__fail_at(GORT_EFORMAT, b.off,
					     "trace: broken trace: missing end-of-generation event, or generations are interleaved (offset 0x%llx)",
					     (unsigned long long)b.off);
		if (g->min_ts == 0 || b.time < g->min_ts)
			g->min_ts = b.time;
		if ((rc = gort__tgen_add(g, &b, it->ver)))
			return rc;
	}
	return gort__tgen_finish(g, it->ver);
}

/* readGenerationWithSpill (before Go 1.26). */
static int read_gen_spill(struct gort_trace_event_iter *it)
{
	struct gort_tgen *g = &it->gen;
	struct gort_tbatch b;
	uint64_t gen;
	int rc;

	gort__tgen_reset(g);
	/* The spilled batch (read ahead) lies just before pos: keep it. */
	release_consumed(it, it->have_spill ? it->spill.off - 64 : it->pos);
	if (it->have_spill) {
		it->have_spill = false;
		g->gen = it->spill_gen;
		g->min_ts = it->spill.time;
		if ((rc = gort__tgen_add(g, &it->spill, it->ver)))
			return rc;
	}
	for (;;) {
		rc = gort__tbatch_read(it->v, &it->pos, &b, &gen);
		if (rc == GORT_EEND)
			break;
		if (rc) {
			if (g->gen == 0)
				return rc;
			/* Maybe the first batch of the next generation: go on. */
			save_err(&it->saved, rc);
			it->spill_err = true;
			break;
		}
		if (gen == 0)
			return gort__fail_at(GORT_EFORMAT, b.off,
					     "trace: invalid generation number 0 at offset 0x%llx",
					     (unsigned long long)b.off);
		if (g->gen == 0)
			g->gen = gen;
		if (gen == g->gen + 1) {
			it->spill = b;
			it->spill_gen = gen;
			it->have_spill = true;
			break;
		}
		if (gen != g->gen)
			return gort__fail_at(GORT_EFORMAT, b.off,
					     "trace: generations out of order at offset 0x%llx",
					     (unsigned long long)b.off);
		if (g->min_ts == 0 || b.time < g->min_ts)
			g->min_ts = b.time;
		if ((rc = gort__tgen_add(g, &b, it->ver)))
			return rc;
	}
	return gort__tgen_finish(g, it->ver);
}

/* installGen: a new frontier, and the generation's Sync event. */
static int install_gen(struct gort_trace_event_iter *it, struct gort_tev *e)
{
	struct gort_tgen *g = &it->gen;
	int rc;

	it->have_gen = true;
	it->cpu_next = 0;
	it->nfront = 0;
	if (g->nthreads > it->cap_curs) {
		struct gort_tcursor *nc = gort__realloc(it->curs, g->nthreads * sizeof(*nc));
		struct gort_tcursor **nf = gort__realloc(it->frontier, g->nthreads * sizeof(*nf));
		if (nc)
			it->curs = nc;
		if (nf)
			it->frontier = nf;
		if (!nc || !nf)
			return gort__fail(GORT_ENOMEM, "trace: out of memory (%zu threads)", g->nthreads);
		it->cap_curs = g->nthreads;
	}
	for (size_t i = 0; i < g->nthreads; i++) {
		struct gort_tcursor *bc = &it->curs[i];
		memset(bc, 0, sizeof(*bc));
		bc->m = g->threads[i].m;
		bc->idx = g->threads[i].first;
		if ((rc = cursor_next(it, bc)) < 0)
			return rc;
		if (rc == 0)
			continue;
		it->frontier[it->nfront++] = bc;
		sift_up(it, it->nfront - 1);
	}
	sync_event(it, e, true, gort__freq_mul(g->freq, g->min_ts));
	return 0;
}

static int next_gen_with_spill(struct gort_trace_event_iter *it, struct gort_tev *e)
{
	int rc;

	if (it->spill_err) {
		if (it->spill_err_sync)
			return raise_err(&it->saved);
		it->spill_err_sync = true;
		sync_event(it, e, false, it->last_ts);
		return 0;
	}
	if (it->have_gen && !it->have_spill) {
		it->done = true;
		sync_event(it, e, false, it->last_ts);
		return 0;
	}
	rc = read_gen_spill(it);
	if (rc) {
		save_err(&it->saved, rc);
		it->have_gen = false;
		it->have_spill = false;
		it->spill_err = true;
		it->spill_err_sync = true;
		sync_event(it, e, false, it->last_ts);
		return 0;
	}
	return install_gen(it, e);
}

static int try_advance(struct gort_trace_event_iter *it, size_t i)
{
	struct gort_tcursor *bc = it->frontier[i];
	int rc = gort__order_advance(&it->o, &bc->ev, &it->gen, bc->m, it->gen.gen);

	if (rc <= 0)
		return rc;
	if ((rc = cursor_next(it, bc)) < 0)
		return rc;
	if (rc)
		heap_update(it, i);
	else
		heap_remove(it, i);
	return 1;
}

static int failed_to_advance(struct gort_trace_event_iter *it)
{
	const struct gort_tev *ev = &it->frontier[0]->ev;
	const struct gort_trace_spec *s = gort__trace_spec(ev->typ);

	return gort__fail_at(GORT_EFORMAT, ev->off,
			     "trace: broken trace: failed to advance: generation %llu, %zu threads; "
			     "earliest pending event %s on M %lld at offset 0x%llx",
			     (unsigned long long)it->gen.gen, it->nfront, s ? s->name : "?",
			     (long long)it->frontier[0]->m, (unsigned long long)ev->off);
}

/* Reader.ReadEvent without its deferred checks. */
static int read_event(struct gort_trace_event_iter *it, struct gort_tev *e)
{
	size_t ncpu = it->have_gen ? it->gen.ncpu : 0;
	int rc;

	if (gort__order_next(&it->o, e))
		return 0;
	if (it->nfront == 0 && it->cpu_next >= ncpu) {
		if (it->ver < 26)
			return next_gen_with_spill(it, e);
		if (it->gen_err)
			return raise_err(&it->saved);
		rc = read_gen_126(it);
		if (rc == GORT_EEND) {
			it->have_gen = false;
			it->done = true;
			sync_event(it, e, false, it->last_ts);
			return 0;
		}
		if (rc) {
			save_err(&it->saved, rc);
			it->gen_err = true;
			it->have_gen = false;
			sync_event(it, e, false, it->last_ts);
			return 0;
		}
		return install_gen(it, e);
	}
	/* Inject a CPU sample if it comes next. */
	if (it->cpu_next < ncpu &&
	    (it->nfront == 0 || it->gen.cpu[it->cpu_next].time < FT(0))) {
		const struct gort_tcpu *s = &it->gen.cpu[it->cpu_next++];
		memset(e, 0, sizeof(*e));
		e->typ = EV_CPU_SAMPLE;
		e->time = s->time;
		e->m = s->m;
		e->p = s->p;
		e->g = s->g;
		e->args[0] = s->stack;
		return 0;
	}
	if (it->nfront == 0)
		return gort__fail(GORT_EFORMAT, "trace: broken trace: frontier is empty");
	rc = try_advance(it, 0);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* Rare: sort (a sorted heap is a heap) and try the others in order. */
		gort__pdqsort(it->frontier, it->nfront, sizeof(*it->frontier), cursor_cmp);
		for (size_t i = 1; i < it->nfront && rc == 0; i++)
			if ((rc = try_advance(it, i)) < 0)
				return rc;
		if (rc == 0)
			return failed_to_advance(it);
	}
	if (!gort__order_next(&it->o, e))
		return gort__fail(GORT_EFORMAT, "trace: internal error: advanced, but queue is empty");
	return 0;
}

/* Event.validateTableIDs. */
static int validate_ids(struct gort_trace_event_iter *it, const struct gort_tev *e)
{
	const struct gort_trace_spec *s;
	struct gort_str str;
	bool ok;

	if (e->typ == EV_SYNC_EVENT || !(s = gort__trace_spec(e->typ)))
		return 0;
	for (int i = 0; i < 2; i++) {
		if (s->stack_arg[i] > 0) {
			uint64_t id = e->args[s->stack_arg[i] - 1];
			gort__tgen_stack(&it->gen, id, &ok);
			if (!ok)
				return gort__fail_at(GORT_EFORMAT, e->off,
						     "trace: found invalid stack ID %llu for event %s at offset 0x%llx",
						     (unsigned long long)id, s->name,
						     (unsigned long long)e->off);
		}
		if (s->string_arg[i] > 0) {
			uint64_t id = e->args[s->string_arg[i] - 1];
			if (!gort__tgen_string(&it->gen, id, &str))
				return gort__fail_at(GORT_EFORMAT, e->off,
						     "trace: found invalid string ID %llu for event %s at offset 0x%llx",
						     (unsigned long long)id, s->name,
						     (unsigned long long)e->off);
		}
	}
	return 0;
}

int gort_trace_event_iter_next(gort_trace_event_iter *it, const struct gort_trace_event **ev)
{
	struct gort_tev *e;
	int rc;

	if (!it || !ev)
		return gort__fail(GORT_EINVAL, "NULL argument");
	*ev = NULL;
	if (it->failed)
		return raise_err(&it->fail);
	if (it->done && it->o.qlen == 0) {
		it->ended = true;
		return GORT_EEND;
	}
	e = &it->cur;
	if (it->old) {
		/* Old formats: times are already Go's (tracev1.go: next). */
		if ((rc = gort__old_next(it->old, e)) == GORT_EEND) {
			it->ended = true;
			return rc;
		}
		if (!rc) {
			gort__trace_fill_event(it, e, &it->out);
			*ev = &it->out;
			return 0;
		}
	} else {
		rc = read_event(it, e);
		if (!rc)
			rc = validate_ids(it, e);
	}
	if (rc) {
		save_err(&it->fail, rc);
		it->failed = true;
		it->ended = rc == GORT_EEND;
		return rc;
	}
	/* Timestamps are made strictly increasing, as Go's reader does. */
	if (e->time <= it->last_ts)
		e->time = (int64_t)((uint64_t)it->last_ts + 1);
	it->last_ts = e->time;
	gort__trace_fill_event(it, e, &it->out);
	*ev = &it->out;
	return 0;
}

int gort_trace_event_iter_new(gort_trace_event_iter **out, gort_trace *t)
{
	gort_trace_event_iter *it;

	if (!out || !t)
		return gort__fail(GORT_EINVAL, "NULL argument");
	*out = NULL;
	if (!(it = gort__calloc(1, sizeof(*it))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	it->t = t;
	it->v = &t->src.view;
	it->pos = GORT_TRACE_HEADER_SIZE;
	it->ver = t->version;
	gort__order_init(&it->o, t->version);
	if (t->version < 22) {
		/* One table for the whole trace, from an index of the file. */
		int rc = gort__old_new(&it->old, it->v, t->version, &it->gen, &t->progress);
		if (rc) {
			gort_trace_event_iter_free(it);
			return rc;
		}
		it->have_gen = true;
		/* The futile-wakeup pass (if any) now, for its progress reports;
		   its errors are ordering errors, returned by the first next. */
		if ((rc = gort__old_prepare(it->old))) {
			save_err(&it->fail, rc);
			it->failed = true;
		}
	}
	*out = it;
	return 0;
}

/*
 * Bytes read so far: up to the end of the generations taken in (the Go
 * 1.22+ formats read a generation whole before delivering its events), or
 * for the old formats the batches consumed plus, in each P's loaded batch,
 * the bytes before its next event to merge (the events merged but held
 * back, syscall exits waiting for their time or a look-ahead, are few);
 * for an old trace ordered whole first, the share of its events delivered.
 * All of it once the iterator has ended.
 */
int gort_trace_event_iter_progress(const gort_trace_event_iter *it, uint64_t *done,
				   uint64_t *total)
{
	uint64_t at;

	if (!it || !done || !total)
		return gort__fail(GORT_EINVAL, "gort_trace_event_iter_progress: NULL argument");
	at = it->old ? gort__old_progress(it->old) : it->pos;
	*total = it->v->size;
	*done = it->ended || at > *total ? *total : at;
	return 0;
}

void gort_trace_event_iter_free(gort_trace_event_iter *it)
{
	if (!it)
		return;
	gort__old_free(it->old);
	gort__tgen_free(&it->gen);
	gort__order_free(&it->o);
	gort__free(it->curs);
	gort__free(it->frontier);
	gort__free(it->buf);
	gort__free(it->frames);
	gort__free(it);
}
