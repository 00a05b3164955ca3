/*
 * Internal helpers shared by every module: error reporting and allocation.
 * Internal functions are named gort__* (hidden in the shared library by
 * -fvisibility=hidden and the version script).
 */
#ifndef GORT_INTERNAL_H
#define GORT_INTERNAL_H

#include <gort/gort.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GORT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Record a failure on this thread and return `code`, so that callers write
 * `return gort__fail(GORT_EFORMAT, "pclntab: bad magic 0x%x", m);`.
 */
int gort__fail(int code, const char *fmt, ...) GORT_PRINTF(2, 3);
/* Same, naming the file offset involved. */
int gort__fail_at(int code, uint64_t offset, const char *fmt, ...)
	GORT_PRINTF(3, 4);
/* Same, naming the virtual address involved. */
int gort__fail_addr(int code, uint64_t addr, const char *fmt, ...)
	GORT_PRINTF(3, 4);
/* GORT_EIO from errno (captured by the caller before anything else runs). */
int gort__fail_errno(int err, const char *fmt, ...) GORT_PRINTF(2, 3);

/*
 * A failure kept with a lazily decoded table, so that every later caller
 * (on any thread) gets the same code and message, not just the first one.
 */
/* Longest error message kept, terminator included. */
#define GORT_MESSAGE_MAX 512

struct gort_saved_error {
	int code;
	uint64_t offset, address;
	char message[GORT_MESSAGE_MAX];
};
/* Save this thread's last error (code must be the failing return value). */
void gort__error_save(struct gort_saved_error *s, int code);
/* Make a saved failure this thread's last error again; returns its code. */
int gort__error_restore(const struct gort_saved_error *s);

/*
 * Validate an options struct: NULL is fine; sz must cover at least the
 * `size_t sz` field; bytes past `known` (what this library knows) must be 0.
 */
int gort__opts_check(const void *opts, size_t known, const char *what);
/* Whether field ending at `end` is present in a caller's struct of size sz. */
#define GORT_OPTS_HAS(opts, field)                                        \
	((opts) != NULL &&                                                \
	 (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))

/* Allocation goes through these, so that failures can be injected. */
void *gort__malloc(size_t n);
void *gort__calloc(size_t n, size_t size);
void *gort__realloc(void *p, size_t n);
void gort__free(void *p);
/* NULL with GORT_ENOMEM recorded when it fails. */
char *gort__strndup(const char *s, size_t n);

/*
 * Test hook, not part of the ABI (hidden in the shared library, reached by
 * tests linked to the static one): from now on, count allocations and make
 * the nth one fail (n >= 1; LONG_MAX only counts; 0 disarms). Allocations
 * made inside libelf, libdwarf and zstd are not counted (docs/RELIABILITY.md).
 */
void gort__alloc_inject(long n);
/* Allocations since the last gort__alloc_inject() while armed. */
long gort__alloc_count(void);

#define GORT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline struct gort_str gort__str(const char *p, size_t n)
{
	struct gort_str s = {p, n};
	return s;
}

static inline bool gort__str_eq(struct gort_str s, const char *c)
{
	size_t i = 0;
	for (; i < s.len; i++)
		if (c[i] != s.ptr[i] || c[i] == '\0')
			return false;
	return c[i] == '\0';
}

#endif
