/*
 * A running process read like a core: the same gort_core, with
 *  - memory read with process_vm_readv(2) (or, where that is refused, by
 *    pread(2) of /proc/PID/mem), 4 KiB at a time through a small cache
 *    that gort_goroutine_iter_new empties, bounded by the mappings of
 *    /proc/PID/maps;
 *  - the executable /proc/PID/exe (or the caller's), its load bias from
 *    AT_ENTRY in /proc/PID/auxv, checked against the process's copy of its
 *    first page as for a core;
 *  - threads from /proc/PID/task, each stopped with PTRACE_SEIZE and
 *    PTRACE_INTERRUPT (no signal is sent to the process), its registers
 *    read with PTRACE_GETREGSET NT_PRSTATUS (the layout of a core's
 *    NT_PRSTATUS pr_reg: linux/kernel/ptrace.c, arch regsets), then
 *    detached at once unless the caller asked for the threads to stay
 *    stopped until gort_core_close.
 * CLOCK_MONOTONIC read while every thread is stopped is the snapshot's
 * "now": Go's nanotime on Linux (runtime/sys_linux_*.s: vdso
 * clock_gettime(CLOCK_MONOTONIC)), so it compares with g.waitsince.
 */
#include "core.h"

#include <elf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
/* Blocks of the read cache: one page each, so that a block never spans
   two mappings. */
#define NPAGES 256u
/* Bounds against a hostile /proc (or a process spawning threads as fast
   as we stop them). */
#define MAX_THREADS 65536u
#define MAX_MAPS (1u << 20)
#define SNAPSHOT_ROUNDS 64

struct gort__live_thread {
	pid_t tid;
	int sig; /* a signal it stopped for instead, re-sent on detach */
	bool stopped;
};

/* A whole /proc file into a malloc'd, NUL-terminated buffer. */
static int slurp(int pid, const char *name, char **out, size_t *len)
{
	char path[64];
	size_t cap = 4096, n = 0;
	char *buf = gort__malloc(cap), *nb;
	int fd, err;

	*out = NULL;
	if (!buf)
		return gort__fail(GORT_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = errno;
		gort__free(buf);
		return gort__fail_errno(err, "live: %s", path);
	}
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			if (cap >= (64u << 20) || !(nb = gort__realloc(buf, cap * 2))) {
				close(fd);
				gort__free(buf);
				return gort__fail(GORT_ETOOLARGE, "live: %s is larger than 64 MiB", path);
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			close(fd);
			gort__free(buf);
			return gort__fail_errno(err, "live: reading %s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* AT_ENTRY from /proc/PID/auxv (the same records as a core's NT_AUXV). */
static int read_auxv(struct gort_core *c)
{
	char *buf;
	size_t len;
	struct gort_view v;
	int rc = slurp(c->pid, "auxv", &buf, &len);

	if (rc)
		return rc;
	v = gort__view_make(buf, len, "auxv");
	v.ptr_size = (uint8_t)c->ptr_size;
	v.big_endian = c->big_endian;
	gort__core_auxv(c, &v);
	gort__free(buf);
	return 0;
}

/* Readable mappings of /proc/PID/maps ("start-end perms ...") as segments
   whose bytes all come from the process. */
static int read_maps(struct gort_core *c)
{
	char *buf, *line, *save = NULL;
	size_t len, cap = 64;
	int rc = slurp(c->pid, "maps", &buf, &len);

	if (rc)
		return rc;
	if (!(c->segs = gort__calloc(cap, sizeof(*c->segs)))) {
		gort__free(buf);
		return gort__fail(GORT_ENOMEM, "out of memory");
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long lo, hi;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3 || hi <= lo) {
			rc = gort__fail(GORT_EFORMAT, "live: /proc/%d/maps: unexpected line \"%.80s\"",
					c->pid, line);
			break;
		}
		if (perms[0] != 'r')
			continue;
		if (c->nsegs == cap) {
			struct gort__seg *ns;
			if (cap >= MAX_MAPS || !(ns = gort__realloc(c->segs, 2 * cap * sizeof(*ns)))) {
				rc = gort__fail(GORT_ETOOLARGE, "live: more than %zu mappings", cap);
				break;
			}
			c->segs = ns;
			cap *= 2;
		}
		c->segs[c->nsegs++] = (struct gort__seg){lo, hi - lo, 0, hi - lo};
	}
	gort__free(buf);
	return rc;
}

/* One 4 KiB block of the process at `addr` (aligned) into p: the fetch
   function of the core's block cache. */
static int fetch(void *ctx, uint64_t addr, uint8_t *p, size_t size)
{
	struct gort_core *c = ctx;
	struct iovec local = {p, size}, remote = {(void *)(uintptr_t)addr, size};
	ssize_t r;
	int err;

	if (!c->live_no_vm) {
		r = process_vm_readv(c->pid, &local, 1, &remote, 1, 0);
		if (r == (ssize_t)size)
			return 0;
		err = r < 0 ? errno : EFAULT;
		if (err != ENOSYS && err != EPERM)
			goto fault;
		c->live_no_vm = true; /* e.g. a seccomp filter: try /proc */
	}
	if (c->live_memfd < 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", c->pid);
		if ((c->live_memfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return gort__fail_errno(errno, "live: %s", path);
	}
	do
		r = pread(c->live_memfd, p, size, (off_t)addr);
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)size)
		return 0;
	err = r < 0 ? errno : EFAULT;
fault:
	return gort__fail_addr(GORT_EFAULT, addr,
			       "live: process %d: cannot read 0x%llx: %s", c->pid,
			       (unsigned long long)addr, strerror(err));
}

int gort__live_read(struct gort_core *c, uint64_t addr, uint8_t *buf, size_t n,
		    size_t *got)
{
	if (!gort__core_seg(c, addr))
		return gort__fail_addr(GORT_EFAULT, addr,
				       "live: address 0x%llx is not mapped readable in process %d",
				       (unsigned long long)addr, c->pid);
	return gort__blocks_read(&c->blocks, addr, buf, n, got);
}

void gort__live_forget(struct gort_core *c)
{
	gort__blocks_forget(&c->blocks);
}

static int tidcmp(const void *a, const void *b)
{
	const struct gort__live_thread *x = a, *y = b;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static bool known(const struct gort_core *c, pid_t tid)
{
	for (size_t i = 0; i < c->live_nthreads; i++)
		if (c->live_threads[i].tid == tid)
			return true;
	return false;
}

/*
 * Stop one thread: seize (no signal), interrupt, wait for its stop. A
 * thread that exits meanwhile is dropped; a thread that stops for a
 * signal first is stopped all the same (the signal is re-sent on detach).
 */
static int stop_thread(struct gort_core *c, struct gort__live_thread *t)
{
	int st, err;

	if (ptrace(PTRACE_SEIZE, t->tid, NULL, NULL) != 0) {
		err = errno;
		if (err == ESRCH)
			return 0;
		return gort__fail_errno(err, "live: PTRACE_SEIZE of thread %d of process %d%s",
					(int)t->tid, c->pid,
					err == EPERM ? " (ptrace needs the same user and, under Yama, "
						       "ptrace_scope 0 or CAP_SYS_PTRACE)" : "");
	}
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) != 0) {
		err = errno;
		ptrace(PTRACE_DETACH, t->tid, NULL, NULL);
		return err == ESRCH ? 0 : gort__fail_errno(err, "live: PTRACE_INTERRUPT of thread %d", (int)t->tid);
	}
	while (waitpid(t->tid, &st, __WALL) < 0)
		if (errno != EINTR)
			return gort__fail_errno(errno, "live: waiting for thread %d to stop", (int)t->tid);
	if (!WIFSTOPPED(st))
		return 0; /* it exited */
	t->stopped = true;
	/* A signal-delivery-stop (no event in the high bits) holds a signal
	   the thread must still get. */
	if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP)
		t->sig = WSTOPSIG(st);
	return 0;
}

/*
 * Stop every thread of the process. Threads created while we stop the
 * others show up in the next listing of /proc/PID/task: list again until a
 * round finds no new one (a stopped thread cannot create threads).
 */
static int stop_all(struct gort_core *c)
{
	char path[64];
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", c->pid);
	for (int round = 0; round < SNAPSHOT_ROUNDS; round++) {
		DIR *d = opendir(path);
		struct dirent *e;
		bool added = false;

		if (!d)
			return gort__fail_errno(errno, "live: %s", path);
		while (!rc && (e = readdir(d))) {
			char *end;
			long tid = strtol(e->d_name, &end, 10);
			struct gort__live_thread *t;
			if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || tid <= 0 ||
			    known(c, (pid_t)tid))
				continue;
			if (c->live_nthreads >= MAX_THREADS) {
				rc = gort__fail(GORT_ETOOLARGE, "live: more than %u threads", MAX_THREADS);
				break;
			}
			if (c->live_nthreads == c->live_cap) {
				size_t cap = c->live_cap * 2 + 16;
				t = gort__realloc(c->live_threads, cap * sizeof(*t));
				if (!t) {
					rc = gort__fail(GORT_ENOMEM, "out of memory");
					break;
				}
				c->live_threads = t;
				c->live_cap = cap;
			}
			t = &c->live_threads[c->live_nthreads++];
			*t = (struct gort__live_thread){(pid_t)tid, 0, false};
			added = true;
			rc = stop_thread(c, t);
		}
		closedir(d);
		if (rc || !added)
			return rc;
	}
	return gort__fail(GORT_EIO, "live: process %d keeps creating threads", c->pid);
}

/* Registers of every stopped thread, in the layout of NT_PRSTATUS pr_reg. */
static int read_registers(struct gort_core *c)
{
	uint64_t regs[64];

	qsort(c->live_threads, c->live_nthreads, sizeof(*c->live_threads), tidcmp);
	if (!(c->threads = gort__calloc(c->live_nthreads + 1, sizeof(*c->threads))))
		return gort__fail(GORT_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->live_nthreads; i++) {
		const struct gort__live_thread *t = &c->live_threads[i];
		struct iovec io = {regs, sizeof(regs)};
		struct gort_view v;
		int rc;

		if (!t->stopped)
			continue;
		if (ptrace(PTRACE_GETREGSET, t->tid, (void *)(uintptr_t)NT_PRSTATUS, &io) != 0)
			return gort__fail_errno(errno, "live: PTRACE_GETREGSET of thread %d",
						(int)t->tid);
		v = gort__view_make(regs, io.iov_len, "registers");
		v.ptr_size = (uint8_t)c->ptr_size;
		v.big_endian = c->big_endian;
		if ((rc = gort__core_regs(c, &v, &c->threads[c->nthreads])))
			return rc;
		c->threads[c->nthreads++].tid = t->tid;
	}
	return 0;
}

void gort__live_detach(struct gort_core *c)
{
	for (size_t i = 0; i < c->live_nthreads; i++) {
		struct gort__live_thread *t = &c->live_threads[i];
		if (t->stopped)
			ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(uintptr_t)t->sig);
		t->stopped = false;
	}
}

void gort__live_close(struct gort_core *c)
{
	gort__live_detach(c);
	if (c->live_memfd >= 0)
		close(c->live_memfd);
	gort__free(c->live_threads);
}

/* The process's copy of the executable's first page against the file. */
static int check_exe(struct gort_core *c, bool allow_mismatch)
{
	const struct gort_elf *e = &c->bin->elf;
	uint64_t base = UINT64_MAX, len = PAGE;
	uint8_t page[PAGE];

	if (!c->entry)
		return gort__fail(GORT_EFORMAT, "live: no AT_ENTRY in /proc/%d/auxv", c->pid);
	c->bias = c->entry - e->entry;
	if (e->type == ET_EXEC && c->bias && !allow_mismatch)
		return gort__fail_addr(GORT_EFORMAT, c->entry,
				       "live: the executable does not match process %d (entry point 0x%llx, the process's 0x%llx)",
				       c->pid, (unsigned long long)e->entry, (unsigned long long)c->entry);
	if (e->type == ET_EXEC)
		c->bias = 0;
	for (size_t i = 0; i < e->nsegments; i++)
		if (e->segments[i].type == PT_LOAD && e->segments[i].offset == 0 &&
		    e->segments[i].vaddr < base)
			base = e->segments[i].vaddr;
	if (len > e->file.size)
		len = e->file.size;
	if (base == UINT64_MAX || allow_mismatch)
		return 0;
	if (gort__core_read(c, base + c->bias, page, (size_t)len) ||
	    memcmp(page, e->file.data, (size_t)len))
		return gort__fail_addr(GORT_EFORMAT, base + c->bias,
				       "live: the executable does not match process %d (its first page differs from the process's at 0x%llx)",
				       c->pid, (unsigned long long)(base + c->bias));
	return 0;
}

int gort__live_open(struct gort_core *c, const char *exe_path,
		    const struct gort_core_opts *opts)
{
	GORT_OPTS(gort_open_opts, o,
		  .max_decompressed = GORT_OPTS_HAS(opts, max_decompressed)
					      ? opts->max_decompressed : 0);
	char exe[64];
	struct timespec ts;
	int rc;

	c->live_memfd = -1;
	if ((rc = gort__blocks_init(&c->blocks, NPAGES, PAGE, fetch, c)))
		return rc;
	if (!exe_path) {
		snprintf(exe, sizeof(exe), "/proc/%d/exe", c->pid);
		exe_path = exe;
	}
	if ((rc = gort_binary_open(&c->bin, exe_path, &o)))
		return rc;
	c->arch = gort_binary_arch(c->bin);
	c->ptr_size = c->bin->elf.file.ptr_size;
	c->big_endian = c->bin->elf.file.big_endian;
	if (gort_binary_format(c->bin) != GORT_FORMAT_ELF || !gort__core_regmap_ok(c->arch))
		return gort__fail(GORT_EUNSUPPORTED, "live: %s is not an ELF executable of a supported architecture",
				  exe_path);
	if ((rc = read_auxv(c)) || (rc = read_maps(c)) ||
	    (rc = check_exe(c, GORT_OPTS_HAS(opts, allow_mismatch) && opts->allow_mismatch)) ||
	    (rc = gort_pclntab_open(&c->tab, c->bin)))
		return rc;
	/* Threads last, so that they stay stopped only for the snapshot. */
	if ((rc = stop_all(c)))
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	rc = read_registers(c);
	if (rc || !(GORT_OPTS_HAS(opts, keep_stopped) && opts->keep_stopped))
		gort__live_detach(c);
	if (!rc && c->nthreads == 0)
		rc = gort__fail(GORT_ENOTFOUND, "live: process %d has no thread left", c->pid);
	return rc;
}
