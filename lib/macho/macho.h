/*
 * Mach-O (macOS, iOS) executables: 32- and 64-bit, either byte order, and
 * fat/universal files, of which the first slice is read (as Go's
 * debug/buildinfo does). Load commands LC_SEGMENT[_64] give segments and
 * sections with their virtual addresses, LC_SYMTAB the symbols. Mirrors
 * debug/macho (file.go: NewFile, fat.go: NewFatFile).
 */
#ifndef GORT_MACHO_H
#define GORT_MACHO_H

#include "../binary/object.h"

/* Whether bytes start with a Mach-O or fat Mach-O magic. */
bool gort__is_macho(const uint8_t *p, size_t n);

/* Decode `file` (borrowed): its first slice if it is a fat file. */
int gort__macho_open(struct gort_obj *o, const struct gort_view *file);

#endif
