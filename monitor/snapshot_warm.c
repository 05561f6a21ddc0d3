/*
 * The warm-up of a pooled restore (snapshot.h, hut_restore_warm). On a
 * shadow-MMU host (kvm-pvm) every guest page the restored guest touches
 * first costs it a fault KVM serves, ~20 us each: httpd's restore took 57
 * of them to its first answer, after the request, when a process would
 * already be answering. A pool's monitor has time before its request, so
 * it runs the image's warm-up stub (abi.h, HUT_WARM_TAG) on the snapshot's
 * registers and page tables over the pages the snapshot holds: the stub
 * only reads them, and KVM maps each as the guest's own access would. The
 * vCPU's registers are the snapshot's again after the request
 * (hut_restore_vcpu), with the same page tables and control registers, so
 * KVM keeps what it mapped.
 *
 * The stub is the image's code, run in its own VM: it may do anything
 * there, so each run is bounded (ITIMER_PROF: CPU time, the monitor being
 * at SCHED_IDLE) and anything but the stub's own doorbell ends the
 * warm-up, leaving the rest cold. Only pages the guest's page tables map
 * for CPL3 at the address they were given are read, so the stub takes no
 * page fault of the guest's own.
 */
#include "monitor.h"
#include "snapshot.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

/* A run of the stub's CPU time, at most: far above what it takes (20 us
 * a page on kvm-pvm), even in a nested guest under emulation. */
#define WARM_CPU_BASE_US 100000
#define WARM_CPU_PAGE_US 1000

/* The address the guest sees guest-physical gpa at: an image segment's
 * (the libos's are in the window), else the identity map's. */
static uint64_t guest_va(const struct hut_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->img.nsegments; i++) {
		const struct hut_segment *s = &vm->img.seg[i];
		if (gpa >= s->gpa && gpa - s->gpa < s->memsz)
			return s->va + (gpa - s->gpa);
	}
	return gpa;
}

/* Whether the guest's page tables at cr3 map va to gpa for CPL3 (they are
 * the snapshot's, hostile). KVM_TRANSLATE would not say: it leaves its
 * usermode field 0. */
static bool user_mapped(const struct hut_vm *vm, uint64_t cr3, uint64_t va, uint64_t gpa)
{
	uint64_t at;
	return hut_guest_user_page(&vm->mem, cr3, va, &at) && at == gpa;
}

static void on_limit(int sig)
{
	(void)sig; /* only to end the KVM_RUN (no SA_RESTART) */
}

static void cpu_limit(long us)
{
	struct itimerval it = {.it_value = {.tv_sec = us / 1000000, .tv_usec = us % 1000000}};
	setitimer(ITIMER_PROF, &it, NULL);
}

/* One run of the stub over [from, to): whether it ended at its doorbell,
 * having read every page. */
static bool run_stub(struct hut_vm *vm, uint64_t from, uint64_t to)
{
	struct kvm_regs r = {.rip = vm->img.manifest.boot_entry + HUT_WARM_OFFSET,
			     .rdi = from,
			     .rsi = to,
			     .rflags = 0x2};
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &r) < 0)
		return false;
	cpu_limit(WARM_CPU_BASE_US + (long)((to - from) / HUT_PAGE_SIZE) * WARM_CPU_PAGE_US);
	int rc = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	cpu_limit(0);
	const struct kvm_run *run = vm->run;
	uint64_t stored;
	memcpy(&stored, run->mmio.data, sizeof stored);
	return rc == 0 && run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	       run->mmio.len == 8 &&
	       run->mmio.phys_addr == HUT_HYPERCALL_GPA + 8 * HUT_WARM_DONE_SLOT && stored == to;
}

/* Where a first request goes next: the heap grows from what the snapshot
 * holds (the libos's allocators up from the heap's start and down from
 * its top, the network device's next receive buffers, the stack down).
 * httpd still took 4-8 faults there after the request, each ~20-70 us.
 * So the pool backs, for writing, a shadow group and what is left of the
 * current one on each side of every range it backed in the heap, for the
 * warm-up to read too: pages a restore without a pool leaves to the guest
 * (they hold nothing yet), each pooled monitor's own memory (ARCHITECTURE,
 * "Snapshots"). */
static void back_heap_margins(struct hut_vm *vm)
{
	const struct hut_mem_range *backed;
	size_t n = hut_mem_backed(&backed);
	struct hut_mem_range range[HUT_MEM_BACKED_MAX];
	memcpy(range, backed, n * sizeof range[0]); /* backing appends to the list */
	for (size_t i = 0; i < n; i++) {
		uint64_t start = range[i].gpa, end = start + range[i].len;
		if (start >= HUT_SHADOW_GROUP)
			hut_mem_back_within(&vm->mem, hut_group_down(start) - HUT_SHADOW_GROUP,
					    start, vm->heap_start);
		hut_mem_back_within(&vm->mem, end, hut_group_up(end) + HUT_SHADOW_GROUP,
				    vm->heap_start);
	}
}

static uint64_t warmed; /* pages the stub has read */

/* Warms the run's pages, in stretches contiguous in the guest's view. */
static bool warm_run(struct hut_vm *vm, uint64_t cr3, uint64_t start, uint64_t end)
{
	uint64_t from = 0, to = 0;
	for (uint64_t gpa = start; gpa < end; gpa += HUT_PAGE_SIZE) {
		uint64_t va = guest_va(vm, gpa);
		bool ok = user_mapped(vm, cr3, va, gpa);
		if (to != from && (!ok || va != to)) {
			if (!run_stub(vm, from, to))
				return false;
			warmed += (to - from) / HUT_PAGE_SIZE;
			from = to = 0;
		}
		if (ok && from == to)
			from = to = va;
		if (ok)
			to = va + HUT_PAGE_SIZE;
	}
	if (to == from)
		return true;
	if (!run_stub(vm, from, to))
		return false;
	warmed += (to - from) / HUT_PAGE_SIZE;
	return true;
}

void hut_restore_warm(struct hut_vm *vm)
{
	if (!hut_image_has_warm_stub(&vm->img) || hut_restore_cpu(vm))
		return;
	uint64_t t = hut_now_us();
	struct sigaction limit = {.sa_handler = on_limit}, old;
	sigaction(SIGPROF, &limit, &old);
	uint64_t cr3 = hut_restore_cr3();
	back_heap_margins(vm);
	/* What the monitor backed: the snapshot's data runs, what the layout
	 * backed ahead for the devices and the stack, which the first request
	 * writes (pages the snapshot may not hold), and the heap's margins. */
	const struct hut_mem_range *backed;
	size_t n = hut_mem_backed(&backed);
	for (size_t i = 0; i < n; i++)
		if (!warm_run(vm, cr3, backed[i].gpa, backed[i].gpa + backed[i].len))
			break;
	sigaction(SIGPROF, &old, NULL);
	if (vm->opt->trace_boot) {
		hut_trace_span("warm-up", hut_now_us() - t);
		hut_trace_count("warmed pages", warmed);
	}
}
