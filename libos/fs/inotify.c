/*
 * inotify: an fd that reads struct inotify_event records for the watches
 * it holds, as inotify(7) says. A watch is a canonical path (the VFS is
 * path-based, fs/notify.c): an event on the object at P reaches the
 * watches on P (its own events, no name) and on P's directory (with P's
 * last component as the name): each event kind goes where Linux sends it
 * (CREATE, DELETE and the MOVED_* halves to the directory only;
 * DELETE_SELF and MOVE_SELF to the object only). A moved object's watches
 * follow it; a deleted one's end with IN_IGNORED. Consecutive identical
 * events are coalesced, and a full queue ends with one IN_Q_OVERFLOW, as
 * Linux does.
 *
 * What a path cannot see as an inode would: a file reached by another hard
 * link is another object here; and events are the guest's own: what the
 * host changes on a volume is not seen.
 */
#include "vfs.h"

#include <errno.h>
#include <sys/ioctl.h>

#define IN_ALL_EVENTS 0x00000fff
#define IN_UNMOUNT 0x00002000
#define IN_Q_OVERFLOW 0x00004000
#define IN_IGNORED 0x00008000
#define IN_ONLYDIR 0x01000000
#define IN_DONT_FOLLOW 0x02000000
#define IN_EXCL_UNLINK 0x04000000
#define IN_MASK_CREATE 0x10000000
#define IN_MASK_ADD 0x20000000
#define IN_ONESHOT 0x80000000
#define IN_FLAGS                                                                                   \
	(IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT)
#define QUEUE_MAX 16384 /* /proc/sys/fs/inotify/max_queued_events */
#define EVENT_HEADER 16 /* struct inotify_event without its name */

/* Only the directory hears these; only the object hears those. */
#define FOR_DIRECTORY (HUT_NOTE_CREATE | HUT_NOTE_DELETE | HUT_NOTE_MOVED_FROM | HUT_NOTE_MOVED_TO)
#define FOR_SELF (HUT_NOTE_DELETE_SELF | HUT_NOTE_MOVE_SELF)

struct watch {
	int32_t wd;
	uint32_t mask; /* events and IN_ONESHOT */
	char *path;
	size_t len;
	uint64_t dev, ino; /* the object's, when the watch was added */
	struct watch *next;
};

struct queued {
	struct queued *next;
	uint32_t size; /* of the record: header and padded name */
	struct {
		int32_t wd;
		uint32_t mask, cookie, len;
	} head;
	char name[]; /* len bytes, NUL-padded */
};

struct inotify {
	struct watch *watches;
	struct queued *first, *last;
	uint32_t count;
	uint64_t bytes;
	int32_t last_wd;
	struct hut_file *f;
	struct inotify *next;
};

static struct inotify *all;
static const struct hut_file_ops inotify_ops;

/* name (name_len bytes) is q's, which is padded with NULs after it. */
static int same_name(const struct queued *q, const char *name, size_t name_len)
{
	return name_len < q->head.len && hut_memcmp(q->name, name, name_len) == 0 &&
	       !q->name[name_len];
}

/* Queues one event, unless it repeats the last one (Linux merges those). */
static void queue(struct inotify *in, int32_t wd, uint32_t mask, uint32_t cookie, const char *name,
		  size_t name_len)
{
	uint32_t len =
		name_len ? (uint32_t)((name_len + EVENT_HEADER) & ~(size_t)(EVENT_HEADER - 1)) : 0;
	struct queued *l = in->last;
	if (l && l->head.wd == wd && l->head.mask == mask && l->head.cookie == cookie &&
	    l->head.len == len && (len == 0 || same_name(l, name, name_len)))
		return;
	if (in->count >= QUEUE_MAX) {
		if (l && l->head.mask == IN_Q_OVERFLOW)
			return;
		wd = -1, mask = IN_Q_OVERFLOW, cookie = 0, len = 0, name_len = 0;
	}
	struct queued *q = hut_kalloc(sizeof *q + len);
	if (!q)
		return;
	q->size = EVENT_HEADER + len;
	q->head.wd = wd;
	q->head.mask = mask;
	q->head.cookie = cookie;
	q->head.len = len;
	hut_memcpy(q->name, name, name_len);
	if (l)
		l->next = q;
	else
		in->first = q;
	in->last = q;
	in->count++;
	in->bytes += q->size;
	hut_file_changed(in->f, HUT_POLLIN);
}

static void watch_free(struct watch *w)
{
	hut_kfree(w->path, w->len + 1);
	hut_kfree(w, sizeof *w);
}

/* The watch goes, and IN_IGNORED says so. */
static void watch_end(struct inotify *in, struct watch *w)
{
	struct watch **pp = &in->watches;
	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
	queue(in, w->wd, IN_IGNORED, 0, NULL, 0);
	watch_free(w);
}

/* Where the last component of path starts (after its '/'). */
static size_t last_component(const char *path, size_t len)
{
	size_t i = len;
	while (i > 0 && path[i - 1] != '/')
		i--;
	return i;
}

static int is_path(const struct watch *w, const char *path, size_t len)
{
	return w->len == len && hut_memcmp(w->path, path, len) == 0;
}

/* Watches at old or below it now watch the same objects under new. */
static void follow_move(struct inotify *in, const struct hut_fs_event *e)
{
	for (struct watch *w = in->watches; w; w = w->next) {
		if (w->len < e->len || hut_memcmp(w->path, e->path, e->len) != 0 ||
		    (w->len > e->len && w->path[e->len] != '/'))
			continue;
		size_t len = e->to_len + (w->len - e->len);
		char *p = hut_kalloc(len + 1);
		if (!p)
			continue;
		hut_memcpy(p, e->to, e->to_len);
		hut_memcpy(p + e->to_len, w->path + e->len, w->len - e->len);
		hut_kfree(w->path, w->len + 1);
		w->path = p;
		w->len = len;
	}
}

static void deliver(struct inotify *in, struct watch *w, const struct hut_fs_event *e,
		    const char *name, size_t name_len)
{
	uint32_t what = e->mask & IN_ALL_EVENTS;
	if (!(what & w->mask))
		return;
	queue(in, w->wd, what | (e->mask & HUT_NOTE_ISDIR), e->cookie, name, name_len);
	if (w->mask & IN_ONESHOT)
		watch_end(in, w);
	else if (what & HUT_NOTE_DELETE_SELF)
		watch_end(in, w);
}

/* The directory's watches first, then the object's, as Linux sends them. */
static void hear_one(struct inotify *in, const struct hut_fs_event *e)
{
	size_t base = last_component(e->path, e->len);
	size_t dir_len = base > 1 ? base - 1 : base;
	uint32_t what = e->mask & IN_ALL_EVENTS;
	struct watch *w, *next;
	if (base > 0 && !(what & FOR_SELF) && !(e->mask & HUT_NOTE_SELF_ONLY))
		for (w = in->watches; w; w = next) {
			next = w->next;
			if (is_path(w, e->path, dir_len) && dir_len < e->len)
				deliver(in, w, e, e->path + base, e->len - base);
		}
	if (!(what & FOR_DIRECTORY))
		for (w = in->watches; w; w = next) {
			next = w->next;
			if (e->ino ? w->ino == e->ino && w->dev == e->dev
				   : is_path(w, e->path, e->len))
				deliver(in, w, e, NULL, 0);
		}
	if (what & HUT_NOTE_MOVE_SELF)
		follow_move(in, e);
}

static void hear(void *arg)
{
	const struct hut_fs_event *e = arg;
	for (struct inotify *in = all; in; in = in->next)
		hear_one(in, e);
}

/* --- the fd ----------------------------------------------------------------- */

static int has_events(void *arg)
{
	const struct inotify *in = arg;
	return in->first != NULL;
}

static long inotify_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct inotify *in = f->priv;
	uint64_t room = hut_iov_total(iov, iovcnt), done = 0;
	(void)off;
	if (!in->first) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = hut_wait(has_events, in, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r != 0)
			return r;
	}
	if (in->first->size > room)
		return -EINVAL;
	while (in->first && in->first->size <= room - done) {
		struct queued *q = in->first;
		hut_iov_copy_out(iov, iovcnt, done, &q->head, EVENT_HEADER);
		hut_iov_copy_out(iov, iovcnt, done + EVENT_HEADER, q->name, q->head.len);
		done += q->size;
		in->first = q->next;
		if (!in->first)
			in->last = NULL;
		in->count--;
		in->bytes -= q->size;
		hut_kfree(q, sizeof *q + q->head.len);
	}
	return (long)done;
}

static long inotify_ioctl(struct hut_file *f, unsigned long request, long arg)
{
	const struct inotify *in = f->priv;
	if (request != FIONREAD)
		return -EINVAL;
	if (!hut_user_writable((void *)arg, sizeof(int)))
		return -EFAULT;
	*(int *)arg = (int)in->bytes;
	return 0;
}

static uint32_t inotify_poll(struct hut_file *f)
{
	const struct inotify *in = f->priv;
	return in->first ? HUT_POLLIN | HUT_POLLRDNORM : 0;
}

static void inotify_release(struct hut_file *f)
{
	struct inotify *in = f->priv, **pp = &all;
	while (*pp != in)
		pp = &(*pp)->next;
	*pp = in->next;
	while (in->watches) {
		struct watch *w = in->watches;
		in->watches = w->next;
		watch_free(w);
	}
	while (in->first) {
		struct queued *q = in->first;
		in->first = q->next;
		hut_kfree(q, sizeof *q + q->head.len);
	}
	hut_kfree(in, sizeof *in);
}

static const struct hut_file_ops inotify_ops = {
	.anon_name = "inotify",
	.read = inotify_read,
	.stat = hut_anon_inode_stat,
	.ioctl = inotify_ioctl,
	.poll = inotify_poll,
	.release = inotify_release,
};

long hut_inotify_open(long flags)
{
	struct inotify *in = hut_kalloc(sizeof *in);
	if (!in)
		return -ENOMEM;
	struct hut_file *f = hut_anon_file(&inotify_ops, O_RDONLY | (uint32_t)(flags & O_NONBLOCK),
					   in, sizeof *in);
	if (!f)
		return -ENOMEM;
	in->f = f;
	in->next = all;
	all = in;
	hut_fs_on_note(hear);
	return hut_fd_install(f, 0, (flags & O_CLOEXEC) != 0);
}

static struct inotify *instance(long fd, long *err)
{
	struct hut_file *f = hut_fd_file(fd);
	*err = !f ? -EBADF : f->ops != &inotify_ops ? -EINVAL : 0;
	return *err ? NULL : f->priv;
}

struct add_request {
	struct inotify *in;
	uint32_t mask;
	int follow;
};

static long add_resolved(struct hut_path *p, void *ctx)
{
	struct add_request *q = ctx;
	struct stat st;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	if (r != 0)
		return r;
	if (S_ISLNK(st.st_mode) && q->follow)
		return -HUT_ESYMLINK;
	if ((q->mask & IN_ONLYDIR) && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	uint32_t events = q->mask & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
	for (struct watch *w = q->in->watches; w; w = w->next) {
		if (!is_path(w, p->canon, p->len))
			continue;
		if (q->mask & IN_MASK_CREATE)
			return -EEXIST;
		w->mask = (q->mask & IN_MASK_ADD) ? w->mask | events : events;
		return w->wd;
	}
	struct watch *w = hut_kalloc(sizeof *w);
	char *path = hut_kstrndup(p->canon, p->len);
	if (!w || !path) {
		hut_kfree(w, sizeof *w);
		hut_kfree(path, p->len + 1);
		return -ENOMEM;
	}
	*w = (struct watch){++q->in->last_wd, events,	 path,		p->len,
			    st.st_dev,	      st.st_ino, q->in->watches};
	q->in->watches = w;
	return w->wd;
}

long hut_inotify_add_watch(long fd, const char *path, uint32_t mask)
{
	long err;
	if (!(mask & (IN_ALL_EVENTS | IN_FLAGS)))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	struct add_request q = {instance(fd, &err), mask, !(mask & IN_DONT_FOLLOW)};
	if (!q.in)
		return err;
	return hut_path_run(0, AT_FDCWD, path, q.follow ? HUT_WALK_FOLLOW : 0, add_resolved, &q);
}

long hut_inotify_rm_watch(long fd, int32_t wd)
{
	long err;
	struct inotify *in = instance(fd, &err);
	if (!in)
		return err;
	for (struct watch *w = in->watches; w; w = w->next) {
		if (w->wd == wd) {
			watch_end(in, w);
			return 0;
		}
	}
	return -EINVAL;
}
