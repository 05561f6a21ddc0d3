#!/bin/bash
# hut-cc with the flags real Makefiles pass: the common link flags and -s
# each give a valid image that runs as the plain program does; -l finds
# musl's and the project's libraries only, and a library built for glibc
# (found only in glibc's directories, or in a -L dir) is refused before the
# link in one line; -v prints exactly the commands hut-cc and hut build run.
# Everything here runs as a process; stripped.sh boots the images.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HUT_CC=$BIN/hut-cc
PROGRAMS=$ROOT/tests/integration/programs
MUSL_LIB=$ROOT/build/lib/hut/musl/lib
mkdir -p "$TMP/src"
cat >"$TMP/src/flags.c" <<'EOF'
#include <math.h>
#include <pthread.h>
#include <stdio.h>
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
int main(int argc, char **argv)
{
	pthread_mutex_lock(&lock);
	printf("%d %s %.4f\n", argc, argc > 1 ? argv[1] : "-", sqrt((double)argc));
	pthread_mutex_unlock(&lock);
	return 5;
}
EOF

# The yardstick: the same source as an ordinary glibc program.
gcc -O2 -o "$TMP/flags.ref" "$TMP/src/flags.c" -lm -pthread 2>"$TMP/ref.log" ||
	echo "reference build failed: $(head -1 "$TMP/ref.log")" >&2

# image_checks IMAGE: hut inspect calls it valid, and as a process it prints
# what the glibc program prints and exits as it does.
image_checks() {
	run inspect "$HUT" inspect "$1"
	expect_status inspect 0
	expect_grep "hut inspect does not call it valid" '^valid: *yes' "$(out inspect)"
	run ref "$TMP/flags.ref" word
	run proc "$1" word
	expect_status proc 5
	expect_same_file "image and glibc program stdout" "$(out ref)" "$(out proc)"
}

# has_symtab IMAGE: the image still has a symbol table.
has_symtab() {
	readelf -SW "$1" 2>/dev/null | grep -q ' \.symtab '
}

# --- the link flags upstream Makefiles and distributions pass ----------------------
for flags in "-Wl,--as-needed" "-rdynamic" "-pthread" "-Wl,-O1" "-Wl,--gc-sections" \
	"-ffunction-sections -fdata-sections -Wl,--gc-sections" "-Wl,-z,relro" "-Wl,-z,now" \
	"-Wl,-z,relro -Wl,-z,now" "-Wl,--hash-style=gnu" "-static" "-flto" "-Wl,--no-undefined" \
	"-Wl,-Bsymbolic-functions" "-fstack-protector-strong" "-D_FORTIFY_SOURCE=2" \
	"-lm -lpthread -lrt -ldl"; do
	begin "hut-cc $flags"
	if ready "$HUT_CC"; then
		# shellcheck disable=SC2086 # a list of flags
		run build "$HUT_CC" -O2 $flags -o "$TMP/f.hut" "$TMP/src/flags.c"
		expect_status build 0
		image_checks "$TMP/f.hut"
		has_symtab "$TMP/f.hut" || problem "no symbol table without -s"
		finish
	fi
	rm -f "$TMP/f.hut"
done

# --- -s and its linker spellings: stripped after the manifest, still valid ---------------
for flags in "-s" "-Wl,-s" "-Wl,--strip-all" "-Wl,-O1,-s" "-Xlinker -s" "-g -s" \
	"-Wl,--gc-sections -s"; do
	begin "hut-cc $flags strips a valid image"
	if ready "$HUT_CC"; then
		# shellcheck disable=SC2086 # a list of flags
		run build "$HUT_CC" -O2 $flags -o "$TMP/s.hut" "$TMP/src/flags.c"
		expect_status build 0
		image_checks "$TMP/s.hut"
		has_symtab "$TMP/s.hut" && problem "the image still has a symbol table"
		readelf -SW "$TMP/s.hut" 2>/dev/null | grep -q '\.debug_' && problem "debug sections left"
		finish
	fi
	rm -f "$TMP/s.hut"
done

begin "hut build -- -s strips a valid image"
if ready "$HUT"; then
	run build "$HUT" build -o "$TMP/b.hut" "$TMP/src/flags.c" -- -lm -s
	expect_status build 0
	image_checks "$TMP/b.hut"
	has_symtab "$TMP/b.hut" && problem "the image still has a symbol table"
	finish
fi

# --- an upstream Makefile with LDFLAGS=-s -------------------------------------------
# stripped.sh boots the images programs.mk makes this way; here the make
# itself is the test.
begin "make CC=hut-cc LDFLAGS=-s builds a Makefile project (programs/upstream)"
if ready "$HUT_CC"; then
	for how in ref s; do
		rm -rf "$TMP/up-$how"
		cp -r "$PROGRAMS/upstream" "$TMP/up-$how"
	done
	make -C "$TMP/up-ref" CC=gcc >"$TMP/up-ref.log" 2>&1 || problem "the glibc build failed"
	if make -C "$TMP/up-s" CC="$HUT_CC" LDFLAGS=-s >"$TMP/up-s.log" 2>&1; then
		grep -q -- "-s -o upstream main.o -L. -lstats -lm -lcrypt" "$TMP/up-s.log" ||
			{ problem "the link line is not the Makefile's"; detail_file make "$TMP/up-s.log"; }
		has_symtab "$TMP/up-s/upstream" && problem "not stripped"
		run inspect "$HUT" inspect "$TMP/up-s/upstream"
		expect_status inspect 0
		run ref "$TMP/up-ref/upstream" a bb cccc
		run proc "$TMP/up-s/upstream" a bb cccc
		expect_status proc 3
		expect_same_file "image and glibc program stdout" "$(out ref)" "$(out proc)"
	else
		problem "make CC=hut-cc LDFLAGS=-s failed"
		detail_file make "$TMP/up-s.log"
	fi
	finish
fi

# --- -l: musl's and the project's libraries, never glibc's ---------------------------
# refused TAG WHAT-ERE: the last run failed with one `hut-cc:` line on stderr
# matching WHAT-ERE, before any link (no image written).
refused() {
	[ "$ST" = 1 ] || problem "$1 exited $ST, expected 1"
	local lines
	lines=$(grep -c . "$(err "$1")")
	[ "$lines" = 1 ] || problem "$1: $lines lines on stderr, expected one"
	expect_grep "$1: not the expected reason" "$2" "$(err "$1")"
	[ -e "$TMP/l.hut" ] && problem "$1 wrote an image"
	rm -f "$TMP/l.hut"
}

# A library only glibc's directories have: Debian's libelf.a (libelf-dev).
glibc_libelf=$(realpath "$(gcc -print-file-name=libelf.a)")
begin "hut-cc -lelf (only in a glibc directory) is refused in one line"
if ready "$HUT_CC" "$glibc_libelf"; then
	run lelf "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/flags.c" -lelf
	refused lelf "^hut-cc: -lelf: ${glibc_libelf//./\\.} is built for glibc, not musl \(.*\)$"
	finish
fi

begin "hut-cc -Wl,-lelf: ld does not search glibc's directories either"
if ready "$HUT_CC" "$glibc_libelf"; then
	run wlelf "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/flags.c" -Wl,-lelf
	[ "$ST" != 0 ] || problem "linked"
	expect_grep "ld did not say it cannot find -lelf" 'cannot find -lelf' "$(err wlelf)"
	[ -e "$TMP/l.hut" ] && problem "wrote an image"
	finish
fi

begin "hut-cc -l of a library that is nowhere is refused in one line"
if ready "$HUT_CC"; then
	run lnone "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/flags.c" -lhut-no-such-library
	refused lnone '^hut-cc: -lhut-no-such-library: library not found \(no libhut-no-such-library\.a in .*musl/lib.*\)$'
	finish
fi

# An archive built against glibc's headers with fortification, as Debian
# builds its packages: it refers to __printf_chk.
mkdir -p "$TMP/glibc" "$TMP/musl"
cat >"$TMP/src/shout.c" <<'EOF'
#include <stdio.h>
#include <string.h>
int shout(const char *s)
{
	char buf[64];
	strncpy(buf, s, sizeof buf - 1);
	buf[sizeof buf - 1] = 0;
	return printf("%s!\n", buf);
}
EOF
cat >"$TMP/src/main-shout.c" <<'EOF'
int shout(const char *s);
int main(int argc, char **argv) { shout(argc > 1 ? argv[1] : "none"); return 0; }
EOF
gcc -O2 -D_FORTIFY_SOURCE=2 -c -o "$TMP/glibc/shout.o" "$TMP/src/shout.c" &&
	ar rcs "$TMP/glibc/libshout.a" "$TMP/glibc/shout.o"
begin "hut-cc -L DIR -lNAME of a glibc-built archive is refused in one line"
if ready "$HUT_CC" "$TMP/glibc/libshout.a"; then
	nm -u "$TMP/glibc/shout.o" | grep -q '__printf_chk' || problem "the test archive has no __printf_chk"
	run lglibc "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/main-shout.c" -L "$TMP/glibc" -lshout
	refused lglibc "^hut-cc: -lshout: $TMP/glibc/libshout\.a: built against glibc, not musl \(shout\.o refers to __printf_chk, .*\)$"
	finish
fi

begin "hut-cc of a glibc-built object or archive named directly is refused"
if ready "$HUT_CC" "$TMP/glibc/libshout.a"; then
	run oglibc "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/main-shout.c" "$TMP/glibc/shout.o"
	refused oglibc "^hut-cc: $TMP/glibc/shout\.o: built against glibc, not musl \(it refers to __printf_chk, .*\)$"
	run aglibc "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/main-shout.c" "$TMP/glibc/libshout.a"
	refused aglibc "^hut-cc: $TMP/glibc/libshout\.a: built against glibc, not musl"
	finish
fi

# The same archive built with hut-cc: the -L dir is honoured, -l NAME and
# -l:FILE spellings too.
begin "hut-cc -L DIR -lNAME of a hut-cc-built archive links and runs"
if ready "$HUT_CC"; then
	if ! { "$HUT_CC" -O2 -D_FORTIFY_SOURCE=2 -c -o "$TMP/musl/shout.o" "$TMP/src/shout.c" &&
		ar rcs "$TMP/musl/libshout.a" "$TMP/musl/shout.o"; }; then
		problem "hut-cc -c or ar failed"
	fi
	for spelling in "-lshout" "-l shout" "-l:libshout.a"; do
		# shellcheck disable=SC2086 # -l NAME is two words
		run lmusl "$HUT_CC" -o "$TMP/l.hut" "$TMP/src/main-shout.c" -L"$TMP/musl" $spelling
		expect_status lmusl 0
		run proc "$TMP/l.hut" hey
		expect_status proc 0
		expect_grep "$spelling: the library's output is missing" '^hey!$' "$(out proc)"
		rm -f "$TMP/l.hut"
	done
	finish
fi

# crypt() is in hut's musl (Debian's musl-dev has none); -lcrypt must find
# musl's empty libcrypt.a, not glibc's libxcrypt, and hash as libxcrypt does.
begin "hut-cc -lcrypt links musl's libcrypt.a; crypt() as glibc's libxcrypt"
if ready "$HUT_CC" "$MUSL_LIB/libcrypt.a"; then
	run crypt "$HUT_CC" -v -o "$TMP/crypt.hut" "$PROGRAMS/crypt_check.c" -lcrypt
	expect_status crypt 0
	expect_grep "the link did not use musl's libcrypt.a" "^gcc -nostdlib .* $MUSL_LIB/libcrypt\.a( |$)" "$(err crypt)"
	if gcc -o "$TMP/crypt.ref" "$PROGRAMS/crypt_check.c" -lcrypt 2>"$TMP/crypt-ref.log"; then
		run ref "$TMP/crypt.ref"
		run proc "$TMP/crypt.hut"
		expect_status proc 0
		expect_same_file "crypt hashes (glibc and libxcrypt, image)" "$(out ref)" "$(out proc)"
	else
		problem "the glibc reference did not build"
		detail_file "gcc" "$TMP/crypt-ref.log"
	fi
	finish
fi

# --- -v: the exact commands -------------------------------------------------------------
# A gcc and a strip in PATH that log how they were called, then run the real
# ones. Every command the log shows (but gcc -print-* queries, which -v keeps
# quiet) must be a line of -v's output, word for word.
WRAP=$TMP/wrap
mkdir -p "$WRAP"
for tool in gcc strip; do
	cat >"$WRAP/$tool" <<EOF
#!/bin/sh
printf '%s\n' "$tool \$*" >>"$TMP/ran.log"
exec $(command -v $tool) "\$@"
EOF
	chmod +x "$WRAP/$tool"
done

# expect_commands_shown TAG WANT: each command the tools logged during the
# run TAG is a line of its stderr; there are WANT of them.
expect_commands_shown() {
	grep -v -- ' -print-' "$TMP/ran.log" >"$TMP/ran.cmds"
	local n
	n=$(wc -l <"$TMP/ran.cmds")
	[ "$n" = "$2" ] || { problem "$1 ran $n commands, expected $2"; detail_file "commands run" "$TMP/ran.cmds"; }
	while IFS= read -r cmd; do
		grep -qxF -- "$cmd" "$(err "$1")" || { problem "$1 -v did not print: ${cmd:0:120}"; detail_file "$1 stderr" "$(err "$1")"; }
	done <"$TMP/ran.cmds"
}

begin "hut-cc -v prints the exact compile, link and strip commands"
if ready "$HUT_CC"; then
	: >"$TMP/ran.log"
	run v env PATH="$WRAP:$PATH" "$HUT_CC" -v -O2 -s -o "$TMP/v.hut" "$TMP/src/flags.c" -lm
	expect_status v 0
	# flags.c, the packed /etc files, the link, the image's syscall table
	# (builder/syscall_table.c), the link with it, strip.
	expect_commands_shown v 6
	expect_grep "no compile of the syscall table" "^gcc .* -c .*-syscalls\.c " "$(err v)"
	expect_grep "no link command with -o" "^gcc -nostdlib .* -o $TMP/v\.hut " "$(err v)"
	expect_grep "no strip command" "^strip --strip-all $TMP/v\.hut$" "$(err v)"
	expect_grep "gcc's own -v output is missing" '^gcc version ' "$(err v)"
	finish
fi

begin "hut-cc -v -c prints the compile command"
if ready "$HUT_CC"; then
	: >"$TMP/ran.log"
	run vc env PATH="$WRAP:$PATH" "$HUT_CC" -v -c -o "$TMP/v.o" "$TMP/src/flags.c"
	expect_status vc 0
	expect_commands_shown vc 1
	finish
fi

begin "hut build -v prints the exact compile and link commands"
if ready "$HUT"; then
	: >"$TMP/ran.log"
	run vb env PATH="$WRAP:$PATH" "$HUT" build -v -o "$TMP/vb.hut" "$TMP/src/flags.c" -- -lm
	expect_status vb 0
	expect_commands_shown vb 5 # with the syscall table's compile and link
	expect_no_grep "gcc's own -v output (not asked for)" '^gcc version ' "$(err vb)"
	finish
fi

# --- what kbuild-style Makefiles do with $(CC) ----------------------------------------
mkdir -p "$TMP/kb"
cat >"$TMP/kb/a.c" <<'EOF'
int helper_b(int);
int helper_a(int x) { return x > 0 ? helper_b(x - 1) + 1 : 0; }
EOF
cat >"$TMP/kb/b.c" <<'EOF'
int helper_a(int);
int helper_b(int x) { return x > 0 ? helper_a(x - 1) * 2 : 1; }
EOF
cat >"$TMP/kb/main.c" <<'EOF'
#include <stdio.h>
int helper_a(int);
int main(void) { printf("helpers say %d\n", helper_a(7)); return 0; }
EOF
gcc -O2 -o "$TMP/kb/ref" "$TMP/kb/a.c" "$TMP/kb/b.c" "$TMP/kb/main.c"

begin "hut-cc -r makes a partial link that an image then links"
if ready "$HUT_CC"; then
	run part "$HUT_CC" -O2 -r -o "$TMP/kb/part.o" "$TMP/kb/a.c" "$TMP/kb/b.c"
	expect_status part 0
	readelf -h "$TMP/kb/part.o" 2>/dev/null | grep -q 'Type: *REL' ||
		problem "the partial link is not a relocatable object"
	run img "$HUT_CC" -O2 -o "$TMP/kb/part.hut" "$TMP/kb/main.c" "$TMP/kb/part.o"
	expect_status img 0
	run ref "$TMP/kb/ref"
	run proc "$TMP/kb/part.hut"
	expect_status proc 0
	expect_same_file "image and glibc program stdout" "$(out ref)" "$(out proc)"
	finish
fi

begin "hut-cc -Wl,--start-group keeps its archives: main() and a cycle inside archives"
if ready "$HUT_CC"; then
	for f in a b main; do "$HUT_CC" -O2 -c -o "$TMP/kb/$f.o" "$TMP/kb/$f.c"; done
	ar rcs "$TMP/kb/libmain.a" "$TMP/kb/main.o" "$TMP/kb/a.o"
	ar rcs "$TMP/kb/libb.a" "$TMP/kb/b.o"
	run group "$HUT_CC" -o "$TMP/kb/group.hut" -Wl,--start-group "$TMP/kb/libmain.a" \
		"$TMP/kb/libb.a" -Wl,--end-group -Wl,-u,main
	expect_status group 0
	run proc "$TMP/kb/group.hut"
	expect_same_file "image and glibc program stdout" "$(out ref)" "$(out proc)"
	run lgroup "$HUT_CC" -o "$TMP/kb/lgroup.hut" -L "$TMP/kb" -Wl,--start-group -lmain -lb \
		-Wl,--end-group -Wl,-u,main
	expect_status lgroup 0
	run proc "$TMP/kb/lgroup.hut"
	expect_same_file "image (-l in a group) and glibc program stdout" "$(out ref)" "$(out proc)"
	finish
fi

begin "hut-cc finds the kernel's uapi headers after musl's, and no other glibc header"
if ready "$HUT_CC"; then
	cat >"$TMP/kb/uapi.c" <<'EOF'
#include <asm/unistd.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <stdio.h>
int main(void) { __u32 max = PATH_MAX; printf("%u %d\n", max, __NR_getpid); return 0; }
EOF
	run uapi "$HUT_CC" -o "$TMP/kb/uapi.hut" "$TMP/kb/uapi.c"
	expect_status uapi 0
	run proc "$TMP/kb/uapi.hut"
	echo "4096 39" >"$TMP/kb/uapi.want"
	expect_same_file "uapi constants" "$TMP/kb/uapi.want" "$(out proc)"
	printf '#include <gnu/libc-version.h>\nint main(void) { return 0; }\n' >"$TMP/kb/glibc.c"
	run glibc "$HUT_CC" -c -o "$TMP/kb/glibc.o" "$TMP/kb/glibc.c"
	expect_status glibc 1
	expect_grep "a glibc-only header was found" "gnu/libc-version.h: No such file" "$(err glibc)"
	finish
fi

begin "hut-cc -o a device (a Makefile's link check: -o /dev/null) writes into it, never replaces it"
if ready "$HUT_CC"; then
	# A null device of our own, so that a fault cannot break the host's /dev/null.
	if mknod -m 666 "$TMP/null" c 1 3 2>/dev/null; then
		run devnull "$HUT_CC" -o "$TMP/null" "$TMP/kb/main.c" "$TMP/kb/a.c" "$TMP/kb/b.c"
		expect_status devnull 0
		[ -c "$TMP/null" ] || problem "the device was replaced by a file"
		[ "$(stat -c %a "$TMP/null")" = 666 ] || problem "the device's mode changed"
		finish
	else
		skip "$TEST_NAME" "mknod needs root"
	fi
fi

exit 0
