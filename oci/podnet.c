/*
 * Pod networking: the pod's network namespace (CNI's, or `ctr run --with-ns
 * network:PATH`'s, or podman's `--network ns:PATH`) holds one interface with
 * the pod's address. hut-oci enters that namespace, reads the interface
 * (address, prefix, default gateway, MAC, MTU), creates the tap the
 * appliance will use (OCI_TAP_NAME) and wires the two together with tc
 * (tc.c), then returns to its own namespace. The guest is given the
 * interface's address, gateway and MAC, so the pod IP reaches it unchanged.
 * The tap's fd goes to the monitor through the lower runtime's
 * --preserve-fds: the container needs neither /dev/net/tun nor
 * CAP_NET_ADMIN. The tap is not persistent: it goes when the monitor does;
 * delete removes the pod interface's ingress qdisc hut-oci added.
 */
#include "oci.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define CANDIDATES_MAX 16

struct candidate {
	int ifindex;
	uint32_t addr; /* network order */
	int prefix;
};
struct scan {
	struct candidate c[CANDIDATES_MAX];
	int n;
	int default_oif;  /* the default route's interface, or 0 */
	uint32_t gateway; /* its gateway, network order */
};

static const struct rtattr *find_attr(const void *first, size_t len, int type)
{
	for (const struct rtattr *a = first; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type && RTA_PAYLOAD(a) >= 4)
			return a;
	return NULL;
}

static void each_address(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof *ifa) ||
	    ifa->ifa_family != AF_INET || s->n == CANDIDATES_MAX)
		return;
	for (int i = 0; i < s->n; i++)
		if (s->c[i].ifindex == (int)ifa->ifa_index)
			return; /* the interface's first address is the pod's */
	const struct rtattr *a =
		find_attr(IFA_RTA(ifa), h->nlmsg_len - NLMSG_LENGTH(sizeof *ifa), IFA_LOCAL);
	if (!a)
		return;
	struct candidate *c = &s->c[s->n++];
	c->ifindex = (int)ifa->ifa_index;
	memcpy(&c->addr, RTA_DATA(a), 4);
	c->prefix = ifa->ifa_prefixlen;
}

static void each_route(const struct nlmsghdr *h, void *arg)
{
	struct scan *s = arg;
	const struct rtmsg *r = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof *r) ||
	    r->rtm_family != AF_INET || r->rtm_dst_len != 0 || r->rtm_table != RT_TABLE_MAIN ||
	    s->default_oif)
		return;
	size_t len = h->nlmsg_len - NLMSG_LENGTH(sizeof *r);
	const struct rtattr *oif = find_attr(RTM_RTA(r), len, RTA_OIF);
	const struct rtattr *gw = find_attr(RTM_RTA(r), len, RTA_GATEWAY);
	if (!oif)
		return;
	memcpy(&s->default_oif, RTA_DATA(oif), 4);
	if (gw)
		memcpy(&s->gateway, RTA_DATA(gw), 4);
}

static int dump(int nl, int type, void (*each)(const struct nlmsghdr *, void *), struct scan *s)
{
	struct oci_nl m;
	if (type == RTM_GETADDR) {
		struct ifaddrmsg h = {.ifa_family = AF_INET};
		oci_nl_begin(&m, type, NLM_F_DUMP, &h, sizeof h);
	} else {
		struct rtmsg h = {.rtm_family = AF_INET};
		oci_nl_begin(&m, type, NLM_F_DUMP, &h, sizeof h);
	}
	return oci_nl_dump(nl, &m, each, s);
}

static bool usable(int sock, int ifindex)
{
	struct ifreq r = {0};
	if (!if_indextoname((unsigned)ifindex, r.ifr_name) || ioctl(sock, SIOCGIFFLAGS, &r) != 0)
		return false;
	return (r.ifr_flags & IFF_UP) && !(r.ifr_flags & IFF_LOOPBACK);
}

/* The pod's interface among the scan's: the one usable, else the usable one
 * holding the default route. Fills p; false when there is none. */
static bool choose(struct oci_podnet *p, struct scan *s, int sock, const char *netns,
		   const char *id)
{
	int found = -1, usable_n = 0;
	for (int i = 0; i < s->n; i++) {
		if (!usable(sock, s->c[i].ifindex))
			continue;
		usable_n++;
		if (found < 0 || s->c[i].ifindex == s->default_oif)
			found = i;
	}
	if (usable_n == 0)
		return false;
	if (usable_n > 1 && s->c[found].ifindex != s->default_oif)
		oci_die(id,
			"network namespace %s has %d interfaces that are up with an IPv4 address "
			"and none holds the default route: cannot tell which is the pod's",
			netns, usable_n);
	p->ifindex = s->c[found].ifindex;
	p->addr = s->c[found].addr;
	p->prefix = s->c[found].prefix;
	p->gateway = s->default_oif == p->ifindex ? s->gateway : 0;
	if_indextoname((unsigned)p->ifindex, p->ifname);
	return true;
}

static void read_link(struct oci_podnet *p, int sock, const char *id)
{
	struct ifreq r = {0};
	snprintf(r.ifr_name, sizeof r.ifr_name, "%s", p->ifname);
	if (ioctl(sock, SIOCGIFHWADDR, &r) != 0)
		oci_die(id, "cannot read the MAC address of the pod's %s (%s)", p->ifname,
			strerror(errno));
	memcpy(p->mac, r.ifr_hwaddr.sa_data, 6);
	if (ioctl(sock, SIOCGIFMTU, &r) != 0)
		oci_die(id, "cannot read the MTU of the pod's %s (%s)", p->ifname, strerror(errno));
	p->mtu = r.ifr_mtu;
}

static int delete_link(int nl, const char *name)
{
	struct oci_nl m;
	struct ifinfomsg h = {.ifi_family = AF_UNSPEC};
	oci_nl_begin(&m, RTM_DELLINK, 0, &h, sizeof h);
	oci_nl_string(&m, IFLA_IFNAME, name);
	int err = oci_nl_call(nl, &m);
	return err == ENODEV ? 0 : err;
}

/* The tap, up, with the pod interface's MTU; its fd (close-on-exec: main.c
 * moves it where the lower runtime passes it on). */
static int make_tap(struct oci_podnet *p, int sock, const char *id)
{
	/* The tap is not persistent: one that exists is held open by another
	 * appliance of this pod (or someone else's device). Taking it over
	 * would cut that appliance off; the pod's address can be only one's. */
	if (if_nametoindex(OCI_TAP_NAME) != 0)
		oci_die(id,
			"the pod's network namespace already has a tap %s: another hut appliance "
			"holds the pod's address (one appliance with a network per pod)",
			OCI_TAP_NAME);
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		oci_die(id, "cannot open /dev/net/tun (%s): pod networking needs the tun module",
			strerror(errno));
	struct ifreq r = {0};
	snprintf(r.ifr_name, sizeof r.ifr_name, "%s", OCI_TAP_NAME);
	r.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &r) != 0)
		oci_die(id, "cannot create the tap %s (%s)", OCI_TAP_NAME, strerror(errno));
	r.ifr_mtu = p->mtu;
	if (ioctl(sock, SIOCSIFMTU, &r) != 0)
		oci_die(id, "cannot set the MTU of %s to %d (%s)", OCI_TAP_NAME, p->mtu,
			strerror(errno));
	if (ioctl(sock, SIOCGIFINDEX, &r) != 0)
		oci_die(id, "cannot find the tap %s (%s)", OCI_TAP_NAME, strerror(errno));
	p->tap_ifindex = r.ifr_ifindex;
	r.ifr_flags = IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &r) != 0)
		oci_die(id, "cannot bring the tap %s up (%s)", OCI_TAP_NAME, strerror(errno));
	return fd;
}

/* Runs in the pod's namespace: fills p and makes the tap, or finds no
 * interface (p->present false). */
static void set_up(struct oci_podnet *p, const char *netns, const char *id)
{
	int nl = oci_nl_open(), sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nl < 0 || sock < 0)
		oci_die(id, "cannot open a netlink socket in %s (%s)", netns, strerror(errno));
	struct scan s = {0};
	int err = dump(nl, RTM_GETADDR, each_address, &s);
	if (!err)
		err = dump(nl, RTM_GETROUTE, each_route, &s);
	if (err)
		oci_die(id, "cannot read the addresses and routes of %s (%s)", netns,
			strerror(err));
	if (!choose(p, &s, sock, netns, id)) {
		close(nl);
		close(sock);
		return;
	}
	read_link(p, sock, id);
	p->tap_fd = make_tap(p, sock, id);
	const char *step;
	if ((err = oci_tc_connect(nl, p->ifindex, p->tap_ifindex, &step)) != 0)
		oci_die(id, "%s: %s failed (%s)", netns, step, strerror(err));
	p->present = true;
	close(nl);
	close(sock);
}

/* Runs fn in the network namespace at path and comes back; false when the
 * namespace cannot be entered (errno says why). */
static bool in_netns(const char *path, void (*fn)(struct oci_podnet *, const char *, const char *),
		     struct oci_podnet *p, const char *id)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int there = open(path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET) != 0) {
		int e = errno;
		if (home >= 0)
			close(home);
		if (there >= 0)
			close(there);
		errno = e;
		return false;
	}
	close(there);
	fn(p, path, id);
	if (setns(home, CLONE_NEWNET) != 0)
		oci_die(id, "cannot return to hut-oci's network namespace (%s)", strerror(errno));
	close(home);
	return true;
}

void oci_podnet_attach(struct oci_podnet *p, const char *netns, const char *id)
{
	memset(p, 0, sizeof *p);
	p->tap_fd = -1;
	if (!in_netns(netns, set_up, p, id))
		oci_die(id, "cannot enter the network namespace %s (%s)", netns, strerror(errno));
}

static void tear_down(struct oci_podnet *p, const char *netns, const char *id)
{
	int nl = oci_nl_open();
	if (nl < 0) {
		oci_log_error(id, "cannot open a netlink socket in %s (%s)", netns,
			      strerror(errno));
		return;
	}
	int err = delete_link(nl, OCI_TAP_NAME);
	if (err)
		oci_log_error(id, "%s: cannot remove the tap %s (%s)", netns, OCI_TAP_NAME,
			      strerror(err));
	unsigned ifindex = if_nametoindex(p->ifname);
	if (ifindex && (err = oci_tc_del_ingress(nl, (int)ifindex)) != 0)
		oci_log_error(id, "%s: cannot remove the ingress qdisc of %s (%s)", netns,
			      p->ifname, strerror(err));
	close(nl);
}

void oci_podnet_detach(const char *netns, const char *ifname, const char *id)
{
	struct oci_podnet p = {0};
	snprintf(p.ifname, sizeof p.ifname, "%s", ifname);
	if (!in_netns(netns, tear_down, &p, id) && errno != ENOENT)
		oci_log_error(id, "cannot enter the network namespace %s to clean up (%s)", netns,
			      strerror(errno));
}

static void add(json_t *args, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_array_append_new(args, oci_json_text(buf));
}

/* The pod's name server: the first IPv4 `nameserver` line of the file the
 * orchestrator bind-mounts at /etc/resolv.conf (CRI and podman write one per
 * pod), so the guest's /etc/resolv.conf says the same. Empty: none. */
static void pod_dns(const struct oci_spec *s, char out[INET_ADDRSTRLEN])
{
	out[0] = 0;
	const char *source = NULL;
	for (size_t i = 0; i < s->nmounts; i++)
		if (!strcmp(s->mounts[i].destination, "/etc/resolv.conf") && s->mounts[i].source)
			source = s->mounts[i].source;
	FILE *f = source ? fopen(source, "re") : NULL;
	if (!f)
		return;
	char line[256], word[16], addr[INET_ADDRSTRLEN + 1];
	struct in_addr a;
	while (!out[0] && fgets(line, sizeof line, f))
		if (sscanf(line, " %15s %16s", word, addr) == 2 && !strcmp(word, "nameserver") &&
		    inet_pton(AF_INET, addr, &a) == 1)
			inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
	fclose(f);
}

void oci_podnet_options(const struct oci_podnet *p, const struct oci_spec *s, int fd, json_t *args)
{
	char dns[INET_ADDRSTRLEN];
	char addr[INET_ADDRSTRLEN];
	add(args, "--net");
	add(args, "fd=%d", fd);
	add(args, "--mac");
	add(args, "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1], p->mac[2], p->mac[3],
	    p->mac[4], p->mac[5]);
	add(args, "--ip");
	add(args, "%s/%d", inet_ntop(AF_INET, &p->addr, addr, sizeof addr), p->prefix);
	if (p->gateway) {
		add(args, "--gw");
		add(args, "%s", inet_ntop(AF_INET, &p->gateway, addr, sizeof addr));
	}
	pod_dns(s, dns);
	if (dns[0]) {
		add(args, "--dns");
		add(args, "%s", dns);
	}
}

bool oci_podnet_for(struct oci_podnet *p, const struct oci_spec *s, const struct oci_image *img,
		    const char *id)
{
	if (!img->net_device)
		return false; /* the appliance has no network: the pod's stays as it is */
	if (s->netns) {
		oci_podnet_attach(p, s->netns, id);
		if (p->present || !img->net_required)
			return p->present;
		oci_die(id,
			"%s needs its network device %s, but the network namespace %s has no "
			"interface that is up with an IPv4 address",
			img->path, img->net_device, s->netns);
	}
	if (img->net_required)
		oci_die(id,
			"%s needs its network device %s, but the container has no pod network "
			"namespace to take it from (%s): give one by path, e.g. ctr run --with-ns "
			"network:/run/netns/NAME or podman --network ns:/run/netns/NAME",
			img->path, img->net_device,
			s->has_netns ? "a new, empty namespace"
				     : "the host's network is not given");
	return false;
}
