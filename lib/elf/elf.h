/*
 * ELF files through libelf: headers, sections (decompressed on demand when
 * SHF_COMPRESSED with zlib or zstd, or GNU .zdebug_*), segments, symbols,
 * and reads by virtual address. libelf parses the headers and symbol
 * tables; section bytes are read through gort_view from the mapped input.
 */
#ifndef GORT_ELF_H
#define GORT_ELF_H

#include "../io/view.h"

#include <pthread.h>

struct gort_elf_section {
	const char *name; /* as in the file (".zdebug_info" stays so) */
	uint32_t type;
	uint64_t flags;
	uint64_t addr;
	uint64_t offset;
	uint64_t size; /* in the file */
	uint32_t link;
	/* Decompressed bytes, filled on first gort__elf_section_data. */
	void *inflated;
	uint64_t inflated_size;
};

struct gort_elf_segment {
	uint32_t type;
	uint32_t flags;
	uint64_t offset, vaddr, filesz, memsz;
};

struct gort_elf_symbol {
	const char *name;
	uint64_t value, size;
	uint8_t type; /* STT_* */
	uint8_t bind; /* STB_* */
	uint16_t shndx;
};

struct gort_elf {
	struct gort_view file; /* whole input, with byte order/ptr size set */
	void *elf;             /* Elf * */
	uint16_t type;         /* ET_* */
	uint16_t machine;      /* EM_* */
	uint64_t entry;
	size_t nsections;
	struct gort_elf_section *sections;
	size_t nsegments;
	struct gort_elf_segment *segments;
	/* Lazily built symbol index (.symtab, else .dynsym), sorted by name. */
	size_t nsymbols;
	struct gort_elf_symbol *symbols;
	bool symbols_loaded;
	struct gort_saved_error symbols_err; /* a corrupt table's, kept */
	pthread_mutex_t lock; /* guards the lazy parts */
};

/* Whether bytes start with the ELF magic. */
bool gort__is_elf(const uint8_t *p, size_t n);

/* Parse the headers of `file` (borrowed until gort__elf_close). */
int gort__elf_open(struct gort_elf *e, const struct gort_view *file);
void gort__elf_close(struct gort_elf *e);

/*
 * Section by name; a ".debug_*" name also finds the GNU ".zdebug_*" form.
 * NULL when absent (nothing recorded: absence is expected).
 */
struct gort_elf_section *gort__elf_section(struct gort_elf *e,
					   const char *name);
/* First section of a type (SHT_*), or NULL. */
struct gort_elf_section *gort__elf_section_by_type(struct gort_elf *e,
						   uint32_t type);

/*
 * The section's contents, decompressed if needed (cached, thread-safe).
 * SHT_NOBITS sections yield GORT_ENOTFOUND: they have no bytes in the file.
 */
int gort__elf_section_data(struct gort_elf *e, struct gort_elf_section *s,
			   struct gort_view *out);

/* Size of the section's contents once decompressed (read from its header). */
int gort__elf_section_size(struct gort_elf *e, const struct gort_elf_section *s,
			   uint64_t *size);

/*
 * `len` bytes at virtual address `addr`, from the PT_LOAD segment holding
 * them (or, in files without program headers, the allocated section).
 * GORT_EFAULT when no segment holds them in the file.
 */
int gort__elf_read_addr(struct gort_elf *e, uint64_t addr, uint64_t len,
			struct gort_view *out);

/*
 * The file-backed bytes from `addr` to the end of the segment (or section)
 * holding it: what Go's debug/buildinfo calls a DataReader.
 */
int gort__elf_addr_span(struct gort_elf *e, uint64_t addr,
			struct gort_view *out);

/* Load the symbol index (e->symbols, by name) once; thread-safe. */
int gort__elf_symbols(struct gort_elf *e);

/* Symbol by exact name; GORT_ENOTFOUND when absent or no symbol table. */
int gort__elf_symbol(struct gort_elf *e, const char *name,
		     const struct gort_elf_symbol **out);

/* enum gort_arch of an ELF machine (plus byte order for ppc64/mips). */
int gort__elf_arch(const struct gort_elf *e);

#endif
