/*
 * Inputs: a file mapped read-only, a caller's buffer, or either of those
 * holding zstd-compressed data (detected by magic), decompressed into an
 * unlinked temporary file then mapped (else into anonymous memory). Every
 * reader (binaries, cores, traces) opens its input
 * through here and then reads it through gort_view.
 */
#ifndef GORT_IO_SOURCE_H
#define GORT_IO_SOURCE_H

#include "view.h"

struct gort_source {
	struct gort_view view; /* the (decompressed) bytes */
	void *map;             /* mmap of the file, or NULL */
	size_t map_size;
	void *inflated; /* mapping holding decompressed bytes */
	size_t inflated_cap;
	bool inflated_file; /* of a temporary file (else anonymous memory) */
	bool compressed; /* the input was zstd-compressed */
	/* The file holding view's bytes, kept open on request (struct
	   gort__source_how): the path's file, or the temporary file of
	   decompressed bytes. */
	int fd;
	bool has_fd;
};

/* What a reader may ask of its input beyond gort_open_opts. */
struct gort__source_how {
	/* Keep a descriptor of the file whose bytes view shows (s->fd), for
	   pread; none for a caller's buffer or anonymous memory. */
	bool keep_fd;
	/* Decompression progress, every 1 MiB of output and once at the end:
	   bytes decompressed of the size the first frame records, else
	   compressed bytes consumed of the input's size. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *arg;
};

int gort__source_open_path(struct gort_source *s, const char *path,
			   const struct gort_open_opts *opts);
/* The buffer is borrowed, unless it is compressed. */
int gort__source_open_memory(struct gort_source *s, const void *data,
			     size_t size, const struct gort_open_opts *opts);
/* The same with `how` (NULL: as above). */
int gort__source_open_path_how(struct gort_source *s, const char *path,
			       const struct gort_open_opts *opts,
			       const struct gort__source_how *how);
int gort__source_open_memory_how(struct gort_source *s, const void *data,
				 size_t size, const struct gort_open_opts *opts,
				 const struct gort__source_how *how);
void gort__source_close(struct gort_source *s);

/*
 * Drop the pages of view bytes [0, to), consumed by a reader now at `to`
 * and past `from` already, from the resident set where
 * they are file pages that come back unchanged if touched again (a mapped
 * file or a decompressed temporary file); nothing otherwise.
 */
void gort__source_release(const struct gort_source *s, uint64_t from, uint64_t to);

/* Whether bytes start with a zstd frame (or skippable frame) magic. */
bool gort__is_zstd(const uint8_t *p, size_t n);

#endif
