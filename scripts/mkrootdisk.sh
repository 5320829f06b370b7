#!/usr/bin/env bash
# mkrootdisk.sh OUT SIZE_MIB ROOTDIR BUSYBOX: the FAT32 root disk.
# mkfs.fat -F 32 makes the volume, mtools fills it without mounting:
# ROOTDIR's tree (image/rootfs: /etc), BUSYBOX at /bin/busybox and, since
# FAT has no symbolic links, a copy at /bin/sh (BusyBox's shell runs its
# other applets itself), and empty /tmp, /root, /dev, /proc, /boot (mount
# points; disk.manifest mounts the boot archive on /boot).
# Reproducible: a fixed volume id and times from SOURCE_DATE_EPOCH (0).
set -euo pipefail
out=$1 size=$2 root=$3 busybox=$4
tmp=$out.tmp
rm -f "$tmp"
truncate -s "${size}M" "$tmp"
mkfs.fat -F 32 -n LICHEN -i 4c494348 --invariant "$tmp" >/dev/null
export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0
mmd -i "$tmp" ::/bin ::/tmp ::/root ::/dev ::/proc ::/boot
( cd "$root" && find . -mindepth 1 -type d | sort ) | while read -r d; do
	mmd -i "$tmp" "::/${d#./}"
done
( cd "$root" && find . -type f | sort ) | while read -r f; do
	mcopy -i "$tmp" -m "$root/$f" "::/${f#./}"
done
mcopy -i "$tmp" "$busybox" ::/bin/busybox
mcopy -i "$tmp" "$busybox" ::/bin/sh
fsck.fat -n "$tmp" >/dev/null
mv "$tmp" "$out"
