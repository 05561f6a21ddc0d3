#!/bin/bash
# --env: the appliance's environment is exactly what --env gives it, in
# order, as `env -i NAME=VALUE... IMAGE` gives a process; --env NAME passes
# the monitor's own value, and nothing when it has none.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

ENVAPP=$IMAGES/env.hut

begin "env: --env NAME=VALUE and --env NAME, as env -i gives a process"
if ready_kvm "$MONITOR" "$ENVAPP"; then
	run proc env -i A=1 'B=two words' HOME=/home/hut "$ENVAPP" x 'y z'
	run appl env HOME=/home/hut "$MONITOR" --env A=1 -e 'B=two words' --env HOME \
		--env HUT_SURELY_UNSET "$ENVAPP" x 'y z'
	expect_status proc 0
	expect_status appl 0
	expect_same_file "stdout differs from the process's" "$(out proc)" "$(out appl)"
	expect_grep "HOME not passed" '^getenv HOME: /home/hut$' "$(out appl)"
	finish
fi

begin "env: none given, none there"
if ready_kvm "$MONITOR" "$ENVAPP"; then
	run proc env -i "$ENVAPP"
	run appl "$MONITOR" "$ENVAPP"
	expect_same_file "stdout differs from the process's" "$(out proc)" "$(out appl)"
	expect_no_grep "the guest has an environment" '^env ' "$(out appl)"
	finish
fi

begin "env: a bad --env is refused"
if ready "$MONITOR"; then
	run bad "$MONITOR" --env =x "$ENVAPP"
	expect_monitor_error bad 125
	finish
fi
