/*
 * libgoinspect: the Go pc-line table (functions, PC -> file:line, frame
 * sizes, inlined frames), as the Go runtime reads it.
 *
 * All four table formats are read: Go 1.2-1.15 (magic 0xfffffffb),
 * 1.16-1.17 (0xfffffffa), 1.18-1.19 (0xfffffff0) and 1.20 onward
 * (0xfffffff1), in either byte order and pointer size.
 *
 * Lifetime: a gort_pclntab borrows its gort_binary; close the table before
 * the binary. Strings (gort_str) point into the mapped file and stay valid
 * until the binary is closed.
 *
 * Thread safety: every function taking a `gort_pclntab *` except
 * gort_pclntab_close() is safe to call from many threads at once on one
 * table (the little state decoded on first use is guarded internally).
 * A gort_func_iter is used by one thread at a time.
 *
 * Opening costs only locating and checking the header; nothing is decoded
 * ahead of use. Lookups take no lock and allocate nothing, with two
 * exceptions, both kept until the table is closed and shared by every
 * thread (published lock-free): the first lookup deep inside a long
 * pc-value stream (a large function) indexes that stream, about 12 bytes
 * per 16 entries; and the first gort_pclntab_pc_to_line allocates a memo
 * of recent answers (64 bytes per 8 functions, 16 KB to 1 MB), so that
 * the PCs a profiler sees again and again cost one cache line each.
 * Each thread also keeps a small cache (a few KB, per thread, not per
 * table) of where its recent lookups stopped decoding: repeated PCs and
 * PCs looked up in increasing order cost little. Answers never depend on
 * either.
 */
#ifndef GORT_PCLNTAB_H
#define GORT_PCLNTAB_H

#include <gort/binary.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The function table of one binary (opaque; gort_pclntab_open). */
typedef struct gort_pclntab gort_pclntab;
/* An iteration over a table's functions (gort_func_iter_new). */
typedef struct gort_func_iter gort_func_iter;

/* Table format, named after the first Go release that wrote it. */
enum gort_pclntab_version {
	GORT_PCLNTAB_GO12 = 12,   /* Go 1.2-1.15 */
	GORT_PCLNTAB_GO116 = 116, /* Go 1.16-1.17 */
	GORT_PCLNTAB_GO118 = 118, /* Go 1.18-1.19 */
	GORT_PCLNTAB_GO120 = 120  /* Go 1.20 onward */
};

/* One function of the table (runtime/runtime2.go: _func). */
struct gort_func {
	uint64_t entry;  /* first PC, as debug/gosym reports it */
	uint64_t end;    /* next function's entry (end of table for the last) */
	struct gort_str name; /* borrowed from the mapped file */
	int32_t start_line;   /* line of the func keyword; 0 before Go 1.20 */
	uint8_t func_id;      /* abi.FuncID: non-zero for special runtime funcs */
	uint8_t flags;        /* abi.FuncFlag (TopFrame 1, SPWrite 2, Asm 4) */
	int32_t args_size;    /* in/out argument bytes (-0x80000000: unknown) */
	uint32_t index;       /* position in the table */
};

/* One source frame at a PC. */
struct gort_frame {
	struct gort_str function; /* borrowed from the mapped file */
	struct gort_str file;     /* empty when the table names none */
	int32_t line;             /* -1 when the table has none for this PC */
	int inlined;              /* 1: inlined into the next frame */
	uint64_t entry;           /* entry PC of the physical function */
	uint8_t func_id;          /* abi.FuncID of this frame's function (the
				     numbering changes between Go releases);
				     runtime tracebacks elide FuncIDWrapper
				     callers, this API reports every frame */
};

/*
 * Find and check the pclntab of `bin` (the .gopclntab section, or the
 * runtime.pclntab symbol). On success *out is yours: gort_pclntab_close().
 * Errors: GORT_ENOTGO (no table), GORT_EFORMAT / GORT_ETRUNCATED (bad
 * header), GORT_EUNSUPPORTED (file format without a table reader yet),
 * GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_pclntab_open(gort_pclntab **out, gort_binary *bin);

/* Options of gort_pclntab_open_opts(); NULL means all zero. */
struct gort_pclntab_opts {
	size_t sz;         /* sizeof(struct gort_pclntab_opts) */
	/* 1: take the start of text as Go's tools do (cmd/internal/objfile):
	   the runtime.text symbol, else the start of the .text section. They
	   differ from the runtime only for a stripped binary the system
	   linker linked (cgo), whose .text starts with C code: Go's tools
	   are then off by that code's size (golang/go#65232). For output
	   that must equal theirs (gort-addr2line, gort-funcs); never for
	   symbolizing a running program or a core. */
	int go_tools_text;
};

/*
 * gort_pclntab_open() with options (NULL: all zero). By default functions
 * are where the running program has them: from Go 1.18 on, function
 * entries count from the runtime's start of text (the header's textStart,
 * or moduledata.text from Go 1.26), also where the system linker put C
 * code at the start of .text.
 * Errors: as gort_pclntab_open(), and GORT_EINVAL (an unknown option).
 */
GORT_API int gort_pclntab_open_opts(gort_pclntab **out, gort_binary *bin,
				    const struct gort_pclntab_opts *opts);

/* Accepts NULL. */
GORT_API void gort_pclntab_close(gort_pclntab *tab);

/* enum gort_pclntab_version. */
GORT_API int gort_pclntab_version(const gort_pclntab *tab);

/* Number of functions in the table. */
GORT_API size_t gort_pclntab_func_count(const gort_pclntab *tab);

/*
 * Function number i (table order, sorted by entry).
 * Errors: GORT_EINVAL (i out of range), GORT_EFORMAT, GORT_ETRUNCATED.
 */
GORT_API int gort_pclntab_func_at(gort_pclntab *tab, size_t i,
				  struct gort_func *out);

/*
 * The function whose [entry, end) holds pc, found in O(1) with the
 * runtime's findfunctab when the binary has one (binary search otherwise).
 * Errors: GORT_ENOTFOUND (pc is not in any function), GORT_EFORMAT,
 * GORT_ETRUNCATED.
 */
GORT_API int gort_pclntab_find_func(gort_pclntab *tab, uint64_t pc,
				    struct gort_func *out);

/*
 * Source frames at pc, innermost first: the inlined calls (inlined = 1),
 * then the physical function. frames[0] has the file:line of pc itself;
 * each outer frame has the position of the call it made. Up to `cap`
 * frames are written; *n receives the total number (which may exceed cap,
 * as with snprintf). `go tool addr2line` prints the last frame's function
 * with frames[0]'s file:line.
 * pc is used as is: for a return address, pass pc - 1 as tracebacks do.
 * Errors: GORT_ENOTFOUND (pc is not in any function), GORT_EFORMAT or
 * GORT_ETRUNCATED (a table is corrupt: the message names it and the
 * offset), GORT_EINVAL.
 */
GORT_API int gort_pclntab_lookup(gort_pclntab *tab, uint64_t pc,
				 struct gort_frame *frames, size_t cap,
				 size_t *n);

/*
 * What `go tool addr2line` and debug/gosym (PCToLine, PCToFunc) report for
 * pc: the physical function holding it, with the file:line of pc itself,
 * without expanding inlined calls (so no inline tree is read: the cheapest
 * lookup). For a PC inside an inlined call this is the caller's name with
 * the callee's position, as Go's tools print it; gort_pclntab_lookup gives
 * the frames. out->inlined is 0.
 * pc is used as is: for a return address, pass pc - 1 as tracebacks do.
 * Errors: GORT_ENOTFOUND (pc is not in any function), GORT_EFORMAT,
 * GORT_ETRUNCATED, GORT_EINVAL.
 */
GORT_API int gort_pclntab_pc_to_line(gort_pclntab *tab, uint64_t pc,
				     struct gort_frame *out);

/*
 * gort_pclntab_pc_to_line for n PCs at once: out[i] is the answer for
 * pcs[i], exactly what gort_pclntab_pc_to_line(tab, pcs[i], &out[i]) gives.
 * For symbolizers with a batch of PCs (a profile's samples): PCs in no
 * particular order are looked up interleaved, so that their cache misses
 * overlap; runs of PCs in increasing order and close together (a sorted
 * batch) are answered in one pass over the table, each function's streams
 * decoded once. Either is faster per PC than one call each (BENCHMARKS.md);
 * sorting a large batch first helps most.
 * errs (may be NULL) receives each PC's error code, 0 when out[i] holds an
 * answer; out[i] is unspecified where errs[i] is not 0.
 * Returns 0 when every PC has an answer, else the error code of the first
 * PC that has none (GORT_ENOTFOUND, GORT_EFORMAT, GORT_ETRUNCATED), and
 * gort_last_error() describes that PC; GORT_EINVAL (NULL arguments) before
 * any lookup. Allocates nothing beyond what single lookups do; thread-safe
 * as gort_pclntab_pc_to_line.
 */
GORT_API int gort_pclntab_pc_to_lines(gort_pclntab *tab, const uint64_t *pcs,
				      size_t n, struct gort_frame *out, int *errs);

/*
 * Stack pointer delta at pc (pcsp): bytes the function has pushed below
 * the caller's SP at that instruction, excluding the return address on
 * architectures whose call pushes one (runtime/traceback.go adds it).
 * Errors: GORT_ENOTFOUND (pc not in a function, or no pcsp entry for it),
 * GORT_EFORMAT, GORT_ETRUNCATED.
 */
GORT_API int gort_pclntab_frame_size(gort_pclntab *tab, uint64_t pc,
				     int32_t *size);

/*
 * Value of pcdata table `table` (abi.PCDATA_*) at pc; -1 when the
 * function has no such table or no value for pc (as the runtime reports).
 * Errors: GORT_ENOTFOUND (pc not in a function), GORT_EFORMAT,
 * GORT_ETRUNCATED.
 */
GORT_API int gort_pclntab_pcdata(gort_pclntab *tab, uint64_t pc,
				 uint32_t table, int32_t *value);

/*
 * Iterate over all functions in table order. *out is yours
 * (gort_func_iter_free). The table must outlive the iterator.
 * Errors: GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_func_iter_new(gort_func_iter **out, gort_pclntab *tab);

/*
 * The next function: 0 with *out borrowed until the next call (or free),
 * GORT_EEND after the last one, or an error for a corrupt record.
 */
GORT_API int gort_func_iter_next(gort_func_iter *it,
				 const struct gort_func **out);

/* Accepts NULL. */
GORT_API void gort_func_iter_free(gort_func_iter *it);

#ifdef __cplusplus
}
#endif

#endif
