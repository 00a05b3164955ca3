/*
 * Inputs: a file mapped read-only, a caller's buffer, or either of those
 * holding zstd-compressed data (detected by magic), decompressed into an
 * unlinked temporary file then mapped (else into anonymous memory). Every reader (binaries, cores, traces) opens its input
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
};

int gort__source_open_path(struct gort_source *s, const char *path,
			   const struct gort_open_opts *opts);
/* The buffer is borrowed, unless it is compressed. */
int gort__source_open_memory(struct gort_source *s, const void *data,
			     size_t size, const struct gort_open_opts *opts);
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
