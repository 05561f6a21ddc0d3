#!/bin/bash
# `hut pack --oci-layout/--oci-archive` (no KVM needed): the layout, index,
# manifest and config pass the image-spec schemas Debian ships
# (golang-github-opencontainers-image-spec-dev, checked by python3-jsonschema);
# every blob's name is the sha256 of its bytes (sha256sum, not hut's code)
# and every descriptor's size and digest match; the one layer holds the
# image and nothing else, byte for byte; the config's Entrypoint and Cmd run
# it with the ARGs; the archive is the layout as a tar; `hut inspect` reads
# the archive and the layout alike (the same report), and refuses, in one
# line and 126, a changed byte, a hostile layout (symlinks, a FIFO, names
# beside the blobs, a descriptor's wrong size) and a tar header whose
# checksum is wrong.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

SCHEMAS=/usr/share/gocode/src/github.com/opencontainers/image-spec/schema
VALIDATE=$ROOT/tests/integration/oci_schema.py

# json FILE EXPR: a value from a JSON file, by a Python expression on j.
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# expect_refused TAG WHY-ERE: hut inspect (the run TAG) exited 126 with one
# `hut:` line on stderr saying why, and nothing on stdout.
expect_refused() {
	expect_status "$1" 126
	[ "$(wc -l <"$(err "$1")")" = 1 ] && grep -q '^hut: ' "$(err "$1")" ||
		{ problem "$1: not one 'hut:' line on stderr"; detail_file "$1 stderr" "$(err "$1")"; }
	expect_grep "$1: the line does not say why ($2)" "$2" "$(err "$1")"
	[ -s "$(out "$1")" ] && { problem "$1 printed on stdout"; detail_file "$1 stdout" "$(out "$1")"; }
	return 0
}

# blob DIGEST: its path in the layout.
blob() { echo "$TMP/lay/blobs/sha256/${1#sha256:}"; }

# check_descriptor WHAT DIGEST SIZE: the blob exists, its size and sha256 match.
check_descriptor() {
	local f
	f=$(blob "$2")
	[ -f "$f" ] || { problem "$1: no blob $2"; return 1; }
	[ "$(stat -c %s "$f")" = "$3" ] || problem "$1: size $3 in its descriptor, $(stat -c %s "$f") bytes in the blob"
	[ "sha256:$(sha256sum <"$f" | cut -d' ' -f1)" = "$2" ] || problem "$1: the blob's sha256 is not its digest"
}

begin "oci image: layout, index, manifest and config pass the image-spec schemas"
if ready "$HUT" "$IMAGES/hello.hut" "$VALIDATE" && need_file "$SCHEMAS/image-index-schema.json"; then
	run pack "$HUT" pack --oci-layout "$TMP/lay" "$IMAGES/hello.hut" world 'two words'
	expect_status pack 0
	run v-layout python3 "$VALIDATE" "$SCHEMAS" image-layout-schema.json "$TMP/lay/oci-layout"
	expect_status v-layout 0
	run v-index python3 "$VALIDATE" "$SCHEMAS" image-index-schema.json "$TMP/lay/index.json"
	expect_status v-index 0
	manifest=$(json "$TMP/lay/index.json" 'j["manifests"][0]["digest"]')
	run v-manifest python3 "$VALIDATE" "$SCHEMAS" image-manifest-schema.json "$(blob "$manifest")"
	expect_status v-manifest 0
	config=$(json "$(blob "$manifest")" 'j["config"]["digest"]')
	run v-config python3 "$VALIDATE" "$SCHEMAS" config-schema.json "$(blob "$config")"
	expect_status v-config 0
	# The validator itself must refuse a wrong document.
	echo '{"schemaVersion": "2", "manifests": []}' >"$TMP/bad-index.json"
	run v-bad python3 "$VALIDATE" "$SCHEMAS" image-index-schema.json "$TMP/bad-index.json"
	expect_status v-bad 1
	finish
fi

begin "oci image: digests, sizes, and one layer holding the image alone"
if [ -f "$TMP/lay/index.json" ]; then
	check_descriptor manifest "$manifest" "$(json "$TMP/lay/index.json" 'j["manifests"][0]["size"]')"
	m=$(blob "$manifest")
	check_descriptor config "$config" "$(json "$m" 'j["config"]["size"]')"
	[ "$(json "$m" 'len(j["layers"])')" = 1 ] || problem "not exactly one layer"
	layer=$(json "$m" 'j["layers"][0]["digest"]')
	check_descriptor layer "$layer" "$(json "$m" 'j["layers"][0]["size"]')"
	c=$(blob "$config")
	[ "$(json "$c" 'j["rootfs"]["diff_ids"][0]')" = "$layer" ] ||
		problem "the config's diff_id is not the (uncompressed) layer's digest"
	tar -tf "$(blob "$layer")" >"$TMP/layer.list" 2>&1
	printf 'hello.hut\n' >"$TMP/layer.want"
	expect_same_file "the layer's entries" "$TMP/layer.want" "$TMP/layer.list"
	mkdir -p "$TMP/x" && tar -xf "$(blob "$layer")" -C "$TMP/x"
	cmp -s "$IMAGES/hello.hut" "$TMP/x/hello.hut" || problem "the layer's hello.hut is not the image"
	[ "$(json "$c" 'j["config"]["Entrypoint"]')" = "['/hello.hut']" ] || problem "Entrypoint is not /hello.hut"
	[ "$(json "$c" 'j["config"]["Cmd"]')" = "['world', 'two words']" ] || problem "Cmd is not the ARGs"
else
	problem "no layout (the first test failed)"
fi
finish

begin "oci image: the archive is the layout; hut inspect reads it, a changed byte is refused"
if ready "$HUT" "$IMAGES/hello.hut"; then
	run archive "$HUT" pack --oci-archive "$TMP/hello.tar" "$IMAGES/hello.hut" world 'two words'
	expect_status archive 0
	mkdir -p "$TMP/unpacked" && tar -xf "$TMP/hello.tar" -C "$TMP/unpacked"
	diff -r "$TMP/lay" "$TMP/unpacked" >"$TMP/diff.log" 2>&1 || { problem "the archive holds other files than the layout"; detail_file diff "$TMP/diff.log"; }
	run inspect "$HUT" inspect "$TMP/hello.tar"
	expect_status inspect 0
	expect_grep "hut inspect does not call the image inside valid" '^valid: *yes' "$(out inspect)"
	# A byte of the layer's image, changed in the archive: its digest fails.
	cp "$TMP/hello.tar" "$TMP/bad.tar"
	offset=$(grep -abo -m1 'hello, ' "$TMP/bad.tar" | cut -d: -f1)
	if [ -n "$offset" ]; then
		flip_byte "$TMP/bad.tar" "$offset"
		run bad "$HUT" inspect "$TMP/bad.tar"
		expect_refused bad "digest .*corrupt blob"
	else
		problem "cannot find the image's text in the archive"
	fi
	finish
fi

begin "oci image: hut inspect shows the layout as it shows the archive of the same image"
if ready "$HUT" && [ -f "$TMP/hello.tar" ] && [ -f "$TMP/lay/index.json" ]; then
	run inspect-archive "$HUT" inspect "$TMP/hello.tar"
	expect_status inspect-archive 0
	run inspect-layout "$HUT" inspect "$TMP/lay"
	expect_status inspect-layout 0
	expect_grep "the first line does not name the layout" "^layout: +$TMP/lay$" "$(out inspect-layout)"
	expect_grep "the first line does not name the archive" "^archive: +$TMP/hello.tar$" "$(out inspect-archive)"
	tail -n +2 "$(out inspect-archive)" >"$TMP/archive.report"
	tail -n +2 "$(out inspect-layout)" >"$TMP/layout.report"
	expect_same_file "the reports after their first line" "$TMP/archive.report" "$TMP/layout.report"
	expect_grep "no command line" '^command: +\["/hello.hut","world","two words"\]$' "$TMP/layout.report"
	expect_grep "the image in the layer is not valid" '^valid: +yes$' "$TMP/layout.report"
	expect_grep "no digests line" '^oci: +localhost/hello:latest, 3 blobs, digests and sizes ok$' "$TMP/layout.report"
else
	problem "no archive or layout (an earlier test failed)"
fi
finish

# broken_layout TAG WHY-ERE CMD...: a copy of the layout at $TMP/broken,
# changed by CMD (run in it), is refused by hut inspect, saying WHY.
broken_layout() {
	local tag=$1 why=$2
	shift 2
	rm -rf "$TMP/broken" && cp -a "$TMP/lay" "$TMP/broken"
	(cd "$TMP/broken" && "$@") || problem "$tag: cannot break the layout"
	run "$tag" "$HUT" inspect "$TMP/broken"
	expect_refused "$tag" "$why"
}

begin "oci image: hut inspect refuses a broken or hostile layout in one line, 126"
if ready "$HUT" && [ -f "$TMP/lay/index.json" ]; then
	layer_hex=${layer#sha256:}
	offset=$(grep -abo -m1 'hello, ' "$TMP/lay/blobs/sha256/$layer_hex" | cut -d: -f1)
	broken_layout flipped "blobs/sha256/$layer_hex has the digest .*corrupt blob" flip_byte "blobs/sha256/$layer_hex" "${offset:-600}"
	a64=$(printf 'a%.0s' {1..64})
	broken_layout symlink "blobs/sha256/$a64: not a regular file \\(a symlink\\)" ln -s /etc/passwd "blobs/sha256/$a64"
	broken_layout symlinkblob "blobs/sha256/$layer_hex: not a regular file" \
		sh -c "mv blobs/sha256/$layer_hex ../layer.keep && ln -s $TMP/layer.keep blobs/sha256/$layer_hex"
	broken_layout symlinkdir "blobs: not a folder" sh -c 'mv blobs ../blobs.keep && ln -s ../blobs.keep blobs'
	broken_layout fifo "blobs/sha256/$a64: not a regular file" mkfifo "blobs/sha256/$a64"
	broken_layout stray "blobs/sha512: not a blob folder" mkdir blobs/sha512
	broken_layout notdigest "blobs/sha256/\\.\\.x: not a blob name" touch blobs/sha256/..x
	broken_layout size "index.json's manifest: size 1 in its descriptor" \
		sed -i 's/"size":[0-9]*/"size":1/' index.json
	broken_layout nolayer "manifest's layer: no blob $layer" rm "blobs/sha256/$layer_hex"
	broken_layout nofile "oci-layout: No such file" rm oci-layout
	broken_layout dupkey "oci-layout: bad JSON .*duplicate" \
		sh -c 'echo "{\"imageLayoutVersion\":\"1.0.0\",\"imageLayoutVersion\":\"9\"}" >oci-layout'
	mkdir -p "$TMP/empty"
	run empty "$HUT" inspect "$TMP/empty"
	expect_refused empty "not a valid OCI image layout"
else
	problem "no layout (the first test failed)"
fi
finish

# A header field no digest covers (the first entry's gid, in the archive's
# own tar header), changed: only the header's checksum can tell, and tar
# refuses it as containerd does.
begin "oci image: hut inspect refuses a tar whose header checksum is wrong"
if ready "$HUT" && [ -f "$TMP/hello.tar" ]; then
	cp "$TMP/hello.tar" "$TMP/badsum.tar"
	printf '7' | dd of="$TMP/badsum.tar" bs=1 seek=120 conv=notrunc status=none
	tar -tf "$TMP/badsum.tar" >/dev/null 2>&1 && problem "tar(1) reads the changed archive: the test changed nothing"
	run badsum "$HUT" inspect "$TMP/badsum.tar"
	expect_refused badsum "header checksum wrong"
else
	problem "no archive (an earlier test failed)"
fi
finish

exit 0
