/*
 * hut's arch/x86_64/syscall_arch.h for musl: the header hut puts into
 * Debian's musl source before building it (musl/musl.mk). It gives musl's
 * C code its way into the kernel, __syscall0 ... __syscall6.
 *
 * musl's own header executes the `syscall` instruction. In a hut image
 * that instruction traps out of the guest (~40 us on kvm-pvm hosts), so
 * these first ask where they run: hut_boot_info, which the libos sets when
 * it boots the image (libos/sys/boot.c), is NULL in a Linux process.
 *  - As a process: the `syscall` instruction, as musl's header has it.
 *  - In an appliance: a call to hut_syscall_dispatch (libos/sys/
 *    entry.S), which enters the libos's syscall path with no trap.
 * The libos is linked in a window of its own at 64 GiB (builder/hut.ld),
 * beyond %rip-relative reach: its two addresses come as 64-bit immediates
 * (movabs), the call through %r11, which the sequence may change anyway.
 * They are the same in every image, so that an image exec'd in an
 * appliance calls the libos that runs it (include/hut/abi.h). A syscall
 * started again after an SA_RESTART handler resumes at that movabs: the
 * libos knows the 13 bytes (libos/arch/x86_64/return.h).
 * Both take and give back the instruction's registers: number in %rax;
 * arguments in %rdi, %rsi, %rdx, %r10, %r8, %r9; result in %rax; %rcx and
 * %r11 changed, nothing else (the flags included: mov, jrcxz, lea, call
 * and jmp leave them alone).
 *
 * Why the test is here and not in the dispatcher: on the development hosts
 * (Linux under PVM, page-table isolation without PCID) a return or an
 * indirect jump right after a `syscall` costs ~40-90 ns more than none
 * (bench/syscalls.c), while the load and jrcxz cost a few ns at most.
 *
 * A `call` stores its return address below %rsp, where the calling
 * function may keep live data: x86-64 code owns 128 bytes under %rsp (the
 * red zone), and the compiler cannot know an asm statement calls. So %rsp
 * steps over those 128 bytes before the call and back after it; `lea`,
 * unlike `sub`/`add`, leaves the flags alone.
 */

/* The instruction sequence that replaces `syscall`; `note` records the
 * site (HUT_SYSCALL_NOTE). The label on the `syscall` instruction is the
 * site's address: `hut inspect --syscalls` tells a site of this header
 * from a raw `syscall` written elsewhere by it. */
#define HUT_SYSCALL_VIA_LIBOS(note)                                                                \
	"movabs $hut_boot_info, %%rcx\n\t"                                                         \
	"mov (%%rcx), %%rcx\n\t"                                                                   \
	"jrcxz .Lhut_sc%=\n\t"                                                                     \
	"lea -128(%%rsp), %%rsp\n\t"                                                               \
	"movabs $hut_syscall_dispatch, %%r11\n\t"                                                  \
	"call *%%r11\n\t"                                                                          \
	"lea 128(%%rsp), %%rsp\n\t"                                                                \
	"jmp 2f\n"                                                                                 \
	".Lhut_sc%=:\tsyscall\n"                                                                   \
	"2:\n\t" note

/* The record of one site, for `hut inspect --syscalls` and the per-image
 * syscall table (builder/syscall_report.c): the address of its `syscall`
 * instruction and its number, or -1 when the number is not a compile-time
 * constant (syscall(), the cancellable path's __syscall_cp). The section is
 * not loaded (no "a" flag: the image's bytes do not change) and is linked
 * to the code around it ("o", SHF_LINK_ORDER): when -Wl,--gc-sections drops
 * a function, its records go with it, so the image lists only what it can
 * run. */
#define HUT_SYSCALL_NOTE(nr)                                                                       \
	".pushsection .hut.syscalls,\"o\",@progbits,.Lhut_sc%=\n\t"                                \
	".quad .Lhut_sc%=, " nr "\n\t"                                                             \
	".popsection"

/* What the sequence may change besides %rax; "memory" because the kernel
 * (or the libos) reads and writes through the arguments. */
#define HUT_SYSCALL_CLOBBERS "rcx", "r11", "memory"

/* One site: a constant number is written into the record by the assembler
 * ("i"); after inlining, __builtin_constant_p tells which. */
#define HUT_SYSCALL_ASM(n, ...)                                                                    \
	do {                                                                                       \
		if (__builtin_constant_p(n))                                                       \
			__asm__ __volatile__(HUT_SYSCALL_VIA_LIBOS(HUT_SYSCALL_NOTE("%c[nr]"))     \
					     : "+r"(nr_ret)                                        \
					     : [nr] "i"(n), ##__VA_ARGS__                          \
					     : HUT_SYSCALL_CLOBBERS);                              \
		else                                                                               \
			__asm__ __volatile__(HUT_SYSCALL_VIA_LIBOS(HUT_SYSCALL_NOTE("-1"))         \
					     : "+r"(nr_ret)                                        \
					     : __VA_ARGS__                                         \
					     : HUT_SYSCALL_CLOBBERS);                              \
	} while (0)

static __inline long __syscall0(long n)
{
	register long nr_ret __asm__("rax") = n;
	HUT_SYSCALL_ASM(n);
	return nr_ret;
}

static __inline long __syscall1(long n, long a1)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	HUT_SYSCALL_ASM(n, "r"(arg1));
	return nr_ret;
}

static __inline long __syscall2(long n, long a1, long a2)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	register long arg2 __asm__("rsi") = a2;
	HUT_SYSCALL_ASM(n, "r"(arg1), "r"(arg2));
	return nr_ret;
}

static __inline long __syscall3(long n, long a1, long a2, long a3)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	register long arg2 __asm__("rsi") = a2;
	register long arg3 __asm__("rdx") = a3;
	HUT_SYSCALL_ASM(n, "r"(arg1), "r"(arg2), "r"(arg3));
	return nr_ret;
}

static __inline long __syscall4(long n, long a1, long a2, long a3, long a4)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	register long arg2 __asm__("rsi") = a2;
	register long arg3 __asm__("rdx") = a3;
	register long arg4 __asm__("r10") = a4;
	HUT_SYSCALL_ASM(n, "r"(arg1), "r"(arg2), "r"(arg3), "r"(arg4));
	return nr_ret;
}

static __inline long __syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	register long arg2 __asm__("rsi") = a2;
	register long arg3 __asm__("rdx") = a3;
	register long arg4 __asm__("r10") = a4;
	register long arg5 __asm__("r8") = a5;
	HUT_SYSCALL_ASM(n, "r"(arg1), "r"(arg2), "r"(arg3), "r"(arg4), "r"(arg5));
	return nr_ret;
}

static __inline long __syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long nr_ret __asm__("rax") = n;
	register long arg1 __asm__("rdi") = a1;
	register long arg2 __asm__("rsi") = a2;
	register long arg3 __asm__("rdx") = a3;
	register long arg4 __asm__("r10") = a4;
	register long arg5 __asm__("r8") = a5;
	register long arg6 __asm__("r9") = a6;
	HUT_SYSCALL_ASM(n, "r"(arg1), "r"(arg2), "r"(arg3), "r"(arg4), "r"(arg5), "r"(arg6));
	return nr_ret;
}

/* The rest is x86-64's ABI facts, which the dispatcher does not change:
 * 64-bit arguments take one register each; as a process, clock_gettime and
 * getcpu may be answered by the kernel's vDSO (an appliance has none, so
 * musl falls back to the syscall); IPC structures need no IPC_64 flag. */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

#define VDSO_USEFUL
#define VDSO_CGT_SYM "__vdso_clock_gettime"
#define VDSO_CGT_VER "LINUX_2.6"
#define VDSO_GETCPU_SYM "__vdso_getcpu"
#define VDSO_GETCPU_VER "LINUX_2.6"

#define IPC_64 0
