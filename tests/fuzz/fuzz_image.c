/*
 * libFuzzer target: a whole file as a hut image. Parses it with each set of
 * flags the callers use (monitor: 0; inspect: NO_CRC; builder: NO_MANIFEST),
 * and on success exercises the symbol table and segment lookups and checks
 * what a parsed image promises: segments inside the file and inside the
 * image range, no overlaps, entry points in executable segments.
 */
#include "image.h"

#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#if __has_include("crc32.h")
#include "crc32.h" /* the monitor's own CRC-32: must agree with zlib's */
#define HAVE_HUT_CRC32 1
#endif

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static uint64_t word_at(const uint8_t *d, size_t n, size_t at)
{
	uint64_t v = 0;
	if (n >= 8)
		memcpy(&v, d + (at % (n - 7)), 8);
	return v;
}

/* The CRC abi.h defines, computed here independently: each PT_LOAD's
 * file bytes with the ELF header's section-table fields as zeros. */
static uint32_t loaded_crc(const struct hut_image *img, const uint8_t *d)
{
	uLong crc = crc32(0, NULL, 0);
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct hut_segment *s = &img->seg[i];
		uint64_t k = 0;
		for (; k < s->filesz && s->offset + k < sizeof(Elf64_Ehdr); k++) {
			uint64_t at = s->offset + k;
			int skipped = (at >= offsetof(Elf64_Ehdr, e_shoff) &&
				       at < offsetof(Elf64_Ehdr, e_shoff) + sizeof(Elf64_Off)) ||
				      at >= offsetof(Elf64_Ehdr, e_shentsize);
			uint8_t b = skipped ? 0 : d[at];
			crc = crc32(crc, &b, 1);
		}
		crc = crc32(crc, d + s->offset + k, (uInt)(s->filesz - k));
	}
	return (uint32_t)crc;
}

static void check_image(const struct hut_image *img, unsigned flags, const uint8_t *d, size_t n)
{
	CHECK(img->file == d && img->file_size == n);
	CHECK(img->nsegments >= 1 && img->nsegments <= HUT_SEGMENTS_MAX);
	for (size_t i = 0; i < img->nsegments; i++) {
		const struct hut_segment *s = &img->seg[i];
		CHECK(s->offset <= n && s->filesz <= n - s->offset);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->gpa >= HUT_IMAGE_BASE && s->gpa + s->memsz <= HUT_MEM_MAX);
		CHECK(s->va == s->gpa ||
		      (s->va >= HUT_LIBOS_VA && s->va - HUT_LIBOS_VA + s->memsz <= HUT_LIBOS_SPAN));
		CHECK(!((s->flags & PF_W) && (s->flags & PF_X)));
		CHECK(s->gpa + s->memsz <= img->image_end);
		CHECK(hut_image_segment_at(img, s->va, s->memsz) != NULL);
		for (size_t j = 0; j < i; j++)
			CHECK(s->gpa >= img->seg[j].gpa + img->seg[j].memsz ||
			      img->seg[j].gpa >= s->gpa + s->memsz);
	}
	const struct hut_segment *e = hut_image_segment_at(img, img->entry, 1);
	CHECK(e && (e->flags & PF_X));
	CHECK(hut_image_segment_at(img, img->phdr_gpa, img->phnum * img->phent) == &img->seg[0]);
	CHECK(img->crc_loaded == loaded_crc(img, d));
	if (!(flags & HUT_IMAGE_NO_MANIFEST)) {
		const struct hut_manifest *m = &img->manifest;
		CHECK(img->have_manifest);
		CHECK(m->magic == HUT_MANIFEST_MAGIC && m->abi_version == HUT_ABI_VERSION);
		const struct hut_segment *t = hut_image_segment_at(
			img, m->trap_entry, HUT_TRAP_VECTORS * HUT_TRAP_STRIDE);
		CHECK(t && (t->flags & PF_X));
		CHECK(m->device_count <= HUT_DEVICES_MAX);
		CHECK(memchr(m->name, 0, sizeof m->name));
		CHECK(img->manifest_offset <= n && sizeof *m <= n - img->manifest_offset);
		if (!(flags & HUT_IMAGE_NO_CRC))
			CHECK(m->crc32 == img->crc_actual);
	}

	if (flags != HUT_IMAGE_NO_MANIFEST) /* the lookups read the same bytes every time: once */
		return;
	/* Lookups: known names, the entry, and addresses taken from the input. */
	uint64_t addr, off;
	hut_image_symbol(img, HUT_SYM_BOOT_ENTRY, &addr);
	hut_image_symbol(img, "main", &addr);
	hut_image_symbol(img, "", &addr);
	const char *name = hut_image_symbolize(img, img->entry, &off);
	if (name) {
		CHECK((const uint8_t *)name >= d && (const uint8_t *)name < d + n);
		CHECK(memchr(name, 0, (size_t)(d + n - (const uint8_t *)name)));
		CHECK(off <= img->entry);
	}
	for (size_t k = 0; k < 4; k++) {
		uint64_t a = word_at(d, n, k * 4099 + 17), len = word_at(d, n, k * 131 + 5);
		const struct hut_segment *s = hut_image_segment_at(img, a, len);
		if (s)
			CHECK(a >= s->va && a - s->va <= s->memsz && len <= s->memsz - (a - s->va));
		name = hut_image_symbolize(img, a, NULL);
		if (name)
			CHECK((const uint8_t *)name >= d && (const uint8_t *)name < d + n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flag_sets[] = {0, HUT_IMAGE_NO_CRC, HUT_IMAGE_NO_MANIFEST};
	static struct hut_image img; /* big (err[]); static keeps the stack small */
	/* A private copy: exactly the bytes, so ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
		enum hut_image_result r = hut_image_parse(&img, copy, size, flag_sets[i]);
		CHECK(r == HUT_IMAGE_OK || r == HUT_IMAGE_INVALID);
		CHECK(memchr(img.err, 0, sizeof img.err));
		if (r == HUT_IMAGE_OK)
			check_image(&img, flag_sets[i], copy, size);
		else
			CHECK(img.err[0] != 0);
	}
	CHECK(memcmp(copy, data, size) == 0); /* the reader never writes the file */
#ifdef HAVE_HUT_CRC32
	size_t cut = size ? data[0] % (size + 1) : 0; /* and in two pieces, as for segments */
	CHECK(hut_crc32(hut_crc32(0, data, cut), data + cut, size - cut) ==
	      (uint32_t)crc32(0, data, (uInt)size));
#endif
	free(copy);
	return 0;
}
