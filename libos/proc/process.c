/*
 * The process: one of it, pid 1, root (its names: proc/utscalls.c). exit_group
 * (and the last thread's exit, proc/clone.c, and a signal's default action,
 * proc/signal.c) ends the appliance, after the hooks layers above registered
 * (the network stack closes the process's sockets, as Linux closes a dying
 * process's fds). proc/processcalls.c has the syscalls.
 */
#include "proc.h"

static struct hut_hooks at_exit;

void hut_at_process_exit(hut_hook_fn hook)
{
	hut_hooks_add(&at_exit, hook);
}

_Noreturn void hut_exit_process(uint32_t kind, int status)
{
	hut_hooks_run(&at_exit, NULL);
	hut_exit(kind, status);
}
