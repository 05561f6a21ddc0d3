/*
 * Printing memory sizes the way people write them. Parsing and range checks
 * are the image format's (image/size.c), shared with the monitor, so `hut build --mem` and
 * `hut-monitor --mem` accept exactly the same sizes.
 */
#include "size.h"
#include "builder.h"

#include <stdio.h>

int builder_mem_parse(const char *s, uint64_t *bytes, const char **why)
{
	int r = hut_parse_size(s, bytes);
	if (r != 0) {
		*why = hut_size_error(r);
		return -1;
	}
	*why = hut_check_mem_size(*bytes);
	return *why ? -1 : 0;
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
