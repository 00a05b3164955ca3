/*
 * Cores: a fixture core (Go 1.27, amd64) read through the public API, and
 * damaged copies of it (truncated at every structure boundary, notes
 * removed or corrupted, another executable), which must fail cleanly;
 * the same fixture program running, opened live.
 */

extern char **environ;
#include "testutil.h"
#include "core/core.h"
#include "io/source.h"

#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR "go1.27/amd64/default/"

static const char *core_path(void)
{
	static char p[4096];
	snprintf(p, sizeof(p), "%s", tu_fixture(DIR "core.zst"));
	return p;
}

static const char *exe_path(void)
{
	static char p[4096];
	snprintf(p, sizeof(p), "%s", tu_fixture(DIR "prog"));
	return p;
}

/* The decompressed core, as a malloc'd copy. */
static uint8_t *core_bytes(size_t *n)
{
	struct gort_source s;
	uint8_t *b;

	assert_int_equal(gort__source_open_path(&s, core_path(), NULL), 0);
	*n = (size_t)s.view.size;
	b = malloc(*n);
	assert_non_null(b);
	memcpy(b, s.view.data, *n);
	gort__source_close(&s);
	return b;
}

/* Open, and when that works, read every goroutine and stack: errors are
   fine, crashes and leaks (under the sanitizers) are not. */
static int exercise_core(gort_core *c, int rc);

static int exercise(const char *core, const char *exe)
{
	gort_core *c;
	int rc = gort_core_open(&c, core, exe, NULL);

	return exercise_core(c, rc);
}

static int exercise_mem(const void *b, size_t n, const char *exe)
{
	gort_core *c;
	int rc = gort_core_open_memory(&c, b, n, exe, NULL);

	return exercise_core(c, rc);
}

static int exercise_core(gort_core *c, int rc)
{
	gort_goroutine_iter *it;
	const struct gort_goroutine *g;
	int n = 0;

	if (rc) {
		assert_true(rc < 0);
		assert_int_equal(gort_last_error()->code, rc);
		assert_true(gort_last_error()->message[0] != 0);
		return rc;
	}
	if (gort_goroutine_iter_new(&it, c) == 0) {
		while ((rc = gort_goroutine_iter_next(it, &g)) != GORT_EEND && n++ < 100000) {
			gort_stack_iter *st;
			const struct gort_stack_frame *f;
			if (rc || gort_stack_iter_new(&st, c, g))
				continue;
			while (gort_stack_iter_next(st, &f) == 0)
				;
			gort_stack_iter_free(st);
		}
		gort_goroutine_iter_free(it);
	}
	gort_core_close(c);
	return 0;
}

static void test_fixture(void **state)
{
	gort_core *c;
	gort_goroutine_iter *it;
	const struct gort_goroutine *g;
	struct gort_thread t;
	uint8_t buf[16];
	size_t ncrash = 0, n = 0, labelled = 0;
	char *crash, *p;
	size_t crash_len;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	assert_int_equal(gort_core_open(&c, core_path(), exe_path(), NULL), 0);
	assert_int_equal(gort_core_arch(c), GORT_ARCH_AMD64);
	assert_int_equal(gort_core_load_bias(c), 0);
	assert_true(gort_core_thread_count(c) > 1);
	assert_int_equal(gort_core_thread_at(c, 0, &t), 0);
	assert_true(t.tid > 0 && t.pc != 0 && t.sp != 0);
	assert_int_equal(gort_core_thread_at(c, 1000, &t), GORT_EINVAL);
	/* Text is not in the core: it comes from the executable (ELF magic
	   at its first PT_LOAD is in the core, 0x401000 is not). */
	assert_int_equal(gort_core_read(c, 0x400000, buf, 4), 0);
	assert_memory_equal(buf, "\177ELF", 4);
	assert_int_equal(gort_core_read(c, 0x401000, buf, 16), 0);
	/* Unmapped memory is an error naming the address. */
	assert_int_equal(gort_core_read(c, 0x1000, buf, 8), GORT_EFAULT);
	assert_true(gort_last_error()->address == 0x1000);
	assert_int_equal(gort_core_read(c, UINT64_MAX - 2, buf, 8), GORT_EFAULT);

	crash = tu_read_file(tu_fixture(DIR "crash.txt"), &crash_len);
	assert_non_null(crash);
	for (p = crash; (p = strstr(p, "\ngoroutine ")) != NULL; p++)
		ncrash++;
	free(crash);
	assert_int_equal(gort_goroutine_iter_new(&it, c), 0);
	while (gort_goroutine_iter_next(it, &g) == 0) {
		n++;
		assert_true(g->stack_lo < g->stack_hi);
		if (g->id == 1)
			assert_string_equal(g->state, "running");
		if (g->nlabels) {
			labelled++;
			assert_int_equal(g->nlabels, 2);
			assert_int_equal(g->labels[0].key.len, 7);
			assert_memory_equal(g->labels[0].key.ptr, "fixture", 7);
		}
	}
	gort_goroutine_iter_free(it);
	assert_int_equal(n, ncrash);
	assert_int_equal(labelled, 2);
	gort_core_close(c);
}

/* Truncations at and around every program header and note boundary. */
static void test_truncated(void **state)
{
	size_t n, i, cuts[64], ncut = 0;
	uint8_t *b;
	const Elf64_Ehdr *eh;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	b = core_bytes(&n);
	eh = (const Elf64_Ehdr *)b;
	cuts[ncut++] = 0;
	cuts[ncut++] = 4;
	cuts[ncut++] = sizeof(*eh) - 1;
	cuts[ncut++] = eh->e_phoff + eh->e_phentsize * 2 - 3;
	for (i = 0; i < eh->e_phnum && ncut + 3 < GORT_ARRAY_SIZE(cuts); i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(b + eh->e_phoff + i * eh->e_phentsize);
		if (ph->p_type == PT_NOTE) {
			cuts[ncut++] = ph->p_offset + 20;
			cuts[ncut++] = ph->p_offset + ph->p_filesz / 2;
		} else if (ph->p_filesz) {
			cuts[ncut++] = ph->p_offset + ph->p_filesz / 2;
		}
	}
	for (i = 0; i < ncut; i++)
		assert_true(exercise_mem(b, cuts[i] < n ? cuts[i] : n, exe_path()) < 0);
	free(b);
}

static Elf64_Phdr *phdr(uint8_t *b, size_t i)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	return (Elf64_Phdr *)(b + eh->e_phoff + i * eh->e_phentsize);
}

/* The stack of the last goroutine of the core in b. */
static uint64_t some_stack(const uint8_t *b, size_t n)
{
	gort_core *c;
	gort_goroutine_iter *it;
	const struct gort_goroutine *g;
	uint64_t lo = 0;

	assert_int_equal(gort_core_open_memory(&c, b, n, exe_path(), NULL), 0);
	assert_int_equal(gort_goroutine_iter_new(&it, c), 0);
	while (gort_goroutine_iter_next(it, &g) == 0)
		lo = g->stack_lo;
	gort_goroutine_iter_free(it);
	gort_core_close(c);
	return lo;
}

static void test_bad_notes(void **state)
{
	size_t n, i;
	uint8_t *b;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	b = core_bytes(&n);
	/* No notes: no threads. */
	for (i = 0; i < ((Elf64_Ehdr *)b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_NOTE)
			break;
	Elf64_Phdr *note = phdr(b, i), saved = *note;
	note->p_type = PT_NULL;
	assert_int_equal(exercise_mem(b, n, exe_path()), GORT_EFORMAT);
	assert_non_null(strstr(gort_last_error()->message, "NT_PRSTATUS"));
	/* A note whose size runs past its segment. */
	*note = saved;
	uint32_t *descsz = (uint32_t *)(b + note->p_offset + 4);
	uint32_t saved_descsz = *descsz;
	*descsz = 0x7fffffff;
	assert_int_equal(exercise_mem(b, n, exe_path()), GORT_ETRUNCATED);
	/* A PT_NOTE pointing past the end of the file. */
	*descsz = 0;
	note->p_offset = n + 100;
	assert_int_equal(exercise_mem(b, n, exe_path()), GORT_ETRUNCATED);
	/* Random damage in the notes must never crash. */
	*note = saved;
	*descsz = saved_descsz;
	srand(1);
	for (i = 0; i < 60; i++) {
		uint8_t keep[8];
		size_t at[8];
		for (int k = 0; k < 8; k++) {
			at[k] = note->p_offset + (size_t)rand() % note->p_filesz;
			keep[k] = b[at[k]];
			b[at[k]] = (uint8_t)rand();
		}
		exercise_mem(b, n, exe_path());
		for (int k = 7; k >= 0; k--)
			b[at[k]] = keep[k];
	}
	/* Damaged goroutine memory: the segment holding the goroutines'
	   stacks (and their g's) overwritten with noise. */
	size_t big = 0;
	uint64_t lo = some_stack(b, n);
	for (i = 0; i < ((Elf64_Ehdr *)b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_LOAD && phdr(b, i)->p_vaddr <= lo &&
		    lo - phdr(b, i)->p_vaddr < phdr(b, i)->p_filesz)
			big = i;
	assert_true(big != 0);
	for (i = 0; i < 10; i++) {
		const Elf64_Phdr *h = phdr(b, big);
		for (int k = 0; k < 2000; k++)
			b[h->p_offset + (size_t)rand() % h->p_filesz] = (uint8_t)rand();
		exercise_mem(b, n, exe_path());
	}
	free(b);
}

static void test_wrong_inputs(void **state)
{
	char other[4096];
	gort_core *c;
	(void)state;

	snprintf(other, sizeof(other), "%s", tu_fixture("go1.26/amd64/default/prog"));

	TU_REQUIRE_FIXTURE(core_path());
	/* An executable is not a core. */
	assert_int_equal(gort_core_open(&c, exe_path(), exe_path(), NULL), GORT_EFORMAT);
	assert_null(c);
	/* Text is not ELF. */
	assert_int_equal(gort_core_open(&c, tu_fixture(DIR "crash.txt"), exe_path(), NULL),
			 GORT_EUNKNOWNFILE);
	assert_int_equal(gort_core_open(&c, "/nonexistent/core", exe_path(), NULL), GORT_EIO);
	assert_int_equal(gort_core_open(NULL, core_path(), NULL, NULL), GORT_EINVAL);
	if (tu_exists(other)) {
		/* Another build of the program: refused, unless asked. */
		GORT_OPTS(gort_core_opts, o, .allow_mismatch = 1);
		assert_int_equal(gort_core_open(&c, core_path(), other, NULL), GORT_EFORMAT);
		assert_non_null(strstr(gort_last_error()->message, "does not match"));
		assert_int_equal(gort_core_open(&c, core_path(), other, &o), 0);
		assert_int_equal(exercise(core_path(), other), GORT_EFORMAT);
		gort_core_close(c);
	}
}

/* runtime.allgs as found from runtime.allgadd's code (what stripped
   executables need) equals the symbol, in every default fixture core. */
static void test_allgs_from_code(void **state)
{
	glob_t gl;
	size_t i, n = 0;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	assert_int_equal(glob(tu_fixture("go1.*/*/default/core.zst"), 0, NULL, &gl), 0);
	for (i = 0; i < gl.gl_pathc; i++) {
		char exe[4096];
		gort_core *c;
		uint64_t a = 0;
		snprintf(exe, sizeof(exe), "%.*s/prog",
			 (int)(strrchr(gl.gl_pathv[i], '/') - gl.gl_pathv[i]), gl.gl_pathv[i]);
		assert_int_equal(gort_core_open(&c, gl.gl_pathv[i], exe, NULL), 0);
		assert_int_equal(gort__rt_load(c), 0);
		if (gort__find_allgs(c, &a))
			print_message("%s: %s\n", gl.gl_pathv[i], gort_last_error()->message);
		assert_true(c->rt.allgs != 0);
		assert_true(a == c->rt.allgs);
		gort_core_close(c);
		n++;
	}
	globfree(&gl);
	assert_true(n >= 2);
}

/* Thread states of a process, from /proc/PID/task/N/stat: how many are
   in a ptrace stop ('t'). */
static int traced_threads(pid_t pid, int *all)
{
	char pat[64];
	glob_t gl;
	int n = 0;

	snprintf(pat, sizeof(pat), "/proc/%d/task/*/stat", (int)pid);
	*all = 0;
	if (glob(pat, 0, NULL, &gl))
		return 0;
	for (size_t i = 0; i < gl.gl_pathc; i++) {
		char buf[512], *p;
		FILE *f = fopen(gl.gl_pathv[i], "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ') {
			(*all)++;
			n += p[2] == 't';
		}
		fclose(f);
	}
	globfree(&gl);
	return n;
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The fixture program running `crash 1h` (goroutines parked, main asleep):
 * opened live, its goroutines and stacks read, its threads stopped only
 * with keep_stopped, its clock read at the snapshot; wrong pids and
 * executables refused.
 */
/* The process test_live runs: killed by the teardown even when an
   assertion ends the test early (else it would outlive the test by an hour,
   holding ctest's output pipe). */
static pid_t live_child;

static int kill_live_child(void **state)
{
	int st;

	(void)state;
	if (live_child > 0 && kill(live_child, SIGKILL) == 0)
		waitpid(live_child, &st, 0);
	live_child = 0;
	return 0;
}

static void test_live(void **state)
{
	char *argv[] = {(char *)exe_path(), "crash", "1h", NULL};
	char other[4096];
	GORT_OPTS(gort_core_opts, keep, .keep_stopped = 1);
	gort_core *c;
	gort_goroutine_iter *it;
	const struct gort_goroutine *g;
	pid_t pid;
	int64_t before, now;
	int rc, n = 0, all, st;
	(void)state;

	TU_REQUIRE_FIXTURE(exe_path());
	assert_int_equal(gort_core_open_pid(&c, 0, NULL, NULL), GORT_EINVAL);
	assert_null(c);
	assert_int_equal(gort_core_open_pid(NULL, 1, NULL, NULL), GORT_EINVAL);
	assert_int_equal(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
	live_child = pid;
	usleep(1500 * 1000);
	before = monotonic_ns();
	rc = gort_core_open_pid(&c, pid, NULL, NULL);
	if (rc == GORT_EIO && gort_last_error()->sys_errno == EPERM) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		live_child = 0;
		skip();
	}
	assert_int_equal(rc, 0);
	assert_int_equal(gort_core_pid(c), pid);
	assert_true(gort_core_thread_count(c) >= 2);
	assert_int_equal(gort_core_nanotime(c, &now), 0);
	assert_true(now >= before && now <= monotonic_ns());
	{
		struct gort_core_clock k;
		assert_int_equal(gort_core_clock(c, &k), 0);
		assert_int_equal(k.kind, GORT_CLOCK_READ);
		assert_true(k.nanotime == now);
		assert_string_equal(k.source, "CLOCK_MONOTONIC");
	}
	assert_int_equal(traced_threads(pid, &all), 0); /* resumed at once */
	assert_int_equal(gort_goroutine_iter_new(&it, c), 0);
	while ((rc = gort_goroutine_iter_next(it, &g)) != GORT_EEND) {
		assert_int_equal(rc, 0);
		if (g->wait_ns >= 0)
			assert_true(g->wait_ns == now - g->wait_since);
		if (g->id == 1) {
			gort_stack_iter *si;
			const struct gort_stack_frame *f;
			int crash = 0;
			assert_string_equal(g->wait_reason, "sleep");
			assert_int_equal(gort_stack_iter_new(&si, c, g), 0);
			while (gort_stack_iter_next(si, &f) == 0)
				crash |= gort__str_eq(f->function, "main.crash");
			gort_stack_iter_free(si);
			assert_true(crash);
		}
		n++;
	}
	gort_goroutine_iter_free(it);
	assert_true(n >= 25);
	gort_core_close(c);

	/* keep_stopped: every thread in a ptrace stop until resumed. */
	assert_int_equal(gort_core_open_pid(&c, pid, exe_path(), &keep), 0);
	if (traced_threads(pid, &all) != all) { /* which thread runs, and how */
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "grep -H . /proc/%d/task/*/stat >&2", (int)pid);
		if (system(cmd) != 0)
			print_error("cannot list the threads\n");
	}
	assert_int_equal(traced_threads(pid, &all), all);
	assert_true(all >= 2);
	gort_core_resume(c);
	assert_int_equal(traced_threads(pid, &all), 0);
	gort_core_close(c);

	snprintf(other, sizeof(other), "%s", tu_fixture("go1.26/amd64/default/prog"));
	if (tu_exists(other)) {
		assert_int_equal(gort_core_open_pid(&c, pid, other, NULL), GORT_EFORMAT);
		assert_non_null(strstr(gort_last_error()->message, "does not match"));
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	live_child = 0;
	/* Gone. */
	assert_int_equal(gort_core_open_pid(&c, pid, NULL, NULL), GORT_EIO);
	assert_null(c);
}

/* Every goroutine's wait_ns against the clock: -1, or clock - wait_since. */
static void check_waits(gort_core *c, int64_t now)
{
	gort_goroutine_iter *it;
	const struct gort_goroutine *g;

	assert_int_equal(gort_goroutine_iter_new(&it, c), 0);
	while (gort_goroutine_iter_next(it, &g) == 0)
		assert_true(g->wait_ns == -1 ||
			    (g->wait_ns >= 0 && g->wait_ns == now - g->wait_since));
	gort_goroutine_iter_free(it);
}

/*
 * A core holds no clock reading (gort_core_nanotime: GORT_ENOTFOUND), but
 * gort_core_clock estimates it from the runtime's timestamps, and wait
 * durations are measured against that.
 */
static void test_core_clock(void **state)
{
	gort_core *c;
	struct gort_core_clock k, k2;
	int64_t now;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	assert_int_equal(gort_core_open(&c, core_path(), exe_path(), NULL), 0);
	assert_int_equal(gort_core_nanotime(c, &now), GORT_ENOTFOUND);
	assert_int_equal(gort_core_pid(c), 0);
	assert_int_equal(gort_core_clock(NULL, &k), GORT_EINVAL);
	assert_int_equal(gort_core_clock(c, NULL), GORT_EINVAL);
	assert_int_equal(gort_core_clock(c, &k), 0);
	assert_int_equal(k.kind, GORT_CLOCK_ESTIMATE);
	assert_true(k.nanotime > 0);
	assert_non_null(k.source);
	assert_non_null(strstr(k.source, "runtime."));
	check_waits(c, k.nanotime);
	assert_int_equal(gort_core_clock(c, &k2), 0); /* the same, once */
	assert_true(k2.nanotime == k.nanotime && k2.source == k.source);
	assert_int_equal(gort_core_nanotime(c, &now), GORT_ENOTFOUND);
	gort_core_close(c);
}

/*
 * The "N minutes" fixtures (tests/fixtures/longwait): the program printed
 * its clock just before it panicked; the estimate must not be after the
 * core (the dump that follows takes milliseconds: 2 s of margin) and, but
 * for the known lag of a process woken from a system call while idle
 * (MODE syscall: docs/cores.md), at most 1 s before the panic.
 */
static void test_core_clock_longwait(void **state)
{
	static const struct {
		const char *dir;
		int lags;
	} fx[] = {
		{"go1.15/amd64/longwait/idle/", 0}, {"go1.15/amd64/longwait/busy/", 0},
		{"go1.15/amd64/longwait/syscall/", 1}, {"go1.27/amd64/longwait/idle/", 0},
		{"go1.27/amd64/longwait/busy/", 0}, {"go1.27/amd64/longwait/syscall/", 1},
	};
	int seen = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		char core[4096], exe[4096], txt[4096], rel[256];
		struct gort_core_clock k;
		gort_core *c;
		size_t n;
		char *dump, *at;
		long long crash;

		snprintf(rel, sizeof(rel), "%score.zst", fx[i].dir);
		snprintf(core, sizeof(core), "%s", tu_fixture(rel));
		snprintf(rel, sizeof(rel), "%slongwait", fx[i].dir);
		snprintf(exe, sizeof(exe), "%s", tu_fixture(rel));
		snprintf(rel, sizeof(rel), "%scrash.txt", fx[i].dir);
		snprintf(txt, sizeof(txt), "%s", tu_fixture(rel));
		if (!tu_exists(core) || !tu_exists(exe) || !tu_exists(txt))
			continue;
		seen++;
		dump = tu_read_file(txt, &n);
		assert_non_null(dump);
		at = strstr(dump, "crashing at nanotime ");
		assert_non_null(at);
		crash = atoll(at + strlen("crashing at nanotime "));
		free(dump);
		assert_int_equal(gort_core_open(&c, core, exe, NULL), 0);
		assert_int_equal(gort_core_clock(c, &k), 0);
		assert_int_equal(k.kind, GORT_CLOCK_ESTIMATE);
		print_message("%s: clock %s, %.3f s before the panic\n", fx[i].dir, k.source,
			      (double)(crash - k.nanotime) / 1e9);
		assert_true(k.nanotime <= crash + 2000000000ll);
		if (!fx[i].lags)
			assert_true(k.nanotime >= crash - 1000000000ll);
		check_waits(c, k.nanotime);
		gort_core_close(c);
	}
	if (!seen)
		skip();
}

/* The address of `sym` plus the offset of `type`.`field` in the core's
   bytes (through its PT_LOAD headers), or 0. */
static size_t core_offset(const uint8_t *b, size_t n, gort_binary *bin,
			  const char *sym, const char *type, const char *field)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)b;
	struct gort_symbol s;
	struct gort_field_layout fl;
	gort_layout *lay;
	uint64_t addr;

	if (gort_binary_symbol_lookup(bin, sym, &s) || gort_layout_open(&lay, bin, NULL))
		return 0;
	if (gort_layout_field(lay, type, field, &fl)) {
		gort_layout_close(lay);
		return 0;
	}
	gort_layout_close(lay);
	addr = s.value + fl.offset;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, b + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && addr >= ph.p_vaddr && addr + 8 <= ph.p_vaddr + ph.p_filesz &&
		    ph.p_offset + (addr - ph.p_vaddr) + 8 <= n)
			return (size_t)(ph.p_offset + (addr - ph.p_vaddr));
	}
	return 0;
}

/*
 * A corrupt timestamp: runtime.sched.lastpoll (the fixture's freshest
 * one) set negative or beyond 2^62 ns is ignored (the estimate comes from
 * elsewhere); set to a large but possible value, it wins (and is named).
 */
static void test_core_clock_hostile(void **state)
{
	static const uint64_t bad[] = {UINT64_MAX, (uint64_t)INT64_MAX, (uint64_t)1 << 62,
				       ((uint64_t)1 << 62) + 12345};
	gort_binary *bin;
	struct gort_core_clock k, orig;
	gort_core *c;
	size_t n, off;
	uint8_t *b;
	uint64_t v;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	b = core_bytes(&n);
	assert_int_equal(gort_binary_open(&bin, exe_path(), NULL), 0);
	off = core_offset(b, n, bin, "runtime.sched", "runtime.schedt", "lastpoll");
	gort_binary_close(bin);
	assert_true(off != 0);
	assert_int_equal(gort_core_open_memory(&c, b, n, exe_path(), NULL), 0);
	assert_int_equal(gort_core_clock(c, &orig), 0);
	gort_core_close(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(b + off, &bad[i], 8);
		assert_int_equal(gort_core_open_memory(&c, b, n, exe_path(), NULL), 0);
		assert_int_equal(gort_core_clock(c, &k), 0);
		assert_true(k.nanotime > 0 && k.nanotime <= orig.nanotime);
		assert_string_not_equal(k.source, "runtime.sched.lastpoll");
		check_waits(c, k.nanotime);
		gort_core_close(c);
	}
	v = (uint64_t)1 << 61;
	memcpy(b + off, &v, 8);
	assert_int_equal(gort_core_open_memory(&c, b, n, exe_path(), NULL), 0);
	assert_int_equal(gort_core_clock(c, &k), 0);
	assert_true(k.nanotime == (int64_t)v);
	assert_string_equal(k.source, "runtime.sched.lastpoll");
	check_waits(c, k.nanotime);
	gort_core_close(c);
	free(b);
}

/* A deterministic pseudo-random sequence (xorshift64). */
static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Reads through the block cache (a core file, the temporary file of a
 * zstd core) against reads in place (a caller's buffer): the same bytes
 * and the same errors for reads of every length at every kind of
 * position (block and segment boundaries, past a segment's file bytes,
 * into the executable), with the cache bounded whatever is read; then a
 * file cut short after opening: an error, not a crash.
 */
static void test_cached_reads(void **state)
{
	char tmpl[] = "/tmp/gort-test-core-XXXXXX";
	gort_core *file, *zst, *mem, *anon;
	size_t n, nsegs;
	uint8_t *bytes = NULL, *a, *b, *c;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	const size_t maxlen = 70000;
	int fd;
	(void)state;

	TU_REQUIRE_FIXTURE(core_path());
	bytes = core_bytes(&n);
	assert_true((fd = mkstemp(tmpl)) >= 0);
	unlink(tmpl);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	{
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		assert_int_equal(gort_core_open(&file, path, exe_path(), NULL), 0);
	}
	assert_int_equal(gort_core_open(&zst, core_path(), exe_path(), NULL), 0);
	assert_int_equal(gort_core_open_memory(&mem, bytes, n, exe_path(), NULL), 0);
	/* Where no temporary file can be made, a zstd core is decompressed
	   into anonymous memory: read in place too. */
	{
		char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
		setenv("TMPDIR", "/nonexistent/gort", 1);
		assert_int_equal(gort_core_open(&anon, core_path(), exe_path(), NULL), 0);
		if (old)
			setenv("TMPDIR", old, 1);
		else
			unsetenv("TMPDIR");
		free(old);
	}
	assert_true(file->blocks.nslots > 0 && zst->blocks.nslots > 0);
	assert_int_equal(mem->blocks.nslots, 0);
	assert_int_equal(anon->blocks.nslots, 0);

	a = malloc(maxlen);
	b = malloc(maxlen);
	c = malloc(maxlen);
	assert_true(a && b && c);
	nsegs = mem->nsegs;
	for (int i = 0; i < 20000; i++) {
		const struct gort__seg *sg = &mem->segs[next_rand(&x) % nsegs];
		uint64_t r = next_rand(&x), addr, len = 1 + next_rand(&x) % (i % 4 ? 64 : maxlen);
		int rm, rf;
		/* Near a block boundary, near the end of the segment's file
		   bytes, or anywhere in it. */
		switch (r % 4) {
		case 0: addr = sg->vaddr + (r >> 8) % (sg->memsz + 1); break;
		case 1: addr = sg->vaddr + sg->filesz - r % 64; break;
		default: addr = ((sg->vaddr + (r >> 8) % (sg->memsz + 1)) & ~16383ull) - r % 16; break;
		}
		memset(a, 1, len);
		memset(b, 2, len);
		memset(c, 3, len);
		rm = gort_core_read(mem, addr, a, len);
		rf = gort_core_read(file, addr, b, len);
		assert_int_equal(rf, rm);
		assert_int_equal(gort_core_read(zst, addr, c, len), rm);
		if (rm == 0) {
			assert_memory_equal(a, b, len);
			assert_memory_equal(a, c, len);
		}
		assert_int_equal(gort_core_read(anon, addr, b, len), rm);
		if (rm == 0)
			assert_memory_equal(a, b, len);
	}
	assert_true(file->blocks.misses > 0);
	/* Goroutines and stacks read the same through the cache. */
	assert_int_equal(exercise_core(file, 0), 0);
	assert_int_equal(exercise_core(zst, 0), 0);
	gort_core_close(mem);
	gort_core_close(anon);

	/* Cut short once open: the bytes gone are an error. */
	{
		char path[64];
		uint64_t hi = 0;
		int rc;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		assert_int_equal(gort_core_open(&file, path, exe_path(), NULL), 0);
		for (size_t k = 0; k < file->nsegs; k++)
			if (file->segs[k].filesz && file->segs[k].offset > n / 2) {
				hi = file->segs[k].vaddr;
				break;
			}
		assert_true(hi != 0);
		assert_int_equal(ftruncate(fd, (off_t)(n / 2)), 0);
		rc = gort_core_read(file, hi, a, 64);
		assert_int_equal(rc, GORT_ETRUNCATED);
		assert_int_equal(gort_last_error()->code, GORT_ETRUNCATED);
		gort_core_close(file);
	}
	close(fd);
	free(a);
	free(b);
	free(c);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_reads),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_notes),
		cmocka_unit_test(test_wrong_inputs),
		cmocka_unit_test(test_allgs_from_code),
		cmocka_unit_test_teardown(test_live, kill_live_child),
		cmocka_unit_test(test_core_clock),
		cmocka_unit_test(test_core_clock_longwait),
		cmocka_unit_test(test_core_clock_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
