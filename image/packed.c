/*
 * Checking and walking packed files. The rules (abi.h) make the nodes a
 * tree the libos can walk without any check of its own: every offset and
 * length inside the blob, names that are real path components, entries
 * sorted and unique, each node but the root named exactly once by a
 * directory listed before it (so there is no cycle and no node twice), and
 * every path shorter than PATH_MAX (as the libos resolves them).
 */
#include "packed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ALIGN 8
#define PATH_LEN_MAX 4095

struct blob {
	const uint8_t *p;
	uint64_t size;
	uint32_t count;
	const struct hut_files_node *nodes; /* copied out, aligned */
	uint16_t *path_len;		    /* each node's path length ("/a/b": 4) */
	char *err;
	size_t err_len;
};

static int fail(struct blob *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->err, b->err_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* [off, off + len) lies in the blob. */
static int inside(const struct blob *b, uint64_t off, uint64_t len)
{
	return off <= b->size && len <= b->size - off;
}

static int check_header(struct blob *b, struct hut_files_header *h)
{
	if (b->size < sizeof *h)
		return fail(b, "%lu bytes, too small for a header", b->size);
	memcpy(h, b->p, sizeof *h);
	if (h->magic != HUT_FILES_MAGIC)
		return fail(b, "bad magic number");
	if (h->version != HUT_FILES_VERSION)
		return fail(b, "format version %u, expected %u", h->version, HUT_FILES_VERSION);
	if (h->size != b->size)
		return fail(b, "header says %lu bytes, the manifest %lu", h->size, b->size);
	if (h->node_count == 0 || h->node_count > HUT_FILES_NODES_MAX)
		return fail(b, "%u nodes (1 to %u allowed)", h->node_count, HUT_FILES_NODES_MAX);
	if (h->nodes % ALIGN ||
	    !inside(b, h->nodes, (uint64_t)h->node_count * sizeof(struct hut_files_node)))
		return fail(b, "node table at %lu is misaligned or outside the blob", h->nodes);
	b->count = h->node_count;
	return 0;
}

static int check_node(struct blob *b, uint32_t i)
{
	const struct hut_files_node *n = &b->nodes[i];
	uint32_t type = n->mode & S_IFMT;
	if ((n->mode & ~(uint32_t)(S_IFMT | 07777)) || n->reserved ||
	    (type != S_IFREG && type != S_IFDIR && type != S_IFLNK))
		return fail(b, "node %u: bad mode 0%o", i, n->mode);
	if (n->mtime_nsec >= 1000000000u)
		return fail(b, "node %u: bad time", i);
	if (type == S_IFDIR) {
		if (n->offset % ALIGN || n->size > b->size / sizeof(struct hut_files_entry) ||
		    !inside(b, n->offset, n->size * sizeof(struct hut_files_entry)))
			return fail(b, "node %u: entries outside the blob", i);
		return 0;
	}
	if (type == S_IFLNK && (n->size == 0 || n->size > HUT_FILES_LINK_MAX))
		return fail(b, "node %u: symlink target of %lu bytes", i, n->size);
	if (!inside(b, n->offset, n->size))
		return fail(b, "node %u: data outside the blob", i);
	return 0;
}

static int check_name(struct blob *b, uint32_t dir, const struct hut_files_entry *e)
{
	const char *name = (const char *)b->p + e->name;
	if (e->name_len == 0 || e->name_len > HUT_FILES_NAME_MAX ||
	    !inside(b, e->name, e->name_len))
		return fail(b, "directory %u: a name outside the blob or of bad length", dir);
	if (memchr(name, '/', e->name_len) || memchr(name, 0, e->name_len) ||
	    (e->name_len <= 2 && !memcmp(name, "..", e->name_len)))
		return fail(b, "directory %u: a name that is not a path component", dir);
	return 0;
}

static int order(const struct blob *b, const struct hut_files_entry *x,
		 const struct hut_files_entry *y)
{
	uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(b->p + x->name, b->p + y->name, n);
	return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* Each directory's entries: sorted, unique, naming later nodes, each node
 * once, directories naming their parent back. */
static int check_dir(struct blob *b, uint32_t d, uint8_t *named)
{
	const struct hut_files_node *dir = &b->nodes[d];
	const struct hut_files_entry *e = (const struct hut_files_entry *)(b->p + dir->offset);
	for (uint64_t k = 0; k < dir->size; k++) {
		struct hut_files_entry cur, prev;
		memcpy(&cur, &e[k], sizeof cur);
		if (check_name(b, d, &cur))
			return -1;
		if (k > 0 && (memcpy(&prev, &e[k - 1], sizeof prev), order(b, &prev, &cur) >= 0))
			return fail(b, "directory %u: entries not sorted or not unique", d);
		if (cur.node <= d || cur.node >= b->count)
			return fail(b, "directory %u: entry names node %u", d, cur.node);
		if (named[cur.node]++)
			return fail(b, "node %u is named twice", cur.node);
		uint32_t len = (d ? b->path_len[d] : 0) + 1 + cur.name_len;
		if (len > PATH_LEN_MAX)
			return fail(b, "node %u: its path is longer than %d bytes", cur.node,
				    PATH_LEN_MAX);
		b->path_len[cur.node] = (uint16_t)len;
		if (S_ISDIR(b->nodes[cur.node].mode) && b->nodes[cur.node].parent != d)
			return fail(b, "directory %u does not name %u as its parent", cur.node, d);
	}
	return 0;
}

/* The checks of every node and directory, on scratch arrays of b->count. */
static int check_nodes(struct blob *b, const struct hut_files_header *h,
		       struct hut_files_node *nodes, uint8_t *named)
{
	memcpy(nodes, b->p + h->nodes, (size_t)b->count * sizeof *nodes);
	memset(named, 0, b->count);
	memset(b->path_len, 0, (size_t)b->count * sizeof *b->path_len);
	b->nodes = nodes;
	int r = 0;
	if (!S_ISDIR(nodes[0].mode) || nodes[0].parent != 0)
		r = fail(b, "the root is not a directory");
	for (uint32_t i = 0; r == 0 && i < b->count; i++)
		r = check_node(b, i);
	for (uint32_t i = 0; r == 0 && i < b->count; i++)
		if (S_ISDIR(nodes[i].mode))
			r = check_dir(b, i, named);
	for (uint32_t i = 1; r == 0 && i < b->count; i++)
		if (!named[i])
			r = fail(b, "node %u is in no directory", i);
	return r;
}

/* Up to this many nodes the scratch arrays are on the stack (~3 KiB): a
 * monitor booting an image with a few packed files then makes no malloc,
 * whose first one costs a process ~0.1 ms on a host whose page tables are
 * shadowed (kvm-pvm's; measured: 110-150 us). */
#define NODES_ON_STACK 64

int hut_files_check(const uint8_t *blob, uint64_t size, char *err, size_t err_len)
{
	struct blob b = {blob, size, 0, NULL, NULL, err, err_len};
	struct hut_files_header h;
	int r = check_header(&b, &h);
	if (r)
		return r;
	if (b.count <= NODES_ON_STACK) {
		struct hut_files_node nodes[NODES_ON_STACK];
		uint8_t named[NODES_ON_STACK];
		uint16_t path_len[NODES_ON_STACK];
		b.path_len = path_len;
		return check_nodes(&b, &h, nodes, named);
	}
	struct hut_files_node *nodes = malloc((size_t)b.count * sizeof *nodes);
	uint8_t *named = malloc(b.count);
	b.path_len = malloc(b.count * sizeof *b.path_len);
	if (!nodes || !named || !b.path_len)
		r = fail(&b, "out of memory");
	else
		r = check_nodes(&b, &h, nodes, named);
	free(nodes);
	free(named);
	free(b.path_len);
	return r;
}

static int walk_dir(const uint8_t *blob, const struct hut_files_node *nodes, uint32_t d, char *path,
		    size_t len, hut_files_fn fn, void *ctx)
{
	const struct hut_files_node *dir = &nodes[d];
	const struct hut_files_entry *e = (const struct hut_files_entry *)(blob + dir->offset);
	for (uint64_t k = 0; k < dir->size; k++) {
		size_t n = e[k].name_len, at = len == 1 ? 1 : len + 1;
		if (len > 1)
			path[len] = '/';
		memcpy(path + at, blob + e[k].name, n);
		path[at + n] = 0;
		const struct hut_files_node *node = &nodes[e[k].node];
		if (fn(path, node, blob, ctx) ||
		    (S_ISDIR(node->mode) &&
		     walk_dir(blob, nodes, e[k].node, path, at + n, fn, ctx)))
			return 1;
	}
	path[len] = 0;
	return 0;
}

/* The check bounded every path, so one buffer of PATH_MAX holds them. */
void hut_files_walk(const uint8_t *blob, hut_files_fn fn, void *ctx)
{
	struct hut_files_header h;
	char path[PATH_LEN_MAX + 1] = "/";
	memcpy(&h, blob, sizeof h);
	const struct hut_files_node *nodes = (const struct hut_files_node *)(blob + h.nodes);
	if (!fn(path, &nodes[0], blob, ctx))
		walk_dir(blob, nodes, 0, path, 1, fn, ctx);
}
