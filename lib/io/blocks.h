/*
 * A bounded cache of fixed-size blocks read on demand: what lets a reader
 * of a large input (a core file, a running process's memory) touch only a
 * bounded amount of its own memory, whatever the input's size. The owner
 * says how a block is fetched (pread of a file, process_vm_readv of a
 * process); the cache is direct-mapped (slot = block index modulo the
 * slot count), so a lookup is one comparison.
 *
 * Not thread-safe: it belongs to one object used by one thread at a time
 * (a gort_core).
 */
#ifndef GORT_IO_BLOCKS_H
#define GORT_IO_BLOCKS_H

#include "../common/internal.h"

/*
 * Fill buf with the `size` bytes of block `off` (a multiple of the block
 * size). A failure is reported through gort__fail* and returned; the
 * block is then not cached.
 */
typedef int (*gort_blocks_fetch)(void *ctx, uint64_t off, uint8_t *buf,
				 size_t size);

struct gort_blocks {
	uint64_t *tag;  /* per slot: the offset of the block held, or
			   UINT64_MAX when empty */
	uint8_t *data;  /* nslots blocks of `size` bytes */
	size_t nslots;  /* a power of two */
	size_t size;    /* block size, a power of two */
	gort_blocks_fetch fetch;
	void *ctx;
	uint64_t misses; /* blocks fetched, for tests and benchmarks */
};

/* nslots and size: powers of two. GORT_ENOMEM (recorded) on failure. */
int gort__blocks_init(struct gort_blocks *b, size_t nslots, size_t size,
		      gort_blocks_fetch fetch, void *ctx);
void gort__blocks_free(struct gort_blocks *b);
/* Empty every slot (the input may have changed: a running process). */
void gort__blocks_forget(struct gort_blocks *b);

/*
 * Copy up to n bytes at `off` into buf, stopping at the end of off's
 * block; *got is how many. The caller knows the bytes exist (a core's
 * segment, a process's mapping); the fetch reports those that do not.
 */
int gort__blocks_read(struct gort_blocks *b, uint64_t off, uint8_t *buf,
		      size_t n, size_t *got);

#endif
