/* Shared by the robustness programs: see harness.h. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* LeakSanitizer's interface, present only in sanitizer builds. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

unsigned char *gort_robust_load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	struct stat st;

	if (!f || fstat(fileno(f), &st) != 0) {
		perror(path);
		exit(2);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)st.st_size;
	return buf;
}

bool gort_robust_lsan(void)
{
	return __lsan_do_recoverable_leak_check != NULL;
}

bool gort_robust_leaked(void)
{
	return __lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check();
}
