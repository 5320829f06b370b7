#!/usr/bin/env bash
# mkcpio.sh OUT DIR: pack DIR into a newc cpio archive (the boot archive),
# reproducibly: sorted names, owner 0:0, no timestamps.
set -euo pipefail
out=$(realpath -m "$1")
cd "$2"
find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible > "$out"
