#!/bin/sh
# fatread-guest.sh WARM [DIR]: what tests/bench/fatread.py runs in the
# guest, the same on lichen and on Linux (run-qemu.sh --disk, with and
# without --linux: the FAT32 disk is the root, so no DIR). DIR/readfile
# reads DIR/big once cold (nothing of it read since boot) and WARM more
# times, each "read BYTES bytes in NS ns"; "clock NS" lines before and after let
# the host check the guest's clock against its own; then sha256sum checks
# the bytes. Exits with the first failure's status.
warm=$1
d=$2
"$d/readfile" -t || exit
"$d/readfile" "$d/big" || exit
i=0
while [ "$i" -lt "$warm" ]; do
	"$d/readfile" "$d/big" || exit
	i=$((i + 1))
done
"$d/readfile" -t || exit
sha256sum "$d/big"
