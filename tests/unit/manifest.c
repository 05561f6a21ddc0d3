/*
 * Manifest round trip through the real code on both sides: the writer `hut`
 * uses (hut_manifest_write, image/manifest.c, libelf) and the reader the
 * monitor uses (hut_image_open, image/image.c). Starts from a real image (build/apps/hello.hut,
 * built by `make` before the tests) with its manifest wiped back to the placeholder.
 */
#include "manifest.h"
#include "image.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HELLO "build/apps/hello.hut"

static char path[] = "/tmp/hut-manifest-XXXXXX";

/* Copies hello.hut to a temp file and zeroes its manifest descriptor, as
 * the link leaves it before `hut build` writes the note. */
static void unfinished_copy(void)
{
	struct hut_image img;
	cr_assert_eq(hut_image_open(&img, HELLO, 0), HUT_IMAGE_OK, "%s: %s", HELLO, img.err);
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, img.file, img.file_size), (ssize_t)img.file_size);
	static const struct hut_manifest zero;
	cr_assert_eq(pwrite(fd, &zero, sizeof zero, (off_t)img.manifest_offset),
		     (ssize_t)sizeof zero);
	close(fd);
	hut_image_close(&img);
}

static void cleanup(void)
{
	unlink(path);
}

TestSuite(manifest, .init = unfinished_copy, .fini = cleanup);

Test(manifest, placeholder_is_refused_until_written)
{
	struct hut_image img;
	cr_assert_eq(hut_image_open(&img, path, 0), HUT_IMAGE_INVALID);
	cr_assert(strstr(img.err, "magic"), "unexpected reason: %s", img.err);
	hut_image_close(&img);
}

Test(manifest, round_trip)
{
	char why[256] = "";
	const uint64_t mem = 96ull << 20;
	cr_assert_eq(hut_manifest_write(path, "round-trip", mem, 0, why, sizeof why), 0, "%s", why);
	struct hut_image img;
	cr_assert_eq(hut_image_open(&img, path, 0), HUT_IMAGE_OK, "%s", img.err);
	const struct hut_manifest *m = &img.manifest;
	cr_assert_eq(m->magic, HUT_MANIFEST_MAGIC);
	cr_assert_eq(m->abi_version, HUT_ABI_VERSION);
	cr_assert_str_eq(m->name, "round-trip");
	cr_assert_eq(m->mem_default, mem);
	cr_assert_eq(m->crc32, img.crc_actual);
	cr_assert_eq(m->device_count, 0);
	uint64_t boot, sys, trap;
	cr_assert_eq(hut_image_symbol(&img, HUT_SYM_BOOT_ENTRY, &boot), 0);
	cr_assert_eq(hut_image_symbol(&img, HUT_SYM_SYSCALL_ENTRY, &sys), 0);
	cr_assert_eq(hut_image_symbol(&img, HUT_SYM_TRAP_ENTRY, &trap), 0);
	cr_assert_eq(m->boot_entry, boot);
	cr_assert_eq(m->syscall_entry, sys);
	cr_assert_eq(m->trap_entry, trap);
	hut_image_close(&img);
}

Test(manifest, writing_changes_only_the_note)
{
	char why[256] = "";
	struct hut_image img, after;
	cr_assert_eq(hut_image_open(&img, path, HUT_IMAGE_NO_MANIFEST), HUT_IMAGE_OK);
	/* A copy: the mapping would show the file's new bytes. */
	size_t size = img.file_size, off = img.manifest_offset;
	uint8_t *before = malloc(size);
	cr_assert(before);
	memcpy(before, img.file, size);
	hut_image_close(&img);
	cr_assert_eq(hut_manifest_write(path, "x", HUT_MEM_DEFAULT, 0, why, sizeof why), 0, "%s",
		     why);
	cr_assert_eq(hut_image_open(&after, path, 0), HUT_IMAGE_OK, "%s", after.err);
	cr_assert_eq(after.file_size, size);
	cr_assert_eq(memcmp(before, after.file, off), 0, "bytes before the note changed");
	size_t end = off + sizeof(struct hut_manifest);
	cr_assert_eq(memcmp(before + end, after.file + end, size - end), 0,
		     "bytes after the note changed");
	cr_assert_neq(memcmp(before + off, after.file + off, end - off), 0,
		      "the note did not change");
	free(before);
	hut_image_close(&after);
}
