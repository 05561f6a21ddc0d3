#!/bin/bash
# `hut bench` and `hut pack`: every launcher row is a measurement or `n/a`
# with a reason, the --json samples parse, the --svg chart is written.
# Launchers that are not installed (crun, runc, QEMU) must say so, which
# passes: this test never installs anything.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut
LAUNCHERS="process hut hut-restore hut-pool namespaces crun runc qemu-linux qemu-floor"

begin "bench: every launcher measured or n/a with a reason"
if ready_kvm "$HUT" "$HELLO"; then
	RUN_LIMIT=120 run bench "$HUT" bench --runs 3 --warmup 1 --json "$TMP/bench.json" \
		--svg "$TMP/bench.svg" "$HELLO"
	expect_status bench 0
	for l in $LAUNCHERS; do
		# name, then median/min/max in ms, or "n/a" and at least one word.
		expect_grep "row $l is neither a measurement nor n/a with a reason" \
			"^$l +([0-9]+\.[0-9]+ +){3}[0-9.]+x|^$l +n/a +[^ ]" "$(out bench)"
	done
	expect_grep "hut was not measured" '^hut +[0-9]' "$(out bench)"
	expect_grep "the process was not measured" '^process +[0-9]' "$(out bench)"
	expect_grep "no hut boot phases" '^hut boot phases' "$(out bench)"
	finish
fi

begin "bench: --json parses and holds every sample"
if [ -s "$TMP/bench.json" ]; then
	python3 - "$TMP/bench.json" "$LAUNCHERS" >"$TMP/json.log" 2>&1 <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
names = [l["name"] for l in d["launchers"]]
assert names == sys.argv[2].split(), names
for l in d["launchers"]:
    if l["status"] == "ok":
        assert len(l["samples"]) == d["runs"] == 3, l
        assert all(s["wall_us"] > 0 for s in l["samples"]), l
    else:
        assert l["status"] == "n/a" and l["reason"], l
PY
		{ problem "the --json file is not what it should be"; detail_file log "$TMP/json.log"; }
	grep -q '^<svg' "$TMP/bench.svg" 2>/dev/null || problem "no --svg chart written"
	finish
else
	problem "no --json file written"
	finish
fi

# hello never waits for input: hut-restore has no snapshot to restore.
begin "bench: hut-restore and hut-pool are n/a for an image that never gets to a ready point"
if [ -s "$(out bench)" ]; then
	expect_grep "hut-restore is not n/a for hello" '^hut-restore +n/a +no snapshot: ' "$(out bench)"
	expect_grep "hut-pool is not n/a for hello" '^hut-pool +n/a +no snapshot: ' "$(out bench)"
	finish
fi

# An image that calls hut_ready(): a snapshot is made once, each run restores it
# (hut-restore) or takes a monitor of a pool made ready to restore it (hut-pool).
begin "bench: hut-restore and hut-pool measure restores of an image with a ready point"
READY=$ROOT/build/tests/programs/ready.hut # tests/integration/programs/programs.mk
if ready_kvm "$HUT" "$READY"; then
	RUN_LIMIT=120 run rbench "$HUT" bench --runs 3 --warmup 1 "$READY"
	expect_status rbench 0
	expect_grep "hut-restore was not measured" '^hut-restore +([0-9]+\.[0-9]+ +){3}[0-9.]+x' \
		"$(out rbench)"
	expect_grep "hut-pool was not measured" '^hut-pool +([0-9]+\.[0-9]+ +){3}[0-9.]+x' \
		"$(out rbench)"
	# The pool is stopped at the end: no monitor of it is left.
	pgrep -f -- "--pool .*$(basename "$READY")" >/dev/null && problem "hut bench left its pool running"
	finish
fi

begin "bench: a missing image is refused with 127"
if ready "$HUT"; then
	run missing "$HUT" bench "$TMP/nonexistent.hut"
	expect_status missing 127
	finish
fi

begin "pack: writes a bundle crun and runc can read"
if ready "$HUT" "$HELLO"; then
	run pack "$HUT" pack --bundle "$TMP/bundle" "$HELLO" a b
	expect_status pack 0
	[ -x "$TMP/bundle/rootfs/hello.hut" ] || problem "rootfs/hello.hut missing or not executable"
	python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["process"]["args"] == ["/hello.hut", "a", "b"]' \
		"$TMP/bundle/config.json" 2>"$TMP/pack.log" ||
		{ problem "config.json does not parse or has the wrong args"; detail_file log "$TMP/pack.log"; }
	finish
fi

begin "pack: usage errors"
if ready "$HUT"; then
	run noargs "$HUT" pack "$HELLO"
	expect_status noargs 2
	finish
fi
