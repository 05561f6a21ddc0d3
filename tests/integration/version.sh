#!/bin/bash
# One release everywhere: hut, hut-cc, hut-monitor, hut-oci, hut-bench, the
# OCI features document and an appliance's uname(2) all say the HUT_VERSION
# of include/hut/version.h. The expected value is read from that header here
# (and the ABI number through the compiler, from abi.h), never from a program
# under test, so a program that keeps its own number fails.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

WANT=$(sed -n 's/^#define HUT_VERSION "\(.*\)"$/\1/p' "$ROOT/include/hut/version.h")
ABI=$(abi_constant HUT_ABI_VERSION)
# The version as a regular expression: its dots are literal.
W=${WANT//./\\.}

begin "version: include/hut/version.h defines HUT_VERSION once, as X.Y.Z"
[[ "$WANT" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || problem "no HUT_VERSION \"X.Y.Z\" in include/hut/version.h (got '$WANT')"
[[ "$ABI" =~ ^[0-9]+$ ]] || problem "cannot read HUT_ABI_VERSION from abi.h (got '$ABI')"
finish

# says TAG WHAT ERE CMD...: CMD exits 0 and a line of its stdout matches ERE.
says() {
	local tag=$1 what=$2 ere=$3
	shift 3
	run "$tag" "$@"
	expect_status "$tag" 0
	expect_grep "$what does not say $WANT (ABI $ABI)" "$ere" "$(out "$tag")"
}

begin "version: every program's --version says HUT_VERSION"
if ready "$HUT" "$BIN/hut-cc" "$MONITOR" "$BIN/hut-oci" "$BIN/hut-bench"; then
	says hut "hut --version" "^hut $W \(ABI $ABI\)$" "$HUT" --version
	says monitor "hut-monitor --version" "^hut-monitor $W \(ABI $ABI\)$" "$MONITOR" --version
	says oci "hut-oci --version" "^hut-oci version $W$" "$BIN/hut-oci" --version
	says bench "hut-bench --version" "^hut-bench $W \(ABI $ABI\)$" "$BIN/hut-bench" --version
	says hutbench "hut bench --version" "^hut-bench $W \(ABI $ABI\)$" "$HUT" bench --version
	# hut-cc: gcc's text first (build tools read it), hut's last.
	says cc "hut-cc --version" "^hut-cc $W \(ABI $ABI\)$" "$BIN/hut-cc" --version
	head -n 1 "$(out cc)" | grep -q '^gcc ' || problem "hut-cc --version does not start with gcc's line"
	[ "$(tail -n 1 "$(out cc)")" = "hut-cc $WANT (ABI $ABI)" ] || problem "hut-cc --version does not end with hut's line"
	says hutcc "hut cc --version" "^hut-cc $W \(ABI $ABI\)$" "$HUT" cc --version
	run features "$BIN/hut-oci" features
	expect_status features 0
	python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["annotations"]["org.hut.oci.version"] != sys.argv[2])' \
		"$(out features)" "$WANT" 2>/dev/null || { problem "hut-oci features: org.hut.oci.version is not $WANT"; detail_file features "$(out features)"; }
	finish
fi

cat >"$TMP/uname.c" <<'EOF'
#include <stdio.h>
#include <sys/utsname.h>
int main(void)
{
	struct utsname u;
	if (uname(&u) != 0)
		return 1;
	printf("%s %s\n", u.sysname, u.release);
	return 0;
}
EOF
begin "version: an appliance's uname says hut HUT_VERSION"
if ready "$HUT"; then
	run build "$HUT" build -o "$TMP/uname.hut" "$TMP/uname.c"
	expect_status build 0
	if [ -x "$TMP/uname.hut" ] && need_kvm; then
		run uname "$MONITOR" "$TMP/uname.hut"
		expect_status uname 0
		expect_grep "uname(2) in the appliance is not 'hut $WANT'" "^hut $W$" "$(out uname)"
		finish
	elif [ ! -x "$TMP/uname.hut" ]; then
		finish
	fi
fi

exit 0
