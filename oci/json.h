/*
 * JSON for hut-oci, from jansson: the one place where what hut-oci reads
 * (config.json and the state a lower runtime prints; both hostile input: a
 * bundle is whoever wrote it) is held to hut-oci's rules before any caller
 * sees it. Callers then use jansson's own calls on the tree.
 *
 * The rules: RFC 8259 (jansson's parser), and besides: no duplicate keys
 * (two readers of one file must not see two different configs), no
 * "\u0000" (strings are C strings), at most OCI_JSON_INPUT_MAX bytes, at
 * most OCI_JSON_DEPTH_MAX levels of nesting (jansson's own limit, so its
 * recursion stays shallow; it counts a value inside the innermost array or
 * object as a level), OCI_JSON_MEMBERS_MAX members in one object, and at
 * most OCI_JSON_TREE_MAX bytes allocated for the tree (so a hostile file
 * costs hut-oci tens of megabytes at most). Integers are 64-bit signed
 * (jansson's json_int_t): a larger one is refused, or, where the caller can
 * do with less, read as a double (below).
 *
 * Allocation failures end the program (exit 1): hut-oci has no way to go
 * on without memory, and so no caller checks jansson's results for it.
 */
#ifndef OCI_JSON_H
#define OCI_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define OCI_JSON_INPUT_MAX (4u << 20) /* bytes */
#define OCI_JSON_TREE_MAX (32u << 20) /* bytes a parse may allocate */
#define OCI_JSON_DEPTH_MAX 64
#define OCI_JSON_MEMBERS_MAX 4096 /* in one object */
#define OCI_JSON_ERR_MAX 200

/* Parses len bytes (any JSON value). Returns the tree, or NULL with err
 * filled in: one line, "line N: what" (or what alone when no line applies).
 *
 * inexact NULL: an integer beyond int64 is refused. Otherwise such a text
 * is read again with every number a double (JSON_DECODE_INT_AS_REAL) and
 * inexact says why ("line N: integer out of range ..."; "" when every
 * integer fitted): the runtime spec's uint64 fields hold 2^64-1 for
 * "unlimited" (an rlimit from `podman --ulimit host`, `docker --ulimit
 * core=-1`), and a container hut-oci only hands on must still run. Such a
 * tree is good for looking at, not for writing back. */
json_t *oci_json_parse(const char *text, size_t len, char err[OCI_JSON_ERR_MAX],
		       char inexact[OCI_JSON_ERR_MAX]);
/* Reads and parses a regular file of at most OCI_JSON_INPUT_MAX bytes. */
json_t *oci_json_read_file(const char *path, char err[OCI_JSON_ERR_MAX],
			   char inexact[OCI_JSON_ERR_MAX]);

/* A new string value; ends the program if s is not UTF-8 (JSON's strings
 * must be, and jansson would refuse it). */
json_t *oci_json_text(const char *s);
/* obj's key as an object or array, made if missing (NULL if it is another
 * type). */
json_t *oci_json_child(json_t *obj, const char *key, json_type type);

/* Writes j compactly; 0, or -1 if it could not be written. */
int oci_json_write(FILE *f, const json_t *j);

#endif
