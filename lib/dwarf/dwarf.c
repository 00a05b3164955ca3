#include "dwarf.h"

#include "check.h"

#include <libdwarf.h>
#include <dwarf.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

/* libdwarf 0.x renamed the object-access types and some entry points. */
#if defined(DW_LIBDWARF_VERSION_MAJOR)
#define GORT_DWARF_0X 1
typedef Dwarf_Obj_Access_Interface_a access_iface;
typedef Dwarf_Obj_Access_Methods_a access_methods;
typedef Dwarf_Obj_Access_Section_a access_section;
typedef Dwarf_Unsigned section_index;
typedef Dwarf_Small byte_order_t;
#define BYTE_ORDER_OF(be) ((Dwarf_Small)((be) ? DW_END_big : DW_END_little))
#define DIETYPE_OFFSET(die, off, is_info, err) \
	dwarf_dietype_offset(die, off, is_info, err)
#else
#define GORT_DWARF_0X 0
typedef Dwarf_Obj_Access_Interface access_iface;
typedef Dwarf_Obj_Access_Methods access_methods;
typedef Dwarf_Obj_Access_Section access_section;
typedef Dwarf_Half section_index;
typedef Dwarf_Endianness byte_order_t;
#define BYTE_ORDER_OF(be) ((be) ? DW_OBJECT_MSB : DW_OBJECT_LSB)
/* The old API has no is_info: types live in .debug_info there too. */
#define DIETYPE_OFFSET(die, off, is_info, err) \
	(*(is_info) = true, dwarf_dietype_offset(die, off, err))
#endif

struct section {
	char *name;    /* ".zdebug_x" presented as ".debug_x" */
	uint64_t size; /* decompressed */
};

struct type_entry {
	const char *name; /* in libdwarf's string data, valid until finish */
	Dwarf_Off off;
};

struct gort_dwarf {
	struct gort_elf *elf;
	struct section *sections;
	access_iface iface;
	Dwarf_Debug dbg;
	pthread_mutex_t lock; /* libdwarf is not thread-safe */
	size_t ntypes;
	struct type_entry *types; /* named structs, sorted by name */
	struct gort_dwarf_entries entries; /* what libdwarf may be asked about */
	int index_rc;
	bool indexed;
	/* Why load_section last failed (e.g. GORT_ENOMEM decompressing). */
	struct gort_saved_error load_err;
};

static int sec_info(void *obj, section_index i, access_section *out, int *err)
{
	struct gort_dwarf *dw = obj;
	const struct gort_elf_section *s;

	*err = 0;
	if (i >= dw->elf->nsections)
		return DW_DLV_NO_ENTRY;
	s = &dw->elf->sections[i];
	memset(out, 0, sizeof(*out));
#if GORT_DWARF_0X
	out->as_name = dw->sections[i].name;
	out->as_type = s->type;
	out->as_flags = s->flags & ~(uint64_t)SHF_COMPRESSED;
	out->as_addr = s->addr;
	out->as_offset = s->offset;
	out->as_size = dw->sections[i].size;
	out->as_link = s->link;
#else
	out->name = dw->sections[i].name;
	out->type = s->type;
	out->addr = s->addr;
	out->size = dw->sections[i].size;
	out->link = s->link;
#endif
	return DW_DLV_OK;
}

static byte_order_t byte_order(void *obj)
{
	return BYTE_ORDER_OF(((struct gort_dwarf *)obj)->elf->file.big_endian);
}

static Dwarf_Small ptr_size(void *obj)
{
	return ((struct gort_dwarf *)obj)->elf->file.ptr_size;
}

static Dwarf_Small length_size(void *obj)
{
	(void)obj;
	return 4;
}

static Dwarf_Unsigned section_count(void *obj)
{
	return ((struct gort_dwarf *)obj)->elf->nsections;
}

static int load_section(void *obj, section_index i, Dwarf_Small **data, int *err)
{
	struct gort_dwarf *dw = obj;
	struct gort_view v;
	int rc;

	*err = 0;
	if (i >= dw->elf->nsections)
		return DW_DLV_NO_ENTRY;
	rc = gort__elf_section_data(dw->elf, &dw->elf->sections[i], &v);
	if (rc || v.size != dw->sections[i].size) {
		if (rc)
			gort__error_save(&dw->load_err, rc);
		*err = DW_DLE_SECTION_ERROR;
		return DW_DLV_ERROR;
	}
	/* libdwarf takes a non-const pointer but only reads the data. */
	*data = (Dwarf_Small *)(uintptr_t)v.data;
	return DW_DLV_OK;
}

static int relocate(void *obj, section_index i, Dwarf_Debug dbg, int *err)
{
	(void)obj, (void)i, (void)dbg;
	*err = 0;
	return DW_DLV_NO_ENTRY; /* executables carry no relocations to apply */
}

#if GORT_DWARF_0X
static Dwarf_Unsigned file_size(void *obj)
{
	return ((struct gort_dwarf *)obj)->elf->file.size;
}

static const access_methods methods = {
	sec_info, byte_order, length_size, ptr_size, file_size,
	section_count, load_section, relocate,
};
#else
static const access_methods methods = {
	sec_info, byte_order, length_size, ptr_size,
	section_count, load_section, relocate,
};
#endif

static void free_sections(struct gort_dwarf *dw)
{
	size_t i;

	if (!dw->sections)
		return;
	for (i = 0; i < dw->elf->nsections; i++)
		gort__free(dw->sections[i].name);
	gort__free(dw->sections);
}

/*
 * The sections type queries read. The others (line tables, range and
 * location lists, frames, ...) are shown to libdwarf under a name it
 * ignores: we never need them, and libdwarf's own parsers of them are
 * attack surface (libdwarf 20210528 double-frees on a corrupt
 * .debug_rnglists: tests/robustness/inputs/dwarf). Type units
 * (.debug_types) neither: Go writes none, and only .debug_info is checked
 * before libdwarf walks it (check.c).
 */
static bool wanted(const char *name)
{
	static const char *const keep[] = {
		".debug_info", ".debug_abbrev", ".debug_str", ".debug_str_offsets",
		".debug_line_str", ".debug_addr",
	};

	if (strncmp(name, ".debug_", 7) != 0)
		return true;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strcmp(name, keep[i]) == 0)
			return true;
	return false;
}

static int prepare_sections(struct gort_dwarf *dw)
{
	size_t i;
	int rc;

	dw->sections = gort__calloc(dw->elf->nsections, sizeof(*dw->sections));
	if (!dw->sections)
		return gort__fail(GORT_ENOMEM, "DWARF: section table");
	for (i = 0; i < dw->elf->nsections; i++) {
		const struct gort_elf_section *s = &dw->elf->sections[i];
		bool z = strncmp(s->name, ".zdebug_", 8) == 0;

		dw->sections[i].name = gort__strndup(z ? s->name + 1 : s->name,
						     strlen(s->name) - z);
		if (!dw->sections[i].name)
			return GORT_ENOMEM;
		if (z)
			dw->sections[i].name[0] = '.';
		if (!wanted(dw->sections[i].name))
			memcpy(dw->sections[i].name, ".gort", 6); /* fits: ".debug_" is longer */
		dw->sections[i].size = s->size;
		if (strstr(dw->sections[i].name, "debug_") &&
		    (rc = gort__elf_section_size(dw->elf, s, &dw->sections[i].size)))
			return rc;
	}
	return 0;
}

static void finish(struct gort_dwarf *dw)
{
#if GORT_DWARF_0X
	dwarf_object_finish(dw->dbg);
#else
	Dwarf_Error e = NULL;
	dwarf_object_finish(dw->dbg, &e);
#endif
}

int gort__dwarf_open(struct gort_dwarf **out, struct gort_elf *elf)
{
	struct gort_dwarf *dw;
	Dwarf_Error err = NULL;
	int rc;

	*out = NULL;
	if (!gort__elf_section(elf, ".debug_info"))
		return gort__fail(GORT_ENOTFOUND, "no DWARF (.debug_info) in this file");
	dw = gort__calloc(1, sizeof(*dw));
	if (!dw)
		return gort__fail(GORT_ENOMEM, "DWARF: out of memory");
	dw->elf = elf;
	pthread_mutex_init(&dw->lock, NULL);
	if ((rc = prepare_sections(dw)))
		goto fail;
#if GORT_DWARF_0X
	dw->iface.ai_object = dw;
	dw->iface.ai_methods = &methods;
#else
	dw->iface.object = dw;
	dw->iface.methods = &methods;
#endif
	rc = dwarf_object_init_b(&dw->iface, NULL, NULL, DW_GROUPNUMBER_ANY,
				 &dw->dbg, &err);
	if (rc != DW_DLV_OK) {
		rc = dw->load_err.code ? gort__error_restore(&dw->load_err)
				       : gort__fail(GORT_EDWARF, "DWARF: cannot initialise: %s",
						    err ? dwarf_errmsg(err) : "no DWARF sections");
		if (err)
			dwarf_dealloc(NULL, err, DW_DLA_ERROR);
		goto fail;
	}
	*out = dw;
	return 0;
fail:
	free_sections(dw);
	pthread_mutex_destroy(&dw->lock);
	gort__free(dw);
	return rc;
}

void gort__dwarf_close(struct gort_dwarf *dw)
{
	if (!dw)
		return;
	if (dw->dbg)
		finish(dw);
	gort__free(dw->types);
	gort__dwarf_entries_free(&dw->entries);
	free_sections(dw);
	pthread_mutex_destroy(&dw->lock);
	gort__free(dw);
}

static int dwarf_fail(Dwarf_Debug dbg, Dwarf_Error err, const char *what)
{
	int rc = gort__fail(GORT_EDWARF, "DWARF: %s: %s", what,
			    err ? dwarf_errmsg(err) : "error");
	if (err)
		dwarf_dealloc(dbg, err, DW_DLA_ERROR);
	return rc;
}

/*
 * A libdwarf failure that began in load_section (a section we could not
 * decompress: out of memory, corrupt, too large) keeps our code and message
 * rather than becoming GORT_EDWARF.
 */
static int index_fail(struct gort_dwarf *dw, Dwarf_Error err, const char *what)
{
	int rc;

	if (!dw->load_err.code)
		return dwarf_fail(dw->dbg, err, what);
	if (err)
		dwarf_dealloc(dw->dbg, err, DW_DLA_ERROR);
	rc = gort__error_restore(&dw->load_err);
	dw->load_err.code = 0;
	return rc;
}

static int typecmp(const void *a, const void *b)
{
	return strcmp(((const struct type_entry *)a)->name,
		      ((const struct type_entry *)b)->name);
}

static int add_type(struct gort_dwarf *dw, size_t *cap, const char *name, Dwarf_Off off)
{
	if (dw->ntypes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct type_entry *t = gort__realloc(dw->types, ncap * sizeof(*t));
		if (!t)
			return gort__fail(GORT_ENOMEM, "DWARF: type index");
		dw->types = t;
		*cap = ncap;
	}
	dw->types[dw->ntypes].name = name;
	dw->types[dw->ntypes].off = off;
	dw->ntypes++;
	return 0;
}

/* Walk .debug_info ourselves first (check.c): dw->entries. */
static int check_entries(struct gort_dwarf *dw)
{
	struct gort_elf_section *si = gort__elf_section(dw->elf, ".debug_info");
	struct gort_elf_section *sa = gort__elf_section(dw->elf, ".debug_abbrev");
	struct gort_view info, abbrev;
	int rc;

	if (!sa)
		return gort__fail(GORT_EDWARF, "DWARF: .debug_info without .debug_abbrev");
	if ((rc = gort__elf_section_data(dw->elf, si, &info)) ||
	    (rc = gort__elf_section_data(dw->elf, sa, &abbrev)))
		return rc;
	/* Offsets in messages are the sections' own, as DWARF tools print them. */
	info.file_off = abbrev.file_off = 0;
	info.what = ".debug_info";
	abbrev.what = ".debug_abbrev";
	return gort__dwarf_check(&info, &abbrev, &dw->entries);
}

/*
 * Index the named structure types at the top level of every CU that
 * passed the check; the others are left out.
 */
static int build_index(struct gort_dwarf *dw)
{
	Dwarf_Debug dbg = dw->dbg;
	Dwarf_Error err = NULL;
	size_t cap = 0;
	int res, rc;

	if ((rc = check_entries(dw)))
		return rc;
	for (;;) {
		Dwarf_Unsigned hdr_len, abbrev_off, next_off;
		Dwarf_Half version, addr_size, off_size, ext_size, hdr_type;
		Dwarf_Sig8 sig;
		Dwarf_Unsigned typeoff;
		Dwarf_Die cu = NULL, die = NULL, next;
		Dwarf_Off cu_off;

		res = dwarf_next_cu_header_d(dbg, true, &hdr_len, &version, &abbrev_off,
					     &addr_size, &off_size, &ext_size, &sig,
					     &typeoff, &next_off, &hdr_type, &err);
		if (res == DW_DLV_NO_ENTRY)
			break;
		if (res != DW_DLV_OK)
			return index_fail(dw, err, "compile unit header");
		if (dwarf_siblingof_b(dbg, NULL, true, &cu, &err) != DW_DLV_OK)
			return index_fail(dw, err, "compile unit");
		res = dwarf_dieoffset(cu, &cu_off, &err);
		if (res == DW_DLV_OK && !gort__dwarf_is_entry(&dw->entries, cu_off))
			res = DW_DLV_NO_ENTRY;
		if (res == DW_DLV_OK)
			res = dwarf_child(cu, &die, &err);
		while (res == DW_DLV_OK && !rc) {
			Dwarf_Half tag;
			char *name;
			Dwarf_Off off;

			if (dwarf_tag(die, &tag, &err) == DW_DLV_OK &&
			    tag == DW_TAG_structure_type &&
			    dwarf_diename(die, &name, &err) == DW_DLV_OK &&
			    dwarf_dieoffset(die, &off, &err) == DW_DLV_OK)
				rc = add_type(dw, &cap, name, off);
			res = dwarf_siblingof_b(dbg, die, true, &next, &err);
			dwarf_dealloc(dbg, die, DW_DLA_DIE);
			die = next;
		}
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
		if (rc)
			return rc;
		if (res == DW_DLV_ERROR)
			return index_fail(dw, err, "debugging entry");
	}
	if (dw->ntypes) /* types is NULL when there are none */
		qsort(dw->types, dw->ntypes, sizeof(*dw->types), typecmp);
	return 0;
}

static int find_type(struct gort_dwarf *dw, const char *type, Dwarf_Die *out)
{
	struct type_entry key = {type, 0}, *hit;
	Dwarf_Error err = NULL;

	if (!dw->indexed) {
		dw->index_rc = build_index(dw);
		dw->indexed = true;
		/* Out of memory before libdwarf's pass over the units (which
		   would resume midway) is not the file's answer: retry. */
		if (dw->index_rc == GORT_ENOMEM && !dw->entries.bits)
			dw->indexed = false;
	}
	if (dw->index_rc)
		return dw->index_rc;
	hit = dw->ntypes ? bsearch(&key, dw->types, dw->ntypes, sizeof(*hit), typecmp)
			 : NULL;
	if (!hit && dw->entries.err.code) /* it may be in a unit left out */
		return gort__error_restore(&dw->entries.err);
	if (!hit)
		return gort__fail(GORT_ENOTFOUND, "DWARF: no structure type %s", type);
	if (dwarf_offdie_b(dw->dbg, hit->off, true, out, &err) != DW_DLV_OK)
		return index_fail(dw, err, "type entry");
	return 0;
}

static int udata_attr(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at, uint64_t *out)
{
	Dwarf_Attribute attr;
	Dwarf_Unsigned v;
	Dwarf_Error err = NULL;
	int res = dwarf_attr(die, at, &attr, &err);

	if (res != DW_DLV_OK)
		return res == DW_DLV_NO_ENTRY ? GORT_ENOTFOUND
					      : dwarf_fail(dbg, err, "attribute");
	res = dwarf_formudata(attr, &v, &err);
	dwarf_dealloc(dbg, attr, DW_DLA_ATTR);
	if (res != DW_DLV_OK)
		return dwarf_fail(dbg, err, "attribute value");
	*out = v;
	return 0;
}

static int referenced_size(struct gort_dwarf *dw, Dwarf_Die die, uint64_t *size,
			   int depth);

/*
 * An array without DW_AT_byte_size (C emits none; Go does): the element
 * size times the length of every dimension.
 */
static int array_size(struct gort_dwarf *dw, Dwarf_Die arr, uint64_t *size, int depth)
{
	Dwarf_Debug dbg = dw->dbg;
	Dwarf_Error err = NULL;
	Dwarf_Die sub, next;
	uint64_t total, n;
	int res, rc;

	if ((rc = referenced_size(dw, arr, &total, depth + 1)))
		return rc;
	res = dwarf_child(arr, &sub, &err);
	while (res == DW_DLV_OK) {
		Dwarf_Half tag;
		if (dwarf_tag(sub, &tag, &err) == DW_DLV_OK && tag == DW_TAG_subrange_type) {
			if (udata_attr(dbg, sub, DW_AT_count, &n) == 0)
				total *= n;
			else if (udata_attr(dbg, sub, DW_AT_upper_bound, &n) == 0)
				total *= n + 1;
			else
				total = 0; /* flexible array member */
		}
		res = dwarf_siblingof_b(dbg, sub, true, &next, &err);
		dwarf_dealloc(dbg, sub, DW_DLA_DIE);
		sub = next;
	}
	*size = total;
	return 0;
}

/*
 * Byte size of the type a DIE refers to through DW_AT_type, through
 * typedefs and qualifiers (a bounded number of them: input is hostile).
 */
static int referenced_size(struct gort_dwarf *dw, Dwarf_Die die, uint64_t *size,
			   int depth)
{
	Dwarf_Debug dbg = dw->dbg;
	Dwarf_Die t = die, next;
	Dwarf_Error err = NULL;
	int rc = GORT_ENOTFOUND;

	for (; depth < 16; depth++) {
		Dwarf_Off off;
		Dwarf_Bool is_info;
		Dwarf_Half tag;

		/* Only to an entry the check walked (not into one, or a bad unit). */
		if (DIETYPE_OFFSET(t, &off, &is_info, &err) != DW_DLV_OK || !is_info ||
		    !gort__dwarf_is_entry(&dw->entries, off) ||
		    dwarf_offdie_b(dbg, off, is_info, &next, &err) != DW_DLV_OK)
			break;
		if (t != die)
			dwarf_dealloc(dbg, t, DW_DLA_DIE);
		t = next;
		if ((rc = udata_attr(dbg, t, DW_AT_byte_size, size)) != GORT_ENOTFOUND)
			break;
		if (dwarf_tag(t, &tag, &err) != DW_DLV_OK)
			continue;
		if (tag == DW_TAG_array_type) {
			rc = array_size(dw, t, size, depth);
			break;
		}
		/*
		 * Go writes unsafe.Pointer as a bare pointer type with neither
		 * byte size nor target (cmd/link/internal/ld/dwarf.go:
		 * DW_ABRV_BARE_PTRTYPE): it is the size of an address.
		 */
		if (tag == DW_TAG_pointer_type) {
			Dwarf_Half asize;
			if (dwarf_get_die_address_size(t, &asize, &err) == DW_DLV_OK) {
				*size = asize;
				rc = 0;
			}
			break;
		}
	}
	if (t != die)
		dwarf_dealloc(dbg, t, DW_DLA_DIE);
	return rc;
}

int gort__dwarf_struct_size(struct gort_dwarf *dw, const char *type, uint64_t *size)
{
	Dwarf_Die die;
	int rc;

	pthread_mutex_lock(&dw->lock);
	rc = find_type(dw, type, &die);
	if (!rc) {
		rc = udata_attr(dw->dbg, die, DW_AT_byte_size, size);
		if (rc == GORT_ENOTFOUND)
			gort__fail(rc, "DWARF: %s has no byte size", type);
		dwarf_dealloc(dw->dbg, die, DW_DLA_DIE);
	}
	pthread_mutex_unlock(&dw->lock);
	return rc;
}

int gort__dwarf_member(struct gort_dwarf *dw, const char *type, const char *field,
		       uint64_t *offset, uint64_t *size)
{
	Dwarf_Debug dbg = dw->dbg;
	Dwarf_Error err = NULL;
	Dwarf_Die st, m, next;
	int res, rc;

	pthread_mutex_lock(&dw->lock);
	if ((rc = find_type(dw, type, &st)))
		goto out;
	rc = gort__fail(GORT_ENOTFOUND, "DWARF: %s has no field %s", type, field);
	res = dwarf_child(st, &m, &err);
	while (res == DW_DLV_OK) {
		Dwarf_Half tag;
		char *name;
		if (dwarf_tag(m, &tag, &err) == DW_DLV_OK && tag == DW_TAG_member &&
		    dwarf_diename(m, &name, &err) == DW_DLV_OK && !strcmp(name, field)) {
			rc = udata_attr(dbg, m, DW_AT_data_member_location, offset);
			if (!rc)
				rc = referenced_size(dw, m, size, 0);
			if (rc == GORT_ENOTFOUND)
				gort__fail(rc, "DWARF: %s.%s has no offset or size", type, field);
			dwarf_dealloc(dbg, m, DW_DLA_DIE);
			break;
		}
		res = dwarf_siblingof_b(dbg, m, true, &next, &err);
		dwarf_dealloc(dbg, m, DW_DLA_DIE);
		m = next;
	}
	dwarf_dealloc(dbg, st, DW_DLA_DIE);
out:
	pthread_mutex_unlock(&dw->lock);
	return rc;
}
