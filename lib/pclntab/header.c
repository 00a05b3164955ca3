/*
 * Finding the pclntab and decoding its header, for the four formats.
 * Mirrors debug/gosym/pclntab.go: parsePclnTab and runtime/symtab.go:
 * pcHeader. Only the header is read here; everything else is on demand.
 */
#include "pclntab.h"

#include <string.h>

static int bad(const struct gort_view *v, uint64_t off, const char *why)
{
	return gort__fail_at(GORT_EFORMAT, v->file_off + off,
			     "pclntab: header: %s (offset 0x%llx)", why,
			     (unsigned long long)(v->file_off + off));
}

/* Word `i` after the 8-byte magic block (debug/gosym: offset(word)). */
static int word(const struct gort_view *v, uint32_t i, uint64_t *out)
{
	return gort__view_uptr(v, 8 + (uint64_t)i * v->ptr_size, out);
}

/* data(word): the table from the offset in header word i to its end. */
static int table(const struct gort_view *v, uint32_t i, const char *what,
		 struct gort_view *out)
{
	uint64_t off;
	int rc;

	if ((rc = word(v, i, &off)))
		return rc;
	if (off > v->size)
		return gort__fail_at(GORT_ETRUNCATED, v->file_off + 8 + i * v->ptr_size,
				     "%s: offset 0x%llx in the header is past the table end 0x%llx",
				     what, (unsigned long long)off,
				     (unsigned long long)v->size);
	if ((rc = gort__view_sub(v, off, v->size - off, out)))
		return rc;
	out->what = what;
	return 0;
}

/* functab: (nfunc*2+1) fields; its bounds are checked once, here. */
static int cut_functab(struct gort_pclntab *t, uint64_t off)
{
	uint64_t len = ((uint64_t)t->nfunc * 2 + 1) * t->field;
	int rc = gort__view_sub(&t->data, off, len, &t->functab);

	if (rc)
		return gort__fail_at(rc, t->data.file_off + off,
				     "pclntab: functab: %u functions need 0x%llx bytes at offset 0x%llx, past the table end",
				     t->nfunc, (unsigned long long)len,
				     (unsigned long long)(t->data.file_off + off));
	t->functab.what = "pclntab: functab";
	return 0;
}

/* Go 1.2-1.15: one blob; file table offset follows the functab. */
static int parse_12(struct gort_pclntab *t)
{
	const struct gort_view *v = &t->data;
	uint64_t n, off;
	uint32_t fileoff, nfiles;
	int rc;

	if ((rc = word(v, 0, &n)))
		return rc;
	if (n > UINT32_MAX)
		return bad(v, 8, "function count too large");
	t->nfunc = (uint32_t)n;
	off = 8 + (uint64_t)v->ptr_size;
	if ((rc = cut_functab(t, off)))
		return rc;
	off += t->functab.size;
	if ((rc = gort__view_u32(v, off, &fileoff)) ||
	    (rc = gort__view_u32(v, fileoff, &nfiles)))
		return gort__fail_at(rc, v->file_off + off,
				     "pclntab: file table offset at 0x%llx is bad",
				     (unsigned long long)(v->file_off + off));
	t->nfiles = nfiles;
	if ((rc = gort__view_sub(v, fileoff, (uint64_t)nfiles * 4, &t->filetab)))
		return rc;
	t->filetab.what = "pclntab: filetab";
	/* Names, pc-value streams and _func records are all offsets into the blob. */
	t->funcdata = t->funcnametab = t->pctab = *v;
	return 0;
}

/* Go 1.16+: separate tables, located by header words. */
static int parse_116(struct gort_pclntab *t)
{
	const struct gort_view *v = &t->data;
	uint32_t k = t->version >= GORT_PCLNTAB_GO118 ? 3 : 2; /* 1.18 added textStart */
	uint64_t n, files, pcln;
	int rc;

	if ((rc = word(v, 0, &n)) || (rc = word(v, 1, &files)))
		return rc;
	if (n > UINT32_MAX || files > UINT32_MAX)
		return bad(v, 8, "function or file count too large");
	t->nfunc = (uint32_t)n;
	t->nfiles = (uint32_t)files;
	if ((rc = table(v, k, "pclntab: funcnametab", &t->funcnametab)) ||
	    (rc = table(v, k + 1, "pclntab: cutab", &t->cutab)) ||
	    (rc = table(v, k + 2, "pclntab: filetab", &t->filetab)) ||
	    (rc = table(v, k + 3, "pclntab: pctab", &t->pctab)) ||
	    (rc = table(v, k + 4, "pclntab: pclntable", &t->funcdata)) ||
	    (rc = word(v, k + 4, &pcln)))
		return rc;
	/* The functab opens the pclntable; _func offsets are relative to it. */
	return cut_functab(t, pcln);
}

int gort__pclntab_parse(struct gort_pclntab *t, const struct gort_view *data,
			uint64_t addr, uint64_t text)
{
	struct gort_view v = *data;
	const uint8_t *p = gort__view_ptr(&v, 0, 8);
	uint32_t le, be;

	if (!p)
		return gort__fail_at(GORT_ETRUNCATED, v.file_off,
				     "pclntab: header: table of %llu bytes is too short",
				     (unsigned long long)v.size);
	/* debug/gosym: parsePclnTab checks the same four bytes. */
	if (p[4] != 0 || p[5] != 0 || (p[6] != 1 && p[6] != 2 && p[6] != 4) ||
	    (p[7] != 4 && p[7] != 8))
		return bad(&v, 4, "bad pad, instruction size or pointer size");
	/* The magics differ when byte-swapped: they also tell the byte order. */
	le = gort__ld32(p, false);
	be = gort__ld32(p, true);
	static const struct {
		uint32_t magic;
		int version;
	} magics[] = {
		{GORT_PCLN_MAGIC_12, GORT_PCLNTAB_GO12},
		{GORT_PCLN_MAGIC_116, GORT_PCLNTAB_GO116},
		{GORT_PCLN_MAGIC_118, GORT_PCLNTAB_GO118},
		{GORT_PCLN_MAGIC_120, GORT_PCLNTAB_GO120},
	};
	t->version = 0;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(magics); i++) {
		if (le == magics[i].magic || be == magics[i].magic) {
			t->version = magics[i].version;
			v.big_endian = be == magics[i].magic;
		}
	}
	if (!t->version)
		return gort__fail_at(GORT_EFORMAT, v.file_off,
				     "pclntab: header: unknown magic 0x%08x", le);
	v.ptr_size = p[7];
	v.what = "pclntab";
	t->data = v;
	t->quantum = p[6];
	t->ptr_size = p[7];
	t->addr = addr;
	t->field = t->version >= GORT_PCLNTAB_GO118 ? 4 : t->ptr_size;
	t->text = text;
	if (t->version == GORT_PCLNTAB_GO12)
		return parse_12(t);
	return parse_116(t);
}

/* The header's own textStart (1.18-1.25; always 0 from 1.26). */
uint64_t gort__pclntab_header_text(const struct gort_view *v)
{
	uint64_t w = 0;

	if (v->size >= 8 && (gort__ld32(v->data, false) == GORT_PCLN_MAGIC_118 ||
			     gort__ld32(v->data, false) == GORT_PCLN_MAGIC_120 ||
			     gort__ld32(v->data, true) == GORT_PCLN_MAGIC_118 ||
			     gort__ld32(v->data, true) == GORT_PCLN_MAGIC_120)) {
		struct gort_view h = *v;
		h.ptr_size = v->data[7] == 4 ? 4 : 8;
		h.big_endian = gort__ld32(v->data, true) == GORT_PCLN_MAGIC_118 ||
			       gort__ld32(v->data, true) == GORT_PCLN_MAGIC_120;
		if (word(&h, 2, &w))
			w = 0;
	}
	return w;
}

/*
 * PE (cmd/internal/objfile/pe.go: pcln, loadPETable): the bytes between
 * the runtime.pclntab and runtime.epclntab symbols, which must share a
 * section. GORT_ENOTFOUND (not recorded) without those symbols.
 */
static int pe_table(struct gort_binary *bin, struct gort_view *data, uint64_t *addr)
{
	uint64_t start, end;
	struct gort_view span;
	int rc;

	if ((rc = gort__binary_go_symbol(bin, "runtime.pclntab", &start)) ||
	    (rc = gort__binary_go_symbol(bin, "runtime.epclntab", &end)))
		return rc;
	if (end < start)
		return gort__fail_addr(GORT_EFORMAT, start,
				       "pclntab: runtime.epclntab (0x%llx) is below runtime.pclntab",
				       (unsigned long long)end);
	if ((rc = gort__binary_addr_span(bin, start, &span)))
		return rc;
	if (end - start > span.size)
		return gort__fail_addr(GORT_EFORMAT, start,
				       "pclntab: runtime.pclntab and runtime.epclntab are not in one section");
	span.size = end - start;
	*data = span;
	*addr = start;
	return 0;
}

/*
 * Where `go tool addr2line` finds the table (cmd/internal/objfile: pcln):
 * ELF .gopclntab (or .data.rel.ro.gopclntab in some PIE links), Mach-O
 * __gopclntab, PE the runtime.pclntab symbols; the text start is that of
 * the .text (__text) section, as there: debug/gosym ignores the header's
 * textStart, which may be unrelocated (and is 0 from Go 1.26). Files
 * without those (no section headers; stripped PE) are scanned for the
 * table itself.
 */
int gort__pclntab_init(struct gort_pclntab *t, struct gort_binary *bin)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab",
					    "__gopclntab"};
	struct gort_view data, text;
	uint64_t addr = 0, text_addr = 0;
	int rc = GORT_ENOTFOUND;
	bool has_text;

	t->bin = bin;
	has_text = !gort__binary_section(bin, bin->format == GORT_FORMAT_MACHO ? "__text" : ".text",
					 &text, &text_addr);
	t->has_sect_text = has_text;
	t->sect_text = text_addr;
	t->sect_text_end = has_text ? text_addr + text.size : 0;
	if (bin->format == GORT_FORMAT_PE)
		rc = pe_table(bin, &data, &addr);
	else
		for (size_t i = 0; i < GORT_ARRAY_SIZE(names) && rc == GORT_ENOTFOUND; i++)
			rc = gort__binary_section(bin, names[i], &data, &addr);
	if (rc == GORT_ENOTFOUND) {
		/* The system linker may merge the table into .data.rel.ro
		   (PIE, Go 1.21 and earlier): only a Go binary is scanned. */
		if (bin->format == GORT_FORMAT_ELF && bin->elf.nsections != 0 &&
		    gort__binary_section(bin, ".go.buildinfo", &data, &addr) &&
		    gort__binary_section(bin, ".note.go.buildid", &data, &addr))
			return gort__fail(GORT_ENOTGO, "pclntab: no .gopclntab section");
		/* No section headers, or no symbols: look for the table itself. */
		if ((rc = gort__pclntab_scan(t, bin)))
			return rc;
		/* Header textStart: 0 from Go 1.26 (see api.c). */
		t->text = has_text ? text_addr : gort__pclntab_header_text(&t->data);
		return 0;
	}
	if (rc)
		return rc;
	if (!has_text)
		text_addr = gort__pclntab_header_text(&data);
	return gort__pclntab_parse(t, &data, addr, text_addr);
}
