#!/bin/bash
# shellcheck disable=SC2016 # the bash -c scripts below get their values as arguments
# Density (docs/ARCHITECTURE.md, "Density"): a few hundred idle appliances of
# one image at once (programs/idle.c, started by bench/density.py, two at a
# time), each answering a line on its stdin, then all stopped: each must exit
# 0 at the end of its stdin, and nothing may be left running (no monitor of
# this test's own copy of the image) nor any descriptor leaked by the one
# who started them. An idle appliance must hold at most 1 MiB of host memory
# (its monitor's PSS, guest RAM included). And the host limits a monitor
# meets at scale (ulimit -n, memory) each end it with status 125 and one
# line that names the limit, never a hang.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "density: the idle program, process and appliance alike" \
	"$BUILT/idle.hut" "$BUILT/idle-ref" 0 hello

COPIES=300
[ -n "${HUT_NESTED:-}" ] && COPIES=60 # every guest instruction is emulated there
MAX_PSS_KIB=1024

# A copy of the image whose path is this test's alone: what is left running
# afterwards is found by it, whatever else runs on the host.
begin "density: $COPIES idle appliances answer, stop at the end of their stdin, leave nothing behind"
if ready_kvm "$BUILT/idle.hut"; then
	mkdir -p "$TMP/built/bin" "$TMP/built/tests/programs"
	cp "$BUILT/idle.hut" "$TMP/built/tests/programs/idle.hut"
	ln -s "$MONITOR" "$TMP/built/bin/hut-monitor"
	run density python3 "$ROOT/bench/density.py" --max "$COPIES" --launchers hut \
		--workloads idle --json "$TMP/density.json" "$TMP/built"
	expect_status density 0
	if [ -s "$TMP/density.json" ]; then
		python3 - "$TMP/density.json" "$COPIES" "$MAX_PSS_KIB" >"$TMP/verdict" 2>&1 <<'EOF' ||
import json, sys
r = json.load(open(sys.argv[1]))[0]
n, most = int(sys.argv[2]), float(sys.argv[3])
lim = r["limit"]
if r["reached"] != n:
    print("%d of %d started; limit: %s" % (r["reached"], n, lim))
if r["answered"] != r["reached"]:
    print("%d of %d answered their line" % (r["answered"], r["reached"]))
if r["stopped_clean"] != r["reached"] or r["killed"]:
    print("%d of %d exited 0 at the end of stdin, %d killed" % (r["stopped_clean"], r["reached"], r["killed"]))
if r["left_running"] or r["fds_leaked"]:
    print("%d processes left running, %d descriptors leaked" % (r["left_running"], r["fds_leaked"]))
last = r["rows"][-1] if r["rows"] else None
if not last or last["pss_kib"] > most:
    print("PSS per idle appliance %s KiB, more than %d" % (last and round(last["pss_kib"]), most))
EOF
			echo "no readable results from bench/density.py" >>"$TMP/verdict"
		[ -s "$TMP/verdict" ] && problem "$(tr '\n' ';' <"$TMP/verdict")"
	else
		problem "no results from bench/density.py"
		detail_file stderr "$(err density)"
	fi
	left=$(pgrep -fc "$TMP/built/tests/programs/idle.hut")
	[ "$left" = 0 ] || problem "$left monitors of this test still run"
	finish
fi

# httpd on each appliance's own loopback stack (no tap): up, then SIGTERM
# ends each (its status 143 or 0), and nothing is left.
HTTPD_COPIES=100
[ -n "${HUT_NESTED:-}" ] && HTTPD_COPIES=20
begin "density: $HTTPD_COPIES idle httpd appliances start and end at SIGTERM, leaving nothing behind"
if ready_kvm "$IMAGES/httpd.hut"; then
	mkdir -p "$TMP/built/apps"
	cp "$IMAGES/httpd.hut" "$TMP/built/apps/httpd.hut"
	run httpd python3 "$ROOT/bench/density.py" --max "$HTTPD_COPIES" --launchers hut \
		--workloads httpd --json "$TMP/httpd.json" "$TMP/built"
	expect_status httpd 0
	python3 - "$TMP/httpd.json" "$HTTPD_COPIES" >"$TMP/httpd-verdict" 2>&1 <<'EOF2' ||
import json, sys
r = json.load(open(sys.argv[1]))[0]
n = int(sys.argv[2])
if r["reached"] != n:
    print("%d of %d started; limit: %s" % (r["reached"], n, r["limit"]))
if r["stopped_clean"] != r["reached"] or r["killed"] or r["left_running"] or r["fds_leaked"]:
    print("%d of %d ended at SIGTERM, %d killed, %d left, %d fds leaked" % (
        r["stopped_clean"], r["reached"], r["killed"], r["left_running"], r["fds_leaked"]))
EOF2
		echo "no readable results from bench/density.py" >>"$TMP/httpd-verdict"
	[ -s "$TMP/httpd-verdict" ] && problem "$(tr '\n' ';' <"$TMP/httpd-verdict")"
	left=$(pgrep -fc "$TMP/built/apps/httpd.hut")
	[ "$left" = 0 ] || problem "$left httpd monitors of this test still run"
	finish
fi

# Freed memory goes back to the host when the guest idles (libos/mem/giveback.c,
# monitor/modules/release.c): the same bytes as glibc, new memory zero, and what
# is written after reaches the host; after 16 MiB touched and freed, the
# monitor holds little (it held 19 MiB before the release hypercall).
differential "density: memory touched, freed and touched again reads the same as with glibc" \
	"$BUILT/giveback.hut" "$BUILT/giveback-ref" 0
MAX_FREED_PSS_KIB=4096
begin "density: 16 MiB an appliance touched and freed go back to the host when it idles"
if ready_kvm "$BUILT/giveback.hut"; then
	cat >"$TMP/freed.py" <<'EOF'
import subprocess, sys, time
monitor, image, most = sys.argv[1], sys.argv[2], int(sys.argv[3])

def pss_kib(pid):
    for row in open("/proc/%d/smaps_rollup" % pid):
        if row.startswith("Pss:"):
            return int(row.split()[1])
    return 0

p = subprocess.Popen([monitor, image], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
for pause in (b"slept", b"read stdin"):
    line = b""
    while not line.startswith(b"freed"):
        line = p.stdout.readline()
        if not line:
            sys.exit("the appliance ended before it freed its memory (%d)" % p.wait())
    # It gives back as it goes idle, just after saying so: allow it 2 s.
    for _ in range(200):
        pss = pss_kib(p.pid)
        if pss <= most:
            break
        time.sleep(0.01)
    if pss > most:
        sys.exit("after freeing 16 MiB (%s) the monitor holds %d KiB, more than %d"
                 % (line.strip().decode(), pss, most))
    p.stdin.write(b"go\n")
    p.stdin.flush()
p.stdin.close()
p.stdout.read()
if p.wait() != 0:
    sys.exit("the appliance exited %d" % p.returncode)
EOF
	run freed python3 "$TMP/freed.py" "$MONITOR" "$BUILT/giveback.hut" "$MAX_FREED_PSS_KIB"
	expect_status freed 0
	finish
fi

# ulimit -n N for N from 3 up: the monitor either boots or says, in its one
# line, that ulimit -n is the limit; at least one N must be too few.
begin "density: too few file descriptors (ulimit -n) end the monitor with 125 and one line naming the limit"
if ready_kvm "$BUILT/idle.hut"; then
	refused=0
	for n in 3 4 5 6 7 8 9 10 11 12 16; do
		run "nofile-$n" bash -c 'ulimit -n "$1" && exec "$2" "$3" hello' sh "$n" "$MONITOR" \
			"$BUILT/idle.hut"
		if [ "$ST" = 0 ]; then
			expect_grep "ulimit -n $n: booted without its output" '^idle: hello$' "$(out "nofile-$n")"
			continue
		fi
		refused=$((refused + 1))
		expect_monitor_error "nofile-$n" 125
		expect_grep "ulimit -n $n: the line does not name the limit" 'ulimit -n' "$(err "nofile-$n")"
	done
	[ "$refused" -gt 0 ] || problem "no ulimit -n from 3 to 16 was too few"
	run nofile-16 bash -c 'ulimit -n 16 && exec "$1" "$2" hello' sh "$MONITOR" "$BUILT/idle.hut"
	expect_status nofile-16 0
	finish
fi

begin "density: too little memory (ulimit -v) ends the monitor with 125 and one line naming it"
if ready_kvm "$BUILT/idle.hut"; then
	run nomem bash -c 'ulimit -v 16384 && exec "$1" "$2" hello' sh "$MONITOR" "$BUILT/idle.hut"
	expect_monitor_error nomem 125
	expect_grep "the line does not say memory ran out" 'out of memory' "$(err nomem)"
	finish
fi
