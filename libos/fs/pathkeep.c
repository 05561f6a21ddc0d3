/*
 * Open directories and files are named by path (the VFS is path-based:
 * fs/vfs.h), so a dirfd, the cwd and /proc/self/fd must follow what the
 * app does to the tree, as Linux's, which hold the inode, do: after
 * rename("a", "b") a dirfd opened on "a" names "b", and openat(dirfd, "f",
 * O_CREAT) creates "b/f" even if a new "a" was made since; after rmdir or
 * unlink, the path no longer names the file (gone: lookups from it are
 * ENOENT, /proc shows "(deleted)"). Every successful rename, rmdir and
 * unlink in the guest comes through here and visits each description that
 * holds a path once (a list of them), and the running process's cwd.
 *
 * What a path cannot follow: changes the host makes to a volume's tree
 * while the guest runs, and the cwd of a process that is not running
 * (saved with it: cwd.c).
 */
#include "vfs.h"

/* Whether path lies at or under dir (whole components). */
static int under(const char *path, size_t len, const char *dir, size_t dir_len)
{
	if (dir_len == 1)
		return 1;
	return len >= dir_len && !hut_memcmp(path, dir, dir_len) &&
	       (len == dir_len || path[dir_len] == '/');
}

/* Replaces the first old_len bytes of *path (len) by to; 0 or -1 (no memory: the
 * path is left as it was). */
static int replace_prefix(char **path, uint32_t *len, size_t old_len, const char *to, size_t to_len)
{
	size_t rest = *len - old_len, n = to_len + rest;
	char *p = hut_kalloc(n + 1);
	if (!p)
		return -1;
	hut_memcpy(p, to, to_len);
	hut_memcpy(p + to_len, *path + old_len, rest);
	p[n] = 0;
	hut_kfree(*path, *len + 1);
	*path = p;
	*len = (uint32_t)n;
	return 0;
}

/* The path of an open description after rename(from, to) (or their
 * exchange). */
static void rename_one(struct hut_file *f, const char *from, size_t from_len, const char *to,
		       size_t to_len, int exchange)
{
	if (!f->path || f->path_gone)
		return;
	if (under(f->path, f->path_len, from, from_len))
		replace_prefix(&f->path, &f->path_len, from_len, to, to_len);
	else if (exchange && under(f->path, f->path_len, to, to_len))
		replace_prefix(&f->path, &f->path_len, to_len, from, from_len);
	else if (!exchange && f->path_len == to_len && !hut_memcmp(f->path, to, to_len))
		f->path_gone = 1; /* what to named was replaced */
}

static void cwd_renamed(const char *from, size_t from_len, const char *to, size_t to_len,
			int exchange)
{
	static char moved[HUT_CANON_MAX];
	const char *base = NULL;
	size_t base_len = 0, skip = 0;
	if (hut_cwd_gone)
		return;
	if (under(hut_cwd, hut_cwd_len, from, from_len)) {
		base = to, base_len = to_len, skip = from_len;
	} else if (exchange && under(hut_cwd, hut_cwd_len, to, to_len)) {
		base = from, base_len = from_len, skip = to_len;
	} else {
		if (!exchange && hut_cwd_len == to_len && !hut_memcmp(hut_cwd, to, to_len))
			hut_cwd_gone = 1;
		return;
	}
	size_t n = base_len + hut_cwd_len - skip;
	if (n >= HUT_CANON_MAX)
		return;
	hut_memcpy(moved, base, base_len);
	hut_memcpy(moved + base_len, hut_cwd + skip, hut_cwd_len - skip);
	hut_cwd_set(moved, n);
}

/* Every description that holds a path, in every process's fd table or
 * none (a mapping, SCM_RIGHTS in flight): a list, so that a rename reaches
 * them all without walking fd tables, some of which are saved away with
 * their process. */
static struct hut_file *holders;

static void let_go(void *arg)
{
	struct hut_file *f = arg;
	if (!f->path)
		return;
	if (f->path_prev)
		f->path_prev->path_next = f->path_next;
	else if (holders == f)
		holders = f->path_next;
	if (f->path_next)
		f->path_next->path_prev = f->path_prev;
}

void hut_paths_hold(struct hut_file *f)
{
	hut_file_on_release(let_go); /* registering twice is harmless */
	f->path_prev = NULL;
	f->path_next = holders;
	if (holders)
		holders->path_prev = f;
	holders = f;
}

void hut_paths_renamed(const char *from, size_t from_len, const char *to, size_t to_len,
		       int exchange)
{
	if (from_len == to_len && !hut_memcmp(from, to, to_len))
		return;
	for (struct hut_file *f = holders; f; f = f->path_next)
		rename_one(f, from, from_len, to, to_len, exchange);
	cwd_renamed(from, from_len, to, to_len, exchange);
}

void hut_paths_removed(const char *path, size_t len)
{
	for (struct hut_file *f = holders; f; f = f->path_next)
		if (f->path_len == len && !hut_memcmp(f->path, path, len))
			f->path_gone = 1;
	if (hut_cwd_len == len && !hut_memcmp(hut_cwd, path, len))
		hut_cwd_gone = 1;
}
