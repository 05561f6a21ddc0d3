/*
 * Files packed into the image: `hut build --files DIR[:/PATH]` and
 * `--file SRC:DEST` gather a tree here (modes, mtimes and symlinks kept),
 * which is written in the packed format (abi.h) and linked into the
 * image's read-only data (hut.ld's .hut.files), where the libos serves it
 * from memory and the manifest's CRC covers it. Files added as defaults
 * (etc.c's /etc) give way to any file the user packs.
 */
#include "builder.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pnode {
	char *name; /* "" for the root */
	uint32_t mode;
	int64_t mtime_sec;
	uint32_t mtime_nsec;
	const char *source; /* regular files from the host: read when written */
	const char *data;   /* or these bytes (defaults, symlink targets) */
	uint64_t size;
	int is_default;	    /* the user's files replace it */
	const char *origin; /* for messages: where it came from */
	struct pnode *parent;
	struct pnode **kids; /* directories */
	size_t nkids, cap;
	uint32_t index; /* in the node table, once numbered */
};

struct builder_files {
	struct pnode *root;
	size_t count;
};

static struct pnode *node_new(const char *name, uint32_t mode, const char *origin)
{
	struct pnode *n = builder_xmalloc(sizeof *n);
	memset(n, 0, sizeof *n);
	n->name = builder_xstrdup(name);
	n->mode = mode;
	n->origin = origin;
	return n;
}

struct builder_files *builder_files_new(void)
{
	struct builder_files *t = builder_xmalloc(sizeof *t);
	t->root = node_new("", S_IFDIR | 0755, "the image's root");
	t->count = 1;
	return t;
}

static struct pnode *child(const struct pnode *dir, const char *name, size_t len)
{
	for (size_t i = 0; i < dir->nkids; i++)
		if (strlen(dir->kids[i]->name) == len && !memcmp(dir->kids[i]->name, name, len))
			return dir->kids[i];
	return NULL;
}

static void attach(struct builder_files *t, struct pnode *dir, struct pnode *n)
{
	if (dir->nkids == dir->cap) {
		dir->cap = dir->cap ? dir->cap * 2 : 8;
		struct pnode **k = builder_xmalloc(dir->cap * sizeof *k);
		memcpy(k, dir->kids, dir->nkids * sizeof *k);
		free(dir->kids);
		dir->kids = k;
	}
	dir->kids[dir->nkids++] = n;
	n->parent = dir;
	if (++t->count > HUT_FILES_NODES_MAX)
		builder_die(1, n->origin, "too many files to pack",
			    BUILDER_STR(HUT_FILES_NODES_MAX) " at most");
}

/* A guest path's components must be real names, and it must fit PATH_MAX. */
static void check_guest_path(const char *guest, const char *origin)
{
	if (guest[0] != '/')
		builder_die(BUILDER_EXIT_USAGE, origin, "the guest path must be absolute", guest);
	if (strlen(guest) >= 4096)
		builder_die(BUILDER_EXIT_USAGE, origin, "the guest path is too long",
			    "4095 bytes at most");
	for (const char *c = guest; *c;) {
		const char *e = c + 1;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - c - 1);
		if (n > HUT_FILES_NAME_MAX || (n == 1 && c[1] == '.') ||
		    (n == 2 && c[1] == '.' && c[2] == '.'))
			builder_die(BUILDER_EXIT_USAGE, origin, "bad guest path",
				    "no . or .. components, names of 255 bytes at most");
		c = e;
	}
}

/* The directory at guest (made, 0755, where missing). */
static struct pnode *dir_at(struct builder_files *t, const char *guest, const char *origin)
{
	struct pnode *cur = t->root;
	for (const char *c = guest; *c;) {
		while (*c == '/')
			c++;
		const char *e = c;
		while (*e && *e != '/')
			e++;
		if (e == c)
			break;
		struct pnode *next = child(cur, c, (size_t)(e - c));
		if (!next) {
			char *name = builder_xasprintf("%.*s", (int)(e - c), c);
			next = node_new(name, S_IFDIR | 0755, origin);
			attach(t, cur, next);
		} else if (!S_ISDIR(next->mode)) {
			builder_die(1, origin, "cannot pack here: a file is in the way",
				    next->origin);
		}
		cur = next;
		c = e;
	}
	return cur;
}

/* Puts n under dir: replaces a default, merges directories, and refuses a
 * second file at one path. */
static void place(struct builder_files *t, struct pnode *dir, struct pnode *n)
{
	struct pnode *old = child(dir, n->name, strlen(n->name));
	if (!old) {
		attach(t, dir, n);
		return;
	}
	if (S_ISDIR(old->mode) && S_ISDIR(n->mode)) {
		old->mode = n->mode;
		old->mtime_sec = n->mtime_sec;
		old->mtime_nsec = n->mtime_nsec;
		return;
	}
	if (!old->is_default || S_ISDIR(old->mode))
		builder_die(1, n->origin, "packed twice at one path", old->origin);
	for (size_t i = 0; i < dir->nkids; i++)
		if (dir->kids[i] == old)
			dir->kids[i] = n;
	n->parent = dir;
}

/* Splits "/a/b/c" into the directory "/a/b" (made) and "c". */
static struct pnode *parent_and_name(struct builder_files *t, const char *guest, const char *origin,
				     const char **name)
{
	char *copy = builder_xstrdup(guest), *slash = strrchr(copy, '/');
	*slash = 0;
	*name = guest + (slash - copy) + 1;
	struct pnode *dir = dir_at(t, copy, origin);
	free(copy);
	return dir;
}

static void set_time(struct pnode *n, const struct stat *st)
{
	n->mtime_sec = st->st_mtim.tv_sec;
	n->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
}

void builder_files_add_data(struct builder_files *t, const char *guest, uint32_t mode,
			    const char *data, uint64_t size, int is_default)
{
	const char *name;
	check_guest_path(guest, guest);
	struct pnode *dir = parent_and_name(t, guest, guest, &name);
	struct pnode *n = node_new(name, mode, is_default ? "hut's default" : guest);
	n->data = data;
	n->size = size;
	n->is_default = is_default;
	place(t, dir, n);
}

/* One host file (lstat's st) as name under dir. */
static struct pnode *from_host(const char *path, const char *name, const struct stat *st)
{
	char *origin = builder_xstrdup(path);
	struct pnode *n = node_new(name, st->st_mode & (S_IFMT | 07777), origin);
	set_time(n, st);
	if (S_ISREG(st->st_mode)) {
		n->source = origin;
		n->size = (uint64_t)st->st_size;
	} else if (S_ISLNK(st->st_mode)) {
		char *target = builder_xmalloc(HUT_FILES_LINK_MAX + 2);
		ssize_t len = readlink(path, target, HUT_FILES_LINK_MAX + 1);
		if (len <= 0 || len > HUT_FILES_LINK_MAX)
			builder_die(1, path, "cannot read the symlink",
				    len < 0 ? strerror(errno) : "target too long");
		n->data = target;
		n->size = (uint64_t)len;
	} else if (!S_ISDIR(st->st_mode)) {
		builder_die(1, path, "cannot pack it",
			    "only regular files, directories and symlinks can be packed");
	}
	return n;
}

static void add_tree(struct builder_files *t, struct pnode *dir, const char *host)
{
	DIR *d = opendir(host);
	struct dirent *e;
	if (!d)
		builder_die(1, host, "cannot read the directory", strerror(errno));
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *path = builder_xasprintf("%s/%s", host, e->d_name);
		if (lstat(path, &st) != 0)
			builder_die(1, path, "cannot read", strerror(errno));
		if (strlen(e->d_name) > HUT_FILES_NAME_MAX)
			builder_die(1, path, "name too long to pack", "255 bytes at most");
		struct pnode *n = from_host(path, e->d_name, &st);
		place(t, dir, n);
		if (S_ISDIR(st.st_mode))
			add_tree(t, child(dir, e->d_name, strlen(e->d_name)), path);
		free(path);
	}
	closedir(d);
}

void builder_files_add_dir(struct builder_files *t, const char *host, const char *guest)
{
	struct stat st;
	check_guest_path(guest, host);
	if (stat(host, &st) != 0)
		builder_die(1, host, "cannot pack", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		builder_die(1, host, "not a directory", "--files takes a directory; use --file");
	struct pnode *dir = dir_at(t, guest, host);
	dir->mode = S_IFDIR | (st.st_mode & 07777);
	set_time(dir, &st);
	add_tree(t, dir, host);
}

void builder_files_add_file(struct builder_files *t, const char *src, const char *dest)
{
	struct stat st;
	const char *name;
	check_guest_path(dest, src);
	if (stat(src, &st) != 0)
		builder_die(1, src, "cannot pack", strerror(errno));
	if (!S_ISREG(st.st_mode))
		builder_die(1, src, "not a regular file", "--file packs one file; use --files");
	if (dest[strlen(dest) - 1] == '/' || strlen(dest) == 1)
		builder_die(BUILDER_EXIT_USAGE, src, "DEST must name the file", dest);
	struct pnode *dir = parent_and_name(t, dest, src, &name);
	place(t, dir, from_host(src, name, &st));
}

/* --- writing the blob ------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct pnode *const *)a)->name, (*(struct pnode *const *)b)->name);
}

/* Numbers the nodes breadth first (parents before children), each
 * directory's entries sorted. */
static struct pnode **number(struct builder_files *t)
{
	struct pnode **order = builder_xmalloc(t->count * sizeof *order);
	size_t n = 0;
	order[n++] = t->root;
	for (size_t i = 0; i < n; i++) {
		struct pnode *d = order[i];
		d->index = (uint32_t)i;
		qsort(d->kids, d->nkids, sizeof *d->kids, by_name);
		for (size_t k = 0; k < d->nkids; k++)
			order[n++] = d->kids[k];
	}
	return order;
}

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~7ull;
}

struct layout {
	uint64_t nodes, entries, names, data, end;
};

static struct layout plan(struct pnode **order, size_t count)
{
	struct layout l;
	uint64_t entries = 0, names = 0, data = 0;
	for (size_t i = 0; i < count; i++) {
		entries += order[i]->nkids;
		for (size_t k = 0; k < order[i]->nkids; k++)
			names += strlen(order[i]->kids[k]->name);
		if (!S_ISDIR(order[i]->mode))
			data += align8(order[i]->size);
	}
	l.nodes = align8(sizeof(struct hut_files_header));
	l.entries = l.nodes + count * sizeof(struct hut_files_node);
	l.names = l.entries + entries * sizeof(struct hut_files_entry);
	l.data = align8(l.names + names);
	l.end = l.data + data;
	return l;
}

static void put(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		builder_die(1, path, "cannot write", strerror(errno));
}

static void pad8(FILE *f, const char *path)
{
	static const char zeros[8];
	long at = ftell(f);
	put(f, zeros, (size_t)(align8((uint64_t)at) - (uint64_t)at), path);
}

/* A host file's bytes, exactly as many as it had when it was packed. */
static void copy_file(FILE *out, const struct pnode *n, const char *path)
{
	FILE *in = fopen(n->source, "rb");
	char buf[65536];
	uint64_t left = n->size;
	if (!in)
		builder_die(1, n->source, "cannot read", strerror(errno));
	while (left > 0) {
		size_t got = fread(buf, 1, left < sizeof buf ? left : sizeof buf, in);
		if (got == 0)
			builder_die(1, n->source, "changed while being packed", "it got shorter");
		put(out, buf, got, path);
		left -= got;
	}
	fclose(in);
}

static void write_blob(struct builder_files *t, FILE *f, const char *path)
{
	struct pnode **order = number(t);
	struct layout l = plan(order, t->count);
	uint64_t entry = l.entries, name = l.names, data = l.data;
	struct hut_files_header h = {HUT_FILES_MAGIC, HUT_FILES_VERSION, (uint32_t)t->count,
				     l.nodes, l.end};
	if (l.end > HUT_MEM_MAX)
		builder_die(1, path, "too much to pack",
			    "the files exceed the largest guest memory");
	put(f, &h, sizeof h, path);
	pad8(f, path);
	for (size_t i = 0; i < t->count; i++) { /* the node table */
		const struct pnode *n = order[i];
		uint32_t parent = S_ISDIR(n->mode) && n->parent ? n->parent->index : 0;
		struct hut_files_node out = {n->mode,	   parent,	  n->size, data,
					     n->mtime_sec, n->mtime_nsec, 0};
		if (S_ISDIR(n->mode)) {
			out.size = n->nkids;
			out.offset = entry;
			entry += n->nkids * sizeof(struct hut_files_entry);
		} else {
			data += align8(n->size);
		}
		put(f, &out, sizeof out, path);
	}
	for (size_t i = 0; i < t->count; i++) /* each directory's entries */
		for (size_t k = 0; k < order[i]->nkids; k++) {
			const struct pnode *c = order[i]->kids[k];
			struct hut_files_entry e = {c->index, (uint32_t)strlen(c->name), name};
			name += e.name_len;
			put(f, &e, sizeof e, path);
		}
	for (size_t i = 0; i < t->count; i++)
		for (size_t k = 0; k < order[i]->nkids; k++)
			put(f, order[i]->kids[k]->name, strlen(order[i]->kids[k]->name), path);
	pad8(f, path);
	for (size_t i = 0; i < t->count; i++) {
		const struct pnode *n = order[i];
		if (n->source)
			copy_file(f, n, path);
		else if (!S_ISDIR(n->mode))
			put(f, n->data, n->size, path);
		if (!S_ISDIR(n->mode))
			pad8(f, path);
	}
	free(order);
}

/* Escapes a path for an assembler string. */
static char *quoted(const char *s)
{
	char *q = builder_xmalloc(2 * strlen(s) + 1), *p = q;
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = 0;
	return q;
}

void builder_files_write(struct builder_files *t, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		builder_die(1, path, "cannot create", strerror(errno));
	write_blob(t, f, path);
	if (fclose(f) != 0)
		builder_die(1, path, "cannot write", strerror(errno));
}

const char *builder_files_source(struct builder_files *t, const char *image)
{
	const char *blob = builder_temp_file(image, ".files");
	const char *src = builder_temp_file(image, "-files.S");
	FILE *f;
	builder_files_write(t, blob);
	if (!(f = fopen(src, "w")))
		builder_die(1, src, "cannot create", strerror(errno));
	fprintf(f,
		"/* The packed files (builder/files.c), in the read-only data. */\n"
		"\t.section .hut.files, \"a\"\n\t.balign 8\n"
		"\t.globl " HUT_SYM_FILES "\n" HUT_SYM_FILES ":\n"
		"\t.incbin \"%s\"\n"
		"\t.globl " HUT_SYM_FILES_END "\n" HUT_SYM_FILES_END ":\n"
		"\t.section .note.GNU-stack, \"\", @progbits\n",
		quoted(blob));
	if (fclose(f) != 0)
		builder_die(1, src, "cannot write", strerror(errno));
	return src;
}
