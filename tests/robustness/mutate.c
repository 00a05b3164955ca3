/*
 * gort-mutate: seeded mutations of real inputs through the fuzz drivers
 * (fuzz/targets.def), without libFuzzer, so that any compiler and any
 * sanitizer build runs them. Each round copies the input, applies a few
 * byte flips, bit flips, overwrites with boundary values or a truncation,
 * and runs the driver: it must end in a result or a checked error code
 * (fuzz/check.c), within the timeout, and leak nothing (LeakSanitizer,
 * checked after every file in sanitizer builds).
 *
 *   gort-mutate --list
 *   gort-mutate TARGET [-s SEED] [-r ROUNDS] [-c CUTS] [-t SECONDS] FILE...
 *   gort-mutate TARGET -s SEED --round R [--save OUT] FILE   one round
 *   gort-mutate TARGET --replay FILE...                      inputs as is
 *
 * Besides the rounds, -c CUTS runs each file cut short at CUTS offsets
 * spread over it and at the first few bytes (default 16; a cut is never
 * mutated otherwise: every header and table ends early somewhere).
 * A failure prints the target, file, seed and round (or cut) that
 * reproduce it.
 */
#include "fuzz.h"
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static const char *cur_target, *cur_file;
static unsigned long long cur_seed;
static long cur_round = -1; /* -1: the input unmodified */
static long cur_cut = -1;   /* >= 0: the input cut to that many bytes */

static void report(const char *what)
{
	/* Called from signal handlers: fprintf is acceptable for a dying process. */
	fprintf(stderr, "gort-mutate: %s: target %s, file %s", what, cur_target,
		cur_file ? cur_file : "?");
	if (cur_cut >= 0)
		fprintf(stderr, ", cut to %ld bytes\n  reproduce: head -c %ld %s >OUT; gort-mutate %s --replay OUT\n",
			cur_cut, cur_cut, cur_file, cur_target);
	else if (cur_round >= 0)
		fprintf(stderr, ", seed %llu, round %ld\n  reproduce: gort-mutate %s -s %llu --round %ld --save OUT %s\n",
			cur_seed, cur_round, cur_target, cur_seed, cur_round, cur_file);
	else
		fprintf(stderr, " (unmodified)\n");
}

static void on_death(void) { report("sanitizer error"); }

static void on_signal(int sig)
{
	report(sig == SIGALRM ? "timeout (hang)" : strsignal(sig));
	signal(sig, SIG_DFL);
	if (sig == SIGALRM)
		_exit(124);
	raise(sig);
}

/* splitmix64: one independent stream per (seed, round). */
static unsigned long long rnd_state;
static unsigned long long rnd(void)
{
	unsigned long long z = (rnd_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Where to hit: anywhere, or near the start (file headers), or near an
 * earlier hit (records are clustered: one table's header, one batch).
 */
static size_t position(size_t size, size_t *last)
{
	size_t p;

	switch (rnd() % 3) {
	case 0:
		p = rnd() % size;
		break;
	case 1:
		p = rnd() % (size < 4096 ? size : 4096);
		break;
	default:
		p = (*last + rnd() % 256) % size;
		break;
	}
	*last = p;
	return p;
}

static size_t mutate(unsigned char *buf, size_t size)
{
	static const unsigned char special[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe};
	size_t n = 1 + rnd() % 8, last = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t p = position(size, &last);
		switch (rnd() % 4) {
		case 0:
			buf[p] ^= (unsigned char)(1u << (rnd() % 8));
			break;
		case 1:
			buf[p] = (unsigned char)rnd();
			break;
		case 2: /* a boundary value over a whole little word */
			for (size_t k = 0, w = 1u << (rnd() % 4); k < w && p + k < size; k++)
				buf[p + k] = special[rnd() % sizeof(special)];
			break;
		default:
			buf[p] = special[rnd() % sizeof(special)];
			break;
		}
	}
	if (rnd() % 16 == 0) /* cut short */
		size = rnd() % size;
	return size;
}

static void run(const struct gort_fuzz_target *t, const unsigned char *in, size_t size,
		unsigned timeout)
{
	/* A copy of exactly `size` bytes, so that ASan sees reads past the end. */
	unsigned char *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, in, size);
	alarm(timeout);
	t->run(copy, size);
	alarm(0);
	free(copy);
}

static int leak_check(void)
{
	if (gort_robust_leaked()) {
		report("memory leaked (after all rounds of this file)");
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gort-mutate TARGET [-s SEED] [-r ROUNDS] [-c CUTS] [-t SECONDS] "
			"[--round R [--save OUT]] [--replay] FILE...\n"
			"       gort-mutate --list\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct gort_fuzz_target *t;
	unsigned long long seed = 1, runs = 0;
	long rounds = 100, only = -1, cuts = 16;
	unsigned timeout = 20;
	const char *save = NULL;
	int replay = 0, i, fail = 0;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (t = gort_fuzz_targets; t->name; t++)
			printf("%s %s\n", t->name, t->seeds);
		return 0;
	}
	if (argc < 3 || !(t = gort_fuzz_find(argv[1])))
		return usage();
	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--replay"))
			replay = 1;
		else if (i + 1 >= argc)
			return usage();
		else if (!strcmp(argv[i], "-s"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-r"))
			rounds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-c"))
			cuts = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-t"))
			timeout = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--round"))
			only = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--save"))
			save = argv[++i];
		else
			return usage();
	}
	if (i == argc)
		return usage();
	cur_target = t->name;
	cur_seed = seed;
	signal(SIGALRM, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGABRT, on_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_death);

	for (; i < argc; i++) {
		size_t size, n;
		unsigned char *orig = gort_robust_load(argv[i], &size), *buf = malloc(size ? size : 1);

		if (!buf)
			abort();
		cur_file = argv[i];
		cur_round = -1;
		if (only < 0) {
			run(t, orig, size, timeout);
			runs++;
		}
		for (long r = only >= 0 ? only : 0; r < (only >= 0 ? only + 1 : replay ? 0 : rounds); r++) {
			rnd_state = seed * 0x100000001b3ull ^ (unsigned long long)r;
			memcpy(buf, orig, size);
			n = mutate(buf, size);
			cur_round = r;
			if (save) {
				FILE *f = fopen(save, "wb");
				if (!f || fwrite(buf, 1, n, f) != n || fclose(f)) {
					perror(save);
					return 2;
				}
			}
			run(t, buf, n, timeout);
			runs++;
		}
		cur_round = -1;
		/* Cuts: the first bytes (magic, headers), then evenly spread. */
		for (long k = 0; only < 0 && !replay && k < 2 * cuts; k++) {
			size_t cut = k < cuts ? (size_t)k * k * 8 : size / (size_t)cuts * (size_t)(k - cuts);
			if (cut >= size)
				continue;
			cur_cut = (long)cut;
			run(t, orig, cut, timeout);
			runs++;
		}
		cur_cut = -1;
		free(buf);
		free(orig);
		fail |= leak_check();
	}
	fprintf(stderr, "gort-mutate: %s: %llu runs (seed %llu), no crash, hang or error-contract violation%s\n",
		t->name, runs, seed,
		gort_robust_lsan() ? (fail ? "; LEAKS" : ", no leak") : "");
	return fail;
}
