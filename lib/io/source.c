#include "source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
 * Decompress every frame through `sink`: works whether or not frames
 * record their size, and never trusts a recorded size beyond the
 * configured limit. The sink receives the output a window at a time.
 */
struct sink {
	int (*write)(struct sink *k, const uint8_t *p, size_t n);
	struct gort_source *s;
	int fd;
	uint64_t used, limit;
	const struct gort__source_how *how; /* progress, or NULL */
};

#define PROGRESS_EVERY (1u << 20) /* output bytes between two reports */
#define RELEASE_EVERY (1u << 20)  /* input bytes consumed between two releases */

static int inflate_zstd(struct sink *k, const uint8_t *src, size_t n)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	size_t cap = ZSTD_DStreamOutSize();
	uint8_t *buf = gort__malloc(cap);
	ZSTD_inBuffer in = {src, n, 0};
	uint64_t shown = 0, released = 0, whole = ZSTD_getFrameContentSize(src, n);
	int rc = 0;

	/* Progress in output bytes when the first frame says its size (time
	   goes with the output; held below the end should more frames
	   follow), else in input bytes. Not ZSTD_findFrameCompressedSize:
	   it would read every block header of the input up front. */
	if (whole == ZSTD_CONTENTSIZE_UNKNOWN || whole == ZSTD_CONTENTSIZE_ERROR)
		whole = 0;

	if (!ds || !buf) {
		ZSTD_freeDStream(ds);
		gort__free(buf);
		return gort__fail(GORT_ENOMEM, "zstd: cannot create a decoder");
	}
	while (!rc) {
		ZSTD_outBuffer out = {buf, cap, 0};
		size_t ret = ZSTD_decompressStream(ds, &out, &in);

		if (ZSTD_isError(ret)) {
			rc = gort__fail_at(GORT_ECOMPRESSED, in.pos,
					   "zstd: %s near compressed offset 0x%zx",
					   ZSTD_getErrorName(ret), in.pos);
			break;
		}
		if (out.pos > k->limit - k->used) {
			rc = gort__fail(GORT_ETOOLARGE,
					"zstd: decompressed size exceeds the limit of %llu bytes",
					(unsigned long long)k->limit);
			break;
		}
		if (out.pos && (rc = k->write(k, buf, out.pos)))
			break;
		k->used += out.pos;
		/* Input consumed is not read again: a mapped file's pages of it
		   leave the resident set (nothing for a caller's buffer). */
		if (in.pos - released >= RELEASE_EVERY) {
			gort__source_release(k->s, released, in.pos);
			released = in.pos;
		}
		if (k->how && k->how->progress && k->used - shown >= PROGRESS_EVERY) {
			shown = k->used;
			if (whole)
				k->how->progress(k->how->arg, k->used < whole ? k->used : whole - 1, whole);
			else
				k->how->progress(k->how->arg, in.pos, in.size);
		}
		if (in.pos == in.size && ret == 0)
			break; /* every frame complete */
		/* More input wanted, none left, room to spare: cut short. */
		if (in.pos == in.size && out.pos < out.size)
			rc = gort__fail_at(GORT_ETRUNCATED, in.pos,
					   "zstd: input ends inside a frame at offset 0x%zx",
					   in.pos);
	}
	if (!rc && k->how && k->how->progress)
		k->how->progress(k->how->arg, whole ? whole : in.size, whole ? whole : in.size);
	ZSTD_freeDStream(ds);
	gort__free(buf);
	return rc;
}

/* Sink into the anonymous mapping. */
static int write_memory(struct sink *k, const uint8_t *p, size_t n)
{
	int rc;

	if (k->s->inflated_cap - k->used < n && (rc = grow(k->s, (size_t)(k->used + n), k->limit)))
		return rc;
	memcpy((uint8_t *)k->s->inflated + k->used, p, n);
	return 0;
}

/* Sink into the temporary file. */
static int write_file(struct sink *k, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(k->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return gort__fail_errno(w < 0 ? errno : ENOSPC,
						"zstd: writing the decompressed input to a temporary file");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * An unlinked file in $TMPDIR (else /tmp) to hold the decompressed bytes;
 * -1 when none can be made.
 */
static int temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/goinspect-XXXXXX", dir) >= sizeof(path))
		return -1;
	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	return fd;
}

/*
 * The decompressed bytes go to an unlinked temporary file, mapped once
 * complete: decompressing then needs one window of memory, and the
 * mapping's pages are page cache, read in as touched and dropped again by
 * readers that move on (gort__source_release), so resident memory follows
 * what is read, not the decompressed size (a multi-GB core or trace).
 * Without a usable temporary file (none can be created, or it fills up)
 * the bytes are decompressed into anonymous memory instead.
 */
static int inflate_source(struct gort_source *s, const uint8_t *src, size_t n,
			  const struct gort_open_opts *opts,
			  const struct gort__source_how *how)
{
	struct sink k = {write_file, s, temp_file(), 0, max_decompressed(opts), how};
	unsigned long long hint;
	void *map;
	int rc;

	if (k.fd >= 0) {
		rc = inflate_zstd(&k, src, n);
		if (!rc && k.used == 0) {
			close(k.fd);
			s->view = gort__view_make("", 0, "decompressed input");
			s->compressed = true;
			return 0;
		}
		if (!rc && (map = mmap(NULL, (size_t)k.used, PROT_READ, MAP_SHARED, k.fd, 0)) !=
				   MAP_FAILED) {
			if (how && how->keep_fd) {
				s->fd = k.fd;
				s->has_fd = true;
			} else {
				close(k.fd);
			}
			s->inflated = map;
			s->inflated_cap = (size_t)k.used;
			s->inflated_file = true;
			s->view = gort__view_make(map, (size_t)k.used, "decompressed input");
			s->compressed = true;
			return 0;
		}
		close(k.fd);
		/* The input's own faults are final; the file's are retried in memory. */
		if (rc == GORT_ECOMPRESSED || rc == GORT_ETRUNCATED || rc == GORT_ETOOLARGE)
			return rc;
	}
	/* The file's progress reports start again from 0: a step back, but
	   the work does start again. */
	k = (struct sink){write_memory, s, -1, 0, max_decompressed(opts), how};
	hint = ZSTD_getFrameContentSize(src, n);
	if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR &&
	    hint < k.limit && (rc = grow(s, (size_t)hint + 1, k.limit)))
		return rc;
	if ((rc = inflate_zstd(&k, src, n)))
		return rc;
	if (s->inflated)
		mprotect(s->inflated, s->inflated_cap, PROT_READ);
	s->view = gort__view_make(s->inflated ? s->inflated : (void *)"", (size_t)k.used,
				  "decompressed input");
	s->compressed = true;
	return 0;
}

void gort__source_release(const struct gort_source *s, uint64_t from, uint64_t to)
{
	long page = sysconf(_SC_PAGESIZE);
	void *base = s->compressed ? (s->inflated_file ? s->inflated : NULL) : s->map;
	uint64_t lo, hi;

	/* Only file pages: they come back unchanged if touched again. */
	if (!base || page <= 0 || to > s->view.size || from >= to)
		return;
	lo = from / (uint64_t)page * (uint64_t)page; /* [lo, from) was read before */
	hi = to / (uint64_t)page * (uint64_t)page;
	if (hi > lo)
		madvise((char *)base + lo, (size_t)(hi - lo), MADV_DONTNEED);
}

/* fd: the file data came from, or -1; kept (s->fd) when asked for and
   data is not compressed. */
static int finish_open(struct gort_source *s, const void *data, size_t size,
		       const struct gort_open_opts *opts,
		       const struct gort__source_how *how, int fd)
{
	int rc;

	s->view = gort__view_make(data, size, "input");
	if (!gort__is_zstd(data, size)) {
		if (fd >= 0 && how && how->keep_fd) {
			s->fd = fd;
			s->has_fd = true;
		} else if (fd >= 0) {
			close(fd);
		}
		return 0;
	}
	if (fd >= 0)
		close(fd);
	rc = inflate_source(s, data, size, opts, how);
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
	return gort__source_open_path_how(s, path, opts, NULL);
}

int gort__source_open_path_how(struct gort_source *s, const char *path,
			       const struct gort_open_opts *opts,
			       const struct gort__source_how *how)
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
	rc = finish_open(s, s->map ? s->map : "", s->map_size, opts, how, fd);
	if (rc)
		gort__source_close(s);
	return rc;
}

int gort__source_open_memory(struct gort_source *s, const void *data,
			     size_t size, const struct gort_open_opts *opts)
{
	return gort__source_open_memory_how(s, data, size, opts, NULL);
}

int gort__source_open_memory_how(struct gort_source *s, const void *data,
				 size_t size, const struct gort_open_opts *opts,
				 const struct gort__source_how *how)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if (!data && size)
		return gort__fail(GORT_EINVAL, "data is NULL");
	if ((rc = gort__opts_check(opts, sizeof(*opts), "gort_open_opts")))
		return rc;
	rc = finish_open(s, data ? data : "", size, opts, how, -1);
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
	if (s->has_fd)
		close(s->fd);
	memset(s, 0, sizeof(*s));
}
