/*
 * The console module: the guest's writev to fd 1 or 2, checked piece by
 * piece (guest.c) and written to the monitor's own stdout or stderr until
 * every byte is out (or dropped, with --quiet), its readv of fd 0, one read
 * of the monitor's stdin, and the terminal's size in the boot info.
 */
#include "../monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static bool quiet; /* --quiet: the guest's stdout and stderr are dropped */

/* Writes everything, resuming after partial writes. */
static int64_t write_all(int fd, struct iovec *iov, int n)
{
	int64_t done = 0;
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR && !hut_timeout_expired())
			continue; /* a stuck reader cannot outlast --timeout */
		if (w < 0)
			return done > 0 ? done : -errno;
		done += w;
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return done;
}

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
	return write_all((int)fd, iov, (int)iovcnt);
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
	for (;;) {
		ssize_t r = readv(0, iov, (int)iovcnt);
		if (r >= 0)
			return r;
		if (errno != EINTR || hut_timeout_expired())
			return -errno; /* a silent writer cannot outlast --timeout */
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

static void console_boot_info(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	struct winsize ws;
	(void)vm, (void)cursor;
	if (quiet || ioctl(1, TIOCGWINSZ, &ws) != 0)
		return;
	/* A terminal whose size nobody set yet (a container's fresh pty, which
	 * podman or ctr resizes a moment later) is still a terminal: 24x80, as
	 * a VT100's. */
	bi->tty_rows = ws.ws_row ? ws.ws_row : 24;
	bi->tty_cols = ws.ws_col ? ws.ws_col : 80;
}

/* Writes to fds 1 and 2 are the core's (its messages use them too). */
static void console_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	static const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_readv, 0, 0), /* console read hypercall: stdin */
	};
	(void)vm;
	hut_seccomp_allow(s, rules, 1);
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
};

/* Its lines of --help. */
static const char usage[] = "  --quiet         discard the guest's console output\n";

const struct hut_module hut_module_console = {
	.name = "console",
	.usage = usage,
	HUT_MODULE_OPTIONS(options),
	.boot_info = console_boot_info,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.seccomp = console_seccomp,
};
