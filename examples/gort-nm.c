/*
 * gort-nm: the symbols of a binary (ELF, PE or Mach-O) as
 * `go tool nm -size -sort address` prints them: `%8x %10d %c %s` (blank
 * address for undefined symbols), in address then name order. With
 * -moduledata, the runtime's first moduledata instead: one `field 0xvalue`
 * line per field (found in stripped binaries too).
 */
#include <gort/gort.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-nm [-moduledata] FILE\n"
		   "List the symbols of a binary (ELF, PE or Mach-O) as\n"
		   "`go tool nm -size -sort address` does: address, size, letter, name.\n"
		   "  -moduledata  print the runtime's first moduledata instead,\n"
		   "               one `field 0xvalue` line per field\n"
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

static int print_moduledata(gort_binary *bin, const char *file)
{
	struct gort_moduledata m;
	int rc = gort_binary_moduledata(bin, &m);

	if (rc)
		return fail(file, rc);
#define F(name) printf("%s 0x%" PRIx64 "\n", #name, m.name)
	F(addr), F(pclntab), F(pclntab_size), F(ftab), F(findfunctab), F(minpc);
	F(maxpc), F(text), F(etext), F(noptrdata), F(enoptrdata), F(data);
	F(edata), F(bss), F(ebss), F(noptrbss), F(enoptrbss), F(end), F(gcdata);
	F(gcbss), F(types), F(etypes);
	if (m.has_next)
		F(next);
#undef F
	return 0;
}

static int print_symbols(gort_binary *bin, const char *file)
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
	int md = 0, rc;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("gort-nm (libgoinspect) %s\n", gort_version_string());
		return 0;
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
	rc = md ? print_moduledata(bin, argv[argc - 1]) : print_symbols(bin, argv[argc - 1]);
	gort_binary_close(bin);
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
