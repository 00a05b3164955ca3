/*
 * libgoinspect: the runtime's type descriptors (runtime._type, from Go 1.21
 * internal/abi.Type) in a Go binary: name, kind, size, element and key
 * types, struct fields with their offsets.
 *
 * Descriptors are read at an address (what an interface's type word or a
 * map header points to), or listed through the module's typelinks (Go 1.15
 * to 1.26; Go 1.27 replaced typelinks, listing is GORT_EUNSUPPORTED there).
 * Their layouts come from gort_layout (DWARF or the built-in tables).
 *
 * Every read is bounded and checked: a corrupt descriptor is an error
 * naming its address, never a crash or an endless walk.
 *
 * Lifetime: a gort_types borrows its gort_layout (and so its gort_binary);
 * close it first. Names are borrowed from the mapped file.
 * Thread safety: queries on one gort_types are safe from many threads.
 */
#ifndef GORT_TYPES_H
#define GORT_TYPES_H

#include <gort/layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Type descriptor queries over one binary (opaque). */
typedef struct gort_types gort_types;

/* reflect.Kind numbering (internal/abi: Kind). */
enum gort_kind {
	GORT_KIND_INVALID = 0,
	GORT_KIND_BOOL = 1,
	GORT_KIND_INT = 2,
	GORT_KIND_INT8 = 3,
	GORT_KIND_INT16 = 4,
	GORT_KIND_INT32 = 5,
	GORT_KIND_INT64 = 6,
	GORT_KIND_UINT = 7,
	GORT_KIND_UINT8 = 8,
	GORT_KIND_UINT16 = 9,
	GORT_KIND_UINT32 = 10,
	GORT_KIND_UINT64 = 11,
	GORT_KIND_UINTPTR = 12,
	GORT_KIND_FLOAT32 = 13,
	GORT_KIND_FLOAT64 = 14,
	GORT_KIND_COMPLEX64 = 15,
	GORT_KIND_COMPLEX128 = 16,
	GORT_KIND_ARRAY = 17,
	GORT_KIND_CHAN = 18,
	GORT_KIND_FUNC = 19,
	GORT_KIND_INTERFACE = 20,
	GORT_KIND_MAP = 21,
	GORT_KIND_POINTER = 22,
	GORT_KIND_SLICE = 23,
	GORT_KIND_STRING = 24,
	GORT_KIND_STRUCT = 25,
	GORT_KIND_UNSAFE_POINTER = 26
};

/* One type descriptor. */
struct gort_type {
	uint64_t addr;        /* of the descriptor */
	struct gort_str name; /* as reflect.Type.String() prints it */
	int kind;             /* enum gort_kind */
	uint64_t size;        /* of a value of the type */
	uint64_t elem;        /* pointer, slice, array, chan, map: element
				 type's descriptor; else 0 */
	uint64_t key;         /* map: key type's descriptor; else 0 */
	uint64_t len;         /* array: number of elements */
	uint64_t nfields;     /* struct: number of fields */
};

/* One field of a struct type. */
struct gort_type_field {
	struct gort_str name; /* field name (borrowed from the mapped file) */
	uint64_t type;   /* the field type's descriptor */
	uint64_t offset; /* bytes from the start of the struct */
	int embedded;    /* 1: an embedded field */
};

/*
 * Prepare type queries: finds the module's moduledata (by symbol, else by
 * scanning the data for it, as stripped binaries need), in ELF, PE and
 * Mach-O files alike. On success *out is
 * yours: gort_types_close(). Errors: GORT_ENOTFOUND (no moduledata found),
 * GORT_EUNSUPPORTED (the layout has no type descriptor layout), GORT_EFAULT,
 * GORT_EFORMAT, GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_types_open(gort_types **out, gort_layout *lay);

/* Accepts NULL. */
GORT_API void gort_types_close(gort_types *types);

/*
 * The descriptor at `addr`, which must lie in the module's type data.
 * Errors: GORT_EFAULT, GORT_EFORMAT (with the address), GORT_EINVAL.
 */
GORT_API int gort_type_read(gort_types *types, uint64_t addr,
			    struct gort_type *out);

/*
 * Field i of a struct type read by gort_type_read.
 * Errors: GORT_EINVAL (not a struct, i out of range), GORT_EFAULT,
 * GORT_EFORMAT.
 */
GORT_API int gort_type_field(gort_types *types, const struct gort_type *t,
			     uint64_t i, struct gort_type_field *out);

/*
 * Number of descriptors the module's typelinks list (the types reflect
 * can look up by structure). Errors: GORT_EUNSUPPORTED (Go 1.27+: no
 * typelinks), GORT_EFORMAT.
 */
GORT_API int gort_types_count(gort_types *types, uint64_t *n);

/* Address of typelinks entry i. Errors: GORT_EINVAL, as above. */
GORT_API int gort_types_at(gort_types *types, uint64_t i, uint64_t *addr);

#ifdef __cplusplus
}
#endif

#endif
