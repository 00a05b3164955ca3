#ifndef GORT_DWARF_SAMPLE_H
#define GORT_DWARF_SAMPLE_H

typedef unsigned long long sample_u64;

struct gort_sample_inner {
	short x;
	char y[5];
};

struct gort_sample {
	char first;
	sample_u64 typed; /* through a typedef */
	struct gort_sample_inner inner;
	void *ptr;
	int tail[7];
};

#endif
