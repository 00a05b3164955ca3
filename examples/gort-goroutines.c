/*
 * gort-goroutines: every goroutine of a Go core dump or of a running Go
 * process with its stack, in the
 * format of the Go runtime's own traceback (runtime/traceback.go:
 * goroutineheader, traceback2, printcreatedby1) at GOTRACEBACK=crash
 * level, so that tools reading panic dumps read this output too. Argument
 * values are not printed: every frame shows `(...)`.
 */
#include "tool.h" /* first: POSIX for the progress line */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-goroutines CORE|PID [EXE]\n"
		   "Print every goroutine of a Go core dump (optionally zstd-compressed)\n"
		   "or of the running process PID as the Go runtime's traceback does.\n"
		   "EXE defaults to the executable named in the core, or the process's.\n"
		   "A process is stopped (ptrace) only while its registers are read.\n"
		   "  --help     print this help\n"
		   "  --version  print the library version\n");
}

static int fail(const char *what, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-goroutines: %s: %s\n", what,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	return 1;
}

/* runtime/traceback.go: printFuncName (generic shapes print as [...]). */
static void print_func(struct gort_str name)
{
	const char *open, *close = NULL;
	size_t i;

	if (name.len == 15 && !memcmp(name.ptr, "runtime.gopanic", 15)) {
		fputs("panic", stdout);
		return;
	}
	open = memchr(name.ptr, '[', name.len);
	for (i = name.len; open && i > 0; i--)
		if (name.ptr[i - 1] == ']') {
			close = name.ptr + i - 1;
			break;
		}
	if (!open || !close || close <= open) {
		fwrite(name.ptr, 1, name.len, stdout);
		return;
	}
	fwrite(name.ptr, 1, (size_t)(open - name.ptr), stdout);
	fputs("[...]", stdout);
	fwrite(close + 1, 1, name.len - (size_t)(close + 1 - name.ptr), stdout);
}

/* tracebackStringNeedsQuoting and printquoted (runtime/print.go), for
   ASCII; other bytes print as \xNN. */
static void print_label(struct gort_str s, int quote)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '/' || ch == '_'))
			quote = 1;
	}
	if (!quote) {
		fwrite(s.ptr, 1, s.len, stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\r')
			fputs("\\r", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch == '\\' || ch == '"')
			printf("\\%c", ch);
		else if (ch >= ' ' && ch <= '~')
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	putchar('"');
}

/*
 * runtime/traceback.go: goroutineheader. Labels as the binary's runtime
 * prints them: Go 1.26 inside the brackets (` labels:{"k": "v"}`, always
 * quoted), Go 1.27 after them (` {k: v}`, quoted where needed); the 1.27
 * form for runtimes that print none.
 */
static void print_header(const struct gort_goroutine *g, int go_minor)
{
	int waiting = !strcmp(g->state, "waiting") || !strcmp(g->state, "leaked");
	int inside = go_minor == 26;
	size_t i;

	printf("goroutine %" PRIu64 " [%s", g->id,
	       waiting && g->wait_reason[0] ? g->wait_reason : g->state);
	if (!strcmp(g->state, "leaked"))
		fputs(" (leaked)", stdout);
	if (g->scan)
		fputs(" (scan)", stdout);
	if (g->wait_ns >= 60 * INT64_C(1000000000))
		printf(", %" PRId64 " minutes", g->wait_ns / (60 * INT64_C(1000000000)));
	if (g->locked_to_thread)
		fputs(", locked to thread", stdout);
	if (!inside)
		putchar(']');
	for (i = 0; i < g->nlabels; i++) {
		fputs(i ? ", " : inside ? " labels:{" : " {", stdout);
		print_label(g->labels[i].key, inside);
		fputs(": ", stdout);
		print_label(g->labels[i].value, inside);
	}
	if (g->nlabels)
		putchar('}');
	if (inside)
		putchar(']');
	puts(":");
}

static void print_frame(const struct gort_stack_frame *f)
{
	print_func(f->function);
	fputs("(...)\n\t", stdout);
	printf("%.*s:%d", (int)f->file.len, f->file.ptr, (int)f->line);
	if (!f->inlined && f->pc > f->entry)
		printf(" +0x%" PRIx64, f->pc - f->entry);
	putchar('\n');
}

/* runtime/traceback.go: printcreatedby1 (not for goroutine 1). */
static void print_created_by(const struct gort_goroutine *g)
{
	if (!g->creator_func.len || g->id == 1)
		return;
	fputs("created by ", stdout);
	print_func(g->creator_func);
	if (g->creator_id)
		printf(" in goroutine %" PRIu64, g->creator_id);
	printf("\n\t%.*s:%d", (int)g->creator_file.len, g->creator_file.ptr,
	       (int)g->creator_line);
	if (g->creator_pc > g->creator_entry)
		printf(" +0x%" PRIx64, g->creator_pc - g->creator_entry);
	putchar('\n');
}

static int print_goroutine(gort_core *core, const struct gort_goroutine *g,
			   int go_minor)
{
	gort_stack_iter *st;
	const struct gort_stack_frame *f;
	int rc, bad = 0;

	print_header(g, go_minor);
	if ((rc = gort_stack_iter_new(&st, core, g))) {
		if (rc == GORT_EUNSUPPORTED && !strcmp(g->state, "running"))
			puts("\tgoroutine running on other thread; stack unavailable");
		else
			bad = fail("stack", rc);
	} else {
		while ((rc = gort_stack_iter_next(st, &f)) == 0)
			print_frame(f);
		if (rc != GORT_EEND)
			bad = fail("stack", rc);
		gort_stack_iter_free(st);
	}
	print_created_by(g);
	return bad;
}

/* N of the executable's go1.N, 0 when unknown. */
static int minor_version(gort_binary *bin)
{
	struct gort_str v;
	int minor = 0;

	if (gort_binary_go_version(bin, &v, NULL) == 0 && v.len > 4 &&
	    !memcmp(v.ptr, "go1.", 4))
		for (size_t i = 4; i < v.len && v.ptr[i] >= '0' && v.ptr[i] <= '9'; i++)
			minor = minor * 10 + (v.ptr[i] - '0');
	return minor;
}

/* A process id (digits only), else a core file. */
static int open_target(gort_core **core, const char *arg, const char *exe)
{
	size_t n = strspn(arg, "0123456789");

	if (n && !arg[n] && n < 10)
		return gort_core_open_pid(core, atoi(arg), exe, NULL);
	return gort_core_open(core, arg, exe, NULL);
}

int main(int argc, char **argv)
{
	gort_core *core = NULL;
	gort_goroutine_iter *it = NULL;
	const struct gort_goroutine *g;
	static char buf[1 << 16];
	int rc, bad = 0, first = 1, go_minor;
	struct tool_progress prog;
	uint64_t done, total;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("gort-goroutines (libgoinspect) %s\n", gort_version_string());
		return 0;
	}
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if ((rc = open_target(&core, argv[1], argc == 3 ? argv[2] : NULL)) ||
	    (rc = gort_goroutine_iter_new(&it, core))) {
		rc = fail(argv[1], rc);
		goto out;
	}
	go_minor = minor_version(gort_core_binary(core));
	tool_progress_init(&prog, "gort-goroutines: reading goroutines", 1);
	while ((rc = gort_goroutine_iter_next(it, &g)) != GORT_EEND) {
		if (gort_goroutine_iter_progress(it, &done, &total) == 0)
			tool_progress(&prog, done, total);
		if (rc) {
			tool_progress_done(&prog);
			bad = fail("goroutine", rc);
			continue;
		}
		if (!first)
			putchar('\n');
		first = 0;
		bad |= print_goroutine(core, g, go_minor);
	}
	tool_progress_done(&prog);
	rc = bad;
out:
	gort_goroutine_iter_free(it);
	gort_core_close(core);
	return rc;
}
