/*
 * The network device's end with the guest. Whatever ends the guest (every
 * ending goes through hut_end, fail.c), its live TCP connections must not
 * leave peers waiting on an appliance that is gone: the monitor resets
 * them, as a kernel closes the sockets of a process that died.
 *
 * The connection table belongs to the I/O thread (it sees every frame), and
 * so do the resets: its seccomp filter already allows writes to the tap,
 * the vCPU thread's does not, and need not. The ending thread asks
 * (end_how), kicks the I/O thread's eventfd and waits on end_done, at most
 * END_WAIT_MS; the I/O thread writes the resets between two batches and
 * then moves no more frames. When the I/O thread itself ends the guest (a
 * broken ring, the tap gone), it writes them at once.
 */
#include "net.h"

#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEQ __ATOMIC_SEQ_CST
#define END_WAIT_MS 200 /* a few hundred resets take ~1 ms */

static int write_frame(void *ctx, const void *frame, size_t len)
{
	const struct hut_net *n = ctx;
	ssize_t w;
	do
		w = write(n->tap_fd, frame, len);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)len ? 0 : -1;
}

static void reset_now(struct hut_net *n, uint32_t how)
{
	n->resets = hut_conns_reset(&n->conns, how == HUT_NET_END_ALL, write_frame, n);
	__atomic_store_n(&n->end_done, 1, SEQ);
	syscall(SYS_futex, &n->end_done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void hut_net_end(struct hut_net *n, bool libos_closed)
{
	uint32_t how = libos_closed ? HUT_NET_END_OPEN : HUT_NET_END_ALL, none = 0;
	if (!n || !__atomic_load_n(&n->io_started, SEQ))
		return;
	if (pthread_equal(pthread_self(), n->io_thread)) {
		reset_now(n, how);
		return;
	}
	/* The first ending to ask decides; a second one just waits. */
	__atomic_compare_exchange_n(&n->end_how, &none, how, false, SEQ, SEQ);
	uint64_t one = 1;
	if (write(n->kick_fd, &one, sizeof one) < 0)
		return; /* the I/O thread cannot be told: end without the resets */
	struct timespec tick = {0, 10 * 1000000};
	for (int i = 0; i < END_WAIT_MS / 10 && !__atomic_load_n(&n->end_done, SEQ); i++)
		syscall(SYS_futex, &n->end_done, FUTEX_WAIT_PRIVATE, 0, &tick, NULL, 0);
}

bool hut_net_end_asked(struct hut_net *n)
{
	return __atomic_load_n(&n->end_how, SEQ) != 0;
}

_Noreturn void hut_net_end_serve(struct hut_net *n)
{
	reset_now(n, __atomic_load_n(&n->end_how, SEQ));
	for (;;) /* until the ending thread's exit() ends the process */
		poll(NULL, 0, -1);
}
