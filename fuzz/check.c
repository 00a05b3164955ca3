/* The error contract the drivers check, and the target table. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void (*gort_fuzz_observe)(int rc, const char *call);

#define GORT_FUZZ_TARGET(name, seeds, smoke) {#name, #seeds, gort_fuzz_##name},
const struct gort_fuzz_target gort_fuzz_targets[] = {
#include "targets.def"
	{NULL, NULL, NULL}};
#undef GORT_FUZZ_TARGET

const struct gort_fuzz_target *gort_fuzz_find(const char *name)
{
	for (const struct gort_fuzz_target *t = gort_fuzz_targets; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int gort_fuzz_check(int rc, const char *call)
{
	const struct gort_error_info *e = gort_last_error();

	if (gort_fuzz_observe)
		gort_fuzz_observe(rc, call);
	/* End of iteration is an outcome, not a failure: no message. */
	if (rc == 0 || rc == GORT_EEND)
		return rc;
	if (rc > 0 || !strcmp(gort_strerror(rc), "unknown error")) {
		fprintf(stderr, "fuzz: %s returned %d, not a GORT_E* code\n", call, rc);
		abort();
	}
	if (e->code != rc || !e->message || !e->message[0] ||
	    strchr(e->message, '\n')) {
		fprintf(stderr,
			"fuzz: %s returned %d (%s) but the last error is %d \"%s\"\n",
			call, rc, gort_strerror(rc), e->code, e->message ? e->message : "(null)");
		abort();
	}
	return rc;
}

uint64_t gort_fuzz_digest;

void gort_fuzz_binary_twice(const uint8_t *data, size_t size,
			    void (*query)(gort_binary *bin, int no_dwarf))
{
	GORT_OPTS(gort_open_opts, o, .max_decompressed = GORT_FUZZ_MAX_DECOMPRESSED);
	gort_binary *bin;

	if (GORT_CHECK(gort_binary_open_memory(&bin, data, size, &o)))
		return;
	query(bin, 0);
	query(bin, 1);
	gort_binary_close(bin);
}

void gort_fuzz_touch(struct gort_str s)
{
	uint64_t h = gort_fuzz_digest ^ s.len;

	if (s.len && !s.ptr) {
		fprintf(stderr, "fuzz: NULL string of length %zu\n", s.len);
		abort();
	}
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (unsigned char)s.ptr[i]) * 0x100000001b3ull;
	gort_fuzz_digest = h;
}

void gort_fuzz_touch_cstr(const char *s)
{
	if (!s) {
		fprintf(stderr, "fuzz: NULL string\n");
		abort();
	}
	gort_fuzz_touch((struct gort_str){s, strlen(s)});
}
