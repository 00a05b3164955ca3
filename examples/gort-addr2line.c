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

static void print_frame(struct gort_str fn, struct gort_str file, long line)
{
	printf("%.*s\n%.*s:%ld\n", (int)fn.len, fn.ptr, (int)file.len, file.ptr, line);
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

static void translate(gort_pclntab *tab, uint64_t pc, enum mode mode)
{
	struct gort_frame fr[MAX_FRAMES];
	size_t n = 0;
	int rc = gort_pclntab_lookup(tab, pc, fr, MAX_FRAMES, &n);

	if (n > MAX_FRAMES)
		n = MAX_FRAMES; /* the outermost frames are cut, never the first */
	if (mode == JSON) {
		print_json(pc, rc, fr, n);
		return;
	}

	if (rc) {
		if (rc != GORT_ENOTFOUND)
			fprintf(stderr, "gort-addr2line: 0x%llx: %s\n", (unsigned long long)pc,
				gort_last_error()->message);
		fputs("?\n?:0\n", stdout);
		return;
	}
	if (mode == GO_TOOL) {
		print_frame(fr[n - 1].function, fr[0].file, fr[0].line);
		return;
	}
	for (size_t i = 0; i < n; i++)
		print_frame(fr[i].function, fr[i].file, fr[i].line);
}

int main(int argc, char **argv)
{
	gort_binary *bin = NULL;
	gort_pclntab *tab = NULL;
	static char buf[1 << 16];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	enum mode mode = GO_TOOL;
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
	    (rc = gort_pclntab_open(&tab, bin))) {
		const struct gort_error_info *e = gort_last_error();
		fprintf(stderr, "gort-addr2line: reading %s: %s\n", argv[argi],
			e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
		gort_binary_close(bin);
		return 1;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		size_t n = (size_t)len;

		/* bufio.ScanLines: drop the newline and one carriage return. */
		if (n && line[n - 1] == '\n')
			n--;
		if (n && line[n - 1] == '\r')
			n--;
		if (memchr(line, ':', n) && mode != JSON) {
			fputs("!reverse translation not implemented\n", stdout);
			continue;
		}
		if (n >= 2 && line[0] == '0' && line[1] == 'x')
			translate(tab, parse_hex(line + 2, n - 2), mode);
		else
			translate(tab, parse_hex(line, n), mode);
	}
	free(line);
	gort_pclntab_close(tab);
	gort_binary_close(bin);
	return fflush(stdout) != 0;
}
