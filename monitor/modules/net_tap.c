/*
 * The host side of the network device: a tap. Either an existing one by
 * name (TUNSETIFF on /dev/net/tun attaches to it; the caller needs to own it
 * or have CAP_NET_ADMIN), or an fd the caller opened and passed down
 * (--net fd=N), so the monitor itself needs no privilege at all. Frames are
 * plain Ethernet: no packet-information header, no virtio-net header.
 */
#include "../monitor.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Attaching turns the tap's carrier on, but the kernel starts its transmit
 * queue (the host's frames to us) later, from a work item: until then what
 * the host sends is dropped, and on a busy host that lasts milliseconds (a
 * client's first SYN lost). Asking for the link state the way ethtool does
 * makes the kernel settle it at once (linkwatch_sync_dev). Best effort: an
 * older kernel just settles it later. */
static void settle_link(const char *name)
{
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	struct ethtool_value link = {.cmd = ETHTOOL_GLINK};
	struct ifreq ifr = {.ifr_data = (char *)&link};
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ioctl(s, SIOCETHTOOL, &ifr);
	close(s);
}

/* Only an existing tap: TUNSETIFF with a new name would create one (with
 * CAP_NET_ADMIN), and a typo must not become a device nobody listens on. */
static int open_by_name(struct hut_vm *vm, const char *name)
{
	if (if_nametoindex(name) == 0)
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "--net %s: no such network device here (create it first with "
			 "`ip tuntap add dev %s mode tap user $USER`)",
			 name, name);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "--net %s: cannot open /dev/net/tun (%s)", name,
			 hut_limit_text(errno));
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "--net %s: cannot attach to it as a tap (%s; is it a tap owned by "
			 "this user?)",
			 name, strerror(errno));
	settle_link(name);
	return fd;
}

/* An inherited fd must be a tap that gives plain frames. */
static void check_fd(struct hut_vm *vm, int fd)
{
	struct ifreq ifr = {0};
	if (fcntl(fd, F_GETFD) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "--net fd=%d: not an open file descriptor", fd);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "--net fd=%d: not a tun/tap device (%s)", fd,
			 strerror(errno));
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP)
		hut_fail(vm, HUT_EXIT_MONITOR, "--net fd=%d: a tun device, not a tap", fd);
	if (!(ifr.ifr_flags & IFF_NO_PI) || (ifr.ifr_flags & IFF_VNET_HDR))
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "--net fd=%d: the tap must be opened with IFF_NO_PI and without "
			 "IFF_VNET_HDR",
			 fd);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int hut_net_tap_open(struct hut_vm *vm, const struct hut_net_config *c)
{
	int fd = c->tap ? open_by_name(vm, c->tap) : c->tap_fd;
	if (!c->tap)
		check_fd(vm, fd);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "--net: cannot make the tap non-blocking (%s)",
			 strerror(errno));
	return fd;
}
