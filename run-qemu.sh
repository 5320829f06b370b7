#!/usr/bin/env bash
# Build lichen and boot it under QEMU (virt, cortex-a72) on this terminal.
# Installs what is missing first. Quit QEMU with Ctrl-A X. With -c, run
# one command and exit with its status (scripts/run-command.py). With
# --linux, boot Debian's Linux kernel on the same root and flags instead.
set -euo pipefail
caller=$PWD		# --add DIR may be relative to it
cd "$(dirname "$0")"

usage() {
	cat <<'USAGE'
usage: ./run-qemu.sh [options] [-c COMMAND]
       LICHEN_BUILD=DIR ./run-qemu.sh ...   build and boot DIR (default build)

  -c COMMAND       run COMMAND with /bin/sh -c in lichen: only its output
                   reaches stdout (lichen.quiet=1), and this script exits
                   with its status; e.g. -c 'echo hi; exit 3' prints hi,
                   exits 3. No power-off status: 124 after --timeout,
                   125 otherwise (a panic)
  --timeout S      with -c: stop the guest after S seconds (default 0: never)
  --add DIR        copy DIR's tree into the root (DIR/x/y is /x/y, replacing
                   what was there); repeatable. The root is the boot archive
                   (a per-run copy of it: scripts/mkrunfs.sh), at /boot
                   when --disk makes a disk the root
  --disk FILE      attach FILE as a virtio-blk disk (raw; repeatable: the
                   first is blk/vda, the next blk/vdb...), with QEMU's
                   virtio-mmio transports made modern (force-legacy=false).
                   A missing FILE is first made a copy of the built root
                   disk, build/image/root.img (build: LICHEN_BUILD).
                   The virtio-blk driver runs where the manifest says
                   `driver virtio-blk virtio-blk`
                   (e.g. --manifest virtio-blk.manifest); docs/block.md.
                   With -c, the first disk is the root: the command runs
                   on its FAT32 filesystem (disk.manifest; the boot
                   archive at /boot, a tmpfs at /tmp) and what it writes
                   stays in FILE; docs/vfs.md
  --smp N          CPUs (1-8, default 4)
  --mem SIZE       RAM (default 256M; the disk root boots to a shell down to
                   32M: docs/PERFORMANCE.md, "Memory footprint")
  --gic 2|3        GIC version (default: QEMU's, v2)
  --el2            enter the kernel at EL2 (-M virt,virtualization=on)
  --append ARGS    kernel boot arguments, e.g. 'lichen.panic=halt'
  --init PROG      start PROG from the boot archive instead of init
                   (lichen.init=PROG; e.g. ipctest, ipcstress, ipcbench)
  --manifest NAME  init reads NAME from the boot archive instead of
                   boot.manifest (lichen.manifest=NAME; docs/init.md); a
                   path names its file in image/bootfs/, e.g.
                   --manifest image/bootfs/tmpfs-root.manifest: a writable
                   root in memory, a copy of the boot archive
  --strace         print every Linux system call linuxemu answers
                   (lichen.strace=1; at run time: echo 1 > /proc/lichen/strace)
  --icount         -icount shift=0: guest time counts instructions
                   (one per nanosecond), for benchmarks
  --no-initrd      boot without the boot archive (to see that error)
  --linux          boot Debian's arm64 Linux (linux-image-arm64, fetched
                   once into build/linux/ by scripts/linux-kernel.sh)
                   instead of lichen, with the same QEMU flags and root:
                   the initramfs is the run's root archive (the boot
                   archive, --add trees, the command) plus its init,
                   scripts/linux-init.sh; with --disk the first disk is
                   the root (vfat), the initramfs at /boot, a tmpfs at
                   /tmp, as disk.manifest does. Kernel arguments
                   'console=ttyAMA0 quiet kpti=0 panic=-1 rdinit=/.linux/init'.
                   -c, --timeout and exit statuses as for lichen; without
                   -c an interactive shell. Not with --init, --manifest,
                   --strace, --no-initrd, --gdb. tests/bench/compare.sh
                   compares the two
  --no-build       boot what is built: no bootstrap, configure or ninja
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
  lichen.quiet=1                      no boot report (errors, panics and the
                                      power-off line still print; -c sets it)
  linuxemu.run=NAME linuxemu.arg=ARG  with --init linuxemu: the Linux program
                                      from the boot archive and its arguments
  linuxemu.argfile=PATH               one more argument: the content of the
                                      archive file PATH (-c: /etc/lichen/command)
  lichen.selftest=uaccess,pages,wx,vmspace,smp,locks,sched
                                      run in-kernel self tests at boot
USAGE
}

smp=4 mem=256M gic= el2=0 append= initrd=1 extra= gdb=0 icount=0 linux=0 build_it=1
lichen_only=	# an option --linux does not take
build=${LICHEN_BUILD:-build}
command= has_command=0 timeout=0 adds=()	# adds: --add DIR, as absolute paths
disks=()					# --disk FILE, as absolute paths
while [ $# -gt 0 ]; do
	case "$1" in
	-c) command=$2 has_command=1; shift ;;
	--timeout) timeout=$2; shift ;;
	--add) case "$2" in /*) adds+=(--add "$2") ;; *) adds+=(--add "$caller/$2") ;; esac
		shift ;;
	--disk) case "$2" in /*) disks+=("$2") ;; *) disks+=("$caller/$2") ;; esac
		shift ;;
	--smp) smp=$2; shift ;;
	--mem) mem=$2; shift ;;
	--gic) gic=$2; shift ;;
	--el2) el2=1 ;;
	--append) append="${append:+$append }$2"; shift ;;
	--init) append="${append:+$append }lichen.init=$2" lichen_only=$1; shift ;;
	--manifest) append="${append:+$append }lichen.manifest=${2##*/}" lichen_only=$1; shift ;;
	--icount) icount=1 ;;
	--strace) append="${append:+$append }lichen.strace=1" lichen_only=$1 ;;
	--no-initrd) initrd=0 lichen_only=$1 ;;
	--qemu) extra=$2; shift ;;
	--gdb) gdb=1 lichen_only=$1 ;;
	--linux) linux=1 ;;
	--no-build) build_it=0 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run-qemu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

[ ${#disks[@]} -le 8 ] || { echo "run-qemu.sh: at most 8 --disk" >&2; exit 2; }
for ((i = 1; i < ${#adds[@]}; i += 2)); do
	[ -d "${adds[i]}" ] || { echo "run-qemu.sh: --add ${adds[i]}: not a directory" >&2; exit 2; }
done
if [ "$initrd" = 0 ] && { [ "$has_command" = 1 ] || [ ${#adds[@]} -gt 0 ]; }; then
	echo "run-qemu.sh: -c and --add need the boot archive (no --no-initrd)" >&2
	exit 2
fi

if [ "$linux" = 1 ] && [ -n "$lichen_only" ]; then
	echo "run-qemu.sh: $lichen_only is lichen's, not for --linux" >&2
	exit 2
fi

# Building says nothing on stdout: with -c, stdout is the command's.
if [ "$build_it" = 1 ]; then
	if [ "$linux" = 1 ]; then
		./scripts/bootstrap.sh --linux "$build" >&2
	else
		./scripts/bootstrap.sh >&2
	fi
	./scripts/configure.sh "$build" >&2
	ninja -C "$build" >&2
elif [ "$linux" = 1 ] && [ ! -f "$build/linux/vmlinuz" ]; then
	./scripts/linux-kernel.sh "$build" >&2
fi
kernel=$build/kernel/Image
[ "$linux" = 1 ] && kernel=$build/linux/vmlinuz

machine=virt
[ -n "$gic" ] && machine+=",gic-version=$gic"
[ "$el2" = 1 ] && machine+=",virtualization=on"
args=(-M "$machine" -cpu cortex-a72 -smp "$smp" -m "$mem" -nographic -nic none
	-kernel "$kernel")
[ "$icount" = 1 ] && args+=(-icount shift=0)
if [ "$gdb" = 1 ]; then
	append="${append:+$append }lichen.panic=halt"
	args+=(-s -S)
	echo "run-qemu.sh: waiting for gdb on :1234; in another terminal:" >&2
	echo "  gdb-multiarch $build/kernel/kernel.elf -ex 'target remote :1234'" >&2
fi
# Disks: a missing one starts as a copy of the root disk image.
[ ${#disks[@]} -gt 0 ] && args+=(-global virtio-mmio.force-legacy=false)
letters=abcdefgh
for ((i = 0; i < ${#disks[@]}; i++)); do
	disk=${disks[i]} id=vd${letters:i:1}
	if [ ! -e "$disk" ]; then
		if [ ! -f "$build/image/root.img" ]; then
			echo "run-qemu.sh: --disk $disk does not exist, and there is no root disk" \
				"image to copy it from ($build/image/root.img is not built yet);" \
				"give an existing raw image" >&2
			exit 1
		fi
		cp "$build/image/root.img" "$disk"
		echo "run-qemu.sh: $disk: a new copy of $build/image/root.img" >&2
	fi
	args+=(-drive "file=$disk,if=none,format=raw,id=$id" -device "virtio-blk-device,drive=$id")
done
# shellcheck disable=SC2206 # --qemu is split into words on purpose
[ -n "$extra" ] && args+=($extra)

# A manifest is init's: --manifest without --init starts init.
if [[ "$append" == *lichen.manifest=* && "$append" != *lichen.init=* ]]; then
	append="lichen.init=init $append"
fi
# -c with a disk: the command runs on it (disk.manifest: the FAT32 root on
# vda, the boot archive at /boot), unless --init or --manifest said otherwise.
# Linux: scripts/linux-init.sh does the same for lichen.root=/dev/vda.
if [ "$linux" = 1 ] && [ ${#disks[@]} -gt 0 ]; then
	append="lichen.root=/dev/vda${append:+ $append}"
elif [ "$has_command" = 1 ] && [ ${#disks[@]} -gt 0 ] &&
	[[ "$append" != *lichen.init=* && "$append" != *lichen.manifest=* ]]; then
	append="lichen.init=init lichen.manifest=disk.manifest${append:+ $append}"
# No command: BusyBox's shell on the terminal (devtmpfs's console, with
# line editing and job control) on the boot archive (linux.manifest) or,
# with --disk, the first disk (disk.manifest), unless --init, --manifest
# or --append chose the first process or manifest.
elif [ "$has_command" = 0 ] && [ "$linux" = 0 ] && [ "$initrd" = 1 ] &&
	[[ "$append" != *lichen.init=* && "$append" != *lichen.manifest=* ]]; then
	manifest=linux.manifest
	[ ${#disks[@]} -gt 0 ] && manifest=disk.manifest
	append="lichen.init=init lichen.manifest=$manifest linuxemu.run=/bin/sh${append:+ $append}"
fi
if [ "$has_command" = 1 ] || [ "$linux" = 1 ]; then
	cmd=(--initrd "$build/image/bootfs.cpio" "${adds[@]}" "--append=$append")
	[ "$linux" = 1 ] && cmd+=(--linux "$build/linux")
	[ "$has_command" = 1 ] && cmd+=("--timeout=$timeout" "--command=$command")
	exec python3 scripts/run-command.py "${cmd[@]}" -- qemu-system-aarch64 "${args[@]}"
fi
[ -n "$append" ] && args+=(-append "$append")
if [ ${#adds[@]} -gt 0 ]; then
	run=$(mktemp -d)
	trap 'rm -rf "$run"' EXIT
	./scripts/mkrunfs.sh "$run/root.cpio" "$build/image/bootfs.cpio" "${adds[@]}"
	qemu-system-aarch64 "${args[@]}" -initrd "$run/root.cpio"
	exit
fi
[ "$initrd" = 1 ] && args+=(-initrd "$build/image/bootfs.cpio")
exec qemu-system-aarch64 "${args[@]}"
