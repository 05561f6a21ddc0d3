#!/bin/bash
# scripts/debian-source.sh: deb-src entries derived from a machine's apt
# sources (checked by asking apt itself which indexes it would fetch), and
# the cache of checked downloads (a second fetch works without a network).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FETCH=$ROOT/scripts/debian-source.sh
MUSL_VERSION=$(sed -n 's/^MUSL_VERSION *:= *//p' "$ROOT/musl/musl.mk")
CACHE=$ROOT/build/src/download # where `make` left the checked musl files

# The URIs `apt-get update` would fetch with the configuration in DIR
# (--print-uris: nothing is fetched).
apt_uris() {
	mkdir -p "$1/state/lists/partial" "$1/cache/archives/partial"
	apt-get -o Dir::Etc::sourcelist="$1/sources.list" -o Dir::Etc::sourceparts="$1/sources.list.d" \
		-o Dir::State="$1/state" -o Dir::Cache="$1/cache" -o Debug::NoLocking=1 \
		update --print-uris 2>&1 | sed -n "s/^'\([^']*\)'.*/\1/p" | sort
}

begin "debian-source: deb-src from one-line and deb822 sources"
etc=$TMP/etc
mkdir -p "$etc/sources.list.d"
cat >"$etc/sources.list" <<'EOF'
# deb http://192.0.2.9/commented stable main
deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://192.0.2.1/debian bookworm main contrib
  deb-src http://192.0.2.2/debian sid main
EOF
echo "deb http://198.51.100.1/extra stable main" >"$etc/sources.list.d/one.list"
echo "deb http://192.0.2.7/ignored stable main" >"$etc/sources.list.d/one.list.disabled"
cat >"$etc/sources.list.d/multi.sources" <<'EOF'
# two URIs times two suites
Types: deb deb-src
URIs: http://192.0.2.3/a http://192.0.2.4/b
Suites: s1 s2
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
Enabled: no
URIs: http://192.0.2.5/off
Suites: off
Components: main

types: deb
# lower-case field names and an inline key
uris: http://192.0.2.6/lower
suites: lower
components: main non-free
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBFxZ
 -----END PGP PUBLIC KEY BLOCK-----
EOF
cat >"$etc/sources.list.d/other.sources" <<'EOF'
Types: rpm
URIs: http://192.0.2.8/x
Suites: y
Components: main
EOF
"$FETCH" --derive "$etc" "$TMP/derived" >"$TMP/derive.log" 2>&1 || problem "--derive failed"
apt_uris "$TMP/derived" >"$TMP/uris"
# Every deb entry's source indexes and nothing else: no binary Packages,
# not the disabled stanza, file or comment, not the non-deb type.
sort >"$TMP/uris.want" <<'EOF'
http://192.0.2.1/debian/dists/bookworm/InRelease
http://192.0.2.1/debian/dists/bookworm/contrib/source/Sources.xz
http://192.0.2.1/debian/dists/bookworm/main/source/Sources.xz
http://192.0.2.2/debian/dists/sid/InRelease
http://192.0.2.2/debian/dists/sid/main/source/Sources.xz
http://192.0.2.3/a/dists/s1/InRelease
http://192.0.2.3/a/dists/s1/main/source/Sources.xz
http://192.0.2.3/a/dists/s2/InRelease
http://192.0.2.3/a/dists/s2/main/source/Sources.xz
http://192.0.2.4/b/dists/s1/InRelease
http://192.0.2.4/b/dists/s1/main/source/Sources.xz
http://192.0.2.4/b/dists/s2/InRelease
http://192.0.2.4/b/dists/s2/main/source/Sources.xz
http://192.0.2.6/lower/dists/lower/InRelease
http://192.0.2.6/lower/dists/lower/main/source/Sources.xz
http://192.0.2.6/lower/dists/lower/non-free/source/Sources.xz
http://198.51.100.1/extra/dists/stable/InRelease
http://198.51.100.1/extra/dists/stable/main/source/Sources.xz
EOF
expect_same_file "apt's index URIs (want, got)" "$TMP/uris.want" "$TMP/uris"
finish

begin "debian-source: no deb entry is an error that says so"
mkdir -p "$TMP/empty/sources.list.d"
echo "# nothing" >"$TMP/empty/sources.list"
run empty "$FETCH" --derive "$TMP/empty" "$TMP/empty-out"
expect_status empty 1
expect_grep "no message naming the missing entries" '^debian-source: no deb or deb-src entry' "$(err empty)"
finish

# Offline: in a network namespace of its own, with only a down loopback
# (a user namespace too when not root).
OFFLINE=(unshare --net --)
[ "$(id -u)" = 0 ] || OFFLINE=(unshare --user --map-root-user --net --)
offline_ok=1
"${OFFLINE[@]}" true 2>/dev/null || offline_ok=0

begin "debian-source: unpacks musl $MUSL_VERSION from the cache without a network"
if [ $offline_ok = 0 ]; then
	skip "$TEST_NAME" "cannot make a network namespace: ${OFFLINE[*]} failed"
elif ready "$CACHE/musl_$MUSL_VERSION.dsc"; then
	HUT_SOURCE_CACHE=$CACHE run cached "${OFFLINE[@]}" "$FETCH" musl "$MUSL_VERSION" "$TMP/src/musl"
	expect_status cached 0
	[ -f "$TMP/src/musl/arch/x86_64/syscall_arch.h" ] || problem "no musl source unpacked"
	expect_no_grep "it tried to download" 'downloading' "$(out cached)"
	finish
fi

begin "debian-source: a changed file in the cache is refused"
if [ $offline_ok = 0 ]; then
	skip "$TEST_NAME" "cannot make a network namespace: ${OFFLINE[*]} failed"
elif ready "$CACHE/musl_$MUSL_VERSION.dsc"; then
	cp -r "$CACHE" "$TMP/bad-cache"
	for f in "$TMP"/bad-cache/*.debian.tar.*; do echo tampered >>"$f"; done
	HUT_SOURCE_CACHE=$TMP/bad-cache run bad "${OFFLINE[@]}" "$FETCH" musl "$MUSL_VERSION" "$TMP/bad/musl"
	expect_status bad 1
	[ -e "$TMP/bad/musl" ] && problem "unpacked despite the changed file"
	expect_grep "did not say the cache does not match" '^debian-source: .* do not match the .dsc' "$(err bad)"
	finish
fi

exit 0
