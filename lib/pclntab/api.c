/* The public pclntab API (include/gort/pclntab.h) over the decoders. */
#include "pclntab.h"

/* Table ids for per-thread caches; 0 is never given out. */
static atomic_uint_fast64_t last_id;

struct gort_func_iter {
	gort_pclntab *tab;
	uint32_t next;
	struct gort_func cur;
};

/*
 * The runtime's text start, where the file's .text section starts earlier:
 * a binary the system linker linked (cgo) puts the C runtime's code first,
 * and functab offsets count from runtime.text, not from the section (Go's
 * tools take the section's start unless a runtime.text symbol says
 * otherwise, and are then off: golang/go#65232). The header's textStart
 * (1.18-1.25) or moduledata.text (1.26+) is the runtime's value; it is
 * believed only inside the section.
 */
static int runtime_text(gort_pclntab *t, bool go_tools)
{
	uint64_t rt, sym;
	int rc;

	if (t->version < GORT_PCLNTAB_GO118 || !t->has_sect_text)
		return 0;
	rt = gort__pclntab_header_text(&t->data);
	if (!rt) {
		if ((rc = gort__moduledata_load(t)))
			return rc;
		rt = t->md_text;
	}
	if (rt == t->text || rt < t->sect_text || rt >= t->sect_text_end)
		return 0;
	if (go_tools) { /* cmd/internal/objfile: PCLineTable */
		rc = gort__binary_go_symbol(t->bin, "runtime.text", &sym);
		if (rc == GORT_ENOMEM)
			return rc;
		if (rc)
			return 0;
		rt = sym;
	}
	t->text = rt;
	return 0;
}

int gort_pclntab_open_opts(gort_pclntab **out, gort_binary *bin,
			   const struct gort_pclntab_opts *opts)
{
	gort_pclntab *t;
	int rc;

	if (!out || !bin)
		return gort__fail(GORT_EINVAL, "gort_pclntab_open: NULL argument");
	*out = NULL;
	if ((rc = gort__opts_check(opts, sizeof(struct gort_pclntab_opts), "gort_pclntab_opts")))
		return rc;
	if (!(t = gort__calloc(1, sizeof(*t))))
		return gort__fail(GORT_ENOMEM, "out of memory opening a pclntab");
	t->id = atomic_fetch_add_explicit(&last_id, 1, memory_order_relaxed) + 1;
	pthread_mutex_init(&t->lock, NULL);
	atomic_init(&t->md_done, false);
	if ((rc = gort__pclntab_init(t, bin)) ||
	    (rc = runtime_text(t, GORT_OPTS_HAS(opts, go_tools_text) && opts->go_tools_text))) {
		gort_pclntab_close(t);
		return rc;
	}
	/* Go 1.26+ without a .text section: only moduledata knows the text start. */
	if (t->version >= GORT_PCLNTAB_GO118 && t->text == 0) {
		if ((rc = gort__moduledata_load(t))) {
			gort_pclntab_close(t);
			return rc;
		}
		t->text = t->md_text;
	}
	*out = t;
	return 0;
}

int gort_pclntab_open(gort_pclntab **out, gort_binary *bin)
{
	return gort_pclntab_open_opts(out, bin, NULL);
}

void gort_pclntab_close(gort_pclntab *tab)
{
	if (!tab)
		return;
	pthread_mutex_destroy(&tab->lock);
	gort__pcindex_free(tab);
	gort__memo_free(tab);
	gort__free(tab);
}

int gort_pclntab_version(const gort_pclntab *tab)
{
	return tab ? tab->version : 0;
}

size_t gort_pclntab_func_count(const gort_pclntab *tab)
{
	return tab ? tab->nfunc : 0;
}

/* Fill a public gort_func for function i (entry/end from functab, as gosym). */
static int func_at(gort_pclntab *t, uint32_t i, struct gort_func *out)
{
	struct gort__func f;
	int rc;

	if ((rc = gort__func_read(t, i, &f))) {
		if (rc == GORT_ENOTFOUND)
			return gort__fail(GORT_ENOTFOUND,
					  "pclntab: function %u is a hole between text sections", i);
		return rc;
	}
	if ((rc = gort__functab_pc(t, i, &out->entry)) ||
	    (rc = gort__functab_pc(t, i + 1, &out->end)) ||
	    (rc = gort__func_name(t, f.nameoff, &out->name)))
		return rc;
	out->start_line = f.start_line;
	out->func_id = f.func_id;
	out->flags = f.flag;
	out->args_size = f.args;
	out->index = i;
	return 0;
}

int gort_pclntab_func_at(gort_pclntab *tab, size_t i, struct gort_func *out)
{
	if (!tab || !out)
		return gort__fail(GORT_EINVAL, "gort_pclntab_func_at: NULL argument");
	if (i >= tab->nfunc)
		return gort__fail(GORT_EINVAL, "pclntab: function %zu of %u", i, tab->nfunc);
	return func_at(tab, (uint32_t)i, out);
}

int gort_pclntab_find_func(gort_pclntab *tab, uint64_t pc, struct gort_func *out)
{
	uint32_t i;
	int rc;

	if (!tab || !out)
		return gort__fail(GORT_EINVAL, "gort_pclntab_find_func: NULL argument");
	if ((rc = gort__func_find(tab, pc, &i)))
		return rc == GORT_ENOTFOUND
			       ? gort__fail_addr(rc, pc, "pclntab: no function at 0x%llx",
						 (unsigned long long)pc)
			       : rc;
	return func_at(tab, i, out);
}

int gort_pclntab_lookup(gort_pclntab *tab, uint64_t pc, struct gort_frame *frames,
			size_t cap, size_t *n)
{
	size_t dummy;

	if (!tab || (cap && !frames))
		return gort__fail(GORT_EINVAL, "gort_pclntab_lookup: NULL argument");
	return gort__frames(tab, pc, frames, cap, n ? n : &dummy);
}

int gort_pclntab_pc_to_line(gort_pclntab *tab, uint64_t pc, struct gort_frame *out)
{
	int rc;

	if (!tab || !out)
		return gort__fail(GORT_EINVAL, "gort_pclntab_pc_to_line: NULL argument");
	/* The lookup's first load overlaps the memo's, which most often misses. */
	gort__func_find_prefetch(tab, pc);
	if (gort__memo_get(tab, pc, out))
		return 0;
	if (!(rc = gort__line(tab, pc, out)))
		gort__memo_put(tab, pc, out);
	return rc;
}

/* The function at pc and the value of one of its pc-value tables. */
static int value_at(gort_pclntab *tab, uint64_t pc, bool sp, uint32_t table,
		    int32_t *val)
{
	struct gort__func f;
	uint32_t i, off;
	int rc;

	if (!tab || !val)
		return gort__fail(GORT_EINVAL, "pclntab: NULL argument");
	*val = -1;
	if ((rc = gort__func_find(tab, pc, &i)) || (rc = gort__func_read(tab, i, &f)))
		return rc == GORT_ENOTFOUND
			       ? gort__fail_addr(rc, pc, "pclntab: no function at 0x%llx",
						 (unsigned long long)pc)
			       : rc;
	off = sp ? f.pcsp : gort__func_pcdata(tab, &f, table);
	if (off == 0) /* runtime/symtab.go: pcvalue treats offset 0 as no table */
		return sp ? gort__fail_addr(GORT_ENOTFOUND, pc,
					    "pclntab: function at 0x%llx has no pcsp table",
					    (unsigned long long)pc)
			  : 0;
	return gort__pcvalue(tab, &f, off, pc, val);
}

int gort_pclntab_frame_size(gort_pclntab *tab, uint64_t pc, int32_t *size)
{
	int rc = value_at(tab, pc, true, 0, size);

	if (!rc && *size < 0)
		return gort__fail_addr(GORT_ENOTFOUND, pc,
				       "pclntab: pcsp has no value at 0x%llx",
				       (unsigned long long)pc);
	return rc;
}

int gort_pclntab_pcdata(gort_pclntab *tab, uint64_t pc, uint32_t table,
			int32_t *value)
{
	return value_at(tab, pc, false, table, value);
}

int gort_func_iter_new(gort_func_iter **out, gort_pclntab *tab)
{
	gort_func_iter *it;

	if (!out || !tab)
		return gort__fail(GORT_EINVAL, "gort_func_iter_new: NULL argument");
	if (!(it = gort__calloc(1, sizeof(*it))))
		return gort__fail(GORT_ENOMEM, "out of memory for a function iterator");
	it->tab = tab;
	*out = it;
	return 0;
}

int gort_func_iter_next(gort_func_iter *it, const struct gort_func **out)
{
	int rc;

	if (!it || !out)
		return gort__fail(GORT_EINVAL, "gort_func_iter_next: NULL argument");
	if (it->next >= it->tab->nfunc)
		return GORT_EEND;
	rc = func_at(it->tab, it->next++, &it->cur);
	if (rc)
		return rc;
	*out = &it->cur;
	return 0;
}

void gort_func_iter_free(gort_func_iter *it)
{
	gort__free(it);
}
