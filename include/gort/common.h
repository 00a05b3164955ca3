/*
 * libgoinspect: common definitions shared by every public header.
 *
 * Thread safety: unless a function says otherwise, a handle is used by one
 * thread at a time. Read-only queries on an opened gort_binary are safe from
 * many threads at once.
 */
#ifndef GORT_COMMON_H
#define GORT_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Version of these headers (gort_version_string() gives the loaded one's). */
#define GORT_VERSION_MAJOR 1
#define GORT_VERSION_MINOR 0 /* new functions: a new version-script node */
#define GORT_VERSION_PATCH 0 /* fixes only */

/* Marks the library's exported functions (everything else is hidden). */
#if defined(GORT_BUILDING_LIBRARY) && defined(__GNUC__)
#define GORT_API __attribute__((visibility("default")))
#else
#define GORT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A view of bytes owned by someone else (usually the mapped input file):
 * NOT NUL-terminated, valid as long as the object it came from.
 */
struct gort_str {
	const char *ptr; /* first byte; NULL only when len is 0 */
	size_t len;      /* number of bytes */
};

/* "MAJOR.MINOR.PATCH" of the library actually loaded. Static storage. */
GORT_API const char *gort_version_string(void);

/*
 * Options structs: the first field is always `size_t sz`, set to
 * sizeof(struct ...) by the caller, so that older and newer callers both work.
 * A library that sees a larger struct than it knows accepts it only if every
 * byte it does not know is zero (GORT_EINVAL otherwise). Passing NULL where
 * an options pointer is taken means "all defaults".
 *
 *   GORT_OPTS(gort_open_opts, o, .max_decompressed = 1 << 30);
 *   gort_binary_open(&bin, path, &o);
 */
#define GORT_OPTS(TYPE, NAME, ...) \
	struct TYPE NAME = { .sz = sizeof(struct TYPE), __VA_ARGS__ }

/* How every reader opens its input (a path, or a caller's buffer). */
struct gort_open_opts {
	size_t sz; /* sizeof(struct gort_open_opts) */
	/*
	 * Upper bound on the size of a zstd-compressed input once decompressed,
	 * in bytes; 0 means the default (64 GiB). Guards against
	 * decompression bombs.
	 */
	uint64_t max_decompressed;
};

#ifdef __cplusplus
}
#endif

#endif
