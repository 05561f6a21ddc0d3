/*
 * Reading and validating a hut image. The file is hostile: every offset,
 * size and address is checked, with overflow-safe arithmetic, before it is
 * used, and every structure is copied out of the file before it is read.
 *
 * Both hut-monitor (at every boot) and hut (inspect, and checking what it
 * wrote) use this reader. It reads ELF itself rather than through libelf:
 * it needs only the headers, one note and the symbol table, and being free
 * of glibc-only libraries lets hut-monitor be a static musl program (glibc's start-up
 * alone costs ~0.9 ms on kvm-pvm hosts, where each CPUID is a VM exit).
 */
#include "image.h"
#include "crc32.h"
#include "packed.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif

static enum hut_image_result fail(struct hut_image *img, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(img->err, sizeof img->err, fmt, ap);
	va_end(ap);
	return HUT_IMAGE_INVALID;
}

static int page_aligned(uint64_t v)
{
	return (v & (HUT_PAGE_SIZE - 1)) == 0;
}

static uint64_t page_round_up(uint64_t v)
{
	return (v + HUT_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1);
}

/* The file bytes [off, off + len), or NULL if any lie outside the file. */
static const uint8_t *file_range(const struct hut_image *img, uint64_t off, uint64_t len)
{
	if (off > img->file_size || len > img->file_size - off)
		return NULL;
	return img->file + off;
}

/* Copies len bytes at off out of the file; -1 if they are not all there. */
static int file_read(const struct hut_image *img, uint64_t off, void *out, size_t len)
{
	const uint8_t *p = file_range(img, off, len);
	if (!p)
		return -1;
	memcpy(out, p, len);
	return 0;
}

static enum hut_image_result check_header(struct hut_image *img, Elf64_Ehdr *eh)
{
	if (file_read(img, 0, eh, sizeof *eh) != 0 || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(img, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(img, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(img, "not little-endian");
	if (eh->e_machine != EM_X86_64)
		return fail(img, "not an x86-64 executable (e_machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(img, "not a static executable (e_type %u; PIE and objects are refused)",
			    eh->e_type);
	if (eh->e_version != EV_CURRENT || eh->e_ident[EI_VERSION] != EV_CURRENT)
		return fail(img, "unknown ELF version %u", eh->e_version);
	return HUT_IMAGE_OK;
}

/* A segment of the libos's window (p_vaddr != p_paddr): inside the window,
 * at the same offset from its RAM as the window's other segments. */
static enum hut_image_result check_window_segment(struct hut_image *img, const Elf64_Phdr *ph,
						  size_t i)
{
	if (ph->p_vaddr < HUT_LIBOS_VA || ph->p_memsz > HUT_LIBOS_SPAN ||
	    ph->p_vaddr - HUT_LIBOS_VA > HUT_LIBOS_SPAN - ph->p_memsz)
		return fail(
			img,
			"segment %zu: p_vaddr 0x%lx != p_paddr 0x%lx outside the libos's window "
			"[0x%llx, 0x%llx)",
			i, ph->p_vaddr, ph->p_paddr, HUT_LIBOS_VA, HUT_LIBOS_VA + HUT_LIBOS_SPAN);
	if (!page_aligned(ph->p_vaddr))
		return fail(img, "segment %zu: address 0x%lx not page aligned", i, ph->p_vaddr);
	if (img->window_size && ph->p_vaddr - ph->p_paddr != img->window_va - img->window_gpa)
		return fail(img, "segment %zu: the libos's window is not at one offset from RAM",
			    i);
	return HUT_IMAGE_OK;
}

static enum hut_image_result check_segment(struct hut_image *img, const Elf64_Phdr *ph, size_t i)
{
	if (ph->p_vaddr != ph->p_paddr) {
		enum hut_image_result r = check_window_segment(img, ph, i);
		if (r != HUT_IMAGE_OK)
			return r;
	}
	if (!page_aligned(ph->p_paddr) || !page_aligned(ph->p_offset))
		return fail(img, "segment %zu: address 0x%lx or offset 0x%lx not page aligned", i,
			    ph->p_paddr, ph->p_offset);
	if (ph->p_filesz > ph->p_memsz)
		return fail(img, "segment %zu: file size 0x%lx exceeds memory size 0x%lx", i,
			    ph->p_filesz, ph->p_memsz);
	if (ph->p_offset > img->file_size || ph->p_filesz > img->file_size - ph->p_offset)
		return fail(img,
			    "segment %zu: file bytes 0x%lx+0x%lx lie outside the file (truncated?)",
			    i, ph->p_offset, ph->p_filesz);
	if (ph->p_paddr < HUT_IMAGE_BASE || ph->p_memsz > HUT_MEM_MAX ||
	    ph->p_paddr > HUT_MEM_MAX - ph->p_memsz)
		return fail(img,
			    "segment %zu: 0x%lx+0x%lx lies outside guest memory [0x%llx, 0x%llx)",
			    i, ph->p_paddr, ph->p_memsz, HUT_IMAGE_BASE, HUT_MEM_MAX);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(img, "segment %zu at 0x%lx is writable and executable", i, ph->p_paddr);
	return HUT_IMAGE_OK;
}

/* The window grows to cover a new segment of it (same offset: checked). */
static void extend_window(struct hut_image *img, const struct hut_segment *s)
{
	uint64_t end = s->va + page_round_up(s->memsz);
	if (!img->window_size) {
		img->window_va = s->va;
		img->window_gpa = s->gpa;
		img->window_size = end - s->va;
		return;
	}
	uint64_t lo = s->va < img->window_va ? s->va : img->window_va;
	uint64_t hi =
		end > img->window_va + img->window_size ? end : img->window_va + img->window_size;
	img->window_gpa -= img->window_va - lo;
	img->window_va = lo;
	img->window_size = hi - lo;
}

_Static_assert(HUT_CRC_SKIP_SHOFF == offsetof(Elf64_Ehdr, e_shoff) &&
		       HUT_CRC_SKIP_SHOFF_LEN == sizeof(Elf64_Off),
	       "abi.h names e_shoff");
_Static_assert(HUT_CRC_SKIP_SHENTSIZE == offsetof(Elf64_Ehdr, e_shentsize) &&
		       HUT_CRC_SKIP_SHENTSIZE + HUT_CRC_SKIP_SHENTSIZE_LEN == sizeof(Elf64_Ehdr),
	       "abi.h names e_shentsize, e_shnum, e_shstrndx: the header's last 6 bytes");

/* Zeroes the part of the file range [at, at + n) that buf holds. buf holds
 * the file's bytes [offset, offset + len), a range the caller checked. */
static void clear_file_range(uint8_t *buf, uint64_t offset, uint64_t len, uint64_t at, uint64_t n)
{
	uint64_t lo = at > offset ? at : offset;
	uint64_t hi = at + n < offset + len ? at + n : offset + len;
	if (lo < hi)
		memset(buf + (lo - offset), 0, hi - lo);
}

void hut_image_clear_section_fields(uint8_t *buf, uint64_t offset, uint64_t len)
{
	clear_file_range(buf, offset, len, HUT_CRC_SKIP_SHOFF, HUT_CRC_SKIP_SHOFF_LEN);
	clear_file_range(buf, offset, len, HUT_CRC_SKIP_SHENTSIZE, HUT_CRC_SKIP_SHENTSIZE_LEN);
}

/* The file's pages of [bytes, + len) mapped in one call, before a pass
 * reads them all: in a guest whose own page tables are shadowed (kvm-pvm's
 * hosts) a page faulted in on its first read costs ~2.5-4 us, one mapped
 * ahead ~1-1.5 (a probe reading httpd.hut's 90 pages: 0.21-0.37 ms, 0.10-0.17
 * mapped ahead). Best effort: a buffer that is not a mapping, or a kernel
 * before 5.14, just reads. */
static void map_ahead(const uint8_t *bytes, uint64_t len)
{
	uintptr_t start = (uintptr_t)bytes & ~(uintptr_t)(HUT_PAGE_SIZE - 1);
	if (len)
		madvise((void *)start, (uintptr_t)bytes + len - start, MADV_POPULATE_READ);
}

/* Continues crc over one segment's file bytes as the monitor loads them:
 * any of the ELF header among them with its section-table fields zeroed. */
static uint32_t segment_crc(const struct hut_image *img, const struct hut_segment *s, uint32_t crc)
{
	const uint8_t *bytes = img->file + s->offset;
	map_ahead(bytes, s->filesz);
	uint8_t header[sizeof(Elf64_Ehdr)];
	uint64_t head = 0;
	if (s->offset < sizeof header) {
		head = sizeof header - s->offset;
		if (head > s->filesz)
			head = s->filesz;
		memcpy(header, bytes, head);
		hut_image_clear_section_fields(header, s->offset, head);
		crc = hut_crc32(crc, header, head);
	}
	return hut_crc32(crc, bytes + head, s->filesz - head);
}

static int overlaps(const struct hut_segment *a, const struct hut_segment *b)
{
	uint64_t a_end = a->gpa + page_round_up(a->memsz);
	uint64_t b_end = b->gpa + page_round_up(b->memsz);
	return a->gpa < b_end && b->gpa < a_end;
}

static enum hut_image_result add_segment(struct hut_image *img, const Elf64_Phdr *ph, size_t i)
{
	enum hut_image_result r = check_segment(img, ph, i);
	if (r != HUT_IMAGE_OK)
		return r;
	if (img->nsegments == HUT_SEGMENTS_MAX)
		return fail(img, "more than %d loadable segments", HUT_SEGMENTS_MAX);
	struct hut_segment *s = &img->seg[img->nsegments];
	*s = (struct hut_segment){ph->p_vaddr,	ph->p_paddr,  ph->p_memsz,
				  ph->p_filesz, ph->p_offset, ph->p_flags};
	for (size_t j = 0; j < img->nsegments; j++)
		if (overlaps(s, &img->seg[j]))
			return fail(img, "segment %zu at 0x%lx overlaps segment at 0x%lx", i,
				    s->gpa, img->seg[j].gpa);
	img->nsegments++;
	if (s->va != s->gpa)
		extend_window(img, s);
	uint64_t end = page_round_up(s->gpa + s->memsz);
	if (end > img->image_end)
		img->image_end = end;
	img->crc_loaded = segment_crc(img, s, img->crc_loaded);
	return HUT_IMAGE_OK;
}

/* musl finds its TLS image through AT_PHDR: the headers must be loaded, in
 * the first PT_LOAD as Linux's ELF loader expects. */
static enum hut_image_result locate_phdrs(struct hut_image *img, const Elf64_Ehdr *eh)
{
	uint64_t len = (uint64_t)eh->e_phnum * eh->e_phentsize;
	const struct hut_segment *s = &img->seg[0];
	if (eh->e_phoff < s->offset || eh->e_phoff - s->offset > s->filesz ||
	    len > s->filesz - (eh->e_phoff - s->offset))
		return fail(img, "program headers are not inside the first loadable segment");
	if (s->va != s->gpa)
		return fail(img, "the first loadable segment is in the libos's window");
	img->phdr_gpa = s->gpa + (eh->e_phoff - s->offset);
	return HUT_IMAGE_OK;
}

static enum hut_image_result read_segments(struct hut_image *img, const Elf64_Ehdr *eh)
{
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(img, "bad program header size %u", eh->e_phentsize);
	if (!file_range(img, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
		return fail(img, "program headers lie outside the file (truncated?)");
	img->crc_loaded = 0;
	for (size_t i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		file_read(img, eh->e_phoff + i * sizeof ph, &ph, sizeof ph);
		if (ph.p_type != PT_LOAD)
			continue;
		enum hut_image_result r = add_segment(img, &ph, i);
		if (r != HUT_IMAGE_OK)
			return r;
	}
	if (img->nsegments == 0)
		return fail(img, "no loadable segments");
	img->phnum = eh->e_phnum;
	img->phent = eh->e_phentsize;
	img->entry = eh->e_entry;
	const struct hut_segment *text = hut_image_segment_at(img, img->entry, 1);
	if (!text || !(text->flags & PF_X))
		return fail(img, "entry point 0x%lx is not in an executable segment", img->entry);
	return locate_phdrs(img, eh);
}

/* Section i's header; -1 if it lies outside the file. */
static int section(const struct hut_image *img, const Elf64_Ehdr *eh, size_t i, Elf64_Shdr *sh)
{
	if (eh->e_shentsize != sizeof *sh || i >= eh->e_shnum)
		return -1;
	return file_read(img, eh->e_shoff + i * sizeof *sh, sh, sizeof *sh);
}

/* The NUL-terminated string at off in a string table, or NULL. */
static const char *string_at(const struct hut_image *img, const Elf64_Shdr *strtab, uint64_t off)
{
	const char *s = (const char *)file_range(img, strtab->sh_offset, strtab->sh_size);
	if (!s || off >= strtab->sh_size || !memchr(s + off, 0, strtab->sh_size - off))
		return NULL;
	return s + off;
}

static int find_section(const struct hut_image *img, const Elf64_Ehdr *eh, const char *name,
			Elf64_Shdr *out)
{
	Elf64_Shdr names;
	const char *n;
	if (section(img, eh, eh->e_shstrndx, &names) != 0)
		return -1;
	for (size_t i = 1; i < eh->e_shnum; i++) {
		if (section(img, eh, i, out) != 0)
			return -1;
		if ((n = string_at(img, &names, out->sh_name)) != NULL && strcmp(n, name) == 0)
			return 0;
	}
	return -1;
}

/* Finds the manifest note's bytes; records their file offset. */
static enum hut_image_result find_manifest(struct hut_image *img, const Elf64_Ehdr *eh)
{
	Elf64_Shdr sh;
	Elf64_Nhdr nh;
	if (find_section(img, eh, HUT_NOTE_SECTION, &sh) != 0)
		return fail(img, "no %s section (not linked with libhut, or truncated)",
			    HUT_NOTE_SECTION);
	if (sh.sh_type != SHT_NOTE || (sh.sh_flags & SHF_ALLOC))
		return fail(img, "%s is not a non-loaded note section", HUT_NOTE_SECTION);
	const uint8_t *note = file_range(img, sh.sh_offset, sh.sh_size);
	if (!note || sh.sh_size < sizeof nh + sizeof HUT_NOTE_NAME)
		return fail(img, "malformed manifest note");
	memcpy(&nh, note, sizeof nh);
	if (nh.n_type != HUT_NOTE_TYPE_MANIFEST || nh.n_namesz != sizeof HUT_NOTE_NAME ||
	    memcmp(note + sizeof nh, HUT_NOTE_NAME, sizeof HUT_NOTE_NAME) != 0)
		return fail(img, "manifest note has the wrong owner or type");
	uint64_t desc = sizeof nh + sizeof HUT_NOTE_NAME; /* namesz 4: already aligned */
	if (nh.n_descsz != sizeof(struct hut_manifest) || sh.sh_size - desc < nh.n_descsz)
		return fail(img, "manifest is %u bytes, expected %zu (built for another ABI?)",
			    nh.n_descsz, sizeof(struct hut_manifest));
	img->manifest_offset = sh.sh_offset + desc;
	memcpy(&img->manifest, note + desc, sizeof img->manifest);
	img->crc_actual = hut_image_sealed_crc(img->crc_loaded, &img->manifest);
	return HUT_IMAGE_OK;
}

uint32_t hut_image_sealed_crc(uint32_t loaded, const struct hut_manifest *m)
{
	struct hut_manifest copy = *m;
	copy.crc32 = 0;
	return hut_crc32(loaded, &copy, sizeof copy);
}

static enum hut_image_result check_entry(struct hut_image *img, const char *what, uint64_t addr,
					 uint64_t len)
{
	const struct hut_segment *s = hut_image_segment_at(img, addr, len);
	if (!s || !(s->flags & PF_X))
		return fail(img, "manifest %s 0x%lx is not in an executable segment", what, addr);
	return HUT_IMAGE_OK;
}

static enum hut_image_result check_manifest(struct hut_image *img, unsigned flags)
{
	const struct hut_manifest *m = &img->manifest;
	if (m->magic != HUT_MANIFEST_MAGIC)
		return fail(img,
			    "manifest has a bad magic number (image not finished by `hut build`?)");
	if (m->abi_version != HUT_ABI_VERSION)
		return fail(img, "image is for hut ABI %u, this monitor speaks ABI %d",
			    m->abi_version, HUT_ABI_VERSION);
	enum hut_image_result r;
	if ((r = check_entry(img, "boot entry", m->boot_entry, 1)) ||
	    (r = check_entry(img, "syscall entry", m->syscall_entry, 1)) ||
	    (r = check_entry(img, "trap entry", m->trap_entry, HUT_TRAP_VECTORS * HUT_TRAP_STRIDE)))
		return r;
	if (m->mem_default < HUT_MEM_MIN || m->mem_default > HUT_MEM_MAX ||
	    !page_aligned(m->mem_default))
		return fail(img, "manifest memory size 0x%lx is out of range", m->mem_default);
	if (m->device_count > HUT_DEVICES_MAX)
		return fail(img, "manifest lists %u devices (at most %d)", m->device_count,
			    HUT_DEVICES_MAX);
	if (memchr(m->name, 0, sizeof m->name) == NULL)
		return fail(img, "manifest name is not terminated");
	for (uint32_t i = 0; i < m->device_count; i++) {
		if (memchr(m->devices[i].name, 0, sizeof m->devices[i].name) == NULL)
			return fail(img, "manifest device %u name is not terminated", i);
		if (m->devices[i].type != HUT_DEVICE_BLOCK && m->devices[i].type != HUT_DEVICE_NET)
			return fail(img, "manifest device %u has unknown type %u", i,
				    m->devices[i].type);
	}
	img->have_manifest = 1;
	if (!(flags & HUT_IMAGE_NO_CRC) && m->crc32 != img->crc_actual)
		return fail(
			img,
			"checksum mismatch: manifest says %08x, contents are %08x (corrupt image)",
			m->crc32, img->crc_actual);
	return HUT_IMAGE_OK;
}

/* The packed files: inside a read-only, non-executable segment's file
 * bytes, 8-byte aligned, and a well-formed tree (packed.c). */
static enum hut_image_result check_files(struct hut_image *img)
{
	const struct hut_manifest *m = &img->manifest;
	char why[200];
	if (m->files_gpa == 0 && m->files_size == 0)
		return HUT_IMAGE_OK;
	const struct hut_segment *s = hut_image_segment_at(img, m->files_gpa, m->files_size);
	if (m->files_gpa % 8 || !s || (s->flags & (PF_W | PF_X)) ||
	    m->files_gpa - s->va > s->filesz || m->files_size > s->filesz - (m->files_gpa - s->va))
		return fail(
			img,
			"packed files at 0x%lx+0x%lx are not in a read-only segment's file bytes",
			m->files_gpa, m->files_size);
	const uint8_t *blob = img->file + s->offset + (m->files_gpa - s->va);
	if (hut_files_check(blob, m->files_size, why, sizeof why) != 0)
		return fail(img, "packed files: %s", why);
	img->files = blob;
	return HUT_IMAGE_OK;
}

static enum hut_image_result parse_elf(struct hut_image *img, unsigned flags)
{
	Elf64_Ehdr eh;
	enum hut_image_result r;
	if ((r = check_header(img, &eh)) || (r = read_segments(img, &eh)) ||
	    (r = find_manifest(img, &eh)))
		return r;
	if (flags & HUT_IMAGE_NO_MANIFEST)
		return HUT_IMAGE_OK;
	if ((r = check_manifest(img, flags)) != HUT_IMAGE_OK)
		return r;
	return check_files(img);
}

enum hut_image_result hut_image_parse(struct hut_image *img, const void *bytes, size_t size,
				      unsigned flags)
{
	memset(img, 0, sizeof *img);
	img->file = bytes;
	img->file_size = size;
	if (size < sizeof(Elf64_Ehdr))
		return fail(img, "file too small to be an image (%zu bytes)", size);
	return parse_elf(img, flags);
}

const char *hut_file_kind(const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return st->st_size ? "a regular file" : "empty";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "of an unknown type";
	}
}

enum hut_image_result hut_image_open(struct hut_image *img, const char *path, unsigned flags)
{
	memset(img, 0, sizeof *img);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused
	 * below, as is every other file that is not regular. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		struct stat st;
		if (e != ENOENT && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			return fail(img, "not a regular, non-empty file (%s)", hut_file_kind(&st));
		snprintf(img->err, sizeof img->err, "cannot open (%s)", strerror(e));
		img->host_errno = e;
		return e == ENOENT ? HUT_IMAGE_NOT_FOUND : HUT_IMAGE_INVALID;
	}
	struct stat st = {0};
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return fail(img, "not a regular, non-empty file (%s)", hut_file_kind(&st));
	}
	void *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		img->host_errno = errno;
		return fail(img, "cannot map (%s)", strerror(img->host_errno));
	}
	enum hut_image_result r = hut_image_parse(img, p, st.st_size, flags);
	img->mapped = 1;
	return r;
}

void hut_image_close(struct hut_image *img)
{
	if (img->mapped && img->file)
		munmap((void *)img->file, img->file_size);
	img->file = NULL;
}

/* The segment holding [addr, addr + len), addr guest-virtual or, by_gpa,
 * guest-physical. */
static const struct hut_segment *segment_holding(const struct hut_image *img, uint64_t addr,
						 uint64_t len, int by_gpa)
{
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct hut_segment *s = &img->seg[i];
		uint64_t start = by_gpa ? s->gpa : s->va;
		if (addr >= start && addr - start <= s->memsz && len <= s->memsz - (addr - start))
			return s;
	}
	return NULL;
}

const struct hut_segment *hut_image_segment_at(const struct hut_image *img, uint64_t va,
					       uint64_t len)
{
	return segment_holding(img, va, len, 0);
}

const struct hut_segment *hut_image_segment_at_gpa(const struct hut_image *img, uint64_t gpa,
						   uint64_t len)
{
	return segment_holding(img, gpa, len, 1);
}

/* Calls fn for each named symbol in .symtab until it returns non-zero. */
static int each_symbol(const struct hut_image *img,
		       int (*fn)(const char *name, const Elf64_Sym *sym, void *ctx), void *ctx)
{
	Elf64_Ehdr eh;
	Elf64_Shdr symtab, strtab;
	if (file_read(img, 0, &eh, sizeof eh) != 0 || find_section(img, &eh, ".symtab", &symtab) ||
	    symtab.sh_type != SHT_SYMTAB || section(img, &eh, symtab.sh_link, &strtab) != 0 ||
	    !file_range(img, symtab.sh_offset, symtab.sh_size))
		return 0;
	for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= symtab.sh_size;
	     off += sizeof(Elf64_Sym)) {
		Elf64_Sym sym;
		const char *name;
		file_read(img, symtab.sh_offset + off, &sym, sizeof sym);
		if ((name = string_at(img, &strtab, sym.st_name)) != NULL && *name &&
		    fn(name, &sym, ctx))
			return 1;
	}
	return 0;
}

struct lookup {
	const char *name;
	uint64_t addr;
};

static int match_name(const char *name, const Elf64_Sym *sym, void *ctx)
{
	struct lookup *l = ctx;
	if (strcmp(name, l->name) != 0 || sym->st_shndx == SHN_UNDEF)
		return 0;
	l->addr = sym->st_value;
	return 1;
}

int hut_image_symbol(const struct hut_image *img, const char *name, uint64_t *addr)
{
	struct lookup l = {name, 0};
	if (!img->file || !each_symbol(img, match_name, &l))
		return -1;
	*addr = l.addr;
	return 0;
}

struct nearest {
	uint64_t addr;
	const char *name;
	uint64_t best;
};

/* Names point into img->file: they live as long as the mapping. */
static int match_nearest(const char *name, const Elf64_Sym *sym, void *ctx)
{
	struct nearest *n = ctx;
	if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_value > n->addr)
		return 0;
	uint64_t off = n->addr - sym->st_value;
	if ((sym->st_size == 0 || off < sym->st_size) && (!n->name || sym->st_value > n->best)) {
		n->name = name;
		n->best = sym->st_value;
	}
	return 0;
}

const char *hut_image_symbolize(const struct hut_image *img, uint64_t addr, uint64_t *offset)
{
	struct nearest n = {addr, NULL, 0};
	if (!img->file)
		return NULL;
	each_symbol(img, match_nearest, &n);
	if (n.name && offset)
		*offset = addr - n.best;
	return n.name;
}

bool hut_image_has_warm_stub(const struct hut_image *img)
{
	uint64_t entry = img->manifest.boot_entry;
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct hut_segment *s = &img->seg[i];
		if (entry < s->va || entry - s->va + HUT_WARM_OFFSET > s->filesz)
			continue;
		const uint8_t *code = img->file + s->offset + (entry - s->va);
		return code[0] == 0xeb && !memcmp(code + 2, HUT_WARM_TAG, 8);
	}
	return false;
}
