/*
 * Sizes as people write them, parsed and range-checked in one place, so
 * `hut build --mem` and `hut-monitor --mem` accept exactly the same sizes.
 */
#include "size.h"

#include <errno.h>
#include <hut/abi.h>
#include <stdlib.h>
#include <string.h>

static int unit_shift(const char *suffix)
{
	static const char units[] = "KMGT";
	if (*suffix == 0)
		return 0;
	const char *u = strchr(units, *suffix & ~0x20);
	if (!u || !*u)
		return -1;
	suffix++;
	if ((*suffix | 0x20) == 'i')
		suffix++;
	if ((*suffix | 0x20) == 'b')
		suffix++;
	return *suffix ? -1 : 10 * (int)(u - units + 1);
}

int hut_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return HUT_SIZE_MALFORMED;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	int shift = unit_shift(end);
	if (shift < 0)
		return HUT_SIZE_MALFORMED;
	if (errno == ERANGE || v > (UINT64_MAX >> shift))
		return HUT_SIZE_TOO_LARGE;
	*bytes = (uint64_t)v << shift;
	return 0;
}

const char *hut_size_error(int r)
{
	return r == HUT_SIZE_TOO_LARGE ? "too large (more than 2^64 bytes)"
				       : "expected bytes, or a number with K, M, G or T";
}

const char *hut_check_mem_size(uint64_t bytes)
{
	if (bytes < HUT_MEM_MIN)
		return "below the 8 MiB minimum";
	if (bytes > HUT_MEM_MAX)
		return "above the 32 GiB maximum";
	if (bytes % HUT_PAGE_SIZE)
		return "not a whole number of 4 KiB pages";
	return NULL;
}
