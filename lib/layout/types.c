/*
 * Type descriptors (include/gort/types.h), mirroring internal/abi/type.go
 * (runtime/type.go before Go 1.21): a Type header whose layout comes from
 * gort_layout (DWARF or tables: runtime._type, or internal/abi.Type from
 * 1.21), then per kind:
 *   pointer, slice: Elem *Type
 *   array:          Elem *Type, Slice *Type, Len uintptr
 *   chan:           Elem *Type, Dir
 *   map:            Key *Type, Elem *Type, ... (bucket maps and Swiss maps)
 *   struct:         PkgPath Name, Fields []StructField{Name, Typ, Offset}
 * Names (abi.Name) are a flags byte, the length (uvarint from Go 1.17, two
 * big-endian bytes before) and the bytes; struct fields stored
 * offset<<1|embedded before Go 1.19 (offsetAnon), the embedded bit in the
 * name's flags after. nameOff/typeOff values are relative to
 * moduledata.types.
 *
 * Everything is bounded: descriptors must lie in [types, etypes), names are
 * at most MAX_NAME bytes, structs at most MAX_FIELDS fields.
 */
#include "layout.h"
#include "../pclntab/pclntab.h"

#include <gort/types.h>
#include <string.h>

#define MAX_NAME (1u << 20)
#define MAX_FIELDS (1u << 20)
#define MAX_TYPELINKS (1u << 26)
#define TFLAG_EXTRA_STAR 2 /* abi.TFlagExtraStar */
#define KIND_MASK 31       /* abi.KindMask */

struct gort_types {
	struct gort__tdata td; /* first: the reader below works on it */
	struct gort_layout *lay;
	bool has_typelinks;
	uint64_t typelinks, ntypelinks;
};

/* n bytes at addr as a view with the file's byte order and pointer size. */
static int read_at(const struct gort__tdata *t, uint64_t addr, uint64_t n, struct gort_view *v)
{
	int rc = gort__binary_read_addr(t->bin, addr, n, v);

	if (rc)
		return rc;
	v->ptr_size = (uint8_t)t->ptr;
	v->big_endian = t->be;
	v->what = "type data";
	return 0;
}

static int field_off(gort_layout *lay, const char *type, const char *field, uint64_t *off)
{
	struct gort_field_layout f;
	int rc = gort_layout_field(lay, type, field, &f);

	if (!rc)
		*off = f.offset;
	return rc;
}

/* The Type header layout, under the release's name for it. */
static int header_layout(struct gort_types *t)
{
	static const struct {
		const char *type, *size, *kind, *tflag, *str;
	} names[] = {
		{"internal/abi.Type", "Size_", "Kind_", "TFlag", "Str"},
		{"runtime._type", "size", "kind", "tflag", "str"},
	};
	int rc = GORT_ENOTFOUND;

	for (size_t i = 0; i < GORT_ARRAY_SIZE(names); i++) {
		rc = gort_layout_size(t->lay, names[i].type, &t->td.hsize, NULL);
		if (rc == GORT_ENOTFOUND)
			continue;
		if (!rc && !(rc = field_off(t->lay, names[i].type, names[i].size, &t->td.o_size)) &&
		    !(rc = field_off(t->lay, names[i].type, names[i].kind, &t->td.o_kind)) &&
		    !(rc = field_off(t->lay, names[i].type, names[i].tflag, &t->td.o_tflag)))
			rc = field_off(t->lay, names[i].type, names[i].str, &t->td.o_str);
		break;
	}
	if (rc == GORT_ENOTFOUND)
		return gort__fail(GORT_EUNSUPPORTED, "types: no layout of the type descriptor");
	if (!rc && (t->td.hsize > 256 || t->td.o_str + 4 > t->td.hsize || t->td.o_size + t->td.ptr > t->td.hsize))
		return gort__fail(GORT_EFORMAT, "types: implausible descriptor layout (%llu bytes)",
				  (unsigned long long)t->td.hsize);
	return rc;
}

/* runtime.firstmoduledata by symbol, else as the pclntab reader finds it
   (PE and Mach-O files: gort_binary_moduledata's search). */
static int find_moduledata(struct gort_types *t, uint64_t *addr)
{
	const struct gort_elf_symbol *sym;
	struct gort_moduledata md;
	gort_pclntab *tab;
	int rc;

	if (t->td.bin->format != GORT_FORMAT_ELF) {
		if ((rc = gort_binary_moduledata(t->td.bin, &md)))
			return rc;
		*addr = md.addr;
		return 0;
	}
	if (!(rc = gort__elf_symbol(&t->td.bin->elf, "runtime.firstmoduledata", &sym))) {
		*addr = sym->value;
		return 0;
	}
	if (rc == GORT_ENOMEM)
		return rc;
	if ((rc = gort_pclntab_open(&tab, t->td.bin)))
		return rc;
	if ((rc = gort__moduledata_load(tab))) {
		gort_pclntab_close(tab);
		return rc;
	}
	*addr = tab->md_addr;
	gort_pclntab_close(tab);
	if (!*addr)
		return gort__fail(GORT_ENOTFOUND, "types: no moduledata found");
	return 0;
}

static int read_moduledata(struct gort_types *t, uint64_t md)
{
	struct gort_view v;
	uint64_t off_types, off_etypes, off_links = 0, size;
	int rc;

	if ((rc = gort_layout_size(t->lay, "runtime.moduledata", &size, NULL)) ||
	    (rc = field_off(t->lay, "runtime.moduledata", "types", &off_types)) ||
	    (rc = field_off(t->lay, "runtime.moduledata", "etypes", &off_etypes)))
		return rc;
	rc = field_off(t->lay, "runtime.moduledata", "typelinks", &off_links);
	if (rc && rc != GORT_ENOTFOUND)
		return rc;
	t->has_typelinks = rc == 0;
	if (size > 4096)
		return gort__fail(GORT_EFORMAT, "types: moduledata of %llu bytes",
				  (unsigned long long)size);
	if ((rc = read_at(&t->td, md, size, &v)) || (rc = gort__view_uptr(&v, off_types, &t->td.types)) ||
	    (rc = gort__view_uptr(&v, off_etypes, &t->td.etypes)))
		return rc;
	if (t->td.etypes <= t->td.types || t->td.etypes - t->td.types > (1ull << 32))
		return gort__fail_addr(GORT_EFORMAT, md,
				       "types: moduledata types [0x%llx, 0x%llx) is not a range",
				       (unsigned long long)t->td.types, (unsigned long long)t->td.etypes);
	if (t->has_typelinks &&
	    ((rc = gort__view_uptr(&v, off_links, &t->typelinks)) ||
	     (rc = gort__view_uptr(&v, off_links + t->td.ptr, &t->ntypelinks))))
		return rc;
	if (t->has_typelinks && t->ntypelinks > MAX_TYPELINKS)
		return gort__fail_addr(GORT_EFORMAT, md, "types: %llu typelinks",
				       (unsigned long long)t->ntypelinks);
	return 0;
}

int gort_types_open(gort_types **out, gort_layout *lay)
{
	struct gort_types *t;
	unsigned major;
	uint64_t md;
	int rc;

	if (!out)
		return gort__fail(GORT_EINVAL, "gort_types_open: out is NULL");
	*out = NULL;
	if (!lay)
		return gort__fail(GORT_EINVAL, "gort_types_open: layout is NULL");
	if (gort_layout_go_release(lay, &major, &(unsigned){0}))
		return gort__fail(GORT_EUNSUPPORTED, "types: the binary names no Go release");
	t = gort__calloc(1, sizeof(*t));
	if (!t)
		return gort__fail(GORT_ENOMEM, "types: out of memory");
	t->lay = lay;
	t->td.bin = lay->bin;
	t->td.ptr = gort_binary_ptr_size(lay->bin);
	t->td.be = gort_binary_big_endian(lay->bin);
	t->td.minor = lay->minor;
	if ((rc = header_layout(t)) || (rc = find_moduledata(t, &md)) ||
	    (rc = read_moduledata(t, md))) {
		gort__free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void gort_types_close(gort_types *t)
{
	gort__free(t);
}

/* An abi.Name at addr: its bytes and flags. */
int gort__type_name(const struct gort__tdata *t, uint64_t addr, struct gort_str *out,
		    uint8_t *flags)
{
	struct gort_view v;
	struct gort_cursor c;
	uint64_t len;
	const uint8_t *p;
	int rc;

	if ((rc = gort__binary_addr_span(t->bin, addr, &v)))
		return rc;
	c = gort__cursor(&v, 0);
	*flags = gort__cur_u8(&c);
	if (t->minor >= 17) {
		len = gort__cur_uvarint(&c);
	} else {
		len = (uint64_t)gort__cur_u8(&c) << 8;
		len |= gort__cur_u8(&c);
	}
	if (!c.err && len > MAX_NAME)
		return gort__fail_addr(GORT_EFORMAT, addr, "types: name of %llu bytes",
				       (unsigned long long)len);
	p = gort__cur_bytes(&c, len);
	if (c.err)
		return gort__fail_addr(c.err, addr, "types: name runs past its segment");
	*out = gort__str((const char *)p, (size_t)len);
	return 0;
}

int gort__type_read(const struct gort__tdata *t, uint64_t addr, struct gort_type *out)
{
	struct gort_view v;
	uint64_t extra, w[3] = {0, 0, 0};
	uint8_t kind, tflag, flags;
	uint32_t str;
	int rc;

	if (!t || !out)
		return gort__fail(GORT_EINVAL, "gort_type_read: NULL argument");
	if (addr < t->types || addr >= t->etypes || t->etypes - addr < t->hsize)
		return gort__fail_addr(GORT_EFORMAT, addr, "types: 0x%llx is not in the type data",
				       (unsigned long long)addr);
	/* The header and up to three words after it, as far as the data goes. */
	extra = t->etypes - addr - t->hsize;
	if (extra > 3 * (uint64_t)t->ptr)
		extra = 3 * (uint64_t)t->ptr;
	if ((rc = read_at(t, addr, t->hsize + extra, &v)))
		return gort__fail_addr(rc, addr, "types: descriptor not readable");
	memset(out, 0, sizeof(*out));
	out->addr = addr;
	if ((rc = gort__view_uptr(&v, t->o_size, &out->size)) ||
	    (rc = gort__view_u8(&v, t->o_kind, &kind)) ||
	    (rc = gort__view_u8(&v, t->o_tflag, &tflag)) ||
	    (rc = gort__view_u32(&v, t->o_str, &str)))
		return rc;
	out->kind = kind & KIND_MASK;
	for (unsigned i = 0; i < 3 && (i + 1) * (uint64_t)t->ptr <= extra; i++)
		gort__view_uptr(&v, t->hsize + i * (uint64_t)t->ptr, &w[i]);
	if (str && (rc = gort__type_name(t, t->types + str, &out->name, &flags)))
		return gort__fail_addr(rc, addr, "types: name of the type at 0x%llx: %s",
				       (unsigned long long)addr, gort_last_error()->message);
	if ((tflag & TFLAG_EXTRA_STAR) && out->name.len) {
		out->name.ptr++;
		out->name.len--;
	}
	switch (out->kind) {
	case GORT_KIND_POINTER:
	case GORT_KIND_SLICE:
	case GORT_KIND_CHAN:
		out->elem = w[0];
		break;
	case GORT_KIND_ARRAY:
		out->elem = w[0];
		out->len = w[2];
		break;
	case GORT_KIND_MAP:
		out->key = w[0];
		out->elem = w[1];
		break;
	case GORT_KIND_STRUCT:
		out->nfields = w[2]; /* Fields: ptr w[1], len w[2] */
		if (out->nfields > MAX_FIELDS)
			return gort__fail_addr(GORT_EFORMAT, addr, "types: struct of %llu fields",
					       (unsigned long long)out->nfields);
		break;
	}
	return 0;
}

int gort__type_field(const struct gort__tdata *t, const struct gort_type *ty, uint64_t i,
		     struct gort_type_field *out)
{
	struct gort_view v;
	uint64_t fields, name, off, p = t ? t->ptr : 0;
	uint8_t flags;
	int rc;

	if (!t || !ty || !out)
		return gort__fail(GORT_EINVAL, "gort_type_field: NULL argument");
	if (ty->kind != GORT_KIND_STRUCT || i >= ty->nfields)
		return gort__fail(GORT_EINVAL, "gort_type_field: no field %llu",
				  (unsigned long long)i);
	if ((rc = read_at(t, ty->addr + t->hsize + p, p, &v)) ||
	    (rc = gort__view_uptr(&v, 0, &fields)))
		return rc;
	if ((rc = read_at(t, fields + i * 3 * p, 3 * p, &v)))
		return gort__fail_addr(rc, fields + i * 3 * p,
				       "types: field %llu of the struct at 0x%llx not readable",
				       (unsigned long long)i, (unsigned long long)ty->addr);
	gort__view_uptr(&v, 0, &name);
	gort__view_uptr(&v, p, &out->type);
	gort__view_uptr(&v, 2 * p, &off);
	if ((rc = gort__type_name(t, name, &out->name, &flags)))
		return rc;
	if (t->minor >= 9 && t->minor < 19) { /* offsetAnon */
		out->offset = off >> 1;
		out->embedded = (int)(off & 1);
	} else {
		out->offset = off;
		out->embedded = (flags & 8) != 0; /* abi.Name.IsEmbedded */
	}
	return 0;
}

int gort_type_read(gort_types *t, uint64_t addr, struct gort_type *out)
{
	return gort__type_read(t ? &t->td : NULL, addr, out);
}

int gort_type_field(gort_types *t, const struct gort_type *ty, uint64_t i,
		    struct gort_type_field *out)
{
	return gort__type_field(t ? &t->td : NULL, ty, i, out);
}

int gort_types_count(gort_types *t, uint64_t *n)
{
	if (!t || !n)
		return gort__fail(GORT_EINVAL, "gort_types_count: NULL argument");
	if (!t->has_typelinks)
		return gort__fail(GORT_EUNSUPPORTED, "types: this release has no typelinks");
	*n = t->ntypelinks;
	return 0;
}

int gort_types_at(gort_types *t, uint64_t i, uint64_t *addr)
{
	struct gort_view v;
	uint32_t off;
	int rc;

	if ((rc = gort_types_count(t, &(uint64_t){0})))
		return rc;
	if (!addr || i >= t->ntypelinks)
		return gort__fail(GORT_EINVAL, "gort_types_at: no entry %llu",
				  (unsigned long long)i);
	if ((rc = read_at(&t->td, t->typelinks + 4 * i, 4, &v)) ||
	    (rc = gort__view_u32(&v, 0, &off)))
		return rc;
	*addr = t->td.types + off;
	return 0;
}
