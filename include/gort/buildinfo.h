/*
 * libgoinspect: build information, what `go version -m` prints.
 *
 * Mirrors Go's debug/buildinfo (finding and decoding the blob the linker
 * writes) and runtime/debug.ParseBuildInfo (the modinfo text).
 */
#ifndef GORT_BUILDINFO_H
#define GORT_BUILDINFO_H

#include <gort/binary.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The decoded build information of a binary (borrowed from it). */
typedef struct gort_buildinfo gort_buildinfo;

/* A module; fields may be empty (len 0). Never allocate one yourself. */
struct gort_module {
	struct gort_str path;    /* module path */
	struct gort_str version; /* "v1.2.3", "(devel)", or empty */
	struct gort_str sum;     /* go.sum hash ("h1:..."), or empty */
	const struct gort_module *replace; /* NULL when not replaced */
};

/* One `build KEY=VALUE` line, unquoted. */
struct gort_build_setting {
	struct gort_str key;   /* e.g. "GOARCH", "-ldflags", "vcs.revision" */
	struct gort_str value; /* unquoted */
};

/*
 * The binary's build information, decoded on first call. Borrowed: valid
 * until gort_binary_close(). Safe from many threads.
 * Errors: GORT_ENOTGO (no build info blob: not a Go binary, or its blob was
 * removed; see gort_binary_go_version), GORT_EFORMAT, GORT_ETRUNCATED.
 */
GORT_API int gort_binary_buildinfo(gort_binary *bin,
				   const gort_buildinfo **out);

/* Go version, e.g. "go1.22.12". */
GORT_API struct gort_str gort_buildinfo_go_version(const gort_buildinfo *bi);
/* Package path of the main package; empty if unknown. */
GORT_API struct gort_str gort_buildinfo_path(const gort_buildinfo *bi);
/* Main module, or NULL when the binary was built outside module mode. */
GORT_API const struct gort_module *
gort_buildinfo_main(const gort_buildinfo *bi);
/* Number of dependencies (`dep` lines). */
GORT_API size_t gort_buildinfo_dep_count(const gort_buildinfo *bi);
/* Dependency i, in the binary's order; NULL when i is out of range. */
GORT_API const struct gort_module *
gort_buildinfo_dep_at(const gort_buildinfo *bi, size_t i);
/* Number of build settings (`build` lines). */
GORT_API size_t gort_buildinfo_setting_count(const gort_buildinfo *bi);
/* Build setting i, in the binary's order; NULL when i is out of range. */
GORT_API const struct gort_build_setting *
gort_buildinfo_setting_at(const gort_buildinfo *bi, size_t i);

/*
 * The module information in the text form Go's BuildInfo.String() prints
 * (without the "go" line), which `go version -m` indents with tabs.
 * Borrowed, NUL-terminated, valid until gort_binary_close(). Empty when the
 * binary has no module information.
 */
GORT_API const char *gort_buildinfo_string(const gort_buildinfo *bi);

/* Where a Go version came from. */
enum gort_version_source {
	GORT_VERSION_FROM_BUILDINFO = 1, /* the build info blob */
	GORT_VERSION_FROM_SYMBOL = 2,    /* runtime.buildVersion, by symbol */
	/*
	 * runtime.buildVersion found without symbols: a string header in the
	 * data the runtime's moduledata names, pointing at "go1.N..." (or
	 * "devel ...").
	 */
	GORT_VERSION_FROM_DATA = 3
};

/*
 * The Go version of the binary: from its build info when present, else
 * from the runtime's own runtime.buildVersion string (by its symbol, else
 * found in the data: stripped binaries whose build info was removed). *version is borrowed
 * (valid until gort_binary_close); *source (may be NULL) says where it
 * came from. Errors: GORT_ENOTGO when neither is found.
 */
GORT_API int gort_binary_go_version(gort_binary *bin, struct gort_str *version,
				    int *source);

#ifdef __cplusplus
}
#endif

#endif
