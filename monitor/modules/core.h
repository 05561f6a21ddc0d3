/*
 * Core dumps (--core FILE): the module (core_module.c) and the ELF core
 * writer it calls when the guest crashes (core.c).
 */
#ifndef HUT_CORE_H
#define HUT_CORE_H

#include "../monitor.h"

/* Writes the core of a crashed guest to fd: the crashed thread's registers,
 * those of every other thread in the libos's table at threads_gpa (0: none
 * registered) and the memory a backtrace needs. 0, or -1 if a write failed. */
int hut_core_write(const struct hut_vm *vm, int fd, uint64_t threads_gpa,
		   const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct hut_trap_frame *f, int sig);

/* core_module.c: where the libos keeps its threads (0: not registered). */
uint64_t hut_core_threads(void);

#endif
