#!/bin/bash
# hut-oci's command line driven directly, as a shim or podman drives it, on
# a bundle from `hut pack --bundle`: create stops before the guest runs
# (nothing printed, the container's process is still the runtime's init)
# and start lets it run; state is runtime-spec JSON (checked against the
# schema Debian ships) naming the caller's bundle; kill delivers signals to
# the guest, kill --all too; delete --force ends a running one; run returns
# the guest's status; state shows the guest's process counts as annotations;
# features is JSON; errors are runc's: exit 1, one
# line, and a {"level":"error","msg":...} line under --log-format json.
# The lower runtime is one the host's cgroup layout allows (runc where crun
# refuses hybrid cgroups); a resource limit the host cannot grant is
# lowered for the monitor, with a warning in the log. The config's hostname
# is the guest's; bind mounts with ':' in their paths become volumes. A
# config with an integer beyond int64 is handed on for a plain container,
# refused for a hut image.
# hut-test: needs-kvm (oci_ready calls need_kvm)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=oci-lib.bash
. "$(dirname "$0")/oci-lib.bash"

R=$TMP/state # hut-oci --root
oci() { "$OCI" --root "$R" "$@"; }

# status_of ID: the container's status from `state`, or "none".
status_of() {
	oci state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo none
}

# wait_status ID WANT: true once ID's status is WANT (RUN_LIMIT at most).
wait_status() {
	local i
	for ((i = 0; i < RUN_LIMIT * SLOW * 10; i++)); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# bundle NAME ARG...: $TMP/NAME, running oci_app.hut with ARGs.
bundle() {
	local dir=$TMP/$1
	shift
	"$HUT" pack --bundle "$dir" "$APP_IMAGE" "$@" >/dev/null 2>&1 || problem "hut pack --bundle $* failed"
}

# created ID BUNDLE: hut-oci create, the container's stdio in $TMP/ID.out/.err.
created() {
	oci create --bundle "$TMP/$2" --pid-file "$TMP/$1.pid" "$1" >"$TMP/$1.out" 2>"$TMP/$1.err" </dev/null ||
		{ problem "create $1 failed"; detail_file "create $1" "$TMP/$1.err"; return 1; }
}

begin "hut-oci: create runs nothing, start runs the guest, state passes the schema"
if oci_ready crun; then
	bundle b-exit exit 7
	if created c1 b-exit; then
		sleep $((2 * SLOW)) # time enough for a guest to print, were it running
		[ -s "$TMP/c1.out" ] && { problem "the guest ran before start"; detail_file stdout "$TMP/c1.out"; }
		pid=$(cat "$TMP/c1.pid" 2>/dev/null)
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
		[[ $exe == *hut-monitor* ]] && problem "after create the container's process is already hut-monitor"
		oci state c1 >"$TMP/state-created.json" 2>"$TMP/state.err"
		python3 "$VALIDATE" "$RUNTIME_SCHEMAS" state-schema.json "$TMP/state-created.json" >"$TMP/v.log" 2>&1 ||
			{ problem "state JSON (created) fails the runtime-spec schema"; detail_file v "$TMP/v.log"; }
		[ "$(status_of c1)" = created ] || problem "status after create is $(status_of c1), not created"
		grep -q "\"bundle\":\"$TMP/b-exit\"" "$TMP/state-created.json" ||
			{ problem "state does not name the caller's bundle"; detail_file state "$TMP/state-created.json"; }
		oci start c1 2>"$TMP/start.err" || { problem "start failed"; detail_file start "$TMP/start.err"; }
		wait_status c1 stopped || problem "c1 never stopped (status $(status_of c1))"
		printf 'exit 7\n' >"$TMP/want-exit7"
		expect_same_file "the guest's stdout" "$TMP/want-exit7" "$TMP/c1.out"
		oci state c1 >"$TMP/state-stopped.json" 2>/dev/null
		python3 "$VALIDATE" "$RUNTIME_SCHEMAS" state-schema.json "$TMP/state-stopped.json" >"$TMP/v2.log" 2>&1 ||
			{ problem "state JSON (stopped) fails the runtime-spec schema"; detail_file v2 "$TMP/v2.log"; }
		oci delete c1 2>"$TMP/delete.err" || { problem "delete failed"; detail_file delete "$TMP/delete.err"; }
		[ "$(status_of c1)" = none ] || problem "state still answers after delete"
		[ -e "$R/hut/c1" ] && problem "hut-oci's record of c1 is left after delete"
	fi
	finish
fi

begin "hut-oci: state shows the guest's process counts as annotations (the monitor's --stats)"
if oci_ready crun; then
	"$HUT" pack --bundle "$TMP/b-procs" "$ROOT/build/tests/programs/vfork.hut" >/dev/null 2>&1 ||
		problem "hut pack --bundle vfork.hut failed"
	if created c9 b-procs; then
		oci start c9 2>"$TMP/start9.err" || { problem "start failed"; detail_file start "$TMP/start9.err"; }
		wait_status c9 stopped || problem "c9 never stopped (status $(status_of c9))"
		oci state c9 >"$TMP/state-procs.json" 2>/dev/null
		python3 "$VALIDATE" "$RUNTIME_SCHEMAS" state-schema.json "$TMP/state-procs.json" >"$TMP/v9.log" 2>&1 ||
			{ problem "state JSON with the counts fails the runtime-spec schema"; detail_file v9 "$TMP/v9.log"; }
		counts=$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])).get("annotations",{}); print(a.get("org.hut.processes.made"), a.get("org.hut.processes.max"))' "$TMP/state-procs.json" 2>&1)
		# vfork.c makes four children, one at a time.
		[ "$counts" = "4 2" ] ||
			{ problem "state's counts are '$counts', not '4 2' (made, at most at once)"; detail_file state "$TMP/state-procs.json"; }
		oci delete c9 2>/dev/null || problem "delete failed"
		[ -e "$R/hut/c9" ] && problem "hut-oci's record of c9 (its stats file) is left after delete"
	fi
	finish
fi

begin "hut-oci: kill TERM reaches the guest's handler, kill --all KILL ends it"
if oci_ready crun; then
	bundle b-term term
	if created k1 b-term; then
		oci start k1
		wait_for_line "$TMP/k1.out" '^term: waiting$' 30 || problem "k1 never said it was waiting"
		oci kill k1 TERM
		wait_for_line "$TMP/k1.out" '^handler: SIGTERM$' 30 || problem "SIGTERM: the guest's handler did not run"
		[ "$(status_of k1)" = running ] || problem "k1 is $(status_of k1) after a handled SIGTERM"
		oci kill --all k1 KILL
		wait_status k1 stopped || problem "kill --all KILL did not stop k1"
		oci delete k1
	fi
	finish
fi

begin "hut-oci: delete --force ends a running guest"
if oci_ready crun; then
	bundle b-wait wait
	if created f1 b-wait; then
		oci start f1
		wait_for_line "$TMP/f1.out" '^wait: waiting$' 30 || problem "f1 never said it was waiting"
		oci delete f1 2>"$TMP/del-running.err" && problem "delete without --force removed a running container"
		oci delete --force f1 2>"$TMP/del-force.err" || { problem "delete --force failed"; detail_file err "$TMP/del-force.err"; }
		[ "$(status_of f1)" = none ] || problem "f1 still there after delete --force"
	fi
	finish
fi

begin "hut-oci: run returns the guest's status"
if oci_ready crun; then
	bundle b-42 exit 42
	run run42 "$OCI" --root "$R" run --bundle "$TMP/b-42" r42
	expect_status run42 42
	expect_grep "no 'exit 42' from the guest" '^exit 42$' "$(out run42)"
	[ -e "$R/hut/r42" ] && problem "run left hut-oci's record behind"
	finish
fi

begin "hut-oci: the lower runtime is one that runs on this host's cgroups"
if ready "$OCI"; then
	# The layout as the test reads it, not as hut-oci does: crun refuses a
	# hybrid host whose cgroup2 enables any controller.
	want=crun
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		[ -n "$(tr -d ' \n' </sys/fs/cgroup/unified/cgroup.controllers)" ]; then
		want=runc
	fi
	run version "$OCI" --version
	expect_status version 0
	expect_grep "hut-oci did not choose $want here" "^lower runtime: [^ ]*/$want " "$(out version)"
	run chosen env HUT_OCI_RUNTIME=runc "$OCI" --version
	expect_grep "HUT_OCI_RUNTIME=runc is not obeyed" '^lower runtime: [^ ]*/runc \(HUT_OCI_RUNTIME' "$(out chosen)"
	run nosuch env HUT_OCI_RUNTIME=no-such-runtime "$OCI" --root "$R" state x1
	expect_status nosuch 1
	expect_grep "no reason for a missing HUT_OCI_RUNTIME" 'HUT_OCI_RUNTIME=no-such-runtime: no such runtime' "$(err nosuch)"
	finish
fi

begin "hut-oci: a resource limit above what the host grants runs, lowered, with a warning"
if oci_ready crun; then
	hard=$(ulimit -Hn)
	ask=$((hard + 1000))
	# Whether this host lets us raise it (CAP_SYS_RESOURCE): then nothing is lowered.
	grant=$hard
	(ulimit -Hn $ask) 2>/dev/null && grant=$ask
	bundle b-limit wait
	python3 -c 'import json,sys
p=sys.argv[1]+"/config.json"; c=json.load(open(p))
c["process"]["rlimits"]=[{"type":"RLIMIT_NOFILE","hard":int(sys.argv[2]),"soft":int(sys.argv[2])}]
json.dump(c,open(p,"w"))' "$TMP/b-limit" $ask
	oci_log=$TMP/limit.log
	if "$OCI" --root "$R" --log "$oci_log" create --bundle "$TMP/b-limit" --pid-file "$TMP/l1.pid" l1 \
		>"$TMP/l1.out" 2>"$TMP/l1.err" </dev/null; then
		oci start l1
		wait_for_line "$TMP/l1.out" '^wait: waiting$' 30 || problem "l1 never said it was waiting"
		pid=$(cat "$TMP/l1.pid")
		got=$(awk '/^Max open files/ { print $5 }' "/proc/$pid/limits" 2>/dev/null)
		[ "$got" = "$grant" ] || problem "the monitor's hard RLIMIT_NOFILE is '$got', not $grant (asked $ask)"
		if [ $grant != $ask ]; then
			expect_grep "no warning in hut-oci's log" "level=warning .*RLIMIT_NOFILE: hard limit $ask is above what this host grants \\($hard" "$oci_log"
		else
			expect_no_grep "a warning though the host grants the limit" 'level=warning' "$oci_log"
		fi
		oci kill l1 KILL
		wait_status l1 stopped || problem "l1 did not stop"
		oci delete l1
	else
		problem "create with RLIMIT_NOFILE $ask failed"
		detail_file create "$TMP/l1.err"
	fi
	finish
fi

# edit_config BUNDLE PYTHON: changes BUNDLE/config.json (the dict c).
edit_config() {
	python3 -c 'import json,sys
p=sys.argv[1]+"/config.json"; c=json.load(open(p))
exec(sys.argv[2])
json.dump(c,open(p,"w"))' "$TMP/$1" "$2"
}

begin "hut-oci: the config's hostname is the guest's; a bind mount with ':' in its paths is a volume"
if oci_ready crun; then
	bundle b-host hostname
	edit_config b-host 'c["hostname"]="pod-7"'
	run host "$OCI" --root "$R" run --bundle "$TMP/b-host" h1
	expect_status host 0
	expect_grep "the OCI hostname did not reach the guest" '^hostname pod-7$' "$(out host)"
	mkdir -p "$TMP/sh:ared"
	echo "from a host path with a colon" >"$TMP/sh:ared/msg.txt"
	bundle b-colon cat /da:ta/msg.txt
	edit_config b-colon 'c["mounts"].append({"destination":"/da:ta","type":"bind","source":sys.argv[1]+"/../sh:ared","options":["rbind","ro"]})'
	run colon "$OCI" --root "$R" run --bundle "$TMP/b-colon" m1
	expect_status colon 0
	expect_same_file "the volume's file" "$TMP/sh:ared/msg.txt" "$(out colon)"
	finish
fi

# An rlimit of 2^64-1 ("unlimited", as podman --ulimit host writes it) is
# beyond jansson's integers: hut-oci reads the config with every number a
# double, hands a plain container on, and refuses to rewrite a hut image's.
begin "hut-oci: an rlimit of 2^64-1: a plain container runs; a hut image is refused, naming it"
if oci_ready crun; then
	unlimited='c["process"]["rlimits"]=[{"type":"RLIMIT_CPU","hard":2**64-1,"soft":2**64-1}]'
	if ref=$(reference hello); then
		"$HUT" pack --plain --bundle "$TMP/b-plain" "$ref" world >/dev/null 2>&1 ||
			problem "hut pack --plain --bundle failed"
		edit_config b-plain "$unlimited"
		run plain "$OCI" --root "$R" run --bundle "$TMP/b-plain" p1
		expect_status plain 0
		expect_grep "the plain container did not run" 'world' "$(out plain)"
	else
		problem "the reference build of hello failed"
	fi
	bundle b-inf exit 0
	edit_config b-inf "$unlimited"
	run inf "$OCI" --root "$R" run --bundle "$TMP/b-inf" i1
	expect_status inf 1
	expect_grep "the refusal does not name the number" \
		"integer out of range .*near '18446744073709551615'" "$(err inf)"
	finish
fi

begin "hut-oci: errors as runc's (exit 1, one line, JSON log), features"
if ready "$OCI"; then
	run bad "$OCI" --root "$R" --log "$TMP/log.json" --log-format json create --bundle "$TMP/nowhere" e1
	expect_status bad 1
	[ "$(wc -l <"$(err bad)")" = 1 ] || { problem "not one line on stderr"; detail_file stderr "$(err bad)"; }
	python3 -c 'import json,sys
j=json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert j["level"]=="error" and "nowhere" in j["msg"] and j["time"], j' "$TMP/log.json" >"$TMP/logcheck" 2>&1 ||
		{ problem "the --log-format json line is not runc's"; detail_file log "$TMP/log.json"; detail_file check "$TMP/logcheck"; }
	# An object of very many members is refused at once (the duplicate-key
	# check is linear in them; 100,000 keys once took 342 s).
	mkdir -p "$TMP/wide/rootfs"
	python3 -c 'import json, sys
json.dump({"ociVersion": "1.0.2", "annotations": {"k%d" % i: "v" for i in range(100000)}}, open(sys.argv[1], "w"))' \
		"$TMP/wide/config.json"
	run wide "$OCI" --root "$R" create --bundle "$TMP/wide" w1
	expect_status wide 1
	expect_grep "100,000 keys in one object are not refused with why" 'more than 4096 members in one object' "$(err wide)"
	run features "$OCI" features
	expect_status features 0
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ociVersionMin"] and j["ociVersionMax"]' \
		"$(out features)" 2>"$TMP/fcheck" || { problem "features is not the runtime's JSON"; detail_file features "$(out features)"; }
	finish
fi

# Whatever a failed check left running.
for id in c1 k1 f1 r42 l1 h1 m1 p1 i1; do oci delete --force "$id"; done >/dev/null 2>&1
