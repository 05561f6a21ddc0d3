/*
 * Open files and the fd table. Everything the app reaches through a file
 * descriptor is a struct hut_file: the console, files and directories of
 * every file system, pipes, sockets, eventfds and epoll instances. A kind
 * of file is a struct hut_file_ops; the generic layer (file.c, fd.c and
 * the syscalls in fdcalls.c, iocalls.c) does what is the same for all of them (fd
 * numbers, offsets, access modes, argument checks) and calls the ops for
 * the rest. An op a kind lacks is NULL and gets the errno Linux gives for it.
 *
 * As in Linux, an fd points to an open file description (struct hut_file:
 * offset, status flags), which dup() shares; FD_CLOEXEC belongs to the fd.
 */
#ifndef HUT_FILE_H
#define HUT_FILE_H

#include "proc/proc.h"

#include <sys/stat.h>

#define HUT_FD_MAX HUT_FILES_MAX /* proc/proc.h */

/* Offset for a write that appends (O_APPEND): the op writes at the end and
 * reports the new end. */
#define HUT_OFF_APPEND UINT64_MAX

/* Readiness, as poll(2) reports it (POLLIN, POLLOUT, ... values). A kind's
 * poll op returns the bits Linux's would for the same kind (pipes and
 * sockets add RDNORM and WRNORM, eventfds do not), so that poll and epoll
 * report the same numbers as Linux. */
#define HUT_POLLIN 0x001
#define HUT_POLLPRI 0x002
#define HUT_POLLOUT 0x004
#define HUT_POLLERR 0x008
#define HUT_POLLHUP 0x010
#define HUT_POLLNVAL 0x020
#define HUT_POLLRDNORM 0x040
#define HUT_POLLWRNORM 0x100
#define HUT_POLLWRBAND 0x200
#define HUT_POLLRDHUP 0x2000

struct hut_file;
struct hut_mount;
struct hut_attr;
struct hut_watch;

struct hut_file_ops {
	/* Moves data between the app's iovecs (already checked) and the file at
	 * *off, which the op advances by what it moved. Streams ignore *off. */
	long (*read)(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off);
	long (*write)(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off);
	long (*stat)(struct hut_file *f, struct stat *st);
	/* Requests the generic layer does not know; arg is the app's. */
	long (*ioctl)(struct hut_file *f, unsigned long request, long arg);
	/* HUT_POLL* bits: what read and write would do now without blocking.
	 * NULL: always readable and writable (regular files), and epoll
	 * refuses the file (EPERM), as Linux does. */
	uint32_t (*poll)(struct hut_file *f);
	/* Directories: linux_dirent64 records into buf (checked), from f->pos. */
	long (*getdents)(struct hut_file *f, void *buf, size_t len);
	/* Directories whose position is not an entry index (volumes). */
	long (*seek_dir)(struct hut_file *f, int64_t off, int whence);
	long (*truncate)(struct hut_file *f, uint64_t len);
	long (*sync)(struct hut_file *f, int datasync);
	long (*allocate)(struct hut_file *f, uint64_t off, uint64_t len);
	long (*setattr)(struct hut_file *f, const struct hut_attr *a);
	/* fcntl F_ADD_SEALS (add: 0 or -errno) and F_GET_SEALS (the seals);
	 * NULL: the file cannot be sealed (EINVAL). */
	long (*seals)(struct hut_file *f, int add, uint32_t seals);
	/* The last reference is gone: free what the kind owns (not f). */
	void (*release)(struct hut_file *f);
	/* An anonymous inode's name, as /proc/self/fd shows it ("[eventfd]"). */
	const char *anon_name;
	/* Shared mappings (file_mmap.c) of files that can keep them coherent
	 * (tmpfs, volumes). map_shared: the file's bytes [off, off + len)
	 * (page multiples) at the one address every shared mapping of those
	 * bytes gets, seen by read and written by write of the file at once;
	 * at: where MAP_FIXED wants them, or 0. The address, or -errno.
	 * unmap_shared: one map_shared of [off, off + len) is over.
	 * sync_shared: the stores in [off, off + len) reach the file's
	 * storage (sync: durably, as fdatasync). */
	long (*map_shared)(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at);
	void (*unmap_shared)(struct hut_file *f, uint64_t off, uint64_t len);
	long (*sync_shared)(struct hut_file *f, uint64_t off, uint64_t len, int sync);
};

/* f->kind bits (HUT_KIND_*) */
#define HUT_KIND_SEEKABLE 0x1 /* has an offset: read/write use and move f->pos */
#define HUT_KIND_DIR 0x2      /* a directory: getdents, fchdir, *at() */
#define HUT_KIND_PATH 0x4     /* O_PATH: only fstat, fchdir, *at(), close, dup */

struct hut_file {
	const struct hut_file_ops *ops;
	uint32_t refs;	/* fds (and mappings in flight) pointing here */
	uint32_t flags; /* O_ACCMODE and the status flags (O_APPEND, O_NONBLOCK, ...) */
	uint32_t kind;	/* HUT_KIND_* */
	uint64_t pos;
	struct hut_mount *mount; /* NULL for pipes and the console */
	char *path;		 /* canonical path it was opened by (*at, fchdir, /proc), or NULL */
	uint32_t path_len;
	int path_gone; /* removed: path names nothing, or another file (fs/pathkeep.c) */
	struct hut_file *path_prev, *path_next; /* every description with a path (pathkeep.c) */
	void *priv;				/* the kind's own state */
	uint64_t priv2;
	uint64_t ino;	    /* volumes: the host file's inode (shared mappings find theirs by it) */
	uint64_t mount_pos; /* getdents: next mount point to list after the fs's own entries */
	/* epoll (epoll.c): the watches on this description, and counts its
	 * kind bumps (hut_file_changed) whenever new data (in) or room (out)
	 * arrives, so that edge-triggered watches see every new event, as
	 * Linux's wake-ups do; each change also puts the watches that wait for
	 * it on their instance's ready list, in the order changes came. */
	struct hut_watch *epoll_watches;
	uint32_t changes_in, changes_out;
};

/* A new description with one reference (the caller's), or NULL (no memory). */
struct hut_file *hut_file_new(const struct hut_file_ops *ops, uint32_t flags, uint32_t kind);
void hut_file_ref(struct hut_file *f);
void hut_file_unref(struct hut_file *f);
/* A description of an anonymous inode (epoll, eventfd, timerfd) holding
 * priv (kalloc'ed, priv_size bytes); NULL without memory, priv freed. */
struct hut_file *hut_anon_file(const struct hut_file_ops *ops, uint32_t flags, void *priv,
			       size_t priv_size);
/* fstat of an anonymous inode (epoll, eventfd), as Linux's: no file type
 * bits, mode 0600, an inode number from the object's address. */
long hut_anon_inode_stat(struct hut_file *f, struct stat *st);

/* The file behind fd, or NULL (EBADF). No reference is taken: the libos is
 * one thread and nothing closes the fd while a syscall runs. */
struct hut_file *hut_fd_file(long fd);
/* One past the highest fd ever used: walks of the table stop there. */
long hut_fd_top(void);
/* Installs f at the lowest free fd >= min, consuming the caller's
 * reference. Returns the fd, or -EMFILE (and drops the reference). */
long hut_fd_install(struct hut_file *f, long min, int cloexec);
void hut_fd_init(void); /* each process gets its own table */
void hut_fd_close_on_exec(void);
long hut_fd_close(long fd);
int hut_fd_cloexec(long fd);
void hut_fd_set_cloexec(long fd, int on);
/* dup2 and dup3: newfd (checked here) closed first, silently, as Linux does. */
long hut_fd_dup_to(long oldfd, long newfd, int cloexec);

/* What other parts keep per description (epoll's watches, locks) goes with
 * it through hooks, so that file.c and fd.c name none of them: a release
 * hook runs when the last reference goes (before the kind's own release),
 * a close hook whenever an fd to it is closed (POSIX record locks). Each
 * registers when it is first used; registering twice is harmless. */
void hut_file_on_release(hut_hook_fn hook); /* called with the struct hut_file * */
void hut_fd_on_close(hut_hook_fn hook);
/* epoll.c sets it with its first instance: news for the watches on a file. */
extern void (*hut_file_news_hook)(struct hut_file *f, uint32_t what);

/* Something new for epoll: what has HUT_POLLIN (data, EOF, a connection),
 * HUT_POLLOUT (room), or both (an error, a hang-up). */
static inline void hut_file_changed(struct hut_file *f, uint32_t what)
{
	if (!f)
		return;
	f->changes_in += (what & HUT_POLLIN) != 0;
	f->changes_out += (what & HUT_POLLOUT) != 0;
	if (f->epoll_watches)
		hut_file_news_hook(f, what);
}

/* What happens to a file, for a file-system listener (fs/notify.c sets
 * the hook): the values are inotify's. iocalls.c and splicecalls.c note
 * reads and writes; closes reach it through the release hooks. */
#define HUT_NOTE_ACCESS 0x1
#define HUT_NOTE_MODIFY 0x2
#define HUT_NOTE_ATTRIB 0x4
#define HUT_NOTE_CLOSE_WRITE 0x8
#define HUT_NOTE_CLOSE_NOWRITE 0x10
#define HUT_NOTE_OPEN 0x20
#define HUT_NOTE_MOVED_FROM 0x40
#define HUT_NOTE_MOVED_TO 0x80
#define HUT_NOTE_CREATE 0x100
#define HUT_NOTE_DELETE 0x200
#define HUT_NOTE_DELETE_SELF 0x400
#define HUT_NOTE_MOVE_SELF 0x800
#define HUT_NOTE_ISDIR 0x40000000
extern void (*hut_file_note_hook)(struct hut_file *f, uint32_t what);
static inline void hut_file_note(struct hut_file *f, uint32_t what)
{
	if (hut_file_note_hook)
		hut_file_note_hook(f, what);
}

/* file.c: what f is ready for now (its poll op, or the default). */
uint32_t hut_file_poll(struct hut_file *f);

/* console.c: the descriptions behind fds 0-2. */
struct hut_file *hut_console_open(int fd);

/* lock.c: record locks (fcntl) and flock, released as Linux releases them. */
long hut_lock_fcntl(struct hut_file *f, int cmd, void *arg);
long hut_lock_flock(struct hut_file *f, int op);

/* epoll.c: an instance (its fd, or -errno); epoll_ctl with a copy of the
 * app's event; epoll_wait into the app's out[max] (checked here). */
struct epoll_event;
long hut_epoll_create(int cloexec);
long hut_epoll_ctl(long epfd, int op, int fd, const struct epoll_event *ev);
long hut_epoll_wait(long epfd, struct epoll_event *out, long max, long ms);

/* pipe.c: a pipe's two ends at fds[0] and fds[1] (checked), flags O_CLOEXEC,
 * O_NONBLOCK, O_DIRECT; eventfd.c: an eventfd's fd. Both 0/fd or -errno. */
long hut_pipe_open(int *fds, long flags);

/* FIFOs: a file system's node embeds a struct hut_fifo; its opens share
 * one pipe (pipe.c), made by the first open and gone with the last close.
 * stat fills the node's stat; closed runs once per end closed (the node
 * counts its opens). flags are open(2)'s: O_RDONLY waits for a writer,
 * O_WRONLY for a reader (O_NONBLOCK: ENXIO without one), O_RDWR never. */
struct hut_fifo {
	void *pipe;
	void (*stat)(struct hut_fifo *fifo, struct stat *st);
	void (*closed)(struct hut_fifo *fifo);
};
long hut_fifo_open(struct hut_fifo *fifo, int flags, struct hut_file **out);

/* What splice, tee and vmsplice need of a pipe (pipe.c). A read end's data
 * is waited for (bytes there, 0 at EOF, -EAGAIN, -EINTR), copied without
 * being taken (peek from skip), then taken; a write end's room is waited
 * for (bytes free, -EPIPE with SIGPIPE raised, -EAGAIN, -EINTR), then
 * filled with at most that much. */
int hut_file_is_pipe(const struct hut_file *f);
long hut_pipe_wait_data(struct hut_file *r, int nonblock);
long hut_pipe_wait_room(struct hut_file *w, int nonblock);
uint64_t hut_pipe_peek(struct hut_file *r, void *buf, uint64_t len);
void hut_pipe_take(struct hut_file *r, uint64_t n);
void hut_pipe_put(struct hut_file *w, const void *buf, uint64_t n);
#define HUT_EFD_SEMAPHORE 1
#define HUT_EFD_FLAGS (HUT_EFD_SEMAPHORE | O_CLOEXEC | O_NONBLOCK)
long hut_eventfd_open(uint32_t initval, long flags);

/* sockbase.c: what AF_INET (net/) and AF_UNIX (unix/) sockets share. */
/* The longest listen backlog, Linux's net.core.somaxconn (/proc/sys shows it). */
#define HUT_SOMAXCONN 4096
/* 0 (do not wait: O_NONBLOCK or MSG_DONTWAIT), now + timeo_ns, or forever. */
uint64_t hut_sock_deadline_for(const struct hut_file *f, int flags, uint64_t timeo_ns);
/* Waits for ready(arg) until deadline (0: not at all), interruptibly: 0
 * once ready, -EAGAIN when the deadline passes, -EINTR. */
long hut_sock_wait_for(int (*ready)(void *), void *arg, uint64_t deadline);
long hut_sock_file_stat(struct hut_file *f, struct stat *st); /* S_IFSOCK, f->priv's inode */
long hut_sock_fionread(long arg, uint64_t n);		      /* n into the app's int */
/* SO_RCVBUF/SO_SNDBUF as Linux keeps them (doubled, capped); SO_*TIMEO
 * from and to a struct timeval (returns its size). */
int hut_sockopt_buf(uint32_t v, int min);
long hut_sockopt_timeout_in(uint64_t *ns, const void *val, uint32_t len);
/* getsockopt: an option's value and size, before it is cut to what the
 * app gave; put with hut_optval_*, copied out (lenp, val checked here). */
struct hut_optval {
	union {
		int i;
		uint8_t bytes[16]; /* a struct timeval, linger, ucred */
		uint64_t align;
	} u;
	uint32_t size;
};
long hut_optval_int(struct hut_optval *o, int v); /* 0 */
long hut_optval_bytes(struct hut_optval *o, const void *p, uint32_t n);
long hut_optval_timeout(struct hut_optval *o, uint64_t ns);
long hut_optval_len_check(uint32_t *lenp); /* before the option is read */
long hut_optval_out(const struct hut_optval *o, void *val, uint32_t *lenp);
/* The kernel's struct msghdr (musl's pads its int fields; Linux reads
 * full words), checked: the header itself and the iovec array. */
struct hut_msghdr {
	void *msg_name;
	uint32_t msg_namelen;
	const struct hut_iovec *msg_iov;
	uint64_t msg_iovlen;
	void *msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
};
long hut_msghdr_check(const struct hut_msghdr *m, int writable);

/* timerfd.c: a timerfd's fd (clock a CLOCK_*, flags O_NONBLOCK, O_CLOEXEC);
 * its timer now, and set (absolute: value_ns is a time on its clock). */
long hut_timerfd_open(int clock, long flags);
long hut_timerfd_get(long fd, uint64_t *value_ns, uint64_t *interval_ns);
long hut_timerfd_set(long fd, int absolute, uint64_t value_ns, uint64_t interval_ns);

/* signalfd.c: signalfd4's service: a new signalfd (fd -1) or fd's mask
 * replaced; flags O_NONBLOCK, O_CLOEXEC. */
long hut_signalfd_open(long fd, uint64_t mask, long flags);

/* file_mmap.c: mmap of a file (len a page multiple); munmap, madvise and
 * msync of a range that may hold shared file mappings (the rest is the
 * memory layer's). */
long hut_file_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off);
long hut_file_munmap(uint64_t addr, uint64_t len);
long hut_file_madvise(uint64_t addr, uint64_t len, long advice);
long hut_file_msync(uint64_t addr, uint64_t len, long flags);

#endif
