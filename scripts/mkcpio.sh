#!/usr/bin/env bash
# mkcpio.sh OUT DIR [ITEM...]: pack DIR's tree and the ITEMs into a newc
# cpio archive (the boot archive). An ITEM is
#   FILE                    FILE at the archive's top level, under its name
#   --file PATH FILE        FILE at archive path PATH (directories made)
#   --symlink PATH TARGET   a symbolic link PATH whose target is TARGET
#   --applets BUSYBOX       a link to /bin/busybox at each applet's path
#                           (BUSYBOX --list-full, run under qemu-aarch64),
#                           where nothing is yet
# Each ITEM replaces what DIR or an earlier ITEM put at its path.
# Reproducibly: the tree is staged with mtime 0 and modes 0644/0755
# (executables keep x; symlinks are 0777 as always), owner 0:0, names
# sorted. --reproducible only renumbers inodes, so the staging copy is
# what removes timestamps.
set -euo pipefail
out=$(realpath -m "$1")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$2/." "$stage/"
shift 2

# The staging path for archive path $1: relative, no "..", parents made.
place() {
	case "/$1/" in
	//*|*/../*|*/./*) echo "mkcpio.sh: bad archive path '$1'" >&2; exit 2 ;;
	esac
	mkdir -p "$stage/$(dirname "$1")"
	rm -rf "${stage:?}/$1"
	dst=$stage/$1
}

while [ $# -gt 0 ]; do
	case "$1" in
	--file) place "$2"; cp "$3" "$dst"; shift 3 ;;
	--symlink) place "$2"; ln -s "$3" "$dst"; shift 3 ;;
	--applets)
		for app in $(qemu-aarch64 "$2" --list-full); do
			[ -e "$stage/$app" ] || [ -L "$stage/$app" ] && continue
			place "$app"
			ln -s /bin/busybox "$dst"
		done
		shift 2 ;;
	*) place "$(basename "$1")"; cp "$1" "$dst"; shift ;;
	esac
done
chmod -R u=rwX,go=rX "$stage"
find "$stage" -exec touch -h -d @0 {} +
cd "$stage"
find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible > "$out"
