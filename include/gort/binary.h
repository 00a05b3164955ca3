/*
 * libgoinspect: opening a Go executable (or shared object).
 *
 * A gort_binary maps its file once and decodes lazily: opening costs little
 * beyond the mmap, and every table is decoded on first use. Read-only
 * queries on one gort_binary are safe from many threads at once.
 */
#ifndef GORT_BINARY_H
#define GORT_BINARY_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opened executable or shared object (opaque; gort_binary_open). */
typedef struct gort_binary gort_binary;

/* File formats (gort_binary_format). */
enum gort_format {
	GORT_FORMAT_UNKNOWN = 0,
	GORT_FORMAT_ELF = 1,
	GORT_FORMAT_PE = 2,
	GORT_FORMAT_MACHO = 3
};

/* Architectures, named as GOARCH names them (gort_arch_name). */
enum gort_arch {
	GORT_ARCH_UNKNOWN = 0,
	GORT_ARCH_AMD64 = 1,
	GORT_ARCH_ARM64 = 2,
	GORT_ARCH_386 = 3,
	GORT_ARCH_ARM = 4,
	GORT_ARCH_PPC64LE = 5,
	GORT_ARCH_PPC64 = 6,
	GORT_ARCH_S390X = 7,
	GORT_ARCH_RISCV64 = 8,
	GORT_ARCH_LOONG64 = 9,
	GORT_ARCH_MIPS = 10,
	GORT_ARCH_MIPSLE = 11,
	GORT_ARCH_MIPS64 = 12,
	GORT_ARCH_MIPS64LE = 13
};

/*
 * Open the executable at `path`. A zstd-compressed file (detected by its
 * magic, whatever its name) is decompressed into memory first.
 * On success *out is yours: free it with gort_binary_close().
 * Errors: GORT_EIO (with errno), GORT_EUNKNOWNFILE, GORT_EFORMAT,
 * GORT_ETRUNCATED, GORT_ECOMPRESSED, GORT_ETOOLARGE, GORT_ENOMEM, GORT_EINVAL.
 */
GORT_API int gort_binary_open(gort_binary **out, const char *path,
			      const struct gort_open_opts *opts);

/*
 * Same, over a caller's buffer, which must stay valid and unchanged until
 * gort_binary_close() (it is not copied unless it is zstd-compressed).
 * Errors: those of gort_binary_open() but GORT_EIO.
 */
GORT_API int gort_binary_open_memory(gort_binary **out, const void *data,
				     size_t size,
				     const struct gort_open_opts *opts);

/* Accepts NULL. */
GORT_API void gort_binary_close(gort_binary *bin);

/* enum gort_format of the file. */
GORT_API int gort_binary_format(const gort_binary *bin);
/* enum gort_arch of the file. */
GORT_API int gort_binary_arch(const gort_binary *bin);
/* 4 or 8. */
GORT_API unsigned gort_binary_ptr_size(const gort_binary *bin);
/* 1 for big-endian files, else 0. */
GORT_API int gort_binary_big_endian(const gort_binary *bin);

/* GOARCH spelling of an enum gort_arch ("amd64", ...); "unknown" else. */
GORT_API const char *gort_arch_name(int arch);

#ifdef __cplusplus
}
#endif

#endif
