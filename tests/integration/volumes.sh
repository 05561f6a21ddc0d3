#!/bin/bash
# Volumes (hut-monitor --volume HOST:GUEST[:ro]; volume-guard.sh tests the
# other options): a process with the host directory bind-mounted at GUEST
# (lib.sh's files_process) and the appliance must print the same bytes,
# leave the same tree behind, refuse every way out alike, and keep every
# acknowledged write when killed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FSOPS=$IMAGES/fsops.hut
ulimit -Sn 1024 # the process's fd table as large as the libos's (EMFILE)

# same_trees A B: the process's and the appliance's volume ended alike.
same_trees() {
	[ "$(tree_of "$1")" = "$(tree_of "$2")" ] && return 0
	problem "the volumes differ afterwards"
	while IFS= read -r line; do TEST_DETAILS+=("$line"); done < <(diff <(tree_of "$1") <(tree_of "$2") | head -6)
}

# --- fsops: the same lines, and the same tree left behind ---------------------------------
# Each side has a directory of its own, made alike. 20,000 files, not 100,000
# (files.sh does those on /tmp): on a volume each create, check and removal
# is an exit, and the nested guest's exits are slow.
for s in io tree paths fds locks mmap attrs emfile "many 20000"; do
	rm -rf "$TMP/volp" "$TMP/vola"
	mkdir -p "$TMP/volp" "$TMP/vola"
	# shellcheck disable=SC2086 # the scenario and its argument are words
	set -- $s
	PVOLUMES="$TMP/volp:/data" AVOLUMES="$TMP/vola:/data" RUN_LIMIT=200 \
		files_differential "fsops $s on a volume" "$FSOPS" "$1" /data/t ${2:+"$2"}
	begin "fsops $s on a volume: the trees left behind"
	if need_kvm; then
		same_trees "$TMP/volp" "$TMP/vola"
		finish
	fi
done

# --- escapes: a volume's symlinks and names pointing out ---------------------------------
OUTSIDE=$TMP/outside
mkdir -p "$OUTSIDE" "$TMP/esc" "$TMP/other"
echo "secret" >"$OUTSIDE/secret"
ln -s "$OUTSIDE/secret" "$TMP/esc/abs"
ln -s ../../../.. "$TMP/esc/up"
ln -s /proc/self/fd/0 "$TMP/esc/proc"
ln -s /proc/self/root "$TMP/esc/root"
ln -s loop "$TMP/esc/loop"
VOLUMES="$TMP/esc:/data $TMP/other:/other" files_differential "escapes from a volume" "$FSOPS" escape /data
begin "escapes left the host alone"
[ "$(cat "$OUTSIDE/secret")" = secret ] && [ "$(ls "$OUTSIDE")" = secret ] ||
	problem "something outside the volumes changed: $(ls -la "$OUTSIDE")"
[ -z "$(ls "$TMP/other")" ] || problem "the other volume got $(ls "$TMP/other")"
finish

# --- durability: acknowledged writes survive kill -9 -------------------------------------
# kvlog appends records, fsyncs each and only then prints "acked N". Killed
# with SIGKILL mid-way, as a process and as an appliance (the monitor is
# killed: the guest cannot clean up), the log must hold every acknowledged
# record, in order, and at most the one in flight after them.

# kill_when_acked TAG N CMD...: runs CMD, kills it with SIGKILL once it has
# acknowledged N records; sets ACKED to the last one it acknowledged.
kill_when_acked() {
	local tag=$1 n=$2 pid i
	shift 2
	(cd "$WORK" && exec "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	pid=$!
	for i in $(seq 1 600); do
		[ "$(grep -c '^acked ' "$TMP/$tag.out")" -ge "$n" ] && break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ACKED=$(grep '^acked [0-9]*$' "$TMP/$tag.out" | tail -n 1 | cut -d' ' -f2)
}

# expect_log_holds TAG DIR: DIR/log holds records 0..ACKED, and perhaps a
# few more: one written but not yet acknowledged, and, for an appliance,
# acknowledgements still in the console ring when the monitor was killed
# with SIGKILL (nothing can write them out then; docs/ARCHITECTURE.md,
# "Console ring"), at most a ring's worth of these 12-byte lines.
expect_log_holds() {
	local records
	[ -n "$ACKED" ] || { problem "$1 acknowledged nothing"; detail_file stderr "$TMP/$1.err"; return; }
	records=$("$IMAGES/kvlog.hut" "$2/log" check | cut -d' ' -f1)
	[ "$records" -ge $((ACKED + 1)) ] && [ "$records" -le $((ACKED + 2 + 65536 / 12)) ] ||
		problem "$1: $records good records after acknowledging 0..$ACKED"
	[ "$("$IMAGES/kvlog.hut" "$2/log" get "key$ACKED")" = "$(printf 'value-%d-%08x' "$ACKED" $((ACKED * 2654435761)))" ] ||
		problem "$1: the last acknowledged record is not what was written"
}

begin "kvlog killed with SIGKILL: a process keeps every acknowledged record"
if ready "$IMAGES/kvlog.hut"; then
	mkdir -p "$TMP/durp"
	kill_when_acked durp 300 "$IMAGES/kvlog.hut" "$TMP/durp/log" load 1000000
	expect_log_holds durp "$TMP/durp"
	finish
fi
begin "kvlog killed with SIGKILL: the monitor's volume keeps every acknowledged record"
if ready_kvm "$IMAGES/kvlog.hut"; then
	mkdir -p "$TMP/dura"
	kill_when_acked dura 300 "$MONITOR" --volume "$TMP/dura:/data" "$IMAGES/kvlog.hut" /data/log load 1000000
	expect_log_holds dura "$TMP/dura"
	finish
fi
