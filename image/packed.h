/*
 * The packed files of an image (abi.h, "Packed files"): checked before the
 * monitor boots an image (the libos then trusts them), listed by
 * `hut inspect`. The blob is hostile input like the rest of the file.
 */
#ifndef HUT_IMAGE_PACKED_H
#define HUT_IMAGE_PACKED_H

#include <hut/abi.h>
#include <stddef.h>
#include <stdint.h>

/* 0 if blob[0, size) is a well-formed tree; else -1 and err says why. */
int hut_files_check(const uint8_t *blob, uint64_t size, char *err, size_t err_len);

/* Calls fn for every node of a checked blob, parents before children and
 * each directory's entries in order, with its full guest path ("/" for
 * the root). Stops when fn returns non-zero. */
typedef int (*hut_files_fn)(const char *path, const struct hut_files_node *node,
			    const uint8_t *blob, void *ctx);
void hut_files_walk(const uint8_t *blob, hut_files_fn fn, void *ctx);

#endif
