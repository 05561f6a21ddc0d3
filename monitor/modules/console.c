/*
 * The console module (console.h): the guest's writes to fd 1 and 2 through
 * its ring (console_io.c writes it out) or, when a write does not fit
 * there, the console-write hypercall, checked piece by piece (guest.c) and
 * written to the monitor's own stdout or stderr after what the ring holds
 * (or dropped, with --quiet); its readv of fd 0, one read of the monitor's
 * stdin after the ring is out (a prompt shows before the monitor waits);
 * the terminal's size in the boot info; and, at every ending, the ring
 * written out before the monitor's own last lines.
 */
#include "console.h"
#include "../monitor.h"
#include "../snapshot.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static bool quiet;    /* --quiet: the guest's stdout and stderr are dropped */
static uint64_t ring; /* the console region's guest address (top of the heap) */
static uint64_t direct_writes;
static uint32_t restored_cons; /* --restore: how far the snapshot's ring was written out */

static int64_t console_write(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt)
{
	static struct iovec iov[HUT_IOV_MAX];
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, iov_gpa, iovcnt, iov, false);
	if (total < 0 || quiet)
		return total;
	hut_console_io_flush(HUT_CONSOLE_SERVE);
	if (hut_timeout_expired())
		return -EINTR; /* the flush gave up: the run loop ends the guest */
	direct_writes++;
	return hut_console_write_all(vm, (int)fd, iov, (int)iovcnt);
}

static int64_t console_read(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt)
{
	static struct iovec iov[HUT_IOV_MAX];
	if (fd != 0)
		return -EBADF;
	if (iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, iov_gpa, iovcnt, iov, true);
	if (total <= 0)
		return total;
	hut_console_io_flush(HUT_CONSOLE_SERVE); /* the prompt, before we wait */
	if (hut_timeout_expired())
		return -EINTR; /* the flush gave up: the run loop ends the guest */
	for (;;) {
		ssize_t r = readv(0, iov, (int)iovcnt);
		if (r >= 0)
			return r;
		int e = errno;
		/* a silent writer outlasts neither --timeout nor a signal */
		if (e != EINTR || hut_wait_interrupted(vm))
			return -e;
	}
}

static void serve_write(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	struct hut_hc_console *hc = arg;
	(void)gpa;
	hc->result = console_write(vm, hc->fd, hc->iov, hc->iovcnt);
}

static void serve_read(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	struct hut_hc_console *hc = arg;
	(void)gpa;
	hc->result = console_read(vm, hc->fd, hc->iov, hc->iovcnt);
}

/* What poll(2) of stdin says now, without waiting. An error is "input":
 * the read that follows reports it. */
static uint32_t stdin_revents(void)
{
	struct pollfd p = {0, POLLIN, 0};
	if (poll(&p, 1, 0) < 0)
		return POLLIN;
	return p.revents & POLLNVAL ? POLLERR : p.revents & (POLLIN | POLLHUP | POLLERR);
}

static void serve_poll(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	struct hut_hc_console_poll *hc = arg;
	(void)vm, (void)gpa;
	hc->revents = stdin_revents();
}

/* The poll hypercall of a guest that waits on stdin, among other things:
 * no sleep if it has input now; else the console thread watches it and
 * ends the sleep when input comes. */
static bool console_wake_now(struct hut_vm *vm, const struct hut_hc_poll *hc)
{
	(void)vm;
	if (!(hc->wait & HUT_POLL_STDIN))
		return false;
	if (stdin_revents())
		return true;
	if (hut_console_io_running())
		hut_console_io_watch_stdin();
	return false;
}

static void serve_kick(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa, (void)arg;
	if (!hut_console_io_running())
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS),
			 "bad hypercall: console kick without a console ring");
	hut_console_io_kick(vm);
}

static uint64_t console_ram_size(void)
{
	return HUT_CONSOLE_REGION_SIZE;
}

static void console_ram_at(uint64_t gpa)
{
	ring = gpa;
}

/* The terminal's size into the boot info, where the libos answers
 * TIOCGWINSZ from; nothing when stdout is no terminal. */
static void read_tty_size(struct hut_boot_info *bi)
{
	struct winsize ws;
	if (quiet || ioctl(1, TIOCGWINSZ, &ws) != 0)
		return;
	/* A terminal whose size nobody set yet (a container's fresh pty, which
	 * podman or ctr resizes a moment later) is still a terminal: 24x80, as
	 * a VT100's. */
	bi->tty_rows = ws.ws_row ? ws.ws_row : 24;
	bi->tty_cols = ws.ws_col ? ws.ws_col : 80;
}

static void console_boot_info(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	(void)vm, (void)cursor;
	bi->console_ring = ring;
	read_tty_size(bi);
}

/* A resized terminal: the new size before the guest hears SIGWINCH (a
 * program reads it in its handler). The boot info is read-only to the
 * guest; the vCPU is stopped while this runs. */
static void console_outside_signal(struct hut_vm *vm, int sig)
{
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	if (sig == SIGWINCH && bi && bi->tty_rows)
		read_tty_size(bi);
}

/* Also a pool's monitor's ready hook: the thread started before the
 * request, on the ring's position the snapshot left (its record, given
 * first); it writes to fds 1 and 2, which are the client's by the time the
 * guest runs. Once: the start after the request then finds it running. */
static void console_start(struct hut_vm *vm)
{
	if (ring && !hut_console_io_running())
		hut_console_io_start(vm, ring, quiet, restored_cons);
}

/* The ring written out first (the guest's output comes before the
 * monitor's line), then how far: the restored ring goes on from there. */
static const char *console_snapshot(struct hut_vm *vm, struct hut_snap_buf *w)
{
	(void)vm;
	if (!hut_console_io_running())
		return NULL;
	hut_console_io_flush(HUT_CONSOLE_SERVE);
	uint32_t cons = hut_console_io_cons();
	return hut_snap_put(w, &cons, sizeof cons) ? NULL : "console: no room";
}

/* Any value is safe: the ring parser checks every record from there. */
static const char *console_restore(struct hut_vm *vm, struct hut_snap_buf *r)
{
	(void)vm;
	if (ring && !hut_snap_get(r, &restored_cons, sizeof restored_cons))
		return "the snapshot has no console record";
	return NULL;
}

static void console_keep(const struct hut_vm *vm, struct hut_kept_fds *k)
{
	(void)vm;
	if (hut_console_io_running())
		hut_keep_fds(k, hut_console_io_kick_fd(), hut_console_io_kick_fd());
}

/* Writes to fds 1 and 2 are the core's (its messages use them too). */
static void console_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_readv, 0, 0),			 /* console read hypercall: stdin */
		HUT_ALLOW_ARGS2(SYS_ioctl, 0, 1, 1, TIOCGWINSZ), /* SIGWINCH: the new size */
		HUT_ALLOW(SYS_poll),  /* stdin's readiness; a full non-blocking fd 1 or 2 */
		HUT_ALLOW(SYS_futex), /* wait for the console thread (a flush) */
		/* wake it for a flush; the kick, when KVM has no ioeventfd */
		HUT_ALLOW_ARG(SYS_write, 0, hut_console_io_kick_fd()),
	};
	(void)vm;
	hut_seccomp_allow(s, rules, hut_console_io_running() ? 5 : 3);
}

/* Before the monitor's own last lines: what the guest wrote comes first. */
static void console_flush(const struct hut_vm *vm, bool stopped)
{
	(void)vm;
	hut_console_io_flush(stopped ? HUT_CONSOLE_STOPPED : HUT_CONSOLE_END);
}

static void console_trace_exits(const struct hut_vm *vm)
{
	const struct hut_console_stats *s = hut_console_io_stats();
	(void)vm;
	if (!hut_console_io_running())
		return;
	fprintf(stderr,
		"hut-monitor: trace-exits: console: ring %lu writes (%lu bytes) in %lu host "
		"writes, %lu kicks (%s), %lu writes through the hypercall, %lu waits for the "
		"ring\n",
		s->records, s->bytes, s->writes,
		s->kicks > s->flushes + s->stdin_watches ? s->kicks - s->flushes - s->stdin_watches
							 : 0,
		hut_console_io_ioeventfd() ? "ioeventfd: no exit to the monitor" : "each an exit",
		direct_writes, s->flushes);
}

static const char *quiet_option(const char *value)
{
	(void)value;
	quiet = true;
	return NULL;
}

void hut_console_quiet(bool on)
{
	quiet = on;
}

static const struct hut_option options[] = {
	{"--quiet", NULL, false, quiet_option},
};

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_CONSOLE_WRITE, "console-write", sizeof(struct hut_hc_console), serve_write},
	{HUT_HC_CONSOLE_READ, "console-read", sizeof(struct hut_hc_console), serve_read},
	{HUT_HC_CONSOLE_KICK, "console-kick", 0, serve_kick},
	{HUT_HC_CONSOLE_POLL, "console-poll", sizeof(struct hut_hc_console_poll), serve_poll},
};

/* Its lines of --help. */
static const char usage[] = "  --quiet         discard the guest's console output\n";

const struct hut_module hut_module_console = {
	.name = "console",
	.usage = usage,
	HUT_MODULE_OPTIONS(options),
	.ram_size = console_ram_size,
	.ram_at = console_ram_at,
	.boot_info = console_boot_info,
	.start = console_start,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.keep_fds = console_keep,
	.seccomp = console_seccomp,
	.outside_signal = console_outside_signal,
	.wake_now = console_wake_now,
	.flush = console_flush,
	.trace_exits = console_trace_exits,
	.snapshot = console_snapshot,
	.restore = console_restore,
	.ready = console_start,
};
