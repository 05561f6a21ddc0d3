/*
 * Unit tests for the image checksum (image/crc32.c) against zlib's crc32(),
 * the reference its values must equal: every length from 0 to 1100 bytes at
 * every alignment of 0 to 16, so that the folded bulk (64 bytes and more,
 * on CPUs with PCLMULQDQ), its 16-byte tail and the table-driven remainder
 * each meet every boundary; continued from a running value split at every
 * point of a buffer (as the image reader feeds it segment by segment); and
 * one image-sized buffer.
 */
#include "crc32.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#define BIG (512u << 10)

static uint8_t *random_bytes(size_t n)
{
	uint8_t *b = malloc(n);
	cr_assert_not_null(b);
	srand(25);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rand();
	return b;
}

static uint32_t zlib_crc(const uint8_t *p, size_t len)
{
	return (uint32_t)crc32(crc32(0, NULL, 0), p, (uInt)len);
}

Test(crc32, every_length_and_alignment_equals_zlib)
{
	uint8_t *b = random_bytes(1100 + 16);
	for (size_t len = 0; len <= 1100; len++)
		for (size_t off = 0; off <= 16; off++)
			cr_assert_eq(hut_crc32(0, b + off, len), zlib_crc(b + off, len),
				     "length %zu at offset %zu", len, off);
	free(b);
}

Test(crc32, continued_at_every_split_equals_zlib)
{
	uint8_t *b = random_bytes(700);
	uint32_t whole = zlib_crc(b, 700);
	for (size_t cut = 0; cut <= 700; cut++)
		cr_assert_eq(hut_crc32(hut_crc32(0, b, cut), b + cut, 700 - cut), whole,
			     "split at %zu", cut);
	free(b);
}

Test(crc32, image_sized_buffer_equals_zlib)
{
	uint8_t *b = random_bytes(BIG + 3);
	cr_assert_eq(hut_crc32(0, b + 3, BIG), zlib_crc(b + 3, BIG));
	cr_assert_eq(hut_crc32(0, b, BIG + 3), zlib_crc(b, BIG + 3));
	free(b);
}

Test(crc32, known_values)
{
	cr_assert_eq(hut_crc32(0, "", 0), 0);
	cr_assert_eq(hut_crc32(0, "123456789", 9), 0xcbf43926u); /* the CRC-32 check value */
}
