#include "elf.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#ifndef ELFCOMPRESS_ZSTD
#define ELFCOMPRESS_ZSTD 2
#endif
#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

/*
 * A section may claim any decompressed size: refuse ratios no real
 * debug section reaches, so hostile headers cannot make us allocate
 * gigabytes.
 */
#define MAX_RATIO 2048
#define MAX_SLACK (1u << 20)

static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void init_libelf(void)
{
	elf_version(EV_CURRENT);
}

bool gort__is_elf(const uint8_t *p, size_t n)
{
	return n >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' &&
	       p[3] == 'F';
}

static int elf_fail(const char *what)
{
	return gort__fail(GORT_EFORMAT, "ELF: %s: %s", what,
			  elf_errmsg(elf_errno()));
}

static int load_sections(struct gort_elf *e, Elf *elf)
{
	size_t n, shstrndx, i;

	if (elf_getshdrnum(elf, &n) != 0)
		return elf_fail("section count");
	if (n == 0)
		return 0;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return elf_fail("section name table");
	e->sections = gort__calloc(n, sizeof(*e->sections));
	if (!e->sections)
		return gort__fail(GORT_ENOMEM, "ELF: %zu sections", n);
	for (i = 0; i < n; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		struct gort_elf_section *s = &e->sections[i];
		GElf_Shdr sh;
		const char *name;

		if (!scn || !gelf_getshdr(scn, &sh))
			return elf_fail("section header");
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		s->name = name ? name : "";
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->link = sh.sh_link;
	}
	e->nsections = n;
	return 0;
}

static int load_segments(struct gort_elf *e, Elf *elf)
{
	size_t n, i;

	if (elf_getphdrnum(elf, &n) != 0)
		return elf_fail("program header count");
	if (n == 0)
		return 0;
	e->segments = gort__calloc(n, sizeof(*e->segments));
	if (!e->segments)
		return gort__fail(GORT_ENOMEM, "ELF: %zu segments", n);
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return elf_fail("program header");
		e->segments[i].type = ph.p_type;
		e->segments[i].flags = ph.p_flags;
		e->segments[i].offset = ph.p_offset;
		e->segments[i].vaddr = ph.p_vaddr;
		e->segments[i].filesz = ph.p_filesz;
		e->segments[i].memsz = ph.p_memsz;
	}
	e->nsegments = n;
	return 0;
}

int gort__elf_open(struct gort_elf *e, const struct gort_view *file)
{
	GElf_Ehdr eh;
	Elf *elf;
	int rc;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	e->file = *file;
	e->file.what = "ELF file";
	if (!gort__is_elf(file->data, file->size))
		return gort__fail_at(GORT_EUNKNOWNFILE, 0, "not an ELF file");
	if (file->size < EI_NIDENT)
		return gort__fail_at(GORT_ETRUNCATED, 0, "ELF: truncated identification");
	pthread_once(&version_once, init_libelf);
	/*
	 * elf_memory() takes a non-const image but only reads it as long as
	 * nothing is updated through libelf, which we never do.
	 */
	elf = elf_memory((char *)(uintptr_t)file->data, file->size);
	if (!elf)
		return elf_fail("open");
	e->elf = elf;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		rc = elf_fail("header");
		goto fail;
	}
	e->file.big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	e->file.ptr_size = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4;
	e->type = eh.e_type;
	e->machine = eh.e_machine;
	e->entry = eh.e_entry;
	if ((rc = load_sections(e, elf)) || (rc = load_segments(e, elf)))
		goto fail;
	return 0;
fail:
	gort__elf_close(e);
	return rc;
}

void gort__elf_close(struct gort_elf *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nsections; i++)
		gort__free(e->sections[i].inflated);
	gort__free(e->sections);
	gort__free(e->segments);
	gort__free(e->symbols);
	if (e->elf)
		elf_end(e->elf);
	pthread_mutex_destroy(&e->lock);
	memset(e, 0, sizeof(*e));
}

struct gort_elf_section *gort__elf_section(struct gort_elf *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nsections; i++)
		if (strcmp(e->sections[i].name, name) == 0)
			return &e->sections[i];
	if (strncmp(name, ".debug_", 7) == 0)
		for (i = 0; i < e->nsections; i++)
			if (strncmp(e->sections[i].name, ".zdebug_", 8) == 0 &&
			    strcmp(e->sections[i].name + 8, name + 7) == 0)
				return &e->sections[i];
	return NULL;
}

struct gort_elf_section *gort__elf_section_by_type(struct gort_elf *e,
						   uint32_t type)
{
	size_t i;

	for (i = 0; i < e->nsections; i++)
		if (e->sections[i].type == type)
			return &e->sections[i];
	return NULL;
}

/* Decompress `in` (a zlib or zstd stream) into exactly `size` bytes. */
static int inflate_section(const struct gort_elf_section *s, int kind,
			   const struct gort_view *in, uint64_t size,
			   void **out)
{
	uint8_t *buf;

	if (size > in->size * (uint64_t)MAX_RATIO + MAX_SLACK || size > SIZE_MAX)
		return gort__fail_at(GORT_ETOOLARGE, in->file_off,
				     "ELF: section %s claims %llu decompressed bytes from %llu",
				     s->name, (unsigned long long)size,
				     (unsigned long long)in->size);
	buf = gort__malloc((size_t)size);
	if (!buf)
		return gort__fail(GORT_ENOMEM, "ELF: section %s: %llu bytes",
				  s->name, (unsigned long long)size);
	if (kind == ELFCOMPRESS_ZLIB) {
		uLongf got = (uLongf)size;
		int zr = uncompress(buf, &got, in->data, (uLong)in->size);
		if (zr != Z_OK || got != size) {
			gort__free(buf);
			return gort__fail_at(GORT_ECOMPRESSED, in->file_off,
					     "ELF: section %s: zlib: %s",
					     s->name,
					     zr == Z_OK ? "size mismatch" : zError(zr));
		}
	} else {
		size_t got = ZSTD_decompress(buf, (size_t)size, in->data,
					     (size_t)in->size);
		if (ZSTD_isError(got) || got != size) {
			gort__free(buf);
			return gort__fail_at(GORT_ECOMPRESSED, in->file_off,
					     "ELF: section %s: zstd: %s", s->name,
					     ZSTD_isError(got) ? ZSTD_getErrorName(got)
							       : "size mismatch");
		}
	}
	*out = buf;
	return 0;
}

/* Locate the compressed stream and its declared size. */
static int compressed_stream(struct gort_elf *e, const struct gort_elf_section *s,
			     const struct gort_view *raw, int *kind,
			     struct gort_view *stream, uint64_t *size)
{
	struct gort_cursor c = gort__cursor(raw, 0);
	uint64_t hdr;

	if (s->flags & SHF_COMPRESSED) {
		*kind = (int)gort__cur_u32(&c);
		if (e->file.ptr_size == 8) {
			gort__cur_u32(&c); /* ch_reserved */
			*size = gort__cur_u64(&c);
			gort__cur_u64(&c); /* ch_addralign */
		} else {
			*size = gort__cur_u32(&c);
			gort__cur_u32(&c);
		}
		if (c.err)
			return c.err;
		if (*kind != ELFCOMPRESS_ZLIB && *kind != ELFCOMPRESS_ZSTD)
			return gort__fail_at(GORT_EUNSUPPORTED, raw->file_off,
					     "ELF: section %s: compression type %d",
					     s->name, *kind);
		hdr = c.pos;
	} else {
		/* GNU .zdebug_*: "ZLIB" then the size as a big-endian u64. */
		const uint8_t *p = gort__view_ptr(raw, 0, 12);
		if (!p)
			return GORT_ETRUNCATED;
		if (memcmp(p, "ZLIB", 4) != 0)
			return gort__fail_at(GORT_EFORMAT, raw->file_off,
					     "ELF: section %s: no ZLIB header",
					     s->name);
		*kind = ELFCOMPRESS_ZLIB;
		*size = gort__ld64(p + 4, true);
		hdr = 12;
	}
	return gort__view_sub(raw, hdr, raw->size - hdr, stream);
}

static bool is_compressed(const struct gort_elf_section *s)
{
	return (s->flags & SHF_COMPRESSED) || strncmp(s->name, ".zdebug_", 8) == 0;
}

int gort__elf_section_size(struct gort_elf *e, const struct gort_elf_section *s,
			   uint64_t *size)
{
	struct gort_view raw, stream;
	int kind, rc;

	if (!is_compressed(s) || s->inflated) {
		*size = s->inflated ? s->inflated_size : s->size;
		return 0;
	}
	if ((rc = gort__view_sub(&e->file, s->offset, s->size, &raw)))
		return rc;
	raw.what = s->name;
	return compressed_stream(e, s, &raw, &kind, &stream, size);
}

int gort__elf_section_data(struct gort_elf *e, struct gort_elf_section *s,
			   struct gort_view *out)
{
	struct gort_view raw, stream;
	uint64_t size = 0;
	int kind = 0, rc = 0;

	if (s->type == SHT_NOBITS)
		return gort__fail(GORT_ENOTFOUND,
				  "ELF: section %s has no bytes in the file", s->name);
	if ((rc = gort__view_sub(&e->file, s->offset, s->size, &raw)))
		return gort__fail_at(rc, s->offset,
				     "ELF: section %s (0x%llx bytes at 0x%llx) runs past the end of the file",
				     s->name, (unsigned long long)s->size,
				     (unsigned long long)s->offset);
	raw.what = s->name;
	if (!is_compressed(s)) {
		*out = raw;
		return 0;
	}
	pthread_mutex_lock(&e->lock);
	if (!s->inflated) {
		rc = compressed_stream(e, s, &raw, &kind, &stream, &size);
		if (!rc)
			rc = inflate_section(s, kind, &stream, size, &s->inflated);
		if (!rc)
			s->inflated_size = size;
	}
	pthread_mutex_unlock(&e->lock);
	if (rc)
		return rc;
	*out = gort__view_make(s->inflated, s->inflated_size, s->name);
	out->big_endian = e->file.big_endian;
	out->ptr_size = e->file.ptr_size;
	return 0;
}

int gort__elf_addr_span(struct gort_elf *e, uint64_t addr,
			struct gort_view *out)
{
	size_t i;

	for (i = 0; i < e->nsegments; i++) {
		const struct gort_elf_segment *g = &e->segments[i];
		if (g->type == PT_LOAD && addr >= g->vaddr &&
		    addr - g->vaddr < g->filesz)
			return gort__view_sub(&e->file, g->offset + (addr - g->vaddr),
					      g->filesz - (addr - g->vaddr), out);
	}
	if (e->nsegments == 0)
		for (i = 0; i < e->nsections; i++) {
			const struct gort_elf_section *s = &e->sections[i];
			if ((s->flags & SHF_ALLOC) && s->type != SHT_NOBITS &&
			    addr >= s->addr && addr - s->addr < s->size)
				return gort__view_sub(&e->file,
						      s->offset + (addr - s->addr),
						      s->size - (addr - s->addr), out);
		}
	return gort__fail_addr(GORT_EFAULT, addr,
			       "ELF: address 0x%llx is in no file-backed segment",
			       (unsigned long long)addr);
}

int gort__elf_read_addr(struct gort_elf *e, uint64_t addr, uint64_t len,
			struct gort_view *out)
{
	int rc = gort__elf_addr_span(e, addr, out);

	if (rc)
		return rc;
	if (len > out->size)
		return gort__fail_addr(GORT_EFAULT, addr,
				       "ELF: %llu bytes at address 0x%llx run past the end of their segment",
				       (unsigned long long)len, (unsigned long long)addr);
	out->size = len;
	return 0;
}

static int symcmp(const void *a, const void *b)
{
	return strcmp(((const struct gort_elf_symbol *)a)->name,
		      ((const struct gort_elf_symbol *)b)->name);
}

static int load_symbols(struct gort_elf *e)
{
	struct gort_elf_section *s = gort__elf_section_by_type(e, SHT_SYMTAB);
	Elf_Scn *scn;
	Elf_Data *d;
	size_t n, i, k = 0;

	if (!s)
		s = gort__elf_section_by_type(e, SHT_DYNSYM);
	if (!s)
		return 0;
	scn = elf_getscn(e->elf, (size_t)(s - e->sections));
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return elf_fail("symbol table");
	n = d->d_size / gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	e->symbols = gort__calloc(n, sizeof(*e->symbols));
	if (!e->symbols)
		return gort__fail(GORT_ENOMEM, "ELF: %zu symbols", n);
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(d, (int)i, &sym))
			continue;
		name = elf_strptr(e->elf, s->link, sym.st_name);
		if (!name || !*name)
			continue;
		e->symbols[k].name = name;
		e->symbols[k].value = sym.st_value;
		e->symbols[k].size = sym.st_size;
		e->symbols[k].type = GELF_ST_TYPE(sym.st_info);
		e->symbols[k].bind = GELF_ST_BIND(sym.st_info);
		e->symbols[k].shndx = sym.st_shndx;
		k++;
	}
	e->nsymbols = k;
	qsort(e->symbols, k, sizeof(*e->symbols), symcmp);
	return 0;
}

int gort__elf_symbols(struct gort_elf *e)
{
	int rc;

	pthread_mutex_lock(&e->lock);
	if (!e->symbols_loaded) {
		rc = load_symbols(e);
		if (rc == GORT_ENOMEM) { /* not a property of the file: not kept */
			gort__free(e->symbols);
			e->symbols = NULL;
			pthread_mutex_unlock(&e->lock);
			return rc;
		}
		if (rc)
			gort__error_save(&e->symbols_err, rc);
		e->symbols_loaded = true;
	}
	/* Every caller gets the code with its message, not only the first. */
	rc = gort__error_restore(&e->symbols_err);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int gort__elf_symbol(struct gort_elf *e, const char *name,
		     const struct gort_elf_symbol **out)
{
	struct gort_elf_symbol key, *hit;
	int rc;

	if ((rc = gort__elf_symbols(e)))
		return rc;
	key.name = name;
	hit = e->nsymbols ? bsearch(&key, e->symbols, e->nsymbols,
				    sizeof(*e->symbols), symcmp)
			  : NULL;
	if (!hit)
		return gort__fail(GORT_ENOTFOUND, "ELF: no symbol %s", name);
	*out = hit;
	return 0;
}

int gort__elf_arch(const struct gort_elf *e)
{
	bool be = e->file.big_endian, b64 = e->file.ptr_size == 8;

	switch (e->machine) {
	case EM_X86_64:
		return GORT_ARCH_AMD64;
	case EM_AARCH64:
		return GORT_ARCH_ARM64;
	case EM_386:
		return GORT_ARCH_386;
	case EM_ARM:
		return GORT_ARCH_ARM;
	case EM_PPC64:
		return be ? GORT_ARCH_PPC64 : GORT_ARCH_PPC64LE;
	case EM_S390:
		return GORT_ARCH_S390X;
	case EM_RISCV:
		return GORT_ARCH_RISCV64;
	case EM_LOONGARCH:
		return GORT_ARCH_LOONG64;
	case EM_MIPS:
		return b64 ? (be ? GORT_ARCH_MIPS64 : GORT_ARCH_MIPS64LE)
			   : (be ? GORT_ARCH_MIPS : GORT_ARCH_MIPSLE);
	}
	return GORT_ARCH_UNKNOWN;
}
