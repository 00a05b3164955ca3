/*
 * PE reading (debug/pe: NewFile). Layout: a DOS header whose word at 0x3c
 * points at "PE\0\0", the 20-byte COFF file header, the optional header
 * (PE32 or PE32+: image base, pointer size), 40-byte section headers, and
 * at PointerToSymbolTable the 18-byte COFF symbols followed by the string
 * table that holds long section and symbol names.
 */
#include "pe.h"

#include <stdio.h>
#include <string.h>

#define FILE_HEADER 20
#define SECTION_HEADER 40
#define SYMBOL 18

struct pe_hdr {
	uint64_t base; /* offset of the COFF file header */
	uint16_t machine, nsections, opt_size;
	uint32_t symtab, nsyms;
	struct gort_view strtab; /* empty when the file has none */
};

bool gort__is_pe(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 'M' && p[1] == 'Z';
}

static int bad(uint64_t off, const char *why)
{
	return gort__fail_at(GORT_EFORMAT, off, "PE: %s (offset 0x%llx)", why,
			     (unsigned long long)off);
}

static int truncated(uint64_t off, const char *what)
{
	return gort__fail_at(GORT_ETRUNCATED, off,
			     "PE: %s at offset 0x%llx runs past the end of the file",
			     what, (unsigned long long)off);
}

static int arch_of(uint16_t machine)
{
	switch (machine) {
	case 0x14c:
		return GORT_ARCH_386;
	case 0x8664:
		return GORT_ARCH_AMD64;
	case 0xaa64:
		return GORT_ARCH_ARM64;
	case 0x1c4:
		return GORT_ARCH_ARM;
	}
	return GORT_ARCH_UNKNOWN;
}

/* debug/pe/string.go: the table's first word is its size, itself included. */
static int load_strtab(const struct gort_view *f, struct pe_hdr *h)
{
	uint64_t off = (uint64_t)h->symtab + (uint64_t)h->nsyms * SYMBOL;
	uint32_t len;

	h->strtab = gort__view_make(NULL, 0, "PE string table");
	if (h->symtab == 0 || h->nsyms == 0)
		return 0;
	if (gort__view_u32(f, off, &len))
		return truncated(off, "string table");
	if (len <= 4)
		return 0;
	if (gort__view_sub(f, off, len, &h->strtab))
		return truncated(off, "string table");
	h->strtab.what = "PE string table";
	return 0;
}

/* A NUL-terminated name at off in the string table; NULL if none. */
static const char *strtab_name(const struct pe_hdr *h, uint64_t off)
{
	const uint8_t *p;

	if (off < 4 || off >= h->strtab.size)
		return NULL;
	p = h->strtab.data + off;
	return memchr(p, 0, h->strtab.size - off) ? (const char *)p : NULL;
}

static int read_headers(const struct gort_view *f, struct pe_hdr *h,
			struct gort_obj *o)
{
	struct gort_cursor c;
	uint32_t lfanew;
	uint16_t magic;
	const uint8_t *sig;

	if (gort__view_u32(f, 0x3c, &lfanew))
		return truncated(0, "DOS header");
	if (!(sig = gort__view_ptr(f, lfanew, 4)))
		return truncated(lfanew, "PE signature");
	if (memcmp(sig, "PE\0\0", 4) != 0)
		return bad(lfanew, "no PE signature where the DOS header points");
	h->base = (uint64_t)lfanew + 4;
	c = gort__cursor(f, h->base);
	h->machine = gort__cur_u16(&c);
	h->nsections = gort__cur_u16(&c);
	gort__cur_u32(&c); /* TimeDateStamp */
	h->symtab = gort__cur_u32(&c);
	h->nsyms = gort__cur_u32(&c);
	h->opt_size = gort__cur_u16(&c);
	gort__cur_u16(&c); /* Characteristics */
	magic = gort__cur_u16(&c);
	if (c.err)
		return truncated(h->base, "COFF file header");
	if (h->opt_size < 32)
		return bad(h->base + 16, "optional header too small for an executable");
	/* Optional header: ImageBase at 28 (PE32) or 24 (PE32+). */
	if (magic == 0x10b) {
		o->file.ptr_size = 4;
		c.pos = h->base + FILE_HEADER + 28;
		o->image_base = gort__cur_u32(&c);
	} else if (magic == 0x20b) {
		o->file.ptr_size = 8;
		c.pos = h->base + FILE_HEADER + 24;
		o->image_base = gort__cur_u64(&c);
	} else {
		return bad(h->base + FILE_HEADER, "optional header magic is neither PE32 nor PE32+");
	}
	if (c.err)
		return truncated(h->base + FILE_HEADER, "optional header");
	o->arch = arch_of(h->machine);
	return load_strtab(f, h);
}

/* debug/pe/section.go: "/123" names the string table entry at 123. */
static void section_name(const struct pe_hdr *h, const uint8_t *raw, char *out)
{
	const char *s = NULL;
	unsigned long off = 0;
	size_t i = 1;

	if (raw[0] == '/') {
		for (; i < 8 && raw[i] >= '0' && raw[i] <= '9'; i++)
			off = off * 10 + (unsigned long)(raw[i] - '0');
		if (i > 1 && (i == 8 || raw[i] == 0))
			s = strtab_name(h, off);
	}
	if (s) {
		snprintf(out, GORT_OBJ_NAME, "%s", s);
		return;
	}
	for (i = 0; i < 8 && raw[i]; i++)
		out[i] = (char)raw[i];
	out[i] = 0;
}

static int read_sections(const struct gort_view *f, const struct pe_hdr *h,
			 struct gort_obj *o)
{
	uint64_t off = h->base + FILE_HEADER + h->opt_size;
	struct gort_view tab;

	if (gort__view_sub(f, off, (uint64_t)h->nsections * SECTION_HEADER, &tab))
		return truncated(off, "section table");
	if (h->nsections == 0)
		return 0;
	o->sections = gort__calloc(h->nsections, sizeof(*o->sections));
	if (!o->sections)
		return gort__fail(GORT_ENOMEM, "PE: %u sections", h->nsections);
	for (size_t i = 0; i < h->nsections; i++) {
		struct gort_obj_section *s = &o->sections[i];
		struct gort_cursor c = gort__cursor(&tab, i * SECTION_HEADER);
		const uint8_t *raw = gort__cur_bytes(&c, 8);
		uint32_t vsize = gort__cur_u32(&c), va = gort__cur_u32(&c);
		uint32_t rawsize = gort__cur_u32(&c), rawoff = gort__cur_u32(&c);

		gort__cur_skip(&c, 12); /* relocations, line numbers, counts */
		s->flags = gort__cur_u32(&c);
		if (c.err)
			return c.err;
		section_name(h, raw, s->name);
		s->addr = o->image_base + va;
		s->size = vsize;
		s->offset = rawoff;
		s->filesz = rawsize;
		if (rawsize && !gort__view_has(f, rawoff, rawsize))
			return gort__fail_at(GORT_ETRUNCATED, off + i * SECTION_HEADER,
					     "PE: section %s: 0x%x bytes at offset 0x%x run past the end of the file",
					     s->name, rawsize, rawoff);
	}
	o->nsections = h->nsections;
	return 0;
}

/* cmd/internal/objfile/pe.go: symbols (the nm letter, the address). */
static void classify(struct gort_obj *o, struct gort_obj_symbol *sym,
		     int16_t secnum, uint32_t value, int16_t bss_sec,
		     uint32_t bss_addr)
{
	const struct gort_obj_section *s;
	uint32_t ch;

	sym->value = value;
	sym->code = secnum == 0 ? 'U' : secnum == -1 ? 'C' : '?';
	if (secnum <= 0 || (size_t)secnum > o->nsections)
		return;
	s = &o->sections[secnum - 1];
	ch = s->flags;
	if (ch & GORT_PE_SCN_CNT_CODE)
		sym->code = 'T';
	else if (ch & GORT_PE_SCN_CNT_INITIALIZED_DATA) {
		if (!(ch & GORT_PE_SCN_MEM_WRITE))
			sym->code = 'R';
		else if ((bss_sec == secnum && bss_addr > 0 && value >= bss_addr) ||
			 value >= s->filesz)
			sym->code = 'B'; /* Go puts bss inside .data */
		else
			sym->code = 'D';
	} else if (ch & GORT_PE_SCN_CNT_UNINITIALIZED_DATA)
		sym->code = 'B';
	sym->value += s->addr;
}

/*
 * The COFF symbols, auxiliary records dropped (debug/pe: removeAuxSymbols).
 * A name is 8 inline bytes, or 4 zero bytes and a string table offset.
 */
static int read_symbols(const struct gort_view *f, const struct pe_hdr *h,
			struct gort_obj *o)
{
	struct gort_view tab;
	int16_t bss_sec = 0, *secnum;
	uint32_t bss_addr = 0;
	size_t n = 0;
	int rc;

	if (h->symtab == 0 || h->nsyms == 0)
		return 0;
	if (gort__view_sub(f, h->symtab, (uint64_t)h->nsyms * SYMBOL, &tab))
		return truncated(h->symtab, "symbol table");
	o->symbols = gort__calloc(h->nsyms, sizeof(*o->symbols));
	o->names = gort__malloc((size_t)h->nsyms * 9);
	secnum = gort__malloc((size_t)h->nsyms * sizeof(*secnum));
	if (!o->symbols || !o->names || !secnum) {
		gort__free(secnum);
		return gort__fail(GORT_ENOMEM, "PE: %u symbols", h->nsyms);
	}
	for (uint32_t i = 0; i < h->nsyms; i++) {
		const uint8_t *p = tab.data + (uint64_t)i * SYMBOL;
		struct gort_obj_symbol *s = &o->symbols[n];
		const char *name;

		if (gort__ld32(p, false) == 0) {
			name = strtab_name(h, gort__ld32(p + 4, false));
			if (!name) {
				gort__free(secnum);
				return bad(h->symtab + (uint64_t)i * SYMBOL,
					   "symbol name outside the string table");
			}
		} else {
			char *d = o->names + (size_t)i * 9;
			size_t k = 0;
			for (; k < 8 && p[k]; k++)
				d[k] = (char)p[k];
			d[k] = 0;
			name = d;
		}
		s->name = name;
		s->value = gort__ld32(p + 8, false);
		secnum[n] = (int16_t)gort__ld16(p + 12, false);
		if (strcmp(name, "runtime.bss") == 0 && !bss_sec) {
			bss_sec = secnum[n];
			bss_addr = (uint32_t)s->value;
		}
		n++;
		i += p[17]; /* NumberOfAuxSymbols */
	}
	o->nsymbols = n;
	for (size_t i = 0; i < n; i++)
		classify(o, &o->symbols[i], secnum[i], (uint32_t)o->symbols[i].value,
			 bss_sec, bss_addr);
	rc = gort__obj_symbol_sizes(o);
	gort__free(secnum);
	return rc;
}

int gort__pe_open(struct gort_obj *o, const struct gort_view *file)
{
	struct pe_hdr h;
	int rc;

	memset(o, 0, sizeof(*o));
	memset(&h, 0, sizeof(h));
	o->file = *file;
	o->file.what = "PE file";
	o->file.big_endian = 0;
	if ((rc = read_headers(&o->file, &h, o)) ||
	    (rc = read_sections(&o->file, &h, o)) ||
	    (rc = read_symbols(&o->file, &h, o))) {
		gort__obj_free(o);
		return rc;
	}
	return 0;
}
