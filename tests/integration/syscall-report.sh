#!/bin/bash
# `hut inspect --syscalls` and what hut build does with it (builder/
# syscall_report.c, syscall_table.c): every syscall strace sees an image
# make as a process is in the image's report; the report's "libos" column
# is what libos/sys/syscall.c's table says (read here by grep, not by the
# builder's script); hut build warns for a syscall the libos does not serve,
# and links only the handlers an image can reach.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs
TABLE=$ROOT/libos/sys/syscall.c

# report TAG IMAGE: `hut inspect --syscalls IMAGE` into TAG's files.
report() {
	run "$1" "$HUT" inspect --syscalls "$2"
}

# listed TAG: the syscall names of TAG's report, one a line.
listed() {
	awk 'NR > 3 && $1 ~ /^[0-9]+$/ { print $2 }' "$(out "$1")"
}

# traced PREFIX IMAGE: the names of the syscalls in the `strace -ff -o
# PREFIX` files (one a process) that IMAGE's code made: a process's lines
# until it executes another program (busybox's sh runs host programs), but
# not the execve strace made to start the image, nor restart_syscall: the
# kernel's, not the image's (a signal's return resumes an interrupted sleep
# through it: a CI run saw one in jobctl.hut, whose sleep a signal cut).
traced() {
	local f
	for f in "$1".*; do
		# An execve strace split in two (unfinished, then resumed) ends
		# the image's part at its resumed line.
		awk -v img="$2" '
			/^execve\(/ && / = 0$/ && index($0, "execve(\"" img "\"") != 1 { exit }
			/^execve\(/ && /<unfinished \.\.\.>$/ && index($0, "execve(\"" img "\"") != 1 { other = 1 }
			/^<\.\.\. execve resumed>/ && / = 0$/ && other { exit }
			match($0, /^[a-z_0-9]+\(/) { print substr($0, 1, RLENGTH - 1) }
		' "$f"
	done | sort -u | grep -vx -e execve -e restart_syscall
}

# expect_covered TAG PREFIX IMAGE: every syscall the image made under strace
# is in TAG's report, or the report says the image may make any.
expect_covered() {
	local missing
	missing=$(comm -23 <(traced "$2" "$3") <(listed "$1" | sort -u) | tr '\n' ' ')
	[ -z "$missing" ] && return 0
	grep -q '^any: *yes' "$(out "$1")" && return 0
	problem "$1: strace saw syscalls the report does not list: $missing"
	detail_file "$1 report" "$(out "$1")"
}

# expect_table_status TAG: each listed syscall's status is the table's: a
# row `[SYS_name] = hut_sys_...` is served, `= HUT_NOOP(...)` a no-op, no
# row unserved (rt_sigreturn has none: the entry serves it first).
expect_table_status() {
	local nr name status want row
	while read -r nr name status _; do
		row=$(grep -E "^[[:space:]]*\[SYS_$name\] = " "$TABLE")
		if [ "$name" = rt_sigreturn ]; then
			want=served
		elif [ -z "$row" ]; then
			want=unserved
		elif [[ "$row" == *HUT_NOOP\(* ]]; then
			want=no-op
		else
			want=served
		fi
		[ "$status" = "$want" ] || problem "$1: $name ($nr) is '$status', the table says '$want'"
	done < <(awk 'NR > 3 && $1 ~ /^[0-9]+$/' "$(out "$1")")
}

# strace_image PREFIX IMAGE [ARG...]: IMAGE run as a process under strace
# -ff (killed after 5 s: servers do not end), in $WORK.
strace_image() {
	local prefix=$1
	shift
	(cd "$WORK" && timeout -s KILL 5 strace -f -ff -qq -o "$prefix" "$@" \
		</dev/null >/dev/null 2>&1)
}

# check_image TAG IMAGE [ARG...]: the report of IMAGE against strace of IMAGE
# run with ARGs.
check_image() {
	local tag=$1 image=$2
	shift 2
	begin "syscall report of $(basename "$image") covers strace"
	ready "$image" || return 0
	report "$tag" "$image"
	expect_status "$tag" 0
	strace_image "$TMP/$tag.strace" "$image" "$@"
	ls "$TMP/$tag.strace".* >/dev/null 2>&1 || problem "$tag: strace wrote nothing"
	expect_covered "$tag" "$TMP/$tag.strace" "$image"
	expect_table_status "$tag"
	finish
}

for image in "$IMAGES"/*.hut "$BUILT"/*.hut; do
	name=$(basename "$image" .hut)
	case $name in
	# It runs /bin/sh, whose children (forked by the shell, not by it)
	# strace cannot tell from its own: debian-busybox.sh runs it.
	shell_out) ;;
	args | env) check_image "$name" "$image" one two ;;
	*) check_image "$name" "$image" ;;
	esac
done

# busybox (tests/debian/debian.mk): several applets, one report. Its own
# Makefile strips the image it installs: that one's report is the one hut-cc
# recorded in it, the same as the analysis of busybox_unstripped (the image
# before strip).
BUSYBOX=$ROOT/build/debian/busybox.hut
UNSTRIPPED=$ROOT/build/debian/busybox-build/busybox_unstripped
begin "syscall report of busybox covers strace of its applets"
if ready "$BUSYBOX" "$UNSTRIPPED"; then
	report busybox "$BUSYBOX"
	expect_status busybox 0
	expect_grep "busybox's report was not recorded" '^recorded: by hut build' "$(out busybox)"
	expect_grep "busybox's report says any" '^any: *no' "$(out busybox)"
	report unstripped "$UNSTRIPPED"
	expect_status unstripped 0
	diff <(listed busybox) <(listed unstripped) >"$TMP/bb.diff" ||
		{ problem "the recorded report is not the analysis's"; detail_file diff "$TMP/bb.diff"; }
	n=0
	for cmd in "ls -la /" "sh -c 'echo hi; x=\$(echo a b); echo \$x; exit 3'" \
		"sed -n 1p /etc/passwd" "sort /etc/group" "find /etc -name host*" \
		"date" "sleep 0.1" "wc -l /etc/passwd" "cp /etc/hostname f" "mv f g" "rm g" \
		"mkdir d" "rmdir d" "id" "uname -a" "stat /" "df /" "md5sum /etc/passwd" \
		"tar cf t.tar /etc/hostname" "gzip -c /etc/passwd" "ps" "hostname" "env" \
		"touch x" "ln -s x y" "readlink y" "chmod 600 x" "du -s /etc" "seq 3" \
		"head -c 10 /dev/urandom" "dd if=/dev/zero of=z bs=1k count=4" "nproc"; do
		n=$((n + 1))
		eval "strace_image $TMP/bb$n.strace $BUSYBOX $cmd"
	done
	cat "$TMP"/bb*.strace.* >/dev/null 2>&1 || problem "strace wrote nothing"
	for f in "$TMP"/bb*.strace.*; do cp "$f" "$TMP/busybox.strace.${f##*/}"; done
	expect_covered busybox "$TMP/busybox.strace" "$BUSYBOX"
	expect_table_status busybox
	finish
fi

# A program making two syscalls the libos does not serve: vserver through
# syscall() with a constant, tuxcall by a raw `syscall` with a constant.
cat >"$TMP/unserved.c" <<'EOF'
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void)
{
	long r = syscall(SYS_vserver);
	printf("vserver %ld %d\n", r, errno);
	long raw = SYS_tuxcall;
	__asm__ volatile("syscall" : "+a"(raw) : : "rcx", "r11", "memory");
	printf("tuxcall %ld\n", raw);
	return 0;
}
EOF
begin "hut build warns for each unserved syscall, naming where it comes from"
run build "$HUT" build -o "$TMP/unserved.hut" "$TMP/unserved.c"
expect_status build 0
expect_grep "no warning for vserver" \
	"^hut: warning: .*unserved.hut: syscall vserver \(236\) is not served by the libos.*main \(through syscall\)" \
	"$(err build)"
expect_grep "no warning for tuxcall" \
	"^hut: warning: .*unserved.hut: syscall tuxcall \(184\) is not served by the libos.*main \(raw syscall\)" \
	"$(err build)"
[ "$(grep -c warning "$(err build)")" = 2 ] || {
	problem "not exactly two warnings"
	detail_file stderr "$(err build)"
}
report unserved "$TMP/unserved.hut"
expect_grep "vserver not unserved in the report" '^  236  *vserver  *unserved' "$(out unserved)"
expect_grep "tuxcall not unserved in the report" '^  184  *tuxcall  *unserved' "$(out unserved)"
expect_grep "the report says any" '^any: *no' "$(out unserved)"
finish

begin "an unserved syscall still fails with ENOSYS in the appliance"
if ready_kvm "$TMP/unserved.hut"; then
	run appl "$MONITOR" "$TMP/unserved.hut"
	expect_status appl 0
	expect_grep "vserver did not fail with ENOSYS" '^vserver -1 38$' "$(out appl)"
	expect_grep "tuxcall did not return -ENOSYS" '^tuxcall -38$' "$(out appl)"
	finish
fi

# A number computed at run time: the report says any syscall may be made,
# and the image keeps the whole table (getpid, which nothing else in the
# program makes, is served).
cat >"$TMP/computed.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	printf("%ld\n", argc > 1 ? syscall(atol(argv[1])) : -1L);
	return 0;
}
EOF
begin "a computed syscall number: the report says any, the image keeps every handler"
run build "$HUT" build -o "$TMP/computed.hut" "$TMP/computed.c"
expect_status build 0
report computed "$TMP/computed.hut"
expect_grep "no 'any: yes' for main" '^any: *yes: main calls syscall\(\) with a computed number' \
	"$(out computed)"
nm "$TMP/computed.hut" >"$TMP/computed.nm"
expect_grep "the whole table's getpid handler is missing" ' hut_sys_getpid$' "$TMP/computed.nm"
if ready_kvm "$TMP/computed.hut"; then
	run appl "$MONITOR" "$TMP/computed.hut" 39
	expect_status appl 0
	expect_grep "getpid by number did not give a pid" '^[1-9][0-9]*$' "$(out appl)"
	expect_no_grep "getpid was not served" 'not implemented' "$(err appl)"
fi
finish

# hello's table: only the handlers it can reach. rename is no syscall of
# hello's, so neither its handler nor tmpfs's rename is linked; an image
# that calls rename() has both.
begin "hello links only the syscall handlers it can reach"
HELLO=$IMAGES/hello.hut
if ready "$HELLO"; then
	nm "$HELLO" >"$TMP/hello.nm"
	expect_grep "hello lacks the writev handler puts needs" ' hut_sys_writev$' "$TMP/hello.nm"
	expect_no_grep "hello links the rename handler" ' hut_sys_rename$' "$TMP/hello.nm"
	expect_no_grep "hello links the socket handlers" ' hut_sys_socket$' "$TMP/hello.nm"
	printf '#include <stdio.h>\nint main(int c, char **v) { return rename(v[0], v[1]); }\n' \
		>"$TMP/ren.c"
	run build "$HUT" build -o "$TMP/ren.hut" "$TMP/ren.c"
	expect_status build 0
	nm "$TMP/ren.hut" >"$TMP/ren.nm"
	expect_grep "an image calling rename() lacks its handler" ' hut_sys_rename$' "$TMP/ren.nm"
	finish
fi

# An image stripped by hut build -s (or by strip afterwards): the report
# hut build recorded in it, the same syscalls as the image with symbols.
begin "a stripped image's report is the one recorded before strip"
run sbuild "$HUT" build -o "$TMP/hello-s.hut" "$ROOT/apps/hello/hello.c" -- -s
expect_status sbuild 0
report stripped "$TMP/hello-s.hut"
expect_status stripped 0
report full "$IMAGES/hello.hut"
expect_grep "no 'recorded' line" '^recorded: by hut build' "$(out stripped)"
expect_grep "the stripped image's report says any" '^any: *no' "$(out stripped)"
[ "$(listed stripped)" = "$(listed full)" ] || {
	problem "the stripped image lists other syscalls"
	detail_file stripped "$(out stripped)"
}
finish

# The builder's copy of the table comes from its rows by a script: a row in
# another form must stop the build, not drop out of every image's table.
begin "scripts/syscall-table.sh refuses a table row it cannot read"
sed 's/\[SYS_mlock\] = HUT_NOOP(hut_sys_mlock),/[SYS_mlock] = (hut_syscall_fn)hut_sys_mlock,/' \
	"$TABLE" >"$TMP/table.c"
run rows "$ROOT/scripts/syscall-table.sh" "$TABLE"
expect_status rows 0
expect_grep "mlock's row is not a no-op row" '^.\{149, "hut_sys_mlock", 1\},$' "$(out rows)"
run badrow "$ROOT/scripts/syscall-table.sh" "$TMP/table.c"
expect_status badrow 1
expect_grep "the odd row is not named" 'not a table row.*\[SYS_mlock\] = \(hut_syscall_fn\)' "$(err badrow)"
finish

begin "hut inspect --syscalls: help, a wrong flag, no image, a missing image"
run help "$HUT" inspect --help
expect_status help 0
expect_grep "--help does not name --syscalls" 'hut inspect --syscalls IMAGE' "$(out help)"
run wrong "$HUT" inspect --syscall "$IMAGES/hello.hut"
expect_status wrong 2
expect_grep "no clear error for a wrong flag" \
	'^hut: --syscall: unknown option \(see hut inspect --help\)$' "$(err wrong)"
run none "$HUT" inspect --syscalls
expect_status none 2
expect_grep "no clear error without an image" 'no image given' "$(err none)"
run missing "$HUT" inspect --syscalls "$TMP/nothing.hut"
expect_status missing 127
expect_grep "no clear error for a missing image" 'image not found' "$(err missing)"
run notelf "$HUT" inspect --syscalls "$TMP/unserved.c"
expect_status notelf 126
expect_grep "no clear error for a file that is no image" 'not an ELF file' "$(err notelf)"
finish

exit 0
