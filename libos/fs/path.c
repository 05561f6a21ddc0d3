/*
 * Path resolution. A path from the app becomes a canonical absolute path
 * (struct hut_path) in one of two ways:
 *  - as written: "." and empty components dropped, appended to the start
 *    directory. Right whenever no component is a symlink, which the file
 *    system tells us (-HUT_ESYMLINK) when it is not so. Paths with ".."
 *    or a trailing slash never take this way: both depend on what the
 *    components are.
 *  - exactly: component by component, asking the file system what each is
 *    (lstat), following symlinks (at most HUT_SYMLOOP_MAX), popping ".."
 *    off the canonical path, which is right because every component in it
 *    is a real directory by then.
 * Each way yields a canonical path in which every directory is real, so a
 * mount is found by its path alone.
 */
#include "vfs.h"

#include "mem/mem.h"

#include <errno.h>
#include <fcntl.h>

/* The arrays last, the largest (path's canon) at the end: what every walk
 * touches is then within its first pages. */
struct walk {
	struct stat dir; /* the directory walked into last (dir_known) */
	int dir_known;
	char user[HUT_PATH_MAX]; /* the app's path */
	char rest[HUT_PATH_MAX]; /* what is left to walk, symlink targets spliced in */
	char link[HUT_PATH_MAX];
	struct hut_path path;
};

/* Two: rename and link resolve two paths at once. The libos is one thread
 * and never reenters itself, so shared buffers are safe. They come from the
 * arena at the first path, not from the image's .bss (156 KiB the monitor
 * backs with host memory at boot, whole): a walk touches only the pages its
 * path reaches. */
#define WALKS 2
static struct walk *walks;

static struct walk *walk_buffer(int slot)
{
	if (!walks)
		walks = hut_pages_alloc((WALKS * sizeof *walks + HUT_PAGE_SIZE - 1) /
					HUT_PAGE_SIZE);
	return walks ? &walks[slot] : NULL;
}

long hut_file_set_path(struct hut_file *f, const struct hut_path *p)
{
	char *copy = hut_kstrndup(p->canon, p->len);
	if (!copy)
		return -ENOMEM;
	if (!f->path)
		hut_paths_hold(f);
	hut_kfree(f->path, f->path_len + 1);
	f->path = copy;
	f->path_len = (uint32_t)p->len;
	return 0;
}

long hut_path_start(long dirfd, const char **dir, size_t *len)
{
	if (dirfd == AT_FDCWD) {
		if (hut_cwd_gone)
			return -ENOENT;
		*dir = hut_cwd;
		*len = hut_cwd_len;
		return 0;
	}
	const struct hut_file *f = hut_fd_file(dirfd);
	if (!f)
		return -EBADF;
	if (!(f->kind & HUT_KIND_DIR) || !f->path)
		return -ENOTDIR;
	if (f->path_gone)
		return -ENOENT;
	*dir = f->path;
	*len = f->path_len;
	return 0;
}

void hut_path_split(struct hut_path *p)
{
	p->mount = hut_mount_of(p->canon, p->len, &p->rel);
}

struct hut_file *hut_path_fd_link(struct hut_path *p)
{
	const char *rel;
	struct hut_mount *m = hut_mount_of(p->canon, p->len, &rel);
	return m->ops->fd_link ? m->ops->fd_link(m, rel) : NULL;
}

/* The canonical path grows in p->canon; the root is kept as "" while
 * walking (so that appending never makes "//") and becomes "/" at the end. */
static void set_start(struct hut_path *p, const char *start, size_t len, const char *user)
{
	p->len = 0;
	if (user[0] != '/' && len > 1) {
		hut_memcpy(p->canon, start, len);
		p->len = len;
	}
	p->canon[p->len] = 0;
}

static long append(struct hut_path *p, const char *name, size_t n)
{
	if (n > HUT_FNAME_MAX || p->len + 1 + n >= HUT_CANON_MAX)
		return -ENAMETOOLONG;
	p->canon[p->len++] = '/';
	hut_memcpy(p->canon + p->len, name, n);
	p->len += n;
	p->canon[p->len] = 0;
	return 0;
}

static void pop(struct hut_path *p)
{
	while (p->len > 0 && p->canon[p->len - 1] != '/')
		p->len--;
	if (p->len > 0)
		p->len--;
	p->canon[p->len] = 0;
}

static void finish(struct hut_path *p)
{
	if (p->len == 0) {
		p->canon[0] = '/';
		p->canon[1] = 0;
		p->len = 1;
	}
	hut_path_split(p);
}

/* The next component of s from *i on: its start and length; 0 at the end. */
static size_t next_component(const char *s, size_t *i, const char **name)
{
	while (s[*i] == '/')
		(*i)++;
	*name = s + *i;
	while (s[*i] && s[*i] != '/')
		(*i)++;
	return (size_t)(s + *i - *name);
}

static int is_dots(const char *name, size_t n, int dots)
{
	return n == (size_t)dots && name[0] == '.' && (dots == 1 || name[1] == '.');
}

/* The way as written. Returns 1 when the path needs the exact walk. */
static long as_written(struct hut_path *p, const char *start, size_t start_len, const char *user)
{
	size_t i = 0, n, ulen = hut_strlen(user);
	const char *name;
	long r;
	set_start(p, start, start_len, user);
	p->must_dir = 0;
	if (ulen > 1 && user[ulen - 1] == '/')
		return 1;
	while ((n = next_component(user, &i, &name)) != 0) {
		if (is_dots(name, n, 2) || (is_dots(name, n, 1) && user[i] == 0 && ulen > 1))
			return 1;
		if (is_dots(name, n, 1))
			continue;
		if ((r = append(p, name, n)) != 0)
			return r;
	}
	finish(p);
	return 0;
}

static long read_link(struct walk *w, size_t *len)
{
	const char *rel;
	struct hut_mount *m = hut_mount_of(w->path.canon, w->path.len, &rel);
	long n = m->ops->readlink ? m->ops->readlink(m, rel, w->link, HUT_PATH_MAX - 1) : -EINVAL;
	if (n < 0)
		return n;
	if (n == 0)
		return -ENOENT;
	w->link[n] = 0;
	*len = (size_t)n;
	return 0;
}

/* rest = link + "/" + what followed the symlink in rest (from after). */
static long splice(struct walk *w, size_t link_len, size_t after)
{
	size_t tail = hut_strlen(w->rest + after);
	if (link_len + 1 + tail >= HUT_PATH_MAX)
		return -ENAMETOOLONG;
	/* Move the tail first (it may overlap its new place); link and rest
	 * are separate buffers. */
	hut_memmove(w->rest + link_len + 1, w->rest + after, tail + 1);
	hut_memcpy(w->rest, w->link, link_len);
	w->rest[link_len] = '/';
	return 0;
}

/* One real component, name, appended to the canonical path. Returns 0 to
 * go on, 1 when a symlink was spliced into rest (walk again from 0), or
 * -errno. *i is where the walk resumes in rest. */
static long step(struct walk *w, const char *name, size_t n, size_t *i, int last, int follow,
		 int *links)
{
	struct hut_path *p = &w->path;
	size_t parent_len = p->len, link_len;
	struct stat st;
	long r = append(p, name, n);
	w->dir_known = 0;
	if (r != 0)
		return r;
	if (last && !follow)
		return 0;
	r = hut_vfs_lstat(p->canon, p->len, &st);
	if (r == -ENOENT && last)
		return 0; /* the op decides: create it, or ENOENT */
	if (r != 0)
		return r;
	if (S_ISLNK(st.st_mode) && last && hut_path_fd_link(p))
		return 0; /* the op serves the file the link stands for */
	if (S_ISLNK(st.st_mode)) {
		if (++*links > HUT_SYMLOOP_MAX)
			return -ELOOP;
		if ((r = read_link(w, &link_len)) != 0 || (r = splice(w, link_len, *i)) != 0)
			return r;
		p->len = parent_len;
		if (w->link[0] == '/')
			p->len = 0;
		p->canon[p->len] = 0;
		*i = 0;
		return 1;
	}
	if ((!last || p->must_dir) && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	w->dir = st;
	w->dir_known = S_ISDIR(st.st_mode);
	return 0;
}

/* Search permission on the directory the walk stands in, before each
 * component, as Linux's may_lookup. */
static long may_search(struct walk *w)
{
	struct hut_path *p = &w->path;
	if (!w->dir_known) {
		long r = p->len ? hut_vfs_lstat(p->canon, p->len, &w->dir)
				: hut_vfs_lstat("/", 1, &w->dir);
		if (r != 0)
			return r;
		w->dir_known = 1;
	}
	return hut_perm(&w->dir, HUT_MAY_EXEC);
}

static int at_end(const char *s, size_t i)
{
	while (s[i] == '/')
		i++;
	return s[i] == 0;
}

/* The exact way. A trailing slash (or a last "."): the last component must
 * be a directory, so it is followed whatever follow says. check: search
 * permission is checked on every directory walked through. */
static long exact(struct walk *w, const char *start, size_t start_len, int follow, int check)
{
	struct hut_path *p = &w->path;
	size_t i = 0, n, ulen = hut_strlen(w->user);
	const char *name;
	int links = 0;
	long r;
	hut_memcpy(w->rest, w->user, ulen + 1);
	set_start(p, start, start_len, w->user);
	p->must_dir = ulen > 1 && (w->user[ulen - 1] == '/' ||
				   (w->user[ulen - 1] == '.' && w->user[ulen - 2] == '/'));
	w->dir_known = 0;
	while ((n = next_component(w->rest, &i, &name)) != 0) {
		int last = at_end(w->rest, i);
		if (check && (r = may_search(w)) != 0)
			return r;
		if (is_dots(name, n, 1))
			continue;
		if (is_dots(name, n, 2)) {
			pop(p);
			w->dir_known = 0;
			continue;
		}
		r = step(w, name, n, &i, last, follow || (last && p->must_dir), &links);
		if (r < 0)
			return r;
	}
	finish(p);
	return 0;
}

/* 1 if the last component of the written path is ".", 2 if "..". */
static int last_dots(const char *user)
{
	size_t n = hut_strlen(user);
	while (n > 1 && user[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && user[start - 1] != '/')
		start--;
	if (n - start == 1 && user[start] == '.')
		return 1;
	if (n - start == 2 && user[start] == '.' && user[start + 1] == '.')
		return 2;
	return 0;
}

long hut_path_run(int slot, long dirfd, const char *upath, int walk, hut_path_fn fn, void *ctx)
{
	struct walk *w = walk_buffer(slot);
	if (!w)
		return -ENOMEM;
	const char *start = "/";
	size_t start_len = 1;
	long r = hut_user_string(upath, w->user, HUT_PATH_MAX);
	if (r <= 0)
		return r == 0 ? -ENOENT : r;
	if (w->user[0] != '/' && (r = hut_path_start(dirfd, &start, &start_len)) != 0)
		return r;
	w->path.exact = 0;
	w->path.last_dots = last_dots(w->user);
	/* A caller who may not search every directory walks exactly, checking
	 * each one: the way as written would not see them. */
	int check = !hut_cred_searches_all();
	r = check ? 1 : as_written(&w->path, start, start_len, w->user);
	if (r < 0)
		return r;
	if (r == 0) {
		r = fn(&w->path, ctx);
		if (r != -HUT_ESYMLINK)
			return r;
	}
	if ((r = exact(w, start, start_len, walk & HUT_WALK_FOLLOW, check)) != 0)
		return r;
	w->path.exact = 1;
	r = fn(&w->path, ctx);
	return r == -HUT_ESYMLINK ? -ELOOP : r;
}
