/*
 * --snapshot FILE: at the guest's ready point (the first poll hypercall
 * in which every thread waits for input, or the app's hut_ready()), the
 * pending exit is completed (KVM's documented way to make the vCPU state
 * whole: KVM_RUN with immediate_exit), the modules' device state is taken
 * (any may refuse: one line, status 125, nothing written), then the vCPU,
 * and guest RAM: only the pages the guest touched (mincore) and that are
 * not all zeros, each at HUT_SNAP_MEM_OFFSET + its address, so the file
 * maps back as RAM with holes for the rest (snapshot.h).
 */
#include "monitor.h"
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_PAGES 4096 /* mincore's vector, 16 MiB of RAM at a time: no malloc here */

static int snap_fd = -1;
static const char *snap_path;
static struct hut_snap_header header;

void hut_snapshot_open(struct hut_vm *vm, const char *path)
{
	snap_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (snap_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create snapshot %s (%s)", path,
			 hut_limit_text(errno));
	snap_path = path;
}

bool hut_snapshot_wanted(void)
{
	return snap_fd >= 0;
}

int hut_snapshot_fd(void)
{
	return snap_fd;
}

uint64_t hut_snapshot_args_hash(const struct hut_vm *vm)
{
	const struct hut_options *o = vm->opt;
	char *host[1] = {(char *)(o->hostname ? o->hostname : "")};
	uint64_t h = 0xcbf29ce484222325ull;		/* FNV-1a's offset basis */
	h = hut_snap_hash(h, o->argv + 1, o->argc - 1); /* argv[0] is the image's path */
	h = hut_snap_hash(h, o->env, o->envc);
	h = hut_snap_hash(h, host, 1);
	h = hut_snap_hash_u64(h, o->mem);
	return hut_snap_hash_u64(h, o->pids_max);
}

void hut_snapshot_layout(const struct hut_vm *vm, struct hut_snap_layout *l)
{
	*l = (struct hut_snap_layout){vm->heap_start, vm->heap_end,    vm->stack_top,
				      vm->stack_size, vm->signals_gpa, vm->devices_size};
}

/* The exit being served ends as if the guest went on: the store done, rip
 * past it; KVM returns at once (EINTR) without running the guest. */
static void complete_exit(struct hut_vm *vm)
{
	vm->run->immediate_exit = 1;
	if (ioctl(vm->vcpu_fd, KVM_RUN, 0) == 0 || errno != EINTR)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot snapshot: KVM did not stop the vCPU");
	vm->run->immediate_exit = 0;
}

/* Each module's record: name, length, then what its hook wrote. */
static void take_modules(struct hut_vm *vm)
{
	const struct hut_module *m;
	hut_each_module(vm, m) {
		if (!m->snapshot)
			continue;
		char name[HUT_SNAP_NAME_MAX] = {0};
		uint32_t at = header.modules_len, len;
		strncpy(name, m->name, sizeof name - 1);
		uint32_t body = at + HUT_SNAP_NAME_MAX + sizeof len;
		if (body > HUT_SNAP_MODULES_MAX)
			hut_fail(vm, HUT_EXIT_MONITOR, "cannot snapshot: too much device state");
		struct hut_snap_buf w = {header.modules + body, 0, HUT_SNAP_MODULES_MAX - body, 0};
		const char *why = m->snapshot(vm, &w);
		if (why)
			hut_fail(vm, HUT_EXIT_MONITOR, "cannot snapshot: %s", why);
		len = w.len;
		memcpy(header.modules + at, name, sizeof name);
		memcpy(header.modules + at + HUT_SNAP_NAME_MAX, &len, sizeof len);
		header.modules_len = body + len;
	}
}

static void take_vcpu(struct hut_vm *vm)
{
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &header.regs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_SREGS, &header.sregs) < 0 ||
	    ioctl(vm->vcpu_fd, KVM_GET_FPU, &header.fpu) < 0 || !hut_cpu_tsc(vm, &header.tsc))
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot snapshot: cannot read the vCPU (%s)",
			 strerror(errno));
}

static bool zero_page(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;
	for (size_t i = 0; i < HUT_PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

static void put(struct hut_vm *vm, const void *p, uint64_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(snap_fd, p, len, (off_t)off);
		if (n <= 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "cannot write snapshot %s (%s)", snap_path,
				 n < 0 ? hut_limit_text(errno) : "short write");
		p = (const uint8_t *)p + n, len -= (uint64_t)n, off += (uint64_t)n;
	}
}

/* Runs of pages that hold something, each written with one pwrite. */
static void take_memory(struct hut_vm *vm)
{
	static unsigned char resident[CHUNK_PAGES];
	uint64_t run = 0, run_len = 0;
	for (uint64_t base = 0; base < vm->mem.size; base += CHUNK_PAGES * HUT_PAGE_SIZE) {
		uint64_t len = vm->mem.size - base;
		len = len < CHUNK_PAGES * HUT_PAGE_SIZE ? len : CHUNK_PAGES * HUT_PAGE_SIZE;
		if (mincore(vm->mem.host + base, len, resident) < 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "cannot snapshot: mincore failed (%s)",
				 strerror(errno));
		for (uint64_t i = 0; i < len / HUT_PAGE_SIZE; i++) {
			uint64_t gpa = base + i * HUT_PAGE_SIZE;
			bool keep = (resident[i] & 1) && !zero_page(vm->mem.host + gpa);
			if (keep && run + run_len == gpa) {
				run_len += HUT_PAGE_SIZE;
			} else if (keep) {
				if (run_len)
					put(vm, vm->mem.host + run, run_len,
					    HUT_SNAP_MEM_OFFSET + run);
				run = gpa, run_len = HUT_PAGE_SIZE;
			}
			header.pages += keep;
		}
	}
	if (run_len)
		put(vm, vm->mem.host + run, run_len, HUT_SNAP_MEM_OFFSET + run);
}

_Noreturn void hut_snapshot_take(struct hut_vm *vm, uint64_t *ready)
{
	complete_exit(vm);
	take_modules(vm); /* first: a refusal leaves nothing written */
	take_vcpu(vm);
	*ready = HUT_POLL_RESTORED; /* what the restored guest's hypercall returns */
	memcpy(header.magic, HUT_SNAP_MAGIC, sizeof header.magic);
	header.version = HUT_SNAP_VERSION;
	header.abi_version = HUT_ABI_VERSION;
	header.image_crc = vm->img.manifest.crc32;
	header.mem_offset = HUT_SNAP_MEM_OFFSET;
	header.mem_size = vm->mem.size;
	header.args_hash = hut_snapshot_args_hash(vm);
	hut_snapshot_layout(vm, &header.layout);
	take_memory(vm);
	if (ftruncate(snap_fd, (off_t)(HUT_SNAP_MEM_OFFSET + vm->mem.size)) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot write snapshot %s (%s)", snap_path,
			 hut_limit_text(errno));
	header.header_crc = hut_snap_header_crc(&header);
	put(vm, &header, sizeof header, 0);
	fprintf(stderr, "hut-monitor: snapshot %s: %lu KiB of guest memory\n", snap_path,
		(unsigned long)(header.pages * (HUT_PAGE_SIZE >> 10)));
	hut_end(vm, 0, true);
}
