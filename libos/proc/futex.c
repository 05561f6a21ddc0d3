/*
 * futex(2) for the threads of the one process: WAIT, WAKE, REQUEUE,
 * CMP_REQUEUE, WAIT_BITSET, WAKE_BITSET, their PRIVATE forms (every futex
 * is private to the one process) and FUTEX_CLOCK_REALTIME. A waiter is a
 * record on its own libos stack, queued in arrival order; a wake marks it
 * and takes it off the queue, and its hut_wait sees the mark. The PI and
 * WAKE_OP operations (glibc's, not musl's) return -ENOSYS with a warning.
 */
#include "proc.h"

#include <errno.h>

/* Linux's uapi values (linux/futex.h, which musl's headers lack). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define NS_PER_S 1000000000ull

struct waiter {
	struct waiter *next;
	const int *addr;
	uint32_t bitset;
	int woken;
};

static struct waiter *queue; /* oldest first */

static void enqueue(struct waiter *w)
{
	struct waiter **p = &queue;
	while (*p)
		p = &(*p)->next;
	*p = w;
}

static void dequeue(struct waiter *w)
{
	for (struct waiter **p = &queue; *p; p = &(*p)->next) {
		if (*p == w) {
			*p = w->next;
			return;
		}
	}
}

static int woken(void *arg)
{
	return ((const struct waiter *)arg)->woken;
}

static long check_addr(const int *addr)
{
	if ((uint64_t)addr & (sizeof(int) - 1))
		return -EINVAL;
	return hut_user_readable(addr, sizeof(int)) ? 0 : -EFAULT;
}

/* When the wait ends, in ns since boot: FUTEX_WAIT's timeout is relative
 * (CLOCK_MONOTONIC), WAIT_BITSET's absolute on the clock the op names. */
static long deadline_of(const struct timespec *ts, int cmd, int op, uint64_t *deadline)
{
	*deadline = HUT_WAIT_FOREVER;
	if (!ts)
		return 0;
	if (!hut_user_readable(ts, sizeof *ts))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_S)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts->tv_sec > UINT64_MAX / NS_PER_S - 1
			      ? HUT_WAIT_FOREVER
			      : (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
	uint64_t now = hut_time_since_boot_ns();
	if (cmd == FUTEX_WAIT) {
		*deadline = ns > HUT_WAIT_FOREVER - now ? HUT_WAIT_FOREVER : now + ns;
	} else if (op & FUTEX_CLOCK_REALTIME) {
		struct timespec rt = hut_realtime();
		uint64_t rt_now = (uint64_t)rt.tv_sec * NS_PER_S + (uint64_t)rt.tv_nsec;
		uint64_t left = ns > rt_now ? ns - rt_now : 0;
		*deadline = left > HUT_WAIT_FOREVER - now ? HUT_WAIT_FOREVER : now + left;
	} else {
		*deadline = ns;
	}
	return 0;
}

static long futex_wait(const int *addr, int val, uint64_t deadline, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	long r = check_addr(addr);
	if (r)
		return r;
	if (__atomic_load_n(addr, __ATOMIC_SEQ_CST) != val)
		return -EAGAIN;
	struct waiter w = {.addr = addr, .bitset = bitset};
	enqueue(&w);
	r = hut_wait(woken, &w, deadline, HUT_WAIT_INTERRUPTIBLE);
	if (w.woken)
		return 0;
	dequeue(&w);
	return r;
}

/* Wakes waiters on addr whose bitset meets bitset; as Linux, at least one
 * even when n is 0. */
static long wake(const int *addr, long n, uint32_t bitset)
{
	long count = 0;
	for (struct waiter **p = &queue; *p;) {
		struct waiter *w = *p;
		if (w->addr != addr || !(w->bitset & bitset)) {
			p = &w->next;
			continue;
		}
		*p = w->next;
		w->woken = 1;
		if (++count >= n)
			break;
	}
	return count;
}

long hut_futex_wake(const int *addr, long n)
{
	return wake(addr, n, FUTEX_BITSET_MATCH_ANY);
}

/* Wakes n_wake waiters on addr, moves up to n_move of the rest to addr2. */
static long requeue(const int *addr, long n_wake, long n_move, const int *addr2)
{
	long woke = 0, moved = 0;
	for (struct waiter *w = queue; w; w = w->next) {
		if (w->addr != addr)
			continue;
		if (woke < n_wake) {
			woke++;
			w->woken = 1; /* taken off the queue below */
		} else if (moved < n_move) {
			w->addr = addr2;
			moved++;
		} else {
			break;
		}
	}
	for (struct waiter **p = &queue; *p;)
		if ((*p)->woken)
			*p = (*p)->next;
		else
			p = &(*p)->next;
	return woke + moved;
}

static long unsupported(int cmd)
{
	static uint32_t warned;
	if (cmd < 32 && !(warned & (1u << cmd))) {
		warned |= 1u << cmd;
		char line[120], *p = line, *end = line + sizeof line - 1;
		p = hut_append(p, end, "hut: warning: futex operation ");
		p = hut_append_u64(p, end, (uint64_t)cmd);
		p = hut_append(p, end, " not implemented, returning -ENOSYS\n");
		*p = 0;
		hut_console_print(2, line);
	}
	return -ENOSYS;
}

/* futex(addr, op, val, timeout or val2, addr2, val3): the fourth argument
 * is the timeout for the waits and a count for the requeues. */
long hut_futex(const int *addr, int op, int val, long timeout_or_val2, const int *addr2,
	       uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	uint64_t deadline;
	long r;
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		r = deadline_of((const struct timespec *)timeout_or_val2, cmd, op, &deadline);
		if (r)
			return r;
		return futex_wait(addr, val, deadline,
				  cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		if ((uint64_t)addr & (sizeof(int) - 1))
			return -EINVAL;
		return wake(addr, val, cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (val < 0 || (int)timeout_or_val2 < 0)
			return -EINVAL;
		if ((r = check_addr(addr)) || (r = check_addr(addr2)))
			return r;
		if (cmd == FUTEX_CMP_REQUEUE &&
		    __atomic_load_n(addr, __ATOMIC_SEQ_CST) != (int)val3)
			return -EAGAIN;
		return requeue(addr, val, (int)timeout_or_val2, addr2);
	default:
		return unsupported(cmd);
	}
}
