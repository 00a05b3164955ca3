#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define DEFAULT_MAX_DECOMPRESSED (64ull << 30)

bool gort__is_zstd(const uint8_t *p, size_t n)
{
	uint32_t m;

	if (n < 4)
		return false;
	m = gort__ld32(p, false);
	return m == 0xFD2FB528u || (m & 0xFFFFFFF0u) == 0x184D2A50u;
}

static uint64_t max_decompressed(const struct gort_open_opts *opts)
{
	if (GORT_OPTS_HAS(opts, max_decompressed) && opts->max_decompressed)
		return opts->max_decompressed;
	return DEFAULT_MAX_DECOMPRESSED;
}

/* Grow the anonymous output mapping to at least `need` bytes. */
static int grow(struct gort_source *s, size_t need, uint64_t limit)
{
	size_t cap = s->inflated_cap ? s->inflated_cap : 1 << 20;
	void *p;

	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > limit)
		cap = (size_t)limit;
	if (cap < need)
		return gort__fail(GORT_ETOOLARGE,
				  "zstd: decompressed size exceeds the limit of %llu bytes",
				  (unsigned long long)limit);
	if (s->inflated)
		p = mremap(s->inflated, s->inflated_cap, cap, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return gort__fail(GORT_ENOMEM,
				  "zstd: cannot reserve %zu bytes for decompressed data",
				  cap);
	s->inflated = p;
	s->inflated_cap = cap;
	return 0;
}

/*
 * Stream-decompress every frame: works whether or not frames record their
 * size, and never trusts a recorded size beyond the configured limit.
 */
static int inflate_zstd(struct gort_source *s, const uint8_t *src, size_t n,
			const struct gort_open_opts *opts)
{
	uint64_t limit = max_decompressed(opts);
	unsigned long long hint = ZSTD_getFrameContentSize(src, n);
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer in = {src, n, 0};
	size_t used = 0;
	int rc = 0;

	if (!ds)
		return gort__fail(GORT_ENOMEM, "zstd: cannot create a decoder");
	if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR &&
	    hint < limit)
		rc = grow(s, (size_t)hint + 1, limit);
	while (!rc) {
		ZSTD_outBuffer out;
		size_t ret;

		if (used == s->inflated_cap && (rc = grow(s, used + 1, limit)))
			break;
		out.dst = s->inflated;
		out.size = s->inflated_cap;
		out.pos = used;
		ret = ZSTD_decompressStream(ds, &out, &in);
		if (ZSTD_isError(ret)) {
			rc = gort__fail_at(GORT_ECOMPRESSED, in.pos,
					   "zstd: %s near compressed offset 0x%zx",
					   ZSTD_getErrorName(ret), in.pos);
			break;
		}
		used = out.pos;
		if (in.pos == in.size && ret == 0)
			break; /* every frame complete */
		/* More input wanted, none left, room to spare: cut short. */
		if (in.pos == in.size && out.pos < out.size)
			rc = gort__fail_at(GORT_ETRUNCATED, in.pos,
					   "zstd: input ends inside a frame at offset 0x%zx",
					   in.pos);
	}
	ZSTD_freeDStream(ds);
	if (rc)
		return rc;
	if (s->inflated)
		mprotect(s->inflated, s->inflated_cap, PROT_READ);
	s->view = gort__view_make(s->inflated ? s->inflated : (void *)"", used,
				  "decompressed input");
	s->compressed = true;
	return 0;
}

static int finish_open(struct gort_source *s, const void *data, size_t size,
		       const struct gort_open_opts *opts)
{
	int rc;

	s->view = gort__view_make(data, size, "input");
	if (!gort__is_zstd(data, size))
		return 0;
	rc = inflate_zstd(s, data, size, opts);
	/* The compressed mapping is no longer needed. */
	if (s->map) {
		munmap(s->map, s->map_size);
		s->map = NULL;
	}
	return rc;
}

int gort__source_open_path(struct gort_source *s, const char *path,
			   const struct gort_open_opts *opts)
{
	struct stat st;
	int fd, err, rc;

	memset(s, 0, sizeof(*s));
	if (!path)
		return gort__fail(GORT_EINVAL, "path is NULL");
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_open_opts")))
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gort__fail_errno(errno, "open %s", path);
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return gort__fail_errno(err, "stat %s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return gort__fail(GORT_EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > 0) {
		s->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
			      fd, 0);
		if (s->map == MAP_FAILED) {
			err = errno;
			s->map = NULL;
			close(fd);
			return gort__fail_errno(err, "mmap %s", path);
		}
		s->map_size = (size_t)st.st_size;
	}
	close(fd);
	rc = finish_open(s, s->map ? s->map : "", s->map_size, opts);
	if (rc)
		gort__source_close(s);
	return rc;
}

int gort__source_open_memory(struct gort_source *s, const void *data,
			     size_t size, const struct gort_open_opts *opts)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (!data && size)
		return gort__fail(GORT_EINVAL, "data is NULL");
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_open_opts")))
		return rc;
	rc = finish_open(s, data ? data : "", size, opts);
	if (rc)
		gort__source_close(s);
	return rc;
}

void gort__source_close(struct gort_source *s)
{
	if (!s)
		return;
	if (s->map)
		munmap(s->map, s->map_size);
	if (s->inflated)
		munmap(s->inflated, s->inflated_cap);
	memset(s, 0, sizeof(*s));
}
