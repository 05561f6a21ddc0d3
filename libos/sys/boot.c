/*
 * Boot: the monitor starts the vCPU at hut_boot_entry (sys/entry.S), which calls
 * hut_boot() on the libos stack. We set up the libos, build the process
 * stack Linux would have built (argc, argv, envp, auxv: sys/procstack.c)
 * and jump to musl's _start, exactly as if the kernel had exec'd the image.
 */
#include "fs/vfs.h"
#include "mem/mm.h"
#include "procstack.h"
#include "syscalls.h"

/* tick_entry: where the monitor sends a tick; restorer: where a handler
 * returns (entry.S). */
_Noreturn void hut_boot(const struct hut_boot_info *bi, uint64_t tick_entry, uint64_t restorer)
{
	hut_boot_info = bi;
	hut_boot_phdrs_keep(bi);
	/* Each layer from the bottom up; the layers above start on first use. */
	hut_memory_init(bi);
	hut_mm_image_from_boot(hut_mm_now, bi);
	hut_time_init(bi);
	hut_random_init(bi);
	hut_signal_box_init(bi);
	hut_signal_box_ticks_init(tick_entry, &hut_app_running);
	hut_signal_set_restorer(restorer);
	hut_syscall_init();
	hut_exit_init();
	hut_fd_init();
	hut_path_init();
	uint64_t sp =
		hut_build_process_stack(bi->stack_top, bi->argv, bi->argc, bi->envp, bi->envc);
	if (bi->argc > 0)
		hut_thread_name_from_path(hut_thread_now,
					  (const char *)((const uint64_t *)bi->argv)[0]);
	/* As the kernel leaves it for _start: %rsp at argc, %rdx 0 (no atexit hook). */
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "xor %%edx, %%edx\n\t"
			 "jmp *%1"
			 :
			 : "r"(sp), "r"(bi->app_entry)
			 : "memory");
	__builtin_unreachable();
}
