#!/bin/bash
# busybox from Debian's source package, built unmodified by its own
# kbuild-style Makefiles with CC=hut-cc (tests/debian/debian.mk: partial
# links with $(CC) -r, archives in --start-group, <linux/...> headers):
# its applets on files of a volume, as a process (in a root of its own,
# lib.sh's files_process) and as an appliance: the same output and status.
# hut-test: needs-kvm
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BB=$ROOT/build/debian/busybox.hut

IN=$TMP/input
mkdir -p "$IN"
seq 1 5000 | sed 's/$/ a line of text/' >"$IN/text"
printf 'pear 3\napple 10\nfig 7\napple 2\n' >"$IN/fruit"
head -c 65536 /dev/urandom >"$IN/random"
rm -rf "$TMP/bp" "$TMP/ba"
cp -a "$IN" "$TMP/bp"
cp -a "$IN" "$TMP/ba"
# busybox picks its applet by argv[0]: as a process it runs as /busybox, as
# an appliance its argv[0] is its service name (busybox_unstripped).
export PVOLUMES="$TMP/bp:/data" AVOLUMES="$TMP/ba:/data" PNAME=busybox

files_differential "busybox echo" "$BB" echo hello from busybox
files_differential "busybox sha256sum" "$BB" sha256sum /data/text /data/random
files_differential "busybox md5sum" "$BB" md5sum /data/random
files_differential "busybox wc" "$BB" wc /data/text /data/fruit
files_differential "busybox sort -k2 -n" "$BB" sort -k2 -n /data/fruit
files_differential "busybox tail" "$BB" tail -n 3 /data/text
files_differential "busybox grep -c" "$BB" grep -c apple /data/fruit
files_differential "busybox sed" "$BB" sed -n 's/apple/APPLE/p' /data/fruit
files_differential "busybox awk" "$BB" awk '{ s += $2 } END { print s, NR }' /data/fruit
files_differential "busybox cut" "$BB" cut -d ' ' -f 1 /data/fruit
files_differential "busybox od" "$BB" od -An -tx1 -N 32 /data/random
files_differential "busybox base64" "$BB" base64 /data/fruit
files_differential "busybox find" "$BB" find /data -name 'f*'
files_differential "busybox seq" "$BB" seq 3 7
files_differential "busybox date -u of a fixed time" "$BB" date -u -d @1000000000 '+%Y-%m-%d %H:%M:%S'
files_differential "busybox sh -c (builtins only)" "$BB" sh -c 'echo $((6 * 7)); x=abc; echo ${#x}'
# The shell forks (processes in the appliance): command substitution, a
# pipeline into a group, a subshell's status, a background job and wait,
# 50 substitutions in a loop; builtins only (an external command needs exec).
files_differential "busybox sh forks: substitutions, pipelines, subshells, jobs" "$BB" sh -c \
	'x=$(echo hi; echo there); echo "[$x]"
	echo a b c | { read p q r; echo "$r $q $p"; }
	(exit 3); echo "subshell $?"
	(echo in the background; exit 5) & wait $!; echo "job $?"
	echo $(( $(echo 2) + $(echo 3) ))
	i=0; while [ $i -lt 50 ]; do x=$(echo $i); i=$((i + 1)); done; echo "last $x"
	trap "echo child ended" CHLD; (exit 0); wait; echo done'
# External commands: /bin on a volume holds busybox and links named after
# its applets, as a busybox system has them; the shell forks and execs
# /bin/seq, /bin/sort..., as they are the same file for the process.
BBIN=$TMP/bbin
mkdir -p "$BBIN"
cp "$BB" "$BBIN/busybox"
for applet in cat sort wc seq tr head sh sleep ps pidof pgrep; do ln -sf busybox "$BBIN/$applet"; done
PVOLUMES="$PVOLUMES $BBIN:/bin" AVOLUMES="$AVOLUMES $BBIN:/bin" \
	files_differential "busybox sh runs applets by exec: pipelines, substitutions, a script" \
	"$BB" sh -c 'seq 1 5 | sort -r | tr "\n" " "; echo
	n=$(seq 100 | wc -l); echo "lines: $n"
	head -n 2 /data/fruit | cat
	sh -c "echo a child shell, \$0" named; echo "its status: $?"'
# Another program's system() and popen(): /bin/sh is busybox, an image
# other than the appliance's (it runs on the appliance's libos), which
# forks and execs its applets in turn.
SHELL_OUT=$ROOT/build/tests/programs/shell_out.hut
PNAME=shell_out PVOLUMES="$PVOLUMES $BBIN:/bin" AVOLUMES="$AVOLUMES $BBIN:/bin" \
	files_differential "system() and popen() of busybox's sh from another program" "$SHELL_OUT"
files_differential "busybox gzip -k writes text.gz" "$BB" gzip -k -9 /data/text
begin "busybox gzip left the same text.gz both ways"
if need_kvm; then
	cmp -s "$TMP/bp/text.gz" "$TMP/ba/text.gz" || problem "text.gz differs"
	finish
fi
files_differential "busybox gunzip -c gives the text back" "$BB" gunzip -c /data/text.gz
begin "busybox gunzip -c's output is the input"
if need_kvm; then
	cmp -s "$(out appl)" "$IN/text" || problem "the appliance's round trip changed the text"
	finish
fi
# ps, pidof and pgrep read every process's /proc/<pid> (another process's
# files are read from inside it): the shell, its background sleep and ps
# itself, in the appliance (a process would list the host's).
begin "busybox ps, pidof and pgrep see the appliance's processes"
if need_kvm; then
	run ps "$MONITOR" --volume "$BBIN:/bin" "$BB" sh -c 'sleep 30 & ps; echo "pidof: $(pidof sleep)"
		pgrep -l sleep; kill $!; wait $!; echo "sleep ended $?"'
	expect_status ps 0
	expect_grep "ps does not list the shell as pid 1" '^ +1 root +[0-9:]+ .*busybox.* sh -c sleep 30' "$(out ps)"
	expect_grep "ps does not list the background sleep" '^ +2 root +[0-9:]+ sleep 30$' "$(out ps)"
	expect_grep "ps does not list itself" '^ +3 root +[0-9:]+ ps$' "$(out ps)"
	expect_grep "pidof does not find the sleep" '^pidof: 2$' "$(out ps)"
	expect_grep "pgrep -l does not find the sleep" '^2 sleep$' "$(out ps)"
	expect_grep "the sleep was not killed by kill" '^sleep ended 143$' "$(out ps)"
	finish
fi
