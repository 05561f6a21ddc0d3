#!/bin/bash
# The volume page cache (libos/fs/volume_cache.c, programs/volcache.c):
# - reads and writes through it (unaligned, holes, truncates, O_WRONLY,
#   O_APPEND and O_SYNC beside cached writes, a shared mapping over cached
#   writes, MiBs read sequentially) print what glibc prints on the host, as
#   a hut process and as an appliance with each of cache=auto, always, none;
# - 48 MiB written in 4 KiB pieces in a 64 MiB guest (write-back and
#   reclaim under pressure) reads back as glibc reads it, and the app's
#   mallocs get as much of a small guest after a cached read as with none;
# - each mode's promise when the host file changes under an open file (a
#   second volume with cache=none on the same directory is the host's
#   writer): none sees it at once, auto at the next open, always not at all
#   while the cache holds the file; a name stat found missing and the host
#   then made: none sees it at once, auto after a second, always at its
#   open (an open always asks the host when the cache has no file);
# - durability: what fsync acknowledged is in the host file after kill -9 of
#   the monitor, and what was not synced is lost whole, never garbage;
# - a bad cache= value is refused in one line that names it (the monitor's
#   status for a bad option, 125).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
IMAGE=$BUILT/volcache.hut
REF=$BUILT/volcache-ref

begin "volume cache: the glibc reference runs"
if ready "$REF"; then
	mkdir -p "$TMP/ref"
	run ref "$REF" io "$TMP/ref"
	expect_status ref 0
	expect_grep "the reference read nothing back" '^3 MiB reopened: 3145728 bytes' "$(out ref)"
	finish
fi
cp "$(out ref)" "$TMP/want.out"

begin "volume cache: the hut process prints what glibc prints"
if ready "$IMAGE"; then
	mkdir -p "$TMP/proc"
	run proc "$IMAGE" io "$TMP/proc"
	expect_status proc 0
	expect_same_file "reference and process stdout" "$TMP/want.out" "$(out proc)"
	finish
fi

for mode in auto always none; do
	begin "volume cache=$mode: the appliance prints what glibc prints"
	if ready_kvm "$MONITOR" "$IMAGE"; then
		mkdir -p "$TMP/vol-$mode"
		run "io-$mode" "$MONITOR" --mem 256M --volume "$TMP/vol-$mode:/v:cache=$mode" "$IMAGE" io /v
		expect_status "io-$mode" 0
		expect_same_file "reference and appliance stdout" "$TMP/want.out" "$(out "io-$mode")"
		finish
	fi
done

# 48 MiB written in 4 KiB pieces in a 64 MiB guest, whose cache may hold a
# quarter of its memory: dirty pages go back under pressure, clean ones are
# reclaimed, and every byte reads back as glibc reads it.
begin "volume cache: more than the cache holds, in a small guest, reads back as on Linux"
if ready_kvm "$MONITOR" "$IMAGE" "$REF"; then
	mkdir -p "$TMP/big-ref" "$TMP/big"
	run big-ref "$REF" big "$TMP/big-ref" 48
	expect_status big-ref 0
	expect_grep "the reference read nothing back" '^pieces read back whole: 333 of 333$' \
		"$(out big-ref)"
	run big "$MONITOR" --mem 64M --volume "$TMP/big:/v" "$IMAGE" big /v 48
	expect_status big 0
	expect_same_file "reference and appliance stdout" "$(out big-ref)" "$(out big)"
	finish
fi

# The cache gives its pages back: after a 16 MiB file is read through it,
# the app's 1 MiB mallocs get as much of a 64 MiB guest as with cache=none.
begin "volume cache: memory the app needs is taken back from the cache"
if ready_kvm "$MONITOR" "$IMAGE"; then
	mkdir -p "$TMP/press"
	head -c $((16 << 20)) /dev/urandom >"$TMP/press/f"
	run press-none "$MONITOR" --mem 64M --volume "$TMP/press:/v:cache=none" "$IMAGE" pressure /v/f
	expect_status press-none 0
	expect_grep "the app got nothing with cache=none" '^the app got [1-9][0-9]* MiB$' \
		"$(out press-none)"
	# The cache's page records keep one run (72 bytes a page of its cap):
	# up to 1 MiB less.
	least=$(($(sed -n 's/^the app got \([0-9]*\) MiB$/\1/p' "$(out press-none)") - 1))
	for mode in auto always; do
		run "press-$mode" "$MONITOR" --mem 64M --volume "$TMP/press:/v:cache=$mode" "$IMAGE" \
			pressure /v/f
		expect_status "press-$mode" 0
		expect_grep "cache=$mode: the file read again differs" \
			"^$(grep '^the file read again' "$(out press-none)")\$" "$(out "press-$mode")"
		got=$(sed -n 's/^the app got \([0-9]*\) MiB$/\1/p' "$(out "press-$mode")")
		[ "${got:-0}" -ge "$least" ] ||
			problem "cache=$mode: the app got ${got:-no} MiB, cache=none's $((least + 1))"
	done
	finish
fi

# What an open of /a/t shows after /b/t (the same host file, not cached)
# was rewritten; written here from each mode's promise.
cat >"$TMP/want-none" <<'EOF'
opened: 5 'first'
the same open: 14 'second, longer'
reopened: 14 'second, longer'
a missing name: ENOENT
made on the host, at once: there
1.2 s later: there
opened: 4 'made'
after the open: there
listed: x
listed again: x
after a change on the host: x y
after a change of its own: x y z
an older stream rewound: x y z
EOF
cat >"$TMP/want-auto" <<'EOF'
opened: 5 'first'
the same open: 5 'first'
reopened: 14 'second, longer'
a missing name: ENOENT
made on the host, at once: ENOENT
1.2 s later: there
opened: 4 'made'
after the open: there
listed: x
listed again: x
after a change on the host: x y
after a change of its own: x y z
an older stream rewound: x y z
EOF
cat >"$TMP/want-always" <<'EOF'
opened: 5 'first'
the same open: 5 'first'
reopened: 5 'first'
a missing name: ENOENT
made on the host, at once: ENOENT
1.2 s later: ENOENT
opened: 4 'made'
after the open: there
listed: x
listed again: x
after a change on the host: x
after a change of its own: x y z
an older stream rewound: x y z
EOF
begin "volume cache: Linux shows a change at once (the reference for cache=none)"
if ready "$REF"; then
	mkdir -p "$TMP/twice-ref"
	run twice-ref "$REF" twice "$TMP/twice-ref" "$TMP/twice-ref"
	expect_status twice-ref 0
	expect_same_file "Linux and cache=none's promise" "$TMP/want-none" "$(out twice-ref)"
	finish
fi
for mode in none auto always; do
	begin "volume cache=$mode: a change on the host is seen as the mode promises"
	if ready_kvm "$MONITOR" "$IMAGE"; then
		mkdir -p "$TMP/twice-$mode"
		run "twice-$mode" "$MONITOR" --volume "$TMP/twice-$mode:/a:cache=$mode" \
			--volume "$TMP/twice-$mode:/b:cache=none" "$IMAGE" twice /a /b
		expect_status "twice-$mode" 0
		expect_same_file "cache=$mode's promise and what the appliance saw" "$TMP/want-$mode" \
			"$(out "twice-$mode")"
		finish
	fi
done

# durable MODE: 40 records written and fsynced, 8 MiB more not synced, the
# monitor killed with SIGKILL while it waits; then the host file is checked.
durable() {
	local mode=$1 dir=$TMP/durable-$1 pid i
	begin "volume cache=$mode: fsync survives kill -9 of the monitor; what was not synced is never garbage"
	if ready_kvm "$MONITOR" "$IMAGE" "$REF"; then
		mkdir -p "$dir"
		"$MONITOR" --mem 256M --volume "$dir:/v:cache=$mode" "$IMAGE" durable /v 40 \
			>"$TMP/durable-$mode.out" 2>"$TMP/durable-$mode.err" </dev/null &
		pid=$!
		for ((i = 0; i < 200 * SLOW; i++)); do
			grep -q '^writing without fsync$' "$TMP/durable-$mode.out" && break
			sleep 0.1
		done
		sleep 0.5
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		expect_grep "the appliance did not sync 40 records" '^synced 39$' "$TMP/durable-$mode.out"
		run "check-$mode" "$REF" check "$dir" 40
		expect_status "check-$mode" 0
		expect_grep "the check checked nothing" '^the 40 synced records are whole' \
			"$(out "check-$mode")"
		finish
	fi
}
durable auto
durable always

begin "volume cache: a bad cache= value is refused in one line that names it"
if ready "$MONITOR" "$IMAGE"; then
	for o in cache=bogus cache= cache=AUTO cache=auto,cache=none ro,cache=always,cache=always; do
		run badcache "$MONITOR" --volume "$TMP:/d:$o" "$IMAGE" io /d
		expect_monitor_error badcache 125
		expect_grep "--volume ...:$o: the error does not say --volume" '^hut-monitor: --volume ' \
			"$(err badcache)"
	done
	run badvalue "$MONITOR" --volume "$TMP:/d:cache=bogus" "$IMAGE" io /d
	expect_grep "a bad cache= value is not named" "cache= takes auto, always or none, not 'bogus'" \
		"$(err badvalue)"
	run help "$MONITOR" --help
	for o in cache=auto cache=always cache=none; do
		expect_grep "--help does not mention $o" "$o" "$(out help)"
	done
	finish
fi

exit 0
