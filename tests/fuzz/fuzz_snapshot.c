/*
 * libFuzzer target: the snapshot reader (monitor/snapshot_format.c), which
 * --restore runs on a file that may be anything, and the records of the
 * modules it hands to their restore hooks (the volumes' here:
 * files_snapshot.c).
 *
 * Input: a flags byte, then the header's bytes (zeros past the input's
 * end). The flags let the fuzzer past the checks a random header fails at
 * once, so that what comes after them is fuzzed too: bit 0 sets the
 * header's CRC right, bit 1 gives the file the size its header claims,
 * bit 2 makes the image's CRC the header's.
 *
 * The oracles besides ASan/UBSan: the header ends at a PROT_NONE guard
 * page; a header the check accepts has every record inside modules_len,
 * and a record read never goes past its own length; a refused one comes
 * with a reason.
 */
#include "files.h"
#include "files_ring.h"
#include "guest_ram.h"
#include "snapshot.h"

#include <stdint.h>
#include <string.h>

#define ROOM ((sizeof(struct hut_snap_header) + HUT_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1))

static struct hut_mem ram;

static const char *const names[] = {"console", "net", "files", "ticks", "", "core"};

/* The file ring's side of the volumes' record (files_io.c, not linked):
 * a position of zeros to save, any position to resume at. */
void hut_file_io_save(uint32_t pos[HUT_FILE_IO_POSITION])
{
	memset(pos, 0, HUT_FILE_IO_POSITION * sizeof pos[0]);
}

void hut_file_io_restore(const uint32_t pos[HUT_FILE_IO_POSITION])
{
	(void)pos;
}

/* Every record a module would be given, read to its end and one byte past. */
static void read_records(const struct hut_snap_header *h)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct hut_snap_buf r = {0};
		if (!hut_snap_module(h, names[i], &r))
			continue;
		CHECK(r.data >= h->modules && r.len <= h->modules_len);
		CHECK(r.data + r.len <= h->modules + h->modules_len);
		uint8_t byte;
		uint32_t got = 0;
		while (hut_snap_get(&r, &byte, 1))
			got++;
		CHECK(got == r.len && !hut_snap_get(&r, &byte, 1));
		r.at = 0;
		if (!strcmp(names[i], "files"))
			(void)hut_files_restore(NULL, &r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t flags;
	fuzz_guest_ram(&ram, ROOM);
	if (fuzz_take(&data, &size, &flags, 1) < 0)
		return 0;
	struct hut_snap_header *h =
		(struct hut_snap_header *)(ram.host + ROOM - sizeof(struct hut_snap_header));
	memset(h, 0, sizeof *h);
	memcpy(h, data, size < sizeof *h ? size : sizeof *h);
	uint64_t file_size = size;
	if (flags & 2)
		file_size = h->mem_offset + h->mem_size;
	uint32_t image_crc = (flags & 4) ? h->image_crc : 0x12345678u;
	if (flags & 1)
		h->header_crc = hut_snap_header_crc(h);
	const char *why = hut_snap_check(h, file_size, image_crc);
	if (why) {
		CHECK(*why);
		return 0;
	}
	CHECK(h->modules_len <= HUT_SNAP_MODULES_MAX);
	CHECK(file_size == HUT_SNAP_MEM_OFFSET + h->mem_size);
	read_records(h);
	return 0;
}
