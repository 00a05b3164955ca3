/*
 * Fuzz drivers: each runs one input through a reader of the public API,
 * from gort_*_open_memory to every query, and checks the error contract on
 * the way. The same drivers run under libFuzzer (fuzz/entry.c), under the
 * mutation test (tests/robustness/mutate.c) and under allocation-failure
 * injection (tests/robustness/alloc_fail.c).
 */
#ifndef GORT_FUZZ_H
#define GORT_FUZZ_H

#include <gort/gort.h>

#include <stddef.h>
#include <stdint.h>

#define GORT_FUZZ_TARGET(name, seeds, smoke) \
	void gort_fuzz_##name(const uint8_t *data, size_t size);
#include "targets.def"
#undef GORT_FUZZ_TARGET

struct gort_fuzz_target {
	const char *name;
	const char *seeds;
	void (*run)(const uint8_t *data, size_t size);
};

/* Every target of targets.def, ending with a NULL name. */
extern const struct gort_fuzz_target gort_fuzz_targets[];
const struct gort_fuzz_target *gort_fuzz_find(const char *name);

/*
 * Decompression bound of the drivers' opens: far below the library's
 * default, so that a mutated zstd frame cannot make a fuzzer's process
 * exceed its memory limit.
 */
#define GORT_FUZZ_MAX_DECOMPRESSED (256u << 20)

/*
 * The contract of every call returning int: 0, GORT_EEND, or a negative
 * GORT_E* code from the table that is also this thread's
 * gort_last_error()->code, with a non-empty one-line message. Anything else aborts (a finding). Returns rc.
 */
int gort_fuzz_check(int rc, const char *call);
#define GORT_CHECK(call) gort_fuzz_check((call), #call)

/*
 * Called with the result of every checked call, when set (the
 * allocation-failure test records them).
 */
extern void (*gort_fuzz_observe)(int rc, const char *call);

/*
 * Read every byte of s, so that a sanitizer sees an out-of-bounds string.
 * Each string is also hashed into gort_fuzz_digest (FNV-1a over the strings
 * a run returned, in order): the allocation-failure test compares it with
 * the clean run's to tell an absorbed failure from a wrong answer.
 */
void gort_fuzz_touch(struct gort_str s);
void gort_fuzz_touch_cstr(const char *s);
extern uint64_t gort_fuzz_digest;

/*
 * Open data as a binary and run query(bin, no_dwarf) twice: with DWARF
 * (when the binary has it) and with the built-in tables (the layout and
 * types targets).
 */
void gort_fuzz_binary_twice(const uint8_t *data, size_t size,
			    void (*query)(gort_binary *bin, int no_dwarf));

#endif
