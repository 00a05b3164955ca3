/* Opening a binary: detect the file format, hand over to its reader. */
#include "binary.h"
#include "../macho/macho.h"
#include "../pe/pe.h"

#include <gelf.h>
#include <string.h>

static int open_common(struct gort_binary *bin)
{
	const struct gort_view *v = &bin->src.view;
	const uint8_t *p = v->data;

	if (gort__is_elf(p, v->size)) {
		bin->format = GORT_FORMAT_ELF;
		return gort__elf_open(&bin->elf, v);
	}
	if (gort__is_pe(p, v->size)) {
		bin->format = GORT_FORMAT_PE;
		return gort__pe_open(&bin->obj, v);
	}
	if (gort__is_macho(p, v->size)) {
		bin->format = GORT_FORMAT_MACHO;
		return gort__macho_open(&bin->obj, v);
	}
	if (v->size < 4)
		return gort__fail_at(GORT_EUNKNOWNFILE, 0,
				     "file too short (%llu bytes) to be an executable",
				     (unsigned long long)v->size);
	return gort__fail_at(GORT_EUNKNOWNFILE, 0,
			     "unrecognized file format (not ELF, PE or Mach-O)");
}

static int finish(gort_binary **out, gort_binary *bin, int rc)
{
	if (!rc)
		rc = open_common(bin);
	if (rc) {
		gort_binary_close(bin);
		return rc;
	}
	*out = bin;
	return 0;
}

static gort_binary *alloc_binary(void)
{
	gort_binary *bin = gort__calloc(1, sizeof(*bin));
	if (!bin) {
		gort__fail(GORT_ENOMEM, "out of memory opening a binary");
		return NULL;
	}
	pthread_mutex_init(&bin->lock, NULL);
	pthread_mutex_init(&bin->sym_lock, NULL);
	return bin;
}

int gort_binary_open(gort_binary **out, const char *path,
		     const struct gort_open_opts *opts)
{
	gort_binary *bin;
	int rc;

	if (!out)
		return gort__fail(GORT_EINVAL, "gort_binary_open: out is NULL");
	*out = NULL;
	if (!(bin = alloc_binary()))
		return GORT_ENOMEM;
	rc = gort__source_open_path(&bin->src, path, opts);
	return finish(out, bin, rc);
}

int gort_binary_open_memory(gort_binary **out, const void *data, size_t size,
			    const struct gort_open_opts *opts)
{
	gort_binary *bin;

	if (!out)
		return gort__fail(GORT_EINVAL, "gort_binary_open_memory: out is NULL");
	*out = NULL;
	if (!(bin = alloc_binary()))
		return GORT_ENOMEM;
	return finish(out, bin, gort__source_open_memory(&bin->src, data, size, opts));
}

void gort_binary_close(gort_binary *bin)
{
	if (!bin)
		return;
	gort__buildinfo_free(bin->buildinfo);
	if (bin->format == GORT_FORMAT_ELF)
		gort__elf_close(&bin->elf);
	else
		gort__obj_free(&bin->obj);
	gort__symtab_free(bin);
	gort__source_close(&bin->src);
	pthread_mutex_destroy(&bin->lock);
	pthread_mutex_destroy(&bin->sym_lock);
	gort__free(bin);
}

int gort_binary_format(const gort_binary *bin)
{
	return bin ? bin->format : GORT_FORMAT_UNKNOWN;
}

int gort_binary_arch(const gort_binary *bin)
{
	if (!bin)
		return GORT_ARCH_UNKNOWN;
	if (bin->format == GORT_FORMAT_ELF)
		return gort__elf_arch(&bin->elf);
	return bin->obj.arch;
}

static const struct gort_view *file_view(const gort_binary *bin)
{
	return bin->format == GORT_FORMAT_ELF ? &bin->elf.file : &bin->obj.file;
}

unsigned gort_binary_ptr_size(const gort_binary *bin)
{
	return bin ? file_view(bin)->ptr_size : 0;
}

int gort_binary_big_endian(const gort_binary *bin)
{
	return bin ? file_view(bin)->big_endian : 0;
}

int gort__binary_read_addr(struct gort_binary *bin, uint64_t addr, uint64_t len,
			   struct gort_view *out)
{
	int rc;

	if (bin->format == GORT_FORMAT_ELF)
		return gort__elf_read_addr(&bin->elf, addr, len, out);
	rc = gort__obj_addr_span(&bin->obj, addr, out);

	if (rc)
		return rc;
	if (len > out->size)
		return gort__fail_addr(GORT_EFAULT, addr,
				       "%llu bytes at address 0x%llx run past the end of their segment",
				       (unsigned long long)len, (unsigned long long)addr);
	out->size = len;
	return 0;
}

int gort__binary_addr_span(struct gort_binary *bin, uint64_t addr,
			   struct gort_view *out)
{
	if (bin->format == GORT_FORMAT_ELF)
		return gort__elf_addr_span(&bin->elf, addr, out);
	return gort__obj_addr_span(&bin->obj, addr, out);
}

static int elf_region(struct gort_elf *e, size_t i, struct gort_region *out)
{
	for (size_t k = 0; k < e->nsegments; k++) {
		const struct gort_elf_segment *g = &e->segments[k];
		if (g->type != PT_LOAD || !g->filesz || i-- > 0)
			continue;
		out->addr = g->vaddr;
		out->writable = g->flags & PF_W;
		return gort__view_sub(&e->file, g->offset, g->filesz, &out->data);
	}
	if (e->nsegments)
		return GORT_EEND;
	for (size_t k = 0; k < e->nsections; k++) {
		const struct gort_elf_section *s = &e->sections[k];
		if (!(s->flags & SHF_ALLOC) || s->type == SHT_NOBITS || !s->size ||
		    i-- > 0)
			continue;
		out->addr = s->addr;
		out->writable = s->flags & SHF_WRITE;
		return gort__view_sub(&e->file, s->offset, s->size, &out->data);
	}
	return GORT_EEND;
}

static int obj_region(struct gort_obj *o, size_t i, struct gort_region *out)
{
	for (size_t k = 0; k < o->nsegments; k++) {
		const struct gort_obj_segment *g = &o->segments[k];
		if (!g->filesz || !strcmp(g->name, "__PAGEZERO") || i-- > 0)
			continue;
		out->addr = g->addr;
		out->writable = g->initprot & 2; /* VM_PROT_WRITE */
		return gort__view_sub(&o->file, g->offset, g->filesz, &out->data);
	}
	if (o->nsegments)
		return GORT_EEND;
	for (size_t k = 0; k < o->nsections; k++) {
		const struct gort_obj_section *s = &o->sections[k];
		if (!s->filesz || i-- > 0)
			continue;
		out->addr = s->addr;
		out->writable = s->flags & GORT_PE_SCN_MEM_WRITE;
		return gort__view_sub(&o->file, s->offset, s->filesz, &out->data);
	}
	return GORT_EEND;
}

int gort__binary_region_at(struct gort_binary *bin, size_t i,
			   struct gort_region *out)
{
	if (bin->format == GORT_FORMAT_ELF)
		return elf_region(&bin->elf, i, out);
	return obj_region(&bin->obj, i, out);
}

int gort__binary_section(struct gort_binary *bin, const char *name,
			 struct gort_view *data, uint64_t *addr)
{
	if (bin->format == GORT_FORMAT_ELF) {
		struct gort_elf_section *s = gort__elf_section(&bin->elf, name);
		if (!s || s->type == SHT_NOBITS)
			return GORT_ENOTFOUND;
		*addr = s->addr;
		return gort__elf_section_data(&bin->elf, s, data);
	}
	const struct gort_obj_section *s = gort__obj_section(&bin->obj, NULL, name);
	if (!s || !s->filesz)
		return GORT_ENOTFOUND;
	*addr = s->addr;
	return gort__obj_section_data(&bin->obj, s, data);
}

const char *gort_arch_name(int arch)
{
	static const char *const names[] = {
		[GORT_ARCH_AMD64] = "amd64",	 [GORT_ARCH_ARM64] = "arm64",
		[GORT_ARCH_386] = "386",	 [GORT_ARCH_ARM] = "arm",
		[GORT_ARCH_PPC64LE] = "ppc64le", [GORT_ARCH_PPC64] = "ppc64",
		[GORT_ARCH_S390X] = "s390x",	 [GORT_ARCH_RISCV64] = "riscv64",
		[GORT_ARCH_LOONG64] = "loong64", [GORT_ARCH_MIPS] = "mips",
		[GORT_ARCH_MIPSLE] = "mipsle",	 [GORT_ARCH_MIPS64] = "mips64",
		[GORT_ARCH_MIPS64LE] = "mips64le",
	};
	if (arch > 0 && (size_t)arch < GORT_ARRAY_SIZE(names) && names[arch])
		return names[arch];
	return "unknown";
}
