/*
 * gort-layout-bench: what a layout costs before its first answer, through
 * the public API only (BENCHMARKS.md, Runtime layouts).
 *
 *   gort-layout-bench FILE...
 *
 * For each file, DWARF ignored, with the binary's type descriptors off
 * (tables only) and on: gort_layout_open, then the first query
 * (runtime.m.curg, which reads the descriptors), median of 21 runs, in two
 * settings: "cold", a fresh gort_binary_open each run (first touch of the
 * type data's pages in a new mapping, as a tool that opens a binary once
 * pays), and "warm", one binary opened once (the work itself). Files with
 * DWARF also get a "dwarf" line: the first query answered from DWARF
 * (decompressing the sections, walking every unit, indexing the types).
 */
#define _POSIX_C_SOURCE 200809L
#include <gort/gort.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 21

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median open and first-query times; 0 or the failing call's code. */
enum mode { TABLES, DESCRIPTORS, DWARF };
static const char *const mode_names[] = {"tables", "descriptors", "dwarf"};

static int measure(const char *path, enum mode mode, int cold, double *open_ms,
		   double *query_ms, int *source)
{
	GORT_OPTS(gort_layout_opts, o, .no_dwarf = mode != DWARF, .no_types = mode == TABLES,
		  .allow_nearest = 1);
	double t_open[RUNS], t_query[RUNS];
	gort_binary *bin = NULL;
	int rc = 0;

	for (int i = 0; i < RUNS && !rc; i++) {
		struct gort_field_layout f;
		gort_layout *lay;
		double t0, t1, t2;

		if (!bin && (rc = gort_binary_open(&bin, path, NULL)))
			break;
		t0 = now_ms();
		if ((rc = gort_layout_open(&lay, bin, &o)))
			break;
		t1 = now_ms();
		rc = gort_layout_field(lay, "runtime.m", "curg", &f);
		t2 = now_ms();
		*source = f.source;
		t_open[i] = t1 - t0;
		t_query[i] = t2 - t1;
		gort_layout_close(lay);
		if (cold) {
			gort_binary_close(bin);
			bin = NULL;
		}
	}
	gort_binary_close(bin);
	if (rc)
		return rc;
	qsort(t_open, RUNS, sizeof(double), cmp);
	qsort(t_query, RUNS, sizeof(double), cmp);
	*open_ms = t_open[RUNS / 2];
	*query_ms = t_query[RUNS / 2];
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: gort-layout-bench FILE...\n");
		return 2;
	}
	for (int a = 1; a < argc; a++)
		for (int cold = 1; cold >= 0; cold--)
			for (int mode = TABLES; mode <= DWARF; mode++) {
				double o, q;
				int src = 0, rc = measure(argv[a], mode, cold, &o, &q, &src);

				if (rc) {
					fprintf(stderr, "%s: %s\n", argv[a], gort_last_error()->message);
					return 1;
				}
				if (mode == DWARF && src != GORT_LAYOUT_DWARF)
					continue; /* no DWARF in this file */
				printf("%s\t%s\t%s\topen %.3f ms\tfirst query %.3f ms\tsource %d\n",
				       argv[a], cold ? "cold" : "warm", mode_names[mode], o, q, src);
			}
	return 0;
}
