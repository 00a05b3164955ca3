/*
 * Build information: find the blob the linker writes (debug/buildinfo:
 * readRawBuildInfo), then parse the module text (runtime/debug:
 * ParseBuildInfo) and print it back as BuildInfo.String() does.
 */
#include "../binary/binary.h"
#include "../pe/pe.h"
#include "quote.h"

#include <gelf.h>
#include <string.h>

#define ALIGN 16
#define HEADER_SIZE 32

struct gort_buildinfo {
	struct gort_str go_version;
	struct gort_str path;
	bool has_main;
	struct gort_module main;
	size_t ndeps;
	struct gort_module *deps;
	struct gort_module *replaces; /* room for one per module line */
	size_t nsettings;
	struct gort_build_setting *settings;
	char *unquoted; /* storage of unquoted keys and values */
	char *text;     /* String() without the go line */
};

static const uint8_t magic[14] = "\xff Go buildinf:";

/*
 * debug/buildinfo: DataStart, per format. ELF: the .go.buildinfo section
 * (cmd/link: buildinfo). PE: the first section that is exactly initialized,
 * readable, writable data (.data), with its VirtualSize. Mach-O: the
 * __go_buildinfo section.
 */
static int data_start(struct gort_binary *bin, uint64_t *addr, uint64_t *size)
{
	const uint32_t data = GORT_PE_SCN_CNT_INITIALIZED_DATA | GORT_PE_SCN_MEM_READ |
			      GORT_PE_SCN_MEM_WRITE;
	const struct gort_obj_section *os;
	struct gort_elf_section *s;

	if (bin->format == GORT_FORMAT_PE) {
		for (size_t i = 0; i < bin->obj.nsections; i++) {
			os = &bin->obj.sections[i];
			if (os->addr != bin->obj.image_base && os->size != 0 &&
			    (os->flags & ~GORT_PE_SCN_ALIGN_32BYTES) == data) {
				*addr = os->addr;
				*size = os->size;
				return 0;
			}
		}
		return gort__fail(GORT_ENOTGO, "no Go build information (no data section)");
	}
	if (bin->format == GORT_FORMAT_MACHO) {
		if (!(os = gort__obj_section(&bin->obj, NULL, "__go_buildinfo")))
			return gort__fail(GORT_ENOTGO,
					  "no Go build information (no __go_buildinfo section)");
		*addr = os->addr;
		*size = os->size;
		return 0;
	}
	if ((s = gort__elf_section(&bin->elf, ".go.buildinfo"))) {
		*addr = s->addr;
		*size = s->size;
		return 0;
	}
	/*
	 * Go's reader gives up here; files whose section headers were removed
	 * still have the blob at the start of the first writable segment.
	 */
	for (size_t i = 0; i < bin->elf.nsegments; i++) {
		const struct gort_elf_segment *g = &bin->elf.segments[i];
		if (g->type == PT_LOAD && (g->flags & PF_W) && g->filesz) {
			*addr = g->vaddr;
			*size = g->filesz;
			return 0;
		}
	}
	return gort__fail(GORT_ENOTGO, "no Go build information (no .go.buildinfo section)");
}

static int not_go(uint64_t addr, const char *why)
{
	return gort__fail_addr(GORT_ENOTGO, addr, "no Go build information: %s", why);
}

/* The first 16-byte-aligned magic in [start, start+size). */
static int search_magic(struct gort_binary *bin, uint64_t start, uint64_t size,
			uint64_t *found)
{
	uint64_t end = start + size, a;
	struct gort_view span;
	int rc;

	if (end < start)
		return not_go(start, "data range overflows");
	a = (start + ALIGN - 1) & ~(uint64_t)(ALIGN - 1);
	if ((rc = gort__binary_addr_span(bin, a, &span)))
		return not_go(a, "data is not in the file");
	if (span.size > end - a)
		span.size = end - a;
	for (uint64_t off = 0; off + sizeof(magic) <= span.size; off += ALIGN) {
		if (memcmp(span.data + off, magic, sizeof(magic)) != 0)
			continue;
		if (span.size - off < HEADER_SIZE)
			return not_go(a + off, "header truncated");
		*found = a + off;
		return 0;
	}
	return not_go(start, "magic not found");
}

/* A varint-prefixed string at addr (Go 1.18+ inline format). */
static int decode_string(struct gort_binary *bin, uint64_t *addr,
			 struct gort_str *out)
{
	struct gort_view span;
	struct gort_cursor c;
	uint64_t len;
	const uint8_t *p;

	if (gort__binary_addr_span(bin, *addr, &span))
		return not_go(*addr, "string is not in the file");
	c = gort__cursor(&span, 0);
	len = gort__cur_uvarint(&c);
	p = c.err ? NULL : gort__cur_bytes(&c, len);
	if (!p)
		return not_go(*addr, "string runs past its section");
	*out = gort__str((const char *)p, len);
	*addr += c.pos;
	return 0;
}

/* A Go string header {ptr, len} at addr (before Go 1.18); "" if unreadable. */
static struct gort_str read_string(struct gort_binary *bin, uint64_t addr,
				   uint8_t ptr_size, bool big_endian)
{
	struct gort_view v, data;
	uint64_t ptr, len;

	if (gort__binary_read_addr(bin, addr, 2u * ptr_size, &v))
		return gort__str("", 0);
	v.big_endian = big_endian;
	v.ptr_size = ptr_size;
	if (gort__view_uptr(&v, 0, &ptr) || gort__view_uptr(&v, ptr_size, &len) ||
	    gort__binary_read_addr(bin, ptr, len, &data))
		return gort__str("", 0);
	return gort__str((const char *)data.data, len);
}

static int read_raw(struct gort_binary *bin, struct gort_str *vers,
		    struct gort_str *mod)
{
	uint64_t start = 0, size = 0, addr = 0, vp, mp;
	struct gort_view hdr;
	uint8_t ptr_size;
	bool be;
	int rc;

	if ((rc = data_start(bin, &start, &size)))
		return rc;
	if (size == 0)
		return not_go(start, "empty .go.buildinfo");
	if ((rc = search_magic(bin, start, size, &addr)) ||
	    (rc = gort__binary_read_addr(bin, addr, HEADER_SIZE, &hdr)))
		return rc;
	ptr_size = hdr.data[14];
	be = hdr.data[15] & 1;
	if (hdr.data[15] & 2) { /* Go 1.18+: two varint-prefixed strings */
		addr += HEADER_SIZE;
		if ((rc = decode_string(bin, &addr, vers)) ||
		    (rc = decode_string(bin, &addr, mod)))
			return rc;
	} else if (ptr_size == 4 || ptr_size == 8) {
		/* Before 1.18: pointers to the version and modinfo strings. */
		vp = ptr_size == 4 ? gort__ld32(hdr.data + 16, be)
				   : gort__ld64(hdr.data + 16, be);
		mp = ptr_size == 4 ? gort__ld32(hdr.data + 20, be)
				   : gort__ld64(hdr.data + 24, be);
		*vers = read_string(bin, vp, ptr_size, be);
		*mod = read_string(bin, mp, ptr_size, be);
	} else {
		return not_go(addr, "bad pointer size");
	}
	if (vers->len == 0)
		return not_go(addr, "empty Go version");
	/* Strip the 16-byte sentinels around the module text (modload.infoStart). */
	if (mod->len >= 33 && mod->ptr[mod->len - 17] == '\n')
		*mod = gort__str(mod->ptr + 16, mod->len - 32);
	else
		*mod = gort__str("", 0);
	return 0;
}

/* Split s at tabs into at most `max` fields; returns the field count. */
static size_t split_tabs(struct gort_str s, struct gort_str *f, size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= s.len; i++) {
		if (i < s.len && s.ptr[i] != '\t')
			continue;
		if (n < max)
			f[n] = gort__str(s.ptr + start, i - start);
		n++;
		start = i + 1;
	}
	return n;
}

static bool has_prefix(struct gort_str s, const char *p, struct gort_str *rest)
{
	size_t n = strlen(p);
	if (s.len < n || memcmp(s.ptr, p, n) != 0)
		return false;
	*rest = gort__str(s.ptr + n, s.len - n);
	return true;
}

static int parse_error(size_t line, const char *why)
{
	return gort__fail(GORT_EFORMAT,
			  "could not parse Go build info: line %zu: %s", line, why);
}

static int read_module(struct gort_str rest, struct gort_module *m, size_t line)
{
	struct gort_str f[3];
	size_t n = split_tabs(rest, f, 3);

	if (n != 2 && n != 3)
		return parse_error(line, "expected 2 or 3 columns");
	m->path = f[0];
	m->version = f[1];
	m->sum = n == 3 ? f[2] : gort__str("", 0);
	m->replace = NULL;
	return 0;
}

/* Unquote a literal into bi->unquoted at *used. */
static int unquote_into(struct gort_buildinfo *bi, size_t *used,
			struct gort_str lit, struct gort_str *out, size_t line)
{
	long n = gort__go_unquote(lit.ptr, lit.len, bi->unquoted + *used);
	if (n < 0)
		return parse_error(line, "invalid quoted string in build line");
	*out = gort__str(bi->unquoted + *used, (size_t)n);
	*used += (size_t)n;
	return 0;
}

static int parse_setting(struct gort_buildinfo *bi, size_t *used,
			 struct gort_str kv, size_t line)
{
	struct gort_build_setting *s = &bi->settings[bi->nsettings];
	struct gort_str raw;
	const char *eq;
	int rc;

	if (kv.len < 1)
		return parse_error(line, "build line missing '='");
	if (kv.ptr[0] == '=')
		return parse_error(line, "build line with missing key");
	if (kv.ptr[0] == '`' || kv.ptr[0] == '"') {
		size_t k = gort__go_quoted_prefix(kv.ptr, kv.len);
		if (!k)
			return parse_error(line, "invalid quoted key in build line");
		if (k == kv.len || kv.ptr[k] != '=')
			return parse_error(line, "build line missing '=' after quoted key");
		if ((rc = unquote_into(bi, used, gort__str(kv.ptr, k), &s->key, line)))
			return rc;
		raw = gort__str(kv.ptr + k + 1, kv.len - k - 1);
	} else {
		eq = memchr(kv.ptr, '=', kv.len);
		if (!eq)
			return parse_error(line, "build line missing '=' after key");
		s->key = gort__str(kv.ptr, (size_t)(eq - kv.ptr));
		if (gort__go_quote_key(s->key))
			return parse_error(line, "unquoted key must be quoted");
		raw = gort__str(eq + 1, kv.len - s->key.len - 1);
	}
	if (raw.len && (raw.ptr[0] == '`' || raw.ptr[0] == '"')) {
		if ((rc = unquote_into(bi, used, raw, &s->value, line)))
			return rc;
	} else {
		if (gort__go_quote_value(raw))
			return parse_error(line, "unquoted value must be quoted");
		s->value = raw;
	}
	bi->nsettings++;
	return 0;
}

/* runtime/debug.ParseBuildInfo: a final line without '\n' is ignored. */
static int parse_modinfo(struct gort_buildinfo *bi, struct gort_str text)
{
	size_t ndep = 0, nrep = 0, nbuild = 0, line = 1, used = 0, pos;
	struct gort_module *last = NULL;
	struct gort_str l, rest;
	int rc;

	for (pos = 0; pos < text.len; pos++) {
		if (pos == 0 || text.ptr[pos - 1] == '\n') {
			l = gort__str(text.ptr + pos, text.len - pos);
			ndep += has_prefix(l, "dep\t", &rest);
			nrep += has_prefix(l, "=>\t", &rest);
			nbuild += has_prefix(l, "build\t", &rest);
		}
	}
	bi->deps = gort__calloc(ndep, sizeof(*bi->deps));
	bi->replaces = gort__calloc(nrep, sizeof(*bi->replaces));
	bi->settings = gort__calloc(nbuild, sizeof(*bi->settings));
	bi->unquoted = gort__malloc(text.len);
	if (!bi->deps || !bi->replaces || !bi->settings || !bi->unquoted)
		return gort__fail(GORT_ENOMEM, "out of memory parsing build info");
	nrep = 0;
	for (pos = 0; pos < text.len; line++) {
		const char *nl = memchr(text.ptr + pos, '\n', text.len - pos);
		if (!nl)
			break;
		l = gort__str(text.ptr + pos, (size_t)(nl - (text.ptr + pos)));
		pos += l.len + 1;
		if (has_prefix(l, "path\t", &rest)) {
			bi->path = rest;
		} else if (has_prefix(l, "mod\t", &rest)) {
			last = &bi->main;
			if ((rc = read_module(rest, last, line)))
				return rc;
		} else if (has_prefix(l, "dep\t", &rest)) {
			last = &bi->deps[bi->ndeps++];
			if ((rc = read_module(rest, last, line)))
				return rc;
		} else if (has_prefix(l, "=>\t", &rest)) {
			struct gort_module *r = &bi->replaces[nrep];
			struct gort_str f[3];
			if (split_tabs(rest, f, 3) != 3)
				return parse_error(line, "expected 3 columns for replacement");
			if (!last)
				return parse_error(line, "replacement with no module on previous line");
			r->path = f[0], r->version = f[1], r->sum = f[2];
			last->replace = r;
			nrep++;
			last = NULL;
		} else if (has_prefix(l, "build\t", &rest)) {
			if ((rc = parse_setting(bi, &used, rest, line)))
				return rc;
		}
	}
	bi->has_main = bi->main.path.len || bi->main.version.len ||
		       bi->main.sum.len || bi->main.replace;
	return 0;
}

static void format_module(struct gort_buf *b, const char *word,
			  const struct gort_module *m)
{
	gort__buf_adds(b, word);
	gort__buf_add(b, "\t", 1);
	gort__buf_add(b, m->path.ptr, m->path.len);
	gort__buf_add(b, "\t", 1);
	gort__buf_add(b, m->version.ptr, m->version.len);
	if (!m->replace) {
		gort__buf_add(b, "\t", 1);
		gort__buf_add(b, m->sum.ptr, m->sum.len);
	} else {
		gort__buf_add(b, "\n", 1);
		format_module(b, "=>", m->replace);
	}
	gort__buf_add(b, "\n", 1);
}

/* runtime/debug.BuildInfo.String, without the "go" line. */
static int format_text(struct gort_buildinfo *bi)
{
	struct gort_buf b = {0};
	size_t i;

	gort__buf_add(&b, "", 0);
	if (bi->path.len) {
		gort__buf_adds(&b, "path\t");
		gort__buf_add(&b, bi->path.ptr, bi->path.len);
		gort__buf_add(&b, "\n", 1);
	}
	if (bi->has_main)
		format_module(&b, "mod", &bi->main);
	for (i = 0; i < bi->ndeps; i++)
		format_module(&b, "dep", &bi->deps[i]);
	for (i = 0; i < bi->nsettings; i++) {
		const struct gort_build_setting *s = &bi->settings[i];
		gort__buf_adds(&b, "build\t");
		if (gort__go_quote_key(s->key))
			gort__buf_quote(&b, s->key);
		else
			gort__buf_add(&b, s->key.ptr, s->key.len);
		gort__buf_add(&b, "=", 1);
		if (gort__go_quote_value(s->value))
			gort__buf_quote(&b, s->value);
		else
			gort__buf_add(&b, s->value.ptr, s->value.len);
		gort__buf_add(&b, "\n", 1);
	}
	if (b.err) {
		gort__free(b.p);
		return b.err;
	}
	bi->text = b.p;
	return 0;
}

void gort__buildinfo_free(struct gort_buildinfo *bi)
{
	if (!bi)
		return;
	gort__free(bi->deps);
	gort__free(bi->replaces);
	gort__free(bi->settings);
	gort__free(bi->unquoted);
	gort__free(bi->text);
	gort__free(bi);
}

static int load(struct gort_binary *bin, struct gort_buildinfo **out)
{
	struct gort_buildinfo *bi;
	struct gort_str mod;
	int rc;

	bi = gort__calloc(1, sizeof(*bi));
	if (!bi)
		return gort__fail(GORT_ENOMEM, "out of memory reading build info");
	rc = read_raw(bin, &bi->go_version, &mod);
	if (!rc)
		rc = parse_modinfo(bi, mod);
	if (!rc)
		rc = format_text(bi);
	if (rc) {
		gort__buildinfo_free(bi);
		return rc;
	}
	*out = bi;
	return 0;
}

int gort_binary_buildinfo(gort_binary *bin, const gort_buildinfo **out)
{
	int rc;

	if (!bin || !out)
		return gort__fail(GORT_EINVAL, "gort_binary_buildinfo: NULL argument");
	pthread_mutex_lock(&bin->lock);
	if (!bin->buildinfo_done) {
		rc = load(bin, &bin->buildinfo);
		/* Out of memory is not a property of the file: try again next time. */
		if (rc == GORT_ENOMEM) {
			pthread_mutex_unlock(&bin->lock);
			*out = NULL;
			return rc;
		}
		if (rc)
			gort__error_save(&bin->buildinfo_err, rc);
		bin->buildinfo_done = true;
	}
	rc = gort__error_restore(&bin->buildinfo_err);
	pthread_mutex_unlock(&bin->lock);
	*out = rc ? NULL : bin->buildinfo;
	return rc;
}

struct gort_str gort_buildinfo_go_version(const gort_buildinfo *bi)
{
	return bi->go_version;
}

struct gort_str gort_buildinfo_path(const gort_buildinfo *bi)
{
	return bi->path;
}

const struct gort_module *gort_buildinfo_main(const gort_buildinfo *bi)
{
	return bi->has_main ? &bi->main : NULL;
}

size_t gort_buildinfo_dep_count(const gort_buildinfo *bi)
{
	return bi->ndeps;
}

const struct gort_module *gort_buildinfo_dep_at(const gort_buildinfo *bi, size_t i)
{
	return i < bi->ndeps ? &bi->deps[i] : NULL;
}

size_t gort_buildinfo_setting_count(const gort_buildinfo *bi)
{
	return bi->nsettings;
}

const struct gort_build_setting *gort_buildinfo_setting_at(const gort_buildinfo *bi,
							   size_t i)
{
	return i < bi->nsettings ? &bi->settings[i] : NULL;
}

const char *gort_buildinfo_string(const gort_buildinfo *bi)
{
	return bi->text;
}
