#!/bin/sh
# linux-init.sh: the first process of run-qemu.sh --linux (Debian's arm64
# kernel booted with rdinit=/.linux/init). The initramfs is lichen's root
# of the same run (scripts/mkrunfs.sh: the boot archive, the --add trees,
# the -c command at /etc/lichen/command; BusyBox at /bin/busybox with
# its applet links) with this script and, for a disk root, the kernel's
# virtio-mmio, virtio-blk and vfat modules under /.linux/ on top
# (scripts/run-command.py --linux builds it).
#
# It mounts /proc, /sys, /dev (devtmpfs) and a tmpfs on /tmp, silences
# the kernel's console, and runs the command with /bin/sh -c, or an
# interactive shell without one. With lichen.root=/dev/vda on the kernel
# command line (run-qemu.sh --linux --disk -c) it does what disk.manifest
# does for lichen: the FAT32 disk is the root, with this initramfs at
# /boot and a tmpfs at /tmp. Then it prints
#   linux: powering off (status N)
# (run-command.py's cue: N is the command's exit status) and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
mount -t tmpfs none /tmp
# Not even KERN_EMERG ("reboot: Power down"): the console is the command's.
echo 0 > /proc/sys/kernel/printk

root=
for arg in $(cat /proc/cmdline); do
	case "$arg" in lichen.root=*) root=${arg#lichen.root=} ;; esac
done

# run [ROOT]: the command (or a shell) with /bin/sh, in ROOT if given.
run() {
	if [ -f /etc/lichen/command ]; then
		${1:+chroot "$1"} /bin/sh -c "$(cat /etc/lichen/command)"
	else
		${1:+chroot "$1"} /bin/sh
	fi
}

if [ -z "$root" ]; then
	run
	status=$?
else
	for m in virtio_mmio virtio_blk fat vfat nls_cp437 nls_ascii nls_utf8; do
		insmod "/.linux/modules/$m.ko" || echo "linux-init: insmod $m failed"
	done
	i=0
	while [ ! -b "$root" ] && [ "$i" -lt 200 ]; do
		usleep 10000
		i=$((i + 1))
	done
	mkdir -p /.linux/root
	if mount -t vfat "$root" /.linux/root; then
		r=/.linux/root
		mount --bind / $r/boot && mount -t proc none $r/proc &&
			mount -t devtmpfs none $r/dev && mount -t tmpfs none $r/tmp
		run $r
		status=$?
		umount $r/tmp $r/dev $r/proc $r/boot
		umount $r || sync
	else
		echo "linux-init: cannot mount $root"
		status=125
	fi
fi
echo "linux: powering off (status $status)"
poweroff -f
