/*
 * Mach-O reading (debug/macho: NewFile, NewFatFile). A header (magic,
 * cputype, ..., ncmds, sizeofcmds), then ncmds load commands of which we
 * read LC_SEGMENT (32-bit), LC_SEGMENT_64, LC_SYMTAB and
 * LC_DYLD_CHAINED_FIXUPS (fixups.c); a fat file is a
 * big-endian table of slices, each a Mach-O file of its own.
 */
#include "macho.h"

#include <string.h>

#define MAGIC32 0xfeedfaceu
#define MAGIC64 0xfeedfacfu
#define MAGIC_FAT 0xcafebabeu
#define MAGIC_FAT64 0xcafebabfu
#define LC_SEGMENT 0x1u
#define LC_SYMTAB 0x2u
#define LC_SEGMENT_64 0x19u
#define LC_DYLD_CHAINED_FIXUPS 0x80000034u
#define N_STAB 0xe0u
#define SECTION_TYPE 0xffu
#define S_ZEROFILL 0x1u
#define S_GB_ZEROFILL 0xcu
#define S_THREAD_LOCAL_ZEROFILL 0x12u
/* Real fat files hold a handful of slices; more is not a Mach-O file. */
#define MAX_FAT_ARCHES 64

static bool is_thin(uint32_t m)
{
	return m == MAGIC32 || m == MAGIC64;
}

bool gort__is_macho(const uint8_t *p, size_t n)
{
	if (n < 4)
		return false;
	return is_thin(gort__ld32(p, false)) || is_thin(gort__ld32(p, true)) ||
	       gort__ld32(p, true) == MAGIC_FAT || gort__ld32(p, true) == MAGIC_FAT64;
}

static int bad(const struct gort_obj *o, uint64_t off, const char *why)
{
	uint64_t at = o->file.file_off + off;
	return gort__fail_at(GORT_EFORMAT, at, "Mach-O: %s (offset 0x%llx)", why,
			     (unsigned long long)at);
}

static int truncated(const struct gort_obj *o, uint64_t off, const char *what)
{
	uint64_t at = o->file.file_off + off;
	return gort__fail_at(GORT_ETRUNCATED, at,
			     "Mach-O: %s at offset 0x%llx runs past the end of the file",
			     what, (unsigned long long)at);
}

static int arch_of(uint32_t cpu, bool be)
{
	switch (cpu) {
	case 7:
		return GORT_ARCH_386;
	case 0x01000007:
		return GORT_ARCH_AMD64;
	case 12:
		return GORT_ARCH_ARM;
	case 0x0100000c:
		return GORT_ARCH_ARM64;
	case 0x01000012:
		return be ? GORT_ARCH_PPC64 : GORT_ARCH_PPC64LE;
	}
	return GORT_ARCH_UNKNOWN;
}

/* debug/macho: NewFatFile; the first slice, bounds-checked. */
static int fat_slice(struct gort_obj *o)
{
	struct gort_view be = o->file; /* the fat header is big-endian */
	const struct gort_view *f = &o->file;
	bool is64 = gort__ld32(f->data, true) == MAGIC_FAT64;
	struct gort_cursor c;

	be.big_endian = 1;
	c = gort__cursor(&be, 4);
	uint32_t n = gort__cur_u32(&c);
	uint64_t off, size;

	if (c.err)
		return truncated(o, 4, "fat header");
	if (n == 0 || n > MAX_FAT_ARCHES)
		return gort__fail_at(GORT_EUNKNOWNFILE, 4,
				     "Mach-O: fat file with %u slices", n);
	gort__cur_skip(&c, 8); /* cputype, cpusubtype */
	if (is64) {
		off = gort__cur_u64(&c);
		size = gort__cur_u64(&c);
	} else {
		off = gort__cur_u32(&c);
		size = gort__cur_u32(&c);
	}
	if (c.err)
		return truncated(o, 8, "fat slice table");
	if (gort__view_sub(f, off, size, &o->file))
		return truncated(o, off, "first fat slice");
	if (o->file.size < 4 || (!is_thin(gort__ld32(o->file.data, false)) &&
				 !is_thin(gort__ld32(o->file.data, true))))
		return bad(o, 0, "fat slice is not a Mach-O file");
	return 0;
}

static void name16(char *out, const uint8_t *p)
{
	size_t k = 0;
	for (; k < 16 && p[k]; k++)
		out[k] = (char)p[k];
	out[k] = 0;
}

struct cmd_counts {
	uint32_t nseg, nsect;
};

static int add_segment(struct gort_obj *o, const struct gort_view *cmd, bool is64,
		       uint64_t at)
{
	struct gort_cursor c = gort__cursor(cmd, 8);
	struct gort_obj_segment *g = &o->segments[o->nsegments];
	const uint8_t *name = gort__cur_bytes(&c, 16);
	uint32_t nsect;

	if (is64) {
		g->addr = gort__cur_u64(&c);
		g->memsz = gort__cur_u64(&c);
		g->offset = gort__cur_u64(&c);
		g->filesz = gort__cur_u64(&c);
	} else {
		g->addr = gort__cur_u32(&c);
		g->memsz = gort__cur_u32(&c);
		g->offset = gort__cur_u32(&c);
		g->filesz = gort__cur_u32(&c);
	}
	gort__cur_u32(&c); /* maxprot */
	g->initprot = gort__cur_u32(&c);
	nsect = gort__cur_u32(&c);
	gort__cur_u32(&c); /* flags */
	if (c.err)
		return truncated(o, at, "segment command");
	name16(g->name, name);
	if (g->filesz && !gort__view_has(&o->file, g->offset, g->filesz))
		return gort__fail_at(GORT_ETRUNCATED, o->file.file_off + at,
				     "Mach-O: segment %s: 0x%llx bytes at offset 0x%llx run past the end of the file",
				     g->name, (unsigned long long)g->filesz,
				     (unsigned long long)g->offset);
	o->nsegments++;
	for (uint32_t i = 0; i < nsect; i++) {
		struct gort_obj_section *s = &o->sections[o->nsections];
		const uint8_t *sname = gort__cur_bytes(&c, 16), *seg = gort__cur_bytes(&c, 16);
		uint32_t type;

		if (is64) {
			s->addr = gort__cur_u64(&c);
			s->size = gort__cur_u64(&c);
		} else {
			s->addr = gort__cur_u32(&c);
			s->size = gort__cur_u32(&c);
		}
		s->offset = gort__cur_u32(&c);
		gort__cur_skip(&c, 12); /* align, reloff, nreloc */
		s->flags = gort__cur_u32(&c);
		gort__cur_skip(&c, is64 ? 12 : 8); /* reserved */
		if (c.err)
			return truncated(o, at, "section header");
		name16(s->name, sname);
		name16(s->segname, seg);
		type = s->flags & SECTION_TYPE;
		s->filesz = type == S_ZEROFILL || type == S_GB_ZEROFILL ||
					    type == S_THREAD_LOCAL_ZEROFILL
				    ? 0
				    : s->size;
		if (s->filesz && !gort__view_has(&o->file, s->offset, s->filesz))
			return gort__fail_at(GORT_ETRUNCATED, o->file.file_off + at,
					     "Mach-O: section %s: 0x%llx bytes at offset 0x%llx run past the end of the file",
					     s->name, (unsigned long long)s->filesz,
					     (unsigned long long)s->offset);
		o->nsections++;
	}
	return 0;
}

/* cmd/internal/objfile/macho.go: symbols (the nm letter). */
static char sym_code(const struct gort_obj *o, uint8_t sect)
{
	const struct gort_obj_section *s;
	char c = '?';

	if (sect == 0)
		return 'U';
	if (sect > o->nsections)
		return '?';
	s = &o->sections[sect - 1];
	if (!strcmp(s->segname, "__TEXT") || !strcmp(s->segname, "__DATA_CONST"))
		c = 'R';
	else if (!strcmp(s->segname, "__DATA"))
		c = 'D';
	if (!strcmp(s->segname, "__TEXT") && !strcmp(s->name, "__text"))
		c = 'T';
	else if (!strcmp(s->segname, "__DATA") &&
		 (!strcmp(s->name, "__bss") || !strcmp(s->name, "__noptrbss")))
		c = 'B';
	return c;
}

static int read_symtab(struct gort_obj *o, const struct gort_view *cmd, bool is64,
		       uint64_t at)
{
	struct gort_cursor c = gort__cursor(cmd, 8);
	uint32_t symoff = gort__cur_u32(&c), nsyms = gort__cur_u32(&c);
	uint32_t stroff = gort__cur_u32(&c), strsize = gort__cur_u32(&c);
	unsigned entsize = is64 ? 16 : 12;
	struct gort_view syms, strs;

	if (c.err)
		return truncated(o, at, "symtab command");
	if (o->symbols)
		return bad(o, at, "more than one LC_SYMTAB");
	if (gort__view_sub(&o->file, symoff, (uint64_t)nsyms * entsize, &syms))
		return truncated(o, symoff, "symbol table");
	if (gort__view_sub(&o->file, stroff, strsize, &strs))
		return truncated(o, stroff, "string table");
	if (nsyms == 0)
		return 0;
	if (!(o->symbols = gort__calloc(nsyms, sizeof(*o->symbols))))
		return gort__fail(GORT_ENOMEM, "Mach-O: %u symbols", nsyms);
	for (uint32_t i = 0; i < nsyms; i++) {
		struct gort_cursor s = gort__cursor(&syms, (uint64_t)i * entsize);
		uint32_t strx = gort__cur_u32(&s);
		uint8_t type = gort__cur_u8(&s), sect = gort__cur_u8(&s);
		struct gort_obj_symbol *out = &o->symbols[o->nsymbols];

		gort__cur_u16(&s); /* n_desc */
		out->value = is64 ? gort__cur_u64(&s) : gort__cur_u32(&s);
		if (s.err)
			return s.err;
		if (strx >= strsize || !memchr(strs.data + strx, 0, strsize - strx))
			return bad(o, symoff + (uint64_t)i * entsize,
				   "invalid name in symbol table");
		if (type & N_STAB) /* debugging entries, skipped as objfile does */
			continue;
		out->name = (const char *)strs.data + strx;
		/*
		 * cmd/link prefixes every name with '_'; debug/macho strips it
		 * from names with a dot (Go symbols, issue 33808): so do we.
		 */
		if (out->name[0] == '_' && strchr(out->name, '.'))
			out->name++;
		out->code = sym_code(o, sect);
		o->nsymbols++;
	}
	return gort__obj_symbol_sizes(o);
}

/* First pass: count segments and sections, and check every command's size. */
static int count_commands(struct gort_obj *o, const struct gort_view *cmds,
			  uint32_t ncmds, bool is64, struct cmd_counts *n)
{
	uint64_t off = 0;

	for (uint32_t i = 0; i < ncmds; i++) {
		uint32_t cmd, size, nsect;
		if (gort__view_u32(cmds, off, &cmd) || gort__view_u32(cmds, off + 4, &size))
			return truncated(o, cmds->file_off - o->file.file_off + off,
					 "load command");
		if (size < 8 || size > cmds->size - off)
			return bad(o, cmds->file_off - o->file.file_off + off,
				   "invalid command block size");
		if ((cmd == LC_SEGMENT && !is64) || (cmd == LC_SEGMENT_64 && is64)) {
			unsigned hdr = is64 ? 72 : 56, sect = is64 ? 80 : 68;
			if (size < hdr || gort__view_u32(cmds, off + hdr - 8, &nsect) ||
			    (uint64_t)nsect * sect > size - hdr)
				return bad(o, cmds->file_off - o->file.file_off + off,
					   "segment command too small for its sections");
			n->nseg++;
			n->nsect += nsect;
		}
		off += size;
	}
	return 0;
}

static int read_commands(struct gort_obj *o, bool is64, uint32_t ncmds,
			 uint32_t cmdsz)
{
	uint64_t start = is64 ? 32 : 28, off = 0, fixups = 0, fixups_size = 0;
	struct cmd_counts n = {0, 0};
	struct gort_view cmds;
	int rc;

	if (gort__view_sub(&o->file, start, cmdsz, &cmds))
		return truncated(o, start, "load commands");
	if ((rc = count_commands(o, &cmds, ncmds, is64, &n)))
		return rc;
	o->segments = gort__calloc(n.nseg ? n.nseg : 1, sizeof(*o->segments));
	o->sections = gort__calloc(n.nsect ? n.nsect : 1, sizeof(*o->sections));
	if (!o->segments || !o->sections)
		return gort__fail(GORT_ENOMEM, "Mach-O: %u segments", n.nseg);
	for (uint32_t i = 0; i < ncmds; i++) {
		struct gort_view cmd;
		uint32_t type = gort__ld32(cmds.data + off, o->file.big_endian);
		uint32_t size = gort__ld32(cmds.data + off + 4, o->file.big_endian);

		gort__view_sub(&cmds, off, size, &cmd); /* checked by count_commands */
		rc = 0;
		if ((type == LC_SEGMENT && !is64) || (type == LC_SEGMENT_64 && is64))
			rc = add_segment(o, &cmd, is64, start + off);
		else if (type == LC_SYMTAB)
			rc = read_symtab(o, &cmd, is64, start + off);
		else if (type == LC_DYLD_CHAINED_FIXUPS && size >= 16) {
			fixups = gort__ld32(cmd.data + 8, o->file.big_endian);
			fixups_size = gort__ld32(cmd.data + 12, o->file.big_endian);
		}
		if (rc)
			return rc;
		off += size;
	}
	return fixups_size ? gort__macho_fixups(o, fixups, fixups_size) : 0;
}

int gort__macho_open(struct gort_obj *o, const struct gort_view *file)
{
	struct gort_cursor c;
	uint32_t magic, cpu, ncmds, cmdsz;
	bool is64;
	int rc;

	memset(o, 0, sizeof(*o));
	o->file = *file;
	o->file.what = "Mach-O file";
	if (file->size < 4)
		return truncated(o, 0, "header");
	magic = gort__ld32(file->data, true);
	if ((magic == MAGIC_FAT || magic == MAGIC_FAT64) && (rc = fat_slice(o)))
		goto fail;
	o->file.big_endian = is_thin(gort__ld32(o->file.data, true));
	magic = gort__ld32(o->file.data, o->file.big_endian);
	is64 = magic == MAGIC64;
	o->file.ptr_size = is64 ? 8 : 4;
	c = gort__cursor(&o->file, 4);
	cpu = gort__cur_u32(&c);
	gort__cur_skip(&c, 8); /* cpusubtype, filetype */
	ncmds = gort__cur_u32(&c);
	cmdsz = gort__cur_u32(&c);
	gort__cur_skip(&c, is64 ? 8 : 4); /* flags, reserved */
	if (c.err) {
		rc = truncated(o, 0, "header");
		goto fail;
	}
	o->arch = arch_of(cpu, o->file.big_endian);
	if ((rc = read_commands(o, is64, ncmds, cmdsz)))
		goto fail;
	return 0;
fail:
	gort__obj_free(o);
	return rc;
}
