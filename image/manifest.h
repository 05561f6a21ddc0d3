/*
 * Writing the manifest (the .note.hut descriptor) into a linked image.
 * Uses libelf, so only `hut` links it; the reader (image.h) stays
 * libelf-free for the static musl hut-monitor.
 */
#ifndef HUT_MANIFEST_H
#define HUT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/* Fills and writes the manifest into the linked image at path, then checks
 * the finished image parses with the reader the monitor uses. needs_net
 * declares a network device "net0" the image cannot run without. Returns 0, or
 * -1 with why set. */
int hut_manifest_write(const char *path, const char *name, uint64_t mem, int needs_net, char *why,
		       size_t why_len);

#endif
