/*
 * gort-goroutines: every goroutine of a Go core dump or of a running Go
 * process with its stack (filtered, grouped or as JSON on request), in the
 * format of the Go runtime's own traceback (runtime/traceback.go:
 * goroutineheader, traceback2, printcreatedby1) at GOTRACEBACK=crash
 * level, so that tools reading panic dumps read this output too. Argument
 * values are not printed: every frame shows `(...)`.
 */
#include "tool.h" /* first: POSIX for the progress line */

#include <stdlib.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-goroutines [OPTION]... CORE|PID [EXE]\n"
		   "Print every goroutine of a Go core dump (optionally zstd-compressed)\n"
		   "or of the running process PID as the Go runtime's traceback does.\n"
		   "EXE defaults to the executable named in the core, or the process's.\n"
		   "A process is stopped (ptrace) only while its registers are read.\n"
		   "  --group          one block per set of goroutines with the same\n"
		   "                   status, stack and creator: count and ids\n"
		   "  --status S       only goroutines whose printed status (the wait\n"
		   "                   reason, or running, runnable, syscall...) is S;\n"
		   "                   repeat for any of several\n"
		   "  --min-wait M     only goroutines waiting for at least M minutes\n"
		   "                   (in a core, measured against the latest time\n"
		   "                   the runtime wrote down: a lower bound)\n"
		   "  --label K=V      only goroutines with pprof label K set to V (K\n"
		   "                   alone: with label K); repeat for all of several\n"
		   "  --func TEXT      only goroutines with a frame whose function\n"
		   "                   contains TEXT\n"
		   "  --json           one JSON object per goroutine, or per group with\n"
		   "                   --group (docs/json.md)\n"
		   "  --help           print this help\n"
		   "  --version        print the library version\n");
}

static int fail(const char *what, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-goroutines: %s: %s\n", what,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	return 1;
}

/* runtime/traceback.go: printFuncName (generic shapes print as [...]). */
static void print_func(FILE *out, struct gort_str name)
{
	const char *open, *close = NULL;
	size_t i;

	if (name.len == 15 && !memcmp(name.ptr, "runtime.gopanic", 15)) {
		fputs("panic", out);
		return;
	}
	open = memchr(name.ptr, '[', name.len);
	for (i = name.len; open && i > 0; i--)
		if (name.ptr[i - 1] == ']') {
			close = name.ptr + i - 1;
			break;
		}
	if (!open || !close || close <= open) {
		fwrite(name.ptr, 1, name.len, out);
		return;
	}
	fwrite(name.ptr, 1, (size_t)(open - name.ptr), out);
	fputs("[...]", out);
	fwrite(close + 1, 1, name.len - (size_t)(close + 1 - name.ptr), out);
}

/* tracebackStringNeedsQuoting and printquoted (runtime/print.go), for
   ASCII; other bytes print as \xNN. */
static void print_label(FILE *out, struct gort_str s, int quote)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '/' || ch == '_'))
			quote = 1;
	}
	if (!quote) {
		fwrite(s.ptr, 1, s.len, out);
		return;
	}
	putc('"', out);
	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\r')
			fputs("\\r", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch == '\\' || ch == '"')
			fprintf(out, "\\%c", ch);
		else if (ch >= ' ' && ch <= '~')
			putc(ch, out);
		else
			fprintf(out, "\\x%02x", ch);
	}
	putc('"', out);
}

#define MINUTE_NS (60 * INT64_C(1000000000))

/* The status the header prints: the wait reason of a waiting goroutine. */
static const char *shown_status(const struct gort_goroutine *g)
{
	int waiting = !strcmp(g->state, "waiting") || !strcmp(g->state, "leaked");

	return waiting && g->wait_reason[0] ? g->wait_reason : g->state;
}

/*
 * runtime/traceback.go: goroutineheader after "goroutine N", in two parts
 * around where ", M minutes" goes. Labels as the binary's runtime prints
 * them: Go 1.26 inside the brackets (` labels:{"k": "v"}`, always quoted),
 * Go 1.27 after them (` {k: v}`, quoted where needed); the 1.27 form for
 * runtimes that print none.
 */
static void print_header(FILE *a, FILE *b, const struct gort_goroutine *g,
			 int go_minor)
{
	int inside = go_minor == 26;
	size_t i;

	fprintf(a, " [%s", shown_status(g));
	if (!strcmp(g->state, "leaked"))
		fputs(" (leaked)", a);
	if (g->scan)
		fputs(" (scan)", a);
	if (g->locked_to_thread)
		fputs(", locked to thread", b);
	if (!inside)
		putc(']', b);
	for (i = 0; i < g->nlabels; i++) {
		fputs(i ? ", " : inside ? " labels:{" : " {", b);
		print_label(b, g->labels[i].key, inside);
		fputs(": ", b);
		print_label(b, g->labels[i].value, inside);
	}
	if (g->nlabels)
		putc('}', b);
	if (inside)
		putc(']', b);
	putc(':', b);
}

/* One goroutine's frames, copied out of the stack iterator (the strings
   are the executable's and outlive it), and why the stack ended early. */
struct stack {
	struct gort_stack_frame *f;
	size_t n, cap;
	int rc;        /* 0, or the error that ended it */
	char msg[512]; /* its message */
};

static int collect(gort_core *core, const struct gort_goroutine *g, struct stack *s)
{
	gort_stack_iter *st;
	const struct gort_stack_frame *f;
	int rc;

	s->n = 0;
	s->rc = 0;
	if ((rc = gort_stack_iter_new(&st, core, g)) == 0) {
		while ((rc = gort_stack_iter_next(st, &f)) == 0) {
			if (s->n == s->cap) {
				size_t cap = s->cap * 2 + 64;
				struct gort_stack_frame *nf = realloc(s->f, cap * sizeof(*nf));
				if (!nf) {
					gort_stack_iter_free(st);
					fputs("gort-goroutines: out of memory\n", stderr);
					exit(1);
				}
				s->f = nf;
				s->cap = cap;
			}
			s->f[s->n++] = *f;
		}
		gort_stack_iter_free(st);
		if (rc == GORT_EEND)
			return 0;
	}
	s->rc = rc;
	snprintf(s->msg, sizeof(s->msg), "%s",
		 gort_last_error()->code == rc && gort_last_error()->message[0]
			 ? gort_last_error()->message : gort_strerror(rc));
	return rc;
}

/* A stack the runtime would print as "running on other thread". */
static int unavailable(const struct gort_goroutine *g, const struct stack *s)
{
	return s->rc == GORT_EUNSUPPORTED && !s->n && !strcmp(g->state, "running");
}

/* Frames and "created by" (runtime/traceback.go: traceback2,
   printcreatedby1, not for goroutine 1). */
static void print_body(FILE *out, const struct gort_goroutine *g, const struct stack *s)
{
	if (unavailable(g, s))
		fputs("\tgoroutine running on other thread; stack unavailable\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct gort_stack_frame *f = &s->f[i];
		print_func(out, f->function);
		fprintf(out, "(...)\n\t%.*s:%d", (int)f->file.len, f->file.ptr, (int)f->line);
		if (!f->inlined && f->pc > f->entry)
			fprintf(out, " +0x%" PRIx64, f->pc - f->entry);
		putc('\n', out);
	}
	if (!g->creator_func.len || g->id == 1)
		return;
	fputs("created by ", out);
	print_func(out, g->creator_func);
	if (g->creator_id)
		fprintf(out, " in goroutine %" PRIu64, g->creator_id);
	fprintf(out, "\n\t%.*s:%d", (int)g->creator_file.len, g->creator_file.ptr,
		(int)g->creator_line);
	if (g->creator_pc > g->creator_entry)
		fprintf(out, " +0x%" PRIx64, g->creator_pc - g->creator_entry);
	putc('\n', out);
}

static void json_frame(FILE *out, const struct gort_stack_frame *f)
{
	fputs("{\"function\":", out);
	tool_json_gstr(out, f->function);
	fputs(",\"file\":", out);
	tool_json_gstr(out, f->file);
	fprintf(out, ",\"line\":%d,\"inlined\":%s,\"pc\":%" PRIu64 ",\"entry\":%" PRIu64
		",\"sp\":%" PRIu64 ",\"trap\":%s}",
		(int)f->line, f->inlined ? "true" : "false", f->pc, f->entry, f->sp,
		f->trap ? "true" : "false");
}

/* 1 when wait durations are measured against an estimated clock (a core
   file: gort_core_clock), 0 when against a clock read (a live process). */
static int wait_estimated;

/* One goroutine as a JSON object (docs/json.md). */
static void print_json(FILE *out, const struct gort_goroutine *g, const struct stack *s)
{
	fprintf(out, "{\"id\":%" PRIu64 ",\"addr\":%" PRIu64 ",\"status\":", g->id, g->addr);
	tool_json_str(out, g->state);
	if (g->wait_reason[0]) {
		fputs(",\"wait_reason\":", out);
		tool_json_str(out, g->wait_reason);
	}
	if (g->wait_ns >= 0)
		fprintf(out, ",\"wait_ns\":%" PRId64 ",\"wait_minutes\":%" PRId64
			",\"wait_estimated\":%s",
			g->wait_ns, g->wait_ns / MINUTE_NS, wait_estimated ? "true" : "false");
	fprintf(out, ",\"scan\":%s,\"locked_to_thread\":%s", g->scan ? "true" : "false",
		g->locked_to_thread ? "true" : "false");
	if (g->m_id >= 0)
		fprintf(out, ",\"m_id\":%" PRId64, g->m_id);
	if (g->thread_id)
		fprintf(out, ",\"thread_id\":%" PRId64, g->thread_id);
	fprintf(out, ",\"start_pc\":%" PRIu64 ",\"start_func\":", g->start_pc);
	tool_json_gstr(out, g->start_func);
	fprintf(out, ",\"stack_lo\":%" PRIu64 ",\"stack_hi\":%" PRIu64, g->stack_lo, g->stack_hi);
	if (g->nlabels) {
		fputs(",\"labels\":{", out);
		for (size_t i = 0; i < g->nlabels; i++) {
			if (i)
				putc(',', out);
			tool_json_gstr(out, g->labels[i].key);
			putc(':', out);
			tool_json_gstr(out, g->labels[i].value);
		}
		putc('}', out);
	}
	if (g->creator_func.len) {
		fputs(",\"created_by\":{\"function\":", out);
		tool_json_gstr(out, g->creator_func);
		fputs(",\"file\":", out);
		tool_json_gstr(out, g->creator_file);
		fprintf(out, ",\"line\":%d,\"pc\":%" PRIu64 ",\"entry\":%" PRIu64,
			(int)g->creator_line, g->creator_pc, g->creator_entry);
		if (g->creator_id)
			fprintf(out, ",\"goroutine\":%" PRIu64, g->creator_id);
		putc('}', out);
	}
	fputs(",\"frames\":[", out);
	for (size_t i = 0; i < s->n; i++) {
		if (i)
			putc(',', out);
		json_frame(out, &s->f[i]);
	}
	putc(']', out);
	if (s->rc) {
		const struct gort_error_info *e = gort_last_error();
		fprintf(out, ",\"stack_error\":{\"code\":%d,\"name\":\"%s\",\"message\":",
			s->rc, tool_error_name(s->rc));
		tool_json_str(out, s->msg);
		putc('}', out);
		(void)e;
	}
	putc('}', out);
}

/* What to show (command-line filters). */
struct filter {
	const char **status;
	size_t nstatus;
	const char **label;
	size_t nlabel;
	const char *func;
	int64_t min_wait; /* minutes, -1: any */
};

static int has_label(const struct gort_goroutine *g, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; i < g->nlabels; i++) {
		struct gort_str k = g->labels[i].key, v = g->labels[i].value;
		if (k.len == klen && !memcmp(k.ptr, kv, klen) &&
		    (!eq || (v.len == strlen(eq + 1) && !memcmp(v.ptr, eq + 1, v.len))))
			return 1;
	}
	return 0;
}

/* The filters that need no stack. */
static int wanted(const struct filter *fl, const struct gort_goroutine *g)
{
	size_t i;

	for (i = 0; i < fl->nstatus; i++)
		if (!strcmp(fl->status[i], shown_status(g)))
			break;
	if (fl->nstatus && i == fl->nstatus)
		return 0;
	for (i = 0; i < fl->nlabel; i++)
		if (!has_label(g, fl->label[i]))
			return 0;
	return fl->min_wait < 0 || (g->wait_ns >= 0 && g->wait_ns / MINUTE_NS >= fl->min_wait);
}

static int wanted_stack(const struct filter *fl, const struct stack *s)
{
	size_t n = fl->func ? strlen(fl->func) : 0;

	if (!fl->func)
		return 1;
	for (size_t i = 0; i < s->n; i++) {
		struct gort_str f = s->f[i].function;
		for (size_t j = 0; f.len >= n && j <= f.len - n; j++)
			if (!memcmp(f.ptr + j, fl->func, n))
				return 1;
	}
	return 0;
}

/* Goroutines with the same status, labels, stack and creator. */
struct group {
	char *key;     /* header parts + body: what must be equal */
	size_t head_a; /* key = head_a bytes, then head_b bytes, then body */
	size_t head_b;
	char *json;    /* the first goroutine as JSON (with --json) */
	uint64_t *ids;
	size_t n, cap;
	int64_t min_minutes, max_minutes; /* -1: none waits a minute */
};

struct groups {
	struct group *g;
	size_t n, cap;
	size_t *slot; /* hash table of indexes + 1 into g */
	size_t nslot;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		fputs("gort-goroutines: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static struct group *group_of(struct groups *gs, char *key)
{
	size_t i;

	if (2 * (gs->n + 1) > gs->nslot) {
		size_t ns = gs->nslot ? gs->nslot * 2 : 1024;
		free(gs->slot);
		gs->slot = xrealloc(NULL, ns * sizeof(*gs->slot));
		memset(gs->slot, 0, ns * sizeof(*gs->slot));
		gs->nslot = ns;
		for (size_t k = 0; k < gs->n; k++) {
			for (i = hash(gs->g[k].key) % ns; gs->slot[i]; i = (i + 1) % ns)
				;
			gs->slot[i] = k + 1;
		}
	}
	for (i = hash(key) % gs->nslot; gs->slot[i]; i = (i + 1) % gs->nslot)
		if (!strcmp(gs->g[gs->slot[i] - 1].key, key)) {
			free(key);
			return &gs->g[gs->slot[i] - 1];
		}
	if (gs->n == gs->cap) {
		gs->cap = gs->cap * 2 + 64;
		gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
	}
	gs->slot[i] = gs->n + 1;
	memset(&gs->g[gs->n], 0, sizeof(gs->g[0]));
	gs->g[gs->n].key = key;
	gs->g[gs->n].min_minutes = gs->g[gs->n].max_minutes = -1;
	return &gs->g[gs->n++];
}

static int bycount(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->ids[0] < y->ids[0] ? -1 : x->ids[0] > y->ids[0];
}

/* Render one goroutine into its group. */
static void add_to_group(struct groups *gs, const struct gort_goroutine *g,
			 const struct stack *s, int go_minor, int json)
{
	char *a = NULL, *b = NULL, *body = NULL, *key;
	size_t na, nb, nbody;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb),
	     *fbody = open_memstream(&body, &nbody);
	struct group *gr;
	int64_t m = g->wait_ns >= MINUTE_NS ? g->wait_ns / MINUTE_NS : -1;

	if (!fa || !fb || !fbody) {
		fputs("gort-goroutines: out of memory\n", stderr);
		exit(1);
	}
	print_header(fa, fb, g, go_minor);
	print_body(fbody, g, s);
	if (s->rc && !unavailable(g, s))
		fprintf(fbody, "\t(stack ends: %s)\n", s->msg);
	fclose(fa);
	fclose(fb);
	fclose(fbody);
	key = xrealloc(NULL, na + nb + nbody + 1);
	memcpy(key, a, na);
	memcpy(key + na, b, nb);
	memcpy(key + na + nb, body, nbody + 1);
	free(a);
	free(b);
	free(body);
	gr = group_of(gs, key);
	gr->head_a = na;
	gr->head_b = nb;
	if (gr->n == gr->cap) {
		gr->cap = gr->cap * 2 + 4;
		gr->ids = xrealloc(gr->ids, gr->cap * sizeof(*gr->ids));
	}
	gr->ids[gr->n++] = g->id;
	if (m >= 0 && (gr->min_minutes < 0 || m < gr->min_minutes))
		gr->min_minutes = m;
	if (m > gr->max_minutes)
		gr->max_minutes = m;
	if (json && !gr->json) {
		size_t nj;
		FILE *fj = open_memstream(&gr->json, &nj);
		if (!fj) {
			fputs("gort-goroutines: out of memory\n", stderr);
			exit(1);
		}
		print_json(fj, g, s);
		fclose(fj);
	}
}

/* Groups, largest first: "N goroutines [status, M..K minutes]...: ids". */
static void print_groups(struct groups *gs, int json)
{
	qsort(gs->g, gs->n, sizeof(*gs->g), bycount);
	for (size_t i = 0; i < gs->n; i++) {
		struct group *gr = &gs->g[i];
		if (json) {
			fprintf(stdout, "{\"count\":%zu,\"ids\":[", gr->n);
			for (size_t k = 0; k < gr->n; k++)
				fprintf(stdout, "%s%" PRIu64, k ? "," : "", gr->ids[k]);
			fputs("],", stdout);
			if (gr->min_minutes >= 0)
				fprintf(stdout, "\"min_wait_minutes\":%" PRId64
					",\"max_wait_minutes\":%" PRId64 ",\"wait_estimated\":%s,",
					gr->min_minutes, gr->max_minutes,
					wait_estimated ? "true" : "false");
			fprintf(stdout, "\"goroutine\":%s}\n", gr->json);
		} else {
			if (i)
				putchar('\n');
			printf("%zu goroutine%s", gr->n, gr->n == 1 ? "" : "s");
			fwrite(gr->key, 1, gr->head_a, stdout);
			if (gr->min_minutes >= 0 && gr->min_minutes == gr->max_minutes)
				printf(", %" PRId64 " minutes", gr->min_minutes);
			else if (gr->min_minutes >= 0)
				printf(", %" PRId64 "..%" PRId64 " minutes", gr->min_minutes,
				       gr->max_minutes);
			fwrite(gr->key + gr->head_a, 1, gr->head_b, stdout);
			for (size_t k = 0; k < gr->n; k++)
				printf(" %" PRIu64, gr->ids[k]);
			putchar('\n');
			fputs(gr->key + gr->head_a + gr->head_b, stdout);
		}
		free(gr->key);
		free(gr->json);
		free(gr->ids);
	}
	free(gs->g);
	free(gs->slot);
}

/* One goroutine as the runtime prints it; a stack error on stderr. */
static int print_goroutine(const struct gort_goroutine *g, const struct stack *s,
			   int go_minor, int *first)
{
	char *a = NULL, *b = NULL;
	size_t na, nb;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);

	if (!fa || !fb) {
		fputs("gort-goroutines: out of memory\n", stderr);
		exit(1);
	}
	print_header(fa, fb, g, go_minor);
	fclose(fa);
	fclose(fb);
	if (!*first)
		putchar('\n');
	*first = 0;
	printf("goroutine %" PRIu64 "%s", g->id, a);
	if (g->wait_ns >= MINUTE_NS)
		printf(", %" PRId64 " minutes", g->wait_ns / MINUTE_NS);
	printf("%s\n", b);
	free(a);
	free(b);
	print_body(stdout, g, s);
	if (s->rc && !unavailable(g, s)) {
		fprintf(stderr, "gort-goroutines: goroutine %" PRIu64 ": stack: %s\n", g->id, s->msg);
		return 1;
	}
	return 0;
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

/* Progress of opening a core (gort_core_opts.progress), one label per
   step. */
static void opening(int step, uint64_t done, uint64_t total, void *arg)
{
	struct tool_progress *p = arg;
	const char *label = step == GORT_CORE_STEP_DECOMPRESS
				    ? "gort-goroutines: decompressing the core"
			    : step == GORT_CORE_STEP_NOTES
				    ? "gort-goroutines: reading the core's notes"
				    : "gort-goroutines: opening the core";

	if (p->label != label) {
		tool_progress_done(p);
		p->label = label;
	}
	tool_progress(p, done, total);
}

/*
 * A process id (digits only), else a core file. Opening a core shows
 * progress even when stdout is a terminal: nothing is printed yet.
 */
static int open_target(gort_core **core, const char *arg, const char *exe)
{
	GORT_OPTS(gort_core_opts, o, .progress = opening);
	struct tool_progress prog;
	size_t n = strspn(arg, "0123456789");
	int rc;

	if (n && !arg[n] && n < 10)
		return gort_core_open_pid(core, atoi(arg), exe, NULL);
	tool_progress_init(&prog, "gort-goroutines: opening the core", 0);
	o.progress_arg = &prog;
	rc = gort_core_open(core, arg, exe, &o);
	tool_progress_done(&prog);
	return rc;
}

/* The value of option argv[*i] (--opt V or --opt=V), or NULL. */
static const char *optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int main(int argc, char **argv)
{
	gort_core *core = NULL;
	gort_goroutine_iter *it = NULL;
	const struct gort_goroutine *g;
	static char buf[1 << 16];
	struct filter fl = {.min_wait = -1};
	struct groups gs = {0};
	struct stack st = {0};
	struct tool_progress prog;
	uint64_t done, total;
	const char *args[2], *v;
	int rc, bad = 0, first = 1, go_minor, group = 0, json = 0, nargs = 0;

	fl.status = calloc((size_t)argc, sizeof(*fl.status));
	fl.label = calloc((size_t)argc, sizeof(*fl.label));
	if (!fl.status || !fl.label)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("gort-goroutines (libgoinspect) %s\n", gort_version_string());
			return 0;
		} else if (!strcmp(a, "--group")) {
			group = 1;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if ((v = optval(argc, argv, &i, "--status"))) {
			fl.status[fl.nstatus++] = v;
		} else if ((v = optval(argc, argv, &i, "--label"))) {
			fl.label[fl.nlabel++] = v;
		} else if ((v = optval(argc, argv, &i, "--func"))) {
			fl.func = v;
		} else if ((v = optval(argc, argv, &i, "--min-wait"))) {
			char *end;
			fl.min_wait = strtoll(v, &end, 10);
			if (!*v || *end || fl.min_wait < 0) {
				fprintf(stderr, "gort-goroutines: --min-wait wants minutes, not '%s'\n", v);
				usage(stderr);
				return 2;
			}
		} else if (a[0] == '-' || nargs == 2) {
			usage(stderr);
			return 2;
		} else {
			args[nargs++] = a;
		}
	}
	if (nargs == 0) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	if ((rc = open_target(&core, args[0], nargs == 2 ? args[1] : NULL)) ||
	    (rc = gort_goroutine_iter_new(&it, core))) {
		rc = fail(args[0], rc);
		goto out;
	}
	go_minor = minor_version(gort_core_binary(core));
	{
		struct gort_core_clock clk;
		wait_estimated = gort_core_clock(core, &clk) == 0 &&
				 clk.kind == GORT_CLOCK_ESTIMATE;
	}
	tool_progress_init(&prog, "gort-goroutines: reading goroutines", 1);
	while ((rc = gort_goroutine_iter_next(it, &g)) != GORT_EEND) {
		if (gort_goroutine_iter_progress(it, &done, &total) == 0)
			tool_progress(&prog, done, total);
		if (rc) {
			tool_progress_done(&prog);
			bad = fail("goroutine", rc);
			continue;
		}
		if (!wanted(&fl, g))
			continue;
		collect(core, g, &st);
		if (!wanted_stack(&fl, &st))
			continue;
		if (group)
			add_to_group(&gs, g, &st, go_minor, json);
		else if (json) {
			print_json(stdout, g, &st);
			putchar('\n');
		} else
			bad |= print_goroutine(g, &st, go_minor, &first);
	}
	tool_progress_done(&prog);
	if (group)
		print_groups(&gs, json);
	rc = bad;
out:
	free(st.f);
	free(fl.status);
	free(fl.label);
	gort_goroutine_iter_free(it);
	gort_core_close(core);
	return rc;
}
