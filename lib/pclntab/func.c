/*
 * The function table: functab (entry PC -> _func offset, sorted) and the
 * _func records. Mirrors runtime/runtime2.go: _func, runtime/symtab.go:
 * findfunc and funcdata, debug/gosym/pclntab.go: funcTab and funcData.
 */
#include "pclntab.h"

#define BUCKET_SIZE 4096 /* abi.FuncTabBucketSize */
#define SUBBUCKETS 16    /* len(findfuncbucket{}.subbuckets) */
#define BUCKET_BYTES 20  /* sizeof(findfuncbucket{}): idx uint32 + [16]byte */

/* Field k of functab; in bounds for k <= 2*nfunc (checked at open). */
static uint64_t ft_field(const struct gort_pclntab *t, uint64_t k)
{
	const uint8_t *p = gort__view_ptr(&t->functab, k * t->field, t->field);

	if (!p)
		return 0;
	return t->field == 4 ? gort__ld32(p, t->functab.big_endian)
			     : gort__ld64(p, t->functab.big_endian);
}

/* debug/gosym: funcTab.pc; i == nfunc gives the end of the last function. */
int gort__functab_pc(const struct gort_pclntab *t, uint32_t i, uint64_t *pc)
{
	if (i > t->nfunc)
		return gort__fail(GORT_EINVAL, "pclntab: function %u of %u", i, t->nfunc);
	*pc = ft_field(t, 2 * (uint64_t)i);
	if (t->version >= GORT_PCLNTAB_GO118)
		*pc += t->text;
	return 0;
}

static uint64_t ft_pc(const struct gort_pclntab *t, uint32_t i)
{
	uint64_t pc = 0;

	gort__functab_pc(t, i, &pc);
	return pc;
}

static int corrupt_func(const struct gort_pclntab *t, uint32_t i, uint64_t off)
{
	return gort__fail_at(GORT_ETRUNCATED, t->funcdata.file_off + off,
			     "pclntab: _func of function %u at offset 0x%llx runs past the table end",
			     i, (unsigned long long)(t->funcdata.file_off + off));
}

int gort__func_read(const struct gort_pclntab *t, uint32_t i, struct gort__func *f)
{
	bool be = t->funcdata.big_endian;
	unsigned p0 = t->version >= GORT_PCLNTAB_GO118 ? 4 : t->ptr_size;
	const uint8_t *p;
	uint64_t size;

	if (i >= t->nfunc)
		return gort__fail(GORT_EINVAL, "pclntab: function %u of %u", i, t->nfunc);
	f->index = i;
	f->off = ft_field(t, 2 * (uint64_t)i + 1);
	/* Go 1.2 format: a hole between text sections (cmd/link: pcln.go). */
	if (f->off == (t->field == 4 ? UINT32_MAX : UINT64_MAX))
		return GORT_ENOTFOUND;
	switch (t->version) {
	case GORT_PCLNTAB_GO12:
		size = p0 + 32;
		break;
	case GORT_PCLNTAB_GO120:
		size = p0 + 40; /* startLine added */
		break;
	default:
		size = p0 + 36; /* cuOffset added */
	}
	if (!(p = gort__view_ptr(&t->funcdata, f->off, size)))
		return corrupt_func(t, i, f->off);
	f->size = size;
	if (t->version >= GORT_PCLNTAB_GO118)
		f->entry = gort__ld32(p, be) + t->text;
	else
		f->entry = p0 == 4 ? gort__ld32(p, be) : gort__ld64(p, be);
	p += p0; /* the rest are 4-byte fields */
	f->nameoff = (int32_t)gort__ld32(p, be);
	f->args = (int32_t)gort__ld32(p + 4, be);
	f->pcsp = gort__ld32(p + 12, be);
	f->pcfile = gort__ld32(p + 16, be);
	f->pcln = gort__ld32(p + 20, be);
	f->npcdata = gort__ld32(p + 24, be);
	f->cu_offset = 0;
	f->start_line = 0;
	f->flag = 0;
	if (t->version == GORT_PCLNTAB_GO12) {
		/* Go 1.12-1.15 layout: funcID, 2 pad bytes, nfuncdata. */
		f->func_id = p[28];
		f->nfuncdata = p[31];
		return 0;
	}
	f->cu_offset = gort__ld32(p + 28, be);
	if (t->version == GORT_PCLNTAB_GO120) {
		f->start_line = (int32_t)gort__ld32(p + 32, be);
		p += 4;
	}
	f->func_id = p[32];
	f->flag = p[33]; /* 0 in Go 1.16, which had padding here */
	f->nfuncdata = p[35];
	return 0;
}

int gort__func_name(const struct gort_pclntab *t, int32_t nameoff,
		    struct gort_str *out)
{
	if (nameoff < 0)
		return gort__fail_at(GORT_EFORMAT, t->funcnametab.file_off,
				     "%s: negative name offset %d", t->funcnametab.what, nameoff);
	return gort__cstring(&t->funcnametab, (uint64_t)nameoff, out);
}

/*
 * A lookup at a random PC misses the cache at every table it reads; once
 * the _func record is in, the name, the two streams and the compilation
 * unit's file list are independent of each other: ask for them at once.
 */
void gort__func_prefetch(const struct gort_pclntab *t, const struct gort__func *f)
{
	if (f->nameoff >= 0)
		gort__view_prefetch(&t->funcnametab, (uint64_t)f->nameoff);
	gort__view_prefetch(&t->pctab, f->pcfile);
	gort__view_prefetch(&t->pctab, f->pcln);
	if (t->version != GORT_PCLNTAB_GO12)
		gort__view_prefetch(&t->cutab, 4 * (uint64_t)f->cu_offset);
}

uint32_t gort__func_pcdata(const struct gort_pclntab *t, const struct gort__func *f,
			   uint32_t i)
{
	uint32_t v = 0;

	if (i >= f->npcdata ||
	    gort__view_u32(&t->funcdata, f->off + f->size + 4 * (uint64_t)i, &v))
		return 0;
	return v;
}

/* runtime/symtab.go: funcdata. *addr = 0 when the function has none. */
int gort__func_funcdata(struct gort_pclntab *t, const struct gort__func *f,
			uint32_t i, uint64_t *addr)
{
	uint64_t pos = f->off + f->size + 4 * (uint64_t)f->npcdata, va;
	uint32_t off;
	int rc;

	*addr = 0;
	if (i >= f->nfuncdata)
		return 0;
	if (t->version >= GORT_PCLNTAB_GO118) {
		/* 1.18+: uint32 offsets from moduledata.gofunc, ^0 = none. */
		if ((rc = gort__view_u32(&t->funcdata, pos + 4 * (uint64_t)i, &off)))
			return rc;
		if ((rc = gort__moduledata_load(t)))
			return rc;
		if (off != UINT32_MAX && t->has_gofunc)
			*addr = t->gofunc + off;
		return 0;
	}
	/* Before 1.18: pointers, aligned in memory to the pointer size. */
	va = t->addr + (t->funcdata.file_off - t->data.file_off) + pos;
	if (t->ptr_size == 8 && (va & 4))
		pos += 4;
	return gort__view_uptr(&t->funcdata, pos + (uint64_t)i * t->ptr_size, addr);
}

/* runtime/symtab.go: findfunc, through the findfunctab buckets. */
static bool find_bucket(const struct gort_pclntab *t, uint64_t pc, uint32_t *index)
{
	uint64_t x = pc - t->minpc, b = x / BUCKET_SIZE;
	uint64_t i = x % BUCKET_SIZE / (BUCKET_SIZE / SUBBUCKETS);
	const uint8_t *p = gort__view_ptr(&t->findfunctab, b * BUCKET_BYTES, BUCKET_BYTES);
	uint64_t idx;
	int steps;

	if (!p)
		return false;
	idx = (uint64_t)gort__ld32(p, t->findfunctab.big_endian) + p[4 + i];
	if (idx >= t->nfunc || ft_pc(t, (uint32_t)idx) > pc)
		return false; /* corrupt, or several text sections: search instead */
	/* The runtime walks forward without bound; a sane table needs few steps. */
	for (steps = 0; steps < 256; steps++) {
		if (ft_pc(t, (uint32_t)idx + 1) > pc) {
			*index = (uint32_t)idx;
			return true;
		}
		idx++;
	}
	return false;
}

static bool bucket_usable(const struct gort_pclntab *t, uint64_t pc)
{
	return atomic_load_explicit(&t->md_done, memory_order_acquire) && t->has_findfunctab &&
	       pc >= t->minpc && pc < t->maxpc;
}

void gort__func_find_prefetch(const struct gort_pclntab *t, uint64_t pc)
{
	if (bucket_usable(t, pc))
		gort__view_prefetch(&t->findfunctab, (pc - t->minpc) / BUCKET_SIZE * BUCKET_BYTES);
}

/*
 * The next two loads of a lookup, for callers that overlap many lookups
 * (batch.c): the functab entry the bucket names (once the bucket is in
 * the cache), then the _func record of function i.
 */
void gort__functab_prefetch(const struct gort_pclntab *t, uint64_t pc)
{
	uint64_t x = pc - t->minpc, i = x % BUCKET_SIZE / (BUCKET_SIZE / SUBBUCKETS);
	const uint8_t *p;

	if (!bucket_usable(t, pc) ||
	    !(p = gort__view_ptr(&t->findfunctab, x / BUCKET_SIZE * BUCKET_BYTES, BUCKET_BYTES)))
		return;
	gort__view_prefetch(&t->functab, ((uint64_t)gort__ld32(p, t->findfunctab.big_endian) +
					  p[4 + i]) * 2 * t->field);
}

void gort__func_record_prefetch(const struct gort_pclntab *t, uint32_t i)
{
	if (i < t->nfunc)
		gort__view_prefetch(&t->funcdata, ft_field(t, 2 * (uint64_t)i + 1));
}

bool gort__functab_sorted(struct gort_pclntab *t)
{
	unsigned char order = atomic_load_explicit(&t->ft_order, memory_order_relaxed);

	if (!order) { /* threads racing here find the same answer */
		order = 1;
		for (uint32_t i = 0; i < t->nfunc && order == 1; i++)
			if (ft_pc(t, i + 1) < ft_pc(t, i))
				order = 2;
		atomic_store_explicit(&t->ft_order, order, memory_order_relaxed);
	}
	return order == 1;
}

int gort__func_find(struct gort_pclntab *t, uint64_t pc, uint32_t *index)
{
	uint32_t lo = 0, hi = t->nfunc, mid;
	int rc;

	if (t->nfunc == 0 || pc < ft_pc(t, 0) || pc >= ft_pc(t, t->nfunc))
		return GORT_ENOTFOUND;
	if ((rc = gort__moduledata_load(t)))
		return rc;
	if (t->has_findfunctab && pc >= t->minpc && pc < t->maxpc &&
	    find_bucket(t, pc, index))
		return 0;
	/* debug/gosym: findFunc; the last function whose entry is <= pc. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ft_pc(t, mid) > pc)
			hi = mid;
		else
			lo = mid + 1;
	}
	*index = lo - 1;
	return 0;
}
