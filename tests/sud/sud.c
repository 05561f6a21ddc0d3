/*
 * hut-sud: runs a hut image's libos in an ordinary process, so the libos
 * can be tested on a machine without /dev/kvm. A test aid only: it is no
 * sandbox (the guest shares this process) and no stand-in for the KVM
 * tests, which also check the machine the monitor builds.
 *
 * The image is loaded at its own addresses in this process, with boot
 * info, heap and stack where the monitor would put them in guest RAM
 * (guest-physical addresses are this process's addresses: vm.mem.host is
 * 0). Then:
 *  - the app's syscalls reach the libos's syscall entry: Syscall User
 *    Dispatch sends every syscall made outside this program's own code to
 *    SIGSYS, whose handler sets the registers as the syscall instruction
 *    would (rcx, r11) and resumes at the entry;
 *  - the libos's hypercalls are stores to HUT_HYPERCALL_GPA, mapped
 *    PROT_NONE here: the SIGSEGV handler decodes the store and hands it to
 *    the monitor's own hypercall code (monitor/hypercall.c and below), then
 *    steps over it;
 *  - a crash is a signal, reported as 128 + its number.
 * The handlers run on their own stack and switch the FS base between the
 * app's TLS (musl) and this program's (glibc).
 *
 * usage: hut-sud [--mem SIZE] [--volume HOST:GUEST[:OPTIONS]]... [--env N=V]...
 *                IMAGE [ARG...]
 * With HUT_SUD_COUNT=1 in its environment it prints, at exit, how many
 * syscalls the app trapped and how many hypercalls (exits, on KVM) of each
 * number the libos made: bench/files.sh counts exits per operation so.
 */
#include "files.h"
#include "monitor.h"
#include "size.h"

#include <asm/prctl.h>
#include <elf.h>
#include <errno.h>
#include <hut/raw_syscall.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif
#define SELECTOR_ALLOW 0
#define SELECTOR_BLOCK 1
#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

extern const char __executable_start[], etext[];

static struct hut_options opt = {.image = NULL};
static struct hut_vm vm = {.opt = &opt, .modules = hut_modules, .vcpu_fd = -1};
static struct kvm_run run;
static volatile char selector = SELECTOR_ALLOW;
static uint64_t own_fs, app_fs;
static uint64_t trapped, hypercalls[HUT_HC_COUNT + 1]; /* HUT_HC_COUNT: any other */

static void print_counts(void)
{
	fprintf(stderr, "hut-sud: %lu syscalls;", (unsigned long)trapped);
	for (int i = 0; i <= HUT_HC_COUNT; i++)
		fprintf(stderr, " hc%d %lu", i, (unsigned long)hypercalls[i]);
	fputc('\n', stderr);
}

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "hut-sud: %s: %s\n", opt.image ? opt.image : "", what);
	exit(HUT_EXIT_MONITOR);
}

/* arch_prctl without libc: errno is TLS, and TLS is the app's here. */
static uint64_t fs_get(void)
{
	uint64_t v;
	hut_raw_syscall3(SYS_arch_prctl, ARCH_GET_FS, (long)&v, 0);
	return v;
}

static void fs_set(uint64_t v)
{
	hut_raw_syscall3(SYS_arch_prctl, ARCH_SET_FS, (long)v, 0);
}

/* --- the machine ------------------------------------------------------------- */

static void map_at(uint64_t gpa, uint64_t len, int prot)
{
	void *p = mmap((void *)gpa, len, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
	if (p != (void *)gpa)
		die("cannot map guest memory at its address (taken by this program?)");
}

static int segment_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

/* A segment of the libos's window: the libos runs it at its address (the
 * window, far above RAM) and the monitor's code reaches it at its RAM
 * address (hut_gpa's translation): here both are this process's mappings
 * of one memfd, so that they are the same bytes, as on KVM. */
static void map_window_segment(const struct hut_segment *s, uint64_t len)
{
	int fd = memfd_create("hut-sud-window", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)len) != 0)
		die("cannot make memory for the libos's window");
	void *ram = mmap((void *)s->gpa, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	void *win = mmap((void *)s->va, len, segment_prot(s->flags),
			 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	close(fd);
	if (ram != (void *)s->gpa || win != (void *)s->va)
		die("cannot map the libos's window at its addresses");
	memcpy(ram, vm.img.file + s->offset, s->filesz);
}

/* As load.c lays RAM out. */
static void load(void)
{
	uint64_t mem = vm.mem.size, page = HUT_PAGE_SIZE;
	vm.stack_size = mem / 8 < HUT_STACK_MAX ? (mem / 8) & ~(page - 1) : HUT_STACK_MAX;
	vm.stack_top = mem;
	vm.heap_end = mem - vm.stack_size - page;
	vm.heap_start = vm.img.image_end;
	if (vm.heap_start + (1 << 20) > vm.heap_end)
		die("image needs more memory (try a larger --mem)");
	map_at(HUT_BOOTINFO_GPA, HUT_BOOTINFO_SIZE, PROT_READ | PROT_WRITE);
	vm.mem.window_va = vm.img.window_va;
	vm.mem.window_gpa = vm.img.window_gpa;
	vm.mem.window_size = vm.img.window_size;
	for (size_t i = 0; i < vm.img.nsegments; i++) {
		const struct hut_segment *s = &vm.img.seg[i];
		uint64_t len = (s->memsz + page - 1) & ~(page - 1);
		if (s->va != s->gpa) {
			map_window_segment(s, len);
			continue;
		}
		map_at(s->gpa, len, PROT_READ | PROT_WRITE);
		memcpy((void *)s->gpa, vm.img.file + s->offset, s->filesz);
		mprotect((void *)s->gpa, len, segment_prot(s->flags));
	}
	map_at(vm.heap_start, vm.heap_end - vm.heap_start, PROT_READ | PROT_WRITE);
	map_at(vm.stack_top - vm.stack_size, vm.stack_size, PROT_READ | PROT_WRITE);
	map_at(HUT_HYPERCALL_GPA, page, PROT_NONE);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t tsc_khz(void)
{
	struct timespec a, b, pause = {0, 20000000};
	clock_gettime(CLOCK_MONOTONIC, &a);
	uint64_t t0 = rdtsc();
	nanosleep(&pause, NULL);
	uint64_t t1 = rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &b);
	uint64_t ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000u + (uint64_t)b.tv_nsec -
		      (uint64_t)a.tv_nsec;
	return (t1 - t0) * 1000000u / ns;
}

/* --- hypercalls: stores to the PROT_NONE doorbell ------------------------------ */

static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
				REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
				REG_R12, REG_R13, REG_R14, REG_R15};

/* A mov of a register to memory (88/89 with an optional 66 or REX
 * prefix): its source register, width and length; -1 for anything else. */
static int decode_store(const uint8_t *ip, int *reg, unsigned *width, int *len)
{
	int i = 0, rex = 0, wide16 = 0;
	if (ip[i] == 0x66)
		wide16 = 1, i++;
	if ((ip[i] & 0xf0) == 0x40)
		rex = ip[i++];
	if (ip[i] != 0x88 && ip[i] != 0x89)
		return -1;
	*width = ip[i++] == 0x88 ? 1 : (rex & 8) ? 8 : wide16 ? 2 : 4;
	int modrm = ip[i++], mod = modrm >> 6, rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	if (mod == 3)
		return -1;
	if (rm == 4 && (ip[i++] & 7) == 5 && mod == 0)
		i += 4;
	else if (rm == 5 && mod == 0)
		i += 4;
	i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	*len = i;
	return 0;
}

static _Noreturn void crashed(int sig, const ucontext_t *uc, const siginfo_t *si)
{
	fflush(stdout);
	fprintf(stderr, "hut-sud: %s: guest crashed: %s at rip 0x%llx (address %p)\n", opt.image,
		strsignal(sig), (unsigned long long)uc->uc_mcontext.gregs[REG_RIP], si->si_addr);
	exit(HUT_SIGNAL_EXIT(sig));
}

static void hypercall(ucontext_t *uc, uint64_t addr)
{
	greg_t *g = uc->uc_mcontext.gregs;
	int reg, len;
	unsigned width;
	if (decode_store((const uint8_t *)g[REG_RIP], &reg, &width, &len) != 0) {
		fprintf(stderr, "hut-sud: %s: cannot decode the store at 0x%llx\n", opt.image,
			(unsigned long long)g[REG_RIP]);
		exit(HUT_SIGNAL_EXIT(SIGSYS));
	}
	uint64_t value = (uint64_t)g[greg_of[reg]], nr = (addr - HUT_HYPERCALL_GPA) / 8;
	hypercalls[nr < HUT_HC_COUNT ? nr : HUT_HC_COUNT]++;
	if (addr == HUT_HYPERCALL_GPA + 8 * HUT_HC_SET_FS && width == 8) {
		app_fs = ((const struct hut_hc_set_fs *)value)->base; /* no vCPU to set */
	} else {
		run.exit_reason = KVM_EXIT_MMIO;
		run.mmio.phys_addr = addr;
		run.mmio.len = width;
		run.mmio.is_write = 1;
		memcpy(run.mmio.data, &value, sizeof value);
		hut_hypercall(&vm);
	}
	g[REG_RIP] += len;
}

static __attribute__((noinline)) void on_fault(int sig, siginfo_t *si, ucontext_t *uc)
{
	uint64_t addr = (uint64_t)si->si_addr;
	if (sig == SIGSEGV && addr - HUT_HYPERCALL_GPA < HUT_PAGE_SIZE)
		hypercall(uc, addr);
	else
		crashed(sig, uc, si);
}

/* Entered with the app's FS base: nothing here may touch TLS (this file is
 * built without the stack protector, whose canary lives there). */
static void fault_handler(int sig, siginfo_t *si, void *ctx)
{
	selector = SELECTOR_ALLOW;
	app_fs = fs_get();
	fs_set(own_fs);
	on_fault(sig, si, ctx);
	fs_set(app_fs);
	selector = SELECTOR_BLOCK;
}

/* A syscall outside this program: do what the syscall instruction does,
 * into the libos's entry (MSR_LSTAR's value). */
static void sys_handler(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	(void)sig;
	(void)si;
	trapped++;
	g[REG_RCX] = g[REG_RIP];
	g[REG_R11] = g[REG_EFL];
	g[REG_RIP] = (greg_t)vm.img.manifest.syscall_entry;
}

static void handlers(void)
{
	static char altstack[1 << 20];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	struct sigaction sa = {.sa_sigaction = fault_handler, .sa_flags = SA_SIGINFO | SA_ONSTACK};
	int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	if (sigaltstack(&ss, NULL) != 0)
		die("sigaltstack failed");
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigaction(faults[i], &sa, NULL);
	sa.sa_sigaction = sys_handler;
	sigaction(SIGSYS, &sa, NULL);
}

/* --- main ---------------------------------------------------------------------- */

static void parse(int argc, char **argv)
{
	int i = 1;
	static char *env[256];
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL, *why;
		if (!v)
			die("option needs a value");
		if (!strcmp(argv[i], "--mem") && hut_parse_size(v, &opt.mem) == 0)
			i++;
		else if (!strcmp(argv[i], "--volume") && (why = hut_volume_parse(v)) == NULL)
			i++;
		else if (!strcmp(argv[i], "--env") && opt.envc < 256)
			env[opt.envc++] = argv[++i];
		else
			die("usage: hut-sud [--mem SIZE] [--volume SPEC]... [--env N=V]... IMAGE "
			    "ARG...");
	}
	if (i >= argc)
		die("no IMAGE");
	opt.image = argv[i];
	opt.argc = argc - i;
	opt.argv = argv + i;
	opt.env = env;
}

int main(int argc, char **argv)
{
	parse(argc, argv);
	if (hut_image_open(&vm.img, opt.image, 0) != HUT_IMAGE_OK)
		die(vm.img.err);
	vm.mem.size = opt.mem ? opt.mem : vm.img.manifest.mem_default;
	vm.mem.host = NULL; /* guest-physical == this process's addresses */
	vm.run = &run;
	vm.tsc_khz = tsc_khz();
	vm.fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
	load();
	hut_bootinfo_fill(&vm, rdtsc());
	mprotect((void *)HUT_BOOTINFO_GPA, HUT_BOOTINFO_SIZE, PROT_READ);
	hut_volumes_open(&vm);
	if (getenv("HUT_SUD_COUNT"))
		atexit(print_counts);
	handlers();
	own_fs = fs_get();
	fflush(stdout);
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON,
		  (unsigned long)__executable_start, (unsigned long)(etext - __executable_start),
		  &selector) != 0)
		die("Syscall User Dispatch is not available (Linux 5.11 or later)");
	selector = SELECTOR_BLOCK;
	__asm__ volatile("jmp *%1" : : "D"(HUT_BOOTINFO_GPA), "r"(vm.img.manifest.boot_entry));
	__builtin_unreachable();
}
