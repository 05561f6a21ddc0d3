/*
 * The file ring's I/O thread, and how the vCPU thread meets it.
 *
 * The thread serves the guest's volume requests in the order posted while
 * the guest runs on (a host call takes the thread's time, not the vCPU's).
 * After serving it keeps looking at the ring for LINGER_NS before it says
 * it sleeps (io_idle) and sleeps in poll() on the kick eventfd: a guest
 * that opens, reads and closes files one after another finds the thread
 * awake and posts without a kick. The kick is KVM's ioeventfd when KVM has
 * one: the guest's store signals the eventfd inside the host kernel and
 * never reaches the monitor.
 *
 * LINGER_NS: an exit costs ~45 us on kvm-pvm and a sleeping thread's
 * wake-up some tens more; the libos's next request after a finished one
 * (the next file's open after a close, the next page run of a reader)
 * comes within a few microseconds of guest work, so ~50 us catches a
 * burst, and a thread that lingers longer only burns a host core that
 * others may want (docs/ARCHITECTURE.md, "Volume page cache").
 *
 * The vCPU thread waiting for a request sleeps in the poll hypercall on its
 * wake word (vcpu_wake.c): the thread wakes it only if it is sleeping there
 * (vcpu_waiting), with the same lost-wake-up argument as the net device's
 * (net_io.c): the sleeper reads the word, announces itself, then reads
 * events; the waker bumps events, then checks the announcement, then bumps
 * the word.
 *
 * One lock serves a request at a time, the thread's or the file
 * hypercall's: they share the handle table and files.c's buffers.
 */
#include "files.h"
#include "files_ring.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define SEQ __ATOMIC_SEQ_CST
#define LINGER_NS 100000ull    /* the most it looks before it sleeps */
#define LINGER_MIN_NS 10000ull /* the least, after windows that found nothing */

static struct {
	struct hut_vm *vm;
	struct hut_file_ring ring;
	bool running, ioeventfd;
	int kick_fd;
	pthread_t thread;
	pthread_mutex_t lock;
	uint32_t vcpu_waiting; /* atomic */
	uint32_t in_hypercall; /* atomic: the vCPU thread serves a file hypercall */
	int32_t hypercall_cpu; /* atomic: the host CPU the last one ran on */
	uint32_t events;       /* atomic: requests finished, as the guest sees them */
	uint64_t served, kicks, wakes, sleeps, hypercalls, serve_ns;
	struct hut_seccomp_rule rules[64]; /* the file syscalls' (files_module.c) */
	size_t nrules;
} fio = {.kick_fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .hypercall_cpu = -1};

/* Where a restore resumes the ring (hut_file_io_restore), else all 0. */
static uint32_t resume_at[HUT_FILE_IO_POSITION];

bool hut_file_io_running(void)
{
	return fio.running;
}

int hut_file_io_kick_fd(void)
{
	return fio.kick_fd;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One request, from the copy the reader made. */
static void serve(struct hut_hc_file *req)
{
	uint64_t t0 = now_ns();
	hut_file_hypercall(fio.vm, req);
	fio.serve_ns += now_ns() - t0;
	hut_file_ring_done(&fio.ring, req);
	fio.served++;
	__atomic_store_n(&fio.ring.shared->served, fio.served, __ATOMIC_RELAXED);
}

/* A finished request: tell a guest sleeping in the poll hypercall. */
static void publish(void)
{
	__atomic_add_fetch(&fio.events, 1, SEQ);
	if (__atomic_exchange_n(&fio.vcpu_waiting, 0, SEQ)) {
		hut_vcpu_wake();
		fio.wakes++;
	}
}

static _Noreturn void bad_ring(void)
{
	hut_fail(fio.vm, HUT_SIGNAL_EXIT(SIGSYS), "bad file ring: %s", fio.ring.why);
}

/* Serves everything posted; whether there was anything. */
static bool drain(void)
{
	static struct hut_hc_file req;
	bool moved = false;
	for (;;) {
		pthread_mutex_lock(&fio.lock);
		int got = hut_file_ring_next(&fio.ring, &req);
		if (got > 0)
			serve(&req);
		pthread_mutex_unlock(&fio.lock);
		if (got < 0)
			bad_ring();
		if (got == 0)
			return moved;
		publish();
		moved = true;
	}
}

/* Looks at the ring for a while: whether a request came. The window adapts
 * as KVM's halt polling does: it doubles (up to LINGER_NS) when a request
 * came in it, and halves (down to LINGER_MIN_NS) when none did: on a host
 * whose cores are all busy, the guest's next request comes late and a
 * spinning thread only takes a core from the vCPU. */
static uint64_t window = LINGER_NS;

/* Whether this thread runs on the host CPU the vCPU thread last served a
 * file hypercall on. The host then keeps both on one core (its others are
 * busy: another tenant's build), and a thread spinning there only keeps
 * the vCPU from going on: it waits for the core, the window passes, and
 * each request paid ~100 us of lingering besides its exit (seen with perf
 * sched: 1 MiB reads at 0.2x the process while another program held the
 * other core). Then the thread moves off that CPU, or lingers not at all
 * when it cannot. A stale CPU corrects itself: the thread sleeps, and the
 * next request is a hypercall that says where the vCPU is. */
static bool beside_vcpu(void)
{
	return sched_getcpu() == __atomic_load_n(&fio.hypercall_cpu, __ATOMIC_RELAXED);
}

/* The host CPUs the thread may use (its affinity when it started), and
 * whether it may move among them. */
static cpu_set_t allowed;
static bool moves;

/* Off the vCPU's CPU, onto the others the thread may use: whether it
 * moved. Left to itself, the host scheduler wakes the thread on the CPU of
 * the vCPU thread that kicked it and keeps both there while another
 * tenant holds the other core; the thread pinned off the vCPU's CPU
 * competes with that tenant instead (measured: 1 MiB reads right after
 * the process's run, six alternated runs each: 3,900-11,200 MiB/s, three of
 * six through the hypercall, without; 9,100-11,600 MiB/s, all through the
 * ring, with). The pin follows the vCPU: a hypercall from another CPU
 * makes the thread move again. */
static bool move_off_vcpu(void)
{
	int cpu = __atomic_load_n(&fio.hypercall_cpu, __ATOMIC_RELAXED);
	cpu_set_t set = allowed;
	if (!moves || cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &set) || CPU_COUNT(&set) < 2)
		return false;
	CPU_CLR(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set) == 0;
}

static bool linger(void)
{
	if (beside_vcpu() && !move_off_vcpu())
		return false;
	uint64_t until = now_ns() + window;
	do {
		if (hut_file_ring_pending(&fio.ring)) {
			window = window * 2 < LINGER_NS ? window * 2 : LINGER_NS;
			return true;
		}
		__builtin_ia32_pause();
		/* The window counts from the end of a file hypercall in progress:
		 * the guest's next request comes after it returns, and one that
		 * moves 1 MiB takes longer than the window (then every request
		 * found the thread asleep and was a hypercall again). */
		if (__atomic_load_n(&fio.in_hypercall, __ATOMIC_RELAXED))
			until = now_ns() + window;
	} while (now_ns() < until);
	window = window / 2 > LINGER_MIN_NS ? window / 2 : LINGER_MIN_NS;
	return false;
}

static void wait_kick(void)
{
	struct pollfd p = {fio.kick_fd, POLLIN, 0};
	uint64_t kicks;
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			hut_fail(fio.vm, HUT_EXIT_MONITOR, "files: poll failed (%s)",
				 strerror(errno));
	if (read(fio.kick_fd, &kicks, sizeof kicks) == sizeof kicks)
		fio.kicks += kicks;
	window = LINGER_NS; /* a kick: the guest is at work, more may come */
	__atomic_store_n(&fio.ring.shared->kicks, fio.kicks, __ATOMIC_RELAXED);
}

/* The thread's own allow-list: the volume rules of the vCPU thread's (the
 * same host calls on the same fd range, given by files_module.c), the
 * kick, its sleep, the lock and the vCPU's wake-up; and, to end the guest
 * over a bad ring, a message and exit. */
static void io_sandbox(struct hut_vm *vm)
{
	struct hut_seccomp_rule rules[64 + 16];
	size_t n = 0;
	for (; n < fio.nrules; n++)
		rules[n] = fio.rules[n];
	const struct hut_seccomp_rule own[] = {
		HUT_ALLOW_ARG(SYS_read, 0, fio.kick_fd), /* the guest's kicks */
		HUT_ALLOW(SYS_poll),			 /* sleep until a kick */
		HUT_ALLOW(SYS_futex),		 /* the lock; wake the vCPU; musl's stdio locks */
		HUT_ALLOW_ARG(SYS_write, 0, 1),	 /* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_write, 0, 2),	 /* hut_fail's message (stdio) */
		HUT_ALLOW_ARG(SYS_writev, 0, 1), /* hut_fail's message (musl's stdio) */
		HUT_ALLOW_ARG(SYS_writev, 0, 2), /* hut_fail's message (musl's stdio) */
		HUT_ALLOW(SYS_clock_gettime),	 /* the linger's clock, without a vDSO */
		HUT_ALLOW(SYS_getcpu),		 /* sched_getcpu, without a vDSO */
		HUT_ALLOW_ARG(SYS_sched_setaffinity, 0, 0), /* off the vCPU's CPU */
		HUT_ALLOW(SYS_exit_group),		    /* hut_fail's exit */
		HUT_ALLOW(SYS_exit), /* musl's _Exit, should exit_group return */
	};
	for (size_t i = 0; i < sizeof own / sizeof own[0] && n < sizeof rules / sizeof rules[0];
	     i++)
		rules[n++] = own[i];
	hut_sandbox_thread(vm, rules, n);
}

static void *io_main(void *arg)
{
	struct hut_vm *vm = arg;
	/* The guest's first kick comes once it runs, so after the vCPU
	 * thread's sandbox closed the spare fds and took the low ones: the
	 * thread's own Landlock ruleset (an fd a while) cannot meet that. */
	wait_kick();
	moves = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
	if (!vm->opt->no_sandbox) {
		hut_landlock_thread(vm); /* the volume trees alone, as the vCPU thread */
		io_sandbox(vm);		 /* before it reads anything of the guest's */
	}
	/* Awake from here on: io_idle was 1 only for that first kick. Left at
	 * 1, it said "asleep" until the first window passed empty, and every
	 * request until then was a file hypercall (the first ~50 of a
	 * sequential 1 MiB reader's, at an exit each). */
	__atomic_store_n(&fio.ring.shared->io_idle, 0, SEQ);
	for (;;) {
		/* A wake-up lingers even when it finds the ring empty: the kick
		 * that woke it came with a file hypercall (the guest's request,
		 * served on the vCPU's thread), and the guest's next request comes
		 * a few microseconds after that one returns. Without it, a thread
		 * once asleep was kicked, found nothing and slept again at every
		 * request, and every request stayed an exit (small files on a
		 * volume at 0.04x the process instead of 0.5x). */
		drain();
		if (linger())
			continue;
		__atomic_store_n(&fio.ring.shared->io_idle, 1, SEQ);
		if (hut_file_ring_pending(&fio.ring)) {
			__atomic_store_n(&fio.ring.shared->io_idle, 0, SEQ);
			continue;
		}
		fio.sleeps++;
		wait_kick();
		__atomic_store_n(&fio.ring.shared->io_idle, 0, SEQ);
	}
	return NULL;
}

void hut_file_io_start(struct hut_vm *vm, uint64_t gpa, const struct hut_seccomp_rule *rules,
		       size_t nrules)
{
	fio.vm = vm;
	for (fio.nrules = 0; fio.nrules < nrules && fio.nrules < 64; fio.nrules++)
		fio.rules[fio.nrules] = rules[fio.nrules];
	if (hut_file_ring_init(&fio.ring, &vm->mem, gpa) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "files: %s", fio.ring.why);
	fio.ring.cons = resume_at[0]; /* a restore goes on where the snapshot's ring was */
	fio.ring.events = resume_at[1];
	fio.events = resume_at[2];
	madvise(fio.ring.shared, HUT_FILE_REGION_SIZE, MADV_POPULATE_WRITE);
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0 || (fd = hut_host_fd_place(fd)) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "files: cannot create an eventfd (%s)",
			 hut_limit_text(fd < 0 ? -fd : errno));
	fio.kick_fd = fd;
	fio.ring.shared->io_idle = 1;
	fio.ioeventfd = hut_device_kick_ioeventfd(vm, HUT_HC_FILE_KICK, fio.kick_fd);
	/* It waits for the guest's first kick (io_idle starts at 1). */
	hut_device_thread(vm, &fio.thread, 256 << 10, io_main, "files");
	fio.running = true;
}

void hut_file_io_kick(struct hut_vm *vm)
{
	uint64_t one = 1;
	if (!fio.running)
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS),
			 "bad hypercall: file kick without a file ring");
	if (write(fio.kick_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		hut_fail(vm, HUT_EXIT_MONITOR, "files: cannot signal the I/O thread (%s)",
			 strerror(errno));
}

uint64_t hut_file_io_wait(uint32_t seen, uint64_t timeout_ns, uint32_t wake_seq)
{
	__atomic_store_n(&fio.vcpu_waiting, 1, SEQ);
	if (__atomic_load_n(&fio.events, SEQ) == seen && timeout_ns)
		hut_vcpu_sleep(wake_seq, timeout_ns);
	__atomic_store_n(&fio.vcpu_waiting, 0, SEQ);
	return __atomic_load_n(&fio.events, SEQ) != seen ? HUT_POLL_FILE : 0;
}

void hut_file_io_hypercall(struct hut_vm *vm, struct hut_hc_file *hc)
{
	if (!fio.running) {
		hut_file_hypercall(vm, hc);
		return;
	}
	__atomic_store_n(&fio.hypercall_cpu, sched_getcpu(), __ATOMIC_RELAXED);
	__atomic_store_n(&fio.in_hypercall, 1, SEQ);
	pthread_mutex_lock(&fio.lock);
	hut_file_hypercall(vm, hc);
	pthread_mutex_unlock(&fio.lock);
	__atomic_store_n(&fio.in_hypercall, 0, SEQ);
	fio.hypercalls++;
}

/* Whatever the guest posted is served before the monitor ends (a guest
 * that exits right after a write-back it did not wait for loses nothing):
 * the lock waits for the thread's request in progress, and is kept, so
 * the thread serves nothing more. A ring broken meanwhile stops it. */
void hut_file_io_end(void)
{
	static struct hut_hc_file req;
	if (!fio.running || pthread_equal(pthread_self(), fio.thread))
		return;
	pthread_mutex_lock(&fio.lock);
	while (hut_file_ring_next(&fio.ring, &req) > 0)
		serve(&req);
}

void hut_file_io_save(uint32_t pos[HUT_FILE_IO_POSITION])
{
	static struct hut_hc_file req;
	pos[0] = pos[1] = pos[2] = 0;
	if (!fio.running)
		return;
	pthread_mutex_lock(&fio.lock);
	while (hut_file_ring_next(&fio.ring, &req) > 0)
		serve(&req);
	pos[0] = fio.ring.cons;
	pos[1] = fio.ring.events;
	pos[2] = __atomic_load_n(&fio.events, SEQ);
	pthread_mutex_unlock(&fio.lock);
}

void hut_file_io_restore(const uint32_t pos[HUT_FILE_IO_POSITION])
{
	memcpy(resume_at, pos, sizeof resume_at);
}

void hut_file_io_trace(void)
{
	if (!fio.running)
		return;
	fprintf(stderr,
		"hut-monitor: trace-exits: files: %lu requests through the ring, %lu through the "
		"hypercall; %lu kicks (%s), %lu sleeps of the I/O thread, %lu wakes of a "
		"waiting guest; %lu us serving\n",
		fio.served, fio.hypercalls, fio.kicks,
		fio.ioeventfd ? "ioeventfd: no exit to the monitor" : "each an exit", fio.sleeps,
		fio.wakes, fio.serve_ns / 1000);
}
