/*
 * How a guest ends: exit(n), killed by a signal it sent itself, or a CPU
 * exception reported by the image's trap stub. Crashes map to the status
 * the same program shows as a Linux process: 128 + the signal Linux sends.
 */
#include "monitor.h"
#include "snapshot.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

static const struct {
	const char *name;
	int signal;
} vectors[HUT_TRAP_VECTORS] = {
	[0] = {"#DE divide error", SIGFPE},
	[1] = {"#DB debug", SIGTRAP},
	[2] = {"NMI", SIGSEGV},
	[3] = {"#BP breakpoint", SIGTRAP},
	[4] = {"#OF overflow", SIGSEGV},
	[5] = {"#BR bound range exceeded", SIGSEGV},
	[6] = {"#UD invalid opcode", SIGILL},
	[7] = {"#NM device not available", SIGFPE},
	[8] = {"#DF double fault", SIGSEGV},
	[10] = {"#TS invalid TSS", SIGSEGV},
	[11] = {"#NP segment not present", SIGBUS},
	[12] = {"#SS stack-segment fault", SIGBUS},
	[13] = {"#GP general protection fault", SIGSEGV},
	[14] = {"#PF page fault", SIGSEGV},
	[16] = {"#MF x87 floating-point error", SIGFPE},
	[17] = {"#AC alignment check", SIGBUS},
	[18] = {"#MC machine check", SIGBUS},
	[19] = {"#XM SIMD floating-point error", SIGFPE},
	[21] = {"#CP control protection", SIGSEGV},
};

static const char *signal_name(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",   [SIGQUIT] = "SIGQUIT",
		[SIGILL] = "SIGILL",   [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
		[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",   [SIGKILL] = "SIGKILL",
		[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
		[SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ", [SIGSYS] = "SIGSYS",
	};
	if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig])
		return names[sig];
	return sig >= 34 && sig <= 64 ? "a real-time signal" : "an unnamed signal";
}

/* What the guest wrote (the console ring too) before the monitor's line. */
static void flush_console(const struct hut_vm *vm)
{
	hut_call_modules(vm, flush, vm, false);
	fflush(stdout);
}

_Noreturn void hut_exit_guest(struct hut_vm *vm, const struct hut_hc_exit *e)
{
	struct hut_hc_exit copy = *e; /* read the guest's struct once */
	flush_console(vm);
	hut_trace_guest(&copy);
	if (hut_snapshot_wanted() && copy.kind == HUT_EXIT_STATUS) /* its status is not asked for */
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "no snapshot: the guest exited (status %d) before its ready point",
			 copy.status & 0xff);
	if (copy.kind == HUT_EXIT_STATUS)
		hut_end(vm, copy.status & 0xff, true);
	if (copy.kind != HUT_EXIT_SIGNAL || copy.status < 1 || copy.status > 64)
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS), "bad hypercall: exit kind %u status %d",
			 copy.kind, copy.status);
	fprintf(stderr, "hut-monitor: %s: guest killed by signal %d (%s)\n", vm->opt->image,
		copy.status, signal_name(copy.status));
	hut_end(vm, HUT_SIGNAL_EXIT(copy.status), true);
}

static void describe_page_fault(char *buf, size_t len, uint64_t error, uint64_t cr2)
{
	snprintf(buf, len, ": %s %s 0x%lx (%s)", (error & 4) ? "user" : "kernel",
		 (error & 16)  ? "instruction fetch at"
		 : (error & 2) ? "write to"
			       : "read of",
		 cr2, (error & 1) ? "protection violation" : "page not mapped");
}

static void dump_registers(const struct kvm_regs *r, const struct hut_trap_frame *f)
{
	/* The stub changed only %rax (saved in the frame) and %rsp (the CPU
	 * saved the old one). */
	fprintf(stderr,
		"hut-monitor:   rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
		"hut-monitor:   rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n"
		"hut-monitor:   r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n"
		"hut-monitor:   r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n"
		"hut-monitor:   rip %016lx rflags %08lx cs %04lx ss %04lx\n",
		f->rax, (uint64_t)r->rbx, (uint64_t)r->rcx, (uint64_t)r->rdx, (uint64_t)r->rsi,
		(uint64_t)r->rdi, (uint64_t)r->rbp, f->rsp, (uint64_t)r->r8, (uint64_t)r->r9,
		(uint64_t)r->r10, (uint64_t)r->r11, (uint64_t)r->r12, (uint64_t)r->r13,
		(uint64_t)r->r14, (uint64_t)r->r15, f->rip, f->rflags, f->cs, f->ss);
}

_Noreturn void hut_crash(struct hut_vm *vm, uint64_t frame_gpa)
{
	const void *fp = hut_gpa(&vm->mem, frame_gpa, sizeof(struct hut_trap_frame));
	if (!fp)
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS), "bad hypercall: trap frame at 0x%lx",
			 frame_gpa);
	struct hut_trap_frame f;
	memcpy(&f, fp, sizeof f); /* the guest chose the address: maybe misaligned */
	uint64_t v = f.vector < HUT_TRAP_VECTORS ? f.vector : 15;
	int sig = vectors[v].signal ? vectors[v].signal : SIGSEGV;
	char detail[128] = "", where[96] = "";
	struct kvm_regs r = {0};
	struct kvm_sregs s = {0};
	int have_regs = ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) == 0 &&
			ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) == 0;
	if (v == 14 && have_regs)
		describe_page_fault(detail, sizeof detail, f.error_code, s.cr2);
	uint64_t off;
	/* Only code has a symbol: outside the image's executable segments the
	 * nearest function (often one with no size) would be a false lead. */
	const struct hut_segment *seg = hut_image_segment_at(&vm->img, f.rip, 1);
	const char *sym =
		seg && (seg->flags & PF_X) ? hut_image_symbolize(&vm->img, f.rip, &off) : NULL;
	if (sym)
		snprintf(where, sizeof where, " <%s+0x%lx>", sym, off);
	flush_console(vm);
	fprintf(stderr,
		"hut-monitor: %s: guest crashed: %s (vector %lu, error 0x%lx) at rip 0x%lx%s%s -> "
		"%s\n",
		vm->opt->image, vectors[v].name ? vectors[v].name : "reserved vector", f.vector,
		f.error_code, f.rip, where, detail, signal_name(sig));
	if (have_regs) {
		dump_registers(&r, &f);
		hut_call_modules(vm, crash, vm, &r, &s, &f, sig); /* --core writes its file */
	}
	hut_end(vm, HUT_SIGNAL_EXIT(sig), false);
}
