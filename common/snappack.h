/*
 * The packed snapshot's check (include/hut/snappack.h), one for both of
 * its readers: `hut inspect` (an OCI image's layer) and hut-oci (which
 * expands it). The file is the image author's: hostile input.
 */
#ifndef HUT_COMMON_SNAPPACK_H
#define HUT_COMMON_SNAPPACK_H

#include <hut/snappack.h>

#include <stdint.h>

/* NULL if h, its runs and a file of file_len bytes in all make a packed
 * snapshot; else what is wrong. *data gets the bytes of data it holds. */
const char *hut_snappack_check(const struct hut_snappack_header *h,
			       const struct hut_snappack_run *runs, uint64_t file_len,
			       uint64_t *data);

#endif
