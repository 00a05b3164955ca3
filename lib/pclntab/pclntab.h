/*
 * The Go pc-line table (pclntab): what the runtime uses to turn a PC into
 * a function, a file:line, a frame size and inlined frames.
 *
 * Reading order for a newcomer:
 *   header.c     find the table and decode its header (all four formats)
 *   scan.c       find it in files without section headers
 *   func.c       functab and _func records; PC -> function (findfunctab)
 *   pcvalue.c    the pc-value streams (pcsp, pcfile, pcline, pcdata)
 *   moduledata.c the runtime's moduledata (findfunctab, gofunc), lazily
 *   inline.c     inlined frames from the inline tree
 *   api.c        the public functions of include/gort/pclntab.h
 *
 * Go sources mirrored: runtime/symtab.go (pcHeader, moduledata, findfunc,
 * pcvalue), runtime/runtime2.go (_func), runtime/symtabinl.go (inline
 * tree), debug/gosym/pclntab.go (what `go tool addr2line` prints).
 */
#ifndef GORT_PCLNTAB_INTERNAL_H
#define GORT_PCLNTAB_INTERNAL_H

#include "../binary/binary.h"

#include <gort/pclntab.h>
#include <stdatomic.h>

/* The magic numbers (internal/abi/symtab.go: Go12PCLnTabMagic, ...). */
#define GORT_PCLN_MAGIC_12 0xfffffffbu
#define GORT_PCLN_MAGIC_116 0xfffffffau
#define GORT_PCLN_MAGIC_118 0xfffffff0u
#define GORT_PCLN_MAGIC_120 0xfffffff1u

/*
 * internal/abi/symtab.go from Go 1.16. Older runtimes numbered them
 * differently (see moduledata.c: inline_indexes).
 */
#define GORT_PCDATA_INLTREEINDEX 2
#define GORT_FUNCDATA_INLTREE 3

struct gort__pcindex_block;
typedef _Atomic(struct gort__pcindex_block *) gort__pcindex_slot;

struct gort_pclntab {
	struct gort_binary *bin;
	uint64_t id;      /* unique in the process, never reused: names the
			     table in per-thread caches (pcvalue.c) */
	int version;      /* enum gort_pclntab_version */
	uint8_t quantum;  /* instruction size unit of pc deltas */
	uint8_t ptr_size; /* 4 or 8 */
	uint64_t addr;    /* virtual address of the header */
	uint64_t text;    /* 1.18+: functab entries are offsets from here */
	/* The .text (__text) section, when the file has one: its start is the
	   text start of Go's tools, not always the runtime's (api.c). */
	bool has_sect_text;
	uint64_t sect_text, sect_text_end;
	uint32_t nfunc;
	uint32_t nfiles;

	struct gort_view data;     /* the whole table */
	struct gort_view functab;  /* nfunc pairs (pc, funcoff) + end pc */
	unsigned field;            /* size of a functab field: 4 from 1.18 */
	struct gort_view funcdata; /* _func offsets are relative to this */
	struct gort_view funcnametab, cutab, filetab, pctab;

	/* Lazily found from moduledata, under `lock` (see moduledata.c). */
	pthread_mutex_t lock;
	atomic_bool md_done;
	bool has_findfunctab;
	struct gort_view findfunctab;
	uint64_t minpc, maxpc;
	uint64_t md_text; /* moduledata.text, 0 if unknown */
	uint64_t md_addr; /* address of the moduledata, 0 if not found */
	bool has_gofunc;
	uint64_t gofunc; /* base of 1.18+ funcdata offsets */
	/* Which pcdata/funcdata hold the inline tree; UINT32_MAX: none known. */
	uint32_t inl_pcdata, inl_funcdata;

	/* Checkpoints of long pc-value streams, built lazily (pcindex.c). */
	_Atomic(gort__pcindex_slot *) pcindex_slots; /* nfunc slots */
	_Atomic(struct gort__pcindex_block *) pcindex_all;
	/* Recent pc_to_line answers, allocated on first use (memo.c). */
	_Atomic(struct gort__memo *) memo;
	/* Whether functab's entries never decrease: 0 not known yet, 1 yes,
	   2 no (func.c: gort__functab_sorted). */
	atomic_uchar ft_order;
};

/* A decoded _func record (runtime/runtime2.go: _func). */
struct gort__func {
	uint32_t index;   /* in functab */
	uint64_t off;     /* offset of the record in tab->funcdata */
	uint64_t entry;   /* from the record itself */
	int32_t nameoff;
	int32_t args;
	uint32_t pcsp, pcfile, pcln, npcdata, cu_offset;
	int32_t start_line; /* 1.20+, else 0 */
	uint8_t func_id, flag, nfuncdata;
	uint64_t size; /* of the fixed part; pcdata follows */
};

/* header.c */
int gort__pclntab_init(struct gort_pclntab *tab, struct gort_binary *bin);
/* The header's textStart word (Go 1.18-1.25; 0 otherwise or from 1.26). */
uint64_t gort__pclntab_header_text(const struct gort_view *v);
int gort__pclntab_parse(struct gort_pclntab *tab, const struct gort_view *data,
			uint64_t addr, uint64_t text);

/* scan.c: the table in a file without section headers */
int gort__pclntab_scan(struct gort_pclntab *tab, struct gort_binary *bin);

/* func.c */
int gort__functab_pc(const struct gort_pclntab *tab, uint32_t i, uint64_t *pc);
int gort__func_read(const struct gort_pclntab *tab, uint32_t i,
		    struct gort__func *f);
/*
 * Index of the function holding pc; GORT_ENOTFOUND (not recorded) if none,
 * GORT_ENOMEM (recorded) if reading moduledata for findfunctab ran out.
 */
int gort__func_find(struct gort_pclntab *tab, uint64_t pc, uint32_t *index);
/*
 * Whether functab's entries never decrease (every table a linker wrote):
 * function i then holds exactly the PCs in [entry i, entry i+1), whichever
 * way it is found. Found out on first use, by one pass over functab.
 */
bool gort__functab_sorted(struct gort_pclntab *tab);
/* Start loading the findfunctab bucket of pc (when moduledata is loaded). */
void gort__func_find_prefetch(const struct gort_pclntab *tab, uint64_t pc);
void gort__functab_prefetch(const struct gort_pclntab *tab, uint64_t pc);
void gort__func_record_prefetch(const struct gort_pclntab *tab, uint32_t i);
int gort__func_name(const struct gort_pclntab *tab, int32_t nameoff,
		    struct gort_str *out);
/* Start loading f's name, pcfile and pcline streams and cutab entries. */
void gort__func_prefetch(const struct gort_pclntab *tab, const struct gort__func *f);
/* pcdata[i] offset (0 = no table) and funcdata[i] address (0 = none). */
uint32_t gort__func_pcdata(const struct gort_pclntab *tab,
			   const struct gort__func *f, uint32_t i);
int gort__func_funcdata(struct gort_pclntab *tab, const struct gort__func *f,
			uint32_t i, uint64_t *addr);

/* pcvalue.c */
/* The value at target of the stream at off, decoded from the start. */
int gort__pcvalue_decode(const struct gort_view *pctab, uint64_t off,
			 unsigned quantum, uint64_t entry, uint64_t target,
			 int32_t *val);
/*
 * The same for a stream of function f, through a per-thread cache of
 * recent answers and the stream's checkpoints (pcindex.c).
 */
int gort__pcvalue(struct gort_pclntab *tab, const struct gort__func *f,
		  uint32_t off, uint64_t target, int32_t *val);
/* A string not read yet: NUL-terminated at off in *v (v NULL: none). */
struct gort__strref {
	const struct gort_view *v;
	uint64_t off;
};
int gort__pc_file_ref(struct gort_pclntab *tab, const struct gort__func *f,
		      uint64_t pc, struct gort__strref *ref);
int gort__file_ref(const struct gort_pclntab *tab, const struct gort__func *f,
		   int32_t fno, struct gort__strref *ref);
/* The string ref names, empty for none. */
int gort__strref_get(const struct gort__strref *ref, struct gort_str *out);
int gort__cstring(const struct gort_view *v, uint64_t off, struct gort_str *out);

/* pcindex.c: checkpoints of long streams */
/* Where a decoder stands: pos bytes into a stream, at pc, with value val. */
struct gort__pcstate {
	uint64_t pos, pc;
	int32_t val;
};
/* One stream read forward by PCs in increasing order (pcvalue.c). */
struct gort__pccursor {
	uint32_t off;
	struct gort__pcstate st;
};
void gort__pccursor_init(const struct gort_pclntab *tab, const struct gort__func *f,
			 uint32_t off, uint64_t first, struct gort__pccursor *c);
int gort__pccursor_value(const struct gort_pclntab *tab, const struct gort__func *f,
			 struct gort__pccursor *c, uint64_t target, int32_t *val);
/* A lookup decoding more steps than this (no index yet) indexes the stream. */
#define GORT_PCINDEX_MIN_STEPS 64
struct gort__pcindex;
/* The index of stream off of function func; NULL if none was built. */
const struct gort__pcindex *gort__pcindex_find(const struct gort_pclntab *tab,
					       uint32_t func, uint32_t off);
/* The last checkpoint at or before entry + rel, as a decoder state. */
void gort__pcindex_seek(const struct gort__pcindex *ix, uint64_t rel,
			struct gort__pcstate *st, uint64_t entry);
/* Index stream off of function func (best effort: nothing on failure). */
void gort__pcindex_build(struct gort_pclntab *tab, uint32_t func, uint32_t off);
void gort__pcindex_free(struct gort_pclntab *tab);
void gort__pcindex_prefetch(const struct gort_pclntab *tab, const struct gort__func *f,
			    uint64_t rel, int step);

/* memo.c: recent gort_pclntab_pc_to_line answers, shared lock-free */
struct gort__memo;
/* The remembered answer for pc, if any. */
bool gort__memo_get(struct gort_pclntab *tab, uint64_t pc, struct gort_frame *out);
/* Remember a successful answer (best effort). */
void gort__memo_prefetch(const struct gort_pclntab *tab, uint64_t pc);
void gort__memo_put(struct gort_pclntab *tab, uint64_t pc, const struct gort_frame *fr);
void gort__memo_free(struct gort_pclntab *tab);

/* moduledata.c */
/* Reads moduledata once; 0, or GORT_ENOMEM (not kept: the next call retries). */
int gort__moduledata_load(struct gort_pclntab *tab);
/*
 * Address of the first moduledata into *addr, its first NWORDS words in w;
 * *addr is 0 if none. Returns 0 or GORT_ENOMEM.
 */
/* Enough words to reach epclntab in every layout so far. */
#define GORT_MD_NWORDS 48
int gort__moduledata_locate(struct gort_pclntab *tab, uint64_t *w, uint64_t *addr);
/* module.c: [noptrdata, enoptrdata) and [data, edata) of the first moduledata. */
int gort__moduledata_data_ranges(struct gort_binary *bin, uint64_t r[2][2]);
/* Word index of gofunc (1.18+), which tells the 1.27 layout from older. */
int gort__moduledata_gofunc_word(const struct gort_pclntab *t, const uint64_t *w);

/* inline.c */
int gort__frames(struct gort_pclntab *tab, uint64_t pc,
		 struct gort_frame *frames, size_t cap, size_t *n);
/* The physical function at pc with the position of pc (no inlining). */
int gort__line(struct gort_pclntab *tab, uint64_t pc, struct gort_frame *out);

#endif
