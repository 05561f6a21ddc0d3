/*
 * regs: a syscall may change only %rax (the result), %rcx and %r11. The rest
 * of the general registers, the arithmetic flags and DF, all XMM registers,
 * the x87 stack, MXCSR and the 128-byte red zone below %rsp must come back
 * as they were. The libos is built without SSE and switches stacks on entry
 * precisely for this.
 *
 * Every check runs two ways: with the `syscall` instruction (in an
 * appliance: the trapped path, MSR_LSTAR) and with the sequence hut's musl
 * has instead (musl/syscall_arch.h: in an appliance, step over the red zone,
 * call hut_syscall_dispatch, step back; as a process, `syscall`). A program
 * built without hut has neither hut_boot_info nor the dispatcher: it takes
 * the process way, so every build prints the same lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

/* Weak: 0 in a program built without hut. In a hut image both sit in the
 * libos's window at 64 GiB (include/hut/abi.h), out of reach of the small
 * code model's 32-bit addresses: taken as 64-bit immediates. */
__asm__(".weak hut_boot_info\n\t.weak hut_syscall_dispatch");

static const void *const *boot_info_slot(void)
{
	const void *const *p;
	__asm__("movabs $hut_boot_info, %0" : "=r"(p));
	return p;
}

static void *dispatcher(void)
{
	void *p;
	__asm__("movabs $hut_syscall_dispatch, %0" : "=r"(p));
	return p;
}

/* Static, so the asm reaches them %rip-relative while every register is
 * busy: the way, and copies of hut_boot_info and the dispatcher's address
 * (a program built without hut has neither). */
static uint8_t via_musl;
static const void *boot_info;
static void *dispatch;

/* The syscall, one way or the other, as the asm statements below make it. */
#define SYSCALL_EITHER_WAY                                                                         \
	"cmpb $0, %[via_musl]\n\t"                                                                 \
	"jne 1f\n\t"                                                                               \
	"syscall\n\t"                                                                              \
	"jmp 3f\n"                                                                                  \
	"1:\n\t"                                                                                   \
	"mov %[boot_info], %%rcx\n\t"                                                              \
	"jrcxz 2f\n\t"                                                                             \
	"lea -128(%%rsp), %%rsp\n\t"                                                               \
	"call *%[dispatch]\n\t"                                                                    \
	"lea 128(%%rsp), %%rsp\n\t"                                                                \
	"jmp 3f\n"                                                                                  \
	"2:\tsyscall\n"                                                                            \
	"3:\n\t"
#define EITHER_WAY_OPERANDS                                                                        \
	[via_musl] "m"(via_musl), [boot_info] "m"(boot_info), [dispatch] "m"(dispatch)

enum { RBX, RDX, RSI, RDI, R8, R9, R10, R12, R13, R14, R15, NGPR };
static const char *const gpr_names[NGPR] = {"rbx", "rdx", "rsi", "rdi", "r8", "r9",
					    "r10", "r12", "r13", "r14", "r15"};

/* Static, so the asm reaches them %rip-relative while every register is busy. */
static uint64_t gpr_in[NGPR], gpr_out[NGPR];

static int check_gprs(void)
{
	for (int i = 0; i < NGPR; i++)
		gpr_in[i] = 0x0123456789abcdefull ^ ((uint64_t)(i + 1) * 0x1111111111111111ull);

#define GPR_LOAD(i, reg) "mov " #i "*8+%[in], %%" reg "\n\t"
#define GPR_STORE(i, reg) "mov %%" reg ", " #i "*8+%[out]\n\t"
	/* getpid ignores its arguments, so every register may hold a pattern. */
	__asm__ volatile(GPR_LOAD(0, "rbx") GPR_LOAD(1, "rdx") GPR_LOAD(2, "rsi") GPR_LOAD(3, "rdi")
			 GPR_LOAD(4, "r8") GPR_LOAD(5, "r9") GPR_LOAD(6, "r10") GPR_LOAD(7, "r12")
			 GPR_LOAD(8, "r13") GPR_LOAD(9, "r14") GPR_LOAD(10, "r15")
			 "mov %[nr], %%eax\n\t"
			 SYSCALL_EITHER_WAY
			 GPR_STORE(0, "rbx") GPR_STORE(1, "rdx") GPR_STORE(2, "rsi")
			 GPR_STORE(3, "rdi") GPR_STORE(4, "r8") GPR_STORE(5, "r9")
			 GPR_STORE(6, "r10") GPR_STORE(7, "r12") GPR_STORE(8, "r13")
			 GPR_STORE(9, "r14") GPR_STORE(10, "r15")
			 : [out] "=m"(gpr_out)
			 : [in] "m"(gpr_in), [nr] "i"(SYS_getpid), EITHER_WAY_OPERANDS
			 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
			   "r13", "r14", "r15", "memory");
	int bad = 0;
	for (int i = 0; i < NGPR; i++)
		if (gpr_in[i] != gpr_out[i]) {
			printf("  %s changed: %016llx -> %016llx\n", gpr_names[i],
			       (unsigned long long)gpr_in[i], (unsigned long long)gpr_out[i]);
			bad = 1;
		}
	return bad;
}

static int check_xmm(void)
{
	unsigned char in[16][16], out[16][16];
	for (int r = 0; r < 16; r++)
		for (int b = 0; b < 16; b++)
			in[r][b] = (unsigned char)(r * 16 + b + 1);

#define XMM_LOAD(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define XMM_STORE(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"
	__asm__ volatile(XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3) XMM_LOAD(4) XMM_LOAD(5)
			 XMM_LOAD(6) XMM_LOAD(7) XMM_LOAD(8) XMM_LOAD(9) XMM_LOAD(10) XMM_LOAD(11)
			 XMM_LOAD(12) XMM_LOAD(13) XMM_LOAD(14) XMM_LOAD(15)
			 "mov %[nr], %%eax\n\t"
			 SYSCALL_EITHER_WAY
			 XMM_STORE(0) XMM_STORE(1) XMM_STORE(2) XMM_STORE(3) XMM_STORE(4) XMM_STORE(5)
			 XMM_STORE(6) XMM_STORE(7) XMM_STORE(8) XMM_STORE(9) XMM_STORE(10)
			 XMM_STORE(11) XMM_STORE(12) XMM_STORE(13) XMM_STORE(14) XMM_STORE(15)
			 :
			 : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_getpid), EITHER_WAY_OPERANDS
			 : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			   "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
			   "xmm14", "xmm15");
	int bad = 0;
	for (int r = 0; r < 16; r++)
		if (memcmp(in[r], out[r], 16) != 0) {
			printf("  xmm%d changed\n", r);
			bad = 1;
		}
	return bad;
}

/* pi and 1 on the x87 stack, and a non-default MXCSR (round toward zero). */
static int check_x87_mxcsr(void)
{
	unsigned char expect[2][10], got[2][10];
	uint32_t mxcsr_saved, mxcsr_set = 0x7f80 /* masks + RZ */, mxcsr_got;

	__asm__ volatile("fldpi\n\tfld1\n\tfstpt %0\n\tfstpt %1" : "=m"(expect[0]), "=m"(expect[1]));
	__asm__ volatile("stmxcsr %[saved]\n\t"
			 "ldmxcsr %[set]\n\t"
			 "fldpi\n\t"
			 "fld1\n\t"
			 "mov %[nr], %%eax\n\t"
			 SYSCALL_EITHER_WAY
			 "fstpt %[g0]\n\t"
			 "fstpt %[g1]\n\t"
			 "stmxcsr %[got]\n\t"
			 "ldmxcsr %[saved]"
			 : [saved] "=m"(mxcsr_saved), [got] "=m"(mxcsr_got), [g0] "=m"(got[0]),
			   [g1] "=m"(got[1])
			 : [set] "m"(mxcsr_set), [nr] "i"(SYS_getpid), EITHER_WAY_OPERANDS
			 : "rax", "rcx", "r11", "memory");
	int bad = 0;
	if (memcmp(expect, got, sizeof got) != 0) {
		puts("  x87 stack changed");
		bad = 1;
	}
	if (mxcsr_got != mxcsr_set) {
		printf("  mxcsr changed: %#x -> %#x\n", mxcsr_set, mxcsr_got);
		bad = 1;
	}
	return bad;
}

/*
 * The red zone: move %rsp down 128 bytes past the compiler's own red zone,
 * fill the 128 bytes just below the new %rsp, make a syscall, copy them out.
 */
static int check_red_zone(void)
{
	unsigned char in[128], out[128];
	for (int i = 0; i < 128; i++)
		in[i] = (unsigned char)(0xa0 ^ i);

	__asm__ volatile("sub $128, %%rsp\n\t"
			 "lea -128(%%rsp), %%rdi\n\t"
			 "mov %[in], %%rsi\n\t"
			 "mov $128, %%ecx\n\t"
			 "rep movsb\n\t"
			 "mov %[nr], %%eax\n\t"
			 SYSCALL_EITHER_WAY
			 "lea -128(%%rsp), %%rsi\n\t"
			 "mov %[out], %%rdi\n\t"
			 "mov $128, %%ecx\n\t"
			 "rep movsb\n\t"
			 "add $128, %%rsp"
			 :
			 : [in] "r"(in), [out] "r"(out), [nr] "i"(SYS_getpid), EITHER_WAY_OPERANDS
			 : "rax", "rcx", "rsi", "rdi", "r11", "memory");
	int bad = 0;
	for (int i = 0; i < 128; i++)
		if (in[i] != out[i]) {
			printf("  red zone byte at rsp-%d changed\n", 128 - i);
			bad = 1;
			break;
		}
	return bad;
}

/*
 * The arithmetic flags (CF PF AF ZF SF OF) and DF: set to a pattern with
 * popfq just before the syscall sequence, read with pushfq just after. The
 * way is chosen first, as choosing it changes the flags.
 */
#define FLAGS_CHECKED 0xcd5ull
static uint64_t flags_set = 0xcc5 | 0x202, flags_got; /* CF PF ZF SF DF OF set, AF clear */

static int check_flags(void)
{
	__asm__ volatile("cmpb $0, %[via_musl]\n\t"
			 "mov %[nr], %%eax\n\t"
			 "jne 1f\n\t"
			 "pushq %[set]\n\t"
			 "popfq\n\t"
			 "syscall\n\t"
			 "jmp 3f\n"
			 "1:\n\t"
			 "pushq %[set]\n\t"
			 "popfq\n\t"
			 "mov %[boot_info], %%rcx\n\t"
			 "jrcxz 2f\n\t"
			 "lea -128(%%rsp), %%rsp\n\t"
			 "call *%[dispatch]\n\t"
			 "lea 128(%%rsp), %%rsp\n\t"
			 "jmp 3f\n"
			 "2:\tsyscall\n"
			 "3:\n\t"
			 "pushfq\n\t"
			 "popq %[got]\n\t"
			 "cld"
			 : [got] "=m"(flags_got)
			 : [set] "m"(flags_set), [nr] "i"(SYS_getpid), EITHER_WAY_OPERANDS
			 : "rax", "rcx", "r11", "memory", "cc");
	if ((flags_got & FLAGS_CHECKED) != (flags_set & FLAGS_CHECKED)) {
		printf("  flags changed: %#llx -> %#llx\n",
		       (unsigned long long)(flags_set & FLAGS_CHECKED),
		       (unsigned long long)(flags_got & FLAGS_CHECKED));
		return 1;
	}
	return 0;
}

static int report(const char *what, const char *way, int bad)
{
	printf("%s preserved (%s): %s\n", what, way, bad ? "NO" : "yes");
	return bad;
}

int main(void)
{
	int bad = 0;
	boot_info = boot_info_slot() ? *boot_info_slot() : NULL;
	dispatch = dispatcher();
	for (via_musl = 0; via_musl <= 1; via_musl++) {
		const char *way = via_musl ? "hut's musl" : "syscall instruction";
		bad |= report("general registers", way, check_gprs());
		bad |= report("flags and DF", way, check_flags());
		bad |= report("xmm0-xmm15", way, check_xmm());
		bad |= report("x87 stack and mxcsr", way, check_x87_mxcsr());
		bad |= report("red zone", way, check_red_zone());
	}
	return bad;
}
