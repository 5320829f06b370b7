#!/usr/bin/env bash
# linux-kernel.sh BUILD: Debian's arm64 Linux kernel for run-qemu.sh
# --linux (the reference lichen is compared with), in BUILD/linux/.
#
# The package linux-image-arm64:arm64 depends on (linux-image-VERSION-arm64)
# is fetched with apt-get download (nothing is installed), and of it only
# what a boot needs is unpacked (dpkg-deb --fsys-tarfile | tar):
#   BUILD/linux/vmlinuz   its boot/vmlinuz-VERSION
#   BUILD/linux/modules/  the few modules a --disk run needs (Debian
#                         builds them =m): virtio-mmio, virtio-blk, vfat
#   BUILD/linux/version   VERSION and the package's file name
# (the .deb stays there too). What is present is kept: a second run only
# checks that the three are there (rm -r BUILD/linux fetches anew). When
# apt cannot name the package (no lists: offline), a .deb fetched before
# is unpacked.
# Exits 1 (with the reason) if there is no kernel to be had.
# Called by scripts/bootstrap.sh --linux BUILD (run-qemu.sh --linux).
set -euo pipefail
build=$(realpath -m "${1:?usage: linux-kernel.sh BUILD}")
dir=$build/linux
mods=(drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko fs/fat/fat.ko fs/fat/vfat.ko
	fs/nls/nls_cp437.ko fs/nls/nls_ascii.ko fs/nls/nls_utf8.ko)
mkdir -p "$dir"
cd "$dir"

# Present and complete: nothing to ask apt (rm -r BUILD/linux to refetch).
if [ -f version ] && [ -f vmlinuz ] && [ -d modules ]; then
	exit 0
fi
pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^: ]*-arm64\).*/\1/p' | head -n 1)
deb=
if [ -n "$pkg" ]; then
	deb=$(ls -1 "${pkg}"_*_arm64.deb 2>/dev/null | sort | tail -n 1 || true)
	if [ -z "$deb" ]; then
		echo "linux-kernel.sh: apt-get download $pkg:arm64 into $dir" >&2
		apt-get download -q "$pkg:arm64" >&2 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
		deb=$(ls -1 "${pkg}"_*_arm64.deb 2>/dev/null | sort | tail -n 1 || true)
	fi
fi
[ -n "$deb" ] || deb=$(ls -1 linux-image-[0-9]*-arm64_*_arm64.deb 2>/dev/null | sort | tail -n 1 || true)
if [ -z "$deb" ]; then
	echo "linux-kernel.sh: no Debian arm64 kernel: apt-cache knows no" \
		"linux-image-arm64:arm64 (arm64 dpkg architecture and apt-get update:" \
		"scripts/bootstrap.sh) and none was fetched into $dir before" >&2
	exit 1
fi

# Only the kernel and the modules are unpacked (the whole tree is 350 MB).
tmp=$dir/unpack.tmp
rm -rf "$tmp"
mkdir "$tmp"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' "${mods[@]/#/./lib/modules/*/kernel/}"
kernels=("$tmp"/boot/vmlinuz-*)
if [ ${#kernels[@]} -ne 1 ] || [ ! -f "${kernels[0]}" ]; then
	echo "linux-kernel.sh: $deb: not one boot/vmlinuz-*" >&2
	exit 1
fi
version=${kernels[0]##*/vmlinuz-}
mkdir "$tmp/modules"
for m in "${mods[@]}"; do
	ko=$tmp/lib/modules/$version/kernel/$m
	[ -f "$ko" ] || { echo "linux-kernel.sh: $deb has no lib/modules/$version/kernel/$m" >&2; exit 1; }
	mv "$ko" "$tmp/modules/"
done
rm -rf modules vmlinuz version
mv "$tmp/modules" modules
mv "${kernels[0]}" vmlinuz
rm -rf "$tmp"
echo "$version $deb" > version
