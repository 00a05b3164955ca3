/* Inputs: files (mmap), caller buffers, zstd-compressed data. */
#include "testutil.h"
#include "io/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

static char tmpdir[] = "/tmp/gort-test-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static const char *write_tmp(const char *name, const void *data, size_t n)
{
	static char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + i / 1000);
	return p;
}

static void test_file_and_memory(void **state)
{
	struct gort_source s;
	uint8_t *data = pattern(10000);
	const char *path = write_tmp("plain", data, 10000);
	(void)state;

	assert_int_equal(gort__source_open_path(&s, path, NULL), 0);
	assert_false(s.compressed);
	assert_true(s.view.size == 10000 && memcmp(s.view.data, data, 10000) == 0);
	gort__source_close(&s);

	assert_int_equal(gort__source_open_memory(&s, data, 10000, NULL), 0);
	assert_ptr_equal(s.view.data, data); /* borrowed, not copied */
	gort__source_close(&s);

	path = write_tmp("empty", "", 0);
	assert_int_equal(gort__source_open_path(&s, path, NULL), 0);
	assert_true(s.view.size == 0);
	gort__source_close(&s);
	free(data);
}

static void test_bad_paths(void **state)
{
	struct gort_source s;
	(void)state;

	assert_int_equal(gort__source_open_path(&s, "/nonexistent/x", NULL), GORT_EIO);
	assert_int_equal(gort_last_error()->sys_errno, ENOENT);
	assert_non_null(strstr(gort_last_error()->message, "/nonexistent/x"));
	assert_int_equal(gort__source_open_path(&s, tmpdir, NULL), GORT_EINVAL);
	assert_int_equal(gort__source_open_path(&s, NULL, NULL), GORT_EINVAL);
	assert_int_equal(gort__source_open_memory(&s, NULL, 4, NULL), GORT_EINVAL);
}

static void test_zstd_known_and_unknown_size(void **state)
{
	size_t n = 3 << 20, bound = ZSTD_compressBound(n), clen;
	uint8_t *data = pattern(n), *z = malloc(bound * 2);
	struct gort_source s;
	(void)state;

	/* One frame with its content size recorded. */
	clen = ZSTD_compress(z, bound, data, n, 3);
	assert_false(ZSTD_isError(clen));
	assert_int_equal(gort__source_open_memory(&s, z, clen, NULL), 0);
	assert_true(s.compressed && s.view.size == n);
	assert_memory_equal(s.view.data, data, n);
	gort__source_close(&s);

	/* Streamed frame without a size, then a second frame: both decoded. */
	{
		ZSTD_CCtx *cc = ZSTD_createCCtx();
		ZSTD_inBuffer in = {data, n, 0};
		ZSTD_outBuffer out = {z, bound, 0};
		while (ZSTD_compressStream2(cc, &out, &in, ZSTD_e_end) != 0)
			;
		clen = out.pos;
		clen += ZSTD_compress(z + clen, bound, data, 1000, 1);
		ZSTD_freeCCtx(cc);
	}
	assert_int_equal(gort__source_open_path(&s, write_tmp("two.zst", z, clen), NULL), 0);
	assert_true(s.view.size == n + 1000);
	assert_memory_equal(s.view.data + n, data, 1000);
	gort__source_close(&s);
	free(data);
	free(z);
}

static void test_zstd_bad_input(void **state)
{
	size_t n = 1 << 20, clen;
	uint8_t *data = pattern(n), *z = malloc(ZSTD_compressBound(n));
	struct gort_source s;
	GORT_OPTS(gort_open_opts, small, .max_decompressed = 4096);
	(void)state;

	clen = ZSTD_compress(z, ZSTD_compressBound(n), data, n, 1);
	/* Cut short at many places: always an error, never a crash. */
	for (size_t cut = 4; cut < clen; cut += clen / 37 + 1) {
		int rc = gort__source_open_memory(&s, z, cut, NULL);
		assert_true(rc == GORT_ETRUNCATED || rc == GORT_ECOMPRESSED);
	}
	/* A flipped byte in the middle of the data. */
	z[clen / 2] ^= 0x55;
	z[clen / 2 + 1] ^= 0xAA;
	assert_int_not_equal(gort__source_open_memory(&s, z, clen, NULL), 0);
	z[clen / 2] ^= 0x55;
	z[clen / 2 + 1] ^= 0xAA;
	/* A decompression bomb is refused by the configured limit. */
	assert_int_equal(gort__source_open_memory(&s, z, clen, &small), GORT_ETOOLARGE);
	free(data);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_and_memory),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_zstd_known_and_unknown_size),
		cmocka_unit_test(test_zstd_bad_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
