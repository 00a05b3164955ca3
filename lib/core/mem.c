/*
 * The core's ELF structure: PT_LOAD segments (memory), PT_NOTE notes
 * (NT_PRSTATUS threads, NT_AUXV, NT_FILE), and reads of the process's
 * memory by address: from the core where it holds the bytes, else from the
 * executable's file-backed segments (the kernel does not dump read-only
 * file mappings), shifted by the load bias. The core's bytes are read with
 * pread through a bounded block cache when they are in a file, so that
 * resident memory does not grow with the pages read (docs/DESIGN.md,
 * Cores: Memory).
 *
 * Note layouts: linux/include/uapi/linux/elfcore.h (elf_prstatus),
 * arch/x86/include/asm/user_64.h, user_32.h, arch/arm64 user_pt_regs,
 * fs/binfmt_elf.c (fill_files_note: NT_FILE).
 */
#include "core.h"

#include "../pclntab/pclntab.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif

/* The block cache of a core file: 4 MiB in blocks of 16 KiB, which took
   fewer reads (and less time) than 4 KiB blocks or a mapping when listing
   100,000 goroutines (docs/DESIGN.md). */
#define CACHE_BLOCKS 256u
#define CACHE_BLOCK 16384u
/* Note bytes between two progress reports. */
#define NOTES_PROGRESS_EVERY (1u << 20)

static int segcmp(const void *a, const void *b)
{
	const struct gort__seg *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Where pr_reg starts in elf_prstatus, and the register slots we use. */
struct regmap {
	unsigned reg_off, nregs, pc, sp, fp, lr; /* lr: UINT32_MAX = none */
};

static const struct regmap *regmap_of(int arch)
{
	/* amd64: user_regs_struct (r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax
	   rcx rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base ...). */
	static const struct regmap amd64 = {112, 27, 16, 19, 4, UINT32_MAX};
	/* arm64: user_pt_regs (x0..x30, sp, pc, pstate). */
	static const struct regmap arm64 = {112, 34, 32, 31, 29, 30};
	/* 386: user_regs_struct (ebx ecx edx esi edi ebp eax ds es fs gs
	   orig_eax eip cs eflags esp ss), after a 72-byte 32-bit prstatus head. */
	static const struct regmap i386 = {72, 17, 12, 15, 5, UINT32_MAX};

	switch (arch) {
	case GORT_ARCH_AMD64: return &amd64;
	case GORT_ARCH_ARM64: return &arm64;
	case GORT_ARCH_386: return &i386;
	default: return NULL;
	}
}

bool gort__core_regmap_ok(int arch)
{
	return regmap_of(arch) != NULL;
}

/* PC, SP, FP and LR from registers laid out as NT_PRSTATUS's pr_reg (also
   what PTRACE_GETREGSET NT_PRSTATUS gives). */
int gort__core_regs(const struct gort_core *c, const struct gort_view *r,
		    struct gort_thread *t)
{
	const struct regmap *rm = regmap_of(c->arch);
	unsigned w = c->ptr_size;
	uint64_t v;

	if (!gort__view_has(r, 0, (uint64_t)rm->nregs * w))
		return gort__fail_at(GORT_ETRUNCATED, r->file_off,
				     "core: %llu bytes of registers, %u expected",
				     (unsigned long long)r->size, rm->nregs * w);
	gort__view_uptr(r, (uint64_t)rm->pc * w, &t->pc);
	gort__view_uptr(r, (uint64_t)rm->sp * w, &t->sp);
	gort__view_uptr(r, (uint64_t)rm->fp * w, &t->fp);
	t->lr = 0;
	if (rm->lr != UINT32_MAX && !gort__view_uptr(r, (uint64_t)rm->lr * w, &v))
		t->lr = v;
	return 0;
}

static int add_thread(struct gort_core *c, const struct gort_view *d)
{
	const struct regmap *rm = regmap_of(c->arch);
	unsigned w = c->ptr_size;
	struct gort_thread t = {0};
	struct gort_view regs;
	uint32_t pid;
	struct gort_thread *nt;
	int rc;

	/* pr_pid follows siginfo (12), pr_cursig (2+2 pad), two sigsets. */
	if (gort__view_u32(d, 12 + 4 + 2 * (uint64_t)w, &pid) ||
	    !gort__view_has(d, rm->reg_off, (uint64_t)rm->nregs * w))
		return gort__fail_at(GORT_ETRUNCATED, d->file_off,
				     "core: NT_PRSTATUS note of %llu bytes is too short",
				     (unsigned long long)d->size);
	gort__view_sub(d, rm->reg_off, (uint64_t)rm->nregs * w, &regs);
	if ((rc = gort__core_regs(c, &regs, &t)))
		return rc;
	t.tid = pid;
	nt = gort__realloc(c->threads, (c->nthreads + 1) * sizeof(*nt));
	if (!nt)
		return gort__fail(GORT_ENOMEM, "core: %zu threads", c->nthreads + 1);
	c->threads = nt;
	c->threads[c->nthreads++] = t;
	return 0;
}

void gort__core_auxv(struct gort_core *c, const struct gort_view *d)
{
	uint64_t i, k, v, w = c->ptr_size;

	for (i = 0; i + 2 * w <= d->size; i += 2 * w) {
		gort__view_uptr(d, i, &k);
		gort__view_uptr(d, i + w, &v);
		if (k == AT_NULL)
			break;
		if (k == AT_ENTRY)
			c->entry = v;
	}
}

/*
 * NT_FILE: count, page size, count x (start, end, page offset), then count
 * NUL-terminated names. Keep the name of the mapping holding AT_ENTRY.
 */
static int read_files(struct gort_core *c, const struct gort_view *d)
{
	struct gort_cursor cur = gort__cursor(d, 0);
	uint64_t n = gort__cur_uptr(&cur), i, names, pos, hit = UINT64_MAX;

	gort__cur_uptr(&cur);
	if (cur.err || n > d->size / (3 * (uint64_t)c->ptr_size))
		return gort__fail_at(GORT_EFORMAT, d->file_off,
				     "core: NT_FILE note claims %llu mappings in %llu bytes",
				     (unsigned long long)n, (unsigned long long)d->size);
	for (i = 0; i < n; i++) {
		uint64_t start = gort__cur_uptr(&cur), end = gort__cur_uptr(&cur);
		gort__cur_uptr(&cur);
		if (hit == UINT64_MAX && c->entry >= start && c->entry < end)
			hit = i;
	}
	names = cur.pos;
	if (cur.err || hit == UINT64_MAX)
		return 0;
	for (i = 0, pos = names; pos < d->size; i++) {
		struct gort_str s;
		if (gort__cstring(d, pos, &s))
			return gort__fail_at(GORT_EFORMAT, d->file_off + pos,
					     "core: unterminated name in NT_FILE");
		if (i == hit) {
			c->exe_path = gort__strndup(s.ptr, s.len);
			return c->exe_path ? 0 : GORT_ENOMEM;
		}
		pos += s.len + 1;
	}
	return 0;
}

/* gort_core_opts.progress, if the caller gave one. */
static void progress(struct gort_core *c, int step, uint64_t done, uint64_t total)
{
	const struct gort_core_opts *o = c->opts;

	if (o && GORT_OPTS_HAS(o, progress_arg) && o->progress)
		o->progress(step, done, total, o->progress_arg);
}

/* Notes of one PT_NOTE; *done counts note bytes over all of them (of
   `total`), for progress. */
static int read_notes(struct gort_core *c, const struct gort_elf_segment *ph,
		      uint64_t *done, uint64_t total)
{
	struct gort_view notes;
	uint64_t pos = 0, shown = 0;
	int rc;

	if ((rc = gort__view_sub(&c->src.view, ph->offset, ph->filesz, &notes)))
		return gort__fail_at(GORT_ETRUNCATED, ph->offset,
				     "core: PT_NOTE runs past the end of the file");
	notes.what = "core notes";
	/* Words in notes (NT_FILE, NT_AUXV) are the core's: 4 bytes on 386. */
	notes.ptr_size = (uint8_t)c->ptr_size;
	notes.big_endian = c->big_endian;
	while (pos + 12 <= notes.size) {
		uint32_t namesz, descsz, type;
		struct gort_view desc;
		gort__view_u32(&notes, pos, &namesz);
		gort__view_u32(&notes, pos + 4, &descsz);
		gort__view_u32(&notes, pos + 8, &type);
		pos += 12 + (((uint64_t)namesz + 3) & ~3ull);
		if (gort__view_sub(&notes, pos, descsz, &desc))
			return gort__fail_at(GORT_ETRUNCATED, notes.file_off + pos,
					     "core: note of type 0x%x runs past its segment", type);
		pos += ((uint64_t)descsz + 3) & ~3ull;
		if (type == NT_PRSTATUS && (rc = add_thread(c, &desc)))
			return rc;
		if (type == NT_AUXV)
			gort__core_auxv(c, &desc);
		if (type == NT_FILE && (rc = read_files(c, &desc)))
			return rc;
		if (pos - shown >= NOTES_PROGRESS_EVERY) {
			shown = pos;
			progress(c, GORT_CORE_STEP_NOTES, *done + pos, total);
		}
	}
	*done += notes.size;
	return 0;
}

int gort__core_parse(struct gort_core *c)
{
	uint64_t notes = 0, done = 0;
	size_t i;
	int rc;

	if (c->elf.type != ET_CORE)
		return gort__fail(GORT_EFORMAT, "core: ELF type %u is not ET_CORE",
				  c->elf.type);
	c->arch = gort__elf_arch(&c->elf);
	if (!regmap_of(c->arch))
		return gort__fail(GORT_EUNSUPPORTED, "core: architecture %s not supported",
				  gort_arch_name(c->arch));
	c->ptr_size = c->elf.file.ptr_size;
	c->big_endian = c->elf.file.big_endian;
	c->segs = gort__calloc(c->elf.nsegments + 1, sizeof(*c->segs));
	if (!c->segs)
		return gort__fail(GORT_ENOMEM, "core: %zu segments", c->elf.nsegments);
	for (i = 0; i < c->elf.nsegments; i++)
		if (c->elf.segments[i].type == PT_NOTE)
			notes += c->elf.segments[i].filesz;
	/* AUXV first (NT_FILE needs AT_ENTRY): notes are read in one pass,
	   and the kernel writes NT_AUXV before NT_FILE. */
	for (i = 0; i < c->elf.nsegments; i++) {
		const struct gort_elf_segment *ph = &c->elf.segments[i];
		if (ph->type == PT_NOTE && (rc = read_notes(c, ph, &done, notes)))
			return rc;
		if (ph->type != PT_LOAD || ph->memsz == 0)
			continue;
		if (ph->filesz > ph->memsz ||
		    !gort__view_has(&c->src.view, ph->offset, ph->filesz))
			return gort__fail_at(GORT_ETRUNCATED, ph->offset,
					     "core: segment at 0x%llx (%llu bytes) is cut off by the end of the file",
					     (unsigned long long)ph->vaddr,
					     (unsigned long long)ph->filesz);
		c->segs[c->nsegs++] = (struct gort__seg){ph->vaddr, ph->memsz,
							 ph->offset, ph->filesz};
	}
	progress(c, GORT_CORE_STEP_NOTES, notes, notes);
	qsort(c->segs, c->nsegs, sizeof(*c->segs), segcmp);
	if (c->nthreads == 0)
		return gort__fail(GORT_EFORMAT, "core: no NT_PRSTATUS note (no threads)");
	return 0;
}

/* A block of the core file at `off` (the cache's fetch function). Bytes
   past the end of the file (the last block) read as zeros: no segment
   holds them. */
static int fetch(void *ctx, uint64_t off, uint8_t *buf, size_t size)
{
	struct gort_core *c = ctx;
	size_t n = 0;

	while (n < size) {
		ssize_t r = pread(c->src.fd, buf + n, size - n, (off_t)(off + n));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return gort__fail_errno(errno, "core: reading %zu bytes at offset 0x%llx",
						size, (unsigned long long)off);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n < size && off + n < c->src.view.size)
		return gort__fail_at(GORT_ETRUNCATED, off + n,
				     "core: the file ends at offset 0x%llx, before its %llu bytes (changed since it was opened?)",
				     (unsigned long long)(off + n),
				     (unsigned long long)c->src.view.size);
	memset(buf + n, 0, size - n);
	return 0;
}

/*
 * Read the core's bytes from its file from now on (they are in a file
 * when the source kept its descriptor): the cache, then the mapping's
 * pages touched so far (headers, notes) dropped from the resident set.
 */
int gort__core_cache(struct gort_core *c)
{
	int rc;

	if (!c->src.has_fd)
		return 0; /* a caller's buffer or anonymous memory: read in place */
	if ((rc = gort__blocks_init(&c->blocks, CACHE_BLOCKS, CACHE_BLOCK, fetch, c)))
		return rc;
	gort__source_release(&c->src, 0, c->src.view.size);
	return 0;
}

/* The segment holding addr, by binary search; NULL if none. */
const struct gort__seg *gort__core_seg(const struct gort_core *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gort__seg *s = &c->segs[mid];
		if (addr < s->vaddr)
			hi = mid;
		else if (addr - s->vaddr >= s->memsz)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/*
 * Up to n bytes at addr from one place: the core's segment when it holds
 * them in the file, else the executable. *got receives how many.
 */
static int read_some(struct gort_core *c, uint64_t addr, uint8_t *buf,
		     size_t n, size_t *got)
{
	const struct gort__seg *s;
	struct gort_view v;

	if (c->pid)
		return gort__live_read(c, addr, buf, n, got);
	s = gort__core_seg(c, addr);
	if (s && addr - s->vaddr < s->filesz) {
		uint64_t in = s->filesz - (addr - s->vaddr), off = s->offset + (addr - s->vaddr);
		size_t want = n < in ? n : (size_t)in;
		if (c->blocks.nslots)
			return gort__blocks_read(&c->blocks, off, buf, want, got);
		*got = want;
		memcpy(buf, c->src.view.data + off, want);
		return 0;
	}
	if (c->bin && !gort__binary_addr_span(c->bin, addr - c->bias, &v) && v.size) {
		*got = n < v.size ? n : (size_t)v.size;
		memcpy(buf, v.data, *got);
		return 0;
	}
	return gort__fail_addr(GORT_EFAULT, addr,
			       "core: address 0x%llx is in neither the core nor the executable%s",
			       (unsigned long long)addr,
			       s ? " (a segment the kernel did not dump)" : "");
}

int gort__core_read(struct gort_core *c, uint64_t addr, void *buf, size_t n)
{
	uint8_t *p = buf;

	if (n && addr + n - 1 < addr)
		return gort__fail_addr(GORT_EFAULT, addr, "core: read at 0x%llx wraps around",
				       (unsigned long long)addr);
	while (n) {
		size_t got = 0;
		int rc = read_some(c, addr, p, n, &got);
		if (rc)
			return rc;
		p += got;
		addr += got;
		n -= got;
	}
	return 0;
}

int gort__core_uint(struct gort_core *c, uint64_t addr, uint64_t size,
		    uint64_t *out)
{
	uint8_t b[8];
	int rc;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return gort__fail(GORT_EINVAL, "core: %llu-byte integer",
				  (unsigned long long)size);
	if ((rc = gort__core_read(c, addr, b, size)))
		return rc;
	switch (size) {
	case 1: *out = b[0]; break;
	case 2: *out = gort__ld16(b, c->big_endian); break;
	case 4: *out = gort__ld32(b, c->big_endian); break;
	default: *out = gort__ld64(b, c->big_endian); break;
	}
	return 0;
}

int gort__core_uptr(struct gort_core *c, uint64_t addr, uint64_t *out)
{
	return gort__core_uint(c, addr, c->ptr_size, out);
}

/*
 * The kernel dumps the first page of every ELF file mapping (for build
 * IDs: fs/binfmt_elf.c vma_dump_size). The executable's first page is
 * mapped at the lowest PT_LOAD address plus the bias; compare it.
 */
int gort__core_check_exe(struct gort_core *c, bool allow_mismatch)
{
	const struct gort_elf *e = &c->bin->elf;
	uint64_t base = UINT64_MAX, len;
	const struct gort__seg *s;
	size_t i;

	if (c->entry)
		c->bias = c->entry - e->entry;
	/* A fixed-address executable loads where it was linked. */
	if (e->type == ET_EXEC && c->bias && !allow_mismatch)
		return gort__fail_addr(GORT_EFORMAT, c->entry,
				       "core: the executable does not match the core (entry point 0x%llx, the core's 0x%llx)",
				       (unsigned long long)e->entry, (unsigned long long)c->entry);
	if (e->type == ET_EXEC)
		c->bias = 0;
	for (i = 0; i < e->nsegments; i++)
		if (e->segments[i].type == PT_LOAD && e->segments[i].offset == 0 &&
		    e->segments[i].vaddr < base)
			base = e->segments[i].vaddr;
	if (base == UINT64_MAX || !(s = gort__core_seg(c, base + c->bias)) ||
	    s->vaddr != base + c->bias || s->filesz == 0)
		return 0; /* nothing dumped to compare with */
	len = s->filesz < 4096 ? s->filesz : 4096;
	if (len > e->file.size)
		len = e->file.size;
	if (memcmp(c->src.view.data + s->offset, e->file.data, (size_t)len) == 0 ||
	    allow_mismatch)
		return 0;
	return gort__fail_addr(GORT_EFORMAT, base + c->bias,
			       "core: the executable does not match the core (its first page differs from the core's copy at 0x%llx)",
			       (unsigned long long)(base + c->bias));
}
