/*
 * The one way a libos call blocks: sleeps, blocking reads of pipes and
 * sockets, accept, poll/select/epoll, futexes. Every such call waits here,
 * so that there is one place that runs the network stack while waiting,
 * sleeps in the poll hypercall (never spins), and (with threads) hands the
 * vCPU to another thread.
 */
#ifndef HUT_LIBOS_WAIT_H
#define HUT_LIBOS_WAIT_H

#include <stdint.h>

#define HUT_WAIT_FOREVER UINT64_MAX

/* Says whether what the caller waits for has happened; nonzero ends the wait. */
typedef int (*hut_wait_ready_fn)(void *arg);

enum {
	HUT_WAIT_INTERRUPTIBLE = 1, /* a pending, unblocked signal ends the wait: -EINTR */
};

/* Blocks the calling thread until ready(arg) returns nonzero (ready may be
 * NULL: a plain sleep), the deadline passes (ns since boot, as
 * hut_time_since_boot_ns(); HUT_WAIT_FOREVER: none), or, with
 * HUT_WAIT_INTERRUPTIBLE, a signal is due. ready is called again after each
 * wake-up, with the network stack run just before.
 * Returns 0 (ready), -ETIMEDOUT or -EINTR. */
long hut_wait(hut_wait_ready_fn ready, void *arg, uint64_t deadline_ns, int flags);

/* A device that must run while threads wait (the network stack, which
 * registers itself when it starts: a layer above, reached through this
 * hook). poll runs it before each look; idle sleeps at most max_ns, waking
 * early for device news. Without one, an idle wait sleeps in the poll
 * hypercall. */
struct hut_wait_device {
	int (*poll)(void);
	void (*idle)(uint64_t max_ns);
};
void hut_wait_set_device(const struct hut_wait_device *d);

#endif
