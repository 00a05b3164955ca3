/*
 * The Go runtime as lib/core sees it: field offsets of runtime.g, m,
 * gobuf and stack, the address of runtime.allgs, and the entries of the
 * functions the unwinder treats specially.
 *
 * Offsets, status and wait-reason names and the labels representation
 * come from the layout API (include/gort/layout.h: the binary's DWARF,
 * else tables generated for its release, which is what stripped
 * executables need); nothing here is typed in per release.
 */
#include "core.h"

#include <string.h>

static int field(struct gort_core *c, const char *type, const char *name,
		 struct gort__fld *out)
{
	struct gort_field_layout fl;
	int rc = gort_layout_field(c->lay, type, name, &fl);

	out->ok = rc == 0;
	out->off = fl.offset;
	out->size = fl.size;
	if (!out->ok)
		out->off = out->size = 0;
	return rc == GORT_ENOTFOUND ? 0 : rc;
}

/* A field of a field: g.sched.pc is g.sched + gobuf.pc. */
static int nested(struct gort_core *c, const struct gort__fld *outer,
		  const char *type, const char *name, struct gort__fld *out)
{
	int rc = field(c, type, name, out);

	if (!rc && out->ok && outer->ok)
		out->off += outer->off;
	else
		out->ok = false;
	return rc;
}

static int offsets(struct gort_core *c)
{
	struct gort__rt *r = &c->rt;
	struct gort__fld stack, sched;
	int rc;

	if ((rc = gort_layout_open(&c->lay, c->bin, NULL)))
		return rc;
	if ((rc = field(c, "runtime.g", "stack", &stack)) ||
	    (rc = field(c, "runtime.g", "sched", &sched)) ||
	    (rc = nested(c, &stack, "runtime.stack", "lo", &r->g_stack_lo)) ||
	    (rc = nested(c, &stack, "runtime.stack", "hi", &r->g_stack_hi)) ||
	    (rc = nested(c, &sched, "runtime.gobuf", "sp", &r->g_sched_sp)) ||
	    (rc = nested(c, &sched, "runtime.gobuf", "pc", &r->g_sched_pc)) ||
	    (rc = nested(c, &sched, "runtime.gobuf", "lr", &r->g_sched_lr)) ||
	    (rc = nested(c, &sched, "runtime.gobuf", "bp", &r->g_sched_bp)) ||
	    (rc = field(c, "runtime.g", "syscallsp", &r->g_syscallsp)) ||
	    (rc = field(c, "runtime.g", "syscallpc", &r->g_syscallpc)) ||
	    (rc = field(c, "runtime.g", "m", &r->g_m)) ||
	    (rc = field(c, "runtime.g", "atomicstatus", &r->g_status)) ||
	    (rc = field(c, "runtime.g", "goid", &r->g_goid)) ||
	    (rc = field(c, "runtime.g", "waitsince", &r->g_waitsince)) ||
	    (rc = field(c, "runtime.g", "waitreason", &r->g_waitreason)) ||
	    (rc = field(c, "runtime.g", "lockedm", &r->g_lockedm)) ||
	    (rc = field(c, "runtime.g", "gopc", &r->g_gopc)) ||
	    (rc = field(c, "runtime.g", "startpc", &r->g_startpc)) ||
	    (rc = field(c, "runtime.g", "parentGoid", &r->g_parent)) ||
	    (rc = field(c, "runtime.g", "labels", &r->g_labels)) ||
	    (rc = field(c, "runtime.m", "id", &r->m_id)) ||
	    (rc = field(c, "runtime.m", "procid", &r->m_procid)) ||
	    (rc = field(c, "runtime.m", "curg", &r->m_curg)))
		return rc;
	if (!r->g_stack_lo.ok || !r->g_stack_hi.ok || !r->g_sched_sp.ok ||
	    !r->g_sched_pc.ok || !r->g_status.ok || !r->g_goid.ok)
		return gort__fail(GORT_EUNSUPPORTED,
				  "core: no layout of runtime.g's stack, sched, atomicstatus or goid for this executable");
	return 0;
}

/*
 * The address of a symbol of the executable, or 0 in *addr when it has
 * none (stripped, or a symbol table that cannot be read: the caller finds
 * it another way). GORT_ENOMEM is passed on: the symbol may be there.
 */
int gort__rt_symbol(struct gort_core *c, const char *name, uint64_t *addr)
{
	const struct gort_elf_symbol *s;
	int rc = gort__elf_symbol(&c->bin->elf, name, &s);

	*addr = 0;
	if (rc == GORT_ENOMEM)
		return rc;
	if (!rc)
		*addr = s->value + c->bias;
	return 0;
}

/* Entries of the functions the unwinder must recognise, found by name. */
static int special_funcs(struct gort_core *c)
{
	static const struct {
		const char *name;
		size_t off;
	} want[] = {
		{"runtime.goexit", offsetof(struct gort__rt, fn_goexit)},
		{"runtime.mstart", offsetof(struct gort__rt, fn_mstart)},
		{"runtime.mcall", offsetof(struct gort__rt, fn_mcall)},
		{"runtime.morestack", offsetof(struct gort__rt, fn_morestack)},
		{"runtime.rt0_go", offsetof(struct gort__rt, fn_rt0_go)},
		{"runtime.asyncPreempt", offsetof(struct gort__rt, fn_async_preempt)},
		{"runtime.sigpanic", offsetof(struct gort__rt, fn_sigpanic)},
		{"runtime.debugCallV2", offsetof(struct gort__rt, fn_debugcall)},
		{"runtime.debugCallV1", offsetof(struct gort__rt, fn_debugcall)},
		{"runtime.allgadd", offsetof(struct gort__rt, fn_allgadd)},
		{"runtime.systemstack_switch", offsetof(struct gort__rt, fn_systemstack_switch)},
		{"runtime.sigtramp", offsetof(struct gort__rt, fn_sigtramp)},
	};
	gort_func_iter *it;
	const struct gort_func *f;
	int rc;

	if ((rc = gort_func_iter_new(&it, c->tab)))
		return rc;
	while ((rc = gort_func_iter_next(it, &f)) == 0)
		for (size_t i = 0; i < GORT_ARRAY_SIZE(want); i++)
			if (gort__str_eq(f->name, want[i].name)) {
				*(uint64_t *)((char *)&c->rt + want[i].off) = f->entry + c->bias;
				if (want[i].off == offsetof(struct gort__rt, fn_allgadd))
					c->rt.fn_allgadd_size = f->end - f->entry;
			}
	gort_func_iter_free(it);
	return rc == GORT_EEND ? 0 : rc;
}

static void release(struct gort_core *c)
{
	unsigned major, minor;
	int kind;

	if (!gort_layout_go_release(c->lay, &major, &minor) && major == 1)
		c->rt.go_minor = (int)minor;
	if (!gort_layout_labels_kind(c->lay, &kind))
		c->rt.labels_kind = kind;
}

int gort__rt_load(struct gort_core *c)
{
	struct gort__rt *r = &c->rt;
	int rc;

	if (c->rt_done)
		return c->rt_rc ? gort__error_restore(&c->rt_err) : 0;
	c->rt_done = true;
	if (!(rc = offsets(c)) && !(rc = special_funcs(c))) {
		release(c);
		rc = gort__rt_symbol(c, "runtime.allgs", &r->allgs);
		if (!rc && !r->allgs)
			rc = gort__find_allgs(c, &r->allgs);
	}
	if ((c->rt_rc = rc))
		gort__error_save(&c->rt_err, rc);
	return rc;
}
