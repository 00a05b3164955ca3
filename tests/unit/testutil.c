#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

void *tu_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

const char *tu_fixture(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("GORT_FIXTURES_DIR");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : GORT_FIXTURES_DIR, rel);
	return path;
}

int tu_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

#include <elf.h>
#include <string.h>

void tu_put(uint8_t *p, uint64_t v, int n, int big_endian)
{
	for (int i = 0; i < n; i++)
		p[big_endian ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

void *tu_elf_build(int is64, int be, uint16_t machine,
		   const struct tu_section *secs, size_t n, size_t *size)
{
	size_t ehsize = is64 ? 64 : 52, phent = is64 ? 56 : 32, shent = is64 ? 64 : 40;
	size_t nload = 0, i, off, shstr_off, shstr_size = 1, sh_off, total;
	uint8_t *img;

	for (i = 0; i < n; i++) {
		nload += (secs[i].flags & SHF_ALLOC) != 0;
		shstr_size += strlen(secs[i].name) + 1;
	}
	shstr_size += sizeof(".shstrtab");
	off = ehsize + nload * phent;
	for (i = 0; i < n; i++)
		off = ((off + 15) & ~(size_t)15) + secs[i].size;
	shstr_off = off;
	sh_off = (shstr_off + shstr_size + 7) & ~(size_t)7;
	total = sh_off + (n + 2) * shent;
	img = calloc(1, total);
	if (!img)
		return NULL;

	memcpy(img, ELFMAG, SELFMAG);
	img[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	img[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	img[EI_VERSION] = EV_CURRENT;
	tu_put(img + 16, ET_EXEC, 2, be);
	tu_put(img + 18, machine, 2, be);
	tu_put(img + 20, EV_CURRENT, 4, be);
	if (is64) {
		tu_put(img + 32, ehsize, 8, be);	/* e_phoff */
		tu_put(img + 40, sh_off, 8, be);	/* e_shoff */
		tu_put(img + 52, ehsize, 2, be);
		tu_put(img + 54, phent, 2, be);
		tu_put(img + 56, nload, 2, be);
		tu_put(img + 58, shent, 2, be);
		tu_put(img + 60, n + 2, 2, be);
		tu_put(img + 62, n + 1, 2, be);
	} else {
		tu_put(img + 28, ehsize, 4, be);
		tu_put(img + 32, sh_off, 4, be);
		tu_put(img + 40, ehsize, 2, be);
		tu_put(img + 42, phent, 2, be);
		tu_put(img + 44, nload, 2, be);
		tu_put(img + 46, shent, 2, be);
		tu_put(img + 48, n + 2, 2, be);
		tu_put(img + 50, n + 1, 2, be);
	}

	size_t name_off = 1, ph = ehsize, data_off = ehsize + nload * phent;
	uint8_t *strtab = img + shstr_off;
	for (i = 0; i <= n; i++) {
		const char *name = i < n ? secs[i].name : ".shstrtab";
		uint8_t *sh = img + sh_off + (i + 1) * shent;
		uint64_t sec_off, sec_size, addr = 0, flags = 0;
		uint32_t type = SHT_STRTAB;

		if (i < n) {
			data_off = (data_off + 15) & ~(size_t)15;
			sec_off = data_off;
			sec_size = secs[i].size;
			if (secs[i].data)
				memcpy(img + sec_off, secs[i].data, sec_size);
			data_off += sec_size;
			type = secs[i].type, addr = secs[i].addr, flags = secs[i].flags;
		} else {
			sec_off = shstr_off;
			sec_size = shstr_size;
		}
		strcpy((char *)strtab + name_off, name);
		tu_put(sh + 0, name_off, 4, be);
		tu_put(sh + 4, type, 4, be);
		name_off += strlen(name) + 1;
		if (is64) {
			tu_put(sh + 8, flags, 8, be);
			tu_put(sh + 16, addr, 8, be);
			tu_put(sh + 24, sec_off, 8, be);
			tu_put(sh + 32, sec_size, 8, be);
			tu_put(sh + 48, 1, 8, be);
		} else {
			tu_put(sh + 8, flags, 4, be);
			tu_put(sh + 12, addr, 4, be);
			tu_put(sh + 16, sec_off, 4, be);
			tu_put(sh + 20, sec_size, 4, be);
			tu_put(sh + 32, 1, 4, be);
		}
		if (i < n && (flags & SHF_ALLOC)) {
			uint8_t *p = img + ph;
			tu_put(p, PT_LOAD, 4, be);
			if (is64) {
				tu_put(p + 4, PF_R | PF_W, 4, be);
				tu_put(p + 8, sec_off, 8, be);
				tu_put(p + 16, addr, 8, be);
				tu_put(p + 24, addr, 8, be);
				tu_put(p + 32, sec_size, 8, be);
				tu_put(p + 40, sec_size, 8, be);
			} else {
				tu_put(p + 4, sec_off, 4, be);
				tu_put(p + 8, addr, 4, be);
				tu_put(p + 12, addr, 4, be);
				tu_put(p + 16, sec_size, 4, be);
				tu_put(p + 20, sec_size, 4, be);
				tu_put(p + 24, PF_R | PF_W, 4, be);
			}
			ph += phent;
		}
	}
	*size = total;
	return img;
}

#define PE_HDR 0x40
#define PE_FILE_ALIGN 0x200

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void *tu_pe_build(int is64, uint16_t machine, uint64_t image_base,
		  const struct tu_obj_section *secs, size_t n,
		  const struct tu_obj_symbol *syms, size_t nsyms, size_t *size)
{
	size_t opt = is64 ? 240 : 224, shoff = PE_HDR + 4 + 20 + opt;
	size_t off = align_up(shoff + 40 * n, PE_FILE_ALIGN), symoff, stroff, strsize = 4;
	uint8_t *img;

	for (size_t i = 0; i < n; i++) {
		off += align_up(secs[i].size, PE_FILE_ALIGN);
		if (strlen(secs[i].name) > 8)
			strsize += strlen(secs[i].name) + 1;
	}
	for (size_t i = 0; i < nsyms; i++)
		if (strlen(syms[i].name) > 8)
			strsize += strlen(syms[i].name) + 1;
	symoff = off;
	stroff = symoff + 18 * nsyms;
	*size = stroff + strsize;
	if (!(img = calloc(1, *size)))
		return NULL;
	img[0] = 'M', img[1] = 'Z';
	tu_put(img + 0x3c, PE_HDR, 4, 0);
	memcpy(img + PE_HDR, "PE\0\0", 4);
	uint8_t *fh = img + PE_HDR + 4, *oh = fh + 20;
	tu_put(fh, machine, 2, 0);
	tu_put(fh + 2, n, 2, 0);
	tu_put(fh + 8, nsyms ? symoff : 0, 4, 0);
	tu_put(fh + 12, nsyms, 4, 0);
	tu_put(fh + 16, opt, 2, 0);
	tu_put(oh, is64 ? 0x20b : 0x10b, 2, 0);
	if (is64)
		tu_put(oh + 24, image_base, 8, 0);
	else
		tu_put(oh + 28, image_base, 4, 0);
	size_t data = align_up(shoff + 40 * n, PE_FILE_ALIGN), str = 4;
	for (size_t i = 0; i < n; i++) {
		uint8_t *sh = img + shoff + 40 * i;
		size_t len = strlen(secs[i].name);
		if (len > 8) {
			snprintf((char *)sh, 8, "/%zu", str);
			strcpy((char *)img + stroff + str, secs[i].name);
			str += len + 1;
		} else {
			memcpy(sh, secs[i].name, len);
		}
		tu_put(sh + 8, secs[i].size, 4, 0);
		tu_put(sh + 12, secs[i].addr, 4, 0);
		tu_put(sh + 16, secs[i].data ? align_up(secs[i].size, PE_FILE_ALIGN) : 0, 4, 0);
		tu_put(sh + 20, secs[i].data ? data : 0, 4, 0);
		tu_put(sh + 36, secs[i].flags, 4, 0);
		if (secs[i].data)
			memcpy(img + data, secs[i].data, secs[i].size);
		data += align_up(secs[i].size, PE_FILE_ALIGN);
	}
	for (size_t i = 0; i < nsyms; i++) {
		uint8_t *s = img + symoff + 18 * i;
		size_t len = strlen(syms[i].name);
		if (len > 8) {
			tu_put(s + 4, str, 4, 0);
			strcpy((char *)img + stroff + str, syms[i].name);
			str += len + 1;
		} else {
			memcpy(s, syms[i].name, len);
		}
		tu_put(s + 8, syms[i].value, 4, 0);
		tu_put(s + 12, (uint16_t)syms[i].section, 2, 0);
		s[16] = 2; /* IMAGE_SYM_CLASS_EXTERNAL */
	}
	tu_put(img + stroff, strsize, 4, 0);
	return img;
}

static size_t macho_cmds(int is64, size_t n, int with_fixups)
{
	size_t segsz = is64 ? 72 : 56, sectsz = is64 ? 80 : 68;
	return segsz * (n + 1) + sectsz * n + 24 + (with_fixups ? 16 : 0);
}

size_t tu_macho_data_offset(int is64, const struct tu_obj_section *secs, size_t n,
			    size_t i, int with_fixups)
{
	size_t off = align_up((is64 ? 32 : 28) + macho_cmds(is64, n, with_fixups), 16);
	for (size_t k = 0; k < i; k++)
		off += align_up(secs[k].size, 16);
	return off;
}

void *tu_macho_build(int is64, int be, uint32_t cputype,
		     const struct tu_obj_section *secs, size_t n,
		     const struct tu_obj_symbol *syms, size_t nsyms,
		     const void *fixups, size_t fixups_size, size_t *size)
{
	size_t hdr = is64 ? 32 : 28, segsz = is64 ? 72 : 56, sectsz = is64 ? 80 : 68;
	size_t cmds = macho_cmds(is64, n, fixups != NULL), strsize = 1, nl = is64 ? 16 : 12;
	size_t data = align_up(hdr + cmds, 16), off = data, symoff, stroff, fixoff;
	uint8_t *img, *c;

	for (size_t i = 0; i < n; i++)
		off += align_up(secs[i].size, 16);
	for (size_t i = 0; i < nsyms; i++)
		strsize += strlen(syms[i].name) + 1;
	symoff = off;
	stroff = symoff + nl * nsyms;
	fixoff = align_up(stroff + strsize, 8);
	*size = fixups ? fixoff + fixups_size : stroff + strsize;
	if (!(img = calloc(1, *size)))
		return NULL;
	tu_put(img, is64 ? 0xfeedfacf : 0xfeedface, 4, be);
	tu_put(img + 4, cputype, 4, be);
	tu_put(img + 12, 2, 4, be); /* MH_EXECUTE */
	tu_put(img + 16, n + 2 + (fixups != NULL), 4, be);
	tu_put(img + 20, cmds, 4, be);
	c = img + hdr;
	for (size_t i = 0; i <= n; i++) { /* __PAGEZERO, then one per section */
		const struct tu_obj_section *s = i ? &secs[i - 1] : NULL;
		size_t w = is64 ? 8 : 4, sz = segsz + (s ? sectsz : 0);
		tu_put(c, is64 ? 0x19 : 0x1, 4, be);
		tu_put(c + 4, sz, 4, be);
		strncpy((char *)c + 8, s ? s->seg : "__PAGEZERO", 16);
		tu_put(c + 24, s ? s->addr : 0, w, be);
		tu_put(c + 24 + w, s ? s->size : 0x1000, w, be);
		if (s) {
			size_t fo = data;
			for (size_t k = 0; k + 1 < i; k++)
				fo += align_up(secs[k].size, 16);
			tu_put(c + 24 + 2 * w, s->data ? fo : 0, w, be);
			tu_put(c + 24 + 3 * w, s->data ? s->size : 0, w, be);
			tu_put(c + 24 + 4 * w + 4, 3, 4, be); /* initprot rw */
			tu_put(c + 24 + 4 * w + 8, 1, 4, be); /* nsects */
			uint8_t *q = c + segsz;
			strncpy((char *)q, s->name, 16);
			strncpy((char *)q + 16, s->seg, 16);
			tu_put(q + 32, s->addr, w, be);
			tu_put(q + 32 + w, s->size, w, be);
			tu_put(q + 32 + 2 * w, s->data ? fo : 0, 4, be);
			tu_put(q + 32 + 2 * w + 16, s->flags, 4, be);
			if (s->data)
				memcpy(img + fo, s->data, s->size);
		}
		c += sz;
	}
	tu_put(c, 0x2, 4, be); /* LC_SYMTAB */
	tu_put(c + 4, 24, 4, be);
	tu_put(c + 8, symoff, 4, be);
	tu_put(c + 12, nsyms, 4, be);
	tu_put(c + 16, stroff, 4, be);
	tu_put(c + 20, strsize, 4, be);
	size_t str = 1;
	for (size_t i = 0; i < nsyms; i++) {
		uint8_t *s = img + symoff + nl * i;
		tu_put(s, str, 4, be);
		s[4] = syms[i].section ? 0x0f : 0x01; /* N_SECT|N_EXT, N_UNDF|N_EXT */
		s[5] = (uint8_t)syms[i].section;
		tu_put(s + 8, syms[i].value, is64 ? 8 : 4, be);
		strcpy((char *)img + stroff + str, syms[i].name);
		str += strlen(syms[i].name) + 1;
	}
	if (fixups) {
		c += 24;
		tu_put(c, 0x80000034, 4, be); /* LC_DYLD_CHAINED_FIXUPS */
		tu_put(c + 4, 16, 4, be);
		tu_put(c + 8, fixoff, 4, be);
		tu_put(c + 12, fixups_size, 4, be);
		memcpy(img + fixoff, fixups, fixups_size);
	}
	return img;
}
