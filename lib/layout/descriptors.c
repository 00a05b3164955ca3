/*
 * Layouts from the binary's own runtime type descriptors
 * (GORT_LAYOUT_TYPES): what the compiler that built the binary laid out,
 * exact to the patch release, stripped binaries included.
 *
 * The compiler emits a full struct descriptor (every field's name, type
 * and offset) for each type it allocates or points to, so runtime.g, m, p,
 * gobuf, stack, moduledata and the type header itself are described in
 * every Go binary; runtime.schedt (a global variable only) is not.
 * (cmd/compile/internal/reflectdata: writeType; the same reader in Go,
 * independent of this one: scripts/layoutgen/descriptors.go.)
 *
 * How they are found, bounded and without the built-in tables:
 *   - the type data [moduledata.types, etypes) from gort_binary_moduledata
 *     (located through the pclntab, whatever the release);
 *   - the type header laid out as every release since Go 1.7 lays it out
 *     (runtime/type.go: _type; internal/abi/type.go: Type): size, ptrdata,
 *     hash uint32, tflag, align, fieldAlign, kind (bytes), equal, gcdata,
 *     str nameOff, ptrToThis; checked against the binary's own descriptor
 *     of that header before anything is believed;
 *   - a named type's descriptor has the TFlagExtraStar flag and its str
 *     names "*pkg.Name" (cmd/compile: the pointer type's name): one pass
 *     over the type data finds the struct descriptors with that flag whose
 *     str points at one of the wanted names (cmd/link puts the names,
 *     type:.namedata.*, in the type data too);
 *   - a candidate must decode as a struct of that package (pkgPath), its
 *     fields in order, not overlapping, inside the struct: chance matches
 *     and a corrupt descriptor fail that, and the type is then not
 *     answered from descriptors (the table answers, saying so; without a
 *     table the query fails with the descriptor's address).
 */
#include "layout.h"

#include <stdio.h>
#include <string.h>

#define MAX_STRUCT_FIELDS 1024
#define KIND_STRUCT 25      /* abi.Struct */
#define KIND_MASK 31        /* abi.KindMask */
#define TFLAG_EXTRA_STAR 2  /* abi.TFlagExtraStar */
#define FIRST_MINOR 7       /* Go 1.7: str nameOff in the header */

#define MAX_EXTRA 256 /* types outside the catalogue remembered */

void gort__descs_free(struct gort__descs *d)
{
	for (size_t i = 0; i < d->nextra; i++) {
		gort__free(d->extra[i].name);
		gort__free(d->extra[i].t.fields);
	}
	gort__free(d->extra);
	d->extra = NULL;
	d->nextra = 0;
	if (!d->types)
		return;
	for (size_t i = 0; i < gort__layout_catalogue_len; i++)
		gort__free(d->types[i].fields);
	gort__free(d->types);
	d->types = NULL;
}

int gort__catalogue_index(const char *type)
{
	for (size_t i = 0; i < gort__layout_catalogue_len; i++)
		if (!strcmp(gort__layout_catalogue[i].name, type))
			return (int)i;
	return -1;
}

struct want {
	const char *type; /* "internal/abi.Type" */
	struct gort_str pkg; /* "internal/abi" */
	char star[128];      /* "*abi.Type": the descriptor's name */
	size_t len;          /* of star; 0: nothing can match */
};

/* "internal/abi.Type": pkg "internal/abi", the name "*abi.Type". */
static void want_init(struct want *w, const char *type)
{
	const char *dot = strrchr(type, '.'), *slash;
	int n;

	memset(w, 0, sizeof(*w));
	w->type = type;
	if (!dot || dot == type || !dot[1])
		return;
	w->pkg.ptr = type;
	w->pkg.len = (size_t)(dot - type);
	for (slash = dot; slash > type && slash[-1] != '/'; slash--)
		;
	n = snprintf(w->star, sizeof(w->star), "*%s", slash);
	w->len = n > 0 && (size_t)n < sizeof(w->star) ? (size_t)n : 0;
}

/*
 * Whether the name at offset off of the type data (its flag byte) is w's:
 * a two-byte big-endian length before Go 1.17, a uvarint after
 * (runtime/type.go: name); names searched for are under 128 bytes.
 */
static bool name_at(const struct gort__tdata *td, const uint8_t *base, uint64_t size,
		    uint64_t off, const struct want *w)
{
	uint64_t hdr = td->minor < 17 ? 3 : 2;

	if (off >= size || size - off < hdr + w->len)
		return false;
	if (td->minor < 17 ? (base[off + 1] || base[off + 2] != w->len) : base[off + 1] != w->len)
		return false;
	return !memcmp(base + off + hdr, w->star, w->len);
}

/* Whether the abi.Name at addr reads exactly s. */
static bool name_is(const struct gort__tdata *td, uint64_t addr, struct gort_str s)
{
	struct gort_str got;
	uint8_t flags;

	return !gort__type_name(td, addr, &got, &flags) && got.len == s.len &&
	       !memcmp(got.ptr, s.ptr, s.len);
}

/*
 * The struct descriptor at addr decoded into *out, or an error naming the
 * address: it must be a struct of package pkg whose fields are in order,
 * do not overlap and lie inside it (runtime/type.go: structtype).
 */
static int decode(const struct gort__tdata *td, uint64_t addr, struct gort_str pkg,
		  struct gort__desc_type *out)
{
	struct gort_type t, ft;
	struct gort_type_field f;
	struct gort_view v;
	uint64_t pkgpath, end = 0;
	int rc;

	if ((rc = gort__type_read(td, addr, &t)))
		return rc;
	if (t.kind != KIND_STRUCT || t.nfields == 0 || t.nfields > MAX_STRUCT_FIELDS)
		return gort__fail_addr(GORT_EFORMAT, addr,
				       "the type descriptor at 0x%llx is not a struct of 1 to %u fields",
				       (unsigned long long)addr, MAX_STRUCT_FIELDS);
	/* structType.PkgPath: the package of its first unexported field. */
	if ((rc = gort__binary_read_addr(td->bin, addr + td->hsize, td->ptr, &v)))
		return gort__fail_addr(rc, addr, "type descriptor at 0x%llx not readable",
				       (unsigned long long)addr);
	v.ptr_size = (uint8_t)td->ptr;
	v.big_endian = td->be;
	if ((rc = gort__view_uptr(&v, 0, &pkgpath)))
		return rc;
	if (pkgpath && !name_is(td, pkgpath, pkg))
		return gort__fail_addr(GORT_EFORMAT, addr,
				       "the type descriptor at 0x%llx is of another package",
				       (unsigned long long)addr);
	out->fields = gort__calloc((size_t)t.nfields, sizeof(*out->fields));
	if (!out->fields)
		return gort__fail(GORT_ENOMEM, "layout: out of memory");
	out->nfields = (size_t)t.nfields;
	for (uint64_t i = 0; i < t.nfields; i++) {
		if ((rc = gort__type_field(td, &t, i, &f)) || (rc = gort__type_read(td, f.type, &ft)))
			return gort__fail_addr(rc, addr,
					       "field %llu of the type descriptor at 0x%llx: %s",
					       (unsigned long long)i, (unsigned long long)addr,
					       gort_last_error()->message);
		if (!f.name.len || f.offset < end || f.offset > t.size || ft.size > t.size - f.offset)
			return gort__fail_addr(GORT_EFORMAT, addr,
					       "field %llu of the type descriptor at 0x%llx "
					       "(offset %llu, size %llu) is out of order or outside its %llu bytes",
					       (unsigned long long)i, (unsigned long long)addr,
					       (unsigned long long)f.offset, (unsigned long long)ft.size,
					       (unsigned long long)t.size);
		end = f.offset + ft.size;
		out->fields[i] = (struct gort__desc_field){f.name, f.offset, ft.size};
	}
	out->addr = addr;
	out->size = t.size;
	return 0;
}

static bool same_layout(const struct gort__desc_type *a, const struct gort__desc_type *b)
{
	if (a->size != b->size || a->nfields != b->nfields)
		return false;
	for (size_t i = 0; i < a->nfields; i++)
		if (a->fields[i].offset != b->fields[i].offset ||
		    a->fields[i].size != b->fields[i].size ||
		    a->fields[i].name.len != b->fields[i].name.len ||
		    memcmp(a->fields[i].name.ptr, b->fields[i].name.ptr, a->fields[i].name.len))
			return false;
	return true;
}

/*
 * A candidate for catalogue type i: kept if it decodes; a second one that
 * decodes differently makes the type ambiguous (not answered). Only
 * GORT_ENOMEM is returned; a bad candidate is recorded in the type.
 */
static int candidate(const struct gort__tdata *td, uint64_t addr, const struct want *w,
		     struct gort__desc_type *dt)
{
	struct gort__desc_type c = {0};
	int rc = decode(td, addr, w->pkg, &c);

	if (rc == GORT_ENOMEM) {
		gort__free(c.fields);
		return rc;
	}
	if (rc) {
		gort__free(c.fields);
		if (!dt->addr) { /* a name match that is no good descriptor */
			dt->rc = rc;
			gort__error_save(&dt->err, rc);
		}
		return 0;
	}
	if (!dt->addr) {
		c.rc = 0;
		*dt = c;
		return 0;
	}
	if (dt->rc == 0 && !same_layout(dt, &c)) {
		dt->rc = gort__fail_addr(GORT_EFORMAT, addr,
					 "two different type descriptors named %s, at 0x%llx and 0x%llx",
					 w->type,
					 (unsigned long long)dt->addr, (unsigned long long)addr);
		gort__error_save(&dt->err, dt->rc);
	}
	gort__free(c.fields);
	return 0;
}

/*
 * One pass over the type data, word by word (descriptors are aligned to a
 * pointer): struct descriptors with TFlagExtraStar whose str names one of
 * the wanted types (names are in the type data too: type:.namedata.*).
 */
static int scan(const struct gort__tdata *td, const struct gort_view *data,
		const struct want *w, size_t nw, struct gort__desc_type *types)
{
	const uint8_t *base = gort__view_ptr(data, 0, data->size);
	uint64_t need = td->hsize + 3 * (uint64_t)td->ptr;
	uint32_t str;
	int rc;

	if (!base)
		return 0;
	for (uint64_t off = 0; off + need <= data->size; off += td->ptr) {
		if ((base[off + td->o_kind] & KIND_MASK) != KIND_STRUCT ||
		    !(base[off + td->o_tflag] & TFLAG_EXTRA_STAR) ||
		    gort__view_u32(data, off + td->o_str, &str) || (int32_t)str <= 0)
			continue;
		for (size_t i = 0; i < nw; i++)
			if (w[i].len && name_at(td, base, data->size, str, &w[i]) &&
			    (rc = candidate(td, td->types + off, &w[i], &types[i])))
				return rc;
	}
	return 0;
}

/* Whether a decoded field sits where the header layout assumes. */
static bool field_at(const struct gort__desc_type *h, size_t i, uint64_t off, uint64_t size)
{
	return i < h->nfields && h->fields[i].offset == off && h->fields[i].size == size;
}

/*
 * The binary's own descriptor of the type header must describe the layout
 * the search assumed (else nothing found through it is believed): size
 * first, tflag and kind bytes, str, 4 pointers + 16 bytes in all.
 */
static int check_header(const struct gort__tdata *td, struct gort__descs *d)
{
	static const char *const names[] = {"internal/abi.Type", "runtime._type"};
	const struct gort__desc_type *h = NULL;
	uint64_t p = td->ptr;
	int i = -1;

	for (size_t k = 0; k < GORT_ARRAY_SIZE(names) && !h; k++)
		if ((i = gort__catalogue_index(names[k])) >= 0 && d->types[i].addr &&
		    !d->types[i].rc)
			h = &d->types[i];
	for (size_t k = 0; k < GORT_ARRAY_SIZE(names) && !h; k++)
		if ((i = gort__catalogue_index(names[k])) >= 0 &&
		    d->types[i].rc != GORT_ENOTFOUND) /* found, but bad */
			return gort__fail_addr(d->types[i].rc, d->types[i].err.address,
					       "the type header's own descriptor: %s",
					       d->types[i].err.message);
	if (!h)
		return gort__fail(GORT_ENOTFOUND,
				  "the binary's type descriptors do not describe their own header");
	if (h->size != td->hsize || h->nfields != 11 || !field_at(h, 0, td->o_size, p) ||
	    !field_at(h, 3, td->o_tflag, 1) || !field_at(h, 6, td->o_kind, 1) ||
	    !field_at(h, 9, td->o_str, 4))
		return gort__fail_addr(GORT_EFORMAT, h->addr,
				       "the type header's own descriptor at 0x%llx "
				       "describes another header layout",
				       (unsigned long long)h->addr);
	d->header = (size_t)i;
	return 0;
}

/* Everything but running out of memory ends in d->rc (0: usable). */
static int load(struct gort_layout *lay, struct gort__descs *d)
{
	struct gort__tdata td = {0};
	struct gort_moduledata md;
	struct gort_view data;
	struct want *w = NULL;
	int rc;

	if (!lay->have_release || lay->major != 1 || lay->minor < FIRST_MINOR) {
		rc = gort__fail(GORT_EUNSUPPORTED,
				"type descriptors are read for Go 1.%u onward", FIRST_MINOR);
		goto out;
	}
	td.bin = lay->bin;
	td.ptr = gort_binary_ptr_size(lay->bin);
	td.be = gort_binary_big_endian(lay->bin);
	td.minor = lay->minor;
	td.hsize = 4 * (uint64_t)td.ptr + 16;
	td.o_size = 0;
	td.o_tflag = 2 * (uint64_t)td.ptr + 4;
	td.o_kind = 2 * (uint64_t)td.ptr + 7;
	td.o_str = 4 * (uint64_t)td.ptr + 8;
	if ((rc = gort_binary_moduledata(lay->bin, &md)))
		goto out;
	td.types = md.types;
	td.etypes = md.etypes;
	if (td.etypes <= td.types || td.etypes - td.types > (1ull << 32)) {
		rc = gort__fail_addr(GORT_EFORMAT, md.addr,
				     "moduledata types [0x%llx, 0x%llx) is not a range",
				     (unsigned long long)td.types, (unsigned long long)td.etypes);
		goto out;
	}
	if ((rc = gort__binary_read_addr(lay->bin, td.types, td.etypes - td.types, &data)))
		goto out;
	data.ptr_size = (uint8_t)td.ptr;
	data.big_endian = td.be;
	data.what = "type data";
	d->types = gort__calloc(gort__layout_catalogue_len, sizeof(*d->types));
	w = gort__calloc(gort__layout_catalogue_len, sizeof(*w));
	if (!d->types || !w) {
		gort__free(w);
		gort__descs_free(d);
		return gort__fail(GORT_ENOMEM, "layout: out of memory");
	}
	for (size_t i = 0; i < gort__layout_catalogue_len; i++) {
		d->types[i].rc = GORT_ENOTFOUND;
		want_init(&w[i], gort__layout_catalogue[i].name);
	}
	if ((rc = scan(&td, &data, w, gort__layout_catalogue_len, d->types)) == GORT_ENOMEM) {
		gort__free(w);
		gort__descs_free(d);
		return rc;
	}
	rc = check_header(&td, d);
	d->td = td;
out:
	gort__free(w);
	if (rc == GORT_ENOMEM) {
		gort__descs_free(d);
		return rc;
	}
	if (rc) {
		gort__descs_free(d);
		gort__error_save(&d->err, rc);
	}
	d->rc = rc;
	return 0;
}

int gort__descs_load(struct gort_layout *lay)
{
	int rc = 0;

	if (atomic_load_explicit(&lay->descs_done, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&lay->lock);
	if (!atomic_load_explicit(&lay->descs_done, memory_order_relaxed) &&
	    !(rc = load(lay, &lay->descs)))
		atomic_store_explicit(&lay->descs_done, true, memory_order_release);
	pthread_mutex_unlock(&lay->lock);
	return rc;
}

int gort__desc_answer(const struct gort_layout *lay, const struct gort__desc_type *t,
		      const char *type, const char *field, struct gort_field_layout *out)
{
	if (!t->addr || t->rc)
		return 1;
	out->source = GORT_LAYOUT_TYPES;
	if (!field) {
		out->offset = 0;
		out->size = t->size;
		return 0;
	}
	for (size_t k = 0; k < t->nfields; k++)
		if (strlen(field) == t->fields[k].name.len &&
		    !memcmp(field, t->fields[k].name.ptr, t->fields[k].name.len)) {
			out->offset = t->fields[k].offset;
			out->size = t->fields[k].size;
			return 0;
		}
	return gort__fail_addr(GORT_ENOTFOUND, t->addr,
			       "layout: go%u.%u has no field %s.%s (type descriptor at 0x%llx)",
			       lay->major, lay->minor, type, field, (unsigned long long)t->addr);
}

/* One type's descriptor, by the same pass as the catalogue's. */
static int search(const struct gort__tdata *td, const char *type, struct gort__desc_type *t)
{
	struct gort_view data;
	struct want w;

	t->rc = GORT_ENOTFOUND;
	want_init(&w, type);
	if (!w.len || gort__binary_read_addr(td->bin, td->types, td->etypes - td->types, &data))
		return 0;
	data.ptr_size = (uint8_t)td->ptr;
	data.big_endian = td->be;
	data.what = "type data";
	return scan(td, &data, &w, 1, t);
}

int gort__descs_other(struct gort_layout *lay, const char *type, const char *field,
		      struct gort_field_layout *out)
{
	struct gort__descs *d = &lay->descs;
	struct gort__desc_type local = {0}, *t = NULL;
	struct gort__desc_extra *grown;
	int rc;

	pthread_mutex_lock(&lay->lock);
	for (size_t i = 0; i < d->nextra && !t; i++)
		if (!strcmp(d->extra[i].name, type))
			t = &d->extra[i].t;
	if (!t) {
		if ((rc = search(&d->td, type, &local)))
			goto out;
		t = &local;
		/* Remembered while there is room; past that, looked for again. */
		if (d->nextra < MAX_EXTRA &&
		    (grown = gort__realloc(d->extra, (d->nextra + 1) * sizeof(*d->extra)))) {
			d->extra = grown;
			if ((grown[d->nextra].name = gort__strndup(type, strlen(type)))) {
				grown[d->nextra].t = local;
				local = (struct gort__desc_type){0};
				t = &grown[d->nextra++].t;
			}
		}
	}
	rc = gort__desc_answer(lay, t, type, field, out);
out:
	pthread_mutex_unlock(&lay->lock);
	gort__free(local.fields);
	return rc;
}
