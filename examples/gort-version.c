/*
 * gort-version: print the Go version (and with -m, the module information)
 * of Go binaries, byte for byte as `go version [-m] FILE...` does, and also
 * for binaries without build info (from runtime.buildVersion, by symbol or,
 * without symbols, found in the data) and for zstd-compressed files.
 */
#define _XOPEN_SOURCE 700
#include "tool.h"

#include <errno.h>
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int opt_m, opt_json;
static int status;

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-version [-m] [--json] FILE|DIR...\n"
		   "Print the Go version each Go binary was built with, as `go version` does.\n"
		   "Directories are searched recursively for Go binaries.\n"
		   "  -m         also print its module information (`go version -m`)\n"
		   "  --json     one JSON object per binary, with modules and build settings\n"
		   "             (docs/json.md)\n"
		   "  --help     print this help\n"
		   "  --version  print the library version\n");
}

static int candidate(const char *file, const struct stat *st)
{
	const char *dot = strrchr(file, '.');

	if (S_ISREG(st->st_mode) && (st->st_mode & 0111))
		return 1;
	if (dot && (!strcasecmp(dot, ".so") || !strcasecmp(dot, ".exe") ||
		    !strcasecmp(dot, ".dll")))
		return 1;
	return strstr(file, ".so.") != NULL;
}

/* Print one indented line per line of the module text, as cmd/go does. */
static void print_modinfo(const char *text)
{
	size_t n = strlen(text);

	if (n == 0)
		return;
	putchar('\t');
	for (size_t i = 0; i + 1 < n; i++) {
		putchar(text[i]);
		if (text[i] == '\n')
			putchar('\t');
	}
	putchar('\n');
}

static void json_module(const struct gort_module *m)
{
	fputs("{\"path\":", stdout);
	tool_json_gstr(stdout, m->path);
	fputs(",\"version\":", stdout);
	tool_json_gstr(stdout, m->version);
	fputs(",\"sum\":", stdout);
	tool_json_gstr(stdout, m->sum);
	if (m->replace) {
		fputs(",\"replace\":", stdout);
		json_module(m->replace);
	}
	putchar('}');
}

static const char *source_name(int source)
{
	switch (source) {
	case GORT_VERSION_FROM_BUILDINFO:
		return "buildinfo";
	case GORT_VERSION_FROM_SYMBOL:
		return "symbol";
	default:
		return "other";
	}
}

/* bi may be NULL: a version without build info. */
static void json_binary(const char *file, struct gort_str v, int source,
			const gort_buildinfo *bi)
{
	fputs("{\"file\":", stdout);
	tool_json_str(stdout, file);
	fputs(",\"go_version\":", stdout);
	tool_json_gstr(stdout, v);
	printf(",\"version_source\":\"%s\"", source_name(source));
	if (bi) {
		const struct gort_module *m = gort_buildinfo_main(bi);

		fputs(",\"path\":", stdout);
		tool_json_gstr(stdout, gort_buildinfo_path(bi));
		if (m) {
			fputs(",\"main\":", stdout);
			json_module(m);
		}
		fputs(",\"deps\":[", stdout);
		for (size_t i = 0; i < gort_buildinfo_dep_count(bi); i++) {
			if (i)
				putchar(',');
			json_module(gort_buildinfo_dep_at(bi, i));
		}
		fputs("],\"settings\":[", stdout);
		for (size_t i = 0; i < gort_buildinfo_setting_count(bi); i++) {
			const struct gort_build_setting *s = gort_buildinfo_setting_at(bi, i);
			fputs(i ? ",{\"key\":" : "{\"key\":", stdout);
			tool_json_gstr(stdout, s->key);
			fputs(",\"value\":", stdout);
			tool_json_gstr(stdout, s->value);
			putchar('}');
		}
		putchar(']');
	}
	fputs("}\n", stdout);
}

static void json_error(const char *file, int rc)
{
	fputs("{\"file\":", stdout);
	tool_json_str(stdout, file);
	fputs(",\"error\":", stdout);
	tool_json_error(stdout, rc);
	fputs("}\n", stdout);
}

/* Returns 1 if file is a Go binary; reports errors when must_print. */
static int scan_file(const char *file, const struct stat *st, int must_print)
{
	const struct gort_error_info *e;
	const gort_buildinfo *bi;
	struct gort_str v;
	gort_binary *bin;
	int rc, source;

	rc = gort_binary_open(&bin, file, NULL);
	if (!rc)
		rc = gort_binary_buildinfo(bin, &bi);
	if (!rc && opt_json) {
		json_binary(file, gort_buildinfo_go_version(bi),
			    GORT_VERSION_FROM_BUILDINFO, bi);
		gort_binary_close(bin);
		return 1;
	}
	if (!rc) {
		v = gort_buildinfo_go_version(bi);
		printf("%s: %.*s\n", file, (int)v.len, v.ptr);
		if (opt_m)
			print_modinfo(gort_buildinfo_string(bi));
		gort_binary_close(bin);
		return 1;
	}
	e = gort_last_error();
	if (rc == GORT_ENOTGO && gort_binary_go_version(bin, &v, &source) == 0) {
		/* Go's tool stops here; the runtime's own string still says. */
		if (opt_json) {
			json_binary(file, v, source, NULL);
			gort_binary_close(bin);
			return 1;
		}
		printf("%s: %.*s\n", file, (int)v.len, v.ptr);
		if (opt_m)
			fprintf(stderr, "%s: no module information (version from runtime.buildVersion%s)\n",
				file, source == GORT_VERSION_FROM_DATA ? ", found in the data" : "");
		gort_binary_close(bin);
		return 1;
	}
	if (must_print && opt_json) {
		json_error(file, rc);
	} else if (must_print && candidate(file, st)) {
		if (rc == GORT_ENOTGO)
			fprintf(stderr, "%s: could not read Go build info from %s: not a Go executable\n",
				file, file);
		else if (rc == GORT_EUNKNOWNFILE)
			fprintf(stderr, "%s: could not read Go build info from %s: unrecognized file format\n",
				file, file);
		else
			fprintf(stderr, "%s: could not read Go build info from %s: %s\n",
				file, file, e->message);
	}
	gort_binary_close(bin);
	return 0;
}

static int bytewise(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* filepath.WalkDir: lexical order, symlinks not followed into. */
static void scan_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, bytewise);

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(dir) + strlen(name) + 2;
		char *path = malloc(len);
		struct stat st;

		if (path && strcmp(name, ".") && strcmp(name, "..")) {
			snprintf(path, len, "%s%s%s", dir,
				 dir[strlen(dir) - 1] == '/' ? "" : "/", name);
			if (lstat(path, &st) == 0) {
				if (S_ISDIR(st.st_mode))
					scan_dir(path);
				else if (S_ISREG(st.st_mode) ||
					 (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
					  S_ISREG(st.st_mode)))
					scan_file(path, &st, 0);
			}
		}
		free(path);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/* Go spells errno texts in lower case ("no such file or directory"). */
static void print_errno(const char *op, const char *path, int err)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "%s", strerror(err));
	msg[0] = (char)tolower((unsigned char)msg[0]);
	fprintf(stderr, "%s %s: %s\n", op, path, msg);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-m")) {
			opt_m = 1;
		} else if (!strcmp(argv[i], "--json")) {
			opt_json = 1;
		} else if (!strcmp(argv[i], "--version")) {
			printf("gort-version (libgoinspect) %s\n", gort_version_string());
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "gort-version: unknown flag %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			int err = errno;

			if (opt_json) {
				printf("{\"file\":");
				tool_json_str(stdout, argv[i]);
				printf(",\"error\":{\"code\":%d,\"name\":\"GORT_EIO\","
				       "\"message\":", GORT_EIO);
				tool_json_str(stdout, strerror(err));
				printf("}}\n");
			} else {
				print_errno("stat", argv[i], err);
			}
			status = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			scan_dir(argv[i]);
		else if (!scan_file(argv[i], &st, 1) && opt_m)
			status = 1;
	}
	return status;
}
