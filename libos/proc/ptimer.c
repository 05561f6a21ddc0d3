/*
 * POSIX timers (timer_create): each a libos timer (timer.c) with what to do
 * when it fires: raise a signal to the process (SIGEV_SIGNAL) or to one
 * thread (SIGEV_THREAD_ID, which musl's SIGEV_THREAD timers use with a
 * thread of their own waiting in sigwaitinfo), or nothing (SIGEV_NONE).
 * The signal carries SI_TIMER, the timer's id and value; expirations while
 * that signal is still pending are counted as overruns, as on Linux.
 * Timers belong to the process that made them: its ids (from 0, as Linux
 * gives them), its signals whichever process runs when they fire; a fork's
 * child has none, exec and the end delete them (hut_ptimers_end).
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#define PTIMERS_MAX 256
#define OVERRUN_MAX 0x7fffffff /* DELAYTIMER_MAX */

struct ptimer {
	struct hut_timer timer; /* first: its fire finds the ptimer */
	int id;
	int clock;
	int notify; /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
	int signo;
	int tid;
	uint64_t value;
	struct hut_process *owner;
	int overrun; /* of the signal now pending, or the last delivered */
	int raised;  /* it has raised its signal (overruns count while that is pending) */
};

static struct ptimer *timers[PTIMERS_MAX];

static void expired(struct hut_timer *t, uint64_t expirations)
{
	struct ptimer *p = (struct ptimer *)t;
	if (p->notify == SIGEV_NONE)
		return;
	uint64_t bit = 1ull << (p->signo - 1);
	int tid = p->notify == SIGEV_THREAD_ID ? p->tid : 0;
	if (p->raised && (hut_signal_pending_of(p->owner, tid) & bit)) { /* still pending */
		uint64_t more = (uint64_t)p->overrun + expirations;
		p->overrun = more > OVERRUN_MAX ? OVERRUN_MAX : (int)more;
		return;
	}
	p->overrun = expirations - 1 > OVERRUN_MAX ? OVERRUN_MAX : (int)(expirations - 1);
	p->raised = 1;
	struct hut_siginfo si = {
		.code = SI_TIMER, .timerid = p->id, .overrun = p->overrun, .value = p->value};
	hut_signal_raise_info(p->owner, p->signo, tid, &si);
}

/* The slot of the running process's timer id, or of a free slot (id -1). */
static int slot_of(long id)
{
	for (int i = 0; i < PTIMERS_MAX; i++)
		if (id < 0 ? !timers[i]
			   : (timers[i] && timers[i]->owner == hut_proc_now && timers[i]->id == id))
			return i;
	return -1;
}

/* The running process's lowest id not in use. */
static int free_id(void)
{
	for (int id = 0;; id++)
		if (slot_of(id) < 0)
			return id;
}

long hut_ptimer_create(int clock, int cpu, int notify, int signo, int tid, uint64_t value,
		       int value_is_id)
{
	int slot = slot_of(-1);
	if (slot < 0)
		return -EAGAIN;
	struct ptimer *p = hut_kalloc(sizeof *p);
	if (!p)
		return -EAGAIN;
	int id = free_id();
	p->timer.fire = expired;
	p->timer.cpu = cpu;
	p->timer.interrupts = notify != SIGEV_NONE;
	p->id = id;
	p->notify = notify;
	p->signo = signo;
	p->tid = tid;
	p->value = value_is_id ? (uint64_t)id : value;
	p->clock = clock;
	p->owner = hut_proc_now;
	timers[slot] = p;
	return id;
}

static struct ptimer *find(long id)
{
	int slot = id >= 0 ? slot_of(id) : -1;
	return slot >= 0 ? timers[slot] : NULL;
}

static void delete_slot(int slot)
{
	struct ptimer *p = timers[slot];
	hut_timer_disarm(&p->timer);
	timers[slot] = NULL;
	hut_kfree(p, sizeof *p);
}

void hut_ptimers_end(const struct hut_process *owner)
{
	for (int i = 0; i < PTIMERS_MAX; i++)
		if (timers[i] && timers[i]->owner == owner)
			delete_slot(i);
}

long hut_ptimer_delete(long id)
{
	int slot = id >= 0 ? slot_of(id) : -1;
	if (slot < 0)
		return -EINVAL;
	delete_slot(slot);
	return 0;
}

long hut_ptimer_get(long id, uint64_t *value_ns, uint64_t *interval_ns)
{
	struct ptimer *p = find(id);
	if (!p)
		return -EINVAL;
	*value_ns = hut_timer_left(&p->timer);
	*interval_ns = p->timer.interval;
	return 0;
}

/* value_ns: a time on the timer's clock when absolute (a CLOCK_REALTIME one
 * becomes one since boot, as the libos's timers count), else from now; 0
 * disarms. */
long hut_ptimer_set(long id, int absolute, uint64_t value_ns, uint64_t interval_ns)
{
	struct ptimer *p = find(id);
	if (!p)
		return -EINVAL;
	if (absolute && p->clock == CLOCK_REALTIME)
		value_ns = value_ns > hut_clock.wallclock_origin
				   ? value_ns - hut_clock.wallclock_origin
				   : 1;
	if (!value_ns)
		hut_timer_disarm(&p->timer);
	else if (absolute)
		hut_timer_arm_at(&p->timer, value_ns, interval_ns);
	else
		hut_timer_arm(&p->timer, value_ns, interval_ns);
	return 0;
}

long hut_ptimer_overrun(long id)
{
	struct ptimer *p = find(id);
	return p ? p->overrun : -EINVAL;
}
