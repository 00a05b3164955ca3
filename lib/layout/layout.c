/*
 * Opening a layout: which Go release built the binary, which built-in table
 * matches it, whether DWARF is there to answer first; then the field and
 * size queries.
 *
 * Tables are keyed on the release (major.minor, from the build info or
 * runtime.buildVersion) and the architecture, never on the pclntab magic:
 * layouts move between releases that share one (DOMAIN: Go 1.20-1.27 all
 * write 0xfffffff1).
 */
#include "layout.h"

#include <string.h>

/*
 * "go1.22.12", "go1.21rc2", "devel go1.23-abc...", "go1.24.1 X:boring":
 * the first "go1.N" names the release. Old devel strings ("devel +abc")
 * name none.
 */
static bool parse_release(struct gort_str v, unsigned *major, unsigned *minor)
{
	for (size_t i = 0; i + 4 < v.len; i++) {
		unsigned m = 0;
		size_t j;

		if (memcmp(v.ptr + i, "go1.", 4) || (i && v.ptr[i - 1] != ' '))
			continue;
		for (j = i + 4; j < v.len && j < i + 8 && v.ptr[j] >= '0' && v.ptr[j] <= '9'; j++)
			m = m * 10 + (unsigned)(v.ptr[j] - '0');
		if (j == i + 4 || (j < v.len && v.ptr[j] >= '0' && v.ptr[j] <= '9'))
			return false;
		*major = 1;
		*minor = m;
		return true;
	}
	return false;
}

/* The table of this release and arch, else (nearest) the newest older one. */
static const struct gort__layout_table *find_table(unsigned major, unsigned minor,
						   int arch, bool nearest)
{
	const struct gort__layout_table *best = NULL;

	for (size_t i = 0; i < gort__layout_tables_len; i++) {
		const struct gort__layout_table *t = &gort__layout_tables[i];
		if (t->arch != arch || t->major != major)
			continue;
		if (t->minor == minor)
			return t;
		if (nearest && t->minor < minor && (!best || t->minor > best->minor))
			best = t;
	}
	return best;
}

int gort_layout_open(gort_layout **out, gort_binary *bin,
		     const struct gort_layout_opts *opts)
{
	struct gort_layout *lay;
	struct gort_str v;
	int arch, rc;
	bool nearest, has_dwarf, no_types;

	if (!out)
		return gort__fail(GORT_EINVAL, "gort_layout_open: out is NULL");
	*out = NULL;
	if (!bin)
		return gort__fail(GORT_EINVAL, "gort_layout_open: binary is NULL");
	if ((rc = gort__opts_check(opts, sizeof(struct gort_layout_opts),
				   "gort_layout_opts")))
		return rc;
	nearest = GORT_OPTS_HAS(opts, allow_nearest) && opts->allow_nearest;
	no_types = GORT_OPTS_HAS(opts, no_types) && opts->no_types;
	has_dwarf = bin->format == GORT_FORMAT_ELF &&
		    gort__elf_section(&bin->elf, ".debug_info") != NULL &&
		    !(GORT_OPTS_HAS(opts, no_dwarf) && opts->no_dwarf);

	lay = gort__calloc(1, sizeof(*lay));
	if (!lay)
		return gort__fail(GORT_ENOMEM, "layout: out of memory");
	lay->bin = bin;
	lay->use_dwarf = has_dwarf;
	lay->use_types = !no_types;
	pthread_mutex_init(&lay->lock, NULL);

	rc = gort_binary_go_version(bin, &v, NULL);
	if (rc && rc != GORT_ENOTGO)
		goto fail;
	if (!rc)
		lay->have_release = parse_release(v, &lay->major, &lay->minor);
	if (rc && !has_dwarf)
		goto fail; /* ENOTGO: no version, no DWARF */
	arch = gort_binary_arch(bin);
	if (lay->have_release) {
		lay->table = find_table(lay->major, lay->minor, arch, false);
		lay->table_source = GORT_LAYOUT_TABLE;
		if (!lay->table && nearest &&
		    (lay->table = find_table(lay->major, lay->minor, arch, true)))
			lay->table_source = GORT_LAYOUT_NEAREST;
	}
	/*
	 * Without DWARF and without a table, the type descriptors are all
	 * there is: look for them now, so that a binary nothing can answer for
	 * fails here rather than at every query.
	 */
	if (!lay->table && !has_dwarf && lay->use_types && lay->have_release) {
		if ((rc = gort__descs_load(lay)))
			goto fail;
		if (!lay->descs.rc) {
			*out = lay;
			return 0;
		}
	}
	if (!lay->table && !has_dwarf) {
		if (lay->have_release && lay->use_types)
			rc = gort__fail(GORT_EUNSUPPORTED,
					"layout: no DWARF and no built-in table for go%u.%u on %s%s, "
					"and no usable type descriptors (%s)",
					lay->major, lay->minor, gort_arch_name(arch),
					nearest ? " (nor an older release)" : "",
					lay->descs.err.message);
		else if (lay->have_release)
			rc = gort__fail(GORT_EUNSUPPORTED,
					"layout: no DWARF and no built-in table for go%u.%u on %s%s",
					lay->major, lay->minor, gort_arch_name(arch),
					nearest ? " (nor an older release)" : "");
		else
			rc = gort__fail(GORT_EUNSUPPORTED,
					"layout: no DWARF, and the Go version \"%.*s\" names no release",
					(int)(v.len > 64 ? 64 : v.len), v.ptr);
		goto fail;
	}
	*out = lay;
	return 0;
fail:
	gort_layout_close(lay);
	return rc;
}

void gort_layout_close(gort_layout *lay)
{
	if (!lay)
		return;
	gort__dwarf_close(lay->dwarf);
	gort__descs_free(&lay->descs);
	gort__strtab_free(&lay->waits);
	gort__strtab_free(&lay->status);
	pthread_mutex_destroy(&lay->lock);
	gort__free(lay);
}

/* The DWARF handle, opened on first use; NULL (rc 0) when not used. */
static int dwarf_get(struct gort_layout *lay, struct gort_dwarf **dw)
{
	int rc;

	*dw = NULL;
	if (!lay->use_dwarf)
		return 0;
	pthread_mutex_lock(&lay->lock);
	if (!lay->dwarf_done) {
		lay->dwarf_rc = gort__dwarf_open(&lay->dwarf, &lay->bin->elf);
		if (lay->dwarf_rc)
			gort__error_save(&lay->dwarf_err, lay->dwarf_rc);
		lay->dwarf_done = true;
	}
	rc = lay->dwarf_rc ? gort__error_restore(&lay->dwarf_err) : 0;
	*dw = lay->dwarf;
	pthread_mutex_unlock(&lay->lock);
	return rc;
}

/* Catalogue position of type (and field; NULL: the size slot). */
static bool catalogue_slot(const char *type, const char *field, size_t *slot)
{
	size_t base = 0;

	for (size_t i = 0; i < gort__layout_catalogue_len; i++) {
		const struct gort__layout_type *t = &gort__layout_catalogue[i];
		if (strcmp(t->name, type)) {
			base += 1 + t->nfields;
			continue;
		}
		if (!field) {
			*slot = base;
			return true;
		}
		for (size_t j = 0; j < t->nfields; j++)
			if (!strcmp(t->fields[j], field)) {
				*slot = base + 1 + j;
				return true;
			}
		return false;
	}
	return false;
}

/*
 * A catalogue type neither DWARF nor the descriptors answer, and no table:
 * never a guess. The binary's type descriptors name their own header, so
 * the other name of it is known absent.
 */
static int no_table(const struct gort_layout *lay, const char *type)
{
	const struct gort__descs *d = &lay->descs;
	int i = gort__catalogue_index(type);

	if (!lay->have_release)
		return gort__fail(GORT_ENOTFOUND, "layout: %s is not in the binary's DWARF "
				  "and no built-in table is in use", type);
	if (atomic_load_explicit(&lay->descs_done, memory_order_acquire) && !d->rc &&
	    i >= 0 && (size_t)i != d->header &&
	    (!strcmp(type, "runtime._type") || !strcmp(type, "internal/abi.Type")))
		return gort__fail(GORT_ENOTFOUND, "layout: go%u.%u has no type %s (its type "
				  "descriptors call their header %s)", lay->major, lay->minor, type,
				  gort__layout_catalogue[d->header].name);
	if (i >= 0 && d->types && d->types[i].rc != GORT_ENOTFOUND)
		return gort__fail_addr(GORT_EUNSUPPORTED, d->types[i].err.address,
				       "layout: no built-in table for go%u.%u, and the type "
				       "descriptor of %s is bad: %s", lay->major, lay->minor,
				       type, d->types[i].err.message);
	return gort__fail(GORT_EUNSUPPORTED,
			  "layout: %s is not among the binary's type descriptors, and there is no "
			  "built-in table for go%u.%u on %s (allow_nearest would take an older release's)",
			  type, lay->major, lay->minor, gort_arch_name(gort_binary_arch(lay->bin)));
}

static int table_lookup(const struct gort_layout *lay, const char *type,
			const char *field, struct gort_field_layout *out)
{
	const struct gort__layout_slot *s;
	size_t slot;

	if (!catalogue_slot(type, field, &slot))
		return gort__fail(GORT_ENOTFOUND, "layout: %s%s%s is described by no source "
				  "(DWARF, type descriptors, built-in tables)",
				  type, field ? "." : "", field ? field : "");
	if (!lay->table)
		return no_table(lay, type);
	s = &lay->table->slots[slot];
	if (s->offset == GORT__ABSENT_OFFSET && !field)
		return gort__fail(GORT_ENOTFOUND, "layout: go%u.%u has no type %s",
				  lay->table->major, lay->table->minor, type);
	if (s->offset == GORT__ABSENT_OFFSET)
		return gort__fail(GORT_ENOTFOUND, "layout: go%u.%u has no field %s.%s",
				  lay->table->major, lay->table->minor, type, field);
	out->offset = (uint64_t)s->offset;
	out->size = (uint64_t)s->size;
	out->source = lay->table_source;
	return 0;
}

/*
 * From the binary's type descriptors: 0 (answered), an error (a field the
 * descriptor lacks: GORT_ENOTFOUND; GORT_ENOMEM), or 1 when they do not
 * answer for the type (not found, not usable). Catalogue types are looked
 * for together at the first query; any other named struct at its own.
 */
static int types_lookup(struct gort_layout *lay, const char *type, const char *field,
			struct gort_field_layout *out)
{
	int i, rc;

	if (!lay->use_types)
		return 1;
	if ((rc = gort__descs_load(lay)))
		return rc;
	if (lay->descs.rc)
		return 1;
	if ((i = gort__catalogue_index(type)) < 0)
		return gort__descs_other(lay, type, field, out);
	return gort__desc_answer(lay, &lay->descs.types[i], type, field, out);
}

/*
 * Ask DWARF first (a DWARF that has the type is the authority on its
 * fields), then the binary's own type descriptors (exact to the patch
 * release, and there in every binary), then the built-in table.
 */
static int lookup(struct gort_layout *lay, const char *type, const char *field,
		  struct gort_field_layout *out)
{
	struct gort_dwarf *dw;
	uint64_t size;
	int rc;

	if (!lay || !type || !out)
		return gort__fail(GORT_EINVAL, "layout: NULL argument");
	if ((rc = dwarf_get(lay, &dw)))
		return rc;
	if (dw) {
		rc = gort__dwarf_struct_size(dw, type, &size);
		if (rc && rc != GORT_ENOTFOUND)
			return rc;
		if (!rc) {
			out->source = GORT_LAYOUT_DWARF;
			if (!field) {
				out->offset = 0;
				out->size = size;
				return 0;
			}
			return gort__dwarf_member(dw, type, field, &out->offset, &out->size);
		}
	}
	if ((rc = types_lookup(lay, type, field, out)) != 1)
		return rc;
	return table_lookup(lay, type, field, out);
}

int gort_layout_field(gort_layout *lay, const char *type, const char *field,
		      struct gort_field_layout *out)
{
	if (!field)
		return gort__fail(GORT_EINVAL, "gort_layout_field: field is NULL");
	return lookup(lay, type, field, out);
}

int gort_layout_size(gort_layout *lay, const char *type, uint64_t *size,
		     int *source)
{
	struct gort_field_layout f;
	int rc;

	if (!size)
		return gort__fail(GORT_EINVAL, "gort_layout_size: size is NULL");
	if ((rc = lookup(lay, type, NULL, &f)))
		return rc;
	*size = f.size;
	if (source)
		*source = f.source;
	return 0;
}

int gort_layout_catalogue(size_t i, const char **type, const char **field)
{
	if (!type || !field)
		return gort__fail(GORT_EINVAL, "gort_layout_catalogue: NULL argument");
	for (size_t k = 0; k < gort__layout_catalogue_len; k++) {
		const struct gort__layout_type *t = &gort__layout_catalogue[k];
		if (i <= t->nfields) {
			*type = t->name;
			*field = i ? t->fields[i - 1] : NULL;
			return 0;
		}
		i -= 1 + t->nfields;
	}
	return GORT_EEND;
}

int gort_layout_go_release(const gort_layout *lay, unsigned *major, unsigned *minor)
{
	if (!lay || !major || !minor)
		return gort__fail(GORT_EINVAL, "gort_layout_go_release: NULL argument");
	if (!lay->have_release)
		return gort__fail(GORT_ENOTFOUND, "layout: the binary names no Go release");
	*major = lay->major;
	*minor = lay->minor;
	return 0;
}

int gort_layout_table_release(const gort_layout *lay, unsigned *major, unsigned *minor)
{
	if (!lay || !major || !minor)
		return gort__fail(GORT_EINVAL, "gort_layout_table_release: NULL argument");
	if (!lay->table)
		return gort__fail(GORT_ENOTFOUND, "layout: no built-in table in use");
	*major = lay->table->major;
	*minor = lay->table->minor;
	return 0;
}
