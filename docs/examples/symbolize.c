/*
 * Symbolize program counters of a Go binary: the smallest complete use of
 * the function table. Build against an installed libgoinspect:
 *   cc symbolize.c $(pkg-config --cflags --libs goinspect) -o symbolize
 *   ./symbolize /usr/local/bin/app 0x4a1b2c 0x4a1f00
 */
#include <gort/gort.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "%s: %s (%s)\n", what, e->message, gort_strerror(e->code));
	return 1;
}

int main(int argc, char **argv)
{
	gort_binary *bin = NULL;
	gort_pclntab *tab = NULL;
	struct gort_frame frames[16];
	int status = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BINARY PC...\n", argv[0]);
		return 2;
	}
	if (gort_binary_open(&bin, argv[1], NULL) ||
	    gort_pclntab_open(&tab, bin)) {
		status = fail(argv[1]);
		goto out;
	}
	for (int i = 2; i < argc; i++) {
		uint64_t pc = strtoull(argv[i], NULL, 16);
		size_t n;

		if (gort_pclntab_lookup(tab, pc, frames, 16, &n)) {
			status = fail(argv[i]);
			continue;
		}
		/* Innermost first: inlined calls, then the physical function. */
		for (size_t j = 0; j < n && j < 16; j++)
			printf("%#" PRIx64 "\t%.*s\t%.*s:%d%s\n", pc,
			       (int)frames[j].function.len, frames[j].function.ptr,
			       (int)frames[j].file.len, frames[j].file.ptr,
			       (int)frames[j].line,
			       frames[j].inlined ? "\t(inlined)" : "");
	}
out:
	gort_pclntab_close(tab);
	gort_binary_close(bin);
	return status;
}
