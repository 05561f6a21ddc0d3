/*
 * Writing a JSON string, for every host program that writes JSON by hand:
 * a bundle's config.json and an OCI image's documents (hut), the
 * benchmark's samples (hut-bench), runc-style JSON log lines (hut-oci).
 * They hold user-chosen text (arguments, paths, failure reasons, error
 * messages quoting hostile input), so every string goes through here.
 * Bytes are not checked for UTF-8: a log line must be written whatever the
 * message holds (hut-oci's config.json is written by jansson instead,
 * which refuses what is not UTF-8).
 */
#include "json_string.h"

void hut_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f) /* JSON forbids control bytes; DEL: terminals */
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
