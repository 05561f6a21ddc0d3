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

/* Copies count strings into the boot info region at *cursor: an array of
 * their guest addresses, then the strings. Returns the array's address. */
static uint64_t put_strings(struct hut_vm *vm, uint64_t *cursor, uint64_t count,
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

/* The volumes' guest paths, then their struct hut_boot_volume array. */
static void put_volumes(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	const struct hut_options *o = vm->opt;
	char *paths[HUT_VOLUMES_MAX];
	struct hut_boot_volume *v;
	for (unsigned i = 0; i < o->nvolumes; i++)
		paths[i] = (char *)o->volumes[i].guest;
	uint64_t ptrs = put_strings(vm, cursor, o->nvolumes, paths, "volume paths");
	uint64_t end = HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE, size = o->nvolumes * sizeof *v;
	if (size > end - *cursor || !(v = hut_gpa(&vm->mem, *cursor, size)))
		hut_fail(vm, HUT_EXIT_MONITOR, "guest arguments and volumes exceed %llu KiB",
			 HUT_BOOTINFO_SIZE >> 10);
	const uint64_t *path = hut_gpa(&vm->mem, ptrs, o->nvolumes * 8ul);
	for (unsigned i = 0; i < o->nvolumes; i++)
		v[i] = (struct hut_boot_volume){path[i], o->volumes[i].ro ? HUT_VOLUME_RDONLY : 0,
						0};
	bi->volumes = *cursor;
	bi->volume_count = o->nvolumes;
	*cursor += size;
}

/* argv, the environment and the volumes, right after the struct. */
static void put_args(struct hut_vm *vm, struct hut_boot_info *bi)
{
	uint64_t cursor = HUT_BOOTINFO_GPA + ((sizeof *bi + 7) & ~7ul);
	bi->argc = (uint64_t)vm->opt->argc;
	bi->argv = put_strings(vm, &cursor, bi->argc, vm->opt->argv, "arguments");
	bi->envc = (uint64_t)vm->opt->envc;
	bi->envp = put_strings(vm, &cursor, bi->envc, vm->opt->env, "arguments and environment");
	put_volumes(vm, bi, &cursor);
}

static void put_console_size(const struct hut_vm *vm, struct hut_boot_info *bi)
{
	struct winsize ws;
	if (vm->opt->quiet || ioctl(1, TIOCGWINSZ, &ws) != 0)
		return;
	/* A terminal whose size nobody set yet (a container's fresh pty, which
	 * podman or ctr resizes a moment later) is still a terminal: 24x80, as
	 * a VT100's. */
	bi->tty_rows = ws.ws_row ? ws.ws_row : 24;
	bi->tty_cols = ws.ws_col ? ws.ws_col : 80;
}

/* A random locally administered unicast address unless --mac gave one. */
static void put_net(struct hut_vm *vm, struct hut_boot_info *bi)
{
	const struct hut_net_config *c = &vm->opt->net;
	if (!vm->net_gpa)
		return;
	bi->net = (struct hut_boot_net){
		.region = vm->net_gpa,
		.region_size = HUT_NET_REGION_SIZE,
		.mtu = HUT_NET_MTU,
		.ipv4 = c->ipv4,
		.prefix_len = c->prefix_len,
		.gateway = c->gateway,
		.dns = c->dns,
	};
	if (c->have_mac) {
		memcpy(bi->net.mac, c->mac, sizeof bi->net.mac);
	} else {
		if (getrandom(bi->net.mac, sizeof bi->net.mac, 0) != sizeof bi->net.mac)
			hut_fail(vm, HUT_EXIT_MONITOR, "getrandom failed (%s)", strerror(errno));
		bi->net.mac[0] = (uint8_t)((bi->net.mac[0] & 0xfe) | 0x02);
	}
}

void hut_bootinfo_fill(struct hut_vm *vm, uint64_t guest_tsc_now)
{
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	const struct hut_manifest *m = &vm->img.manifest;
	bi->abi_version = HUT_ABI_VERSION;
	bi->flags = vm->fsgsbase ? HUT_BOOT_FSGSBASE : 0;
	bi->mem_size = vm->mem.size;
	bi->heap_start = vm->heap_start;
	bi->heap_end = vm->heap_end;
	bi->signals = vm->signals_gpa;
	bi->stack_top = vm->stack_top;
	bi->stack_size = vm->stack_size;
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
	put_console_size(vm, bi);
	put_net(vm, bi);
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
