/*
 * File locks between the processes of the appliance. POSIX record locks
 * (F_SETLK) belong to a process: its own never conflict with each other,
 * another's do; F_GETLK names the holder's pid; they go when the process
 * closes any fd to the file (its end closes them all), as Linux's.
 * Open-file-description locks (F_OFD_SETLK) and flock() locks belong to
 * an open file description, shared after fork and dup, so two opens of one
 * file conflict, and they go when the description is released.
 *
 * F_SETLKW, F_OFD_SETLKW and a flock() without LOCK_NB wait (a signal
 * interrupts them: EINTR) until no conflicting lock is left; every unlock
 * and release is progress that ends such waits (hut_sched_progress). A
 * POSIX wait that would close a circle (the holder waits, directly or
 * through others, for a lock the caller holds) fails with EDEADLK instead,
 * as Linux finds it; OFD and flock waits are not checked, as on Linux.
 *
 * A file is known by (st_dev, st_ino), so locks taken through different
 * opens or paths of one file meet.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

#define TO_END UINT64_MAX

struct lock {
	struct lock *next;
	uint64_t dev, ino;
	const void *owner;   /* the process for POSIX locks, the description for OFD and flock */
	int type;	     /* F_RDLCK or F_WRLCK */
	uint64_t start, end; /* inclusive */
	int pid;	     /* F_GETLK's l_pid: the process's, -1 for OFD locks */
};

static struct lock *records; /* fcntl locks, POSIX and OFD */
static struct lock *flocks;  /* flock(), whole file */

/* A lock asked for with a wait: who asks, and for what. */
struct request {
	struct lock *const *list;
	uint64_t dev, ino;
	const void *owner;
	int type;
	uint64_t start, end;
};

/* The POSIX waits under way (each on its waiter's stack): who waits for
 * whom, for the deadlock check. */
struct waiter {
	struct waiter *next;
	const void *owner, *blocked_by;
};
static struct waiter *waiters;
#define CHAIN_MAX 64 /* owners followed in a deadlock check, as Linux bounds it */

static long identify(struct hut_file *f, uint64_t *dev, uint64_t *ino)
{
	struct stat st;
	long r = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return r;
}

static int conflicts(const struct lock *l, uint64_t dev, uint64_t ino, const void *owner, int type,
		     uint64_t start, uint64_t end)
{
	return l->dev == dev && l->ino == ino && l->owner != owner && l->start <= end &&
	       start <= l->end && (l->type == F_WRLCK || type == F_WRLCK);
}

static struct lock *first_conflict(struct lock *list, uint64_t dev, uint64_t ino, const void *owner,
				   int type, uint64_t start, uint64_t end)
{
	for (struct lock *l = list; l; l = l->next)
		if (conflicts(l, dev, ino, owner, type, start, end))
			return l;
	return NULL;
}

static struct lock *new_lock(struct lock **list, const struct lock *tmpl)
{
	struct lock *l = hut_kalloc(sizeof *l);
	if (!l)
		return NULL;
	*l = *tmpl;
	l->next = *list;
	*list = l;
	return l;
}

/* Removes owner's coverage of [start, end] on the file, splitting locks
 * that stick out on either side. -ENOLCK if a split needs memory. */
static long carve(uint64_t dev, uint64_t ino, const void *owner, uint64_t start, uint64_t end)
{
	for (struct lock **pp = &records; *pp;) {
		struct lock *l = *pp;
		if (l->dev != dev || l->ino != ino || l->owner != owner || l->end < start ||
		    l->start > end) {
			pp = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) { /* a hole in the middle */
			struct lock tail = *l;
			tail.start = end + 1;
			if (!new_lock(&records, &tail))
				return -ENOLCK;
			l->end = start - 1;
		} else if (l->start < start) {
			l->end = start - 1;
		} else if (l->end > end) {
			l->start = end + 1;
		} else {
			*pp = l->next;
			hut_kfree(l, sizeof *l);
			continue;
		}
		pp = &l->next;
	}
	return 0;
}

/* struct flock's range as [start, end]; EINVAL if it starts before 0. */
static long lock_range(struct hut_file *f, const struct flock *fl, uint64_t *start, uint64_t *end)
{
	int64_t base = 0, s, size;
	if (fl->l_whence == SEEK_CUR)
		base = (int64_t)f->pos;
	else if (fl->l_whence == SEEK_END) {
		struct stat st;
		long r = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
		if (r != 0)
			return r;
		base = st.st_size;
	} else if (fl->l_whence != SEEK_SET)
		return -EINVAL;
	size = fl->l_len;
	if (__builtin_add_overflow(base, fl->l_start, &s) ||
	    (size < 0 && (size == INT64_MIN || __builtin_add_overflow(s, size, &s))))
		return -EOVERFLOW;
	if (size < 0)
		size = -size;
	if (s < 0)
		return -EINVAL;
	*start = (uint64_t)s;
	*end = size == 0 ? TO_END : (uint64_t)s + (uint64_t)size - 1;
	return 0;
}

static void report(struct flock *fl, const struct lock *l)
{
	fl->l_type = l ? (short)l->type : F_UNLCK;
	if (!l)
		return;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)l->start;
	fl->l_len = l->end == TO_END ? 0 : (off_t)(l->end - l->start + 1);
	fl->l_pid = l->pid;
}

static struct lock *conflict_of(const struct request *r)
{
	return first_conflict(*r->list, r->dev, r->ino, r->owner, r->type, r->start, r->end);
}

static int no_conflict(void *arg)
{
	return conflict_of(arg) == NULL;
}

/* Whether owner waiting for holder closes a circle: holder waits, through
 * others, for owner. */
static int would_deadlock(const void *owner, const void *holder)
{
	for (int n = 0; n < CHAIN_MAX; n++) {
		if (holder == owner)
			return 1;
		const struct waiter *w = waiters;
		while (w && w->owner != holder)
			w = w->next;
		if (!w)
			return 0;
		holder = w->blocked_by;
	}
	return 0;
}

/* Waits until r meets no conflict: 0, -EINTR, or -EDEADLK (posix). */
static long wait_for(const struct request *r, int posix)
{
	struct waiter me = {waiters, r->owner, NULL};
	long err = 0;
	waiters = &me;
	for (const struct lock *c; !err && (c = conflict_of(r));) {
		me.blocked_by = c->owner;
		if (posix && would_deadlock(r->owner, c->owner))
			err = -EDEADLK;
		else
			err = hut_wait(no_conflict, (void *)r, HUT_WAIT_FOREVER,
				       HUT_WAIT_INTERRUPTIBLE);
	}
	struct waiter **pp = &waiters;
	while (*pp != &me)
		pp = &(*pp)->next;
	*pp = me.next;
	return err;
}

static long set_lock(struct hut_file *f, const void *owner, const struct flock *fl, uint64_t dev,
		     uint64_t ino, uint64_t start, uint64_t end, int wait)
{
	int type = fl->l_type, posix = owner == hut_proc_now;
	if ((type == F_RDLCK && (f->flags & O_ACCMODE) == O_WRONLY) ||
	    (type == F_WRLCK && (f->flags & O_ACCMODE) == O_RDONLY))
		return -EBADF;
	struct request req = {&records, dev, ino, owner, type, start, end};
	if (type != F_UNLCK && conflict_of(&req)) {
		long r = wait ? wait_for(&req, posix) : -EAGAIN;
		if (r)
			return r;
	}
	long r = carve(dev, ino, owner, start, end);
	hut_sched_progress(); /* what it let go of may end another's wait */
	if (r != 0 || type == F_UNLCK)
		return r;
	struct lock l = {NULL, dev, ino, owner, type, start, end, posix ? hut_proc_now->pid : -1};
	return new_lock(&records, &l) ? 0 : -ENOLCK;
}

static void file_closed(void *file);
static void file_released(void *file);

/* The fd layer tells us of closes and releases once a lock was asked for. */
static void watch_files(void)
{
	hut_fd_on_close(file_closed);
	hut_file_on_release(file_released);
}

long hut_lock_fcntl(struct hut_file *f, int cmd, void *arg)
{
	watch_files();
	struct flock *fl = arg;
	int ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	const void *owner = ofd ? (const void *)f : (const void *)hut_proc_now;
	uint64_t dev, ino, start, end;
	long r;
	if (f->kind & HUT_KIND_PATH)
		return -EBADF;
	if (!hut_user_writable(fl, sizeof *fl))
		return -EFAULT;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	if ((r = lock_range(f, fl, &start, &end)) != 0 || (r = identify(f, &dev, &ino)) != 0)
		return r;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if (fl->l_type == F_UNLCK)
			return -EINVAL;
		report(fl, first_conflict(records, dev, ino, owner, fl->l_type, start, end));
		return 0;
	}
	return set_lock(f, owner, fl, dev, ino, start, end, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

static void drop_where(struct lock **list, const void *owner, int match_file, uint64_t dev,
		       uint64_t ino)
{
	for (struct lock **pp = list; *pp;) {
		struct lock *l = *pp;
		if (l->owner == owner && (!match_file || (l->dev == dev && l->ino == ino))) {
			*pp = l->next;
			hut_kfree(l, sizeof *l);
			hut_sched_progress(); /* a wait for it may be over */
		} else {
			pp = &l->next;
		}
	}
}

long hut_lock_flock(struct hut_file *f, int op)
{
	watch_files();
	uint64_t dev, ino;
	int what = op & ~LOCK_NB, type = what == LOCK_SH ? F_RDLCK : F_WRLCK;
	long r;
	if (what == LOCK_UN) {
		drop_where(&flocks, f, 0, 0, 0);
		return 0;
	}
	if (what != LOCK_SH && what != LOCK_EX)
		return -EINVAL;
	if ((r = identify(f, &dev, &ino)) != 0)
		return r;
	struct request req = {&flocks, dev, ino, f, type, 0, TO_END};
	if (conflict_of(&req)) {
		if (op & LOCK_NB)
			return -EWOULDBLOCK;
		drop_where(&flocks, f, 0, 0, 0); /* a conversion lets go first, as Linux */
		if ((r = wait_for(&req, 0)) != 0)
			return r;
	}
	drop_where(&flocks, f, 0, 0, 0); /* a conversion replaces the old lock */
	struct lock l = {NULL, dev, ino, f, type, 0, TO_END, -1};
	return new_lock(&flocks, &l) ? 0 : -ENOLCK;
}

/* Any fd to f closed: the running process's POSIX locks on its file go. */
static void file_closed(void *file)
{
	struct hut_file *f = file;
	const void *me = hut_proc_now;
	uint64_t dev, ino;
	for (struct lock *l = records; l; l = l->next) {
		if (l->owner == me) {
			if (identify(f, &dev, &ino) == 0)
				drop_where(&records, me, 1, dev, ino);
			return;
		}
	}
}

/* f's description gone: its OFD locks and flocks go. */
static void file_released(void *file)
{
	struct hut_file *f = file;
	if (records)
		drop_where(&records, f, 0, 0, 0);
	if (flocks)
		drop_where(&flocks, f, 0, 0, 0);
}
