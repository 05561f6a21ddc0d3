/*
 * Each process's CPU time. The vCPU runs one process at a time, so a
 * process's CPU time is the appliance's busy time less what the others had
 * while it lived: hut_clock.elsewhere_ns (base/clock.h), which a switch
 * saves with the moment the process left and, when it comes back, grows by
 * the busy time since. A fork's child starts at 0, as on Linux. What a
 * process used is kept at its end; its parent adds it (and what its own
 * reaped children used) when it reaps it (process.c): RUSAGE_CHILDREN,
 * times' cutime and wait4's rusage.
 */
#include "proc.h"

struct cpu_state {
	uint64_t elsewhere_ns; /* hut_clock.elsewhere_ns when the process left */
	uint64_t left_at;      /* hut_busy_time_ns() then */
};

static void save_cpu(void *to)
{
	*(struct cpu_state *)to = (struct cpu_state){hut_clock.elsewhere_ns, hut_busy_time_ns()};
}

static void load_cpu(const void *from)
{
	const struct cpu_state *s = from;
	hut_clock.elsewhere_ns = s->elsewhere_ns + (hut_busy_time_ns() - s->left_at);
}

/* The child has had none of the busy time so far. */
static void fork_cpu(void *child)
{
	uint64_t now = hut_busy_time_ns();
	*(struct cpu_state *)child = (struct cpu_state){now, now};
}

static void end_cpu(void)
{
	hut_proc_now->cpu_ns = hut_cpu_time_ns();
}

static const struct hut_proc_state_ops cpu_ops = {
	sizeof(struct cpu_state), save_cpu, load_cpu, fork_cpu, end_cpu,
};

void hut_cputime_per_process(void)
{
	hut_proc_state_register(&cpu_ops);
}
