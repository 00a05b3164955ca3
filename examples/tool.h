/*
 * What every gort-* tool shares, on the public API only: JSON output (the
 * schema of each tool is in docs/json.md) and a progress line on a terminal.
 * Header-only so that each tool stays one file plus this.
 */
#ifndef GORT_TOOL_H
#define GORT_TOOL_H

/* Include first: POSIX (clock_gettime, isatty, getline) for every tool. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <gort/gort.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A JSON string literal of s[0:n]: RFC 8259 escapes, bytes >= 0x80 as is. */
static inline void tool_json_strn(FILE *f, const char *s, size_t n)
{
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

static inline void tool_json_str(FILE *f, const char *s)
{
	tool_json_strn(f, s, strlen(s));
}

static inline void tool_json_gstr(FILE *f, struct gort_str s)
{
	tool_json_strn(f, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

/* `"key":` */
static inline void tool_json_key(FILE *f, const char *key)
{
	tool_json_str(f, key);
	putc(':', f);
}

/* "GORT_EFORMAT" for GORT_EFORMAT, from the library's one error table. */
static inline const char *tool_error_name(int rc)
{
	switch (rc) {
#define TOOL_ERROR_CASE_(name, value, cls, desc) \
	case value:                              \
		return "GORT_" #name;
		GORT_ERROR_LIST(TOOL_ERROR_CASE_)
#undef TOOL_ERROR_CASE_
	}
	return "GORT_EUNKNOWN";
}

/* The error of a failed call as a JSON object {"code","name","message"}. */
static inline void tool_json_error(FILE *f, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(f, "{\"code\":%d,\"name\":\"%s\",", rc, tool_error_name(rc));
	tool_json_key(f, "message");
	tool_json_str(f, e->code == rc && e->message[0] ? e->message
							: gort_strerror(rc));
	putc('}', f);
}

/*
 * Progress on stderr for long work: "\rgort-trace: reading  42%", redrawn
 * at most every 200 ms (the first time 200 ms after the start, so quick runs
 * show nothing), cleared by tool_progress_done(). Only when stderr is a
 * terminal, and not when the results themselves stream to the terminal on
 * stdout (`streams`): they would interleave. GORT_PROGRESS_INTERVAL_MS
 * overrides the 200 ms (the tests set 0 to see every redraw).
 */
struct tool_progress {
	int tty;
	long interval_ns;
	const char *label;
	struct timespec last;
	int shown;
};

static inline void tool_progress_init(struct tool_progress *p, const char *label,
				      int streams)
{
	const char *ms = getenv("GORT_PROGRESS_INTERVAL_MS");

	p->tty = isatty(2) && !(streams && isatty(1));
	p->interval_ns = ms && *ms ? atol(ms) * 1000000L : 200000000L;
	p->label = label;
	p->shown = 0;
	clock_gettime(CLOCK_MONOTONIC, &p->last);
}

static inline void tool_progress(struct tool_progress *p, uint64_t done,
				 uint64_t total)
{
	struct timespec now;

	if (!p->tty || total == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last.tv_sec) * 1000000000L +
		    (now.tv_nsec - p->last.tv_nsec) < p->interval_ns)
		return;
	p->last = now;
	p->shown = 1;
	fprintf(stderr, "\r%s %3u%%", p->label,
		(unsigned)(done >= total ? 100 : (double)done * 100 / (double)total));
}

static inline void tool_progress_done(struct tool_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

#endif
