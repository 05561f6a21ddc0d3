#!/bin/bash
# Files: the same image as a Linux process (in a root of its own, lib.sh's
# files_process) and as an appliance must see the same files at the same
# paths and print the same bytes: the tmpfs at /tmp, the image's packed
# files, /etc's defaults, /dev. Linux is the reference for every errno
# (apps/fsops prints them by name). volumes.sh does the same for volumes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FSOPS=$IMAGES/fsops.hut
ulimit -Sn 1024 # the process's fd table as large as the libos's (EMFILE)

# --- fsops on the tmpfs at /tmp ------------------------------------------------------
for s in io tree paths fds locks mmap attrs dev fill emfile; do
	files_differential "fsops $s on /tmp" "$FSOPS" "$s" /tmp/t
done
RUN_LIMIT=200 files_differential "fsops many (100,000 files) on /tmp" "$FSOPS" many /tmp/t

# --- read-only files: the image's own, a :ro volume -------------------------------------
FIX=$TMP/fixture
mkdir -p "$FIX/sub"
echo "hello there" >"$FIX/hello"
begin "hut build --files packs a read-only tree"
"$HUT" build --files "$FIX:/ro" -o "$TMP/fsops-ro.hut" "$ROOT"/apps/fsops/*.c >"$TMP/build.out" 2>&1 ||
	{ problem "hut build failed"; detail_file build "$TMP/build.out"; }
finish
PACKED="$FIX:/ro" files_differential "fsops ro on the image's files" "$TMP/fsops-ro.hut" ro /ro
VOLUMES="$FIX:/ro:ro" files_differential "fsops ro on a :ro volume" "$FSOPS" ro /ro
begin "a :ro volume is left as it was"
[ "$(cat "$FIX/hello")" = "hello there" ] && [ "$(ls "$FIX")" = "$(printf 'hello\nsub')" ] ||
	problem "the :ro volume changed: $(ls "$FIX")"
finish

# --- readers: wc and ls over packed files and a volume ----------------------------------
SITE=$TMP/site
mkdir -p "$SITE/docs/deep" "$SITE/empty"
printf 'a needle here\nnothing\n' >"$SITE/a.txt"
printf 'no newline at the end, needle' >"$SITE/docs/b.txt"
head -c 300000 /dev/zero | tr '\0' 'x' >"$SITE/docs/deep/long line"
seq 1 5000 | sed 's/$/ needle/' >"$SITE/docs/many.txt"
: >"$SITE/zero"
chmod 0600 "$SITE/a.txt"
chmod 0750 "$SITE/docs"
chmod 04755 "$SITE/docs/b.txt"
ln -s a.txt "$SITE/link"
ln -s docs/deep "$SITE/dirlink"
ln -s /nowhere "$SITE/dangling"
begin "hut build --files DIR:/srv with wc and ls"
for app in wc ls; do
	"$HUT" build --files "$SITE:/srv" -o "$TMP/$app-site.hut" "$ROOT/apps/$app/$app.c" \
		>"$TMP/build-$app.out" 2>&1 || { problem "hut build $app failed"; detail_file build "$TMP/build-$app.out"; }
done
finish
READ_ARGS=(-e needle /srv/a.txt /srv/docs/b.txt "/srv/docs/deep/long line" /srv/docs/many.txt
	/srv/zero /srv/link /srv/dirlink/../a.txt /srv/dangling /srv/missing /srv/docs)
PACKED="$SITE:/srv" files_differential "wc over packed files" "$TMP/wc-site.hut" "${READ_ARGS[@]}"
PACKED="$SITE:/srv" files_differential "ls -R over packed files" "$TMP/ls-site.hut" -R /srv
VOLUMES="$SITE:/srv" files_differential "wc over a volume" "$IMAGES/wc.hut" "${READ_ARGS[@]}"
VOLUMES="$SITE:/srv:ro" files_differential "ls -R over a :ro volume" "$IMAGES/ls.hut" -R /srv

# --- the /etc every image has, and one that packs its own ------------------------------
begin "default /etc: users, groups, UTC"
if ready_kvm "$FSOPS"; then
	run appl "$MONITOR" "$FSOPS" identity /
	expect_status appl 0
	printf '%s\n' "user root: 0 0 /root /bin/sh" \
		"user nobody: 65534 65534 /nonexistent /usr/sbin/nologin" "group nogroup: 65534" \
		"uid 0: root" "localtime: 1970-01-02 03:04:05 UTC" \
		"localtime in July: 2024-07-01 12:00:00 UTC" >"$TMP/identity.want"
	expect_same_file "identity and what a minimal Linux says" "$TMP/identity.want" "$(out appl)"
	finish
fi
begin "default /etc/hosts names localhost"
if ready_kvm "$IMAGES/wc.hut"; then
	run appl "$MONITOR" "$IMAGES/wc.hut" -e localhost /etc/hosts
	expect_grep "no 127.0.0.1 localhost line" '^/etc/hosts:1:127\.0\.0\.1[[:space:]]+localhost$' "$(out appl)"
	finish
fi
ETC=$TMP/etc
mkdir -p "$ETC"
printf 'root:x:0:0:the boss:/home/root:/bin/ksh\nnobody:x:99:98::/:/bin/false\n' >"$ETC/passwd"
printf 'nogroup:x:98:\n' >"$ETC/group"
ZONE=$(ls /usr/share/zoneinfo/Europe/Paris 2>/dev/null || true)
[ -n "$ZONE" ] && cp "$ZONE" "$ETC/localtime"
begin "an image packs its own /etc"
"$HUT" build --files "$ETC:/etc" -o "$TMP/fsops-etc.hut" "$ROOT"/apps/fsops/*.c >"$TMP/build.out" 2>&1 ||
	{ problem "hut build failed"; detail_file build "$TMP/build.out"; }
"$HUT" inspect "$TMP/fsops-etc.hut" >"$TMP/inspect.out" 2>&1
expect_grep "inspect does not show the packed passwd" " $(stat -c %s "$ETC/passwd")  /etc/passwd\$" "$TMP/inspect.out"
expect_grep "inspect does not show the default hosts" '^  -rw-r--r--  +61  /etc/hosts$' "$TMP/inspect.out"
finish
PACKED="$ETC:/etc" files_differential "identity from a packed /etc" "$TMP/fsops-etc.hut" identity /

# --- /dev/stdin, /dev/stdout, /dev/stderr stand for fds 0-2 -----------------------------
begin "/dev/stdin and /dev/stdout"
if ready_kvm "$IMAGES/wc.hut"; then
	printf 'one two\nthree\n' | timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$IMAGES/wc.hut" /dev/stdin \
		>"$TMP/stdin.out" 2>"$TMP/stdin.err"
	echo "      2       3      14 /dev/stdin" >"$TMP/stdin.want"
	expect_same_file "wc /dev/stdin" "$TMP/stdin.want" "$TMP/stdin.out"
	finish
fi

