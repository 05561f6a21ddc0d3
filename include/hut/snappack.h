/*
 * A snapshot in packed form: what `hut pack --snapshot` puts in an OCI
 * image's layer as /IMAGE.snapshot, where the sparse file hut-monitor
 * writes (monitor/snapshot.h: 64 MiB of guest RAM for a few hundred KiB
 * of data) cannot go: a layer is a tar, which containerd and podman unpack
 * without holes. Only the sparse file's data runs are kept; hut-oci
 * expands it back into a sparse file once per image (oci/snapshot.c)
 * before the monitor restores from that.
 *
 *   struct hut_snappack_header
 *   struct hut_snappack_run runs[header.runs]   sorted, apart, page-aligned
 *   the bytes of each run, in order, nothing else
 *
 * Hostile input for whoever expands it: every run must lie inside size,
 * after the one before, and the bytes must be exactly the runs' total.
 */
#ifndef HUT_SNAPPACK_H
#define HUT_SNAPPACK_H

#include <stdint.h>

#define HUT_SNAPPACK_MAGIC "HUTSNPK\0"
#define HUT_SNAPPACK_VERSION 1
#define HUT_SNAPPACK_RUNS_MAX 65536u
#define HUT_SNAPPACK_SIZE_MAX (64ull << 30) /* the sparse file's: guest RAM and header */

struct hut_snappack_header {
	char magic[8];	  /* HUT_SNAPPACK_MAGIC */
	uint32_t version; /* HUT_SNAPPACK_VERSION */
	uint32_t runs;	  /* how many runs follow */
	uint64_t size;	  /* the sparse file's size */
};

struct hut_snappack_run {
	uint64_t offset, len; /* in the sparse file */
};

#endif
