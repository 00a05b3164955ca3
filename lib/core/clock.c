/*
 * The runtime's clock (nanotime) at the moment of a core file, estimated
 * from the timestamps the runtime keeps in memory. A core holds no clock
 * reading, but the runtime writes nanotime() into its structures as it
 * goes; the latest of them is a lower bound of the moment the core shows
 * (each was written before it). What is read, and why each can lag
 * (Go 1.15 .. 1.27 runtime/proc.go, mgc.go, mgcmark.go):
 *
 *  - runtime.sched.lastpoll: sysmon stores its `now` there whenever the
 *    value is more than 10 ms old (sysmon: "poll network if not polled
 *    for more than 10ms"), so while any P is busy it is at most ~10-20 ms
 *    old. An M that blocks in netpoll (findRunnable) sets it to 0 and, on
 *    waking, to the time it woke: a process that sat idle until a timer
 *    or a network event woke it (to crash, say) has it at the wake-up. It
 *    lags when the process was woken another way (a system call
 *    returning) while an M still blocks in netpoll (0 then), or when
 *    sysmon sleeps (all Ps idle): then up to the whole idle stretch.
 *    Without netpoll ever used it stays at its schedinit value.
 *  - each P's sysmontick.schedwhen / syscallwhen (runtime.allp): sysmon's
 *    retake stores `now` there when it sees the P's schedtick or
 *    syscalltick change; fresh for Ps that keep switching goroutines.
 *    From Go 1.22, each P's gcStopTime: when it last stopped for a
 *    stop-the-world (gcstopm, handoffp...), which includes the freeze of
 *    a fatal panic's dump for a P that was running Go code.
 *  - runtime.work.tstart (set by gcMark at the mark termination of the
 *    latest GC cycle; markroot sets the g.waitsince of every goroutine it
 *    finds blocked from it, during the *next* cycle's mark, so it is at
 *    least every waitsince) and runtime.memstats.last_gc_nanotime (the
 *    end of the latest cycle). sysmon forces a cycle when none ran for 2 minutes
 *    (forcegcperiod), so with GC on these are at most ~3 minutes old.
 *  - runtime.runtimeInitTime: the process's start, a floor.
 *  - in one pass over runtime.allgs: the end of the latest time.Sleep of
 *    every goroutine not sleeping now (g.sleepWhen from Go 1.23,
 *    g.timer.nextwhen before): a process woken by a timer, whose waking
 *    M went back to netpoll (sched.lastpoll 0 again) while sysmon sleeps,
 *    keeps the moment it woke there, if what woke was a time.Sleep; and,
 *    where runtime.work cannot be read (no symbol or no layout of its
 *    type: stripped executables, Go 1.15's anonymous struct), every
 *    goroutine's g.waitsince, so that no wait comes out negative; and,
 *    where runtime.allp cannot be read (stripped), the Ps of the Ms that
 *    goroutines are on (g.m.p), with their sysmontick and gcStopTime.
 *
 * What stays behind: a process that sat with every P idle (sysmon asleep)
 * and was woken by something other than a timer or the network, such as
 * a system call returning, while an M blocks in netpoll: nothing records
 * the waking moment, and the estimate can be as old as the idle stretch
 * (tests/fixtures/longwait, MODE syscall).
 *
 * A corrupt core must not produce a silly clock: a value <= 0 or beyond
 * 2^62 ns (146 years of CLOCK_MONOTONIC, which counts from boot) is
 * ignored, as is anything that cannot be read (missing memory, a field
 * the release lacks). A corrupt value within that range can only push the
 * estimate later; gort_core_clock names the variable it came from.
 */
#include "core.h"

#include <string.h>

/* CLOCK_MONOTONIC counts from boot: 2^62 ns is 146 years. */
#define MAX_PLAUSIBLE_NS (INT64_C(1) << 62)
/* Bounds against a corrupt runtime.allp / allgs. */
#define MAX_PROCS 65536u
#define MAX_GOROUTINES (64u << 20)

struct est {
	int64_t best;
	const char *from;
};

static void consider(struct est *e, uint64_t v, const char *from)
{
	if (v == 0 || v >= (uint64_t)MAX_PLAUSIBLE_NS)
		return; /* unset, negative as int64, or beyond plausibility */
	if ((int64_t)v > e->best) {
		e->best = (int64_t)v;
		e->from = from;
	}
}

/*
 * Errors that only mean "this timestamp is not there" (a missing page, a
 * field or type the release or the layout source lacks) give 0 with
 * *ok false; others (GORT_ENOMEM, an unreadable core file) are passed on.
 */
static int soft(int rc, bool *ok)
{
	*ok = rc == 0;
	if (rc == GORT_EFAULT || rc == GORT_ENOTFOUND || rc == GORT_EUNSUPPORTED ||
	    rc == GORT_EFORMAT)
		return 0;
	return rc;
}

/* The integer field `name` of the `type` at addr (up to 8 bytes). */
static int field_at(struct gort_core *c, uint64_t addr, const char *type,
		    const char *name, uint64_t *v, bool *ok)
{
	struct gort_field_layout fl;
	int rc = gort_layout_field(c->lay, type, name, &fl);

	*v = 0;
	if (!rc && (fl.size == 0 || fl.size > 8))
		rc = GORT_ENOTFOUND;
	if (!rc)
		rc = gort__core_uint(c, addr + fl.offset, fl.size, v);
	return soft(rc, ok);
}

/* The timestamp in field `name` of the `type` at addr, if readable. */
static int stamp_at(struct gort_core *c, struct est *e, uint64_t addr,
		    const char *type, const char *name, const char *from, bool *ok)
{
	uint64_t v;
	int rc = field_at(c, addr, type, name, &v, ok);

	if (!rc && *ok)
		consider(e, v, from);
	return rc;
}

/* A field of the global variable `sym` (whose type is `type`). */
static int global(struct gort_core *c, struct est *e, const char *sym,
		  const char *type, const char *name, const char *from, bool *ok)
{
	uint64_t a;
	int rc;

	*ok = false;
	if ((rc = gort__rt_symbol(c, sym, &a)) || !a)
		return rc;
	return stamp_at(c, e, a, type, name, from, ok);
}

/*
 * fn(c, p, arg) for each non-nil pointer p of the slice of pointers whose
 * header is at `slice` (runtime.allp, runtime.allgs); a slice longer than
 * `max` is corrupt and skipped, a missing page ends the walk.
 */
static int each_ptr(struct gort_core *c, uint64_t slice, uint64_t max,
		    int (*fn)(struct gort_core *c, uint64_t p, void *arg), void *arg)
{
	uint64_t arr, n, w = c->ptr_size;
	bool ok;
	int rc;

	if ((rc = soft(gort__core_uptr(c, slice, &arr), &ok)) || !ok ||
	    (rc = soft(gort__core_uptr(c, slice + w, &n), &ok)) || !ok || n > max)
		return rc;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p;
		if ((rc = soft(gort__core_uptr(c, arr + i * w, &p), &ok)) || !ok)
			return rc;
		if (p && (rc = fn(c, p, arg)))
			return rc;
	}
	return 0;
}

/* One P's sysmontick and gcStopTime (arg: the estimate). */
static int one_p(struct gort_core *c, uint64_t pp, void *arg)
{
	struct gort_field_layout tick;
	bool ok;
	int rc;

	if ((rc = soft(gort_layout_field(c->lay, "runtime.p", "sysmontick", &tick), &ok)))
		return rc;
	if (ok && ((rc = stamp_at(c, arg, pp + tick.offset, "runtime.sysmontick", "schedwhen",
				  "runtime.p.sysmontick.schedwhen", &ok)) ||
		   (rc = stamp_at(c, arg, pp + tick.offset, "runtime.sysmontick", "syscallwhen",
				  "runtime.p.sysmontick.syscallwhen", &ok))))
		return rc;
	return stamp_at(c, arg, pp, "runtime.p", "gcStopTime", "runtime.p.gcStopTime", &ok);
}

/* Each P's (runtime.allp: a []*p). */
static int procs(struct gort_core *c, struct est *e, bool *read)
{
	uint64_t a;
	int rc;

	*read = false;
	if ((rc = gort__rt_symbol(c, "runtime.allp", &a)) || !a)
		return rc;
	*read = true;
	return each_ptr(c, a, MAX_PROCS, one_p, e);
}

/* What the pass over the goroutines reads (see goroutines()). */
struct gfields {
	bool waitsince;           /* g.waitsince (work.tstart unknown) */
	bool procs;               /* the P of each goroutine's M (no allp) */
	struct gort__fld m_p;     /* runtime.m.p */
	struct gort__fld sleep;   /* g.sleepWhen (1.23+), or g.timer (.. 1.22) */
	struct gort__fld nextwhen; /* runtime.timer.nextwhen (.. 1.22) */
	uint64_t sleep_reason;    /* waitReasonSleep's value, 0: unknown */
};

static int gfield(struct gort_core *c, const char *type, const char *name,
		  struct gort__fld *f)
{
	struct gort_field_layout fl;
	int rc = soft(gort_layout_field(c->lay, type, name, &fl), &f->ok);

	f->off = fl.offset;
	f->size = fl.size;
	if (f->ok && (f->size == 0 || f->size > 8))
		f->ok = false;
	return rc;
}

/* Where the end of a goroutine's latest time.Sleep is kept, and the value
   of the wait reason "sleep" (runtime.waitReasonSleep). */
static int sleep_fields(struct gort_core *c, struct gfields *gf)
{
	size_t n = 0;
	int rc;

	if ((rc = gfield(c, "runtime.g", "sleepWhen", &gf->sleep)))
		return rc;
	if (!gf->sleep.ok && ((rc = gfield(c, "runtime.g", "timer", &gf->sleep)) ||
			      (rc = gfield(c, "runtime.timer", "nextwhen", &gf->nextwhen))))
		return rc;
	if ((rc = soft(gort_layout_wait_reason_count(c->lay, &n, NULL), &gf->sleep.ok)))
		return rc;
	for (size_t i = 1; i < n && i < 256 && !gf->sleep_reason; i++) {
		struct gort_str s;
		rc = gort_layout_wait_reason(c->lay, (unsigned)i, &s, NULL);
		if (rc == GORT_ENOMEM)
			return rc;
		if (!rc && gort__str_eq(s, "sleep"))
			gf->sleep_reason = i;
	}
	if (!gf->sleep_reason)
		gf->sleep.ok = false;
	return 0;
}

static int gread(struct gort_core *c, uint64_t addr, const struct gort__fld *f,
		 uint64_t *v, bool *ok)
{
	*v = 0;
	*ok = false;
	return f->ok ? soft(gort__core_uint(c, addr + f->off, f->size, v), ok) : 0;
}

/*
 * The end of the latest time.Sleep of a goroutine that is not sleeping
 * now (g.sleepWhen from Go 1.23, g.timer.nextwhen before): it has passed.
 * This is what a process woken by a timer shows of that moment, when the
 * M that woke has since gone back to netpoll (sched.lastpoll 0 again) and
 * sysmon sleeps. A goroutine caught between timeSleep's store and its
 * park (a few instructions) would show a time still to come.
 */
static int slept(struct gort_core *c, const struct gfields *gf, uint64_t gp,
		 struct est *e)
{
	const struct gort__rt *r = &c->rt;
	uint64_t st, reason, v;
	bool ok;
	int rc;

	if ((rc = gread(c, gp, &r->g_status, &st, &ok)) || !ok ||
	    (rc = gread(c, gp, &r->g_waitreason, &reason, &ok)))
		return rc;
	if ((st & ~(uint64_t)GORT_G_SCAN) == 4 /* _Gwaiting */ && reason == gf->sleep_reason)
		return 0;
	if ((rc = gread(c, gp, &gf->sleep, &v, &ok)) || !ok)
		return rc;
	if (gf->nextwhen.ok) { /* v is g.timer */
		if (!v || (rc = gread(c, v, &gf->nextwhen, &v, &ok)) || !ok)
			return rc;
		consider(e, v, "runtime.g.timer.nextwhen");
	} else {
		consider(e, v, "runtime.g.sleepWhen");
	}
	return 0;
}

struct gpass {
	struct est *e;
	struct gfields gf;
};

static int one_g(struct gort_core *c, uint64_t gp, void *arg)
{
	struct gpass *g = arg;
	uint64_t v;
	bool ok;
	int rc;

	if (g->gf.waitsince) {
		if ((rc = gread(c, gp, &c->rt.g_waitsince, &v, &ok)))
			return rc;
		if (ok)
			consider(g->e, v, "runtime.g.waitsince");
	}
	/* Without runtime.allp, the Ps that goroutines' Ms hold: those of
	   the running ones, which sysmon and a fatal panic's freeze stamp. */
	if (g->gf.procs) {
		uint64_t m, pp;
		if ((rc = gread(c, gp, &c->rt.g_m, &m, &ok)))
			return rc;
		if (ok && m && (rc = gread(c, m, &g->gf.m_p, &pp, &ok)))
			return rc;
		if (ok && m && pp && (rc = one_p(c, pp, g->e)))
			return rc;
	}
	return g->gf.sleep.ok ? slept(c, &g->gf, gp, g->e) : 0;
}

/* One pass over runtime.allgs for what goroutines keep (struct gfields). */
static int goroutines(struct gort_core *c, struct est *e, bool waitsince, bool procs)
{
	struct gpass g = {e, {.waitsince = waitsince && c->rt.g_waitsince.ok}};
	int rc;

	if ((rc = sleep_fields(c, &g.gf)))
		return rc;
	if (procs && c->rt.g_m.ok) {
		if ((rc = gfield(c, "runtime.m", "p", &g.gf.m_p)))
			return rc;
		g.gf.procs = g.gf.m_p.ok;
	}
	if ((!g.gf.waitsince && !g.gf.sleep.ok && !g.gf.procs) || !c->rt.allgs)
		return 0;
	return each_ptr(c, c->rt.allgs, MAX_GOROUTINES, one_g, &g);
}

static int estimate(struct gort_core *c)
{
	struct est e = {0, NULL};
	uint64_t a, v;
	bool ok, tstart = false, allp = false;
	int rc;

	if ((rc = gort__rt_load(c)) ||
	    (rc = global(c, &e, "runtime.sched", "runtime.schedt", "lastpoll",
			 "runtime.sched.lastpoll", &ok)) ||
	    (rc = procs(c, &e, &allp)) ||
	    (rc = global(c, &e, "runtime.work", "runtime.workType", "tstart",
			 "runtime.work.tstart", &tstart)) ||
	    (rc = global(c, &e, "runtime.memstats", "runtime.mstats", "last_gc_nanotime",
			 "runtime.memstats.last_gc_nanotime", &ok)))
		return rc;
	if ((rc = gort__rt_symbol(c, "runtime.runtimeInitTime", &a)))
		return rc;
	if (a) {
		if ((rc = soft(gort__core_uint(c, a, 8, &v), &ok)))
			return rc;
		if (ok)
			consider(&e, v, "runtime.runtimeInitTime");
	}
	if ((rc = goroutines(c, &e, !tstart, !allp)))
		return rc;
	if (!e.best)
		return gort__fail(GORT_ENOTFOUND,
				  "core: no timestamp of the runtime's to estimate its clock from");
	c->now = e.best;
	c->now_from = e.from;
	c->now_estimated = true;
	return 0;
}

int gort__core_clock(struct gort_core *c)
{
	if (c->now)
		return 0;
	if (c->clock_done)
		return c->clock_rc ? gort__error_restore(&c->clock_err) : 0;
	c->clock_done = true;
	if ((c->clock_rc = estimate(c)))
		gort__error_save(&c->clock_err, c->clock_rc);
	if (c->clock_rc == GORT_ENOMEM) /* may work next time: not kept */
		c->clock_done = false;
	return c->clock_rc;
}
