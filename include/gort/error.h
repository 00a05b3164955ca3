/*
 * libgoinspect: errors.
 *
 * Every function that can fail returns int: 0 on success or a negative
 * GORT_E* code. Codes are pinned: a released value never changes. The single
 * list below generates the enum, gort_strerror() and the bindings'
 * exception classes, so no copy of it exists anywhere else.
 *
 * Details of the most recent failure on the calling thread (a one-line
 * message with the file offset or address involved) are in
 * gort_last_error().
 */
#ifndef GORT_ERROR_H
#define GORT_ERROR_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * X(NAME, value, Class, description): Class is the CamelCase word the
 * bindings name their exception after (GORT_ENOTGO -> goinspect.NotGoError).
 */
#define GORT_ERROR_LIST(X)                                                   \
	X(OK, 0, Ok, "success")                                              \
	X(EINVAL, -1, InvalidArgument, "invalid argument")                   \
	X(ENOMEM, -2, OutOfMemory, "out of memory")                          \
	X(EIO, -3, Io, "input/output error")                                 \
	X(ENOTFOUND, -4, NotFound, "not found")                              \
	X(EEND, -5, EndOfIteration, "end of iteration")                      \
	X(EFORMAT, -6, Format, "malformed input")                            \
	X(ETRUNCATED, -7, Truncated, "truncated input")                      \
	X(EUNSUPPORTED, -8, Unsupported, "unsupported input")                \
	X(ENOTGO, -9, NotGo, "not a Go program")                             \
	X(EUNKNOWNFILE, -10, UnknownFile, "unrecognized file format")        \
	X(ECOMPRESSED, -11, Compressed, "corrupt compressed data")           \
	X(ETOOLARGE, -12, TooLarge, "input exceeds a configured limit")      \
	X(EFAULT, -13, Fault, "address not readable")                        \
	X(EDWARF, -14, Dwarf, "DWARF error")

/* Expands one row of GORT_ERROR_LIST into an enumerator (internal). */
#define GORT_ERROR_ENUM_(name, value, cls, desc) GORT_##name = (value),
/* GORT_OK, GORT_EINVAL, ...: the rows of GORT_ERROR_LIST, in order. */
enum gort_error_code { GORT_ERROR_LIST(GORT_ERROR_ENUM_) };
#undef GORT_ERROR_ENUM_

/* Fixed description of a code ("unknown error" for a value not listed). */
GORT_API const char *gort_strerror(int code);

/* gort_error_info.offset or .address when the error concerns none. */
#define GORT_NO_VALUE UINT64_MAX

/* Details of the last failure on this thread. */
struct gort_error_info {
	int code;            /* GORT_E*, or GORT_OK when nothing failed */
	const char *message; /* one line, no trailing newline */
	uint64_t offset;     /* file offset involved, or GORT_NO_VALUE */
	uint64_t address;    /* virtual address involved, or GORT_NO_VALUE */
	int sys_errno;       /* errno behind a GORT_EIO, else 0 */
};

/*
 * The calling thread's last error. The pointer and the message are
 * thread-local and stay valid until the next failing library call on the
 * same thread. Successful calls do not clear it; gort_clear_error() does.
 */
GORT_API const struct gort_error_info *gort_last_error(void);

/* Reset the calling thread's last error to GORT_OK. */
GORT_API void gort_clear_error(void);

#ifdef __cplusplus
}
#endif

#endif
