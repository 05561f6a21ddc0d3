/* hut-oci's rules over jansson (json.h says which), and its words for a
 * refusal. */
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* jansson/jansson.mk builds jansson with hut-oci's limit. */
_Static_assert(JSON_PARSER_MAX_DEPTH == OCI_JSON_DEPTH_MAX,
	       "jansson/jansson.mk's JANSSON_MAX_DEPTH is not OCI_JSON_DEPTH_MAX");

/* What a parse may allocate, all told (frees are not counted back): a
 * hostile file's tree must stay small too. jansson's values cost up to
 * ~100 times their text ("{}" is 2 bytes, an object with its first hash
 * buckets ~200), so a 4 MiB file of empty objects took 330 MiB. Real
 * configs take 5 to 18 times their size (crun's default spec 8.6, one
 * with 2000 annotations 4.9), so a config of 1.7 MiB or more of the
 * densest kind still fits. Past the budget an allocation fails, jansson
 * gives the parse up, and the file is refused. */
static size_t budget_left;
static bool budget_on, budget_spent;

static void *xmalloc(size_t n)
{
	if (budget_on) {
		if (n > budget_left) {
			budget_spent = true;
			return NULL;
		}
		budget_left -= n;
	}
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("hut-oci: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* Before main: every jansson allocation, parser's or caller's, succeeds or
 * ends the program. */
__attribute__((constructor)) static void allocate_or_die(void)
{
	json_set_alloc_funcs(xmalloc, free);
}

#define DIGITS(n) #n
#define NUMBER(n) DIGITS(n)

/* Our words where jansson's name its flags or internals; its own text
 * (which says what it expected, near which token) for syntax errors. */
static const char *what(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_duplicate_key:
		return "duplicate key";
	case json_error_null_character:
		return "\\u0000 in a string";
	case json_error_null_byte_in_key:
		return "\\u0000 in a key";
	case json_error_stack_overflow:
		return "nested deeper than " NUMBER(OCI_JSON_DEPTH_MAX);
	case json_error_numeric_overflow: /* "too big integer", "real number overflow" */
		return strncmp(e->text, "real", 4) ? "integer out of range (64-bit signed)"
						   : "number out of range (a double's)";
	case json_error_premature_end_of_input:
		return "unexpected end";
	case json_error_end_of_input_expected:
		return "trailing bytes";
	default:
		return NULL;
	}
}

/* One line: jansson quotes the input near an error, control bytes and all. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void parse_error(const json_error_t *e, char err[OCI_JSON_ERR_MAX])
{
	const char *ours = what(e), *near = strstr(e->text, " near ");
	if (near && !strcmp(near, " near end of file"))
		near = NULL; /* "unexpected end" says it */
	if (ours)
		snprintf(err, OCI_JSON_ERR_MAX, "line %d: %s%s", e->line, ours, near ? near : "");
	else
		snprintf(err, OCI_JSON_ERR_MAX, "line %d: %s", e->line, e->text);
	one_line(err);
}

/* The first object with more than OCI_JSON_MEMBERS_MAX members, or NULL;
 * *key is the key it is under. A bound kept from hut-oci's own reader:
 * a runtime config's objects hold tens of members, annotations hundreds. */
static const json_t *too_wide(const json_t *j, const char **key)
{
	const json_t *found = NULL;
	if (json_object_size(j) > OCI_JSON_MEMBERS_MAX)
		return j;
	for (void *it = json_object_iter((json_t *)j); it && !found;
	     it = json_object_iter_next((json_t *)j, it)) {
		const json_t *v = json_object_iter_value(it);
		if ((found = too_wide(v, key)) == v)
			*key = json_object_iter_key(it);
	}
	for (size_t i = 0; i < json_array_size(j) && !found; i++)
		found = too_wide(json_array_get(j, i), key);
	return found;
}

/* One jansson parse under the budget; NULL with err and *code. */
static json_t *load(const char *text, size_t len, size_t flags, enum json_error_code *code,
		    char err[OCI_JSON_ERR_MAX])
{
	json_error_t e;
	memset(&e, 0, sizeof e); /* a failed allocation leaves it unset */
	budget_left = OCI_JSON_TREE_MAX;
	budget_on = true;
	budget_spent = false;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | flags, &e);
	budget_on = false;
	*code = budget_spent ? json_error_out_of_memory : json_error_code(&e);
	if (!j && budget_spent) /* where jansson was is not kept: no line */
		snprintf(err, OCI_JSON_ERR_MAX, "its values take more than %u MiB",
			 OCI_JSON_TREE_MAX >> 20);
	else if (!j)
		parse_error(&e, err);
	return j;
}

json_t *oci_json_parse(const char *text, size_t len, char err[OCI_JSON_ERR_MAX],
		       char inexact[OCI_JSON_ERR_MAX])
{
	err[0] = 0;
	if (inexact)
		inexact[0] = 0;
	if (len > OCI_JSON_INPUT_MAX) {
		snprintf(err, OCI_JSON_ERR_MAX, "larger than %u bytes", OCI_JSON_INPUT_MAX);
		return NULL;
	}
	enum json_error_code code;
	json_t *j = load(text, len, 0, &code, err);
	if (!j && inexact && code == json_error_numeric_overflow) {
		memcpy(inexact, err, OCI_JSON_ERR_MAX);
		err[0] = 0;
		j = load(text, len, JSON_DECODE_INT_AS_REAL, &code, err);
		if (!j)
			inexact[0] = 0;
	}
	if (!j)
		return NULL;
	const char *key = NULL;
	if (too_wide(j, &key)) {
		snprintf(err, OCI_JSON_ERR_MAX, "more than %d members in one object%s%s%s",
			 OCI_JSON_MEMBERS_MAX, key ? " (\"" : "", key ? key : "", key ? "\")" : "");
		one_line(err);
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *oci_json_read_file(const char *path, char err[OCI_JSON_ERR_MAX],
			   char inexact[OCI_JSON_ERR_MAX])
{
	/* O_NONBLOCK: a FIFO is refused below, not waited on. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, OCI_JSON_ERR_MAX, "cannot read it (%s)", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > OCI_JSON_INPUT_MAX) {
		snprintf(err, OCI_JSON_ERR_MAX, "not a regular file of at most %u bytes",
			 OCI_JSON_INPUT_MAX);
		close(fd);
		return NULL;
	}
	char *buf = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	json_t *j = oci_json_parse(buf, got, err, inexact);
	free(buf);
	return j;
}

json_t *oci_json_text(const char *s)
{
	json_t *j = json_string(s);
	if (!j) {
		fprintf(stderr, "hut-oci: not UTF-8, so not a JSON string: %s\n", s);
		exit(1);
	}
	return j;
}

json_t *oci_json_child(json_t *obj, const char *key, json_type type)
{
	if (!json_is_object(obj))
		return NULL;
	json_t *c = json_object_get(obj, key);
	if (!c) {
		c = type == JSON_ARRAY ? json_array() : json_object();
		json_object_set_new(obj, key, c);
	}
	return json_typeof(c) == type ? c : NULL;
}

int oci_json_write(FILE *f, const json_t *j)
{
	return json_dumpf(j, f, JSON_COMPACT | JSON_ENCODE_ANY);
}
