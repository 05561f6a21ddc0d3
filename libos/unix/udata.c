/*
 * What Unix sockets carry: each send queues messages on the receiving
 * socket, with the sender's name and the files passed along (SCM_RIGHTS).
 * A stream send may be cut into pieces as room comes (the receiver's queue
 * is limited by the sender's SO_SNDBUF, roughly as Linux counts it); a
 * datagram or seqpacket message goes whole or not at all. Errors follow
 * Linux's af_unix: EPIPE (and SIGPIPE unless MSG_NOSIGNAL) on a stream
 * whose peer closed or shut down, EOF after the queue, ECONNRESET when the
 * peer left data unread.
 */
#include "unix.h"

#include <errno.h>
#include <signal.h>

#define DGRAM_QLEN 512 /* datagrams a socket queues (net.unix.max_dgram_qlen) */

static struct unix_msg *msg_new(const struct hut_unix *from, uint64_t len)
{
	struct unix_msg *m = hut_kalloc(sizeof *m + len);
	if (!m)
		return NULL;
	m->len = len;
	if (from->name.len)
		m->from = from->name;
	return m;
}

void hut_unix_msg_free(struct unix_msg *m)
{
	hut_unix_files_drop(m->files, m->nfiles);
	hut_kfree(m, sizeof *m + m->len);
}

static void enqueue(struct hut_unix *to, struct unix_msg *m)
{
	if (to->rx_tail)
		to->rx_tail->next = m;
	else
		to->rx_head = m;
	to->rx_tail = m;
	to->rx_bytes += m->len;
	to->rx_count++;
	hut_unix_news(to, HUT_POLLIN);
}

/* Makes one message of n bytes from offset done of the send, with the
 * send's files if it still has them, and queues it on to. */
static long send_piece(struct hut_unix *u, struct hut_unix_send *s, uint64_t done, uint64_t n,
		       struct hut_unix *to)
{
	struct unix_msg *m = msg_new(u, n);
	if (!m)
		return -ENOMEM;
	hut_iov_copy_in(s->iov, s->iovcnt, done, m->data, n);
	m->files = s->files;
	m->nfiles = s->nfiles;
	s->files = NULL;
	s->nfiles = 0;
	enqueue(to, m);
	return 0;
}

static long pipe_error(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		hut_signal_raise_thread(SIGPIPE);
	return -EPIPE;
}

/* --- streams and seqpacket ------------------------------------------------------ */

/* Room in the peer's queue for want bytes, or a reason to stop waiting. */
struct room_wait {
	struct hut_unix *u;
	uint64_t want;
};

static int conn_room(void *arg)
{
	const struct room_wait *w = arg;
	const struct hut_unix *p = w->u->peer;
	return !p || (w->u->shut & HUT_UNIX_SHUT_WR) || (p->shut & HUT_UNIX_SHUT_RD) ||
	       p->rx_bytes + w->want <= (uint64_t)w->u->sndbuf;
}

static long conn_send(struct hut_unix *u, struct hut_unix_send *s, uint64_t total)
{
	uint64_t done = 0, deadline = hut_unix_deadline(u, s->flags, u->sndtimeo_ns);
	int stream = u->type == SOCK_STREAM;
	if (!stream && total > (uint64_t)u->sndbuf)
		return -EMSGSIZE;
	do {
		struct room_wait w = {u, stream ? 1 : total};
		long r = hut_sock_wait_for(conn_room, &w, deadline);
		if (r != 0)
			return done ? (long)done : r;
		if ((u->shut & HUT_UNIX_SHUT_WR) || !u->peer || (u->peer->shut & HUT_UNIX_SHUT_RD))
			return done ? (long)done : pipe_error(s->flags);
		uint64_t room = (uint64_t)u->sndbuf - u->peer->rx_bytes, n = total - done;
		if (stream && n > room)
			n = room;
		if ((r = send_piece(u, s, done, n, u->peer)) != 0)
			return done ? (long)done : r;
		done += n;
	} while (done < total);
	return (long)done;
}

/* --- datagrams --------------------------------------------------------------- */

/* Where a datagram goes: the name given, or the default peer. */
struct dest_wait {
	struct hut_unix *u;
	const struct hut_unix_name *to;
};

static long dest_of(const struct dest_wait *w, struct hut_unix **out)
{
	if (!w->to) {
		*out = w->u->peer;
		if (!*out) {
			int refused = w->u->refused;
			w->u->refused = 0;
			if (refused)
				w->u->state = HUT_UNIX_NEW; /* disconnected, as Linux then is */
			return refused ? -ECONNREFUSED : -ENOTCONN;
		}
	} else {
		long r = hut_unix_lookup(w->to, out);
		if (r != 0)
			return r;
		if ((*out)->type != SOCK_DGRAM)
			return -EPROTOTYPE;
	}
	if ((*out)->peer && (*out)->peer != w->u)
		return -EPERM; /* it takes datagrams from its peer only */
	return 0;
}

static int dgram_room(void *arg)
{
	const struct dest_wait *w = arg;
	struct hut_unix *d = w->to ? NULL : w->u->peer;
	if (w->to && hut_unix_lookup(w->to, &d) != 0)
		return 1;
	return !d || d->rx_count < DGRAM_QLEN || (d->shut & HUT_UNIX_SHUT_RD);
}

static long dgram_send(struct hut_unix *u, struct hut_unix_send *s, uint64_t total,
		       const struct hut_unix_name *to)
{
	struct dest_wait w = {u, to};
	struct hut_unix *d;
	long r;
	if (u->shut & HUT_UNIX_SHUT_WR)
		return pipe_error(s->flags);
	if (total > (uint64_t)u->sndbuf)
		return -EMSGSIZE;
	if ((r = dest_of(&w, &d)) != 0)
		return r;
	if ((r = hut_sock_wait_for(dgram_room, &w, hut_unix_deadline(u, s->flags, u->sndtimeo_ns))))
		return r;
	if ((r = dest_of(&w, &d)) != 0)
		return r;
	if (d->shut & HUT_UNIX_SHUT_RD)
		return -EPIPE;
	if ((r = send_piece(u, s, 0, total, d)) != 0)
		return r;
	return (long)total;
}

long hut_unix_send(struct hut_unix *u, struct hut_unix_send *s, const struct hut_unix_name *to)
{
	uint64_t total = hut_iov_total(s->iov, s->iovcnt);
	if (u->type == SOCK_DGRAM)
		return dgram_send(u, s, total, to);
	if (to && u->type == SOCK_STREAM)
		return u->state == HUT_UNIX_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (u->shut & HUT_UNIX_SHUT_WR)
		return pipe_error(s->flags);
	if (u->state != HUT_UNIX_CONNECTED)
		return -ENOTCONN;
	if (total == 0 && u->type == SOCK_STREAM)
		return 0;
	return conn_send(u, s, total);
}

/* --- receiving ------------------------------------------------------------------ */

static int has_data(void *arg)
{
	const struct hut_unix *u = arg;
	return u->rx_head || (u->shut & HUT_UNIX_SHUT_RD) || u->error;
}

/* The message's files, to the receiver: moved, or copies for MSG_PEEK. */
static long take_files(struct unix_msg *m, int peek, struct hut_unix_recv *out)
{
	if (!m->files)
		return 0;
	if (!peek) {
		out->files = m->files;
		out->nfiles = m->nfiles;
		m->files = NULL;
		m->nfiles = 0;
		return 0;
	}
	out->files = hut_kalloc(m->nfiles * sizeof *out->files);
	if (!out->files)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->nfiles; i++) {
		out->files[i] = m->files[i];
		hut_file_ref(m->files[i]);
	}
	out->nfiles = m->nfiles;
	return 0;
}

static void dequeue_head(struct hut_unix *u)
{
	struct unix_msg *m = u->rx_head;
	u->rx_head = m->next;
	if (!u->rx_head)
		u->rx_tail = NULL;
	u->rx_count--;
	hut_unix_msg_free(m);
}

/* A stream reads across messages, but stops before one carrying files once
 * it has data, and after the one whose files it took, so that files arrive
 * with the bytes they were sent with. */
static long stream_copy(struct hut_unix *u, const struct hut_iovec *iov, int iovcnt, int peek,
			struct hut_unix_recv *out)
{
	uint64_t want = hut_iov_total(iov, iovcnt), got = 0;
	struct unix_msg *m = u->rx_head;
	while (m && got < want) {
		if (m->files && got)
			break;
		uint64_t n = m->len - m->off < want - got ? m->len - m->off : want - got;
		hut_iov_copy_out(iov, iovcnt, got, m->data + m->off, n);
		if (got == 0)
			out->from = m->from;
		got += n;
		int had_files = m->files != NULL;
		long r = take_files(m, peek, out);
		if (r != 0)
			return r;
		struct unix_msg *next = m->next;
		if (!peek) {
			m->off += n;
			u->rx_bytes -= n;
			if (m->off == m->len)
				dequeue_head(u);
		}
		if (had_files)
			break;
		m = next;
	}
	return (long)got;
}

static long message_copy(struct hut_unix *u, const struct hut_iovec *iov, int iovcnt, int flags,
			 struct hut_unix_recv *out)
{
	struct unix_msg *m = u->rx_head;
	uint64_t want = hut_iov_total(iov, iovcnt), n = m->len < want ? m->len : want;
	hut_iov_copy_out(iov, iovcnt, 0, m->data, n);
	out->from = m->from;
	if (m->len > want)
		out->msg_flags |= MSG_TRUNC;
	long r = take_files(m, flags & MSG_PEEK, out);
	if (r != 0)
		return r;
	uint64_t len = m->len;
	if (!(flags & MSG_PEEK)) {
		u->rx_bytes -= m->len;
		dequeue_head(u);
	}
	return (long)(flags & MSG_TRUNC ? len : n);
}

long hut_unix_recv(struct hut_unix *u, const struct hut_iovec *iov, int iovcnt, int flags,
		   struct hut_unix_recv *out)
{
	int conn = u->type != SOCK_DGRAM;
	if (conn && u->state != HUT_UNIX_CONNECTED)
		return -EINVAL;
	long r = hut_sock_wait_for(has_data, u, hut_unix_deadline(u, flags, u->rcvtimeo_ns));
	if (r != 0)
		return r;
	if (!u->rx_head) {
		int e = u->error;
		u->error = 0;
		return e && conn ? -e : 0; /* EOF */
	}
	if (u->type == SOCK_STREAM)
		r = stream_copy(u, iov, iovcnt, flags & MSG_PEEK, out);
	else
		r = message_copy(u, iov, iovcnt, flags, out);
	if (r >= 0 && !(flags & MSG_PEEK))
		hut_unix_news(u->peer, HUT_POLLOUT);
	return r;
}

long hut_unix_shutdown(struct hut_unix *u, int how)
{
	int mine = how == SHUT_RD   ? HUT_UNIX_SHUT_RD
		   : how == SHUT_WR ? HUT_UNIX_SHUT_WR
				    : HUT_UNIX_SHUT_RD | HUT_UNIX_SHUT_WR;
	u->shut |= mine;
	/* The peer of a connection sees the mirror: our writes' end is its EOF. */
	if (u->peer && u->type != SOCK_DGRAM) {
		u->peer->shut |= (mine & HUT_UNIX_SHUT_RD ? HUT_UNIX_SHUT_WR : 0) |
				 (mine & HUT_UNIX_SHUT_WR ? HUT_UNIX_SHUT_RD : 0);
		hut_unix_news(u->peer, HUT_POLLIN | HUT_POLLOUT);
	}
	hut_unix_news(u, HUT_POLLIN | HUT_POLLOUT);
	return 0;
}

/* What Linux's unix_poll and unix_dgram_poll report. */
uint32_t hut_unix_poll(struct hut_unix *u)
{
	uint32_t bits = 0;
	if (u->state == HUT_UNIX_LISTENING)
		return u->acc_head ? HUT_POLLIN | HUT_POLLRDNORM : 0;
	if (u->error)
		bits |= HUT_POLLERR;
	if (u->rx_head)
		bits |= HUT_POLLIN | HUT_POLLRDNORM;
	if (u->shut & HUT_UNIX_SHUT_RD)
		bits |= HUT_POLLRDHUP | HUT_POLLIN | HUT_POLLRDNORM;
	if (u->shut == (HUT_UNIX_SHUT_RD | HUT_UNIX_SHUT_WR))
		bits |= HUT_POLLHUP;
	if (u->type != SOCK_DGRAM && u->state == HUT_UNIX_NEW)
		bits |= HUT_POLLHUP;
	int full = u->peer && (u->type == SOCK_DGRAM ? u->peer->rx_count >= DGRAM_QLEN
						     : u->peer->rx_bytes >= (uint64_t)u->sndbuf);
	if (!full)
		bits |= HUT_POLLOUT | HUT_POLLWRNORM | HUT_POLLWRBAND;
	return bits;
}

uint64_t hut_unix_readable(struct hut_unix *u)
{
	if (u->type != SOCK_DGRAM)
		return u->rx_bytes; /* seqpacket too, as Linux's unix_inq_len */
	return u->rx_head ? u->rx_head->len : 0;
}
