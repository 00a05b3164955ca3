/*
 * gort-addr2line: translate program counters to function and file:line,
 * as `go tool addr2line FILE` does (cmd/addr2line/main.go), byte for byte.
 *
 * Input: one address per line on stdin, hexadecimal, "0x" optional.
 * Output per address: the function name on one line, then FILE:LINE; "?"
 * and "?:0" when no function holds the address. As in Go's tool, a line
 * containing ':' prints "!reverse translation not implemented", and an
 * unparsable address is taken as 0.
 *
 * With -i, each address prints one such pair per source frame, innermost
 * first: first the inlined callee with the position of the address, then
 * each caller with the position of its inlined call, and last the physical
 * function (the name Go's tool prints) with its call site position. An
 * address without inlining prints exactly what Go's tool prints.
 *
 * With --json, each address prints one JSON object on one line, with every
 * source frame innermost first (docs/json.md).
 *
 * Without --json, addresses are read in batches (up to BATCH lines) and
 * looked up in address order, then printed in input order: lookups in
 * address order read the tables front to back and continue each pc-value
 * stream where the previous lookup stopped, several times faster than
 * random order on a large binary (BENCHMARKS.md). Like Go's tool, output
 * is buffered: a caller that writes one address and waits for its answer
 * before writing the next is not supported by either.
 */
#define _XOPEN_SOURCE 700
#include "tool.h"

#include <stdlib.h>

#define MAX_FRAMES 64

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-addr2line [-i | --json] binary\n"
		   "reads addresses from standard input and writes two lines for each:\n"
		   "\tfunction name\n"
		   "\tfile:line\n"
		   "  -i         also print inlined frames, innermost first\n"
		   "  --json     one JSON object per address with all its frames (docs/json.md)\n"
		   "  --help     print this help\n"
		   "  --version  print the library version\n");
}

/* strconv.ParseUint(s, 16, 64): 0 on a syntax error, max on overflow. */
static uint64_t parse_hex(const char *s, size_t n)
{
	uint64_t v = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int d;
		char c = s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		if (v >= UINT64_MAX / 16 + 1)
			return UINT64_MAX;
		v = v * 16 + (uint64_t)d;
	}
	return v;
}

/* "FUNCTION\nFILE:LINE\n", without printf (which measures every string again). */
static void print_frame(struct gort_str fn, struct gort_str file, long line)
{
	char num[24];
	size_t k = sizeof(num);
	unsigned long v = line < 0 ? 0UL - (unsigned long)line : (unsigned long)line;

	num[--k] = '\n';
	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (line < 0)
		num[--k] = '-';
	num[--k] = ':';
	fwrite(fn.ptr, 1, fn.len, stdout);
	putchar('\n');
	fwrite(file.ptr, 1, file.len, stdout);
	fwrite(num + k, 1, sizeof(num) - k, stdout);
}

enum mode { GO_TOOL, INLINES, JSON };

static void print_json(uint64_t pc, int rc, const struct gort_frame *fr, size_t n)
{
	printf("{\"pc\":%llu,", (unsigned long long)pc);
	if (rc) {
		tool_json_key(stdout, "error");
		tool_json_error(stdout, rc);
		fputs("}\n", stdout);
		return;
	}
	fputs("\"frames\":[", stdout);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", stdout);
		tool_json_key(stdout, "function");
		tool_json_gstr(stdout, fr[i].function);
		putchar(',');
		tool_json_key(stdout, "file");
		tool_json_gstr(stdout, fr[i].file);
		printf(",\"line\":%ld,\"inlined\":%s,\"entry\":%llu}", (long)fr[i].line,
		       fr[i].inlined ? "true" : "false", (unsigned long long)fr[i].entry);
	}
	fputs("]}\n", stdout);
}

/* --json: one address at a time, its error (if any) in the object. */
static void translate_json(gort_pclntab *tab, uint64_t pc)
{
	struct gort_frame fr[MAX_FRAMES];
	size_t n = 0;
	int rc = gort_pclntab_lookup(tab, pc, fr, MAX_FRAMES, &n);

	if (n > MAX_FRAMES)
		n = MAX_FRAMES; /* the outermost frames are cut, never the first */
	print_json(pc, rc, fr, n);
}

#define BATCH (1 << 16)

/*
 * A batch of input lines. Lookups run in address order (keys, sorted) and
 * write their answers in that order (res, frames); rank maps an input line
 * back to its answer. Everything the lookups touch is then sequential.
 */
struct key {
	uint64_t pc;
	uint32_t line; /* index in the batch */
};

struct answer {
	int rc;
	uint32_t n;     /* frames */
	size_t first;   /* in frames */
};

struct batch {
	uint64_t *pc;     /* per line: the address */
	uint8_t *reverse; /* per line: "file:line", not implemented (as Go's tool) */
	uint32_t *rank;   /* per line: its answer */
	struct key *keys, *tmp;
	struct answer *res;
	uint64_t *sorted; /* keys' PCs (without -i) */
	int *rc;          /* their results */
	size_t n, nkeys;
	struct gort_frame *frames;
	size_t nframes, cap;
};

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1))) {
		fputs("gort-addr2line: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* LSD radix sort of keys by pc, 8 bits a pass, skipping bytes all keys share. */
static void sort_keys(struct batch *b)
{
	struct key *src = b->keys, *dst = b->tmp, *t;
	uint64_t all_or = 0, all_and = UINT64_MAX;

	for (size_t i = 0; i < b->nkeys; i++) {
		all_or |= src[i].pc;
		all_and &= src[i].pc;
	}
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[257] = {0};

		if ((((all_or ^ all_and) >> shift) & 0xff) == 0)
			continue; /* every key has the same byte here */
		for (size_t i = 0; i < b->nkeys; i++)
			count[((src[i].pc >> shift) & 0xff) + 1]++;
		for (unsigned d = 0; d < 256; d++)
			count[d + 1] += count[d];
		for (size_t i = 0; i < b->nkeys; i++)
			dst[count[(src[i].pc >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	b->keys = src;
	b->tmp = dst;
}

static void report(gort_pclntab *tab, uint64_t pc, int rc)
{
	struct gort_frame fr;

	if (rc == GORT_ENOTFOUND)
		return;
	gort_pclntab_pc_to_line(tab, pc, &fr); /* the message of this PC's error */
	fprintf(stderr, "gort-addr2line: 0x%llx: %s\n", (unsigned long long)pc,
		gort_last_error()->message);
}

/* The frames of key k (-i). */
static void translate(gort_pclntab *tab, struct batch *b, size_t k)
{
	struct answer *a = &b->res[k];
	uint64_t pc = b->keys[k].pc;
	size_t n = 0;

	if (b->nframes + MAX_FRAMES > b->cap) {
		b->cap = 2 * (b->nframes + MAX_FRAMES);
		b->frames = xrealloc(b->frames, b->cap * sizeof(*b->frames));
	}
	a->first = b->nframes;
	a->rc = gort_pclntab_lookup(tab, pc, &b->frames[b->nframes], MAX_FRAMES, &n);
	if (n > MAX_FRAMES)
		n = MAX_FRAMES; /* the outermost frames are cut, never the first */
	a->n = a->rc ? 0 : (uint32_t)n;
	if (a->rc)
		report(tab, pc, a->rc);
	b->nframes += a->n;
}

/*
 * Without -i, the pair addr2line prints, for every key in one call (its
 * lookups overlap their trips to memory): frame k is key k's.
 */
static void translate_all(gort_pclntab *tab, struct batch *b)
{
	if (b->nkeys > b->cap) {
		b->cap = b->nkeys;
		b->frames = xrealloc(b->frames, b->cap * sizeof(*b->frames));
	}
	for (size_t k = 0; k < b->nkeys; k++)
		b->sorted[k] = b->keys[k].pc;
	gort_pclntab_pc_to_lines(tab, b->sorted, b->nkeys, b->frames, b->rc);
	for (size_t k = 0; k < b->nkeys; k++) {
		b->res[k] = (struct answer){b->rc[k], b->rc[k] ? 0 : 1, k};
		if (b->rc[k])
			report(tab, b->sorted[k], b->rc[k]);
	}
}

/*
 * Answers are printed in input order, which is random against the order
 * they were written in: without help every line waits for memory a few
 * times (its answer, its frame, two strings). So loads are started ahead:
 * a line's answer and frame 16 lines ahead, its strings 8 lines ahead
 * (by then its frame is in the cache).
 */
static void prefetch_line(const struct batch *b, size_t i, int inlines, int strings)
{
#if defined(__GNUC__)
	const struct answer *a;

	if (i >= b->n || b->reverse[i])
		return;
	a = &b->res[b->rank[i]];
	if (!strings) {
		__builtin_prefetch(a);
		if (!inlines) /* one frame per answer: its index is the rank */
			__builtin_prefetch(&b->frames[b->rank[i]]);
		return;
	}
	if (!a->rc && a->n) {
		__builtin_prefetch(b->frames[a->first].function.ptr);
		__builtin_prefetch(b->frames[a->first].file.ptr);
	}
#else
	(void)b;
	(void)i;
	(void)inlines;
	(void)strings;
#endif
}

static void run_batch(gort_pclntab *tab, struct batch *b, int inlines)
{
	b->nkeys = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!b->reverse[i])
			b->keys[b->nkeys++] = (struct key){b->pc[i], (uint32_t)i};
	sort_keys(b);
	b->nframes = 0;
	for (size_t k = 0; k < b->nkeys; k++) {
		b->rank[b->keys[k].line] = (uint32_t)k;
		if (inlines)
			translate(tab, b, k);
	}
	if (!inlines)
		translate_all(tab, b);
	for (size_t i = 0; i < b->n; i++) {
		const struct answer *a;
		const struct gort_frame *fr;

		prefetch_line(b, i + 16, inlines, 0);
		prefetch_line(b, i + 8, inlines, 1);
		if (b->reverse[i]) {
			fputs("!reverse translation not implemented\n", stdout);
			continue;
		}
		a = &b->res[b->rank[i]];
		fr = b->frames + a->first;
		if (a->rc)
			fputs("?\n?:0\n", stdout);
		else if (!inlines) /* pc_to_line: Go's pair already */
			print_frame(fr[0].function, fr[0].file, fr[0].line);
		else
			for (size_t j = 0; j < a->n; j++)
				print_frame(fr[j].function, fr[j].file, fr[j].line);
	}
	b->n = 0;
}

int main(int argc, char **argv)
{
	gort_binary *bin = NULL;
	gort_pclntab *tab = NULL;
	static char buf[1 << 16];
	struct batch b = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	enum mode mode = GO_TOOL;
	/* Go's tool's start of text, to print what it prints even where it is
	   off (a stripped binary whose .text starts with C code). */
	GORT_OPTS(gort_pclntab_opts, opts, .go_tools_text = 1);
	int argi = 1, rc;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("gort-addr2line (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "-i")) {
		mode = INLINES;
		argi++;
	} else if (argc > 1 && !strcmp(argv[1], "--json")) {
		mode = JSON;
		argi++;
	}
	if (argc - argi != 1 || argv[argi][0] == '-') {
		usage(stderr);
		return 2;
	}
	if ((rc = gort_binary_open(&bin, argv[argi], NULL)) ||
	    (rc = gort_pclntab_open_opts(&tab, bin, &opts))) {
		const struct gort_error_info *e = gort_last_error();
		fprintf(stderr, "gort-addr2line: reading %s: %s\n", argv[argi],
			e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
		gort_binary_close(bin);
		return 1;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	b.pc = xrealloc(NULL, BATCH * sizeof(*b.pc));
	b.reverse = xrealloc(NULL, BATCH * sizeof(*b.reverse));
	b.rank = xrealloc(NULL, BATCH * sizeof(*b.rank));
	b.keys = xrealloc(NULL, BATCH * sizeof(*b.keys));
	b.tmp = xrealloc(NULL, BATCH * sizeof(*b.tmp));
	b.res = xrealloc(NULL, BATCH * sizeof(*b.res));
	b.sorted = xrealloc(NULL, BATCH * sizeof(*b.sorted));
	b.rc = xrealloc(NULL, BATCH * sizeof(*b.rc));
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		size_t n = (size_t)len, i;
		uint64_t pc;

		/* bufio.ScanLines: drop the newline and one carriage return. */
		if (n && line[n - 1] == '\n')
			n--;
		if (n && line[n - 1] == '\r')
			n--;
		if (n >= 2 && line[0] == '0' && line[1] == 'x')
			pc = parse_hex(line + 2, n - 2);
		else
			pc = parse_hex(line, n);
		if (mode == JSON) {
			translate_json(tab, pc);
			continue;
		}
		i = b.n++;
		b.reverse[i] = memchr(line, ':', n) != NULL;
		b.pc[i] = pc;
		if (b.n == BATCH)
			run_batch(tab, &b, mode == INLINES);
	}
	run_batch(tab, &b, mode == INLINES);
	free(line);
	free(b.pc);
	free(b.reverse);
	free(b.rank);
	free(b.keys);
	free(b.tmp);
	free(b.res);
	free(b.sorted);
	free(b.rc);
	free(b.frames);
	gort_pclntab_close(tab);
	gort_binary_close(bin);
	return fflush(stdout) != 0;
}
