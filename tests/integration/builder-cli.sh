#!/bin/bash
# The builder: `hut build`, `hut inspect`, `hut-cc` inside an ordinary
# Makefile project, and an installed copy used from another directory.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut
HUT_CC=$BIN/hut-cc

COMMANDS="build inspect run cc pack bench"

begin "hut --help names every command and every form of hut pack"
if ready "$HUT"; then
	run help "$HUT" --help
	expect_status help 0
	for word in $COMMANDS; do
		expect_grep "--help (stdout) does not name the command $word" "^  $word " "$(out help)"
	done
	for form in "--bundle DIR" "--oci-archive FILE" "--oci-layout DIR"; do
		expect_grep "--help does not name hut pack $form" "hut pack $form " "$(out help)"
	done
	finish
fi

begin "every hut command's --help: usage on stdout, status 0, nothing on stderr"
if ready "$HUT"; then
	for cmd in $COMMANDS; do
		run "help-$cmd" "$HUT" "$cmd" --help
		expect_status "help-$cmd" 0
		expect_grep "hut $cmd --help: no 'usage: ... $cmd' line" "^usage: hut[ -]$cmd" "$(out "help-$cmd")"
		[ -s "$(err "help-$cmd")" ] && { problem "hut $cmd --help wrote to stderr"; detail_file stderr "$(err "help-$cmd")"; }
	done
	finish
fi

# help_options FILE: the options a --help text names: in its usage lines
# (up to the first empty line) and at the start of its option rows (two
# spaces, then "-x" or "--name", perhaps ", --name").
help_options() {
	{
		sed -n '/^usage:/,/^$/p' "$1" | grep -oE -- '\[--?[a-z][a-z0-9-]*|(^| )--?[a-z][a-z0-9-]*'
		grep -oE -- '^  --?[a-z][a-z0-9-]*(, --?[a-z][a-z0-9-]*)?' "$1" | tr ',' '\n'
	} | tr -d ' [' | sort -u
}

# Each option a command's --help names is one the command takes (given a
# value, "1", whether it wants one or not): none is "unknown". hut cc is
# left out: its options are gcc's.
begin "every option a hut command's --help names is accepted"
if ready "$HUT"; then
	for cmd in build inspect run pack bench; do
		run "opts-$cmd" "$HUT" "$cmd" --help
		for opt in $(help_options "$(out "opts-$cmd")"); do
			run opt "$HUT" "$cmd" "$opt" 1
			grep -qi 'unknown option' "$(err opt)" &&
				problem "hut $cmd --help names $opt, which hut $cmd calls unknown"
		done
	done
	finish
fi

begin "hut build --help"
if ready "$HUT"; then
	run help "$HUT" build --help
	expect_status help 0
	for opt in -o --mem --files --file; do
		grep -q -- "$opt" "$(out help)" || problem "build --help (stdout) does not mention $opt"
	done
	finish
fi

begin "hut without arguments"
if ready "$HUT"; then
	run noargs "$HUT"
	[ "$ST" != 0 ] || problem "exited 0"
	[ -s "$(err noargs)" ] || problem "no usage or error on stderr"
	[ -s "$(out noargs)" ] && problem "wrote to stdout"
	finish
fi

# --- inspect -----------------------------------------------------------------------
begin "hut inspect hello.hut"
if ready "$HUT" "$HELLO"; then
	run inspect "$HUT" inspect "$HELLO"
	expect_status inspect 0
	expect_grep "no 'valid: yes'" 'valid: *yes' "$(out inspect)"
	expect_grep "no CRC line saying ok" '[Cc][Rr][Cc].*ok' "$(out inspect)"
	expect_no_grep "says BAD" 'BAD' "$(out inspect)"
	finish
fi

begin "hut inspect of a corrupted image"
if ready "$HUT" "$HELLO"; then
	cp "$HELLO" "$TMP/flipped.hut"
	flip_byte "$TMP/flipped.hut" "$(text_offset "$HELLO")"
	run inspect "$HUT" inspect "$TMP/flipped.hut"
	expect_status inspect 126
	expect_grep "no 'valid: no'" 'valid: *no' "$(out inspect)"
	expect_grep "no CRC line saying BAD" '[Cc][Rr][Cc].*BAD' "$(out inspect)"
	finish
fi

begin "hut build --net declares a network device; hut inspect lists it"
if ready "$HUT"; then
	run netbuild "$HUT" build --net -o "$TMP/needsnet.hut" "$ROOT/apps/hello/hello.c"
	expect_status netbuild 0
	run netinspect "$HUT" inspect "$TMP/needsnet.hut"
	expect_status netinspect 0
	expect_grep "no 'devices: 1'" '^devices: *1$' "$(out netinspect)"
	expect_grep "no net0 of type net" 'net0 .*net' "$(out netinspect)"
	run plaininspect "$HUT" inspect "$HELLO"
	expect_no_grep "hello declares a device" 'net0' "$(out plaininspect)"
	finish
fi

begin "hut inspect of a text file"
if ready "$HUT"; then
	echo "not an image" >"$TMP/text.hut"
	run inspect "$HUT" inspect "$TMP/text.hut"
	expect_status inspect 126
	expect_grep "no 'valid: no'" 'valid: *no' "$(out inspect)"
	finish
fi

# apps/malloc/hutflags asks for 128 MiB: the manifest must carry it.
begin "hut build --mem lands in the manifest"
if ready "$HUT" "$IMAGES/malloc.hut"; then
	run inspect "$HUT" inspect "$IMAGES/malloc.hut"
	expect_status inspect 0
	expect_grep "inspect does not show 128 MiB of memory" '134217728|128 ?M' "$(out inspect)"
	finish
fi

# --- build -----------------------------------------------------------------------
mkdir -p "$TMP/src"
cat >"$TMP/src/broken.c" <<'EOF'
int main(void) { return this_is_not_declared; }
EOF
begin "hut build of a file that does not compile"
if ready "$HUT"; then
	run broken "$HUT" build -o "$TMP/broken.hut" "$TMP/src/broken.c"
	[ "$ST" != 0 ] || problem "exited 0"
	expect_grep "the compiler's error is not shown" 'this_is_not_declared' "$(err broken)"
	[ -e "$TMP/broken.hut" ] && problem "left an image behind"
	finish
fi

begin "hut build of a missing source"
if ready "$HUT"; then
	run missing "$HUT" build -o "$TMP/missing.hut" "$TMP/src/no-such-file.c"
	[ "$ST" != 0 ] || problem "exited 0"
	expect_grep "no 'hut:' line" '^hut: ' "$(err missing)"
	[ -e "$TMP/missing.hut" ] && problem "left an image behind"
	finish
fi

# Compiler flags after `--` reach the compiler.
cat >"$TMP/src/flags.c" <<'EOF'
#include <stdio.h>
int main(void) { puts(GREETING); return 0; }
EOF
begin "hut build passes flags after --"
if ready "$HUT"; then
	run build "$HUT" build -o "$TMP/flags.hut" "$TMP/src/flags.c" -- '-DGREETING="from -D"'
	expect_status build 0
	if [ -x "$TMP/flags.hut" ]; then
		run proc "$TMP/flags.hut"
		expect_status proc 0
		expect_grep "the macro did not arrive" '^from -D$' "$(out proc)"
		if need_kvm; then
			run appl "$MONITOR" "$TMP/flags.hut"
			expect_status appl 0
			expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
			finish
		fi
	else
		problem "no executable image"
		finish
	fi
fi

# --- packed files ------------------------------------------------------------------
PACK=$TMP/pack
mkdir -p "$PACK/in/sub"
printf 'twelve bytes' >"$PACK/in/sub/f.txt"
chmod 0604 "$PACK/in/sub/f.txt"
ln -s sub/f.txt "$PACK/in/l"
printf 'x' >"$PACK/one"
begin "hut inspect lists what --files and --file packed"
if ready "$HUT"; then
	run build "$HUT" build --files "$PACK/in:/srv" --file "$PACK/one:/etc/one" -o "$TMP/p.hut" \
		"$ROOT/apps/hello/hello.c"
	expect_status build 0
	run inspect "$HUT" inspect "$TMP/p.hut"
	expect_status inspect 0
	expect_grep "no /srv/sub/f.txt of 12 bytes, mode 0604" '^  -rw----r--  +12  /srv/sub/f.txt$' "$(out inspect)"
	expect_grep "no symlink /srv/l" '^  lrwxrwxrwx  +/srv/l -> sub/f\.txt$' "$(out inspect)"
	expect_grep "no /etc/one" '^  -rw-r--r--  +1  /etc/one$' "$(out inspect)"
	expect_grep "no default /etc/passwd" '^  -rw-r--r--  +[0-9]+  /etc/passwd$' "$(out inspect)"
	expect_grep "no totals" '^  6 files \([0-9]+ bytes\), 4 directories, 1 symlinks; ' "$(out inspect)"
	finish
fi

# refused_pack NAME WHY-REGEX STATUS ARGS...: hut build refuses, saying why.
refused_pack() {
	local name=$1 why=$2 status=$3
	shift 3
	begin "hut build refuses $name"
	if ready "$HUT"; then
		run refused "$HUT" build -o "$TMP/refused.hut" "$@" "$ROOT/apps/hello/hello.c"
		expect_status refused "$status"
		expect_grep "no reason given" "$why" "$(err refused)"
		[ -e "$TMP/refused.hut" ] && problem "an image was written"
		finish
	fi
}
mkdir -p "$PACK/withfifo"
mkfifo "$PACK/withfifo/pipe"
refused_pack "a missing --files directory" '^hut: .*/nowhere: cannot pack \(No such file or directory\)$' 1 \
	--files "$PACK/nowhere"
refused_pack "--files of a file" 'not a directory' 1 --files "$PACK/one"
refused_pack "--file without an absolute DEST" '--file takes SRC:DEST' 2 --file "$PACK/one:etc/one"
refused_pack "one path packed twice" 'packed twice at one path' 1 \
	--file "$PACK/one:/x" --file "$PACK/in/sub/f.txt:/x"
refused_pack "a FIFO" 'only regular files, directories and symlinks' 1 --files "$PACK/withfifo"
refused_pack "a .. in the guest path" 'bad guest path' 2 --files "$PACK/in:/srv/../etc"

# --- an ordinary Makefile project, built with hut-cc ------------------------------
# make_project DIR MAKE-ARGS...: a fresh copy of apps/mkproject built in DIR.
make_project() {
	local dir=$1
	shift
	rm -rf "$dir"
	cp -r "$ROOT/apps/mkproject" "$dir"
	make -C "$dir" clean >/dev/null 2>&1
	make -C "$dir" "$@" >"$dir.log" 2>&1
}

begin "mkproject built with hut-cc"
if ready "$HUT_CC"; then
	make_project "$TMP/proj-hut" CC="$HUT_CC" || { problem "make CC=hut-cc failed"; detail_file "make" "$TMP/proj-hut.log"; }
	make_project "$TMP/proj-ref" CC=musl-gcc LDFLAGS=-static || problem "plain musl build failed"
	image=$TMP/proj-hut/mkproject
	if [ -x "$image" ] && [ -x "$TMP/proj-ref/mkproject" ]; then
		run inspect "$HUT" inspect "$image"
		expect_grep "hut inspect does not call it valid" 'valid: *yes' "$(out inspect)"
		finish
		for args in "" "the cat and the hat" "The end"; do
			# shellcheck disable=SC2086 # each string is a list of words
			differential "mkproject${args:+ $args}" "$image" "$TMP/proj-ref/mkproject" 0 $args
		done
	else
		problem "no mkproject binary"
		finish
	fi
fi

# --- make install, then use the installed copy from elsewhere ---------------------
begin "make install; installed hut builds and boots"
prefix=$TMP/prefix
if ready "$HUT"; then
	if make -C "$ROOT" install PREFIX="$prefix" >"$TMP/install.log" 2>&1; then
		for f in bin/hut bin/hut-monitor bin/hut-cc lib/hut/libhut.a lib/hut/hut.ld include/hut/abi.h; do
			[ -e "$prefix/$f" ] || problem "install did not create $f"
		done
		mkdir -p "$TMP/elsewhere"
		cp "$ROOT/apps/hello/hello.c" "$TMP/elsewhere/"
		(cd "$TMP/elsewhere" && "$prefix/bin/hut" build -o hello.hut hello.c) >"$TMP/ibuild.log" 2>&1 ||
			{ problem "installed hut build failed"; detail_file "hut build" "$TMP/ibuild.log"; }
	else
		problem "make install failed"
		detail_file "make install" "$TMP/install.log"
	fi
	finish
	if [ -x "$TMP/elsewhere/hello.hut" ]; then
		ref=$(reference hello) || ref=-
		USE_MONITOR=$prefix/bin/hut-monitor \
			differential "installed hut-monitor runs hello built elsewhere" "$TMP/elsewhere/hello.hut" "$ref" 0 installed
	fi
fi

exit 0
