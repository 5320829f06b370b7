#!/usr/bin/env bash
# mkrunfs.sh OUT BASE [--add DIR]... [--command TEXT]: the root image of
# one run (run-qemu.sh --add, -c): the archive BASE (the built boot
# archive), then each DIR's tree on top of it (DIR/x/y is /x/y; a file
# replaces what BASE or an earlier DIR had at its path), then TEXT as the
# file etc/lichen/command (linuxemu.argfile=/etc/lichen/command reads it).
#
# Until the FAT32 root exists the root is the boot archive, so OUT is a
# newc cpio archive. It is rebuilt whole, with mkcpio.sh from a staging
# copy, rather than concatenated from BASE and a second archive: every
# reader (the kernel's, init's, linuxemu's) then sees one archive with
# each name once, and OUT keeps BASE's normalisation (mtime 0, owner 0:0,
# modes 0644/0755, sorted names).
set -euo pipefail
here=$(dirname "$(realpath "$0")")
out=$(realpath -m "$1")
base=$(realpath "$2")
shift 2
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
(cd "$tree" && cpio --quiet -i -d --no-absolute-filenames < "$base")
while [ $# -gt 0 ]; do
	case "$1" in
	--add)
		[ -d "$2" ] || { echo "mkrunfs.sh: --add $2: not a directory" >&2; exit 2; }
		# --remove-destination: a file replaces a symlink instead of
		# writing through it (bin/sh over bin/busybox).
		cp -R --remove-destination "$2/." "$tree/"
		shift 2 ;;
	--command)
		mkdir -p "$tree/etc/lichen"
		rm -rf "$tree/etc/lichen/command"
		printf '%s' "$2" > "$tree/etc/lichen/command"
		shift 2 ;;
	*) echo "mkrunfs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
"$here/mkcpio.sh" "$out" "$tree"
