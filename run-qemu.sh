#!/usr/bin/env bash
# Build lichen and boot it under QEMU (virt, cortex-a72) on this terminal.
# Installs what is missing first. Quit QEMU with Ctrl-A X.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
	cat <<'USAGE'
usage: ./run-qemu.sh [options]

  --smp N          CPUs (1-8, default 4)
  --mem SIZE       RAM (128M-2G, default 256M)
  --gic 2|3        GIC version (default: QEMU's, v2)
  --el2            enter the kernel at EL2 (-M virt,virtualization=on)
  --append ARGS    kernel boot arguments, e.g. 'lichen.panic=halt'
  --init PROG      start PROG from the boot archive instead of init
                   (lichen.init=PROG; e.g. ipctest, ipcstress, ipcbench)
  --manifest NAME  init reads NAME from the boot archive instead of
                   boot.manifest (lichen.manifest=NAME; docs/init.md)
  --strace         print every Linux system call linuxemu answers
                   (lichen.strace=1)
  --icount         -icount shift=0: guest time counts instructions
                   (one per nanosecond), for benchmarks
  --no-initrd      boot without the boot archive (to see that error)
  --qemu 'ARGS'    extra QEMU arguments
  --gdb            wait for a debugger on :1234 before the first instruction
                   (gdb-multiarch build/kernel/kernel.elf -ex 'target remote :1234');
                   also sets lichen.panic=halt so a panic stays inspectable
  -h, --help       this text

Boot arguments lichen understands:
  lichen.panic=poweroff|halt|reboot   what a panic does (default poweroff)
  lichen.crash=data-abort|undefined|exec-data|panic
                                      fail on purpose (tests the panic report)
  lichen.stats=1                      print per-CPU scheduler counters at the end
  lichen.init=PROG|none               the first process (default init; none:
                                      power off after the boot report)
  lichen.manifest=NAME                init's manifest (default boot.manifest)
  lichen.asid_bits=N                  use N-bit ASIDs (4..16; tests: rollovers)
  lichen.strace=1                     linuxemu prints every system call
  linuxemu.run=NAME linuxemu.arg=ARG  with --init linuxemu: the Linux program
                                      from the boot archive and its arguments
  lichen.selftest=uaccess,pages,wx,vmspace,smp,locks,sched
                                      run in-kernel self tests at boot
USAGE
}

smp=4 mem=256M gic= el2=0 append= initrd=1 extra= gdb=0 icount=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--gic) gic=$2; shift ;;
	--el2) el2=1 ;;
	--append) append="${append:+$append }$2"; shift ;;
	--init) append="${append:+$append }lichen.init=$2"; shift ;;
	--manifest) append="${append:+$append }lichen.manifest=$2"; shift ;;
	--icount) icount=1 ;;
	--strace) append="${append:+$append }lichen.strace=1" ;;
	--no-initrd) initrd=0 ;;
	--qemu) extra=$2; shift ;;
	--gdb) gdb=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run-qemu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

./scripts/bootstrap.sh
./scripts/configure.sh build
ninja -C build >&2

machine=virt
[ -n "$gic" ] && machine+=",gic-version=$gic"
[ "$el2" = 1 ] && machine+=",virtualization=on"
args=(-M "$machine" -cpu cortex-a72 -smp "$smp" -m "$mem" -nographic -nic none
	-kernel build/kernel/Image)
[ "$initrd" = 1 ] && args+=(-initrd build/image/bootfs.cpio)
[ "$icount" = 1 ] && args+=(-icount shift=0)
if [ "$gdb" = 1 ]; then
	append="${append:+$append }lichen.panic=halt"
	args+=(-s -S)
	echo "run-qemu.sh: waiting for gdb on :1234; in another terminal:" >&2
	echo "  gdb-multiarch build/kernel/kernel.elf -ex 'target remote :1234'" >&2
fi
[ -n "$append" ] && args+=(-append "$append")
# shellcheck disable=SC2206 # --qemu is split into words on purpose
[ -n "$extra" ] && args+=($extra)
exec qemu-system-aarch64 "${args[@]}"
