/*
 * libFuzzer target: what `hut inspect` does with an OCI archive
 * (builder/tar.c, oci_files.c, oci_read.c) on arbitrary bytes: the tar
 * headers, the names kept, the oci-layout and index.json documents (which
 * no digest covers) and, where the digests hold, the manifest, config and
 * layer. It must accept or refuse, never read out of bounds, crash or
 * leak; an accepted image lies inside the input.
 */
#include "builder.h"

#include <stdint.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct builder_oci_files files; /* 27 KiB: not on the stack */
	struct builder_oci_image img;
	char why[512];
	if (builder_oci_files_of_archive(&files, data, size, why, sizeof why) == 0 &&
	    builder_oci_read(&files, &img, why, sizeof why) == 0) {
		const uint8_t *p = img.image;
		CHECK(p >= data && img.image_len <= size &&
		      (size_t)(p - data) <= size - img.image_len);
		CHECK(img.command != NULL && img.command[0] == '[');
		builder_oci_image_free(&img);
	}
	builder_oci_files_free(&files);
	return 0;
}
