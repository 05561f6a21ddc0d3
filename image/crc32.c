/*
 * CRC-32 with the reflected polynomial 0xEDB88320, the one zlib, gzip and
 * PNG use, computed "slicing by 8": eight tables let each step fold in eight
 * bytes (Intel's slicing-by-8 paper, Kounavis and Berry, 2005). The monitor
 * checks every image at every boot, so this is on the boot path.
 */
#include "crc32.h"

#include <string.h>

static uint32_t table[8][256];

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t hut_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	if (table[0][1] == 0)
		make_tables();
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^ table[3][hi & 0xff] ^
		      table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
