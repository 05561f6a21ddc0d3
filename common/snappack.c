/*
 * The packed snapshot's check (snappack.h): the magic and version, a
 * bounded count of runs, each inside the sparse file's bounded size and
 * after the one before (so that expanding it writes every byte once, in
 * range), and the file exactly the header, the table and the runs' bytes.
 */
#include "snappack.h"

#include <string.h>

const char *hut_snappack_check(const struct hut_snappack_header *h,
			       const struct hut_snappack_run *runs, uint64_t file_len,
			       uint64_t *data)
{
	uint64_t end = 0;
	*data = 0;
	if (memcmp(h->magic, HUT_SNAPPACK_MAGIC, sizeof h->magic))
		return "not a packed snapshot";
	if (h->version != HUT_SNAPPACK_VERSION)
		return "packed snapshot of another version";
	if (h->runs > HUT_SNAPPACK_RUNS_MAX || h->size > HUT_SNAPPACK_SIZE_MAX)
		return "packed snapshot with too many runs or too big";
	for (uint32_t i = 0; i < h->runs; i++) {
		if (runs[i].offset < end || runs[i].len == 0 || runs[i].len > h->size ||
		    runs[i].offset > h->size - runs[i].len)
			return "packed snapshot's runs overlap or lie outside it";
		end = runs[i].offset + runs[i].len;
		*data += runs[i].len;
	}
	uint64_t table = sizeof *h + (uint64_t)h->runs * sizeof *runs;
	if (file_len != table + *data)
		return "packed snapshot is truncated or has bytes past its runs";
	return NULL;
}
