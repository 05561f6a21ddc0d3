/*
 * --trace-exits: every exit that reaches the monitor, by kind, and what the
 * modules moved (the network device's frames), printed when the guest ends. Exits are the cost
 * model (each costs ~35-150 us on kvm-pvm), so "exits per request" is the
 * figure a network benchmark reports. Exits KVM handles in the kernel (page
 * faults, the ioeventfd kick) do not reach us and are not counted here; the
 * kicks are counted by the I/O thread instead.
 */
#include "monitor.h"

#include <stdio.h>

static struct {
	uint64_t total, mmio, other;
	uint64_t hypercall[HUT_HC_COUNT + 1]; /* the last: unknown numbers */
	const char *name[HUT_HC_COUNT + 1];   /* each one's, as the dispatcher named it */
} count = {.name[HUT_HC_COUNT] = "unknown"};

void hut_exits_count(const struct kvm_run *run)
{
	count.total++;
	if (run->exit_reason == KVM_EXIT_MMIO)
		count.mmio++;
	else
		count.other++;
}

void hut_exits_hypercall(uint64_t nr, const char *name)
{
	uint64_t i = nr < HUT_HC_COUNT && name ? nr : HUT_HC_COUNT;
	count.hypercall[i]++;
	count.name[i] = i < HUT_HC_COUNT ? name : count.name[i];
}

void hut_exits_print(const struct hut_vm *vm)
{
	if (!vm->opt->trace_exits)
		return;
	fprintf(stderr, "hut-monitor: trace-exits: %lu exits to the monitor: %lu hypercalls (",
		count.total, count.mmio);
	const char *sep = "";
	for (int i = 0; i <= HUT_HC_COUNT; i++) {
		if (count.hypercall[i]) {
			fprintf(stderr, "%s%s %lu", sep, count.name[i], count.hypercall[i]);
			sep = ", ";
		}
	}
	fprintf(stderr, "), %lu other\n", count.other);
	/* The guest's own count (a guest value, only printed). */
	const struct hut_signal_box *box =
		hut_gpa(&vm->mem, vm->signals_gpa, sizeof(struct hut_signal_box));
	if (box && box->forks)
		fprintf(stderr,
			"hut-monitor: trace-exits: the guest made %lu processes besides pid 1\n",
			(unsigned long)box->forks);
	hut_call_modules(vm, trace_exits, vm);
}
