#!/bin/bash
# Checks that the source tree depends one way, twice over:
#   - by #include "..." lines (each resolved as the compiler does: the
#     including file's folder, then the -I folders it may use), and
#   - by symbols: which object file calls or reads what another defines
#     (nm over build/obj*, so run it after `make`); one umbrella header per
#     program hides call cycles from the #include lines, not from nm. The
#     host programs only (image, cli, monitor, builder, oci, bench): the libos still
#     has one, entry.S -> syscall.c -> signal.c -> entry.S (hut_user_rsp).
# Fails on any cycle (tsort finds them) and on any edge between folders that
# the layout does not allow (docs/ARCHITECTURE.md, "Layout"). Prints what it
# found and exits 1, or prints a summary and exits 0.
# Usage: scripts/check-deps.sh [BUILD_DIR]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${1:-build}
FOLDERS="include image cli common monitor builder oci bench/harness libos"

# Which folders each folder may use besides itself (awk reads this table).
RULES="include:
image:include
cli:
common:include
monitor:include image cli
builder:include image cli common
oci:include image cli common
libos:include
bench/harness:include image builder cli common"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

# --- #include lines --------------------------------------------------------------
# shellcheck disable=SC2086 # FOLDERS is a word list
find $FOLDERS -name '*.[ch]' | sort >"$tmp/files"
# "file header" for each #include "header": looked for next to the file, then
# in each folder its folder may use (the -I paths the Makefile gives it).
# shellcheck disable=SC2094 # $tmp/files is only read, twice
xargs grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$tmp/files" |
	awk -F: -v rules="$RULES" '
		BEGIN {
			n = split(rules, line, "\n")
			for (i = 1; i <= n; i++) {
				split(line[i], kv, ":"); may[kv[1]] = kv[2]
			}
		}
		function folder(path,   d, best) {
			best = ""
			for (d in may)
				if (index(path, d "/") == 1 && length(d) > length(best)) best = d
			return best
		}
		NR == FNR {have[$0] = 1; next}
		{
			f = $1; inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
			dir = f; sub(/\/[^\/]*$/, "", dir)
			n = split(dir "/" inc, p, "/"); out = ""
			for (i = 1; i <= n; i++)    # fold "a/../" away
				if (p[i] == "..") sub(/\/?[^\/]*$/, "", out)
				else if (p[i] != ".") out = out (out == "" ? "" : "/") p[i]
			if (out in have) { print f, out; next }
			m = split(may[folder(f)], search, " ")
			for (i = 1; i <= m; i++)
				if ((search[i] "/" inc) in have) { print f, search[i] "/" inc; next }
			print f, inc >"/dev/stderr"
		}' "$tmp/files" - >"$tmp/includes" 2>"$tmp/unresolved"
# A header found nowhere the folder may look is reached through a -I flag
# into a folder it must not use.
while read -r f inc; do
	echo "check-deps: $f includes \"$inc\", found neither next to it nor in a folder it may use"
	status=1
done <"$tmp/unresolved"

# --- symbols -------------------------------------------------------------------------
# hut and the unit tests' objects are in obj/, hut-monitor's and hut-bench's
# (built with musl) in obj-musl/: both sets count, as the same source files.
objs=$(cd "$BUILD" && for d in obj obj-musl; do
	for f in image cli monitor builder oci bench; do
		[ -d "$d/$f" ] && find "$d/$f" -name '*.o'
	done
done | while read -r o; do
	# An object whose source is gone (a file moved or removed since the
	# last build) is stale: it says nothing about the tree as it is.
	src=${o#*/}
	[ -e "$ROOT/${src%.o}.c" ] && echo "$o"
done)
if [ -z "$objs" ]; then
	echo "check-deps: no objects in $BUILD (run make first)" >&2
	exit 1
fi
# nm -A prefixes each line with its file: obj-musl/monitor/run.o -> monitor/run
# shellcheck disable=SC2016 # awk code, not shell
src_of='{f = $1; sub(/:.*/, "", f); sub(/^[^\/]*\//, "", f); sub(/\.o$/, "", f)}'
# shellcheck disable=SC2086 # objs is a word list
(cd "$BUILD" && nm -A --defined-only $objs 2>/dev/null) |
	awk "$src_of"' $2 ~ /^[TDBRC]$/ {print $3, f}' | sort >"$tmp/defs"
# shellcheck disable=SC2086
(cd "$BUILD" && nm -A -u $objs 2>/dev/null) | awk "$src_of"' {print $NF, f}' | sort >"$tmp/uses"
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 {print $2, $3}' | sort -u >"$tmp/calls"

# --- checks --------------------------------------------------------------------------
for kind in includes calls; do
	if ! tsort "$tmp/$kind" >/dev/null 2>"$tmp/loop"; then
		echo "check-deps: a cycle in the $kind:"
		grep -v 'input contains a loop' "$tmp/loop" | sed 's/^tsort: /    /'
		status=1
	fi
	# The folder of a path is the longest folder in RULES it lies under.
	awk -v kind="$kind" -v rules="$RULES" '
		BEGIN {
			n = split(rules, line, "\n")
			for (i = 1; i <= n; i++) {
				split(line[i], kv, ":"); dirs[kv[1]] = 1
				m = split(kv[2], may, " ")
				for (j = 1; j <= m; j++) ok[kv[1], may[j]] = 1
			}
		}
		function folder(path,   d, best) {
			best = ""
			for (d in dirs)
				if (index(path, d "/") == 1 && length(d) > length(best)) best = d
			return best == "" ? "?" : best
		}
		{
			a = folder($1); b = folder($2)
			if (a != b && !((a, b) in ok)) {
				printf "check-deps: %s uses %s (%s/ may not depend on %s/; %s)\n",
					$1, $2, a, b, kind
				bad = 1
			}
		}
		END { exit bad }' "$tmp/$kind" || status=1
done
[ $status = 0 ] && echo "check-deps: $(wc -l <"$tmp/includes") #include edges and" \
	"$(wc -l <"$tmp/calls") symbol edges, no cycle, every folder edge allowed"
exit $status
