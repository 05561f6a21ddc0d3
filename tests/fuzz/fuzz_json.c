/*
 * libFuzzer target: hut-oci's JSON reading (oci/json.c: hut-oci's rules
 * over jansson, built from the same source with the same configuration as
 * hut-oci's, tests/fuzz/fuzz.mk) on arbitrary bytes.
 *
 * Oracles: a refusal is one line, "line N: what" with N within the input's
 * lines, or one of json.c's own reasons; an accepted tree keeps hut-oci's
 * rules, checked here rather than trusted to jansson: at most
 * OCI_JSON_DEPTH_MAX levels, OCI_JSON_MEMBERS_MAX members in an object,
 * strings and keys valid UTF-8 without NUL (checked independently of
 * jansson's decoder); the parse allocated at most OCI_JSON_TREE_MAX bytes.
 * An input read again with every number a double (an integer beyond int64:
 * json.h) holds no integer, and the strict reading refuses it for the
 * reason given.
 * What oci_json_write writes parses again to an equal tree, and writing
 * that gives the same bytes (the writer's form is a fixed point). Then the
 * tree is changed as rewrite.c changes a config (oci_json_text of bytes
 * that must be escaped, integers, oci_json_child), written and read again.
 *
 * json.c ends the program on allocation failure outside a parse (exit 1);
 * libFuzzer's -malloc_limit_mb stops a runaway allocation before that.
 */
#include "json.h"

#include <sanitizer/allocator_interface.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Writes j into a malloc'd, NUL-terminated buffer. */
static char *written(const json_t *j, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	CHECK(f);
	CHECK(oci_json_write(f, j) == 0);
	CHECK(fclose(f) == 0);
	return out;
}

/* Valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF),
 * no NUL in its len bytes. */
static bool utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p, n, cp, min;
		if (c == 0)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 4, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if ((size_t)(end - p) < n)
			return false;
		for (unsigned i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n;
	}
	return true;
}

/* depth: the value's level, 1 for the top (jansson counts so); reals: the
 * tree was read with every number a double. */
static void check_tree(const json_t *j, unsigned depth, bool reals)
{
	CHECK(depth <= OCI_JSON_DEPTH_MAX);
	switch (json_typeof(j)) {
	case JSON_INTEGER:
		CHECK(!reals);
		break;
	case JSON_STRING:
		CHECK(utf8_ok(json_string_value(j), json_string_length(j)));
		break;
	case JSON_OBJECT:
		CHECK(json_object_size(j) <= OCI_JSON_MEMBERS_MAX);
		for (void *it = json_object_iter((json_t *)j); it;
		     it = json_object_iter_next((json_t *)j, it)) {
			const char *key = json_object_iter_key(it);
			CHECK(utf8_ok(key, strlen(key)));
			check_tree(json_object_iter_value(it), depth + 1, reals);
		}
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < json_array_size(j); i++)
			check_tree(json_array_get(j, i), depth + 1, reals);
		break;
	default:
		break;
	}
}

static void check_refusal(const char *err, const uint8_t *data, size_t size)
{
	size_t elen = strnlen(err, OCI_JSON_ERR_MAX);
	CHECK(elen > 0 && elen < OCI_JSON_ERR_MAX);
	for (size_t i = 0; i < elen; i++)
		CHECK((unsigned char)err[i] >= 0x20 && err[i] != 0x7f);
	int line;
	if (sscanf(err, "line %d: ", &line) == 1) {
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		CHECK(line >= 1 && (size_t)line <= lines);
		return;
	}
	CHECK(!strncmp(err, "larger than ", 12) || !strncmp(err, "more than ", 10) ||
	      !strncmp(err, "its values take more than ", 26));
}

/* Parses text, which must be accepted and equal to want (if given). */
static json_t *reparse(const char *text, size_t len, const json_t *want)
{
	char err[OCI_JSON_ERR_MAX];
	json_t *j = oci_json_parse(text, len, err, NULL);
	if (!j) {
		fprintf(stderr, "written JSON refused: %s\n%.*s\n", err, (int)len, text);
		CHECK(0);
	}
	if (want)
		CHECK(json_equal(j, want));
	return j;
}

/* The first key or string value in the tree, as well-formed text for the
 * edits below. */
static const char *some_string(const json_t *j)
{
	if (json_is_string(j))
		return json_string_value(j);
	void *it = json_object_iter((json_t *)j);
	if (it)
		return json_object_iter_key(it);
	const char *s = NULL;
	for (size_t i = 0; i < json_array_size(j) && !s; i++)
		s = some_string(json_array_get(j, i));
	return s;
}

/* Edits as rewrite.c makes them, then a write and a read that must give
 * the edited tree back. */
static void edit(json_t *root, int64_t number)
{
	if (!json_is_object(root))
		return;
	const char *s = some_string(root);
	char *key = strdup(s ? s : "process");
	/* control bytes, DEL, a quote and a backslash: all must be escaped */
	static const char hostile[] = "\x01\x1f\x7f\"\\\n\t/\xc3\xa9";
	json_object_set_new(root, key, oci_json_text(hostile)); /* may replace */
	CHECK(!strcmp(json_string_value(json_object_get(root, key)), hostile));
	json_t *args = oci_json_child(root, "fuzz-args", JSON_ARRAY);
	if (args) {
		json_array_append_new(args, oci_json_text(key));
		json_array_append_new(args, json_integer(number));
		json_array_append_new(args, json_integer(INT64_MIN));
	}
	size_t len;
	char *out = written(root, &len);
	json_t *back = reparse(out, len, root);
	if (args) {
		json_t *a = json_object_get(back, "fuzz-args");
		size_t n = json_array_size(a);
		CHECK(n >= 3);
		CHECK(json_integer_value(json_array_get(a, n - 2)) == number);
		CHECK(json_integer_value(json_array_get(a, n - 1)) == INT64_MIN);
	}
	json_decref(back);
	free(out);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[OCI_JSON_ERR_MAX], inexact[OCI_JSON_ERR_MAX];
	memset(err, 'x', sizeof err);
	memset(inexact, 'x', sizeof inexact);
	size_t before = __sanitizer_get_current_allocated_bytes();
	json_t *j = oci_json_parse((const char *)data, size, err, inexact);
	if (!j) {
		check_refusal(err, data, size);
		return 0;
	}
	CHECK(err[0] == 0);
	CHECK(__sanitizer_get_current_allocated_bytes() - before <= OCI_JSON_TREE_MAX);
	check_tree(j, 1, inexact[0] != 0);
	if (inexact[0]) {
		/* read again as doubles: strictly, it is refused for a number */
		check_refusal(inexact, data, size);
		CHECK(strstr(inexact, "integer out of range"));
		json_t *strict = oci_json_parse((const char *)data, size, err, NULL);
		CHECK(!strict && !strcmp(err, inexact));
	}

	size_t len1, len2;
	char *out1 = written(j, &len1);
	json_t *k = reparse(out1, len1, j);
	char *out2 = written(k, &len2);
	CHECK(len1 == len2 && !memcmp(out1, out2, len1));
	json_decref(k);
	free(out1);
	free(out2);

	int64_t number = 0;
	memcpy(&number, data, size < sizeof number ? size : sizeof number);
	edit(j, number);
	json_decref(j);
	return 0;
}
