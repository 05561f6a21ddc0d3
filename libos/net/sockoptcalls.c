/*
 * setsockopt and getsockopt: the options servers set, with Linux's answers
 * (its sizes, its doubling of SO_RCVBUF and SO_SNDBUF, ENOPROTOOPT for the
 * rest). Options lwIP has (keepalive, Nagle, address reuse) reach the pcb;
 * the others are kept so that a get returns what the set gave.
 */
#include "sockcalls.h"
#include "socket.h"

#include <errno.h>
#include <lwip/tcp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#define RCVBUF_MIN 2304 /* SOCK_MIN_RCVBUF */
#define SNDBUF_MIN 4608 /* SOCK_MIN_SNDBUF */

/* A TCP pcb that is not listening (those lack flags and keepalive timers). */
static struct tcp_pcb *conn_pcb(struct hut_sock *s)
{
	struct tcp_pcb *pcb = s->pcb;
	return s->type == SOCK_STREAM && pcb && pcb->state != LISTEN ? pcb : NULL;
}

static void apply_keepalive(struct hut_sock *s)
{
	struct tcp_pcb *pcb = conn_pcb(s);
	if (!pcb)
		return;
	pcb->keep_idle = (u32_t)s->keep_idle * 1000;
	pcb->keep_intvl = (u32_t)s->keep_intvl * 1000;
	pcb->keep_cnt = (u32_t)s->keep_cnt;
}

static void set_ip_option(struct hut_sock *s, int option, int on)
{
	struct ip_pcb *pcb = s->pcb; /* every lwIP pcb starts with the IP fields */
	if (!pcb)
		return;
	if (on)
		ip_set_option(pcb, option);
	else
		ip_reset_option(pcb, option);
}

static long set_socket_level(struct hut_sock *s, int name, const void *val, uint32_t len)
{
	int v = *(const int *)val;
	switch (name) {
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		set_ip_option(s, SOF_REUSEADDR, v != 0);
		return 0;
	case SO_REUSEPORT:
		s->reuseport = v != 0;
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		set_ip_option(s, SOF_KEEPALIVE, v != 0);
		return 0;
	case SO_BROADCAST:
		s->broadcast = v != 0;
		set_ip_option(s, SOF_BROADCAST, v != 0);
		return 0;
	case SO_RCVBUF:
		s->rcvbuf = hut_sockopt_buf((uint32_t)v, RCVBUF_MIN);
		return 0;
	case SO_SNDBUF:
		s->sndbuf = hut_sockopt_buf((uint32_t)v, SNDBUF_MIN);
		return 0;
	case SO_LINGER: {
		const struct linger *l = val;
		if (len < sizeof *l)
			return -EINVAL;
		s->linger_on = l->l_onoff != 0;
		s->linger_sec = l->l_linger < 0 ? 0 : l->l_linger;
		return 0;
	}
	case SO_RCVTIMEO:
		return hut_sockopt_timeout_in(&s->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO:
		return hut_sockopt_timeout_in(&s->sndtimeo_ns, val, len);
	default:
		return -ENOPROTOOPT;
	}
}

static long set_tcp_level(struct hut_sock *s, int name, int v)
{
	struct tcp_pcb *pcb = conn_pcb(s);
	switch (name) {
	case TCP_NODELAY:
		s->nodelay = v != 0;
		if (pcb && v)
			tcp_nagle_disable(pcb);
		else if (pcb)
			tcp_nagle_enable(pcb);
		if (pcb)
			tcp_output(pcb);
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		*(name == TCP_KEEPIDLE ? &s->keep_idle : &s->keep_intvl) = v;
		apply_keepalive(s);
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		s->keep_cnt = v;
		apply_keepalive(s);
		return 0;
	case TCP_CORK:
		s->cork = v != 0;
		return 0;
	case TCP_MAXSEG:
		s->maxseg = v;
		return 0;
	case TCP_QUICKACK:
	case TCP_DEFER_ACCEPT:
	case TCP_FASTOPEN:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static long set_ip_level(struct hut_sock *s, int name, int v)
{
	switch (name) {
	case IP_TOS:
		s->tos = v & 0xff;
		return 0;
	case IP_TTL:
		if (v < -1 || v == 0 || v > 255)
			return -EINVAL;
		s->ttl = v == -1 ? 64 : v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

HUT_SYSCALL(inet_setsockopt)
{
	struct hut_sock *s;
	int level = (int)a1, name = (int)a2;
	const void *val = (const void *)a3;
	uint32_t len = (uint32_t)a4;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if ((int)len < (int)sizeof(int))
		return -EINVAL;
	if (!hut_user_readable(val, len))
		return -EFAULT;
	if (level == SOL_SOCKET)
		return set_socket_level(s, name, val, len);
	if (level == IPPROTO_TCP && s->type == SOCK_STREAM)
		return set_tcp_level(s, name, *(const int *)val);
	if (level == IPPROTO_IP)
		return set_ip_level(s, name, *(const int *)val);
	return -ENOPROTOOPT;
}

/* --- getsockopt ----------------------------------------------------------------- */

static long get_socket_level(struct hut_sock *s, int name, struct hut_optval *o)
{
	switch (name) {
	case SO_TYPE:
		return hut_optval_int(o, s->type);
	case SO_ERROR:
		return hut_optval_int(o, hut_sock_take_error(s));
	case SO_ACCEPTCONN:
		return hut_optval_int(o, s->state == HUT_SOCK_LISTENING);
	case SO_DOMAIN:
		return hut_optval_int(o, AF_INET);
	case SO_PROTOCOL:
		return hut_optval_int(o, s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
	case SO_REUSEADDR:
		return hut_optval_int(o, s->reuseaddr);
	case SO_REUSEPORT:
		return hut_optval_int(o, s->reuseport);
	case SO_KEEPALIVE:
		return hut_optval_int(o, s->keepalive);
	case SO_BROADCAST:
		return hut_optval_int(o, s->broadcast);
	case SO_RCVBUF:
		return hut_optval_int(o, s->rcvbuf);
	case SO_SNDBUF:
		return hut_optval_int(o, s->sndbuf);
	case SO_LINGER: {
		struct linger l = {s->linger_on, s->linger_sec};
		return hut_optval_bytes(o, &l, sizeof l);
	}
	case SO_RCVTIMEO:
		return hut_optval_timeout(o, s->rcvtimeo_ns);
	case SO_SNDTIMEO:
		return hut_optval_timeout(o, s->sndtimeo_ns);
	default:
		return -ENOPROTOOPT;
	}
}

static long get_tcp_level(struct hut_sock *s, int name, struct hut_optval *o)
{
	struct tcp_pcb *pcb = conn_pcb(s);
	switch (name) {
	case TCP_NODELAY:
		return hut_optval_int(o, s->nodelay);
	case TCP_KEEPIDLE:
		return hut_optval_int(o, s->keep_idle);
	case TCP_KEEPINTVL:
		return hut_optval_int(o, s->keep_intvl);
	case TCP_KEEPCNT:
		return hut_optval_int(o, s->keep_cnt);
	case TCP_CORK:
		return hut_optval_int(o, s->cork);
	case TCP_MAXSEG:
		return hut_optval_int(o, s->maxseg ? s->maxseg : pcb ? pcb->mss : 536);
	default:
		return -ENOPROTOOPT;
	}
}

static long get_ip_level(struct hut_sock *s, int name, struct hut_optval *o)
{
	switch (name) {
	case IP_TOS:
		return hut_optval_int(o, s->tos);
	case IP_TTL:
		return hut_optval_int(o, s->ttl);
	default:
		return -ENOPROTOOPT;
	}
}

HUT_SYSCALL(inet_getsockopt)
{
	struct hut_sock *s;
	struct hut_optval o = {0};
	int level = (int)a1, name = (int)a2;
	void *val = (void *)a3;
	uint32_t *lenp = (uint32_t *)a4;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if ((r = hut_optval_len_check(lenp)) != 0)
		return r;
	if (level == SOL_SOCKET)
		r = get_socket_level(s, name, &o);
	else if (level == IPPROTO_TCP && s->type == SOCK_STREAM)
		r = get_tcp_level(s, name, &o);
	else if (level == IPPROTO_IP)
		r = get_ip_level(s, name, &o);
	else
		r = -ENOPROTOOPT;
	return r != 0 ? r : hut_optval_out(&o, val, lenp);
}
