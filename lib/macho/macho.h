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

/*
 * Apply LC_DYLD_CHAINED_FIXUPS (bytes at dataoff in the image): o->file
 * becomes a copy holding addresses where the file holds encoded pointers
 * (fixups.c). Fixups it cannot decode leave the image as it is; fails only
 * with GORT_ENOMEM.
 */
int gort__macho_fixups(struct gort_obj *o, uint64_t dataoff, uint64_t datasize);

#endif
