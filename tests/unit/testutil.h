/* Shared helpers for the cmocka unit tests. */
#ifndef GORT_TESTUTIL_H
#define GORT_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Read a whole file into a malloc'd buffer; NULL if it cannot be read. */
void *tu_read_file(const char *path, size_t *size);
/* Path of a built fixture (GORT_FIXTURES_DIR/rel), static buffer. */
const char *tu_fixture(const char *rel);
/* Whether a path exists. */
int tu_exists(const char *path);
/* Skip the current test (with a message) if the fixture is missing. */
#define TU_REQUIRE_FIXTURE(path)                                          \
	do {                                                              \
		if (!tu_exists(path)) {                                   \
			print_message("fixture missing: %s\n", path);     \
			skip();                                           \
		}                                                         \
	} while (0)


/* A minimal ELF image builder, for tests that need precise bytes. */
struct tu_section {
	const char *name;
	uint32_t type;  /* SHT_* */
	uint64_t flags; /* SHF_* */
	uint64_t addr;  /* also gets a PT_LOAD segment when SHF_ALLOC */
	const void *data;
	size_t size;
};

/*
 * Build an ELF executable (class 32 or 64, big or little endian, machine
 * EM_*) holding the sections; returns a malloc'd image and its size.
 */
void *tu_elf_build(int is64, int big_endian, uint16_t machine,
		   const struct tu_section *secs, size_t n, size_t *size);

/* Store v in n bytes at p in the given byte order. */
void tu_put(uint8_t *p, uint64_t v, int n, int big_endian);

/* Minimal PE and Mach-O image builders (testutil.c). */
struct tu_obj_section {
	const char *seg;  /* Mach-O segment name; ignored for PE */
	const char *name; /* PE names longer than 8 go to the string table */
	uint64_t addr;    /* PE: relative to the image base */
	uint32_t flags;   /* PE characteristics / Mach-O section flags */
	const void *data;
	size_t size;
};

struct tu_obj_symbol {
	const char *name;
	uint64_t value;   /* PE: offset in its section; Mach-O: address */
	int section;      /* 1-based; 0 undefined */
};

/* PE32 (is64 0) or PE32+ image; returns a malloc'd image. */
void *tu_pe_build(int is64, uint16_t machine, uint64_t image_base,
		  const struct tu_obj_section *secs, size_t n,
		  const struct tu_obj_symbol *syms, size_t nsyms, size_t *size);

/*
 * Mach-O image, one segment per section (plus __PAGEZERO, segment 0);
 * with fixups (fixups_size bytes, may be NULL), an LC_DYLD_CHAINED_FIXUPS
 * command whose data, those bytes, ends the file.
 */
void *tu_macho_build(int is64, int big_endian, uint32_t cputype,
		     const struct tu_obj_section *secs, size_t n,
		     const struct tu_obj_symbol *syms, size_t nsyms,
		     const void *fixups, size_t fixups_size, size_t *size);
/* File offset of section i's bytes in a tu_macho_build image. */
size_t tu_macho_data_offset(int is64, const struct tu_obj_section *secs, size_t n,
			    size_t i, int with_fixups);

#endif
