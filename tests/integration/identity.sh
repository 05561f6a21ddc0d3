#!/bin/bash
# Identity (programs/identity.c), run as root: the user and group ids with
# Linux's rules and their EPERM cases, supplementary groups, capabilities
# before and after dropping (keepcaps too), files created carrying the ids,
# permission checks after a drop (a 0600 root file, search permission, the
# sticky bit, chmod, chown, utimes, truncate), access() with the real ids,
# and resource limits enforced (RLIMIT_NOFILE: EMFILE at the limit, a hard
# limit raised back EPERM; RLIMIT_DATA, RLIMIT_AS). The same bytes and
# status as a glibc program, as a process and as an appliance: in /tmp
# (the appliance's tmpfs), on a volume (checked as on a bind mount: the
# host file's mode and the owner the guest sees), and on a packed file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk

# The program drops to uid 65534 and must reach its files then: a
# directory every user may search, whatever $TMP's mode.
SHARED=$(mktemp -d /tmp/hut-identity-test.XXXXXX)
chmod 0755 "$SHARED"
trap 'rm -rf "$SHARED"' EXIT

if [ "$(id -u)" != 0 ]; then
	begin "identity: needs root"
	problem "run as root: the program changes its ids as root does"
	finish
fi

begin "identity in /tmp: ids, groups, capabilities, permissions, rlimits"
if ready_kvm "$BUILT/identity.hut" "$BUILT/identity-ref"; then
	run ref "$BUILT/identity-ref"
	expect_status ref 0
	run proc "$BUILT/identity.hut"
	expect_status proc 0
	expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"
	run appl "$MONITOR" "$BUILT/identity.hut"
	expect_status appl 0
	expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
	expect_no_grep "libos warned about a syscall" 'not implemented' "$(err appl)"
	# Not a test that cannot fail: the drop must have refused something.
	expect_grep "no EACCES after the drop" '^open secret O_RDONLY *-1 EACCES$' "$(out appl)"
	expect_grep "the program left its directory" '^remove the directory *0$' "$(out ref)"
	finish
fi

# A volume is a host directory: the process works in it directly, the
# appliance through --volume, and both must see the same (the host file's
# mode, the owner the guest gave it).
begin "identity on a volume: the same checks as on a bind mount"
if ready_kvm "$BUILT/identity.hut" "$BUILT/identity-ref"; then
	mkdir -m 0755 "$SHARED/vol"
	run ref "$BUILT/identity-ref" "$SHARED/vol"
	expect_status ref 0
	run appl "$MONITOR" --volume "$SHARED/vol:/vol" "$BUILT/identity.hut" /vol
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	expect_no_grep "libos warned about a syscall" 'not implemented' "$(err appl)"
	[ -z "$(ls -A "$SHARED/vol")" ] || problem "the program left files in the volume"
	finish
fi

# The image's packed files are root's: a 0600 one is unreadable after a drop.
begin "identity on a packed file: a 0600 root file after a drop"
if ready_kvm "$BUILT/identity-packed.hut" "$BUILT/identity-ref"; then
	install -m 0600 "$BUILT/identity-secret" "$SHARED/secret"
	run ref "$BUILT/identity-ref" --packed "$SHARED/secret"
	expect_status ref 0
	run appl "$MONITOR" "$BUILT/identity-packed.hut" --packed /etc/secret
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	expect_grep "the packed file was readable after the drop" '^open as 65534 *-1 EACCES$' \
		"$(out appl)"
	finish
fi
