/*
 * The network device's I/O thread, and how the vCPU thread meets it.
 *
 * The I/O thread moves frames between the rings and the tap while the guest
 * runs; it sleeps in poll() on the tap and on the kick eventfd only when
 * there is nothing to move, and says so in the shared io_idle flag, so the
 * guest kicks (an exit) only then. The kick is KVM's ioeventfd when KVM has
 * one: the guest's store signals the eventfd inside the host kernel and
 * never reaches the monitor.
 *
 * The vCPU thread sleeps in the poll hypercall on its wake word
 * (vcpu_wake.c). The I/O thread wakes it only if it is sleeping there
 * (vcpu_waiting) and only after moving something the guest waits for
 * (events), so a busy guest is never woken and an idle one once per batch.
 * Lost wake-ups cannot happen: the sleeper reads the wake word, announces
 * itself, then reads events; the waker bumps events, then checks the
 * announcement, then bumps the word (all seq_cst), so either the sleeper
 * sees the new events or the waker sees the sleeper and the futex wait
 * finds the word changed.
 */
#include "../monitor.h"
#include "net.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define SEQ __ATOMIC_SEQ_CST

struct hut_net hut_net = {.tap_fd = -1};
static uint8_t scratch[65536 + 4096]; /* frames nobody takes: larger than any tap MTU */

/* Each frame that goes through also tells the connection table (net_reset.c).
 * With --net none (no tap: fd -1) the frame goes nowhere, as on a cable
 * with nobody at its end. */
static int tap_send(void *ctx, const void *frame, size_t len)
{
	struct hut_net *n = ctx;
	if (n->tap_fd < 0)
		return 0;
	for (;;) {
		ssize_t w = write(n->tap_fd, frame, len);
		if (w >= 0) {
			hut_conns_sent(&n->conns, frame, len);
			return 0;
		}
		if (errno != EINTR)
			return errno == EAGAIN ? -EAGAIN : -errno;
	}
}

/* Reads one frame into buf and, past cap, into the scratch buffer: a frame
 * too big for the guest is read whole (and then dropped), never split. */
static ssize_t tap_recv(void *ctx, void *buf, size_t cap)
{
	struct hut_net *n = ctx;
	struct iovec iov[2] = {{buf, cap}, {scratch, sizeof scratch}};
	if (n->tap_fd < 0)
		return -EAGAIN; /* --net none: nothing ever arrives */
	for (;;) {
		ssize_t r =
			buf ? readv(n->tap_fd, iov, 2) : read(n->tap_fd, scratch, sizeof scratch);
		if (r >= 0 && buf && (size_t)r <= cap)
			hut_conns_delivered(&n->conns, buf, (size_t)r);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -EAGAIN;
	}
}

static void store32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void copy_stats(struct hut_net *n)
{
	uint64_t *dst = (uint64_t *)&n->ring.shared->stats;
	const uint64_t *src = (const uint64_t *)&n->ring.stats;
	for (size_t i = 0; i < sizeof n->ring.stats / 8; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
}

/* After a batch: tell the guest, and wake it if it sleeps in the poll hypercall. */
static void publish(struct hut_net *n, bool news)
{
	copy_stats(n);
	if (!news)
		return;
	uint32_t ev = __atomic_add_fetch(&n->events, 1, SEQ);
	store32(&n->ring.shared->events, ev);
	if (__atomic_exchange_n(&n->vcpu_waiting, 0, SEQ)) {
		hut_vcpu_wake();
		n->ring.stats.wakes++;
	}
}

static _Noreturn void bad_ring(struct hut_vm *vm, struct hut_net *n)
{
	hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS), "bad net ring: %s", n->ring.why);
}

/* TX done counts as news only when the guest said it waits for TX room. */
static bool tx_news(struct hut_net *n)
{
	__atomic_thread_fence(SEQ);
	return __atomic_load_n(&n->ring.shared->tx_wanted, __ATOMIC_RELAXED) != 0;
}

/* Nothing to move: sleep until the tap or the guest has something. Before
 * the guest first posts RX buffers the tap's frames are left where they
 * are (not polled for), and the guest kicks once it has posted them. */
static void sleep_until_work(struct hut_vm *vm, struct hut_net *n, bool tx_blocked)
{
	bool was_open = n->ring.rx_open;
	store32(&n->ring.shared->io_idle, 1);
	__atomic_thread_fence(SEQ);
	int pending = hut_net_tx_pending(&n->ring);
	int open = hut_net_rx_open(&n->ring);
	if (pending < 0 || open < 0)
		bad_ring(vm, n);
	if ((pending && !tx_blocked) || (open && !was_open)) {
		store32(&n->ring.shared->io_idle, 0);
		return;
	}
	struct pollfd fds[2] = {
		/* poll skips a negative fd: with --net none only kicks wake us */
		{n->tap_fd, (short)((open ? POLLIN : 0) | (tx_blocked ? POLLOUT : 0)), 0},
		{n->kick_fd, POLLIN, 0},
	};
	while (poll(fds, 2, -1) < 0)
		if (errno != EINTR)
			hut_fail(vm, HUT_EXIT_MONITOR, "net: poll failed (%s)", strerror(errno));
	store32(&n->ring.shared->io_idle, 0);
	if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
		hut_fail(vm, HUT_EXIT_MONITOR, "net: the tap device went away");
	uint64_t kicks;
	if ((fds[1].revents & POLLIN) && read(n->kick_fd, &kicks, sizeof kicks) == sizeof kicks)
		n->ring.stats.kicks += kicks;
}

/* The I/O thread's own allow-list: frames to and from the tap, the kick
 * eventfd, its sleep and the vCPU's wake-up; and, to end the guest over a
 * bad ring, a message and exit. It starts before the vCPU thread's sandbox
 * (hut_net_start) and loads this before it reads anything of the guest's. */
static void io_sandbox(struct hut_vm *vm, const struct hut_net *n)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_read, 0, n->tap_fd),	/* a frame for the guest */
		HUT_ALLOW_ARG(SYS_readv, 0, n->tap_fd), /* the same, into the ring and scratch */
		HUT_ALLOW_ARG(SYS_write, 0, n->tap_fd), /* a frame from the guest; the resets */
		HUT_ALLOW_ARG(SYS_read, 0, n->kick_fd), /* the guest's kicks */
		HUT_ALLOW(SYS_poll),			/* sleep until the tap or a kick */
		HUT_ALLOW(SYS_futex),			/* wake the vCPU; musl's stdio locks */
		HUT_ALLOW_ARG(SYS_write, 0, 1),		/* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_write, 0, 2),		/* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_writev, 0, 1),	/* hut_fail's message (musl's stdio) */
		HUT_ALLOW_ARG(SYS_writev, 0, 2),	/* hut_fail's message (musl's stdio) */
		HUT_ALLOW(SYS_clock_gettime),		/* hut_fail prints the --trace-boot times */
		HUT_ALLOW(SYS_exit_group),		/* hut_fail's exit */
		HUT_ALLOW(SYS_exit),			/* musl's _Exit, should exit_group return */
	};
	hut_sandbox_thread(vm, rules, sizeof rules / sizeof rules[0]);
}

/* What the guest touches first when its network starts is backed with
 * host memory in a few calls before it runs: the shared page and the
 * descriptors, the first TX buffers, and the top of the heap just under
 * the region, where the libos's allocator (top-down) puts lwIP's first
 * pcbs, pbufs and the socket layer's state. A page the host has not backed
 * costs the guest a fault of its own (~20 us on kvm-pvm); when it has,
 * KVM's shadow MMU maps the page's neighbours with it, up to the aligned
 * group of 8, but stops at the first one not backed: so each range is
 * widened to whole groups. Measured on httpd: 55 guest faults to the
 * first response, of them 20 single ones under the region; a TX buffer's
 * first write delayed it by milliseconds under load. Only the first TX
 * buffers: the first responses use a few, and the other 448 KiB stay
 * unbacked until a busy guest writes them (an idle appliance's memory).
 * The RX buffers are written first by the I/O thread's own reads, which
 * fault cheaply. Content is never changed: populating leaves what is there. */
#define HEAP_TOP_PREFAULT (384u << 10)
#define TX_PREFAULT (64u << 10)

static void populate(struct hut_vm *vm, uint64_t from, uint64_t to)
{
	hut_mem_back_groups(&vm->mem, from, to, vm->heap_start);
}

void hut_net_prefault(struct hut_vm *vm)
{
	const struct hut_net *n = &hut_net;
	if (!n->config.wanted || !n->gpa)
		return;
	uint64_t tx_bufs = n->gpa + HUT_NET_POOL_OFFSET + HUT_NET_RING_SIZE * HUT_NET_BUF_SIZE;
	uint64_t heap = n->gpa - vm->heap_start;
	populate(vm, n->gpa - (heap < HEAP_TOP_PREFAULT ? heap : HEAP_TOP_PREFAULT),
		 n->gpa + HUT_NET_POOL_OFFSET);
	populate(vm, tx_bufs, tx_bufs + TX_PREFAULT);
}

/* The guest's first kick: it comes once the guest has posted its RX
 * buffers (or sent a frame), so the device is set up by then (go). The
 * thread waits here, sandboxed already, from the monitor's start: a new
 * thread's first run on a busy host can come milliseconds late (the
 * scheduler queues it behind the running ones), a woken one's sooner, and
 * waking it any earlier (a futex at hut_net_start) let it take the core
 * from the vCPU thread just as the guest was about to boot. */
static void wait_for_go(struct hut_vm *vm, struct hut_net *n)
{
	struct pollfd kick = {n->kick_fd, POLLIN, 0};
	while (!__atomic_load_n(&n->io_go, SEQ) || !(kick.revents & POLLIN))
		if (poll(&kick, 1, -1) < 0 && errno != EINTR)
			hut_fail(vm, HUT_EXIT_MONITOR, "net: poll failed (%s)", strerror(errno));
}

static void *io_main(void *arg)
{
	struct hut_vm *vm = arg;
	struct hut_net *n = &hut_net;
	if (!vm->opt->no_sandbox)
		io_sandbox(vm, n);
	wait_for_go(vm, n);
	n->io_thread = pthread_self();
	__atomic_store_n(&n->io_started, 1, SEQ);
	for (;;) {
		bool blocked;
		if (hut_net_end_asked(n))
			hut_net_end_serve(n);
		int tx = hut_net_tx_drain(&n->ring, tap_send, n, &blocked);
		int rx = tx < 0 ? 0 : hut_net_rx_fill(&n->ring, tap_recv, n);
		if (tx < 0 || rx < 0)
			bad_ring(vm, n);
		if (tx > 0 || rx > 0) {
			publish(n, rx > 0 || (tx > 0 && tx_news(n)));
			continue;
		}
		sleep_until_work(vm, n, blocked);
	}
	return NULL;
}

/* Makes the kick eventfd and the I/O thread, with every signal blocked:
 * --timeout's SIGALRM must reach the vCPU thread, to end a KVM_RUN or a
 * sleep in the poll hypercall. The thread loads its own filter at once and
 * waits for the guest's first kick; the vCPU thread never waits for it:
 * the guest's frames wait in the ring and the host's in the tap. */
void hut_net_spawn(struct hut_vm *vm)
{
	struct hut_net *n = &hut_net;
	n->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (n->kick_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "net: cannot create an eventfd (%s)",
			 hut_limit_text(errno));
	pthread_t t;
	hut_device_thread(vm, &t, 0, io_main, "net");
}

void hut_net_start(struct hut_vm *vm)
{
	struct hut_net *n = &hut_net;
	if (!n->config.wanted)
		return;
	n->running = true;
	if (hut_net_ring_init(&n->ring, &vm->mem, n->gpa) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "net: %s", n->ring.why);
	if (n->restored) { /* a snapshot's device goes on where it was */
		n->ring.tx_cons = n->restored_tx_cons;
		n->ring.rx_cons = n->restored_rx_cons;
		n->ring.rx_open = n->restored_rx_open;
		n->events = n->restored_events;
	}
	n->ioeventfd = hut_device_kick_ioeventfd(vm, HUT_HC_NET_KICK, n->kick_fd);
	/* The MAC the monitor chose, read before the guest runs. */
	const struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	hut_conns_init(&n->conns, bi->net.mac);
	/* The thread waits for the guest's first kick: the guest kicks only
	 * while the thread says it is idle, which until then it is. */
	store32(&n->ring.shared->io_idle, 1);
	__atomic_store_n(&n->io_go, 1, SEQ);
}

uint64_t hut_net_wait(uint32_t seen, uint64_t timeout_ns, uint32_t wake_seq)
{
	struct hut_net *n = &hut_net;
	__atomic_store_n(&n->vcpu_waiting, 1, SEQ);
	if (__atomic_load_n(&n->events, SEQ) == seen && timeout_ns)
		hut_vcpu_sleep(wake_seq, timeout_ns);
	__atomic_store_n(&n->vcpu_waiting, 0, SEQ);
	return __atomic_load_n(&n->events, SEQ) != seen ? HUT_POLL_NET : 0;
}

void hut_net_kick(struct hut_vm *vm)
{
	uint64_t one = 1;
	if (hut_net.running && write(hut_net.kick_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		hut_fail(vm, HUT_EXIT_MONITOR, "net: cannot signal the I/O thread (%s)",
			 strerror(errno));
}
