#!/usr/bin/env bash
# configure.sh DIR: set up (once) the meson build directory DIR.
set -euo pipefail
dir=${1:-build}
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" --cross-file cross/aarch64-linux-gnu.ini
fi
