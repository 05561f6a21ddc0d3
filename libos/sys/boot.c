/*
 * Boot: the monitor starts the vCPU at hut_boot_entry (sys/entry.S), which calls
 * hut_boot() on the libos stack. We set up the libos, build the process
 * stack Linux would have built (argc, argv, envp, auxv) and jump to musl's
 * _start, exactly as if the kernel had exec'd the image.
 */
#include "fs/vfs.h"
#include "syscalls.h"

#include <elf.h>

/* Pushes len bytes onto the stack growing down from *sp; returns their address. */
static uint64_t push_bytes(uint64_t *sp, const void *src, size_t len)
{
	*sp -= len;
	hut_memcpy((void *)*sp, src, len);
	return *sp;
}

/* Strings are copied out of the read-only boot info: C lets a program write
 * to its arguments and environment. Pushed last to first, so the first ends
 * lowest and they lie in order. */
static void copy_strings(uint64_t *sp, uint64_t array, uint64_t count)
{
	const uint64_t *src = (const uint64_t *)array;
	for (uint64_t i = count; i-- > 0;) {
		const char *s = (const char *)src[i];
		push_bytes(sp, s, hut_strlen(s) + 1);
	}
}

/* Points count words at the consecutive strings from *s on, then a NULL. */
static uint64_t *put_pointers(uint64_t *w, const char **s, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++, *s += hut_strlen(*s) + 1)
		*w++ = (uint64_t)*s;
	*w++ = 0;
	return w;
}

static uint64_t *put_auxv(uint64_t *v, const struct hut_boot_info *bi, uint64_t random)
{
	const uint64_t pairs[][2] = {
		{AT_PHDR, bi->phdr},
		{AT_PHENT, bi->phent},
		{AT_PHNUM, bi->phnum},
		{AT_PAGESZ, HUT_PAGE_SIZE},
		{AT_ENTRY, bi->app_entry},
		{AT_UID, 0},
		{AT_EUID, 0},
		{AT_GID, 0},
		{AT_EGID, 0},
		{AT_SECURE, 0},
		{AT_CLKTCK, 100},
		{AT_RANDOM, random},
		{AT_NULL, 0},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		*v++ = pairs[i][0];
		*v++ = pairs[i][1];
	}
	return v;
}

#define AUXV_WORDS (13 * 2)

/* Lays out, from top down: AT_RANDOM bytes, environment and argument
 * strings (argv and envp: arrays of string addresses), then (16-byte
 * aligned) argc, argv[], NULL, envp[], NULL, auxv, as Linux's exec does.
 * Returns the initial %rsp. The boot and exec (sys/execcalls.c) use it. */
uint64_t hut_build_process_stack(uint64_t top, uint64_t argv, uint64_t argc, uint64_t envp,
				 uint64_t envc)
{
	uint64_t sp = top;
	uint8_t random[16];
	hut_random_fill(random, sizeof random);
	uint64_t at_random = push_bytes(&sp, random, sizeof random);
	copy_strings(&sp, envp, envc);
	copy_strings(&sp, argv, argc);
	const char *s = (const char *)sp;
	uint64_t words = 1 + (argc + 1) + (envc + 1) + AUXV_WORDS;
	sp = (sp - words * 8) & ~15ull;
	uint64_t *w = (uint64_t *)sp;
	*w++ = argc;
	w = put_pointers(w, &s, argc);
	w = put_pointers(w, &s, envc);
	put_auxv(w, hut_boot_info, at_random);
	return sp;
}

/* tick_entry: where the monitor sends a tick; restorer: where a handler
 * returns (entry.S). */
_Noreturn void hut_boot(const struct hut_boot_info *bi, uint64_t tick_entry, uint64_t restorer)
{
	hut_boot_info = bi;
	/* Each layer from the bottom up; the layers above start on first use. */
	hut_memory_init(bi);
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
		hut_thread_name_from_path((const char *)((const uint64_t *)bi->argv)[0]);
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

/* `hut build` links with --wrap=main: this stamps when main() starts, for
 * --trace-boot. As a Linux process hut_boot_info is NULL and it just calls. */
int __real_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp);
int __wrap_main(int argc, char **argv, char **envp)
{
	if (hut_boot_info)
		hut_tsc_main = hut_rdtsc();
	return __real_main(argc, argv, envp);
}
