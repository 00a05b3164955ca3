/*
 * The Go version of a binary: its build info, else the runtime's own
 * runtime.buildVersion string (present in every Go binary, including those
 * built before build info existed or whose blob was removed), found by its
 * symbol, else, in binaries with neither build info nor symbols, in the
 * data: the string header {ptr, len} of runtime.buildVersion lies in the
 * data ranges the first moduledata names, pointing at "go1.NN..." in
 * read-only data. (GoReSym and redress look for version-like strings too;
 * requiring the string header in the module's data keeps stray "go1."
 * bytes in code or text out.)
 */
#include "../binary/binary.h"
#include "../pclntab/pclntab.h"

#include <string.h>

/* Longest version accepted ("devel go1.23-1234abcd Tue Jan 2 ..." fits). */
#define MAX_VERSION 128

static int from_symbol(struct gort_binary *bin)
{
	struct gort_view hdr, data;
	uint64_t addr, ptr, len;
	int rc;

	if ((rc = gort__binary_go_symbol(bin, "runtime.buildVersion", &addr)) == GORT_ENOMEM)
		return rc;
	if (rc)
		return gort__fail(GORT_ENOTGO,
				  "no Go version found (no build info, no runtime.buildVersion symbol)");
	if ((rc = gort__binary_read_addr(bin, addr, 2u * gort_binary_ptr_size(bin), &hdr)) ||
	    (rc = gort__view_uptr(&hdr, 0, &ptr)) ||
	    (rc = gort__view_uptr(&hdr, hdr.ptr_size, &len)))
		return rc;
	if (len == 0 || len > 256)
		return gort__fail_addr(GORT_EFORMAT, addr,
				       "runtime.buildVersion has implausible length %llu",
				       (unsigned long long)len);
	if ((rc = gort__binary_read_addr(bin, ptr, len, &data)))
		return rc;
	bin->version_str = gort__str((const char *)data.data, len);
	bin->version_source = GORT_VERSION_FROM_SYMBOL;
	return 0;
}

/* What runtime.Version() can return: "go1.N...", or "devel ..." builds. */
static bool version_like(const uint8_t *p, uint64_t len)
{
	if (len < 5 || len > MAX_VERSION)
		return false;
	if (!(memcmp(p, "go1.", 4) == 0 && p[4] >= '0' && p[4] <= '9') &&
	    !(len > 6 && memcmp(p, "devel ", 6) == 0))
		return false;
	for (uint64_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Whether v holds a string header pointing at a version (then kept). */
static bool scan_headers(struct gort_binary *bin, struct gort_view v)
{
	unsigned w = gort_binary_ptr_size(bin);
	struct gort_view s;
	uint64_t ptr, len;

	for (uint64_t off = 0; off + 2u * w <= v.size; off += w) {
		if (gort__view_uptr(&v, off + w, &len) || len < 5 || len > MAX_VERSION ||
		    gort__view_uptr(&v, off, &ptr) ||
		    gort__binary_read_addr(bin, ptr, len, &s) || !version_like(s.data, len))
			continue;
		bin->version_str = gort__str((const char *)s.data, len);
		bin->version_source = GORT_VERSION_FROM_DATA;
		return true;
	}
	return false;
}

static int from_data(struct gort_binary *bin)
{
	uint64_t r[2][2];
	struct gort_region reg;
	struct gort_view v;
	int rc;

	if (!gort__moduledata_data_ranges(bin, r)) {
		for (int i = 0; i < 2; i++)
			if (r[i][1] > r[i][0] && !gort__binary_addr_span(bin, r[i][0], &v)) {
				if (v.size > r[i][1] - r[i][0])
					v.size = r[i][1] - r[i][0];
				if (scan_headers(bin, v))
					return 0;
			}
	}
	/* No moduledata found: every writable region. */
	for (size_t i = 0; (rc = gort__binary_region_at(bin, i, &reg)) != GORT_EEND; i++)
		if (!rc && reg.writable && scan_headers(bin, reg.data))
			return 0;
	return gort__fail(GORT_ENOTGO,
			  "no Go version found (no build info, no runtime.buildVersion symbol or string)");
}

int gort_binary_go_version(gort_binary *bin, struct gort_str *version, int *source)
{
	const gort_buildinfo *bi;
	int rc;

	if (!bin || !version)
		return gort__fail(GORT_EINVAL, "gort_binary_go_version: NULL argument");
	rc = gort_binary_buildinfo(bin, &bi);
	if (!rc) {
		*version = gort_buildinfo_go_version(bi);
		if (source)
			*source = GORT_VERSION_FROM_BUILDINFO;
		return 0;
	}
	if (rc != GORT_ENOTGO)
		return rc;
	pthread_mutex_lock(&bin->lock);
	if (!bin->version_done) {
		rc = from_symbol(bin);
		if (rc == GORT_ENOTGO)
			rc = from_data(bin);
		if (rc == GORT_ENOMEM) { /* not a property of the file: not kept */
			pthread_mutex_unlock(&bin->lock);
			return rc;
		}
		if (rc)
			gort__error_save(&bin->version_err, rc);
		bin->version_done = true;
	}
	rc = gort__error_restore(&bin->version_err);
	pthread_mutex_unlock(&bin->lock);
	if (rc)
		return rc;
	*version = bin->version_str;
	if (source)
		*source = bin->version_source;
	return 0;
}
