#!/bin/sh
# Fetches one Debian source package, checks it and unpacks it:
#
#   scripts/debian-source.sh PACKAGE VERSION DESTDIR
#   e.g. scripts/debian-source.sh musl 1.2.3-1 build/src/musl
#
# Sources we build (musl, lwIP) are never committed: they come from Debian's
# own archive, found through this machine's apt sources. The script
#  1. derives a `deb-src` entry from every `deb` entry of /etc/apt/sources.list
#     and /etc/apt/sources.list.d/*.list (one-line format) and *.sources
#     (deb822 format), into a private apt configuration next to DESTDIR
#     (own source list, own lists/ and cache/: the system's apt state is only
#     read, never written);
#  2. runs `apt-get update` and `apt-get source --download-only PACKAGE=VERSION`
#     with that configuration;
#  3. checks the .dsc against the SHA-256 apt found in the signed Sources
#     index, then every file the .dsc names against its Checksums-Sha256;
#  4. unpacks it with `dpkg-source -x` (Debian's patches applied) into DESTDIR.
#
# The checked downloads are kept in HUT_SOURCE_CACHE (default: a `download`
# folder next to DESTDIR) and DESTDIR gets a stamp: a second run with the
# same PACKAGE and VERSION downloads nothing.
#
#   scripts/debian-source.sh --derive APT_ETC OUTDIR
# only writes the derived configuration (OUTDIR/sources.list and
# OUTDIR/sources.list.d/) from APT_ETC instead of /etc/apt: the tests use it.
set -eu

me=debian-source
die() {
	echo "$me: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 PACKAGE VERSION DESTDIR | --derive APT_ETC OUTDIR" >&2
	exit 2
}

# --- deb-src entries from deb entries ----------------------------------------------
# One-line entries: every `deb` line becomes a `deb-src` line (options,
# URI, suite and components kept); existing `deb-src` lines stay.
derive_one_line() {
	sed -n -e 's/^[[:space:]]*deb\(-src\)\{0,1\}[[:space:]]\{1,\}/deb-src /p' "$1"
}

# deb822 stanzas: each whose Types has `deb` or `deb-src` is copied whole
# (URIs, Suites, Signed-By, even an inline key, Enabled) with Types: deb-src.
derive_deb822() {
	awk 'BEGIN { RS = ""; ORS = "\n\n"; FS = "\n" }
	{
		keep = 0; out = ""
		for (i = 1; i <= NF; i++) {
			line = $i
			if (tolower(line) ~ /^types:/) {
				n = split(substr(line, 7), t, /[ \t]+/)
				for (j = 1; j <= n; j++)
					if (t[j] == "deb" || t[j] == "deb-src")
						keep = 1
				line = "Types: deb-src"
			}
			out = out line "\n"
		}
		if (keep)
			print out
	}' "$1"
}

# write_sources ETC OUT: OUT/sources.list and OUT/sources.list.d/ from
# ETC/sources.list and ETC/sources.list.d/ (apt reads only *.list and
# *.sources there; so do we).
write_sources() {
	rm -rf "$2/sources.list.d"
	mkdir -p "$2/sources.list.d"
	: >"$2/sources.list"
	for f in "$1/sources.list" "$1"/sources.list.d/*.list; do
		if [ -f "$f" ]; then derive_one_line "$f" >>"$2/sources.list"; fi
	done
	for f in "$1"/sources.list.d/*.sources; do
		if [ -f "$f" ]; then derive_deb822 "$f" >"$2/sources.list.d/$(basename "$f")"; fi
	done
	if [ ! -s "$2/sources.list" ] && ! grep -qs '^Types: deb-src' "$2"/sources.list.d/*; then
		die "no deb or deb-src entry in $1/sources.list or $1/sources.list.d (add a Debian mirror)"
	fi
}

if [ "${1:-}" = --derive ]; then
	[ $# = 3 ] || usage
	write_sources "$2" "$3"
	exit 0
fi
[ $# = 3 ] || usage
package=$1 version=$2 dest=$3
case $package$version in *[!A-Za-z0-9.+~:-]*) die "$package $version: not a Debian package name and version" ;; esac
command -v apt-get >/dev/null || die "apt-get not found (Debian's apt is needed)"
command -v dpkg-source >/dev/null || die "dpkg-source not found (run scripts/deps.sh build: dpkg-dev)"

mkdir -p "$(dirname "$dest")"
top=$(cd "$(dirname "$dest")" && pwd)
dest=$top/$(basename "$dest")
cache=${HUT_SOURCE_CACHE:-$top/download}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
stamp=$dest/.hut-debian-source
# The upstream version with the epoch cut: what file names carry.
file_version=${version#*:}
dsc=$cache/${package}_$file_version.dsc

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$package $version" ]; then
	exit 0
fi

# --- the files a .dsc lists under Checksums-Sha256 ------------------------------
# Prints "sha256 size name" per file.
dsc_files() {
	awk '/^Checksums-Sha256:/ { inside = 1; next }
	     inside && /^ / { print $1, $2, $3; next }
	     { inside = 0 }' "$1"
}

# Every file the .dsc names is in the cache with its size and SHA-256.
check_files() {
	[ -s "$dsc" ] || return 1
	n=0
	while read -r sum size name; do
		case $name in */* | .* | '') return 1 ;; esac
		f=$cache/$name
		[ -f "$f" ] && [ "$(stat -c %s "$f")" = "$size" ] || return 1
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "$sum" ] || return 1
		n=$((n + 1))
	done <<EOF
$(dsc_files "$dsc")
EOF
	[ $n -gt 0 ]
}

# --- a private apt configuration --------------------------------------------------
apt_dir=$top/apt
apt_opts() {
	echo "-o Dir::Etc::sourcelist=$apt_dir/sources.list"
	echo "-o Dir::Etc::sourceparts=$apt_dir/sources.list.d"
	echo "-o Dir::State=$apt_dir/state"
	echo "-o Dir::Cache=$apt_dir/cache"
	echo "-o Acquire::Languages=none"
	# As root, apt downloads as the _apt user, who cannot write here.
	[ "$(id -u)" != 0 ] || echo "-o APT::Sandbox::User=root"
}

# --- download ---------------------------------------------------------------------
download() {
	# One fetch at a time through the shared private apt state (make -j).
	mkdir -p "$apt_dir"
	exec 9>"$apt_dir.lock"
	flock 9
	write_sources /etc/apt "$apt_dir"
	mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
	log=$apt_dir/update.log
	echo "$me: $package $version: downloading the Debian source package"
	# A machine's list may name repositories without sources (third-party
	# ones): their failures only matter if the package is then not found.
	# shellcheck disable=SC2046 # the options are words
	apt-get -q $(apt_opts) update >"$log" 2>&1 || true
	# shellcheck disable=SC2046
	uris=$(apt-get -q $(apt_opts) source --print-uris "$package=$version" 2>>"$log") ||
		die "$package=$version: not found in the Debian sources (apt-get source failed; see $log)"
	# "'URI' NAME SIZE SHA256:HASH", hash from the signed Sources index.
	want=$(echo "$uris" | awk -v f="$(basename "$dsc")" '$2 == f && $4 ~ /^SHA256:/ { print substr($4, 8) }')
	[ -n "$want" ] || die "$package=$version: apt gave no SHA-256 for $(basename "$dsc") (see $log)"
	# shellcheck disable=SC2046
	(cd "$cache" && apt-get -q $(apt_opts) source --download-only "$package=$version") \
		>>"$log" 2>&1 || die "$package=$version: download failed (see $log)"
	got=$(sha256sum "$dsc" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$(basename "$dsc"): SHA-256 $got, the signed index says $want"
}

if ! check_files; then
	[ ! -e "$dsc" ] || echo "$me: $package $version: files in $cache do not match the .dsc: fetching again" >&2
	download
fi
check_files || die "$package $version: a file does not match the .dsc's Checksums-Sha256 (in $cache)"

# --- unpack -----------------------------------------------------------------------
rm -rf "$dest" "$dest.tmp"
mkdir -p "$dest.tmp"
# dpkg-source checks the same sums again and applies Debian's patches. It
# cannot check the signature without Debian's keyring; the chain above is
# the signed Release file, the Sources index, the .dsc, then the tarballs.
(cd "$dest.tmp" && dpkg-source --no-copy -x "$dsc" src) >"$dest.unpack.log" 2>&1 ||
	die "$package $version: dpkg-source -x failed (see $dest.unpack.log)"
mv "$dest.tmp/src" "$dest"
rmdir "$dest.tmp"
echo "$package $version" >"$stamp"
echo "$me: $package $version: unpacked into $dest"
