/*
 * Randomness: ChaCha20 (RFC 8439's block function) keyed with the 32-byte
 * seed the monitor read from the host's getrandom at boot. Serves
 * getrandom(2) and AT_RANDOM without leaving the guest.
 */
#include "base.h"

#include <errno.h>

static uint32_t key[8];
static uint64_t counter;

static uint32_t rotl(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

static void quarter_round(uint32_t *x, int a, int b, int c, int d)
{
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b], x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d], x[b] = rotl(x[b] ^ x[c], 7);
}

static void chacha20_block(uint32_t out[16])
{
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	hut_memcpy(&in[4], key, sizeof key);
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	counter++;
	hut_memcpy(out, in, sizeof in);
	for (int i = 0; i < 10; i++) {
		quarter_round(out, 0, 4, 8, 12), quarter_round(out, 1, 5, 9, 13);
		quarter_round(out, 2, 6, 10, 14), quarter_round(out, 3, 7, 11, 15);
		quarter_round(out, 0, 5, 10, 15), quarter_round(out, 1, 6, 11, 12);
		quarter_round(out, 2, 7, 8, 13), quarter_round(out, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		out[i] += in[i];
}

void hut_random_init(const struct hut_boot_info *bi)
{
	hut_memcpy(key, bi->random, sizeof key);
	counter = 0;
}

void hut_random_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint32_t block[16];
	while (len > 0) {
		chacha20_block(block);
		size_t n = len < sizeof block ? len : sizeof block;
		hut_memcpy(p, block, n);
		p += n, len -= n;
	}
	hut_memset(block, 0, sizeof block);
}
