/*
 * libgoinspect: the symbol table of a binary (ELF .symtab, else .dynsym;
 * PE COFF symbols; Mach-O LC_SYMTAB) and the runtime's moduledata.
 *
 * Symbols are what `go tool nm` lists (cmd/internal/objfile), with the
 * same addresses, sizes and letters: PE and Mach-O record no sizes, so a
 * symbol's size there is the distance to the next higher symbol address.
 * Names are as Go's debug/macho gives them: the '_' cmd/link puts before
 * every Mach-O name is dropped from names with a dot ("runtime.main"), as
 * there. Stripped binaries (-ldflags=-s) have no symbols.
 */
#ifndef GORT_SYMBOLS_H
#define GORT_SYMBOLS_H

#include <gort/binary.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One symbol, filled in by the lookups below (a copy: yours). */
struct gort_symbol {
	struct gort_str name; /* borrowed: valid until gort_binary_close() */
	uint64_t value;       /* address (undefined ones: 0 or as in the file) */
	uint64_t size;        /* bytes; see above for PE and Mach-O */
	/*
	 * `go tool nm`'s letter: T text, R read-only data, D data, B bss,
	 * U undefined, C constant; lower case for ELF local symbols; '?' else.
	 */
	char kind;
};

/*
 * Number of symbols, loaded on first call (thread-safe). 0 symbols is not
 * an error. Errors: GORT_EFORMAT, GORT_ETRUNCATED, GORT_ENOMEM.
 */
GORT_API int gort_binary_symbol_count(gort_binary *bin, size_t *n);

/* Symbol i in address order (then name order). GORT_EINVAL past the end. */
GORT_API int gort_binary_symbol_at(gort_binary *bin, size_t i,
				   struct gort_symbol *out);

/* Symbol by exact name. GORT_ENOTFOUND when absent. */
GORT_API int gort_binary_symbol_lookup(gort_binary *bin, const char *name,
				       struct gort_symbol *out);

/*
 * The defined symbol whose [value, value+size) holds addr (a zero-size
 * symbol holds its own address only). GORT_ENOTFOUND when none does.
 */
GORT_API int gort_binary_symbol_find(gort_binary *bin, uint64_t addr,
				     struct gort_symbol *out);

/*
 * The runtime's first moduledata (runtime/symtab.go: moduledata): where it
 * is and the fields a reader of the binary needs. Found by the
 * runtime.firstmoduledata symbol, else by scanning the data for the
 * structure whose first word points at the pclntab (stripped binaries).
 * Fields are addresses in the binary, named after moduledata's fields.
 * Filled in by gort_binary_moduledata (a copy: yours).
 */
struct gort_moduledata {
	uint64_t addr;             /* of the structure itself */
	uint64_t pclntab;          /* pcHeader address (moduledata.pcHeader) */
	uint64_t pclntab_size;     /* of the pclntab slice */
	uint64_t ftab;             /* address of the function table (ftab) */
	uint64_t findfunctab;      /* address of the PC-to-function bucket index */
	uint64_t minpc;            /* lowest PC of the module's functions */
	uint64_t maxpc;            /* highest PC (one past the last function) */
	uint64_t text;             /* start of the text segment */
	uint64_t etext;            /* its end */
	uint64_t noptrdata;        /* start of data without pointers */
	uint64_t enoptrdata;       /* its end */
	uint64_t data;             /* start of data with pointers */
	uint64_t edata;            /* its end */
	uint64_t bss;              /* start of bss with pointers */
	uint64_t ebss;             /* its end */
	uint64_t noptrbss;         /* start of bss without pointers */
	uint64_t enoptrbss;        /* its end */
	uint64_t end;              /* end of the module's data (moduledata.end) */
	uint64_t gcdata;           /* GC pointer bitmap of data */
	uint64_t gcbss;            /* GC pointer bitmap of bss */
	uint64_t types;            /* start of the type descriptors */
	uint64_t etypes;           /* their end */
	uint64_t next;             /* moduledata.next: 0 for a static binary */
	/*
	 * Whether next was read: its place depends on the Go release, so it
	 * needs the binary's Go version (Go 1.10 onward).
	 */
	int has_next;
};

/*
 * Locate and decode the first moduledata (Go 1.2 onward; the fields up to
 * etypes kept their order since). Errors: GORT_ENOTGO (no pclntab),
 * GORT_ENOTFOUND (no structure matched), GORT_EFAULT.
 */
GORT_API int gort_binary_moduledata(gort_binary *bin,
				    struct gort_moduledata *out);

#ifdef __cplusplus
}
#endif

#endif
