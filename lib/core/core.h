/*
 * Cores: the gort_core object shared by the files of lib/core.
 *
 * Reading order for a newcomer:
 *   mem.c        the core's ELF headers, notes (threads, auxv, files),
 *                memory reads by address (core first, then executable)
 *   live.c       a running process as a core: /proc, ptrace snapshot
 *   rt.c         the runtime's structures (offsets through the layout
 *                API), runtime.allgs, special functions
 *   allgs.c      runtime.allgs in stripped executables (from code)
 *   goroutine.c  the goroutine iterator (runtime.allgs), labels
 *   clock.c      the runtime's clock at a core's moment, estimated
 *   unwind.c     stacks (runtime/traceback.go's unwinder)
 */
#ifndef GORT_CORE_INTERNAL_H
#define GORT_CORE_INTERNAL_H

#include "../binary/binary.h"
#include "../io/blocks.h"

#include <gort/core.h>

/* One PT_LOAD of the core, sorted by vaddr for binary search. */
struct gort__seg {
	uint64_t vaddr, memsz, offset, filesz;
};

/* An offset into a runtime structure; `ok` is false when absent. */
struct gort__fld {
	uint64_t off, size;
	bool ok;
};

/* What lib/core reads of the runtime's structures (see rt.c). */
struct gort__rt {
	struct gort__fld g_stack_lo, g_stack_hi, g_sched_sp, g_sched_pc,
		g_sched_lr, g_sched_bp, g_syscallsp, g_syscallpc, g_m,
		g_status, g_goid, g_waitsince, g_waitreason, g_lockedm, g_gopc,
		g_startpc, g_parent, g_labels;
	struct gort__fld m_id, m_procid, m_curg;
	uint64_t allgs; /* address of the variable */
	int labels_kind; /* enum gort_labels_kind, 0 unknown */
	/* Entries of functions that end a stack or need care (0: none). */
	uint64_t fn_goexit, fn_mstart, fn_mcall, fn_morestack, fn_rt0_go,
		fn_async_preempt, fn_sigpanic, fn_debugcall, fn_systemstack_switch,
		fn_sigtramp;
	uint64_t fn_allgadd, fn_allgadd_size; /* for allgs.c */
	int go_minor; /* 1.N of the binary, 0 unknown */
};

struct gort_core {
	struct gort_source src;
	/* Reads of the core's bytes (mem.c) or of a live process (live.c)
	   go through this cache when it has slots; a core in memory (a
	   caller's buffer, anonymous memory) is read in place. */
	struct gort_blocks blocks;
	struct gort_elf elf;
	int arch;
	unsigned ptr_size;
	bool big_endian;
	size_t nsegs;
	struct gort__seg *segs;
	size_t nthreads;
	struct gort_thread *threads;
	uint64_t entry; /* AT_ENTRY, 0 when unknown */
	uint64_t bias;
	char *exe_path; /* from NT_FILE, when the caller gave none */

	gort_binary *bin;
	gort_pclntab *tab;
	gort_layout *lay;
	bool rt_done;
	int rt_rc;
	struct gort_saved_error rt_err;
	struct gort__rt rt;

	/* gort_core_opts.progress while opening, else NULL. */
	const struct gort_core_opts *opts;

	/* Runtime nanotime of the moment the core shows, 0 when unknown: read
	   (a live process, live.c) or, for a core file, estimated (clock.c)
	   at the first goroutine listing or gort_core_clock(). */
	int64_t now;
	bool now_estimated; /* `now` is clock.c's estimate */
	const char *now_from; /* what gave `now` (static) */
	bool clock_done; /* clock.c ran (its result, or error, below) */
	int clock_rc;
	struct gort_saved_error clock_err;
	/* A live process (live.c): pid 0 for a core file. */
	int pid;
	int live_memfd; /* /proc/PID/mem once process_vm_readv is refused */
	bool live_no_vm;
	struct gort__live_thread *live_threads;
	size_t live_nthreads, live_cap;
};

/* mem.c */
int gort__core_parse(struct gort_core *c);
int gort__core_cache(struct gort_core *c);
int gort__core_check_exe(struct gort_core *c, bool allow_mismatch);
int gort__core_read(struct gort_core *c, uint64_t addr, void *buf, size_t n);
int gort__core_uptr(struct gort_core *c, uint64_t addr, uint64_t *out);
const struct gort__seg *gort__core_seg(const struct gort_core *c, uint64_t addr);
bool gort__core_regmap_ok(int arch);
int gort__core_regs(const struct gort_core *c, const struct gort_view *r,
		    struct gort_thread *t);
void gort__core_auxv(struct gort_core *c, const struct gort_view *d);

/* live.c */
int gort__live_open(struct gort_core *c, const char *exe_path,
		    const struct gort_core_opts *opts);
int gort__live_read(struct gort_core *c, uint64_t addr, uint8_t *buf, size_t n,
		    size_t *got);
void gort__live_forget(struct gort_core *c);
void gort__live_detach(struct gort_core *c);
void gort__live_close(struct gort_core *c);
int gort__core_uint(struct gort_core *c, uint64_t addr, uint64_t size,
		    uint64_t *out);

/* allgs.c: runtime.allgs found from runtime.allgadd's code. */
int gort__find_allgs(struct gort_core *c, uint64_t *addr);

/* rt.c */
int gort__rt_load(struct gort_core *c);
int gort__rt_symbol(struct gort_core *c, const char *name, uint64_t *addr);

/* clock.c: the runtime's clock at the core's moment (gort_core_clock). */
int gort__core_clock(struct gort_core *c);

#endif
