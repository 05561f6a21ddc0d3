/*
 * Memory sizes as people write them: "64M", "1G", "65536K" or plain bytes.
 * Units are binary (K = 1024), as for every memory size in hut.
 */
#include "builder.h"

#include <ctype.h>
#include <stdio.h>

static int unit_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'K': return 10;
	case 'M': return 20;
	case 'G': return 30;
	case 'T': return 40;
	default: return -1;
	}
}

int builder_size_parse(const char *s, uint64_t *bytes, const char **why)
{
	const char *bad = "expected bytes, or a number with K, M, G or T";
	uint64_t v = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return *why = bad, -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return *why = "too large", -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	int shift = 0;
	if (*p) {
		shift = unit_shift(*p++);
		if (shift < 0 || *p)
			return *why = bad, -1;
	}
	if (v > UINT64_MAX >> shift)
		return *why = "too large", -1;
	*bytes = v << shift;
	return 0;
}

int builder_mem_check(uint64_t bytes, const char **why)
{
	static char msg[64]; /* the limits come from the ABI header */
	char limit[32];
	if (bytes % HUT_PAGE_SIZE) {
		builder_size_format(HUT_PAGE_SIZE, limit, sizeof limit);
		snprintf(msg, sizeof msg, "not a multiple of the %s page size", limit);
	} else if (bytes < HUT_MEM_MIN || bytes > HUT_MEM_MAX) {
		builder_size_format(bytes < HUT_MEM_MIN ? HUT_MEM_MIN : HUT_MEM_MAX, limit,
				    sizeof limit);
		snprintf(msg, sizeof msg, "%s the %s of %s", bytes < HUT_MEM_MIN ? "below" : "above",
			 bytes < HUT_MEM_MIN ? "minimum" : "maximum", limit);
	} else {
		return 0;
	}
	*why = msg;
	return -1;
}

void builder_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;
	while (u + 1 < sizeof units / sizeof *units && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[u]);
}
