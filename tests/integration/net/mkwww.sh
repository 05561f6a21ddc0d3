#!/bin/sh
# mkwww.sh DIR: the files net-httpd.sh packs into its httpd image and fetches
# back byte for byte: sizes around httpd's inline limit (16 KiB) and its
# sendfile chunk (1 MiB), an empty file, names that need quoting in a URL,
# nested folders, a folder with an index.html and one without (a listing).
# The bytes are random: only the copy in DIR is the reference.
set -e
dir=$1
rm -rf "$dir"
mkdir -p "$dir/sub/deeper" "$dir/site" "$dir/listed"
bytes() { head -c "$1" /dev/urandom >"$dir/$2"; }
cat >"$dir/index.html" <<'HTML'
<!DOCTYPE html>
<title>hut</title>
<p>net-httpd.sh's index page.
HTML
: >"$dir/empty.txt"
bytes 1 one.bin
bytes 16383 inline-less.bin
bytes 16384 inline-max.bin
bytes 16385 inline-more.dat
bytes 100000 page.png
bytes 1048579 large.bin
bytes 2100000 two-chunks.bin
printf 'spaces and a %% sign\n' >"$dir/with space %.txt"
printf '{"k": "v"}\n' >"$dir/sub/deeper/data.json"
printf 'body { color: red; }\n' >"$dir/sub/style.css"
printf '<p>site\n' >"$dir/site/index.html"
printf 'a\n' >"$dir/listed/a.txt"
printf 'b\n' >"$dir/listed/b&c.txt"
