/* Opening a binary: detect the file format, hand over to its reader. */
#include "binary.h"

#include <string.h>

static int open_common(struct gort_binary *bin)
{
	const struct gort_view *v = &bin->src.view;
	const uint8_t *p = v->data;

	if (gort__is_elf(p, v->size)) {
		bin->format = GORT_FORMAT_ELF;
		return gort__elf_open(&bin->elf, v);
	}
	if (v->size >= 2 && p[0] == 'M' && p[1] == 'Z')
		return gort__fail_at(GORT_EUNSUPPORTED, 0,
				     "PE files are not supported yet");
	if (v->size >= 4 && (gort__ld32(p, false) == 0xfeedface ||
			     gort__ld32(p, false) == 0xfeedfacf ||
			     gort__ld32(p, true) == 0xfeedface ||
			     gort__ld32(p, true) == 0xfeedfacf ||
			     gort__ld32(p, true) == 0xcafebabe))
		return gort__fail_at(GORT_EUNSUPPORTED, 0,
				     "Mach-O files are not supported yet");
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
	gort__source_close(&bin->src);
	pthread_mutex_destroy(&bin->lock);
	gort__free(bin);
}

int gort_binary_format(const gort_binary *bin)
{
	return bin ? bin->format : GORT_FORMAT_UNKNOWN;
}

int gort_binary_arch(const gort_binary *bin)
{
	if (bin && bin->format == GORT_FORMAT_ELF)
		return gort__elf_arch(&bin->elf);
	return GORT_ARCH_UNKNOWN;
}

unsigned gort_binary_ptr_size(const gort_binary *bin)
{
	return bin && bin->format == GORT_FORMAT_ELF ? bin->elf.file.ptr_size : 0;
}

int gort_binary_big_endian(const gort_binary *bin)
{
	return bin && bin->format == GORT_FORMAT_ELF ? bin->elf.file.big_endian : 0;
}

int gort__binary_read_addr(struct gort_binary *bin, uint64_t addr, uint64_t len,
			   struct gort_view *out)
{
	if (bin->format == GORT_FORMAT_ELF)
		return gort__elf_read_addr(&bin->elf, addr, len, out);
	return gort__fail(GORT_EUNSUPPORTED, "no address mapping for this file format");
}

int gort__binary_addr_span(struct gort_binary *bin, uint64_t addr,
			   struct gort_view *out)
{
	if (bin->format == GORT_FORMAT_ELF)
		return gort__elf_addr_span(&bin->elf, addr, out);
	return gort__fail(GORT_EUNSUPPORTED, "no address mapping for this file format");
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
