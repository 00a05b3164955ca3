/* The gort_binary object, shared by the modules that read binaries. */
#ifndef GORT_BINARY_INTERNAL_H
#define GORT_BINARY_INTERNAL_H

#include "../elf/elf.h"
#include "../io/source.h"
#include "object.h"

struct gort_buildinfo;

struct gort_binary {
	struct gort_source src;
	int format; /* enum gort_format */
	struct gort_elf elf;
	struct gort_obj obj; /* PE and Mach-O */

	pthread_mutex_t lock; /* guards the lazily decoded parts below */
	bool buildinfo_done;
	struct gort_saved_error buildinfo_err;
	struct gort_buildinfo *buildinfo;
	bool version_done;
	struct gort_saved_error version_err;
	int version_source;
	struct gort_str version_str;

	/* The symbol table of include/gort/symbols.h (symbols.c). */
	pthread_mutex_t sym_lock;
	bool syms_done;
	struct gort_saved_error syms_err;
	size_t nsyms;
	struct gort_symbol *syms; /* by address, then name */
	uint32_t *syms_by_name;   /* indices into syms, by name */
};

/* A loaded, file-backed part of the image, for scans (see region_at). */
struct gort_region {
	struct gort_view data;
	uint64_t addr;
	bool writable;
};

/*
 * Region i of the image (ELF PT_LOAD segments, else allocated sections;
 * PE sections; Mach-O segments but __PAGEZERO); GORT_EEND past the last.
 */
int gort__binary_region_at(struct gort_binary *bin, size_t i,
			   struct gort_region *out);

/*
 * A section by the name its format gives it (".gopclntab", "__gopclntab"):
 * its file bytes (decompressed for ELF) and address. GORT_ENOTFOUND (not
 * recorded) when absent or without bytes.
 */
int gort__binary_section(struct gort_binary *bin, const char *name,
			 struct gort_view *data, uint64_t *addr);

/*
 * Address of a Go symbol ("runtime.buildVersion"). GORT_ENOTFOUND (not
 * recorded) when absent or when the symbol table is corrupt; GORT_ENOMEM
 * (recorded) when loading the table ran out of memory: not an absence, so
 * callers pass it on rather than fall back to a guess.
 */
int gort__binary_go_symbol(struct gort_binary *bin, const char *name,
			   uint64_t *value);

/* Virtual address -> bytes in the file, for whatever format `bin` is. */
int gort__binary_read_addr(struct gort_binary *bin, uint64_t addr, uint64_t len,
			   struct gort_view *out);

/* From addr to the end of the segment holding it. */
int gort__binary_addr_span(struct gort_binary *bin, uint64_t addr,
			   struct gort_view *out);

void gort__symtab_free(struct gort_binary *bin);
void gort__buildinfo_free(struct gort_buildinfo *bi);

#endif
