/*
 * libgoinspect: layouts of the Go runtime's structures (runtime.g, m, p,
 * gobuf, ...) for the exact Go release and architecture of a binary.
 *
 * Answers come, in order, from the binary's DWARF; else from the binary's
 * own runtime type descriptors (there in every Go binary, stripped or not,
 * for runtime.g, m, p, gobuf, stack, moduledata and the type header: what
 * the compiler laid out, exact to the patch release); else from built-in
 * tables generated from the DWARF of reference builds of each release and
 * architecture (runtime.schedt, which no descriptor describes; and any
 * type whose descriptor is missing or fails its checks). Each answer says
 * which source it came from. Without DWARF, descriptors or a table for the
 * release, a query is an error (GORT_EUNSUPPORTED), never a guess, unless
 * the caller opts in to the nearest older release's table, in which case
 * the source says so.
 *
 * Lifetime: a gort_layout borrows its gort_binary; close it first.
 * Thread safety: every query on one gort_layout is safe from many threads.
 */
#ifndef GORT_LAYOUT_H
#define GORT_LAYOUT_H

#include <gort/binary.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Layout queries over one binary (opaque; gort_layout_open). */
typedef struct gort_layout gort_layout;

/* Where an answer came from. */
enum gort_layout_source {
	GORT_LAYOUT_DWARF = 1,   /* the binary's own DWARF */
	GORT_LAYOUT_TABLE = 2,   /* built-in table of the binary's release */
	GORT_LAYOUT_NEAREST = 3, /* built-in table of the nearest older
				    release (only with allow_nearest) */
	GORT_LAYOUT_BINARY = 4,  /* the binary's own data, found through its
				    symbol table or program headers */
	GORT_LAYOUT_ABI = 5,     /* fixed by the Go toolchain's ABI for the
				    architecture (no table, no data needed) */
	GORT_LAYOUT_TYPES = 6    /* the binary's own runtime type descriptors
				    (Go 1.7 onward) */
};

/* Options of gort_layout_open(); NULL means all zero. */
struct gort_layout_opts {
	size_t sz;         /* sizeof(struct gort_layout_opts) */
	int no_dwarf;      /* 1: ignore DWARF even where present */
	int allow_nearest; /* 1: for a release with no table, use the nearest
			      older release's table (GORT_LAYOUT_NEAREST) */
	int no_types;      /* 1: ignore the binary's type descriptors (DWARF
			      and tables only: e.g. to check the tables) */
};

/* Position of one field inside its structure. */
struct gort_field_layout {
	uint64_t offset; /* bytes from the start of the structure */
	uint64_t size;   /* bytes */
	int source;      /* enum gort_layout_source */
};

/*
 * Prepare layout queries for `bin` (reads its Go version; DWARF and type
 * descriptors are read lazily, at the first query that needs them, except
 * that a binary with neither DWARF nor a table has its descriptors looked
 * for here). On success *out is yours: gort_layout_close().
 * Errors: GORT_ENOTGO, GORT_EUNSUPPORTED (no DWARF, no table for this
 * release or architecture and no usable type descriptors, and
 * allow_nearest not set), GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_layout_open(gort_layout **out, gort_binary *bin,
			      const struct gort_layout_opts *opts);

/* Accepts NULL. */
GORT_API void gort_layout_close(gort_layout *lay);

/*
 * Offset and size of `field` in the runtime structure `type`, both named as
 * Go names them: ("runtime.g", "goid"), ("runtime.gobuf", "pc").
 * A field the release does not have (g.parentGoid before Go 1.21) is
 * GORT_ENOTFOUND, never a guess. The offset is that of the member itself,
 * whatever its type (g.atomicstatus is an atomic.Uint32 from Go 1.20).
 * DWARF answers when the binary has DWARF describing `type`; otherwise
 * the binary's type descriptor of `type` (every field it has: the
 * catalogue's types, see gort_layout_catalogue(), are looked for together
 * at the first query; any other named struct type, "runtime.sudog",
 * "sync.Mutex", at its first query, one pass over the type data, then
 * remembered), else the built-in table (the catalogue's types only). A
 * source that has the type is the authority on its fields: a field it
 * lacks is GORT_ENOTFOUND.
 * Errors: GORT_ENOTFOUND (no such type or field in this release),
 * GORT_EUNSUPPORTED (a catalogue type no source covers: runtime.schedt of
 * a release with no table, without allow_nearest; the message says why,
 * with the address of a bad descriptor), GORT_EDWARF, GORT_ECOMPRESSED or
 * GORT_EFORMAT (corrupt DWARF), GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_layout_field(gort_layout *lay, const char *type,
			       const char *field,
			       struct gort_field_layout *out);

/*
 * Byte size of the runtime structure `type`; *source receives an enum
 * gort_layout_source (source may be NULL).
 * Errors: as gort_layout_field().
 */
GORT_API int gort_layout_size(gort_layout *lay, const char *type,
			      uint64_t *size, int *source);

/*
 * Entry i (from 0) of the catalogue: the names the built-in tables cover,
 * in their order. Each type comes first with *field set to NULL (its
 * size), then one entry per field. Names are static strings. Fields absent
 * from some releases are listed too. Errors: GORT_EEND past the end,
 * GORT_EINVAL.
 */
GORT_API int gort_layout_catalogue(size_t i, const char **type,
				   const char **field);

/*
 * The Go release of the binary (1.22 for go1.22.12), from its build info
 * or runtime.buildVersion. Errors: GORT_ENOTFOUND (the binary names no
 * release we can parse; DWARF may still answer).
 */
GORT_API int gort_layout_go_release(const gort_layout *lay, unsigned *major,
				    unsigned *minor);

/*
 * The release of the built-in table in use: the binary's own, or the
 * nearest older one under allow_nearest. Errors: GORT_ENOTFOUND (no table
 * is used: DWARF or the type descriptors answer alone).
 */
GORT_API int gort_layout_table_release(const gort_layout *lay,
				       unsigned *major, unsigned *minor);

/*
 * The runtime's description of wait reason `reason` (g.waitreason), e.g.
 * "chan receive": read from the binary's runtime.waitReasonStrings
 * (GORT_LAYOUT_BINARY), by its symbol or, in a stripped binary, found in
 * its data (docs/DESIGN.md), else from the built-in table of its release. *out is borrowed (valid until the binary is closed); source may
 * be NULL. Errors: GORT_ENOTFOUND (no such reason in this release, or no
 * source), GORT_EFAULT / GORT_EFORMAT (the binary's table is corrupt).
 */
GORT_API int gort_layout_wait_reason(gort_layout *lay, unsigned reason,
				     struct gort_str *out, int *source);
/* Number of wait reasons of the release; errors as above. */
GORT_API int gort_layout_wait_reason_count(gort_layout *lay, size_t *n,
					   int *source);

/* The goroutine status scan bit (runtime/runtime2.go: _Gscan). */
#define GORT_GSTATUS_SCAN 0x1000u

/*
 * The name a goroutine dump prints for g.atomicstatus `status` ("running",
 * "waiting", ...): runtime.gStatusStrings of the binary, by symbol or
 * found in its data, else of the built-in table. The _Gscan bit is ignored, as runtime/traceback.go does
 * (it prints " (scan)" after the name). Errors: GORT_ENOTFOUND (a status
 * the release does not name), GORT_EFAULT / GORT_EFORMAT.
 */
GORT_API int gort_layout_status_name(gort_layout *lay, uint32_t status,
				     struct gort_str *out, int *source);
/* Number of entries of the status name table (some may be unnamed). */
GORT_API int gort_layout_status_count(gort_layout *lay, size_t *n,
				      int *source);

/* Where a thread's current g is. */
struct gort_tls_g {
	/*
	 * Bytes from the thread pointer to the word holding the current g
	 * (negative below it): fs base on amd64, gs base on 386, tpidr_el0 on
	 * arm64.
	 */
	int64_t offset;
	const char *base; /* "fs", "gs", "tpidr_el0" (static) */
	int source;       /* GORT_LAYOUT_BINARY (PT_TLS and runtime.tlsg or
			     runtime.tls_g) or GORT_LAYOUT_ABI */
};

/*
 * The TLS slot of the current g, what profilers read to find the running
 * goroutine of a thread. amd64 and 386: the linker's fixed slot
 * (cmd/link: Tlsoffset = -PtrSize) unless runtime.tlsg and PT_TLS say
 * otherwise (external linking). arm64 keeps g in register R28 and fills
 * the TLS slot runtime.tls_g only in programs using cgo: the offset comes
 * from that symbol and PT_TLS. Errors: GORT_ENOTFOUND (no slot: arm64
 * without cgo or without symbols, a stripped externally linked program),
 * GORT_EUNSUPPORTED (other architectures).
 */
GORT_API int gort_layout_tls_g(gort_layout *lay, struct gort_tls_g *out);

/* How g.labels (runtime/pprof labels) is represented. */
enum gort_labels_kind {
	GORT_LABELS_MAP = 1,  /* *map[string]string (Go 1.9 to 1.23) */
	GORT_LABELS_SLICE = 2 /* *struct{ list []struct{key, value string} },
				 sorted by key (Go 1.24 onward) */
};

/*
 * enum gort_labels_kind of the binary's release, as runtime/pprof's
 * labelMap of that release declares it. Errors: GORT_ENOTFOUND (release
 * unknown, or before Go 1.9: no labels).
 */
GORT_API int gort_layout_labels_kind(const gort_layout *lay, int *kind);

#ifdef __cplusplus
}
#endif

#endif
