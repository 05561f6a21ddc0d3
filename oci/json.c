/* The strict JSON reader, the tree and its writer (json.h says the rules). */
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct parser {
	const char *s;
	size_t len, pos;
	unsigned depth;
	size_t nodes;
	char *err;
};

static void *xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p) {
		fputs("hut-oci: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void *xgrow(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fputs("hut-oci: out of memory\n", stderr);
		exit(1);
	}
	return q;
}

/* Records the first error only; returns NULL for the caller to pass up. */
static void *fail(struct parser *p, const char *fmt, ...)
{
	if (p->err[0])
		return NULL;
	char what[80];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(p->err, OCI_JSON_ERR_MAX, "%s at byte %zu", what, p->pos);
	return NULL;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\n\r", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static struct oci_json *node(struct parser *p, enum oci_json_type type)
{
	if (++p->nodes > OCI_JSON_NODES_MAX)
		return fail(p, "more than %d values", OCI_JSON_NODES_MAX);
	return oci_json_new(type);
}

static int hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int c = peek(p);
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return fail(p, "bad \\u escape"), -1;
		v = v * 16 + (unsigned)d;
		p->pos++;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX, with a surrogate pair as one code point; after the 'u'. */
static int unicode_escape(struct parser *p, unsigned *cp)
{
	unsigned hi, lo;
	if (hex4(p, &hi) < 0)
		return -1;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(p, "lone low surrogate"), -1;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
			return fail(p, "lone high surrogate"), -1;
		p->pos += 2;
		if (hex4(p, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(p, "bad surrogate pair"), -1;
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (hi == 0)
		return fail(p, "\\u0000 in a string"), -1;
	*cp = hi;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 (overlong forms,
 * surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_length(const unsigned char *s, size_t avail)
{
	unsigned c = s[0], cp, n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int escape(struct parser *p, char *out, size_t *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	int c = peek(p);
	const char *k = c > 0 ? strchr(from, c) : NULL;
	p->pos++;
	if (k && *k) {
		out[(*o)++] = to[k - from];
		return 0;
	}
	unsigned cp;
	if (c != 'u')
		return fail(p, "bad escape"), -1;
	if (unicode_escape(p, &cp) < 0)
		return -1;
	*o += put_utf8(out + *o, cp);
	return 0;
}

/* After the opening quote: the bytes up to the closing quote (or the end),
 * stepping over escapes as string_value will. */
static size_t source_length(const struct parser *p)
{
	size_t i = p->pos;
	while (i < p->len && p->s[i] != '"')
		i += p->s[i] == '\\' ? 2 : 1;
	return (i < p->len ? i : p->len) - p->pos;
}

/* After the opening quote. The decoded string is never longer than its
 * source (\uXXXX is 6 bytes for at most 3; a pair is 12 for 4), so the
 * buffer is the source's length, not the rest of the input's: that kept
 * for every string made a 4 MiB config cost gigabytes of address space. */
static char *string_value(struct parser *p)
{
	char *out = xalloc(source_length(p) + 1);
	size_t o = 0;
	for (;;) {
		int c = peek(p);
		if (c < 0) {
			free(out);
			return fail(p, "unterminated string");
		}
		if (c == '"') {
			p->pos++;
			out[o] = 0;
			return out;
		}
		if (c < 0x20) {
			free(out);
			return fail(p, "raw control byte in a string");
		}
		if (c == '\\') {
			p->pos++;
			if (escape(p, out, &o) < 0) {
				free(out);
				return NULL;
			}
			continue;
		}
		size_t n = utf8_length((const unsigned char *)p->s + p->pos, p->len - p->pos);
		if (n == 0) {
			free(out);
			return fail(p, "invalid UTF-8");
		}
		memcpy(out + o, p->s + p->pos, n);
		o += n;
		p->pos += n;
	}
}

static bool digit(int c)
{
	return c >= '0' && c <= '9';
}

static struct oci_json *number(struct parser *p)
{
	size_t start = p->pos;
	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0')
		p->pos++;
	else if (digit(peek(p)))
		while (digit(peek(p)))
			p->pos++;
	else
		return fail(p, "bad number");
	if (peek(p) == '.') {
		p->pos++;
		if (!digit(peek(p)))
			return fail(p, "bad fraction");
		while (digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!digit(peek(p)))
			return fail(p, "bad exponent");
		while (digit(peek(p)))
			p->pos++;
	}
	if (p->pos - start > 64)
		return fail(p, "number longer than 64 bytes");
	struct oci_json *j = node(p, OCI_JSON_NUMBER);
	if (j) {
		j->text = xalloc(p->pos - start + 1);
		memcpy(j->text, p->s + start, p->pos - start);
	}
	return j;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
		return false;
	p->pos += n;
	return true;
}

static struct oci_json *value(struct parser *p);

static struct oci_json *array(struct parser *p)
{
	struct oci_json *a = node(p, OCI_JSON_ARRAY);
	skip_space(p);
	if (a && peek(p) == ']') {
		p->pos++;
		return a;
	}
	while (a) {
		struct oci_json *item = value(p);
		if (!item)
			break;
		oci_json_append(a, item);
		skip_space(p);
		if (peek(p) == ']') {
			p->pos++;
			return a;
		}
		if (peek(p) != ',') {
			fail(p, "expected ',' or ']'");
			break;
		}
		p->pos++;
	}
	oci_json_free(a);
	return NULL;
}

static bool member(struct parser *p, struct oci_json *o)
{
	skip_space(p);
	if (peek(p) != '"')
		return fail(p, "expected a key"), false;
	p->pos++;
	char *key = string_value(p);
	if (!key)
		return false;
	/* The duplicate check is linear in the members so far: bounding them
	 * bounds it (100,000 keys in one object took 342 s). A runtime config's
	 * objects hold tens of members; annotations perhaps hundreds. */
	if (o->n >= OCI_JSON_MEMBERS_MAX) {
		free(key);
		return fail(p, "more than %d members in one object", OCI_JSON_MEMBERS_MAX), false;
	}
	if (oci_json_get(o, key)) {
		free(key);
		return fail(p, "duplicate key"), false;
	}
	skip_space(p);
	struct oci_json *v = NULL;
	if (peek(p) != ':')
		fail(p, "expected ':'");
	else if (p->pos++, (v = value(p)) != NULL) {
		oci_json_set(o, key, v);
	}
	free(key);
	return v != NULL;
}

static struct oci_json *object(struct parser *p)
{
	struct oci_json *o = node(p, OCI_JSON_OBJECT);
	skip_space(p);
	if (o && peek(p) == '}') {
		p->pos++;
		return o;
	}
	while (o && member(p, o)) {
		skip_space(p);
		if (peek(p) == '}') {
			p->pos++;
			return o;
		}
		if (peek(p) != ',') {
			fail(p, "expected ',' or '}'");
			break;
		}
		p->pos++;
	}
	oci_json_free(o);
	return NULL;
}

static struct oci_json *value(struct parser *p)
{
	skip_space(p);
	int c = peek(p);
	if (c == '{' || c == '[') {
		if (++p->depth > OCI_JSON_DEPTH_MAX)
			return fail(p, "nested deeper than %d", OCI_JSON_DEPTH_MAX);
		p->pos++;
		struct oci_json *j = c == '{' ? object(p) : array(p);
		p->depth--;
		return j;
	}
	if (c == '"') {
		p->pos++;
		char *s = string_value(p);
		struct oci_json *j = s ? node(p, OCI_JSON_STRING) : NULL;
		if (j)
			j->text = s;
		else
			free(s);
		return j;
	}
	if (c == '-' || digit(c))
		return number(p);
	if (literal(p, "true"))
		return node(p, OCI_JSON_TRUE);
	if (literal(p, "false"))
		return node(p, OCI_JSON_FALSE);
	if (literal(p, "null"))
		return node(p, OCI_JSON_NULL);
	return fail(p, c < 0 ? "unexpected end" : "unexpected byte");
}

struct oci_json *oci_json_parse(const char *text, size_t len, char err[OCI_JSON_ERR_MAX])
{
	struct parser p = {.s = text, .len = len, .err = err};
	err[0] = 0;
	if (len > OCI_JSON_INPUT_MAX)
		return fail(&p, "larger than %u bytes", OCI_JSON_INPUT_MAX);
	struct oci_json *j = value(&p);
	skip_space(&p);
	if (j && p.pos != len) {
		oci_json_free(j);
		return fail(&p, "trailing bytes");
	}
	return j;
}

struct oci_json *oci_json_read_file(const char *path, char err[OCI_JSON_ERR_MAX])
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
	char *buf = xalloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	struct oci_json *j = oci_json_parse(buf, got, err);
	free(buf);
	return j;
}

void oci_json_free(struct oci_json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		oci_json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->text);
	free(j);
}

struct oci_json *oci_json_get(const struct oci_json *obj, const char *key)
{
	if (!obj || obj->type != OCI_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

const char *oci_json_string(const struct oci_json *j)
{
	return j && j->type == OCI_JSON_STRING ? j->text : NULL;
}

int oci_json_int(const struct oci_json *j, int64_t *v)
{
	if (!j || j->type != OCI_JSON_NUMBER || strpbrk(j->text, ".eE"))
		return -1;
	char *end;
	errno = 0;
	long long x = strtoll(j->text, &end, 10);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

struct oci_json *oci_json_new(enum oci_json_type type)
{
	struct oci_json *j = xalloc(sizeof *j);
	j->type = type;
	return j;
}

struct oci_json *oci_json_new_string(const char *s)
{
	struct oci_json *j = oci_json_new(OCI_JSON_STRING);
	j->text = xalloc(strlen(s) + 1);
	strcpy(j->text, s);
	return j;
}

struct oci_json *oci_json_new_int(int64_t v)
{
	struct oci_json *j = oci_json_new(OCI_JSON_NUMBER);
	j->text = xalloc(24);
	snprintf(j->text, 24, "%lld", (long long)v);
	return j;
}

static void reserve(struct oci_json *j)
{
	if (j->n < j->cap)
		return;
	j->cap = j->cap ? j->cap * 2 : 8;
	j->items = xgrow(j->items, j->cap * sizeof *j->items);
	if (j->type == OCI_JSON_OBJECT)
		j->keys = xgrow(j->keys, j->cap * sizeof *j->keys);
}

void oci_json_append(struct oci_json *array, struct oci_json *item)
{
	reserve(array);
	array->items[array->n++] = item;
}

void oci_json_set(struct oci_json *obj, const char *key, struct oci_json *value)
{
	for (size_t i = 0; i < obj->n; i++) {
		if (!strcmp(obj->keys[i], key)) {
			oci_json_free(obj->items[i]);
			obj->items[i] = value;
			return;
		}
	}
	reserve(obj);
	obj->keys[obj->n] = xalloc(strlen(key) + 1);
	strcpy(obj->keys[obj->n], key);
	obj->items[obj->n++] = value;
}

struct oci_json *oci_json_child(struct oci_json *obj, const char *key, enum oci_json_type type)
{
	struct oci_json *c = oci_json_get(obj, key);
	if (!c) {
		c = oci_json_new(type);
		oci_json_set(obj, key, c);
	}
	return c->type == type ? c : NULL;
}

void oci_json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void oci_json_write(FILE *f, const struct oci_json *j)
{
	static const char *const words[] = {"null", "false", "true"};
	switch (j->type) {
	case OCI_JSON_NULL:
	case OCI_JSON_FALSE:
	case OCI_JSON_TRUE:
		fputs(words[j->type], f);
		return;
	case OCI_JSON_NUMBER:
		fputs(j->text, f);
		return;
	case OCI_JSON_STRING:
		oci_json_write_string(f, j->text);
		return;
	case OCI_JSON_ARRAY:
	case OCI_JSON_OBJECT:
		fputc(j->type == OCI_JSON_ARRAY ? '[' : '{', f);
		for (size_t i = 0; i < j->n; i++) {
			if (i)
				fputc(',', f);
			if (j->keys) {
				oci_json_write_string(f, j->keys[i]);
				fputc(':', f);
			}
			oci_json_write(f, j->items[i]);
		}
		fputc(j->type == OCI_JSON_ARRAY ? ']' : '}', f);
		return;
	}
}
