/*
 * What the robustness programs (gort-mutate, gort-alloc-fail) share around
 * the fuzz drivers: reading an input file, and LeakSanitizer's check in
 * sanitizer builds.
 */
#ifndef GORT_ROBUST_HARNESS_H
#define GORT_ROBUST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

/* The whole file in a buffer of exactly its size (so that ASan sees reads
   past the end); exits with status 2 if it cannot be read. free() it. */
unsigned char *gort_robust_load(const char *path, size_t *size);

/* Whether this is a LeakSanitizer build (gort_robust_leaked can say yes). */
bool gort_robust_lsan(void);

/* Whether LeakSanitizer finds memory leaked since the last check (it
   prints them); always false without LeakSanitizer. */
bool gort_robust_leaked(void);

#endif
