/*
 * gort-addr2line: translate program counters to function and file:line,
 * as `go tool addr2line FILE` does (cmd/addr2line/main.go), byte for byte.
 *
 * Input: one address per line on stdin, hexadecimal, "0x" optional.
 * Output per address: the function name on one line, then FILE:LINE; "?"
 * and "?:0" when no function holds the address. As in Go's tool, a line
 * containing ':' prints "!reverse translation not implemented", an
 * unparsable address is taken as 0, and a line of 64 KiB or more ends the
 * input.
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
 * random order on a large binary, and the more so the denser the batch
 * (BENCHMARKS.md). The lookups and the text of the answers are spread
 * over one thread per CPU (up to MAX_WORKERS). Like Go's tool, output is
 * buffered: a caller that writes one address and waits for its answer
 * before writing the next is not supported by either.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE /* madvise */
#include "tool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#define MAX_FRAMES 64
/* bufio.MaxScanTokenSize: the longest line Go's tool reads is one less. */
#define GO_MAX_LINE (64 * 1024)

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

/* Hexadecimal digits' values plus one; 0 for any other byte. */
static const uint8_t hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15,
	['F'] = 16,
};

/*
 * strconv.ParseUint(s, 16, 64) into *v: 0 on a syntax error, max on
 * overflow. Returns 1 when every byte was read (a hex number), 0 when it
 * stopped early (the rest of s is unread).
 */
static int parse_hex(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = hex1[(unsigned char)s[i]];

		if (!d) {
			*v = 0;
			return 0;
		}
		if (*v >> 60) {
			*v = UINT64_MAX;
			return 0;
		}
		*v = *v * 16 + d - 1;
	}
	return 1;
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

#define BATCH (1 << 19)
#define MAX_WORKERS 8
#define MIN_SHARE 4096 /* lookups per thread: fewer cost more than they save */
#define CHUNK 4096     /* lines a thread turns into text at a time */
#define GROUP 4096     /* lookups per gort_pclntab_pc_to_lines call */

/*
 * A batch of input lines. Lookups run in address order (keys, sorted);
 * without -i each answer is stored at its input line, so that the text is
 * made reading the answers in order; with -i the frames stay in key order
 * and rank maps an input line back to them. The lookups and the text of
 * the answers are split across threads (the table is safe to query from
 * many at once): each thread takes a contiguous share of the keys, then
 * chunks of input lines, whose text it writes out when the chunk before
 * it is out.
 */
struct key {
	uint64_t pc;
	uint32_t line; /* index in the batch */
};

/* What a line without -i prints, in one cache line: its frame's text, or rc. */
struct answer {
	const char *function, *file;
	uint32_t function_len, file_len;
	int32_t line;
	int rc;
};

struct frames { /* -i */
	int rc;
	uint32_t n;                  /* frames */
	const struct gort_frame *fr; /* the first */
};

struct batch;

struct worker {
	pthread_t thread;
	int started;
	unsigned id, nw;           /* this thread's share: the id-th of nw */
	struct batch *b;
	struct gort_frame *frames; /* its keys' frames (-i), a group's (else) */
	size_t nframes, cap;
	uint64_t *pcs;             /* a group's PCs */
	int *rc;                   /* a group's results */
	int failed;                /* some of its keys have no answer */
	char *text;                /* one chunk's answers, in input order */
	size_t len, size;
};

struct batch {
	gort_pclntab *tab;
	int inlines;
	uint8_t *reverse; /* per line: "file:line", not implemented (as Go's tool) */
	uint32_t *rank;   /* per line: its key's index (-i) */
	struct key *keys, *tmp;
	struct answer *ans;  /* per line: its answer (without -i) */
	struct frames *res;  /* per key: its answer (-i) */
	size_t n, nkeys;
	pthread_mutex_t lock;
	pthread_cond_t turn;
	size_t taken, next; /* chunks of lines: the next to make, to write */
	unsigned nworkers;
	struct worker w[MAX_WORKERS];
};

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1))) {
		fputs("gort-addr2line: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/*
 * An array of a batch, in huge pages where the system gives them on
 * request (Linux: transparent huge pages in "madvise" mode): the arrays
 * are tens of MB, each of their 4 KB pages would cost a fault (about 0.7
 * ms per MB here, a tenth of a run; BENCHMARKS.md), a 2 MB page costs one.
 */
static void *big_alloc(size_t n)
{
#if defined(MADV_HUGEPAGE)
	const size_t huge = (size_t)2 << 20;
	void *p;

	n = (n + huge - 1) / huge * huge;
	if (!(p = aligned_alloc(huge, n))) {
		fputs("gort-addr2line: out of memory\n", stderr);
		exit(1);
	}
	madvise(p, n, MADV_HUGEPAGE); /* a hint: 4 KB pages otherwise */
	return p;
#else
	return xrealloc(NULL, n);
#endif
}

/*
 * LSD radix sort of keys by pc, 11 bits a pass (the counts stay in the L1
 * cache; addresses in a 64 MB text differ in 26 bits: 3 passes), skipping
 * digits all keys share.
 */
#define DIGIT 11
static void sort_keys(struct batch *b)
{
	struct key *src = b->keys, *dst = b->tmp, *t;
	uint64_t all_or = 0, all_and = UINT64_MAX, mask = (1u << DIGIT) - 1;
	size_t count[(1u << DIGIT) + 1];

	for (size_t i = 0; i < b->nkeys; i++) {
		all_or |= src[i].pc;
		all_and &= src[i].pc;
	}
	for (unsigned shift = 0; shift < 64; shift += DIGIT) {
		if ((((all_or ^ all_and) >> shift) & mask) == 0)
			continue; /* every key has the same digit here */
		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < b->nkeys; i++)
			count[((src[i].pc >> shift) & mask) + 1]++;
		for (unsigned d = 0; d < mask + 1; d++)
			count[d + 1] += count[d];
		for (size_t i = 0; i < b->nkeys; i++)
			dst[count[(src[i].pc >> shift) & mask]++] = src[i];
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

/* Without -i: the pair addr2line prints, in calls whose lookups overlap. */
static void pairs(struct worker *w, size_t lo, size_t hi)
{
	struct batch *b = w->b;

	if (!w->pcs) {
		w->pcs = xrealloc(NULL, GROUP * sizeof(*w->pcs));
		w->rc = xrealloc(NULL, GROUP * sizeof(*w->rc));
		w->frames = xrealloc(NULL, GROUP * sizeof(*w->frames));
	}
	for (size_t k = lo; k < hi; k += GROUP) {
		size_t n = hi - k < GROUP ? hi - k : GROUP;

		for (size_t j = 0; j < n; j++)
			w->pcs[j] = b->keys[k + j].pc;
		gort_pclntab_pc_to_lines(b->tab, w->pcs, n, w->frames, w->rc);
		for (size_t j = 0; j < n; j++) {
			const struct gort_frame *fr = &w->frames[j];

			b->ans[b->keys[k + j].line] =
				(struct answer){fr->function.ptr, fr->file.ptr,
						(uint32_t)fr->function.len,
						(uint32_t)fr->file.len, fr->line, w->rc[j]};
			w->failed |= w->rc[j] != 0;
		}
	}
}

/* With -i: every frame, into the worker's own array. */
static void frames(struct worker *w, size_t lo, size_t hi)
{
	struct batch *b = w->b;
	size_t pos = 0;

	w->nframes = 0;
	for (size_t k = lo; k < hi; k++) {
		struct frames *a = &b->res[k];
		size_t n = 0;

		if (w->nframes + MAX_FRAMES > w->cap) {
			w->cap = 2 * (w->nframes + MAX_FRAMES);
			w->frames = xrealloc(w->frames, w->cap * sizeof(*w->frames));
		}
		a->rc = gort_pclntab_lookup(b->tab, b->keys[k].pc, &w->frames[w->nframes],
					    MAX_FRAMES, &n);
		if (n > MAX_FRAMES)
			n = MAX_FRAMES; /* the outermost frames are cut, never the first */
		a->n = a->rc ? 0 : (uint32_t)n;
		w->failed |= a->rc != 0;
		w->nframes += a->n;
	}
	for (size_t k = lo; k < hi; k++) { /* the frames no longer move */
		b->res[k].fr = w->frames + pos;
		pos += b->res[k].n;
	}
}

/* The answers of the worker's share of the keys. */
static void *lookups(void *arg)
{
	struct worker *w = arg;
	size_t n = w->b->nkeys, lo = n * w->id / w->nw, hi = n * (w->id + 1) / w->nw;

	if (w->b->inlines)
		frames(w, lo, hi);
	else
		pairs(w, lo, hi);
	return NULL;
}

/* Prefetch the n bytes at p: every cache line they touch. */
static void prefetch(const char *p, size_t n)
{
#if defined(__GNUC__)
	uintptr_t line = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + n;

	for (; line < end; line += 64)
		__builtin_prefetch((const char *)line);
#else
	(void)p;
	(void)n;
#endif
}

/*
 * The strings of the answers, in input order, are all over the table:
 * without help every line waits for memory. So their loads are started
 * 16 lines ahead. Without -i only, the common case.
 */
static void prefetch_line(const struct batch *b, size_t i)
{
	const struct answer *a;

	if (i >= b->n || b->reverse[i])
		return;
	a = &b->ans[i];
	if (!a->rc) {
		prefetch(a->function, a->function_len);
		prefetch(a->file, a->file_len);
	}
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* "FUNCTION\nFILE:LINE\n" at p; returns its end. */
static char *put_frame(char *p, struct gort_str fn, struct gort_str file, int32_t line)
{
	char num[16];
	size_t k = sizeof(num);
	uint32_t v = line < 0 ? 0U - (uint32_t)line : (uint32_t)line;

	do
		num[--k] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (line < 0)
		num[--k] = '-';
	p = put(p, fn.ptr, fn.len);
	*p++ = '\n';
	p = put(p, file.ptr, file.len);
	*p++ = ':';
	p = put(p, num + k, sizeof(num) - k);
	*p++ = '\n';
	return p;
}

#define REVERSE "!reverse translation not implemented\n"
#define FRAME_EXTRA 16 /* a frame's text beyond its two strings: "\n:-2147483648\n" */

/* Room for n more bytes of text. */
static void reserve(struct worker *w, size_t n)
{
	if (w->size - w->len >= n)
		return;
	w->size = 2 * (w->len + n);
	w->text = xrealloc(w->text, w->size);
}

static void put_line(struct worker *w, size_t i)
{
	const struct batch *b = w->b;
	size_t k = b->inlines ? b->rank[i] : i;

	reserve(w, sizeof(REVERSE));
	if (b->reverse[i]) {
		memcpy(w->text + w->len, REVERSE, sizeof(REVERSE) - 1);
		w->len += sizeof(REVERSE) - 1;
	} else if (b->inlines ? b->res[k].rc : b->ans[k].rc) {
		memcpy(w->text + w->len, "?\n?:0\n", 6);
		w->len += 6;
	} else if (!b->inlines) {
		const struct answer *a = &b->ans[k];

		reserve(w, a->function_len + a->file_len + FRAME_EXTRA);
		w->len = (size_t)(put_frame(w->text + w->len, (struct gort_str){a->function, a->function_len},
					    (struct gort_str){a->file, a->file_len}, a->line) -
				  w->text);
	} else {
		for (const struct gort_frame *fr = b->res[k].fr, *end = fr + b->res[k].n; fr < end;
		     fr++) {
			reserve(w, fr->function.len + fr->file.len + FRAME_EXTRA);
			w->len = (size_t)(put_frame(w->text + w->len, fr->function, fr->file,
						    fr->line) -
					  w->text);
		}
	}
}

static int out_failed;

static void write_out(const char *p, size_t n)
{
	while (n && !out_failed) {
		ssize_t k = write(STDOUT_FILENO, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			out_failed = 1;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

/*
 * Text of chunks of lines, taken in order by whichever thread is free,
 * each written out in its turn.
 */
static void *text(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	size_t c, lo;

	pthread_mutex_lock(&b->lock);
	while ((lo = (c = b->taken++) * CHUNK) < b->n) {
		size_t hi = lo + CHUNK < b->n ? lo + CHUNK : b->n;

		pthread_mutex_unlock(&b->lock);
		w->len = 0;
		for (size_t i = lo; i < hi; i++) {
			if (!b->inlines)
				prefetch_line(b, i + 16);
			put_line(w, i);
		}
		pthread_mutex_lock(&b->lock);
		while (b->next != c)
			pthread_cond_wait(&b->turn, &b->lock);
		pthread_mutex_unlock(&b->lock);
		write_out(w->text, w->len);
		pthread_mutex_lock(&b->lock);
		b->next++;
		pthread_cond_broadcast(&b->turn);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/*
 * fn on nw threads, the caller's being the first; the share of a thread
 * that cannot start runs on the caller's.
 */
static void run_workers(struct batch *b, unsigned nw, void *(*fn)(void *))
{
	if (nw > b->nworkers)
		nw = b->nworkers;
	if (nw == 0)
		nw = 1;
	for (unsigned j = 0; j < nw; j++) {
		struct worker *w = &b->w[j];

		w->b = b;
		w->id = j;
		w->nw = nw;
		w->started = j && !pthread_create(&w->thread, NULL, fn, w);
	}
	fn(&b->w[0]);
	for (unsigned j = 1; j < nw; j++) {
		if (b->w[j].started)
			pthread_join(b->w[j].thread, NULL);
		else
			fn(&b->w[j]);
	}
}

static void run_batch(struct batch *b)
{
	int failed = 0;

	if (!b->n)
		return;
	sort_keys(b);
	if (b->inlines)
		for (size_t k = 0; k < b->nkeys; k++)
			b->rank[b->keys[k].line] = (uint32_t)k;
	for (unsigned j = 0; j < MAX_WORKERS; j++)
		b->w[j].failed = 0;
	run_workers(b, (unsigned)(b->nkeys / MIN_SHARE), lookups);
	for (unsigned j = 0; j < MAX_WORKERS; j++)
		failed |= b->w[j].failed;
	for (size_t k = 0; failed && k < b->nkeys; k++) {
		int rc = b->inlines ? b->res[k].rc : b->ans[b->keys[k].line].rc;

		if (rc)
			report(b->tab, b->keys[k].pc, rc);
	}
	b->taken = b->next = 0;
	run_workers(b, (unsigned)((b->n + CHUNK - 1) / CHUNK), text);
	b->n = 0;
	b->nkeys = 0;
}

/*
 * Standard input, read in large blocks: lines are views into buf, valid
 * until the next call. buf[len] is always 0, which ends any scan.
 */
struct input {
	char *buf;
	size_t pos, len, cap;
	int eof;
};

/*
 * The common line, a hex number of at most 16 digits ("0x" optional) and
 * its newline, read without next_line's general path; 0 for any other
 * line, or one not all in buf yet, left to next_line.
 */
static int plain_line(struct input *in, uint64_t *pc)
{
	const unsigned char *p = (const unsigned char *)in->buf + in->pos, *q;
	uint64_t v = 0;
	unsigned d;

	if (p[0] == '0' && p[1] == 'x')
		p += 2;
	for (q = p; (d = hex1[*q]) != 0 && q - p < 16; q++)
		v = v * 16 + d - 1;
	if (q == p || *q != '\n')
		return 0;
	*pc = v;
	in->pos = (size_t)((const char *)q + 1 - in->buf);
	return 1;
}

/* The next line without its newline in *s and *n; 0 at the end of input. */
static int next_line(struct input *in, const char **s, size_t *n)
{
	for (;;) {
		char *p = in->buf + in->pos, *nl = memchr(p, '\n', in->len - in->pos);
		ssize_t k;

		if (nl || (in->eof && in->pos < in->len)) {
			*s = p;
			*n = nl ? (size_t)(nl - p) : in->len - in->pos;
			in->pos += *n + (nl != NULL);
			return 1;
		}
		if (in->eof)
			return 0;
		/* Keep the partial line, make room, read more. */
		memmove(in->buf, p, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
		if (in->cap - in->len < (1 << 16)) {
			in->cap = 2 * in->cap + (1 << 16);
			in->buf = xrealloc(in->buf, in->cap);
		}
		k = read(STDIN_FILENO, in->buf + in->len, in->cap - in->len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			in->eof = 1; /* as getline: a read error ends the input */
		else
			in->len += (size_t)k;
		in->buf[in->len] = 0;
	}
}

int main(int argc, char **argv)
{
	gort_binary *bin = NULL;
	gort_pclntab *tab = NULL;
	static char buf[1 << 16];
	struct batch b = {0};
	struct input in = {0};
	const char *line;
	size_t n;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
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
	setvbuf(stdout, buf, _IOFBF, sizeof(buf)); /* --json */
	b.tab = tab;
	b.inlines = mode == INLINES;
	b.nworkers = ncpu < 1 ? 1 : ncpu > MAX_WORKERS ? MAX_WORKERS : (unsigned)ncpu;
	b.reverse = big_alloc(BATCH * sizeof(*b.reverse));
	if (b.inlines)
		b.rank = big_alloc(BATCH * sizeof(*b.rank));
	b.keys = big_alloc(BATCH * sizeof(*b.keys));
	b.tmp = big_alloc(BATCH * sizeof(*b.tmp));
	if (b.inlines)
		b.res = big_alloc(BATCH * sizeof(*b.res));
	else
		b.ans = big_alloc(BATCH * sizeof(*b.ans));
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.turn, NULL);
	in.buf = xrealloc(NULL, in.cap = 1 << 20);
	in.buf[0] = 0;
	for (;;) {
		uint64_t pc;
		size_t i;
		int number;

		if (mode != JSON && plain_line(&in, &pc)) {
			i = b.n++;
			b.reverse[i] = 0;
			b.keys[b.nkeys++] = (struct key){pc, (uint32_t)i};
			if (b.n == BATCH)
				run_batch(&b);
			continue;
		}
		if (!next_line(&in, &line, &n))
			break;

		/* Go's tool reads stdin with a bufio.Scanner, which gives up on a
		   line of 64 KiB or more (bufio.MaxScanTokenSize): what follows
		   is not read, what came before is answered, and it exits 0. */
		if (n >= GO_MAX_LINE)
			break;
		/* bufio.ScanLines: the newline is gone, drop one carriage return. */
		if (n && line[n - 1] == '\r')
			n--;
		if (n >= 2 && line[0] == '0' && line[1] == 'x')
			number = parse_hex(line + 2, n - 2, &pc);
		else
			number = parse_hex(line, n, &pc);
		if (mode == JSON) {
			translate_json(tab, pc);
			continue;
		}
		i = b.n++;
		b.reverse[i] = !number && memchr(line, ':', n) != NULL;
		if (!b.reverse[i])
			b.keys[b.nkeys++] = (struct key){pc, (uint32_t)i};
		if (b.n == BATCH)
			run_batch(&b);
	}
	run_batch(&b);
	free(in.buf);
	free(b.reverse);
	free(b.rank);
	free(b.keys);
	free(b.tmp);
	free(b.res);
	free(b.ans);
	for (unsigned j = 0; j < MAX_WORKERS; j++) {
		free(b.w[j].frames);
		free(b.w[j].pcs);
		free(b.w[j].rc);
		free(b.w[j].text);
	}
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.turn);
	gort_pclntab_close(tab);
	gort_binary_close(bin);
	return (fflush(stdout) != 0) | out_failed;
}
