/*
 * The process: one of it, pid 1, root (its names: proc/utscalls.c). exit_group
 * (and the last thread's exit, proc/clone.c, and a signal's default action,
 * proc/signal.c) ends the appliance, after the hooks layers above registered
 * (the network stack closes the process's sockets, as Linux closes a dying
 * process's fds). proc/processcalls.c has the syscalls.
 */
#include "proc.h"

#define AT_EXIT_MAX 4

static void (*at_exit[AT_EXIT_MAX])(void);
static unsigned at_exit_count;

void hut_at_process_exit(void (*hook)(void))
{
	for (unsigned i = 0; i < at_exit_count; i++)
		if (at_exit[i] == hook)
			return;
	if (at_exit_count < AT_EXIT_MAX)
		at_exit[at_exit_count++] = hook;
}

_Noreturn void hut_exit_process(uint32_t kind, int status)
{
	for (unsigned i = 0; i < at_exit_count; i++)
		at_exit[i]();
	hut_exit(kind, status);
}
