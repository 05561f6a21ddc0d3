/*
 * --net TAP|fd=N|none, --mac, --ip ADDR/PREFIX, --gw, --dns: parsed into
 * the net config; the guest gets them through the boot info. And the
 * checks: the others need --net, --net none is for --snapshot only, and an
 * image that declares a (non-optional) net device needs --net too.
 */
#include "../monitor.h"
#include "net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_fd(const char *s, int *fd)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || v < 0 || v > 1 << 20)
		return -1;
	*fd = (int)v;
	return 0;
}

static const char *parse_net(struct hut_net_config *c, const char *v)
{
	c->wanted = true;
	c->none = !strcmp(v, "none");
	if (c->none) {
		c->tap = NULL, c->tap_fd = -1;
		return NULL;
	}
	if (!strncmp(v, "fd=", 3)) {
		c->tap = NULL;
		return parse_fd(v + 3, &c->tap_fd) ? "--net fd=N takes a file descriptor number"
						   : NULL;
	}
	if (!*v || strlen(v) >= 16 || strchr(v, '/'))
		return "--net takes a tap device name (at most 15 characters), fd=N or none";
	c->tap = v;
	return NULL;
}

/* "02:00:00:00:00:01": a unicast address (the low bit of byte 0 clear). */
static const char *parse_mac(struct hut_net_config *c, const char *v)
{
	unsigned b[6];
	char tail;
	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6 ||
	    strlen(v) != 17)
		return "--mac takes an Ethernet address like 02:00:00:00:00:01";
	if (b[0] & 1)
		return "--mac must be a unicast address (the first byte even)";
	for (int i = 0; i < 6; i++)
		c->mac[i] = (uint8_t)b[i];
	c->have_mac = true;
	return NULL;
}

static int parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*addr = a.s_addr;
	return 0;
}

/* ADDR/PREFIX; the prefix is required (a guess would be wrong as often as not). */
static const char *parse_ip(struct hut_net_config *c, const char *v)
{
	char buf[32];
	const char *slash = strchr(v, '/');
	char *end;
	if (!slash || (size_t)(slash - v) >= sizeof buf)
		return "--ip takes ADDRESS/PREFIX, e.g. 192.0.2.2/24";
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = 0;
	unsigned long prefix = strtoul(slash + 1, &end, 10);
	if (parse_ipv4(buf, &c->ipv4) || slash[1] < '0' || slash[1] > '9' || *end || prefix > 32)
		return "--ip takes ADDRESS/PREFIX, e.g. 192.0.2.2/24";
	c->prefix_len = (uint32_t)prefix;
	c->have_ip = true;
	return NULL;
}

static const char *net_option(const char *v)
{
	return parse_net(&hut_net.config, v);
}

static const char *mac_option(const char *v)
{
	return parse_mac(&hut_net.config, v);
}

static const char *ip_option(const char *v)
{
	return parse_ip(&hut_net.config, v);
}

static const char *gw_option(const char *v)
{
	hut_net.config.have_gw = true;
	return parse_ipv4(v, &hut_net.config.gateway) ? "--gw takes an IPv4 address" : NULL;
}

static const char *dns_option(const char *v)
{
	hut_net.config.have_dns = true;
	return parse_ipv4(v, &hut_net.config.dns) ? "--dns takes an IPv4 address" : NULL;
}

const struct hut_option hut_net_options[HUT_NET_OPTIONS] = {
	{"--net", NULL, true, net_option}, {"--mac", NULL, true, mac_option},
	{"--ip", NULL, true, ip_option},   {"--gw", NULL, true, gw_option},
	{"--dns", NULL, true, dns_option},
};

const char *hut_net_options_done(void)
{
	const struct hut_net_config *c = &hut_net.config;
	if (!c->wanted && (c->ipv4 || c->gateway || c->dns || c->have_mac))
		return "--mac, --ip, --gw and --dns need --net";
	return NULL;
}

/* --net none gives the guest an interface whose frames go nowhere: a
 * guest that waits for its first client reaches its ready point all the
 * same, so `hut pack --snapshot` can snapshot it without a tap, and the
 * restore gives the real one. Anything else would be an appliance that
 * looks networked and is not. */
static void check_none(struct hut_vm *vm)
{
	if (hut_net.config.none && (!vm->opt->snapshot || vm->opt->restore))
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "--net none (a device with no host side) is for --snapshot only: run "
			 "or restore with --net TAP or --net fd=N");
}

void hut_net_check_image(struct hut_vm *vm)
{
	const struct hut_manifest *m = &vm->img.manifest;
	check_none(vm);
	if (hut_net.config.wanted)
		return;
	for (uint32_t i = 0; i < m->device_count && i < HUT_DEVICES_MAX; i++)
		if (m->devices[i].type == HUT_DEVICE_NET &&
		    !(m->devices[i].flags & HUT_DEVICE_OPTIONAL))
			hut_fail(vm, HUT_EXIT_BAD_IMAGE,
				 "image needs a network device '%s' (give --net TAP or --net fd=N)",
				 m->devices[i].name);
}
