/*
 * The boot info page the guest gets in %rdi: its memory layout, clocks, a
 * random seed, and argv (pointers, then strings, in the same read-only page
 * range). Read by the libos before musl starts.
 */
#include "monitor.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <time.h>

static uint64_t guest_tsc(struct hut_vm *vm)
{
	uint64_t tsc;
	if (!hut_cpu_tsc(vm, &tsc))
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC");
	return tsc;
}

uint64_t hut_bootinfo_strings(struct hut_vm *vm, uint64_t *cursor, uint64_t count,
			      char *const *strings, const char *what)
{
	uint64_t end = HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE, ptrs = *cursor;
	uint64_t str = ptrs + 8 * count;
	uint64_t *p = count <= HUT_BOOTINFO_SIZE / 8 && str <= end
			      ? hut_gpa(&vm->mem, ptrs, 8 * count)
			      : NULL;
	for (uint64_t i = 0; p && i < count; i++) {
		size_t len = strlen(strings[i]) + 1;
		char *dst = len <= end - str ? hut_gpa(&vm->mem, str, len) : NULL;
		if (!dst) {
			p = NULL;
			break;
		}
		memcpy(dst, strings[i], len);
		p[i] = str;
		str += len;
	}
	if (!p)
		hut_fail(vm, HUT_EXIT_MONITOR, "guest %s exceed %llu KiB", what,
			 HUT_BOOTINFO_SIZE >> 10);
	*cursor = (str + 7) & ~7ull;
	return ptrs;
}

/* argv and the environment right after the struct, then what each module
 * puts there (the volumes' paths) and elsewhere in it (the terminal's size,
 * the net device). */
static void put_args(struct hut_vm *vm, struct hut_boot_info *bi)
{
	uint64_t cursor = HUT_BOOTINFO_GPA + ((sizeof *bi + 7) & ~7ul);
	bi->argc = (uint64_t)vm->opt->argc;
	bi->argv = hut_bootinfo_strings(vm, &cursor, bi->argc, vm->opt->argv, "arguments");
	bi->envc = (uint64_t)vm->opt->envc;
	bi->envp = hut_bootinfo_strings(vm, &cursor, bi->envc, vm->opt->env,
					"arguments and environment");
	hut_call_modules(vm, boot_info, vm, bi, &cursor);
}

void hut_bootinfo_fill(struct hut_vm *vm, uint64_t guest_tsc_now)
{
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	const struct hut_manifest *m = &vm->img.manifest;
	bi->abi_version = HUT_ABI_VERSION;
	bi->flags = (vm->fsgsbase ? HUT_BOOT_FSGSBASE : 0) |
		    (vm->opt->snapshot ? HUT_BOOT_SNAPSHOT : 0);
	bi->mem_size = vm->mem.size;
	bi->heap_start = vm->heap_start;
	bi->heap_end = vm->heap_end;
	bi->signals = vm->signals_gpa;
	bi->stack_top = vm->stack_top;
	bi->stack_size = vm->stack_size;
	bi->pids_max = vm->opt->pids_max;
	bi->hypercall_base = HUT_HYPERCALL_GPA;
	bi->app_entry = vm->img.entry;
	bi->phdr = vm->img.phdr_gpa;
	bi->phnum = vm->img.phnum;
	bi->phent = vm->img.phent;
	memcpy(bi->name, m->name, sizeof bi->name);
	if (vm->opt->hostname)
		snprintf(bi->hostname, sizeof bi->hostname, "%s", vm->opt->hostname);
	else
		snprintf(bi->hostname, sizeof bi->hostname, "%.*s", (int)sizeof m->name, m->name);
	bi->files_gpa = m->files_gpa;
	bi->files_size = m->files_size;
	put_args(vm, bi);
	if (getrandom(bi->random, sizeof bi->random, 0) != sizeof bi->random)
		hut_fail(vm, HUT_EXIT_MONITOR, "getrandom failed (%s)", strerror(errno));
	struct timespec now;
	bi->tsc_khz = vm->tsc_khz;
	bi->tsc_at_boot = vm->guest_tsc_start = guest_tsc_now;
	clock_gettime(CLOCK_REALTIME, &now);
	bi->wallclock_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

void hut_bootinfo_setup(struct hut_vm *vm)
{
	hut_bootinfo_fill(vm, guest_tsc(vm));
}
