/*
 * PE (Windows) executables: headers, section table with virtual addresses,
 * and the COFF symbol table Go's linker writes (unless -s). Mirrors
 * debug/pe (file.go: NewFile, symbol.go, string.go, section.go).
 */
#ifndef GORT_PE_H
#define GORT_PE_H

#include "../binary/object.h"

/* IMAGE_SCN_* section characteristics (debug/pe/section.go). */
#define GORT_PE_SCN_CNT_CODE 0x00000020u
#define GORT_PE_SCN_CNT_INITIALIZED_DATA 0x00000040u
#define GORT_PE_SCN_CNT_UNINITIALIZED_DATA 0x00000080u
#define GORT_PE_SCN_ALIGN_32BYTES 0x00600000u
#define GORT_PE_SCN_MEM_READ 0x40000000u
#define GORT_PE_SCN_MEM_WRITE 0x80000000u

/* Whether bytes start like a PE image ("MZ"). */
bool gort__is_pe(const uint8_t *p, size_t n);

/* Decode the headers, sections and symbols of `file` (borrowed). */
int gort__pe_open(struct gort_obj *o, const struct gort_view *file);

#endif
