/*
 * The snapshot file's header (snapshot.h): its checksum, and the check a
 * restore makes before it trusts any of it. The file is hostile input, as
 * an image is: every size and offset is checked here, and the header is
 * covered by a CRC so that a flipped bit is a clear refusal, not a guest
 * that crashes far from the cause. Guest RAM is not checksummed: a restore
 * never reads it whole (that is the point), and a guest's RAM is hostile
 * to the monitor anyway. Fuzzed: tests/fuzz/fuzz_snapshot.c.
 */
#include "crc32.h"
#include "snapshot.h"

#include <hut/abi.h>
#include <string.h>

uint32_t hut_snap_header_crc(const struct hut_snap_header *h)
{
	struct hut_snap_header copy;
	memcpy(&copy, h, sizeof copy);
	copy.header_crc = 0;
	return hut_crc32(0, &copy, sizeof copy);
}

bool hut_snap_put(struct hut_snap_buf *b, const void *p, uint32_t len)
{
	if (len > b->cap - b->len)
		return false;
	memcpy(b->data + b->len, p, len);
	b->len += len;
	return true;
}

bool hut_snap_get(struct hut_snap_buf *b, void *p, uint32_t len)
{
	if (len > b->len - b->at)
		return false;
	memcpy(p, b->data + b->at, len);
	b->at += len;
	return true;
}

/* Walks the records: each name and length within modules_len. */
static bool records_fit(const struct hut_snap_header *h)
{
	uint32_t at = 0, len;
	while (at < h->modules_len) {
		if (h->modules_len - at < HUT_SNAP_NAME_MAX + sizeof len)
			return false;
		memcpy(&len, h->modules + at + HUT_SNAP_NAME_MAX, sizeof len);
		at += HUT_SNAP_NAME_MAX + sizeof len;
		if (len > h->modules_len - at)
			return false;
		at += len;
	}
	return true;
}

const char *hut_snap_check(const struct hut_snap_header *h, uint64_t file_size, uint32_t image_crc)
{
	if (file_size < sizeof *h || memcmp(h->magic, HUT_SNAP_MAGIC, sizeof h->magic))
		return "not a hut snapshot (no snapshot header)";
	if (h->version != HUT_SNAP_VERSION)
		return "snapshot format version is not this monitor's";
	if (h->header_crc != hut_snap_header_crc(h))
		return "snapshot header is corrupt (checksum mismatch)";
	if (h->abi_version != HUT_ABI_VERSION)
		return "snapshot was made for another hut ABI version";
	if (h->image_crc != image_crc)
		return "snapshot was made from another image (CRC mismatch)";
	if (h->mem_offset != HUT_SNAP_MEM_OFFSET || h->mem_size < HUT_MEM_MIN ||
	    h->mem_size > HUT_MEM_MAX || h->mem_size % HUT_PAGE_SIZE)
		return "snapshot's memory size or offset is out of range";
	if (file_size != h->mem_offset + h->mem_size)
		return "snapshot is truncated (its size is not its header's)";
	if (h->modules_len > HUT_SNAP_MODULES_MAX || !records_fit(h))
		return "snapshot's device records are corrupt";
	return NULL;
}

bool hut_snap_module(const struct hut_snap_header *h, const char *name, struct hut_snap_buf *out)
{
	uint32_t at = 0, len;
	while (at < h->modules_len) {
		const uint8_t *rec = h->modules + at;
		memcpy(&len, rec + HUT_SNAP_NAME_MAX, sizeof len);
		at += HUT_SNAP_NAME_MAX + sizeof len;
		if (!strncmp((const char *)rec, name, HUT_SNAP_NAME_MAX)) {
			*out = (struct hut_snap_buf){(uint8_t *)h->modules + at, len, len, 0};
			return true;
		}
		at += len;
	}
	return false;
}

uint64_t hut_snap_hash_u64(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		h = (h ^ ((v >> (8 * i)) & 0xff)) * 0x100000001b3ull;
	return h;
}

uint64_t hut_snap_hash(uint64_t h, char *const *strings, int count)
{
	for (int i = 0; i < count; i++)
		for (const char *p = strings[i];; p++) {
			h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
			if (!*p)
				break;
		}
	return hut_snap_hash_u64(h, (uint64_t)count);
}
