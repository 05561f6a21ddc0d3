#!/bin/bash
# An embedded database in WAL mode: SQLite's shell, built from Debian's
# sqlite3 source by its own Makefile with hut-cc (tests/debian/debian.mk).
# WAL mode keeps its index in the -shm file, mapped MAP_SHARED and
# PROT_WRITE, and locks it with fcntl: the shared file mappings of
# programs/shmap.c, used by a real program.
#  - a script (journal_mode=WAL, a table, transactions, a rollback, a
#    checkpoint, reads) prints the same bytes as a process and as an
#    appliance, with the database in /tmp and on a volume, and again with
#    the database file itself mapped (mmap_size);
#  - an appliance committing a stream of transactions on a volume is killed
#    with SIGKILL (the monitor) after N commits were printed, each printed
#    after its COMMIT returned; reopened as a process on the host file and
#    as an appliance, the database holds every printed commit and passes
#    PRAGMA integrity_check;
#  - a WAL database on a read-only volume fails as it does on Linux.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

SQLITE=$ROOT/build/debian/sqlite3.hut
SQL=$TMP/sql # scripts, a read-only volume at /sql
mkdir -p "$SQL"

cat >"$SQL/wal.sql" <<'EOF'
PRAGMA page_size=1024;
PRAGMA journal_mode=WAL;
CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
BEGIN; INSERT INTO t VALUES(1, 'one'); INSERT INTO t VALUES(2, 'two'); COMMIT;
BEGIN; INSERT INTO t SELECT id + 2, v || '+2' FROM t; COMMIT;
WITH RECURSIVE n(i) AS (SELECT 5 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO t SELECT i, printf('row-%d', i) FROM n;
BEGIN; DELETE FROM t WHERE id > 10; ROLLBACK;
SELECT count(*), sum(id) FROM t;
SELECT * FROM t WHERE id <= 5 ORDER BY id;
PRAGMA wal_autocheckpoint=0;
CREATE TABLE u(i, b);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4500)
  INSERT INTO u SELECT i, zeroblob(900) FROM n;
SELECT count(*), sum(i) FROM u;
PRAGMA wal_checkpoint;
UPDATE t SET v = upper(v) WHERE id % 100 = 0;
SELECT v FROM t WHERE id = 500;
PRAGMA integrity_check;
PRAGMA journal_mode;
EOF
# The transaction into u writes ~4600 pages of 1 KiB, all in the WAL (never
# checkpointed): its index outgrows the first 32 KiB region of the -shm file
# (4062 frames), so SQLite maps a second one. Pages of 1 KiB keep the WAL
# (~5 MB) within the process's 16 MiB /tmp.
# What any SQLite prints for it (wal_checkpoint's counts aside).
cat >"$TMP/want-lines" <<'EOF'
wal
1000|500500
1|one
2|two
3|one+2
4|two+2
5|row-5
0
4500|10127250
ROW-500
ok
wal
EOF

# The same with the database file itself mapped (mmap_size): SQLite reads
# pages through a read-only shared mapping it remaps as the file grows, and
# writes them with pwrite.
{ echo "PRAGMA mmap_size=268435456;"; cat "$SQL/wal.sql"; } >"$SQL/wal-mmap.sql"
{ echo 268435456; cat "$TMP/want-lines"; } >"$TMP/want-lines-mmap"

# wal_run TAG WHERE DB [mmap]: the script on DB, as a process (TAG-proc) and
# as an appliance (TAG-appl), with the scripts at /sql and a volume at /data.
wal_run() {
	local tag=$1 where=$2 db=$3 script=wal want=want-lines
	if [ "${4:-}" = mmap ]; then
		script=wal-mmap want=want-lines-mmap where+=", the database file mapped"
	fi
	rm -rf "$TMP/$tag-vp" "$TMP/$tag-va"
	mkdir -p "$TMP/$tag-vp" "$TMP/$tag-va"
	begin "sqlite WAL in $where: a process prints what SQLite should"
	if [ $CAN_UNSHARE = 0 ]; then
		problem "cannot make a private mount namespace (unshare -m -r) for the process"
	elif ready "$SQLITE"; then
		PVOLUMES="$SQL:/sql:ro $TMP/$tag-vp:/data" files_process "$tag-proc" "$SQLITE" "$db" ".read /sql/$script.sql"
		expect_status "$tag-proc" 0
		expect_same_file "expected lines and process stdout" "$TMP/$want" \
			<(grep -v '^0|' "$(out "$tag-proc")")
		expect_grep "no checkpoint line" '^0\|[0-9]+\|[0-9]+$' "$(out "$tag-proc")"
	fi
	finish
	begin "sqlite WAL in $where: the appliance prints the same bytes"
	if ready_kvm "$SQLITE"; then
		AVOLUMES="$SQL:/sql:ro $TMP/$tag-va:/data" files_appliance "$tag-appl" "$SQLITE" "$db" ".read /sql/$script.sql"
		expect_status "$tag-appl" 0
		expect_same_file "process and appliance stdout" "$(out "$tag-proc")" "$(out "$tag-appl")"
		expect_no_grep "the libos warned" '^hut: warning' "$(err "$tag-appl")"
		finish
	fi
}

wal_run tmp /tmp /tmp/test.db
wal_run tmpm /tmp /tmp/test.db mmap
wal_run volm "a volume" /data/test.db mmap
wal_run vol "a volume" /data/test.db

begin "sqlite WAL on a volume: the host file is a WAL database SQLite reads back"
if [ -f "$TMP/vol-va/test.db" ]; then
	# Byte 18 of the header: 2 is WAL (the file format's read version).
	[ "$(od -An -tu1 -j18 -N1 "$TMP/vol-va/test.db" | tr -d ' ')" = 2 ] ||
		problem "the database's header does not say WAL"
	PVOLUMES="$TMP/vol-va:/data" files_process vol-back "$SQLITE" /data/test.db \
		"SELECT count(*), sum(id) FROM t" "SELECT v FROM t WHERE id = 500" "PRAGMA integrity_check"
	expect_status vol-back 0
	printf '1000|500500\nROW-500\nok\n' >"$TMP/want-back"
	expect_same_file "expected and process stdout" "$TMP/want-back" "$(out vol-back)"
else
	problem "the appliance left no database on the volume"
fi
finish

# --- killed in the middle of a stream of commits ------------------------------------------
# Each line commits one row, then prints "committed N": the shell runs a
# line's statements in order and flushes its output before it reads the
# next line, so a printed N was committed.
{
	echo "PRAGMA journal_mode=WAL;"
	echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
	for i in $(seq 1 20000); do
		echo "BEGIN; INSERT INTO t VALUES($i, 'value-$i'); COMMIT; SELECT 'committed $i';"
	done
} >"$SQL/stream.sql"

# expect_commits TAG N: TAG's stdout (count|min|max, integrity_check, the
# row N's value) shows every row 1..N committed and maybe a few more.
expect_commits() {
	local tag=$1 n=$2 count min max
	IFS='|' read -r count min max <"$(out "$tag")"
	if ! [ "$min" = 1 ] || ! [ "$count" = "$max" ] || ! [ "${count:-0}" -ge "$n" ]; then
		problem "$tag: rows count|min|max $count|$min|$max after $n commits were printed"
	fi
	[ "$(sed -n 2p "$(out "$tag")")" = ok ] || problem "$tag: integrity_check says $(sed -n 2p "$(out "$tag")")"
	[ "$(sed -n 3p "$(out "$tag")")" = "value-$n" ] || problem "$tag: row $n holds $(sed -n 3p "$(out "$tag")")"
}

begin "sqlite WAL killed with SIGKILL on a volume: every printed commit is there"
ACKED=
if ready_kvm "$SQLITE"; then
	mkdir -p "$TMP/kill"
	(cd "$WORK" && exec "$MONITOR" --volume "$SQL:/sql:ro" --volume "$TMP/kill:/data" \
		"$SQLITE" /data/kill.db ".read /sql/stream.sql") >"$TMP/kill.out" 2>"$TMP/kill.err" </dev/null &
	pid=$!
	for _ in $(seq 1 $((600 * SLOW))); do
		[ "$(grep -c '^committed ' "$TMP/kill.out")" -ge 300 ] && break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ACKED=$(grep '^committed [0-9]*$' "$TMP/kill.out" | tail -n 1 | cut -d' ' -f2)
	[ "${ACKED:-0}" -ge 300 ] || problem "only ${ACKED:-no} commits printed before the kill"
	detail_file stderr "$TMP/kill.err"
	[ -f "$TMP/kill/kill.db-wal" ] || problem "no -wal file left behind: the kill came after the end"
	cp -a "$TMP/kill" "$TMP/kill-p"
	cp -a "$TMP/kill" "$TMP/kill-a"
	finish
fi
CHECK=("SELECT count(*), min(id), max(id) FROM t" "PRAGMA integrity_check" "SELECT v FROM t WHERE id = ${ACKED:-0}")

begin "sqlite WAL killed with SIGKILL: reopened as a process on the host file"
if [ -n "$ACKED" ] && ready "$SQLITE"; then
	PVOLUMES="$TMP/kill-p:/data" files_process reopen-p "$SQLITE" /data/kill.db "${CHECK[@]}"
	expect_status reopen-p 0
	expect_commits reopen-p "$ACKED"
	finish
elif [ -z "$ACKED" ]; then
	problem "no killed database to reopen"
	finish
fi

begin "sqlite WAL killed with SIGKILL: reopened as an appliance"
if [ -n "$ACKED" ] && ready_kvm "$SQLITE"; then
	AVOLUMES="$TMP/kill-a:/data" files_appliance reopen-a "$SQLITE" /data/kill.db "${CHECK[@]}"
	expect_status reopen-a 0
	expect_commits reopen-a "$ACKED"
	expect_same_file "process and appliance stdout" "$(out reopen-p)" "$(out reopen-a)"
	finish
elif [ -z "$ACKED" ]; then
	problem "no killed database to reopen"
	finish
fi

# --- a read-only volume -------------------------------------------------------------------
# A WAL database closed cleanly (no -wal, no -shm left) on a volume mounted
# read-only: SQLite cannot make its -shm, and fails as on Linux.
begin "sqlite WAL on a read-only volume fails as on Linux"
if [ -f "$TMP/vol-va/test.db" ] && [ $CAN_UNSHARE = 1 ] && ready "$SQLITE"; then
	mkdir -p "$TMP/ro"
	cp "$TMP/vol-va/test.db" "$TMP/ro/"
	VOLUMES="$TMP/ro:/data:ro" files_process ro-p "$SQLITE" /data/test.db "SELECT count(*) FROM t"
	ro_status=$ST
	[ "$ro_status" != 0 ] || problem "the process read a WAL database on a read-only mount"
	if need_kvm; then
		VOLUMES="$TMP/ro:/data:ro" files_appliance ro-a "$SQLITE" /data/test.db "SELECT count(*) FROM t"
		expect_status ro-a "$ro_status"
		expect_same_file "process and appliance stdout" "$(out ro-p)" "$(out ro-a)"
		expect_same_file "process and appliance stderr" "$(err ro-p)" "$(err ro-a)"
		[ "$(ls "$TMP/ro")" = test.db ] || problem "the read-only volume changed: $(ls "$TMP/ro")"
		finish
	fi
else
	problem "no WAL database from the volume run, or no private mount namespace"
	finish
fi
