/*
 * --trace-exits: every exit that reaches the monitor, by kind, and what the
 * network device moved, printed when the guest ends. Exits are the cost
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
} count;

void hut_exits_count(const struct kvm_run *run)
{
	count.total++;
	if (run->exit_reason == KVM_EXIT_MMIO)
		count.mmio++;
	else
		count.other++;
}

void hut_exits_hypercall(uint64_t nr)
{
	count.hypercall[nr < HUT_HC_COUNT ? nr : HUT_HC_COUNT]++;
}

static const char *const names[HUT_HC_COUNT + 1] = {
	[HUT_HC_CONSOLE_WRITE] = "console-write",
	[HUT_HC_EXIT] = "exit",
	[HUT_HC_ABORT] = "abort",
	[HUT_HC_POLL] = "poll",
	[HUT_HC_SET_FS] = "set-fs",
	[HUT_HC_CONSOLE_READ] = "console-read",
	[HUT_HC_FILE] = "file",
	[HUT_HC_NET_KICK] = "net-kick",
	[HUT_HC_THREADS] = "threads",
	[HUT_HC_COUNT] = "unknown",
};

static void print_net(const struct hut_vm *vm)
{
	const struct hut_net_stats *s = &vm->net->ring.stats;
	fprintf(stderr,
		"hut-monitor: trace-exits: net: tx %lu frames (%lu refused by the tap), rx %lu "
		"frames (%lu dropped), %lu kicks (%s), %lu wakes of a sleeping guest; %u TCP "
		"connections reset at the end\n",
		s->tx_frames, s->tx_errors, s->rx_frames, s->rx_dropped, s->kicks,
		vm->net->ioeventfd ? "ioeventfd: no exit to the monitor" : "each an exit", s->wakes,
		vm->net->resets);
}

void hut_exits_print(const struct hut_vm *vm)
{
	if (!vm->opt->trace_exits)
		return;
	fprintf(stderr, "hut-monitor: trace-exits: %lu exits to the monitor: %lu hypercalls (",
		count.total, count.mmio);
	const char *sep = "";
	for (int i = 0; i <= HUT_HC_COUNT; i++) {
		if (count.hypercall[i] && names[i]) {
			fprintf(stderr, "%s%s %lu", sep, names[i], count.hypercall[i]);
			sep = ", ";
		}
	}
	fprintf(stderr, "), %lu other\n", count.other);
	if (vm->net)
		print_net(vm);
}
