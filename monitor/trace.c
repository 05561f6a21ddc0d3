/*
 * --trace-boot: microseconds per phase, host side (marks taken by main) and
 * guest side (TSC stamps the libos sends with its exit hypercall).
 */
#include "monitor.h"

#include <stdio.h>

#define MAX_MARKS 16
#define MAX_SPANS 8  /* the machine's 3 steps, a pool's warm-up, room */
#define MAX_COUNTS 4 /* a pool's warmed pages, room */

static struct {
	const char *phase;
	uint64_t us;
} marks[MAX_MARKS];
static int nmarks;
static struct {
	const char *phase;
	uint64_t us;
} spans[MAX_SPANS];
static int nspans;
static struct {
	const char *what;
	uint64_t n;
} counts[MAX_COUNTS];
static int ncounts;
static uint64_t start_us;
static struct hut_hc_exit guest;
static int have_guest;

void hut_trace_mark(const char *phase)
{
	uint64_t now = hut_now_us();
	if (!start_us)
		start_us = now;
	if (nmarks < MAX_MARKS)
		marks[nmarks++] = (typeof(marks[0])){phase, now};
}

void hut_trace_restart(void)
{
	nmarks = nspans = ncounts = 0;
	start_us = 0;
	hut_trace_mark("start");
}

void hut_trace_span(const char *phase, uint64_t us)
{
	if (nspans < MAX_SPANS)
		spans[nspans++] = (typeof(spans[0])){phase, us};
}

void hut_trace_count(const char *what, uint64_t n)
{
	if (ncounts < MAX_COUNTS)
		counts[ncounts++] = (typeof(counts[0])){what, n};
}

void hut_trace_guest(const struct hut_hc_exit *e)
{
	guest = *e;
	have_guest = 1;
}

static void line(const char *phase, uint64_t us)
{
	fprintf(stderr, "hut-monitor: trace-boot: %-13s %6lu us\n", phase, us);
}

static uint64_t tsc_us(const struct hut_vm *vm, uint64_t from, uint64_t to)
{
	return to > from && vm->tsc_khz ? (to - from) * 1000 / vm->tsc_khz : 0;
}

/* The guest's own counts (guest values, only printed): processes made
 * besides pid 1, and the most alive at once (pid 1 counted). */
static void print_processes(const struct hut_vm *vm)
{
	const struct hut_signal_box *box =
		hut_gpa(&vm->mem, vm->signals_gpa, sizeof(struct hut_signal_box));
	if (box)
		fprintf(stderr,
			"hut-monitor: trace-boot: processes: %lu made besides pid 1, %lu at most "
			"at once\n",
			(unsigned long)box->forks,
			(unsigned long)(box->procs_max ? box->procs_max : 1));
}

void hut_trace_print(const struct hut_vm *vm)
{
	hut_exits_print(vm);
	if (!vm->opt->trace_boot)
		return;
	for (int i = 1; i < nmarks; i++)
		line(marks[i].phase, marks[i].us - marks[i - 1].us);
	for (int i = 0; i < nspans; i++)
		line(spans[i].phase, spans[i].us);
	/* A restored guest's boot and main were the snapshot's run's. */
	if (have_guest && !vm->restored)
		line("enter", tsc_us(vm, vm->guest_tsc_start, guest.tsc_boot));
	if (have_guest && guest.tsc_main && !vm->restored) {
		line("boot-to-main", tsc_us(vm, guest.tsc_boot, guest.tsc_main));
		line("main-to-exit", tsc_us(vm, guest.tsc_main, guest.tsc_exit));
	}
	line("total", hut_now_us() - start_us);
	/* Not phases: no "us", so readers of the phase lines skip them. */
	for (int i = 0; i < ncounts; i++)
		fprintf(stderr, "hut-monitor: trace-boot: %s: %lu\n", counts[i].what,
			(unsigned long)counts[i].n);
	if (have_guest)
		fprintf(stderr, "hut-monitor: trace-boot: trapped syscalls: %lu\n",
			guest.syscalls_trapped);
	uint64_t kvm[HUT_KVM_STATS];
	if (hut_kvm_stats_read(kvm))
		fprintf(stderr,
			"hut-monitor: trace-boot: KVM: %lu guest page faults mapped, %lu exits "
			"(its own counts since the first run, in-kernel exits included)\n",
			(unsigned long)kvm[HUT_KVM_PAGE_FAULTS], (unsigned long)kvm[HUT_KVM_EXITS]);
	print_processes(vm);
}
