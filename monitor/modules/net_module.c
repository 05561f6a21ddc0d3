/*
 * The net module (net.h): its options and checks, the tap opened before
 * KVM, its RAM at the top of the heap (what the guest touches first of it
 * backed before the guest runs), the guest's address in the boot
 * info, the I/O thread started with the machine, the kick hypercall, the
 * poll hypercall's wait, its fds and rules in the vCPU thread's sandbox,
 * --trace-exits' line, and the resets of the guest's connections at the end.
 */
#include "../monitor.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool spawned_early; /* net_ready made the I/O thread */

/* A pool's request's tap, on the fd number the I/O thread was made with
 * (net_ready), or none: the thread then sees -1 (the placeholder stays
 * open, unused, until the sandbox closes it, so its number is not
 * reused while the thread's filter names it). */
static void take_tap(struct hut_vm *vm)
{
	if (hut_net.config.none) {
		hut_net.tap_fd = -1;
		return;
	}
	int fd = hut_net_tap_open(vm, &hut_net.config);
	if (fd != hut_net.tap_fd) {
		if (dup3(fd, hut_net.tap_fd, O_CLOEXEC) < 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "--net: cannot move the tap's fd (%s)",
				 strerror(errno));
		close(fd);
	}
}

static void net_open(struct hut_vm *vm)
{
	hut_net_check_image(vm);
	if (!hut_net.config.wanted)
		return;
	if (spawned_early) {
		take_tap(vm);
		return;
	}
	if (!hut_net.config.none)
		hut_net.tap_fd = hut_net_tap_open(vm, &hut_net.config);
	hut_net_spawn(vm);
}

/* A pool's monitor, before its request (a networked image's pool has
 * --net none, each request its tap): the I/O thread made now, its filter
 * on an fd number held by a placeholder, which the request's tap takes. */
static void net_ready(struct hut_vm *vm)
{
	if (!hut_net.config.wanted)
		return;
	hut_net.tap_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (hut_net.tap_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "net: cannot hold an fd for the tap (%s)",
			 hut_limit_text(errno));
	hut_net_spawn(vm);
	spawned_early = true;
}

static uint64_t net_ram_size(void)
{
	return hut_net.config.wanted ? HUT_NET_REGION_SIZE : 0;
}

static void net_ram_at(uint64_t gpa)
{
	hut_net.gpa = gpa;
}

/* A random locally administered unicast address unless --mac gave one. */
static void net_boot_info(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	const struct hut_net_config *c = &hut_net.config;
	(void)cursor;
	if (!hut_net.gpa)
		return;
	bi->net = (struct hut_boot_net){
		.region = hut_net.gpa,
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

static void serve_kick(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa, (void)arg;
	if (!hut_net.running)
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS),
			 "bad hypercall: net kick without a network device");
	hut_net_kick(vm);
}

/* The poll hypercall with a device: the sleep ends early when it has news. */
static bool net_sleep(struct hut_vm *vm, struct hut_hc_poll *hc, uint64_t timeout_ns,
		      uint32_t wake_seq)
{
	(void)vm;
	if (!hut_net.running)
		return false;
	uint32_t seen = hc->net_events;
	hc->ready = hut_net_wait(seen, timeout_ns, wake_seq);
	return true;
}

static void net_keep(const struct hut_vm *vm, struct hut_kept_fds *k)
{
	(void)vm;
	if (!hut_net.running)
		return;
	hut_keep_fds(k, hut_net.tap_fd, hut_net.tap_fd);
	hut_keep_fds(k, hut_net.kick_fd, hut_net.kick_fd);
}

/* The vCPU thread's part; the I/O thread has its own list (net_io.c). */
static void net_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	const struct hut_seccomp_rule rules[] = {
		/* musl's locks (two threads now share stdio) and the poll
		 * hypercall's futex wait (net_io.c) */
		HUT_ALLOW(SYS_futex),
		/* the kick, when KVM has no ioeventfd for it */
		HUT_ALLOW_ARG(SYS_write, 0, hut_net.kick_fd),
	};
	(void)vm;
	if (hut_net.running)
		hut_seccomp_allow(s, rules, sizeof rules / sizeof rules[0]);
}

static void net_trace_exits(const struct hut_vm *vm)
{
	const struct hut_net_stats *s = &hut_net.ring.stats;
	(void)vm;
	if (!hut_net.running)
		return;
	fprintf(stderr,
		"hut-monitor: trace-exits: net: tx %lu frames (%lu refused by the tap), rx %lu "
		"frames (%lu dropped), %lu kicks (%s), %lu wakes of a sleeping guest; %u TCP "
		"connections reset at the end\n",
		s->tx_frames, s->tx_errors, s->rx_frames, s->rx_dropped, s->kicks,
		hut_net.ioeventfd ? "ioeventfd: no exit to the monitor" : "each an exit", s->wakes,
		hut_net.resets);
}

static void net_end(const struct hut_vm *vm, bool libos_closed)
{
	(void)vm;
	hut_net_end(hut_net.running ? &hut_net : NULL, libos_closed);
}

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_NET_KICK, "net-kick", 0, serve_kick},
};

/* Its lines of --help. */
static const char usage[] =
	"  --net TAP       give the guest a network device on the existing tap device\n"
	"                  TAP; --net fd=N: on a tap fd the caller opened (IFF_TAP |\n"
	"                  IFF_NO_PI), so the monitor needs no privilege; --net none\n"
	"                  (with --snapshot only): a device with no host side, its\n"
	"                  frames dropped, so that a snapshot made without a tap can\n"
	"                  be restored with one\n"
	"  --mac MAC       the guest's Ethernet address (default: a random local one)\n"
	"  --ip ADDR/PREFIX  the guest's IPv4 address, e.g. 192.0.2.2/24\n"
	"  --gw ADDR       its default gateway\n"
	"  --dns ADDR      its name server (the guest's /etc/resolv.conf)\n";

const struct hut_module hut_module_net = {
	.name = "net",
	.usage = usage,
	HUT_MODULE_OPTIONS(hut_net_options),
	.options_done = hut_net_options_done,
	.open = net_open,
	.ram_size = net_ram_size,
	.ram_at = net_ram_at,
	.boot_info = net_boot_info,
	.start = hut_net_start,
	.prefault = hut_net_prefault,
	.ready = net_ready,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.keep_fds = net_keep,
	.seccomp = net_seccomp,
	.sleep = net_sleep,
	.trace_exits = net_trace_exits,
	.end = net_end,
	.snapshot = hut_net_snapshot,
	.restore = hut_net_restore,
};
