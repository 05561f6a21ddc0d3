/*
 * The boot info page the guest gets in %rdi: its memory layout, clocks, a
 * random seed, and argv (pointers, then strings, in the same read-only page
 * range). Read by the libos before musl starts.
 */
#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

#define MSR_IA32_TSC 0x10u

static uint64_t guest_tsc(struct hut_vm *vm)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {.hdr.nmsrs = 1, .e.index = MSR_IA32_TSC};
	if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &m) != 1)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC");
	return m.e.data;
}

/* argv pointers then strings, right after the struct. */
static void put_argv(struct hut_vm *vm, struct hut_boot_info *bi)
{
	uint64_t argc = (uint64_t)vm->opt->argc;
	uint64_t ptrs = HUT_BOOTINFO_GPA + ((sizeof *bi + 7) & ~7ul);
	uint64_t str = ptrs + 8 * argc;
	uint64_t end = HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE;
	if (str > end)
		hut_fail(vm, HUT_EXIT_MONITOR, "too many arguments for the guest");
	uint64_t *p = hut_gpa(&vm->mem, ptrs, 8 * argc);
	for (uint64_t i = 0; i < argc; i++) {
		const char *arg = vm->opt->argv[i];
		size_t len = strlen(arg) + 1;
		char *dst = hut_gpa(&vm->mem, str, len);
		if (!dst || len > end - str)
			hut_fail(vm, HUT_EXIT_MONITOR, "guest arguments exceed %llu KiB",
				 HUT_BOOTINFO_SIZE >> 10);
		memcpy(dst, arg, len);
		p[i] = str;
		str += len;
	}
	bi->argc = argc;
	bi->argv = ptrs;
}

static void put_console_size(const struct hut_vm *vm, struct hut_boot_info *bi)
{
	struct winsize ws;
	if (!vm->opt->quiet && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
		bi->tty_rows = ws.ws_row;
		bi->tty_cols = ws.ws_col;
	}
}

void hut_bootinfo_setup(struct hut_vm *vm)
{
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	const struct hut_manifest *m = &vm->img.manifest;
	bi->abi_version = HUT_ABI_VERSION;
	bi->flags = vm->fsgsbase ? HUT_BOOT_FSGSBASE : 0;
	bi->mem_size = vm->mem.size;
	bi->heap_start = vm->heap_start;
	bi->heap_end = vm->heap_end;
	bi->stack_top = vm->stack_top;
	bi->stack_size = vm->stack_size;
	bi->hypercall_base = HUT_HYPERCALL_GPA;
	bi->app_entry = vm->img.entry;
	bi->phdr = vm->img.phdr_gpa;
	bi->phnum = vm->img.phnum;
	bi->phent = vm->img.phent;
	memcpy(bi->name, m->name, sizeof bi->name);
	put_argv(vm, bi);
	put_console_size(vm, bi);
	if (getrandom(bi->random, sizeof bi->random, 0) != sizeof bi->random)
		hut_fail(vm, HUT_EXIT_MONITOR, "getrandom failed (%s)", strerror(errno));
	struct timespec now;
	bi->tsc_khz = vm->tsc_khz;
	bi->tsc_at_boot = vm->guest_tsc_start = guest_tsc(vm);
	clock_gettime(CLOCK_REALTIME, &now);
	bi->wallclock_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}
