#!/usr/bin/env bash
# Install every package lichen's build, tests and QEMU runs need.
#
# Called by run-qemu.sh and run-tests.sh. Idempotent: when everything is
# present it only runs dpkg-query once and returns. Installs with apt-get as
# root (or through sudo), adding the arm64 dpkg architecture only if missing.
# bootstrap.sh --linux BUILD: then Debian's arm64 Linux kernel too, into
# BUILD/linux/ (scripts/linux-kernel.sh: fetched once, not installed), for
# run-qemu.sh --linux.
set -euo pipefail
linux_build=
if [ "${1:-}" = --linux ]; then
	linux_build=${2:?usage: bootstrap.sh [--linux BUILD]}
fi
fetch_linux() {
	[ -z "$linux_build" ] || "$(dirname "$0")/linux-kernel.sh" "$linux_build"
}

# Host tools (native architecture).
host_pkgs=(
	qemu-system-arm qemu-user gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	meson ninja-build check pkg-config gcc libc6-dev
	dosfstools mtools device-tree-compiler gdb-multiarch cpio python3
)
# Target libraries and binaries (arm64), linked into or copied onto lichen.
arm64_pkgs=(libfdt-dev:arm64 musl-dev:arm64 busybox-static:arm64)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "bootstrap: need root (or sudo) to run: $*" >&2
		exit 1
	fi
}

missing() {
	local p status
	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$status" = installed ] || printf '%s\n' "$p"
	done
}

need_arch=0
if ! { dpkg --print-architecture; dpkg --print-foreign-architectures; } | grep -qx arm64; then
	need_arch=1
fi

mapfile -t todo < <(missing "${host_pkgs[@]}"; [ "$need_arch" = 1 ] && printf '%s\n' "${arm64_pkgs[@]}" || missing "${arm64_pkgs[@]}")
if [ "${#todo[@]}" -eq 0 ]; then
	fetch_linux
	exit 0
fi

echo "bootstrap: installing ${todo[*]}" >&2
if [ "$need_arch" = 1 ]; then
	as_root dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -q
as_root apt-get install -y -q --no-install-recommends "${todo[@]}"
fetch_linux
