/*
 * common/: code the host programs share (hut, hut-oci, hut-bench), which
 * depends on include/ only. json_string.c: one JSON string escaper.
 */
#ifndef HUT_JSON_STRING_H
#define HUT_JSON_STRING_H

#include <stdio.h>

/* Writes s as a JSON string: quoted, with '"', '\\' and every control byte
 * (and DEL) escaped. Other bytes are copied as they are. */
void hut_json_string(FILE *f, const char *s);

#endif
