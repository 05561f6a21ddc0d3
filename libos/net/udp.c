/*
 * SOCK_DGRAM on lwIP's udp_pcb: each datagram lwIP hands us waits on the
 * socket's queue with its sender until the app reads it; a full queue
 * (SO_RCVBUF) drops new ones, as Linux does.
 */
#include "socket.h"

#include <errno.h>
#include <lwip/udp.h>
#include <sys/socket.h>

#define DGRAM_MAX 65507 /* IPv4's largest UDP payload */

static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			u16_t port)
{
	struct hut_sock *s = arg;
	struct hut_dgram *d;
	(void)pcb;
	if (s->dq_bytes + p->tot_len > (uint64_t)s->rcvbuf || !(d = hut_kalloc(sizeof *d))) {
		pbuf_free(p);
		return;
	}
	*d = (struct hut_dgram){.p = p, .from = *addr, .port = port};
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq_head = d;
	s->dq_tail = d;
	s->dq_bytes += p->tot_len;
	hut_sock_news(s, HUT_POLLIN);
}

static struct udp_pcb *pcb_of(struct hut_sock *s)
{
	return s->pcb;
}

static long udp_open(struct hut_sock *s)
{
	struct udp_pcb *pcb = udp_new();
	if (!pcb)
		return -ENOBUFS;
	udp_recv(pcb, on_datagram, s);
	s->pcb = pcb;
	return 0;
}

static long udp_bind_sock(struct hut_sock *s, const struct hut_sock_addr *a)
{
	struct netif *n;
	int local = ip_addr_isany(&a->ip) || ip4_addr_isloopback(ip_2_ip4(&a->ip));
	NETIF_FOREACH(n)
	{
		local |= ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(&a->ip));
	}
	if (!local)
		return -EADDRNOTAVAIL;
	if (s->reuseaddr)
		ip_set_option(pcb_of(s), SOF_REUSEADDR);
	err_t e = udp_bind(pcb_of(s), &a->ip, a->port);
	if (e != ERR_OK)
		return hut_err_to_errno(e);
	s->bound = 1;
	return 0;
}

static long udp_listen_sock(struct hut_sock *s, int backlog)
{
	(void)s;
	(void)backlog;
	return -EOPNOTSUPP;
}

static long udp_accept_sock(struct hut_sock *s, struct hut_sock **child, uint64_t deadline)
{
	(void)s;
	(void)child;
	(void)deadline;
	return -EOPNOTSUPP;
}

/* a NULL: AF_UNSPEC, which dissolves the association. */
static long udp_connect_sock(struct hut_sock *s, const struct hut_sock_addr *a, uint64_t deadline)
{
	(void)deadline;
	if (!a) {
		udp_disconnect(pcb_of(s));
		s->state = HUT_SOCK_NEW;
		s->remote = (struct hut_sock_addr){0};
		return 0;
	}
	err_t e = udp_connect(pcb_of(s), &a->ip, a->port);
	if (e != ERR_OK)
		return hut_err_to_errno(e);
	s->state = HUT_SOCK_CONNECTED;
	s->bound = 1;
	return 0;
}

static long udp_send_sock(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
			  const struct hut_sock_addr *to, uint64_t deadline)
{
	uint64_t len = hut_iov_total(iov, iovcnt);
	(void)deadline;
	if (s->shut_wr)
		return hut_sock_epipe(flags);
	if (!to && s->state != HUT_SOCK_CONNECTED)
		return -EDESTADDRREQ;
	if (len > DGRAM_MAX)
		return -EMSGSIZE;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	hut_iov_copy_in(iov, iovcnt, 0, p->payload, len);
	err_t e = to ? udp_sendto(pcb_of(s), p, &to->ip, to->port) : udp_send(pcb_of(s), p);
	pbuf_free(p);
	s->bound = 1;
	if (e != ERR_OK)
		return e == ERR_RTE ? -ENETUNREACH : hut_err_to_errno(e);
	hut_sock_news(s, HUT_POLLOUT);
	hut_sock_run();
	return (long)len;
}

static int readable(void *arg)
{
	const struct hut_sock *s = arg;
	return s->dq_head || s->error || s->shut_rd;
}

static long udp_recv_sock(struct hut_sock *s, const struct hut_iovec *iov, int iovcnt, int flags,
			  struct hut_sock_addr *from, int *msg_flags, uint64_t deadline)
{
	long r = hut_sock_wait(s, readable, deadline);
	if (r != 0)
		return r;
	int e = hut_sock_take_error(s);
	if (e)
		return -e;
	struct hut_dgram *d = s->dq_head;
	if (!d)
		return 0; /* shut down for reading */
	uint64_t want = hut_iov_total(iov, iovcnt), len = d->p->tot_len;
	uint64_t n = want < len ? want : len;
	uint64_t done = 0;
	for (struct pbuf *q = d->p; q && done < n; q = q->next) {
		uint64_t part = q->len < n - done ? q->len : n - done;
		hut_iov_copy_out(iov, iovcnt, done, q->payload, part);
		done += part;
	}
	if (from)
		*from = (struct hut_sock_addr){d->from, d->port};
	if (msg_flags && n < len)
		*msg_flags |= MSG_TRUNC;
	if (!(flags & MSG_PEEK)) {
		s->dq_head = d->next;
		if (!s->dq_head)
			s->dq_tail = NULL;
		s->dq_bytes -= len;
		pbuf_free(d->p);
		hut_kfree(d, sizeof *d);
	}
	return (long)((flags & MSG_TRUNC) ? len : n);
}

static long udp_shutdown_sock(struct hut_sock *s, int how)
{
	if (s->state != HUT_SOCK_CONNECTED)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->shut_rd = 1;
	if (how != SHUT_RD)
		s->shut_wr = 1;
	hut_sock_news(s, HUT_POLLIN | HUT_POLLOUT);
	return 0;
}

static uint32_t udp_poll_sock(struct hut_sock *s)
{
	uint32_t mask = HUT_POLLOUT | HUT_POLLWRNORM | HUT_POLLWRBAND;
	if (s->dq_head)
		mask |= HUT_POLLIN | HUT_POLLRDNORM;
	if (s->shut_rd)
		mask |= HUT_POLLIN | HUT_POLLRDNORM | HUT_POLLRDHUP;
	if (s->shut_rd && s->shut_wr)
		mask |= HUT_POLLHUP;
	if (s->error)
		mask |= HUT_POLLERR;
	return mask;
}

/* FIONREAD of a datagram socket: the size of the next datagram. */
static uint64_t udp_readable_bytes(struct hut_sock *s)
{
	return s->dq_head ? s->dq_head->p->tot_len : 0;
}

static void udp_names(struct hut_sock *s)
{
	struct udp_pcb *pcb = pcb_of(s);
	s->local = (struct hut_sock_addr){pcb->local_ip, pcb->local_port};
	if (s->state == HUT_SOCK_CONNECTED)
		s->remote = (struct hut_sock_addr){pcb->remote_ip, pcb->remote_port};
}

static void udp_close_sock(struct hut_sock *s)
{
	while (s->dq_head) {
		struct hut_dgram *d = s->dq_head;
		s->dq_head = d->next;
		pbuf_free(d->p);
		hut_kfree(d, sizeof *d);
	}
	if (s->pcb)
		udp_remove(pcb_of(s));
	s->pcb = NULL;
}

const struct hut_sock_proto hut_udp_proto = {
	.open = udp_open,
	.bind = udp_bind_sock,
	.listen = udp_listen_sock,
	.accept = udp_accept_sock,
	.connect = udp_connect_sock,
	.send = udp_send_sock,
	.recv = udp_recv_sock,
	.shutdown = udp_shutdown_sock,
	.poll = udp_poll_sock,
	.readable_bytes = udp_readable_bytes,
	.names = udp_names,
	.close = udp_close_sock,
};
