/*
 * runtime.allgs without a symbol table (stripped executables).
 *
 * runtime.allgadd (runtime/proc.go) is the function that appends to allgs:
 * its code addresses the slice header (allgs, allgs+ptr, allgs+2*ptr)
 * along with allglock, allgptr and allglen. It is found by name through
 * the pclntab, which stripping keeps, and its instructions are decoded for
 * the data addresses they reference: RIP-relative operands on amd64
 * (ModRM mod=00 rm=101 after a REX.W prefix), absolute ones on 386 (the
 * same ModRM, or MOV to and from EAX with a 32-bit offset), ADRP followed
 * by ADD, LDR or STR on arm64. Each referenced address and the two words below it is
 * then tried as a slice header in the core: the candidate must hold
 * 1 <= len <= cap, and its elements must be distinct g's whose goids are
 * distinct, the first being goroutine 1 (the main goroutine is the first
 * allgadd of every process, made by rt0_go's newproc, and never exits).
 *
 * Why code rather than a scan of .bss/.noptrbss for something shaped like
 * a slice of g's: the code names a handful of candidates where a scan
 * would try every word of the data segments, and what the code names does
 * not depend on which other slices of pointers happen to exist.
 */
#include "core.h"

#include <stdlib.h>

#define MAX_CANDIDATES 64
#define MAX_CHECKED 4096 /* elements checked per candidate */

struct cands {
	uint64_t a[MAX_CANDIDATES];
	size_t n;
};

static void add(struct cands *cs, uint64_t a)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->a[i] == a)
			return;
	if (cs->n < MAX_CANDIDATES)
		cs->a[cs->n++] = a;
}

/* amd64: REX.W MOV/LEA/CMP with a RIP-relative memory operand. */
static void scan_amd64(const uint8_t *b, uint64_t n, uint64_t pc, struct cands *cs)
{
	for (uint64_t i = 0; i + 7 <= n; i++) {
		uint8_t op = b[i + 1];
		if ((b[i] & 0xf8) != 0x48 || (b[i + 2] & 0xc7) != 0x05 ||
		    !(op == 0x8b || op == 0x89 || op == 0x8d || op == 0x39 || op == 0x3b))
			continue;
		int32_t disp = (int32_t)gort__ld32(b + i + 3, false);
		add(cs, pc + i + 7 + (uint64_t)(int64_t)disp);
	}
}

/*
 * 386 (not PIE: Go builds 386 PIE through a GOT, which this does not read):
 * MOV/LEA/CMP r32 with a disp32 operand (ModRM mod=00 rm=101), MOV EAX to
 * or from moffs32 (A1, A3). Every byte offset is tried, so immediates that
 * look like these give bogus addresses: only those in the module's data
 * and bss ([lo, hi)) are kept, so they cannot crowd out the real ones.
 */
static void scan_386(const uint8_t *b, uint64_t n, uint64_t lo, uint64_t hi, struct cands *cs)
{
	for (uint64_t i = 0; i + 5 <= n; i++) {
		uint8_t op = b[i];
		uint64_t a;
		if ((op == 0x8b || op == 0x89 || op == 0x8d || op == 0x39 || op == 0x3b) &&
		    i + 6 <= n && (b[i + 1] & 0xc7) == 0x05)
			a = gort__ld32(b + i + 2, false);
		else if (op == 0xa1 || op == 0xa3)
			a = gort__ld32(b + i + 1, false);
		else
			continue;
		if (a >= lo && a < hi)
			add(cs, a);
	}
}

/* arm64: ADRP Xd, page; then ADD Xd', Xd, #imm or LDR/STR Xt, [Xd, #imm]. */
static void scan_arm64(const uint8_t *b, uint64_t n, uint64_t pc, struct cands *cs)
{
	for (uint64_t i = 0; i + 8 <= n; i += 4) {
		uint32_t in = gort__ld32(b + i, false);
		if ((in & 0x9f000000u) != 0x90000000u)
			continue;
		uint64_t rd = in & 31;
		int64_t imm = (int64_t)((((in >> 5) & 0x7ffffu) << 2) | ((in >> 29) & 3));
		if (imm & (1ll << 20))
			imm -= 1ll << 21;
		uint64_t page = ((pc + i) & ~0xfffull) + (uint64_t)(imm * 4096);
		for (uint64_t k = i + 4; k < i + 12 && k + 4 <= n; k += 4) {
			uint32_t nx = gort__ld32(b + k, false);
			if (((nx >> 5) & 31) != rd)
				continue;
			if ((nx & 0xff800000u) == 0x91000000u) /* ADD (immediate), 64-bit */
				add(cs, page + (((nx >> 10) & 0xfff) << ((nx >> 22) & 1 ? 12 : 0)));
			else if ((nx & 0xffc00000u) == 0xf9400000u || /* LDR Xt, [Xn, #imm] */
				 (nx & 0xffc00000u) == 0xf9000000u)   /* STR Xt, [Xn, #imm] */
				add(cs, page + ((nx >> 10) & 0xfff) * 8);
			else
				continue;
			break;
		}
	}
}

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Whether `base` holds a slice header of plausible g's (see above): 1 or
 * 0. An address the core does not hold only says "not this one"; other
 * failures (GORT_ENOMEM, a core file that cannot be read) are passed on,
 * since "not plausible" could then be wrong.
 */
static int plausible(struct gort_core *c, uint64_t base)
{
	const struct gort__rt *r = &c->rt;
	uint64_t w = c->ptr_size, arr, len, cap, n, goid = 0;
	uint64_t *ids;
	bool ok = true;
	int rc;

	if ((rc = gort__core_uptr(c, base, &arr)) || (rc = gort__core_uptr(c, base + w, &len)) ||
	    (rc = gort__core_uptr(c, base + 2 * w, &cap)))
		return rc == GORT_EFAULT ? 0 : rc;
	if (!arr || arr % w || len == 0 || len > cap || cap > (64u << 20))
		return 0;
	n = len < MAX_CHECKED ? len : MAX_CHECKED;
	if (!(ids = gort__calloc((size_t)n, sizeof(*ids))))
		return gort__fail(GORT_ENOMEM, "core: out of memory checking %llu goroutines",
				  (unsigned long long)n);
	for (uint64_t i = 0; ok && !rc && i < n; i++) {
		uint64_t gp, lo = 1, hi = 0;
		if ((rc = gort__core_uptr(c, arr + i * w, &gp)))
			break;
		if (gp && gp % w == 0 &&
		    ((rc = gort__core_uint(c, gp + r->g_goid.off, r->g_goid.size, &goid)) ||
		     (rc = gort__core_uptr(c, gp + r->g_stack_lo.off, &lo)) ||
		     (rc = gort__core_uptr(c, gp + r->g_stack_hi.off, &hi))))
			break;
		ok = gp && gp % w == 0 && lo <= hi && (i > 0 || goid == 1);
		ids[i] = goid;
	}
	if (ok && !rc) {
		qsort(ids, (size_t)n, sizeof(*ids), u64cmp);
		for (uint64_t i = 1; ok && i < n; i++)
			ok = ids[i] != ids[i - 1];
	}
	gort__free(ids);
	if (rc)
		return rc == GORT_EFAULT ? 0 : rc;
	return ok;
}

int gort__find_allgs(struct gort_core *c, uint64_t *out)
{
	struct gort_view code;
	struct cands cs = {{0}, 0};
	uint64_t found[4], w = c->ptr_size;
	size_t nfound = 0;
	int rc;

	if (!c->rt.fn_allgadd)
		return gort__fail(GORT_ENOTFOUND,
				  "core: no runtime.allgs symbol and no runtime.allgadd function");
	if ((rc = gort__binary_read_addr(c->bin, c->rt.fn_allgadd - c->bias,
					 c->rt.fn_allgadd_size, &code)))
		return rc;
	if (c->arch == GORT_ARCH_AMD64)
		scan_amd64(code.data, code.size, c->rt.fn_allgadd, &cs);
	else if (c->arch == GORT_ARCH_ARM64)
		scan_arm64(code.data, code.size, c->rt.fn_allgadd, &cs);
	else if (c->arch == GORT_ARCH_386) {
		struct gort_moduledata md;
		if ((rc = gort_binary_moduledata(c->bin, &md)))
			return rc;
		scan_386(code.data, code.size, md.data + c->bias, md.end + c->bias, &cs);
	}
	for (size_t i = 0; i < cs.n && nfound < GORT_ARRAY_SIZE(found); i++)
		for (uint64_t k = 0; k < 3 && nfound < GORT_ARRAY_SIZE(found); k++) {
			uint64_t base = cs.a[i] - k * w;
			bool seen = false;
			for (size_t j = 0; j < nfound; j++)
				seen |= found[j] == base;
			if (seen)
				continue;
			if ((rc = plausible(c, base)) < 0)
				return rc;
			if (rc)
				found[nfound++] = base;
		}
	if (nfound == 1) {
		*out = found[0];
		return 0;
	}
	return gort__fail(GORT_ENOTFOUND,
			  "core: no runtime.allgs symbol, and runtime.allgadd's code names %zu plausible slices of goroutines",
			  nfound);
}
