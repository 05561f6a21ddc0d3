/*
 * The socket layer: AF_INET sockets as fds of the libos's one table, on
 * lwIP's raw (callback) API with no lwIP threads. lwIP calls us back from
 * hut_net_poll (which hut_wait runs) when segments arrive; the callbacks
 * only queue data and record state in struct hut_sock, and the syscalls
 * take it from there. A call that must wait does so through hut_wait with a
 * predicate on that state, so it sleeps in the monitor, and another thread
 * (or the peer on loopback) can end the wait.
 *
 * sock.c         a socket and its file ops, whatever its protocol
 * sockcalls.c    the socket syscalls (the checks before the protocol)
 * sockaddr.c     sockaddr_in to and from the app, the socket's names
 * sockoptcalls.c setsockopt, getsockopt
 * tcp.c          SOCK_STREAM on tcp_pcb, udp.c SOCK_DGRAM on udp_pcb
 * start.c        the network's start: registers the protocols and hooks
 */
#ifndef HUT_LIBOS_SOCKET_H
#define HUT_LIBOS_SOCKET_H

#include "fd/file.h"

#include <lwip/ip_addr.h>

struct hut_sock;
struct pbuf;

/* A datagram waiting to be read (UDP). */
struct hut_dgram {
	struct hut_dgram *next;
	struct pbuf *p;
	ip_addr_t from;
	uint16_t port;
};

/* Where a send goes or a receive came from; port in host order. */
struct hut_sock_addr {
	ip_addr_t ip;
	uint16_t port;
};

/* What a protocol does; sockcalls.c did the generic checks before. */
struct hut_sock_proto {
	long (*open)(struct hut_sock *s); /* makes the pcb */
	long (*bind)(struct hut_sock *s, const struct hut_sock_addr *a);
	long (*listen)(struct hut_sock *s, int backlog);
	long (*accept)(struct hut_sock *s, struct hut_sock **child, uint64_t deadline);
	long (*connect)(struct hut_sock *s, const struct hut_sock_addr *a, uint64_t deadline);
	/* to: NULL for the connected peer. deadline 0: do not wait. */
	long (*send)(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
		     const struct hut_sock_addr *to, uint64_t deadline);
	/* from (if not NULL) gets the sender; *msg_flags gets MSG_TRUNC. */
	long (*recv)(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
		     struct hut_sock_addr *from, int *msg_flags, uint64_t deadline);
	long (*shutdown)(struct hut_sock *s, int how);
	uint32_t (*poll)(struct hut_sock *s);
	uint64_t (*readable_bytes)(struct hut_sock *s); /* FIONREAD */
	/* Refreshes s->local and s->remote from the pcb, if any. */
	void (*names)(struct hut_sock *s);
	void (*close)(struct hut_sock *s);
};

enum hut_sock_state {
	HUT_SOCK_NEW,
	HUT_SOCK_LISTENING,
	HUT_SOCK_CONNECTING,
	HUT_SOCK_CONNECTED, /* TCP: established (or closing); UDP: a default peer */
	HUT_SOCK_CLOSED,    /* TCP: the connection is over (reset, refused, both shut) */
};

struct hut_sock {
	const struct hut_sock_proto *proto;
	struct hut_file *file; /* for epoll's news; NULL until it has an fd */
	int type;	       /* SOCK_STREAM or SOCK_DGRAM */
	enum hut_sock_state state;
	int error;	     /* SO_ERROR: a positive errno, taken by the next call it ends */
	int connect_pending; /* a non-blocking connect whose end no connect() saw yet */
	int bound;
	void *pcb; /* struct tcp_pcb * or struct udp_pcb *; NULL once lwIP freed it */
	struct hut_sock_addr local, remote;
	/* TCP receive queue: lwIP's pbufs, chained through ->next, as they came. */
	struct pbuf *rx_head, *rx_tail;
	uint32_t rx_off;   /* bytes of rx_head already read */
	uint64_t rx_bytes; /* unread bytes in the queue */
	int peer_closed;   /* FIN received: EOF after the queue */
	uint32_t acks;	   /* lwIP's sent callbacks: room came */
	int shut_rd, shut_wr;
	/* UDP receive queue */
	struct hut_dgram *dq_head, *dq_tail;
	uint64_t dq_bytes;
	/* listening: connections lwIP accepted, not yet accept()ed */
	struct hut_sock *accept_head, *accept_tail, *accept_next;
	int backlog, accept_count;
	/* options */
	int reuseaddr, reuseport, keepalive, nodelay, broadcast;
	int rcvbuf, sndbuf; /* as getsockopt reports them (Linux doubles what is set) */
	int linger_on, linger_sec;
	int keep_idle, keep_intvl, keep_cnt; /* TCP_KEEP*: seconds, probes */
	int tos, ttl, cork, maxseg;	     /* kept and reported, not acted on */
	uint64_t rcvtimeo_ns, sndtimeo_ns;   /* 0: none */
};

/* tcp.c, udp.c: the protocols (registered by start.c). */
extern const struct hut_sock_proto hut_tcp_proto, hut_udp_proto;

/* sock.c */
/* The protocol behind a socket type (SOCK_STREAM, SOCK_DGRAM). */
void hut_sock_register(int type, const struct hut_sock_proto *proto);
/* A new socket of a registered type, or NULL. */
struct hut_sock *hut_sock_new(int type);
/* 0 (do not wait: non-blocking or MSG_DONTWAIT), now + timeo_ns, or forever. */
uint64_t hut_sock_deadline(const struct hut_sock *s, int flags, uint64_t timeo_ns);
/* The socket behind fd: 0, -EBADF, or -ENOTSOCK for other files. */
long hut_sock_fd(long fd, struct hut_sock **s);
/* Installs s behind a new fd (accept, socket). */
long hut_sock_install(struct hut_sock *s, int flags);
/* Something changed on s: what (HUT_POLLIN/OUT) for edge-triggered epoll. */
void hut_sock_news(struct hut_sock *s, uint32_t what);
/* Waits for ready(s) until deadline (0: not at all, -EAGAIN), interruptible;
 * 0 once ready, -EAGAIN when the deadline passes, -EINTR. */
long hut_sock_wait(struct hut_sock *s, int (*ready)(void *), uint64_t deadline);
/* Takes the pending error (SO_ERROR), 0 if none. */
int hut_sock_take_error(struct hut_sock *s);
/* EPIPE for a send, with SIGPIPE unless MSG_NOSIGNAL. */
long hut_sock_epipe(int flags);

/* Runs the stack now: what a call queued on loopback arrives before it
 * returns, as on Linux. */
void hut_sock_run(void);

/* sockaddr.c */
long hut_sockaddr_in(const void *addr, long len, struct hut_sock_addr *out);
long hut_sockaddr_out(const struct hut_sock_addr *a, void *addr, uint32_t *len);
long hut_err_to_errno(int8_t err);

#endif
