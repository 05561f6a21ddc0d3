# shellcheck shell=bash
# Shared helpers for the integration tests; sourced, never run.
#
# A test file calls `begin NAME`, any number of `expect_*` checks, then
# `finish`, which prints one line: `PASS NAME`, `FAIL NAME (why; why)` or
# `SKIP NAME (why)`. tests/run-all.sh counts those lines. Details of a
# failure follow it on lines indented by four spaces.

# shellcheck disable=SC2034 # used by the files that source this one
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin
IMAGES=$ROOT/build/apps
MONITOR=${HUT_TEST_MONITOR:-$BIN/hut-monitor} # asan.sh runs the suites on a sanitized build
HUT=$BIN/hut
RUN_LIMIT=${HUT_TEST_RUN_LIMIT:-30} # seconds before a single run counts as hung
# Waits for something to happen are this many times longer in the nested
# guest (tests/vm), where every instruction is emulated. Never a speed check.
SLOW=1
[ -n "${HUT_NESTED:-}" ] && SLOW=5
KVM_DEVICE=${HUT_TEST_KVM_DEVICE:-/dev/kvm} # another path only to test the SKIP path

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-test.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
WORK=$TMP/work # the current directory of every program we run
mkdir -p "$WORK"

ulimit -c 0    # crash tests must not leave core files behind
ulimit -s 8192 # the process's stack limit decides where `overflow` stops

# --- reporting ---------------------------------------------------------------

TEST_NAME=
TEST_WHY=()
TEST_DETAILS=()
TEST_SHOWN=" " # files already quoted in the details

begin() {
	TEST_NAME=$1
	TEST_WHY=()
	TEST_DETAILS=()
	TEST_SHOWN=" "
}

# problem WHY [DETAIL...]: records a failed check of the current test.
problem() {
	TEST_WHY+=("$1")
	shift
	TEST_DETAILS+=("$@")
}

# detail_file LABEL FILE: the first lines of FILE as details.
detail_file() {
	local line n=0
	[[ "$TEST_SHOWN" == *" $2 "* ]] && return
	TEST_SHOWN+="$2 "
	[ -s "$2" ] || { TEST_DETAILS+=("$1: (empty)"); return; }
	TEST_DETAILS+=("$1:")
	while IFS= read -r line && [ $n -lt 25 ]; do
		TEST_DETAILS+=("  ${line:0:200}")
		n=$((n + 1))
	done < <(LC_ALL=C tr -c '\n[:print:]\t' '?' <"$2")
}

finish() {
	local IFS=';'
	if [ ${#TEST_WHY[@]} -eq 0 ]; then
		echo "PASS $TEST_NAME"
	else
		local why="${TEST_WHY[*]}"
		echo "FAIL $TEST_NAME (${why//;/; })"
		local d
		for d in "${TEST_DETAILS[@]}"; do
			echo "    $d"
		done
	fi
}

skip() {
	echo "SKIP $1 ($2)"
}

# need_kvm: true when KVM tests can run. Otherwise ends the current test:
# FAIL if a check already failed, else SKIP, loudly.
need_kvm() {
	[ -e "$KVM_DEVICE" ] && return 0
	if [ ${#TEST_WHY[@]} -gt 0 ]; then
		finish
	else
		skip "$TEST_NAME" "no /dev/kvm: KVM tests NOT run (tests/run-all.sh runs them in tests/vm)"
	fi
	return 1
}

# need_file PATH: true when PATH exists; otherwise records a problem.
need_file() {
	[ -e "$1" ] && return 0
	problem "missing $1 (did make build it?)"
	return 1
}

# ready PATH...: true when every PATH exists; otherwise ends the current
# test with a FAIL.
ready() {
	local p ok=1
	for p in "$@"; do
		need_file "$p" || ok=0
	done
	[ $ok = 1 ] || finish
	[ $ok = 1 ]
}

# ready_kvm PATH...: as ready, and KVM tests can run (else SKIP, loudly).
ready_kvm() {
	ready "$@" && need_kvm
}

# --- running -------------------------------------------------------------------

# run TAG CMD [ARG...]: runs CMD in $WORK with no stdin; its stdout and
# stderr go to $TMP/TAG.out and $TMP/TAG.err. Sets ST (the status a shell
# shows: 128+N when killed by signal N) and MS (wall-clock milliseconds).
# A run longer than RUN_LIMIT seconds is killed and sets HUNG=1.
run() {
	local tag=$1 t0
	shift
	t0=$(date +%s%N)
	# The braces catch the shell's own "Segmentation fault" remarks.
	{ (cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" "$@") \
		>"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null; } 2>/dev/null
	ST=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	HUNG=0
	[ $MS -ge $((RUN_LIMIT * SLOW * 1000)) ] && HUNG=1
	return 0
}

out() { echo "$TMP/$1.out"; }
err() { echo "$TMP/$1.err"; }

# --- checks ----------------------------------------------------------------------

# expect_status TAG WANT: the run TAG (the last run) ended with status WANT.
expect_status() {
	if [ "$HUNG" = 1 ]; then
		problem "$1 hung (killed after ${RUN_LIMIT}s)"
	elif [ "$ST" != "$2" ]; then
		problem "$1 exited $ST, expected $2" 
		detail_file "$1 stderr" "$(err "$1")"
	fi
}

# expect_same_file WHAT FILE_A FILE_B: byte-identical files.
expect_same_file() {
	cmp -s "$2" "$3" && return 0
	problem "$1 differ"
	TEST_DETAILS+=("$(cmp "$2" "$3" 2>&1 | head -1)")
	# Lines only for text; bigout's bytes would be noise.
	if grep -Iq . "$2" 2>/dev/null || grep -Iq . "$3" 2>/dev/null; then
		local line
		TEST_DETAILS+=("diff < $(basename "$2") > $(basename "$3"):")
		while IFS= read -r line; do
			TEST_DETAILS+=("${line:0:200}")
		done < <(diff -a "$2" "$3" | head -8 | LC_ALL=C tr -c '\n[:print:]\t' '?')
	fi
}

# expect_grep WHAT PATTERN FILE: FILE has a line matching the ERE.
expect_grep() {
	grep -Eq -- "$2" "$3" && return 0
	problem "$1"
	detail_file "$(basename "$3")" "$3"
}

# expect_no_grep WHAT PATTERN FILE: no line of FILE matches the ERE.
expect_no_grep() {
	grep -Eq -- "$2" "$3" || return 0
	problem "$1"
	detail_file "$(basename "$3")" "$3"
}

# expect_monitor_error TAG WANT: the monitor refused with status WANT, said
# why in exactly one `hut-monitor:` line, and printed nothing on stdout.
expect_monitor_error() {
	expect_status "$1" "$2"
	local lines
	lines=$(grep -c '^hut-monitor: ' "$(err "$1")")
	[ "$lines" = 1 ] || { problem "$1: $lines 'hut-monitor:' lines on stderr, expected 1"; detail_file stderr "$(err "$1")"; }
	[ -s "$(out "$1")" ] && { problem "$1 printed on stdout"; detail_file stdout "$(out "$1")"; }
	return 0
}

# --- images ----------------------------------------------------------------------

# compiler_flags NAME: the words after a lone `--` in apps/NAME/hutflags
# (`hut build` passes those to the compiler).
compiler_flags() {
	local f=$ROOT/apps/$1/hutflags word after=0
	[ -f "$f" ] || return 0
	# shellcheck disable=SC2013 # words, not lines
	for word in $(cat "$f"); do
		[ $after = 1 ] && echo "$word"
		[ "$word" = -- ] && after=1
	done
}

# reference NAME: builds apps/NAME as a plain static musl program (no hut
# involved) and prints its path. It is the yardstick for the hut image.
reference() {
	local ref=$TMP/ref/$1
	if [ ! -x "$ref" ]; then
		mkdir -p "$TMP/ref"
		# shellcheck disable=SC2046 # the flags are words
		musl-gcc -std=gnu11 -O2 -static $(compiler_flags "$1") -o "$ref" "$ROOT"/apps/"$1"/*.c \
			>"$TMP/ref-$1.log" 2>&1 || { echo "reference build of $1 failed" >&2; return 1; }
	fi
	echo "$ref"
}

# byte_at FILE OFFSET / flip_byte FILE OFFSET: read / invert one byte.
byte_at() {
	od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '
}
flip_byte() {
	local b
	b=$(byte_at "$1" "$2")
	# shellcheck disable=SC2059 # the format is built on purpose
	printf "$(printf '\\%03o' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# text_offset IMAGE: a file offset in the middle of the first executable
# PT_LOAD's file bytes (its code).
text_offset() {
	local type offset vaddr paddr filesz rest
	while read -r type offset vaddr paddr filesz rest; do
		if [ "$type" = LOAD ] && [[ " $rest " == *" R E "* ]]; then
			echo $((offset + filesz / 2))
			return 0
		fi
	done < <(readelf -lW "$1" 2>/dev/null)
	return 1
}

# abi_constant NAME: the value of an integer constant from abi.h, as the C
# compiler sees it.
abi_constant() {
	printf '#include <hut/abi.h>\n#include <stdio.h>\nint main(void) { printf("%%llu\\n", (unsigned long long)(%s)); }\n' "$1" |
		gcc -x c -I "$ROOT/include" -o "$TMP/abi_constant" - && "$TMP/abi_constant"
}

# --- the differential check --------------------------------------------------------

# differential TEST IMAGE REFERENCE WANT [ARG...]
# Runs REFERENCE (a plain build, or "-" for none), IMAGE as a Linux process
# and IMAGE under the monitor, all with ARGs. All must print the same stdout
# and end with the same status. WANT is the exit status all must show;
# "crash:N" means killed by signal N-128 (status N), and plain "crash" means
# killed by a signal, whichever the plain program shows. The monitor must
# explain a crash in a `hut-monitor:` line on stderr, and must not warn about
# unimplemented syscalls unless ALLOW_WARNINGS=1. USE_MONITOR, when set,
# names another monitor (an installed one).
differential() {
	local test=$1 image=$2 ref=$3 want=$4 crash=0
	shift 4
	case $want in crash*) crash=1 want=${want#crash}; want=${want#:} ;; esac
	begin "$test"
	need_file "$image" || { finish; return; }
	if [ "$ref" != - ]; then
		run ref "$ref" "$@"
		[ -z "$want" ] && { [ "$ST" -gt 128 ] || problem "reference did not crash (status $ST)"; want=$ST; }
		expect_status ref "$want"
	fi
	run proc "$image" "$@"
	[ -z "$want" ] && { [ "$ST" -gt 128 ] || problem "process did not crash (status $ST)"; want=$ST; }
	expect_status proc "$want"
	[ "$ref" != - ] && expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"

	if need_kvm; then
		run appl "${USE_MONITOR:-$MONITOR}" "$image" "$@"
		expect_status appl "$want"
		expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
		if [ $crash = 1 ]; then
			expect_grep "no 'hut-monitor:' line explaining the crash" '^hut-monitor:' "$(err appl)"
		fi
		if [ "${ALLOW_WARNINGS:-0}" != 1 ]; then
			expect_no_grep "libos warned about a syscall musl needs" 'not implemented' "$(err appl)"
		fi
		finish
	fi
}

# --- files: a process that sees what the appliance sees -------------------------------
# The file tests (files.sh, volumes.sh) compare an image run as a process
# with the same image run as an appliance, and the process must then see
# the same files at the same paths: it runs in a root of its own (a private
# mount namespace, unshare -m -r, then chroot) arranged as the appliance
# sees things: a read-only root, a fresh tmpfs at /tmp, /dev's devices, the
# packed files copied read-only to their paths, each volume's host
# directory bind-mounted (read-only for :ro).

# Without a private mount namespace there is no process to compare with.
CAN_UNSHARE=0
unshare -m -r true 2>/dev/null && CAN_UNSHARE=1

# files_process TAG IMAGE [ARG...]: IMAGE run in such a root.
# VOLUMES: "HOST:GUEST[:ro]" words (PVOLUMES, when set, for the process
# alone); PACKED: "DIR:GUEST" words, copied in. The image is /image in that
# root, or PNAME (a program that reads its argv[0], as busybox does).
files_process() {
	local tag=$1 image=$2 root=$TMP/root-$1 setup v host rest guest
	shift 2
	rm -rf "$root"
	mkdir -p "$root/tmp" "$root/dev" "$root/proc"
	local at=/${PNAME:-image}
	touch "$root$at"
	# The root is read-only, as the image's files are; what is mounted on it is not.
	# /proc is the host's (the appliance has the libos's).
	setup="mount --bind '$root' '$root'; mount -t tmpfs -o size=16m tmpfs '$root/tmp'"
	setup+="; mount --rbind /proc '$root/proc'"
	setup+="; mount --bind '$image' '$root$at'"
	for v in null zero full random urandom; do
		touch "$root/dev/$v"
		setup+="; mount --bind /dev/$v '$root/dev/$v'"
	done
	for v in ${PACKED:-}; do # read-only, as the image's files are
		mkdir -p "$root${v#*:}"
		cp -a "${v%%:*}/." "$root${v#*:}/"
		setup+="; mount --bind '$root${v#*:}' '$root${v#*:}'"
		setup+="; mount -o remount,bind,ro '$root${v#*:}'"
	done
	for v in ${PVOLUMES:-${VOLUMES:-}}; do
		host=${v%%:*} rest=${v#*:} guest=${rest%%:*}
		mkdir -p "$root$guest"
		setup+="; mount --bind '$host' '$root$guest'"
		[ "${rest##*:}" = ro ] && setup+="; mount -o remount,bind,ro '$root$guest'"
	done
	setup+="; mount -o remount,bind,ro '$root'"
	run "$tag" unshare -m -r sh -c "set -e; $setup; exec chroot '$root' $at \"\$@\"" sh "$@"
}

# files_appliance TAG IMAGE [ARG...]: the same under the monitor, with VOLUMES
# (or AVOLUMES, for the appliance alone).
files_appliance() {
	local tag=$1 image=$2 v opts=()
	shift 2
	for v in ${AVOLUMES:-${VOLUMES:-}}; do opts+=(--volume "$v"); done
	run "$tag" "$MONITOR" "${opts[@]}" "$image" "$@"
}

# files_differential NAME IMAGE [ARG...]: one differential test: the same stdout and
# status both ways, and no warning from the libos.
files_differential() {
	local name=$1 image=$2
	shift 2
	begin "$name"
	if [ $CAN_UNSHARE = 0 ]; then
		problem "cannot make a private mount namespace (unshare -m -r) for the process"
		finish
		return
	fi
	ready "$image" || return
	files_process proc "$image" "$@"
	local want=$ST
	[ "$HUNG" = 1 ] && problem "the process hung"
	if need_kvm; then
		files_appliance appl "$image" "$@"
		expect_status appl "$want"
		expect_same_file "process and appliance stdout" "$(out proc)" "$(out appl)"
		expect_no_grep "the libos warned" '^hut: warning' "$(err appl)"
		finish
	fi
}

# tree_of DIR: what a directory holds, for comparing two of them.
tree_of() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' -type f -printf '  %s bytes\n' | sort)
}
