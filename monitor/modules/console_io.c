/*
 * The console thread: writes the guest's ring out to the monitor's fd 1
 * and 2 while the guest runs, and how everyone else waits for it.
 *
 * Notification suppression, as the net device does it: the thread says it
 * sleeps (io_idle) only when it has found the ring empty, and only then
 * does the guest kick (the kick is KVM's ioeventfd when KVM has one: the
 * guest's store signals the eventfd inside the host kernel and never
 * reaches the monitor). Once it has written something, the thread stays
 * awake for LINGER_MS more and looks again, so a guest that writes a line
 * after a line kicks once per burst, not once per write; the guest also
 * kicks when its record takes the ring past half full, so a lingering
 * thread never lets the ring fill. Output is therefore out within
 * LINGER_MS of being written, whatever the guest does next (spins, sleeps).
 *
 * Order: the thread is the only writer of the guest's output while the
 * guest runs. Every other writer of the monitor's stdout and stderr (the
 * console-write hypercall, a console read's prompt, the monitor's own
 * crash, timeout and trace lines) first waits for the ring to be written
 * out (hut_console_io_flush): it bumps flush_req, wakes the thread, and
 * sleeps on the flush_ack futex until the thread has written everything it
 * found after seeing that request. The vCPU is then in the monitor, so the
 * ring cannot grow meanwhile.
 */
#include "../monitor.h"
#include "console.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEQ __ATOMIC_SEQ_CST
#define LINGER_MS 1
#define FLUSH_SLICE_NS 50000000ull /* how often a waiting flush looks at the clock */

static struct {
	struct hut_vm *vm;
	struct hut_console_ring ring;
	bool running, quiet, ioeventfd;
	int kick_fd;
	pthread_t thread, vcpu;	    /* the console thread; the one that waits for it */
	bool gave_up;		    /* a flush stopped waiting: later ones do not wait */
	uint32_t broken;	    /* atomic: the guest broke the ring; nothing waits */
	uint32_t flush_req;	    /* atomic: bumped by a flush */
	uint32_t flush_ack;	    /* atomic, a futex: the last request served */
	uint32_t stdin_watch;	    /* atomic: the vCPU sleeps until stdin has input */
	bool dropped[2];	    /* the thread's: fd 1's or 2's host write failed */
	struct hut_console_stats s; /* the thread's, read after it stopped or racily */
} con = {.kick_fd = -1};

bool hut_console_io_running(void)
{
	return con.running;
}

int hut_console_io_kick_fd(void)
{
	return con.kick_fd;
}

bool hut_console_io_ioeventfd(void)
{
	return con.ioeventfd;
}

const struct hut_console_stats *hut_console_io_stats(void)
{
	return &con.s;
}

/* Waits until fd takes bytes again: a non-blocking fd (a terminal or pipe
 * someone set O_NONBLOCK on) that is full. 0, or -1 with errno (EINTR: a
 * signal came). */
static int wait_writable(int fd)
{
	struct pollfd p = {fd, POLLOUT, 0};
	return poll(&p, 1, -1) < 0 ? -1 : 0;
}

/* A signal interrupted the wait: whether to give up (a stuck reader
 * outlasts neither --timeout nor, on the vCPU thread, a signal the guest
 * must hear). */
static bool stop_waiting(struct hut_vm *vm)
{
	return vm ? hut_wait_interrupted(vm) : hut_timeout_expired();
}

int64_t hut_console_write_all(struct hut_vm *vm, int fd, struct iovec *iov, int n)
{
	int64_t done = 0;
	while (n > 0 && iov->iov_len == 0)
		iov++, n--;
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (w < 0 && errno == EAGAIN)
			w = wait_writable(fd); /* 0: nothing written, try again */
		if (w < 0) {
			int e = errno;
			if (e == EINTR && !stop_waiting(vm))
				continue;
			return done > 0 ? done : -e;
		}
		done += w;
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return done;
}

/* One batch out. A host error is the guest's to hear at its next write to
 * that fd (EPIPE: its SIGPIPE); the fd's records are dropped from then on,
 * as every later write would fail the same way. */
static void write_batch(struct hut_console_batch *b)
{
	int i = b->fd - 1;
	if (!con.quiet && !con.dropped[i]) {
		int64_t w = hut_console_write_all(NULL, b->fd, b->iov, b->niov);
		con.s.writes++;
		if (w < 0) {
			con.dropped[i] = true;
			__atomic_store_n(&con.ring.shared->error[i], (int32_t)-w, SEQ);
		}
	}
	con.s.records += b->records;
	con.s.bytes += b->bytes;
	hut_console_ring_done(&con.ring, b);
}

static _Noreturn void bad_ring(void)
{
	__atomic_store_n(&con.broken, 1, SEQ);
	hut_fail(con.vm, HUT_SIGNAL_EXIT(SIGSYS), "bad console ring: %s", con.ring.why);
}

/* Writes out everything the ring holds; whether there was anything. */
static bool drain(void)
{
	static struct hut_console_batch b;
	bool moved = false;
	int got;
	while ((got = hut_console_ring_next(&con.ring, &b)) > 0) {
		write_batch(&b);
		moved = true;
	}
	if (got < 0)
		bad_ring();
	return moved;
}

static void futex_wake_all(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Sleeps until a kick or ms pass (-1: for good); while the vCPU sleeps
 * until stdin has input (hut_console_io_watch_stdin), until that too, and
 * then wakes it, once. */
static void wait_kick(int ms)
{
	struct pollfd p[2] = {{con.kick_fd, POLLIN, 0}, {-1, POLLIN, 0}};
	uint64_t kicks;
	if (__atomic_load_n(&con.stdin_watch, SEQ))
		p[1].fd = 0;
	if (poll(p, 2, ms) <= 0)
		return;
	if (p[1].revents && __atomic_exchange_n(&con.stdin_watch, 0, SEQ))
		hut_vcpu_wake();
	if ((p[0].revents & POLLIN) && read(con.kick_fd, &kicks, sizeof kicks) == sizeof kicks)
		con.s.kicks += kicks;
}

void hut_console_io_watch_stdin(void)
{
	uint64_t one = 1;
	if (__atomic_exchange_n(&con.stdin_watch, 1, SEQ))
		return;	       /* the thread polls stdin already */
	con.s.stdin_watches++; /* its kick is no guest's */
	if (write(con.kick_fd, &one, sizeof one) < 0) {
		/* the eventfd is full: the thread has kicks to read anyway */
	}
}

/* The thread's own allow-list: the guest's output to fds 1 and 2, a wait
 * for a full non-blocking one, the kick eventfd, the flush's futex; and,
 * to end the guest over a bad ring, a message and exit. It loads this
 * first thing, before the vCPU thread enters its own sandbox. */
static void io_sandbox(struct hut_vm *vm)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_writev, 0, 1),	 /* the guest's stdout */
		HUT_ALLOW_ARG(SYS_writev, 0, 2),	 /* the guest's stderr; hut_fail */
		HUT_ALLOW_ARG(SYS_write, 0, 1),		 /* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_write, 0, 2),		 /* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_read, 0, con.kick_fd), /* the guest's kicks */
		HUT_ALLOW(SYS_poll),			 /* the kick, a full fd 1 or 2 */
		HUT_ALLOW(SYS_futex),			 /* wake a flush; musl's stdio locks */
		HUT_ALLOW(SYS_clock_gettime),		 /* hut_fail prints --trace-boot times */
		HUT_ALLOW(SYS_exit_group),		 /* hut_fail's exit */
		HUT_ALLOW(SYS_exit), /* musl's _Exit, should exit_group return */
	};
	hut_sandbox_thread(vm, rules, sizeof rules / sizeof rules[0]);
}

static void *io_main(void *arg)
{
	struct hut_vm *vm = arg;
	if (!vm->opt->no_sandbox)
		io_sandbox(vm); /* before it reads anything of the guest's */
	for (;;) {
		uint32_t req = __atomic_load_n(&con.flush_req, SEQ);
		bool moved = drain();
		if (req != __atomic_load_n(&con.flush_ack, SEQ)) {
			__atomic_store_n(&con.flush_ack, req, SEQ);
			futex_wake_all(&con.flush_ack);
		}
		if (moved) {
			wait_kick(LINGER_MS);
			continue;
		}
		__atomic_store_n(&con.ring.shared->io_idle, 1, SEQ);
		if (hut_console_ring_pending(&con.ring) ||
		    __atomic_load_n(&con.flush_req, SEQ) != req) {
			__atomic_store_n(&con.ring.shared->io_idle, 0, SEQ);
			continue;
		}
		wait_kick(-1);
		__atomic_store_n(&con.ring.shared->io_idle, 0, SEQ);
	}
	return NULL;
}

uint32_t hut_console_io_cons(void)
{
	return __atomic_load_n(&con.ring.cons, SEQ);
}

void hut_console_io_start(struct hut_vm *vm, uint64_t gpa, bool quiet, uint32_t cons)
{
	con.vm = vm;
	con.vcpu = pthread_self();
	con.quiet = quiet;
	if (hut_console_ring_init(&con.ring, &vm->mem, gpa) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "console: %s", con.ring.why);
	con.ring.cons = cons; /* before the thread reads the ring */
	/* The shared page and the first records: every guest that prints
	 * touches them, and one host call backs them, with the rest of their
	 * shadow group (mem.h), the heap's top under the ring (the libos's
	 * allocator's first pages) or another device's: one guest fault then
	 * maps them all (hello: 2 faults less at boot). */
	hut_mem_back_groups(&vm->mem, gpa, gpa + 2 * HUT_PAGE_SIZE, vm->heap_start);
	con.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (con.kick_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "console: cannot create an eventfd (%s)",
			 hut_limit_text(errno));
	con.ioeventfd = hut_device_kick_ioeventfd(vm, HUT_HC_CONSOLE_KICK, con.kick_fd);
	/* A small stack: it calls little. The boot does not wait for it to
	 * run (that wait cost ~0.3 ms of every boot on a loaded host): it
	 * enters its sandbox before it reads the ring, and a flush or a kick
	 * before then just waits for it. */
	hut_device_thread(vm, &con.thread, 64 << 10, io_main, "console");
	con.running = true;
}

static void kick(void)
{
	uint64_t one = 1;
	if (write(con.kick_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		__atomic_store_n(&con.broken, 1, SEQ); /* cannot happen: then wait for nothing */
}

void hut_console_io_kick(struct hut_vm *vm)
{
	(void)vm;
	kick();
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool served(uint32_t req)
{
	return (int32_t)(__atomic_load_n(&con.flush_ack, SEQ) - req) >= 0 ||
	       __atomic_load_n(&con.broken, SEQ);
}

/* Whether a waiting flush gives up now: SERVE when --timeout expired (the
 * run loop then ends the guest, and its flush is STOPPED); END once a
 * signal interrupts it, which makes it STOPPED; STOPPED when the host took
 * nothing for HUT_CONSOLE_STALL_MS. */
static bool give_up(enum hut_console_wait *how, bool interrupted, uint64_t stalled_ns)
{
	if (*how == HUT_CONSOLE_SERVE)
		return hut_timeout_expired();
	if (*how == HUT_CONSOLE_END && interrupted)
		*how = HUT_CONSOLE_STOPPED;
	return *how == HUT_CONSOLE_STOPPED && stalled_ns >= HUT_CONSOLE_STALL_MS * 1000000ull;
}

void hut_console_io_flush(enum hut_console_wait how)
{
	/* Only the vCPU thread waits (the net thread's failure does not: its
	 * sandbox has no kick); and it has the guest stopped. */
	if (!con.running || con.gave_up || __atomic_load_n(&con.broken, SEQ) ||
	    !pthread_equal(pthread_self(), con.vcpu) || !hut_console_ring_pending(&con.ring))
		return;
	con.s.flushes++; /* its wake-up below is no kick of the guest's */
	uint32_t req = __atomic_add_fetch(&con.flush_req, 1, SEQ);
	kick();
	uint32_t last = __atomic_load_n(&con.ring.cons, SEQ);
	uint64_t since = now_ns();
	while (!served(req)) {
		uint32_t ack = __atomic_load_n(&con.flush_ack, SEQ);
		struct timespec slice = {0, (long)FLUSH_SLICE_NS};
		bool interrupted = false;
		if (!served(req) && syscall(SYS_futex, &con.flush_ack, FUTEX_WAIT_PRIVATE, ack,
					    &slice, NULL, 0) < 0)
			interrupted = errno == EINTR;
		uint32_t cons = __atomic_load_n(&con.ring.cons, SEQ);
		if (cons != last)
			last = cons, since = now_ns();
		if (!served(req) && give_up(&how, interrupted, now_ns() - since)) {
			con.gave_up = how != HUT_CONSOLE_SERVE;
			return;
		}
	}
}
