/*
 * AF_UNIX sockets, and the socket syscalls' front door.
 *
 * A Unix socket is a libos object (struct hut_unix), not per-fd state: a
 * struct hut_file points to it, and its peer, its bound name and the
 * messages queued for it belong to the object. So when processes come,
 * each with its own fd table, the same objects connect them.
 *
 * Data is a queue of messages on the receiving socket (struct unix_msg):
 * each send makes one, with the sender's name and the files it passes
 * (SCM_RIGHTS). A stream reads across messages; datagram and seqpacket
 * sockets read one message per call.
 *
 * usock.c      the object: made, connected, freed; the bound-name table
 * uname.c      struct sockaddr_un in and out; bind, and finding a name
 * uconn.c      listen, connect, accept (stream and seqpacket)
 * uclose.c     the end of a socket
 * udata.c      the message queues: send, receive, shutdown
 * uscm.c       SCM_RIGHTS: files in flight
 * ufile.c      the socket as a file: read, write, poll, ioctl, fstat, close
 * unixcalls.c  the socket syscalls: AF_UNIX here, other families (AF_INET,
 *              the net layer's) through the hook sys/ registers
 * unixoptcalls.c  getsockopt, setsockopt of Unix sockets
 */
#ifndef HUT_LIBOS_UNIX_H
#define HUT_LIBOS_UNIX_H

#include "fs/vfs.h"

#include <sys/socket.h>
#include <sys/un.h>

#define HUT_UNIX_SHUT_RD 1   /* Linux's RCV_SHUTDOWN */
#define HUT_UNIX_SHUT_WR 2   /* SEND_SHUTDOWN */
#define HUT_UNIX_BUF 212992  /* net.core.[rw]mem_default */
#define HUT_UNIX_FDS_MAX 253 /* SCM_MAX_FD */

/* A bound name as the app sees it: family, then a path (NUL-terminated)
 * or an abstract name (leading NUL, len says where it ends). len 0: none. */
struct hut_unix_name {
	uint32_t len; /* bytes of addr getsockname reports */
	struct sockaddr_un addr;
	char nul; /* a path of all 108 bytes still ends in a NUL, as Linux's copy does */
};

struct unix_msg {
	struct unix_msg *next;
	uint64_t len, off;	   /* data bytes, and those already read (streams) */
	struct hut_unix_name from; /* the sender's name */
	struct hut_file **files;   /* SCM_RIGHTS in flight, or NULL */
	uint32_t nfiles;
	uint8_t data[];
};

enum hut_unix_state {
	HUT_UNIX_NEW,
	HUT_UNIX_LISTENING,
	HUT_UNIX_CONNECTED, /* streams: a peer (maybe closed since); datagrams: a default peer */
};

struct hut_unix {
	struct hut_unix *all_next; /* every Unix socket (usock.c) */
	struct hut_file *file;	   /* NULL until installed, and once closed */
	int type;		   /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	enum hut_unix_state state;
	int shut;  /* HUT_UNIX_SHUT_*: this socket's own shutdown state */
	int error; /* SO_ERROR: a positive errno */
	struct hut_unix *peer;
	struct hut_unix_name name;
	int owns_name; /* bound by bind(), not a listener's name an accepted socket shows */
	struct hut_unix_name peer_name; /* getpeername, also once the peer has closed */
	int refused;		     /* datagrams: the default peer closed; the next send says so */
	uint64_t node_dev, node_ino; /* bound to a path: its node (fs/socknode.c) */
	/* received, not yet read */
	struct unix_msg *rx_head, *rx_tail;
	uint64_t rx_bytes;
	uint32_t rx_count;
	/* listening: connections made, not yet accepted */
	struct hut_unix *acc_head, *acc_tail, *acc_next;
	int backlog, acc_count;
	/* options */
	int rcvbuf, sndbuf, passcred;
	uint64_t rcvtimeo_ns, sndtimeo_ns;
};

/* usock.c */
struct hut_unix *hut_unix_new(int type);
/* Off the list of sockets; its peers unhooked (see usock.c). */
void hut_unix_forget(struct hut_unix *u);
void hut_unix_detach_peers(struct hut_unix *u, int unread);
void hut_unix_pair(struct hut_unix *a, struct hut_unix *b);
/* The socket bound to name (abstract) or to node (path), or NULL. */
struct hut_unix *hut_unix_find(const struct hut_unix_name *name, uint64_t dev, uint64_t ino);
/* Waits go through fd/sockbase.c's hut_sock_wait_for, with this deadline. */
static inline uint64_t hut_unix_deadline(const struct hut_unix *u, int flags, uint64_t timeo_ns)
{
	return hut_sock_deadline_for(u->file, flags, timeo_ns);
}
void hut_unix_news(struct hut_unix *u, uint32_t what);

/* uname.c */
/* The app's sockaddr_un (addr, len checked here) as a name. */
long hut_unix_name_in(const void *addr, long len, struct hut_unix_name *out);
/* getsockname's copy-out: up to *len bytes, *len set to the whole size. */
long hut_unix_name_out(const struct hut_unix_name *n, void *addr, uint32_t *len);
long hut_unix_bind(struct hut_unix *u, const struct hut_unix_name *n);
/* The socket a name reaches: -ENOENT, -ECONNREFUSED (nobody bound). */
long hut_unix_lookup(const struct hut_unix_name *n, struct hut_unix **out);

/* uconn.c */
long hut_unix_listen(struct hut_unix *u, int backlog);
long hut_unix_connect(struct hut_unix *u, const struct hut_unix_name *to, uint64_t deadline);
long hut_unix_accept(struct hut_unix *u, struct hut_unix **child, uint64_t deadline);
long hut_unix_connect_dgram(struct hut_unix *u, const struct hut_unix_name *to);

/* udata.c. to: NULL for the peer. files: SCM_RIGHTS, references taken
 * over by the message (or dropped on failure). */
struct hut_unix_send {
	const struct hut_iovec *iov;
	int iovcnt;
	int flags;
	struct hut_file **files;
	uint32_t nfiles;
};
long hut_unix_send(struct hut_unix *u, struct hut_unix_send *m, const struct hut_unix_name *to);
/* What one receive gives besides the data. */
struct hut_unix_recv {
	struct hut_unix_name from;
	struct hut_file **files; /* the message's, moved here (or copies with MSG_PEEK) */
	uint32_t nfiles;
	int msg_flags; /* MSG_TRUNC */
};
long hut_unix_recv(struct hut_unix *u, const struct hut_iovec *iov, int iovcnt, int flags,
		   struct hut_unix_recv *out);
long hut_unix_shutdown(struct hut_unix *u, int how);
uint32_t hut_unix_poll(struct hut_unix *u);
uint64_t hut_unix_readable(struct hut_unix *u); /* FIONREAD */
void hut_unix_msg_free(struct unix_msg *m);

/* uscm.c: files from a sendmsg's control messages (checked), and to a
 * recvmsg's buffer; drops what is not delivered. */
long hut_unix_scm_in(const void *control, uint64_t len, struct hut_file ***files, uint32_t *nfiles);
long hut_unix_scm_out(struct hut_unix_recv *r, void *control, uint64_t *len, int cloexec);
void hut_unix_files_drop(struct hut_file **files, uint32_t n);

/* uclose.c: the socket's file went (close of its last fd), or a
 * connection was never accepted: the peer sees EOF or a reset, names and
 * queued messages go. */
void hut_unix_release(struct hut_unix *u);

/* ufile.c */
struct hut_unix *hut_unix_of(struct hut_file *f);
long hut_unix_install(struct hut_unix *u, int flags);

/* unixoptcalls.c: the options of a Unix socket (level, name, value, length). */
long hut_unix_setsockopt(struct hut_unix *u, long level, long name, long val, long len);
long hut_unix_getsockopt(struct hut_unix *u, long level, long name, long val, long lenp);

/* unixcalls.c: the socket syscalls of other families. sys/ registers the
 * net layer's (AF_INET) when it is linked; unix/ may not name it. */
struct hut_sock_family {
	hut_syscall_fn socket, bind, listen, accept, accept4, connect, shutdown, getsockname,
		getpeername, sendto, recvfrom, sendmsg, recvmsg, setsockopt, getsockopt;
};
void hut_sock_family_register(const struct hut_sock_family *inet);

#endif
