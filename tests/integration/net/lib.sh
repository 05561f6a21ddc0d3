# shellcheck shell=bash
# Network namespaces for the network tests; sourced after lib.sh. Every
# namespace, tap and veth a test makes lives in a namespace named
# hut-<pid>-<name> and is removed at exit; addresses come from the
# documentation ranges 192.0.2.0/24 and 198.51.100.0/24 only.

NET_SPACES=()
net_cleanup() {
	local ns
	for ns in "${NET_SPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'net_cleanup; rm -rf "$TMP"' EXIT

# net_usable: ip netns works here (root, netns and tun support).
net_usable() {
	command -v ip >/dev/null && [ -c /dev/net/tun ] && [ "$(id -u)" = 0 ]
}

# net_ns NAME: creates the namespace (loopback up, no IPv6 chatter) and
# sets NS to its full name (not a $(...): the list of namespaces to remove
# lives in this shell).
net_ns() {
	NS=hut-$$-$1
	ip netns add "$NS" || return 1
	NET_SPACES+=("$NS")
	ip -n "$NS" link set lo up
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# net_tap NS TAP [ADDR/PREFIX]: a tap in NS, up, with the host-side address.
net_tap() {
	ip -n "$1" tuntap add dev "$2" mode tap || return 1
	[ -n "${3:-}" ] && ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}

# net_veth NS_A NAME_A ADDR_A NS_B NAME_B ADDR_B: a veth pair across two namespaces.
net_veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || return 1
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# in_ns NS CMD...: runs CMD in NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
