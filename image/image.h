/*
 * Reading and validating a hut image (no KVM here): used by the monitor's
 * loader, by `hut inspect`, by the builder when it writes the manifest, and
 * by the unit tests and fuzzers. Everything in the file is hostile input.
 */
#ifndef HUT_IMAGE_H
#define HUT_IMAGE_H

#include <hut/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUT_SEGMENTS_MAX 8
#define HUT_ERR_MAX 256

struct hut_segment {
	uint64_t va;  /* p_vaddr, page aligned: where the guest sees it */
	uint64_t gpa; /* p_paddr: where it is in guest RAM; == va but in the window */
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset; /* in the file */
	uint32_t flags;	 /* PF_R | PF_W | PF_X */
};

struct hut_image {
	const uint8_t *file; /* the whole file, read-only */
	size_t file_size;
	int mapped;	   /* file came from hut_image_open (munmap on close) */
	uint64_t entry;	   /* e_entry: musl's _start */
	uint64_t phdr_gpa; /* where the program headers sit once loaded */
	uint64_t phnum, phent;
	size_t nsegments;
	struct hut_segment seg[HUT_SEGMENTS_MAX];
	uint64_t image_end; /* end of the highest segment in RAM, page rounded */
	/* The libos's window (abi.h, HUT_LIBOS_VA): [window_va, + window_size)
	 * is guest RAM from window_gpa on; window_size 0 when the image has no
	 * segment there. */
	uint64_t window_va, window_gpa, window_size;
	uint32_t crc_loaded;	  /* crc32 of the loaded bytes (abi.h: HUT_CRC_*), as computed */
	uint32_t crc_actual;	  /* ... continued over the manifest: what its crc32 must be */
	int have_manifest;	  /* a well-formed manifest note was found */
	uint64_t manifest_offset; /* file offset of the manifest's bytes (note desc) */
	struct hut_manifest manifest;
	const uint8_t *files;  /* the packed files, checked (packed.c), or NULL */
	char err[HUT_ERR_MAX]; /* why the image was refused, one line */
	int host_errno;	       /* open or mmap failed: errno (a host limit, not the image) */
};

enum hut_image_result {
	HUT_IMAGE_OK = 0,
	HUT_IMAGE_NOT_FOUND = 1, /* monitor exit 127 */
	HUT_IMAGE_INVALID = 2,	 /* monitor exit 126 */
};

/* Parse flags. */
#define HUT_IMAGE_NO_MANIFEST                                                                      \
	0x1 /* check ELF and segments only (the builder, before it writes the note) */
#define HUT_IMAGE_NO_CRC 0x2 /* parse the manifest but do not insist the CRC matches (inspect) */

/* The CRC a manifest holds: crc over the loaded bytes (loaded), continued
 * over the manifest itself with its crc32 field as zero (abi.h). */
uint32_t hut_image_sealed_crc(uint32_t loaded, const struct hut_manifest *m);

/* What a file is, for messages: "a FIFO", "a directory", "empty"... */
struct stat;
const char *hut_file_kind(const struct stat *st);

/* Maps path and parses it. On failure img->err says why. */
enum hut_image_result hut_image_open(struct hut_image *img, const char *path, unsigned flags);
/* Parses bytes already in memory (the caller keeps them alive). */
enum hut_image_result hut_image_parse(struct hut_image *img, const void *bytes, size_t size,
				      unsigned flags);
void hut_image_close(struct hut_image *img);

/* Looks name up in the image's .symtab. Returns 0 and sets *addr, or -1. */
int hut_image_symbol(const struct hut_image *img, const char *name, uint64_t *addr);
/* Finds the function symbol containing addr; returns its name (into the image) or NULL. */
const char *hut_image_symbolize(const struct hut_image *img, uint64_t addr, uint64_t *offset);
/* Whether the boot entry starts with the warm-up stub's jump and tag
 * (abi.h, HUT_WARM_TAG): a pool's monitor can warm a snapshot of it. */
bool hut_image_has_warm_stub(const struct hut_image *img);
/* Zeroes the ELF header's section-table fields (abi.h, HUT_CRC_SKIP_*)
 * that fall among buf's len bytes, which are the file's bytes from offset
 * on. The CRC counts those fields as zeros and the monitor loads them so:
 * strip rewrites them, nothing that runs reads them. */
void hut_image_clear_section_fields(uint8_t *buf, uint64_t offset, uint64_t len);
/* The segment holding guest-virtual [va, va + len), or NULL. */
const struct hut_segment *hut_image_segment_at(const struct hut_image *img, uint64_t va,
					       uint64_t len);
/* The segment holding guest-physical [gpa, gpa + len), or NULL. */
const struct hut_segment *hut_image_segment_at_gpa(const struct hut_image *img, uint64_t gpa,
						   uint64_t len);

#endif
