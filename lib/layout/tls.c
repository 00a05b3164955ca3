/*
 * Where a thread keeps its current g, and how g.labels is represented.
 *
 * TLS (cmd/link/internal/ld/sym.go: Tlsoffset; ld/data.go: R_TLS_LE;
 * arm64/asm.go: R_ARM64_TLS_LE):
 *  - amd64 and 386 with internal linking: the word just below the thread
 *    pointer, -8(FS) / -4(GS) (Tlsoffset = -PtrSize). With external
 *    linking the system linker places runtime.tlsg in the TLS block, and
 *    ELF's variant II puts the block just below the thread pointer: the
 *    slot is tlsg's offset in PT_TLS minus the block's aligned size. Both
 *    give -PtrSize when the block holds only tlsg.
 *  - arm64: g lives in R28; runtime.tls_g (a TLSBSS word) is filled only
 *    when cgo is in use (runtime/tls_arm64.s: save_g). ELF variant I: the
 *    block starts after the 16-byte TCB, aligned to PT_TLS's alignment.
 * PT_TLS alignments above 16 (variant I) or the pointer size (variant II)
 * are not taken into account: Go's own TLS block needs neither.
 */
#include "layout.h"

#include <gelf.h>

static const struct gort_elf_segment *tls_segment(const struct gort_elf *e)
{
	for (size_t i = 0; i < e->nsegments; i++)
		if (e->segments[i].type == PT_TLS)
			return &e->segments[i];
	return NULL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 && v % a ? v + (a - v % a) : v;
}

/* Offset of a TLS symbol's slot from the thread pointer. */
static int tls_symbol(struct gort_binary *bin, const char *name, bool variant1,
		      int64_t *off)
{
	const struct gort_elf_segment *tls = tls_segment(&bin->elf);
	const struct gort_elf_symbol *sym;
	uint64_t tcb = 2 * (uint64_t)bin->elf.file.ptr_size;
	int rc;

	if (!tls)
		return GORT_ENOTFOUND;
	if ((rc = gort__elf_symbol(&bin->elf, name, &sym)))
		return rc == GORT_ENOMEM ? rc : GORT_ENOTFOUND;
	if (sym->type != STT_TLS)
		return GORT_ENOTFOUND;
	if (tls->memsz > (1u << 30) || sym->value >= tls->memsz)
		return gort__fail_addr(GORT_EFORMAT, sym->value,
				       "layout: %s lies outside PT_TLS (size %llu)", name,
				       (unsigned long long)tls->memsz);
	if (variant1)
		*off = (int64_t)(align_up(tcb, 16) + sym->value);
	else
		*off = (int64_t)sym->value - (int64_t)align_up(tls->memsz, bin->elf.file.ptr_size);
	return 0;
}

int gort_layout_tls_g(gort_layout *lay, struct gort_tls_g *out)
{
	struct gort_binary *bin;
	const struct gort_elf_segment *tls;
	unsigned ptr;
	int arch, rc;

	if (!lay || !out)
		return gort__fail(GORT_EINVAL, "gort_layout_tls_g: NULL argument");
	bin = lay->bin;
	arch = gort_binary_arch(bin);
	ptr = bin->elf.file.ptr_size;
	if (arch == GORT_ARCH_AMD64 || arch == GORT_ARCH_386) {
		out->base = arch == GORT_ARCH_AMD64 ? "fs" : "gs";
		rc = tls_symbol(bin, "runtime.tlsg", false, &out->offset);
		if (rc != GORT_ENOTFOUND) {
			out->source = GORT_LAYOUT_BINARY;
			return rc;
		}
		tls = tls_segment(&bin->elf);
		if (tls && tls->memsz > ptr)
			return gort__fail(GORT_ENOTFOUND,
					  "layout: TLS block of %llu bytes and no runtime.tlsg "
					  "symbol: the slot of g is unknown",
					  (unsigned long long)tls->memsz);
		out->offset = -(int64_t)ptr;
		out->source = tls ? GORT_LAYOUT_BINARY : GORT_LAYOUT_ABI;
		return 0;
	}
	if (arch == GORT_ARCH_ARM64) {
		out->base = "tpidr_el0";
		rc = tls_symbol(bin, "runtime.tls_g", true, &out->offset);
		if (rc == GORT_ENOTFOUND)
			return gort__fail(GORT_ENOTFOUND, "layout: no runtime.tls_g TLS symbol: "
					  "g is only in register R28");
		out->source = GORT_LAYOUT_BINARY;
		return rc;
	}
	return gort__fail(GORT_EUNSUPPORTED, "layout: TLS slot of g on %s is not known",
			  gort_arch_name(arch));
}

/*
 * runtime/pprof/label.go: labelMap is map[string]string from Go 1.9 (when
 * g.labels appeared) to 1.23; Go 1.24 made it a struct holding a sorted
 * []label slice.
 */
int gort_layout_labels_kind(const gort_layout *lay, int *kind)
{
	if (!lay || !kind)
		return gort__fail(GORT_EINVAL, "gort_layout_labels_kind: NULL argument");
	if (!lay->have_release || lay->major != 1 || lay->minor < 9)
		return gort__fail(GORT_ENOTFOUND, "layout: no known labels representation "
				  "for this release");
	*kind = lay->minor >= 24 ? GORT_LABELS_SLICE : GORT_LABELS_MAP;
	return 0;
}
