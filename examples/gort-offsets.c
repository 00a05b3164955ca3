/*
 * gort-offsets: the offsets of the Go runtime's structures (runtime.g, m, p,
 * gobuf, ...) in a Go binary, from its DWARF, its own runtime type
 * descriptors, or libgoinspect's built-in tables for its release and
 * architecture.
 *
 * Text: `TYPE.SIZE N` then `TYPE.FIELD OFFSET` for every name of the
 * catalogue (gort_layout_catalogue) the binary's release has; fields the
 * release lacks are left out, and so are types no source covers (schedt of
 * a release with no table: a note on stderr). --json prints one JSON object (docs/json.md)
 * adding each answer's size and source, the TLS slot of the current g, the
 * labels representation, and the wait reason and goroutine status names:
 * what an eBPF profiler loads.
 */
#include "tool.h"

static const char *source_name(int s)
{
	switch (s) {
	case GORT_LAYOUT_DWARF: return "dwarf";
	case GORT_LAYOUT_TABLE: return "table";
	case GORT_LAYOUT_NEAREST: return "nearest";
	case GORT_LAYOUT_BINARY: return "binary";
	case GORT_LAYOUT_ABI: return "abi";
	case GORT_LAYOUT_TYPES: return "types";
	default: return "unknown";
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: gort-offsets [--json] [--no-dwarf] [--no-types] [--nearest] FILE\n"
		   "Offsets of the Go runtime's structures (runtime.g, m, p, gobuf, stack,\n"
		   "schedt, moduledata, type descriptors) in a Go binary, from its DWARF,\n"
		   "else its own runtime type descriptors, else built-in tables of its Go\n"
		   "release and architecture: TYPE.SIZE N and TYPE.FIELD OFFSET lines;\n"
		   "fields the release does not have are left out.\n"
		   "  --json      one JSON object with sizes, sources, the TLS slot of g, the\n"
		   "              labels representation, wait reason and status names\n"
		   "  --no-dwarf  ignore the binary's DWARF\n"
		   "  --no-types  ignore the binary's type descriptors (with --no-dwarf:\n"
		   "              built-in tables only)\n"
		   "  --nearest   for a release without a table, use the nearest older\n"
		   "              release's table (answers say \"nearest\")\n"
		   "  --help      print this help\n"
		   "  --version   print the library version\n");
}

static int fail(const char *file, int rc)
{
	const struct gort_error_info *e = gort_last_error();

	fprintf(stderr, "gort-offsets: %s: %s\n", file,
		e->code == rc && e->message[0] ? e->message : gort_strerror(rc));
	return 1;
}

/*
 * Every name of the catalogue the binary has, in catalogue order: text
 * lines, or the "types" member of the JSON object.
 */
static int print_layout(gort_layout *lay, const char *file, int json)
{
	const char *type, *field;
	struct gort_field_layout f;
	uint64_t size;
	int src, rc, have_type = 0, ntypes = 0, nfields = 0;

	if (json)
		fputs(",\"types\":{", stdout);
	for (size_t i = 0; gort_layout_catalogue(i, &type, &field) == 0; i++) {
		if (!field) {
			rc = gort_layout_size(lay, type, &size, &src);
			have_type = rc == 0;
			if (rc == GORT_ENOTFOUND)
				continue;
			if (rc == GORT_EUNSUPPORTED) { /* no source covers it: say so */
				fprintf(stderr, "gort-offsets: %s: %s\n", file,
					gort_last_error()->message);
				continue;
			}
			if (rc)
				return fail(file, rc);
			if (!json) {
				printf("%s.SIZE %" PRIu64 "\n", type, size);
				continue;
			}
			if (ntypes++)
				fputs("}},", stdout);
			tool_json_key(stdout, type);
			printf("{\"size\":%" PRIu64 ",\"source\":\"%s\",\"fields\":{", size,
			       source_name(src));
			nfields = 0;
			continue;
		}
		if (!have_type)
			continue;
		rc = gort_layout_field(lay, type, field, &f);
		if (rc == GORT_ENOTFOUND)
			continue;
		if (rc)
			return fail(file, rc);
		if (!json) {
			printf("%s.%s %" PRIu64 "\n", type, field, f.offset);
			continue;
		}
		if (nfields++)
			putchar(',');
		tool_json_key(stdout, field);
		printf("{\"offset\":%" PRIu64 ",\"size\":%" PRIu64 ",\"source\":\"%s\"}",
		       f.offset, f.size, source_name(f.source));
	}
	if (json)
		fputs(ntypes ? "}}}" : "}", stdout);
	return 0;
}

/* A name table as {"source","names"}; left out when the binary has none. */
static int print_names(gort_layout *lay, const char *file, int waits)
{
	struct gort_str s;
	size_t n = 0;
	int src, rc;

	rc = waits ? gort_layout_wait_reason_count(lay, &n, &src)
		   : gort_layout_status_count(lay, &n, &src);
	if (rc == GORT_ENOTFOUND)
		return 0;
	if (rc)
		return fail(file, rc);
	printf(",\"%s\":{\"source\":\"%s\",\"names\":[",
	       waits ? "wait_reasons" : "status_names", source_name(src));
	for (size_t i = 0; i < n; i++) {
		rc = waits ? gort_layout_wait_reason(lay, (unsigned)i, &s, NULL)
			   : gort_layout_status_name(lay, (uint32_t)i, &s, NULL);
		if (rc == GORT_ENOTFOUND)
			s.len = 0;
		else if (rc)
			return fail(file, rc);
		if (i)
			putchar(',');
		tool_json_gstr(stdout, s);
	}
	fputs("]}", stdout);
	return 0;
}

/* The members before "types"; optional ones are left out when unknown. */
static void print_header(gort_layout *lay, gort_binary *bin, const char *file)
{
	struct gort_tls_g tls;
	struct gort_str v;
	unsigned major, minor;
	int kind;

	fputs("{\"file\":", stdout);
	tool_json_str(stdout, file);
	if (gort_binary_go_version(bin, &v, NULL) == 0) {
		fputs(",\"go_version\":", stdout);
		tool_json_gstr(stdout, v);
	}
	if (gort_layout_go_release(lay, &major, &minor) == 0)
		printf(",\"release\":\"%u.%u\"", major, minor);
	if (gort_layout_table_release(lay, &major, &minor) == 0)
		printf(",\"table_release\":\"%u.%u\"", major, minor);
	printf(",\"arch\":\"%s\",\"ptr_size\":%u", gort_arch_name(gort_binary_arch(bin)),
	       gort_binary_ptr_size(bin));
	if (gort_layout_tls_g(lay, &tls) == 0)
		printf(",\"tls_g\":{\"base\":\"%s\",\"offset\":%" PRId64 ",\"source\":\"%s\"}",
		       tls.base, tls.offset, source_name(tls.source));
	if (gort_layout_labels_kind(lay, &kind) == 0)
		printf(",\"labels\":\"%s\"", kind == GORT_LABELS_SLICE ? "slice" : "map");
}

int main(int argc, char **argv)
{
	GORT_OPTS(gort_layout_opts, opts, 0);
	gort_binary *bin = NULL;
	gort_layout *lay = NULL;
	const char *file = NULL;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("gort-offsets (libgoinspect) %s\n", gort_version_string());
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--no-dwarf")) {
			opts.no_dwarf = 1;
		} else if (!strcmp(argv[i], "--no-types")) {
			opts.no_types = 1;
		} else if (!strcmp(argv[i], "--nearest")) {
			opts.allow_nearest = 1;
		} else if (argv[i][0] == '-' || file) {
			usage(stderr);
			return 2;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	if ((rc = gort_binary_open(&bin, file, NULL)) ||
	    (rc = gort_layout_open(&lay, bin, &opts))) {
		rc = fail(file, rc);
		goto out;
	}
	if (json) {
		print_header(lay, bin, file);
		if ((rc = print_names(lay, file, 1)) || (rc = print_names(lay, file, 0)))
			goto out;
	}
	if ((rc = print_layout(lay, file, json)))
		goto out;
	if (json)
		fputs("}\n", stdout);
out:
	gort_layout_close(lay);
	gort_binary_close(bin);
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
