/*
 * DWARF through libdwarf, fed from our own ELF sections (decompressed by
 * lib/elf) through libdwarf's object-access interface, so that libdwarf
 * never opens or parses the file itself. Builds against both libdwarf APIs:
 * 20210528 (Debian 12) and 0.x (Debian 13 ships 0.11).
 */
#ifndef GORT_DWARF_H
#define GORT_DWARF_H

#include "../elf/elf.h"

struct gort_dwarf;

/* GORT_ENOTFOUND when the file has no .debug_info. */
int gort__dwarf_open(struct gort_dwarf **out, struct gort_elf *elf);
void gort__dwarf_close(struct gort_dwarf *dw);

/* Byte size of the structure type named `type` (e.g. "runtime.g"). */
int gort__dwarf_struct_size(struct gort_dwarf *dw, const char *type,
			    uint64_t *size);
/*
 * Offset and byte size of `field` in structure `type`.
 * GORT_ENOTFOUND when the type or field does not exist.
 */
int gort__dwarf_member(struct gort_dwarf *dw, const char *type,
		       const char *field, uint64_t *offset, uint64_t *size);

#endif
