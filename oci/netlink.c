/*
 * A small rtnetlink client for podnet.c and tc.c: one message built in a
 * buffer (attributes, nested ones), sent, and the kernel's acknowledgement
 * read back as an errno; and dumps walked message by message. The socket
 * belongs to the network namespace hut-oci was in when it opened it, so
 * podnet.c opens it after entering the pod's.
 */
#include "oci.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int oci_nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void oci_nl_begin(struct oci_nl *m, int type, int flags, const void *header, size_t len)
{
	memset(m, 0, sizeof *m);
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = 1;
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(h), header, len);
	m->len = NLMSG_ALIGN(h->nlmsg_len);
}

/* Every message hut-oci builds is a few hundred bytes: a full buffer is a
 * bug here, never input. */
static void *room(struct oci_nl *m, size_t len)
{
	if (m->len + RTA_ALIGN(len) > sizeof m->buf)
		oci_die(NULL, "netlink message too long (a bug in hut-oci)");
	void *p = m->buf + m->len;
	m->len += RTA_ALIGN(len);
	return p;
}

void oci_nl_attr(struct oci_nl *m, int type, const void *data, size_t len)
{
	struct rtattr *a = room(m, RTA_LENGTH(len));
	a->rta_type = (uint16_t)type;
	a->rta_len = (uint16_t)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
}

void oci_nl_string(struct oci_nl *m, int type, const char *s)
{
	oci_nl_attr(m, type, s, strlen(s) + 1);
}

size_t oci_nl_nest(struct oci_nl *m, int type)
{
	size_t at = m->len;
	oci_nl_attr(m, type, NULL, 0);
	return at;
}

void oci_nl_nest_end(struct oci_nl *m, size_t at)
{
	((struct rtattr *)(m->buf + at))->rta_len = (uint16_t)(m->len - at);
}

static int send_message(int fd, struct oci_nl *m)
{
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};
	ssize_t n = sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&to, sizeof to);
	return n == (ssize_t)m->len ? 0 : -1;
}

/* Reads the kernel's answers to our one request, calling each(h, arg) on
 * every message that is neither an error nor the end of a dump; returns 0
 * or the kernel's errno. */
static int receive(int fd, void (*each)(const struct nlmsghdr *, void *), void *arg)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
					return EIO;
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return -e->error; /* 0: the acknowledgement */
			}
			if (each)
				each(h, arg);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

int oci_nl_call(int fd, struct oci_nl *m)
{
	((struct nlmsghdr *)m->buf)->nlmsg_flags |= NLM_F_ACK;
	if (send_message(fd, m) != 0)
		return errno;
	return receive(fd, NULL, NULL);
}

int oci_nl_dump(int fd, struct oci_nl *m, void (*each)(const struct nlmsghdr *, void *), void *arg)
{
	if (send_message(fd, m) != 0)
		return errno;
	return receive(fd, each, arg);
}
