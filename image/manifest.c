/*
 * Finishing an image: the linker leaves libos's .note.hut placeholder
 * (zeros); here it gets the manifest the monitor boots from. The entry
 * points come from the symbol table, the CRC from the image reader (the
 * same code that checks it at boot), and the bytes go in with libelf in
 * place (ELF_F_LAYOUT), so no section moves and the loaded bytes, which
 * the CRC covers, stay exactly as ld wrote them.
 */
#include "manifest.h"
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(char *why, size_t len, const char *fmt, const char *arg)
{
	snprintf(why, len, fmt, arg);
	return -1;
}

static int entry(const struct hut_image *img, const char *sym, uint64_t *addr, char *why,
		 size_t len)
{
	if (hut_image_symbol(img, sym, addr) == 0)
		return 0;
	return fail(why, len, "no %s symbol: not linked with libhut.a, or stripped", sym);
}

/* The manifest for the linked image, and where its bytes go in the file. */
static int fill(const char *path, const char *name, uint64_t mem, struct hut_manifest *m,
		uint64_t *offset, uint32_t *loaded_crc, char *why, size_t len)
{
	struct hut_image img;
	if (hut_image_open(&img, path, HUT_IMAGE_NO_MANIFEST) != HUT_IMAGE_OK) {
		int r = fail(why, len, "%s", img.err);
		hut_image_close(&img);
		return r;
	}
	memset(m, 0, sizeof *m);
	m->magic = HUT_MANIFEST_MAGIC;
	m->abi_version = HUT_ABI_VERSION;
	m->mem_default = mem;
	*loaded_crc = img.crc_loaded; /* sealed with the manifest once it is whole */
	m->device_count = 0;
	snprintf(m->name, sizeof m->name, "%s", name);
	*offset = img.manifest_offset;
	uint64_t files_end;
	if (hut_image_symbol(&img, HUT_SYM_FILES, &m->files_gpa) == 0 &&
	    hut_image_symbol(&img, HUT_SYM_FILES_END, &files_end) == 0 && files_end > m->files_gpa)
		m->files_size = files_end - m->files_gpa;
	else
		m->files_gpa = 0;
	int r = 0;
	if (entry(&img, HUT_SYM_BOOT_ENTRY, &m->boot_entry, why, len) ||
	    entry(&img, HUT_SYM_SYSCALL_ENTRY, &m->syscall_entry, why, len) ||
	    entry(&img, HUT_SYM_TRAP_ENTRY, &m->trap_entry, why, len))
		r = -1;
	hut_image_close(&img);
	return r;
}

static Elf_Scn *find_note(Elf *elf)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		const char *n;
		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    strcmp(n, HUT_NOTE_SECTION) == 0)
			return scn;
	}
	return NULL;
}

/* Copies m over the note's descriptor, which must sit at file offset
 * `offset` (where the reader found it): both views must agree. */
static int put_desc(Elf *elf, const struct hut_manifest *m, uint64_t offset, char *why, size_t len)
{
	Elf_Scn *scn = find_note(elf);
	GElf_Shdr sh;
	Elf_Data *d;
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	if (!scn || !gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)) ||
	    gelf_getnote(d, 0, &nh, &name_off, &desc_off) == 0)
		return fail(why, len, "cannot find the %s note", HUT_NOTE_SECTION);
	if (nh.n_descsz != sizeof *m || sh.sh_offset + desc_off != offset)
		return fail(why, len, "the %s note is not where the image reader found it",
			    HUT_NOTE_SECTION);
	memcpy((char *)d->d_buf + desc_off, m, sizeof *m);
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

static int write_note(const char *path, const struct hut_manifest *m, uint64_t offset, char *why,
		      size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(why, len, "cannot open for writing: %s", strerror(errno));
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_RDWR, NULL);
	int r = elf ? 0 : fail(why, len, "libelf: %s", elf_errmsg(-1));
	if (r == 0) {
		/* Keep ld's layout: libelf must not move or pad anything. */
		elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
		r = put_desc(elf, m, offset, why, len);
	}
	if (r == 0 && elf_update(elf, ELF_C_WRITE) < 0)
		r = fail(why, len, "libelf cannot write: %s", elf_errmsg(-1));
	elf_end(elf);
	if (close(fd) != 0 && r == 0)
		r = fail(why, len, "cannot write: %s", strerror(errno));
	return r;
}

/* The finished image must pass the checks the monitor will make. */
static int verify(const char *path, const struct hut_manifest *m, char *why, size_t len)
{
	struct hut_image img;
	int r = 0;
	if (hut_image_open(&img, path, 0) != HUT_IMAGE_OK)
		r = fail(why, len, "finished image does not check out: %s", img.err);
	else if (memcmp(&img.manifest, m, sizeof *m) != 0)
		r = fail(why, len, "%s", "the manifest read back differs from the one written");
	hut_image_close(&img);
	return r;
}

/* The one device an image can declare today: a network device it needs. */
static void declare_net(struct hut_manifest *m)
{
	struct hut_device *d = &m->devices[m->device_count++];
	snprintf(d->name, sizeof d->name, "%s", "net0");
	d->type = HUT_DEVICE_NET;
	d->flags = 0;
}

int hut_manifest_write(const char *path, const char *name, uint64_t mem, int needs_net, char *why,
		       size_t why_len)
{
	struct hut_manifest m;
	uint64_t offset;
	uint32_t loaded_crc;
	if (fill(path, name, mem, &m, &offset, &loaded_crc, why, why_len))
		return -1;
	if (needs_net)
		declare_net(&m);
	m.crc32 = hut_image_sealed_crc(loaded_crc, &m);
	if (write_note(path, &m, offset, why, why_len) || verify(path, &m, why, why_len))
		return -1;
	return 0;
}
