#!/bin/bash
# Checks that the source tree depends one way, twice over:
#   - by #include "..." lines (each resolved as the compiler does: the
#     including file's folder, then the -I folders it may use), and
#   - by symbols: which object file calls or reads what another defines
#     (nm over build/obj*, so run it after `make`); one umbrella header per
#     program would hide call cycles from the #include lines, not from nm.
# Every folder is covered, the libos's layers included (libos/arch, base,
# mem, proc, fd, fs, net, unix, sys: each may use only the layers below it).
# Fails on any cycle between files (each one is named, with its files) and
# on any edge between folders that the layout does not allow
# (docs/ARCHITECTURE.md, "Layout"). Prints what it found and exits 1, or
# prints a summary per folder and exits 0.
# Usage: scripts/check-deps.sh [BUILD_DIR]
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${1:-build}

# Which folders each folder may use besides itself (awk reads this table).
# A file belongs to the longest folder it lies under.
RULES="include:
image:include
cli:
common:include
monitor:include image cli
monitor/modules:include image cli monitor
builder:include image cli common
oci:include image cli common monitor
bench/harness:include image builder cli common
libos:include
libos/arch:include
libos/base:include libos/arch
libos/mem:include libos/arch libos/base
libos/proc:include libos/arch libos/base libos/mem
libos/fd:include libos/arch libos/base libos/mem libos/proc
libos/fs:include libos/arch libos/base libos/mem libos/proc libos/fd
libos/net:include libos/arch libos/base libos/mem libos/proc libos/fd
libos/unix:include libos/arch libos/base libos/mem libos/proc libos/fd libos/fs
libos/sys:include libos/arch libos/base libos/mem libos/proc libos/fd libos/fs libos/net libos/unix"
# Single edges allowed across the rules, "from to" by file: the monitor's
# entry point puts the module table in the machine, and nothing else in the
# core names a module.
EDGES_OK="monitor/main monitor/modules/table"
# The folders looked at (those present), and where the libos's #include
# "layer/x.h" lines resolve from (its -I flag).
FOLDERS=$(echo "$RULES" | cut -d: -f1 | while read -r d; do [ -d "$d" ] && echo "$d"; done)
INCLUDE_ROOTS="libos"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

# The awk helper every step shares: the folder a path lies under.
FOLDER_OF='
	function load_rules(rules,   n, i, kv, line) {
		n = split(rules, line, "\n")
		for (i = 1; i <= n; i++) {
			split(line[i], kv, ":"); may[kv[1]] = kv[2]; dirs[kv[1]] = 1
		}
	}
	function folder(path,   d, best) {
		best = ""
		for (d in dirs)
			if (index(path, d "/") == 1 && length(d) > length(best)) best = d
		return best == "" ? "?" : best
	}'

# --- #include lines --------------------------------------------------------------
# shellcheck disable=SC2086 # FOLDERS is a word list
find $FOLDERS -name '*.[chS]' | sort -u >"$tmp/files"
# "file header" for each #include "header": looked for next to the file, then
# in each folder its folder may use, then under the include roots (the -I
# paths the Makefile gives it).
# shellcheck disable=SC2094 # $tmp/files is only read, twice
xargs grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$tmp/files" |
	awk -F: -v rules="$RULES" -v roots="$INCLUDE_ROOTS" "$FOLDER_OF"'
		BEGIN { load_rules(rules); nroots = split(roots, root, " ") }
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
			for (i = 1; i <= nroots; i++)
				if (index(f, root[i] "/") == 1 && (root[i] "/" inc) in have) {
					print f, root[i] "/" inc; next
				}
			print f, inc >"/dev/stderr"
		}' "$tmp/files" - >"$tmp/includes" 2>"$tmp/unresolved"
# A header found nowhere the folder may look is reached through a -I flag
# into a folder it must not use.
while read -r f inc; do
	echo "check-deps: $f includes \"$inc\", found neither next to it nor in a folder it may use"
	status=1
done <"$tmp/unresolved"

# --- symbols -------------------------------------------------------------------------
# hut, the libos and the unit tests' objects are in obj/, hut-monitor's and
# hut-bench's (built with musl) in obj-musl/: both sets count, as the same
# source files.
objs=$(cd "$BUILD" && for d in obj obj-musl; do
	for f in $FOLDERS; do
		[ -d "$d/$f" ] && find "$d/$f" -name '*.o'
	done
done | sort -u | while read -r o; do
	# An object whose source is gone (a file moved or removed since the
	# last build) is stale: it says nothing about the tree as it is.
	src=${o#*/}
	[ -e "$ROOT/${src%.o}.c" ] || [ -e "$ROOT/${src%.o}.S" ] && echo "$o"
done)
if [ -z "$objs" ]; then
	echo "check-deps: no objects in $BUILD (run make first)" >&2
	exit 1
fi
# nm -A prefixes each line with its file: obj-musl/monitor/run.o -> monitor/run
# shellcheck disable=SC2016 # awk code, not shell
src_of='{f = $1; sub(/:.*/, "", f); sub(/^[^\/]*\//, "", f); sub(/\.o$/, "", f)}'
# Symbols join within one program: the libos (linked into images) and the
# host programs are separate links, so a name both define is not an edge.
symbol_edges() {
	# shellcheck disable=SC2086 # $1 is a word list
	(cd "$BUILD" && nm -A --defined-only $1 2>/dev/null) |
		awk "$src_of"' $2 ~ /^[TDBRCV]$/ {print $3, f}' | sort >"$tmp/defs"
	# Weak references count: a weak call upward is still an upward call.
	# shellcheck disable=SC2086
	(cd "$BUILD" && nm -A -u $1 2>/dev/null) | awk "$src_of"' {print $NF, f}' | sort >"$tmp/uses"
	join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 {print $2, $3}'
}
{
	symbol_edges "$(echo "$objs" | grep '^[^/]*/libos/')"
	symbol_edges "$(echo "$objs" | grep -v '^[^/]*/libos/')"
} | sort -u >"$tmp/calls"

# --- checks --------------------------------------------------------------------------
# Every set of files that depend on each other in a circle (Tarjan's strongly
# connected components), one line each: "files: a b c".
cycles() {
	awk '
		{ succ[$1] = succ[$1] " " $2; node[$1] = 1; node[$2] = 1 }
		function visit(v,   w, i, n, list, member) {
			index_of[v] = low[v] = ++counter
			stack[++top] = v; on_stack[v] = 1
			n = split(succ[v], list, " ")
			for (i = 1; i <= n; i++) {
				w = list[i]
				if (!(w in index_of)) {
					visit(w)
					if (low[w] < low[v]) low[v] = low[w]
				} else if (on_stack[w] && index_of[w] < low[v]) {
					low[v] = index_of[w]
				}
			}
			if (low[v] != index_of[v])
				return
			member = ""; n = 0
			do {
				w = stack[top--]; on_stack[w] = 0
				member = member " " w; n++
			} while (w != v)
			if (n > 1)
				print "files:" member
		}
		END { for (v in node) if (!(v in index_of)) visit(v) }' "$1"
}

for kind in includes calls; do
	cycles "$tmp/$kind" >"$tmp/$kind.cycles"
	while read -r _ members; do
		echo "check-deps: a cycle in the $kind, $(echo "$members" | wc -w) files depend on" \
			"each other: $members"
		status=1
	done <"$tmp/$kind.cycles"
	awk -v kind="$kind" -v rules="$RULES" -v edges_ok="$EDGES_OK" "$FOLDER_OF"'
		BEGIN {
			load_rules(rules)
			n = split(edges_ok, line, "\n")
			for (i = 1; i <= n; i++) fine[line[i]] = 1
		}
		($1 " " $2) in fine { next }
		{
			a = folder($1); b = folder($2)
			n = split(may[a], allowed, " "); ok = 0
			for (i = 1; i <= n; i++) if (allowed[i] == b) ok = 1
			if (a != b && !ok) {
				printf "check-deps: %s uses %s (%s/ may not depend on %s/; %s)\n",
					$1, $2, a, b, kind
				bad = 1
			}
		}
		END { exit bad }' "$tmp/$kind" || status=1
done
[ $status = 0 ] || exit 1

# The summary: per folder, its files and the edges inside it, and no cycle.
echo "check-deps: $(wc -l <"$tmp/includes") #include edges and $(wc -l <"$tmp/calls")" \
	"symbol edges, no cycle, every folder edge allowed"
for d in $FOLDERS; do
	awk -v d="$d" -v rules="$RULES" "$FOLDER_OF"'
		BEGIN { load_rules(rules) }
		FILENAME ~ /files$/ { if (folder($1) == d) files++; next }
		folder($1) == d && folder($2) == d { inner[FILENAME ~ /calls$/]++ }
		END {
			if (files)
				printf "    %-17s %3d files, %3d #include and %3d symbol edges inside, 0 cycles\n",
				d "/", files, inner[0], inner[1]
		}' "$tmp/files" "$tmp/includes" "$tmp/calls"
done
exit 0
