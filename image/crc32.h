/* CRC-32 (IEEE 802.3, zlib's crc32()): the image checksum in the manifest. */
#ifndef HUT_CRC32_H
#define HUT_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc over len bytes; start with crc = 0. Same values as zlib. */
uint32_t hut_crc32(uint32_t crc, const void *buf, size_t len);

#endif
