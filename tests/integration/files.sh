#!/bin/bash
# Files: the same image as a Linux process and as an appliance must see
# the same files at the same paths and print the same bytes. The process
# runs in a root of its own (a private mount namespace, unshare -m -r, then
# chroot) arranged as the appliance sees things: a read-only root, a fresh
# tmpfs at /tmp, /dev's devices, the packed files copied to their paths,
# each volume's host directory bind-mounted (read-only for :ro). Linux is the reference
# for every errno (apps/fsops prints them by name).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FSOPS=$IMAGES/fsops.hut
ulimit -Sn 1024 # the process's fd table as large as the libos's (EMFILE)

# Without a private mount namespace there is no process to compare with.
CAN_UNSHARE=0
unshare -m -r true 2>/dev/null && CAN_UNSHARE=1

# as_process TAG IMAGE [ARG...]: IMAGE run in a root arranged as above.
# VOLUMES: "HOST:GUEST[:ro]" words (PVOLUMES, when set, for the process
# alone); PACKED: "DIR:GUEST" words, copied in.
as_process() {
	local tag=$1 image=$2 root=$TMP/root-$1 setup v host rest guest
	shift 2
	rm -rf "$root"
	mkdir -p "$root/tmp" "$root/dev"
	touch "$root/image"
	# The root is read-only, as the image's files are; what is mounted on it is not.
	setup="mount --bind '$root' '$root'; mount -t tmpfs -o size=16m tmpfs '$root/tmp'"
	setup+="; mount --bind '$image' '$root/image'"
	for v in null zero full random urandom; do
		touch "$root/dev/$v"
		setup+="; mount --bind /dev/$v '$root/dev/$v'"
	done
	for v in ${PACKED:-}; do # read-only, as the image's files are
		mkdir -p "$root${v#*:}"
		cp -a "${v%%:*}/." "$root${v#*:}/"
		setup+="; mount --bind '$root${v#*:}' '$root${v#*:}'"
		setup+="; mount -o remount,bind,ro '$root${v#*:}'"
	done
	for v in ${PVOLUMES:-${VOLUMES:-}}; do
		host=${v%%:*} rest=${v#*:} guest=${rest%%:*}
		mkdir -p "$root$guest"
		setup+="; mount --bind '$host' '$root$guest'"
		[ "${rest##*:}" = ro ] && setup+="; mount -o remount,bind,ro '$root$guest'"
	done
	setup+="; mount -o remount,bind,ro '$root'"
	run "$tag" unshare -m -r sh -c "set -e; $setup; exec chroot '$root' /image \"\$@\"" sh "$@"
}

# as_appliance TAG IMAGE [ARG...]: the same under the monitor, with VOLUMES
# (or AVOLUMES, for the appliance alone).
as_appliance() {
	local tag=$1 image=$2 v opts=()
	shift 2
	for v in ${AVOLUMES:-${VOLUMES:-}}; do opts+=(--volume "$v"); done
	run "$tag" "$MONITOR" "${opts[@]}" "$image" "$@"
}

# both NAME IMAGE [ARG...]: one differential test: the same stdout and
# status both ways, and no warning from the libos.
both() {
	local name=$1 image=$2
	shift 2
	begin "$name"
	if [ $CAN_UNSHARE = 0 ]; then
		problem "cannot make a private mount namespace (unshare -m -r) for the process"
		finish
		return
	fi
	ready "$image" || return
	as_process proc "$image" "$@"
	local want=$ST
	[ "$HUNG" = 1 ] && problem "the process hung"
	if need_kvm; then
		as_appliance appl "$image" "$@"
		expect_status appl "$want"
		expect_same_file "process and appliance stdout" "$(out proc)" "$(out appl)"
		expect_no_grep "the libos warned" '^hut: warning' "$(err appl)"
		finish
	fi
}

# tree_of DIR: what a directory holds, for comparing two of them.
tree_of() {
	(cd "$1" && find . -mindepth 1 -printf '%y %m %p %l\n' -type f -printf '  %s bytes\n' | sort)
}

# --- fsops on the tmpfs at /tmp ------------------------------------------------------
for s in io tree paths fds locks mmap attrs dev fill emfile; do
	both "fsops $s on /tmp" "$FSOPS" "$s" /tmp/t
done
RUN_LIMIT=200 both "fsops many (100,000 files) on /tmp" "$FSOPS" many /tmp/t

# same_trees A B: the process's and the appliance's volume ended alike.
same_trees() {
	[ "$(tree_of "$1")" = "$(tree_of "$2")" ] && return 0
	problem "the volumes differ afterwards"
	while IFS= read -r line; do TEST_DETAILS+=("$line"); done < <(diff <(tree_of "$1") <(tree_of "$2") | head -6)
}

# --- fsops on a volume: the same lines, and the same tree left behind ------------------
# Each side has a directory of its own, made alike. 20,000 files, not 100,000:
# on a volume each create, check and removal is an exit, and the nested
# guest's exits are slow.
for s in io tree paths fds locks mmap attrs emfile "many 20000"; do
	rm -rf "$TMP/volp" "$TMP/vola"
	mkdir -p "$TMP/volp" "$TMP/vola"
	set -- $s
	PVOLUMES="$TMP/volp:/data" AVOLUMES="$TMP/vola:/data" RUN_LIMIT=200 \
		both "fsops $s on a volume" "$FSOPS" "$1" /data/t ${2:+"$2"}
	begin "fsops $s on a volume: the trees left behind"
	if need_kvm; then
		same_trees "$TMP/volp" "$TMP/vola"
		finish
	fi
done

# --- read-only files: the image's own, a :ro volume -------------------------------------
FIX=$TMP/fixture
mkdir -p "$FIX/sub"
echo "hello there" >"$FIX/hello"
begin "hut build --files packs a read-only tree"
"$HUT" build --files "$FIX:/ro" -o "$TMP/fsops-ro.hut" "$ROOT"/apps/fsops/*.c >"$TMP/build.out" 2>&1 ||
	{ problem "hut build failed"; detail_file build "$TMP/build.out"; }
finish
PACKED="$FIX:/ro" both "fsops ro on the image's files" "$TMP/fsops-ro.hut" ro /ro
VOLUMES="$FIX:/ro:ro" both "fsops ro on a :ro volume" "$FSOPS" ro /ro
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
PACKED="$SITE:/srv" both "wc over packed files" "$TMP/wc-site.hut" "${READ_ARGS[@]}"
PACKED="$SITE:/srv" both "ls -R over packed files" "$TMP/ls-site.hut" -R /srv
VOLUMES="$SITE:/srv" both "wc over a volume" "$IMAGES/wc.hut" "${READ_ARGS[@]}"
VOLUMES="$SITE:/srv:ro" both "ls -R over a :ro volume" "$IMAGES/ls.hut" -R /srv

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
PACKED="$ETC:/etc" both "identity from a packed /etc" "$TMP/fsops-etc.hut" identity /

# --- /dev/stdin, /dev/stdout, /dev/stderr stand for fds 0-2 -----------------------------
begin "/dev/stdin and /dev/stdout"
if ready_kvm "$IMAGES/wc.hut"; then
	printf 'one two\nthree\n' | timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$IMAGES/wc.hut" /dev/stdin \
		>"$TMP/stdin.out" 2>"$TMP/stdin.err"
	echo "      2       3      14 /dev/stdin" >"$TMP/stdin.want"
	expect_same_file "wc /dev/stdin" "$TMP/stdin.want" "$TMP/stdin.out"
	finish
fi

# --- escapes: a volume's symlinks and names pointing out ---------------------------------
OUTSIDE=$TMP/outside
mkdir -p "$OUTSIDE" "$TMP/esc" "$TMP/other"
echo "secret" >"$OUTSIDE/secret"
ln -s "$OUTSIDE/secret" "$TMP/esc/abs"
ln -s ../../../.. "$TMP/esc/up"
ln -s /proc/self/fd/0 "$TMP/esc/proc"
ln -s /proc/self/root "$TMP/esc/root"
ln -s loop "$TMP/esc/loop"
VOLUMES="$TMP/esc:/data $TMP/other:/other" both "escapes from a volume" "$FSOPS" escape /data
begin "escapes left the host alone"
[ "$(cat "$OUTSIDE/secret")" = secret ] && [ "$(ls "$OUTSIDE")" = secret ] ||
	problem "something outside the volumes changed: $(ls -la "$OUTSIDE")"
[ -z "$(ls "$TMP/other")" ] || problem "the other volume got $(ls "$TMP/other")"
finish
