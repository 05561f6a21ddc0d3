/*
 * The network's start, where its parts are wired together: the first
 * socket() starts lwIP and the device (netif.c), registers the protocols
 * with the socket layer, and hooks the stack into the layers below, which
 * never name it: waits run it and sleep on its device (hut_wait_set_device),
 * and the process's end closes every socket (hut_at_process_exit).
 */
#include "net.h"
#include "socket.h"

#include <sys/socket.h>

static const struct hut_wait_device net_device = {
	.poll = hut_net_poll,
	.idle = hut_net_idle,
};

/* The process ends: every socket is closed as close() would (a FIN, or a
 * reset over unread data; a listener resets what it had not accepted), as
 * Linux closes a dying process's fds, and what they send reaches the device. */
static void net_exit(void *unused)
{
	(void)unused;
	struct hut_sock *s;
	for (long fd = 0; fd < HUT_FD_MAX; fd++)
		if (hut_sock_fd(fd, &s) == 0)
			hut_fd_close(fd);
	hut_net_linger();
}

void hut_net_start(void)
{
	static int started;
	if (started)
		return;
	started = 1;
	hut_net_boot();
	hut_sock_register(SOCK_STREAM, &hut_tcp_proto);
	hut_sock_register(SOCK_DGRAM, &hut_udp_proto);
	hut_wait_set_device(&net_device);
	hut_at_process_exit(net_exit);
}
