/*
 * JSON for hut-oci: a strict reader for config.json and the state a lower
 * runtime prints (both hostile input: a bundle is whoever wrote it), a
 * tree that can be changed, and a writer for the tree.
 *
 * Strict means RFC 8259 and nothing more: no comments, no trailing commas,
 * no leading zeros, no raw control bytes, valid UTF-8 only, no lone
 * surrogates, no duplicate keys (two readers of one file must not see two
 * different configs), no "\u0000" (strings are C strings). Bounded: input
 * size, nesting depth and node count all have limits, so a hostile file
 * costs at most a few megabytes and never overflows the stack.
 */
#ifndef OCI_JSON_H
#define OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OCI_JSON_INPUT_MAX (4u << 20) /* bytes */
#define OCI_JSON_DEPTH_MAX 64
#define OCI_JSON_NODES_MAX 100000
#define OCI_JSON_MEMBERS_MAX 4096 /* in one object */
#define OCI_JSON_ERR_MAX 128

enum oci_json_type {
	OCI_JSON_NULL,
	OCI_JSON_FALSE,
	OCI_JSON_TRUE,
	OCI_JSON_NUMBER,
	OCI_JSON_STRING,
	OCI_JSON_ARRAY,
	OCI_JSON_OBJECT,
};

struct oci_json {
	enum oci_json_type type;
	char *text; /* STRING: the value (NUL-terminated); NUMBER: as written */
	size_t n;   /* ARRAY and OBJECT: how many items */
	size_t cap;
	struct oci_json **items;
	char **keys; /* OBJECT: items[i]'s key */
};

/* Parses len bytes. Returns the tree, or NULL with err filled in (one line,
 * with the byte offset). */
struct oci_json *oci_json_parse(const char *text, size_t len, char err[OCI_JSON_ERR_MAX]);
/* Reads and parses a file (at most OCI_JSON_INPUT_MAX bytes). */
struct oci_json *oci_json_read_file(const char *path, char err[OCI_JSON_ERR_MAX]);
void oci_json_free(struct oci_json *j);

/* Looking things up; each returns NULL when j is not the right type. */
struct oci_json *oci_json_get(const struct oci_json *obj, const char *key);
const char *oci_json_string(const struct oci_json *j);
/* A NUMBER that is a whole number in [INT64_MIN, INT64_MAX]: 0 and *v, or -1. */
int oci_json_int(const struct oci_json *j, int64_t *v);

/* Building and changing. Allocation failures end the program (exit 1):
 * hut-oci has no way to go on without memory. */
struct oci_json *oci_json_new(enum oci_json_type type);
struct oci_json *oci_json_new_string(const char *s);
struct oci_json *oci_json_new_int(int64_t v);
void oci_json_append(struct oci_json *array, struct oci_json *item);
/* Replaces obj's key (freeing the old value) or adds it. */
void oci_json_set(struct oci_json *obj, const char *key, struct oci_json *value);
/* obj's key as an OBJECT or ARRAY, made if missing (NULL if it is another type). */
struct oci_json *oci_json_child(struct oci_json *obj, const char *key, enum oci_json_type type);

/* Writes j compactly, strings escaped as JSON requires. */
void oci_json_write(FILE *f, const struct oci_json *j);
/* One string, escaped and quoted. */
void oci_json_write_string(FILE *f, const char *s);

#endif
