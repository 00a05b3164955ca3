/*
 * Source frames at a PC, expanding inlined calls innermost first. Mirrors
 * runtime/symtabinl.go: inlineUnwinder (Go 1.20+; the same walk is inlined
 * in runtime/traceback.go from Go 1.12 to 1.19): PCDATA_InlTreeIndex at
 * the PC names an entry of the function's inline tree (FUNCDATA_InlTree);
 * that entry's parentPc is a PC whose position is the call site, and
 * whose own inline index names the caller, until the index is -1.
 */
#include "pclntab.h"

/* No real inline chain is this deep; a cycle in a hostile tree would be. */
#define MAX_DEPTH 4096

struct inl_entry {
	uint8_t func_id;
	int32_t nameoff;
	int32_t parent_pc;
};

/* Entry ix of the tree at tree_addr, in the layout of this table. */
static int read_entry(struct gort_pclntab *t, uint64_t tree, int32_t ix,
		      struct inl_entry *e)
{
	/* 1.20+: {funcID, _[3], nameOff, parentPc, startLine}, 16 bytes. */
	/* Before: {parent int16, funcID, _, file, line, func_, parentPc}, 20. */
	bool new_fmt = t->version >= GORT_PCLNTAB_GO120;
	uint64_t size = new_fmt ? 16 : 20;
	struct gort_view v;
	uint32_t name = 0, ppc = 0;

	if (gort__binary_read_addr(t->bin, tree + (uint64_t)ix * size, size, &v))
		return gort__fail_addr(GORT_ETRUNCATED, tree + (uint64_t)ix * size,
				       "pclntab: inline tree at 0x%llx: entry %d is not in the file",
				       (unsigned long long)tree, ix);
	v.big_endian = t->data.big_endian;
	gort__view_u32(&v, new_fmt ? 4 : 12, &name);
	gort__view_u32(&v, new_fmt ? 8 : 16, &ppc);
	gort__view_u8(&v, new_fmt ? 0 : 2, &e->func_id);
	e->nameoff = (int32_t)name;
	e->parent_pc = (int32_t)ppc;
	return 0;
}

/*
 * file:line at pc into a frame (debug/gosym: go12PCToFile, go12PCToLine).
 * The file name's string is prefetched before the line is decoded.
 */
static int position(struct gort_pclntab *t, const struct gort__func *f,
		    uint64_t pc, struct gort_frame *fr)
{
	struct gort__strref file;
	int rc;

	if ((rc = gort__pc_file_ref(t, f, pc, &file)))
		return rc;
	if (file.v)
		gort__view_prefetch(file.v, file.off);
	if ((rc = gort__pcvalue(t, f, f->pcln, pc, &fr->line)))
		return rc;
	return gort__strref_get(&file, &fr->file);
}

static int emit(struct gort_pclntab *t, const struct gort__func *f,
		struct gort_str name, uint8_t func_id, uint64_t pc, int inlined,
		struct gort_frame *frames, size_t cap, size_t *n)
{
	struct gort_frame fr = {name, {"", 0}, -1, inlined, f->entry, func_id};
	int rc = position(t, f, pc, &fr);

	if (rc)
		return rc;
	if (*n < cap)
		frames[*n] = fr;
	(*n)++;
	return 0;
}

/* The inline tree index at pc, -1 for none (runtime: pcdatavalue1). */
static int inl_index(struct gort_pclntab *t, const struct gort__func *f,
		     uint32_t table, uint64_t pc, int32_t *ix)
{
	*ix = -1;
	if (!table) /* offset 0: no table (runtime/symtab.go: pcvalue) */
		return 0;
	return gort__pcvalue(t, f, table, pc, ix);
}

/* The function holding pc; what the lookup reads next is prefetched. */
static int func_at_pc(struct gort_pclntab *t, uint64_t pc, struct gort__func *f)
{
	uint32_t idx;
	int rc;

	if ((rc = gort__func_find(t, pc, &idx)) || (rc = gort__func_read(t, idx, f))) {
		if (rc == GORT_ENOTFOUND)
			return gort__fail_addr(rc, pc, "pclntab: no function at 0x%llx",
					       (unsigned long long)pc);
		return rc;
	}
	gort__func_prefetch(t, f);
	return 0;
}

/* debug/gosym: PCToLine and PCToFunc; the inline tree is not read at all. */
int gort__line(struct gort_pclntab *t, uint64_t pc, struct gort_frame *out)
{
	struct gort__func f;
	int rc;

	if ((rc = func_at_pc(t, pc, &f)))
		return rc;
	*out = (struct gort_frame){{"", 0}, {"", 0}, -1, 0, f.entry, f.func_id};
	if ((rc = position(t, &f, pc, out)))
		return rc;
	return gort__func_name(t, f.nameoff, &out->function);
}

int gort__frames(struct gort_pclntab *t, uint64_t pc, struct gort_frame *frames,
		 size_t cap, size_t *n)
{
	struct gort__func f;
	struct gort_str fname;
	struct inl_entry e = {0, 0, 0};
	uint64_t tree = 0;
	uint32_t table;
	int32_t ix = -1;
	int rc, depth = 0;

	*n = 0;
	if ((rc = func_at_pc(t, pc, &f)))
		return rc;
	if ((rc = gort__moduledata_load(t))) /* which tables hold the tree */
		return rc;
	table = gort__func_pcdata(t, &f, t->inl_pcdata);
	if (table && (rc = gort__func_funcdata(t, &f, t->inl_funcdata, &tree)))
		return rc;
	if (tree && (rc = inl_index(t, &f, table, pc, &ix)))
		return rc;
	if ((rc = gort__func_name(t, f.nameoff, &fname)))
		return rc;
	while (ix >= 0) {
		struct gort_str name;

		if (++depth > MAX_DEPTH)
			return gort__fail_addr(GORT_EFORMAT, tree,
					       "pclntab: inline tree at 0x%llx loops (more than %d levels at pc 0x%llx)",
					       (unsigned long long)tree, MAX_DEPTH,
					       (unsigned long long)pc);
		if ((rc = read_entry(t, tree, ix, &e)) ||
		    (rc = gort__func_name(t, e.nameoff, &name)) ||
		    (rc = emit(t, &f, name, e.func_id, pc, 1, frames, cap, n)))
			return rc;
		pc = f.entry + (uint64_t)(int64_t)e.parent_pc;
		if ((rc = inl_index(t, &f, table, pc, &ix)))
			return rc;
	}
	return emit(t, &f, fname, f.func_id, pc, 0, frames, cap, n);
}
