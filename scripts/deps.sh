#!/bin/sh
# Installs the Debian packages hut needs to build and test, or, when not root,
# prints the exact command to run. Usage: scripts/deps.sh [build|test|net|bench|vm|oci]
set -e
pkgs="gcc binutils make linux-libc-dev musl-dev musl-tools libelf-dev zlib1g-dev libssl-dev libjansson-dev pkg-config dpkg-dev"
case "${1:-build}" in
build) ;;
# iproute2, iputils-ping, curl, wrk and python3: the network tests (tests/integration/net/),
# make demo's network part and make bench-net.
net) pkgs="$pkgs python3 iproute2 iputils-ping curl wrk" ;;
# tcl: SQLite's Makefile makes its amalgamation with tclsh; autoconf: rsync's
# Makefile remakes its configure.sh from Debian's patched configure.ac
# (tests/debian/debian.mk).
test) pkgs="$pkgs tcl autoconf libcriterion-dev clang libclang-rt-dev gdb python3 strace iproute2 iputils-ping curl wrk" ;;
bench) pkgs="$pkgs libcriterion-dev crun runc qemu-system-x86 util-linux cpio linux-image-cloud-amd64" ;;
# The nested-KVM guest of tests/vm (hosts without /dev/kvm).
vm) pkgs="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod iproute2" ;;
# hut-oci's tests: real containerd and podman, the runtimes hut-oci hands
# ordinary containers to, and the OCI schemas with a validator; iproute2
# (ip, tc), iputils-ping and curl for the pod network test (oci-net.sh).
oci) pkgs="containerd podman crun runc golang-github-opencontainers-specs-dev golang-github-opencontainers-image-spec-dev python3-jsonschema iproute2 iputils-ping curl" ;;
*) echo "usage: $0 [build|test|net|bench|vm|oci]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "hut: installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "hut: missing Debian packages. Run as root:" >&2
	echo "    apt-get install -y$missing" >&2
	exit 1
fi
