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
