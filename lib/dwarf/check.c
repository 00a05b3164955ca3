/*
 * A structural check of .debug_info before libdwarf walks it.
 *
 * libdwarf 20210528 trusts the entries it skips: dwarf_siblingof_b over an
 * entry whose abbreviation code is missing from its unit's table never
 * returns (tests/robustness/inputs/dwarf/missing-abbrev.obj), and a
 * DW_AT_sibling that does not land where its entry's subtree ends sends it
 * elsewhere. So every unit is walked here first, with our bounds checks:
 * each code is defined once in its table, each attribute's form is known
 * and its value inside the unit, each DW_AT_sibling points just past its
 * entry's subtree, and every entry's children end inside the unit. Entries
 * of units that pass are marked in a bitmap; libdwarf is only asked about
 * those (dwarf.c), so it only walks what was checked.
 */
#include "check.h"

#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than any compiler writes; bounds the walk's stack. */
#define MAX_DEPTH 256
#define NONE UINT64_MAX

struct abbrev {
	uint64_t code;
	uint32_t first, n; /* its attributes: table.attrs[first, first + n) */
	bool children;
};

struct attr {
	uint64_t name, form;
};

struct table {
	uint64_t off; /* in .debug_abbrev; NONE before the first load */
	size_t n, cap, nattrs, attrcap;
	struct abbrev *a; /* sorted by code */
	struct attr *attrs;
	bool dense; /* a[i].code == i + 1: index directly */
};

struct unit {
	struct gort_view v; /* the unit's bytes; file_off is its offset */
	uint16_t version;
	uint8_t off_size, addr_size;
};

static int fail(struct gort_cursor *c, uint64_t off, const char *what,
		unsigned long long value)
{
	if (!c->err)
		c->err = gort__fail_at(GORT_EDWARF, off,
				       "DWARF: .debug_info at 0x%llx: %s 0x%llx",
				       (unsigned long long)off, what, value);
	return c->err;
}

/*
 * The walk reads every byte of .debug_info: the common cases (a LEB128 of
 * one byte, a skip inside the unit) are decided here, inline, and the rest
 * goes through the view's checked readers.
 */
static inline uint64_t uleb(struct gort_cursor *c)
{
	if (!c->err && c->pos < c->v->size && c->v->data[c->pos] < 0x80)
		return c->v->data[c->pos++];
	return gort__cur_uvarint(c);
}

static inline void skip(struct gort_cursor *c, uint64_t n)
{
	if (!c->err && n <= c->v->size - c->pos)
		c->pos += n;
	else
		gort__cur_skip(c, n); /* records the error */
}

/* A LEB128 value's bytes (signed or not): at most 10. */
static void skip_leb(struct gort_cursor *c)
{
	uint64_t start = c->pos;

	if (!c->err && c->pos < c->v->size && c->v->data[c->pos] < 0x80) {
		c->pos++;
		return;
	}
	for (int i = 0; i < 10; i++)
		if (!(gort__cur_u8(c) & 0x80))
			return;
	fail(c, c->v->file_off + start, "LEB128 value longer than 10 bytes, first byte", 0x80);
}

/* Bytes of a fixed-size form's value; -1 for a variable or unknown one. */
static inline int fixed_size(const struct unit *u, uint64_t form)
{
	switch (form) {
	case DW_FORM_flag_present: case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
	case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_ref_sup4:
	case DW_FORM_strx4: case DW_FORM_addrx4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->addr_size;
	case DW_FORM_ref_addr:
		return u->version == 2 ? u->addr_size : u->off_size;
	case DW_FORM_strp: case DW_FORM_sec_offset: case DW_FORM_line_strp:
	case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt: case DW_FORM_GNU_strp_alt:
		return u->off_size;
	default:
		return -1;
	}
}

static bool leb_form(uint64_t form)
{
	switch (form) {
	case DW_FORM_sdata: case DW_FORM_udata: case DW_FORM_ref_udata:
	case DW_FORM_strx: case DW_FORM_addrx: case DW_FORM_loclistx:
	case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
		return true;
	default:
		return false;
	}
}

static bool known_form(uint64_t form)
{
	static const struct unit any = {.version = 4, .off_size = 4, .addr_size = 8};

	switch (form) {
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4:
	case DW_FORM_block: case DW_FORM_exprloc: case DW_FORM_string:
	case DW_FORM_indirect:
		return true;
	default:
		return leb_form(form) || fixed_size(&any, form) >= 0;
	}
}

/* An unsigned value of n bytes (1, 2, 4 or 8). */
static uint64_t read_n(struct gort_cursor *c, int n)
{
	switch (n) {
	case 1: return gort__cur_u8(c);
	case 2: return gort__cur_u16(c);
	case 4: return gort__cur_u32(c);
	default: return gort__cur_u64(c);
	}
}

/*
 * Skip one attribute value. For DW_AT_sibling, its target (an offset in
 * .debug_info) goes to *sibling: only reference forms are accepted there.
 */
static void skip_value(struct gort_cursor *c, const struct unit *u, uint64_t name,
		       uint64_t form, uint64_t *sibling)
{
	uint64_t start = c->pos, len;
	int n;

	if (c->err)
		return;
	if (form == DW_FORM_indirect) {
		form = uleb(c);
		if (!c->err && (form == DW_FORM_indirect || form == DW_FORM_implicit_const ||
				!known_form(form))) {
			fail(c, c->v->file_off + start, "DW_FORM_indirect to form", form);
			return;
		}
		start = c->pos;
	}
	if (name == DW_AT_sibling) {
		uint64_t to;
		if (form == DW_FORM_ref_udata)
			to = u->v.file_off + uleb(c);
		else if (form == DW_FORM_ref_addr)
			to = read_n(c, fixed_size(u, form));
		else if (form == DW_FORM_ref1 || form == DW_FORM_ref2 ||
			 form == DW_FORM_ref4 || form == DW_FORM_ref8)
			to = u->v.file_off + read_n(c, fixed_size(u, form));
		else {
			fail(c, c->v->file_off + start, "DW_AT_sibling with form", form);
			return;
		}
		*sibling = to;
		return;
	}
	if ((n = fixed_size(u, form)) >= 0) {
		skip(c, (uint64_t)n);
		return;
	}
	if (leb_form(form)) {
		skip_leb(c);
		return;
	}
	switch (form) {
	case DW_FORM_block1: len = gort__cur_u8(c); break;
	case DW_FORM_block2: len = gort__cur_u16(c); break;
	case DW_FORM_block4: len = gort__cur_u32(c); break;
	case DW_FORM_string: {
		const uint8_t *s = c->v->data + c->pos, *z = NULL;
		if (c->pos < c->v->size)
			z = memchr(s, 0, c->v->size - c->pos);
		if (!z) {
			fail(c, c->v->file_off + start,
			     "string runs past the unit's end, bytes left", c->v->size - c->pos);
			return;
		}
		len = (uint64_t)(z - s) + 1;
		break;
	}
	default: /* DW_FORM_block, DW_FORM_exprloc */
		len = uleb(c);
		break;
	}
	skip(c, len);
}

static int table_fail(uint64_t off, const char *what, unsigned long long value)
{
	return gort__fail_at(GORT_EDWARF, off, "DWARF: .debug_abbrev at 0x%llx: %s 0x%llx",
			     (unsigned long long)off, what, value);
}

static int code_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct abbrev *)a)->code, y = ((const struct abbrev *)b)->code;
	return (x > y) - (x < y);
}

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if (!(q = gort__realloc(*p, ncap * elem)))
		return gort__fail(GORT_ENOMEM, "DWARF: abbreviation table");
	*p = q;
	*cap = ncap;
	return 0;
}

/* The abbreviation table at off, replacing the one loaded before. */
static int load_table(struct table *t, const struct gort_view *abbrev, uint64_t off)
{
	struct gort_cursor c = gort__cursor(abbrev, off);
	int rc;

	t->off = NONE;
	t->n = t->nattrs = 0;
	if (off >= abbrev->size)
		return table_fail(off, "table offset past the section's end", abbrev->size);
	for (;;) {
		uint64_t start = c.pos, code = gort__cur_uvarint(&c), tag;
		struct abbrev *a;
		uint8_t children;

		if (c.err || code == 0)
			break;
		tag = gort__cur_uvarint(&c);
		children = gort__cur_u8(&c);
		if (c.err)
			break;
		if (tag == 0 || children > 1)
			return table_fail(start, "malformed abbreviation, code", code);
		if ((rc = grow((void **)&t->a, &t->cap, t->n, sizeof(*t->a))))
			return rc;
		a = &t->a[t->n++];
		a->code = code;
		a->children = children;
		a->first = (uint32_t)t->nattrs;
		for (;;) {
			uint64_t name = gort__cur_uvarint(&c), form = gort__cur_uvarint(&c);

			if (c.err || (name == 0 && form == 0))
				break;
			if (name == 0 || !known_form(form))
				return table_fail(start, "abbreviation with an unknown form, code", code);
			if (form == DW_FORM_implicit_const)
				skip_leb(&c);
			if (t->nattrs >= UINT32_MAX)
				return table_fail(start, "too many attributes, code", code);
			if ((rc = grow((void **)&t->attrs, &t->attrcap, t->nattrs, sizeof(*t->attrs))))
				return rc;
			t->attrs[t->nattrs].name = name;
			t->attrs[t->nattrs++].form = form;
		}
		a->n = (uint32_t)(t->nattrs - a->first);
	}
	if (c.err)
		return c.err;
	t->dense = true;
	for (size_t i = 0; i < t->n && t->dense; i++)
		t->dense = t->a[i].code == i + 1;
	if (!t->dense) {
		qsort(t->a, t->n, sizeof(*t->a), code_cmp);
		for (size_t i = 1; i < t->n; i++)
			if (t->a[i].code == t->a[i - 1].code)
				return table_fail(off, "table defines twice the code", t->a[i].code);
	}
	t->off = off;
	return 0;
}

static const struct abbrev *find(const struct table *t, uint64_t code)
{
	struct abbrev key = {.code = code};

	if (t->dense)
		return code - 1 < t->n ? &t->a[code - 1] : NULL;
	return t->n ? bsearch(&key, t->a, t->n, sizeof(key), code_cmp) : NULL;
}

static void mark(uint8_t *bits, uint64_t off)
{
	bits[off / 8] |= (uint8_t)(1u << (off % 8));
}

/* The unit's entries, after its header; marks each entry's offset. */
static int walk(struct gort_cursor *c, const struct unit *u, const struct table *t,
		uint8_t *bits)
{
	struct {
		uint64_t entry, sibling;
	} open[MAX_DEPTH];
	int depth = 0;

	while (!c->err) {
		uint64_t entry = c->v->file_off + c->pos, code, sibling = NONE;
		const struct abbrev *a;

		if (c->pos == c->v->size) {
			if (depth)
				fail(c, open[depth - 1].entry,
				     "children run past the unit's end, unit end", entry);
			break;
		}
		code = uleb(c);
		if (c->err)
			break;
		if (code == 0) {
			/* After the unit's entry only padding follows. */
			if (depth == 0)
				break;
			depth--;
			if (open[depth].sibling != NONE &&
			    open[depth].sibling != c->v->file_off + c->pos)
				fail(c, open[depth].entry,
				     "DW_AT_sibling not just past the entry's subtree but at",
				     open[depth].sibling);
			if (depth == 0)
				break;
			continue;
		}
		if (!(a = find(t, code))) {
			fail(c, entry, "entry with an abbreviation code its table lacks:", code);
			break;
		}
		mark(bits, entry);
		for (uint32_t i = 0; i < a->n; i++)
			skip_value(c, u, t->attrs[a->first + i].name,
				   t->attrs[a->first + i].form, &sibling);
		if (c->err)
			break;
		if (a->children) {
			if (depth == MAX_DEPTH) {
				fail(c, entry, "entries nested deeper than", MAX_DEPTH);
				break;
			}
			open[depth].entry = entry;
			open[depth++].sibling = sibling;
		} else {
			if (sibling != NONE && sibling != c->v->file_off + c->pos)
				fail(c, entry, "DW_AT_sibling not just past the entry but at", sibling);
			if (depth == 0)
				break;
		}
	}
	return c->err;
}

/*
 * The unit at off: its header (DWARF 2-5, 32- or 64-bit) and entries.
 * *next is where the next unit starts, or NONE when the unit's length is
 * itself unusable (the walk cannot go on past it).
 */
static int check_unit(const struct gort_view *info, uint64_t off, struct table *t,
		      const struct gort_view *abbrev, uint8_t *bits, uint64_t *next)
{
	struct gort_cursor c = gort__cursor(info, off);
	uint64_t len = gort__cur_u32(&c), abbrev_off, hdr;
	struct unit u = {.off_size = 4};
	int rc;

	*next = NONE;
	if (len == 0xffffffff) {
		len = gort__cur_u64(&c);
		u.off_size = 8;
	} else if (len >= 0xfffffff0) {
		return fail(&c, off, "unit with a reserved length", len);
	}
	if (c.err)
		return c.err;
	if (len > info->size - c.pos)
		return fail(&c, off, "unit runs past the section's end, length", len);
	hdr = c.pos - off;
	if ((rc = gort__view_sub(info, off, hdr + len, &u.v)))
		return rc;
	u.v.file_off = off; /* messages give offsets in .debug_info */
	*next = off + hdr + len;
	c = gort__cursor(&u.v, hdr);
	u.version = gort__cur_u16(&c);
	if (u.version < 2 || u.version > 5)
		return fail(&c, off, "unit of unknown DWARF version", u.version);
	if (u.version == 5) {
		uint8_t type = gort__cur_u8(&c);
		u.addr_size = gort__cur_u8(&c);
		abbrev_off = read_n(&c, u.off_size);
		if (type == DW_UT_skeleton || type == DW_UT_split_compile)
			gort__cur_skip(&c, 8);
		else if (type == DW_UT_type || type == DW_UT_split_type)
			gort__cur_skip(&c, 8 + (uint64_t)u.off_size);
		else if (type != DW_UT_compile && type != DW_UT_partial)
			return fail(&c, off, "unit of unknown type", type);
	} else {
		abbrev_off = read_n(&c, u.off_size);
		u.addr_size = gort__cur_u8(&c);
	}
	if (c.err)
		return c.err;
	if (u.addr_size != 2 && u.addr_size != 4 && u.addr_size != 8)
		return fail(&c, off, "unit with address size", u.addr_size);
	if (t->off != abbrev_off && (rc = load_table(t, abbrev, abbrev_off)))
		return rc;
	return walk(&c, &u, t, bits);
}

int gort__dwarf_check(const struct gort_view *info, const struct gort_view *abbrev,
		      struct gort_dwarf_entries *out)
{
	struct table t = {.off = NONE};
	uint64_t off = 0, next;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (info->size > SIZE_MAX - 7 ||
	    !(out->bits = gort__calloc((size_t)(info->size + 7) / 8, 1)))
		return gort__fail(GORT_ENOMEM, "DWARF: entry index of .debug_info");
	out->size = info->size;
	for (; off < info->size; off = next) {
		rc = check_unit(info, off, &t, abbrev, out->bits, &next);
		if (rc == GORT_ENOMEM)
			break;
		if (rc) {
			/* Nothing of a unit that failed is handed to libdwarf. */
			if (!out->err.code)
				gort__error_save(&out->err, rc);
			for (uint64_t i = off; i < info->size && i < next; i++)
				out->bits[i / 8] &= (uint8_t)~(1u << (i % 8));
			rc = 0;
			if (next == NONE)
				break;
		}
	}
	gort__free(t.a);
	gort__free(t.attrs);
	if (rc)
		gort__dwarf_entries_free(out);
	return rc;
}

void gort__dwarf_entries_free(struct gort_dwarf_entries *e)
{
	gort__free(e->bits);
	e->bits = NULL;
	e->size = 0;
}
