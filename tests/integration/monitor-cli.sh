#!/bin/bash
# hut-monitor's command line and its refusals: status 125 for a monitor
# problem, 126 for an image that cannot run, 127 for an image not found,
# always with one `hut-monitor:` line saying why.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut

begin "monitor --help"
if ready "$MONITOR"; then
	run help "$MONITOR" --help
	expect_status help 0
	for opt in --mem --timeout --trace-boot --quiet --env --core --no-sandbox --version; do
		grep -q -- "$opt" "$(out help)" || problem "--help (stdout) does not mention $opt"
	done
	finish
fi

begin "monitor --version"
if ready "$MONITOR"; then
	run version "$MONITOR" --version
	expect_status version 0
	expect_grep "--version prints no version number on stdout" '[0-9]' "$(out version)"
	finish
fi

begin "monitor without arguments"
if ready "$MONITOR"; then
	run noargs "$MONITOR"
	expect_status noargs 125
	expect_grep "no 'hut-monitor:' line" '^hut-monitor: ' "$(err noargs)"
	finish
fi

# bad_option TEST ARG...: the monitor refuses ARGs with 125 before running anything.
bad_option() {
	local test=$1
	shift
	begin "$test"
	if ready "$MONITOR" "$HELLO"; then
		run bad "$MONITOR" "$@"
		expect_monitor_error bad 125
		finish
	fi
}
bad_option "monitor unknown option" --no-such-option "$HELLO"
bad_option "monitor --mem 4K (below the minimum)" --mem 4K "$HELLO"
bad_option "monitor --mem 1T (above the maximum)" --mem 1T "$HELLO"
bad_option "monitor --mem abc" --mem abc "$HELLO"
bad_option "monitor --mem without a value" --mem
bad_option "monitor --timeout abc" --timeout abc "$HELLO"

begin "monitor missing image"
if ready_kvm "$MONITOR"; then
	run missing "$MONITOR" "$TMP/no-such-image.hut"
	expect_monitor_error missing 127
	expect_grep "the error does not name the image" 'no-such-image\.hut' "$(err missing)"
	finish
fi

# bad_image TEST FILE: the monitor refuses FILE with 126 and runs nothing.
bad_image() {
	begin "$1"
	if ready_kvm "$MONITOR" "$2"; then
		run badimg "$MONITOR" "$2"
		expect_monitor_error badimg 126
		finish
	fi
}
echo "this is not an ELF file" >"$TMP/text.hut"
: >"$TMP/empty.hut"
bad_image "monitor refuses a text file" "$TMP/text.hut"
bad_image "monitor refuses an empty file" "$TMP/empty.hut"
if [ -f "$HELLO" ]; then
	size=$(stat -c %s "$HELLO")
	head -c $((size / 2)) "$HELLO" >"$TMP/truncated.hut"
	cp "$HELLO" "$TMP/flipped.hut"
	offset=$(text_offset "$HELLO")
	[ -n "$offset" ] && flip_byte "$TMP/flipped.hut" "$offset"
fi
bad_image "monitor refuses a truncated image" "$TMP/truncated.hut"
bad_image "monitor refuses an image with one flipped code byte" "$TMP/flipped.hut"
# A valid static executable that was not built by hut has no manifest.
ref=$(reference hello) && bad_image "monitor refuses a static ELF without a manifest" "$ref"
bad_image "monitor refuses a dynamically linked host program" /bin/true

# An image built with `hut build --net` needs a network device: without
# --net it is refused in one line that says what to give.
begin "monitor refuses an image that needs --net without one"
if ready_kvm "$MONITOR" "$HUT"; then
	"$HUT" build --net -o "$TMP/needsnet.hut" "$ROOT/apps/hello/hello.c" >/dev/null 2>&1 ||
		problem "hut build --net failed"
	run needsnet "$MONITOR" "$TMP/needsnet.hut"
	expect_monitor_error needsnet 126
	expect_grep "the error does not ask for --net" 'needs a network device.*--net' "$(err needsnet)"
	finish
fi

# A running image: options before the image belong to the monitor.
begin "monitor --trace-boot"
if ready_kvm "$MONITOR" "$HELLO"; then
	run proc "$HELLO" traced
	run trace "$MONITOR" --trace-boot "$HELLO" traced
	expect_status trace 0
	expect_same_file "stdout with --trace-boot and process stdout" "$(out proc)" "$(out trace)"
	# Phase names may be spelled "create VM", "create-vm", "create_vm".
	for phase in open 'create.vm' memory load vcpu main exit total; do
		grep -Ei -- "$phase.*[^a-z][0-9]+(\.[0-9]+)?" "$(err trace)" >/dev/null ||
			problem "no '$phase' phase with a number"
	done
	[ ${#TEST_WHY[@]} -gt 0 ] && detail_file "stderr" "$(err trace)"
	finish
fi

# KVM's own counts (its binary statistics, Linux 5.14 on): a guest that
# ran took page faults, and KVM saw at least every exit the monitor served.
begin "monitor --trace-boot: KVM's counts of faults and exits"
if ready_kvm "$MONITOR" "$HELLO"; then
	run kvmcount "$MONITOR" --trace-boot --trace-exits "$HELLO" traced
	expect_status kvmcount 0
	kvm_line=$(grep '^hut-monitor: trace-boot: KVM: ' "$(err kvmcount)")
	faults=$(sed -n 's/.*KVM: \([0-9]*\) guest page faults mapped, [0-9]* exits .*/\1/p' <<<"$kvm_line")
	kvm_exits=$(sed -n 's/.*KVM: [0-9]* guest page faults mapped, \([0-9]*\) exits .*/\1/p' <<<"$kvm_line")
	served=$(sed -n 's/^hut-monitor: trace-exits: \([0-9]*\) exits to the monitor.*/\1/p' "$(err kvmcount)")
	if [ -z "$faults" ] || [ -z "$kvm_exits" ]; then
		problem "no 'KVM: N guest page faults mapped, M exits' line"
	elif [ -z "$served" ]; then
		problem "no trace-exits count to compare with"
	else
		[ "$faults" -gt 0 ] || problem "KVM mapped no page for a guest that ran"
		[ "$kvm_exits" -ge "$served" ] ||
			problem "KVM counted $kvm_exits exits, fewer than the $served the monitor served"
	fi
	[ ${#TEST_WHY[@]} -gt 0 ] && detail_file "stderr" "$(err kvmcount)"
	finish
fi

# --quiet discards the guest's console output, not the monitor's own
# messages nor the guest's exit status.
quiet() {
	local name=$1 want=$2
	begin "monitor --quiet $name"
	if ready_kvm "$MONITOR" "$IMAGES/$name.hut"; then
		run quiet "$MONITOR" --quiet "$IMAGES/$name.hut"
		expect_status quiet "$want"
		[ -s "$(out quiet)" ] && { problem "--quiet still wrote to stdout"; detail_file stdout "$(out quiet)"; }
		grep -v '^hut-monitor: ' "$(err quiet)" | grep -q . &&
			{ problem "--quiet let guest output through to stderr"; detail_file stderr "$(err quiet)"; }
		[ "$want" -gt 128 ] && expect_grep "no 'hut-monitor:' line explaining the crash" '^hut-monitor:' "$(err quiet)"
		finish
	fi
}
quiet hello 0
quiet null 139

# The smallest RAM the ABI allows must be enough for hello; a larger one works too.
for mib in $(($(abi_constant HUT_MEM_MIN) >> 20)) 256; do
	begin "monitor --mem ${mib}M"
	if ready_kvm "$MONITOR" "$HELLO"; then
		run proc "$HELLO" "$mib"
		run mem "$MONITOR" --mem "${mib}M" "$HELLO" "$mib"
		expect_status mem 0
		expect_same_file "appliance and process stdout" "$(out proc)" "$(out mem)"
		finish
	fi
done

# The monitor's options may be combined; all precede the image.
begin "monitor --mem 32M --timeout 5 --trace-boot"
if ready_kvm "$MONITOR" "$HELLO"; then
	run proc "$HELLO" combined
	run comb "$MONITOR" --mem 32M --timeout 5 --trace-boot "$HELLO" combined
	expect_status comb 0
	expect_same_file "appliance and process stdout" "$(out proc)" "$(out comb)"
	finish
fi

# --hostname: the guest's uname nodename (gethostname), which the guest may
# change (sethostname: it is root in its own box); else the service name.
APP=$ROOT/build/tests/programs/oci_app.hut
begin "monitor --hostname sets the guest's host name; the guest may change it"
if ready_kvm "$MONITOR" "$APP"; then
	run named "$MONITOR" --hostname pod-7.example "$APP" hostname renamed
	expect_status named 0
	printf 'hostname pod-7.example\nhostname renamed\n' >"$TMP/named.want"
	expect_same_file "the guest's host names" "$TMP/named.want" "$(out named)"
	run default "$MONITOR" "$APP" hostname
	expect_status default 0
	expect_grep "without --hostname the host name is not the service name" '^hostname oci_app$' "$(out default)"
	run long "$MONITOR" --hostname "$(printf 'a%.0s' {1..65})" "$APP" hostname
	expect_status long 125
	expect_grep "a 65-byte --hostname is not refused with why" 'hostname takes 1 to 64 bytes' "$(err long)"
	finish
fi

# A ':' or '\' in a volume's paths, escaped: the guest reads the file there.
begin "monitor --volume with ':' and '\\' in both paths"
if ready_kvm "$MONITOR" "$APP"; then
	mkdir -p "$TMP/a:b\\c"
	echo "through a colon" >"$TMP/a:b\\c/msg.txt"
	run colon "$MONITOR" --volume "${TMP//:/\\:}/a\\:b\\\\c:/d\\:x:ro" "$APP" cat "/d:x/msg.txt"
	expect_status colon 0
	expect_same_file "the volume's file" "$TMP/a:b\\c/msg.txt" "$(out colon)"
	run unescaped "$MONITOR" --volume "$TMP/a:b:/d" "$APP" cat /d/msg.txt
	expect_status unescaped 125
	finish
fi

# Sizes: one too large for 64 bits says so; guest RAM beyond the host's
# (or beyond hut's 32 GiB maximum, on a host with more) is refused.
begin "monitor --mem: a size past 2^64 and RAM the host lacks are refused with why"
if ready "$MONITOR" "$HELLO"; then
	run huge "$MONITOR" --mem 1073741824T "$HELLO"
	expect_status huge 125
	expect_grep "2^70 bytes is not called too large" '^hut-monitor: --mem 1073741824T is too large' "$(err huge)"
	run big "$MONITOR" --mem 32G "$HELLO"
	expect_status big 125
	expect_grep "32G is not refused with why" 'is more than this host.s [0-9]+ MiB|above the 32 GiB maximum' "$(err big)"
	[ "$(wc -l <"$(err big)")" = 1 ] || problem "not one line for --mem 32G"
	finish
fi

# --volume's third field is a comma-separated option list: :ro and :rw as
# before, size= and owner= beside them, the escapes in the paths unchanged.
begin "monitor --volume OPTIONS: ro,size=64M and rw,size=1G,owner=... with escaped paths"
if ready_kvm "$MONITOR" "$APP"; then
	vol="${TMP//:/\\:}/a\\:b\\\\c"
	for o in ro,size=64M size=64M,ro rw,size=1G,owner=mapped owner=passthrough rw ro; do
		run "opt-$o" "$MONITOR" --volume "$vol:/d\\:x:$o" "$APP" cat "/d:x/msg.txt"
		expect_status "opt-$o" 0
		expect_same_file "the volume's file with :$o" "$TMP/a:b\\c/msg.txt" "$(out "opt-$o")"
	done
	finish
fi

# A bad option list is refused before anything starts: 125 and one line.
begin "monitor --volume refuses a bad option in one line that names it"
if ready "$MONITOR"; then
	for o in bogus ro,bogus size=0 size=12Q size= owner=root ro,rw size=1M,size=2M "ro," ",ro" "" \
		"ro:x" "RO"; do
		run badopt "$MONITOR" --volume "$TMP:/d:$o" "$APP" cat /d/msg.txt
		expect_monitor_error badopt 125
		expect_grep "--volume ...:$o: the error does not say --volume" '^hut-monitor: --volume ' "$(err badopt)"
	done
	run unknown "$MONITOR" --volume "$TMP:/d:ro,bogus" "$APP" cat /d/msg.txt
	expect_grep "an unknown option is not named" "unknown option 'bogus'" "$(err unknown)"
	run badsize "$MONITOR" --volume "$TMP:/d:size=12Q" "$APP" cat /d/msg.txt
	expect_grep "a bad size is not named" "size= takes a size like 64M or 1G, not '12Q'" "$(err badsize)"
	finish
fi

begin "monitor --help describes --volume's options"
run help "$MONITOR" --help
expect_status help 0
for o in "ro | rw" "size=SIZE" "owner=mapped" "owner=passthrough"; do
	expect_grep "--help does not mention $o" "$o" "$(out help)"
done
finish

exit 0
