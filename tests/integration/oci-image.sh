#!/bin/bash
# `hut pack --oci-layout/--oci-archive` (no KVM needed): the layout, index,
# manifest and config pass the image-spec schemas Debian ships
# (golang-github-opencontainers-image-spec-dev, checked by python3-jsonschema);
# every blob's name is the sha256 of its bytes (sha256sum, not hut's code)
# and every descriptor's size and digest match; the one layer holds the
# image and nothing else, byte for byte; the config's Entrypoint and Cmd run
# it with the ARGs; the archive is the layout as a tar; `hut inspect` reads
# the archive and refuses one with a changed byte.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

SCHEMAS=/usr/share/gocode/src/github.com/opencontainers/image-spec/schema
VALIDATE=$ROOT/tests/integration/oci_schema.py

# json FILE EXPR: a value from a JSON file, by a Python expression on j.
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
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
		expect_status bad 126
		expect_grep "no word on the digest" 'digest|sha256' "$(out bad)"
	else
		problem "cannot find the image's text in the archive"
	fi
	finish
fi
