/*
 * A program outside the tree, built only with
 *   cc app.c $(pkg-config --cflags --libs goinspect)
 * against an installed libgoinspect: prints the Go version of its argument.
 */
#include <gort/gort.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	gort_binary *bin;
	struct gort_str v;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: app GO-BINARY\n");
		return 2;
	}
	rc = gort_binary_open(&bin, argv[1], NULL);
	if (!rc)
		rc = gort_binary_go_version(bin, &v, NULL);
	if (rc) {
		fprintf(stderr, "app: %s: %s\n", gort_strerror(rc), gort_last_error()->message);
		gort_binary_close(bin);
		return 1;
	}
	printf("%s %.*s (libgoinspect %s)\n", argv[1], (int)v.len, v.ptr, gort_version_string());
	gort_binary_close(bin);
	return 0;
}
