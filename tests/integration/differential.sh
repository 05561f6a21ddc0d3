#!/bin/bash
# Every example app, run three ways: a plain musl build (the yardstick), the
# hut image as a Linux process, and the hut image as a KVM appliance. The
# stdout bytes and the exit status must agree.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# app NAME WANT [ARG...]: the differential check of build/apps/NAME.hut.
app() {
	local name=$1 want=$2 ref
	shift 2
	ref=$(reference "$name") || ref=-
	differential "$name${*:+ $*}" "$IMAGES/$name.hut" "$ref" "$want" "$@"
}

# --- programs that end normally -----------------------------------------------
app hello 0
app hello 0 a 'b c'
app data 0
app float 0
app tls 0
app regs 0
app malloc 0
app clock 0
app signals 0

# Exit statuses pass through; the kernel keeps only the low 8 bits.
for status in 0 1 42 255; do
	app args "$status" "$status"
done
app args 0 256
app args 255 -1

# Arguments arrive intact: empty strings, spaces, tabs, UTF-8, monitor-like
# flags (which belong to the app once the image is named), many of them, and
# a long one.
ref=$(reference args) || ref=-
differential "args (empty, spaces, tab, UTF-8, --mem 4K --help)" "$IMAGES/args.hut" "$ref" 7 \
	7 '' 'two words' '  leading and trailing  ' $'tab\there' 'ünïcødé' --mem 4K --help
many=()
for i in $(seq 1 200); do many+=("arg$i"); done
long=$(head -c 6000 /dev/zero | tr '\0' x)
ref=$(reference args) || ref=-
differential "args (200 args and a 6000-byte one)" "$IMAGES/args.hut" "$ref" 3 3 "${many[@]}" "$long"

# --- 1 MiB of output, byte for byte ---------------------------------------------
app bigout 0
begin "bigout length and sha256"
if ready_kvm "$IMAGES/bigout.hut"; then
	run proc "$IMAGES/bigout.hut"
	run appl "$MONITOR" "$IMAGES/bigout.hut"
	size=$(stat -c %s "$(out appl)")
	[ "$size" = 1048576 ] || problem "appliance wrote $size bytes, not 1048576"
	sum_proc=$(sha256sum <"$(out proc)" | cut -d' ' -f1)
	sum_appl=$(sha256sum <"$(out appl)" | cut -d' ' -f1)
	[ "$sum_proc" = "$sum_appl" ] || problem "sha256 differs: process $sum_proc, appliance $sum_appl"
	finish
fi

# Through a pipe the console meets short writes and back-pressure; a reader
# that stops early (head) makes a process die of SIGPIPE (141).
begin "bigout through pipes"
if ready_kvm "$IMAGES/bigout.hut"; then
	pipe_sums() { # CMD...: "sha256 status" of CMD's stdout read through a pipe
		(cd "$WORK" && timeout -s KILL "$RUN_LIMIT" "$@" 2>/dev/null </dev/null | sha256sum | cut -d' ' -f1
			echo "${PIPESTATUS[0]}") | tr '\n' ' '
	}
	pipe_head() { # CMD...: the status of CMD when its reader leaves after 10 bytes
		(cd "$WORK" && timeout -s KILL "$RUN_LIMIT" "$@" 2>/dev/null </dev/null | head -c 10 >/dev/null
			echo "${PIPESTATUS[0]}")
	}
	proc=$(pipe_sums "$IMAGES/bigout.hut")
	appl=$(pipe_sums "$MONITOR" "$IMAGES/bigout.hut")
	[ "$proc" = "$appl" ] || problem "through a pipe: process '$proc', appliance '$appl' (sha256 status)"
	proc=$(pipe_head "$IMAGES/bigout.hut")
	appl=$(pipe_head "$MONITOR" "$IMAGES/bigout.hut")
	[ "$proc" = "$appl" ] || problem "reader gone: process exited $proc, appliance $appl"
	finish
fi

# --- crashes: the status a Linux process would show ------------------------------
app trap crash:132
app null crash:139
app wtext crash:139
app smash crash # musl's __stack_chk_fail crashes on purpose; the process shows how
app abort crash:134
app signals crash:134 abort # a SIGABRT handler that returns: abort() still ends it
app raise crash:143
app overflow crash:139
app divzero crash:136

# --- a syscall nobody implements ------------------------------------------------
# Linux answers vserver and tuxcall with ENOSYS too, so stdout must match.
# The libos must warn exactly once per syscall number.
ALLOW_WARNINGS=1 app nosys 0
begin "nosys warns once per syscall"
if ready_kvm "$IMAGES/nosys.hut"; then
	run appl "$MONITOR" "$IMAGES/nosys.hut"
	expect_status appl 0
	expect_grep "no 'continued' line" '^continued$' "$(out appl)"
	for sc in vserver tuxcall; do
		nr=$(sed -n "s/^#define __NR_${sc}[[:space:]]\+\([0-9]\+\)$/\1/p" /usr/include/x86_64-linux-gnu/asm/unistd_64.h)
		n=$(grep -c "^hut: warning: syscall $sc ($nr) not implemented" "$(err appl)")
		[ "$n" = 1 ] || { problem "$n warnings for $sc, expected 1"; detail_file stderr "$(err appl)"; }
	done
	n=$(grep -c 'not implemented' "$(err appl)")
	[ "$n" = 2 ] || problem "$n 'not implemented' lines in all, expected 2"
	finish
fi

# --- a program that never ends -----------------------------------------------------
begin "spin --timeout 1"
if ready_kvm "$IMAGES/spin.hut"; then
	run proc timeout 1 "$IMAGES/spin.hut"
	expect_status proc 124
	run appl "$MONITOR" --timeout 1 "$IMAGES/spin.hut"
	expect_status appl 124
	# The bound includes the monitor's own start, slow in the nested guest
	# (and slower still under ASan): 3 s on real KVM, 11 s there.
	[ "$MS" -lt $((1000 + 2000 * SLOW)) ] || problem "took ${MS} ms to time out after 1 s"
	[ "$MS" -ge 900 ] || problem "stopped after ${MS} ms, before the 1 s timeout"
	expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
	finish
fi

exit 0
