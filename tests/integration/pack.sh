#!/bin/bash
# `hut pack`, every form (--bundle, --oci-archive, --oci-layout, and all
# three at once), when something is wrong: a missing image is 127, a file
# that is not a hut image 126, an output that exists or cannot be written
# 125; each says so in one `hut:` line and leaves nothing behind, not even
# a temporary beside the output. A pack that fails half way (after the
# bundle was written, before the OCI image was) leaves nothing either.
# And what works: all three at once, --plain for an ordinary executable.
# (What the outputs hold: oci-image.sh, bench.sh, the hut-oci tests.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut
OUT=$TMP/out # every pack writes here; it must stay as each test leaves it

# The forms, each as the words that name its output(s) in $OUT.
FORMS=("--bundle $OUT/b" "--oci-archive $OUT/a.tar" "--oci-layout $OUT/lay"
	"--bundle $OUT/b --oci-archive $OUT/a.tar --oci-layout $OUT/lay")

# listing: what $OUT holds (hidden names too), one per line.
listing() {
	(cd "$OUT" && find . -mindepth 1 | LC_ALL=C sort)
}

# refused TAG STATUS WHY-ERE FORM IMAGE: `hut pack FORM IMAGE` exits
# STATUS, says why in exactly one `hut:` line and nothing on stdout, and
# $OUT holds what it held before.
refused() {
	local tag=$1 status=$2 why=$3 form=$4 image=$5 before
	before=$(listing)
	# shellcheck disable=SC2086 # a form is several words
	run "$tag" "$HUT" pack $form "$image" arg
	expect_status "$tag" "$status"
	[ "$(grep -c '^hut: ' "$(err "$tag")")" = 1 ] && [ "$(wc -l <"$(err "$tag")")" = 1 ] ||
		{ problem "$tag: not one 'hut:' line on stderr"; detail_file "$tag stderr" "$(err "$tag")"; }
	expect_grep "$tag: the line does not say why" "$why" "$(err "$tag")"
	[ -s "$(out "$tag")" ] && problem "$tag printed on stdout"
	[ "$(listing)" = "$before" ] || problem "$tag left something behind: $(listing | tr '\n' ' ')"
}

# each_form TAG STATUS WHY-ERE IMAGE: refused, for every form.
each_form() {
	local n=0 form
	for form in "${FORMS[@]}"; do
		refused "$1-$n" "$2" "$3" "$form" "$4"
		n=$((n + 1))
	done
}

mkdir -p "$OUT"

begin "pack: a missing image is 127, nothing written (every form)"
if ready "$HUT"; then
	each_form missing 127 "^hut: .*/missing\.hut: image not found$" "$TMP/missing.hut"
	finish
fi

begin "pack: a file that is not a hut image is 126, nothing written (every form)"
if ready "$HUT" "$HELLO"; then
	echo "not an image" >"$TMP/text.hut"
	each_form text 126 "^hut: .*/text\.hut: not a hut image \(.+\)$" "$TMP/text.hut"
	cp /bin/true "$TMP/true.hut" # an ELF executable, but no manifest
	each_form elf 126 "not a hut image" "$TMP/true.hut"
	cp "$HELLO" "$TMP/flipped.hut" # a hut image whose CRC fails
	flip_byte "$TMP/flipped.hut" "$(text_offset "$HELLO")"
	each_form crc 126 "not a hut image \(.*(CRC|crc|checksum).*\)" "$TMP/flipped.hut"
	mkdir -p "$TMP/adir.hut"
	each_form dir 126 "not a hut image" "$TMP/adir.hut"
	finish
fi

begin "pack: an output that exists is 125 and stays as it was (every form)"
if ready "$HUT" "$HELLO"; then
	mkdir -p "$OUT/b" "$OUT/lay"
	echo keep >"$OUT/b/mine"
	echo keep >"$OUT/a.tar"
	echo keep >"$OUT/lay/mine"
	each_form exists 125 "already exists" "$HELLO"
	for f in b/mine a.tar lay/mine; do
		[ "$(cat "$OUT/$f")" = keep ] || problem "$f was changed"
	done
	ln -s nowhere "$OUT/dangling"
	refused dangling 125 "already exists" "--oci-archive $OUT/dangling" "$HELLO"
	[ -L "$OUT/dangling" ] || problem "the dangling symlink was replaced"
	rm -rf "${OUT:?}"/*
	# Only the last of three outputs exists: the first two must not appear.
	mkdir -p "$OUT/lay"
	refused lastexists 125 "lay: cannot write the OCI layout \(it already exists" "${FORMS[3]}" "$HELLO"
	rm -rf "${OUT:?}"/*
	finish
fi

begin "pack: an output that cannot be written is 125, nothing written"
if ready "$HUT" "$HELLO"; then
	refused noparent 125 "cannot write the OCI archive \(cannot create a temporary file beside it: No such file or directory\)" \
		"--oci-archive $OUT/nodir/a.tar" "$HELLO"
	echo file >"$OUT/file"
	refused fileparent 125 "cannot write the bundle \(Not a directory\)" "--bundle $OUT/file/b" "$HELLO"
	refused procfs 125 "cannot write the OCI layout" "--oci-layout /proc/hut-pack-test" "$HELLO"
	# The bundle and the archive can be written, the layout cannot: none appears.
	refused lastfails 125 "cannot write the OCI layout" \
		"--bundle $OUT/b --oci-archive $OUT/a.tar --oci-layout $OUT/nodir/lay" "$HELLO"
	rm -f "$OUT/file"
	finish
fi

# The layer's tar entry holds the image's name, at most 99 bytes: a longer
# one fails in the OCI writer, after the bundle was complete.
begin "pack: a failure half way leaves nothing (the bundle written, the OCI image not)"
if ready "$HUT" "$HELLO"; then
	long=$TMP/$(printf 'x%.0s' {1..100}).hut
	cp "$HELLO" "$long"
	refused halfway 125 "cannot write the OCI image \(.*name is longer" \
		"--bundle $OUT/b --oci-archive $OUT/a.tar --oci-layout $OUT/lay" "$long"
	run bundleonly "$HUT" pack --bundle "$OUT/b" "$long"
	expect_status bundleonly 0 # the bundle alone has no such limit
	rm -rf "${OUT:?}"/*
	finish
fi

begin "pack: all three forms at once, no temporary left, modes as mkdir and creat make them"
if ready "$HUT" "$HELLO"; then
	(umask 022 && cd "$WORK" && "$HUT" pack --bundle "$OUT/b" --oci-archive "$OUT/a.tar" \
		--oci-layout "$OUT/lay" "$HELLO" world) >"$TMP/all.log" 2>&1 ||
		{ problem "pack failed"; detail_file pack "$TMP/all.log"; }
	[ -x "$OUT/b/rootfs/hello.hut" ] && [ -f "$OUT/b/config.json" ] || problem "no bundle"
	[ -f "$OUT/lay/index.json" ] || problem "no layout"
	tar -tf "$OUT/a.tar" >/dev/null 2>&1 || problem "no archive tar can read"
	[ "$(stat -c %a "$OUT/b" "$OUT/lay" "$OUT/a.tar" | tr '\n' ' ')" = "755 755 644 " ] ||
		problem "modes $(stat -c %a "$OUT/b" "$OUT/lay" "$OUT/a.tar" | tr '\n' ' '), expected 755 755 644"
	[ "$(listing | grep -c '/\.')" = 0 ] || problem "a temporary was left: $(listing | grep '/\.')"
	rm -rf "${OUT:?}"/*
	finish
fi

begin "pack --plain: an ordinary ELF executable is packed, a text file is not"
if ready "$HUT"; then
	run plain "$HUT" pack --plain --oci-archive "$OUT/plain.tar" "$TMP/true.hut"
	expect_status plain 0
	[ -f "$OUT/plain.tar" ] || problem "no archive"
	rm -f "$OUT/plain.tar"
	refused plaintext 126 "text\.hut: not an ELF executable$" "--plain --oci-archive $OUT/p.tar" "$TMP/text.hut"
	refused plainmissing 127 "image not found" "--plain --bundle $OUT/b" "$TMP/missing.hut"
	finish
fi

# --name is an image reference containerd and podman accept, or refused
# (2, the bad value named) before anything is written.
begin "pack --name: a valid reference is written, an invalid one refused"
if ready "$HUT" "$IMAGES/hello.hut"; then
	for ref in localhost/web:1.0 docker.io/library/web:latest localhost:5000/a/b_c:v1; do
		rm -f "$OUT/ref.tar"
		run good "$HUT" pack --oci-archive "$OUT/ref.tar" --name "$ref" "$IMAGES/hello.hut"
		expect_status good 0
		tar -xOf "$OUT/ref.tar" index.json 2>/dev/null | grep -qF "\"$ref\"" ||
			problem "index.json does not name $ref"
	done
	rm -f "$OUT/ref.tar"
	for ref in 'BAD NAME!!' Web 'a:b:c' '/leading' 'trailing/' "$(printf 'a%.0s' {1..256})"; do
		run bad "$HUT" pack --oci-archive "$OUT/ref.tar" --name "$ref" "$IMAGES/hello.hut"
		expect_status bad 2
		expect_grep "'${ref:0:20}' is not called an invalid reference" 'not an image reference|longer than 255' "$(err bad)"
		[ -e "$OUT/ref.tar" ] && problem "an archive was written for --name '${ref:0:20}'"
	done
	finish
fi

exit 0
