/*
 * libFuzzer target: hut-oci's strict JSON reader (oci/json.c) on arbitrary
 * bytes. A file it accepts must survive its own writer: oci_json_write's
 * output parses again to an equal tree (same types, numbers as written,
 * strings byte for byte, keys in order), and writing that tree gives the
 * same bytes (the writer's form is a fixed point).
 *
 * Other oracles: a refusal always comes with a one-line reason naming a
 * byte offset within the input; the tree's memory is at most 64 bytes an
 * input byte (plus 1 KiB); every string value is valid UTF-8 without
 * NUL (what the reader promises its callers); oci_json_int agrees with the
 * number's text. Then the tree is changed as rewrite.c changes a config
 * (oci_json_set replacing and adding keys, oci_json_child, oci_json_append
 * of strings and integers the writer must escape), written and read again.
 *
 * json.c ends the program on allocation failure (exit 1); libFuzzer's
 * -malloc_limit_mb stops a runaway allocation before that can happen.
 */
#include "json.h"

#include <inttypes.h>
#include <sanitizer/allocator_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static bool equal(const struct oci_json *a, const struct oci_json *b)
{
	if (a->type != b->type || a->n != b->n || !a->keys != !b->keys)
		return false;
	if (a->type == OCI_JSON_NUMBER || a->type == OCI_JSON_STRING)
		return !strcmp(a->text, b->text);
	for (size_t i = 0; i < a->n; i++) {
		if (a->keys && strcmp(a->keys[i], b->keys[i]))
			return false;
		if (!equal(a->items[i], b->items[i]))
			return false;
	}
	return true;
}

/* Writes j into a malloc'd, NUL-terminated buffer. */
static char *written(const struct oci_json *j, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	CHECK(f);
	oci_json_write(f, j);
	CHECK(fclose(f) == 0);
	return out;
}

/* Valid UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF),
 * no NUL: checked independently of json.c's decoder. */
static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p, n, cp, min;
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

/* A JSON number's text: is it an integer (no fraction, no exponent) whose
 * value fits in int64? Decided on the digits, not with strtoll. */
static bool int64_text(const char *t)
{
	bool neg = *t == '-';
	const char *d = t + neg;
	if (strpbrk(d, ".eE"))
		return false;
	size_t n = strlen(d);
	const char *limit = neg ? "9223372036854775808" : "9223372036854775807";
	return n < 19 || (n == 19 && strcmp(d, limit) <= 0);
}

static void check_tree(const struct oci_json *j, unsigned depth)
{
	CHECK(depth <= OCI_JSON_DEPTH_MAX);
	switch (j->type) {
	case OCI_JSON_NULL:
	case OCI_JSON_FALSE:
	case OCI_JSON_TRUE:
		CHECK(j->n == 0 && !j->text);
		break;
	case OCI_JSON_NUMBER: {
		CHECK(j->text && j->text[0] && strlen(j->text) <= 64);
		int64_t v;
		bool is_int = oci_json_int(j, &v) == 0;
		CHECK(is_int == int64_text(j->text));
		if (is_int) {
			char back[24];
			snprintf(back, sizeof back, "%" PRId64, v);
			CHECK(!strcmp(back, j->text) || (!strcmp(j->text, "-0") && v == 0));
		}
		break;
	}
	case OCI_JSON_STRING:
		CHECK(j->text && utf8_ok(j->text));
		CHECK(oci_json_string(j) == j->text);
		break;
	case OCI_JSON_ARRAY:
	case OCI_JSON_OBJECT:
		CHECK(!j->text && j->n <= j->cap);
		CHECK(j->type == OCI_JSON_OBJECT ? j->n == 0 || j->keys : !j->keys);
		for (size_t i = 0; i < j->n; i++) {
			if (j->type == OCI_JSON_OBJECT) {
				CHECK(utf8_ok(j->keys[i]));
				/* no duplicate keys: the first match is this one */
				CHECK(oci_json_get(j, j->keys[i]) == j->items[i]);
			}
			check_tree(j->items[i], depth + 1);
		}
		break;
	default:
		CHECK(0);
	}
}

/* Parses text, which must be accepted and equal to want (if given). */
static struct oci_json *reparse(const char *text, size_t len, const struct oci_json *want)
{
	char err[OCI_JSON_ERR_MAX];
	struct oci_json *j = oci_json_parse(text, len, err);
	if (!j) {
		fprintf(stderr, "written JSON refused: %s\n%.*s\n", err, (int)len, text);
		CHECK(0);
	}
	if (want)
		CHECK(equal(j, want));
	return j;
}

/* The first string in the tree (a key or a value), as a source of
 * well-formed text for the edits below. */
static const char *some_string(const struct oci_json *j)
{
	if (j->type == OCI_JSON_STRING)
		return j->text;
	for (size_t i = 0; i < j->n; i++) {
		if (j->keys)
			return j->keys[i];
		const char *s = some_string(j->items[i]);
		if (s)
			return s;
	}
	return NULL;
}

/* Edits as rewrite.c makes them, then a write and a read that must give
 * the edited tree back. */
static void edit(struct oci_json *root, int64_t number)
{
	if (root->type != OCI_JSON_OBJECT)
		return;
	const char *s = some_string(root);
	char *key = strdup(s ? s : "process");
	/* a control byte, DEL, a quote and a backslash: all must be escaped */
	static const char hostile[] = "\x01\x1f\x7f\"\\\n\t/\xc3\xa9";
	oci_json_set(root, key, oci_json_new_string(hostile)); /* may replace */
	CHECK(!strcmp(oci_json_string(oci_json_get(root, key)), hostile));
	struct oci_json *args = oci_json_child(root, "fuzz-args", OCI_JSON_ARRAY);
	if (args) {
		oci_json_append(args, oci_json_new_string(key));
		oci_json_append(args, oci_json_new_int(number));
		oci_json_append(args, oci_json_new_int(INT64_MIN));
	}
	size_t len;
	char *out = written(root, &len);
	struct oci_json *back = reparse(out, len, root);
	if (args) {
		int64_t v;
		struct oci_json *a = oci_json_get(back, "fuzz-args");
		CHECK(a && a->type == OCI_JSON_ARRAY && a->n >= 3);
		CHECK(oci_json_int(a->items[a->n - 2], &v) == 0 && v == number);
		CHECK(oci_json_int(a->items[a->n - 1], &v) == 0 && v == INT64_MIN);
	}
	oci_json_free(back);
	free(out);
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[OCI_JSON_ERR_MAX];
	memset(err, 'x', sizeof err);
	size_t before = __sanitizer_get_current_allocated_bytes();
	struct oci_json *j = oci_json_parse((const char *)data, size, err);
	if (!j) {
		/* one line, "... at byte N"; N is within the input or (after a
		 * backslash that ends it) one past its end */
		size_t elen = strnlen(err, sizeof err);
		CHECK(elen > 0 && elen < sizeof err && !strchr(err, '\n'));
		const char *at = strstr(err, " at byte ");
		CHECK(at);
		unsigned long long pos = strtoull(at + 9, NULL, 10);
		CHECK(pos <= size + 1);
		return 0;
	}
	CHECK(err[0] == 0);
	/* The tree costs a bounded multiple of the input (json.h: a hostile
	 * file costs at most a few megabytes): a node is 48 bytes, "[0]" is
	 * three input bytes for two nodes, a value and a slot of 8 */
	CHECK(__sanitizer_get_current_allocated_bytes() - before <= 64 * size + 1024);
	check_tree(j, 0);

	size_t len1, len2;
	char *out1 = written(j, &len1);
	struct oci_json *k = reparse(out1, len1, j);
	char *out2 = written(k, &len2);
	CHECK(len1 == len2 && !memcmp(out1, out2, len1));
	oci_json_free(k);
	free(out1);
	free(out2);

	int64_t number = 0;
	memcpy(&number, data, size < sizeof number ? size : sizeof number);
	edit(j, number);
	oci_json_free(j);
	return 0;
}
