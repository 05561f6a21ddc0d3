# shellcheck shell=bash
# The snapshot and the pool the httpd benchmarks restore from (net.sh,
# snapshot.sh). Sourced, never run; uses the caller's BIN, TMP, NS_A, NET
# (the appliance's --net options), ARGS (the image and its arguments) and die.

# snapshot_make NAME: httpd's snapshot at its ready point, in $TMP/httpd.snap;
# prints the monitor's line about it.
snapshot_make() {
	ip netns exec "$NS_A" "$BIN/hut-monitor" --snapshot "$TMP/httpd.snap" "${NET[@]}" "${ARGS[@]}" \
		>/dev/null 2>"$TMP/snap.err" || die "cannot snapshot httpd: $(cat "$TMP/snap.err")"
	echo "$1: $(grep '^hut-monitor: snapshot' "$TMP/snap.err")"
}

# pool_start: a pool of 2 monitors ready to restore it, on $TMP/pool.sock
# (its pid in POOL), once they say so.
pool_start() {
	ip netns exec "$NS_A" "$BIN/hut-monitor" --pool "$TMP/pool.sock" --pool-size 2 \
		--restore "$TMP/httpd.snap" --net none "${ARGS[@]}" >/dev/null 2>"$TMP/pool.err" </dev/null &
	POOL=$!
	for _ in $(seq 100); do
		grep -q 'monitors ready$' "$TMP/pool.err" && return
		sleep 0.1
	done
	die "the pool never got ready: $(cat "$TMP/pool.err")"
}
