/*
 * Core dumps (--core FILE): the module (core_module.c) and the ELF core
 * writer it calls when the guest crashes (core.c).
 */
#ifndef HUT_CORE_H
#define HUT_CORE_H

#include "../monitor.h"

#include <sys/procfs.h>

/* What a core file holds: threads' registers (the crashed one's first) and
 * regions of guest memory, each at the address the core says (va) with its
 * bytes from the guest address src (what hut_gpa takes). */
#define HUT_CORE_REGIONS_MAX HUT_CORE_PIECES_MAX

struct hut_core_region {
	uint64_t va, src, len;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

struct hut_core {
	size_t nthreads;
	struct elf_prstatus status[1 + HUT_THREADS_MAX];
	size_t nregions;
	struct hut_core_region region[HUT_CORE_REGIONS_MAX];
	char remark[128]; /* "" or what the core leaves out, a note of its own */
};

/* Writes c to fd as an ELF core: 0, or -1 if a write failed. */
int hut_core_write_layout(const struct hut_vm *vm, int fd, const struct hut_core *c);

/* A thread's registers as the libos gave them, in an NT_PRSTATUS. */
void hut_core_thread_status(struct elf_prstatus *p, const struct hut_thread_regs *t);

/* Writes the core of a crashed guest to fd: the crashed thread's registers,
 * those of every other thread in the libos's table at threads_gpa (0: none
 * registered) and the memory a backtrace needs. 0, or -1 if a write failed. */
int hut_core_write(const struct hut_vm *vm, int fd, uint64_t threads_gpa,
		   const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		   const struct hut_trap_frame *f, int sig);

/* core_module.c: where the libos keeps its threads (0: not registered). */
uint64_t hut_core_threads(void);

/* core_file.c: FILE.pid beneath --core FILE's directory. The option's
 * check (NULL, or what is wrong); the directory opened (start); the fd
 * slot reserved, a copy of like (once the sandbox closed the others);
 * those two fds (-1: none). */
const char *hut_core_file_option(const char *path);
void hut_core_file_open_dir(struct hut_vm *vm);
void hut_core_file_reserve(struct hut_vm *vm, int like);
int hut_core_file_dir(void);
int hut_core_file_slot(void);
/* FILE.pid created (truncated) for a process's core: its fd, or -errno
 * (-ENOENT: no --core); name gets the file's name for messages. */
int hut_core_process_file(uint32_t pid, const char **name);

/* core_process.c: the HUT_HC_PROC_CORE hypercall. */
void hut_core_process(struct hut_vm *vm, uint64_t gpa, void *arg);

#endif
