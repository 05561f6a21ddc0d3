/*
 * Guest RAM given back (HUT_HC_RELEASE). Guest RAM is anonymous host memory
 * backed as the guest first touches it, and nothing used to give it back:
 * a program that touched 16 MiB and freed it kept 19 MiB of host memory for
 * as long as it ran. When the guest is idle with much of its arena freed,
 * the libos passes the free runs here and the host drops their pages
 * (MADV_DONTNEED); KVM's MMU notifier takes its own mappings of them away,
 * and the guest's next touch of such a page gets a fresh zero page.
 *
 * The runs are hostile like every guest value: each must be page-aligned
 * and lie inside the arena, [heap_start, heap_end). Below it are the image,
 * the boot info and the page tables the monitor built; above it, the RAM
 * the modules share with the guest (the network rings), which the monitor's
 * I/O thread reads while the vCPU runs. A guest can only lose its own data.
 */
#include "../monitor.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define BAD_HYPERCALL HUT_SIGNAL_EXIT(SIGSYS)

static struct {
	uint64_t calls, pages;
} given;

static bool run_in_arena(const struct hut_vm *vm, const struct hut_iovec *r)
{
	return r->base % HUT_PAGE_SIZE == 0 && r->len % HUT_PAGE_SIZE == 0 && r->len > 0 &&
	       r->base >= vm->heap_start && r->base <= vm->heap_end &&
	       r->len <= vm->heap_end - r->base;
}

static void release(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	const struct hut_hc_release *hc = arg;
	(void)gpa;
	if (hc->count == 0 || hc->count > HUT_RELEASE_RUNS_MAX)
		hut_fail(vm, BAD_HYPERCALL, "bad hypercall: %u runs of RAM to release", hc->count);
	struct hut_iovec runs[HUT_RELEASE_RUNS_MAX];
	const void *at = hut_gpa(&vm->mem, hc->runs, hc->count * sizeof runs[0]);
	if (!at)
		hut_fail(vm, BAD_HYPERCALL, "bad hypercall: runs to release at 0x%lx", hc->runs);
	memcpy(runs, at, hc->count * sizeof runs[0]);
	for (uint32_t i = 0; i < hc->count; i++) {
		if (!run_in_arena(vm, &runs[i]))
			hut_fail(vm, BAD_HYPERCALL,
				 "bad hypercall: RAM to release at 0x%lx+0x%lx is not whole "
				 "pages of the arena",
				 runs[i].base, runs[i].len);
		/* Best effort: memory that stays is only memory not given back. */
		if (madvise(vm->mem.host + runs[i].base, runs[i].len, MADV_DONTNEED) == 0)
			given.pages += runs[i].len / HUT_PAGE_SIZE;
	}
	given.calls++;
}

static void release_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	(void)vm;
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_madvise, 2, MADV_DONTNEED),
	};
	hut_seccomp_allow(s, rules, sizeof rules / sizeof rules[0]);
}

static void release_trace(const struct hut_vm *vm)
{
	(void)vm;
	if (given.calls)
		fprintf(stderr,
			"hut-monitor: trace-exits: release: %lu calls dropped %lu KiB of free "
			"guest RAM\n",
			given.calls, given.pages * (uint64_t)(HUT_PAGE_SIZE / 1024));
}

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_RELEASE, "release", sizeof(struct hut_hc_release), release},
};

const struct hut_module hut_module_release = {
	.name = "release",
	HUT_MODULE_HYPERCALLS(hypercalls),
	.seccomp = release_seccomp,
	.trace_exits = release_trace,
};
