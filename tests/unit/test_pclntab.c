/*
 * pclntab: pc-value streams, every table format (synthetic tables in a
 * minimal ELF: two functions, known files and lines), and hostile input
 * (every truncation and many corruptions must give an error naming the
 * table and offset, never a crash or an endless loop).
 */
#include "testutil.h"
#include "pclntab/pclntab.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#define TEXT 0x401000u
#define TABADDR 0x500000u

/* ---- pc-value streams ------------------------------------------------ */

/* Go's encoding: zig-zag value delta, then pc delta / quantum, as varints. */
static size_t put_varint(uint8_t *p, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/* pairs: (value, bytes covered); returns the encoded length. */
static size_t put_stream(uint8_t *p, const int32_t (*pairs)[2], size_t n, unsigned q)
{
	int32_t prev = -1;
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int32_t d = pairs[i][0] - prev;
		uint32_t uv = d < 0 ? ((uint32_t)~d << 1) | 1 : (uint32_t)d << 1;
		len += put_varint(p + len, uv);
		len += put_varint(p + len, (uint32_t)pairs[i][1] / q);
		prev = pairs[i][0];
	}
	p[len++] = 0;
	return len;
}

static void test_pcvalue_decode(void **state)
{
	static const int32_t pairs[][2] = {{10, 0x10}, {12, 0x8}, {7, 0x8}, {300, 4}};
	uint8_t buf[64];
	size_t n = put_stream(buf + 1, pairs, 4, 1) + 1;
	struct gort_view v = gort__view_make(buf, n, "pctab");
	static const struct {
		uint64_t pc;
		int32_t val;
	} want[] = {{0x100, 10}, {0x10f, 10}, {0x110, 12}, {0x117, 12},
		    {0x118, 7},  {0x11f, 7},  {0x120, 300}, {0x124, -1}};
	int32_t val;

	(void)state;
	buf[0] = 0;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(want); i++) {
		assert_int_equal(gort__pcvalue_decode(&v, 1, 1, 0x100, want[i].pc, &val), 0);
		assert_int_equal(val, want[i].val);
	}
	/* quantum 4: pc deltas are in units of 4 bytes */
	n = put_stream(buf, pairs, 2, 4);
	v = gort__view_make(buf, n, "pctab");
	assert_int_equal(gort__pcvalue_decode(&v, 0, 4, 0x100, 0x117, &val), 0);
	assert_int_equal(val, 12);
}

static void test_pcvalue_hostile(void **state)
{
	uint8_t buf[64];
	struct gort_view v;
	int32_t val;

	(void)state;
	/* Truncated after the first value delta. */
	buf[0] = 0x16;
	v = gort__view_make(buf, 1, "pctab");
	v.file_off = 0x1000;
	assert_int_equal(gort__pcvalue_decode(&v, 0, 1, 0, 5, &val), GORT_ETRUNCATED);
	assert_non_null(strstr(gort_last_error()->message, "pctab"));
	assert_int_equal(gort_last_error()->offset, 0x1001);
	/* A varint longer than 5 bytes. */
	memset(buf, 0x80, sizeof(buf));
	v = gort__view_make(buf, sizeof(buf), "pctab");
	assert_int_equal(gort__pcvalue_decode(&v, 0, 1, 0, 5, &val), GORT_EFORMAT);
	/* Zero pairs while pc stays at entry never end by themselves. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gort__pcvalue_decode(&v, 0, 1, 0, 5, &val), GORT_ETRUNCATED);
	/* Offset past the table. */
	assert_int_equal(gort__pcvalue_decode(&v, 65, 1, 0, 5, &val), GORT_ETRUNCATED);
}

/* ---- synthetic tables ------------------------------------------------ */

struct fmt {
	int version; /* enum gort_pclntab_version */
	int be;
	unsigned ptr, quantum;
	uint16_t machine;
};

struct out {
	uint8_t b[4096];
	size_t len;
	const struct fmt *f;
};

static void put(struct out *o, size_t off, uint64_t v, unsigned n)
{
	tu_put(o->b + off, v, (int)n, o->f->be);
}

static size_t align(size_t x, size_t a)
{
	return (x + a - 1) / a * a;
}

/*
 * Two functions: main.f at TEXT (0x20 bytes: lines 10 then 12; SP delta 0
 * then 9) and main.g at TEXT+0x20 (0x10 bytes, line 20), both in
 * /src/a.go; the table ends at TEXT+0x30.
 */
static size_t build_table(const struct fmt *f, uint8_t *dst)
{
	static const int32_t sp_f[][2] = {{0, 4}, {9, 0x1c}}, sp_g[][2] = {{0, 0x10}};
	static const int32_t ln_f[][2] = {{10, 0x10}, {12, 0x10}}, ln_g[][2] = {{20, 0x10}};
	const int32_t file_1[][2] = {{f->version == GORT_PCLNTAB_GO12 ? 1 : 0, 0x30}};
	struct out o = {{0}, 0, f};
	unsigned P = f->ptr, q = f->quantum, nwords;
	bool v12 = f->version == GORT_PCLNTAB_GO12, v118 = f->version >= GORT_PCLNTAB_GO118;
	unsigned field = v118 ? 4 : P, fsize;
	size_t names, cu, files, pct, pcln, fo[2], sp[2], ln[2], fl, p;
	const uint32_t magic[] = {[0] = 0, [1] = 0xfffffffb, [2] = 0xfffffffa,
				  [3] = 0xfffffff0, [4] = 0xfffffff1};
	int mi = f->version == GORT_PCLNTAB_GO12    ? 1
		 : f->version == GORT_PCLNTAB_GO116 ? 2
		 : f->version == GORT_PCLNTAB_GO118 ? 3
						    : 4;

	put(&o, 0, magic[mi], 4);
	o.b[6] = (uint8_t)q;
	o.b[7] = (uint8_t)P;
	fsize = v12 ? P + 32 : f->version == GORT_PCLNTAB_GO120 ? 44 : (v118 ? 4 : P) + 36;
	if (v12) {
		/* one blob: header, functab, file table offset, then the rest */
		put(&o, 8, 2, P);
		pcln = 0;
		p = 8 + P;
		o.len = p + 5 * P + 4;
	} else {
		nwords = v118 ? 8 : 7;
		o.len = 8 + nwords * P;
		put(&o, 8, 2, P);
		put(&o, 8 + P, 1, P);
		if (v118)
			put(&o, 8 + 2 * P, TEXT, P);
		p = 0;
	}
	/* names */
	names = v12 ? 0 : o.len;
	size_t name_f = o.len - names;
	memcpy(o.b + o.len, "main.f", 7);
	o.len += 7;
	size_t name_g = o.len - names;
	memcpy(o.b + o.len, "main.g", 7);
	o.len += 7;
	/* cutab (1.16+): CU 0's file 0 is at filetab offset 0 */
	cu = o.len = align(o.len, 4);
	if (!v12) {
		put(&o, o.len, 0, 4);
		o.len += 4;
	}
	/* file names */
	files = o.len;
	size_t fname = o.len;
	memcpy(o.b + o.len, "/src/a.go", 10);
	o.len += 10;
	/* pc-value streams (offset 0 of pctab is never a stream) */
	pct = v12 ? 0 : o.len;
	o.b[o.len++] = 0;
	sp[0] = o.len - pct;
	o.len += put_stream(o.b + o.len, sp_f, 2, q);
	sp[1] = o.len - pct;
	o.len += put_stream(o.b + o.len, sp_g, 1, q);
	ln[0] = o.len - pct;
	o.len += put_stream(o.b + o.len, ln_f, 2, q);
	ln[1] = o.len - pct;
	o.len += put_stream(o.b + o.len, ln_g, 1, q);
	fl = o.len - pct;
	o.len += put_stream(o.b + o.len, file_1, 1, q);
	if (v12) {
		/* the 1.2 file table: count, then offsets into the blob */
		o.len = align(o.len, 4);
		put(&o, 8 + P + 5 * P, o.len, 4);
		put(&o, o.len, 2, 4);
		put(&o, o.len + 4, fname, 4);
		o.len += 8;
	} else {
		pcln = o.len = align(o.len, 8);
		p = pcln;
		o.len += 5 * field;
	}
	/* _func records, aligned to the pointer size */
	for (int i = 0; i < 2; i++) {
		size_t r = o.len = align(o.len, P), x;
		uint64_t entry = TEXT + (i ? 0x20 : 0);

		fo[i] = r - pcln;
		if (v118) {
			put(&o, r, entry - TEXT, 4);
			x = r + 4;
		} else {
			put(&o, r, entry, P);
			x = r + P;
		}
		put(&o, x, i ? name_g : name_f, 4);
		put(&o, x + 4, 16, 4); /* args */
		put(&o, x + 12, sp[i], 4);
		put(&o, x + 16, fl, 4);
		put(&o, x + 20, ln[i], 4);
		if (f->version == GORT_PCLNTAB_GO120) {
			put(&o, x + 32, i ? 19 : 7, 4); /* startLine */
			o.b[x + 36] = (uint8_t)(i + 1);  /* funcID */
		} else if (!v12) {
			o.b[x + 32] = (uint8_t)(i + 1);
		} else {
			o.b[x + 28] = (uint8_t)(i + 1);
		}
		o.len = r + fsize;
	}
	/* functab: (entry, funcoff) pairs and the end */
	for (int i = 0; i < 2; i++) {
		uint64_t e = TEXT + (i ? 0x20 : 0);
		put(&o, p + 2 * i * field, v118 ? e - TEXT : e, field);
		put(&o, p + (2 * i + 1) * field, fo[i], field);
	}
	put(&o, p + 4 * field, v118 ? 0x30 : TEXT + 0x30, field);
	if (!v12) {
		size_t off[] = {names, cu, files, pct, pcln};
		for (unsigned k = 0; k < 5; k++)
			put(&o, 8 + (k + (v118 ? 3 : 2)) * P, off[k], P);
	}
	memcpy(dst, o.b, o.len);
	return o.len;
}

static const struct fmt formats[] = {
	{GORT_PCLNTAB_GO12, 0, 8, 1, EM_X86_64},  {GORT_PCLNTAB_GO12, 0, 4, 1, EM_386},
	{GORT_PCLNTAB_GO12, 1, 8, 4, EM_PPC64},   {GORT_PCLNTAB_GO116, 0, 8, 1, EM_X86_64},
	{GORT_PCLNTAB_GO116, 1, 8, 2, EM_S390},   {GORT_PCLNTAB_GO116, 0, 4, 4, EM_ARM},
	{GORT_PCLNTAB_GO118, 0, 8, 4, EM_AARCH64}, {GORT_PCLNTAB_GO118, 0, 4, 1, EM_386},
	{GORT_PCLNTAB_GO120, 0, 8, 1, EM_X86_64}, {GORT_PCLNTAB_GO120, 1, 8, 2, EM_S390},
	{GORT_PCLNTAB_GO120, 0, 4, 1, EM_386},    {GORT_PCLNTAB_GO120, 0, 8, 4, EM_AARCH64},
};

static uint8_t text_bytes[0x30];

static void *make_elf(const struct fmt *f, const uint8_t *tab, size_t len, size_t *size)
{
	struct tu_section s[] = {
		{".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT, text_bytes,
		 sizeof(text_bytes)},
		{".gopclntab", SHT_PROGBITS, SHF_ALLOC, TABADDR, tab, len},
	};
	return tu_elf_build(f->ptr == 8, f->be, f->machine, s, 2, size);
}

static void check_frame(gort_pclntab *t, uint64_t pc, const char *fn, int32_t line)
{
	struct gort_frame fr[4];
	size_t n = 0;

	assert_int_equal(gort_pclntab_lookup(t, pc, fr, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_true(gort__str_eq(fr[0].function, fn));
	assert_true(gort__str_eq(fr[0].file, "/src/a.go"));
	assert_int_equal(fr[0].line, line);
	assert_int_equal(fr[0].inlined, 0);
}

/*
 * gort_pclntab_pc_to_lines against one gort_pclntab_pc_to_line per PC, with
 * PCs outside every function among them: each gets its own code, the call
 * returns the first one's. The reference is a second table on the binary:
 * its own memo of answers and per-thread cache entries.
 */
static void check_batch_pcs(gort_binary *bin, gort_pclntab *t, const uint64_t *pcs, size_t n)
{
	struct gort_frame out[64], want;
	int errs[64], first = 0;
	gort_pclntab *ref;

	assert_true(n <= GORT_ARRAY_SIZE(out));
	assert_int_equal(gort_pclntab_open(&ref, bin), 0);
	for (size_t i = 0; i < n && !first; i++)
		first = gort_pclntab_pc_to_line(ref, pcs[i], &want);
	assert_int_equal(gort_pclntab_pc_to_lines(t, pcs, n, out, errs), first);
	for (size_t i = 0; i < n; i++) {
		int rc = gort_pclntab_pc_to_line(ref, pcs[i], &want);

		assert_int_equal(errs[i], rc);
		if (rc)
			continue;
		assert_ptr_equal(out[i].function.ptr, want.function.ptr); /* zero-copy */
		assert_int_equal(out[i].function.len, want.function.len);
		assert_ptr_equal(out[i].file.ptr, want.file.ptr);
		assert_int_equal(out[i].file.len, want.file.len);
		assert_int_equal(out[i].line, want.line);
		assert_int_equal(out[i].entry, want.entry);
		assert_int_equal(out[i].func_id, want.func_id);
	}
	gort_pclntab_close(ref);
}

/*
 * Both ways of batch.c: PCs in no order (groups, more than one), and runs
 * in increasing order (sweeps): every byte over the functions and around
 * them, repeated PCs, and a run cut short by a PC going back.
 */
static void check_batch(gort_binary *bin, gort_pclntab *t)
{
	uint64_t pcs[64];
	struct gort_frame out[64];

	for (size_t i = 0; i < 40; i++)
		pcs[i] = TEXT - 2 + (i * 7) % 0x36; /* TEXT-2 .. TEXT+0x33 */
	check_batch_pcs(bin, t, pcs, 40);
	assert_int_equal(gort_pclntab_pc_to_lines(t, pcs, 40, out, NULL), GORT_ENOTFOUND);
	assert_non_null(strstr(gort_last_error()->message, "0x400ffe")); /* pcs[0] */
	for (size_t i = 0; i < 64; i++)
		pcs[i] = TEXT - 2 + i; /* sorted: one sweep */
	check_batch_pcs(bin, t, pcs, 64);
	check_batch_pcs(bin, t, pcs + 2, 40); /* starting inside the first function */
	for (size_t i = 0; i < 64; i++)
		pcs[i] = TEXT + (i < 20 ? i : i < 24 ? 3 : i - 20) / 2; /* repeats, a step back */
	check_batch_pcs(bin, t, pcs, 64);
	assert_int_equal(gort_pclntab_pc_to_lines(t, pcs + 2, 5, out, NULL), 0);
	assert_int_equal(gort_pclntab_pc_to_lines(t, NULL, 0, NULL, NULL), 0);
	assert_int_equal(gort_pclntab_pc_to_lines(t, NULL, 1, out, NULL), GORT_EINVAL);
	assert_int_equal(gort_pclntab_pc_to_lines(NULL, pcs, 1, out, NULL), GORT_EINVAL);
}

static void test_formats(void **state)
{
	uint8_t tab[4096];

	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(formats); i++) {
		const struct fmt *f = &formats[i];
		size_t len = build_table(f, tab), size;
		void *img = make_elf(f, tab, len, &size);
		gort_binary *bin;
		gort_pclntab *t;
		struct gort_func fn;
		const struct gort_func *it_fn;
		gort_func_iter *it;
		int32_t sp;
		size_t count = 0;

		print_message("format %d, %s-endian, %u-byte pointers\n", f->version,
			      f->be ? "big" : "little", f->ptr);
		assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), 0);
		assert_int_equal(gort_pclntab_open(&t, bin), 0);
		assert_int_equal(gort_pclntab_version(t), f->version);
		assert_int_equal(gort_pclntab_func_count(t), 2);
		assert_int_equal(gort_pclntab_func_at(t, 1, &fn), 0);
		assert_true(gort__str_eq(fn.name, "main.g"));
		assert_int_equal(fn.entry, TEXT + 0x20);
		assert_int_equal(fn.end, TEXT + 0x30);
		assert_int_equal(fn.func_id, 2);
		assert_int_equal(fn.args_size, 16);
		assert_int_equal(fn.start_line, f->version == GORT_PCLNTAB_GO120 ? 19 : 0);
		assert_int_equal(gort_pclntab_func_at(t, 2, &fn), GORT_EINVAL);
		check_frame(t, TEXT, "main.f", 10);
		check_frame(t, TEXT + 0x0f, "main.f", 10);
		check_frame(t, TEXT + 0x10, "main.f", 12);
		check_frame(t, TEXT + 0x1f, "main.f", 12);
		check_frame(t, TEXT + 0x20, "main.g", 20);
		check_frame(t, TEXT + 0x2f, "main.g", 20);
		assert_int_equal(gort_pclntab_lookup(t, TEXT + 0x30, NULL, 0, NULL), GORT_ENOTFOUND);
		assert_int_equal(gort_pclntab_lookup(t, TEXT - 1, NULL, 0, NULL), GORT_ENOTFOUND);
		assert_int_equal(gort_pclntab_find_func(t, TEXT + 0x21, &fn), 0);
		assert_int_equal(fn.index, 1);
		assert_int_equal(gort_pclntab_frame_size(t, TEXT, &sp), 0);
		assert_int_equal(sp, 0);
		assert_int_equal(gort_pclntab_frame_size(t, TEXT + 4, &sp), 0);
		assert_int_equal(sp, 9);
		assert_int_equal(gort_pclntab_pcdata(t, TEXT, 2, &sp), 0);
		assert_int_equal(sp, -1);
		check_batch(bin, t);
		assert_int_equal(gort_func_iter_new(&it, t), 0);
		while (gort_func_iter_next(it, &it_fn) == 0)
			count++;
		assert_int_equal(count, 2);
		gort_func_iter_free(it);
		gort_pclntab_close(t);
		gort_binary_close(bin);
		free(img);
	}
}

/* Every call on a possibly broken table: errors only, with a message. */
static void exercise(const struct fmt *f, const uint8_t *tab, size_t len)
{
	size_t size, n;
	void *img = make_elf(f, tab, len, &size);
	gort_binary *bin = NULL;
	gort_pclntab *t = NULL;
	struct gort_frame fr[8];
	struct gort_func fn;
	const struct gort_func *fp;
	gort_func_iter *it;
	int32_t v;
	int rc;

	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), 0);
	rc = gort_pclntab_open(&t, bin);
	if (rc) {
		const struct gort_error_info *e = gort_last_error();
		if (!strstr(e->message, "pclntab"))
			print_message("unexpected message: %s\n", e->message);
		assert_int_equal(e->code, rc);
		assert_non_null(strstr(e->message, "pclntab"));
		assert_true(e->offset != GORT_NO_VALUE || rc == GORT_ENOTGO);
		goto out;
	}
	for (size_t i = 0; i < gort_pclntab_func_count(t) && i < 64; i++)
		gort_pclntab_func_at(t, i, &fn);
	if (gort_func_iter_new(&it, t) == 0) {
		for (int k = 0; k < 64 && gort_func_iter_next(it, &fp) == 0; k++)
			;
		gort_func_iter_free(it);
	}
	/* A batch in increasing order (a sweep, batch.c) answers exactly as
	   one lookup per PC does, on a broken table too (an unsorted functab,
	   streams that end early or run off the table). */
	uint64_t pcs[0x33];
	for (size_t i = 0; i < GORT_ARRAY_SIZE(pcs); i++)
		pcs[i] = TEXT - 1 + i;
	check_batch_pcs(bin, t, pcs, GORT_ARRAY_SIZE(pcs));
	for (uint64_t pc = TEXT - 1; pc <= TEXT + 0x31; pc++) {
		rc = gort_pclntab_lookup(t, pc, fr, 8, &n);
		if (rc && rc != GORT_ENOTFOUND) {
			const struct gort_error_info *e = gort_last_error();
			if (!strstr(e->message, "pclntab") ||
			    (e->offset == GORT_NO_VALUE && e->address == GORT_NO_VALUE))
				print_message("unexpected message: %s\n", e->message);
			assert_non_null(strstr(e->message, "pclntab"));
			assert_true(e->offset != GORT_NO_VALUE || e->address != GORT_NO_VALUE ||
				    rc == GORT_EINVAL);
		}
		gort_pclntab_frame_size(t, pc, &v);
		gort_pclntab_pcdata(t, pc, 2, &v);
	}
out:
	gort_pclntab_close(t);
	gort_binary_close(bin);
	free(img);
}

static void test_truncated(void **state)
{
	uint8_t tab[4096];

	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(formats); i++) {
		size_t len = build_table(&formats[i], tab);
		for (size_t cut = 0; cut < len; cut++)
			exercise(&formats[i], tab, cut);
	}
}

static void test_corrupted(void **state)
{
	static const uint8_t junk[] = {0x00, 0xff, 0x80, 0x7f, 0x41};
	uint8_t tab[4096], bad[4096];

	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(formats); i++) {
		size_t len = build_table(&formats[i], tab);
		for (size_t pos = 0; pos < len; pos++) {
			for (size_t j = 0; j < sizeof(junk); j++) {
				if (tab[pos] == junk[j])
					continue;
				memcpy(bad, tab, len);
				bad[pos] = junk[j];
				exercise(&formats[i], bad, len);
			}
		}
	}
}

/* Release pipelines may drop section headers: the table is then scanned for. */
static void test_no_section_headers(void **state)
{
	uint8_t tab[4096];

	(void)state;
	for (size_t i = 0; i < GORT_ARRAY_SIZE(formats); i++) {
		const struct fmt *f = &formats[i];
		size_t len = build_table(f, tab), size;
		uint8_t *img = make_elf(f, tab, len, &size);
		gort_binary *bin;
		gort_pclntab *t;

		/* e_shoff, e_shnum, e_shstrndx */
		if (f->ptr == 8) {
			memset(img + 0x28, 0, 8);
			memset(img + 0x3c, 0, 4);
		} else {
			memset(img + 0x20, 0, 4);
			memset(img + 0x30, 0, 4);
		}
		assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), 0);
		assert_int_equal(gort_pclntab_open(&t, bin), 0);
		assert_int_equal(gort_pclntab_version(t), f->version);
		check_frame(t, TEXT + 0x10, "main.f", 12);
		check_frame(t, TEXT + 0x2f, "main.g", 20);
		gort_pclntab_close(t);
		gort_binary_close(bin);
		free(img);
	}
}

static void test_not_go(void **state)
{
	struct tu_section s = {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT,
			       text_bytes, sizeof(text_bytes)};
	size_t size;
	void *img = tu_elf_build(1, 0, EM_X86_64, &s, 1, &size);
	gort_binary *bin;
	gort_pclntab *t = NULL;

	(void)state;
	assert_int_equal(gort_binary_open_memory(&bin, img, size, NULL), 0);
	assert_int_equal(gort_pclntab_open(&t, bin), GORT_ENOTGO);
	assert_null(t);
	assert_int_equal(gort_pclntab_open(NULL, bin), GORT_EINVAL);
	gort_pclntab_close(NULL);
	gort_func_iter_free(NULL);
	gort_binary_close(bin);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcvalue_decode), cmocka_unit_test(test_pcvalue_hostile),
		cmocka_unit_test(test_formats),	       cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),      cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_no_section_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
