/*
 * Timers on the libos's clock: alarm and the interval timers, timerfds,
 * and whatever else counts time down. One list of armed timers, earliest
 * first; a timer fires when the libos next looks: on every syscall's way
 * out (a compare when one is armed) and in every wait, whose sleep ends at
 * the earliest deadline. A program that spins without any syscall is
 * interrupted all the same for the timers that raise a signal: the monitor
 * keeps a host timer for the deadline published here and sends the vCPU to
 * the libos's tick entry (sys/tick.c; ARCHITECTURE.md, "Ticks").
 *
 * Timers on CPU time (ITIMER_VIRTUAL, ITIMER_PROF, POSIX timers on
 * CLOCK_PROCESS_CPUTIME_ID) count their process's CPU time (proc/cputime.c),
 * which stands still while the vCPU sleeps or another process runs: they
 * fire only while their process runs, so a wait's sleep never ends for
 * them, and only the running process's are looked at.
 */
#include "proc.h"

struct hut_timer *hut_timers; /* armed: wall-clock ones earliest first, then CPU-time ones */

static uint64_t now_on(const struct hut_timer *t)
{
	return t->cpu ? hut_cpu_time_ns() : hut_time_since_boot_ns();
}

static void unlink_timer(struct hut_timer *t)
{
	for (struct hut_timer **p = &hut_timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->deadline = 0;
	if (!hut_timers) /* the last one: no tick for it any more */
		hut_signal_box_deadline(0, 0);
}

/* Wall-clock timers in deadline order, CPU-time timers after them. */
static void insert(struct hut_timer *t)
{
	struct hut_timer **p = &hut_timers;
	while (*p && ((*p)->cpu < t->cpu || ((*p)->cpu == t->cpu && (*p)->deadline <= t->deadline)))
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

void hut_timer_disarm(struct hut_timer *t)
{
	if (t->deadline)
		unlink_timer(t);
	t->interval = 0;
}

void hut_timer_arm_at(struct hut_timer *t, uint64_t deadline_ns, uint64_t interval_ns)
{
	hut_timer_disarm(t);
	if (t->cpu)
		t->owner = hut_proc_now;
	t->interval = interval_ns;
	t->deadline = deadline_ns ? deadline_ns : 1; /* 0 means disarmed: the past will do */
	insert(t);
}

void hut_timer_arm(struct hut_timer *t, uint64_t value_ns, uint64_t interval_ns)
{
	if (!value_ns) {
		hut_timer_disarm(t);
		return;
	}
	uint64_t now = now_on(t);
	hut_timer_arm_at(t, value_ns > UINT64_MAX - now ? UINT64_MAX : now + value_ns, interval_ns);
}

uint64_t hut_timer_left(const struct hut_timer *t)
{
	if (!t->deadline)
		return 0;
	uint64_t now = now_on(t);
	return t->deadline > now ? t->deadline - now : 1; /* due: not yet seen, not 0 */
}

/* Fires t (due, now past its deadline): a periodic timer counts every
 * period that passed and moves on past now; a one-shot is disarmed first,
 * so its fire may arm it again. */
static void fire(struct hut_timer *t, uint64_t now)
{
	uint64_t due = t->deadline, times = 1;
	unlink_timer(t);
	if (t->interval) {
		times += (now - due) / t->interval;
		t->deadline = due + times * t->interval;
		insert(t);
	}
	t->fire(t, times);
}

/* The running process's earliest CPU-time timer. */
static struct hut_timer *first_cpu_timer(void)
{
	struct hut_timer *t = hut_timers;
	while (t && (!t->cpu || t->owner != hut_proc_now))
		t = t->next;
	return t;
}

void hut_timers_run(void)
{
	uint64_t wall = hut_time_since_boot_ns(), cpu = hut_cpu_time_ns();
	for (;;) {
		struct hut_timer *t = hut_timers, *c;
		if (t && !t->cpu && t->deadline <= wall)
			fire(t, wall);
		else if ((c = first_cpu_timer()) && c->deadline <= cpu)
			fire(c, cpu);
		else
			return;
	}
}

uint64_t hut_timers_next(void)
{
	return hut_timers && !hut_timers->cpu ? hut_timers->deadline : HUT_WAIT_FOREVER;
}

/* Keeps the two earliest of the moments offered (0: none yet). */
static void keep_earliest(uint64_t at, uint64_t *first, uint64_t *then)
{
	if (!*first || at < *first) {
		*then = *first;
		*first = at;
	} else if (!*then || at < *then) {
		*then = at;
	}
}

/* The box gets the earliest moment a timer raising a signal is due (or the
 * running thread's slice ends while another could run), and the earliest
 * after that one has fired once (so that the monitor can re-arm without an
 * exit), both on the wall clock: a CPU-time timer runs at its pace while
 * the app runs, the only time a tick can help. */
void hut_timers_publish(int with_cpu)
{
	uint64_t first = 0, then = 0;
	for (const struct hut_timer *t = hut_timers; t; t = t->next) {
		if (!t->interrupts || (t->cpu && (!with_cpu || t->owner != hut_proc_now)))
			continue;
		/* CPU time is the time since boot less idle_ns and elsewhere_ns:
		 * read no clock, so that the same deadline always projects to
		 * the same moment. */
		uint64_t at =
			t->deadline + (t->cpu ? hut_clock.idle_ns + hut_clock.elsewhere_ns : 0);
		keep_earliest(at, &first, &then);
		if (t->interval)
			keep_earliest(at + t->interval, &first, &then);
	}
	uint64_t slice = with_cpu ? hut_sched_tick_at() : 0;
	if (slice) { /* the next thread's slice ends a slice later */
		keep_earliest(slice, &first, &then);
		keep_earliest(slice + HUT_SLICE_NS, &first, &then);
	}
	hut_signal_box_deadline(first, then);
}
