/*
 * PE and Mach-O files decoded into one shape (lib/pe, lib/macho): the
 * sections and segments with their virtual addresses and file bytes, and
 * the symbol table. ELF keeps its own richer shape (lib/elf).
 */
#ifndef GORT_OBJECT_H
#define GORT_OBJECT_H

#include "../io/view.h"

#define GORT_OBJ_NAME 32

struct gort_obj_section {
	char name[GORT_OBJ_NAME]; /* NUL-terminated (long PE names resolved) */
	char segname[17];         /* Mach-O segment ("__DATA"); "" for PE */
	uint64_t addr;            /* virtual address, PE image base included */
	uint64_t size;            /* in memory (PE VirtualSize) */
	uint64_t offset, filesz;  /* bytes in the file; filesz 0 if none */
	uint32_t flags;           /* PE Characteristics / Mach-O flags */
};

/* Mach-O segments (LC_SEGMENT[_64]); PE files have none. */
struct gort_obj_segment {
	char name[17];
	uint64_t addr, memsz, offset, filesz;
	uint32_t initprot;
};

struct gort_obj_symbol {
	const char *name; /* NUL-terminated, in the file or in obj->names */
	uint64_t value;   /* virtual address (or constant for absolute ones) */
	uint64_t size;    /* to the next symbol, as cmd/internal/objfile says */
	char code;        /* `go tool nm` letter: T D R B U C ? */
};

struct gort_obj {
	struct gort_view file; /* the image (a Mach-O slice of a fat file) */
	int arch;              /* enum gort_arch */
	uint64_t image_base;   /* PE only */
	size_t nsections;
	struct gort_obj_section *sections;
	size_t nsegments;
	struct gort_obj_segment *segments;
	size_t nsymbols; /* in file order */
	struct gort_obj_symbol *symbols;
	char *names; /* storage of names not NUL-terminated in the file */
	void *owned; /* file.data's copy when Mach-O fixups were applied */
};

void gort__obj_free(struct gort_obj *o);

/* Section by name (and Mach-O segment name unless seg is NULL), or NULL. */
const struct gort_obj_section *gort__obj_section(const struct gort_obj *o,
						 const char *seg,
						 const char *name);

/* The section's bytes in the file; GORT_ENOTFOUND if it has none. */
int gort__obj_section_data(const struct gort_obj *o,
			   const struct gort_obj_section *s,
			   struct gort_view *out);

/* From addr to the end of the segment (Mach-O) or section (PE) holding it. */
int gort__obj_addr_span(const struct gort_obj *o, uint64_t addr,
			struct gort_view *out);

/* Fill sizes from the next higher address (cmd/internal/objfile). */
int gort__obj_symbol_sizes(struct gort_obj *o);

#endif
