/*
 * Unit tests for the image reader (image/image.c).
 *
 * Every image here is generated in memory by a small ELF64 writer below:
 * the shape `hut build` produces (headers inside the first PT_LOAD, text R-X,
 * rodata R--, data R-W with bss, a non-loaded .note.hut holding the manifest,
 * .symtab/.strtab, .shstrtab), with a correct CRC. Each rejection test makes
 * one change to that image, recomputes the CRC so that only the change is
 * wrong, and expects HUT_IMAGE_INVALID with a reason in img.err.
 *
 * Images are parsed from a copy that ends right before a PROT_NONE page, so
 * a read past the end of the file crashes the test instead of passing.
 */
#include "image.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* ---------------------------------------------------------------------------
 * The generated image.
 * ------------------------------------------------------------------------- */
#define PAGE 0x1000ull

/* Loaded layout (file offset == gpa - HUT_IMAGE_BASE for the three segments). */
#define TEXT_GPA 0x400000ull /* ELF header, program headers, then code */
#define TEXT_OFF 0x0ull
#define TEXT_SIZE 0x2000ull
#define CODE_GPA 0x401000ull
#define RODATA_GPA 0x402000ull
#define RODATA_OFF 0x2000ull
#define RODATA_SIZE 0x800ull
#define DATA_GPA 0x403000ull
#define DATA_OFF 0x3000ull
#define DATA_FILESZ 0x800ull
#define DATA_MEMSZ 0x3000ull  /* 0x2800 bytes of bss */
#define EXTRA_GPA 0x406000ull /* optional extra R-- segments, one page each */
#define EXTRA_OFF 0x4000ull
#define EXTRA_FILESZ 0x100ull
#define IMAGE_END 0x406000ull /* without extra segments */

#define ENTRY_GPA 0x401000ull	/* _start */
#define BOOT_GPA 0x401100ull	/* hut_boot_entry */
#define SYSCALL_GPA 0x401200ull /* hut_syscall_entry */
#define TRAP_GPA 0x401400ull	/* hut_trap_entry: 32 stubs of 16 bytes */

/* Program header indices. */
enum { PH_TEXT, PH_RODATA, PH_DATA, PH_FIXED_LOADS };
/* Section header indices. */
enum {
	SH_NULL,
	SH_TEXT,
	SH_RODATA,
	SH_DATA,
	SH_BSS,
	SH_NOTE,
	SH_SYMTAB,
	SH_STRTAB,
	SH_SHSTRTAB,
	SH_COUNT
};

#define NOTE_NAME_SIZE 4 /* "hut\0" */
#define NOTE_SIZE (sizeof(Elf64_Nhdr) + NOTE_NAME_SIZE + sizeof(struct hut_manifest))

struct gen {
	uint8_t *buf;
	size_t len;
	unsigned extra;	     /* extra PT_LOADs after the three */
	unsigned phnum;	     /* PT_LOADs + PT_GNU_STACK */
	size_t note_off;     /* file offset of the note header */
	size_t manifest_off; /* file offset of the manifest (note desc) */
	size_t shstrtab_off;
	size_t shoff;
};

static Elf64_Ehdr *ehdr(struct gen *g)
{
	return (Elf64_Ehdr *)g->buf;
}

static Elf64_Phdr *phdr(struct gen *g, unsigned i)
{
	return (Elf64_Phdr *)(g->buf + sizeof(Elf64_Ehdr)) + i;
}

static Elf64_Shdr *shdr(struct gen *g, unsigned i)
{
	return (Elf64_Shdr *)(g->buf + g->shoff) + i;
}

static Elf64_Nhdr *note(struct gen *g)
{
	return (Elf64_Nhdr *)(g->buf + g->note_off);
}

static char *note_name(struct gen *g)
{
	return (char *)(g->buf + g->note_off + sizeof(Elf64_Nhdr));
}

static struct hut_manifest *manifest(struct gen *g)
{
	return (struct hut_manifest *)(g->buf + g->manifest_off);
}

/* A string table under construction. */
struct strtab {
	char s[256];
	size_t len;
};

static uint32_t str_add(struct strtab *t, const char *s)
{
	size_t n = strlen(s) + 1;
	cr_assert(t->len + n <= sizeof t->s);
	memcpy(t->s + t->len, s, n);
	t->len += n;
	return (uint32_t)(t->len - n);
}

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

static void set_load(Elf64_Phdr *p, uint64_t off, uint64_t gpa, uint64_t filesz, uint64_t memsz,
		     uint32_t flags)
{
	*p = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = flags,
		.p_offset = off,
		.p_vaddr = gpa,
		.p_paddr = gpa,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = PAGE,
	};
}

static void set_section(Elf64_Shdr *s, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr,
			uint64_t off, uint64_t size, uint64_t align)
{
	*s = (Elf64_Shdr){
		.sh_name = name,
		.sh_type = type,
		.sh_flags = flags,
		.sh_addr = addr,
		.sh_offset = off,
		.sh_size = size,
		.sh_addralign = align,
	};
}

/* Is file offset `at` one of the ELF header's section-table fields
 * (e_shoff, e_shentsize, e_shnum, e_shstrndx), which the CRC counts as
 * zeros? Spelled with <elf.h>'s struct, not abi.h's constants, so a wrong
 * constant there fails these tests. */
static int section_table_field(uint64_t at)
{
	return (at >= offsetof(Elf64_Ehdr, e_shoff) &&
		at < offsetof(Elf64_Ehdr, e_shoff) + sizeof(Elf64_Off)) ||
	       (at >= offsetof(Elf64_Ehdr, e_shentsize) && at < sizeof(Elf64_Ehdr));
}

/* The CRC the builder would write: crc32 over each PT_LOAD's file bytes, in
 * program header order, the section-table fields as zeros. Reads the
 * (possibly modified) headers defensively. */
static uint32_t loaded_crc(const uint8_t *buf, size_t len)
{
	uLong crc = crc32(0, NULL, 0);
	if (len < sizeof(Elf64_Ehdr))
		return (uint32_t)crc;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint64_t at = eh->e_phoff + (uint64_t)i * sizeof(Elf64_Phdr);
		if (eh->e_phoff > len || at > len - sizeof(Elf64_Phdr))
			break;
		const Elf64_Phdr *p = (const Elf64_Phdr *)(buf + at);
		if (p->p_type != PT_LOAD || p->p_offset > len || p->p_filesz > len - p->p_offset)
			continue;
		for (uint64_t k = 0; k < p->p_filesz; k++) {
			uint8_t b = section_table_field(p->p_offset + k) ? 0 : buf[p->p_offset + k];
			crc = crc32(crc, &b, 1);
		}
	}
	return (uint32_t)crc;
}

/* ... continued over the manifest with its crc32 field as zero (abi.h). */
static uint32_t sealed_crc(const uint8_t *buf, size_t len, const struct hut_manifest *m)
{
	struct hut_manifest copy = *m;
	copy.crc32 = 0;
	return (uint32_t)crc32(loaded_crc(buf, len), (const Bytef *)&copy, sizeof copy);
}

static void fix_crc(struct gen *g)
{
	manifest(g)->crc32 = sealed_crc(g->buf, g->len, manifest(g));
}

/* The mapping of the latest parse_guarded call. */
static uint8_t *guarded_map;
static size_t guarded_map_len;

/* Parses bytes copied to the very end of a readable mapping (16-byte aligned
 * start, at most 15 bytes of slack before a PROT_NONE page). The mapping is
 * kept, since img.file points into it, until release_guarded(). */
static enum hut_image_result parse_guarded(struct hut_image *img, const void *bytes, size_t len,
					   unsigned flags)
{
	size_t span = (len + 15 + PAGE - 1) / PAGE * PAGE;
	uint8_t *m =
		mmap(NULL, span + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(m != MAP_FAILED);
	cr_assert(mprotect(m + span, PAGE, PROT_NONE) == 0);
	uint8_t *dst = m + ((span - len) & ~(size_t)15);
	memcpy(dst, bytes, len);
	guarded_map = m;
	guarded_map_len = span + PAGE;
	return hut_image_parse(img, dst, len, flags);
}

/* For loops that parse thousands of images. */
static void release_guarded(void)
{
	cr_assert(munmap(guarded_map, guarded_map_len) == 0);
	guarded_map = NULL;
}

/* Lays out the well-formed image, with `extra` more one-page R-- segments. */
static void gen_layout(struct gen *g, unsigned extra)
{
	memset(g, 0, sizeof *g);
	g->extra = extra;
	g->phnum = PH_FIXED_LOADS + extra + 1;

	struct strtab shstr = {.len = 1}, str = {.len = 1};
	uint32_t n_text = str_add(&shstr, ".text"), n_rodata = str_add(&shstr, ".rodata"),
		 n_data = str_add(&shstr, ".data"), n_bss = str_add(&shstr, ".bss"),
		 n_note = str_add(&shstr, HUT_NOTE_SECTION), n_symtab = str_add(&shstr, ".symtab"),
		 n_strtab = str_add(&shstr, ".strtab"), n_shstrtab = str_add(&shstr, ".shstrtab");
	static const struct {
		const char *name;
		uint64_t value, size;
		unsigned type, shndx;
	} syms[] = {
		{"_start", ENTRY_GPA, 0x40, STT_FUNC, SH_TEXT},
		{HUT_SYM_BOOT_ENTRY, BOOT_GPA, 0x80, STT_FUNC, SH_TEXT},
		{HUT_SYM_SYSCALL_ENTRY, SYSCALL_GPA, 0x100, STT_FUNC, SH_TEXT},
		{HUT_SYM_TRAP_ENTRY, TRAP_GPA, HUT_TRAP_VECTORS * HUT_TRAP_STRIDE, STT_FUNC,
		 SH_TEXT},
		{"hut_test_word", DATA_GPA, 8, STT_OBJECT, SH_DATA},
	};
	size_t nsyms = sizeof syms / sizeof syms[0] + 1;
	uint32_t sym_names[sizeof syms / sizeof syms[0]];
	for (size_t i = 0; i < nsyms - 1; i++)
		sym_names[i] = str_add(&str, syms[i].name);

	/* File layout after the loaded bytes: note, symtab, strtab, shstrtab, shdrs. */
	size_t loaded_end =
		extra ? EXTRA_OFF + (extra - 1) * PAGE + EXTRA_FILESZ : DATA_OFF + DATA_FILESZ;
	g->note_off = align8(loaded_end);
	g->manifest_off = g->note_off + sizeof(Elf64_Nhdr) + NOTE_NAME_SIZE;
	size_t symtab_off = align8(g->note_off + NOTE_SIZE);
	size_t strtab_off = symtab_off + nsyms * sizeof(Elf64_Sym);
	g->shstrtab_off = strtab_off + str.len;
	g->shoff = align8(g->shstrtab_off + shstr.len);
	g->len = g->shoff + SH_COUNT * sizeof(Elf64_Shdr);
	g->buf = calloc(1, g->len);
	cr_assert(g->buf);
	cr_assert(sizeof(Elf64_Ehdr) + g->phnum * sizeof(Elf64_Phdr) <= CODE_GPA - TEXT_GPA);

	Elf64_Ehdr *eh = ehdr(g);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY_GPA;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = g->shoff;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = g->phnum;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = SH_COUNT;
	eh->e_shstrndx = SH_SHSTRTAB;

	set_load(phdr(g, PH_TEXT), TEXT_OFF, TEXT_GPA, TEXT_SIZE, TEXT_SIZE, PF_R | PF_X);
	set_load(phdr(g, PH_RODATA), RODATA_OFF, RODATA_GPA, RODATA_SIZE, RODATA_SIZE, PF_R);
	set_load(phdr(g, PH_DATA), DATA_OFF, DATA_GPA, DATA_FILESZ, DATA_MEMSZ, PF_R | PF_W);
	for (unsigned i = 0; i < extra; i++)
		set_load(phdr(g, PH_FIXED_LOADS + i), EXTRA_OFF + i * PAGE, EXTRA_GPA + i * PAGE,
			 EXTRA_FILESZ, PAGE, PF_R);
	*phdr(g, g->phnum - 1) =
		(Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16};

	/* Segment contents: int3 for code, recognisable patterns elsewhere. */
	memset(g->buf + (CODE_GPA - TEXT_GPA), 0xcc, TEXT_GPA + TEXT_SIZE - CODE_GPA);
	for (size_t i = 0; i < RODATA_SIZE; i++)
		g->buf[RODATA_OFF + i] = (uint8_t)("rodata"[i % 6]);
	for (size_t i = 0; i < DATA_FILESZ; i++)
		g->buf[DATA_OFF + i] = (uint8_t)(i * 7 + 1);
	for (unsigned e = 0; e < extra; e++)
		memset(g->buf + EXTRA_OFF + e * PAGE, 0x40 + e, EXTRA_FILESZ);

	/* The manifest note. */
	*note(g) = (Elf64_Nhdr){.n_namesz = NOTE_NAME_SIZE,
				.n_descsz = sizeof(struct hut_manifest),
				.n_type = HUT_NOTE_TYPE_MANIFEST};
	memcpy(note_name(g), HUT_NOTE_NAME, NOTE_NAME_SIZE);
	struct hut_manifest *m = manifest(g);
	m->magic = HUT_MANIFEST_MAGIC;
	m->abi_version = HUT_ABI_VERSION;
	m->boot_entry = BOOT_GPA;
	m->syscall_entry = SYSCALL_GPA;
	m->trap_entry = TRAP_GPA;
	m->mem_default = HUT_MEM_DEFAULT;
	strcpy(m->name, "gen-test");

	/* Symbols. */
	Elf64_Sym *sym = (Elf64_Sym *)(g->buf + symtab_off);
	for (size_t i = 1; i < nsyms; i++)
		sym[i] = (Elf64_Sym){.st_name = sym_names[i - 1],
				     .st_info = ELF64_ST_INFO(STB_GLOBAL, syms[i - 1].type),
				     .st_shndx = (uint16_t)syms[i - 1].shndx,
				     .st_value = syms[i - 1].value,
				     .st_size = syms[i - 1].size};
	memcpy(g->buf + strtab_off, str.s, str.len);
	memcpy(g->buf + g->shstrtab_off, shstr.s, shstr.len);

	/* Sections. */
	set_section(shdr(g, SH_TEXT), n_text, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, CODE_GPA,
		    CODE_GPA - TEXT_GPA, TEXT_GPA + TEXT_SIZE - CODE_GPA, 16);
	set_section(shdr(g, SH_RODATA), n_rodata, SHT_PROGBITS, SHF_ALLOC, RODATA_GPA, RODATA_OFF,
		    RODATA_SIZE, 8);
	set_section(shdr(g, SH_DATA), n_data, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, DATA_GPA,
		    DATA_OFF, DATA_FILESZ, 8);
	set_section(shdr(g, SH_BSS), n_bss, SHT_NOBITS, SHF_ALLOC | SHF_WRITE,
		    DATA_GPA + DATA_FILESZ, DATA_OFF + DATA_FILESZ, DATA_MEMSZ - DATA_FILESZ, 8);
	set_section(shdr(g, SH_NOTE), n_note, SHT_NOTE, 0, 0, g->note_off, NOTE_SIZE, 4);
	set_section(shdr(g, SH_SYMTAB), n_symtab, SHT_SYMTAB, 0, 0, symtab_off,
		    nsyms * sizeof(Elf64_Sym), 8);
	shdr(g, SH_SYMTAB)->sh_link = SH_STRTAB;
	shdr(g, SH_SYMTAB)->sh_info = 1; /* first non-local symbol */
	shdr(g, SH_SYMTAB)->sh_entsize = sizeof(Elf64_Sym);
	set_section(shdr(g, SH_STRTAB), n_strtab, SHT_STRTAB, 0, 0, strtab_off, str.len, 1);
	set_section(shdr(g, SH_SHSTRTAB), n_shstrtab, SHT_STRTAB, 0, 0, g->shstrtab_off, shstr.len,
		    1);

	fix_crc(g);
}

/* Lays out the image and checks that it parses: every rejection test starts
 * from a known-good image and makes one change. */
static void gen_build(struct gen *g, unsigned extra)
{
	gen_layout(g, extra);
	struct hut_image img;
	enum hut_image_result r = parse_guarded(&img, g->buf, g->len, 0);
	cr_assert_eq(r, HUT_IMAGE_OK, "the generated image (extra=%u) must parse: %s", extra,
		     img.err);
}

/* Recomputes the CRC (so that only the change under test is wrong), parses
 * with flags and expects a refusal with a reason. */
static void expect_invalid_flags(struct gen *g, unsigned flags, const char *what)
{
	struct hut_image img;
	fix_crc(g);
	enum hut_image_result r = parse_guarded(&img, g->buf, g->len, flags);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "%s: expected HUT_IMAGE_INVALID, got %d (err \"%s\")",
		     what, r, img.err);
	cr_assert(img.err[0] != '\0', "%s: refused without a reason", what);
	cr_assert(memchr(img.err, '\0', sizeof img.err), "%s: err is not terminated", what);
	cr_log_info("%s -> %s", what, img.err);
}

static void expect_invalid(struct gen *g, const char *what)
{
	expect_invalid_flags(g, 0, what);
}

static void expect_ok(struct gen *g, unsigned flags, struct hut_image *img, const char *what)
{
	fix_crc(g);
	enum hut_image_result r = parse_guarded(img, g->buf, g->len, flags);
	cr_assert_eq(r, HUT_IMAGE_OK, "%s: expected HUT_IMAGE_OK, got %d (err \"%s\")", what, r,
		     img->err);
}

/* Replaces the name of section i in .shstrtab (same length). */
static void rename_section(struct gen *g, unsigned i, const char *name)
{
	char *old = (char *)g->buf + g->shstrtab_off + shdr(g, i)->sh_name;
	cr_assert_eq(strlen(old), strlen(name));
	memcpy(old, name, strlen(name));
}

/* ---------------------------------------------------------------------------
 * A well-formed image.
 * ------------------------------------------------------------------------- */
Test(image_ok, parses_segments_entry_and_manifest)
{
	struct gen g;
	gen_build(&g, 0);
	struct hut_image img;
	expect_ok(&g, 0, &img, "well-formed image");

	cr_assert_eq(img.file_size, g.len);
	cr_assert_eq(img.entry, ENTRY_GPA);
	cr_assert_eq(img.nsegments, 3);
	const struct {
		uint64_t gpa, memsz, filesz, offset;
		uint32_t flags;
	} want[] = {
		{TEXT_GPA, TEXT_SIZE, TEXT_SIZE, TEXT_OFF, PF_R | PF_X},
		{RODATA_GPA, RODATA_SIZE, RODATA_SIZE, RODATA_OFF, PF_R},
		{DATA_GPA, DATA_MEMSZ, DATA_FILESZ, DATA_OFF, PF_R | PF_W},
	};
	for (size_t i = 0; i < 3; i++) {
		cr_expect_eq(img.seg[i].gpa, want[i].gpa, "segment %zu gpa", i);
		cr_expect_eq(img.seg[i].memsz, want[i].memsz, "segment %zu memsz", i);
		cr_expect_eq(img.seg[i].filesz, want[i].filesz, "segment %zu filesz", i);
		cr_expect_eq(img.seg[i].offset, want[i].offset, "segment %zu offset", i);
		cr_expect_eq(img.seg[i].flags, want[i].flags, "segment %zu flags", i);
	}
	cr_assert_eq(img.image_end, IMAGE_END);
	/* AT_PHDR/AT_PHNUM/AT_PHENT for musl: headers right after the ELF header. */
	cr_assert_eq(img.phdr_gpa, TEXT_GPA + sizeof(Elf64_Ehdr));
	cr_assert_eq(img.phnum, g.phnum);
	cr_assert_eq(img.phent, sizeof(Elf64_Phdr));

	cr_assert(img.have_manifest);
	cr_assert_eq(img.crc_loaded, loaded_crc(g.buf, g.len));
	cr_assert_eq(img.manifest.crc32, img.crc_actual);
	cr_assert_eq(img.crc_actual, sealed_crc(g.buf, g.len, &img.manifest));
	cr_assert_eq(img.manifest_offset, g.manifest_off);
	cr_assert_eq(img.manifest.magic, HUT_MANIFEST_MAGIC);
	cr_assert_eq(img.manifest.abi_version, HUT_ABI_VERSION);
	cr_assert_eq(img.manifest.boot_entry, BOOT_GPA);
	cr_assert_eq(img.manifest.syscall_entry, SYSCALL_GPA);
	cr_assert_eq(img.manifest.trap_entry, TRAP_GPA);
	cr_assert_eq(img.manifest.mem_default, HUT_MEM_DEFAULT);
	cr_assert_eq(img.manifest.device_count, 0);
	cr_assert_str_eq(img.manifest.name, "gen-test");
	hut_image_close(&img);
	free(g.buf);
}

/* The CRC covers the loaded bytes, so it must change when they do: a check
 * that the test's own CRC is not a constant the parser happens to accept.
 * The header's section-table fields count as zeros (abi.h, HUT_CRC_*). */
Test(image_ok, crc_is_over_loaded_bytes_in_phdr_order)
{
	struct gen g;
	gen_build(&g, 0);
	Elf64_Ehdr header = *ehdr(&g);
	header.e_shoff = 0;
	header.e_shentsize = header.e_shnum = header.e_shstrndx = 0;
	uLong want = crc32(0, NULL, 0);
	want = crc32(want, (const Bytef *)&header, sizeof header);
	want = crc32(want, g.buf + TEXT_OFF + sizeof header, TEXT_SIZE - sizeof header);
	want = crc32(want, g.buf + RODATA_OFF, RODATA_SIZE);
	want = crc32(want, g.buf + DATA_OFF, DATA_FILESZ);
	struct hut_image img;
	expect_ok(&g, 0, &img, "well-formed image");
	cr_assert_eq(img.crc_loaded, (uint32_t)want);
	free(g.buf);
}

Test(image_ok, manifest_round_trip)
{
	struct gen g;
	gen_build(&g, 0);
	struct hut_manifest want;
	memset(&want, 0, sizeof want);
	want.magic = HUT_MANIFEST_MAGIC;
	want.abi_version = HUT_ABI_VERSION;
	want.boot_entry = BOOT_GPA + 0x10;
	want.syscall_entry = SYSCALL_GPA + 0x20;
	want.trap_entry = TRAP_GPA + 0x100;
	want.mem_default = 256ull << 20;
	want.device_count = 2;
	strcpy(want.name, "roundtrip-service-0123456789abc"); /* 31 chars + NUL */
	cr_assert_eq(strlen(want.name), HUT_NAME_MAX - 1);
	strcpy(want.devices[0].name, "disk0");
	want.devices[0].type = HUT_DEVICE_BLOCK;
	strcpy(want.devices[1].name, "net-eth0-abcdef"); /* 15 chars + NUL */
	want.devices[1].type = HUT_DEVICE_NET;
	memcpy(manifest(&g), &want, sizeof want);
	want.crc32 = sealed_crc(g.buf, g.len, &want);
	manifest(&g)->crc32 = want.crc32;

	struct hut_image img;
	expect_ok(&g, 0, &img, "round trip");
	const struct hut_manifest *got = &img.manifest;
	cr_assert_eq(got->magic, want.magic);
	cr_assert_eq(got->abi_version, want.abi_version);
	cr_assert_eq(got->boot_entry, want.boot_entry);
	cr_assert_eq(got->syscall_entry, want.syscall_entry);
	cr_assert_eq(got->trap_entry, want.trap_entry);
	cr_assert_eq(got->mem_default, want.mem_default);
	cr_assert_eq(got->crc32, want.crc32);
	cr_assert_eq(got->device_count, want.device_count);
	cr_assert_str_eq(got->name, want.name);
	for (unsigned i = 0; i < HUT_DEVICES_MAX; i++) {
		cr_assert_str_eq(got->devices[i].name, want.devices[i].name, "device %u", i);
		cr_assert_eq(got->devices[i].type, want.devices[i].type, "device %u", i);
		cr_assert_eq(got->devices[i].flags, want.devices[i].flags, "device %u", i);
	}
	cr_assert(memcmp(got, &want, sizeof want) == 0, "manifest bytes differ");
	/* manifest_offset locates the same bytes in the file (the builder patches there). */
	cr_assert(memcmp(img.file + img.manifest_offset, &want, sizeof want) == 0);
	free(g.buf);
}

Test(image_ok, limits_are_inclusive)
{
	struct gen g;
	struct hut_image img;

	gen_build(&g, 0);
	manifest(&g)->mem_default = HUT_MEM_MIN;
	expect_ok(&g, 0, &img, "mem_default == HUT_MEM_MIN");
	manifest(&g)->mem_default = HUT_MEM_MAX;
	expect_ok(&g, 0, &img, "mem_default == HUT_MEM_MAX");

	manifest(&g)->device_count = HUT_DEVICES_MAX;
	for (unsigned i = 0; i < HUT_DEVICES_MAX; i++) {
		snprintf(manifest(&g)->devices[i].name, HUT_DEVICE_NAME_MAX, "dev%u", i);
		manifest(&g)->devices[i].type = i % 2 ? HUT_DEVICE_NET : HUT_DEVICE_BLOCK;
	}
	expect_ok(&g, 0, &img, "device_count == HUT_DEVICES_MAX");

	/* The trap table may end exactly at the end of the text segment. */
	manifest(&g)->trap_entry = TEXT_GPA + TEXT_SIZE - HUT_TRAP_VECTORS * HUT_TRAP_STRIDE;
	expect_ok(&g, 0, &img, "trap table ending at the end of text");
	free(g.buf);

	gen_build(&g, HUT_SEGMENTS_MAX - PH_FIXED_LOADS); /* exactly HUT_SEGMENTS_MAX PT_LOADs */
	expect_ok(&g, 0, &img, "HUT_SEGMENTS_MAX segments");
	cr_assert_eq(img.nsegments, HUT_SEGMENTS_MAX);
	cr_assert_eq(img.image_end, EXTRA_GPA + (HUT_SEGMENTS_MAX - PH_FIXED_LOADS) * PAGE);
	free(g.buf);
}

Test(image_ok, symbols_and_segment_lookup)
{
	struct gen g;
	gen_build(&g, 0);
	struct hut_image img;
	expect_ok(&g, 0, &img, "well-formed image");

	uint64_t addr = 0;
	cr_assert_eq(hut_image_symbol(&img, HUT_SYM_BOOT_ENTRY, &addr), 0);
	cr_assert_eq(addr, BOOT_GPA);
	cr_assert_eq(hut_image_symbol(&img, HUT_SYM_TRAP_ENTRY, &addr), 0);
	cr_assert_eq(addr, TRAP_GPA);
	cr_assert_eq(hut_image_symbol(&img, "no_such_symbol", &addr), -1);

	uint64_t off = 0;
	const char *name = hut_image_symbolize(&img, SYSCALL_GPA + 0x42, &off);
	cr_assert(name);
	cr_assert_str_eq(name, HUT_SYM_SYSCALL_ENTRY);
	cr_assert_eq(off, 0x42);
	/* Between _start's end (0x401040) and the boot entry: no function. */
	cr_assert_null(hut_image_symbolize(&img, ENTRY_GPA + 0x80, &off));
	/* Data symbols are not functions. */
	cr_assert_null(hut_image_symbolize(&img, DATA_GPA, &off));

	const struct hut_segment *s = hut_image_segment_at(&img, DATA_GPA + DATA_MEMSZ - 8, 8);
	cr_assert(s && s->gpa == DATA_GPA, "the last bss bytes are in the data segment");
	cr_assert_null(hut_image_segment_at(&img, DATA_GPA + DATA_MEMSZ - 8, 9));
	cr_assert_null(hut_image_segment_at(&img, RODATA_GPA - 8, 16), "straddles two segments");
	cr_assert_null(hut_image_segment_at(&img, TEXT_GPA - 1, 1));
	cr_assert_null(hut_image_segment_at(&img, IMAGE_END, 1));
	cr_assert_null(hut_image_segment_at(&img, TEXT_GPA + 8, UINT64_MAX), "wraps");
	cr_assert_null(hut_image_segment_at(&img, UINT64_MAX, 2), "wraps");
	free(g.buf);
}

/* ---------------------------------------------------------------------------
 * Files.
 * ------------------------------------------------------------------------- */
Test(image_open, missing_path_is_not_found)
{
	struct hut_image img;
	enum hut_image_result r = hut_image_open(&img, "/nonexistent/hut-test/none.hut", 0);
	cr_assert_eq(r, HUT_IMAGE_NOT_FOUND, "got %d (%s)", r, img.err);
	cr_assert(img.err[0] != '\0');
}

Test(image_open, file_round_trip_and_non_files)
{
	struct gen g;
	gen_build(&g, 0);
	char path[] = "/tmp/hut-image-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, g.buf, g.len), (ssize_t)g.len);
	close(fd);

	struct hut_image img;
	enum hut_image_result r = hut_image_open(&img, path, 0);
	cr_assert_eq(r, HUT_IMAGE_OK, "%s", img.err);
	cr_assert_eq(img.file_size, g.len);
	cr_assert_eq(img.entry, ENTRY_GPA);
	cr_assert_str_eq(img.manifest.name, "gen-test");
	hut_image_close(&img);

	/* The same file, corrupted on disk. */
	fd = open(path, O_WRONLY);
	cr_assert(fd >= 0);
	uint8_t flip = (uint8_t)~g.buf[DATA_OFF];
	cr_assert_eq(pwrite(fd, &flip, 1, DATA_OFF), 1);
	close(fd);
	r = hut_image_open(&img, path, 0);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "corrupt file accepted");
	cr_assert(img.err[0] != '\0');
	hut_image_close(&img);

	/* Empty file, directory. */
	cr_assert_eq(truncate(path, 0), 0);
	r = hut_image_open(&img, path, 0);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "empty file: %d", r);
	cr_assert(img.err[0] != '\0');
	hut_image_close(&img);
	unlink(path);

	r = hut_image_open(&img, "/tmp", 0);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "directory: %d", r);
	cr_assert(img.err[0] != '\0');
	hut_image_close(&img);
	free(g.buf);
}

/* ---------------------------------------------------------------------------
 * The ELF header.
 * ------------------------------------------------------------------------- */
Test(image_reject, truncated_at_chosen_lengths)
{
	struct gen g;
	gen_build(&g, 0);
	const struct {
		size_t len;
		const char *where;
	} cuts[] = {
		{0, "empty"},
		{1, "one byte"},
		{SELFMAG, "magic only"},
		{EI_NIDENT, "e_ident only"},
		{sizeof(Elf64_Ehdr) - 1, "inside the ELF header"},
		{sizeof(Elf64_Ehdr), "ELF header only"},
		{sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 10, "inside the program headers"},
		{CODE_GPA - TEXT_GPA + 0x10, "inside the text segment's bytes"},
		{DATA_OFF + DATA_FILESZ / 2, "inside the data segment's bytes"},
		{g.note_off + 8, "inside the manifest note"},
		{g.shoff + sizeof(Elf64_Shdr), "inside the section headers"},
		{g.len - 1, "last byte missing"},
	};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		struct hut_image img;
		enum hut_image_result r = parse_guarded(&img, g.buf, cuts[i].len, 0);
		cr_assert_eq(r, HUT_IMAGE_INVALID, "truncated to %zu bytes (%s): got %d",
			     cuts[i].len, cuts[i].where, r);
		cr_assert(img.err[0] != '\0', "truncated to %zu bytes: no reason", cuts[i].len);
		cr_log_info("truncated %zu (%s) -> %s", cuts[i].len, cuts[i].where, img.err);
	}
	free(g.buf);
}

/* Every proper prefix of the file must be refused, and never read past its end. */
Test(image_reject, truncated_at_every_length)
{
	struct gen g;
	gen_build(&g, 0);
	for (size_t len = 0; len < g.len; len++) {
		struct hut_image img;
		enum hut_image_result r = parse_guarded(&img, g.buf, len, 0);
		cr_assert_eq(r, HUT_IMAGE_INVALID, "truncated to %zu of %zu bytes: got %d", len,
			     g.len, r);
		cr_assert(img.err[0] != '\0', "truncated to %zu bytes: no reason", len);
		release_guarded();
	}
	free(g.buf);
}

Test(image_reject, wrong_magic)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_ident[EI_MAG1] = 'X';
	expect_invalid(&g, "ELF magic \\x7fXLF");
	free(g.buf);
}

Test(image_reject, elfclass32)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_ident[EI_CLASS] = ELFCLASS32;
	expect_invalid(&g, "ELFCLASS32");
	free(g.buf);
}

Test(image_reject, big_endian)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_invalid(&g, "ELFDATA2MSB");
	free(g.buf);
}

Test(image_reject, wrong_machine)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_machine = EM_AARCH64;
	expect_invalid(&g, "EM_AARCH64");
	ehdr(&g)->e_machine = EM_386;
	expect_invalid(&g, "EM_386");
	free(g.buf);
}

Test(image_reject, pie_executable)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_type = ET_DYN;
	expect_invalid(&g, "ET_DYN");
	free(g.buf);
}

Test(image_reject, relocatable_object)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_type = ET_REL;
	expect_invalid(&g, "ET_REL");
	free(g.buf);
}

Test(image_reject, wrong_phentsize)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_phentsize = sizeof(Elf64_Phdr) - 8;
	expect_invalid(&g, "e_phentsize 48");
	free(g.buf);
}

/* ---------------------------------------------------------------------------
 * Program headers and segments.
 * ------------------------------------------------------------------------- */
Test(image_reject, no_pt_load)
{
	struct gen g;
	gen_build(&g, 0);
	for (unsigned i = 0; i < PH_FIXED_LOADS; i++)
		phdr(&g, i)->p_type = PT_NULL;
	expect_invalid(&g, "no PT_LOAD");
	free(g.buf);
}

Test(image_reject, no_program_headers)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_phnum = 0;
	ehdr(&g)->e_phoff = 0;
	expect_invalid(&g, "e_phnum 0");
	free(g.buf);
}

Test(image_reject, too_many_segments)
{
	struct gen g;
	gen_layout(&g, HUT_SEGMENTS_MAX - PH_FIXED_LOADS + 1);
	expect_invalid(&g, "HUT_SEGMENTS_MAX + 1 PT_LOADs");
	free(g.buf);
}

Test(image_reject, overlapping_segments)
{
	struct gen g;
	gen_build(&g, 0);
	/* rodata starts inside text. */
	phdr(&g, PH_RODATA)->p_vaddr = phdr(&g, PH_RODATA)->p_paddr = TEXT_GPA + PAGE;
	expect_invalid(&g, "rodata at text + 1 page");
	free(g.buf);

	gen_build(&g, 0);
	/* text's memory size runs into rodata. */
	phdr(&g, PH_TEXT)->p_memsz = TEXT_SIZE + 1;
	expect_invalid(&g, "text memsz one byte into rodata's page");
	free(g.buf);

	gen_build(&g, 0);
	/* data's bss reaches back over rodata: same start, different segment. */
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = RODATA_GPA;
	expect_invalid(&g, "data at rodata's address");
	free(g.buf);
}

Test(image_reject, segment_below_image_base)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = HUT_IMAGE_BASE - PAGE;
	expect_invalid(&g, "data one page below HUT_IMAGE_BASE");
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = 0;
	expect_invalid(&g, "data at 0");
	free(g.buf);
}

Test(image_reject, segment_above_mem_max)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = HUT_MEM_MAX;
	expect_invalid(&g, "data at HUT_MEM_MAX");
	/* Starts inside, ends outside. */
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = HUT_MEM_MAX - PAGE;
	expect_invalid(&g, "data crossing HUT_MEM_MAX");
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = DATA_GPA;
	phdr(&g, PH_DATA)->p_memsz = HUT_MEM_MAX;
	expect_invalid(&g, "data memsz HUT_MEM_MAX");
	free(g.buf);
}

Test(image_reject, segment_wraps_address_space)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = 0xfffffffffffff000ull;
	expect_invalid(&g, "data at 2^64 - 4096 (+0x3000 wraps)");
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = DATA_GPA;
	phdr(&g, PH_DATA)->p_memsz = UINT64_MAX - DATA_GPA + 1 + PAGE;
	expect_invalid(&g, "data memsz wrapping to 0x1000");
	free(g.buf);
}

Test(image_reject, unaligned_paddr)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_vaddr = phdr(&g, PH_DATA)->p_paddr = DATA_GPA + 0x10;
	expect_invalid(&g, "data at 0x403010");
	free(g.buf);
}

Test(image_reject, vaddr_differs_from_paddr)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_vaddr = DATA_GPA + 0x100000;
	expect_invalid(&g, "data p_vaddr != p_paddr");
	free(g.buf);
}

Test(image_reject, filesz_greater_than_memsz)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_memsz = DATA_FILESZ - 1;
	expect_invalid(&g, "data filesz > memsz");
	free(g.buf);
}

Test(image_reject, segment_bytes_beyond_file)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_filesz = g.len - DATA_OFF + 1;
	phdr(&g, PH_DATA)->p_memsz = PAGE * 16;
	expect_invalid(&g, "data file bytes one past the end of the file");
	free(g.buf);

	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_offset = (g.len + PAGE) & ~(PAGE - 1);
	expect_invalid(&g, "data p_offset beyond the file");
	free(g.buf);
}

Test(image_reject, segment_offset_wraps)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_DATA)->p_offset = 0xfffffffffffff000ull;
	phdr(&g, PH_DATA)->p_filesz = 0x2000;
	phdr(&g, PH_DATA)->p_memsz = 0x3000;
	expect_invalid(&g, "data p_offset + p_filesz wraps 2^64");
	phdr(&g, PH_DATA)->p_offset = DATA_OFF;
	phdr(&g, PH_DATA)->p_filesz = phdr(&g, PH_DATA)->p_memsz = 0ull - PAGE;
	expect_invalid(&g, "data p_offset 0x3000 + p_filesz 2^64-4096 wraps");
	free(g.buf);
}

Test(image_reject, writable_and_executable)
{
	struct gen g;
	gen_build(&g, 0);
	phdr(&g, PH_TEXT)->p_flags = PF_R | PF_W | PF_X;
	expect_invalid(&g, "text RWX");
	phdr(&g, PH_TEXT)->p_flags = PF_R | PF_X;
	phdr(&g, PH_DATA)->p_flags = PF_W | PF_X;
	expect_invalid(&g, "data -WX");
	free(g.buf);
}

Test(image_reject, entry_outside_executable_segment)
{
	struct gen g;
	gen_build(&g, 0);
	ehdr(&g)->e_entry = DATA_GPA + 0x10;
	expect_invalid(&g, "e_entry in data");
	ehdr(&g)->e_entry = RODATA_GPA;
	expect_invalid(&g, "e_entry in rodata");
	ehdr(&g)->e_entry = 0;
	expect_invalid(&g, "e_entry 0");
	ehdr(&g)->e_entry = TEXT_GPA + TEXT_SIZE;
	expect_invalid(&g, "e_entry one past text");
	free(g.buf);
}

/* musl's start-up finds PT_TLS through AT_PHDR: the headers must be loaded,
 * in the first PT_LOAD (docs/ARCHITECTURE.md, "Facts measured on these
 * machines"; the linker script puts them there). */
Test(image_reject, phdrs_not_loaded)
{
	struct gen g;
	gen_build(&g, 0);
	/* text now starts with the code page: the headers are in no segment. */
	set_load(phdr(&g, PH_TEXT), TEXT_OFF + PAGE, CODE_GPA, TEXT_SIZE - PAGE, TEXT_SIZE - PAGE,
		 PF_R | PF_X);
	expect_invalid(&g, "program headers in no PT_LOAD");
	free(g.buf);
}

Test(image_reject, phdrs_not_in_first_load)
{
	struct gen g;
	gen_build(&g, 0);
	/* text is the code page only; rodata is the header page (sorted by address). */
	set_load(phdr(&g, PH_TEXT), TEXT_OFF + PAGE, CODE_GPA, TEXT_SIZE - PAGE, TEXT_SIZE - PAGE,
		 PF_R | PF_X);
	set_load(phdr(&g, PH_RODATA), TEXT_OFF, RODATA_GPA, PAGE, PAGE, PF_R);
	expect_invalid(&g, "program headers only in the second PT_LOAD");
	free(g.buf);
}

/* ---------------------------------------------------------------------------
 * The manifest note.
 * ------------------------------------------------------------------------- */
Test(image_reject, no_note_section)
{
	struct gen g;
	gen_build(&g, 0);
	rename_section(&g, SH_NOTE, ".note.hux");
	expect_invalid(&g, "no .note.hut section");
	free(g.buf);
}

Test(image_reject, note_section_wrong_type_or_loaded)
{
	struct gen g;
	gen_build(&g, 0);
	shdr(&g, SH_NOTE)->sh_type = SHT_PROGBITS;
	expect_invalid(&g, ".note.hut is SHT_PROGBITS");
	shdr(&g, SH_NOTE)->sh_type = SHT_NOTE;
	shdr(&g, SH_NOTE)->sh_flags = SHF_ALLOC;
	expect_invalid(&g, ".note.hut is SHF_ALLOC");
	free(g.buf);
}

Test(image_reject, note_wrong_name)
{
	struct gen g;
	gen_build(&g, 0);
	memcpy(note_name(&g), "huX", 4);
	expect_invalid(&g, "note owner \"huX\"");
	memcpy(note_name(&g), "hut", 4);
	note_name(&g)[3] = '!'; /* "hut" without its NUL */
	expect_invalid(&g, "note owner not NUL-terminated");
	free(g.buf);
}

Test(image_reject, note_wrong_type)
{
	struct gen g;
	gen_build(&g, 0);
	note(&g)->n_type = HUT_NOTE_TYPE_MANIFEST + 1;
	expect_invalid(&g, "note type 2");
	note(&g)->n_type = 0;
	expect_invalid(&g, "note type 0");
	free(g.buf);
}

Test(image_reject, note_descsz_too_small)
{
	struct gen g;
	gen_build(&g, 0);
	note(&g)->n_descsz = sizeof(struct hut_manifest) - 8;
	expect_invalid(&g, "descsz sizeof(manifest) - 8");
	note(&g)->n_descsz = 0;
	expect_invalid(&g, "descsz 0");
	free(g.buf);
}

Test(image_reject, note_descsz_beyond_section)
{
	struct gen g;
	gen_build(&g, 0);
	note(&g)->n_descsz = 0xfffffff0u;
	expect_invalid(&g, "descsz 0xfffffff0");
	free(g.buf);
}

Test(image_reject, manifest_bad_magic)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->magic = HUT_MANIFEST_MAGIC ^ 1;
	expect_invalid(&g, "manifest magic");
	manifest(&g)->magic = 0;
	expect_invalid(&g, "manifest magic 0 (unfinished image)");
	free(g.buf);
}

Test(image_reject, manifest_wrong_abi_version)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->abi_version = HUT_ABI_VERSION + 1;
	expect_invalid(&g, "abi_version + 1");
	manifest(&g)->abi_version = 0;
	expect_invalid(&g, "abi_version 0");
	free(g.buf);
}

Test(image_reject, boot_entry_outside_executable_segment)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->boot_entry = DATA_GPA;
	expect_invalid(&g, "boot_entry in data");
	manifest(&g)->boot_entry = 0;
	expect_invalid(&g, "boot_entry 0");
	manifest(&g)->boot_entry = UINT64_MAX;
	expect_invalid(&g, "boot_entry 2^64-1");
	free(g.buf);
}

Test(image_reject, syscall_entry_outside_executable_segment)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->syscall_entry = RODATA_GPA + 0x10;
	expect_invalid(&g, "syscall_entry in rodata");
	manifest(&g)->syscall_entry = TEXT_GPA + TEXT_SIZE;
	expect_invalid(&g, "syscall_entry one past text");
	free(g.buf);
}

Test(image_reject, trap_entry_outside_executable_segment)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->trap_entry = DATA_GPA;
	expect_invalid(&g, "trap_entry in data");
	/* The stub table (32 x 16 bytes) must fit, not just its first byte. */
	manifest(&g)->trap_entry = TEXT_GPA + TEXT_SIZE - 16;
	expect_invalid(&g, "trap table running past the end of text");
	manifest(&g)->trap_entry = UINT64_MAX - 0x100;
	expect_invalid(&g, "trap table wrapping 2^64");
	free(g.buf);
}

Test(image_reject, mem_default_out_of_range)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->mem_default = HUT_MEM_MIN - PAGE;
	expect_invalid(&g, "mem_default below HUT_MEM_MIN");
	manifest(&g)->mem_default = HUT_MEM_MAX + PAGE;
	expect_invalid(&g, "mem_default above HUT_MEM_MAX");
	manifest(&g)->mem_default = UINT64_MAX;
	expect_invalid(&g, "mem_default 2^64-1");
	free(g.buf);
}

Test(image_reject, too_many_devices)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->device_count = HUT_DEVICES_MAX + 1;
	expect_invalid(&g, "device_count HUT_DEVICES_MAX + 1");
	manifest(&g)->device_count = UINT32_MAX;
	expect_invalid(&g, "device_count 2^32-1");
	free(g.buf);
}

Test(image_reject, name_not_terminated)
{
	struct gen g;
	gen_build(&g, 0);
	memset(manifest(&g)->name, 'a', HUT_NAME_MAX);
	expect_invalid(&g, "name without NUL");
	free(g.buf);
}

Test(image_reject, device_name_not_terminated)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->device_count = 2;
	strcpy(manifest(&g)->devices[0].name, "disk0");
	manifest(&g)->devices[0].type = HUT_DEVICE_BLOCK;
	memset(manifest(&g)->devices[1].name, 'n', HUT_DEVICE_NAME_MAX);
	manifest(&g)->devices[1].type = HUT_DEVICE_NET;
	expect_invalid(&g, "device 1 name without NUL");
	free(g.buf);
}

Test(image_reject, device_unknown_type)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->device_count = 1;
	strcpy(manifest(&g)->devices[0].name, "disk0");
	manifest(&g)->devices[0].type = 7;
	expect_invalid(&g, "device type 7");
	manifest(&g)->devices[0].type = HUT_DEVICE_NONE;
	expect_invalid(&g, "device type NONE in use");
	free(g.buf);
}

/* ---------------------------------------------------------------------------
 * Integrity, and the flags that relax it.
 * ------------------------------------------------------------------------- */
Test(image_reject, crc_mismatch_unless_no_crc)
{
	struct gen g;
	gen_build(&g, 0);
	uint32_t written = manifest(&g)->crc32;
	g.buf[DATA_OFF + 0x123] ^= 0x01; /* one bit of loaded data, CRC not updated */

	struct hut_image img;
	enum hut_image_result r = parse_guarded(&img, g.buf, g.len, 0);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "flipped bit accepted");
	cr_assert(img.err[0] != '\0');
	cr_log_info("crc mismatch -> %s", img.err);

	r = parse_guarded(&img, g.buf, g.len, HUT_IMAGE_NO_CRC);
	cr_assert_eq(r, HUT_IMAGE_OK, "HUT_IMAGE_NO_CRC: %s", img.err);
	cr_assert(img.have_manifest);
	cr_assert_eq(img.manifest.crc32, written);
	cr_assert_eq(img.crc_loaded, loaded_crc(g.buf, g.len));
	cr_assert_neq(img.crc_actual, written);
	free(g.buf);
}

/* A byte of the bss (memsz beyond filesz) is not in the file: the CRC covers
 * file bytes only, so the note may sit right after and change freely. But a
 * change anywhere in the loaded file bytes, headers included, is caught;
 * only the section-table fields are not the CRC's (next tests). */
Test(image_reject, any_loaded_byte_changed)
{
	struct gen g;
	gen_build(&g, 0);
	const struct {
		uint64_t off, len;
	} loaded[] = {{TEXT_OFF, TEXT_SIZE}, {RODATA_OFF, RODATA_SIZE}, {DATA_OFF, DATA_FILESZ}};
	for (size_t s = 0; s < 3; s++) {
		for (uint64_t i = 0; i < loaded[s].len; i++) {
			size_t at = loaded[s].off + i;
			struct hut_image img;
			if (section_table_field(at))
				continue;
			g.buf[at] ^= 0xa5;
			enum hut_image_result r = parse_guarded(&img, g.buf, g.len, 0);
			g.buf[at] ^= 0xa5;
			cr_assert_eq(r, HUT_IMAGE_INVALID, "byte 0x%zx changed, image accepted",
				     at);
			cr_assert(img.err[0] != '\0', "byte 0x%zx: no reason", at);
			release_guarded();
		}
	}
	free(g.buf);
}

/* What `strip --strip-all` does to an image: the section table moves to the
 * new end of the file and loses .symtab and .strtab, so e_shoff, e_shnum
 * and e_shstrndx change, in the loaded ELF header. The manifest, untouched,
 * must still match: those fields are not the CRC's. */
Test(image_ok, stripped_section_table_keeps_the_crc)
{
	struct gen g;
	gen_build(&g, 0);
	uint32_t written = manifest(&g)->crc32;
	static const unsigned kept[] = {SH_NULL, SH_TEXT, SH_RODATA,  SH_DATA,
					SH_BSS,	 SH_NOTE, SH_SHSTRTAB};
	size_t count = sizeof kept / sizeof *kept, shoff = align8(g.len);
	uint8_t *buf = calloc(1, shoff + count * sizeof(Elf64_Shdr));
	cr_assert(buf);
	memcpy(buf, g.buf, g.len);
	for (size_t i = 0; i < count; i++)
		memcpy(buf + shoff + i * sizeof(Elf64_Shdr), shdr(&g, kept[i]), sizeof(Elf64_Shdr));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	eh->e_shoff = shoff;
	eh->e_shnum = (uint16_t)count;
	eh->e_shstrndx = (uint16_t)(count - 1);
	struct hut_image img;
	enum hut_image_result r = parse_guarded(&img, buf, shoff + count * sizeof(Elf64_Shdr), 0);
	cr_assert_eq(r, HUT_IMAGE_OK, "stripped image refused: %s", img.err);
	cr_assert_eq(img.crc_actual, written);
	uint64_t addr;
	cr_assert_neq(hut_image_symbol(&img, HUT_SYM_BOOT_ENTRY, &addr), 0, "symbols after strip");
	release_guarded();

	/* And it is the fields alone: a changed e_flags in the same header is
	 * still caught. */
	eh->e_flags ^= 1;
	r = parse_guarded(&img, buf, shoff + count * sizeof(Elf64_Shdr), 0);
	cr_assert_eq(r, HUT_IMAGE_INVALID, "changed e_flags accepted");
	cr_assert(strstr(img.err, "checksum"), "unexpected reason: %s", img.err);
	release_guarded();
	free(buf);
	free(g.buf);
}

/* The monitor loads the header with the section-table fields zeroed, from
 * any piece of a segment's bytes: only the bytes of those fields that the
 * piece holds change. */
Test(image_ok, clear_section_fields_clears_exactly_those_bytes)
{
	uint8_t bytes[0x80];
	static const struct {
		uint64_t offset, len;
	} pieces[] = {{0, 0x80}, {0, 0x40},    {0, 0x2c},      {0x2c, 0x10}, {0x30, 0x10},
		      {0x3b, 1}, {0x40, 0x40}, {0x1000, 0x80}, {0, 0}};
	for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
		memset(bytes, 0xee, sizeof bytes);
		hut_image_clear_section_fields(bytes, pieces[p].offset, pieces[p].len);
		for (uint64_t k = 0; k < sizeof bytes; k++) {
			int inside = k < pieces[p].len;
			uint8_t want =
				inside && section_table_field(pieces[p].offset + k) ? 0 : 0xee;
			cr_assert_eq(bytes[k], want, "piece %zu (0x%lx+0x%lx), byte 0x%lx", p,
				     pieces[p].offset, pieces[p].len, k);
		}
	}
}

/* Bytes outside the loaded segments (note, symbols, section headers) may be
 * anything: the parser must answer, with a reason when it refuses, and never
 * read outside the file (the guard page) or crash. */
Test(image_reject, any_unloaded_byte_changed_never_crashes)
{
	struct gen g;
	gen_build(&g, 0);
	unsigned refused = 0, total = 0;
	for (size_t at = DATA_OFF + DATA_FILESZ; at < g.len; at++) {
		static const uint8_t xors[] = {0xff, 0x80, 0x01};
		for (size_t x = 0; x < sizeof xors; x++) {
			struct hut_image img;
			g.buf[at] ^= xors[x];
			enum hut_image_result r = parse_guarded(&img, g.buf, g.len, 0);
			g.buf[at] ^= xors[x];
			cr_assert(r == HUT_IMAGE_OK || r == HUT_IMAGE_INVALID,
				  "byte 0x%zx: result %d", at, r);
			cr_assert(r == HUT_IMAGE_OK || img.err[0] != '\0', "byte 0x%zx: no reason",
				  at);
			if (r == HUT_IMAGE_OK) {
				/* Accepted: then it still describes the original segments. */
				cr_assert_eq(img.nsegments, 3);
				cr_assert_eq(img.entry, ENTRY_GPA);
			}
			refused += r != HUT_IMAGE_OK;
			total++;
			release_guarded();
		}
	}
	cr_log_info("unloaded-byte changes: %u of %u refused", refused, total);
	cr_assert(refused > 0);
	free(g.buf);
}

Test(image_flags, no_manifest_skips_manifest_checks)
{
	struct gen g;
	gen_build(&g, 0);
	/* What the builder sees before it fills the note: zeroed manifest. */
	memset(manifest(&g), 0, sizeof(struct hut_manifest));
	struct hut_image img;
	expect_invalid(&g, "zeroed manifest, flags 0");
	expect_ok(&g, HUT_IMAGE_NO_MANIFEST, &img, "zeroed manifest, HUT_IMAGE_NO_MANIFEST");
	cr_assert_eq(img.nsegments, 3);
	cr_assert_eq(img.entry, ENTRY_GPA);
	cr_assert_eq(img.crc_loaded, loaded_crc(g.buf, g.len));
	/* ELF and segment rules still apply. */
	phdr(&g, PH_TEXT)->p_flags = PF_R | PF_W | PF_X;
	expect_invalid_flags(&g, HUT_IMAGE_NO_MANIFEST, "W+X with HUT_IMAGE_NO_MANIFEST");
	free(g.buf);
}

/* The builder parses with HUT_IMAGE_NO_MANIFEST to find where to write the
 * manifest (img.manifest_offset): the note placeholder must still be there
 * and well-formed; only its contents go unchecked. */
Test(image_flags, no_manifest_still_needs_the_note)
{
	struct gen g;
	gen_build(&g, 0);
	struct hut_image img;
	memset(manifest(&g), 0, sizeof(struct hut_manifest));
	expect_ok(&g, HUT_IMAGE_NO_MANIFEST, &img, "placeholder note");
	cr_assert_eq(img.manifest_offset, g.manifest_off, "where the builder will write");

	rename_section(&g, SH_NOTE, ".note.hux");
	expect_invalid_flags(&g, HUT_IMAGE_NO_MANIFEST, "no .note.hut, HUT_IMAGE_NO_MANIFEST");
	rename_section(&g, SH_NOTE, HUT_NOTE_SECTION);
	note(&g)->n_descsz = sizeof(struct hut_manifest) - 8;
	expect_invalid_flags(&g, HUT_IMAGE_NO_MANIFEST, "short note, HUT_IMAGE_NO_MANIFEST");
	free(g.buf);
}

Test(image_flags, no_crc_still_checks_the_manifest)
{
	struct gen g;
	gen_build(&g, 0);
	manifest(&g)->abi_version = HUT_ABI_VERSION + 1;
	expect_invalid_flags(&g, HUT_IMAGE_NO_CRC, "wrong ABI with HUT_IMAGE_NO_CRC");
	free(g.buf);
}
