/*
 * How the vCPU thread is woken: the one futex word it sleeps on in the poll
 * hypercall, and the nudge its signal handlers give.
 *
 * The sleeper reads the word (hut_vcpu_wake_seq) before it looks for news,
 * and sleeps only while the word still holds what it read
 * (hut_vcpu_sleep). Whatever has news for the guest changes the word after
 * publishing the news: a device's I/O thread (hut_vcpu_wake: a bump, then
 * FUTEX_WAKE) or a signal handler (hut_vcpu_nudge). Handlers run on the
 * vCPU thread itself (every other thread of the monitor blocks signals), so
 * a nudge needs no syscall: a signal during the sleep ends it (EINTR), and
 * one that came after the last look but before the sleep's syscall changed
 * the word, so the futex wait returns at once. A plain nanosleep there slept
 * on to its timeout: a signal from outside in that window was lost to a
 * guest in pause() for good. (The textbook cure, blocking the signals and
 * unblocking them in the sleep itself as ppoll does, has no futex form.)
 */
#include "monitor.h"

#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEQ __ATOMIC_SEQ_CST

static uint32_t wake_word;
static struct kvm_run *volatile nudged_run;

void hut_vcpu_wake_setup(struct hut_vm *vm)
{
	nudged_run = vm->run;
}

uint32_t hut_vcpu_wake_seq(void)
{
	return __atomic_load_n(&wake_word, SEQ);
}

void hut_vcpu_sleep(uint32_t seq, uint64_t timeout_ns)
{
	struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
	/* Woken, nudged, timed out or interrupted: all just return. Past ~292
	 * years (the libos's "no timeout") it waits without one. */
	syscall(SYS_futex, &wake_word, FUTEX_WAIT_PRIVATE, seq,
		timeout_ns >= (uint64_t)INT64_MAX ? NULL : &ts, NULL, 0);
}

void hut_vcpu_wake(void)
{
	__atomic_add_fetch(&wake_word, 1, SEQ);
	syscall(SYS_futex, &wake_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Async-signal-safe: two stores. immediate_exit makes a KVM_RUN that starts
 * after the handler returns come back at once; one already running is
 * interrupted by the signal itself. */
void hut_vcpu_nudge(void)
{
	__atomic_add_fetch(&wake_word, 1, SEQ);
	if (nudged_run)
		nudged_run->immediate_exit = 1;
}
