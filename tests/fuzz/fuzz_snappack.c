/*
 * libFuzzer target: the packed snapshot's check (common/snappack.c), which
 * `hut inspect` and hut-oci (before it expands an OCI image's snapshot into
 * a sparse file) make of hostile bytes. The input is the file: its header,
 * then as many runs as it says and fit. An accepted one is checked against
 * an independent reading of the format: every run inside the sparse file's
 * size, after the one before and not empty, the file exactly the header,
 * the table and the runs' bytes; the expansion it allows then writes each
 * byte of the sparse file at most once and reads only the input's bytes.
 */
#include "check.h"
#include "snappack.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct hut_snappack_header h;
	uint64_t total;
	if (len < sizeof h)
		return 0;
	memcpy(&h, data, sizeof h);
	size_t room = (len - sizeof h) / sizeof(struct hut_snappack_run);
	if (h.runs > room || h.runs > HUT_SNAPPACK_RUNS_MAX)
		return 0; /* the readers refuse a table the file cannot hold first */
	struct hut_snappack_run *runs = malloc(h.runs * sizeof *runs + 1);
	memcpy(runs, data + sizeof h, h.runs * sizeof *runs);
	const char *why = hut_snappack_check(&h, runs, len, &total);
	if (!why) {
		CHECK(!memcmp(h.magic, HUT_SNAPPACK_MAGIC, sizeof h.magic));
		CHECK(h.version == HUT_SNAPPACK_VERSION && h.size <= HUT_SNAPPACK_SIZE_MAX);
		unsigned __int128 sum = 0, end = 0;
		for (uint32_t i = 0; i < h.runs; i++) {
			CHECK(runs[i].len > 0 && runs[i].offset >= end);
			end = (unsigned __int128)runs[i].offset + runs[i].len;
			CHECK(end <= h.size);
			sum += runs[i].len;
		}
		CHECK(sum == total);
		CHECK(sizeof h + (unsigned __int128)h.runs * sizeof *runs + sum == len);
	}
	free(runs);
	return 0;
}
