/*
 * --restore FILE: a guest started from a snapshot (snapshot.h). The file
 * is checked like an image before KVM is touched (status 126 for anything
 * wrong with it, 127 if it is missing); guest RAM is the file mapped
 * MAP_PRIVATE: pages fault in from the page cache as the guest touches
 * them and are copied only when written, so N restores of one snapshot
 * share what they only read, and none reads the file whole. Per instance,
 * the boot info gets a new random seed and a wall clock that is now; the
 * guest learns it was restored from the hypercall it was snapshotted in,
 * which returns HUT_POLL_RESTORED (libos/base/restore.c).
 */
#include "monitor.h"
#include "snapshot.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int restore_fd = -1;
static const char *restore_path;
static struct hut_snap_header header;

bool hut_restoring(void)
{
	return restore_fd >= 0;
}

static _Noreturn void bad(struct hut_vm *vm, const char *why)
{
	hut_fail(vm, HUT_EXIT_BAD_IMAGE, "cannot restore %s: %s", restore_path, why);
}

void hut_restore_open(struct hut_vm *vm, const char *path)
{
	struct stat st;
	restore_path = path;
	restore_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (restore_fd < 0 && errno == ENOENT)
		hut_fail(vm, HUT_EXIT_NO_IMAGE, "snapshot %s not found", path);
	if (restore_fd < 0 || fstat(restore_fd, &st) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot open snapshot %s (%s)", path,
			 hut_limit_text(errno));
	if (!S_ISREG(st.st_mode))
		bad(vm, "not a regular file");
	ssize_t n = pread(restore_fd, &header, sizeof header, 0);
	uint64_t size =
		n == (ssize_t)sizeof header ? (uint64_t)st.st_size : (uint64_t)(n > 0 ? n : 0);
	const char *why = hut_snap_check(&header, size, vm->img.manifest.crc32);
	if (why)
		bad(vm, why);
	if (header.mem_size != vm->opt->mem || header.args_hash != hut_snapshot_args_hash(vm))
		bad(vm, "it was made with other guest arguments (argv, --env, --hostname, --mem "
			"and --pids must be the original's)");
	vm->restored = true;
}

/* A large read-only data segment (packed files): its pages stay the page
 * cache's, shared by every restore. A small one (the libos's constants,
 * 31 KiB for httpd) is copied like the rest: KVM maps a page's neighbours
 * with it only when it can take them for writing, so each shared page a
 * guest reads first is a fault of its own (httpd's restore: 6 in the
 * libos's 8 pages of constants before its first answer). */
#define SHARED_MIN (64u << 10)

static bool shared_segment(const struct hut_segment *s)
{
	return !(s->flags & (PF_W | PF_X)) && s->memsz > SHARED_MIN;
}

/* Where the shared segment gpa is in ends, else 0. */
static uint64_t shared_end(const struct hut_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		if (shared_segment(s) && gpa >= s->gpa && gpa - s->gpa < s->memsz)
			return s->gpa + s->memsz;
	}
	return 0;
}

/* The next shared segment's start after gpa (or end): where a stretch to
 * copy from gpa stops. */
static uint64_t copied_end(const struct hut_vm *vm, uint64_t gpa, uint64_t end)
{
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		if (shared_segment(s) && s->gpa > gpa && s->gpa < end)
			end = s->gpa;
	}
	return end;
}

/* [from, to) of guest RAM, from the snapshot's data: the image's read-only
 * data (constants, packed files) mapped shared from the page cache (every
 * restore of the snapshot reads the same pages), the rest (code, the
 * libos's and the app's data, heap, stack, devices) copied now. Either way
 * the guest's first touch of a page then costs no host fault; copied, it
 * costs no guest fault either for the 8 pages around one it faults on:
 * KVM's shadow MMU maps those with it only if the host maps them writable
 * (it takes them for writing, even code). Inside a nested guest a fault
 * costs ~20 us: httpd's restore took 126 of them to its first answer with
 * its code shared, 50 with it copied (as many as a cold boot's, whose RAM
 * is all written by the monitor), at the price of the code's touched pages
 * in each restore (ARCHITECTURE.md, "Snapshots"). */
static void populate_range(struct hut_vm *vm, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint64_t ro = shared_end(vm, from);
		uint64_t end = ro ? (ro < to ? ro : to) : copied_end(vm, from, to);
		end = (end + HUT_PAGE_SIZE - 1) & ~(HUT_PAGE_SIZE - 1);
		end = end < to ? end : to;
		hut_mem_back(&vm->mem, from, end - from, !ro);
		from = end > from ? end : to;
	}
}

/* The snapshot's data runs (not its holes), found with SEEK_DATA and
 * SEEK_HOLE. Best effort: without them or the madvise, the guest just
 * takes the faults. */
static void populate(struct hut_vm *vm)
{
	off_t base = (off_t)header.mem_offset, end = base + (off_t)header.mem_size, data, hole;
	for (off_t at = base; at < end; at = hole) {
		data = lseek(restore_fd, at, SEEK_DATA);
		if (data < 0 || data >= end)
			return;
		hole = lseek(restore_fd, data, SEEK_HOLE);
		if (hole < 0 || hole > end)
			hole = end;
		populate_range(vm, (uint64_t)(data - base), (uint64_t)(hole - base));
	}
}

uint64_t hut_restore_cr3(void)
{
	return header.sregs.cr3;
}

const char *hut_restore_cpu(struct hut_vm *vm)
{
	return hut_cpu_restore(vm, &header.regs, &header.sregs, &header.fpu);
}

void hut_restore_memory(struct hut_vm *vm)
{
	void *p = mmap(NULL, header.mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE,
		       restore_fd, (off_t)header.mem_offset);
	if (p == MAP_FAILED)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot map snapshot %s (%s)", restore_path,
			 hut_limit_text(errno));
	vm->mem.host = p;
	vm->mem.size = header.mem_size;
	populate(vm);
	close(restore_fd); /* the mapping keeps the file */
			   /* The machine (machine.c) gives the VM this memory, as it does RAM. */
}

void hut_restore_check_layout(struct hut_vm *vm)
{
	struct hut_snap_layout now;
	hut_snapshot_layout(vm, &now);
	if (memcmp(&now, &header.layout, sizeof now))
		bad(vm, "it was made with other devices (--net, the console) or memory layout");
}

static uint64_t guest_tsc(struct hut_vm *vm)
{
	uint64_t tsc;
	if (!hut_cpu_tsc(vm, &tsc))
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC");
	return tsc;
}

/* What differs per instance: a new seed (two restores never share a random
 * stream), and the clocks. KVM may not give the guest back the TSC it had
 * (kvm-pvm keeps the host's), so the boot info's TSC origin moves instead:
 * the guest's time since boot goes on from the snapshot's (its
 * CLOCK_MONOTONIC never goes back, and skips the time it was stored), and
 * its wall clock is the host's now. The libos reads both again when it
 * learns it was restored (libos/base/restore.c). */
static void new_instance(struct hut_vm *vm)
{
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	if (bi->tsc_khz != vm->tsc_khz)
		bad(vm, "it was made on a host whose TSC runs at another rate");
	if (getrandom(bi->random, sizeof bi->random, 0) != sizeof bi->random)
		hut_fail(vm, HUT_EXIT_MONITOR, "getrandom failed (%s)", strerror(errno));
	uint64_t ticks = header.tsc - bi->tsc_at_boot;
	uint64_t since = (uint64_t)((unsigned __int128)ticks * 1000000u / vm->tsc_khz);
	struct timespec now;
	bi->tsc_at_boot = guest_tsc(vm) - ticks;
	clock_gettime(CLOCK_REALTIME, &now);
	bi->wallclock_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec - since;
	vm->guest_tsc_start = bi->tsc_at_boot;
}

void hut_restore_vcpu(struct hut_vm *vm)
{
	const char *why = hut_restore_cpu(vm);
	if (why)
		bad(vm, why);
	if (!hut_cpu_set_tsc(vm, header.tsc))
		bad(vm, "KVM refused the guest's TSC");
	new_instance(vm);
}

void hut_restore_module(struct hut_vm *vm, const struct hut_module *m)
{
	if (!m->restore)
		return;
	struct hut_snap_buf r = {0};
	hut_snap_module(&header, m->name, &r);
	const char *why = m->restore(vm, &r);
	if (why)
		bad(vm, why);
}

void hut_restore_modules(struct hut_vm *vm)
{
	const struct hut_module *m;
	hut_each_module(vm, m)
		hut_restore_module(vm, m);
}
