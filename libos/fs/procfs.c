/*
 * /proc: the process and the machine described as Linux describes them,
 * read-only. The tree is static tables (struct pent) with three kinds of
 * directory whose entries are made on the fly: the pids (every live
 * process), task/<tid> (each of its live threads) and fd/<n> (each open
 * fd). A process's files are made from the layers' state of the running
 * process (its fd table, credentials, cwd and memory are saved away while
 * it does not run): another process's directory is therefore read from
 * inside it, the libos switching to that process for the operation and
 * back (a view: two CR3 loads, ~60 µs here), so each file says what that
 * process would read in its own /proc/self.
 * A file's text is made whole when it is opened (procfs.h), so reads at
 * any offset and lseek see one consistent text, as seq_file gives.
 *
 * What Linux does and this follows: files are S_IFREG 0444 of size 0,
 * directories 0555, links 0777; root may open a file for writing and the
 * write fails (EIO for the machine's files, EINVAL for a process's, whose
 * Linux file has no write op); /proc/sys files refuse the open (EACCES:
 * the appliance cannot change them). fd/<n> is a "magic" link: its
 * target is the path the file was opened by, followed like any symlink, so
 * opening it opens the file anew (a new description, as Linux does for a
 * regular file); for a pipe, socket or anonymous inode, which have no
 * path, opening it gives the same description (as /dev/stdin does here).
 */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>

enum pent_type { P_DIR, P_FILE, P_LINK };
enum pent_dyn { DYN_NONE, DYN_PID, DYN_TASKS, DYN_FDS };
enum pent_write { W_EIO, W_EINVAL, W_EACCES };

struct pnode;
struct pent {
	const char *name;
	uint8_t type;
	uint8_t dyn;		     /* directories: what they list after their table */
	uint8_t write;		     /* files: how a write fails */
	const struct pent *children; /* directories: ends with a NULL name */
	hut_text_fn text;	     /* files */
	void (*link)(struct hut_text *t, const struct pnode *n);
};

/* An entry found, with what it is about. */
struct pnode {
	const struct pent *ent;
	int tid; /* of the pid's or task's directory it lies in; 0 for none */
	int is_task;
	int fd;	  /* fd/<n>: n; else -1 */
	int view; /* another process's pid, whose files these are; 0: the caller's */
};

/* What an open /proc file holds. */
struct popen {
	struct pnode node;
	char *text;
	size_t len, cap;
};

static void link_self(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_text_u64(t, HUT_PROC_PID);
}

static void link_thread_self(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_text_u64(t, HUT_PROC_PID);
	hut_text_str(t, "/task/");
	hut_text_u64(t, (uint64_t)hut_thread_now->tid);
}

static void link_mounts(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_text_str(t, "self/mounts");
}

static void link_exe(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_proc_exe_path(t);
}

static void link_cwd(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_text_mem(t, hut_cwd, hut_cwd_len);
	if (hut_cwd_gone)
		hut_text_str(t, " (deleted)");
}

static void link_root(struct hut_text *t, const struct pnode *n)
{
	(void)n;
	hut_text_char(t, '/');
}

/* What Linux prints for a file without a path: "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[eventfd]". */
static void link_fd(struct hut_text *t, const struct pnode *n)
{
	struct hut_file *f = hut_fd_file(n->fd);
	struct stat st = {0};
	if (!f)
		return;
	if (f->path) { /* a file, directory or FIFO opened by path */
		hut_text_mem(t, f->path, f->path_len);
		if (f->path_gone)
			hut_text_str(t, " (deleted)");
		return;
	}
	if (f->ops->anon_name) {
		hut_text_str(t, "anon_inode:");
		hut_text_str(t, f->ops->anon_name);
		return;
	}
	if (f->ops->stat)
		f->ops->stat(f, &st);
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		hut_text_str(t, S_ISFIFO(st.st_mode) ? "pipe:[" : "socket:[");
		hut_text_u64(t, st.st_ino);
		hut_text_char(t, ']');
		return;
	}
	if (S_ISREG(st.st_mode) && f->mount) { /* a memfd: its name is not kept */
		hut_text_str(t, "/memfd: (deleted)");
		return;
	}
	hut_text_str(t, "/dev/console"); /* fds 0-2 at boot: the monitor's stdio */
}

#define DIR_(n, kids, d)                                                                           \
	{                                                                                          \
		n, P_DIR, d, 0, kids, NULL, NULL                                                   \
	}
#define FILE_(n, fn, w)                                                                            \
	{                                                                                          \
		n, P_FILE, DYN_NONE, w, NULL, fn, NULL                                             \
	}
#define LINK_(n, fn)                                                                               \
	{                                                                                          \
		n, P_LINK, DYN_NONE, 0, NULL, NULL, fn                                             \
	}
#define END_                                                                                       \
	{                                                                                          \
		NULL, 0, 0, 0, NULL, NULL, NULL                                                    \
	}

static const struct pent random_ents[] = {
	FILE_("boot_id", hut_proc_boot_id, W_EACCES),
	FILE_("entropy_avail", hut_proc_entropy, W_EACCES),
	FILE_("uuid", hut_proc_uuid, W_EACCES),
	END_,
};

static const struct pent kernel_ents[] = {
	FILE_("domainname", hut_proc_domainname, W_EACCES),
	FILE_("hostname", hut_proc_hostname, W_EACCES),
	FILE_("ngroups_max", hut_proc_ngroups_max, W_EACCES),
	FILE_("osrelease", hut_proc_osrelease, W_EACCES),
	FILE_("ostype", hut_proc_ostype, W_EACCES),
	FILE_("pid_max", hut_proc_pid_max, W_EACCES),
	DIR_("random", random_ents, DYN_NONE),
	FILE_("threads-max", hut_proc_threads_max, W_EACCES),
	FILE_("version", hut_proc_kversion, W_EACCES),
	END_,
};

static const struct pent vm_ents[] = {
	FILE_("overcommit_memory", hut_proc_overcommit, W_EACCES),
	END_,
};

static const struct pent core_ents[] = {
	FILE_("somaxconn", hut_proc_somaxconn, W_EACCES),
	END_,
};

static const struct pent net_ents[] = {
	DIR_("core", core_ents, DYN_NONE),
	END_,
};

static const struct pent sys_ents[] = {
	DIR_("kernel", kernel_ents, DYN_NONE),
	DIR_("net", net_ents, DYN_NONE),
	DIR_("vm", vm_ents, DYN_NONE),
	END_,
};

static const struct pent task_ents[] = {
	FILE_("cmdline", hut_proc_cmdline, W_EINVAL),
	FILE_("comm", hut_proc_comm, W_EINVAL),
	FILE_("environ", hut_proc_environ, W_EINVAL),
	FILE_("stat", hut_proc_stat, W_EINVAL),
	FILE_("statm", hut_proc_statm, W_EINVAL),
	FILE_("status", hut_proc_status, W_EINVAL),
	END_,
};

static const struct pent fd_ent = LINK_("", link_fd);
static const struct pent tid_ent = DIR_("", task_ents, DYN_NONE);

static const struct pent pid_ents[] = {
	FILE_("cmdline", hut_proc_cmdline, W_EINVAL),
	FILE_("comm", hut_proc_comm, W_EINVAL),
	LINK_("cwd", link_cwd),
	FILE_("environ", hut_proc_environ, W_EINVAL),
	LINK_("exe", link_exe),
	DIR_("fd", NULL, DYN_FDS),
	FILE_("limits", hut_proc_limits, W_EINVAL),
	FILE_("maps", hut_proc_maps, W_EINVAL),
	FILE_("mounts", hut_proc_mounts, W_EINVAL),
	LINK_("root", link_root),
	FILE_("stat", hut_proc_stat, W_EINVAL),
	FILE_("statm", hut_proc_statm, W_EINVAL),
	FILE_("status", hut_proc_status, W_EINVAL),
	DIR_("task", NULL, DYN_TASKS),
	END_,
};

static const struct pent pid_ent = DIR_("", pid_ents, DYN_NONE);

static const struct pent zombie_ents[] = {
	FILE_("cmdline", hut_proc_zombie_cmdline, W_EINVAL),
	FILE_("comm", hut_proc_zombie_comm, W_EINVAL),
	FILE_("stat", hut_proc_zombie_stat, W_EINVAL),
	FILE_("status", hut_proc_zombie_status, W_EINVAL),
	END_,
};

static const struct pent zombie_ent = DIR_("", zombie_ents, DYN_NONE);

static const struct pent root_ents[] = {
	FILE_("cpuinfo", hut_proc_cpuinfo, W_EIO),
	FILE_("filesystems", hut_proc_filesystems, W_EIO),
	FILE_("loadavg", hut_proc_loadavg, W_EIO),
	FILE_("meminfo", hut_proc_meminfo, W_EIO),
	LINK_("mounts", link_mounts),
	LINK_("self", link_self),
	FILE_("stat", hut_proc_sysstat, W_EIO),
	DIR_("sys", sys_ents, DYN_NONE),
	LINK_("thread-self", link_thread_self),
	FILE_("uptime", hut_proc_uptime, W_EIO),
	FILE_("version", hut_proc_version, W_EIO),
	END_,
};

static const struct pent root_ent = DIR_("", root_ents, DYN_PID);

/* A decimal name, as a pid, tid or fd: its value, or -1. */
static long number(const char *s, size_t n)
{
	long v = 0;
	if (n == 0 || n > 9 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static const struct pent *find_child(const struct pent *dir, const char *name, size_t n)
{
	for (const struct pent *e = dir->children; e && e->name; e++)
		if (hut_strlen(e->name) == n && !hut_memcmp(e->name, name, n))
			return e;
	return NULL;
}

/* A process not yet reaped, whose directory is zombie_ents. */
static int is_zombie(long pid)
{
	const struct hut_process *p = pid > 0 ? hut_process_by_pid(pid) : NULL;
	return p && p->zombie;
}

/* The process /proc/<pid> shows, other than the caller: live and with its
 * memory (a zombie's state is gone), or NULL. */
static struct hut_process *other_process(long pid)
{
	struct hut_process *p = pid > 0 && pid != HUT_PROC_PID ? hut_process_by_pid(pid) : NULL;
	return p && !p->zombie && p->mm ? p : NULL;
}

/* Enters the view of the process pid names (view above), if another:
 * returns the process to come back to, or NULL (nothing entered). */
static struct hut_process *view_enter(long pid)
{
	struct hut_process *p = other_process(pid), *back = hut_proc_now;
	if (!p)
		return NULL;
	hut_process_switch(p);
	return back;
}

static void view_leave(struct hut_process *back)
{
	if (back)
		hut_process_switch(back);
}

/* The pid rel starts with ("5/status": 5), or -1. */
static long leading_pid(const char *rel)
{
	size_t n = 0;
	while (rel[n] && rel[n] != '/')
		n++;
	return number(rel, n);
}

/* One step down from dir (a directory) to name; 0, or -ENOENT. */
static long step(struct pnode *node, const char *name, size_t n)
{
	const struct pent *e = find_child(node->ent, name, n);
	long v;
	if (e) {
		node->ent = e;
		return 0;
	}
	v = number(name, n);
	switch (node->ent->dyn) {
	case DYN_PID:
		if (is_zombie(v)) {
			node->ent = &zombie_ent;
			node->tid = (int)v;
			return 0;
		}
		if (v != HUT_PROC_PID)
			return -ENOENT;
		node->ent = &pid_ent;
		node->tid = HUT_PROC_PID;
		return 0;
	case DYN_TASKS:
		if (v < 0 || !hut_proc_thread(v))
			return -ENOENT;
		node->ent = &tid_ent;
		node->tid = (int)v;
		node->is_task = 1;
		return 0;
	case DYN_FDS:
		if (v < 0 || !hut_fd_file(v))
			return -ENOENT;
		node->ent = &fd_ent;
		node->fd = (int)v;
		return 0;
	default:
		return -ENOENT;
	}
}

/* The entry at rel ("" is /proc itself). A link before the last component
 * is the VFS's to follow (-HUT_ESYMLINK). */
static long lookup(const char *rel, struct pnode *node)
{
	int view = hut_proc_now != hut_thread_now->proc ? hut_proc_now->pid : 0;
	*node = (struct pnode){&root_ent, 0, 0, -1, view};
	while (*rel) {
		size_t n = 0;
		while (rel[n] && rel[n] != '/')
			n++;
		if (node->ent->type == P_LINK)
			return -HUT_ESYMLINK;
		if (node->ent->type != P_DIR)
			return -ENOTDIR;
		long r = step(node, rel, n);
		if (r != 0)
			return r;
		rel += n + (rel[n] == '/');
	}
	return 0;
}

/* Inode numbers: the entry's place in the tables, the thread and the fd. */
static uint64_t ino_of(const struct pnode *n)
{
	return ((uint64_t)n->tid << 40) | ((uint64_t)(n->fd + 1) << 24) |
	       (((uint64_t)(uintptr_t)n->ent >> 3) & 0xffffff);
}

/* Linux's modes: fd/ is its owner's alone, and an fd's link shows how the
 * fd was opened (r-x for reading, -wx for writing). */
static uint32_t mode_of(const struct pnode *n)
{
	static const uint32_t modes[] = {S_IFDIR | 0555, S_IFREG | 0444, S_IFLNK | 0777};
	if (n->ent->dyn == DYN_FDS)
		return S_IFDIR | 0500;
	if (n->ent == &fd_ent) {
		const struct hut_file *f = hut_fd_file(n->fd);
		uint32_t acc = f ? (f->flags & O_ACCMODE) : O_RDONLY;
		uint32_t mode = S_IFLNK;
		if ((f && (f->flags & O_PATH)) || acc == O_RDONLY || acc == O_RDWR)
			mode |= 0500;
		if (acc == O_WRONLY || acc == O_RDWR)
			mode |= 0300;
		return mode;
	}
	return modes[n->ent->type];
}

static void node_stat(const struct hut_mount *m, const struct pnode *n, struct stat *st)
{
	hut_stat_fill(st, m, n->ent == &root_ent ? 1 : ino_of(n), mode_of(n), 0);
	st->st_blocks = 0;
	st->st_blksize = 1024;
	if (n->ent->type == P_DIR)
		st->st_nlink = 2;
	struct timespec boot = hut_ns_to_timespec(hut_clock.wallclock_origin);
	st->st_atim = st->st_mtim = st->st_ctim = boot;
}

static long procfs_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	struct pnode n;
	struct hut_process *back = view_enter(leading_pid(rel));
	long r = lookup(rel, &n);
	if (r == 0)
		node_stat(m, &n, st);
	view_leave(back);
	return r;
}

/* Runs the entry's printer into a buffer that fits it (procfs.h). */
static long make_text(struct popen *o, const struct hut_proc_ctx *c)
{
	/* A page to start: most texts fit, and each generator then runs once. */
	struct hut_text t = {hut_kalloc(HUT_PAGE_SIZE), HUT_PAGE_SIZE, 0};
	if (!t.buf)
		return -ENOMEM;
	for (;;) {
		t.len = 0;
		if (o->node.ent->type == P_LINK)
			o->node.ent->link(&t, &o->node);
		else
			o->node.ent->text(&t, c);
		if (t.len <= t.cap)
			break;
		hut_kfree(t.buf, t.cap);
		t.cap = t.len + t.len / 4 + 64; /* a little more: it may grow between runs */
		if (!(t.buf = hut_kalloc(t.cap)))
			return -ENOMEM;
	}
	o->text = t.buf;
	o->len = t.len;
	o->cap = t.cap;
	return 0;
}

static long text_of(const struct pnode *n, struct popen *o)
{
	struct hut_proc_ctx c = {hut_proc_thread(n->tid ? n->tid : HUT_PROC_PID), n->is_task,
				 n->tid ? n->tid : HUT_PROC_PID};
	if (!c.thread)
		c.thread = hut_thread_now;
	o->node = *n;
	return make_text(o, &c);
}

static long pfile_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct popen *o = f->priv;
	if (*off >= o->len)
		return 0;
	uint64_t n = hut_iov_copy_out(iov, iovcnt, 0, o->text + *off, o->len - *off);
	*off += n;
	return (long)n;
}

static long pfile_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	const struct popen *o = f->priv;
	(void)iov;
	(void)iovcnt;
	(void)off;
	return o->node.ent->write == W_EIO ? -EIO : -EINVAL;
}

static long pfile_stat(struct hut_file *f, struct stat *st)
{
	const struct popen *o = f->priv;
	struct hut_process *back = view_enter(o->node.view);
	node_stat(f->mount, &o->node, st);
	view_leave(back);
	return 0;
}

static void pfile_release(struct hut_file *f)
{
	struct popen *o = f->priv;
	hut_kfree(o->text, o->cap);
	hut_kfree(o, sizeof *o);
}

/* The next dynamic entry of a directory from *k on: its name, inode and
 * type, with *k moved past it; 0 when there are no more. */
static int next_dynamic(const struct pnode *dir, uint64_t *k, char *name, size_t *len,
			uint64_t *ino, uint8_t *type)
{
	struct hut_text t = {name, 16, 0};
	struct pnode child = *dir;
	switch (dir->ent->dyn) {
	case DYN_PID: {
		/* In pid order: the live process whose pid follows *k's. */
		int best = 0;
		for (const struct hut_process *p = &hut_first_process; p; p = p->next)
			if (p->pid > (int)*k && (!best || p->pid < best) &&
			    (p->pid == HUT_PROC_PID || other_process(p->pid) || p->zombie))
				best = p->pid;
		if (!best)
			return 0;
		*k = (uint64_t)best;
		child.ent = is_zombie(best) ? &zombie_ent : &pid_ent;
		child.tid = best;
		hut_text_u64(&t, (uint64_t)best);
		*type = DT_DIR;
		*len = t.len;
		*ino = ino_of(&child);
		return 1;
	}
	case DYN_TASKS: {
		const struct hut_thread *th = hut_thread_now;
		/* In tid order, whatever the ring's: the tid that follows *k's. */
		int best = 0;
		do {
			if (th->proc == hut_proc_now && th->tid > (int)*k &&
			    (!best || th->tid < best))
				best = th->tid;
			th = th->next;
		} while (th != hut_thread_now);
		if (!best)
			return 0;
		*k = (uint64_t)best;
		child.ent = &tid_ent;
		child.tid = best;
		child.is_task = 1;
		hut_text_u64(&t, (uint64_t)best);
		*type = DT_DIR;
		*len = t.len;
		*ino = ino_of(&child);
		return 1;
	}
	case DYN_FDS:
		while (*k < (uint64_t)hut_fd_top() && !hut_fd_file((long)*k))
			(*k)++;
		if (*k >= (uint64_t)hut_fd_top())
			return 0;
		child.ent = &fd_ent;
		child.fd = (int)*k;
		hut_text_u64(&t, *k);
		*type = DT_LNK;
		(*k)++;
		*len = t.len;
		*ino = ino_of(&child);
		return 1;
	default:
		return 0;
	}
	(*k)++;
	*len = t.len;
	*ino = ino_of(&child);
	return 1;
}

/* Positions: 0 ".", 1 "..", then the table's entries, then the dynamic
 * ones from DYN_BASE + their own counter (a tid or an fd, so that a
 * listing goes on where it stopped even if entries came and went). */
#define DYN_BASE 1024

static uint8_t dirent_type_of(const struct pent *e)
{
	return e->type == P_DIR ? DT_DIR : e->type == P_FILE ? DT_REG : DT_LNK;
}

static long getdents_here(struct hut_file *f, void *buf, size_t len);

/* A directory of another process lists what it has now, from inside it
 * (none once it is gone, as Linux's). */
static long pdir_getdents(struct hut_file *f, void *buf, size_t len)
{
	const struct popen *o = f->priv;
	if (o->node.view && !other_process(o->node.view))
		return 0;
	struct hut_process *back = view_enter(o->node.view);
	long r = getdents_here(f, buf, len);
	view_leave(back);
	return r;
}

static long getdents_here(struct hut_file *f, void *buf, size_t len)
{
	const struct popen *o = f->priv;
	const struct pnode *dir = &o->node;
	size_t used = 0, nkids = 0;
	for (const struct pent *e = dir->ent->children; e && e->name; e++)
		nkids++;
	while (f->pos < 2 + nkids) {
		const char *name = f->pos == 0 ? "." : "..";
		size_t n = f->pos + 1;
		uint8_t type = DT_DIR;
		struct pnode child = *dir;
		if (f->pos >= 2) {
			child.ent = &dir->ent->children[f->pos - 2];
			name = child.ent->name;
			n = hut_strlen(name);
			type = dirent_type_of(child.ent);
		}
		if (!hut_dirent_put(buf, len, &used, ino_of(&child), (int64_t)f->pos + 1, type,
				    name, n))
			return used ? (long)used : -EINVAL;
		f->pos++;
	}
	if (f->pos < DYN_BASE)
		f->pos = DYN_BASE;
	for (;;) {
		uint64_t k = f->pos - DYN_BASE, ino;
		char name[16];
		size_t n;
		uint8_t type;
		if (!next_dynamic(dir, &k, name, &n, &ino, &type))
			break;
		if (!hut_dirent_put(buf, len, &used, ino, (int64_t)(DYN_BASE + k), type, name, n))
			return used ? (long)used : -EINVAL;
		f->pos = DYN_BASE + k;
	}
	return (long)used;
}

static long pdir_seek(struct hut_file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET || off < 0)
		return whence == SEEK_CUR && off == 0 ? (long)f->pos : -EINVAL;
	f->pos = (uint64_t)off;
	return off;
}

static const struct hut_file_ops pfile_ops = {
	.read = pfile_read,
	.write = pfile_write,
	.stat = pfile_stat,
	.release = pfile_release,
};

static const struct hut_file_ops pdir_ops = {
	.stat = pfile_stat,
	.getdents = pdir_getdents,
	.seek_dir = pdir_seek,
	.release = pfile_release,
};

/* An fd link to a file without a path (or whose path is gone) opens that
 * file's description: Linux would make a new one of the same inode. */
static struct hut_file *pathless_target(const struct pnode *n)
{
	struct hut_file *f = n->ent == &fd_ent ? hut_fd_file(n->fd) : NULL;
	return f && (!f->path || f->path_gone) ? f : NULL;
}

static struct hut_file *procfs_fd_link(struct hut_mount *m, const char *rel)
{
	struct pnode n;
	(void)m;
	struct hut_process *back = view_enter(leading_pid(rel));
	struct hut_file *f = lookup(rel, &n) == 0 ? pathless_target(&n) : NULL;
	view_leave(back);
	return f;
}

static long open_checks(const struct pnode *n, int flags)
{
	int writing = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (n->ent->type == P_LINK && !(flags & O_PATH))
		return (flags & O_NOFOLLOW) ? -ELOOP : -HUT_ESYMLINK;
	if (n->ent->type == P_DIR && (writing || (flags & O_CREAT)))
		return -EISDIR;
	if (n->ent->type != P_DIR && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if (n->ent->type == P_FILE && writing && n->ent->write == W_EACCES)
		return -EACCES;
	return 0;
}

static long open_here(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
		      struct hut_file **out);

static long procfs_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
			struct hut_file **out)
{
	struct hut_process *back = view_enter(leading_pid(rel));
	long r = open_here(m, rel, flags, mode, out);
	view_leave(back);
	return r;
}

static long open_here(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
		      struct hut_file **out)
{
	struct pnode n;
	struct hut_file *target;
	long r = lookup(rel, &n);
	(void)mode;
	if (r != 0) /* O_CREAT too: a name /proc lacks cannot even be looked up */
		return r;
	if (!(flags & (O_PATH | O_NOFOLLOW)) && (target = pathless_target(&n))) {
		hut_file_ref(target);
		*out = target;
		return 0;
	}
	if ((r = open_checks(&n, flags)) != 0)
		return r;
	struct popen *o = hut_kalloc(sizeof *o);
	if (!o)
		return -ENOMEM;
	o->node = n;
	if (n.ent->type == P_FILE && !(flags & O_PATH) && (r = text_of(&n, o)) != 0) {
		hut_kfree(o, sizeof *o);
		return r;
	}
	uint32_t kind = n.ent->type == P_DIR ? HUT_KIND_DIR | HUT_KIND_SEEKABLE : HUT_KIND_SEEKABLE;
	if (flags & O_PATH)
		kind = HUT_KIND_PATH | (n.ent->type == P_DIR ? HUT_KIND_DIR : 0);
	struct hut_file *f = hut_file_new(n.ent->type == P_DIR ? &pdir_ops : &pfile_ops,
					  (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f) {
		pfile_release(&(struct hut_file){.priv = o});
		return -ENFILE;
	}
	f->mount = m;
	f->priv = o;
	*out = f;
	return 0;
}

static long procfs_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	struct pnode n;
	struct popen o = {0};
	(void)m;
	struct hut_process *back = view_enter(leading_pid(rel));
	long r = lookup(rel, &n);
	if (r == 0 && n.ent->type != P_LINK)
		r = -EINVAL;
	if (r == 0)
		r = text_of(&n, &o);
	view_leave(back); /* buf may be the app's: written back in the caller's memory */
	if (r != 0)
		return r;
	r = (long)(o.len < len ? o.len : len);
	hut_memcpy(buf, o.text, (size_t)r);
	hut_kfree(o.text, o.cap);
	return r;
}

/* Changes: what Linux's procfs answers as root. Its lookup of a name it
 * lacks fails (ENOENT) where other file systems find a place for a new
 * one, so making a name is ENOENT; an existing name is EEXIST, and
 * removing or renaming one is EPERM (no such op). */
static long exists_or(const char *rel, long missing, long present)
{
	struct pnode n;
	long r = lookup(rel, &n);
	if (r == -HUT_ESYMLINK)
		return r;
	return r == 0 ? present : missing;
}

static long procfs_mkdir(struct hut_mount *m, const char *rel, uint32_t mode)
{
	(void)m;
	(void)mode;
	return exists_or(rel, -ENOENT, -EEXIST);
}

static long procfs_unlink(struct hut_mount *m, const char *rel, int is_rmdir)
{
	(void)m;
	(void)is_rmdir;
	return exists_or(rel, -ENOENT, -EPERM);
}

static long procfs_rename(struct hut_mount *m, const char *from, const char *to, unsigned flags)
{
	(void)m;
	(void)flags;
	long r = exists_or(from, -ENOENT, 0);
	return r ? r : exists_or(to, -ENOENT, -EPERM);
}

static long procfs_link(struct hut_mount *m, const char *from, const char *to)
{
	(void)m;
	long r = exists_or(from, -ENOENT, 0);
	return r ? r : exists_or(to, -ENOENT, -EEXIST);
}

static long procfs_symlink(struct hut_mount *m, const char *target, const char *rel)
{
	(void)m;
	(void)target;
	return exists_or(rel, -ENOENT, -EEXIST);
}

static long procfs_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			   int follow)
{
	(void)m;
	(void)a;
	(void)follow;
	return exists_or(rel, -ENOENT, -EPERM);
}

static long procfs_statfs(struct hut_mount *m, struct statfs *sf)
{
	(void)m;
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = 0x9fa0; /* PROC_SUPER_MAGIC */
	sf->f_bsize = sf->f_frsize = HUT_PAGE_SIZE;
	sf->f_namelen = HUT_FNAME_MAX;
	return 0;
}

const struct hut_fs_ops hut_procfs_ops = {
	.type = "proc",
	.lstat = procfs_lstat,
	.open = procfs_open,
	.readlink = procfs_readlink,
	.mkdir = procfs_mkdir,
	.unlink = procfs_unlink,
	.rename = procfs_rename,
	.link = procfs_link,
	.symlink = procfs_symlink,
	.setattr = procfs_setattr,
	.statfs = procfs_statfs,
	.fd_link = procfs_fd_link,
};

void hut_procfs_mount(struct hut_mount *m)
{
	m->ops = &hut_procfs_ops;
}
