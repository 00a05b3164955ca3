/*
 * Goroutine stacks, unwound as runtime/traceback.go's unwinder does
 * (initAt, resolveInternal, next, symPC), reading the stack from the core:
 *  - start at g.syscallpc/syscallsp when g.syscallsp is set, else at
 *    g.sched (pc, sp, lr), or at the registers of the thread running it
 *    (at g.sched too when that thread is on the system stack);
 *  - the frame's fp is sp + pcsp(pc) (+ the pushed return address where a
 *    call pushes one); the caller's PC is at fp - ptrsize (amd64, 386) or in
 *    the link register / at sp (arm64);
 *  - the stack ends at a TopFrame function (for runtimes before the flag:
 *    those topofstack names), at an SPWrite function, or without pcsp;
 *  - a frame called by an injected call (asyncPreempt, sigpanic,
 *    debugCall) keeps its PC for lookups (unwindTrap), others use PC-1;
 *    before Go 1.21 only sigpanic's caller did (gentraceback: waspanic),
 *    and frames are named as the binary's own runtime named them.
 * Every physical frame is expanded into its inlined frames.
 */
#include "core.h"

#include <string.h>

/* abi.FuncFlag (internal/abi/symtab.go). */
#define FLAG_TOPFRAME 1u
#define FLAG_SPWRITE 2u

/* More frames than any real stack has (a 1 GB stack of 16-byte frames
   would have more, but the runtime caps stacks at 1 GB on 64-bit). */
#define MAX_FRAMES (1u << 20)

struct gort_stack_iter {
	gort_core *core;
	const struct gort_goroutine *g;
	bool lr_arch; /* the call instruction leaves the return in a register */
	bool started, done;
	int err;
	struct gort_saved_error saved;
	/* The current physical frame (traceback.go: stkframe). */
	uint64_t pc, sp, fp, lr;
	struct gort_func fn;
	bool trap;
	unsigned nframes;
	/* Its source frames, innermost first, and the next to hand out. */
	struct gort_frame *src;
	size_t nsrc, cap, pos;
	struct gort_stack_frame out;
};

static bool is_fn(const gort_stack_iter *it, uint64_t want)
{
	return want && it->fn.entry + it->core->bias == want;
}

/* runtime/traceback.go (Go 1.15): topofstack, for tables without flags. */
static bool top_of_stack(const gort_stack_iter *it)
{
	const struct gort__rt *r = &it->core->rt;

	return (it->fn.flags & FLAG_TOPFRAME) || is_fn(it, r->fn_goexit) ||
	       is_fn(it, r->fn_mstart) || is_fn(it, r->fn_mcall) ||
	       is_fn(it, r->fn_morestack) || is_fn(it, r->fn_rt0_go);
}

static bool injected_call(const gort_stack_iter *it)
{
	const struct gort__rt *r = &it->core->rt;

	return is_fn(it, r->fn_async_preempt) || is_fn(it, r->fn_sigpanic) ||
	       is_fn(it, r->fn_debugcall);
}

static int find(gort_stack_iter *it, uint64_t pc, struct gort_func *f)
{
	int rc = gort_pclntab_find_func(it->core->tab, pc - it->core->bias, f);

	if (rc == GORT_ENOTFOUND)
		return gort__fail_addr(GORT_EFORMAT, pc,
				       "core: goroutine %llu: pc 0x%llx is in no function",
				       (unsigned long long)it->g->id, (unsigned long long)pc);
	return rc;
}

/* traceback.go: resolveInternal. Sets fp and, when needed, lr. */
static int resolve(gort_stack_iter *it, bool innermost, bool syscall)
{
	gort_core *c = it->core;
	unsigned flag = it->fn.flags;
	int32_t delta;
	int rc = gort_pclntab_frame_size(c->tab, it->pc - c->bias, &delta);

	if (rc == GORT_ENOTFOUND) {
		it->lr = 0; /* no pcsp: the runtime stops here */
		it->fp = it->sp;
		return 0;
	}
	if (rc)
		return rc;
	if (syscall)
		flag &= ~FLAG_SPWRITE;
	it->fp = it->sp + (uint64_t)(int64_t)delta;
	if (!it->lr_arch)
		it->fp += c->ptr_size;
	if (top_of_stack(it) || (flag & FLAG_SPWRITE))
		it->lr = 0;
	else if (it->lr_arch) {
		if ((innermost && it->sp < it->fp) || it->lr == 0)
			rc = gort__core_uptr(c, it->sp, &it->lr);
	} else if (it->lr == 0)
		rc = gort__core_uptr(c, it->fp - c->ptr_size, &it->lr);
	return rc;
}

/*
 * Whether a running goroutine's thread is on the system stack: then
 * systemstack (asm_*.s) saved the goroutine's state in g.sched with the PC
 * of runtime.systemstack_switch, so g.sched is current (the runtime's own
 * unwinder follows it from g0 the same way: unwindJumpStack).
 */
static int on_system_stack(gort_stack_iter *it) /* 1, 0 or an error */
{
	gort_core *c = it->core;
	uint64_t pc, sp;
	struct gort_func f;
	int rc;

	if (!c->rt.fn_systemstack_switch)
		return 0;
	/* g.sched missing from the core: not known to be on the system
	   stack; other read failures are passed on. */
	if ((rc = gort__core_uint(c, it->g->addr + c->rt.g_sched_pc.off, c->ptr_size, &pc)) ||
	    (rc = gort__core_uint(c, it->g->addr + c->rt.g_sched_sp.off, c->ptr_size, &sp)))
		return rc == GORT_EFAULT ? 0 : rc;
	/* Returning from the system stack clears g.sched.sp (asm_*.s). */
	if (!pc || sp < it->g->stack_lo || sp >= it->g->stack_hi)
		return 0;
	if ((rc = gort_pclntab_find_func(c->tab, pc - c->bias, &f)))
		return rc == GORT_ENOTFOUND ? 0 : rc;
	return f.entry + c->bias == c->rt.fn_systemstack_switch;
}

/*
 * A goroutine whose thread was stopped inside a signal handler (a crash:
 * the runtime raises SIGABRT, its handler forwards it and raises again;
 * or a profiling or preemption signal): the thread's registers are on the
 * signal stack. Its frames are walked up to the handler's entry,
 * runtime.sigtramp (TopFrame), above which the kernel put the signal frame
 * (rt_sigframe): its ucontext holds the registers at the instruction the
 * signal interrupted, which is where the goroutine's own stack starts.
 *   amd64: the return address (the restorer) at sigtramp's fp - 8, then
 *          ucontext: uc_flags, uc_link, uc_stack (40 bytes), then
 *          sigcontext {r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip}
 *   386:   sigtramp's arguments sig, info, ctx at its fp (rt_sigframe's
 *          pretcode is at fp - 4), siginfo (128 bytes), then ucontext:
 *          uc_flags, uc_link, uc_stack (20 bytes), then sigcontext {gs,
 *          fs, es, ds, edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err,
 *          eip}; ctx points at that ucontext, which is checked
 *   arm64: siginfo (128 bytes) at sigtramp's caller SP, then ucontext:
 *          176 bytes to sigcontext {fault_address, regs[31], sp, pc}
 * (linux: arch/x86/include/uapi/asm/sigcontext.h, arch/x86/kernel/
 * signal_32.c, arch/arm64/include/uapi/asm/sigcontext.h, ucontext.h; Go:
 * runtime/defs_linux_{amd64,386,arm64}.go, sys_linux_386.s: sigtramp.)
 */
#define SIGNAL_STACK_FRAMES 64 /* handler frames on the signal stack, at most */

static int signal_context(gort_stack_iter *it, const struct gort_thread *t)
{
	gort_core *c = it->core;
	uint64_t pc = t->pc, sp = t->sp, lr = t->lr, uc, fp, x;
	struct gort_func f;
	int32_t delta;
	int rc;

	if (!c->rt.fn_sigtramp || (c->arch != GORT_ARCH_AMD64 && c->arch != GORT_ARCH_ARM64 &&
				   c->arch != GORT_ARCH_386))
		return GORT_ENOTFOUND;
	for (int i = 0;; i++) {
		if (i == SIGNAL_STACK_FRAMES)
			return GORT_ENOTFOUND;
		if ((rc = gort_pclntab_find_func(c->tab, pc - c->bias, &f)) ||
		    (rc = gort_pclntab_frame_size(c->tab, pc - c->bias, &delta)))
			return rc;
		fp = sp + (uint64_t)(int64_t)delta + (it->lr_arch ? 0 : c->ptr_size);
		if (f.entry + c->bias == c->rt.fn_sigtramp)
			break;
		if (it->lr_arch && (i > 0 || delta > 0) && (rc = gort__core_uptr(c, sp, &lr)))
			return rc;
		if (!it->lr_arch && (rc = gort__core_uptr(c, fp - c->ptr_size, &lr)))
			return rc;
		pc = lr;
		sp = fp;
	}
	if (it->lr_arch) {
		uc = fp + 128 + 176;
		if ((rc = gort__core_uptr(c, uc + 8 + 30 * 8, &x)) ||
		    (rc = gort__core_uptr(c, uc + 8 + 31 * 8, &sp)) ||
		    (rc = gort__core_uptr(c, uc + 8 + 32 * 8, &pc)))
			return rc;
		it->lr = x;
	} else if (c->arch == GORT_ARCH_386) {
		uc = fp + 12 + 128;
		if ((rc = gort__core_uptr(c, fp + 8, &x)))
			return rc;
		if (x != uc)
			return GORT_ENOTFOUND; /* not the frame the kernel builds */
		if ((rc = gort__core_uptr(c, uc + 20 + 7 * 4, &sp)) ||
		    (rc = gort__core_uptr(c, uc + 20 + 14 * 4, &pc)))
			return rc;
		it->lr = 0;
	} else {
		uc = fp + 40;
		if ((rc = gort__core_uptr(c, uc + 15 * 8, &sp)) ||
		    (rc = gort__core_uptr(c, uc + 16 * 8, &pc)))
			return rc;
		it->lr = 0;
	}
	if (sp < it->g->stack_lo || sp >= it->g->stack_hi)
		return GORT_ENOTFOUND; /* the signal interrupted other code */
	it->pc = pc;
	it->sp = sp;
	return 0;
}

/* traceback.go: initAt (pc/sp/lr from gp or from a thread). */
static int init_at(gort_stack_iter *it)
{
	gort_core *c = it->core;
	const struct gort__rt *r = &c->rt;
	const struct gort_goroutine *g = it->g;
	uint64_t sysc = 0, syspc = 0;
	bool syscall = false, running = false;
	int rc;

	if (strcmp(g->state, "running") == 0) {
		if ((rc = on_system_stack(it)) < 0)
			return rc;
		running = rc == 0;
	}
	if ((rc = gort__core_uint(c, g->addr + r->g_syscallsp.off, c->ptr_size, &sysc)) ||
	    (rc = gort__core_uint(c, g->addr + r->g_syscallpc.off, c->ptr_size, &syspc)))
		return rc;
	if (sysc) {
		it->pc = syspc;
		it->sp = sysc;
		it->lr = 0;
		syscall = true;
	} else if (running) { /* and not on the system stack */
		size_t i;
		for (i = 0; i < c->nthreads; i++)
			if (g->thread_id && c->threads[i].tid == g->thread_id)
				break;
		if (i < c->nthreads && c->threads[i].sp >= g->stack_lo &&
		    c->threads[i].sp < g->stack_hi) {
			it->pc = c->threads[i].pc;
			it->sp = c->threads[i].sp;
			it->lr = c->threads[i].lr;
		} else if (i == c->nthreads || signal_context(it, &c->threads[i])) {
			return gort__fail(GORT_EUNSUPPORTED,
					  "core: goroutine %llu is running on thread %lld, whose registers are not on its stack",
					  (unsigned long long)g->id, (long long)g->thread_id);
		}
		it->trap = true; /* tracebacktrap: the PC is not a return address */
	} else {
		if ((rc = gort__core_uint(c, g->addr + r->g_sched_pc.off, c->ptr_size, &it->pc)) ||
		    (rc = gort__core_uint(c, g->addr + r->g_sched_sp.off, c->ptr_size, &it->sp)))
			return rc;
		if (it->lr_arch && r->g_sched_lr.ok &&
		    (rc = gort__core_uint(c, g->addr + r->g_sched_lr.off, c->ptr_size, &it->lr)))
			return rc;
	}
	if (it->pc == 0) {
		if ((rc = gort__core_uptr(c, it->sp, &it->pc)))
			return rc;
		if (it->lr_arch)
			it->lr = 0;
		else
			it->sp += c->ptr_size;
	}
	if ((rc = find(it, it->pc, &it->fn)))
		return rc;
	return resolve(it, true, syscall);
}

/* traceback.go: next. Moves to the caller; done when there is none. */
static int step(gort_stack_iter *it)
{
	gort_core *c = it->core;
	bool injected;
	struct gort_func caller;
	int rc;

	if (it->lr == 0) {
		it->done = true;
		return 0;
	}
	if (++it->nframes >= MAX_FRAMES)
		return gort__fail(GORT_EFORMAT, "core: goroutine %llu: more than %u frames",
				  (unsigned long long)it->g->id, MAX_FRAMES);
	if ((rc = find(it, it->lr, &caller)))
		return rc;
	if (it->pc == it->lr && it->sp == it->fp)
		return gort__fail_addr(GORT_EFORMAT, it->sp,
				       "core: goroutine %llu: traceback stuck at pc 0x%llx",
				       (unsigned long long)it->g->id, (unsigned long long)it->pc);
	if (it->fp < it->sp || it->fp > it->g->stack_hi)
		return gort__fail_addr(GORT_EFORMAT, it->fp,
				       "core: goroutine %llu: frame pointer 0x%llx leaves the stack [0x%llx, 0x%llx)",
				       (unsigned long long)it->g->id, (unsigned long long)it->fp,
				       (unsigned long long)it->g->stack_lo,
				       (unsigned long long)it->g->stack_hi);
	injected = injected_call(it);
	/* Go 1.21's unwinder (symPC, unwindTrap) looks up the caller of any
	   injected call at its PC; earlier gentraceback did so only below
	   sigpanic (waspanic), using PC-1 under asyncPreempt too. */
	it->trap = c->rt.go_minor && c->rt.go_minor < 21
			   ? is_fn(it, c->rt.fn_sigpanic) : injected;
	it->fn = caller;
	it->pc = it->lr;
	it->lr = 0;
	it->sp = it->fp;
	it->fp = 0;
	if (it->lr_arch && injected) {
		/* The injected call saved the interrupted LR at sp and kept SP
		   16-byte aligned (sys.MinFrameSize rounded to StackAlign). */
		uint64_t x;
		int32_t delta;
		if ((rc = gort__core_uptr(c, it->sp, &x)))
			return rc;
		it->sp += 16;
		if (!gort_pclntab_frame_size(c->tab, it->pc - c->bias, &delta) && delta == 0)
			it->lr = x;
	}
	return resolve(it, false, false);
}

/* The source frames of the current physical frame (traceback.go: symPC). */
static int expand(gort_stack_iter *it)
{
	gort_core *c = it->core;
	uint64_t pc = it->pc - c->bias;
	size_t n;
	int rc;

	if (!it->trap && pc > it->fn.entry)
		pc--;
	for (;;) {
		if ((rc = gort_pclntab_lookup(c->tab, pc, it->src, it->cap, &n)))
			return rc;
		if (n <= it->cap)
			break;
		struct gort_frame *s = gort__realloc(it->src, n * sizeof(*s));
		if (!s)
			return gort__fail(GORT_ENOMEM, "out of memory");
		it->src = s;
		it->cap = n;
	}
	it->nsrc = n;
	it->pos = 0;
	return 0;
}

int gort_stack_iter_new(gort_stack_iter **out, gort_core *core,
			const struct gort_goroutine *g)
{
	gort_stack_iter *it;
	int rc;

	if (!out || !core || !g)
		return gort__fail(GORT_EINVAL, "gort_stack_iter_new: NULL argument");
	*out = NULL;
	if ((rc = gort__rt_load(core)))
		return rc;
	if (!(it = gort__calloc(1, sizeof(*it))) ||
	    !(it->src = gort__calloc(8, sizeof(*it->src)))) {
		gort__free(it);
		return gort__fail(GORT_ENOMEM, "out of memory");
	}
	it->cap = 8;
	it->core = core;
	it->g = g;
	it->lr_arch = core->arch == GORT_ARCH_ARM64;
	if ((rc = init_at(it))) {
		gort_stack_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

void gort_stack_iter_free(gort_stack_iter *it)
{
	if (!it)
		return;
	gort__free(it->src);
	gort__free(it);
}

int gort_stack_iter_next(gort_stack_iter *it, const struct gort_stack_frame **out)
{
	const struct gort_frame *f;
	int rc;

	if (!it || !out)
		return gort__fail(GORT_EINVAL, "gort_stack_iter_next: NULL argument");
	if (it->err)
		return gort__error_restore(&it->saved);
	while (it->pos >= it->nsrc) {
		if (it->started && (rc = step(it)) != 0)
			goto fail;
		if (it->done)
			return GORT_EEND;
		it->started = true;
		if ((rc = expand(it)))
			goto fail;
	}
	f = &it->src[it->pos++];
	it->out = (struct gort_stack_frame){
		.function = f->function, .file = f->file, .line = f->line,
		.inlined = f->inlined, .pc = it->pc, .entry = it->fn.entry + it->core->bias,
		.sp = it->sp, .fp = it->fp, .trap = it->trap,
	};
	*out = &it->out;
	return 0;
fail:
	it->err = rc;
	gort__error_save(&it->saved, rc);
	return rc;
}
