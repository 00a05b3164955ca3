/*
 * gort-funcs: list the functions of a Go binary's pclntab in table order,
 * one line each: `0xENTRY 0xEND NAME` (lowercase hex), with entry and end
 * as debug/gosym reports them (Func.Entry, Func.End), given the start of
 * text Go's tools give it; --runtime: where the running program has them
 * (they differ only for a stripped binary the system linker linked, whose
 * .text starts with C code: gort_pclntab_opts.go_tools_text).
 */
#include "tool.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-funcs [--json] [--runtime] FILE\n"
		   "List the functions of a Go binary's function table (pclntab), in table\n"
		   "order: 0xENTRY 0xEND NAME per line, as debug/gosym reports them.\n"
		   "  --json     one JSON object per function (docs/json.md)\n"
		   "  --runtime  addresses as the running program has them, where Go's tools\n"
		   "             are off (a stripped binary whose .text starts with C code)\n"
		   "  --help     print this help\n"
		   "  --version  print the library version\n");
}

static void print_json(const struct gort_func *f)
{
	printf("{\"entry\":%" PRIu64 ",\"end\":%" PRIu64 ",\"name\":", f->entry,
	       f->end);
	tool_json_gstr(stdout, f->name);
	printf(",\"start_line\":%" PRId32 ",\"func_id\":%u,\"flags\":%u",
	       f->start_line, f->func_id, f->flags);
	if (f->args_size != INT32_MIN)
		printf(",\"args_size\":%" PRId32, f->args_size);
	fputs("}\n", stdout);
}

static int fail(const char *file, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-funcs: %s: %s\n", file,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	gort_binary *bin = NULL;
	gort_pclntab *tab = NULL;
	gort_func_iter *it = NULL;
	const struct gort_func *f;
	static char buf[1 << 16];
	GORT_OPTS(gort_pclntab_opts, opts, .go_tools_text = 1);
	int rc, json = 0;

	while (argc > 2 && (!strcmp(argv[1], "--json") || !strcmp(argv[1], "--runtime"))) {
		if (!strcmp(argv[1], "--json"))
			json = 1;
		else
			opts.go_tools_text = 0;
		argv++;
		argc--;
	}
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("gort-funcs (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if ((rc = gort_binary_open(&bin, argv[1], NULL)) ||
	    (rc = gort_pclntab_open_opts(&tab, bin, &opts)) || (rc = gort_func_iter_new(&it, tab))) {
		rc = fail(argv[1], rc);
		goto out;
	}
	while ((rc = gort_func_iter_next(it, &f)) == 0)
		if (json)
			print_json(f);
		else
			printf("0x%" PRIx64 " 0x%" PRIx64 " %.*s\n", f->entry, f->end,
			       (int)f->name.len, f->name.ptr);
	rc = rc == GORT_EEND ? 0 : fail(argv[1], rc);
out:
	gort_func_iter_free(it);
	gort_pclntab_close(tab);
	gort_binary_close(bin);
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
