/*
 * Resource limits (rlimit.h). They start as Linux gives a root process
 * where hut has the resource (1024 open files; the main stack's size; no
 * niceness or real-time priority without the capability) and unlimited
 * where it has none to count; setrlimit changes them under
 * Linux's rules. Two hard limits have a ceiling no capability lifts, as
 * Linux's nr_open is one for RLIMIT_NOFILE: the fd table's size, and the
 * main stack, which the monitor made once and never grows.
 */
#include "proc.h"

#include <errno.h>
#include <sys/resource.h>

static struct hut_rlimit limits[HUT_RLIM_NLIMITS];
static int ready;

static void setup(void)
{
	for (int i = 0; i < HUT_RLIM_NLIMITS; i++)
		limits[i] = (struct hut_rlimit){HUT_RLIM_INFINITY, HUT_RLIM_INFINITY};
	uint64_t stack = hut_boot_info ? hut_boot_info->stack_size : 0;
	limits[RLIMIT_STACK] = (struct hut_rlimit){stack, stack};
	limits[RLIMIT_NOFILE] = (struct hut_rlimit){HUT_FILES_MAX, HUT_FILES_MAX};
	/* Processes: as many as the arena's memory allows; kept and reported. */
	limits[RLIMIT_NPROC] = (struct hut_rlimit){HUT_RLIM_INFINITY, HUT_RLIM_INFINITY};
	/* As Linux's first process: niceness and real-time priority only
	 * through CAP_SYS_NICE. */
	limits[RLIMIT_NICE] = (struct hut_rlimit){0, 0};
	limits[RLIMIT_RTPRIO] = (struct hut_rlimit){0, 0};
	ready = 1;
}

struct hut_rlimit hut_rlimit_get(int resource)
{
	if (!ready)
		setup();
	return limits[resource];
}

/* The most a hard limit can be here, whoever asks. */
static uint64_t ceiling(int resource)
{
	if (resource == RLIMIT_NOFILE)
		return HUT_FILES_MAX;
	if (resource == RLIMIT_STACK)
		return hut_boot_info ? hut_boot_info->stack_size : HUT_RLIM_INFINITY;
	return HUT_RLIM_INFINITY;
}

long hut_rlimit_set(int resource, const struct hut_rlimit *want)
{
	if (!ready)
		setup();
	if (want->cur > want->max)
		return -EINVAL;
	if (want->max > ceiling(resource))
		return -EPERM;
	if (want->max > limits[resource].max && !hut_cred_capable(HUT_CAP_SYS_RESOURCE))
		return -EPERM;
	limits[resource] = *want;
	return 0;
}

uint64_t hut_rlimit_nofile(void)
{
	if (!ready)
		setup();
	return limits[RLIMIT_NOFILE].cur;
}

/* The limits as struct rlimit, for /proc/self/limits and status. */
void hut_rlimit_of(long resource, struct rlimit *rl)
{
	struct hut_rlimit l = hut_rlimit_get((int)resource);
	rl->rlim_cur = l.cur;
	rl->rlim_max = l.max;
}

/* ---- each process's own (proc/process.h): fork copies, as Linux's does -- */

static void save_limits(void *to)
{
	if (!ready)
		setup();
	hut_memcpy(to, limits, sizeof limits);
}

static void load_limits(const void *from)
{
	hut_memcpy(limits, from, sizeof limits);
}

static void keep_nothing(void)
{
}

static const struct hut_proc_state_ops limit_ops = {
	sizeof limits, save_limits, load_limits, save_limits, keep_nothing,
};

void hut_rlimit_per_process(void)
{
	hut_proc_state_register(&limit_ops);
}
