/*
 * libFuzzer target: hut_parse_size and hut_check_mem_size (image/size.c)
 * on arbitrary strings, checked against an independent reading of the
 * documented grammar: decimal digits, then nothing or one of K M G T (any
 * case) optionally followed by i and then b (any case); binary units;
 * anything else is refused as malformed, a value that does not fit in 64
 * bits as too large.
 */
#include "size.h"

#include <hut/abi.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Returns 0 and sets *out, -1 (HUT_SIZE_MALFORMED) for what is not a
 * size, -2 (HUT_SIZE_TOO_LARGE) for one past 64 bits. */
static int reference(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0;
	int digits = 0, overflow = 0;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX)
			overflow = 1, v = (unsigned __int128)UINT64_MAX + 1;
	}
	if (!digits)
		return -1;
	int shift = 0;
	if (*s) {
		const char *u = strchr("kmgt", lower((unsigned char)*s));
		if (!u || !*u)
			return -1;
		shift = 10 * (int)(u - "kmgt" + 1);
		s++;
		if (lower((unsigned char)*s) == 'i')
			s++;
		if (lower((unsigned char)*s) == 'b')
			s++;
		if (*s)
			return -1;
	}
	v <<= shift;
	if (overflow || v > UINT64_MAX)
		return -2;
	*out = (uint64_t)v;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1); /* exactly the string: ASan sees any overread */
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	uint64_t got = 0xdeadbeef, want = 0;
	int r = hut_parse_size(s, &got), w = reference(s, &want);
	CHECK(r == 0 || r == HUT_SIZE_MALFORMED || r == HUT_SIZE_TOO_LARGE);
	CHECK(r == w);
	if (r == 0) {
		CHECK(got == want);
		const char *why = hut_check_mem_size(got);
		int fine = got >= HUT_MEM_MIN && got <= HUT_MEM_MAX && got % HUT_PAGE_SIZE == 0;
		CHECK(fine == (why == NULL));
		CHECK(!why || *why);
	} else {
		CHECK(got == 0xdeadbeef); /* untouched on failure */
	}
	uint64_t raw = 0; /* and the range check on raw 64-bit values */
	memcpy(&raw, data, size < 8 ? size : 8);
	const char *why = hut_check_mem_size(raw);
	CHECK((why == NULL) == (raw >= HUT_MEM_MIN && raw <= HUT_MEM_MAX && raw % HUT_PAGE_SIZE == 0));
	free(s);
	return 0;
}
