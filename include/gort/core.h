/*
 * libgoinspect: Go processes from their ELF core dumps, or running:
 * memory, threads, every goroutine with its state, and each goroutine's
 * stack.
 *
 * A core is opened with the executable that produced it (amd64, arm64 and
 * 386 cores; the core may be zstd-compressed, as systemd-coredump keeps
 * them). Memory missing from the core (read-only file-backed segments) is
 * read from the executable. Opening costs the ELF headers and notes (and
 * decompressing a zstd-compressed core into a temporary file); goroutines
 * and stacks are decoded as they are asked for, and the core's memory is
 * read through a bounded cache (4 MiB), so time grows with the goroutines
 * and pages read and memory stays bounded, whatever the core's size.
 *
 * A running process (Linux) opens as a gort_core too
 * (gort_core_open_pid): the same calls then read its memory as they go.
 *
 * Lifetime: a gort_core owns its executable (gort_core_binary) and
 * everything borrowed from it; iterators must be freed before the core.
 * Thread safety: one thread at a time per gort_core and its iterators.
 */
#ifndef GORT_CORE_H
#define GORT_CORE_H

#include <gort/binary.h>
#include <gort/pclntab.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opened core dump with its executable (opaque; gort_core_open). */
typedef struct gort_core gort_core;
/* Iterator over a core's goroutines (opaque; gort_goroutine_iter_new). */
typedef struct gort_goroutine_iter gort_goroutine_iter;
/* Iterator over one goroutine's frames (opaque; gort_stack_iter_new). */
typedef struct gort_stack_iter gort_stack_iter;

/*
 * The steps of gort_core_open() and gort_core_open_memory() whose work
 * grows with the core, as gort_core_opts.progress names them. Later
 * releases may add steps: show an unknown one without a name.
 */
enum gort_core_step {
	/* Decompressing a zstd-compressed core: bytes decompressed of the
	   size its (first) zstd frame records, or where it records none
	   (streamed), compressed bytes consumed of the input's size. */
	GORT_CORE_STEP_DECOMPRESS = 1,
	/* Reading the core's notes (threads, mapped files): note bytes read,
	   of all of them. */
	GORT_CORE_STEP_NOTES = 2
};

/* Options of gort_core_open (GORT_OPTS; NULL: defaults). */
struct gort_core_opts {
	size_t sz; /* sizeof(struct gort_core_opts) */
	/* Bound on a zstd-compressed core or executable once decompressed
	   (0: the default of gort_open_opts, 64 GiB). */
	uint64_t max_decompressed;
	/* 1: open even when the executable's first page differs from the
	   core's copy of it (a different build): answers may be wrong. */
	int allow_mismatch;
	/* gort_core_open_pid only. 1: keep every thread of the process
	   stopped until gort_core_resume() or gort_core_close(), so that
	   memory reads see the moment of the register snapshot (as a core
	   does); 0: resume them as soon as their registers are read. */
	int keep_stopped;
	/*
	 * gort_core_open() and gort_core_open_memory(): called during the
	 * steps of opening that grow with the core (enum gort_core_step), with
	 * `done` of `total` units of that step: every MiB or so of work and
	 * once at the end of the step (done == total). Steps come in order,
	 * each counting from 0; decompression may restart from 0 when the
	 * decompressed bytes cannot go to a temporary file. Called on the
	 * calling thread, before the core exists: it must not call the
	 * library on this core. NULL: no reports. Not called by
	 * gort_core_open_pid().
	 */
	void (*progress)(int step, uint64_t done, uint64_t total, void *arg);
	/* Passed to progress as `arg`. */
	void *progress_arg;
};

/* One OS thread of the core (NT_PRSTATUS). */
struct gort_thread {
	int64_t tid;  /* LWP id */
	uint64_t pc;  /* program counter (rip, pc, eip) */
	uint64_t sp;  /* stack pointer */
	uint64_t fp;  /* frame pointer (rbp, x29, ebp) */
	uint64_t lr;  /* link register (x30); 0 where calls push it */
};

/*
 * Open the core at `core_path` with the executable at `exe_path`; NULL
 * takes the executable's path from the core's NT_FILE note. The core's
 * file (or the temporary file a zstd-compressed core is decompressed
 * into) stays open until gort_core_close(). On success *out is yours:
 * gort_core_close().
 * Errors: GORT_EIO, GORT_EUNKNOWNFILE (not ELF), GORT_EFORMAT (not a core,
 * corrupt notes, or an executable that does not match the core),
 * GORT_ETRUNCATED, GORT_EUNSUPPORTED (architecture), GORT_ENOTFOUND (no
 * executable named by the core), GORT_ECOMPRESSED, GORT_ETOOLARGE,
 * GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_core_open(gort_core **out, const char *core_path,
			    const char *exe_path,
			    const struct gort_core_opts *opts);

/*
 * Same, over a caller's buffer holding the core (zstd-compressed or not),
 * which must stay valid and unchanged until gort_core_close(); exe_path as
 * above. Errors: those of gort_core_open() (GORT_EIO for the executable
 * only).
 */
GORT_API int gort_core_open_memory(gort_core **out, const void *data,
				   size_t size, const char *exe_path,
				   const struct gort_core_opts *opts);

/*
 * Open the running process `pid` (Linux) as a core: memory is read from
 * the process when asked for (process_vm_readv(2), else /proc/PID/mem),
 * within the readable mappings of /proc/PID/maps, in 4 KiB blocks cached
 * until the next gort_goroutine_iter_new(); the executable is exe_path, or
 * NULL for /proc/PID/exe, and must match the process as for a core.
 * Threads are listed from /proc/PID/task and each is stopped with
 * PTRACE_SEIZE + PTRACE_INTERRUPT (no signal reaches the process) until
 * all are stopped; their registers are read (PTRACE_GETREGSET), the
 * runtime's clock with them (CLOCK_MONOTONIC, gort_core_nanotime), then
 * they are resumed before this returns unless opts->keep_stopped.
 *
 * Consistency: registers and the clock are one instant. Goroutines and
 * stacks are read later, from the running process: a goroutine parked for
 * the whole listing reads exactly (its g and its stack do not change while
 * it is parked); one that runs, or changes state meanwhile, may show a
 * mix of before and after, or a stack that cannot be followed (an error
 * from gort_stack_iter_next). With keep_stopped every read sees the
 * snapshot's instant, at the price of the process standing still.
 *
 * The caller needs ptrace access to the process (same user and, under
 * Yama, ptrace_scope 0 or CAP_SYS_PTRACE). A thread in uninterruptible
 * sleep delays the return until it stops. Not thread-safe with respect to
 * other tracers: the calling thread becomes the tracer for the duration.
 * On success *out is yours: gort_core_close(), which resumes the threads.
 * Errors: GORT_EINVAL (pid <= 0), GORT_EIO (no such process, ptrace not
 * permitted: gort_last_error()->sys_errno is the errno), GORT_EFORMAT (the
 * executable does not match), GORT_EUNSUPPORTED (architecture),
 * GORT_ETOOLARGE, GORT_ENOMEM, and the errors of gort_binary_open().
 */
GORT_API int gort_core_open_pid(gort_core **out, int pid, const char *exe_path,
				const struct gort_core_opts *opts);

/* The process id of a core opened by gort_core_open_pid, else 0. */
GORT_API int gort_core_pid(const gort_core *core);

/* Resume the threads that opts->keep_stopped kept stopped; memory reads
   then see the running process. Nothing for a core file. */
GORT_API void gort_core_resume(gort_core *core);

/*
 * The runtime's clock (nanotime: CLOCK_MONOTONIC on Linux) at the moment
 * the core shows, as read: for a live process, read while its threads
 * were stopped. A core file holds no such reading: GORT_ENOTFOUND (its
 * estimate is gort_core_clock()'s).
 * Errors: GORT_ENOTFOUND, GORT_EINVAL.
 */
GORT_API int gort_core_nanotime(const gort_core *core, int64_t *out);

/* How gort_core_clock() knows the time. */
enum gort_clock_kind {
	/* Read: CLOCK_MONOTONIC while the threads of a live process were
	   stopped (the value of gort_core_nanotime()). */
	GORT_CLOCK_READ = 1,
	/* Estimated (a core file): the latest of the timestamps the Go
	   runtime keeps in memory, a lower bound of the core's moment,
	   usually milliseconds behind it but possibly minutes (docs/cores.md,
	   "The clock of a core"). */
	GORT_CLOCK_ESTIMATE = 2
};

/* The runtime's clock at the moment of a core (gort_core_clock). */
struct gort_core_clock {
	int64_t nanotime;   /* runtime nanotime (CLOCK_MONOTONIC on Linux) */
	int kind;           /* enum gort_clock_kind */
	/* Static string naming where the value comes from:
	   "CLOCK_MONOTONIC" (read), or the runtime variable that gave the
	   estimate: "runtime.sched.lastpoll",
	   "runtime.p.sysmontick.schedwhen", "runtime.work.tstart",
	   "runtime.g.waitsince", ... (later releases may add others). */
	const char *source;
};

/*
 * The runtime's clock at the moment the core shows, read or estimated:
 * what gort_goroutine.wait_ns is measured against. A live process: the
 * clock read while its threads were stopped (GORT_CLOCK_READ). A core
 * file: estimated, once (the first call or goroutine listing; later calls
 * return the same), as the latest of runtime.sched.lastpoll, each P's
 * sysmontick.schedwhen, syscallwhen and gcStopTime, the end of the latest
 * time.Sleep of each goroutine not sleeping now, runtime.work.tstart,
 * runtime.memstats.last_gc_nanotime and runtime.runtimeInitTime that the
 * executable's symbols and layouts let us read; where runtime.work or
 * runtime.allp cannot be read (stripped executables), the goroutines'
 * g.waitsince and the Ps their Ms hold stand in (GORT_CLOCK_ESTIMATE). The estimate is never after the core's moment
 * unless the core is corrupt: values <= 0 or beyond 2^62 ns are ignored.
 * Same thread rules as the core. Errors: GORT_ENOTFOUND (no timestamp
 * could be read), GORT_EUNSUPPORTED (no layout of the runtime's
 * structures), GORT_ENOMEM, GORT_EIO, GORT_EINVAL.
 */
GORT_API int gort_core_clock(gort_core *core, struct gort_core_clock *out);

/* Accepts NULL; resumes a live process's threads. */
GORT_API void gort_core_close(gort_core *core);

/* The executable, borrowed from the core (valid until gort_core_close). */
GORT_API gort_binary *gort_core_binary(gort_core *core);

/* enum gort_arch of the core. */
GORT_API int gort_core_arch(const gort_core *core);

/* Load bias of the executable (non-zero for PIE). */
GORT_API uint64_t gort_core_load_bias(const gort_core *core);

/* Threads in the core, in note order (a live process: by thread id). */
GORT_API size_t gort_core_thread_count(const gort_core *core);
/* Errors: GORT_EINVAL (i out of range). */
GORT_API int gort_core_thread_at(const gort_core *core, size_t i,
				 struct gort_thread *out);

/*
 * Copy `len` bytes of the process's memory at `addr` into buf.
 * Errors: GORT_EFAULT (some byte is neither in the core nor in the
 * executable; the message and gort_last_error()->address name the first
 * missing address), GORT_EINVAL.
 */
GORT_API int gort_core_read(gort_core *core, uint64_t addr, void *buf,
			    size_t len);

/* One pprof label. */
struct gort_label {
	struct gort_str key;   /* label name */
	struct gort_str value; /* label value */
};

/* Goroutine status values (runtime/runtime2.go), without the scan bit. */
#define GORT_G_SCAN 0x1000u

/* One goroutine. Strings are borrowed until the iterator's next call. */
struct gort_goroutine {
	uint64_t id;        /* goid */
	uint64_t addr;      /* address of its runtime.g */
	uint32_t status;    /* g.atomicstatus as stored (GORT_G_SCAN bit
			       included) */
	const char *state;  /* the runtime's name of the status without the
			       scan bit ("running", "waiting", ...; "???"
			       when out of the binary's table) */
	const char *wait_reason; /* the runtime's name of g.waitreason; ""
				    when none */
	int scan;           /* the _Gscan bit is set */
	int64_t wait_since; /* g.waitsince (runtime nanotime), 0: unknown */
	int locked_to_thread; /* g.lockedm != 0 */
	int64_t m_id;       /* g.m.id, -1 when not on an M */
	int64_t thread_id;  /* g.m.procid (LWP id), 0 when not on an M */
	uint64_t start_pc;  /* g.startpc */
	struct gort_str start_func;   /* function at start_pc */
	uint64_t creator_pc;          /* g.gopc: the go statement */
	struct gort_str creator_func; /* function holding creator_pc ("" if
					 none) */
	uint64_t creator_entry;       /* entry of creator_func */
	struct gort_str creator_file; /* file of the go statement */
	int32_t creator_line;         /* line of the go statement */
	uint64_t creator_id; /* g.parentGoid (Go 1.21+); 0: unknown */
	uint64_t stack_lo;  /* g.stack.lo: lowest address of the stack */
	uint64_t stack_hi;  /* g.stack.hi: one past its highest address */
	size_t nlabels;     /* number of labels */
	const struct gort_label *labels; /* sorted by key */
	/* How long it has been waiting, in ns: the clock of
	   gort_core_clock() (read for a live process, estimated for a core
	   file: then a lower bound) minus wait_since, for a goroutine
	   waiting or in a system call whose wait_since is set (the runtime
	   sets it when a garbage collection finds it blocked); -1 otherwise
	   (no clock, or a wait_since after it). The runtime prints it in
	   minutes, when at least one (runtime/traceback.go:
	   goroutineheader). */
	int64_t wait_ns;
};

/* One frame of a goroutine's stack, innermost first. */
struct gort_stack_frame {
	struct gort_str function; /* as the pclntab names it */
	struct gort_str file; /* source file of the position */
	int32_t line;         /* line in file */
	int inlined;    /* 1: inlined into the next frame */
	uint64_t pc;    /* the physical frame's PC (a return address for
			   callers) */
	uint64_t entry; /* entry of the physical function */
	uint64_t sp;    /* the physical frame's stack pointer */
	uint64_t fp;    /* the runtime's frame pointer: sp + frame size (the
			   caller's SP), as runtime/traceback.go computes it */
	int trap;       /* pc is the faulting/interrupted instruction itself
			   (its line is that of pc, not pc-1) */
};

/*
 * Goroutines of runtime.allgs in its order, dead ones skipped (as the
 * runtime's tracebackothers skips them). *out is yours
 * (gort_goroutine_iter_free); the core must outlive it.
 * Errors: GORT_ENOTFOUND (runtime.allgs cannot be found), GORT_EUNSUPPORTED
 * (no layout of the runtime's structures for this binary), GORT_EFAULT,
 * GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_goroutine_iter_new(gort_goroutine_iter **out,
				     gort_core *core);
/*
 * 0 with *out borrowed until the next call, GORT_EEND after the last, or an
 * error for a goroutine that cannot be read (the iteration can continue).
 */
GORT_API int gort_goroutine_iter_next(gort_goroutine_iter *it,
				      const struct gort_goroutine **out);
/* Accepts NULL. */
GORT_API void gort_goroutine_iter_free(gort_goroutine_iter *it);

/*
 * How far `it` has walked runtime.allgs, for a progress display: *done of
 * the *total entries (dead goroutines, which the iterator skips, count
 * too). No I/O, constant time; same thread rules as the iterator.
 * Errors: GORT_EINVAL (a NULL argument).
 */
GORT_API int gort_goroutine_iter_progress(const gort_goroutine_iter *it,
					  uint64_t *done, uint64_t *total);

/*
 * Frames of goroutine `g` (from this core's iterator), innermost first.
 * Parked goroutines unwind from g.sched or g.syscallpc/sp; a running one
 * from the registers of its thread when they are on its stack.
 * Errors: GORT_EUNSUPPORTED (a running goroutine whose thread is elsewhere,
 * e.g. in a signal handler), GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_stack_iter_new(gort_stack_iter **out, gort_core *core,
				 const struct gort_goroutine *g);
/*
 * 0 with *out borrowed until the next call, GORT_EEND at the end, or an
 * error when the stack cannot be followed further (GORT_EFAULT for a
 * missing page, GORT_EFORMAT for a return address in no function).
 */
GORT_API int gort_stack_iter_next(gort_stack_iter *it,
				  const struct gort_stack_frame **out);
/* Accepts NULL. */
GORT_API void gort_stack_iter_free(gort_stack_iter *it);

#ifdef __cplusplus
}
#endif

#endif
