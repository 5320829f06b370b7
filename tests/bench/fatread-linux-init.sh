#!/bin/busybox sh
# fatread-linux-init.sh: /init of the initramfs tests/bench/fatread.py boots
# Debian's arm64 kernel with. Loads the virtio-mmio, virtio-blk and vfat
# modules of the same kernel package (all =m in Debian's config), mounts
# /dev/vda read-only on /mnt, runs the same fatread-guest.sh as lichen does
# and powers off. "fatread: status N" tells the host how it went.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_mmio virtio_blk fat vfat nls_cp437 nls_ascii nls_utf8; do
	insmod "/lib/modules/$m.ko" || echo "fatread: insmod $m failed"
done
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 100 ]; do
	usleep 50000
	i=$((i + 1))
done
if mount -t vfat -o ro /dev/vda /mnt; then
	warm=$(sed -n 's/.*fatread.warm=\([0-9]*\).*/\1/p' /proc/cmdline)
	sh /mnt/bench.sh "${warm:-3}" /mnt
	echo "fatread: status $?"
	umount /mnt
else
	echo "fatread: status 99 (no /dev/vda to mount)"
fi
poweroff -f
