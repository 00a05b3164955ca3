/*
 * The Go version of a binary: its build info, else the runtime's own
 * runtime.buildVersion string (present in every Go binary, including those
 * built before build info existed or whose blob was removed).
 */
#include "../binary/binary.h"

static int from_symbol(struct gort_binary *bin)
{
	struct gort_view hdr, data;
	uint64_t addr, ptr, len;
	int rc;

	if (gort__binary_go_symbol(bin, "runtime.buildVersion", &addr))
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
