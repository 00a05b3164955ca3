/*
 * gort-nm: the symbols of a binary (ELF, PE or Mach-O) as
 * `go tool nm -size -sort address` prints them: `%8x %10d %c %s` (blank
 * address for undefined symbols), in address then name order. With
 * -moduledata, the runtime's first moduledata instead: one `field 0xvalue`
 * line per field (found in stripped binaries too). --json: the same as
 * JSON Lines (docs/json.md).
 */
#include "tool.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-nm [--json] [-moduledata] FILE\n"
		   "List the symbols of a binary (ELF, PE or Mach-O) as\n"
		   "`go tool nm -size -sort address` does: address, size, letter, name.\n"
		   "  -moduledata  print the runtime's first moduledata instead,\n"
		   "               one `field 0xvalue` line per field\n"
		   "  --json       one JSON object per symbol, or one for the\n"
		   "               moduledata (docs/json.md)\n"
		   "  --help       print this help\n"
		   "  --version    print the library version\n");
}

static int fail(const char *file, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-nm: %s: %s\n", file,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	return 1;
}

static int print_moduledata(gort_binary *bin, const char *file, int json)
{
	struct gort_moduledata m;
	const char *sep = "{";
	int rc = gort_binary_moduledata(bin, &m);

	if (rc)
		return fail(file, rc);
#define F(name)                                                                \
	(json ? printf("%s\"%s\":%" PRIu64, sep, #name, m.name)                  \
	      : printf("%s 0x%" PRIx64 "\n", #name, m.name)), sep = ","
	F(addr), F(pclntab), F(pclntab_size), F(ftab), F(findfunctab), F(minpc);
	F(maxpc), F(text), F(etext), F(noptrdata), F(enoptrdata), F(data);
	F(edata), F(bss), F(ebss), F(noptrbss), F(enoptrbss), F(end), F(gcdata);
	F(gcbss), F(types), F(etypes);
	if (m.has_next)
		F(next);
#undef F
	if (json)
		puts("}");
	return 0;
}

/* {"address","size","kind","name"}; no address for undefined symbols. */
static void print_symbol_json(const struct gort_symbol *s)
{
	putchar('{');
	if (s->kind != 'U')
		printf("\"address\":%" PRIu64 ",", s->value);
	printf("\"size\":%" PRIu64 ",\"kind\":\"%c\",\"name\":", s->size, s->kind);
	tool_json_gstr(stdout, s->name);
	puts("}");
}

static int print_symbols(gort_binary *bin, const char *file, int json)
{
	struct gort_symbol s;
	size_t n;
	int rc;

	if ((rc = gort_binary_symbol_count(bin, &n)))
		return fail(file, rc);
	if (n == 0) {
		fprintf(stderr, "gort-nm: %s: no symbols\n", file);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = gort_binary_symbol_at(bin, i, &s)))
			return fail(file, rc);
		if (json) {
			print_symbol_json(&s);
			continue;
		}
		if (s.kind == 'U')
			printf("%8s", "");
		else
			printf("%8" PRIx64, s.value);
		printf(" %10" PRIu64 " %c %.*s\n", s.size, s.kind, (int)s.name.len, s.name.ptr);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	gort_binary *bin = NULL;
	int md = 0, json = 0, rc;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("gort-nm (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "--json")) {
		json = 1;
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "-moduledata"))
		md = 1;
	else if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if ((rc = gort_binary_open(&bin, argv[argc - 1], NULL)))
		return fail(argv[argc - 1], rc);
	rc = md ? print_moduledata(bin, argv[argc - 1], json)
		: print_symbols(bin, argv[argc - 1], json);
	gort_binary_close(bin);
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
