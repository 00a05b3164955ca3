/*
 * The symbol table of include/gort/symbols.h: every format's symbols in
 * one array sorted by address, plus an index by name. The letters and
 * sizes are those of cmd/internal/objfile (elf.go, pe.go, macho.go:
 * symbols), so that the list reads like `go tool nm -size`.
 */
#include "binary.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

/* cmd/internal/objfile/elf.go: symbols. */
static char sym_kind(const struct gort_elf *e, const struct gort_elf_symbol *s)
{
	char c = '?';

	if (s->shndx == SHN_UNDEF)
		c = 'U';
	else if (s->shndx == SHN_COMMON)
		c = 'B';
	else if (s->shndx < e->nsections) {
		const struct gort_elf_section *sec = &e->sections[s->shndx];
		switch (sec->flags & (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR)) {
		case SHF_ALLOC | SHF_EXECINSTR:
			c = 'T';
			break;
		case SHF_ALLOC:
			c = 'R';
			break;
		case SHF_ALLOC | SHF_WRITE:
			c = sec->type == SHT_NOBITS ? 'B' : 'D';
			break;
		}
	}
	if (s->bind == STB_LOCAL)
		c = (char)(c + ('a' - 'A'));
	return c;
}

static int by_addr(const void *a, const void *b)
{
	const struct gort_symbol *x = a, *y = b;
	size_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
	int c;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if ((c = memcmp(x->name.ptr, y->name.ptr, n)))
		return c;
	return x->name.len < y->name.len ? -1 : x->name.len > y->name.len;
}

/* qsort has no context argument: the array being indexed, while sorting. */
static _Thread_local const struct gort_symbol *sorting;

static int by_name(const void *a, const void *b)
{
	const struct gort_symbol *x = &sorting[*(const uint32_t *)a],
				 *y = &sorting[*(const uint32_t *)b];
	int c = strcmp(x->name.ptr, y->name.ptr);

	return c ? c : (*(const uint32_t *)a > *(const uint32_t *)b) -
			       (*(const uint32_t *)a < *(const uint32_t *)b);
}

static int collect(struct gort_binary *bin)
{
	size_t n;
	int rc;

	if (bin->format == GORT_FORMAT_ELF) {
		if ((rc = gort__elf_symbols(&bin->elf)))
			return rc;
		n = bin->elf.nsymbols;
	} else {
		n = bin->obj.nsymbols;
	}
	if (n == 0)
		return 0;
	if (n > UINT32_MAX)
		return gort__fail(GORT_ETOOLARGE, "%zu symbols", n);
	bin->syms = gort__calloc(n, sizeof(*bin->syms));
	bin->syms_by_name = gort__calloc(n, sizeof(*bin->syms_by_name));
	if (!bin->syms || !bin->syms_by_name)
		return gort__fail(GORT_ENOMEM, "%zu symbols", n);
	for (size_t i = 0; i < n; i++) {
		struct gort_symbol *s = &bin->syms[i];
		if (bin->format == GORT_FORMAT_ELF) {
			const struct gort_elf_symbol *e = &bin->elf.symbols[i];
			s->name = gort__str(e->name, strlen(e->name));
			s->value = e->value;
			s->size = e->size;
			s->kind = sym_kind(&bin->elf, e);
		} else {
			const struct gort_obj_symbol *o = &bin->obj.symbols[i];
			s->name = gort__str(o->name, strlen(o->name));
			s->value = o->value;
			s->size = o->size;
			s->kind = o->code;
		}
	}
	qsort(bin->syms, n, sizeof(*bin->syms), by_addr);
	for (size_t i = 0; i < n; i++)
		bin->syms_by_name[i] = (uint32_t)i;
	sorting = bin->syms;
	qsort(bin->syms_by_name, n, sizeof(*bin->syms_by_name), by_name);
	sorting = NULL;
	bin->nsyms = n;
	return 0;
}

void gort__symtab_free(struct gort_binary *bin)
{
	gort__free(bin->syms);
	gort__free(bin->syms_by_name);
	bin->syms = NULL;
	bin->syms_by_name = NULL;
	bin->nsyms = 0;
}

static int load(struct gort_binary *bin)
{
	int rc;

	pthread_mutex_lock(&bin->sym_lock);
	if (!bin->syms_done) {
		rc = collect(bin);
		if (rc)
			gort__symtab_free(bin);
		if (rc == GORT_ENOMEM) { /* not a property of the file: not kept */
			pthread_mutex_unlock(&bin->sym_lock);
			return rc;
		}
		if (rc)
			gort__error_save(&bin->syms_err, rc);
		bin->syms_done = true;
	}
	rc = gort__error_restore(&bin->syms_err);
	pthread_mutex_unlock(&bin->sym_lock);
	return rc;
}

/* Index (in syms) of the first symbol named `name`, or -1. */
static long find_name(const struct gort_binary *bin, const char *name)
{
	size_t lo = 0, hi = bin->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(bin->syms[bin->syms_by_name[mid]].name.ptr, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < bin->nsyms && strcmp(bin->syms[bin->syms_by_name[lo]].name.ptr, name) == 0)
		return (long)bin->syms_by_name[lo];
	return -1;
}

int gort__binary_go_symbol(struct gort_binary *bin, const char *name,
			   uint64_t *value)
{
	long i;
	int rc;

	if ((rc = load(bin)))
		return rc == GORT_ENOMEM ? rc : GORT_ENOTFOUND;
	if ((i = find_name(bin, name)) < 0)
		return GORT_ENOTFOUND;
	*value = bin->syms[i].value;
	return 0;
}

int gort_binary_symbol_count(gort_binary *bin, size_t *n)
{
	int rc;

	if (!bin || !n)
		return gort__fail(GORT_EINVAL, "gort_binary_symbol_count: NULL argument");
	if ((rc = load(bin)))
		return rc;
	*n = bin->nsyms;
	return 0;
}

int gort_binary_symbol_at(gort_binary *bin, size_t i, struct gort_symbol *out)
{
	int rc;

	if (!bin || !out)
		return gort__fail(GORT_EINVAL, "gort_binary_symbol_at: NULL argument");
	if ((rc = load(bin)))
		return rc;
	if (i >= bin->nsyms)
		return gort__fail(GORT_EINVAL, "symbol %zu of %zu", i, bin->nsyms);
	*out = bin->syms[i];
	return 0;
}

int gort_binary_symbol_lookup(gort_binary *bin, const char *name,
			      struct gort_symbol *out)
{
	long i;
	int rc;

	if (!bin || !name || !out)
		return gort__fail(GORT_EINVAL, "gort_binary_symbol_lookup: NULL argument");
	if ((rc = load(bin)))
		return rc;
	if ((i = find_name(bin, name)) < 0)
		return gort__fail(GORT_ENOTFOUND, "no symbol %s", name);
	*out = bin->syms[i];
	return 0;
}

static bool holds(const struct gort_symbol *s, uint64_t addr)
{
	if (s->kind == 'U' || s->kind == 'u' || addr < s->value)
		return false;
	return s->size ? addr - s->value < s->size : addr == s->value;
}

/* Symbols may nest or share addresses: look back a bounded distance. */
#define LOOKBACK 64

int gort_binary_symbol_find(gort_binary *bin, uint64_t addr,
			    struct gort_symbol *out)
{
	size_t lo = 0, hi;
	int rc;

	if (!bin || !out)
		return gort__fail(GORT_EINVAL, "gort_binary_symbol_find: NULL argument");
	if ((rc = load(bin)))
		return rc;
	hi = bin->nsyms;
	while (lo < hi) { /* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;
		if (bin->syms[mid].value <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = 0; k < LOOKBACK && k < lo; k++) {
		const struct gort_symbol *s = &bin->syms[lo - 1 - k];
		if (holds(s, addr)) {
			*out = *s;
			return 0;
		}
	}
	return gort__fail_addr(GORT_ENOTFOUND, addr, "no symbol holds address 0x%llx",
			       (unsigned long long)addr);
}
