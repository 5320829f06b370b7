#!/usr/bin/env bash
# mkcpio.sh OUT DIR [FILE...]: pack DIR, and each FILE at the archive's
# top level, into a newc cpio archive (the boot archive),
# reproducibly: the files are staged with mtime 0 and modes 0644/0755
# (executables keep x), owner 0:0, names sorted. --reproducible only
# renumbers inodes, so the staging copy is what removes timestamps.
set -euo pipefail
out=$(realpath -m "$1")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$2/." "$stage/"
shift 2
[ $# -gt 0 ] && cp "$@" "$stage/"
chmod -R u=rwX,go=rX "$stage"
find "$stage" -exec touch -h -d @0 {} +
cd "$stage"
find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible > "$out"
