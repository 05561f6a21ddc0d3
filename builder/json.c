/*
 * Writing JSON strings. The bundle's config.json and the benchmark's sample
 * file hold user-chosen text (arguments, paths, failure reasons), so every
 * string goes through one escaper.
 */
#include "builder.h"

#include <stdio.h>

void builder_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p); /* JSON forbids raw control bytes */
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
