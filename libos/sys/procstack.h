/*
 * sys/procstack.c: the stack a program starts on.
 */
#ifndef HUT_SYS_PROCSTACK_H
#define HUT_SYS_PROCSTACK_H

#include "base/base.h"

/* Builds, from top down, the strings of argv and envp (arrays of argc and
 * envc string addresses), AT_RANDOM's bytes, then argc, argv[], envp[] and
 * the auxiliary vector; returns the initial %rsp. */
uint64_t hut_build_process_stack(uint64_t top, uint64_t argv, uint64_t argc, uint64_t envp,
				 uint64_t envc);

#endif
