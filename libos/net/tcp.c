/*
 * SOCK_STREAM on lwIP's tcp_pcb (raw API). lwIP's callbacks only record:
 * received pbufs go on the socket's queue (the advertised window closes as
 * it fills, because tcp_recved is called only when the app reads), acks
 * and errors count as news for poll and epoll. lwIP frees a pcb on its own
 * (reset, TIME_WAIT's end): the extension-argument "destroyed" callback
 * clears s->pcb, so the socket never holds a freed pcb.
 */
#include "socket.h"

#include <errno.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/tcp.h>
#include <sys/socket.h>

#define ACCEPT_QUEUE_MAX HUT_FD_MAX

static uint8_t ext_id;
static int ext_ready;

/* --- lwIP's callbacks --------------------------------------------------------- */

static void pcb_destroyed(uint8_t id, void *data)
{
	struct hut_sock *s = data;
	(void)id;
	if (s)
		s->pcb = NULL;
}

static const struct tcp_ext_arg_callbacks ext_callbacks = {.destroy = pcb_destroyed};

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct hut_sock *s = arg;
	(void)pcb;
	(void)err;
	if (!p) {
		s->peer_closed = 1;
	} else {
		if (s->rx_tail)
			s->rx_tail->next = p;
		else
			s->rx_head = p;
		s->rx_bytes += p->tot_len;
		while (p->next)
			p = p->next;
		s->rx_tail = p;
	}
	hut_sock_news(s, HUT_POLLIN);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct hut_sock *s = arg;
	(void)pcb;
	(void)len;
	s->acks++;
	hut_sock_news(s, HUT_POLLOUT);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it before calling): why, as an errno. */
static void on_error(void *arg, err_t err)
{
	struct hut_sock *s = arg;
	int connecting = s->state == HUT_SOCK_CONNECTING;
	s->pcb = NULL;
	s->state = HUT_SOCK_CLOSED;
	if (err == ERR_RST)
		s->error = connecting ? ECONNREFUSED : ECONNRESET;
	else if (err == ERR_ABRT)
		s->error = ETIMEDOUT;
	else if (err != ERR_CLSD)
		s->error = (int)-hut_err_to_errno(err);
	hut_sock_news(s, HUT_POLLIN | HUT_POLLOUT);
}

static void attach(struct hut_sock *s, struct tcp_pcb *pcb)
{
	s->pcb = pcb;
	tcp_arg(pcb, s);
	tcp_ext_arg_set_callbacks(pcb, ext_id, &ext_callbacks);
	tcp_ext_arg_set(pcb, ext_id, s);
	if (pcb->state == LISTEN)
		return; /* lwIP keeps no receive, sent or error callback for these */
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
}

/* The socket lets go of its pcb: lwIP finishes (or drops) it alone. */
static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_ext_arg_set(pcb, ext_id, NULL);
	if (pcb->state == LISTEN)
		return;
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

static void cache_names(struct hut_sock *s)
{
	struct tcp_pcb *pcb = s->pcb;
	if (!pcb)
		return;
	s->local = (struct hut_sock_addr){pcb->local_ip, pcb->local_port};
	if (pcb->state != LISTEN)
		s->remote = (struct hut_sock_addr){pcb->remote_ip, pcb->remote_port};
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct hut_sock *s = arg;
	(void)pcb;
	(void)err;
	s->state = HUT_SOCK_CONNECTED;
	cache_names(s);
	hut_sock_news(s, HUT_POLLOUT);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct hut_sock *l = arg, *s;
	if (err != ERR_OK || !pcb || !l || l->accept_count >= ACCEPT_QUEUE_MAX ||
	    !(s = hut_sock_new(SOCK_STREAM)))
		return ERR_MEM; /* lwIP resets the connection */
	s->state = HUT_SOCK_CONNECTED;
	s->bound = 1;
	s->nodelay = l->nodelay, s->keepalive = l->keepalive; /* inherited, as in Linux */
	attach(s, pcb);
	if (s->nodelay)
		tcp_nagle_disable(pcb);
	if (s->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	cache_names(s);
	if (l->accept_tail)
		l->accept_tail->accept_next = s;
	else
		l->accept_head = s;
	l->accept_tail = s;
	l->accept_count++;
	hut_sock_news(l, HUT_POLLIN);
	return ERR_OK;
}

/* --- set-up: open, bind, listen, connect ------------------------------------- */

static long tcp_open(struct hut_sock *s)
{
	if (!ext_ready) {
		ext_id = tcp_ext_arg_alloc_id();
		ext_ready = 1;
	}
	struct tcp_pcb *pcb = tcp_new();
	if (!pcb)
		return -ENOBUFS;
	attach(s, pcb);
	return 0;
}

/* Linux refuses an address that is not one of this machine's. */
static int is_local(const ip_addr_t *ip)
{
	struct netif *n;
	if (ip_addr_isany(ip) || ip4_addr_isloopback(ip_2_ip4(ip)))
		return 1;
	NETIF_FOREACH(n)
	{
		if (ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(ip)))
			return 1;
	}
	return 0;
}

static long tcp_bind_sock(struct hut_sock *s, const struct hut_sock_addr *a)
{
	if (!s->pcb || s->state != HUT_SOCK_NEW)
		return -EINVAL;
	if (!is_local(&a->ip))
		return -EADDRNOTAVAIL;
	err_t e = tcp_bind(s->pcb, &a->ip, a->port);
	if (e != ERR_OK)
		return hut_err_to_errno(e);
	s->bound = 1;
	cache_names(s);
	return 0;
}

static long tcp_listen_sock(struct hut_sock *s, int backlog)
{
	err_t e;
	if (s->state == HUT_SOCK_LISTENING) {
		s->backlog = backlog;
		return 0;
	}
	if (s->state != HUT_SOCK_NEW || !s->pcb)
		return -EINVAL;
	if (!s->bound) {
		struct hut_sock_addr any = {.ip = *IP_ANY_TYPE, .port = 0};
		long r = tcp_bind_sock(s, &any);
		if (r != 0)
			return r;
	}
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(s->pcb, 255, &e);
	if (!lpcb)
		return e == ERR_USE ? -EADDRINUSE : hut_err_to_errno(e);
	attach(s, lpcb); /* lwIP freed the old pcb and moved its arguments here */
	tcp_accept(lpcb, on_accept);
	s->state = HUT_SOCK_LISTENING;
	s->backlog = backlog;
	cache_names(s);
	return 0;
}

static int connect_done(void *arg)
{
	const struct hut_sock *s = arg;
	return s->state != HUT_SOCK_CONNECTING;
}

static long tcp_connect_sock(struct hut_sock *s, const struct hut_sock_addr *a, uint64_t deadline)
{
	if (!a)
		return -EAFNOSUPPORT;
	int pending = s->connect_pending; /* as Linux: the first connect() after a
					     non-blocking one ended reports how */
	s->connect_pending = 0;
	switch (s->state) {
	case HUT_SOCK_CONNECTING:
		s->connect_pending = 1;
		return -EALREADY;
	case HUT_SOCK_CONNECTED:
		return pending ? 0 : -EISCONN;
	case HUT_SOCK_LISTENING:
		return -EISCONN;
	case HUT_SOCK_CLOSED: {
		int e = hut_sock_take_error(s);
		return e ? -e : pending ? -ECONNABORTED : -EISCONN;
	}
	default:
		break;
	}
	if (!s->pcb)
		return -EINVAL;
	err_t e = tcp_connect(s->pcb, &a->ip, a->port, on_connected);
	if (e != ERR_OK)
		return e == ERR_RTE ? -ENETUNREACH : hut_err_to_errno(e);
	s->state = HUT_SOCK_CONNECTING;
	s->bound = 1;
	cache_names(s);
	hut_sock_run();
	if (deadline == 0) {
		s->connect_pending = 1;
		return -EINPROGRESS;
	}
	long r = hut_sock_wait(s, connect_done, deadline);
	if (r != 0)
		return r == -EAGAIN ? -ETIMEDOUT : r; /* -EINTR: it goes on, as in Linux */
	if (s->state == HUT_SOCK_CONNECTED)
		return 0;
	int err = hut_sock_take_error(s);
	return err ? -err : -ECONNREFUSED;
}

static int accept_ready(void *arg)
{
	const struct hut_sock *s = arg;
	return s->accept_head != NULL || s->state != HUT_SOCK_LISTENING;
}

static long tcp_accept_sock(struct hut_sock *s, struct hut_sock **child, uint64_t deadline)
{
	if (s->state != HUT_SOCK_LISTENING)
		return -EINVAL;
	long r = hut_sock_wait(s, accept_ready, deadline);
	if (r != 0)
		return r;
	if (!s->accept_head)
		return -EINVAL;
	*child = s->accept_head;
	s->accept_head = (*child)->accept_next;
	if (!s->accept_head)
		s->accept_tail = NULL;
	(*child)->accept_next = NULL;
	s->accept_count--;
	return 0;
}

/* --- receiving ------------------------------------------------------------------ */

static int readable(void *arg)
{
	const struct hut_sock *s = arg;
	return s->rx_bytes > 0 || s->peer_closed || s->shut_rd || s->error ||
	       s->state == HUT_SOCK_CLOSED;
}

/* Copies up to len queued bytes into the iovecs from byte skip on;
 * consumes them unless peek. */
static uint64_t take(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, uint64_t skip,
		     uint64_t len, int peek)
{
	uint64_t done = 0, off = s->rx_off;
	struct pbuf *q = s->rx_head;
	while (q && done < len) {
		uint64_t n = q->len - off < len - done ? q->len - off : len - done;
		hut_iov_copy_out(iov, iovcnt, skip + done, (const uint8_t *)q->payload + off, n);
		done += n;
		off += n;
		if (off < q->len)
			break;
		off = 0;
		if (peek) {
			q = q->next;
			continue;
		}
		struct pbuf *next = q->next;
		q->next = NULL;
		pbuf_free(q);
		q = s->rx_head = next;
	}
	if (peek)
		return done;
	if (!s->rx_head)
		s->rx_tail = NULL;
	s->rx_off = (uint32_t)off;
	s->rx_bytes -= done;
	for (uint64_t left = done; left > 0 && s->pcb;) {
		uint16_t n = left > 0xffff ? 0xffff : (uint16_t)left;
		tcp_recved(s->pcb, n);
		left -= n;
	}
	if (done)
		hut_sock_run(); /* the window update */
	return done;
}

static long tcp_recv_sock(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
			  struct hut_sock_addr *from, int *msg_flags, uint64_t deadline)
{
	uint64_t want = hut_iov_total(iov, iovcnt), got = 0;
	(void)from;
	(void)msg_flags;
	if (s->state == HUT_SOCK_NEW || s->state == HUT_SOCK_LISTENING)
		return -ENOTCONN;
	for (;;) {
		long r = hut_sock_wait(s, readable, deadline);
		if (r != 0)
			return got ? (long)got : r;
		if (s->rx_bytes == 0) {
			int e = got ? 0 : hut_sock_take_error(s);
			return e ? -e : (long)got;
		}
		got += take(s, iov, iovcnt, got, want - got, flags & MSG_PEEK);
		if (got == want || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
			return (long)got;
	}
}

static uint64_t tcp_readable_bytes(struct hut_sock *s)
{
	return s->rx_bytes;
}

/* --- sending --------------------------------------------------------------------- */

static int can_queue(const struct tcp_pcb *pcb)
{
	return tcp_sndbuf(pcb) > 0 && pcb->snd_queuelen < TCP_SND_QUEUELEN;
}

/* poll's POLLOUT: room enough to be worth waking for, as lwIP's sockets. */
static int has_room(const struct tcp_pcb *pcb)
{
	return tcp_sndbuf(pcb) >= TCP_SNDLOWAT && pcb->snd_queuelen < TCP_SNDQUEUELOWAT;
}

/* A send waits for the next ack: only an ack makes room (and tcp_write
 * can refuse even when the counts look fine, so they are no guide). */
struct send_wait {
	const struct hut_sock *s;
	uint32_t acks; /* counted when the wait began */
};

static int send_ready(void *arg)
{
	const struct send_wait *w = arg;
	const struct hut_sock *s = w->s;
	return !s->pcb || s->error || s->state != HUT_SOCK_CONNECTED || s->acks != w->acks;
}

/* Queues what fits of the iovecs from byte skip; returns how much. */
static uint64_t queue(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, uint64_t skip,
		      int more)
{
	struct tcp_pcb *pcb = s->pcb;
	uint64_t done = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (skip >= iov[i].len) {
			skip -= iov[i].len;
			continue;
		}
		const uint8_t *p = (const uint8_t *)iov[i].base + skip;
		uint64_t left = iov[i].len - skip;
		skip = 0;
		while (left > 0 && can_queue(pcb)) {
			uint64_t n = tcp_sndbuf(pcb);
			n = n < left ? n : left;
			n = n < 0xffff ? n : 0xffff;
			uint8_t flags =
				TCP_WRITE_FLAG_COPY | (more || n < left ? TCP_WRITE_FLAG_MORE : 0);
			if (tcp_write(pcb, p, (u16_t)n, flags) != ERR_OK)
				return done;
			done += n, p += n, left -= n;
		}
		if (left > 0)
			return done;
	}
	return done;
}

static long tcp_send_sock(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
			  const struct hut_sock_addr *to, uint64_t deadline)
{
	uint64_t want = hut_iov_total(iov, iovcnt), sent = 0;
	(void)to;
	if (s->state == HUT_SOCK_CONNECTING) {
		long r = hut_sock_wait(s, connect_done, deadline);
		if (r != 0)
			return r;
	}
	for (;;) {
		int e = hut_sock_take_error(s);
		if (e)
			return sent ? (long)sent : -e;
		if (s->state != HUT_SOCK_CONNECTED || s->shut_wr || !s->pcb)
			return sent ? (long)sent : hut_sock_epipe(flags);
		struct send_wait w = {s, s->acks};
		sent += queue(s, iov, iovcnt, sent, (flags & MSG_MORE) != 0);
		tcp_output(s->pcb);
		hut_sock_run();
		if (sent == want)
			return (long)sent;
		long r = hut_sock_wait_for(send_ready, &w, deadline);
		if (r != 0)
			return sent ? (long)sent : r;
	}
}

/* --- shutdown, poll, names, close ------------------------------------------------ */

static long tcp_shutdown_sock(struct hut_sock *s, int how)
{
	if (s->state == HUT_SOCK_LISTENING)
		return 0;
	if (s->state != HUT_SOCK_CONNECTED)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->shut_rd = 1;
	if (how != SHUT_RD && !s->shut_wr) {
		s->shut_wr = 1;
		if (s->pcb)
			tcp_shutdown(s->pcb, 0, 1); /* FIN after what is queued */
		hut_sock_run();
	}
	hut_sock_news(s, HUT_POLLIN | HUT_POLLOUT);
	return 0;
}

/* What Linux's tcp_poll reports in each state. */
static uint32_t tcp_poll_sock(struct hut_sock *s)
{
	uint32_t mask = s->error ? HUT_POLLERR : 0;
	const uint32_t in = HUT_POLLIN | HUT_POLLRDNORM, out = HUT_POLLOUT | HUT_POLLWRNORM;
	switch (s->state) {
	case HUT_SOCK_LISTENING:
		return s->accept_head ? in : 0;
	case HUT_SOCK_CONNECTING:
		return mask;
	case HUT_SOCK_NEW:
		return mask | out | HUT_POLLHUP;
	case HUT_SOCK_CLOSED: /* over: both directions shut */
		return mask | in | out | HUT_POLLRDHUP | HUT_POLLHUP;
	default:
		break;
	}
	int rd_shut = s->peer_closed || s->shut_rd;
	if (rd_shut && s->shut_wr)
		mask |= HUT_POLLHUP;
	if (rd_shut)
		mask |= in | HUT_POLLRDHUP;
	if (s->rx_bytes)
		mask |= in;
	if (s->shut_wr || !s->pcb || has_room(s->pcb))
		mask |= out;
	return mask;
}

static void tcp_names(struct hut_sock *s)
{
	cache_names(s);
}

static void free_queue(struct hut_sock *s)
{
	if (s->rx_head)
		pbuf_free(s->rx_head);
	s->rx_head = s->rx_tail = NULL;
	s->rx_bytes = 0;
}

/* Drops a connection: RST to the peer. */
static void drop(struct hut_sock *s)
{
	struct tcp_pcb *pcb = s->pcb;
	free_queue(s);
	if (!pcb)
		return;
	s->pcb = NULL;
	detach(pcb);
	tcp_abort(pcb);
}

/* As Linux: unread data or SO_LINGER 0 make the close a reset; else the
 * FIN follows what is queued and lwIP finishes the connection alone. */
static void tcp_close_sock(struct hut_sock *s)
{
	struct tcp_pcb *pcb = s->pcb;
	while (s->accept_head) {
		struct hut_sock *c = s->accept_head;
		s->accept_head = c->accept_next;
		drop(c);
		hut_kfree(c, sizeof *c);
	}
	if (!pcb || s->rx_bytes || (s->linger_on && s->linger_sec == 0)) {
		drop(s);
	} else {
		free_queue(s);
		s->pcb = NULL;
		detach(pcb);
		if (tcp_close(pcb) != ERR_OK)
			tcp_abort(pcb);
	}
	hut_sock_run();
}

const struct hut_sock_proto hut_tcp_proto = {
	.open = tcp_open,
	.bind = tcp_bind_sock,
	.listen = tcp_listen_sock,
	.accept = tcp_accept_sock,
	.connect = tcp_connect_sock,
	.send = tcp_send_sock,
	.recv = tcp_recv_sock,
	.shutdown = tcp_shutdown_sock,
	.poll = tcp_poll_sock,
	.readable_bytes = tcp_readable_bytes,
	.names = tcp_names,
	.close = tcp_close_sock,
};
