/* The gort_binary object, shared by the modules that read binaries. */
#ifndef GORT_BINARY_INTERNAL_H
#define GORT_BINARY_INTERNAL_H

#include "../elf/elf.h"
#include "../io/source.h"

struct gort_buildinfo;

struct gort_binary {
	struct gort_source src;
	int format; /* enum gort_format */
	struct gort_elf elf;

	pthread_mutex_t lock; /* guards the lazily decoded parts below */
	bool buildinfo_done;
	struct gort_saved_error buildinfo_err;
	struct gort_buildinfo *buildinfo;
	bool version_done;
	struct gort_saved_error version_err;
	int version_source;
	struct gort_str version_str;
};

/* Virtual address -> bytes in the file, for whatever format `bin` is. */
int gort__binary_read_addr(struct gort_binary *bin, uint64_t addr, uint64_t len,
			   struct gort_view *out);

/* From addr to the end of the segment holding it. */
int gort__binary_addr_span(struct gort_binary *bin, uint64_t addr,
			   struct gort_view *out);

void gort__buildinfo_free(struct gort_buildinfo *bi);

#endif
